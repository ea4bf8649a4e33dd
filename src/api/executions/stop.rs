//! `POST /api/v1/executions/{id}/stop`.

use actix_web::{HttpResponse, post, web};

use super::dto::ExecutionResponse;
use crate::api::error::{ApiError, Problem};
use crate::api::extract::parse_id;
use crate::state::AppState;

/// Stop an execution
///
/// A running execution stops before its next node and ends `canceled`; one not started yet is
/// canceled at once. Stopping a finished execution changes nothing.
#[utoipa::path(
    tag = "executions",
    params(("id" = String, Path, description = "Execution id")),
    responses(
        (status = 200, description = "The execution after the request", body = ExecutionResponse),
        (status = 404, description = "No such execution", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/executions/{id}/stop")]
pub async fn stop_execution(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let record = state.runner.stop(parse_id(&id, "execution")?).await?;
    Ok(HttpResponse::Ok().json(ExecutionResponse::new(record, None)))
}
