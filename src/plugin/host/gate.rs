//! The size gate every served service reads its requests through: a request
//! message over upstream's limit fails as soon as its length prefix arrives,
//! before anything is buffered.

use std::pin::Pin;
use std::task::{Context, Poll};

use prost::bytes::Bytes;
use tonic::Status;
use tonic::body::Body;
use tonic::codegen::{Service, http};
use tonic::server::NamedService;

/// Largest request message accepted: upstream's gRPC server default (4 MiB).
pub const MAX_REQUEST_BYTES: usize = 4 * 1024 * 1024;

/// The status of a request message over [`MAX_REQUEST_BYTES`], exactly as
/// upstream's gRPC server answers it.
pub fn too_large_status(len: u64) -> Status {
    Status::resource_exhausted(format!(
        "SERVER: Received message larger than max ({len} vs. {MAX_REQUEST_BYTES})"
    ))
}

/// A served service whose request bodies pass through [`GateBody`].
#[derive(Debug, Clone)]
pub struct Gated<S>(pub S);

impl<S: NamedService> NamedService for Gated<S> {
    const NAME: &'static str = S::NAME;
}

impl<S> Service<http::Request<Body>> for Gated<S>
where
    S: Service<http::Request<Body>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        self.0.call(req.map(|b| Body::new(GateBody::new(b))))
    }
}

/// A request body that reads the gRPC length prefix of every message as it
/// arrives and fails the call with [`too_large_status`] as soon as one
/// announces more than [`MAX_REQUEST_BYTES`], before anything is buffered.
pub struct GateBody {
    inner: Body,
    /// The 5-byte message prefix being read (compression flag, length).
    prefix: [u8; 5],
    have: usize,
    /// Bytes of the current message still to pass.
    skip: u64,
    failed: bool,
}

impl GateBody {
    pub fn new(inner: Body) -> GateBody {
        GateBody {
            inner,
            prefix: [0; 5],
            have: 0,
            skip: 0,
            failed: false,
        }
    }

    /// Follows the message framing through `data`; the length of a message
    /// over the limit is the error.
    fn scan(&mut self, mut data: &[u8]) -> Result<(), u64> {
        while !data.is_empty() {
            if self.skip > 0 {
                let n = usize::try_from(self.skip)
                    .unwrap_or(usize::MAX)
                    .min(data.len());
                self.skip -= n as u64;
                data = &data[n..];
                continue;
            }
            self.prefix[self.have] = data[0];
            self.have += 1;
            data = &data[1..];
            if self.have == self.prefix.len() {
                self.have = 0;
                let len = u64::from(u32::from_be_bytes([
                    self.prefix[1],
                    self.prefix[2],
                    self.prefix[3],
                    self.prefix[4],
                ]));
                if len > MAX_REQUEST_BYTES as u64 {
                    return Err(len);
                }
                self.skip = len;
            }
        }
        Ok(())
    }
}

impl http_body::Body for GateBody {
    type Data = Bytes;
    type Error = Status;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Status>>> {
        if self.failed {
            return Poll::Ready(None);
        }
        let frame = match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => frame,
            other => return other,
        };
        if let Some(data) = frame.data_ref()
            && let Err(len) = self.scan(data)
        {
            self.failed = true;
            return Poll::Ready(Some(Err(too_large_status(len))));
        }
        Poll::Ready(Some(Ok(frame)))
    }

    fn is_end_stream(&self) -> bool {
        self.failed || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}
