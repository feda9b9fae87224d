//! gRPC server reflection client: v1alpha first, v1 when the server does not
//! implement v1alpha; one bidirectional stream per discovery.
//!
//! Requests are queued before the call is awaited: some servers send response
//! headers only after the first request message, and awaiting the call with an
//! empty request stream would wait forever.

use std::collections::HashSet;

use prost::Message;
use prost_reflect::DescriptorPool;
use prost_types::FileDescriptorProto;
use tokio::sync::mpsc;
use tokio_stream::wrappers::UnboundedReceiverStream;
use tonic::codec::Streaming;
use tonic::{Code, Request, Status};
use tonic_reflection::pb::v1alpha::server_reflection_request::MessageRequest;
use tonic_reflection::pb::v1alpha::server_reflection_response::MessageResponse;
use tonic_reflection::pb::v1alpha::{ServerReflectionRequest, ServerReflectionResponse};

use super::channel::Connection;
use super::status::connection_error;
use crate::error::AppError;

/// The two wire-identical versions of the reflection service, in the order tried.
const PATHS: [&str; 2] = [
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
    "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
];

/// A serialized `FileDescriptorProto` as the server sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// An open reflection stream.
pub struct ReflectionStream {
    tx: mpsc::UnboundedSender<ServerReflectionRequest>,
    rx: Streaming<ServerReflectionResponse>,
    label: String,
}

fn request(msg: MessageRequest) -> ServerReflectionRequest {
    ServerReflectionRequest {
        host: String::new(),
        message_request: Some(msg),
    }
}

impl ReflectionStream {
    /// Open a stream and list the services the server offers (in its order).
    pub async fn open(conn: &Connection) -> Result<(Self, Vec<String>), AppError> {
        let mut last = None;
        for path in PATHS {
            match Self::open_on(conn, path).await {
                Ok(opened) => return Ok(opened),
                Err(status) if status.code() == Code::Unimplemented => last = Some(status),
                Err(status) => return Err(connection_error(&conn.label, status.message())),
            }
        }
        let message = last.map(|s| s.message().to_string()).unwrap_or_default();
        Err(connection_error(
            &conn.label,
            &format!("server reflection is not available ({message})"),
        ))
    }

    async fn open_on(conn: &Connection, path: &'static str) -> Result<(Self, Vec<String>), Status> {
        let (tx, rx) = mpsc::unbounded_channel();
        // Queued before the call is awaited (see the module docs).
        tx.send(request(MessageRequest::ListServices(String::new())))
            .map_err(|_| Status::internal("reflection request queue closed"))?;
        let mut grpc = tonic::client::Grpc::new(conn.channel.clone());
        grpc.ready()
            .await
            .map_err(|e| Status::unavailable(super::status::root_cause(&e)))?;
        let codec =
            tonic_prost::ProstCodec::<ServerReflectionRequest, ServerReflectionResponse>::default();
        let path = tonic::codegen::http::uri::PathAndQuery::from_static(path);
        let response = grpc
            .streaming(Request::new(UnboundedReceiverStream::new(rx)), path, codec)
            .await?;
        let mut stream = ReflectionStream {
            tx,
            rx: response.into_inner(),
            label: conn.label.clone(),
        };
        let services = match stream.next_response().await? {
            MessageResponse::ListServicesResponse(list) => {
                list.service.into_iter().map(|s| s.name).collect()
            }
            MessageResponse::ErrorResponse(e) => return Err(Status::unavailable(e.error_message)),
            _ => {
                return Err(Status::unavailable(
                    "unexpected reflection response to list_services",
                ));
            }
        };
        Ok((stream, services))
    }

    async fn next_response(&mut self) -> Result<MessageResponse, Status> {
        match self.rx.message().await? {
            Some(ServerReflectionResponse {
                message_response: Some(m),
                ..
            }) => Ok(m),
            Some(_) => Err(Status::unavailable("empty reflection response")),
            None => Err(Status::unavailable("reflection stream ended early")),
        }
    }

    fn send(&self, msg: MessageRequest) -> Result<(), AppError> {
        self.tx
            .send(request(msg))
            .map_err(|_| connection_error(&self.label, "reflection stream closed"))
    }

