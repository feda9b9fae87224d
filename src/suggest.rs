//! "Did you mean …?" for wrong names: the closest of the names that exist, and
//! the follow-up lines of the errors about endpoints, services, resources, verbs
//! and short names (pure; the callers pass the names they know).
//!
//! The upstream error line always stays first; these lines go below it, so
//! scripts that match the upstream text keep working.

/// How similar (Jaro-Winkler, case-insensitive) a name must be to be offered;
/// clap offers subcommands from 0.7, names here are shorter and more alike.
const THRESHOLD: f64 = 0.8;

/// The candidate `input` most probably meant: one equal but for case, else the
/// most similar one above the threshold (the first listed wins a tie).
pub fn closest<'a, I>(input: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let wanted = input.to_lowercase();
    let mut best: Option<(&'a str, f64)> = None;
    for c in candidates {
        if c == input {
            continue;
        }
        let lower = c.to_lowercase();
        let score = if lower == wanted {
            2.0
        } else {
            strsim::jaro_winkler(&wanted, &lower)
        };
        if score >= THRESHOLD && best.is_none_or(|(_, b)| score > b) {
            best = Some((c, score));
        }
    }
    best.map(|(c, _)| c)
}

/// `did you mean 'x'?` for the closest candidate, else `<what>: a, b, c` (sorted,
/// without duplicates), else `none` when there is nothing to list.
fn mean_or_list<'a>(input: &str, candidates: &[&'a str], what: &str) -> String {
    if let Some(c) = closest(input, candidates.iter().copied()) {
        return format!("did you mean '{c}'?");
    }
    let mut names: Vec<&str> = candidates.to_vec();
    names.sort_unstable();
    names.dedup();
    if names.is_empty() {
        format!("{what}: none")
    } else {
        format!("{what}: {}", names.join(", "))
    }
}

/// Below `Endpoint is not set. (service=X)`: the configured endpoint X probably
/// meant, or the configured ones and how to add X.
pub fn endpoint_lines(service: &str, environment: &str, configured: &[&str]) -> String {
    if let Some(c) = closest(service, configured.iter().copied()) {
        return format!("did you mean '{c}'?");
    }
    let listed = if configured.is_empty() {
        format!("no endpoint is configured in environment '{environment}'")
    } else {
        let mut names = configured.to_vec();
        names.sort_unstable();
        format!(
            "endpoints configured in environment '{environment}': {}",
            names.join(", ")
        )
    };
    format!(
        "{listed}\nadd one: spacectl config endpoint add {service} grpc://HOST:PORT (e.g. grpc://localhost:50051)"
    )
}

/// Below `'S.v1' service does not have a 'R' resource.`: the resource meant, or
/// the resources the endpoint serves.
pub fn resource_lines(resource: &str, resources: &[&str]) -> String {
    mean_or_list(resource, resources, "resources of this endpoint")
}

/// Below `'S.v1.R' resource does not have a 'V' verb.`: the verb meant, or the
/// verbs of the resource.
pub fn verb_lines(verb: &str, verbs: &[&str]) -> String {
    mean_or_list(verb, verbs, "verbs of this resource")
}

/// Below `Resource format is invalid.`: for a word without a dot, the short name
/// (`(alias, service, Resource)`) or the `SERVICE.Resource` it probably means;
/// otherwise the two forms a resource is given in.
pub fn short_name_lines(arg: &str, aliases: &[(&str, &str, &str)]) -> String {
    if !arg.contains('.') && !arg.is_empty() {
        // A resource name given without its service: `Provider` → identity.Provider.
        if let Some((_, service, resource)) =
            aliases.iter().find(|(_, _, r)| r.eq_ignore_ascii_case(arg))
        {
            return format!("did you mean '{service}.{resource}'?");
        }
        if let Some(alias) = closest(arg, aliases.iter().map(|(a, _, _)| *a))
            && let Some((_, service, resource)) = aliases.iter().find(|(a, _, _)| *a == alias)
        {
            return format!("did you mean '{alias}' ({service}.{resource})?");
        }
    }
    "give SERVICE.Resource (e.g. identity.Provider) or a short name (e.g. provider); spacectl api-resources lists both".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closest_name_wins() {
        let names = ["identity", "plugin", "repository", "inventory"];
        assert_eq!(closest("plugn", names), Some("plugin"));
        assert_eq!(closest("Plugin", names), Some("plugin"));
        assert_eq!(closest("identiy", names), Some("identity"));
        assert_eq!(closest("repo", names), Some("repository"));
        assert_eq!(closest("cost", names), None);
        assert_eq!(
            closest("plugin", names),
            None,
            "an exact name is no suggestion"
        );
        assert_eq!(closest("x", []), None);
        assert_eq!(
            closest("Colector", ["Collector", "Job", "Health"]),
            Some("Collector")
        );
        assert_eq!(
            closest("colect", ["collect", "init", "verify"]),
            Some("collect")
        );
    }

    #[test]
    fn endpoint_lines_suggest_list_and_say_how_to_add() {
        assert_eq!(
            endpoint_lines("plugn", "local", &["identity", "plugin"]),
            "did you mean 'plugin'?"
        );
        assert_eq!(
            endpoint_lines("cost_analysis", "local", &["repository", "identity"]),
            "endpoints configured in environment 'local': identity, repository\n\
             add one: spacectl config endpoint add cost_analysis grpc://HOST:PORT (e.g. grpc://localhost:50051)"
        );
        assert_eq!(
            endpoint_lines("plugin", "dev", &[]),
            "no endpoint is configured in environment 'dev'\n\
             add one: spacectl config endpoint add plugin grpc://HOST:PORT (e.g. grpc://localhost:50051)"
        );
    }

    #[test]
    fn resource_and_verb_lines() {
        assert_eq!(
            resource_lines("Colector", &["Collector", "Job", "Health"]),
            "did you mean 'Collector'?"
        );
        assert_eq!(
            resource_lines("Nope", &["Job", "Collector", "Health", "Job"]),
            "resources of this endpoint: Collector, Health, Job"
        );
        assert_eq!(
            resource_lines("Nope", &[]),
            "resources of this endpoint: none"
        );
        assert_eq!(
            verb_lines("colect", &["init", "verify", "collect"]),
            "did you mean 'collect'?"
        );
        assert_eq!(
            verb_lines("list", &["verify", "init", "collect"]),
            "verbs of this resource: collect, init, verify"
        );
    }

    #[test]
    fn short_name_lines_find_the_alias_or_the_service() {
        let aliases = [
            ("provider", "identity", "Provider"),
            ("cst", "inventory", "CloudServiceType"),
            ("repo", "repository", "Repository"),
        ];
        assert_eq!(
            short_name_lines("provder", &aliases),
            "did you mean 'provider' (identity.Provider)?"
        );
        assert_eq!(
            short_name_lines("Provider", &aliases),
            "did you mean 'identity.Provider'?"
        );
        assert_eq!(
            short_name_lines("cloudservicetype", &aliases),
            "did you mean 'inventory.CloudServiceType'?"
        );
        for arg in ["zzz", "a.b.c", ""] {
            assert_eq!(
                short_name_lines(arg, &aliases),
                "give SERVICE.Resource (e.g. identity.Provider) or a short name (e.g. provider); spacectl api-resources lists both",
                "{arg}"
            );
        }
    }
}
