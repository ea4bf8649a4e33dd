//! Execute Workflow against stored workflows: by id, the caller policy, fire and forget.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(
    the_sub_workflows_trigger_keeps_only_its_declared_inputs,
    a_stored_workflow_runs_as_a_sub_workflow_and_returns_its_last_nodes_items,
    a_sub_workflow_whose_caller_policy_refuses_callers_fails_the_caller,
    without_waiting_the_caller_passes_its_items_on_and_the_sub_workflow_runs_as_its_own_execution,
    a_missing_sub_workflow_is_a_node_error_naming_its_id,
);

pub(crate) fn sub_workflow(settings: Value) -> Value {
    json!({
        "name": "sub",
        "nodes": [
            {"name": "Called", "type": "n8n-nodes-base.executeWorkflowTrigger", "typeVersion": 1.1, "position": [0, 0], "parameters": {"inputSource": "passthrough"}},
            {"name": "Shout", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [200, 0],
             "parameters": {"jsCode": "return $input.all().map(i => ({json: {word: i.json.word.toUpperCase(), mode: $execution.mode}}));"}}
        ],
        "connections": {"Called": {"main": [[{"node": "Shout", "type": "main", "index": 0}]]}},
        "settings": settings
    })
}

pub(crate) fn caller(sub_id: &str, wait: bool) -> Value {
    json!({
        "name": "caller",
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0], "parameters": {}},
            {"name": "Words", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [200, 0],
             "parameters": {"jsCode": "return [{json: {word: 'a'}}, {json: {word: 'b'}}];"}},
            {"name": "Call", "type": "n8n-nodes-base.executeWorkflow", "typeVersion": 1.2, "position": [400, 0],
             "parameters": {"workflowId": {"__rl": true, "value": sub_id, "mode": "list"}, "options": {"waitForSubWorkflow": wait}}}
        ],
        "connections": {
            "Start": {"main": [[{"node": "Words", "type": "main", "index": 0}]]},
            "Words": {"main": [[{"node": "Call", "type": "main", "index": 0}]]}
        },
        "settings": {"executionOrder": "v1"}
    })
}

