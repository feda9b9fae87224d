//! Endpoint URL → tonic `Channel` (plaintext `grpc://` or TLS `grpc+ssl://`).
//!
//! Like upstream, a plain TCP connect with a 3 s timeout is tried first, so an
//! unreachable server gives the connection block with "failed to connect to
//! all addresses"; a failure after that on a `grpc+ssl://` endpoint is a TLS
//! handshake failure. TLS is done here (rustls, see [`super::tls`]) rather than by
//! tonic, so that the server's certificate is checked the way Python gRPC checks it.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::ClientConfig;
use tokio_rustls::rustls::pki_types::ServerName;
use tonic::codegen::Service;
use tonic::codegen::http::Uri;
use tonic::transport::{Channel, Endpoint};

use super::status::{connection_error, root_cause, tls_handshake_error};
use super::tls::{self, TlsFiles};
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
    /// The first TLS error the connection met after its handshake (e.g. the server's
    /// refusal of the client certificate, which TLS 1.3 sends after the handshake),
    /// and what the handshakes showed about client authentication.
    tls_failure: Option<(TlsFailure, Arc<tls::ClientAuth>)>,
}

impl Connection {
    /// The error to report for a call that failed because the server dropped the
    /// connection: a TLS alert it sent, or its request for a client certificate,
    /// explains it better than the cancelled call does. (The alert itself may be
    /// lost when the server resets the connection.)
    pub fn explain(&self, error: AppError) -> AppError {
        let Some((failure, auth)) = &self.tls_failure else {
            return error;
        };
        if !is_dropped_connection(&error.to_string()) {
            return error;
        }
        match auth.reason(failure.get()) {
            Some(reason) => tls_handshake_error(&reason),
            None => error,
        }
    }
}

/// Whether an error text is that of a call whose connection went away (as opposed
/// to an answer of the server).
fn is_dropped_connection(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    text.contains("server is unavailable.")
        && [
            "transport error",
            "operation was canceled",
            "connection reset",
            "broken pipe",
            "connection closed",
            "connection error",
        ]
        .iter()
        .any(|t| text.contains(t))
}

/// Where a connection's streams record the first TLS error they read or write.
#[derive(Clone, Debug, Default)]
struct TlsFailure(Arc<Mutex<Option<String>>>);

impl TlsFailure {
    fn get(&self) -> Option<String> {
        self.0.lock().ok().and_then(|slot| slot.clone())
    }

    fn note(&self, e: &std::io::Error) {
        let is_tls = e
            .get_ref()
            .is_some_and(|inner| inner.is::<tokio_rustls::rustls::Error>());
        if is_tls && let Ok(mut slot) = self.0.lock() {
            slot.get_or_insert_with(|| e.to_string());
        }
    }
}

/// A TLS stream whose errors are noted in a [`TlsFailure`].
struct Watched {
    inner: TlsStream<TcpStream>,
    failure: TlsFailure,
}

impl Watched {
    fn noted<T>(&self, p: Poll<std::io::Result<T>>) -> Poll<std::io::Result<T>> {
        if let Poll::Ready(Err(e)) = &p {
            self.failure.note(e);
        }
        p
    }

    /// After a failed write: the peer may have closed the connection right after
    /// sending a TLS alert that nobody has read yet. Read what is already there
    /// (never waiting), so that the alert is noted; the connection is broken anyway.
    fn read_the_alert(&mut self, cx: &mut Context<'_>) {
        let mut scratch = [0u8; 1024];
        for _ in 0..16 {
            let mut buf = ReadBuf::new(&mut scratch);
            match Pin::new(&mut self.inner).poll_read(cx, &mut buf) {
                Poll::Ready(Ok(())) if !buf.filled().is_empty() => continue,
                Poll::Ready(Err(e)) => {
                    self.failure.note(&e);
                    return;
                }
                _ => return,
            }
        }
    }

    fn noted_write<T>(
        &mut self,
        cx: &mut Context<'_>,
        p: Poll<std::io::Result<T>>,
    ) -> Poll<std::io::Result<T>> {
        if let Poll::Ready(Err(e)) = &p {
            self.failure.note(e);
            self.read_the_alert(cx);
        }
        p
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let p = Pin::new(&mut self.inner).poll_read(cx, buf);
        self.noted(p)
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let p = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.noted_write(cx, p)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let p = Pin::new(&mut self.inner).poll_flush(cx);
        self.noted_write(cx, p)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let p = Pin::new(&mut self.inner).poll_shutdown(cx);
        self.noted_write(cx, p)
    }
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

/// Opens TCP to one address and runs the TLS handshake on it, for every
/// connection the channel makes (reconnects included).
#[derive(Clone)]
struct TlsDialer {
    addr: SocketAddr,
    config: Arc<ClientConfig>,
    name: ServerName<'static>,
    failure: TlsFailure,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl Service<Uri> for TlsDialer {
    type Response = TokioIo<Watched>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Uri) -> Self::Future {
        let dialer = self.clone();
        Box::pin(async move {
            let tcp = TcpStream::connect(dialer.addr).await?;
            tcp.set_nodelay(true)?;
            let stream = TlsConnector::from(dialer.config)
                .connect(dialer.name, tcp)
                .await?;
            if stream.get_ref().1.alpn_protocol() != Some(tls::ALPN_H2) {
                return Err("the server did not accept HTTP/2 (ALPN h2)".into());
            }
            Ok(TokioIo::new(Watched {
                inner: stream,
                failure: dialer.failure,
            }))
        })
    }
}

/// Check TCP reachability (3 s), then open the HTTP/2 channel to the address
/// that answered, keeping the host name for `:authority` and TLS. `tls` names the
/// trusted certificates and the client certificate of a `grpc+ssl://` endpoint.
pub async fn connect(url: &EndpointUrl, tls: &TlsFiles) -> Result<Connection, AppError> {
    let label = url.target();
    // Certificate files are read before anything is sent: their errors are the user's
    // to fix, not the server's.
    let tls_setup = if url.tls {
        Some((tls::client_config(tls)?, tls::server_name(&url.host)?))
    } else {
        None
    };
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
    // The channel's own URI is plaintext: TLS is done by the dialer, while `origin`
    // gives the requests their `https` scheme and `host:port` authority.
    let endpoint = Endpoint::from_shared(address_uri(false, addr))
        .map_err(|_| bad_format())?
        .origin(origin)
        .connect_timeout(CONNECT_TIMEOUT)
        .tcp_nodelay(true);
    let mut tls_failure = None;
    let connected = match tls_setup {
        Some(((config, auth), name)) => {
            let failure = TlsFailure::default();
            tls_failure = Some((failure.clone(), auth));
            let dialer = TlsDialer {
                addr,
                config,
                name,
                failure,
            };
            endpoint.connect_with_connector(dialer).await
        }
        None => endpoint.connect().await,
    };
    match connected {
        Ok(channel) => Ok(Connection {
            channel,
            label,
            tls_failure,
        }),
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
    fn dropped_connections() {
        let block = |m: &str| connection_error("h:1", m).to_string();
        assert!(is_dropped_connection(&block("transport error")));
        assert!(is_dropped_connection(&block("operation was canceled")));
        assert!(is_dropped_connection(&block(
            "Connection reset by peer (os error 104)"
        )));
        assert!(!is_dropped_connection(&block("Method not found")));
        assert!(!is_dropped_connection("transport error"));
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
