//! Small node types for executor tests: each does one observable thing.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};
use weft_engine::run::{
    Item, NodeContext, NodeError, NodeFuture, NodeKind, NodeRegistry, NodeType, RequiredInputs,
};

/// Emits the items it was started with.
struct Trigger;
impl NodeType for Trigger {
    fn type_name(&self) -> &'static str {
        "test.trigger"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn kind(&self) -> NodeKind {
        NodeKind::Trigger
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            Ok(Some(vec![
                ctx.inputs.iter().flatten().flatten().cloned().collect(),
            ]))
        })
    }
}

/// Appends its name to each item's `path` (items of all inputs, in order).
struct Visit;
impl NodeType for Visit {
    fn type_name(&self) -> &'static str {
        "test.visit"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let mut out = Vec::new();
            for mut item in ctx.inputs.iter().flatten().flatten().cloned() {
                let path = item.json.entry("path").or_insert_with(|| json!([]));
                if let Some(p) = path.as_array_mut() {
                    p.push(json!(ctx.node.name));
                }
                item.paired_item = None;
                out.push(item);
            }
            Ok(Some(vec![out]))
        })
    }
}

/// Two outputs: items whose `n` is below the node's `below` parameter go to output 0.
struct Split;
impl NodeType for Split {
    fn type_name(&self) -> &'static str {
        "test.split"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn outputs(&self, _: &weft_engine::Node) -> usize {
        2
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let below = ctx.node.parameters["below"].as_f64().unwrap_or(0.0);
            let (low, high): (Vec<Item>, Vec<Item>) = ctx
                .inputs
                .iter()
                .flatten()
                .flatten()
                .cloned()
                .partition(|i| i.json.get("n").and_then(Value::as_f64).unwrap_or(0.0) < below);
            Ok(Some(vec![low, high]))
        })
    }
}

/// Adds 1 to `n`.
struct Increment;
impl NodeType for Increment {
    fn type_name(&self) -> &'static str {
        "test.increment"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let mut items: Vec<Item> = ctx.inputs.iter().flatten().flatten().cloned().collect();
            for item in &mut items {
                let n = item.json.get("n").and_then(Value::as_f64).unwrap_or(0.0);
                item.json.insert("n".into(), json!(n + 1.0));
            }
            Ok(Some(vec![items]))
        })
    }
}

/// Two inputs; appends them. Needs one input with data to run on partial input (as Merge).
struct Append;
impl NodeType for Append {
    fn type_name(&self) -> &'static str {
        "test.append"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn inputs(&self, _: &weft_engine::Node) -> usize {
        2
    }
    fn required_inputs(&self, _: &weft_engine::Node) -> RequiredInputs {
        RequiredInputs::Count(1)
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            Ok(Some(vec![
                ctx.inputs.iter().flatten().flatten().cloned().collect(),
            ]))
        })
    }
}

/// Outputs nothing on its one output.
struct Nothing;
impl NodeType for Nothing {
    fn type_name(&self) -> &'static str {
        "test.nothing"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn execute<'a>(&'a self, _: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move { Ok(Some(vec![Vec::new()])) })
    }
}

/// Fails its first `failures` calls (parameter), then passes items through.
struct Flaky(AtomicUsize);
impl NodeType for Flaky {
    fn type_name(&self) -> &'static str {
        "test.flaky"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let failures = ctx.node.parameters["failures"].as_u64().unwrap_or(u64::MAX) as usize;
            if self.0.fetch_add(1, Ordering::SeqCst) < failures {
                return Err(NodeError::new("flaky failure"));
            }
            Ok(Some(vec![
                ctx.inputs.iter().flatten().flatten().cloned().collect(),
            ]))
        })
    }
}

/// Marks items with `bad: true` as per-item errors.
struct Check;
impl NodeType for Check {
    fn type_name(&self) -> &'static str {
        "test.check"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let items = ctx
                .inputs
                .iter()
                .flatten()
                .flatten()
                .cloned()
                .map(|i| {
                    if i.json.get("bad") == Some(&json!(true)) {
                        Item::from_value(json!({"error": "bad item"}))
                    } else {
                        i
                    }
                })
                .collect();
            Ok(Some(vec![items]))
        })
    }
}

/// Counts its runs in its node context and passes items through.
struct Counter;
impl NodeType for Counter {
    fn type_name(&self) -> &'static str {
        "test.counter"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let mut context = ctx.context();
            let count = context.get("count").and_then(Value::as_u64).unwrap_or(0) + 1;
            context.insert("count".into(), json!(count));
            ctx.set_context(context);
            Ok(Some(vec![
                ctx.inputs.iter().flatten().flatten().cloned().collect(),
            ]))
        })
    }
}

/// Outputs its parameters, resolved for item 0.
struct Params;
impl NodeType for Params {
    fn type_name(&self) -> &'static str {
        "test.params"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move { Ok(Some(vec![vec![Item::from_value(ctx.parameters(0)?)]])) })
    }
}

pub fn registry() -> NodeRegistry {
    let mut r = NodeRegistry::new();
    r.register(Arc::new(Trigger))
        .register(Arc::new(Visit))
        .register(Arc::new(Split))
        .register(Arc::new(Increment))
        .register(Arc::new(Append))
        .register(Arc::new(Nothing))
        .register(Arc::new(Flaky(AtomicUsize::new(0))))
        .register(Arc::new(Check))
        .register(Arc::new(Counter))
        .register(Arc::new(Params));
    r
}
