//! Spreadsheet files to rows: CSV as csv-parse reads it for n8n (strings, BOM kept unless asked),
//! HTML and RTF tables as SheetJS reads them, xlsx/xls/ods through calamine.

use calamine::Reader;
use serde_json::{Map, Value, json};
use weft_engine::run::NodeError;

use super::sheet::Cell;

/// CSV reading options (`extractFromFile` csv).
pub struct CsvOptions {
    pub delimiter: char,
    pub strip_bom: bool,
    pub relax_quotes: bool,
    pub from_line: usize,
    pub max_rows: Option<usize>,
    /// Extract from File v1 (on in-memory data): a parse error ends the file quietly, keeping
    /// the rows read before it, as n8n's v1 did; from 1.1 the error fails the item.
    pub partial_on_error: bool,
    /// The first record names the columns (errors name a field by it, as csv-parse does).
    pub header: bool,
}

/// Splits CSV text into records of fields (RFC 4180 quoting, `\r\n` or `\n` rows).
pub fn csv_records(text: &str, o: &CsvOptions) -> Result<Vec<Vec<String>>, NodeError> {
    let text = if o.strip_bom {
        text.strip_prefix('\u{feff}').unwrap_or(text)
    } else {
        text
    };
    let mut records = Vec::new();
    let mut field = String::new();
    let mut record: Vec<String> = Vec::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    let mut line = 1usize;
    let mut error = None;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                c => {
                    if c == '\n' {
                        line += 1;
                    }
                    field.push(c);
                }
            }
            continue;
        }
        match c {
            '"' if at_start => {
                quoted = true;
                at_start = false;
            }
            '"' if !o.relax_quotes => {
                let at = record.len();
                let field_name = match records.first().and_then(|h: &Vec<String>| h.get(at)) {
                    Some(name) if o.header && !records.is_empty() => format!("{name:?}"),
                    _ => at.to_string(),
                };
                error = Some(NodeError::new(format!(
                    "Invalid Opening Quote: a quote is found on field {field_name} at line \
                     {line}, value is {field:?}"
                )));
                break;
            }
            c if c == o.delimiter => {
                record.push(std::mem::take(&mut field));
                at_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                at_start = true;
                line += 1;
            }
            c => {
                field.push(c);
                at_start = false;
            }
        }
    }
    if quoted && error.is_none() {
        error = Some(NodeError::new(format!(
            "Quote Not Closed: the parsing is finished with an opening quote at line {line}"
        )));
    }
    match error {
        Some(e) if !o.partial_on_error => return Err(e),
        Some(_) => {}
        None if !field.is_empty() || !record.is_empty() => {
            record.push(field);
            records.push(record);
        }
        None => {}
    }
    // Blank lines are skipped; `fromLine` is 1-based.
    let mut records: Vec<Vec<String>> = records
        .into_iter()
        .skip(o.from_line.saturating_sub(1))
        .filter(|r| !(r.len() == 1 && r[0].is_empty()))
        .collect();
    if let Some(max) = o.max_rows {
        records.truncate(max + 1);
    }
    Ok(records)
}

/// Rows as items' JSON: with a header row, objects keyed by it (empty cells left out unless
/// `include_empty`); without, `{row: …}`.
pub fn csv_rows(
    records: Vec<Vec<String>>,
    header: bool,
    include_empty: bool,
    max_rows: Option<usize>,
) -> Result<Vec<Map<String, Value>>, NodeError> {
    let mut out = Vec::new();
    if !header {
        for r in records.into_iter().take(max_rows.unwrap_or(usize::MAX)) {
            let row = if include_empty {
                Value::Array(r.into_iter().map(Value::String).collect())
            } else {
                Value::Object(
                    r.into_iter()
                        .enumerate()
                        .filter(|(_, v)| !v.is_empty())
                        .map(|(i, v)| (i.to_string(), Value::String(v)))
                        .collect(),
                )
            };
            let mut m = Map::new();
            m.insert("row".into(), row);
            out.push(m);
        }
        return Ok(out);
    }
    let mut iter = records.into_iter();
    let Some(keys) = iter.next() else {
        return Ok(out);
    };
    for (n, r) in iter.take(max_rows.unwrap_or(usize::MAX)).enumerate() {
        if r.len() != keys.len() {
            return Err(NodeError::new(format!(
                "Invalid Record Length: columns length is {}, got {} on line {}",
                keys.len(),
                r.len(),
                n + 2
            )));
        }
        out.push(
            keys.iter()
                .cloned()
                .zip(r)
                .filter(|(_, v)| include_empty || !v.is_empty())
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
        );
    }
    Ok(out)
}

