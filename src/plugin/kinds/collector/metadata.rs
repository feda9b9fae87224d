//! Metadata YAML → dynamic view: the layout description the console uses to
//! show a cloud service type (search fields, main table, detail tabs).
//!
//! The conversion reproduces upstream's converter exactly for every input it
//! accepts — member order included, so that [`to_json_string`] gives the same
//! `json_metadata` text byte for byte. Where upstream would fail with an
//! internal exception (a missing key, a wrong type, a bad option value) this
//! module returns a [`MetadataError`] naming the key path and what is expected.
//!
//! Input (one YAML mapping):
//!
//! * `search.fields` (required) — fields offered in the search bar;
//! * `table` — `fields`, `sort: {key, desc}`, `options.default_filter`;
//! * `tabs.<N>` — detail tabs, ordered by the text of `<N>` (`tabs.10` sorts
//!   before `tabs.2`); a tab is a single view (`name`, `type`, `fields`,
//!   `root_path`, `unwind`, `default_sort`, `search`) or, with `items`, a list
//!   of views;
//! * `widget`, `query_sets` — copied as given.
//!
//! A field is written `- <Name>: <data path>` (the first key other than
//! `type`) or `- {name: <Name>, key: <data path>}`, plus `type` (default
//! `text`) and the options of that type. Fields of an unknown type are left
//! out, as upstream does.
//!
//! Known differences from upstream: YAML aliases are expanded (upstream shares
//! the aliased node and converts it in place, which can change the second
//! occurrence), and the YAML is read with the YAML 1.1 rules of
//! [`crate::request::yaml11`] (upstream additionally reads `1e3` as a float).

use std::fmt;

use serde_json::{Map, Value};

use crate::output::json::dumps_compact;
use crate::output::pyrepr::{py_str, py_truthy};

use crate::plugin::kinds::model::{
    Dflt, FieldSpec, Kind, ModelSpec, ValError, dflt, opt, req, validate_model,
};

/// Why a metadata document cannot be converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataError {
    /// The file the document came from, when known.
    pub file: Option<String>,
    /// Key path inside the document, e.g. `table.fields[2].source_unit`
    /// (empty for the document as a whole).
    pub path: String,
    /// What is wrong or expected there.
    pub expected: String,
}

impl MetadataError {
    fn new(path: impl Into<String>, expected: impl Into<String>) -> Self {
        MetadataError {
            file: None,
            path: path.into(),
            expected: expected.into(),
        }
    }
}

impl fmt::Display for MetadataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}: ")?;
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", bounded(&self.path))?;
        }
        f.write_str(bounded(&self.expected).as_ref())
    }
}

impl std::error::Error for MetadataError {}

/// Longest key path or explanation shown in an error line (they may hold keys
/// and values of the document).
const SHOWN_CHARS: usize = 240;

fn bounded(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(SHOWN_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]).into(),
        None => text.into(),
    }
}

type R<T> = Result<T, MetadataError>;

// ---------------------------------------------------------------------------
// Models of the view members (validated like upstream, `None` members left out)
// ---------------------------------------------------------------------------

const UNITS: &[&str] = &["BYTES", "KB", "MB", "GB", "TB", "PB"];

static SIZE_OPTIONS: ModelSpec = ModelSpec {
    name: "SizeOptions",
    fields: &[
        opt("display_unit", Kind::Lit(UNITS)),
        opt("source_unit", Kind::Lit(UNITS)),
        opt("default", Kind::Str),
        opt("field_description", Kind::Str),
        opt("is_optional", Kind::Bool),
    ],
};

static PROGRESS_OPTIONS: ModelSpec = ModelSpec {
    name: "ProgressOptions",
    fields: &[opt("unit", Kind::Str), opt("is_optional", Kind::Bool)],
};

static DATETIME_OPTIONS: ModelSpec = ModelSpec {
    name: "DatetimeOptions",
    fields: &[
        opt("source_type", Kind::Lit(&["iso8601", "timestamp"])),
        opt("source_format", Kind::Str),
        opt("display_format", Kind::Str),
        opt("is_optional", Kind::Bool),
    ],
};

static STATE_ICON_OPTIONS: ModelSpec = ModelSpec {
    name: "StateIconOptions",
    fields: &[opt("image", Kind::Str), opt("color", Kind::Colour)],
};

static STATE_OPTIONS: ModelSpec = ModelSpec {
    name: "StateOptions",
    fields: &[
        opt("text_color", Kind::Str),
        opt("icon", Kind::Model(&STATE_ICON_OPTIONS)),
        opt("is_optional", Kind::Bool),
    ],
};

static BADGE_OPTIONS: ModelSpec = ModelSpec {
    name: "BadgeOptions",
    fields: &[
        opt("text_color", Kind::Str),
        opt("shape", Kind::Lit(&["SQUARE", "ROUND"])),
        opt("outline_color", Kind::Colour),
        opt("background_color", Kind::Colour),
        opt("is_optional", Kind::Bool),
    ],
};

static IMAGE_OPTIONS: ModelSpec = ModelSpec {
    name: "ImageOptions",
    fields: &[
        opt("width", Kind::Str),
        opt("height", Kind::Str),
        opt("image_url", Kind::Str),
        opt("is_optional", Kind::Bool),
    ],
};

static MORE_OPTIONS_LAYOUT: ModelSpec = ModelSpec {
    name: "MoreOptionsLayout",
    fields: &[
        opt("name", Kind::Str),
        opt("type", Kind::Str),
        opt("options", Kind::Dict),
    ],
};

static MORE_OPTIONS: ModelSpec = ModelSpec {
    name: "MoreOptions",
    fields: &[
        opt("sub_key", Kind::Str),
        opt("layout", Kind::Model(&MORE_OPTIONS_LAYOUT)),
    ],
};

static LIST_OPTIONS: ModelSpec = ModelSpec {
    name: "ListOptions",
    fields: &[
        opt("items", Kind::Dict),
        opt("sub_key", Kind::Str),
        opt("delimiter", Kind::Str),
        opt("is_optional", Kind::Bool),
    ],
};

const fn type_default(t: &'static str) -> FieldSpec {
    dflt("type", Kind::Str, Dflt::Str(t), false)
}

static TEXT_FIELD: ModelSpec = ModelSpec {
    name: "TextField",
    fields: &[
        req("name", Kind::Str),
        req("key", Kind::Str),
        type_default("text"),
        opt("enums", Kind::Dict),
        opt("data_type", Kind::Str),
        opt("reference", Kind::Dict),
        opt("options", Kind::Dict),
    ],
};

static DICT_FIELD: ModelSpec = ModelSpec {
    name: "DictField",
    fields: &[
        req("name", Kind::Str),
        req("key", Kind::Str),
        type_default("dict"),
        opt("options", Kind::Dict),
    ],
};

macro_rules! typed_field {
    ($ident:ident, $name:literal, $type:literal, $options:ident) => {
        static $ident: ModelSpec = ModelSpec {
            name: $name,
            fields: &[
                req("name", Kind::Str),
                req("key", Kind::Str),
                type_default($type),
                opt("options", Kind::Model(&$options)),
            ],
        };
    };
}

typed_field!(SIZE_FIELD, "SizeField", "size", SIZE_OPTIONS);
typed_field!(
    PROGRESS_FIELD,
    "ProgressField",
    "progress",
    PROGRESS_OPTIONS
);
typed_field!(
    DATETIME_FIELD,
    "DatetimeField",
    "datetime",
    DATETIME_OPTIONS
);
typed_field!(STATE_FIELD, "StateField", "state", STATE_OPTIONS);
typed_field!(BADGE_FIELD, "BadgeField", "badge", BADGE_OPTIONS);
typed_field!(IMAGE_FIELD, "ImageField", "image", IMAGE_OPTIONS);
typed_field!(MORE_FIELD, "MoreField", "more", MORE_OPTIONS);

static ENUM_FIELD: ModelSpec = ModelSpec {
    name: "EnumField",
    fields: &[
        req("name", Kind::Str),
        req("key", Kind::Str),
        type_default("enum"),
        req("options", Kind::Dict),
    ],
};

static LIST_FIELD: ModelSpec = ModelSpec {
    name: "ListField",
    fields: &[
        req("name", Kind::Str),
        req("key", Kind::Str),
        type_default("list"),
        opt("reference", Kind::Dict),
        opt("options", Kind::Model(&LIST_OPTIONS)),
    ],
};

