//! The legacy nodes old exports carry, where recordings from n8n cannot pin them: Function
//! Item's error line (n8n 2.41's own lookup of it fails) and binary data, whose bytes recordings
//! do not show.

use serde_json::{Value, json};
use weft_engine::run::{ExecutionResult, Executor, Item, RunOptions};
use weft_engine::{WorkflowDefinition, WorkflowDraft};

/// Runs Start → `node` (named "Node") over `items` with `registry`.
async fn run(
    registry: &weft_engine::run::NodeRegistry,
    node: Value,
    items: Vec<Value>,
) -> ExecutionResult {
    let mut node = node;
    node["name"] = json!("Node");
    node["position"] = json!([200, 0]);
    let draft: WorkflowDraft = serde_json::from_value(json!({
        "name": "legacy",
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0], "parameters": {}},
            node
        ],
        "connections": {"Start": {"main": [[{"node": "Node", "type": "main", "index": 0}]]}},
        "settings": {"executionOrder": "v1"}
    }))
    .unwrap();
    let def = WorkflowDefinition::try_from(draft).unwrap();
    Executor::new(&def, registry)
        .run(RunOptions {
            start_node: "Start".into(),
            start_items: items
                .into_iter()
                .map(|v| Item::from_input(v).expect("an item"))
                .collect(),
            ..RunOptions::default()
        })
        .await
}

fn items_of(result: &ExecutionResult) -> Vec<Item> {
    result.result_data.run_data["Node"][0]
        .data
        .as_ref()
        .unwrap()
        .main[0]
        .clone()
}

#[tokio::test]
async fn a_function_item_error_names_its_line_and_item() {
    let node = json!({"type": "n8n-nodes-base.functionItem", "typeVersion": 1, "parameters": {
        "functionCode": "const x = 1;\nif (item.bad) throw new Error('bad item ' + item.n);\nreturn item;"}});
    let result = run(
        &weft_nodes::registry(),
        node,
        vec![json!({"n": 1}), json!({"n": 2, "bad": true})],
    )
    .await;
    let error = result.result_data.error.expect("the node fails");
    assert_eq!(error.message, "bad item 2 [Line 2 | Item Index: 1]");
}

#[tokio::test]
async fn function_item_binary_helpers_read_and_replace_the_items_binary() {
    let node = json!({"type": "n8n-nodes-base.functionItem", "typeVersion": 1, "parameters": {
        "functionCode": "item.had = Object.keys(getBinaryData());\nsetBinaryData({ note: { data: 'aGk=', mimeType: 'text/plain' } });\nreturn item;"}});
    let input =
        json!({"json": {"n": 1}, "binary": {"old": {"data": "eA==", "mimeType": "text/plain"}}});
    let result = run(&weft_nodes::registry(), node, vec![input]).await;
    let out = items_of(&result);
    assert_eq!(out[0].json["had"], json!(["old"]));
    let binary = out[0].binary.as_ref().expect("binary");
    assert_eq!(binary.keys().collect::<Vec<_>>(), ["note"]);
    assert_eq!(binary["note"]["data"], "aGk=");
}

fn with_root(root: &std::path::Path) -> weft_engine::run::NodeRegistry {
    weft_nodes::registry_with(&weft_nodes::Settings {
        files_root: Some(root.canonicalize().unwrap()),
        ..weft_nodes::Settings::default()
    })
}

fn with_text(text: &str) -> Value {
    use base64::Engine;
    json!({"json": {}, "binary": {"data": {
        "data": base64::engine::general_purpose::STANDARD.encode(text), "mimeType": "text/plain"}}})
}

#[tokio::test]
async fn file_nodes_stay_inside_the_files_root() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "s").unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        dir.path().join("secret.txt"),
    )
    .unwrap();
    let registry = with_root(dir.path());
    for path in [
        "../escape.txt",
        "/a/../../escape.txt",
        "link/x.txt",
        "secret.txt",
    ] {
        let node = json!({"type": "n8n-nodes-base.writeBinaryFile", "typeVersion": 1,
            "parameters": {"fileName": path}});
        let result = run(&registry, node, vec![with_text("x")]).await;
        let error = result.result_data.error.expect("refused");
        assert_eq!(
            error.message, "Access to the file is not allowed.",
            "{path}"
        );
    }
    for path in ["link/secret.txt", "secret.txt", "../x"] {
        let node = json!({"type": "n8n-nodes-base.readBinaryFile", "typeVersion": 1,
            "parameters": {"filePath": path}});
        let result = run(&registry, node, vec![json!({})]).await;
        assert!(result.result_data.error.is_some(), "{path} was read");
    }
    assert_eq!(
        std::fs::read_to_string(outside.path().join("secret.txt")).unwrap(),
        "s"
    );
    assert!(!outside.path().join("x.txt").exists());
}

#[tokio::test]
async fn file_nodes_write_and_read_back_under_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let registry = with_root(dir.path());
    let write = json!({"type": "n8n-nodes-base.readWriteFile", "typeVersion": 1.1,
        "parameters": {"operation": "write", "fileName": "/notes.txt"}});
    let result = run(&registry, write, vec![with_text("hi there")]).await;
    assert!(
        result.result_data.error.is_none(),
        "{:?}",
        result.result_data.error
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
        "hi there"
    );
    let read = json!({"type": "n8n-nodes-base.readWriteFile", "typeVersion": 1,
        "parameters": {"fileSelector": "*.txt"}});
    let out = items_of(&run(&registry, read, vec![json!({})]).await);
    assert_eq!(out[0].json["fileName"], "notes.txt");
    assert_eq!(
        out[0].binary.as_ref().unwrap()["data"]["data"],
        "aGkgdGhlcmU="
    );
}

#[tokio::test]
async fn without_a_files_root_file_nodes_refuse_to_touch_the_host() {
    for node in [
        json!({"type": "n8n-nodes-base.readBinaryFile", "typeVersion": 1, "parameters": {"filePath": "/etc/hostname"}}),
        json!({"type": "n8n-nodes-base.writeBinaryFile", "typeVersion": 1, "parameters": {"fileName": "/tmp/x"}}),
    ] {
        let result = run(&weft_nodes::registry(), node, vec![with_text("x")]).await;
        let error = result.result_data.error.expect("refused");
        assert!(error.message.contains("disabled"), "{}", error.message);
    }
}
