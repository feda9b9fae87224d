//! The plugin host's architecture, checked from the sources: the host core
//! (`src/plugin/host/`) refers to no plugin kind, and no module under
//! `src/plugin/` takes part in an import cycle — a child module that uses its
//! parent's items counts, as the parent declares the child.
//!
//! Module references are read from `crate::`, `super::` and `self::` paths
//! outside comments and outside the `#[cfg(test)]` module at the end of a file
//! (test files are left out); each path stands for the deepest module file it
//! names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src/plugin") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/plugin/host/mod.rs` → `plugin::host`.
fn module_of(src: &Path, file: &Path) -> Module {
    let rel = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> = rel
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The text that counts: no comments, no test module, no visibility paths.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod ") {
        Some(i) => &text[..i],
        None => text,
    };
    let mut out = String::new();
    for line in text.lines() {
        let line = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        out.push_str(line);
        out.push('\n');
    }
    for (from, to) in [
        ("pub(super)", "pub"),
        ("pub(crate)", "pub"),
        ("super::*", ""),
        ("self::*", ""),
    ] {
        out = out.replace(from, to);
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every path starting with `crate`, `super` or `self`, with a `{a, b}` group
/// after it expanded into one path per item.
fn paths_in(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let starts = ["crate::", "super::", "self::"]
            .iter()
            .any(|p| code_chars_at(&bytes, i, p))
            && (i == 0 || !is_ident(bytes[i - 1]));
        if !starts {
            i += 1;
            continue;
        }
        let mut segs = Vec::new();
        let mut cur = String::new();
        while i < bytes.len() {
            let c = bytes[i];
            if is_ident(c) {
                cur.push(c);
                i += 1;
            } else if code_chars_at(&bytes, i, "::") {
                segs.push(std::mem::take(&mut cur));
                i += 2;
                if i < bytes.len() && bytes[i] == '{' {
                    let end = (i..bytes.len())
                        .find(|&j| bytes[j] == '}')
                        .unwrap_or(bytes.len());
                    let group: String = bytes[i + 1..end].iter().collect();
                    for item in group.split(',') {
                        let first = item.trim().split("::").next().unwrap_or("");
                        let first = first.split_whitespace().next().unwrap_or("");
                        if !first.is_empty() {
                            let mut p = segs.clone();
                            p.push(first.to_string());
                            out.push(p);
                        }
                    }
                    segs.clear();
                    i = end;
                    break;
                }
            } else {
                break;
            }
        }
        if !cur.is_empty() {
            segs.push(cur);
        }
        if !segs.is_empty() {
            out.push(segs);
        }
    }
    out
}

fn code_chars_at(chars: &[char], i: usize, pat: &str) -> bool {
    pat.chars()
        .enumerate()
        .all(|(k, c)| chars.get(i + k) == Some(&c))
}

/// The deepest known module a path from `from` names.
fn resolve(from: &Module, path: &[String], known: &BTreeSet<Module>) -> Module {
    let mut m: Module = from.clone();
    let mut rest = path;
    if rest.first().is_some_and(|s| s == "crate") {
        m.clear();
        rest = &rest[1..];
    }
    while let Some(s) = rest.first() {
        match s.as_str() {
            "super" => {
                m.pop();
            }
            "self" => {}
            _ => break,
        }
        rest = &rest[1..];
    }
    for s in rest {
        let mut next = m.clone();
        next.push(s.clone());
        if known.contains(&next) {
            m = next;
        } else {
            break;
        }
    }
    m
}

fn graph() -> BTreeMap<Module, BTreeSet<Module>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src.join("plugin"), &mut files);
    files.retain(|f| {
        !f.file_name()
            .is_some_and(|n| n.to_string_lossy().contains("tests"))
    });
    let modules: BTreeMap<Module, PathBuf> = files
        .iter()
        .map(|f| (module_of(&src, f), f.clone()))
        .collect();
    let known: BTreeSet<Module> = modules.keys().cloned().collect();
    let mut edges = BTreeMap::new();
    for (m, file) in &modules {
        let code = code_of(&std::fs::read_to_string(file).expect("read source"));
        let mut deps: BTreeSet<Module> = paths_in(&code)
            .iter()
            .map(|p| resolve(m, p, &known))
            .filter(|d| d.first().is_some_and(|s| s == "plugin"))
            .collect();
        // A parent depends on the children it declares.
        deps.extend(
            known
                .iter()
                .filter(|c| c.len() == m.len() + 1 && c.starts_with(m))
                .cloned(),
        );
        deps.remove(m);
        edges.insert(m.clone(), deps);
    }
    edges
}

fn name(m: &Module) -> String {
    m.join("::")
}

#[test]
fn the_host_core_refers_to_no_kind() {
    let edges = graph();
    assert!(edges.contains_key(&vec!["plugin".to_string(), "host".to_string()]));
    let mut bad = Vec::new();
    for (m, deps) in &edges {
        if m.get(1).is_some_and(|s| s == "host") {
            for d in deps {
                if d.get(1).is_some_and(|s| s == "kinds") {
                    bad.push(format!("{} -> {}", name(m), name(d)));
                }
            }
        }
    }
    assert!(bad.is_empty(), "the host refers to kinds: {bad:?}");
}

#[test]
fn no_import_cycles_inside_the_plugin_host() {
    let edges = graph();
    // Every module reachable from each one; a module that reaches itself is in a cycle.
    let mut cycles = Vec::new();
    for start in edges.keys() {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&Module> = edges[start].iter().collect();
        while let Some(m) = todo.pop() {
            if !seen.insert(m.clone()) {
                continue;
            }
            if let Some(next) = edges.get(m) {
                todo.extend(next.iter());
            }
        }
        if seen.contains(start) {
            cycles.push(name(start));
        }
    }
    assert!(cycles.is_empty(), "modules in an import cycle: {cycles:?}");
}

#[test]
fn the_reader_sees_what_a_module_uses() {
    let code = code_of(
        "use super::{a, b::C};\n// use crate::x;\nuse crate::plugin::host::kind::{KindSpec};\npub(super) fn f() {}\n#[cfg(test)]\nmod tests { use crate::y; }\n",
    );
    let paths: Vec<String> = paths_in(&code).iter().map(|p| p.join("::")).collect();
    assert_eq!(
        paths,
        [
            "super::a",
            "super::b",
            "crate::plugin::host::kind::KindSpec"
        ]
    );
    let known: BTreeSet<Module> = [
        vec!["plugin"],
        vec!["plugin", "host"],
        vec!["plugin", "host", "kind"],
    ]
    .iter()
    .map(|m| m.iter().map(|s| s.to_string()).collect())
    .collect();
    let from: Module = vec!["plugin".into(), "host".into(), "server".into()];
    let path: Vec<String> = ["super", "kind", "KindSpec"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(name(&resolve(&from, &path, &known)), "plugin::host::kind");
    let path: Vec<String> = ["crate", "plugin", "nope"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(name(&resolve(&from, &path, &known)), "plugin");
}
