//! The S3 backend: a thin client over hyper 1 + hyper-util's pooled client +
//! hyper-rustls, signed with AWS's `aws-sigv4`, parsed with `quick-xml`, with
//! credentials and region from `aws-config`.
//!
//! Why not aws-sdk-s3: its per-request CPU (≈150–190 µs) is 6–8× this client's,
//! and with 256 workers on 2 cores CPU per request is the ceiling (see README).
//!
//! Layout (one job per file): `config` (endpoint, addressing, credentials cache),
//! `transport` (pooled client, request bodies), `tls` (trusted CAs, the bundle
//! verifier), `proxy` (proxies from the environment), `dns` (typed lookup failures),
//! `sign` (SigV4), `xml` (parsing), `error` (error bodies → [`StorageError`], retry
//! classes), `hint` (the next step, appended to errors), `retry` (backoff), `log`
//! (retries and requests reported to the caller),
//! `request` (build → sign → send → retry), `headers` (object headers both ways),
//! `body` (the resumable GetObject body), `stream` (whole listings, split over
//! common prefixes and run in parallel), `inventory` (S3 Inventory reports as a
//! listing), and the operations: `bucket`, `list`,
//! `object`, `multipart`, `presign`, `select` (S3 Select's event stream), `tagging`. [`S3Bucket`] adapts a client to [`Storage`].
//!
//! Decisions worth knowing (each has a test in `tests/s3_backend.rs`):
//! - Object data is sent with `x-amz-content-sha256: UNSIGNED-PAYLOAD` plus
//!   Content-MD5 and `x-amz-checksum-crc64nvme`, also over plain http: s3s, moto and
//!   rclone accept it, it costs no extra pass over the data, and it avoids aws-chunked
//!   signed trailers, which rclone stores verbatim. Small XML bodies are hashed.
//! - `encoding-type=url` listings are decoded like botocore does (`unquote_plus`):
//!   AWS and rclone send a space as `+` and a `+` as `%2B`.
//! - A Range request answered 200 is handled both ways seen: whole object (skip to
//!   the offset) and range bytes with a Content-Range (rclone).
//! - Retries and GetObject resumes are counted per client ([`S3Client::retries_total`]).
//!
//! The public signatures here are the contract the rest of s5rs programs against.

mod body;
mod bucket;
mod config;
mod dns;
mod error;
mod headers;
mod hint;
mod inventory;
mod list;
mod list_xml;
mod log;
mod multipart;
mod object;
mod presign;
mod proxy;
mod request;
mod retry;
mod select;
mod sign;
mod ssec;
mod stream;
mod tagging;
mod tls;
mod transport;
mod xml;

use bytes::Bytes;
use std::path::PathBuf;

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, RwLock};

pub use body::ObjectBody;
pub use inventory::InventoryRequest;
pub use log::RequestLog;
pub use retry::{count_retries, note_retry};
pub use select::{
    EventDecoder, SelectEvent, SelectInput, SelectOutput, SelectRequest, SelectStream, request_xml,
};
pub use ssec::{SseC, SseCKey};
pub use tagging::encode_tags;

/// Feeds arbitrary bytes through every S3 response parser (XML tree, error bodies,
/// listings, multipart answers, Content-Range); for the fuzz targets and the
/// stable fuzz-style test. Must never panic, whatever the input.
#[doc(hidden)]
pub fn fuzz_responses(data: &[u8]) {
    let status =
        http::StatusCode::from_u16(400 + u16::from(data.first().copied().unwrap_or(0)) % 200)
            .unwrap_or(http::StatusCode::BAD_REQUEST);
    let _ = error::from_response(status, &http::HeaderMap::new(), data, error::Target::Object);
    if let Ok(root) = xml::parse(data) {
        let _ = error::from_ok_body(&http::HeaderMap::new(), &root);
    }
    let _ = list::fuzz_page(data);
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = headers::parse_content_range(s);
        let mut h = http::HeaderMap::new();
        if let Ok(v) = http::HeaderValue::from_str(s) {
            h.insert(http::header::CONTENT_RANGE, v.clone());
            h.insert(http::header::CONTENT_LENGTH, v.clone());
            h.insert("etag", v.clone());
            h.insert("x-amz-checksum-crc64nvme", v);
        }
        let _ = headers::object_meta(&h);
        let _ = body::span_of(http::StatusCode::PARTIAL_CONTENT, &h, Some((0, 10)));
        let _ = body::span_of(http::StatusCode::OK, &h, Some((5, 10)));
        let _ = body::span_of(http::StatusCode::OK, &h, None);
    }
}

use super::{ListRequest, Lister, ObjectInfo, ObjectMeta, Storage, StorageError};

