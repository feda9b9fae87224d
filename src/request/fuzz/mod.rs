//! Deterministic fuzzing of every input parser, on stable Rust, as ordinary tests.
//!
//! Each target runs a few thousand cases: inputs generated from a grammar of the
//! format, and mutations of the seed files under `tests/data/fuzz/<target>/` (plus the
//! other test data of that format). Every case is bounded: it must finish within
//! [`CASE_TIME`], hold at most [`CASE_MEMORY`] at its peak (measured by the test
//! binary's counting allocator; beyond [`HARD_CAP`] allocations fail and the process
//! aborts instead of exhausting the machine), not panic, and satisfy the target's
//! properties (e.g. errors are one bounded line; what is loaded dumps and loads back
//! the same).
//!
//! Cases are derived from a seed and their index only, so a failure names both and is
//! reproduced with:
//!
//! ```text
//! SPACECTL_FUZZ_SEED=<seed> SPACECTL_FUZZ_ONLY=<index> cargo test --bin spacectl fuzz::<target>
//! ```
//!
//! (`SPACECTL_FUZZ_DUMP=<file>` also writes that case's whole input to the file;
//! `SPACECTL_FUZZ_TRACE=1` names every case before it runs, to find one that aborts.)
//! `SPACECTL_FUZZ_CASES=<n>` runs `n` cases per target instead of the default (longer
//! runs outside CI); `SPACECTL_FUZZ_SEED` starts from another seed.

mod alloc;
mod grammar;
mod targets;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Longest time one case may take (debug build, shared machine).
pub const CASE_TIME: Duration = Duration::from_secs(10);
/// Most memory one case may hold at its peak.
pub const CASE_MEMORY: isize = 256 * 1024 * 1024;
/// Allocations beyond this are refused (the process aborts): the last line of defence.
pub const HARD_CAP: usize = 1024 * 1024 * 1024;
/// Stack of the worker thread: that of a tokio worker, where the plugin host parses.
const WORKER_STACK: usize = 2 * 1024 * 1024;
/// Seed used when `SPACECTL_FUZZ_SEED` is not set.
const DEFAULT_SEED: u64 = 0x05ac_ec71_2026;

/// A small deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next_u64() % n as u64) as usize
    }

    /// `true` with probability `1/n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The seed of case `index` of a run seeded with `seed`.
fn case_seed(seed: u64, index: usize) -> u64 {
    Rng::new(seed ^ (index as u64).wrapping_mul(0x2545_f491_4f6c_dd1d)).next_u64()
}

fn env_number(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    let text = text.trim();
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

/// The number of cases of a target: `default`, or `SPACECTL_FUZZ_CASES`.
pub fn case_count(default: usize) -> usize {
    env_number("SPACECTL_FUZZ_CASES").map_or(default, |n| n as usize)
}

fn base_seed() -> u64 {
    env_number("SPACECTL_FUZZ_SEED").unwrap_or(DEFAULT_SEED)
}

/// The seed files of a format: `tests/data/fuzz/<name>/` and the other `dirs` (relative
/// to the package root), every regular file, in name order.
pub fn corpus(name: &str, dirs: &[&str]) -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<PathBuf> = Vec::new();
    let own = format!("tests/data/fuzz/{name}");
    for dir in std::iter::once(own.as_str()).chain(dirs.iter().copied()) {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        found.sort();
        paths.extend(found);
    }
    let files: Vec<Vec<u8>> = paths.iter().filter_map(|p| std::fs::read(p).ok()).collect();
    assert!(
        !files.is_empty(),
        "no seed files for the {name} fuzz target under tests/data/fuzz/{name}"
    );
    files
}

/// Bytes worth inserting into any text format.
const BYTES: &[u8] = b"\0\x01\x07\x08\t\n\r\x0b\x0c\x1b \"#$%&'()*+,-./0123456789:;<=>?@[\\]^_`{|}~\x7f\xc2\x85\xa0\xe2\x80\xa8\xef\xbb\xbf\xef\xbf\xbe\xff";

