//! The streamed body of a GetObject response, which never silently ends short:
//! it counts delivered bytes against the expected length (Content-Length or the
//! requested range), and when the connection breaks or the body ends early it
//! resumes with a Range request from the first missing byte (with `If-Match` on
//! the ETag so a changed object is an error, not a splice), within the request's
//! retry budget. A server that answers a Range request with 200 and the whole
//! object (rclone) is handled by skipping to the wanted offset and stopping after
//! the range.

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;

use super::error;
use super::headers::{self, parse_content_range};
use super::request::{Request, put_header};
use super::transport::READ_TIMEOUT;
use super::{S3Client, retry};
use crate::error::ErrorKind;
use crate::storage::StorageError;

/// The streamed body of a GetObject response.
pub struct ObjectBody {
    /// For resuming.
    client: S3Client,
    bucket: String,
    key: String,
    version_id: Option<String>,
    etag: Option<String>,
    /// The live response body.
    stream: Option<Incoming>,
    /// Absolute offset of the next byte to deliver.
    next: u64,
    /// Absolute end (exclusive) of the wanted data, when known.
    end: Option<u64>,
    /// Bytes of the current stream to drop before delivering (200 answer to a Range).
    skip: u64,
    /// Retries used so far for this body (initial request included).
    retries: u32,
    /// Set once the end was reached or an error was returned.
    done: bool,
}

impl std::fmt::Debug for ObjectBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectBody")
            .field("bucket", &self.bucket)
            .field("key", &self.key)
            .field("next", &self.next)
            .field("end", &self.end)
            .finish_non_exhaustive()
    }
}

/// Where the data of a GET response starts and ends.
pub(crate) struct Span {
    /// Absolute offset of the first wanted byte.
    pub start: u64,
    /// Absolute end (exclusive) of the wanted data, when known.
    pub end: Option<u64>,
    /// Bytes to drop from the front of the stream.
    pub skip: u64,
}

/// Works out what a GET response delivers, given the range that was asked for.
pub(crate) fn span_of(
    status: StatusCode,
    headers: &HeaderMap,
    asked: Option<(u64, u64)>,
) -> Result<Span, StorageError> {
    let content_length = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let content_range = headers
        .get(http::header::CONTENT_RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_content_range);
    // rclone answers a Range request with 200 *and* a Content-Range and only the
    // range's bytes: trust Content-Range whatever the status.
    if status == StatusCode::PARTIAL_CONTENT || (asked.is_some() && content_range.is_some()) {
        let (s, e, _) = content_range.ok_or_else(|| {
            StorageError::new(
                ErrorKind::InvalidResponse,
                "206 response without a valid Content-Range",
            )
        })?;
        if let Some((a, _)) = asked
            && a != s
        {
            return Err(StorageError::new(
                ErrorKind::InvalidResponse,
                format!("asked for bytes from {a}, server sent from {s}"),
            ));
        }
        return Ok(Span {
            start: s,
            end: Some(e + 1),
            skip: 0,
        });
    }
    // 200 without Content-Range: the whole object.
    match asked {
        Some((a, b)) => {
            let end = match content_length {
                Some(len) => (b + 1).min(len),
                None => b + 1,
            };
            Ok(Span {
                start: a,
                end: Some(end.max(a)),
                skip: a,
            })
        }
        None => Ok(Span {
            start: 0,
            end: content_length,
            skip: 0,
        }),
    }
}

