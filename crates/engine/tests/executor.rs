//! The executor's graph walk and node options, with small test node types.

mod support;

use std::sync::atomic::Ordering;

use serde_json::{Value, json};
use weft_engine::run::{ExecutionResult, ExecutionStatus, Executor, Item, RunOptions};
use weft_engine::{WorkflowDefinition, WorkflowDraft};

fn node(name: &str, t: &str, x: i64, y: i64) -> Value {
    json!({"name": name, "type": format!("test.{t}"), "typeVersion": 1, "position": [x, y], "parameters": {}})
}

fn wf(
    order: Option<&str>,
    nodes: Vec<Value>,
    edges: &[(&str, usize, &str, usize)],
) -> WorkflowDefinition {
    let mut connections = serde_json::Map::new();
    for (from, out, to, input) in edges {
        let entry = connections
            .entry(from.to_string())
            .or_insert_with(|| json!({"main": []}));
        let outs = entry["main"].as_array_mut().unwrap();
        while outs.len() <= *out {
            outs.push(json!([]));
        }
        outs[*out]
            .as_array_mut()
            .unwrap()
            .push(json!({"node": to, "type": "main", "index": input}));
    }
    let settings = order.map_or(json!({}), |o| json!({"executionOrder": o}));
    let draft: WorkflowDraft = serde_json::from_value(
        json!({"name": "t", "nodes": nodes, "connections": connections, "settings": settings}),
    )
    .unwrap();
    WorkflowDefinition::try_from(draft).unwrap()
}

async fn run(def: &WorkflowDefinition, items: Vec<Value>) -> ExecutionResult {
    run_with(def, items, RunOptions::default()).await
}

async fn run_with(
    def: &WorkflowDefinition,
    items: Vec<Value>,
    mut options: RunOptions,
) -> ExecutionResult {
    let registry = support::registry();
    options.start_node = "Start".into();
    options.start_items = items.into_iter().map(Item::from_value).collect();
    Executor::new(def, &registry).run(options).await
}

/// Node names in the order they ran.
fn order(result: &ExecutionResult) -> Vec<String> {
    let mut runs: Vec<(u32, String)> = result
        .result_data
        .run_data
        .iter()
        .flat_map(|(name, tasks)| tasks.iter().map(move |t| (t.execution_index, name.clone())))
        .collect();
    runs.sort();
    runs.into_iter().map(|(_, n)| n).collect()
}

fn output(result: &ExecutionResult, node: &str, run: usize, out: usize) -> Vec<Value> {
    let task = &result.result_data.run_data[node][run];
    task.data.as_ref().unwrap().main[out]
        .iter()
        .map(|i| Value::Object(i.json.clone()))
        .collect()
}

fn branches(order: Option<&str>) -> WorkflowDefinition {
    wf(
        order,
        vec![
            node("Start", "trigger", 0, 0),
            node("Low", "visit", 200, 200),
            node("High", "visit", 200, -100),
            node("High 2", "visit", 400, -100),
            node("Low 2", "visit", 400, 200),
        ],
        &[
            ("Start", 0, "Low", 0),
            ("Start", 0, "High", 0),
            ("High", 0, "High 2", 0),
            ("Low", 0, "Low 2", 0),
        ],
    )
}

#[tokio::test]
async fn v1_finishes_each_branch_depth_first_starting_with_the_top_one() {
    let result = run(&branches(Some("v1")), vec![json!({})]).await;
    assert_eq!(result.status, ExecutionStatus::Success);
    assert_eq!(order(&result), ["Start", "High", "High 2", "Low", "Low 2"]);
}

#[tokio::test]
async fn v0_runs_level_by_level_in_connection_order() {
    let result = run(&branches(None), vec![json!({})]).await;
    assert_eq!(order(&result), ["Start", "Low", "High", "Low 2", "High 2"]);
    assert_eq!(
        result.result_data.last_node_executed.as_deref(),
        Some("High 2")
    );
}

fn merge_workflow(order: Option<&str>, left: &str) -> WorkflowDefinition {
    wf(
        order,
        vec![
            node("Start", "trigger", 0, 0),
            node("Left", left, 200, -100),
            node("Right", "visit", 200, 100),
            node("Merge", "append", 400, 0),
        ],
        &[
            ("Start", 0, "Left", 0),
            ("Start", 0, "Right", 0),
            ("Left", 0, "Merge", 0),
            ("Right", 0, "Merge", 1),
        ],
    )
}

