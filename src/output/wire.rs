//! Protobuf wire bytes → data, straight from the bytes of a proto3 message:
//! the same result as [`message::to_value`] of the decoded `DynamicMessage`
//! (see there for the rules), without building that message first. Decoding a
//! long stream's responses this way skips a tree of dynamic messages per
//! response (for a `Struct`, one per value).
//!
//! The fast path covers proto3 messages made of scalars, enums, strings, bytes,
//! repeated fields, maps, nested messages and `Struct` / `Value` / `ListValue`.
//! Every other well-known type (`Timestamp`, `Any`, wrappers, ...) is decoded as a
//! `DynamicMessage` and converted by [`message::to_value`]; so is a whole
//! message whenever the bytes hold something the fast path does not reproduce
//! exactly (a singular message field sent twice, which merges; groups; wire
//! types that do not match the field; invalid UTF-8; proto2 files), which also
//! gives the same decoding errors.

use base64::Engine;
use prost::bytes::Buf;
use prost::encoding::{WireType, decode_key, decode_varint};
use prost_reflect::{DynamicMessage, FieldDescriptor, Kind, MessageDescriptor, Syntax};
use serde_json::{Map, Value};

use super::message;

/// The data of a message of type `desc` held in `bytes`, as
/// `message::to_value(&DynamicMessage::decode(desc, bytes)?)` gives it.
pub fn to_value(desc: &MessageDescriptor, bytes: &[u8]) -> Result<Value, prost::DecodeError> {
    match fast_message(desc, bytes) {
        Some(v) => Ok(v),
        None => slow(desc, bytes),
    }
}

fn slow(desc: &MessageDescriptor, bytes: &[u8]) -> Result<Value, prost::DecodeError> {
    DynamicMessage::decode(desc.clone(), bytes).map(|m| message::to_value(&m))
}

/// One field of a message being decoded.
enum Slot {
    Empty,
    /// A singular field: its data, and whether it counts as set.
    One(Value, bool),
    /// A message field (kept to detect a second occurrence, which merges).
    Message(Value),
    List(Vec<Value>),
    /// Map entries as (key, sort key, data); later keys replace earlier ones.
    Map(Vec<(MapKeyData, Value)>),
}

#[derive(Clone, PartialEq, PartialOrd)]
enum MapKeyData {
    Int(i128),
    Text(String),
}

impl MapKeyData {
    fn text(&self, kind: &Kind) -> String {
        match (self, kind) {
            (MapKeyData::Int(i), Kind::Bool) => (*i != 0).to_string(),
            (MapKeyData::Int(i), _) => i.to_string(),
            (MapKeyData::Text(s), _) => s.clone(),
        }
    }
}

