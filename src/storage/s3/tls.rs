//! TLS trust the way the AWS CLI, the SDKs and s5cmd do it: the system's roots
//! (`SSL_CERT_FILE`/`SSL_CERT_DIR` honoured by `rustls-native-certs`, webpki's
//! roots when the system has none) plus a CA bundle named by `AWS_CA_BUNDLE` or the
//! profile's `ca_bundle` setting — per client, so the two sides of a copy can trust
//! different CAs.
//!
//! A certificate that is itself in the configured bundle is trusted as presented,
//! even when it is a self-signed certificate marked CA:TRUE (what `openssl req
//! -x509` makes), which webpki refuses as an end entity (`CaUsedAsEndEntity`);
//! s5cmd (Go's crypto/x509) accepts it. [`BundleVerifier`] first runs rustls's
//! normal webpki verification and only on that specific refusal accepts an
//! end-entity certificate byte-identical to one in the bundle, after checking the
//! host name with rustls's helper. Its validity period has already been checked
//! then: webpki checks an end entity's validity before its basic constraints, so a
//! certificate refused as a CA is within its validity period (an expired one is
//! refused as expired; a test keeps this true).
//!
//! Also here: the advice appended to a certificate failure, naming the settings
//! that would fix it.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};

use crate::error::ErrorKind;
use crate::storage::StorageError;

/// A CA bundle from `AWS_CA_BUNDLE` or a profile's `ca_bundle`.
#[derive(Debug)]
pub(crate) struct CaBundle {
    /// The file.
    pub path: PathBuf,
    /// Which setting named it (`AWS_CA_BUNDLE`, `ca_bundle of profile x`).
    pub source: String,
    /// Its certificates.
    pub certs: Vec<CertificateDer<'static>>,
}

impl CaBundle {
    /// Reads the PEM certificates of `path`; an unreadable file or one without a
    /// certificate is an error naming the setting.
    pub fn load(path: &Path, source: &str) -> Result<CaBundle, StorageError> {
        let fail = |why: String| {
            StorageError::new(
                ErrorKind::Usage,
                format!("CA bundle {} (from {source}): {why}", path.display()),
            )
        };
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| fail(e.to_string()))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| fail(e.to_string()))?;
        if certs.is_empty() {
            return Err(fail("no PEM certificate in it".into()));
        }
        Ok(CaBundle {
            path: path.to_owned(),
            source: source.to_owned(),
            certs,
        })
    }
}

/// A rustls client configuration on `provider` trusting the system's roots and
/// `bundle`.
pub(crate) fn client_config(
    provider: Arc<CryptoProvider>,
    bundle: Option<&CaBundle>,
) -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    if roots.is_empty() {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    let pinned = bundle.map(|b| b.certs.clone()).unwrap_or_default();
    roots.add_parsable_certificates(pinned.iter().cloned());
    let inner = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .expect("a root store with certificates");
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("default TLS versions")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(BundleVerifier { inner, pinned }))
        .with_no_client_auth()
}

/// webpki's verification, plus: a certificate that is itself in the bundle is
/// trusted as presented (host name and validity still checked).
#[derive(Debug)]
struct BundleVerifier {
    inner: Arc<WebPkiServerVerifier>,
    pinned: Vec<CertificateDer<'static>>,
}

impl ServerCertVerifier for BundleVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let result = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        );
        match result {
            Err(e)
                if is_ca_used_as_end_entity(&e)
                    && self
                        .pinned
                        .iter()
                        .any(|c| c.as_ref() == end_entity.as_ref()) =>
            {
                // Validity was checked before the CA flag (see the module doc).
                let parsed = rustls::server::ParsedCertificate::try_from(end_entity)?;
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
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// True for webpki's `CaUsedAsEndEntity`, which rustls passes on as an "other"
/// certificate error.
fn is_ca_used_as_end_entity(e: &rustls::Error) -> bool {
    match e {
        rustls::Error::InvalidCertificate(CertificateError::Other(other)) => matches!(
            other.0.downcast_ref::<webpki::Error>(),
            Some(webpki::Error::CaUsedAsEndEntity)
        ),
        _ => false,
    }
}

/// The rejection of the server's certificate, when that is what `e` (or a cause) is.
pub(crate) fn certificate_error<'e>(
    e: &'e (dyn std::error::Error + 'static),
) -> Option<&'e CertificateError> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(rustls::Error::InvalidCertificate(c)) = err.downcast_ref::<rustls::Error>() {
            return Some(c);
        }
        // io::Error's `source()` skips its payload (tokio-rustls puts the rustls
        // error there): step into the payload itself.
        cur = match err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    None
}

/// What to tell someone whose server certificate was refused for `why`:
/// `untrusted` (from [`advice`]) unless the certificate is issued for other names
/// or outside its validity period.
pub(crate) fn advice_for<'a>(why: &CertificateError, untrusted: &'a str) -> Cow<'a, str> {
    match why {
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            Cow::Borrowed(
                "the certificate was issued for other host names: use an endpoint URL \
                 with a name it was issued for; --no-verify-ssl turns verification off \
                 (insecure)",
            )
        }
        CertificateError::Expired
        | CertificateError::ExpiredContext { .. }
        | CertificateError::NotValidYet
        | CertificateError::NotValidYetContext { .. } => Cow::Borrowed(
            "the certificate is outside its validity period: renew it on the server (or \
             check this machine's clock); --no-verify-ssl turns verification off (insecure)",
        ),
        _ => Cow::Borrowed(untrusted),
    }
}

/// What to tell someone whose server certificate was refused: the settings that
/// would make s5rs trust it, `--no-verify-ssl` last.
pub(crate) fn advice(bundle: Option<&CaBundle>) -> String {
    let in_use = match bundle {
        Some(b) => format!(
            " (the CA bundle {} from {} does not vouch for it)",
            b.path.display(),
            b.source
        ),
        None => String::new(),
    };
    format!(
        "the server's certificate is not trusted{in_use}; to trust it, set AWS_CA_BUNDLE \
         or the profile's ca_bundle (in ~/.aws/config) to a PEM file holding the CA that \
         signed it (or the certificate itself), or add that CA to the system store \
         (SSL_CERT_FILE); --no-verify-ssl turns verification off (insecure)"
    )
}
