//! Test webhooks: `POST /workflows/{id}/test-webhook`, then one call to `/webhook-test/{path}`.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_problem, manual_workflow};
use crate::on_both_backends;
use crate::webhooks::hook;

on_both_backends!(
    a_test_webhook_runs_one_call_of_an_inactive_workflow_then_is_gone,
    test_webhooks_expire_after_their_time_to_live,
    a_test_route_held_by_another_workflow_is_409_and_no_webhook_node_is_400,
);

async fn listen(app: &TestApp, id: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/workflows/{id}/test-webhook")))
        .send()
        .await
        .unwrap()
}

async fn call(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/webhook-test/{path}")))
        .json(&json!({"qty": 2}))
        .send()
        .await
        .unwrap()
}

async fn a_test_webhook_runs_one_call_of_an_inactive_workflow_then_is_gone(b: Backend) {
    let app = TestApp::spawn(b).await;
    let wf = app
        .create_workflow(&hook("t", "try-me", "POST", "lastNode"))
        .await;
    let id = wf["id"].as_str().unwrap();
    let res = listen(&app, id).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["paths"],
        json!([{"method": "POST", "path": "try-me", "node": "Webhook"}])
    );
    assert!(body["expiresInSeconds"].as_u64().unwrap() > 0);

    let res = call(&app, "try-me").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["got"], 4);
    let list: Value = app
        .get(&format!("/api/v1/executions?workflowId={id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["data"][0]["mode"], "manual");
    let execution: Value = app
        .get(&format!(
            "/api/v1/executions/{}?includeData=true",
            list["data"][0]["id"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    let webhook_item =
        &execution["data"]["resultData"]["runData"]["Webhook"][0]["data"]["main"][0][0]["json"];
    assert_eq!(webhook_item["executionMode"], "test");

    let again = call(&app, "try-me").await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    let body: Value = again.json().await.unwrap();
    assert_eq!(
        body["message"],
        "The requested webhook \"POST try-me\" is not registered."
    );
    assert!(body["hint"].as_str().unwrap().contains("one call"));
    let production = app
        .client
        .post(app.url("/webhook/try-me"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        production.status(),
        StatusCode::NOT_FOUND,
        "the workflow is not active"
    );
}

async fn test_webhooks_expire_after_their_time_to_live(b: Backend) {
    let app = TestApp::spawn_with(b, |s| s.test_webhook_ttl_ms = "300".into()).await;
    let wf = app
        .create_workflow(&hook("t", "brief", "POST", "lastNode"))
        .await;
    assert_eq!(
        listen(&app, wf["id"].as_str().unwrap()).await.status(),
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(call(&app, "brief").await.status(), StatusCode::NOT_FOUND);
}

async fn a_test_route_held_by_another_workflow_is_409_and_no_webhook_node_is_400(b: Backend) {
    let app = TestApp::spawn(b).await;
    let first = app
        .create_workflow(&hook("a", "shared", "POST", "lastNode"))
        .await;
    let second = app
        .create_workflow(&hook("b", "shared", "POST", "lastNode"))
        .await;
    assert_eq!(
        listen(&app, first["id"].as_str().unwrap()).await.status(),
        StatusCode::OK
    );
    let taken = listen(&app, second["id"].as_str().unwrap()).await;
    let problem = assert_problem(taken, StatusCode::CONFLICT, "conflict").await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains(first["id"].as_str().unwrap())
    );
    assert_eq!(
        listen(&app, first["id"].as_str().unwrap()).await.status(),
        StatusCode::OK,
        "the holder may listen again"
    );

    let manual = app.create_workflow(&manual_workflow("m")).await;
    let res = listen(&app, manual["id"].as_str().unwrap()).await;
    assert_problem(res, StatusCode::BAD_REQUEST, "bad-request").await;
    let res = listen(&app, "0191e4a0-0000-7000-8000-000000000000").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_a_test_webhook_registered_on_one_instance_answers_once_on_any() {
    let redis = crate::helpers::redis_url();
    let a = TestApp::spawn_with(Backend::Postgres, |s| s.redis_url = Some(redis.clone())).await;
    let b = a.spawn_beside(|s| s.redis_url = Some(redis.clone())).await;
    let wf = a
        .create_workflow(&hook("t", "anywhere", "POST", "lastNode"))
        .await;
    let id = wf["id"].as_str().unwrap();
    assert_eq!(listen(&a, id).await.status(), StatusCode::OK);
    let res = call(&b, "anywhere").await;
    assert_eq!(res.status(), StatusCode::OK, "the other instance serves it");
    assert_eq!(res.json::<Value>().await.unwrap()["got"], 4);
    let again = call(&a, "anywhere").await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND, "one call only");

    // Two instances racing for one call: exactly one runs it.
    for _ in 0..5 {
        assert_eq!(listen(&b, id).await.status(), StatusCode::OK);
        let (x, y) = tokio::join!(call(&a, "anywhere"), call(&b, "anywhere"));
        let mut statuses = [x.status(), y.status()];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::OK, StatusCode::NOT_FOUND]);
    }
    let runs = a
        .count(&format!(
            "SELECT COUNT(*) FROM executions WHERE workflow_id = '{id}'"
        ))
        .await;
    assert_eq!(runs, 6);
}
