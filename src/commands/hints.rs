//! Follow-up lines that tell what to do about an error (pure; the callers look
//! at the file system and pass what they found).

use std::path::{Path, PathBuf};

use crate::error::AppError;

/// The second line of `Endpoint is invalid. (...)`.
pub const ENDPOINT_FORM: &str =
    "Expected form: grpc://HOST:PORT or grpc+ssl://HOST:PORT (e.g. grpc://localhost:50051)";

/// The error with its follow-up line, for errors that have one: an invalid
/// endpoint URL keeps upstream's first line and gets the expected form below it.
pub fn with_hint(e: AppError) -> AppError {
    match e {
        AppError::Message(m) if m.starts_with("Endpoint is invalid.") && !m.contains('\n') => {
            AppError::Message(format!("{m}\n{ENDPOINT_FORM}"))
        }
        other => other,
    }
}

/// Virtualenv interpreters looked for in a project (relative to its root).
const VENV_PYTHONS: [&str; 3] = [".venv/bin/python", "venv/bin/python", "env/bin/python"];
/// Where upstream plugin projects list their Python packages.
const REQUIREMENTS: &str = "pkg/pip_requirements.txt";

/// What the plugin's project offers for a hint, found on disk by [`Project::look`].
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Project {
    /// The first virtualenv interpreter found, as it should be typed.
    pub venv_python: Option<PathBuf>,
    /// The requirements file, as it should be typed.
    pub requirements: Option<PathBuf>,
}

impl Project {
    /// Look in the current directory, then in the project root (the parent of
    /// the source root).
    pub fn look(cwd: &Path, source_root: &Path) -> Project {
        let mut roots = vec![PathBuf::new()];
        let absolute = crate::scaffold::normalize(&cwd.join(source_root));
        let parent = absolute
            .parent()
            .filter(|_| absolute != crate::scaffold::normalize(cwd));
        if let Some(parent) = parent {
            let shown = match parent.strip_prefix(cwd) {
                Ok(rel) => rel.to_path_buf(),
                Err(_) => parent.to_path_buf(),
            };
            if !roots.contains(&shown) {
                roots.push(shown);
            }
        }
        let find = |candidates: &[&str]| {
            roots.iter().find_map(|root| {
                candidates
                    .iter()
                    .map(|c| root.join(c))
                    .find(|p| cwd.join(p).is_file())
            })
        };
        Project {
            venv_python: find(&VENV_PYTHONS),
            requirements: find(&[REQUIREMENTS]),
        }
    }
}

/// The module named in `... No module named 'x.y'`.
fn missing_module(message: &str) -> Option<&str> {
    let rest = message.split("No module named '").nth(1)?;
    rest.split('\'').next().filter(|m| !m.is_empty())
}

/// A hint for a plugin whose app cannot be imported because a module is missing
/// from the Python that runs it: name `--python` and the virtualenv it probably
/// needs. None when the missing module is part of the plugin itself.
pub fn import_hint(
    message: &str,
    package: &str,
    python: Option<&Path>,
    project: &Project,
) -> Option<String> {
    if !message.contains("Cannot import app:") {
        return None;
    }
    let module = missing_module(message)?;
    let top = module.split('.').next().unwrap_or(module);
    if top == package.split('.').next().unwrap_or(package) {
        return None;
    }
    let install = match &project.requirements {
        Some(r) => format!("pip install -r {}", r.display()),
        None if top == "spaceone" => "pip install spaceone-inventory".to_string(),
        None => format!("pip install <the package that provides {top}>"),
    };
    let lacking = if top == "spaceone" {
        "the SpaceONE Python framework (spaceone)".to_string()
    } else {
        format!("the module '{top}'")
    };
    let hint = match (python, &project.venv_python) {
        (Some(p), _) => format!(
            "the Python given with --python ({}) does not have {lacking}; install it there: {} -m {install}",
            p.display(),
            p.display()
        ),
        (None, Some(venv)) => format!(
            "python3 does not have {lacking}; serve the plugin with its virtualenv's Python: --python {}",
            venv.display()
        ),
        (None, None) => format!(
            "python3 does not have {lacking}; make a virtualenv that has it and serve the plugin with its Python: python3 -m venv .venv && .venv/bin/{install}, then --python .venv/bin/python"
        ),
    };
    Some(format!("hint: {hint}"))
}

/// What is on disk around a plugin package that could not be imported, found
/// by [`PackageScan::look`]: paths as they should be typed.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct PackageScan {
    /// The source root, as given.
    pub source_root: PathBuf,
    /// Whether the package's top-level module is there (a directory or a `.py`).
    pub found: bool,
    /// The Python packages (directories with `__init__.py` or `main.py`) and
    /// modules in the source root, sorted; the SDK module is left out.
    pub packages: Vec<String>,
    /// Plugin projects holding the package (`<dir>/src/<package>`): directories
    /// below the current one, or the one above it that holds it, as `cd` takes them.
    pub projects: Vec<PathBuf>,
}

