//! `serde_json::Value` ↔ `google.protobuf.Struct` / `Value`, with the rules a
//! SpaceONE plugin server applies: every number travels as a double, so a number
//! read from a request is always a float (`1` arrives as `1.0`).
//!
//! Also the wire decoding of the Struct fields of requests ([`merge_struct`]):
//! prost's generic decoder stops at 100 nested messages, which is 49 levels of
//! lists inside `options`; upstream's server reads more than 200. Structs are
//! therefore decoded here, with a nesting limit of our own
//! ([`MAX_REQUEST_NESTING`]).

use prost::DecodeError;
use prost::bytes::Buf;
use prost::encoding::{
    DecodeContext, WireType, check_wire_type, decode_key, decode_varint, skip_field,
};
use prost_types::value::Kind;
use prost_types::{ListValue, Struct};
use serde_json::{Map, Number, Value};

use crate::output::pyrepr::py_type_name;

/// A JSON object as a protobuf Struct.
pub fn to_struct(map: &Map<String, Value>) -> Struct {
    Struct {
        fields: map
            .iter()
            .map(|(k, v)| (k.clone(), to_proto_value(v)))
            .collect(),
    }
}

/// [`to_struct`] of an object the caller gives away: keys and texts are moved,
/// not copied.
pub fn into_struct(map: Map<String, Value>) -> Struct {
    Struct {
        fields: map
            .into_iter()
            .map(|(k, v)| (k, into_proto_value(v)))
            .collect(),
    }
}

/// [`to_proto_value`] of a value the caller gives away.
pub fn into_proto_value(v: Value) -> prost_types::Value {
    let kind = match v {
        Value::String(s) => Kind::StringValue(s),
        Value::Array(items) => Kind::ListValue(ListValue {
            values: items.into_iter().map(into_proto_value).collect(),
        }),
        Value::Object(map) => Kind::StructValue(into_struct(map)),
        scalar => return to_proto_value(&scalar),
    };
    prost_types::Value { kind: Some(kind) }
}

/// A JSON value as a protobuf Value: objects become structs, arrays lists, and
/// every number a double (integers above 2^53 lose precision, as upstream).
pub fn to_proto_value(v: &Value) -> prost_types::Value {
    let kind = match v {
        Value::Null => Kind::NullValue(0),
        Value::Bool(b) => Kind::BoolValue(*b),
        Value::Number(n) => Kind::NumberValue(number_to_f64(n)),
        Value::String(s) => Kind::StringValue(s.clone()),
        Value::Array(items) => Kind::ListValue(ListValue {
            values: items.iter().map(to_proto_value).collect(),
        }),
        Value::Object(map) => Kind::StructValue(to_struct(map)),
    };
    prost_types::Value { kind: Some(kind) }
}

fn number_to_f64(n: &Number) -> f64 {
    if let Some(f) = n.as_f64() {
        f
    } else if let Some(u) = n.as_u64() {
        u as f64
    } else if let Some(i) = n.as_i64() {
        i as f64
    } else {
        0.0
    }
}

/// A protobuf Struct as a JSON object. `path` names the struct (e.g. `options`)
/// so that an unrepresentable number can be reported by its dotted key.
pub fn struct_to_json(s: &Struct, path: &str) -> Result<Map<String, Value>, String> {
    // `Struct.fields` is a BTreeMap: keys come out sorted, independent of the
    // order the client wrote them in.
    let mut out = Map::with_capacity(s.fields.len());
    for (k, v) in &s.fields {
        out.insert(k.clone(), value_to_json(v, &format!("{path}.{k}"))?);
    }
    Ok(out)
}

