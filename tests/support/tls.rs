//! A throwaway certificate authority and a `localhost` server certificate,
//! made with the `openssl` command-line tool.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct TestPki {
    /// PEM file of the authority, for `SSL_CERT_FILE`.
    pub ca_file: PathBuf,
    pub cert_pem: Vec<u8>,
    pub key_pem: Vec<u8>,
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("the openssl command-line tool is needed for the TLS tests");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl TestPki {
    /// Generate the authority and a leaf for `localhost` / 127.0.0.1 in `dir`.
    pub fn generate(dir: &Path) -> TestPki {
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ];
        // A distinct authority name per directory: two authorities never
        // look like one another.
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("ca");
        let subject = format!("/CN=spacectl test CA {name}");
        let mut ca = vec!["req", "-x509"];
        ca.extend(ec);
        ca.extend([
            "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", &subject,
        ]);
        openssl(dir, &ca);
        let mut leaf = vec!["req"];
        leaf.extend(ec);
        leaf.extend([
            "-keyout",
            "leaf.key",
            "-out",
            "leaf.csr",
            "-subj",
            "/CN=localhost",
        ]);
        openssl(dir, &leaf);
        std::fs::write(
            dir.join("leaf.ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
        )
        .expect("write leaf.ext");
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                "leaf.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "leaf.pem",
                "-days",
                "2",
                "-extfile",
                "leaf.ext",
            ],
        );
        TestPki {
            ca_file: dir.join("ca.pem"),
            cert_pem: std::fs::read(dir.join("leaf.pem")).expect("leaf.pem"),
            key_pem: std::fs::read(dir.join("leaf.key")).expect("leaf.key"),
        }
    }

    /// A client certificate signed by this authority (`<name>.pem`, `<name>.key` in
    /// `dir`, which must be the directory the authority was generated in).
    pub fn client(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
        let (pem, key, csr, ext) = (
            format!("{name}.pem"),
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.ext"),
        );
        let subject = format!("/CN={name}");
        openssl(
            dir,
            &[
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                &key,
                "-out",
                &csr,
                "-subj",
                &subject,
            ],
        );
        std::fs::write(
            dir.join(&ext),
            "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n",
        )
        .expect("write client ext");
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                &pem,
                "-days",
                "2",
                "-extfile",
                &ext,
            ],
        );
        (dir.join(pem), dir.join(key))
    }
}

/// A self-signed server certificate made the usual way, `openssl req -x509` (which
/// marks it `CA:TRUE`), for `CN=localhost`, with `subjectAltName` entries when
/// `alt_names` is given (e.g. `DNS:localhost,IP:127.0.0.1`). Returns the PEM file
/// of the certificate and the certificate and key PEM bytes.
pub fn self_signed(dir: &Path, name: &str, alt_names: Option<&str>) -> (PathBuf, Vec<u8>, Vec<u8>) {
    let (pem, key) = (format!("{name}.pem"), format!("{name}.key"));
    let mut args = vec![
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        &key,
        "-out",
        &pem,
        "-days",
        "2",
        "-subj",
        "/CN=localhost",
    ];
    let san = alt_names.map(|a| format!("subjectAltName={a}"));
    if let Some(san) = &san {
        args.extend(["-addext", san.as_str()]);
    }
    openssl(dir, &args);
    let path = dir.join(&pem);
    let cert = std::fs::read(&path).expect("self-signed pem");
    let key = std::fs::read(dir.join(&key)).expect("self-signed key");
    (path, cert, key)
}
