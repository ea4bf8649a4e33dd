//! `n8n-nodes-base.httpRequest` v1–v4.5: one pooled client for the process, the SSRF guard on
//! every address and redirect hop, a circuit breaker per host, pagination, n8n's request and
//! response shapes and its errors, by version (v1/v2's parameters rewritten in [`legacy`]).

mod auth;
pub mod breaker;
mod errors;
pub mod guard;
mod legacy;
mod paginate;
mod qs;
mod request;
mod response;
mod send;

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};
use weft_engine::OnError;
use weft_engine::run::{Item, NodeContext, NodeError, NodeFuture, NodeType};

use self::breaker::Breakers;
use self::guard::{Allowlist, Guard, GuardedResolver};
use self::paginate::Pagination;
use self::request::Prepared;
use crate::util::paired;

/// Largest response body the node reads into an execution.
const MAX_RESPONSE_BYTES: usize = 64 << 20;

/// What the operator configures for outgoing requests.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Internal destinations requests may reach despite the SSRF guard.
    pub allow: Allowlist,
    /// Consecutive failures that open a host's breaker.
    pub breaker_failures: u32,
    /// How long an open breaker refuses requests before a trial.
    pub breaker_cooldown: Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            allow: Allowlist::default(),
            breaker_failures: 5,
            breaker_cooldown: Duration::from_secs(30),
        }
    }
}

pub struct HttpRequest {
    client: reqwest::Client,
    insecure: std::sync::OnceLock<reqwest::Client>,
    guard: Arc<Guard>,
    breakers: Arc<Breakers>,
}

fn client(guard: &Arc<Guard>, insecure: bool) -> reqwest::Client {
    // One process-wide crypto provider; installing it twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .dns_resolver(Arc::new(GuardedResolver(guard.clone())))
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(32)
        .pool_idle_timeout(Duration::from_secs(90))
        .connect_timeout(Duration::from_secs(30))
        .user_agent("weft")
        .tls_danger_accept_invalid_certs(insecure)
        .build()
        .expect("the HTTP client builds with static settings")
}

impl HttpRequest {
    pub fn new(settings: &HttpSettings) -> Self {
        let guard = Arc::new(Guard {
            allow: settings.allow.clone(),
        });
        Self {
            client: client(&guard, false),
            insecure: std::sync::OnceLock::new(),
            guard,
            breakers: Arc::new(Breakers::new(
                settings.breaker_failures,
                settings.breaker_cooldown,
            )),
        }
    }

    /// The per-host breakers (their states are what operators watch).
    pub fn breakers(&self) -> Arc<Breakers> {
        self.breakers.clone()
    }
}

