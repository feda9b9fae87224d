//! The model rules of [`super::model`] for a value read from a handler's line
//! (a tape [`Node`]) that validates as it is: every field present holds the
//! type its model names, nothing to convert and no error to word. For such a
//! value the validated dict is the value itself with the missing fields'
//! defaults, so it is written straight to protobuf as a Struct (the way
//! `convert::into_proto_value` and prost write it: keys in order, numbers as
//! doubles). Whatever does not fit answers `false` and goes the value way.

use prost::encoding::{WireType, encode_key, encode_varint};
use prost_reflect::{FieldDescriptor, Kind as FieldKind, MessageDescriptor};

use crate::plugin::host::encode::{
    Order, bool_value, delimited, list_item, list_value, node_struct, node_value, null_value,
    number_value, struct_entry, struct_value, text_field, text_value,
};
use crate::plugin::host::handler::item::{Json, Node};

use super::model::{Dflt, FieldSpec, Kind, ModelSpec, is_colour};

/// Whether `node` validates as `kind` unchanged.
pub(crate) fn fits(kind: Kind, node: Node<'_>) -> bool {
    match (kind, node.json()) {
        (Kind::Str, Json::Str(_))
        | (Kind::Bool, Json::Bool(_))
        | (Kind::Float, Json::Number(_))
        | (Kind::Dict, Json::Object(_))
        | (Kind::Any, _) => true,
        (Kind::Lit(choices), Json::Str(s)) => choices.contains(&s),
        (Kind::Colour, Json::Str(s)) => is_colour(s),
        (Kind::Enum(spec), Json::Str(s)) => spec.members.iter().any(|(_, v)| *v == s),
        (Kind::List(inner), Json::Array(mut items)) => {
            items.all(|item| !item.is_null() && fits(*inner, item))
        }
        (Kind::Model(spec), Json::Object(_)) => fits_model(spec, node),
        (Kind::TypedDict(spec), Json::Object(_)) => spec.fields.iter().all(|f| {
            node.get(f.name)
                .is_none_or(|v| v.is_null() || fits(f.kind, v))
        }),
        // Datetimes and typed mappings, and every conversion: the value way.
        _ => false,
    }
}

/// Whether the mapping `node` validates as the model `spec` unchanged (its
/// missing fields have defaults, its nulls are allowed).
pub(crate) fn fits_model(spec: &ModelSpec, node: Node<'_>) -> bool {
    let Some(values) = field_values(spec, node) else {
        return false;
    };
    spec.fields.iter().zip(values).all(|(f, v)| match v {
        None => !matches!(f.default, Dflt::Required),
        Some(v) if v.is_null() => f.nullable,
        Some(v) => fits(f.kind, v),
    })
}

/// The value of each field of `spec` in the mapping `node` (of a key written
/// twice, the last), in one pass over its entries; `None` for anything but a
/// mapping.
fn field_values<'a>(spec: &ModelSpec, node: Node<'a>) -> Option<Vec<Option<Node<'a>>>> {
    let mut values = vec![None; spec.fields.len()];
    for (key, value) in node.entries()? {
        if let Some(i) = spec.fields.iter().position(|f| f.name == key) {
            values[i] = Some(value);
        }
    }
    Some(values)
}

