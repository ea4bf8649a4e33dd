//! Who runs executions: each worker process reports its busy and total slots to Redis every
//! few seconds; `GET /api/v1/queue` lists those seen in the last 30 s.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::bus::Bus;
use crate::runner::Runner;

/// How often a worker reports.
const EVERY: Duration = Duration::from_secs(5);
/// Workers not heard from for this long are not listed.
const SEEN_WITHIN_MS: i64 = 30_000;
/// Entries older than this are removed.
const FORGET_AFTER_MS: i64 = 600_000;

/// One worker's report.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Seen {
    pub id: String,
    pub busy: u32,
    pub slots: u32,
    pub seen_at_ms: i64,
}

fn report(runner: &Runner) -> Seen {
    Seen {
        id: runner.worker_id().to_owned(),
        busy: runner.busy() as u32,
        slots: runner.slots() as u32,
        seen_at_ms: chrono::Utc::now().timestamp_millis(),
    }
}

/// Reports this worker every few seconds (spawn it).
pub async fn heartbeat(runner: Arc<Runner>, bus: Arc<Bus>) {
    let key = bus.key("workers");
    loop {
        let seen = report(&runner);
        let sent = async {
            let mut conn = bus.conn().await?;
            redis::cmd("HSET")
                .arg(&key)
                .arg(&seen.id)
                .arg(serde_json::to_string(&seen).unwrap_or_default())
                .query_async::<i64>(&mut conn)
                .await
        };
        if let Err(e) = sent.await {
            tracing::warn!(error = %e, "this worker's report could not be sent");
        }
        tokio::time::sleep(EVERY).await;
    }
}

/// The workers seen lately: from Redis in queue mode, else this process.
pub async fn seen(runner: &Runner, bus: Option<&Bus>) -> Vec<Seen> {
    let (Some(bus), Some(crate::queue::Queue::Streams(_))) = (bus, runner.queue()) else {
        return vec![report(runner)];
    };
    let key = bus.key("workers");
    let Ok(mut conn) = bus.conn().await else {
        return Vec::new();
    };
    let all: Vec<(String, String)> = redis::cmd("HGETALL")
        .arg(&key)
        .query_async(&mut conn)
        .await
        .unwrap_or_default();
    let now = chrono::Utc::now().timestamp_millis();
    let mut out = Vec::new();
    for (id, text) in all {
        match serde_json::from_str::<Seen>(&text) {
            Ok(seen) if now - seen.seen_at_ms <= SEEN_WITHIN_MS => out.push(seen),
            Ok(seen) if now - seen.seen_at_ms <= FORGET_AFTER_MS => {}
            _ => {
                let _ = redis::cmd("HDEL")
                    .arg(&key)
                    .arg(&id)
                    .query_async::<i64>(&mut conn)
                    .await;
            }
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}
