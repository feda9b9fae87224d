//! The plugin host's log on stderr, in the SpaceONE console format:
//!
//! `<time>.<ms>Z [<LEVEL>] <trace_id> <domain_id> <audience> <role_type> <workspace_id> <tnx_method> (<file>:<line>) <message> <params> <traceback>`
//!
//! Empty fields keep their separating spaces, so a line without a transaction
//! has seven spaces between `]` and `(`. The `(<file>:<line>)` sources are the
//! ones SpaceONE log readers know for each kind of line. Values under a masked
//! key (`secret_data` by default) are printed as `********` at any depth, and
//! the text values found there are replaced by `********` wherever else they
//! appear in the lines of that call (an exception message that quotes the
//! secret, an option that repeats it). Times are printed in UTC (the trailing
//! `Z` says so).

use std::borrow::Cow;
use std::collections::VecDeque;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use super::error::{PluginError, bound_message};
use crate::output::json::dumps_compact;
use crate::output::pyrepr::repr_str;

/// The text that replaces a masked value.
pub const MASK: &str = "********";

/// Where each kind of line is attributed, as SpaceONE servers print it.
const SRC_LOADED: &str = "server.py:68";
const SRC_START: &str = "server.py:72";
const SRC_REQUEST: &str = "__init__.py:210";
const SRC_RESPONSE: &str = "__init__.py:251";
const SRC_ERROR: &str = "__init__.py:312";

/// Log level names as printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Debug,
    Info,
    Error,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Error => "ERROR",
        }
    }
}

/// One formatted log record (pure): `tail` is everything after `(<src>) `.
pub fn format_line(
    ts: &str,
    level: Level,
    trace_id: &str,
    tnx: &str,
    src: &str,
    tail: &str,
) -> String {
    format!(
        "{ts} [{}] {trace_id}     {tnx} ({src}) {tail}\n",
        level.name()
    )
}

/// `2026-11-21T23:55:11.265Z` for a point in time (UTC).
pub fn timestamp(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let ms = d.subsec_millis();
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, day) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{day:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The two startup lines: the loaded services, then the listening port.
pub fn startup_text(
    ts: &str,
    services: &[&str],
    service: &str,
    port: u16,
    max_workers: usize,
) -> String {
    let mut list = String::from("Loaded Services: ");
    for s in services {
        list.push_str("\n\t - ");
        list.push_str(s);
    }
    // The empty params and traceback fields leave two trailing spaces.
    list.push_str("  ");
    let start = format!("Start gRPC Server ({service}): port={port}, max_workers={max_workers}  ");
    format_line(ts, Level::Debug, "", "", SRC_LOADED, &list)
        + &format_line(ts, Level::Info, "", "", SRC_START, &start)
}

/// `2 calls` / `1 call`.
fn calls(n: usize) -> String {
    if n == 1 {
        "1 call".to_string()
    } else {
        format!("{n} calls")
    }
}

/// The line written when the first stop signal arrives.
pub fn stop_text(ts: &str, in_progress: usize, grace: Duration) -> String {
    let tail = if in_progress == 0 {
        "Stop signal received: no calls in progress, stopping now.  ".to_string()
    } else {
        format!(
            "Stop signal received: new connections are refused; waiting up to {} s for {} in progress, then cancelling them (a second signal stops at once).  ",
            grace.as_secs(),
            calls(in_progress)
        )
    };
    format_line(ts, Level::Info, "", "", SRC_START, &tail)
}

/// The line written when calls are cancelled: after the grace period, or at a
/// second signal.
pub fn cancel_text(ts: &str, in_progress: usize, why: &str) -> String {
    let tail = format!(
        "{why}: cancelling {} in progress and stopping the plugin handlers.  ",
        calls(in_progress)
    );
    format_line(ts, Level::Info, "", "", SRC_START, &tail)
}

/// `(REQUEST) => {"options": {}, "secret_data": "********"} `
pub fn request_tail(params: &Map<String, Value>, mask_keys: &[String]) -> String {
    let masked = mask(&Value::Object(params.clone()), mask_keys);
    format!("(REQUEST) => {} ", dumps_compact(&masked, true))
}

/// `(RESPONSE) => SUCCESS (Time = 0.00s, Size = 285 bytes)  `; the size is the
/// number of characters of the response's JSON text.
pub fn response_tail(seconds: f64, size: usize) -> String {
    format!("(RESPONSE) => SUCCESS (Time = {seconds:.2}s, Size = {size} bytes)  ")
}

/// The error record: message (cut after
/// [`MAX_MESSAGE_BYTES`](super::error::MAX_MESSAGE_BYTES)), then the
/// error block on tab-indented lines.
pub fn error_tail(e: &PluginError) -> String {
    format!(
        "(Error) => {m} \n\terror_code = {c}\n\tstatus_code = {s}\n\tmessage = {m}  ",
        m = bound_message(&e.message),
        c = e.code,
        s = e.status.name()
    )
}

/// A traceback as logged after the error lines: its own lines, ending in a
/// newline.
pub fn trace_block(trace: &str) -> String {
    let mut block = trace.trim_end_matches('\n').to_string();
    block.push('\n');
    block
}

/// Size of a response as logged: characters of its compact JSON text.
pub fn response_size(v: &Value) -> usize {
    if v.is_null() {
        return 0;
    }
    dumps_compact(v, false).chars().count()
}

/// A copy of `v` where every value under a key in `mask_keys` is `********`.
pub fn mask(v: &Value, mask_keys: &[String]) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, item)| {
                    if mask_keys.iter().any(|m| m == k) {
                        (k.clone(), Value::String(MASK.to_string()))
                    } else {
                        (k.clone(), mask(item, mask_keys))
                    }
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|i| mask(i, mask_keys)).collect()),
        other => other.clone(),
    }
}

