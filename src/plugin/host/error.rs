//! Errors of the plugin host, carried to the caller as a gRPC status whose details
//! read `<ERROR_CODE>: <message>` (upstream's error model).

use std::fmt;

use serde_json::Value;

/// Longest error message written to the log, in bytes; the rest is cut off.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// Longest error code kept from a handler's error, in bytes.
pub const MAX_CODE_BYTES: usize = 128;
/// Budget of the status details on the wire (the percent-encoded
/// `grpc-message` header). gRPC clients refuse a response whose headers exceed
/// 8 KiB (Python's soft limit) or 16 KiB, so longer details are shortened.
pub const MAX_DETAILS_WIRE_BYTES: usize = 4096;

/// The gRPC status a plugin error maps to (only the codes upstream uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    InvalidArgument,
    NotFound,
    AlreadyExists,
    Unauthenticated,
    PermissionDenied,
    DeadlineExceeded,
    Unimplemented,
    Unavailable,
    Cancelled,
    ResourceExhausted,
    Internal,
}

impl StatusKind {
    /// The upper-case gRPC status name, as used in handler messages.
    pub fn name(self) -> &'static str {
        match self {
            StatusKind::InvalidArgument => "INVALID_ARGUMENT",
            StatusKind::NotFound => "NOT_FOUND",
            StatusKind::AlreadyExists => "ALREADY_EXISTS",
            StatusKind::Unauthenticated => "UNAUTHENTICATED",
            StatusKind::PermissionDenied => "PERMISSION_DENIED",
            StatusKind::DeadlineExceeded => "DEADLINE_EXCEEDED",
            StatusKind::Unimplemented => "UNIMPLEMENTED",
            StatusKind::Unavailable => "UNAVAILABLE",
            StatusKind::Cancelled => "CANCELLED",
            StatusKind::ResourceExhausted => "RESOURCE_EXHAUSTED",
            StatusKind::Internal => "INTERNAL",
        }
    }

    /// Parse a status name; unknown names map to INTERNAL.
    pub fn from_name(name: &str) -> StatusKind {
        match name {
            "INVALID_ARGUMENT" => StatusKind::InvalidArgument,
            "NOT_FOUND" => StatusKind::NotFound,
            "ALREADY_EXISTS" => StatusKind::AlreadyExists,
            "UNAUTHENTICATED" => StatusKind::Unauthenticated,
            "PERMISSION_DENIED" => StatusKind::PermissionDenied,
            "DEADLINE_EXCEEDED" => StatusKind::DeadlineExceeded,
            "UNIMPLEMENTED" => StatusKind::Unimplemented,
            "UNAVAILABLE" => StatusKind::Unavailable,
            "CANCELLED" => StatusKind::Cancelled,
            "RESOURCE_EXHAUSTED" => StatusKind::ResourceExhausted,
            _ => StatusKind::Internal,
        }
    }
}

/// An error raised while serving a plugin call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginError {
    pub status: StatusKind,
    /// Upstream error class name, e.g. `ERROR_REQUIRED_PARAMETER`.
    pub code: String,
    pub message: String,
    /// Text the handler sent to be logged after the error lines (a Python
    /// traceback), bounded to [`MAX_MESSAGE_BYTES`].
    pub trace: Option<String>,
}

impl PluginError {
    pub fn new(status: StatusKind, code: &str, message: impl Into<String>) -> Self {
        PluginError {
            status,
            code: code.to_string(),
            message: message.into(),
            trace: None,
        }
    }

    /// `ERROR_REQUIRED_PARAMETER: Required parameter. (key = <key>)`, INVALID_ARGUMENT.
    pub fn required_parameter(key: &str) -> Self {
        PluginError::new(
            StatusKind::InvalidArgument,
            "ERROR_REQUIRED_PARAMETER",
            format!("Required parameter. (key = {key})"),
        )
    }

    /// `ERROR_UNKNOWN: <message>`, INTERNAL.
    pub fn unknown(message: impl Into<String>) -> Self {
        PluginError::new(StatusKind::Internal, "ERROR_UNKNOWN", message)
    }

