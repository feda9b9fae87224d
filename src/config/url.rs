//! Endpoint URLs: `grpc://HOST:PORT` (plaintext) and `grpc+ssl://HOST:PORT` (TLS).
//!
//! Parsing follows the upstream reading of such URLs: the scheme is case-insensitive,
//! user info, path, query and fragment are ignored, the host is lower-cased. Unlike
//! upstream, IPv6 literals in brackets (`grpc://[::1]:50051`) are understood.

use crate::error::{AppError, Result};

/// A URL as far as it could be read: scheme and host are known, the port may be absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedEndpoint {
    /// `true` for `grpc+ssl`.
    pub tls: bool,
    /// Host name or address, lower-cased, without brackets.
    pub host: String,
    /// Port, when the URL has one.
    pub port: Option<u16>,
}

/// A complete endpoint: scheme, host and port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointUrl {
    /// `true` for `grpc+ssl`.
    pub tls: bool,
    /// Host name or address, lower-cased, without brackets.
    pub host: String,
    pub port: u16,
}

impl EndpointUrl {
    /// `grpc` or `grpc+ssl`.
    pub fn scheme(&self) -> &'static str {
        if self.tls { "grpc+ssl" } else { "grpc" }
    }

    /// `host:port`, with brackets around an IPv6 address.
    pub fn target(&self) -> String {
        host_port(&self.host, self.port)
    }

    /// The URI for an HTTP/2 transport: `http://host:port` or `https://host:port`.
    pub fn http_uri(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.target())
    }
}

fn host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

fn invalid(url: &str, reason: Option<&str>) -> AppError {
    match reason {
        None => AppError::msg(format!("Endpoint is invalid. (endpoint={url})")),
        Some(r) => AppError::msg(format!("Endpoint is invalid. (endpoint={url}, reason={r})")),
    }
}

/// Read scheme, host and optional port.
///
/// A scheme other than `grpc`/`grpc+ssl`, or text that is not a URL at all (e.g.
/// `localhost:50051`), gives the upstream text `Endpoint is invalid. (endpoint=<url>)`.
pub fn parse_endpoint_url(url: &str) -> Result<ParsedEndpoint> {
    let (scheme, rest) = url.split_once("://").ok_or_else(|| invalid(url, None))?;
    let tls = match scheme.to_ascii_lowercase().as_str() {
        "grpc" => false,
        "grpc+ssl" => true,
        _ => return Err(invalid(url, None)),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let host_and_port = match authority.rfind('@') {
        Some(i) => &authority[i + 1..],
        None => authority,
    };
    let (host, port_text) = if let Some(after_bracket) = host_and_port.strip_prefix('[') {
        let close = after_bracket
            .find(']')
            .ok_or_else(|| invalid(url, Some("unclosed '[' in host")))?;
        let host = &after_bracket[..close];
        let tail = &after_bracket[close + 1..];
        let port = match tail.strip_prefix(':') {
            Some(p) => Some(p),
            None if tail.is_empty() => None,
            None => return Err(invalid(url, Some("unexpected text after ']'"))),
        };
        (host, port)
    } else {
        match host_and_port.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_and_port, None),
        }
    };
    if host.is_empty() {
        return Err(invalid(url, Some("host is missing")));
    }
    if host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid(url, Some("host contains whitespace")));
    }
    let port = match port_text {
        None | Some("") => None,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 && p.bytes().all(|b| b.is_ascii_digit()) => Some(n),
            _ => return Err(invalid(url, Some("port must be a number from 1 to 65535"))),
        },
    };
    Ok(ParsedEndpoint {
        tls,
        host: host.to_lowercase(),
        port,
    })
}

