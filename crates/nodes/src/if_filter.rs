//! `n8n-nodes-base.if` (true/false outputs) and `n8n-nodes-base.filter` (kept items), v1 with
//! the typed condition lists and v2.x with the shared filter condition engine.

use serde_json::Value;
use weft_engine::OnError;
use weft_engine::run::{
    Item, NodeContext, NodeError, NodeFuture, NodeType, PairedItem, PairedItemRef,
};

pub struct If;
pub struct Filter;

fn node_error(message: String, description: Option<String>, index: usize) -> NodeError {
    NodeError {
        message,
        description,
        item_index: Some(index),
    }
}

/// Splits the items by their conditions: `(passing, failing)`.
fn split(ctx: &NodeContext<'_>, array_pairing: bool) -> Result<(Vec<Item>, Vec<Item>), NodeError> {
    let version = ctx.node.type_version.as_f64().unwrap_or(1.0);
    let continues = ctx.node.on_error() != OnError::StopWorkflow;
    let (mut pass, mut fail) = (Vec::new(), Vec::new());
    for (index, input) in ctx.items().iter().enumerate() {
        let outcome = if version < 2.0 {
            let conditions = ctx.parameter("conditions", index)?;
            let combine = if ctx.node.node_type == "n8n-nodes-base.filter" {
                ctx.node
                    .parameters
                    .get("combineConditions")
                    .and_then(Value::as_str)
                    .unwrap_or("AND")
                    .to_owned()
            } else {
                ctx.node
                    .parameters
                    .get("combineOperation")
                    .and_then(Value::as_str)
                    .unwrap_or("all")
                    .to_owned()
            };
            ctx.evaluator.conditions_v1(&conditions, &combine)
        } else {
            let conditions = ctx.parameter("conditions", index)?;
            ctx.evaluator.filter(&conditions, index)
        };
        let outcome = outcome.map_err(|e| node_error(e.to_string(), None, index))?;
        let mut item = input.clone();
        if item.paired_item.is_none() {
            item.paired_item = Some(if array_pairing {
                PairedItem::Many(vec![PairedItemRef {
                    item: index as u32,
                    input: None,
                }])
            } else {
                PairedItem::item(index)
            });
        }
        match outcome {
            Ok(true) => pass.push(item),
            Ok(false) => fail.push(item),
            Err(_) if continues => fail.push(item),
            Err((message, description)) => {
                let description = description.or_else(|| {
                    Some("Try changing the type of comparison. Alternatively you can enable 'Convert types where required'.".into())
                });
                return Err(node_error(message, description, index));
            }
        }
    }
    Ok((pass, fail))
}

impl NodeType for If {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.if"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0, 2.0, 2.1, 2.2, 2.3]
    }
    fn outputs(&self, _: &weft_engine::Node) -> usize {
        2
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let (pass, fail) = split(&ctx, false)?;
            Ok(Some(vec![pass, fail]))
        })
    }
}

impl NodeType for Filter {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.filter"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0, 2.0, 2.1, 2.2, 2.3]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let v1 = ctx.node.type_version.as_f64().unwrap_or(1.0) < 2.0;
            // n8n returns the discarded items as a second output: nothing connects to it, but
            // it is in the run data.
            let (kept, discarded) = split(&ctx, v1)?;
            Ok(Some(vec![kept, discarded]))
        })
    }
}
