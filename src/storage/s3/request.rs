//! Sending one S3 request: build the URL (addressing style, percent-encoded key),
//! sign it, send it on the pooled client with a timeout, turn failures into typed
//! errors (naming the endpoint when no server answered), follow a region redirect
//! once, and retry what is retryable with backoff — each retry reported to the
//! client's [`super::RequestLog`], and every attempt too when it traces.
//!
//! This is the hot path for small objects, so the URL is built in one `String`
//! and the request headers are only cloned once per attempt.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;

use super::error::{self, Target, Unreachable};
use super::sign::{self, PATH_SET};
use super::transport::{READ_TIMEOUT, RESPONSE_TIMEOUT, ReqBody};
use super::{S3Client, hint, retry, xml};
use crate::error::ErrorKind;
use crate::storage::StorageError;

/// A request body as the operations describe it.
#[derive(Clone)]
pub(crate) enum Body {
    /// No body.
    Empty,
    /// A small body whose SHA-256 is signed (XML documents).
    Signed(Bytes),
    /// Object data sent with `UNSIGNED-PAYLOAD` (Content-MD5/CRC headers carry integrity).
    Data(Bytes),
    /// Object data streamed from a file range (reopened at `offset` on each attempt).
    File {
        /// The file.
        path: PathBuf,
        /// First byte.
        offset: u64,
        /// Length.
        len: u64,
    },
}

impl Body {
    fn len(&self) -> u64 {
        match self {
            Body::Empty => 0,
            Body::Signed(b) | Body::Data(b) => b.len() as u64,
            Body::File { len, .. } => *len,
        }
    }
}

/// One S3 request.
pub(crate) struct Request<'a> {
    /// HTTP method.
    pub method: Method,
    /// Bucket, if any.
    pub bucket: Option<&'a str>,
    /// Object key, if any (sent percent-encoded).
    pub key: Option<&'a str>,
    /// Query string, already encoded, without `?` (may be empty).
    pub query: &'a str,
    /// Extra headers (signed).
    pub headers: HeaderMap,
    /// The body.
    pub body: Body,
    /// What a body-less 404 means.
    pub target: Target,
    /// Read the whole response body (XML answers) instead of streaming it.
    pub read_body: bool,
    /// A 200 may carry an `<Error>` document (CopyObject, CompleteMultipartUpload).
    pub ok_may_be_error: bool,
}

impl<'a> Request<'a> {
    /// A request with no headers and no body that reads the whole response.
    pub fn new(method: Method, bucket: Option<&'a str>, key: Option<&'a str>) -> Self {
        Request {
            method,
            bucket,
            key,
            query: "",
            headers: HeaderMap::new(),
            body: Body::Empty,
            target: match (bucket, key) {
                (None, _) => Target::Service,
                (Some(_), None) => Target::Bucket,
                (Some(_), Some(_)) => Target::Object,
            },
            read_body: true,
            ok_may_be_error: false,
        }
    }

    /// Sets the query string (already encoded).
    pub fn query(mut self, q: &'a str) -> Self {
        self.query = q;
        self
    }

    /// Sets the body.
    pub fn body(mut self, b: Body) -> Self {
        self.body = b;
        self
    }
}

/// A successful response.
pub(crate) struct Response {
    /// Status (2xx).
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// The whole body, when `read_body` was set.
    pub body: Bytes,
    /// The unread body, when `read_body` was not set.
    pub stream: Option<Incoming>,
}

/// Inserts a header from a string, ignoring values that are not valid header values.
pub(crate) fn put_header(map: &mut HeaderMap, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        map.insert(HeaderName::from_static(name), v);
    }
}

impl S3Client {
    /// The signing region for `bucket` (learnt from a redirect, else the default).
    pub(crate) fn region_for(&self, bucket: Option<&str>) -> String {
        if let Some(b) = bucket {
            let map = self
                .inner
                .bucket_regions
                .read()
                .unwrap_or_else(|e| e.into_inner());
            if !map.is_empty()
                && let Some(r) = map.get(b)
            {
                return r.clone();
            }
        }
        self.inner.region.clone()
    }

