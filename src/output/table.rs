//! tabulate 0.10 "presto" tables: column type inference (int / float /
//! string, bools as strings), `g` floats, decimal alignment, multi-line cells,
//! right-trimmed lines.
//!
//! One deliberate difference from tabulate: widths are terminal display widths
//! (East Asian wide characters count 2, combining marks 0), so CJK rows line
//! up. For ASCII data the output is byte-identical.

use super::pyrepr::{float_g, is_py_space, parse_py_float, parse_py_int, py_str, py_strip};
use serde_json::Value;
use unicode_width::UnicodeWidthChar;

/// Extra width every column gets beyond its header.
pub(super) const MIN_PADDING: usize = 2;

/// Column types in tabulate's order of generality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum ColType {
    None = 0,
    Bool = 1,
    Int = 2,
    Float = 3,
    Str = 5,
}

/// A presto table of `rows` under `headers` (tabulate's text, no trailing
/// newline). Missing and `null` cells are empty.
pub fn presto(headers: &[String], rows: &[Vec<Value>]) -> String {
    let ncols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut hdrs: Vec<String> = headers.to_vec();
    if !rows.is_empty() && !hdrs.is_empty() && hdrs.len() < rows[0].len() {
        let pad = rows[0].len() - hdrs.len();
        let mut padded = vec![String::new(); pad];
        padded.extend(hdrs);
        hdrs = padded;
    }
    let null = Value::Null;
    let columns: Vec<Vec<&Value>> = (0..ncols)
        .map(|j| rows.iter().map(|r| r.get(j).unwrap_or(&null)).collect())
        .collect();
    format_table(&hdrs, &columns, rows.len())
}

/// A presto table of row objects: headers are the union of the keys in order of
/// first appearance. A list of scalars gives a single `Values` column; a list
/// of lists gives columns named by index.
pub fn table_from_rows(rows: &[Value]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let null = Value::Null;
    let all_objects = rows.iter().all(Value::is_object);
    let all_arrays = rows.iter().all(Value::is_array);
    if rows[0].is_object() && all_objects {
        let mut keys: indexmap::IndexSet<&str> = indexmap::IndexSet::new();
        // Rows mostly repeat the keys of the row before, in the same order:
        // those add no header and are not hashed again.
        let mut before: Option<&serde_json::Map<String, Value>> = None;
        for row in rows {
            if let Value::Object(m) = row {
                if before.is_some_and(|b| b.len() == m.len() && b.keys().eq(m.keys())) {
                    continue;
                }
                for k in m.keys() {
                    keys.insert(k.as_str());
                }
                before = Some(m);
            }
        }
        let headers: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        // A row whose keys are the headers, in order, is read in order.
        let mut columns: Vec<Vec<&Value>> = (0..keys.len())
            .map(|_| Vec::with_capacity(rows.len()))
            .collect();
        for r in rows {
            match r {
                Value::Object(m) if m.len() == keys.len() && m.keys().eq(keys.iter().copied()) => {
                    for (column, v) in columns.iter_mut().zip(m.values()) {
                        column.push(v);
                    }
                }
                _ => {
                    for (column, k) in columns.iter_mut().zip(keys.iter()) {
                        column.push(r.get(*k).unwrap_or(&null));
                    }
                }
            }
        }
        format_table(&headers, &columns, rows.len())
    } else if rows[0].is_array() && all_arrays {
        let ncols = rows
            .iter()
            .map(|r| r.as_array().map_or(0, Vec::len))
            .max()
            .unwrap_or(0);
        let headers: Vec<String> = (0..ncols).map(|i| i.to_string()).collect();
        let columns: Vec<Vec<&Value>> = (0..ncols)
            .map(|j| rows.iter().map(|r| r.get(j).unwrap_or(&null)).collect())
            .collect();
        format_table(&headers, &columns, rows.len())
    } else {
        let headers = vec!["Values".to_string()];
        let columns = vec![rows.iter().collect::<Vec<&Value>>()];
        format_table(&headers, &columns, rows.len())
    }
}

// ---------------------------------------------------------------------------
// Text helpers.
// ---------------------------------------------------------------------------

