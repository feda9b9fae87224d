//! The `plugin test` report and its two renderings (pure): a human summary
//! (`-o table`) and a JSON document for CI (`-o json`).

use serde_json::{Map, Value, json};

use super::checks::{Finding, Severity};
use crate::output::table::presto;

/// How a call ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Ok,
    Error(String),
    Skipped(String),
}

/// One call made to the plugin.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// e.g. `Collector.collect` or `Collector.collect (task 2/3)`.
    pub name: String,
    pub outcome: Outcome,
    pub millis: Option<f64>,
    pub responses: usize,
}

/// Everything `plugin test` found out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub package: String,
    pub source_root: String,
    pub request_file: Option<String>,
    /// The verify request file (verify.yaml) when one was used.
    pub verify_file: Option<String>,
    pub secret_file: Option<String>,
    pub calls: Vec<Call>,
    /// (resource_type, state, count), in order of first appearance.
    pub resources: Vec<(String, String, usize)>,
    pub findings: Vec<Finding>,
    /// Named durations in order, e.g. `host start`.
    pub timings: Vec<(&'static str, f64)>,
    /// Warnings fail the test too.
    pub strict: bool,
    /// The last lines of the host's log.
    pub log_tail: Vec<String>,
    /// A plugin of another kind than the collector: its routes are called with
    /// their request files (no verify request, no secret).
    pub routes: bool,
}

/// What the table says below the calls of a plugin of another kind.
pub const EMPTY_REQUEST_NOTE: &str = "Each route is also called with an empty request, which it must refuse for a missing required parameter (as SpaceONE's services check); OK means it did.";

/// How many findings of each severity the table lists.
const LISTED: usize = 20;
/// How many log lines the table shows when something failed.
const LOG_LINES: usize = 15;

impl Report {
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
    }

    pub fn passed(&self) -> bool {
        self.errors().next().is_none() && (!self.strict || self.warnings().next().is_none())
    }

    fn resource_total(&self) -> usize {
        self.resources.iter().map(|(_, _, n)| n).sum()
    }

    /// The one-line verdict, e.g. `PASSED: 3 calls, 6 resources, 0 errors, 1 warning`.
    pub fn verdict(&self) -> String {
        let errors = self.errors().count();
        let warnings = self.warnings().count();
        let calls = self
            .calls
            .iter()
            .filter(|c| !matches!(c.outcome, Outcome::Skipped(_)))
            .count();
        format!(
            "{}: {}, {}, {}, {}{}",
            if self.passed() { "PASSED" } else { "FAILED" },
            plural(calls, "call"),
            plural(self.resource_total(), "resource"),
            plural(errors, "error"),
            plural(warnings, "warning"),
            if self.strict && warnings > 0 && errors == 0 {
                " (--strict)"
            } else {
                ""
            }
        )
    }
}

/// `1 call`, `2 calls`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `12.3 ms` below a second, `1.23 s` above.
pub fn duration_text(ms: f64) -> String {
    if ms < 1000.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

fn outcome_text(o: &Outcome) -> String {
    match o {
        Outcome::Ok => "OK".to_string(),
        Outcome::Error(_) => "ERROR".to_string(),
        Outcome::Skipped(why) => format!("SKIPPED ({why})"),
    }
}

fn list_findings(out: &mut String, title: &str, items: &[&Finding], colour: &str, on: bool) {
    if items.is_empty() {
        out.push_str(&format!("{title}: none\n"));
        return;
    }
    let heading = format!("{title} ({})", items.len());
    out.push_str(&format!("{}:\n", paint(&heading, colour, on)));
    for f in items.iter().take(LISTED) {
        let mut lines = f.message.lines();
        out.push_str(&format!("  - {}\n", lines.next().unwrap_or("")));
        for more in lines {
            out.push_str(&format!("    {more}\n"));
        }
    }
    if items.len() > LISTED {
        out.push_str(&format!(
            "  … and {} more (-o json lists all)\n",
            items.len() - LISTED
        ));
    }
}

/// Whether the table is coloured: on a terminal only, unless `NO_COLOR` is set
/// to a non-empty value (<https://no-color.org>) or `TERM` is `dumb`.
pub fn colour_wanted(
    is_terminal: bool,
    no_color: Option<&std::ffi::OsStr>,
    term: Option<&std::ffi::OsStr>,
) -> bool {
    is_terminal && no_color.is_none_or(|v| v.is_empty()) && term.is_none_or(|t| t != "dumb")
}

const GREEN: &str = "\x1b[32m";
const RED: &str = "\x1b[31m";
const YELLOW: &str = "\x1b[33m";
const BOLD_GREEN: &str = "\x1b[1;32m";
const BOLD_RED: &str = "\x1b[1;31m";
const RESET: &str = "\x1b[0m";

/// `text` in `colour` when `on`.
fn paint(text: &str, colour: &str, on: bool) -> String {
    if on {
        format!("{colour}{text}{RESET}")
    } else {
        text.to_string()
    }
}

/// The colour of a result or state word.
fn word_colour(word: &str) -> Option<&'static str> {
    match word.split(' ').next().unwrap_or(word) {
        "OK" | "SUCCESS" => Some(GREEN),
        "ERROR" | "FAILURE" => Some(RED),
        "SKIPPED" => Some(YELLOW),
        _ => None,
    }
}

