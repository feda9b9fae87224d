//! The model rules of [`super::model`] for a value read from a handler's line
//! (a tape [`Node`]) that validates as it is: every field present holds the
//! type its model names, nothing to convert and no error to word. For such a
//! value the validated dict is the value itself with the missing fields'
//! defaults, so it is written straight to protobuf as a Struct (the way
//! `convert::into_proto_value` and prost write it: keys in order, numbers as
//! doubles). Whatever does not fit answers `false` and goes the value way.

use crate::plugin::host::encode::{
    bool_value, list_item, list_value, node_value, null_value, number_value, struct_entry,
    struct_value, text_value,
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
        _ => node_value(node, out),
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
