//! `PATCH /api/v1/credentials/{id}`.

use actix_web::{HttpResponse, patch, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{CredentialResponse, cipher};
use crate::api::error::{ApiError, Problem};
use crate::api::extract::{JsonBody, parse_id};
use crate::state::AppState;
use crate::store;
use crate::store::credentials::CredentialPatch;

/// What to change; absent fields stay as they are.
// No `Debug`: it holds secrets.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CredentialChange {
    /// 1 to 128 characters once leading and trailing whitespace is trimmed, no control characters.
    #[schema(
        pattern = r"^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f](?:[^\u0000-\u001f\u007f-\u009f]{0,126}[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f])?[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub credential_type: Option<String>,
    /// Fields merged into the stored data (the whole data when the type changes).
    #[schema(value_type = Option<Object>)]
    pub data: Option<serde_json::Value>,
}

/// Change a credential
#[utoipa::path(
    tag = "credentials",
    params(("id" = String, Path, description = "Credential id")),
    request_body = CredentialChange,
    responses(
        (status = 200, description = "The changed credential, without its data", body = CredentialResponse),
        (status = 400, description = "Malformed body or data that does not suit the type", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such credential", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "No encryption key is configured", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/credentials/{id}")]
pub async fn update_credential(
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<CredentialChange>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "credential")?;
    let cipher = cipher(&state)?;
    let change = body.0;
    let patch = CredentialPatch {
        name: change.name,
        credential_type: change.credential_type,
        data: change.data,
    };
    let saved = store::credentials::update(&state.db, cipher, id, patch).await?;
    Ok(HttpResponse::Ok().json(CredentialResponse::from(saved)))
}
