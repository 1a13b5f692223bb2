//! local → S3. Small files (up to one part) are read once into memory and sent with
//! one PutObject; larger ones go by multipart upload, each part streamed from the file
//! at its offset (reopened on retry), `--concurrency` parts in flight, the upload
//! aborted on any failure. The file's mtime is stored in user metadata (`mtime`,
//! Unix seconds with nanoseconds, rclone's convention) so downloads and sync can
//! restore and compare it. A file that changes size while being sent fails the
//! operation instead of producing a truncated object.

use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use futures_util::stream;

use super::{content_type, report};
use crate::ctx::Ctx;
use crate::error::ErrorKind;
use crate::op::Upload;
use crate::plan::compare::{self, format_mtime_metadata};
use crate::record::Record;
use crate::storage::local;
use crate::storage::s3::{PutBody, S3Client};
use crate::storage::{CompletedPart, ObjectHeaders, StorageError};

/// S3's limit on the number of parts.
const MAX_PARTS: u64 = 10_000;
/// S3's limit on a single PutObject.
const MAX_SINGLE_PUT: u64 = 5 * 1024 * 1024 * 1024;

/// Runs one upload and returns its record.
pub async fn run(ctx: &Arc<Ctx>, t: Upload) -> Record {
    let op = t.opts.operation;
    let dst = t.dst.to_string();
    match upload(ctx, &t).await {
        Ok(Outcome::Done(size)) => {
            let mut r = report::done(op, &t.src, &dst);
            r.object = Some(report::file_object(size, t.opts.storage_class.as_ref()));
            // The server checked each request's Content-MD5 and `x-amz-checksum-*`.
            if !ctx.config.dry_run {
                r.verified = Some(
                    t.opts
                        .headers
                        .checksum_algorithm
                        .map_or("md5", crate::checksum::record_name)
                        .to_string(),
                );
            }
            r
        }
        Ok(Outcome::Skipped(reason)) => report::skipped(op, &t.src, &dst, reason),
        Err(e) => report::failed(op, &t.src, &dst, &e),
    }
}

enum Outcome {
    Done(u64),
    Skipped(&'static str),
}

async fn upload(ctx: &Arc<Ctx>, t: &Upload) -> Result<Outcome, StorageError> {
    // S3 refuses parts under 5 MiB only when completing the upload; fail at once, as
    // s5cmd does for every upload with `-p` below the minimum.
    if t.opts.part_size < crate::command::MIN_PART_SIZE {
        return Err(StorageError::new(
            ErrorKind::Usage,
            format!(
                "part size must be at least {} bytes",
                crate::command::MIN_PART_SIZE
            ),
        ));
    }
    let check = compare::needs_check(&t.opts);
    // The common case (no overwrite check, not a dry run): one blocking call stats
    // and — for a file that fits one PutObject — reads the file. With a check the
    // file may be skipped, so it is only read once that is decided.
    let read_limit = if check || ctx.config.dry_run {
        None
    } else {
        Some(t.opts.part_size.min(MAX_SINGLE_PUT))
    };
    let (size, mtime, mut data) = stat_and_read(&t.src, read_limit).await?;
    let client = ctx.clients.get(&t.opts.dst_client).await?;
    if check {
        match client
            .head_object(&t.dst.bucket, &t.dst.key, None, None)
            .await
        {
            Ok(meta) => {
                let dst_time = compare::object_mtime(&meta);
                let src_time = Some(compare::Stamp::exact(mtime));
                if let Some(reason) =
                    compare::skip_reason(&t.opts, size, src_time, meta.size, dst_time)
                {
                    return Ok(Outcome::Skipped(reason));
                }
            }
            Err(e) if e.is_missing() => {}
            Err(e) => return Err(e),
        }
    }
    if ctx.config.dry_run {
        return Ok(Outcome::Done(size));
    }
    let mut headers = t.opts.headers.clone();
    if !headers
        .metadata
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("mtime"))
    {
        headers
            .metadata
            .push(("mtime".to_string(), format_mtime_metadata(&mtime)));
    }
    let part_size = effective_part_size(size, t.opts.part_size);
    if size <= part_size && size <= MAX_SINGLE_PUT {
        let data = match data.take() {
            Some(d) => d,
            None => read_whole(&t.src, size).await?,
        };
        headers.content.content_type = Some(content_type::for_upload(
            t.opts.headers.content.content_type.as_deref(),
            &t.src,
            &data,
        ));
        client
            .put_object(&t.dst.bucket, &t.dst.key, PutBody::Bytes(data), &headers)
            .await?;
    } else {
        let head = read_head(&t.src).await?;
        headers.content.content_type = Some(content_type::for_upload(
            t.opts.headers.content.content_type.as_deref(),
            &t.src,
            &head,
        ));
        multipart(ctx, &client, t, size, part_size, &headers).await?;
    }
    if t.opts.is_move {
        tokio::fs::remove_file(&t.src)
            .await
            .map_err(|e| StorageError::io("remove", &t.src, &e))?;
    }
    Ok(Outcome::Done(size))
}

