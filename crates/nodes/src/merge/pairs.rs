//! Merge combinations by position and of every pair.

use serde_json::Value;
use weft_engine::Node;
use weft_engine::run::Item;

use super::{Clash, binary_of, paired_of, suffixed};

fn combine(clash: &Clash, a: &Item, b: &Item) -> Item {
    Item {
        json: clash.merge(&[&a.json, &b.json]),
        binary: Some(binary_of(&[a, b])),
        paired_item: Some(paired_of(&[a, b])),
        error: None,
    }
}

/// Input order after clash handling: inputs swap when input 1 should win; suffixes applied.
fn prepared(clash: &Clash, one: &[Item], two: &[Item]) -> (Vec<Item>, Vec<Item>) {
    let (mut a, mut b) = (one.to_vec(), two.to_vec());
    if clash.resolve.as_deref() == Some("preferInput1") {
        std::mem::swap(&mut a, &mut b);
    }
    if clash.resolve.as_deref() == Some("addSuffix") {
        a = suffixed(&a, "1");
        b = suffixed(&b, "2");
    }
    (a, b)
}

/// Every item of input 1 combined with every item of input 2.
pub fn all_combinations(node: &Node, one: &[Item], two: &[Item]) -> Vec<Item> {
    let clash = Clash::of(node);
    let (a, b) = prepared(&clash, one, two);
    a.iter()
        .flat_map(|x| b.iter().map(|y| combine(&clash, x, y)).collect::<Vec<_>>())
        .collect()
}

fn include_unpaired(node: &Node) -> bool {
    node.parameters
        .pointer("/options/includeUnpaired")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// v2: item i of input 1 with item i of input 2.
pub fn by_position_v2(node: &Node, one: &[Item], two: &[Item]) -> Vec<Item> {
    if one.is_empty() || two.is_empty() {
        return [one, two].concat();
    }
    let clash = Clash::of(node);
    let (a, b) = prepared(&clash, one, two);
    let n = if include_unpaired(node) {
        a.len().max(b.len())
    } else {
        a.len().min(b.len())
    };
    (0..n)
        .filter_map(|i| match (a.get(i), b.get(i)) {
            (Some(x), Some(y)) => Some(combine(&clash, x, y)),
            (Some(x), None) | (None, Some(x)) => Some(x.clone()),
            (None, None) => None,
        })
        .collect()
}

/// v3: item i of every input, the preferred input winning clashes.
pub fn by_position_v3(node: &Node, inputs: &[Vec<Item>]) -> Vec<Item> {
    let clash = Clash::of(node);
    let preferred = match clash.resolve.as_deref() {
        Some(r) if r.starts_with("preferInput") => r["preferInput".len()..]
            .parse::<usize>()
            .unwrap_or(1)
            .saturating_sub(1),
        _ => inputs.len() - 1,
    };
    let preferred_items = inputs[preferred.min(inputs.len() - 1)].clone();
    let lists: Vec<Vec<Item>> = if clash.resolve.as_deref() == Some("addSuffix") {
        inputs
            .iter()
            .enumerate()
            .map(|(k, l)| suffixed(l, &(k + 1).to_string()))
            .collect()
    } else {
        inputs.to_vec()
    };
    let lengths = lists.iter().map(Vec::len);
    let n = if include_unpaired(node) {
        lengths.max().unwrap_or(0)
    } else {
        lengths.min().unwrap_or(0)
    };
    let empty = Item::default();
    (0..n)
        .map(|i| {
            let mut parts: Vec<&Item> = lists.iter().map(|l| l.get(i).unwrap_or(&empty)).collect();
            parts.push(preferred_items.get(i).unwrap_or(&empty));
            let present: Vec<&Item> = lists
                .iter()
                .filter_map(|l| l.get(i))
                .chain(preferred_items.get(i))
                .collect();
            Item {
                json: clash.merge(&parts.iter().map(|p| &p.json).collect::<Vec<_>>()),
                binary: Some(binary_of(&parts)),
                paired_item: Some(paired_of(&present)),
                error: None,
            }
        })
        .collect()
}
