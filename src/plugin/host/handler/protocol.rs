//! The handler protocol's messages (pure): request lines, reply and handshake
//! parsing, and the texts of the errors the pool reports. The wire format is
//! documented in `docs/plugin-protocol.md`.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::item::{Item, Tape};
use crate::plugin::host::error::{PluginError, StatusKind};

/// Protocol version announced by handlers in their ready message.
pub const PROTOCOL_VERSION: u64 = 1;

/// Longest protocol line accepted from a handler (bytes, without the newline).
pub const MAX_LINE_BYTES: usize = 64 * 1024 * 1024;

/// The first line a handler sends.
#[derive(Debug, Clone, PartialEq)]
pub enum Hello {
    Ready {
        routes: Vec<String>,
        package_dir: Option<PathBuf>,
        /// How many requests the handler works on at once; `None`: as many as it is sent.
        concurrency: Option<usize>,
        /// The classes of the app's MRO as `module:QualName`, most derived first.
        app_classes: Vec<String>,
        /// The kind the app's SDK class declares (`plugin_kind`).
        declared_kind: Option<String>,
        /// The handler honours a stream's `window` and the host's `more` lines.
        flow_control: bool,
    },
    StartupError {
        message: String,
        exit_code: i32,
    },
}

/// One reply line to request `id`.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// Final value of a unary request.
    Result(Value),
    /// One streamed item.
    Item(Item),
    /// End of a stream.
    Done,
    /// The request failed; the handler stays usable.
    Error(PluginError),
}

/// The request line for `method` (newline terminated). `id` comes first so that
/// simple handlers can pick it out of the compact form, `params` last; `trace_id`
/// (the transaction id the host logs the call with) is left out when unknown, and
/// `datetime` (the parameters a framework plugin receives as `datetime` objects)
/// when empty.
pub fn request_line(
    id: u64,
    method: &str,
    stream: bool,
    trace_id: Option<&str>,
    datetimes: &[&str],
    window: Option<usize>,
    params: &Value,
) -> Vec<u8> {
    let mut request = Map::new();
    request.insert("id".to_string(), json!(id));
    request.insert("method".to_string(), json!(method));
    request.insert("stream".to_string(), json!(stream));
    if let Some(trace_id) = trace_id {
        request.insert("trace_id".to_string(), json!(trace_id));
    }
    if !datetimes.is_empty() {
        request.insert("datetime".to_string(), json!(datetimes));
    }
    if let Some(window) = window {
        request.insert("window".to_string(), json!(window));
    }
    request.insert("params".to_string(), params.clone());
    let mut line = Value::Object(request).to_string().into_bytes();
    line.push(b'\n');
    line
}

/// The line that lets a handler send `more` further items of stream `id`.
pub fn more_line(id: u64, more: usize) -> Vec<u8> {
    format!("{{\"id\":{id},\"more\":{more}}}\n").into_bytes()
}

/// The line that tells a handler to stop working on request `id`.
pub fn cancel_line(id: u64) -> Vec<u8> {
    format!("{{\"id\":{id},\"cancel\":true}}\n").into_bytes()
}

/// A short, quoted excerpt of a line for error messages.
pub fn excerpt(line: &[u8]) -> String {
    const LIMIT: usize = 80;
    let text = String::from_utf8_lossy(line);
    let mut cut: String = text.chars().take(LIMIT).collect();
    if text.chars().nth(LIMIT).is_some() {
        cut.push_str("...");
    }
    format!("{cut:?}")
}

fn parse_object(line: &[u8]) -> Result<Map<String, Value>, String> {
    match serde_json::from_slice::<Value>(line) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(format!("line is not a JSON object: {}", excerpt(line))),
        Err(_) => Err(format!("line is not JSON: {}", excerpt(line))),
    }
}

