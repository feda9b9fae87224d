//! A dict → protobuf wire bytes, straight from the dict: the message
//! [`dict::dict_to_message`] builds, encoded, without building it first. A
//! streamed response is encoded this way once per message, so the dynamic
//! message tree (a map and a message per Struct value, a path text per key)
//! is skipped.
//!
//! The fast path covers dicts that convert without an error and hold only
//! what it reproduces exactly: mappings onto messages (no oneof set twice, no
//! field named twice), strings, booleans, enums by name, numbers of their own
//! type (integers within range on integer fields), nested and repeated
//! messages and strings, maps with string keys, and `Struct` / `Value` /
//! `ListValue`. Anything else (`None`) goes the slow way, which also gives
//! upstream's error text; a decoded fast message equals the slow one.
//!
//! [`dict::dict_to_message`]: super::dict::dict_to_message

use prost::encoding::{WireType, encode_key, encode_varint, encoded_len_varint};
use prost_reflect::{FieldDescriptor, Kind, MessageDescriptor};
use serde_json::{Map, Value};

use super::handler::item::{Json, Node};

const STRUCT: &str = "google.protobuf.Struct";
const VALUE: &str = "google.protobuf.Value";
const LIST_VALUE: &str = "google.protobuf.ListValue";
const EMPTY: &str = "google.protobuf.Empty";

/// The encoded message `desc` of `dict`, as `dict_to_message(dict, desc)`
/// encodes it (map entries in the dict's order); `None`: use that.
pub fn encode_dict(dict: &Value, desc: &MessageDescriptor) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(256);
    if desc.full_name() == EMPTY && dict.is_null() {
        return Some(out);
    }
    message(dict, desc, &mut out)?;
    Some(out)
}

/// Writes `key` (length-delimited) and what `body` writes, with its length.
pub fn delimited(
    number: u32,
    out: &mut Vec<u8>,
    body: impl FnOnce(&mut Vec<u8>) -> Option<()>,
) -> Option<()> {
    encode_key(number, WireType::LengthDelimited, out);
    let start = out.len();
    // One byte of length is reserved; longer lengths move the body along.
    out.push(0);
    body(out)?;
    let len = out.len() - start - 1;
    let width = encoded_len_varint(len as u64);
    if width == 1 {
        out[start] = len as u8;
    } else {
        let mut prefix = Vec::with_capacity(width);
        encode_varint(len as u64, &mut prefix);
        out.splice(start..start + 1, prefix);
    }
    Some(())
}

fn message(v: &Value, desc: &MessageDescriptor, out: &mut Vec<u8>) -> Option<()> {
    match desc.full_name() {
        STRUCT => strukt(v.as_object()?, out),
        VALUE => value(v, out),
        LIST_VALUE => list(v.as_array()?, out),
        _ => fields(v.as_object()?, desc, out),
    }
}

fn fields(m: &Map<String, Value>, desc: &MessageDescriptor, out: &mut Vec<u8>) -> Option<()> {
    // The fields set, in the dict's order; written in field-number order.
    let mut set: Vec<(FieldDescriptor, &Value)> = Vec::with_capacity(m.len());
    for (key, v) in m {
        // By JSON name first, then by name, as the slow way looks fields up.
        let field = desc
            .get_field_by_json_name(key)
            .or_else(|| desc.get_field_by_name(key))?;
        if set.iter().any(|(f, _)| f.number() == field.number()) {
            return None;
        }
        if let Some(oneof) = field.containing_oneof()
            && set
                .iter()
                .any(|(f, _)| f.containing_oneof().as_ref() == Some(&oneof))
        {
            return None;
        }
        set.push((field, v));
    }
    set.sort_by_key(|(f, _)| f.number());
    for (field, v) in set {
        put_field(&field, v, out)?;
    }
    Some(())
}

