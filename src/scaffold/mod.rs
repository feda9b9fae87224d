//! `create-project`: new plugin projects from the templates embedded in the
//! binary (`templates/<kind>/`).
//!
//! A template is a directory tree whose file contents and path components
//! contain `{{ variable }}` placeholders ([`render`]); the variables come from
//! the project's [`Names`]. Files named `dot-*` are written as `.*`. Besides
//! the template files every project gets `src/spaceone_plugin_sdk.py`, the same
//! bytes as the SDK the plugin host embeds, so a project and the host that
//! serves it never disagree.
//!
//! Two layouts, chosen by where NAME points:
//!
//! * **project** (`create-project demo`): NAME is the project root; the plugin
//!   package is `src/plugin` inside it.
//! * **package** (`create-project src/plugin`, or `create-project plugin -d src`,
//!   the upstream form): when NAME's parent directory is named `src`, NAME is
//!   the plugin package itself and the project files go to the directory that
//!   holds `src`. Existing files there are kept, never overwritten.
//!
//! In both layouts the directory NAME must not exist; missing parents are created.

pub mod names;
pub mod render;

use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use include_dir::{Dir, include_dir};

use crate::plugin::host::handler::python::{SDK_FILE_NAME, SDK_SOURCE};
use crate::plugin::kinds;

/// File name of the SDK module of the other kinds (next to the SDK in `src/`).
pub const KINDS_SDK_FILE_NAME: &str = "spaceone_plugin_kinds.py";
/// The kinds SDK module: server classes and helpers of every kind besides the collector.
pub const KINDS_SDK_SOURCE: &str = crate::plugin::host::handler::python::KINDS_SOURCE;
pub use names::Names;

static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// The files every kind's project gets unless its own template has them: the
/// image (`Dockerfile`, `.dockerignore`) and its registration (`register.yaml`).
const IMAGE_TEMPLATE: &str = "_image";

/// Per kind: the end of its image name (`plugin-<provider>-<end>`, in the style
/// of SpaceONE's own plugin images) and the `service_type` its registration
/// names, the one the SpaceONE service using such plugins asks the repository for.
const KIND_IMAGES: &[(&str, &str, &str)] = &[
    ("asset", "inven-collector", "inventory.Collector"),
    ("external-auth", "identity-auth", "identity.Domain"),
    (
        "account-collector",
        "account-collector",
        "identity.AccountCollector",
    ),
    ("cost", "cost-datasource", "cost_analysis.DataSource"),
    ("notification", "noti-protocol", "notification.Protocol"),
    ("webhook", "mon-webhook", "monitoring.Webhook"),
    ("metric", "metric-datasource", "monitoring.DataSource"),
    ("log", "log-datasource", "monitoring.DataSource"),
];

/// Package name of a project-layout project (what `run plugin-server plugin` serves).
pub const DEFAULT_PACKAGE: &str = "plugin";
/// The directory that holds the plugin package.
pub const SOURCE_DIR: &str = "src";

/// The kinds of project that can be created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Inventory collector (`spaceone.inventory.plugin.collector`).
    Asset,
    /// Another plugin kind, by its name in [`crate::plugin::kinds`]
    /// (`templates/<name>/`).
    Other(&'static str),
}

impl Kind {
    /// The template directory under `templates/`.
    pub fn template_dir(self) -> &'static str {
        match self {
            Kind::Asset => "asset",
            Kind::Other(name) => name,
        }
    }

    /// The image name end and the registration's service type.
    fn image(self) -> (&'static str, &'static str) {
        KIND_IMAGES
            .iter()
            .find(|(name, _, _)| *name == self.template_dir())
            .map_or(("plugin", "plugin"), |(_, end, service_type)| {
                (end, service_type)
            })
    }

    pub fn description(self) -> &'static str {
        match self {
            Kind::Asset => "inventory collector",
            Kind::Other(name) => kinds::find(name).map_or(name, |k| k.title),
        }
    }
}

