//! Result records: the public JSON schema of s5rs's output (`--json`), one record per
//! operation, plus the shapes of listing, `du`, `head`, `bucket-version` and `--stat`
//! lines. Field names follow s5cmd 2.3 so its users' parsers keep working; s5rs adds
//! `line`, `error_kind`, `skipped`, `verified`, `retries` and `dry_run`.
//!
//! Inside a batch, the lines of the query commands (`ls`, `du`, `head`,
//! `bucket-version`, `presign`) also carry `operation` and `line` (added by `output/`
//! around these shapes), so every record of a batch names the line that made it.
//!
//! Every record struct here derives `Deserialize` with `deny_unknown_fields`, so tests
//! check the schema by strict parsing. Changing a field is a breaking change: add,
//! don't rename. [`QueryResult`] (with the types of `query`) is what the query commands
//! hand to `output/`, which renders it as text or as these records.

mod query;

use chrono::{DateTime, Local, Utc};
use serde::{Deserialize, Serialize};

pub use query::{BucketEntry, DuTotal, ListEntry, ListStyle, VersioningState};

/// A result line of a query command, rendered by `output/` (text or JSON).
#[derive(Debug, Clone, PartialEq)]
pub enum QueryResult {
    /// `ls` with no argument: one bucket.
    Bucket(BucketEntry),
    /// `ls`: one object, prefix or local file.
    Entry(ListEntry),
    /// `du`: one total.
    DiskUsage(DuTotal),
    /// `head` of an object (a JSON line in either mode, as s5cmd).
    HeadObject(HeadObjectRecord),
    /// `head` of a bucket (a JSON line in either mode).
    HeadBucket(HeadBucketRecord),
    /// `bucket-version`.
    Versioning(VersioningState),
    /// `presign`: the URL alone in text mode, a [`PresignRecord`] in JSON.
    Presigned(PresignRecord),
    /// `version`: `v1.2.3` alone (also with `--json`, as s5cmd), a [`VersionRecord`]
    /// on a line of a `--json` batch.
    Version(String),
}

/// The outcome of one operation (one object copied, moved, deleted; one bucket made …),
/// or one failed command (parse error, validation error, listing error).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// `cp`, `mv`, `rm`, `pipe`, `mb`, `rb`, `ls`, `sync`, `run` (parse errors) …
    pub operation: String,
    /// True for completed and skipped operations, false for failures.
    pub success: bool,
    /// Source URL or path, as printed in text mode.
    pub source: Option<String>,
    /// Fully resolved destination URL or path.
    pub destination: Option<String>,
    /// The object written (type, size, key for S3→S3 copies, storage class).
    pub object: Option<ObjectRecord>,
    /// Version id of the source, for version-specific deletes.
    pub version_id: Option<String>,
    /// Why the operation was skipped (`object already exists` …); success stays true.
    pub skipped: Option<String>,
    /// On failures: the command string (s5cmd's `command` field).
    pub command: Option<String>,
    /// On failures: the message.
    pub error: Option<String>,
    /// On failures: the stable error code (`no_such_key`, `parse`, …).
    pub error_kind: Option<String>,
    /// Batch line number (from 1); absent for a command given on the command line.
    pub line: Option<u64>,
    /// What was verified end to end (`md5`, `crc64nvme`, `etag-multipart`, `none`).
    pub verified: Option<String>,
    /// Requests retried while performing this operation, when any were.
    pub retries: Option<u64>,
    /// True on every record of a `--dry-run` run: nothing was written or deleted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dry_run: bool,
    /// `--shard K/N`: the shard that ran it.
    pub shard: Option<String>,
}

impl Record {
    /// A successful record.
    pub fn ok(operation: &str) -> Record {
        Record {
            operation: operation.to_string(),
            success: true,
            source: None,
            destination: None,
            object: None,
            version_id: None,
            skipped: None,
            command: None,
            error: None,
            error_kind: None,
            line: None,
            verified: None,
            retries: None,
            dry_run: false,
            shard: None,
        }
    }

    /// A failed record with its command string, message and kind.
    pub fn failed(
        operation: &str,
        command: String,
        error: String,
        kind: crate::error::ErrorKind,
    ) -> Record {
        Record {
            success: false,
            command: Some(command),
            error: Some(error),
            error_kind: Some(kind.code().to_string()),
            ..Record::ok(operation)
        }
    }
}

/// An object as s5cmd's `storage.Object` JSON: in `cp` records and `ls` lines.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ObjectRecord {
    /// Full URL (`s3://b/k`) or local path.
    pub key: Option<String>,
    /// ETag without quotes.
    pub etag: Option<String>,
    /// RFC 3339 with trimmed nanoseconds (UTC for S3, local offset for files).
    pub last_modified: Option<String>,
    /// `file` or `directory`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Size in bytes (present for files, also when 0 — s5cmd omits 0).
    pub size: Option<u64>,
    /// Storage class.
    pub storage_class: Option<String>,
    /// Version id (version listings).
    pub version_id: Option<String>,
    /// True for a delete marker (version listings).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub delete_marker: bool,
}

