//! `n8n-nodes-base.limit`: keeps the first or last `maxItems` items.

use serde_json::Value;
use weft_engine::run::{NodeContext, NodeFuture, NodeType};

use crate::util::first_input;

pub struct Limit;

impl NodeType for Limit {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.limit"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let mut items = first_input(ctx.inputs);
            let max = ctx.parameter("maxItems", 0)?.as_u64().unwrap_or(1) as usize;
            let last = ctx.node.parameters.get("keep").and_then(Value::as_str) == Some("lastItems");
            if items.len() > max {
                items = if last {
                    items.split_off(items.len() - max)
                } else {
                    items.into_iter().take(max).collect()
                };
            }
            Ok(Some(vec![items]))
        })
    }
}
