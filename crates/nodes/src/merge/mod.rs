//! `n8n-nodes-base.merge` v1–v3.2 (v1 in `v1`), v2 onwards: append, combine (by fields, by position, all combinations)
//! and choose branch; v3 also combines by SQL query (`sql`). Clash handling follows lodash merge semantics (see `values`).

mod fields;
mod pairs;
mod sql;
mod v1;
mod values;

use serde_json::{Map, Value, json};
use weft_engine::Node;
use weft_engine::run::{
    Item, NodeContext, NodeError, NodeFuture, NodeType, PairedItem, PairedItemRef, RequiredInputs,
};

pub struct Merge;

fn version(node: &Node) -> f64 {
    node.type_version.as_f64().unwrap_or(2.0)
}

fn param<'n>(node: &'n Node, pointer: &str) -> Option<&'n Value> {
    node.parameters.pointer(pointer)
}

fn text<'n>(node: &'n Node, pointer: &str, default: &'n str) -> &'n str {
    param(node, pointer)
        .and_then(Value::as_str)
        .unwrap_or(default)
}

/// The clash options as Merge reads them; `resolve` is `None` when never set.
pub struct Clash {
    pub resolve: Option<String>,
    pub deep: bool,
    pub override_empty: bool,
}

impl Clash {
    fn of(node: &Node) -> Self {
        let c = param(node, "/options/clashHandling/values");
        Self {
            resolve: c
                .and_then(|c| c.get("resolveClash"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            deep: c.and_then(|c| c.get("mergeMode")).and_then(Value::as_str)
                != Some("shallowMerge"),
            override_empty: c
                .and_then(|c| c.get("overrideEmpty"))
                .and_then(Value::as_bool)
                .unwrap_or(false),
        }
    }

    /// Merges JSON objects in order, later ones winning.
    pub fn merge(&self, parts: &[&Map<String, Value>]) -> Map<String, Value> {
        let mut out = Value::Object(Map::new());
        for p in parts {
            if self.deep {
                values::deep_merge(&mut out, &Value::Object((*p).clone()), self.override_empty);
            } else if let Value::Object(o) = &mut out {
                values::shallow_merge(o, p, self.override_empty);
            }
        }
        match out {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }
}

pub fn binary_of(items: &[&Item]) -> Map<String, Value> {
    let mut out = Value::Object(Map::new());
    for item in items {
        if let Some(b) = &item.binary {
            values::deep_merge(&mut out, &Value::Object(b.clone()), false);
        }
    }
    match out {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The references of several items' `pairedItem`s, flattened.
pub fn paired_of(items: &[&Item]) -> PairedItem {
    let mut refs = Vec::new();
    for item in items {
        match &item.paired_item {
            Some(PairedItem::One(r)) => refs.push(*r),
            Some(PairedItem::Many(list)) => refs.extend(list.iter().copied()),
            Some(PairedItem::Index(i)) => refs.push(PairedItemRef {
                item: *i,
                input: None,
            }),
            None => {}
        }
    }
    PairedItem::Many(refs)
}

pub fn suffixed(items: &[Item], suffix: &str) -> Vec<Item> {
    items
        .iter()
        .map(|i| Item {
            json: values::with_suffix(&i.json, suffix),
            ..i.clone()
        })
        .collect()
}

fn inputs(ctx: &NodeContext<'_>) -> Vec<Vec<Item>> {
    let n = Merge.inputs(ctx.node);
    (0..n)
        .map(|k| ctx.inputs.get(k).cloned().flatten().unwrap_or_default())
        .collect()
}

fn choose_branch(node: &Node, inputs: &[Vec<Item>]) -> Result<Vec<Item>, NodeError> {
    let v3 = version(node) >= 3.0;
    let output = text(
        node,
        "/output",
        if v3 { "specifiedInput" } else { "input1" },
    );
    if output == "empty" {
        let refs: Vec<&Item> = inputs.iter().take(2).flatten().collect();
        return Ok(vec![Item {
            paired_item: Some(paired_of(&refs)),
            ..Item::from_value(json!({}))
        }]);
    }
    let index = if v3 {
        param(node, "/useDataOfInput")
            .and_then(Value::as_u64)
            .map_or(1, |n| usize::try_from(n).unwrap_or(usize::MAX))
    } else if output == "input2" {
        2
    } else {
        1
    };
    index
        .checked_sub(1)
        .and_then(|i| inputs.get(i))
        .cloned()
        .ok_or_else(|| NodeError {
            message: format!("Input {index} doesn't exist"),
            description: Some(format!(
                "The node has only {} inputs, so selecting input {index} is not possible.",
                inputs.len()
            )),
            item_index: None,
        })
}

impl NodeType for Merge {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.merge"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0, 2.0, 2.1, 3.0, 3.1, 3.2]
    }
    fn inputs(&self, node: &Node) -> usize {
        if version(node) >= 3.0 {
            param(node, "/numberInputs")
                .and_then(Value::as_u64)
                .unwrap_or(2)
                .clamp(2, 10) as usize
        } else {
            2
        }
    }
    fn required_inputs(&self, node: &Node) -> RequiredInputs {
        if version(node) < 2.0 {
            RequiredInputs::Any
        } else if text(node, "/mode", "append") == "chooseBranch" {
            RequiredInputs::Indexes(vec![0, 1])
        } else {
            RequiredInputs::Count(1)
        }
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let node = ctx.node;
            let inputs = inputs(&ctx);
            let v3 = version(node) >= 3.0;
            if version(node) < 2.0 {
                return Ok(Some(vec![v1::run(node, &inputs[0], &inputs[1])]));
            }
            let out = match text(node, "/mode", "append") {
                "append" => inputs.concat(),
                "chooseBranch" => choose_branch(node, &inputs)?,
                "combineBySql" if v3 => sql::run(&ctx, &inputs)?,
                "combine" => {
                    let how = if v3 {
                        text(node, "/combineBy", "combineByFields")
                    } else {
                        text(node, "/combinationMode", "mergeByFields")
                    };
                    match how {
                        "mergeByFields" | "combineByFields" => {
                            fields::run(node, &inputs[0], &inputs[1])?
                        }
                        "mergeByPosition" => pairs::by_position_v2(node, &inputs[0], &inputs[1]),
                        "combineByPosition" => pairs::by_position_v3(node, &inputs),
                        "multiplex" | "combineAll" => {
                            pairs::all_combinations(node, &inputs[0], &inputs[1])
                        }
                        other => {
                            return Err(NodeError::new(format!(
                                "The combine mode {other:?} is not supported"
                            )));
                        }
                    }
                }
                other => {
                    return Err(NodeError::new(format!(
                        "The merge mode {other:?} is not supported"
                    )));
                }
            };
            Ok(Some(vec![out]))
        })
    }
}