/// Apply one to four random edits to `input`: bit flips, interesting bytes and
/// `tokens`, deletions, duplications, repetitions, splices from `others`, truncation.
pub fn mutate(rng: &mut Rng, input: &[u8], others: &[Vec<u8>], tokens: &[&str]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=rng.below(4) {
        let len = out.len();
        let at = rng.below(len + 1);
        match rng.below(10) {
            0 if len > 0 => {
                let i = rng.below(len);
                out[i] ^= 1 << rng.below(8);
            }
            1 => out.insert(at, *rng.pick(BYTES)),
            2 | 3 => {
                let token = rng.pick(tokens).as_bytes();
                out.splice(at..at, token.iter().copied());
            }
            4 if len > 0 => {
                let end = (at + 1 + rng.below(32)).min(len);
                out.drain(at.min(end)..end);
            }
            5 if len > 0 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(64)).min(len);
                let chunk = out[start..end].to_vec();
                out.splice(at..at, chunk);
            }
            6 if len > 0 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(16)).min(len);
                let chunk = out[start..end].repeat(2 + rng.below(200));
                out.splice(at..at, chunk);
            }
            7 if !others.is_empty() => {
                let other = rng.pick(others);
                let start = rng.below(other.len() + 1);
                let end = (start + rng.below(256)).min(other.len());
                out.splice(at..at, other[start..end].iter().copied());
            }
            8 => out.truncate(at),
            _ => {
                let line_start = out[..at]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |p| p + 1);
                let indent = b"  ".repeat(rng.below(4));
                out.splice(line_start..line_start, indent);
            }
        }
    }
    out
}

/// `mutate`, as text (invalid UTF-8 replaced).
pub fn mutate_text(rng: &mut Rng, input: &[u8], others: &[Vec<u8>], tokens: &[&str]) -> String {
    String::from_utf8_lossy(&mutate(rng, input, others, tokens)).into_owned()
}

/// The start of a case's input, for failure messages.
pub fn excerpt(text: &str) -> String {
    const LIMIT: usize = 2000;
    let cut: String = text.chars().take(LIMIT).collect();
    if cut.len() < text.len() {
        format!("{cut:?}… ({} bytes)", text.len())
    } else {
        format!("{cut:?}")
    }
}

/// A property of an error text: one line, at most `limit` characters.
pub fn one_bounded_line(error: &str, limit: usize) -> Result<(), String> {
    if error.contains('\n') {
        return Err(format!("error spans several lines: {}", excerpt(error)));
    }
    if error.chars().count() > limit {
        return Err(format!(
            "error is longer than {limit} characters ({}): {}",
            error.chars().count(),
            excerpt(error)
        ));
    }
    Ok(())
}

enum Event {
    Done(Duration),
    Failed(usize, String),
}

