//! The gRPC client: endpoint → channel, service discovery by reflection (with a
//! per-endpoint descriptor cache), resource/verb resolution, dynamic calls and
//! status → error mapping.
//!
//! Typical use from a command:
//! ```text
//! let target = resolve::parse_resource("plugin.Collector")?;
//! block_on(async {
//!     let mut session = Session::open(&url, &Options::default()).await?;
//!     let method = session.method(&target, "init", "v1").await?;
//!     session.call(&method, request, &metadata, |msg| { ...; Ok(()) }).await
//! })
//! ```

pub mod cache;
pub mod channel;
pub mod codec;
pub mod descriptors;
pub mod invoke;
pub mod reflection;
pub mod resolve;
pub mod status;
pub mod tls;

use std::future::Future;
use std::time::Duration;

use prost_reflect::{DynamicMessage, MethodDescriptor};

use self::cache::DescriptorCache;
use self::channel::{Connection, EndpointUrl};
use self::descriptors::{Catalog, Origin, Prefetch};
use self::resolve::Target;
pub use self::tls::TlsFiles;
use crate::error::{AppError, Result};

/// Run a client future on a single-threaded runtime (fast to start).
pub fn block_on<T, F>(future: F) -> Result<T>
where
    F: Future<Output = Result<T>>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| AppError::msg(format!("Cannot start the async runtime. ({e})")))?;
    runtime.block_on(future)
}

/// Options of a session.
#[derive(Debug, Clone)]
pub struct Options {
    /// Read and write the descriptor cache.
    pub use_cache: bool,
    /// Cache location; `None` means the default directory.
    pub cache_dir: Option<std::path::PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            use_cache: true,
            cache_dir: None,
        }
    }
}

/// How long connecting and discovering an endpoint's services may take in
/// total. It bounds a server that accepts the TCP connection but never answers
/// (upstream's gRPC core gives up on such a server after 20 s as well).
pub const DISCOVERY_TIMEOUT: Duration = Duration::from_secs(20);

/// The connection block for an endpoint that did not answer in time.
fn no_answer(label: &str, limit: Duration) -> AppError {
    status::connection_error(
        label,
        &format!("no answer within {} seconds", limit.as_secs_f64()),
    )
}

/// An open connection to one endpoint with the services it offers.
pub struct Session {
    conn: Connection,
    url: EndpointUrl,
    catalog: Catalog,
    origin: Origin,
    cache: Option<DescriptorCache>,
}

impl Session {
    /// Parse the URL, connect and discover the services, within
    /// [`DISCOVERY_TIMEOUT`].
    pub async fn open(endpoint_url: &str, options: &Options) -> Result<Session> {
        Self::open_with(endpoint_url, options, &TlsFiles::default()).await
    }

    /// [`Session::open`] with these TLS files for a `grpc+ssl://` endpoint (CA file,
    /// client certificate and key; the system roots when none are given).
    pub async fn open_with(
        endpoint_url: &str,
        options: &Options,
        tls: &TlsFiles,
    ) -> Result<Session> {
        Self::open_within(endpoint_url, options, tls, DISCOVERY_TIMEOUT).await
    }

