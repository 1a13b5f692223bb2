//! Errors with the next step: what a refused request was (the S3 operation, the
//! bucket and the key) and what to do about the failures an operator meets first —
//! a missing bucket, a bucket in another region, access denied, no credentials.
//!
//! The hint goes at the end of the server's message, in parentheses, so the
//! s5cmd-compatible `Code: message status code: …` shape of an error is kept.

use http::Method;

use crate::error::ErrorKind;
use crate::storage::StorageError;

/// What a request was, for naming it in errors.
pub(crate) struct Attempted<'a> {
    /// HTTP method.
    pub method: &'a Method,
    /// The bucket, if any (none: the service).
    pub bucket: Option<&'a str>,
    /// The key, if any.
    pub key: Option<&'a str>,
    /// The encoded query string.
    pub query: &'a str,
    /// Whether it carried `x-amz-copy-source`.
    pub copy_source: bool,
}

impl Attempted<'_> {
    /// The S3 API operation name (`PutObject`, `ListObjectsV2` …).
    pub fn operation(&self) -> &'static str {
        let q = |name: &str| {
            self.query
                .split('&')
                .any(|p| p == name || p.starts_with(&format!("{name}=")))
        };
        let m = self.method;
        match (self.bucket, self.key) {
            (None, _) => "ListBuckets",
            (Some(_), None) => match *m {
                Method::HEAD => "HeadBucket",
                Method::DELETE => "DeleteBucket",
                Method::POST if q("delete") => "DeleteObjects",
                Method::PUT if q("versioning") => "PutBucketVersioning",
                Method::PUT => "CreateBucket",
                Method::GET if q("versioning") => "GetBucketVersioning",
                Method::GET if q("location") => "GetBucketLocation",
                Method::GET if q("versions") => "ListObjectVersions",
                Method::GET if q("list-type") => "ListObjectsV2",
                Method::GET => "ListObjects",
                _ => "a bucket request",
            },
            (Some(_), Some(_)) => match *m {
                Method::HEAD => "HeadObject",
                Method::GET if q("tagging") => "GetObjectTagging",
                Method::GET => "GetObject",
                Method::PUT if q("partNumber") && self.copy_source => "UploadPartCopy",
                Method::PUT if q("partNumber") => "UploadPart",
                Method::PUT if self.copy_source => "CopyObject",
                Method::PUT if q("tagging") => "PutObjectTagging",
                Method::PUT => "PutObject",
                Method::DELETE if q("uploadId") => "AbortMultipartUpload",
                Method::DELETE => "DeleteObject",
                Method::POST if q("uploads") => "CreateMultipartUpload",
                Method::POST if q("uploadId") => "CompleteMultipartUpload",
                Method::POST if q("select") => "SelectObjectContent",
                _ => "an object request",
            },
        }
    }

    /// `s3://bucket[/key]`.
    fn url(&self) -> String {
        match (self.bucket, self.key) {
            (Some(b), Some(k)) => format!("s3://{b}/{k}"),
            (Some(b), None) => format!("s3://{b}"),
            _ => "the service".to_owned(),
        }
    }

    /// Whether the request writes into its bucket.
    fn writes(&self) -> bool {
        matches!(*self.method, Method::PUT | Method::POST) && self.key.is_some()
    }
}

/// Adds the next step to a server's error answer to `req`; `region` is the region
/// the answer says the bucket is in, if it says one.
pub(crate) fn explain(
    mut err: StorageError,
    req: &Attempted<'_>,
    region: Option<&str>,
) -> StorageError {
    let hint = match (err.kind, req.bucket) {
        (ErrorKind::NoSuchBucket, Some(b)) if req.writes() => {
            format!("bucket {b} does not exist: create it first (s5rs mb s3://{b})")
        }
        (ErrorKind::NoSuchBucket, Some(b)) => {
            format!("bucket {b} does not exist: check its name, the endpoint and the profile")
        }
        (ErrorKind::AccessDenied, _) => format!(
            "{} on {} was refused: the credentials in use are not allowed to do this, \
             or a bucket policy forbids it",
            req.operation(),
            req.url()
        ),
        _ => match (region, req.bucket) {
            (Some(r), Some(b)) => wrong_region(b, r),
            _ if err.status == Some(301) => match req.bucket {
                Some(b) => format!(
                    "bucket {b} is in another region: set it with \
                     --source-region/--destination-region or AWS_REGION"
                ),
                None => return err,
            },
            _ => return err,
        },
    };
    err.message = if err.message.is_empty() {
        hint
    } else {
        format!("{} ({hint})", err.message)
    };
    err
}