fn put_field(field: &FieldDescriptor, v: &Value, out: &mut Vec<u8>) -> Option<()> {
    let kind = field.kind();
    if v.is_null() {
        // A singular Value field holds a null; anything else stays unset.
        if let Kind::Message(m) = &kind
            && m.full_name() == VALUE
            && !field.is_list()
        {
            return delimited(field.number(), out, |out| value(&Value::Null, out));
        }
        return Some(());
    }
    if field.is_map() {
        let entries = v.as_object()?;
        let Kind::Message(entry) = &kind else {
            return None;
        };
        let key_field = entry.map_entry_key_field();
        let value_field = entry.map_entry_value_field();
        if !matches!(key_field.kind(), Kind::String) {
            return None;
        }
        for (k, item) in entries {
            delimited(field.number(), out, |out| {
                if !k.is_empty() {
                    text_field(key_field.number(), k, out);
                }
                // A map value has no presence: a default one is left out
                // (message values always count as set).
                single(&value_field, item, false, out)
            })?;
        }
        return Some(());
    }
    if field.is_list() {
        let items = v.as_array()?;
        match &kind {
            Kind::Message(_) | Kind::String => {}
            // Packed scalars: the slow way.
            _ => return None,
        }
        let is_value = matches!(&kind, Kind::Message(m) if m.full_name() == VALUE);
        for item in items {
            if item.is_null() && !is_value {
                return None;
            }
            single(field, item, true, out)?;
        }
        return Some(());
    }
    single(field, v, field.supports_presence(), out)
}

/// One value of `field`; `present`: written even when it is the default.
fn single(field: &FieldDescriptor, v: &Value, present: bool, out: &mut Vec<u8>) -> Option<()> {
    let number = field.number();
    match field.kind() {
        Kind::Message(m) => delimited(number, out, |out| message(v, &m, out)),
        Kind::String => {
            string_field(number, v.as_str()?, present, out);
            Some(())
        }
        Kind::Bool => {
            bool_field(number, v.as_bool()?, present, out);
            Some(())
        }
        Kind::Enum(e) => {
            let n = e.get_value_by_name(v.as_str()?)?.number();
            if present || n != 0 {
                encode_key(number, WireType::Varint, out);
                encode_varint(n as i64 as u64, out);
            }
            Some(())
        }
        Kind::Double => {
            double_field(number, number_f64(v)?, present, out);
            Some(())
        }
        Kind::Float => {
            let f = number_f64(v)? as f32;
            if present || f != 0.0 {
                encode_key(number, WireType::ThirtyTwoBit, out);
                out.extend_from_slice(&f.to_le_bytes());
            }
            Some(())
        }
        Kind::Int32 => varint(
            number,
            i64::from(i32::try_from(v.as_i64()?).ok()?) as u64,
            present,
            out,
        ),
        Kind::Int64 => varint(number, v.as_i64()? as u64, present, out),
        Kind::Uint32 => varint(
            number,
            u64::from(u32::try_from(v.as_u64()?).ok()?),
            present,
            out,
        ),
        Kind::Uint64 => varint(number, v.as_u64()?, present, out),
        // Bytes (base64 text), zigzag and fixed-width integers: the slow way.
        _ => None,
    }
}

fn varint(number: u32, n: u64, present: bool, out: &mut Vec<u8>) -> Option<()> {
    if present || n != 0 {
        encode_key(number, WireType::Varint, out);
        encode_varint(n, out);
    }
    Some(())
}

/// A number, or a boolean as 1.0 / 0.0 (`float(value)`); texts go the slow way.
fn number_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        _ => None,
    }
}

/// google.protobuf.Struct: `fields` (1) entries, key (1) and Value (2).
fn strukt(m: &Map<String, Value>, out: &mut Vec<u8>) -> Option<()> {
    for (k, v) in m {
        struct_entry(k, out, |out| value(v, out))?;
    }
    Some(())
}

/// google.protobuf.Value: one of null (1), number (2), string (3), bool (4),
/// struct (5), list (6), always written.
fn value(v: &Value, out: &mut Vec<u8>) -> Option<()> {
    match v {
        Value::Null => null_value(out),
        Value::Number(n) => number_value(n.as_f64().unwrap_or(f64::NAN), out),
        Value::String(s) => text_value(s, out),
        Value::Bool(b) => bool_value(*b, out),
        Value::Object(m) => struct_value(out, |out| strukt(m, out))?,
        Value::Array(items) => list_value(out, |out| list(items, out))?,
    }
    Some(())
}

/// google.protobuf.ListValue: `values` (1).
fn list(items: &[Value], out: &mut Vec<u8>) -> Option<()> {
    for item in items {
        list_item(out, |out| value(item, out))?;
    }
    Some(())
}

// ---------------------------------------------------------------------------
// Values read from a handler's line (a tape), as prost writes the
// `prost_types` message `convert::into_proto_value` makes of them: Struct
// entries in key order (a key written twice: its last value), every number a
// double.
// ---------------------------------------------------------------------------

/// A string field (`number`), written even when empty.
pub fn text_field(number: u32, s: &str, out: &mut Vec<u8>) {
    encode_key(number, WireType::LengthDelimited, out);
    encode_varint(s.len() as u64, out);
    out.extend_from_slice(s.as_bytes());
}

