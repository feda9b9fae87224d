//! One test per input parser.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::grammar::{self, YAML_TOKENS};
use super::{Rng, case_count, corpus, excerpt, mutate, mutate_text, one_bounded_line, run};
use crate::request::yaml11;

/// Longest error text a parser of ours may give (they quote at most a short excerpt).
const ERROR_LIMIT: usize = 400;

/// Half generated, half mutated seeds.
fn text_case(
    rng: &mut Rng,
    seeds: &[Vec<u8>],
    tokens: &[&str],
    generated: impl Fn(&mut Rng) -> String,
) -> String {
    if rng.one_in(2) {
        generated(rng)
    } else {
        let seed = rng.pick(seeds).clone();
        mutate_text(rng, &seed, seeds, tokens)
    }
}

/// Largest document whose dump is loaded again (a debug build emits and parses
/// megabytes slowly; the loader's own bounds are tested on every case).
const ROUND_TRIP_LIMIT: usize = 256 * 1024;

/// About how many bytes of text a value has (stops counting past the limit).
fn text_size(v: &Value) -> usize {
    fn walk(v: &Value, total: &mut usize) {
        if *total >= ROUND_TRIP_LIMIT {
            return;
        }
        *total += 2;
        match v {
            Value::String(s) => *total += s.len(),
            Value::Array(items) => items.iter().for_each(|i| walk(i, total)),
            Value::Object(m) => m.iter().for_each(|(k, v)| {
                *total += k.len();
                walk(v, total);
            }),
            _ => *total += 8,
        }
    }
    let mut total = 0;
    walk(v, &mut total);
    total
}

/// Whether a value holds, in a key or a string, a line break other than `\n`: U+2028
/// and U+2029 (which the loader reads as ordinary characters) or NEL (which PyYAML's
/// emitter, and ours with it, writes raw in single quotes, where it reads back as a
/// space: PyYAML 6.0.3 does not load its own dump of `'x\x85'` back either).
fn has_line_separator(v: &Value) -> bool {
    let sep = |s: &str| s.contains(['\u{2028}', '\u{2029}', '\u{85}']);
    match v {
        Value::String(s) => sep(s),
        Value::Array(items) => items.iter().any(has_line_separator),
        Value::Object(m) => m.iter().any(|(k, v)| sep(k) || has_line_separator(v)),
        _ => false,
    }
}

fn yaml_error_is_bounded(e: &str) -> Result<(), String> {
    one_bounded_line(e, ERROR_LIMIT)
}

#[test]
fn yaml_loader() {
    let seeds = corpus(
        "yaml",
        &[
            "tests/data/metadata",
            "tests/data/apply",
            "tests/data/config",
        ],
    );
    run(
        "yaml_loader",
        case_count(2500),
        move |rng, _| text_case(rng, &seeds, YAML_TOKENS, grammar::yaml),
        |text: &String| {
            let loaded = yaml11::load(text);
            // The modes differ only on what request data refuses as "not supported".
            let config = match &loaded {
                Err(e) if !e.contains("is not supported") => loaded.clone(),
                _ => yaml11::load_config(text),
            };
            match &loaded {
                Err(e) => yaml_error_is_bounded(e)?,
                Ok(v) => {
                    if config.as_ref() != Ok(v) {
                        return Err(format!(
                            "load_config differs from load on a request document: {config:?}"
                        ));
                    }
                }
            }
            if let Err(e) = &config {
                yaml_error_is_bounded(e)?;
            }
            // What is loaded dumps to YAML that loads back the same (unusual line
            // breaks excepted, see `has_line_separator`).
            if let Ok(Some(v)) = &config
                && text_size(v) < ROUND_TRIP_LIMIT
                && !has_line_separator(v)
            {
                let dumped = crate::output::yaml::dump(v);
                match yaml11::load_config(&dumped) {
                    Ok(Some(again)) if &again == v => {}
                    other => {
                        return Err(format!(
                            "dumped document does not load back the same: {} -> {other:?}",
                            excerpt(&dumped)
                        ));
                    }
                }
            }
            Ok(())
        },
        String::clone,
    );
}

/// Keys of environment files.
const CONFIG_KEYS: &[&str] = &[
    "api_key",
    "token",
    "x_domain_id",
    "x_workspace_id",
    "endpoints",
    "ca_file",
    "client_cert",
    "client_key",
    "environment",
    "plugin",
    "identity",
];
const CONFIG_STRINGS: &[&str] = &[
    "grpc://localhost:50051",
    "grpc+ssl://h:443",
    "dev",
    "~/x.pem",
    "/abs.pem",
    "rel.pem",
    "",
    "2024-01-01",
    ".inf",
    "yes",
    "007",
];

