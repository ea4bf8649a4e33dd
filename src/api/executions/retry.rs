//! `POST /api/v1/executions/{id}/retry`: runs a failed execution's workflow snapshot again.

use std::collections::HashMap;

use actix_web::{HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use weft_engine::{WorkflowDefinition, WorkflowDraft};

use super::dto::{ExecutionResponse, respond_to_run};
use crate::api::error::{ApiError, Problem};
use crate::api::extract::{OptionalJsonBody, parse_id};
use crate::runner::RunRequest;
use crate::state::AppState;
use crate::store::executions::{self, Status};

/// Optional retry settings (n8n's).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RetryBody {
    /// Run the workflow as it is saved now instead of as it was then (n8n's `loadWorkflow`).
    #[serde(default)]
    pub load_workflow: bool,
}

/// Retry an execution
///
/// Only an execution that ended `error`, `crashed` or `canceled` can be retried. The new
/// execution (mode `retry`, `retryOf` the original) runs the workflow as it was then (or, with
/// `loadWorkflow`, as it is saved now). As in n8n, when a node failed it, the retry keeps the data
/// of the nodes that ran and runs again from the failed node with the input it had; otherwise it
/// runs from the start. When it succeeds, the original's `retrySuccessId` points to it. Answers
/// like a run request: 200 when it finished in time, else 202 with a `Location`.
#[utoipa::path(
    tag = "executions",
    params(("id" = String, Path, description = "Execution id")),
    request_body(content = Option<RetryBody>, description = "Optional"),
    responses(
        (status = 200, description = "The retry, finished", body = ExecutionResponse),
        (status = 202, description = "The retry is still running", body = ExecutionResponse),
        (status = 400, description = "A malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such execution", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The execution did not fail", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/executions/{id}/retry")]
pub async fn retry_execution(
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: OptionalJsonBody<RetryBody>,
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
    let definition = if body.0.load_workflow {
        let stored = crate::store::workflows::get(&state.db, original.workflow_id).await?;
        WorkflowDefinition::from_parts(
            &stored.name,
            stored.nodes,
            stored.connections,
            stored.settings,
        )
        .map_err(|e| ApiError::Internal(format!("workflow {}: {e:?}", original.workflow_id)))?
    } else {
        let snapshot = executions::get_data(&state.db, id).await?.workflow;
        serde_json::from_value::<WorkflowDraft>(snapshot)
            .map_err(|e| ApiError::Internal(format!("execution {id} snapshot: {e}")))
            .and_then(|d| {
                WorkflowDefinition::try_from(d)
                    .map_err(|e| ApiError::Internal(format!("execution {id} snapshot: {e:?}")))
            })?
    };
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
