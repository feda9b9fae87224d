//! `spacectl list / stat / analyze / api-resources / template` against an
//! in-process gRPC server whose `list` answers rows and records the request
//! it received, so the query built from the options can be checked.

mod support;

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use prost::Message;
use prost_reflect::{DescriptorPool, DynamicMessage, MessageDescriptor, SerializeOptions};
use protox::file::{ChainFileResolver, File, FileResolver, GoogleFileResolver};
use serde_json::{Value, json};
use support::home::Home;
use support::server::closed_port;
use tokio::sync::oneshot;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::body::Body;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::codegen::http;
use tonic::service::Routes;
use tonic::{Request, Response, Status};
use tower::ServiceExt;

// ------------------------------------------------------------------ schema

const THING_V1: &str = r#"
syntax = "proto3";
package spaceone.api.demo.v1;
import "google/protobuf/struct.proto";

service Thing {
  rpc list (ThingQuery) returns (ThingsInfo);
  rpc stat (ThingStatQuery) returns (google.protobuf.Struct);
  rpc analyze (ThingStatQuery) returns (google.protobuf.Struct);
}
service Plain {
  rpc list (PlainRequest) returns (ThingsInfo);
}
message Sort { string key = 1; bool desc = 2; }
message Page { uint32 start = 1; uint32 limit = 2; }
message Query {
  Sort sort = 3;
  Page page = 4;
  bool minimal = 5;
  repeated string only = 7;
  string keyword = 8;
}
message StatisticsQuery {
  google.protobuf.ListValue aggregate = 3;
  Page page = 4;
}
message ThingQuery {
  Query query = 1;
  string name = 2;
  int32 rows = 3;
  string mode = 4;
}
message ThingStatQuery {
  StatisticsQuery query = 1;
  string mode = 2;
}
message PlainRequest { string name = 1; }
message Nic { string ip = 1; string kind = 2; }
message ThingInfo {
  string thing_id = 1;
  string name = 2;
  int32 order = 3;
  google.protobuf.Struct tags = 4;
  google.protobuf.Struct data = 5;
  repeated Nic nics = 6;
  string created_at = 7;
}
message ThingsInfo {
  repeated ThingInfo results = 1;
  int32 total_count = 2;
}
"#;

const THING_V2: &str = r#"
syntax = "proto3";
package spaceone.api.demo.v2;
import "spaceone/api/demo/v1/thing.proto";

service Thing {
  rpc list (ThingQuery) returns (spaceone.api.demo.v1.ThingsInfo);
}
message Sort { string key = 1; bool desc = 2; }
message Query {
  repeated Sort sort = 3;
  spaceone.api.demo.v1.Page page = 4;
  bool minimal = 5;
  repeated string only = 7;
}
message ThingQuery {
  Query query = 1;
  int32 rows = 3;
  string mode = 4;
}
"#;

const STATISTICS: &str = r#"
syntax = "proto3";
package spaceone.api.statistics.v1;
import "google/protobuf/struct.proto";
import "spaceone/api/demo/v1/thing.proto";

service Resource {
  rpc stat (ResourceStatRequest) returns (google.protobuf.Struct);
}
message ResourceStatRequest {
  google.protobuf.Struct aggregate = 1;
  spaceone.api.demo.v1.Page page = 2;
}
"#;

const FILES: [(&str, &str); 3] = [
    ("spaceone/api/demo/v1/thing.proto", THING_V1),
    ("spaceone/api/demo/v2/thing.proto", THING_V2),
    ("spaceone/api/statistics/v1/resource.proto", STATISTICS),
];

/// Listed by reflection, in this order.
const SERVICES: [&str; 4] = [
    "spaceone.api.demo.v1.Thing",
    "spaceone.api.demo.v1.Plain",
    "spaceone.api.demo.v2.Thing",
    "spaceone.api.statistics.v1.Resource",
];

struct Sources;

impl FileResolver for Sources {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        match FILES.iter().find(|(n, _)| *n == name) {
            Some((n, text)) => File::from_source(n, text),
            None => Err(protox::Error::file_not_found(name)),
        }
    }
}

