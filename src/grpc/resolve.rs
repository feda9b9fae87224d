//! `SERVICE.Resource` and verb resolution (pure).
//!
//! The SERVICE part only picks an endpoint from the configuration; the Resource
//! part is matched against the last segment of the fully-qualified service
//! names that endpoint lists over reflection; the verb is the method name,
//! compared case-sensitively.

use crate::error::AppError;

/// Built-in short names: `(alias, service, Resource)`, in upstream table order.
pub const ALIASES: &[(&str, &str, &str)] = &[
    ("domain", "identity", "Domain"),
    ("endpoint", "identity", "Endpoint"),
    ("workspace", "identity", "Workspace"),
    ("project", "identity", "Project"),
    ("project_group", "identity", "ProjectGroup"),
    ("pg", "identity", "ProjectGroup"),
    ("user", "identity", "User"),
    ("api_key", "identity", "APIKey"),
    ("policy", "identity", "Policy"),
    ("role", "identity", "Role"),
    ("role_binding", "identity", "RoleBinding"),
    ("rb", "identity", "RoleBinding"),
    ("user_profile", "identity", "UserProfile"),
    ("up", "identity", "UserProfile"),
    ("workspace_user", "identity", "WorkspaceUser"),
    ("wu", "identity", "WorkspaceUser"),
    ("user_group", "identity", "UserGroup"),
    ("ug", "identity", "UserGroup"),
    ("app", "identity", "App"),
    ("token", "identity", "Token"),
    ("provider", "identity", "Provider"),
    ("service_account", "identity", "ServiceAccount"),
    ("sa", "identity", "ServiceAccount"),
    ("trusted_account", "identity", "TrustedAccount"),
    ("ta", "identity", "TrustedAccount"),
    ("secret", "secret", "Secret"),
    ("ts", "secret", "TrustedSecret"),
    ("region", "inventory", "Region"),
    ("cloud_service", "inventory", "CloudService"),
    ("cs", "inventory", "CloudService"),
    ("cloud_service_type", "inventory", "CloudServiceType"),
    ("cst", "inventory", "CloudServiceType"),
    ("cloud_service_report", "inventory", "CloudServiceReport"),
    ("csr", "inventory", "CloudServiceReport"),
    (
        "cloud_service_query_set",
        "inventory",
        "CloudServiceQuerySet",
    ),
    ("cloud_service_stats", "inventory", "CloudServiceStats"),
    ("change_history", "inventory", "ChangeHistory"),
    ("note", "inventory", "Note"),
    ("collector", "inventory", "Collector"),
    ("collector_rule", "inventory", "CollectorRule"),
    ("cr", "inventory", "CollectorRule"),
    ("user_config", "config", "UserConfig"),
    ("domain_config", "config", "DomainConfig"),
    ("repository", "repository", "Repository"),
    ("repo", "repository", "Repository"),
    ("plugin", "repository", "Plugin"),
    ("metric", "monitoring", "Metric"),
    ("log", "monitoring", "Log"),
    ("escalation_policy", "monitoring", "EscalationPolicy"),
    ("ep", "monitoring", "EscalationPolicy"),
    ("event_rule", "monitoring", "EventRule"),
    ("er", "monitoring", "EventRule"),
    ("webhook", "monitoring", "Webhook"),
    ("maintenance_window", "monitoring", "MaintenanceWindow"),
    ("alert", "monitoring", "Alert"),
    ("event", "monitoring", "Event"),
    ("protocol", "notification", "Protocol"),
    ("project_channel", "notification", "ProjectChannel"),
    ("ph", "notification", "ProjectChannel"),
    ("user_channel", "notification", "UserChannel"),
    ("uh", "notification", "UserChannel"),
    ("notification", "notification", "Notification"),
    ("noti", "notification", "Notification"),
    ("cost", "cost_analysis", "Cost"),
    ("ds", "cost_analysis", "DataSource"),
    ("dsr", "cost_analysis", "DataSourceRule"),
    ("budget", "cost_analysis", "Budget"),
    ("budget_usage", "cost_analysis", "BudgetUsage"),
    ("cost_query_set", "cost_analysis", "CostQuerySet"),
    ("board", "board", "Board"),
    ("file", "file_manager", "File"),
    ("public_dashboard", "dashboard", "PublicDashboard"),
    ("pub_d", "dashboard", "PublicDashboard"),
    ("private_dashboard", "dashboard", "PrivateDashboard"),
    ("pri_d", "dashboard", "PrivateDashboard"),
];

/// Reflection services are never offered as resources.
const REFLECTION_PREFIX: &str = "grpc.reflection.";

/// A parsed RESOURCE argument: the endpoint key and the short resource name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub service: String,
    pub resource: String,
}

