//! The middleware on `/api/v1`: finds the operation's rule, authenticates the caller, checks
//! the rule and leaves the [`crate::auth::Principal`] for handlers.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};

use super::authenticate::authenticate;
use super::rules::{RULES, Rule, rule_for};
use crate::api::error::ApiError;
use crate::api::state::AppState;

pub async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let rule = match req.match_pattern() {
        // No such path: the 404 needs no credential.
        None => return next.call(req).await,
        Some(path) => match rule_for(req.method().as_str(), &path) {
            Some(rule) => rule,
            // A method the path does not answer: the 405 (with `Allow`) needs none either.
            None if RULES.iter().any(|(_, p, _)| *p == path) => return next.call(req).await,
            None => {
                // A route without a rule is a bug (a test fails on it); refuse, never open.
                tracing::error!(path, "a route has no access rule");
                return Err(ApiError::Forbidden("this operation has no access rule".into()).into());
            }
        },
    };
    if rule == Rule::Public {
        return next.call(req).await;
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Err(ApiError::Internal("no application state".into()).into());
    };
    let principal = authenticate(&state, req.headers()).await?;
    let allowed = match rule {
        Rule::Public | Rule::SignedIn => true,
        Rule::Scope(scope) => principal.allows(scope),
        Rule::FullAccess => principal.scopes == crate::auth::Scopes::All,
    };
    if !allowed {
        tracing::info!(
            user = %principal.user_id,
            method = %req.method(),
            path = req.path(),
            "scope missing"
        );
        return Err(ApiError::Forbidden("Forbidden".into()).into());
    }
    let subject = match principal.api_key_id {
        Some(key) => format!("key:{key}"),
        None => format!("user:{}", principal.user_id),
    };
    let per_minute = state.limits.settings.api_per_minute;
    if let Some(decision) = state.limits.hit("api", &subject, per_minute).await
        && !decision.allowed
    {
        tracing::info!(user = %principal.user_id, "API calls throttled");
        return Err(ApiError::TooManyRequests(decision).into());
    }
    req.extensions_mut().insert(principal);
    next.call(req).await
}