impl NodeType for HttpRequest {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.httpRequest"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0, 2.0, 3.0, 4.0, 4.1, 4.2, 4.3, 4.4, 4.5]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let version = ctx.node.type_version.as_f64().unwrap_or(4.0);
            let mut out = Vec::new();
            let auth = auth::load(&ctx).await?;
            let never_error = ctx
                .node
                .parameters
                .pointer("/options/response/response/neverError")
                .and_then(Value::as_bool)
                == Some(true);
            let pagination = Pagination::of(&ctx.node.parameters, never_error)?;
            // Pagination's own expressions are evaluated per request, not with the rest.
            let mut unpaged = ctx.node.parameters.clone();
            if let Some(Value::Object(o)) = unpaged.get_mut("options") {
                o.remove("pagination");
            }
            let items = ctx.items();
            for (i, item) in items.iter().enumerate() {
                let p = ctx.resolve(&unpaged, i)?;
                request::refuse_proxy(&p).map_err(|e| at(e, i))?;
                // v1/v2: batching only when both options were added, as n8n does.
                let legacy_batch = (version < 3.0)
                    .then(|| p.get("options"))
                    .flatten()
                    .filter(|o| o.get("batchSize").is_some() && o.get("batchInterval").is_some())
                    .cloned();
                let (p, shape) = if version < 3.0 {
                    match legacy::translate(&p) {
                        Ok((v3, shape)) => (v3, Some(shape)),
                        Err(e) => return Err(at(e, i)),
                    }
                } else {
                    (p, None)
                };
                let options = p.get("options").cloned().unwrap_or(Value::Null);
                if let Some(batch) = options.pointer("/batching/batch").or(legacy_batch.as_ref()) {
                    let size = batch
                        .get("batchSize")
                        .and_then(Value::as_u64)
                        .unwrap_or(50)
                        .max(1) as usize;
                    let pause = batch
                        .get("batchInterval")
                        .and_then(Value::as_u64)
                        .unwrap_or(1000);
                    if i > 0 && i % size == 0 && pause > 0 {
                        ctx.clock.sleep(Duration::from_millis(pause)).await;
                    }
                }
                let result = match request::prepare(&p, item, version.max(3.0)) {
                    Ok(mut prepared) => {
                        if let Some(auth) = &auth {
                            auth.apply(&mut prepared);
                        }
                        match &shape {
                            Some(shape) => {
                                self.fetch_legacy(prepared, &options, shape, item, i).await
                            }
                            None => {
                                self.fetch(
                                    &ctx,
                                    pagination.as_ref(),
                                    prepared,
                                    &options,
                                    version,
                                    i,
                                )
                                .await
                            }
                        }
                    }
                    Err(e) => Err(Failure::Build(e)),
                };
                let continues = ctx.node.on_error() != OnError::StopWorkflow;
                match result {
                    Ok(items) => out.extend(items),
                    // With "continue" on error, each failed request becomes an error item, as in n8n.
                    Err(Failure::Build(e)) if continues => {
                        out.push(paired(Item::from_value(json!({ "error": e.message })), i));
                    }
                    Err(Failure::Send(e)) if continues => {
                        let mut error = Map::new();
                        error.insert("message".into(), Value::String(e.message));
                        if let Some(d) = e.description {
                            error.insert("description".into(), Value::String(d));
                        }
                        out.push(paired(Item::from_value(json!({ "error": error })), i));
                    }
                    Err(Failure::Status(answer)) if continues => {
                        out.push(response::status_error_item(&answer, version, i));
                    }
                    Err(Failure::Build(e) | Failure::Send(e)) => return Err(at(e, i)),
                    Err(Failure::Status(answer)) => {
                        return Err(at(response::status_error(&answer), i));
                    }
                }
            }
            Ok(Some(vec![out]))
        })
    }
}

fn at(e: NodeError, i: usize) -> NodeError {
    NodeError {
        item_index: Some(i),
        ..e
    }
}

/// Why one item's request gave no items.
pub(crate) enum Failure {
    /// Its parameters do not make a request.
    Build(NodeError),
    /// It could not be sent or answered.
    Send(NodeError),
    /// It was answered with an error status.
    Status(Answer),
}

impl From<NodeError> for Failure {
    fn from(e: NodeError) -> Self {
        Self::Send(e)
    }
}

impl HttpRequest {
    /// The items for a v1/v2 node's request for input item `item` (index `i`).
    async fn fetch_legacy(
        &self,
        prepared: Prepared,
        options: &Value,
        shape: &legacy::Shape,
        item: &Item,
        i: usize,
    ) -> Result<Vec<Item>, Failure> {
        let answer = self.send(prepared, options, 3.0).await?;
        if response::fails(&answer, options) {
            return Err(Failure::Status(answer));
        }
        legacy::items(answer, shape, item, i).map_err(Failure::Send)
    }

    /// The items for item `i`'s request: one answer, or every page when paginating.
    async fn fetch(
        &self,
        ctx: &NodeContext<'_>,
        pagination: Option<&Pagination>,
        prepared: Prepared,
        options: &Value,
        version: f64,
        i: usize,
    ) -> Result<Vec<Item>, Failure> {
        let Some(pagination) = pagination else {
            let answer = self
                .send(prepared, options, version)
                .await
                .map_err(Failure::Send)?;
            if response::fails(&answer, options) {
                return Err(Failure::Status(answer));
            }
            return response::items(answer, options, i).map_err(Failure::Send);
        };
        let pages = self
            .paginate(ctx, pagination, prepared, options, version, i)
            .await?;
        let mut out = Vec::new();
        for page in pages {
            // Only the page that ended paging can be an error answer, and n8n outputs it.
            out.extend(response::items(page, options, i).map_err(Failure::Send)?);
        }
        Ok(out)
    }
}

/// A response as received: status, headers, body bytes.
pub struct Answer {
    pub status: reqwest::StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
    /// Where the answer came from (after redirects).
    pub url: reqwest::Url,
}
