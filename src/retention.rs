//! Retention, as n8n's execution pruning: finished executions older than
//! `EXECUTIONS_DATA_MAX_AGE` or beyond the newest `EXECUTIONS_DATA_PRUNE_MAX_COUNT` are marked
//! deleted every soft-delete interval (hidden from the API at once) and removed for good, data
//! first, every hard-delete interval once marked longer than `EXECUTIONS_DATA_HARD_DELETE_BUFFER`
//! ago; never `new`, `running` or `waiting` ones. Small batches keep statements short; on Postgres
//! an advisory lock lets one process at a time do a batch, and the tables are vacuumed after rows
//! were removed so their space is reused instead of growing.

use std::time::Duration;

use chrono::Utc;

use crate::config::RetentionConfig;
use crate::db::Db;
use crate::store::{StoreError, executions::retention, schedules};

/// Rows per batch.
const BATCH: u64 = 500;
/// Schedule tick claims are kept this long (each rule's newest for ever).
const KEEP_TICKS: chrono::Duration = chrono::Duration::days(1);

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    pub marked: u64,
    pub removed: u64,
}

fn ago(d: Duration) -> chrono::DateTime<Utc> {
    Utc::now() - chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX / 2)
}

/// Marks what is past the limits, batch after batch; `0` when another process is at it.
pub async fn mark(db: &Db, config: &RetentionConfig) -> Result<u64, StoreError> {
    let older_than = Some(ago(config.max_age));
    let keep = (config.max_count > 0).then_some(config.max_count);
    let mut marked = 0;
    while let Some(n) = retention::mark_deleted(db, older_than, keep, BATCH).await? {
        marked += n;
        if n < BATCH {
            break;
        }
        tokio::task::yield_now().await;
    }
    Ok(marked)
}

/// Removes what was marked longer ago than the buffer, batch after batch, then lets the space
/// be reused.
pub async fn remove(db: &Db, config: &RetentionConfig) -> Result<u64, StoreError> {
    let before = ago(config.hard_delete_buffer);
    let mut removed = 0;
    while let Some(n) = retention::remove_deleted(db, before, BATCH).await? {
        removed += n;
        if n < BATCH {
            break;
        }
        tokio::task::yield_now().await;
    }
    schedules::prune(db, Utc::now() - KEEP_TICKS).await?;
    if removed > 0 {
        retention::reclaim(db).await?;
    }
    Ok(removed)
}

/// Both passes now (the `executions:prune` command, tests).
pub async fn prune_now(db: &Db, config: &RetentionConfig) -> Result<Pruned, StoreError> {
    Ok(Pruned {
        marked: mark(db, config).await?,
        removed: remove(db, config).await?,
    })
}

/// Runs the passes on their intervals forever (spawn it); the first ones come one interval
/// after start-up, as in n8n.
pub async fn run(db: Db, config: RetentionConfig) {
    let start = tokio::time::Instant::now();
    let mut next_mark = start + config.soft_delete_every;
    let mut next_remove = start + config.hard_delete_every;
    loop {
        tokio::time::sleep_until(next_mark.min(next_remove)).await;
        let now = tokio::time::Instant::now();
        if now >= next_mark {
            match mark(&db, &config).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    executions = n,
                    "executions past the retention limits marked deleted"
                ),
                Err(e) => tracing::warn!(error = %e, "retention: marking failed"),
            }
            next_mark = now + config.soft_delete_every;
        }
        if now >= next_remove {
            match remove(&db, &config).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(executions = n, "executions marked deleted removed"),
                Err(e) => tracing::warn!(error = %e, "retention: removing failed"),
            }
            next_remove = now + config.hard_delete_every;
        }
    }
}
