//! Set v3.0–3.4: manual fields (`fields.values` before 3.3, `assignments` from 3.3) or raw
//! JSON, which input fields to keep, dot notation and conversion errors.

use serde_json::{Map, Value};
use weft_engine::run::{Item, NodeContext, NodeError};

use super::{convert, path};
use crate::util::paired;

/// The input fields an output item starts from.
fn base(input: &Map<String, Value>, params: &Value, version: f64) -> Map<String, Value> {
    let include = if version >= 3.3 {
        if !params
            .get("includeOtherFields")
            .and_then(Value::as_bool)
            .unwrap_or(false)
        {
            return Map::new();
        }
        params
            .get("include")
            .and_then(Value::as_str)
            .unwrap_or("all")
    } else {
        params
            .get("include")
            .and_then(Value::as_str)
            .unwrap_or("all")
    };
    let names = |key: &str| -> Vec<String> {
        let raw = params.get(key).map_or(String::new(), |v| match v {
            Value::String(s) => s.clone(),
            Value::Array(a) => a
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(","),
            _ => String::new(),
        });
        raw.split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    };
    match include {
        "none" => Map::new(),
        "selected" => {
            // As n8n: with dot notation a path `a.b` is read through `a` and kept under its
            // last segment, `b`; without, the name is one literal key.
            let dots = params
                .pointer("/options/dotNotation")
                .and_then(Value::as_bool)
                != Some(false);
            let mut out = Map::new();
            for name in names("includeFields") {
                let (value, key) = if dots {
                    let last = name.rsplit('.').next().unwrap_or(&name).to_owned();
                    (path::get(input, &name), last)
                } else {
                    (input.get(&name), name.clone())
                };
                if let Some(v) = value {
                    out.insert(key, v.clone());
                }
            }
            out
        }
        "except" => {
            let mut out = input.clone();
            for name in names("excludeFields") {
                out.remove(&name);
            }
            out
        }
        _ => input.clone(),
    }
}

/// `(name, value, type)` of each manual field.
fn fields(params: &Value, version: f64) -> Vec<(String, Value, String)> {
    if version >= 3.3 {
        let list = params
            .pointer("/assignments/assignments")
            .and_then(Value::as_array);
        return list
            .into_iter()
            .flatten()
            .filter_map(|a| {
                let name = a.get("name")?.as_str()?.to_owned();
                let kind = a
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or("string")
                    .to_owned();
                Some((name, a.get("value").cloned().unwrap_or(Value::Null), kind))
            })
            .collect();
    }
    let list = params.pointer("/fields/values").and_then(Value::as_array);
    list.into_iter()
        .flatten()
        .filter_map(|f| {
            let name = f.get("name")?.as_str()?.to_owned();
            let kind = f
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("stringValue")
                .to_owned();
            let value = f.get(&kind).cloned().unwrap_or(Value::Null);
            Some((name, value, kind))
        })
        .collect()
}

pub fn run(ctx: &NodeContext<'_>, version: f64) -> Result<Vec<Item>, NodeError> {
    let mut out = Vec::new();
    let mut slots = path::Slots::default();
    for (index, input) in ctx.items().iter().enumerate() {
        let params = ctx.parameters(index)?;
        let dot = params
            .pointer("/options/dotNotation")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let lenient = params
            .pointer("/options/ignoreConversionErrors")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let mut json = base(&input.json, &params, version);
        if params.get("mode").and_then(Value::as_str) == Some("raw") {
            let raw = params.get("jsonOutput").cloned().unwrap_or(Value::Null);
            let parsed = match raw {
                Value::String(s) => serde_json::from_str::<Value>(&s).map_err(|e| NodeError {
                    message: "'JSON Output' in item 0 does not contain a valid JSON object".into(),
                    description: Some(e.to_string()),
                    item_index: Some(index),
                })?,
                other => other,
            };
            let Value::Object(map) = parsed else {
                return Err(NodeError {
                    message: "'JSON Output' must be an object".into(),
                    description: None,
                    item_index: Some(index),
                });
            };
            for (k, v) in map {
                path::set(&mut json, &k, v, dot, &mut slots)
                    .map_err(|e| path::path_error(&k, e))?;
            }
        } else {
            for (name, value, kind) in fields(&params, version) {
                let value = match convert::to_type(&name, value.clone(), &kind) {
                    Ok(v) => v,
                    Err(_) if lenient => value,
                    Err(message) => {
                        return Err(NodeError {
                            message,
                            description: None,
                            item_index: Some(index),
                        });
                    }
                };
                path::set(&mut json, &name, value, dot, &mut slots)
                    .map_err(|e| path::path_error(&name, e))?;
            }
        }
        let mut item = Item::new(json);
        let strip = params
            .pointer("/options/stripBinary")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let include_binary = params
            .pointer("/options/includeBinary")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        if (version < 3.4 && include_binary) || (version >= 3.4 && !strip) {
            item.binary = input.binary.clone();
        }
        out.push(paired(item, index));
    }
    Ok(out)
}