/// The SDK module `create-project` writes next to the package.
const SDK_MODULE: &str = "spaceone_plugin_sdk";

impl PackageScan {
    pub fn look(cwd: &Path, source_root: &Path, package: &str) -> PackageScan {
        let top = package.split('.').next().unwrap_or(package);
        let root = cwd.join(source_root);
        let found = root.join(top).is_dir() || root.join(format!("{top}.py")).is_file();
        let mut packages: Vec<String> = std::fs::read_dir(&root)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .filter_map(|e| {
                        let name = e.file_name().into_string().ok()?;
                        let path = e.path();
                        if name.starts_with(['.', '_']) {
                            return None;
                        }
                        if path.is_dir()
                            && (path.join("__init__.py").is_file()
                                || path.join("main.py").is_file())
                        {
                            return Some(name);
                        }
                        let module = name.strip_suffix(".py")?;
                        (path.is_file() && module != SDK_MODULE).then(|| module.to_string())
                    })
                    .collect()
            })
            .unwrap_or_default();
        packages.sort();
        let holds = |dir: &Path| dir.join("src").join(top).is_dir();
        let mut projects: Vec<PathBuf> = std::fs::read_dir(cwd)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .map(|e| e.path())
                    .filter(|p| p.is_dir() && holds(p))
                    .filter_map(|p| p.file_name().map(PathBuf::from))
                    .collect()
            })
            .unwrap_or_default();
        projects.sort();
        if projects.is_empty() {
            let mut up = PathBuf::new();
            for dir in cwd.ancestors().skip(1).take(4) {
                up.push("..");
                if holds(dir) {
                    projects.push(up);
                    break;
                }
            }
        }
        PackageScan {
            source_root: source_root.to_path_buf(),
            found,
            packages,
            projects,
        }
    }
}

