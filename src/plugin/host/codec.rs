//! The codec of the services the host serves with generated code: prost
//! encodes the responses; requests are decoded by [`HostDecode`], so that
//! Struct fields go through [`convert::merge_struct`], which accepts deeper
//! nesting than prost's decoder (and reports too-deep requests the way
//! upstream's server does).

use std::marker::PhantomData;

use prost::Message;
use prost::bytes::Buf;
use prost_types::Struct;
use tonic::Status;
use tonic::codec::{Codec, DecodeBuf, Decoder};

use super::convert::{self, WireError};

/// A request message the host decodes (see [`HostCodec`]).
pub trait HostDecode: Sized {
    fn host_decode(bytes: &[u8]) -> Result<Self, Status>;
}

/// The status of a request whose Struct field `field` cannot be decoded.
pub fn wire_status(e: WireError, field: &str) -> Status {
    match e {
        WireError::TooDeep => Status::internal(format!(
            "Exception deserializing request! ({field} has mappings or lists nested more than {} levels deep)",
            convert::MAX_REQUEST_NESTING
        )),
        WireError::Malformed(text) => Status::internal(text),
    }
}

/// Decodes a request made of Struct fields (`fields`: tag and name) and, for
/// tags in `other`, fields handled by `merge_other`.
pub fn decode_request(
    bytes: &[u8],
    fields: &mut [(u32, &str, &mut Option<Struct>)],
    other: &[u32],
    mut merge_other: impl FnMut(u32, &[u8]) -> Result<(), Status>,
) -> Result<(), Status> {
    let mut known: Vec<u32> = fields.iter().map(|(t, _, _)| *t).collect();
    known.extend_from_slice(other);
    let mut fault: Option<Status> = None;
    let walked = convert::for_each_field(bytes, &known, |tag, payload| {
        if let Some((_, name, slot)) = fields.iter_mut().find(|(t, _, _)| *t == tag) {
            let s = slot.get_or_insert_with(Struct::default);
            return convert::merge_struct(s, payload, 1).map_err(|e| {
                fault = Some(wire_status(e, name));
                WireError::Malformed(String::new())
            });
        }
        if other.contains(&tag) {
            merge_other(tag, payload).map_err(|status| {
                fault = Some(status);
                WireError::Malformed(String::new())
            })?;
        }
        Ok(())
    });
    match (walked, fault) {
        (Ok(()), _) => Ok(()),
        (Err(_), Some(status)) => Err(status),
        (Err(e), None) => Err(wire_status(e, "the request")),
    }
}

/// The codec of the served services: prost encodes responses, requests are
/// decoded by [`HostDecode`] (Struct fields by [`convert::merge_struct`], which
/// accepts deeper nesting than prost's decoder).
#[derive(Debug)]
pub struct HostCodec<E, D>(PhantomData<fn() -> (E, D)>);

impl<E, D> Default for HostCodec<E, D> {
    fn default() -> Self {
        HostCodec(PhantomData)
    }
}

impl<E, D> Codec for HostCodec<E, D>
where
    E: Message + Send + 'static,
    D: HostDecode + Send + 'static,
{
    type Encode = E;
    type Decode = D;
    type Encoder = tonic_prost::ProstEncoder<E>;
    type Decoder = HostDecoder<D>;

    fn encoder(&mut self) -> Self::Encoder {
        tonic_prost::ProstEncoder::default()
    }

    fn decoder(&mut self) -> Self::Decoder {
        HostDecoder(PhantomData)
    }
}

/// The decoding half of [`HostCodec`].
#[derive(Debug)]
pub struct HostDecoder<D>(PhantomData<fn() -> D>);

impl<D: HostDecode> Decoder for HostDecoder<D> {
    type Item = D;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<D>, Status> {
        let bytes = buf.copy_to_bytes(buf.remaining());
        D::host_decode(&bytes).map(Some)
    }
}

/// [`HostDecode`] for a message without Struct fields: prost's decoder.
pub fn prost_decode<T: Message + Default>(bytes: &[u8]) -> Result<T, Status> {
    T::decode(bytes).map_err(|e| Status::internal(e.to_string()))
}
