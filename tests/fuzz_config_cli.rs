//! Generated configuration directories through the built binary: every kind of file
//! (regular, directory, FIFO, symbolic link — dangling, looping, to a FIFO) at every
//! configuration path, with contents mutated from the seeds under
//! `tests/data/fuzz/config/`, then a `config` command. Each run must end within its
//! bound with status 0, 1 or 2, print errors as `ERROR: ...`, never panic, leave no
//! temporary file behind and leave FIFOs and directories as they were.
//!
//! `SPACECTL_FUZZ_CASES` sets the number of directories (default 80),
//! `SPACECTL_FUZZ_SEED` the seed.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{command_in_home, run_bounded, spacectl_bin, temp_home};

const RUN_LIMIT: Duration = Duration::from_secs(20);

/// SplitMix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| {
            let v = v.trim().to_string();
            match v.strip_prefix("0x") {
                Some(h) => u64::from_str_radix(h, 16).ok(),
                None => v.parse().ok(),
            }
        })
        .unwrap_or(default)
}

fn seeds() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz/config");
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("tests/data/fuzz/config")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    paths.iter().filter_map(|p| fs::read(p).ok()).collect()
}

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    const TOKENS: &[&[u8]] = &[
        b"\0",
        b"\n",
        b": ",
        b"- ",
        b"&a ",
        b"*a",
        b"[",
        b"{",
        b"'",
        b"\"",
        b"2024-01-01",
        b".inf",
        b"environment: ",
        b"dev",
        b"\xff",
        b"\t",
        b"---\n",
    ];
    let mut out = seed.to_vec();
    for _ in 0..=rng.below(3) {
        let at = rng.below(out.len() + 1);
        match rng.below(3) {
            0 => out
                .splice(at..at, rng.pick(TOKENS).iter().copied())
                .for_each(drop),
            1 => {
                let end = (at + rng.below(20)).min(out.len());
                out.drain(at..end);
            }
            _ => out.truncate(at),
        }
    }
    out
}

#[cfg(unix)]
fn mkfifo(p: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(p.as_os_str().as_bytes()).expect("path");
    // SAFETY: `c` is a valid NUL-terminated path for the duration of the call.
    assert_eq!(
        unsafe { libc::mkfifo(c.as_ptr(), 0o600) },
        0,
        "mkfifo {}",
        p.display()
    );
}

/// Put something at `path`: a file with mutated content, a directory, a FIFO, a
/// link to a regular file, a dangling link, a link loop or a link to a FIFO.
/// Returns the special files made, to check afterwards.
#[cfg(unix)]
fn plant(rng: &mut Rng, seeds: &[Vec<u8>], home: &Path, path: &Path) -> Vec<PathBuf> {
    use std::os::unix::fs::symlink;
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("mkdir");
    }
    let seed = rng.pick(seeds).clone();
    let content = mutate(rng, &seed);
    let mut special = Vec::new();
    match rng.below(12) {
        0 => {
            fs::create_dir(path).expect("mkdir");
            special.push(path.to_path_buf());
        }
        1 => {
            mkfifo(path);
            special.push(path.to_path_buf());
        }
        2 => {
            let target = home.join(format!("target-{}.yml", rng.next()));
            fs::write(&target, content).expect("write");
            symlink(&target, path).expect("symlink");
        }
        3 => symlink(home.join("nowhere/none.yml"), path).expect("symlink"),
        4 => symlink(path, path).expect("symlink"),
        5 => {
            let fifo = home.join(format!("fifo-{}", rng.next()));
            mkfifo(&fifo);
            symlink(&fifo, path).expect("symlink");
            special.push(fifo);
        }
        _ => fs::write(path, content).expect("write"),
    }
    special
}

fn leftovers(dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let is_dir = e.file_type().map(|t| t.is_dir()).unwrap_or(false);
        if name.ends_with(".tmp") {
            out.push(e.path().display().to_string());
        }
        if is_dir {
            leftovers(&e.path(), out);
        }
    }
}

#[cfg(unix)]
#[test]
fn generated_configuration_directories() {
    use std::os::unix::fs::FileTypeExt;
    let seeds = seeds();
    let cases = env_number("SPACECTL_FUZZ_CASES", 80);
    let seed = env_number("SPACECTL_FUZZ_SEED", 0x05ac_ec71_2026);
    let commands: &[&[&str]] = &[
        &["config", "show"],
        &["config", "show", "-o", "json"],
        &["config", "set", "api_key", "k"],
        &["config", "remove", "token"],
        &["config", "environment"],
        &["config", "environment", "-s", "dev"],
        &["config", "environment", "-r", "dev"],
        &["config", "environment", "-r", "prod"],
        &["config", "init", "-e", "dev"],
        &["config", "init", "-e", "new"],
        &["config", "endpoint", "show"],
        &["config", "endpoint", "add", "plugin", "grpc://127.0.0.1:1"],
        &["template", "show", "identity.Provider"],
    ];
    for case in 0..cases {
        let mut rng = Rng(seed ^ case.wrapping_mul(0x2545_f491_4f6c_dd1d));
        let home = temp_home();
        let root = home.path().join(".spaceone");
        let mut special = Vec::new();
        for rel in [
            "environment.yml",
            "environments/dev.yml",
            "environments/prod.yml",
            "template/identity.Provider.yml",
            "backups/dev.yml.bak",
        ] {
            if rng.below(4) != 0 {
                special.extend(plant(&mut rng, &seeds, home.path(), &root.join(rel)));
            }
        }
        for _ in 0..2 {
            let args = *rng.pick(commands);
            let mut c = command_in_home(&spacectl_bin(), home.path());
            c.args(args);
            let r = run_bounded(c, "", RUN_LIMIT);
            let what = format!("case {case} (SPACECTL_FUZZ_SEED={seed:#x}), spacectl {args:?}");
            assert!(
                matches!(r.code(), 0..=2),
                "{what}: exit status {:?}; stderr: {}",
                r.status,
                r.stderr
            );
            assert!(
                !r.stderr.contains("panicked"),
                "{what}: panicked: {}",
                r.stderr
            );
            if r.code() == 1 {
                assert!(
                    r.stderr.starts_with("ERROR: ") || r.stderr.starts_with("Aborted!"),
                    "{what}: {}",
                    r.stderr
                );
            }
            for s in &special {
                let kind = fs::symlink_metadata(s).map(|m| m.file_type());
                assert!(
                    kind.as_ref().is_ok_and(|k| k.is_fifo() || k.is_dir()),
                    "{what}: {} was replaced ({kind:?})",
                    s.display()
                );
            }
            let mut left = Vec::new();
            leftovers(home.path(), &mut left);
            assert!(left.is_empty(), "{what}: temporary files left: {left:?}");
        }
    }
}
