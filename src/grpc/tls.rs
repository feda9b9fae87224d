//! TLS for `grpc+ssl://` endpoints: which certificates are trusted, the client
//! certificate (mutual TLS), and how the server's certificate is checked.
//!
//! Trusted roots are the system's (`SSL_CERT_FILE` / `SSL_CERT_DIR` included) or, when a
//! CA file is given, only the certificates in that file. The server's certificate is
//! checked by webpki, with two allowances that match what Python gRPC (OpenSSL,
//! BoringSSL) accepts:
//!
//! * a certificate that is itself one of the trusted certificates is accepted as the
//!   server's certificate when it is within its validity period and names the host —
//!   the usual self-signed certificate (`openssl req -x509`, which marks it `CA:TRUE`,
//!   refused by webpki as `CaUsedAsEndEntity`);
//! * a certificate without DNS names in `subjectAltName` is matched on its subject's
//!   common name (host names only, not IP addresses), as gRPC does.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio_rustls::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use tokio_rustls::rustls::client::{ResolvesClientCert, WebPkiServerVerifier, verify_server_name};
use tokio_rustls::rustls::crypto::{CryptoProvider, ring};
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use tokio_rustls::rustls::server::ParsedCertificate;
use tokio_rustls::rustls::sign::CertifiedKey;
use tokio_rustls::rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, Error as TlsError, RootCertStore,
    SignatureScheme,
};

use crate::error::{AppError, Result};

/// ALPN protocol id of HTTP/2.
pub const ALPN_H2: &[u8] = b"h2";
/// Largest certificate or key file read.
const PEM_FILE_LIMIT: u64 = 4 * 1024 * 1024;

/// The files a TLS connection uses, from the command line or the environment file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsFiles {
    /// PEM file of the certificates to trust instead of the system roots.
    pub ca_file: Option<PathBuf>,
    /// PEM file of the client certificate (chain) for mutual TLS.
    pub client_cert: Option<PathBuf>,
    /// PEM file of the client certificate's private key.
    pub client_key: Option<PathBuf>,
}

impl TlsFiles {
    /// These settings, completed by `fallback` where they say nothing. The client
    /// certificate and key are taken as a pair from one side.
    pub fn or(self, fallback: TlsFiles) -> TlsFiles {
        let (client_cert, client_key) = if self.client_cert.is_some() || self.client_key.is_some() {
            (self.client_cert, self.client_key)
        } else {
            (fallback.client_cert, fallback.client_key)
        };
        TlsFiles {
            ca_file: self.ca_file.or(fallback.ca_file),
            client_cert,
            client_key,
        }
    }
}

/// The TLS files an environment names (`ca_file`, `client_cert`, `client_key`), with
/// relative paths under `~/.spaceone` and `~/` under the home directory.
pub fn files_of(env: &crate::config::Environment) -> Result<TlsFiles> {
    use crate::config::{environment, paths};
    let [ca, cert, key] = environment::TLS_FILE_KEYS.map(|k| env.file_setting(k));
    let (ca, cert, key) = (ca?, cert?, key?);
    if ca.is_none() && cert.is_none() && key.is_none() {
        return Ok(TlsFiles::default());
    }
    let home = paths::home_dir()?;
    let resolve = |v: Option<String>| v.map(|v| environment::setting_path(&v, &home));
    Ok(TlsFiles {
        ca_file: resolve(ca),
        client_cert: resolve(cert),
        client_key: resolve(key),
    })
}

/// What one connection's handshakes showed about client authentication.
#[derive(Debug, Default)]
pub struct ClientAuth {
    /// The server asked for a client certificate.
    requested: AtomicBool,
    /// A client certificate is configured.
    offered: bool,
}

impl ClientAuth {
    /// Why a connection the server dropped after the handshake failed: the TLS
    /// `alert` it sent (when it could be read), and what client authentication
    /// tells. `None` when neither explains it.
    pub fn reason(&self, alert: Option<String>) -> Option<String> {
        let requested = self.requested.load(Ordering::Relaxed);
        match (requested, self.offered, alert) {
            (true, false, alert) => Some(format!(
                "the server asks for a client certificate: give --client-cert and --client-key (or client_cert and client_key in the environment file){}",
                alert.map(|a| format!("; {a}")).unwrap_or_default()
            )),
            (_, _, Some(alert)) => Some(alert),
            (true, true, None) => Some(
                "the server dropped the connection after asking for a client certificate: check that it trusts the issuer of --client-cert / client_cert".to_string(),
            ),
            (false, _, None) => None,
        }
    }
}

