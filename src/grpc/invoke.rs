//! Calling one method: unary or server-streaming, with the auth metadata,
//! 256 MiB message limits and upstream's retries on UNAVAILABLE.

use futures_util::FutureExt;
use prost_reflect::{DynamicMessage, MethodDescriptor};
use tonic::codegen::http::uri::PathAndQuery;
use tonic::metadata::{MetadataKey, MetadataValue};
use tonic::{Code, Request, Status};

use super::channel::Connection;
use super::status::{call_error, root_cause};
use crate::error::AppError;
use tonic::codec::Codec;

/// Send and receive limit, as upstream sets it.
pub const MAX_MESSAGE_SIZE: usize = 256 * 1024 * 1024;

/// Attempts made when the server answers UNAVAILABLE (no backoff, like upstream).
pub const ATTEMPTS: usize = 3;

/// `/<package.Service>/<method>`.
pub fn method_path(method: &MethodDescriptor) -> String {
    format!("/{}/{}", method.parent_service().full_name(), method.name())
}

/// Attach metadata pairs to a request; a value that cannot travel as a header
/// is an error naming its key.
pub fn with_metadata<T>(message: T, metadata: &[(String, String)]) -> Result<Request<T>, AppError> {
    let mut request = Request::new(message);
    for (key, value) in metadata {
        let k = MetadataKey::from_bytes(key.as_bytes())
            .map_err(|_| AppError::msg(format!("Metadata key is invalid. (key = {key})")))?;
        let v = MetadataValue::try_from(value.as_str()).map_err(|_| {
            AppError::msg(format!(
                "Metadata value is invalid. (key = {key}, reason = only visible ASCII characters can be sent)"
            ))
        })?;
        request.metadata_mut().append(k, v);
    }
    Ok(request)
}

fn client(conn: &Connection) -> tonic::client::Grpc<tonic::transport::Channel> {
    tonic::client::Grpc::new(conn.channel.clone())
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE)
}

fn path_of(method: &MethodDescriptor) -> Result<PathAndQuery, AppError> {
    let text = method_path(method);
    PathAndQuery::try_from(text.as_str())
        .map_err(|_| AppError::msg(format!("Method path is invalid. (path = {text})")))
}

async fn ready(grpc: &mut tonic::client::Grpc<tonic::transport::Channel>) -> Result<(), Status> {
    grpc.ready()
        .await
        .map_err(|e| Status::unavailable(root_cause(&e)))
}

/// Call `method` and hand every response message to `on_message` as it arrives
/// (one for unary methods). While a stream has no further message ready,
/// `on_idle` is called before waiting for one (a printer flushes its output
/// there). UNAVAILABLE is retried up to [`ATTEMPTS`] times in total, for
/// streams only while nothing has been received yet.
/// Responses are decoded by `codec` ([`super::codec::DynCodec`]: as messages,
/// [`super::codec::DataCodec`]: straight to data).
pub async fn call<C, F, I>(
    conn: &Connection,
    method: &MethodDescriptor,
    request: DynamicMessage,
    metadata: &[(String, String)],
    codec: C,
    on_message: F,
    on_idle: I,
) -> Result<(), AppError>
where
    C: Codec<Encode = DynamicMessage> + Clone + Send + 'static,
    C::Decode: Send + Sync + 'static,
    F: FnMut(C::Decode) -> Result<(), AppError>,
    I: FnMut() -> Result<(), AppError>,
{
    call_mapped(
        conn, method, request, metadata, codec, on_message, on_idle, call_error,
    )
    .await
}

