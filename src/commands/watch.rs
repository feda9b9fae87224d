//! `list -w/--watch [SECONDS]`: list again every SECONDS and print the rows
//! that are new or changed since the listing before, each batch after a
//! time-stamp line, until Ctrl-C or until every listed row has `--until
//! FIELD=VALUE`.
//!
//! A failed call is reported and tried again at the next tick; after
//! [`MAX_FAILURES`] failures in a row the watch gives up with the last error.
//! The time stamp goes to stdout with the table format and to stderr with the
//! others, so that json, yaml, csv and quiet output stay documents a program
//! can read (json: one document per batch; csv: the header once).

use std::collections::HashSet;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::error::{AppError, Result};
use crate::output::columns::{Column, get_dict_value};
use crate::output::render::{Format, render};

/// Failed calls in a row after which a watch gives up.
pub const MAX_FAILURES: u32 = 5;

/// Seconds between listings when `-w` has no value.
pub const DEFAULT_INTERVAL: f64 = 2.0;

/// `--until FIELD=VALUE`.
#[derive(Debug, Clone, PartialEq)]
pub struct Until {
    pub field: String,
    pub value: String,
}

impl Until {
    pub fn parse(s: &str) -> Result<Until> {
        match s.split_once('=') {
            Some((f, v)) if !f.trim().is_empty() => Ok(Until {
                field: f.trim().to_string(),
                value: v.to_string(),
            }),
            _ => Err(AppError::msg(format!(
                "--until must be FIELD=VALUE, e.g. --until status=SUCCESS (got '{s}')"
            ))),
        }
    }

    /// Whether `row` (the row as listed, or as shown with `-c`) has the value.
    fn met_by(&self, raw: &Value, shown: &Value) -> bool {
        let found = get_dict_value(raw, &self.field).or_else(|| shown.get(&self.field).cloned());
        match found {
            Some(Value::String(s)) => s == self.value,
            Some(Value::Null) | None => false,
            Some(other) => {
                let text = other.to_string();
                text == self.value
            }
        }
    }
}

/// The interval of a `-w` value: a positive number of seconds.
pub fn interval(seconds: f64) -> Result<Duration> {
    if seconds.is_finite() && seconds > 0.0 && seconds <= 86_400.0 {
        Ok(Duration::from_secs_f64(seconds))
    } else {
        Err(AppError::msg(format!(
            "--watch takes a number of seconds between 0 and 86400 (got {seconds})"
        )))
    }
}

/// What one listing gives the watcher.
pub struct Listing {
    /// The rows as the service sent them.
    pub raw: Vec<Value>,
    /// The rows as printed (reduced to the columns with `-c`/`-t`).
    pub shown: Vec<Value>,
}

/// The state of a watch between listings.
pub struct Watcher {
    format: Format,
    until: Option<Until>,
    seen: HashSet<String>,
    csv_header: Option<String>,
}

/// What to print after a listing, and whether the watch is over.
#[derive(Debug, PartialEq)]
pub struct Batch {
    /// The time-stamp line (without newline), when rows changed.
    pub stamp: Option<String>,
    /// The rendered rows that are new or changed.
    pub text: String,
    pub done: bool,
}

impl Watcher {
    pub fn new(format: Format, until: Option<Until>) -> Watcher {
        Watcher {
            format,
            until,
            seen: HashSet::new(),
            csv_header: None,
        }
    }

    /// Compare a listing with the one before; `now` is the Unix time.
    pub fn next(&mut self, listing: Listing, now: i64) -> Result<Batch> {
        let done = match &self.until {
            Some(u) => {
                !listing.raw.is_empty()
                    && listing
                        .raw
                        .iter()
                        .zip(&listing.shown)
                        .all(|(r, s)| u.met_by(r, s))
            }
            None => false,
        };
        let mut current = HashSet::new();
        let mut changed = Vec::new();
        for row in listing.shown {
            let key = serde_json::to_string(&row).unwrap_or_default();
            if !self.seen.contains(&key) {
                changed.push(row);
            }
            current.insert(key);
        }
        self.seen = current;
        if changed.is_empty() {
            return Ok(Batch {
                stamp: None,
                text: String::new(),
                done,
            });
        }
        let n = changed.len();
        let mut doc = Map::new();
        doc.insert("results".into(), Value::Array(changed));
        let mut text = render(&Value::Object(doc), self.format)?;
        if self.format == Format::Csv {
            text = self.without_repeated_header(text);
        }
        let rows = if n == 1 { "row" } else { "rows" };
        Ok(Batch {
            stamp: Some(format!("# {} {n} new or changed {rows}", utc_stamp(now))),
            text,
            done,
        })
    }

