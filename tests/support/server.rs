//! A gRPC test server whose services exist only at run time.
//!
//! The test protos under `tests/support/proto/` are compiled with protox when a
//! server starts; requests are decoded as `DynamicMessage`s and answered by a
//! small dispatcher mounted on an axum route; reflection comes from
//! tonic-reflection (v1alpha and v1, or v1 only). Each server binds
//! 127.0.0.1 on a free port and stops when dropped.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::thread::JoinHandle;
use std::time::Duration;

use prost::Message;
use prost_reflect::{
    DescriptorPool, DynamicMessage, MessageDescriptor, MethodDescriptor, SerializeOptions,
};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tokio_stream::wrappers::{ReceiverStream, TcpListenerStream};
use tonic::body::Body;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::codegen::http;
use tonic::metadata::{KeyAndValueRef, MetadataMap};
use tonic::service::Routes;
use tonic::{Code, Request, Response, Status};
use tower::ServiceExt;

/// The proto files served, in the order their services are listed.
pub const PROTO_FILES: [&str; 3] = [
    "spacectl/test/v1/echo.proto",
    "spaceone/api/identity/v1/provider.proto",
    "spaceone/api/identity/v2/provider.proto",
];

/// Services listed by reflection, in this order.
pub const SERVICES: [&str; 3] = [
    "spacectl.test.v1.Echo",
    "spaceone.api.identity.v1.Provider",
    "spaceone.api.identity.v2.Provider",
];

/// Which reflection services the server offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reflection {
    /// v1alpha and v1, not listing the reflection service.
    Both,
    /// Only v1 (v1alpha answers UNIMPLEMENTED).
    V1Only,
    /// v1alpha and v1, listing `grpc.reflection.v1alpha.ServerReflection` first.
    ListingItself,
}

pub fn proto_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/proto")
}

/// The encoded FileDescriptorSet of the test protos (with their imports).
pub fn file_descriptor_set() -> Vec<u8> {
    protox::Compiler::new([proto_dir()])
        .expect("proto include dir")
        .include_imports(true)
        .include_source_info(false)
        .open_files(PROTO_FILES)
        .expect("test protos compile")
        .encode_file_descriptor_set()
}

// ------------------------------------------------------------------ codec

#[derive(Clone)]
struct DynCodec {
    decode: MessageDescriptor,
}

struct DynEncoder;
struct DynDecoder(MessageDescriptor);

impl Codec for DynCodec {
    type Encode = DynamicMessage;
    type Decode = DynamicMessage;
    type Encoder = DynEncoder;
    type Decoder = DynDecoder;
    fn encoder(&mut self) -> DynEncoder {
        DynEncoder
    }
    fn decoder(&mut self) -> DynDecoder {
        DynDecoder(self.decode.clone())
    }
}

impl Encoder for DynEncoder {
    type Item = DynamicMessage;
    type Error = Status;
    fn encode(&mut self, item: DynamicMessage, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        item.encode(dst)
            .map_err(|e| Status::internal(e.to_string()))
    }
}

impl Decoder for DynDecoder {
    type Item = DynamicMessage;
    type Error = Status;
    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<DynamicMessage>, Status> {
        DynamicMessage::decode(self.0.clone(), src)
            .map(Some)
            .map_err(|e| Status::internal(e.to_string()))
    }
}

// ------------------------------------------------------------------ handlers

/// What the server saw: calls per method name, flaky counters.
#[derive(Default)]
pub struct State {
    calls: Mutex<HashMap<String, usize>>,
    flaky: Mutex<HashMap<String, i64>>,
}

impl State {
    fn record(&self, method: &str) {
        if let Ok(mut calls) = self.calls.lock() {
            *calls.entry(method.to_string()).or_default() += 1;
        }
    }
}

fn to_json(msg: &DynamicMessage) -> Value {
    msg.serialize_with_options(
        serde_json::value::Serializer,
        &SerializeOptions::new().use_proto_field_name(true),
    )
    .unwrap_or(Value::Null)
}

fn from_json(desc: MessageDescriptor, value: Value) -> Result<DynamicMessage, Status> {
    DynamicMessage::deserialize(desc, value).map_err(|e| Status::internal(e.to_string()))
}

