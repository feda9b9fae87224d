//! Tables of rows typed the way pandas types them, for the `join`, `csv` and
//! export modules: the rows a manifest hands over (or a CSV file holds) become
//! columns of one kind each, and come back out as rows with the values that
//! kind gives them.
//!
//! The rules reproduced (each measured against pandas 3.1 and covered by a test
//! below):
//!
//! * **Rows to columns** (`DataFrame(list_of_dicts)`): columns in the order their
//!   names first appear; a key a row lacks, or `null`, is missing. A column of
//!   whole numbers without a missing cell stays whole; numbers with a missing
//!   cell, or mixed whole and fractional numbers, become floats (`1` → `1.0`).
//!   Booleans stay booleans; text stays text; anything else keeps its values.
//! * **Missing cells appear** (a join row without a partner): whole-number
//!   columns become floats; every other column keeps its values.
//! * **CSV text** (`read_csv`): the first record names the columns (an empty
//!   name becomes `Unnamed: <i>`, a repeated one `<name>.<n>`); blank lines are
//!   skipped; the pandas missing-value words (`""`, `NA`, `null`, `NaN`, `None`,
//!   `N/A`, `#N/A`, …) are missing; a column whose other cells all read as
//!   whole numbers (blanks around them allowed) is whole, or float when one is
//!   missing; all numbers (`1.5`, `1e3`, `.5`, `inf`) → floats; all `true`/`false`
//!   in any case → booleans; anything else → text kept as written. A first data
//!   row with one field more than the header makes the first field an index,
//!   which is dropped; a later longer row is an error.
//!
//! Missing cells come out as `null` (pandas' `NaN`, which JSON cannot carry).

use std::cmp::Ordering;

use serde_json::{Map, Number, Value};

/// The kind of a column (pandas' dtype, folded to what JSON can tell apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// int64/uint64: whole numbers, nothing missing.
    Int,
    /// float64: numbers; missing cells are NaN.
    Float,
    /// bool: nothing missing.
    Bool,
    /// str: text; missing cells are NaN.
    Str,
    /// object: values as given.
    Object,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
    /// `None` is a missing cell.
    pub cells: Vec<Option<Value>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Frame {
    pub columns: Vec<Column>,
    pub len: usize,
}

impl Column {
    /// A column typed from its cells, as pandas types a column of Python values.
    pub fn infer(name: String, cells: Vec<Option<Value>>) -> Column {
        let present: Vec<&Value> = cells.iter().flatten().collect();
        let missing = present.len() < cells.len();
        let kind = if present.is_empty() {
            Kind::Object
        } else if present.iter().all(|v| v.is_number()) {
            if !missing && present.iter().all(|v| v.is_i64() || v.is_u64()) {
                Kind::Int
            } else {
                Kind::Float
            }
        } else if present.iter().all(|v| v.is_boolean()) {
            if missing { Kind::Object } else { Kind::Bool }
        } else if present.iter().all(|v| v.is_string()) {
            Kind::Str
        } else {
            Kind::Object
        };
        let mut col = Column { name, kind, cells };
        if kind == Kind::Float {
            col.cells = col.cells.into_iter().map(|c| c.map(to_float)).collect();
        }
        col
    }

    /// The column after missing cells were added to it.
    fn with_missing(mut self) -> Column {
        if self.cells.iter().any(Option::is_none) {
            match self.kind {
                Kind::Int => {
                    self.kind = Kind::Float;
                    self.cells = self.cells.into_iter().map(|c| c.map(to_float)).collect();
                }
                Kind::Bool => self.kind = Kind::Object,
                _ => {}
            }
        }
        self
    }
}

/// A number as a float value (`1` → `1.0`); others unchanged.
fn to_float(v: Value) -> Value {
    match v.as_f64() {
        Some(f) if v.is_number() => float_value(f),
        _ => v,
    }
}

