//! Protobuf message → data, like protobuf's Python
//! `MessageToDict(message, preserving_proto_field_name=True)`:
//!
//! * proto field names; message fields in field-number order;
//! * fields without presence are left out at their default value (0, "", false, empty
//!   lists/maps, enum 0); fields with presence (messages, oneof members, `optional`) are kept
//!   when set, even at a default value;
//! * int64/uint64 (and their fixed/sint forms) as decimal strings; int32/uint32 as integers;
//! * double as a float; float (32-bit) as the shortest decimal that reads back as the same
//!   f32 (`0.1`, not `0.10000000149011612`); non-finite ones as `"NaN"`, `"Infinity"`,
//!   `"-Infinity"`;
//! * enums by value name, unknown numbers as integers; `NullValue` as null;
//! * bytes as standard base64 with padding;
//! * map keys as strings (`true`/`false` for bool keys), sorted for a stable output;
//! * `Struct`/`Value`/`ListValue` as plain data with every number a float (`5` → `5.0`);
//! * `Timestamp` as RFC 3339 UTC with 0, 3, 6 or 9 fractional digits
//!   (`2024-07-25T17:07:53.002Z`), `Duration` as seconds with 0, 3, 6 or 9 fractional digits
//!   (`1.500s`), `FieldMask` as comma-joined camelCase paths, wrapper types as their value,
//!   `Empty` as `{}`, `Any` as `{"@type": url, ...fields}` (`"value"` for well-known types).
//!
//! Where Python would raise, this conversion still returns data: a non-finite number inside a
//! `Struct`/`Value` becomes the string form used for float fields, and an `Any` whose type is
//! not in the descriptor pool becomes `{"@type": url, "value": <base64 payload>}`.

use base64::Engine;
use prost_reflect::{
    DynamicMessage, FieldDescriptor, Kind, MapKey, MessageDescriptor, ReflectMessage,
    Value as PValue,
};
use serde_json::{Map, Number, Value};

/// Converts a message to the JSON data model.
pub fn to_value(msg: &DynamicMessage) -> Value {
    message_value(msg)
}

pub(crate) fn float(f: f64) -> Value {
    match Number::from_f64(f) {
        Some(n) => Value::Number(n),
        None if f.is_nan() => Value::String("NaN".into()),
        None if f > 0.0 => Value::String("Infinity".into()),
        None => Value::String("-Infinity".into()),
    }
}

/// A 32-bit float as protobuf's Python runtime prints it: the value rounded to the fewest
/// significant digits, starting at 6, that still reads back as the same f32 (`0.1`, not
/// `0.10000000149011612`), held as an f64.
pub(crate) fn float32(f: f32) -> Value {
    let wide = f64::from(f);
    if !f.is_finite() {
        return float(wide);
    }
    for digits in 6..=17usize {
        let text = format!("{:.*e}", digits - 1, wide);
        if let Ok(rounded) = text.parse::<f64>()
            && rounded as f32 == f
        {
            return float(rounded);
        }
    }
    float(wide)
}

fn message_value(msg: &DynamicMessage) -> Value {
    let desc = msg.descriptor();
    match desc.full_name() {
        "google.protobuf.Struct" => struct_value(msg),
        "google.protobuf.Value" => value_value(msg),
        "google.protobuf.ListValue" => list_value(msg),
        "google.protobuf.Timestamp" => {
            let (s, n) = seconds_nanos(msg);
            Value::String(timestamp_text(s, n))
        }
        "google.protobuf.Duration" => {
            let (s, n) = seconds_nanos(msg);
            Value::String(duration_text(s, n))
        }
        "google.protobuf.FieldMask" => Value::String(field_mask_text(msg)),
        "google.protobuf.Any" => any_value(msg),
        "google.protobuf.Empty" => Value::Object(Map::new()),
        "google.protobuf.DoubleValue"
        | "google.protobuf.FloatValue"
        | "google.protobuf.Int64Value"
        | "google.protobuf.UInt64Value"
        | "google.protobuf.Int32Value"
        | "google.protobuf.UInt32Value"
        | "google.protobuf.BoolValue"
        | "google.protobuf.StringValue"
        | "google.protobuf.BytesValue" => match desc.get_field_by_name("value") {
            Some(field) => single_value(&field.kind(), &msg.get_field(&field)),
            None => Value::Null,
        },
        _ => fields_object(msg),
    }
}

