//! Setting and reading values at `a.b[0].c` paths (lodash-style), or at a literal key.

use serde_json::{Map, Value};
use weft_engine::limits::{MAX_NESTING, MAX_PATH_INDEX, MAX_PATH_SLOTS, ShapeError};

/// The array slots field paths may still create in this node run; make one per node run.
#[derive(Debug)]
pub struct Slots(usize);

impl Default for Slots {
    fn default() -> Self {
        Self(MAX_PATH_SLOTS)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

/// The steps of a dotted/bracketed path, refused when deeper than any item may nest or when
/// an index asks for a longer array than an execution may hold.
fn steps(path: &str) -> Result<Vec<Step>, ShapeError> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let mut rest = part;
        if let Some(open) = rest.find('[') {
            if let Some(key) = rest.get(..open).filter(|k| !k.is_empty()) {
                out.push(Step::Key(key.to_owned()));
            }
            rest = rest.get(open..).unwrap_or_default();
            while let Some(inner) = rest.strip_prefix('[') {
                let Some((token, after)) = inner.split_once(']') else {
                    break;
                };
                let token = token.trim_matches(|c| c == '"' || c == '\'');
                out.push(match token.parse::<usize>() {
                    Ok(n) if n > MAX_PATH_INDEX => {
                        return Err(ShapeError::IndexTooLarge(token.to_owned()));
                    }
                    Ok(n) => Step::Index(n),
                    Err(_) => Step::Key(token.to_owned()),
                });
                rest = after;
            }
        } else {
            out.push(Step::Key(rest.to_owned()));
        }
        if out.len() > MAX_NESTING {
            return Err(ShapeError::TooDeep);
        }
    }
    Ok(out)
}

/// Sets `value` at `path` in `target`, creating objects and arrays on the way; refuses a path
/// deeper than [`MAX_NESTING`], with an index over [`MAX_PATH_INDEX`], or one that would make
/// more array elements than `slots` has left.
pub fn set(
    target: &mut Map<String, Value>,
    path: &str,
    value: Value,
    dot_notation: bool,
    slots: &mut Slots,
) -> Result<(), ShapeError> {
    if !dot_notation {
        target.insert(path.to_owned(), value);
        return Ok(());
    }
    let steps = steps(path)?;
    let Some((first, rest)) = steps.split_first() else {
        return Ok(());
    };
    let Step::Key(first) = first else {
        target.insert(path.to_owned(), value);
        return Ok(());
    };
    let mut slot = target.entry(first.clone()).or_insert(Value::Null);
    for step in rest {
        match step {
            Step::Key(k) => {
                if !slot.is_object() {
                    *slot = Value::Object(Map::new());
                }
                let Value::Object(map) = slot else {
                    return Ok(());
                };
                slot = map.entry(k.clone()).or_insert(Value::Null);
            }
            Step::Index(i) => {
                if !slot.is_array() {
                    *slot = Value::Array(Vec::new());
                }
                let Value::Array(items) = slot else {
                    return Ok(());
                };
                if items.len() <= *i {
                    let added = *i + 1 - items.len();
                    slots.0 = slots.0.checked_sub(added).ok_or(ShapeError::TooManySlots)?;
                    items.resize(*i + 1, Value::Null);
                }
                let Some(next) = items.get_mut(*i) else {
                    return Ok(());
                };
                slot = next;
            }
        }
    }
    *slot = value;
    Ok(())
}

/// A path refused by [`set`], as the node error that names it.
pub fn path_error(path: &str, err: ShapeError) -> weft_engine::run::NodeError {
    let shown: String = path.chars().take(80).collect();
    weft_engine::run::NodeError::new(format!(
        "The field name \"{shown}\" cannot be used: it is {err}"
    ))
}

/// Reads `path` as lodash's `get` does: a literal key that exists wins, else the dot path.
pub fn lodash_get<'v>(source: &'v Map<String, Value>, path: &str) -> Option<&'v Value> {
    source.get(path).or_else(|| get(source, path))
}

/// Reads the value at `path` (dot notation), if any.
pub fn get<'v>(source: &'v Map<String, Value>, path: &str) -> Option<&'v Value> {
    let steps = steps(path).ok()?;
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

    use super::{Slots, get, set};

    #[test]
    fn dotted_paths_create_nested_values() {
        let mut m = Map::new();
        let s = &mut Slots::default();
        set(&mut m, "a.b[1].c", json!(1), true, s).unwrap();
        set(&mut m, "x.y", json!(2), false, s).unwrap();
        assert_eq!(
            serde_json::Value::Object(m.clone()),
            json!({"a": {"b": [null, {"c": 1}]}, "x.y": 2})
        );
        assert_eq!(get(&m, "a.b[1].c"), Some(&json!(1)));
    }

    #[test]
    fn paths_deeper_than_items_may_nest_or_with_huge_indexes_are_refused() {
        let mut m = Map::new();
        let s = &mut Slots::default();
        let deep = vec!["a"; 5000].join(".");
        assert!(set(&mut m, &deep, json!(1), true, s).is_err());
        assert!(set(&mut m, "a[100000000000000]", json!(1), true, s).is_err());
        assert!(set(&mut m, "a[18446744073709551615]", json!(1), true, s).is_err());
        assert!(m.is_empty());
        let fine = vec!["a"; 90].join(".");
        set(&mut m, &fine, json!(1), true, s).unwrap();
        set(&mut m, "b[3]", json!(2), true, s).unwrap();
        assert_eq!(get(&m, "b[3]"), Some(&json!(2)));
        // Many large indexes add up against one budget.
        let mut many = Map::new();
        let err = (0..10)
            .map(|k| set(&mut many, &format!("k{k}[999999]"), json!(1), true, s))
            .find_map(Result::err);
        assert_eq!(err, Some(weft_engine::limits::ShapeError::TooManySlots));
    }
}
