//! The per-object checks `sync` defers to the workers, because they need a request or
//! a read of the file: the preserved-mtime comparison for S3 → local pairs, the
//! stored-mtime comparison for S3 → S3 pairs, and the
//! `--checksum` content comparison (MD5 for single-part objects, the multipart ETag
//! computed locally with the object's own part size, ETags for S3 → S3).

use std::io::Read;
use std::sync::Arc;

use md5::{Digest, Md5};

use super::download::join_error;
use super::report;
use crate::ctx::Ctx;
use crate::error::ErrorKind;
use crate::location::RemoteUrl;
use crate::op::{Op, SyncCheck, SyncPair};
use crate::plan::compare::{
    CONTENT_MATCHES, Stamp, UP_TO_DATE, is_newer, object_mtime, stored_mtimes_up_to_date,
};
use crate::record::Record;
use crate::storage::StorageError;
use crate::storage::s3::S3Client;

/// `Ok(Some(record))`: up to date, here is the skip record. `Ok(None)`: transfer it.
/// `Err(record)`: the check failed (the failure record).
pub async fn up_to_date(ctx: &Arc<Ctx>, pair: &SyncPair) -> Result<Option<Record>, Box<Record>> {
    let (src, dst, operation) = describe(&pair.op);
    let decision = match &pair.check {
        SyncCheck::PreservedMtime { local_mtime } => {
            preserved_mtime(ctx, &pair.op, *local_mtime).await
        }
        SyncCheck::StoredMtimes => stored_mtimes(ctx, &pair.op).await,
        SyncCheck::Checksum => checksum(ctx, &pair.op).await,
    };
    match decision {
        Ok(Some(reason)) => Ok(Some(report::skipped("sync", &src, &dst, reason))),
        Ok(None) => Ok(None),
        Err(e) => Err(Box::new(report::failed(operation, &src, &dst, &e))),
    }
}

fn describe(op: &Op) -> (String, String, &'static str) {
    match op {
        Op::Upload(u) => (u.src.clone(), u.dst.to_string(), u.opts.operation),
        Op::Download(d) => (d.src.to_string(), d.dst.clone(), d.opts.operation),
        Op::Copy(c) => (c.src.to_string(), c.dst.to_string(), c.opts.operation),
        _ => (String::new(), String::new(), "sync"),
    }
}

async fn preserved_mtime(
    ctx: &Ctx,
    op: &Op,
    local_mtime: chrono::DateTime<chrono::Utc>,
) -> Result<Option<&'static str>, StorageError> {
    let Op::Download(d) = op else { return Ok(None) };
    let client = ctx.clients.get(&d.opts.src_client).await?;
    let meta = client
        .head_object(&d.src.bucket, &d.src.key, None, None)
        .await?;
    if is_newer(object_mtime(&meta), Some(Stamp::exact(local_mtime))) {
        Ok(None)
    } else {
        Ok(Some(UP_TO_DATE))
    }
}

/// S3 → S3: up to date when both objects store an `mtime` and the source's is not
/// newer (one HEAD of each).
async fn stored_mtimes(ctx: &Ctx, op: &Op) -> Result<Option<&'static str>, StorageError> {
    let Op::Copy(c) = op else { return Ok(None) };
    let src_client = ctx.clients.get(&c.opts.src_client).await?;
    let dst_client = ctx.clients.get(&c.opts.dst_client).await?;
    let src = src_client
        .head_object(&c.src.bucket, &c.src.key, c.version_id.as_deref(), None)
        .await?;
    let dst = match dst_client
        .head_object(&c.dst.bucket, &c.dst.key, None, None)
        .await
    {
        Ok(m) => m,
        Err(e) if e.is_missing() => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(stored_mtimes_up_to_date(&src, &dst).then_some(UP_TO_DATE))
}