/// A protobuf Value as JSON; numbers stay floats (`5` → `5.0`). NaN and
/// infinities have no JSON form and are reported with their key.
pub fn value_to_json(v: &prost_types::Value, path: &str) -> Result<Value, String> {
    Ok(match &v.kind {
        None | Some(Kind::NullValue(_)) => Value::Null,
        Some(Kind::BoolValue(b)) => Value::Bool(*b),
        Some(Kind::NumberValue(f)) => match Number::from_f64(*f) {
            Some(n) => Value::Number(n),
            None => {
                return Err(format!(
                    "Parameter is invalid. (key = {path}, reason = number {f} is not finite)"
                ));
            }
        },
        Some(Kind::StringValue(s)) => Value::String(s.clone()),
        Some(Kind::ListValue(l)) => Value::Array(
            l.values
                .iter()
                .enumerate()
                .map(|(i, item)| value_to_json(item, &format!("{path}.{i}")))
                .collect::<Result<_, _>>()?,
        ),
        Some(Kind::StructValue(s)) => Value::Object(struct_to_json(s, path)?),
    })
}

/// [`object_to_struct`] of a value the caller gives away.
pub fn into_object_struct(v: Value, what: &str) -> Result<Struct, String> {
    match v {
        Value::Object(map) => Ok(into_struct(map)),
        other => object_to_struct(&other, what),
    }
}

/// A JSON value that must be an object, as a Struct; anything else is an error
/// naming `what` (used for route results such as `metadata`).
pub fn object_to_struct(v: &Value, what: &str) -> Result<Struct, String> {
    match v {
        Value::Object(map) => Ok(to_struct(map)),
        Value::Null => Ok(Struct::default()),
        other => Err(format!(
            "{what} must be a mapping, not {}",
            py_type_name(other)
        )),
    }
}

/// Deepest nesting of mappings and lists accepted in a Struct field of a
/// request, the field's own mapping counting as level 1 (so `{"n": [[…]]}`
/// may hold 255 levels of lists). Upstream's server reads 244 levels of lists
/// and fails beyond (its Python decoder runs out of recursion).
pub const MAX_REQUEST_NESTING: usize = 256;

/// Why a Struct field of a request cannot be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireError {
    /// Mappings and lists nested deeper than [`MAX_REQUEST_NESTING`].
    TooDeep,
    /// Not valid protobuf for the message: prost's description of the fault
    /// (`failed to decode Protobuf message: …`).
    Malformed(String),
}

impl From<DecodeError> for WireError {
    fn from(e: DecodeError) -> Self {
        WireError::Malformed(e.to_string())
    }
}

impl WireError {
    fn malformed(what: &str) -> WireError {
        WireError::Malformed(format!("failed to decode Protobuf message: {what}"))
    }
}

/// The payload of a length-delimited field.
fn take_len<'a>(buf: &mut &'a [u8]) -> Result<&'a [u8], WireError> {
    let len = decode_varint(buf)?;
    let len = usize::try_from(len)
        .ok()
        .filter(|n| *n <= buf.len())
        .ok_or_else(|| WireError::malformed("buffer underflow"))?;
    let (payload, rest) = buf.split_at(len);
    *buf = rest;
    Ok(payload)
}

fn utf8(bytes: &[u8]) -> Result<String, WireError> {
    String::from_utf8(bytes.to_vec())
        .map_err(|_| WireError::malformed("invalid string value: data is not UTF-8 encoded"))
}

/// Calls `field(tag, payload)` for each length-delimited field of the encoded
/// message `bytes`; other fields are skipped, except that a tag of `known`
/// with another wire type is an error. `field` returns whether it knew the tag.
pub fn for_each_field(
    mut bytes: &[u8],
    known: &[u32],
    mut field: impl FnMut(u32, &[u8]) -> Result<(), WireError>,
) -> Result<(), WireError> {
    while !bytes.is_empty() {
        let (tag, wire_type) = decode_key(&mut bytes)?;
        if wire_type == WireType::LengthDelimited {
            let payload = take_len(&mut bytes)?;
            field(tag, payload)?;
        } else if known.contains(&tag) {
            check_wire_type(WireType::LengthDelimited, wire_type)?;
        } else {
            skip_field(wire_type, tag, &mut bytes, DecodeContext::default())?;
        }
    }
    Ok(())
}

