//! Serving a plugin kind: every route of a [`KindSpec`] as a gRPC method, its
//! messages decoded and encoded with the kind's own descriptor pool, next to
//! Health, ServerInfo and reflection (listing exactly the kind's services and
//! those two).
//!
//! One call: request message → dict ([`message_to_dict`]) → REQUEST log line →
//! the route's parameters (validation errors end the call) → the plugin
//! (through the [`Backend`]) → the route's shaping → RESPONSE log line →
//! response message ([`dict_to_message`]; a conversion failure is INTERNAL
//! `ERROR_UNKNOWN` and, as upstream, not logged). A streaming route sends one
//! message per item the plugin yields; an error ends the stream after the
//! messages already sent.

use std::collections::HashMap;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_util::Stream;
use prost::Message as _;
use prost::encoding;
use prost_reflect::{
    DescriptorPool, DynamicMessage, FieldDescriptor, Kind as ReflectKind, MapKey,
    MessageDescriptor, Value as ReflectValue,
};
use prost_types::Struct;
use serde_json::{Map, Value};
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::codegen::{Bytes, Service, http};
use tonic::{Status, server::Grpc};

use super::codec::wire_status;
use super::context::{BoxFuture, CallGuard, HostContext, SharedBackend, to_status, traceparent};
use super::convert;
use super::dict::{dict_to_message, message_to_dict};
use super::encode;
use super::error::PluginError;
use super::gate::GateBody;
use super::handler::with_trace_id;
use super::kind::{Answer, KindSpec, Route, Shape};
use super::log::CallLog;

// ---------------------------------------------------------------------------
// Codec

/// Encodes and decodes messages of a descriptor pool.
#[derive(Clone)]
struct DynCodec {
    input: MessageDescriptor,
}

struct DynEncoder;
struct DynDecoder(MessageDescriptor);

/// A response: a message, or a streamed message already encoded
/// ([`encode::encode_dict`]).
pub enum Reply {
    Message(DynamicMessage),
    Encoded(Vec<u8>),
}

impl Codec for DynCodec {
    type Encode = Reply;
    type Decode = DynamicMessage;
    type Encoder = DynEncoder;
    type Decoder = DynDecoder;

    fn encoder(&mut self) -> DynEncoder {
        DynEncoder
    }

    fn decoder(&mut self) -> DynDecoder {
        DynDecoder(self.input.clone())
    }
}

impl Encoder for DynEncoder {
    type Item = Reply;
    type Error = Status;

    fn encode(&mut self, item: Reply, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        match item {
            Reply::Message(m) => m
                .encode(dst)
                .map_err(|e| Status::internal(format!("ERROR_UNKNOWN: {e}"))),
            Reply::Encoded(bytes) => {
                prost::bytes::BufMut::put_slice(dst, &bytes);
                Ok(())
            }
        }
    }
}

impl Decoder for DynDecoder {
    type Item = DynamicMessage;
    type Error = Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<DynamicMessage>, Status> {
        let bytes = prost::bytes::Buf::copy_to_bytes(src, prost::bytes::Buf::remaining(src));
        decode_request(&self.0, &bytes).map(Some)
    }
}

fn parse_error(e: impl std::fmt::Display) -> Status {
    Status::internal(format!("ERROR_UNKNOWN: Error parsing message: {e}"))
}