/// The lines below upstream's `The package(X) can not imported.` when the package
/// is not under the source root: where it was looked for, what is there, and the
/// flag or directory that fixes it. `command` is the command as typed
/// (`spacectl plugin test`). None when the package is there (its own import
/// failed: the traceback tells why).
pub fn package_lines(
    message: &str,
    package: &str,
    command: &str,
    scan: &PackageScan,
) -> Option<String> {
    // The server command needs the package and source root in a project; the
    // test finds them itself.
    let server = command.ends_with("plugin-server");
    let in_project = if server {
        format!("{command} {package} -s src")
    } else {
        command.to_string()
    };
    if !message.contains("can not imported") || scan.found {
        return None;
    }
    let top = package.split('.').next().unwrap_or(package);
    let root = scan.source_root.display().to_string();
    let join = |name: &str| {
        if root == "." {
            name.to_string()
        } else {
            format!("{}/{name}", root.trim_end_matches('/'))
        }
    };
    let there = if scan.packages.is_empty() {
        "it holds no Python package".to_string()
    } else {
        format!("packages there: {}", scan.packages.join(", "))
    };
    let hint = if let Some(first) = scan.projects.first() {
        let others = if scan.projects.len() > 1 {
            format!(
                " (projects here: {})",
                scan.projects
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            String::new()
        };
        format!(
            "run it in the plugin project: cd {} && {in_project}{others}",
            first.display()
        )
    } else if scan.packages.len() == 1 {
        let only = &scan.packages[0];
        // The test finds src by itself; the server takes the current directory.
        let default_root = root == "." || (root == "src" && !server);
        let flag = if default_root {
            String::new()
        } else {
            format!(" -s {root}")
        };
        format!("name the package (PACKAGE, default plugin): {command} {only}{flag}")
    } else if !scan.packages.is_empty() {
        format!(
            "name the package (PACKAGE, default plugin): {command} <one of {}>",
            scan.packages.join(", ")
        )
    } else {
        format!(
            "name the directory that holds {top}/ with -s/--source-root DIR, or run it in a project made by spacectl create-project (its package is src/plugin)"
        )
    };
    Some(format!(
        "no package '{top}' in the source root {root} (looked for {} and {}); {there}\nhint: {hint}",
        join(&format!("{top}/")),
        join(&format!("{top}.py"))
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_endpoints_get_the_expected_form() {
        let e = with_hint(AppError::msg(
            "Endpoint is invalid. (endpoint=localhost:50051)",
        ));
        assert_eq!(
            e.render(),
            "ERROR: Endpoint is invalid. (endpoint=localhost:50051)\nExpected form: grpc://HOST:PORT or grpc+ssl://HOST:PORT (e.g. grpc://localhost:50051)\n\n"
        );
        let other = AppError::msg("Endpoint is not set. (service=identity)");
        assert_eq!(with_hint(other.clone()), other);
        let plain = AppError::plain("Endpoint is invalid. (x)", 3);
        assert_eq!(with_hint(plain.clone()), plain);
    }

    const FRAMEWORK: &str = "ImportError: Cannot import app: No module named 'spaceone'";

    #[test]
    fn framework_plugins_are_pointed_at_a_virtualenv() {
        let none = Project::default();
        assert_eq!(
            import_hint(FRAMEWORK, "plugin", None, &none).as_deref(),
            Some(
                "hint: python3 does not have the SpaceONE Python framework (spaceone); make a virtualenv that has it and serve the plugin with its Python: python3 -m venv .venv && .venv/bin/pip install spaceone-inventory, then --python .venv/bin/python"
            )
        );
        let with_requirements = Project {
            venv_python: None,
            requirements: Some(PathBuf::from("pkg/pip_requirements.txt")),
        };
        assert_eq!(
            import_hint(FRAMEWORK, "plugin", None, &with_requirements).as_deref(),
            Some(
                "hint: python3 does not have the SpaceONE Python framework (spaceone); make a virtualenv that has it and serve the plugin with its Python: python3 -m venv .venv && .venv/bin/pip install -r pkg/pip_requirements.txt, then --python .venv/bin/python"
            )
        );
        let with_venv = Project {
            venv_python: Some(PathBuf::from("venv/bin/python")),
            requirements: None,
        };
        assert_eq!(
            import_hint(FRAMEWORK, "plugin", None, &with_venv).as_deref(),
            Some(
                "hint: python3 does not have the SpaceONE Python framework (spaceone); serve the plugin with its virtualenv's Python: --python venv/bin/python"
            )
        );
        assert_eq!(
            import_hint(
                "ImportError: Cannot import app: No module named 'spaceone.inventory'",
                "plugin",
                Some(Path::new("/opt/v/bin/python")),
                &with_venv
            )
            .as_deref(),
            Some(
                "hint: the Python given with --python (/opt/v/bin/python) does not have the SpaceONE Python framework (spaceone); install it there: /opt/v/bin/python -m pip install spaceone-inventory"
            )
        );
    }

    #[test]
    fn other_missing_modules() {
        assert_eq!(
            import_hint(
                "ImportError: Cannot import app: No module named 'requests'",
                "plugin",
                None,
                &Project::default()
            )
            .as_deref(),
            Some(
                "hint: python3 does not have the module 'requests'; make a virtualenv that has it and serve the plugin with its Python: python3 -m venv .venv && .venv/bin/pip install <the package that provides requests>, then --python .venv/bin/python"
            )
        );
        // A module of the plugin itself: the plugin's own mistake, no hint.
        assert_eq!(
            import_hint(
                "ImportError: Cannot import app: No module named 'plugin.no_such_module'",
                "plugin",
                None,
                &Project::default()
            ),
            None
        );
        assert_eq!(
            import_hint(
                "Exception: The package(nopkg) can not imported. Please check the module path.",
                "nopkg",
                None,
                &Project::default()
            ),
            None
        );
    }

    #[test]
    fn project_files_are_found_in_the_current_directory_or_the_project_root() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let cwd = tmp.path();
        std::fs::create_dir_all(cwd.join("proj/src/plugin")).expect("dirs");
        std::fs::create_dir_all(cwd.join("proj/.venv/bin")).expect("dirs");
        std::fs::write(cwd.join("proj/.venv/bin/python"), "").expect("write");
        std::fs::create_dir_all(cwd.join("proj/pkg")).expect("dirs");
        std::fs::write(cwd.join("proj/pkg/pip_requirements.txt"), "").expect("write");
        assert_eq!(
            Project::look(cwd, Path::new("proj/src")),
            Project {
                venv_python: Some(PathBuf::from("proj/.venv/bin/python")),
                requirements: Some(PathBuf::from("proj/pkg/pip_requirements.txt")),
            }
        );
        assert_eq!(
            Project::look(&cwd.join("proj"), Path::new("src")),
            Project {
                venv_python: Some(PathBuf::from(".venv/bin/python")),
                requirements: Some(PathBuf::from("pkg/pip_requirements.txt")),
            }
        );
        assert_eq!(Project::look(cwd, Path::new(".")), Project::default());
    }
}

#[cfg(test)]
mod package_tests {
    use super::*;

    const UPSTREAM: &str =
        "Exception: The package(plugin) can not imported. Please check the module path.";

    fn scan(root: &str, packages: &[&str], projects: &[&str]) -> PackageScan {
        PackageScan {
            source_root: PathBuf::from(root),
            found: false,
            packages: packages.iter().map(|s| s.to_string()).collect(),
            projects: projects.iter().map(PathBuf::from).collect(),
        }
    }

    #[test]
    fn outside_a_project_points_at_it() {
        assert_eq!(
            package_lines(
                UPSTREAM,
                "plugin",
                "spacectl plugin test",
                &scan(".", &[], &["my-collector"])
            )
            .as_deref(),
            Some(
                "no package 'plugin' in the source root . (looked for plugin/ and plugin.py); it holds no Python package\n\
                 hint: run it in the plugin project: cd my-collector && spacectl plugin test"
            )
        );
        assert_eq!(
            package_lines(
                UPSTREAM,
                "plugin",
                "spacectl plugin test",
                &scan(".", &["main"], &["../.."])
            )
            .as_deref(),
            Some(
                "no package 'plugin' in the source root . (looked for plugin/ and plugin.py); packages there: main\n\
                 hint: run it in the plugin project: cd ../.. && spacectl plugin test"
            )
        );
        assert_eq!(
            package_lines(
                UPSTREAM,
                "plugin",
                "spacectl plugin test",
                &scan(".", &[], &["a", "b"])
            )
            .as_deref(),
            Some(
                "no package 'plugin' in the source root . (looked for plugin/ and plugin.py); it holds no Python package\n\
                 hint: run it in the plugin project: cd a && spacectl plugin test (projects here: a, b)"
            )
        );
        assert_eq!(
            package_lines(
                UPSTREAM,
                "plugin",
                "spacectl plugin test",
                &scan(".", &[], &[])
            )
            .as_deref(),
            Some(
                "no package 'plugin' in the source root . (looked for plugin/ and plugin.py); it holds no Python package\n\
                 hint: name the directory that holds plugin/ with -s/--source-root DIR, or run it in a project made by spacectl create-project (its package is src/plugin)"
            )
        );
    }

    #[test]
    fn a_wrong_package_names_the_ones_there() {
        assert_eq!(
            package_lines(
                "Exception: The package(plugn) can not imported. Please check the module path.",
                "plugn",
                "spacectl run plugin-server",
                &scan("src", &["plugin"], &[])
            )
            .as_deref(),
            Some(
                "no package 'plugn' in the source root src (looked for src/plugn/ and src/plugn.py); packages there: plugin\n\
                 hint: name the package (PACKAGE, default plugin): spacectl run plugin-server plugin -s src"
            )
        );
        assert_eq!(
            package_lines(
                UPSTREAM,
                "plugin",
                "spacectl plugin test",
                &scan("code/", &["a", "b"], &[])
            )
            .as_deref(),
            Some(
                "no package 'plugin' in the source root code/ (looked for code/plugin/ and code/plugin.py); packages there: a, b\n\
                 hint: name the package (PACKAGE, default plugin): spacectl plugin test <one of a, b>"
            )
        );
        let mut present = scan("src", &["plugin"], &[]);
        present.found = true;
        assert_eq!(
            package_lines(UPSTREAM, "plugin", "spacectl plugin test", &present),
            None
        );
        assert_eq!(
            package_lines(
                "ImportError: Cannot import app: x",
                "plugin",
                "c",
                &scan(".", &[], &[])
            ),
            None
        );
    }

    #[test]
    fn the_scan_reads_the_disk() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let cwd = tmp.path();
        for d in [
            "proj/src/plugin",
            "proj/src/other",
            "proj/src/.hidden",
            "proj/src/__pycache__",
            "proj/src/empty",
        ] {
            std::fs::create_dir_all(cwd.join(d)).expect("dirs");
        }
        std::fs::write(cwd.join("proj/src/plugin/main.py"), "").expect("write");
        std::fs::write(cwd.join("proj/src/other/__init__.py"), "").expect("write");
        std::fs::write(cwd.join("proj/src/tool.py"), "").expect("write");
        std::fs::write(cwd.join("proj/src/spaceone_plugin_sdk.py"), "").expect("write");
        let outside = PackageScan::look(cwd, Path::new("."), "plugin");
        assert_eq!(
            outside,
            PackageScan {
                source_root: PathBuf::from("."),
                found: false,
                packages: vec![],
                projects: vec![PathBuf::from("proj")],
            }
        );
        let wrong = PackageScan::look(&cwd.join("proj"), Path::new("src"), "plugn.main");
        assert_eq!(
            wrong,
            PackageScan {
                source_root: PathBuf::from("src"),
                found: false,
                packages: vec!["other".into(), "plugin".into(), "tool".into()],
                projects: vec![],
            }
        );
        let inside = PackageScan::look(&cwd.join("proj/src/plugin"), Path::new("."), "plugin");
        assert_eq!(inside.projects, vec![PathBuf::from("../..")]);
        assert!(PackageScan::look(&cwd.join("proj"), Path::new("src"), "plugin").found);
    }
}
