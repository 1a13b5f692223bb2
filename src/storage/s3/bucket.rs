//! Bucket operations: HeadBucket, CreateBucket (with a location constraint outside
//! us-east-1), DeleteBucket, Get/PutBucketVersioning.

use bytes::Bytes;
use http::Method;

use super::request::{Body, Request, put_header};
use super::{S3Client, headers, xml};
use crate::storage::{StorageError, VersioningStatus};

impl S3Client {
    /// HeadBucket.
    pub async fn head_bucket(&self, bucket: &str) -> Result<(), StorageError> {
        self.send(&Request::new(Method::HEAD, Some(bucket), None))
            .await
            .map(|_| ())
    }

    /// CreateBucket, with a location constraint unless the region is us-east-1.
    pub async fn create_bucket(&self, bucket: &str) -> Result<(), StorageError> {
        let region = self.region_for(Some(bucket));
        let mut req = Request::new(Method::PUT, Some(bucket), None);
        if region != "us-east-1" {
            let mut doc = String::from(
                r#"<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>"#,
            );
            xml::push_escaped(&mut doc, &region);
            doc.push_str("</LocationConstraint></CreateBucketConfiguration>");
            let body = Bytes::from(doc);
            put_header(&mut req.headers, "content-md5", &headers::md5_b64(&body));
            req.body = Body::Signed(body);
        }
        self.send(&req).await.map(|_| ())
    }

    /// DeleteBucket.
    pub async fn delete_bucket(&self, bucket: &str) -> Result<(), StorageError> {
        self.send(&Request::new(Method::DELETE, Some(bucket), None))
            .await
            .map(|_| ())
    }

    /// GetBucketVersioning.
    pub async fn get_bucket_versioning(
        &self,
        bucket: &str,
    ) -> Result<VersioningStatus, StorageError> {
        let req = Request::new(Method::GET, Some(bucket), None).query("versioning");
        let resp = self.send(&req).await?;
        let root = xml::parse(&resp.body)?;
        Ok(match root.text_of("Status").map(str::trim) {
            Some("Enabled") => VersioningStatus::Enabled,
            Some("Suspended") => VersioningStatus::Suspended,
            _ => VersioningStatus::Unversioned,
        })
    }

    /// PutBucketVersioning.
    pub async fn put_bucket_versioning(
        &self,
        bucket: &str,
        enabled: bool,
    ) -> Result<(), StorageError> {
        let status = if enabled { "Enabled" } else { "Suspended" };
        let body = Bytes::from(format!(
            r#"<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>{status}</Status></VersioningConfiguration>"#
        ));
        let mut req = Request::new(Method::PUT, Some(bucket), None).query("versioning");
        put_header(&mut req.headers, "content-md5", &headers::md5_b64(&body));
        req.body = Body::Signed(body);
        self.send(&req).await.map(|_| ())
    }
}
