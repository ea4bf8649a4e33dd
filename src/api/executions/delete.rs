//! `DELETE /api/v1/executions/{id}`.

use actix_web::{HttpResponse, delete, web};

use super::dto::ExecutionResponse;
use crate::api::error::{ApiError, Problem};
use crate::api::extract::parse_id;
use crate::state::AppState;
use crate::store::executions;

/// Delete an execution
///
/// Deletes the execution and its data; returns it as it was. A running execution is stopped first.
#[utoipa::path(
    tag = "executions",
    params(("id" = String, Path, description = "Execution id")),
    responses(
        (status = 200, description = "The deleted execution", body = ExecutionResponse),
        (status = 404, description = "No such execution", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/executions/{id}")]
pub async fn delete_execution(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "execution")?;
    state.runner.stop(id).await?;
    let deleted = executions::delete(&state.db, id).await?;
    Ok(HttpResponse::Ok().json(ExecutionResponse::new(deleted, None)))
}