/// None: leave this message to the slow path.
fn fast_message(desc: &MessageDescriptor, bytes: &[u8]) -> Option<Value> {
    match desc.full_name() {
        "google.protobuf.Struct" => return struct_data(bytes),
        "google.protobuf.Value" => return value_data(bytes),
        "google.protobuf.ListValue" => return list_data(bytes),
        name if name.starts_with("google.protobuf.") => return None,
        _ => {}
    }
    if desc.parent_file().syntax() != Syntax::Proto3 {
        return None;
    }
    let fields: Vec<FieldDescriptor> = desc.fields().collect();
    let mut slots: Vec<Slot> = (0..fields.len()).map(|_| Slot::Empty).collect();
    let mut buf = bytes;
    while buf.has_remaining() {
        let (number, wire) = decode_key(&mut buf).ok()?;
        let Some(index) = fields.iter().position(|f| f.number() == number) else {
            skip(&mut buf, wire)?;
            continue;
        };
        let field = &fields[index];
        let kind = field.kind();
        if field.is_map() {
            let entry = take_len(&mut buf, wire)?;
            let Kind::Message(entry_desc) = &kind else {
                return None;
            };
            let (key, value) = map_entry(entry_desc, entry)?;
            match &mut slots[index] {
                Slot::Map(entries) => entries.push((key, value)),
                slot => *slot = Slot::Map(vec![(key, value)]),
            }
        } else if field.is_list() {
            if !matches!(slots[index], Slot::List(_)) {
                slots[index] = Slot::List(Vec::new());
            }
            let Slot::List(items) = &mut slots[index] else {
                return None;
            };
            if wire == WireType::LengthDelimited && packable(&kind) {
                let mut packed = take_len(&mut buf, wire)?;
                while packed.has_remaining() {
                    items.push(scalar(&kind, &mut packed, scalar_wire(&kind))?.0);
                }
            } else {
                items.push(single(&kind, &mut buf, wire)?.0);
            }
        } else {
            if let Some(oneof) = field.containing_oneof() {
                for other in oneof.fields().filter(|f| f.number() != number) {
                    if let Some(i) = fields.iter().position(|f| f.number() == other.number()) {
                        slots[i] = Slot::Empty;
                    }
                }
            }
            if let Kind::Message(_) = kind {
                if matches!(slots[index], Slot::Message(_)) {
                    // A second occurrence merges into the first.
                    return None;
                }
                slots[index] = Slot::Message(single(&kind, &mut buf, wire)?.0);
            } else {
                let (value, is_default) = single(&kind, &mut buf, wire)?;
                slots[index] = Slot::One(value, field.supports_presence() || !is_default);
            }
        }
    }
    let mut order: Vec<usize> = (0..fields.len()).collect();
    order.sort_by_key(|&i| fields[i].number());
    let mut out = Map::new();
    for i in order {
        let value = match std::mem::replace(&mut slots[i], Slot::Empty) {
            Slot::Empty | Slot::One(_, false) => continue,
            Slot::One(v, true) | Slot::Message(v) => v,
            Slot::List(items) if items.is_empty() => continue,
            Slot::List(items) => Value::Array(items),
            Slot::Map(entries) => {
                let key_kind = match fields[i].kind() {
                    Kind::Message(entry) => entry.map_entry_key_field().kind(),
                    _ => return None,
                };
                map_data(entries, &key_kind)
            }
        };
        out.insert(fields[i].name().to_string(), value);
    }
    Some(Value::Object(out))
}

/// A map field's data: keys in sorted order, the last entry of a key winning.
fn map_data(mut entries: Vec<(MapKeyData, Value)>, key_kind: &Kind) -> Value {
    // Stable: among equal keys the later entry stays last.
    entries.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
    let mut out = Map::with_capacity(entries.len());
    let mut iter = entries.into_iter().peekable();
    while let Some((key, value)) = iter.next() {
        if iter.peek().is_some_and(|(next, _)| *next == key) {
            continue;
        }
        out.insert(key.text(key_kind), value);
    }
    Value::Object(out)
}

fn map_entry(entry: &MessageDescriptor, bytes: &[u8]) -> Option<(MapKeyData, Value)> {
    let key_field = entry.map_entry_key_field();
    let value_field = entry.map_entry_value_field();
    let key_kind = key_field.kind();
    let value_kind = value_field.kind();
    let mut key = None;
    let mut value = None;
    let mut buf = bytes;
    while buf.has_remaining() {
        let (number, wire) = decode_key(&mut buf).ok()?;
        if number == key_field.number() {
            key = Some(match single(&key_kind, &mut buf, wire)?.0 {
                Value::String(s) => MapKeyData::Text(s),
                Value::Bool(b) => MapKeyData::Int(i128::from(b)),
                Value::Number(n) => MapKeyData::Int(i128::from(n.as_i64()?)),
                // 64-bit keys arrive as text.
                other => MapKeyData::Int(other.as_str()?.parse().ok()?),
            });
        } else if number == value_field.number() {
            if value.is_some() && matches!(value_kind, Kind::Message(_)) {
                return None;
            }
            value = Some(single(&value_kind, &mut buf, wire)?.0);
        } else {
            skip(&mut buf, wire)?;
        }
    }
    let key = match key {
        Some(k) => k,
        None => match key_kind {
            Kind::String => MapKeyData::Text(String::new()),
            _ => MapKeyData::Int(0),
        },
    };
    let value = match value {
        Some(v) => v,
        None => default_data(&value_kind)?,
    };
    Some((key, value))
}