/// Decodes a request of type `desc`. Its Struct fields are decoded by
/// [`convert::merge_struct`], as the collector's are: they may nest mappings
/// and lists [`convert::MAX_REQUEST_NESTING`] levels deep (prost's decoder
/// stops at 100 messages, some 49 lists), and deeper ones fail the same way.
fn decode_request(desc: &MessageDescriptor, bytes: &[u8]) -> Result<DynamicMessage, Status> {
    let structs: Vec<FieldDescriptor> = desc
        .fields()
        .filter(|f| {
            !f.is_list()
                && !f.is_map()
                && matches!(f.kind(), ReflectKind::Message(m) if m.full_name() == "google.protobuf.Struct")
        })
        .collect();
    if structs.is_empty() {
        return DynamicMessage::decode(desc.clone(), bytes).map_err(parse_error);
    }
    // The other fields, as they came, for prost's decoder.
    let mut rest = Vec::with_capacity(bytes.len());
    let mut found: Vec<(FieldDescriptor, Struct)> = Vec::new();
    let mut buf = bytes;
    while !buf.is_empty() {
        let start = buf;
        let (tag, wire_type) = encoding::decode_key(&mut buf).map_err(parse_error)?;
        let field = structs.iter().find(|f| f.number() == tag);
        match field {
            Some(field) if wire_type == encoding::WireType::LengthDelimited => {
                let len = encoding::decode_varint(&mut buf).map_err(parse_error)?;
                let len = usize::try_from(len)
                    .ok()
                    .filter(|n| *n <= buf.len())
                    .ok_or_else(|| {
                        parse_error("failed to decode Protobuf message: buffer underflow")
                    })?;
                let (payload, after) = buf.split_at(len);
                buf = after;
                let i = match found.iter().position(|(f, _)| f == field) {
                    Some(i) => i,
                    None => {
                        found.push((field.clone(), Struct::default()));
                        found.len() - 1
                    }
                };
                convert::merge_struct(&mut found[i].1, payload, 1)
                    .map_err(|e| wire_status(e, field.name()))?;
            }
            _ => {
                encoding::skip_field(wire_type, tag, &mut buf, encoding::DecodeContext::default())
                    .map_err(parse_error)?;
                rest.extend_from_slice(&start[..start.len() - buf.len()]);
            }
        }
    }
    let mut msg = DynamicMessage::decode(desc.clone(), rest.as_slice()).map_err(parse_error)?;
    for (field, value) in found {
        let ReflectKind::Message(struct_desc) = field.kind() else {
            continue;
        };
        let pool = struct_desc.parent_pool();
        let (Some(value_desc), Some(list_desc)) = (
            pool.get_message_by_name("google.protobuf.Value"),
            pool.get_message_by_name("google.protobuf.ListValue"),
        ) else {
            return Err(parse_error(
                "google.protobuf.Value is not in the descriptor pool",
            ));
        };
        let types = StructTypes {
            strukt: struct_desc,
            value: value_desc,
            list: list_desc,
        };
        msg.set_field(
            &field,
            ReflectValue::Message(struct_message(&value, &types)),
        );
    }
    Ok(msg)
}

/// The descriptors of google.protobuf.Struct, Value and ListValue.
struct StructTypes {
    strukt: MessageDescriptor,
    value: MessageDescriptor,
    list: MessageDescriptor,
}

/// A decoded Struct as the dynamic message prost-reflect would have made.
fn struct_message(s: &Struct, types: &StructTypes) -> DynamicMessage {
    let mut msg = DynamicMessage::new(types.strukt.clone());
    let fields: HashMap<MapKey, ReflectValue> = s
        .fields
        .iter()
        .map(|(k, v)| {
            (
                MapKey::String(k.clone()),
                ReflectValue::Message(value_message(v, types)),
            )
        })
        .collect();
    msg.set_field_by_name("fields", ReflectValue::Map(fields));
    msg
}

fn value_message(v: &prost_types::Value, types: &StructTypes) -> DynamicMessage {
    use prost_types::value::Kind;
    let mut msg = DynamicMessage::new(types.value.clone());
    let (name, value) = match &v.kind {
        None => return msg,
        Some(Kind::NullValue(n)) => ("null_value", ReflectValue::EnumNumber(*n)),
        Some(Kind::NumberValue(x)) => ("number_value", ReflectValue::F64(*x)),
        Some(Kind::StringValue(s)) => ("string_value", ReflectValue::String(s.clone())),
        Some(Kind::BoolValue(b)) => ("bool_value", ReflectValue::Bool(*b)),
        Some(Kind::StructValue(s)) => (
            "struct_value",
            ReflectValue::Message(struct_message(s, types)),
        ),
        Some(Kind::ListValue(l)) => {
            let mut list = DynamicMessage::new(types.list.clone());
            let values = l
                .values
                .iter()
                .map(|v| ReflectValue::Message(value_message(v, types)))
                .collect();
            list.set_field_by_name("values", ReflectValue::List(values));
            ("list_value", ReflectValue::Message(list))
        }
    };
    msg.set_field_by_name(name, value);
    msg
}

