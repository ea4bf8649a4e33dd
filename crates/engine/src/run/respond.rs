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

/// The one-time channel to the waiting webhook request; the first response wins.
#[derive(Debug, Clone, Default)]
pub struct Responder(Arc<Mutex<Option<oneshot::Sender<WebhookResponse>>>>);

impl Responder {
    /// A responder and the receiver the webhook handler waits on.
    pub fn channel() -> (Self, oneshot::Receiver<WebhookResponse>) {
        let (tx, rx) = oneshot::channel();
        (Self(Arc::new(Mutex::new(Some(tx)))), rx)
    }

    /// Sends the response; `false` if one was already sent or nobody waits for it.
    pub fn respond(&self, response: WebhookResponse) -> bool {
        let sender = self.0.lock().ok().and_then(|mut s| s.take());
        sender.is_some_and(|s| s.send(response).is_ok())
    }
}
