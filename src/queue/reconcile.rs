//! The reconciler: makes the queue agree with the database, which is the truth. One process at
//! a time does it (a Redis lock with a deadline; every change it makes is a conditional update
//! anyway, so two at once would only do the work twice). Each round it
//! - puts `running` executions whose lease lapsed (their worker died) back to `new` and queues
//!   them again, or ends them `crashed` after `max_attempts` starts;
//! - queues `new` executions the queue has no job for (a push that failed, a flushed Redis);
//! - resumes waiting executions whose time passed while no process held their timer.

use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;

use super::{Priority, Queue};
use crate::bus::Bus;
use crate::runner::Runner;
use crate::store::executions;

/// How the reconciler works.
#[derive(Debug, Clone)]
pub struct ReconcileSettings {
    /// Time between rounds.
    pub every: Duration,
    /// Starts after which an execution whose worker died ends `crashed` (`WEFT_MAX_ATTEMPTS`).
    pub max_attempts: u32,
    /// How old a `new` execution must be before its missing job is made again.
    pub grace: Duration,
}

// Takes or keeps the lock if free or already ours.
static LOCK: std::sync::LazyLock<redis::Script> = std::sync::LazyLock::new(|| {
    redis::Script::new(
        r"local v = redis.call('GET', KEYS[1])
          if v == false or v == ARGV[1] then
            redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]))
            return 1
          end
          return 0",
    )
});

/// Runs rounds forever (spawn it).
pub async fn run(runner: Arc<Runner>, bus: Arc<Bus>, queue: Queue, settings: ReconcileSettings) {
    let key = bus.key("reconciler");
    loop {
        tokio::time::sleep(settings.every).await;
        let held = async {
            let mut conn = bus.conn().await?;
            LOCK.key(&key)
                .arg(runner.worker_id())
                .arg((settings.every * 3).as_millis() as u64)
                .invoke_async::<i64>(&mut conn)
                .await
        };
        match held.await {
            Ok(1) => {}
            Ok(_) => continue,
            Err(e) => {
                tracing::warn!(error = %e, "the reconciler lock could not be read");
                continue;
            }
        }
        if let Err(e) = round(&runner, &queue, &settings).await {
            tracing::warn!(error = %e, "a reconciler round failed");
        }
    }
}

/// One round; returns what it did.
pub async fn round(
    runner: &Arc<Runner>,
    queue: &Queue,
    settings: &ReconcileSettings,
) -> anyhow::Result<Reconciled> {
    let db = runner.db();
    let mut did = Reconciled::default();
    for (id, attempts) in executions::expired(db, 500).await? {
        if u32::try_from(attempts).unwrap_or(0) >= settings.max_attempts {
            let message = format!(
                "The worker running this execution stopped responding {attempts} times \
                 (WEFT_MAX_ATTEMPTS = {})",
                settings.max_attempts
            );
            if executions::crash_expired(db, id, &message).await? {
                did.crashed += 1;
                tracing::warn!(execution = %id, attempts, "an execution whose workers kept dying ended crashed");
                runner.error_workflow_of_stored(id).await;
            }
        } else if executions::requeue_expired(db, id).await? {
            queue.push(id, Priority::Normal).await?;
            did.requeued += 1;
            tracing::warn!(execution = %id, attempts, "an execution whose worker died was queued again");
        }
    }
    let stale = executions::stale_new(db, settings.grace, 1000).await?;
    let ids: Vec<Uuid> = stale.iter().map(|(id, _)| *id).collect();
    let missing = queue.missing(&ids).await?;
    for (id, due) in stale.into_iter().filter(|(id, _)| missing.contains(id)) {
        match due {
            Some(due) if due > chrono::Utc::now() => queue.push_at(id, due).await?,
            _ => queue.push(id, Priority::Normal).await?,
        }
        did.queued += 1;
    }
    if did.queued > 0 {
        tracing::warn!(
            executions = did.queued,
            "executions without a job were queued again"
        );
    }
    did.resumed = runner
        .resume_overdue(chrono::Duration::from_std(settings.grace).unwrap_or_default())
        .await?;
    Ok(did)
}

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Reconciled {
    pub requeued: usize,
    pub crashed: usize,
    pub queued: usize,
    pub resumed: usize,
}
