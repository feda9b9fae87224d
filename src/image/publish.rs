//! `plugin publish`: where the image goes and what the repository service is
//! asked (pure), and the calls to the repository service.
//!
//! The repository lists an image's versions from the registry's tags, so the
//! image is pushed before the plugin is registered; a registered plugin gets a
//! new version by the push alone. Registering again is skipped when the
//! repository has the plugin with the same image and registry type; its name,
//! capability, labels and tags are updated when register.yaml changed them.
//!
//! The two APIs (`spaceone.api.repository.v1.Plugin` of SpaceONE 1.x and
//! `v2.Plugin` of 2.x, which stores into the LOCAL repository) differ in the
//! request: 1.x calls the plugin's kind `service_type` and takes no plugin id;
//! 2.x calls it `resource_type` and takes `plugin_id`.

use prost_reflect::DynamicMessage;
use serde_json::{Map, Value, json};

use super::naming::{self, Registry};
use super::project::Project;
use crate::error::{AppError, Result};
use crate::grpc::{Session, resolve};

/// The repository service's API line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    V1,
    V2,
}

impl Api {
    pub fn label(self) -> &'static str {
        match self {
            Api::V1 => "1.x API",
            Api::V2 => "2.x API, LOCAL repository",
        }
    }
}

/// Where the image goes and under which names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub registry: Registry,
    pub registry_type: String,
    pub plugin_id: String,
    /// `NAME:VERSION`, the local image.
    pub local: String,
    /// `HOST/NAMESPACE/NAME:VERSION`, what is pushed.
    pub remote: String,
    /// `NAMESPACE/NAME`, what the repository records.
    pub image: String,
    pub version: String,
}

/// Check every name and limit before anything is pushed.
pub fn target(
    project: &Project,
    registry: &str,
    registry_type: Option<&str>,
    plugin_id: Option<&str>,
) -> std::result::Result<Target, String> {
    let registry = Registry::parse(registry)?;
    naming::check_image_name(&project.image_name)?;
    let plugin_id = plugin_id.unwrap_or(&project.image_name).to_string();
    naming::check_plugin_id(&plugin_id)?;
    let registry_type = match registry_type {
        Some(t) => {
            let t = t.to_ascii_uppercase();
            if !naming::REGISTRY_TYPES.contains(&t.as_str()) {
                return Err(format!(
                    "registry type '{t}' is unknown: use one of {}",
                    naming::REGISTRY_TYPES.join(", ")
                ));
            }
            t
        }
        None => registry.registry_type().to_string(),
    };
    Ok(Target {
        local: project.local_tag(),
        remote: registry.reference(&project.image_name, &project.version),
        image: registry.repository_image(&project.image_name),
        version: project.version.clone(),
        registry_type,
        plugin_id,
        registry,
    })
}

/// Keys of register.yaml that publish sets itself.
const OWN_KEYS: &[&str] = &[
    "image",
    "registry_type",
    "plugin_id",
    "service_type",
    "resource_type",
    "domain_id",
];

/// The `Plugin.register` request.
pub fn register_request(
    project: &Project,
    target: &Target,
    api: Api,
) -> std::result::Result<Map<String, Value>, String> {
    let r = &project.register;
    let kind = r
        .get("service_type")
        .or_else(|| r.get("resource_type"))
        .and_then(Value::as_str)
        .ok_or("register.yaml has no service_type (e.g. inventory.Collector)")?;
    let mut out = Map::new();
    if api == Api::V2 {
        out.insert("plugin_id".into(), json!(target.plugin_id));
    }
    let name = r
        .get("name")
        .cloned()
        .unwrap_or_else(|| json!(project.image_name));
    out.insert("name".into(), name);
    let kind_key = match api {
        Api::V1 => "service_type",
        Api::V2 => "resource_type",
    };
    out.insert(kind_key.into(), json!(kind));
    out.insert("image".into(), json!(target.image));
    out.insert("registry_type".into(), json!(target.registry_type));
    for (k, v) in r {
        if !OWN_KEYS.contains(&k.as_str()) && k != "name" {
            out.insert(k.clone(), v.clone());
        }
    }
    Ok(out)
}