/// The list of strings under `key` of the ready message (absent or null: empty).
fn string_list(ready: &Map<String, Value>, key: &str, line: &[u8]) -> Result<Vec<String>, String> {
    match ready.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|r| {
                r.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("\"{key}\" must list strings: {}", excerpt(line)))
            })
            .collect(),
        Some(_) => Err(format!("\"{key}\" is not a list: {}", excerpt(line))),
    }
}

/// Parse the first line of a handler: `{"ready": {...}}` or `{"startup_error": {...}}`.
/// The error text describes the violation.
pub fn parse_hello(line: &[u8]) -> Result<Hello, String> {
    let map = parse_object(line)?;
    if let Some(ready) = map.get("ready") {
        let ready = ready
            .as_object()
            .ok_or_else(|| format!("\"ready\" is not an object: {}", excerpt(line)))?;
        if let Some(v) = ready.get("protocol").and_then(Value::as_u64)
            && v != PROTOCOL_VERSION
        {
            return Err(format!(
                "unsupported protocol version {v} (this host speaks {PROTOCOL_VERSION})"
            ));
        }
        let routes = string_list(ready, "routes", line)?;
        let package_dir = ready
            .get("package_dir")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(PathBuf::from);
        let concurrency = match ready.get("concurrency") {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_u64().and_then(|n| usize::try_from(n).ok()) {
                Some(n) if n > 0 => Some(n),
                _ => {
                    return Err(format!(
                        "\"concurrency\" must be a positive integer: {}",
                        excerpt(line)
                    ));
                }
            },
        };
        let app_classes = string_list(ready, "app_classes", line)?;
        let declared_kind = match ready.get("declared_kind") {
            None | Some(Value::Null) => None,
            Some(Value::String(kind)) if !kind.is_empty() => Some(kind.clone()),
            Some(_) => {
                return Err(format!(
                    "\"declared_kind\" must be a non-empty string: {}",
                    excerpt(line)
                ));
            }
        };
        let flow_control = ready.get("flow_control") == Some(&Value::Bool(true));
        return Ok(Hello::Ready {
            routes,
            package_dir,
            concurrency,
            app_classes,
            declared_kind,
            flow_control,
        });
    }
    if let Some(failure) = map.get("startup_error") {
        let message = failure
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("The plugin handler could not load the plugin.")
            .to_string();
        let exit_code = failure
            .get("exit_code")
            .and_then(Value::as_i64)
            .and_then(|c| i32::try_from(c).ok())
            .filter(|c| *c != 0)
            .unwrap_or(1);
        return Ok(Hello::StartupError { message, exit_code });
    }
    Err(format!(
        "expected a \"ready\" or \"startup_error\" message first, got {}",
        excerpt(line)
    ))
}

/// A reply line: the request id it names and what it says about that request,
/// or (the outer error) a line that names no request at all: not JSON, not an
/// object, no positive integer `id`. Error texts describe the violation.
pub fn parse_reply(line: impl Into<Vec<u8>>) -> Result<(u64, Result<Reply, String>), String> {
    // Read once onto a tape; what it does not read the value way names.
    let tape = match Tape::parse_owned(line.into()) {
        Ok(tape) if tape.root().entries().is_some() => tape,
        Ok(tape) => {
            return Err(format!(
                "line is not a JSON object: {}",
                excerpt(tape.line())
            ));
        }
        Err(line) => {
            parse_object(&line)?;
            return Err(format!("line is not JSON: {}", excerpt(&line)));
        }
    };
    let line = tape.line();
    let root = tape.root();
    let id = match root.get("id") {
        Some(id) => id
            .as_u64()
            .filter(|id| *id > 0)
            .ok_or_else(|| format!("reply with an invalid \"id\": {}", excerpt(line)))?,
        None => return Err(format!("reply without an \"id\": {}", excerpt(line))),
    };
    let reply = if let Some(error) = root.get("error") {
        Ok(Reply::Error(error_from_value(&error.to_value())))
    } else if let Some(value) = root.get("result") {
        Ok(Reply::Result(value.to_value()))
    } else if let Some(item) = root.get("item") {
        let at = item.position();
        Ok(Reply::Item(tape.into_item(at)))
    } else if root.get("done").and_then(|d| d.as_bool()) == Some(true) {
        Ok(Reply::Done)
    } else {
        Err(format!(
            "reply has none of \"result\", \"item\", \"done\" or \"error\": {}",
            excerpt(line)
        ))
    };
    Ok((id, reply))
}

