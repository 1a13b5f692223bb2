//! Object headers in both directions: [`ObjectHeaders`] into request headers
//! (Content-Type … user metadata, storage class, ACL, SSE), and response headers
//! into [`ObjectMeta`] (header names compared case-insensitively — `http` lower-cases
//! them — and user metadata keys lower-cased).

use base64::Engine;
use chrono::{DateTime, Utc};
use http::{HeaderMap, HeaderName, HeaderValue};

use super::request::put_header;
use crate::error::ErrorKind;
use crate::storage::{Checksums, ContentHeaders, ObjectHeaders, ObjectMeta, StorageError};

/// Adds the headers of an object being written.
pub(crate) fn apply_object_headers(
    map: &mut HeaderMap,
    h: &ObjectHeaders,
) -> Result<(), StorageError> {
    let amz: [(&'static str, &Option<String>); 4] = [
        ("x-amz-storage-class", &h.storage_class),
        ("x-amz-acl", &h.acl),
        ("x-amz-server-side-encryption", &h.sse),
        ("x-amz-tagging", &h.tagging),
    ];
    for (name, value) in h.content.by_name().into_iter().chain(amz) {
        if let Some(v) = value {
            let hv = HeaderValue::from_str(v).map_err(|_| invalid(name, v))?;
            map.insert(HeaderName::from_static(name), hv);
        }
    }
    if h.sse.is_some()
        && let Some(k) = &h.sse_kms_key_id
    {
        put_header(map, "x-amz-server-side-encryption-aws-kms-key-id", k);
    }
    for (k, v) in &h.metadata {
        let name =
            HeaderName::from_bytes(format!("x-amz-meta-{}", k.to_ascii_lowercase()).as_bytes())
                .map_err(|_| invalid("metadata key", k))?;
        let hv = HeaderValue::from_str(v).map_err(|_| invalid("metadata value", v))?;
        map.append(name, hv);
    }
    Ok(())
}

fn invalid(what: &str, v: &str) -> StorageError {
    StorageError::new(
        ErrorKind::Usage,
        format!("invalid {what} header value {v:?}"),
    )
}

/// A header as a string.
pub(crate) fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// An ETag without surrounding quotes.
pub(crate) fn unquote(etag: &str) -> String {
    etag.trim().trim_matches('"').to_owned()
}

/// Parses an HTTP date (or RFC 3339 as a fallback).
pub(crate) fn parse_http_date(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = httpdate::parse_http_date(s) {
        return Some(DateTime::<Utc>::from(t));
    }
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Parses `bytes start-end/total`, returning (start, end, total).
pub(crate) fn parse_content_range(s: &str) -> Option<(u64, u64, Option<u64>)> {
    let rest = s.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (a, b) = range.split_once('-')?;
    Some((
        a.trim().parse().ok()?,
        b.trim().parse().ok()?,
        total.trim().parse().ok(),
    ))
}

/// The checksums a response carries.
pub(crate) fn checksums(headers: &HeaderMap) -> Checksums {
    Checksums {
        crc32: get(headers, "x-amz-checksum-crc32"),
        crc32c: get(headers, "x-amz-checksum-crc32c"),
        crc64nvme: get(headers, "x-amz-checksum-crc64nvme"),
        sha1: get(headers, "x-amz-checksum-sha1"),
        sha256: get(headers, "x-amz-checksum-sha256"),
        checksum_type: get(headers, "x-amz-checksum-type"),
    }
}

/// Everything a HEAD/GET response says about the object.
pub(crate) fn object_meta(headers: &HeaderMap) -> ObjectMeta {
    let mut meta = ObjectMeta {
        size: headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        last_modified: headers
            .get(http::header::LAST_MODIFIED)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_http_date),
        etag: get(headers, "etag").map(|e| unquote(&e)),
        content: ContentHeaders {
            content_type: get(headers, "content-type"),
            content_encoding: get(headers, "content-encoding"),
            content_disposition: get(headers, "content-disposition"),
            content_language: get(headers, "content-language"),
            cache_control: get(headers, "cache-control"),
            expires: get(headers, "expires"),
        },
        storage_class: get(headers, "x-amz-storage-class"),
        version_id: get(headers, "x-amz-version-id"),
        sse: get(headers, "x-amz-server-side-encryption"),
        sse_kms_key_id: get(headers, "x-amz-server-side-encryption-aws-kms-key-id"),
        sse_customer_algorithm: get(headers, "x-amz-server-side-encryption-customer-algorithm"),
        checksums: checksums(headers),
        parts_count: get(headers, "x-amz-mp-parts-count").and_then(|v| v.parse().ok()),
        tag_count: get(headers, "x-amz-tagging-count").and_then(|v| v.parse().ok()),
        restore: get(headers, "x-amz-restore"),
        ..ObjectMeta::default()
    };
    for (name, value) in headers {
        if let Some(k) = name.as_str().strip_prefix("x-amz-meta-") {
            let v = match value.to_str() {
                Ok(v) => v.to_owned(),
                Err(_) => String::from_utf8_lossy(value.as_bytes()).into_owned(),
            };
            meta.metadata.insert(k.to_ascii_lowercase(), v);
        }
    }
    if let Some((_, _, Some(total))) = headers
        .get(http::header::CONTENT_RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_content_range)
    {
        meta.size = total;
    }
    meta
}

/// Content-MD5 (base64) of data.
pub(crate) fn md5_b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(crate::md5_digest::Md5::digest(data))
}

