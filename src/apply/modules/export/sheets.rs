//! `@modules/export-google-sheets`: worksheets of a Google spreadsheet filled
//! with rows, as the Python module fills them, through the Drive v3 and
//! Sheets v4 REST APIs with a service account (`service_account_json`: its key
//! file).
//!
//! `folder_id` is the Drive folder under which `path` (`folder/.../sheet`, or
//! a list of segments) is found or made; with `reset: true` every worksheet is
//! replaced; each item of `data` (`{input: {name, output: [rows]}, options:
//! {decimal}}`, or `{name, output}`) fills the worksheet `name` from A1 with a
//! header row (bold, centred, bordered) and its rows (`fill_na` for missing
//! values; lists joined by newlines); `copy` (a path) makes a copy, replacing
//! one of that name. `google_api_url` (ours) sends the calls to another
//! server than Google's, e.g. a local stand-in; the token comes from the key
//! file's `token_uri`.

use std::time::Duration;

use serde_json::{Map, Value, json};

use super::sigv4::uri_encode;
use crate::apply::frame::Frame;
use crate::apply::modules::{Ctx, Outcome, require};

const SCOPES: &str =
    "https://www.googleapis.com/auth/drive https://www.googleapis.com/auth/spreadsheets";
const FOLDER: &str = "application/vnd.google-apps.folder";
const SPREADSHEET: &str = "application/vnd.google-apps.spreadsheet";
const TIMEOUT: Duration = Duration::from_secs(60);

pub fn check(spec: &Map<String, Value>) -> Result<(), String> {
    for key in ["service_account_json", "data", "path", "folder_id"] {
        require(spec, key)?;
    }
    segments(spec.get("path"))?;
    Ok(())
}

/// `path` as (folders, sheet name).
fn segments(path: Option<&Value>) -> Result<(Vec<String>, String), String> {
    let items: Vec<String> = match path {
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect(),
        Some(Value::String(s)) => s.split('/').map(str::to_string).collect(),
        _ => return Err("Type error: path must be folder/.../sheet or a list of segments".into()),
    };
    match items.split_last() {
        Some((name, folders)) if !name.is_empty() => Ok((folders.to_vec(), name.clone())),
        _ => Err("path names no sheet".into()),
    }
}

struct Google {
    agent: ureq::Agent,
    token: String,
    www: String,
    sheets: String,
}

