//! The items an Execute Workflow node hands its sub-workflow: each input item with the mapped
//! `workflowInputs` values spread over it (v1.2+, stored workflows), each mapped value checked
//! and converted to the type the sub-workflow's trigger declares, as n8n's `validateFieldType`
//! does; fields the schema marks removed are dropped.

use serde_json::{Map, Value};
use weft_engine::run::{Item, NodeContext, NodeError};

use crate::set::convert::number;
use crate::util::js_string;

/// How strictly a mapped value must fit its declared type.
#[derive(Debug, Clone, Copy)]
pub struct Checking {
    /// A value of another JSON type fails instead of being converted.
    pub strict: bool,
    /// String fields are checked (and other values turned into text); otherwise any value passes.
    pub parse_strings: bool,
}

/// `value` for a field declared as `kind`: `Ok` with the value to send, or `Err` with n8n's
/// description (`'amount' expects a number but we got 'abc'`). Types n8n's sub-workflow trigger
/// cannot declare (and `any`) are not checked.
pub fn validate_field(
    name: &str,
    value: Value,
    kind: &str,
    how: Checking,
) -> Result<Value, String> {
    if value.is_null() {
        return Ok(value);
    }
    let fail = |v: &Value| {
        Err(format!(
            "'{name}' expects a {kind} but we got {}",
            describe(v)
        ))
    };
    match kind.to_ascii_lowercase().as_str() {
        "string" => {
            if !how.parse_strings {
                return Ok(value);
            }
            match value {
                Value::String(_) => Ok(value),
                _ if how.strict => fail(&value),
                Value::Object(_) | Value::Array(_) => Ok(Value::String(value.to_string())),
                other => Ok(Value::String(js_string(&other))),
            }
        }
        "number" => match &value {
            Value::Number(_) => Ok(value),
            _ if how.strict => fail(&value),
            other => match js_number(other) {
                Some(f) if f.is_finite() => Ok(number(f)),
                // `Infinity` is a number to JavaScript, but JSON has no way to keep it.
                Some(_) => Ok(Value::Null),
                None => fail(&value),
            },
        },
        "boolean" => match &value {
            Value::Bool(_) => Ok(value),
            _ if how.strict => fail(&value),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
            Value::String(s) if s.trim().is_empty() => fail(&value),
            other => match js_number(other) {
                Some(0.0) => Ok(Value::Bool(false)),
                Some(1.0) => Ok(Value::Bool(true)),
                _ => fail(&value),
            },
        },
        "object" => match &value {
            Value::Object(_) => Ok(value),
            // lodash's isObject counts arrays, so strict mode lets them reach the parse, which
            // refuses them.
            Value::Array(_) => fail(&value),
            _ if how.strict => fail(&value),
            other => match serde_json::from_str::<Value>(&js_string(other)) {
                Ok(v @ Value::Object(_)) => Ok(v),
                _ => fail(&value),
            },
        },
        "array" => match &value {
            Value::Array(_) => Ok(value),
            _ if how.strict => fail(&value),
            other => {
                let text = js_string(other);
                let parsed = serde_json::from_str::<Value>(&text)
                    .or_else(|_| serde_json::from_str::<Value>(&text.replace('\'', "\"")));
                match parsed {
                    Ok(v @ Value::Array(_)) => Ok(v),
                    _ => fail(&value),
                }
            }
        },
        _ => Ok(value),
    }
}

/// n8n's `getValueDescription`: `'text'` quoted, `object` and `array` bare.
fn describe(v: &Value) -> String {
    match v {
        Value::Null => "'null'".into(),
        Value::Array(_) => "array".into(),
        Value::Object(_) => "object".into(),
        other => format!("'{}'", js_string(other)),
    }
}

/// JavaScript's `Number(v)` for a scalar or container (`None` for NaN).
fn js_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        Value::Null => Some(0.0),
        Value::String(s) => string_number(s),
        // `Number([])` is 0, `Number([x])` is `Number(String(x))`, objects are NaN.
        Value::Array(a) if a.len() <= 1 => string_number(&js_string(v)),
        _ => None,
    }
}

