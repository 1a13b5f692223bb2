//! S3 → local. Data goes to a temp file (`.s5rs-tmp-…`) in the destination directory
//! and is renamed over the destination only when complete and verified; on any failure
//! the temp file is removed and an existing destination is left untouched. The file's
//! mtime is restored from the `mtime` metadata s5rs/rclone store, else LastModified.
//! `mv` deletes the source only after the rename succeeded (s5cmd deletes it before).
//!
//! The first request asks for the first part's range; if the object is larger, the
//! remaining parts are fetched in parallel (`--concurrency`) and written at their
//! offsets. Verification: an object fetched in one stream is checked against its MD5
//! ETag (single-part, not KMS/SSE-C encrypted) while it streams.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use futures_util::stream;
use md5::{Digest, Md5};

use super::overwrite::{self, parse_mtime_metadata};
use super::{Ctx, report};
use crate::error::ErrorKind;
use crate::op::Download;
use crate::record::Record;
use crate::storage::s3::{ObjectBody, S3Client};
use crate::storage::{ObjectMeta, StorageError, local};

/// Bytes gathered before one positioned write.
const WRITE_CHUNK: usize = 1024 * 1024;

/// Runs one download and returns its record.
pub async fn run(ctx: &Arc<Ctx>, t: Download) -> Record {
    let op = t.opts.operation;
    let src = t.src.to_string();
    match download(ctx, &t).await {
        Ok(Outcome::Done { size, verified }) => {
            let mut r = report::done(op, &src, &t.dst);
            r.object = Some(report::file_object(size, None));
            r.verified = verified;
            r
        }
        Ok(Outcome::Skipped(reason)) => report::skipped(op, &src, &t.dst, reason),
        Err(e) => report::failed(op, &src, &t.dst, &e),
    }
}

enum Outcome {
    Done { size: u64, verified: Option<String> },
    Skipped(&'static str),
}

async fn download(ctx: &Arc<Ctx>, t: &Download) -> Result<Outcome, StorageError> {
    let client = ctx.clients.get(&t.opts.src_client).await?;
    let dst = PathBuf::from(&t.dst);
    let (bucket, key, version) = (&t.src.bucket, &t.src.key, t.version_id.as_deref());
    if overwrite::needs_check(&t.opts)
        && let Ok(local_meta) = tokio::fs::metadata(&dst).await
    {
        let (src_size, src_time) = match &t.info {
            Some(info) => (info.size, info.last_modified),
            None => {
                let meta = client.head_object(bucket, key, version, None).await?;
                (meta.size, object_mtime(&meta))
            }
        };
        let dst_time = local_meta.modified().ok().map(DateTime::<Utc>::from);
        if let Some(reason) =
            overwrite::skip_reason(&t.opts, src_size, src_time, local_meta.len(), dst_time)
        {
            return Ok(Outcome::Skipped(reason));
        }
    }
    if ctx.config.dry_run {
        return Ok(Outcome::Done {
            size: t.info.as_ref().map_or(0, |i| i.size),
            verified: None,
        });
    }
    let dir = match dst.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    prepare_dir(ctx, &dir).await?;
    let basename = dst
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "download".to_string());
    let (file, temp) = {
        let (dir, basename) = (dir.clone(), basename.clone());
        tokio::task::spawn_blocking(move || local::create_temp(&dir, &basename))
            .await
            .map_err(join_error)??
    };
    let file = Arc::new(file);
    let result = fetch(&client, t, file.clone()).await;
    drop(file);
    let fetched = match result {
        Ok(f) => f,
        Err(e) => {
            let _ = tokio::fs::remove_file(&temp).await;
            return Err(e);
        }
    };
    let mtime = object_mtime(&fetched.meta);
    let finish = {
        let (temp, dst) = (temp.clone(), dst.clone());
        tokio::task::spawn_blocking(move || finish_file(&temp, &dst, mtime))
            .await
            .map_err(join_error)?
    };
    if let Err(e) = finish {
        let _ = tokio::fs::remove_file(&temp).await;
        return Err(e);
    }
    if t.opts.is_move && !ctx.config.dry_run {
        client.delete_object(bucket, key, version).await?;
    }
    Ok(Outcome::Done {
        size: fetched.meta.size,
        verified: Some(fetched.verified.to_string()),
    })
}

/// The modification time an object stands for: its `mtime` metadata, else LastModified.
pub fn object_mtime(meta: &ObjectMeta) -> Option<DateTime<Utc>> {
    meta.metadata
        .get("mtime")
        .and_then(|v| parse_mtime_metadata(v))
        .or(meta.last_modified)
}

struct Fetched {
    meta: ObjectMeta,
    verified: &'static str,
}

