//! HTTP Request with stored generic credentials, against this server's own guarded webhooks:
//! the credential is sent, a wrong one is refused, and a redirect to another origin drops it.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::credentials::create_credential;
use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;
use crate::webhooks::activate;

on_both_backends!(http_request_sends_its_stored_credential_and_drops_it_on_a_redirect_elsewhere,);

pub(crate) fn echo(credential: &Value) -> Value {
    json!({
        "name": "echo",
        "nodes": [{
            "name": "Webhook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "position": [0, 0],
            "webhookId": "3c1d2b4a-2222-4000-8000-000000000002",
            "parameters": {"path": "echo", "httpMethod": "GET", "responseMode": "lastNode",
                           "authentication": "headerAuth", "options": {}},
            "credentials": {"httpHeaderAuth": {"id": credential["id"], "name": credential["name"]}}
        }],
        "connections": {}, "settings": {"executionOrder": "v1"}
    })
}

/// Answers with a redirect to `to`.
fn bounce(path: &str, to: &str) -> Value {
    json!({
        "name": path,
        "nodes": [
            {"name": "Webhook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "position": [0, 0],
             "parameters": {"path": path, "httpMethod": "GET", "responseMode": "responseNode", "options": {}}},
            {"name": "Respond", "type": "n8n-nodes-base.respondToWebhook", "typeVersion": 1.1, "position": [200, 0],
             "parameters": {"respondWith": "redirect", "redirectURL": to, "options": {}}}
        ],
        "connections": {"Webhook": {"main": [[{"node": "Respond", "type": "main", "index": 0}]]}},
        "settings": {"executionOrder": "v1"}
    })
}

pub(crate) fn caller(url: &str, credential: &Value) -> Value {
    json!({
        "name": format!("call {url}"),
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0], "parameters": {}},
            {"name": "HTTP", "type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2, "position": [200, 0],
             "parameters": {"url": url, "authentication": "genericCredentialType",
                            "genericAuthType": "httpHeaderAuth", "options": {}},
             "credentials": {"httpHeaderAuth": {"id": credential["id"], "name": credential["name"]}}}
        ],
        "connections": {"Start": {"main": [[{"node": "HTTP", "type": "main", "index": 0}]]}},
        "settings": {"executionOrder": "v1"}
    })
}

/// Runs `wf` and returns the HTTP node's first item or the execution's error message.
async fn run(app: &TestApp, wf: &Value) -> Result<Value, String> {
    let created = app.create_workflow(wf).await;
    let res = app
        .post_json(
            &format!("/api/v1/workflows/{}/run", created["id"].as_str().unwrap()),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let ex: Value = res.json().await.unwrap();
    match ex["data"]["resultData"]["error"]["message"].as_str() {
        Some(message) => Err(message.to_owned()),
        None => Ok(
            ex["data"]["resultData"]["runData"]["HTTP"][0]["data"]["main"][0][0]["json"].clone(),
        ),
    }
}

async fn http_request_sends_its_stored_credential_and_drops_it_on_a_redirect_elsewhere(b: Backend) {
    let app = TestApp::spawn_with(b, |s| s.nodes.http_allow = "127.0.0.1,localhost".into()).await;
    let port = app.address.rsplit(':').next().unwrap().to_owned();
    let key = create_credential(
        &app,
        "Echo key",
        "httpHeaderAuth",
        json!({"name": "X-Echo-Key", "value": "e-1"}),
    )
    .await;
    let wrong = create_credential(
        &app,
        "Wrong key",
        "httpHeaderAuth",
        json!({"name": "X-Echo-Key", "value": "nope"}),
    )
    .await;
    activate(&app, &echo(&key)).await;
    let local = format!("http://127.0.0.1:{port}");
    activate(&app, &bounce("same", &format!("{local}/webhook/echo"))).await;
    activate(
        &app,
        &bounce(
            "elsewhere",
            &format!("http://localhost:{port}/webhook/echo"),
        ),
    )
    .await;

    let got = run(&app, &caller(&format!("{local}/webhook/echo"), &key))
        .await
        .unwrap();
    assert_eq!(got["headers"]["x-echo-key"], "e-1", "{got}");
    let refused = run(&app, &caller(&format!("{local}/webhook/echo"), &wrong))
        .await
        .unwrap_err();
    assert!(refused.starts_with("Forbidden"), "{refused}");
    let kept = run(&app, &caller(&format!("{local}/webhook/same"), &key))
        .await
        .unwrap();
    assert_eq!(kept["headers"]["x-echo-key"], "e-1", "same origin keeps it");
    let dropped = run(&app, &caller(&format!("{local}/webhook/elsewhere"), &key))
        .await
        .unwrap_err();
    assert!(
        dropped.starts_with("Forbidden"),
        "another origin must not get the credential: {dropped}"
    );
    let mut missing = caller(&format!("{local}/webhook/echo"), &key);
    missing["nodes"][1]["credentials"] = json!({});
    let err = run(&app, &missing).await.unwrap_err();
    assert!(err.contains("does not have any credentials"), "{err}");
}
