//! `POST /api/v1/workflows/{id}/run`: runs a stored workflow now (mode `manual`).

use std::collections::HashMap;

use actix_web::{HttpResponse, post, web};
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;
use weft_engine::WorkflowDefinition;
use weft_engine::run::Item;

use crate::api::error::{ApiError, Problem};
use crate::api::executions::{ExecutionResponse, respond_to_run};
use crate::api::extract::{OptionalJsonBody, parse_id};
use crate::runner::RunRequest;
use crate::state::AppState;
use crate::store;

/// Optional run settings; an empty body runs the workflow from its start node.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunBody {
    /// Items the start node emits (`{json: …}` or plain objects); one empty item by default.
    #[schema(value_type = Option<Vec<Object>>)]
    pub items: Option<Vec<Value>>,
    /// Pinned output per node name: these nodes do not run. Defaults to the workflow's pinData.
    #[schema(value_type = Option<Object>)]
    pub pin_data: Option<Map<String, Value>>,
    /// The node to start from.
    pub start_node: Option<String>,
}

fn items(list: Vec<Value>, at: &str) -> Result<Vec<Item>, ApiError> {
    list.into_iter()
        .enumerate()
        .map(|(i, v)| {
            Item::from_input(v).map_err(|e| ApiError::invalid_field(format!("{at}[{i}]"), e))
        })
        .collect()
}

/// Run a workflow
///
/// Starts a manual execution of the stored workflow. Answers 200 with the finished execution
/// (and its data) when it completes within `WEFT_RUN_WAIT_MS`, else 202 with the execution and
/// a `Location` to poll.
#[utoipa::path(
    tag = "workflows",
    params(("id" = String, Path, description = "Workflow id")),
    request_body(content = Option<RunBody>, description = "Optional"),
    responses(
        (status = 200, description = "The finished execution", body = ExecutionResponse),
        (status = 202, description = "Still running", body = ExecutionResponse,
            headers(("Location" = String, description = "Where to poll the execution"))),
        (status = 400, description = "Bad body, unknown start node or unsupported node types", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such workflow", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/workflows/{id}/run")]
pub async fn run_workflow(
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: OptionalJsonBody<RunBody>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "workflow")?;
    let stored = store::workflows::get(&state.db, id).await?;
    let definition = WorkflowDefinition::from_parts(
        &stored.name,
        stored.nodes,
        stored.connections,
        stored.settings,
    )
    .map_err(|e| ApiError::Internal(format!("workflow {id}: {e:?}")))?;
    let body = body.0;
    let pinned = body
        .pin_data
        .or_else(|| stored.pin_data.and_then(|p| p.as_object().cloned()))
        .unwrap_or_default();
    let mut pin_data = HashMap::new();
    for (node, list) in pinned {
        let Value::Array(list) = list else {
            return Err(ApiError::invalid_field(
                format!("pinData[{node:?}]"),
                "must be an array of items",
            ));
        };
        pin_data.insert(node.clone(), items(list, &format!("pinData[{node:?}]"))?);
    }
    let start_items = body.items.map(|list| items(list, "items")).transpose()?;
    let (started, handle) = state
        .runner
        .start(RunRequest {
            parent: None,
            workflow_id: id,
            mode: crate::store::executions::ExecutionMode::Manual,
            retry_of: None,
            definition,
            pin_data,
            start_node: body.start_node,
            items: start_items,
            static_data: stored.static_data,
            waits: crate::runner::Waits::Outcome,
            tick: None,
        })
        .await?;
    respond_to_run(&state, started, handle).await
}