/// A float as JSON; NaN and infinities, which JSON cannot carry, become `null`.
pub fn float_value(f: f64) -> Value {
    Number::from_f64(f)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

impl Frame {
    /// `DataFrame(rows)` for a list of mappings. `what` names the input in errors.
    pub fn from_records(rows: &[Value], what: &str) -> Result<Frame, String> {
        let mut names: Vec<String> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, row) in rows.iter().enumerate() {
            let Value::Object(m) = row else {
                return Err(format!(
                    "{what} must be a list of mappings (item {i} is {})",
                    crate::apply::text::compact(row)
                ));
            };
            for k in m.keys() {
                if seen.insert(k.clone()) {
                    names.push(k.clone());
                }
            }
        }
        let columns = names
            .into_iter()
            .map(|name| {
                let cells = rows
                    .iter()
                    .map(|r| r.get(&name).filter(|v| !v.is_null()).cloned())
                    .collect();
                Column::infer(name, cells)
            })
            .collect();
        Ok(Frame {
            columns,
            len: rows.len(),
        })
    }

    pub fn names(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }

    fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// `to_dict('records')`: one mapping per row, columns in order.
    pub fn records(&self) -> Vec<Value> {
        (0..self.len)
            .map(|i| {
                let mut m = Map::new();
                for c in &self.columns {
                    m.insert(c.name.clone(), c.cells[i].clone().unwrap_or(Value::Null));
                }
                Value::Object(m)
            })
            .collect()
    }

    /// `fillna(value)`: every missing cell takes `value`; a column's kind is
    /// typed again from its new cells.
    pub fn fill_missing(&mut self, value: &Value) {
        for c in &mut self.columns {
            if c.cells.iter().any(Option::is_none) {
                let cells = std::mem::take(&mut c.cells)
                    .into_iter()
                    .map(|x| x.or_else(|| Some(value.clone())))
                    .collect();
                let mut typed = Column::infer(std::mem::take(&mut c.name), cells);
                // floats stay floats after filling (pandas keeps the dtype)
                if c.kind == Kind::Float && typed.kind == Kind::Int {
                    typed.kind = Kind::Float;
                    typed.cells = typed.cells.into_iter().map(|x| x.map(to_float)).collect();
                }
                *c = typed;
            }
        }
    }
}

/// How rows are joined (pandas' `how`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    Left,
    Right,
    Inner,
    Outer,
    LeftAnti,
    RightAnti,
}

impl How {
    pub fn parse(s: &str) -> Result<How, String> {
        Ok(match s {
            "left" => How::Left,
            "right" => How::Right,
            "inner" => How::Inner,
            "outer" => How::Outer,
            "left_anti" => How::LeftAnti,
            "right_anti" => How::RightAnti,
            "cross" => {
                return Err(
                    "how = cross joins every row with every row and takes no join_keys; \
                     use left, right, inner or outer"
                        .into(),
                );
            }
            other => {
                return Err(format!(
                    "'{other}' is not a valid join type (expected left, right, inner, outer, left_anti or right_anti)"
                ));
            }
        })
    }
}

fn is_numeric(k: Kind) -> bool {
    matches!(k, Kind::Int | Kind::Float | Kind::Bool)
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Int => "int64",
        Kind::Float => "float64",
        Kind::Bool => "bool",
        Kind::Str => "str",
        Kind::Object => "object",
    }
}

/// Whether pandas merges a key of these kinds (numbers with numbers, text
/// with text or mixed values).
fn keys_compatible(a: Kind, b: Kind) -> bool {
    a == b
        || (is_numeric(a) && is_numeric(b))
        || matches!(
            (a, b),
            (Kind::Str, Kind::Object) | (Kind::Object, Kind::Str)
        )
}

/// Cell equality for keys: numbers by value (`1 == 1.0 == true`), missing
/// equals missing.
fn key_eq(a: &Option<Value>, b: &Option<Value>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => match (num(x), num(y)) {
            (Some(p), Some(q)) => p == q,
            _ => x == y,
        },
        _ => false,
    }
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    }
}

/// Order of key values for outer joins: missing last.
fn key_cmp(a: &Option<Value>, b: &Option<Value>) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Bool(_) | Value::Number(_) => 0,
            Value::String(_) => 1,
            _ => 2,
        }
    }
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => match (num(x), num(y)) {
            (Some(p), Some(q)) => p.partial_cmp(&q).unwrap_or(Ordering::Equal),
            _ => match (x, y) {
                (Value::String(s), Value::String(t)) => s.cmp(t),
                _ => rank(x)
                    .cmp(&rank(y))
                    .then_with(|| x.to_string().cmp(&y.to_string())),
            },
        },
    }
}