/// The module path upstream's `create-project` takes for the collector
/// skeleton, accepted for it too.
const COLLECTOR_SKELETON: &str = "spaceone.inventory.plugin.collector.skeleton";

/// Upstream kinds that have no template here, with what they are.
const UNAVAILABLE_KINDS: &[(&str, &str)] =
    &[("spaceone.core.skeleton", "SpaceONE micro-service skeleton")];

/// The kinds `-s` accepts, for error messages.
fn available_kinds() -> String {
    let mut out = Vec::new();
    for k in kinds::KINDS {
        if TEMPLATES.get_dir(k.name).is_none() {
            continue;
        }
        let mut aliases = k.aliases.to_vec();
        if is_collector(k) {
            aliases.push(COLLECTOR_SKELETON);
        }
        if aliases.is_empty() {
            out.push(format!("{} ({})", k.name, k.title));
        } else {
            out.push(format!(
                "{} ({}; also accepted as {})",
                k.name,
                k.title,
                aliases.join(" or ")
            ));
        }
    }
    out.join(", ")
}

fn is_collector(k: &kinds::KindSpec) -> bool {
    std::ptr::eq(k, &kinds::collector::KIND)
}

/// The kind for a `-s` value (`None`: the default, `asset`).
pub fn parse_kind(source: Option<&str>) -> Result<Kind, String> {
    let Some(value) = source else {
        return Ok(Kind::Asset);
    };
    if value == COLLECTOR_SKELETON {
        return Ok(Kind::Asset);
    }
    let other = kinds::find(value);
    if other.is_some_and(is_collector) {
        return Ok(Kind::Asset);
    }
    if let Some(k) = other.filter(|k| TEMPLATES.get_dir(k.name).is_some()) {
        return Ok(Kind::Other(k.name));
    }
    let available = available_kinds();
    if let Some(k) = other {
        return Err(format!(
            "Project kind '{value}' ({}) has no project template yet. Available: {available}.",
            k.title
        ));
    }
    match UNAVAILABLE_KINDS.iter().find(|(n, _)| *n == value) {
        Some((_, what)) => Err(format!(
            "Project kind '{value}' ({what}) is not available. Available: {available}."
        )),
        None => Err(format!(
            "Project kind '{value}' is unknown. Available: {available}."
        )),
    }
}

/// One file of a new project, relative to the project root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    pub path: PathBuf,
    pub contents: Vec<u8>,
}

fn collect_files<'a>(dir: &'a Dir<'a>, out: &mut Vec<&'a include_dir::File<'a>>) {
    for entry in dir.entries() {
        match entry {
            include_dir::DirEntry::Dir(d) => collect_files(d, out),
            include_dir::DirEntry::File(f) => out.push(f),
        }
    }
}

