//! Retrying a failed execution, as n8n does: the new execution (mode `retry`) keeps the data of
//! the nodes that ran and runs again from the node that failed, with the input it had, so a
//! webhook's body reaches it and the nodes before it do not run twice. Compared with what real
//! n8n 2.41.1 did (`tests/n8n/recorded/retries.json`, by `record-retries.py` beside it).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, finished_executions, link};
use crate::on_both_backends;
use crate::webhooks::activate;

on_both_backends!(
    a_retry_runs_again_from_the_failed_node_with_the_data_before_it,
    with_load_workflow_a_retry_runs_the_workflow_as_saved_now,
    retries_run_as_n8n_recorded_them,
);

fn code(name: &str, js: &str) -> Value {
    json!({"name": name, "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [0, 0],
           "parameters": {"jsCode": js}})
}

fn start_time(execution: &Value, node: &str) -> Value {
    execution["data"]["resultData"]["runData"][node][0]["startTime"].clone()
}

fn gated() -> Value {
    json!({
        "name": "gated",
        "nodes": [
            {"name": "Webhook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "position": [0, 0],
             "parameters": {"path": "gated", "httpMethod": "POST", "responseMode": "onReceived", "options": {}}},
            code("Stamp", "return $input.all().map(i => ({json: {...i.json, stamped: Date.now()}}));"),
            code("Gate", "if ($vars.gate !== 'open') throw new Error('closed'); return $input.all();"),
        ],
        "connections": {"Webhook": link("Stamp"), "Stamp": link("Gate")},
        "settings": {}
    })
}

