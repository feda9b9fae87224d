//! One error type for every command, rendered with the upstream message texts.
//!
//! Upstream `spacectl` prints `ERROR: <message>` followed by an empty line. This
//! project prints the same text on stderr and exits non-zero (see README.md,
//! "Deliberate differences").

use std::fmt;

/// An error that ends a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppError {
    /// `ERROR: <message>` + empty line; exit status 1.
    Message(String),
    /// The multi-line connection block:
    /// `ERROR: \n\terror_code = ..\n\tstatus_code = ..\n\tmessage = ..` + empty line.
    Grpc {
        error_code: String,
        status_code: String,
        message: String,
    },
    /// Text printed verbatim (a trailing newline is added when missing) with an
    /// explicit exit status, e.g. the quiet-output column error.
    Plain { text: String, code: i32 },
}

impl AppError {
    pub fn msg(message: impl Into<String>) -> Self {
        AppError::Message(message.into())
    }

    pub fn grpc(error_code: &str, status_code: &str, message: impl Into<String>) -> Self {
        AppError::Grpc {
            error_code: error_code.to_string(),
            status_code: status_code.to_string(),
            message: message.into(),
        }
    }

    pub fn plain(text: impl Into<String>, code: i32) -> Self {
        AppError::Plain {
            text: text.into(),
            code,
        }
    }

    /// The exact text written to stderr.
    pub fn render(&self) -> String {
        match self {
            AppError::Message(m) => format!("ERROR: {m}\n\n"),
            AppError::Grpc {
                error_code,
                status_code,
                message,
            } => format!(
                "ERROR: \n\terror_code = {error_code}\n\tstatus_code = {status_code}\n\tmessage = {message}\n\n"
            ),
            AppError::Plain { text, .. } => {
                if text.ends_with('\n') {
                    text.clone()
                } else {
                    format!("{text}\n")
                }
            }
        }
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            AppError::Plain { code, .. } => *code,
            _ => 1,
        }
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppError::Message(m) => f.write_str(m),
            AppError::Grpc { message, .. } => f.write_str(message),
            AppError::Plain { text, .. } => f.write_str(text.trim_end()),
        }
    }
}

impl std::error::Error for AppError {}

impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> Self {
        AppError::Message(e.to_string())
    }
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_form() {
        assert_eq!(
            AppError::msg("Endpoint is not set. (service=identity)").render(),
            "ERROR: Endpoint is not set. (service=identity)\n\n"
        );
    }

    #[test]
    fn grpc_block_has_trailing_space_after_error() {
        let e = AppError::grpc(
            "ERROR_GRPC_CONNECTION",
            "UNAVAILABLE",
            "Server is unavailable. (channel = localhost:59999, message = failed to connect to all addresses)",
        );
        assert_eq!(
            e.render(),
            "ERROR: \n\terror_code = ERROR_GRPC_CONNECTION\n\tstatus_code = UNAVAILABLE\n\tmessage = Server is unavailable. (channel = localhost:59999, message = failed to connect to all addresses)\n\n"
        );
    }

    #[test]
    fn plain_keeps_code() {
        let e = AppError::plain("Please Selector only one column for quiet output.", 1);
        assert_eq!(
            e.render(),
            "Please Selector only one column for quiet output.\n"
        );
        assert_eq!(e.exit_code(), 1);
    }
}
