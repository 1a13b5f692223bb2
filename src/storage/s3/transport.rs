//! The HTTP transport: one pooled hyper-util client over hyper-rustls (aws-lc-rs
//! provider, installed explicitly because aws-config links aws-lc as well and rustls
//! refuses to guess; trust as [`super::tls`] configures it), connecting through
//! [`super::proxy`] (proxies from the environment) and resolving names with
//! [`super::dns::Resolver`] (so a failed lookup is recognisable), and the request
//! body type that streams memory or a file range.

use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body::{Body, Frame, SizeHint};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioExecutor;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncRead, AsyncSeekExt, ReadBuf};

use super::dns::Resolver;
use super::proxy::ProxyConnector;
use super::tls::CaBundle;

/// TCP connect timeout.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a response (headers) may take, on top of the time to send the body.
pub(crate) const RESPONSE_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a response body may stall between two chunks.
pub(crate) const READ_TIMEOUT: Duration = Duration::from_secs(60);
/// Idle pooled connections are closed after this long.
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(50);
/// Chunk size when streaming a file range.
const FILE_CHUNK: usize = 256 * 1024;
/// Largest read buffer of a connection (hyper's default grows to ~400 KiB): the data
/// is copied out at once anyway, and every parallel part stream holds one.
const READ_BUFFER_MAX: usize = 64 * 1024;

/// The pooled client type.
pub(crate) type HttpClient = Client<HttpsConnector<ProxyConnector>, ReqBody>;

/// Builds the pooled client: `max_idle` idle connections per host. `tls` says how
/// (and whether) server certificates are checked; `proxies` are the proxy rules of
/// the environment ([`super::proxy::from_env`]).
pub(crate) fn build_client(
    max_idle: usize,
    tls: &Tls,
    proxies: Option<Arc<Matcher>>,
) -> HttpClient {
    // aws-config also links aws-lc; ring may be linked by other crates: pick one.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let mut http = HttpConnector::new_with_resolver(Resolver::default());
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(CONNECT_TIMEOUT));
    http.set_keepalive(Some(Duration::from_secs(30)));
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let cfg = match tls {
        Tls::Verify(bundle) => super::tls::client_config(provider, bundle.as_deref()),
        Tls::NoVerify => tls_config_builder(provider.clone())
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCert(provider)))
            .with_no_client_auth(),
        // No trusted roots: an https connection, which a plain-http endpoint never
        // makes, could not be verified and would fail.
        Tls::Unused => tls_config_builder(provider)
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth(),
    };
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(cfg)
        .https_or_http()
        .enable_http1()
        .wrap_connector(ProxyConnector::new(http, proxies));
    Client::builder(TokioExecutor::new())
        .http1_max_buf_size(READ_BUFFER_MAX)
        .pool_max_idle_per_host(max_idle.max(1))
        .pool_idle_timeout(POOL_IDLE_TIMEOUT)
        .build(https)
}

/// A rustls client configuration on `provider` with its default protocol versions,
/// waiting for its certificate verifier.
fn tls_config_builder(
    provider: Arc<rustls::crypto::CryptoProvider>,
) -> rustls::ConfigBuilder<rustls::ClientConfig, rustls::WantsVerifier> {
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("default TLS versions")
}

/// How the pooled client treats TLS.
#[derive(Debug, Clone)]
pub(crate) enum Tls {
    /// Verify certificates against the system's roots (webpki's when there are
    /// none) and the configured CA bundle, if any.
    Verify(Option<Arc<CaBundle>>),
    /// `--no-verify-ssl`.
    NoVerify,
    /// A plain-http endpoint: every request goes to `http://`, so the system's root
    /// certificates (hundreds of files read and parsed) are not loaded at all.
    Unused,
}

impl Tls {
    /// The mode for an endpoint with this URL scheme (`http` or `https`).
    pub(crate) fn for_endpoint(
        scheme: &str,
        no_verify_ssl: bool,
        bundle: Option<Arc<CaBundle>>,
    ) -> Tls {
        match (scheme, no_verify_ssl) {
            ("http", _) => Tls::Unused,
            (_, true) => Tls::NoVerify,
            (_, false) => Tls::Verify(bundle),
        }
    }
}

/// `--no-verify-ssl`: accepts any server certificate (the caller warns the user).
#[derive(Debug)]
struct AcceptAnyCert(Arc<rustls::crypto::CryptoProvider>);

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
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// A request body: nothing, bytes in memory, or a file range read chunk by chunk.
pub(crate) enum ReqBody {
    /// No body.
    Empty,
    /// Bytes, sent in one frame.
    Full(Option<Bytes>),
    /// `remaining` bytes of a file from `offset`; opened lazily (so a retry reopens).
    File(Box<FileBody>),
    /// Another body, released in pieces as the bandwidth limit allows.
    Throttled(Box<Throttled>),
}

/// A body paced by `--rate-limit-bandwidth`: each data frame is cut into pieces of
/// at most [`crate::limit::PACING_CHUNK`] bytes, and each piece is released once the
/// shared limiter allows it (a timer wait, no polling loop).
pub(crate) struct Throttled {
    inner: ReqBody,
    limit: Arc<crate::limit::Bandwidth>,
    /// Data taken from `inner` and not yet released.
    held: Bytes,
    /// The piece waiting for the limiter, and the wait.
    waiting: Option<(Bytes, Wait)>,
}

/// A pending limiter wait.
type Wait = Pin<Box<dyn Future<Output = ()> + Send>>;

