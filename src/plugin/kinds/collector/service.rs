//! Collector and Job services: decode the request into the dict of present
//! fields, validate it into route params, run the route in a handler, shape
//! the result like the SpaceONE collector library, and encode it.
//!
//! `collect` streams: each item is shaped and sent as soon as the handler
//! yields it, one at a time, so memory stays flat however many items there
//! are. When the client goes away the stream is dropped, which drops the
//! handler's receiver and so cancels the work.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use futures_util::Stream;
use prost_types::Struct;
use serde_json::{Map, Value};
use tonic::{Request, Response, Status};

use super::pb;
use super::reply::{ResourceInfo, ResourceReply, state_number};
use super::{fast, metadata, model};
use crate::plugin::host::context::{
    CallGuard, HostContext, ItemReceiver, SharedBackend, to_status, traceparent,
};
use crate::plugin::host::convert;
use crate::plugin::host::error::{PluginError, StatusKind};
use crate::plugin::host::handler::with_trace_id;
use crate::plugin::host::log::CallLog;

/// The metadata files items refer to, read from the plugin's package directory
/// and kept in memory while they do not change on disk.
#[derive(Debug, Clone)]
pub struct MetadataStore {
    inner: Arc<StoreInner>,
}

#[derive(Debug)]
struct StoreInner {
    package_dir: PathBuf,
    cache: Mutex<MetadataCache>,
}

#[derive(Debug, Default)]
struct MetadataCache {
    files: HashMap<PathBuf, CachedFile>,
    bytes: usize,
}

#[derive(Debug, Clone)]
struct CachedFile {
    modified: Option<SystemTime>,
    len: u64,
    text: Arc<str>,
}

/// At most this many metadata files, and this many bytes of them, are kept in memory.
const METADATA_CACHE_ENTRIES: usize = 256;
const METADATA_CACHE_BYTES: usize = 32 * 1024 * 1024;
/// How long reading the metadata files of one item may take.
pub const METADATA_READ_LIMIT: Duration = Duration::from_secs(10);

impl MetadataStore {
    pub fn new(package_dir: PathBuf) -> MetadataStore {
        MetadataStore {
            inner: Arc::new(StoreInner {
                package_dir,
                cache: Mutex::new(MetadataCache::default()),
            }),
        }
    }

    /// The text of a metadata file ([`metadata::read_file`]: regular files of
    /// bounded size only): relative paths are taken from the plugin's package
    /// directory. Re-read only when the file changed on disk. Blocking: call it
    /// off the async threads ([`MetadataStore::load_metadata`]).
    pub fn read_metadata(&self, path: &str) -> Result<String, String> {
        let full = resolve_metadata_path(&self.inner.package_dir, path);
        // stat does not block on FIFOs or devices; they fail in read_file.
        if let Ok(stat) = std::fs::metadata(&full) {
            let cache = self.inner.cache.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(c) = cache.files.get(&full)
                && stat.is_file()
                && c.modified == stat.modified().ok()
                && c.len == stat.len()
            {
                return Ok(c.text.to_string());
            }
        }
        let (text, stat) = metadata::read_file(&full)?;
        let mut cache = self.inner.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.files.len() >= METADATA_CACHE_ENTRIES
            || cache.bytes + text.len() > METADATA_CACHE_BYTES
        {
            *cache = MetadataCache::default();
        }
        cache.bytes += text.len();
        if let Some(old) = cache.files.insert(
            full,
            CachedFile {
                modified: stat.modified().ok(),
                len: stat.len(),
                text: Arc::from(text.as_str()),
            },
        ) {
            cache.bytes = cache.bytes.saturating_sub(old.text.len());
        }
        Ok(text)
    }

