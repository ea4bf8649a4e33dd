//! `n8n-nodes-base.noOp`: passes its items through unchanged.

use weft_engine::run::{NodeContext, NodeFuture, NodeType};

use crate::util::first_input;

pub struct NoOp;

impl NodeType for NoOp {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.noOp"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move { Ok(Some(vec![first_input(ctx.inputs)])) })
    }
}