/// Colour the second column of a rendered table's rows (after the rule line),
/// keeping the padding, so that the columns stay aligned.
fn paint_second_column(table: &str) -> String {
    let mut out = Vec::new();
    let mut body = false;
    for line in table.split('\n') {
        if !body {
            body = line.starts_with('-');
            out.push(line.to_string());
            continue;
        }
        let mut cells: Vec<&str> = line.splitn(3, " | ").collect();
        let painted;
        if cells.len() >= 2 {
            let cell = cells[1];
            let word = cell.trim_end();
            if let Some(colour) = word_colour(word) {
                painted = format!("{}{}", paint(word, colour, true), &cell[word.len()..]);
                cells[1] = &painted;
            }
        }
        out.push(cells.join(" | "));
    }
    out.join("\n")
}

/// The human summary; `colour` adds terminal colours to results, states, the
/// finding titles and the verdict.
pub fn render_table(r: &Report, colour: bool) -> String {
    let mut out = format!(
        "Plugin test of {} (source root {})\n",
        r.package, r.source_root
    );
    if r.routes {
        out.push_str(&format!(
            "Requests: {}\n\n",
            r.request_file.as_deref().unwrap_or("none")
        ));
    } else {
        out.push_str(&format!(
            "Request: {}; verify request: {}; secret: {}\n\n",
            r.request_file
                .as_deref()
                .unwrap_or("none (empty options and secret_data)"),
            r.verify_file.as_deref().unwrap_or("none"),
            r.secret_file.as_deref().unwrap_or("none")
        ));
    }
    if !r.calls.is_empty() {
        let headers = ["CALL", "RESULT", "TIME", "RESPONSES"].map(String::from);
        let rows: Vec<Vec<Value>> = r
            .calls
            .iter()
            .map(|c| {
                vec![
                    Value::String(c.name.clone()),
                    Value::String(outcome_text(&c.outcome)),
                    c.millis
                        .map(|ms| Value::String(duration_text(ms)))
                        .unwrap_or(Value::Null),
                    match c.outcome {
                        Outcome::Skipped(_) => Value::Null,
                        _ => Value::from(c.responses),
                    },
                ]
            })
            .collect();
        let table = presto(&headers, &rows);
        if colour {
            out.push_str(&paint_second_column(&table));
        } else {
            out.push_str(&table);
        }
        out.push_str("\n\n");
        if r.routes {
            out.push_str(EMPTY_REQUEST_NOTE);
            out.push_str("\n\n");
        }
    }
    if !r.resources.is_empty() {
        let headers = ["RESOURCE TYPE", "STATE", "COUNT"].map(String::from);
        let rows: Vec<Vec<Value>> = r
            .resources
            .iter()
            .map(|(t, s, n)| {
                vec![
                    Value::String(t.clone()),
                    Value::String(s.clone()),
                    Value::from(*n),
                ]
            })
            .collect();
        let table = presto(&headers, &rows);
        if colour {
            out.push_str(&paint_second_column(&table));
        } else {
            out.push_str(&table);
        }
        out.push_str("\n\n");
    }
    let errors: Vec<&Finding> = r.errors().collect();
    let warnings: Vec<&Finding> = r.warnings().collect();
    list_findings(&mut out, "Errors", &errors, RED, colour);
    list_findings(&mut out, "Warnings", &warnings, YELLOW, colour);
    if !r.timings.is_empty() {
        let parts: Vec<String> = r
            .timings
            .iter()
            .map(|(name, ms)| format!("{name} {}", duration_text(*ms)))
            .collect();
        out.push_str(&format!("Timings: {}\n", parts.join(", ")));
    }
    let call_failed = r
        .calls
        .iter()
        .any(|c| matches!(c.outcome, Outcome::Error(_)))
        || r.errors().any(|f| f.kind == "host");
    if call_failed && !r.log_tail.is_empty() {
        let start = r.log_tail.len().saturating_sub(LOG_LINES);
        out.push_str(&format!(
            "\nPlugin host log (last {} lines):\n",
            r.log_tail.len() - start
        ));
        for line in &r.log_tail[start..] {
            out.push_str(&format!("  {line}\n"));
        }
    }
    out.push('\n');
    let verdict = r.verdict();
    match verdict.split_once(':') {
        Some((word, rest)) if colour => {
            let c = if r.passed() { BOLD_GREEN } else { BOLD_RED };
            out.push_str(&paint(word, c, true));
            out.push(':');
            out.push_str(rest);
        }
        _ => out.push_str(&verdict),
    }
    out.push('\n');
    out
}

