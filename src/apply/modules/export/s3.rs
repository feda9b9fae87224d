//! `@modules/export-s3`: `spec.data` put as one object `spec.path` in the
//! bucket `spec.bucket`, as CSV (`output: csv`, the default; written as
//! pandas' `to_csv(index=False)` writes it) or JSON (`output: json`:
//! `{"data": [...]}` indented by four spaces), with the keys
//! `aws_access_key_id` and `aws_secret_access_key` — or, with `role_arn`
//! (and `external_id`), with the credentials of that role, assumed through
//! STS first.
//!
//! Beyond upstream: `endpoint_url` names an S3-compatible store (path-style
//! addressing; else `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL`, as boto3
//! reads them, else AWS), `sts_endpoint_url` the STS to ask (else
//! `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, AWS), and `region` the region
//! to sign for (else `AWS_REGION`, `AWS_DEFAULT_REGION`, `us-east-1`; a bucket
//! AWS says lives elsewhere is asked again there). An object is written whole
//! or not at all.

use std::io::Read;
use std::time::Duration;

use serde_json::{Map, Value};

use super::frame_of;
use super::sigv4::{Credentials, Request, sign, uri_encode};
use crate::apply::modules::{Ctx, Outcome, require};

const TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug)]
struct Spec {
    creds: Credentials,
    bucket: String,
    key: String,
    json: bool,
    role_arn: Option<String>,
    external_id: Option<String>,
    endpoint: Option<String>,
    sts_endpoint: Option<String>,
    region: String,
}

fn text(spec: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match spec.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("Type error: {key} must be text")),
    }
}

fn env(names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|n| std::env::var(n).ok().filter(|v| !v.is_empty()))
}

fn endpoint(v: Option<String>, key: &str) -> Result<Option<String>, String> {
    match v {
        None => Ok(None),
        Some(e) if e.starts_with("http://") || e.starts_with("https://") => {
            Ok(Some(e.trim_end_matches('/').to_string()))
        }
        Some(e) => Err(format!(
            "{key} must start with http:// or https:// (e.g. http://127.0.0.1:9000), not '{e}'"
        )),
    }
}

fn parse(spec: &Map<String, Value>) -> Result<Spec, String> {
    for key in [
        "aws_access_key_id",
        "aws_secret_access_key",
        "bucket",
        "path",
        "data",
    ] {
        require(spec, key)?;
    }
    let json = match spec.get("output") {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) if s == "csv" => false,
        Some(Value::String(s)) if s == "json" => true,
        Some(other) => return Err(format!("output must be csv or json, not {other}")),
    };
    let needed = |key: &str| -> Result<String, String> {
        text(spec, key)?
            .filter(|s| !s.is_empty())
            .ok_or_else(|| format!("Required key: {key}"))
    };
    Ok(Spec {
        creds: Credentials {
            access_key: needed("aws_access_key_id")?,
            secret_key: needed("aws_secret_access_key")?,
            session_token: None,
        },
        bucket: needed("bucket")?,
        key: needed("path")?,
        json,
        role_arn: text(spec, "role_arn")?,
        external_id: text(spec, "external_id")?,
        endpoint: endpoint(
            text(spec, "endpoint_url")?
                .or_else(|| env(&["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"])),
            "endpoint_url",
        )?,
        sts_endpoint: endpoint(
            text(spec, "sts_endpoint_url")?
                .or_else(|| env(&["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"])),
            "sts_endpoint_url",
        )?,
        region: text(spec, "region")?
            .or_else(|| env(&["AWS_REGION", "AWS_DEFAULT_REGION"]))
            .unwrap_or_else(|| "us-east-1".into()),
    })
}

pub fn check(spec: &Map<String, Value>) -> Result<(), String> {
    parse(spec).map(|_| ())?;
    frame_of(spec).map(|_| ())
}

/// The object's bytes.
fn body(spec: &Map<String, Value>, json: bool) -> Result<String, String> {
    if json {
        let mut doc = Map::new();
        doc.insert(
            "data".into(),
            spec.get("data").cloned().unwrap_or(Value::Null),
        );
        Ok(crate::output::json::dumps(&Value::Object(doc)))
    } else {
        Ok(frame_of(spec)?.to_csv())
    }
}

