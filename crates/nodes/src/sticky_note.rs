//! `n8n-nodes-base.stickyNote`: a canvas comment. It is never connected and never runs, but
//! workflows carry it, so it is a known type.

use weft_engine::run::{NodeContext, NodeFuture, NodeType};

pub struct StickyNote;

impl NodeType for StickyNote {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.stickyNote"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn inputs(&self, _: &weft_engine::Node) -> usize {
        0
    }
    fn execute<'a>(&'a self, _: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move { Ok(None) })
    }
}
