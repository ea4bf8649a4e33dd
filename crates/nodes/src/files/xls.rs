//! Excel 97–2003 (`.xls`, BIFF8) workbooks with one sheet: the records Excel needs to open a
//! file (fonts, cell formats, window, bound sheet) and one record per cell, in an OLE compound file.

use std::io::Write;

use weft_engine::run::NodeError;

use super::sheet::{Cell, Grid};

const MAX_ROWS: usize = 65_536;
const MAX_COLS: usize = 256;
/// The longest string one record holds without CONTINUE records.
const MAX_TEXT_UNITS: usize = 4_000;
/// The cell format every cell uses (the first after the 15 style formats).
const CELL_XF: u16 = 15;

fn record(out: &mut Vec<u8>, kind: u16, data: &[u8]) {
    out.extend_from_slice(&kind.to_le_bytes());
    out.extend_from_slice(&(data.len() as u16).to_le_bytes());
    out.extend_from_slice(data);
}

fn bof(kind: u16) -> Vec<u8> {
    let mut d = Vec::with_capacity(16);
    d.extend_from_slice(&0x0600u16.to_le_bytes());
    d.extend_from_slice(&kind.to_le_bytes());
    d.extend_from_slice(&0x0DBBu16.to_le_bytes());
    d.extend_from_slice(&0x07CCu16.to_le_bytes());
    d.extend_from_slice(&0u32.to_le_bytes());
    d.extend_from_slice(&6u32.to_le_bytes());
    d
}

fn utf16(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn globals(sheet_name: &str, sheet_offset: u32) -> Vec<u8> {
    let mut out = Vec::new();
    record(&mut out, 0x0809, &bof(0x0005));
    record(&mut out, 0x0042, &1200u16.to_le_bytes());
    let window1: [u16; 9] = [0, 0, 0x4000, 0x2000, 0x0038, 0, 0, 1, 0x0258];
    let w: Vec<u8> = window1.iter().flat_map(|v| v.to_le_bytes()).collect();
    record(&mut out, 0x003D, &w);
    for _ in 0..4 {
        let mut font = Vec::new();
        for v in [200u16, 0, 0x7FFF, 400, 0] {
            font.extend_from_slice(&v.to_le_bytes());
        }
        font.extend_from_slice(&[0, 0, 0, 0]);
        font.extend_from_slice(&[5, 0]);
        font.extend_from_slice(b"Arial");
        record(&mut out, 0x0031, &font);
    }
    let style_xf: [u8; 20] = [
        0, 0, 0, 0, 0xF5, 0xFF, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xC0, 0x20,
    ];
    for _ in 0..15 {
        record(&mut out, 0x00E0, &style_xf);
    }
    let cell_xf: [u8; 20] = [
        0, 0, 0, 0, 0x01, 0x00, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xC0, 0x20,
    ];
    record(&mut out, 0x00E0, &cell_xf);
    record(&mut out, 0x0293, &[0x00, 0x80, 0x00, 0xFF]);
    let mut sheet = Vec::new();
    sheet.extend_from_slice(&sheet_offset.to_le_bytes());
    sheet.extend_from_slice(&[0, 0]);
    let name: Vec<u16> = sheet_name.encode_utf16().take(31).collect();
    sheet.push(name.len() as u8);
    sheet.push(1);
    sheet.extend(name.iter().flat_map(|u| u.to_le_bytes()));
    record(&mut out, 0x0085, &sheet);
    record(&mut out, 0x000A, &[]);
    out
}

fn cell_head(row: usize, col: usize) -> Vec<u8> {
    let mut d = Vec::with_capacity(16);
    d.extend_from_slice(&(row as u16).to_le_bytes());
    d.extend_from_slice(&(col as u16).to_le_bytes());
    d.extend_from_slice(&CELL_XF.to_le_bytes());
    d
}

fn worksheet(grid: &Grid) -> Result<Vec<u8>, NodeError> {
    // BIFF8's limits: rows and columns beyond them would silently overwrite earlier cells.
    if grid.rows.len() > 65_536 || grid.width > 256 {
        return Err(NodeError::new(format!(
            "An xls sheet holds at most 65,536 rows and 256 columns; this one has {} rows and {} columns",
            grid.rows.len(),
            grid.width
        )));
    }
    let mut out = Vec::new();
    record(&mut out, 0x0809, &bof(0x0010));
    let mut dims = Vec::new();
    dims.extend_from_slice(&0u32.to_le_bytes());
    dims.extend_from_slice(&(grid.rows.len() as u32).to_le_bytes());
    dims.extend_from_slice(&0u16.to_le_bytes());
    dims.extend_from_slice(&(grid.width as u16).to_le_bytes());
    dims.extend_from_slice(&0u16.to_le_bytes());
    record(&mut out, 0x0200, &dims);
    let window2: [u16; 9] = [0x06B6, 0, 0, 0x40, 0, 0, 0, 0, 0];
    let w: Vec<u8> = window2.iter().flat_map(|v| v.to_le_bytes()).collect();
    record(&mut out, 0x023E, &w);
    for (r, row) in grid.rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let mut d = cell_head(r, c);
            match cell {
                Some(Cell::Num(n)) => {
                    d.extend_from_slice(&n.to_le_bytes());
                    record(&mut out, 0x0203, &d);
                }
                Some(Cell::Str(s)) => {
                    let units = s.encode_utf16().count();
                    if units > MAX_TEXT_UNITS {
                        return Err(NodeError::new(format!(
                            "A cell holds {units} characters; .xls cells written here hold at most {MAX_TEXT_UNITS} (use xlsx)"
                        )));
                    }
                    d.extend_from_slice(&(units as u16).to_le_bytes());
                    d.push(1);
                    d.extend_from_slice(&utf16(s));
                    record(&mut out, 0x0204, &d);
                }
                Some(Cell::Bool(b)) => {
                    d.extend_from_slice(&[u8::from(*b), 0]);
                    record(&mut out, 0x0205, &d);
                }
                Some(Cell::Null) | None => {}
            }
        }
    }
    record(&mut out, 0x000A, &[]);
    Ok(out)
}

