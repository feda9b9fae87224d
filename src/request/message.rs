//! Request data (a JSON-model mapping) → protobuf `DynamicMessage`, against a runtime
//! descriptor.
//!
//! The rules are proto3 JSON's, with the upstream client's error texts where it has them:
//! * keys are field names (`snake_case`) or their JSON names; an unknown key gives
//!   `Protocol message <Name> has no "<key>" field.` — checked in key order, at every level;
//! * `null` leaves a field unset (except `google.protobuf.Value` / `NullValue`);
//! * integers from numbers or decimal strings (`-p limit=5` works), 64-bit ones too; floats
//!   from numbers or `"NaN"`/`"Infinity"`/`"-Infinity"`; booleans from booleans or the
//!   strings `"true"`/`"false"`; strings only from strings; bytes from base64;
//! * enums by value name (or number);
//! * `Struct` from a mapping, `ListValue` from a list, `Value` from anything — so filter
//!   values (`v`/`value`, `google.protobuf.Value` in both core.v1 and core.v2 queries) accept
//!   any JSON value; numbers in them become doubles;
//! * `Timestamp` (RFC 3339), `Duration` (`"1.5s"`), `FieldMask` and `Any` use their proto3
//!   JSON forms; wrapper types take the bare value;
//! * a `google.protobuf.Empty` request ignores its input entirely.
//!
//! Other errors read `Invalid value for "<path>": <reason>`, where the path is dotted from the
//! request root, with `[i]` for list items and `["key"]` for map entries.

use std::collections::HashMap;

use base64::Engine;
use prost::bytes::Bytes;
use prost_reflect::{
    DynamicMessage, EnumDescriptor, FieldDescriptor, Kind, MapKey, MessageDescriptor,
    Value as PValue,
};
use serde_json::{Map, Value};

use crate::error::AppError;

const EMPTY: &str = "google.protobuf.Empty";

/// Builds the request message `desc` from merged parameters.
pub fn from_value(
    desc: &MessageDescriptor,
    params: &Map<String, Value>,
) -> Result<DynamicMessage, AppError> {
    if desc.full_name() == EMPTY {
        return Ok(DynamicMessage::new(desc.clone()));
    }
    let result = if is_special(desc.full_name()) {
        convert_message(desc, &Value::Object(params.clone()), "")
    } else {
        fill_object(desc, params, "")
    };
    result.map_err(AppError::msg)
}

fn is_special(full_name: &str) -> bool {
    full_name.starts_with("google.protobuf.") && full_name != EMPTY
}

fn child_path(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) => {
            let mut shown: String = s.chars().take(40).collect();
            if shown.len() < s.len() {
                shown.push('…');
            }
            format!("string {shown:?}")
        }
        Value::Array(_) => "a list".to_string(),
        Value::Object(_) => "a mapping".to_string(),
    }
}

fn invalid(path: &str, expected: &str, got: &Value) -> String {
    format!(
        "Invalid value for \"{path}\": expected {expected}, got {}",
        describe(got)
    )
}

fn lookup_field(desc: &MessageDescriptor, key: &str) -> Option<FieldDescriptor> {
    desc.get_field_by_name(key)
        .or_else(|| desc.get_field_by_json_name(key))
}

fn set(msg: &mut DynamicMessage, field: &FieldDescriptor, value: PValue) -> Result<(), String> {
    msg.try_set_field(field, value)
        .map_err(|e| format!("cannot set field \"{}\": {e}", field.full_name()))
}

