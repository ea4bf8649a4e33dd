//! `pairedItem` bookkeeping: stamping inputs, filling in outputs a node left unpaired.

use crate::run::item::{Inputs, Item, Outputs, PairedItem, PairedItemRef};

/// Every input item gets `{item: i, input: k}` (input omitted when 0), as n8n re-stamps them.
pub fn stamp_inputs(inputs: &mut Inputs) {
    for (k, input) in inputs.iter_mut().enumerate() {
        for (i, item) in input.iter_mut().flatten().enumerate() {
            item.paired_item = Some(PairedItem::One(PairedItemRef {
                item: i as u32,
                input: (k > 0).then_some(k as u32),
            }));
        }
    }
}

/// Fills `pairedItem` on output items that have none, where the pairing is unambiguous:
/// one input holding one item pairs everything with it; one output and one input of equal
/// length pair by position; one output item from one input pairs with the first item.
pub fn fill_outputs(inputs: &Inputs, outputs: &mut Outputs) {
    let filled: Vec<usize> = inputs.iter().flatten().map(Vec::len).collect();
    let single_input = inputs.iter().filter(|i| i.is_some()).count() == 1;
    let one_output = outputs.len() == 1;
    for output in outputs.iter_mut() {
        let len = output.len();
        for (index, item) in output.iter_mut().enumerate() {
            if item.paired_item.is_some() {
                continue;
            }
            let pair = if single_input && filled == [1] {
                Some(0)
            } else if single_input && one_output && filled == [len] {
                Some(index)
            } else if single_input
                && one_output
                && len == 1
                && filled.first().is_some_and(|n| *n > 1)
            {
                Some(0)
            } else {
                None
            };
            match pair {
                Some(i) => item.paired_item = Some(PairedItem::item(i)),
                None => return,
            }
        }
    }
}

/// The item `alwaysOutputData` emits: empty, paired with every input item.
pub fn placeholder_item(inputs: &Inputs) -> Item {
    let refs: Vec<PairedItemRef> = inputs
        .iter()
        .enumerate()
        .flat_map(|(k, input)| {
            input
                .iter()
                .flatten()
                .enumerate()
                .map(move |(i, _)| PairedItemRef {
                    item: i as u32,
                    input: Some(k as u32),
                })
        })
        .collect();
    Item {
        paired_item: Some(PairedItem::Many(refs)),
        ..Item::default()
    }
}