/// A string, boolean or double field; left out when it holds its default
/// unless `present` (a field with presence, or an item of a list).
pub fn string_field(number: u32, s: &str, present: bool, out: &mut Vec<u8>) {
    if present || !s.is_empty() {
        text_field(number, s, out);
    }
}

pub fn bool_field(number: u32, b: bool, present: bool, out: &mut Vec<u8>) {
    if present || b {
        encode_key(number, WireType::Varint, out);
        encode_varint(u64::from(b), out);
    }
}

pub fn double_field(number: u32, f: f64, present: bool, out: &mut Vec<u8>) {
    if present || f != 0.0 {
        encode_key(number, WireType::SixtyFourBit, out);
        out.extend_from_slice(&f.to_le_bytes());
    }
}

/// One Struct entry: key (1, left out when empty) and the Value (2) `value` writes.
pub fn struct_entry(
    key: &str,
    out: &mut Vec<u8>,
    value: impl FnOnce(&mut Vec<u8>) -> Option<()>,
) -> Option<()> {
    delimited(1, out, |out| {
        if !key.is_empty() {
            text_field(1, key, out);
        }
        delimited(2, out, value)
    })
}

/// google.protobuf.Value's fields for a number (2), a text (3), a boolean (4)
/// and null (1).
pub fn number_value(f: f64, out: &mut Vec<u8>) {
    encode_key(2, WireType::SixtyFourBit, out);
    out.extend_from_slice(&f.to_le_bytes());
}

pub fn text_value(s: &str, out: &mut Vec<u8>) {
    text_field(3, s, out);
}

pub fn bool_value(b: bool, out: &mut Vec<u8>) {
    encode_key(4, WireType::Varint, out);
    encode_varint(u64::from(b), out);
}

pub fn null_value(out: &mut Vec<u8>) {
    encode_key(1, WireType::Varint, out);
    encode_varint(0, out);
}

/// A Value holding a Struct (5) or a ListValue (6) that `body` writes.
pub fn struct_value(
    out: &mut Vec<u8>,
    body: impl FnOnce(&mut Vec<u8>) -> Option<()>,
) -> Option<()> {
    delimited(5, out, body)
}

pub fn list_value(out: &mut Vec<u8>, body: impl FnOnce(&mut Vec<u8>) -> Option<()>) -> Option<()> {
    delimited(6, out, body)
}

/// One item (1) of a ListValue.
pub fn list_item(out: &mut Vec<u8>, value: impl FnOnce(&mut Vec<u8>) -> Option<()>) -> Option<()> {
    delimited(1, out, value)
}

/// The order of a Struct's entries: by key (a `prost_types::Struct`, whose
/// map is a BTreeMap) or as the dict holds them (a dynamic message: a key
/// written twice keeps its first place and takes its last value).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Order {
    ByKey,
    AsWritten,
}

/// google.protobuf.Value of a tape node.
pub fn node_value(node: Node<'_>, order: Order, out: &mut Vec<u8>) -> Option<()> {
    match node.json() {
        Json::Null => null_value(out),
        Json::Bool(b) => bool_value(b, out),
        Json::Number(f) => number_value(f, out),
        Json::Str(s) => text_value(s, out),
        Json::Object(_) => return struct_value(out, |out| node_struct(node, order, out)),
        Json::Array(items) => {
            return list_value(out, |out| {
                for item in items {
                    list_item(out, |out| node_value(item, order, out))?;
                }
                Some(())
            });
        }
    }
    Some(())
}