fn fields_object(msg: &DynamicMessage) -> Value {
    let mut map = Map::new();
    for (field, value) in msg.fields() {
        map.insert(field.name().to_string(), field_value(&field, value));
    }
    Value::Object(map)
}

fn field_value(field: &FieldDescriptor, value: &PValue) -> Value {
    let kind = field.kind();
    match value {
        PValue::List(items) => Value::Array(items.iter().map(|v| single_value(&kind, v)).collect()),
        PValue::Map(entries) => {
            let value_kind = match &kind {
                Kind::Message(entry) => entry.map_entry_value_field().kind(),
                other => other.clone(),
            };
            let mut sorted: Vec<(&MapKey, &PValue)> = entries.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(b.0));
            let mut map = Map::new();
            for (k, v) in sorted {
                map.insert(map_key_text(k), single_value(&value_kind, v));
            }
            Value::Object(map)
        }
        other => single_value(&kind, other),
    }
}

fn map_key_text(k: &MapKey) -> String {
    match k {
        MapKey::Bool(b) => b.to_string(),
        MapKey::I32(v) => v.to_string(),
        MapKey::I64(v) => v.to_string(),
        MapKey::U32(v) => v.to_string(),
        MapKey::U64(v) => v.to_string(),
        MapKey::String(s) => s.clone(),
    }
}

fn single_value(kind: &Kind, value: &PValue) -> Value {
    match value {
        PValue::Bool(b) => Value::Bool(*b),
        PValue::I32(v) => Value::from(*v),
        PValue::U32(v) => Value::from(*v),
        PValue::I64(v) => Value::String(v.to_string()),
        PValue::U64(v) => Value::String(v.to_string()),
        PValue::F32(v) => float32(*v),
        PValue::F64(v) => float(*v),
        PValue::String(s) => Value::String(s.clone()),
        PValue::Bytes(b) => Value::String(base64::engine::general_purpose::STANDARD.encode(b)),
        PValue::EnumNumber(n) => match kind {
            Kind::Enum(e) if e.full_name() == "google.protobuf.NullValue" => Value::Null,
            Kind::Enum(e) => match e.get_value(*n) {
                Some(ev) => Value::String(ev.name().to_string()),
                None => Value::from(*n),
            },
            _ => Value::from(*n),
        },
        PValue::Message(m) => message_value(m),
        // Lists and maps only occur as whole fields; nested ones cannot exist in protobuf.
        PValue::List(items) => Value::Array(items.iter().map(|v| single_value(kind, v)).collect()),
        PValue::Map(_) => Value::Object(Map::new()),
    }
}

fn get_by_name<'a>(msg: &'a DynamicMessage, name: &str) -> Option<std::borrow::Cow<'a, PValue>> {
    let field = msg.descriptor().get_field_by_name(name)?;
    Some(msg.get_field(&field))
}

fn struct_value(msg: &DynamicMessage) -> Value {
    let mut map = Map::new();
    if let Some(fields) = get_by_name(msg, "fields")
        && let PValue::Map(entries) = fields.as_ref()
    {
        let mut sorted: Vec<(&MapKey, &PValue)> = entries.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        for (k, v) in sorted {
            let value = match v {
                PValue::Message(m) => value_value(m),
                _ => Value::Null,
            };
            map.insert(map_key_text(k), value);
        }
    }
    Value::Object(map)
}

