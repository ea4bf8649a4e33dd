//! Error workflows as real n8n 2.41.1 ran them (`tests/n8n/recorded/error-workflows.json`,
//! recorded through its public API by `record-error-workflows.py` beside it), replayed here: the
//! same workflows, the same calls, and field by field the same executions and Error Trigger
//! items, but for ids, times, stacks past their first line, and what the recording's notes
//! in the README list (n8n's error-reporting fields, its `redaction` context).

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, link};
use crate::on_both_backends;
use crate::webhooks::activate;

on_both_backends!(every_recorded_error_workflow_case_runs_as_on_n8n);

fn recorded() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/n8n/recorded/error-workflows.json"
    );
    let all: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    all["cases"].clone()
}

fn node(name: &str, node_type: &str, version: f64, parameters: Value) -> Value {
    json!({"name": name, "type": node_type, "typeVersion": version, "position": [0, 0],
           "parameters": parameters})
}

fn hook(path: &str) -> Value {
    node(
        "Webhook",
        "n8n-nodes-base.webhook",
        2.0,
        json!({"path": path, "httpMethod": "POST", "responseMode": "onReceived", "options": {}}),
    )
}

fn throws(name: &str, message: &str) -> Value {
    let js = format!("throw new Error('{message}');");
    node(name, "n8n-nodes-base.code", 2.0, json!({"jsCode": js}))
}

fn busy(name: &str, ms: u64) -> Value {
    let js = format!(
        "const end = Date.now() + {ms}; while (Date.now() < end) {{}} return $input.all();"
    );
    node(name, "n8n-nodes-base.code", 2.0, json!({"jsCode": js}))
}

fn trigger() -> Value {
    node(
        "Error Trigger",
        "n8n-nodes-base.errorTrigger",
        1.0,
        json!({}),
    )
}

fn workflow(name: &str, nodes: Vec<Value>, connections: Value, settings: Value) -> Value {
    json!({"name": name, "nodes": nodes, "connections": connections, "settings": settings})
}

