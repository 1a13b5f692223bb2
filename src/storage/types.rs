//! s5rs's own storage types: what a listing entry, an object's metadata and the
//! headers of an object to be written look like, independent of any SDK or wire format.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

pub use crate::checksum::Checksums;

/// What a listing entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// A regular file or an S3 object.
    File,
    /// An S3 common prefix (`DIR` in `ls`) or a key ending in `/`.
    Directory,
    /// A local entry that is neither a regular file nor a directory (socket, fifo, device).
    Other,
}

/// One entry of a listing (S3 ListObjects/ListObjectVersions or a local walk).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// The full S3 key (or common prefix, ending in `/`), or the local path as walked
    /// (components joined with `/`, starting with the path the walk was given).
    pub key: String,
    /// File, directory or other.
    pub kind: EntryKind,
    /// Size in bytes (0 for directories and delete markers).
    pub size: u64,
    /// Modification time: S3 LastModified, or the local file's mtime (ns precision).
    pub last_modified: Option<DateTime<Utc>>,
    /// Fractional-second digits `last_modified` carries: 9 for a local file, the
    /// significant digits the listing wrote for S3 (AWS's `.000`: 0), 0 for a time
    /// from an HTTP date.
    pub time_digits: u8,
    /// ETag without surrounding quotes, when the server sent one.
    pub etag: Option<String>,
    /// Storage class, when the server sent one (absent means STANDARD on most servers).
    pub storage_class: Option<String>,
    /// Version id (version listings only).
    pub version_id: Option<String>,
    /// True for a delete marker in a version listing.
    pub is_delete_marker: bool,
    /// True when this is the latest version (always true outside version listings).
    pub is_latest: bool,
}

impl ObjectInfo {
    /// A plain file entry with the given key and size; other fields empty.
    pub fn file(key: impl Into<String>, size: u64) -> Self {
        ObjectInfo {
            key: key.into(),
            kind: EntryKind::File,
            size,
            last_modified: None,
            time_digits: 9,
            etag: None,
            storage_class: None,
            version_id: None,
            is_delete_marker: false,
            is_latest: true,
        }
    }

    /// A directory entry (S3 common prefix).
    pub fn directory(key: impl Into<String>) -> Self {
        ObjectInfo {
            kind: EntryKind::Directory,
            ..ObjectInfo::file(key, 0)
        }
    }
}

/// A bucket from ListBuckets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketInfo {
    /// Bucket name.
    pub name: String,
    /// Creation time, when the server sent one.
    pub created: Option<DateTime<Utc>>,
}

/// Everything HeadObject (or a GetObject response) tells about one object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectMeta {
    /// Content-Length of the whole object.
    pub size: u64,
    /// Last-Modified.
    pub last_modified: Option<DateTime<Utc>>,
    /// ETag without quotes.
    pub etag: Option<String>,
    /// Content-Type, Content-Encoding … as stored.
    pub content: ContentHeaders,
    /// `x-amz-storage-class` (absent = STANDARD).
    pub storage_class: Option<String>,
    /// `x-amz-version-id`.
    pub version_id: Option<String>,
    /// `x-amz-server-side-encryption`.
    pub sse: Option<String>,
    /// `x-amz-server-side-encryption-aws-kms-key-id`.
    pub sse_kms_key_id: Option<String>,
    /// `x-amz-server-side-encryption-customer-algorithm`: set for an SSE-C object
    /// (whose ETag is not the MD5 of its data).
    pub sse_customer_algorithm: Option<String>,
    /// User metadata (`x-amz-meta-*`), keys lower-cased, prefix stripped.
    pub metadata: BTreeMap<String, String>,
    /// Stored checksums (only present when requested with checksum mode and stored).
    pub checksums: Checksums,
    /// `x-amz-mp-parts-count`: number of parts, for a multipart object asked with partNumber.
    pub parts_count: Option<u32>,
    /// `x-amz-tagging-count`.
    pub tag_count: Option<u32>,
    /// `x-amz-restore`, for archived objects.
    pub restore: Option<String>,
}