fn string_number(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty() {
        return Some(0.0);
    }
    let radix =
        |digits: &str, radix: u32| u64::from_str_radix(digits, radix).ok().map(|n| n as f64);
    match t.get(..2).map(str::to_ascii_lowercase).as_deref() {
        Some("0x") => return radix(&t[2..], 16),
        Some("0o") => return radix(&t[2..], 8),
        Some("0b") => return radix(&t[2..], 2),
        _ => {}
    }
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    if unsigned == "Infinity" {
        return Some(if t.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    // Rust also reads `inf` and `nan`, which JavaScript does not.
    if !unsigned
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
    {
        return None;
    }
    t.parse::<f64>().ok()
}

/// The items sent for `items` (the node's input from index `first` on), as n8n's
/// `getCurrentWorkflowInputData`: mapped values over each item's fields, checked against the
/// schema, removed fields dropped. Only v1.2+ nodes running a stored workflow map inputs.
pub fn workflow_inputs(
    ctx: &NodeContext<'_>,
    items: Vec<Item>,
    first: usize,
) -> Result<Vec<Item>, NodeError> {
    let version = ctx.node.type_version.as_f64().unwrap_or(1.0);
    let stored = ctx.parameter("source", 0)?.as_str().unwrap_or("database") == "database";
    let Some(Value::Object(mapping)) = ctx.node.parameters.get("workflowInputs") else {
        return Ok(items);
    };
    if version < 1.2 || !stored {
        return Ok(items);
    }
    let schema = mapping
        .get("schema")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let how = Checking {
        strict: mapping
            .get("attemptToConvertTypes")
            .and_then(Value::as_bool)
            != Some(true),
        // 1.4 always converts to text where the trigger wants text.
        parse_strings: version >= 1.4
            || mapping
                .get("convertFieldsToString")
                .and_then(Value::as_bool)
                == Some(true),
    };
    let removed: Vec<&str> = schema
        .iter()
        .filter(|f| f.get("removed").and_then(Value::as_bool) == Some(true))
        .filter_map(|f| f.get("displayName").and_then(Value::as_str))
        .collect();
    let declared = |key: &str| {
        schema
            .iter()
            .find(|f| f.get("id").and_then(Value::as_str) == Some(key))
            .and_then(|f| f.get("type").and_then(Value::as_str))
    };
    let template = mapping.get("value").cloned().unwrap_or(Value::Null);
    let mut out = Vec::with_capacity(items.len());
    for (offset, item) in items.into_iter().enumerate() {
        let index = first + offset;
        let values = match ctx.resolve(&template, index)? {
            Value::Object(values) => values,
            _ => Map::new(),
        };
        let mut json = item.json;
        for (key, value) in values {
            let value = match declared(&key) {
                Some(kind) => validate_field(&key, value, kind, how).map_err(|why| NodeError {
                    message: format!("Invalid input for '{key}' [item {index}]"),
                    description: Some(why),
                    item_index: Some(index),
                })?,
                None => value,
            };
            json.insert(key, value);
        }
        if !schema.is_empty() {
            json.retain(|k, _| !removed.contains(&k.as_str()));
        }
        out.push(Item { json, ..item });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const STRICT: Checking = Checking {
        strict: true,
        parse_strings: false,
    };
    const LOOSE: Checking = Checking {
        strict: false,
        parse_strings: true,
    };

    #[test]
    fn strict_checking_refuses_another_json_type_with_n8ns_description() {
        assert_eq!(
            validate_field("amount", json!("abc"), "number", STRICT),
            Err("'amount' expects a number but we got 'abc'".into())
        );
        assert_eq!(
            validate_field("tags", json!({"a": 1}), "array", STRICT),
            Err("'tags' expects a array but we got object".into())
        );
        assert_eq!(
            validate_field("o", json!([1]), "object", STRICT),
            Err("'o' expects a object but we got array".into())
        );
        assert_eq!(
            validate_field("n", json!(null), "number", STRICT),
            Ok(json!(null))
        );
    }

    #[test]
    fn strings_pass_unchecked_unless_string_conversion_is_on() {
        assert_eq!(
            validate_field("s", json!(5), "string", STRICT),
            Ok(json!(5))
        );
        assert_eq!(
            validate_field("s", json!(5), "string", LOOSE),
            Ok(json!("5"))
        );
        assert_eq!(
            validate_field("s", json!({"a": 1}), "string", LOOSE),
            Ok(json!("{\"a\":1}"))
        );
    }

    #[test]
    fn loose_checking_converts_as_javascript_does() {
        assert_eq!(
            validate_field("n", json!(" 0x10 "), "number", LOOSE),
            Ok(json!(16))
        );
        assert_eq!(
            validate_field("n", json!(""), "number", LOOSE),
            Ok(json!(0))
        );
        assert!(validate_field("n", json!("inf"), "number", LOOSE).is_err());
        assert_eq!(
            validate_field("b", json!("TRUE"), "boolean", LOOSE),
            Ok(json!(true))
        );
        assert_eq!(
            validate_field("b", json!("0"), "boolean", LOOSE),
            Ok(json!(false))
        );
        assert!(validate_field("b", json!("yes"), "boolean", LOOSE).is_err());
        assert_eq!(
            validate_field("a", json!("['x']"), "array", LOOSE),
            Ok(json!(["x"]))
        );
        assert_eq!(
            validate_field("o", json!("{\"k\":1}"), "object", LOOSE),
            Ok(json!({"k": 1}))
        );
    }
}
