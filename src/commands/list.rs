//! `spacectl list RESOURCE`: call the resource's `list` method with a query
//! built from the options, and print the rows (optionally reduced to the
//! columns of a template).
//!
//! The column template comes from `-c`, else `-t FILE`, else the user template
//! `~/.spaceone/template/<service>.<Resource>.yml`; it is used only when
//! neither `--all` nor `--minimal` is given.

use std::path::{Path, PathBuf};

use prost_reflect::{
    DynamicMessage, Kind, MessageDescriptor, MethodDescriptor, ReflectMessage, Value as PValue,
};
use serde_json::{Map, Value};

use crate::cli::{CallArgs, ListArgs, ListFormat, ParamArgs};
use crate::config;
use crate::error::{AppError, Result};
use crate::grpc::{self, resolve, resolve::Target};
use crate::output::columns::{self, Column, DEFAULT_PARSER};
use crate::output::message::to_value;
use crate::output::pyrepr::py_truthy;
use crate::output::render::{Format, render};
use crate::request::{self, query::ListQueryOpts};

pub fn run(a: ListArgs) -> Result<()> {
    let target = resolve::parse_resource(&a.resource)?;
    let source = template_source(&target, a.columns.as_deref(), a.template_file.as_deref())?;
    let cols = match source {
        Some(s) if !a.all && !a.minimal => Some(s.columns(&resource_name(&target))?),
        _ => None,
    };
    let params = request::params::build(&ParamArgs {
        parameter: a.parameter,
        json_parameter: a.json_parameter,
        file_parameter: a.file_parameter,
    })?;
    let opts = ListQueryOpts {
        minimal: a.minimal,
        all: a.all,
        only: cols.as_deref().map(columns::only_keys),
        limit: a.limit,
        sort: a.sort.as_deref().map(|s| sort_spec(s, cols.as_deref())),
    };
    if a.watch.is_some() || a.until.is_some() {
        let watch = super::watch::Options {
            every: super::watch::interval(a.watch.unwrap_or(super::watch::DEFAULT_INTERVAL))?,
            until: a
                .until
                .as_deref()
                .map(super::watch::Until::parse)
                .transpose()?,
            format: format_of(a.output),
            fit: (!a.wide).then(terminal_width).flatten(),
        };
        return super::watch::run(
            &target,
            params,
            &a.call,
            cols.as_deref(),
            |desc, params| request::query::apply_list_query(desc, params, &opts),
            watch,
        );
    }
    let format = format_of(a.output);
    let fit = (format == Format::Table && !a.wide)
        .then(terminal_width)
        .flatten();
    call_rows(
        &target,
        "list",
        params,
        &a.call,
        format,
        fit,
        cols.as_deref(),
        |desc, params| request::query::apply_list_query(desc, params, &opts),
    )
}

/// The width of the terminal stdout writes to; None when it is no terminal
/// (piped output is never shortened).
pub(super) fn terminal_width() -> Option<usize> {
    let term = console::Term::stdout();
    if !term.is_term() {
        return None;
    }
    term.size_checked()
        .map(|(_, cols)| usize::from(cols))
        .filter(|c| *c > 0)
}

/// The render format of an `-o` choice.
pub(super) fn format_of(f: ListFormat) -> Format {
    match f {
        ListFormat::Table => Format::Table,
        ListFormat::Json => Format::Json,
        ListFormat::Yaml => Format::Yaml,
        ListFormat::Csv => Format::Csv,
        ListFormat::Quiet => Format::Quiet,
    }
}

/// `<service>.<Resource>`, as error messages and template file names spell it.
pub(super) fn resource_name(target: &Target) -> String {
    format!("{}.{}", target.service, target.resource)
}

/// Where the columns of a `list` come from.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum TemplateSource {
    /// `-c key|Name,...`
    Columns(Vec<Column>),
    /// A template document (`-t FILE` or the user template).
    Document(Value),
}

