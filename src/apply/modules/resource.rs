//! `@modules/resource`: make a SpaceONE resource exist with the given data.
//!
//! Modes:
//! `matches` lists the `data` fields that find the existing resource; an entry
//! may also be a mapping of read parameters that are not part of `data` (for
//! example `{repository_id: ...}` for schemas, which are listed per repository).
//!
//! * `DEFAULT`: read by the `matches` fields; create when absent; when present,
//!   update only if a field of `data` differs from the stored resource.
//! * `NO_UPDATE`: read; create when absent.
//! * `READ_ONLY`: read only.
//! * `EXEC`: call `verb.exec` with `data` (optionally page through results).

use serde_json::{Map, Value};

use super::{Ctx, Outcome, require};
use crate::apply::text::compact;
use crate::output::columns::{Column, extract_row, only_keys, parse_rule, parse_template_file};

/// What the task does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Default,
    ReadOnly,
    NoUpdate,
    Exec,
}

impl Mode {
    fn parse(s: &str) -> Option<Mode> {
        match s {
            "DEFAULT" => Some(Mode::Default),
            "READ_ONLY" => Some(Mode::ReadOnly),
            "NO_UPDATE" => Some(Mode::NoUpdate),
            "EXEC" => Some(Mode::Exec),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Mode::Default => "DEFAULT",
            Mode::ReadOnly => "READ_ONLY",
            Mode::NoUpdate => "NO_UPDATE",
            Mode::Exec => "EXEC",
        }
    }

    /// Verb kinds that may not be overridden in this mode.
    fn forbidden_verbs(self) -> &'static [&'static str] {
        match self {
            Mode::Default => &["exec"],
            Mode::ReadOnly => &["create", "update", "exec"],
            Mode::NoUpdate => &["update", "exec"],
            Mode::Exec => &["read", "create", "update"],
        }
    }
}

/// A validated resource spec.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    pub resource_type: String,
    pub data: Map<String, Value>,
    pub matches: Vec<String>,
    /// Read parameters given in `matches` as mappings (not sent to create/update).
    pub match_params: Map<String, Value>,
    pub mode: Mode,
    pub read: String,
    pub create: String,
    pub update: String,
    pub exec: Option<String>,
    /// Page size for `EXEC` with `pagination`.
    pub page_size: Option<u64>,
    /// Output shaping (`output.template`).
    pub output: Option<OutputSpec>,
}

