//! `POST /api/v1/credentials`.

use actix_web::{HttpResponse, post, web};

use super::{CredentialResponse, CredentialWrite, cipher};
use crate::api::error::{ApiError, Problem};
use crate::api::extract::JsonBody;
use crate::auth::Principal;
use crate::state::AppState;
use crate::store;
use crate::store::credentials::NewCredential;

/// Create a credential
#[utoipa::path(
    tag = "credentials",
    request_body = CredentialWrite,
    responses(
        (status = 200, description = "The stored credential, without its data", body = CredentialResponse),
        (status = 400, description = "Malformed body, unknown type or data that does not suit it", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "No encryption key is configured", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/credentials")]
pub async fn create_credential(
    state: web::Data<AppState>,
    principal: Principal,
    body: JsonBody<CredentialWrite>,
) -> Result<HttpResponse, ApiError> {
    let cipher = cipher(&state)?;
    let body = body.0;
    let new = NewCredential::parse(&body.name, &body.credential_type, &body.data)?;
    let stored = store::credentials::create(&state.db, cipher, &new, principal.user_id).await?;
    Ok(HttpResponse::Ok().json(CredentialResponse::from(stored)))
}
