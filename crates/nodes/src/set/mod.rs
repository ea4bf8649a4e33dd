//! `n8n-nodes-base.set` ("Edit Fields"): v1–v2 typed value lists, v3.0–3.5 fields/assignments
//! or raw JSON, with dot notation and the include options.

pub(crate) mod convert;
pub(crate) mod path;
mod v2;
mod v3;

use weft_engine::run::{NodeContext, NodeFuture, NodeType};

pub struct Set;

impl NodeType for Set {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.set"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0, 2.0, 3.0, 3.1, 3.2, 3.3, 3.4, 3.5]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let version = ctx.node.type_version.as_f64().unwrap_or(1.0);
            let items = if version < 3.0 {
                v2::run(&ctx)?
            } else {
                v3::run(&ctx, version)?
            };
            Ok(Some(vec![items]))
        })
    }
}