/// `output: {template: input|file|metadata, options: {...}}`: rows are reduced
/// to the template's columns (display name → value).
#[derive(Debug, Clone, PartialEq)]
pub struct OutputSpec {
    pub template: Template,
    /// Ask list-like calls for only the needed fields (`query.only`).
    pub add_only: bool,
    /// Use the display names of `key|Name` rules (else the last key segment).
    pub use_name_alias: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Template {
    /// `options.columns`: column rules given inline.
    Input(Vec<String>),
    /// `options.file`: a template file `{template: {list: [...]}}`.
    File(String),
    /// `options.metadata`: `provider.group.name` of a cloud service type whose
    /// table layout gives the columns.
    Metadata(String),
}

const VERB_KINDS: &[&str] = &["read", "create", "update", "exec"];
const SPEC_KEYS: &[&str] = &[
    "resource_type",
    "data",
    "matches",
    "mode",
    "verb",
    "pagination",
    "output",
    "no_verification",
];

impl Spec {
    pub fn parse(spec: &Map<String, Value>, task_name: &str) -> Result<Spec, String> {
        if let Some(k) = spec.keys().find(|k| !SPEC_KEYS.contains(&k.as_str())) {
            return Err(format!(
                "Unknown spec key: {k} (expected {})",
                SPEC_KEYS[..SPEC_KEYS.len() - 1].join(", ")
            ));
        }
        require(spec, "resource_type")?;
        let resource_type = match spec.get("resource_type") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
            Some(other) => return Err(format!("resource_type is invalid: {other}")),
            None => return Err("Required key: resource_type".into()),
        };
        let data = match spec.get("data") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(m)) => m.clone(),
            Some(other) => return Err(format!("Type error: data(dict) (data = {other})")),
        };
        let mut matches = Vec::new();
        let mut match_params = Map::new();
        match spec.get("matches") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for v in items {
                    match v {
                        Value::String(s) => matches.push(s.clone()),
                        Value::Object(m) => match_params.extend(m.clone()),
                        other => {
                            return Err(format!(
                                "Type error: matches must list data field names or mappings of read parameters ({other})"
                            ));
                        }
                    }
                }
            }
            Some(other) => return Err(format!("Type error: matches(list) (matches = {other})")),
        }
        let mode = match spec.get("mode") {
            None | Some(Value::Null) => Mode::Default,
            Some(Value::String(s)) => Mode::parse(s).ok_or_else(|| {
                format!("Mode is invalid: {s} (expected DEFAULT, READ_ONLY, NO_UPDATE or EXEC)")
            })?,
            Some(other) => {
                return Err(format!(
                    "Mode is invalid: {other} (expected DEFAULT, READ_ONLY, NO_UPDATE or EXEC)"
                ));
            }
        };
        let custom = match spec.get("verb") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(m)) => m.clone(),
            Some(other) => return Err(format!("Type error: verb(dict) (verb = {other})")),
        };
        for (kind, verb) in &custom {
            if !VERB_KINDS.contains(&kind.as_str()) {
                return Err(format!(
                    "Unknown verb type: {kind} (expected read, create, update or exec)"
                ));
            }
            let verb_name = verb
                .as_str()
                .ok_or_else(|| format!("Type error: verb.{kind} must be a method name ({verb})"))?;
            if mode.forbidden_verbs().contains(&kind.as_str()) {
                return Err(format!(
                    "You cannot define {verb_name} as {kind} with {} in task-{task_name}",
                    mode.name()
                ));
            }
        }
        let verb = |kind: &str, default: &str| {
            custom
                .get(kind)
                .and_then(Value::as_str)
                .unwrap_or(default)
                .to_string()
        };
        let exec = custom
            .get("exec")
            .and_then(Value::as_str)
            .map(str::to_string);
        if mode == Mode::Exec && exec.is_none() {
            return Err("verb.exec is required with EXEC mode".into());
        }
        if matches!(mode, Mode::Default | Mode::NoUpdate)
            && matches.is_empty()
            && match_params.is_empty()
        {
            return Err(format!(
                "matches is required with {} mode: list the data fields that find the existing resource",
                mode.name()
            ));
        }
        for m in &matches {
            if !data.contains_key(m) {
                return Err(format!("Match key '{m}' is not in data"));
            }
        }
        let page_size = match spec.get("pagination") {
            None | Some(Value::Null) => None,
            Some(Value::Object(p)) => {
                if mode != Mode::Exec {
                    return Err("pagination is only allowed with EXEC mode".into());
                }
                match p.get("size") {
                    None => Some(1000),
                    Some(v) => match v.as_u64() {
                        Some(n) if n > 0 => Some(n),
                        _ => return Err(format!("pagination.size is invalid: {v}")),
                    },
                }
            }
            Some(other) => {
                return Err(format!(
                    "Type error: pagination(dict) (pagination = {other})"
                ));
            }
        };
        let output = match spec.get("output") {
            None | Some(Value::Null) => None,
            Some(Value::Object(o)) => Some(OutputSpec::parse(o)?),
            Some(other) => return Err(format!("Type error: output(dict) (output = {other})")),
        };
        Ok(Spec {
            resource_type,
            data,
            matches,
            match_params,
            mode,
            read: verb("read", "list"),
            create: verb("create", "create"),
            update: verb("update", "update"),
            exec,
            page_size,
            output,
        })
    }
}

impl OutputSpec {
    fn parse(o: &Map<String, Value>) -> Result<OutputSpec, String> {
        let empty = Map::new();
        let options = match o.get("options") {
            None | Some(Value::Null) => &empty,
            Some(Value::Object(m)) => m,
            Some(other) => {
                return Err(format!(
                    "Type error: output.options(dict) (options = {other})"
                ));
            }
        };
        let flag = |key: &str| match options.get(key) {
            None | Some(Value::Null) => Ok(true),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(format!("Type error: output.options.{key}(bool) ({other})")),
        };
        let text = |key: &str| match options.get(key) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            _ => Err(format!("Required key: output.options.{key}")),
        };
        let template = match o.get("template").and_then(Value::as_str) {
            Some("input") => match options.get("columns") {
                Some(Value::Array(cols)) => Template::Input(
                    cols.iter()
                        .map(|c| {
                            c.as_str()
                                .map(str::to_string)
                                .ok_or_else(|| format!("Type error: output.options.columns must list column rules ({c})"))
                        })
                        .collect::<Result<Vec<_>, _>>()?,
                ),
                _ => return Err("Required key: output.options.columns".into()),
            },
            Some("file") => Template::File(text("file")?),
            Some("metadata") => Template::Metadata(text("metadata")?),
            _ => {
                return Err(format!(
                    "output.template is invalid: {} (expected input, file or metadata)",
                    o.get("template").map(|v| v.to_string()).unwrap_or_else(|| "missing".into())
                ));
            }
        };
        Ok(OutputSpec {
            template,
            add_only: flag("add_only")?,
            use_name_alias: flag("use_name_alias")?,
        })
    }
}

