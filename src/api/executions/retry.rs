//! `POST /api/v1/executions/{id}/retry`: runs a failed execution's workflow snapshot again.

use std::collections::HashMap;

use actix_web::{HttpResponse, post, web};
use weft_engine::{WorkflowDefinition, WorkflowDraft};

use super::dto::{ExecutionResponse, respond_to_run};
use crate::api::error::{ApiError, Problem};
use crate::api::extract::parse_id;
use crate::runner::RunRequest;
use crate::state::AppState;
use crate::store::executions::{self, Status};

/// Retry an execution
///
/// Only an execution that ended `error`, `crashed` or `canceled` can be retried. The new
/// execution (mode `retry`, `retryOf` the original) runs the workflow as it was then; when it
/// succeeds, the original's `retrySuccessId` points to it. Answers like a run request: 200 when it
/// finished in time, else 202 with a `Location`.
#[utoipa::path(
    tag = "executions",
    params(("id" = String, Path, description = "Execution id")),
    responses(
        (status = 200, description = "The retry, finished", body = ExecutionResponse),
        (status = 202, description = "The retry is still running", body = ExecutionResponse),
        (status = 404, description = "No such execution", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The execution did not fail", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/executions/{id}/retry")]
pub async fn retry_execution(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "execution")?;
    let original = executions::get(&state.db, id).await?;
    if !matches!(
        original.status,
        Status::Error | Status::Crashed | Status::Canceled
    ) {
        return Err(ApiError::Conflict(format!(
            "only failed executions can be retried; this one is {}",
            original.status.as_str()
        )));
    }
    let snapshot = executions::get_data(&state.db, id).await?.workflow;
    let definition = serde_json::from_value::<WorkflowDraft>(snapshot)
        .map_err(|e| ApiError::Internal(format!("execution {id} snapshot: {e}")))
        .and_then(|d| {
            WorkflowDefinition::try_from(d)
                .map_err(|e| ApiError::Internal(format!("execution {id} snapshot: {e:?}")))
        })?;
    let (started, handle) = state
        .runner
        .start(RunRequest {
            parent: None,
            workflow_id: original.workflow_id,
            mode: crate::store::executions::ExecutionMode::Retry,
            retry_of: Some(id),
            definition,
            pin_data: HashMap::new(),
            start_node: None,
            items: None,
            static_data: None,
            waits: crate::runner::Waits::Outcome,
            tick: None,
        })
        .await?;
    respond_to_run(&state, started, handle).await
}