    /// The URL of a request, and whether a bucket goes in its path.
    pub(crate) fn url(
        &self,
        bucket: Option<&str>,
        key: Option<&str>,
        query: &str,
        region: &str,
    ) -> String {
        let mut url = String::with_capacity(
            64 + bucket.map_or(0, str::len) + key.map_or(0, |k| k.len() * 3) + query.len(),
        );
        let path_style = self.inner.endpoint.write_base(&mut url, bucket, region);
        if path_style && let Some(b) = bucket {
            url.push('/');
            url.extend(percent_encoding::utf8_percent_encode(b, PATH_SET));
        }
        match key {
            Some(k) => {
                url.push('/');
                url.extend(percent_encoding::utf8_percent_encode(k, PATH_SET));
            }
            None if !path_style || bucket.is_none() => url.push('/'),
            None => {}
        }
        if !query.is_empty() {
            url.push('?');
            url.push_str(query);
        }
        url
    }

    /// Counts one retry in the client's statistics.
    pub(crate) fn count_retry(&self) {
        self.inner.retries_total.fetch_add(1, Ordering::Relaxed);
        retry::note_retry();
    }

    /// The number of retries each request may make.
    pub(crate) fn retry_count(&self) -> u32 {
        self.inner.retry_count
    }

    /// Sends `req`, retrying as the policy allows; returns the first success or the
    /// last error.
    pub(crate) async fn send(&self, req: &Request<'_>) -> Result<Response, StorageError> {
        self.send_with_budget(req, self.inner.retry_count).await
    }

    /// Sends `req` once (a region redirect is still followed); the caller retries.
    pub(crate) async fn send_once(&self, req: &Request<'_>) -> Result<Response, StorageError> {
        self.send_with_budget(req, 0).await
    }

    async fn send_with_budget(
        &self,
        req: &Request<'_>,
        budget: u32,
    ) -> Result<Response, StorageError> {
        let mut retries = 0u32;
        let mut redirected = false;
        let mut fd_waits = 0u32;
        let started = Instant::now();
        loop {
            let region = self.region_for(req.bucket);
            let attempt_started = Instant::now();
            // Boxed: the attempt's hyper future is large, and every operation's own
            // future (and each caller's) would otherwise carry it inline and be copied
            // whole on every spawn and box.
            let outcome = Box::pin(self.attempt(req, &region)).await;
            if let Some(log) = self.inner.log.as_ref().filter(|l| l.traces()) {
                let url = self.url(req.bucket, req.key, req.query, &region);
                let took = attempt_started.elapsed();
                log.attempt(&req.method, &url, took, &describe(&outcome))
                    .await;
            }
            let (e, reach) = match outcome {
                Ok(resp) => return Ok(resp),
                Err(Failure::Redirect(new_region)) if !redirected => {
                    redirected = true;
                    if let Some(b) = req.bucket {
                        self.inner
                            .bucket_regions
                            .write()
                            .unwrap_or_else(|e| e.into_inner())
                            .insert(b.to_owned(), new_region);
                    }
                    continue;
                }
                Err(Failure::Redirect(r)) => {
                    let why = match req.bucket {
                        Some(b) => hint::wrong_region(b, &r),
                        None => format!("the server names region {r}"),
                    };
                    return Err(StorageError::new(
                        ErrorKind::InvalidRequest,
                        format!("redirected to another region twice ({why})"),
                    ));
                }
                Err(Failure::Error(e))
                    if crate::storage::fd::message_says_exhausted(&e.message)
                        && started.elapsed() < crate::storage::fd::MAX_WAIT =>
                {
                    // Out of file descriptors (socket or file body): wait for other
                    // operations to close some; this does not spend the retry budget.
                    fd_waits += 1;
                    tokio::time::sleep(crate::storage::fd::pause(fd_waits)).await;
                    continue;
                }
                Err(Failure::Error(e)) => (e, None),
                Err(Failure::Unreachable(e, reach)) => (e, Some(reach)),
            };
            let (max, delay) = match reach {
                // A name that does not resolve now will not resolve in a moment,
                // and a refused certificate will be refused again.
                Some(Unreachable::Dns | Unreachable::Certificate) => return Err(e),
                Some(Unreachable::Refused) => (
                    budget.min(retry::REFUSED_RETRIES),
                    retry::refused_backoff(retries + 1),
                ),
                None => (budget, retry::backoff(retries + 1)),
            };
            if retries >= max || (reach.is_none() && !error::is_retryable(&e)) {
                return Err(match reach {
                    Some(_) if retries > 0 => StorageError {
                        message: format!("{} (gave up after {retries} retries)", e.message),
                        ..e
                    },
                    _ => e,
                });
            }
            retries += 1;
            self.count_retry();
            self.report_retry(req, (retries, max), delay, &e).await;
            tokio::time::sleep(delay).await;
        }
    }