/// The hint for a bucket that lives in region `region`.
pub(crate) fn wrong_region(bucket: &str, region: &str) -> String {
    format!(
        "bucket {bucket} is in region {region}: set it with --source-region/--destination-region \
         {region} or AWS_REGION={region}"
    )
}

/// What the credentials chain looked at and the two most likely fixes, for a
/// client that found no credentials; `profile` is the profile named for it.
pub(crate) fn no_credentials(profile: Option<&str>, credentials_file: Option<&str>) -> String {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let files = match credentials_file {
        Some(f) => f.to_owned(),
        None => env("AWS_SHARED_CREDENTIALS_FILE").unwrap_or_else(|| "~/.aws/credentials".into()),
    };
    let config = env("AWS_CONFIG_FILE").unwrap_or_else(|| "~/.aws/config".into());
    match profile {
        Some(p) => format!(
            "tried: profile {p} in {files} and {config}; fixes: add aws_access_key_id and \
             aws_secret_access_key (or role_arn, sso_session, credential_process) to profile \
             {p}, or name a profile that has them with --profile"
        ),
        None => {
            let profile = env("AWS_PROFILE").unwrap_or_else(|| "default".into());
            let imds = match env("AWS_EC2_METADATA_DISABLED") {
                Some(v) if v.eq_ignore_ascii_case("true") => "",
                _ => ", EC2 instance metadata",
            };
            format!(
                "tried: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profile {profile} in {files} \
                 and {config}, web identity (AWS_WEB_IDENTITY_TOKEN_FILE), ECS container \
                 credentials{imds}; fixes: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, \
                 or put keys in {files} and select that profile with --profile or AWS_PROFILE \
                 (--no-sign-request for public buckets)"
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req<'a>(method: &'a Method, key: Option<&'a str>, query: &'a str) -> Attempted<'a> {
        Attempted {
            method,
            bucket: Some("b"),
            key,
            query,
            copy_source: false,
        }
    }

    fn error(kind: ErrorKind, status: u16) -> StorageError {
        StorageError {
            kind,
            code: Some("Code".into()),
            message: "msg".into(),
            status: Some(status),
            request_id: None,
            host_id: None,
        }
    }

    #[test]
    fn operations_are_named_like_the_api() {
        let cases = [
            (Method::PUT, Some("k"), "", "PutObject"),
            (
                Method::PUT,
                Some("k"),
                "partNumber=1&uploadId=u",
                "UploadPart",
            ),
            (Method::GET, None, "list-type=2&prefix=", "ListObjectsV2"),
            (Method::POST, None, "delete", "DeleteObjects"),
            (Method::HEAD, Some("k"), "", "HeadObject"),
            (
                Method::DELETE,
                Some("k"),
                "uploadId=u",
                "AbortMultipartUpload",
            ),
        ];
        for (m, key, q, name) in &cases {
            assert_eq!(req(m, *key, q).operation(), *name);
        }
    }

    #[test]
    fn hints_name_the_bucket_key_and_next_step() {
        let put = Method::PUT;
        let e = explain(
            error(ErrorKind::NoSuchBucket, 404),
            &req(&put, Some("k"), ""),
            None,
        );
        assert_eq!(
            e.message,
            "msg (bucket b does not exist: create it first (s5rs mb s3://b))"
        );
        let e = explain(
            error(ErrorKind::AccessDenied, 403),
            &req(&put, Some("k"), ""),
            None,
        );
        assert!(
            e.message
                .starts_with("msg (PutObject on s3://b/k was refused")
        );
        let get = Method::GET;
        let e = explain(
            error(ErrorKind::InvalidRequest, 301),
            &req(&get, Some("k"), ""),
            Some("eu-west-2"),
        );
        assert!(
            e.message.contains("bucket b is in region eu-west-2"),
            "{}",
            e.message
        );
        let e = explain(
            error(ErrorKind::NoSuchKey, 404),
            &req(&get, Some("k"), ""),
            None,
        );
        assert_eq!(e.message, "msg");
    }
}
