//! The collector served by the host over the wire: reflection listing and
//! resolving its services, Health and ServerInfo next to them.

use std::sync::Arc;
use std::time::Duration;

use prost::Message;
use prost_types::FileDescriptorProto;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::Channel;
use tonic::{Request, Status, Streaming};
use tonic_reflection::pb::v1alpha::ServerReflectionRequest;
use tonic_reflection::pb::v1alpha::server_reflection_client::ServerReflectionClient;
use tonic_reflection::pb::v1alpha::server_reflection_request::MessageRequest;
use tonic_reflection::pb::v1alpha::server_reflection_response::MessageResponse;

use super::KIND;
use crate::error::AppError;
use crate::plugin::host::context::{Backend, BoxFuture, HostContext, ItemReceiver};
use crate::plugin::host::error::PluginError;
use crate::plugin::host::server::pb::health::health_check_response::ServingStatus;
use crate::plugin::host::server::{Answer, Question, ReflectionIndex, bind, pb, serve_kind};

fn listed() -> Vec<String> {
    KIND.listed_services()
}

fn index() -> ReflectionIndex {
    let listed = listed();
    let listed: Vec<&str> = listed.iter().map(String::as_str).collect();
    ReflectionIndex::build(KIND.descriptor_set, &listed).expect("index")
}

fn file_of(a: &Answer) -> FileDescriptorProto {
    match a {
        Answer::Files(files) => {
            assert_eq!(files.len(), 1, "exactly one file per answer");
            FileDescriptorProto::decode(files[0].as_slice()).expect("valid descriptor")
        }
        other => panic!("expected a file, got {other:?}"),
    }
}

#[test]
fn reflection_lists_the_four_services_sorted() {
    let idx = index();
    assert_eq!(
        idx.answer(&Question::ListServices),
        Answer::Services(vec![
            "grpc.health.v1.Health".into(),
            "spaceone.api.core.v1.ServerInfo".into(),
            "spaceone.api.inventory.plugin.Collector".into(),
            "spaceone.api.inventory.plugin.Job".into(),
        ])
    );
}

#[test]
fn reflection_files_have_python_style_names() {
    let idx = index();
    let cases = [
        (
            "spaceone.api.inventory.plugin.Collector",
            "spaceone/api/inventory/plugin/collector.proto",
            "Collector",
        ),
        (
            "spaceone.api.inventory.plugin.Job",
            "spaceone/api/inventory/plugin/job.proto",
            "Job",
        ),
        (
            "grpc.health.v1.Health",
            "grpc_health/v1/health.proto",
            "Health",
        ),
        (
            "spaceone.api.core.v1.ServerInfo",
            "spaceone/api/core/v1/server_info.proto",
            "ServerInfo",
        ),
    ];
    for (symbol, file, service) in cases {
        let fd = file_of(&idx.answer(&Question::FileContainingSymbol(symbol.into())));
        assert_eq!(fd.name(), file);
        assert_eq!(fd.service[0].name(), service);
        assert!(fd.source_code_info.is_none());
    }
    let collector = file_of(&idx.answer(&Question::FileByFilename(
        "spaceone/api/inventory/plugin/collector.proto".into(),
    )));
    assert_eq!(
        collector.dependency,
        vec![
            "google/protobuf/empty.proto",
            "google/protobuf/struct.proto"
        ]
    );
    let names: Vec<&str> = collector.message_type.iter().map(|m| m.name()).collect();
    assert_eq!(
        names,
        [
            "InitRequest",
            "VerifyRequest",
            "CollectRequest",
            "ResourceInfo",
            "CollectorVerifyInfo",
            "PluginInfo"
        ]
    );
    let ri = &collector.message_type[3];
    let numbers: Vec<(&str, i32)> = ri.field.iter().map(|f| (f.name(), f.number())).collect();
    assert_eq!(
        numbers,
        [
            ("state", 1),
            ("message", 2),
            ("resource_type", 3),
            ("match_rules", 4),
            ("resource", 6),
            ("options", 7)
        ]
    );
    let methods: Vec<(&str, bool)> = collector.service[0]
        .method
        .iter()
        .map(|m| (m.name(), m.server_streaming()))
        .collect();
    assert_eq!(
        methods,
        [("init", false), ("verify", false), ("collect", true)]
    );
}