fn file_descriptor_set() -> Vec<u8> {
    let mut resolver = ChainFileResolver::new();
    resolver.add(Sources);
    resolver.add(GoogleFileResolver::new());
    let mut compiler = protox::Compiler::with_file_resolver(resolver);
    compiler.include_imports(true);
    for (name, _) in FILES {
        compiler.open_file(name).expect("test protos compile");
    }
    compiler.encode_file_descriptor_set()
}

// ------------------------------------------------------------------ server

#[derive(Clone)]
struct DynCodec(MessageDescriptor);
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
        DynDecoder(self.0.clone())
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

/// Requests received, by `/<service>/<method>` path, as proto-JSON.
type Log = Arc<Mutex<HashMap<String, Vec<Value>>>>;

fn to_json(msg: &DynamicMessage) -> Value {
    msg.serialize_with_options(
        serde_json::value::Serializer,
        &SerializeOptions::new().use_proto_field_name(true),
    )
    .unwrap_or(Value::Null)
}

fn row(i: usize) -> Value {
    json!({
        "thing_id": format!("thing-{i:05}"),
        "name": format!("name-{i}"),
        "order": i,
        "tags": {"env": if i.is_multiple_of(2) { "dev" } else { "prod" }},
        "data": {"size": i as f64 * 1.5},
        "nics": [{"ip": format!("10.0.{}.{}", i / 250, i % 250), "kind": "primary"}],
        "created_at": "2024-01-02T03:04:05.123Z"
    })
}

fn three_rows() -> Value {
    json!([
        {
            "thing_id": "thing-1", "name": "aws", "order": 1,
            "tags": {"env": "prod"},
            "data": {"int_val": 1, "big": 1234567890123u64},
            "nics": [{"ip": "10.0.0.1", "kind": "primary"}, {"ip": "10.0.0.2", "kind": "secondary"}]
        },
        {
            "thing_id": "thing-2", "name": "google_cloud", "order": 2,
            "data": {"int_val": 10},
            "nics": [{"ip": "10.0.1.1", "kind": "primary"}, {"ip": "10.0.0.1", "kind": "extra"}]
        },
        {"thing_id": "thing-3", "name": "azure", "order": 3, "tags": {"env": "dev"}}
    ])
}

fn list_reply(input: &Value) -> Value {
    let mode = input.get("mode").and_then(Value::as_str).unwrap_or("");
    let rows = input.get("rows").and_then(Value::as_i64).unwrap_or(0);
    match mode {
        "empty" => json!({}),
        "count" => json!({"total_count": 10}),
        "sparse" => json!({"results": [
            {"name": "a"},
            {"name": "b", "order": 2, "tags": {"k": "v, w"}}
        ], "total_count": 2}),
        "cjk" => json!({"results": [
            {"name": "Microsoft Azure — 한글", "order": 1},
            {"name": "aws", "order": 2}
        ], "total_count": 2}),
        _ if rows > 0 => {
            let n = rows.clamp(0, 100_000) as usize;
            json!({"results": (1..=n).map(row).collect::<Vec<_>>(), "total_count": n})
        }
        _ => json!({"results": three_rows(), "total_count": 10}),
    }
}

fn stat_reply(input: &Value) -> Value {
    match input.get("mode").and_then(Value::as_str).unwrap_or("") {
        "plain" => json!({"total": 4}),
        _ => json!({"results": [
            {"provider": "aws", "count": 3},
            {"provider": "azure", "count": 1}
        ]}),
    }
}

#[derive(Clone)]
struct Dispatch {
    pool: DescriptorPool,
    log: Log,
}

