//! Endpoint URL → tonic `Channel` (plaintext `grpc://` or TLS `grpc+ssl://`).
//!
//! Like upstream, a plain TCP connect with a 3 s timeout is tried first, so an
//! unreachable server gives the connection block with "failed to connect to
//! all addresses"; a failure after that on a `grpc+ssl://` endpoint is a TLS
//! handshake failure.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use tokio::net::TcpStream;
use tonic::codegen::http::Uri;
use tonic::transport::{Channel, ClientTlsConfig, Endpoint};

use super::status::{connection_error, root_cause, tls_handshake_error};
use crate::error::AppError;

pub use crate::config::EndpointUrl;

/// Connect timeout for the TCP check and the channel.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// A stable identity of an endpoint for caches: scheme, host and port.
pub fn cache_key(url: &EndpointUrl) -> String {
    format!("{}://{}", url.scheme(), url.target())
}

/// Parse `grpc://host:port[/path]` or `grpc+ssl://host:port[/path]`.
///
/// A missing port gives the upstream connection block naming `host:None`.
pub fn parse_endpoint(url: &str) -> Result<EndpointUrl, AppError> {
    let parsed = crate::config::parse_endpoint_url(url)?;
    match parsed.port {
        Some(port) => Ok(EndpointUrl {
            tls: parsed.tls,
            host: parsed.host,
            port,
        }),
        None => {
            let host = if parsed.host.contains(':') {
                format!("[{}]", parsed.host)
            } else {
                parsed.host
            };
            Err(connection_error(
                &format!("{host}:None"),
                "Endpoint format is invalid. (format = <host>:<port>)",
            ))
        }
    }
}

/// An open channel to one endpoint.
#[derive(Clone, Debug)]
pub struct Connection {
    pub channel: Channel,
    /// `host:port` for error messages.
    pub label: String,
}

/// Addresses to try for a host: an IP literal as it is, `localhost` as the
/// loopback addresses (no resolver round trip), other names through the
/// system resolver.
async fn addresses(host: &str, port: u16) -> Vec<SocketAddr> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return vec![SocketAddr::new(ip, port)];
    }
    if host == "localhost" {
        return vec![
            SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port),
            SocketAddr::new(Ipv6Addr::LOCALHOST.into(), port),
        ];
    }
    match tokio::net::lookup_host((host, port)).await {
        Ok(found) => found.collect(),
        Err(_) => Vec::new(),
    }
}

/// The first address that accepts a TCP connection.
async fn first_reachable(host: &str, port: u16) -> Option<SocketAddr> {
    for addr in addresses(host, port).await {
        if TcpStream::connect(addr).await.is_ok() {
            return Some(addr);
        }
    }
    None
}

/// `http://<addr>` or `https://<addr>` for a resolved address.
fn address_uri(tls: bool, addr: SocketAddr) -> String {
    let scheme = if tls { "https" } else { "http" };
    format!("{scheme}://{addr}")
}

/// Check TCP reachability (3 s), then open the HTTP/2 channel to the address
/// that answered, keeping the host name for `:authority` and TLS (system roots).
pub async fn connect(url: &EndpointUrl) -> Result<Connection, AppError> {
    let label = url.target();
    let unreachable = || connection_error(&label, "failed to connect to all addresses");
    let addr = tokio::time::timeout(CONNECT_TIMEOUT, first_reachable(&url.host, url.port))
        .await
        .ok()
        .flatten()
        .ok_or_else(unreachable)?;

    let bad_format = || {
        connection_error(
            &label,
            "Endpoint format is invalid. (format = <host>:<port>)",
        )
    };
    let origin: Uri = url.http_uri().parse().map_err(|_| bad_format())?;
    let mut endpoint = Endpoint::from_shared(address_uri(url.tls, addr))
        .map_err(|_| bad_format())?
        .origin(origin)
        .connect_timeout(CONNECT_TIMEOUT)
        .tcp_nodelay(true);
    if url.tls {
        let tls = ClientTlsConfig::new()
            .with_native_roots()
            .domain_name(url.host.clone());
        endpoint = endpoint
            .tls_config(tls)
            .map_err(|e| tls_handshake_error(&root_cause(&e)))?;
    }
    match endpoint.connect().await {
        Ok(channel) => Ok(Connection { channel, label }),
        Err(e) if url.tls => Err(tls_handshake_error(&root_cause(&e))),
        Err(e) => Err(connection_error(&label, &root_cause(&e))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(url: &str) -> EndpointUrl {
        parse_endpoint(url).unwrap()
    }

    #[test]
    fn plaintext_and_tls() {
        let u = ok("grpc://localhost:50051/some/path");
        assert_eq!((u.tls, u.target().as_str()), (false, "localhost:50051"));
        assert_eq!(cache_key(&u), "grpc://localhost:50051");
        let t = ok("grpc+ssl://Identity.Example.com:443");
        assert_eq!(t.http_uri(), "https://identity.example.com:443");
        assert_eq!(cache_key(&t), "grpc+ssl://identity.example.com:443");
        assert_eq!(cache_key(&ok("grpc://[::1]:7")), "grpc://[::1]:7");
    }

    #[test]
    fn address_uris() {
        let v4: SocketAddr = "127.0.0.1:50051".parse().unwrap();
        let v6: SocketAddr = "[::1]:7".parse().unwrap();
        assert_eq!(address_uri(false, v4), "http://127.0.0.1:50051");
        assert_eq!(address_uri(true, v6), "https://[::1]:7");
    }

    #[test]
    fn literal_and_localhost_addresses_need_no_resolver() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        assert_eq!(
            rt.block_on(addresses("localhost", 5)),
            vec![
                "127.0.0.1:5".parse::<SocketAddr>().unwrap(),
                "[::1]:5".parse().unwrap()
            ]
        );
        assert_eq!(
            rt.block_on(addresses("::1", 6)),
            vec!["[::1]:6".parse::<SocketAddr>().unwrap()]
        );
        assert_eq!(
            rt.block_on(addresses("10.1.2.3", 7)),
            vec!["10.1.2.3:7".parse::<SocketAddr>().unwrap()]
        );
    }

    #[test]
    fn unsupported_schemes() {
        for url in ["http://localhost:50051", "localhost:50051"] {
            assert_eq!(
                parse_endpoint(url).unwrap_err().render(),
                format!("ERROR: Endpoint is invalid. (endpoint={url})\n\n"),
                "{url}"
            );
        }
    }

    #[test]
    fn missing_port() {
        for url in [
            "grpc://localhost",
            "grpc://localhost:",
            "grpc://LOCALHOST/x",
        ] {
            assert_eq!(
                parse_endpoint(url).unwrap_err().render(),
                "ERROR: \n\terror_code = ERROR_GRPC_CONNECTION\n\tstatus_code = UNAVAILABLE\n\tmessage = Server is unavailable. (channel = localhost:None, message = Endpoint format is invalid. (format = <host>:<port>))\n\n",
                "{url}"
            );
        }
        assert!(
            parse_endpoint("grpc://[::1]")
                .unwrap_err()
                .render()
                .contains("channel = [::1]:None")
        );
    }
}