/// Child listings a recursive listing runs at once unless `--list-concurrency` says
/// otherwise: 256 first-level prefixes are listed in 4 rounds of round trips
/// (32 measured ≈ 8.5×, 64 ≈ 10× over one stream at 20 ms per request:
/// docs/performance.md). Memory: two pages of entries per running listing.
pub const DEFAULT_LIST_CONCURRENCY: usize = 64;

/// How to reach S3 and how to behave.
#[derive(Debug, Clone, Default)]
pub struct S3Config {
    /// `--endpoint-url`; when `None`, `S3_ENDPOINT_URL`, `AWS_ENDPOINT_URL_S3` and
    /// `AWS_ENDPOINT_URL` are consulted (in that order), else AWS.
    pub endpoint_url: Option<String>,
    /// Region override (`--source-region`/`--destination-region`); else aws-config's chain.
    pub region: Option<String>,
    /// `--profile`.
    pub profile: Option<String>,
    /// `--credentials-file`.
    pub credentials_file: Option<PathBuf>,
    /// `--no-sign-request`: anonymous requests.
    pub no_sign_request: bool,
    /// `--no-verify-ssl`.
    pub no_verify_ssl: bool,
    /// `-r/--retry-count`: retries per request (0 = one attempt).
    pub retry_count: u32,
    /// `--request-payer`: sent as `x-amz-request-payer`.
    pub request_payer: Option<String>,
    /// `--use-list-objects-v1`.
    pub use_list_objects_v1: bool,
    /// `--list-concurrency`: child listings a recursive listing runs at once
    /// (`None`: [`DEFAULT_LIST_CONCURRENCY`]; 1: one sequential stream).
    pub list_concurrency: Option<usize>,
    /// Connection-pool size (idle connections kept per host); the worker count.
    pub max_connections: usize,
    /// `--rate-limit-bandwidth`: shared by every client of a run; paces object data
    /// sent (request bodies) and received (GetObject bodies).
    pub bandwidth: Option<Arc<crate::limit::Bandwidth>>,
    /// The side of a copy this client serves (`source`, `destination`), named in
    /// errors together with the endpoint; `None` for a client of no particular side.
    pub side: Option<&'static str>,
    /// Where retries (and, when tracing, every request) are reported; `None`: nowhere.
    pub log: Option<RequestLog>,
}

/// A request body for PutObject / UploadPart.
#[derive(Debug, Clone)]
pub enum PutBody {
    /// Bytes in memory.
    Bytes(Bytes),
    /// `len` bytes of a file from `offset`, streamed without buffering the whole
    /// range; reopened at the offset on retry.
    File {
        /// The file.
        path: PathBuf,
        /// Start offset.
        offset: u64,
        /// Length.
        len: u64,
    },
}

/// One page of a listing.
#[derive(Debug, Clone, Default)]
pub struct ListPage {
    /// Common prefixes (as `EntryKind::Directory` entries) then objects, in key order.
    pub entries: Vec<ObjectInfo>,
    /// Opaque token for the next page, `None` on the last page.
    pub next_token: Option<String>,
}

/// A GetObject response.
pub struct GetObjectOutput {
    /// Headers of the object (size = the whole object's size).
    pub meta: ObjectMeta,
    /// The data (only the requested range when a range was asked for).
    pub body: ObjectBody,
}

/// A cheaply clonable S3 client (one shared connection pool).
#[derive(Clone)]
pub struct S3Client {
    inner: Arc<Inner>,
    /// SSE-C keys this clone sends (see [`S3Client::with_sse_c`]).
    sse_c: Option<Arc<SseC>>,
}

/// What every clone of a client shares.
struct Inner {
    /// The pooled HTTP client.
    http: transport::HttpClient,
    /// Where requests go.
    endpoint: config::Endpoint,
    /// Default signing region.
    region: String,
    /// Credentials cache; `None` when anonymous or none were found.
    credentials: Option<config::Credentials>,
    /// `--no-sign-request`.
    anonymous: bool,
    /// Retries per request.
    retry_count: u32,
    /// `x-amz-request-payer` value for object requests.
    request_payer: Option<http::HeaderValue>,
    /// `--use-list-objects-v1`.
    list_v1: bool,
    /// Child listings a recursive listing runs at once.
    list_concurrency: usize,
    /// Regions learnt from redirects, per bucket.
    bucket_regions: RwLock<HashMap<String, String>>,
    /// Retries made by every request of this client (for statistics and tests).
    retries_total: AtomicU64,
    /// Bandwidth limit on object data, when set.
    bandwidth: Option<Arc<crate::limit::Bandwidth>>,
    /// `[side ]endpoint scheme://host[:port]`, prefixed to errors no server answered.
    label: String,
    /// What a refused server certificate's error says to do about it.
    tls_advice: String,
    /// `Proxy-Authorization` for a plain-http endpoint behind an authenticating
    /// forward proxy.
    proxy_auth: Option<http::HeaderValue>,
    /// Where retries and requests are reported.
    log: Option<RequestLog>,
}

