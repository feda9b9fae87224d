//! Server status and transport failures → `AppError` with the upstream texts (pure).

use tonic::{Code, Status};

use crate::error::AppError;

/// Error code of the connection block.
pub const ERROR_GRPC_CONNECTION: &str = "ERROR_GRPC_CONNECTION";
/// Error code of the TLS handshake block.
pub const ERROR_GRPC_TLS_HANDSHAKE: &str = "ERROR_GRPC_TLS_HANDSHAKE";

const UNAUTHENTICATED_TEXT: &str =
    "The api_key is not set or incorrect. (Use \"spacectl config init\")";

/// `Server is unavailable. (channel = <host:port>, message = <message>)`.
pub fn unavailable_text(channel: &str, message: &str) -> String {
    format!("Server is unavailable. (channel = {channel}, message = {message})")
}

/// The multi-line connection block raised while connecting or discovering services.
pub fn connection_error(channel: &str, message: &str) -> AppError {
    AppError::grpc(
        ERROR_GRPC_CONNECTION,
        "UNAVAILABLE",
        unavailable_text(channel, message),
    )
}

/// The multi-line block for a failed TLS handshake.
pub fn tls_handshake_error(reason: &str) -> AppError {
    AppError::grpc(
        ERROR_GRPC_TLS_HANDSHAKE,
        "UNAVAILABLE",
        format!("TLS handshake failed. (reason = {reason})"),
    )
}

/// The upper-case gRPC name of a status code (`INVALID_ARGUMENT`).
pub fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

/// The printable part of status details: `ERROR_X: msg` gives `msg`; other
/// details are kept whole.
pub fn strip_error_code(details: &str) -> &str {
    if details.starts_with("ERROR_")
        && let Some((_, rest)) = details.split_once(':')
    {
        return rest.trim();
    }
    details
}

/// Map a status returned by an API call (after retries) to the error printed.
pub fn call_error(status: &Status, channel: &str) -> AppError {
    let details = status.message();
    match status.code() {
        Code::Unauthenticated => AppError::msg(UNAUTHENTICATED_TEXT),
        Code::PermissionDenied => AppError::msg("Permission denied."),
        Code::Unavailable => AppError::msg(unavailable_text(channel, details)),
        code if details.trim().is_empty() => AppError::msg(code_name(code)),
        _ => AppError::msg(strip_error_code(details)),
    }
}

/// The innermost cause of an error chain, which carries the useful text
/// (`Connection refused`, the TLS alert, ...).
pub fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut current = err;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CH: &str = "localhost:50051";

    fn printed(status: Status) -> String {
        call_error(&status, CH).render()
    }

    #[test]
    fn error_prefix_is_stripped() {
        assert_eq!(
            printed(Status::invalid_argument(
                "ERROR_REQUIRED_PARAMETER: Required parameter. (key = options)"
            )),
            "ERROR: Required parameter. (key = options)\n\n"
        );
        assert_eq!(
            printed(Status::unknown(
                "ERROR_UNKNOWN: 'NoneType' object is not callable"
            )),
            "ERROR: 'NoneType' object is not callable\n\n"
        );
        // Only the first ':' splits.
        assert_eq!(
            printed(Status::not_found(
                "ERROR_NOT_FOUND: Value not found. (a = b: c)"
            )),
            "ERROR: Value not found. (a = b: c)\n\n"
        );
    }

    #[test]
    fn plain_details_are_kept() {
        assert_eq!(
            printed(Status::internal("something broke without code")),
            "ERROR: something broke without code\n\n"
        );
        assert_eq!(
            printed(Status::internal("ERROR_X no colon")),
            "ERROR: ERROR_X no colon\n\n"
        );
    }

    #[test]
    fn auth_and_permission() {
        assert_eq!(
            printed(Status::unauthenticated(
                "ERROR_AUTHENTICATE_FAILURE: bad token"
            )),
            "ERROR: The api_key is not set or incorrect. (Use \"spacectl config init\")\n\n"
        );
        assert_eq!(
            printed(Status::unauthenticated("")),
            "ERROR: The api_key is not set or incorrect. (Use \"spacectl config init\")\n\n"
        );
        assert_eq!(
            printed(Status::permission_denied("ERROR_PERMISSION_DENIED: no")),
            "ERROR: Permission denied.\n\n"
        );
    }

    #[test]
    fn unavailable_names_the_channel() {
        assert_eq!(
            printed(Status::unavailable("backend down")),
            "ERROR: Server is unavailable. (channel = localhost:50051, message = backend down)\n\n"
        );
    }

    #[test]
    fn empty_details_name_the_code() {
        assert_eq!(
            printed(Status::unimplemented("")),
            "ERROR: UNIMPLEMENTED\n\n"
        );
    }

    #[test]
    fn connection_blocks() {
        assert_eq!(
            connection_error("localhost:59999", "failed to connect to all addresses").render(),
            "ERROR: \n\terror_code = ERROR_GRPC_CONNECTION\n\tstatus_code = UNAVAILABLE\n\tmessage = Server is unavailable. (channel = localhost:59999, message = failed to connect to all addresses)\n\n"
        );
        assert_eq!(
            tls_handshake_error("received corrupt message").render(),
            "ERROR: \n\terror_code = ERROR_GRPC_TLS_HANDSHAKE\n\tstatus_code = UNAVAILABLE\n\tmessage = TLS handshake failed. (reason = received corrupt message)\n\n"
        );
    }

    #[test]
    fn root_cause_walks_the_chain() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("transport error")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let e = Outer(std::io::Error::other("inner reason"));
        assert_eq!(root_cause(&e), "inner reason");
    }
}
