//! Names and limits of plugin images (pure): the version tag, the image name and
//! the plugin id as SpaceONE's repository service accepts them, the
//! `--registry HOST[:PORT][/NAMESPACE]` argument and the registry type that fits
//! a registry.
//!
//! The repository's rules, as measured on its 1.12 and 2.x releases:
//! - a registered image's tags are sorted as versions: every tag must be `x.y.z`;
//! - the image name (after the last `/`) has at most 48 characters, letters,
//!   digits and `-` only;
//! - the plugin id (the image name unless given) has at most 40 characters.

/// Longest image name (after the last `/`) the repository accepts.
pub const MAX_IMAGE_NAME: usize = 48;
/// Longest plugin id the services accept.
pub const MAX_PLUGIN_ID: usize = 40;

/// The `VERSION` of a project as an image tag: `x.y.z`, digits only.
pub fn check_version(text: &str) -> Result<String, String> {
    let v = text.trim();
    let parts: Vec<&str> = v.split('.').collect();
    let ok = parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 9 && p.bytes().all(|b| b.is_ascii_digit()));
    if ok {
        Ok(v.to_string())
    } else {
        Err(format!(
            "VERSION is '{v}': SpaceONE's repository accepts only versions like 1.2.3 (three numbers); write one into VERSION"
        ))
    }
}

/// The image name (no registry, no namespace, no tag) and the plugin id it gives.
pub fn check_image_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the image name is empty".to_string());
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(format!(
            "image name '{name}' has '{bad}': SpaceONE's repository and Docker accept lowercase letters, digits and '-' only"
        ));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Err(format!(
            "image name '{name}' starts or ends with '-', which Docker refuses"
        ));
    }
    if name.len() > MAX_IMAGE_NAME {
        return Err(format!(
            "image name '{name}' has {} characters; SpaceONE's repository accepts at most {MAX_IMAGE_NAME}",
            name.len()
        ));
    }
    Ok(())
}

/// A plugin id's length.
pub fn check_plugin_id(id: &str) -> Result<(), String> {
    if id.len() > MAX_PLUGIN_ID {
        return Err(format!(
            "plugin id '{id}' has {} characters; SpaceONE accepts at most {MAX_PLUGIN_ID} (shorten the image name in register.yaml, or give --plugin-id)",
            id.len()
        ));
    }
    if id.is_empty() {
        return Err("the plugin id is empty".to_string());
    }
    Ok(())
}

/// `--registry HOST[:PORT][/NAMESPACE]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registry {
    /// `HOST[:PORT]`, as Docker names it in image references.
    pub host: String,
    /// Path in front of the image name, e.g. `my-org` (may be empty).
    pub namespace: String,
}

impl Registry {
    pub fn parse(text: &str) -> Result<Registry, String> {
        let t = text.trim().trim_end_matches('/');
        if t.contains("://") {
            return Err(format!(
                "registry '{text}' has a scheme: give HOST[:PORT][/NAMESPACE], e.g. registry.example.com/my-org"
            ));
        }
        let (host, namespace) = match t.split_once('/') {
            Some((h, n)) => (h, n),
            None => (t, ""),
        };
        if host.is_empty() {
            return Err(format!(
                "registry '{text}' has no host: give HOST[:PORT][/NAMESPACE], e.g. registry.example.com/my-org"
            ));
        }
        let host_ok = host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
        if !host_ok {
            return Err(format!(
                "registry host '{host}' is not a host name or address"
            ));
        }
        if let Some((_, port)) = host.rsplit_once(':')
            && !host.ends_with(']')
            && port.parse::<u16>().is_err()
        {
            return Err(format!("registry '{text}': '{port}' is not a port number"));
        }
        for part in namespace.split('/').filter(|_| !namespace.is_empty()) {
            let ok = !part.is_empty()
                && part.chars().all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.')
                });
            if !ok {
                return Err(format!(
                    "registry namespace '{namespace}': use lowercase letters, digits, '-', '_' and '.', parts separated by '/'"
                ));
            }
        }
        Ok(Registry {
            host: host.to_string(),
            namespace: namespace.to_string(),
        })
    }

    /// The image as the repository registers it: `NAMESPACE/NAME`.
    pub fn repository_image(&self, name: &str) -> String {
        if self.namespace.is_empty() {
            name.to_string()
        } else {
            format!("{}/{name}", self.namespace)
        }
    }

    /// The full reference Docker pushes: `HOST[:PORT]/NAMESPACE/NAME:TAG`.
    pub fn reference(&self, name: &str, tag: &str) -> String {
        format!("{}/{}:{tag}", self.host, self.repository_image(name))
    }

    /// The repository's registry type for this registry: Docker Hub has an API
    /// of its own, Amazon ECR needs AWS credentials, every other registry
    /// speaks the plain registry API that `HARBOR` uses (tags/list).
    pub fn registry_type(&self) -> &'static str {
        let host = self.host.split(':').next().unwrap_or_default();
        if matches!(
            host,
            "docker.io" | "index.docker.io" | "registry-1.docker.io"
        ) {
            "DOCKER_HUB"
        } else if host.ends_with(".amazonaws.com") && host.contains(".dkr.ecr.") {
            "AWS_PRIVATE_ECR"
        } else {
            "HARBOR"
        }
    }
}