/// `YYYYMMDDTHHMMSSZ` now.
fn amz_date() -> String {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (y, m, d) = crate::apply::modules::date::civil_from_days(t.div_euclid(86_400));
    let s = t.rem_euclid(86_400);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

/// (scheme://host[:port], host[:port]) of an endpoint URL.
fn split_endpoint(url: &str) -> (String, String) {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let host = rest.split('/').next().unwrap_or(rest).to_string();
    let base = url[..url.len() - rest.len()].to_string() + &host;
    (base, host)
}

struct Reply {
    status: u16,
    body: String,
    bucket_region: Option<String>,
}

/// Sign `req` for `region`/`service` and send it to `url_base`.
fn send(
    url_base: &str,
    req: Request<'_>,
    creds: &Credentials,
    region: &str,
    service: &str,
) -> Result<Reply, String> {
    let (method, path, body) = (req.method, req.path, req.body);
    let signed = sign(&req, creds, region, service, &amz_date());
    let url = format!("{url_base}{path}");
    let agent = agent();
    let mut builder = match method {
        "PUT" => agent.put(&url),
        _ => agent.post(&url),
    };
    for (k, v) in &signed {
        builder = builder.header(k.as_str(), v.as_str());
    }
    let mut resp = builder
        .send(body)
        .map_err(|e| format!("cannot reach {url_base}: {e}"))?;
    let status = resp.status().as_u16();
    let bucket_region = resp
        .headers()
        .get("x-amz-bucket-region")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut text = String::new();
    let _ = resp
        .body_mut()
        .as_reader()
        .take(1 << 20)
        .read_to_string(&mut text);
    Ok(Reply {
        status,
        body: text,
        bucket_region,
    })
}

/// The text of `<tag>…</tag>` in an XML reply.
pub fn xml_text(xml: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{tag}>"))? + start;
    Some(
        xml[start..end]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

/// The credentials of `role_arn`, from STS `AssumeRole`.
fn assume_role(s: &Spec) -> Result<Credentials, String> {
    let role = s.role_arn.as_deref().unwrap_or_default();
    let (base, host) = match &s.sts_endpoint {
        Some(e) => split_endpoint(e),
        None => (
            "https://sts.amazonaws.com".into(),
            "sts.amazonaws.com".into(),
        ),
    };
    let session = format!("AssumeRoleSession-{}", std::process::id());
    let mut form = format!(
        "Action=AssumeRole&Version=2011-06-15&RoleArn={}&RoleSessionName={}",
        uri_encode(role, false),
        uri_encode(&session, false)
    );
    if let Some(x) = &s.external_id {
        form.push_str(&format!("&ExternalId={}", uri_encode(x, false)));
    }
    let headers = vec![(
        "content-type".to_string(),
        "application/x-www-form-urlencoded; charset=utf-8".to_string(),
    )];
    let req = Request {
        method: "POST",
        path: "/",
        host: &host,
        headers,
        body: form.as_bytes(),
    };
    let reply = send(&base, req, &s.creds, &s.region, "sts")?;
    if reply.status != 200 {
        let code =
            xml_text(&reply.body, "Code").unwrap_or_else(|| format!("HTTP {}", reply.status));
        let message = xml_text(&reply.body, "Message").unwrap_or_default();
        return Err(format!(
            "STS at {base} did not let these keys assume role {role}: {code} {message}"
        )
        .trim_end()
        .to_string());
    }
    let field = |tag: &str| {
        xml_text(&reply.body, tag)
            .ok_or_else(|| format!("STS at {base} answered AssumeRole without {tag}"))
    };
    Ok(Credentials {
        access_key: field("AccessKeyId")?,
        secret_key: field("SecretAccessKey")?,
        session_token: Some(field("SessionToken")?),
    })
}

/// Where the object goes: (base URL, host, path).
fn location(s: &Spec, region: &str) -> (String, String, String) {
    let key = uri_encode(&s.key, true);
    let key = key.trim_start_matches('/');
    match &s.endpoint {
        Some(e) => {
            let (base, host) = split_endpoint(e);
            let prefix = e[base.len()..].trim_end_matches('/').to_string();
            (
                base,
                host,
                format!("{prefix}/{}/{key}", uri_encode(&s.bucket, false)),
            )
        }
        None if !s.bucket.contains('.') => {
            let host = format!("{}.s3.{region}.amazonaws.com", s.bucket);
            (format!("https://{host}"), host, format!("/{key}"))
        }
        None => {
            let host = format!("s3.{region}.amazonaws.com");
            (
                format!("https://{host}"),
                host,
                format!("/{}/{key}", s.bucket),
            )
        }
    }
}

pub fn run(spec: &Map<String, Value>, ctx: &mut Ctx<'_>) -> Result<Outcome, String> {
    let s = parse(spec)?;
    let bytes = body(spec, s.json)?;
    let where_ = s.endpoint.clone().unwrap_or_else(|| "AWS".into());
    if ctx.dry_run {
        let role = s
            .role_arn
            .as_deref()
            .map(|r| format!(" as role {r}"))
            .unwrap_or_default();
        ctx.show(&format!(
            "{}  DRY-RUN put {} bytes of {} to s3://{}/{} at {where_}{role}\n",
            "  ".repeat(ctx.depth),
            bytes.len(),
            if s.json { "json" } else { "csv" },
            s.bucket,
            s.key
        ))?;
        return Ok(Outcome::output(Value::Object(Map::new())));
    }
    let creds = match &s.role_arn {
        Some(_) => assume_role(&s)?,
        None => s.creds.clone(),
    };
    let mut region = s.region.clone();
    for _ in 0..2 {
        let (base, host, path) = location(&s, &region);
        let req = Request {
            method: "PUT",
            path: &path,
            host: &host,
            headers: vec![],
            body: bytes.as_bytes(),
        };
        let reply = send(&base, req, &creds, &region, "s3")?;
        if reply.status == 200 {
            return Ok(Outcome::output(Value::Object(Map::new())));
        }
        if let Some(r) = reply
            .bucket_region
            .clone()
            .filter(|r| *r != region && s.endpoint.is_none())
        {
            region = r;
            continue;
        }
        return Err(put_error(&s, &reply, &where_));
    }
    Err(format!(
        "S3 kept sending bucket {} to another region",
        s.bucket
    ))
}

fn put_error(s: &Spec, reply: &Reply, where_: &str) -> String {
    let code = xml_text(&reply.body, "Code").unwrap_or_default();
    let message = xml_text(&reply.body, "Message").unwrap_or_default();
    let what = match code.as_str() {
        "NoSuchBucket" => format!("bucket '{}' does not exist; create it first", s.bucket),
        "InvalidAccessKeyId" | "SignatureDoesNotMatch" => {
            "the keys were refused: check aws_access_key_id and aws_secret_access_key".into()
        }
        "AccessDenied" => format!("access to bucket '{}' was denied for these keys", s.bucket),
        "" => format!("HTTP {}", reply.status),
        _ => format!("{code}: {message}"),
    };
    format!(
        "The put_object command in S3 failed (status = {}, at {where_}): {what}",
        reply.status
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(v: Value) -> Spec {
        parse(v.as_object().unwrap_or(&Map::new())).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn locations() {
        let base = json!({"aws_access_key_id": "a", "aws_secret_access_key": "b", "bucket": "reports",
                          "path": "out/a b.csv", "data": [], "endpoint_url": "http://127.0.0.1:9000/"});
        let s = spec(base.clone());
        assert_eq!(
            location(&s, "us-east-1"),
            (
                "http://127.0.0.1:9000".into(),
                "127.0.0.1:9000".into(),
                "/reports/out/a%20b.csv".into()
            )
        );
        let mut aws = base.clone();
        aws.as_object_mut().map(|m| m.remove("endpoint_url"));
        let s = Spec {
            endpoint: None,
            ..spec(aws)
        };
        assert_eq!(location(&s, "eu-west-1").2, "/out/a%20b.csv");
        assert_eq!(
            location(&s, "eu-west-1").1,
            "reports.s3.eu-west-1.amazonaws.com"
        );
        assert_eq!(format!("{:?}", s.creds), "Credentials(******)");
    }

    #[test]
    fn spec_checks() {
        let m = |v: Value| v.as_object().cloned().unwrap_or_default();
        assert_eq!(
            check(&m(json!({"bucket": "b"}))),
            Err("Required key: aws_access_key_id".into())
        );
        let bad = json!({"aws_access_key_id": "a", "aws_secret_access_key": "b", "bucket": "r",
                         "path": "p", "data": [], "output": "xml"});
        assert_eq!(
            check(&m(bad)),
            Err("output must be csv or json, not \"xml\"".into())
        );
        let bad = json!({"aws_access_key_id": "a", "aws_secret_access_key": "b", "bucket": "r",
                         "path": "p", "data": [], "endpoint_url": "127.0.0.1:9000"});
        assert!(
            check(&m(bad))
                .unwrap_err()
                .starts_with("endpoint_url must start with http://")
        );
        assert_eq!(
            xml_text(
                "<E><Code>NoSuchBucket</Code><Message>a &amp; b</Message></E>",
                "Message"
            ),
            Some("a & b".into())
        );
    }
}