/// Activates the gated workflow, calls it once and answers its id and the failed execution.
async fn failed_once(app: &TestApp) -> (String, Value) {
    let id = activate(app, &gated()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .client
        .post(app.url("/webhook/gated"))
        .json(&json!({"order": 7}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let failed = finished_executions(app, &id, 1).await[0].clone();
    (id, failed)
}

async fn retry(app: &TestApp, execution: &Value, body: Value) -> (StatusCode, Value) {
    let id = execution["id"].as_str().unwrap();
    let res = app
        .post_json(&format!("/api/v1/executions/{id}/retry"), &body)
        .await;
    (res.status(), res.json().await.unwrap())
}

async fn a_retry_runs_again_from_the_failed_node_with_the_data_before_it(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (id, failed) = failed_once(&app).await;
    assert_eq!(failed["status"], "error", "{failed}");
    assert_eq!(failed["data"]["resultData"]["lastNodeExecuted"], "Gate");

    let res = app
        .post_json(
            "/api/v1/variables",
            &json!({"key": "gate", "value": "open"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let failed_id = failed["id"].as_str().unwrap();
    let res = app
        .post_json(&format!("/api/v1/executions/{failed_id}/retry"), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let retry: Value = res.json().await.unwrap();
    assert_eq!(retry["status"], "success", "{retry}");
    assert_eq!(retry["mode"], "retry");
    assert_eq!(retry["retryOf"], failed["id"]);
    let retry = finished_executions(&app, &id, 2).await[0].clone();
    // The nodes before the failed one kept their runs (not run again)...
    for node in ["Webhook", "Stamp"] {
        assert_eq!(
            start_time(&retry, node),
            start_time(&failed, node),
            "{node}"
        );
    }
    // ...and the failed one ran again, once, with the webhook's body.
    let runs = &retry["data"]["resultData"]["runData"]["Gate"];
    assert_eq!(runs.as_array().map(Vec::len), Some(1), "{retry}");
    let out = &runs[0]["data"]["main"][0][0]["json"];
    assert_eq!(out["body"]["order"], 7, "{retry}");
    assert_eq!(
        out["stamped"],
        failed["data"]["resultData"]["runData"]["Stamp"][0]["data"]["main"][0][0]["json"]["stamped"]
    );
    assert!(retry["data"]["resultData"]["error"].is_null(), "{retry}");
}

async fn with_load_workflow_a_retry_runs_the_workflow_as_saved_now(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (id, failed) = failed_once(&app).await;
    assert_eq!(failed["status"], "error", "{failed}");
    // The failed node is fixed in the saved workflow.
    let mut fixed = gated();
    fixed["nodes"][2] = code(
        "Gate",
        "return $input.all().map(i => ({json: {...i.json, fixed: true}}));",
    );
    let res = app
        .put_json(&format!("/api/v1/workflows/{id}"), &fixed)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // As it was then: fails again.
    let (status, as_then) = retry(&app, &failed, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(as_then["status"], "error", "{as_then}");
    // As saved now: the fixed node runs on the webhook's data.
    let (status, as_now) = retry(&app, &failed, json!({"loadWorkflow": true})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(as_now["status"], "success", "{as_now}");
    let out = &as_now["data"]["resultData"]["runData"]["Gate"][0]["data"]["main"][0][0]["json"];
    assert_eq!(out["fixed"], true, "{as_now}");
    assert_eq!(out["body"]["order"], 7, "{as_now}");
    // A JSON null is no body: as it was then.
    let (status, null_body) = retry(&app, &failed, Value::Null).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(null_body["status"], "error", "{null_body}");
    // A body that is not n8n's is refused.
    let (status, problem) = retry(&app, &failed, json!({"loadWorkflow": "yes"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
}

/// The same facts the recording keeps of a retry (`tests/n8n/recorded/retries.json`).
async fn facts(app: &TestApp, failed: &Value, body: Value) -> Value {
    let (status, started) = retry(app, failed, body).await;
    let id = started["id"].as_str().unwrap();
    let e: Value = app
        .get(&format!("/api/v1/executions/{id}?includeData=true"))
        .await
        .json()
        .await
        .unwrap();
    let runs = &e["data"]["resultData"]["runData"];
    let before = &failed["data"]["resultData"]["runData"];
    let mut kept: Vec<&String> = runs
        .as_object()
        .unwrap()
        .keys()
        .filter(|n| {
            before.get(n.as_str()).is_some()
                && runs[n.as_str()][0]["startTime"] == before[n.as_str()][0]["startTime"]
        })
        .collect();
    kept.sort();
    let gate = runs["Gate"].as_array().cloned().unwrap_or_default();
    let out = gate
        .last()
        .and_then(|r| r["data"]["main"][0].as_array().cloned())
        .unwrap_or_default();
    json!({
        "httpStatus": status.as_u16(), "status": e["status"], "mode": e["mode"],
        "retryOfIsTheFailed": e["retryOf"] == failed["id"],
        "keptFromTheFailedRun": kept, "gateRuns": gate.len(),
        "gateOutput": out.iter().map(|i| i["json"].get("fixed").cloned().unwrap_or(Value::Null)).collect::<Vec<_>>(),
        "gateSawBody": out.iter().map(|i| i["json"]["body"].clone()).collect::<Vec<_>>(),
        "error": e["data"]["resultData"]["error"]["message"],
    })
}

async fn retries_run_as_n8n_recorded_them(b: Backend) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/n8n/recorded/retries.json"
    );
    let n8n: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let n8n = &n8n["answers"];
    let app = TestApp::spawn(b).await;
    let (id, failed) = failed_once(&app).await;
    assert_eq!(failed["status"], n8n["failed"]["status"]);
    assert_eq!(
        failed["data"]["resultData"]["lastNodeExecuted"],
        n8n["failed"]["lastNodeExecuted"]
    );
    let mut fixed = gated();
    fixed["nodes"][2] = code(
        "Gate",
        "return $input.all().map(i => ({json: {...i.json, fixed: true}}));",
    );
    let res = app
        .put_json(&format!("/api/v1/workflows/{id}"), &fixed)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(facts(&app, &failed, json!({})).await, n8n["asThen"]);
    assert_eq!(
        facts(&app, &failed, json!({"loadWorkflow": true})).await,
        n8n["asSavedNow"]
    );
}