/// SheetJS's guess at a cell's type from its text.
fn guess(text: &str) -> Cell {
    let t = text.trim();
    if t.eq_ignore_ascii_case("true") {
        return Cell::Bool(true);
    }
    if t.eq_ignore_ascii_case("false") {
        return Cell::Bool(false);
    }
    match t.parse::<f64>() {
        Ok(n) if !t.is_empty() && n.is_finite() => Cell::Num(n),
        _ => Cell::Str(text.to_owned()),
    }
}

/// The first `<table>` of an HTML document, typed by `data-t` (or guessed) from the shown text.
pub fn html_table(text: &str, raw: bool) -> Result<Vec<Vec<Option<Cell>>>, NodeError> {
    let doc = crate::html::nesting::parse(text)?;
    let table = scraper::Selector::parse("table").expect("valid selector");
    let tr = scraper::Selector::parse("tr").expect("valid selector");
    let cells = scraper::Selector::parse("td, th").expect("valid selector");
    let Some(table) = doc.select(&table).next() else {
        return Ok(Vec::new());
    };
    Ok(table
        .select(&tr)
        .map(|row| {
            row.select(&cells)
                .map(|cell| {
                    let shown: String = cell.text().collect::<String>().trim().to_owned();
                    if raw {
                        return (!shown.is_empty()).then_some(Cell::Str(shown));
                    }
                    match cell.value().attr("data-t") {
                        Some("z") => None,
                        Some("s") => Some(Cell::Str(shown)),
                        Some("b") => Some(Cell::Bool(shown.eq_ignore_ascii_case("true"))),
                        Some("n") => Some(guess(&shown)),
                        _ if shown.is_empty() => None,
                        _ => Some(guess(&shown)),
                    }
                })
                .collect()
        })
        .collect())
}

/// A CSV file as SheetJS reads it (the legacy Spreadsheet File node): cells typed by guessing
/// unless `raw`, empty cells left empty.
pub fn csv_table(text: &str, raw: bool) -> Result<Vec<Vec<Option<Cell>>>, NodeError> {
    let options = CsvOptions {
        delimiter: ',',
        strip_bom: true,
        relax_quotes: true,
        from_line: 0,
        max_rows: None,
        partial_on_error: true,
        header: false,
    };
    Ok(csv_records(text, &options)?
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|cell| match cell {
                    c if c.is_empty() => None,
                    c if raw => Some(Cell::Str(c)),
                    // SheetJS reads only upper-case TRUE and FALSE in CSV as booleans.
                    c if c == "TRUE" => Some(Cell::Bool(true)),
                    c if c == "FALSE" => Some(Cell::Bool(false)),
                    c if c.eq_ignore_ascii_case("true") || c.eq_ignore_ascii_case("false") => {
                        Some(Cell::Str(c))
                    }
                    c => Some(guess(&c)),
                })
                .collect()
        })
        .collect())
}

/// The table of an RTF document written as `\trowd … \cell … \row`, cells typed by guessing.
pub fn rtf_table(text: &str) -> Vec<Vec<Option<Cell>>> {
    let mut rows = Vec::new();
    for chunk in text.split("\\row") {
        let Some(start) = chunk.find("\\intbl") else {
            continue;
        };
        let cells: Vec<&str> = chunk[start + "\\intbl".len()..].split("\\cell").collect();
        let cells = &cells[..cells.len().saturating_sub(1)];
        if cells.is_empty() {
            continue;
        }
        rows.push(
            cells
                .iter()
                .map(|c| {
                    let plain = strip_rtf(c);
                    (!plain.is_empty()).then(|| guess(&plain))
                })
                .collect(),
        );
    }
    rows
}

