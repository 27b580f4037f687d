//! The TLS side of a connection: which servers to trust (Mozilla's roots, plus `--cacert`, or
//! anything with `--insecure`) and the client certificate to show (`--cert`/`--key`).

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::sign::{CertifiedKey, SingleCertAndKey};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::x509;
use crate::process::untrusted;

/// What the command line says about TLS.
#[derive(Debug, Clone, Default)]
pub struct TlsOptions {
    /// Accept any server certificate (the handshake signatures are still checked).
    pub insecure: bool,
    /// PEM files of certificates to trust besides Mozilla's roots.
    pub cacert: Vec<PathBuf>,
    /// A client certificate chain and its private key, both PEM.
    pub identity: Option<(PathBuf, PathBuf)>,
}

/// rustls with the ring provider, set up as `options` say. Errors are one line naming the
/// file and the flag, for the operator (exit 2, before any load).
pub fn client_config(options: &TlsOptions) -> Result<ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS set-up failed: {e}"))?;
    let builder = if options.insecure {
        let verifier = AcceptAnyCert {
            algorithms: provider.signature_verification_algorithms,
        };
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
    } else if options.cacert.is_empty() {
        builder.with_root_certificates(roots(&[])?)
    } else {
        let verifier = PinnedOrRoots::new(&options.cacert, Arc::clone(&provider))?;
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
    };
    match &options.identity {
        None => Ok(builder.with_no_client_auth()),
        Some((cert, key)) => {
            let identity = client_identity(&provider, cert, key)?;
            Ok(builder.with_client_cert_resolver(Arc::new(SingleCertAndKey::from(identity))))
        }
    }
}

/// `--cert` and `--key`: the chain and the key, checked to belong together by comparing the
/// key's public half with the certificate's (rustls' own check parses the certificate with
/// webpki, which refuses X.509 v1 ones that servers accept).
fn client_identity(
    provider: &CryptoProvider,
    cert: &Path,
    key: &Path,
) -> Result<CertifiedKey, String> {
    let chain = certificates(cert, "--cert")?;
    let signing = provider
        .key_provider
        .load_private_key(private_key(key)?)
        .map_err(|e| format!("--key: '{}' holds a key sluice cannot use: {e}", shown(key)))?;
    let certified = x509::subject_public_key_info(chain[0].as_ref()).ok_or_else(|| {
        format!(
            "--cert: the first certificate in '{}' is not an X.509 certificate",
            shown(cert)
        )
    })?;
    match signing.public_key() {
        Some(public) if public.as_ref() != certified => Err(format!(
            "--cert/--key: not a usable pair: the key in '{}' is not the one '{}' certifies",
            shown(key),
            shown(cert)
        )),
        _ => Ok(CertifiedKey::new(chain, signing)),
    }
}

/// A PEM file read whole, if it is a regular file within `MAX_PEM_BYTES`.
fn read_pem(file: &Path, flag: &str) -> Result<Vec<u8>, String> {
    untrusted::read_file(file, untrusted::MAX_PEM_BYTES).map_err(|e| format!("{flag}: {e}"))
}

/// A path as an error shows it: control characters escaped.
fn shown(file: &Path) -> String {
    untrusted::escaped(&file.to_string_lossy()).into_owned()
}

/// `--key`: the private key, in the clear; an encrypted one is named as such, with the
/// command that decrypts it (sluice asks for no passphrase).
fn private_key(file: &Path) -> Result<PrivateKeyDer<'static>, String> {
    let pem = read_pem(file, "--key")?;
    if is_encrypted(&pem) {
        let path = shown(file);
        return Err(format!(
            "--key: '{path}' is encrypted (a passphrase protects it) and sluice does not ask for one: decrypt it first, openssl pkey -in '{path}' -out '{path}.plain', and give that file"
        ));
    }
    PrivateKeyDer::from_pem_slice(&pem)
        .map_err(|e| format!("--key: no private key read from '{}': {e}", shown(file)))
}

/// Whether a PEM key is encrypted: PKCS#8 "ENCRYPTED PRIVATE KEY", or the legacy
/// OpenSSL form ("Proc-Type: 4,ENCRYPTED" under "BEGIN RSA/EC PRIVATE KEY").
fn is_encrypted(pem: &[u8]) -> bool {
    let has = |what: &[u8]| pem.windows(what.len()).any(|w| w == what);
    has(b"-----BEGIN ENCRYPTED PRIVATE KEY-----") || has(b"Proc-Type: 4,ENCRYPTED")
}