/// Merges the encoded `google.protobuf.Struct` in `bytes` into `target`
/// (protobuf's rules: a repeated key replaces the earlier value). `depth` is
/// the nesting level of this mapping, 1 for a request field.
pub fn merge_struct(target: &mut Struct, bytes: &[u8], depth: usize) -> Result<(), WireError> {
    if depth > MAX_REQUEST_NESTING {
        return Err(WireError::TooDeep);
    }
    for_each_field(bytes, &[1], |tag, entry| {
        if tag != 1 {
            return Ok(());
        }
        let mut key = String::new();
        let mut value = prost_types::Value::default();
        for_each_field(entry, &[1, 2], |tag, payload| {
            match tag {
                1 => key = utf8(payload)?,
                2 => merge_value(&mut value, payload, depth)?,
                _ => {}
            }
            Ok(())
        })?;
        target.fields.insert(key, value);
        Ok(())
    })
}

/// Merges an encoded `google.protobuf.Value` (inside a mapping or list at
/// nesting level `depth`) into `target`: the last member of the `kind` oneof
/// wins, a repeated mapping or list is merged.
fn merge_value(
    target: &mut prost_types::Value,
    mut bytes: &[u8],
    depth: usize,
) -> Result<(), WireError> {
    while !bytes.is_empty() {
        let (tag, wire_type) = decode_key(&mut bytes)?;
        match tag {
            1 | 4 => {
                check_wire_type(WireType::Varint, wire_type)?;
                let v = decode_varint(&mut bytes)?;
                target.kind = Some(if tag == 1 {
                    Kind::NullValue(v as i32)
                } else {
                    Kind::BoolValue(v != 0)
                });
            }
            2 => {
                check_wire_type(WireType::SixtyFourBit, wire_type)?;
                if bytes.len() < 8 {
                    return Err(WireError::malformed("buffer underflow"));
                }
                target.kind = Some(Kind::NumberValue(f64::from_bits(bytes.get_u64_le())));
            }
            3 => {
                check_wire_type(WireType::LengthDelimited, wire_type)?;
                target.kind = Some(Kind::StringValue(utf8(take_len(&mut bytes)?)?));
            }
            5 => {
                check_wire_type(WireType::LengthDelimited, wire_type)?;
                let payload = take_len(&mut bytes)?;
                if !matches!(target.kind, Some(Kind::StructValue(_))) {
                    target.kind = Some(Kind::StructValue(Struct::default()));
                }
                if let Some(Kind::StructValue(s)) = &mut target.kind {
                    merge_struct(s, payload, depth + 1)?;
                }
            }
            6 => {
                check_wire_type(WireType::LengthDelimited, wire_type)?;
                let payload = take_len(&mut bytes)?;
                if !matches!(target.kind, Some(Kind::ListValue(_))) {
                    target.kind = Some(Kind::ListValue(ListValue::default()));
                }
                if let Some(Kind::ListValue(l)) = &mut target.kind {
                    merge_list(l, payload, depth + 1)?;
                }
            }
            _ => skip_field(wire_type, tag, &mut bytes, DecodeContext::default())?,
        }
    }
    Ok(())
}