#[tokio::test]
async fn a_two_input_node_waits_for_both_branches_and_runs_once() {
    for order_setting in [Some("v1"), None] {
        let result = run(
            &merge_workflow(order_setting, "visit"),
            vec![json!({"n": 1})],
        )
        .await;
        assert_eq!(
            result.result_data.run_data["Merge"].len(),
            1,
            "{order_setting:?}"
        );
        let merged = output(&result, "Merge", 0, 0);
        assert_eq!(
            merged,
            [
                json!({"n": 1, "path": ["Left"]}),
                json!({"n": 1, "path": ["Right"]})
            ]
        );
        let source = &result.result_data.run_data["Merge"][0].source;
        assert_eq!(source[0].as_ref().unwrap().previous_node, "Left");
        assert_eq!(source[1].as_ref().unwrap().previous_node, "Right");
    }
}

#[tokio::test]
async fn in_v1_a_waiting_node_runs_with_partial_input_once_nothing_else_can_run() {
    let result = run(
        &merge_workflow(Some("v1"), "nothing"),
        vec![json!({"n": 1})],
    )
    .await;
    assert_eq!(order(&result), ["Start", "Left", "Right", "Merge"]);
    assert_eq!(
        output(&result, "Merge", 0, 0),
        [json!({"n": 1, "path": ["Right"]})]
    );
    assert!(result.result_data.run_data["Merge"][0].source[0].is_none());
}

#[tokio::test]
async fn in_v0_an_empty_first_input_means_the_merge_does_not_run() {
    let result = run(&merge_workflow(None, "nothing"), vec![json!({"n": 1})]).await;
    assert!(!result.result_data.run_data.contains_key("Merge"));
    assert_eq!(result.status, ExecutionStatus::Success);
}

#[tokio::test]
async fn a_loop_back_runs_a_node_once_per_pass_with_increasing_run_index() {
    let mut split = node("Split", "split", 400, 0);
    split["parameters"] = json!({"below": 3});
    let def = wf(
        Some("v1"),
        vec![
            node("Start", "trigger", 0, 0),
            node("Inc", "increment", 200, 0),
            split,
            node("Done", "visit", 600, 0),
        ],
        &[
            ("Start", 0, "Inc", 0),
            ("Inc", 0, "Split", 0),
            ("Split", 0, "Inc", 0),
            ("Split", 1, "Done", 0),
        ],
    );
    let result = run(&def, vec![json!({"n": 0})]).await;
    let runs = &result.result_data.run_data["Inc"];
    assert_eq!(runs.len(), 3);
    assert_eq!(runs[2].source[0].as_ref().unwrap().previous_node_run, 1);
    assert_eq!(
        output(&result, "Done", 0, 0),
        [json!({"n": 3.0, "path": ["Done"]})]
    );
}

#[tokio::test]
async fn a_disabled_node_passes_its_first_input_through() {
    let mut mid = node("Mid", "increment", 200, 0);
    mid["disabled"] = json!(true);
    let def = wf(
        Some("v1"),
        vec![
            node("Start", "trigger", 0, 0),
            mid,
            node("End", "visit", 400, 0),
        ],
        &[("Start", 0, "Mid", 0), ("Mid", 0, "End", 0)],
    );
    let result = run(&def, vec![json!({"n": 5})]).await;
    assert_eq!(output(&result, "Mid", 0, 0), [json!({"n": 5})]);
    assert_eq!(
        output(&result, "End", 0, 0),
        [json!({"n": 5, "path": ["End"]})]
    );
}

fn failing(extra: Value, failures: u64) -> WorkflowDefinition {
    let mut flaky = node("Flaky", "flaky", 200, 0);
    flaky["parameters"] = json!({"failures": failures});
    flaky
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    wf(
        Some("v1"),
        vec![
            node("Start", "trigger", 0, 0),
            flaky,
            node("After", "visit", 400, 0),
        ],
        &[("Start", 0, "Flaky", 0), ("Flaky", 0, "After", 0)],
    )
}

#[tokio::test]
async fn a_node_error_stops_the_workflow_and_names_the_node() {
    let result = run(&failing(json!({}), 99), vec![json!({})]).await;
    assert_eq!(result.status, ExecutionStatus::Error);
    let error = result.result_data.error.as_ref().unwrap();
    assert_eq!(error.message, "flaky failure");
    assert_eq!(error.node.as_ref().unwrap().name, "Flaky");
    assert_eq!(
        result.result_data.last_node_executed.as_deref(),
        Some("Flaky")
    );
    assert!(!result.result_data.run_data.contains_key("After"));
    assert!(result.result_data.run_data["Flaky"][0].data.is_none());
}

