//! `n8n-nodes-base.executionData`: saves key/value pairs as the execution's custom data
//! (`resultData.metadata`) and passes its items through.

use serde_json::Value;
use weft_engine::run::{NodeContext, NodeError, NodeFuture, NodeType};

use crate::util::first_input;

pub struct ExecutionData;

/// n8n's limits on custom data.
const MAX_KEYS: usize = 10;
const MAX_KEY_CHARS: usize = 50;
const MAX_VALUE_CHARS: usize = 255;

impl NodeType for ExecutionData {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.executionData"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0, 1.1]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let items = first_input(ctx.inputs);
            let save = ctx
                .node
                .parameters
                .get("operation")
                .and_then(Value::as_str)
                .unwrap_or("save")
                == "save";
            for index in 0..items.len() {
                if !save {
                    break;
                }
                let values = ctx.resolve(
                    ctx.node
                        .parameters
                        .pointer("/dataToSave/values")
                        .unwrap_or(&Value::Null),
                    index,
                )?;
                let mut data = ctx.custom_data.borrow_mut();
                for pair in values.as_array().into_iter().flatten() {
                    let key: String = pair
                        .get("key")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .chars()
                        .take(MAX_KEY_CHARS)
                        .collect();
                    if key.is_empty() {
                        continue;
                    }
                    let value = match pair.get("value") {
                        Some(Value::String(s)) => s.clone(),
                        Some(Value::Null) | None => String::new(),
                        Some(other) => other.to_string(),
                    };
                    if !data.contains_key(&key) && data.len() >= MAX_KEYS {
                        return Err(NodeError::new(format!(
                            "Custom data can hold at most {MAX_KEYS} keys"
                        )));
                    }
                    data.insert(
                        key,
                        Value::String(value.chars().take(MAX_VALUE_CHARS).collect()),
                    );
                }
            }
            Ok(Some(vec![items]))
        })
    }
}
