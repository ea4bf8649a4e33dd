//! `n8n-nodes-base.switch`: routes each item to an output — v1/v2 by typed rules or an output
//! index expression, v3.x by filter conditions per rule (with fallback and all-matching options).

use serde_json::{Value, json};
use weft_engine::run::{Item, NodeContext, NodeError, NodeFuture, NodeType, PairedItem};
use weft_engine::{Node, OnError};

pub struct Switch;

fn version(node: &Node) -> f64 {
    node.type_version.as_f64().unwrap_or(1.0)
}

fn rules(node: &Node) -> Vec<Value> {
    let key = if version(node) >= 3.0 {
        "/rules/values"
    } else {
        "/rules/rules"
    };
    node.parameters
        .pointer(key)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn is_expression_mode(node: &Node) -> bool {
    node.parameters.get("mode").and_then(Value::as_str) == Some("expression")
}

/// The node's outputs, at most as many as a connection can address.
fn output_count(node: &Node) -> usize {
    declared_outputs(node).clamp(1, weft_engine::workflow::MAX_PORT_INDEX + 1)
}

fn declared_outputs(node: &Node) -> usize {
    let v = version(node);
    if v < 2.0 {
        return 4;
    }
    if is_expression_mode(node) {
        let key = if v >= 3.0 {
            "numberOutputs"
        } else {
            "outputsAmount"
        };
        return node
            .parameters
            .get(key)
            .and_then(Value::as_u64)
            .map_or(4, |n| usize::try_from(n).unwrap_or(usize::MAX));
    }
    let extra = v >= 3.0
        && node
            .parameters
            .pointer("/options/fallbackOutput")
            .and_then(Value::as_str)
            == Some("extra");
    rules(node).len() + usize::from(extra)
}

fn out_of_range(index: i64, len: usize, item: usize, v3: bool) -> NodeError {
    let (message, description) = if v3 && index == len as i64 {
        (
            "The ouput idx is not allowed. ".to_owned(),
            Some(
                "Output indexes are zero based, if you want to use the extra output use idx-1"
                    .to_owned(),
            ),
        )
    } else if v3 {
        (
            "The ouput idx is not allowed".to_owned(),
            Some(format!("It has to be between 0 and {}", len as i64 - 1)),
        )
    } else {
        (
            format!(
                "The ouput {index} is not allowed. It has to be between 0 and {}!",
                len as i64 - 1
            ),
            None,
        )
    };
    NodeError {
        message,
        description,
        item_index: Some(item),
    }
}

fn push(
    outputs: &mut [Vec<Item>],
    index: i64,
    item: Item,
    at: usize,
    v3: bool,
) -> Result<(), NodeError> {
    if index < 0 || index as usize >= outputs.len() {
        return Err(out_of_range(index, outputs.len(), at, v3));
    }
    outputs[index as usize].push(item);
    Ok(())
}

fn condition_error(message: String, description: Option<String>, index: usize) -> NodeError {
    NodeError {
        message,
        description,
        item_index: Some(index),
    }
}

/// Which outputs item `index` goes to, and whether a rule matched.
fn route(
    ctx: &NodeContext<'_>,
    index: usize,
    outputs: &mut [Vec<Item>],
    item: Item,
) -> Result<(), NodeError> {
    let node = ctx.node;
    let v = version(node);
    let v3 = v >= 3.0;
    if is_expression_mode(node) {
        let raw = ctx.parameter("output", index)?;
        let target = raw
            .as_f64()
            .or_else(|| raw.as_str().and_then(|s| s.trim().parse().ok()));
        let Some(target) = target.filter(|t| t.fract() == 0.0) else {
            return Err(condition_error(
                format!("The output index {raw} is not a whole number"),
                None,
                index,
            ));
        };
        return push(outputs, target as i64, item, index, v3);
    }
    let list = rules(node);
    let all_matching = v3
        && node
            .parameters
            .pointer("/options/allMatchingOutputs")
            .and_then(Value::as_bool)
            == Some(true);
    let mut matched = false;
    for (r, rule) in list.iter().enumerate() {
        let pass = if v3 {
            let conditions = ctx.resolve(rule.get("conditions").unwrap_or(&Value::Null), index)?;
            ctx.evaluator.filter(&conditions, index)
        } else {
            let kind = node
                .parameters
                .get("dataType")
                .and_then(Value::as_str)
                .unwrap_or("number");
            let fallback = match kind {
                "boolean" => json!(false),
                "number" => json!(0),
                _ => json!(""),
            };
            let value1 = match node.parameters.get("value1") {
                Some(v) => ctx.resolve(v, index)?,
                None => fallback.clone(),
            };
            let rule = ctx.resolve(rule, index)?;
            let default_op = match kind {
                "boolean" | "string" => "equal",
                "dateTime" => "after",
                _ => "smaller",
            };
            ctx.evaluator.compare_v1(&json!({
                "operation": rule.get("operation").and_then(Value::as_str).unwrap_or(default_op),
                "value1": value1,
                "value2": rule.get("value2").cloned().unwrap_or(fallback),
                "kind": kind,
            }))
        }
        .map_err(|e| condition_error(e.to_string(), None, index))?;
        match pass {
            Ok(true) => {
                matched = true;
                let target = if v >= 2.0 {
                    r as i64
                } else {
                    rule.get("output").and_then(Value::as_i64).unwrap_or(0)
                };
                push(outputs, target, item.clone(), index, v3)?;
                if !all_matching {
                    break;
                }
            }
            Ok(false) => {}
            Err((message, description)) => {
                return Err(condition_error(message, description, index));
            }
        }
    }
    if matched {
        return Ok(());
    }
    let fallback = if v3 {
        node.parameters.pointer("/options/fallbackOutput")
    } else {
        node.parameters.get("fallbackOutput")
    };
    match fallback {
        Some(Value::String(s)) if s == "extra" => {
            let last = outputs.len() as i64 - 1;
            push(outputs, last, item, index, v3)
        }
        Some(Value::Number(n)) if n.as_i64().is_some_and(|i| i >= 0) => {
            push(outputs, n.as_i64().unwrap_or(0), item, index, v3)
        }
        Some(Value::String(s)) if s.parse::<i64>().is_ok_and(|i| i >= 0) => {
            push(outputs, s.parse().unwrap_or(0), item, index, v3)
        }
        _ => Ok(()),
    }
}

impl NodeType for Switch {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.switch"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0, 2.0, 3.0, 3.1, 3.2, 3.3, 3.4]
    }
    fn outputs(&self, node: &Node) -> usize {
        output_count(node)
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let mut outputs: Vec<Vec<Item>> = vec![Vec::new(); output_count(ctx.node)];
            let continues = ctx.node.on_error() != OnError::StopWorkflow;
            for (index, input) in ctx.items().iter().enumerate() {
                let mut item = input.clone();
                item.paired_item = Some(PairedItem::item(index));
                if let Err(e) = route(&ctx, index, &mut outputs, item) {
                    if !continues {
                        return Err(e);
                    }
                    outputs[0].push(Item::from_value(json!({"error": e.message})));
                }
            }
            Ok(Some(outputs))
        })
    }
}