// ---------------------------------------------------------------------------
// Routing

struct Method {
    route: &'static Route,
    input: MessageDescriptor,
    output: MessageDescriptor,
}

struct Shared {
    kind: &'static KindSpec,
    backend: SharedBackend,
    /// Counts the plugin calls in progress (for the stop log lines).
    ctx: HostContext,
    /// By request path, `/<package>.<Service>/<verb>`.
    methods: HashMap<String, Method>,
}

/// The kind's services as one tower service, routed by request path.
pub struct KindRouter {
    shared: Arc<Shared>,
}

impl Clone for KindRouter {
    fn clone(&self) -> Self {
        KindRouter {
            shared: self.shared.clone(),
        }
    }
}

impl KindRouter {
    pub fn new(
        kind: &'static KindSpec,
        backend: SharedBackend,
        ctx: HostContext,
    ) -> Result<KindRouter, String> {
        let pool = DescriptorPool::decode(kind.descriptor_set)
            .map_err(|e| format!("the {} descriptor set is invalid: {e}", kind.name))?;
        let mut methods = HashMap::new();
        for route in kind.routes {
            let message = |name: &str| {
                let full = kind.message_name(name);
                pool.get_message_by_name(&full)
                    .ok_or_else(|| format!("the {} descriptor set lacks {full}", kind.name))
            };
            methods.insert(
                format!("/{}.{}/{}", kind.package, route.service, route.verb),
                Method {
                    route,
                    input: message(route.request)?,
                    output: message(route.response)?,
                },
            );
        }
        Ok(KindRouter {
            shared: Arc::new(Shared {
                kind,
                backend,
                ctx,
                methods,
            }),
        })
    }
}

impl<Body> Service<http::Request<Body>> for KindRouter
where
    Body: tonic::codegen::Body<Data = Bytes> + Send + 'static,
    Body::Error: Into<Box<dyn std::error::Error + Send + Sync>> + Send,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = BoxFuture<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        let shared = self.shared.clone();
        // Requests pass the same size gate as the collector's.
        let req = req.map(|b| tonic::body::Body::new(GateBody::new(tonic::body::Body::new(b))));
        Box::pin(async move {
            let path = req.uri().path().to_string();
            let Some(m) = shared.methods.get(&path) else {
                return Ok(Status::unimplemented(format!("Method not found: {path}")).into_http());
            };
            let mut grpc = Grpc::new(DynCodec {
                input: m.input.clone(),
            });
            let call = Call {
                shared: shared.clone(),
                path,
            };
            if m.route.streaming() {
                Ok(grpc.server_streaming(call, req).await)
            } else {
                Ok(grpc.unary(call, req).await)
            }
        })
    }
}

/// One call of one method.
struct Call {
    shared: Arc<Shared>,
    path: String,
}

impl Call {
    fn method(&self) -> &Method {
        // The router only builds calls for known paths.
        &self.shared.methods[&self.path]
    }
}

/// The REQUEST line, then the route's parameters.
fn start(
    kind: &KindSpec,
    route: &Route,
    req: &tonic::Request<DynamicMessage>,
) -> (CallLog, Result<Value, PluginError>) {
    let method = route.method();
    let tnx = if kind.log_names_route {
        method.as_str()
    } else {
        ""
    };
    let log = CallLog::new(tnx, traceparent(req).as_deref());
    let dict = message_to_dict(req.get_ref());
    let empty = Map::new();
    let masked: Vec<String> = route.masked.iter().map(|s| s.to_string()).collect();
    log.request(dict.as_object().unwrap_or(&empty), &masked);
    let params = (route.params)(&dict);
    if let Err(e) = &params {
        log.error(e);
    }
    (log, params)
}

impl tonic::server::UnaryService<DynamicMessage> for Call {
    type Response = Reply;
    type Future = BoxFuture<Result<tonic::Response<Reply>, Status>>;

