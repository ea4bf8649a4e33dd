//! The HTTP server recorded HTTP Request cases call (`@base` in their workflows): fixed answers
//! with only `content-type`, `content-length` and `connection` headers, so what n8n recorded
//! and what Weft gets are byte for byte the same. Recording runs it on a fixed port:
//! `cargo run --example n8n-case-server -- 5790`.

use serde_json::{Map, Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Starts the server on `port` (0: any free one) and returns its base URL.
pub async fn start(port: u16) -> String {
    let listener = TcpListener::bind(("127.0.0.1", port)).await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve_one(stream));
        }
    });
    format!("http://{address}")
}

struct Request {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

async fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > 1 << 20 {
            return None;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let target = first.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_owned(), q.to_owned()),
        None => (target, String::new()),
    };
    Some(Request {
        method,
        path,
        query,
        headers,
        body,
    })
}

fn param(query: &str, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Other",
    }
}

/// The answer to `r`: status, content type, body, extra headers.
fn answer(r: &Request) -> (u16, &'static str, Vec<u8>, Vec<(String, String)>) {
    let json = |status: u16, v: Value| {
        (
            status,
            "application/json",
            v.to_string().into_bytes(),
            vec![],
        )
    };
    let host = r
        .headers
        .iter()
        .find(|(k, _)| k == "host")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    match r.path.as_str() {
        "/echo" => {
            let mut headers = Map::new();
            for (k, v) in &r.headers {
                if k.starts_with("x-")
                    || matches!(k.as_str(), "content-type" | "authorization" | "accept")
                {
                    let joined = match headers.get(k) {
                        Some(Value::String(old)) => format!("{old}, {v}"),
                        _ => v.clone(),
                    };
                    headers.insert(k.clone(), Value::String(joined));
                }
            }
            json(
                200,
                json!({
                    "method": r.method,
                    "query": r.query,
                    "headers": headers,
                    "body": String::from_utf8_lossy(&r.body),
                }),
            )
        }
        "/pages" => {
            let page: i64 = param(&r.query, "page")
                .and_then(|p| p.parse().ok())
                .unwrap_or(1);
            let size: i64 = param(&r.query, "size")
                .and_then(|p| p.parse().ok())
                .unwrap_or(2);
            let items: Vec<Value> = if page <= 3 {
                (0..size).map(|i| json!({"page": page, "i": i})).collect()
            } else {
                Vec::new()
            };
            json(200, Value::Array(items))
        }
        "/cursor" => {
            let c: i64 = param(&r.query, "cursor")
                .and_then(|p| p.parse().ok())
                .unwrap_or(0);
            json(
                200,
                json!({"items": [c * 10, c * 10 + 1], "next": if c < 2 { json!(c + 1) } else { Value::Null }}),
            )
        }
        "/next" => {
            let n: i64 = param(&r.query, "n")
                .and_then(|p| p.parse().ok())
                .unwrap_or(0);
            let next = if n < 2 {
                json!(format!("http://{host}/next?n={}", n + 1))
            } else {
                Value::Null
            };
            json(200, json!({"n": n, "next": next}))
        }
        "/redirect" => {
            let to = param(&r.query, "to").unwrap_or_default();
            let (s, t, b, _) = json(302, json!({"moved": true}));
            (s, t, b, vec![("location".into(), to)])
        }
        "/until" => {
            let page: i64 = param(&r.query, "page")
                .and_then(|p| p.parse().ok())
                .unwrap_or(1);
            let last: i64 = param(&r.query, "last")
                .and_then(|p| p.parse().ok())
                .unwrap_or(2);
            if page <= last {
                json(200, json!([{"page": page}]))
            } else {
                json(404, json!({"detail": "no such page"}))
            }
        }
        "/text" => (200, "text/plain", b"plain words".to_vec(), vec![]),
        "/empty" => (200, "application/json", Vec::new(), vec![]),
        path if path.starts_with("/status/") => {
            let status: u16 = path[8..].parse().unwrap_or(500);
            json(status, json!({"status": status, "detail": "as asked"}))
        }
        _ => json(404, json!({"error": "no route"})),
    }
}

async fn serve_one(mut stream: TcpStream) {
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    let (status, content_type, body, extra) = answer(&request);
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n",
        reason(status),
        body.len()
    );
    for (k, v) in extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(&body).await;
    let _ = stream.shutdown().await;
}
