//! `weft serve` as a child process (the real binary), for tests of several processes, kills
//! and restarts.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::helpers::TEST_JWT_SECRET;

/// A `weft serve` child process; killed when dropped.
pub struct ServeProcess {
    child: Child,
    pub port: u16,
}

impl ServeProcess {
    /// Starts `weft serve` with the test defaults and `vars`, and waits until it is ready.
    pub async fn start(vars: &[(&str, String)]) -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_weft"));
        command
            .arg("serve")
            .env("WEFT_LISTEN", format!("127.0.0.1:{port}"))
            .env("WEFT_ENCRYPTION_KEY", "weft-test-encryption-key")
            .env("WEFT_JWT_SECRET", TEST_JWT_SECRET)
            .env("WEFT_HTTP_ALLOW", "127.0.0.1")
            .env("DATABASE_POOL_MAX", "4")
            .env("DATABASE_POOL_MIN", "0")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null());
        for (name, value) in vars {
            command.env(name, value);
        }
        let child = command.spawn().expect("start weft serve");
        let mut serve = Self { child, port };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = client
                .get(serve.url("/healthz/readiness"))
                .send()
                .await
                .is_ok_and(|r| r.status() == StatusCode::OK);
            if ready {
                return serve;
            }
            if let Some(status) = serve.child.try_wait().unwrap() {
                panic!("weft serve exited at start ({status})");
            }
            assert!(Instant::now() < deadline, "weft serve did not become ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// `kill -9`.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
