//! Typed error kinds shared by every layer.
//!
//! Every failure that reaches a result record carries an [`ErrorKind`]; its
//! [`ErrorKind::code`] is the stable snake_case string written to JSON records as
//! `error_kind`. Codes are a public contract: add new ones, never rename old ones.

use std::fmt;

/// The category of a failure, stable across releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A batch line or command line could not be parsed (quoting, unknown flag, arity).
    Parse,
    /// A command was well-formed but its arguments make no sense together.
    Usage,
    /// A wildcard, prefix or local glob matched nothing.
    NoMatch,
    /// The object (key or local file) does not exist.
    NoSuchKey,
    /// The bucket does not exist.
    NoSuchBucket,
    /// A HEAD-style request answered 404 without an error code.
    NotFound,
    /// A multipart upload id is unknown to the server.
    NoSuchUpload,
    /// The server refused the request (403).
    AccessDenied,
    /// The credentials are wrong (bad key id or signature).
    InvalidCredentials,
    /// No credentials could be found.
    NoCredentials,
    /// The bucket is not empty (rb).
    BucketNotEmpty,
    /// The bucket name is taken.
    BucketAlreadyExists,
    /// A conditional request failed (If-Match, If-None-Match).
    PreconditionFailed,
    /// The server rejected the request as malformed (other 4xx).
    InvalidRequest,
    /// The server asked us to slow down and retries ran out.
    Throttled,
    /// The server failed (5xx) and retries ran out.
    ServerError,
    /// A connection could not be made or broke, and retries ran out.
    Network,
    /// A request timed out and retries ran out.
    Timeout,
    /// Data did not match its checksum.
    ChecksumMismatch,
    /// The server's answer could not be understood.
    InvalidResponse,
    /// A local file-system operation failed.
    Io,
    /// A path exists but is not a regular file (socket, device, fifo).
    NotRegularFile,
    /// The object is in an archive storage class and was not transferred.
    Glacier,
    /// An object key would escape the destination directory.
    UnsafeKey,
    /// A local file name (or a batch line) is not valid UTF-8, so it cannot be an
    /// S3 key; the file was not transferred.
    InvalidName,
    /// The operation was cancelled (interrupt, --exit-on-error).
    Cancelled,
    /// `sync --max-delete` refused to delete more objects.
    MaxDeleteExceeded,
    /// Anything else.
    Other,
}

impl ErrorKind {
    /// The stable snake_case code written to JSON records.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::Parse => "parse",
            ErrorKind::Usage => "usage",
            ErrorKind::NoMatch => "no_match",
            ErrorKind::NoSuchKey => "no_such_key",
            ErrorKind::NoSuchBucket => "no_such_bucket",
            ErrorKind::NotFound => "not_found",
            ErrorKind::NoSuchUpload => "no_such_upload",
            ErrorKind::AccessDenied => "access_denied",
            ErrorKind::InvalidCredentials => "invalid_credentials",
            ErrorKind::NoCredentials => "no_credentials",
            ErrorKind::BucketNotEmpty => "bucket_not_empty",
            ErrorKind::BucketAlreadyExists => "bucket_already_exists",
            ErrorKind::PreconditionFailed => "precondition_failed",
            ErrorKind::InvalidRequest => "invalid_request",
            ErrorKind::Throttled => "throttled",
            ErrorKind::ServerError => "server_error",
            ErrorKind::Network => "network",
            ErrorKind::Timeout => "timeout",
            ErrorKind::ChecksumMismatch => "checksum_mismatch",
            ErrorKind::InvalidResponse => "invalid_response",
            ErrorKind::Io => "io",
            ErrorKind::NotRegularFile => "not_regular_file",
            ErrorKind::Glacier => "glacier",
            ErrorKind::UnsafeKey => "unsafe_key",
            ErrorKind::InvalidName => "invalid_name",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::MaxDeleteExceeded => "max_delete_exceeded",
            ErrorKind::Other => "other",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}