    /// Fetch the files declaring `services` and, breadth first by file name,
    /// every file they depend on. Requests of one level are pipelined.
    pub async fn files_for(&mut self, services: &[String]) -> Result<Vec<RawFile>, AppError> {
        let mut known: HashSet<String> = HashSet::new();
        let mut files: Vec<RawFile> = Vec::new();

        for service in services {
            self.send(MessageRequest::FileContainingSymbol(service.clone()))?;
        }
        let mut pending: Vec<String> = Vec::new();
        for service in services {
            match self
                .next_response()
                .await
                .map_err(|s| self.stream_error(s))?
            {
                MessageResponse::FileDescriptorResponse(r) => self.take_files(
                    r.file_descriptor_proto,
                    &mut known,
                    &mut files,
                    &mut pending,
                )?,
                MessageResponse::ErrorResponse(e) => {
                    return Err(connection_error(
                        &self.label,
                        &format!("{} (symbol = {service})", e.error_message),
                    ));
                }
                _ => {
                    return Err(connection_error(
                        &self.label,
                        "unexpected reflection response",
                    ));
                }
            }
        }

        // Bounded: every round adds at least one new file name or ends.
        while !pending.is_empty() {
            let level: Vec<String> = std::mem::take(&mut pending)
                .into_iter()
                .filter(|n| !known.contains(n))
                .collect::<indexmap::IndexSet<_>>()
                .into_iter()
                .collect();
            for name in &level {
                self.send(MessageRequest::FileByFilename(name.clone()))?;
            }
            for name in &level {
                match self
                    .next_response()
                    .await
                    .map_err(|s| self.stream_error(s))?
                {
                    MessageResponse::FileDescriptorResponse(r) => self.take_files(
                        r.file_descriptor_proto,
                        &mut known,
                        &mut files,
                        &mut pending,
                    )?,
                    MessageResponse::ErrorResponse(e) => match bundled_file(name) {
                        Some(raw) => {
                            self.take_files(vec![raw], &mut known, &mut files, &mut pending)?
                        }
                        None => {
                            return Err(connection_error(
                                &self.label,
                                &format!("{} (file = {name})", e.error_message),
                            ));
                        }
                    },
                    _ => {
                        return Err(connection_error(
                            &self.label,
                            "unexpected reflection response",
                        ));
                    }
                }
                // A file the server could not name stays unknown; never ask twice.
                known.insert(name.clone());
            }
        }
        Ok(files)
    }

    fn take_files(
        &self,
        raws: Vec<Vec<u8>>,
        known: &mut HashSet<String>,
        files: &mut Vec<RawFile>,
        pending: &mut Vec<String>,
    ) -> Result<(), AppError> {
        for bytes in raws {
            let proto = FileDescriptorProto::decode(bytes.as_slice()).map_err(|e| {
                connection_error(
                    &self.label,
                    &format!("invalid file descriptor from reflection: {e}"),
                )
            })?;
            let name = proto.name.clone().unwrap_or_default();
            if !known.insert(name.clone()) {
                continue;
            }
            pending.extend(
                proto
                    .dependency
                    .iter()
                    .filter(|d| !known.contains(*d))
                    .cloned(),
            );
            files.push(RawFile { name, bytes });
        }
        Ok(())
    }

    fn stream_error(&self, status: Status) -> AppError {
        connection_error(&self.label, status.message())
    }
}

/// Google's well-known files, for servers that do not serve them.
fn bundled_file(name: &str) -> Option<Vec<u8>> {
    if !name.starts_with("google/protobuf/") {
        return None;
    }
    DescriptorPool::global()
        .get_file_by_name(name)
        .map(|f| f.file_descriptor_proto().encode_to_vec())
}

/// Serialize files as a `FileDescriptorSet` (field 1, repeated, length-delimited).
pub fn encode_file_set(files: &[RawFile]) -> Vec<u8> {
    let mut out = Vec::with_capacity(files.iter().map(|f| f.bytes.len() + 6).sum());
    for f in files {
        prost::encoding::encode_key(1, prost::encoding::WireType::LengthDelimited, &mut out);
        prost::encoding::encode_varint(f.bytes.len() as u64, &mut out);
        out.extend_from_slice(&f.bytes);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_well_known_files() {
        let raw = bundled_file("google/protobuf/struct.proto").expect("struct.proto");
        let proto = FileDescriptorProto::decode(raw.as_slice()).unwrap();
        assert_eq!(proto.name.as_deref(), Some("google/protobuf/struct.proto"));
        assert!(bundled_file("google/protobuf/nope.proto").is_none());
        assert!(bundled_file("spaceone/api/core/v1/query.proto").is_none());
    }

    #[test]
    fn file_set_encoding_round_trips() {
        let names = [
            "google/protobuf/empty.proto",
            "google/protobuf/struct.proto",
        ];
        let files: Vec<RawFile> = names
            .iter()
            .map(|n| RawFile {
                name: n.to_string(),
                bytes: bundled_file(n).unwrap(),
            })
            .collect();
        let set =
            prost_types::FileDescriptorSet::decode(encode_file_set(&files).as_slice()).unwrap();
        let got: Vec<_> = set.file.iter().map(|f| f.name.clone().unwrap()).collect();
        assert_eq!(got, names);
        assert!(encode_file_set(&[]).is_empty());
    }
}
