//! Recording how a run ended, honouring the workflow's save settings.

use serde_json::{Map, Value, json};
use uuid::Uuid;
use weft_engine::run::{ExecutionResult, ExecutionStatus};

use crate::db::Db;
use crate::store::StoreError;
use crate::store::executions::{self, ExecutionMode, ExecutionRecord, Status};

/// Whether the workflow's settings ask to keep an execution that ended this way.
fn keep(settings: &Map<String, Value>, mode: ExecutionMode, status: Status) -> bool {
    let setting = |key: &str| settings.get(key).and_then(Value::as_str);
    if mode == ExecutionMode::Manual
        && settings.get("saveManualExecutions") == Some(&Value::Bool(false))
    {
        return false;
    }
    match status {
        Status::Success => setting("saveDataSuccessExecution") != Some("none"),
        Status::Error | Status::Crashed => setting("saveDataErrorExecution") != Some("none"),
        _ => true,
    }
}

/// Which execution ended, of which workflow, how it was started and under which settings.
pub struct Finished<'a> {
    pub id: Uuid,
    pub workflow_id: Uuid,
    pub mode: ExecutionMode,
    pub settings: &'a Map<String, Value>,
    /// The worker that ran it (the outcome is written only while it holds the lease).
    pub holder: &'a str,
    /// How many times `settings.retry` ran it again before this run.
    pub retries_done: u32,
}

/// A random number in [0, 1) for retry jitter.
fn unit() -> f64 {
    getrandom::u64().map_or(0.5, |r| (r >> 11) as f64 / (1u64 << 53) as f64)
}

/// A finished execution and the data it was recorded with (also when settings kept none).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Completed {
    pub record: ExecutionRecord,
    /// `{resultData: …}`; `None` when another runner had claimed the execution.
    pub data: Option<Value>,
}

/// Writes the final status and run data (or deletes the execution if settings say not to
/// keep it), keeps static data a production run changed, and returns the finished execution;
/// `None` when the worker no longer held the execution (another one took it over).
pub async fn record(
    db: &Db,
    run: Finished<'_>,
    result: Result<ExecutionResult, String>,
) -> Result<Option<Completed>, StoreError> {
    let Finished {
        id,
        workflow_id,
        mode,
        settings,
        holder,
        retries_done,
    } = run;
    let (status, data) = match result {
        Ok(r) if r.status == ExecutionStatus::Waiting && r.paused.is_some() => {
            // Paused: keep the state a resume needs; save settings apply when it finishes.
            let paused = r.paused.expect("checked above");
            let wait_till = paused
                .suspend
                .wait_till
                .and_then(chrono::DateTime::<chrono::Utc>::from_timestamp_millis);
            let state = json!({
                "resultData": r.result_data,
                "executionData": { "weftPaused": paused },
            });
            if !executions::pause(db, id, holder, wait_till, &state).await? {
                return Ok(None);
            }
            return Ok(Some(Completed {
                record: executions::get(db, id).await?,
                data: Some(state),
            }));
        }
        Ok(r) => {
            // n8n keeps static data only from production runs (triggers and webhooks).
            if let (Some(changed), true) = (&r.static_data, mode.is_production()) {
                crate::store::workflows::save_static_data(db, workflow_id, changed).await?;
            }
            let status = match r.status {
                ExecutionStatus::Success => Status::Success,
                ExecutionStatus::Error => Status::Error,
                ExecutionStatus::Canceled => Status::Canceled,
                ExecutionStatus::Waiting => Status::Waiting,
            };
            match (status, r.failed_at) {
                // A node failed it: where a retry starts is kept with it.
                (Status::Error, Some(failed_at)) => (
                    status,
                    json!({
                        "resultData": r.result_data,
                        "executionData": { "weftRetryFrom": failed_at },
                    }),
                ),
                _ => (status, json!({ "resultData": r.result_data })),
            }
        }
        Err(crash) => (
            Status::Crashed,
            json!({ "resultData": { "runData": {}, "error": { "message": crash, "name": "WorkflowCrashed" } } }),
        ),
    };
    if status == Status::Error
        && let Ok(Some(policy)) = weft_engine::workflow::retry_policy(settings)
        && retries_done + 1 < policy.max_attempts
    {
        // Run again later through the queue's delayed set: the wait holds no worker.
        let delay = policy.delay(retries_done, unit());
        let due = chrono::Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default();
        if !executions::schedule_retry(db, id, holder, due, &data).await? {
            return Ok(None);
        }
        return Ok(Some(Completed {
            record: executions::get(db, id).await?,
            data: Some(data),
        }));
    }
    if !executions::finish(db, id, Some(holder), status, &data).await? {
        return Ok(None);
    }
    let finished = executions::get(db, id).await?;
    // A successful retry is marked on the execution it retried, wherever it ran.
    if status == Status::Success
        && let Some(original) = finished.retry_of
    {
        executions::set_retry_success(db, original, id).await?;
    }
    if !keep(settings, mode, status) {
        executions::delete(db, id).await?;
    }
    Ok(Some(Completed {
        record: finished,
        data: Some(data),
    }))
}
