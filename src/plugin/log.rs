//! The plugin host's log on stderr, in the SpaceONE console format:
//!
//! `<time>.<ms>Z [<LEVEL>] <trace_id> <domain_id> <audience> <role_type> <workspace_id> <tnx_method> (<file>:<line>) <message> <params> <traceback>`
//!
//! Empty fields keep their separating spaces, so a line without a transaction
//! has seven spaces between `]` and `(`. The `(<file>:<line>)` sources are the
//! ones SpaceONE log readers know for each kind of line. Values under a masked
//! key (`secret_data` by default) are printed as `********` at any depth.
//! Times are printed in UTC (the trailing `Z` says so).

use std::io::Write;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use super::error::PluginError;
use crate::output::json::dumps_compact;

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

/// The error record: message, then the error block on tab-indented lines.
pub fn error_tail(e: &PluginError) -> String {
    format!(
        "(Error) => {m} \n\terror_code = {c}\n\tstatus_code = {s}\n\tmessage = {m}  ",
        m = e.message,
        c = e.code,
        s = e.status.name()
    )
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

/// The log of one call: REQUEST, then RESPONSE or Error.
pub struct CallLog {
    trace_id: String,
    method: String,
    started: Instant,
}

impl CallLog {
    /// `method` is the transaction name, e.g. `Collector.init`.
    pub fn new(method: &str, traceparent: Option<&str>) -> CallLog {
        CallLog {
            trace_id: trace_id(traceparent),
            method: method.to_string(),
            started: Instant::now(),
        }
    }

    /// The call's transaction id, as printed.
    pub fn trace_id(&self) -> &str {
        &self.trace_id
    }

    fn line(&self, level: Level, src: &str, tail: &str) -> String {
        format_line(
            &timestamp(SystemTime::now()),
            level,
            &self.trace_id,
            &self.method,
            src,
            tail,
        )
    }

    pub fn request(&self, params: &Map<String, Value>, mask_keys: &[String]) {
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

    pub fn error(&self, e: &PluginError) {
        emit(&self.line(Level::Error, SRC_ERROR, &error_tail(e)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::error::StatusKind;
    use serde_json::json;
    use std::time::Duration;

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
}