/// The metadata directive of a server-side copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetadataDirective {
    /// Keep the source's metadata and headers.
    Copy,
    /// Replace them with the ones given.
    Replace,
}

/// The representation headers stored with an object: sent when it is written, returned
/// by GET and HEAD, and carried over to the new object by a copy that keeps the source's
/// metadata (`--metadata-directive COPY`, the default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContentHeaders {
    /// Content-Type.
    pub content_type: Option<String>,
    /// Content-Encoding.
    pub content_encoding: Option<String>,
    /// Content-Disposition.
    pub content_disposition: Option<String>,
    /// Content-Language (no flag sets it; kept by copies).
    pub content_language: Option<String>,
    /// Cache-Control.
    pub cache_control: Option<String>,
    /// Expires, an HTTP date (the flag's RFC 3339 value is converted by the parser).
    pub expires: Option<String>,
}

impl ContentHeaders {
    /// Each header's name, as sent and received, with its value.
    pub fn by_name(&self) -> [(&'static str, &Option<String>); 6] {
        [
            ("content-type", &self.content_type),
            ("content-encoding", &self.content_encoding),
            ("content-disposition", &self.content_disposition),
            ("content-language", &self.content_language),
            ("cache-control", &self.cache_control),
            ("expires", &self.expires),
        ]
    }

    /// True when any header is set.
    pub fn any(&self) -> bool {
        self.by_name().iter().any(|(_, value)| value.is_some())
    }
}

/// Headers and metadata for an object being written (PutObject, CreateMultipartUpload,
/// CopyObject with REPLACE). `None`/empty fields are not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectHeaders {
    /// Content-Type, Content-Encoding, Content-Disposition, Cache-Control, Expires.
    pub content: ContentHeaders,
    /// User metadata, sent as `x-amz-meta-<key>`.
    pub metadata: Vec<(String, String)>,
    /// `x-amz-storage-class`.
    pub storage_class: Option<String>,
    /// `x-amz-acl` canned ACL.
    pub acl: Option<String>,
    /// `x-amz-server-side-encryption`.
    pub sse: Option<String>,
    /// `x-amz-server-side-encryption-aws-kms-key-id` (only sent with `sse`).
    pub sse_kms_key_id: Option<String>,
    /// `x-amz-tagging`, URL-query encoded (`k=v&k2=v2`).
    pub tagging: Option<String>,
    /// `--checksum-algorithm`: the `x-amz-checksum-*` sent with the data (PutObject,
    /// UploadPart) and declared on CreateMultipartUpload; CRC-64/NVME when `None`.
    pub checksum_algorithm: Option<crate::checksum::ChecksumAlgorithm>,
}

/// What a successful write returned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteResult {
    /// ETag of the new object (or part), without quotes.
    pub etag: Option<String>,
    /// Version id of the new object, on versioned buckets.
    pub version_id: Option<String>,
    /// Checksums the server returned.
    pub checksums: Checksums,
}

/// One completed part of a multipart upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletedPart {
    /// Part number, from 1.
    pub part_number: u32,
    /// The part's ETag, without quotes.
    pub etag: String,
    /// The part's checksum (base64), when one was sent with the part.
    pub checksum: Option<String>,
    /// The algorithm of `checksum` (CRC-64/NVME when `None`).
    pub checksum_algorithm: Option<crate::checksum::ChecksumAlgorithm>,
}

/// The outcome of one key inside a DeleteObjects request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteOutcome {
    /// The key.
    pub key: String,
    /// The version deleted (or the delete marker created), when the server says.
    pub version_id: Option<String>,
    /// The per-key error, if the server reported one.
    pub error: Option<super::StorageError>,
}

/// Versioning state of a bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersioningStatus {
    /// Never versioned.
    Unversioned,
    /// Versioning on.
    Enabled,
    /// Versioning suspended.
    Suspended,
}