/// [`call`] with the final status mapped to an error by `map_status(status, channel)`
/// instead of the client's usual texts (a caller that tells upstream's error codes apart).
#[allow(clippy::too_many_arguments)]
pub async fn call_mapped<C, F, I>(
    conn: &Connection,
    method: &MethodDescriptor,
    request: DynamicMessage,
    metadata: &[(String, String)],
    codec: C,
    mut on_message: F,
    mut on_idle: I,
    map_status: fn(&Status, &str) -> AppError,
) -> Result<(), AppError>
where
    C: Codec<Encode = DynamicMessage> + Clone + Send + 'static,
    C::Decode: Send + Sync + 'static,
    F: FnMut(C::Decode) -> Result<(), AppError>,
    I: FnMut() -> Result<(), AppError>,
{
    let path = path_of(method)?;
    let mut last = None;
    for _ in 0..ATTEMPTS {
        let mut grpc = client(conn);
        let req = with_metadata(request.clone(), metadata)?;
        let codec = codec.clone();
        let result = if method.is_server_streaming() {
            stream_once(
                &mut grpc,
                req,
                path.clone(),
                codec,
                &mut on_message,
                &mut on_idle,
            )
            .await
        } else {
            unary_once(&mut grpc, req, path.clone(), codec, &mut on_message).await
        };
        match result {
            Ok(()) => return Ok(()),
            Err(Failure::App(e)) => return Err(e),
            Err(Failure::Status { status, retryable }) => {
                if status.code() == Code::Unavailable && retryable {
                    last = Some(status);
                    continue;
                }
                return Err(map_status(&status, &conn.label));
            }
        }
    }
    let status = last.unwrap_or_else(|| Status::unavailable(""));
    Err(map_status(&status, &conn.label))
}

enum Failure {
    App(AppError),
    Status { status: Status, retryable: bool },
}

async fn unary_once<C, F>(
    grpc: &mut tonic::client::Grpc<tonic::transport::Channel>,
    req: Request<DynamicMessage>,
    path: PathAndQuery,
    codec: C,
    on_message: &mut F,
) -> Result<(), Failure>
where
    C: Codec<Encode = DynamicMessage> + Send + 'static,
    C::Decode: Send + Sync + 'static,
    F: FnMut(C::Decode) -> Result<(), AppError>,
{
    let retry = |status| Failure::Status {
        status,
        retryable: true,
    };
    ready(grpc).await.map_err(retry)?;
    let response = grpc.unary(req, path, codec).await.map_err(retry)?;
    on_message(response.into_inner()).map_err(Failure::App)
}

async fn stream_once<C, F, I>(
    grpc: &mut tonic::client::Grpc<tonic::transport::Channel>,
    req: Request<DynamicMessage>,
    path: PathAndQuery,
    codec: C,
    on_message: &mut F,
    on_idle: &mut I,
) -> Result<(), Failure>
where
    C: Codec<Encode = DynamicMessage> + Send + 'static,
    C::Decode: Send + Sync + 'static,
    F: FnMut(C::Decode) -> Result<(), AppError>,
    I: FnMut() -> Result<(), AppError>,
{
    let before_first = |status| Failure::Status {
        status,
        retryable: true,
    };
    ready(grpc).await.map_err(before_first)?;
    let mut stream = grpc
        .server_streaming(req, path, codec)
        .await
        .map_err(before_first)?
        .into_inner();
    let mut received = false;
    loop {
        // `message()` only polls the stream, so trying it once is cancel-safe.
        let next = match stream.message().now_or_never() {
            Some(next) => next,
            None => {
                on_idle().map_err(Failure::App)?;
                stream.message().await
            }
        };
        match next {
            Ok(Some(message)) => {
                received = true;
                on_message(message).map_err(Failure::App)?;
            }
            Ok(None) => return Ok(()),
            Err(status) => {
                return Err(Failure::Status {
                    status,
                    retryable: !received,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_in_order() {
        let md = vec![
            ("token".to_string(), "T1".to_string()),
            ("x_domain_id".to_string(), "domain-abc".to_string()),
            ("x_workspace_id".to_string(), "workspace-xyz".to_string()),
        ];
        let req = with_metadata((), &md).unwrap();
        let got: Vec<(String, String)> = req
            .metadata()
            .iter()
            .map(|kv| match kv {
                tonic::metadata::KeyAndValueRef::Ascii(k, v) => {
                    (k.as_str().to_string(), v.to_str().unwrap().to_string())
                }
                tonic::metadata::KeyAndValueRef::Binary(k, _) => {
                    (k.as_str().to_string(), String::new())
                }
            })
            .collect();
        assert_eq!(got, md);
    }

    #[test]
    fn bad_metadata_values_name_the_key() {
        let md = vec![("token".to_string(), "line\nbreak".to_string())];
        assert_eq!(
            with_metadata((), &md).unwrap_err().render(),
            "ERROR: Metadata value is invalid. (key = token, reason = only visible ASCII characters can be sent)\n\n"
        );
        let md = vec![("Bad Key".to_string(), "v".to_string())];
        assert_eq!(
            with_metadata((), &md).unwrap_err().render(),
            "ERROR: Metadata key is invalid. (key = Bad Key)\n\n"
        );
    }
}
