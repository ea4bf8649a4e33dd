//! Turns a request's credential into a [`Principal`], or says why not (logged with the reason,
//! never with the secret).

use actix_web::http::header::HeaderMap;

use crate::api::error::ApiError;
use crate::auth::{ApiKeySecret, Principal};
use crate::state::AppState;
use crate::store::{self, StoreError};

/// n8n's answer when no key is sent.
const MISSING: &str = "'X-N8N-API-KEY' header required";
/// n8n's answer for a key it does not accept.
const REFUSED: &str = "unauthorized";

/// Key uses closer together than this are not written back (`last_used_at` is a hint).
const TOUCH_EVERY: chrono::Duration = chrono::Duration::seconds(60);

fn refused(reason: &str, prefix: Option<&str>) -> ApiError {
    tracing::info!(
        reason,
        key_prefix = prefix.unwrap_or(""),
        "authentication refused"
    );
    ApiError::Unauthorized(REFUSED.into())
}

/// The caller of a request, from `X-N8N-API-KEY` or `Authorization: Bearer <access token>`.
pub async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Principal, ApiError> {
    let Some(raw) = headers.get("x-n8n-api-key") else {
        if let Some(value) = headers.get("authorization") {
            return bearer(state, value).await;
        }
        tracing::info!(reason = "no credential", "authentication refused");
        return Err(ApiError::Unauthorized(MISSING.into()));
    };
    let Ok(key) = raw
        .to_str()
        .map_err(|_| ())
        .and_then(|s| ApiKeySecret::parse(s.trim()).map_err(|_| ()))
    else {
        return Err(refused("malformed API key", None));
    };
    let prefix = key.prefix();
    // A key of a deleted user goes with it (the foreign key cascades).
    let Some((record, user)) = state.keys.find(&state.db, prefix).await? else {
        return Err(refused("unknown or revoked API key", Some(prefix)));
    };
    if !key.matches(&record.key_hash) {
        return Err(refused("API key does not match its prefix", Some(prefix)));
    }
    let now = store::now();
    if record.expires_at.is_some_and(|at| at <= now) {
        return Err(refused("expired API key", Some(prefix)));
    }
    if user.disabled {
        return Err(refused("API key of a disabled user", Some(prefix)));
    }
    if record.last_used_at.is_none_or(|at| now - at >= TOUCH_EVERY)
        && state.keys.should_touch(record.id)
    {
        let db = state.db.clone();
        let id = record.id;
        tokio::spawn(async move {
            if let Err(e) = store::api_keys::touch(&db, id, now).await {
                tracing::warn!(error = %e, "an API key's last use was not recorded");
            }
        });
    }
    Ok(Principal {
        user_id: user.id,
        role: user.role,
        scopes: record.scopes,
        api_key_id: Some(record.id),
    })
}

/// A signed-in user, from an access token: the user's whole rights, while the user is active.
async fn bearer(
    state: &AppState,
    value: &actix_web::http::header::HeaderValue,
) -> Result<Principal, ApiError> {
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .ok_or_else(|| refused("an Authorization header that is not a bearer token", None))?;
    let user_id = state.tokens.verify(token).map_err(|e| {
        tracing::info!(reason = %e, "access token refused");
        ApiError::Unauthorized(REFUSED.into())
    })?;
    let user = match store::users::get(&state.db, user_id).await {
        Ok(user) => user,
        Err(StoreError::NotFound { .. }) => return Err(refused("token of a deleted user", None)),
        Err(e) => return Err(e.into()),
    };
    if user.disabled {
        return Err(refused("token of a disabled user", None));
    }
    Ok(Principal {
        user_id: user.id,
        role: user.role,
        scopes: crate::auth::Scopes::All,
        api_key_id: None,
    })
}