/// Every file of a new project of `kind` (pure: rendered from the embedded
/// templates), sorted by path. The SDK comes last at `src/spaceone_plugin_sdk.py`.
pub fn plan(kind: Kind, names: &Names) -> Result<Vec<PlannedFile>, String> {
    let root = TEMPLATES
        .get_dir(kind.template_dir())
        .ok_or_else(|| format!("the {} template is missing", kind.template_dir()))?;
    let mut files: Vec<(&Dir, &include_dir::File)> = Vec::new();
    let mut own = Vec::new();
    collect_files(root, &mut own);
    files.extend(own.into_iter().map(|f| (root, f)));
    if let Some(common) = TEMPLATES.get_dir(IMAGE_TEMPLATE) {
        let mut shared = Vec::new();
        collect_files(common, &mut shared);
        for f in shared {
            let relative = f.path().strip_prefix(common.path()).unwrap_or(f.path());
            if root.get_file(root.path().join(relative)).is_none() {
                files.push((common, f));
            }
        }
    }
    let (image_end, service_type) = kind.image();
    let mut vars = names.vars();
    for (key, value) in vars.iter_mut() {
        if *key == "image_name" {
            *value = names::image_name(&names.provider, image_end);
        }
    }
    vars.push(("kind_title", kind.description().to_string()));
    vars.push(("service_type", service_type.to_string()));
    let mut planned = Vec::with_capacity(files.len() + 1);
    for (root, file) in files {
        let relative = file.path().strip_prefix(root.path()).map_err(|_| {
            format!(
                "template file {} is outside its kind",
                file.path().display()
            )
        })?;
        let template_path = relative.to_string_lossy().replace('\\', "/");
        let path = render::render_path(&template_path, &vars)?;
        let text = file
            .contents_utf8()
            .ok_or_else(|| format!("template file {template_path} is not UTF-8"))?;
        let contents = render::render(text, &vars)
            .map_err(|e| format!("template file {template_path}: {e}"))?
            .into_bytes();
        planned.push(PlannedFile { path, contents });
    }
    planned.sort_by(|a, b| a.path.cmp(&b.path));
    planned.push(PlannedFile {
        path: Path::new(SOURCE_DIR).join(SDK_FILE_NAME),
        contents: SDK_SOURCE.as_bytes().to_vec(),
    });
    if kind != Kind::Asset {
        planned.push(PlannedFile {
            path: Path::new(SOURCE_DIR).join(KINDS_SDK_FILE_NAME),
            contents: KINDS_SDK_SOURCE.as_bytes().to_vec(),
        });
    }
    Ok(planned)
}

/// Where the project goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// NAME is the project root.
    Project,
    /// NAME is the plugin package inside `<root>/src`.
    Package,
}

/// What `create-project` was asked for.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub name: String,
    pub directory: Option<PathBuf>,
    pub source: Option<String>,
    pub provider: Option<String>,
    pub group: Option<String>,
    pub type_name: Option<String>,
}

/// Where a new project goes and how its names were resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub kind: Kind,
    pub layout: Layout,
    /// The directory that must not exist yet (NAME).
    pub new_dir: PathBuf,
    /// The project root (holds `src/`).
    pub root: PathBuf,
    pub names: Names,
}

impl Target {
    /// The plugin package directory.
    pub fn package_dir(&self) -> PathBuf {
        self.root.join(SOURCE_DIR).join(&self.names.package)
    }
}

/// `.` and `..` resolved without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Resolve NAME, `-d` and the options against `cwd` (pure: no file system access).
pub fn resolve_target(req: &Request, cwd: &Path) -> Result<Target, String> {
    let kind = parse_kind(req.source.as_deref())?;
    if req.name.is_empty() {
        return Err("The project name is empty.".to_string());
    }
    let base = match &req.directory {
        Some(d) => cwd.join(d),
        None => cwd.to_path_buf(),
    };
    let ends_in_name = matches!(
        Path::new(&req.name).components().next_back(),
        Some(Component::Normal(_))
    );
    let new_dir = normalize(&base.join(&req.name));
    let leaf = new_dir
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|_| ends_in_name)
        .ok_or_else(|| {
            format!(
                "The project name '{}' does not end in a directory name.",
                req.name
            )
        })?
        .to_string();
    let parent = new_dir.parent().map(Path::to_path_buf).unwrap_or_default();
    let in_src = parent.file_name().is_some_and(|n| n == SOURCE_DIR);
    let (layout, root, project_name, package) = if in_src {
        let root = parent.parent().map(Path::to_path_buf).unwrap_or_default();
        // The root directory's name gives the defaults; a name that cannot be
        // used for them falls back to the package name.
        let project_name = root
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| names::check_project_name(n).is_ok())
            .unwrap_or(&leaf)
            .to_string();
        (Layout::Package, root, project_name, leaf)
    } else {
        (
            Layout::Project,
            new_dir.clone(),
            leaf,
            DEFAULT_PACKAGE.to_string(),
        )
    };
    let names = names::resolve(
        &project_name,
        &package,
        req.provider.as_deref(),
        req.group.as_deref(),
        req.type_name.as_deref(),
    )?;
    Ok(Target {
        kind,
        layout,
        new_dir,
        root,
        names,
    })
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub target: Target,
    /// Files written, absolute.
    pub written: Vec<PathBuf>,
    /// Files that existed already and were kept (package layout only).
    pub kept: Vec<PathBuf>,
}