#[test]
fn configuration_files() {
    let seeds = corpus("config", &["tests/data/config"]);
    run(
        "configuration_files",
        case_count(2500),
        move |rng, _| {
            text_case(rng, &seeds, YAML_TOKENS, |rng| match rng.below(3) {
                0 => grammar::yaml(rng),
                _ => crate::output::yaml::dump(&grammar::json_value(
                    rng,
                    4,
                    CONFIG_KEYS,
                    CONFIG_STRINGS,
                )),
            })
        },
        |text: &String| {
            use crate::config::store::{parse_environment, parse_pointer};
            let _ = parse_pointer(text);
            let Ok(env) = parse_environment("dev", text) else {
                return Ok(());
            };
            let _ = env.endpoint_map();
            let _ = env.endpoints();
            let _ = env.call_metadata();
            let _ = crate::config::redact(env.data());
            for key in crate::config::environment::TLS_FILE_KEYS {
                if let Ok(Some(p)) = env.file_setting(key) {
                    let _ = crate::config::environment::setting_path(&p, Path::new("/h"));
                }
            }
            for service in ["plugin", "identity", ""] {
                if let Ok(url) = env.endpoint(service) {
                    let _ = crate::config::parse_endpoint_url(&url);
                }
            }
            // What `config set` writes reads back the same.
            let data = Value::Object(env.data().clone());
            if text_size(&data) >= ROUND_TRIP_LIMIT || has_line_separator(&data) {
                return Ok(());
            }
            let written = crate::output::yaml::dump(&Value::Object(env.data().clone()));
            match parse_environment("dev", &written) {
                Ok(again) if again.data() == env.data() => Ok(()),
                other => Err(format!(
                    "rewritten environment does not read back the same: {} -> {other:?}",
                    excerpt(&written)
                )),
            }
        },
        String::clone,
    );
}

/// `-j` text and `-p` items; strings may carry a secret marker that no error may show.
const SECRET: &str = "S3CR3T";

#[test]
fn request_parameters() {
    let seeds = corpus("json", &[]);
    run(
        "request_parameters",
        case_count(4000),
        move |rng, _| {
            let json = match rng.below(4) {
                0 => None,
                1 => {
                    let seed = rng.pick(&seeds).clone();
                    Some(mutate_text(
                        rng,
                        &seed,
                        &seeds,
                        &["{", "}", "[", "\"", ",", ":", SECRET, "\\u", "1e999", "-"],
                    ))
                }
                _ => {
                    let mut v = grammar::json_value(
                        rng,
                        4,
                        &["secret_data", "options", "query"],
                        &[SECRET],
                    );
                    if rng.one_in(2) {
                        v = json!({ "secret_data": {"api_key": SECRET}, "x": v });
                    }
                    let text = v.to_string();
                    Some(if rng.one_in(2) {
                        String::from_utf8_lossy(&mutate(
                            rng,
                            text.as_bytes(),
                            &[],
                            &[",", "}", "\""],
                        ))
                        .into_owned()
                    } else {
                        text
                    })
                }
            };
            let params: Vec<String> = (0..rng.below(4))
                .map(|_| {
                    let parts: Vec<&str> = (0..1 + rng.below(3))
                        .map(|_| *rng.pick(&["k", "a.b", "", "v", SECRET, "x y", "é"]))
                        .collect();
                    parts.join("=")
                })
                .collect();
            (json, params)
        },
        |(json, params): &(Option<String>, Vec<String>)| match crate::request::params::merge(
            None,
            json.as_deref(),
            params,
        ) {
            Err(e) => {
                let text = e.to_string();
                let from_params = params
                    .iter()
                    .any(|p| text.contains(p.as_str()) && p.contains(SECRET));
                if text.contains(SECRET) && !from_params {
                    return Err(format!("the error shows the -j text: {text}"));
                }
                if text.contains('\n') {
                    return Err(format!("error spans several lines: {text}"));
                }
                Ok(())
            }
            Ok(map) => {
                for p in params {
                    let Some((k, v)) = p.split_once('=') else {
                        return Err(format!("-p {p} without '=' was accepted"));
                    };
                    if v.contains('=') {
                        return Err(format!("-p {p} with two '=' was accepted"));
                    }
                    if !map.contains_key(k) {
                        return Err(format!("-p {p} is missing from {map:?}"));
                    }
                }
                Ok(())
            }
        },
        |(json, params)| format!("-j {json:?} -p {params:?}"),
    );
}

