//! `GET /api/v1/queue`: counts by state, the oldest waiting execution's age and the workers
//! seen lately, with their busy and total slots (what a Kubernetes HPA on queue depth reads).

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::error::{ApiError, Problem};
use crate::state::AppState;
use crate::store::executions;

/// The queue's state.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QueueStatus {
    /// `regular` or `queue` (`EXECUTIONS_MODE`).
    pub mode: String,
    /// Jobs queued and due, not yet taken by a worker.
    pub waiting: u64,
    /// Jobs due later (`settings.retry` waits).
    pub delayed: u64,
    /// Executions running now.
    pub active: u64,
    /// Executions that ended `error` or `crashed` in the last hour.
    pub failed: u64,
    /// Age of the oldest execution waiting to start, in milliseconds (none waiting: null).
    pub oldest_waiting_ms: Option<u64>,
    /// Workers seen in the last 30 seconds.
    pub workers: Vec<WorkerStatus>,
}

/// One worker process.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkerStatus {
    pub id: String,
    /// Executions it runs now.
    pub busy: u32,
    /// Executions it runs at once at most.
    pub slots: u32,
    /// How long ago it last reported, in milliseconds.
    pub seen_ms_ago: u64,
}

/// Queue status
///
/// Counts by state, the oldest waiting execution's age and the workers seen in the last 30 s.
/// The owner and admins only.
#[utoipa::path(
    tag = "executions",
    responses(
        (status = 200, description = "The queue's state", body = QueueStatus),
        (status = 503, description = "Redis or the database is unreachable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/queue")]
pub async fn queue_status(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let runner = &state.runner;
    let depth = match runner.queue() {
        Some(queue) => queue.depth().await.map_err(|e| {
            tracing::warn!(error = %e, "the queue's depth could not be read");
            ApiError::Unavailable("the queue is unreachable".into())
        })?,
        None => Default::default(),
    };
    let now = chrono::Utc::now();
    let counts = executions::queue_counts(&state.db, now - chrono::Duration::hours(1)).await?;
    let workers = crate::queue::workers::seen(runner, state.redis.as_deref())
        .await
        .into_iter()
        .map(|w| WorkerStatus {
            id: w.id,
            busy: w.busy,
            slots: w.slots,
            seen_ms_ago: u64::try_from((now.timestamp_millis() - w.seen_at_ms).max(0)).unwrap_or(0),
        })
        .collect();
    Ok(HttpResponse::Ok().json(QueueStatus {
        mode: if matches!(runner.queue(), Some(crate::queue::Queue::Streams(_))) {
            "queue".into()
        } else {
            "regular".into()
        },
        waiting: depth.waiting + depth.taken,
        delayed: depth.delayed,
        active: counts.running,
        failed: counts.failed,
        oldest_waiting_ms: counts
            .oldest_waiting
            .map(|t| u64::try_from((now - t).num_milliseconds().max(0)).unwrap_or(0)),
        workers,
    }))
}
