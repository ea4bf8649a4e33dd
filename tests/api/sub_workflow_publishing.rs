//! Sub-workflows as n8n 2.41.1 publishes them (`tests/n8n/recorded/sub-workflow-publishing.json`,
//! recorded through its public API by `record-sub-workflow-publishing.py` beside it), with
//! "published" read as "active": a workflow whose only trigger is an Execute Workflow Trigger
//! can be activated; a caller of an inactive workflow cannot; a production run calls only an
//! active one, while a run by hand calls the current version of any.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(
    sub_workflows_are_activated_checked_and_called_as_n8n_publishes_them,
    a_run_by_hand_calls_a_sub_workflow_that_is_not_active,
);

fn recorded() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/n8n/recorded/sub-workflow-publishing.json"
    );
    let all: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    all["answers"].clone()
}

fn sub(name: &str) -> Value {
    json!({
        "name": name,
        "nodes": [
            {"name": "When Executed by Another Workflow", "type": "n8n-nodes-base.executeWorkflowTrigger",
             "typeVersion": 1.1, "position": [0, 0], "parameters": {"inputSource": "passthrough"}},
            {"name": "Set", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "position": [200, 0],
             "parameters": {"assignments": {"assignments": [
                 {"id": "a", "name": "sub", "value": "yes", "type": "string"}]}, "options": {}}}
        ],
        "connections": {"When Executed by Another Workflow":
            {"main": [[{"node": "Set", "type": "main", "index": 0}]]}},
        "settings": {}
    })
}

fn call(sub_id: &str) -> Value {
    json!({"name": "Call", "type": "n8n-nodes-base.executeWorkflow", "typeVersion": 1.2,
           "position": [200, 0],
           "parameters": {"source": "database", "options": {},
                          "workflowId": {"__rl": true, "value": sub_id, "mode": "id"}}})
}

fn caller(name: &str, path: &str, sub_id: &str) -> Value {
    json!({
        "name": name,
        "nodes": [
            {"name": "Webhook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "position": [0, 0],
             "parameters": {"path": path, "httpMethod": "POST", "responseMode": "lastNode", "options": {}}},
            call(sub_id)
        ],
        "connections": {"Webhook": {"main": [[{"node": "Call", "type": "main", "index": 0}]]}},
        "settings": {}
    })
}

async fn id_of(app: &TestApp, wf: &Value) -> String {
    app.create_workflow(wf).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Status and `{message}` of an activation or deactivation, as the recording keeps them.
async fn switch(app: &TestApp, id: &str, to: &str) -> Value {
    let res = app
        .post_json(&format!("/api/v1/workflows/{id}/{to}"), &json!({}))
        .await;
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    if status == 200 {
        json!({"status": status})
    } else {
        json!({"status": status, "message": body["message"]})
    }
}

async fn post_hook(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let res = app
        .client
        .post(app.url(&format!("/webhook/{path}")))
        .json(&json!({"x": 1}))
        .send()
        .await
        .unwrap();
    (res.status(), res.json().await.unwrap_or(Value::Null))
}

async fn sub_workflows_are_activated_checked_and_called_as_n8n_publishes_them(b: Backend) {
    let app = TestApp::spawn(b).await;
    let n8n = recorded();
    let sub_id = id_of(&app, &sub("sub")).await;
    assert_eq!(
        switch(&app, &sub_id, "activate").await,
        n8n["activateSubWorkflowTriggerOnly"]
    );
    let manual = json!({"name": "manual", "connections": {}, "settings": {},
        "nodes": [{"name": "Manual", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1,
                   "position": [0, 0], "parameters": {}}]});
    let manual_id = id_of(&app, &manual).await;
    assert_eq!(
        switch(&app, &manual_id, "activate").await,
        n8n["activateManualTriggerOnly"]
    );

    let inactive_id = id_of(&app, &sub("inactive sub")).await;
    let refused = id_of(
        &app,
        &caller("caller of inactive", "inactive", &inactive_id),
    )
    .await;
    let mut expected = n8n["activateCallerOfInactive"].clone();
    expected["message"] = json!(
        expected["message"]
            .as_str()
            .unwrap()
            .replace("{id}", &inactive_id)
            .replace("{name}", "inactive sub")
    );
    assert_eq!(switch(&app, &refused, "activate").await, expected);
    // Nor may an active workflow be changed to call it.
    let good = id_of(&app, &caller("caller", "active", &sub_id)).await;
    assert_eq!(
        switch(&app, &good, "activate").await,
        n8n["activateCallerOfActive"]
    );
    let res = app
        .put_json(
            &format!("/api/v1/workflows/{good}"),
            &caller("caller", "active", &inactive_id),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    let (status, body) = post_hook(&app, "active").await;
    let answer = &n8n["callWhileActive"];
    assert_eq!(status.as_u16(), answer["status"].as_u64().unwrap() as u16);
    assert_eq!(body, answer["body"]);

    assert_eq!(
        switch(&app, &sub_id, "deactivate").await,
        n8n["deactivateCalledWorkflow"]
    );
    let (status, body) = post_hook(&app, "active").await;
    let answer = &n8n["callWhileInactive"];
    assert_eq!(status.as_u16(), answer["status"].as_u64().unwrap() as u16);
    assert_eq!(body["message"], answer["body"]["message"]);
    let list: Value = app
        .get(&format!(
            "/api/v1/executions?workflowId={good}&includeData=true"
        ))
        .await
        .json()
        .await
        .unwrap();
    let newest = &list["data"][0];
    assert_eq!(newest["status"], answer["executionStatus"]);
    let result = &newest["data"]["resultData"];
    assert_eq!(result["lastNodeExecuted"], answer["lastNodeExecuted"]);
    assert_eq!(result["error"]["message"], answer["error"]);
}

async fn a_run_by_hand_calls_a_sub_workflow_that_is_not_active(b: Backend) {
    let app = TestApp::spawn(b).await;
    let sub_id = id_of(&app, &sub("draft sub")).await;
    let by_hand = json!({
        "name": "by hand", "settings": {},
        "nodes": [{"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1,
                   "position": [0, 0], "parameters": {}}, call(&sub_id)],
        "connections": {"Start": {"main": [[{"node": "Call", "type": "main", "index": 0}]]}}
    });
    let id = id_of(&app, &by_hand).await;
    let res = app
        .post_json(&format!("/api/v1/workflows/{id}/run"), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let ex: Value = res.json().await.unwrap();
    assert_eq!(ex["status"], "success", "{ex}");
    let out = &ex["data"]["resultData"]["runData"]["Call"][0]["data"]["main"][0][0]["json"];
    assert_eq!(out["sub"], "yes", "{ex}");
}