    /// Reads the metadata files an item names on the blocking thread pool
    /// (never on the threads that serve calls), within [`METADATA_READ_LIMIT`].
    pub async fn load_metadata(&self, paths: Vec<String>) -> MetadataFiles {
        if paths.is_empty() {
            return MetadataFiles::default();
        }
        let ctx = self.clone();
        let wanted = paths.clone();
        let task = tokio::task::spawn_blocking(move || {
            wanted
                .into_iter()
                .map(|p| {
                    let text = ctx.read_metadata(&p);
                    (p, text)
                })
                .collect::<HashMap<_, _>>()
        });
        let failed = |why: String| {
            MetadataFiles(
                paths
                    .iter()
                    .map(|p| (p.clone(), Err(why.clone())))
                    .collect(),
            )
        };
        match tokio::time::timeout(METADATA_READ_LIMIT, task).await {
            Ok(Ok(files)) => MetadataFiles(files),
            Ok(Err(e)) => failed(format!("the file could not be read: {e}")),
            Err(_) => failed(format!(
                "reading the file took longer than {} s",
                METADATA_READ_LIMIT.as_secs()
            )),
        }
    }
}

/// Metadata file texts (or why they could not be read) by `metadata_path`.
#[derive(Debug, Default)]
pub struct MetadataFiles(HashMap<String, Result<String, String>>);

impl MetadataFiles {
    pub fn get(&self, path: &str) -> Result<String, String> {
        self.0
            .get(path)
            .cloned()
            .unwrap_or_else(|| Err(format!("{path}: the file was not loaded")))
    }
}

/// The `metadata_path` values a raw collect item refers to (the `__metadata__`
/// references of its `cloud_service_type` and `cloud_service`, which
/// [`model::shape_collect_item`] resolves).
pub fn metadata_paths(raw: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for member in ["cloud_service_type", "cloud_service"] {
        if let Some(Value::String(path)) = raw
            .get(member)
            .and_then(|m| m.get("__metadata__"))
            .and_then(|r| r.get("path"))
            && !out.contains(path)
        {
            out.push(path.clone());
        }
    }
    out
}

/// `metadata_path` joined to the package directory; absolute paths stay.
pub fn resolve_metadata_path(package_dir: &Path, path: &str) -> PathBuf {
    let p = Path::new(path);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        package_dir.join(p)
    }
}

fn invalid_parameter(message: String) -> PluginError {
    PluginError::new(
        StatusKind::InvalidArgument,
        "ERROR_INVALID_PARAMETER",
        message,
    )
}

/// Adds a Struct field to the request dict when it is present on the wire
/// (an empty Struct counts as present).
fn put_struct(
    out: &mut Map<String, Value>,
    key: &str,
    s: &Option<Struct>,
) -> Result<(), PluginError> {
    if let Some(s) = s {
        out.insert(
            key.to_string(),
            Value::Object(convert::struct_to_json(s, key).map_err(invalid_parameter)?),
        );
    }
    Ok(())
}

/// The request dicts, in field-number order with unset fields left out.
pub fn init_dict(r: &pb::InitRequest) -> Result<Map<String, Value>, PluginError> {
    let mut m = Map::new();
    put_struct(&mut m, "options", &r.options)?;
    Ok(m)
}

pub fn verify_dict(r: &pb::VerifyRequest) -> Result<Map<String, Value>, PluginError> {
    let mut m = Map::new();
    put_struct(&mut m, "options", &r.options)?;
    put_struct(&mut m, "secret_data", &r.secret_data)?;
    Ok(m)
}

pub fn collect_dict(r: &pb::CollectRequest) -> Result<Map<String, Value>, PluginError> {
    let mut m = Map::new();
    put_struct(&mut m, "options", &r.options)?;
    put_struct(&mut m, "secret_data", &r.secret_data)?;
    put_struct(&mut m, "filter", &r.filter)?;
    put_struct(&mut m, "task_options", &r.task_options)?;
    Ok(m)
}

