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

pub struct Sort;

impl NodeType for Sort {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.sort"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let params = ctx.parameters(0)?;
            let items = first_input(ctx.inputs);
            if let Some(sorted) = native_sort(&items, &params) {
                return Ok(Some(vec![sorted]));
            }
            all_at_once(ctx, "sort").await
        })
    }
}

/// A sort key all items share the type of.
enum Key {
    Number(f64),
    Text(Vec<u16>),
}

/// The simple sort without the sandbox, when every sort field holds a number in every item or a
/// string in every item: JavaScript's comparison then is a total order, so any stable sort
/// agrees with n8n's. `None` sends the other cases (mixed or missing values) to the sandbox.
fn native_sort(items: &[Item], params: &Value) -> Option<Vec<Item>> {
    if params
        .get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| t != "simple")
    {
        return None;
    }
    let fields = params.pointer("/sortFieldsUi/sortField")?.as_array()?;
    if fields.is_empty() || items.is_empty() {
        return None;
    }
    let no_dot = params
        .pointer("/options/disableDotNotation")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut keys: Vec<Vec<Key>> = (0..items.len())
        .map(|_| Vec::with_capacity(fields.len()))
        .collect();
    let mut descending = Vec::with_capacity(fields.len());
    for field in fields {
        let name = field.get("fieldName")?.as_str()?;
        descending.push(field.get("order").and_then(Value::as_str) == Some("descending"));
        fn field_of<'i>(item: &'i Item, name: &str, no_dot: bool) -> Option<&'i Value> {
            if no_dot {
                item.json.get(name)
            } else {
                crate::set::path::lodash_get(&item.json, name)
            }
        }
        let value = |item| field_of(item, name, no_dot);
        let numbers = items.iter().all(|i| value(i).is_some_and(Value::is_number));
        let strings = items.iter().all(|i| value(i).is_some_and(Value::is_string));
        for (item, key) in items.iter().zip(keys.iter_mut()) {
            let v = value(item)?;
            key.push(if numbers {
                Key::Number(v.as_f64()?)
            } else if strings {
                Key::Text(v.as_str()?.to_lowercase().encode_utf16().collect())
            } else {
                return None;
            });
        }
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| {
        for (f, desc) in descending.iter().enumerate() {
            let o = match (&keys[a][f], &keys[b][f]) {
                (Key::Number(x), Key::Number(y)) => {
                    x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Equal)
                }
                (Key::Text(x), Key::Text(y)) => x.cmp(y),
                _ => std::cmp::Ordering::Equal,
            };
            if o != std::cmp::Ordering::Equal {
                return if *desc { o.reverse() } else { o };
            }
        }
        std::cmp::Ordering::Equal
    });
    Some(order.into_iter().map(|i| items[i].clone()).collect())
}
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
pub struct SplitOut;

impl NodeType for SplitOut {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.splitOut"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let items = first_input(ctx.inputs);
            let mut out = Vec::with_capacity(items.len());
            for (index, item) in items.iter().enumerate() {
                let params = ctx.parameters(index)?;
                match native_split(item, &params) {
                    Some(parts) => out.extend(parts.into_iter().map(|mut p| {
                        p.paired_item = Some(PairedItem::item(index));
                        p
                    })),
                    // Anything beyond the plain case keeps n8n's exact rules in the sandbox.
                    None => return per_item(ctx, "splitOut").await,
                }
            }
            Ok(Some(vec![out]))
        })
    }
}