/// A regular message from a mapping.
fn fill_object(
    desc: &MessageDescriptor,
    map: &Map<String, Value>,
    path: &str,
) -> Result<DynamicMessage, String> {
    let mut msg = DynamicMessage::new(desc.clone());
    let mut oneofs: HashMap<String, String> = HashMap::new();
    for (key, v) in map {
        let Some(field) = lookup_field(desc, key) else {
            return Err(format!(
                "Protocol message {} has no \"{key}\" field.",
                desc.name()
            ));
        };
        let fpath = child_path(path, field.name());
        if v.is_null() && !(field.is_list() || field.is_map()) && accepts_null(&field.kind()) {
            set(&mut msg, &field, convert_single(&field.kind(), v, &fpath)?)?;
            continue;
        }
        if v.is_null() {
            continue;
        }
        if let Some(oneof) = field.containing_oneof().filter(|o| !o.is_synthetic())
            && let Some(previous) =
                oneofs.insert(oneof.name().to_string(), field.name().to_string())
            && previous != field.name()
        {
            return Err(format!(
                "Invalid value for \"{fpath}\": \"{previous}\" of the same oneof \"{}\" is already set",
                oneof.name()
            ));
        }
        let value = convert_field(&field, v, &fpath)?;
        set(&mut msg, &field, value)?;
    }
    Ok(msg)
}

fn accepts_null(kind: &Kind) -> bool {
    match kind {
        Kind::Message(m) => m.full_name() == "google.protobuf.Value",
        Kind::Enum(e) => e.full_name() == "google.protobuf.NullValue",
        _ => false,
    }
}

fn convert_field(field: &FieldDescriptor, v: &Value, path: &str) -> Result<PValue, String> {
    if field.is_map() {
        let Value::Object(map) = v else {
            return Err(invalid(path, "a mapping", v));
        };
        let Kind::Message(entry) = field.kind() else {
            return Err(format!("map field \"{path}\" has no entry type"));
        };
        let key_kind = entry.map_entry_key_field().kind();
        let value_kind = entry.map_entry_value_field().kind();
        let mut out = HashMap::with_capacity(map.len());
        for (k, item) in map {
            let item_path = format!("{path}[{k:?}]");
            let key = map_key(&key_kind, k, &item_path)?;
            if item.is_null() && !accepts_null(&value_kind) {
                return Err(invalid(&item_path, kind_name(&value_kind), item));
            }
            out.insert(key, convert_single(&value_kind, item, &item_path)?);
        }
        Ok(PValue::Map(out))
    } else if field.is_list() {
        let Value::Array(items) = v else {
            return Err(invalid(path, "a list", v));
        };
        let kind = field.kind();
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let item_path = format!("{path}[{i}]");
            if item.is_null() && !accepts_null(&kind) {
                return Err(invalid(&item_path, kind_name(&kind), item));
            }
            out.push(convert_single(&kind, item, &item_path)?);
        }
        Ok(PValue::List(out))
    } else {
        convert_single(&field.kind(), v, path)
    }
}

fn kind_name(kind: &Kind) -> &'static str {
    match kind {
        Kind::Double | Kind::Float => "a number",
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => "an integer (int32)",
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => "an integer (int64)",
        Kind::Uint32 | Kind::Fixed32 => "an unsigned integer (uint32)",
        Kind::Uint64 | Kind::Fixed64 => "an unsigned integer (uint64)",
        Kind::Bool => "true or false",
        Kind::String => "a string",
        Kind::Bytes => "a base64 string",
        Kind::Enum(_) => "an enum value name",
        Kind::Message(_) => "a mapping",
    }
}

fn type_name(kind: &Kind) -> &'static str {
    match kind {
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => "int32",
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => "int64",
        Kind::Uint32 | Kind::Fixed32 => "uint32",
        Kind::Uint64 | Kind::Fixed64 => "uint64",
        Kind::Float => "float",
        _ => "this field",
    }
}

fn map_key(kind: &Kind, k: &str, path: &str) -> Result<MapKey, String> {
    let as_value = Value::String(k.to_string());
    Ok(match kind {
        Kind::String => MapKey::String(k.to_string()),
        Kind::Bool => match k {
            "true" => MapKey::Bool(true),
            "false" => MapKey::Bool(false),
            _ => return Err(invalid(path, "a key of true or false", &as_value)),
        },
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => {
            MapKey::I32(int_in(&as_value, path, kind, i32::MIN.into(), i32::MAX.into())? as i32)
        }
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => {
            MapKey::I64(int_in(&as_value, path, kind, i64::MIN.into(), i64::MAX.into())? as i64)
        }
        Kind::Uint32 | Kind::Fixed32 => {
            MapKey::U32(int_in(&as_value, path, kind, 0, u32::MAX.into())? as u32)
        }
        Kind::Uint64 | Kind::Fixed64 => {
            MapKey::U64(int_in(&as_value, path, kind, 0, u64::MAX.into())? as u64)
        }
        _ => return Err(format!("map field \"{path}\" has an invalid key type")),
    })
}

