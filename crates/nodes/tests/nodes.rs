//! Node behaviour beyond the conformance fixtures: Merge v1, static data, execution data.

use serde_json::{Value, json};
use weft_engine::run::{Executor, Item, RunOptions};
use weft_engine::{WorkflowDefinition, WorkflowDraft};

async fn merged(params: Value, left: &str, right: &str) -> Vec<Value> {
    let draft: WorkflowDraft = serde_json::from_value(json!({
        "name": "m",
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}, "position": [0, 0]},
            {"name": "L", "type": "n8n-nodes-base.code", "typeVersion": 2, "parameters": {"jsCode": left}, "position": [200, 0]},
            {"name": "R", "type": "n8n-nodes-base.code", "typeVersion": 2, "parameters": {"jsCode": right}, "position": [200, 200]},
            {"name": "Merge", "type": "n8n-nodes-base.merge", "typeVersion": 1, "parameters": params, "position": [400, 100]}
        ],
        "connections": {
            "Start": {"main": [[{"node": "L", "type": "main", "index": 0}, {"node": "R", "type": "main", "index": 0}]]},
            "L": {"main": [[{"node": "Merge", "type": "main", "index": 0}]]},
            "R": {"main": [[{"node": "Merge", "type": "main", "index": 1}]]}
        },
        "settings": {"executionOrder": "v1"}
    }))
    .unwrap();
    let def = WorkflowDefinition::try_from(draft).unwrap();
    let registry = weft_nodes::registry();
    let options = RunOptions {
        start_node: "Start".into(),
        start_items: vec![Item::default()],
        ..RunOptions::default()
    };
    let result = Executor::new(&def, &registry).run(options).await;
    assert!(
        result.result_data.error.is_none(),
        "{:?}",
        result.result_data.error
    );
    result.result_data.run_data["Merge"][0]
        .data
        .as_ref()
        .unwrap()
        .main[0]
        .iter()
        .map(|i| Value::Object(i.json.clone()))
        .collect()
}

const PEOPLE: &str = "return [{json: {id: 1, name: 'Ada'}}, {json: {id: 2, name: 'Alan'}}, {json: {id: 3, name: 'Grace'}}];";
const ROLES: &str =
    "return [{json: {pid: 2, role: 'eng', name: ''}}, {json: {pid: 1, role: 'math'}}];";

#[tokio::test]
async fn merge_by_key_adds_the_matching_fields() {
    let out = merged(
        json!({"mode": "mergeByKey", "propertyName1": "id", "propertyName2": "pid"}),
        PEOPLE,
        ROLES,
    )
    .await;
    assert_eq!(
        out,
        [
            json!({"id": 1, "name": "Ada", "role": "math"}),
            json!({"id": 2, "name": "", "role": "eng"}),
            json!({"id": 3, "name": "Grace"})
        ]
    );
    let keep = merged(json!({"mode": "mergeByKey", "propertyName1": "id", "propertyName2": "pid", "overwrite": "undefined"}), PEOPLE, ROLES).await;
    assert_eq!(keep[1], json!({"id": 2, "name": "Alan", "role": "eng"}));
}

#[tokio::test]
async fn key_matches_can_be_kept_or_removed() {
    let kept = merged(
        json!({"mode": "keepKeyMatches", "propertyName1": "id", "propertyName2": "pid"}),
        PEOPLE,
        ROLES,
    )
    .await;
    assert_eq!(
        kept.iter().map(|v| v["id"].clone()).collect::<Vec<_>>(),
        [json!(1), json!(2)]
    );
    let removed = merged(
        json!({"mode": "removeKeyMatches", "propertyName1": "id", "propertyName2": "pid"}),
        PEOPLE,
        ROLES,
    )
    .await;
    assert_eq!(removed, [json!({"id": 3, "name": "Grace"})]);
}

#[tokio::test]
async fn merge_by_index_joins_left_inner_or_outer() {
    let left = merged(json!({"mode": "mergeByIndex"}), PEOPLE, ROLES).await;
    assert_eq!(left.len(), 3);
    assert_eq!(
        left[0],
        json!({"id": 1, "name": "", "pid": 2, "role": "eng"})
    );
    assert_eq!(
        merged(
            json!({"mode": "mergeByIndex", "join": "inner"}),
            PEOPLE,
            ROLES
        )
        .await
        .len(),
        2
    );
    assert_eq!(
        merged(
            json!({"mode": "mergeByIndex", "join": "outer"}),
            ROLES,
            PEOPLE
        )
        .await
        .len(),
        3
    );
}