    fn call(&mut self, req: tonic::Request<DynamicMessage>) -> Self::Future {
        let shared = self.shared.clone();
        let path = self.path.clone();
        Box::pin(async move {
            let call = Call { shared, path };
            let _in_progress = call.shared.ctx.call_started();
            let m = call.method();
            let (log, params) = start(call.shared.kind, m.route, &req);
            let params = params.map_err(|e| to_status(&e))?;
            let method = m.route.method();
            let calling = call
                .shared
                .backend
                .call(&method, params, m.route.datetime_params);
            let answer = with_trace_id(log.trace_id().to_string(), calling)
                .await
                .map_err(|e| {
                    log.error(&e);
                    to_status(&e)
                })?;
            for d in call
                .shared
                .kind
                .debug_logs
                .iter()
                .filter(|d| d.route == method)
            {
                log.debug(d.src, &(d.text)(&answer));
            }
            let shaped = match m.route.answer {
                Answer::Empty => {
                    log.response(&Value::Null);
                    return Ok(tonic::Response::new(Reply::Message(DynamicMessage::new(
                        m.output.clone(),
                    ))));
                }
                Answer::Unary(shape) | Answer::Stream(shape, _) => shape(&answer).map_err(|e| {
                    log.error(&e);
                    to_status(&e)
                })?,
            };
            log.response(&shaped);
            // Upstream converts after its service returned: no log line for this.
            dict_to_message(&shaped, &m.output)
                .map(|msg| tonic::Response::new(Reply::Message(msg)))
                .map_err(|text| to_status(&PluginError::unknown(text)))
        })
    }
}

type MessageStream = Pin<Box<dyn Stream<Item = Result<Reply, Status>> + Send + 'static>>;

impl tonic::server::ServerStreamingService<DynamicMessage> for Call {
    type Response = Reply;
    type ResponseStream = MessageStream;
    type Future = BoxFuture<Result<tonic::Response<MessageStream>, Status>>;

    fn call(&mut self, req: tonic::Request<DynamicMessage>) -> Self::Future {
        let shared = self.shared.clone();
        let path = self.path.clone();
        Box::pin(async move {
            let call = Call { shared, path };
            let in_progress: CallGuard = call.shared.ctx.call_started();
            let m = call.method();
            let (log, params) = start(call.shared.kind, m.route, &req);
            let params = params.map_err(|e| to_status(&e))?;
            let starting =
                call.shared
                    .backend
                    .stream(&m.route.method(), params, m.route.datetime_params);
            let rx = with_trace_id(log.trace_id().to_string(), starting)
                .await
                .map_err(|e| {
                    log.error(&e);
                    to_status(&e)
                })?;
            let (shape, direct): (Shape, _) = match m.route.answer {
                Answer::Stream(shape, direct) => (shape, direct),
                Answer::Unary(shape) => (shape, None),
                Answer::Empty => (|_| Ok(Value::Null), None),
            };
            let output = m.output.clone();
            // Errors while the plugin iterates are not logged (as upstream); the
            // caller gets them after the messages already sent.
            // The call counts as in progress until its stream ends or is dropped.
            let stream = futures_util::stream::unfold(Some((rx, in_progress)), move |state| {
                let output = output.clone();
                async move {
                    let (mut rx, guard) = state?;
                    let item = rx.recv().await?;
                    // Straight from the handler's line where the kind can;
                    // else encoded from the shaped dict; what that fast path
                    // does not cover (and every conversion error) the slow way.
                    let message = item.and_then(|item| {
                        if let Some(bytes) = direct.and_then(|d| d(item.node(), &output)) {
                            return Ok(Reply::Encoded(bytes));
                        }
                        let shaped = shape(&item.to_value())?;
                        match encode::encode_dict(&shaped, &output) {
                            Some(bytes) => Ok(Reply::Encoded(bytes)),
                            None => dict_to_message(&shaped, &output)
                                .map(Reply::Message)
                                .map_err(PluginError::unknown),
                        }
                    });
                    match message {
                        Ok(msg) => Some((Ok(msg), Some((rx, guard)))),
                        Err(e) => Some((Err(to_status(&e)), None)),
                    }
                }
            });
            Ok(tonic::Response::new(Box::pin(stream) as MessageStream))
        })
    }
}
