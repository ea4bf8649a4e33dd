//! Answering a call from an execution an earlier call with the same `Idempotency-Key` started,
//! when that call's process died before answering: the caller gets the answer the first call
//! would have had, once the execution ends (up to the run wait), and the workflow does not run
//! a second time.

use std::time::{Duration, Instant};

use actix_web::HttpResponse;
use uuid::Uuid;

use super::respond::{self, ResponseMode, Target};
use crate::state::AppState;
use crate::store::{self, StoreError, executions::Status};

/// How often the execution's row is read while it runs (a rare path: takeovers only).
const POLL: Duration = Duration::from_millis(200);

pub async fn answer(state: &AppState, target: &Target, id: Uuid) -> HttpResponse {
    let code = respond::response_code(&target.params);
    if target.response_mode == ResponseMode::OnReceived {
        return respond::started(code);
    }
    let deadline = Instant::now() + state.run_wait;
    loop {
        if target.response_mode == ResponseMode::ResponseNode
            && let Some(sent) = state.runner.notices().published_response(id).await
        {
            return respond::node_response(sent);
        }
        let record = match store::executions::get(&state.db, id).await {
            Ok(record) => record,
            Err(StoreError::NotFound { .. }) => {
                // Deleted since (by hand, or its save settings keep no such execution): what it
                // answered cannot be told, and running it again is what the key forbids.
                tracing::warn!(execution = %id, "an idempotent call's execution is gone");
                return respond::error_in_workflow();
            }
            Err(e) => {
                tracing::error!(error = %e, execution = %id, "an idempotent call's execution could not be read");
                return respond::error_in_workflow();
            }
        };
        // `new` also while a retry of it waits for its next attempt.
        if !matches!(record.status, Status::New | Status::Running) {
            return match target.response_mode {
                // Sent just before the end, after the look above.
                ResponseMode::ResponseNode => {
                    match state.runner.notices().published_response(id).await {
                        Some(sent) => respond::node_response(sent),
                        None => respond::ended_without_response(record.status),
                    }
                }
                _ => {
                    let data = match store::executions::get_data(&state.db, id).await {
                        Ok(data) => data.result,
                        Err(e) => {
                            tracing::error!(error = %e, execution = %id, "an idempotent call's run data could not be read");
                            return respond::error_in_workflow();
                        }
                    };
                    respond::last_node_answer(
                        code,
                        target.response_data,
                        record.status,
                        data.as_ref(),
                    )
                }
            };
        }
        if Instant::now() >= deadline {
            return respond::still_running(id);
        }
        tokio::time::sleep(POLL).await;
    }
}
