//! The model rules of [`super::model`] for a value read from a handler's line
//! (a tape [`Node`]) that validates as it is: every field present holds the
//! type its model names, nothing to convert and no error to word. For such a
//! value the validated dict is the value itself with the missing fields'
//! defaults, so it is written straight to protobuf as a Struct (the way
//! `convert::into_proto_value` and prost write it: keys in order, numbers as
//! doubles). Whatever does not fit answers `false` and goes the value way.

use std::cell::RefCell;
use std::rc::Rc;

use prost_reflect::{Kind as FieldKind, MessageDescriptor};

use crate::plugin::host::encode::{
    Order, bool_field, bool_value, delimited, double_field, list_item, list_value, node_struct,
    node_value, null_value, number_value, string_field, struct_entry, struct_value, text_value,
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
    fits_model_but(spec, node, None)
}

/// [`fits_model`], except that of the field named `written`, when its kind
/// is a model, only the mapping itself is checked: [`model_struct`] checks its
/// fields as it writes them.
pub(crate) fn fits_model_but(spec: &ModelSpec, node: Node<'_>, written: Option<&str>) -> bool {
    let Some(values) = field_values(spec, node) else {
        return false;
    };
    spec.fields.iter().zip(values).all(|(f, v)| match v {
        None => !matches!(f.default, Dflt::Required),
        Some(v) if v.is_null() => f.nullable,
        Some(v) if written == Some(f.name) && matches!(f.kind, Kind::Model(_)) => {
            v.entries().is_some()
        }
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

/// The Struct entries of the model `spec` validated from the mapping `node`:
/// every field, in key order; `None` where the model would convert or refuse
/// a value (a nested model is checked as it is written).
pub(crate) fn model_struct(spec: &ModelSpec, node: Node<'_>, out: &mut Vec<u8>) -> Option<()> {
    let mut fields: Vec<(&FieldSpec, Option<Node<'_>>)> =
        spec.fields.iter().zip(field_values(spec, node)?).collect();
    fields.sort_unstable_by_key(|(f, _)| f.name);
    for (f, value) in fields {
        struct_entry(f.name, out, |out| match value {
            None => default_value(f.default, out),
            Some(v) if v.is_null() => f.nullable.then(|| null_value(out)),
            Some(v) if matches!(f.kind, Kind::Model(_)) || fits(f.kind, v) => {
                kind_value(f.kind, v, out)
            }
            Some(_) => None,
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
    spec: &'static ModelSpec,
    node: Node<'_>,
    desc: &MessageDescriptor,
) -> Option<Vec<u8>> {
    let plan = plan_for(spec, desc)?;
    let mut out = Vec::with_capacity(256);
    model_message(&plan, node, &mut out)?;
    Some(out)
}

/// How a model's dict maps onto a message: its fields in field-number order
/// (made once per model and message, and kept by the thread).
struct Plan {
    spec: &'static ModelSpec,
    fields: Vec<PlanField>,
}

struct PlanField {
    /// The model field's place in `spec.fields`.
    at: usize,
    number: u32,
    list: bool,
    presence: bool,
    target: Target,
}

/// What a message field holds.
enum Target {
    Struct,
    Value,
    ListValue,
    String,
    Bool,
    Double,
    /// A message the model field's model fills.
    Model(Rc<Plan>),
    /// Another message: only an empty default is written.
    Message,
    /// Anything else: only a null (left unset) is written.
    Other,
}

type Plans = Vec<(&'static ModelSpec, MessageDescriptor, Option<Rc<Plan>>)>;

thread_local! {
    static PLANS: RefCell<Plans> = const { RefCell::new(Vec::new()) };
}

/// The plan of `spec` onto `desc`, or `None` when the model's dict cannot
/// travel this way (a field the message lacks, a oneof, a map, two fields on
/// one message field): every such item goes the dict way.
fn plan_for(spec: &'static ModelSpec, desc: &MessageDescriptor) -> Option<Rc<Plan>> {
    if let Some(found) = PLANS.with_borrow(|plans| {
        plans
            .iter()
            .find(|(s, d, _)| std::ptr::eq(*s, spec) && d == desc)
            .map(|(_, _, plan)| plan.clone())
    }) {
        return found;
    }
    let plan = make_plan(spec, desc).map(Rc::new);
    PLANS.with_borrow_mut(|plans| plans.push((spec, desc.clone(), plan.clone())));
    plan
}

fn make_plan(spec: &'static ModelSpec, desc: &MessageDescriptor) -> Option<Plan> {
    let mut fields: Vec<PlanField> = Vec::with_capacity(spec.fields.len());
    for (at, f) in spec.fields.iter().enumerate() {
        let field = desc
            .get_field_by_json_name(f.name)
            .or_else(|| desc.get_field_by_name(f.name))?;
        if field.containing_oneof().is_some()
            || field.is_map()
            || fields.iter().any(|g| g.number == field.number())
        {
            return None;
        }
        let list = field.is_list();
        let target = match field.kind() {
            FieldKind::Message(m) => match m.full_name() {
                STRUCT => Target::Struct,
                VALUE => Target::Value,
                LIST_VALUE => Target::ListValue,
                _ => match (f.kind, list) {
                    (Kind::Model(inner), false) => Target::Model(plan_for(inner, &m)?),
                    (Kind::List(Kind::Model(inner)), true) => Target::Model(plan_for(inner, &m)?),
                    _ => Target::Message,
                },
            },
            FieldKind::String => Target::String,
            FieldKind::Bool => Target::Bool,
            FieldKind::Double => Target::Double,
            _ => Target::Other,
        };
        if list && !matches!(field.kind(), FieldKind::Message(_) | FieldKind::String) {
            return None;
        }
        fields.push(PlanField {
            at,
            number: field.number(),
            list,
            presence: field.supports_presence(),
            target,
        });
    }
    fields.sort_by_key(|f| f.number);
    Some(Plan { spec, fields })
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

/// The fields of the mapping `node` as the message of `plan`, validated on
/// the way: `None` where the model would convert or refuse a value. A nested
/// model checks its own fields.
fn model_message(plan: &Plan, node: Node<'_>, out: &mut Vec<u8>) -> Option<()> {
    let values = field_values(plan.spec, node)?;
    for pf in &plan.fields {
        let f = &plan.spec.fields[pf.at];
        let value = match values[pf.at] {
            None if matches!(f.default, Dflt::Required) => return None,
            None => Field::Default(f.default),
            Some(n) if n.is_null() && !f.nullable => return None,
            Some(n) if n.is_null() || matches!(pf.target, Target::Model(_)) || fits(f.kind, n) => {
                Field::Node(f.kind, n)
            }
            Some(_) => return None,
        };
        put_field(pf, value, out)?;
    }
    Some(())
}

fn put_field(pf: &PlanField, v: Field<'_>, out: &mut Vec<u8>) -> Option<()> {
    if v.is_null() {
        // A singular Value field holds a null; anything else stays unset.
        if matches!(pf.target, Target::Value) && !pf.list {
            return delimited(pf.number, out, |out| {
                null_value(out);
                Some(())
            });
        }
        return Some(());
    }
    if pf.list {
        let is_value = matches!(pf.target, Target::Value);
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
                    single(pf, Field::Node(inner, item), true, out)?;
                }
            }
            Field::Default(Dflt::EmptyList) => {}
            Field::Default(Dflt::StrList(items)) => {
                for s in items {
                    single(pf, Field::Default(Dflt::Str(s)), true, out)?;
                }
            }
            Field::Default(_) => return None,
        }
        return Some(());
    }
    single(pf, v, pf.presence, out)
}

/// One value of a field; `present`: written even when it is the default.
fn single(pf: &PlanField, v: Field<'_>, present: bool, out: &mut Vec<u8>) -> Option<()> {
    let number = pf.number;
    match &pf.target {
        Target::String => {
            string_field(number, v.as_str()?, present, out);
            Some(())
        }
        Target::Bool => {
            bool_field(number, v.as_bool()?, present, out);
            Some(())
        }
        Target::Double => {
            double_field(number, v.as_f64()?, present, out);
            Some(())
        }
        Target::Other => None,
        target => delimited(number, out, |out| message(target, v, out)),
    }
}

fn message(target: &Target, v: Field<'_>, out: &mut Vec<u8>) -> Option<()> {
    match (target, v) {
        (Target::Struct, Field::Node(k, n)) if as_is(k) => node_struct(n, Order::AsWritten, out),
        (Target::Value, Field::Node(k, n)) if as_is(k) => node_value(n, Order::AsWritten, out),
        (Target::ListValue, Field::Node(k, n)) if as_is(k) => {
            for item in n.items()? {
                list_item(out, |out| node_value(item, Order::AsWritten, out))?;
            }
            Some(())
        }
        (Target::Struct | Target::Message, Field::Default(Dflt::EmptyObject))
        | (Target::ListValue, Field::Default(Dflt::EmptyList)) => Some(()),
        (Target::Value, Field::Default(d)) => default_value(d, out),
        (Target::Model(plan), Field::Node(Kind::Model(_), n)) => model_message(plan, n, out),
        (Target::Model(_), Field::Default(Dflt::EmptyObject)) => Some(()),
        _ => None,
    }
}

/// A repeatable pick among `n` (xorshift), for tests that change items at random.
#[cfg(test)]
pub(crate) fn picker(mut seed: u64) -> impl FnMut(usize) -> usize {
    move |n| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
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
        let mut next = picker(0x9e37_79b9_7f4a_7c15);
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
