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
        ("WEFT_CORS_ORIGINS", "https://app.example.com/path"),
        ("WEFT_TRUSTED_PROXIES", "proxy.local"),
        ("WEFT_JWT_SECRET", "too short"),
        ("WEFT_RATE_LIMIT_API_PER_MINUTE", "-1"),
        ("WEFT_OWNER_EMAIL", "ada@example.com"),
        ("GENERIC_TIMEZONE", "Mars/Olympus_Mons"),
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

fn workflow(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/workflows")
        .join(name)
}

#[test]
fn weft_execute_runs_a_workflow_file_and_prints_the_last_nodes_items() {
    let out = weft()
        .args(["execute", "--file"])
        .arg(workflow("set-code.json"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let items: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lines: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["json"]["line"].as_str().unwrap())
        .collect();
    assert_eq!(
        lines,
        ["Hello WORLD #1", "Hello WORLD #2", "Hello WORLD #3"]
    );
    assert_eq!(
        items[0]["json"]["source"], 11,
        "$('Edit Fields').item follows paired items"
    );
}

#[test]
fn weft_execute_feeds_input_items_to_any_trigger_and_can_print_all_run_data() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("items.json");
    std::fs::write(
        &input,
        r#"[{"json": {"body": {"qty": 3, "price": 2.5}}}, {"body": {"qty": 1, "price": 4}}]"#,
    )
    .unwrap();
    let out = weft()
        .args(["execute", "--output", "all", "--file"])
        .arg(workflow("webhook-code.json"))
        .arg("--input")
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let data: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let result = &data["resultData"];
    assert_eq!(result["lastNodeExecuted"], "Total");
    let totals = &result["runData"]["Total"][0]["data"]["main"][0];
    assert_eq!(totals[0]["json"]["total"], 7.5);
    assert_eq!(totals[1]["json"]["total"], 4);
    assert_eq!(
        result["runData"]["Webhook"][0]["executionStatus"],
        "success"
    );
}

#[test]
fn weft_execute_exits_non_zero_when_the_execution_fails() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fails.json");
    std::fs::write(
        &file,
        r#"{"name": "boom", "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
            {"name": "Boom", "type": "n8n-nodes-base.code", "typeVersion": 2, "parameters": {"jsCode": "throw new Error('kaput')"}}],
           "connections": {"Start": {"main": [[{"node": "Boom", "type": "main", "index": 0}]]}}}"#,
    )
    .unwrap();
    let out = weft()
        .args(["execute", "--file"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("kaput"));
    let unknown = dir.path().join("unknown.json");
    std::fs::write(
        &unknown,
        r#"{"name": "u", "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
            {"name": "X", "type": "n8n-nodes-base.notAThing", "typeVersion": 1, "parameters": {}}],
           "connections": {"Start": {"main": [[{"node": "X", "type": "main", "index": 0}]]}}}"#,
    )
    .unwrap();
    let unsupported = weft()
        .args(["execute", "--file"])
        .arg(&unknown)
        .output()
        .unwrap();
    assert_eq!(unsupported.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unsupported.stderr).contains("n8n-nodes-base.notAThing@1"));
}

#[test]
fn weft_execute_runs_an_export_with_set_if_merge_and_code_as_n8n_does() {
    let out = weft()
        .args(["execute", "--file"])
        .arg(workflow("set-if-merge-code.json"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let items: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        items[0]["json"],
        serde_json::json!({
            "count": 3,
            "first": "A-1",
            // v1 order: the top branch (High) reaches Merge input 1 first; append keeps input order.
            "rows": ["A-1:ADA:high:208", "A-3:ALAN:high:100", "A-2:GRACE:low:33"]
        })
    );
}

#[test]
fn weft_execute_reads_files_under_the_same_files_root_as_the_server_and_lists_only_its_options() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.txt"), "hello from disk").unwrap();
    let wf = dir.path().join("read.json");
    std::fs::write(
        &wf,
        serde_json::json!({
            "name": "read",
            "nodes": [
                {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0], "parameters": {}},
                {"name": "Read", "type": "n8n-nodes-base.readBinaryFiles", "typeVersion": 1, "position": [200, 0],
                 "parameters": {"fileSelector": "/in.txt"}}
            ],
            "connections": {"Start": {"main": [[{"node": "Read", "type": "main", "index": 0}]]}}
        })
        .to_string(),
    )
    .unwrap();
    let refused = weft()
        .args(["execute", "--file"])
        .arg(&wf)
        .output()
        .unwrap();
    assert!(
        !refused.status.success(),
        "no files root: reading is refused"
    );
    let out = weft()
        .args(["execute", "--file"])
        .arg(&wf)
        .env("WEFT_FILES_ROOT", dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let items: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(items[0]["binary"]["data"]["fileName"], "in.txt", "{items}");

    let help = weft().args(["execute", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("--files-root") && help.contains("--http-allow"));
    for server_only in [
        "--listen",
        "--database-url",
        "--redis-url",
        "--database-pool-max",
    ] {
        assert!(
            !help.contains(server_only),
            "{server_only} in execute's help"
        );
    }
}