impl TemplateSource {
    /// The columns; a document is checked as upstream checks it.
    pub(super) fn columns(self, resource: &str) -> Result<Vec<Column>> {
        match self {
            TemplateSource::Columns(c) => Ok(c),
            TemplateSource::Document(doc) => columns::parse_template_file(&doc, resource),
        }
    }
}

/// `-c` wins over `-t`, which wins over the user template. An empty `-c`
/// counts as absent; a `-t` document that is empty or otherwise falsy gives
/// no template (upstream rule); the user template is used only when it is a
/// readable mapping.
pub(super) fn template_source(
    target: &Target,
    columns: Option<&str>,
    template_file: Option<&Path>,
) -> Result<Option<TemplateSource>> {
    if let Some(spec) = columns.filter(|c| !c.is_empty()) {
        return Ok(Some(TemplateSource::Columns(columns::parse_column_option(
            spec,
        )?)));
    }
    if let Some(path) = template_file {
        return Ok(request::params::read_yaml_file(path)?
            .filter(py_truthy)
            .map(TemplateSource::Document));
    }
    let Ok(path) = user_template_path(target) else {
        return Ok(None);
    };
    Ok(read_user_template(&path).map(TemplateSource::Document))
}

/// `~/.spaceone/template/<service>.<Resource>.yml`; names that could leave the
/// directory are refused.
pub(super) fn user_template_path(target: &Target) -> Result<PathBuf> {
    let name = resource_name(target);
    let bad = |s: &str| s.is_empty() || s.contains(['/', '\\', '\0']);
    if bad(&target.service) || bad(&target.resource) {
        return Err(AppError::msg(format!(
            "Resource name cannot be used as a template file name. (resource = {name})"
        )));
    }
    Ok(config::template_dir()?.join(format!("{name}.yml")))
}

/// A user template as upstream reads it: a mapping, with `type: custom` set.
/// Missing, unreadable or non-mapping files give `None` (read like every
/// configuration file: regular files only, without blocking).
pub(super) fn read_user_template(path: &Path) -> Option<Value> {
    let text = config::store::read_config_text(path).ok()??;
    match request::yaml11::load_config(&text) {
        Ok(Some(Value::Object(mut map))) => {
            map.insert("type".into(), Value::String("custom".into()));
            Some(Value::Object(map))
        }
        _ => None,
    }
}

/// A user template as `template show` prints it: `parser` defaults to the
/// built-in parser name.
pub(super) fn with_default_parser(mut doc: Map<String, Value>) -> Map<String, Value> {
    if !doc.contains_key("parser") {
        doc.insert("parser".into(), Value::String(DEFAULT_PARSER.into()));
    }
    doc
}

/// The `-s` value with a column display name replaced by its key
/// (`-s -Name` with `name|Name` → `-name`).
pub(super) fn sort_spec(sort: &str, cols: Option<&[Column]>) -> String {
    let (desc, key) = match sort.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, sort),
    };
    let key = match cols {
        Some(c) => columns::sort_key(c, key),
        None => key.to_string(),
    };
    if desc { format!("-{key}") } else { key }
}

/// Resolve `verb` of `target`, let `shape` complete the parameters against the
/// request descriptor, call, and print every response — reduced to the
/// template columns when `cols` is given, and its table fitted to `fit`
/// columns when given.
#[allow(clippy::too_many_arguments)]
pub(super) fn call_rows<F>(
    target: &Target,
    verb: &str,
    mut params: Map<String, Value>,
    call: &CallArgs,
    format: Format,
    fit: Option<usize>,
    cols: Option<&[Column]>,
    shape: F,
) -> Result<()>
where
    F: FnOnce(&MessageDescriptor, &mut Map<String, Value>) -> Result<()>,
{
    let env = crate::session::load_current()?;
    let url = env.endpoint(&target.service)?;
    let metadata = env.call_metadata();
    let options = super::session_options(call);
    let tls = super::session_tls(&call.tls, &env)?;
    let resource = resource_name(target);
    grpc::block_on(async {
        let mut session = grpc::Session::open_with(&url, &options, &tls).await?;
        let method = session.method(target, verb, &call.api_version).await?;
        let input = method.input();
        shape(&input, &mut params)?;
        let message = request::message::from_value(&input, &params)?;
        drop(params);
        let converter = Converter::for_method(&method);
        let print = |response: DynamicMessage| {
            let mut value = converter.convert(response)?;
            if let Some(cols) = cols {
                columns::apply_to_results(&mut value, cols, &resource)?;
            }
            if let Some(width) = fit {
                crate::output::fit::fit_to_width(&mut value, width);
            }
            let text = render(&value, format)?;
            drop(value);
            super::emit(&text)
        };
        tokio::select! {
            done = session.call(converter.method(), message, &metadata, print) => done,
            _ = tokio::signal::ctrl_c() => Err(AppError::plain("Aborted!", 1)),
        }
    })
}

