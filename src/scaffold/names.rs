//! The names a new project is built from: validation (each with a one-line
//! error naming the bad value) and the identifiers derived from them.
//!
//! Every name ends up inside Python string literals, YAML files and file
//! paths, so only ASCII letters, digits, `_` and `-` (and `.` in the project
//! directory name) are accepted.

/// Python keywords: not usable as a package name.
const PY_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Module names a plugin package must not shadow.
const RESERVED_MODULES: &[&str] = &["spaceone_plugin_sdk", "spaceone"];

/// Longest accepted provider, group or type name.
const MAX_NAME: usize = 64;
/// Longest accepted project directory name.
const MAX_PROJECT_NAME: usize = 100;

/// Default cloud service type when `--type` is not given.
pub const DEFAULT_TYPE: &str = "Resource";

/// The validated names of a project; every template variable derives from them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    /// The project directory's name, e.g. `demo`.
    pub project_name: String,
    /// The Python package, e.g. `plugin`.
    pub package: String,
    /// Provider, e.g. `demo`.
    pub provider: String,
    /// Cloud service group, e.g. `Demo`.
    pub group: String,
    /// Cloud service type, e.g. `Resource`.
    pub type_name: String,
}

impl Names {
    /// The template variables, in a fixed order.
    pub fn vars(&self) -> Vec<(&'static str, String)> {
        vec![
            ("project_name", self.project_name.clone()),
            ("package", self.package.clone()),
            ("provider", self.provider.clone()),
            ("group", self.group.clone()),
            ("type", self.type_name.clone()),
            ("group_dir", snake(&self.group)),
            ("type_module", snake(&self.type_name)),
            ("type_class", class_name(&self.type_name)),
            ("image_name", image_name(&self.provider, "inven-collector")),
            ("spacectl_version", env!("CARGO_PKG_VERSION").to_string()),
        ]
    }
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// The project directory name (the last component of NAME).
pub fn check_project_name(name: &str) -> Result<(), String> {
    let ok = name.len() <= MAX_PROJECT_NAME
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.chars().all(|c| is_word_char(c) || c == '.');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "Project name '{name}' is invalid: use letters, digits, '.', '_' or '-', starting with a letter or digit (at most {MAX_PROJECT_NAME} characters)."
        ))
    }
}

/// A Python package name (used when NAME is the package, in `src/NAME`).
pub fn check_package(name: &str) -> Result<(), String> {
    let identifier = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !identifier || name.len() > MAX_NAME {
        return Err(format!(
            "Package name '{name}' is invalid: a Python package name uses letters, digits and '_', not starting with a digit (e.g. {}).",
            suggest_identifier(name)
        ));
    }
    if PY_KEYWORDS.contains(&name) {
        return Err(format!(
            "Package name '{name}' is invalid: it is a Python keyword."
        ));
    }
    if RESERVED_MODULES.contains(&name) {
        return Err(format!(
            "Package name '{name}' is invalid: it would hide the module of the same name the plugin imports."
        ));
    }
    Ok(())
}

/// `--provider`: lowercase, like SpaceONE's provider ids (`aws`, `google_cloud`).
pub fn check_provider(name: &str) -> Result<(), String> {
    let ok = name.len() <= MAX_NAME
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "Provider '{name}' is invalid: use lowercase letters, digits, '_' or '-', starting with a letter (e.g. my_cloud)."
        ))
    }
}

/// `--group` / `--type` (`what` is `Group` or `Type`).
pub fn check_label(what: &str, name: &str) -> Result<(), String> {
    let ok = name.len() <= MAX_NAME
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(is_word_char);
    if ok {
        Ok(())
    } else {
        let example = if what == "Group" {
            "ComputeEngine"
        } else {
            "Instance"
        };
        Err(format!(
            "{what} '{name}' is invalid: use letters, digits, '_' or '-', starting with a letter (e.g. {example})."
        ))
    }
}

/// Lowercase words of a name: split at characters other than letters and
/// digits and at case changes (`VMInstance` → `vm`, `instance`).
pub fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        if c.is_ascii_uppercase() && !current.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push(std::mem::take(&mut current));
            }
        }
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// `snake_case` of a name: `VMInstance` → `vm_instance`, `my-type` → `my_type`.
pub fn snake(name: &str) -> String {
    words(name).join("_")
}

fn capitalize(word: &str) -> String {
    let mut cs = word.chars();
    match cs.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + cs.as_str(),
        None => String::new(),
    }
}