pub fn get_tasks_dict(r: &pb::GetTaskRequest) -> Result<Map<String, Value>, PluginError> {
    let mut m = Map::new();
    put_struct(&mut m, "secret_data", &r.secret_data)?;
    put_struct(&mut m, "options", &r.options)?;
    if let Some(f) = &r.task_filter {
        let mut tf = Map::new();
        for (key, list) in [
            ("providers", &f.providers),
            ("cloud_service_groups", &f.cloud_service_groups),
            ("cloud_service_types", &f.cloud_service_types),
            ("region_codes", &f.region_codes),
            ("resources", &f.resources),
        ] {
            if !list.is_empty() {
                tf.insert(
                    key.to_string(),
                    Value::Array(list.iter().cloned().map(Value::String).collect()),
                );
            }
        }
        m.insert("task_filter".to_string(), Value::Object(tf));
    }
    Ok(m)
}

fn internal(message: impl Into<String>) -> PluginError {
    PluginError::unknown(message)
}

/// `{"metadata": {...}}` (shaped) → PluginInfo.
pub fn plugin_info(shaped: &Value) -> Result<pb::PluginInfo, PluginError> {
    let metadata = match shaped.get("metadata") {
        None | Some(Value::Null) => None,
        Some(v) => Some(convert::object_to_struct(v, "metadata").map_err(internal)?),
    };
    Ok(pb::PluginInfo { metadata })
}

/// `{"tasks": [{"task_options": {...}}, ...]}` (shaped) → TasksInfo.
pub fn tasks_info(shaped: &Value) -> Result<pb::TasksInfo, PluginError> {
    let tasks = match shaped.get("tasks") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|t| {
                let task_options = match t.get("task_options") {
                    None | Some(Value::Null) => None,
                    Some(v) => {
                        Some(convert::object_to_struct(v, "task_options").map_err(internal)?)
                    }
                };
                Ok(pb::TaskInfo { task_options })
            })
            .collect::<Result<_, PluginError>>()?,
        Some(other) => {
            return Err(internal(format!(
                "tasks must be a list, not {}",
                crate::output::pyrepr::py_type_name(other)
            )));
        }
    };
    Ok(pb::TasksInfo { tasks })
}

/// A shaped collect item (`state`, `message`, `resource_type`, `match_rules`,
/// `resource`) → ResourceInfo. An empty message and unset structs stay off the wire.
/// The item's data is moved into the message, not copied.
pub fn resource_info(mut shaped: Value) -> Result<ResourceInfo, PluginError> {
    let state_name = shaped
        .get("state")
        .and_then(Value::as_str)
        .unwrap_or("NONE");
    let state = state_number(state_name)
        .ok_or_else(|| internal(format!("state is not a valid state: {state_name}")))?;
    let text = |key: &str| -> Result<String, PluginError> {
        match shaped.get(key) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(internal(format!(
                "{key} must be a str, not {}",
                crate::output::pyrepr::py_type_name(other)
            ))),
        }
    };
    let message = text("message")?;
    let resource_type = text("resource_type")?;
    let mut obj = |key: &str| -> Result<Option<Struct>, PluginError> {
        match shaped.as_object_mut().and_then(|m| m.swap_remove(key)) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => convert::into_object_struct(v, key)
                .map(Some)
                .map_err(internal),
        }
    };
    Ok(ResourceInfo {
        state,
        message,
        resource_type,
        match_rules: obj("match_rules")?,
        resource: obj("resource")?,
        options: obj("options")?,
    })
}

/// Runs one unary route: log the request, validate, call, shape, log the
/// response (or the error).
async fn unary<T>(
    backend: &SharedBackend,
    ctx: &HostContext,
    method: &str,
    tp: Option<String>,
    dict: Result<Map<String, Value>, PluginError>,
    shape: impl FnOnce(&Value) -> Result<(Value, T), PluginError>,
) -> Result<T, Status> {
    let _in_progress = ctx.call_started();
    let log = CallLog::new(method, tp.as_deref());
    let result = async {
        let dict = dict?;
        log.request(&dict, ctx.mask_keys());
        let params = model::request_params(method, &Value::Object(dict))?;
        let raw = with_trace_id(
            log.trace_id().to_string(),
            backend.call(method, params, &[]),
        )
        .await?;
        shape(&raw)
    }
    .await;
    match result {
        Ok((logged, out)) => {
            log.response(&logged);
            Ok(out)
        }
        Err(e) => {
            log.error(&e);
            Err(to_status(&e))
        }
    }
}