/// Turns responses into data without holding a large result twice.
///
/// The call is made with a copy of the method whose response type carries its
/// repeated message fields (such as `results`) as undecoded bytes — the wire
/// format of a message and of bytes is the same. Each element is decoded and
/// converted on its own, then dropped, so the decoded messages of a large list
/// never exist all at once next to their data. When no such copy can be made,
/// the decoded list is converted element by element instead.
pub(super) struct Converter {
    method: MethodDescriptor,
    /// Field number → element type of the fields received as bytes.
    lists: Vec<(u32, MessageDescriptor)>,
}

impl Converter {
    pub(super) fn for_method(method: &MethodDescriptor) -> Converter {
        match shadow_method(method) {
            Some((method, lists)) => Converter { method, lists },
            None => Converter {
                method: method.clone(),
                lists: Vec::new(),
            },
        }
    }

    /// The method to call (its response type may be the shadow copy).
    pub(super) fn method(&self) -> &MethodDescriptor {
        &self.method
    }

    /// The data of one response, as [`to_value`] gives it for the original type.
    pub(super) fn convert(&self, mut msg: DynamicMessage) -> Result<Value> {
        let desc = msg.descriptor();
        if desc.full_name().starts_with("google.protobuf.") {
            return Ok(to_value(&msg));
        }
        let mut lists: Vec<(u32, String, Value)> = Vec::new();
        for field in desc.fields().filter(|f| f.is_list()) {
            let element = match field.kind() {
                Kind::Message(_) => None,
                Kind::Bytes => match self.lists.iter().find(|(n, _)| *n == field.number()) {
                    Some((_, elem)) => Some(elem.clone()),
                    None => continue,
                },
                _ => continue,
            };
            let all_match = msg.get_field(&field).as_list().is_some_and(|items| {
                items.iter().all(|v| match element {
                    Some(_) => v.as_bytes().is_some(),
                    None => v.as_message().is_some(),
                })
            });
            if !all_match {
                continue;
            }
            let Some(PValue::List(items)) = msg.take_field(&field) else {
                continue;
            };
            let mut converted = Vec::with_capacity(items.len());
            for item in items {
                match (item, &element) {
                    (PValue::Message(m), None) => converted.push(to_value(&m)),
                    // Straight from the element's bytes (the same data and
                    // decoding errors as a decoded message's).
                    (PValue::Bytes(bytes), Some(elem)) => {
                        let value = crate::output::wire::to_value(elem, &bytes).map_err(|e| {
                            AppError::msg(format!(
                                "Cannot decode a {} of the response. ({e})",
                                elem.full_name()
                            ))
                        })?;
                        converted.push(value);
                    }
                    _ => {}
                }
            }
            lists.push((
                field.number(),
                field.name().to_string(),
                Value::Array(converted),
            ));
        }
        let rest = to_value(&msg);
        drop(msg);
        if lists.is_empty() {
            return Ok(rest);
        }
        let Value::Object(rest) = rest else {
            return Ok(rest);
        };
        let mut entries: Vec<(u32, String, Value)> = rest
            .into_iter()
            .map(|(k, v)| {
                let number = desc.get_field_by_name(&k).map_or(u32::MAX, |f| f.number());
                (number, k, v)
            })
            .collect();
        entries.extend(lists);
        entries.sort_by_key(|(number, _, _)| *number);
        Ok(Value::Object(
            entries.into_iter().map(|(_, k, v)| (k, v)).collect(),
        ))
    }
}

