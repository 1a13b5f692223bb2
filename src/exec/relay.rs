//! S3 → S3 copies between different services or credentials (s5rs): the source
//! and destination are different endpoints or profiles, so the destination server
//! cannot read the source and a server-side copy is impossible. The data streams
//! through s5rs instead: one GetObject from the source, then one PutObject (objects
//! up to one part) or a multipart upload whose parts are cut from the GET body as it
//! arrives, `--concurrency` parts in flight — memory is bounded by concurrency × part
//! size, whatever the object size.
//!
//! Headers and user metadata are carried over as a server-side COPY would (unless
//! header flags or `--metadata-directive REPLACE` say otherwise), and so are tags
//! (GetObjectTagging, only when the source reports a tag count) unless `--tagging`
//! replaces them. A source whose ETag is a plain MD5 (single-part upload) is checked
//! against the MD5 of the bytes received before the destination object is completed.

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use md5::{Digest, Md5};

use super::upload::effective_part_size;
use crate::ctx::Ctx;
use crate::error::ErrorKind;
use crate::op::ServerCopy;
use crate::plan::compare;
use crate::storage::s3::{ObjectBody, PutBody, S3Client, encode_tags};
use crate::storage::{CompletedPart, MetadataDirective, ObjectHeaders, ObjectMeta, StorageError};

/// Copies one object through s5rs; `Ok(Some(reason))` when skipped.
pub async fn copy(ctx: &Arc<Ctx>, t: &ServerCopy) -> Result<Option<&'static str>, StorageError> {
    let src_client = ctx.clients.get(&t.opts.src_client).await?;
    let dst_client = ctx.clients.get(&t.opts.dst_client).await?;
    let version = t.version_id.as_deref();
    if compare::needs_check(&t.opts)
        && let (Some(reason), _) = compare::skip_for_existing(&src_client, &dst_client, t).await?
    {
        return Ok(Some(reason));
    }
    if ctx.config.dry_run {
        return Ok(None);
    }
    let mut got = src_client
        .get_object(&t.src.bucket, &t.src.key, version, None)
        .await?;
    let headers = headers_for(&src_client, t, &got.meta).await?;
    // An SSE-KMS or SSE-C source's ETag is not the MD5 of its data.
    let expected_md5 = got
        .meta
        .etag
        .as_deref()
        .filter(|_| !super::download_verify::etag_not_md5(&got.meta))
        .filter(|e| e.len() == 32 && e.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_ascii_lowercase);
    let size = got.meta.size;
    let part_size = effective_part_size(size, t.opts.part_size);
    let (bucket, key) = (&t.dst.bucket, &t.dst.key);
    let mut parts = Parts {
        body: &mut got.body,
        carry: None,
        md5: Md5::new(),
    };
    if size <= part_size {
        let data = parts.next_part(part_size).await?;
        check_md5(parts.md5, expected_md5.as_deref(), &t.src.to_string())?;
        dst_client
            .put_object(bucket, key, PutBody::Bytes(data), &headers)
            .await?;
    } else {
        let upload_id = dst_client
            .create_multipart_upload(bucket, key, &headers)
            .await?;
        let result = upload_parts(
            &dst_client,
            bucket,
            key,
            &upload_id,
            &mut parts,
            part_size,
            t.opts.concurrency,
        )
        .await;
        let result = match result {
            Ok(done) => match check_md5(parts.md5, expected_md5.as_deref(), &t.src.to_string()) {
                Ok(()) => dst_client
                    .complete_multipart_upload(bucket, key, &upload_id, &done)
                    .await
                    .map(|_| ()),
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            let _ = dst_client
                .abort_multipart_upload(bucket, key, &upload_id)
                .await;
            return Err(e);
        }
    }
    if t.opts.is_move {
        src_client
            .delete_object(&t.src.bucket, &t.src.key, version)
            .await?;
    }
    Ok(None)
}

