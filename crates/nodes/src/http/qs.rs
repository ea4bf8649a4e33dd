//! Query strings and form bodies as n8n's HTTP Request node sends them: key/value rows merged by
//! version (repeated names become arrays from 4.3, the last row wins before), then written as
//! the `qs` library does (RFC 3986 escaping; arrays as `a[0]=x` unless the node's "Array Format
//! in Query Parameters" option asks for `a[]=x` or `a=x`; objects as `a[b]=x`).

use serde_json::Value;

use crate::util::js_string;

/// How arrays are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrayFormat {
    Indices,
    Brackets,
    Repeat,
}

impl ArrayFormat {
    /// The node's `queryParameterArrays` option; absent means qs's default, indices.
    pub fn from_option(option: Option<&str>) -> Self {
        match option {
            Some("brackets") => Self::Brackets,
            Some("repeat") => Self::Repeat,
            _ => Self::Indices,
        }
    }
}

/// Rows with the same name merged as `version` does: an array of their values from 4.3, the
/// last value (at the first row's place) before.
pub fn keyed(rows: Vec<(String, Value)>, version: f64) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = Vec::with_capacity(rows.len());
    for (name, value) in rows {
        match out.iter_mut().find(|(k, _)| *k == name) {
            None => out.push((name, value)),
            Some((_, old)) if version < 4.3 => *old = value,
            Some((_, Value::Array(list))) => list.push(value),
            Some((_, old)) => {
                let first = std::mem::take(old);
                *old = Value::Array(vec![first, value]);
            }
        }
    }
    out
}

/// qs's escaping: everything but RFC 3986's unreserved characters.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn walk(prefix: &str, value: &Value, format: ArrayFormat, out: &mut Vec<String>) {
    match value {
        Value::Null => out.push(format!("{}=", encode(prefix))),
        Value::Array(list) => {
            for (i, v) in list.iter().enumerate() {
                let key = match format {
                    ArrayFormat::Indices => format!("{prefix}[{i}]"),
                    ArrayFormat::Brackets => format!("{prefix}[]"),
                    ArrayFormat::Repeat => prefix.to_owned(),
                };
                walk(&key, v, format, out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                walk(&format!("{prefix}[{k}]"), v, format, out);
            }
        }
        other => out.push(format!("{}={}", encode(prefix), encode(&js_string(other)))),
    }
}

/// `pairs` written as `qs.stringify` writes them.
pub fn stringify(pairs: &[(String, Value)], format: ArrayFormat) -> String {
    let mut out = Vec::new();
    for (k, v) in pairs {
        walk(k, v, format, &mut out);
    }
    out.join("&")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn rows() -> Vec<(String, Value)> {
        vec![
            ("a".into(), json!("1")),
            ("a".into(), json!("2 3")),
            ("b".into(), json!("x")),
        ]
    }

    #[test]
    fn repeated_names_become_arrays_from_4_3_and_the_last_wins_before() {
        assert_eq!(
            keyed(rows(), 4.3),
            vec![("a".into(), json!(["1", "2 3"])), ("b".into(), json!("x"))]
        );
        assert_eq!(
            keyed(rows(), 4.2),
            vec![("a".into(), json!("2 3")), ("b".into(), json!("x"))]
        );
    }

    #[test]
    fn arrays_are_written_in_the_chosen_format_with_rfc3986_escapes() {
        let merged = keyed(rows(), 4.4);
        assert_eq!(
            stringify(&merged, ArrayFormat::Indices),
            "a%5B0%5D=1&a%5B1%5D=2%203&b=x"
        );
        assert_eq!(
            stringify(&merged, ArrayFormat::Brackets),
            "a%5B%5D=1&a%5B%5D=2%203&b=x"
        );
        assert_eq!(stringify(&merged, ArrayFormat::Repeat), "a=1&a=2%203&b=x");
        assert_eq!(
            stringify(
                &[("o".into(), json!({"k": [true, null]}))],
                ArrayFormat::Indices
            ),
            "o%5Bk%5D%5B0%5D=true&o%5Bk%5D%5B1%5D="
        );
    }
}
