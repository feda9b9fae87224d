//! Shell completion of values from what is known on this machine, without any
//! network call: plugin kinds, environments, the current environment's
//! endpoints, and the resources and verbs of the service descriptors cached for
//! those endpoints (`~/.cache/spacectl`, written by earlier calls).
//!
//! The shells ask the binary itself at each TAB (clap_complete's dynamic
//! engine, registered by `spacectl completion SHELL`); commands and flags come
//! from the command tree as it is, so every command added later completes too.
//! This module attaches the value lists to the arguments that take such values.

use clap::Command;
use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};

use crate::config::Store;
use crate::grpc::cache::DescriptorCache;
use crate::grpc::resolve::{self, ALIASES};

/// The environment variable the registered shell functions set to ask for
/// completions (a name of our own, so that no user variable triggers it).
pub const ENV_VAR: &str = "_SPACECTL_COMPLETE";

/// Answer the shell when it asks (exits then); otherwise return at once.
pub fn answer_if_asked(name: crate::cli::BinName) {
    if std::env::var_os(ENV_VAR).is_none() {
        return;
    }
    clap_complete::CompleteEnv::with_factory(move || with_values(crate::cli::command_for(name)))
        .var(ENV_VAR)
        .bin(name.as_str())
        .completer(name.as_str())
        .complete();
}

/// What an argument completes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Kinds,
    Environments,
    Endpoints,
    Services,
    Resources,
    Verbs,
}

/// `(command path, argument id, source)`: the arguments that take such values.
const ARGS: &[(&str, &str, Source)] = &[
    ("create-project", "source", Source::Kinds),
    ("run plugin-server", "kind", Source::Kinds),
    ("config init", "environment", Source::Environments),
    ("config environment", "switch", Source::Environments),
    ("config environment", "remove", Source::Environments),
    ("config endpoint add", "service", Source::Services),
    ("config endpoint update", "service", Source::Endpoints),
    ("config endpoint remove", "service", Source::Endpoints),
    ("exec", "verb", Source::Verbs),
    ("exec", "resource", Source::Resources),
    ("get", "resource", Source::Resources),
    ("list", "resource", Source::Resources),
    ("stat", "resource", Source::Resources),
    ("analyze", "resource", Source::Resources),
    ("template set", "resource", Source::Resources),
    ("template show", "resource", Source::Resources),
    ("template remove", "resource", Source::Resources),
];

/// The command tree with the value lists attached (only built when completing).
pub fn with_values(cmd: Command) -> Command {
    attach(cmd, "")
}

fn attach(mut cmd: Command, path: &str) -> Command {
    for (p, id, source) in ARGS.iter().filter(|(p, _, _)| *p == path) {
        let source = *source;
        if cmd.get_arguments().any(|a| a.get_id() == *id) {
            let _ = p;
            cmd = cmd.mut_arg(*id, |a| {
                a.add(ArgValueCandidates::new(move || candidates(source)))
            });
        }
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        let sub = if path.is_empty() {
            name.clone()
        } else {
            format!("{path} {name}")
        };
        cmd = cmd.mut_subcommand(name, |s| attach(s, &sub));
    }
    cmd
}

fn candidates(source: Source) -> Vec<CompletionCandidate> {
    let known = match source {
        Source::Kinds => kinds(),
        Source::Environments => environments(),
        Source::Endpoints => endpoints()
            .into_iter()
            .map(|(n, url)| (n, Some(url)))
            .collect(),
        Source::Services => services(),
        Source::Resources => resources(&cached_catalogs()),
        Source::Verbs => verbs(&cached_catalogs()),
    };
    known
        .into_iter()
        .map(|(value, help)| CompletionCandidate::new(value).help(help.map(Into::into)))
        .collect()
}

type Known = Vec<(String, Option<String>)>;

/// Every plugin kind and its aliases.
fn kinds() -> Known {
    let mut out = Vec::new();
    for k in crate::plugin::kinds::KINDS {
        out.push((k.name.to_string(), Some(k.title.to_string())));
        for alias in k.aliases {
            out.push((alias.to_string(), Some(format!("{} ({})", k.title, k.name))));
        }
    }
    out
}