/// Removes ANSI CSI sequences and reduces OSC 8 hyperlinks to their text.
pub fn strip_ansi(s: &str) -> String {
    if !s.contains('\u{1b}') {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\u{1b}' {
            if let Some(end) = csi_end(&chars, i) {
                i = end;
                continue;
            }
            if let Some((end, text)) = osc8(&chars, i) {
                out.push_str(&text);
                i = end;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// End index of `ESC [ [0x30-0x3f]* [0x20-0x2f]* [0x40-0x7e]` starting at `i`.
fn csi_end(c: &[char], i: usize) -> Option<usize> {
    if c.get(i + 1) != Some(&'[') {
        return None;
    }
    let mut j = i + 2;
    while c.get(j).is_some_and(|x| ('\u{30}'..='\u{3f}').contains(x)) {
        j += 1;
    }
    while c.get(j).is_some_and(|x| ('\u{20}'..='\u{2f}').contains(x)) {
        j += 1;
    }
    if c.get(j).is_some_and(|x| ('\u{40}'..='\u{7e}').contains(x)) {
        Some(j + 1)
    } else {
        None
    }
}

/// `ESC ] 8 ; params ; uri ESC \ text ESC ] 8 ; ; ESC \` → (end index, text).
fn osc8(c: &[char], i: usize) -> Option<(usize, String)> {
    let starts = |at: usize, pat: &str| {
        pat.chars()
            .enumerate()
            .all(|(k, p)| c.get(at + k) == Some(&p))
    };
    if !starts(i, "\u{1b}]8;") {
        return None;
    }
    let mut j = i + 4;
    while c.get(j).is_some_and(|x| *x != ';' && *x != '\u{1b}') {
        j += 1;
    }
    if c.get(j) != Some(&';') {
        return None;
    }
    j += 1;
    let uri_start = j;
    while c.get(j).is_some_and(|x| *x != '\u{1b}') {
        j += 1;
    }
    if j == uri_start || !starts(j, "\u{1b}\\") {
        return None;
    }
    j += 2;
    let text_start = j;
    while c.get(j).is_some_and(|x| *x != '\u{1b}') {
        j += 1;
    }
    if j == text_start || !starts(j, "\u{1b}]8;;\u{1b}\\") {
        return None;
    }
    let text: String = c[text_start..j].iter().collect();
    Some((j + 7, text))
}

/// Terminal display width of one line (control characters count 1, as in a
/// plain character count).
fn char_width(c: char) -> usize {
    if c.is_control() {
        1
    } else {
        UnicodeWidthChar::width(c).unwrap_or(1)
    }
}

/// Display width of text, ignoring ANSI escape sequences.
pub fn display_width(s: &str) -> usize {
    if s.contains('\u{1b}') {
        strip_ansi(s).chars().map(char_width).sum()
    } else if s.is_ascii() {
        s.len()
    } else {
        s.chars().map(char_width).sum()
    }
}

/// Width of possibly multi-line text: the widest line split on `\r` / `\n`.
fn multiline_width(s: &str) -> usize {
    s.split(['\r', '\n']).map(display_width).max().unwrap_or(0)
}

/// Python `str.splitlines()`.
pub fn py_splitlines(s: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut iter = s.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let is_sep = matches!(
            c,
            '\n' | '\r'
                | '\u{b}'
                | '\u{c}'
                | '\u{1c}'
                | '\u{1d}'
                | '\u{1e}'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if is_sep {
            lines.push(&s[start..i]);
            let mut next = i + c.len_utf8();
            if c == '\r' && iter.peek().is_some_and(|(_, n)| *n == '\n') {
                iter.next();
                next += 1;
            }
            start = next;
        }
    }
    if start < s.len() {
        lines.push(&s[start..]);
    }
    lines
}

/// `re.split(r"\r|\n|\r\n", s)`: every `\r` and `\n` separates.
fn split_header_lines(s: &str) -> Vec<&str> {
    s.split(['\r', '\n']).collect()
}

fn py_rstrip(s: &str) -> &str {
    s.trim_end_matches(is_py_space)
}

// ---------------------------------------------------------------------------
// Type inference and formatting.
// ---------------------------------------------------------------------------

/// `^(([+-]?[0-9]{1,3})(?:,([0-9]{3}))*)?(?(1)\.[0-9]*|\.[0-9]+)?$`
fn thousands_exact(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i = 1;
    }
    let run = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    let group1 = (1..=3).contains(&run);
    if group1 {
        i += run;
        while b.get(i) == Some(&b',')
            && b.len() >= i + 4
            && b[i + 1..i + 4].iter().all(u8::is_ascii_digit)
            && !b.get(i + 4).is_some_and(u8::is_ascii_digit)
        {
            i += 4;
        }
    } else {
        i = 0;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        let frac = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if !group1 && frac == 0 {
            return false;
        }
        i += frac;
    }
    i == b.len()
}

/// tabulate's `_isnumber_with_thousands_separator` (`$` also matches before a
/// final newline).
fn is_thousands_number(s: &str) -> bool {
    thousands_exact(s) || s.strip_suffix('\n').is_some_and(thousands_exact)
}

/// tabulate's `_isnumber` for strings.
fn is_number_str(s: &str) -> bool {
    match parse_py_float(s) {
        Some(f) if f.is_finite() => true,
        Some(_) => matches!(s.to_lowercase().as_str(), "inf" | "-inf" | "nan"),
        None => false,
    }
}

fn is_int_str(s: &str) -> bool {
    parse_py_int(s).is_some()
}

/// Cheap test: Python `int()` / `float()` and the thousands pattern can only
/// accept text whose first non-space character is a digit, a sign, a point,
/// or the start of `inf` / `nan`.
fn could_be_number(s: &str) -> bool {
    py_strip(s).bytes().next().is_some_and(|b| {
        b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'i' | b'I' | b'n' | b'N')
    })
}

/// tabulate's `_type` of one cell value.
fn cell_type(v: &Value, has_invisible: bool) -> ColType {
    match v {
        Value::Null => ColType::None,
        Value::Bool(_) => ColType::Bool,
        Value::Number(n) => {
            if n.is_f64() {
                ColType::Float
            } else {
                ColType::Int
            }
        }
        Value::String(raw) => {
            let stripped;
            let s: &str = if has_invisible {
                stripped = strip_ansi(raw);
                &stripped
            } else {
                raw
            };
            if s.is_empty() {
                ColType::None
            } else if !could_be_number(s) && !s.ends_with('\n') {
                if s == "True" || s == "False" {
                    ColType::Bool
                } else {
                    ColType::Str
                }
            } else if s == "True" || s == "False" {
                ColType::Bool
            } else if is_int_str(s) || (is_thousands_number(s) && !s.contains('.')) {
                ColType::Int
            } else if is_number_str(s) || is_thousands_number(s) {
                ColType::Float
            } else {
                ColType::Str
            }
        }
        Value::Array(_) | Value::Object(_) => ColType::Str,
    }
}

/// tabulate's `_format` of one cell for its column type.
fn format_cell(v: &Value, ty: ColType, has_invisible: bool) -> String {
    match v {
        Value::Null => return String::new(),
        Value::String(s) if s.is_empty() => return String::new(),
        _ => {}
    }
    match ty {
        ColType::Float => match v {
            Value::Number(n) => float_g(n.as_f64().unwrap_or(f64::NAN)),
            Value::Bool(b) => float_g(if *b { 1.0 } else { 0.0 }),
            Value::String(s) => {
                if has_invisible {
                    let raw = strip_ansi(s);
                    match parse_py_float(&raw) {
                        Some(f) => s.replace(&raw, &float_g(f)),
                        None => s.clone(),
                    }
                } else {
                    let cleaned = s.replace(',', "");
                    match parse_py_float(&cleaned) {
                        Some(f) => float_g(f),
                        None => s.clone(),
                    }
                }
            }
            other => py_str(other),
        },
        _ => py_str(v),
    }
}

/// tabulate's `_afterpoint`: characters after the decimal point (or after
/// the exponent mark when there is no point); -1 for integers and text.
fn afterpoint(s: &str) -> isize {
    if !(is_number_str(s) || is_thousands_number(s)) || is_int_str(s) {
        return -1;
    }
    let pos = s.rfind('.').or_else(|| s.rfind(['e', 'E']));
    match pos {
        Some(p) => s[p + 1..].chars().count() as isize,
        None => -1,
    }
}

// ---------------------------------------------------------------------------
// Layout.
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Decimal,
}

