//! `POST /api/v1/workflows/{id}/test-webhook`: listens for one test call on each of the
//! workflow's Webhook nodes at `/webhook-test/{path}` (n8n's "Listen for test event").

use actix_web::{HttpResponse, post, web};
use serde::Serialize;
use utoipa::ToSchema;
use weft_engine::WorkflowDefinition;

use super::dto::check_supported;
use crate::api::error::{ApiError, Problem};
use crate::api::extract::parse_id;
use crate::state::AppState;
use crate::store;
use crate::webhooks::RegisterError;

/// One route now waiting for a test call.
#[derive(Debug, Serialize, ToSchema)]
pub struct TestWebhookPath {
    /// HTTP method.
    pub method: String,
    /// Path under `/webhook-test/` (`:name` segments match any value).
    pub path: String,
    /// The Webhook node it runs from.
    pub node: String,
}

/// The test routes and how long they wait.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TestWebhookResponse {
    pub paths: Vec<TestWebhookPath>,
    /// Seconds the routes wait for their one call.
    pub expires_in_seconds: u64,
}

/// Listen for a test webhook call
///
/// Registers the workflow's Webhook nodes (as stored; the workflow need not be active) at
/// `/webhook-test/{path}` for one call, or until `WEFT_TEST_WEBHOOK_TTL_MS` passes. The call
/// runs the workflow in `manual` mode with `executionMode: "test"` in the item. Registering
/// again replaces the workflow's earlier test routes.
#[utoipa::path(
    tag = "workflows",
    params(("id" = String, Path, description = "Workflow id")),
    responses(
        (status = 200, description = "The routes now waiting", body = TestWebhookResponse),
        (status = 400, description = "No Webhook node, or node types this server does not support", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such workflow", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another workflow is listening on the same test route", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/workflows/{id}/test-webhook")]
pub async fn test_webhook(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "workflow")?;
    let stored = store::workflows::get(&state.db, id).await?;
    let def = WorkflowDefinition::from_parts(
        &stored.name,
        stored.nodes,
        stored.connections,
        stored.settings,
    )
    .map_err(ApiError::invalid_workflow)?;
    check_supported(&def, state.runner.registry())?;
    let routes = def
        .webhook_routes()
        .map_err(|e| ApiError::invalid_field("nodes", e))?;
    if routes.is_empty() {
        return Err(ApiError::BadRequest(
            "The workflow has no enabled Webhook node to listen on".into(),
        ));
    }
    let paths = routes
        .iter()
        .map(|r| TestWebhookPath {
            method: r.method.clone(),
            path: r.path.clone(),
            node: r.node.clone(),
        })
        .collect();
    let ttl = state
        .test_webhooks
        .listen(id, routes)
        .await
        .map_err(|e| match e {
            RegisterError::Taken(taken) => ApiError::Conflict(taken.to_string()),
            RegisterError::Unavailable(why) => ApiError::Unavailable(why),
        })?;
    Ok(HttpResponse::Ok().json(TestWebhookResponse {
        paths,
        expires_in_seconds: ttl.as_secs(),
    }))
}
