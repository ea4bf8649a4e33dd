//! JSON helpers with lodash's semantics, as Merge uses them: deep and shallow merge, key
//! suffixes, dotted reads, and (fuzzy) equality.

use serde_json::{Map, Value};

/// Merges `source` into `target` like lodash `merge` (objects and arrays recursively, arrays by
/// index); with `override_empty`, a null or empty-string source keeps an existing target value.
pub fn deep_merge(target: &mut Value, source: &Value, override_empty: bool) {
    match (target, source) {
        (Value::Object(t), Value::Object(s)) => {
            for (k, v) in s {
                match t.get_mut(k) {
                    Some(existing)
                        if (existing.is_object() && v.is_object())
                            || (existing.is_array() && v.is_array()) =>
                    {
                        deep_merge(existing, v, override_empty);
                    }
                    Some(existing) if override_empty && is_empty(v) => {
                        let _ = existing;
                    }
                    _ => {
                        t.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (Value::Array(t), Value::Array(s)) => {
            for (i, v) in s.iter().enumerate() {
                if i < t.len() {
                    if (t[i].is_object() && v.is_object()) || (t[i].is_array() && v.is_array()) {
                        deep_merge(&mut t[i], v, override_empty);
                    } else if !(override_empty && is_empty(v)) {
                        t[i] = v.clone();
                    }
                } else {
                    t.push(v.clone());
                }
            }
        }
        (t, s) => *t = s.clone(),
    }
}

/// Like lodash `assign`: top-level keys only.
pub fn shallow_merge(
    target: &mut Map<String, Value>,
    source: &Map<String, Value>,
    override_empty: bool,
) {
    for (k, v) in source {
        if override_empty && is_empty(v) && target.contains_key(k) {
            continue;
        }
        target.insert(k.clone(), v.clone());
    }
}

fn is_empty(v: &Value) -> bool {
    matches!(v, Value::Null) || v.as_str() == Some("")
}

pub fn with_suffix(map: &Map<String, Value>, suffix: &str) -> Map<String, Value> {
    map.iter()
        .map(|(k, v)| (format!("{k}_{suffix}"), v.clone()))
        .collect()
}

/// Reads `path` (dotted and bracketed, as lodash `get`), or the literal key when `literal`.
pub fn get<'v>(map: &'v Map<String, Value>, path: &str, literal: bool) -> Option<&'v Value> {
    if literal {
        return map.get(path);
    }
    let mut current: Option<&Value> = None;
    for (i, part) in path
        .replace('[', ".")
        .replace(']', "")
        .split('.')
        .filter(|p| !p.is_empty())
        .enumerate()
    {
        current = match (i, current) {
            (0, _) => map.get(part),
            (_, Some(Value::Object(m))) => m.get(part),
            (_, Some(Value::Array(a))) => part.parse::<usize>().ok().and_then(|n| a.get(n)),
            _ => None,
        };
        current?;
    }
    current
}

fn numbers_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| numbers_equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| numbers_equal(v, w)))
        }
        _ => a == b,
    }
}

fn falsy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        _ => false,
    }
}

/// Equality of a field in two items; `fuzzy` relaxes types (numbers vs strings, booleans vs
/// "true"/"1", objects vs JSON text, empty values alike).
pub fn equal(a: Option<&Value>, b: Option<&Value>, fuzzy: bool) -> bool {
    if !fuzzy {
        return match (a, b) {
            (Some(x), Some(y)) => numbers_equal(x, y),
            (None, None) => true,
            _ => false,
        };
    }
    let (Some(x), Some(y)) = (a, b) else {
        return falsy(a) && falsy(b);
    };
    let same_kind = std::mem::discriminant(x) == std::mem::discriminant(y);
    if !x.is_null() && !y.is_null() && same_kind {
        return numbers_equal(x, y);
    }
    if falsy(a) && falsy(b) {
        return true;
    }
    let num_text =
        |n: &serde_json::Number| weft_engine::expr::to_display_string(&Value::Number(n.clone()));
    match (x, y) {
        (Value::Number(n), Value::String(s)) | (Value::String(s), Value::Number(n)) => {
            num_text(n) == *s
        }
        (Value::Object(_) | Value::Array(_), Value::String(s))
        | (Value::String(s), Value::Object(_) | Value::Array(_)) => {
            let other = if x.is_string() { y } else { x };
            serde_json::from_str::<Value>(s).is_ok_and(|p| numbers_equal(&p, other))
        }
        (Value::Bool(b), Value::String(s)) | (Value::String(s), Value::Bool(b)) => {
            let s = s.to_ascii_lowercase();
            (*b && (s == "true" || s == "1")) || (!*b && (s == "false" || s == "0"))
        }
        (Value::Bool(b), Value::Number(n)) | (Value::Number(n), Value::Bool(b)) => {
            n.as_f64() == Some(if *b { 1.0 } else { 0.0 })
        }
        _ => numbers_equal(x, y),
    }
}
