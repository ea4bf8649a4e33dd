//! Code nodes run in sandbox processes that are killed from outside: a stop ends a run at once,
//! and a sandbox that stops answering (as a native loop QuickJS cannot interrupt would) is
//! killed at its time limit; either way the execution slot is free again.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;

use crate::server::{Server, assert_node_error, code_node, manual};

/// Starts a run of workflow `id` in the background (its answer comes when the run ends).
fn run_in_background(server: &Server, id: &str) -> tokio::task::JoinHandle<Value> {
    let client = server.client.clone();
    let url = server.url(&format!("/api/v1/workflows/{id}/run"));
    tokio::spawn(async move {
        let res = client.post(url).json(&serde_json::json!({})).send().await;
        res.expect("run answers").json().await.expect("JSON")
    })
}

/// The id of workflow `id`'s running execution, once it runs.
async fn running_execution(server: &Server, id: &str) -> String {
    let until = Instant::now() + Duration::from_secs(30);
    while Instant::now() < until {
        if let Some(ex) = server
            .executions(id)
            .await
            .into_iter()
            .find(|e| e["status"] == "running")
        {
            return ex["id"].as_str().expect("an id").to_owned();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the execution never started");
}

/// The server's child processes running the Code node sandbox.
fn sandbox_processes(server_pid: u32) -> Vec<i32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // `pid (comm) state ppid …`: the parent is the second field after the command.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        if ppid == Some(server_pid) && String::from_utf8_lossy(&cmdline).contains("code-sandbox") {
            found.push(pid);
        }
    }
    found
}

#[tokio::test]
async fn stopping_an_execution_whose_code_loops_frees_its_slot_at_once() {
    // One slot and a two-minute limit: the ordinary run below can only start if the stop
    // really ended the loop.
    let mut server = Server::start(&[
        ("WEFT_EXECUTION_CONCURRENCY", "1"),
        ("WEFT_EXPRESSION_TIMEOUT_MS", "120000"),
    ])
    .await;
    let id = server
        .create(&manual("spin", code_node("while (true) {}")))
        .await;
    let run = run_in_background(&server, &id);
    let execution = running_execution(&server, &id).await;
    // Give the loop time to be inside the sandbox.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let res = server
        .client
        .post(server.url(&format!("/api/v1/executions/{execution}/stop")))
        .send()
        .await
        .expect("stop answers");
    assert_eq!(res.status(), StatusCode::OK);
    let ex = tokio::time::timeout(Duration::from_secs(30), run)
        .await
        .expect("the stopped run answers")
        .expect("the run task");
    assert_eq!(ex["status"], "canceled", "{ex}");
    server.assert_healthy().await;
}

#[tokio::test]
async fn a_sandbox_that_stops_answering_is_killed_at_its_time_limit() {
    let mut server = Server::start(&[
        ("WEFT_EXECUTION_CONCURRENCY", "1"),
        ("WEFT_EXPRESSION_TIMEOUT_MS", "2000"),
    ])
    .await;
    let id = server
        .create(&manual("frozen", code_node("while (true) {}")))
        .await;
    let run = run_in_background(&server, &id);
    running_execution(&server, &id).await;
    // Freeze the sandbox: QuickJS's own interrupt can no longer fire, as in a native loop that
    // never polls it. Only the server killing the process can end the run now.
    let until = Instant::now() + Duration::from_secs(30);
    let pid = loop {
        if let Some(pid) = sandbox_processes(server.pid()).first() {
            break *pid;
        }
        assert!(Instant::now() < until, "no sandbox process appeared");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let target = rustix::process::Pid::from_raw(pid).expect("a pid");
    rustix::process::kill_process(target, rustix::process::Signal::STOP).expect("SIGSTOP");
    let ex = tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("the frozen run answers")
        .expect("the run task");
    assert_node_error(&ex, "timed out");
    assert!(
        std::fs::read_to_string(format!("/proc/{pid}/stat")).is_err(),
        "the frozen sandbox process was killed and reaped"
    );
    server.assert_healthy().await;
}