/// Merges an encoded `google.protobuf.ListValue` at nesting level `depth`.
fn merge_list(target: &mut ListValue, bytes: &[u8], depth: usize) -> Result<(), WireError> {
    if depth > MAX_REQUEST_NESTING {
        return Err(WireError::TooDeep);
    }
    for_each_field(bytes, &[1], |tag, payload| {
        if tag == 1 {
            let mut v = prost_types::Value::default();
            merge_value(&mut v, payload, depth)?;
            target.values.push(v);
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn num(f: f64) -> prost_types::Value {
        prost_types::Value {
            kind: Some(Kind::NumberValue(f)),
        }
    }

    #[test]
    fn json_to_struct_makes_every_number_a_double() {
        let v = json!({"i": 3, "neg": -7, "big": 12345678901234567890u64, "f": 1.5});
        let Value::Object(map) = v else {
            unreachable!()
        };
        let s = to_struct(&map);
        assert_eq!(s.fields["i"], num(3.0));
        assert_eq!(s.fields["neg"], num(-7.0));
        assert_eq!(s.fields["big"], num(1.2345678901234567e19));
        assert_eq!(s.fields["f"], num(1.5));
    }

    #[test]
    fn json_to_proto_value_kinds() {
        assert_eq!(to_proto_value(&Value::Null).kind, Some(Kind::NullValue(0)));
        assert_eq!(
            to_proto_value(&json!(true)).kind,
            Some(Kind::BoolValue(true))
        );
        assert_eq!(
            to_proto_value(&json!("x")).kind,
            Some(Kind::StringValue("x".into()))
        );
        assert_eq!(
            to_proto_value(&json!([1, "a", null])).kind,
            Some(Kind::ListValue(ListValue {
                values: vec![
                    num(1.0),
                    prost_types::Value {
                        kind: Some(Kind::StringValue("a".into()))
                    },
                    prost_types::Value {
                        kind: Some(Kind::NullValue(0))
                    },
                ]
            }))
        );
    }

    #[test]
    fn struct_round_trip_gives_floats_and_sorted_keys() {
        let v = json!({"zeta": 1, "alpha": {"l": [1, "a", true, null], "e": {}}});
        let Value::Object(map) = v else {
            unreachable!()
        };
        let back = struct_to_json(&to_struct(&map), "options").expect("finite");
        assert_eq!(
            serde_json::to_string(&Value::Object(back)).expect("serialize"),
            r#"{"alpha":{"e":{},"l":[1.0,"a",true,null]},"zeta":1.0}"#
        );
    }

    #[test]
    fn unset_value_kind_reads_as_null() {
        let v = prost_types::Value { kind: None };
        assert_eq!(value_to_json(&v, "options.x"), Ok(Value::Null));
    }

    #[test]
    fn non_finite_number_names_its_key() {
        let mut s = Struct::default();
        let list = prost_types::Value {
            kind: Some(Kind::ListValue(ListValue {
                values: vec![num(1.0), num(f64::NAN)],
            })),
        };
        s.fields.insert("l".into(), list);
        assert_eq!(
            struct_to_json(&s, "options"),
            Err(
                "Parameter is invalid. (key = options.l.1, reason = number NaN is not finite)"
                    .into()
            )
        );
        let mut s = Struct::default();
        s.fields.insert("x".into(), num(f64::INFINITY));
        assert_eq!(
            struct_to_json(&s, "secret_data"),
            Err(
                "Parameter is invalid. (key = secret_data.x, reason = number inf is not finite)"
                    .into()
            )
        );
    }

    #[test]
    fn object_to_struct_rejects_non_mappings() {
        assert_eq!(
            object_to_struct(&json!(null), "metadata"),
            Ok(Struct::default())
        );
        assert_eq!(
            object_to_struct(&json!("s"), "metadata"),
            Err("metadata must be a mapping, not str".into())
        );
        let s = object_to_struct(&json!({"a": 2}), "metadata").expect("mapping");
        assert_eq!(s.fields["a"], num(2.0));
    }

    /// `{"n": [[…["x"]…]]}` with `levels` lists.
    fn nested_lists(levels: usize) -> Struct {
        let mut v = prost_types::Value {
            kind: Some(Kind::StringValue("x".into())),
        };
        for _ in 0..levels {
            v = prost_types::Value {
                kind: Some(Kind::ListValue(ListValue { values: vec![v] })),
            };
        }
        let mut s = Struct::default();
        s.fields.insert("n".into(), v);
        s
    }

    /// The encoding of [`nested_lists`], built without recursion.
    fn nested_list_bytes(levels: usize) -> Vec<u8> {
        // Built back to front: each length-delimited header goes before its payload.
        fn wrap(rev: &mut Vec<u8>, tag: u32) {
            let mut header = Vec::new();
            prost::encoding::encode_key(tag, WireType::LengthDelimited, &mut header);
            prost::encoding::encode_varint(rev.len() as u64, &mut header);
            rev.extend(header.iter().rev());
        }
        let mut rev = vec![b'x'];
        wrap(&mut rev, 3); // Value.string_value
        for _ in 0..levels {
            wrap(&mut rev, 1); // ListValue.values
            wrap(&mut rev, 6); // Value.list_value
        }
        wrap(&mut rev, 2); // entry value
        rev.extend([b'n', 1, 0x0a]); // entry key "n", reversed
        wrap(&mut rev, 1); // Struct.fields
        rev.reverse();
        rev
    }

    fn decode(bytes: &[u8]) -> Result<Struct, WireError> {
        let mut s = Struct::default();
        merge_struct(&mut s, bytes, 1).map(|()| s)
    }

    #[test]
    fn wire_structs_decode_like_prost() {
        use prost::Message;
        let v = json!({"s": "é", "n": -1.5, "b": true, "z": null, "l": [1, [2, {"k": []}], {}], "m": {"x": {"y": "z"}}});
        let Value::Object(map) = v else {
            unreachable!()
        };
        let s = to_struct(&map);
        assert_eq!(decode(&s.encode_to_vec()), Ok(s.clone()));
        // Repeated keys: the last wins; unknown fields are skipped.
        let mut bytes = s.encode_to_vec();
        let mut again = Struct::default();
        again
            .fields
            .insert("s".into(), to_proto_value(&json!("later")));
        bytes.extend(again.encode_to_vec());
        bytes.extend([0x18, 0x07]); // field 3, varint 7
        let got = decode(&bytes).expect("valid");
        assert_eq!(got.fields["s"], to_proto_value(&json!("later")));
        assert_eq!(got.fields.len(), s.fields.len());
    }

    #[test]
    fn wire_structs_nest_to_the_limit_and_no_further() {
        use prost::Message;
        // prost's own decoder stops at 49 levels.
        let deep = nested_lists(200).encode_to_vec();
        assert!(Struct::decode(deep.as_slice()).is_err());
        assert_eq!(decode(&deep), Ok(nested_lists(200)));
        let limit = MAX_REQUEST_NESTING - 1;
        assert_eq!(
            decode(&nested_lists(limit).encode_to_vec()),
            Ok(nested_lists(limit))
        );
        assert_eq!(
            decode(&nested_lists(limit + 1).encode_to_vec()),
            Err(WireError::TooDeep)
        );
        // Far deeper than the limit: refused without exhausting the stack.
        assert_eq!(decode(&nested_list_bytes(100_000)), Err(WireError::TooDeep));
        assert_eq!(nested_list_bytes(200), deep);
        // The converted value keeps every level.
        let json = struct_to_json(&nested_lists(limit), "options").expect("finite");
        let text = serde_json::to_string(&Value::Object(json)).expect("text");
        assert_eq!(text.matches('[').count(), limit);
    }

    #[test]
    fn malformed_wire_structs_are_errors() {
        let err = |bytes: &[u8]| match decode(bytes) {
            Err(WireError::Malformed(e)) => e,
            other => panic!("expected an error, got {other:?}"),
        };
        // Entry length beyond the end.
        assert_eq!(
            err(&[0x0a, 0x05, 0x0a]),
            "failed to decode Protobuf message: buffer underflow"
        );
        // A number with only 3 of its 8 bytes.
        assert_eq!(
            err(&[0x0a, 0x06, 0x12, 0x04, 0x11, 0x00, 0x00, 0x00]),
            "failed to decode Protobuf message: buffer underflow"
        );
        // A string that is not UTF-8.
        assert_eq!(
            err(&[0x0a, 0x05, 0x12, 0x03, 0x1a, 0x01, 0xff]),
            "failed to decode Protobuf message: invalid string value: data is not UTF-8 encoded"
        );
        // `fields` sent as a varint.
        assert!(
            err(&[0x08, 0x01]).contains("invalid wire type"),
            "{}",
            err(&[0x08, 0x01])
        );
        assert!(err(&[0x0a]).contains("invalid varint"));
    }

    #[test]
    fn python_type_names() {
        assert_eq!(py_type_name(&json!(1)), "int");
        assert_eq!(py_type_name(&json!(1.0)), "float");
        assert_eq!(py_type_name(&json!([])), "list");
        assert_eq!(py_type_name(&json!({})), "dict");
        assert_eq!(py_type_name(&json!(null)), "NoneType");
    }
}