fn environments() -> Known {
    Store::discover()
        .and_then(|s| s.list_environments())
        .unwrap_or_default()
        .into_iter()
        .map(|e| (e, None))
        .collect()
}

/// The endpoints of the current environment: (service, URL).
fn endpoints() -> Vec<(String, String)> {
    Store::discover()
        .and_then(|s| s.load_current())
        .map(|env| env.endpoints())
        .unwrap_or_default()
}

/// Service names an endpoint may be added for: SpaceONE's services (those of
/// the short names) and `plugin`, less the ones configured already.
fn services() -> Known {
    let configured: Vec<String> = endpoints().into_iter().map(|(s, _)| s).collect();
    let mut names: Vec<&str> = ALIASES.iter().map(|(_, s, _)| *s).collect();
    names.push("plugin");
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .filter(|n| !configured.iter().any(|c| c == n))
        .map(|n| (n.to_string(), None))
        .collect()
}

/// The services each configured endpoint listed when last asked (from the
/// descriptor cache): (endpoint name, cache entry).
fn cached_catalogs() -> Vec<(String, crate::grpc::cache::Entry)> {
    let Some(cache) = DescriptorCache::open_default() else {
        return Vec::new();
    };
    endpoints()
        .into_iter()
        .filter_map(|(service, url)| {
            let parsed = crate::grpc::channel::parse_endpoint(&url).ok()?;
            let entry = cache.load(&crate::grpc::channel::cache_key(&parsed))?;
            Some((service, entry))
        })
        .collect()
}

/// `SERVICE.Resource` of every cached service of the configured endpoints, and
/// the short names whose service has an endpoint.
fn resources(catalogs: &[(String, crate::grpc::cache::Entry)]) -> Known {
    let mut out: Known = Vec::new();
    for (endpoint, entry) in catalogs {
        for full in entry
            .services
            .iter()
            .filter(|s| resolve::is_resource_service(s))
        {
            let value = format!("{endpoint}.{}", resolve::short_name(full));
            if !out.iter().any(|(v, _)| *v == value) {
                out.push((value, Some(full.clone())));
            }
        }
    }
    let configured: Vec<String> = endpoints().into_iter().map(|(s, _)| s).collect();
    for (alias, service, resource) in ALIASES {
        if configured.iter().any(|c| c == service) {
            out.push((alias.to_string(), Some(format!("{service}.{resource}"))));
        }
    }
    out
}

/// The method names of every cached service of the configured endpoints.
fn verbs(catalogs: &[(String, crate::grpc::cache::Entry)]) -> Known {
    let mut out: Known = Vec::new();
    for (_, entry) in catalogs {
        let Ok(pool) = prost_reflect::DescriptorPool::decode(entry.file_set.as_slice()) else {
            continue;
        };
        for full in entry
            .services
            .iter()
            .filter(|s| resolve::is_resource_service(s))
        {
            let Some(service) = pool.get_service_by_name(full) else {
                continue;
            };
            for m in service.methods() {
                if !out.iter().any(|(v, _)| v == m.name()) {
                    out.push((
                        m.name().to_string(),
                        Some(resolve::short_name(full).to_string()),
                    ));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_argument_exists() {
        for name in [crate::cli::BinName::Spacectl, crate::cli::BinName::Spaceone] {
            let tree = crate::cli::command_tree(name);
            for (path, id, _) in ARGS {
                let mut cmd = &tree;
                let mut found = true;
                for word in path.split_whitespace() {
                    match cmd.find_subcommand(word) {
                        Some(c) => cmd = c,
                        None => found = false,
                    }
                }
                if name == crate::cli::BinName::Spacectl {
                    assert!(found, "no command {path}");
                }
                if found {
                    assert!(
                        cmd.get_arguments().any(|a| a.get_id() == *id),
                        "{path} has no argument {id}"
                    );
                }
            }
        }
    }

    #[test]
    fn kinds_with_their_aliases() {
        let names: Vec<String> = kinds().into_iter().map(|(n, _)| n).collect();
        for k in [
            "asset",
            "collector",
            "external-auth",
            "auth",
            "webhook",
            "metric",
            "log",
        ] {
            assert!(names.iter().any(|n| n == k), "{k} in {names:?}");
        }
    }
}