/// Fields of a registered plugin that `Plugin.update` changes.
const UPDATABLE: &[&str] = &["name", "capability", "labels", "tags"];

/// The `Plugin.update` request when register.yaml changed what the repository
/// holds (`None`: nothing to change).
pub fn update_request(
    register: &Map<String, Value>,
    registered: &Value,
    plugin_id: &str,
) -> Option<Map<String, Value>> {
    let mut out = Map::new();
    for key in UPDATABLE {
        if let Some(want) = register.get(*key)
            && registered.get(*key) != Some(want)
        {
            out.insert((*key).to_string(), want.clone());
        }
    }
    if out.is_empty() {
        return None;
    }
    out.insert("plugin_id".into(), json!(plugin_id));
    Some(out)
}

/// Why a registered plugin cannot take this image (`None`: it can).
pub fn conflict(registered: &Value, target: &Target) -> Option<String> {
    let image = registered
        .get("image")
        .and_then(Value::as_str)
        .unwrap_or("");
    let rtype = registered
        .get("registry_type")
        .and_then(Value::as_str)
        .unwrap_or("");
    (image != target.image || rtype != target.registry_type).then(|| {
        format!(
            "plugin {} is registered with image {image} ({rtype}), not {} ({}): give another --plugin-id, or deregister it first (spacectl exec deregister repository.Plugin -p plugin_id={})",
            target.plugin_id, target.image, target.registry_type, target.plugin_id
        )
    })
}

/// What publish does in the repository, decided before the image is pushed.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// `Plugin.register` with this request.
    Register(Map<String, Value>),
    /// `Plugin.update` with this request.
    Update(Map<String, Value>),
    /// The plugin is registered as register.yaml has it.
    Nothing,
}

/// What happened to the registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    Registered,
    Updated,
    Unchanged,
}

/// The repository service of the current environment.
pub struct Repository {
    session: Session,
    metadata: Vec<(String, String)>,
    pub api: Api,
    /// `domain_id` of the environment's token, for the calls that need it.
    domain_id: Option<String>,
}

impl Repository {
    /// Connect; `api` forces the API line, else the service's offer decides.
    pub async fn open(
        url: &str,
        options: &crate::grpc::Options,
        tls: &crate::grpc::TlsFiles,
        metadata: Vec<(String, String)>,
        api: Option<Api>,
    ) -> Result<Repository> {
        let mut session = Session::open_with(url, options, tls).await?;
        // The 2.x service keeps the v1 package name; its register request tells the line.
        let target = resolve::parse_resource("repository.Plugin")?;
        let api = match api {
            Some(a) => a,
            None => {
                let register = session.method(&target, "register", "v1").await.map_err(|_| {
                    AppError::msg(format!(
                        "{url} offers no repository Plugin service: check the repository endpoint (spacectl config endpoint list)"
                    ))
                })?;
                if register
                    .input()
                    .get_field_by_name("resource_type")
                    .is_some()
                {
                    Api::V2
                } else {
                    Api::V1
                }
            }
        };
        let domain_id = metadata
            .iter()
            .find(|(k, _)| k == "token")
            .and_then(|(_, t)| token_domain(t));
        Ok(Repository {
            session,
            metadata,
            api,
            domain_id,
        })
    }

    async fn call(&mut self, verb: &str, params: &Map<String, Value>) -> Result<Value> {
        self.call_on("repository.Plugin", verb, params).await
    }

    async fn call_on(
        &mut self,
        resource: &str,
        verb: &str,
        params: &Map<String, Value>,
    ) -> Result<Value> {
        let target = resolve::parse_resource(resource)?;
        let method = self.session.method(&target, verb, "v1").await?;
        let request = crate::request::message::from_value(&method.input(), params)?;
        let mut answer = Value::Null;
        self.session
            .call(&method, request, &self.metadata, |m: DynamicMessage| {
                answer = crate::output::message::to_value(&m);
                Ok(())
            })
            .await?;
        Ok(answer)
    }

