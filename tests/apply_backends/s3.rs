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
        S3::start_with(test, &[])
    }

    /// A store that checks every request's keys and signature (moto lets the
    /// first `INITIAL_NO_AUTH_ACTION_COUNT` requests through unchecked: those
    /// make a user, its keys and its policy), with bucket `bucket`; the store
    /// and the user's (access key id, secret key).
    pub fn start_checking_keys(test: &str, bucket: &str) -> Option<(S3, String, String)> {
        let s3 = S3::start_with(test, &[("INITIAL_NO_AUTH_ACTION_COUNT", "3")])?;
        let keys = s3.boto(
            "import json\ni = boto3.client('iam', endpoint_url=c.meta.endpoint_url, region_name='us-east-1', \
             aws_access_key_id='test', aws_secret_access_key='test')\ni.create_user(UserName='exporter')\n\
             k = i.create_access_key(UserName='exporter')['AccessKey']\n\
             i.put_user_policy(UserName='exporter', PolicyName='all', PolicyDocument=json.dumps(\
             {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': '*', 'Resource': '*'}]}))\n\
             print(k['AccessKeyId'], k['SecretAccessKey'])",
        );
        let mut keys = keys.split_whitespace().map(str::to_string);
        let (id, secret) = (keys.next().expect("key id"), keys.next().expect("secret"));
        s3.boto_as(&id, &secret, &format!("c.create_bucket(Bucket='{bucket}')"));
        Some((s3, id, secret))
    }

    fn start_with(test: &str, env: &[(&str, &str)]) -> Option<S3> {
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
            .envs(env.iter().copied())
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
        self.boto_as("test", "test", code)
    }

    /// `boto` with the given keys.
    pub fn boto_as(&self, id: &str, secret: &str, code: &str) -> String {
        let script = format!(
            "import boto3, sys\nc = boto3.client('s3', endpoint_url='{}', region_name='us-east-1', \
             aws_access_key_id='{id}', aws_secret_access_key='{secret}')\n{code}\n",
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