/// A handler that serves one request at a time answered another request.
pub fn wrong_id_violation(got: u64, serving: u64) -> String {
    format!("reply for request id {got} while serving request id {serving}")
}

/// The error object of a reply, checked and bounded ([`PluginError::from_reply`]).
pub fn error_from_value(error: &Value) -> PluginError {
    PluginError::from_reply(error)
}

/// Split a `--handler` command line into words: blanks separate words, `'...'`
/// is literal, `"..."` allows `\"`, `\\`, `\$` and `` \` `` escapes, and a backslash
/// outside quotes escapes the next character.
pub fn split_command(command: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err(format!("unterminated ' quote in {command:?}")),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err(format!("unterminated \" quote in {command:?}")),
                        },
                        Some(c) => word.push(c),
                        None => return Err(format!("unterminated \" quote in {command:?}")),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => word.push(c),
                    None => return Err(format!("trailing backslash in {command:?}")),
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    if words.is_empty() {
        return Err("the handler command is empty".to_string());
    }
    Ok(words)
}

/// `5 s`, `1.5 s`, `250 ms`.
pub fn format_duration(d: Duration) -> String {
    if d.as_millis() < 1000 {
        return format!("{} ms", d.as_millis());
    }
    let secs = d.as_secs_f64();
    if secs.fract() == 0.0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{secs:.1} s")
    }
}

/// How a process ended: `exit code 3`, `killed by signal 9`.
pub fn describe_exit(code: Option<i32>, signal: Option<i32>) -> String {
    match (code, signal) {
        (Some(c), _) => format!("exit code {c}"),
        (None, Some(s)) => format!("killed by signal {s}"),
        (None, None) => "exit status unknown".to_string(),
    }
}

/// The call ran past `--timeout`.
pub fn timeout_error(method: &str, limit: Duration) -> PluginError {
    PluginError::new(
        StatusKind::DeadlineExceeded,
        "ERROR_REQUEST_TIMEOUT",
        format!(
            "Request timeout! ({method} did not finish within {}; the plugin handler was stopped)",
            format_duration(limit)
        ),
    )
}

/// The handler process ended while serving `method`.
pub fn exited_error(method: &str, exit: &str) -> PluginError {
    PluginError::new(
        StatusKind::Internal,
        "ERROR_HANDLER_EXITED",
        format!("The plugin handler exited while serving {method} ({exit})."),
    )
}

/// The handler wrote something that is not the protocol while serving `method`.
pub fn protocol_error(method: &str, violation: &str) -> PluginError {
    PluginError::new(
        StatusKind::Internal,
        "ERROR_HANDLER_PROTOCOL",
        format!("The plugin handler broke the protocol while serving {method}: {violation}"),
    )
}

/// A protocol line longer than [`MAX_LINE_BYTES`].
pub fn line_too_long_error(method: &str) -> PluginError {
    protocol_error(
        method,
        &format!(
            "an output line is longer than the {} MiB limit",
            MAX_LINE_BYTES / (1024 * 1024)
        ),
    )
}

/// No handler process could be started for a call.
pub fn unavailable_error(reason: &str) -> PluginError {
    PluginError::new(
        StatusKind::Unavailable,
        "ERROR_HANDLER_UNAVAILABLE",
        format!("The plugin handler could not be started: {reason}"),
    )
}

/// A reply to a request the handler is not working on (any more).
pub fn stray_reply_violation(id: u64, ended: bool) -> String {
    if ended {
        format!("reply for request id {id}, which has already ended")
    } else {
        format!("reply for request id {id}, which it was not sent")
    }
}

