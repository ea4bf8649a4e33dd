//! Nodes whose n8n behaviour rests on lodash/JavaScript semantics run their item transform in
//! the sandbox (`transforms.js` in the engine): Sort, Remove Duplicates, Rename Keys, Split Out,
//! Aggregate.

use serde_json::{Value, json};
use weft_engine::OnError;
use weft_engine::run::{Item, NodeContext, NodeError, NodeFuture, NodeType, PairedItem};

use crate::util::first_input;

/// Runs the sandbox transform `name` over `items`, mapping its failure to a node error.
pub(crate) fn run(
    ctx: &NodeContext<'_>,
    name: &str,
    items: &[Item],
    params: &Value,
    extra: Value,
) -> Result<Vec<Item>, NodeError> {
    match ctx.evaluator.transform(name, items, params, extra) {
        Ok(Ok(out)) => Ok(out),
        Ok(Err((message, description))) => Err(NodeError {
            message,
            description,
            item_index: None,
        }),
        Err(e) => Err(NodeError::new(e.to_string())),
    }
}

/// Runs the transform once over all items, with parameters resolved for item 0.
fn all_at_once<'a>(ctx: NodeContext<'a>, name: &'static str) -> NodeFuture<'a> {
    Box::pin(async move {
        let items = first_input(ctx.inputs);
        let params = ctx.parameters(0)?;
        let version = ctx.node.type_version.as_f64().unwrap_or(1.0);
        Ok(Some(vec![run(
            &ctx,
            name,
            &items,
            &params,
            json!(version),
        )?]))
    })
}

/// Runs the transform item by item, with that item's parameters; outputs pair with it.
fn per_item<'a>(ctx: NodeContext<'a>, name: &'static str) -> NodeFuture<'a> {
    Box::pin(async move {
        let continues = ctx.node.on_error() != OnError::StopWorkflow;
        let mut out = Vec::new();
        for (index, item) in first_input(ctx.inputs).into_iter().enumerate() {
            let result = ctx.parameters(index).and_then(|params| {
                run(
                    &ctx,
                    name,
                    std::slice::from_ref(&item),
                    &params,
                    Value::Null,
                )
            });
            match result {
                Ok(items) => out.extend(items.into_iter().map(|mut i| {
                    i.paired_item = Some(PairedItem::item(index));
                    i
                })),
                Err(e) if continues => {
                    let mut failed = Item::from_value(json!({"error": e.message}));
                    failed.paired_item = Some(PairedItem::item(index));
                    out.push(failed);
                }
                Err(mut e) => {
                    e.item_index = Some(index);
                    return Err(e);
                }
            }
        }
        Ok(Some(vec![out]))
    })
}

macro_rules! transform_node {
    ($name:ident, $type_name:literal, [$($v:literal),+], $how:ident, $transform:literal) => {
        pub struct $name;

        impl NodeType for $name {
            fn type_name(&self) -> &'static str {
                $type_name
            }
            fn versions(&self) -> &'static [f64] {
                &[$($v),+]
            }
            fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
                $how(ctx, $transform)
            }
        }
    };
}

transform_node!(Sort, "n8n-nodes-base.sort", [1.0], all_at_once, "sort");
transform_node!(
    RemoveDuplicates,
    "n8n-nodes-base.removeDuplicates",
    [1.0, 1.1, 2.0],
    all_at_once,
    "removeDuplicates"
);
transform_node!(
    RenameKeys,
    "n8n-nodes-base.renameKeys",
    [1.0],
    per_item,
    "renameKeys"
);
transform_node!(
    SplitOut,
    "n8n-nodes-base.splitOut",
    [1.0],
    per_item,
    "splitOut"
);
transform_node!(
    Aggregate,
    "n8n-nodes-base.aggregate",
    [1.0],
    all_at_once,
    "aggregate"
);
transform_node!(
    Summarize,
    "n8n-nodes-base.summarize",
    [1.0, 1.1],
    all_at_once,
    "summarize"
);