#[tokio::test]
async fn multiplex_wait_pass_through_and_append() {
    assert_eq!(
        merged(json!({"mode": "multiplex"}), PEOPLE, ROLES)
            .await
            .len(),
        6
    );
    assert_eq!(
        merged(json!({"mode": "wait"}), PEOPLE, ROLES).await,
        [json!({})]
    );
    assert_eq!(
        merged(
            json!({"mode": "passThrough", "output": "input2"}),
            PEOPLE,
            ROLES
        )
        .await
        .len(),
        2
    );
    assert_eq!(merged(json!({}), PEOPLE, ROLES).await.len(), 5);
}

#[tokio::test]
async fn code_reads_and_updates_workflow_static_data() {
    let draft: WorkflowDraft = serde_json::from_value(json!({
        "name": "s",
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
            {"name": "Count", "type": "n8n-nodes-base.code", "typeVersion": 2, "parameters": {"jsCode":
                "const s = $getWorkflowStaticData('global'); s.count = (s.count || 0) + 1; $getWorkflowStaticData('node').seen = true; return [{json: {count: s.count}}];"}}
        ],
        "connections": {"Start": {"main": [[{"node": "Count", "type": "main", "index": 0}]]}}
    }))
    .unwrap();
    let def = WorkflowDefinition::try_from(draft).unwrap();
    let registry = weft_nodes::registry();
    let options = RunOptions {
        start_node: "Start".into(),
        start_items: vec![Item::default()],
        static_data: json!({"global": {"count": 41}}),
        ..RunOptions::default()
    };
    let result = Executor::new(&def, &registry).run(options).await;
    let out = &result.result_data.run_data["Count"][0]
        .data
        .as_ref()
        .unwrap()
        .main[0][0];
    assert_eq!(out.json["count"], 42);
    assert_eq!(
        result.static_data,
        Some(json!({"global": {"count": 42}, "node:Count": {"seen": true}}))
    );
}

#[tokio::test]
async fn execution_data_saves_custom_data_and_passes_items_through() {
    let draft: WorkflowDraft = serde_json::from_value(json!({
        "name": "d",
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
            {"name": "Items", "type": "n8n-nodes-base.code", "typeVersion": 2, "parameters": {"jsCode": "return [{json: {id: 7}}];"}},
            {"name": "Save", "type": "n8n-nodes-base.executionData", "typeVersion": 1, "parameters":
                {"dataToSave": {"values": [{"key": "orderId", "value": "={{ $json.id }}"}]}}}
        ],
        "connections": {
            "Start": {"main": [[{"node": "Items", "type": "main", "index": 0}]]},
            "Items": {"main": [[{"node": "Save", "type": "main", "index": 0}]]}
        }
    }))
    .unwrap();
    let def = WorkflowDefinition::try_from(draft).unwrap();
    let registry = weft_nodes::registry();
    let options = RunOptions {
        start_node: "Start".into(),
        start_items: vec![Item::default()],
        ..RunOptions::default()
    };
    let result = Executor::new(&def, &registry).run(options).await;
    assert_eq!(
        result.result_data.metadata.get("orderId"),
        Some(&json!("7"))
    );
    let out = &result.result_data.run_data["Save"][0]
        .data
        .as_ref()
        .unwrap()
        .main[0];
    assert_eq!(out[0].json, *json!({"id": 7}).as_object().unwrap());
    let shown = serde_json::to_value(&result.result_data).unwrap();
    assert_eq!(shown["metadata"], json!({"orderId": "7"}));
}

