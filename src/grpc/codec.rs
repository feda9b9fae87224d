//! Tonic codecs for messages known only at run time: [`DynCodec`] decodes
//! responses into `DynamicMessage`s, [`DataCodec`] straight into data.

use prost::Message;
use prost::bytes::Buf;
use prost_reflect::{DynamicMessage, MessageDescriptor};
use tonic::Status;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};

use crate::output::wire;

/// Encodes any `DynamicMessage`; decodes into messages of one descriptor.
#[derive(Debug, Clone)]
pub struct DynCodec {
    output: MessageDescriptor,
}

impl DynCodec {
    /// A codec whose decoder produces messages of type `output`.
    pub fn new(output: MessageDescriptor) -> Self {
        DynCodec { output }
    }
}

impl Codec for DynCodec {
    type Encode = DynamicMessage;
    type Decode = DynamicMessage;
    type Encoder = DynEncoder;
    type Decoder = DynDecoder;

    fn encoder(&mut self) -> Self::Encoder {
        DynEncoder
    }

    fn decoder(&mut self) -> Self::Decoder {
        DynDecoder {
            desc: self.output.clone(),
        }
    }
}

#[derive(Debug)]
pub struct DynEncoder;

impl Encoder for DynEncoder {
    type Item = DynamicMessage;
    type Error = Status;

    fn encode(&mut self, item: Self::Item, dst: &mut EncodeBuf<'_>) -> Result<(), Self::Error> {
        item.encode(dst)
            .map_err(|e| Status::internal(format!("cannot encode the request: {e}")))
    }
}

#[derive(Debug)]
pub struct DynDecoder {
    desc: MessageDescriptor,
}

impl Decoder for DynDecoder {
    type Item = DynamicMessage;
    type Error = Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Self::Item>, Self::Error> {
        DynamicMessage::decode(self.desc.clone(), src)
            .map(Some)
            .map_err(|e| {
                Status::internal(format!(
                    "cannot decode a {} response: {e}",
                    self.desc.full_name()
                ))
            })
    }
}

/// Encodes any `DynamicMessage`; decodes responses of one type straight into
/// data ([`wire::to_value`]: what converting the decoded message would give).
#[derive(Debug, Clone)]
pub struct DataCodec {
    output: MessageDescriptor,
}

impl DataCodec {
    pub fn new(output: MessageDescriptor) -> Self {
        DataCodec { output }
    }
}

impl Codec for DataCodec {
    type Encode = DynamicMessage;
    type Decode = serde_json::Value;
    type Encoder = DynEncoder;
    type Decoder = DataDecoder;

    fn encoder(&mut self) -> Self::Encoder {
        DynEncoder
    }

    fn decoder(&mut self) -> Self::Decoder {
        DataDecoder {
            desc: self.output.clone(),
        }
    }
}

#[derive(Debug)]
pub struct DataDecoder {
    desc: MessageDescriptor,
}

impl Decoder for DataDecoder {
    type Item = serde_json::Value;
    type Error = Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Self::Item>, Self::Error> {
        let bytes = src.copy_to_bytes(src.remaining());
        wire::to_value(&self.desc, &bytes).map(Some).map_err(|e| {
            Status::internal(format!(
                "cannot decode a {} response: {e}",
                self.desc.full_name()
            ))
        })
    }
}
