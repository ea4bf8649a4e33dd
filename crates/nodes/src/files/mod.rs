//! `n8n-nodes-base.convertToFile` v1/1.1 and `n8n-nodes-base.extractFromFile` v1: items to
//! files (CSV, HTML, RTF, xlsx, ods, JSON, text, base64, iCalendar) and files back to items.

mod binary;
mod ical;
pub use ical::ICalendar;
mod move_binary;
pub use move_binary::MoveBinaryData;
mod spreadsheet_file;
pub use spreadsheet_file::SpreadsheetFile;
pub(crate) mod read;
mod sheet;
mod xls;

pub(crate) use binary::entry as entry_for;

use base64::Engine;
use serde_json::{Map, Value};
use weft_engine::run::{
    Item, NodeContext, NodeError, NodeFuture, NodeType, PairedItem, PairedItemRef,
};

use crate::set::path;
use crate::util::{js_string, paired, string_param};

pub struct ConvertToFile;
pub struct ExtractFromFile;

type Output = Result<Option<Vec<Vec<Item>>>, NodeError>;

fn options(ctx: &NodeContext<'_>, name: &str, i: usize) -> Result<Map<String, Value>, NodeError> {
    Ok(ctx
        .parameter(name, i)?
        .as_object()
        .cloned()
        .unwrap_or_default())
}

fn opt_str<'m>(o: &'m Map<String, Value>, key: &str) -> Option<&'m str> {
    o.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn opt_bool(o: &Map<String, Value>, key: &str) -> Option<bool> {
    o.get(key).and_then(Value::as_bool)
}

/// Only UTF-8 is written and read; other encodings are refused rather than garbled.
fn check_encoding(o: &Map<String, Value>) -> Result<(), NodeError> {
    match opt_str(o, "encoding")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("utf8" | "utf-8") => Ok(()),
        Some(other) => Err(NodeError::new(format!(
            "The encoding \"{other}\" is not supported; files are read and written as UTF-8"
        ))),
    }
}

fn all_paired(n: usize) -> Option<PairedItem> {
    Some(PairedItem::Many(
        (0..n)
            .map(|i| PairedItemRef {
                item: i as u32,
                input: None,
            })
            .collect(),
    ))
}

impl NodeType for ConvertToFile {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.convertToFile"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0, 1.1]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let operation = string_param(&ctx, "operation", 0, "csv")?;
            match operation.as_str() {
                "csv" | "html" | "rtf" | "ods" | "xlsx" | "xls" => {
                    spreadsheet(&ctx, &operation, "File")
                }
                "toJson" => to_json(&ctx),
                "toText" | "toBinary" => per_item(&ctx, &operation),
                "iCal" => per_item(&ctx, "iCal"),
                other => Err(NodeError::new(format!(
                    "The operation \"{other}\" is not known"
                ))),
            }
        })
    }
}

/// One file of every item's json as a sheet in `format`; named `<stem>.<format>` by default.
fn spreadsheet(ctx: &NodeContext<'_>, format: &str, stem: &str) -> Output {
    let o = options(ctx, "options", 0)?;
    let property = string_param(ctx, "binaryPropertyName", 0, "data")?;
    let json: Vec<&Map<String, Value>> = ctx.items().iter().map(|i| &i.json).collect();
    let grid = sheet::grid(&json, opt_bool(&o, "headerRow") != Some(false))?;
    let sheet_name = opt_str(&o, "sheetName").unwrap_or("Sheet");
    let compress = opt_bool(&o, "compression").unwrap_or(false);
    let bytes = match format {
        "csv" => sheet::csv(&grid, opt_str(&o, "delimiter").unwrap_or(",")),
        "html" => sheet::html(&grid),
        "rtf" => sheet::rtf(&grid),
        "xlsx" => sheet::xlsx(&grid, sheet_name)?,
        "ods" => sheet::ods(&grid, sheet_name, compress)?,
        _ => xls::write(&grid, sheet_name)?,
    };
    let default_name = format!("{stem}.{format}");
    let name = o
        .get("fileName")
        .and_then(Value::as_str)
        .unwrap_or(&default_name);
    let mut item = binary::item_with(&property, binary::entry(&bytes, Some(name), None));
    item.paired_item = all_paired(ctx.items().len());
    Ok(Some(vec![vec![item]]))
}

fn json_bytes(value: &Value, o: &Map<String, Value>) -> Result<Vec<u8>, NodeError> {
    check_encoding(o)?;
    let text = if opt_bool(o, "format") == Some(true) {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    }
    .map_err(|e| NodeError::new(e.to_string()))?;
    Ok(with_bom(text, o))
}

fn with_bom(text: String, o: &Map<String, Value>) -> Vec<u8> {
    if opt_bool(o, "addBOM") == Some(true) {
        format!("\u{feff}{text}").into_bytes()
    } else {
        text.into_bytes()
    }
}