/// An integer from a JSON number (integral) or a decimal string, within `[lo, hi]`.
fn int_in(v: &Value, path: &str, kind: &Kind, lo: i128, hi: i128) -> Result<i128, String> {
    let n: Option<i128> = match v {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Some(i.into())
            } else if let Some(u) = n.as_u64() {
                Some(u.into())
            } else {
                n.as_f64().and_then(integral_f64)
            }
        }
        Value::String(s) => s.parse::<i128>().ok().or_else(|| {
            s.parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .and_then(integral_f64)
        }),
        _ => None,
    };
    let Some(n) = n else {
        return Err(invalid(path, kind_name(kind), v));
    };
    if n < lo || n > hi {
        return Err(format!(
            "Invalid value for \"{path}\": {n} is out of range for {}",
            type_name(kind)
        ));
    }
    Ok(n)
}

fn integral_f64(f: f64) -> Option<i128> {
    if f.fract() == 0.0 && f.abs() < 1.7e38 {
        Some(f as i128)
    } else {
        None
    }
}

fn float_of(v: &Value, path: &str, kind: &Kind) -> Result<f64, String> {
    match v {
        Value::Number(n) => n.as_f64().ok_or_else(|| invalid(path, kind_name(kind), v)),
        Value::String(s) => match s.as_str() {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            _ => s
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .ok_or_else(|| invalid(path, kind_name(kind), v)),
        },
        _ => Err(invalid(path, kind_name(kind), v)),
    }
}

fn convert_single(kind: &Kind, v: &Value, path: &str) -> Result<PValue, String> {
    Ok(match kind {
        Kind::Double => PValue::F64(float_of(v, path, kind)?),
        Kind::Float => {
            let f = float_of(v, path, kind)?;
            if f.is_finite() && f.abs() > f64::from(f32::MAX) {
                return Err(format!(
                    "Invalid value for \"{path}\": {v} is out of range for float"
                ));
            }
            PValue::F32(f as f32)
        }
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => {
            PValue::I32(int_in(v, path, kind, i32::MIN.into(), i32::MAX.into())? as i32)
        }
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => {
            PValue::I64(int_in(v, path, kind, i64::MIN.into(), i64::MAX.into())? as i64)
        }
        Kind::Uint32 | Kind::Fixed32 => {
            PValue::U32(int_in(v, path, kind, 0, u32::MAX.into())? as u32)
        }
        Kind::Uint64 | Kind::Fixed64 => {
            PValue::U64(int_in(v, path, kind, 0, u64::MAX.into())? as u64)
        }
        Kind::Bool => match v {
            Value::Bool(b) => PValue::Bool(*b),
            Value::String(s) if s == "true" => PValue::Bool(true),
            Value::String(s) if s == "false" => PValue::Bool(false),
            _ => return Err(invalid(path, kind_name(kind), v)),
        },
        Kind::String => match v {
            Value::String(s) => PValue::String(s.clone()),
            Value::Number(_) | Value::Bool(_) => {
                return Err(format!("{} (quote it)", invalid(path, "a string", v)));
            }
            _ => return Err(invalid(path, "a string", v)),
        },
        Kind::Bytes => match v {
            Value::String(s) => PValue::Bytes(Bytes::from(
                decode_base64(s).ok_or_else(|| invalid(path, "a base64 string", v))?,
            )),
            _ => return Err(invalid(path, "a base64 string", v)),
        },
        Kind::Enum(e) => PValue::EnumNumber(enum_number(e, v, path)?),
        Kind::Message(m) => PValue::Message(convert_message(m, v, path)?),
    })
}

fn decode_base64(s: &str) -> Option<Vec<u8>> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    let config =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let alphabet = if s.contains(['-', '_']) {
        &base64::alphabet::URL_SAFE
    } else {
        &base64::alphabet::STANDARD
    };
    GeneralPurpose::new(alphabet, config).decode(s).ok()
}

