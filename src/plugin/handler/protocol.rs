//! The handler protocol's messages (pure): request lines, reply and handshake
//! parsing, and the texts of the errors the pool reports. The wire format is
//! documented in `docs/plugin-protocol.md`.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::plugin::error::{PluginError, StatusKind};

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
    Item(Value),
    /// End of a stream.
    Done,
    /// The request failed; the handler stays usable.
    Error(PluginError),
}

/// The request line for `method` (newline terminated). `id` comes first so that
/// simple handlers can pick it out of the compact form.
pub fn request_line(id: u64, method: &str, stream: bool, params: &Value) -> Vec<u8> {
    let request = json!({"id": id, "method": method, "stream": stream, "params": params});
    let mut line = request.to_string().into_bytes();
    line.push(b'\n');
    line
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
        let routes = match ready.get("routes") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|r| {
                    r.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| format!("\"routes\" must list strings: {}", excerpt(line)))
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(format!("\"routes\" is not a list: {}", excerpt(line))),
        };
        let package_dir = ready
            .get("package_dir")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(PathBuf::from);
        return Ok(Hello::Ready {
            routes,
            package_dir,
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

/// Parse a reply line to request `expected_id`. The error text describes the violation.
pub fn parse_reply(line: &[u8], expected_id: u64) -> Result<Reply, String> {
    let map = parse_object(line)?;
    match map.get("id") {
        Some(id) if id.as_u64() == Some(expected_id) => {}
        Some(id) => {
            return Err(format!(
                "reply for request id {id} while serving request id {expected_id}"
            ));
        }
        None => return Err(format!("reply without an \"id\": {}", excerpt(line))),
    }
    if let Some(error) = map.get("error") {
        return Ok(Reply::Error(error_from_value(error)));
    }
    if let Some(value) = map.get("result") {
        return Ok(Reply::Result(value.clone()));
    }
    if let Some(value) = map.get("item") {
        return Ok(Reply::Item(value.clone()));
    }
    if map.get("done").and_then(Value::as_bool) == Some(true) {
        return Ok(Reply::Done);
    }
    Err(format!(
        "reply has none of \"result\", \"item\", \"done\" or \"error\": {}",
        excerpt(line)
    ))
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
            &json!({"options": {}, "domain_id": null}),
        );
        assert_eq!(
            String::from_utf8(line).unwrap(),
            "{\"id\":7,\"method\":\"Collector.init\",\"stream\":false,\"params\":{\"options\":{},\"domain_id\":null}}\n"
        );
    }

    #[test]
    fn hello_ready_and_startup_error() {
        assert_eq!(
            parse_hello(br#"{"ready":{"protocol":1,"routes":["Collector.init"],"package_dir":"/p/plugin"}}"#),
            Ok(Hello::Ready {
                routes: vec!["Collector.init".to_string()],
                package_dir: Some(PathBuf::from("/p/plugin")),
            })
        );
        assert_eq!(
            parse_hello(br#"{"ready":{}}"#),
            Ok(Hello::Ready {
                routes: vec![],
                package_dir: None
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
            parse_hello(br#"{"ready":{"routes":"x"}}"#),
            Err(
                "\"routes\" is not a list: \"{\\\"ready\\\":{\\\"routes\\\":\\\"x\\\"}}\""
                    .to_string()
            )
        );
    }

    #[test]
    fn replies() {
        assert_eq!(
            parse_reply(br#"{"id":3,"result":null}"#, 3),
            Ok(Reply::Result(Value::Null))
        );
        assert_eq!(
            parse_reply(br#"{"id":3,"result":{"a":1}}"#, 3),
            Ok(Reply::Result(json!({"a": 1})))
        );
        assert_eq!(
            parse_reply(br#"{"id":3,"item":"x"}"#, 3),
            Ok(Reply::Item(json!("x")))
        );
        assert_eq!(parse_reply(br#"{"id":3,"done":true}"#, 3), Ok(Reply::Done));
        assert_eq!(
            parse_reply(
                br#"{"id":3,"error":{"code":"ERROR_REQUIRED_PARAMETER","status":"INVALID_ARGUMENT","message":"Required parameter. (key = x)"}}"#,
                3
            ),
            Ok(Reply::Error(PluginError::new(
                StatusKind::InvalidArgument,
                "ERROR_REQUIRED_PARAMETER",
                "Required parameter. (key = x)"
            )))
        );
        assert_eq!(
            parse_reply(br#"{"id":3,"error":{"message":"boom"}}"#, 3),
            Ok(Reply::Error(PluginError::unknown("boom")))
        );
    }

    #[test]
    fn reply_violations() {
        assert_eq!(
            parse_reply(br#"{"id":4,"result":1}"#, 3),
            Err("reply for request id 4 while serving request id 3".to_string())
        );
        assert_eq!(
            parse_reply(br#"{"result":1}"#, 3),
            Err("reply without an \"id\": \"{\\\"result\\\":1}\"".to_string())
        );
        assert_eq!(
            parse_reply(br#"{"id":3,"done":false}"#, 3),
            Err("reply has none of \"result\", \"item\", \"done\" or \"error\": \"{\\\"id\\\":3,\\\"done\\\":false}\"".to_string())
        );
        assert_eq!(
            parse_reply(b"garbage out", 3),
            Err("line is not JSON: \"garbage out\"".to_string())
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