fn list_value(msg: &DynamicMessage) -> Value {
    match get_by_name(msg, "values").as_deref() {
        Some(PValue::List(items)) => Value::Array(
            items
                .iter()
                .map(|v| match v {
                    PValue::Message(m) => value_value(m),
                    _ => Value::Null,
                })
                .collect(),
        ),
        _ => Value::Array(Vec::new()),
    }
}

/// `google.protobuf.Value`: the set member of its `kind` oneof; unset means null.
fn value_value(msg: &DynamicMessage) -> Value {
    let Some((field, value)) = msg.fields().next() else {
        return Value::Null;
    };
    match (field.name(), value) {
        ("number_value", PValue::F64(f)) => float(*f),
        ("string_value", PValue::String(s)) => Value::String(s.clone()),
        ("bool_value", PValue::Bool(b)) => Value::Bool(*b),
        ("struct_value", PValue::Message(m)) => struct_value(m),
        ("list_value", PValue::Message(m)) => list_value(m),
        _ => Value::Null,
    }
}

fn seconds_nanos(msg: &DynamicMessage) -> (i64, i32) {
    let seconds = match get_by_name(msg, "seconds").as_deref() {
        Some(PValue::I64(s)) => *s,
        _ => 0,
    };
    let nanos = match get_by_name(msg, "nanos").as_deref() {
        Some(PValue::I32(n)) => *n,
        _ => 0,
    };
    (seconds, nanos)
}

/// `.fff`, `.ffffff` or `.fffffffff` — the shortest of the three that holds `nanos`
/// (0 ≤ nanos < 1e9); empty for whole seconds.
fn fraction(nanos: i64) -> String {
    if nanos == 0 {
        String::new()
    } else if nanos % 1_000_000 == 0 {
        format!(".{:03}", nanos / 1_000_000)
    } else if nanos % 1_000 == 0 {
        format!(".{:06}", nanos / 1_000)
    } else {
        format!(".{nanos:09}")
    }
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A timestamp as UTC text, `2026-12-07T06:13:03Z`, with a fraction only when it has one.
pub(crate) fn timestamp_text(seconds: i64, nanos: i32) -> String {
    let nanos = i64::from(nanos);
    let frac = nanos.rem_euclid(1_000_000_000);
    let total = seconds.saturating_add((nanos - frac) / 1_000_000_000);
    let secs_of_day = total.rem_euclid(86_400);
    let days = total.div_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{}Z",
        secs_of_day / 3600,
        secs_of_day % 3600 / 60,
        secs_of_day % 60,
        fraction(frac)
    )
}

fn duration_text(seconds: i64, nanos: i32) -> String {
    let nanos = i64::from(nanos);
    let (sign, secs, frac) = if seconds < 0 || nanos < 0 {
        let neg = -nanos;
        (
            "-",
            seconds
                .saturating_neg()
                .saturating_add(neg.div_euclid(1_000_000_000)),
            neg.rem_euclid(1_000_000_000),
        )
    } else {
        (
            "",
            seconds.saturating_add(nanos.div_euclid(1_000_000_000)),
            nanos.rem_euclid(1_000_000_000),
        )
    };
    format!("{sign}{secs}{}s", fraction(frac))
}

fn field_mask_text(msg: &DynamicMessage) -> String {
    let Some(paths) = get_by_name(msg, "paths") else {
        return String::new();
    };
    let PValue::List(items) = paths.as_ref() else {
        return String::new();
    };
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        if let PValue::String(path) = item {
            out.push(camel_case(path));
        }
    }
    out.join(",")
}

