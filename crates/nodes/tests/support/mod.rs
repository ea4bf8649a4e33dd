//! A small HTTP/1.1 server on 127.0.0.1 for the HTTP Request node's tests: fixed answers per
//! path, no `Date` header (so full responses can be pinned), counters for the flaky and down paths.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Default)]
pub struct Server {
    /// Calls that reached `/down`.
    pub down_hits: AtomicUsize,
    /// When set, `/down` answers 200.
    pub healthy: AtomicBool,
    flaky: Mutex<HashMap<String, usize>>,
}

/// Starts the server; its base URL (`http://127.0.0.1:PORT`) and state.
pub async fn serve() -> (String, Arc<Server>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let state = Arc::new(Server::default());
    let shared = state.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(handle(stream, shared.clone()));
        }
    });
    (base, state)
}

async fn handle(mut stream: TcpStream, state: Arc<Server>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let Ok(n) = stream.read(&mut chunk).await else {
            return;
        };
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.lines();
    let mut first = lines.next().unwrap_or_default().split_whitespace();
    let method = first.next().unwrap_or_default().to_owned();
    let target = first.next().unwrap_or_default().to_owned();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let Ok(n) = stream.read(&mut chunk).await else {
            return;
        };
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buf[head_end..]).into_owned();
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let query: serde_json::Map<String, Value> = url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect();
    let content_type = headers.get("content-type").cloned().unwrap_or_default();
    let (status, mime, text, extra) = match path {
        "/json" => (
            200,
            "application/json",
            json!({"hello": "world", "n": 1}).to_string(),
            "",
        ),
        "/list" => (
            200,
            "application/json",
            json!([{"id": 1}, {"id": 2}]).to_string(),
            "",
        ),
        "/text" => (200, "text/plain", "plain text".to_owned(), ""),
        "/redirect" => (302, "text/plain", String::new(), "Location: /json\r\n"),
        "/missing" => (
            404,
            "application/json",
            json!({"message": "no such thing"}).to_string(),
            "",
        ),
        "/echo" => {
            let parsed = if content_type.starts_with("application/json") {
                serde_json::from_str(&body).unwrap_or(Value::Null)
            } else if content_type.starts_with("application/x-www-form-urlencoded") {
                Value::Object(
                    url::form_urlencoded::parse(body.as_bytes())
                        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
                        .collect(),
                )
            } else {
                Value::String(body.clone())
            };
            let echo = json!({
                "method": method,
                "contentType": content_type.split(';').next().unwrap_or_default(),
                "query": query,
                "body": parsed,
                "apiKey": headers.get("x-api-key"),
            });
            (200, "application/json", echo.to_string(), "")
        }
        "/flaky" => {
            let key = query
                .get("key")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let n = {
                let mut map = state.flaky.lock().unwrap();
                let n = map.entry(key).or_insert(0);
                *n += 1;
                *n
            };
            if n < 3 {
                (
                    500,
                    "application/json",
                    json!({"message": "try again"}).to_string(),
                    "",
                )
            } else {
                (
                    200,
                    "application/json",
                    json!({"ok": true, "attempt": n}).to_string(),
                    "",
                )
            }
        }
        "/down" => {
            state.down_hits.fetch_add(1, Ordering::SeqCst);
            if state.healthy.load(Ordering::SeqCst) {
                (200, "application/json", json!({"up": true}).to_string(), "")
            } else {
                (
                    503,
                    "application/json",
                    json!({"message": "down"}).to_string(),
                    "",
                )
            }
        }
        _ => (404, "text/plain", "unknown path".to_owned(), ""),
    };
    let reason = match status {
        200 => "OK",
        302 => "Found",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "Service Unavailable",
    };
    let answer = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: {mime}\r\ncontent-length: {}\r\nconnection: close\r\n{extra}\r\n{text}",
        text.len()
    );
    let _ = stream.write_all(answer.as_bytes()).await;
    let _ = stream.shutdown().await;
}