    /// Reports retry `n` of at most `max` of `req`, after `delay`, because of `e`.
    pub(crate) async fn report_retry(
        &self,
        req: &Request<'_>,
        (n, max): (u32, u32),
        delay: Duration,
        e: &StorageError,
    ) {
        if let Some(log) = &self.inner.log {
            let url = self.url(req.bucket, req.key, req.query, &self.region_for(req.bucket));
            log.retry(&req.method, &url, (n, max), delay, &e.to_string())
                .await;
        }
    }

    /// Names the endpoint (and the side of a copy, when the client is for one) in
    /// the message of a failure that has no answer from a server to show.
    pub(crate) fn at_endpoint(&self, e: StorageError) -> StorageError {
        if e.status.is_some() || e.message.starts_with(self.inner.label.as_str()) {
            return e;
        }
        StorageError {
            message: format!("{}: {}", self.inner.label, e.message),
            ..e
        }
    }

    /// One attempt.
    async fn attempt(&self, req: &Request<'_>, region: &str) -> Result<Response, Failure> {
        let url = self.url(req.bucket, req.key, req.query, region);
        let len = req.body.len();
        let body = match &req.body {
            Body::Empty => ReqBody::Empty,
            Body::Signed(b) | Body::Data(b) => ReqBody::Full(Some(b.clone())),
            Body::File { path, offset, len } => ReqBody::file(path.clone(), *offset, *len),
        };
        // Object data (not signed XML documents) is paced by the bandwidth limit.
        let body = match (&req.body, &self.inner.bandwidth) {
            (Body::Data(_) | Body::File { .. }, Some(limit)) => body.throttled(limit.clone()),
            _ => body,
        };
        let mut hreq = http::Request::new(body);
        *hreq.method_mut() = req.method.clone();
        *hreq.uri_mut() = url.parse().map_err(|e| {
            Failure::Error(StorageError::new(
                ErrorKind::InvalidRequest,
                format!("invalid request URL {url:?}: {e}"),
            ))
        })?;
        let headers = hreq.headers_mut();
        headers.reserve(req.headers.len() + 6);
        for (k, v) in &req.headers {
            headers.insert(k.clone(), v.clone());
        }
        if len > 0 || matches!(req.method, Method::PUT | Method::POST) {
            headers.insert(http::header::CONTENT_LENGTH, HeaderValue::from(len));
        }
        // Requester-pays buckets need the header on listings as well as on objects.
        if req.target != Target::Service
            && let Some(p) = &self.inner.request_payer
        {
            headers.insert(HeaderName::from_static("x-amz-request-payer"), p.clone());
        }
        if !self.inner.anonymous {
            let creds = self.inner.credentials.as_ref().ok_or_else(|| {
                Failure::Error(StorageError::new(
                    ErrorKind::NoCredentials,
                    format!(
                        "no valid credentials found ({})",
                        hint::no_credentials(None, None)
                    ),
                ))
            })?;
            let identity = creds.identity().await.map_err(Failure::Error)?;
            let payload = match &req.body {
                Body::Empty => sign::Payload::Bytes(&[]),
                Body::Signed(b) => sign::Payload::Bytes(b),
                Body::Data(_) | Body::File { .. } => sign::Payload::Unsigned,
            };
            sign::sign_request(&mut hreq, &url, &identity, region, payload)
                .map_err(Failure::Error)?;
        }
        if let Some(auth) = &self.inner.proxy_auth {
            // Added after signing: the proxy consumes it, S3 never sees it.
            hreq.headers_mut()
                .insert(http::header::PROXY_AUTHORIZATION, auth.clone());
        }
        let mut limit = RESPONSE_TIMEOUT + Duration::from_millis(len / 256);
        if self.inner.bandwidth.is_some() && len > 0 {
            // A paced body shares the limit with every other transfer: its duration
            // is not known up front, so only the stall timeouts apply.
            limit = Duration::from_secs(7 * 24 * 3600);
        }
        let resp = match tokio::time::timeout(limit, self.inner.http.request(hreq)).await {
            Err(_) => return Err(Failure::Error(self.at_endpoint(error::timeout("request")))),
            Ok(Err(e)) => {
                let mut failure = self.at_endpoint(error::send_failure(&e));
                let reach = error::unreachable(&e);
                if let Some(why) = super::tls::certificate_error(&e) {
                    let advice = super::tls::advice_for(why, &self.inner.tls_advice);
                    failure.message = format!("{}; {advice}", failure.message);
                }
                return Err(match reach {
                    Some(reach) => Failure::Unreachable(failure, reach),
                    None => Failure::Error(failure),
                });
            }
            Ok(Ok(r)) => r,
        };
        let (parts, incoming) = resp.into_parts();
        let status = parts.status;
        if status.is_success() && !req.read_body {
            return Ok(Response {
                status,
                headers: parts.headers,
                body: Bytes::new(),
                stream: Some(incoming),
            });
        }
        let body = match read_all(incoming).await {
            Ok(b) => b,
            Err(e) => return Err(Failure::Error(self.at_endpoint(e))),
        };
        if status.is_success() {
            if req.ok_may_be_error && body.windows(7).take(512).any(|w| w == b"<Error>") {
                let root = xml::parse(&body).map_err(Failure::Error)?;
                if root.name == "Error" {
                    let err = error::from_ok_body(&parts.headers, &root);
                    return Err(Failure::Error(hint::explain(err, &attempted(req), None)));
                }
            }
            return Ok(Response {
                status,
                headers: parts.headers,
                body,
                stream: None,
            });
        }
        Err(refusal(req, region, status, &parts.headers, &body))
    }
}