    /// The status details string: `<CODE>: <message>`.
    pub fn details(&self) -> String {
        format!("{}: {}", self.code, self.message)
    }

    /// [`PluginError::details`] shortened to fit [`MAX_DETAILS_WIRE_BYTES`] once
    /// percent-encoded as gRPC does, with a note saying how long the message was.
    pub fn wire_details(&self) -> String {
        let details = self.details();
        if wire_len(&details) <= MAX_DETAILS_WIRE_BYTES {
            return details;
        }
        let note = format!(" ... (message truncated: {} bytes)", self.message.len());
        let budget = MAX_DETAILS_WIRE_BYTES
            .saturating_sub(wire_len(&self.code) + wire_len(": ") + wire_len(&note));
        let mut used = 0;
        let mut end = 0;
        for (i, c) in self.message.char_indices() {
            used += char_wire_len(c);
            if used > budget {
                break;
            }
            end = i + c.len_utf8();
        }
        format!("{}: {}{note}", self.code, &self.message[..end])
    }

    /// The error object of a handler's reply (`{"code", "status", "message"}`,
    /// docs/plugin-protocol.md), checked: a missing or non-text `status` is
    /// INTERNAL, a `code` that is not an identifier (letters, digits, `_`, `.`;
    /// at most [`MAX_CODE_BYTES`]) is `ERROR_UNKNOWN`, and a `message` that is
    /// not text is shown as its JSON text. A bare string is the message of an
    /// `ERROR_UNKNOWN`; any other value is shown as its JSON text. Long
    /// messages are kept whole here and shortened where they are written
    /// ([`PluginError::wire_details`], [`bound_message`]).
    pub fn from_reply(error: &Value) -> PluginError {
        match error {
            Value::Object(map) => {
                let status = match map.get("status") {
                    Some(Value::String(s)) => StatusKind::from_name(s),
                    _ => StatusKind::Internal,
                };
                let code = match map.get("code") {
                    Some(Value::String(c)) if is_error_code(c) => c.as_str(),
                    _ => "ERROR_UNKNOWN",
                };
                let message = match map.get("message") {
                    None | Some(Value::Null) => String::new(),
                    Some(Value::String(m)) => m.clone(),
                    Some(other) => other.to_string(),
                };
                let mut e = PluginError::new(status, code, message);
                if let Some(Value::String(trace)) = map.get("traceback")
                    && !trace.is_empty()
                {
                    e.trace = Some(bound_message(trace).into_owned());
                }
                e
            }
            Value::String(message) => PluginError::unknown(message.clone()),
            other => PluginError::unknown(other.to_string()),
        }
    }
}

/// Whether `code` can stand as an error code in details and log lines.
fn is_error_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= MAX_CODE_BYTES
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
}

/// `message` cut to at most [`MAX_MESSAGE_BYTES`] (at a character boundary),
/// with a note giving its full length.
pub fn bound_message(message: &str) -> std::borrow::Cow<'_, str> {
    if message.len() <= MAX_MESSAGE_BYTES {
        return std::borrow::Cow::Borrowed(message);
    }
    let mut end = MAX_MESSAGE_BYTES;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    std::borrow::Cow::Owned(format!(
        "{} ... (message truncated: {} bytes)",
        &message[..end],
        message.len()
    ))
}

/// Bytes a character takes in a `grpc-message` header: printable ASCII other
/// than ` "#%<>`?{}` is sent as is, everything else percent-encoded per byte.
fn char_wire_len(c: char) -> usize {
    if c.is_ascii() && !c.is_ascii_control() && !" \"#%<>`?{}".contains(c) {
        1
    } else {
        3 * c.len_utf8()
    }
}

fn wire_len(s: &str) -> usize {
    s.chars().map(char_wire_len).sum()
}

impl fmt::Display for PluginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.details())
    }
}