impl ObjectBody {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        client: S3Client,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        etag: Option<String>,
        stream: Incoming,
        span: Span,
    ) -> ObjectBody {
        let done = span.end == Some(span.start);
        ObjectBody {
            client,
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            version_id: version_id.map(str::to_owned),
            etag,
            stream: if done { None } else { Some(stream) },
            next: span.start,
            end: span.end,
            skip: span.skip,
            retries: 0,
            done,
        }
    }

    /// The next chunk of data; `None` at the end. A body that ends early is an error,
    /// never a silent short read; a broken body is resumed with a Range request
    /// while the retry budget lasts.
    pub async fn next_chunk(&mut self) -> Option<Result<Bytes, StorageError>> {
        if self.done {
            return None;
        }
        loop {
            let mut failure = match self.read_stream().await {
                Ok(Some(b)) => {
                    self.client.throttle(b.len()).await;
                    return Some(Ok(b));
                }
                Ok(None) => {
                    self.done = true;
                    return None;
                }
                Err(e) => e,
            };
            // Resume from the first missing byte, as often as the budget allows.
            loop {
                self.stream = None;
                let max = self.client.retry_count();
                if self.retries >= max || !error::is_retryable(&failure) {
                    self.done = true;
                    return Some(Err(self.client.at_endpoint(failure)));
                }
                self.retries += 1;
                self.client.count_retry();
                let delay = retry::backoff(self.retries);
                let req = Request::new(Method::GET, Some(&self.bucket), Some(&self.key));
                self.client
                    .report_retry(&req, (self.retries, max), delay, &failure)
                    .await;
                tokio::time::sleep(delay).await;
                match self.reopen().await {
                    Ok(()) => break,
                    Err(e) => failure = e,
                }
            }
        }
    }

    /// Reads from the live stream: `Ok(None)` at a complete end; a retryable error
    /// when the stream broke or ended short.
    async fn read_stream(&mut self) -> Result<Option<Bytes>, StorageError> {
        loop {
            if let Some(end) = self.end
                && self.next >= end
            {
                self.stream = None;
                return Ok(None);
            }
            let Some(stream) = self.stream.as_mut() else {
                return Err(StorageError::new(
                    ErrorKind::Network,
                    "connection lost while reading the object",
                ));
            };
            let frame = match tokio::time::timeout(READ_TIMEOUT, stream.frame()).await {
                Err(_) => return Err(error::timeout("reading the object")),
                Ok(Some(Err(e))) => return Err(error::transport(&e)),
                Ok(Some(Ok(f))) => f,
                Ok(None) => {
                    return match self.end {
                        None => {
                            self.stream = None;
                            Ok(None)
                        }
                        Some(end) => Err(StorageError::new(
                            ErrorKind::Network,
                            format!(
                                "object body ended early: got bytes up to {} of {end}",
                                self.next
                            ),
                        )),
                    };
                }
            };
            let Ok(mut data) = frame.into_data() else {
                continue;
            };
            if self.skip > 0 {
                let n = (self.skip as usize).min(data.len());
                let _ = data.split_to(n);
                self.skip -= n as u64;
            }
            if let Some(end) = self.end {
                let room = end - self.next;
                if (data.len() as u64) > room {
                    data.truncate(room as usize);
                }
            }
            if data.is_empty() {
                continue;
            }
            self.next += data.len() as u64;
            return Ok(Some(data));
        }
    }

    /// Issues the Range request that continues the body.
    async fn reopen(&mut self) -> Result<(), StorageError> {
        let last = self.end.map(|e| e - 1);
        let mut query = String::new();
        if let Some(v) = &self.version_id {
            query.push_str("versionId=");
            query.extend(percent_encoding::utf8_percent_encode(
                v,
                super::sign::QUERY_SET,
            ));
        }
        let mut req = Request::new(Method::GET, Some(&self.bucket), Some(&self.key)).query(&query);
        req.read_body = false;
        let range = match last {
            Some(l) => format!("bytes={}-{l}", self.next),
            None => format!("bytes={}-", self.next),
        };
        put_header(&mut req.headers, "range", &range);
        if let Some(e) = &self.etag {
            put_header(&mut req.headers, "if-match", &format!("\"{e}\""));
        }
        let resp = self.client.send_once(&req).await?;
        let asked = (self.next, last.unwrap_or(u64::MAX - 1));
        let span = span_of(resp.status, &resp.headers, Some(asked))?;
        if let (Some(e), Some(got)) = (&self.etag, headers::get(&resp.headers, "etag"))
            && headers::unquote(&got) != *e
        {
            return Err(StorageError::new(
                ErrorKind::PreconditionFailed,
                "the object changed while it was being downloaded",
            ));
        }
        self.skip = span.skip;
        if self.end.is_none() {
            self.end = span
                .end
                .filter(|_| resp.status == StatusCode::PARTIAL_CONTENT);
        }
        self.stream = resp.stream;
        Ok(())
    }
}