/// The part size to use: the requested one, raised so the file fits in 10,000 parts.
pub fn effective_part_size(size: u64, requested: u64) -> u64 {
    let min_for_limit = size.div_ceil(MAX_PARTS);
    let mib = 1024 * 1024;
    requested.max(min_for_limit.div_ceil(mib) * mib)
}

async fn multipart(
    ctx: &Ctx,
    client: &S3Client,
    t: &Upload,
    size: u64,
    part_size: u64,
    headers: &ObjectHeaders,
) -> Result<(), StorageError> {
    let (bucket, key) = (&t.dst.bucket, &t.dst.key);
    let upload_id = client.create_multipart_upload(bucket, key, headers).await?;
    let registration = ctx.inflight.register(client, bucket, key, &upload_id);
    let result = send_parts(client, t, &upload_id, size, part_size).await;
    let result = match result {
        Ok(parts) => {
            // Refuse to complete an object from a file that changed under us.
            match local::file_stat(&t.src).await {
                Ok((now, _)) if now == size => client
                    .complete_multipart_upload(bucket, key, &upload_id, &parts)
                    .await
                    .map(|_| ()),
                Ok((now, _)) => Err(changed(&t.src, size, now)),
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    };
    if result.is_err() {
        // Best effort: the failure we report is the original one.
        let _ = client.abort_multipart_upload(bucket, key, &upload_id).await;
    }
    drop(registration);
    result
}

async fn send_parts(
    client: &S3Client,
    t: &Upload,
    upload_id: &str,
    size: u64,
    part_size: u64,
) -> Result<Vec<CompletedPart>, StorageError> {
    let count = size.div_ceil(part_size).max(1);
    let path = std::path::PathBuf::from(&t.src);
    let mut parts: Vec<CompletedPart> = stream::iter(0..count)
        .map(|i| {
            let offset = i * part_size;
            let len = part_size.min(size - offset);
            let body = PutBody::File {
                path: path.clone(),
                offset,
                len,
            };
            client.upload_part_with(
                &t.dst.bucket,
                &t.dst.key,
                upload_id,
                (i + 1) as u32,
                body,
                t.opts.headers.checksum_algorithm,
            )
        })
        .buffer_unordered(t.opts.concurrency.max(1))
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    parts.sort_by_key(|p| p.part_number);
    Ok(parts)
}

/// Size and mtime of a local file and, when it is at most `read_limit` bytes, its
/// content — read on the spot when the page cache holds it, else stat, open and read
/// in one blocking task instead of one task each.
/// Without a limit, only the (async) stat.
async fn stat_and_read(
    path: &str,
    read_limit: Option<u64>,
) -> Result<(u64, DateTime<Utc>, Option<Bytes>), StorageError> {
    let Some(limit) = read_limit else {
        let (size, mtime) = local::file_stat(path).await?;
        return Ok((size, mtime, None));
    };
    // Small, cached files are read right here (see `cached_read`); the rest, and
    // every error, go through the blocking pool.
    if let Some((meta, data)) = super::cached_read::try_read(path, limit) {
        let (size, mtime) = local::file_stat_result(path, &meta)?;
        return Ok((size, mtime, data));
    }
    let owned = path.to_owned();
    tokio::task::spawn_blocking(move || {
        use std::io::Read;
        let path = owned.as_str();
        // Stat before open: opening a FIFO would block.
        let meta = std::fs::metadata(path).map_err(|e| local::file_stat_error(path, &e))?;
        let (size, mtime) = local::file_stat_result(path, &meta)?;
        if size > limit {
            return Ok((size, mtime, None));
        }
        let mut f = crate::storage::fd::retry_blocking(|| std::fs::File::open(path))
            .map_err(|e| StorageError::io("read", path, &e))?;
        let mut data = Vec::with_capacity(size as usize);
        f.read_to_end(&mut data)
            .map_err(|e| StorageError::io("read", path, &e))?;
        if data.len() as u64 != size {
            return Err(changed(path, size, data.len() as u64));
        }
        Ok((size, mtime, Some(Bytes::from(data))))
    })
    .await
    .map_err(super::download::join_error)?
}

async fn read_whole(path: &str, expected: u64) -> Result<Bytes, StorageError> {
    let data = crate::storage::fd::retry_async(|| tokio::fs::read(path))
        .await
        .map_err(|e| StorageError::io("read", path, &e))?;
    if data.len() as u64 != expected {
        return Err(changed(path, expected, data.len() as u64));
    }
    Ok(Bytes::from(data))
}

async fn read_head(path: &str) -> Result<Vec<u8>, StorageError> {
    use tokio::io::AsyncReadExt;
    let mut f = crate::storage::fd::retry_async(|| tokio::fs::File::open(path))
        .await
        .map_err(|e| StorageError::io("open", path, &e))?;
    let mut buf = vec![0u8; 512];
    let mut filled = 0;
    while filled < buf.len() {
        let n = f
            .read(&mut buf[filled..])
            .await
            .map_err(|e| StorageError::io("read", path, &e))?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    buf.truncate(filled);
    Ok(buf)
}

fn changed(path: &str, before: u64, now: u64) -> StorageError {
    StorageError::new(
        ErrorKind::Io,
        format!("file {path} changed size during upload ({before} → {now} bytes)"),
    )
}