/// The data of an absent map value.
fn default_data(kind: &Kind) -> Option<Value> {
    let empty: &[u8] = &[];
    Some(match kind {
        Kind::Message(m) => fast_message(m, empty).or_else(|| slow(m, empty).ok())?,
        Kind::Enum(_) => enum_data(kind, 0),
        Kind::String => Value::String(String::new()),
        Kind::Bytes => Value::String(String::new()),
        Kind::Bool => Value::Bool(false),
        Kind::Double | Kind::Float => message::float(0.0),
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 | Kind::Uint64 | Kind::Fixed64 => {
            Value::String("0".into())
        }
        _ => Value::from(0),
    })
}

fn packable(kind: &Kind) -> bool {
    !matches!(kind, Kind::String | Kind::Bytes | Kind::Message(_))
}

fn scalar_wire(kind: &Kind) -> WireType {
    match kind {
        Kind::Double | Kind::Fixed64 | Kind::Sfixed64 => WireType::SixtyFourBit,
        Kind::Float | Kind::Fixed32 | Kind::Sfixed32 => WireType::ThirtyTwoBit,
        _ => WireType::Varint,
    }
}

/// One value of a (non-map) field: its data and whether it is the default.
fn single(kind: &Kind, buf: &mut &[u8], wire: WireType) -> Option<(Value, bool)> {
    match kind {
        Kind::Message(m) => {
            let bytes = take_len(buf, wire)?;
            let value = match fast_message(m, bytes) {
                Some(v) => v,
                None => slow(m, bytes).ok()?,
            };
            Some((value, false))
        }
        Kind::String => {
            let bytes = take_len(buf, wire)?;
            let s = std::str::from_utf8(bytes).ok()?;
            Some((Value::String(s.to_string()), s.is_empty()))
        }
        Kind::Bytes => {
            let bytes = take_len(buf, wire)?;
            Some((
                Value::String(base64::engine::general_purpose::STANDARD.encode(bytes)),
                bytes.is_empty(),
            ))
        }
        _ => scalar(kind, buf, wire),
    }
}

fn scalar(kind: &Kind, buf: &mut &[u8], wire: WireType) -> Option<(Value, bool)> {
    if wire != scalar_wire(kind) {
        return None;
    }
    let varint = |buf: &mut &[u8]| decode_varint(buf).ok();
    let fixed32 = |buf: &mut &[u8]| (buf.remaining() >= 4).then(|| buf.get_u32_le());
    let fixed64 = |buf: &mut &[u8]| (buf.remaining() >= 8).then(|| buf.get_u64_le());
    Some(match kind {
        Kind::Double => {
            let f = f64::from_bits(fixed64(buf)?);
            (message::float(f), f == 0.0)
        }
        Kind::Float => {
            let f = f32::from_bits(fixed32(buf)?);
            (message::float32(f), f == 0.0)
        }
        Kind::Int32 => {
            let v = varint(buf)? as i32;
            (Value::from(v), v == 0)
        }
        Kind::Sint32 => {
            let n = varint(buf)? as u32;
            let v = ((n >> 1) as i32) ^ (-((n & 1) as i32));
            (Value::from(v), v == 0)
        }
        Kind::Sfixed32 => {
            let v = fixed32(buf)? as i32;
            (Value::from(v), v == 0)
        }
        Kind::Uint32 => {
            let v = varint(buf)? as u32;
            (Value::from(v), v == 0)
        }
        Kind::Fixed32 => {
            let v = fixed32(buf)?;
            (Value::from(v), v == 0)
        }
        Kind::Int64 => {
            let v = varint(buf)? as i64;
            (Value::String(v.to_string()), v == 0)
        }
        Kind::Sint64 => {
            let n = varint(buf)?;
            let v = ((n >> 1) as i64) ^ (-((n & 1) as i64));
            (Value::String(v.to_string()), v == 0)
        }
        Kind::Sfixed64 => {
            let v = fixed64(buf)? as i64;
            (Value::String(v.to_string()), v == 0)
        }
        Kind::Uint64 => {
            let v = varint(buf)?;
            (Value::String(v.to_string()), v == 0)
        }
        Kind::Fixed64 => {
            let v = fixed64(buf)?;
            (Value::String(v.to_string()), v == 0)
        }
        Kind::Bool => {
            let v = varint(buf)? != 0;
            (Value::Bool(v), !v)
        }
        Kind::Enum(_) => {
            let v = varint(buf)? as i32;
            (enum_data(kind, v), v == 0)
        }
        Kind::String | Kind::Bytes | Kind::Message(_) => return None,
    })
}