const METADATA_KEYS: &[&str] = &[
    "search",
    "table",
    "tabs",
    "widget",
    "query_sets",
    "fields",
    "name",
    "key",
    "type",
    "options",
    "sort",
    "desc",
    "default_filter",
    "items",
    "root_path",
    "unwind",
    "default_sort",
    "labels",
    "enums",
    "is_optional",
    "default",
    "field_description",
    "reference_key",
    "source_type",
    "source_format",
    "display_format",
    "display_unit",
    "source_unit",
    "delimiter",
    "sub_key",
    "layout",
    "popup_key",
    "popup_type",
    "popup_name",
    "link",
    "color",
    "text_color",
    "icon",
    "image_url",
    "width",
    "height",
    "outline_color",
    "shape",
    "is_multiple",
    "enum",
    "Name",
    "0",
    "10",
    "2",
    "data_type",
    "operator",
    "value",
    "label",
    "more",
    "sub_data",
];
const METADATA_STRINGS: &[&str] = &[
    "text",
    "badge",
    "datetime",
    "state",
    "enum",
    "size",
    "dict",
    "list",
    "table",
    "item",
    "raw",
    "html",
    "markdown",
    "more",
    "progress",
    "image",
    "query-search-table",
    "data.name",
    "name",
    "iso8601",
    "timestamp",
    "BYTES",
    "GB",
    "green",
    "red.500",
    "list",
    "in",
    "fields",
    "true",
];

#[test]
fn metadata_converter() {
    let seeds = corpus(
        "metadata",
        &["tests/data/metadata", "tests/data/metadata/errors"],
    );
    run(
        "metadata_converter",
        case_count(5000),
        move |rng, _| {
            if rng.one_in(2) {
                let seed = rng.pick(&seeds).clone();
                Err(mutate_text(rng, &seed, &seeds, YAML_TOKENS))
            } else {
                let mut doc = grammar::json_value(rng, 6, METADATA_KEYS, METADATA_STRINGS);
                if rng.one_in(2) {
                    let fields = grammar::json_value(rng, 4, METADATA_KEYS, METADATA_STRINGS);
                    doc = json!({"search": {"fields": [fields.clone()]}, "table": {"fields": [fields]}, "tabs": {"0": doc}});
                }
                Ok(doc)
            }
        },
        |case: &Result<Value, String>| {
            use crate::plugin::kinds::collector::metadata::{
                convert, convert_file_text, to_json_string,
            };
            let view = match case {
                Ok(doc) => convert(doc).map_err(|e| e.to_string()),
                Err(text) => convert_file_text("fuzz.yaml", text).map_err(|e| e.to_string()),
            };
            if let Ok(view) = view {
                let text = to_json_string(&view);
                if serde_json::from_str::<Value>(&text).is_err() {
                    return Err(format!("the view is not JSON: {}", excerpt(&text)));
                }
            }
            Ok(())
        },
        |case| match case {
            Ok(doc) => doc.to_string(),
            Err(text) => text.clone(),
        },
    );
}

const MANIFEST_KEYS: &[&str] = &[
    "import",
    "var",
    "env",
    "tasks",
    "id",
    "name",
    "uses",
    "spec",
    "if",
    "loop",
    "sub_tasks",
    "debug",
    "resource_type",
    "data",
    "matches",
    "mode",
    "verb",
    "output",
    "template",
];
const MANIFEST_STRINGS: &[&str] = &[
    "@modules/resource",
    "@modules/shell",
    "@modules/print",
    "@modules/export-excel",
    "main.yaml",
    "other.yaml",
    "sub/main.yaml",
    "../main.yaml",
    "./other.yaml",
    "${{ var.x }}",
    "${{ x | to_data }}",
    "{{ env.HOME }}",
    "identity.Provider",
    "DEFAULT",
    "NO_UPDATE",
    "EXEC",
    "${{",
    "}}",
];