/// A copy of `method` from a copy of its pool in which the response type's
/// repeated message fields are `bytes`, with the element type of each such
/// field. `None` when the response has no such field or the copy fails.
fn shadow_method(
    method: &MethodDescriptor,
) -> Option<(MethodDescriptor, Vec<(u32, MessageDescriptor)>)> {
    let output = method.output();
    if output.full_name().starts_with("google.protobuf.") {
        return None;
    }
    let lists: Vec<(u32, MessageDescriptor)> = output
        .fields()
        .filter(|f| f.is_list())
        .filter_map(|f| match f.kind() {
            Kind::Message(m) => Some((f.number(), m)),
            _ => None,
        })
        .collect();
    if lists.is_empty() {
        return None;
    }
    let mut files = files_needed_by(method);
    let file_name = output.parent_file().name().to_string();
    let package = output.package_name();
    let local = output
        .full_name()
        .strip_prefix(package)
        .map(|n| n.trim_start_matches('.'))
        .unwrap_or(output.full_name());
    let file = files.iter_mut().find(|f| f.name() == file_name)?;
    let mut parts = local.split('.');
    let first = parts.next()?;
    let mut message = file.message_type.iter_mut().find(|m| m.name() == first)?;
    for part in parts {
        message = message.nested_type.iter_mut().find(|m| m.name() == part)?;
    }
    for field in &mut message.field {
        if lists
            .iter()
            .any(|(n, _)| i32::try_from(*n).ok() == field.number)
        {
            field.set_type(prost_types::field_descriptor_proto::Type::Bytes);
            field.type_name = None;
        }
    }
    let pool =
        prost_reflect::DescriptorPool::from_file_descriptor_set(prost_types::FileDescriptorSet {
            file: files,
        })
        .ok()?;
    let copy = pool
        .get_service_by_name(method.parent_service().full_name())?
        .methods()
        .find(|m| m.name() == method.name())?;
    Some((copy, lists))
}

