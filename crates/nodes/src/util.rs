//! Small helpers shared by nodes.

use weft_engine::run::{Item, NodeContext, NodeError, PairedItem};

/// The first input's items, cloned (what most single-input nodes work on).
pub fn first_input(inputs: &[Option<Vec<Item>>]) -> Vec<Item> {
    inputs.first().cloned().flatten().unwrap_or_default()
}

/// An item paired with input item `index`.
pub fn paired(mut item: Item, index: usize) -> Item {
    item.paired_item = Some(PairedItem::item(index));
    item
}

/// A parameter as text for item `i`: `default` when absent or empty, other values as JavaScript
/// writes them.
pub fn string_param(
    ctx: &NodeContext<'_>,
    name: &str,
    i: usize,
    default: &str,
) -> Result<String, NodeError> {
    Ok(match ctx.parameter(name, i)? {
        serde_json::Value::Null => default.to_owned(),
        serde_json::Value::String(s) if s.is_empty() => default.to_owned(),
        other => js_string(&other),
    })
}

/// A JSON value as JavaScript's `String(value)` writes it (numbers without `.0`, `1e+21`).
pub fn js_string(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (_, Some(u), _) => u.to_string(),
            (_, _, Some(f)) => js_float(f),
            _ => n.to_string(),
        },
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        Value::Array(a) => a
            .iter()
            .map(|v| {
                if v.is_null() {
                    String::new()
                } else {
                    js_string(v)
                }
            })
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(_) => "[object Object]".into(),
    }
}

fn js_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if f == f.trunc() && f.abs() < 1e21 {
        return format!("{f:.0}");
    }
    let s = format!("{f:e}");
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-6..21).contains(&exp) {
        // Plain decimal notation, the shortest digits that round-trip.
        return format!("{f}");
    }
    let sign = if exp < 0 { "-" } else { "+" };
    format!("{mantissa}e{sign}{}", exp.abs())
}

/// n8n's `assertBinaryData` error: item `index` has no binary entry `property`.
pub fn missing_binary(property: &str, index: usize) -> weft_engine::run::NodeError {
    weft_engine::run::NodeError::new(format!(
        "This operation expects the node's input data to contain a binary file '{property}', but none was found [item {index}]"
    ))
}

/// JavaScript's truthiness of a JSON value.
pub fn truthy(v: &serde_json::Value) -> bool {
    use serde_json::Value;
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// The bytes of `item`'s binary field `property` (n8n's error when it has none).
pub fn binary_bytes(
    item: &weft_engine::run::Item,
    property: &str,
    index: usize,
) -> Result<Vec<u8>, weft_engine::run::NodeError> {
    use base64::Engine;
    let entry = item
        .binary
        .as_ref()
        .and_then(|b| b.get(property))
        .ok_or_else(|| missing_binary(property, index))?;
    let data = entry
        .get("data")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|e| {
            weft_engine::run::NodeError::new(format!(
                "Binary field '{property}' is not valid base64: {e}"
            ))
        })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::js_string;

    #[test]
    fn numbers_print_as_javascript_prints_them() {
        assert_eq!(js_string(&json!(1)), "1");
        assert_eq!(js_string(&json!(2.0)), "2");
        assert_eq!(js_string(&json!(1.5)), "1.5");
        assert_eq!(js_string(&json!(1e21)), "1e+21");
        assert_eq!(js_string(&json!(1.5e-7)), "1.5e-7");
        assert_eq!(js_string(&json!(0.000001)), "0.000001");
        assert_eq!(js_string(&json!([1, null, "a"])), "1,,a");
    }
}