    /// CSV batches after the first leave out a header they share with it.
    fn without_repeated_header(&mut self, text: String) -> String {
        let (header, rest) = match text.find('\n') {
            Some(i) => (text[..=i].to_string(), text[i + 1..].to_string()),
            None => (text.clone(), String::new()),
        };
        if self.csv_header.as_deref() == Some(header.as_str()) {
            rest
        } else {
            self.csv_header = Some(header);
            text
        }
    }
}

/// `2026-12-07T06:30:00Z`.
pub fn utc_stamp(t: i64) -> String {
    let (y, m, d) = crate::apply::modules::date::civil_from_days(t.div_euclid(86_400));
    let s = t.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// The rows of a list response (its `results`), as listed and as shown.
pub fn listing_of(mut response: Value, cols: Option<&[Column]>, resource: &str) -> Result<Listing> {
    let raw = match response.get("results") {
        Some(Value::Array(rows)) => rows.clone(),
        _ => Vec::new(),
    };
    if let Some(cols) = cols {
        crate::output::columns::apply_to_results(&mut response, cols, resource)?;
    }
    let shown = match response.get_mut("results").map(Value::take) {
        Some(Value::Array(rows)) => rows,
        _ => Vec::new(),
    };
    Ok(Listing { raw, shown })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn listing(rows: Value) -> Listing {
        let rows = rows.as_array().cloned().unwrap_or_default();
        Listing {
            raw: rows.clone(),
            shown: rows,
        }
    }

    #[test]
    fn until_parsing() {
        assert_eq!(
            Until::parse("status=SUCCESS").ok(),
            Some(Until {
                field: "status".into(),
                value: "SUCCESS".into()
            })
        );
        assert_eq!(
            Until::parse("a.b=x=y").map(|u| u.value).ok(),
            Some("x=y".into())
        );
        assert!(Until::parse("status").is_err());
        assert!(Until::parse("=x").is_err());
        assert!(interval(0.0).is_err());
        assert!(interval(f64::NAN).is_err());
        assert_eq!(interval(0.5).ok(), Some(Duration::from_millis(500)));
    }

    #[test]
    fn new_and_changed_rows_only() {
        let mut w = Watcher::new(Format::Json, None);
        let b = w
            .next(
                listing(json!([{"id": 1, "s": "A"}, {"id": 2, "s": "A"}])),
                0,
            )
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            b.stamp.as_deref(),
            Some("# 1970-01-01T00:00:00Z 2 new or changed rows")
        );
        assert!(b.text.contains("\"id\": 2"), "{}", b.text);
        assert!(!b.done);
        let b = w
            .next(
                listing(json!([{"id": 1, "s": "A"}, {"id": 2, "s": "B"}])),
                86_461,
            )
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            b.stamp.as_deref(),
            Some("# 1970-01-02T00:01:01Z 1 new or changed row")
        );
        assert_eq!(
            b.text,
            "{\n    \"results\": [\n        {\n            \"id\": 2,\n            \"s\": \"B\"\n        }\n    ]\n}\n"
        );
        let b = w
            .next(
                listing(json!([{"id": 1, "s": "A"}, {"id": 2, "s": "B"}])),
                0,
            )
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            b,
            Batch {
                stamp: None,
                text: String::new(),
                done: false
            }
        );
    }

    #[test]
    fn until_needs_every_row() {
        let u = Until::parse("state.name=SUCCESS").ok();
        let mut w = Watcher::new(Format::Quiet, u);
        let b = w
            .next(
                listing(
                    json!([{"state": {"name": "SUCCESS"}}, {"state": {"name": "IN_PROGRESS"}}]),
                ),
                0,
            )
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(!b.done);
        let b = w
            .next(listing(json!([{"state": {"name": "SUCCESS"}}])), 0)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(b.done);
        let mut w = Watcher::new(Format::Quiet, Until::parse("n=3").ok());
        assert!(
            w.next(listing(json!([{"n": 3}])), 0)
                .map(|b| b.done)
                .unwrap_or(false)
        );
        assert!(
            !w.next(listing(json!([])), 0)
                .map(|b| b.done)
                .unwrap_or(true)
        );
    }

    #[test]
    fn csv_header_once() {
        let mut w = Watcher::new(Format::Csv, None);
        let first = w
            .next(listing(json!([{"a": 1}])), 0)
            .map(|b| b.text)
            .unwrap_or_default();
        let second = w
            .next(listing(json!([{"a": 2}])), 0)
            .map(|b| b.text)
            .unwrap_or_default();
        assert_eq!(first, "a\r\n1\r\n");
        assert_eq!(second, "2\r\n");
    }
}