/// `left.merge(right, on=keys, how=how)`: rows in pandas' order, columns of
/// the left frame then the right's other columns (names both share get `_x`
/// and `_y`).
pub fn merge(left: &Frame, right: &Frame, keys: &[String], how: How) -> Result<Frame, String> {
    if keys.is_empty() {
        return Err("join_keys names no column".into());
    }
    let mut lkeys = Vec::new();
    let mut rkeys = Vec::new();
    for k in keys {
        let l = left
            .column(k)
            .ok_or_else(|| format!("join key '{k}' is not a column of origin_data"))?;
        let r = right
            .column(k)
            .ok_or_else(|| format!("join key '{k}' is not a column of other_data"))?;
        if !keys_compatible(l.kind, r.kind) {
            return Err(format!(
                "join key '{k}' holds {} values in origin_data and {} values in other_data; \
                 make both sides the same type",
                kind_name(l.kind),
                kind_name(r.kind)
            ));
        }
        lkeys.push(l);
        rkeys.push(r);
    }
    let lkey = |i: usize| -> Vec<&Option<Value>> { lkeys.iter().map(|c| &c.cells[i]).collect() };
    let rkey = |j: usize| -> Vec<&Option<Value>> { rkeys.iter().map(|c| &c.cells[j]).collect() };
    let same =
        |a: &[&Option<Value>], b: &[&Option<Value>]| a.iter().zip(b).all(|(x, y)| key_eq(x, y));
    let matches_of_left = |i: usize| -> Vec<usize> {
        (0..right.len)
            .filter(|&j| same(&lkey(i), &rkey(j)))
            .collect()
    };
    let matches_of_right = |j: usize| -> Vec<usize> {
        (0..left.len)
            .filter(|&i| same(&lkey(i), &rkey(j)))
            .collect()
    };

    let mut pairs: Vec<(Option<usize>, Option<usize>)> = Vec::new();
    match how {
        How::Left | How::Inner | How::LeftAnti => {
            for i in 0..left.len {
                let m = matches_of_left(i);
                match how {
                    How::LeftAnti if m.is_empty() => pairs.push((Some(i), None)),
                    How::Left if m.is_empty() => pairs.push((Some(i), None)),
                    How::Left | How::Inner => {
                        pairs.extend(m.into_iter().map(|j| (Some(i), Some(j))))
                    }
                    _ => {}
                }
            }
        }
        How::Right | How::RightAnti => {
            for j in 0..right.len {
                let m = matches_of_right(j);
                if m.is_empty() {
                    pairs.push((None, Some(j)));
                } else if how == How::Right {
                    pairs.extend(m.into_iter().map(|i| (Some(i), Some(j))));
                }
            }
        }
        How::Outer => {
            // distinct keys of both sides, sorted; left-major within a key
            let mut distinct: Vec<Vec<&Option<Value>>> = Vec::new();
            for k in (0..left.len).map(lkey).chain((0..right.len).map(rkey)) {
                if !distinct.iter().any(|d| same(d, &k)) {
                    distinct.push(k);
                }
            }
            distinct.sort_by(|a, b| {
                a.iter()
                    .zip(b)
                    .map(|(x, y)| key_cmp(x, y))
                    .find(|o| *o != Ordering::Equal)
                    .unwrap_or(Ordering::Equal)
            });
            for k in &distinct {
                let ls: Vec<usize> = (0..left.len).filter(|&i| same(&lkey(i), k)).collect();
                let rs: Vec<usize> = (0..right.len).filter(|&j| same(&rkey(j), k)).collect();
                match (ls.is_empty(), rs.is_empty()) {
                    (false, true) => pairs.extend(ls.iter().map(|&i| (Some(i), None))),
                    (true, false) => pairs.extend(rs.iter().map(|&j| (None, Some(j)))),
                    _ => {
                        for &i in &ls {
                            pairs.extend(rs.iter().map(|&j| (Some(i), Some(j))));
                        }
                    }
                }
            }
        }
    }

    let is_key = |n: &str| keys.iter().any(|k| k == n);
    let shared = |n: &str| !is_key(n) && left.column(n).is_some() && right.column(n).is_some();
    let mut columns = Vec::new();
    for c in &left.columns {
        if is_key(&c.name) {
            let r = right.column(&c.name).map(|r| r.kind).unwrap_or(c.kind);
            let kind = match how {
                How::Left | How::Inner | How::LeftAnti => c.kind,
                How::Right | How::RightAnti => r,
                How::Outer if c.kind == r => r,
                How::Outer if is_numeric(c.kind) && is_numeric(r) => Kind::Float,
                How::Outer => Kind::Object,
            };
            let rc = right.column(&c.name);
            let cells = pairs
                .iter()
                .map(|&(i, j)| match (i, j, rc) {
                    (Some(i), _, _) => c.cells[i].clone(),
                    (None, Some(j), Some(rc)) => rc.cells[j].clone(),
                    _ => None,
                })
                .collect();
            let mut col = Column {
                name: c.name.clone(),
                kind,
                cells,
            };
            if kind == Kind::Float {
                col.cells = col.cells.into_iter().map(|x| x.map(to_float)).collect();
            }
            columns.push(col);
        } else {
            let rows: Vec<Option<usize>> = pairs.iter().map(|p| p.0).collect();
            columns.push(side_column(c, &rows, shared(&c.name).then_some("_x")));
        }
    }
    for c in &right.columns {
        if is_key(&c.name) {
            continue;
        }
        let rows: Vec<Option<usize>> = pairs.iter().map(|p| p.1).collect();
        columns.push(side_column(c, &rows, shared(&c.name).then_some("_y")));
    }
    let mut names = std::collections::HashSet::new();
    for c in &columns {
        if !names.insert(c.name.as_str()) {
            return Err(format!(
                "joining gives two columns named '{}' (a column shared by both sides is renamed \
                 with _x and _y); rename one of them",
                c.name
            ));
        }
    }
    Ok(Frame {
        columns,
        len: pairs.len(),
    })
}