impl Google {
    fn call(&self, method: &str, url: &str, body: Option<&Value>) -> Result<Value, String> {
        let auth = format!("Bearer {}", self.token);
        let json_type = "application/json";
        let result = match (method, body) {
            ("GET", _) => self.agent.get(url).header("authorization", &auth).call(),
            (m, b) => {
                let builder = match m {
                    "POST" => self.agent.post(url),
                    "PATCH" => self.agent.patch(url),
                    _ => self.agent.put(url),
                };
                let builder = builder.header("authorization", &auth);
                match b {
                    Some(b) => builder
                        .header("content-type", json_type)
                        .send(b.to_string().as_bytes()),
                    None => builder.send_empty(),
                }
            }
        };
        let mut resp = result.map_err(|e| format!("cannot reach {url}: {e}"))?;
        let status = resp.status().as_u16();
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        if status >= 300 {
            let message = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| {
                    v.pointer("/error/message")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .unwrap_or(text);
            return Err(format!(
                "Google answered {method} {url} with HTTP {status}: {message}"
            ));
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    fn files(&self) -> String {
        format!("{}/drive/v3/files", self.www)
    }

    fn search(&self, q: &str) -> Result<Vec<Value>, String> {
        let url = format!(
            "{}?q={}&includeItemsFromAllDrives=true&supportsAllDrives=true&pageSize=10&fields={}",
            self.files(),
            uri_encode(q, false),
            uri_encode("nextPageToken, files(id, name)", false)
        );
        Ok(self
            .call("GET", &url, None)?
            .get("files")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default())
    }

    fn folder(
        &self,
        parent: &str,
        folders: &[String],
        ctx: &mut Ctx<'_>,
    ) -> Result<String, String> {
        let mut parent = parent.to_string();
        for name in folders {
            let q = format!("name = '{name}' and mimeType = '{FOLDER}' and '{parent}' in parents");
            ctx.say(&format!("search folder: {q}"))?;
            parent = match self.search(&q)?.first().and_then(|f| f["id"].as_str()) {
                Some(id) => id.to_string(),
                None => {
                    ctx.say(&format!("create folder: {name} in {parent}"))?;
                    let url = format!("{}?supportsAllDrives=true&fields=id", self.files());
                    let body = json!({"name": name, "mimeType": FOLDER, "parents": [parent]});
                    id_of(&self.call("POST", &url, Some(&body))?)?
                }
            };
        }
        Ok(parent)
    }

    fn find_file(&self, parent: &str, name: &str) -> Result<Vec<Value>, String> {
        self.search(&format!(
            "name = '{name}' and mimeType != '{FOLDER}' and '{parent}' in parents"
        ))
    }

    fn sheet_id(&self, parent: &str, name: &str, ctx: &mut Ctx<'_>) -> Result<String, String> {
        ctx.say(&format!(
            "search sheet: name = '{name}' and mimeType != '{FOLDER}' and '{parent}' in parents"
        ))?;
        if let Some(id) = self
            .find_file(parent, name)?
            .first()
            .and_then(|f| f["id"].as_str())
        {
            return Ok(id.to_string());
        }
        let url = format!("{}?supportsAllDrives=true&fields=id", self.files());
        let body = json!({"name": name, "mimeType": SPREADSHEET, "parents": [parent]});
        let id = id_of(&self.call("POST", &url, Some(&body))?)?;
        ctx.say(&format!("create sheet: {id} in {parent}"))?;
        Ok(id)
    }

    fn book(&self, id: &str) -> String {
        format!("{}/v4/spreadsheets/{id}", self.sheets)
    }

    fn worksheets(&self, id: &str) -> Result<Vec<(i64, String)>, String> {
        let meta = self.call("GET", &self.book(id), None)?;
        Ok(meta["sheets"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|s| {
                (
                    s["properties"]["sheetId"].as_i64().unwrap_or(0),
                    s["properties"]["title"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                )
            })
            .collect())
    }

    fn batch(&self, id: &str, requests: Vec<Value>) -> Result<Value, String> {
        let url = format!("{}:batchUpdate", self.book(id));
        self.call("POST", &url, Some(&json!({"requests": requests})))
    }

    fn add_worksheet(&self, id: &str, title: &str) -> Result<i64, String> {
        let r = self.batch(
            id,
            vec![json!({"addSheet": {"properties": {"title": title,
                "sheetType": "GRID", "gridProperties": {"rowCount": 1000, "columnCount": 26}}}})],
        )?;
        Ok(r.pointer("/replies/0/addSheet/properties/sheetId")
            .and_then(Value::as_i64)
            .unwrap_or(0))
    }
}

fn id_of(v: &Value) -> Result<String, String> {
    v["id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("Google answered without an id: {v}"))
}

/// The service account's access token (a signed JWT exchanged at `token_uri`).
fn token(agent: &ureq::Agent, key: &Value, now: i64) -> Result<String, String> {
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let field = |k: &str| {
        key[k]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("the service account key file has no {k}"))
    };
    let (email, pem) = (field("client_email")?, field("private_key")?);
    let uri = key["token_uri"]
        .as_str()
        .unwrap_or("https://oauth2.googleapis.com/token")
        .to_string();
    let der_b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(der_b64.trim())
        .map_err(|_| "the service account's private_key is not a PEM key".to_string())?;
    let pair = ring::signature::RsaKeyPair::from_pkcs8(&der)
        .map_err(|e| format!("the service account's private_key is not an RSA key: {e}"))?;
    let header = b64(br#"{"alg":"RS256","typ":"JWT"}"#);
    let claims = json!({"iss": email, "scope": SCOPES, "aud": uri, "iat": now, "exp": now + 3600});
    let input = format!("{header}.{}", b64(claims.to_string().as_bytes()));
    let mut sig = vec![0; pair.public().modulus_len()];
    pair.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        input.as_bytes(),
        &mut sig,
    )
    .map_err(|_| "cannot sign the service account's token request".to_string())?;
    let form = format!(
        "grant_type={}&assertion={input}.{}",
        uri_encode("urn:ietf:params:oauth:grant-type:jwt-bearer", false),
        b64(&sig)
    );
    let mut resp = agent
        .post(&uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .send(form.as_bytes())
        .map_err(|e| format!("cannot reach {uri}: {e}"))?;
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    match v["access_token"].as_str() {
        Some(t) if status == 200 => Ok(t.to_string()),
        _ => Err(format!(
            "{uri} refused the service account {email} (HTTP {status}): check the key file"
        )),
    }
}

/// The header's cells (`A1:<last>1`, at most to Z) as a grid range.
fn header_range(sheet: i64, n: usize) -> Value {
    json!({"sheetId": sheet, "startRowIndex": 0, "endRowIndex": 1,
           "startColumnIndex": 0, "endColumnIndex": n.clamp(1, 26)})
}

/// The cells of a worksheet: header, then rows (lists joined by newlines).
fn values(frame: &Frame) -> Vec<Value> {
    let mut out = vec![Value::Array(
        frame.names().into_iter().map(Value::String).collect(),
    )];
    for i in 0..frame.len {
        out.push(Value::Array(
            frame
                .columns
                .iter()
                .map(|c| match &c.cells[i] {
                    None => Value::Null,
                    Some(Value::Array(items)) => Value::String(
                        items
                            .iter()
                            .map(|v| {
                                v.as_str()
                                    .map(str::to_string)
                                    .unwrap_or_else(|| v.to_string())
                            })
                            .collect::<Vec<_>>()
                            .join("\n"),
                    ),
                    Some(v) => v.clone(),
                })
                .collect(),
        ));
    }
    out
}

pub fn run(spec: &Map<String, Value>, ctx: &mut Ctx<'_>) -> Result<Outcome, String> {
    check(spec)?;
    let (folders, name) = segments(spec.get("path"))?;
    let root = match spec.get("folder_id") {
        Some(Value::String(s)) => s.clone(),
        other => return Err(format!("Type error: folder_id must be text ({other:?})")),
    };
    let items = spec
        .get("data")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if ctx.dry_run {
        ctx.show(&format!(
            "{}  DRY-RUN export {} worksheets to the sheet {name} under folder {root}\n",
            "  ".repeat(ctx.depth),
            items.len()
        ))?;
        return Ok(Outcome::output(Value::Object(Map::new())));
    }
    let key_file = spec
        .get("service_account_json")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let key: Value = std::fs::read_to_string(key_file)
        .map_err(|e| format!("cannot read the service account key file {key_file}: {e}"))
        .and_then(|t| {
            serde_json::from_str(&t)
                .map_err(|_| format!("the service account key file {key_file} is not JSON"))
        })?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(false)
        .build()
        .into();
    let base = spec
        .get("google_api_url")
        .and_then(Value::as_str)
        .map(|s| s.trim_end_matches('/').to_string());
    let g = Google {
        token: token(&agent, &key, ctx.now)?,
        agent,
        www: base
            .clone()
            .unwrap_or_else(|| "https://www.googleapis.com".into()),
        sheets: base.unwrap_or_else(|| "https://sheets.googleapis.com".into()),
    };
    let reset = spec.get("reset") == Some(&Value::Bool(true));
    let fill = spec.get("fill_na").filter(|v| !v.is_null()).cloned();

    let folder = g.folder(&root, &folders, ctx)?;
    let id = g.sheet_id(&folder, &name, ctx)?;
    ctx.say(&format!("open sheet : {id}"))?;
    if reset {
        ctx.say(&format!("clear all worksheet: {id}"))?;
        g.add_worksheet(&id, "")?;
        let sheets = g.worksheets(&id)?;
        let old: Vec<Value> = sheets[..sheets.len().saturating_sub(1)]
            .iter()
            .map(|(s, _)| json!({"deleteSheet": {"sheetId": s}}))
            .collect();
        if !old.is_empty() {
            g.batch(&id, old)?;
        }
    }
    for (idx, raw) in items.iter().enumerate() {
        let (task, options) = match raw.get("input") {
            Some(input) if raw.is_object() => (
                input.clone(),
                raw.get("options").cloned().unwrap_or(json!({})),
            ),
            _ => (raw.clone(), json!({})),
        };
        if task.is_null() {
            ctx.say(&format!("skip input: {raw}"))?;
            continue;
        }
        let title = task
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let rows = task
            .get("output")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if rows.is_empty() {
            ctx.say(&format!("skip worksheet: {title}"))?;
            continue;
        }
        let sheets = g.worksheets(&id)?;
        let sheet = if reset && idx == 0 && !sheets.is_empty() {
            let sid = sheets[0].0;
            g.batch(
                &id,
                vec![json!({"updateSheetProperties": {
                "properties": {"sheetId": sid, "title": title}, "fields": "title"}})],
            )?;
            sid
        } else {
            match sheets.iter().find(|(_, t)| *t == title) {
                Some((sid, _)) => *sid,
                None => g.add_worksheet(&id, &title)?,
            }
        };
        ctx.say(&format!("export worksheet: {title}"))?;
        let mut frame = Frame::from_records(&rows, "output")?;
        if let Some(f) = &fill {
            frame.fill_missing(f);
        }
        let mut formats = vec![json!({"repeatCell": {
            "range": header_range(sheet, frame.columns.len()),
            "cell": {"userEnteredFormat": {
                "horizontalAlignment": "CENTER",
                "borders": {"top": {"style": "SOLID"}, "bottom": {"style": "SOLID"},
                            "left": {"style": "SOLID"}, "right": {"style": "SOLID"}},
                "backgroundColor": {"red": 12, "green": 12, "blue": 12},
                "textFormat": {"bold": true}}},
            "fields": "userEnteredFormat(horizontalAlignment,borders,backgroundColor,textFormat)"}})];
        if let Some(d) = options
            .get("decimal")
            .and_then(Value::as_u64)
            .filter(|d| *d > 0)
        {
            formats.push(json!({"repeatCell": {
                "range": {"sheetId": sheet, "startRowIndex": 1, "endRowIndex": 1000},
                "cell": {"userEnteredFormat": {"numberFormat": {"type": "NUMBER",
                    "pattern": format!("0.{}#", "0".repeat(d as usize - 1))}}},
                "fields": "userEnteredFormat.numberFormat"}}));
        }
        g.batch(&id, formats)?;
        let range = uri_encode(&format!("'{title}'!A1"), false);
        let url = format!("{}/values/{range}?valueInputOption=RAW", g.book(&id));
        g.call(
            "PUT",
            &url,
            Some(&json!({"values": values(&frame), "majorDimension": "ROWS"})),
        )?;
    }
    if let Some(copy) = spec.get("copy").filter(|v| !v.is_null()) {
        let (folders, copy_name) = segments(Some(copy))?;
        let parent = g.folder(&root, &folders, ctx)?;
        for f in g.find_file(&parent, &copy_name)? {
            let fid = f["id"].as_str().unwrap_or_default();
            ctx.say(&format!("delete file: {fid}"))?;
            let url = format!("{}/{fid}?supportsAllDrives=true", g.files());
            g.call("PATCH", &url, Some(&json!({"trashed": true})))?;
        }
        ctx.say(&format!(
            "copy file: {id} -> {}",
            crate::output::pyrepr::py_str(copy)
        ))?;
        let url = format!("{}/{id}/copy?supportsAllDrives=true", g.files());
        g.call(
            "POST",
            &url,
            Some(&json!({"name": copy_name, "parents": [parent]})),
        )?;
    }
    Ok(Outcome::output(Value::Object(Map::new())))
}
