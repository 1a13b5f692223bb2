//! What the query commands found: one `ls` entry or bucket, one `du` total, one
//! bucket's versioning state. The commands decide *what* to show and send these typed
//! values; only `output/` decides how they look, in text or JSON (so a change of
//! the schema touches one renderer, not four command files).

use chrono::{DateTime, Utc};

use crate::storage::ObjectInfo;

/// `ls` with no argument: one bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct BucketEntry {
    /// Bucket name.
    pub name: String,
    /// Creation time, when the server reports one.
    pub created: Option<DateTime<Utc>>,
}

/// The text-only `ls` flags (`-e`, `-H`, `-s`, `--show-fullpath`, `--all-versions`);
/// JSON lines ignore them all, as s5cmd's do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListStyle {
    /// `-e`: an ETag column.
    pub etag: bool,
    /// `-H`: human sizes.
    pub humanize: bool,
    /// `-s`: the storage class in its slot.
    pub storage_class: bool,
    /// `--show-fullpath`: only the full URL.
    pub full_path: bool,
    /// `--all-versions`: the name padded to 50, then the version id.
    pub versions: bool,
}

/// One `ls` line: an object, a prefix (`DIR`) or a local file.
#[derive(Debug, Clone, PartialEq)]
pub struct ListEntry {
    /// The name text mode shows: relative to a wildcard, a child of a prefix, the
    /// full key of an exact key, or the local path as walked.
    pub name: String,
    /// `s3://bucket/key` or the local path: JSON's `key`, and the whole text line
    /// with `--show-fullpath`.
    pub url: String,
    /// What the listing reported.
    pub info: ObjectInfo,
    /// A local file: local-time dates, no storage class.
    pub local: bool,
    /// The text-only flags.
    pub style: ListStyle,
}

/// One `du` summary line: a total, or one storage class's total with `-g`.
#[derive(Debug, Clone, PartialEq)]
pub struct DuTotal {
    /// The name of what was summed (`s3://b/*`, `dir`).
    pub source: String,
    /// The storage class, with `-g`.
    pub storage_class: Option<String>,
    /// Number of objects.
    pub count: u64,
    /// Total bytes.
    pub size: u64,
    /// `-H`: a human size in text mode.
    pub humanize: bool,
}

/// `bucket-version`: the state read, or the state just set.
#[derive(Debug, Clone, PartialEq)]
pub struct VersioningState {
    /// Bucket name.
    pub bucket: String,
    /// `Enabled`, `Suspended`, or empty for a bucket never versioned.
    pub status: String,
    /// True after `--set`.
    pub set: bool,
}