#[test]
fn reflection_resolves_messages_fields_and_dependencies() {
    let idx = index();
    let by = |s: &str| {
        file_of(&idx.answer(&Question::FileContainingSymbol(s.into())))
            .name()
            .to_string()
    };
    assert_eq!(
        by("spaceone.api.inventory.plugin.ResourceInfo"),
        "spaceone/api/inventory/plugin/collector.proto"
    );
    assert_eq!(
        by("spaceone.api.inventory.plugin.ResourceInfo.State"),
        "spaceone/api/inventory/plugin/collector.proto"
    );
    assert_eq!(
        by("spaceone.api.inventory.plugin.TaskFilter.providers"),
        "spaceone/api/inventory/plugin/job.proto"
    );
    assert_eq!(
        by("spaceone.api.inventory.plugin.Collector.collect"),
        "spaceone/api/inventory/plugin/collector.proto"
    );
    assert_eq!(
        by("grpc.health.v1.HealthCheckResponse.SERVING"),
        "grpc_health/v1/health.proto"
    );
    assert_eq!(by("google.protobuf.Struct"), "google/protobuf/struct.proto");
    assert_eq!(
        by("grpc.reflection.v1alpha.ServerReflection"),
        "grpc_reflection/v1alpha/reflection.proto"
    );
    assert_eq!(
        by("grpc.reflection.v1.ServerReflection"),
        "grpc_reflection/v1/reflection.proto"
    );
    let empty = file_of(&idx.answer(&Question::FileByFilename(
        "google/protobuf/empty.proto".into(),
    )));
    assert_eq!(empty.message_type[0].name(), "Empty");
}

#[test]
fn reflection_errors_like_python() {
    let idx = index();
    let nf = Answer::Error(5, "not found".into());
    assert_eq!(
        idx.answer(&Question::FileContainingSymbol("nope.Nope".into())),
        nf
    );
    assert_eq!(
        idx.answer(&Question::FileByFilename("health.proto".into())),
        nf
    );
    assert_eq!(
        idx.answer(&Question::FileContainingExtension("x.Y".into(), 5)),
        nf
    );
    assert_eq!(
        idx.answer(&Question::AllExtensionNumbersOfType("x.Y".into())),
        nf
    );
    assert_eq!(
        idx.answer(&Question::AllExtensionNumbersOfType(
            "google.protobuf.Struct".into()
        )),
        Answer::ExtensionNumbers("google.protobuf.Struct".into())
    );
    assert_eq!(
        idx.answer(&Question::Empty),
        Answer::Error(3, "invalid argument".into())
    );
}

#[test]
fn index_refuses_services_without_descriptors() {
    let err =
        ReflectionIndex::build(KIND.descriptor_set, &["no.such.Service"]).expect_err("must fail");
    assert_eq!(err, "service no.such.Service has no descriptor");
}

// --- in-process server --------------------------------------------------

/// A backend for the services that do not reach plugin code.
struct NoPlugin;

impl Backend for NoPlugin {
    fn call(
        &self,
        _m: &str,
        _p: serde_json::Value,
        _d: &'static [&'static str],
    ) -> BoxFuture<Result<serde_json::Value, PluginError>> {
        Box::pin(async { Err(PluginError::unknown("no plugin")) })
    }
    fn stream(
        &self,
        _m: &str,
        _p: serde_json::Value,
        _d: &'static [&'static str],
    ) -> BoxFuture<Result<ItemReceiver, PluginError>> {
        Box::pin(async { Err(PluginError::unknown("no plugin")) })
    }
}

struct Running {
    addr: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<Result<(), AppError>>,
}

async fn start(grace: Duration) -> Running {
    let listener = bind("127.0.0.1", 0).await.expect("bind");
    let addr = format!("http://{}", listener.local_addr().expect("addr"));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let stop = async move {
        let _ = rx.await;
    };
    let ctx = HostContext::new(std::env::temp_dir());
    let done = tokio::spawn(async move {
        serve_kind(
            listener,
            Arc::new(NoPlugin),
            &KIND,
            ctx,
            "plugin",
            stop,
            grace,
        )
        .await
    });
    Running {
        addr,
        stop: Some(tx),
        done,
    }
}

async fn channel(addr: &str) -> Channel {
    tonic::transport::Endpoint::from_shared(addr.to_string())
        .expect("endpoint")
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await
        .expect("connect")
}

