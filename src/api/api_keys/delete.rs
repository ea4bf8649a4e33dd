//! `DELETE /api/v1/api-keys/{id}`.

use actix_web::{HttpResponse, delete, web};

use crate::api::error::{ApiError, Problem};
use crate::api::extract::parse_id;
use crate::auth::Principal;
use crate::state::AppState;
use crate::store;

/// Revoke an API key
///
/// The key stops working at once. Only the caller's own keys can be revoked. Needs a
/// credential with every scope.
#[utoipa::path(
    tag = "api-keys",
    params(("id" = String, Path, description = "API key id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No such key of the caller's", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api-keys/{id}")]
pub async fn delete_api_key(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "API key")?;
    store::api_keys::delete(&state.db, principal.user_id, id).await?;
    tracing::info!(user = %principal.user_id, key = %id, "API key revoked");
    Ok(HttpResponse::NoContent().finish())
}