macro_rules! enum_entry {
    ($ident:ident, $name:literal, $type:literal, $options:ident) => {
        static $ident: ModelSpec = ModelSpec {
            name: $name,
            fields: &[type_default($type), opt("options", Kind::Model(&$options))],
        };
    };
}

enum_entry!(ENUM_BADGE, "EnumBadgeField", "badge", BADGE_OPTIONS);
enum_entry!(ENUM_STATE, "EnumStateField", "state", STATE_OPTIONS);
enum_entry!(
    ENUM_DATETIME,
    "EnumDatetimeField",
    "datetime",
    DATETIME_OPTIONS
);
enum_entry!(ENUM_IMAGE, "EnumImageField", "image", IMAGE_OPTIONS);

static SORT: ModelSpec = ModelSpec {
    name: "Sort",
    fields: &[
        req("key", Kind::Str),
        dflt("desc", Kind::Bool, Dflt::Bool(false), false),
    ],
};

static FILTER: ModelSpec = ModelSpec {
    name: "Filter",
    fields: &[
        req("key", Kind::Str),
        req("value", Kind::Str),
        req("operator", Kind::Str),
    ],
};

/// Keys of an enum item that are options rather than the item's value.
const ENUM_OPTION_KEYS: [&str; 10] = [
    "back_ground_color",
    "text_color",
    "shape",
    "icon_color",
    "icon_image",
    "width",
    "height",
    "source_format",
    "display_format",
    "type",
];

/// Inner popup layouts that take a `root_path` from `popup_table_key`.
const POPUP_TABLE_TYPES: [&str; 3] = ["simple-table", "table", "search-query-table"];

// ---------------------------------------------------------------------------
// Python container semantics used by the converter
// ---------------------------------------------------------------------------

fn s(text: &str) -> Value {
    Value::String(text.to_string())
}

/// Python `key in container`: mapping keys, list members, or a substring.
fn contains(container: &Value, key: &str, path: &str) -> R<bool> {
    match container {
        Value::Object(m) => Ok(m.contains_key(key)),
        Value::Array(items) => Ok(items.iter().any(|v| v.as_str() == Some(key))),
        Value::String(text) => Ok(text.contains(key)),
        _ => Err(MetadataError::new(path, "expected a mapping")),
    }
}

/// `container[key]` where the caller already knows `key in container`.
fn index<'a>(container: &'a Value, key: &str, path: &str) -> R<&'a Value> {
    match container {
        Value::Object(m) => m
            .get(key)
            .ok_or_else(|| MetadataError::new(join(path, key), "is required")),
        _ => Err(MetadataError::new(path, "expected a mapping")),
    }
}

/// The members of a list. An empty mapping or empty text iterates as nothing,
/// like in Python; anything else that is not a list cannot be converted.
fn members<'a>(v: &'a Value, path: &str) -> R<&'a [Value]> {
    match v {
        Value::Array(items) => Ok(items),
        Value::Object(m) if m.is_empty() => Ok(&[]),
        Value::String(t) if t.is_empty() => Ok(&[]),
        _ => Err(MetadataError::new(path, "expected a list")),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn required<'a>(m: &'a Map<String, Value>, key: &str, path: &str, what: &str) -> R<&'a Value> {
    m.get(key)
        .ok_or_else(|| MetadataError::new(join(path, key), format!("is required ({what})")))
}

// ---------------------------------------------------------------------------
// Document
// ---------------------------------------------------------------------------

/// Convert a metadata document (the parsed YAML) into the view dict:
/// `{"view": {"search", "table", "sub_data", "widget"?}, "query_sets"?}`.
pub fn convert(doc: &Value) -> Result<Value, MetadataError> {
    let Value::Object(top) = doc else {
        return Err(MetadataError::new(
            "",
            "expected a mapping with at least `search.fields`",
        ));
    };

    let search = match top.get("search") {
        None => {
            return Err(MetadataError::new(
                "search",
                "is required (a mapping with `fields`)",
            ));
        }
        Some(Value::Object(m)) => match m.get("fields") {
            Some(f) => f,
            None => {
                return Err(MetadataError::new(
                    "search.fields",
                    "is required (the list of search fields)",
                ));
            }
        },
        Some(_) => {
            return Err(MetadataError::new(
                "search",
                "expected a mapping with `fields`",
            ));
        }
    };
    let search = fields(search, "search.fields", true)?;

    let empty = Value::Object(Map::new());
    let table = table(top.get("table").unwrap_or(&empty))?;

    let mut tabs: Vec<(&str, &Value)> = top
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("tabs.").map(|i| (i, v)))
        .collect();
    tabs.sort_by(|a, b| a.0.cmp(b.0));
    let mut layouts = Vec::with_capacity(tabs.len());
    for (index, tab_value) in tabs {
        layouts.push(tab(tab_value, &format!("tabs.{index}"))?);
    }

    let mut view = Map::new();
    view.insert("search".to_string(), Value::Array(search));
    view.insert("table".to_string(), table);
    let mut sub_data = Map::new();
    sub_data.insert("layouts".to_string(), Value::Array(layouts));
    view.insert("sub_data".to_string(), Value::Object(sub_data));
    if let Some(widget) = top.get("widget")
        && py_truthy(widget)
    {
        view.insert("widget".to_string(), widget.clone());
    }
    let mut out = Map::new();
    out.insert("view".to_string(), Value::Object(view));
    if let Some(query_sets) = top.get("query_sets")
        && py_truthy(query_sets)
    {
        out.insert("query_sets".to_string(), query_sets.clone());
    }
    Ok(Value::Object(out))
}

/// Parse a metadata YAML text and convert it; errors name `path_for_messages`.
pub fn convert_file_text(path_for_messages: &str, yaml_text: &str) -> Result<Value, MetadataError> {
    let with_file = |mut e: MetadataError| {
        e.file = Some(path_for_messages.to_string());
        e
    };
    let doc = crate::request::yaml11::load(yaml_text)
        .map_err(|e| with_file(MetadataError::new("", format!("invalid YAML: {e}"))))?
        .ok_or_else(|| {
            with_file(MetadataError::new(
                "",
                "the file is empty (expected a mapping with at least `search.fields`)",
            ))
        })?;
    convert(&doc).map_err(with_file)
}

