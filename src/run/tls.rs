//! TLS for PostgreSQL connections, with libpq's `sslmode` words: `disable`
//! (plain), `prefer` (the default: encrypted when the server offers it),
//! `require` (encrypted or nothing), `verify-ca` and `verify-full`
//! (encrypted, and the server's certificate must chain to a trusted root
//! and name the host). Under `prefer` and `require` the certificate is not
//! checked, as with libpq, unless `sslrootcert=FILE` names the roots to
//! trust. Roots: `sslrootcert`, else the Mozilla roots built in.
//!
//! The driver reads only `disable`, `prefer` and `require` and knows no
//! `sslrootcert`, so both are taken out of the URL here.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

/// What the URL asks of the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `None` when the URL names no `sslmode` (the driver's default,
    /// `prefer`, or what a `key=value` connection string says).
    pub mode: Option<Mode>,
    /// PEM file of the roots to trust (`sslrootcert`).
    pub root_cert: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Disable,
    Prefer,
    Require,
    /// `verify-ca` and `verify-full`: both check the host's name too.
    Verify,
}

/// Splits the URL into what the driver reads and the TLS settings, or says
/// which `sslmode` value is unknown.
pub fn split(url: &str) -> Result<(String, Settings), String> {
    let mut settings = Settings {
        mode: None,
        root_cert: None,
    };
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_string(), settings));
    };
    let mut kept = Vec::new();
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslmode" => {
                settings.mode = Some(match decode(value).as_str() {
                    "disable" => Mode::Disable,
                    "allow" | "prefer" => Mode::Prefer,
                    "require" => Mode::Require,
                    "verify-ca" | "verify-full" => Mode::Verify,
                    other => {
                        return Err(format!(
                            "`sslmode={other}` is not one of disable, allow, prefer, require, verify-ca, verify-full"
                        ));
                    }
                })
            }
            "sslrootcert" => settings.root_cert = Some(decode(value)),
            _ => kept.push(pair),
        }
    }
    let url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((url, settings))
}

/// `%XX` escapes decoded (a file name in a URL).
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The client configuration for `settings`, or why the roots cannot be
/// read.
pub fn client_config(settings: &Settings) -> Result<ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let verify = settings.mode == Some(Mode::Verify) || settings.root_cert.is_some();
    let config = if verify {
        let mut roots = RootCertStore::empty();
        match &settings.root_cert {
            Some(file) => {
                let certificates: Vec<CertificateDer<'static>> =
                    CertificateDer::pem_file_iter(file)
                        .and_then(|all| all.collect())
                        .map_err(|e| {
                            format!("cannot read the root certificates in `{file}`: {e}")
                        })?;
                if certificates.is_empty() {
                    return Err(format!("`{file}` holds no PEM certificate"));
                }
                for certificate in certificates {
                    roots
                        .add(certificate)
                        .map_err(|e| format!("a root certificate in `{file}` is not valid: {e}"))?;
                }
            }
            None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        }
        builder.with_root_certificates(roots).with_no_client_auth()
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unchecked(
                provider.signature_verification_algorithms,
            )))
            .with_no_client_auth()
    };
    Ok(config)
}

/// libpq's `prefer` and `require`: the channel is encrypted and the
/// handshake's signatures are checked, but any certificate is accepted.
#[derive(Debug)]
struct Unchecked(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_words_leave_the_url_and_the_rest_stays_as_written() {
        let (url, settings) = split(
            "postgresql://u:p@db:5432/w?options=-c%20search_path%3Da&sslmode=verify-full&sslrootcert=%2Ftmp%2Fca.pem",
        )
        .unwrap();
        assert_eq!(
            url,
            "postgresql://u:p@db:5432/w?options=-c%20search_path%3Da"
        );
        assert_eq!(
            settings,
            Settings {
                mode: Some(Mode::Verify),
                root_cert: Some("/tmp/ca.pem".to_string())
            }
        );
        let (url, settings) = split("postgresql://db/w?sslmode=require").unwrap();
        assert_eq!(url, "postgresql://db/w");
        assert_eq!(settings.mode, Some(Mode::Require));
        assert_eq!(split("postgresql://db/w").unwrap().1.mode, None);
        assert!(split("postgresql://db/w?sslmode=strict").is_err());
        // A `key=value` string is the driver's to read, `sslmode` included.
        let text = "host=db dbname=w sslmode=require";
        assert_eq!(
            split(text).unwrap(),
            (
                text.to_string(),
                Settings {
                    mode: None,
                    root_cert: None
                }
            )
        );
    }

    #[test]
    fn roots_that_cannot_be_read_are_an_error() {
        let settings = Settings {
            mode: Some(Mode::Verify),
            root_cert: Some("/nonexistent/ca.pem".to_string()),
        };
        let error = client_config(&settings).unwrap_err();
        assert!(error.contains("/nonexistent/ca.pem"), "{error}");
        assert!(
            client_config(&Settings {
                mode: Some(Mode::Require),
                root_cert: None
            })
            .is_ok()
        );
    }
}
