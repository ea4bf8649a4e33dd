//! `settings.retry` in queue mode: a failed execution is queued again for later, on the
//! Redis delayed set, holding no worker slot while it waits.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::counting_server;
use crate::queue_mode::{WorkerProcess, finished, queue_api};

fn calling(name: &str, url: &str, settings: Value) -> Value {
    json!({
        "name": name, "settings": settings,
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0], "parameters": {}},
            {"name": "Call", "type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2, "position": [200, 0],
             "parameters": {"method": "GET", "url": url, "options": {}}}
        ],
        "connections": {"Start": {"main": [[{"node": "Call", "type": "main", "index": 0}]]}}
    })
}

async fn run(app: &crate::helpers::TestApp, workflow: &Value) -> String {
    let res = app
        .post_json(
            &format!("/api/v1/workflows/{}/run", workflow["id"].as_str().unwrap()),
            &json!({}),
        )
        .await;
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert!(
        status == StatusCode::OK || status == StatusCode::ACCEPTED,
        "{status} {body}"
    );
    body["id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_execution_runs_again_after_growing_waits_while_the_worker_runs_other_work() {
    let (base, calls) = counting_server::start(2).await;
    let app = queue_api(|s| s.run_wait_ms = "100".into()).await;
    let _worker = WorkerProcess::start(&app, 1, 30_000).await;
    let retry = json!({"retry": {"maxAttempts": 3, "initialDelayMs": 1000, "factor": 2, "maxDelayMs": 60000}});
    let flaky = app
        .create_workflow(&calling("flaky", &format!("{base}/flaky/a"), retry))
        .await;
    let other = app
        .create_workflow(&calling("other", &format!("{base}/other"), json!({})))
        .await;
    let id = run(&app, &flaky).await;
    // After the first failure it waits, `new`, with its next attempt's time shown.
    let deadline = Instant::now() + Duration::from_secs(10);
    let waiting = loop {
        let ex: Value = app
            .get(&format!("/api/v1/executions/{id}"))
            .await
            .json()
            .await
            .unwrap();
        if !ex["nextAttemptAt"].is_null() {
            break ex;
        }
        assert!(Instant::now() < deadline, "no retry was scheduled: {ex}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(waiting["status"], "new", "{waiting}");
    assert_eq!(waiting["attempts"], 1);
    // The only worker slot is free meanwhile: other executions run between the attempts.
    let mut others = Vec::new();
    for _ in 0..3 {
        others.push(run(&app, &other).await);
    }
    let ex = finished(&app, &id, Duration::from_secs(20)).await;
    assert_eq!(ex["status"], "success", "{ex}");
    assert_eq!(ex["attempts"], 3);
    assert!(ex["nextAttemptAt"].is_null());
    for other in &others {
        assert_eq!(
            finished(&app, other, Duration::from_secs(10)).await["status"],
            "success"
        );
    }
    let attempts = calls.of("/flaky/a");
    assert_eq!(attempts.len(), 3);
    let gap1 = (attempts[1] - attempts[0]).as_secs_f64();
    let gap2 = (attempts[2] - attempts[1]).as_secs_f64();
    println!("retry waits: {gap1:.3} s, then {gap2:.3} s");
    // Each wait is half to all of 1 s × 2^(n-1) (plus the run's own time): they grow.
    assert!((0.45..1.8).contains(&gap1), "first wait {gap1}");
    assert!((0.95..2.8).contains(&gap2), "second wait {gap2}");
    assert!(gap2 + 0.1 >= gap1, "waits {gap1} then {gap2}");
    let between = calls.of("/other");
    assert_eq!(between.len(), 3);
    assert!(
        between.iter().all(|t| *t < attempts[1]),
        "the other executions ran before the retry"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_execution_that_fails_every_attempt_ends_error_after_the_last() {
    let (base, calls) = counting_server::start(100).await;
    let app = queue_api(|s| s.run_wait_ms = "100".into()).await;
    let _worker = WorkerProcess::start(&app, 2, 30_000).await;
    let retry = json!({"retry": {"maxAttempts": 2, "initialDelayMs": 200}});
    let flaky = app
        .create_workflow(&calling("always", &format!("{base}/flaky/b"), retry))
        .await;
    let id = run(&app, &flaky).await;
    let ex = finished(&app, &id, Duration::from_secs(20)).await;
    assert_eq!(ex["status"], "error", "{ex}");
    assert_eq!(ex["attempts"], 2);
    assert_eq!(calls.of("/flaky/b").len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_retry_setting_is_refused_when_the_workflow_is_saved() {
    let app = crate::helpers::TestApp::spawn(crate::helpers::Backend::Sqlite).await;
    let wf = calling(
        "bad",
        "http://127.0.0.1:1/",
        json!({"retry": {"maxAttempts": 0}}),
    );
    let res = app.post_json("/api/v1/workflows", &wf).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert!(body.to_string().contains("settings.retry"), "{body}");
}
