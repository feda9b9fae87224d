//! `@modules/csv`: the rows of a CSV file (`spec.file`), typed as pandas'
//! `read_csv` types them (see [`crate::apply::frame`]).

use serde_json::{Map, Value};

use super::{Ctx, Outcome, require};
use crate::apply::frame::read_csv;

pub fn check(spec: &Map<String, Value>) -> Result<(), String> {
    require(spec, "file")?;
    match spec.get("file") {
        Some(Value::String(s)) if !s.is_empty() => Ok(()),
        Some(other) => Err(format!("Type error: file must be a path (file = {other})")),
        None => Ok(()),
    }
}

pub fn run(spec: &Map<String, Value>, _ctx: &mut Ctx<'_>) -> Result<Outcome, String> {
    check(spec)?;
    let file = spec.get("file").and_then(Value::as_str).unwrap_or_default();
    let bytes = std::fs::read(file).map_err(|e| {
        format!(
            "cannot read the CSV file {file}: {}",
            crate::apply::io_reason(&e)
        )
    })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("the CSV file {file} is not UTF-8 text; convert it to UTF-8"))?;
    let frame = read_csv(&text).map_err(|e| format!("cannot read the CSV file {file}: {e}"))?;
    Ok(Outcome::output(Value::Array(frame.records())))
}
