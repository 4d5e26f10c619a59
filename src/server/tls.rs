//! TLS for the server and its clients, with rustls on the `ring` provider: the server's
//! certificate chain and key from PEM files, the clients' trusted roots from a PEM file (a
//! carrier's own CA) or the system's bundle.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Where the system keeps its trusted roots (Debian's ca-certificates), for a client given no
/// `--ca`.
pub const SYSTEM_ROOTS: &str = "/etc/ssl/certs/ca-certificates.crt";

/// What can be wrong with the certificate files.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// A file cannot be read or holds no PEM object of the kind needed.
    #[error("{path}: {reason}")]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong, in words.
        reason: String,
    },
    /// rustls refused the certificate and key together (a key that is not the certificate's).
    #[error("{cert} and {key}: {reason}")]
    Pair {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
        /// rustls's reason.
        reason: String,
    },
}

fn file_error(path: &Path, reason: impl Into<String>) -> TlsError {
    TlsError::File {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Every certificate in a PEM file; none is an error.
pub fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let bytes = std::fs::read(path).map_err(|e| file_error(path, e.to_string()))?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| file_error(path, format!("not a PEM certificate file ({e})")))?;
    if certs.is_empty() {
        return Err(file_error(path, "holds no PEM certificate"));
    }
    Ok(certs)
}

/// The server's configuration: the chain in `cert`, the private key in `key` (PKCS#8, PKCS#1
/// or SEC1), HTTP/1.1 over TLS 1.2 or 1.3.
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let chain = certificates(cert)?;
    let bytes = std::fs::read(key).map_err(|e| file_error(key, e.to_string()))?;
    let private = PrivateKeyDer::from_pem_slice(&bytes)
        .map_err(|e| file_error(key, format!("holds no PEM private key ({e})")))?;
    let mut config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| pair_error(cert, key, e))?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(|e| pair_error(cert, key, e))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// A client's configuration trusting the certificates in `ca`, or the system's roots.
pub fn client_config(ca: Option<&Path>) -> Result<Arc<rustls::ClientConfig>, TlsError> {
    let path = ca.unwrap_or(Path::new(SYSTEM_ROOTS));
    let mut roots = rustls::RootCertStore::empty();
    for cert in certificates(path)? {
        roots
            .add(cert)
            .map_err(|e| file_error(path, format!("a certificate rustls cannot use ({e})")))?;
    }
    let config = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| file_error(path, e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// rustls on *ring*: it builds with the C compiler alone (aws-lc-rs needs CMake and a long
/// build); rustls 0.23.48 marks it deprecated because it lacks the post-quantum key exchange,
/// which the sites' uploads can do without until rustls offers it on *ring*.
#[allow(deprecated)]
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn pair_error(cert: &Path, key: &Path, e: rustls::Error) -> TlsError {
    TlsError::Pair {
        cert: cert.to_path_buf(),
        key: key.to_path_buf(),
        reason: e.to_string(),
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! A throwaway CA and a server certificate for `localhost` and 127.0.0.1, written as PEM.

    use std::path::{Path, PathBuf};

    /// The files: `ca.pem`, `cert.pem`, `key.pem` in `dir`.
    pub struct Pki {
        pub ca: PathBuf,
        pub cert: PathBuf,
        pub key: PathBuf,
    }

    pub fn write(dir: &Path) -> Pki {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let key = KeyPair::generate().unwrap();
        let params =
            CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
        let issuer = rcgen::Issuer::new(ca_params, ca_key);
        let cert = params.signed_by(&key, &issuer).unwrap();
        let pki = Pki {
            ca: dir.join("ca.pem"),
            cert: dir.join("cert.pem"),
            key: dir.join("key.pem"),
        };
        std::fs::write(&pki.ca, ca.pem()).unwrap();
        std::fs::write(&pki.cert, cert.pem()).unwrap();
        std::fs::write(&pki.key, key.serialize_pem()).unwrap();
        pki
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_pair_loads_and_bad_files_say_which() {
        let dir = tempfile::tempdir().unwrap();
        let pki = testing::write(dir.path());
        server_config(&pki.cert, &pki.key).unwrap();
        client_config(Some(&pki.ca)).unwrap();

        let e = server_config(&pki.key, &pki.key).unwrap_err().to_string();
        assert!(e.contains("key.pem") && e.contains("certificate"), "{e}");
        let e = server_config(&pki.cert, &pki.cert).unwrap_err().to_string();
        assert!(e.contains("cert.pem") && e.contains("private key"), "{e}");
        let e = client_config(Some(&dir.path().join("missing.pem")))
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing.pem"), "{e}");
    }
}
