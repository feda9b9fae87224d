//! `@modules/export-excel`: `spec.data` (rows) written to the sheet
//! `spec.sheet` (cut to 30 characters) of the workbook `spec.path`, as
//! pandas' `to_excel(index=False)` writes it: a header row of column names,
//! then one row per item; numbers as numbers, booleans as booleans, text as
//! text, other values as their Python text, missing values (and empty text)
//! as empty cells — or `spec.fill_na` in their place.
//!
//! `reset: true` makes a new workbook; otherwise the sheet is added to the
//! existing workbook (which must exist and must not hold a sheet of that
//! name). Adding a sheet rewrites the workbook: earlier sheets keep their
//! values, types and formulas, not their cell formatting. The workbook is
//! replaced whole, so a failure leaves the previous file as it was.
//!
//! Unlike upstream, text starting with `=` is written as text, not as a
//! formula, and a plain file path gets its directory made.

use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};
use rust_xlsxwriter::{Workbook, Worksheet};
use serde_json::{Map, Value};

use super::{frame_of, replace_file, target_path};
use crate::apply::frame::Frame;
use crate::apply::modules::{Ctx, Outcome, require};
use crate::output::pyrepr::py_repr;

/// Longest sheet name upstream keeps.
const SHEET_NAME_CHARS: usize = 30;

pub fn check(spec: &Map<String, Value>) -> Result<(), String> {
    require(spec, "path")?;
    require(spec, "sheet")?;
    require(spec, "data")?;
    target_path(spec)?;
    sheet_name(spec)?;
    Ok(())
}

fn sheet_name(spec: &Map<String, Value>) -> Result<String, String> {
    match spec.get("sheet") {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.chars().take(SHEET_NAME_CHARS).collect()),
        Some(other) => Err(format!(
            "Type error: sheet must be a sheet name (sheet = {other})"
        )),
        None => Err("Required key: sheet".into()),
    }
}

pub fn run(spec: &Map<String, Value>, ctx: &mut Ctx<'_>) -> Result<Outcome, String> {
    check(spec)?;
    let path = target_path(spec)?;
    let sheet = sheet_name(spec)?;
    let reset = spec
        .get("reset")
        .is_some_and(crate::output::pyrepr::py_truthy);
    let mut frame = frame_of(spec)?;
    if let Some(fill) = spec.get("fill_na").filter(|v| !v.is_null()) {
        frame.fill_missing(fill);
    }
    if ctx.dry_run {
        let how = if reset {
            "to a new workbook"
        } else {
            "added to the workbook"
        };
        ctx.show(&format!(
            "{}  DRY-RUN export {} rows to sheet '{sheet}' {how} {}\n",
            "  ".repeat(ctx.depth),
            frame.len,
            path.display()
        ))?;
        return Ok(Outcome::output(Value::Object(Map::new())));
    }
    let bytes = workbook_bytes(&path, &sheet, &frame, reset)?;
    replace_file(&path, &bytes)?;
    Ok(Outcome::output(Value::Object(Map::new())))
}

/// The new workbook: the earlier sheets (unless `reset`), then `sheet`.
pub fn workbook_bytes(
    path: &Path,
    sheet: &str,
    frame: &Frame,
    reset: bool,
) -> Result<Vec<u8>, String> {
    let shown = path.display();
    let mut book = Workbook::new();
    if !reset {
        if !path.exists() {
            return Err(format!(
                "the workbook {shown} does not exist: a sheet is added to an existing workbook; \
                 set reset: true to make a new one"
            ));
        }
        let mut old: Xlsx<_> =
            open_workbook(path).map_err(|e| format!("cannot read the workbook {shown}: {e}"))?;
        let names = old.sheet_names();
        if names.iter().any(|n| n.eq_ignore_ascii_case(sheet)) {
            return Err(format!(
                "Sheet '{sheet}' already exists in {shown}; use another sheet name, or reset: true to start a new workbook"
            ));
        }
        for name in names {
            let ws = book.add_worksheet();
            ws.set_name(&name)
                .map_err(|e| format!("sheet '{name}': {e}"))?;
            copy_sheet(&mut old, &name, ws)
                .map_err(|e| format!("cannot read sheet '{name}' of {shown}: {e}"))?;
        }
    }
    let ws = book.add_worksheet();
    ws.set_name(sheet)
        .map_err(|e| format!("the sheet name '{sheet}' is not allowed in a workbook: {e}"))?;
    write_frame(ws, frame).map_err(|e| format!("cannot write sheet '{sheet}': {e}"))?;
    book.save_to_buffer()
        .map_err(|e| format!("cannot write the workbook {shown}: {e}"))
}

/// Every value (and formula) of an existing sheet.
fn copy_sheet<R: std::io::Read + std::io::Seek>(
    old: &mut Xlsx<R>,
    name: &str,
    ws: &mut Worksheet,
) -> Result<(), String> {
    let range = old.worksheet_range(name).map_err(|e| e.to_string())?;
    let formulas = old.worksheet_formula(name).ok();
    if let Some((r0, c0)) = range.start() {
        for (r, c, v) in range.used_cells() {
            let (row, col) = (r0 + r as u32, (c0 + c as u32) as u16);
            let res = match v {
                Data::Int(i) => ws.write_number(row, col, *i as f64).map(|_| ()),
                Data::Float(f) => ws.write_number(row, col, *f).map(|_| ()),
                Data::String(s) => ws.write_string(row, col, s).map(|_| ()),
                Data::Bool(b) => ws.write_boolean(row, col, *b).map(|_| ()),
                Data::DateTime(d) => ws.write_number(row, col, d.as_f64()).map(|_| ()),
                Data::DateTimeIso(s) | Data::DurationIso(s) => {
                    ws.write_string(row, col, s).map(|_| ())
                }
                Data::Error(e) => ws.write_string(row, col, e.to_string()).map(|_| ()),
                Data::Empty => Ok(()),
            };
            res.map_err(|e| e.to_string())?;
        }
    }
    if let Some(formulas) = formulas
        && let Some((r0, c0)) = formulas.start()
    {
        for (r, c, f) in formulas.used_cells() {
            if !f.is_empty() {
                ws.write_formula(r0 + r as u32, (c0 + c as u32) as u16, f.as_str())
                    .map_err(|e| e.to_string())?;
            }
        }
    }
    Ok(())
}

/// The header row and the rows of a table.
fn write_frame(ws: &mut Worksheet, frame: &Frame) -> Result<(), String> {
    for (c, col) in frame.columns.iter().enumerate() {
        let c = u16::try_from(c).map_err(|_| "too many columns for a sheet".to_string())?;
        write_cell(ws, 0, c, &Value::String(col.name.clone()))?;
        for (r, cell) in col.cells.iter().enumerate() {
            let r = u32::try_from(r + 1).map_err(|_| "too many rows for a sheet".to_string())?;
            if let Some(v) = cell {
                write_cell(ws, r, c, v)?;
            }
        }
    }
    Ok(())
}

fn write_cell(ws: &mut Worksheet, r: u32, c: u16, v: &Value) -> Result<(), String> {
    let res = match v {
        Value::Null => return Ok(()),
        Value::String(s) if s.is_empty() => return Ok(()),
        Value::String(s) => ws.write_string(r, c, s),
        Value::Number(n) => ws.write_number(r, c, n.as_f64().unwrap_or(f64::NAN)),
        Value::Bool(b) => ws.write_boolean(r, c, *b),
        other => ws.write_string(r, c, py_repr(other)),
    };
    res.map(|_| ()).map_err(|e| e.to_string())
}
