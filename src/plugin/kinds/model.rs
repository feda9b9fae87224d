//! The model rules of upstream's plugin framework (pydantic v1 models), shared
//! by every kind: unknown keys are dropped, optional fields are filled with
//! their defaults (or `null`), numbers are coerced to text where text is
//! expected and text to numbers where numbers are expected; a failed
//! validation of an answer is reported with pydantic's exact message as an
//! INTERNAL `ERROR_UNKNOWN`, a failed validation of a request the way
//! upstream's `convert_model` maps it.
//!
//! A kind describes its models as static [`ModelSpec`]s. Everything here is
//! pure: no I/O, no async.

use serde_json::{Map, Number, Value};

use crate::output::pyrepr::{number_str, parse_py_float, py_repr, py_str, py_type_name, repr_str};

use crate::plugin::host::error::{PluginError, StatusKind};

// ---------------------------------------------------------------------------
// Python text forms
// ---------------------------------------------------------------------------

/// Python `dict(v)` for a non-dict value: a list of two-element items (pairs,
/// two-character strings, two-key mappings) becomes a mapping. Only text keys
/// are accepted (a mapping with other keys cannot travel as a Struct anyway).
/// [`py_dict_coerce`] for reading: a mapping is lent as it is, anything else
/// converted.
fn borrowed_or_coerced(v: &Value) -> Option<std::borrow::Cow<'_, Map<String, Value>>> {
    match v {
        Value::Object(m) => Some(std::borrow::Cow::Borrowed(m)),
        other => py_dict_coerce(other).map(std::borrow::Cow::Owned),
    }
}

pub(crate) fn py_dict_coerce(v: &Value) -> Option<Map<String, Value>> {
    match v {
        Value::Object(m) => Some(m.clone()),
        Value::Array(items) => {
            let mut out = Map::new();
            for item in items {
                let (k, val) = match item {
                    Value::Array(pair) if pair.len() == 2 => (pair[0].clone(), pair[1].clone()),
                    Value::String(s) if s.chars().count() == 2 => {
                        let mut cs = s.chars();
                        let a = cs.next()?;
                        let b = cs.next()?;
                        (Value::String(a.to_string()), Value::String(b.to_string()))
                    }
                    Value::Object(m) if m.len() == 2 => {
                        let mut ks = m.keys();
                        let a = ks.next()?.clone();
                        let b = ks.next()?.clone();
                        (Value::String(a), Value::String(b))
                    }
                    _ => return None,
                };
                match k {
                    Value::String(key) => {
                        out.insert(key, val);
                    }
                    _ => return None,
                }
            }
            Some(out)
        }
        _ => None,
    }
}

/// Every number as a double, the way values travel inside a protobuf Struct.
pub(crate) fn floatify(mut v: Value) -> Value {
    floatify_in_place(&mut v);
    v
}

/// [`floatify`], changing the numbers where they are.
fn floatify_in_place(v: &mut Value) {
    match v {
        Value::Number(n) => {
            if n.is_f64() {
                return;
            }
            let f = if let Some(u) = n.as_u64() {
                u as f64
            } else {
                n.as_i64().map(|i| i as f64).unwrap_or(0.0)
            };
            *v = Number::from_f64(f)
                .map(Value::Number)
                .unwrap_or(Value::Null);
        }
        Value::Array(items) => items.iter_mut().for_each(floatify_in_place),
        Value::Object(map) => map.values_mut().for_each(floatify_in_place),
        _ => {}
    }
}

// ---------------------------------------------------------------------------
// Validation (pydantic v1 rules for the models used by the framework)
// ---------------------------------------------------------------------------

/// One validation failure, as pydantic reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ValError {
    /// Location inside the validated value (field names and list indices).
    pub loc: Vec<String>,
    /// pydantic's message, e.g. `field required`.
    pub msg: String,
    /// pydantic's error type, e.g. `value_error.missing`.
    pub ty: String,
    /// pydantic's context entries, rendered as `; key=value`.
    pub ctx: Vec<(String, String)>,
    /// A short explanation of what would have been accepted.
    pub expected: String,
}

