//! Where a run's outcome and its Respond to Webhook response reach whoever waits for them. A
//! waiter registers by execution id before the run is queued; the runner delivers to it in
//! this process, or, when the waiter is in another process (queue mode), publishes on Redis
//! and keeps a copy for a few minutes, so a waiter whose subscription was down still finds it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::{oneshot, watch};
use uuid::Uuid;
use weft_engine::run::{ResponseSink, WebhookResponse};

use super::completion::{Completion, CompletionError, Outcome};
use super::outcome::Completed;
use crate::bus::Bus;

/// How long a published notice's copy is kept for a waiter that missed the message, at least.
const KEEP_COPY_SECS: u64 = 300;
/// How often a waiter in queue mode looks for the copy (in case the message never came).
pub(super) const RECHECK: Duration = Duration::from_millis(500);

/// A notice on the wire.
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
enum Notice {
    Outcome {
        id: Uuid,
        outcome: Result<Completed, String>,
    },
    Response {
        id: Uuid,
        response: WebhookResponse,
    },
}

#[derive(Default)]
pub struct Notices {
    outcomes: Mutex<HashMap<Uuid, watch::Sender<Option<Outcome>>>>,
    responses: Mutex<HashMap<Uuid, oneshot::Sender<WebhookResponse>>>,
    bus: OnceLock<Arc<Bus>>,
    /// How long copies are kept, when longer than `KEEP_COPY_SECS`.
    keep: OnceLock<u64>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Notices {
    /// Registers a waiter for the outcome of `id`.
    pub fn expect_outcome(self: &Arc<Self>, id: Uuid) -> Completion {
        let (sender, receiver) = watch::channel(None);
        let mut waiting = lock(&self.outcomes);
        if waiting.len() >= 1024 {
            // Waiters that gave up (timed out) leave their entry behind.
            waiting.retain(|_, s| !s.is_closed());
        }
        waiting.insert(id, sender);
        Completion::new(receiver, self.recheck(id))
    }

    /// Registers a waiter for the Respond to Webhook response of `id`.
    pub fn expect_response(self: &Arc<Self>, id: Uuid) -> ResponseWait {
        let (sender, receiver) = oneshot::channel();
        let mut waiting = lock(&self.responses);
        if waiting.len() >= 1024 {
            waiting.retain(|_, s| !s.is_closed());
        }
        waiting.insert(id, sender);
        ResponseWait {
            receiver,
            open: true,
            recheck: self.recheck(id),
        }
    }

    fn recheck(self: &Arc<Self>, id: Uuid) -> Option<(Arc<Bus>, Uuid)> {
        self.bus.get().map(|bus| (bus.clone(), id))
    }

    /// Delivers the outcome of `id` to its waiter here, or publishes it when one elsewhere may
    /// wait (`published`).
    pub async fn outcome(&self, id: Uuid, outcome: Outcome, published: bool) {
        // No response comes after the outcome: a waiter for one here learns it now.
        lock(&self.responses).remove(&id);
        let waiter = lock(&self.outcomes).remove(&id);
        if let Some(waiter) = waiter {
            let _ = waiter.send(Some(outcome));
            return;
        }
        if published && let Some(bus) = self.bus.get() {
            let outcome = outcome.map(|c| (*c).clone()).map_err(|e| e.0);
            publish(bus, &Notice::Outcome { id, outcome }, self.keep_secs()).await;
        }
    }

    /// Delivers a response to its waiter here; `false` if none waits here.
    fn respond_here(&self, id: Uuid, response: WebhookResponse) -> Result<(), WebhookResponse> {
        let waiter = lock(&self.responses).remove(&id);
        match waiter {
            Some(waiter) => waiter.send(response),
            None => Err(response),
        }
    }

    /// A sink for the Respond to Webhook node of execution `id`; `published` when the waiter
    /// may be in another process.
    pub fn sink(self: &Arc<Self>, id: Uuid, published: bool) -> Arc<dyn ResponseSink> {
        Arc::new(Sink {
            notices: self.clone(),
            id,
            published,
            sent: std::sync::atomic::AtomicBool::new(false),
            handle: tokio::runtime::Handle::current(),
        })
    }

    /// Keeps published copies for at least `time` (a call taking over an idempotency claim
    /// reads the response of the execution it follows from the copy, up to twice the run wait
    /// plus a minute after the first call).
    pub fn keep_copies_for(&self, time: Duration) {
        let _ = self.keep.set(time.as_secs().max(KEEP_COPY_SECS));
    }

    fn keep_secs(&self) -> u64 {
        self.keep.get().copied().unwrap_or(KEEP_COPY_SECS)
    }

    /// The Respond to Webhook response execution `id` published, while its copy is kept (for
    /// a call that answers from an execution another call started).
    pub async fn published_response(&self, id: Uuid) -> Option<WebhookResponse> {
        let text = find_copy(self.bus.get()?, id, "response").await?;
        match serde_json::from_str::<Notice>(&text).ok()? {
            Notice::Response { response, .. } => Some(response),
            Notice::Outcome { .. } => None,
        }
    }

    /// Follows the notices other processes publish (once, at start-up, with Redis).
    pub fn listen(self: &Arc<Self>, bus: Arc<Bus>) {
        let notices = Arc::downgrade(self);
        bus.listen("notices", move |message| {
            let (Some(notices), Ok(notice)) =
                (notices.upgrade(), serde_json::from_str::<Notice>(&message))
            else {
                return;
            };
            notices.receive(notice);
        });
        let _ = self.bus.set(bus);
    }

    /// Publishes through `bus` without following it (a worker: nobody waits there).
    pub fn publish_through(&self, bus: Arc<Bus>) {
        let _ = self.bus.set(bus);
    }

    fn receive(&self, notice: Notice) {
        match notice {
            Notice::Outcome { id, outcome } => {
                lock(&self.responses).remove(&id);
                if let Some(waiter) = lock(&self.outcomes).remove(&id) {
                    let _ = waiter.send(Some(outcome.map(Arc::new).map_err(CompletionError)));
                }
            }
            Notice::Response { id, response } => {
                let _ = self.respond_here(id, response);
            }
        }
    }
}

fn copy_key(bus: &Bus, id: Uuid, kind: &str) -> String {
    bus.key(&format!("notice:{id}:{kind}"))
}

/// Keeps a copy, then publishes (a waiter that misses the message finds the copy).
async fn publish(bus: &Bus, notice: &Notice, keep: u64) {
    let (id, kind) = match notice {
        Notice::Outcome { id, .. } => (*id, "outcome"),
        Notice::Response { id, .. } => (*id, "response"),
    };
    let Ok(text) = serde_json::to_string(notice) else {
        return;
    };
    let sent = async {
        let mut conn = bus.conn().await?;
        redis::pipe()
            .cmd("SET")
            .arg(copy_key(bus, id, kind))
            .arg(&text)
            .arg("EX")
            .arg(keep)
            .ignore()
            .cmd("PUBLISH")
            .arg(bus.key("notices"))
            .arg(&text)
            .ignore()
            .query_async::<()>(&mut conn)
            .await
    };
    if let Err(e) = sent.await {
        tracing::warn!(error = %e, execution = %id, "a run's {kind} could not be published");
    }
}

/// Looks for the kept copy of a notice.
pub(super) async fn find_copy(bus: &Bus, id: Uuid, kind: &str) -> Option<String> {
    let mut conn = bus.conn().await.ok()?;
    redis::cmd("GET")
        .arg(copy_key(bus, id, kind))
        .query_async::<Option<String>>(&mut conn)
        .await
        .ok()
        .flatten()
}

/// The outcome found in a kept copy.
pub(super) async fn outcome_copy(bus: &Bus, id: Uuid) -> Option<Outcome> {
    let text = find_copy(bus, id, "outcome").await?;
    match serde_json::from_str::<Notice>(&text).ok()? {
        Notice::Outcome { outcome, .. } => Some(outcome.map(Arc::new).map_err(CompletionError)),
        Notice::Response { .. } => None,
    }
}

/// A Respond to Webhook node's way to its waiter.
struct Sink {
    notices: Arc<Notices>,
    id: Uuid,
    published: bool,
    sent: std::sync::atomic::AtomicBool,
    /// The server's runtime (the node runs on an engine thread with a runtime of its own).
    handle: tokio::runtime::Handle,
}

impl ResponseSink for Sink {
    fn respond(&self, response: WebhookResponse) -> bool {
        if self.sent.swap(true, std::sync::atomic::Ordering::SeqCst) {
            return false;
        }
        let response = match self.notices.respond_here(self.id, response) {
            Ok(()) => return true,
            Err(response) => response,
        };
        let Some(bus) = self.notices.bus.get().filter(|_| self.published).cloned() else {
            return false;
        };
        let notice = Notice::Response {
            id: self.id,
            response,
        };
        // Published before the run goes on, so it precedes the run's outcome on the channel.
        let (done, wait) = std::sync::mpsc::channel();
        let keep = self.notices.keep_secs();
        self.handle.spawn(async move {
            publish(&bus, &notice, keep).await;
            let _ = done.send(());
        });
        let _ = wait.recv_timeout(Duration::from_secs(5));
        true
    }
}

/// A waiter for a Respond to Webhook response.
pub struct ResponseWait {
    receiver: oneshot::Receiver<WebhookResponse>,
    /// Whether the receiver may still get one (its sender is dropped when the run ends here).
    open: bool,
    recheck: Option<(Arc<Bus>, Uuid)>,
}

impl ResponseWait {
    /// The response, if it came; `None` if it has not (yet).
    pub async fn try_take(&mut self) -> Option<WebhookResponse> {
        if self.open {
            match self.receiver.try_recv() {
                Ok(response) => return Some(response),
                Err(oneshot::error::TryRecvError::Closed) => self.open = false,
                Err(oneshot::error::TryRecvError::Empty) => {}
            }
        }
        let (bus, id) = self.recheck.as_ref()?;
        let text = find_copy(bus, *id, "response").await?;
        match serde_json::from_str::<Notice>(&text).ok()? {
            Notice::Response { response, .. } => Some(response),
            Notice::Outcome { .. } => None,
        }
    }

    /// Waits for the response (forever: bound it with a timeout or race it with the outcome).
    pub async fn wait(&mut self) -> WebhookResponse {
        loop {
            if self.open {
                let got = match self.recheck {
                    None => Ok((&mut self.receiver).await),
                    Some(_) => tokio::time::timeout(RECHECK, &mut self.receiver).await,
                };
                match got {
                    Ok(Ok(response)) => return response,
                    Ok(Err(_)) => self.open = false,
                    Err(_) => {}
                }
            } else if self.recheck.is_some() {
                tokio::time::sleep(RECHECK).await;
            } else {
                std::future::pending::<()>().await;
            }
            if let Some(response) = self.try_take().await {
                return response;
            }
        }
    }
}
