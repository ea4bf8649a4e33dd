//! The execution queue: jobs carry only an execution id (the row, written first, is the
//! truth). In regular mode the queue is in this process; in queue mode it is Redis Streams,
//! consumed by `weft worker` processes. Both are apalis backends run by the same worker code.

pub mod local;
pub mod reconcile;
pub mod streams;
pub mod sweep;
pub mod worker;
pub mod workers;

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Which executions are taken first when several wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// Someone waits for it: manual runs, webhook calls answered with the run's result.
    High,
    /// Everything else: `onReceived` webhooks, sub-workflows not waited for, resumes, retries.
    Normal,
}

/// One job: run (or resume) this execution.
#[derive(Debug, Clone)]
pub struct Job {
    pub execution_id: Uuid,
    /// Where the job sits in its queue, to take it off once claimed (Redis Streams).
    pub(crate) entry: Option<streams::Entry>,
}

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("the queue is unavailable: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("the queue is closed (the server is stopping)")]
    Closed,
}

/// How many jobs are where.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Depth {
    /// Queued and due, not yet taken by a worker.
    pub waiting: u64,
    /// Due later (retries).
    pub delayed: u64,
    /// Taken by a worker and not yet claimed.
    pub taken: u64,
}

/// Where executions are queued.
#[derive(Clone)]
pub enum Queue {
    Local(local::LocalQueue),
    Streams(streams::Streams),
}

impl Queue {
    /// Queues execution `id` to run now.
    pub async fn push(&self, id: Uuid, priority: Priority) -> Result<(), QueueError> {
        match self {
            Queue::Local(q) => q.push(id, priority, None),
            Queue::Streams(q) => q.push(id, priority).await,
        }
    }

    /// Queues execution `id` to run at `due`.
    pub async fn push_at(&self, id: Uuid, due: DateTime<Utc>) -> Result<(), QueueError> {
        match self {
            Queue::Local(q) => q.push(id, Priority::Normal, Some(due)),
            Queue::Streams(q) => q.push_at(id, due).await,
        }
    }

    /// Takes a job off the queue once its execution was claimed (or could not be).
    pub async fn settle(&self, job: &Job) {
        if let (Queue::Streams(q), Some(entry)) = (self, &job.entry)
            && let Err(e) = q.settle(job.execution_id, entry).await
        {
            // Left pending, the entry comes back through XAUTOCLAIM and its claim fails then.
            tracing::warn!(error = %e, execution = %job.execution_id, "a queue entry could not be acknowledged");
        }
    }

    /// Of `ids`, those the queue holds no job for.
    pub async fn missing(&self, ids: &[Uuid]) -> Result<Vec<Uuid>, QueueError> {
        match self {
            Queue::Local(q) => Ok(q.missing(ids)),
            Queue::Streams(q) => q.missing(ids).await,
        }
    }

    pub async fn depth(&self) -> Result<Depth, QueueError> {
        match self {
            Queue::Local(q) => Ok(q.depth()),
            Queue::Streams(q) => q.depth().await,
        }
    }
}
