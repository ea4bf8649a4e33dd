//! `n8n-nodes-base.httpRequest` v3–v4.2: one pooled client for the process, the SSRF guard on
//! every address and redirect hop, a circuit breaker per host, n8n's response shapes and errors.

mod auth;
pub mod breaker;
pub mod guard;
mod request;
mod response;

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, LOCATION};
use serde_json::Value;
use weft_engine::OnError;
use weft_engine::run::{NodeContext, NodeError, NodeFuture, NodeType};

use self::breaker::Breakers;
use self::guard::{Allowlist, Guard, GuardedResolver};
use self::request::{Body, PartValue, Prepared};

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
        &[3.0, 4.0, 4.1, 4.2]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let mut out = Vec::new();
            let auth = auth::load(&ctx).await?;
            let items = ctx.items();
            for (i, item) in items.iter().enumerate() {
                let p = ctx.parameters(i)?;
                let options = p.get("options").cloned().unwrap_or(Value::Null);
                if let Some(batch) = options.pointer("/batching/batch") {
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
                if options.get("pagination").is_some_and(|v| !v.is_null()) {
                    return Err(NodeError::new("Pagination is not supported by this server yet")
                        .with_description("Loop with Split in Batches or an IF node over the next page instead"));
                }
                let at = |e: NodeError| NodeError {
                    item_index: Some(i),
                    ..e
                };
                let prepared = request::prepare(&p, item).map(|mut prepared| {
                    if let Some(auth) = &auth {
                        auth.apply(&mut prepared);
                    }
                    prepared
                });
                let result = match prepared {
                    Ok(prepared) => match self.send(prepared, &options).await {
                        Ok(answer) => response::items(answer, &options, i),
                        Err(e) => Err(e),
                    },
                    Err(e) => Err(e),
                };
                match result {
                    Ok(items) => out.extend(items),
                    // With "continue" on error, each failed request becomes an error item, as in n8n.
                    Err(e) if ctx.node.on_error() != OnError::StopWorkflow => {
                        let mut error = serde_json::Map::new();
                        error.insert("message".into(), Value::String(e.message));
                        if let Some(d) = e.description {
                            error.insert("description".into(), Value::String(d));
                        }
                        let mut json = serde_json::Map::new();
                        json.insert("error".into(), Value::Object(error));
                        out.push(crate::util::paired(weft_engine::run::Item::new(json), i));
                    }
                    Err(e) => return Err(at(e)),
                }
            }
            Ok(Some(vec![out]))
        })
    }
}