/// Metadata the client chose to send (transport headers left out), in order.
fn echo_metadata(md: &MetadataMap) -> Value {
    const TRANSPORT: [&str; 6] = [
        "content-type",
        "te",
        "user-agent",
        "grpc-accept-encoding",
        "grpc-encoding",
        "grpc-timeout",
    ];
    let entries: Vec<Value> = md
        .iter()
        .filter_map(|kv| match kv {
            KeyAndValueRef::Ascii(k, v) if !TRANSPORT.contains(&k.as_str()) => {
                Some(json!({"key": k.as_str(), "value": v.to_str().unwrap_or("")}))
            }
            _ => None,
        })
        .collect();
    Value::Array(entries)
}

fn int(v: &Value, key: &str) -> i64 {
    match v.get(key) {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        Some(Value::String(s)) => s.parse().unwrap_or(0),
        _ => 0,
    }
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

fn unary(
    method: &MethodDescriptor,
    state: &State,
    req: Request<DynamicMessage>,
) -> Result<DynamicMessage, Status> {
    let metadata = echo_metadata(req.metadata());
    let input = to_json(req.get_ref());
    let service = method.parent_service();
    let reply = match (service.name(), method.name()) {
        ("Echo", "echo") => json!({"request": input, "metadata": metadata}),
        ("Echo", "fail") => {
            let code = Code::from(int(&input, "code") as i32);
            return Err(Status::new(code, text(&input, "details")));
        }
        ("Echo", "flaky") => {
            let key = text(&input, "key");
            let attempts = {
                let mut flaky = state.flaky.lock().map_err(|_| Status::internal("lock"))?;
                let n = flaky.entry(key.clone()).or_default();
                *n += 1;
                *n
            };
            if attempts <= int(&input, "failures") {
                return Err(Status::unavailable(format!(
                    "flaky {key} attempt {attempts}"
                )));
            }
            json!({"attempts": attempts})
        }
        ("Echo", "nothing") => json!({}),
        ("Echo", "list") => json!({
            "results": [
                {"name": "alpha", "size": 1},
                {"name": "beta", "size": 2.5}
            ],
            "total_count": 7
        }),
        ("Provider", "get") => {
            let version = service
                .package_name()
                .rsplit('.')
                .next()
                .unwrap_or("")
                .to_string();
            json!({"provider": text(&input, "provider"), "version": version})
        }
        _ => return Err(Status::unimplemented("")),
    };
    from_json(method.output(), reply)
}

type ReplyStream = ReceiverStream<Result<DynamicMessage, Status>>;

fn streaming(
    method: &MethodDescriptor,
    req: Request<DynamicMessage>,
) -> Result<ReplyStream, Status> {
    if method.name() != "count" {
        return Err(Status::unimplemented(""));
    }
    let input = to_json(req.get_ref());
    let n = int(&input, "n").clamp(0, 1000);
    let delay = Duration::from_millis(int(&input, "delay_ms").clamp(0, 10_000) as u64);
    let fail_after = int(&input, "fail_after");
    let output = method.output();
    let (tx, rx) = mpsc::channel(4);
    tokio::spawn(async move {
        for i in 1..=n {
            if fail_after > 0 && i > fail_after {
                let _ = tx.send(Err(Status::unavailable("backend down"))).await;
                return;
            }
            if i > 1 && !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            let item = from_json(output.clone(), json!({"index": i}));
            if tx.send(item).await.is_err() {
                return;
            }
        }
    });
    Ok(ReceiverStream::new(rx))
}

/// Routes every method of one service to the handlers above.
#[derive(Clone)]
struct Dispatch {
    pool: DescriptorPool,
    state: Arc<State>,
}

impl tower::Service<http::Request<Body>> for Dispatch {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        let method = req
            .uri()
            .path()
            .trim_start_matches('/')
            .split_once('/')
            .and_then(|(svc, m)| {
                self.pool
                    .get_service_by_name(svc)
                    .and_then(|s| s.methods().find(|x| x.name() == m))
            });
        let state = self.state.clone();
        Box::pin(async move {
            let Some(method) = method else {
                return Ok(Status::unimplemented("").into_http());
            };
            state.record(method.name());
            let mut grpc = tonic::server::Grpc::new(DynCodec {
                decode: method.input(),
            });
            let response = if method.is_client_streaming() {
                Status::unimplemented("").into_http()
            } else if method.is_server_streaming() {
                let m = method.clone();
                let svc = tower::service_fn(move |r: Request<DynamicMessage>| {
                    let result = streaming(&m, r).map(Response::new);
                    async move { result }
                });
                grpc.server_streaming(svc, req).await
            } else {
                let m = method.clone();
                let st = state.clone();
                let svc = tower::service_fn(move |r: Request<DynamicMessage>| {
                    let result = unary(&m, &st, r).map(Response::new);
                    async move { result }
                });
                grpc.unary(svc, req).await
            };
            Ok(response)
        })
    }
}

