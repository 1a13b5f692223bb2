//! Listings: ListObjectsV2 (or v1), ListObjectVersions and ListBuckets, always with
//! `encoding-type=url` so any byte of a key survives XML; keys, prefixes and markers
//! are decoded like AWS's SDKs do (`list_xml::decode`). ETag and StorageClass are
//! optional. Streaming a whole listing is `stream.rs`'s job.

use http::Method;

use super::list_xml;
use super::request::Request;
use super::sign::QUERY_SET;
use super::{ListPage, S3Client, xml};
use crate::error::ErrorKind;
use crate::storage::{BucketInfo, StorageError};

/// Appends `&name=value` (value encoded) to a query string.
fn push_param(q: &mut String, name: &str, value: &str) {
    if !q.is_empty() {
        q.push('&');
    }
    q.push_str(name);
    q.push('=');
    q.extend(percent_encoding::utf8_percent_encode(value, QUERY_SET));
}

/// Reads a listing document the way the listing calls do (for the fuzz hook).
pub(crate) fn fuzz_page(body: &[u8]) -> usize {
    [false, true]
        .iter()
        .filter_map(|&versions| list_xml::parse(body, versions).ok())
        .map(|mut p| {
            p.entries_with_prefixes()
                .iter()
                .map(|e| e.key.len())
                .sum::<usize>()
        })
        .sum()
}

impl S3Client {
    /// ListBuckets.
    pub async fn list_buckets(&self) -> Result<Vec<BucketInfo>, StorageError> {
        let req = Request::new(Method::GET, None, None);
        let resp = self.send(&req).await?;
        let root = xml::parse(&resp.body)?;
        let Some(buckets) = root.child("Buckets") else {
            return Ok(Vec::new());
        };
        Ok(buckets
            .all("Bucket")
            .map(|b| BucketInfo {
                name: b.text_of("Name").unwrap_or_default().to_owned(),
                created: b.text_of("CreationDate").and_then(list_xml::parse_time),
            })
            .collect())
    }

    /// One page of ListObjectsV2 (or v1 when configured), `encoding-type=url`.
    pub async fn list_objects_page(
        &self,
        bucket: &str,
        prefix: &str,
        delimiter: Option<&str>,
        token: Option<&str>,
    ) -> Result<ListPage, StorageError> {
        let v1 = self.inner.list_v1;
        let mut q = String::with_capacity(64 + prefix.len() * 3);
        if let Some(d) = delimiter {
            push_param(&mut q, "delimiter", d);
        }
        push_param(&mut q, "encoding-type", "url");
        if !v1 {
            push_param(&mut q, "list-type", "2");
        }
        if let Some(t) = token {
            push_param(&mut q, if v1 { "marker" } else { "continuation-token" }, t);
        }
        push_param(&mut q, "prefix", prefix);
        let req = Request::new(Method::GET, Some(bucket), None).query(&q);
        let resp = self.send(&req).await?;
        let mut page = list_xml::parse(&resp.body, false)?;
        if page.root != "ListBucketResult" {
            return Err(StorageError::new(
                ErrorKind::InvalidResponse,
                format!("unexpected listing document <{}>", page.root),
            ));
        }
        let mut entries = page.entries_with_prefixes();
        entries.sort_by(|a, b| a.key.cmp(&b.key));
        let next_token = if !page.truncated {
            None
        } else if v1 {
            // v1: NextMarker only comes with a delimiter; else the last key.
            page.next_marker
                .filter(|s| !s.is_empty())
                .or_else(|| entries.last().map(|e| e.key.clone()))
        } else {
            page.next_token.filter(|s| !s.is_empty())
        };
        if page.truncated && next_token.is_none() {
            return Err(StorageError::new(
                ErrorKind::InvalidResponse,
                "truncated listing without a continuation token",
            ));
        }
        Ok(ListPage {
            entries,
            next_token,
        })
    }

    /// One page of ListObjectVersions (versions and delete markers merged in key order).
    pub async fn list_versions_page(
        &self,
        bucket: &str,
        prefix: &str,
        delimiter: Option<&str>,
        token: Option<&str>,
    ) -> Result<ListPage, StorageError> {
        let mut q = String::with_capacity(64 + prefix.len() * 3);
        if let Some(d) = delimiter {
            push_param(&mut q, "delimiter", d);
        }
        push_param(&mut q, "encoding-type", "url");
        // The token is `key-marker` and `version-id-marker` joined by a NUL.
        if let Some(t) = token {
            let (k, v) = t.split_once('\0').unwrap_or((t, ""));
            push_param(&mut q, "key-marker", k);
            if !v.is_empty() {
                push_param(&mut q, "version-id-marker", v);
            }
        }
        push_param(&mut q, "prefix", prefix);
        if !q.is_empty() {
            q.push('&');
        }
        q.push_str("versions");
        let req = Request::new(Method::GET, Some(bucket), None).query(&q);
        let resp = self.send(&req).await?;
        let mut page = list_xml::parse(&resp.body, true)?;
        let mut entries = page.entries_with_prefixes();
        // Stable: keeps the server's newest-first order of versions within a key.
        entries.sort_by(|a, b| a.key.cmp(&b.key));
        let next_token = if page.truncated {
            let k = page.next_key_marker.unwrap_or_default();
            let v = page.next_version_marker.unwrap_or_default();
            if k.is_empty() {
                return Err(StorageError::new(
                    ErrorKind::InvalidResponse,
                    "truncated version listing without a key marker",
                ));
            }
            Some(format!("{k}\0{v}"))
        } else {
            None
        };
        Ok(ListPage {
            entries,
            next_token,
        })
    }
}