/// What happens to a handler process that is retired while `in_progress` calls
/// still run on it.
pub fn retired_text(pid: u32, why: &str, in_progress: usize) -> String {
    let then = match in_progress {
        0 => "it is stopped".to_string(),
        1 => "it gets no new requests and stops when its call in progress ends".to_string(),
        n => format!("it gets no new requests and stops when its {n} calls in progress end"),
    };
    format!("The plugin handler (pid {pid}) {why}; {then}.")
}

/// One line of the host's own log about its handlers, in the host log's layout
/// with empty transaction fields: `<time> [WARNING]       (handler) <text>`.
pub fn notice_line(ts: &str, text: &str) -> String {
    format!("{ts} [WARNING]       (handler) {text}\n")
}

/// An informational log line of the pool, in the host's layout.
pub fn info_line(ts: &str, text: &str) -> String {
    format!("{ts} [INFO]       (handler) {text}\n")
}

/// The caller of a stream left `bytes` of its items unread, more than the host
/// keeps for a handler that does not wait for its callers (no flow control).
pub fn slow_reader_error(method: &str, bytes: usize) -> PluginError {
    PluginError::new(
        StatusKind::ResourceExhausted,
        "ERROR_SLOW_READER",
        format!(
            "The caller did not read the {method} stream: {} KiB of its items were waiting, more than the host keeps for a plugin handler without flow control; the request was cancelled.",
            bytes / 1024
        ),
    )
}

/// `2026-11-21T23:55:11.265Z` (UTC), the host log's time format.
pub fn utc_timestamp(t: std::time::SystemTime) -> String {
    let d = t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let rem = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60,
        d.subsec_millis()
    )
}