/// A response as received: status, headers, body bytes.
pub struct Answer {
    pub status: reqwest::StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl HttpRequest {
    async fn send(&self, prepared: Prepared, options: &Value) -> Result<Answer, NodeError> {
        let follow = options
            .pointer("/redirect/redirect/followRedirects")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let max_redirects = options
            .pointer("/redirect/redirect/maxRedirects")
            .and_then(Value::as_u64)
            .unwrap_or(21);
        let timeout = options
            .get("timeout")
            .and_then(Value::as_u64)
            .filter(|t| *t > 0)
            .map_or(Duration::from_secs(300), Duration::from_millis);
        let insecure = options
            .get("allowUnauthorizedCerts")
            .and_then(Value::as_bool)
            == Some(true);
        let client = if insecure {
            self.insecure.get_or_init(|| client(&self.guard, true))
        } else {
            &self.client
        };
        let Prepared {
            mut method,
            mut url,
            headers,
            mut secret_headers,
            mut body,
        } = prepared;
        let origin = url.origin();
        let mut hops = 0;
        loop {
            self.guard
                .check_url(&url)
                .map_err(|r| NodeError::new(r.to_string()).with_description(ALLOW_HINT))?;
            let host = format!(
                "{}:{}",
                url.host_str().unwrap_or_default(),
                url.port_or_known_default().unwrap_or(0)
            );
            if let Err(wait) = self.breakers.admit(&host) {
                return Err(NodeError::new(format!(
                    "The circuit breaker for {host} is open after repeated failures; retry in {} s",
                    wait.as_millis().div_ceil(1000).max(1)
                )));
            }
            let mut req = client.request(method.clone(), url.clone()).timeout(timeout);
            if url.origin() != origin {
                secret_headers.clear();
            }
            for (k, v) in headers.iter().chain(&secret_headers) {
                req = req.header(k.as_str(), v.as_str());
            }
            req = attach(req, &body);
            let sent = req.send().await;
            let res = match sent {
                Ok(res) => res,
                Err(e) => {
                    if let Some(refused) = guard::refusal(&e) {
                        return Err(
                            NodeError::new(refused.to_string()).with_description(ALLOW_HINT)
                        );
                    }
                    self.breakers.record(&host, false);
                    return Err(transport_error(&e));
                }
            };
            let status = res.status();
            if status.is_redirection()
                && follow
                && let Some(next) = res.headers().get(LOCATION)
            {
                hops += 1;
                if hops > max_redirects {
                    return Err(NodeError::new(format!(
                        "Maximum number of redirects ({max_redirects}) exceeded"
                    )));
                }
                let next = next.to_str().unwrap_or_default();
                url = url.join(next).map_err(|_| {
                    NodeError::new(format!("The redirect to \"{next}\" is not a valid URL"))
                })?;
                if matches!(status.as_u16(), 301..=303) && method != reqwest::Method::HEAD {
                    method = reqwest::Method::GET;
                    body = Body::None;
                }
                self.breakers.record(&host, true);
                continue;
            }
            let headers = res.headers().clone();
            let body = read_limited(res).await;
            self.breakers
                .record(&host, !status.is_server_error() && body.is_ok());
            return Ok(Answer {
                status,
                headers,
                body: body?,
            });
        }
    }
}

const ALLOW_HINT: &str = "Requests to internal addresses are refused; an operator can allow a host or network with WEFT_HTTP_ALLOW";

fn attach(req: reqwest::RequestBuilder, body: &Body) -> reqwest::RequestBuilder {
    match body {
        Body::None => req,
        Body::Json(v) => req
            .header(CONTENT_TYPE, "application/json")
            .body(serde_json::to_vec(v).unwrap_or_default()),
        Body::Form(pairs) => {
            let encoded = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs.iter())
                .finish();
            req.header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(encoded)
        }
        Body::Raw {
            bytes,
            content_type,
        } => {
            let req = match content_type {
                Some(t) => req.header(CONTENT_TYPE, t.as_str()),
                None => req,
            };
            req.body(bytes.clone())
        }
        Body::Multipart(parts) => {
            let boundary = format!("----weft{}", uuid::Uuid::new_v4().simple());
            let mut out = Vec::new();
            for part in parts {
                out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
                let name = part.name.replace('"', "%22");
                match &part.value {
                    PartValue::Text(t) => {
                        out.extend_from_slice(
                            format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n")
                                .as_bytes(),
                        );
                        out.extend_from_slice(t.as_bytes());
                    }
                    PartValue::File {
                        bytes,
                        file_name,
                        mime,
                    } => {
                        let file = file_name.replace('"', "%22");
                        out.extend_from_slice(
                            format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: {mime}\r\n\r\n").as_bytes(),
                        );
                        out.extend_from_slice(bytes);
                    }
                }
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
            req.header(
                CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(out)
        }
    }
}

async fn read_limited(mut res: reqwest::Response) -> Result<Vec<u8>, NodeError> {
    let mut body = Vec::new();
    loop {
        match res.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                    return Err(NodeError::new(format!(
                        "The response is larger than {} MiB",
                        MAX_RESPONSE_BYTES >> 20
                    )));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) => return Err(transport_error(&e)),
        }
    }
}

fn transport_error(e: &reqwest::Error) -> NodeError {
    let detail = {
        let mut parts = vec![e.to_string()];
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            parts.push(s.to_string());
            source = s.source();
        }
        parts.join(": ")
    };
    if e.is_timeout() {
        NodeError::new("The connection timed out, consider setting the 'Retry on Fail' option in the node settings").with_description(detail)
    } else if e.is_connect() {
        NodeError::new("The service refused the connection - perhaps it is offline")
            .with_description(detail)
    } else {
        NodeError::new("The connection to the server was closed unexpectedly, perhaps it is offline. You can retry the request immediately or wait and retry later.").with_description(detail)
    }
}
