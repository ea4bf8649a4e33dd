//! The webhook fast path serves from memory, yet every committed change shows at once.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;
use crate::webhooks::{activate, hook};

on_both_backends!(
    a_change_to_an_active_workflow_shows_on_the_next_call,
    static_data_a_run_saves_is_seen_by_the_next_call,
);

async fn call(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/webhook/{path}")))
        .json(&json!({"qty": 1}))
        .send()
        .await
        .unwrap()
}

async fn a_change_to_an_active_workflow_shows_on_the_next_call(b: Backend) {
    let app = TestApp::spawn(b).await;
    let wf = hook("hot", "hot", "POST", "lastNode");
    let created = activate(&app, &wf).await;
    let id = created["id"].as_str().unwrap();
    for _ in 0..3 {
        let body: Value = call(&app, "hot").await.json().await.unwrap();
        assert_eq!(body["got"], 2);
    }
    let mut changed = wf.clone();
    changed["nodes"][1]["parameters"]["assignments"]["assignments"][0]["value"] =
        json!("={{ $json.body.qty * 100 }}");
    changed["nodes"][0]["parameters"]["path"] = json!("hot-v2");
    let res = app
        .put_json(&format!("/api/v1/workflows/{id}"), &changed)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        call(&app, "hot").await.status(),
        StatusCode::NOT_FOUND,
        "the old path is gone at once"
    );
    let body: Value = call(&app, "hot-v2").await.json().await.unwrap();
    assert_eq!(body["got"], 100, "the new definition runs at once");
}

async fn static_data_a_run_saves_is_seen_by_the_next_call(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut wf = hook("count", "count", "POST", "lastNode");
    wf["nodes"][1] = json!({"name": "Shape", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [200, 0],
        "parameters": {"jsCode": "const s = $getWorkflowStaticData('global'); s.n = (s.n || 0) + 1; return [{json: {n: s.n}}];"}});
    activate(&app, &wf).await;
    for expected in 1..=3 {
        let body: Value = call(&app, "count").await.json().await.unwrap();
        assert_eq!(body["n"], expected);
    }
}
