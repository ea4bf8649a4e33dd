//! `POST /api/v1/auth/login`.

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{TokenPair, issue, throttle};
use crate::api::error::{ApiError, Problem};
use crate::api::extract::JsonBody;
use crate::auth::{verify_nothing, verify_password};
use crate::state::AppState;
use crate::store;

/// An email and password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Credentials {
    #[schema(max_length = 254, example = "ada@example.com")]
    pub email: String,
    #[schema(max_length = 1024)]
    pub password: String,
}

/// n8n's answer to a wrong email or password (the same for both, so emails do not leak).
const WRONG: &str = "Wrong username or password. Do you have caps lock on?";

/// Sign in
///
/// An access token (`Authorization: Bearer`, valid `WEFT_JWT_ACCESS_TTL_SECS`) and a refresh
/// token. Users without a password (made with an API key only) cannot sign in.
#[utoipa::path(
    tag = "auth",
    request_body = Credentials,
    responses(
        (status = 200, description = "Signed in", body = TokenPair),
        (status = 400, description = "A body that is not an email and a password", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong email or password, or a disabled user", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address or for this account (`WEFT_RATE_LIMIT_LOGIN_PER_MINUTE`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBody<Credentials>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    throttle(&state, &req, Some(&body.email)).await?;
    let found = store::users::password_hash_by_email(&state.db, &body.email).await?;
    let password = body.password;
    // argon2 takes tens of milliseconds: off the async workers, and as long for a missing
    // account as for a wrong password.
    let checked = web::block(move || match found {
        Some((user, Some(hash))) => verify_password(&password, &hash).then_some(user),
        _ => {
            verify_nothing(&password);
            None
        }
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let Some(user) = checked else {
        tracing::info!(reason = "wrong email or password", "sign-in refused");
        return Err(ApiError::Unauthorized(WRONG.into()));
    };
    if user.disabled {
        tracing::info!(user = %user.id, reason = "disabled user", "sign-in refused");
        return Err(ApiError::Unauthorized(WRONG.into()));
    }
    let pair = issue(&state, user.id, store::new_id()).await?;
    tracing::info!(user = %user.id, "signed in");
    Ok(HttpResponse::Ok().json(pair))
}