/// The pool no longer accepts calls.
pub fn shutting_down_error() -> PluginError {
    PluginError::new(
        StatusKind::Unavailable,
        "ERROR_HANDLER_UNAVAILABLE",
        "The plugin host is shutting down.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_line_is_compact_with_id_first() {
        let line = request_line(
            7,
            "Collector.init",
            false,
            None,
            &[],
            None,
            &json!({"options": {}, "domain_id": null}),
        );
        assert_eq!(
            String::from_utf8(line).unwrap(),
            "{\"id\":7,\"method\":\"Collector.init\",\"stream\":false,\"params\":{\"options\":{},\"domain_id\":null}}\n"
        );
        let line = request_line(
            8,
            "Collector.collect",
            true,
            Some("4bf92f3577b34da6a3ce929d0e0e4736"),
            &[],
            Some(64),
            &json!({"options": {}}),
        );
        assert_eq!(
            String::from_utf8(line).unwrap(),
            "{\"id\":8,\"method\":\"Collector.collect\",\"stream\":true,\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"window\":64,\"params\":{\"options\":{}}}\n"
        );
        assert_eq!(cancel_line(8), b"{\"id\":8,\"cancel\":true}\n".to_vec());
        assert_eq!(more_line(8, 32), b"{\"id\":8,\"more\":32}\n".to_vec());
        let line = request_line(
            9,
            "Job.get_tasks",
            false,
            None,
            &["last_synchronized_at"],
            None,
            &json!({"last_synchronized_at": "2024-05-01T00:00:00Z"}),
        );
        assert_eq!(
            String::from_utf8(line).unwrap(),
            "{\"id\":9,\"method\":\"Job.get_tasks\",\"stream\":false,\"datetime\":[\"last_synchronized_at\"],\"params\":{\"last_synchronized_at\":\"2024-05-01T00:00:00Z\"}}\n"
        );
    }

    #[test]
    fn hello_ready_names_the_app() {
        assert_eq!(
            parse_hello(
                br#"{"ready":{"protocol":1,"routes":["Job.get_tasks"],"mode":"compat","app_classes":["plugin.main:MyServer","spaceone.cost_analysis.plugin.data_source.lib.server:DataSourcePluginServer","spaceone.core.plugin.server:PluginServer","builtins:object"],"declared_kind":null}}"#
            ),
            Ok(Hello::Ready {
                routes: vec!["Job.get_tasks".to_string()],
                package_dir: None,
                concurrency: None,
                app_classes: vec![
                    "plugin.main:MyServer".to_string(),
                    "spaceone.cost_analysis.plugin.data_source.lib.server:DataSourcePluginServer"
                        .to_string(),
                    "spaceone.core.plugin.server:PluginServer".to_string(),
                    "builtins:object".to_string(),
                ],
                declared_kind: None,
                flow_control: false,
            })
        );
        assert_eq!(
            parse_hello(
                br#"{"ready":{"app_classes":["spaceone_plugin_kinds:WebhookPluginServer"],"declared_kind":"webhook","flow_control":true}}"#
            ),
            Ok(Hello::Ready {
                routes: vec![],
                package_dir: None,
                concurrency: None,
                app_classes: vec!["spaceone_plugin_kinds:WebhookPluginServer".to_string()],
                declared_kind: Some("webhook".to_string()),
                flow_control: true,
            })
        );
        assert_eq!(
            parse_hello(br#"{"ready":{"app_classes":"x"}}"#),
            Err(
                "\"app_classes\" is not a list: \"{\\\"ready\\\":{\\\"app_classes\\\":\\\"x\\\"}}\""
                    .to_string()
            )
        );
        assert_eq!(
            parse_hello(br#"{"ready":{"app_classes":[1]}}"#),
            Err(
                "\"app_classes\" must list strings: \"{\\\"ready\\\":{\\\"app_classes\\\":[1]}}\""
                    .to_string()
            )
        );
        assert_eq!(
            parse_hello(br#"{"ready":{"declared_kind":""}}"#),
            Err(
                "\"declared_kind\" must be a non-empty string: \"{\\\"ready\\\":{\\\"declared_kind\\\":\\\"\\\"}}\""
                    .to_string()
            )
        );
    }

    #[test]
    fn hello_ready_and_startup_error() {
        assert_eq!(
            parse_hello(br#"{"ready":{"protocol":1,"routes":["Collector.init"],"package_dir":"/p/plugin"}}"#),
            Ok(Hello::Ready {
                routes: vec!["Collector.init".to_string()],
                package_dir: Some(PathBuf::from("/p/plugin")),
                concurrency: None,
                app_classes: vec![],
                declared_kind: None,
                flow_control: false,
            })
        );
        assert_eq!(
            parse_hello(br#"{"ready":{}}"#),
            Ok(Hello::Ready {
                routes: vec![],
                package_dir: None,
                concurrency: None,
                app_classes: vec![],
                declared_kind: None,
                flow_control: false,
            })
        );
        assert_eq!(
            parse_hello(br#"{"ready":{"concurrency":1}}"#),
            Ok(Hello::Ready {
                routes: vec![],
                package_dir: None,
                concurrency: Some(1),
                app_classes: vec![],
                declared_kind: None,
                flow_control: false,
            })
        );
        assert_eq!(
            parse_hello(br#"{"startup_error":{"message":"ImportError: Cannot import app: x","exit_code":1}}"#),
            Ok(Hello::StartupError {
                message: "ImportError: Cannot import app: x".to_string(),
                exit_code: 1
            })
        );
        assert_eq!(
            parse_hello(br#"{"startup_error":{"message":"m","exit_code":0}}"#),
            Ok(Hello::StartupError {
                message: "m".to_string(),
                exit_code: 1
            })
        );
    }

    #[test]
    fn hello_violations() {
        assert_eq!(
            parse_hello(b"hello"),
            Err("line is not JSON: \"hello\"".to_string())
        );
        assert_eq!(
            parse_hello(b"[1]"),
            Err("line is not a JSON object: \"[1]\"".to_string())
        );
        assert_eq!(
            parse_hello(br#"{"id":1}"#),
            Err(
                "expected a \"ready\" or \"startup_error\" message first, got \"{\\\"id\\\":1}\""
                    .to_string()
            )
        );
        assert_eq!(
            parse_hello(br#"{"ready":{"protocol":2}}"#),
            Err("unsupported protocol version 2 (this host speaks 1)".to_string())
        );
        assert_eq!(
            parse_hello(br#"{"ready":{"concurrency":0}}"#),
            Err(
                "\"concurrency\" must be a positive integer: \"{\\\"ready\\\":{\\\"concurrency\\\":0}}\""
                    .to_string()
            )
        );
        assert!(parse_hello(br#"{"ready":{"concurrency":"4"}}"#).is_err());
        assert_eq!(
            parse_hello(br#"{"ready":{"routes":"x"}}"#),
            Err(
                "\"routes\" is not a list: \"{\\\"ready\\\":{\\\"routes\\\":\\\"x\\\"}}\""
                    .to_string()
            )
        );
    }

    #[test]
    fn replies() {
        let ok = |line: &[u8]| parse_reply(line).map(|(id, r)| (id, r.unwrap()));
        assert_eq!(
            ok(br#"{"id":3,"result":null}"#),
            Ok((3, Reply::Result(Value::Null)))
        );
        assert_eq!(
            ok(br#"{"id":3,"result":{"a":1}}"#),
            Ok((3, Reply::Result(json!({"a": 1}))))
        );
        assert_eq!(
            ok(br#"{"id":3,"item":"x"}"#),
            Ok((3, Reply::Item(Item::from_value(&json!("x")))))
        );
        assert_eq!(ok(br#"{"id":12,"done":true}"#), Ok((12, Reply::Done)));
        assert_eq!(
            ok(
                br#"{"id":3,"error":{"code":"ERROR_REQUIRED_PARAMETER","status":"INVALID_ARGUMENT","message":"Required parameter. (key = x)"}}"#
            ),
            Ok((
                3,
                Reply::Error(PluginError::new(
                    StatusKind::InvalidArgument,
                    "ERROR_REQUIRED_PARAMETER",
                    "Required parameter. (key = x)"
                ))
            ))
        );
        assert_eq!(
            ok(br#"{"id":3,"error":{"message":"boom"}}"#),
            Ok((3, Reply::Error(PluginError::unknown("boom"))))
        );
    }

    #[test]
    fn reply_violations() {
        // A violation about one request: the id is known.
        assert_eq!(
            parse_reply(br#"{"id":3,"done":false}"#),
            Ok((3, Err("reply has none of \"result\", \"item\", \"done\" or \"error\": \"{\\\"id\\\":3,\\\"done\\\":false}\"".to_string())))
        );
        // Lines that name no request.
        assert_eq!(
            parse_reply(br#"{"result":1}"#),
            Err("reply without an \"id\": \"{\\\"result\\\":1}\"".to_string())
        );
        assert_eq!(
            parse_reply(br#"{"id":null,"result":1}"#),
            Err("reply with an invalid \"id\": \"{\\\"id\\\":null,\\\"result\\\":1}\"".to_string())
        );
        assert!(parse_reply(br#"{"id":0,"result":1}"#).is_err());
        assert!(parse_reply(br#"{"id":"3","result":1}"#).is_err());
        assert_eq!(
            parse_reply(b"garbage out"),
            Err("line is not JSON: \"garbage out\"".to_string())
        );
        assert_eq!(
            wrong_id_violation(4, 3),
            "reply for request id 4 while serving request id 3"
        );
        assert_eq!(
            stray_reply_violation(9, true),
            "reply for request id 9, which has already ended"
        );
        assert_eq!(
            stray_reply_violation(9, false),
            "reply for request id 9, which it was not sent"
        );
    }

    #[test]
    fn notices() {
        assert_eq!(
            retired_text(41, "broke the protocol: x", 0),
            "The plugin handler (pid 41) broke the protocol: x; it is stopped."
        );
        assert_eq!(
            retired_text(41, "broke the protocol: x", 1),
            "The plugin handler (pid 41) broke the protocol: x; it gets no new requests and stops when its call in progress ends."
        );
        assert_eq!(
            retired_text(41, "broke the protocol: x", 3),
            "The plugin handler (pid 41) broke the protocol: x; it gets no new requests and stops when its 3 calls in progress end."
        );
        assert_eq!(
            notice_line(
                "2026-11-21T23:55:11.265Z",
                "The plugin handler (pid 41) ..."
            ),
            "2026-11-21T23:55:11.265Z [WARNING]       (handler) The plugin handler (pid 41) ...\n"
        );
        let epoch = std::time::UNIX_EPOCH;
        assert_eq!(utc_timestamp(epoch), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            utc_timestamp(epoch + Duration::from_millis(1_795_219_455_155)),
            "2026-11-21T00:04:15.155Z"
        );
        assert_eq!(
            utc_timestamp(epoch + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00.000Z"
        );
    }

    #[test]
    fn excerpt_is_bounded() {
        let long = vec![b'a'; 200];
        assert_eq!(excerpt(&long), format!("\"{}...\"", "a".repeat(80)));
        assert_eq!(excerpt(b"\xff\n"), "\"\u{fffd}\\n\"");
    }

    #[test]
    fn split_command_words() {
        assert_eq!(split_command("./h.sh").unwrap(), vec!["./h.sh"]);
        assert_eq!(
            split_command("  sh  'a b'  \"c \\\"d\\\" \\n\" e\\ f ").unwrap(),
            vec!["sh", "a b", "c \"d\" \\n", "e f"]
        );
        assert_eq!(split_command("x ''").unwrap(), vec!["x", ""]);
        assert_eq!(
            split_command("   "),
            Err("the handler command is empty".to_string())
        );
        assert_eq!(
            split_command("a 'b"),
            Err("unterminated ' quote in \"a 'b\"".to_string())
        );
        assert_eq!(
            split_command("a \"b"),
            Err("unterminated \" quote in \"a \\\"b\"".to_string())
        );
        assert_eq!(
            split_command("a \\"),
            Err("trailing backslash in \"a \\\\\"".to_string())
        );
    }

    #[test]
    fn error_texts() {
        assert_eq!(
            timeout_error("Collector.collect", Duration::from_secs(5)).details(),
            "ERROR_REQUEST_TIMEOUT: Request timeout! (Collector.collect did not finish within 5 s; the plugin handler was stopped)"
        );
        assert_eq!(
            timeout_error("Collector.init", Duration::from_millis(250)).status,
            StatusKind::DeadlineExceeded
        );
        assert_eq!(
            exited_error("Collector.verify", &describe_exit(Some(3), None)).details(),
            "ERROR_HANDLER_EXITED: The plugin handler exited while serving Collector.verify (exit code 3)."
        );
        assert_eq!(describe_exit(None, Some(9)), "killed by signal 9");
        assert_eq!(describe_exit(None, None), "exit status unknown");
        assert_eq!(
            line_too_long_error("Collector.collect").details(),
            "ERROR_HANDLER_PROTOCOL: The plugin handler broke the protocol while serving Collector.collect: an output line is longer than the 64 MiB limit"
        );
        let e = unavailable_error("exited before it was ready (exit code 1)");
        assert_eq!(e.status, StatusKind::Unavailable);
        assert_eq!(
            e.details(),
            "ERROR_HANDLER_UNAVAILABLE: The plugin handler could not be started: exited before it was ready (exit code 1)"
        );
        assert_eq!(
            shutting_down_error().details(),
            "ERROR_HANDLER_UNAVAILABLE: The plugin host is shutting down."
        );
        assert_eq!(format_duration(Duration::from_millis(1500)), "1.5 s");
        assert_eq!(format_duration(Duration::from_secs(600)), "600 s");
    }
}