/// The new object's headers: the source's (COPY) or the flags' (REPLACE), with the
/// flags' storage class, ACL and encryption either way, and the source's tags unless
/// `--tagging` was given.
async fn headers_for(
    src_client: &S3Client,
    t: &ServerCopy,
    meta: &ObjectMeta,
) -> Result<ObjectHeaders, StorageError> {
    let flags = &t.opts.headers;
    let directive = compare::metadata_directive(&t.opts);
    let mut headers = match directive {
        MetadataDirective::Replace => flags.clone(),
        MetadataDirective::Copy => ObjectHeaders {
            content: meta.content.clone(),
            metadata: meta.metadata.clone().into_iter().collect(),
            storage_class: flags.storage_class.clone(),
            acl: flags.acl.clone(),
            sse: flags.sse.clone(),
            sse_kms_key_id: flags.sse_kms_key_id.clone(),
            tagging: flags.tagging.clone(),
            checksum_algorithm: flags.checksum_algorithm,
        },
    };
    if headers.tagging.is_none() && meta.tag_count.unwrap_or(0) > 0 {
        let tags = src_client
            .get_object_tagging(&t.src.bucket, &t.src.key, t.version_id.as_deref())
            .await?;
        if !tags.is_empty() {
            headers.tagging = Some(encode_tags(&tags));
        }
    }
    Ok(headers)
}

fn check_md5(md5: Md5, expected: Option<&str>, src: &str) -> Result<(), StorageError> {
    let Some(expected) = expected else {
        return Ok(());
    };
    let got = hex::encode(md5.finalize());
    if got == expected {
        Ok(())
    } else {
        Err(StorageError::new(
            ErrorKind::ChecksumMismatch,
            format!("{src}: received data has MD5 {got}, the source's ETag says {expected}"),
        ))
    }
}

/// The GET body cut into parts; a chunk that straddles two parts leaves its tail here.
struct Parts<'a> {
    body: &'a mut ObjectBody,
    carry: Option<Bytes>,
    md5: Md5,
}

impl Parts<'_> {
    /// Reads up to `size` bytes (less only at the end of the body).
    async fn next_part(&mut self, size: u64) -> Result<Bytes, StorageError> {
        let mut buf = BytesMut::with_capacity(size.min(64 << 20) as usize);
        while (buf.len() as u64) < size {
            let chunk = match self.carry.take() {
                Some(c) => c,
                None => match self.body.next_chunk().await {
                    Some(c) => c?,
                    None => break,
                },
            };
            let room = (size - buf.len() as u64) as usize;
            if chunk.len() > room {
                buf.extend_from_slice(&chunk[..room]);
                self.carry = Some(chunk.slice(room..));
            } else {
                buf.extend_from_slice(&chunk);
            }
        }
        self.md5.update(&buf);
        Ok(buf.freeze())
    }
}

#[allow(clippy::too_many_arguments)]
async fn upload_parts(
    client: &S3Client,
    bucket: &str,
    key: &str,
    upload_id: &str,
    body: &mut Parts<'_>,
    part_size: u64,
    concurrency: usize,
) -> Result<Vec<CompletedPart>, StorageError> {
    let mut parts = Vec::new();
    let mut in_flight = FuturesUnordered::new();
    let mut number = 0u32;
    let mut finished = false;
    loop {
        while !finished && in_flight.len() < concurrency.max(1) {
            let data = body.next_part(part_size).await?;
            if data.is_empty() {
                finished = true;
                break;
            }
            if (data.len() as u64) < part_size {
                finished = true;
            }
            number += 1;
            let n = number;
            in_flight.push(async move {
                client
                    .upload_part(bucket, key, upload_id, n, PutBody::Bytes(data))
                    .await
            });
        }
        match in_flight.next().await {
            Some(part) => parts.push(part?),
            None => break,
        }
    }
    parts.sort_by_key(|p| p.part_number);
    Ok(parts)
}
