//! Merge by matching fields: keep matches, non-matches, everything, or enrich one input.

use serde_json::{Value, json};
use weft_engine::Node;
use weft_engine::run::{Item, NodeError};

use super::{Clash, binary_of, paired_of, suffixed, text, values, version};

struct Matched<'a> {
    entry: &'a Item,
    matches: Vec<&'a Item>,
}

/// The `(input 1 field, input 2 field)` pairs to match on.
fn pairs(node: &Node) -> Result<Vec<(String, String)>, NodeError> {
    let advanced = node
        .parameters
        .get("advanced")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let list: Vec<(String, String)> = if version(node) >= 3.0 && !advanced {
        let raw = text(node, "/fieldsToMatchString", "");
        raw.split(',')
            .map(|f| (f.trim().to_owned(), f.trim().to_owned()))
            .collect()
    } else {
        node.parameters
            .pointer("/mergeByFields/values")
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .map(|p| {
                        let f = |k: &str| {
                            p.get(k)
                                .and_then(Value::as_str)
                                .unwrap_or("")
                                .trim()
                                .to_owned()
                        };
                        (f("field1"), f("field2"))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    if list.len() == 1 && list[0].0.is_empty() && list[0].1.is_empty() {
        return Err(NodeError::new(
            "You need to define at least one pair of fields in \"Fields to Match\" to match on",
        ));
    }
    if let Some(i) = list.iter().position(|(a, b)| a.is_empty() || b.is_empty()) {
        return Err(NodeError::new(format!(
            "You need to define both fields in \"Fields to Match\" for pair {}, field 1 = '{}' and field 2 = '{}'",
            i + 1,
            list[i].0,
            list[i].1
        )));
    }
    Ok(list)
}

fn with_source(items: &[&Item], source: &str) -> Vec<Item> {
    items
        .iter()
        .map(|i| {
            let mut item = (*i).clone();
            item.json.insert("_source".into(), json!(source));
            item
        })
        .collect()
}

fn merge_matched(matched: &[Matched<'_>], clash: &Clash, join: &str, v3: bool) -> Vec<Item> {
    let resolve = clash.resolve.clone().unwrap_or_else(|| {
        if join == "enrichInput2" {
            "preferInput1".into()
        } else if v3 {
            "preferLast".into()
        } else {
            "preferInput2".into()
        }
    });
    matched
        .iter()
        .map(|m| {
            let (mut order, json_parts): (Vec<&Item>, Vec<serde_json::Map<String, Value>>) =
                match resolve.as_str() {
                    "addSuffix" => {
                        let mut parts = vec![values::with_suffix(&m.entry.json, "1")];
                        parts.extend(m.matches.iter().map(|x| values::with_suffix(&x.json, "2")));
                        let mut order = vec![m.entry];
                        order.extend(&m.matches);
                        (order, parts)
                    }
                    "preferInput1" => {
                        let mut order: Vec<&Item> = m.matches.clone();
                        order.push(m.entry);
                        let parts = order.iter().map(|i| i.json.clone()).collect();
                        (order, parts)
                    }
                    _ => {
                        let mut order = vec![m.entry];
                        order.extend(&m.matches);
                        let parts = order.iter().map(|i| i.json.clone()).collect();
                        (order, parts)
                    }
                };
            if !matches!(
                resolve.as_str(),
                "addSuffix" | "preferInput1" | "preferInput2" | "preferLast"
            ) {
                order.clear();
            }
            Item {
                json: if order.is_empty() {
                    Default::default()
                } else {
                    clash.merge(&json_parts.iter().collect::<Vec<_>>())
                },
                binary: Some(binary_of(&order)),
                paired_item: Some(paired_of(&order)),
                error: None,
            }
        })
        .collect()
}

pub fn run(node: &Node, one: &[Item], two: &[Item]) -> Result<Vec<Item>, NodeError> {
    let v3 = version(node) >= 3.0;
    let join = text(node, "/joinMode", "keepMatches");
    let output_from = if matches!(join, "keepMatches" | "keepNonMatches") {
        text(node, "/outputDataFrom", "both")
    } else {
        "both"
    };
    let fields = pairs(node)?;
    if one.is_empty() || two.is_empty() {
        // Before 2.1 an empty input passed the other through whatever the join mode.
        let empty = version(node) >= 2.1
            && match join {
                "keepMatches" => true,
                "keepNonMatches" => {
                    (output_from == "input1" && one.is_empty())
                        || (output_from == "input2" && two.is_empty())
                }
                "enrichInput1" => one.is_empty(),
                "enrichInput2" => two.is_empty(),
                _ => false,
            };
        return Ok(if empty {
            Vec::new()
        } else {
            [one, two].concat()
        });
    }
    if fields.is_empty() {
        return Ok(
            if matches!(join, "keepMatches" | "keepEverything" | "enrichInput2") {
                Vec::new()
            } else {
                one.to_vec()
            },
        );
    }
    let literal = node
        .parameters
        .pointer("/options/disableDotNotation")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let fuzzy = node
        .parameters
        .pointer("/options/fuzzyCompare")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let first_only = text(node, "/options/multipleMatches", "all") == "first";
    let per_match = output_from == "both" || join.starts_with("enrich");
    let mut matched: Vec<Matched<'_>> = Vec::new();
    let mut unmatched1: Vec<&Item> = Vec::new();
    let mut matched2 = vec![false; two.len()];
    for entry in one {
        let mut lookup: Vec<(&str, Option<&Value>)> = Vec::new();
        for (f1, f2) in &fields {
            let value = values::get(&entry.json, f1, literal);
            match lookup.iter_mut().find(|(k, _)| k == f2) {
                Some(slot) => slot.1 = value,
                None => lookup.push((f2.as_str(), value)),
            }
        }
        if lookup.iter().any(|(_, v)| v.is_none()) {
            unmatched1.push(entry);
            continue;
        }
        let mut found: Vec<(usize, &Item)> = two
            .iter()
            .enumerate()
            .filter(|(_, candidate)| {
                lookup.iter().all(|(f2, v)| {
                    values::equal(values::get(&candidate.json, f2, literal), *v, fuzzy)
                })
            })
            .collect();
        if first_only {
            found.truncate(1);
        }
        if found.is_empty() {
            unmatched1.push(entry);
            continue;
        }
        for (i, _) in &found {
            matched2[*i] = true;
        }
        if per_match {
            matched.extend(found.iter().map(|(_, m)| Matched {
                entry,
                matches: vec![*m],
            }));
        } else {
            matched.push(Matched {
                entry,
                matches: found.iter().map(|(_, m)| *m).collect(),
            });
        }
    }
    let unmatched2: Vec<&Item> = two
        .iter()
        .enumerate()
        .filter(|(i, _)| !matched2[*i])
        .map(|(_, m)| m)
        .collect();
    let matched_two: Vec<Item> = two
        .iter()
        .enumerate()
        .filter(|(i, _)| matched2[*i])
        .map(|(_, m)| m.clone())
        .collect();
    let clash = super::Clash::of(node);
    let add_suffix = clash.resolve.as_deref() == Some("addSuffix");
    let owned = |items: &[&Item]| items.iter().map(|i| (*i).clone()).collect::<Vec<Item>>();
    Ok(match join {
        "keepNonMatches" => match output_from {
            "input1" => owned(&unmatched1),
            "input2" => owned(&unmatched2),
            _ => [
                with_source(&unmatched1, "input1"),
                with_source(&unmatched2, "input2"),
            ]
            .concat(),
        },
        "enrichInput1" => {
            let rest = owned(&unmatched1);
            [
                merge_matched(&matched, &clash, join, v3),
                if add_suffix {
                    suffixed(&rest, "1")
                } else {
                    rest
                },
            ]
            .concat()
        }
        "enrichInput2" => {
            let rest = owned(&unmatched2);
            [
                merge_matched(&matched, &clash, join, v3),
                if add_suffix {
                    suffixed(&rest, "2")
                } else {
                    rest
                },
            ]
            .concat()
        }
        _ => {
            let mut out = match output_from {
                "input1" => {
                    let mut seen = Vec::new();
                    for m in &matched {
                        if !seen.iter().any(|s: &&Item| std::ptr::eq(*s, m.entry)) {
                            seen.push(m.entry);
                        }
                    }
                    owned(&seen)
                }
                "input2" => matched_two,
                _ => merge_matched(&matched, &clash, join, v3),
            };
            if join == "keepEverything" {
                let (u1, u2) = (owned(&unmatched1), owned(&unmatched2));
                out.extend(if add_suffix { suffixed(&u1, "1") } else { u1 });
                out.extend(if add_suffix { suffixed(&u2, "2") } else { u2 });
            }
            out
        }
    })
}
