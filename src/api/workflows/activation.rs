//! `POST /api/v1/workflows/{id}/activate|deactivate` and their n8n 2.x names `publish|unpublish`.

use actix_web::{HttpResponse, post, web};

use weft_engine::WorkflowDefinition;

use super::dto::{WorkflowResponse, check_credentials, check_supported};
use crate::api::error::{ApiError, Problem};
use crate::api::extract::parse_id;
use crate::state::AppState;
use crate::store;

async fn set_active(state: &AppState, id: &str, active: bool) -> Result<HttpResponse, ApiError> {
    let id = parse_id(id, "workflow")?;
    let mut checked = None;
    if active {
        let stored = store::workflows::get(&state.db, id).await?;
        let def = WorkflowDefinition::from_parts(
            &stored.name,
            stored.nodes,
            stored.connections,
            stored.settings,
        )
        .map_err(ApiError::invalid_workflow)?;
        check_supported(&def, state.runner.registry())?;
        let owner = store::access::workflow_owner(&state.db, id).await?;
        check_credentials(state, &def, owner).await?;
        checked = Some(def);
    }
    let wf = store::workflows::set_active(&state.db, id, active).await?;
    let answer = WorkflowResponse::new(wf, true);
    Ok(match checked {
        Some(def) => answer.warn_about(&def, state.runner.registry()),
        None => answer,
    }
    .ok())
}

/// Activate a workflow
///
/// Makes its triggers live. Refused with 400 when the workflow has no enabled trigger node
/// (Webhook, Schedule, Execute Workflow Trigger, Error Trigger, an app trigger; a Manual Trigger
/// alone does not count), or when it calls a stored workflow that is not active (as n8n 2
/// refuses to publish it).
#[utoipa::path(
    tag = "workflows",
    params(("id" = String, Path, description = "Workflow id")),
    responses(
        (status = 200, description = "The active workflow", body = WorkflowResponse),
        (status = 400, description = "The workflow has no trigger node, calls a workflow that is not active, or uses node types this server does not support", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such workflow", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/workflows/{id}/activate")]
pub async fn activate_workflow(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    set_active(&state, &id, true).await
}

/// Publish a workflow
///
/// n8n 2.x name for activate; same behaviour.
#[utoipa::path(
    tag = "workflows",
    params(("id" = String, Path, description = "Workflow id")),
    responses(
        (status = 200, description = "The active workflow", body = WorkflowResponse),
        (status = 400, description = "The workflow has no trigger node, or uses node types this server does not support", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such workflow", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/workflows/{id}/publish")]
pub async fn publish_workflow(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    set_active(&state, &id, true).await
}

/// Deactivate a workflow
///
/// Stops its triggers. Deactivating an inactive workflow is not an error.
#[utoipa::path(
    tag = "workflows",
    params(("id" = String, Path, description = "Workflow id")),
    responses(
        (status = 200, description = "The inactive workflow", body = WorkflowResponse),
        (status = 404, description = "No such workflow", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/workflows/{id}/deactivate")]
pub async fn deactivate_workflow(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    set_active(&state, &id, false).await
}

/// Unpublish a workflow
///
/// n8n 2.x name for deactivate; same behaviour.
#[utoipa::path(
    tag = "workflows",
    params(("id" = String, Path, description = "Workflow id")),
    responses(
        (status = 200, description = "The inactive workflow", body = WorkflowResponse),
        (status = 404, description = "No such workflow", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/workflows/{id}/unpublish")]
pub async fn unpublish_workflow(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    set_active(&state, &id, false).await
}