/// Presents the configured client certificate, if any, and notes that the server
/// asked for one.
#[derive(Debug)]
struct ClientCertResolver {
    key: Option<Arc<CertifiedKey>>,
    auth: Arc<ClientAuth>,
}

impl ResolvesClientCert for ClientCertResolver {
    fn resolve(&self, _: &[&[u8]], _: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        self.auth.requested.store(true, Ordering::Relaxed);
        self.key.clone()
    }

    /// Always `true`, so that a request for a certificate is seen (an empty
    /// certificate list is sent when none is configured).
    fn has_certs(&self) -> bool {
        true
    }
}

/// The rustls client configuration for these files (HTTP/2 offered by ALPN), and
/// what its handshakes will note about client authentication. Build one per
/// connection.
pub fn client_config(files: &TlsFiles) -> Result<(Arc<ClientConfig>, Arc<ClientAuth>)> {
    let provider = Arc::new(ring::default_provider());
    let trusted = match &files.ca_file {
        Some(path) => {
            let certs = read_certificates(path, "CA file")?;
            if certs.is_empty() {
                return Err(AppError::msg(format!(
                    "No certificate found in the CA file. (path = {}; a PEM file with BEGIN CERTIFICATE blocks is expected)",
                    path.display()
                )));
            }
            certs
        }
        None => rustls_native_certs::load_native_certs().certs,
    };
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(trusted.iter().cloned());
    let verifier: Arc<dyn ServerCertVerifier> = if roots.is_empty() {
        Arc::new(NothingTrusted)
    } else {
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .map_err(|e| AppError::msg(format!("Cannot use the trusted certificates. ({e})")))?;
        Arc::new(Verifier {
            webpki,
            trusted,
            provider: provider.clone(),
        })
    };
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| AppError::msg(format!("Cannot set up TLS. ({e})")))?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let key = match (&files.client_cert, &files.client_key) {
        (Some(cert), Some(key)) => {
            let chain = read_certificates(cert, "client certificate")?;
            if chain.is_empty() {
                return Err(AppError::msg(format!(
                    "No certificate found in the client certificate file. (path = {})",
                    cert.display()
                )));
            }
            let key_der = read_key(key)?;
            let certified = CertifiedKey::from_der(chain, key_der, &provider).map_err(|e| {
                AppError::msg(format!(
                    "The client certificate and key cannot be used together. (certificate = {}, key = {}, reason = {e})",
                    cert.display(),
                    key.display()
                ))
            })?;
            Some(Arc::new(certified))
        }
        (None, None) => None,
        (Some(cert), None) => {
            return Err(AppError::msg(format!(
                "A client certificate needs its key. (certificate = {}; give --client-key or the client_key key)",
                cert.display()
            )));
        }
        (None, Some(key)) => {
            return Err(AppError::msg(format!(
                "A client key needs its certificate. (key = {}; give --client-cert or the client_cert key)",
                key.display()
            )));
        }
    };
    let auth = Arc::new(ClientAuth {
        requested: AtomicBool::new(false),
        offered: key.is_some(),
    });
    let mut config = builder.with_client_cert_resolver(Arc::new(ClientCertResolver {
        key,
        auth: auth.clone(),
    }));
    config.alpn_protocols = vec![ALPN_H2.to_vec()];
    Ok((Arc::new(config), auth))
}

/// The name the server's certificate must carry: an IP address or a DNS name.
pub fn server_name(host: &str) -> Result<ServerName<'static>> {
    ServerName::try_from(host.to_string())
        .map_err(|_| AppError::msg(format!("Host name cannot be used for TLS. (host = {host})")))
}

