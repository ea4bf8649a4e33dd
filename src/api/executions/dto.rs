//! The execution object of n8n's public API, and answering a run request (200 or 202).

use actix_web::HttpResponse;
use actix_web::http::header::LOCATION;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::api::error::ApiError;
use crate::api::time::iso;
use crate::runner::{Completion, RunError};
use crate::state::AppState;
use crate::store::executions::{self, ExecutionRecord, Status};

/// An execution as n8n's public API returns it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionResponse {
    pub id: String,
    /// True when it ended successfully.
    pub finished: bool,
    /// manual, webhook, trigger, retry, integrated.
    pub mode: String,
    /// new, running, success, error, canceled, waiting, crashed.
    pub status: String,
    pub retry_of: Option<String>,
    pub retry_success_id: Option<String>,
    pub started_at: String,
    pub stopped_at: Option<String>,
    pub workflow_id: String,
    pub wait_till: Option<String>,
    /// How many times a worker started it (more than one after a worker died mid-run or
    /// `settings.retry` ran it again).
    pub attempts: u32,
    /// When `settings.retry` runs it again (while it waits to).
    pub next_attempt_at: Option<String>,
    /// With `includeData=true`: `{resultData: {runData, lastNodeExecuted, error?}}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub data: Option<Value>,
}

impl ExecutionResponse {
    pub fn new(r: ExecutionRecord, data: Option<Value>) -> Self {
        Self {
            id: r.id.to_string(),
            finished: r.status == Status::Success,
            mode: r.mode.as_str().into(),
            status: r.status.as_str().to_owned(),
            retry_of: r.retry_of.map(|u| u.to_string()),
            retry_success_id: r.retry_success_id.map(|u| u.to_string()),
            started_at: iso(r.started_at),
            stopped_at: r.stopped_at.map(iso),
            workflow_id: r.workflow_id.to_string(),
            wait_till: r.wait_till.map(iso),
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at.map(iso),
            data,
        }
    }

    /// The execution with its data, read from the store.
    pub async fn with_data(state: &AppState, r: ExecutionRecord) -> Result<Self, ApiError> {
        let data = executions::get_data(&state.db, r.id).await?.result;
        Ok(Self::new(r, Some(data.unwrap_or(Value::Null))))
    }
}

/// A page of executions.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionList {
    pub data: Vec<ExecutionResponse>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct IncludeData {
    /// Include the run data.
    #[serde(default)]
    pub include_data: bool,
}

impl From<RunError> for ApiError {
    fn from(err: RunError) -> Self {
        match err {
            RunError::Invalid(m) => ApiError::BadRequest(m),
            RunError::Store(e) => e.into(),
        }
    }
}

/// Waits up to the configured time for a started execution: 200 with the finished execution
/// and its data, or 202 with the execution so far and a `Location` to poll.
pub async fn respond_to_run(
    state: &AppState,
    started: ExecutionRecord,
    completion: Completion,
) -> Result<HttpResponse, ApiError> {
    let location = format!("/api/v1/executions/{}", started.id);
    match tokio::time::timeout(state.run_wait, completion.outcome()).await {
        Ok(Ok(finished)) => Ok(HttpResponse::Ok().json(ExecutionResponse::new(
            finished.record.clone(),
            finished.data.clone(),
        ))),
        Ok(Err(e)) => Err(ApiError::Internal(format!("execution {}: {e}", started.id))),
        Err(_) => {
            let now = executions::get(&state.db, started.id)
                .await
                .unwrap_or(started);
            Ok(HttpResponse::Accepted()
                .insert_header((LOCATION, location))
                .json(ExecutionResponse::new(now, None)))
        }
    }
}
