//! Sign-in: owner setup, login, refresh and logout. An access token (JWT, `Authorization:
//! Bearer`) lives minutes; its refresh token is exchanged once for the next pair.

mod login;
mod logout;
mod refresh;
mod setup;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::api::error::ApiError;
use crate::api::time::iso;
use crate::state::AppState;
use crate::store::{self, users::UserRecord};

pub fn routes(cfg: &mut ServiceConfig<'_>) {
    cfg.service(setup::setup_owner)
        .service(login::login)
        .service(refresh::refresh)
        .service(logout::logout);
}

/// An access token and the refresh token that gets the next one.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenPair {
    /// Send as `Authorization: Bearer <accessToken>`.
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds the access token is valid.
    pub expires_in: i64,
    /// Exchange once at `POST /api/v1/auth/refresh`; using it twice revokes the sign-in.
    pub refresh_token: String,
}

/// A refresh token in a request body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RefreshBody {
    #[schema(min_length = 1, max_length = 200)]
    pub refresh_token: String,
}

impl RefreshBody {
    /// The token, if its length is one a token can have.
    pub fn token(&self) -> Result<&str, ApiError> {
        let len = self.refresh_token.chars().count();
        if (1..=200).contains(&len) {
            Ok(&self.refresh_token)
        } else {
            Err(ApiError::invalid_field(
                "refreshToken",
                "must be 1 to 200 characters",
            ))
        }
    }
}

/// A user in n8n's public-API shape.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserResponse {
    pub id: String,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub is_pending: bool,
    pub created_at: String,
    pub updated_at: String,
    /// n8n's role name (`global:owner`, `global:admin`, `global:member`); on user lists and
    /// reads only with `includeRole=true`, as n8n.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

impl UserResponse {
    /// As n8n answers user reads: the role only when asked for.
    pub fn with_role(mut self, include: bool) -> Self {
        if !include {
            self.role = None;
        }
        self
    }
}

impl From<UserRecord> for UserResponse {
    fn from(u: UserRecord) -> Self {
        Self {
            id: u.id.to_string(),
            email: u.email,
            first_name: u.first_name,
            last_name: u.last_name,
            is_pending: !u.has_password,
            created_at: iso(u.created_at),
            updated_at: iso(u.updated_at),
            role: Some(format!("global:{}", u.role)),
        }
    }
}

/// Counts a sign-in attempt against the per-IP and (when named) per-account budgets; the
/// attempt is refused when either is spent.
pub async fn throttle(
    state: &AppState,
    req: &actix_web::HttpRequest,
    account: Option<&str>,
) -> Result<(), ApiError> {
    let per_minute = state.limits.settings.login_per_minute;
    let forwarded: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .collect();
    let ip = crate::rate::client_ip(
        req.peer_addr().map(|a| a.ip()),
        &forwarded,
        &state.trusted_proxies,
    )
    .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    let mut subjects = vec![("login-ip", ip)];
    if let Some(account) = account {
        subjects.push(("login-account", account.trim().to_lowercase()));
    }
    for (class, subject) in subjects {
        if let Some(decision) = state.limits.hit(class, &subject, per_minute).await
            && !decision.allowed
        {
            tracing::warn!(class, "sign-in attempts throttled");
            return Err(ApiError::TooManyRequests(decision));
        }
    }
    Ok(())
}

/// Issues an access token and a new refresh token of `family` to `user`.
pub async fn issue(state: &AppState, user: Uuid, family: Uuid) -> Result<TokenPair, ApiError> {
    let now = store::now();
    let access_token = state
        .tokens
        .issue(user, now.timestamp())
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let refresh_token = format!(
        "weft_rt_{}",
        crate::auth::random_text(48).map_err(|e| ApiError::Internal(e.to_string()))?
    );
    let expires = now + chrono::Duration::seconds(state.refresh_ttl_secs);
    store::refresh_tokens::create(&state.db, user, family, &refresh_token, expires).await?;
    Ok(TokenPair {
        access_token,
        token_type: "Bearer",
        expires_in: state.tokens.ttl_secs,
        refresh_token,
    })
}
