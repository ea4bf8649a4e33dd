//! Small helpers shared by nodes.

use weft_engine::run::{Item, PairedItem};

/// The first input's items, cloned (what most single-input nodes work on).
pub fn first_input(inputs: &[Option<Vec<Item>>]) -> Vec<Item> {
    inputs.first().cloned().flatten().unwrap_or_default()
}

/// An item paired with input item `index`.
pub fn paired(mut item: Item, index: usize) -> Item {
    item.paired_item = Some(PairedItem::item(index));
    item
}