/// What a watch needs besides the call.
pub(super) struct Options {
    pub every: Duration,
    pub until: Option<Until>,
    pub format: Format,
}

/// List `target` again and again (see the module documentation).
pub(super) fn run<F>(
    target: &crate::grpc::resolve::Target,
    params: Map<String, Value>,
    call: &crate::cli::CallArgs,
    cols: Option<&[Column]>,
    shape: F,
    opts: Options,
) -> Result<()>
where
    F: Fn(&prost_reflect::MessageDescriptor, &mut Map<String, Value>) -> Result<()>,
{
    use crate::grpc;
    let env = crate::session::load_current()?;
    let url = env.endpoint(&target.service)?;
    let metadata = env.call_metadata();
    let options = super::session_options(call);
    let tls = super::session_tls(&call.tls, &env)?;
    let resource = super::list::resource_name(target);
    let mut watcher = Watcher::new(opts.format, opts.until);
    grpc::block_on(async {
        let mut failures = 0u32;
        loop {
            let attempt = async {
                let mut session = grpc::Session::open_with(&url, &options, &tls).await?;
                let method = session.method(target, "list", &call.api_version).await?;
                let mut p = params.clone();
                shape(&method.input(), &mut p)?;
                let message = crate::request::message::from_value(&method.input(), &p)?;
                let converter = super::list::Converter::for_method(&method);
                let mut responses = Vec::new();
                session
                    .call(converter.method(), message, &metadata, |r| {
                        responses.push(converter.convert(r)?);
                        Ok(())
                    })
                    .await?;
                Ok::<Vec<Value>, AppError>(responses)
            };
            let outcome = tokio::select! {
                r = attempt => r,
                _ = tokio::signal::ctrl_c() => return Ok(()),
            };
            match outcome {
                Ok(responses) => {
                    failures = 0;
                    let mut listing = Listing {
                        raw: Vec::new(),
                        shown: Vec::new(),
                    };
                    for r in responses {
                        let l = listing_of(r, cols, &resource)?;
                        listing.raw.extend(l.raw);
                        listing.shown.extend(l.shown);
                    }
                    let now = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.as_secs() as i64)
                        .unwrap_or(0);
                    let batch = watcher.next(listing, now)?;
                    if let Some(stamp) = &batch.stamp {
                        if opts.format == Format::Table {
                            super::emit(&format!("{stamp}\n"))?;
                        } else {
                            eprintln!("{stamp}");
                        }
                    }
                    if !batch.text.is_empty() {
                        super::emit(&batch.text)?;
                    }
                    if batch.done {
                        return Ok(());
                    }
                }
                Err(e) => {
                    failures += 1;
                    let reason = e.to_string();
                    let reason = reason.trim_end();
                    if failures >= MAX_FAILURES {
                        return Err(AppError::msg(format!(
                            "watch: gave up after {MAX_FAILURES} failed listings in a row; the last: {reason}"
                        )));
                    }
                    eprintln!(
                        "watch: listing failed ({failures} of {MAX_FAILURES} tries): {reason}; trying again in {} s",
                        opts.every.as_secs_f64()
                    );
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(opts.every) => {}
                _ = tokio::signal::ctrl_c() => return Ok(()),
            }
        }
    })
}