/// Read and check a complete endpoint URL: scheme `grpc` or `grpc+ssl`, a host and a port.
pub fn validate_endpoint_url(url: &str) -> Result<EndpointUrl> {
    let p = parse_endpoint_url(url)?;
    let port = p
        .port
        .ok_or_else(|| invalid(url, Some("port is missing")))?;
    Ok(EndpointUrl {
        tls: p.tls,
        host: p.host,
        port,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(url: &str) -> EndpointUrl {
        match validate_endpoint_url(url) {
            Ok(u) => u,
            Err(e) => panic!("{url}: {e}"),
        }
    }

    fn err(url: &str) -> String {
        match validate_endpoint_url(url) {
            Ok(u) => panic!("{url} accepted as {u:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn plain_and_tls() {
        let u = ok("grpc://localhost:50051");
        assert_eq!(
            (u.tls, u.host.as_str(), u.port),
            (false, "localhost", 50051)
        );
        assert_eq!(u.scheme(), "grpc");
        assert_eq!(u.target(), "localhost:50051");
        assert_eq!(u.http_uri(), "http://localhost:50051");
        let u = ok("grpc+ssl://Identity.Example.COM:443");
        assert_eq!(u.scheme(), "grpc+ssl");
        assert_eq!(u.target(), "identity.example.com:443");
        assert_eq!(u.http_uri(), "https://identity.example.com:443");
    }

    #[test]
    fn ignores_path_user_and_scheme_case() {
        assert_eq!(
            ok("grpc://localhost:50051/some/path").target(),
            "localhost:50051"
        );
        assert_eq!(ok("grpc://u:p@127.0.0.1:7/x?y#z").target(), "127.0.0.1:7");
        assert_eq!(ok("GRPC+SSL://h:1").scheme(), "grpc+ssl");
    }

    #[test]
    fn ipv6_in_brackets() {
        let u = ok("grpc://[::1]:50051");
        assert_eq!(u.host, "::1");
        assert_eq!(u.target(), "[::1]:50051");
        assert_eq!(u.http_uri(), "http://[::1]:50051");
        assert_eq!(
            err("grpc://[::1"),
            "Endpoint is invalid. (endpoint=grpc://[::1, reason=unclosed '[' in host)"
        );
        assert_eq!(
            err("grpc://[::1]x"),
            "Endpoint is invalid. (endpoint=grpc://[::1]x, reason=unexpected text after ']')"
        );
    }

    #[test]
    fn upstream_text_for_bad_scheme() {
        assert_eq!(
            err("http://localhost:50051"),
            "Endpoint is invalid. (endpoint=http://localhost:50051)"
        );
        assert_eq!(
            err("localhost:50051"),
            "Endpoint is invalid. (endpoint=localhost:50051)"
        );
        assert_eq!(err(""), "Endpoint is invalid. (endpoint=)");
    }

    #[test]
    fn host_and_port_required() {
        assert_eq!(
            err("grpc://localhost"),
            "Endpoint is invalid. (endpoint=grpc://localhost, reason=port is missing)"
        );
        assert_eq!(
            err("grpc://localhost:"),
            "Endpoint is invalid. (endpoint=grpc://localhost:, reason=port is missing)"
        );
        assert_eq!(
            err("grpc://:50051"),
            "Endpoint is invalid. (endpoint=grpc://:50051, reason=host is missing)"
        );
        assert_eq!(
            err("grpc+ssl://"),
            "Endpoint is invalid. (endpoint=grpc+ssl://, reason=host is missing)"
        );
        assert_eq!(
            err("grpc://h:abc"),
            "Endpoint is invalid. (endpoint=grpc://h:abc, reason=port must be a number from 1 to 65535)"
        );
        assert_eq!(
            err("grpc://h:70000"),
            "Endpoint is invalid. (endpoint=grpc://h:70000, reason=port must be a number from 1 to 65535)"
        );
        assert_eq!(
            err("grpc://h:0"),
            "Endpoint is invalid. (endpoint=grpc://h:0, reason=port must be a number from 1 to 65535)"
        );
        assert_eq!(
            err("grpc://h:+5"),
            "Endpoint is invalid. (endpoint=grpc://h:+5, reason=port must be a number from 1 to 65535)"
        );
        assert_eq!(
            err("grpc://a b:5"),
            "Endpoint is invalid. (endpoint=grpc://a b:5, reason=host contains whitespace)"
        );
    }

    #[test]
    fn port_is_optional_when_parsing() {
        let p = parse_endpoint_url("grpc://LocalHost").unwrap();
        assert_eq!(
            p,
            ParsedEndpoint {
                tls: false,
                host: "localhost".into(),
                port: None
            }
        );
    }
}
