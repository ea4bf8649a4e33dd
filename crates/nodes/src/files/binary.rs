//! Binary entries as n8n writes them (`{mimeType, fileType, fileExtension, fileName, data,
//! fileSize}`), reading an item's binary back, and flattening JSON for spreadsheets.

use base64::Engine;
use serde_json::{Map, Value, json};
use weft_engine::run::{Item, NodeError};

use crate::mime;

/// n8n's `fileType` for a MIME type, when it has one.
fn file_type(mime: &str) -> Option<&'static str> {
    let m = mime.to_ascii_lowercase();
    if m.starts_with("application/json") {
        Some("json")
    } else if m.starts_with("text/html") {
        Some("html")
    } else if m.starts_with("image/") {
        Some("image")
    } else if m.starts_with("audio/") {
        Some("audio")
    } else if m.starts_with("video/") {
        Some("video")
    } else if m.starts_with("text/") || m.starts_with("application/javascript") {
        Some("text")
    } else if m.starts_with("application/pdf") {
        Some("pdf")
    } else {
        None
    }
}

/// The extension n8n records for a MIME type.
fn extension_of(mime: &str) -> Option<&'static str> {
    Some(match mime.split(';').next().unwrap_or_default().trim() {
        "text/plain" => "txt",
        "application/json" => "json",
        "text/csv" => "csv",
        "text/html" => "html",
        "text/calendar" => "ics",
        "application/rtf" => "rtf",
        "application/xml" | "text/xml" => "xml",
        "application/pdf" => "pdf",
        "image/png" => "png",
        "image/jpeg" => "jpeg",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
        "application/vnd.ms-excel" => "xls",
        "application/vnd.oasis.opendocument.spreadsheet" => "ods",
        _ => return None,
    })
}

/// A binary entry for `bytes`: the MIME type comes from `mime`, else the file name's extension,
/// else `text/plain`; the file name defaults to `file[.ext]`.
pub fn entry(bytes: &[u8], file_name: Option<&str>, mime: Option<&str>) -> Value {
    let file_name = file_name.filter(|n| !n.is_empty());
    let name_ext = file_name
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_owned())
        .filter(|e| !e.is_empty());
    let mime = mime
        .filter(|m| !m.is_empty())
        .map(str::to_owned)
        .or_else(|| {
            name_ext
                .as_deref()
                .map(mime::from_extension)
                .filter(|m| *m != "application/octet-stream")
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "text/plain".to_owned());
    let extension = name_ext.or_else(|| {
        // n8n only derives an extension when it was given (or sniffed) a type, not for the fallback.
        extension_of(&mime)
            .filter(|_| file_name.is_some() || mime != "text/plain")
            .map(str::to_owned)
    });
    let mut out = Map::new();
    out.insert("mimeType".into(), json!(mime));
    if let Some(t) = file_type(&mime) {
        out.insert("fileType".into(), json!(t));
    }
    if let Some(e) = &extension {
        out.insert("fileExtension".into(), json!(e));
    }
    let name = match file_name {
        Some(n) => n.to_owned(),
        None => match &extension {
            Some(e) => format!("file.{e}"),
            None => "file".to_owned(),
        },
    };
    out.insert("fileName".into(), json!(name));
    out.insert(
        "data".into(),
        json!(base64::engine::general_purpose::STANDARD.encode(bytes)),
    );
    out.insert("fileSize".into(), json!(mime::human_size(bytes.len())));
    Value::Object(out)
}

/// An output item holding one binary entry under `property`.
pub fn item_with(property: &str, entry: Value) -> Item {
    let mut binary = Map::new();
    binary.insert(property.to_owned(), entry);
    Item {
        binary: Some(binary),
        ..Item::default()
    }
}

/// The decoded bytes of an item's binary `property`; `None` when the item has none.
pub fn bytes(item: &Item, property: &str) -> Result<Option<Vec<u8>>, NodeError> {
    let Some(entry) = item.binary.as_ref().and_then(|b| b.get(property)) else {
        return Ok(None);
    };
    let data = entry
        .get("data")
        .and_then(Value::as_str)
        .unwrap_or_default();
    base64::engine::general_purpose::STANDARD
        .decode(data)
        .map(Some)
        .map_err(|e| {
            NodeError::new(format!(
                "Binary field '{property}' is not valid base64: {e}"
            ))
        })
}

/// The bytes of an item's binary `property`, or n8n's error when it has none.
pub fn required(item: &Item, property: &str) -> Result<Vec<u8>, NodeError> {
    bytes(item, property)?.ok_or_else(|| {
        if item.binary.as_ref().is_none_or(Map::is_empty) {
            NodeError::new("No binary data exists on item!")
        } else {
            NodeError::new(format!("Item has no binary property called \"{property}\""))
        }
    })
}

/// Bytes of dotted keys [`flatten`] may make for one item: every leaf repeats its whole
/// prefix, so a long key over a long list would otherwise multiply.
const MAX_FLAT_KEY_BYTES: usize = 64 << 20;

/// n8n's `flattenObject`: nested objects and arrays become dotted keys; empty ones vanish.
/// Recursion follows the item's depth, which the executor bounds.
pub fn flatten(json: &Map<String, Value>) -> Result<Map<String, Value>, NodeError> {
    fn walk(
        prefix: &str,
        value: &Value,
        out: &mut Map<String, Value>,
        budget: &mut usize,
    ) -> Result<(), NodeError> {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    walk(&format!("{prefix}.{k}"), v, out, budget)?;
                }
            }
            Value::Array(list) => {
                for (i, v) in list.iter().enumerate() {
                    walk(&format!("{prefix}.{i}"), v, out, budget)?;
                }
            }
            other => {
                *budget = budget.checked_sub(prefix.len()).ok_or_else(|| {
                    NodeError::new(format!(
                        "The item's flattened field names pass {MAX_FLAT_KEY_BYTES} bytes"
                    ))
                })?;
                out.insert(prefix.to_owned(), other.clone());
            }
        }
        Ok(())
    }
    let mut out = Map::new();
    let mut budget = MAX_FLAT_KEY_BYTES;
    for (k, v) in json {
        match v {
            Value::Object(_) | Value::Array(_) => walk(k, v, &mut out, &mut budget)?,
            other => {
                out.insert(k.clone(), other.clone());
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_carry_n8ns_metadata() {
        let e = entry(b"a,b", Some("File.csv"), None);
        assert_eq!(e["mimeType"], "text/csv");
        assert_eq!(e["fileType"], "text");
        assert_eq!(e["fileExtension"], "csv");
        assert_eq!(e["fileSize"], "3 B");
        let plain = entry(b"hello", None, None);
        assert_eq!(plain["fileName"], "file");
        assert!(plain.get("fileExtension").is_none());
        let json = entry(b"{}", None, Some("application/json"));
        assert_eq!(json["fileName"], "file.json");
    }

    #[test]
    fn nested_values_flatten_to_dotted_keys_and_empty_ones_vanish() {
        let v = serde_json::json!({"a": {"b": 1, "c": [2, {"d": 3}]}, "e": {}, "f": null});
        let flat = flatten(v.as_object().unwrap()).unwrap();
        assert_eq!(
            Value::Object(flat),
            serde_json::json!({"a.b": 1, "a.c.0": 2, "a.c.1.d": 3, "f": null})
        );
    }
}
