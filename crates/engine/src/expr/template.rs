//! Parsing `=text {{ code }} text` into segments, and joining results the way n8n prints them.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    Text(String),
    Code(String),
}

/// A parameter value that is an expression (it starts with `=`).
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub segments: Vec<Segment>,
}

impl Template {
    /// `None` when `raw` is not an expression (no leading `=`).
    pub fn parse(raw: &str) -> Option<Self> {
        let body = raw.strip_prefix('=')?;
        let mut segments = Vec::new();
        let mut rest = body;
        while let Some(open) = rest.find("{{") {
            let Some(close) = find_close(&rest[open + 2..]) else {
                break;
            };
            if open > 0 {
                segments.push(Segment::Text(rest[..open].to_owned()));
            }
            let code = &rest[open + 2..open + 2 + close];
            segments.push(Segment::Code(code.trim().to_owned()));
            rest = &rest[open + 2 + close + 2..];
        }
        if !rest.is_empty() {
            segments.push(Segment::Text(rest.to_owned()));
        }
        Some(Self { segments })
    }

    /// A single `{{ }}` and nothing else: its value is used as is, not as text.
    pub fn single_code(&self) -> Option<&str> {
        match self.segments.as_slice() {
            [Segment::Code(code)] => Some(code),
            _ => None,
        }
    }
}

/// The `}}` that closes a `{{`, skipping `}}` inside string literals and nested braces.
fn find_close(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) => {
                if b == b'\\' {
                    i += 1;
                } else if b == q {
                    quote = None;
                }
            }
            None => match b {
                b'\'' | b'"' | b'`' => quote = Some(b),
                b'{' => depth += 1,
                b'}' if depth > 0 => depth -= 1,
                b'}' if bytes.get(i + 1) == Some(&b'}') => return Some(i),
                _ => {}
            },
        }
        i += 1;
    }
    None
}

/// How a value prints inside a text template, as JavaScript's `String()` prints it (what n8n
/// 2.41 does): strings as they are, `null` and missing values as nothing, numbers as JavaScript
/// prints them, arrays as their elements joined by commas, objects as `[object Object]`.
pub fn to_display_string(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => js_number(n),
        Value::Array(items) => items
            .iter()
            .map(to_display_string)
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(_) => "[object Object]".to_owned(),
    }
}

fn js_number(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    let f = n.as_f64().unwrap_or(f64::NAN);
    if f.fract() == 0.0 && f.abs() < 1e21 {
        format!("{f:.0}")
    } else {
        f.to_string()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{Segment, Template, to_display_string};

    #[test]
    fn templates_split_into_text_and_code() {
        let t = Template::parse("=Hello {{ $json.name }}!").unwrap();
        assert_eq!(
            t.segments,
            [
                Segment::Text("Hello ".into()),
                Segment::Code("$json.name".into()),
                Segment::Text("!".into())
            ]
        );
        assert_eq!(
            Template::parse("={{ $json.a }}").unwrap().single_code(),
            Some("$json.a")
        );
        assert!(Template::parse("plain").is_none());
    }

    #[test]
    fn braces_inside_code_and_strings_do_not_close_it() {
        let t = Template::parse("={{ {a: '}}'}.a }}").unwrap();
        assert_eq!(t.single_code(), Some("{a: '}}'}.a"));
    }

    #[test]
    fn values_print_as_javascript_would() {
        assert_eq!(to_display_string(&json!(1.0)), "1");
        assert_eq!(to_display_string(&json!(1.5)), "1.5");
        assert_eq!(to_display_string(&json!(null)), "");
        // String() of an object and of arrays (recorded from n8n 2.41.1).
        assert_eq!(to_display_string(&json!({"a": 1})), "[object Object]");
        assert_eq!(to_display_string(&json!([1, [2, null], "x"])), "1,2,,x");
    }
}