/// Mozilla's roots, and every certificate in the `--cacert` files.
fn roots(cacert: &[PathBuf]) -> Result<RootCertStore, String> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    for file in cacert {
        for cert in certificates(file, "--cacert")? {
            roots.add(cert).map_err(|e| {
                format!(
                    "--cacert: '{}' holds a certificate that cannot be a root: {e}",
                    shown(file)
                )
            })?;
        }
    }
    Ok(roots)
}

/// The certificates of a PEM file: at least one, or an error naming `flag` and the file.
fn certificates(file: &Path, flag: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let pem = read_pem(file, flag)?;
    let cannot = |why: String| format!("{flag}: cannot read '{}': {why}", shown(file));
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| cannot(e.to_string()))?;
    if certs.is_empty() {
        return Err(cannot("no PEM certificate in it".into()));
    }
    Ok(certs)
}

/// `--cacert`: the usual checks against Mozilla's roots and the given certificates; and a
/// server certificate that is itself one of the given ones (a self-signed certificate made
/// with `openssl req -x509`, which marks it CA:TRUE and so fails as a server certificate in
/// webpki) is accepted for the names it holds, as curl accepts it.
#[derive(Debug)]
struct PinnedOrRoots {
    roots: Arc<WebPkiServerVerifier>,
    pinned: Vec<CertificateDer<'static>>,
}

impl PinnedOrRoots {
    fn new(cacert: &[PathBuf], provider: Arc<CryptoProvider>) -> Result<PinnedOrRoots, String> {
        let mut pinned = Vec::new();
        for file in cacert {
            pinned.extend(certificates(file, "--cacert")?);
        }
        let roots = WebPkiServerVerifier::builder_with_provider(Arc::new(roots(cacert)?), provider)
            .build()
            .map_err(|e| format!("--cacert: {e}"))?;
        Ok(PinnedOrRoots { roots, pinned })
    }
}

impl ServerCertVerifier for PinnedOrRoots {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let checked = self.roots.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        );
        match checked {
            Err(_)
                if self
                    .pinned
                    .iter()
                    .any(|p| p.as_ref() == end_entity.as_ref()) =>
            {
                let parsed = ParsedCertificate::try_from(end_entity)?;
                rustls::client::verify_server_name(&parsed, server_name)?;
                Ok(ServerCertVerified::assertion())
            }
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.roots.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.roots.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.roots.supported_verify_schemes()
    }
}

/// `--insecure`: accepts any certificate, but still checks the handshake signatures.
#[derive(Debug)]
struct AcceptAnyCert {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for AcceptAnyCert {
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
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn input_error(options: &TlsOptions) -> String {
        client_config(options).expect_err("refused")
    }

    #[test]
    fn a_missing_or_empty_cacert_names_the_flag_and_the_file() {
        let missing = TlsOptions {
            cacert: vec!["/nonexistent/ca.pem".into()],
            ..TlsOptions::default()
        };
        let e = input_error(&missing);
        assert!(
            e.starts_with("--cacert: '/nonexistent/ca.pem' cannot be read"),
            "{e}"
        );
        let mut empty = tempfile::NamedTempFile::new().expect("temp file");
        writeln!(empty, "not a certificate").expect("write");
        let e = input_error(&TlsOptions {
            cacert: vec![empty.path().into()],
            ..TlsOptions::default()
        });
        assert!(e.contains("no PEM certificate"), "{e}");
    }

    #[test]
    fn a_key_file_without_a_key_is_refused() {
        let mut cert = tempfile::NamedTempFile::new().expect("temp file");
        let pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        cert.write_all(pem.as_bytes()).expect("write");
        let e = input_error(&TlsOptions {
            identity: Some((cert.path().into(), cert.path().into())),
            ..TlsOptions::default()
        });
        assert!(e.starts_with("--key: no private key"), "{e}");
    }

    #[test]
    fn defaults_build() {
        assert!(client_config(&TlsOptions::default()).is_ok());
    }
}