async fn unary<Req, Resp>(ch: &Channel, path: &'static str, req: Req) -> Result<Resp, Status>
where
    Req: prost::Message + Send + Sync + 'static,
    Resp: prost::Message + Default + Send + Sync + 'static,
{
    let mut g = tonic::client::Grpc::new(ch.clone());
    g.ready()
        .await
        .map_err(|e| Status::unknown(e.to_string()))?;
    g.unary(
        Request::new(req),
        tonic::codegen::http::uri::PathAndQuery::from_static(path),
        tonic_prost::ProstCodec::default(),
    )
    .await
    .map(|r| r.into_inner())
}

async fn watch(ch: &Channel, service: &str) -> Streaming<pb::health::HealthCheckResponse> {
    let mut g = tonic::client::Grpc::new(ch.clone());
    g.ready().await.expect("ready");
    g.server_streaming(
        Request::new(pb::health::HealthCheckRequest {
            service: service.into(),
        }),
        tonic::codegen::http::uri::PathAndQuery::from_static("/grpc.health.v1.Health/Watch"),
        tonic_prost::ProstCodec::default(),
    )
    .await
    .expect("watch")
    .into_inner()
}

async fn next_status(s: &mut Streaming<pb::health::HealthCheckResponse>) -> i32 {
    tokio::time::timeout(Duration::from_secs(5), s.message())
        .await
        .expect("status in time")
        .expect("no error")
        .expect("a message")
        .status
}

#[tokio::test]
async fn health_server_info_and_reflection_over_the_wire() {
    let mut srv = start(Duration::from_secs(5)).await;
    let ch = channel(&srv.addr).await;

    // Watch before any Check: the plugin key is unknown, "" is serving.
    let mut w_plugin = watch(&ch, "plugin").await;
    assert_eq!(
        next_status(&mut w_plugin).await,
        ServingStatus::ServiceUnknown as i32
    );
    let mut w_all = watch(&ch, "").await;
    assert_eq!(next_status(&mut w_all).await, ServingStatus::Serving as i32);

    let r: pb::health::HealthCheckResponse = unary(
        &ch,
        "/grpc.health.v1.Health/Check",
        pb::health::HealthCheckRequest {
            service: "anything.at.All".into(),
        },
    )
    .await
    .expect("check");
    assert_eq!(r.status, ServingStatus::Serving as i32);
    // The Check marked the plugin's own key as serving.
    assert_eq!(
        next_status(&mut w_plugin).await,
        ServingStatus::Serving as i32
    );

    let v: pb::core::VersionInfo = unary(&ch, "/spaceone.api.core.v1.ServerInfo/get_version", ())
        .await
        .expect("version");
    assert_eq!(v.version, "UNKNOWN");

    // v1alpha: several questions on one stream; an error answer keeps it open.
    let (tx, rx) = mpsc::channel(8);
    for q in [
        MessageRequest::ListServices(String::new()),
        MessageRequest::FileContainingSymbol("nope.Nope".into()),
        MessageRequest::FileContainingSymbol("grpc.health.v1.Health".into()),
    ] {
        tx.send(ServerReflectionRequest {
            host: String::new(),
            message_request: Some(q),
        })
        .await
        .expect("queue");
    }
    drop(tx);
    let mut answers = ServerReflectionClient::new(ch.clone())
        .server_reflection_info(ReceiverStream::new(rx))
        .await
        .expect("reflection")
        .into_inner();
    let mut got = Vec::new();
    while let Some(r) = answers.message().await.expect("answer") {
        got.push(r.message_response.expect("response"));
    }
    assert_eq!(got.len(), 3);
    match &got[0] {
        MessageResponse::ListServicesResponse(l) => {
            let names: Vec<&str> = l.service.iter().map(|s| s.name.as_str()).collect();
            assert_eq!(
                names,
                [
                    "grpc.health.v1.Health",
                    "spaceone.api.core.v1.ServerInfo",
                    "spaceone.api.inventory.plugin.Collector",
                    "spaceone.api.inventory.plugin.Job"
                ]
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    match &got[1] {
        MessageResponse::ErrorResponse(e) => {
            assert_eq!((e.error_code, e.error_message.as_str()), (5, "not found"))
        }
        other => panic!("unexpected {other:?}"),
    }
    match &got[2] {
        MessageResponse::FileDescriptorResponse(f) => {
            let fd =
                FileDescriptorProto::decode(f.file_descriptor_proto[0].as_slice()).expect("fd");
            assert_eq!(fd.name(), "grpc_health/v1/health.proto");
        }
        other => panic!("unexpected {other:?}"),
    }

    // Stop: the endless Watch streams end and the server returns promptly.
    let _ = srv.stop.take().map(|s| s.send(()));
    let done = tokio::time::timeout(Duration::from_secs(5), &mut srv.done)
        .await
        .expect("stopped within the grace period")
        .expect("task");
    assert!(done.is_ok());
    let end = tokio::time::timeout(Duration::from_secs(5), w_all.message())
        .await
        .expect("watch ended");
    assert!(!matches!(end, Ok(Some(_))), "no more statuses after stop");
}
