//! Error workflows: a failed execution runs the workflow its settings name (or itself, when it
//! has an Error Trigger) from its Error Trigger with n8n's payload, once, and never in a loop.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, finished_executions, link};
use crate::on_both_backends;
use crate::webhooks::activate;

on_both_backends!(
    a_failing_webhook_execution_runs_its_error_workflow_once_with_n8ns_payload,
    an_error_workflow_that_fails_does_not_start_another_and_a_missing_one_is_not_fatal,
    a_workflow_with_an_error_trigger_and_no_setting_is_its_own_error_workflow,
);

fn error_trigger() -> Value {
    json!({"name": "Error Trigger", "type": "n8n-nodes-base.errorTrigger", "typeVersion": 1,
           "position": [0, 0], "parameters": {}})
}

fn code(name: &str, js: &str) -> Value {
    json!({"name": name, "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [200, 0],
           "parameters": {"jsCode": js}})
}

/// Error Trigger → Code (`js`); settings as given.
fn error_workflow(name: &str, js: &str, settings: Value) -> Value {
    json!({
        "name": name,
        "nodes": [error_trigger(), code("Handle", js)],
        "connections": {"Error Trigger": link("Handle")},
        "settings": settings
    })
}

/// Webhook at `path` (answers at once) → Code that throws `boom`; settings as given.
fn failing_hook(name: &str, path: &str, settings: Value) -> Value {
    json!({
        "name": name,
        "nodes": [
            {"name": "Webhook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "position": [0, 0],
             "parameters": {"path": path, "httpMethod": "POST", "responseMode": "onReceived", "options": {}}},
            code("Code", "throw new Error('boom');")
        ],
        "connections": {"Webhook": link("Code")},
        "settings": settings
    })
}

async fn call(app: &TestApp, path: &str) {
    let res = app
        .client
        .post(app.url(&format!("/webhook/{path}")))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

fn trigger_item(execution: &Value) -> Value {
    execution["data"]["resultData"]["runData"]["Error Trigger"][0]["data"]["main"][0][0]["json"]
        .clone()
}

async fn a_failing_webhook_execution_runs_its_error_workflow_once_with_n8ns_payload(b: Backend) {
    let app = TestApp::spawn(b).await;
    let handler = activate(
        &app,
        &error_workflow("on error", "return $input.all();", json!({})),
    )
    .await;
    let handler_id = handler["id"].as_str().unwrap();
    let failing = activate(
        &app,
        &failing_hook("orders", "fails", json!({"errorWorkflow": handler_id})),
    )
    .await;
    let failing_id = failing["id"].as_str().unwrap();
    call(&app, "fails").await;

    let failed = finished_executions(&app, failing_id, 1).await;
    assert_eq!(failed[0]["status"], "error");
    let runs = finished_executions(&app, handler_id, 1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        finished_executions(&app, handler_id, 1).await.len(),
        1,
        "the error workflow ran once"
    );
    let run = &runs[0];
    assert_eq!(run["status"], "success", "{run}");
    assert_eq!(run["mode"], "error");
    let item = trigger_item(run);
    let failed_id = failed[0]["id"].as_str().unwrap();
    assert_eq!(item["execution"]["id"], failed_id);
    assert_eq!(
        item["execution"]["url"],
        format!("http://localhost:5678/api/v1/executions/{failed_id}")
    );
    assert!(
        item["execution"]["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("boom")),
        "{item}"
    );
    assert!(item["execution"]["error"]["stack"].is_string(), "{item}");
    assert_eq!(item["execution"]["lastNodeExecuted"], "Code");
    assert_eq!(item["execution"]["mode"], "webhook");
    assert!(item["execution"].get("retryOf").is_none(), "{item}");
    let context = &item["execution"]["executionContext"];
    assert_eq!(context["version"], 1, "{item}");
    assert_eq!(context["source"], "webhook", "{item}");
    assert_eq!(
        context["triggerNode"],
        json!({"name": "Webhook", "type": "n8n-nodes-base.webhook"})
    );
    assert!(context["establishedAt"].is_i64(), "{item}");
    assert_eq!(
        item["workflow"],
        json!({"id": failing_id, "name": "orders"})
    );

    // A run started by hand does not run the error workflow (as n8n).
    let res = app
        .post_json(&format!("/api/v1/workflows/{failing_id}/run"), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(finished_executions(&app, handler_id, 1).await.len(), 1);
}

async fn an_error_workflow_that_fails_does_not_start_another_and_a_missing_one_is_not_fatal(
    b: Backend,
) {
    let app = TestApp::spawn(b).await;
    let handler = activate(
        &app,
        &error_workflow("broken handler", "throw new Error('again');", json!({})),
    )
    .await;
    let handler_id = handler["id"].as_str().unwrap().to_owned();
    // The handler names itself as its error workflow: its failure must not start it again.
    let own = error_workflow(
        "broken handler",
        "throw new Error('again');",
        json!({"errorWorkflow": handler_id}),
    );
    let res = app
        .put_json(&format!("/api/v1/workflows/{handler_id}"), &own)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    activate(
        &app,
        &failing_hook("orders", "fails", json!({"errorWorkflow": handler_id})),
    )
    .await;
    call(&app, "fails").await;
    let runs = finished_executions(&app, &handler_id, 1).await;
    assert_eq!(runs[0]["status"], "error");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        finished_executions(&app, &handler_id, 1).await.len(),
        1,
        "no loop"
    );

    let missing = uuid::Uuid::now_v7().to_string();
    let lost = activate(
        &app,
        &failing_hook("lost", "lost", json!({"errorWorkflow": missing})),
    )
    .await;
    call(&app, "lost").await;
    let failed = finished_executions(&app, lost["id"].as_str().unwrap(), 1).await;
    assert_eq!(failed[0]["status"], "error");
    call(&app, "lost").await;
    assert_eq!(
        finished_executions(&app, lost["id"].as_str().unwrap(), 2)
            .await
            .len(),
        2
    );
}

async fn a_workflow_with_an_error_trigger_and_no_setting_is_its_own_error_workflow(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut wf = failing_hook("self-handling", "self", json!({}));
    let nodes = wf["nodes"].as_array_mut().unwrap();
    nodes.push(error_trigger());
    nodes.push(
        json!({"name": "Noted", "type": "n8n-nodes-base.noOp", "typeVersion": 1,
                      "position": [200, 200], "parameters": {}}),
    );
    wf["connections"]["Error Trigger"] = link("Noted");
    let wf = activate(&app, &wf).await;
    let id = wf["id"].as_str().unwrap();
    call(&app, "self").await;
    let runs = finished_executions(&app, id, 2).await;
    let error_run = runs
        .iter()
        .find(|r| r["mode"] == "error")
        .expect("an error-mode run of itself");
    assert_eq!(error_run["status"], "success", "{error_run}");
    assert_eq!(trigger_item(error_run)["workflow"]["id"], id);
}
