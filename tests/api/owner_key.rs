//! First start on an empty embedded database: the owner and its first API key are made, the
//! key is written to `<data dir>/owner-api-key` (0600) and only the file's path is logged; a
//! second start writes nothing new. `weft api-key create --owner` prints a working key.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;

/// Starts `weft serve` on `dir` (port 0) and returns it, its port and its log so far.
fn start(dir: &std::path::Path) -> (Child, u16, std::sync::mpsc::Receiver<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_weft"))
        .arg("serve")
        .env_clear()
        .env("WEFT_DATA_DIR", dir)
        .env("WEFT_LISTEN", "127.0.0.1:0")
        .env("WEFT_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("weft starts");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let mut port = None;
    let mut seen = Vec::new();
    while port.is_none() {
        let line = rx.recv_timeout(Duration::from_secs(60)).expect("weft logs");
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
            && v["fields"]["message"] == "weft listening"
        {
            port = v["fields"]["port"].as_u64().map(|p| p as u16);
        }
        seen.push(line);
    }
    let (again_tx, again_rx) = std::sync::mpsc::channel();
    for line in seen {
        let _ = again_tx.send(line);
    }
    std::thread::spawn(move || {
        while let Ok(line) = rx.recv() {
            if again_tx.send(line).is_err() {
                return;
            }
        }
    });
    (child, port.unwrap_or_default(), again_rx)
}

fn log_so_far(rx: &std::sync::mpsc::Receiver<String>) -> String {
    let mut out = String::new();
    while let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

async fn status_with(port: u16, key: &str) -> StatusCode {
    reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/api/v1/workflows"))
        .header("X-N8N-API-KEY", key)
        .send()
        .await
        .expect("answers")
        .status()
}

#[tokio::test]
async fn a_fresh_embedded_start_writes_the_owner_key_once_with_mode_0600_and_logs_only_its_path() {
    // reqwest is built without a TLS provider of its own (this test may run alone).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().expect("a folder");
    let (mut first, port, log) = start(dir.path());
    let file = dir.path().join("owner-api-key");
    let key = std::fs::read_to_string(&file)
        .expect("the key file")
        .trim()
        .to_owned();
    let mode = std::fs::metadata(&file)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(status_with(port, &key).await, StatusCode::OK);
    let text = log_so_far(&log);
    assert!(
        text.contains(&file.display().to_string()),
        "the path is logged: {text}"
    );
    assert!(!text.contains(&key), "the key is never logged");
    assert!(
        !text.contains(&key[17..]),
        "no part of the secret is logged"
    );
    let _ = first.kill();
    let _ = first.wait();

    let (mut second, port, log) = start(dir.path());
    let again = std::fs::read_to_string(&file)
        .expect("the key file")
        .trim()
        .to_owned();
    assert_eq!(again, key, "a second start does not write a new key");
    assert!(!log_so_far(&log).contains("owner created"));
    assert_eq!(status_with(port, &key).await, StatusCode::OK);

    // The command prints another working key, and only the key, on stdout.
    let out = Command::new(env!("CARGO_BIN_EXE_weft"))
        .args([
            "api-key",
            "create",
            "--owner",
            "--label",
            "deploys",
            "--scopes",
            "workflow:read",
        ])
        .env_clear()
        .env("WEFT_DATA_DIR", dir.path())
        .env("RUST_LOG", "info")
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8(out.stdout).expect("text");
    assert_eq!(printed.lines().count(), 1, "{printed}");
    let made = printed.trim();
    assert!(made.starts_with("weft_") && made != key);
    assert_eq!(status_with(port, made).await, StatusCode::OK);
    let tags = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/api/v1/workflows"))
        .header("X-N8N-API-KEY", made)
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("answers");
    assert_eq!(
        tags.status(),
        StatusCode::FORBIDDEN,
        "a read-only key cannot write"
    );

    // `weft user create` reads the password from stdin; `api-key create --user` keys them.
    let create_user = |email: &str, password: &str| {
        use std::io::Write;
        let mut child = Command::new(env!("CARGO_BIN_EXE_weft"))
            .args(["user", "create", "--email", email, "--role", "member"])
            .env_clear()
            .env("WEFT_DATA_DIR", dir.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("runs");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(format!("{password}\n").as_bytes())
            .expect("write");
        child.wait_with_output().expect("ends")
    };
    let weak = create_user("weak@example.com", "short");
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("password"));
    let made_user = create_user("mem@example.com", "Sturdy pass 42");
    assert!(
        made_user.status.success(),
        "{}",
        String::from_utf8_lossy(&made_user.stderr)
    );
    let printed_id = String::from_utf8(made_user.stdout).expect("text");
    assert!(
        uuid::Uuid::try_parse(printed_id.trim()).is_ok(),
        "{printed_id}"
    );
    let login = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "mem@example.com", "password": "Sturdy pass 42"}))
        .send()
        .await
        .expect("answers");
    assert_eq!(login.status(), StatusCode::OK);
    let member_key = Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(["api-key", "create", "--user", "mem@example.com"])
        .env_clear()
        .env("WEFT_DATA_DIR", dir.path())
        .output()
        .expect("runs");
    assert!(member_key.status.success());
    let member_key = String::from_utf8(member_key.stdout).expect("text");
    assert_eq!(status_with(port, member_key.trim()).await, StatusCode::OK);
    let users = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/api/v1/users"))
        .header("X-N8N-API-KEY", member_key.trim())
        .json(&serde_json::json!([{"email": "other@example.com"}]))
        .send()
        .await
        .expect("answers");
    assert_eq!(
        users.status(),
        StatusCode::FORBIDDEN,
        "members do not manage users"
    );
    let _ = second.kill();
    let _ = second.wait();
}