/// Run `count` cases of target `name`: `generate` makes case `i` from its own
/// generator, `check` runs the parser and tests its properties, `show` renders an
/// input for the failure message. Panics (failing the test) on the first case that
/// fails, panics, outgrows [`CASE_MEMORY`] or outlasts [`CASE_TIME`].
pub fn run<I, G, C, S>(name: &'static str, count: usize, generate: G, check: C, show: S)
where
    I: 'static,
    G: Fn(&mut Rng, usize) -> I + Send + 'static,
    C: Fn(&I) -> Result<(), String> + Send + 'static,
    S: Fn(&I) -> String + Send + 'static,
{
    let seed = base_seed();
    let only = env_number("SPACECTL_FUZZ_ONLY").map(|n| n as usize);
    let trace = std::env::var_os("SPACECTL_FUZZ_TRACE").is_some();
    let (tx, rx) = mpsc::channel::<Event>();
    let worker = std::thread::Builder::new()
        .name(format!("fuzz-{name}"))
        .stack_size(WORKER_STACK)
        .spawn(move || {
            for index in 0..count {
                if only.is_some_and(|o| o != index) {
                    continue;
                }
                if trace {
                    eprintln!("{name} case {index}");
                }
                let mut rng = Rng::new(case_seed(seed, index));
                let input = generate(&mut rng, index);
                if only.is_some() {
                    let shown = show(&input);
                    eprintln!("{name} case {index}: {}", excerpt(&shown));
                    if let Ok(path) = std::env::var("SPACECTL_FUZZ_DUMP") {
                        let _ = std::fs::write(path, &shown);
                    }
                }
                let base = alloc::reset_peak();
                alloc::set_cap(HARD_CAP);
                let case_started = Instant::now();
                let outcome = catch_unwind(AssertUnwindSafe(|| check(&input)));
                let took = case_started.elapsed();
                alloc::set_cap(0);
                let grown = alloc::peak() - base;
                let failure = match outcome {
                    Ok(Ok(())) if grown > CASE_MEMORY => Some(format!(
                        "held {} MiB at its peak (limit {} MiB)",
                        grown >> 20,
                        CASE_MEMORY >> 20
                    )),
                    Ok(Ok(())) => None,
                    Ok(Err(violation)) => Some(violation),
                    Err(panic) => Some(format!(
                        "panicked: {}",
                        panic
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_default()
                    )),
                };
                let event = match failure {
                    Some(f) => {
                        Event::Failed(index, format!("{f}\n  input: {}", excerpt(&show(&input))))
                    }
                    None => Event::Done(took),
                };
                let failed = matches!(event, Event::Failed(..));
                if tx.send(event).is_err() || failed {
                    return;
                }
            }
        })
        .expect("start the fuzz worker");
    let started = Instant::now();
    let expected = if only.is_some() { 1 } else { count };
    let mut slowest = (Duration::ZERO, 0);
    for done in 0..expected {
        match rx.recv_timeout(CASE_TIME) {
            Ok(Event::Done(took)) => slowest = slowest.max((took, done)),
            Ok(Event::Failed(index, why)) => panic!(
                "fuzz target {name}, case {index} (SPACECTL_FUZZ_SEED={seed:#x} SPACECTL_FUZZ_ONLY={index}): {why}"
            ),
            Err(mpsc::RecvTimeoutError::Timeout) => panic!(
                "fuzz target {name}, case {done} (SPACECTL_FUZZ_SEED={seed:#x} SPACECTL_FUZZ_ONLY={done}): did not finish within {CASE_TIME:?}"
            ),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let _ = worker.join();
                panic!("fuzz target {name}: the worker stopped after {done} cases");
            }
        }
    }
    let _ = worker.join();
    eprintln!(
        "fuzz target {name}: {expected} cases in {:.1} s (seed {seed:#x}; slowest: case {}, {} ms)",
        started.elapsed().as_secs_f64(),
        slowest.1,
        slowest.0.as_millis()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_are_reproducible_from_seed_and_index() {
        let a: Vec<u64> = (0..3)
            .map(|i| Rng::new(case_seed(7, i)).next_u64())
            .collect();
        let b: Vec<u64> = (0..3)
            .map(|i| Rng::new(case_seed(7, i)).next_u64())
            .collect();
        assert_eq!(a, b);
        assert_ne!(a[0], a[1]);
        let mut r = Rng::new(1);
        let m1 = mutate(&mut r, b"key: value\n", &[], &["x"]);
        let mut r = Rng::new(1);
        assert_eq!(mutate(&mut r, b"key: value\n", &[], &["x"]), m1);
    }

    #[test]
    fn bounded_lines() {
        assert!(one_bounded_line("one line", 10).is_ok());
        assert!(one_bounded_line("two\nlines", 100).is_err());
        assert!(one_bounded_line(&"x".repeat(11), 10).is_err());
    }
}