/// `ls` with no argument: one bucket.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BucketRecord {
    /// Creation time.
    pub created_at: Option<String>,
    /// Bucket name.
    pub name: String,
}

/// `du` summary.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DuRecord {
    /// The argument as given.
    pub source: String,
    /// Storage class, with `-g`.
    pub storage_class: Option<String>,
    /// Number of objects.
    pub count: u64,
    /// Total bytes.
    pub size: u64,
}

/// `head` of an object (always JSON, as s5cmd).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadObjectRecord {
    /// `s3://bucket/key`.
    pub key: String,
    /// Content-Type.
    pub content_type: Option<String>,
    /// Server-side encryption.
    pub server_side_encryption: Option<String>,
    /// Last-Modified, RFC 3339.
    pub last_modified: Option<String>,
    /// Size.
    pub size: u64,
    /// Storage class (STANDARD when the header is absent).
    pub storage_class: Option<String>,
    /// Version id, when the server reports one (s5cmd never fills it).
    pub version_id: Option<String>,
    /// ETag without quotes.
    pub etag: Option<String>,
    /// User metadata, keys lower-cased; always present.
    pub metadata: std::collections::BTreeMap<String, String>,
}

/// `head` of a bucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadBucketRecord {
    /// `s3://bucket`.
    pub bucket: String,
}

/// `presign` in JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresignRecord {
    /// `s3://bucket/key`.
    pub source: String,
    /// The presigned GET URL.
    pub url: String,
}

/// `version` on a line of a `--json` batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionRecord {
    /// `v1.2.3`.
    pub version: String,
}

/// `bucket-version` in JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BucketVersionRecord {
    /// Bucket name.
    pub bucket: String,
    /// `Enabled`, `Suspended` or empty.
    pub status: String,
}

/// The last record of a `--shard` run: what this shard did (JSON; text mode prints
/// `shard K/N: P planned, D done, S skipped (J by journal), F failed`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardSummary {
    /// Always `shard`.
    pub operation: String,
    /// `K/N`.
    pub shard: String,
    /// Operations (and failed commands) this shard reported on.
    pub planned: u64,
    /// Done (not skipped).
    pub done: u64,
    /// Skipped for any reason, journal included.
    pub skipped: u64,
    /// Skipped because an earlier run finished them (`--journal`).
    pub skipped_journal: u64,
    /// Failed.
    pub failed: u64,
}

/// One `--stat` line in JSON (s5rs adds `total`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatRecord {
    /// Command name.
    pub operation: String,
    /// Invocations that succeeded.
    pub success: u64,
    /// Invocations that failed.
    pub error: u64,
    /// success + error.
    pub total: u64,
}

/// Formats a UTC time as Go's RFC3339Nano (`2026-11-21T19:20:22.61Z`).
pub fn format_utc(t: &DateTime<Utc>) -> String {
    trim_nanos(&t.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string())
}

/// Formats a time in the local zone as Go's RFC3339Nano (`…04:20:22.475144678+09:00`).
pub fn format_local(t: &DateTime<Utc>) -> String {
    let local: DateTime<Local> = t.with_timezone(&Local);
    let s = local.format("%Y-%m-%dT%H:%M:%S%.9f%:z").to_string();
    let (stamp, offset) = s.split_at(s.len() - 6);
    let offset = if offset == "+00:00" { "Z" } else { offset };
    format!("{}{}", trim_nanos(stamp), offset)
}

/// Trims trailing zeros of the fraction (and the dot when nothing remains), keeping
/// whatever follows the fraction (a `Z`).
fn trim_nanos(s: &str) -> String {
    let Some(dot) = s.rfind('.') else {
        return s.to_string();
    };
    let digits_end = s[dot + 1..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(s.len(), |i| dot + 1 + i);
    let fraction = s[dot + 1..digits_end].trim_end_matches('0');
    let tail = &s[digits_end..];
    if fraction.is_empty() {
        format!("{}{}", &s[..dot], tail)
    } else {
        format!("{}.{}{}", &s[..dot], fraction, tail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn go_style_timestamps() {
        let t = Utc.with_ymd_and_hms(2026, 11, 21, 19, 20, 22).unwrap()
            + chrono::Duration::milliseconds(610);
        assert_eq!(format_utc(&t), "2026-11-21T19:20:22.61Z");
        let whole = Utc.with_ymd_and_hms(2026, 11, 21, 19, 20, 22).unwrap();
        assert_eq!(format_utc(&whole), "2026-11-21T19:20:22Z");
    }

    #[test]
    fn records_omit_empty_fields_and_parse_strictly() {
        let mut r = Record::ok("cp");
        r.source = Some("a".into());
        r.destination = Some("s3://b/a".into());
        r.object = Some(ObjectRecord {
            kind: "file".into(),
            size: Some(0),
            ..Default::default()
        });
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(
            json,
            r#"{"operation":"cp","success":true,"source":"a","destination":"s3://b/a","object":{"type":"file","size":0}}"#
        );
        let back: Record = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
        assert!(
            serde_json::from_str::<Record>(r#"{"operation":"cp","success":true,"bogus":1}"#)
                .is_err()
        );
    }
}
