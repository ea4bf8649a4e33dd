//! `n8n-nodes-base.itemLists` v1–v3.1: concatenate/aggregate, split out, remove duplicates, sort,
//! limit and summarize, each with its version's rules (run as the sandbox's item transforms).

use serde_json::{Value, json};
use weft_engine::run::{NodeContext, NodeError, NodeFuture, NodeType, PairedItem};

use crate::util::first_input;

pub struct ItemLists;

/// `{fields: [{fieldName}]}` collections (v1/v2) as the comma lists the transforms read.
fn flatten_field_lists(params: &mut Value) {
    for key in ["fieldsToExclude", "fieldsToCompare", "fieldsToInclude"] {
        if let Some(list) = params
            .pointer(&format!("/{key}/fields"))
            .and_then(Value::as_array)
        {
            let names: Vec<Value> = list
                .iter()
                .filter_map(|f| f.get("fieldName").cloned())
                .collect();
            params[key] = Value::Array(names);
        }
    }
}

impl NodeType for ItemLists {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.itemLists"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0, 2.0, 2.1, 2.2, 3.0, 3.1]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let version = ctx.node.type_version.as_f64().unwrap_or(1.0);
            let items = first_input(ctx.inputs);
            let operation = ctx
                .node
                .parameters
                .get("operation")
                .and_then(Value::as_str)
                .unwrap_or("splitOutItems");
            let mut params = ctx.parameters(0)?;
            flatten_field_lists(&mut params);
            let il = json!({"il": version});
            let out = match operation {
                "limit" => {
                    let max = params.get("maxItems").and_then(Value::as_u64).unwrap_or(1) as usize;
                    let last = params.get("keep").and_then(Value::as_str) == Some("lastItems");
                    if items.len() <= max {
                        items
                    } else if last {
                        items[items.len() - max..].to_vec()
                    } else {
                        items[..max].to_vec()
                    }
                }
                "sort" => crate::transform::run(&ctx, "sort", &items, &params, Value::Null)?,
                "removeDuplicates" => {
                    let mode = if version >= 3.1 {
                        json!("rank")
                    } else {
                        json!(1.0)
                    };
                    crate::transform::run(&ctx, "removeDuplicates", &items, &params, mode)?
                }
                "aggregateItems" | "concatenateItems" => {
                    crate::transform::run(&ctx, "aggregate", &items, &params, il)?
                }
                "summarize" => crate::transform::run(&ctx, "summarize", &items, &params, il)?,
                "splitOutItems" => {
                    let mut out = Vec::new();
                    for (index, item) in items.iter().enumerate() {
                        let mut p = ctx.parameters(index)?;
                        flatten_field_lists(&mut p);
                        let split = crate::transform::run(
                            &ctx,
                            "splitOut",
                            std::slice::from_ref(item),
                            &p,
                            il.clone(),
                        )
                        .map_err(|mut e| {
                            e.item_index = Some(index);
                            e
                        })?;
                        out.extend(split.into_iter().map(|mut i| {
                            i.paired_item = Some(PairedItem::item(index));
                            i
                        }));
                    }
                    out
                }
                other => {
                    let message = if version >= 3.0 {
                        format!("The operation \"{other}\" is not supported!")
                    } else {
                        format!("Operation '{other}' is not recognized")
                    };
                    return Err(NodeError::new(message));
                }
            };
            Ok(Some(vec![out]))
        })
    }
}