impl tower::Service<http::Request<Body>> for Dispatch {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        let path = req.uri().path().to_string();
        let method = path
            .trim_start_matches('/')
            .split_once('/')
            .and_then(|(svc, m)| {
                self.pool
                    .get_service_by_name(svc)
                    .and_then(|s| s.methods().find(|x| x.name() == m))
            });
        let log = self.log.clone();
        Box::pin(async move {
            let Some(method) = method else {
                return Ok(Status::unimplemented("").into_http());
            };
            let mut grpc = tonic::server::Grpc::new(DynCodec(method.input()));
            let svc = tower::service_fn(move |r: Request<DynamicMessage>| {
                let input = to_json(r.get_ref());
                if let Ok(mut l) = log.lock() {
                    l.entry(path.clone()).or_default().push(input.clone());
                }
                let reply = if method.name() == "list" {
                    list_reply(&input)
                } else {
                    stat_reply(&input)
                };
                let result = DynamicMessage::deserialize(method.output(), reply)
                    .map(Response::new)
                    .map_err(|e| Status::internal(e.to_string()));
                async move { result }
            });
            Ok(grpc.unary(svc, req).await)
        })
    }
}

/// A running list server on 127.0.0.1; stops when dropped.
struct ListServer {
    port: u16,
    log: Log,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl ListServer {
    fn start() -> ListServer {
        let fds = file_descriptor_set();
        let pool = DescriptorPool::decode(fds.as_slice()).expect("pool");
        let log: Log = Arc::default();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("addr").port();
        let (tx, rx) = oneshot::channel::<()>();
        let dispatch = Dispatch {
            pool,
            log: log.clone(),
        };
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let mut reflection = tonic_reflection::server::Builder::configure()
                    .register_encoded_file_descriptor_set(&fds)
                    .include_reflection_service(false);
                for s in SERVICES {
                    reflection = reflection.with_service_name(s);
                }
                let routes =
                    Routes::default().add_service(reflection.build_v1alpha().expect("reflection"));
                let mut router = routes.into_axum_router();
                for s in SERVICES {
                    router = router.route_service(
                        &format!("/{s}/{{*rest}}"),
                        dispatch
                            .clone()
                            .map_request(|r: http::Request<axum::body::Body>| r.map(Body::new)),
                    );
                }
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                let serve = tonic::transport::Server::builder()
                    .add_routes(Routes::from(router))
                    .serve_with_incoming(TcpListenerStream::new(listener));
                tokio::select! {
                    _ = serve => {}
                    _ = rx => {}
                }
            });
            rt.shutdown_timeout(Duration::from_secs(2));
        });
        ListServer {
            port,
            log,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("grpc://127.0.0.1:{}", self.port)
    }

    /// The last request received by `/<service>/<method>`.
    fn last(&self, path: &str) -> Value {
        self.log
            .lock()
            .ok()
            .and_then(|l| l.get(path).and_then(|v| v.last().cloned()))
            .unwrap_or(Value::Null)
    }

    fn count(&self, path: &str) -> usize {
        self.log
            .lock()
            .map(|l| l.get(path).map_or(0, Vec::len))
            .unwrap_or(0)
    }
}

impl Drop for ListServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

const V1_LIST: &str = "/spaceone.api.demo.v1.Thing/list";
const V2_LIST: &str = "/spaceone.api.demo.v2.Thing/list";

fn home(server: &ListServer) -> Home {
    Home::new(
        &[("demo", &server.url()), ("statistics", &server.url())],
        "",
    )
}

