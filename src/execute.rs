//! `weft execute`: runs one workflow file in-process (no server, no database) and prints JSON.

use std::collections::HashMap;
use std::process::ExitCode;

use serde_json::{Value, json};
use weft_engine::run::{ExecutionStatus, Executor, Item, RunOptions, start_node};
use weft_engine::{WorkflowDefinition, WorkflowDraft};

use crate::cli::{ExecuteArgs, OutputMode};

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("weft execute: {message}");
    ExitCode::from(2)
}

/// Reads `--input`: a JSON array of items, each `{"json": …}` or a plain object to wrap.
fn read_items(path: &std::path::Path) -> Result<Vec<Item>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let value: Value =
        serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
    let Value::Array(list) = value else {
        return Err(format!(
            "{} must hold a JSON array of items",
            path.display()
        ));
    };
    list.into_iter()
        .enumerate()
        .map(|(i, v)| Item::from_input(v).map_err(|e| format!("item {i} {e}")))
        .collect()
}

fn load(path: &std::path::Path) -> Result<WorkflowDefinition, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut raw: Value =
        serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
    if let Some(o) = raw.as_object_mut() {
        o.remove("pinData");
        if !o.get("name").is_some_and(Value::is_string) {
            o.insert("name".into(), Value::String("workflow".into()));
        }
    }
    let draft: WorkflowDraft =
        serde_json::from_value(raw).map_err(|e| format!("not an n8n workflow: {e}"))?;
    WorkflowDefinition::try_from(draft).map_err(|issues| {
        let lines: Vec<String> = issues
            .iter()
            .map(|i| format!("{}: {}", i.path, i.message))
            .collect();
        format!("invalid workflow:\n  {}", lines.join("\n  "))
    })
}

/// Runs `args.file` with the node settings the server would use (`WEFT_FILES_ROOT`,
/// `WEFT_HTTP_ALLOW`, …).
pub fn run(args: &ExecuteArgs) -> ExitCode {
    let nodes = match crate::config::node_settings(&args.nodes) {
        Ok(nodes) => nodes,
        Err(e) => return fail(format!("invalid configuration: {e}")),
    };
    let def = match load(&args.file) {
        Ok(def) => def,
        Err(e) => return fail(e),
    };
    let input = match args.input.as_deref().map(read_items).transpose() {
        Ok(items) => items,
        Err(e) => return fail(e),
    };
    let registry = weft_nodes::registry_with(&nodes);
    let Some(start) = start_node(&def, &registry) else {
        return fail("the workflow has no node to start from");
    };
    let mut pin_data = HashMap::new();
    if let Some(items) = &input {
        // The trigger emits the given items, whatever its type (a Webhook, a Schedule, …).
        pin_data.insert(start.name.clone(), items.clone());
    }
    let missing: Vec<String> = registry
        .unsupported(
            def.nodes()
                .iter()
                .filter(|n| !pin_data.contains_key(&n.name)),
        )
        .into_iter()
        .map(|(t, v)| format!("{t}@{v}"))
        .collect();
    if !missing.is_empty() {
        return fail(format!("unsupported node types: {}", missing.join(", ")));
    }
    let options = RunOptions {
        start_node: start.name.clone(),
        start_items: vec![Item::default()],
        pin_data,
        mode: "manual".into(),
        execution_id: uuid::Uuid::now_v7().to_string(),
        workflow_id: String::new(),
        ..RunOptions::default()
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(e),
    };
    let result = runtime.block_on(Executor::new(&def, &registry).run(options));
    let printed = match args.output {
        OutputMode::All => json!({ "resultData": result.result_data }),
        OutputMode::Last => {
            let last = result
                .result_data
                .last_node_executed
                .as_deref()
                .unwrap_or_default();
            let items = result
                .result_data
                .run_data
                .get(last)
                .and_then(|runs| runs.last())
                .and_then(|run| run.data.as_ref())
                .and_then(|d| d.main.first().cloned())
                .unwrap_or_default();
            json!(items)
        }
    };
    println!(
        "{}",
        serde_json::to_string_pretty(&printed).unwrap_or_default()
    );
    if result.status == ExecutionStatus::Success {
        ExitCode::SUCCESS
    } else {
        if let Some(e) = &result.result_data.error {
            let node = e.node.as_ref().map(|n| n.name.as_str()).unwrap_or("");
            eprintln!(
                "weft execute: the execution failed at {node:?}: {}",
                e.message
            );
        }
        ExitCode::FAILURE
    }
}
