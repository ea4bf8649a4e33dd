//! `GET /api/v1/credentials/schema/{credentialTypeName}`.

use actix_web::{HttpResponse, get, web};

use crate::api::error::{ApiError, Problem};
use crate::store::credentials::types;

/// The JSON schema of a credential type's data
#[utoipa::path(
    tag = "credentials",
    params(("credentialTypeName" = String, Path, description = "e.g. httpBasicAuth")),
    responses(
        (status = 200, description = "A JSON schema", body = Object),
        (status = 404, description = "This server does not store that type", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/credentials/schema/{credentialTypeName}")]
pub async fn credential_schema(name: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let kind = types::find(&name).ok_or_else(|| {
        ApiError::NotFound(format!(
            "credential type {:?} is not one this server stores ({})",
            name.as_str(),
            types::names().join(", ")
        ))
    })?;
    Ok(HttpResponse::Ok().json(kind.schema()))
}