fn ok(h: &Home, args: &[&str]) -> String {
    let r = h.run(args);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{args:?}: {r:?}");
    r.stdout
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

// ------------------------------------------------------------------ list: query

#[test]
fn plain_list_sends_an_empty_query_and_prints_every_field() {
    let server = ListServer::start();
    let h = home(&server);
    let out = ok(&h, &["list", "demo.Thing"]);
    assert_eq!(server.last(V1_LIST), json!({"query": {}}));
    assert_eq!(
        out,
        " thing_id   | name         |   order | tags            | data                                     | nics
------------+--------------+---------+-----------------+------------------------------------------+----------------------------------------------------------------------------------
 thing-1    | aws          |       1 | {'env': 'prod'} | {'big': 1234567890123.0, 'int_val': 1.0} | [{'ip': '10.0.0.1', 'kind': 'primary'}, {'ip': '10.0.0.2', 'kind': 'secondary'}]
 thing-2    | google_cloud |       2 |                 | {'int_val': 10.0}                        | [{'ip': '10.0.1.1', 'kind': 'primary'}, {'ip': '10.0.0.1', 'kind': 'extra'}]
 thing-3    | azure        |       3 | {'env': 'dev'}  |                                          |

 Count: 3 / 10
"
    );
}

#[test]
fn sort_limit_and_columns_shape_a_v1_query() {
    let server = ListServer::start();
    let h = home(&server);
    ok(
        &h,
        &[
            "list",
            "demo.Thing",
            "-c",
            "name|N,order,nics.0.ip|IP,name|Again",
            "-s",
            "-N",
            "-l",
            "2",
        ],
    );
    assert_eq!(
        server.last(V1_LIST),
        json!({"query": {
            "sort": {"key": "name", "desc": true},
            "page": {"limit": 2},
            "only": ["name", "order", "nics"]
        }})
    );
}

#[test]
fn sort_is_a_list_on_a_v2_query() {
    let server = ListServer::start();
    let h = home(&server);
    ok(&h, &["list", "demo.Thing", "-v", "v2", "-s", "order", "-m"]);
    assert_eq!(
        server.last(V2_LIST),
        json!({"query": {"sort": [{"key": "order"}], "minimal": true}})
    );
    assert_eq!(server.count(V1_LIST), 0);
}

#[test]
fn minimal_and_all_ignore_the_columns() {
    let server = ListServer::start();
    let h = home(&server);
    let out = ok(&h, &["list", "demo.Thing", "-m", "-c", "name|N", "-s", "N"]);
    // The column is not applied, so the display name is not mapped either.
    assert_eq!(
        server.last(V1_LIST),
        json!({"query": {"minimal": true, "sort": {"key": "N"}}})
    );
    assert!(out.starts_with(" thing_id   | name "), "{out}");
    ok(&h, &["list", "demo.Thing", "-a", "-c", "name", "-l", "0"]);
    assert_eq!(server.last(V1_LIST), json!({"query": {}}));
}

#[test]
fn parameters_merge_and_the_template_overrides_only() {
    let server = ListServer::start();
    let h = home(&server);
    ok(
        &h,
        &[
            "list",
            "demo.Thing",
            "-j",
            r#"{"query": {"only": ["x"], "keyword": "k", "page": {"start": 3}}, "name": "j"}"#,
            "-p",
            "name=p",
            "-c",
            "order",
            "-l",
            "5",
        ],
    );
    assert_eq!(
        server.last(V1_LIST),
        json!({"query": {"page": {"limit": 5}, "only": ["order"], "keyword": "k"}, "name": "p"})
    );
}

#[test]
fn a_request_without_query_is_refused() {
    let server = ListServer::start();
    let h = home(&server);
    let r = h.run(&["list", "demo.Plain"]);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (
            1,
            "",
            "ERROR: Protocol message PlainRequest has no \"query\" field.\n\n"
        )
    );
}

// ------------------------------------------------------------------ list: columns and formats

const COLUMNS: &str = "thing_id|ID,name,data.int_val|Int,tags.env|Env,nics.ip|IPs,nics.?kind:=primary=>ip|Primary,nics.1.kind|Second,missing.path|M";

#[test]
fn column_templates_in_a_table() {
    let server = ListServer::start();
    let h = home(&server);
    let out = ok(&h, &["list", "demo.Thing", "-c", COLUMNS]);
    assert_eq!(
        out,
        " ID      | name         |   Int | Env   | IPs                      | Primary      | Second    | M
---------+--------------+-------+-------+--------------------------+--------------+-----------+-----
 thing-1 | aws          |     1 | prod  | ['10.0.0.1', '10.0.0.2'] | ['10.0.0.1'] | secondary |
 thing-2 | google_cloud |    10 |       | ['10.0.1.1', '10.0.0.1'] | ['10.0.1.1'] | extra     |
 thing-3 | azure        |       | dev   |                          |              |           |

 Count: 3 / 10
"
    );
}

