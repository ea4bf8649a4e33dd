//! `n8n-nodes-base.moveBinaryData` v1, v1.1 (legacy "Convert to/from binary data"): a binary
//! field read into the json (all of it parsed, or as text/base64 at a key), or json (all of it,
//! or one key) written as a binary field. An item without the source is skipped, as in n8n;
//! 1.1 no longer forces `application/json` and names the file `file.<ext>`.

use base64::Engine;
use serde_json::{Map, Value};
use weft_engine::run::{Item, NodeContext, NodeError, NodeFuture, NodeType};

use super::{binary, check_encoding, opt_bool, opt_str, options, path, sniff, with_bom};
use crate::util::{js_string, paired, string_param};

pub struct MoveBinaryData;

/// lodash's `unset`: removes the value at a dotted path, if there is one.
fn unset(target: &mut Map<String, Value>, key: &str) {
    if target.remove(key).is_some() || !key.contains('.') {
        return;
    }
    let mut parts: Vec<&str> = key.split('.').collect();
    let last = parts.pop().unwrap_or_default();
    let mut at = target;
    for part in parts {
        match at.get_mut(part) {
            Some(Value::Object(inner)) => at = inner,
            _ => return,
        }
    }
    at.remove(last);
}

/// The text of `bytes` in UTF-8, its byte-order mark dropped unless `stripBOM` is false.
fn decode(bytes: &[u8], o: &Map<String, Value>) -> Result<String, NodeError> {
    check_encoding(o)?;
    let text = String::from_utf8_lossy(bytes).into_owned();
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) if opt_bool(o, "stripBOM") != Some(false) => rest.to_owned(),
        _ => text,
    })
}

fn parse_json(text: &str) -> Result<Value, NodeError> {
    serde_json::from_str(text)
        .map_err(|e| NodeError::new(format!("The data is not valid JSON: {e}")))
}

fn to_json(ctx: &NodeContext<'_>, item: &Item, i: usize) -> Result<Option<Item>, NodeError> {
    let o = options(ctx, "options", i)?;
    let source = string_param(ctx, "sourceKey", i, "data")?;
    let binary = item.binary.clone().unwrap_or_default();
    if path::lodash_get(&binary, &source).is_none() {
        return Ok(None);
    }
    let bytes = crate::util::binary_bytes(item, &source, i)?;
    let set_all = ctx.parameter("setAllData", i)?.as_bool().unwrap_or(true);
    let json = if set_all {
        match parse_json(&decode(&bytes, &o)?)? {
            Value::Object(map) => map,
            other => {
                return Err(NodeError::new(format!(
                    "The data is JSON but not an object ({other}), so it cannot be an item's data"
                )));
            }
        }
    } else {
        let mut json = item.json.clone();
        let mut value = if opt_bool(&o, "keepAsBase64") == Some(true) {
            Value::String(base64::engine::general_purpose::STANDARD.encode(&bytes))
        } else {
            Value::String(decode(&bytes, &o)?)
        };
        if opt_bool(&o, "jsonParse") == Some(true) {
            value = parse_json(&js_string(&value))?;
        }
        let destination = string_param(ctx, "destinationKey", i, "data")?;
        path::set(
            &mut json,
            &destination,
            value,
            true,
            &mut path::Slots::default(),
        )
        .map_err(|e| path::path_error(&destination, e))?;
        json
    };
    let mut binary = binary;
    if opt_bool(&o, "keepSource") != Some(true) {
        unset(&mut binary, &source);
    }
    Ok(Some(Item {
        json,
        binary: Some(binary),
        ..Item::default()
    }))
}

fn to_binary(
    ctx: &NodeContext<'_>,
    item: &Item,
    i: usize,
    version: f64,
) -> Result<Option<Item>, NodeError> {
    let o = options(ctx, "options", i)?;
    let all = ctx
        .parameter("convertAllData", i)?
        .as_bool()
        .unwrap_or(true);
    let source = string_param(ctx, "sourceKey", i, "data")?;
    let value = if all {
        Value::Object(item.json.clone())
    } else {
        match path::lodash_get(&item.json, &source) {
            Some(v) => v.clone(),
            None => return Ok(None),
        }
    };
    let mut mime = opt_str(&o, "mimeType").map(str::to_owned);
    let bytes = if opt_bool(&o, "dataIsBase64") == Some(true) {
        base64::engine::general_purpose::STANDARD
            .decode(js_string(&value).trim())
            .map_err(|e| NodeError::new(format!("The data is not valid base64: {e}")))?
    } else {
        check_encoding(&o)?;
        let text =
            if opt_bool(&o, "useRawData") != Some(true) || value.is_object() || value.is_array() {
                mime.get_or_insert_with(|| "application/json".to_owned());
                value.to_string()
            } else {
                js_string(&value)
            };
        with_bom(text, &o)
    };
    if version < 1.1 {
        mime.get_or_insert_with(|| "application/json".to_owned());
    }
    let mime = mime.or_else(|| sniff(&bytes).map(str::to_owned));
    let name = opt_str(&o, "fileName");
    let mut entry = binary::entry(&bytes, name, mime.as_deref());
    if version < 1.1
        && name.is_none()
        && let Some(e) = entry.as_object_mut()
    {
        e.remove("fileName");
    }
    let mut binary = item.binary.clone().unwrap_or_default();
    let destination = string_param(ctx, "destinationKey", i, "data")?;
    path::set(
        &mut binary,
        &destination,
        entry,
        true,
        &mut path::Slots::default(),
    )
    .map_err(|e| path::path_error(&destination, e))?;
    let json = if opt_bool(&o, "keepSource") == Some(true) {
        item.json.clone()
    } else if all {
        Map::new()
    } else {
        let mut json = item.json.clone();
        unset(&mut json, &source);
        json
    };
    Ok(Some(Item {
        json,
        binary: Some(binary),
        ..Item::default()
    }))
}

impl NodeType for MoveBinaryData {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.moveBinaryData"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0, 1.1]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let version = ctx.node.type_version.as_f64().unwrap_or(1.0);
            let mode = string_param(&ctx, "mode", 0, "binaryToJson")?;
            let mut out = Vec::with_capacity(ctx.items().len());
            for (i, item) in ctx.items().iter().enumerate() {
                let made = match mode.as_str() {
                    "binaryToJson" => to_json(&ctx, item, i),
                    "jsonToBinary" => to_binary(&ctx, item, i, version),
                    other => Err(NodeError::new(format!(
                        "The operation \"{other}\" is not known!"
                    ))),
                }
                .map_err(|e| e.at_item(i))?;
                if let Some(new) = made {
                    out.push(paired(new, i));
                }
            }
            Ok(Some(vec![out]))
        })
    }
}
