//! What `plugin build` builds: the project's tags and build arguments, and the
//! spacectl binary staged into the build context (`bin/spacectl`).

use std::io::Read;
use std::path::{Path, PathBuf};

use super::project::{self, Project};

/// The default base image of the project's Dockerfile (its `ARG BASE_IMAGE`).
pub const DEFAULT_BASE_IMAGE: &str = "python:3.12-slim";

/// A build, ready to run.
#[derive(Debug, Clone)]
pub struct Plan {
    pub project: Project,
    /// `name:VERSION` first, then the extra tags.
    pub tags: Vec<String>,
    pub build_args: Vec<(String, String)>,
    /// The base image used (for messages).
    pub base_image: String,
}

/// The tags and arguments of a build of the project in `root`.
pub fn plan(
    root: &Path,
    image: Option<&str>,
    base_image: Option<&str>,
    extra_tags: &[String],
) -> Result<Plan, String> {
    let project = project::load(root, image)?;
    let mut tags = vec![project.local_tag()];
    for t in extra_tags {
        check_tag(t)?;
        if !tags.contains(t) {
            tags.push(t.clone());
        }
    }
    let mut build_args = Vec::new();
    if let Some(base) = base_image {
        if base.trim().is_empty() || base.chars().any(char::is_whitespace) {
            return Err(format!("--base-image '{base}' is not an image reference"));
        }
        build_args.push(("BASE_IMAGE".to_string(), base.to_string()));
    }
    Ok(Plan {
        project,
        tags,
        build_args,
        base_image: base_image.unwrap_or(DEFAULT_BASE_IMAGE).to_string(),
    })
}

/// A `--tag` value: `NAME[:TAG]` as Docker takes it.
fn check_tag(t: &str) -> Result<(), String> {
    let ok = !t.is_empty()
        && !t.starts_with(['-', ':', '/'])
        && t.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.' | ':' | '/')
        });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "--tag '{t}' is not an image name: use lowercase NAME[:TAG], e.g. my-plugin:dev"
        ))
    }
}

/// The binary that goes into the image: `--spacectl PATH`, else this program.
pub fn binary(given: Option<&Path>) -> Result<PathBuf, String> {
    let path = match given {
        Some(p) => p.to_path_buf(),
        None => std::env::current_exe()
            .map_err(|e| format!("cannot find this program's file: {e} (pass --spacectl PATH)"))?,
    };
    let mut magic = [0u8; 4];
    std::fs::File::open(&path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if magic != *b"\x7fELF" {
        return Err(format!(
            "{} is not a Linux program, and the image runs Linux: build spacectl for Linux (e.g. cargo build --release --target x86_64-unknown-linux-musl) and pass it with --spacectl PATH",
            path.display()
        ));
    }
    Ok(path)
}

/// Copy `binary` to `ROOT/bin/spacectl` (replaced atomically, mode 0755),
/// unless it holds those bytes already.
pub fn stage_binary(root: &Path, binary: &Path) -> Result<PathBuf, String> {
    let dir = root.join("bin");
    let target = dir.join("spacectl");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    if same_file_contents(binary, &target) {
        return Ok(target);
    }
    let tmp = dir.join(format!(".spacectl.{}.tmp", std::process::id()));
    let copied = std::fs::copy(binary, &tmp).and_then(|_| {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755))?;
        }
        std::fs::rename(&tmp, &target)
    });
    copied.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!(
            "cannot copy {} to {}: {e}",
            binary.display(),
            target.display()
        )
    })?;
    Ok(target)
}

fn same_file_contents(a: &Path, b: &Path) -> bool {
    let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) else {
        return false;
    };
    if ma.len() != mb.len() {
        return false;
    }
    matches!((std::fs::read(a), std::fs::read(b)), (Ok(x), Ok(y)) if x == y)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Dockerfile"), "FROM x\n").unwrap();
        std::fs::write(dir.path().join("VERSION"), "0.2.0\n").unwrap();
        std::fs::write(
            dir.path().join("register.yaml"),
            "image: plugin-a-inven-collector\n",
        )
        .unwrap();
        dir
    }

    #[test]
    fn tags_and_build_arguments() {
        let dir = project();
        let p = plan(dir.path(), None, None, &[]).unwrap();
        assert_eq!(p.tags, ["plugin-a-inven-collector:0.2.0"]);
        assert!(p.build_args.is_empty());
        assert_eq!(p.base_image, DEFAULT_BASE_IMAGE);
        let p = plan(
            dir.path(),
            None,
            Some("local/python3:bookworm"),
            &["my/dev:latest".to_string()],
        )
        .unwrap();
        assert_eq!(p.tags, ["plugin-a-inven-collector:0.2.0", "my/dev:latest"]);
        assert_eq!(
            p.build_args,
            [(
                "BASE_IMAGE".to_string(),
                "local/python3:bookworm".to_string()
            )]
        );
        assert!(
            plan(dir.path(), None, None, &["Bad Tag".to_string()])
                .unwrap_err()
                .starts_with("--tag 'Bad Tag' is not an image name")
        );
    }

    #[test]
    fn the_binary_is_staged_once_and_must_be_linux() {
        let dir = project();
        let not_elf = dir.path().join("prog");
        std::fs::write(&not_elf, "#!/bin/sh\n").unwrap();
        assert!(
            binary(Some(&not_elf))
                .unwrap_err()
                .contains("is not a Linux program")
        );
        let elf = dir.path().join("elf");
        std::fs::write(&elf, b"\x7fELF-and-more").unwrap();
        assert_eq!(binary(Some(&elf)).unwrap(), elf);
        let staged = stage_binary(dir.path(), &elf).unwrap();
        assert_eq!(std::fs::read(&staged).unwrap(), b"\x7fELF-and-more");
        let before = std::fs::metadata(&staged).unwrap().modified().unwrap();
        stage_binary(dir.path(), &elf).unwrap();
        assert_eq!(
            std::fs::metadata(&staged).unwrap().modified().unwrap(),
            before
        );
    }
}
