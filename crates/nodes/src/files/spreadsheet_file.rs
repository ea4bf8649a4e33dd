//! `n8n-nodes-base.spreadsheetFile` v1, v2 (legacy Spreadsheet File): `toFile` writes every
//! item as a row of one sheet (xls by default, named `spreadsheet.<format>`); `fromFile` reads
//! each item's file into rows: v1 reads every format as SheetJS does (CSV cells typed), v2
//! detects CSV by its type and reads it as Extract from File 1 does (text cells).

use serde_json::{Map, Value};
use weft_engine::run::{Item, NodeContext, NodeError, NodeFuture, NodeType};

use super::{Output, binary, extract_rows, opt_bool, opt_str, options, read, spreadsheet};
use crate::util::{paired, string_param};

pub struct SpreadsheetFile;

/// The format of an item's file when the node leaves it to detection.
fn detect(entry: Option<&Value>, v2: bool) -> &'static str {
    let field = |k: &str| {
        entry
            .and_then(|e| e.get(k))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    let (mime, ext) = (field("mimeType"), field("fileExtension"));
    if mime == "text/csv" || (ext == "csv" && (!v2 || mime == "text/plain")) {
        return "csv";
    }
    match ext.as_str() {
        "html" | "htm" => "html",
        "rtf" => "rtf",
        "csv" => "csv",
        _ => "workbook",
    }
}

fn from_file(ctx: &NodeContext<'_>, v2: bool) -> Output {
    let mut out = Vec::new();
    for (i, item) in ctx.items().iter().enumerate() {
        let property = string_param(ctx, "binaryPropertyName", i, "data")?;
        let o = options(ctx, "options", i)?;
        match rows_of(ctx, item, &property, &o, i, v2) {
            Ok(rows) => out.extend(rows.into_iter().map(|row| paired(Item::new(row), i))),
            Err(e) if ctx.node.on_error() != weft_engine::OnError::StopWorkflow => {
                out.push(paired(
                    Item::from_value(serde_json::json!({"error": e.message})),
                    i,
                ));
            }
            Err(e) => return Err(e.at_item(i)),
        }
    }
    Ok(Some(vec![out]))
}

fn rows_of(
    ctx: &NodeContext<'_>,
    item: &Item,
    property: &str,
    o: &Map<String, Value>,
    i: usize,
    v2: bool,
) -> Result<Vec<Map<String, Value>>, NodeError> {
    let bytes = binary::required(item, property)?;
    let entry = item.binary.as_ref().and_then(|b| b.get(property));
    let chosen = if v2 {
        string_param(ctx, "fileFormat", i, "autodetect")?
    } else {
        "autodetect".to_owned()
    };
    let rows = read_rows(bytes, entry, &chosen, o, v2);
    // As n8n 2: a failure on a file whose extension is not the format asked for (even
    // "autodetect") is reported as a file of the wrong format.
    let extension = entry
        .and_then(|e| e.get("fileExtension"))
        .and_then(Value::as_str)
        .filter(|e| !e.is_empty());
    let asked = if chosen == "autodetect" && detect(entry, true) == "csv" {
        "csv"
    } else {
        chosen.as_str()
    };
    match (rows, extension) {
        (Err(_), Some(ext)) if v2 && ext != asked => Err(NodeError::new(format!(
            "The file selected in 'Input Binary Field' is not in {asked} format"
        ))
        .with_description(format!(
            "Try to change the operation or select a {asked} file in 'Input Binary Field'"
        ))),
        (rows, _) => rows,
    }
}

fn read_rows(
    bytes: Vec<u8>,
    entry: Option<&Value>,
    chosen: &str,
    o: &Map<String, Value>,
    v2: bool,
) -> Result<Vec<Map<String, Value>>, NodeError> {
    let format = match chosen {
        "autodetect" => detect(entry, v2),
        "xlsx" | "xls" | "ods" => "workbook",
        "csv" => "csv",
        "html" => "html",
        "rtf" => "rtf",
        other => {
            return Err(NodeError::new(format!(
                "The file format \"{other}\" is not known"
            )));
        }
    };
    if let Some(sheet) = opt_str(o, "sheetName")
        && format == "workbook"
        && read::workbook(bytes.clone(), Some(sheet)).is_err()
    {
        return Err(NodeError::new(format!(
            "Spreadsheet does not contain sheet called \"{sheet}\"!"
        )));
    }
    match format {
        // v2 reads CSV with csv-parse (every cell text), as Extract from File 1 does.
        "csv" if v2 => extract_rows("csv", bytes, o, 1.0),
        "csv" => {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let table = read::csv_table(&text, opt_bool(o, "rawData") == Some(true))?;
            read::sheet_rows(
                table,
                opt_bool(o, "headerRow") != Some(false),
                opt_bool(o, "includeEmptyCells") == Some(true),
            )
        }
        "workbook" => extract_rows("xlsx", bytes, o, 1.0),
        other => extract_rows(other, bytes, o, 1.0),
    }
}

impl NodeType for SpreadsheetFile {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.spreadsheetFile"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0, 2.0]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let v2 = ctx.node.type_version.as_f64().unwrap_or(1.0) >= 2.0;
            match string_param(&ctx, "operation", 0, "fromFile")?.as_str() {
                "fromFile" => from_file(&ctx, v2),
                "toFile" => {
                    let format = string_param(&ctx, "fileFormat", 0, "xls")?;
                    match format.as_str() {
                        "csv" | "html" | "rtf" | "ods" | "xlsx" | "xls" => {
                            spreadsheet(&ctx, &format, "spreadsheet")
                        }
                        other => Err(NodeError::new(format!(
                            "The file format \"{other}\" is not known"
                        ))),
                    }
                }
                other => Err(NodeError::new(format!(
                    "The operation \"{other}\" is not supported!"
                ))),
            }
        })
    }
}