/// The Struct entries of the model `spec` validated from `node` (which
/// [`fits_model`]): every field, in key order.
pub(crate) fn model_struct(spec: &ModelSpec, node: Node<'_>, out: &mut Vec<u8>) -> Option<()> {
    let mut fields: Vec<(&FieldSpec, Option<Node<'_>>)> =
        spec.fields.iter().zip(field_values(spec, node)?).collect();
    fields.sort_unstable_by_key(|(f, _)| f.name);
    for (f, value) in fields {
        struct_entry(f.name, out, |out| match value {
            None => default_value(f.default, out),
            Some(v) if v.is_null() => {
                null_value(out);
                Some(())
            }
            Some(v) => kind_value(f.kind, v, out),
        })?;
    }
    Some(())
}

/// The google.protobuf.Value of `node` validated as `kind` (which it [`fits`]).
pub(crate) fn kind_value(kind: Kind, node: Node<'_>, out: &mut Vec<u8>) -> Option<()> {
    match kind {
        Kind::Model(spec) => struct_value(out, |out| model_struct(spec, node, out)),
        Kind::TypedDict(spec) => struct_value(out, |out| {
            let mut fields: Vec<&FieldSpec> = spec.fields.iter().collect();
            fields.sort_unstable_by_key(|f| f.name);
            for f in fields {
                let Some(v) = node.get(f.name) else { continue };
                struct_entry(f.name, out, |out| {
                    if v.is_null() {
                        null_value(out);
                        Some(())
                    } else {
                        kind_value(f.kind, v, out)
                    }
                })?;
            }
            Some(())
        }),
        Kind::List(inner) => list_value(out, |out| {
            for item in node.items()? {
                list_item(out, |out| kind_value(*inner, item, out))?;
            }
            Some(())
        }),
        _ => node_value(node, Order::ByKey, out),
    }
}

/// The google.protobuf.Value of a field's default.
pub(crate) fn default_value(d: Dflt, out: &mut Vec<u8>) -> Option<()> {
    match d {
        Dflt::Required => return None,
        Dflt::Null => null_value(out),
        Dflt::Str(s) => text_value(s, out),
        Dflt::Bool(b) => bool_value(b, out),
        Dflt::Int(i) => number_value(i as f64, out),
        Dflt::EmptyObject => return struct_value(out, |_| Some(())),
        Dflt::EmptyList => return list_value(out, |_| Some(())),
        Dflt::StrList(items) => {
            return list_value(out, |out| {
                for s in items {
                    list_item(out, |out| {
                        text_value(s, out);
                        Some(())
                    })?;
                }
                Some(())
            });
        }
    }
    Some(())
}

// ---------------------------------------------------------------------------
// A validated model as a dynamic message (the router's kinds): the bytes
// `encode::encode_dict` writes for the dict the model gives, Struct entries as
// written.
// ---------------------------------------------------------------------------

const STRUCT: &str = "google.protobuf.Struct";
const VALUE: &str = "google.protobuf.Value";
const LIST_VALUE: &str = "google.protobuf.ListValue";

/// The message `desc` of the model `spec` validated from the item `node`, or
/// `None`: the item does not validate as it is, or holds what this does not
/// write (it then goes the dict way).
pub(crate) fn model_encoded(
    spec: &ModelSpec,
    node: Node<'_>,
    desc: &MessageDescriptor,
) -> Option<Vec<u8>> {
    if !fits_model(spec, node) {
        return None;
    }
    let mut out = Vec::with_capacity(256);
    model_message(spec, node, desc, &mut out)?;
    Some(out)
}

/// One value of the validated dict.
#[derive(Clone, Copy)]
enum Field<'a> {
    /// A missing field's default.
    Default(Dflt),
    /// A node validated as a kind (it [`fits`]).
    Node(Kind, Node<'a>),
}

impl Field<'_> {
    fn is_null(&self) -> bool {
        match self {
            Field::Default(d) => matches!(d, Dflt::Null),
            Field::Node(_, n) => n.is_null(),
        }
    }
    fn as_str(&self) -> Option<&str> {
        match self {
            Field::Default(Dflt::Str(s)) => Some(s),
            Field::Node(_, n) => n.as_str(),
            _ => None,
        }
    }
    fn as_bool(&self) -> Option<bool> {
        match self {
            Field::Default(Dflt::Bool(b)) => Some(*b),
            Field::Node(_, n) => n.as_bool(),
            _ => None,
        }
    }
    /// A number, or a boolean as 1.0 / 0.0.
    fn as_f64(&self) -> Option<f64> {
        match self {
            Field::Default(Dflt::Int(i)) => Some(*i as f64),
            Field::Node(_, n) => match n.json() {
                Json::Number(f) => Some(f),
                Json::Bool(b) => Some(if b { 1.0 } else { 0.0 }),
                _ => None,
            },
            _ => None,
        }
    }
}

