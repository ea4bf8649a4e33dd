//! `GET /api/v1/api-keys`.

use actix_web::{HttpResponse, get, web};

use super::ApiKeyResponse;
use crate::api::error::ApiError;
use crate::auth::Principal;
use crate::state::AppState;
use crate::store;

/// List your API keys
///
/// Label, prefix, scopes, creation, last use (to the minute) and expiry of each of the
/// caller's keys, newest first. Needs a credential with every scope.
#[utoipa::path(
    tag = "api-keys",
    responses((status = 200, description = "The caller's keys", body = Vec<ApiKeyResponse>))
)]
#[get("/api-keys")]
pub async fn list_api_keys(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let keys = store::api_keys::list_for_user(&state.db, principal.user_id).await?;
    Ok(HttpResponse::Ok().json(
        keys.into_iter()
            .map(ApiKeyResponse::from)
            .collect::<Vec<_>>(),
    ))
}