impl std::error::Error for PluginError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_text() {
        assert_eq!(
            PluginError::required_parameter("options").details(),
            "ERROR_REQUIRED_PARAMETER: Required parameter. (key = options)"
        );
        assert_eq!(
            PluginError::unknown("boom").details(),
            "ERROR_UNKNOWN: boom"
        );
    }

    #[test]
    fn status_names_round_trip() {
        for k in [
            StatusKind::InvalidArgument,
            StatusKind::Internal,
            StatusKind::DeadlineExceeded,
        ] {
            assert_eq!(StatusKind::from_name(k.name()), k);
        }
        assert_eq!(StatusKind::from_name("WHATEVER"), StatusKind::Internal);
    }

    #[test]
    fn reply_errors_are_checked() {
        use serde_json::json;
        let e = PluginError::from_reply(&json!({
            "code": "ERROR_REQUIRED_PARAMETER",
            "status": "INVALID_ARGUMENT",
            "message": "Required parameter. (key = token)"
        }));
        assert_eq!(e.status, StatusKind::InvalidArgument);
        assert_eq!(
            e.details(),
            "ERROR_REQUIRED_PARAMETER: Required parameter. (key = token)"
        );
        // Fields of the wrong type: the message is kept as JSON text, the rest defaults.
        let e = PluginError::from_reply(&json!({
            "code": 7, "status": ["x"], "message": {"reason": "quota", "n": 3}
        }));
        assert_eq!(e.status, StatusKind::Internal);
        assert_eq!(e.details(), r#"ERROR_UNKNOWN: {"reason":"quota","n":3}"#);
        let e =
            PluginError::from_reply(&json!({"code": "BAD CODE\n[INFO] forged", "message": 1.5}));
        assert_eq!(e.details(), "ERROR_UNKNOWN: 1.5");
        assert_eq!(
            PluginError::from_reply(&json!({"message": null})).details(),
            "ERROR_UNKNOWN: "
        );
        assert_eq!(
            PluginError::from_reply(&json!("plain text")).details(),
            "ERROR_UNKNOWN: plain text"
        );
        assert_eq!(
            PluginError::from_reply(&json!([1, 2])).details(),
            "ERROR_UNKNOWN: [1,2]"
        );
        // A traceback to log after the error; empty or not text: none.
        let e = PluginError::from_reply(&json!({"message": "m", "traceback": "Traceback ...\n"}));
        assert_eq!(e.trace.as_deref(), Some("Traceback ...\n"));
        assert_eq!(e.details(), "ERROR_UNKNOWN: m");
        for t in [json!(""), json!(3), json!(null)] {
            assert_eq!(
                PluginError::from_reply(&json!({"traceback": t})).trace,
                None
            );
        }
    }

    #[test]
    fn long_messages_are_cut_for_the_log() {
        let long = "é".repeat(40_000);
        let cut = bound_message(&long);
        assert!(cut.len() < MAX_MESSAGE_BYTES + 64, "{}", cut.len());
        assert!(cut.starts_with("éé"));
        assert!(
            cut.ends_with("éé ... (message truncated: 80000 bytes)"),
            "{}",
            &cut[cut.len() - 60..]
        );
        assert_eq!(bound_message("short"), "short");
    }

    #[test]
    fn wire_details_fit_the_header_budget() {
        let short = PluginError::unknown("fine as it is");
        assert_eq!(short.wire_details(), "ERROR_UNKNOWN: fine as it is");
        for text in [
            "x".repeat(8_000_000),
            "é".repeat(5_000),
            "a b".repeat(3_000),
        ] {
            let e = PluginError::unknown(text.clone());
            let d = e.wire_details();
            assert!(wire_len(&d) <= MAX_DETAILS_WIRE_BYTES, "{}", wire_len(&d));
            assert!(
                wire_len(&d) > MAX_DETAILS_WIRE_BYTES - 16,
                "{}",
                wire_len(&d)
            );
            assert!(d.starts_with("ERROR_UNKNOWN: "));
            assert!(
                d.ends_with(&format!(" ... (message truncated: {} bytes)", text.len())),
                "{d}"
            );
        }
        assert_eq!(wire_len("a b%é"), 1 + 3 + 1 + 3 + 6);
    }
}
