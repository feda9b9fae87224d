//! `@modules/shell`: run `spec.run` with `bash -c`; output is
//! `{result: <stdout and stderr>, return_code}`; a non-zero status fails the task.

use std::io::Read;
use std::process::{Command, Stdio};

use serde_json::{Map, Value};

use super::{Ctx, Outcome, require};

pub fn check(spec: &Map<String, Value>) -> Result<(), String> {
    require(spec, "run")?;
    match spec.get("run") {
        Some(Value::String(_)) => Ok(()),
        _ => Err("Type error: run(str)".into()),
    }
}

pub fn run(spec: &Map<String, Value>, ctx: &mut Ctx<'_>) -> Result<Outcome, String> {
    check(spec)?;
    let script = spec.get("run").and_then(Value::as_str).unwrap_or_default();
    if ctx.dry_run {
        let line = format!(
            "{}  DRY-RUN bash -c {}\n",
            "  ".repeat(ctx.depth),
            serde_json::to_string(script).unwrap_or_default()
        );
        ctx.show(&line)?;
        return Ok(Outcome::output(Value::Object(Map::new())));
    }
    let (text, code) = run_bash(script)?;
    if code != 0 {
        return Err(format!(
            "Command exited with status {code}: {}",
            if text.is_empty() {
                "(no output)"
            } else {
                text.trim_end()
            }
        ));
    }
    let mut out = Map::new();
    out.insert("result".into(), Value::String(text.clone()));
    out.insert("return_code".into(), Value::from(code));
    Ok(Outcome {
        output: Value::Object(out),
        action: None,
        debug_text: Some(text),
    })
}

/// Run a script with `/bin/bash -c`, stdout and stderr merged in order.
pub fn run_bash(script: &str) -> Result<(String, i32), String> {
    let (mut reader, writer) = std::io::pipe().map_err(|e| format!("cannot run bash: {e}"))?;
    let writer_err = writer
        .try_clone()
        .map_err(|e| format!("cannot run bash: {e}"))?;
    let mut child = {
        let mut cmd = Command::new("/bin/bash");
        cmd.arg("-c")
            .arg(script)
            .stdin(Stdio::null())
            .stdout(writer)
            .stderr(writer_err);
        cmd.spawn()
            .map_err(|e| format!("cannot run /bin/bash: {e}"))?
        // `cmd` (holding the write ends) is dropped here so the read below ends.
    };
    let mut bytes = Vec::new();
    let read = reader.read_to_end(&mut bytes);
    let status = child
        .wait()
        .map_err(|e| format!("cannot wait for bash: {e}"))?;
    read.map_err(|e| format!("cannot read the command output: {e}"))?;
    let code = status.code().unwrap_or(-1);
    Ok((String::from_utf8_lossy(&bytes).into_owned(), code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_streams_in_order() {
        let r = run_bash("echo out; echo err >&2; echo out2");
        assert_eq!(r, Ok(("out\nerr\nout2\n".to_string(), 0)));
    }

    #[test]
    fn reports_exit_status() {
        assert_eq!(run_bash("echo boom; exit 3"), Ok(("boom\n".to_string(), 3)));
    }

    #[test]
    fn spec_checks() {
        assert_eq!(check(&Map::new()), Err("Required key: run".to_string()));
        let mut m = Map::new();
        m.insert("run".into(), Value::from(3));
        assert_eq!(check(&m), Err("Type error: run(str)".to_string()));
    }
}
