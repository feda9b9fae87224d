//! AWS Signature Version 4 for the two requests the S3 export makes (an S3
//! `PutObject` and an STS `AssumeRole`), written here: the AWS signer crate
//! needs a newer Rust than this project's minimum, and the small S3 crates
//! sign S3 requests only. Checked against botocore's signatures.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Access key, secret key and (for assumed roles) a session token.
#[derive(Clone)]
pub struct Credentials {
    pub access_key: String,
    pub secret_key: String,
    pub session_token: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials(******)")
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(m) => m,
        // HMAC takes keys of any length
        Err(_) => return Vec::new(),
    };
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Percent-encoding of everything but `A-Za-z0-9-._~` (and `/` when `path`).
pub fn uri_encode(s: &str, path: bool) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            b'/' if path => out.push('/'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// One request to sign.
pub struct Request<'a> {
    pub method: &'a str,
    /// The encoded path (`/bucket/a%20b.csv`).
    pub path: &'a str,
    /// `host[:port]` as sent.
    pub host: &'a str,
    /// Other headers to sign (lower-case names).
    pub headers: Vec<(String, String)>,
    pub body: &'a [u8],
}

/// The headers to send: the request's own, `host` excluded, plus `x-amz-date`,
/// `x-amz-content-sha256` (S3), `x-amz-security-token` and `authorization`.
/// `amz_date` is `YYYYMMDDTHHMMSSZ`.
pub fn sign(
    req: &Request<'_>,
    creds: &Credentials,
    region: &str,
    service: &str,
    amz_date: &str,
) -> Vec<(String, String)> {
    let payload = sha256_hex(req.body);
    let mut headers: Vec<(String, String)> = req.headers.clone();
    headers.push(("host".into(), req.host.to_string()));
    headers.push(("x-amz-date".into(), amz_date.to_string()));
    if service == "s3" {
        headers.push(("x-amz-content-sha256".into(), payload.clone()));
    }
    if let Some(token) = &creds.session_token {
        headers.push(("x-amz-security-token".into(), token.clone()));
    }
    headers.sort_by(|a, b| a.0.cmp(&b.0));
    let canonical_headers: String = headers
        .iter()
        .map(|(k, v)| format!("{k}:{}\n", v.trim()))
        .collect();
    let signed: Vec<&str> = headers.iter().map(|(k, _)| k.as_str()).collect();
    let signed = signed.join(";");
    let canonical = format!(
        "{}\n{}\n\n{canonical_headers}\n{signed}\n{payload}",
        req.method, req.path
    );
    let date = &amz_date[..8];
    let scope = format!("{date}/{region}/{service}/aws4_request");
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        sha256_hex(canonical.as_bytes())
    );
    let mut key = hmac(format!("AWS4{}", creds.secret_key).as_bytes(), date);
    for part in [region, service, "aws4_request"] {
        key = hmac(&key, part);
    }
    let signature = hex(&hmac(&key, &to_sign));
    let mut out: Vec<(String, String)> = headers.into_iter().filter(|(k, _)| k != "host").collect();
    out.push((
        "authorization".into(),
        format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed}, Signature={signature}",
            creds.access_key
        ),
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(token: Option<&str>) -> Credentials {
        Credentials {
            access_key: "AKIDEXAMPLE".into(),
            secret_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: token.map(str::to_string),
        }
    }

    fn authorization(h: &[(String, String)]) -> &str {
        h.iter()
            .find(|(k, _)| k == "authorization")
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    // The expected values are botocore 1.44's (S3SigV4Auth / SigV4Auth) for the
    // same requests at 2026-12-07T06:30:00Z.
    #[test]
    fn s3_put_as_botocore_signs_it() {
        let req = Request {
            method: "PUT",
            path: &format!("/reports/{}", uri_encode("out/a b.csv", true)),
            host: "127.0.0.1:9000",
            headers: vec![],
            body: b"hello",
        };
        let h = sign(
            &req,
            &creds(Some("tok")),
            "us-east-1",
            "s3",
            "20261207T063000Z",
        );
        assert_eq!(
            authorization(&h),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261207/us-east-1/s3/aws4_request, \
             SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, \
             Signature=415acb80058d5e3e9a8fe47e132d41a7b8069a981c634a3529442afb6f8e1993"
        );
    }

    #[test]
    fn sts_post_as_botocore_signs_it() {
        let req = Request {
            method: "POST",
            path: "/",
            host: "sts.amazonaws.com",
            headers: vec![(
                "content-type".into(),
                "application/x-www-form-urlencoded; charset=utf-8".into(),
            )],
            body: b"Action=AssumeRole&Version=2011-06-15",
        };
        let h = sign(&req, &creds(None), "us-east-1", "sts", "20261207T063000Z");
        assert_eq!(
            authorization(&h),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261207/us-east-1/sts/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, \
             Signature=173677b7b73a08b13bb15b08c5da9f722bc99fd85cb75ba1e7248570449a1f51"
        );
        assert_eq!(uri_encode("a b/ü~", false), "a%20b%2F%C3%BC~");
    }
}