/// `spaceone.api.inventory.plugin.Collector`.
pub struct CollectorService {
    backend: SharedBackend,
    ctx: HostContext,
    store: MetadataStore,
}

impl CollectorService {
    pub fn new(backend: SharedBackend, ctx: HostContext, store: MetadataStore) -> Self {
        CollectorService {
            backend,
            ctx,
            store,
        }
    }
}

/// The stream type of `collect`.
pub type ResourceStream = Pin<Box<dyn Stream<Item = Result<ResourceReply, Status>> + Send>>;

struct CollectState {
    rx: ItemReceiver,
    store: MetadataStore,
    inventory_v1: bool,
    log: CallLog,
    _in_progress: CallGuard,
}

#[tonic::async_trait]
impl pb::collector_server::Collector for CollectorService {
    async fn init(
        &self,
        req: Request<pb::InitRequest>,
    ) -> Result<Response<pb::PluginInfo>, Status> {
        let tp = traceparent(&req);
        let dict = init_dict(req.get_ref());
        let out = unary(
            &self.backend,
            &self.ctx,
            "Collector.init",
            tp,
            dict,
            |raw| {
                let shaped = model::shape_init(raw)?;
                let info = plugin_info(&shaped)?;
                Ok((shaped, info))
            },
        )
        .await?;
        Ok(Response::new(out))
    }

    async fn verify(&self, req: Request<pb::VerifyRequest>) -> Result<Response<()>, Status> {
        let tp = traceparent(&req);
        let dict = verify_dict(req.get_ref());
        // The route's return value is ignored: the answer is always Empty.
        unary(
            &self.backend,
            &self.ctx,
            "Collector.verify",
            tp,
            dict,
            |_| Ok((Value::Null, ())),
        )
        .await?;
        Ok(Response::new(()))
    }

    type collectStream = ResourceStream;

    async fn collect(
        &self,
        req: Request<pb::CollectRequest>,
    ) -> Result<Response<ResourceStream>, Status> {
        let method = "Collector.collect";
        let in_progress = self.ctx.call_started();
        let log = CallLog::new(method, traceparent(&req).as_deref());
        let started = async {
            let dict = collect_dict(req.get_ref())?;
            log.request(&dict, self.ctx.mask_keys());
            let params = model::request_params(method, &Value::Object(dict))?;
            with_trace_id(
                log.trace_id().to_string(),
                self.backend.stream(method, params, &[]),
            )
            .await
        }
        .await;
        let rx = match started {
            Ok(rx) => rx,
            Err(e) => {
                log.error(&e);
                return Err(to_status(&e));
            }
        };
        let state = CollectState {
            rx,
            store: self.store.clone(),
            inventory_v1: self.ctx.options().inventory_v1,
            log,
            _in_progress: in_progress,
        };
        let stream = futures_util::stream::unfold(Some(state), |state| async move {
            let mut st = state?;
            let item = st.rx.recv().await?;
            let shaped = match item {
                // Straight from the line when the item validates as it is.
                Ok(item) => match (!st.inventory_v1)
                    .then(|| fast::encode_item(item.node()))
                    .flatten()
                {
                    Some(bytes) => Ok(ResourceReply(bytes)),
                    None => {
                        let raw = item.to_value();
                        let files = st.store.load_metadata(metadata_paths(&raw)).await;
                        let mut meta = |path: &str| files.get(path);
                        model::shape_collect_item_owned(raw, &mut meta)
                            .map(|shaped| {
                                if st.inventory_v1 {
                                    model::with_inventory_v1(shaped)
                                } else {
                                    shaped
                                }
                            })
                            .and_then(resource_info)
                            .map(ResourceReply::from)
                    }
                },
                Err(e) => Err(e),
            };
            match shaped {
                Ok(info) => Some((Ok(info), Some(st))),
                Err(e) => {
                    // The stream ends with the error; items already sent stay sent.
                    st.log.error(&e);
                    Some((Err(to_status(&e)), None))
                }
            }
        });
        Ok(Response::new(Box::pin(stream)))
    }
}

