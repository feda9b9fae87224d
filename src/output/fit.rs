//! Tables that fit a terminal: long cells are shortened with `…` so that a
//! presto table of the rows is at most as wide as the terminal (pure; the
//! caller decides when, i.e. table output on a terminal without `--wide`).

use serde_json::Value;
use unicode_width::UnicodeWidthStr;

use super::pyrepr::py_str;

/// Cells are never cut below this many columns.
const MIN_CELL: usize = 8;
/// What replaces the end of a shortened cell.
const ELLIPSIS: &str = "…";

/// Shortens the long cells of the response `v` (a `results` list, or a list of
/// rows) in place, so that its table fits in `width` columns. Anything else, or
/// a table that fits already, stays as it is.
pub fn fit_to_width(v: &mut Value, width: usize) {
    let rows = match v {
        Value::Object(m) => match m.get_mut("results") {
            Some(Value::Array(rows)) => rows,
            _ => return,
        },
        Value::Array(rows) => rows,
        _ => return,
    };
    *rows = fit_rows(rows, width);
}

/// Rows of objects with their long cells shortened (see [`fit_to_width`]).
pub fn fit_rows(rows: &[Value], width: usize) -> Vec<Value> {
    if !rows.iter().all(Value::is_object) || rows.is_empty() {
        return rows.to_vec();
    }
    let mut keys: indexmap::IndexSet<&str> = indexmap::IndexSet::new();
    for row in rows {
        if let Value::Object(m) = row {
            keys.extend(m.keys().map(String::as_str));
        }
    }
    // (widest cell, widest part that is never shortened: the header with the
    // table's padding, numbers)
    let columns: Vec<(usize, usize)> = keys
        .iter()
        .map(|k| {
            let cells = rows.iter().filter_map(|r| r.get(*k));
            let widest = cells
                .clone()
                .map(|c| cell_text(c).width())
                .max()
                .unwrap_or(0);
            let fixed = cells
                .filter(|c| c.is_number())
                .map(|c| cell_text(c).width())
                .chain(std::iter::once(k.width() + super::table::MIN_PADDING))
                .max()
                .unwrap_or(0);
            (widest.max(fixed), fixed)
        })
        .collect();
    let Some(cap) = cap_for(&columns, width) else {
        return rows.to_vec();
    };
    rows.iter()
        .map(|row| match row {
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, c)| {
                        let text = cell_text(c);
                        let cell = if text.width() > cap && !c.is_number() {
                            Value::String(elide(&text, cap))
                        } else {
                            c.clone()
                        };
                        (k.clone(), cell)
                    })
                    .collect(),
            ),
            other => other.clone(),
        })
        .collect()
}

/// The text of a cell as the table shows it.
fn cell_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        other => py_str(other),
    }
}

/// The widest a cell may be so that the columns (`(widest, fixed)` widths: the
/// widest cell and the widest one never shortened; one space each side, `|`
/// between) fit in `width`: None when they fit as they are. The cap never goes
/// below [`MIN_CELL`].
pub fn cap_for(columns: &[(usize, usize)], width: usize) -> Option<usize> {
    let total = |cap: usize| -> usize {
        columns
            .iter()
            .map(|(w, fixed)| (*w).min(cap).max(*fixed))
            .sum::<usize>()
            + 3 * columns.len().saturating_sub(1)
            + 2
    };
    let widest = columns.iter().map(|(w, _)| *w).max().unwrap_or(0);
    if total(widest) <= width {
        return None;
    }
    let mut cap = widest;
    while cap > MIN_CELL && total(cap) > width {
        cap -= 1;
    }
    Some(cap)
}

/// `text` cut to at most `cap` display columns, the last one being `…`.
pub fn elide(text: &str, cap: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let c = if c == '\n' || c == '\r' { ' ' } else { c };
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > cap {
            break;
        }
        // Line breaks would break the row: they are shown as spaces.
        out.push(c);
        used += w;
    }
    out.push_str(ELLIPSIS);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_cap_is_the_widest_cell_that_fits() {
        assert_eq!(cap_for(&[(5, 1), (10, 1)], 100), None);
        // 2 + 3 + 5 + 10 = 20 columns.
        assert_eq!(cap_for(&[(5, 1), (10, 1)], 20), None);
        assert_eq!(cap_for(&[(5, 1), (10, 1)], 19), Some(9));
        assert_eq!(cap_for(&[(40, 1), (40, 1), (4, 4)], 60), Some(24));
        // Headers and numbers keep their width.
        assert_eq!(cap_for(&[(40, 30), (40, 1)], 60), Some(25));
        assert_eq!(cap_for(&[(400, 1), (400, 1)], 20), Some(MIN_CELL));
    }

    #[test]
    fn long_cells_are_elided() {
        assert_eq!(elide("abcdefghij", 5), "abcd…");
        assert_eq!(elide("데이터베이스", 5), "데이…");
        assert_eq!(elide("a\nbcdef", 4), "a b…");
    }

    #[test]
    fn results_are_fitted_and_short_tables_kept() {
        let v = json!({
            "results": [
                {"name": "short", "tags": {"description": "x".repeat(60)}, "n": 12345678901234_i64},
                {"name": "a-very-long-name-that-goes-on", "n": 1}
            ],
            "total_count": 2
        });
        // 2 + 3 + 3 + 9 + 9 + 14 = 40 columns.
        let fitted = |v: &Value, width| {
            let mut v = v.clone();
            fit_to_width(&mut v, width);
            v
        };
        assert_eq!(
            fitted(&v, 40),
            json!({
                "results": [
                    {"name": "short", "tags": "{'descri…", "n": 12345678901234_i64},
                    {"name": "a-very-l…", "n": 1}
                ],
                "total_count": 2
            })
        );
        assert_eq!(fitted(&v, 1000), v);
        assert_eq!(fitted(&json!({"a": 1}), 10), json!({"a": 1}));
    }
}