/// The `.xls` file of a grid.
pub fn write(grid: &Grid, sheet_name: &str) -> Result<Vec<u8>, NodeError> {
    if grid.rows.len() > MAX_ROWS || grid.width > MAX_COLS {
        return Err(NodeError::new(format!(
            "An .xls sheet holds at most {MAX_ROWS} rows and {MAX_COLS} columns (use xlsx)"
        )));
    }
    let head_len = globals(sheet_name, 0).len();
    let mut stream = globals(sheet_name, head_len as u32);
    stream.extend(worksheet(grid)?);
    // Streams under 4 KiB would live in the compound file's mini stream, which some readers mishandle.
    if stream.len() < 4096 {
        stream.resize(4096, 0);
    }
    let fail = |e: std::io::Error| NodeError::new(format!("Could not write the .xls file: {e}"));
    let mut file =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, std::io::Cursor::new(Vec::new()))
            .map_err(fail)?;
    {
        let mut s = file.create_stream("/Workbook").map_err(fail)?;
        s.write_all(&stream).map_err(fail)?;
    }
    file.flush().map_err(fail)?;
    Ok(file.into_inner().into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_xls_file_reads_back_through_calamine() {
        let grid = Grid {
            rows: vec![
                vec![
                    Some(Cell::Str("name".into())),
                    Some(Cell::Str("n".into())),
                    Some(Cell::Str("ok".into())),
                ],
                vec![
                    Some(Cell::Str("Zoë".into())),
                    Some(Cell::Num(2.5)),
                    Some(Cell::Bool(true)),
                ],
            ],
            width: 3,
        };
        let bytes = write(&grid, "Sheet").unwrap();
        let rows = super::super::read::workbook(bytes, None).unwrap();
        assert_eq!(rows[1][0], Some(Cell::Str("Zoë".into())));
        assert_eq!(rows[1][1], Some(Cell::Num(2.5)));
        assert_eq!(rows[1][2], Some(Cell::Bool(true)));
    }
}
