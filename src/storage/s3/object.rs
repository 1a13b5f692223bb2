//! Single-object operations: HeadObject, GetObject, PutObject, CopyObject,
//! DeleteObject and DeleteObjects.
//!
//! Uploads send `UNSIGNED-PAYLOAD` with Content-MD5 and `x-amz-checksum-crc64nvme`
//! (or the `--checksum-algorithm` one; verified by the server) rather than hashing
//! the payload for the signature or using aws-chunked signed trailers, which some
//! servers mishandle. GetObject and HeadObject ask for stored checksums
//! (`x-amz-checksum-mode: ENABLED`) so downloads can be verified against them.

use bytes::Bytes;
use http::{HeaderMap, Method};

use super::body::{ObjectBody, span_of};
use super::error::{self, Target};
use super::headers::{self, apply_object_headers};
use super::request::{Body, Request, put_header};
use super::sign::{PATH_SET, QUERY_SET};
use super::{GetObjectOutput, PutBody, S3Client, xml};
use crate::checksum;
use crate::checksum::ChecksumAlgorithm;
use crate::error::ErrorKind;
use crate::storage::{
    DeleteOutcome, MetadataDirective, ObjectHeaders, ObjectMeta, StorageError, WriteResult,
};

/// `versionId=<v>` (encoded), or empty.
pub(crate) fn version_query(version_id: Option<&str>) -> String {
    match version_id {
        Some(v) => {
            let mut q = String::with_capacity(10 + v.len());
            q.push_str("versionId=");
            q.extend(percent_encoding::utf8_percent_encode(v, QUERY_SET));
            q
        }
        None => String::new(),
    }
}

/// The request body and its integrity headers for object data.
pub(crate) async fn data_body(
    body: PutBody,
    headers: &mut HeaderMap,
    alg: ChecksumAlgorithm,
) -> Result<Body, StorageError> {
    let (body, md5, sum) = match body {
        PutBody::Bytes(b) => {
            let md5 = headers::md5_b64(&b);
            let sum = checksum::checksum_b64(alg, &b);
            (Body::Data(b), md5, sum)
        }
        PutBody::File { path, offset, len } => {
            let (md5, sum) = headers::file_digests(&path, offset, len, alg).await?;
            (Body::File { path, offset, len }, md5, sum)
        }
    };
    put_header(headers, "content-md5", &md5);
    put_header(headers, checksum::header_name(alg), &sum);
    Ok(body)
}

/// `bucket/key[?versionId=v]`, percent-encoded, for `x-amz-copy-source`.
pub(crate) fn copy_source(bucket: &str, key: &str, version: Option<&str>) -> String {
    let mut s = String::with_capacity(bucket.len() + key.len() * 3 + 2);
    s.extend(percent_encoding::utf8_percent_encode(bucket, PATH_SET));
    s.push('/');
    s.extend(percent_encoding::utf8_percent_encode(key, PATH_SET));
    if let Some(v) = version {
        s.push_str("?versionId=");
        s.extend(percent_encoding::utf8_percent_encode(v, QUERY_SET));
    }
    s
}

/// The result of a write, from response headers.
pub(crate) fn write_result(headers: &HeaderMap) -> WriteResult {
    WriteResult {
        etag: headers::get(headers, "etag").map(|e| headers::unquote(&e)),
        version_id: headers::get(headers, "x-amz-version-id"),
        checksums: headers::checksums(headers),
    }
}

impl S3Client {
    /// A read refused with 400 and no key sent may be of an SSE-C object: says so.
    fn sse_c_hint(&self, mut e: StorageError) -> StorageError {
        if e.status == Some(400) && self.sse_c().object.is_none() {
            e.message
                .push_str(" (if the object is encrypted with SSE-C, give its key: --sse-c-key)");
        }
        e
    }

    /// HeadObject (optionally of a version, optionally of one part to learn part size).
    pub async fn head_object(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        part_number: Option<u32>,
    ) -> Result<ObjectMeta, StorageError> {
        let mut query = version_query(version_id);
        if let Some(p) = part_number {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str("partNumber=");
            query.push_str(&p.to_string());
        }
        let mut req = Request::new(Method::HEAD, Some(bucket), Some(key)).query(&query);
        put_header(&mut req.headers, "x-amz-checksum-mode", "ENABLED");
        self.sse_c().put_object(&mut req.headers);
        let resp = self.send(&req).await.map_err(|e| self.sse_c_hint(e))?;
        Ok(headers::object_meta(&resp.headers))
    }

