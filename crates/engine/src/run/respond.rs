//! The webhook response a Respond to Webhook node hands back while its execution goes on.

use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::oneshot;

/// What the caller of a webhook receives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: ResponseBody,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ResponseBody {
    Json(Value),
    Text(String),
    /// Raw bytes (a binary property of an item).
    Bytes(Vec<u8>),
    Empty,
}

/// Where a Respond to Webhook node's response goes: to a handler in this process, or (later)
/// across a process boundary to the one holding the caller's connection.
pub trait ResponseSink: Send + Sync {
    /// Delivers the response; `false` if one was already delivered or nobody waits for it.
    fn respond(&self, response: WebhookResponse) -> bool;
}

/// A sink for a handler in this process: a one-time channel; the first response wins, and the
/// handler learns that none will come when the run drops its responder.
struct Oneshot(Mutex<Option<oneshot::Sender<WebhookResponse>>>);

impl ResponseSink for Oneshot {
    fn respond(&self, response: WebhookResponse) -> bool {
        let sender = self.0.lock().ok().and_then(|mut s| s.take());
        sender.is_some_and(|s| s.send(response).is_ok())
    }
}

/// A run's way to the waiting webhook request (none for runs nobody waits on).
#[derive(Clone, Default)]
pub struct Responder(Option<Arc<dyn ResponseSink>>);

impl std::fmt::Debug for Responder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Responder(waiting)"
        } else {
            "Responder(none)"
        })
    }
}

impl Responder {
    /// A responder and the receiver the webhook handler waits on.
    pub fn channel() -> (Self, oneshot::Receiver<WebhookResponse>) {
        let (tx, rx) = oneshot::channel();
        (Self::to(Arc::new(Oneshot(Mutex::new(Some(tx))))), rx)
    }

    /// A responder delivering to `sink`.
    pub fn to(sink: Arc<dyn ResponseSink>) -> Self {
        Self(Some(sink))
    }

    /// Sends the response; `false` if one was already sent or nobody waits for it.
    pub fn respond(&self, response: WebhookResponse) -> bool {
        self.0.as_ref().is_some_and(|sink| sink.respond(response))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16) -> WebhookResponse {
        WebhookResponse {
            status,
            headers: Vec::new(),
            body: ResponseBody::Empty,
        }
    }

    #[tokio::test]
    async fn the_first_response_wins_and_a_dropped_run_tells_the_waiter_none_will_come() {
        let (responder, waiting) = Responder::channel();
        assert!(responder.respond(response(201)));
        assert!(!responder.respond(response(202)));
        assert_eq!(waiting.await.unwrap().status, 201);
        let (responder, waiting) = Responder::channel();
        drop(responder);
        assert!(waiting.await.is_err());
        assert!(!Responder::default().respond(response(200)));
    }

    #[test]
    fn another_sink_receives_what_the_node_sends() {
        struct Count(std::sync::atomic::AtomicUsize);
        impl ResponseSink for Count {
            fn respond(&self, _: WebhookResponse) -> bool {
                self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                true
            }
        }
        let sink = Arc::new(Count(Default::default()));
        assert!(Responder::to(sink.clone()).respond(response(200)));
        assert_eq!(sink.0.load(std::sync::atomic::Ordering::SeqCst), 1);
    }
}
