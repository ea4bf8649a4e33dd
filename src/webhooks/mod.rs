//! Production webhooks: `/webhook/{path}` finds the active workflow's Webhook node, turns the
//! request into n8n's item, runs the workflow and answers as the node's response mode says.
//! The node's options (IP allowlist, bots, CORS) are enforced before anything runs.
//! `/webhook-test/{path}` does the same for a workflow listening for one test call;
//! `/webhook-waiting/{executionId}` resumes an execution waiting for a call.

mod auth;
mod cache;
mod error;
mod follow;
mod guard;
mod idempotent;
pub(crate) mod multipart;
mod rate_limit;
pub(crate) mod request;
mod respond;
mod test_registry;
mod test_shared;
mod waiting;

pub use cache::WebhookCache;
pub use rate_limit::RateLimiter;
pub use test_registry::TestWebhooks;
pub use test_shared::RegisterError;

use actix_web::http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::state::AppState;
use crate::store;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/webhook/{path:.*}", web::route().to(handle))
        .route("/webhook-test/{path:.*}", web::route().to(handle_test))
        .route("/webhook-waiting/{id:.*}", web::route().to(waiting::handle));
}

pub use error::WebhookError;
pub(crate) use error::answer;

const NOT_ACTIVE_HINT: &str = "The workflow must be active for a production URL to run successfully. You can activate the workflow using the toggle in the top-right of the editor. Note that unlike test URL calls, production URL calls aren't shown on the canvas (only in the executions list)";

async fn handle(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let method = req.method().as_str().to_uppercase();
    let path = weft_engine::workflow::normalize_path(&path);
    if method == "OPTIONS" {
        return preflight(&req, &state, &path).await;
    }
    let found = match state.webhook_cache.lookup(&state.db, &method, &path).await {
        Ok(found) => found,
        Err(e) => {
            tracing::error!(error = %e, "webhook lookup failed");
            return WebhookError::LookupFailed.response();
        }
    };
    let Some(route) = found else {
        let others = store::webhooks::methods_for(&state.db, &path)
            .await
            .unwrap_or_default();
        return match others.first() {
            Some(other) => wrong_method(&method, other),
            None => not_registered(&method, &path, NOT_ACTIVE_HINT),
        }
        .response();
    };
    serve(&req, payload, &state, route, Mode::Production).await
}

const TEST_HINT: &str = "Click the 'Execute workflow' button on the canvas, then try again. (In test mode, the webhook only works for one call after you click this button)";

async fn handle_test(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let method = req.method().as_str().to_uppercase();
    let path = weft_engine::workflow::normalize_path(&path);
    if method == "OPTIONS" {
        // A preflight must not use up the one call it prepares.
        let methods = state.test_webhooks.methods_waiting(&path).await;
        if methods.is_empty() {
            return not_registered(&method, &path, TEST_HINT).response();
        }
        return guard::preflight(&req, &serde_json::Value::Null, &methods);
    }
    let Some(route) = state.test_webhooks.claim(&method, &path).await else {
        return match state.test_webhooks.methods_waiting(&path).await.first() {
            Some(other) => wrong_method(&method, other),
            None => not_registered(&method, &path, TEST_HINT),
        }
        .response();
    };
    serve(&req, payload, &state, route, Mode::Test).await
}

fn wrong_method(method: &str, other: &str) -> WebhookError {
    WebhookError::WrongMethod {
        method: method.to_owned(),
        other: other.to_owned(),
    }
}

fn not_registered(method: &str, path: &str, hint: &'static str) -> WebhookError {
    WebhookError::NotRegistered {
        method: method.to_owned(),
        path: path.to_owned(),
        hint,
    }
}

/// Production calls run in `webhook` mode; test calls in `manual` mode, as in n8n.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Production,
    Test,
}

impl Mode {
    pub fn execution_mode(self) -> crate::store::executions::ExecutionMode {
        use crate::store::executions::ExecutionMode;
        match self {
            Self::Production => ExecutionMode::Webhook,
            Self::Test => ExecutionMode::Manual,
        }
    }
    /// `executionMode` in the Webhook node's item.
    pub fn item_mode(self) -> &'static str {
        match self {
            Self::Production => "production",
            Self::Test => "test",
        }
    }
}

