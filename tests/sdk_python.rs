//! The SDK's helpers run by plain `python3`, their answers checked on exact text.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::run_bounded;

/// Runs `script` with the SDK importable; its stdout.
fn python(script: &str) -> String {
    let sdk = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/plugin/host/handler/python");
    let mut cmd = Command::new("python3");
    cmd.arg("-c").arg(script).env("PYTHONPATH", sdk);
    let r = run_bounded(cmd, "", Duration::from_secs(30));
    assert_eq!(r.code(), 0, "{}", r.stderr);
    r.stdout
}

#[test]
fn parse_datetime_reads_what_the_host_accepts() {
    let out = python(
        r#"
from spaceone_plugin_sdk import parse_datetime
for text in ["2024-05-01T00:00:00Z", "2024-5-1 0:0", "2024-05-01T09:00:00.5+09:00",
             "2024-05-01T09:00:00.1234567-0130", "2024-01-01T00:00+05", "1714521600",
             "1714521600000", "1.5e9", None]:
    d = parse_datetime(text)
    print(text, d.isoformat() if d else d)
for text in ["yesterday", "2024-05-01", "2024-05-01T1"]:
    try:
        parse_datetime(text)
    except ValueError as e:
        print(e)
"#,
    );
    assert_eq!(
        out,
        "2024-05-01T00:00:00Z 2024-05-01T00:00:00+00:00
2024-5-1 0:0 2024-05-01T00:00:00
2024-05-01T09:00:00.5+09:00 2024-05-01T09:00:00.500000+09:00
2024-05-01T09:00:00.1234567-0130 2024-05-01T09:00:00.123456-01:30
2024-01-01T00:00+05 2024-01-01T00:00:00+05:00
1714521600 2024-05-01T00:00:00+00:00
1714521600000 2024-05-01T00:00:00+00:00
1.5e9 2017-07-14T02:40:00+00:00
None None
invalid datetime format: 'yesterday'
invalid datetime format: '2024-05-01'
invalid datetime format: '2024-05-01T1'
"
    );
}
