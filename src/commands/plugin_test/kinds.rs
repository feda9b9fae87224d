//! `plugin test` for the plugin kinds besides the collector: the project's
//! request files say which routes to call (first line `# spacectl exec VERB
//! plugin.SERVICE -f FILE`, as `create-project` writes them); the routes tell the
//! kind. Each route is called with its file (in the kind's route order), then
//! with an empty request, which must fail with `ERROR_REQUIRED_PARAMETER` (every
//! route of every kind has required parameters). The host checks the answers
//! against the kind's models, so an answer that arrives is well-formed.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::plugin::kinds::{self, KindSpec, Route};

/// One request file of the project.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestFile {
    pub route: String,
    pub path: PathBuf,
}

/// The route a request file is for, from its first line.
pub fn route_of(text: &str) -> Option<String> {
    let first = text.lines().next()?;
    let words: Vec<&str> = first.split_whitespace().collect();
    match words.as_slice() {
        [
            "#",
            "spacectl" | "spaceone",
            "exec",
            verb,
            resource,
            "-f",
            _,
        ] => {
            let service = resource.strip_prefix("plugin.")?;
            Some(format!("{service}.{verb}"))
        }
        _ => None,
    }
}

/// The request files in `dirs` (first directory first, each sorted by name;
/// a route found twice keeps its first file).
pub fn request_files(dirs: &[&Path]) -> Vec<RequestFile> {
    let mut out: Vec<RequestFile> = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect();
        paths.sort();
        for path in paths {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            if let Some(route) = route_of(&text)
                && !out.iter().any(|f| f.route == route)
            {
                out.push(RequestFile { route, path });
            }
        }
    }
    out
}

/// What to call: the kind, and per route of its table (in order) the request
/// file, if the project has one.
pub struct Plan {
    pub kind: &'static KindSpec,
    pub calls: Vec<(&'static Route, Option<PathBuf>)>,
}

/// The plan for a project's request files; `None` when they are a collector's
/// (or there are none), `Err` when their routes fit no single kind.
pub fn plan(files: &[RequestFile], named: Option<&str>) -> Result<Option<Plan>, String> {
    let routes: Vec<String> = files.iter().map(|f| f.route.clone()).collect();
    let kind = kinds::select(named, &routes)?;
    if std::ptr::eq(kind, &kinds::collector::KIND) {
        return Ok(None);
    }
    let calls = kind
        .routes
        .iter()
        .map(|r| {
            let method = r.method();
            (
                r,
                files
                    .iter()
                    .find(|f| f.route == method)
                    .map(|f| f.path.clone()),
            )
        })
        .collect();
    Ok(Some(Plan { kind, calls }))
}

/// Whether an empty request was refused the way every route must refuse it
/// (the client shows `ERROR_REQUIRED_PARAMETER`'s message).
pub fn refusal_ok(error: &str) -> bool {
    error.contains("Required parameter. (key = ")
}

impl Plan {
    /// What the report's request line says: the kind and its request files.
    pub fn describe(&self, shown: impl Fn(&Path) -> String) -> String {
        let files: Vec<String> = self
            .calls
            .iter()
            .filter_map(|(_, f)| f.as_deref().map(&shown))
            .collect();
        format!(
            "{} routes from {}",
            self.kind.title,
            if files.is_empty() {
                "no files".to_string()
            } else {
                files.join(", ")
            }
        )
    }
}

/// An empty request dict.
pub fn empty() -> Map<String, Value> {
    Map::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_file_headers() {
        assert_eq!(
            route_of("# spacectl exec parse plugin.Event -f parse.yaml\noptions: {}\n").as_deref(),
            Some("Event.parse")
        );
        assert_eq!(
            route_of("# spaceone exec sync plugin.AccountCollector -f s.yaml").as_deref(),
            Some("AccountCollector.sync")
        );
        assert_eq!(route_of("options: {}\n"), None);
        assert_eq!(
            route_of("# spacectl exec init identity.Provider -f x.yaml"),
            None
        );
    }

    #[test]
    fn plans_follow_the_kinds_route_order() {
        let files = vec![
            RequestFile {
                route: "Event.parse".into(),
                path: "parse.yaml".into(),
            },
            RequestFile {
                route: "Webhook.init".into(),
                path: "init.yaml".into(),
            },
        ];
        let p = plan(&files, None).unwrap().unwrap();
        assert_eq!(p.kind.name, "webhook");
        let order: Vec<(String, Option<String>)> = p
            .calls
            .iter()
            .map(|(r, f)| (r.method(), f.as_ref().map(|f| f.display().to_string())))
            .collect();
        assert_eq!(
            order,
            [
                ("Webhook.init".to_string(), Some("init.yaml".to_string())),
                ("Webhook.verify".to_string(), None),
                ("Event.parse".to_string(), Some("parse.yaml".to_string())),
            ]
        );
        let collector = vec![RequestFile {
            route: "Collector.init".into(),
            path: "init.yaml".into(),
        }];
        assert!(plan(&collector, None).unwrap().is_none());
        assert!(plan(&[], None).unwrap().is_none());
        assert!(refusal_ok("Required parameter. (key = options)"));
        assert!(!refusal_ok("'NoneType' object is not callable"));
        assert_eq!(
            p.describe(|p| p.display().to_string()),
            "monitoring webhook routes from init.yaml, parse.yaml"
        );
    }
}