/// One laid-out column: its alignment, width and formatted cells with their
/// display widths.
struct LaidOut {
    align: Align,
    width: usize,
    cells: Vec<String>,
    cell_widths: Vec<usize>,
}

fn lay_out_column(
    col: &[&Value],
    header: Option<&String>,
    no_headers: bool,
    has_invisible: bool,
    is_multiline: bool,
) -> LaidOut {
    let width_of = |s: &str| {
        if is_multiline {
            multiline_width(s)
        } else {
            display_width(s)
        }
    };
    let ty = col
        .iter()
        .map(|v| cell_type(v, has_invisible))
        .fold(ColType::Bool, Ord::max);
    let align = if matches!(ty, ColType::Int | ColType::Float) {
        Align::Decimal
    } else {
        Align::Left
    };
    let mut cells: Vec<String> = col
        .iter()
        .map(|v| format_cell(v, ty, has_invisible))
        .collect();
    match align {
        Align::Left => {
            for c in cells.iter_mut() {
                let t = py_strip(c);
                if t.len() != c.len() {
                    *c = t.to_string();
                }
            }
        }
        Align::Decimal => {
            let decimals: Vec<isize> = cells
                .iter()
                .map(|c| {
                    if has_invisible {
                        afterpoint(&strip_ansi(c))
                    } else {
                        afterpoint(c)
                    }
                })
                .collect();
            let maxdec = decimals.iter().copied().max().unwrap_or(-1);
            for (c, d) in cells.iter_mut().zip(decimals) {
                for _ in d..maxdec {
                    c.push(' ');
                }
            }
        }
    }
    let min_width = match header {
        Some(h) => width_of(h) + MIN_PADDING,
        None if no_headers => 0,
        None => MIN_PADDING,
    };
    let cell_widths: Vec<usize> = cells.iter().map(|c| width_of(c)).collect();
    let width = cell_widths
        .iter()
        .copied()
        .max()
        .unwrap_or(0)
        .max(min_width);
    LaidOut {
        align,
        width,
        cells,
        cell_widths,
    }
}