/// Parse `SERVICE.Resource` or a built-in short name.
pub fn parse_resource(arg: &str) -> Result<Target, AppError> {
    if let Some((_, service, resource)) = ALIASES.iter().find(|(alias, _, _)| *alias == arg) {
        return Ok(Target {
            service: (*service).to_string(),
            resource: (*resource).to_string(),
        });
    }
    let mut parts = arg.split('.');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(service), Some(resource), None) => Ok(Target {
            service: service.to_string(),
            resource: resource.to_string(),
        }),
        _ => Err(AppError::msg(format!(
            "Resource format is invalid. (resource = <service>.<resource>)\n{}",
            crate::suggest::short_name_lines(arg, ALIASES)
        ))),
    }
}

/// The short names whose target is exactly `(service, resource)`, in table order.
pub fn aliases_for(service: &str, resource: &str) -> Vec<&'static str> {
    ALIASES
        .iter()
        .filter(|(_, s, r)| *s == service && *r == resource)
        .map(|(alias, _, _)| *alias)
        .collect()
}

/// Whether a listed service is offered as a resource (reflection itself is not).
pub fn is_resource_service(full_name: &str) -> bool {
    !full_name.starts_with(REFLECTION_PREFIX)
}

/// The last dotted segment of a fully-qualified name.
pub fn short_name(full_name: &str) -> &str {
    full_name.rsplit('.').next().unwrap_or(full_name)
}

/// The package part of a fully-qualified service name (empty when none).
fn package_of(full_name: &str) -> &str {
    full_name.rsplit_once('.').map(|(p, _)| p).unwrap_or("")
}

/// Pick the service a short resource name refers to among the listed ones.
///
/// Among the services whose last segment equals `resource`, the last listed one
/// whose package ends in `.<api_version>` wins; without such a service, the last
/// listed candidate wins (the upstream rule).
pub fn pick_service<'a>(
    services: &'a [String],
    resource: &str,
    api_version: &str,
) -> Option<&'a str> {
    let candidates: Vec<&'a str> = services
        .iter()
        .map(String::as_str)
        .filter(|s| is_resource_service(s) && short_name(s) == resource)
        .collect();
    let versioned = candidates
        .iter()
        .rev()
        .find(|s| !api_version.is_empty() && short_name(package_of(s)) == api_version);
    versioned.or(candidates.last()).copied()
}

/// `'<service>.<api_version>' service does not have a '<Resource>' resource.`
/// and, below it, the resource probably meant among the listed `services`.
pub fn unknown_resource(target: &Target, api_version: &str, services: &[String]) -> AppError {
    let resources: Vec<&str> = services
        .iter()
        .filter(|s| is_resource_service(s))
        .map(|s| short_name(s))
        .collect();
    AppError::msg(format!(
        "'{}.{}' service does not have a '{}' resource.\n{}",
        target.service,
        api_version,
        target.resource,
        crate::suggest::resource_lines(&target.resource, &resources)
    ))
}

/// `'<service>.<api_version>.<Resource>' resource does not have a '<verb>' verb.`
/// and, below it, the verb probably meant among the resource's `verbs`.
pub fn unknown_verb(target: &Target, api_version: &str, verb: &str, verbs: &[String]) -> AppError {
    let verbs: Vec<&str> = verbs.iter().map(String::as_str).collect();
    AppError::msg(format!(
        "'{}.{}.{}' resource does not have a '{}' verb.\n{}",
        target.service,
        api_version,
        target.resource,
        verb,
        crate::suggest::verb_lines(verb, &verbs)
    ))
}

