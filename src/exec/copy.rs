//! S3 → S3 server-side copy. Metadata is kept (directive COPY) unless header or
//! metadata flags are given (then REPLACE with exactly those), or the user chose a
//! directive — s5cmd defaults to REPLACE and silently drops metadata (§9.2 item 16).
//! Objects over 5 GiB (which CopyObject refuses) are copied by multipart
//! UploadPartCopy, carrying the source's headers over when the directive is COPY.

use std::sync::Arc;

use futures_util::StreamExt;
use futures_util::stream;

use super::download::object_mtime;
use super::overwrite;
use super::upload::{effective_part_size, is_missing};
use super::{Ctx, report};
use crate::op::ServerCopy;
use crate::record::{ObjectRecord, Record};
use crate::storage::s3::S3Client;
use crate::storage::{MetadataDirective, ObjectHeaders, ObjectMeta, StorageError};

/// CopyObject's size limit.
const MAX_COPY_OBJECT: u64 = 5 * 1024 * 1024 * 1024;
/// Part size for multipart copies when the user's is smaller.
const MIN_COPY_PART: u64 = 512 * 1024 * 1024;

/// Runs one copy and returns its record.
pub async fn run(ctx: &Arc<Ctx>, t: ServerCopy) -> Record {
    let op = t.opts.operation;
    let (src, dst) = (t.src.to_string(), t.dst.to_string());
    match copy(ctx, &t).await {
        Ok(None) => {
            let mut r = report::done(op, &src, &dst);
            r.object = Some(ObjectRecord {
                key: Some(dst.clone()),
                kind: "file".to_string(),
                storage_class: t.opts.storage_class.clone(),
                ..Default::default()
            });
            r
        }
        Ok(Some(reason)) => report::skipped(op, &src, &dst, reason),
        Err(e) => report::failed(op, &src, &dst, &e),
    }
}

async fn copy(ctx: &Arc<Ctx>, t: &ServerCopy) -> Result<Option<&'static str>, StorageError> {
    let client = ctx.clients.get(&t.opts.dst_client).await?;
    let version = t.version_id.as_deref();
    let mut src_meta: Option<ObjectMeta> = None;
    if overwrite::needs_check(&t.opts) {
        match client
            .head_object(&t.dst.bucket, &t.dst.key, None, None)
            .await
        {
            Ok(dst_meta) => {
                let (src_size, src_time) = match &t.info {
                    Some(info) => (info.size, info.last_modified),
                    None => {
                        let m = client
                            .head_object(&t.src.bucket, &t.src.key, version, None)
                            .await?;
                        let r = (m.size, object_mtime(&m));
                        src_meta = Some(m);
                        r
                    }
                };
                if let Some(reason) = overwrite::skip_reason(
                    &t.opts,
                    src_size,
                    src_time,
                    dst_meta.size,
                    object_mtime(&dst_meta),
                ) {
                    return Ok(Some(reason));
                }
            }
            Err(e) if is_missing(&e) => {}
            Err(e) => return Err(e),
        }
    }
    if ctx.config.dry_run {
        return Ok(None);
    }
    let directive = t
        .opts
        .metadata_directive
        .unwrap_or(if t.opts.headers_given {
            MetadataDirective::Replace
        } else {
            MetadataDirective::Copy
        });
    let size = match (&t.info, &src_meta) {
        (Some(info), _) => Some(info.size),
        (None, Some(m)) => Some(m.size),
        _ => None,
    };
    let large = match size {
        Some(s) => s > MAX_COPY_OBJECT,
        None => false,
    };
    if large {
        multipart_copy(&client, t, directive, size.unwrap_or(0)).await?;
    } else {
        let headers = copy_headers(t, directive);
        let result = client
            .copy_object(
                &t.src.bucket,
                &t.src.key,
                version,
                &t.dst.bucket,
                &t.dst.key,
                directive,
                &headers,
            )
            .await;
        if let Err(e) = result {
            // Size unknown up front (single-object copy): CopyObject refuses > 5 GiB.
            let m = client
                .head_object(&t.src.bucket, &t.src.key, version, None)
                .await
                .map_err(|_| e.clone())?;
            if m.size <= MAX_COPY_OBJECT {
                return Err(e);
            }
            multipart_copy(&client, t, directive, m.size).await?;
        }
    }
    if t.opts.is_move {
        client
            .delete_object(&t.src.bucket, &t.src.key, version)
            .await?;
    }
    Ok(None)
}

fn copy_headers(t: &ServerCopy, directive: MetadataDirective) -> ObjectHeaders {
    let mut headers = t.opts.headers.clone();
    if directive == MetadataDirective::Copy {
        // With COPY only the storage class, ACL and encryption apply to the new object.
        headers = ObjectHeaders {
            storage_class: headers.storage_class,
            acl: headers.acl,
            sse: headers.sse,
            sse_kms_key_id: headers.sse_kms_key_id,
            tagging: headers.tagging,
            ..Default::default()
        };
    }
    headers
}

async fn multipart_copy(
    client: &S3Client,
    t: &ServerCopy,
    directive: MetadataDirective,
    size: u64,
) -> Result<(), StorageError> {
    let version = t.version_id.as_deref();
    let mut headers = copy_headers(t, directive);
    if directive == MetadataDirective::Copy {
        let m = client
            .head_object(&t.src.bucket, &t.src.key, version, None)
            .await?;
        headers.content_type = m.content_type;
        headers.content_encoding = m.content_encoding;
        headers.content_disposition = m.content_disposition;
        headers.cache_control = m.cache_control;
        headers.expires = m.expires;
        headers.metadata = m.metadata.into_iter().collect();
        if headers.storage_class.is_none() {
            headers.storage_class = m.storage_class;
        }
    }
    let part_size = effective_part_size(size, t.opts.part_size.max(MIN_COPY_PART));
    let (bucket, key) = (&t.dst.bucket, &t.dst.key);
    let upload_id = client
        .create_multipart_upload(bucket, key, &headers)
        .await?;
    let count = size.div_ceil(part_size);
    let parts: Result<Vec<_>, StorageError> = stream::iter(0..count)
        .map(|i| {
            let start = i * part_size;
            let end = (start + part_size).min(size) - 1;
            let upload_id = upload_id.clone();
            async move {
                client
                    .upload_part_copy(
                        bucket,
                        key,
                        &upload_id,
                        (i + 1) as u32,
                        &t.src.bucket,
                        &t.src.key,
                        version,
                        (start, end),
                    )
                    .await
            }
        })
        .buffer_unordered(t.opts.concurrency.max(1))
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect();
    let result = match parts {
        Ok(mut parts) => {
            parts.sort_by_key(|p| p.part_number);
            client
                .complete_multipart_upload(bucket, key, &upload_id, &parts)
                .await
                .map(|_| ())
        }
        Err(e) => Err(e),
    };
    if result.is_err() {
        let _ = client.abort_multipart_upload(bucket, key, &upload_id).await;
    }
    result
}