/// Pads one line of text to `width` for the alignment.
fn pad_to(out: &mut String, text: &str, text_width: usize, width: usize, align: Align) {
    let fill = width.saturating_sub(text_width);
    if align == Align::Decimal {
        out.extend(std::iter::repeat_n(' ', fill));
        out.push_str(text);
    } else {
        out.push_str(text);
        out.extend(std::iter::repeat_n(' ', fill));
    }
}

/// Drops trailing whitespace of the line that starts at `line_start`.
fn rstrip_line(out: &mut String, line_start: usize) {
    let kept = py_rstrip(&out[line_start..]).len();
    out.truncate(line_start + kept);
}

fn format_table(headers: &[String], columns: &[Vec<&Value>], nrows: usize) -> String {
    let has_invisible = headers.iter().any(|h| h.contains('\u{1b}'))
        || columns
            .iter()
            .flatten()
            .any(|v| matches!(v, Value::String(s) if s.contains('\u{1b}')));
    let is_multiline = headers.iter().any(|h| h.contains(['\r', '\n']))
        || columns
            .iter()
            .flatten()
            .any(|v| matches!(v, Value::String(s) if s.contains(['\r', '\n'])));

    let mut cols: Vec<LaidOut> = columns
        .iter()
        .enumerate()
        .map(|(j, col)| {
            lay_out_column(
                col,
                headers.get(j),
                headers.is_empty(),
                has_invisible,
                is_multiline,
            )
        })
        .collect();
    // Header-only table: every header column is left-aligned text.
    if columns.is_empty() {
        for h in headers {
            let w = if is_multiline {
                multiline_width(h)
            } else {
                display_width(h)
            };
            cols.push(LaidOut {
                align: Align::Left,
                width: w + MIN_PADDING,
                cells: Vec::new(),
                cell_widths: Vec::new(),
            });
        }
    }

    if is_multiline {
        return format_multiline(headers, &cols, nrows);
    }

    let line_len: usize = cols.iter().map(|c| c.width + 3).sum();
    let mut out = String::with_capacity(line_len * (nrows + 2));
    let ncols = cols.len();
    if !headers.is_empty() {
        let start = out.len();
        for (j, (h, c)) in headers.iter().zip(&cols).enumerate() {
            if j > 0 {
                out.push('|');
            }
            out.push(' ');
            pad_to(&mut out, h, display_width(h), c.width, c.align);
            out.push(' ');
        }
        rstrip_line(&mut out, start);
        out.push('\n');
        for (j, c) in cols.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            out.extend(std::iter::repeat_n('-', c.width + 2));
        }
        out.push('\n');
    }
    for i in 0..nrows {
        let start = out.len();
        for (j, c) in cols.iter().enumerate().take(ncols) {
            if j > 0 {
                out.push('|');
            }
            out.push(' ');
            let text = c.cells.get(i).map_or("", String::as_str);
            let w = c.cell_widths.get(i).copied().unwrap_or(0);
            pad_to(&mut out, text, w, c.width, c.align);
            out.push(' ');
        }
        rstrip_line(&mut out, start);
        out.push('\n');
    }
    if out.ends_with('\n') {
        out.pop();
    }
    out
}

