//! `--tls`: a certificate authority made at start, and a server certificate
//! it signs for the loopback names and any others asked (`--tls-san`); or a
//! certificate and key the pipeline made itself (`--tls-cert`, `--tls-key`).
//!
//! webpki (behind rustls, and so behind tcdn's own client) refuses a
//! self-signed CA certificate served as the server's own, so the emulator
//! makes two: a CA that clients are told to trust, and a leaf for
//! `127.0.0.1`, `::1`, `localhost` and the extra names, signed by it. The
//! CA's private key is dropped once the leaf is signed: nothing else can
//! ever be issued under it.

use std::fmt;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The names the server certificate is valid for.
pub const TLS_NAMES: [&str; 3] = ["127.0.0.1", "::1", "localhost"];

/// A freshly generated CA and the server identity it vouches for.
#[derive(Clone)]
pub struct TlsIdentity {
    names: Vec<String>,
    ca_pem: String,
    ca_der: CertificateDer<'static>,
    server: Arc<rustls::ServerConfig>,
}

impl fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The server's private key lives in `server`; never show it.
        f.debug_struct("TlsIdentity")
            .field("names", &self.names)
            .finish_non_exhaustive()
    }
}

/// What went wrong while making the TLS identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsErrorKind {
    /// Generating a key or a certificate failed.
    Certificate,
    /// rustls refused the certificate and key.
    ServerConfig,
    /// A certificate or key given as PEM could not be read.
    Pem,
}

/// The TLS identity could not be made.
#[derive(Debug, Clone)]
pub struct TlsError {
    kind: TlsErrorKind,
    detail: String,
}

impl TlsError {
    /// What kind of failure it was.
    pub fn kind(&self) -> TlsErrorKind {
        self.kind
    }

    fn certificate(what: &str, error: &rcgen::Error) -> Self {
        Self {
            kind: TlsErrorKind::Certificate,
            detail: format!("could not generate the {what}: {error}"),
        }
    }
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

impl std::error::Error for TlsError {}

impl TlsIdentity {
    /// A new CA (ECDSA P-256) and a server certificate it signs for
    /// [`TLS_NAMES`].
    pub fn generate() -> Result<Self, TlsError> {
        Self::generate_for(&[])
    }

    /// A new CA and a server certificate it signs for [`TLS_NAMES`] and
    /// `extra` names (`--tls-san`): host names (`emulator`,
    /// `cdn.ci.internal`, `*.ci.internal`) or IP addresses, so that a client
    /// on another host reaches the emulator by a name it resolves.
    pub fn generate_for(extra: &[String]) -> Result<Self, TlsError> {
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new())
            .map_err(|e| TlsError::certificate("CA parameters", &e))?;
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Constrained(0));
        ca_params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "tcdn emulator local CA");
        let ca_key = rcgen::KeyPair::generate().map_err(|e| TlsError::certificate("CA key", &e))?;
        let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key)
            .map_err(|e| TlsError::certificate("CA certificate", &e))?;

        let mut names: Vec<String> = TLS_NAMES.iter().map(|&n| n.to_owned()).collect();
        names.extend(
            extra
                .iter()
                .filter(|n| !names.contains(n))
                .cloned()
                .collect::<Vec<_>>(),
        );
        let mut server_params = rcgen::CertificateParams::new(names.clone())
            .map_err(|e| TlsError::certificate("server certificate parameters", &e))?;
        server_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "tcdn emulator");
        server_params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        let server_key =
            rcgen::KeyPair::generate().map_err(|e| TlsError::certificate("server key", &e))?;
        let server_cert = server_params
            .signed_by(&server_key, &ca)
            .map_err(|e| TlsError::certificate("server certificate", &e))?;

        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
        let chain = vec![server_cert.der().clone(), ca.der().clone()];
        Ok(Self {
            names,
            ca_pem: ca.pem(),
            ca_der: ca.der().clone(),
            server: server_config(chain, key)?,
        })
    }

    /// The certificate chain and private key a pipeline made itself
    /// (`--tls-cert`, `--tls-key`, PEM): the server certificate first, then
    /// any intermediates and the CA. The last certificate of the chain is
    /// the one [`ca_certificate_pem`](Self::ca_certificate_pem) gives
    /// clients to trust.
    pub fn from_pem(chain_pem: &[u8], key_pem: &[u8]) -> Result<Self, TlsError> {
        use rustls::pki_types::pem::PemObject;

        let pem_error = |what: &str, detail: String| TlsError {
            kind: TlsErrorKind::Pem,
            detail: format!("could not read the {what}: {detail}"),
        };
        let chain = CertificateDer::pem_slice_iter(chain_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| pem_error("certificate chain (PEM)", e.to_string()))?;
        let Some(last) = chain.last().cloned() else {
            return Err(pem_error(
                "certificate chain",
                "it holds no CERTIFICATE block".to_owned(),
            ));
        };
        let key = PrivateKeyDer::from_pem_slice(key_pem)
            .map_err(|e| pem_error("private key (PEM: PKCS#8, PKCS#1 or SEC1)", e.to_string()))?;
        let ca_pem = last_pem_block(chain_pem)
            .ok_or_else(|| pem_error("certificate chain", "it is not UTF-8 PEM".to_owned()))?;
        Ok(Self {
            names: Vec::new(),
            ca_pem,
            ca_der: last,
            server: server_config(chain, key)?,
        })
    }

    /// The names the generated server certificate is valid for (empty for
    /// a certificate given with [`from_pem`](Self::from_pem)).
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The CA certificate, PEM-encoded, for clients to trust
    /// (`--tls-ca-out`).
    pub fn ca_certificate_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The CA certificate, DER-encoded (e.g. for
    /// `HyperTransportBuilder::add_root_certificate`).
    pub fn ca_certificate_der(&self) -> CertificateDer<'static> {
        self.ca_der.clone()
    }

    pub(crate) fn acceptor(&self) -> tokio_rustls::TlsAcceptor {
        tokio_rustls::TlsAcceptor::from(Arc::clone(&self.server))
    }
}

/// The server's rustls configuration: the chain, its key, HTTP/1.1.
fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let mut server = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .and_then(|builder| builder.with_no_client_auth().with_single_cert(chain, key))
    .map_err(|e| TlsError {
        kind: TlsErrorKind::ServerConfig,
        detail: format!("rustls refused the server certificate and key: {e}"),
    })?;
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(server))
}

/// The last `CERTIFICATE` block of a PEM text, as written.
fn last_pem_block(pem: &[u8]) -> Option<String> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let text = std::str::from_utf8(pem).ok()?;
    let start = text.rfind(BEGIN)?;
    let end = start + text[start..].find(END)? + END.len();
    Some(format!("{}\n", &text[start..end]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ca_is_pem_and_each_identity_is_new() {
        let first = TlsIdentity::generate().unwrap();
        let second = TlsIdentity::generate().unwrap();
        assert!(
            first
                .ca_certificate_pem()
                .starts_with("-----BEGIN CERTIFICATE-----"),
            "{}",
            first.ca_certificate_pem()
        );
        assert_ne!(first.ca_certificate_der(), second.ca_certificate_der());
        let shown = format!("{first:?}");
        assert!(!shown.contains("PRIVATE"), "{shown}");
    }
}
