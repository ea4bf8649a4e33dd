//! Running the workflow for a webhook call and answering per the Webhook node's response mode:
//! `onReceived` (at once) or `lastNode` (the last node's items, when the run finishes).

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use serde_json::{Value, json};
use weft_engine::WorkflowDefinition;
use weft_engine::run::Item;

use super::answer;
use crate::api::state::AppState;
use crate::runner::RunRequest;
use crate::store;
use crate::store::executions::Status;
use crate::store::webhooks::WebhookMatch;

fn error_in_workflow() -> HttpResponse {
    HttpResponse::InternalServerError().json(json!({"message": "Error in workflow"}))
}

pub async fn run(state: &AppState, route: &WebhookMatch, item: Item) -> HttpResponse {
    let stored = match store::workflows::get(&state.db, route.workflow_id).await {
        Ok(w) => w,
        Err(e) => {
            tracing::error!(error = %e, "webhook workflow load failed");
            return error_in_workflow();
        }
    };
    let definition = match WorkflowDefinition::from_parts(
        &stored.name,
        stored.nodes,
        stored.connections,
        stored.settings,
    ) {
        Ok(d) => d,
        Err(e) => {
            tracing::error!(issues = ?e, "stored workflow is invalid");
            return error_in_workflow();
        }
    };
    let node = definition
        .nodes()
        .iter()
        .find(|n| n.name == route.node)
        .cloned();
    let params = node
        .as_ref()
        .map(|n| n.parameters.clone())
        .unwrap_or(Value::Null);
    let mode = params
        .get("responseMode")
        .and_then(Value::as_str)
        .unwrap_or("onReceived")
        .to_owned();
    let code = params
        .pointer("/options/responseCode")
        .and_then(Value::as_u64)
        .and_then(|c| StatusCode::from_u16(c as u16).ok())
        .unwrap_or(StatusCode::OK);
    let started = state
        .runner
        .start(RunRequest {
            workflow_id: route.workflow_id,
            mode: "webhook",
            retry_of: None,
            definition,
            pin_data: Default::default(),
            start_node: Some(route.node.clone()),
            items: Some(vec![item]),
            static_data: stored.static_data,
        })
        .await;
    let (record, handle) = match started {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "webhook execution could not start");
            return error_in_workflow();
        }
    };
    if mode != "lastNode" {
        return HttpResponse::build(code).json(json!({"message": "Workflow was started"}));
    }
    let finished = match tokio::time::timeout(state.run_wait, handle).await {
        Ok(Ok(Ok(f))) => f,
        Ok(_) => return error_in_workflow(),
        Err(_) => {
            return answer(
                StatusCode::GATEWAY_TIMEOUT,
                format!("The workflow is still running (execution {})", record.id),
                None,
            );
        }
    };
    if finished.status != Status::Success {
        return error_in_workflow();
    }
    let data = store::executions::get_data(&state.db, finished.id)
        .await
        .ok()
        .and_then(|d| d.result);
    let result = data.as_ref().map(|d| &d["resultData"]);
    let last = result
        .and_then(|r| r["lastNodeExecuted"].as_str())
        .unwrap_or_default();
    let items = result
        .and_then(|r| r["runData"][last].as_array())
        .and_then(|runs| runs.last())
        .map(|run| run["data"]["main"][0].clone())
        .unwrap_or(Value::Array(Vec::new()));
    let jsons: Vec<Value> = items
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| i["json"].clone())
        .collect();
    match params
        .get("responseData")
        .and_then(Value::as_str)
        .unwrap_or("firstEntryJson")
    {
        "noResponseBody" => HttpResponse::build(code).finish(),
        "allEntries" => HttpResponse::build(code).json(jsons),
        _ => HttpResponse::build(code).json(jsons.into_iter().next().unwrap_or_else(|| json!({}))),
    }
}
