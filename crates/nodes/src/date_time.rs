//! `n8n-nodes-base.dateTime`: v2's current date, add/subtract, format, round, time between and
//! extract, and v1's format/calculate with moment-style formats, computed with Luxon in the
//! workflow's time zone (see the engine's `datetime.js`).

use serde_json::{Map, json};
use weft_engine::OnError;
use weft_engine::run::{Item, NodeContext, NodeError, NodeFuture, NodeType, PairedItem};

pub struct DateTime;

impl NodeType for DateTime {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.dateTime"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0, 2.0]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let continues = ctx.node.on_error() != OnError::StopWorkflow;
            let version: u8 = if ctx.node.type_version.as_f64().unwrap_or(2.0) >= 2.0 {
                2
            } else {
                1
            };
            let include_input = ctx
                .node
                .parameters
                .pointer("/options/includeInputFields")
                .is_some_and(|v| ctx.resolve(v, 0).ok().and_then(|v| v.as_bool()) == Some(true));
            let mut out = Vec::new();
            for (index, input) in ctx.items().iter().enumerate() {
                let outcome = ctx.parameters(index).and_then(|params| {
                    ctx.evaluator
                        .date_time(version, &params)
                        .map_err(|e| NodeError::new(e.to_string()))?
                        .map_err(|(message, _)| NodeError {
                            message,
                            description: None,
                            item_index: Some(index),
                        })
                });
                let mut item = match outcome {
                    Ok(None) => continue,
                    Ok(Some((field, value))) => {
                        // v1 always keeps the input fields.
                        let keep = include_input || version == 1;
                        let mut json = if keep { input.json.clone() } else { Map::new() };
                        json.insert(field, value);
                        Item {
                            json,
                            binary: if keep { input.binary.clone() } else { None },
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