/// Column rules as columns, honouring `use_name_alias`.
pub fn columns_of(rules: &[String], use_name_alias: bool) -> Vec<Column> {
    rules
        .iter()
        .map(|r| {
            let mut c = parse_rule(r);
            if !use_name_alias && r.contains('|') {
                c.name = c.key.rsplit('.').next().unwrap_or(&c.key).to_string();
            }
            c
        })
        .collect()
}

/// Column rules from a cloud service type's table layout: the fixed leading
/// columns, every non-optional field (`key[.sub_key][|name]`), then the
/// resource id.
pub fn metadata_rules(cloud_service_type: &Value) -> Vec<String> {
    const FIXED: &[&str] = &[
        "project_id",
        "provider",
        "region_code",
        "name",
        "updated_at",
        "launched_at",
    ];
    let mut rules: Vec<String> = [
        "project_id",
        "provider|Provider",
        "region_code|Region",
        "name|Name",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let fields = cloud_service_type
        .pointer("/metadata/view/table/layout/options/fields")
        .and_then(Value::as_array);
    for f in fields.into_iter().flatten() {
        let optional = f
            .pointer("/options/is_optional")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let Some(key) = f.get("key").and_then(Value::as_str) else {
            continue;
        };
        if optional || key.is_empty() || FIXED.contains(&key) {
            continue;
        }
        let mut rule = key.to_string();
        if let Some(sub) = f
            .pointer("/options/sub_key")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        {
            rule = format!("{rule}.{sub}");
        }
        if let Some(name) = f
            .get("name")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        {
            rule = format!("{rule}|{name}");
        }
        rules.push(rule);
    }
    rules.push("reference.resource_id|Resource ID".into());
    rules
}

/// Resolve the output template to columns (reads the file or asks the inventory
/// service for the cloud service type).
fn output_columns(spec: &Spec, ctx: &mut Ctx<'_>) -> Result<Option<Vec<Column>>, String> {
    let Some(out) = &spec.output else {
        return Ok(None);
    };
    let cols = match &out.template {
        Template::Input(rules) => columns_of(rules, out.use_name_alias),
        Template::File(path) => {
            let text = crate::config::fsio::read_input_text(
                std::path::Path::new(path),
                crate::config::fsio::INPUT_FILE_LIMIT,
            )
            .map_err(|e| format!("YAML Load Error: {path} ({e})"))?;
            let doc = crate::request::yaml11::load(&text)
                .map_err(|e| format!("YAML Load Error: {path} ({e})"))?
                .unwrap_or(Value::Null);
            let mut cols =
                parse_template_file(&doc, &spec.resource_type).map_err(|e| e.to_string())?;
            if !out.use_name_alias {
                for c in &mut cols {
                    c.name = c.key.rsplit('.').next().unwrap_or(&c.key).to_string();
                }
            }
            cols
        }
        Template::Metadata(id) => {
            let parts: Vec<&str> = id.split('.').collect();
            let [provider, group, name] = parts.as_slice() else {
                return Err(format!(
                    "output.options.metadata is invalid: {id} (expected <provider>.<group>.<name>)"
                ));
            };
            let mut params = Map::new();
            params.insert("provider".into(), Value::from(*provider));
            params.insert("group".into(), Value::from(*group));
            params.insert("name".into(), Value::from(*name));
            let rows = response_rows(
                "list",
                call(ctx, "inventory.CloudServiceType", "list", &params)?,
            );
            let first = rows
                .as_array()
                .and_then(|r| r.first())
                .cloned()
                .unwrap_or(Value::Null);
            columns_of(&metadata_rules(&first), out.use_name_alias)
        }
    };
    Ok(Some(cols))
}

/// `query.only` for a list-like call when the output template asks for it.
fn with_only(
    params: &Map<String, Value>,
    verb: &str,
    spec: &Spec,
    cols: Option<&[Column]>,
) -> Map<String, Value> {
    let mut params = params.clone();
    let (Some(out), Some(cols)) = (&spec.output, cols) else {
        return params;
    };
    if !out.add_only || !matches!(verb, "list" | "stat" | "analyze") {
        return params;
    }
    let mut query = match params.get("query") {
        Some(Value::Object(q)) => q.clone(),
        _ => Map::new(),
    };
    query.insert(
        "only".into(),
        Value::Array(only_keys(cols).into_iter().map(Value::String).collect()),
    );
    params.insert("query".into(), Value::Object(query));
    params
}

/// Reduce the output to the template's columns.
fn shape(outcome: Outcome, cols: Option<&[Column]>) -> Outcome {
    let Some(cols) = cols else {
        return outcome;
    };
    let output = match outcome.output {
        Value::Array(rows) => Value::Array(
            rows.iter()
                .map(|r| Value::Object(extract_row(r, cols)))
                .collect(),
        ),
        Value::Object(m) if m.is_empty() => Value::Object(m),
        other => Value::Object(extract_row(&other, cols)),
    };
    Outcome { output, ..outcome }
}

pub fn run(
    spec: &Map<String, Value>,
    task_name: &str,
    ctx: &mut Ctx<'_>,
) -> Result<Outcome, String> {
    let spec = Spec::parse(spec, task_name)?;
    if ctx.dry_run {
        return plan(&spec, ctx);
    }
    let cols = output_columns(&spec, ctx)?;
    let outcome = match spec.mode {
        Mode::Exec => exec(&spec, ctx, cols.as_deref())?,
        _ => ensure(&spec, task_name, ctx, cols.as_deref())?,
    };
    Ok(shape(outcome, cols.as_deref()))
}

/// The read parameters: the `matches` fields of `data`, then the extra read
/// parameters.
pub fn read_params(spec: &Spec) -> Map<String, Value> {
    let mut params: Map<String, Value> = spec
        .matches
        .iter()
        .filter_map(|k| spec.data.get(k).map(|v| (k.clone(), v.clone())))
        .collect();
    params.extend(spec.match_params.clone());
    params
}

/// Rows of a list-like response (`results`), or the first response itself.
pub fn response_rows(verb: &str, responses: Vec<Value>) -> Value {
    let first = responses.into_iter().next();
    if matches!(verb, "list" | "stat" | "analyze") {
        let rows = first
            .as_ref()
            .and_then(|r| r.get("results"))
            .cloned()
            .unwrap_or(Value::Array(Vec::new()));
        return match rows {
            Value::Array(_) => rows,
            other => Value::Array(vec![other]),
        };
    }
    first.unwrap_or(Value::Object(Map::new()))
}

fn call(
    ctx: &mut Ctx<'_>,
    resource: &str,
    verb: &str,
    params: &Map<String, Value>,
) -> Result<Vec<Value>, String> {
    ctx.caller
        .call(resource, verb, params)
        .map_err(|e| format!("{verb} {resource} failed: {e}"))
}

/// DEFAULT, NO_UPDATE and READ_ONLY.
fn ensure(
    spec: &Spec,
    task_name: &str,
    ctx: &mut Ctx<'_>,
    cols: Option<&[Column]>,
) -> Result<Outcome, String> {
    let res = spec.resource_type.as_str();
    let params = if spec.mode == Mode::ReadOnly {
        with_only(&read_params(spec), &spec.read, spec, cols)
    } else {
        read_params(spec)
    };
    let responses = call(ctx, res, &spec.read, &params)?;
    let found = match response_rows(&spec.read, responses) {
        Value::Array(rows) => {
            ctx.say(&format!("{} {res}: {} found", spec.read, rows.len()))?;
            if rows.len() > 1 {
                ctx.console.err(&format!(
                    "[{task_name}] Multiple resources are searched so select the first one.\n"
                ));
            }
            rows.into_iter().next()
        }
        Value::Object(m) if m.is_empty() => {
            ctx.say(&format!("{} {res}: not found", spec.read))?;
            None
        }
        other => {
            ctx.say(&format!("{} {res}: found", spec.read))?;
            Some(other)
        }
    };

    let Some(found) = found else {
        if spec.mode == Mode::ReadOnly {
            return Ok(with_action(Value::Object(Map::new()), "not_found"));
        }
        let created = call(ctx, res, &spec.create, &spec.data)?;
        ctx.say(&format!("{} {res}: created", spec.create))?;
        return Ok(with_action(response_rows(&spec.create, created), "created"));
    };

    if spec.mode != Mode::Default {
        let action = if spec.mode == Mode::ReadOnly {
            "read"
        } else {
            "unchanged"
        };
        return Ok(with_action(found, action));
    }

    let empty = Map::new();
    let current = found.as_object().unwrap_or(&empty);
    let fields = ctx
        .caller
        .request_fields(res, &spec.update)
        .map_err(|e| format!("{} {res} failed: {e}", spec.update))?;
    // the create request describes the data; its shape is unknown when the
    // create verb cannot be resolved, and then every field compares exactly
    let contained = ctx
        .caller
        .message_fields(res, &spec.create)
        .unwrap_or_default();
    let changed = changed_fields(&spec.data, current, &contained);
    let (params, frozen) = update_params(&spec.data, current, fields.as_deref());
    let frozen_changed: Vec<&String> = changed.iter().filter(|k| frozen.contains(k)).collect();
    if !frozen_changed.is_empty() {
        let names: Vec<&str> = frozen_changed.iter().map(|s| s.as_str()).collect();
        ctx.console.err(&format!(
            "[{task_name}] {res}: not changed by {} (the existing resource differs): {}\n",
            spec.update,
            names.join(", ")
        ));
    }
    let to_update: Vec<&str> = changed
        .iter()
        .filter(|k| !frozen.contains(k))
        .map(String::as_str)
        .collect();
    if to_update.is_empty() {
        ctx.say(&format!("{res}: unchanged"))?;
        return Ok(with_action(found, "unchanged"));
    }
    let updated = call(ctx, res, &spec.update, &params)?;
    ctx.say(&format!(
        "{} {res}: updated ({})",
        spec.update,
        to_update.join(", ")
    ))?;
    Ok(with_action(response_rows(&spec.update, updated), "updated"))
}

/// EXEC: one call, or a count followed by pages when `pagination` is set.
fn exec(spec: &Spec, ctx: &mut Ctx<'_>, cols: Option<&[Column]>) -> Result<Outcome, String> {
    let res = spec.resource_type.as_str();
    let verb = spec.exec.clone().unwrap_or_default();
    let data = with_only(&spec.data, &verb, spec, cols);
    let Some(size) = spec.page_size else {
        let responses = call(ctx, res, &verb, &data)?;
        ctx.say(&format!("{verb} {res}: done"))?;
        return Ok(with_action(response_rows(&verb, responses), "executed"));
    };
    let mut params = data;
    let mut query = match params.get("query") {
        Some(Value::Object(q)) => q.clone(),
        _ => Map::new(),
    };
    query.insert("count_only".into(), Value::Bool(true));
    params.insert("query".into(), Value::Object(query.clone()));
    let total = call(ctx, res, &verb, &params)?
        .iter()
        .filter_map(|r| r.get("total_count"))
        .filter_map(number_of)
        .next_back()
        .unwrap_or(0);
    let pages = total / size + 1;
    ctx.say(&format!(
        "Pagination ({res}.{verb}): total_count={total}, page_size={size}, page_count={pages}"
    ))?;
    query.insert("count_only".into(), Value::Bool(false));
    let mut rows = Vec::new();
    for page in 0..pages {
        let mut q = query.clone();
        let mut p = Map::new();
        p.insert("start".into(), Value::from(size * page + 1));
        p.insert("limit".into(), Value::from(size));
        q.insert("page".into(), Value::Object(p));
        params.insert("query".into(), Value::Object(q));
        for r in call(ctx, res, &verb, &params)? {
            if let Some(Value::Array(items)) = r.get("results") {
                rows.extend(items.iter().cloned());
            }
        }
    }
    let mut resp = Map::new();
    resp.insert("results".into(), Value::Array(rows));
    resp.insert("total_count".into(), Value::from(total));
    Ok(with_action(
        response_rows(&verb, vec![Value::Object(resp)]),
        "executed",
    ))
}

/// `--dry-run`: show the calls the task would make.
fn plan(spec: &Spec, ctx: &mut Ctx<'_>) -> Result<Outcome, String> {
    let res = spec.resource_type.as_str();
    let pad = "  ".repeat(ctx.depth);
    // credentials in the data (a secret's keys, say) are shown masked
    let json =
        |m: &Map<String, Value>| compact(&crate::apply::secrets::masked(&Value::Object(m.clone())));
    let mut text = String::new();
    match spec.mode {
        Mode::Exec => {
            let verb = spec.exec.clone().unwrap_or_default();
            let paging = if spec.page_size.is_some() {
                " (paged)"
            } else {
                ""
            };
            text.push_str(&format!(
                "{pad}  DRY-RUN {verb} {res} {}{paging}\n",
                json(&spec.data)
            ));
        }
        mode => {
            text.push_str(&format!(
                "{pad}  DRY-RUN {} {res} {}\n",
                spec.read,
                json(&read_params(spec))
            ));
            if mode != Mode::ReadOnly {
                text.push_str(&format!(
                    "{pad}  DRY-RUN {} {res} {} (if not found)\n",
                    spec.create,
                    json(&spec.data)
                ));
            }
            if mode == Mode::Default {
                text.push_str(&format!(
                    "{pad}  DRY-RUN {} {res} (if found and a field of data differs)\n",
                    spec.update
                ));
            }
        }
    }
    ctx.show(&text)?;
    Ok(with_action(Value::Object(Map::new()), "planned"))
}

fn with_action(output: Value, action: &'static str) -> Outcome {
    Outcome {
        output,
        action: Some(action),
        debug_text: None,
    }
}

fn number_of(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// Fields of `data` whose value differs from the stored resource. A field the
/// response omits counts as its default value (responses leave defaults out).
/// The `contained` fields (message-typed) only need the fields `data` gives to
/// match: the service may have filled in more.
pub fn changed_fields(
    data: &Map<String, Value>,
    current: &Map<String, Value>,
    contained: &[String],
) -> Vec<String> {
    data.iter()
        .filter(|(k, v)| match current.get(*k) {
            Some(cur) if contained.iter().any(|c| c == *k) => !contains(v, cur),
            Some(cur) => !same(v, cur),
            None => !is_default(v),
        })
        .map(|(k, _)| k.clone())
        .collect()
}

/// `want` is contained in `have`: every field of a mapping in `want` matches
/// (a missing one counts as its default), lists match item by item, and
/// other values are the [`same`].
pub fn contains(want: &Value, have: &Value) -> bool {
    match (want, have) {
        (Value::Object(w), Value::Object(h)) => w.iter().all(|(k, v)| match h.get(k) {
            Some(x) => contains(v, x),
            None => is_default(v),
        }),
        (Value::Array(w), Value::Array(h)) => {
            w.len() == h.len() && w.iter().zip(h).all(|(p, q)| contains(p, q))
        }
        _ => same(want, have),
    }
}

/// The update request and the data fields the update verb does not take.
/// With known request fields: the data fields it takes, plus the identifying
/// `*_id` fields of the existing resource that data does not give. Unknown
/// fields: data as is.
pub fn update_params(
    data: &Map<String, Value>,
    current: &Map<String, Value>,
    fields: Option<&[String]>,
) -> (Map<String, Value>, Vec<String>) {
    let Some(fields) = fields else {
        return (data.clone(), Vec::new());
    };
    let mut params = Map::new();
    let mut frozen = Vec::new();
    for (k, v) in data {
        if fields.iter().any(|f| f == k) {
            params.insert(k.clone(), v.clone());
        } else {
            frozen.push(k.clone());
        }
    }
    for f in fields {
        if params.contains_key(f) || !f.ends_with("_id") {
            continue;
        }
        if let Some(v) = current.get(f).filter(|v| !v.is_null()) {
            params.insert(f.clone(), v.clone());
        }
    }
    (params, frozen)
}

/// Equality of request data and response data: numbers compare by value
/// (Struct numbers come back as floats, int64 as strings); mappings ignore order.
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(p), Some(q)) => p == q,
            _ => x == y,
        },
        (Value::Number(n), Value::String(s)) | (Value::String(s), Value::Number(n)) => {
            match (n.as_f64(), s.trim().parse::<f64>()) {
                (Some(p), Ok(q)) => p == q && !s.trim().is_empty(),
                _ => false,
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Protobuf default values, which responses omit.
fn is_default(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn m(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn defaults() {
        let s = Spec::parse(
            &m(json!({"resource_type": "identity.Provider", "data": {"provider": "p"}, "matches": ["provider"]})),
            "t",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.mode, Mode::Default);
        assert_eq!(
            (s.read.as_str(), s.create.as_str(), s.update.as_str()),
            ("list", "create", "update")
        );
        assert_eq!(s.exec, None);
        assert_eq!(read_params(&s), m(json!({"provider": "p"})));
    }

    #[test]
    fn matches_may_carry_read_parameters() {
        let s = Spec::parse(
            &m(
                json!({"resource_type": "repository.Schema", "data": {"name": "k", "labels": []},
                      "matches": ["name", {"repository_id": "repo-1"}]}),
            ),
            "t",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            Value::Object(read_params(&s)),
            json!({"name": "k", "repository_id": "repo-1"})
        );
        assert_eq!(s.data, m(json!({"name": "k", "labels": []})));
        let e = Spec::parse(
            &m(json!({"resource_type": "a.B", "data": {"x": 1}, "matches": [3]})),
            "t",
        );
        assert_eq!(
            e,
            Err(
                "Type error: matches must list data field names or mappings of read parameters (3)"
                    .to_string()
            )
        );
    }

    #[test]
    fn verb_rules() {
        let e = Spec::parse(
            &m(
                json!({"resource_type": "a.B", "mode": "READ_ONLY", "verb": {"create": "register"}}),
            ),
            "My task",
        );
        assert_eq!(
            e,
            Err("You cannot define register as create with READ_ONLY in task-My task".to_string())
        );
        let e = Spec::parse(&m(json!({"resource_type": "a.B", "mode": "EXEC"})), "t");
        assert_eq!(e, Err("verb.exec is required with EXEC mode".to_string()));
        let e = Spec::parse(
            &m(
                json!({"resource_type": "a.B", "data": {"x": 1}, "matches": ["x"], "verb": {"exec": "collect"}}),
            ),
            "t",
        );
        assert_eq!(
            e,
            Err("You cannot define collect as exec with DEFAULT in task-t".to_string())
        );
        let e = Spec::parse(
            &m(json!({"resource_type": "a.B", "mode": "EXEC", "verb": {"run": "x"}})),
            "t",
        );
        assert_eq!(
            e,
            Err("Unknown verb type: run (expected read, create, update or exec)".to_string())
        );
    }

    #[test]
    fn spec_errors() {
        assert_eq!(
            Spec::parse(&Map::new(), "t"),
            Err("Required key: resource_type".to_string())
        );
        assert_eq!(
            Spec::parse(&m(json!({"resource_type": "a.B", "mode": "UPSERT"})), "t"),
            Err(
                "Mode is invalid: UPSERT (expected DEFAULT, READ_ONLY, NO_UPDATE or EXEC)"
                    .to_string()
            )
        );
        assert_eq!(
            Spec::parse(&m(json!({"resource_type": "a.B", "data": {"x": 1}})), "t"),
            Err("matches is required with DEFAULT mode: list the data fields that find the existing resource".to_string())
        );
        assert_eq!(
            Spec::parse(
                &m(json!({"resource_type": "a.B", "data": {"x": 1}, "matches": ["y"]})),
                "t"
            ),
            Err("Match key 'y' is not in data".to_string())
        );
        assert_eq!(
            Spec::parse(&m(json!({"resource_type": "a.B", "dta": {}})), "t"),
            Err("Unknown spec key: dta (expected resource_type, data, matches, mode, verb, pagination, output)".to_string())
        );
        assert!(
            Spec::parse(
                &m(json!({"resource_type": "a.B", "mode": "READ_ONLY"})),
                "t"
            )
            .is_ok()
        );
    }

    #[test]
    fn value_comparison() {
        assert!(same(&json!(5), &json!(5.0)));
        assert!(same(&json!(10), &json!("10")));
        assert!(!same(&json!(10), &json!("ten")));
        assert!(same(
            &json!({"a": [1, {"b": 2}], "c": "x"}),
            &json!({"c": "x", "a": [1.0, {"b": 2.0}]})
        ));
        assert!(!same(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
        assert!(!same(&json!(["a", "b"]), &json!(["b", "a"])));
    }

    #[test]
    fn changed_fields_treat_missing_as_default() {
        let data = m(
            json!({"name": "n", "metadata": {}, "order": 0, "tags": {"a": "1"}, "labels": ["x"]}),
        );
        let cur = m(json!({"name": "n", "tags": {"a": "1"}, "labels": ["x", "y"]}));
        assert_eq!(changed_fields(&data, &cur, &[]), vec!["labels".to_string()]);
    }

    #[test]
    fn contained_fields_ignore_what_the_service_adds() {
        let data = m(
            json!({"plugin_info": {"plugin_id": "p", "version": "1.0", "options": {}},
                            "tags": {"a": "1"}}),
        );
        let cur = m(json!({"plugin_info": {"plugin_id": "p", "version": "1.0",
                                           "metadata": {"k": "v"}, "upgrade_mode": "AUTO"},
                           "tags": {"a": "1", "b": "2"}}));
        let contained = vec!["plugin_info".to_string()];
        assert_eq!(
            changed_fields(&data, &cur, &contained),
            vec!["tags".to_string()]
        );
        assert_eq!(
            changed_fields(&data, &cur, &[]),
            vec!["plugin_info".to_string(), "tags".to_string()]
        );
        assert!(contains(
            &json!({"a": [{"b": 1}], "z": 0}),
            &json!({"a": [{"b": 1.0, "c": 2}]})
        ));
        assert!(!contains(&json!({"a": [1, 2]}), &json!({"a": [1]})));
        assert!(!contains(&json!({"a": "x"}), &json!({"a": "y", "b": 1})));
    }

    #[test]
    fn update_params_keep_updatable_fields_and_ids() {
        let data = m(json!({"name": "aws-ec2", "image": "img", "tags": {"a": "b"}}));
        let cur = m(
            json!({"plugin_id": "plugin-1", "name": "aws-ec2", "image": "img", "domain_id": "d1", "project_id": null}),
        );
        let fields: Vec<String> = [
            "plugin_id",
            "name",
            "tags",
            "labels",
            "domain_id",
            "project_id",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let (params, frozen) = update_params(&data, &cur, Some(&fields));
        assert_eq!(
            serde_json::to_string(&params).unwrap_or_default(),
            r#"{"name":"aws-ec2","tags":{"a":"b"},"plugin_id":"plugin-1","domain_id":"d1"}"#
        );
        assert_eq!(frozen, vec!["image".to_string()]);
        let (params, frozen) = update_params(&data, &cur, None);
        assert_eq!(params, data);
        assert!(frozen.is_empty());
    }

    #[test]
    fn output_spec_parsing() {
        let s = Spec::parse(
            &m(json!({"resource_type": "inventory.Server", "mode": "EXEC", "verb": {"exec": "list"},
                      "output": {"template": "input", "options": {"columns": ["name|Name", "data.ip"], "add_only": false}}})),
            "t",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            s.output,
            Some(OutputSpec {
                template: Template::Input(vec!["name|Name".into(), "data.ip".into()]),
                add_only: false,
                use_name_alias: true
            })
        );
        let e = Spec::parse(
            &m(json!({"resource_type": "a.B", "mode": "READ_ONLY", "output": {"template": "xls"}})),
            "t",
        );
        assert_eq!(
            e,
            Err(
                "output.template is invalid: \"xls\" (expected input, file or metadata)"
                    .to_string()
            )
        );
        let e = Spec::parse(
            &m(
                json!({"resource_type": "a.B", "mode": "READ_ONLY", "output": {"template": "file"}}),
            ),
            "t",
        );
        assert_eq!(e, Err("Required key: output.options.file".to_string()));
    }

    #[test]
    fn column_aliases() {
        let cols = columns_of(&["data.os.name|OS".to_string(), "name".to_string()], false);
        assert_eq!(
            (cols[0].key.as_str(), cols[0].name.as_str()),
            ("data.os.name", "name")
        );
        assert_eq!(cols[1].name, "name");
        let cols = columns_of(&["data.os.name|OS".to_string()], true);
        assert_eq!(cols[0].name, "OS");
    }

    #[test]
    fn metadata_columns() {
        let cst = json!({"metadata": {"view": {"table": {"layout": {"options": {"fields": [
            {"key": "name", "name": "Name"},
            {"key": "data.size", "name": "Size"},
            {"key": "data.tags", "name": "Tags", "options": {"sub_key": "key"}},
            {"key": "data.hidden", "name": "Hidden", "options": {"is_optional": true}},
            {"key": "launched_at", "name": "Launched"}
        ]}}}}}});
        assert_eq!(
            metadata_rules(&cst),
            vec![
                "project_id",
                "provider|Provider",
                "region_code|Region",
                "name|Name",
                "data.size|Size",
                "data.tags.key|Tags",
                "reference.resource_id|Resource ID"
            ]
        );
        assert_eq!(metadata_rules(&Value::Null).len(), 5);
    }

    #[test]
    fn shaping_rows_and_only() {
        let spec = Spec::parse(
            &m(json!({"resource_type": "a.B", "mode": "EXEC", "verb": {"exec": "list"}, "data": {"query": {"filter": []}},
                      "output": {"template": "input", "options": {"columns": ["name|Name", "data.items.0.ip|IP"]}}})),
            "t",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let cols = columns_of(
            &["name|Name".to_string(), "data.items.0.ip|IP".to_string()],
            true,
        );
        assert_eq!(
            Value::Object(with_only(&spec.data, "list", &spec, Some(&cols))),
            json!({"query": {"filter": [], "only": ["name", "data.items"]}})
        );
        assert_eq!(
            Value::Object(with_only(&spec.data, "get", &spec, Some(&cols))),
            json!({"query": {"filter": []}})
        );
        let out = shape(
            Outcome::output(
                json!([{"name": "a", "data": {"items": [{"ip": "1.1.1.1"}]}, "x": 1}, {"name": "b"}]),
            ),
            Some(&cols),
        );
        assert_eq!(
            out.output,
            json!([{"Name": "a", "IP": "1.1.1.1"}, {"Name": "b", "IP": null}])
        );
        let out = shape(Outcome::output(json!({})), Some(&cols));
        assert_eq!(out.output, json!({}));
    }

    #[test]
    fn rows_of_responses() {
        assert_eq!(
            response_rows(
                "list",
                vec![json!({"results": [{"a": 1}], "total_count": 1})]
            ),
            json!([{"a": 1}])
        );
        assert_eq!(response_rows("list", vec![json!({})]), json!([]));
        assert_eq!(
            response_rows("get", vec![json!({"a": 1}), json!({"a": 2})]),
            json!({"a": 1})
        );
        assert_eq!(response_rows("create", vec![]), json!({}));
    }
}
