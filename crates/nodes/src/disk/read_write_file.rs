//! `n8n-nodes-base.readWriteFile` v1, v1.1 (Read/Write Files from Disk): `read` turns every
//! file a glob matches into an item (its metadata as json, its bytes as binary; from 1.1 no
//! match is an error), `write` writes an item's binary field to a file.

use std::path::PathBuf;

use serde_json::{Map, Value, json};
use weft_engine::OnError;
use weft_engine::run::{Item, NodeContext, NodeError, NodeFuture, NodeType};

use crate::util::{paired, string_param};

pub struct ReadWriteFile {
    pub root: Option<PathBuf>,
}

/// The items for the files item `i`'s selector matches.
fn read_item(
    ctx: &NodeContext<'_>,
    root: &std::path::Path,
    i: usize,
    version: f64,
) -> Result<Vec<Item>, NodeError> {
    let selector = string_param(ctx, "fileSelector", i, "")?;
    let options = ctx.parameter("options", i)?;
    let property = options
        .get("dataPropertyName")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or("data")
        .to_owned();
    let files = super::read_binary_files::find(root, &selector)?;
    if files.is_empty() && version > 1.0 {
        return Err(NodeError::new("No file(s) found").with_description(format!(
            "No file matching the selector \"{selector}\" found"
        )));
    }
    let mut out = Vec::with_capacity(files.len());
    for path in files {
        let mut entry = super::read_entry(root, &path)?;
        for key in ["fileName", "fileExtension", "mimeType"] {
            if let Some(v) = options.get(key).filter(|v| !v.is_null()) {
                entry.insert(key.into(), v.clone());
            }
        }
        let mut json = Map::new();
        for key in [
            "mimeType",
            "fileType",
            "fileName",
            "fileExtension",
            "fileSize",
        ] {
            if let Some(v) = entry.get(key) {
                json.insert(key.into(), v.clone());
            }
        }
        let mut binary = Map::new();
        binary.insert(property.clone(), Value::Object(entry));
        out.push(paired(
            Item {
                json,
                binary: Some(binary),
                ..Item::default()
            },
            i,
        ));
    }
    Ok(out)
}

impl NodeType for ReadWriteFile {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.readWriteFile"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0, 1.1]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let root = super::root(self.root.as_deref())?;
            let version = ctx.node.type_version.as_f64().unwrap_or(1.0);
            let operation = string_param(&ctx, "operation", 0, "read")?;
            let mut out = Vec::new();
            for (i, item) in ctx.items().iter().enumerate() {
                let result = match operation.as_str() {
                    "read" => read_item(&ctx, root, i, version),
                    "write" => {
                        let append = ctx
                            .parameter("options", i)?
                            .get("append")
                            .and_then(Value::as_bool)
                            == Some(true);
                        super::write_binary_file::write_item(&ctx, root, item, i, append)
                            .map(|new| vec![paired(new, i)])
                    }
                    other => Err(NodeError::new(format!(
                        "The operation \"{other}\" is not supported"
                    ))),
                };
                match result {
                    Ok(items) => out.extend(items),
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
