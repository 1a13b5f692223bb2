//! The S3 backend: a thin client over hyper 1 + hyper-util's pooled client +
//! hyper-rustls, signed with AWS's `aws-sigv4`, parsed with `quick-xml`, with
//! credentials and region from `aws-config`.
//!
//! INTERFACE CONTRACT (bodies are filled in by the S3-client work; signatures are
//! what the rest of s5rs programs against).

use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;

use super::{
    BucketInfo, CompletedPart, DeleteOutcome, ListRequest, Lister, MetadataDirective,
    ObjectHeaders, ObjectInfo, ObjectMeta, StorageError, VersioningStatus, WriteResult,
};

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
    /// Connection-pool size (idle connections kept per host); the worker count.
    pub max_connections: usize,
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

/// The streamed body of a GetObject response.
pub struct ObjectBody {
    _private: (),
}

impl ObjectBody {
    /// The next chunk of data; `None` at the end. A body that ends early is an error,
    /// never a silent short read.
    pub async fn next_chunk(&mut self) -> Option<Result<Bytes, StorageError>> {
        unimplemented!()
    }
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
    _private: (),
}

impl S3Client {
    /// Resolves credentials and region and builds the HTTP client.
    pub async fn new(_config: S3Config) -> Result<S3Client, StorageError> {
        unimplemented!()
    }

    /// The region requests are signed for.
    pub fn region(&self) -> &str {
        unimplemented!()
    }

    /// The endpoint, as `scheme://host[:port]`.
    pub fn endpoint(&self) -> &str {
        unimplemented!()
    }

    /// ListBuckets.
    pub async fn list_buckets(&self) -> Result<Vec<BucketInfo>, StorageError> {
        unimplemented!()
    }

    /// One page of ListObjectsV2 (or v1 when configured), `encoding-type=url`.
    pub async fn list_objects_page(
        &self,
        _bucket: &str,
        _prefix: &str,
        _delimiter: Option<&str>,
        _token: Option<&str>,
    ) -> Result<ListPage, StorageError> {
        unimplemented!()
    }

    /// One page of ListObjectVersions (versions and delete markers merged in key order).
    pub async fn list_versions_page(
        &self,
        _bucket: &str,
        _prefix: &str,
        _delimiter: Option<&str>,
        _token: Option<&str>,
    ) -> Result<ListPage, StorageError> {
        unimplemented!()
    }

    /// A streamed listing (a task paginates into a bounded channel).
    pub fn list(&self, _bucket: &str, _request: ListRequest) -> Lister {
        unimplemented!()
    }

    /// HeadBucket.
    pub async fn head_bucket(&self, _bucket: &str) -> Result<(), StorageError> {
        unimplemented!()
    }

    /// CreateBucket, with a location constraint unless the region is us-east-1.
    pub async fn create_bucket(&self, _bucket: &str) -> Result<(), StorageError> {
        unimplemented!()
    }

    /// DeleteBucket.
    pub async fn delete_bucket(&self, _bucket: &str) -> Result<(), StorageError> {
        unimplemented!()
    }

    /// GetBucketVersioning.
    pub async fn get_bucket_versioning(
        &self,
        _bucket: &str,
    ) -> Result<VersioningStatus, StorageError> {
        unimplemented!()
    }

    /// PutBucketVersioning.
    pub async fn put_bucket_versioning(
        &self,
        _bucket: &str,
        _enabled: bool,
    ) -> Result<(), StorageError> {
        unimplemented!()
    }

    /// HeadObject (optionally of a version, optionally of one part to learn part size).
    pub async fn head_object(
        &self,
        _bucket: &str,
        _key: &str,
        _version_id: Option<&str>,
        _part_number: Option<u32>,
    ) -> Result<ObjectMeta, StorageError> {
        unimplemented!()
    }

    /// GetObject, optionally a byte range `[start, end]` (inclusive).
    pub async fn get_object(
        &self,
        _bucket: &str,
        _key: &str,
        _version_id: Option<&str>,
        _range: Option<(u64, u64)>,
    ) -> Result<GetObjectOutput, StorageError> {
        unimplemented!()
    }

    /// PutObject with Content-MD5.
    pub async fn put_object(
        &self,
        _bucket: &str,
        _key: &str,
        _body: PutBody,
        _headers: &ObjectHeaders,
    ) -> Result<WriteResult, StorageError> {
        unimplemented!()
    }

    /// CopyObject (server side).
    #[allow(clippy::too_many_arguments)]
    pub async fn copy_object(
        &self,
        _src_bucket: &str,
        _src_key: &str,
        _src_version: Option<&str>,
        _dst_bucket: &str,
        _dst_key: &str,
        _directive: MetadataDirective,
        _headers: &ObjectHeaders,
    ) -> Result<WriteResult, StorageError> {
        unimplemented!()
    }

    /// DeleteObject; returns the version id / delete marker id when the server says.
    pub async fn delete_object(
        &self,
        _bucket: &str,
        _key: &str,
        _version_id: Option<&str>,
    ) -> Result<Option<String>, StorageError> {
        unimplemented!()
    }

    /// DeleteObjects (at most 1,000 keys) with Content-MD5; per-key outcomes.
    pub async fn delete_objects(
        &self,
        _bucket: &str,
        _keys: &[(String, Option<String>)],
    ) -> Result<Vec<DeleteOutcome>, StorageError> {
        unimplemented!()
    }

    /// CreateMultipartUpload; returns the upload id.
    pub async fn create_multipart_upload(
        &self,
        _bucket: &str,
        _key: &str,
        _headers: &ObjectHeaders,
    ) -> Result<String, StorageError> {
        unimplemented!()
    }

    /// UploadPart with Content-MD5.
    pub async fn upload_part(
        &self,
        _bucket: &str,
        _key: &str,
        _upload_id: &str,
        _part_number: u32,
        _body: PutBody,
    ) -> Result<CompletedPart, StorageError> {
        unimplemented!()
    }

    /// UploadPartCopy of the source range `[start, end]`.
    #[allow(clippy::too_many_arguments)]
    pub async fn upload_part_copy(
        &self,
        _bucket: &str,
        _key: &str,
        _upload_id: &str,
        _part_number: u32,
        _src_bucket: &str,
        _src_key: &str,
        _src_version: Option<&str>,
        _range: (u64, u64),
    ) -> Result<CompletedPart, StorageError> {
        unimplemented!()
    }

    /// CompleteMultipartUpload (a 200 with an error body is an error).
    pub async fn complete_multipart_upload(
        &self,
        _bucket: &str,
        _key: &str,
        _upload_id: &str,
        _parts: &[CompletedPart],
    ) -> Result<WriteResult, StorageError> {
        unimplemented!()
    }

    /// AbortMultipartUpload.
    pub async fn abort_multipart_upload(
        &self,
        _bucket: &str,
        _key: &str,
        _upload_id: &str,
    ) -> Result<(), StorageError> {
        unimplemented!()
    }

    /// A presigned GET URL valid for `expires`.
    pub fn presign_get(
        &self,
        _bucket: &str,
        _key: &str,
        _version_id: Option<&str>,
        _expires: Duration,
    ) -> Result<String, StorageError> {
        unimplemented!()
    }
}
