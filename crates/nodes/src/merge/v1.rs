//! Merge v1: append, merge by index or key, keep/remove key matches, multiplex, pass-through, wait.

use serde_json::{Map, Value, json};
use weft_engine::Node;
use weft_engine::run::{Item, PairedItem};

use super::{paired_of, text, values};

fn key_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(weft_engine::expr::to_display_string(&Value::Number(
            n.clone(),
        ))),
        Value::Null => Some("null".into()),
        _ => None,
    }
}

fn falsy(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64().is_none_or(|f| f == 0.0),
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

fn by_index(node: &Node, one: &[Item], two: &[Item]) -> Vec<Item> {
    let join = text(node, "/join", "left");
    if one.is_empty() {
        return if join == "outer" {
            two.to_vec()
        } else {
            Vec::new()
        };
    }
    if two.is_empty() {
        return if join == "inner" {
            Vec::new()
        } else {
            one.to_vec()
        };
    }
    let n = match join {
        "inner" => one.len().min(two.len()),
        "outer" => one.len().max(two.len()),
        _ => one.len(),
    };
    (0..n)
        .filter_map(|i| match (one.get(i), two.get(i)) {
            (Some(a), Some(b)) => {
                let mut json = a.json.clone();
                json.extend(b.json.clone());
                let binary = (a.binary.is_some() || b.binary.is_some()).then(|| {
                    let mut m = a.binary.clone().unwrap_or_default();
                    m.extend(b.binary.clone().unwrap_or_default());
                    m
                });
                Some(Item {
                    json,
                    binary,
                    paired_item: Some(paired_of(&[a, b])),
                    error: None,
                })
            }
            (Some(x), None) | (None, Some(x)) => Some(x.clone()),
            (None, None) => None,
        })
        .collect()
}

fn by_key(node: &Node, mode: &str, one: &[Item], two: &[Item]) -> Vec<Item> {
    let p1 = text(node, "/propertyName1", "");
    let p2 = text(node, "/propertyName2", "");
    if p1.is_empty() || p2.is_empty() {
        return if mode == "keepKeyMatches" {
            Vec::new()
        } else {
            one.to_vec()
        };
    }
    let mut index: Map<String, Value> = Map::new();
    let mut by_key: std::collections::HashMap<String, &Item> = std::collections::HashMap::new();
    for item in two {
        if let Some(k) = values::get(&item.json, p2, false)
            .filter(|k| !falsy(k))
            .and_then(key_text)
        {
            index.insert(k.clone(), Value::Null);
            by_key.insert(k, item);
        }
    }
    let overwrite = text(node, "/overwrite", "always");
    let mut out = Vec::new();
    for item in one {
        let reference = values::get(&item.json, p1, false);
        let Some(key) = reference.and_then(key_text) else {
            if mode == "removeKeyMatches" {
                out.push(item.clone());
            }
            continue;
        };
        match (mode, by_key.get(&key)) {
            ("removeKeyMatches", Some(_)) => {}
            ("keepKeyMatches", Some(_)) | ("removeKeyMatches", None) | ("mergeByKey", None) => {
                out.push(item.clone())
            }
            ("mergeByKey", Some(found)) => {
                let mut merged = item.clone();
                for (k, v) in &found.json {
                    if k == p2 {
                        continue;
                    }
                    let write = match overwrite {
                        "blank" => merged
                            .json
                            .get(k)
                            .is_none_or(|e| e.is_null() || e.as_str() == Some("")),
                        "undefined" => !merged.json.contains_key(k),
                        _ => true,
                    };
                    if write {
                        merged.json.insert(k.clone(), v.clone());
                    }
                }
                out.push(merged);
            }
            _ => {}
        }
    }
    out
}

pub fn run(node: &Node, one: &[Item], two: &[Item]) -> Vec<Item> {
    match text(node, "/mode", "append") {
        "mergeByIndex" => by_index(node, one, two),
        "multiplex" => one
            .iter()
            .flat_map(|a| {
                two.iter().map(move |b| {
                    let mut json = a.json.clone();
                    json.extend(b.json.clone());
                    Item {
                        json,
                        binary: None,
                        paired_item: Some(paired_of(&[a, b])),
                        error: None,
                    }
                })
            })
            .collect(),
        mode @ ("keepKeyMatches" | "removeKeyMatches" | "mergeByKey") => {
            by_key(node, mode, one, two)
        }
        "passThrough" => {
            if text(node, "/output", "input1") == "input2" {
                two.to_vec()
            } else {
                one.to_vec()
            }
        }
        "wait" => {
            let refs: Vec<Item> = (0..one.len())
                .map(|i| Item {
                    paired_item: Some(PairedItem::item(i)),
                    ..Item::default()
                })
                .collect();
            let refs: Vec<&Item> = refs.iter().collect();
            vec![Item {
                paired_item: Some(paired_of(&refs)),
                ..Item::from_value(json!({}))
            }]
        }
        _ => [one, two].concat(),
    }
}