/// Content-MD5 and the `alg` checksum of a file range, read on a blocking thread.
pub(crate) async fn file_digests(
    path: &std::path::Path,
    offset: u64,
    len: u64,
    alg: crate::checksum::ChecksumAlgorithm,
) -> Result<(String, String), StorageError> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        use md5::Digest;
        use std::io::{Read, Seek, SeekFrom};
        let shown = path.display().to_string();
        let mut f = crate::storage::fd::retry_blocking(|| std::fs::File::open(&path))
            .map_err(|e| StorageError::io("open", &shown, &e))?;
        f.seek(SeekFrom::Start(offset))
            .map_err(|e| StorageError::io("seek", &shown, &e))?;
        let mut md5 = md5::Md5::new();
        let mut sum = crate::checksum::Hasher::new(alg);
        let mut buf = vec![0u8; 256 * 1024];
        let mut left = len;
        while left > 0 {
            let want = (left as usize).min(buf.len());
            let n = f
                .read(&mut buf[..want])
                .map_err(|e| StorageError::io("read", &shown, &e))?;
            if n == 0 {
                return Err(StorageError::new(
                    ErrorKind::Io,
                    format!("read {shown}: file is shorter than expected"),
                ));
            }
            md5.update(&buf[..n]);
            sum.update(&buf[..n]);
            left -= n as u64;
        }
        let b64 = base64::engine::general_purpose::STANDARD;
        Ok((b64.encode(md5.finalize()), sum.finish_b64()))
    })
    .await
    .map_err(|e| StorageError::new(ErrorKind::Other, format!("digest task failed: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range() {
        assert_eq!(
            parse_content_range("bytes 0-9/100"),
            Some((0, 9, Some(100)))
        );
        assert_eq!(parse_content_range("bytes 5-9/*"), Some((5, 9, None)));
        assert_eq!(parse_content_range("junk"), None);
    }

    #[test]
    fn metadata_keys_lowercased() {
        let mut h = HeaderMap::new();
        h.insert("x-amz-meta-Foo", HeaderValue::from_static("Bar"));
        h.insert("etag", HeaderValue::from_static("abc"));
        let m = object_meta(&h);
        assert_eq!(m.metadata.get("foo").map(String::as_str), Some("Bar"));
        assert_eq!(m.etag.as_deref(), Some("abc"));
    }
}
