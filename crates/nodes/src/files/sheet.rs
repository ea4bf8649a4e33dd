//! Items to spreadsheet files as SheetJS writes them for n8n: CSV (with a BOM), HTML table,
//! RTF table, xlsx and ods.

use std::io::Write;

use serde_json::{Map, Value};
use weft_engine::run::NodeError;

use super::binary::flatten;

/// One cell of the grid; `None` in a row is a missing cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
}

/// Rows of cells, the first being the header row unless it was left out.
pub struct Grid {
    pub rows: Vec<Vec<Option<Cell>>>,
    pub width: usize,
}

/// Cells a sheet read or written by a node may have (rows times columns), so a small file or
/// a few items cannot ask for a grid of billions.
pub const MAX_CELLS: usize = 2_000_000;

/// Refuses a grid of `rows` by `columns` larger than [`MAX_CELLS`].
pub fn check_cells(rows: usize, columns: usize) -> Result<(), NodeError> {
    if rows.saturating_mul(columns) > MAX_CELLS {
        return Err(NodeError::new(format!(
            "A sheet of {rows} rows and {columns} columns is larger than the {MAX_CELLS} cells allowed"
        )));
    }
    Ok(())
}

/// SheetJS's `json_to_sheet` over flattened items: columns in first-seen key order.
pub fn grid(items: &[&Map<String, Value>], header: bool) -> Result<Grid, NodeError> {
    let flat: Vec<Map<String, Value>> =
        items.iter().map(|j| flatten(j)).collect::<Result<_, _>>()?;
    let mut keys: Vec<String> = Vec::new();
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for row in &flat {
        for k in row.keys() {
            if seen.insert(k.as_str()) {
                keys.push(k.clone());
            }
        }
    }
    check_cells(flat.len() + usize::from(header), keys.len())?;
    let mut rows = Vec::with_capacity(flat.len() + 1);
    if header {
        rows.push(keys.iter().map(|k| Some(Cell::Str(k.clone()))).collect());
    }
    for row in &flat {
        rows.push(
            keys.iter()
                .map(|k| {
                    row.get(k).map(|v| match v {
                        Value::String(s) => Cell::Str(s.clone()),
                        Value::Number(n) => Cell::Num(n.as_f64().unwrap_or(0.0)),
                        Value::Bool(b) => Cell::Bool(*b),
                        _ => Cell::Null,
                    })
                })
                .collect(),
        );
    }
    Ok(Grid {
        width: keys.len().max(1),
        rows,
    })
}

/// JavaScript's `toPrecision(p)`.
fn to_precision(v: f64, p: usize) -> String {
    let exp_form = format!("{:.*e}", p.saturating_sub(1), v);
    let (mantissa, exp) = exp_form.split_once('e').unwrap_or((&exp_form, "0"));
    let e: i32 = exp.parse().unwrap_or(0);
    if e < -6 || e >= p as i32 {
        let sign = if e < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{}", e.abs())
    } else {
        format!("{:.*}", (p as i32 - 1 - e).max(0) as usize, v)
    }
}

fn strip_decimal(o: &str) -> String {
    if !o.contains('.') {
        return o.to_owned();
    }
    let t = o.trim_end_matches('0');
    t.strip_suffix('.').unwrap_or(t).to_owned()
}

fn normalise_exp(o: &str) -> String {
    let Some((mantissa, exp)) = o.split_once('E') else {
        return o.to_owned();
    };
    let mantissa = strip_decimal(mantissa);
    let (sign, digits) = exp.split_at(1.min(exp.len()));
    let digits = if digits.len() == 1 {
        format!("0{digits}")
    } else {
        digits.to_owned()
    };
    format!("{mantissa}E{sign}{digits}")
}

/// A number as SheetJS's "General" format shows it.
pub fn general(v: f64) -> String {
    if v == v.trunc() && v.abs() < 2_147_483_648.0 {
        return format!("{}", v as i64);
    }
    if !v.is_finite() {
        return if v.is_nan() {
            "#NUM!".into()
        } else {
            "#DIV/0!".into()
        };
    }
    let width = if v < 0.0 { 12 } else { 11 };
    let e = v.abs().log10().floor() as i32;
    let o = if (-4..=-1).contains(&e) {
        to_precision(v, (10 + e) as usize)
    } else if e.abs() <= 9 {
        let fixed = strip_decimal(&format!("{v:.12}"));
        if fixed.len() <= width {
            fixed
        } else {
            let p = to_precision(v, 10);
            if p.len() <= width {
                p
            } else {
                let s = format!("{v:.5e}");
                let (m, x) = s.split_once('e').unwrap_or((&s, "0"));
                let x: i32 = x.parse().unwrap_or(0);
                format!("{m}e{}{}", if x < 0 { '-' } else { '+' }, x.abs())
            }
        }
    } else if e == 10 {
        format!("{v:.10}").chars().take(12).collect()
    } else {
        let fixed = strip_decimal(&format!("{v:.11}"));
        if fixed.len() > width || fixed == "0" || fixed == "-0" {
            to_precision(v, 6)
        } else {
            fixed
        }
    };
    strip_decimal_unless_exp(&normalise_exp(&o.to_uppercase()))
}