    /// [`Session::open_with`] with its own bound on connecting and discovering.
    pub async fn open_within(
        endpoint_url: &str,
        options: &Options,
        tls: &TlsFiles,
        limit: Duration,
    ) -> Result<Session> {
        let url = channel::parse_endpoint(endpoint_url)?;
        let cache = if options.use_cache {
            match &options.cache_dir {
                Some(dir) => Some(DescriptorCache::at(dir.clone())),
                None => DescriptorCache::open_default(),
            }
        } else {
            None
        };
        // The cache entry is decoded once the services are listed.
        let key = channel::cache_key(&url);
        let prefetch = Prefetch::start(cache.as_ref(), &key);
        let discovery = async {
            let conn = channel::connect(&url, tls).await?;
            match descriptors::load(&conn, &key, cache.as_ref(), prefetch).await {
                Ok((catalog, origin)) => Ok((conn, catalog, origin)),
                Err(e) => Err(conn.explain(e)),
            }
        };
        let (conn, catalog, origin) = tokio::time::timeout(limit, discovery)
            .await
            .map_err(|_| no_answer(&url.target(), limit))??;
        Ok(Session {
            conn,
            url,
            catalog,
            origin,
            cache,
        })
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Re-discover by reflection, ignoring (and then replacing) the cache entry.
    async fn refresh(&mut self) -> Result<()> {
        let key = channel::cache_key(&self.url);
        if let Some(c) = &self.cache {
            c.remove(&key);
        }
        let discovery = descriptors::load(&self.conn, &key, self.cache.as_ref(), Prefetch::none());
        let (catalog, origin) = tokio::time::timeout(DISCOVERY_TIMEOUT, discovery)
            .await
            .map_err(|_| no_answer(&self.conn.label, DISCOVERY_TIMEOUT))?
            .map_err(|e| self.conn.explain(e))?;
        self.catalog = catalog;
        self.origin = origin;
        Ok(())
    }

    fn locate(&self, target: &Target, verb: &str, api_version: &str) -> Result<MethodDescriptor> {
        let service = resolve::pick_service(self.catalog.services(), &target.resource, api_version)
            .ok_or_else(|| {
                resolve::unknown_resource(target, api_version, self.catalog.services())
            })?;
        self.catalog.method(service, verb).ok_or_else(|| {
            resolve::unknown_verb(
                target,
                api_version,
                verb,
                &self.catalog.method_names(service),
            )
        })
    }

    /// Resolve `Resource` + verb to a method. When the descriptors came from
    /// the cache and the name is not found, they are fetched again first.
    pub async fn method(
        &mut self,
        target: &Target,
        verb: &str,
        api_version: &str,
    ) -> Result<MethodDescriptor> {
        let method = match self.locate(target, verb, api_version) {
            Err(_) if self.origin == Origin::Cache => {
                self.refresh().await?;
                self.locate(target, verb, api_version)
            }
            found => found,
        }?;
        if method.is_client_streaming() {
            return Err(resolve::client_streaming_verb(target, verb));
        }
        Ok(method)
    }

    /// Call a method; every response message goes to `on_message` as it arrives.
    pub async fn call<F>(
        &self,
        method: &MethodDescriptor,
        request: DynamicMessage,
        metadata: &[(String, String)],
        on_message: F,
    ) -> Result<()>
    where
        F: FnMut(DynamicMessage) -> Result<()>,
    {
        let codec = codec::DynCodec::new(method.output());
        invoke::call(
            &self.conn,
            method,
            request,
            metadata,
            codec,
            on_message,
            || Ok(()),
        )
        .await
        .map_err(|e| self.conn.explain(e))
    }

    /// Call a method; every response goes to `on_data` as data
    /// ([`crate::output::wire::to_value`], the same as converting the decoded
    /// message) as it arrives, and `on_idle` is called whenever a stream has no
    /// further message ready, before waiting for the next one (a printer that
    /// buffers its output flushes it there).
    pub async fn call_data<F, I>(
        &self,
        method: &MethodDescriptor,
        request: DynamicMessage,
        metadata: &[(String, String)],
        on_data: F,
        on_idle: I,
    ) -> Result<()>
    where
        F: FnMut(serde_json::Value) -> Result<()>,
        I: FnMut() -> Result<()>,
    {
        let codec = codec::DataCodec::new(method.output());
        invoke::call(
            &self.conn, method, request, metadata, codec, on_data, on_idle,
        )
        .await
        .map_err(|e| self.conn.explain(e))
    }

    /// [`Session::call`] with the final status mapped by `map_status(status, channel)`.
    pub async fn call_mapped<F>(
        &self,
        method: &MethodDescriptor,
        request: DynamicMessage,
        metadata: &[(String, String)],
        on_message: F,
        map_status: fn(&tonic::Status, &str) -> AppError,
    ) -> Result<()>
    where
        F: FnMut(DynamicMessage) -> Result<()>,
    {
        let codec = codec::DynCodec::new(method.output());
        invoke::call_mapped(
            &self.conn,
            method,
            request,
            metadata,
            codec,
            on_message,
            || Ok(()),
            map_status,
        )
        .await
        .map_err(|e| self.conn.explain(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server that accepts connections and never says a word must not make
    /// a command wait forever.
    #[test]
    fn a_silent_server_is_given_up_on() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let port = listener.local_addr().unwrap().port();
            let held = tokio::spawn(async move {
                let mut open = Vec::new();
                while let Ok((socket, _)) = listener.accept().await {
                    open.push(socket);
                }
            });
            let options = Options {
                use_cache: false,
                cache_dir: None,
            };
            let url = format!("grpc://127.0.0.1:{port}");
            let limit = Duration::from_millis(300);
            let outcome = tokio::time::timeout(
                Duration::from_secs(10),
                Session::open_within(&url, &options, &TlsFiles::default(), limit),
            )
            .await
            .expect("opening a session on a silent server must end");
            let err = outcome.err().expect("a silent server is an error");
            assert_eq!(
                err.render(),
                format!(
                    "ERROR: \n\terror_code = ERROR_GRPC_CONNECTION\n\tstatus_code = UNAVAILABLE\n\tmessage = Server is unavailable. (channel = 127.0.0.1:{port}, message = no answer within 0.3 seconds)\n\n"
                )
            );
            held.abort();
        });
    }

    #[test]
    fn the_discovery_bound_matches_upstream() {
        assert_eq!(DISCOVERY_TIMEOUT, Duration::from_secs(20));
        assert_eq!(
            no_answer("localhost:1", DISCOVERY_TIMEOUT).render(),
            "ERROR: \n\terror_code = ERROR_GRPC_CONNECTION\n\tstatus_code = UNAVAILABLE\n\tmessage = Server is unavailable. (channel = localhost:1, message = no answer within 20 seconds)\n\n"
        );
    }
}
