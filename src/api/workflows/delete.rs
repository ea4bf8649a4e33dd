//! `DELETE /api/v1/workflows/{id}`.

use actix_web::{HttpResponse, delete, web};

use super::dto::WorkflowResponse;
use crate::api::error::{ApiError, Problem};
use crate::api::extract::parse_id;
use crate::state::AppState;
use crate::store;

/// Delete a workflow
///
/// Deletes the workflow with its history and executions, and returns it as it was.
#[utoipa::path(
    tag = "workflows",
    params(("id" = String, Path, description = "Workflow id")),
    responses(
        (status = 200, description = "The deleted workflow", body = WorkflowResponse),
        (status = 404, description = "No such workflow", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/workflows/{id}")]
pub async fn delete_workflow(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "workflow")?;
    let deleted = store::workflows::delete(&state.db, id).await?;
    Ok(HttpResponse::Ok().json(WorkflowResponse::new(deleted, true)))
}