fn enum_data(kind: &Kind, n: i32) -> Value {
    match kind {
        Kind::Enum(e) if e.full_name() == "google.protobuf.NullValue" => Value::Null,
        Kind::Enum(e) => match e.get_value(n) {
            Some(v) => Value::String(v.name().to_string()),
            None => Value::from(n),
        },
        _ => Value::from(n),
    }
}

fn take_len<'a>(buf: &mut &'a [u8], wire: WireType) -> Option<&'a [u8]> {
    if wire != WireType::LengthDelimited {
        return None;
    }
    let len = usize::try_from(decode_varint(buf).ok()?).ok()?;
    if buf.len() < len {
        return None;
    }
    let (head, tail) = buf.split_at(len);
    *buf = tail;
    Some(head)
}

fn skip(buf: &mut &[u8], wire: WireType) -> Option<()> {
    match wire {
        WireType::Varint => {
            decode_varint(buf).ok()?;
        }
        WireType::SixtyFourBit => {
            if buf.len() < 8 {
                return None;
            }
            buf.advance(8);
        }
        WireType::ThirtyTwoBit => {
            if buf.len() < 4 {
                return None;
            }
            buf.advance(4);
        }
        WireType::LengthDelimited => {
            take_len(buf, wire)?;
        }
        WireType::StartGroup | WireType::EndGroup => return None,
    }
    Some(())
}

// ---------------------------------------------------------------------------
// google.protobuf.Struct / Value / ListValue

fn struct_data(bytes: &[u8]) -> Option<Value> {
    let mut entries: Vec<(MapKeyData, Value)> = Vec::new();
    let mut buf = bytes;
    while buf.has_remaining() {
        let (number, wire) = decode_key(&mut buf).ok()?;
        if number != 1 {
            skip(&mut buf, wire)?;
            continue;
        }
        let mut entry = take_len(&mut buf, wire)?;
        let mut key = String::new();
        let mut value = None;
        while entry.has_remaining() {
            let (n, w) = decode_key(&mut entry).ok()?;
            match n {
                1 => {
                    key = std::str::from_utf8(take_len(&mut entry, w)?)
                        .ok()?
                        .to_string()
                }
                2 => {
                    if value.is_some() {
                        // A repeated message value merges.
                        return None;
                    }
                    value = Some(value_data(take_len(&mut entry, w)?)?);
                }
                _ => skip(&mut entry, w)?,
            }
        }
        entries.push((MapKeyData::Text(key), value.unwrap_or(Value::Null)));
    }
    Some(map_data(entries, &Kind::String))
}

fn value_data(bytes: &[u8]) -> Option<Value> {
    let mut out = Value::Null;
    let mut message_set = false;
    let mut buf = bytes;
    while buf.has_remaining() {
        let (number, wire) = decode_key(&mut buf).ok()?;
        let is_message = matches!(number, 5 | 6);
        if is_message && message_set {
            return None;
        }
        out = match number {
            1 => {
                if wire != WireType::Varint {
                    return None;
                }
                decode_varint(&mut buf).ok()?;
                Value::Null
            }
            2 => {
                if wire != WireType::SixtyFourBit || buf.len() < 8 {
                    return None;
                }
                message::float(f64::from_bits(buf.get_u64_le()))
            }
            3 => Value::String(
                std::str::from_utf8(take_len(&mut buf, wire)?)
                    .ok()?
                    .to_string(),
            ),
            4 => {
                if wire != WireType::Varint {
                    return None;
                }
                Value::Bool(decode_varint(&mut buf).ok()? != 0)
            }
            5 => struct_data(take_len(&mut buf, wire)?)?,
            6 => list_data(take_len(&mut buf, wire)?)?,
            _ => {
                skip(&mut buf, wire)?;
                continue;
            }
        };
        message_set = is_message;
    }
    Some(out)
}

