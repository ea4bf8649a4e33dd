//! `n8n-nodes-base.code` (JavaScript, once for all items or once per item) and the legacy
//! `n8n-nodes-base.function` and `n8n-nodes-base.functionItem`: user code in the expression
//! sandbox, its return turned into items.

use serde_json::{Map, Value, json};
use weft_engine::OnError;
use weft_engine::run::{Item, NodeContext, NodeError, NodeFuture, NodeType};

use crate::util::paired;

pub struct Code;
pub struct Function;
pub struct FunctionItem;

/// Turns what user code returned into items: an array of items or plain objects, or one object.
fn to_items(value: Value) -> Result<Vec<Item>, NodeError> {
    let list = match value {
        Value::Null => Vec::new(),
        Value::Array(list) => list,
        other => vec![other],
    };
    list.into_iter()
        .enumerate()
        .map(|(i, v)| match v {
            Value::Object(map) if map.contains_key("json") => {
                if !map.get("json").is_some_and(Value::is_object) {
                    return Err(NodeError {
                        message: format!("A 'json' property isn't an object [item {i}]"),
                        description: Some(
                            "In the returned data, every key named 'json' must point to an object."
                                .into(),
                        ),
                        item_index: Some(i),
                    });
                }
                serde_json::from_value(Value::Object(map))
                    .map_err(|e| bad_return(i, &e.to_string()))
            }
            Value::Object(map) => Ok(Item::new(map)),
            other => Err(bad_return(i, &format!("got {other}"))),
        })
        .collect()
}

fn bad_return(index: usize, why: &str) -> NodeError {
    NodeError {
        message: "Code doesn't return items properly".into(),
        description: Some(format!(
            "Item {index} is not an object ({why}); return an array of objects"
        )),
        item_index: Some(index),
    }
}

fn continues(ctx: &NodeContext<'_>) -> bool {
    ctx.node.on_error() != OnError::StopWorkflow
}

fn code_error(message: String, index: Option<usize>) -> NodeError {
    NodeError {
        message,
        description: None,
        item_index: index,
    }
}

async fn run(
    ctx: NodeContext<'_>,
    code: String,
    per_item: bool,
) -> Result<Option<Vec<Vec<Item>>>, NodeError> {
    if !per_item {
        let out = ctx
            .evaluator
            .run_code(&code, "runOnceForAllItems", 0)
            .map_err(|e| code_error(e.to_string(), None))
            .and_then(to_items);
        return match out {
            Ok(items) => Ok(Some(vec![items])),
            Err(e) if continues(&ctx) => Ok(Some(vec![vec![Item::from_value(
                json!({"error": e.message}),
            )]])),
            Err(e) => Err(e),
        };
    }
    let mut out = Vec::new();
    for index in 0..ctx.items().len() {
        let result = ctx
            .evaluator
            .run_code(&code, "runOnceForEachItem", index)
            .map_err(|e| code_error(e.to_string(), Some(index)))
            .and_then(|v| match v {
                Value::Null => Ok(Vec::new()),
                Value::Array(_) => Err(code_error(
                    "Code doesn't return a single object".into(),
                    Some(index),
                )),
                other => to_items(other),
            });
        match result {
            Ok(items) => out.extend(items.into_iter().map(|it| {
                if it.paired_item.is_some() {
                    it
                } else {
                    paired(it, index)
                }
            })),
            // As n8n: the failed item's own fields with the error added, flagged for the error
            // output.
            Err(e) if continues(&ctx) => {
                let mut json = ctx.items()[index].json.clone();
                json.insert("error".into(), Value::String(e.message.clone()));
                let mut failed = Item::new(json);
                failed.error = Some(Value::String(e.message));
                out.push(paired(failed, index))
            }
            Err(e) => return Err(e),
        }
    }
    Ok(Some(vec![out]))
}

impl NodeType for Code {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.code"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0, 2.0]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let p = &ctx.node.parameters;
            let language = p
                .get("language")
                .and_then(Value::as_str)
                .unwrap_or("javaScript");
            if language != "javaScript" {
                return Err(NodeError::new(format!(
                    "The Code node language {language:?} is not supported; use JavaScript"
                )));
            }
            let per_item = p.get("mode").and_then(Value::as_str) == Some("runOnceForEachItem");
            let code = p
                .get("jsCode")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            run(ctx, code, per_item).await
        })
    }
}

impl NodeType for Function {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.function"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let code = ctx
                .node
                .parameters
                .get("functionCode")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            run(ctx, code, false).await
        })
    }
}

impl NodeType for FunctionItem {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.functionItem"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let mut out = Vec::with_capacity(ctx.items().len());
            for index in 0..ctx.items().len() {
                let code = crate::util::string_param(&ctx, "functionCode", index, "")?;
                let result = ctx
                    .evaluator
                    .run_code(&code, "functionItem", index)
                    .map_err(|e| code_error(e.to_string(), Some(index)))
                    .and_then(|v| function_item(v, index));
                match result {
                    Ok(item) => out.push(paired(item, index)),
                    // As n8n: the error item carries the message without the line it names.
                    Err(e) if continues(&ctx) => {
                        let message = match e.message.rsplit_once(" [") {
                            Some((m, tail)) if tail.ends_with(&format!("Item Index: {index}]")) => {
                                m.to_owned()
                            }
                            _ => e.message,
                        };
                        out.push(paired(Item::from_value(json!({ "error": message })), index));
                    }
                    Err(e) => return Err(e),
                }
            }
            Ok(Some(vec![out]))
        })
    }
}

/// A Function Item run's `{json, binary}` as the item it outputs.
fn function_item(value: Value, index: usize) -> Result<Item, NodeError> {
    let Value::Object(mut out) = value else {
        return Err(bad_return(index, "no result"));
    };
    let json = match out.remove("json") {
        Some(Value::Object(json)) => json,
        Some(other) => return Err(bad_return(index, &format!("got {other}"))),
        None => Map::new(),
    };
    let binary = match out.remove("binary") {
        Some(Value::Object(binary)) => Some(binary),
        _ => None,
    };
    Ok(Item {
        json,
        binary,
        ..Item::default()
    })
}
