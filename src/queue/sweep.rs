//! Regular mode on Postgres, where several processes may share the database and each runs its
//! own executions: every process sweeps every `WEFT_RECONCILE_EVERY_MS` for what a process that
//! died left behind. A `running` execution whose lease lapsed ends `crashed` with a reason (as
//! n8n marks them; its side effects may have happened, so it does not run again) and its error
//! workflow runs; a `new` one nobody started for a minute runs here (it had not begun, and the
//! claim lets only one process take it); a waiting one whose time passed is resumed. Every
//! change is a conditional update, so several processes sweeping at once do each thing once.

use std::sync::Arc;
use std::time::Duration;

use super::Priority;
use super::local::LocalQueue;
use crate::runner::Runner;
use crate::store::executions;

/// How long a `new` execution may wait for its process before another takes it.
const STALE_NEW: Duration = Duration::from_secs(60);
/// How late a waiting execution may be before another process resumes it.
const OVERDUE: chrono::Duration = chrono::Duration::seconds(30);

pub const CRASH_REASON: &str =
    "The server running this execution stopped while it ran, so it did not finish";

/// Runs sweeps forever (spawn it).
pub async fn run(runner: Arc<Runner>, local: LocalQueue, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        if let Err(e) = sweep(&runner, &local).await {
            tracing::warn!(error = %e, "a sweep for executions left by stopped processes failed");
        }
    }
}

/// One sweep; returns how many executions it crashed, queued and resumed.
pub async fn sweep(
    runner: &Arc<Runner>,
    local: &LocalQueue,
) -> anyhow::Result<(usize, usize, usize)> {
    let db = runner.db();
    let mut did = (0, 0, 0);
    for (id, _) in executions::expired(db, 500).await? {
        if executions::crash_expired(db, id, CRASH_REASON).await? {
            did.0 += 1;
            tracing::warn!(execution = %id, "an execution whose server stopped ended crashed");
            runner.error_workflow_of_stored(id).await;
        }
    }
    let stale = executions::stale_new(db, STALE_NEW, 500).await?;
    // Not those already queued here (a retry waiting for its time, say).
    let ids: Vec<_> = stale.iter().map(|(id, _)| *id).collect();
    let missing = local.missing(&ids);
    for (id, due) in stale.into_iter().filter(|(id, _)| missing.contains(id)) {
        local.push(id, Priority::Normal, due)?;
        did.1 += 1;
    }
    did.2 = runner.resume_overdue(OVERDUE).await?;
    Ok(did)
}
