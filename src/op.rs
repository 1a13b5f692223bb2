//! Ops: the unit of work, in the machine's words — one object to upload, download,
//! copy, a batch of keys to delete, or an S3 Select query. Planners produce them; `exec/` runs them.

use std::sync::Arc;

use crate::location::RemoteUrl;
use crate::storage::{MetadataDirective, ObjectHeaders, ObjectInfo};

/// Which side of a transfer a client is for (picks the global defaults).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Role {
    /// Neither: the global `--endpoint-url`/`--profile`.
    #[default]
    Any,
    /// The source of a copy (`--source-*` globals first).
    Source,
    /// The destination of a copy or pipe (`--destination-*` globals first).
    Destination,
}

/// Which client an op needs: the global settings unless a line overrides them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ClientSpec {
    /// The side this client serves.
    pub role: Role,
    /// Region override (`--source-region`, `--destination-region`).
    pub region: Option<String>,
    /// Profile override (`--source-profile`, `--destination-profile`).
    pub profile: Option<String>,
    /// Endpoint override (`--source-endpoint-url`, `--destination-endpoint-url`).
    pub endpoint_url: Option<String>,
    /// SSE-C keys the client sends (`--sse-c-key`, `--sse-c-copy-source-key`); the
    /// client shares its connection pool with the spec's keyless twin.
    pub sse_c: crate::storage::s3::SseC,
}

/// Settings shared by every transfer of one command line.
#[derive(Debug, Clone, Default)]
pub struct TransferOpts {
    /// `cp` or `mv` (the record's operation).
    pub operation: &'static str,
    /// Delete the source after a successful transfer.
    pub is_move: bool,
    /// `-n`: skip when the destination exists.
    pub no_clobber: bool,
    /// `-s`: (with an existing destination) copy only when sizes differ.
    pub if_size_differ: bool,
    /// `-u`: (with an existing destination) copy only when the source is newer.
    pub if_source_newer: bool,
    /// Headers from the command's flags (content type only when `--content-type` given).
    pub headers: ObjectHeaders,
    /// True when any header or metadata flag was given (S3→S3 then replaces metadata).
    pub headers_given: bool,
    /// `--metadata-directive`.
    pub metadata_directive: Option<MetadataDirective>,
    /// Parts in flight per file.
    pub concurrency: usize,
    /// Multipart part size in bytes.
    pub part_size: u64,
    /// Client for the source side.
    pub src_client: ClientSpec,
    /// Client for the destination side.
    pub dst_client: ClientSpec,
    /// Storage class requested (shown in the record's object).
    pub storage_class: Option<String>,
}

/// Upload a local file to S3.
#[derive(Debug, Clone)]
pub struct Upload {
    /// Shared settings.
    pub opts: Arc<TransferOpts>,
    /// Local path, as printed.
    pub src: String,
    /// Destination object.
    pub dst: RemoteUrl,
    /// Size and mtime from the walk, when known.
    pub info: Option<ObjectInfo>,
}

/// Download an object to a local file.
#[derive(Debug, Clone)]
pub struct Download {
    /// Shared settings.
    pub opts: Arc<TransferOpts>,
    /// Source object.
    pub src: RemoteUrl,
    /// `--version-id`.
    pub version_id: Option<String>,
    /// Destination path, as printed and as written (relative to the working directory).
    pub dst: String,
    /// Size/ETag/mtime from the listing, when known.
    pub info: Option<ObjectInfo>,
}

/// Copy an object to another S3 location.
#[derive(Debug, Clone)]
pub struct ServerCopy {
    /// Shared settings.
    pub opts: Arc<TransferOpts>,
    /// Source object.
    pub src: RemoteUrl,
    /// `--version-id`.
    pub version_id: Option<String>,
    /// Destination object.
    pub dst: RemoteUrl,
    /// Size/ETag/mtime from the listing, when known.
    pub info: Option<ObjectInfo>,
}

/// Delete up to 1,000 keys of one bucket (one DeleteObjects request).
#[derive(Debug, Clone)]
pub struct DeleteRemote {
    /// Record operation (`rm`).
    pub operation: &'static str,
    /// Client to use.
    pub client: ClientSpec,
    /// Bucket.
    pub bucket: String,
    /// Keys with optional version ids.
    pub keys: Vec<(String, Option<String>)>,
}

/// Delete one local file.
#[derive(Debug, Clone)]
pub struct DeleteLocal {
    /// Record operation (`rm`).
    pub operation: &'static str,
    /// Path as printed.
    pub path: String,
    /// Remove directories left empty, up to this root (sync --delete).
    pub prune_empty_dirs_below: Option<String>,
}

/// Run an S3 Select query on one object, its records going to stdout.
#[derive(Debug, Clone)]
pub struct SelectObject {
    /// Record operation (`select json` …).
    pub operation: &'static str,
    /// Client to use.
    pub client: ClientSpec,
    /// The object.
    pub src: RemoteUrl,
    /// A specific version.
    pub version_id: Option<String>,
    /// The query and serializations, shared by every object of the line.
    pub request: Arc<crate::storage::s3::SelectRequest>,
}

/// What `sync` must still check before a transfer, on the worker that runs it.
#[derive(Debug, Clone)]
pub enum SyncCheck {
    /// S3 → local with equal sizes where the listing's LastModified is newer than the
    /// local file: compare the object's preserved `mtime` metadata instead (HEAD).
    PreservedMtime {
        /// The local file's mtime.
        local_mtime: chrono::DateTime<chrono::Utc>,
    },
    /// S3 → S3 with equal sizes where the source's listing time is newer than the
    /// destination's: compare the `mtime` metadata both objects store (HEAD each).
    StoredMtimes,
    /// `--checksum`: compare content (MD5 / multipart ETag) and skip when equal.
    Checksum,
}

/// A `sync` transfer that is skipped when its check says the pair is up to date.
#[derive(Debug, Clone)]
pub struct SyncPair {
    /// The transfer (upload, download or copy).
    pub op: Box<Op>,
    /// The check to run first.
    pub check: SyncCheck,
}

/// One unit of work.
#[derive(Debug, Clone)]
pub enum Op {
    /// A sync transfer with a check to run first.
    Sync(SyncPair),
    /// local → S3.
    Upload(Upload),
    /// S3 → local.
    Download(Download),
    /// S3 → S3.
    Copy(ServerCopy),
    /// S3 deletes.
    DeleteRemote(DeleteRemote),
    /// Local delete.
    DeleteLocal(DeleteLocal),
    /// S3 Select on one object.
    Select(SelectObject),
}
