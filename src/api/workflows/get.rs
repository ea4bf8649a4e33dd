//! `GET /api/v1/workflows/{id}`.

use actix_web::{HttpResponse, get, web};

use super::dto::{ReadParams, WorkflowResponse};
use crate::api::error::{ApiError, Problem};
use crate::api::extract::parse_id;
use crate::state::AppState;
use crate::store;

/// Get a workflow
///
/// Returns the workflow with its nodes, connections and settings exactly as saved. The
/// `ETag` header carries its `versionId` for `If-Match` on a later `PUT`.
#[utoipa::path(
    tag = "workflows",
    params(("id" = String, Path, description = "Workflow id"), ReadParams),
    responses(
        (status = 200, description = "The workflow", body = WorkflowResponse,
            headers(("ETag" = String, description = "The versionId, quoted"))),
        (status = 400, description = "Bad query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such workflow", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/workflows/{id}")]
pub async fn get_workflow(
    state: web::Data<AppState>,
    id: web::Path<String>,
    params: web::Query<ReadParams>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "workflow")?;
    let wf = store::workflows::get(&state.db, id).await?;
    Ok(WorkflowResponse::new(wf, !params.exclude_pinned_data).ok())
}
