//! `ResourceInfo`, the message `Collector.collect` streams, as the service
//! sends it: already encoded, either straight from the handler's line
//! ([`super::fast`]) or from the shaped dict through [`ResourceInfo`].

use prost::Message;
use prost::bytes::{Buf, BufMut};
use prost::encoding::{DecodeContext, WireType, skip_field};
use prost_types::Struct;

/// `ResourceInfo.State`: the numbers of its names.
pub const STATES: [(&str, i32); 9] = [
    ("NONE", 0),
    ("CREATED", 1),
    ("PENDING", 2),
    ("INPROGRESS", 3),
    ("SUCCESS", 4),
    ("FAILURE", 5),
    ("TIMEOUT", 6),
    ("IDLE", 7),
    ("SKIP", 8),
];

/// The number of a state's name.
pub fn state_number(name: &str) -> Option<i32> {
    STATES.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

/// `spaceone.api.inventory.plugin.ResourceInfo` (field 5 is not used).
#[derive(Clone, PartialEq, Message)]
pub struct ResourceInfo {
    #[prost(int32, tag = "1")]
    pub state: i32,
    #[prost(string, tag = "2")]
    pub message: String,
    #[prost(string, tag = "3")]
    pub resource_type: String,
    #[prost(message, optional, tag = "4")]
    pub match_rules: Option<Struct>,
    #[prost(message, optional, tag = "6")]
    pub resource: Option<Struct>,
    #[prost(message, optional, tag = "7")]
    pub options: Option<Struct>,
}

/// An encoded `ResourceInfo`: what the generated service sends. The host
/// never reads one; decoding keeps nothing.
#[derive(Clone, PartialEq, Default, Debug)]
pub struct ResourceReply(pub Vec<u8>);

impl From<ResourceInfo> for ResourceReply {
    fn from(info: ResourceInfo) -> Self {
        ResourceReply(info.encode_to_vec())
    }
}

impl Message for ResourceReply {
    fn encode_raw(&self, buf: &mut impl BufMut) {
        buf.put_slice(&self.0);
    }

    fn merge_field(
        &mut self,
        tag: u32,
        wire_type: WireType,
        buf: &mut impl Buf,
        ctx: DecodeContext,
    ) -> Result<(), prost::DecodeError> {
        skip_field(wire_type, tag, buf, ctx)
    }

    fn encoded_len(&self) -> usize {
        self.0.len()
    }

    fn clear(&mut self) {
        self.0.clear();
    }
}
