//! Manual Trigger and the legacy Start node: they emit the items the execution started with.

use weft_engine::run::{NodeContext, NodeFuture, NodeKind, NodeType};

use crate::util::first_input;

/// `n8n-nodes-base.manualTrigger`: in a manual run, emits its start item (`{json: {}}`).
pub struct ManualTrigger;

impl NodeType for ManualTrigger {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.manualTrigger"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn kind(&self) -> NodeKind {
        NodeKind::Trigger
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move { Ok(Some(vec![first_input(ctx.inputs)])) })
    }
}

/// `n8n-nodes-base.start` (legacy): passes its input through.
pub struct Start;

impl NodeType for Start {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.start"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn kind(&self) -> NodeKind {
        NodeKind::Trigger
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move { Ok(Some(vec![first_input(ctx.inputs)])) })
    }
}