/// Methods that take a stream of requests cannot be called from the command line.
pub fn client_streaming_verb(target: &Target, verb: &str) -> AppError {
    AppError::msg(format!(
        "'{}.{}' takes a stream of requests; it cannot be called from the command line.",
        target.resource, verb
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn dotted_resource() {
        assert_eq!(
            parse_resource("plugin.Collector"),
            Ok(Target {
                service: "plugin".into(),
                resource: "Collector".into()
            })
        );
    }

    #[test]
    fn alias_wins_over_split() {
        let t = parse_resource("plugin").unwrap();
        assert_eq!(
            (t.service.as_str(), t.resource.as_str()),
            ("repository", "Plugin")
        );
        let t = parse_resource("pg").unwrap();
        assert_eq!(
            (t.service.as_str(), t.resource.as_str()),
            ("identity", "ProjectGroup")
        );
        let t = parse_resource("pri_d").unwrap();
        assert_eq!(
            (t.service.as_str(), t.resource.as_str()),
            ("dashboard", "PrivateDashboard")
        );
    }

    #[test]
    fn bad_formats() {
        assert_eq!(
            parse_resource("Collector").unwrap_err().render(),
            "ERROR: Resource format is invalid. (resource = <service>.<resource>)\n\
             did you mean 'inventory.Collector'?\n\n"
        );
        assert_eq!(
            parse_resource("provder").unwrap_err().render(),
            "ERROR: Resource format is invalid. (resource = <service>.<resource>)\n\
             did you mean 'provider' (identity.Provider)?\n\n"
        );
        for arg in ["a.b.c", "", "x."] {
            let r = parse_resource(arg);
            if arg == "x." {
                assert_eq!(
                    r,
                    Ok(Target {
                        service: "x".into(),
                        resource: "".into()
                    })
                );
                continue;
            }
            assert_eq!(
                r.unwrap_err().render(),
                "ERROR: Resource format is invalid. (resource = <service>.<resource>)\n\
                 give SERVICE.Resource (e.g. identity.Provider) or a short name (e.g. provider); spacectl api-resources lists both\n\n",
                "{arg}"
            );
        }
    }

    #[test]
    fn aliases_for_targets() {
        assert_eq!(
            aliases_for("identity", "ProjectGroup"),
            vec!["project_group", "pg"]
        );
        assert_eq!(aliases_for("identity", "Provider"), vec!["provider"]);
        assert_eq!(aliases_for("plugin", "Collector"), Vec::<&str>::new());
        assert_eq!(
            aliases_for("notification", "Notification"),
            vec!["notification", "noti"]
        );
    }

    #[test]
    fn every_alias_is_unique() {
        for (i, (a, _, _)) in ALIASES.iter().enumerate() {
            assert!(ALIASES[i + 1..].iter().all(|(b, _, _)| a != b), "{a}");
        }
    }

    #[test]
    fn short_name_match() {
        let s = names(&[
            "grpc.health.v1.Health",
            "spaceone.api.core.v1.ServerInfo",
            "spaceone.api.inventory.plugin.Collector",
            "spaceone.api.inventory.plugin.Job",
        ]);
        assert_eq!(
            pick_service(&s, "Collector", "v1"),
            Some("spaceone.api.inventory.plugin.Collector")
        );
        assert_eq!(
            pick_service(&s, "Health", "v2"),
            Some("grpc.health.v1.Health")
        );
        assert_eq!(pick_service(&s, "collector", "v1"), None);
        assert_eq!(pick_service(&s, "Nope", "v1"), None);
    }

    #[test]
    fn api_version_preference() {
        let s = names(&[
            "spaceone.api.identity.v1.Provider",
            "spaceone.api.identity.v2.Provider",
        ]);
        assert_eq!(
            pick_service(&s, "Provider", "v1"),
            Some("spaceone.api.identity.v1.Provider")
        );
        assert_eq!(
            pick_service(&s, "Provider", "v2"),
            Some("spaceone.api.identity.v2.Provider")
        );
        // No package ends in the version: the last listed one wins.
        assert_eq!(
            pick_service(&s, "Provider", "v3"),
            Some("spaceone.api.identity.v2.Provider")
        );
        let rev = names(&[
            "spaceone.api.identity.v2.Provider",
            "spaceone.api.identity.v1.Provider",
        ]);
        assert_eq!(
            pick_service(&rev, "Provider", "v9"),
            Some("spaceone.api.identity.v1.Provider")
        );
        assert_eq!(
            pick_service(&rev, "Provider", "v2"),
            Some("spaceone.api.identity.v2.Provider")
        );
    }

    #[test]
    fn version_must_be_a_whole_segment() {
        let s = names(&["a.xv1.Provider", "b.v2.Provider"]);
        assert_eq!(pick_service(&s, "Provider", "v1"), Some("b.v2.Provider"));
        let top = names(&["v1.Provider", "b.v2.Provider"]);
        assert_eq!(pick_service(&top, "Provider", "v1"), Some("v1.Provider"));
    }

    #[test]
    fn reflection_is_never_a_resource() {
        let s = names(&["grpc.reflection.v1alpha.ServerReflection", "x.v1.Thing"]);
        assert_eq!(pick_service(&s, "ServerReflection", "v1alpha"), None);
        assert!(!is_resource_service("grpc.reflection.v1.ServerReflection"));
        assert!(is_resource_service("grpc.health.v1.Health"));
    }

    #[test]
    fn error_texts() {
        let t = Target {
            service: "plugin".into(),
            resource: "Nope".into(),
        };
        let listed = names(&[
            "grpc.reflection.v1alpha.ServerReflection",
            "spaceone.api.inventory.plugin.Collector",
            "spaceone.api.inventory.plugin.Job",
            "grpc.health.v1.Health",
        ]);
        assert_eq!(
            unknown_resource(&t, "v2", &listed).render(),
            "ERROR: 'plugin.v2' service does not have a 'Nope' resource.\n\
             resources of this endpoint: Collector, Health, Job\n\n"
        );
        let t = Target {
            service: "plugin".into(),
            resource: "Colector".into(),
        };
        assert_eq!(
            unknown_resource(&t, "v1", &listed).render(),
            "ERROR: 'plugin.v1' service does not have a 'Colector' resource.\n\
             did you mean 'Collector'?\n\n"
        );
        let t = Target {
            service: "plugin".into(),
            resource: "Collector".into(),
        };
        let verbs = names(&["init", "verify", "collect"]);
        assert_eq!(
            unknown_verb(&t, "v1", "list", &verbs).render(),
            "ERROR: 'plugin.v1.Collector' resource does not have a 'list' verb.\n\
             verbs of this resource: collect, init, verify\n\n"
        );
        assert_eq!(
            unknown_verb(&t, "v1", "colect", &verbs).render(),
            "ERROR: 'plugin.v1.Collector' resource does not have a 'colect' verb.\n\
             did you mean 'collect'?\n\n"
        );
    }
}