fn to_json(ctx: &NodeContext<'_>) -> Output {
    let each = ctx.parameter("mode", 0)?.as_str() == Some("each");
    let items = ctx.items();
    if !each {
        let o = options(ctx, "options", 0)?;
        let property = string_param(ctx, "binaryPropertyName", 0, "data")?;
        let all = Value::Array(
            items
                .iter()
                .map(|i| Value::Object(i.json.clone()))
                .collect(),
        );
        let bytes = json_bytes(&all, &o)?;
        let entry = binary::entry(&bytes, opt_str(&o, "fileName"), Some("application/json"));
        let mut item = binary::item_with(&property, entry);
        item.paired_item = all_paired(items.len());
        return Ok(Some(vec![vec![item]]));
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let o = options(ctx, "options", i)?;
        let property = string_param(ctx, "binaryPropertyName", i, "data")?;
        let bytes = json_bytes(&Value::Object(item.json.clone()), &o)?;
        let entry = binary::entry(&bytes, opt_str(&o, "fileName"), Some("application/json"));
        out.push(paired(binary::item_with(&property, entry), i));
    }
    Ok(Some(vec![out]))
}

/// A MIME type recognised from a file's first bytes.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let magic: [(&[u8], &str); 6] = [
        (b"\x89PNG", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"GIF8", "image/gif"),
        (b"%PDF", "application/pdf"),
        (b"PK\x03\x04", "application/zip"),
        (b"\x1f\x8b", "application/gzip"),
    ];
    magic
        .iter()
        .find(|(m, _)| bytes.starts_with(m))
        .map(|(_, t)| *t)
}

fn per_item(ctx: &NodeContext<'_>, operation: &str) -> Output {
    let version = ctx.node.type_version.as_f64().unwrap_or(1.0);
    let mut out = Vec::with_capacity(ctx.items().len());
    for (i, item) in ctx.items().iter().enumerate() {
        let at = |e: NodeError| NodeError {
            item_index: Some(i),
            ..e
        };
        let property = string_param(ctx, "binaryPropertyName", i, "data")?;
        let entry = if operation == "iCal" {
            let fields = options(ctx, "additionalFields", i)?;
            let text = ical::create(
                &string_param(ctx, "title", i, "")?,
                &string_param(ctx, "start", i, "")?,
                &string_param(ctx, "end", i, "")?,
                ctx.parameter("allDay", i)?.as_bool().unwrap_or(false),
                &fields,
            )
            .map_err(at)?;
            let name = opt_str(&fields, "fileName").unwrap_or("event.ics");
            binary::entry(text.as_bytes(), Some(name), Some("text/calendar"))
        } else {
            let o = options(ctx, "options", i)?;
            let source = string_param(ctx, "sourceProperty", i, "")?;
            let value = path::lodash_get(&item.json, &source).ok_or_else(|| {
                at(NodeError::new(format!(
                    "The value in \"{source}\" is not set"
                )))
            })?;
            let base64 = operation == "toBinary"
                && (version > 1.0 || opt_bool(&o, "dataIsBase64") != Some(false));
            let mut mime = opt_str(&o, "mimeType").map(str::to_owned);
            let bytes = if base64 {
                let text: String = js_string(value)
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                let text = text.trim_end_matches('=');
                base64::engine::general_purpose::STANDARD_NO_PAD
                    .decode(text)
                    .map_err(|e| {
                        at(NodeError::new(format!(
                            "The value in \"{source}\" is not base64: {e}"
                        )))
                    })?
            } else {
                check_encoding(&o).map_err(at)?;
                let text = match value {
                    Value::Object(_) | Value::Array(_) | Value::Null => {
                        mime = Some("application/json".into());
                        serde_json::to_string(value)
                            .map_err(|e| at(NodeError::new(e.to_string())))?
                    }
                    other => js_string(other),
                };
                with_bom(text, &o)
            };
            let (default_name, default_mime) = if operation == "toText" {
                (Some("file.txt"), Some("text/plain"))
            } else {
                (None, sniff(&bytes))
            };
            let name = opt_str(&o, "fileName").or(default_name);
            let mime = mime.or(default_mime.map(str::to_owned));
            binary::entry(&bytes, name, mime.as_deref())
        };
        out.push(paired(binary::item_with(&property, entry), i));
    }
    Ok(Some(vec![out]))
}