/// A non-key column of one side of a join: its cells at `rows` (missing where
/// that side has no row), named with `suffix` when both sides have the name.
fn side_column(c: &Column, rows: &[Option<usize>], suffix: Option<&str>) -> Column {
    Column {
        name: format!("{}{}", c.name, suffix.unwrap_or_default()),
        kind: c.kind,
        cells: rows
            .iter()
            .map(|r| r.and_then(|i| c.cells[i].clone()))
            .collect(),
    }
    .with_missing()
}

/// The words pandas reads as a missing value.
pub const NA_WORDS: &[&str] = &[
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
];

/// A CSV field as a whole number, as pandas reads it (blanks around allowed).
fn csv_int(s: &str) -> Option<Value> {
    let t = s.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Some(Value::from(i));
    }
    t.parse::<u64>().ok().map(Value::from)
}

/// A CSV field as a float (`1.5`, `1e3`, `.5`, `1.`, `inf`, `-Infinity`).
fn csv_float(s: &str) -> Option<f64> {
    let t = s.trim();
    let bare = t.trim_start_matches(['+', '-']).to_ascii_lowercase();
    if bare.contains("nan") {
        return None;
    }
    t.parse::<f64>().ok()
}

fn csv_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Type a column of CSV fields (`None`: missing) as `read_csv` does.
fn csv_column(name: String, raw: Vec<Option<String>>) -> Column {
    let raw: Vec<Option<String>> = raw
        .into_iter()
        .map(|f| f.filter(|s| !NA_WORDS.contains(&s.as_str())))
        .collect();
    let present: Vec<&str> = raw.iter().flatten().map(String::as_str).collect();
    let missing = present.len() < raw.len();
    if raw.is_empty() {
        return Column {
            name,
            kind: Kind::Object,
            cells: Vec::new(),
        };
    }
    let ints: Option<Vec<Value>> = present.iter().map(|s| csv_int(s)).collect();
    // whole numbers past int64 mixed with negatives fit no integer type: text
    let conflict = ints.as_ref().is_some_and(|v| {
        v.iter().any(|x| x.is_u64() && !x.is_i64())
            && v.iter().any(|x| x.as_i64().is_some_and(|i| i < 0))
    });
    let map_cells = |f: &dyn Fn(&str) -> Value| -> Vec<Option<Value>> {
        raw.iter().map(|c| c.as_deref().map(f)).collect()
    };
    if ints.is_some() && !conflict {
        if missing {
            let cells = map_cells(&|s| float_value(csv_float(s).unwrap_or(f64::NAN)));
            return Column {
                name,
                kind: Kind::Float,
                cells,
            };
        }
        let cells = map_cells(&|s| csv_int(s).unwrap_or(Value::Null));
        return Column {
            name,
            kind: Kind::Int,
            cells,
        };
    }
    if !conflict && present.iter().all(|s| csv_float(s).is_some()) {
        let cells = map_cells(&|s| float_value(csv_float(s).unwrap_or(f64::NAN)));
        return Column {
            name,
            kind: Kind::Float,
            cells,
        };
    }
    if present.iter().all(|s| csv_bool(s).is_some()) {
        let cells = map_cells(&|s| Value::Bool(csv_bool(s).unwrap_or(false)));
        let kind = if missing { Kind::Object } else { Kind::Bool };
        return Column { name, kind, cells };
    }
    let cells = map_cells(&|s| Value::String(s.to_string()));
    Column {
        name,
        kind: Kind::Str,
        cells,
    }
}