/// Why the server refused `req` (signed for `region`): another region to sign for,
/// or the error, with its next step.
fn refusal(
    req: &Request<'_>,
    region: &str,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> Failure {
    let named_region = match status.as_u16() {
        301 | 307 | 400 => redirect_region(headers, body),
        _ => None,
    };
    if let Some(r) = &named_region
        && r != region
    {
        return Failure::Redirect(r.clone());
    }
    let err = error::from_response(status, headers, body, req.target);
    Failure::Error(hint::explain(err, &attempted(req), named_region.as_deref()))
}

/// `req` as the error hints name it.
fn attempted<'a>(req: &'a Request<'a>) -> hint::Attempted<'a> {
    hint::Attempted {
        method: &req.method,
        bucket: req.bucket,
        key: req.key,
        query: req.query,
        copy_source: req.headers.contains_key("x-amz-copy-source"),
    }
}

/// Why an attempt failed.
enum Failure {
    /// The bucket lives in this region: sign for it and try again.
    Redirect(String),
    /// No server could be reached (retried briefly, or not at all).
    Unreachable(StorageError, Unreachable),
    /// Anything else.
    Error(StorageError),
}

/// An attempt's outcome for the trace log: the status, or why it failed.
fn describe(outcome: &Result<Response, Failure>) -> String {
    match outcome {
        Ok(resp) => resp.status.to_string(),
        Err(Failure::Redirect(region)) => format!("redirected to region {region}"),
        Err(Failure::Unreachable(e, _) | Failure::Error(e)) => format!("failed: {e}"),
    }
}

/// The region a redirect names (`x-amz-bucket-region`, or `<Region>` in the body).
fn redirect_region(headers: &HeaderMap, body: &[u8]) -> Option<String> {
    if let Some(r) = headers
        .get("x-amz-bucket-region")
        .and_then(|v| v.to_str().ok())
        .filter(|s| !s.is_empty())
    {
        return Some(r.to_owned());
    }
    let root = xml::parse(body).ok()?;
    root.text_of("Region")
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The most [`read_all`] sets aside ahead of a body from its Content-Length.
const MAX_PRESIZE: u64 = 16 << 20;

/// Reads a whole (small) response body, each chunk within the read timeout.
pub(crate) async fn read_all(mut body: Incoming) -> Result<Bytes, StorageError> {
    use http_body::Body as _;
    let mut first: Option<Bytes> = None;
    // Sized from Content-Length when there is one (a 1,000-key listing page is a few
    // hundred KB in many frames: no copies while growing).
    let expected = body.size_hint().exact().unwrap_or(0).min(MAX_PRESIZE) as usize;
    let mut rest: Vec<u8> = Vec::new();
    loop {
        let frame = match tokio::time::timeout(READ_TIMEOUT, body.frame()).await {
            Err(_) => return Err(error::timeout("reading the response")),
            Ok(None) => break,
            Ok(Some(Err(e))) => return Err(error::transport(&e)),
            Ok(Some(Ok(f))) => f,
        };
        if let Ok(data) = frame.into_data() {
            match &first {
                None if rest.is_empty() => first = Some(data),
                _ => {
                    if let Some(f) = first.take() {
                        rest.reserve(expected.max(f.len() + data.len()));
                        rest.extend_from_slice(&f);
                    }
                    rest.extend_from_slice(&data);
                }
            }
        }
    }
    Ok(match first {
        Some(f) => f,
        None => Bytes::from(rest),
    })
}