async fn fetch(client: &S3Client, t: &Download, file: Arc<File>) -> Result<Fetched, StorageError> {
    let (bucket, key, version) = (&t.src.bucket, &t.src.key, t.version_id.as_deref());
    let part_size = t.opts.part_size.max(1);
    let known_size = t.info.as_ref().map(|i| i.size);
    // Small (or unknown-size) objects: one request; its range covers the first part.
    let mut first_range = match known_size {
        Some(0) => None,
        Some(s) if s <= part_size => None,
        _ => Some((0, part_size - 1)),
    };
    let first = match client.get_object(bucket, key, version, first_range).await {
        // S3 answers a Range on an empty object with 416 InvalidRange: get it whole.
        Err(e) if first_range.is_some() && e.status == Some(416) => {
            first_range = None;
            client.get_object(bucket, key, version, None).await?
        }
        r => r?,
    };
    let meta = first.meta;
    let total = meta.size;
    let single_stream = first_range.is_none() || total <= part_size;
    let expected_md5 = single_stream.then(|| plain_md5_etag(&meta)).flatten();
    let mut hasher = expected_md5.as_ref().map(|_| Md5::new());
    let first_len = write_stream(first.body, file.clone(), 0, hasher.as_mut()).await?;
    let first_expected = if single_stream { total } else { part_size };
    if first_len != first_expected {
        return Err(short_body(key, first_expected, first_len));
    }
    if !single_stream {
        let count = total.div_ceil(part_size);
        let etag = meta.etag.clone();
        stream::iter(1..count)
            .map(|i| {
                let start = i * part_size;
                let end = (start + part_size).min(total) - 1;
                let file = file.clone();
                let etag = etag.clone();
                async move {
                    let part = client
                        .get_object(bucket, key, version, Some((start, end)))
                        .await?;
                    if etag.is_some() && part.meta.etag != etag {
                        return Err(StorageError::new(
                            ErrorKind::PreconditionFailed,
                            format!("object {key} changed during download"),
                        ));
                    }
                    let n = write_stream(part.body, file, start, None).await?;
                    if n != end - start + 1 {
                        return Err(short_body(key, end - start + 1, n));
                    }
                    Ok(())
                }
            })
            .buffer_unordered(t.opts.concurrency.max(1))
            .collect::<Vec<Result<(), StorageError>>>()
            .await
            .into_iter()
            .collect::<Result<Vec<()>, _>>()?;
    }
    let verified = match (expected_md5, hasher) {
        (Some(expected), Some(h)) => {
            let got = hex::encode(h.finalize());
            if !got.eq_ignore_ascii_case(&expected) {
                return Err(StorageError::new(
                    ErrorKind::ChecksumMismatch,
                    format!("MD5 of downloaded data {got} does not match ETag {expected}"),
                ));
            }
            "md5"
        }
        _ => "none",
    };
    Ok(Fetched { meta, verified })
}

/// The ETag when it is a plain MD5 of the content (single-part, not SSE-KMS/SSE-C).
fn plain_md5_etag(meta: &ObjectMeta) -> Option<String> {
    let etag = meta.etag.as_ref()?;
    if etag.len() != 32 || !etag.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    if meta.sse.as_deref().is_some_and(|s| s.contains("kms")) {
        return None;
    }
    Some(etag.clone())
}

/// Writes a body at `offset`, feeding `hasher` in order; returns bytes written.
async fn write_stream(
    mut body: ObjectBody,
    file: Arc<File>,
    offset: u64,
    mut hasher: Option<&mut Md5>,
) -> Result<u64, StorageError> {
    let mut buf: Vec<u8> = Vec::new();
    let mut written = 0u64;
    while let Some(chunk) = body.next_chunk().await {
        let chunk = chunk?;
        if let Some(h) = hasher.as_deref_mut() {
            h.update(&chunk);
        }
        buf.extend_from_slice(&chunk);
        if buf.len() >= WRITE_CHUNK {
            let data = std::mem::take(&mut buf);
            written += write_at(file.clone(), data, offset + written).await?;
        }
    }
    if !buf.is_empty() {
        written += write_at(file, buf, offset + written).await?;
    }
    Ok(written)
}

async fn write_at(file: Arc<File>, data: Vec<u8>, offset: u64) -> Result<u64, StorageError> {
    let len = data.len() as u64;
    tokio::task::spawn_blocking(move || file.write_all_at(&data, offset))
        .await
        .map_err(join_error)?
        .map_err(|e| StorageError::new(ErrorKind::Io, format!("write: {e}")))?;
    Ok(len)
}

fn finish_file(temp: &Path, dst: &Path, mtime: Option<DateTime<Utc>>) -> Result<(), StorageError> {
    if let Some(t) = mtime {
        local::set_mtime(temp, t)?;
    }
    std::fs::rename(temp, dst).map_err(|e| {
        StorageError::new(
            ErrorKind::Io,
            format!("rename {} {}: {e}", temp.display(), dst.display()),
        )
    })
}

/// Creates the destination directory (once per run) and removes temp files an
/// interrupted earlier run left there.
async fn prepare_dir(ctx: &Ctx, dir: &Path) -> Result<(), StorageError> {
    {
        let seen = ctx.prepared_dirs.lock().expect("prepared_dirs lock");
        if seen.contains(dir) {
            return Ok(());
        }
    }
    let d = dir.to_path_buf();
    tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&d)
            .map_err(|e| StorageError::new(ErrorKind::Io, format!("mkdir {}: {e}", d.display())))?;
        local::cleanup_stale_temps(&d);
        Ok::<(), StorageError>(())
    })
    .await
    .map_err(join_error)??;
    ctx.prepared_dirs
        .lock()
        .expect("prepared_dirs lock")
        .insert(dir.to_path_buf());
    Ok(())
}

fn short_body(key: &str, expected: u64, got: u64) -> StorageError {
    StorageError::new(
        ErrorKind::Network,
        format!("short read of {key}: expected {expected} bytes, got {got}"),
    )
}

/// A panicked or cancelled blocking task.
pub fn join_error(e: tokio::task::JoinError) -> StorageError {
    StorageError::new(ErrorKind::Other, format!("internal task failed: {e}"))
}