/// Secret values shorter than this many characters are not searched for in log
/// lines (they would mask ordinary words); they are still masked under their key.
pub const MIN_SECRET_CHARS: usize = 4;

/// The secret texts of one call: every text value under a masked key, as
/// written and as it appears inside JSON or Python `repr` text, longest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Secrets {
    needles: Vec<String>,
}

impl Secrets {
    /// The text values (at any depth) under a key of `mask_keys` in `params`.
    pub fn of(params: &Map<String, Value>, mask_keys: &[String]) -> Secrets {
        fn texts(v: &Value, out: &mut Vec<String>) {
            match v {
                Value::String(s) => out.push(s.clone()),
                Value::Array(items) => items.iter().for_each(|i| texts(i, out)),
                Value::Object(map) => map.values().for_each(|i| texts(i, out)),
                _ => {}
            }
        }
        fn under_masked(v: &Value, mask_keys: &[String], out: &mut Vec<String>) {
            match v {
                Value::Object(map) => {
                    for (k, item) in map {
                        if mask_keys.iter().any(|m| m == k) {
                            texts(item, out);
                        } else {
                            under_masked(item, mask_keys, out);
                        }
                    }
                }
                Value::Array(items) => items.iter().for_each(|i| under_masked(i, mask_keys, out)),
                _ => {}
            }
        }
        let mut values = Vec::new();
        for (k, v) in params {
            if mask_keys.iter().any(|m| m == k) {
                texts(v, &mut values);
            } else {
                under_masked(v, mask_keys, &mut values);
            }
        }
        let mut needles = Vec::new();
        for value in values {
            if value.chars().count() < MIN_SECRET_CHARS {
                continue;
            }
            let json = serde_json::to_string(&value).unwrap_or_default();
            let repr = repr_str(&value);
            for form in [
                json[1..json.len() - 1].to_string(),
                repr[1..repr.len() - 1].to_string(),
                value,
            ] {
                if !needles.contains(&form) {
                    needles.push(form);
                }
            }
        }
        // Longer texts first, so that a secret containing another is masked whole.
        needles.sort_by(|a: &String, b: &String| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        Secrets { needles }
    }

    /// `text` with every secret replaced by `********`.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        for needle in &self.needles {
            if out.contains(needle.as_str()) {
                out = Cow::Owned(out.replace(needle.as_str(), MASK));
            }
        }
        out
    }
}

/// The secrets of recent calls, for what plugins write themselves (their
/// stderr, `print`, their loggers): that output is not tied to one call, so
/// every secret of the last [`REMEMBERED_SECRETS`] distinct sets is masked in
/// it. Masking a secret of an earlier call too is harmless; forgetting one
/// while a long stream still runs is not, hence no expiry by time.
static RECENT_SECRETS: Mutex<VecDeque<Arc<Secrets>>> = Mutex::new(VecDeque::new());

/// How many distinct sets of secrets [`redact_plugin_output`] masks.
pub const REMEMBERED_SECRETS: usize = 256;

fn remember_secrets(secrets: &Secrets) {
    if secrets.needles.is_empty() {
        return;
    }
    let mut recent = RECENT_SECRETS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(i) = recent.iter().position(|s| **s == *secrets) {
        // Most recent last: a set in use stays.
        if let Some(known) = recent.remove(i) {
            recent.push_back(known);
        }
        return;
    }
    if recent.len() >= REMEMBERED_SECRETS {
        recent.pop_front();
    }
    recent.push_back(Arc::new(secrets.clone()));
}

