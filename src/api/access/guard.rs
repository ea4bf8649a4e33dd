//! The middleware on `/api/v1`: finds the operation's rule, authenticates the caller, checks
//! the rule and leaves the [`crate::auth::Principal`] for handlers. It matches the path the
//! router will route (percent-decoded), against the rule table itself, and answers 404/405 on
//! its own for anything the table does not name: no request reaches a handler without a rule.

use std::sync::OnceLock;

use actix_web::body::MessageBody;
use actix_web::dev::{ResourceDef, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};

use super::authenticate::authenticate;
use super::rules::{On, RULES, Rule, rule_for};
use crate::api::error::ApiError;
use crate::auth::Principal;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::access::{self, Actor, Found, Level};
use uuid::Uuid;

/// Each path of the rule table, as the router matches it.
fn patterns() -> &'static [(&'static str, ResourceDef)] {
    static DEFS: OnceLock<Vec<(&'static str, ResourceDef)>> = OnceLock::new();
    DEFS.get_or_init(|| {
        let mut defs: Vec<(&'static str, ResourceDef)> = Vec::new();
        for (_, path, _, _) in RULES {
            if !defs.iter().any(|(p, _)| p == path) {
                defs.push((path, ResourceDef::new(*path)));
            }
        }
        defs
    })
}

/// The rule of this request and the `{id}` its path names, or the 404/405 to answer.
fn rule_of(req: &ServiceRequest) -> Result<(Rule, On, Option<String>), ApiError> {
    // The decoded path: `/api/v1/%77orkflows` is routed as `/api/v1/workflows`.
    let routed = req.match_info().as_str();
    let method = req.method().as_str();
    // A literal segment beats a parameter (`/credentials/schema/{type}` over `/credentials/{id}`).
    let mut matching: Vec<&(&str, ResourceDef)> = patterns()
        .iter()
        .filter(|(_, def)| def.is_match(routed))
        .collect();
    matching.sort_by_key(|(p, _)| std::cmp::Reverse(p.matches('{').count() == 0));
    if matching.is_empty() {
        return Err(ApiError::NoRoute {
            method: method.to_owned(),
            path: req.path().to_owned(),
        });
    }
    if let Some(((rule, on), def)) = matching
        .iter()
        .find_map(|(p, def)| rule_for(method, p).map(|r| (r, def)))
    {
        let mut matched = actix_web::dev::Path::new(routed);
        let id = def
            .capture_match_info(&mut matched)
            .then(|| matched.get("id").map(str::to_owned))
            .flatten();
        return Ok((rule, on, id));
    }
    let mut allow: Vec<&str> = RULES
        .iter()
        .filter(|(_, p, _, _)| matching.iter().any(|(m, _)| m == p))
        .map(|(m, _, _, _)| *m)
        .collect();
    allow.sort_unstable();
    allow.dedup();
    Err(ApiError::MethodNotAllowed {
        method: method.to_owned(),
        path: req.path().to_owned(),
        allow: allow.join(", "),
    })
}

pub async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let (rule, on, id) = rule_of(&req)?;
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
    check_part(&state, &principal, on, id.as_deref()).await?;
    req.extensions_mut().insert(principal);
    next.call(req).await
}

/// Checks the caller's part in the resource the path names: hidden is 404 (the same answer as
/// a missing one, so ids do not leak), too small a part 403. A missing resource or a malformed
/// id is left to the handler, which answers it as it always has.
async fn check_part(
    state: &AppState,
    principal: &Principal,
    on: On,
    id: Option<&str>,
) -> Result<(), ApiError> {
    let actor = Actor::of(principal);
    let (needed, entity) = match on {
        On::Any => return Ok(()),
        On::Admins if actor.sees_all => return Ok(()),
        On::Admins => {
            tracing::info!(user = %principal.user_id, "an admins' operation refused to a member");
            return Err(ApiError::Forbidden(
                "only the owner and admins may do this".into(),
            ));
        }
        _ if actor.sees_all => return Ok(()),
        On::Workflow(level) => (level, "workflow"),
        On::Credential(level) => (level, "credential"),
        On::Execution(level) => (level, "execution"),
    };
    let Some(uuid) = id.and_then(|raw| Uuid::try_parse(raw).ok()) else {
        return Ok(());
    };
    let found = match on {
        On::Workflow(_) => access::workflow_level(&state.db, actor, uuid).await?,
        On::Credential(_) => access::credential_level(&state.db, actor, uuid).await?,
        _ => access::execution_level(&state.db, actor, uuid).await?,
    };
    match found {
        Found::Missing => Ok(()),
        Found::At(level) if level >= needed => Ok(()),
        Found::Hidden => {
            tracing::info!(user = %principal.user_id, entity, id = %uuid, "not shared with the caller");
            Err(StoreError::NotFound {
                entity,
                id: uuid.to_string(),
            }
            .into())
        }
        Found::At(level) => {
            tracing::info!(user = %principal.user_id, entity, id = %uuid, ?level, ?needed, "part too small");
            Err(ApiError::Forbidden(format!(
                "you may {} this {entity} but not do this",
                if level == Level::Viewer {
                    "view"
                } else {
                    "change"
                }
            )))
        }
    }
}