impl S3Client {
    /// Resolves credentials and region and builds the HTTP client.
    pub async fn new(config: S3Config) -> Result<S3Client, StorageError> {
        let resolved = config::resolve(&config).await?;
        let endpoint = config::Endpoint::resolve(
            config.endpoint_url.as_deref(),
            resolved.profile_endpoint.as_deref(),
            &resolved.region,
        )?;
        let request_payer = match &config.request_payer {
            Some(p) => Some(http::HeaderValue::from_str(p).map_err(|_| {
                StorageError::new(
                    crate::error::ErrorKind::Usage,
                    format!("invalid request payer {p:?}"),
                )
            })?),
            None => None,
        };
        let max_idle = if config.max_connections == 0 {
            256
        } else {
            config.max_connections
        };
        let bundle = match &resolved.ca_bundle {
            Some((path, source)) if endpoint.scheme == "https" && !config.no_verify_ssl => {
                Some(Arc::new(tls::CaBundle::load(path, source)?))
            }
            _ => None,
        };
        let tls_advice = tls::advice(bundle.as_deref());
        let tls = transport::Tls::for_endpoint(&endpoint.scheme, config.no_verify_ssl, bundle);
        let proxies = proxy::from_env();
        let proxy_auth = match (&proxies, endpoint.display.parse::<http::Uri>()) {
            (Some(m), Ok(uri)) => proxy::forward_auth(Some(m), &uri),
            _ => None,
        };
        let label = match config.side {
            Some(side) => format!("{side} endpoint {}", endpoint.display),
            None => format!("endpoint {}", endpoint.display),
        };
        Ok(S3Client {
            inner: Arc::new(Inner {
                http: transport::build_client(max_idle, &tls, proxies),
                endpoint,
                region: resolved.region,
                credentials: resolved.credentials,
                anonymous: config.no_sign_request,
                retry_count: config.retry_count,
                request_payer,
                list_v1: config.use_list_objects_v1,
                list_concurrency: config
                    .list_concurrency
                    .unwrap_or(DEFAULT_LIST_CONCURRENCY)
                    .max(1),
                bucket_regions: RwLock::new(HashMap::new()),
                retries_total: AtomicU64::new(0),
                bandwidth: config.bandwidth.clone(),
                label,
                tls_advice,
                proxy_auth,
                log: config.log,
            }),
            sse_c: None,
        })
    }

    /// A clone of this client (same connection pool) that sends these SSE-C keys
    /// with every request that reads or writes object data; none when `sse_c` is empty.
    pub fn with_sse_c(&self, sse_c: &SseC) -> S3Client {
        S3Client {
            inner: self.inner.clone(),
            sse_c: (!sse_c.is_empty()).then(|| Arc::new(sse_c.clone())),
        }
    }

    /// The SSE-C keys of this client (empty when none).
    pub(crate) fn sse_c(&self) -> &SseC {
        static NONE: SseC = SseC {
            object: None,
            copy_source: None,
        };
        self.sse_c.as_deref().unwrap_or(&NONE)
    }

    /// Child listings a recursive listing runs at once (1: one sequential stream).
    pub fn list_concurrency(&self) -> usize {
        self.inner.list_concurrency
    }

    /// The region requests are signed for.
    pub fn region(&self) -> &str {
        &self.inner.region
    }

    /// The endpoint, as `scheme://host[:port]`.
    pub fn endpoint(&self) -> &str {
        &self.inner.endpoint.display
    }

    /// Waits for the bandwidth limit to let `n` bytes of object data pass.
    pub(crate) async fn throttle(&self, n: usize) {
        if let Some(b) = &self.inner.bandwidth {
            b.take(n as u64).await;
        }
    }

    /// How many retries this client (all its clones) has made so far, including
    /// resumed GetObject bodies.
    pub fn retries_total(&self) -> u64 {
        self.inner
            .retries_total
            .load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// One bucket as a [`Storage`]: listing, stat and delete go to S3.
#[derive(Clone)]
pub struct S3Bucket {
    /// The client.
    pub client: S3Client,
    /// The bucket name.
    pub bucket: String,
}

impl Storage for S3Bucket {
    fn list(&self, request: ListRequest) -> Lister {
        self.client.list(&self.bucket, request)
    }

    async fn stat(&self, key: &str, version_id: Option<&str>) -> Result<ObjectMeta, StorageError> {
        self.client
            .head_object(&self.bucket, key, version_id, None)
            .await
    }

    async fn delete(&self, key: &str, version_id: Option<&str>) -> Result<(), StorageError> {
        self.client
            .delete_object(&self.bucket, key, version_id)
            .await
            .map(|_| ())
    }
}
