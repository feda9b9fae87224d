//! `@modules/export-mysql`: each item of `spec.data` inserted as a row of
//! `spec.table` in the MySQL or MariaDB database `spec.db` on `spec.host`
//! (`port` 3306), as `user` with `password`; over TLS when `pem` names the
//! authority's certificate (PEM) that signed the server's.
//!
//! An item's keys are the columns; text, numbers and booleans (1/0) are sent
//! as such, `null` as NULL and lists or mappings as their JSON text. Unlike
//! upstream, values travel as statement parameters (so quotes in text are
//! data, not SQL), and all rows go in one transaction: a failing row leaves the
//! table as it was (with a transactional engine such as InnoDB). As upstream,
//! the certificate's host name is not checked against `host`; the chain must
//! lead to `pem`.

use std::time::Duration;

use mysql::prelude::Queryable;
use serde_json::{Map, Value};

use crate::apply::modules::{Ctx, Outcome, require};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const IO_TIMEOUT: Duration = Duration::from_secs(60);

struct Spec {
    host: String,
    port: u16,
    user: String,
    password: String,
    db: String,
    table: String,
    pem: Option<String>,
    rows: Vec<Map<String, Value>>,
}

fn text(spec: &Map<String, Value>, key: &str) -> Result<String, String> {
    match spec.get(key) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        None => Err(format!("Required key: {key}")),
        Some(_) => Err(format!("Type error: {key} must be text")),
    }
}

fn parse(spec: &Map<String, Value>) -> Result<Spec, String> {
    for key in ["host", "user", "password", "db", "table"] {
        require(spec, key)?;
    }
    let port = match spec.get("port") {
        None | Some(Value::Null) => 3306,
        Some(v) => v
            .as_u64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            .and_then(|p| u16::try_from(p).ok())
            .filter(|p| *p > 0)
            .ok_or_else(|| format!("Type error: port must be a TCP port number (port = {v})"))?,
    };
    let pem = match spec.get("pem") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err("Type error: pem must be the path of a PEM file".into()),
    };
    let rows = match spec.get("data") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(m)) if m.is_empty() => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::Object(m) if !m.is_empty() => Ok(m.clone()),
                _ => Err(format!(
                    "data item {i} is not a mapping of columns to values: {}",
                    crate::apply::text::compact(v)
                )),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("Type error: data must be a list of mappings".into()),
    };
    Ok(Spec {
        host: text(spec, "host")?,
        port,
        user: text(spec, "user")?,
        password: text(spec, "password")?,
        db: text(spec, "db")?,
        table: text(spec, "table")?,
        pem,
        rows,
    })
}

pub fn check(spec: &Map<String, Value>) -> Result<(), String> {
    parse(spec).map(|_| ())
}

/// A name in backquotes (`a.b` names table b of database a).
pub fn quote_name(name: &str) -> String {
    name.split('.')
        .map(|part| format!("`{}`", part.replace('`', "``")))
        .collect::<Vec<_>>()
        .join(".")
}

/// `INSERT INTO <table> (<columns>) VALUES (?, ...)` for one row.
pub fn insert_sql(table: &str, columns: &[&String]) -> String {
    let cols: Vec<String> = columns.iter().map(|c| quote_name(c)).collect();
    let marks = vec!["?"; columns.len()].join(", ");
    format!(
        "INSERT INTO {} ({}) VALUES ({marks})",
        quote_name(table),
        cols.join(", ")
    )
}

/// A JSON value as a statement parameter.
pub fn param(v: &Value) -> mysql::Value {
    match v {
        Value::Null => mysql::Value::NULL,
        Value::Bool(b) => mysql::Value::Int(i64::from(*b)),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => mysql::Value::Int(i),
            (None, Some(u), _) => mysql::Value::UInt(u),
            (_, _, Some(f)) => mysql::Value::Double(f),
            _ => mysql::Value::NULL,
        },
        Value::String(s) => mysql::Value::Bytes(s.as_bytes().to_vec()),
        other => mysql::Value::Bytes(
            serde_json::to_string(other)
                .unwrap_or_default()
                .into_bytes(),
        ),
    }
}