impl NodeType for ExtractFromFile {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.extractFromFile"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0, 1.1]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let operation = string_param(&ctx, "operation", 0, "csv")?;
            let mut out = Vec::new();
            let mut slots = path::Slots::default();
            for (i, item) in ctx.items().iter().enumerate() {
                let at = |e: NodeError| NodeError {
                    item_index: Some(i),
                    ..e
                };
                let property = string_param(&ctx, "binaryPropertyName", i, "data")?;
                let o = options(&ctx, "options", i)?;
                match operation.as_str() {
                    "csv" | "html" | "rtf" | "xlsx" | "xls" | "ods" => {
                        let bytes = binary::required(item, &property).map_err(at)?;
                        let version = ctx.node.type_version.as_f64().unwrap_or(1.0);
                        for row in extract_rows(&operation, bytes, &o, version).map_err(at)? {
                            out.push(paired(Item::new(row), i));
                        }
                    }
                    "text" | "xml" | "fromJson" | "fromIcs" | "binaryToPropery" => {
                        let Some(bytes) = binary::bytes(item, &property).map_err(at)? else {
                            continue;
                        };
                        let key = string_param(&ctx, "destinationKey", i, "data")?;
                        let value = move_to(&operation, bytes, &o).map_err(at)?;
                        out.push(paired(
                            keep_source(item, &property, &key, value, &o, &mut slots)?,
                            i,
                        ));
                    }
                    "pdf" => {
                        return Err(NodeError::new(
                            "Extracting text from PDF files is not supported",
                        ));
                    }
                    other => {
                        return Err(NodeError::new(format!(
                            "The operation \"{other}\" is not known"
                        )));
                    }
                }
            }
            Ok(Some(vec![out]))
        })
    }
}

fn extract_rows(
    format: &str,
    bytes: Vec<u8>,
    o: &Map<String, Value>,
    version: f64,
) -> Result<Vec<Map<String, Value>>, NodeError> {
    let header = opt_bool(o, "headerRow") != Some(false);
    let include_empty = opt_bool(o, "includeEmptyCells") == Some(true);
    let text = || String::from_utf8_lossy(&bytes).into_owned();
    let rows = match format {
        "csv" => {
            check_encoding(o)?;
            let max = o
                .get("maxRowCount")
                .and_then(Value::as_i64)
                .filter(|n| *n >= 0)
                .map(|n| n as usize);
            let csv = read::CsvOptions {
                delimiter: opt_str(o, "delimiter")
                    .and_then(|d| d.chars().next())
                    .unwrap_or(','),
                strip_bom: opt_bool(o, "enableBOM") == Some(true),
                relax_quotes: opt_bool(o, "relaxQuotes") == Some(true),
                from_line: o.get("fromLine").and_then(Value::as_u64).unwrap_or(0) as usize,
                max_rows: max,
                partial_on_error: version < 1.1,
                header,
            };
            let records = read::csv_records(&text(), &csv)?;
            return read::csv_rows(records, header, include_empty, max);
        }
        "html" => {
            let text = text();
            read::html_table(&text, opt_bool(o, "rawData") == Some(true))?
        }
        "rtf" => read::rtf_table(&text()),
        _ => read::workbook(bytes.clone(), opt_str(o, "sheetName"))?,
    };
    let skip = opt_str(o, "range")
        .and_then(|r| r.parse::<usize>().ok())
        .unwrap_or(0);
    read::sheet_rows(rows.into_iter().skip(skip).collect(), header, include_empty)
}

fn move_to(operation: &str, bytes: Vec<u8>, o: &Map<String, Value>) -> Result<Value, NodeError> {
    if operation == "binaryToPropery" {
        return Ok(Value::String(
            base64::engine::general_purpose::STANDARD.encode(&bytes),
        ));
    }
    check_encoding(o)?;
    let mut text =
        String::from_utf8(bytes).map_err(|_| NodeError::new("The file is not valid UTF-8 text"))?;
    if opt_bool(o, "stripBOM") != Some(false) && text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    match operation {
        "fromJson" if text.trim().is_empty() => Ok(Value::Object(Map::new())),
        "fromJson" => serde_json::from_str(&text).map_err(|_| {
            NodeError::new("The file selected in 'Input Binary Field' is not in JSON format")
        }),
        "fromIcs" => ical::parse(&text),
        _ => Ok(Value::String(text)),
    }
}

fn keep_source(
    item: &Item,
    property: &str,
    key: &str,
    value: Value,
    o: &Map<String, Value>,
    slots: &mut path::Slots,
) -> Result<Item, NodeError> {
    let keep = opt_str(o, "keepSource");
    let mut json = if matches!(keep, Some("json" | "both")) {
        item.json.clone()
    } else {
        Map::new()
    };
    path::set(&mut json, key, value, true, slots).map_err(|e| path::path_error(key, e))?;
    let binary = if matches!(keep, Some("binary" | "both")) {
        item.binary.clone()
    } else {
        item.binary.clone().map(|mut b| {
            b.remove(property);
            b
        })
    };
    Ok(Item {
        json,
        binary: binary.filter(|b| !b.is_empty()),
        ..Item::default()
    })
}
