//! Setting and reading values at `a.b[0].c` paths (lodash-style), or at a literal key.

use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

fn steps(path: &str) -> Vec<Step> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let mut rest = part;
        if let Some(open) = rest.find('[') {
            if open > 0 {
                out.push(Step::Key(rest[..open].to_owned()));
            }
            rest = &rest[open..];
            while let Some(inner) = rest.strip_prefix('[') {
                let Some(close) = inner.find(']') else { break };
                let token = inner[..close].trim_matches(|c| c == '"' || c == '\'');
                out.push(match token.parse::<usize>() {
                    Ok(n) => Step::Index(n),
                    Err(_) => Step::Key(token.to_owned()),
                });
                rest = &inner[close + 1..];
            }
        } else {
            out.push(Step::Key(rest.to_owned()));
        }
    }
    out
}

/// Sets `value` at `path` in `target`, creating objects and arrays on the way.
pub fn set(target: &mut Map<String, Value>, path: &str, value: Value, dot_notation: bool) {
    if !dot_notation {
        target.insert(path.to_owned(), value);
        return;
    }
    let steps = steps(path);
    let Some((first, rest)) = steps.split_first() else {
        return;
    };
    let Step::Key(first) = first else {
        target.insert(path.to_owned(), value);
        return;
    };
    let slot = target.entry(first.clone()).or_insert(Value::Null);
    set_in(slot, rest, value);
}

fn set_in(slot: &mut Value, steps: &[Step], value: Value) {
    let Some((step, rest)) = steps.split_first() else {
        *slot = value;
        return;
    };
    match step {
        Step::Key(k) => {
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            if let Value::Object(map) = slot {
                set_in(map.entry(k.clone()).or_insert(Value::Null), rest, value);
            }
        }
        Step::Index(i) => {
            if !slot.is_array() {
                *slot = Value::Array(Vec::new());
            }
            if let Value::Array(items) = slot {
                if items.len() <= *i {
                    items.resize(*i + 1, Value::Null);
                }
                set_in(&mut items[*i], rest, value);
            }
        }
    }
}

/// Reads `path` as lodash's `get` does: a literal key that exists wins, else the dot path.
pub fn lodash_get<'v>(source: &'v Map<String, Value>, path: &str) -> Option<&'v Value> {
    source.get(path).or_else(|| get(source, path))
}

/// Reads the value at `path` (dot notation), if any.
pub fn get<'v>(source: &'v Map<String, Value>, path: &str) -> Option<&'v Value> {
    let steps = steps(path);
    let (Step::Key(first), rest) = steps.split_first()? else {
        return None;
    };
    let mut current = source.get(first)?;
    for step in rest {
        current = match step {
            Step::Key(k) => current.get(k)?,
            Step::Index(i) => current.get(*i)?,
        };
    }
    Some(current)
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, json};

    use super::{get, set};

    #[test]
    fn dotted_paths_create_nested_values() {
        let mut m = Map::new();
        set(&mut m, "a.b[1].c", json!(1), true);
        set(&mut m, "x.y", json!(2), false);
        assert_eq!(
            serde_json::Value::Object(m.clone()),
            json!({"a": {"b": [null, {"c": 1}]}, "x.y": 2})
        );
        assert_eq!(get(&m, "a.b[1].c"), Some(&json!(1)));
    }
}