fn strip_decimal_unless_exp(o: &str) -> String {
    if o.contains('E') {
        o.to_owned()
    } else {
        strip_decimal(o)
    }
}

/// A cell's shown text (`w`).
pub fn text(cell: Option<&Cell>) -> String {
    match cell {
        Some(Cell::Str(s)) => s.clone(),
        Some(Cell::Num(n)) => general(*n),
        Some(Cell::Bool(b)) => if *b { "TRUE" } else { "FALSE" }.into(),
        Some(Cell::Null) | None => String::new(),
    }
}

/// `sheet_to_csv` with a UTF-8 BOM, rows joined by `\n`.
pub fn csv(grid: &Grid, delimiter: &str) -> Vec<u8> {
    let first = delimiter.chars().next().unwrap_or(',');
    let lines: Vec<String> = grid
        .rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            (0..grid.width)
                .map(|c| {
                    let t = text(row.get(c).and_then(Option::as_ref));
                    if t.contains(first)
                        || t.contains('\n')
                        || t.contains('"')
                        || (r == 0 && c == 0 && t == "ID")
                    {
                        format!("\"{}\"", t.replace('"', "\"\""))
                    } else {
                        t
                    }
                })
                .collect::<Vec<_>>()
                .join(delimiter)
        })
        .collect();
    format!("\u{feff}{}", lines.join("\n")).into_bytes()
}

/// The A1-style column name of a zero-based index.
fn column(mut c: usize) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' => out.push_str("&apos;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("<br/>"),
            c if (c as u32) < 0x20 => out.push_str(&format!("&#x{:04x};", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// `sheet_to_html`: one table, each cell with its type and value.
pub fn html(grid: &Grid) -> Vec<u8> {
    let mut out = String::from(
        "<html><head><meta charset=\"utf-8\"/><title>SheetJS Table Export</title></head><body><table>",
    );
    for (r, row) in grid.rows.iter().enumerate() {
        out.push_str("<tr>");
        for c in 0..grid.width {
            let id = format!("sjs-{}{}", column(c), r + 1);
            let cell = row.get(c).and_then(Option::as_ref);
            let (t, v) = match cell {
                None => {
                    out.push_str(&format!("<td id=\"{id}\"></td>"));
                    continue;
                }
                Some(Cell::Str(s)) => ("s", Some(s.clone())),
                Some(Cell::Num(n)) => ("n", Some(crate::util::js_string(&serde_json::json!(n)))),
                Some(Cell::Bool(b)) => ("b", Some(b.to_string())),
                Some(Cell::Null) => ("z", None),
            };
            let shown = escape_html(&text(cell));
            out.push_str(&format!("<td data-t=\"{t}\""));
            if let Some(v) = v {
                out.push_str(&format!(" data-v=\"{}\"", escape_html(&v)));
            }
            out.push_str(&format!(" id=\"{id}\""));
            if shown.starts_with(char::is_whitespace) || shown.ends_with(char::is_whitespace) {
                out.push_str(" xml:space=\"preserve\"");
            }
            out.push_str(&format!(">{shown}</td>"));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table></body></html>");
    out.into_bytes()
}

/// `sheet_to_rtf`: a table of plain cells.
pub fn rtf(grid: &Grid) -> Vec<u8> {
    let mut out = String::from("{\\rtf1\\ansi");
    for row in &grid.rows {
        out.push_str("\\trowd\\trautofit1");
        for c in 1..=grid.width {
            out.push_str(&format!("\\cellx{c}"));
        }
        out.push_str("\\pard\\intbl");
        for c in 0..grid.width {
            let t = text(row.get(c).and_then(Option::as_ref));
            out.push_str(&format!(" {}\\cell", t.replace(['\r', '\n'], "\\par ")));
        }
        out.push_str("\\pard\\intbl\\row");
    }
    out.push('}');
    out.into_bytes()
}

fn sheet_error(e: impl std::fmt::Display) -> NodeError {
    NodeError::new(format!("Could not write the spreadsheet: {e}"))
}

/// An Office Open XML workbook with one sheet.
pub fn xlsx(grid: &Grid, sheet: &str) -> Result<Vec<u8>, NodeError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet).map_err(sheet_error)?;
    if grid.rows.len() > 1_048_576 || grid.width > 16_384 {
        return Err(NodeError::new(format!(
            "An xlsx sheet holds at most 1,048,576 rows and 16,384 columns; this one has {} rows and {} columns",
            grid.rows.len(),
            grid.width
        )));
    }
    for (r, row) in grid.rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (Ok(r), Ok(c)) = (u32::try_from(r), u16::try_from(c)) else {
                continue;
            };
            match cell {
                Some(Cell::Str(s)) => ws.write_string(r, c, s).map(|_| ()),
                Some(Cell::Num(n)) => ws.write_number(r, c, *n).map(|_| ()),
                Some(Cell::Bool(b)) => ws.write_boolean(r, c, *b).map(|_| ()),
                _ => Ok(()),
            }
            .map_err(sheet_error)?;
        }
    }
    book.save_to_buffer().map_err(sheet_error)
}

