//! In-process engine figures: expression evaluations per second (native fast path and
//! JavaScript) and executor overhead on a 20-node chain of Set nodes over 100 items.

use std::time::{Duration, Instant};

use serde_json::json;
use weft_engine::expr::{Evaluator, ExprLimits, LazySandbox, NodeScope};
use weft_engine::run::{Executor, Item, RunData, RunOptions};
use weft_engine::{WorkflowDefinition, WorkflowDraft};

fn per_second(n: u64, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

/// Evaluates `code` for items in a loop for about `budget`; returns evaluations per second.
fn expressions(code: &str, budget: Duration) -> anyhow::Result<(u64, f64)> {
    let sandbox = LazySandbox::new(
        ExprLimits::default(),
        json!({"id": "b", "mode": "manual"}),
        json!({"id": "w", "name": "bench"}),
        "UTC",
    );
    let items: Vec<Item> = (0..100)
        .map(|i| Item::from_value(json!({"a": {"b": i, "name": format!("item {i}")}})))
        .collect();
    let run_data = RunData::new();
    let params = json!({});
    let ev = Evaluator {
        sandbox: &sandbox,
        scope: NodeScope {
            node: "N",
            run_index: 0,
            source: &[],
            items: &items,
            params: &params,
            contexts: None,
            clock_offset_ms: 0,
        },
        run_data: &run_data,
    };
    ev.eval_code(code, 0)
        .map_err(|e| anyhow::anyhow!("{code}: {e}"))?;
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < budget {
        for i in 0..items.len() {
            ev.eval_code(code, i)
                .map_err(|e| anyhow::anyhow!("{code}: {e}"))?;
        }
        n += items.len() as u64;
    }
    Ok((n, per_second(n, start.elapsed())))
}

fn set_chain(nodes: usize) -> anyhow::Result<WorkflowDefinition> {
    let mut list = vec![
        json!({"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}}),
    ];
    let mut connections = serde_json::Map::new();
    let mut prev = "Start".to_owned();
    for i in 0..nodes {
        let name = format!("Set {i}");
        list.push(json!({"name": name, "type": "n8n-nodes-base.set", "typeVersion": 3.4, "parameters": {
            "includeOtherFields": true,
            "assignments": {"assignments": [{"id": "a", "name": format!("f{i}"), "value": "={{ $json.n }}", "type": "number"}]}}}));
        connections.insert(
            prev.clone(),
            json!({"main": [[{"node": name, "type": "main", "index": 0}]]}),
        );
        prev = name;
    }
    let draft: WorkflowDraft = serde_json::from_value(
        json!({"name": "chain", "nodes": list, "connections": connections,
        "settings": {"executionOrder": "v1"}}),
    )?;
    WorkflowDefinition::try_from(draft).map_err(|e| anyhow::anyhow!("{e:?}"))
}

async fn chain(budget: Duration) -> anyhow::Result<(u64, f64, f64)> {
    let def = set_chain(20)?;
    let registry = weft_nodes::registry();
    let items: Vec<Item> = (0..100)
        .map(|n| Item::from_value(json!({"n": n})))
        .collect();
    let options = RunOptions {
        start_node: "Start".into(),
        start_items: items,
        mode: "manual".into(),
        ..RunOptions::default()
    };
    let start = Instant::now();
    let mut runs = 0u64;
    while start.elapsed() < budget {
        let result = Executor::new(&def, &registry).run(options.clone()).await;
        if result.result_data.error.is_some() {
            anyhow::bail!("the chain failed: {:?}", result.result_data.error);
        }
        runs += 1;
    }
    let elapsed = start.elapsed();
    let per_node_us = elapsed.as_secs_f64() * 1e6 / (runs as f64 * 21.0);
    Ok((runs, per_second(runs, elapsed), per_node_us))
}

pub async fn run(seconds: u64) -> anyhow::Result<()> {
    let budget = Duration::from_secs(seconds.max(1));
    println!("engine, {}s per figure", budget.as_secs());
    for (label, code) in [
        ("fast path", "$json.a.b"),
        ("JavaScript", "$json.a.name.toUpperCase()"),
    ] {
        let (n, rate) = expressions(code, budget)?;
        println!(
            "{:<40} {:>12.0} evals/s  ({n} evaluations, {:.2} µs each)",
            format!("expression, {label}: {code}"),
            rate,
            1e6 / rate
        );
    }
    let (runs, rate, per_node) = chain(budget).await?;
    println!(
        "{:<40} {:>12.1} executions/s  ({runs} runs, {per_node:.1} µs per node)",
        "20 Set nodes over 100 items", rate
    );
    Ok(())
}