/// Text without RTF control words; `\par` becomes a newline.
fn strip_rtf(raw: &str) -> String {
    let mut out = String::new();
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let mut word = String::new();
                while let Some(n) = chars
                    .peek()
                    .copied()
                    .filter(|n| n.is_ascii_alphanumeric() || *n == '-')
                {
                    word.push(n);
                    chars.next();
                }
                if word.is_empty() {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                } else {
                    if chars.peek() == Some(&' ') {
                        chars.next();
                    }
                    if word == "par" {
                        out.push('\n');
                    }
                }
            }
            '{' | '}' => {}
            c => out.push(c),
        }
    }
    out.strip_prefix(' ').unwrap_or(&out).to_owned()
}

/// Refuses an xlsx or xlsb sheet whose cells span more than [`super::sheet::MAX_CELLS`]
/// before the whole rectangle is allocated (one cell at A1 and one at XFD1048576 would ask for
/// seventeen billion). The cells are read once to find their bounds; xls is bounded by its
/// format (65,536 by 256).
fn check_extent<RS: std::io::Read + std::io::Seek>(
    book: &mut calamine::Sheets<RS>,
    name: &str,
) -> Result<(), NodeError> {
    fn bounds(mut next: impl FnMut() -> Option<(u32, u32)>) -> Result<(), NodeError> {
        let (mut lo, mut hi) = ((u32::MAX, u32::MAX), (0u32, 0u32));
        let mut any = false;
        while let Some((r, c)) = next() {
            any = true;
            lo = (lo.0.min(r), lo.1.min(c));
            hi = (hi.0.max(r), hi.1.max(c));
        }
        if any {
            let rows = (hi.0 - lo.0) as usize + 1;
            let columns = (hi.1 - lo.1) as usize + 1;
            super::sheet::check_cells(rows, columns)?;
        }
        Ok(())
    }
    match book {
        calamine::Sheets::Xlsx(x) => {
            let Ok(mut cells) = x.worksheet_cells_reader(name) else {
                return Ok(());
            };
            bounds(|| cells.next_cell().ok().flatten().map(|c| c.get_position()))
        }
        calamine::Sheets::Xlsb(x) => {
            let Ok(mut cells) = x.worksheet_cells_reader(name) else {
                return Ok(());
            };
            bounds(|| cells.next_cell().ok().flatten().map(|c| c.get_position()))
        }
        _ => Ok(()),
    }
}

/// The rows of a workbook's sheet (the first when `sheet` is `None`).
pub fn workbook(bytes: Vec<u8>, sheet: Option<&str>) -> Result<Vec<Vec<Option<Cell>>>, NodeError> {
    let fail = |e: &dyn std::fmt::Display| {
        NodeError::new(format!("The file is not a readable spreadsheet: {e}"))
    };
    let mut book =
        calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(|e| fail(&e))?;
    let name = match sheet {
        Some(s) => s.to_owned(),
        None => book
            .sheet_names()
            .first()
            .cloned()
            .ok_or_else(|| NodeError::new("The workbook has no sheets"))?,
    };
    check_extent(&mut book, &name)?;
    let range = book
        .worksheet_range(&name)
        .map_err(|_| NodeError::new(format!("Sheet '{name}' not found")))?;
    Ok(range
        .rows()
        .map(|row| {
            row.iter()
                .map(|d| match d {
                    calamine::Data::Empty => None,
                    calamine::Data::String(s) => Some(Cell::Str(s.clone())),
                    calamine::Data::Float(f) => Some(Cell::Num(*f)),
                    calamine::Data::Int(i) => Some(Cell::Num(*i as f64)),
                    calamine::Data::Bool(b) => Some(Cell::Bool(*b)),
                    other => Some(Cell::Str(other.to_string())),
                })
                .collect()
        })
        .collect())
}

fn cell_value(cell: &Cell) -> Value {
    match cell {
        Cell::Str(s) => Value::String(s.clone()),
        Cell::Num(n) if *n == n.trunc() && n.abs() < 9.0e15 => json!(*n as i64),
        Cell::Num(n) => json!(n),
        Cell::Bool(b) => Value::Bool(*b),
        Cell::Null => Value::Null,
    }
}

