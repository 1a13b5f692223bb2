//! S3 clients, built on first use and shared: one per distinct (endpoint, region,
//! profile), so a run that only touches local files never resolves credentials, and
//! a run with 10,000 lines sets up TLS and credentials once.
//!
//! A spec names the side it is for ([`Role`]): the source side of a copy falls back
//! to `--source-endpoint-url`/`--source-profile`, the destination side to the
//! `--destination-*` globals, then both to `--endpoint-url`/`--profile`.
//! [`Clients::same_service`] tells whether two sides reach the same service with the
//! same credentials, i.e. whether a server-side copy is possible.
//!
//! A spec with SSE-C keys ([`crate::storage::s3::SseC`]) gets the keyless spec's
//! client (same pool) wrapped to send those keys, so ops never pass keys around.
//!
//! Each client is told its side (named in its errors with the endpoint) and, at
//! `--log debug` and below, reports its retries (and at `--log trace` every
//! request) to the output as `DEBUG`/`TRACE` lines on stderr.

use std::collections::HashMap;
use std::sync::Arc;

use std::sync::Mutex;

use tokio::sync::OnceCell;

use crate::command::SideClient;
use crate::config::Config;
pub use crate::op::{ClientSpec, Role};
use crate::output::{LogLevel, Message, Output};
use crate::storage::StorageError;
use crate::storage::s3::{RequestLog, S3Client, S3Config};

/// The client cache.
pub struct Clients {
    config: Arc<Config>,
    bandwidth: Option<Arc<crate::limit::Bandwidth>>,
    log: Option<RequestLog>,
    cache: Mutex<HashMap<ClientSpec, Arc<OnceCell<S3Client>>>>,
}

impl Clients {
    /// An empty cache; every client shares the bandwidth limit and reports to `output`.
    pub fn new(
        config: Arc<Config>,
        bandwidth: Option<Arc<crate::limit::Bandwidth>>,
        output: &Output,
    ) -> Clients {
        Clients {
            log: request_log(config.log, output),
            config,
            bandwidth,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The client for the global settings.
    pub async fn default_client(&self) -> Result<S3Client, StorageError> {
        self.get(&ClientSpec::default()).await
    }

    /// The client for `spec`, built once (a spec with SSE-C keys: the keyless
    /// spec's client, sending those keys).
    pub async fn get(&self, spec: &ClientSpec) -> Result<S3Client, StorageError> {
        if !spec.sse_c.is_empty() {
            let keyless = ClientSpec {
                sse_c: Default::default(),
                ..spec.clone()
            };
            return Ok(Box::pin(self.get(&keyless)).await?.with_sse_c(&spec.sse_c));
        }
        let cell = {
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            match cache.get(spec) {
                Some(cell) => cell.clone(),
                None => cache.entry(spec.clone()).or_default().clone(),
            }
        };
        if let Some(client) = cell.get() {
            return Ok(client.clone());
        }
        // Boxed: building a client (credentials, region) is a large future that
        // every operation's future would otherwise carry inline, for a path taken
        // once per client.
        Box::pin(cell.get_or_try_init(|| S3Client::new(self.s3_config(spec))))
            .await
            .cloned()
    }

    /// Whether the client of `spec` (without SSE-C keys) has been built: then
    /// [`Clients::get`] answers at once, with that client.
    pub fn is_built(&self, spec: &ClientSpec) -> bool {
        spec.sse_c.is_empty()
            && self
                .cache
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(spec)
                .is_some_and(|cell| cell.initialized())
    }

    /// Endpoint and profile a spec resolves to (line flag, side default, global).
    fn resolve(&self, spec: &ClientSpec) -> (Option<String>, Option<String>) {
        let c = &self.config;
        let any = SideClient::default();
        let side = match spec.role {
            Role::Any => &any,
            Role::Source => &c.source,
            Role::Destination => &c.destination,
        };
        let endpoint = spec
            .endpoint_url
            .clone()
            .or_else(|| side.endpoint_url.clone())
            .or_else(|| c.endpoint_url.clone());
        let profile = spec
            .profile
            .clone()
            .or_else(|| side.profile.clone())
            .or_else(|| c.profile.clone());
        (endpoint, profile)
    }

    /// True when both specs reach the same endpoint with the same profile, so a
    /// server-side copy between them is possible; false means the data must stream
    /// through s5rs (GET from one, PUT to the other).
    pub fn same_service(&self, a: &ClientSpec, b: &ClientSpec) -> bool {
        self.resolve(a) == self.resolve(b)
    }

    fn s3_config(&self, spec: &ClientSpec) -> S3Config {
        let c = &self.config;
        let (endpoint_url, profile) = self.resolve(spec);
        S3Config {
            endpoint_url,
            region: spec.region.clone(),
            profile,
            credentials_file: c.credentials_file.clone(),
            no_sign_request: c.no_sign_request,
            no_verify_ssl: c.no_verify_ssl,
            retry_count: c.retry_count,
            request_payer: c.request_payer.clone(),
            use_list_objects_v1: c.use_list_objects_v1,
            list_concurrency: c.list_concurrency,
            max_connections: c.numworkers,
            bandwidth: self.bandwidth.clone(),
            side: match spec.role {
                Role::Any => None,
                Role::Source => Some("source"),
                Role::Destination => Some("destination"),
            },
            log: self.log.clone(),
        }
    }
}

/// The clients' request log for `level`: retries at debug, every request at trace.
fn request_log(level: LogLevel, output: &Output) -> Option<RequestLog> {
    if level > LogLevel::Debug {
        return None;
    }
    let output = output.clone();
    Some(RequestLog::new(level == LogLevel::Trace, move |line| {
        let output = output.clone();
        Box::pin(async move { output.send(Message::Debug(line)).await })
    }))
}