async fn serve(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
    route: store::webhooks::WebhookMatch,
    mode: Mode,
) -> HttpResponse {
    match run_call(req, payload, state, route, mode).await {
        Ok(response) => response,
        Err(e) => e.response(),
    }
}

/// A production or test call, through every check to its answer.
async fn run_call(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
    route: store::webhooks::WebhookMatch,
    mode: Mode,
) -> Result<HttpResponse, WebhookError> {
    let target = state.webhook_cache.target(state, &route).await?;
    // One webhook: the workflow and its Webhook node.
    let webhook = format!("{}:{}", route.workflow_id, route.node);
    if let Some(per_minute) = target.rate_limit
        && let Err(rate_limit::RetryAfter(secs)) = state
            .rate_limits
            .hit(state.redis.as_deref(), &webhook, per_minute)
            .await
    {
        return Err(WebhookError::RateLimited {
            per_minute,
            retry_after: secs,
        });
    }
    if let Some(refused) = guard::check(req, target.options()) {
        return Err(refused);
    }
    let jwt_payload = auth::check(req, &target.auth)?;
    let idempotency_key = idempotent::key(req)?;
    let mut item = request::item(req, payload, &route, state.body, mode, target.options()).await?;
    if let Some(claims) = jwt_payload {
        item.json
            .insert("jwtPayload".into(), serde_json::Value::Object(claims));
    }
    let claimed = match &idempotency_key {
        Some(key) => Some(idempotent::claim(state, &webhook, key).await?),
        None => None,
    };
    let origin = guard::allowed_origin(req, target.options());
    // A Respond to Webhook node sets its own headers.
    let extra = if target.response_mode == respond::ResponseMode::ResponseNode {
        Vec::new()
    } else {
        response_headers(target.options())
    };
    let mut response = match claimed {
        Some(idempotent::Claimed::Repeat(answer)) => return Ok(*answer),
        Some(idempotent::Claimed::Follow(execution)) => {
            follow::answer(state, &target, execution).await
        }
        _ => {
            let claim = idempotency_key.as_deref().map(|k| (webhook.as_str(), k));
            respond::run(state, &route, target, item, mode, claim).await
        }
    };
    let headers = response.headers_mut();
    if let Some(origin) = origin {
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
    for (name, value) in extra {
        headers.insert(name, value);
    }
    Ok(match &idempotency_key {
        Some(key) => idempotent::complete(state, &webhook, key, response).await,
        None => response,
    })
}

/// The Webhook node's `options.responseHeaders` (invalid names or values are skipped).
fn response_headers(options: &serde_json::Value) -> Vec<(HeaderName, HeaderValue)> {
    options
        .pointer("/responseHeaders/entries")
        .and_then(|e| e.as_array())
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let name = HeaderName::try_from(entry["name"].as_str()?.trim()).ok()?;
            let value = match &entry["value"] {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Some((name, HeaderValue::try_from(value).ok()?))
        })
        .collect()
}

/// CORS preflight: 204 with the methods registered on the path, 404 when none is.
async fn preflight(req: &HttpRequest, state: &AppState, path: &str) -> HttpResponse {
    let methods = store::webhooks::methods_for(&state.db, path)
        .await
        .unwrap_or_default();
    let wanted = req
        .headers()
        .get("access-control-request-method")
        .and_then(|v| v.to_str().ok())
        .map(str::to_uppercase);
    let method = wanted
        .filter(|m| methods.contains(m))
        .or_else(|| methods.first().cloned());
    let Some(method) = method else {
        return not_registered("OPTIONS", path, NOT_ACTIVE_HINT).response();
    };
    let route = match state.webhook_cache.lookup(&state.db, &method, path).await {
        Ok(Some(route)) => route,
        _ => return HttpResponse::NoContent().finish(),
    };
    match state.webhook_cache.target(state, &route).await {
        Ok(target) => guard::preflight(req, target.options(), &methods),
        Err(e) => e.response(),
    }
}
