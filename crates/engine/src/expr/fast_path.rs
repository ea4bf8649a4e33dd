//! The native fast path: `$json.a.b`, `$json["x"]`, `$json.list[0]` resolve without JavaScript.

use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

/// The steps of a plain `$json` property path, or `None` if `code` is anything else.
fn parse(code: &str) -> Option<Vec<Step>> {
    let mut rest = code.trim().strip_prefix("$json")?;
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
                .unwrap_or(r.len());
            let key = &r[..end];
            if key.is_empty() || key.starts_with(|c: char| c.is_ascii_digit()) {
                return None;
            }
            steps.push(Step::Key(key.to_owned()));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let inner = r[..end].trim();
            let quoted = inner
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .or_else(|| inner.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')));
            if let Some(key) = quoted {
                if key.contains(['\\', '"', '\'']) {
                    return None;
                }
                steps.push(Step::Key(key.to_owned()));
            } else if !inner.is_empty()
                && inner.bytes().all(|b| b.is_ascii_digit())
                && inner.len() < 10
            {
                steps.push(Step::Index(inner.parse().ok()?));
            } else {
                return None;
            }
            rest = &r[end + 1..];
        } else {
            return None;
        }
    }
    Some(steps)
}

/// Resolves `code` against the item's JSON when it is a plain path; `Some(Null)` for a
/// missing property (JavaScript's `undefined`), `None` when JavaScript is needed — including
/// a step into a string or number, whose JavaScript properties only JavaScript knows.
pub fn resolve(code: &str, json: &Map<String, Value>) -> Option<Value> {
    let steps = parse(code)?;
    if steps.is_empty() {
        return Some(Value::Object(json.clone()));
    }
    let mut current: Option<&Value> = None;
    for (i, step) in steps.iter().enumerate() {
        let next = match (i, current, step) {
            (0, _, Step::Key(k)) => json.get(k),
            (0, _, Step::Index(_)) => None,
            (_, Some(Value::Object(map)), Step::Key(k)) => map.get(k),
            (_, Some(Value::Array(items)), Step::Index(n)) => items.get(*n),
            (_, Some(Value::Array(_)), Step::Key(_)) => return None,
            (_, Some(Value::Object(map)), Step::Index(n)) => map.get(&n.to_string()),
            (_, None | Some(Value::Null), _) => return None,
            _ => return None,
        };
        if next.is_none() && i + 1 < steps.len() {
            // `undefined.x` throws in JavaScript: let it say so.
            return None;
        }
        current = next;
    }
    Some(current.cloned().unwrap_or(Value::Null))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::resolve;

    #[test]
    fn plain_paths_resolve_natively() {
        let item = json!({"a": {"b": [10, {"c": "x"}]}, "k y": 1});
        let item = item.as_object().unwrap();
        assert_eq!(resolve("$json.a.b[1].c", item), Some(json!("x")));
        assert_eq!(resolve("$json[\"k y\"]", item), Some(json!(1)));
        assert_eq!(resolve("$json.missing", item), Some(json!(null)));
        assert_eq!(resolve("$json", item), Some(json!(item)));
    }

    #[test]
    fn anything_else_needs_javascript() {
        let item = json!({"a": "text", "n": null});
        let item = item.as_object().unwrap();
        for code in [
            "$json.a.length",
            "$json.a.toUpperCase()",
            "$json.missing.x",
            "$json.n.x",
            "$json[a]",
            "1 + 1",
        ] {
            assert_eq!(resolve(code, item), None, "{code}");
        }
    }
}