/// Header names as `read_csv` makes them: empty → `Unnamed: <i>`, repeats
/// → `<name>.<n>`, skipping names the header already holds.
pub fn header_names(raw: &[String]) -> Vec<String> {
    let mut header: Vec<String> = raw
        .iter()
        .enumerate()
        .map(|(i, n)| {
            if n.is_empty() {
                format!("Unnamed: {i}")
            } else {
                n.clone()
            }
        })
        .collect();
    let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for i in 0..header.len() {
        let old = header[i].clone();
        let mut col = old.clone();
        let mut cur = counts.get(&col).copied().unwrap_or(0);
        while cur > 0 {
            counts.insert(old.clone(), cur + 1);
            col = format!("{old}.{cur}");
            if header.contains(&col) {
                cur += 1;
            } else {
                cur = counts.get(&col).copied().unwrap_or(0);
            }
        }
        header[i] = col.clone();
        counts.insert(col, cur + 1);
    }
    header
}

/// `read_csv(text)`.
pub fn read_csv(text: &str) -> Result<Frame, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| format!("the CSV text is invalid: {e}"))?;
        // a line with nothing on it is skipped
        if rec.len() == 1 && rec.get(0) == Some("") && !raw_line_is_quoted(text, &rec) {
            continue;
        }
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        records.push((
            line,
            rec.iter().map(str::to_string).collect::<Vec<String>>(),
        ));
    }
    let mut it = records.into_iter();
    let Some((_, header)) = it.next() else {
        return Err("No columns to parse from file".into());
    };
    let names = header_names(&header);
    let rows: Vec<(u64, Vec<String>)> = it.collect();
    let width = names.len();
    let indexed = rows.first().is_some_and(|(_, r)| r.len() == width + 1);
    let mut columns: Vec<Vec<Option<String>>> = vec![Vec::with_capacity(rows.len()); width];
    for (line, mut row) in rows.iter().cloned() {
        if indexed && !row.is_empty() {
            row.remove(0);
        }
        if row.len() > width {
            return Err(format!(
                "Error tokenizing data. C error: Expected {} fields in line {line}, saw {}",
                width + usize::from(indexed),
                row.len() + usize::from(indexed)
            ));
        }
        let mut fields = row.into_iter();
        for col in columns.iter_mut() {
            col.push(fields.next());
        }
    }
    let columns: Vec<Column> = names
        .into_iter()
        .zip(columns)
        .map(|(n, raw)| csv_column(n, raw))
        .collect();
    Ok(Frame {
        columns,
        len: rows.len(),
    })
}

/// Whether a one-empty-field record was written as `""` (a value, not a blank line).
fn raw_line_is_quoted(text: &str, rec: &csv::StringRecord) -> bool {
    let Some(pos) = rec.position() else {
        return false;
    };
    let start = pos.byte() as usize;
    text.get(start..).is_some_and(|rest| rest.starts_with('"'))
}

#[cfg(test)]
mod tests;

/// A cell as pandas' `to_csv` writes it: floats as Python writes them
/// (`4.0`), booleans `True`/`False`, other values as their Python text,
/// missing cells empty.
fn csv_cell(kind: Kind, v: &Option<Value>) -> String {
    use crate::output::pyrepr::{float_repr, py_repr};
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => if *b { "True" } else { "False" }.into(),
        Some(Value::Number(n)) => match (kind, n.as_i64(), n.as_u64()) {
            (Kind::Float, _, _) => float_repr(n.as_f64().unwrap_or(f64::NAN)),
            (_, Some(i), _) => i.to_string(),
            (_, _, Some(u)) => u.to_string(),
            _ => float_repr(n.as_f64().unwrap_or(f64::NAN)),
        },
        Some(other) => py_repr(other),
    }
}

/// A field of a CSV line, quoted when it holds a comma, quote or line break.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv_line(fields: &[String]) -> String {
    // Python's csv writer quotes a line's only field when it is empty
    if fields.len() == 1 && fields[0].is_empty() {
        return "\"\"\n".into();
    }
    let quoted: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
    format!("{}\n", quoted.join(","))
}

impl Frame {
    /// `to_csv(index=False)`: a header line, then one line per row (`\n`).
    pub fn to_csv(&self) -> String {
        if self.columns.is_empty() {
            return "\n".into();
        }
        let mut out = csv_line(&self.names());
        for i in 0..self.len {
            let fields: Vec<String> = self
                .columns
                .iter()
                .map(|c| csv_cell(c.kind, &c.cells[i]))
                .collect();
            out.push_str(&csv_line(&fields));
        }
        out
    }
}
