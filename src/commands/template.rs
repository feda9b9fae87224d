//! `spacectl template set|show|remove RESOURCE`: the user's list templates in
//! `~/.spaceone/template/<service>.<Resource>.yml`.
//!
//! `set` stores the YAML document of `-f FILE` (re-emitted as YAML), `show`
//! prints it with `type: custom` and the parser name (default
//! `spacectl.lib.parser.default.DefaultParser`), `remove` deletes the file
//! (silently when there is none).

use std::path::Path;

use serde_json::Value;

use crate::cli::TemplateCommand;
use crate::config::fsio;
use crate::error::{AppError, Result};
use crate::grpc::resolve;
use crate::output::yaml;
use crate::request;

use super::list::{read_user_template, resource_name, user_template_path, with_default_parser};

pub fn run(c: TemplateCommand) -> Result<()> {
    match c {
        TemplateCommand::Set { resource, file } => set(&resource, file.as_deref()),
        TemplateCommand::Show { resource } => show(&resource),
        TemplateCommand::Remove { resource } => remove(&resource),
    }
}

fn set(resource: &str, file: Option<&Path>) -> Result<()> {
    let target = resolve::parse_resource(resource)?;
    let file = file.ok_or_else(|| AppError::msg("'--file' option is required."))?;
    let doc = request::params::read_yaml_file(file)?.unwrap_or(Value::Null);
    let path = user_template_path(&target)?;
    if let Some(dir) = path.parent() {
        fsio::create_private_dir(dir)?;
    }
    fsio::write_atomic(&path, yaml::dump(&doc))
}

fn show(resource: &str) -> Result<()> {
    let target = resolve::parse_resource(resource)?;
    let path = user_template_path(&target)?;
    super::emit(&show_text(
        read_user_template(&path),
        &resource_name(&target),
    ))
}

/// What `template show` prints for a user template (`None` when there is none).
pub fn show_text(template: Option<Value>, resource: &str) -> String {
    match template {
        Some(Value::Object(doc)) => yaml::document(&Value::Object(with_default_parser(doc))),
        _ => format!("{resource} template is undefined.\n\n"),
    }
}

fn remove(resource: &str) -> Result<()> {
    let target = resolve::parse_resource(resource)?;
    fsio::remove_if_exists(&user_template_path(&target)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn show_adds_type_and_parser() {
        let doc = json!({
            "template": {"list": ["provider|ID", "name", "options.int_val|Int", "tags.env|Env", "created_at"]},
            "type": "custom"
        });
        assert_eq!(
            show_text(Some(doc), "identity.Provider"),
            "---
parser: spacectl.lib.parser.default.DefaultParser
template:
  list:
  - provider|ID
  - name
  - options.int_val|Int
  - tags.env|Env
  - created_at
type: custom

"
        );
    }

    #[test]
    fn show_keeps_a_given_parser() {
        let doc = json!({"parser": "my.Parser", "template": {}, "type": "custom"});
        assert_eq!(
            show_text(Some(doc), "s.R"),
            "---\nparser: my.Parser\ntemplate: {}\ntype: custom\n\n"
        );
    }

    #[test]
    fn show_without_template() {
        assert_eq!(
            show_text(None, "identity.Provider"),
            "identity.Provider template is undefined.\n\n"
        );
    }
}
