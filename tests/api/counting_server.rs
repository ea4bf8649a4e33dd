//! A local HTTP server that counts the calls it gets by path and remembers when each came:
//! `/flaky/{key}` fails (500) the first `failures` calls of that key, every other path answers
//! 200 with `{"calls": n}`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[derive(Clone, Default)]
pub struct Calls(Arc<Mutex<HashMap<String, Vec<Instant>>>>);

impl Calls {
    /// When each call of `path` came.
    pub fn of(&self, path: &str) -> Vec<Instant> {
        self.0
            .lock()
            .unwrap()
            .get(path)
            .cloned()
            .unwrap_or_default()
    }

    /// Every path called, with how many times.
    pub fn counts(&self) -> HashMap<String, usize> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.len()))
            .collect()
    }
}

/// Starts the server; returns its base URL and its call log.
pub async fn start(failures: usize) -> (String, Calls) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let calls = Calls::default();
    let log = calls.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf);
                let path = head
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("/")
                    .split('?')
                    .next()
                    .unwrap_or("/")
                    .to_owned();
                let n = {
                    let mut all = log.0.lock().unwrap();
                    let seen = all.entry(path.clone()).or_default();
                    seen.push(Instant::now());
                    seen.len()
                };
                let (status, body) = if path.starts_with("/flaky/") && n <= failures {
                    (
                        "500 Internal Server Error",
                        format!("{{\"failedCall\":{n}}}"),
                    )
                } else {
                    ("200 OK", format!("{{\"calls\":{n}}}"))
                };
                let answer = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    (base, calls)
}