/// `PascalCase` of words: `my-type` → `MyType`.
pub fn pascal(name: &str) -> String {
    words(name).iter().map(|w| capitalize(w)).collect()
}

/// The Python class-name stem of a type: kept as given when it already is
/// `PascalCase` (`VMInstance`), else converted (`vm_instance` → `VmInstance`).
pub fn class_name(type_name: &str) -> String {
    let pascal_already = type_name.starts_with(|c: char| c.is_ascii_uppercase())
        && type_name.chars().all(|c| c.is_ascii_alphanumeric());
    if pascal_already {
        type_name.to_string()
    } else {
        pascal(type_name)
    }
}

/// The container image name, in the style of SpaceONE's plugin images:
/// `plugin-<provider>-<end>`, e.g. `plugin-aws-inven-collector`.
pub fn image_name(provider: &str, end: &str) -> String {
    format!("plugin-{}-{end}", provider.replace('_', "-"))
}

/// The words of a project directory name that name the provider: a leading
/// `plugin` and trailing `inven`/`inventory`/`collector` are dropped when
/// other words remain (`plugin-portfolio-inven-collector` → `portfolio`).
pub fn project_words(project_name: &str) -> Vec<String> {
    let all = words(project_name);
    let mut core: &[String] = &all;
    if core.len() > 1 && core[0] == "plugin" {
        core = &core[1..];
    }
    while core.len() > 1
        && core
            .last()
            .is_some_and(|w| matches!(w.as_str(), "inven" | "inventory" | "collector"))
    {
        core = &core[..core.len() - 1];
    }
    core.to_vec()
}

/// Default provider and group for a project directory name:
/// `my-cloud` → (`my_cloud`, `MyCloud`).
pub fn default_provider_and_group(project_name: &str) -> (String, String) {
    let ws = project_words(project_name);
    let provider = ws.join("_");
    let group = ws.iter().map(|w| capitalize(w)).collect();
    (provider, group)
}

/// Resolve the names from the project name, the package and the options.
/// A value derived from the project name that is not valid asks for the option.
pub fn resolve(
    project_name: &str,
    package: &str,
    provider: Option<&str>,
    group: Option<&str>,
    type_name: Option<&str>,
) -> Result<Names, String> {
    check_project_name(project_name)?;
    check_package(package)?;
    let (default_provider, default_group) = default_provider_and_group(project_name);
    let provider = match provider {
        Some(p) => {
            check_provider(p)?;
            p.to_string()
        }
        None => {
            check_provider(&default_provider).map_err(|_| {
                format!(
                    "Cannot derive a provider name from '{project_name}'; pass --provider (e.g. --provider my_cloud)."
                )
            })?;
            default_provider
        }
    };
    let group = match group {
        Some(g) => {
            check_label("Group", g)?;
            g.to_string()
        }
        None => {
            check_label("Group", &default_group).map_err(|_| {
                format!(
                    "Cannot derive a cloud service group from '{project_name}'; pass --group (e.g. --group Compute)."
                )
            })?;
            default_group
        }
    };
    let type_name = type_name.unwrap_or(DEFAULT_TYPE);
    check_label("Type", type_name)?;
    Ok(Names {
        project_name: project_name.to_string(),
        package: package.to_string(),
        provider,
        group,
        type_name: type_name.to_string(),
    })
}