/// Layout when some cell or header spans several lines: each cell is padded
/// line by line, and a row becomes as many physical lines as its tallest cell
/// (shorter cells are blank below).
fn format_multiline(headers: &[String], cols: &[LaidOut], nrows: usize) -> String {
    let pad_lines = |lines: Vec<&str>, c: &LaidOut| -> Vec<String> {
        lines
            .into_iter()
            .map(|l| {
                let mut s = String::new();
                pad_to(&mut s, l, display_width(l), c.width, c.align);
                s
            })
            .collect()
    };
    let mut lines: Vec<String> = Vec::with_capacity(nrows + 2);
    if !headers.is_empty() {
        let header_cells: Vec<Vec<String>> = headers
            .iter()
            .zip(cols)
            .map(|(h, c)| pad_lines(split_header_lines(h), c))
            .collect();
        push_row(&mut lines, &header_cells, cols);
        let sep: Vec<String> = cols.iter().map(|c| "-".repeat(c.width + 2)).collect();
        lines.push(sep.join("+"));
    }
    for i in 0..nrows {
        let row: Vec<Vec<String>> = cols
            .iter()
            .map(|c| pad_lines(py_splitlines(c.cells.get(i).map_or("", String::as_str)), c))
            .collect();
        push_row(&mut lines, &row, cols);
    }
    lines.join("\n")
}

