//! `serde_json::Value` ↔ `google.protobuf.Struct` / `Value`, with the rules a
//! SpaceONE plugin server applies: every number travels as a double, so a number
//! read from a request is always a float (`1` arrives as `1.0`).

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

    #[test]
    fn python_type_names() {
        assert_eq!(py_type_name(&json!(1)), "int");
        assert_eq!(py_type_name(&json!(1.0)), "float");
        assert_eq!(py_type_name(&json!([])), "list");
        assert_eq!(py_type_name(&json!({})), "dict");
        assert_eq!(py_type_name(&json!(null)), "NoneType");
    }
}