fn enum_number(e: &EnumDescriptor, v: &Value, path: &str) -> Result<i32, String> {
    if e.full_name() == "google.protobuf.NullValue" {
        return match v {
            Value::Null => Ok(0),
            Value::String(s) if s == "NULL_VALUE" => Ok(0),
            _ => Err(invalid(path, "null", v)),
        };
    }
    match v {
        Value::String(s) => match e.get_value_by_name(s) {
            Some(ev) => Ok(ev.number()),
            None => {
                let names: Vec<String> = e.values().map(|ev| ev.name().to_string()).collect();
                Err(format!(
                    "Invalid value for \"{path}\": {s:?} is not a value of enum {} (one of: {})",
                    e.name(),
                    names.join(", ")
                ))
            }
        },
        Value::Number(_) => {
            Ok(int_in(v, path, &Kind::Int32, i32::MIN.into(), i32::MAX.into())? as i32)
        }
        _ => Err(invalid(path, "an enum value name", v)),
    }
}

fn convert_message(
    desc: &MessageDescriptor,
    v: &Value,
    path: &str,
) -> Result<DynamicMessage, String> {
    match desc.full_name() {
        "google.protobuf.Value" => value_message(desc, v, path),
        "google.protobuf.Struct" => match v {
            Value::Object(map) => struct_message(desc, map, path),
            _ => Err(invalid(path, "a mapping", v)),
        },
        "google.protobuf.ListValue" => match v {
            Value::Array(items) => list_message(desc, items, path),
            _ => Err(invalid(path, "a list", v)),
        },
        "google.protobuf.DoubleValue"
        | "google.protobuf.FloatValue"
        | "google.protobuf.Int64Value"
        | "google.protobuf.UInt64Value"
        | "google.protobuf.Int32Value"
        | "google.protobuf.UInt32Value"
        | "google.protobuf.BoolValue"
        | "google.protobuf.StringValue"
        | "google.protobuf.BytesValue" => {
            let field = wkt_field(desc, "value")?;
            let mut msg = DynamicMessage::new(desc.clone());
            let value = convert_single(&field.kind(), v, path)?;
            set(&mut msg, &field, value)?;
            Ok(msg)
        }
        "google.protobuf.Timestamp"
        | "google.protobuf.Duration"
        | "google.protobuf.FieldMask"
        | "google.protobuf.Any" => DynamicMessage::deserialize(desc.clone(), v)
            .map_err(|e| format!("Invalid value for \"{path}\": {e}")),
        _ => match v {
            Value::Object(map) => fill_object(desc, map, path),
            _ => Err(invalid(path, "a mapping", v)),
        },
    }
}

fn wkt_field(desc: &MessageDescriptor, name: &str) -> Result<FieldDescriptor, String> {
    desc.get_field_by_name(name)
        .ok_or_else(|| format!("{} has no field \"{name}\"", desc.full_name()))
}

fn message_kind(field: &FieldDescriptor) -> Result<MessageDescriptor, String> {
    match field.kind() {
        Kind::Message(m) => Ok(m),
        _ => Err(format!("{} is not a message field", field.full_name())),
    }
}

/// `google.protobuf.Value` from any JSON value.
fn value_message(
    desc: &MessageDescriptor,
    v: &Value,
    path: &str,
) -> Result<DynamicMessage, String> {
    let mut msg = DynamicMessage::new(desc.clone());
    match v {
        Value::Null => set(
            &mut msg,
            &wkt_field(desc, "null_value")?,
            PValue::EnumNumber(0),
        )?,
        Value::Bool(b) => set(&mut msg, &wkt_field(desc, "bool_value")?, PValue::Bool(*b))?,
        Value::Number(n) => {
            let f = n.as_f64().ok_or_else(|| invalid(path, "a number", v))?;
            set(&mut msg, &wkt_field(desc, "number_value")?, PValue::F64(f))?;
        }
        Value::String(s) => set(
            &mut msg,
            &wkt_field(desc, "string_value")?,
            PValue::String(s.clone()),
        )?,
        Value::Array(items) => {
            let field = wkt_field(desc, "list_value")?;
            let list = list_message(&message_kind(&field)?, items, path)?;
            set(&mut msg, &field, PValue::Message(list))?;
        }
        Value::Object(map) => {
            let field = wkt_field(desc, "struct_value")?;
            let st = struct_message(&message_kind(&field)?, map, path)?;
            set(&mut msg, &field, PValue::Message(st))?;
        }
    }
    Ok(msg)
}

