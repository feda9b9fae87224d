//! `spacectl create-project PROJECT_NAME [-d DIR] [-s KIND]`: write a new plugin
//! project from the embedded templates. The next steps go to stderr (data
//! output stays empty, as upstream prints nothing).

use std::path::{Path, PathBuf};

use crate::cli::{BinName, CreateProjectArgs};
use crate::error::{AppError, Result};
use crate::scaffold::{self, Created, Layout, Request};

/// `bin` is the name the binary was invoked as; the next steps use it.
pub fn run(a: CreateProjectArgs, bin: BinName) -> Result<()> {
    let cwd = std::env::current_dir()
        .map_err(|e| AppError::msg(format!("Cannot read the current directory: {e}")))?;
    let request = Request {
        name: a.name,
        directory: a.directory,
        source: a.source,
        provider: a.provider,
        group: a.group,
        type_name: a.type_name,
    };
    let created = scaffold::create(&request, &cwd).map_err(AppError::msg)?;
    if !a.quiet {
        eprint!("{}", summary(&created, &cwd, bin));
    }
    Ok(())
}

/// `path` relative to `cwd` when it is inside it (`.` for `cwd` itself).
fn shown(path: &Path, cwd: &Path) -> PathBuf {
    match path.strip_prefix(cwd) {
        Ok(rel) if rel.as_os_str().is_empty() => PathBuf::from("."),
        Ok(rel) => rel.to_path_buf(),
        Err(_) => path.to_path_buf(),
    }
}

/// What was created and the commands to run next, for the program name `bin`.
pub fn summary(created: &Created, cwd: &Path, bin: BinName) -> String {
    let bin = bin.as_str();
    let t = &created.target;
    let n = &t.names;
    let root = shown(&t.root, cwd);
    let mut out = format!(
        "Created the {} project {} in {}\n",
        t.kind.description(),
        n.project_name,
        root.display(),
    );
    if t.kind == scaffold::Kind::Asset {
        out.push_str(&format!(
            "  provider {}, cloud service group {}, type {}, package {}\n",
            n.provider,
            n.group,
            n.type_name,
            shown(&t.package_dir(), &t.root).display()
        ));
    } else {
        out.push_str(&format!(
            "  package {}\n",
            shown(&t.package_dir(), &t.root).display()
        ));
    }
    for kept in &created.kept {
        out.push_str(&format!(
            "  kept the existing {}\n",
            shown(kept, &t.root).display()
        ));
    }
    let package_arg = if t.layout == Layout::Package && n.package != scaffold::DEFAULT_PACKAGE {
        format!(" {}", n.package)
    } else {
        String::new()
    };
    let steps = [
        (
            format!("{bin} plugin test{package_arg}"),
            "serve it, call it, check the answers",
        ),
        (
            format!("{bin} run plugin-server {} -s src", n.package),
            "serve it on port 50051",
        ),
    ];
    let width = steps.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
    out.push_str("\nNext steps:\n");
    if root != Path::new(".") {
        out.push_str(&format!("  cd {}\n", root.display()));
    }
    for (command, what) in &steps {
        out.push_str(&format!("  {command:<width$}   # {what}\n"));
    }
    out.push_str("README.md explains calling, building and registering the plugin.\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_a_project() {
        let cwd = Path::new("/w");
        let target = scaffold::resolve_target(
            &Request {
                name: "demo".into(),
                ..Request::default()
            },
            cwd,
        )
        .unwrap();
        let created = Created {
            target,
            written: vec![],
            kept: vec![],
        };
        assert_eq!(
            summary(&created, cwd, BinName::Spacectl),
            "Created the inventory collector project demo in demo\n  provider demo, cloud service group Demo, type Resource, package src/plugin\n\nNext steps:\n  cd demo\n  spacectl plugin test                       # serve it, call it, check the answers\n  spacectl run plugin-server plugin -s src   # serve it on port 50051\nREADME.md explains calling, building and registering the plugin.\n"
        );
    }

    #[test]
    fn summary_of_a_package_in_the_current_project() {
        let cwd = Path::new("/w/acme");
        let target = scaffold::resolve_target(
            &Request {
                name: "src/collector".into(),
                ..Request::default()
            },
            cwd,
        )
        .unwrap();
        let created = Created {
            target,
            written: vec![],
            kept: vec![PathBuf::from("/w/acme/README.md")],
        };
        assert_eq!(
            summary(&created, cwd, BinName::Spacectl),
            "Created the inventory collector project acme in .\n  provider acme, cloud service group Acme, type Resource, package src/collector\n  kept the existing README.md\n\nNext steps:\n  spacectl plugin test collector                # serve it, call it, check the answers\n  spacectl run plugin-server collector -s src   # serve it on port 50051\nREADME.md explains calling, building and registering the plugin.\n"
        );
        assert_eq!(
            summary(&created, cwd, BinName::Spaceone),
            "Created the inventory collector project acme in .\n  provider acme, cloud service group Acme, type Resource, package src/collector\n  kept the existing README.md\n\nNext steps:\n  spaceone plugin test collector                # serve it, call it, check the answers\n  spaceone run plugin-server collector -s src   # serve it on port 50051\nREADME.md explains calling, building and registering the plugin.\n"
        );
    }
}