fn list_data(bytes: &[u8]) -> Option<Value> {
    let mut items = Vec::new();
    let mut buf = bytes;
    while buf.has_remaining() {
        let (number, wire) = decode_key(&mut buf).ok()?;
        if number == 1 {
            items.push(value_data(take_len(&mut buf, wire)?)?);
        } else {
            skip(&mut buf, wire)?;
        }
    }
    Some(Value::Array(items))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use prost::Message as _;
    use prost_reflect::DescriptorPool;

    const PROTO: &str = r#"
syntax = "proto3";
package w.v1;
import "google/protobuf/struct.proto";
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";
enum Color { NONE = 0; RED = 1; GREEN = 2; }
message Inner { string name = 1; int64 big = 2; repeated Inner children = 3; }
message Outer {
  string text = 1;
  int32 i32 = 2;
  int64 i64 = 3;
  uint32 u32 = 4;
  uint64 u64 = 5;
  sint32 s32 = 6;
  sint64 s64 = 7;
  fixed32 f32 = 8;
  fixed64 f64 = 9;
  sfixed32 sf32 = 10;
  sfixed64 sf64 = 11;
  float fl = 12;
  double db = 13;
  bool flag = 14;
  bytes raw = 15;
  Color color = 16;
  repeated int32 numbers = 17;
  repeated string names = 18;
  map<string, Inner> by_name = 19;
  map<int32, string> by_number = 20;
  map<bool, int64> by_flag = 21;
  Inner inner = 22;
  repeated Inner inners = 23;
  google.protobuf.Struct data = 24;
  google.protobuf.Value any_value = 25;
  google.protobuf.ListValue list = 26;
  google.protobuf.Timestamp at = 27;
  google.protobuf.StringValue wrapped = 28;
  oneof choice { string one_text = 29; int32 one_number = 30; Inner one_inner = 31; }
  optional int32 maybe = 32;
  repeated Color colors = 33;
}
"#;

    fn pool() -> DescriptorPool {
        proto_pool(PROTO)
    }

    /// The pool of one test proto file (which may import the well-known types).
    pub(crate) fn proto_pool(source: &'static str) -> DescriptorPool {
        use protox::file::{ChainFileResolver, File, FileResolver, GoogleFileResolver};
        struct Source(&'static str);
        impl FileResolver for Source {
            fn open_file(&self, name: &str) -> Result<File, protox::Error> {
                if name == "test.proto" {
                    File::from_source(name, self.0)
                } else {
                    Err(protox::Error::file_not_found(name))
                }
            }
        }
        let mut resolver = ChainFileResolver::new();
        resolver.add(Source(source));
        resolver.add(GoogleFileResolver::new());
        let mut compiler = protox::Compiler::with_file_resolver(resolver);
        compiler.include_imports(true);
        compiler
            .open_file("test.proto")
            .expect("test proto compiles");
        compiler.descriptor_pool()
    }

    fn same(desc: &MessageDescriptor, bytes: &[u8]) {
        let want = slow(desc, bytes).expect("decodes");
        let got = to_value(desc, bytes).expect("decodes");
        assert_eq!(
            serde_json::to_string(&got).unwrap(),
            serde_json::to_string(&want).unwrap(),
            "bytes {bytes:?}"
        );
    }

    fn outer(pool: &DescriptorPool, v: serde_json::Value) -> (MessageDescriptor, Vec<u8>) {
        let desc = pool.get_message_by_name("w.v1.Outer").unwrap();
        let msg = DynamicMessage::deserialize(desc.clone(), v).expect("valid message json");
        (desc, msg.encode_to_vec())
    }

    #[test]
    fn matches_the_dynamic_message_conversion() {
        let pool = pool();
        let cases = vec![
            serde_json::json!({}),
            serde_json::json!({"text": "héllo", "i32": -5, "i64": "-9007199254740993", "u32": 7,
                "u64": "18446744073709551615", "s32": -3, "s64": "-4", "f32": 9, "f64": "10",
                "sf32": -11, "sf64": "-12", "fl": 0.1, "db": 2.5, "flag": true, "raw": "AAEC",
                "color": "GREEN", "numbers": [1, -2, 3], "names": ["a", "", "c"]}),
            serde_json::json!({"by_name": {"z": {"name": "last"}, "a": {}, "m": {"big": "5"}},
                "by_number": {"10": "ten", "-1": "minus", "2": ""}, "by_flag": {"true": "1", "false": "0"}}),
            serde_json::json!({"inner": {}, "inners": [{"name": "x", "children": [{"name": "y"}]}, {}]}),
            serde_json::json!({"data": {"b": 1, "a": [1.5, "x", null, true, {"k": {}}], "c": {}},
                "any_value": {"n": [1, 2]}, "list": [null, 3, "t"]}),
            serde_json::json!({"at": "2024-07-25T17:07:53.002Z", "wrapped": "w"}),
            serde_json::json!({"one_text": ""}),
            serde_json::json!({"one_inner": {}}),
            serde_json::json!({"one_number": 0, "maybe": 0}),
            serde_json::json!({"colors": ["RED", "NONE"], "db": 0.0, "fl": -0.0}),
            serde_json::json!({"data": {"nan": "NaN"}, "db": "Infinity"}),
        ];
        for case in cases {
            let (desc, bytes) = outer(&pool, case);
            same(&desc, &bytes);
        }
    }

    #[test]
    fn odd_wire_forms_match_too() {
        let pool = pool();
        let desc = pool.get_message_by_name("w.v1.Outer").unwrap();
        // Unknown field 99 and unpacked repeated ints, a singular field sent
        // twice, an unknown enum number, a oneof switched, a message field sent
        // twice (it merges), a map key sent twice.
        let cases: Vec<Vec<u8>> = vec![
            vec![0x98, 0x06, 0x01, 0x88, 0x01, 0x05, 0x88, 0x01, 0x06],
            vec![0x10, 0x01, 0x10, 0x02],
            vec![0x80, 0x01, 0x09],
            vec![0xea, 0x01, 0x01, b'a', 0xf0, 0x01, 0x03],
            vec![0xb2, 0x01, 0x02, 0x0a, 0x00, 0xb2, 0x01, 0x02, 0x10, 0x01],
            vec![
                0x9a, 0x01, 0x05, 0x0a, 0x01, b'k', 0x12, 0x00, 0x9a, 0x01, 0x07, 0x0a, 0x01, b'k',
                0x12, 0x02, 0x0a, 0x00,
            ],
        ];
        for bytes in cases {
            same(&desc, &bytes);
        }
        // Broken bytes fail as the dynamic decoder fails.
        assert!(to_value(&desc, &[0x0a, 0x05, b'a']).is_err());
        assert!(to_value(&desc, &[0x0a, 0x02, 0xff, 0xfe]).is_err());
    }

    #[test]
    fn struct_keys_are_sorted_and_the_last_one_wins() {
        let pool = pool();
        let desc = pool.get_message_by_name("google.protobuf.Struct").unwrap();
        let entry = |k: &str, v: &[u8]| {
            let mut e = vec![0x0a, k.len() as u8];
            e.extend_from_slice(k.as_bytes());
            e.extend_from_slice(&[0x12, v.len() as u8]);
            e.extend_from_slice(v);
            let mut out = vec![0x0a, e.len() as u8];
            out.extend(e);
            out
        };
        let mut bytes = entry("b", &[0x20, 0x01]);
        bytes.extend(entry("a", &[0x1a, 0x01, b'x']));
        bytes.extend(entry("b", &[0x11, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]));
        same(&desc, &bytes);
        assert_eq!(
            to_value(&desc, &bytes).unwrap(),
            serde_json::json!({"a": "x", "b": 1.0})
        );
    }
}
