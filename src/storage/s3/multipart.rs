//! Multipart uploads: Create, UploadPart (Content-MD5 + CRC-64/NVME or the
//! `--checksum-algorithm` one, streamed from a
//! file range), UploadPartCopy (`x-amz-copy-source-range`), Complete (a 200 may
//! carry an `<Error>`) and Abort.

use bytes::Bytes;
use http::Method;

use super::error::Target;
use super::headers::{self, apply_object_headers};
use super::object::{copy_source, data_body, write_result};
use super::request::{Body, Request, put_header};
use super::sign::QUERY_SET;
use super::{PutBody, S3Client, xml};
use crate::checksum;
use crate::checksum::ChecksumAlgorithm;
use crate::error::ErrorKind;
use crate::storage::{CompletedPart, ObjectHeaders, StorageError, WriteResult};

fn upload_query(upload_id: &str, part_number: Option<u32>) -> String {
    let mut q = String::with_capacity(40 + upload_id.len());
    if let Some(p) = part_number {
        q.push_str("partNumber=");
        q.push_str(&p.to_string());
        q.push('&');
    }
    q.push_str("uploadId=");
    q.extend(percent_encoding::utf8_percent_encode(upload_id, QUERY_SET));
    q
}

impl S3Client {
    /// CreateMultipartUpload; returns the upload id.
    pub async fn create_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        headers: &ObjectHeaders,
    ) -> Result<String, StorageError> {
        let mut req = Request::new(Method::POST, Some(bucket), Some(key)).query("uploads");
        apply_object_headers(&mut req.headers, headers)?;
        self.sse_c().put_object(&mut req.headers);
        let alg = headers
            .checksum_algorithm
            .unwrap_or(ChecksumAlgorithm::Crc64Nvme);
        put_header(&mut req.headers, "x-amz-checksum-algorithm", alg.as_str());
        if headers.checksum_algorithm.is_some() && checksum::supports_full_object(alg) {
            // A CRC of the whole object (not a checksum of part checksums), so a
            // download can verify it; S3 combines the parts' CRCs.
            put_header(&mut req.headers, "x-amz-checksum-type", "FULL_OBJECT");
        }
        let resp = self.send(&req).await?;
        let root = xml::parse(&resp.body)?;
        root.text_of("UploadId")
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| {
                StorageError::new(
                    ErrorKind::InvalidResponse,
                    "CreateMultipartUpload answer without an UploadId",
                )
            })
    }

    /// UploadPart with Content-MD5 and CRC-64/NVME.
    pub async fn upload_part(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        part_number: u32,
        body: PutBody,
    ) -> Result<CompletedPart, StorageError> {
        self.upload_part_with(bucket, key, upload_id, part_number, body, None)
            .await
    }

    /// UploadPart with Content-MD5 and the checksum of `alg` (CRC-64/NVME when
    /// `None`): the algorithm the upload was created with.
    pub async fn upload_part_with(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        part_number: u32,
        body: PutBody,
        alg: Option<ChecksumAlgorithm>,
    ) -> Result<CompletedPart, StorageError> {
        let query = upload_query(upload_id, Some(part_number));
        let mut req = Request::new(Method::PUT, Some(bucket), Some(key)).query(&query);
        let algorithm = alg.unwrap_or(ChecksumAlgorithm::Crc64Nvme);
        self.sse_c().put_object(&mut req.headers);
        req.body = data_body(body, &mut req.headers, algorithm).await?;
        let header = checksum::header_name(algorithm);
        let checksum = headers::get(&req.headers, header);
        let resp = self.send(&req).await?;
        let etag = headers::get(&resp.headers, "etag")
            .map(|e| headers::unquote(&e))
            .ok_or_else(|| {
                StorageError::new(
                    ErrorKind::InvalidResponse,
                    "UploadPart answer without an ETag",
                )
            })?;
        Ok(CompletedPart {
            part_number,
            etag,
            checksum: headers::get(&resp.headers, header).or(checksum),
            checksum_algorithm: alg,
        })
    }

    /// UploadPartCopy of the source range `[start, end]`.
    #[allow(clippy::too_many_arguments)]
    pub async fn upload_part_copy(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        part_number: u32,
        src_bucket: &str,
        src_key: &str,
        src_version: Option<&str>,
        range: (u64, u64),
    ) -> Result<CompletedPart, StorageError> {
        let query = upload_query(upload_id, Some(part_number));
        let mut req = Request::new(Method::PUT, Some(bucket), Some(key)).query(&query);
        req.ok_may_be_error = true;
        put_header(
            &mut req.headers,
            "x-amz-copy-source",
            &copy_source(src_bucket, src_key, src_version),
        );
        put_header(
            &mut req.headers,
            "x-amz-copy-source-range",
            &format!("bytes={}-{}", range.0, range.1),
        );
        self.sse_c().put_object(&mut req.headers);
        self.sse_c().put_copy_source(&mut req.headers);
        let resp = self.send(&req).await?;
        let root = xml::parse(&resp.body)?;
        let etag = root
            .text_of("ETag")
            .map(headers::unquote)
            .or_else(|| headers::get(&resp.headers, "etag").map(|e| headers::unquote(&e)))
            .ok_or_else(|| {
                StorageError::new(
                    ErrorKind::InvalidResponse,
                    "UploadPartCopy answer without an ETag",
                )
            })?;
        Ok(CompletedPart {
            part_number,
            etag,
            checksum: root.text_of("ChecksumCRC64NVME").map(str::to_owned),
            checksum_algorithm: None,
        })
    }

    /// CompleteMultipartUpload (a 200 with an error body is an error).
    pub async fn complete_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        parts: &[CompletedPart],
    ) -> Result<WriteResult, StorageError> {
        let mut doc = String::with_capacity(128 + parts.len() * 120);
        doc.push_str(
            r#"<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">"#,
        );
        for p in parts {
            doc.push_str("<Part><PartNumber>");
            doc.push_str(&p.part_number.to_string());
            doc.push_str("</PartNumber><ETag>\"");
            xml::push_escaped(&mut doc, &p.etag);
            doc.push_str("\"</ETag>");
            if let Some(c) = &p.checksum {
                let element = checksum::xml_element(
                    p.checksum_algorithm.unwrap_or(ChecksumAlgorithm::Crc64Nvme),
                );
                doc.push('<');
                doc.push_str(element);
                doc.push('>');
                xml::push_escaped(&mut doc, c);
                doc.push_str("</");
                doc.push_str(element);
                doc.push('>');
            }
            doc.push_str("</Part>");
        }
        doc.push_str("</CompleteMultipartUpload>");
        let query = upload_query(upload_id, None);
        let mut req = Request::new(Method::POST, Some(bucket), Some(key))
            .query(&query)
            .body(Body::Signed(Bytes::from(doc)));
        req.ok_may_be_error = true;
        put_header(&mut req.headers, "content-type", "application/xml");
        let resp = self.send(&req).await?;
        let mut result = write_result(&resp.headers);
        if let Ok(root) = xml::parse(&resp.body) {
            if let Some(e) = root.text_of("ETag") {
                result.etag = Some(headers::unquote(e));
            }
            if let Some(c) = root.text_of("ChecksumCRC64NVME") {
                result.checksums.crc64nvme = Some(c.to_owned());
            }
        }
        Ok(result)
    }

    /// AbortMultipartUpload.
    pub async fn abort_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<(), StorageError> {
        let query = upload_query(upload_id, None);
        let mut req = Request::new(Method::DELETE, Some(bucket), Some(key)).query(&query);
        req.target = Target::Object;
        self.send(&req).await.map(|_| ())
    }
}
