//! Stop requests, whichever instance takes them: the instance running the execution flags it
//! at once; another one keeps a copy of the request in Redis for ten minutes and publishes it.
//! Every instance follows the messages and, while it runs executions, also looks for copies
//! twice a second, so a stop published while its subscription was down (starting, or
//! reconnecting) still arrives.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use uuid::Uuid;

use super::Runner;
use crate::bus::Bus;
use crate::store::StoreError;
use crate::store::executions::{self, ExecutionRecord};

/// How long a stop request's copy is kept (longer than any lease, so a run taken over by
/// another worker after a crash still finds it).
const KEEP_COPY_SECS: u64 = 600;
/// How often an instance running executions looks for copies of stop requests.
const RECHECK: Duration = Duration::from_millis(500);

/// The key of the copy of a stop request for execution `id`.
pub fn stop_key(bus: &Bus, id: Uuid) -> String {
    bus.key(&format!("stop:{id}"))
}

impl Runner {
    /// Lets stop requests reach this instance's executions from every instance on the bus.
    pub fn share_stops(self: &Arc<Self>, bus: Arc<Bus>) {
        let runner = Arc::downgrade(self);
        bus.listen("stops", move |message| {
            if let (Some(runner), Ok(id)) = (runner.upgrade(), Uuid::try_parse(&message)) {
                runner.stop_here(id);
            }
        });
        let runner = Arc::downgrade(self);
        let copies = bus.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(RECHECK).await;
                let Some(runner) = runner.upgrade() else {
                    return;
                };
                runner.stop_copied(&copies).await;
            }
        });
        let _ = self.stops.set(bus);
    }

    /// Flags the executions running here whose stop request has a copy (one round trip).
    async fn stop_copied(&self, bus: &Bus) {
        let running: Vec<Uuid> = self
            .lock_cancels()
            .iter()
            .filter(|(_, flag)| !flag.load(Ordering::Relaxed))
            .map(|(id, _)| *id)
            .collect();
        if running.is_empty() {
            return;
        }
        let keys: Vec<String> = running.iter().map(|id| stop_key(bus, *id)).collect();
        let found = async {
            let mut conn = bus.conn().await?;
            redis::cmd("MGET")
                .arg(&keys)
                .query_async::<Vec<Option<String>>>(&mut conn)
                .await
        };
        match found.await {
            Ok(found) => {
                for (id, copy) in running.into_iter().zip(found) {
                    if copy.is_some() {
                        self.stop_here(id);
                    }
                }
            }
            Err(e) => tracing::debug!(error = %e, "stop requests could not be looked up"),
        }
    }

    /// Flags every execution running here to stop (the process is stopping).
    pub fn stop_all_here(&self) {
        for flag in self.lock_cancels().values() {
            flag.store(true, Ordering::Relaxed);
        }
    }

    /// Flags the execution to stop if this instance is running it.
    fn stop_here(&self, id: Uuid) -> bool {
        match self.lock_cancels().get(&id) {
            Some(flag) => {
                flag.store(true, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }

    /// Asks a running execution to stop before its next node, whichever instance runs it;
    /// cancels one not yet started.
    pub async fn stop(&self, id: Uuid) -> Result<ExecutionRecord, StoreError> {
        if !self.stop_here(id)
            && let Some(bus) = self.stops.get()
            && let Err(e) = publish(bus, id).await
        {
            tracing::warn!(error = %e, execution = %id, "a stop request could not reach the other instances");
        }
        executions::cancel_if_pending(&self.db, id).await?;
        executions::get(&self.db, id).await
    }
}

/// Keeps a copy of the stop request, then publishes it.
async fn publish(bus: &Bus, id: Uuid) -> redis::RedisResult<()> {
    let mut conn = bus.conn().await?;
    redis::pipe()
        .cmd("SET")
        .arg(stop_key(bus, id))
        .arg("1")
        .arg("EX")
        .arg(KEEP_COPY_SECS)
        .ignore()
        .cmd("PUBLISH")
        .arg(bus.key("stops"))
        .arg(id.to_string())
        .ignore()
        .query_async::<()>(&mut conn)
        .await
}
