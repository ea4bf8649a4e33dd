//! `n8n-nodes-base.splitInBatches` v1–v3 (v3 is "Loop Over Items"): hands out the input in batches, one batch per run; the
//! rest waits in the node's context (`items`, `currentRunIndex`, `maxRunIndex`, `noItemsLeft`).
//! v2 has a second output: once every batch went round, the items that came back (`done`);
//! v3 has the same two outputs in the other order (`done` first, then `loop`).

use serde_json::{Map, Value, json};
use weft_engine::run::{Item, NodeContext, NodeFuture, NodeType};

use crate::util::first_input;

pub struct SplitInBatches;

impl NodeType for SplitInBatches {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.splitInBatches"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0, 2.0, 3.0]
    }
    fn outputs(&self, node: &weft_engine::Node) -> usize {
        if node.type_version.as_f64().unwrap_or(1.0) >= 2.0 {
            2
        } else {
            1
        }
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let version = ctx.node.type_version.as_f64().unwrap_or(1.0);
            let v2 = version >= 2.0;
            let done_first = version >= 3.0;
            let batch = ctx.parameter("batchSize", 0)?.as_u64().unwrap_or(10).max(1) as usize;
            let finish = |context: &mut Map<String, Value>, out: Vec<Item>| {
                if !v2 {
                    return if out.is_empty() {
                        None
                    } else {
                        Some(vec![out])
                    };
                }
                let done = out.is_empty();
                context.insert("done".into(), json!(done));
                if done {
                    let processed: Vec<Item> = serde_json::from_value(
                        context
                            .get("processedItems")
                            .cloned()
                            .unwrap_or(Value::Null),
                    )
                    .unwrap_or_default();
                    Some(if done_first {
                        vec![processed, Vec::new()]
                    } else {
                        vec![Vec::new(), processed]
                    })
                } else {
                    Some(if done_first {
                        vec![Vec::new(), out]
                    } else {
                        vec![out, Vec::new()]
                    })
                }
            };
            let reset = ctx
                .parameters(0)?
                .pointer("/options/reset")
                .and_then(Value::as_bool)
                == Some(true);
            let mut context = ctx.context();
            let mut pending: Vec<Item> = match context.get("items") {
                Some(stored) if !reset => {
                    serde_json::from_value(stored.clone()).unwrap_or_default()
                }
                _ => {
                    let items = first_input(ctx.inputs);
                    context = Map::new();
                    context.insert("currentRunIndex".into(), json!(0));
                    context.insert("maxRunIndex".into(), json!(items.len().div_ceil(batch)));
                    let first: Vec<Item> = items.iter().take(batch).cloned().collect();
                    let rest: Vec<Item> = items.into_iter().skip(batch).collect();
                    context.insert(
                        "items".into(),
                        serde_json::to_value(&rest).unwrap_or(Value::Null),
                    );
                    context.insert("noItemsLeft".into(), json!(rest.is_empty()));
                    context.insert("processedItems".into(), json!([]));
                    let result = finish(&mut context, first);
                    ctx.set_context(context);
                    return Ok(result);
                }
            };
            let run = context
                .get("currentRunIndex")
                .and_then(Value::as_u64)
                .unwrap_or(0)
                + 1;
            context.insert("currentRunIndex".into(), json!(run));
            let take = batch.min(pending.len());
            let out: Vec<Item> = pending.drain(..take).collect();
            context.insert(
                "items".into(),
                serde_json::to_value(&pending).unwrap_or(Value::Null),
            );
            context.insert("noItemsLeft".into(), json!(pending.is_empty()));
            if v2 {
                // What came back round the loop is kept for the done output.
                let mut processed: Vec<Item> = serde_json::from_value(
                    context
                        .get("processedItems")
                        .cloned()
                        .unwrap_or(Value::Null),
                )
                .unwrap_or_default();
                processed.extend(first_input(ctx.inputs));
                context.insert(
                    "processedItems".into(),
                    serde_json::to_value(&processed).unwrap_or(Value::Null),
                );
            }
            let result = finish(&mut context, out);
            ctx.set_context(context);
            Ok(result)
        })
    }
}