/// The files that define the method's service and response type, with their
/// dependencies: all a copy of the method needs (an endpoint may serve many more).
fn files_needed_by(method: &MethodDescriptor) -> Vec<prost_types::FileDescriptorProto> {
    let mut queue = vec![
        method.parent_service().parent_file(),
        method.output().parent_file(),
    ];
    let mut seen = std::collections::HashSet::new();
    let mut files = Vec::new();
    while let Some(file) = queue.pop() {
        if seen.insert(file.name().to_string()) {
            files.push(file.file_descriptor_proto().clone());
            queue.extend(file.dependencies());
        }
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn target(s: &str, r: &str) -> Target {
        Target {
            service: s.into(),
            resource: r.into(),
        }
    }

    fn cols(spec: &str) -> Vec<Column> {
        columns::parse_columns(spec)
    }

    const CONVERT_PROTO: &str = r#"
syntax = "proto3";
package t.v1;
import "google/protobuf/struct.proto";
service Thing {
  rpc list (Req) returns (Reply);
  rpc nested (Req) returns (Reply.Inner);
  rpc stat (Req) returns (google.protobuf.Struct);
  rpc plain (Req) returns (Req);
}
message Req { string name = 1; }
message Row {
  string name = 1;
  int32 n = 2;
  google.protobuf.Struct data = 3;
  repeated Row children = 4;
}
message Reply {
  message Inner { repeated Row rows = 1; string note = 2; }
  repeated Row results = 1;
  int32 total_count = 2;
  repeated google.protobuf.Struct structs = 3;
  repeated string tags = 4;
  map<string, Row> by_name = 5;
  Inner inner = 6;
}
"#;

    fn convert_pool() -> prost_reflect::DescriptorPool {
        crate::output::wire::tests::proto_pool(CONVERT_PROTO)
    }

    /// Encode `data` as the original response type, receive it as the
    /// converter's type, and compare with `to_value` of the original.
    fn round_trip(verb: &str, data: Value) -> (String, String, bool) {
        use prost::Message;
        let pool = convert_pool();
        let method = pool
            .get_service_by_name("t.v1.Thing")
            .and_then(|s| s.methods().find(|m| m.name() == verb))
            .expect("method");
        let original = DynamicMessage::deserialize(method.output(), data).expect("message");
        let converter = Converter::for_method(&method);
        let shadowed = !converter.lists.is_empty();
        assert_eq!(
            converter.method().parent_service().full_name(),
            "t.v1.Thing"
        );
        assert_eq!(converter.method().name(), verb);
        let wire = original.encode_to_vec();
        let received =
            DynamicMessage::decode(converter.method().output(), wire.as_slice()).expect("decode");
        let got = converter.convert(received).expect("convert");
        let want = to_value(&original);
        (
            serde_json::to_string(&got).unwrap_or_default(),
            serde_json::to_string(&want).unwrap_or_default(),
            shadowed,
        )
    }

    #[test]
    fn converted_responses_equal_to_value() {
        let full = json!({
            "results": [
                {"name": "a", "n": 1, "data": {"z": 1, "a": [true, null]}, "children": [{"name": "c"}]},
                {"name": "b"},
                {}
            ],
            "total_count": 3,
            "structs": [{"k": "v"}, {}],
            "tags": ["x", "y"],
            "by_name": {"a": {"n": 2}},
            "inner": {"rows": [{"name": "in"}], "note": "n"}
        });
        let cases = [
            ("list", full, true),
            ("list", json!({"total_count": 0}), true),
            ("list", json!({}), true),
            (
                "nested",
                json!({"rows": [{"name": "r"}, {"n": 5}], "note": "x"}),
                true,
            ),
            ("stat", json!({"results": [{"a": 1}], "total": 2}), false),
            ("plain", json!({"name": "p"}), false),
        ];
        for (verb, data, shadow) in cases {
            let (got, want, shadowed) = round_trip(verb, data.clone());
            assert_eq!(got, want, "{verb} {data}");
            assert_eq!(shadowed, shadow, "{verb}");
        }
    }

    #[test]
    fn decoded_messages_convert_too() {
        // A message of the original type (no shadow copy) converts the same way.
        let pool = convert_pool();
        let method = pool
            .get_service_by_name("t.v1.Thing")
            .and_then(|s| s.methods().find(|m| m.name() == "list"))
            .expect("method");
        let data = json!({"results": [{"name": "a"}, {"n": 2}], "total_count": 2});
        let msg = DynamicMessage::deserialize(method.output(), data).expect("message");
        let want = to_value(&msg);
        let converter = Converter {
            method: method.clone(),
            lists: Vec::new(),
        };
        assert_eq!(converter.convert(msg).ok(), Some(want));
    }

    #[test]
    fn broken_elements_are_an_error() {
        let pool = convert_pool();
        let method = pool
            .get_service_by_name("t.v1.Thing")
            .and_then(|s| s.methods().find(|m| m.name() == "list"))
            .expect("method");
        let converter = Converter::for_method(&method);
        // results = [b"\xff"]: not a valid Row.
        let wire = [0x0a_u8, 0x01, 0xff];
        let received =
            DynamicMessage::decode(converter.method().output(), &wire[..]).expect("decode");
        assert_eq!(
            converter.convert(received).map_err(|e| e.render()),
            Err("ERROR: Cannot decode a t.v1.Row of the response. (failed to decode Protobuf message: invalid varint)\n\n".to_string())
        );
    }

    #[test]
    fn sort_names_map_to_keys() {
        let c = cols("provider|P,options.int_val|Int,nics.0.ip|IP");
        assert_eq!(sort_spec("P", Some(&c)), "provider");
        assert_eq!(sort_spec("-P", Some(&c)), "-provider");
        assert_eq!(sort_spec("-Int", Some(&c)), "-options.int_val");
        assert_eq!(sort_spec("IP", Some(&c)), "nics");
        assert_eq!(sort_spec("-name", Some(&c)), "-name");
        assert_eq!(sort_spec("-P", None), "-P");
        assert_eq!(sort_spec("--x", None), "--x");
        assert_eq!(sort_spec("-", Some(&c)), "-");
    }

    #[test]
    fn columns_beat_template_file() {
        let t = target("identity", "Provider");
        let got = template_source(&t, Some("name|N,order"), Some(Path::new("/nonexistent")));
        assert_eq!(
            got,
            Ok(Some(TemplateSource::Columns(vec![
                Column {
                    key: "name".into(),
                    name: "N".into()
                },
                Column {
                    key: "order".into(),
                    name: "order".into()
                }
            ])))
        );
    }

    #[test]
    fn template_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let t = target("identity", "Provider");
        let write = |name: &str, text: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).expect("write");
            p
        };
        let good = write("good.yml", "template:\n  list: [provider|ID, name]\n");
        assert_eq!(
            template_source(&t, Some(""), Some(&good)),
            Ok(Some(TemplateSource::Document(
                json!({"template": {"list": ["provider|ID", "name"]}})
            )))
        );
        // Empty and falsy documents mean "no template".
        let empty = write("empty.yml", "");
        assert_eq!(template_source(&t, None, Some(&empty)), Ok(None));
        let falsy = write("falsy.yml", "{}\n");
        assert_eq!(template_source(&t, None, Some(&falsy)), Ok(None));
        let bad = write("bad.yml", "template: [\n");
        let err = template_source(&t, None, Some(&bad)).expect_err("bad yaml");
        assert!(
            err.render()
                .starts_with(&format!("ERROR: YAML Load Error: {}", bad.display())),
            "{}",
            err.render()
        );
    }

    #[test]
    fn document_columns_are_checked() {
        let doc = TemplateSource::Document(json!({"list": ["a"]}));
        assert_eq!(
            doc.columns("identity.Provider").map_err(|e| e.render()),
            Err("ERROR: 'template' is undefined in identity.Provider template.\n\n".into())
        );
        let doc =
            TemplateSource::Document(json!({"template": {"list": ["a|A"]}, "type": "custom"}));
        assert_eq!(
            doc.columns("s.R"),
            Ok(vec![Column {
                key: "a".into(),
                name: "A".into()
            }])
        );
    }

    #[test]
    fn user_templates_must_be_mappings() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("t.yml");
        assert_eq!(read_user_template(&p), None);
        std::fs::write(&p, "- a\n").expect("write");
        assert_eq!(read_user_template(&p), None);
        std::fs::write(&p, "").expect("write");
        assert_eq!(read_user_template(&p), None);
        std::fs::write(&p, "template: [\n").expect("write");
        assert_eq!(read_user_template(&p), None);
        std::fs::write(&p, "template:\n  list: [name]\ntype: other\n").expect("write");
        assert_eq!(
            read_user_template(&p),
            Some(json!({"template": {"list": ["name"]}, "type": "custom"}))
        );
    }

    #[test]
    fn template_paths_stay_in_the_directory() {
        for (s, r) in [("a/b", "R"), ("s", "x/y"), ("", "R"), ("s", "")] {
            assert!(user_template_path(&target(s, r)).is_err(), "{s}.{r}");
        }
    }

    #[test]
    fn default_parser_is_added_only_when_missing() {
        let obj = |v: Value| match v {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let m = obj(json!({"template": {}, "type": "custom"}));
        assert_eq!(
            Value::Object(with_default_parser(m)),
            json!({"template": {}, "type": "custom", "parser": DEFAULT_PARSER})
        );
        let m = obj(json!({"parser": "x.Y"}));
        assert_eq!(
            Value::Object(with_default_parser(m)),
            json!({"parser": "x.Y"})
        );
    }
}
