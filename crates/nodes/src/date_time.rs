//! `n8n-nodes-base.dateTime` v2: current date, add/subtract, format, round, time between and
//! extract, computed with Luxon in the workflow's time zone (see the engine's `datetime.js`).

use serde_json::{Map, json};
use weft_engine::OnError;
use weft_engine::run::{Item, NodeContext, NodeError, NodeFuture, NodeType, PairedItem};

pub struct DateTime;

impl NodeType for DateTime {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.dateTime"
    }
    fn versions(&self) -> &'static [f64] {
        &[2.0]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let continues = ctx.node.on_error() != OnError::StopWorkflow;
            let include_input = ctx
                .node
                .parameters
                .pointer("/options/includeInputFields")
                .is_some_and(|v| ctx.resolve(v, 0).ok().and_then(|v| v.as_bool()) == Some(true));
            let mut out = Vec::new();
            for (index, input) in ctx.items().iter().enumerate() {
                let outcome = ctx.parameters(index).and_then(|params| {
                    ctx.evaluator
                        .date_time_v2(&params)
                        .map_err(|e| NodeError::new(e.to_string()))?
                        .map_err(|(message, _)| NodeError {
                            message,
                            description: None,
                            item_index: Some(index),
                        })
                });
                let mut item = match outcome {
                    Ok((field, value)) => {
                        let mut json = if include_input {
                            input.json.clone()
                        } else {
                            Map::new()
                        };
                        json.insert(field, value);
                        Item {
                            json,
                            binary: if include_input {
                                input.binary.clone()
                            } else {
                                None
                            },
                            ..Item::default()
                        }
                    }
                    Err(e) if continues => Item::from_value(json!({"error": e.message})),
                    Err(e) => return Err(e),
                };
                item.paired_item = Some(PairedItem::item(index));
                out.push(item);
            }
            Ok(Some(vec![out]))
        })
    }
}
