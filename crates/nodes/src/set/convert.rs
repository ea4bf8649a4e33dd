//! Converting a field's value to the type its assignment declares, as Set v3 does.

use serde_json::{Number, Value};

/// `Err` carries the message n8n gives when a value does not fit its type.
pub fn to_type(name: &str, value: Value, kind: &str) -> Result<Value, String> {
    let fail = |v: &Value| {
        Err(format!(
            "'{name}' expects a {kind} but we got '{}'",
            display(v)
        ))
    };
    match kind {
        "string" | "stringValue" => Ok(match value {
            Value::String(_) | Value::Null => value,
            Value::Number(n) => {
                Value::String(weft_engine::expr::to_display_string(&Value::Number(n)))
            }
            Value::Bool(b) => Value::String(b.to_string()),
            other => Value::String(other.to_string()),
        }),
        "number" | "numberValue" => match &value {
            Value::Number(_) => Ok(value),
            // JavaScript's Number(): blank text is 0.
            Value::String(s) if s.trim().is_empty() => Ok(number(0.0)),
            Value::String(s) => match s.trim().parse::<f64>() {
                Ok(f) if f.is_finite() => Ok(number(f)),
                _ => fail(&value),
            },
            Value::Bool(b) => Ok(number(if *b { 1.0 } else { 0.0 })),
            Value::Null => Ok(value),
            _ => fail(&value),
        },
        "boolean" | "booleanValue" => match &value {
            Value::Bool(_) | Value::Null => Ok(value),
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => Ok(Value::Bool(true)),
                "false" | "0" | "no" | "off" | "" => Ok(Value::Bool(false)),
                _ => fail(&value),
            },
            Value::Number(n) => match n.as_f64() {
                Some(1.0) => Ok(Value::Bool(true)),
                Some(0.0) => Ok(Value::Bool(false)),
                _ => fail(&value),
            },
            _ => fail(&value),
        },
        "array" | "arrayValue" => match &value {
            Value::Array(_) | Value::Null => Ok(value),
            Value::String(s) => match serde_json::from_str::<Value>(s) {
                Ok(v @ Value::Array(_)) => Ok(v),
                _ => fail(&value),
            },
            _ => fail(&value),
        },
        "object" | "objectValue" => match &value {
            Value::Object(_) | Value::Null => Ok(value),
            Value::String(s) => match serde_json::from_str::<Value>(s) {
                Ok(v @ Value::Object(_)) => Ok(v),
                _ => fail(&value),
            },
            _ => fail(&value),
        },
        _ => Ok(value),
    }
}

/// A JavaScript number as JSON: whole values as integers.
pub(crate) fn number(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        Value::Number(Number::from(f as i64))
    } else {
        Number::from_f64(f).map_or(Value::Null, Value::Number)
    }
}

fn display(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
