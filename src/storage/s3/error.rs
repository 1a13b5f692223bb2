//! Turning HTTP failures into [`StorageError`]s: S3 `<Error>` bodies (code,
//! message, request and host ids), body-less HEAD answers, transport errors and
//! timeouts, each mapped to an [`ErrorKind`] — and which of them are worth a retry.
//! A request that never reached a server is classified further ([`Unreachable`]):
//! a name that does not resolve and a refused certificate are not retried, a refused
//! connection only briefly.

use http::{HeaderMap, StatusCode};

use super::xml;
use crate::error::ErrorKind;
use crate::storage::StorageError;

/// What a request addressed, to type body-less 404s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// No bucket (ListBuckets).
    Service,
    /// A bucket.
    Bucket,
    /// An object (or upload).
    Object,
}

/// Maps an S3 error code (and status) to a kind.
pub(crate) fn kind_for(code: &str, status: u16) -> ErrorKind {
    match code {
        "NoSuchKey" | "NoSuchVersion" => ErrorKind::NoSuchKey,
        "NoSuchBucket" => ErrorKind::NoSuchBucket,
        "NoSuchUpload" => ErrorKind::NoSuchUpload,
        "AccessDenied" | "AllAccessDisabled" | "AccountProblem" => ErrorKind::AccessDenied,
        "InvalidAccessKeyId"
        | "SignatureDoesNotMatch"
        | "ExpiredToken"
        | "InvalidToken"
        | "TokenRefreshRequired" => ErrorKind::InvalidCredentials,
        "BucketNotEmpty" => ErrorKind::BucketNotEmpty,
        "BucketAlreadyExists" | "BucketAlreadyOwnedByYou" => ErrorKind::BucketAlreadyExists,
        "PreconditionFailed" => ErrorKind::PreconditionFailed,
        "SlowDown"
        | "Throttling"
        | "ThrottlingException"
        | "ThrottledException"
        | "RequestThrottledException"
        | "TooManyRequestsException"
        | "RequestLimitExceeded"
        | "BandwidthLimitExceeded"
        | "RequestThrottled"
        | "EC2ThrottledException"
        | "ProvisionedThroughputExceededException" => ErrorKind::Throttled,
        "RequestTimeout" => ErrorKind::Timeout,
        "BadDigest" | "InvalidDigest" | "XAmzContentSHA256Mismatch" => ErrorKind::ChecksumMismatch,
        "NotFound" => ErrorKind::NotFound,
        _ => match status {
            403 => ErrorKind::AccessDenied,
            404 => ErrorKind::NotFound,
            412 => ErrorKind::PreconditionFailed,
            429 => ErrorKind::Throttled,
            500..=599 => ErrorKind::ServerError,
            _ => ErrorKind::InvalidRequest,
        },
    }
}

