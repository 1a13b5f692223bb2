//! S3 → S3 server-side copy. Metadata is kept (directive COPY) unless header or
//! metadata flags are given (then REPLACE with exactly those), or the user chose a
//! directive — s5cmd defaults to REPLACE and silently drops metadata (§9.2 item 16).
//! Objects over 5 GiB (which CopyObject refuses) are copied by multipart
//! UploadPartCopy, carrying the source's headers over when the directive is COPY.
//! Between different endpoints or credentials the copy streams through s5rs
//! (`relay.rs`) instead.
//!
//! Verification (unless `--no-verify`): the copy's ETag is compared with the
//! source's when both are plain MD5 ETags (`verified: "md5"`), else a full-object
//! checksum both report (`crc64nvme` …); otherwise nothing is comparable (a
//! multipart source gets a new ETag) and the record says `none`. The source's ETag
//! comes from the listing, or one HeadObject when the listing had none. A mismatch
//! copies again within the retry budget, then fails with `checksum_mismatch`.

use std::sync::Arc;

use futures_util::StreamExt;
use futures_util::stream;

use super::report;
use super::upload::effective_part_size;
use crate::checksum;
use crate::ctx::Ctx;
use crate::error::ErrorKind;
use crate::op::ServerCopy;
use crate::output::Message;
use crate::plan::compare::{self, skip_for_existing};
use crate::record::{ObjectRecord, Record};
use crate::storage::s3::S3Client;
use crate::storage::{
    Checksums, MetadataDirective, ObjectHeaders, ObjectMeta, StorageError, WriteResult,
};

/// CopyObject's size limit.
const MAX_COPY_OBJECT: u64 = 5 * 1024 * 1024 * 1024;
/// Part size for multipart copies when the user's is smaller.
const MIN_COPY_PART: u64 = 512 * 1024 * 1024;

/// Runs one copy and returns its record.
pub async fn run(ctx: &Arc<Ctx>, t: ServerCopy) -> Record {
    let op = t.opts.operation;
    let (src, dst) = (t.src.to_string(), t.dst.to_string());
    match copy(ctx, &t).await {
        Ok(Copied::Done(verified)) => done_record(&t, src, dst, verified),
        Ok(Copied::Skipped(reason)) => report::skipped(op, &src, &dst, reason),
        Err(e) => report::failed(op, &src, &dst, &e),
    }
}

/// A dry run's record for a copy that needs no look at the destination (`-n`/`-s`/
/// `-u`) and no relay between endpoints — exactly what [`run`] reports, without
/// building the op's future: a generated million-line dry run is planner-bound.
/// `None` when the op has to run.
pub async fn dry_run_record(ctx: &Ctx, t: &ServerCopy) -> Option<Record> {
    if compare::needs_check(&t.opts)
        || !ctx
            .clients
            .same_service(&t.opts.src_client, &t.opts.dst_client)
    {
        return None;
    }
    let client = ctx.clients.get(&t.opts.dst_client).await.map(|_| ());
    Some(dry_record(t, client))
}

/// [`dry_run_record`] once its client is known built (`Ok`) or failed to build.
pub fn dry_record(t: &ServerCopy, client: Result<(), StorageError>) -> Record {
    let (src, dst) = (t.src.to_string(), t.dst.to_string());
    match client {
        Ok(()) => done_record(t, src, dst, None),
        Err(e) => report::failed(t.opts.operation, &src, &dst, &e),
    }
}

fn done_record(t: &ServerCopy, src: String, dst: String, verified: Option<&str>) -> Record {
    let mut r = report::done(t.opts.operation, &src, &dst);
    r.verified = verified.map(str::to_owned);
    r.object = Some(ObjectRecord {
        key: Some(dst),
        kind: "file".to_string(),
        storage_class: t.opts.storage_class.clone(),
        ..Default::default()
    });
    r
}

