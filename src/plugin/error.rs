//! Errors of the plugin host, carried to the caller as a gRPC status whose details
//! read `<ERROR_CODE>: <message>` (upstream's error model).

use std::fmt;

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
}

impl PluginError {
    pub fn new(status: StatusKind, code: &str, message: impl Into<String>) -> Self {
        PluginError {
            status,
            code: code.to_string(),
            message: message.into(),
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
}
