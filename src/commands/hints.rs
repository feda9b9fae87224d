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