/// How a copy ended.
enum Copied {
    /// Copied; what was verified (`None` on dry runs).
    Done(Option<&'static str>),
    /// Skipped, with the reason.
    Skipped(&'static str),
}

/// Compares a copy's ETag/checksums with the source's: what was verified, or a
/// `checksum_mismatch` error.
fn compare(
    t: &ServerCopy,
    src_etag: Option<&str>,
    src_sums: Option<&Checksums>,
    copy: &WriteResult,
) -> Result<&'static str, StorageError> {
    let mismatch = |what: &str, got: &str, want: &str| {
        StorageError::new(
            ErrorKind::ChecksumMismatch,
            format!(
                "copy {} of {} does not match the source's {what}: got {got}, expected {want}",
                t.dst, t.src
            ),
        )
    };
    // SSE-C ETags look like MD5s but are not: with a key on either side only a
    // full-object checksum compares.
    let sse_c = !t.opts.src_client.sse_c.is_empty() || !t.opts.dst_client.sse_c.is_empty();
    if let (Some(want), Some(got)) = (src_etag, copy.etag.as_deref())
        && !sse_c
        && checksum::is_plain_md5(want)
        && checksum::is_plain_md5(got)
    {
        if !want.eq_ignore_ascii_case(got) {
            return Err(mismatch("MD5 ETag", got, want));
        }
        return Ok("md5");
    }
    if let Some((alg, want)) = src_sums.and_then(checksum::full_object)
        && let Some((got_alg, got)) = checksum::full_object(&copy.checksums)
        && got_alg == alg
    {
        if got != want {
            return Err(mismatch(checksum::record_name(alg), &got, &want));
        }
        return Ok(checksum::record_name(alg));
    }
    Ok("none")
}

async fn copy(ctx: &Arc<Ctx>, t: &ServerCopy) -> Result<Copied, StorageError> {
    if !ctx
        .clients
        .same_service(&t.opts.src_client, &t.opts.dst_client)
    {
        // Different endpoints or credentials: the destination cannot read the source.
        return Ok(match Box::pin(super::relay::copy(ctx, t)).await? {
            None => Copied::Done(None),
            Some(reason) => Copied::Skipped(reason),
        });
    }
    let client = ctx.clients.get(&t.opts.dst_client).await?;
    // The source is read with its own SSE-C key, if any.
    let src_client = client.with_sse_c(&t.opts.src_client.sse_c);
    let version = t.version_id.as_deref();
    let mut src_meta: Option<ObjectMeta> = None;
    if compare::needs_check(&t.opts) {
        let (skip, fetched) = skip_for_existing(&src_client, &client, t).await?;
        if let Some(reason) = skip {
            return Ok(Copied::Skipped(reason));
        }
        src_meta = fetched;
    }
    if ctx.config.dry_run {
        return Ok(Copied::Done(None));
    }
    let directive = compare::metadata_directive(&t.opts);
    let size = match (&t.info, &src_meta) {
        (Some(info), _) => Some(info.size),
        (None, Some(m)) => Some(m.size),
        _ => None,
    };
    let large = match size {
        Some(s) => s > MAX_COPY_OBJECT,
        None => false,
    };
    let mut verified = "none";
    if large {
        multipart_copy(ctx, &client, t, directive, size.unwrap_or(0)).await?;
    } else {
        let verify = !ctx.config.no_verify;
        let mut src_etag = t
            .info
            .as_ref()
            .and_then(|i| i.etag.clone())
            .or_else(|| src_meta.as_ref().and_then(|m| m.etag.clone()));
        let mut src_sums = src_meta.as_ref().map(|m| m.checksums.clone());
        if verify && src_etag.is_none() {
            // A missing source is reported by CopyObject itself (`NoSuchKey`, as
            // s5cmd), not by this HEAD's bodiless 404.
            match src_client
                .head_object(&t.src.bucket, &t.src.key, version, None)
                .await
            {
                Ok(m) => {
                    src_etag = m.etag.clone();
                    src_sums = Some(m.checksums);
                }
                Err(e) if e.is_missing() => {}
                Err(e) => return Err(e),
            }
        }
        let headers = copy_headers(t, directive);
        let mut recopies = 0;
        let result = loop {
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
            let Ok(written) = &result else { break result };
            if !verify {
                break result;
            }
            match compare(t, src_etag.as_deref(), src_sums.as_ref(), written) {
                Ok(v) => {
                    verified = v;
                    break result;
                }
                Err(e) if recopies < ctx.config.retry_count => {
                    recopies += 1;
                    crate::storage::s3::note_retry();
                    let line = format!(
                        "DEBUG \"{} {} {}\": retry {recopies}/{} in 0ms: {e}",
                        t.opts.operation, t.src, t.dst, ctx.config.retry_count
                    );
                    ctx.output.send(Message::Debug(line)).await;
                }
                Err(e) => break Err(e),
            }
        };
        if let Err(e) = result {
            if e.kind == ErrorKind::ChecksumMismatch {
                return Err(e);
            }
            // Size unknown up front (single-object copy): CopyObject refuses > 5 GiB.
            let m = src_client
                .head_object(&t.src.bucket, &t.src.key, version, None)
                .await
                .map_err(|_| e.clone())?;
            if m.size <= MAX_COPY_OBJECT {
                return Err(e);
            }
            multipart_copy(ctx, &client, t, directive, m.size).await?;
        }
    }
    if t.opts.is_move {
        client
            .delete_object(&t.src.bucket, &t.src.key, version)
            .await?;
    }
    Ok(Copied::Done(Some(verified)))
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
    ctx: &Ctx,
    client: &S3Client,
    t: &ServerCopy,
    directive: MetadataDirective,
    size: u64,
) -> Result<(), StorageError> {
    let version = t.version_id.as_deref();
    let mut headers = copy_headers(t, directive);
    if directive == MetadataDirective::Copy {
        let m = client
            .with_sse_c(&t.opts.src_client.sse_c)
            .head_object(&t.src.bucket, &t.src.key, version, None)
            .await?;
        headers.content = m.content;
        headers.metadata = m.metadata.into_iter().collect();
        if headers.storage_class.is_none() {
            headers.storage_class = m.storage_class;
        }
        // UploadPartCopy does not copy tags: carry them over explicitly.
        if headers.tagging.is_none() && m.tag_count.unwrap_or(0) > 0 {
            let tags = client
                .get_object_tagging(&t.src.bucket, &t.src.key, version)
                .await?;
            if !tags.is_empty() {
                headers.tagging = Some(crate::storage::s3::encode_tags(&tags));
            }
        }
    }
    let part_size = effective_part_size(size, t.opts.part_size.max(MIN_COPY_PART));
    let (bucket, key) = (&t.dst.bucket, &t.dst.key);
    let upload_id = client
        .create_multipart_upload(bucket, key, &headers)
        .await?;
    let registration = ctx.inflight.register(client, bucket, key, &upload_id);
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
    drop(registration);
    result
}