#[test]
fn column_templates_in_json_yaml_csv_and_quiet() {
    let server = ListServer::start();
    let h = home(&server);
    let out = ok(
        &h,
        &[
            "list",
            "demo.Thing",
            "-c",
            "name|N,data.int_val|Int,tags.env",
            "-o",
            "json",
        ],
    );
    assert!(out.starts_with("{\n    \"results\": [\n        {\n            \"N\": \"aws\",\n            \"Int\": 1.0,"), "{out}");
    assert_eq!(
        json_of(&out),
        json!({"results": [
            {"N": "aws", "Int": 1.0, "tags.env": "prod"},
            {"N": "google_cloud", "Int": 10.0, "tags.env": null},
            {"N": "azure", "Int": null, "tags.env": "dev"}
        ], "total_count": 10})
    );
    let out = ok(
        &h,
        &[
            "list",
            "demo.Thing",
            "-c",
            "name|N,order",
            "-o",
            "yaml",
            "-l",
            "1",
        ],
    );
    assert_eq!(
        out,
        "---\nresults:\n- N: aws\n  order: 1\n- N: google_cloud\n  order: 2\n- N: azure\n  order: 3\ntotal_count: 10\n\n"
    );
    let out = ok(
        &h,
        &[
            "list",
            "demo.Thing",
            "-c",
            "name,data.int_val|Int,nics.0.ip",
            "-o",
            "csv",
        ],
    );
    assert_eq!(
        out,
        "name,Int,nics.0.ip\r\naws,1.0,10.0.0.1\r\ngoogle_cloud,10.0,10.0.1.1\r\nazure,,\r\n"
    );
    let out = ok(&h, &["list", "demo.Thing", "-c", "tags.env", "-o", "quiet"]);
    assert_eq!(out, "prod\n\ndev\n");
}

#[test]
fn csv_header_is_the_union_of_the_keys() {
    let server = ListServer::start();
    let h = home(&server);
    let out = ok(&h, &["list", "demo.Thing", "-o", "csv"]);
    let lines: Vec<&str> = out.split("\r\n").collect();
    assert_eq!(lines[0], "thing_id,name,order,tags,data,nics");
    assert_eq!(lines[3], "thing-3,azure,3,{'env': 'dev'},,");
    // Keys first seen in later rows still get a column (upstream stops with
    // "dict contains fields not in fieldnames").
    let out = ok(
        &h,
        &[
            "list",
            "demo.Thing",
            "-j",
            r#"{"mode": "sparse"}"#,
            "-o",
            "csv",
        ],
    );
    assert_eq!(out, "name,order,tags\r\na,,\r\nb,2,\"{'k': 'v, w'}\"\r\n");
}

#[test]
fn quiet_needs_exactly_one_column() {
    let server = ListServer::start();
    let h = home(&server);
    let r = h.run(&["list", "demo.Thing", "-o", "quiet"]);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (1, "", "Please Selector only one column for quiet output.\n")
    );
}

