//! `n8n-nodes-base.writeBinaryFile` v1 (legacy): writes each item's binary field to the file
//! `fileName` names (appending with `options.append`), adding `fileName` to the item's json.

use std::path::PathBuf;

use serde_json::{Value, json};
use weft_engine::OnError;
use weft_engine::run::{Item, NodeContext, NodeError, NodeFuture, NodeType};

use crate::util::{paired, string_param};

pub struct WriteBinaryFile {
    pub root: Option<PathBuf>,
}

/// Writes item `i`'s binary field to its file and returns the item n8n outputs for it.
pub(super) fn write_item(
    ctx: &NodeContext<'_>,
    root: &std::path::Path,
    item: &Item,
    i: usize,
    append: bool,
) -> Result<Item, NodeError> {
    let file_name = string_param(ctx, "fileName", i, "")?;
    let property = string_param(ctx, "dataPropertyName", i, "data")?;
    let bytes = crate::util::binary_bytes(item, &property, i)?;
    let path = super::inside(root, &file_name)?;
    super::write(root, &path, &bytes, append)?;
    let mut json = item.json.clone();
    json.insert("fileName".into(), Value::String(file_name));
    Ok(Item {
        json,
        binary: item.binary.clone(),
        ..Item::default()
    })
}

impl NodeType for WriteBinaryFile {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.writeBinaryFile"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let root = super::root(self.root.as_deref())?;
            // n8n reads this node's options once, from the first item.
            let append = ctx
                .parameter("options", 0)?
                .get("append")
                .and_then(Value::as_bool)
                == Some(true);
            let mut out = Vec::with_capacity(ctx.items().len());
            for (i, item) in ctx.items().iter().enumerate() {
                match write_item(&ctx, root, item, i, append) {
                    Ok(new) => out.push(paired(new, i)),
                    Err(e) if ctx.node.on_error() != OnError::StopWorkflow => {
                        out.push(paired(Item::from_value(json!({ "error": e.message })), i));
                    }
                    Err(e) => return Err(e.at_item(i)),
                }
            }
            Ok(Some(vec![out]))
        })
    }
}