/// A certificate or key file is read like a configuration file: regular files
/// only (links followed), bounded, never waiting on a FIFO or a device.
fn read_pem(path: &Path, what: &str) -> Result<Vec<u8>> {
    crate::config::fsio::read_regular(path, PEM_FILE_LIMIT)
        // Missing: "No such file or directory (os error 2)", as opening it says.
        .and_then(|bytes| bytes.ok_or_else(|| std::io::Error::from_raw_os_error(libc::ENOENT)))
        .map_err(|e| {
            AppError::msg(format!(
                "Cannot read the {what}. (path = {}, reason = {e})",
                path.display()
            ))
        })
}

fn read_certificates(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>> {
    let pem = read_pem(path, what)?;
    CertificateDer::pem_slice_iter(&pem)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| {
            AppError::msg(format!(
                "The {what} is not valid PEM. (path = {}, reason = {e})",
                path.display()
            ))
        })
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>> {
    let pem = read_pem(path, "client key")?;
    PrivateKeyDer::from_pem_slice(&pem).map_err(|e| {
        AppError::msg(format!(
            "No private key found in the client key file. (path = {}, reason = {e})",
            path.display()
        ))
    })
}

// ------------------------------------------------------------------ verification

/// webpki, plus the two allowances described in the module documentation.
#[derive(Debug)]
struct Verifier {
    webpki: Arc<WebPkiServerVerifier>,
    /// The trusted certificates as given (DER), to recognise a trusted certificate
    /// presented as the server's own.
    trusted: Vec<CertificateDer<'static>>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, TlsError> {
        let refused = match self.webpki.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(ok) => return Ok(ok),
            Err(e) => e,
        };
        let itself_trusted = self
            .trusted
            .iter()
            .any(|t| t.as_ref() == end_entity.as_ref());
        // webpki checks the name last: this error means the chain itself is valid.
        let only_the_name = matches!(
            refused,
            TlsError::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
            )
        );
        let Some(info) = cert_info(end_entity.as_ref()) else {
            return Err(refused);
        };
        if !itself_trusted && !only_the_name {
            // An untrusted self-signed certificate: webpki objects to its CA flag before
            // looking for an issuer, but what is wrong is that nobody vouches for it.
            let ca_flag = matches!(&refused,
                TlsError::InvalidCertificate(CertificateError::Other(other))
                    if format!("{other:?}").contains("CaUsedAsEndEntity"));
            if ca_flag && info.self_issued {
                return Err(CertificateError::UnknownIssuer.into());
            }
            return Err(refused);
        }
        if itself_trusted {
            let t = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
            if t < info.not_before {
                return Err(CertificateError::NotValidYet.into());
            }
            if t > info.not_after {
                return Err(CertificateError::Expired.into());
            }
        }
        let parsed = ParsedCertificate::try_from(end_entity)?;
        let named = verify_server_name(&parsed, server_name).is_ok()
            || matches!(server_name, ServerName::DnsName(dns)
                if info.dns_names.is_empty()
                    && info.common_name.as_deref().is_some_and(|cn| name_matches(cn, dns.as_ref())));
        if named {
            Ok(ServerCertVerified::assertion())
        } else if only_the_name {
            Err(refused)
        } else {
            Err(CertificateError::NotValidForName.into())
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, TlsError> {
        tokio_rustls::rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, TlsError> {
        tokio_rustls::rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

/// No certificate is trusted (no system roots found, none given): every server is
/// refused as of unknown issuer.
#[derive(Debug)]
struct NothingTrusted;

impl ServerCertVerifier for NothingTrusted {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> std::result::Result<ServerCertVerified, TlsError> {
        Err(CertificateError::UnknownIssuer.into())
    }

    fn verify_tls12_signature(
        &self,
        _: &[u8],
        _: &CertificateDer<'_>,
        _: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, TlsError> {
        Err(CertificateError::UnknownIssuer.into())
    }

    fn verify_tls13_signature(
        &self,
        _: &[u8],
        _: &CertificateDer<'_>,
        _: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, TlsError> {
        Err(CertificateError::UnknownIssuer.into())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        ring::default_provider()
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Whether a certificate name (`host.example.com`, `*.example.com`) matches a host:
/// ASCII case-insensitive, a trailing dot ignored, a wildcard standing for exactly the
/// whole first label.
pub fn name_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if pattern.is_empty() || host.is_empty() {
        return false;
    }
    match pattern.strip_prefix("*.") {
        Some(rest) => match host.split_once('.') {
            Some((first, tail)) => {
                !first.is_empty() && tail == rest && rest.contains('.') && !rest.contains('*')
            }
            None => false,
        },
        None => !pattern.contains('*') && pattern == host,
    }
}

// ------------------------------------------------------------------ certificate fields

/// What the allowances need from a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    /// Validity period, seconds since the Unix epoch.
    pub not_before: i64,
    pub not_after: i64,
    /// The subject's first common name.
    pub common_name: Option<String>,
    /// The DNS names of `subjectAltName`.
    pub dns_names: Vec<String>,
    /// Issuer and subject are the same name (a self-signed certificate).
    pub self_issued: bool,
}

/// One DER element: tag and content.
struct Tlv<'a> {
    tag: u8,
    body: &'a [u8],
}

/// Read one DER element from the front of `input`; returns it and the rest.
fn tlv(input: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let (&tag, rest) = input.split_first()?;
    if tag & 0x1f == 0x1f {
        return None; // multi-byte tags do not occur in the fields read here
    }
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    Some((
        Tlv {
            tag,
            body: &rest[..len],
        },
        &rest[len..],
    ))
}

/// The elements of a constructed element's content.
fn children(mut body: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    while !body.is_empty() {
        let (t, rest) = tlv(body)?;
        out.push(t);
        body = rest;
    }
    Some(out)
}

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const OID: u8 = 0x06;
const OCTET_STRING: u8 = 0x04;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;
const DNS_NAME: u8 = 0x82;
const EXTENSIONS: u8 = 0xa3;
/// 2.5.4.3 (commonName)
const OID_COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];
/// 2.5.29.17 (subjectAltName)
const OID_SUBJECT_ALT_NAME: &[u8] = &[0x55, 0x1d, 0x11];

/// Validity, subject common name and SAN DNS names of a DER certificate; `None` when
/// it cannot be read.
pub fn cert_info(der: &[u8]) -> Option<CertInfo> {
    let (cert, _) = tlv(der)?;
    let (tbs, _) = tlv(cert.body)?;
    if cert.tag != SEQUENCE || tbs.tag != SEQUENCE {
        return None;
    }
    let fields = children(tbs.body)?;
    // [0] version is optional; then serial, signature, issuer, validity, subject, key.
    let start = usize::from(fields.first()?.tag == 0xa0);
    let issuer = fields.get(start + 2)?;
    let validity = fields.get(start + 3)?;
    let subject = fields.get(start + 4)?;
    let times = children(validity.body)?;
    let not_before = der_time(times.first()?)?;
    let not_after = der_time(times.get(1)?)?;
    let mut common_name = None;
    for rdn in children(subject.body)? {
        for attr in children(rdn.body)? {
            let parts = children(attr.body)?;
            if rdn.tag == SET
                && parts.len() == 2
                && parts[0].tag == OID
                && parts[0].body == OID_COMMON_NAME
                && common_name.is_none()
            {
                common_name = Some(String::from_utf8_lossy(parts[1].body).into_owned());
            }
        }
    }
    let mut dns_names = Vec::new();
    if let Some(ext) = fields.iter().skip(start + 6).find(|f| f.tag == EXTENSIONS) {
        let (list, _) = tlv(ext.body)?;
        for extension in children(list.body)? {
            let parts = children(extension.body)?;
            let is_san = parts
                .first()
                .is_some_and(|p| p.tag == OID && p.body == OID_SUBJECT_ALT_NAME);
            if !is_san {
                continue;
            }
            let value = parts.iter().rev().find(|p| p.tag == OCTET_STRING)?;
            let (names, _) = tlv(value.body)?;
            for name in children(names.body)? {
                if name.tag == DNS_NAME {
                    dns_names.push(String::from_utf8_lossy(name.body).into_owned());
                }
            }
        }
    }
    Some(CertInfo {
        not_before,
        not_after,
        common_name,
        dns_names,
        self_issued: issuer.tag == SEQUENCE && issuer.body == subject.body,
    })
}

/// `UTCTime` (`YYMMDDHHMMSSZ`, years 1950–2049) or `GeneralizedTime`
/// (`YYYYMMDDHHMMSSZ`) → seconds since the Unix epoch.
fn der_time(t: &Tlv<'_>) -> Option<i64> {
    let text = std::str::from_utf8(t.body).ok()?;
    let digits = text.strip_suffix('Z')?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (year, rest) = match (t.tag, digits.len()) {
        (UTC_TIME, 12) => {
            let yy: i64 = digits[..2].parse().ok()?;
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, &digits[2..])
        }
        (GENERALIZED_TIME, 14) => (digits[..4].parse().ok()?, &digits[4..]),
        _ => return None,
    };
    let n = |i: usize| rest[i..i + 2].parse::<i64>().ok();
    let (month, day, hour, minute, second) = (n(0)?, n(2)?, n(4)?, n(6)?, n(8)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    if second > 60 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `openssl req -x509 -subj "/O=spacectl tests/CN=test.example.com" -addext
    /// "subjectAltName=DNS:test.example.com,DNS:*.apps.example.com,IP:127.0.0.1"`
    const WITH_SAN: &str = "-----BEGIN CERTIFICATE-----
MIIB9jCCAZygAwIBAgIUYLec5BBKl6vQOH5W0ej6a39IAQkwCgYIKoZIzj0EAwIw
NDEXMBUGA1UECgwOc3BhY2VjdGwgdGVzdHMxGTAXBgNVBAMMEHRlc3QuZXhhbXBs
ZS5jb20wHhcNMjYxMjAyMDYzNDI1WhcNMzYxMTI5MDYzNDI1WjA0MRcwFQYDVQQK
DA5zcGFjZWN0bCB0ZXN0czEZMBcGA1UEAwwQdGVzdC5leGFtcGxlLmNvbTBZMBMG
ByqGSM49AgEGCCqGSM49AwEHA0IABMVRxsQVBEzl2Bz8H6qObEkFqv9qPtj/1S6r
32MQ4ZYLoPo1lSUtQTLsbHL1OyCFAWNgqEAq6t694yWTBRH0jEyjgYswgYgwHQYD
VR0OBBYEFJQ2G//4LnHpNWXQXEk3Bcs/0X22MB8GA1UdIwQYMBaAFJQ2G//4LnHp
NWXQXEk3Bcs/0X22MA8GA1UdEwEB/wQFMAMBAf8wNQYDVR0RBC4wLIIQdGVzdC5l
eGFtcGxlLmNvbYISKi5hcHBzLmV4YW1wbGUuY29thwR/AAABMAoGCCqGSM49BAMC
A0gAMEUCIFoZ5OSIjlV5h4CD55rYCPTqGbatBWLVA6W49/N60gaaAiEAiYoQ++M9
XcdtDYVRJbqAvje/WAwwOZOzHuDuQ5NrOqg=
-----END CERTIFICATE-----
";

    /// `openssl req -x509 -subj /CN=localhost -days 3650` (no subjectAltName).
    const CN_ONLY: &str = "-----BEGIN CERTIFICATE-----
MIIBfjCCASOgAwIBAgIUHPk59i7DOGMFIF5PrnX/Zo8YdwYwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MB4XDTI2MTIwMjA2MzQyMVoXDTM2MTEyOTA2
MzQyMVowFDESMBAGA1UEAwwJbG9jYWxob3N0MFkwEwYHKoZIzj0CAQYIKoZIzj0D
AQcDQgAETE+NC1mK8Mo6g8G3WEvutMV3RoRfVSQSf9iwhaGKeQ3G2OUHrvctMXOx
DUmGoUrH47wEJjlhf4SYhCMrMM7IjaNTMFEwHQYDVR0OBBYEFMrfvE10SccDOc/c
WIT7iJw29WFzMB8GA1UdIwQYMBaAFMrfvE10SccDOc/cWIT7iJw29WFzMA8GA1Ud
EwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSQAwRgIhAPXHazu2wzdBs0H81VsaIQb6
5hIsPlUtMkJR6T+spIR5AiEA+1KWKQ3nzCgvPjoZY+qrRXwdjEwjQUEhGByF5h6u
4fQ=
-----END CERTIFICATE-----
";

    fn der(pem: &str) -> Vec<u8> {
        CertificateDer::from_pem_slice(pem.as_bytes())
            .expect("test certificate")
            .as_ref()
            .to_vec()
    }

    #[test]
    fn certificate_fields() {
        assert_eq!(
            cert_info(&der(WITH_SAN)),
            Some(CertInfo {
                // notBefore=Dec  2 06:34:25 2026 GMT, notAfter=Nov 29 06:34:25 2036 GMT
                not_before: 1_796_193_265,
                not_after: 2_111_553_265,
                common_name: Some("test.example.com".into()),
                dns_names: vec!["test.example.com".into(), "*.apps.example.com".into()],
                self_issued: true,
            })
        );
        assert_eq!(
            cert_info(&der(CN_ONLY)),
            Some(CertInfo {
                not_before: 1_796_193_261,
                not_after: 2_111_553_261,
                common_name: Some("localhost".into()),
                dns_names: vec![],
                self_issued: true,
            })
        );
        let whole = der(WITH_SAN);
        for cut in [0, 1, 2, 10, 100, whole.len() / 2] {
            assert_eq!(cert_info(&whole[..cut]), None, "cut at {cut}");
        }
        assert_eq!(cert_info(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]), None);
        assert_eq!(cert_info(&[0x1f, 0x00]), None);
    }

    fn verifier(trusted: &[&str]) -> Verifier {
        let provider = Arc::new(ring::default_provider());
        let trusted: Vec<CertificateDer<'static>> = trusted
            .iter()
            .map(|p| CertificateDer::from(der(p)))
            .collect();
        let mut roots = RootCertStore::empty();
        roots.add_parsable_certificates(trusted.iter().cloned());
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .expect("verifier");
        Verifier {
            webpki,
            trusted,
            provider,
        }
    }

    fn verdict(v: &Verifier, pem: &str, host: &str, unix: u64) -> std::result::Result<(), String> {
        let cert = CertificateDer::from(der(pem));
        let name = ServerName::try_from(host.to_string()).expect("name");
        v.verify_server_cert(
            &cert,
            &[],
            &name,
            &[],
            UnixTime::since_unix_epoch(std::time::Duration::from_secs(unix)),
        )
        .map(|_| ())
        .map_err(|e| e.to_string())
    }

    #[test]
    fn a_trusted_self_signed_certificate_is_checked_for_time_and_name() {
        // 2030-01-01, inside both test certificates' validity.
        let during = 1_893_456_000;
        let v = verifier(&[CN_ONLY, WITH_SAN]);
        assert_eq!(verdict(&v, CN_ONLY, "localhost", during), Ok(()));
        assert_eq!(verdict(&v, CN_ONLY, "LocalHost", during), Ok(()));
        assert_eq!(verdict(&v, WITH_SAN, "test.example.com", during), Ok(()));
        assert_eq!(verdict(&v, WITH_SAN, "x.apps.example.com", during), Ok(()));
        assert_eq!(verdict(&v, WITH_SAN, "127.0.0.1", during), Ok(()));
        let wrong_name = Err("invalid peer certificate: NotValidForName".to_string());
        assert_eq!(verdict(&v, CN_ONLY, "127.0.0.1", during), wrong_name);
        assert_eq!(verdict(&v, CN_ONLY, "other", during), wrong_name);
        // A name the certificate does not carry.
        assert_eq!(verdict(&v, WITH_SAN, "localhost", during), wrong_name);
        assert_eq!(
            verdict(&v, CN_ONLY, "localhost", 2_200_000_000),
            Err("invalid peer certificate: Expired".to_string())
        );
        assert_eq!(
            verdict(&v, CN_ONLY, "localhost", 1_700_000_000),
            Err("invalid peer certificate: NotValidYet".to_string())
        );
        // Not trusted: nobody vouches for it.
        let v = verifier(&[WITH_SAN]);
        assert_eq!(
            verdict(&v, CN_ONLY, "localhost", during),
            Err("invalid peer certificate: UnknownIssuer".to_string())
        );
    }

    #[test]
    fn dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        let t = |tag, s: &str| {
            der_time(&Tlv {
                tag,
                body: s.as_bytes(),
            })
        };
        assert_eq!(t(UTC_TIME, "700101000000Z"), Some(0));
        assert_eq!(t(UTC_TIME, "491231235959Z"), Some(2_524_607_999));
        assert_eq!(t(UTC_TIME, "500101000000Z"), Some(-631_152_000));
        assert_eq!(t(GENERALIZED_TIME, "20380119031408Z"), Some(2_147_483_648));
        assert_eq!(t(UTC_TIME, "700101000000"), None);
        assert_eq!(t(UTC_TIME, "701301000000Z"), None);
        assert_eq!(t(GENERALIZED_TIME, "700101000000Z"), None);
    }

    #[test]
    fn names() {
        assert!(name_matches("localhost", "LOCALHOST"));
        assert!(name_matches("host.example.com.", "host.example.com"));
        assert!(name_matches("*.example.com", "a.example.com"));
        assert!(!name_matches("*.example.com", "a.b.example.com"));
        assert!(!name_matches("*.example.com", "example.com"));
        assert!(!name_matches("*.com", "example.com"));
        assert!(!name_matches("a*.example.com", "ab.example.com"));
        assert!(!name_matches("", ""));
        assert!(!name_matches("other", "localhost"));
    }

    #[test]
    fn settings_merge_pairs_from_one_side() {
        let p = |s: &str| Some(PathBuf::from(s));
        let flags = TlsFiles {
            ca_file: None,
            client_cert: p("flag.pem"),
            client_key: p("flag.key"),
        };
        let env = TlsFiles {
            ca_file: p("ca.pem"),
            client_cert: p("env.pem"),
            client_key: p("env.key"),
        };
        assert_eq!(
            flags.clone().or(env.clone()),
            TlsFiles {
                ca_file: p("ca.pem"),
                client_cert: p("flag.pem"),
                client_key: p("flag.key"),
            }
        );
        assert_eq!(TlsFiles::default().or(env.clone()), env);
        assert_eq!(flags.clone().or(TlsFiles::default()), flags);
    }

    #[test]
    fn file_errors_name_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").expect("write");
        let files = TlsFiles {
            ca_file: Some(empty.clone()),
            ..TlsFiles::default()
        };
        assert_eq!(
            client_config(&files).unwrap_err().to_string(),
            format!(
                "No certificate found in the CA file. (path = {}; a PEM file with BEGIN CERTIFICATE blocks is expected)",
                empty.display()
            )
        );
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, CN_ONLY).expect("write");
        let half = TlsFiles {
            ca_file: Some(ca.clone()),
            client_cert: Some(ca.clone()),
            client_key: None,
        };
        assert_eq!(
            client_config(&half).unwrap_err().to_string(),
            format!(
                "A client certificate needs its key. (certificate = {}; give --client-key or the client_key key)",
                ca.display()
            )
        );
        let no_key = TlsFiles {
            client_key: Some(ca.clone()),
            ..half
        };
        assert!(
            client_config(&no_key)
                .unwrap_err()
                .to_string()
                .starts_with(&format!(
                    "No private key found in the client key file. (path = {}",
                    ca.display()
                ))
        );
        let missing = dir.path().join("missing.pem");
        let files = TlsFiles {
            ca_file: Some(missing.clone()),
            ..TlsFiles::default()
        };
        assert!(
            client_config(&files)
                .unwrap_err()
                .to_string()
                .starts_with(&format!(
                    "Cannot read the CA file. (path = {}, reason = No such file",
                    missing.display()
                ))
        );
        let ok = TlsFiles {
            ca_file: Some(ca),
            ..TlsFiles::default()
        };
        let (config, auth) = client_config(&ok).expect("config");
        assert_eq!(config.alpn_protocols, vec![b"h2".to_vec()]);
        assert_eq!(auth.reason(None), None);
        assert_eq!(auth.reason(Some("alert".into())).as_deref(), Some("alert"));
        auth.requested.store(true, Ordering::Relaxed);
        assert_eq!(
            auth.reason(Some("received fatal alert: CertificateRequired".into()))
                .as_deref(),
            Some(
                "the server asks for a client certificate: give --client-cert and --client-key (or client_cert and client_key in the environment file); received fatal alert: CertificateRequired"
            )
        );
        let offered = ClientAuth {
            requested: AtomicBool::new(true),
            offered: true,
        };
        assert_eq!(
            offered.reason(None).as_deref(),
            Some(
                "the server dropped the connection after asking for a client certificate: check that it trusts the issuer of --client-cert / client_cert"
            )
        );
    }
}