fn round(ms: f64) -> Value {
    Value::from((ms * 10.0).round() / 10.0)
}

fn findings_json<'a>(items: impl Iterator<Item = &'a Finding>) -> Value {
    Value::Array(
        items
            .map(|f| json!({"kind": f.kind, "message": f.message}))
            .collect(),
    )
}

/// The machine-readable report.
pub fn to_json(r: &Report) -> Value {
    let calls: Vec<Value> = r
        .calls
        .iter()
        .map(|c| {
            let mut m = Map::new();
            m.insert("call".into(), Value::String(c.name.clone()));
            let (result, detail) = match &c.outcome {
                Outcome::Ok => ("OK", None),
                Outcome::Error(e) => ("ERROR", Some(("error", e))),
                Outcome::Skipped(why) => ("SKIPPED", Some(("reason", why))),
            };
            m.insert("result".into(), Value::String(result.into()));
            if let Some((key, text)) = detail {
                m.insert(key.into(), Value::String(text.clone()));
            }
            m.insert("time_ms".into(), c.millis.map(round).unwrap_or(Value::Null));
            m.insert("responses".into(), Value::from(c.responses));
            Value::Object(m)
        })
        .collect();
    let resources: Vec<Value> = r
        .resources
        .iter()
        .map(|(t, s, n)| json!({"resource_type": t, "state": s, "count": n}))
        .collect();
    let mut timings = Map::new();
    for (name, ms) in &r.timings {
        timings.insert(name.replace(' ', "_"), round(*ms));
    }
    json!({
        "passed": r.passed(),
        "package": r.package,
        "source_root": r.source_root,
        "request_file": r.request_file,
        "verify_file": r.verify_file,
        "secret_file": r.secret_file,
        "strict": r.strict,
        "calls": calls,
        "resources": resources,
        "errors": findings_json(r.errors()),
        "warnings": findings_json(r.warnings()),
        "timings_ms": timings,
        "host_log_tail": r.log_tail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Report {
        Report {
            package: "plugin".into(),
            source_root: "demo/src".into(),
            request_file: Some("demo/collect.yaml".into()),
            verify_file: None,
            secret_file: None,
            calls: vec![
                Call {
                    name: "Collector.init".into(),
                    outcome: Outcome::Ok,
                    millis: Some(3.12),
                    responses: 1,
                },
                Call {
                    name: "Collector.verify".into(),
                    outcome: Outcome::Skipped("no verify.yaml".into()),
                    millis: None,
                    responses: 0,
                },
                Call {
                    name: "Collector.collect".into(),
                    outcome: Outcome::Ok,
                    millis: Some(1234.5),
                    responses: 6,
                },
            ],
            resources: vec![
                ("inventory.CloudServiceType".into(), "SUCCESS".into(), 1),
                ("inventory.CloudService".into(), "SUCCESS".into(), 5),
            ],
            findings: vec![Finding::warning(
                "metadata_field_missing",
                "metadata of p/G/T: field 'Price' (data.price) is missing from the data of 5 of 5 cloud services (e.g. 'a')",
            )],
            timings: vec![("host start", 210.04), ("total", 1500.0)],
            strict: false,
            log_tail: vec!["a log line".into()],
            routes: false,
        }
    }

    #[test]
    fn a_plugin_of_another_kind_gets_its_requests_and_the_empty_calls_explained() {
        let r = Report {
            package: "plugin".into(),
            source_root: "src".into(),
            request_file: Some("monitoring webhook routes from init.yaml, parse.yaml".into()),
            calls: vec![
                Call {
                    name: "Event.parse".into(),
                    outcome: Outcome::Ok,
                    millis: Some(2.0),
                    responses: 1,
                },
                Call {
                    name: "Event.parse (empty request, must be refused)".into(),
                    outcome: Outcome::Ok,
                    millis: Some(1.0),
                    responses: 0,
                },
            ],
            routes: true,
            ..Report::default()
        };
        let text = render_table(&r, false);
        assert!(
            text.starts_with(
                "Plugin test of plugin (source root src)
Requests: monitoring webhook routes from init.yaml, parse.yaml

 CALL                                         | RESULT   | TIME   |   RESPONSES
----------------------------------------------+----------+--------+-------------
 Event.parse                                  | OK       | 2.0 ms |           1
 Event.parse (empty request, must be refused) | OK       | 1.0 ms |           0

Each route is also called with an empty request, which it must refuse for a missing required parameter (as SpaceONE's services check); OK means it did.

"
            ),
            "{text}"
        );
    }

    #[test]
    fn table_of_a_passing_run() {
        assert_eq!(
            render_table(&sample(), false),
            "Plugin test of plugin (source root demo/src)
Request: demo/collect.yaml; verify request: none; secret: none

 CALL              | RESULT                   | TIME   |   RESPONSES
-------------------+--------------------------+--------+-------------
 Collector.init    | OK                       | 3.1 ms |           1
 Collector.verify  | SKIPPED (no verify.yaml) |        |
 Collector.collect | OK                       | 1.23 s |           6

 RESOURCE TYPE              | STATE   |   COUNT
----------------------------+---------+---------
 inventory.CloudServiceType | SUCCESS |       1
 inventory.CloudService     | SUCCESS |       5

Errors: none
Warnings (1):
  - metadata of p/G/T: field 'Price' (data.price) is missing from the data of 5 of 5 cloud services (e.g. 'a')
Timings: host start 210.0 ms, total 1.50 s

PASSED: 2 calls, 6 resources, 0 errors, 1 warning
"
        );
    }

    #[test]
    fn failures_show_errors_and_the_log() {
        let mut r = sample();
        r.strict = true;
        assert_eq!(
            r.verdict(),
            "FAILED: 2 calls, 6 resources, 0 errors, 1 warning (--strict)"
        );
        r.strict = false;
        r.calls[2].outcome = Outcome::Error("boom".into());
        r.findings.push(Finding::error(
            "call",
            "Collector.collect failed: boom\nsecond line",
        ));
        let text = render_table(&r, false);
        assert!(
            text.contains(" Collector.collect | ERROR                    | 1.23 s |           6\n"),
            "{text}"
        );
        assert!(
            text.contains("Errors (1):\n  - Collector.collect failed: boom\n    second line\n"),
            "{text}"
        );
        assert!(text.ends_with("\nPlugin host log (last 1 lines):\n  a log line\n\nFAILED: 2 calls, 6 resources, 1 error, 1 warning\n"), "{text}");
    }

    #[test]
    fn colours_keep_the_columns_aligned() {
        let mut r = sample();
        r.calls[2].outcome = Outcome::Error("boom".into());
        r.resources[1].1 = "FAILURE".into();
        r.findings
            .push(Finding::error("call", "Collector.collect failed: boom"));
        let text = render_table(&r, true);
        let expected = "Plugin test of plugin (source root demo/src)
Request: demo/collect.yaml; verify request: none; secret: none

 CALL              | RESULT                   | TIME   |   RESPONSES
-------------------+--------------------------+--------+-------------
 Collector.init    | \x1b[32mOK\x1b[0m                       | 3.1 ms |           1
 Collector.verify  | \x1b[33mSKIPPED (no verify.yaml)\x1b[0m |        |
 Collector.collect | \x1b[31mERROR\x1b[0m                    | 1.23 s |           6

 RESOURCE TYPE              | STATE   |   COUNT
----------------------------+---------+---------
 inventory.CloudServiceType | \x1b[32mSUCCESS\x1b[0m |       1
 inventory.CloudService     | \x1b[31mFAILURE\x1b[0m |       5

\x1b[31mErrors (1)\x1b[0m:
  - Collector.collect failed: boom
\x1b[33mWarnings (1)\x1b[0m:
  - metadata of p/G/T: field 'Price' (data.price) is missing from the data of 5 of 5 cloud services (e.g. 'a')
Timings: host start 210.0 ms, total 1.50 s

Plugin host log (last 1 lines):
  a log line

\x1b[1;31mFAILED\x1b[0m: 2 calls, 6 resources, 1 error, 1 warning
";
        assert_eq!(text, expected);
        let stripped = text
            .replace(GREEN, "")
            .replace(RED, "")
            .replace(YELLOW, "")
            .replace(BOLD_RED, "")
            .replace(RESET, "");
        assert_eq!(stripped, render_table(&r, false));
    }

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        use std::ffi::OsStr;
        assert!(colour_wanted(
            true,
            None,
            Some(OsStr::new("xterm-256color"))
        ));
        assert!(colour_wanted(true, Some(OsStr::new("")), None));
        assert!(!colour_wanted(false, None, None));
        assert!(!colour_wanted(true, Some(OsStr::new("1")), None));
        assert!(!colour_wanted(true, None, Some(OsStr::new("dumb"))));
    }

    #[test]
    fn long_finding_lists_are_cut() {
        let mut r = sample();
        r.findings = (0..25)
            .map(|i| Finding::error("failure_item", format!("e{i}")))
            .collect();
        let text = render_table(&r, false);
        assert!(
            text.contains("  - e19\n  … and 5 more (-o json lists all)\n"),
            "{text}"
        );
        assert!(!text.contains("e20"));
    }

    #[test]
    fn json_report() {
        let mut r = sample();
        r.calls[2].outcome = Outcome::Error("boom".into());
        r.findings
            .push(Finding::error("call", "Collector.collect failed: boom"));
        assert_eq!(
            crate::output::json::dumps(&to_json(&r)),
            r#"{
    "passed": false,
    "package": "plugin",
    "source_root": "demo/src",
    "request_file": "demo/collect.yaml",
    "verify_file": null,
    "secret_file": null,
    "strict": false,
    "calls": [
        {
            "call": "Collector.init",
            "result": "OK",
            "time_ms": 3.1,
            "responses": 1
        },
        {
            "call": "Collector.verify",
            "result": "SKIPPED",
            "reason": "no verify.yaml",
            "time_ms": null,
            "responses": 0
        },
        {
            "call": "Collector.collect",
            "result": "ERROR",
            "error": "boom",
            "time_ms": 1234.5,
            "responses": 6
        }
    ],
    "resources": [
        {
            "resource_type": "inventory.CloudServiceType",
            "state": "SUCCESS",
            "count": 1
        },
        {
            "resource_type": "inventory.CloudService",
            "state": "SUCCESS",
            "count": 5
        }
    ],
    "errors": [
        {
            "kind": "call",
            "message": "Collector.collect failed: boom"
        }
    ],
    "warnings": [
        {
            "kind": "metadata_field_missing",
            "message": "metadata of p/G/T: field 'Price' (data.price) is missing from the data of 5 of 5 cloud services (e.g. 'a')"
        }
    ],
    "timings_ms": {
        "host_start": 210.0,
        "total": 1500.0
    },
    "host_log_tail": [
        "a log line"
    ]
}"#
        );
    }
}