// ------------------------------------------------------------------ server

/// A running test server; stops when dropped.
pub struct TestServer {
    pub port: u16,
    state: Arc<State>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    pub fn start(mode: Reflection) -> TestServer {
        Self::start_with(mode, None)
    }

    /// Serve TLS with this PEM certificate chain and key.
    pub fn start_tls(mode: Reflection, cert_pem: &[u8], key_pem: &[u8]) -> TestServer {
        let identity = tonic::transport::Identity::from_pem(cert_pem, key_pem);
        Self::start_with(
            mode,
            Some(tonic::transport::ServerTlsConfig::new().identity(identity)),
        )
    }

    /// Serve TLS and require a client certificate issued by the authority in
    /// `client_ca_pem` (mutual TLS).
    pub fn start_mtls(
        mode: Reflection,
        cert_pem: &[u8],
        key_pem: &[u8],
        client_ca_pem: &[u8],
    ) -> TestServer {
        let identity = tonic::transport::Identity::from_pem(cert_pem, key_pem);
        let config = tonic::transport::ServerTlsConfig::new()
            .identity(identity)
            .client_ca_root(tonic::transport::Certificate::from_pem(client_ca_pem));
        Self::start_with(mode, Some(config))
    }

    fn start_with(mode: Reflection, tls: Option<tonic::transport::ServerTlsConfig>) -> TestServer {
        let fds = file_descriptor_set();
        let pool = DescriptorPool::decode(fds.as_slice()).expect("descriptor pool");
        let state = Arc::new(State::default());

        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("local addr").port();

        let (tx, rx) = oneshot::channel::<()>();
        let dispatch = Dispatch {
            pool,
            state: state.clone(),
        };
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let routes = routes(mode, &fds, dispatch);
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                let mut builder = tonic::transport::Server::builder();
                if let Some(config) = tls {
                    builder = builder.tls_config(config).expect("server TLS config");
                }
                let serve = builder
                    .add_routes(routes)
                    .serve_with_incoming(TcpListenerStream::new(listener));
                tokio::select! {
                    _ = serve => {}
                    _ = rx => {}
                }
            });
            rt.shutdown_timeout(Duration::from_secs(2));
        });
        TestServer {
            port,
            state,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    /// `grpc://127.0.0.1:<port>`
    pub fn url(&self) -> String {
        format!("grpc://127.0.0.1:{}", self.port)
    }

    /// How many times a method (by name) was called.
    pub fn calls(&self, method: &str) -> usize {
        self.state
            .calls
            .lock()
            .map(|c| c.get(method).copied().unwrap_or(0))
            .unwrap_or(0)
    }
}

fn routes(mode: Reflection, fds: &[u8], dispatch: Dispatch) -> Routes {
    let builder = || {
        let mut b = tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(fds)
            .include_reflection_service(mode == Reflection::ListingItself);
        if mode == Reflection::ListingItself {
            b = b.with_service_name("grpc.reflection.v1alpha.ServerReflection");
        }
        for s in SERVICES {
            b = b.with_service_name(s);
        }
        b
    };
    let mut routes = Routes::default();
    if mode != Reflection::V1Only {
        routes = routes.add_service(builder().build_v1alpha().expect("reflection v1alpha"));
    }
    routes = routes.add_service(builder().build_v1().expect("reflection v1"));
    let mut router = routes.into_axum_router();
    for service in SERVICES {
        router = router.route_service(
            &format!("/{service}/{{*rest}}"),
            dispatch
                .clone()
                .map_request(|r: http::Request<axum::body::Body>| r.map(Body::new)),
        );
    }
    Routes::from(router)
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A local port with nothing listening (bound, then released).
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}
