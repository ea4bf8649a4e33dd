//! `n8n-nodes-base.compareDatasets` v1–v2.3: matches items of input A and B by fields and sorts
//! them into In A only, Same, Different and In B only (run as a sandbox transform).

use serde_json::json;
use weft_engine::run::{Item, NodeContext, NodeError, NodeFuture, NodeType, RequiredInputs};

pub struct CompareDatasets;

impl NodeType for CompareDatasets {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.compareDatasets"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0, 2.0, 2.1, 2.2, 2.3]
    }
    fn inputs(&self, _: &weft_engine::Node) -> usize {
        2
    }
    fn outputs(&self, _: &weft_engine::Node) -> usize {
        4
    }
    fn required_inputs(&self, _: &weft_engine::Node) -> RequiredInputs {
        RequiredInputs::Count(1)
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let side = |k: usize| ctx.inputs.get(k).cloned().flatten().unwrap_or_default();
            let input = json!({"a": side(0), "b": side(1)});
            let params = ctx.parameters(0)?;
            let version = ctx.node.type_version.as_f64().unwrap_or(1.0);
            let out = match ctx.evaluator.transform_value(
                "compareDatasets",
                &input,
                &params,
                json!(version),
            ) {
                Ok(Ok(v)) => v,
                Ok(Err((message, description))) => {
                    return Err(NodeError {
                        message,
                        description,
                        item_index: None,
                    });
                }
                Err(e) => return Err(NodeError::new(e.to_string())),
            };
            let outputs: Vec<Vec<Item>> =
                serde_json::from_value(out).map_err(|e| NodeError::new(e.to_string()))?;
            Ok(Some(outputs))
        })
    }
}