/// SheetJS's `sheet_to_json`: header row keys, or `{row: [...]}` without one.
pub fn sheet_rows(
    rows: Vec<Vec<Option<Cell>>>,
    header: bool,
    include_empty: bool,
) -> Result<Vec<Map<String, Value>>, NodeError> {
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    // Short rows are padded to the widest one.
    super::sheet::check_cells(rows.len(), width)?;
    let mut iter = rows.into_iter();
    if !header {
        return Ok(iter
            .map(|r| {
                let mut m = Map::new();
                let cells: Vec<Value> = (0..width)
                    .map(|i| {
                        r.get(i)
                            .and_then(Option::as_ref)
                            .map_or(Value::String(String::new()), cell_value)
                    })
                    .collect();
                m.insert("row".into(), Value::Array(cells));
                m
            })
            .collect());
    }
    let keys: Vec<String> = iter
        .next()
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, c)| {
            c.as_ref()
                .map(|c| super::sheet::text(Some(c)))
                .unwrap_or_else(|| format!("__EMPTY_{i}"))
        })
        .collect();
    Ok(iter
        .filter_map(|r| {
            let mut m = Map::new();
            for (i, key) in keys.iter().enumerate() {
                match r.get(i).and_then(Option::as_ref) {
                    Some(c) => {
                        m.insert(key.clone(), cell_value(c));
                    }
                    None if include_empty => {
                        m.insert(key.clone(), Value::String(String::new()));
                    }
                    None => {}
                }
            }
            (!m.is_empty() || include_empty).then_some(m)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheets_larger_than_the_cell_budget_are_refused_before_they_are_built() {
        let mut wide = vec![vec![Some(Cell::Num(1.0)); 2_000]];
        wide.extend((0..2_000).map(|_| vec![Some(Cell::Num(1.0))]));
        assert!(sheet_rows(wide, false, false).is_err());

        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        ws.write_number(0, 0, 1.0).unwrap();
        ws.write_number(1_048_575, 16_383, 2.0).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let err = workbook(bytes, None).unwrap_err();
        assert!(err.message.contains("cells allowed"), "{}", err.message);

        let key = "k".repeat(1 << 20);
        let item = json!({ key: vec![0; 100] });
        assert!(super::super::binary::flatten(item.as_object().unwrap()).is_err());
    }

    #[test]
    fn v1_keeps_the_rows_before_a_parse_error_and_later_versions_fail() {
        let text = "a,b\n1,2\n3,x\"y\n5,6\n";
        assert!(csv_records(text, &opts()).is_err());
        let partial = CsvOptions {
            partial_on_error: true,
            ..opts()
        };
        let records = csv_records(text, &partial).unwrap();
        assert_eq!(records, vec![vec!["a", "b"], vec!["1", "2"]]);
    }

    fn opts() -> CsvOptions {
        CsvOptions {
            delimiter: ',',
            strip_bom: false,
            relax_quotes: false,
            from_line: 1,
            max_rows: None,
            partial_on_error: false,
            header: true,
        }
    }

    #[test]
    fn csv_fields_unquote_and_the_bom_stays_unless_stripped() {
        let r = csv_records("\u{feff}a,b\n\"x,y\",\"q\"\"\"\r\n", &opts()).unwrap();
        assert_eq!(r, vec![vec!["\u{feff}a", "b"], vec!["x,y", "q\""]]);
        let rows = csv_rows(r, true, false, None).unwrap();
        assert_eq!(rows[0]["\u{feff}a"], "x,y");
    }

    #[test]
    fn a_ragged_csv_row_is_an_error() {
        let r = csv_records("a,b\n1\n", &opts()).unwrap();
        assert!(csv_rows(r, true, false, None).is_err());
        assert!(csv_records("a\n\"open", &opts()).is_err());
    }

    #[test]
    fn rtf_and_html_tables_read_back_typed() {
        let rtf = "{\\rtf1\\ansi\\trowd\\cellx1\\cellx2\\pard\\intbl a\\cell b\\cell\\pard\\intbl\\row\\trowd\\cellx1\\cellx2\\pard\\intbl 2\\cell x\\cell\\pard\\intbl\\row}";
        let rows = sheet_rows(rtf_table(rtf), true, false).unwrap();
        assert_eq!(Value::Object(rows[0].clone()), json!({"a": 2, "b": "x"}));
        let html =
            "<table><tr><td data-t=\"s\">k</td></tr><tr><td data-t=\"n\">2.5</td></tr></table>";
        let rows = sheet_rows(html_table(html, false).unwrap(), true, false).unwrap();
        assert_eq!(Value::Object(rows[0].clone()), json!({"k": 2.5}));
    }
}
