//! Host-name resolution for the pooled client: hyper-util's `getaddrinfo` resolver,
//! with its failures wrapped in a type of their own ([`DnsError`]).
//!
//! Why: a name that does not resolve will not resolve a moment later either, so it
//! must not be retried (retrying `nonexistent.invalid` took 20 s), while a refused
//! connection deserves a short retry. hyper-util reports both as a connect error with
//! an untyped cause; a typed cause lets [`super::error`] tell them apart without
//! matching message texts.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use hyper_util::client::legacy::connect::dns::{GaiAddrs, GaiResolver, Name};
use tower_service::Service;

/// Resolves with `getaddrinfo` on a blocking thread (hyper-util's default).
#[derive(Clone)]
pub(crate) struct Resolver(GaiResolver);

impl Default for Resolver {
    fn default() -> Self {
        Resolver(GaiResolver::new())
    }
}

/// A host name could not be resolved.
#[derive(Debug)]
pub(crate) struct DnsError {
    /// The name asked for.
    pub host: String,
    /// What the resolver said.
    source: io::Error,
}

impl fmt::Display for DnsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot resolve host {:?}", self.host)
    }
}

impl std::error::Error for DnsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// The future of one resolution.
type Resolving = Pin<Box<dyn Future<Output = Result<GaiAddrs, DnsError>> + Send>>;

impl Service<Name> for Resolver {
    type Response = GaiAddrs;
    type Error = DnsError;
    type Future = Resolving;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), DnsError>> {
        self.0.poll_ready(cx).map_err(|source| DnsError {
            host: String::new(),
            source,
        })
    }

    fn call(&mut self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let resolving = self.0.call(name);
        Box::pin(async move { resolving.await.map_err(|source| DnsError { host, source }) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_failed_lookup_is_a_dns_error_naming_the_host() {
        // `.invalid` never resolves (RFC 2606); nothing leaves the machine.
        let name: Name = "nonexistent.invalid".parse().unwrap();
        let err = match Resolver::default().call(name).await {
            Ok(_) => panic!("nonexistent.invalid resolved"),
            Err(e) => e,
        };
        assert_eq!(err.host, "nonexistent.invalid");
        assert!(err.to_string().contains("\"nonexistent.invalid\""));
        assert!(std::error::Error::source(&err).is_some());
    }
}