async fn checksum(ctx: &Ctx, op: &Op) -> Result<Option<&'static str>, StorageError> {
    let equal = match op {
        Op::Upload(u) => {
            let client = ctx.clients.get(&u.opts.dst_client).await?;
            match remote_etag(&client, &u.dst).await? {
                Some((etag, part_size)) => local_matches(&u.src, &etag, part_size).await?,
                None => false,
            }
        }
        Op::Download(d) => {
            let client = ctx.clients.get(&d.opts.src_client).await?;
            match remote_etag(&client, &d.src).await? {
                Some((etag, part_size)) => local_matches(&d.dst, &etag, part_size).await?,
                None => false,
            }
        }
        Op::Copy(c) => {
            let src_client = ctx.clients.get(&c.opts.src_client).await?;
            let dst_client = ctx.clients.get(&c.opts.dst_client).await?;
            let a = src_client
                .head_object(&c.src.bucket, &c.src.key, None, None)
                .await?;
            let b = dst_client
                .head_object(&c.dst.bucket, &c.dst.key, None, None)
                .await?;
            let same_etag = a.etag.is_some() && a.etag == b.etag;
            let same_checksum = [
                (&a.checksums.crc64nvme, &b.checksums.crc64nvme),
                (&a.checksums.sha256, &b.checksums.sha256),
                (&a.checksums.crc32c, &b.checksums.crc32c),
            ]
            .iter()
            .any(|(x, y)| x.is_some() && x == y);
            a.size == b.size && (same_etag || same_checksum)
        }
        _ => false,
    };
    Ok(equal.then_some(CONTENT_MATCHES))
}

/// The object's ETag and, for a multipart object, its part size (from part 1).
async fn remote_etag(
    client: &S3Client,
    url: &RemoteUrl,
) -> Result<Option<(String, u64)>, StorageError> {
    let meta = client
        .head_object(&url.bucket, &url.key, None, None)
        .await?;
    let Some(etag) = meta.etag else {
        return Ok(None);
    };
    if etag.contains('-') {
        let part = client
            .head_object(&url.bucket, &url.key, None, Some(1))
            .await?;
        Ok(Some((etag, part.size)))
    } else {
        Ok(Some((etag, 0)))
    }
}

/// Whether a local file's MD5 (or multipart ETag with `part_size`) equals `etag`.
async fn local_matches(path: &str, etag: &str, part_size: u64) -> Result<bool, StorageError> {
    let path = path.to_string();
    let etag = etag.to_ascii_lowercase();
    tokio::task::spawn_blocking(move || {
        let computed = local_etag(&path, part_size)?;
        Ok(computed == etag)
    })
    .await
    .map_err(join_error)?
}

/// MD5 hex of a file, or (with a part size) the multipart ETag `md5(md5s)-N`.
pub fn local_etag(path: &str, part_size: u64) -> Result<String, StorageError> {
    let mut file = std::fs::File::open(path).map_err(|e| StorageError::io("open", path, &e))?;
    let mut buf = vec![0u8; 1024 * 1024];
    if part_size == 0 {
        let mut h = Md5::new();
        loop {
            let n = file
                .read(&mut buf)
                .map_err(|e| StorageError::io("read", path, &e))?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
        }
        return Ok(hex::encode(h.finalize()));
    }
    let mut digests = Vec::new();
    let mut parts = 0u64;
    loop {
        let mut h = Md5::new();
        let mut in_part = 0u64;
        while in_part < part_size {
            let want = buf.len().min((part_size - in_part) as usize);
            let n = file
                .read(&mut buf[..want])
                .map_err(|e| StorageError::io("read", path, &e))?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
            in_part += n as u64;
        }
        if in_part == 0 {
            break;
        }
        digests.extend_from_slice(&h.finalize());
        parts += 1;
        if in_part < part_size {
            break;
        }
    }
    if parts == 0 {
        return Err(StorageError::new(ErrorKind::Io, format!("{path} is empty")));
    }
    Ok(format!("{}-{parts}", hex::encode(Md5::digest(&digests))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_etag_of_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, vec![7u8; 10]).unwrap();
        let path = p.to_str().unwrap();
        assert_eq!(
            local_etag(path, 0).unwrap(),
            hex::encode(Md5::digest([7u8; 10]))
        );
        let mut cat = Vec::new();
        cat.extend_from_slice(&Md5::digest([7u8; 4]));
        cat.extend_from_slice(&Md5::digest([7u8; 4]));
        cat.extend_from_slice(&Md5::digest([7u8; 2]));
        assert_eq!(
            local_etag(path, 4).unwrap(),
            format!("{}-3", hex::encode(Md5::digest(&cat)))
        );
    }
}
