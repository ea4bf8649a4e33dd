//! `POST /api/v1/auth/refresh`.

use actix_web::{HttpResponse, post, web};

use super::{RefreshBody, TokenPair, issue};
use crate::api::error::{ApiError, Problem};
use crate::api::extract::JsonBody;
use crate::state::AppState;
use crate::store::{self, StoreError, refresh_tokens::Exchange};

/// Refresh a sign-in
///
/// Exchanges a refresh token for a new access token and a new refresh token. Each refresh
/// token works once: presenting one that was already exchanged revokes the whole sign-in
/// (every token descended from the same login), since a copy of it is in other hands.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshBody,
    responses(
        (status = 200, description = "The next pair", body = TokenPair),
        (status = 400, description = "A body without a refresh token of a possible length", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "An unknown, expired, revoked or reused refresh token, or a disabled user", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    body: JsonBody<RefreshBody>,
) -> Result<HttpResponse, ApiError> {
    let refused = |reason: &str| {
        tracing::info!(reason, "refresh refused");
        ApiError::Unauthorized("unauthorized".into())
    };
    let (user, family) = match store::refresh_tokens::exchange(&state.db, body.0.token()?).await? {
        Exchange::Granted { user, family } => (user, family),
        Exchange::Refused(reason) => return Err(refused(reason)),
        Exchange::Reused => {
            return Err(refused(
                "a refresh token used twice: its sign-in is revoked",
            ));
        }
    };
    match store::users::get(&state.db, user).await {
        Ok(u) if !u.disabled => {}
        Ok(_) | Err(StoreError::NotFound { .. }) => {
            store::refresh_tokens::revoke_family(&state.db, family).await?;
            return Err(refused("disabled or deleted user"));
        }
        Err(e) => return Err(e.into()),
    }
    let pair = issue(&state, user, family).await?;
    // A logout or a reuse that revoked the family while this exchange ran found the new token
    // not yet stored; revoke again now that it is, and refuse.
    if store::refresh_tokens::family_revoked(&state.db, family).await? {
        store::refresh_tokens::revoke_family(&state.db, family).await?;
        return Err(refused("the sign-in was revoked during the exchange"));
    }
    Ok(HttpResponse::Ok().json(pair))
}