#[tokio::test]
async fn continue_on_fail_passes_the_input_on_and_records_the_error() {
    for extra in [
        json!({"continueOnFail": true}),
        json!({"onError": "continueRegularOutput"}),
    ] {
        let result = run(&failing(extra, 99), vec![json!({"a": 1})]).await;
        assert_eq!(result.status, ExecutionStatus::Success);
        assert!(result.result_data.run_data["Flaky"][0].error.is_some());
        assert_eq!(
            output(&result, "After", 0, 0),
            [json!({"a": 1, "path": ["After"]})]
        );
    }
}

#[tokio::test]
async fn retry_on_fail_tries_again_until_the_node_succeeds() {
    let result = run(
        &failing(
            json!({"retryOnFail": true, "maxTries": 3, "waitBetweenTries": 1}),
            2,
        ),
        vec![json!({})],
    )
    .await;
    assert_eq!(result.status, ExecutionStatus::Success);
    assert_eq!(
        result.result_data.run_data["Flaky"].len(),
        1,
        "retries are one run"
    );
    let result = run(
        &failing(
            json!({"retryOnFail": true, "maxTries": 2, "waitBetweenTries": 1}),
            2,
        ),
        vec![json!({})],
    )
    .await;
    assert_eq!(
        result.status,
        ExecutionStatus::Error,
        "two tries are not enough for two failures"
    );
}

#[tokio::test]
async fn always_output_data_emits_one_empty_item_paired_with_the_inputs() {
    let mut empty = node("Empty", "nothing", 200, 0);
    empty["alwaysOutputData"] = json!(true);
    let def = wf(
        Some("v1"),
        vec![
            node("Start", "trigger", 0, 0),
            empty,
            node("After", "visit", 400, 0),
        ],
        &[("Start", 0, "Empty", 0), ("Empty", 0, "After", 0)],
    );
    let result = run(&def, vec![json!({}), json!({})]).await;
    let task = &result.result_data.run_data["Empty"][0];
    let items = &task.data.as_ref().unwrap().main[0];
    assert_eq!(items.len(), 1);
    assert!(items[0].json.is_empty());
    assert_eq!(
        serde_json::to_value(&items[0].paired_item).unwrap(),
        json!([{"item": 0, "input": 0}, {"item": 1, "input": 0}])
    );
    assert_eq!(output(&result, "After", 0, 0), [json!({"path": ["After"]})]);
}

#[tokio::test]
async fn continue_error_output_sends_failed_items_to_the_extra_output() {
    let mut check = node("Check", "check", 200, 0);
    check["onError"] = json!("continueErrorOutput");
    let def = wf(
        Some("v1"),
        vec![
            node("Start", "trigger", 0, 0),
            check,
            node("Ok", "visit", 400, 0),
            node("Failed", "visit", 400, 200),
        ],
        &[
            ("Start", 0, "Check", 0),
            ("Check", 0, "Ok", 0),
            ("Check", 1, "Failed", 0),
        ],
    );
    let result = run(&def, vec![json!({"bad": false}), json!({"bad": true})]).await;
    assert_eq!(
        output(&result, "Ok", 0, 0),
        [json!({"bad": false, "path": ["Ok"]})]
    );
    assert_eq!(
        output(&result, "Failed", 0, 0),
        [json!({"error": "bad item", "path": ["Failed"]})]
    );
}

#[tokio::test]
async fn outputs_are_paired_with_inputs_by_position() {
    let def = wf(
        Some("v1"),
        vec![
            node("Start", "trigger", 0, 0),
            node("Inc", "increment", 200, 0),
        ],
        &[("Start", 0, "Inc", 0)],
    );
    let result = run(&def, vec![json!({"n": 1}), json!({"n": 2})]).await;
    let items = &result.result_data.run_data["Inc"][0]
        .data
        .as_ref()
        .unwrap()
        .main[0];
    let paired: Vec<Value> = items
        .iter()
        .map(|i| serde_json::to_value(&i.paired_item).unwrap())
        .collect();
    assert_eq!(paired, [json!({"item": 0}), json!({"item": 1})]);
}

#[tokio::test]
async fn pinned_data_replaces_a_nodes_execution() {
    let def = wf(
        Some("v1"),
        vec![
            node("Start", "trigger", 0, 0),
            node("Inc", "increment", 200, 0),
            node("After", "visit", 400, 0),
        ],
        &[("Start", 0, "Inc", 0), ("Inc", 0, "After", 0)],
    );
    let mut options = RunOptions::default();
    options.pin_data.insert(
        "Inc".into(),
        vec![Item::from_value(json!({"pinned": true}))],
    );
    let result = run_with(&def, vec![json!({"n": 1})], options).await;
    assert_eq!(
        output(&result, "After", 0, 0),
        [json!({"pinned": true, "path": ["After"]})]
    );
}

