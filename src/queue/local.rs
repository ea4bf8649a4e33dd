//! The in-process queue of regular mode: two channels (high and normal priority) that this
//! process's worker drains, as an apalis backend. Jobs due later wait on a timer; an execution
//! whose job is lost with the process is found again from its row.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use apalis_core::backend::finalize::Ephemeral;
use apalis_core::backend::{Backend, BackendConfig};
use apalis_core::task::Task;
use apalis_core::task::builder::TaskBuilder;
use apalis_core::worker::context::WorkerContext;
use chrono::{DateTime, Utc};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::{Depth, Job, Priority, QueueError};

struct Receivers {
    high: mpsc::UnboundedReceiver<Uuid>,
    normal: mpsc::UnboundedReceiver<Uuid>,
}

/// The sending side (cloned into the runner) and the receiving side (the worker's backend).
#[derive(Clone)]
pub struct LocalQueue {
    high: mpsc::UnboundedSender<Uuid>,
    normal: mpsc::UnboundedSender<Uuid>,
    /// Ids queued and not yet taken, and those waiting on a timer.
    queued: Arc<Mutex<HashSet<Uuid>>>,
    delayed: Arc<std::sync::atomic::AtomicU64>,
    receivers: Arc<Mutex<Receivers>>,
}

impl Default for LocalQueue {
    fn default() -> Self {
        let (high, high_rx) = mpsc::unbounded_channel();
        let (normal, normal_rx) = mpsc::unbounded_channel();
        Self {
            high,
            normal,
            queued: Default::default(),
            delayed: Default::default(),
            receivers: Arc::new(Mutex::new(Receivers {
                high: high_rx,
                normal: normal_rx,
            })),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl LocalQueue {
    pub fn push(
        &self,
        id: Uuid,
        priority: Priority,
        due: Option<DateTime<Utc>>,
    ) -> Result<(), QueueError> {
        lock(&self.queued).insert(id);
        if let Some(due) = due.filter(|d| *d > Utc::now()) {
            let queue = self.clone();
            queue
                .delayed
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            tokio::spawn(async move {
                let wait = (due - Utc::now()).to_std().unwrap_or_default();
                tokio::time::sleep(wait).await;
                queue
                    .delayed
                    .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
                let _ = queue.normal.send(id);
            });
            return Ok(());
        }
        let sender = match priority {
            Priority::High => &self.high,
            Priority::Normal => &self.normal,
        };
        sender.send(id).map_err(|_| QueueError::Closed)
    }

    pub(super) fn missing(&self, ids: &[Uuid]) -> Vec<Uuid> {
        let queued = lock(&self.queued);
        ids.iter()
            .filter(|id| !queued.contains(id))
            .copied()
            .collect()
    }

    pub(super) fn depth(&self) -> Depth {
        let delayed = self.delayed.load(std::sync::atomic::Ordering::Relaxed);
        let queued = lock(&self.queued).len() as u64;
        Depth {
            waiting: queued.saturating_sub(delayed),
            delayed,
            taken: 0,
        }
    }

    /// The backend a worker of this process drains.
    pub fn backend(&self) -> LocalBackend {
        LocalBackend {
            queue: self.clone(),
        }
    }
}

/// The receiving side as an apalis backend.
#[derive(Clone)]
pub struct LocalBackend {
    queue: LocalQueue,
}

impl Backend for LocalBackend {
    type Task = Task<Job>;
    type Error = QueueError;

    fn poll_ready(
        &mut self,
        _: &mut Context<'_>,
        _: &WorkerContext,
    ) -> Poll<Result<(), QueueError>> {
        Poll::Ready(Ok(()))
    }

    fn poll_next(
        &mut self,
        cx: &mut Context<'_>,
        _: &WorkerContext,
    ) -> Poll<Option<Result<Task<Job>, QueueError>>> {
        let mut receivers = lock(&self.queue.receivers);
        let next = match receivers.high.poll_recv(cx) {
            Poll::Ready(id) => Poll::Ready(id),
            Poll::Pending => receivers.normal.poll_recv(cx),
        };
        match next {
            Poll::Ready(Some(id)) => {
                lock(&self.queue.queued).remove(&id);
                let job = Job {
                    execution_id: id,
                    entry: None,
                };
                Poll::Ready(Some(Ok(TaskBuilder::new(job).build())))
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn poll_close(
        &mut self,
        _: &mut Context<'_>,
        _: &WorkerContext,
    ) -> Poll<Result<(), QueueError>> {
        Poll::Ready(Ok(()))
    }
}

impl BackendConfig for LocalBackend {
    type Args = Job;
    type Id = Uuid;
    type Kind = Ephemeral;
    type Config = ();
    type Layer = tower_layer::Identity;

    fn config(&self) -> &() {
        &()
    }

    fn middleware(&mut self, _: &mut WorkerContext) -> Self::Layer {
        tower_layer::Identity::new()
    }
}
