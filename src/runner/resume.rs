//! Resuming waiting executions: at their time (an in-process timer, set again at start-up) or
//! when their waiting webhook is called. Each is claimed back to `running` exactly once, so a
//! timer and a call racing for the same execution resume it once.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use uuid::Uuid;
use weft_engine::run::{Item, Paused};

use super::Runner;
use crate::queue::Priority;
use crate::store::StoreError;
use crate::store::executions::{self, ExecutionRecord, Status, StoredRequest};

#[derive(Debug, thiserror::Error)]
pub enum ResumeError {
    #[error("the execution is {0}, not waiting")]
    NotWaiting(&'static str),
    #[error("the execution waits for a time, not for a call")]
    NotForCalls,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn corrupt(id: Uuid, what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("waiting execution {id}: {what}"))
}

impl Runner {
    /// Resumes waiting execution `id`: with `call` (the items of the webhook call that resumed
    /// it) or, when `None`, with the items its waiting node held. The execution goes back to
    /// `new` with the resume recorded in its run request, and is queued like any other.
    pub async fn resume(
        self: &Arc<Self>,
        id: Uuid,
        call: Option<Vec<Item>>,
    ) -> Result<(ExecutionRecord, super::Completion), ResumeError> {
        let record = executions::get(&self.db, id).await?;
        if record.status != Status::Waiting {
            return Err(ResumeError::NotWaiting(record.status.as_str()));
        }
        let data = executions::get_data(&self.db, id).await?;
        let mut state = data.result.ok_or_else(|| corrupt(id, "no saved state"))?;
        let paused: Paused = serde_json::from_value(state["executionData"]["weftPaused"].take())
            .map_err(|e| corrupt(id, e))?;
        if call.is_some() && !paused.suspend.webhook {
            return Err(ResumeError::NotForCalls);
        }
        let (_, request) = executions::get_request(&self.db, id).await?;
        let request = request.unwrap_or_else(|| StoredRequest {
            start_node: paused.node.clone(),
            ..Default::default()
        });
        if !executions::claim_waiting(&self.db, id, request, call).await? {
            let now = executions::get(&self.db, id).await?;
            return Err(ResumeError::NotWaiting(now.status.as_str()));
        }
        self.enqueue(id, Priority::Normal).await;
        Ok((record, super::Completion::none()))
    }

    /// Resumes `id` at `till` (at once if that has passed), unless something resumed it first.
    pub(super) fn schedule(self: &Arc<Self>, id: Uuid, till: DateTime<Utc>) {
        let runner = self.clone();
        tokio::spawn(async move {
            let wait = (till - Utc::now()).to_std().unwrap_or_default();
            tokio::time::sleep(wait).await;
            match runner.resume(id, None).await {
                Ok(_) | Err(ResumeError::NotWaiting(_)) => {}
                Err(e) => {
                    tracing::warn!(execution = %id, error = %e, "resuming a waiting execution failed")
                }
            }
        });
    }

    /// Sets the timers of every waiting execution that resumes at a time (at start-up).
    pub async fn reschedule_waiting(self: &Arc<Self>) -> Result<usize, StoreError> {
        let timed = executions::timed(&self.db).await?;
        for (id, till) in &timed {
            self.schedule(*id, *till);
        }
        Ok(timed.len())
    }

    /// Resumes the waiting executions whose time passed more than `grace` ago (their timer's
    /// process stopped); returns how many. Resuming is a conditional claim, so several
    /// processes doing it at once resume each one once.
    pub async fn resume_overdue(
        self: &Arc<Self>,
        grace: chrono::Duration,
    ) -> Result<usize, StoreError> {
        let mut resumed = 0;
        for (id, till) in executions::timed(&self.db).await? {
            if till + grace >= Utc::now() {
                continue;
            }
            match self.resume(id, None).await {
                Ok(_) => resumed += 1,
                Err(ResumeError::NotWaiting(_)) => {}
                Err(e) => {
                    tracing::warn!(error = %e, execution = %id, "an overdue waiting execution could not be resumed")
                }
            }
        }
        Ok(resumed)
    }
}