/// A line the plugin wrote (a handler's stderr) with the secrets of recent
/// calls masked. What cannot be caught: secrets shorter than
/// [`MIN_SECRET_CHARS`], secrets transformed before they are printed (encoded,
/// hashed, cut, split across lines or across the 64 KiB pieces of a longer
/// line), and secrets printed before any call carried them (e.g. read from the
/// environment at import).
pub fn redact_plugin_output(line: &[u8]) -> Cow<'_, [u8]> {
    let recent: Vec<Arc<Secrets>> = RECENT_SECRETS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .cloned()
        .collect();
    if recent.is_empty() {
        return Cow::Borrowed(line);
    }
    let text = String::from_utf8_lossy(line);
    let mut out: Cow<'_, str> = Cow::Borrowed(&text);
    for secrets in recent.iter().rev() {
        if let Cow::Owned(redacted) = secrets.redact(&out) {
            out = Cow::Owned(redacted);
        }
    }
    match out {
        Cow::Borrowed(_) => Cow::Borrowed(line),
        Cow::Owned(redacted) => Cow::Owned(redacted.into_bytes()),
    }
}

/// A 32-digit hex trace id: taken from a W3C `traceparent` header when one is
/// given, otherwise fresh.
pub fn trace_id(traceparent: Option<&str>) -> String {
    if let Some(tp) = traceparent {
        let mut parts = tp.split('-');
        if let (Some(_), Some(id)) = (parts.next(), parts.next())
            && id.len() == 32
            && id.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return id.to_ascii_lowercase();
        }
    }
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    let mut out = String::with_capacity(32);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    for salt in 0..2u8 {
        let mut h = RandomState::new().build_hasher();
        h.write_u128(nanos);
        h.write_u8(salt);
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}