    /// 1.x takes the domain in the request (2.x from the token alone).
    fn with_domain(&self, mut params: Map<String, Value>) -> Map<String, Value> {
        if self.api == Api::V1
            && let Some(d) = &self.domain_id
        {
            params.insert("domain_id".into(), json!(d));
        }
        params
    }

    /// What to do: register the plugin, update it, or nothing; an error when the
    /// plugin id is registered with another image or registry type.
    pub async fn plan(&mut self, project: &Project, target: &Target) -> Result<Step> {
        Ok(match self.get(&target.plugin_id).await? {
            None => {
                Step::Register(register_request(project, target, self.api).map_err(AppError::msg)?)
            }
            Some(registered) => {
                if let Some(why) = conflict(&registered, target) {
                    return Err(AppError::msg(why));
                }
                match update_request(&project.register, &registered, &target.plugin_id) {
                    Some(update) => Step::Update(update),
                    None => Step::Nothing,
                }
            }
        })
    }

    /// Do `step` (once the image is in the registry), then read the versions the
    /// repository lists, which must include the target's.
    pub async fn apply(
        &mut self,
        step: &Step,
        target: &Target,
    ) -> Result<(Registration, Vec<String>)> {
        let registration = match step {
            Step::Register(request) => {
                self.register(request).await?;
                Registration::Registered
            }
            Step::Update(request) => {
                self.update(request).await?;
                Registration::Updated
            }
            Step::Nothing => Registration::Unchanged,
        };
        let versions = self.versions(&target.plugin_id).await?;
        if !versions.iter().any(|v| v == &target.version) {
            return Err(AppError::msg(format!(
                "the repository lists versions [{}] for plugin {}, not {}: its registry type {} must point at {} (REGISTRY_URL_MAP in 1.x, REGISTRY_INFO in 2.x)",
                versions.join(", "),
                target.plugin_id,
                target.version,
                target.registry_type,
                target.registry.host
            )));
        }
        Ok((registration, versions))
    }

    /// The registered plugin, `None` when the repository does not have it.
    async fn get(&mut self, plugin_id: &str) -> Result<Option<Value>> {
        let mut params = Map::new();
        params.insert("plugin_id".into(), json!(plugin_id));
        let params = self.with_domain(params);
        let found = self.call("list", &params).await?;
        Ok(found
            .get("results")
            .and_then(Value::as_array)
            .and_then(|r| {
                r.iter()
                    .find(|p| p.get("plugin_id").and_then(Value::as_str) == Some(plugin_id))
            })
            .cloned())
    }

    /// Register; 1.x stores into the domain's local repository, which must exist.
    async fn register(&mut self, request: &Map<String, Value>) -> Result<Value> {
        if self.api == Api::V1 {
            let mut params = Map::new();
            params.insert("repository_type".into(), json!("local"));
            let params = self.with_domain(params);
            let local = self
                .call_on("repository.Repository", "list", &params)
                .await?;
            let none = local
                .get("results")
                .and_then(Value::as_array)
                .is_none_or(Vec::is_empty);
            if none {
                return Err(AppError::msg(
                    "the repository service has no local repository to register plugins in: create it once (spacectl exec register repository.Repository -p name=local -p repository_type=local)",
                ));
            }
        }
        self.call("register", request).await
    }

    async fn update(&mut self, request: &Map<String, Value>) -> Result<Value> {
        self.call("update", request).await
    }

    /// The versions the repository lists for the plugin (the registry's tags).
    async fn versions(&mut self, plugin_id: &str) -> Result<Vec<String>> {
        let mut params = Map::new();
        params.insert("plugin_id".into(), json!(plugin_id));
        let params = self.with_domain(params);
        let v = self.call("get_versions", &params).await?;
        Ok(v.get("results")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default())
    }
}

