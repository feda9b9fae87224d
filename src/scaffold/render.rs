//! Template text and path rendering: `{{ name }}` placeholders are replaced by
//! the value of the variable `name`. There is no other syntax; a `{{` that
//! does not start a known variable is an error, so a template cannot silently
//! keep a placeholder.

use std::path::PathBuf;

/// Template file names starting with this prefix get a leading dot instead
/// (`dot-gitignore` → `.gitignore`), so the template tree itself holds no
/// dotfiles that tools would act on.
pub const DOT_PREFIX: &str = "dot-";

/// Replace every `{{ name }}` in `text`.
pub fn render(text: &str, vars: &[(&str, String)]) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(format!(
                "unclosed '{{{{' at byte {}",
                text.len() - rest.len() + start
            ));
        };
        let name = after[..end].trim();
        let value = vars
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
            .ok_or_else(|| format!("unknown template variable '{name}'"))?;
        out.push_str(value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Render a template-relative path (`/`-separated) component by component.
/// A rendered component must be a plain name (no separator, not `.`/`..`).
pub fn render_path(template_path: &str, vars: &[(&str, String)]) -> Result<PathBuf, String> {
    let mut out = PathBuf::new();
    for component in template_path.split('/').filter(|c| !c.is_empty()) {
        let mut name = render(component, vars)?;
        if let Some(stripped) = name.strip_prefix(DOT_PREFIX) {
            name = format!(".{stripped}");
        }
        if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\\']) {
            return Err(format!(
                "template path '{template_path}' renders to an invalid name '{name}'"
            ));
        }
        out.push(name);
    }
    if out.as_os_str().is_empty() {
        return Err(format!("template path '{template_path}' is empty"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vec<(&'static str, String)> {
        vec![("package", "plugin".into()), ("type", "Disk".into())]
    }

    #[test]
    fn placeholders_are_replaced() {
        assert_eq!(
            render("from {{package}}.x import {{ type }}  # {}", &vars()).unwrap(),
            "from plugin.x import Disk  # {}"
        );
        assert_eq!(
            render("{\"a\": {\"b\": 1}}", &vars()).unwrap(),
            "{\"a\": {\"b\": 1}}"
        );
        assert_eq!(render("", &vars()).unwrap(), "");
    }

    #[test]
    fn unknown_and_unclosed_placeholders_fail() {
        assert_eq!(
            render("x {{nope}}", &vars()).unwrap_err(),
            "unknown template variable 'nope'"
        );
        assert_eq!(
            render("ab {{package", &vars()).unwrap_err(),
            "unclosed '{{' at byte 3"
        );
        assert_eq!(
            render("{{\"k\": 1}}", &vars()).unwrap_err(),
            "unknown template variable '\"k\": 1'"
        );
    }

    #[test]
    fn paths_are_rendered_per_component() {
        assert_eq!(
            render_path("src/{{package}}/metadata/{{type}}.yaml", &vars()).unwrap(),
            PathBuf::from("src/plugin/metadata/Disk.yaml")
        );
        assert_eq!(
            render_path("dot-gitignore", &vars()).unwrap(),
            PathBuf::from(".gitignore")
        );
        let bad = vec![("package", "..".to_string())];
        assert_eq!(
            render_path("src/{{package}}/x", &bad).unwrap_err(),
            "template path 'src/{{package}}/x' renders to an invalid name '..'"
        );
        let bad = vec![("package", "a/b".to_string())];
        assert!(render_path("{{package}}", &bad).is_err());
    }
}