#[tokio::test]
async fn wait_holds_items_for_the_interval_and_dates_follow_the_clock() {
    let draft: WorkflowDraft = serde_json::from_value(json!({
        "name": "w",
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
            {"name": "Before", "type": "n8n-nodes-base.code", "typeVersion": 2, "parameters": {"jsCode": "return [{json: {t: Date.now()}}];"}},
            {"name": "Wait", "type": "n8n-nodes-base.wait", "typeVersion": 1.1, "parameters": {"amount": 2, "unit": "hours"}},
            {"name": "After", "type": "n8n-nodes-base.code", "typeVersion": 2, "parameters": {"jsCode": "return [{json: {waited: Date.now() - $json.t, lux: $now.toMillis() - $json.t}}];"}}
        ],
        "connections": {
            "Start": {"main": [[{"node": "Before", "type": "main", "index": 0}]]},
            "Before": {"main": [[{"node": "Wait", "type": "main", "index": 0}]]},
            "Wait": {"main": [[{"node": "After", "type": "main", "index": 0}]]}
        }
    }))
    .unwrap();
    let def = WorkflowDefinition::try_from(draft).unwrap();
    let registry = weft_nodes::registry();
    let options = RunOptions {
        start_node: "Start".into(),
        start_items: vec![Item::default()],
        virtual_clock: true,
        ..RunOptions::default()
    };
    let started = std::time::Instant::now();
    let result = Executor::new(&def, &registry).run(options).await;
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "a virtual wait does not sleep"
    );
    let out = &result.result_data.run_data["After"][0]
        .data
        .as_ref()
        .unwrap()
        .main[0][0];
    let waited = out.json["waited"].as_f64().unwrap();
    assert!((7_200_000.0..7_260_000.0).contains(&waited), "{waited}");
    assert!(out.json["lux"].as_f64().unwrap() >= 7_200_000.0);
}

/// Runs `Start` (the given node) → `Next` (`next`, a node without name or position) with
/// `items`; what `Next` output.
async fn through(start: Value, next: Value, items: Vec<Value>) -> Vec<Value> {
    let place = |mut node: Value, name: &str, x: i64| {
        node["name"] = json!(name);
        node["position"] = json!([x, 0]);
        if node.get("parameters").is_none() {
            node["parameters"] = json!({});
        }
        node
    };
    let draft: WorkflowDraft = serde_json::from_value(json!({
        "name": "t",
        "nodes": [place(start, "Start", 0), place(next, "Next", 200)],
        "connections": {"Start": {"main": [[{"node": "Next", "type": "main", "index": 0}]]}},
        "settings": {"executionOrder": "v1"}
    }))
    .unwrap();
    let def = WorkflowDefinition::try_from(draft).unwrap();
    let registry = weft_nodes::registry();
    let result = Executor::new(&def, &registry)
        .run(RunOptions {
            start_node: "Start".into(),
            start_items: items.into_iter().map(Item::from_value).collect(),
            ..RunOptions::default()
        })
        .await;
    assert!(
        result.result_data.error.is_none(),
        "{:?}",
        result.result_data.error
    );
    output(&result, "Next")
}

/// The JSON of what `node`'s first run put on its first output.
fn output(result: &weft_engine::run::ExecutionResult, node: &str) -> Vec<Value> {
    result.result_data.run_data[node][0]
        .data
        .as_ref()
        .unwrap()
        .main[0]
        .iter()
        .map(|i| Value::Object(i.json.clone()))
        .collect()
}

#[tokio::test]
async fn every_trigger_version_emits_the_items_its_run_started_with() {
    let triggers = json!([
        {"type": "n8n-nodes-base.webhook", "typeVersion": 1},
        {"type": "n8n-nodes-base.webhook", "typeVersion": 1.1},
        {"type": "n8n-nodes-base.webhook", "typeVersion": 2.1},
        {"type": "n8n-nodes-base.scheduleTrigger", "typeVersion": 1},
        {"type": "n8n-nodes-base.scheduleTrigger", "typeVersion": 1.1},
        {"type": "n8n-nodes-base.scheduleTrigger", "typeVersion": 1.3},
        {"type": "n8n-nodes-base.scheduleTrigger", "typeVersion": 1.4},
        {"type": "n8n-nodes-base.errorTrigger", "typeVersion": 1}
    ]);
    for t in triggers.as_array().unwrap() {
        let items = vec![json!({"from": t["type"], "n": 1}), json!({"n": 2})];
        let no_op = json!({"type": "n8n-nodes-base.noOp", "typeVersion": 1});
        assert_eq!(through(t.clone(), no_op, items.clone()).await, items, "{t}");
    }
}