/// The entries of a google.protobuf.Struct of a tape mapping, in `order`;
/// `None` for anything but a mapping.
pub fn node_struct(node: Node<'_>, order: Order, out: &mut Vec<u8>) -> Option<()> {
    let mut entries: Vec<(&str, Node<'_>)> = node.entries()?.collect();
    match order {
        Order::ByKey => {
            // Stable: of a key written twice, the last one ends its run.
            entries.sort_by(|a, b| a.0.cmp(b.0));
            for (i, (key, value)) in entries.iter().enumerate() {
                if entries.get(i + 1).is_some_and(|next| next.0 == *key) {
                    continue;
                }
                struct_entry(key, out, |out| node_value(*value, order, out))?;
            }
        }
        Order::AsWritten => {
            let n = entries.len();
            let repeats = if n <= 16 {
                (1..n).any(|i| entries[..i].iter().any(|e| e.0 == entries[i].0))
            } else {
                let mut seen = std::collections::HashSet::with_capacity(n);
                !entries.iter().all(|e| seen.insert(e.0))
            };
            if !repeats {
                for (key, value) in &entries {
                    struct_entry(key, out, |out| node_value(*value, order, out))?;
                }
            } else {
                // A key written twice keeps its first place and its last value
                // (quadratic: large mappings go the value way).
                if n > 256 {
                    return None;
                }
                for (i, (key, _)) in entries.iter().enumerate() {
                    if entries[..i].iter().any(|e| e.0 == *key) {
                        continue;
                    }
                    let value = entries.iter().rev().find(|e| e.0 == *key)?.1;
                    struct_entry(key, out, |out| node_value(value, order, out))?;
                }
            }
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::host::dict::dict_to_message;
    use prost::Message;
    use prost_reflect::{DescriptorPool, DynamicMessage};
    use serde_json::json;

    fn pool(kind: &str) -> DescriptorPool {
        let spec = crate::plugin::kinds::find(kind).expect("kind");
        DescriptorPool::decode(spec.descriptor_set).expect("pool")
    }

    /// The fast bytes decode to the message the slow way builds.
    fn same(pool: &DescriptorPool, message: &str, dict: Value) -> Vec<u8> {
        let desc = pool.get_message_by_name(message).expect("message");
        let slow = dict_to_message(&dict, &desc).expect("slow");
        let fast = encode_dict(&dict, &desc).expect("fast path");
        // Both read back from the wire (map entries compare in any order).
        let decoded = DynamicMessage::decode(desc.clone(), fast.as_slice()).expect("decode");
        let expected =
            DynamicMessage::decode(desc.clone(), slow.encode_to_vec().as_slice()).expect("decode");
        assert_eq!(decoded, expected, "{dict}");
        assert_eq!(fast.len(), slow.encoded_len(), "{dict}");
        fast
    }

    fn slow_only(pool: &DescriptorPool, message: &str, dict: Value) {
        let desc = pool.get_message_by_name(message).expect("message");
        assert!(encode_dict(&dict, &desc).is_none(), "{dict}");
    }

    #[test]
    fn cost_rows_encode_as_the_dynamic_message_does() {
        let p = pool("cost");
        let m = "spaceone.api.cost_analysis.plugin.CostsInfo";
        same(&p, m, json!({"results": []}));
        same(&p, m, json!({}));
        same(
            &p,
            m,
            json!({"results": [{
            "cost": 0.25, "usage_quantity": 3, "usage_unit": "Hours", "provider": "bench",
            "region_code": "", "product": "Compute", "usage_type": "vm", "billed_date": "2024-05-01",
            "additional_info": {"Account ID": "1", "": null, "n": [1, 2.5, true, "x", {"a": {}}]},
            "tags": {}, "data": {"deep": {"deeper": [[[]]]}, "long": "x".repeat(300)},
        }, {"cost": 0, "usage_quantity": true, "tags": null, "usageUnit": "Days"}]}),
        );
        // A single entry with a long value: lengths of several bytes.
        let bytes = same(
            &p,
            m,
            json!({"results": [{"data": {"k": "y".repeat(20000)}}]}),
        );
        let slow = dict_to_message(
            &json!({"results": [{"data": {"k": "y".repeat(20000)}}]}),
            &p.get_message_by_name(m).expect("message"),
        )
        .expect("slow")
        .encode_to_vec();
        assert_eq!(bytes, slow);
    }

    #[test]
    fn log_records_encode_as_the_dynamic_message_does() {
        let p = pool("log");
        let m = "spaceone.api.monitoring.plugin.LogsDataInfo";
        same(
            &p,
            m,
            json!({"results": [{"eventTime": "t", "readOnly": false, "n": null, "u": {"a": 1}}, {}]}),
        );
    }

    #[test]
    fn what_fails_or_is_not_reproduced_goes_the_slow_way() {
        let p = pool("cost");
        let m = "spaceone.api.cost_analysis.plugin.CostsInfo";
        // Errors: unknown key, wrong types, null in a repeated message field.
        slow_only(&p, m, json!({"nope": 1}));
        slow_only(&p, m, json!({"results": [{"cost": "1.5"}]}));
        slow_only(&p, m, json!({"results": [{"provider": 5}]}));
        slow_only(&p, m, json!({"results": [null]}));
        slow_only(&p, m, json!({"results": [{"tags": [1]}]}));
        slow_only(&p, m, json!({"results": {"a": 1}}));
        slow_only(&p, m, json!(["results"]));
        // One field named twice (by its JSON name and its name).
        slow_only(
            &p,
            m,
            json!({"results": [{"usage_unit": "a", "usageUnit": "b"}]}),
        );
    }
}