/// A valid identifier close to `name`, for error messages.
fn suggest_identifier(name: &str) -> String {
    let s = snake(name);
    if s.is_empty() {
        "plugin".to_string()
    } else if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("p_{s}")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_at_separators_and_case_changes() {
        assert_eq!(words("VMInstance"), ["vm", "instance"]);
        assert_eq!(words("CloudSQL"), ["cloud", "sql"]);
        assert_eq!(words("my-type_name"), ["my", "type", "name"]);
        assert_eq!(words("ec2Instance"), ["ec2", "instance"]);
        assert_eq!(words("Cryptocurrency"), ["cryptocurrency"]);
        assert_eq!(words("--a..b--"), ["a", "b"]);
        assert!(words("-_.").is_empty());
    }

    #[test]
    fn snake_pascal_and_class_names() {
        assert_eq!(snake("ComputeEngine"), "compute_engine");
        assert_eq!(snake("vm-instance"), "vm_instance");
        assert_eq!(pascal("vm-instance"), "VmInstance");
        assert_eq!(class_name("VMInstance"), "VMInstance");
        assert_eq!(class_name("vm_instance"), "VmInstance");
        assert_eq!(class_name("Disk-Snapshot"), "DiskSnapshot");
        assert_eq!(
            image_name("google_cloud", "inven-collector"),
            "plugin-google-cloud-inven-collector"
        );
    }

    #[test]
    fn defaults_come_from_the_project_name() {
        assert_eq!(
            default_provider_and_group("demo"),
            ("demo".to_string(), "Demo".to_string())
        );
        assert_eq!(
            default_provider_and_group("plugin-portfolio-inven-collector"),
            ("portfolio".to_string(), "Portfolio".to_string())
        );
        assert_eq!(
            default_provider_and_group("my-cloud.collector"),
            ("my_cloud".to_string(), "MyCloud".to_string())
        );
        assert_eq!(
            default_provider_and_group("plugin"),
            ("plugin".to_string(), "Plugin".to_string())
        );
    }

    #[test]
    fn resolve_fills_defaults_and_keeps_options() {
        let n = resolve("demo", "plugin", None, None, None).unwrap();
        assert_eq!(
            n,
            Names {
                project_name: "demo".into(),
                package: "plugin".into(),
                provider: "demo".into(),
                group: "Demo".into(),
                type_name: "Resource".into(),
            }
        );
        let n = resolve(
            "x",
            "plugin",
            Some("aws"),
            Some("Compute"),
            Some("VMInstance"),
        )
        .unwrap();
        assert_eq!(
            (n.provider.as_str(), n.group.as_str(), n.type_name.as_str()),
            ("aws", "Compute", "VMInstance")
        );
        let vars = n.vars();
        let get = |k: &str| vars.iter().find(|(n, _)| *n == k).unwrap().1.clone();
        assert_eq!(get("group_dir"), "compute");
        assert_eq!(get("type_module"), "vm_instance");
        assert_eq!(get("type_class"), "VMInstance");
        assert_eq!(get("image_name"), "plugin-aws-inven-collector");
    }

    #[test]
    fn errors_name_the_bad_value() {
        assert_eq!(
            resolve("my project", "plugin", None, None, None).unwrap_err(),
            "Project name 'my project' is invalid: use letters, digits, '.', '_' or '-', starting with a letter or digit (at most 100 characters)."
        );
        assert_eq!(
            resolve("123", "plugin", None, None, None).unwrap_err(),
            "Cannot derive a provider name from '123'; pass --provider (e.g. --provider my_cloud)."
        );
        assert_eq!(
            resolve("123", "plugin", Some("p"), None, None).unwrap_err(),
            "Cannot derive a cloud service group from '123'; pass --group (e.g. --group Compute)."
        );
        assert_eq!(
            resolve("demo", "plugin", Some("AWS"), None, None).unwrap_err(),
            "Provider 'AWS' is invalid: use lowercase letters, digits, '_' or '-', starting with a letter (e.g. my_cloud)."
        );
        assert_eq!(
            resolve("demo", "plugin", None, Some("Compute Engine"), None).unwrap_err(),
            "Group 'Compute Engine' is invalid: use letters, digits, '_' or '-', starting with a letter (e.g. ComputeEngine)."
        );
        assert_eq!(
            resolve("demo", "plugin", None, None, Some("a\"b")).unwrap_err(),
            "Type 'a\"b' is invalid: use letters, digits, '_' or '-', starting with a letter (e.g. Instance)."
        );
        assert_eq!(
            resolve("demo", "my-plugin", None, None, None).unwrap_err(),
            "Package name 'my-plugin' is invalid: a Python package name uses letters, digits and '_', not starting with a digit (e.g. my_plugin)."
        );
        assert_eq!(
            check_package("class").unwrap_err(),
            "Package name 'class' is invalid: it is a Python keyword."
        );
        assert_eq!(
            check_package("spaceone_plugin_sdk").unwrap_err(),
            "Package name 'spaceone_plugin_sdk' is invalid: it would hide the module of the same name the plugin imports."
        );
        assert!(
            check_package("9lives")
                .unwrap_err()
                .contains("(e.g. p_9lives)")
        );
        assert!(check_project_name(".hidden").is_err());
        assert!(check_project_name("plugin-x.v2").is_ok());
        assert!(check_provider("google_cloud").is_ok());
        assert!(check_label("Type", "Disk-Snapshot_2").is_ok());
        assert!(check_label("Type", &"x".repeat(65)).is_err());
    }
}
