//! `POST /api/v1/auth/logout`.

use actix_web::{HttpResponse, post, web};

use super::RefreshBody;
use crate::api::error::ApiError;
use crate::api::extract::JsonBody;
use crate::state::AppState;
use crate::store;

/// Sign out
///
/// Revokes the sign-in the refresh token belongs to (it and every token of the same login).
/// Access tokens already issued stay valid until they expire (minutes). Always 204, so the
/// answer tells nothing about the token.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshBody,
    responses(
        (status = 204, description = "Signed out"),
        (status = 400, description = "A body without a refresh token of a possible length", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    body: JsonBody<RefreshBody>,
) -> Result<HttpResponse, ApiError> {
    if let Some(family) = store::refresh_tokens::family_of(&state.db, body.0.token()?).await? {
        store::refresh_tokens::revoke_family(&state.db, family).await?;
        tracing::info!("signed out");
    }
    Ok(HttpResponse::NoContent().finish())
}
