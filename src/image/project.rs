//! What a plugin project says about its image: the `Dockerfile` next to
//! `VERSION` and `register.yaml` (as `create-project` writes them).

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::naming;

/// The project's image facts.
#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    /// `x.y.z` from `VERSION`.
    pub version: String,
    /// The image name, from `register.yaml`'s `image` (its last `/` part).
    pub image_name: String,
    /// `register.yaml` as a mapping (name, service_type, image, provider, ...).
    pub register: Map<String, Value>,
}

impl Project {
    /// `name:version`, the local tag `plugin build` gives the image.
    pub fn local_tag(&self) -> String {
        format!("{}:{}", self.image_name, self.version)
    }
}

/// Read and check the project in `root`. `image` overrides register.yaml's.
pub fn load(root: &Path, image: Option<&str>) -> Result<Project, String> {
    let dockerfile = root.join("Dockerfile");
    if !dockerfile.is_file() {
        return Err(format!(
            "{} has no Dockerfile: run this in a plugin project (spacectl create-project writes one) or name the project directory",
            shown(root)
        ));
    }
    let version_file = root.join("VERSION");
    let version_text = std::fs::read_to_string(&version_file).map_err(|e| {
        format!(
            "cannot read {}: {e} (it holds the image version, e.g. 1.0.0)",
            version_file.display()
        )
    })?;
    let version = naming::check_version(&version_text)?;
    let register_file = root.join("register.yaml");
    let register = if register_file.is_file() {
        match crate::request::params::read_yaml_file(&register_file).map_err(|e| e.to_string())? {
            Some(Value::Object(map)) => map,
            None => Map::new(),
            Some(_) => {
                return Err(format!(
                    "{} is not a mapping (name, service_type, image, ...)",
                    register_file.display()
                ));
            }
        }
    } else {
        Map::new()
    };
    let from_register = register
        .get("image")
        .and_then(Value::as_str)
        .map(|i| i.rsplit('/').next().unwrap_or(i).to_string());
    let image_name = match image.map(str::to_string).or(from_register) {
        Some(name) => name,
        None => {
            return Err(format!(
                "no image name: {} has no `image` key; add one or pass --image NAME",
                register_file.display()
            ));
        }
    };
    naming::check_image_name(&image_name)?;
    Ok(Project {
        root: root.to_path_buf(),
        version,
        image_name,
        register,
    })
}

fn shown(p: &Path) -> String {
    if p.as_os_str().is_empty() || p == Path::new(".") {
        "The current directory".to_string()
    } else {
        p.display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        dir
    }

    #[test]
    fn a_project_names_its_image_and_version() {
        let dir = project(&[
            ("Dockerfile", "FROM x\n"),
            ("VERSION", "1.2.3\n"),
            (
                "register.yaml",
                "name: n\nimage: my-org/plugin-a-inven-collector\n",
            ),
        ]);
        let p = load(dir.path(), None).unwrap();
        assert_eq!(p.local_tag(), "plugin-a-inven-collector:1.2.3");
        assert_eq!(p.register["name"], "n");
        let p = load(dir.path(), Some("plugin-b")).unwrap();
        assert_eq!(p.local_tag(), "plugin-b:1.2.3");
    }

    #[test]
    fn what_is_missing_or_wrong_is_named() {
        let dir = project(&[("VERSION", "1.0.0\n")]);
        assert!(load(dir.path(), None).unwrap_err().ends_with(
            "has no Dockerfile: run this in a plugin project (spacectl create-project writes one) or name the project directory"
        ));
        let dir = project(&[("Dockerfile", ""), ("VERSION", "1.0\n")]);
        assert!(
            load(dir.path(), None)
                .unwrap_err()
                .starts_with("VERSION is '1.0'")
        );
        let dir = project(&[("Dockerfile", ""), ("VERSION", "1.0.0\n")]);
        assert!(
            load(dir.path(), None)
                .unwrap_err()
                .contains("has no `image` key; add one or pass --image NAME")
        );
        let dir = project(&[
            ("Dockerfile", ""),
            ("VERSION", "1.0.0\n"),
            ("register.yaml", "image: Bad_Name\n"),
        ]);
        assert!(
            load(dir.path(), None)
                .unwrap_err()
                .starts_with("image name 'Bad_Name' has 'B'")
        );
    }
}