async fn run(app: &TestApp, id: &str) -> Value {
    let res = app
        .post_json(&format!("/api/v1/workflows/{id}/run"), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn output(ex: &Value, node: &str) -> Vec<Value> {
    ex["data"]["resultData"]["runData"][node][0]["data"]["main"][0]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|i| i["json"].clone())
        .collect()
}

async fn a_stored_workflow_runs_as_a_sub_workflow_and_returns_its_last_nodes_items(b: Backend) {
    let app = TestApp::spawn(b).await;
    let sub = app.create_workflow(&sub_workflow(json!({}))).await;
    let wf = app
        .create_workflow(&caller(sub["id"].as_str().unwrap(), true))
        .await;
    let ex = run(&app, wf["id"].as_str().unwrap()).await;
    assert_eq!(ex["status"], "success", "{ex}");
    assert_eq!(
        output(&ex, "Call"),
        vec![
            json!({"word": "A", "mode": "integrated"}),
            json!({"word": "B", "mode": "integrated"})
        ]
    );
}

async fn a_sub_workflow_whose_caller_policy_refuses_callers_fails_the_caller(b: Backend) {
    let app = TestApp::spawn(b).await;
    let sub = app
        .create_workflow(&sub_workflow(json!({"callerPolicy": "none"})))
        .await;
    let sub_id = sub["id"].as_str().unwrap();
    let wf = app.create_workflow(&caller(sub_id, true)).await;
    let ex = run(&app, wf["id"].as_str().unwrap()).await;
    assert_eq!(ex["status"], "error");
    let error = &ex["data"]["resultData"]["error"];
    assert_eq!(
        error["message"],
        format!("The sub-workflow ({sub_id}) cannot be called by this workflow")
    );
    assert_eq!(error["node"]["name"], "Call");

    // A list that names the caller lets it through.
    let listed = app
        .create_workflow(&sub_workflow(
            json!({"callerPolicy": "workflowsFromAList", "callerIds": "x"}),
        ))
        .await;
    let wf2 = app
        .create_workflow(&caller(listed["id"].as_str().unwrap(), true))
        .await;
    let mut allowed = sub_workflow(
        json!({"callerPolicy": "workflowsFromAList", "callerIds": format!("other, {}", wf2["id"].as_str().unwrap())}),
    );
    allowed["name"] = json!("sub");
    let res = app
        .put_json(
            &format!("/api/v1/workflows/{}", listed["id"].as_str().unwrap()),
            &allowed,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let ex = run(&app, wf2["id"].as_str().unwrap()).await;
    assert_eq!(ex["status"], "success", "{ex}");
}

async fn without_waiting_the_caller_passes_its_items_on_and_the_sub_workflow_runs_as_its_own_execution(
    b: Backend,
) {
    let app = TestApp::spawn(b).await;
    let sub = app
        .create_workflow(&sub_workflow(json!({"saveDataSuccessExecution": "all"})))
        .await;
    let sub_id = sub["id"].as_str().unwrap();
    let wf = app.create_workflow(&caller(sub_id, false)).await;
    let ex = run(&app, wf["id"].as_str().unwrap()).await;
    assert_eq!(ex["status"], "success", "{ex}");
    assert_eq!(
        output(&ex, "Call"),
        vec![json!({"word": "a"}), json!({"word": "b"})]
    );
    let mut found = None;
    for _ in 0..100 {
        let list: Value = app
            .get(&format!(
                "/api/v1/executions?workflowId={sub_id}&includeData=true"
            ))
            .await
            .json()
            .await
            .unwrap();
        if let Some(first) = list["data"].as_array().and_then(|d| d.first())
            && first["status"] == "success"
        {
            found = Some(first.clone());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let sub_ex = found.expect("the sub-workflow ran as its own execution");
    assert_eq!(sub_ex["mode"], "integrated");
    assert_eq!(
        output(&sub_ex, "Shout"),
        vec![
            json!({"word": "A", "mode": "integrated"}),
            json!({"word": "B", "mode": "integrated"})
        ]
    );
}

async fn a_missing_sub_workflow_is_a_node_error_naming_its_id(b: Backend) {
    let app = TestApp::spawn(b).await;
    let missing = "01930000-0000-7000-8000-000000000000";
    let wf = app.create_workflow(&caller(missing, true)).await;
    let ex = run(&app, wf["id"].as_str().unwrap()).await;
    assert_eq!(ex["status"], "error");
    let message = ex["data"]["resultData"]["error"]["message"]
        .as_str()
        .unwrap();
    assert!(message.contains(missing), "{message}");
}

async fn the_sub_workflows_trigger_keeps_only_its_declared_inputs(b: Backend) {
    let app = TestApp::spawn(b).await;
    let trigger = |version: f64, parameters: Value| {
        json!({
            "name": "sub",
            "nodes": [
                {"name": "Called", "type": "n8n-nodes-base.executeWorkflowTrigger", "typeVersion": version, "position": [0, 0], "parameters": parameters},
                {"name": "Echo", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "position": [200, 0], "parameters": {}}
            ],
            "connections": {"Called": {"main": [[{"node": "Echo", "type": "main", "index": 0}]]}},
            "settings": {}
        })
    };
    let cases = [
        // Declared inputs: the item is trimmed to them, a missing one is null.
        (
            1.2,
            json!({"workflowInputs": {"values": [{"name": "word"}, {"name": "extra", "type": "number"}]}}),
            vec![
                json!({"word": "a", "extra": null}),
                json!({"word": "b", "extra": null}),
            ],
        ),
        // v1 and `passthrough` pass the items as they are.
        (
            1.0,
            json!({}),
            vec![json!({"word": "a"}), json!({"word": "b"})],
        ),
        (
            1.1,
            json!({"inputSource": "jsonExample", "jsonExample": "{\"word\": \"x\"}"}),
            vec![json!({"word": "a"}), json!({"word": "b"})],
        ),
    ];
    for (version, parameters, expected) in cases {
        let sub = app
            .create_workflow(&trigger(version, parameters.clone()))
            .await;
        let wf = app
            .create_workflow(&caller(sub["id"].as_str().unwrap(), true))
            .await;
        let ex = run(&app, wf["id"].as_str().unwrap()).await;
        assert_eq!(ex["status"], "success", "{ex}");
        assert_eq!(output(&ex, "Call"), expected, "{version} {parameters}");
    }
    // From 1.1 the default input mode is declared inputs: declaring none is an issue n8n
    // refuses to run (recorded from n8n 2.41.1).
    let sub = app.create_workflow(&trigger(1.1, json!({}))).await;
    let wf = app
        .create_workflow(&caller(sub["id"].as_str().unwrap(), true))
        .await;
    let ex = run(&app, wf["id"].as_str().unwrap()).await;
    assert_eq!(ex["status"], "error");
    assert_eq!(
        ex["data"]["resultData"]["error"]["message"],
        "The 'Called' node has issues:\n- At least 1 field is required."
    );
}