fn camel_case(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut upper = false;
    for c in path.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn any_value(msg: &DynamicMessage) -> Value {
    let type_url = match get_by_name(msg, "type_url").as_deref() {
        Some(PValue::String(s)) => s.clone(),
        _ => String::new(),
    };
    let payload = match get_by_name(msg, "value").as_deref() {
        Some(PValue::Bytes(b)) => b.clone(),
        _ => Default::default(),
    };
    if type_url.is_empty() && payload.is_empty() {
        return Value::Object(Map::new());
    }
    let mut map = Map::new();
    map.insert("@type".into(), Value::String(type_url.clone()));
    let name = type_url.rsplit('/').next().unwrap_or_default();
    let decoded = msg
        .descriptor()
        .parent_pool()
        .get_message_by_name(name)
        .and_then(|desc: MessageDescriptor| DynamicMessage::decode(desc, payload.as_ref()).ok());
    match decoded {
        Some(inner) if is_well_known(inner.descriptor().full_name()) => {
            map.insert("value".into(), message_value(&inner));
        }
        Some(inner) => {
            if let Value::Object(fields) = fields_object(&inner) {
                map.extend(fields);
            }
        }
        None => {
            map.insert(
                "value".into(),
                Value::String(base64::engine::general_purpose::STANDARD.encode(&payload)),
            );
        }
    }
    Value::Object(map)
}

fn is_well_known(full_name: &str) -> bool {
    full_name.starts_with("google.protobuf.")
        && matches!(
            full_name.trim_start_matches("google.protobuf."),
            "Any"
                | "Timestamp"
                | "Duration"
                | "Struct"
                | "Value"
                | "ListValue"
                | "FieldMask"
                | "Empty"
                | "DoubleValue"
                | "FloatValue"
                | "Int64Value"
                | "UInt64Value"
                | "Int32Value"
                | "UInt32Value"
                | "BoolValue"
                | "StringValue"
                | "BytesValue"
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::test_schema;
    use serde_json::json;

    /// (case, wire bytes in hex, Python `MessageToDict(preserving_proto_field_name=True)` as
    /// JSON) for `spacectl.test.Kinds`, produced with protobuf's Python runtime from the
    /// same schema.
    const PYTHON_CASES: &[(&str, &str, &str)] = &[
        (
            "scalars",
            "09000000000000f83f15cdcccc3d18fbffffffffffffffff0120ffffffffffffffefff012880d0acf30e30ffffffffffffffffff01380540074d070000005108000000000000005df7ffffff61f6ffffffffffffff6801720668c3a96c6c6f7a0400ff6869800101",
            r#"{"d": 1.5, "f": 0.1, "i32": -5, "i64": "-9007199254740993", "u32": 4000000000, "u64": "18446744073709551615", "s32": -3, "s64": "-4", "fx32": 7, "fx64": "8", "sfx32": -9, "sfx64": "-10", "b": true, "s": "héllo", "by": "AP9oaQ==", "state": "ACTIVE"}"#,
        ),
        (
            "defaults_and_presence",
            "b00200b80200",
            r#"{"c_num": 0, "opt": 0}"#,
        ),
        (
            "nested_and_repeated",
            "8a01030a017892010161920101629a010210019a01030a0179a20114cdcccc3dec78ad6000000080ffff7f7fc2160100aa01020105",
            r#"{"inner": {"name": "x"}, "tags": ["a", "b"], "items": [{"n": 1}, {"name": "y"}], "fs": [0.1, 1e+20, -0.0, 3.4028235e+38, 9.99995e-41], "states": ["ACTIVE", 5]}"#,
        ),
        (
            "maps",
            "b201060a0161120131b201060a0162120132ba010d08ffffffffffffffffff011200ba0107080312030a0163c201070801150000803ec201070800150000c03f",
            r#"{"labels": {"b": "2", "a": "1"}, "by_id": {"3": {"name": "c"}, "-1": {}}, "flags": {"false": 1.5, "true": 0.25}}"#,
        ),
        (
            "struct_value_list",
            "ca016f0a0e0a0175120911f168e388b5f8e43e0a070a0163120208000a0e0a016112091100000000000014400a2b0a0164122632240a0911000000000000f03f0a031a01780a122a100a0e0a0165120911000000000000e03f0a0e0a01621209110080e03779c341430a070a017412022001d20109110000000000001c40da010f0a0911000000000000f03f0a020800d202070a016e12020800d202080a016b12031a0173",
            r#"{"data": {"t": true, "b": 1e+16, "d": [1.0, "x", {"e": 0.5}], "a": 5.0, "c": null, "u": 1e-05}, "v": 7.0, "lv": [1.0, null], "vmap": {"k": "s", "n": null}}"#,
        ),
        (
            "time_2ms",
            "e2010a08e98c8ab5061080897aea010808011080cab5ee01",
            r#"{"created_at": "2024-07-25T17:07:53.002Z", "took": "1.500s"}"#,
        ),
        (
            "time_us",
            "e2010310c413ea011608ffffffffffffffffff011080b6ca91feffffffff01",
            r#"{"created_at": "1970-01-01T00:00:00.000002500Z", "took": "-1.500s"}"#,
        ),
        (
            "time_ns",
            "e2010d08ff82d1ffaf0710ff93ebdc03ea01021007",
            r#"{"created_at": "9999-12-31T23:59:59.999999999Z", "took": "0.000000007s"}"#,
        ),
        (
            "time_edges",
            "e2010b088092b8c398feffffff01ea01070880bcaece9709",
            r#"{"created_at": "0001-01-01T00:00:00Z", "took": "315576000000s"}"#,
        ),
        (
            "time_zero",
            "e20100ea0100",
            r#"{"created_at": "1970-01-01T00:00:00Z", "took": "0s"}"#,
        ),
        (
            "wrappers",
            "f201020805fa01050dcdcccc3d8202008a0200",
            r#"{"w_i64": "5", "w_f": 0.1, "w_s": "", "w_b": false}"#,
        ),
        (
            "mask_any_empty_oneof",
            "92020a0a05612e625f630a01649a02300a27747970652e676f6f676c65617069732e636f6d2f737061636563746c2e746573742e496e6e657212050a017a1002a20200aa02016eca020178",
            r#"{"mask": "a.bC,d", "any": {"@type": "type.googleapis.com/spacectl.test.Inner", "name": "z", "n": 2}, "empty": {}, "c_name": "n", "camelName": "x"}"#,
        ),
        (
            "any_wkt_value_null",
            "d2010208009a02330a2d747970652e676f6f676c65617069732e636f6d2f676f6f676c652e70726f746f6275662e54696d657374616d7012020805",
            r#"{"v": null, "any": {"@type": "type.googleapis.com/google.protobuf.Timestamp", "value": "1970-01-01T00:00:05Z"}}"#,
        ),
        (
            "non_finite",
            "09000000000000f07f150000c07fa20104000080ff",
            r#"{"d": "Infinity", "f": "NaN", "fs": ["-Infinity"]}"#,
        ),
        (
            "unknown_enum_empty_struct",
            "800107ca0100d201022a00da0100",
            r#"{"state": 7, "data": {}, "v": {}, "lv": []}"#,
        ),
        (
            "value_list",
            "d2010d320b0a09110000000000000040",
            r#"{"v": [2.0]}"#,
        ),
        (
            "float32_shortest",
            "150000804ba20114cdcc8c3f6520f147db0f494095bfd633522b6d65",
            r#"{"f": 16777216.0, "fs": [1.1, 123456.79, 3.1415927, 1e-07, 7e+22]}"#,
        ),
    ];

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
            .collect()
    }

    fn kinds() -> MessageDescriptor {
        test_schema::message("Kinds")
    }

    #[test]
    fn matches_python_message_to_dict() {
        for (name, wire, expected) in PYTHON_CASES {
            let msg = DynamicMessage::decode(kinds(), hex(wire).as_slice()).expect(name);
            let got = to_value(&msg);
            let want: Value = serde_json::from_str(expected).expect("expected json");
            // Number equality is strict about kind: 5.0 (float) differs from 5 (integer).
            assert_eq!(got, want, "case {name}");
            let got_keys: Vec<&String> = got.as_object().expect("object").keys().collect();
            let want_keys: Vec<&String> = want.as_object().expect("object").keys().collect();
            assert_eq!(got_keys, want_keys, "field order of case {name}");
        }
    }

    #[test]
    fn struct_numbers_print_as_floats() {
        let (_, wire, _) = PYTHON_CASES
            .iter()
            .find(|c| c.0 == "struct_value_list")
            .expect("case");
        let msg = DynamicMessage::decode(kinds(), hex(wire).as_slice()).expect("decode");
        assert_eq!(
            serde_json::to_string(&to_value(&msg)).expect("json"),
            r#"{"data":{"a":5.0,"b":1e+16,"c":null,"d":[1.0,"x",{"e":0.5}],"t":true,"u":0.00001},"v":7.0,"lv":[1.0,null],"vmap":{"k":"s","n":null}}"#
        );
    }

    #[test]
    fn float32_fields_use_python_digits() {
        let cases: [(f32, &str); 8] = [
            (0.1, "0.1"),
            (1e20, "1e+20"),
            (3.4028235e38, "3.4028235e+38"),
            (1e-40, "9.99995e-41"),
            (123_456.79, "123456.79"),
            (-0.0, "-0.0"),
            (16777217.0, "16777216.0"),
            (0.3, "0.3"),
        ];
        for (f, text) in cases {
            assert_eq!(float32(f).to_string(), text, "{f}");
        }
        assert_eq!(float32(f32::NAN), json!("NaN"));
        assert_eq!(float32(f32::NEG_INFINITY), json!("-Infinity"));
    }

    #[test]
    fn timestamp_and_duration_text() {
        assert_eq!(
            timestamp_text(1721927273, 2_000_000),
            "2024-07-25T17:07:53.002Z"
        );
        assert_eq!(timestamp_text(0, 2500), "1970-01-01T00:00:00.000002500Z");
        assert_eq!(timestamp_text(0, 7), "1970-01-01T00:00:00.000000007Z");
        assert_eq!(timestamp_text(-1, 0), "1969-12-31T23:59:59Z");
        assert_eq!(timestamp_text(0, -1), "1969-12-31T23:59:59.999999999Z");
        assert_eq!(timestamp_text(951782400, 0), "2000-02-29T00:00:00Z");
        assert_eq!(
            timestamp_text(253402300799, 999_999_999),
            "9999-12-31T23:59:59.999999999Z"
        );
        assert_eq!(timestamp_text(-62135596800, 0), "0001-01-01T00:00:00Z");
        assert_eq!(duration_text(1, 500_000_000), "1.500s");
        assert_eq!(duration_text(0, 0), "0s");
        assert_eq!(duration_text(-1, -500_000_000), "-1.500s");
        assert_eq!(duration_text(0, -1500), "-0.000001500s");
        assert_eq!(duration_text(3, 1), "3.000000001s");
        assert_eq!(duration_text(90, 120_000), "90.000120s");
    }

    #[test]
    fn any_with_an_unknown_type_keeps_its_payload() {
        let desc = kinds();
        let any_field = desc.get_field_by_name("any").expect("any");
        let Kind::Message(any_desc) = any_field.kind() else {
            panic!("any is a message")
        };
        let mut any = DynamicMessage::new(any_desc);
        any.set_field_by_name(
            "type_url",
            PValue::String("type.googleapis.com/nope.Missing".into()),
        );
        any.set_field_by_name("value", PValue::Bytes(vec![1u8, 2, 3].into()));
        let mut msg = DynamicMessage::new(desc);
        msg.set_field(&any_field, PValue::Message(any));
        assert_eq!(
            serde_json::to_string(&to_value(&msg)).expect("json"),
            r#"{"any":{"@type":"type.googleapis.com/nope.Missing","value":"AQID"}}"#
        );
    }

    #[test]
    fn camel_case_paths() {
        assert_eq!(camel_case("a.b_c"), "a.bC");
        assert_eq!(camel_case("snake_case_name"), "snakeCaseName");
        assert_eq!(camel_case(""), "");
    }
}
