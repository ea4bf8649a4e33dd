//! Execution repository: rows written before a run starts, claimed, finished with their run
//! data (compressed), read, listed newest first, deleted.

mod create;
mod data;
mod lease;
mod lifecycle;
mod list;
mod mode;
mod request;
pub mod retention;
mod stats;
mod waiting;

use chrono::{DateTime, Utc};
use entity::execution;
use uuid::Uuid;

pub use create::{NewExecution, TickClaim, create};
pub use data::{ExecutionData, get_data};
pub use lease::{
    Claim, PARKED, claim, crash_expired, expired, parked, release, renew, requeue_expired,
    schedule_retry, stale_new,
};
pub use lifecycle::{cancel_if_pending, crash_orphans, delete, finish, get, set_retry_success};
pub use list::{ExecutionFilter, list, list_query, started_by_calls_since};
pub use mode::ExecutionMode;
pub use request::{ResumeCall, StoredRequest, Wants, get_request};
pub use stats::{QueueCounts, queue_counts};
pub use waiting::{claim_waiting, pause, timed};

use crate::store::StoreError;

/// An execution's state, as n8n names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    New,
    Running,
    Success,
    Error,
    Canceled,
    Waiting,
    Crashed,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::New,
        Status::Running,
        Status::Success,
        Status::Error,
        Status::Canceled,
        Status::Waiting,
        Status::Crashed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Running => "running",
            Status::Success => "success",
            Status::Error => "error",
            Status::Canceled => "canceled",
            Status::Waiting => "waiting",
            Status::Crashed => "crashed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    pub fn is_finished(self) -> bool {
        matches!(
            self,
            Status::Success | Status::Error | Status::Canceled | Status::Crashed
        )
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ExecutionRecord {
    pub id: Uuid,
    pub workflow_id: Uuid,
    pub mode: ExecutionMode,
    pub status: Status,
    pub retry_of: Option<Uuid>,
    pub retry_success_id: Option<Uuid>,
    pub started_at: DateTime<Utc>,
    pub stopped_at: Option<DateTime<Utc>>,
    pub wait_till: Option<DateTime<Utc>>,
    /// How many sub-workflow calls up the chain this execution is.
    pub call_depth: u32,
    /// How many times a worker has started it (claims, including runs after a crash).
    #[serde(default)]
    pub attempts: u32,
    /// How many times `settings.retry` has run it again after it failed.
    #[serde(default)]
    pub retry_attempts: u32,
    /// When its next attempt is due, while `settings.retry` waits to run it again.
    #[serde(default)]
    pub next_attempt_at: Option<DateTime<Utc>>,
}

impl TryFrom<execution::Model> for ExecutionRecord {
    type Error = StoreError;

    fn try_from(m: execution::Model) -> Result<Self, StoreError> {
        Ok(Self {
            status: Status::parse(&m.status).ok_or_else(|| {
                StoreError::Corrupt(format!("execution {} has status {:?}", m.id, m.status))
            })?,
            mode: ExecutionMode::parse(&m.mode).ok_or_else(|| {
                StoreError::Corrupt(format!("execution {} has mode {:?}", m.id, m.mode))
            })?,
            id: m.id,
            workflow_id: m.workflow_id,
            retry_of: m.retry_of,
            retry_success_id: m.retry_success_id,
            started_at: m.started_at,
            stopped_at: m.stopped_at,
            wait_till: m.wait_till,
            call_depth: u32::try_from(m.call_depth).unwrap_or(0),
            attempts: u32::try_from(m.attempts).unwrap_or(0),
            retry_attempts: u32::try_from(m.retry_attempts).unwrap_or(0),
            next_attempt_at: m.next_attempt_at,
        })
    }
}

fn not_found(id: Uuid) -> StoreError {
    StoreError::NotFound {
        entity: "execution",
        id: id.to_string(),
    }
}