/// The largest metadata file the host reads (real ones are a few kB).
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Reads a metadata file: a regular file (links are followed) of at most
/// [`MAX_FILE_BYTES`] holding UTF-8 text. The file is opened without blocking
/// and checked before anything is read, so a FIFO, a device or an endless
/// file is refused at once. Returns the text and the file's metadata; errors
/// are one line starting with the path.
pub fn read_file(path: &std::path::Path) -> Result<(String, std::fs::Metadata), String> {
    let fail = |why: String| format!("{}: {why}", path.display());
    let file = crate::fsutil::open_nonblocking(path).map_err(|e| fail(e.to_string()))?;
    let stat = file.metadata().map_err(|e| fail(e.to_string()))?;
    if !stat.is_file() {
        return Err(fail(format!(
            "{} (expected a regular file)",
            crate::fsutil::kind_name(&stat.file_type())
        )));
    }
    if stat.len() > MAX_FILE_BYTES {
        return Err(fail(format!(
            "the file has {} bytes, more than the {} KiB limit for metadata files",
            stat.len(),
            MAX_FILE_BYTES / 1024
        )));
    }
    let bytes = crate::fsutil::read_limited(file, MAX_FILE_BYTES)
        .map_err(|e| fail(e.to_string()))?
        .ok_or_else(|| {
            fail(format!(
                "the file grew past the {} KiB limit for metadata files while it was read",
                MAX_FILE_BYTES / 1024
            ))
        })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        fail(format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    Ok((text, stat))
}

/// The view as compact JSON text, the way upstream stores it in
/// `json_metadata`: Python `json.dumps` defaults (`", "` and `": "`
/// separators, members in order, non-ASCII text unescaped, floats in Python's
/// `repr` form).
pub fn to_json_string(view: &Value) -> String {
    dumps_compact(view, false)
}

// ---------------------------------------------------------------------------
// Table and tabs
// ---------------------------------------------------------------------------

fn table(t: &Value) -> R<Value> {
    let mut options = Map::new();
    if contains(t, "options", "table")? {
        let table_options = index(t, "options", "table")?;
        if contains(table_options, "default_filter", "table.options")? {
            let filters = index(table_options, "default_filter", "table.options")?;
            options.insert(
                "default_filter".to_string(),
                default_filter(filters, "table.options.default_filter")?,
            );
        }
    }
    if contains(t, "sort", "table")? {
        options.insert("default_sort".to_string(), sort(t, "table")?);
    }
    if contains(t, "fields", "table")? {
        let f = index(t, "fields", "table")?;
        options.insert(
            "fields".to_string(),
            Value::Array(fields(f, "table.fields", false)?),
        );
    }
    let mut layout = Map::new();
    layout.insert("type".to_string(), s("query-search-table"));
    layout.insert("options".to_string(), Value::Object(options));
    layout.insert("name".to_string(), s("Main Table"));
    let mut out = Map::new();
    out.insert("layout".to_string(), Value::Object(layout));
    Ok(Value::Object(out))
}

fn default_filter(filters: &Value, path: &str) -> R<Value> {
    let mut out = Vec::new();
    for (i, item) in members(filters, path)?.iter().enumerate() {
        let fpath = format!("{path}[{i}]");
        let Value::Object(m) = item else {
            return Err(MetadataError::new(
                fpath,
                "expected a mapping with `key`, `value` and optionally `operator`",
            ));
        };
        let mut filter = Map::new();
        filter.insert(
            "key".to_string(),
            required(m, "key", &fpath, "the data path to filter on")?.clone(),
        );
        filter.insert(
            "value".to_string(),
            required(m, "value", &fpath, "the value to filter by")?.clone(),
        );
        filter.insert(
            "operator".to_string(),
            m.get("operator").cloned().unwrap_or_else(|| s("eq")),
        );
        out.push(Value::Object(validated(&FILTER, &filter, &fpath, &[])?));
    }
    Ok(Value::Array(out))
}

/// `{"key", "desc"}` from `container.sort`.
fn sort(container: &Value, path: &str) -> R<Value> {
    let spath = join(path, "sort");
    let sort_value = match container {
        Value::Object(m) => m.get("sort").ok_or_else(|| {
            MetadataError::new(
                path,
                "`sort` is not supported here (a `sort: {key, desc}` mapping is only read from `table`)",
            )
        })?,
        _ => return Err(MetadataError::new(path, "expected a mapping")),
    };
    let Value::Object(m) = sort_value else {
        return Err(MetadataError::new(
            spath,
            "expected a mapping with `key` and optionally `desc`",
        ));
    };
    let mut sort = Map::new();
    sort.insert(
        "key".to_string(),
        required(m, "key", &spath, "the data path to sort by")?.clone(),
    );
    if let Some(desc) = m.get("desc") {
        sort.insert("desc".to_string(), desc.clone());
    }
    Ok(Value::Object(validated(&SORT, &sort, &spath, &[])?))
}

/// A dynamic view: `{"name", "type", "options"}`.
fn view(name: Value, view_type: Value, options: Map<String, Value>) -> Value {
    let mut v = Map::new();
    v.insert("name".to_string(), name);
    v.insert("type".to_string(), view_type);
    v.insert("options".to_string(), Value::Object(options));
    Value::Object(v)
}

const VIEW_TYPES: &str = "e.g. item, table, simple-table, raw, list, markdown, query-search-table";

fn tab(t: &Value, path: &str) -> R<Value> {
    let Value::Object(m) = t else {
        return Err(MetadataError::new(
            path,
            "expected a mapping with `name` and `type`",
        ));
    };
    let name = required(m, "name", path, "the tab title")?.clone();
    let mut options = Map::new();
    if let Some(items) = m.get("items") {
        let view_type = m.get("type").cloned().unwrap_or_else(|| s("list"));
        let ipath = join(path, "items");
        let mut layouts = Vec::new();
        for (i, item) in members(items, &ipath)?.iter().enumerate() {
            layouts.push(inner_view(item, &format!("{ipath}[{i}]"))?);
        }
        // Upstream sets `layouts` inside its loop: no items, no `layouts` member.
        if !layouts.is_empty() {
            options.insert("layouts".to_string(), Value::Array(layouts));
        }
        return Ok(view(name, view_type, options));
    }
    let view_type = required(m, "type", path, VIEW_TYPES)?.clone();
    if let Some(f) = m.get("fields") {
        options.insert(
            "fields".to_string(),
            Value::Array(fields(f, &join(path, "fields"), false)?),
        );
    }
    for key in ["root_path", "unwind", "default_sort", "search"] {
        if let Some(v) = m.get(key) {
            options.insert(key.to_string(), v.clone());
        }
    }
    Ok(view(name, view_type, options))
}

fn inner_view(item: &Value, path: &str) -> R<Value> {
    let Value::Object(m) = item else {
        return Err(MetadataError::new(
            path,
            "expected a mapping with `name` and `type`",
        ));
    };
    let mut m = m.clone();
    let name = required(&m, "name", path, "the view title")?.clone();
    let view_type = required(&m, "type", path, VIEW_TYPES)?.clone();
    let mut options = Map::new();
    let is_markdown = match &view_type {
        Value::String(_) | Value::Array(_) | Value::Object(_) => {
            contains(&view_type, "markdown", &join(path, "type"))?
        }
        _ => return Err(MetadataError::new(join(path, "type"), "expected a text")),
    };
    if is_markdown {
        let root = m.shift_remove("root_path").ok_or_else(|| {
            MetadataError::new(
                join(path, "root_path"),
                "is required for a markdown view (the data path of the markdown text)",
            )
        })?;
        options.insert("markdown".to_string(), root);
    }
    if let Some(sort_value) = m.get("sort") {
        options.insert(
            "default_sort".to_string(),
            sort(sort_value, &join(path, "sort"))?,
        );
    }
    if let Some(root) = m.get("root_path") {
        options.insert("root_path".to_string(), root.clone());
    }
    if let Some(f) = m.get("fields") {
        options.insert(
            "fields".to_string(),
            Value::Array(fields(f, &join(path, "fields"), false)?),
        );
    }
    Ok(view(name, view_type, options))
}

// ---------------------------------------------------------------------------
// Fields
// ---------------------------------------------------------------------------

fn fields(list: &Value, path: &str, is_search: bool) -> R<Vec<Value>> {
    let mut out = Vec::new();
    for (i, item) in members(list, path)?.iter().enumerate() {
        let fpath = format!("{path}[{i}]");
        let Value::Object(m) = item else {
            return Err(MetadataError::new(
                fpath,
                "expected a mapping such as `- Name: data.name` or `- {name: Name, key: data.name}`",
            ));
        };
        let mut w = Work::new(m.clone(), fpath);
        let converted = match m.get("type") {
            None => Some(w.text()?),
            Some(Value::String(t)) => match t.as_str() {
                "text" => Some(w.text()?),
                "dict" => Some(w.dict()?),
                "size" => Some(w.size()?),
                "progress" => Some(w.progress()?),
                "datetime" => Some(w.datetime(false)?),
                "state" => Some(w.state(false)?),
                "badge" => Some(w.badge(false)?),
                "image" => Some(w.image(false)?),
                "enum" if is_search => Some(w.search_enum()?),
                "enum" => Some(w.table_enum()?),
                "more" => Some(w.more()?),
                "list" => Some(w.list()?),
                // Unknown types are dropped, like upstream does.
                _ => None,
            },
            Some(_) => None,
        };
        if let Some(v) = converted {
            out.push(v);
        }
    }
    Ok(out)
}

/// Validate against a view model; on failure, report the first problem at the
/// YAML key the value came from.
fn validated(
    spec: &ModelSpec,
    m: &Map<String, Value>,
    path: &str,
    moved: &[(String, String)],
) -> R<Map<String, Value>> {
    let mut errs: Vec<ValError> = Vec::new();
    match validate_model(spec, m, &mut Vec::new(), true, &mut errs) {
        Some(out) if errs.is_empty() => Ok(out),
        _ => {
            let Some(e) = errs.first() else {
                return Err(MetadataError::new(path, "is invalid"));
            };
            let loc = e.loc.join(".");
            let source = moved
                .iter()
                .find(|(to, _)| *to == loc)
                .map(|(_, from)| from.clone())
                .unwrap_or(loc);
            let expected = match (source.as_str(), e.ty.as_str()) {
                ("name", "value_error.missing") => {
                    "is required (write `- <Name>: <data path>`, or give both `name` and `key`)"
                        .to_string()
                }
                ("key", "value_error.missing") => {
                    "is required (the data path, e.g. `data.name`)".to_string()
                }
                _ => e.expected.clone(),
            };
            Err(MetadataError::new(join(path, &source), expected))
        }
    }
}

/// One field entry being converted: the mutable mapping (converted step by
/// step the way upstream does), its key path, and where moved values came
/// from (for error messages).
struct Work {
    f: Map<String, Value>,
    path: String,
    moved: Vec<(String, String)>,
}

impl Work {
    fn new(f: Map<String, Value>, path: String) -> Self {
        Work {
            f,
            path,
            moved: Vec::new(),
        }
    }

    fn at(&self, key: &str) -> String {
        join(&self.path, key)
    }

    fn has(&self, key: &str) -> bool {
        self.f.contains_key(key)
    }

    fn finish(&self, spec: &ModelSpec) -> R<Value> {
        Ok(Value::Object(validated(
            spec,
            &self.f,
            &self.path,
            &self.moved,
        )?))
    }

    /// `- <Name>: <data path>`: the first key other than `type` gives `name`
    /// and its value `key`.
    fn shorthand(&mut self) -> R<()> {
        let Some(first) = self.f.keys().find(|k| *k != "type").cloned() else {
            return Err(MetadataError::new(
                self.path.clone(),
                "a field needs `<Name>: <data path>` (or `name` and `key`)",
            ));
        };
        self.f
            .insert("name".to_string(), Value::String(first.clone()));
        let value = self.f.get(&first).cloned().unwrap_or(Value::Null);
        self.f.insert("key".to_string(), value);
        self.f.shift_remove(&first);
        self.moved.push(("key".to_string(), first));
        Ok(())
    }

    fn shorthand_unless_key(&mut self) -> R<()> {
        if self.has("key") {
            Ok(())
        } else {
            self.shorthand()
        }
    }

    /// The field's `options` mapping, created when absent.
    fn options(&mut self) -> R<&mut Map<String, Value>> {
        let opath = self.at("options");
        if !self.has("options") {
            self.f
                .insert("options".to_string(), Value::Object(Map::new()));
        }
        match self.f.get_mut("options") {
            Some(Value::Object(o)) => Ok(o),
            _ => Err(MetadataError::new(opath, "expected a mapping")),
        }
    }

    /// Move `key` into `options` (when present).
    fn move_to_options(&mut self, key: &str) -> R<()> {
        let Some(v) = self.f.get(key).cloned() else {
            return Ok(());
        };
        self.options()?.insert(key.to_string(), v);
        self.f.shift_remove(key);
        self.moved.push((format!("options.{key}"), key.to_string()));
        Ok(())
    }

    /// Move `key` into `options.<nested>.<renamed>` (when present).
    fn move_to_nested_options(&mut self, key: &str, nested: &str, renamed: &str) -> R<()> {
        let Some(v) = self.f.get(key).cloned() else {
            return Ok(());
        };
        let npath = format!("{}.{nested}", self.at("options"));
        let options = self.options()?;
        match options.get_mut(nested) {
            Some(Value::Object(inner)) => {
                inner.insert(renamed.to_string(), v);
            }
            Some(_) => return Err(MetadataError::new(npath, "expected a mapping")),
            None => {
                let mut inner = Map::new();
                inner.insert(renamed.to_string(), v);
                options.insert(nested.to_string(), Value::Object(inner));
            }
        }
        self.f.shift_remove(key);
        self.moved
            .push((format!("options.{nested}.{renamed}"), key.to_string()));
        Ok(())
    }

    fn reference(&mut self) {
        if let Some(v) = self.f.shift_remove("reference_key") {
            let mut r = Map::new();
            r.insert("reference_key".to_string(), v);
            r.insert("resource_type".to_string(), s("inventory.CloudService"));
            self.f.insert("reference".to_string(), Value::Object(r));
        }
    }

    fn text(&mut self) -> R<Value> {
        self.shorthand_unless_key()?;
        if !self.has("label") {
            self.f.insert("type".to_string(), s("text"));
        }
        self.move_to_options("is_optional")?;
        if let Some(d) = self.f.get("default") {
            let text = py_str(d);
            self.f.insert("default".to_string(), Value::String(text));
            self.move_to_options("default")?;
        }
        self.move_to_options("field_description")?;
        self.reference();
        if let Some(labels) = self.f.get("labels").cloned() {
            let lpath = self.at("labels");
            let mut enums = Map::new();
            for (i, label) in members(&labels, &lpath)?.iter().enumerate() {
                let epath = format!("{lpath}[{i}]");
                let Value::Object(label) = label else {
                    return Err(MetadataError::new(
                        epath,
                        "expected a mapping such as `- ACTIVE: Active`",
                    ));
                };
                let mut label = label.clone();
                let Some(main) = label.keys().next().cloned() else {
                    return Err(MetadataError::new(
                        epath,
                        "expected a `<VALUE>: <label>` entry",
                    ));
                };
                let shown = label.get(&main).cloned().unwrap_or(Value::Null);
                label.insert("label".to_string(), shown);
                label.shift_remove(&main);
                enums.insert(main, Value::Object(label));
            }
            self.f.insert("enums".to_string(), Value::Object(enums));
            self.f.shift_remove("labels");
        }
        self.finish(&TEXT_FIELD)
    }

    fn dict(&mut self) -> R<Value> {
        self.shorthand_unless_key()?;
        self.move_to_options("is_optional")?;
        self.finish(&DICT_FIELD)
    }

    fn size(&mut self) -> R<Value> {
        self.shorthand_unless_key()?;
        for key in [
            "display_unit",
            "source_unit",
            "field_description",
            "default",
            "is_optional",
        ] {
            self.move_to_options(key)?;
        }
        self.finish(&SIZE_FIELD)
    }

    fn progress(&mut self) -> R<Value> {
        self.shorthand_unless_key()?;
        self.move_to_options("unit")?;
        self.move_to_options("is_optional")?;
        self.finish(&PROGRESS_FIELD)
    }

    fn datetime(&mut self, is_enum: bool) -> R<Value> {
        if !is_enum {
            self.shorthand_unless_key()?;
        }
        for key in [
            "source_type",
            "source_format",
            "display_format",
            "is_optional",
        ] {
            self.move_to_options(key)?;
        }
        self.finish(if is_enum {
            &ENUM_DATETIME
        } else {
            &DATETIME_FIELD
        })
    }

    fn state(&mut self, is_enum: bool) -> R<Value> {
        if !is_enum {
            self.shorthand_unless_key()?;
        }
        self.move_to_options("text_color")?;
        self.move_to_nested_options("icon_image", "icon", "image")?;
        self.move_to_nested_options("icon_color", "icon", "color")?;
        self.move_to_options("is_optional")?;
        self.finish(if is_enum { &ENUM_STATE } else { &STATE_FIELD })
    }

    fn badge(&mut self, is_enum: bool) -> R<Value> {
        if !is_enum {
            self.shorthand_unless_key()?;
        }
        for key in [
            "text_color",
            "shape",
            "outline_color",
            "background_color",
            "is_optional",
        ] {
            self.move_to_options(key)?;
        }
        self.finish(if is_enum { &ENUM_BADGE } else { &BADGE_FIELD })
    }

    fn image(&mut self, is_enum: bool) -> R<Value> {
        if !is_enum {
            self.shorthand_unless_key()?;
        }
        for key in ["width", "height", "image_url", "is_optional"] {
            self.move_to_options(key)?;
        }
        self.finish(if is_enum { &ENUM_IMAGE } else { &IMAGE_FIELD })
    }

    /// Search-bar enum: `{key, name, type: "enum", enums: {VALUE: {label}}}`
    /// (values copied as given, no validation).
    fn search_enum(&mut self) -> R<Value> {
        self.shorthand_unless_key()?;
        let mut enums = Map::new();
        if let Some(items) = self.f.get("enums") {
            let epath = self.at("enums");
            for (i, item) in members(items, &epath)?.iter().enumerate() {
                let ipath = format!("{epath}[{i}]");
                let Value::Object(m) = item else {
                    return Err(MetadataError::new(
                        ipath,
                        "expected a mapping such as `- RUNNING: {label: Running}`",
                    ));
                };
                let Some(value) = m.keys().next() else {
                    return Err(MetadataError::new(ipath, "expected a `<VALUE>: ...` entry"));
                };
                let label = match m.get("label") {
                    Some(l) if py_truthy(l) => l.clone(),
                    _ => Value::String(value.clone()),
                };
                let mut entry = Map::new();
                entry.insert("label".to_string(), label);
                enums.insert(value.clone(), Value::Object(entry));
            }
        }
        let key = required(&self.f, "key", &self.path, "the data path")?.clone();
        let name = required(&self.f, "name", &self.path, "the display name")?.clone();
        let mut out = Map::new();
        out.insert("key".to_string(), key);
        out.insert("name".to_string(), name);
        out.insert("type".to_string(), s("enum"));
        out.insert("enums".to_string(), Value::Object(enums));
        Ok(Value::Object(out))
    }

    /// Table/tab enum: `options` maps each value to a badge, state, image or
    /// datetime entry.
    fn table_enum(&mut self) -> R<Value> {
        self.shorthand_unless_key()?;
        self.move_to_options("is_optional")?;
        if let Some(items) = self.f.get("enums").cloned() {
            let epath = self.at("enums");
            let mut enums = Map::new();
            for (i, item) in members(&items, &epath)?.iter().enumerate() {
                let ipath = format!("{epath}[{i}]");
                let Value::Object(m) = item else {
                    return Err(MetadataError::new(
                        ipath,
                        "expected a mapping such as `- RUNNING: green.500`",
                    ));
                };
                let mut e = m.clone();
                if !e.contains_key("type") {
                    e.insert("type".to_string(), s("badge"));
                }
                let Some(main) = e
                    .keys()
                    .find(|k| !ENUM_OPTION_KEYS.contains(&k.as_str()))
                    .cloned()
                else {
                    return Err(MetadataError::new(
                        ipath,
                        "expected a `<VALUE>: <colour or option>` entry",
                    ));
                };
                let entry_type = e.get("type").cloned().unwrap_or(Value::Null);
                let mut w = Work::new(e, ipath.clone());
                let value = w.f.get(&main).cloned().unwrap_or(Value::Null);
                let target = match entry_type.as_str() {
                    Some("badge") => Some("outline_color"),
                    Some("state") if py_truthy(&value) => Some("icon_color"),
                    Some("image") => Some("image_url"),
                    Some("datetime") => Some("source_type"),
                    _ => None,
                };
                if let Some(target) = target {
                    w.f.insert(target.to_string(), value);
                    w.f.shift_remove(&main);
                    w.moved.push((format!("options.{target}"), main.clone()));
                    if target == "icon_color" {
                        w.moved
                            .push(("options.icon.color".to_string(), main.clone()));
                    }
                }
                let converted = match entry_type.as_str() {
                    Some("badge") => Some(w.badge(true)?),
                    Some("state") => Some(w.state(true)?),
                    Some("image") => Some(w.image(true)?),
                    Some("datetime") => Some(w.datetime(true)?),
                    _ => None,
                };
                if let Some(c) = converted {
                    enums.insert(main.clone(), c);
                }
                for extra in ["name", "label"] {
                    if let Some(v) = w.f.shift_remove(extra) {
                        match enums.get_mut(&main) {
                            Some(Value::Object(entry)) => {
                                entry.insert(extra.to_string(), v);
                            }
                            _ => {
                                return Err(MetadataError::new(
                                    join(&ipath, "type"),
                                    "expected badge, state, image or datetime",
                                ));
                            }
                        }
                    }
                }
            }
            if self.has("options") {
                self.options()?.extend(enums);
            } else {
                self.f.insert("options".to_string(), Value::Object(enums));
                self.f.shift_remove("enums");
            }
        }
        if !self.has("options") {
            return Err(MetadataError::new(
                self.at("enums"),
                "is required for an enum field (a list such as `- RUNNING: green.500`)",
            ));
        }
        self.finish(&ENUM_FIELD)
    }

    fn more(&mut self) -> R<Value> {
        self.shorthand_unless_key()?;
        if let Some(popup_key) = self.f.shift_remove("popup_key") {
            let mut o = Map::new();
            o.insert("sub_key".to_string(), popup_key);
            self.f.insert("options".to_string(), Value::Object(o));
            self.moved
                .push(("options.sub_key".to_string(), "popup_key".to_string()));
        }
        if self.has("popup_name") {
            self.move_to_nested_options("popup_name", "layout", "name")?;
            self.layout_mut("popup_name")?
                .insert("type".to_string(), s("popup"));
        }
        if let Some(popup_type) = self.f.get("popup_type").cloned() {
            let mut inner = Map::new();
            inner.insert("type".to_string(), popup_type);
            let mut popup = Map::new();
            popup.insert("type".to_string(), s("popup"));
            popup.insert("layout".to_string(), Value::Object(inner));
            self.layout_mut("popup_type")?
                .insert("options".to_string(), Value::Object(popup));
            self.f.shift_remove("popup_type");
        }
        if let Some(popup_fields) = self.f.get("popup_fields").cloned() {
            let converted = fields(&popup_fields, &self.at("popup_fields"), false)?;
            let table_key = self.f.get("popup_table_key").cloned();
            let type_path = self.at("popup_type");
            let inner = self.popup_inner_layout()?;
            let mut o = Map::new();
            o.insert("fields".to_string(), Value::Array(converted));
            let mut consumed_table_key = false;
            if let Some(table_key) = table_key {
                let Some(inner_type) = inner.get("type") else {
                    return Err(MetadataError::new(
                        type_path,
                        "is required by `popup_table_key`",
                    ));
                };
                if inner_type
                    .as_str()
                    .is_some_and(|t| POPUP_TABLE_TYPES.contains(&t))
                {
                    o.insert("root_path".to_string(), table_key);
                    consumed_table_key = true;
                }
            }
            inner.insert("options".to_string(), Value::Object(o));
            if consumed_table_key {
                self.f.shift_remove("popup_table_key");
            }
            self.f.shift_remove("popup_fields");
        }
        self.finish(&MORE_FIELD)
    }

    /// `options.layout` of a `more` field, which `popup_name` creates.
    fn layout_mut(&mut self, needed_by: &str) -> R<&mut Map<String, Value>> {
        let at = self.at(needed_by);
        match self.f.get_mut("options") {
            Some(Value::Object(o)) => match o.get_mut("layout") {
                Some(Value::Object(layout)) => Ok(layout),
                _ => Err(MetadataError::new(at, "needs `popup_name`")),
            },
            _ => Err(MetadataError::new(at, "needs `popup_name`")),
        }
    }

    /// `options.layout.options.layout` of a `more` field, which `popup_type`
    /// creates.
    fn popup_inner_layout(&mut self) -> R<&mut Map<String, Value>> {
        let at = self.at("popup_fields");
        let layout = self.layout_mut("popup_fields")?;
        match layout.get_mut("options") {
            Some(Value::Object(o)) => match o.get_mut("layout") {
                Some(Value::Object(inner)) => Ok(inner),
                _ => Err(MetadataError::new(at, "needs `popup_type`")),
            },
            _ => Err(MetadataError::new(at, "needs `popup_type`")),
        }
    }

    fn list(&mut self) -> R<Value> {
        self.shorthand_unless_key()?;
        self.move_to_options("is_optional")?;
        if self.has("delimiter") {
            self.move_to_options("delimiter")?;
        } else if self.has("options") {
            self.options()?.insert("delimiter".to_string(), s(" "));
        } else {
            return Err(MetadataError::new(
                self.at("delimiter"),
                "is required for a list field (e.g. `delimiter: \", \"`)",
            ));
        }
        self.move_to_options("sub_key")?;
        self.move_to_options("items")?;
        self.reference();
        self.finish(&LIST_FIELD)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn read_file_takes_regular_files_only() {
        let dir = tempfile::tempdir().expect("dir");
        let good = dir.path().join("a.yaml");
        std::fs::write(&good, "search:\n  fields: []\n").expect("write");
        let (text, stat) = read_file(&good).expect("regular file");
        assert_eq!(text, "search:\n  fields: []\n");
        assert_eq!(stat.len(), 21);
        // Through a symbolic link.
        let link = dir.path().join("link.yaml");
        std::os::unix::fs::symlink(&good, &link).expect("symlink");
        assert_eq!(read_file(&link).expect("link").0, text);

        let d = dir.path().display();
        assert_eq!(
            read_file(dir.path()).expect_err("directory"),
            format!("{d}: a directory (expected a regular file)")
        );
        // A FIFO with no writer: refused at once instead of waiting.
        let fifo = dir.path().join("fifo.yaml");
        let c = std::ffi::CString::new(fifo.display().to_string()).expect("path");
        // SAFETY: plain mkfifo(3) on a NUL-terminated path inside a fresh temp dir.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert_eq!(
            read_file(&fifo).expect_err("fifo"),
            format!("{d}/fifo.yaml: a FIFO (expected a regular file)")
        );
        assert_eq!(
            read_file(std::path::Path::new("/dev/zero")).expect_err("device"),
            "/dev/zero: a character device (expected a regular file)"
        );
        let big = dir.path().join("big.yaml");
        std::fs::write(&big, vec![b'#'; MAX_FILE_BYTES as usize + 1]).expect("write");
        assert_eq!(
            read_file(&big).expect_err("too big"),
            format!(
                "{d}/big.yaml: the file has 1048577 bytes, more than the 1024 KiB limit for metadata files"
            )
        );
        let bin = dir.path().join("bin.yaml");
        std::fs::write(&bin, b"ab\xffcd").expect("write");
        assert_eq!(
            read_file(&bin).expect_err("binary"),
            format!("{d}/bin.yaml: not UTF-8 text (invalid byte at offset 2)")
        );
        let missing = read_file(&dir.path().join("missing.yaml")).expect_err("missing");
        assert!(
            missing.starts_with(&format!("{d}/missing.yaml: No such file")),
            "{missing}"
        );
    }
    use super::*;
    use serde_json::json;

    fn conv(doc: Value) -> String {
        to_json_string(&convert(&doc).unwrap())
    }

    fn one_field(field: Value) -> Value {
        let v = convert(&json!({"search": {"fields": []}, "table": {"fields": [field]}})).unwrap();
        v["view"]["table"]["layout"]["options"]["fields"][0].clone()
    }

    fn field_json(field: Value) -> String {
        to_json_string(&one_field(field))
    }

    fn err_text(doc: Value) -> String {
        convert(&doc).unwrap_err().to_string()
    }

    fn field_err(field: Value) -> String {
        err_text(json!({"search": {"fields": []}, "table": {"fields": [field]}}))
    }

    fn golden_dir() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/metadata")
    }

    fn yaml_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .expect("golden directory")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .collect();
        files.sort();
        files
    }

    /// Every `tests/data/metadata/*.yaml` converts to exactly the text upstream
    /// produced for it (`*.expected.json`, see the README there).
    #[test]
    fn goldens_match_upstream_byte_for_byte() {
        let files = yaml_files(&golden_dir());
        assert!(files.len() >= 13, "goldens missing: {files:?}");
        for path in files {
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            let text = std::fs::read_to_string(&path).expect("golden input");
            let expected = std::fs::read_to_string(path.with_extension("expected.json"))
                .unwrap_or_else(|e| panic!("{name}: expected output: {e}"));
            let view = convert_file_text(&name, &text).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(to_json_string(&view), expected, "{name}");
        }
    }

    /// Inputs upstream fails on give a clear error naming file, key path and
    /// what is expected (`errors/*.expected-error.txt`).
    #[test]
    fn error_goldens() {
        let files = yaml_files(&golden_dir().join("errors"));
        assert!(files.len() >= 15, "error goldens missing: {files:?}");
        for path in files {
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            let text = std::fs::read_to_string(&path).expect("error input");
            let expected = std::fs::read_to_string(path.with_extension("expected-error.txt"))
                .unwrap_or_else(|e| panic!("{name}: expected error: {e}"));
            match convert_file_text(&name, &text) {
                Ok(v) => panic!("{name}: converted unexpectedly: {v}"),
                Err(e) => assert_eq!(e.to_string(), expected.trim_end_matches('\n'), "{name}"),
            }
        }
    }

    /// A 1 MB value or key is quoted in an error line as a short excerpt.
    #[test]
    fn values_and_keys_in_errors_are_quoted_short() {
        let big = "C".repeat(1 << 20);
        let shape = format!(
            "search:\n  fields:\n    - Name: name\ntable:\n  fields:\n    - Tier: data.tier\n      type: badge\n      shape: {big}\n"
        );
        let e = convert_file_text("big.yaml", &shape)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            format!(
                "big.yaml: table.fields[0].shape: expected one of SQUARE, ROUND (got '{}…)",
                "C".repeat(59)
            )
        );
        // A key is at most 1,024 characters (a longer one is invalid YAML).
        let key = format!(
            "search:\n  fields:\n    - Name: name\ntable:\n  fields:\n    - State: data.state\n      type: enum\n      enums:\n        - {}: pink\n          type: state\n",
            "K".repeat(1000)
        );
        let e = convert_file_text("big.yaml", &key).unwrap_err().to_string();
        assert!(e.len() < 600, "{} bytes: {e}", e.len());
        assert!(e.contains("KKK…: "), "{e}");
        let e = convert_file_text("big.yaml", &format!("{}: 1\n", "K".repeat(1 << 20)));
        let e = e.unwrap_err().to_string();
        assert!(e.len() < 200, "{} bytes", e.len());
    }

    #[test]
    fn invalid_yaml_names_the_file() {
        let e = convert_file_text("bad.yaml", "search: [unclosed").unwrap_err();
        assert_eq!(e.file.as_deref(), Some("bad.yaml"));
        assert!(e.to_string().starts_with("bad.yaml: invalid YAML: "), "{e}");
    }

    #[test]
    fn minimal_document() {
        assert_eq!(
            conv(json!({"search": {"fields": [{"A": "data.a"}]}})),
            r#"{"view": {"search": [{"name": "A", "key": "data.a", "type": "text"}], "table": {"layout": {"type": "query-search-table", "options": {}, "name": "Main Table"}}, "sub_data": {"layouts": []}}}"#
        );
    }

    #[test]
    fn json_text_follows_python_json_dumps() {
        let v = json!({"a": [1, 1.5, 1e16, true, null], "é": "ü\"\\\n\t\u{1}", "e": {}, "l": []});
        assert_eq!(
            to_json_string(&v),
            "{\"a\": [1, 1.5, 1e+16, true, null], \"é\": \"ü\\\"\\\\\\n\\t\\u0001\", \"e\": {}, \"l\": []}"
        );
    }

    #[test]
    fn widget_and_query_sets_only_when_truthy() {
        let v = conv(json!({
            "query_sets": [{"name": "q"}],
            "search": {"fields": []},
            "widget": [{"type": "chart", "n": 1}]
        }));
        assert_eq!(
            v,
            r#"{"view": {"search": [], "table": {"layout": {"type": "query-search-table", "options": {}, "name": "Main Table"}}, "sub_data": {"layouts": []}, "widget": [{"type": "chart", "n": 1}]}, "query_sets": [{"name": "q"}]}"#
        );
        let v = conv(json!({"search": {"fields": []}, "widget": [], "query_sets": {}}));
        assert!(!v.contains("widget") && !v.contains("query_sets"), "{v}");
    }

    #[test]
    fn shorthand_and_explicit_fields() {
        assert_eq!(
            field_json(json!({"N": 5})),
            r#"{"name": "N", "key": "5", "type": "text"}"#
        );
        assert_eq!(
            field_json(json!({"type": "text", "Name": "data.n"})),
            r#"{"name": "Name", "key": "data.n", "type": "text"}"#
        );
        assert_eq!(
            field_json(json!({"name": "N", "key": "data.n", "foo": 1})),
            r#"{"name": "N", "key": "data.n", "type": "text"}"#
        );
        assert_eq!(
            field_err(json!({"key": "data.n"})),
            "table.fields[0].name: is required (write `- <Name>: <data path>`, or give both `name` and `key`)"
        );
        assert_eq!(
            field_err(json!({"type": "text"})),
            "table.fields[0]: a field needs `<Name>: <data path>` (or `name` and `key`)"
        );
        assert_eq!(
            field_err(json!({"N": null})),
            "table.fields[0].N: must not be null"
        );
        assert_eq!(
            field_err(json!("data.name")),
            "table.fields[0]: expected a mapping such as `- Name: data.name` or `- {name: Name, key: data.name}`"
        );
    }

    #[test]
    fn unknown_or_non_text_types_are_dropped() {
        let v = convert(&json!({"search": {"fields": [
            {"A": "a", "type": "sparkline"}, {"B": "b", "type": null}, {"C": "c", "type": 3}, {"D": "d"}
        ]}}))
        .unwrap();
        assert_eq!(
            to_json_string(&v["view"]["search"]),
            r#"[{"name": "D", "key": "d", "type": "text"}]"#
        );
    }

    #[test]
    fn text_options() {
        assert_eq!(
            field_json(
                json!({"T": "data.t", "field_description": "d", "default": 5, "is_optional": true, "reference_key": "data.r", "data_type": "integer"})
            ),
            r#"{"name": "T", "key": "data.t", "type": "text", "data_type": "integer", "reference": {"reference_key": "data.r", "resource_type": "inventory.CloudService"}, "options": {"is_optional": true, "default": "5", "field_description": "d"}}"#
        );
        assert_eq!(
            field_json(json!({"T": "t", "default": [1, "a", null, 1.0, true]})),
            r#"{"name": "T", "key": "t", "type": "text", "options": {"default": "[1, 'a', None, 1.0, True]"}}"#
        );
        // An explicit options mapping is kept, with nulls, and extended.
        assert_eq!(
            field_json(json!({"T": "t", "options": {"x": null}, "is_optional": false})),
            r#"{"name": "T", "key": "t", "type": "text", "options": {"x": null, "is_optional": false}}"#
        );
    }

    #[test]
    fn text_labels_become_enums() {
        assert_eq!(
            field_json(
                json!({"S": "data.s", "labels": [{"ACTIVE": "Active", "color": "green"}, {"label": "L", "x": 1}, {"A": "a", "label": "old"}]})
            ),
            r#"{"name": "S", "key": "data.s", "type": "text", "enums": {"ACTIVE": {"color": "green", "label": "Active"}, "label": {"x": 1}, "A": {"label": "a"}}}"#
        );
        assert_eq!(
            field_json(json!({"S": "s", "enums": {"A": {"label": "x"}}})),
            r#"{"name": "S", "key": "s", "type": "text", "enums": {"A": {"label": "x"}}}"#
        );
    }

    #[test]
    fn dict_size_progress() {
        assert_eq!(
            field_json(json!({"D": "data.d", "type": "dict", "is_optional": true})),
            r#"{"name": "D", "key": "data.d", "type": "dict", "options": {"is_optional": true}}"#
        );
        assert_eq!(
            field_json(
                json!({"Sz": "data.size", "type": "size", "display_unit": "GB", "source_unit": "BYTES"})
            ),
            r#"{"name": "Sz", "key": "data.size", "type": "size", "options": {"display_unit": "GB", "source_unit": "BYTES"}}"#
        );
        assert_eq!(
            field_json(
                json!({"Sz": "s", "type": "size", "is_optional": "yes", "field_description": 3, "default": 0, "source_unit": "KB"})
            ),
            r#"{"name": "Sz", "key": "s", "type": "size", "options": {"source_unit": "KB", "default": "0", "field_description": "3", "is_optional": true}}"#
        );
        assert_eq!(
            field_json(json!({"Sz": "s", "type": "size", "is_optional": null})),
            r#"{"name": "Sz", "key": "s", "type": "size", "options": {}}"#
        );
        assert_eq!(
            field_json(json!({"P": "p", "type": "progress", "is_optional": false, "unit": "%"})),
            r#"{"name": "P", "key": "p", "type": "progress", "options": {"unit": "%", "is_optional": false}}"#
        );
        assert_eq!(
            field_err(json!({"Sz": "s", "type": "size", "source_unit": "XB"})),
            "table.fields[0].source_unit: expected one of BYTES, KB, MB, GB, TB, PB (got 'XB')"
        );
        assert_eq!(
            field_err(json!({"Sz": "s", "type": "size", "is_optional": "maybe"})),
            "table.fields[0].is_optional: expected a boolean (true or false)"
        );
    }

    #[test]
    fn datetime_state_badge_image() {
        assert_eq!(
            field_json(
                json!({"C": "c", "type": "datetime", "display_format": "YYYY", "source_type": "iso8601", "source_format": "x"})
            ),
            r#"{"name": "C", "key": "c", "type": "datetime", "options": {"source_type": "iso8601", "source_format": "x", "display_format": "YYYY"}}"#
        );
        assert_eq!(
            field_json(
                json!({"St": "data.st", "type": "state", "text_color": "red", "icon_image": "ic.png", "icon_color": "green.500"})
            ),
            r#"{"name": "St", "key": "data.st", "type": "state", "options": {"text_color": "red", "icon": {"image": "ic.png", "color": "green.500"}}}"#
        );
        assert_eq!(
            field_json(
                json!({"St": "s", "type": "state", "icon_color": "red", "is_optional": true})
            ),
            r#"{"name": "St", "key": "s", "type": "state", "options": {"icon": {"color": "red"}, "is_optional": true}}"#
        );
        assert_eq!(
            field_json(
                json!({"B": "b", "type": "badge", "background_color": "gray.100", "shape": "ROUND", "outline_color": "blue", "text_color": "#fff"})
            ),
            r##"{"name": "B", "key": "b", "type": "badge", "options": {"text_color": "#fff", "shape": "ROUND", "outline_color": "blue", "background_color": "gray.100"}}"##
        );
        assert_eq!(
            field_json(
                json!({"I": "i", "type": "image", "width": 32, "height": "32", "image_url": "u"})
            ),
            r#"{"name": "I", "key": "i", "type": "image", "options": {"width": "32", "height": "32", "image_url": "u"}}"#
        );
        assert_eq!(
            field_err(json!({"St": "s", "type": "state", "icon_color": "pink"})),
            "table.fields[0].icon_color: expected a colour: black, white, or one of gray, red, coral, yellow, green, blue, violet, peacock, indigo optionally followed by .100 … .900 (got 'pink')"
        );
        assert_eq!(
            field_err(json!({"B": "b", "type": "badge", "shape": "CIRCLE"})),
            "table.fields[0].shape: expected one of SQUARE, ROUND (got 'CIRCLE')"
        );
        assert_eq!(
            field_err(json!({"C": "c", "type": "datetime", "source_type": "unix"})),
            "table.fields[0].source_type: expected one of iso8601, timestamp (got 'unix')"
        );
    }

    #[test]
    fn table_enum_entries() {
        assert_eq!(
            field_json(json!({"E": "data.e", "type": "enum", "enums": [
                {"RUNNING": "green.500", "type": "state"},
                {"STOPPED": "red.500", "type": "state", "label": "Stopped!"},
                {"ACTIVE": "indigo.500"}
            ]})),
            r#"{"name": "E", "key": "data.e", "type": "enum", "options": {"RUNNING": {"type": "state", "options": {"icon": {"color": "green.500"}}}, "STOPPED": {"type": "state", "options": {"icon": {"color": "red.500"}}, "label": "Stopped!"}, "ACTIVE": {"type": "badge", "options": {"outline_color": "indigo.500"}}}}"#
        );
        assert_eq!(
            field_json(
                json!({"E": "e", "type": "enum", "is_optional": true, "enums": [
                    {"IMG": "http://x/i.png", "type": "image", "width": 10, "name": "Pic"},
                    {"T": "timestamp", "type": "datetime", "display_format": "YY"},
                    {"OFF": "", "type": "state", "text_color": "gray"},
                    {"X": "y", "type": "chart"},
                    {"B": "blue", "back_ground_color": "red", "shape": "SQUARE", "text_color": "white"}
                ]})
            ),
            r#"{"name": "E", "key": "e", "type": "enum", "options": {"is_optional": true, "IMG": {"type": "image", "options": {"width": "10", "image_url": "http://x/i.png"}, "name": "Pic"}, "T": {"type": "datetime", "options": {"source_type": "timestamp", "display_format": "YY"}}, "OFF": {"type": "state", "options": {"text_color": "gray"}}, "B": {"type": "badge", "options": {"text_color": "white", "shape": "SQUARE", "outline_color": "blue"}}}}"#
        );
        assert_eq!(
            field_err(json!({"E": "e", "type": "enum"})),
            "table.fields[0].enums: is required for an enum field (a list such as `- RUNNING: green.500`)"
        );
        assert_eq!(
            field_err(json!({"E": "e", "type": "enum", "enums": [{"A": "pink"}]})),
            "table.fields[0].enums[0].A: expected a colour: black, white, or one of gray, red, coral, yellow, green, blue, violet, peacock, indigo optionally followed by .100 … .900 (got 'pink')"
        );
        assert_eq!(
            field_err(
                json!({"E": "e", "type": "enum", "enums": [{"X": "y", "type": "chart", "label": "L"}]})
            ),
            "table.fields[0].enums[0].type: expected badge, state, image or datetime"
        );
    }

    #[test]
    fn search_enum_entries() {
        let v = convert(&json!({"search": {"fields": [
            {"State": "data.state", "type": "enum", "enums": [{"RUNNING": "green", "label": "Running"}, {"STOPPED": {"x": 1}}, {"label": "", "y": 2}]},
            {"name": "Kind", "key": "data.kind", "type": "enum"}
        ]}}))
        .unwrap();
        assert_eq!(
            to_json_string(&v["view"]["search"]),
            r#"[{"key": "data.state", "name": "State", "type": "enum", "enums": {"RUNNING": {"label": "Running"}, "STOPPED": {"label": "STOPPED"}, "label": {"label": "label"}}}, {"key": "data.kind", "name": "Kind", "type": "enum", "enums": {}}]"#
        );
    }

    #[test]
    fn more_popup() {
        assert_eq!(
            field_json(
                json!({"M": "data.m", "type": "more", "popup_key": "data.m", "popup_name": "Popup", "popup_type": "simple-table", "popup_fields": [{"A": "a"}, {"B": "b", "type": "datetime"}], "popup_table_key": "data.rows"})
            ),
            r#"{"name": "M", "key": "data.m", "type": "more", "options": {"sub_key": "data.m", "layout": {"name": "Popup", "type": "popup", "options": {"type": "popup", "layout": {"type": "simple-table", "options": {"fields": [{"name": "A", "key": "a", "type": "text"}, {"name": "B", "key": "b", "type": "datetime"}], "root_path": "data.rows"}}}}}}"#
        );
        assert_eq!(
            field_json(
                json!({"M": "m", "type": "more", "popup_name": "P", "popup_type": "raw", "popup_fields": [], "popup_table_key": "x"})
            ),
            r#"{"name": "M", "key": "m", "type": "more", "options": {"layout": {"name": "P", "type": "popup", "options": {"type": "popup", "layout": {"type": "raw", "options": {"fields": []}}}}}}"#
        );
        assert_eq!(
            field_json(json!({"M": "m", "type": "more"})),
            r#"{"name": "M", "key": "m", "type": "more"}"#
        );
        assert_eq!(
            field_err(json!({"M": "m", "type": "more", "popup_type": "raw"})),
            "table.fields[0].popup_type: needs `popup_name`"
        );
        assert_eq!(
            field_err(json!({"M": "m", "type": "more", "popup_name": "P", "popup_fields": []})),
            "table.fields[0].popup_fields: needs `popup_type`"
        );
    }

    #[test]
    fn list_fields() {
        assert_eq!(
            field_json(
                json!({"L": "data.l", "type": "list", "delimiter": ", ", "sub_key": "name", "items": {"type": "badge"}, "is_optional": true, "reference_key": "data.id"})
            ),
            r#"{"name": "L", "key": "data.l", "type": "list", "reference": {"reference_key": "data.id", "resource_type": "inventory.CloudService"}, "options": {"items": {"type": "badge"}, "sub_key": "name", "delimiter": ", ", "is_optional": true}}"#
        );
        assert_eq!(
            field_json(json!({"L": "l", "type": "list", "is_optional": false})),
            r#"{"name": "L", "key": "l", "type": "list", "options": {"delimiter": " ", "is_optional": false}}"#
        );
        assert_eq!(
            field_err(json!({"L": "l", "type": "list"})),
            "table.fields[0].delimiter: is required for a list field (e.g. `delimiter: \", \"`)"
        );
    }

    #[test]
    fn table_filter_and_sort() {
        let v = convert(&json!({
            "search": {"fields": []},
            "table": {
                "options": {"default_filter": [{"key": "data.s", "value": 1}, {"key": "k", "value": "v", "operator": "not"}], "other": 1},
                "sort": {"key": "data.n"},
                "fields": [{"N": "data.n"}]
            }
        }))
        .unwrap();
        assert_eq!(
            to_json_string(&v["view"]["table"]),
            r#"{"layout": {"type": "query-search-table", "options": {"default_filter": [{"key": "data.s", "value": "1", "operator": "eq"}, {"key": "k", "value": "v", "operator": "not"}], "default_sort": {"key": "data.n", "desc": false}, "fields": [{"name": "N", "key": "data.n", "type": "text"}]}, "name": "Main Table"}}"#
        );
        // Upstream reads a non-mapping table as "no table options".
        let v = convert(&json!({"search": {"fields": []}, "table": "nothing"})).unwrap();
        assert_eq!(v["view"]["table"]["layout"]["options"], json!({}));
        assert_eq!(
            err_text(json!({"search": {"fields": []}, "table": {"sort": {"desc": true}}})),
            "table.sort.key: is required (the data path to sort by)"
        );
        assert_eq!(
            err_text(
                json!({"search": {"fields": []}, "table": {"sort": {"key": "k", "desc": null}}})
            ),
            "table.sort.desc: must not be null"
        );
        assert_eq!(
            err_text(json!({"search": {"fields": []}, "table": null})),
            "table: expected a mapping"
        );
    }

    #[test]
    fn tabs_sorted_by_text() {
        let doc = json!({
            "tabs.2": {"name": "Two", "type": "raw", "root_path": "data.two"},
            "search": {"fields": []},
            "tabs.10": {"name": "Ten", "type": "table", "fields": [{"A": "a"}], "unwind": "x", "default_sort": {"key": "a"}, "search": [{"key": "a"}]},
            "tabs.0": {"name": "Zero", "type": "item"}
        });
        let v = convert(&doc).unwrap();
        assert_eq!(
            to_json_string(&v["view"]["sub_data"]),
            r#"{"layouts": [{"name": "Zero", "type": "item", "options": {}}, {"name": "Ten", "type": "table", "options": {"fields": [{"name": "A", "key": "a", "type": "text"}], "unwind": "x", "default_sort": {"key": "a"}, "search": [{"key": "a"}]}}, {"name": "Two", "type": "raw", "options": {"root_path": "data.two"}}]}"#
        );
    }

    #[test]
    fn multi_view_tabs() {
        let doc = json!({
            "search": {"fields": []},
            "tabs.0": {"name": "Multi", "items": [
                {"name": "Doc", "type": "markdown", "root_path": "data.md"},
                {"name": "Rows", "type": "simple-table", "root_path": "data.rows", "fields": [{"A": "a"}]}
            ]},
            "tabs.1": {"name": "Empty", "type": "list", "items": []}
        });
        let v = convert(&doc).unwrap();
        assert_eq!(
            to_json_string(&v["view"]["sub_data"]["layouts"]),
            r#"[{"name": "Multi", "type": "list", "options": {"layouts": [{"name": "Doc", "type": "markdown", "options": {"markdown": "data.md"}}, {"name": "Rows", "type": "simple-table", "options": {"root_path": "data.rows", "fields": [{"name": "A", "key": "a", "type": "text"}]}}]}}, {"name": "Empty", "type": "list", "options": {}}]"#
        );
        assert_eq!(
            err_text(
                json!({"search": {"fields": []}, "tabs.0": {"name": "M", "items": [{"name": "D", "type": "markdown"}]}})
            ),
            "tabs.0.items[0].root_path: is required for a markdown view (the data path of the markdown text)"
        );
        assert_eq!(
            err_text(
                json!({"search": {"fields": []}, "tabs.0": {"name": "M", "items": [{"name": "D", "type": "table", "sort": {"key": "a"}}]}})
            ),
            "tabs.0.items[0].sort: `sort` is not supported here (a `sort: {key, desc}` mapping is only read from `table`)"
        );
    }

    #[test]
    fn tab_errors() {
        assert_eq!(
            err_text(json!({"search": {"fields": []}, "tabs.0": {"name": "T"}})),
            "tabs.0.type: is required (e.g. item, table, simple-table, raw, list, markdown, query-search-table)"
        );
        assert_eq!(
            err_text(json!({"search": {"fields": []}, "tabs.0": {"type": "item"}})),
            "tabs.0.name: is required (the tab title)"
        );
        assert_eq!(
            err_text(json!({"search": {"fields": []}, "tabs.0": "x"})),
            "tabs.0: expected a mapping with `name` and `type`"
        );
    }

    #[test]
    fn document_errors() {
        assert_eq!(
            err_text(json!({})),
            "search: is required (a mapping with `fields`)"
        );
        assert_eq!(
            err_text(json!({"search": {}})),
            "search.fields: is required (the list of search fields)"
        );
        assert_eq!(
            err_text(json!({"search": "x"})),
            "search: expected a mapping with `fields`"
        );
        assert_eq!(
            err_text(json!([1])),
            "expected a mapping with at least `search.fields`"
        );
        assert_eq!(
            err_text(json!({"search": {"fields": 3}})),
            "search.fields: expected a list"
        );
        let mut e = convert(&json!({"search": {"fields": null}})).unwrap_err();
        e.file = Some("m.yaml".to_string());
        assert_eq!(e.to_string(), "m.yaml: search.fields: expected a list");
    }
}