/// `spaceone.api.inventory.plugin.Job`.
pub struct JobService {
    backend: SharedBackend,
    ctx: HostContext,
}

impl JobService {
    pub fn new(backend: SharedBackend, ctx: HostContext) -> Self {
        JobService { backend, ctx }
    }
}

#[tonic::async_trait]
impl pb::job_server::Job for JobService {
    async fn get_tasks(
        &self,
        req: Request<pb::GetTaskRequest>,
    ) -> Result<Response<pb::TasksInfo>, Status> {
        let tp = traceparent(&req);
        let dict = get_tasks_dict(req.get_ref());
        let out = unary(&self.backend, &self.ctx, "Job.get_tasks", tp, dict, |raw| {
            let shaped = model::shape_get_tasks(raw)?;
            let info = tasks_info(&shaped)?;
            Ok((shaped, info))
        })
        .await?;
        Ok(Response::new(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost_types::value::Kind;
    use serde_json::json;

    fn st(v: Value) -> Struct {
        match v {
            Value::Object(m) => convert::to_struct(&m),
            _ => panic!("not an object"),
        }
    }

    fn text(d: &Map<String, Value>) -> String {
        serde_json::to_string(&Value::Object(d.clone())).expect("serialize")
    }

    #[test]
    fn request_dicts_hold_present_fields_in_field_order() {
        let r = pb::CollectRequest {
            options: Some(Struct::default()),
            secret_data: None,
            filter: Some(st(json!({"x": 1}))),
            task_options: Some(st(json!({"t": "a"}))),
        };
        assert_eq!(
            text(&collect_dict(&r).expect("dict")),
            r#"{"options":{},"filter":{"x":1.0},"task_options":{"t":"a"}}"#
        );
        assert_eq!(
            text(&init_dict(&pb::InitRequest { options: None }).expect("dict")),
            "{}"
        );
        let v = pb::VerifyRequest {
            options: Some(st(json!({"a": true}))),
            secret_data: Some(Struct::default()),
        };
        assert_eq!(
            text(&verify_dict(&v).expect("dict")),
            r#"{"options":{"a":true},"secret_data":{}}"#
        );
    }

    #[test]
    fn get_tasks_dict_keeps_upstream_order_and_drops_empty_lists() {
        let r = pb::GetTaskRequest {
            secret_data: Some(Struct::default()),
            options: Some(Struct::default()),
            task_filter: Some(pb::TaskFilter {
                providers: vec!["aws".into()],
                region_codes: vec!["r1".into(), "r2".into()],
                ..Default::default()
            }),
        };
        assert_eq!(
            text(&get_tasks_dict(&r).expect("dict")),
            r#"{"secret_data":{},"options":{},"task_filter":{"providers":["aws"],"region_codes":["r1","r2"]}}"#
        );
        let empty = pb::GetTaskRequest {
            task_filter: Some(pb::TaskFilter::default()),
            ..Default::default()
        };
        assert_eq!(
            text(&get_tasks_dict(&empty).expect("dict")),
            r#"{"task_filter":{}}"#
        );
    }

    #[test]
    fn non_finite_request_numbers_are_invalid_parameters() {
        let mut s = Struct::default();
        s.fields.insert(
            "n".into(),
            prost_types::Value {
                kind: Some(Kind::NumberValue(f64::INFINITY)),
            },
        );
        let e = init_dict(&pb::InitRequest { options: Some(s) }).expect_err("inf");
        assert_eq!(e.status, StatusKind::InvalidArgument);
        assert_eq!(
            e.details(),
            "ERROR_INVALID_PARAMETER: Parameter is invalid. (key = options.n, reason = number inf is not finite)"
        );
    }

    #[test]
    fn statuses_carry_code_and_details() {
        let s = to_status(&PluginError::required_parameter("options"));
        assert_eq!(s.code(), tonic::Code::InvalidArgument);
        assert_eq!(
            s.message(),
            "ERROR_REQUIRED_PARAMETER: Required parameter. (key = options)"
        );
        let s = to_status(&PluginError::new(
            StatusKind::DeadlineExceeded,
            "ERROR_REQUEST_TIMEOUT",
            "late",
        ));
        assert_eq!(s.code(), tonic::Code::DeadlineExceeded);
        assert_eq!(s.message(), "ERROR_REQUEST_TIMEOUT: late");
        assert_eq!(
            to_status(&PluginError::unknown("x")).code(),
            tonic::Code::Internal
        );
    }

    #[test]
    fn resource_info_from_a_shaped_item() {
        let shaped = json!({
            "state": "FAILURE",
            "message": "oops",
            "resource_type": "inventory.ErrorResource",
            "match_rules": {"1": ["name"]},
            "resource": {"provider": "p", "size": 3}
        });
        let info = resource_info(shaped).expect("info");
        assert_eq!(info.state, 5);
        assert_eq!(info.message, "oops");
        assert_eq!(info.resource_type, "inventory.ErrorResource");
        assert_eq!(info.match_rules, Some(st(json!({"1": ["name"]}))));
        assert_eq!(
            info.resource,
            Some(st(json!({"provider": "p", "size": 3.0})))
        );
        assert_eq!(info.options, None);

        let bare = resource_info(
            json!({"state": "SUCCESS", "resource_type": "inventory.Region", "match_rules": {}}),
        )
        .expect("info");
        assert_eq!(bare.state, 4);
        assert_eq!(bare.message, "");
        assert_eq!(bare.resource, None);
        assert_eq!(bare.match_rules, Some(Struct::default()));

        let e = resource_info(json!({"state": "DONE"})).expect_err("bad state");
        assert_eq!(
            e.details(),
            "ERROR_UNKNOWN: state is not a valid state: DONE"
        );
        let e = resource_info(json!({"state": "SUCCESS", "message": 5})).expect_err("bad message");
        assert_eq!(e.details(), "ERROR_UNKNOWN: message must be a str, not int");
    }

    #[test]
    fn plugin_and_tasks_info() {
        let info = plugin_info(&json!({"metadata": {"filter_format": []}})).expect("info");
        assert_eq!(info.metadata, Some(st(json!({"filter_format": []}))));
        assert_eq!(plugin_info(&json!({})).expect("info").metadata, None);
        let e = plugin_info(&json!({"metadata": []})).expect_err("list");
        assert_eq!(
            e.details(),
            "ERROR_UNKNOWN: metadata must be a mapping, not list"
        );

        let tasks =
            tasks_info(&json!({"tasks": [{"task_options": {"a": 1}}, {"task_options": null}]}))
                .expect("tasks");
        assert_eq!(tasks.tasks.len(), 2);
        assert_eq!(tasks.tasks[0].task_options, Some(st(json!({"a": 1.0}))));
        assert_eq!(tasks.tasks[1].task_options, None);
        assert!(
            tasks_info(&json!({"tasks": []}))
                .expect("tasks")
                .tasks
                .is_empty()
        );
        let e = tasks_info(&json!({"tasks": "x"})).expect_err("str");
        assert_eq!(e.details(), "ERROR_UNKNOWN: tasks must be a list, not str");
    }

    #[test]
    fn metadata_paths_and_cache() {
        let dir = tempfile::tempdir().expect("dir");
        assert_eq!(
            resolve_metadata_path(dir.path(), "metadata/a.yaml"),
            dir.path().join("metadata/a.yaml")
        );
        assert_eq!(
            resolve_metadata_path(dir.path(), "/abs/b.yaml"),
            PathBuf::from("/abs/b.yaml")
        );

        let ctx = HostContext::new(dir.path().to_path_buf());
        assert_eq!(ctx.mask_keys(), ["secret_data".to_string()]);
        assert_eq!(ctx.calls_in_progress(), 0);
        let (a, b) = (ctx.call_started(), ctx.call_started());
        assert_eq!(ctx.calls_in_progress(), 2);
        drop((a, b));
        assert_eq!(ctx.calls_in_progress(), 0);
        let store = MetadataStore::new(dir.path().to_path_buf());
        std::fs::create_dir_all(dir.path().join("metadata")).expect("mkdir");
        let file = dir.path().join("metadata/a.yaml");
        std::fs::write(&file, "search: {}\n").expect("write");
        assert_eq!(
            store.read_metadata("metadata/a.yaml"),
            Ok("search: {}\n".to_string())
        );
        // A changed file (different length) is read again.
        std::fs::write(&file, "search:\n  fields: []\n").expect("write");
        assert_eq!(
            store.read_metadata("metadata/a.yaml"),
            Ok("search:\n  fields: []\n".to_string())
        );
        let err = store
            .read_metadata("metadata/missing.yaml")
            .expect_err("missing");
        assert!(
            err.starts_with(&format!(
                "{}: ",
                dir.path().join("metadata/missing.yaml").display()
            )),
            "{err}"
        );
    }

    #[test]
    fn metadata_paths_of_an_item() {
        let item = json!({
            "cloud_service_type": {"name": "T", "__metadata__": {"path": "metadata/t.yaml", "as": "json_metadata"}},
            "cloud_service": {"__metadata__": {"path": "metadata/t.yaml", "as": "metadata"}},
            "region": {"__metadata__": {"path": "ignored.yaml"}}
        });
        assert_eq!(metadata_paths(&item), ["metadata/t.yaml"]);
        let item = json!({"cloud_service": {"__metadata__": {"value": {}, "as": "metadata"}}});
        assert!(metadata_paths(&item).is_empty());
        assert!(metadata_paths(&json!(null)).is_empty());
    }

    #[tokio::test(flavor = "current_thread")]
    async fn metadata_files_are_read_off_the_serving_thread_and_bounded() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join("m.yaml"), "search: {}\n").expect("write");
        let fifo = dir.path().join("fifo.yaml");
        let c = std::ffi::CString::new(fifo.display().to_string()).expect("path");
        // SAFETY: plain mkfifo(3) on a NUL-terminated path inside a fresh temp dir.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.yaml")).expect("symlink");
        let store = MetadataStore::new(dir.path().to_path_buf());
        // On a single-threaded runtime a blocking read would stall this test.
        let files = tokio::time::timeout(
            Duration::from_secs(5),
            store.load_metadata(vec![
                "m.yaml".into(),
                "fifo.yaml".into(),
                "zero.yaml".into(),
            ]),
        )
        .await
        .expect("no read blocks");
        assert_eq!(files.get("m.yaml"), Ok("search: {}\n".to_string()));
        let d = dir.path().display();
        assert_eq!(
            files.get("fifo.yaml"),
            Err(format!("{d}/fifo.yaml: a FIFO (expected a regular file)"))
        );
        assert_eq!(
            files.get("zero.yaml"),
            Err(format!(
                "{d}/zero.yaml: a character device (expected a regular file)"
            ))
        );
        assert_eq!(
            files.get("other.yaml"),
            Err("other.yaml: the file was not loaded".to_string())
        );
    }
}
