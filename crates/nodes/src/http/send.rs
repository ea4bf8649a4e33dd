//! Sending one request: the SSRF guard on every address and redirect hop, the host's circuit
//! breaker, redirects, the body written in its content type, the answer read up to a limit.

use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, LOCATION};
use serde_json::Value;
use weft_engine::run::NodeError;

use super::request::{Body, PartValue, Prepared};
use super::{Answer, HttpRequest, MAX_RESPONSE_BYTES, client, guard};

impl HttpRequest {
    /// Sends `prepared` as node `version` does: redirects followed (by default from v4) through
    /// the SSRF guard and the host's breaker, credentials never sent to another origin unless
    /// the node's "Send Credentials on Cross-Origin Redirect" option asks for it.
    pub(super) async fn send(
        &self,
        prepared: Prepared,
        options: &Value,
        version: f64,
    ) -> Result<Answer, NodeError> {
        let follow = options
            .pointer("/redirect/redirect/followRedirects")
            .and_then(Value::as_bool)
            .unwrap_or(version >= 4.0);
        let cross_origin_credentials = options
            .get("sendCredentialsOnCrossOriginRedirect")
            .and_then(Value::as_bool)
            == Some(true);
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
            if url.origin() != origin && !cross_origin_credentials {
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
                url,
            });
        }
    }
}

pub(super) const ALLOW_HINT: &str = "Requests to internal addresses are refused; an operator can allow a host or network with WEFT_HTTP_ALLOW";

fn attach(req: reqwest::RequestBuilder, body: &Body) -> reqwest::RequestBuilder {
    match body {
        Body::None => req,
        Body::Json(v) => req
            .header(CONTENT_TYPE, "application/json")
            .body(serde_json::to_vec(v).unwrap_or_default()),
        Body::Form(pairs) => req
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(super::qs::stringify(pairs, super::qs::ArrayFormat::Indices)),
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
