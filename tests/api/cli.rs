//! The `weft` binary: bad settings stop it with exit code 2 and a line naming the variable.

use std::process::Command;

fn weft() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_weft"));
    cmd.env_clear();
    cmd
}

#[test]
fn a_bad_setting_stops_start_up_with_exit_code_2_naming_the_variable() {
    let cases = [
        ("DATABASE_URL", "mysql://root@localhost/weft"),
        ("DATABASE_URL", "postgres://host:70000/db"),
        ("WEFT_LISTEN", "127.0.0.1:99999"),
        ("WEFT_LISTEN", "nowhere"),
        ("REDIS_URL", "::::"),
        ("DATABASE_POOL_MAX", "many"),
        ("DATABASE_REPLICA_URLS", "postgres://ok/db,ftp://bad/db"),
    ];
    for (var, value) in cases {
        let out = weft().arg("migrate").env(var, value).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{var}={value}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one line: {stderr}");
        assert!(lines[0].contains(var), "{var}: {stderr}");
    }
}

#[test]
fn migrate_creates_the_embedded_database_in_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("state");
    let out = weft()
        .arg("migrate")
        .env("WEFT_DATA_DIR", &data)
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(data.join("weft.db").exists());
    // Migrations are idempotent.
    let again = weft()
        .arg("migrate")
        .env("WEFT_DATA_DIR", &data)
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    assert!(again.status.success());
}

#[test]
fn weft_openapi_prints_the_spec_without_a_database() {
    let out = weft()
        .arg("openapi")
        .env("DATABASE_URL", "postgres://nowhere.invalid/db")
        .output()
        .unwrap();
    assert!(out.status.success());
    let spec: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(spec["info"]["title"], "Weft API");
}

#[test]
fn with_no_settings_at_all_weft_serves_on_port_5678_from_an_embedded_sqlite_file() {
    let cwd = tempfile::tempdir().unwrap();
    let mut child = weft().current_dir(cwd.path()).spawn().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let answer = loop {
        let probe = std::net::TcpStream::connect("127.0.0.1:5678").and_then(|mut s| {
            use std::io::{Read, Write};
            s.set_read_timeout(Some(std::time::Duration::from_secs(5)))?;
            s.write_all(
                b"GET /healthz/readiness HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
            )?;
            let mut out = String::new();
            s.read_to_string(&mut out)?;
            Ok(out)
        });
        match probe {
            Ok(out) => break out,
            Err(_) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            Err(e) => {
                let _ = child.kill();
                panic!("nothing answered on 127.0.0.1:5678: {e}");
            }
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(r#""database":{"status":"up"}"#), "{answer}");
    assert!(
        answer.contains(r#""redis":{"status":"disabled"}"#),
        "{answer}"
    );
    assert!(
        cwd.path().join(".weft/weft.db").exists(),
        "the default data dir holds the database"
    );
}