    /// HeadObject of part `part_number` of a multipart object: the object's headers
    /// and the part's own length (its Content-Length), to learn the part size.
    pub async fn head_object_part(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        part_number: u32,
    ) -> Result<(ObjectMeta, u64), StorageError> {
        let mut query = version_query(version_id);
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str("partNumber=");
        query.push_str(&part_number.to_string());
        let mut req = Request::new(Method::HEAD, Some(bucket), Some(key)).query(&query);
        self.sse_c().put_object(&mut req.headers);
        let resp = self.send(&req).await.map_err(|e| self.sse_c_hint(e))?;
        let part_len = headers::get(&resp.headers, "content-length")
            .and_then(|v| v.trim().parse().ok())
            .ok_or_else(|| {
                StorageError::new(
                    ErrorKind::InvalidResponse,
                    "HeadObject of a part without a Content-Length",
                )
            })?;
        Ok((headers::object_meta(&resp.headers), part_len))
    }

    /// GetObject, optionally a byte range `[start, end]` (inclusive).
    pub async fn get_object(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        range: Option<(u64, u64)>,
    ) -> Result<GetObjectOutput, StorageError> {
        let query = version_query(version_id);
        let mut req = Request::new(Method::GET, Some(bucket), Some(key)).query(&query);
        req.read_body = false;
        put_header(&mut req.headers, "x-amz-checksum-mode", "ENABLED");
        self.sse_c().put_object(&mut req.headers);
        if let Some((a, b)) = range {
            if b < a {
                return Err(StorageError::new(
                    ErrorKind::Usage,
                    format!("invalid range {a}-{b}"),
                ));
            }
            put_header(&mut req.headers, "range", &format!("bytes={a}-{b}"));
        }
        let resp = self.send(&req).await.map_err(|e| self.sse_c_hint(e))?;
        let mut meta = headers::object_meta(&resp.headers);
        let span = span_of(resp.status, &resp.headers, range)?;
        if resp.status == http::StatusCode::OK
            && range.is_some()
            && !resp.headers.contains_key(http::header::CONTENT_RANGE)
        {
            // The whole object came back: Content-Length is its size.
            meta.size = headers::get(&resp.headers, "content-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(meta.size);
        }
        let stream = resp.stream.ok_or_else(|| {
            StorageError::new(ErrorKind::InvalidResponse, "response without a body")
        })?;
        let body = ObjectBody::new(
            self.clone(),
            bucket,
            key,
            version_id,
            meta.etag.clone(),
            stream,
            span,
        );
        Ok(GetObjectOutput { meta, body })
    }

    /// PutObject with Content-MD5.
    pub async fn put_object(
        &self,
        bucket: &str,
        key: &str,
        body: PutBody,
        headers: &ObjectHeaders,
    ) -> Result<WriteResult, StorageError> {
        let mut req = Request::new(Method::PUT, Some(bucket), Some(key));
        apply_object_headers(&mut req.headers, headers)?;
        self.sse_c().put_object(&mut req.headers);
        let alg = headers
            .checksum_algorithm
            .unwrap_or(ChecksumAlgorithm::Crc64Nvme);
        req.body = data_body(body, &mut req.headers, alg).await?;
        let resp = self.send(&req).await?;
        Ok(write_result(&resp.headers))
    }

    /// CopyObject (server side).
    #[allow(clippy::too_many_arguments)]
    pub async fn copy_object(
        &self,
        src_bucket: &str,
        src_key: &str,
        src_version: Option<&str>,
        dst_bucket: &str,
        dst_key: &str,
        directive: MetadataDirective,
        headers: &ObjectHeaders,
    ) -> Result<WriteResult, StorageError> {
        let mut req = Request::new(Method::PUT, Some(dst_bucket), Some(dst_key));
        req.ok_may_be_error = true;
        put_header(
            &mut req.headers,
            "x-amz-copy-source",
            &copy_source(src_bucket, src_key, src_version),
        );
        self.sse_c().put_object(&mut req.headers);
        self.sse_c().put_copy_source(&mut req.headers);
        match directive {
            MetadataDirective::Copy => {
                put_header(&mut req.headers, "x-amz-metadata-directive", "COPY");
                // Storage class, ACL and encryption apply to the new copy either way.
                let keep = ObjectHeaders {
                    storage_class: headers.storage_class.clone(),
                    acl: headers.acl.clone(),
                    sse: headers.sse.clone(),
                    sse_kms_key_id: headers.sse_kms_key_id.clone(),
                    ..ObjectHeaders::default()
                };
                apply_object_headers(&mut req.headers, &keep)?;
            }
            MetadataDirective::Replace => {
                put_header(&mut req.headers, "x-amz-metadata-directive", "REPLACE");
                apply_object_headers(&mut req.headers, headers)?;
            }
        }
        // The server copies the source's tags unless told to replace them.
        if let Some(tagging) = &headers.tagging {
            put_header(&mut req.headers, "x-amz-tagging", tagging);
            put_header(&mut req.headers, "x-amz-tagging-directive", "REPLACE");
        }
        let resp = self.send(&req).await?;
        let mut result = write_result(&resp.headers);
        if let Ok(root) = xml::parse(&resp.body)
            && let Some(e) = root.text_of("ETag")
        {
            result.etag = Some(headers::unquote(e));
        }
        Ok(result)
    }

    /// DeleteObject; returns the version id / delete marker id when the server says.
    pub async fn delete_object(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<Option<String>, StorageError> {
        let query = version_query(version_id);
        let req = Request::new(Method::DELETE, Some(bucket), Some(key)).query(&query);
        let resp = self.send(&req).await?;
        Ok(headers::get(&resp.headers, "x-amz-version-id"))
    }

    /// DeleteObjects (at most 1,000 keys) with Content-MD5; per-key outcomes.
    ///
    /// Keys holding characters XML 1.0 cannot carry (controls other than tab, LF
    /// and CR) are deleted one by one with DeleteObject instead.
    pub async fn delete_objects(
        &self,
        bucket: &str,
        keys: &[(String, Option<String>)],
    ) -> Result<Vec<DeleteOutcome>, StorageError> {
        if keys.len() > 1000 {
            return Err(StorageError::new(
                ErrorKind::Usage,
                "DeleteObjects takes at most 1000 keys",
            ));
        }
        let xml_unsafe = |k: &str| {
            k.chars()
                .any(|c| c < ' ' && !matches!(c, '\t' | '\n' | '\r'))
        };
        if keys.iter().any(|(k, _)| xml_unsafe(k)) {
            let (bad, good): (Vec<_>, Vec<_>) =
                keys.iter().cloned().partition(|(k, _)| xml_unsafe(k));
            let mut out = Box::pin(self.delete_objects(bucket, &good)).await?;
            for (key, version) in bad {
                let (version_id, error) =
                    match self.delete_object(bucket, &key, version.as_deref()).await {
                        Ok(v) => (v.or(version), None),
                        Err(e) => (version, Some(e)),
                    };
                out.push(DeleteOutcome {
                    key,
                    version_id,
                    error,
                });
            }
            return Ok(out);
        }
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut doc = String::with_capacity(64 + keys.len() * 48);
        doc.push_str(r#"<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>false</Quiet>"#);
        for (k, v) in keys {
            doc.push_str("<Object><Key>");
            xml::push_escaped(&mut doc, k);
            doc.push_str("</Key>");
            if let Some(v) = v {
                doc.push_str("<VersionId>");
                xml::push_escaped(&mut doc, v);
                doc.push_str("</VersionId>");
            }
            doc.push_str("</Object>");
        }
        doc.push_str("</Delete>");
        let body = Bytes::from(doc);
        let mut req = Request::new(Method::POST, Some(bucket), None)
            .query("delete")
            .body(Body::Signed(body.clone()));
        req.target = Target::Bucket;
        put_header(&mut req.headers, "content-md5", &headers::md5_b64(&body));
        put_header(&mut req.headers, "content-type", "application/xml");
        let resp = self.send(&req).await?;
        let root = xml::parse(&resp.body)?;
        let mut out = Vec::with_capacity(keys.len());
        for el in &root.children {
            match &*el.name {
                "Deleted" => out.push(DeleteOutcome {
                    key: el.text_of("Key").unwrap_or_default().to_owned(),
                    version_id: el
                        .text_of("DeleteMarkerVersionId")
                        .or_else(|| el.text_of("VersionId"))
                        .map(str::to_owned),
                    error: None,
                }),
                "Error" => {
                    let mut e = StorageError::new(ErrorKind::Other, "");
                    error::fill_from_xml(&mut e, el);
                    e.kind = error::kind_for(e.code.as_deref().unwrap_or(""), 200);
                    e.request_id = headers::get(&resp.headers, "x-amz-request-id");
                    e.host_id = headers::get(&resp.headers, "x-amz-id-2");
                    out.push(DeleteOutcome {
                        key: el.text_of("Key").unwrap_or_default().to_owned(),
                        version_id: el.text_of("VersionId").map(str::to_owned),
                        error: Some(e),
                    });
                }
                _ => {}
            }
        }
        Ok(out)
    }
}