/// Whether a value validated as `kind` is the value itself.
fn as_is(kind: Kind) -> bool {
    match kind {
        Kind::Str
        | Kind::Bool
        | Kind::Float
        | Kind::Dict
        | Kind::Any
        | Kind::Lit(_)
        | Kind::Colour
        | Kind::Enum(_) => true,
        Kind::List(inner) => as_is(*inner),
        _ => false,
    }
}

fn model_message(
    spec: &ModelSpec,
    node: Node<'_>,
    desc: &MessageDescriptor,
    out: &mut Vec<u8>,
) -> Option<()> {
    let values = field_values(spec, node)?;
    let mut set: Vec<(FieldDescriptor, Field<'_>)> = Vec::with_capacity(values.len());
    for (f, v) in spec.fields.iter().zip(values) {
        let field = desc
            .get_field_by_json_name(f.name)
            .or_else(|| desc.get_field_by_name(f.name))?;
        if field.containing_oneof().is_some()
            || set.iter().any(|(g, _)| g.number() == field.number())
        {
            return None;
        }
        let value = match v {
            None => Field::Default(f.default),
            Some(n) => Field::Node(f.kind, n),
        };
        set.push((field, value));
    }
    set.sort_by_key(|(f, _)| f.number());
    for (field, v) in set {
        put_field(&field, v, out)?;
    }
    Some(())
}

fn put_field(field: &FieldDescriptor, v: Field<'_>, out: &mut Vec<u8>) -> Option<()> {
    let kind = field.kind();
    let is_value = matches!(&kind, FieldKind::Message(m) if m.full_name() == VALUE);
    if v.is_null() {
        // A singular Value field holds a null; anything else stays unset.
        if is_value && !field.is_list() {
            return delimited(field.number(), out, |out| {
                null_value(out);
                Some(())
            });
        }
        return Some(());
    }
    if field.is_map() {
        return None;
    }
    if field.is_list() {
        if !matches!(&kind, FieldKind::Message(_) | FieldKind::String) {
            return None;
        }
        match v {
            Field::Node(k, n) => {
                let inner = match k {
                    Kind::List(inner) => *inner,
                    k if as_is(k) => Kind::Any,
                    _ => return None,
                };
                for item in n.items()? {
                    if item.is_null() && !is_value {
                        return None;
                    }
                    single(field, Field::Node(inner, item), true, out)?;
                }
            }
            Field::Default(Dflt::EmptyList) => {}
            Field::Default(Dflt::StrList(items)) => {
                for s in items {
                    single(field, Field::Default(Dflt::Str(s)), true, out)?;
                }
            }
            Field::Default(_) => return None,
        }
        return Some(());
    }
    single(field, v, field.supports_presence(), out)
}

/// One value of `field`; `present`: written even when it is the default.
fn single(field: &FieldDescriptor, v: Field<'_>, present: bool, out: &mut Vec<u8>) -> Option<()> {
    let number = field.number();
    match field.kind() {
        FieldKind::Message(m) => delimited(number, out, |out| message(v, &m, out)),
        FieldKind::String => {
            let s = v.as_str()?;
            if present || !s.is_empty() {
                text_field(number, s, out);
            }
            Some(())
        }
        FieldKind::Bool => {
            let b = v.as_bool()?;
            if present || b {
                encode_key(number, WireType::Varint, out);
                encode_varint(u64::from(b), out);
            }
            Some(())
        }
        FieldKind::Double => {
            let f = v.as_f64()?;
            if present || f != 0.0 {
                encode_key(number, WireType::SixtyFourBit, out);
                out.extend_from_slice(&f.to_le_bytes());
            }
            Some(())
        }
        // Everything else: the dict way.
        _ => None,
    }
}

fn message(v: Field<'_>, desc: &MessageDescriptor, out: &mut Vec<u8>) -> Option<()> {
    match (desc.full_name(), v) {
        (STRUCT, Field::Node(k, n)) if as_is(k) => node_struct(n, Order::AsWritten, out),
        (VALUE, Field::Node(k, n)) if as_is(k) => node_value(n, Order::AsWritten, out),
        (LIST_VALUE, Field::Node(k, n)) if as_is(k) => {
            for item in n.items()? {
                list_item(out, |out| node_value(item, Order::AsWritten, out))?;
            }
            Some(())
        }
        (STRUCT, Field::Default(Dflt::EmptyObject))
        | (LIST_VALUE, Field::Default(Dflt::EmptyList)) => Some(()),
        (VALUE, Field::Default(d)) => default_value(d, out),
        (STRUCT | VALUE | LIST_VALUE, _) => None,
        (_, Field::Node(Kind::Model(spec), n)) => model_message(spec, n, desc, out),
        (_, Field::Default(Dflt::EmptyObject)) => Some(()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::host::dict::dict_to_message;
    use crate::plugin::host::encode::encode_dict;
    use crate::plugin::host::handler::item::Tape;
    use crate::plugin::host::kind::{Answer, Route};
    use prost::Message;
    use prost_reflect::{DescriptorPool, DynamicMessage};
    use serde_json::{Value, json};

    /// A streaming route of a kind and its response message.
    fn route(kind: &str, method: &str) -> (&'static Route, MessageDescriptor) {
        let spec = crate::plugin::kinds::find(kind).expect("kind");
        let pool = DescriptorPool::decode(spec.descriptor_set).expect("pool");
        let route = spec.route(method).expect("route");
        let desc = pool
            .get_message_by_name(&spec.message_name(route.response))
            .expect("message");
        (route, desc)
    }

    /// Where the direct way answers, its bytes are the ones the dict way sends
    /// (`encode_dict`'s, or the dynamic message's when that leaves it out).
    fn agree(route: &Route, desc: &MessageDescriptor, item: &Value) -> bool {
        agree_text(route, desc, &item.to_string())
    }

    fn agree_text(route: &Route, desc: &MessageDescriptor, text: &str) -> bool {
        let item: &Value = &serde_json::from_str(text).expect("json");
        let Answer::Stream(shape, Some(direct)) = route.answer else {
            panic!("no direct way");
        };
        let tape = Tape::parse(text.as_bytes()).expect("json");
        let Some(fast) = direct(tape.root(), desc) else {
            return false;
        };
        let shaped =
            shape(item).unwrap_or_else(|e| panic!("direct but the dict way fails: {e:?} {item}"));
        match encode_dict(&shaped, desc) {
            Some(bytes) => assert_eq!(fast, bytes, "{item}"),
            None => {
                let slow = dict_to_message(&shaped, desc)
                    .expect("message")
                    .encode_to_vec();
                let a = DynamicMessage::decode(desc.clone(), fast.as_slice()).expect("decode");
                let b = DynamicMessage::decode(desc.clone(), slow.as_slice()).expect("decode");
                assert_eq!(a, b, "{item}");
            }
        }
        true
    }

    fn cost_row(i: u64) -> Value {
        json!({"cost": 0.25, "usage_quantity": i, "usage_unit": "Hours", "provider": "bench",
               "region_code": "", "product": "Compute", "usage_type": "vm", "billed_date": "2024-05-01",
               "additional_info": {"Account ID": "1", "": null, "n": [1, 2.5, true, "x", {"b": {}, "a": 1}]},
               "tags": {"z": 1, "a": 2, "z": 3}, "data": {"deep": {"deeper": [[[]]]}}, "extra": "dropped"})
    }

    #[test]
    fn usual_items_go_direct_with_the_same_bytes() {
        let (cost, cost_desc) = route("cost", "Cost.get_data");
        for item in [
            json!({"results": []}),
            json!({"results": [cost_row(1), cost_row(2)]}),
            json!({"results": [{"cost": 1, "billed_date": "d"}, {"cost": 0, "billed_date": "", "usage_quantity": null}]}),
            json!({"results": [{"cost": -1.5e300, "billed_date": "d", "resource": "r", "tags": {}}], "other": 1}),
        ] {
            assert!(agree(cost, &cost_desc, &item), "took the dict way: {item}");
        }
        let (log, log_desc) = route("log", "Log.list");
        for item in [
            json!({"results": []}),
            json!({"results": [{"msg": "a", "n": 1, "b": {"y": null, "x": [1, {"k": "v"}]}}, {}]}),
            json!({"results": [{"k": 1, "k": 2, "j": 0}], "x": 1}),
        ] {
            assert!(agree(log, &log_desc, &item), "took the dict way: {item}");
        }
        // Keys written twice: first place, last value, at every level.
        for text in [
            r#"{"results":[{"k":1,"j":0,"k":{"b":1,"a":2,"b":3}}]}"#,
            r#"{"results":[{"a":1}],"results":[{"b":[{"x":1,"y":2,"x":3}]}]}"#,
        ] {
            assert!(
                agree_text(log, &log_desc, text),
                "took the dict way: {text}"
            );
        }
        let (cost, cost_desc) = route("cost", "Cost.get_data");
        let text =
            r#"{"results":[{"cost":1,"cost":2,"billed_date":"d","tags":{"t":1,"s":2,"t":3}}]}"#;
        assert!(
            agree_text(cost, &cost_desc, text),
            "took the dict way: {text}"
        );
    }

    #[test]
    fn conversions_and_errors_go_the_dict_way() {
        let (cost, cost_desc) = route("cost", "Cost.get_data");
        for item in [
            json!([]),
            json!({}),
            json!({"results": [{"cost": "1.5", "billed_date": "d"}]}),
            json!({"results": [{"billed_date": "d"}]}),
            json!({"results": [{"cost": 1, "billed_date": 5}]}),
            json!({"results": [{"cost": 1, "billed_date": "d", "tags": [["a", "b"]]}]}),
            json!({"results": [null]}),
        ] {
            assert!(!agree(cost, &cost_desc, &item), "{item}");
        }
        let (log, log_desc) = route("log", "Log.list");
        assert!(!agree(log, &log_desc, &json!({"results": ["a"]})));
        assert!(!agree(log, &log_desc, &json!({"results": [[["k", "v"]]]})));
    }

    /// Items changed at random: wherever the direct way answers, the bytes agree.
    #[test]
    fn changed_items_agree_wherever_the_direct_way_answers() {
        let (cost, cost_desc) = route("cost", "Cost.get_data");
        let replacements = [
            json!(null),
            json!(1),
            json!(-2.5),
            json!("text"),
            json!(""),
            json!(true),
            json!(false),
            json!([]),
            json!({}),
            json!({"k": "v", "k": "w"}),
            json!([1, "a", null]),
        ];
        let keys = [
            "cost",
            "usage_quantity",
            "usage_unit",
            "provider",
            "resource",
            "tags",
            "additional_info",
            "data",
            "billed_date",
            "usageUnit",
            "unknown",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut direct = 0;
        for _ in 0..3000 {
            let mut rows = vec![cost_row(1), cost_row(2)];
            for _ in 0..1 + next(3) {
                let row = rows[next(2)].as_object_mut().unwrap();
                let key = keys[next(keys.len())];
                if next(4) == 0 {
                    row.shift_remove(key);
                } else {
                    row.insert(
                        key.to_string(),
                        replacements[next(replacements.len())].clone(),
                    );
                }
            }
            if agree(cost, &cost_desc, &json!({"results": rows})) {
                direct += 1;
            }
        }
        assert!(direct > 300, "only {direct} items went direct");
    }
}