fn escape_xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An OpenDocument spreadsheet with one sheet.
pub fn ods(grid: &Grid, sheet: &str, compress: bool) -> Result<Vec<u8>, NodeError> {
    let mut body = String::new();
    for row in &grid.rows {
        body.push_str("<table:table-row>");
        for c in 0..grid.width {
            match row.get(c).and_then(Option::as_ref) {
                Some(Cell::Str(s)) => body.push_str(&format!(
                    "<table:table-cell office:value-type=\"string\"><text:p>{}</text:p></table:table-cell>",
                    escape_xml(s)
                )),
                Some(Cell::Num(n)) => body.push_str(&format!(
                    "<table:table-cell office:value-type=\"float\" office:value=\"{}\"><text:p>{}</text:p></table:table-cell>",
                    crate::util::js_string(&serde_json::json!(n)),
                    general(*n)
                )),
                Some(Cell::Bool(b)) => body.push_str(&format!(
                    "<table:table-cell office:value-type=\"boolean\" office:boolean-value=\"{b}\"><text:p>{}</text:p></table:table-cell>",
                    if *b { "TRUE" } else { "FALSE" }
                )),
                _ => body.push_str("<table:table-cell/>"),
            }
        }
        body.push_str("</table:table-row>");
    }
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\"><office:body><office:spreadsheet><table:table table:name=\"{}\">{body}</table:table></office:spreadsheet></office:body></office:document-content>",
        escape_xml(sheet)
    );
    let manifest = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\"><manifest:file-entry manifest:full-path=\"/\" manifest:version=\"1.2\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/><manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/></manifest:manifest>";
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let packed = if compress {
        stored.compression_method(zip::CompressionMethod::Deflated)
    } else {
        stored
    };
    let files: [(&str, &[u8], zip::write::SimpleFileOptions); 3] = [
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
            stored,
        ),
        ("META-INF/manifest.xml", manifest.as_bytes(), packed),
        ("content.xml", content.as_bytes(), packed),
    ];
    for (name, data, options) in files {
        zip.start_file(name, options).map_err(sheet_error)?;
        zip.write_all(data).map_err(sheet_error)?;
    }
    Ok(zip.finish().map_err(sheet_error)?.into_inner())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn general_format_matches_sheetjs() {
        assert_eq!(general(2.0), "2");
        assert_eq!(general(0.1 + 0.2), "0.3");
        assert_eq!(general(-5.5), "-5.5");
        assert_eq!(general(1.234_567_891_234), "1.234567891");
        assert_eq!(general(1234567890123.0), "1.23457E+12");
        assert_eq!(general(0.000001234), "0.000001234");
    }

    #[test]
    fn csv_has_a_bom_and_quotes_only_when_needed() {
        let a = json!({"a": "x,y", "b": "he said \"hi\"", "d": true, "f": null});
        let g = grid(&[a.as_object().unwrap()], true).unwrap();
        let text = String::from_utf8(csv(&g, ",")).unwrap();
        assert_eq!(
            text,
            "\u{feff}a,b,d,f\n\"x,y\",\"he said \"\"hi\"\"\",TRUE,"
        );
    }

    #[test]
    fn columns_name_like_a_spreadsheet() {
        assert_eq!(column(0), "A");
        assert_eq!(column(25), "Z");
        assert_eq!(column(26), "AA");
    }
}