/// Writes whole records to stderr, one `write` per record so concurrent calls
/// do not interleave inside a line.
fn emit(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

/// Prints the startup lines.
pub fn startup(services: &[&str], service: &str, port: u16, max_workers: usize) {
    emit(&startup_text(
        &timestamp(SystemTime::now()),
        services,
        service,
        port,
        max_workers,
    ));
}

/// Logs the first stop signal ([`stop_text`]).
pub fn stopping(in_progress: usize, grace: Duration) {
    emit(&stop_text(
        &timestamp(SystemTime::now()),
        in_progress,
        grace,
    ));
}

/// Logs that calls still in progress are cancelled ([`cancel_text`]).
pub fn cancelling(in_progress: usize, why: &str) {
    emit(&cancel_text(
        &timestamp(SystemTime::now()),
        in_progress,
        why,
    ));
}

/// Logs the state of the handler pool, one line each (at SIGQUIT).
pub fn pool_state(lines: &[String]) {
    let ts = timestamp(SystemTime::now());
    let text: String = lines
        .iter()
        .map(|line| format_line(&ts, Level::Info, "", "", SRC_START, &format!("{line}  ")))
        .collect();
    emit(&text);
}

/// The log of one call: REQUEST, then RESPONSE or Error. The secrets of the
/// request (known from [`CallLog::request`] on) are masked in every line.
pub struct CallLog {
    trace_id: String,
    method: String,
    started: Instant,
    secrets: OnceLock<Secrets>,
}

impl CallLog {
    /// `method` is the transaction name, e.g. `Collector.init`.
    pub fn new(method: &str, traceparent: Option<&str>) -> CallLog {
        CallLog {
            trace_id: trace_id(traceparent),
            method: method.to_string(),
            started: Instant::now(),
            secrets: OnceLock::new(),
        }
    }

    /// The call's transaction id, as printed.
    pub fn trace_id(&self) -> &str {
        &self.trace_id
    }

    fn line(&self, level: Level, src: &str, tail: &str) -> String {
        let line = format_line(
            &timestamp(SystemTime::now()),
            level,
            &self.trace_id,
            &self.method,
            src,
            tail,
        );
        match self.secrets.get() {
            Some(secrets) => secrets.redact(&line).into_owned(),
            None => line,
        }
    }

    pub fn request(&self, params: &Map<String, Value>, mask_keys: &[String]) {
        let secrets = Secrets::of(params, mask_keys);
        remember_secrets(&secrets);
        let _ = self.secrets.set(secrets);
        emit(&self.line(Level::Info, SRC_REQUEST, &request_tail(params, mask_keys)));
    }

    pub fn response(&self, response: &Value) {
        let secs = self.started.elapsed().as_secs_f64();
        emit(&self.line(
            Level::Info,
            SRC_RESPONSE,
            &response_tail(secs, response_size(response)),
        ));
    }

    /// A DEBUG line naming `src`.
    pub fn debug(&self, src: &str, text: &str) {
        emit(&self.line(Level::Debug, src, text));
    }

    /// The error lines, then the handler's traceback for it, if it sent one.
    pub fn error(&self, e: &PluginError) {
        let mut text = self.line(Level::Error, SRC_ERROR, &error_tail(e));
        if let Some(trace) = &e.trace {
            let block = trace_block(trace);
            match self.secrets.get() {
                Some(secrets) => text.push_str(&secrets.redact(&block)),
                None => text.push_str(&block),
            }
        }
        emit(&text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::host::error::StatusKind;
    use serde_json::json;

    #[test]
    fn a_traceback_follows_the_error_lines_as_its_own_lines() {
        assert_eq!(
            trace_block("Traceback (most recent call last):\n  x\nE: y\n\n"),
            "Traceback (most recent call last):\n  x\nE: y\n"
        );
        assert_eq!(trace_block("E: y"), "E: y\n");
    }

    #[test]
    fn startup_lines_exact() {
        let text = startup_text(
            "2026-11-21T23:55:11.265Z",
            &[
                "spaceone.api.inventory.plugin.Collector",
                "spaceone.api.inventory.plugin.Job",
                "grpc.health.v1.Health",
                "spaceone.api.core.v1.ServerInfo",
            ],
            "plugin",
            50051,
            100,
        );
        assert_eq!(
            text,
            "2026-11-21T23:55:11.265Z [DEBUG]       (server.py:68) Loaded Services: \n\
             \t - spaceone.api.inventory.plugin.Collector\n\
             \t - spaceone.api.inventory.plugin.Job\n\
             \t - grpc.health.v1.Health\n\
             \t - spaceone.api.core.v1.ServerInfo  \n\
             2026-11-21T23:55:11.265Z [INFO]       (server.py:72) Start gRPC Server (plugin): port=50051, max_workers=100  \n"
        );
    }

    #[test]
    fn stop_lines_exact() {
        let ts = "2026-11-21T23:55:11.265Z";
        assert_eq!(
            stop_text(ts, 2, Duration::from_secs(10)),
            "2026-11-21T23:55:11.265Z [INFO]       (server.py:72) Stop signal received: new connections are refused; waiting up to 10 s for 2 calls in progress, then cancelling them (a second signal stops at once).  \n"
        );
        assert_eq!(
            stop_text(ts, 0, Duration::from_secs(10)),
            "2026-11-21T23:55:11.265Z [INFO]       (server.py:72) Stop signal received: no calls in progress, stopping now.  \n"
        );
        assert_eq!(
            cancel_text(ts, 1, "Second stop signal"),
            "2026-11-21T23:55:11.265Z [INFO]       (server.py:72) Second stop signal: cancelling 1 call in progress and stopping the plugin handlers.  \n"
        );
    }

    #[test]
    fn request_line_masks_secret_data() {
        let Value::Object(params) = json!({"options": {"a": 1.0}, "secret_data": {"token": "x"}})
        else {
            unreachable!()
        };
        let tail = request_tail(&params, &["secret_data".to_string()]);
        let line = format_line(
            "2026-11-22T00:49:10.347Z",
            Level::Info,
            "b3283f45406ada09e75d2cf79f5bf7d7",
            "Collector.verify",
            SRC_REQUEST,
            &tail,
        );
        assert_eq!(
            line,
            "2026-11-22T00:49:10.347Z [INFO] b3283f45406ada09e75d2cf79f5bf7d7     Collector.verify (__init__.py:210) (REQUEST) => {\"options\": {\"a\": 1.0}, \"secret_data\": \"********\"} \n"
        );
    }

    #[test]
    fn masking_reaches_nested_keys() {
        let v = json!({"options": {"nested": [{"secret_data": {"k": 1}}]}, "x": "secret_data"});
        assert_eq!(
            mask(&v, &["secret_data".to_string()]),
            json!({"options": {"nested": [{"secret_data": "********"}]}, "x": "secret_data"})
        );
    }

    #[test]
    fn secrets_are_masked_wherever_they_appear() {
        let Value::Object(params) = json!({
            "options": {"copy": "s3cr3t-key", "nested": {"secret_data": {"inner": "deep-secret"}}},
            "secret_data": {"api_key": "s3cr3t-key", "quote": "it's \"q\"", "n": 12345, "pin": "123",
                            "list": ["line\nbreak"], "uni": "pässwörd"}
        }) else {
            unreachable!()
        };
        let secrets = Secrets::of(&params, &["secret_data".to_string()]);
        let e = PluginError::unknown(
            "bad secret: {'api_key': 's3cr3t-key', 'quote': 'it\\'s \"q\"', 'list': ['line\\nbreak'], 'pin': '123'} deep-secret p\\xe4ssw\\xf6rd pässwörd",
        );
        assert_eq!(
            secrets.redact(&error_tail(&e)),
            "(Error) => bad secret: {'api_key': '********', 'quote': '********', 'list': ['********'], 'pin': '123'} ******** p\\xe4ssw\\xf6rd ******** \n\terror_code = ERROR_UNKNOWN\n\tstatus_code = INTERNAL\n\tmessage = bad secret: {'api_key': '********', 'quote': '********', 'list': ['********'], 'pin': '123'} ******** p\\xe4ssw\\xf6rd ********  "
        );
        // JSON-escaped forms are found too (a plugin that logs json.dumps(secret_data)).
        assert_eq!(
            secrets.redact(r#"{"quote": "it's \"q\"", "list": ["line\nbreak"]}"#),
            r#"{"quote": "********", "list": ["********"]}"#
        );
        assert_eq!(secrets.redact("nothing here"), "nothing here");
        assert_eq!(
            Secrets::of(&Map::new(), &["secret_data".to_string()]),
            Secrets::default()
        );
    }

    #[test]
    fn response_line_exact() {
        assert_eq!(
            response_tail(0.004, 285),
            "(RESPONSE) => SUCCESS (Time = 0.00s, Size = 285 bytes)  "
        );
        assert_eq!(
            response_tail(1.236, 0),
            "(RESPONSE) => SUCCESS (Time = 1.24s, Size = 0 bytes)  "
        );
    }

    #[test]
    fn init_response_size_matches_upstream() {
        let v = json!({"metadata": {"supported_resource_type": ["inventory.CloudService", "inventory.CloudServiceType", "inventory.Region", "inventory.Namespace", "inventory.Metric"], "supported_schedules": ["hours"], "supported_features": ["garbage_collection"], "filter_format": [], "options_schema": {}}});
        assert_eq!(response_size(&v), 285);
        // Characters, not bytes.
        assert_eq!(response_size(&json!({"n": "é"})), 10);
        // No response (verify) has size 0.
        assert_eq!(response_size(&Value::Null), 0);
    }

    #[test]
    fn error_line_exact() {
        let e = PluginError::unknown("'NoneType' object is not callable");
        let line = format_line(
            "2026-11-22T00:49:10.352Z",
            Level::Error,
            "b3283f45406ada09e75d2cf79f5bf7d7",
            "Collector.verify",
            SRC_ERROR,
            &error_tail(&e),
        );
        assert_eq!(
            line,
            "2026-11-22T00:49:10.352Z [ERROR] b3283f45406ada09e75d2cf79f5bf7d7     Collector.verify (__init__.py:312) (Error) => 'NoneType' object is not callable \n\terror_code = ERROR_UNKNOWN\n\tstatus_code = INTERNAL\n\tmessage = 'NoneType' object is not callable  \n"
        );
        let e = PluginError::new(
            StatusKind::InvalidArgument,
            "ERROR_REQUIRED_PARAMETER",
            "Required parameter. (key = options)",
        );
        assert!(error_tail(&e).contains("\n\tstatus_code = INVALID_ARGUMENT\n"));
    }

    #[test]
    fn timestamps_in_utc() {
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let t = UNIX_EPOCH + Duration::from_millis(1_795_219_455_155);
        assert_eq!(timestamp(t), "2026-11-21T00:04:15.155Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(timestamp(leap), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn trace_ids() {
        assert_eq!(
            trace_id(Some(
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"
            )),
            "4bf92f3577b34da6a3ce929d0e0e4736"
        );
        let a = trace_id(Some("garbage"));
        let b = trace_id(None);
        assert_eq!(a.len(), 32);
        assert!(b.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn plugin_output_is_masked_with_the_secrets_of_recent_calls() {
        let params = json!({"secret_data": {"password": "S3cret-output-test"}, "options": {}});
        let log = CallLog::new("Collector.collect", None);
        log.request(params.as_object().unwrap(), &["secret_data".to_string()]);
        let line = b"params={'options': {}, 'secret_data': {'password': 'S3cret-output-test'}}";
        assert_eq!(
            redact_plugin_output(line).as_ref(),
            b"params={'options': {}, 'secret_data': {'password': '********'}}"
        );
        assert!(matches!(
            redact_plugin_output(b"nothing secret"),
            Cow::Borrowed(_)
        ));
    }
}
