//! `DELETE /api/v1/credentials/{id}`.

use actix_web::{HttpResponse, delete, web};

use super::CredentialResponse;
use crate::api::error::{ApiError, Problem};
use crate::api::extract::parse_id;
use crate::state::AppState;
use crate::store;

/// Delete a credential
#[utoipa::path(
    tag = "credentials",
    params(("id" = String, Path, description = "Credential id")),
    responses(
        (status = 200, description = "The deleted credential, without its data", body = CredentialResponse),
        (status = 404, description = "No such credential", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/credentials/{id}")]
pub async fn delete_credential(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "credential")?;
    let deleted = store::credentials::delete(&state.db, id).await?;
    Ok(HttpResponse::Ok().json(CredentialResponse::from(deleted)))
}
