//! Production webhooks: `/webhook/{path}` finds the active workflow's Webhook node, turns the
//! request into n8n's item, runs the workflow and answers as the node's response mode says.

mod request;
mod respond;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::api::state::AppState;
use crate::store;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/webhook/{path:.*}", web::route().to(handle));
}

/// n8n's webhook answers are plain JSON `{code, message, hint?}`, not problem documents.
pub(crate) fn answer(status: StatusCode, message: String, hint: Option<&str>) -> HttpResponse {
    let mut body = json!({"code": status.as_u16(), "message": message});
    if let Some(h) = hint {
        body["hint"] = json!(h);
    }
    HttpResponse::build(status).json(body)
}

const NOT_ACTIVE_HINT: &str = "The workflow must be active for a production URL to run successfully. You can activate the workflow using the toggle in the top-right of the editor. Note that unlike test URL calls, production URL calls aren't shown on the canvas (only in the executions list)";

async fn handle(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let method = req.method().as_str().to_uppercase();
    if method == "OPTIONS" {
        return HttpResponse::NoContent().finish();
    }
    let path = weft_engine::workflow::normalize_path(&path);
    let found = match store::webhooks::lookup(&state.db, &method, &path).await {
        Ok(found) => found,
        Err(e) => {
            tracing::error!(error = %e, "webhook lookup failed");
            return answer(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Error in workflow".into(),
                None,
            );
        }
    };
    let Some(route) = found else {
        let others = store::webhooks::methods_for(&state.db, &path)
            .await
            .unwrap_or_default();
        return match others.first() {
            Some(other) => answer(
                StatusCode::NOT_FOUND,
                format!(
                    "This webhook is not registered for {method} requests. Did you mean to make a {other} request?"
                ),
                None,
            ),
            None => answer(
                StatusCode::NOT_FOUND,
                format!("The requested webhook \"{method} {path}\" is not registered."),
                Some(NOT_ACTIVE_HINT),
            ),
        };
    };
    let item = match request::item(&req, payload, &route, state.max_body_bytes).await {
        Ok(item) => item,
        Err(response) => return response,
    };
    respond::run(&state, &route, item).await
}