#[tokio::test]
async fn an_unknown_node_type_fails_with_its_name() {
    let def = wf(
        Some("v1"),
        vec![node("Start", "trigger", 0, 0), node("X", "unknown", 200, 0)],
        &[("Start", 0, "X", 0)],
    );
    let result = run(&def, vec![json!({})]).await;
    assert_eq!(result.status, ExecutionStatus::Error);
    assert!(
        result
            .result_data
            .error
            .unwrap()
            .message
            .contains("test.unknown")
    );
}

#[tokio::test]
async fn a_cancelled_execution_stops_before_the_next_node() {
    let options = RunOptions::default();
    options.cancel.store(true, Ordering::Relaxed);
    let result = run_with(&branches(Some("v1")), vec![json!({})], options).await;
    assert_eq!(result.status, ExecutionStatus::Canceled);
    assert!(result.result_data.run_data.is_empty());
}

#[tokio::test]
async fn an_execution_over_its_data_budget_ends_with_a_clear_error() {
    let def = wf(
        Some("v1"),
        vec![
            node("Start", "trigger", 0, 0),
            node("Inc", "increment", 200, 0),
        ],
        &[("Start", 0, "Inc", 0)],
    );
    let options = RunOptions {
        budget: weft_engine::run::Budget {
            max_items: 10,
            max_bytes: 1 << 20,
            ..Default::default()
        },
        ..RunOptions::default()
    };
    let items: Vec<Value> = (0..8).map(|n| json!({"n": n})).collect();
    let result = run_with(&def, items, options).await;
    assert_eq!(result.status, ExecutionStatus::Error);
    let error = result.result_data.error.unwrap();
    assert!(error.message.contains("budget of 10"), "{}", error.message);
    assert_eq!(error.node.unwrap().name, "Inc");
}

fn two_roots(order: Option<&str>) -> WorkflowDefinition {
    wf(
        order,
        vec![
            node("Start", "trigger", 0, 0),
            node("A", "visit", 200, 0),
            node("Other root", "visit", 0, 300),
            node("Merge", "append", 400, 100),
        ],
        &[
            ("Start", 0, "A", 0),
            ("A", 0, "Merge", 0),
            ("Other root", 0, "Merge", 1),
        ],
    )
}

#[tokio::test]
async fn in_v0_a_merge_forces_its_other_unrun_parent_to_run() {
    let result = run(&two_roots(None), vec![json!({"n": 1})]).await;
    assert_eq!(order(&result), ["Start", "A", "Other root", "Merge"]);
    assert_eq!(
        output(&result, "Merge", 0, 0),
        [
            json!({"n": 1, "path": ["A"]}),
            json!({"path": ["Other root"]})
        ]
    );
}

#[tokio::test]
async fn in_v1_the_other_parent_is_not_forced_and_the_merge_runs_with_what_arrived() {
    let result = run(&two_roots(Some("v1")), vec![json!({"n": 1})]).await;
    assert_eq!(order(&result), ["Start", "A", "Merge"]);
    assert_eq!(
        output(&result, "Merge", 0, 0),
        [json!({"n": 1, "path": ["A"]})]
    );
}

#[tokio::test]
async fn a_node_keeps_context_between_runs_and_expressions_read_it() {
    let mut split = node("Split", "split", 600, 0);
    split["parameters"] = json!({"below": 3});
    let mut report = node("Report", "params", 800, 100);
    report["parameters"] = json!({"runs": "={{ $node[\"Counter\"].context.count }}"});
    let def = wf(
        Some("v1"),
        vec![
            node("Start", "trigger", 0, 0),
            node("Counter", "counter", 200, 0),
            node("Inc", "increment", 400, 0),
            split,
            report,
        ],
        &[
            ("Start", 0, "Counter", 0),
            ("Counter", 0, "Inc", 0),
            ("Inc", 0, "Split", 0),
            ("Split", 0, "Counter", 0),
            ("Split", 1, "Report", 0),
        ],
    );
    let result = run(&def, vec![json!({"n": 0})]).await;
    assert_eq!(result.result_data.run_data["Counter"].len(), 3);
    assert_eq!(output(&result, "Report", 0, 0), [json!({"runs": 3})]);
}
