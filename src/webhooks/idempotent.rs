//! `Idempotency-Key` on webhook calls (beyond n8n): a repeat within the window starts no second
//! execution; it gets the first call's response, or 409 while that call is still answering.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpRequest, body};

use super::error::WebhookError;
use crate::state::AppState;
use crate::store::webhooks::idempotency::{self, Claim, StoredResponse};

const HEADER: &str = "idempotency-key";

/// The request's key, or the answer refusing a malformed one.
pub fn key(req: &HttpRequest) -> Result<Option<String>, WebhookError> {
    let Some(value) = req.headers().get(HEADER) else {
        return Ok(None);
    };
    match value.to_str() {
        Ok(k) if (1..=255).contains(&k.len()) && k.bytes().all(|b| (0x20..0x7f).contains(&b)) => {
            Ok(Some(k.to_owned()))
        }
        _ => Err(WebhookError::BadIdempotencyKey),
    }
}

/// What a claim of a key found.
pub enum Claimed {
    /// This call is the first: run it.
    First,
    /// A repeat of a call already answered: its stored answer.
    Repeat(Box<HttpResponse>),
    /// The first call died unanswered after starting this execution: answer from it.
    Follow(uuid::Uuid),
}

/// Claims `key` for this call.
pub async fn claim(state: &AppState, webhook: &str, key: &str) -> Result<Claimed, WebhookError> {
    // A first call is answered within the run wait (504 after it), so a claim much older than
    // that was left by a process that died mid-call.
    let abandoned_after = state.run_wait + std::time::Duration::from_secs(60);
    match idempotency::claim(
        &state.db,
        webhook,
        key,
        state.idempotency_window,
        abandoned_after,
    )
    .await
    {
        Ok(Claim::New) => Ok(Claimed::First),
        Ok(Claim::Running) => Err(WebhookError::IdempotencyRunning),
        Ok(Claim::Follow(execution)) => Ok(Claimed::Follow(execution)),
        Ok(Claim::Done(stored)) => Ok(Claimed::Repeat(Box::new(replay(stored)))),
        Err(e) => {
            tracing::error!(error = %e, "idempotency claim failed");
            Err(WebhookError::IdempotencyUnavailable)
        }
    }
}

/// Records on the claim the execution this call started (so a takeover follows it). A failure
/// is logged: the claim then behaves as before executions were recorded on it.
pub async fn attach(state: &AppState, webhook: &str, key: &str, execution: uuid::Uuid) {
    if let Err(e) = idempotency::attach(&state.db, webhook, key, execution).await {
        tracing::error!(error = %e, "idempotency: recording the execution failed");
    }
}

/// Stores the first call's response and hands it on.
pub async fn complete(
    state: &AppState,
    webhook: &str,
    key: &str,
    response: HttpResponse,
) -> HttpResponse {
    let (head, body) = response.into_parts();
    let bytes = body::to_bytes(body).await.unwrap_or_default();
    let stored = StoredResponse {
        status: head.status().as_u16(),
        headers: head
            .headers()
            .iter()
            .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect(),
        body: bytes.to_vec(),
    };
    if let Err(e) = idempotency::complete(&state.db, webhook, key, &stored).await {
        tracing::error!(error = %e, "idempotency: storing the response failed");
    }
    head.set_body(body::BoxBody::new(bytes))
}

fn replay(stored: StoredResponse) -> HttpResponse {
    let mut res =
        HttpResponse::build(StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK));
    for (name, value) in stored.headers {
        if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            res.insert_header((n, v));
        }
    }
    res.insert_header(("idempotent-replayed", "true"));
    res.body(stored.body)
}