/// True when a failed request may be retried.
pub(crate) fn is_retryable(e: &StorageError) -> bool {
    match e.kind {
        ErrorKind::Network | ErrorKind::Timeout | ErrorKind::Throttled => true,
        // 501 Not Implemented and 505 HTTP Version Not Supported say the server will
        // never do it; the other 5xx are transient (the AWS SDKs retry them too).
        ErrorKind::ServerError => !matches!(e.status, Some(501 | 505)),
        // The body was corrupted on its way (BadDigest): send it again.
        ErrorKind::ChecksumMismatch => true,
        ErrorKind::InvalidCredentials | ErrorKind::NoCredentials => false,
        _ => matches!(
            e.code.as_deref(),
            Some("RequestTimeout" | "InternalError" | "ServiceUnavailable" | "SlowDown")
        ),
    }
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Builds the error for a non-success response with (possibly empty) `body`.
pub(crate) fn from_response(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    target: Target,
) -> StorageError {
    let mut err = StorageError {
        kind: ErrorKind::Other,
        code: None,
        message: String::new(),
        status: Some(status.as_u16()),
        request_id: header(headers, "x-amz-request-id"),
        host_id: header(headers, "x-amz-id-2"),
        hint: None,
    };
    if let Some(root) = (!body.is_empty())
        .then(|| xml::parse(body).ok())
        .flatten()
        .filter(|r| r.name == "Error")
    {
        fill_from_xml(&mut err, &root);
    }
    if err.code.is_none() {
        let (code, message) = match status.as_u16() {
            301 => ("MovedPermanently", "Moved Permanently"),
            400 => ("BadRequest", "Bad Request"),
            403 => ("Forbidden", "Forbidden"),
            404 => ("NotFound", "Not Found"),
            405 => ("MethodNotAllowed", "Method Not Allowed"),
            409 => ("Conflict", "Conflict"),
            412 => ("PreconditionFailed", "Precondition Failed"),
            416 => ("InvalidRange", "Requested Range Not Satisfiable"),
            429 => ("SlowDown", "Too Many Requests"),
            500 => ("InternalError", "Internal Server Error"),
            501 => ("NotImplemented", "Not Implemented"),
            502 => ("BadGateway", "Bad Gateway"),
            503 => ("ServiceUnavailable", "Service Unavailable"),
            504 => ("GatewayTimeout", "Gateway Timeout"),
            s => {
                err.code = Some(format!("Http{s}"));
                err.message = status
                    .canonical_reason()
                    .unwrap_or("unexpected status")
                    .to_owned();
                ("", "")
            }
        };
        if !code.is_empty() {
            err.code = Some(code.to_owned());
            err.message = message.to_owned();
        }
    }
    let code = err.code.as_deref().unwrap_or("");
    err.kind = if code == "NotFound" || (code == "Http404") {
        match target {
            Target::Bucket => ErrorKind::NoSuchBucket,
            Target::Object => ErrorKind::NoSuchKey,
            Target::Service => ErrorKind::NotFound,
        }
    } else if status.as_u16() == 403 && code == "Forbidden" {
        ErrorKind::AccessDenied
    } else {
        kind_for(code, status.as_u16())
    };
    err
}

/// Fills code, message and request id from a parsed `<Error>` element.
pub(crate) fn fill_from_xml(err: &mut StorageError, root: &xml::Element) {
    if let Some(c) = root.text_of("Code") {
        err.code = Some(c.to_owned());
    }
    if let Some(m) = root.text_of("Message") {
        err.message = m.to_owned();
    }
    if let Some(r) = root.text_of("RequestId").filter(|s| !s.is_empty()) {
        err.request_id = Some(r.to_owned());
    }
    // The host id comes from the `x-amz-id-2` header only, as in the Go SDK s5cmd
    // uses: moto puts a `<HostId>` in the body and none in the headers, and s5cmd
    // prints `host id:` empty there.
}

/// An error found in the body of a 200 response (CopyObject, CompleteMultipartUpload).
pub(crate) fn from_ok_body(headers: &HeaderMap, root: &xml::Element) -> StorageError {
    let mut err = StorageError {
        kind: ErrorKind::Other,
        code: None,
        message: String::new(),
        status: Some(200),
        request_id: header(headers, "x-amz-request-id"),
        host_id: header(headers, "x-amz-id-2"),
        hint: None,
    };
    fill_from_xml(&mut err, root);
    let code = err.code.clone().unwrap_or_default();
    err.kind = match code.as_str() {
        "InternalError" | "ServiceUnavailable" => ErrorKind::ServerError,
        c => kind_for(c, 200),
    };
    err
}

/// A transport-level failure (connect, reset, TLS, malformed HTTP).
pub(crate) fn transport(e: &(dyn std::error::Error + 'static)) -> StorageError {
    let msg = super::config::error_chain(e);
    let kind = if msg.contains("timed out") || msg.contains("timeout") {
        ErrorKind::Timeout
    } else {
        ErrorKind::Network
    };
    StorageError::new(kind, msg)
}

/// Why a request could not reach any server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unreachable {
    /// The endpoint's host name does not resolve.
    Dns,
    /// Nothing listens at the endpoint's address and port.
    Refused,
    /// The server's TLS certificate was refused.
    Certificate,
}

/// Classifies a failure to send a request: `None` when it is not one of the
/// [`Unreachable`] cases (reset, TLS, malformed HTTP …).
pub(crate) fn unreachable(e: &(dyn std::error::Error + 'static)) -> Option<Unreachable> {
    if super::tls::certificate_error(e).is_some() {
        return Some(Unreachable::Certificate);
    }
    let mut cur = Some(e);
    while let Some(err) = cur {
        if err.is::<super::dns::DnsError>() {
            return Some(Unreachable::Dns);
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return Some(Unreachable::Refused);
        }
        cur = err.source();
    }
    None
}

/// A failure to send a request, as [`transport`] types it, with hyper-util's
/// generic `client error (Connect)` (and `dns error`) left out when a cause says more.
pub(crate) fn send_failure(e: &hyper_util::client::legacy::Error) -> StorageError {
    let mut err = transport(e);
    if !e.is_connect() {
        return err;
    }
    let mut cur = std::error::Error::source(e);
    let mut start = cur;
    while let Some(c) = cur {
        if c.is::<super::dns::DnsError>() {
            start = Some(c);
            break;
        }
        cur = c.source();
    }
    if let Some(cause) = start {
        err.message = super::config::error_chain(cause);
    }
    err
}

/// A request or body read that took too long.
pub(crate) fn timeout(what: &str) -> StorageError {
    StorageError::new(ErrorKind::Timeout, format!("{what} timed out"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transient_server_errors_are_retried_and_not_implemented_is_not() {
        let answer = |status: u16| {
            from_response(
                StatusCode::from_u16(status).unwrap(),
                &HeaderMap::new(),
                b"",
                Target::Object,
            )
        };
        for status in [500, 502, 503, 504] {
            assert!(is_retryable(&answer(status)), "{status}");
        }
        for status in [501, 505, 400, 403] {
            assert!(!is_retryable(&answer(status)), "{status}");
        }
    }

    #[test]
    fn parses_error_body_like_s5cmd() {
        let body = b"<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><RequestId>R1</RequestId><HostId>H1</HostId></Error>";
        let e = from_response(
            StatusCode::NOT_FOUND,
            &HeaderMap::new(),
            body,
            Target::Object,
        );
        assert_eq!(e.kind, ErrorKind::NoSuchKey);
        assert_eq!(
            e.to_string(),
            "NoSuchKey: The specified key does not exist. status code: 404, request id: R1, host id: "
        );
    }

    #[test]
    fn head_404_without_body() {
        let e = from_response(
            StatusCode::NOT_FOUND,
            &HeaderMap::new(),
            b"",
            Target::Object,
        );
        assert_eq!(e.kind, ErrorKind::NoSuchKey);
        assert_eq!(e.code.as_deref(), Some("NotFound"));
        assert_eq!(e.message, "Not Found");
        let e = from_response(
            StatusCode::NOT_FOUND,
            &HeaderMap::new(),
            b"",
            Target::Bucket,
        );
        assert_eq!(e.kind, ErrorKind::NoSuchBucket);
    }

    #[test]
    fn retry_classes() {
        let slow = from_response(
            StatusCode::SERVICE_UNAVAILABLE,
            &HeaderMap::new(),
            b"<Error><Code>SlowDown</Code><Message>m</Message></Error>",
            Target::Object,
        );
        assert_eq!(slow.kind, ErrorKind::Throttled);
        assert!(is_retryable(&slow));
        let creds = from_response(
            StatusCode::FORBIDDEN,
            &HeaderMap::new(),
            b"<Error><Code>SignatureDoesNotMatch</Code><Message>m</Message></Error>",
            Target::Object,
        );
        assert_eq!(creds.kind, ErrorKind::InvalidCredentials);
        assert!(!is_retryable(&creds));
        let denied = from_response(
            StatusCode::FORBIDDEN,
            &HeaderMap::new(),
            b"",
            Target::Object,
        );
        assert_eq!(denied.kind, ErrorKind::AccessDenied);
        assert!(!is_retryable(&denied));
    }
}