/// Longest excerpt of a value quoted in an explanation.
const GOT_CHARS: usize = 60;

/// A value as quoted in an explanation (`got …`): Python's repr, cut after
/// [`GOT_CHARS`] characters.
fn got(v: &Value) -> String {
    let text = py_repr(v);
    match text.char_indices().nth(GOT_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

impl ValError {
    fn new(loc: &[String], msg: &str, ty: &str, expected: impl Into<String>) -> Self {
        ValError {
            loc: loc.to_vec(),
            msg: msg.to_string(),
            ty: ty.to_string(),
            ctx: Vec::new(),
            expected: expected.into(),
        }
    }
}

/// pydantic's `str(ValidationError)`:
/// `N validation error(s) for Model` followed by `loc\n  msg (type=...)` blocks.
pub(crate) fn render_validation_error(model: &str, errors: &[ValError]) -> String {
    let n = errors.len();
    let mut out = format!(
        "{n} validation error{} for {model}",
        if n == 1 { "" } else { "s" }
    );
    for e in errors {
        out.push('\n');
        out.push_str(&e.loc.join(" -> "));
        out.push_str("\n  ");
        out.push_str(&e.msg);
        out.push_str(" (type=");
        out.push_str(&e.ty);
        for (k, v) in &e.ctx {
            out.push_str("; ");
            out.push_str(k);
            out.push('=');
            out.push_str(v);
        }
        out.push(')');
    }
    out
}

/// An enumeration (a `str` Enum class): class name and `(member, value)` pairs.
pub(crate) struct EnumSpec {
    pub class: &'static str,
    pub members: &'static [(&'static str, &'static str)],
}

/// A model: its class name and fields in declaration order.
pub(crate) struct ModelSpec {
    pub name: &'static str,
    pub fields: &'static [FieldSpec],
}

/// How a value of a field is validated.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    Str,
    Bool,
    Float,
    Dict,
    List(&'static Kind),
    /// `Literal[...]` of strings.
    Lit(&'static [&'static str]),
    /// The console's colour names (`black`, `white`, `<hue>`, `<hue>.100`…`.900`).
    Colour,
    Enum(&'static EnumSpec),
    Model(&'static ModelSpec),
    /// A `TypedDict(total=False)`: only the given keys are kept.
    TypedDict(&'static ModelSpec),
    /// Any value, kept as it is (a bare `list` item, `Any`).
    Any,
    /// `datetime`: ISO 8601 text or a Unix time; the text is kept as given.
    Datetime,
    /// `Dict[str, T]`: a mapping whose values are validated as `T`.
    DictOf(&'static Kind),
}

/// A field default.
#[derive(Clone, Copy)]
pub(crate) enum Dflt {
    Required,
    Null,
    Str(&'static str),
    Bool(bool),
    Int(i64),
    EmptyObject,
    EmptyList,
    StrList(&'static [&'static str]),
}

impl Dflt {
    fn value(self) -> Option<Value> {
        match self {
            Dflt::Required => None,
            Dflt::Null => Some(Value::Null),
            Dflt::Str(s) => Some(Value::String(s.to_string())),
            Dflt::Bool(b) => Some(Value::Bool(b)),
            Dflt::Int(i) => Some(Value::from(i)),
            Dflt::EmptyObject => Some(Value::Object(Map::new())),
            Dflt::EmptyList => Some(Value::Array(Vec::new())),
            Dflt::StrList(items) => Some(Value::Array(
                items.iter().map(|s| Value::String(s.to_string())).collect(),
            )),
        }
    }
}

/// One model field.
pub(crate) struct FieldSpec {
    pub name: &'static str,
    pub kind: Kind,
    pub default: Dflt,
    /// Whether an explicit `null` is accepted (`Optional[...]` or a `None` default).
    pub nullable: bool,
}

/// A required field.
pub(crate) const fn req(name: &'static str, kind: Kind) -> FieldSpec {
    FieldSpec {
        name,
        kind,
        default: Dflt::Required,
        nullable: false,
    }
}

/// A field defaulting to `None` (and therefore accepting `null`).
pub(crate) const fn opt(name: &'static str, kind: Kind) -> FieldSpec {
    FieldSpec {
        name,
        kind,
        default: Dflt::Null,
        nullable: true,
    }
}

/// A field with a non-`None` default; `nullable` tells whether `null` is accepted.
pub(crate) const fn dflt(
    name: &'static str,
    kind: Kind,
    default: Dflt,
    nullable: bool,
) -> FieldSpec {
    FieldSpec {
        name,
        kind,
        default,
        nullable,
    }
}

const BOOL_TRUE: [&str; 6] = ["1", "on", "t", "true", "y", "yes"];
const BOOL_FALSE: [&str; 6] = ["0", "off", "f", "false", "n", "no"];
const COLOUR_HUES: [&str; 9] = [
    "gray", "red", "coral", "yellow", "green", "blue", "violet", "peacock", "indigo",
];

/// Whether `s` is one of the console's colour names.
pub(crate) fn is_colour(s: &str) -> bool {
    if s == "black" || s == "white" {
        return true;
    }
    let (hue, shade) = match s.split_once('.') {
        Some((h, sh)) => (h, Some(sh)),
        None => (s, None),
    };
    COLOUR_HUES.contains(&hue)
        && match shade {
            None => true,
            Some(sh) => {
                sh.len() == 3 && sh.ends_with("00") && matches!(sh.as_bytes()[0], b'1'..=b'9')
            }
        }
}

/// Python `float(text)`, finite results only (a Struct cannot carry others).
fn parse_finite_float(text: &str) -> Option<f64> {
    parse_py_float(text).filter(|f| f.is_finite())
}

/// Whether `s` has the form pydantic v1 parses as a datetime:
/// `YYYY-MM-DD[T ]HH:MM[:SS[.ffffff]][Z|±HH[[:]MM]]`, with values in range.
fn is_iso_datetime(s: &str) -> bool {
    fn digits(s: &str, min: usize, max: usize) -> Option<(u32, &str)> {
        let n = s.bytes().take_while(u8::is_ascii_digit).count().min(max);
        if n < min {
            return None;
        }
        Some((s[..n].parse().ok()?, &s[n..]))
    }
    let parse = || -> Option<()> {
        let (year, r) = digits(s, 4, 4)?;
        let (month, r) = digits(r.strip_prefix('-')?, 1, 2)?;
        let (day, r) = digits(r.strip_prefix('-')?, 1, 2)?;
        let r = r.strip_prefix('T').or_else(|| r.strip_prefix(' '))?;
        let (hour, r) = digits(r, 1, 2)?;
        let (minute, mut r) = digits(r.strip_prefix(':')?, 1, 2)?;
        let mut second = 0;
        if let Some(rest) = r.strip_prefix(':') {
            let (sec, rest) = digits(rest, 1, 2)?;
            second = sec;
            r = rest;
            if let Some(rest) = r.strip_prefix('.') {
                let n = rest.bytes().take_while(u8::is_ascii_digit).count();
                if n == 0 || n > 12 {
                    return None;
                }
                r = &rest[n..];
            }
        }
        match r {
            "" | "Z" => {}
            tz => {
                let tz = tz.strip_prefix('+').or_else(|| tz.strip_prefix('-'))?;
                let (_, rest) = digits(tz, 2, 2)?;
                let rest = rest.strip_prefix(':').unwrap_or(rest);
                if !rest.is_empty()
                    && (rest.len() != 2 || !rest.bytes().all(|b| b.is_ascii_digit()))
                {
                    return None;
                }
            }
        }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (year >= 1 && (1..=days).contains(&day) && hour < 24 && minute < 60 && second < 60)
            .then_some(())
    };
    parse().is_some()
}

fn validate_value(
    kind: Kind,
    v: &Value,
    loc: &mut Vec<String>,
    exclude_none: bool,
    errs: &mut Vec<ValError>,
) -> Option<Value> {
    match kind {
        Kind::Str => match v {
            Value::String(_) => Some(v.clone()),
            Value::Number(n) => Some(Value::String(number_str(n))),
            Value::Bool(_) => Some(Value::String(py_str(v))),
            _ => {
                errs.push(ValError::new(
                    loc,
                    "str type expected",
                    "type_error.str",
                    "expected a string",
                ));
                None
            }
        },
        Kind::Bool => {
            let parsed = match v {
                Value::Bool(b) => Some(*b),
                Value::Number(n) => n.as_f64().and_then(|f| {
                    if f == 1.0 {
                        Some(true)
                    } else if f == 0.0 {
                        Some(false)
                    } else {
                        None
                    }
                }),
                Value::String(s) => {
                    let l = s.to_lowercase();
                    if BOOL_TRUE.contains(&l.as_str()) {
                        Some(true)
                    } else if BOOL_FALSE.contains(&l.as_str()) {
                        Some(false)
                    } else {
                        None
                    }
                }
                _ => None,
            };
            match parsed {
                Some(b) => Some(Value::Bool(b)),
                None => {
                    errs.push(ValError::new(
                        loc,
                        "value could not be parsed to a boolean",
                        "type_error.bool",
                        "expected a boolean (true or false)",
                    ));
                    None
                }
            }
        }
        Kind::Float => {
            let parsed = match v {
                Value::Number(n) => n.as_f64().filter(|f| f.is_finite()),
                Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
                Value::String(s) => parse_finite_float(s),
                _ => None,
            };
            match parsed.and_then(Number::from_f64) {
                Some(n) => Some(Value::Number(n)),
                None => {
                    errs.push(ValError::new(
                        loc,
                        "value is not a valid float",
                        "type_error.float",
                        "expected a number",
                    ));
                    None
                }
            }
        }
        Kind::Dict => match py_dict_coerce(v) {
            Some(m) => Some(Value::Object(m)),
            None => {
                errs.push(ValError::new(
                    loc,
                    "value is not a valid dict",
                    "type_error.dict",
                    "expected a mapping",
                ));
                None
            }
        },
        Kind::List(inner) => match v {
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                let before = errs.len();
                for (i, item) in items.iter().enumerate() {
                    loc.push(i.to_string());
                    let r = if item.is_null() {
                        errs.push(ValError::new(
                            loc,
                            "none is not an allowed value",
                            "type_error.none.not_allowed",
                            "must not be null",
                        ));
                        None
                    } else {
                        validate_value(*inner, item, loc, exclude_none, errs)
                    };
                    loc.pop();
                    if let Some(r) = r {
                        out.push(r);
                    }
                }
                (errs.len() == before).then_some(Value::Array(out))
            }
            _ => {
                errs.push(ValError::new(
                    loc,
                    "value is not a valid list",
                    "type_error.list",
                    "expected a list",
                ));
                None
            }
        },
        Kind::Lit(choices) => match v {
            Value::String(s) if choices.contains(&s.as_str()) => Some(v.clone()),
            _ => {
                let quoted: Vec<String> = choices.iter().map(|c| repr_str(c)).collect();
                let mut e = ValError::new(
                    loc,
                    &format!("unexpected value; permitted: {}", quoted.join(", ")),
                    "value_error.const",
                    format!("expected one of {} (got {})", choices.join(", "), got(v)),
                );
                let tuple = if quoted.len() == 1 {
                    format!("({},)", quoted[0])
                } else {
                    format!("({})", quoted.join(", "))
                };
                e.ctx = vec![
                    ("given".to_string(), py_str(v)),
                    ("permitted".to_string(), tuple),
                ];
                errs.push(e);
                None
            }
        },
        Kind::Colour => match v {
            Value::String(s) if is_colour(s) => Some(v.clone()),
            _ => {
                errs.push(ValError::new(
                    loc,
                    "unexpected value; permitted: a colour name",
                    "value_error.const",
                    format!(
                        "expected a colour: black, white, or one of {} optionally followed by .100 … .900 (got {})",
                        COLOUR_HUES.join(", "),
                        got(v)
                    ),
                ));
                None
            }
        },
        Kind::Enum(spec) => match v {
            Value::String(s) if spec.members.iter().any(|(_, val)| val == s) => Some(v.clone()),
            _ => {
                let values: Vec<String> =
                    spec.members.iter().map(|(_, val)| repr_str(val)).collect();
                let members: Vec<String> = spec
                    .members
                    .iter()
                    .map(|(m, val)| format!("<{}.{}: {}>", spec.class, m, repr_str(val)))
                    .collect();
                let mut e = ValError::new(
                    loc,
                    &format!(
                        "value is not a valid enumeration member; permitted: {}",
                        values.join(", ")
                    ),
                    "type_error.enum",
                    format!("expected one of {} (got {})", values.join(", "), got(v)),
                );
                e.ctx = vec![(
                    "enum_values".to_string(),
                    format!("[{}]", members.join(", ")),
                )];
                errs.push(e);
                None
            }
        },
        // A mapping is validated where it is (no copy of it first).
        Kind::Model(spec) => match borrowed_or_coerced(v) {
            Some(m) => validate_model(spec, &m, loc, exclude_none, errs).map(Value::Object),
            None => {
                errs.push(ValError::new(
                    loc,
                    "value is not a valid dict",
                    "type_error.dict",
                    "expected a mapping",
                ));
                None
            }
        },
        Kind::Any => Some(v.clone()),
        Kind::Datetime => {
            let ok = match v {
                Value::Number(n) => n.as_f64().is_some_and(f64::is_finite),
                Value::String(s) => parse_finite_float(s).is_some() || is_iso_datetime(s),
                _ => false,
            };
            if ok {
                Some(v.clone())
            } else {
                errs.push(ValError::new(
                    loc,
                    "invalid datetime format",
                    "value_error.datetime",
                    "expected a date and time such as 2024-05-01T00:00:00Z",
                ));
                None
            }
        }
        Kind::DictOf(inner) => match borrowed_or_coerced(v) {
            Some(m) => {
                let before = errs.len();
                let mut out = Map::new();
                for (k, item) in m.iter() {
                    loc.push(k.clone());
                    if let Some(r) = validate_value(*inner, item, loc, exclude_none, errs) {
                        out.insert(k.clone(), r);
                    }
                    loc.pop();
                }
                (errs.len() == before).then_some(Value::Object(out))
            }
            None => {
                errs.push(ValError::new(
                    loc,
                    "value is not a valid dict",
                    "type_error.dict",
                    "expected a mapping",
                ));
                None
            }
        },
        Kind::TypedDict(spec) => match borrowed_or_coerced(v) {
            Some(m) => {
                let mut out = Map::new();
                let before = errs.len();
                for f in spec.fields {
                    let Some(val) = m.get(f.name) else { continue };
                    if val.is_null() {
                        out.insert(f.name.to_string(), Value::Null);
                        continue;
                    }
                    loc.push(f.name.to_string());
                    if let Some(r) = validate_value(f.kind, val, loc, exclude_none, errs) {
                        out.insert(f.name.to_string(), r);
                    }
                    loc.pop();
                }
                (errs.len() == before).then_some(Value::Object(out))
            }
            None => {
                let mut l = loc.clone();
                l.push("__root__".to_string());
                errs.push(ValError::new(
                    &l,
                    &format!("{} expected dict not {}", spec.name, py_type_name(v)),
                    "type_error",
                    "expected a mapping",
                ));
                None
            }
        },
    }
}

/// Validate a mapping against a model: fields in declaration order, defaults
/// for missing ones, unknown keys dropped. With `exclude_none`, fields whose
/// value is `None` are left out (pydantic's `.dict(exclude_none=True)`).
/// Returns `None` when any error was recorded.
pub(crate) fn validate_model(
    spec: &ModelSpec,
    m: &Map<String, Value>,
    loc: &mut Vec<String>,
    exclude_none: bool,
    errs: &mut Vec<ValError>,
) -> Option<Map<String, Value>> {
    validate_fields(
        spec,
        loc,
        exclude_none,
        errs,
        |name| m.get(name),
        |kind, v, loc, errs| validate_value(kind, v, loc, exclude_none, errs),
    )
}

/// The field loop of [`validate_model`] and [`validate_model_owned`]: `take`
/// gives a field's value (borrowed or moved out), `check` validates it.
fn validate_fields<V: std::borrow::Borrow<Value>>(
    spec: &ModelSpec,
    loc: &mut Vec<String>,
    exclude_none: bool,
    errs: &mut Vec<ValError>,
    mut take: impl FnMut(&str) -> Option<V>,
    mut check: impl FnMut(Kind, V, &mut Vec<String>, &mut Vec<ValError>) -> Option<Value>,
) -> Option<Map<String, Value>> {
    let before = errs.len();
    let mut out = Map::with_capacity(spec.fields.len());
    for f in spec.fields {
        loc.push(f.name.to_string());
        let value = match take(f.name) {
            None => match f.default.value() {
                Some(d) => Some(d),
                None => {
                    errs.push(ValError::new(
                        loc,
                        "field required",
                        "value_error.missing",
                        "is required",
                    ));
                    None
                }
            },
            Some(v) if v.borrow().is_null() => {
                if f.nullable {
                    Some(Value::Null)
                } else {
                    errs.push(ValError::new(
                        loc,
                        "none is not an allowed value",
                        "type_error.none.not_allowed",
                        "must not be null",
                    ));
                    None
                }
            }
            Some(v) => check(f.kind, v, loc, errs),
        };
        loc.pop();
        if let Some(value) = value
            && !(exclude_none && value.is_null())
        {
            out.insert(f.name.to_string(), value);
        }
    }
    (errs.len() == before).then_some(out)
}

/// [`validate_value`] of a value the caller gives away: what validates as it
/// is (a string, a mapping, any value, a nested model's fields) is moved into
/// the result instead of copied. Same results and errors.
fn validate_value_owned(
    kind: Kind,
    v: Value,
    loc: &mut Vec<String>,
    exclude_none: bool,
    errs: &mut Vec<ValError>,
) -> Option<Value> {
    match (kind, v) {
        (Kind::Str, v @ Value::String(_)) | (Kind::Dict, v @ Value::Object(_)) | (Kind::Any, v) => {
            Some(v)
        }
        (Kind::Model(spec), Value::Object(m)) => {
            validate_model_owned(spec, m, loc, exclude_none, errs).map(Value::Object)
        }
        (Kind::List(inner), Value::Array(items)) if !items.iter().any(Value::is_null) => {
            let mut out = Vec::with_capacity(items.len());
            let before = errs.len();
            for (i, item) in items.into_iter().enumerate() {
                loc.push(i.to_string());
                let r = validate_value_owned(*inner, item, loc, exclude_none, errs);
                loc.pop();
                if let Some(r) = r {
                    out.push(r);
                }
            }
            (errs.len() == before).then_some(Value::Array(out))
        }
        (kind, v) => validate_value(kind, &v, loc, exclude_none, errs),
    }
}

/// [`validate_model`] of a mapping the caller gives away (see
/// [`validate_value_owned`]).
fn validate_model_owned(
    spec: &ModelSpec,
    mut m: Map<String, Value>,
    loc: &mut Vec<String>,
    exclude_none: bool,
    errs: &mut Vec<ValError>,
) -> Option<Map<String, Value>> {
    validate_fields(
        spec,
        loc,
        exclude_none,
        errs,
        |name| m.swap_remove(name),
        |kind, v, loc, errs| validate_value_owned(kind, v, loc, exclude_none, errs),
    )
}

/// [`construct`] of a value the caller gives away: its parts are moved into
/// the result instead of copied.
pub(crate) fn construct_owned(
    spec: &ModelSpec,
    qualified: &str,
    v: Value,
) -> Result<Map<String, Value>, PluginError> {
    let Value::Object(m) = v else {
        return construct(spec, qualified, &v);
    };
    let mut errs = Vec::new();
    let valid = validate_model_owned(spec, m, &mut Vec::new(), false, &mut errs);
    constructed(spec, valid, &errs)
}

/// Validate a route's return value the way `Model(**value)` does: a
/// non-mapping fails with Python's `TypeError` text, validation failures with
/// pydantic's message; both as INTERNAL `ERROR_UNKNOWN`.
pub(crate) fn construct(
    spec: &ModelSpec,
    qualified: &str,
    v: &Value,
) -> Result<Map<String, Value>, PluginError> {
    let Value::Object(m) = v else {
        return Err(PluginError::unknown(format!(
            "{qualified}() argument after ** must be a mapping, not {}",
            py_type_name(v)
        )));
    };
    let mut errs = Vec::new();
    let valid = validate_model(spec, m, &mut Vec::new(), false, &mut errs);
    constructed(spec, valid, &errs)
}

/// The model a validation built, or pydantic's message for its errors.
fn constructed(
    spec: &ModelSpec,
    valid: Option<Map<String, Value>>,
    errs: &[ValError],
) -> Result<Map<String, Value>, PluginError> {
    match valid {
        Some(out) if errs.is_empty() => Ok(out),
        _ => Err(PluginError::unknown(render_validation_error(
            spec.name, errs,
        ))),
    }
}

/// The request dict validated by the route's model, as the plugin receives it
/// (`model.dict()`: every field present, `null` for unset optionals, unknown
/// keys dropped). The first validation error is reported the way upstream's
/// `convert_model` maps it.
pub(crate) fn validate_request(spec: &ModelSpec, request: &Value) -> Result<Value, PluginError> {
    let empty = Map::new();
    let m = match request {
        Value::Object(m) => m,
        Value::Null => &empty,
        other => {
            return Err(PluginError::unknown(format!(
                "request must be a mapping, not {}",
                py_type_name(other)
            )));
        }
    };
    let mut errs = Vec::new();
    match validate_model(spec, m, &mut Vec::new(), false, &mut errs) {
        Some(out) if errs.is_empty() => Ok(Value::Object(out)),
        _ => Err(request_error(&errs)),
    }
}

/// Upstream's mapping of the first pydantic error onto its error family:
/// missing → ERROR_REQUIRED_PARAMETER, `type_error.<t>` →
/// ERROR_INVALID_PARAMETER_TYPE, anything else → ERROR_INVALID_PARAMETER, all
/// INVALID_ARGUMENT with the location joined by `, `.
pub(crate) fn request_error(errs: &[ValError]) -> PluginError {
    let Some(e) = errs.first() else {
        return PluginError::unknown("request validation failed");
    };
    // Upstream quirk: it joins the location with `", ".join(loc)`, which fails
    // on a list index (an int) — the caller gets that TypeError instead.
    if let Some(i) = e.loc.iter().position(|p| is_list_index(p)) {
        return PluginError::unknown(format!(
            "sequence item {i}: expected str instance, int found"
        ));
    }
    let key = e.loc.join(", ");
    if e.ty == "value_error.missing" {
        PluginError::required_parameter(&key)
    } else if let Some(rest) = e.ty.strip_prefix("type_error") {
        let ty = rest.trim_start_matches('.').split('.').next().unwrap_or("");
        PluginError::new(
            StatusKind::InvalidArgument,
            "ERROR_INVALID_PARAMETER_TYPE",
            format!("Parameter type is invalid. (key = {key}, type = {ty})"),
        )
    } else {
        PluginError::new(
            StatusKind::InvalidArgument,
            "ERROR_INVALID_PARAMETER",
            format!("Parameter is invalid. (key = {key}, reason = {})", e.msg),
        )
    }
}

/// Model locations hold list indices as decimal text; field names never are.
fn is_list_index(part: &str) -> bool {
    !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit())
}

// ---------------------------------------------------------------------------
// Shared rules of upstream's framework
// ---------------------------------------------------------------------------

/// `Model(**answer).dict()` for a route's answer: a non-mapping fails with
/// Python's TypeError text (naming `qualified`, the model's module path), a
/// validation failure with pydantic's message; both INTERNAL `ERROR_UNKNOWN`.
pub(crate) fn construct_response(
    spec: &ModelSpec,
    qualified: &str,
    answer: &Value,
) -> Result<Value, PluginError> {
    construct(spec, qualified, answer).map(Value::Object)
}

/// A pydantic failure of a model built inside a route (rendered as upstream
/// prints it), INTERNAL `ERROR_UNKNOWN`.
#[allow(dead_code)]
pub(crate) fn model_error(model: &str, errs: &[ValError]) -> PluginError {
    PluginError::unknown(render_validation_error(model, errs))
}

/// Renames a top-level key in place (pydantic's field aliases: the request's
/// `schema` reaches the plugin as `schema_name`), keeping the key order.
pub(crate) fn rename_key(v: Value, from: &str, to: &str) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, val)| {
                    if k == from {
                        (to.to_string(), val)
                    } else {
                        (k, val)
                    }
                })
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // --- Python text forms -------------------------------------------------

    #[test]
    fn type_names() {
        assert_eq!(py_type_name(&json!(null)), "NoneType");
        assert_eq!(py_type_name(&json!(1)), "int");
        assert_eq!(py_type_name(&json!(1.0)), "float");
        assert_eq!(py_type_name(&json!([])), "list");
    }

    #[test]
    fn dict_coercion_follows_python_dict() {
        assert_eq!(py_dict_coerce(&json!([])), Some(Map::new()));
        assert_eq!(
            py_dict_coerce(&json!([["a", 1], "bc", {"k": 1, "v": 2}])),
            json!({"a": 1, "b": "c", "k": "v"}).as_object().cloned()
        );
        assert_eq!(py_dict_coerce(&json!("ab")), None);
        assert_eq!(py_dict_coerce(&json!([["a"]])), None);
        assert_eq!(py_dict_coerce(&json!([[1, 2]])), None);
    }

    #[test]
    fn colours() {
        for c in [
            "black",
            "white",
            "gray",
            "red.100",
            "indigo.900",
            "peacock.500",
        ] {
            assert!(is_colour(c), "{c}");
        }
        for c in [
            "pink",
            "black.100",
            "red.1000",
            "red.050",
            "red.",
            "Red",
            "",
        ] {
            assert!(!is_colour(c), "{c}");
        }
    }

    #[test]
    fn python_float_parsing() {
        assert_eq!(parse_finite_float(" 3 "), Some(3.0));
        assert_eq!(parse_finite_float("1_000.5"), Some(1000.5));
        assert_eq!(parse_finite_float("1e3"), Some(1000.0));
        assert_eq!(parse_finite_float("1__0"), None);
        assert_eq!(parse_finite_float("inf"), None);
        assert_eq!(parse_finite_float("abc"), None);
    }

    // --- requests ------------------------------------------------------------
}