/// The `did` (domain id) claim of a SpaceONE token (a JWT), without verifying it:
/// the 1.x repository wants `domain_id` in `get` and `get_versions`.
pub fn token_domain(token: &str) -> Option<String> {
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    claims
        .get("did")
        .and_then(Value::as_str)
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn project() -> Project {
        let register = serde_json::from_value(json!({
            "name": "plugin-a-inven-collector",
            "service_type": "inventory.Collector",
            "image": "plugin-a-inven-collector",
            "provider": "a",
            "capability": {},
            "labels": ["A"],
            "tags": {"description": "d"}
        }))
        .unwrap();
        Project {
            root: PathBuf::from("/p"),
            version: "0.1.0".into(),
            image_name: "plugin-a-inven-collector".into(),
            register,
        }
    }

    #[test]
    fn the_target_names_everything_and_checks_limits_first() {
        let t = target(&project(), "127.0.0.1:5000/my-org", None, None).unwrap();
        assert_eq!(t.local, "plugin-a-inven-collector:0.1.0");
        assert_eq!(
            t.remote,
            "127.0.0.1:5000/my-org/plugin-a-inven-collector:0.1.0"
        );
        assert_eq!(t.image, "my-org/plugin-a-inven-collector");
        assert_eq!(t.registry_type, "HARBOR");
        assert_eq!(t.plugin_id, "plugin-a-inven-collector");
        let t = target(&project(), "r.example.com", Some("docker_hub"), Some("p1")).unwrap();
        assert_eq!(
            (t.registry_type.as_str(), t.plugin_id.as_str()),
            ("DOCKER_HUB", "p1")
        );
        assert!(
            target(&project(), "r", Some("QUAY"), None)
                .unwrap_err()
                .starts_with("registry type 'QUAY' is unknown")
        );
        assert!(
            target(&project(), "r", None, Some(&"x".repeat(41)))
                .unwrap_err()
                .contains("at most 40")
        );
    }

    #[test]
    fn requests_of_both_apis() {
        let p = project();
        let t = target(&p, "127.0.0.1:5000/my-org", None, None).unwrap();
        let v1 = register_request(&p, &t, Api::V1).unwrap();
        assert_eq!(
            Value::Object(v1),
            json!({"name": "plugin-a-inven-collector", "service_type": "inventory.Collector",
                   "image": "my-org/plugin-a-inven-collector", "registry_type": "HARBOR",
                   "provider": "a", "capability": {}, "labels": ["A"], "tags": {"description": "d"}})
        );
        let v2 = register_request(&p, &t, Api::V2).unwrap();
        let keys: Vec<&str> = v2.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "plugin_id",
                "name",
                "resource_type",
                "image",
                "registry_type",
                "provider",
                "capability",
                "labels",
                "tags"
            ]
        );
        assert_eq!(v2["resource_type"], "inventory.Collector");
    }

    #[test]
    fn a_registered_plugin_is_updated_only_where_it_differs() {
        let p = project();
        let t = target(&p, "127.0.0.1:5000/my-org", None, None).unwrap();
        let same = json!({"plugin_id": "plugin-a-inven-collector", "name": "plugin-a-inven-collector",
            "image": "my-org/plugin-a-inven-collector", "registry_type": "HARBOR",
            "capability": {}, "labels": ["A"], "tags": {"description": "d"}});
        assert_eq!(conflict(&same, &t), None);
        assert_eq!(update_request(&p.register, &same, &t.plugin_id), None);
        let mut changed = same.clone();
        changed["labels"] = json!(["B"]);
        assert_eq!(
            Value::Object(update_request(&p.register, &changed, &t.plugin_id).unwrap()),
            json!({"labels": ["A"], "plugin_id": "plugin-a-inven-collector"})
        );
        let mut other = same.clone();
        other["image"] = json!("x/plugin-a-inven-collector");
        assert!(conflict(&other, &t).unwrap().starts_with(
            "plugin plugin-a-inven-collector is registered with image x/plugin-a-inven-collector (HARBOR), not my-org/plugin-a-inven-collector (HARBOR)"
        ));
    }

    #[test]
    fn the_domain_of_a_token() {
        use base64::Engine;
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"cat":"ACCESS_TOKEN","did":"domain-abc","aud":"u"}"#);
        assert_eq!(
            token_domain(&format!("h.{payload}.s")),
            Some("domain-abc".into())
        );
        assert_eq!(token_domain("not-a-jwt"), None);
    }
}