fn struct_message(
    desc: &MessageDescriptor,
    map: &Map<String, Value>,
    path: &str,
) -> Result<DynamicMessage, String> {
    let field = wkt_field(desc, "fields")?;
    let entry = message_kind(&field)?;
    let value_desc = message_kind(&entry.map_entry_value_field())?;
    let mut out = HashMap::with_capacity(map.len());
    for (k, item) in map {
        let item_path = child_path(path, k);
        let value = value_message(&value_desc, item, &item_path)?;
        out.insert(MapKey::String(k.clone()), PValue::Message(value));
    }
    let mut msg = DynamicMessage::new(desc.clone());
    set(&mut msg, &field, PValue::Map(out))?;
    Ok(msg)
}

fn list_message(
    desc: &MessageDescriptor,
    items: &[Value],
    path: &str,
) -> Result<DynamicMessage, String> {
    let field = wkt_field(desc, "values")?;
    let value_desc = message_kind(&field)?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        out.push(PValue::Message(value_message(
            &value_desc,
            item,
            &format!("{path}[{i}]"),
        )?));
    }
    let mut msg = DynamicMessage::new(desc.clone());
    set(&mut msg, &field, PValue::List(out))?;
    Ok(msg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::message::to_value;
    use crate::request::test_schema;
    use serde_json::json;

    fn convert(name: &str, params: Value) -> Result<Value, String> {
        let desc = test_schema::message(name);
        let Value::Object(map) = params else {
            panic!("params must be a mapping")
        };
        from_value(&desc, &map)
            .map(|m| to_value(&m))
            .map_err(|e| e.to_string())
    }

    fn kinds(params: Value) -> Result<Value, String> {
        convert("Kinds", params)
    }

    #[test]
    fn every_scalar_kind_round_trips() {
        let input = json!({
            "d": 1.5, "f": 0.1, "i32": -5, "i64": "-9007199254740993", "u32": 4000000000u64,
            "u64": "18446744073709551615", "s32": -3, "s64": -4, "fx32": 7, "fx64": 8,
            "sfx32": -9, "sfx64": -10, "b": true, "s": "héllo", "by": "AP9oaQ==", "state": "ACTIVE"
        });
        assert_eq!(
            serde_json::to_string(&kinds(input).expect("convert")).expect("json"),
            r#"{"d":1.5,"f":0.1,"i32":-5,"i64":"-9007199254740993","u32":4000000000,"u64":"18446744073709551615","s32":-3,"s64":"-4","fx32":7,"fx64":"8","sfx32":-9,"sfx64":"-10","b":true,"s":"héllo","by":"AP9oaQ==","state":"ACTIVE"}"#
        );
    }

    #[test]
    fn strings_from_p_are_accepted_for_numbers_and_booleans() {
        let input = json!({"i32": "3", "u64": "42", "d": "2.5", "f": "Infinity", "b": "false", "opt": "0", "state": 2});
        assert_eq!(
            serde_json::to_string(&kinds(input).expect("convert")).expect("json"),
            r#"{"d":2.5,"f":"Infinity","i32":3,"u64":"42","state":"DISABLED","opt":0}"#
        );
        assert_eq!(kinds(json!({"i64": 5.0})), Ok(json!({"i64": "5"})));
    }

    #[test]
    fn nested_repeated_maps_and_json_names() {
        let input = json!({
            "inner": {"name": "x", "n": "2"},
            "tags": ["a", "b"],
            "items": [{"n": 1}, {"name": "y"}],
            "fs": [0.1, 2],
            "states": ["ACTIVE", "DISABLED"],
            "labels": {"b": "2", "a": "1"},
            "byId": {"3": {"name": "c"}, "-1": {}},
            "flags": {"true": 0.25},
            "camelName": "x",
            "createdAt": "2024-07-25T17:07:53.002Z",
            "took": "1.5s",
            "wI64": "5", "w_b": false, "w_s": "", "w_f": 0.1,
            "mask": "a.bC,d",
            "c_name": "n"
        });
        assert_eq!(
            serde_json::to_string(&kinds(input).expect("convert")).expect("json"),
            r#"{"inner":{"name":"x","n":2},"tags":["a","b"],"items":[{"n":1},{"name":"y"}],"fs":[0.1,2.0],"states":["ACTIVE","DISABLED"],"labels":{"a":"1","b":"2"},"by_id":{"-1":{},"3":{"name":"c"}},"flags":{"true":0.25},"created_at":"2024-07-25T17:07:53.002Z","took":"1.500s","w_i64":"5","w_f":0.1,"w_s":"","w_b":false,"mask":"a.bC,d","c_name":"n","camelName":"x"}"#
        );
    }

    #[test]
    fn struct_value_and_list_value_take_any_data() {
        let input = json!({
            "data": {"a": 5, "b": [1, "x", null, {"c": true}]},
            "v": "text",
            "lv": [1, {"k": null}],
            "vmap": {"n": null, "i": 3}
        });
        assert_eq!(
            serde_json::to_string(&kinds(input).expect("convert")).expect("json"),
            r#"{"data":{"a":5.0,"b":[1.0,"x",null,{"c":true}]},"v":"text","lv":[1.0,{"k":null}],"vmap":{"i":3.0,"n":null}}"#
        );
        assert_eq!(kinds(json!({"v": null})), Ok(json!({"v": null})));
        assert_eq!(kinds(json!({"v": {}})), Ok(json!({"v": {}})));
    }

    #[test]
    fn filter_values_accept_any_json_value() {
        let input = json!({"query": {"filter": [
            {"k": "name", "v": "aws", "o": "eq"},
            {"key": "count", "value": 5, "operator": "gt"},
            {"k": "tags", "v": ["a", 1], "o": "in"},
            {"k": "data", "v": {"x": null}, "o": "eq"}
        ]}});
        for name in ["ListV1Request", "ListV2Request"] {
            assert_eq!(
                serde_json::to_string(&convert(name, input.clone()).expect(name)).expect("json"),
                r#"{"query":{"filter":[{"k":"name","v":"aws","o":"eq"},{"key":"count","value":5.0,"operator":"gt"},{"k":"tags","v":["a",1.0],"o":"in"},{"k":"data","v":{"x":null},"o":"eq"}]}}"#,
                "{name}"
            );
        }
    }

    #[test]
    fn nulls_leave_fields_unset() {
        assert_eq!(
            kinds(json!({"s": null, "inner": null, "tags": null, "labels": null, "nv": null})),
            Ok(json!({}))
        );
    }

    #[test]
    fn empty_requests_ignore_their_input() {
        let desc = test_schema::pool()
            .get_message_by_name("google.protobuf.Empty")
            .expect("Empty");
        let mut params = Map::new();
        params.insert("x".into(), json!("y"));
        let msg = from_value(&desc, &params).expect("empty");
        assert_eq!(to_value(&msg), json!({}));
    }

    #[test]
    fn unknown_fields_use_the_upstream_text_in_key_order() {
        assert_eq!(
            kinds(json!({"foo": 1, "s": 5})),
            Err(r#"Protocol message Kinds has no "foo" field."#.into())
        );
        assert_eq!(
            kinds(json!({"s": 5, "foo": 1})),
            Err(r#"Invalid value for "s": expected a string, got number 5 (quote it)"#.into())
        );
        assert_eq!(
            kinds(json!({"inner": {"zzz": 1}})),
            Err(r#"Protocol message Inner has no "zzz" field."#.into())
        );
        assert_eq!(
            convert(
                "ListV1Request",
                json!({"query": {"page": {"limit": 2, "x": 1}}})
            ),
            Err(r#"Protocol message Page has no "x" field."#.into())
        );
    }

    #[test]
    fn type_errors_name_the_field_path() {
        let cases = [
            (
                json!({"i32": "abc"}),
                r#"Invalid value for "i32": expected an integer (int32), got string "abc""#,
            ),
            (
                json!({"i32": 1.5}),
                r#"Invalid value for "i32": expected an integer (int32), got number 1.5"#,
            ),
            (
                json!({"i32": 3000000000u64}),
                r#"Invalid value for "i32": 3000000000 is out of range for int32"#,
            ),
            (
                json!({"u32": -1}),
                r#"Invalid value for "u32": -1 is out of range for uint32"#,
            ),
            (
                json!({"u64": "-1"}),
                r#"Invalid value for "u64": -1 is out of range for uint64"#,
            ),
            (
                json!({"f": 1e39}),
                r#"Invalid value for "f": 1e+39 is out of range for float"#,
            ),
            (
                json!({"b": "yes"}),
                r#"Invalid value for "b": expected true or false, got string "yes""#,
            ),
            (
                json!({"s": ["a"]}),
                r#"Invalid value for "s": expected a string, got a list"#,
            ),
            (
                json!({"by": "@@"}),
                r#"Invalid value for "by": expected a base64 string, got string "@@""#,
            ),
            (
                json!({"state": "BOGUS"}),
                r#"Invalid value for "state": "BOGUS" is not a value of enum State (one of: STATE_NONE, ACTIVE, DISABLED)"#,
            ),
            (
                json!({"inner": "x"}),
                r#"Invalid value for "inner": expected a mapping, got string "x""#,
            ),
            (
                json!({"data": "x"}),
                r#"Invalid value for "data": expected a mapping, got string "x""#,
            ),
            (
                json!({"lv": {}}),
                r#"Invalid value for "lv": expected a list, got a mapping"#,
            ),
            (
                json!({"tags": "a"}),
                r#"Invalid value for "tags": expected a list, got string "a""#,
            ),
            (
                json!({"tags": ["a", null]}),
                r#"Invalid value for "tags[1]": expected a string, got null"#,
            ),
            (
                json!({"items": [{}, {"n": "x"}]}),
                r#"Invalid value for "items[1].n": expected an integer (int32), got string "x""#,
            ),
            (
                json!({"by_id": {"x": {}}}),
                r#"Invalid value for "by_id["x"]": expected an integer (int32), got string "x""#,
            ),
            (
                json!({"flags": {"yes": 1}}),
                r#"Invalid value for "flags["yes"]": expected a key of true or false, got string "yes""#,
            ),
            (
                json!({"labels": {"a": 1}}),
                r#"Invalid value for "labels["a"]": expected a string, got number 1 (quote it)"#,
            ),
            (
                json!({"c_name": "a", "c_num": 1}),
                r#"Invalid value for "c_num": "c_name" of the same oneof "choice" is already set"#,
            ),
            (
                json!({"w_i64": "x"}),
                r#"Invalid value for "w_i64": expected an integer (int64), got string "x""#,
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                kinds(input.clone()),
                Err(expected.to_string()),
                "input {input}"
            );
        }
    }

    #[test]
    fn well_known_type_errors_name_the_field() {
        let e = kinds(json!({"created_at": "yesterday"})).expect_err("bad timestamp");
        assert!(e.starts_with(r#"Invalid value for "created_at": "#), "{e}");
        let e = kinds(json!({"took": 5})).expect_err("bad duration");
        assert!(e.starts_with(r#"Invalid value for "took": "#), "{e}");
    }

    #[test]
    fn long_strings_are_shortened_in_errors() {
        let long = "x".repeat(100);
        assert_eq!(
            kinds(json!({"i32": long})),
            Err(format!(
                r#"Invalid value for "i32": expected an integer (int32), got string "{}…""#,
                "x".repeat(40)
            ))
        );
    }

    #[test]
    fn bytes_accept_url_safe_and_unpadded_base64() {
        assert_eq!(kinds(json!({"by": "-_8"})), Ok(json!({"by": "+/8="})));
        assert_eq!(
            kinds(json!({"by": "AP9oaQ"})),
            Ok(json!({"by": "AP9oaQ=="}))
        );
    }
}