/// Write a new project. Nothing is overwritten: the NAME directory must not
/// exist (checked atomically by creating it), and in the package layout files
/// that already exist outside it are kept. On a write error the NAME directory
/// is removed again.
pub fn create(req: &Request, cwd: &Path) -> Result<Created, String> {
    let target = resolve_target(req, cwd)?;
    let files = plan(target.kind, &target.names)?;
    if let Some(parent) = target.new_dir.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| format!("Cannot create the directory {}: {e}", parent.display()))?;
    }
    match fs::create_dir(&target.new_dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(format!(
                "Cannot create the project: {} already exists.",
                target.new_dir.display()
            ));
        }
        Err(e) => {
            return Err(format!(
                "Cannot create the directory {}: {e}",
                target.new_dir.display()
            ));
        }
    }
    match write_files(&target, &files) {
        Ok((written, kept)) => Ok(Created {
            target,
            written,
            kept,
        }),
        Err(e) => {
            let _ = fs::remove_dir_all(&target.new_dir);
            Err(e)
        }
    }
}

type Written = (Vec<PathBuf>, Vec<PathBuf>);

fn write_files(target: &Target, files: &[PlannedFile]) -> Result<Written, String> {
    let mut written = Vec::new();
    let mut kept = Vec::new();
    for file in files {
        let path = target.root.join(&file.path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .map_err(|e| format!("Cannot create the directory {}: {e}", parent.display()))?;
        }
        let inside_new = path.starts_with(&target.new_dir);
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        match options.open(&path) {
            Ok(mut f) => {
                f.write_all(&file.contents)
                    .map_err(|e| format!("Cannot write {}: {e}", path.display()))?;
                written.push(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && !inside_new => {
                kept.push(path);
            }
            Err(e) => return Err(format!("Cannot write {}: {e}", path.display())),
        }
    }
    Ok((written, kept))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(name: &str) -> Request {
        Request {
            name: name.to_string(),
            ..Request::default()
        }
    }

    fn demo_names() -> Names {
        names::resolve("demo", "plugin", None, None, None).unwrap()
    }

    #[test]
    fn kinds_and_their_errors() {
        assert_eq!(parse_kind(None), Ok(Kind::Asset));
        assert_eq!(parse_kind(Some("asset")), Ok(Kind::Asset));
        assert_eq!(
            parse_kind(Some("spaceone.inventory.plugin.collector.skeleton")),
            Ok(Kind::Asset)
        );
        assert_eq!(parse_kind(Some("webhook")), Ok(Kind::Other("webhook")));
        assert_eq!(parse_kind(Some("auth")), Ok(Kind::Other("external-auth")));
        assert_eq!(
            Kind::Other("external-auth").description(),
            "identity external auth"
        );
        let available = "asset (inventory collector; also accepted as collector or spaceone.inventory.plugin.collector.skeleton), external-auth (identity external auth; also accepted as auth), account-collector (identity account collector), cost (cost data source), notification (notification protocol), webhook (monitoring webhook), metric (monitoring metric data source), log (monitoring log data source)";
        assert_eq!(parse_kind(Some("metric")), Ok(Kind::Other("metric")));
        assert_eq!(
            parse_kind(Some("bogus")).unwrap_err(),
            format!("Project kind 'bogus' is unknown. Available: {available}.")
        );
        assert_eq!(
            parse_kind(Some("spaceone.core.skeleton")).unwrap_err(),
            format!(
                "Project kind 'spaceone.core.skeleton' (SpaceONE micro-service skeleton) is not available. Available: {available}."
            )
        );
    }

    #[test]
    fn layouts_follow_the_parent_directory() {
        let cwd = Path::new("/work/here");
        let t = resolve_target(&req("demo"), cwd).unwrap();
        assert_eq!(t.layout, Layout::Project);
        assert_eq!(t.new_dir, PathBuf::from("/work/here/demo"));
        assert_eq!(t.root, PathBuf::from("/work/here/demo"));
        assert_eq!(t.package_dir(), PathBuf::from("/work/here/demo/src/plugin"));
        assert_eq!(t.names.provider, "demo");

        let t = resolve_target(
            &req("src/plugin"),
            Path::new("/r/plugin-portfolio-inven-collector"),
        )
        .unwrap();
        assert_eq!(t.layout, Layout::Package);
        assert_eq!(t.root, PathBuf::from("/r/plugin-portfolio-inven-collector"));
        assert_eq!(t.new_dir, t.package_dir());
        assert_eq!(
            (t.names.provider.as_str(), t.names.group.as_str()),
            ("portfolio", "Portfolio")
        );

        let mut r = req("my_pkg");
        r.directory = Some(PathBuf::from("proj/./src"));
        let t = resolve_target(&r, Path::new("/w")).unwrap();
        assert_eq!(t.layout, Layout::Package);
        assert_eq!(t.new_dir, PathBuf::from("/w/proj/src/my_pkg"));
        assert_eq!(t.names.package, "my_pkg");
        assert_eq!(t.names.project_name, "proj");

        let mut r = req("x/../demo2");
        r.directory = Some(PathBuf::from("/abs"));
        assert_eq!(
            resolve_target(&r, Path::new("/w")).unwrap().new_dir,
            PathBuf::from("/abs/demo2")
        );
    }

    #[test]
    fn bad_names_are_refused() {
        let cwd = Path::new("/w");
        assert_eq!(
            resolve_target(&req(".."), cwd).unwrap_err(),
            "The project name '..' does not end in a directory name."
        );
        assert_eq!(
            resolve_target(&req(""), cwd).unwrap_err(),
            "The project name is empty."
        );
        assert!(
            resolve_target(&req("src/my-plugin"), cwd)
                .unwrap_err()
                .starts_with("Package name 'my-plugin' is invalid")
        );
        let mut r = req("demo");
        r.source = Some("spaceone.core.skeleton".into());
        assert!(
            resolve_target(&r, cwd)
                .unwrap_err()
                .starts_with("Project kind 'spaceone.core.skeleton' (SpaceONE micro-service skeleton) is not available.")
        );
    }

    #[test]
    fn each_kind_plan_covers_its_routes_and_is_fully_rendered() {
        let mut with_template = Vec::new();
        for k in kinds::KINDS.iter().filter(|k| !is_collector(k)) {
            let Ok(kind) = parse_kind(Some(k.name)) else {
                continue;
            };
            with_template.push(k.name);
            let files = plan(kind, &demo_names()).unwrap();
            let text = |path: &str| {
                files
                    .iter()
                    .find(|f| f.path == Path::new(path))
                    .map(|f| String::from_utf8(f.contents.clone()).unwrap())
                    .unwrap_or_else(|| panic!("{}: no {path}", k.name))
            };
            for f in &files {
                let t = String::from_utf8(f.contents.clone()).unwrap();
                assert!(
                    !t.contains("{{"),
                    "{}: {} keeps a placeholder",
                    k.name,
                    f.path.display()
                );
            }
            let last: Vec<String> = files[files.len() - 2..]
                .iter()
                .map(|f| f.path.display().to_string())
                .collect();
            assert_eq!(
                last,
                ["src/spaceone_plugin_sdk.py", "src/spaceone_plugin_kinds.py"]
            );
            let main = text("src/plugin/main.py");
            for r in k.routes {
                assert!(
                    main.contains(&format!("@app.route(\"{}\")", r.method())),
                    "{}: {}",
                    k.name,
                    r.method()
                );
                let header = format!("# spacectl exec {} plugin.{} -f ", r.verb, r.service);
                assert!(
                    files
                        .iter()
                        .any(|f| String::from_utf8_lossy(&f.contents).starts_with(&header)),
                    "{}: no request file for {}",
                    k.name,
                    r.method()
                );
            }
            assert!(text("Dockerfile").contains(
                "ENTRYPOINT [\"spaceone\"]\nCMD [\"run\", \"plugin-server\", \"plugin\"]\n"
            ));
            assert_eq!(text("VERSION"), "0.1.0\n");
            assert!(text("README.md").starts_with("# demo\n"));
        }
        assert_eq!(
            with_template,
            [
                "external-auth",
                "account-collector",
                "cost",
                "notification",
                "webhook",
                "metric",
                "log"
            ]
        );
        assert!(KINDS_SDK_SOURCE.contains("class WebhookPluginServer(PluginServer):"));
    }

    #[test]
    fn the_asset_plan_is_complete_and_fully_rendered() {
        let files = plan(Kind::Asset, &demo_names()).unwrap();
        let paths: Vec<String> = files.iter().map(|f| f.path.display().to_string()).collect();
        assert_eq!(
            paths,
            [
                ".dockerignore",
                ".gitignore",
                "Dockerfile",
                "README.md",
                "VERSION",
                "collect.yaml",
                "init.yaml",
                "pkg/pip_requirements.txt",
                "register.yaml",
                "src/plugin/__init__.py",
                "src/plugin/connector/__init__.py",
                "src/plugin/connector/resource_connector.py",
                "src/plugin/main.py",
                "src/plugin/manager/__init__.py",
                "src/plugin/manager/resource_manager.py",
                "src/plugin/metadata/demo/resource.yaml",
                "verify.yaml",
                "src/spaceone_plugin_sdk.py",
            ]
        );
        for f in &files {
            let text = String::from_utf8(f.contents.clone()).unwrap();
            assert!(
                !text.contains("{{"),
                "{} keeps a placeholder",
                f.path.display()
            );
        }
        let main = files.iter().find(|f| f.path.ends_with("main.py")).unwrap();
        let main = String::from_utf8(main.contents.clone()).unwrap();
        assert!(main.contains("from plugin.manager.resource_manager import ResourceManager\n"));
        for route in [
            "Collector.init",
            "Collector.verify",
            "Collector.collect",
            "Job.get_tasks",
        ] {
            assert!(
                main.contains(&format!("@app.route(\"{route}\")")),
                "{route}"
            );
        }
        let docker = files
            .iter()
            .find(|f| f.path.ends_with("Dockerfile"))
            .unwrap();
        let docker = String::from_utf8(docker.contents.clone()).unwrap();
        assert!(
            docker.contains(
                "ENTRYPOINT [\"spaceone\"]\nCMD [\"run\", \"plugin-server\", \"plugin\"]\n"
            )
        );
        assert!(docker.contains("ENV SPACEONE_PORT=50051"));
    }

    #[test]
    fn every_kind_gets_the_image_files_and_its_registration() {
        let mut seen = Vec::new();
        for k in kinds::KINDS {
            let kind = parse_kind(Some(k.name)).unwrap();
            let files = plan(kind, &demo_names()).unwrap();
            let text = |path: &str| {
                files
                    .iter()
                    .find(|f| f.path == Path::new(path))
                    .map(|f| String::from_utf8(f.contents.clone()).unwrap())
                    .unwrap_or_else(|| panic!("{}: no {path}", k.name))
            };
            let docker = text("Dockerfile");
            assert!(docker.contains("ARG BASE_IMAGE=python:3.12-slim\nFROM ${BASE_IMAGE}\n"));
            assert!(docker.contains("\nUSER 10001:10001\n"), "{}", k.name);
            assert!(docker.contains(kind.description()), "{}", k.name);
            assert!(text(".dockerignore").starts_with("# Only"));
            let (end, service_type) = kind.image();
            let register = text("register.yaml");
            let image = format!("plugin-demo-{end}");
            assert!(
                register.contains(&format!("\nimage: \"{image}\"\n")),
                "{register}"
            );
            assert!(
                register.contains(&format!("\nservice_type: {service_type}\n")),
                "{register}"
            );
            assert!(image.len() <= 40, "{image}: longer than a plugin id may be");
            assert_eq!(
                files
                    .iter()
                    .filter(|f| f.path == Path::new("Dockerfile"))
                    .count(),
                1
            );
            seen.push(kind.template_dir());
        }
        let mut listed: Vec<&str> = KIND_IMAGES.iter().map(|(n, _, _)| *n).collect();
        listed.sort();
        seen.sort();
        assert_eq!(listed, seen, "one KIND_IMAGES row per kind");
    }

    #[test]
    fn the_sdk_is_the_host_sdk_byte_for_byte() {
        let files = plan(Kind::Asset, &demo_names()).unwrap();
        let sdk = files
            .iter()
            .find(|f| f.path == Path::new("src/spaceone_plugin_sdk.py"))
            .unwrap();
        assert_eq!(sdk.contents, SDK_SOURCE.as_bytes());
        assert_eq!(
            SDK_SOURCE.as_bytes(),
            std::fs::read(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("src/plugin/host/handler/python/spaceone_plugin_sdk.py")
            )
            .unwrap()
        );
    }

    /// The embedded tree must be what is on disk (include_dir is not rebuilt
    /// when only template files change; touch this file to re-embed them).
    #[test]
    fn embedded_templates_match_the_source_tree() {
        fn walk(dir: &Path, base: &Path, out: &mut Vec<(String, Vec<u8>)>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, base, out);
                } else {
                    let rel = path
                        .strip_prefix(base)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/");
                    out.push((rel, std::fs::read(&path).unwrap()));
                }
            }
        }
        let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut on_disk = Vec::new();
        walk(&base, &base, &mut on_disk);
        on_disk.sort();
        let mut embedded: Vec<(String, Vec<u8>)> = Vec::new();
        let mut files = Vec::new();
        collect_files(&TEMPLATES, &mut files);
        for f in files {
            embedded.push((
                f.path().to_string_lossy().replace('\\', "/"),
                f.contents().to_vec(),
            ));
        }
        embedded.sort();
        assert!(
            embedded == on_disk,
            "templates/ changed since the binary was built: touch src/scaffold/mod.rs and rebuild"
        );
    }

    #[test]
    fn create_writes_a_project_and_refuses_an_existing_target() {
        let tmp = tempfile::tempdir().unwrap();
        let created = create(&req("deep/er/demo"), tmp.path()).unwrap();
        let root = tmp.path().join("deep/er/demo");
        assert_eq!(created.target.root, root);
        assert!(created.kept.is_empty());
        assert_eq!(created.written.len(), 18);
        assert!(root.join("src/plugin/main.py").is_file());
        assert!(root.join(".gitignore").is_file());
        let again = create(&req("deep/er/demo"), tmp.path()).unwrap_err();
        assert_eq!(
            again,
            format!(
                "Cannot create the project: {} already exists.",
                root.display()
            )
        );
    }

    #[test]
    fn package_layout_keeps_existing_project_files() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("plugin-acme-inven-collector");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join("README.md"), "mine\n").unwrap();
        let created = create(&req("src/plugin"), &root).unwrap();
        assert_eq!(created.target.layout, Layout::Package);
        assert_eq!(created.kept, vec![root.join("README.md")]);
        assert_eq!(
            std::fs::read_to_string(root.join("README.md")).unwrap(),
            "mine\n"
        );
        assert!(
            root.join("src/plugin/manager/resource_manager.py")
                .is_file()
        );
        assert!(
            root.join("src/plugin/metadata/acme/resource.yaml")
                .is_file()
        );
        assert!(root.join("src/spaceone_plugin_sdk.py").is_file());
        let manager =
            std::fs::read_to_string(root.join("src/plugin/manager/resource_manager.py")).unwrap();
        assert!(manager.contains("PROVIDER = \"acme\"\n"));
        assert!(
            create(&req("src/plugin"), &root)
                .unwrap_err()
                .ends_with("already exists.")
        );
    }
}