#[test]
fn wide_characters_keep_columns_aligned() {
    let server = ListServer::start();
    let h = home(&server);
    let out = ok(&h, &["list", "demo.Thing", "-j", r#"{"mode": "cjk"}"#]);
    assert_eq!(
        out,
        " name                   |   order
------------------------+---------
 Microsoft Azure — 한글 |       1
 aws                    |       2

 Count: 2 / 2
"
    );
}

#[test]
fn responses_without_results_fall_back() {
    let server = ListServer::start();
    let h = home(&server);
    let empty = ["list", "demo.Thing", "-j", r#"{"mode": "empty"}"#];
    let with = |extra: &[&str]| {
        let mut a = empty.to_vec();
        a.extend_from_slice(extra);
        ok(&h, &a)
    };
    assert_eq!(with(&[]), "NO DATA\n");
    assert_eq!(with(&["-o", "json"]), "\n");
    assert_eq!(with(&["-o", "yaml"]), "\n");
    assert_eq!(with(&["-o", "csv"]), "\n");
    assert_eq!(with(&["-o", "quiet"]), "");
    // With columns, a missing `results` becomes an empty list.
    assert_eq!(with(&["-c", "name"]), "NO DATA\n");
    assert_eq!(with(&["-c", "name", "-o", "yaml"]), "---\nresults: []\n\n");
    let count = ["list", "demo.Thing", "-j", r#"{"mode": "count"}"#];
    assert_eq!(ok(&h, &count), "---\ntotal_count: 10\n\n");
}

// ------------------------------------------------------------------ list: templates

#[test]
fn template_file_and_user_templates() {
    let server = ListServer::start();
    let h = home(&server);
    let file = h.path().join("thing.yml");
    std::fs::write(
        &file,
        "template:\n  list:\n  - thing_id|ID\n  - order|Order\n",
    )
    .expect("write");
    let file = file.to_string_lossy().into_owned();

    let out = ok(&h, &["list", "demo.Thing", "-t", &file, "-s", "Order"]);
    assert_eq!(
        server.last(V1_LIST),
        json!({"query": {"only": ["thing_id", "order"], "sort": {"key": "order"}}})
    );
    assert!(out.starts_with(" ID      |   Order\n"), "{out}");

    // No user template yet.
    assert_eq!(
        ok(&h, &["template", "show", "demo.Thing"]),
        "demo.Thing template is undefined.\n\n"
    );
    assert_eq!(ok(&h, &["template", "set", "demo.Thing", "-f", &file]), "");
    let stored = h.path().join(".spaceone/template/demo.Thing.yml");
    assert_eq!(
        std::fs::read_to_string(&stored).expect("stored template"),
        "template:\n  list:\n  - thing_id|ID\n  - order|Order\n"
    );
    assert_eq!(
        ok(&h, &["template", "show", "demo.Thing"]),
        "---\nparser: spacectl.lib.parser.default.DefaultParser\ntemplate:\n  list:\n  - thing_id|ID\n  - order|Order\ntype: custom\n\n"
    );
    // The user template applies to a plain list, -c wins over it, -a ignores it.
    let out = ok(&h, &["list", "demo.Thing"]);
    assert!(out.starts_with(" ID      |   Order\n"), "{out}");
    let out = ok(&h, &["list", "demo.Thing", "-c", "name"]);
    assert!(out.starts_with(" name\n"), "{out}");
    ok(&h, &["list", "demo.Thing", "-a"]);
    assert_eq!(server.last(V1_LIST), json!({"query": {}}));

    assert_eq!(ok(&h, &["template", "remove", "demo.Thing"]), "");
    assert!(!stored.exists());
    assert_eq!(ok(&h, &["template", "remove", "demo.Thing"]), "");
    let out = ok(&h, &["list", "demo.Thing"]);
    assert!(out.starts_with(" thing_id "), "{out}");
}

#[test]
fn template_aliases_and_errors() {
    let server = ListServer::start();
    let h = home(&server);
    let file = h.path().join("p.yml");
    std::fs::write(&file, "template:\n  list: [provider]\n").expect("write");
    let file = file.to_string_lossy().into_owned();
    ok(&h, &["template", "set", "provider", "-f", &file]);
    assert!(
        h.path()
            .join(".spaceone/template/identity.Provider.yml")
            .is_file()
    );

    let r = h.run(&["template", "set", "provider"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (1, "ERROR: '--file' option is required.\n\n")
    );
    let r = h.run(&["template", "show", "a.b.c"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            1,
            "ERROR: Resource format is invalid. (resource = <service>.<resource>)\n\
             give SERVICE.Resource (e.g. identity.Provider) or a short name (e.g. provider); spacectl api-resources lists both\n\n"
        )
    );
    let r = h.run(&["template", "set", "provider", "-f", "/nonexistent/t.yml"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("/nonexistent/t.yml"), "{r:?}");
}

#[test]
fn bad_template_files() {
    let server = ListServer::start();
    let h = home(&server);
    let cases = [
        (
            "list: [name]\n",
            "ERROR: 'template' is undefined in demo.Thing template.\n\n",
        ),
        (
            "template: {list: [name]}\nparser: no.such.Parser\n",
            "ERROR: Parser is invalid. (no.such.Parser)\n\n",
        ),
        (
            "template: [name]\n",
            "ERROR: demo.Thing template format is invalid.\n\n",
        ),
    ];
    for (text, want) in cases {
        let file = h.path().join("bad.yml");
        std::fs::write(&file, text).expect("write");
        let r = h.run(&["list", "demo.Thing", "-t", &file.to_string_lossy()]);
        assert_eq!((r.code, r.stderr.as_str()), (1, want), "{text}");
    }
    // With --minimal the template is not read as columns.
    let file = h.path().join("bad.yml");
    ok(
        &h,
        &["list", "demo.Thing", "-m", "-t", &file.to_string_lossy()],
    );
    let r = h.run(&["list", "demo.Thing", "-t", "/nonexistent/t.yml"]);
    assert_eq!(r.code, 2, "{r:?}");
}

// ------------------------------------------------------------------ stat / analyze

#[test]
fn stat_and_analyze() {
    let server = ListServer::start();
    let h = home(&server);
    let out = ok(
        &h,
        &["stat", "demo.Thing", "-c", "provider,count", "-l", "5"],
    );
    assert_eq!(
        out,
        " provider   |   count\n------------+---------\n aws        |       3\n azure      |       1\n"
    );
    assert_eq!(
        server.last("/spaceone.api.demo.v1.Thing/stat"),
        json!({"query": {"page": {"limit": 5}}})
    );
    let out = ok(
        &h,
        &["analyze", "demo.Thing", "-c", "count|N", "-o", "quiet"],
    );
    assert_eq!(out, "3.0\n1.0\n");
    assert_eq!(
        server.last("/spaceone.api.demo.v1.Thing/analyze"),
        json!({})
    );
    let out = ok(&h, &["stat", "demo.Thing", "-p", "mode=plain"]);
    assert_eq!(out, "---\ntotal: 4.0\n\n");
    // A request with `page` but no `query` takes the limit at the top level.
    ok(
        &h,
        &[
            "stat",
            "statistics.Resource",
            "-l",
            "7",
            "-j",
            r#"{"aggregate": {}}"#,
        ],
    );
    assert_eq!(
        server.last("/spaceone.api.statistics.v1.Resource/stat"),
        json!({"aggregate": {}, "page": {"limit": 7}})
    );
    let r = h.run(&["analyze", "statistics.Resource"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            1,
            "ERROR: 'statistics.v1.Resource' resource does not have a 'analyze' verb.\nverbs of this resource: stat\n\n"
        )
    );
}

// ------------------------------------------------------------------ api-resources

#[test]
fn api_resources_lists_every_endpoint() {
    let server = ListServer::start();
    let h = Home::new(
        &[("demo", &server.url()), ("statistics", &server.url())],
        "",
    );
    let out = ok(&h, &["api-resources"]);
    assert_eq!(
        out,
        " Service    | Resource   | Short Names   | Verb
------------+------------+---------------+---------------------
 demo       | Thing      |               | list, stat, analyze
 demo       | Plain      |               | list
 demo       | Thing      |               | list
 demo       | Resource   |               | stat
 statistics | Thing      |               | list, stat, analyze
 statistics | Plain      |               | list
 statistics | Thing      |               | list
 statistics | Resource   |               | stat
"
    );
}

#[test]
fn api_resources_reports_failing_endpoints_and_lists_the_others() {
    let server = ListServer::start();
    let port = closed_port();
    let dead = format!("grpc://127.0.0.1:{port}");
    let h = Home::new(
        &[
            ("dead", &dead),
            ("demo", &server.url()),
            ("bad", "http://localhost:1"),
        ],
        "",
    );
    let r = h.run(&["api-resources"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stdout.starts_with(" Service   | Resource   |"), "{r:?}");
    assert!(r.stdout.contains("\n demo      | Resource   |"), "{r:?}");
    assert!(!r.stdout.contains("dead"), "{r:?}");
    assert_eq!(
        r.stderr,
        format!(
            "ERROR: \n\terror_code = ERROR_GRPC_CONNECTION\n\tstatus_code = UNAVAILABLE\n\tmessage = Server is unavailable. (channel = 127.0.0.1:{port}, message = failed to connect to all addresses)\n\nERROR: Endpoint is invalid. (endpoint=http://localhost:1)\n\n"
        )
    );
}

#[test]
fn api_resources_without_endpoints_or_config() {
    let h = Home::new(&[], "");
    assert_eq!(ok(&h, &["api-resources"]), "NO DATA\n");
    let empty = tempfile::tempdir().expect("tempdir");
    let r = std::process::Command::new(env!("CARGO_BIN_EXE_spacectl"))
        .arg("api-resources")
        .env("HOME", empty.path())
        .env_remove("SPACECTL_DEFAULT_ENVIRONMENT")
        .output()
        .expect("run");
    assert_eq!(r.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&r.stderr),
        "ERROR: spaceconfig is undefined. (Use \"spacectl config init\")\n\n"
    );
}

// ------------------------------------------------------------------ usage errors

#[test]
fn usage_errors_exit_2() {
    let server = ListServer::start();
    let h = home(&server);
    for args in [
        vec!["list", "demo.Thing", "-o", "xml"],
        vec!["list", "demo.Thing", "-l", "abc"],
        vec!["list"],
        vec!["stat", "demo.Thing", "-o", "text"],
        vec!["list", "demo.Thing", "-f", "/nonexistent/p.yaml"],
        vec!["api-resources", "extra"],
        vec!["template", "show"],
    ] {
        let r = h.run(&args);
        assert_eq!((r.code, r.stdout.as_str()), (2, ""), "{args:?}: {r:?}");
    }
    assert_eq!(server.count(V1_LIST), 0);
    let r = h.run(&["list", "demo.Thing", "-p", "a=b=c"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            1,
            "ERROR: Input parameter(a=b=c) is invalid. (format: key=value)\n\n"
        )
    );
}

#[test]
fn columns_without_a_key_are_refused_before_calling() {
    let server = ListServer::start();
    let h = home(&server);
    for (verb, spec) in [("list", ","), ("list", "name,|Name"), ("stat", "|X")] {
        let r = h.run(&[verb, "demo.Thing", "-c", spec]);
        assert_eq!(
            (r.code, r.stdout.as_str(), r.stderr.as_str()),
            (
                1,
                "",
                format!("ERROR: Column format is invalid. (columns = {spec})\n\n").as_str()
            ),
            "{verb} -c {spec:?}"
        );
    }
    assert_eq!(server.count(V1_LIST), 0);
}

// ------------------------------------------------------------------ large results

#[test]
fn ten_thousand_rows() {
    let server = ListServer::start();
    let h = home(&server);
    let rows = r#"{"rows": 10000}"#;
    let started = Instant::now();
    let out = ok(&h, &["list", "demo.Thing", "-j", rows]);
    let table_time = started.elapsed();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.len(),
        2 + 10_000 + 2,
        "header, separator, rows, blank, count"
    );
    assert_eq!(lines[lines.len() - 1], " Count: 10000 / 10000");
    assert!(
        lines[2].starts_with(" thing-00001 | name-1     |       1 | {'env': 'prod'}"),
        "{}",
        lines[2]
    );

    let started = Instant::now();
    let out = ok(&h, &["list", "demo.Thing", "-j", rows, "-o", "json"]);
    let json_time = started.elapsed();
    let v = json_of(&out);
    assert_eq!(v["results"].as_array().map(Vec::len), Some(10_000));
    assert_eq!(v["results"][9999]["data"], json!({"size": 15000.0}));

    let out = ok(
        &h,
        &[
            "list",
            "demo.Thing",
            "-j",
            rows,
            "-c",
            "name|N,data.size|S",
            "-o",
            "csv",
        ],
    );
    assert_eq!(out.matches("\r\n").count(), 10_001);
    // Generous bounds: unoptimised test builds on a busy 2-core machine.
    for (what, t) in [("table", table_time), ("json", json_time)] {
        assert!(t < Duration::from_secs(20), "{what} took {t:?}");
    }
}