/// Split Out without the sandbox for the plain case: one field, no destination name, no other
/// fields or binary kept, and a list of objects (or nothing) in the field.
fn native_split(item: &Item, params: &Value) -> Option<Vec<Item>> {
    let field = params.get("fieldToSplitOut")?.as_str()?.trim();
    let field = field.strip_prefix("$json.").unwrap_or(field);
    let options = params.get("options");
    let plain = !field.is_empty()
        && !field.contains(',')
        && field != "$binary"
        && params
            .get("include")
            .and_then(Value::as_str)
            .unwrap_or("noOtherFields")
            == "noOtherFields"
        && options
            .and_then(|o| o.get("destinationFieldName"))
            .is_none_or(|d| d.as_str() == Some(""))
        && options
            .and_then(|o| o.get("includeBinary"))
            .and_then(Value::as_bool)
            != Some(true);
    if !plain {
        return None;
    }
    let no_dot = options
        .and_then(|o| o.get("disableDotNotation"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let value = if no_dot {
        item.json.get(field)
    } else {
        crate::set::path::lodash_get(&item.json, field)
    };
    match value {
        None => Some(Vec::new()),
        Some(Value::Array(list)) => list
            .iter()
            .map(|el| el.as_object().map(|o| Item::new(o.clone())))
            .collect(),
        Some(_) => None,
    }
}

pub struct Aggregate;

impl NodeType for Aggregate {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.aggregate"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let params = ctx.parameters(0)?;
            let blank = |k: &str| {
                params
                    .get(k)
                    .is_none_or(|v| v.as_str().is_some_and(str::is_empty))
            };
            let all_data =
                params.get("aggregate").and_then(Value::as_str) == Some("aggregateAllItemData");
            if !all_data || !blank("fieldsToInclude") || !blank("fieldsToExclude") {
                return all_at_once(ctx, "aggregate").await;
            }
            // All item data, every field: one item holding every input's JSON.
            let items = first_input(ctx.inputs);
            let key = params
                .get("destinationFieldName")
                .and_then(Value::as_str)
                .filter(|k| !k.is_empty())
                .unwrap_or("data")
                .to_owned();
            let list: Vec<Value> = items
                .iter()
                .map(|i| Value::Object(i.json.clone()))
                .collect();
            let mut json = serde_json::Map::new();
            json.insert(key, Value::Array(list));
            let mut out = Item::new(json);
            out.paired_item = Some(PairedItem::Many(
                (0..items.len())
                    .map(|i| weft_engine::run::PairedItemRef {
                        item: i as u32,
                        input: None,
                    })
                    .collect(),
            ));
            Ok(Some(vec![vec![out]]))
        })
    }
}
transform_node!(
    Summarize,
    "n8n-nodes-base.summarize",
    [1.0, 1.1],
    all_at_once,
    "summarize"
);

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn items(values: &[Value]) -> Vec<Item> {
        values
            .iter()
            .map(|v| Item::from_value(json!({"k": v, "i": Item::default().json.len()})))
            .collect()
    }

    #[test]
    fn the_native_sort_is_stable_and_only_takes_uniform_fields() {
        let params =
            json!({"sortFieldsUi": {"sortField": [{"fieldName": "k", "order": "descending"}]}});
        let list: Vec<Item> = [3, 1, 3, 2]
            .iter()
            .enumerate()
            .map(|(i, k)| Item::from_value(json!({"k": k, "i": i})))
            .collect();
        let sorted = native_sort(&list, &params).unwrap();
        let order: Vec<i64> = sorted
            .iter()
            .map(|i| i.json["i"].as_i64().unwrap())
            .collect();
        assert_eq!(order, vec![0, 2, 3, 1]);
        let mixed = items(&[json!(1), json!("a")]);
        assert!(
            native_sort(&mixed, &params).is_none(),
            "mixed types go to the sandbox"
        );
        let strings = items(&[json!("b"), json!("A")]);
        let sorted = native_sort(
            &strings,
            &json!({"sortFieldsUi": {"sortField": [{"fieldName": "k"}]}}),
        )
        .unwrap();
        assert_eq!(
            sorted[0].json["k"], "A",
            "case-insensitive, as n8n lower-cases"
        );
    }

    #[test]
    fn the_native_split_takes_only_lists_of_objects() {
        let item = Item::from_value(json!({"rows": [{"a": 1}, {"a": 2}]}));
        let out = native_split(&item, &json!({"fieldToSplitOut": "rows"})).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].json["a"], 2);
        let scalars = Item::from_value(json!({"rows": [1, 2]}));
        assert!(native_split(&scalars, &json!({"fieldToSplitOut": "rows"})).is_none());
        assert!(
            native_split(
                &item,
                &json!({"fieldToSplitOut": "rows", "include": "allOtherFields"})
            )
            .is_none()
        );
    }
}
