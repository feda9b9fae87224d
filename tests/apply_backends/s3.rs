//! An S3-compatible store of the test's own: moto's server (S3 and STS on one
//! port, from the pinned `s3` reference venv) on a free loopback port, stopped
//! by its PID when dropped.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct S3 {
    pub port: u16,
    python: PathBuf,
    child: Child,
    _dir: tempfile::TempDir,
}

impl S3 {
    /// `None` (after reporting the skipped group) when the venv is missing and
    /// the reference tools are not required.
    pub fn start(test: &str) -> Option<S3> {
        let server = crate::common::reference_tool("s3-venv/bin/moto_server", test)?;
        let python = server.with_file_name("python");
        let dir = tempfile::Builder::new()
            .prefix("spacectl-s3-")
            .tempdir()
            .expect("tempdir");
        let port = crate::process::free_port();
        let log = std::fs::File::create(dir.path().join("moto.log")).expect("log");
        let child = Command::new(&server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("start moto_server");
        let mut s3 = S3 {
            port,
            python,
            child,
            _dir: dir,
        };
        crate::process::wait_listening(&mut s3.child, port, "moto_server");
        Some(s3)
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Run a boto3 snippet against the store (`c` is an S3 client); its stdout.
    pub fn boto(&self, code: &str) -> String {
        let script = format!(
            "import boto3, sys\nc = boto3.client('s3', endpoint_url='{}', region_name='us-east-1', \
             aws_access_key_id='test', aws_secret_access_key='test')\n{code}\n",
            self.url()
        );
        let out = Command::new(&self.python)
            .args(["-c", &script])
            .stdin(Stdio::null())
            .output()
            .expect("run python");
        assert!(
            out.status.success(),
            "{code}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn create_bucket(&self, name: &str) {
        self.boto(&format!("c.create_bucket(Bucket='{name}')"));
    }

    /// The objects under `prefix`: key (without the prefix) → body, as JSON.
    pub fn objects(&self, bucket: &str, prefix: &str) -> serde_json::Value {
        let out = self.boto(&format!(
            "import json\nr = c.list_objects_v2(Bucket='{bucket}', Prefix='{prefix}')\n\
             print(json.dumps({{o['Key'][len('{prefix}'):]: c.get_object(Bucket='{bucket}', Key=o['Key'])['Body'].read().decode() \
             for o in r.get('Contents', [])}}, sort_keys=True))"
        ));
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
    }
}

impl Drop for S3 {
    fn drop(&mut self) {
        crate::process::stop(&mut self.child, Duration::from_secs(10));
    }
}