#[test]
fn apply_manifests() {
    let seeds = corpus("manifest", &["tests/data/apply"]);
    run(
        "apply_manifests",
        case_count(2000),
        move |rng, _| {
            let mut files = HashMap::new();
            for name in ["main.yaml", "other.yaml"] {
                let text = if rng.one_in(2) {
                    let seed = rng.pick(&seeds).clone();
                    mutate_text(
                        rng,
                        &seed,
                        &seeds,
                        &[
                            "import:\n  - main.yaml\n",
                            "- sub/main.yaml\n",
                            "tasks:\n",
                            "  - uses: ",
                            "${{ ",
                            " }}",
                        ],
                    )
                } else {
                    let mut doc = Map::new();
                    for key in ["import", "var", "env", "tasks"] {
                        if rng.one_in(2) {
                            doc.insert(
                                key.to_string(),
                                grammar::json_value(rng, 5, MANIFEST_KEYS, MANIFEST_STRINGS),
                            );
                        }
                    }
                    if rng.one_in(2) {
                        let imports: Vec<Value> = (0..rng.below(3))
                            .map(|_| json!(rng.pick(MANIFEST_STRINGS)))
                            .collect();
                        doc.insert("import".into(), Value::Array(imports));
                    }
                    crate::output::yaml::dump(&Value::Object(doc))
                };
                files.insert(name.to_string(), text);
            }
            files
        },
        |files: &HashMap<String, String>| {
            // Files are found by name in any directory, as behind a `sub -> .` link.
            let mut read = |p: &Path| -> Result<String, String> {
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                files
                    .get(&name)
                    .cloned()
                    .ok_or_else(|| "No such file or directory".to_string())
            };
            let parse = |text: &str| yaml11::load(text);
            let mut store = crate::apply::store::Store::new(Vec::<(String, String)>::new());
            let _ = crate::apply::manifest::load(
                &PathBuf::from("main.yaml"),
                &mut store,
                &mut read,
                &parse,
            );
            Ok(())
        },
        |files| format!("{files:?}"),
    );
}

const PROTOCOL_KEYS: &[&str] = &[
    "id",
    "result",
    "item",
    "done",
    "error",
    "ready",
    "startup_error",
    "protocol",
    "routes",
    "package_dir",
    "message",
    "exit_code",
    "status",
    "code",
    "log",
    "level",
    "concurrency",
];
const PROTOCOL_STRINGS: &[&str] = &[
    "Collector.init",
    "INTERNAL",
    "INVALID_ARGUMENT",
    "ERROR_UNKNOWN",
    "boom",
    "/tmp/plugin",
    "UNAVAILABLE",
    "NOT_A_STATUS",
];

#[test]
fn handler_protocol() {
    let seeds = corpus("protocol", &[]);
    run(
        "handler_protocol",
        case_count(6000),
        move |rng, _| {
            let line = if rng.one_in(3) {
                let seed = rng.pick(&seeds).clone();
                mutate(
                    rng,
                    &seed,
                    &seeds,
                    &["{", "}", "\"id\":", "1", "-1", "1e400", "null", "\"", "\\"],
                )
            } else {
                let mut v = grammar::json_value(rng, 5, PROTOCOL_KEYS, PROTOCOL_STRINGS);
                if rng.one_in(2)
                    && let Value::Object(m) = &mut v
                {
                    m.insert("id".into(), json!(rng.below(3)));
                }
                serde_json::to_vec(&v).unwrap_or_default()
            };
            let command: String = (0..rng.below(8))
                .map(|_| *rng.pick(&["a", " ", "'", "\"", "\\", "$", "`", "\t", "é", "b c"]))
                .collect();
            (line, command)
        },
        |(line, command): &(Vec<u8>, String)| {
            use crate::plugin::host::handler::protocol::{
                error_from_value, parse_hello, parse_reply, split_command,
            };
            let _ = parse_hello(line);
            if let Ok((id, _)) = parse_reply(line.as_slice()) {
                assert!(id > 0, "a reply was accepted with id {id}");
            }
            if let Ok(v) = serde_json::from_slice::<Value>(line) {
                let _ = error_from_value(&v);
                if let Some(e) = v.get("error") {
                    let _ = error_from_value(e);
                }
            }
            let _ = split_command(command);
            Ok(())
        },
        |(line, command)| format!("line {} command {command:?}", String::from_utf8_lossy(line)),
    );
}

#[test]
fn endpoint_urls() {
    const PARTS: &[&str] = &[
        "grpc",
        "grpc+ssl",
        "GRPC",
        "http",
        "://",
        ":",
        "/",
        "[",
        "]",
        "::1",
        "localhost",
        "127.0.0.1",
        "50051",
        "0",
        "65536",
        "@",
        "?",
        "#",
        " ",
        "é",
        "h",
        "-",
        "+5",
        "",
    ];
    run(
        "endpoint_urls",
        case_count(4000),
        |rng, _| {
            (0..rng.below(8))
                .map(|_| *rng.pick(PARTS))
                .collect::<String>()
        },
        |url: &String| {
            match crate::config::validate_endpoint_url(url) {
                Ok(u) => {
                    let again = crate::config::validate_endpoint_url(&format!(
                        "{}://{}",
                        u.scheme(),
                        u.target()
                    ));
                    if again.as_ref() != Ok(&u) {
                        return Err(format!(
                            "{u:?} does not read back from its own text: {again:?}"
                        ));
                    }
                }
                Err(e) => one_bounded_line(&e.to_string(), ERROR_LIMIT + url.len())?,
            }
            Ok(())
        },
        String::clone,
    );
}
