//! `Idempotency-Key` on webhook calls: repeats start no second execution.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;
use crate::webhooks::{activate, hook};

on_both_backends!(
    two_concurrent_requests_with_one_key_start_one_execution,
    a_malformed_idempotency_key_is_400_and_starts_nothing,
    a_claim_left_by_a_crashed_call_is_taken_over_and_a_live_one_is_409,
    a_takeover_after_the_first_call_started_its_execution_answers_from_it_without_running_again,
    a_takeover_while_that_execution_runs_waits_for_it_and_gets_its_answer,
);

async fn post(app: &TestApp, key: &str, qty: i64) -> reqwest::Response {
    app.client
        .post(app.url("/webhook/once"))
        .header("idempotency-key", key)
        .json(&json!({"qty": qty}))
        .send()
        .await
        .unwrap()
}

async fn executions(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM executions").await
}

async fn two_concurrent_requests_with_one_key_start_one_execution(b: Backend) {
    let app = TestApp::spawn(b).await;
    activate(&app, &hook("once", "once", "POST", "lastNode")).await;
    let (a, b2) = tokio::join!(post(&app, "order-17", 5), post(&app, "order-17", 5));
    let mut statuses = vec![a.status(), b2.status()];
    statuses.sort();
    assert!(
        statuses == [StatusCode::OK, StatusCode::OK]
            || statuses == [StatusCode::OK, StatusCode::CONFLICT],
        "one answer, the other a replay or 409 while running: {statuses:?}"
    );
    assert_eq!(executions(&app).await, 1);

    let replay = post(&app, "order-17", 999).await;
    assert_eq!(replay.status(), StatusCode::OK);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    assert_eq!(replay.headers()["content-type"], "application/json");
    let body: Value = replay.json().await.unwrap();
    assert_eq!(body["got"], 10, "the first call's response, not a new run");
    assert_eq!(executions(&app).await, 1);

    let other = post(&app, "order-18", 1).await;
    assert_eq!(other.status(), StatusCode::OK);
    assert!(other.headers().get("idempotent-replayed").is_none());
    assert_eq!(executions(&app).await, 2, "another key is another call");
}

async fn a_malformed_idempotency_key_is_400_and_starts_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    activate(&app, &hook("once", "once", "POST", "lastNode")).await;
    let long = "k".repeat(256);
    let res = post(&app, &long, 1).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(
        res.json::<Value>().await.unwrap()["message"]
            .as_str()
            .unwrap()
            .contains("Idempotency-Key")
    );
    assert_eq!(executions(&app).await, 0);
}

/// Leaves a claim as a process that died mid-call would, `age` ago (after starting
/// `execution`, when given).
pub(crate) async fn leave_claim(
    app: &TestApp,
    workflow_id: &str,
    key: &str,
    age: chrono::Duration,
    execution: Option<&str>,
) {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    entity::webhook_idempotency::ActiveModel {
        webhook: Set(format!("{workflow_id}:Webhook")),
        key: Set(key.to_owned()),
        done: Set(false),
        status: Set(None),
        headers: Set(None),
        body: Set(None),
        created_at: Set(chrono::Utc::now() - age),
        execution_id: Set(execution.map(|e| e.parse().unwrap())),
    }
    .insert(app.db.writer())
    .await
    .unwrap();
}

async fn a_claim_left_by_a_crashed_call_is_taken_over_and_a_live_one_is_409(b: Backend) {
    let app = TestApp::spawn(b).await;
    let wf = activate(&app, &hook("once", "once", "POST", "lastNode")).await;
    let id = wf["id"].as_str().unwrap();

    leave_claim(&app, id, "live", chrono::Duration::seconds(1), None).await;
    assert_eq!(post(&app, "live", 1).await.status(), StatusCode::CONFLICT);
    assert_eq!(executions(&app).await, 0);

    leave_claim(&app, id, "orphan", chrono::Duration::hours(2), None).await;
    let res = post(&app, "orphan", 4).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "a claim older than any answer is taken over"
    );
    assert_eq!(res.json::<Value>().await.unwrap()["got"], 8);
    let replay = post(&app, "orphan", 4).await;
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    assert_eq!(executions(&app).await, 1);
}

/// The id of the only execution there is.
async fn only_execution(app: &TestApp) -> String {
    let list: Value = app.get("/api/v1/executions").await.json().await.unwrap();
    let data = list["data"].as_array().unwrap();
    assert_eq!(data.len(), 1, "{list}");
    data[0]["id"].as_str().unwrap().to_owned()
}

async fn a_takeover_after_the_first_call_started_its_execution_answers_from_it_without_running_again(
    b: Backend,
) {
    let app = TestApp::spawn(b).await;
    let wf = activate(&app, &hook("once", "once", "POST", "lastNode")).await;
    // The first call ran its execution; its process died before storing the answer.
    let first = app
        .client
        .post(app.url("/webhook/once"))
        .json(&json!({"qty": 4}))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let execution = only_execution(&app).await;
    let id = wf["id"].as_str().unwrap();
    leave_claim(
        &app,
        id,
        "died",
        chrono::Duration::hours(2),
        Some(&execution),
    )
    .await;

    let res = post(&app, "died", 5).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<Value>().await.unwrap()["got"],
        8,
        "the answer of the execution the first call started, not of a new run"
    );
    assert_eq!(executions(&app).await, 1, "the workflow did not run again");
    let replay = post(&app, "died", 5).await;
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    assert_eq!(replay.json::<Value>().await.unwrap()["got"], 8);
    assert_eq!(executions(&app).await, 1);
}

async fn a_takeover_while_that_execution_runs_waits_for_it_and_gets_its_answer(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut wf = hook("slow-once", "once", "POST", "lastNode");
    let busy = "const end = Date.now() + 700; while (Date.now() < end) {} return $input.all();";
    wf["nodes"].as_array_mut().unwrap().push(json!({
        "name": "Busy", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [100, 0],
        "parameters": {"jsCode": busy}
    }));
    wf["connections"] = json!({
        "Webhook": {"main": [[{"node": "Busy", "type": "main", "index": 0}]]},
        "Busy": {"main": [[{"node": "Shape", "type": "main", "index": 0}]]}
    });
    let wf = activate(&app, &wf).await;
    let (client, url) = (app.client.clone(), app.url("/webhook/once"));
    let first = tokio::spawn(async move {
        client
            .post(url)
            .json(&json!({"qty": 3}))
            .send()
            .await
            .unwrap()
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while app
        .count("SELECT COUNT(*) FROM executions WHERE status = 'running'")
        .await
        == 0
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the first call's run never started"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let execution = only_execution(&app).await;
    let id = wf["id"].as_str().unwrap();
    leave_claim(
        &app,
        id,
        "died",
        chrono::Duration::hours(2),
        Some(&execution),
    )
    .await;

    let res = post(&app, "died", 9).await;
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["got"], 6, "the running execution's answer: {body}");
    assert_eq!(executions(&app).await, 1, "the workflow did not run again");
    let first = first.await.unwrap();
    assert_eq!(first.json::<Value>().await.unwrap()["got"], 6);
}