/// Appends the physical lines of one row: ` cell ` joined by `|`,
/// right-trimmed; missing lines of shorter cells are blank.
fn push_row(lines: &mut Vec<String>, cells: &[Vec<String>], cols: &[LaidOut]) {
    let nlines = cells.iter().map(Vec::len).max().unwrap_or(0);
    for k in 0..nlines {
        let mut line = String::new();
        for (j, cell) in cells.iter().enumerate() {
            if j > 0 {
                line.push('|');
            }
            line.push(' ');
            match cell.get(k) {
                Some(text) => line.push_str(text),
                None => line.extend(std::iter::repeat_n(' ', cols.get(j).map_or(0, |c| c.width))),
            }
            line.push(' ');
        }
        rstrip_line(&mut line, 0);
        lines.push(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rows(v: Value) -> Vec<Value> {
        v.as_array().cloned().unwrap_or_default()
    }

    // Expected texts are tabulate 0.10 `tabulate(rows, headers="keys", tablefmt="presto")`
    // output unless a test says otherwise.

    #[test]
    fn endpoint_show_table() {
        let headers = vec!["Service".to_string(), "Endpoint".to_string()];
        let data = vec![vec![json!("plugin"), json!("grpc://localhost:50051")]];
        assert_eq!(
            presto(&headers, &data),
            " Service   | Endpoint\n-----------+------------------------\n plugin    | grpc://localhost:50051"
        );
    }

    #[test]
    fn api_resources_table() {
        let headers: Vec<String> = ["Service", "Resource", "Short Names", "Verb"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let data: Vec<Vec<Value>> = [
            ["plugin", "Health", "", "Check, Watch"],
            ["plugin", "ServerInfo", "", "get_version"],
            ["plugin", "Collector", "", "init, verify, collect"],
            ["plugin", "Job", "", "get_tasks"],
        ]
        .iter()
        .map(|r| r.iter().map(|c| json!(c)).collect())
        .collect();
        assert_eq!(
            presto(&headers, &data),
            " Service   | Resource   | Short Names   | Verb\n-----------+------------+---------------+-----------------------\n plugin    | Health     |               | Check, Watch\n plugin    | ServerInfo |               | get_version\n plugin    | Collector  |               | init, verify, collect\n plugin    | Job        |               | get_tasks"
        );
    }

    #[test]
    fn decimal_alignment_and_types() {
        let data = rows(json!([
            {"s": "abc", "numstr": "007", "f": 1.0, "i": 3, "b": true, "n": null, "mix": 1.5, "lst": [1, "a"], "d": {"k": "v"}, "neg": -2.25, "big": 123456789.0, "ts": "2024-01-01T00:00:00Z"},
            {"s": "de", "numstr": "10", "f": 2.5, "i": 10, "b": false, "n": null, "mix": "x", "lst": [], "d": {}, "neg": 3.0, "big": 0.1, "ts": "x"}
        ]));
        assert_eq!(
            table_from_rows(&data),
            " s   |   numstr |   f |   i | b     | n   | mix   | lst      | d          |   neg |         big | ts\n-----+----------+-----+-----+-------+-----+-------+----------+------------+-------+-------------+----------------------\n abc |      007 | 1   |   3 | True  |     | 1.5   | [1, 'a'] | {'k': 'v'} | -2.25 | 1.23457e+08 | 2024-01-01T00:00:00Z\n de  |       10 | 2.5 |  10 | False |     | x     | []       | {}         |  3    | 0.1         | x"
        );
    }

    #[test]
    fn multiline_cells_and_numeric_strings() {
        let data = rows(json!([
            {"a": "1.50", "b": "x\ny", "c": "1e16", "d": "0.0001"},
            {"a": "2.5", "b": "z", "c": "5", "d": "3"}
        ]));
        assert_eq!(
            table_from_rows(&data),
            "   a | b   |     c |      d\n-----+-----+-------+--------\n 1.5 | x   | 1e+16 | 0.0001\n     | y   |       |\n 2.5 | z   | 5     | 3"
        );
    }

    #[test]
    fn multiline_row_of_empty_cells_disappears() {
        let data = rows(json!([{"x": "", "y": "a\nb"}, {"x": "", "y": ""}, {"x": "q", "y": "r"}]));
        assert_eq!(
            table_from_rows(&data),
            " x   | y\n-----+-----\n     | a\n     | b\n q   | r"
        );
    }

    #[test]
    fn observed_provider_columns_ascii() {
        let data = rows(json!([
            {"provider": "aws", "name": "AWS", "order": 1, "Int": 1.0, "options.big": 1234567890123.0, "tags.env": "prod", "is_managed": true},
            {"provider": "google_cloud", "name": "Google Cloud", "order": 2, "Int": 10.0, "options.big": null, "tags.env": null, "is_managed": null},
            {"provider": "azure", "name": "Microsoft Azure", "order": 3, "Int": null, "options.big": null, "tags.env": "dev", "is_managed": null}
        ]));
        assert_eq!(
            table_from_rows(&data),
            " provider     | name            |   order |   Int |   options.big | tags.env   | is_managed\n--------------+-----------------+---------+-------+---------------+------------+--------------\n aws          | AWS             |       1 |     1 |   1.23457e+12 | prod       | True\n google_cloud | Google Cloud    |       2 |    10 |               |            |\n azure        | Microsoft Azure |       3 |       |               | dev        |"
        );
    }

    /// Deliberate difference from tabulate: wide characters count 2 columns.
    #[test]
    fn wide_characters_align_by_display_width() {
        let data =
            rows(json!([{"name": "Microsoft Azure — 한글", "n": 1}, {"name": "AWS", "n": 22}]));
        assert_eq!(
            table_from_rows(&data),
            " name                   |   n\n------------------------+-----\n Microsoft Azure — 한글 |   1\n AWS                    |  22"
        );
    }

    #[test]
    fn text_is_stripped_and_thousands_are_numbers() {
        let data = rows(json!([
            {"a": "  padded  ", "b": " 12 ", "c": "1,000", "d": "inf"},
            {"a": "x", "b": "3", "c": "2", "d": 1.5}
        ]));
        assert_eq!(
            table_from_rows(&data),
            " a      |    b |     c |     d\n--------+------+-------+-------\n padded |  12  | 1,000 | inf\n x      |    3 |     2 |   1.5"
        );
    }

    #[test]
    fn ansi_colours_do_not_count_towards_width() {
        let data = rows(
            json!([{"a": "\u{1b}[31mred\u{1b}[0m", "b": "\u{1b}[32m42\u{1b}[0m"}, {"a": "plain", "b": "7"}]),
        );
        assert_eq!(
            table_from_rows(&data),
            " a     |   b\n-------+-----\n \u{1b}[31mred\u{1b}[0m   |  \u{1b}[32m42\u{1b}[0m\n plain |   7"
        );
    }

    #[test]
    fn scalars_become_values_column() {
        assert_eq!(
            table_from_rows(&rows(json!(["a", "b", 1]))),
            " Values\n----------\n a\n b\n 1"
        );
    }

    #[test]
    fn header_union_in_first_appearance_order() {
        let data = rows(json!([{"b": "x"}, {"a": "y", "b": "z"}]));
        assert_eq!(
            table_from_rows(&data),
            " b   | a\n-----+-----\n x   |\n z   | y"
        );
    }

    #[test]
    fn header_only_and_empty() {
        let headers = vec!["a".to_string(), "bb".to_string()];
        assert_eq!(presto(&headers, &[]), " a   | bb\n-----+------");
        assert_eq!(table_from_rows(&[]), "");
    }

    #[test]
    fn helpers() {
        assert_eq!(
            py_splitlines("a\r\nb\rc\nd\u{b}e\u{2028}f\n"),
            vec!["a", "b", "c", "d", "e", "f"]
        );
        assert_eq!(py_splitlines(""), Vec::<&str>::new());
        assert_eq!(
            strip_ansi("\u{1b}]8;;https://example.com\u{1b}\\link\u{1b}]8;;\u{1b}\\ x"),
            "link x"
        );
        assert_eq!(display_width("한글ab"), 6);
        assert!(thousands_exact("1,000.5"));
        assert!(thousands_exact(".5"));
        assert!(!thousands_exact("1000"));
        assert!(!thousands_exact("1,0000"));
        assert!(!thousands_exact("+.5"));
        assert_eq!(afterpoint("1.23457e+12"), 9);
        assert_eq!(afterpoint("1e+16"), 3);
        assert_eq!(afterpoint("5"), -1);
        assert_eq!(afterpoint("x"), -1);
    }

    /// 10,000 rows × 8 columns must render quickly (the bound is generous for
    /// unoptimised test builds).
    #[test]
    fn large_table_is_fast() {
        let data: Vec<Value> = (0..10_000)
            .map(|i| {
                json!({
                    "id": format!("server-{i:06}"), "name": format!("name {i}"), "n": i,
                    "f": i as f64 / 7.0, "flag": i % 2 == 0, "s": "text", "opt": null,
                    "nested": {"k": i}
                })
            })
            .collect();
        let start = std::time::Instant::now();
        let out = table_from_rows(&data);
        let took = start.elapsed();
        assert_eq!(out.lines().count(), 10_002);
        assert!(took.as_millis() < 2_000, "took {took:?}");
    }
}
