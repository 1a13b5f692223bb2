//! Storage backends: one [`Storage`] trait over S3 buckets and the local file system,
//! with s5rs's own types ([`types`]) and one error type ([`StorageError`]).
//!
//! `s3/` is the only code that knows HTTP, XML or SigV4; `local.rs` the only code that
//! walks directories. Nothing outside this module sees an SDK, hyper or quick-xml type.

pub mod fd;
pub mod fs_pool;
pub mod local;
pub mod s3;
pub mod types;
pub mod unnamed;

use std::fmt;
use std::future::Future;

pub use types::*;

use crate::error::ErrorKind;

/// A failed storage operation: its kind, and for S3 the service's code, message,
/// HTTP status and request ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageError {
    /// Category, mapped to the record's `error_kind`.
    pub kind: ErrorKind,
    /// The S3 error code (`NoSuchKey`, `SlowDown` …) when the server sent one.
    pub code: Option<String>,
    /// Human-readable message (the service's `Message`, or a local description).
    pub message: String,
    /// HTTP status, for service errors.
    pub status: Option<u16>,
    /// `x-amz-request-id`.
    pub request_id: Option<String>,
    /// `x-amz-id-2`.
    pub host_id: Option<String>,
    /// What to do next (s5rs), shown last, after s5cmd's text, in parentheses.
    pub hint: Option<Box<str>>,
}

impl StorageError {
    /// A lookup error meaning "not there" (`NoSuchKey`, or a local file not found).
    pub fn is_missing(&self) -> bool {
        matches!(self.kind, ErrorKind::NoSuchKey | ErrorKind::NotFound)
    }

    /// A local (non-service) error of the given kind.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        StorageError {
            kind,
            code: None,
            message: message.into(),
            status: None,
            request_id: None,
            host_id: None,
            hint: None,
        }
    }

    /// An I/O error on a local path, described as `<op> <path>: <error>`.
    pub fn io(op: &str, path: &str, err: &std::io::Error) -> Self {
        let kind = match err.kind() {
            std::io::ErrorKind::NotFound => ErrorKind::NoSuchKey,
            std::io::ErrorKind::PermissionDenied => ErrorKind::AccessDenied,
            _ => ErrorKind::Io,
        };
        StorageError::new(kind, format!("{op} {path}: {err}"))
    }
}

/// Renders like s5cmd: `Code: message status code: 404, request id: X, host id: Y`
/// for service errors, the plain message otherwise. Without a message it is the Go
/// SDK's `Code: \n\tstatus code: …`, which output flattens to s5cmd's
/// `Code:  status code: …` (two spaces).
impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.code, self.status) {
            (Some(code), Some(status)) => write!(
                f,
                "{code}: {}{}status code: {status}, request id: {}, host id: {}",
                self.message,
                if self.message.is_empty() { "\n\t" } else { " " },
                self.request_id.as_deref().unwrap_or(""),
                self.host_id.as_deref().unwrap_or("")
            )?,
            (Some(code), None) => write!(f, "{code}: {}", self.message)?,
            _ => f.write_str(&self.message)?,
        }
        match &self.hint {
            Some(hint) => write!(f, " ({hint})"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for StorageError {}

/// A streamed listing: entries arrive in key order (S3 order, or byte order of the
/// relative path for local walks) through a bounded channel, so a listing of a
/// billion keys never sits in memory. An `Err` item ends the listing.
pub type Lister = tokio::sync::mpsc::Receiver<Result<ObjectInfo, StorageError>>;

/// How many listing entries may wait in a [`Lister`] channel before the producer blocks.
pub const LIST_CHANNEL_CAPACITY: usize = 1000;

/// What to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRequest {
    /// S3 key prefix, or local path (file, directory) to walk.
    pub prefix: String,
    /// Recursive listing (no delimiter). False: one level, common prefixes as directories.
    pub recursive: bool,
    /// List every version and delete marker (S3 only).
    pub all_versions: bool,
}

/// What both backends can do with objects: list, inspect, delete.
///
/// Transfers are direction-specific and live in `exec/`, which calls the concrete
/// backends ([`s3::S3Client`], [`local`]) directly.
pub trait Storage: Send + Sync {
    /// Starts a streamed listing.
    fn list(&self, request: ListRequest) -> Lister;
    /// Metadata of one object or file; a missing one is an error of kind `NoSuchKey`/`NotFound`.
    fn stat(
        &self,
        key: &str,
        version_id: Option<&str>,
    ) -> impl Future<Output = Result<ObjectMeta, StorageError>> + Send;
    /// Deletes one object or file.
    fn delete(
        &self,
        key: &str,
        version_id: Option<&str>,
    ) -> impl Future<Output = Result<(), StorageError>> + Send;
}