/// Registry types the repository services know.
pub const REGISTRY_TYPES: &[&str] = &["HARBOR", "DOCKER_HUB", "AWS_PRIVATE_ECR"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_three_numbers() {
        assert_eq!(check_version("0.1.0\n"), Ok("0.1.0".to_string()));
        assert_eq!(check_version("10.20.300"), Ok("10.20.300".to_string()));
        for bad in [
            "1.0",
            "v1.0.0",
            "1.0.0-rc1",
            "latest",
            "",
            "1..0",
            "1.0.0.0",
        ] {
            let e = check_version(bad).unwrap_err();
            assert!(
                e.starts_with(&format!("VERSION is '{bad}': ")),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn image_names_and_plugin_ids_follow_the_repository() {
        assert!(check_image_name("plugin-aws-inven-collector").is_ok());
        assert_eq!(
            check_image_name("plugin_aws").unwrap_err(),
            "image name 'plugin_aws' has '_': SpaceONE's repository and Docker accept lowercase letters, digits and '-' only"
        );
        assert!(check_image_name("Plugin").unwrap_err().contains("'P'"));
        let long = format!("plugin-{}", "x".repeat(42));
        assert_eq!(long.len(), 49);
        assert_eq!(
            check_image_name(&long).unwrap_err(),
            format!(
                "image name '{long}' has 49 characters; SpaceONE's repository accepts at most 48"
            )
        );
        assert!(check_image_name(&long[..48]).is_ok());
        assert!(check_plugin_id(&"p".repeat(40)).is_ok());
        assert!(
            check_plugin_id(&"p".repeat(41))
                .unwrap_err()
                .contains("has 41 characters; SpaceONE accepts at most 40")
        );
    }

    #[test]
    fn registries_parse_and_name_their_type() {
        let r = Registry::parse("127.0.0.1:5000/my-org").unwrap();
        assert_eq!(r.host, "127.0.0.1:5000");
        assert_eq!(r.namespace, "my-org");
        assert_eq!(
            r.reference("plugin-x-inven-collector", "1.0.0"),
            "127.0.0.1:5000/my-org/plugin-x-inven-collector:1.0.0"
        );
        assert_eq!(r.repository_image("p"), "my-org/p");
        assert_eq!(r.registry_type(), "HARBOR");
        let r = Registry::parse("registry.example.com").unwrap();
        assert_eq!(r.reference("p", "1.0.0"), "registry.example.com/p:1.0.0");
        assert_eq!(r.repository_image("p"), "p");
        assert_eq!(
            Registry::parse("docker.io/cloudforet")
                .unwrap()
                .registry_type(),
            "DOCKER_HUB"
        );
        assert_eq!(
            Registry::parse("123.dkr.ecr.us-east-1.amazonaws.com/x")
                .unwrap()
                .registry_type(),
            "AWS_PRIVATE_ECR"
        );
        assert_eq!(
            Registry::parse("a.b/c/d/").unwrap(),
            Registry {
                host: "a.b".into(),
                namespace: "c/d".into()
            }
        );
        assert!(
            Registry::parse("https://x")
                .unwrap_err()
                .contains("has a scheme")
        );
        assert!(Registry::parse("/x").unwrap_err().contains("has no host"));
        assert!(
            Registry::parse("h:port")
                .unwrap_err()
                .contains("not a port number")
        );
        assert!(
            Registry::parse("h/My_Org")
                .unwrap_err()
                .contains("namespace")
        );
    }
}
