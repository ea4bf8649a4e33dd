//! Waiting executions: a Wait that resumes on a webhook call pauses its execution until
//! `/webhook-waiting/{id}` is called; a long time wait pauses until its timer resumes it.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(
    a_webhook_wait_pauses_the_execution_until_its_waiting_url_is_called,
    a_long_wait_pauses_and_its_timer_resumes_it,
);

fn workflow(wait: Value) -> Value {
    json!({
        "name": "waits",
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}, "position": [0, 0]},
            {"name": "Order", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [200, 0],
             "parameters": {"jsCode": "return [{json: {order: 7}}];"}},
            {"name": "Wait", "type": "n8n-nodes-base.wait", "typeVersion": 1.1, "parameters": wait, "position": [400, 0]},
            {"name": "After", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [600, 0],
             "parameters": {"jsCode": "return [{json: {order: $('Order').first().json.order, body: $json.body ?? null}}];"}}
        ],
        "connections": {
            "Start": {"main": [[{"node": "Order", "type": "main", "index": 0}]]},
            "Order": {"main": [[{"node": "Wait", "type": "main", "index": 0}]]},
            "Wait": {"main": [[{"node": "After", "type": "main", "index": 0}]]}
        },
        "settings": {"executionOrder": "v1"}
    })
}

async fn start(app: &TestApp, wait: Value) -> Value {
    let wf = app.create_workflow(&workflow(wait)).await;
    let res = app
        .post_json(
            &format!("/api/v1/workflows/{}/run", wf["id"].as_str().unwrap()),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// Polls the execution until it leaves `waiting`/`running`; it with its data.
async fn finished(app: &TestApp, id: &str) -> Value {
    for _ in 0..200 {
        let ex: Value = app
            .get(&format!("/api/v1/executions/{id}?includeData=true"))
            .await
            .json()
            .await
            .unwrap();
        if ex["finished"] == true {
            return ex;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("execution {id} did not finish");
}

fn after(ex: &Value) -> Value {
    ex["data"]["resultData"]["runData"]["After"][0]["data"]["main"][0][0]["json"].clone()
}

async fn a_webhook_wait_pauses_the_execution_until_its_waiting_url_is_called(b: Backend) {
    let app = TestApp::spawn(b).await;
    let ex = start(&app, json!({"resume": "webhook"})).await;
    assert_eq!(ex["status"], "waiting", "{ex}");
    let id = ex["id"].as_str().unwrap().to_owned();
    let listed: Value = app
        .get(&format!("/api/v1/executions/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["status"], "waiting");
    assert!(
        listed["waitTill"].is_null(),
        "a webhook wait without a limit has no time"
    );

    let res = app
        .post_json(
            &format!("/webhook-waiting/{id}"),
            &json!({"approved": true}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"message": "Workflow was started"})
    );
    let done = finished(&app, &id).await;
    assert_eq!(done["status"], "success", "{done}");
    assert_eq!(
        after(&done),
        json!({"order": 7, "body": {"approved": true}})
    );

    // Once resumed, the URL no longer resumes anything; unknown ids are 404.
    let again = app
        .post_json(&format!("/webhook-waiting/{id}"), &json!({}))
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let unknown = app
        .post_json(
            "/webhook-waiting/01930000-0000-7000-8000-000000000000",
            &json!({}),
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let bad = app
        .post_json("/webhook-waiting/not-an-id", &json!({}))
        .await;
    assert_eq!(bad.status(), StatusCode::NOT_FOUND);
}

async fn a_long_wait_pauses_and_its_timer_resumes_it(b: Backend) {
    let app = TestApp::spawn_with(b, |s| s.wait_pause_after_secs = "1".into()).await;
    let ex = start(&app, json!({"amount": 2, "unit": "seconds"})).await;
    assert_eq!(ex["status"], "waiting", "{ex}");
    let id = ex["id"].as_str().unwrap().to_owned();
    let listed: Value = app
        .get(&format!("/api/v1/executions/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(listed["waitTill"].is_string(), "{listed}");
    // A time wait is not resumed by a call.
    let call = app
        .post_json(&format!("/webhook-waiting/{id}"), &json!({}))
        .await;
    assert_eq!(call.status(), StatusCode::CONFLICT);
    let done = finished(&app, &id).await;
    assert_eq!(done["status"], "success", "{done}");
    assert_eq!(after(&done), json!({"order": 7, "body": null}));
}