async fn create(app: &TestApp, wf: &Value) -> String {
    app.create_workflow(wf).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn activated(app: &TestApp, wf: &Value) -> String {
    activate(app, wf).await["id"].as_str().unwrap().to_owned()
}

async fn call(app: &TestApp, path: &str) {
    let res = app
        .client
        .post(app.url(&format!("/webhook/{path}")))
        .json(&json!({"x": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

async fn executions(app: &TestApp, workflow: &str) -> Vec<Value> {
    let list: Value = app
        .get(&format!(
            "/api/v1/executions?workflowId={workflow}&includeData=true"
        ))
        .await
        .json()
        .await
        .unwrap();
    list["data"].as_array().unwrap().clone()
}

/// The executions of `workflows` once all have finished and `expected` of them exist, after a
/// quiet second in which nothing more started.
async fn settle(app: &TestApp, workflows: &[&str], expected: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mut all = Vec::new();
        for w in workflows {
            all.extend(executions(app, w).await);
        }
        let done = all
            .iter()
            .all(|e| !matches!(e["status"].as_str(), Some("new" | "running")));
        if done && all.len() >= expected {
            break;
        }
        assert!(Instant::now() < deadline, "not settled: {all:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// What the recording keeps of an execution, from one of ours.
fn summary(e: &Value) -> Value {
    let result = &e["data"]["resultData"];
    let mut nodes: Vec<&String> = result["runData"]
        .as_object()
        .map(|m| m.keys().collect())
        .unwrap_or_default();
    nodes.sort();
    let item = &result["runData"]["Error Trigger"][0]["data"]["main"][0][0]["json"];
    json!({"status": e["status"], "mode": e["mode"], "lastNodeExecuted": result["lastNodeExecuted"],
           "error": result["error"], "errorTriggerItem": item, "nodesRun": nodes})
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    k.sort();
    k
}

/// A stack's first line without the error's name: `boom [line 1]`.
fn first_line(v: &Value) -> &str {
    let line = v
        .as_str()
        .unwrap_or_default()
        .lines()
        .next()
        .unwrap_or_default();
    line.split_once(": ").map_or(line, |(_, rest)| rest)
}

/// Compares one of our executions with n8n's: status, mode, last node, error message and
/// name (when `same_error`), nodes run (when `same_nodes`).
fn same_execution(case: &str, ours: &Value, theirs: &Value, same_error: bool, same_nodes: bool) {
    let ours = summary(ours);
    for field in ["status", "mode"] {
        assert_eq!(ours[field], theirs[field], "{case}: {field}\n{ours}");
    }
    if same_nodes {
        assert_eq!(ours["nodesRun"], theirs["nodesRun"], "{case}: nodes run");
        assert_eq!(
            ours["lastNodeExecuted"], theirs["lastNodeExecuted"],
            "{case}"
        );
    }
    assert_eq!(
        ours["error"].is_null(),
        theirs["error"].is_null(),
        "{case}: error\n{ours}"
    );
    if same_error && theirs["error"].is_object() {
        assert_eq!(
            ours["error"]["message"], theirs["error"]["message"],
            "{case}"
        );
        // Cancellations carry n8n's error names; a Code node's error is a NodeOperationError
        // here, n8n 2's task runner wraps it as a WrappedExecutionError (README).
        if let Some(name) = theirs["error"]
            .get("name")
            .filter(|n| n.as_str().is_some_and(|n| n.ends_with("CancelledError")))
        {
            assert_eq!(&ours["error"]["name"], name, "{case}");
        }
    }
}

/// Compares the Error Trigger item of our error run with n8n's; `failed` is the execution it
/// reports on, `workflow` that execution's workflow (id, name).
fn same_item(case: &str, ours: &Value, theirs: &Value, failed: &Value, workflow: (&str, &str)) {
    let item = &summary(ours)["errorTriggerItem"];
    let theirs = &theirs["errorTriggerItem"];
    assert_eq!(keys(item), keys(theirs), "{case}: item\n{item}");
    let (e, t) = (&item["execution"], &theirs["execution"]);
    assert_eq!(keys(e), keys(t), "{case}: execution\n{item}");
    assert_eq!(e["id"], failed["id"], "{case}");
    assert!(
        e["url"]
            .as_str()
            .is_some_and(|u| u.ends_with(failed["id"].as_str().unwrap()))
    );
    assert_eq!(e["mode"], t["mode"], "{case}");
    assert_eq!(e["lastNodeExecuted"], t["lastNodeExecuted"], "{case}");
    assert_eq!(
        e["error"]["message"], t["error"]["message"],
        "{case}\n{item}"
    );
    assert_eq!(
        first_line(&e["error"]["stack"]),
        first_line(&t["error"]["stack"]),
        "{case}"
    );
    let (c, tc) = (&e["executionContext"], &t["executionContext"]);
    for field in ["version", "source", "triggerNode"] {
        assert_eq!(c[field], tc[field], "{case}: executionContext.{field}");
    }
    assert!(c["establishedAt"].is_i64(), "{case}");
    assert_eq!(
        item["workflow"],
        json!({"id": workflow.0, "name": workflow.1}),
        "{case}"
    );
}

async fn every_recorded_error_workflow_case_runs_as_on_n8n(b: Backend) {
    let app = TestApp::spawn(b).await;
    let n8n = recorded();
    let (settings, own, inactive, loop_, stopped, timeout) = tokio::join!(
        settings_case(&app, &n8n["settings"]),
        own_case(&app, &n8n["own"]),
        inactive_case(&app, &n8n["inactive"]),
        loop_case(&app, &n8n["loop"]),
        stopped_case(&app, &n8n["stopped"]),
        timeout_case(&app, &n8n["timeout"]),
    );
    println!(
        "error workflow cases as n8n: {settings}, {own}, {inactive}, {loop_}, {stopped}, {timeout}"
    );
}

/// A webhook workflow whose Code node throws names an active error workflow.
async fn settings_case(app: &TestApp, n8n: &Value) -> &'static str {
    let name = n8n["workflowName"].as_str().unwrap();
    let handler = activated(
        app,
        &workflow("on error", vec![trigger()], json!({}), json!({})),
    )
    .await;
    let failing = activated(
        app,
        &workflow(
            name,
            vec![hook("fails"), throws("Code", "boom")],
            json!({"Webhook": link("Code")}),
            json!({"errorWorkflow": handler}),
        ),
    )
    .await;
    call(app, "fails").await;
    settle(app, &[&failing, &handler], 2).await;
    let (failed, runs) = (
        executions(app, &failing).await,
        executions(app, &handler).await,
    );
    assert_eq!(failed.len(), 1);
    assert_eq!(
        runs.len(),
        n8n["errorWorkflow"].as_array().unwrap().len(),
        "runs once"
    );
    same_execution("settings", &failed[0], &n8n["failed"][0], true, true);
    same_execution("settings", &runs[0], &n8n["errorWorkflow"][0], true, true);
    same_item(
        "settings",
        &runs[0],
        &n8n["errorWorkflow"][0],
        &failed[0],
        (&failing, name),
    );
    "settings"
}

/// A webhook workflow with its own Error Trigger and no setting.
async fn own_case(app: &TestApp, n8n: &Value) -> &'static str {
    let name = n8n["workflowName"].as_str().unwrap();
    let id = activated(
        app,
        &workflow(
            name,
            vec![hook("own"), throws("Code", "boom"), trigger()],
            json!({"Webhook": link("Code")}),
            json!({}),
        ),
    )
    .await;
    call(app, "own").await;
    settle(app, &[&id], 2).await;
    let all = executions(app, &id).await;
    let recorded = n8n["executions"].as_array().unwrap();
    assert_eq!(all.len(), recorded.len());
    let pick =
        |list: &[Value], mode: &str| list.iter().find(|e| e["mode"] == mode).cloned().unwrap();
    let (failed, run) = (pick(&all, "webhook"), pick(&all, "error"));
    same_execution("own", &failed, &pick(recorded, "webhook"), true, true);
    same_execution("own", &run, &pick(recorded, "error"), true, true);
    same_item("own", &run, &pick(recorded, "error"), &failed, (&id, name));
    "own"
}

/// The error workflow exists but is not active: n8n 2 does not run it.
async fn inactive_case(app: &TestApp, n8n: &Value) -> &'static str {
    let handler = create(
        app,
        &workflow("inactive handler", vec![trigger()], json!({}), json!({})),
    )
    .await;
    let failing = activated(
        app,
        &workflow(
            "inactive source",
            vec![hook("inactive"), throws("Code", "boom")],
            json!({"Webhook": link("Code")}),
            json!({"errorWorkflow": handler}),
        ),
    )
    .await;
    call(app, "inactive").await;
    settle(app, &[&failing, &handler], 1).await;
    same_execution(
        "inactive",
        &executions(app, &failing).await[0],
        &n8n["failed"][0],
        true,
        true,
    );
    assert_eq!(n8n["errorWorkflow"], json!([]));
    assert!(
        executions(app, &handler).await.is_empty(),
        "an inactive error workflow runs"
    );
    "inactive"
}

/// The error workflow fails too and names itself: it runs once, failed, and nothing loops.
async fn loop_case(app: &TestApp, n8n: &Value) -> &'static str {
    let nodes = vec![trigger(), throws("Handle", "handler broke")];
    let connections = json!({"Error Trigger": link("Handle")});
    let handler = activated(
        app,
        &workflow(
            "failing handler",
            nodes.clone(),
            connections.clone(),
            json!({}),
        ),
    )
    .await;
    let own = workflow(
        "failing handler",
        nodes,
        connections,
        json!({"errorWorkflow": handler}),
    );
    let res = app
        .put_json(&format!("/api/v1/workflows/{handler}"), &own)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let failing = activated(
        app,
        &workflow(
            "loop source",
            vec![hook("loop"), throws("Code", "boom")],
            json!({"Webhook": link("Code")}),
            json!({"errorWorkflow": handler}),
        ),
    )
    .await;
    call(app, "loop").await;
    settle(app, &[&failing, &handler], 2).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (failed, runs) = (
        executions(app, &failing).await,
        executions(app, &handler).await,
    );
    assert_eq!(
        runs.len(),
        n8n["errorWorkflow"].as_array().unwrap().len(),
        "no loop"
    );
    same_execution("loop", &failed[0], &n8n["failed"][0], true, true);
    same_execution("loop", &runs[0], &n8n["errorWorkflow"][0], true, true);
    same_item(
        "loop",
        &runs[0],
        &n8n["errorWorkflow"][0],
        &failed[0],
        (&failing, "loop source"),
    );
    "loop"
}

/// The failing workflow is stopped through the API while it runs: canceled, with n8n's
/// error, and the error workflow runs.
async fn stopped_case(app: &TestApp, n8n: &Value) -> &'static str {
    let handler = activated(
        app,
        &workflow("stop handler", vec![trigger()], json!({}), json!({})),
    )
    .await;
    let slow = activated(
        app,
        &workflow(
            "stopped",
            vec![hook("stopped"), busy("Busy", 1500), busy("Busy 2", 1500)],
            json!({"Webhook": link("Busy"), "Busy": link("Busy 2")}),
            json!({"errorWorkflow": handler}),
        ),
    )
    .await;
    call(app, "stopped").await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let running = loop {
        let list: Value = app
            .get(&format!(
                "/api/v1/executions?workflowId={slow}&status=running"
            ))
            .await
            .json()
            .await
            .unwrap();
        if let Some(e) = list["data"].as_array().and_then(|a| a.first()) {
            break e["id"].as_str().unwrap().to_owned();
        }
        assert!(Instant::now() < deadline, "it never ran");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let res = app
        .post_json(&format!("/api/v1/executions/{running}/stop"), &json!({}))
        .await;
    assert_eq!(
        res.status().as_u16(),
        n8n["stopStatus"].as_u64().unwrap() as u16
    );
    settle(app, &[&slow, &handler], 2).await;
    let (failed, runs) = (
        executions(app, &slow).await,
        executions(app, &handler).await,
    );
    // n8n drops the stopped run's node data; Weft keeps what ran.
    same_execution("stopped", &failed[0], &n8n["failed"][0], true, false);
    assert_eq!(runs.len(), 1, "the error workflow runs once");
    same_execution("stopped", &runs[0], &n8n["errorWorkflow"][0], true, true);
    let item = &summary(&runs[0])["errorTriggerItem"];
    assert_eq!(item["execution"]["id"], failed[0]["id"]);
    assert_eq!(
        item["execution"]["error"]["message"],
        "The execution was cancelled manually"
    );
    assert_eq!(
        keys(&item["execution"]),
        keys(&n8n["errorWorkflow"][0]["errorTriggerItem"]["execution"])
    );
    "stopped"
}

/// The failing workflow runs past its `executionTimeout` (1 s): canceled, and the error
/// workflow runs. (n8n's error here is its Code task runner's; Weft's is n8n's own
/// TimeoutExecutionCancelledError.)
async fn timeout_case(app: &TestApp, n8n: &Value) -> &'static str {
    let handler = activated(
        app,
        &workflow("timeout handler", vec![trigger()], json!({}), json!({})),
    )
    .await;
    let slow = activated(
        app,
        &workflow(
            "slow",
            vec![hook("timeout"), busy("Busy", 1500), busy("Busy 2", 1500)],
            json!({"Webhook": link("Busy"), "Busy": link("Busy 2")}),
            json!({"errorWorkflow": handler, "executionTimeout": 1}),
        ),
    )
    .await;
    call(app, "timeout").await;
    settle(app, &[&slow, &handler], 2).await;
    let (failed, runs) = (
        executions(app, &slow).await,
        executions(app, &handler).await,
    );
    same_execution("timeout", &failed[0], &n8n["failed"][0], false, false);
    assert_eq!(
        summary(&failed[0])["error"]["message"],
        "The execution was cancelled because it timed out"
    );
    assert_eq!(runs.len(), n8n["errorWorkflow"].as_array().unwrap().len());
    same_execution("timeout", &runs[0], &n8n["errorWorkflow"][0], true, true);
    "timeout"
}
