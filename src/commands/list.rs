//! `spacectl list RESOURCE`: call the resource's `list` method with a query
//! built from the options, and print the rows (optionally reduced to the
//! columns of a template).
//!
//! The column template comes from `-c`, else `-t FILE`, else the user template
//! `~/.spaceone/template/<service>.<Resource>.yml`; it is used only when
//! neither `--all` nor `--minimal` is given.

use std::path::{Path, PathBuf};

use prost_reflect::{DynamicMessage, MessageDescriptor};
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
    call_rows(
        &target,
        "list",
        params,
        &a.call,
        format_of(a.output),
        cols.as_deref(),
        |desc, params| request::query::apply_list_query(desc, params, &opts),
    )
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
        return Ok(Some(TemplateSource::Columns(columns::parse_columns(spec))));
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
/// Missing, unreadable or non-mapping files give `None`.
pub(super) fn read_user_template(path: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(path).ok()?;
    match request::yaml11::load(&text) {
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
/// template columns when `cols` is given.
pub(super) fn call_rows<F>(
    target: &Target,
    verb: &str,
    mut params: Map<String, Value>,
    call: &CallArgs,
    format: Format,
    cols: Option<&[Column]>,
    shape: F,
) -> Result<()>
where
    F: FnOnce(&MessageDescriptor, &mut Map<String, Value>) -> Result<()>,
{
    let env = config::load_current()?;
    let url = env.endpoint(&target.service)?;
    let metadata = env.call_metadata();
    let options = grpc::Options {
        use_cache: !call.no_cache,
        ..grpc::Options::default()
    };
    let resource = resource_name(target);
    grpc::block_on(async {
        let mut session = grpc::Session::open(&url, &options).await?;
        let method = session.method(target, verb, &call.api_version).await?;
        let input = method.input();
        shape(&input, &mut params)?;
        let message = request::message::from_value(&input, &params)?;
        drop(params);
        let print = |response: DynamicMessage| {
            let mut value = to_value(&response);
            drop(response);
            if let Some(cols) = cols {
                columns::apply_to_results(&mut value, cols, &resource)?;
            }
            let text = render(&value, format)?;
            drop(value);
            super::emit(&text)
        };
        tokio::select! {
            done = session.call(&method, message, &metadata, print) => done,
            _ = tokio::signal::ctrl_c() => Err(AppError::plain("Aborted!", 1)),
        }
    })
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
