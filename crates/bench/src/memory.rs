//! The memory budget check: 10,000 items through Sort → Aggregate → Split Out in one process,
//! reporting the run time and the process's peak resident memory (VmHWM) before and after.

use std::time::Instant;

use serde_json::json;
use weft_engine::run::{Executor, Item, RunOptions};
use weft_engine::{WorkflowDefinition, WorkflowDraft};

/// Peak resident set size of this process, in KiB (Linux), if known.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn pipeline() -> anyhow::Result<WorkflowDefinition> {
    let draft: WorkflowDraft = serde_json::from_value(json!({
        "name": "memory",
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
            {"name": "Sort", "type": "n8n-nodes-base.sort", "typeVersion": 1, "parameters": {
                "sortFieldsUi": {"sortField": [{"fieldName": "score", "order": "descending"}]}}},
            {"name": "Aggregate", "type": "n8n-nodes-base.aggregate", "typeVersion": 1, "parameters": {
                "aggregate": "aggregateAllItemData", "destinationFieldName": "rows"}},
            {"name": "Split Out", "type": "n8n-nodes-base.splitOut", "typeVersion": 1, "parameters": {
                "fieldToSplitOut": "rows"}}
        ],
        "connections": {
            "Start": {"main": [[{"node": "Sort", "type": "main", "index": 0}]]},
            "Sort": {"main": [[{"node": "Aggregate", "type": "main", "index": 0}]]},
            "Aggregate": {"main": [[{"node": "Split Out", "type": "main", "index": 0}]]}
        },
        "settings": {"executionOrder": "v1"}
    }))?;
    WorkflowDefinition::try_from(draft).map_err(|e| anyhow::anyhow!("{e:?}"))
}

pub async fn run(items: usize, budget_mib: u64) -> anyhow::Result<()> {
    let def = pipeline()?;
    let registry = weft_nodes::registry();
    let input: Vec<Item> = (0..items)
        .map(|i| {
            Item::from_value(json!({
                "id": i,
                "name": format!("customer {i}"),
                "email": format!("customer{i}@example.com"),
                "score": (i * 7919) % 10_007,
                "tags": ["a", "b"],
            }))
        })
        .collect();
    let before = peak_rss_kib().unwrap_or(0);
    let started = Instant::now();
    let result = Executor::new(&def, &registry)
        .run(RunOptions {
            start_node: "Start".into(),
            start_items: input,
            mode: "manual".into(),
            ..RunOptions::default()
        })
        .await;
    let elapsed = started.elapsed();
    if let Some(e) = result.result_data.error {
        anyhow::bail!("the pipeline failed: {}", e.message);
    }
    let out = result.result_data.run_data["Split Out"][0]
        .data
        .as_ref()
        .map_or(0, |d| d.main[0].len());
    let peak = peak_rss_kib().unwrap_or(0);
    let peak_mib = peak as f64 / 1024.0;
    println!(
        "{items} items: Sort -> Aggregate -> Split Out in {:.0} ms, {out} items out; peak RSS {:.1} MiB (before the run {:.1} MiB); budget {budget_mib} MiB: {}",
        elapsed.as_secs_f64() * 1000.0,
        peak_mib,
        before as f64 / 1024.0,
        if peak_mib <= budget_mib as f64 {
            "within"
        } else {
            "OVER"
        }
    );
    if out != items {
        anyhow::bail!("expected {items} items out of Split Out, got {out}");
    }
    if peak_mib > budget_mib as f64 {
        anyhow::bail!("peak RSS {peak_mib:.1} MiB is over the budget of {budget_mib} MiB");
    }
    Ok(())
}
