//! Proxies the way the AWS CLI and s5cmd use them: `HTTP_PROXY` for http
//! endpoints (requests in absolute form to the proxy), `HTTPS_PROXY` for https
//! endpoints (a CONNECT tunnel, TLS inside it), `ALL_PROXY` for both, and
//! `NO_PROXY` for hosts that go direct — each in upper or lower case. The rules
//! and the tunnel are hyper-util's ([`Matcher`], [`Tunnel`]); this file only picks
//! per connection and marks forward-proxied connections so the client writes
//! absolute-form request targets.
//!
//! Loopback endpoints (`localhost`, `127.0.0.0/8`, `::1`) are never proxied, as
//! curl and most proxy-aware tools do: a proxy on another host could not reach
//! them anyway.

use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{HeaderValue, Uri};
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower_service::Service;

use super::dns::Resolver;

/// The environment variables that configure proxies.
const VARS: [&str; 6] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
];

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The proxy rules of the environment; `None` when no proxy variable is set.
pub(crate) fn from_env() -> Option<Arc<Matcher>> {
    VARS.iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
        .then(|| Arc::new(Matcher::from_env()))
}

/// True when `uri`'s host is a loopback name or address.
pub(crate) fn is_loopback(uri: &Uri) -> bool {
    let Some(host) = uri.host() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The `Proxy-Authorization` value for plain-http requests to `endpoint` (a
/// forward proxy with `user:password@` in its URL), if any.
pub(crate) fn forward_auth(matcher: Option<&Matcher>, endpoint: &Uri) -> Option<HeaderValue> {
    if endpoint.scheme_str() != Some("http") || is_loopback(endpoint) {
        return None;
    }
    matcher?.intercept(endpoint)?.basic_auth().cloned()
}

/// Connects directly, through a CONNECT tunnel, or to a forward proxy.
#[derive(Clone)]
pub(crate) struct ProxyConnector {
    http: HttpConnector<Resolver>,
    matcher: Option<Arc<Matcher>>,
}

impl ProxyConnector {
    /// Connects with `http`, through the proxies `matcher` picks.
    pub fn new(http: HttpConnector<Resolver>, matcher: Option<Arc<Matcher>>) -> Self {
        ProxyConnector { http, matcher }
    }
}

impl Service<Uri> for ProxyConnector {
    type Response = ProxyStream;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<ProxyStream, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.http.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let intercept = match &self.matcher {
            Some(m) if !is_loopback(&dst) => m.intercept(&dst),
            _ => None,
        };
        let mut http = self.http.clone();
        let Some(proxy) = intercept else {
            return Box::pin(async move {
                let io = http.call(dst).await?;
                Ok(ProxyStream { io, proxied: false })
            });
        };
        let via = proxy.uri().clone();
        if dst.scheme_str() == Some("https") {
            let mut tunnel = Tunnel::new(via.clone(), http);
            if let Some(auth) = proxy.basic_auth() {
                tunnel = tunnel.with_auth(auth.clone());
            }
            return Box::pin(async move {
                std::future::poll_fn(|cx| tunnel.poll_ready(cx)).await?;
                let io = tunnel.call(dst).await.map_err(|e| ViaProxy {
                    proxy: via.to_string(),
                    source: e.into(),
                })?;
                Ok(ProxyStream { io, proxied: false })
            });
        }
        Box::pin(async move {
            let io = http.call(via.clone()).await.map_err(|e| ViaProxy {
                proxy: via.to_string(),
                source: e.into(),
            })?;
            Ok(ProxyStream { io, proxied: true })
        })
    }
}

/// A failure to reach the endpoint through a proxy (naming the proxy).
#[derive(Debug)]
struct ViaProxy {
    proxy: String,
    source: BoxError,
}

impl std::fmt::Display for ViaProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "through proxy {}", self.proxy.trim_end_matches('/'))
    }
}

impl std::error::Error for ViaProxy {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

/// A TCP connection, direct, tunnelled, or to a forward proxy (`proxied`).
pub(crate) struct ProxyStream {
    io: TokioIo<TcpStream>,
    proxied: bool,
}

impl Connection for ProxyStream {
    fn connected(&self) -> Connected {
        self.io.connected().proxy(self.proxied)
    }
}

impl Read for ProxyStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl Write for ProxyStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_recognised() {
        for u in [
            "http://127.0.0.1:9000",
            "https://localhost/",
            "http://[::1]:80",
            "http://127.1.2.3",
        ] {
            assert!(is_loopback(&u.parse().unwrap()), "{u}");
        }
        for u in [
            "http://s3.test:9000",
            "https://10.0.0.1",
            "http://example.com",
        ] {
            assert!(!is_loopback(&u.parse().unwrap()), "{u}");
        }
    }

    #[test]
    fn forward_auth_comes_from_the_proxy_url() {
        let m = Matcher::builder()
            .http("http://user:pw@127.0.0.1:3128")
            .no("nope.test")
            .build();
        let auth = forward_auth(Some(&m), &"http://s3.test:9000".parse().unwrap());
        assert_eq!(auth.unwrap(), "Basic dXNlcjpwdw==");
        assert!(forward_auth(Some(&m), &"http://nope.test".parse().unwrap()).is_none());
        assert!(forward_auth(Some(&m), &"http://127.0.0.1:1".parse().unwrap()).is_none());
        assert!(forward_auth(None, &"http://s3.test".parse().unwrap()).is_none());
    }
}