impl ReqBody {
    /// Wraps `self` so its data is paced by `limit`.
    pub fn throttled(self, limit: Arc<crate::limit::Bandwidth>) -> ReqBody {
        ReqBody::Throttled(Box::new(Throttled {
            inner: self,
            limit,
            held: Bytes::new(),
            waiting: None,
        }))
    }
}

impl Throttled {
    fn poll_data(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        loop {
            if let Some((_, wait)) = &mut self.waiting {
                if wait.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                let (piece, _) = self.waiting.take().expect("set above");
                return Poll::Ready(Some(Ok(Frame::data(piece))));
            }
            if !self.held.is_empty() {
                let n = self.held.len().min(crate::limit::PACING_CHUNK);
                let piece = self.held.split_to(n);
                let limit = self.limit.clone();
                let wait = Box::pin(async move { limit.take(n as u64).await });
                self.waiting = Some((piece, wait));
                continue;
            }
            match Pin::new(&mut self.inner).poll_frame(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                    Ok(data) => self.held = data,
                    Err(frame) => return Poll::Ready(Some(Ok(frame))),
                },
                other => return other,
            }
        }
    }

    fn buffered(&self) -> u64 {
        self.held.len() as u64 + self.waiting.as_ref().map_or(0, |(p, _)| p.len() as u64)
    }
}

/// State of a streamed file range.
pub(crate) struct FileBody {
    path: PathBuf,
    offset: u64,
    remaining: u64,
    state: FileState,
}

enum FileState {
    Start,
    Opening(Pin<Box<dyn Future<Output = io::Result<tokio::fs::File>> + Send>>),
    Reading(tokio::fs::File, BytesMut),
}

impl ReqBody {
    /// A body streaming `len` bytes of `path` from `offset`.
    pub fn file(path: PathBuf, offset: u64, len: u64) -> ReqBody {
        ReqBody::File(Box::new(FileBody {
            path,
            offset,
            remaining: len,
            state: FileState::Start,
        }))
    }
}

impl Body for ReqBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        match self.get_mut() {
            ReqBody::Empty => Poll::Ready(None),
            ReqBody::Full(b) => Poll::Ready(b.take().map(|b| Ok(Frame::data(b)))),
            ReqBody::File(f) => f.poll_chunk(cx).map(|o| o.map(|r| r.map(Frame::data))),
            ReqBody::Throttled(t) => t.poll_data(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            ReqBody::Empty => true,
            ReqBody::Full(b) => b.is_none(),
            ReqBody::File(f) => f.remaining == 0,
            ReqBody::Throttled(t) => t.buffered() == 0 && t.inner.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ReqBody::Empty => SizeHint::with_exact(0),
            ReqBody::Full(b) => SizeHint::with_exact(b.as_ref().map_or(0, |b| b.len() as u64)),
            ReqBody::File(f) => SizeHint::with_exact(f.remaining),
            ReqBody::Throttled(t) => match t.inner.size_hint().exact() {
                Some(n) => SizeHint::with_exact(n + t.buffered()),
                None => SizeHint::default(),
            },
        }
    }
}

impl FileBody {
    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<io::Result<Bytes>>> {
        loop {
            if self.remaining == 0 {
                return Poll::Ready(None);
            }
            match &mut self.state {
                FileState::Start => {
                    let path = self.path.clone();
                    let offset = self.offset;
                    self.state = FileState::Opening(Box::pin(async move {
                        let mut f = tokio::fs::File::open(&path).await?;
                        f.seek(io::SeekFrom::Start(offset)).await?;
                        Ok(f)
                    }));
                }
                FileState::Opening(fut) => match fut.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Err(e)) => {
                        self.remaining = 0;
                        return Poll::Ready(Some(Err(e)));
                    }
                    Poll::Ready(Ok(f)) => {
                        self.state = FileState::Reading(f, BytesMut::new());
                    }
                },
                FileState::Reading(file, buf) => {
                    if buf.capacity() == 0 {
                        let want = (self.remaining as usize).min(FILE_CHUNK);
                        buf.reserve(want);
                    }
                    let want = (self.remaining as usize).min(buf.capacity());
                    let spare = &mut buf.spare_capacity_mut()[..want];
                    let mut rb = ReadBuf::uninit(spare);
                    match Pin::new(file).poll_read(cx, &mut rb) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(Err(e)) => return Poll::Ready(Some(Err(e))),
                        Poll::Ready(Ok(())) => {
                            let n = rb.filled().len();
                            if n == 0 {
                                self.remaining = 0;
                                return Poll::Ready(Some(Err(io::Error::new(
                                    io::ErrorKind::UnexpectedEof,
                                    format!("{} is shorter than expected", self.path.display()),
                                ))));
                            }
                            // SAFETY: `n` bytes of the spare capacity were just initialised by the read.
                            unsafe { buf.set_len(n) };
                            self.remaining -= n as u64;
                            let chunk = buf.split().freeze();
                            return Poll::Ready(Some(Ok(chunk)));
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Tls;

    #[test]
    fn plain_http_endpoints_load_no_certificates() {
        assert!(matches!(
            Tls::for_endpoint("http", false, None),
            Tls::Unused
        ));
        assert!(matches!(Tls::for_endpoint("http", true, None), Tls::Unused));
        assert!(matches!(
            Tls::for_endpoint("https", false, None),
            Tls::Verify(None)
        ));
        assert!(matches!(
            Tls::for_endpoint("https", true, None),
            Tls::NoVerify
        ));
    }
}
