//! Set v1 and v2: `values.{boolean,number,string}` lists, `keepOnlySet`, `options.dotNotation`.

use serde_json::{Map, Value};
use weft_engine::run::{Item, NodeContext, NodeError};

use super::path;
use crate::util::paired;

pub fn run(ctx: &NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
    let version = ctx.node.type_version.as_f64().unwrap_or(1.0);
    let mut out = Vec::new();
    let mut slots = path::Slots::default();
    for (index, input) in ctx.items().iter().enumerate() {
        let params = ctx.parameters(index)?;
        let keep_only_set = params
            .get("keepOnlySet")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let dot = params
            .pointer("/options/dotNotation")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let mut json = if keep_only_set {
            Map::new()
        } else {
            input.json.clone()
        };
        for kind in ["boolean", "number", "string"] {
            let list = params
                .pointer(&format!("/values/{kind}"))
                .and_then(Value::as_array);
            for entry in list.into_iter().flatten() {
                // Values left at their defaults are not stored: the name defaults to
                // `propertyName`, the value to false / 0 / "".
                let name = entry
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("propertyName");
                let raw = entry.get("value").cloned().unwrap_or_else(|| match kind {
                    "boolean" => Value::Bool(false),
                    "number" => Value::from(0),
                    _ => Value::String(String::new()),
                });
                let value = match kind {
                    "boolean" => Value::Bool(crate::util::truthy(&raw)),
                    // v1 keeps numbers as given (often strings); v2 stores numbers.
                    "number" if version >= 2.0 => {
                        super::convert::to_type(name, raw.clone(), "number").unwrap_or(raw)
                    }
                    _ => raw,
                };
                path::set(&mut json, name, value, dot, &mut slots)
                    .map_err(|e| path::path_error(name, e))?;
            }
        }
        let mut item = Item::new(json);
        if !keep_only_set {
            item.binary = input.binary.clone();
        }
        out.push(paired(item, index));
    }
    Ok(out)
}