#[tokio::test]
async fn respond_to_webhook_v1_passes_its_items_on_outside_a_webhook_run() {
    let respond = json!({"type": "n8n-nodes-base.respondToWebhook", "typeVersion": 1,
        "parameters": {"respondWith": "firstIncomingItem"}});
    let manual = json!({"type": "n8n-nodes-base.manualTrigger", "typeVersion": 1});
    let items = vec![json!({"ok": true})];
    assert_eq!(through(manual, respond, items.clone()).await, items);
}

fn waiting_workflow(wait: Value) -> WorkflowDefinition {
    let draft: WorkflowDraft = serde_json::from_value(json!({
        "name": "w",
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}, "position": [0, 0]},
            {"name": "Order", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [200, 0],
             "parameters": {"jsCode": "return [{json: {order: 7}}];"}},
            {"name": "Wait", "type": "n8n-nodes-base.wait", "typeVersion": 1.1, "parameters": wait, "position": [400, 0]},
            {"name": "After", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [600, 0],
             "parameters": {"jsCode": "return [{json: {order: $('Order').first().json.order, got: $json}}];"}}
        ],
        "connections": {
            "Start": {"main": [[{"node": "Order", "type": "main", "index": 0}]]},
            "Order": {"main": [[{"node": "Wait", "type": "main", "index": 0}]]},
            "Wait": {"main": [[{"node": "After", "type": "main", "index": 0}]]}
        },
        "settings": {"executionOrder": "v1"}
    }))
    .unwrap();
    WorkflowDefinition::try_from(draft).unwrap()
}

fn pausing() -> RunOptions {
    RunOptions {
        start_node: "Start".into(),
        start_items: vec![Item::default()],
        pause_waits_over: Some(std::time::Duration::from_secs(65)),
        ..RunOptions::default()
    }
}

#[tokio::test]
async fn a_webhook_wait_pauses_the_run_and_a_resume_continues_from_the_call() {
    let def = waiting_workflow(json!({"resume": "webhook"}));
    let registry = weft_nodes::registry();
    let first = Executor::new(&def, &registry).run(pausing()).await;
    assert_eq!(first.status, weft_engine::run::ExecutionStatus::Waiting);
    let paused = first.paused.clone().expect("paused state");
    assert_eq!(paused.node, "Wait");
    assert!(paused.suspend.webhook && paused.suspend.wait_till.is_none());
    assert!(!first.result_data.run_data.contains_key("After"));
    // The state survives storage as JSON.
    let stored = serde_json::to_string(&paused).unwrap();
    let paused = serde_json::from_str(&stored).unwrap();
    let call = vec![Item::from_value(json!({"body": {"approved": true}}))];
    let done = Executor::new(&def, &registry)
        .resume(pausing(), first.result_data, paused, Some(call))
        .await;
    assert_eq!(
        done.status,
        weft_engine::run::ExecutionStatus::Success,
        "{:?}",
        done.result_data.error
    );
    assert_eq!(
        output(&done, "After")[0],
        json!({"order": 7, "got": {"body": {"approved": true}}})
    );
    assert_eq!(
        done.result_data.run_data["Wait"].len(),
        1,
        "the wait's run is recorded once"
    );
}

#[tokio::test]
async fn a_long_time_wait_pauses_until_its_time_and_resumes_with_the_held_items() {
    let def = waiting_workflow(json!({"amount": 2, "unit": "hours"}));
    let registry = weft_nodes::registry();
    let before = chrono::Utc::now().timestamp_millis();
    let first = Executor::new(&def, &registry).run(pausing()).await;
    let paused = first.paused.clone().expect("paused state");
    let till = paused.suspend.wait_till.expect("a time to resume at");
    assert!(
        (before + 7_200_000..before + 7_260_000).contains(&till),
        "{till}"
    );
    let done = Executor::new(&def, &registry)
        .resume(pausing(), first.result_data, paused, None)
        .await;
    assert_eq!(
        output(&done, "After")[0],
        json!({"order": 7, "got": {"order": 7}})
    );
}

#[tokio::test]
async fn without_pausing_a_webhook_wait_is_a_clear_node_error() {
    let def = waiting_workflow(json!({"resume": "webhook"}));
    let registry = weft_nodes::registry();
    let mut options = pausing();
    options.pause_waits_over = None;
    let result = Executor::new(&def, &registry).run(options).await;
    let error = result.result_data.error.expect("an error");
    assert!(error.message.contains("cannot pause"), "{}", error.message);
}