pub fn run(spec: &Map<String, Value>, ctx: &mut Ctx<'_>) -> Result<Outcome, String> {
    let s = parse(spec)?;
    let place = format!("{}:{}", s.host, s.port);
    if ctx.dry_run {
        let tls = if s.pem.is_some() { " over TLS" } else { "" };
        ctx.show(&format!(
            "{}  DRY-RUN insert {} rows into {} of database {} at {place}{tls} as {}\n",
            "  ".repeat(ctx.depth),
            s.rows.len(),
            s.table,
            s.db,
            s.user
        ))?;
        return Ok(Outcome::output(Value::Object(Map::new())));
    }
    let mut opts = mysql::OptsBuilder::new()
        .ip_or_hostname(Some(s.host.clone()))
        .tcp_port(s.port)
        .user(Some(s.user.clone()))
        .pass(Some(s.password.clone()))
        .db_name(Some(s.db.clone()))
        .prefer_socket(false)
        .tcp_connect_timeout(Some(CONNECT_TIMEOUT))
        .read_timeout(Some(IO_TIMEOUT))
        .write_timeout(Some(IO_TIMEOUT))
        .init(vec!["SET NAMES utf8mb4"]);
    if let Some(pem) = &s.pem {
        if !std::path::Path::new(pem).is_file() {
            return Err(format!("the pem file {pem} does not exist"));
        }
        opts = opts.ssl_opts(Some(
            mysql::SslOpts::default()
                .with_root_cert_path(Some(std::path::PathBuf::from(pem)))
                .with_danger_skip_domain_validation(true),
        ));
    }
    let mut conn = mysql::Conn::new(opts).map_err(|e| connect_error(&e, &s, &place))?;
    let mut tx = conn
        .start_transaction(mysql::TxOpts::default())
        .map_err(|e| format!("MySQL at {place}: {e}"))?;
    for (i, row) in s.rows.iter().enumerate() {
        let columns: Vec<&String> = row.keys().collect();
        let params: Vec<mysql::Value> = row.values().map(param).collect();
        tx.exec_drop(insert_sql(&s.table, &columns), params)
            .map_err(|e| insert_error(&e, &s, i))?;
    }
    tx.commit()
        .map_err(|e| format!("MySQL at {place}: the rows could not be committed: {e}"))?;
    ctx.say(&format!("inserted {} rows into {}", s.rows.len(), s.table))?;
    Ok(Outcome::output(Value::Object(Map::new())))
}

fn server_code(e: &mysql::Error) -> Option<(u16, String)> {
    match e {
        mysql::Error::MySqlError(m) => Some((m.code, m.message.clone())),
        _ => None,
    }
}

fn connect_error(e: &mysql::Error, s: &Spec, place: &str) -> String {
    match server_code(e) {
        Some((1045, _)) => format!(
            "MySQL at {place} refused user '{}' (access denied): check user and password",
            s.user
        ),
        Some((1044 | 1049, m)) => format!(
            "MySQL at {place}: database '{}' is not available: {m}",
            s.db
        ),
        Some((_, m)) => format!("MySQL at {place}: {m}"),
        None => format!("cannot connect to MySQL at {place}: {e}; check host, port and pem"),
    }
}

fn insert_error(e: &mysql::Error, s: &Spec, i: usize) -> String {
    let why = match server_code(e) {
        Some((1146, _)) => format!(
            "table '{}' does not exist in database '{}': create it first",
            s.table, s.db
        ),
        Some((_, m)) => m,
        None => e.to_string(),
    };
    format!("row {i} was not inserted, so no row was: {why}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn statements_and_parameters() {
        let a = "name".to_string();
        let b = "we`ird".to_string();
        assert_eq!(
            insert_sql("reports.hosts", &[&a, &b]),
            "INSERT INTO `reports`.`hosts` (`name`, `we``ird`) VALUES (?, ?)"
        );
        assert_eq!(param(&json!(true)), mysql::Value::Int(1));
        assert_eq!(param(&json!(1.5)), mysql::Value::Double(1.5));
        assert_eq!(param(&json!(null)), mysql::Value::NULL);
        assert_eq!(
            param(&json!({"a": [1]})),
            mysql::Value::Bytes(b"{\"a\":[1]}".to_vec())
        );
    }

    #[test]
    fn spec_checks() {
        let m = |v: Value| v.as_object().cloned().unwrap_or_default();
        assert_eq!(
            check(&m(json!({"host": "h"}))),
            Err("Required key: user".into())
        );
        let full = json!({"host": "h", "user": "u", "password": "p", "db": "d", "table": "t",
                          "port": 99999, "data": []});
        assert!(check(&m(full)).unwrap_err().starts_with("Type error: port"));
        let bad = json!({"host": "h", "user": "u", "password": "p", "db": "d", "table": "t",
                         "data": [1]});
        assert_eq!(
            check(&m(bad)),
            Err("data item 0 is not a mapping of columns to values: 1".into())
        );
    }
}
