//! `n8n-nodes-base.readBinaryFile` v1 (legacy): reads the file `filePath` names into each item's
//! binary field, keeping the item's json and other binary fields.

use std::path::PathBuf;

use serde_json::{Value, json};
use weft_engine::OnError;
use weft_engine::run::{Item, NodeContext, NodeFuture, NodeType};

use crate::util::{paired, string_param};

pub struct ReadBinaryFile {
    pub root: Option<PathBuf>,
}

impl NodeType for ReadBinaryFile {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.readBinaryFile"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let root = super::root(self.root.as_deref())?;
            let mut out = Vec::with_capacity(ctx.items().len());
            for (i, item) in ctx.items().iter().enumerate() {
                let read = string_param(&ctx, "filePath", i, "").and_then(|path| {
                    let property = string_param(&ctx, "dataPropertyName", i, "data")?;
                    let entry = super::read_entry(root, &super::inside(root, &path)?)?;
                    let mut binary = item.binary.clone().unwrap_or_default();
                    binary.insert(property, Value::Object(entry));
                    Ok(Item {
                        json: item.json.clone(),
                        binary: Some(binary),
                        ..Item::default()
                    })
                });
                match read {
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
