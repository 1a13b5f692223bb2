//! S3 → local. Data goes to a temp file (`.s5rs-tmp-…`, or for a small object an
//! unnamed one) in the destination directory and gets the destination's name only when
//! complete and verified; on any failure the temp file is removed and an existing
//! destination is left untouched. The file's
//! mtime is restored from the `mtime` metadata s5rs/rclone store, else LastModified.
//! `mv` deletes the source only after the rename succeeded (s5cmd deletes it before).
//!
//! The first request asks for the first part's range; if the object is larger, the
//! remaining parts are fetched in parallel once its headers arrived (size, ETag), the
//! first part's body streaming alongside them (`--concurrency` parts in flight in
//! all), each written at its offset through one reused buffer per stream. An object
//! of up to 1 MiB fetched in one stream is gathered and verified in memory, then
//! written to a new unnamed file (`O_TMPFILE`, `storage/unnamed.rs`), stamped with its
//! mtime and linked at its final name in one job on the file-system threads
//! (`storage/fs_pool.rs`); where the file system has no unnamed files, or the
//! destination exists, a named temp file is renamed over it instead. The same
//! threads create, rename and remove the temp files of larger objects and stat
//! destinations.
//!
//! Verification (unless `--no-verify`), computed while the data streams, before the
//! rename, never by reading the file back: an object is checked against its stored
//! full-object checksum (asked for with checksum mode; S3 sends none with a ranged
//! response, so a ranged download asks HeadObject once) when it has one, else its
//! ETag. A plain ETag is the MD5 of the data (single-part, not KMS-encrypted); a
//! multipart ETag (`md5(md5(part1)‖…‖md5(partN))-N`) is checked by learning the part
//! size (HeadObject partNumber=1) and fetching the object in exactly those parts.
//! Ranges are hashed in parallel where the digest allows it (`download/ranged.rs`):
//! each part's MD5, or each range's CRC, joined into the whole's CRC at the end. A
//! sequential digest over several ranges (a plain MD5) is fed in byte order as the
//! ranges stream, out-of-order data held within a bounded window
//! (`in_order_hash.rs`).
//! A mismatch fetches the object again (within the retry budget), then fails with
//! `checksum_mismatch`; the destination is never touched. The record's `verified`
//! names what was checked (`md5`, `etag-multipart`, `crc64nvme` …, or `none`).

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, Utc};

use super::download_verify::{
    Hashed, Plan, Planned, StreamHash, head_checksums, learn_part_size, verification_plan,
};
use super::in_order_hash::InOrder;
use super::report;
use crate::checksum;
use crate::ctx::Ctx;
use crate::error::ErrorKind;
use crate::op::Download;
use crate::output::Message;
use crate::plan::compare::{self, Stamp, object_mtime};
use crate::record::Record;
use crate::storage::s3::{ObjectBody, S3Client, note_retry};
use crate::storage::{ObjectMeta, StorageError, fs_pool, local, unnamed};

mod ranged;
use ranged::Ranged;

/// Bytes gathered before one positioned write (the size of each stream's buffer).
const WRITE_CHUNK: usize = 256 * 1024;

/// Objects up to this size, fetched in one stream, are gathered in memory and written
/// in one file-system job (create, write, mtime, rename) instead of one per step.
const SMALL_OBJECT: u64 = 1024 * 1024;

/// Runs one download and returns its record.
pub async fn run(ctx: &Arc<Ctx>, t: Download) -> Record {
    let outcome = download(ctx, &t).await;
    record(&t, outcome)
}

/// A dry run's record for a download that needs no look at the destination (`-n`/
/// `-s`/`-u`): exactly what [`run`] reports then, without building the transfer's
/// future. `None` when the op has to run.
pub async fn dry_run_record(ctx: &Ctx, t: &Download) -> Option<Record> {
    if compare::needs_check(&t.opts) {
        return None;
    }
    let client = ctx.clients.get(&t.opts.src_client).await.map(|_| ());
    Some(dry_record(t, client))
}

/// [`dry_run_record`] once its client is known built (`Ok`) or failed to build.
pub fn dry_record(t: &Download, client: Result<(), StorageError>) -> Record {
    let outcome = client.map(|()| Outcome::Done {
        size: t.info.as_ref().map_or(0, |i| i.size),
        verified: None,
    });
    record(t, outcome)
}

/// The record of a download's outcome.
fn record(t: &Download, outcome: Result<Outcome, StorageError>) -> Record {
    let op = t.opts.operation;
    let src = t.src.to_string();
    match outcome {
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
    if compare::needs_check(&t.opts)
        && let Ok(local_meta) = {
            let d = dst.clone();
            fs_pool::run(move || std::fs::metadata(d)).await?
        }
    {
        let (src_size, src_time) = match &t.info {
            Some(info) => (info.size, Stamp::of(info)),
            None => {
                let meta = client.head_object(bucket, key, version, None).await?;
                (meta.size, object_mtime(&meta))
            }
        };
        let dst_time = local_meta
            .modified()
            .ok()
            .map(|t| Stamp::exact(DateTime::<Utc>::from(t)));
        if let Some(reason) =
            compare::skip_reason(&t.opts, src_size, src_time, local_meta.len(), dst_time)
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
    let mut temp = Temp {
        dir,
        basename,
        open: None,
    };
    // A download whose data fails verification is fetched again, within the retry
    // budget; the temp file (if one was created) is emptied first.
    let mut redownloads = 0;
    let result = loop {
        match fetch(ctx, &client, t, &mut temp).await {
            Err(e)
                if e.kind == ErrorKind::ChecksumMismatch
                    && redownloads < ctx.config.retry_count =>
            {
                redownloads += 1;
                note_retry();
                let line = format!(
                    "DEBUG \"{} {} {}\": retry {redownloads}/{} in 0ms: {e}",
                    t.opts.operation, t.src, t.dst, ctx.config.retry_count
                );
                ctx.output.send(Message::Debug(line)).await;
                if let Err(e) = temp.truncate() {
                    break Err(e);
                }
            }
            r => break r,
        }
    };
    // The temp file (if one was created) is closed here; its path stays for the
    // file-system job that renames or removes it.
    let opened = temp.open.take().map(|(file, path)| {
        drop(file);
        path
    });
    let fetched = match result {
        Ok(f) => f,
        Err(e) => {
            if let Some(path) = opened {
                let _ = fs_pool::run(move || std::fs::remove_file(path)).await;
            }
            return Err(e);
        }
    };
    let mtime = object_mtime(&fetched.meta).map(|s| s.at);
    land(temp, fetched.data, opened, dst.clone(), mtime).await?;
    if t.opts.is_move && !ctx.config.dry_run {
        client.delete_object(bucket, key, version).await?;
    }
    Ok(Outcome::Done {
        size: fetched.meta.size,
        verified: Some(fetched.verified.to_string()),
    })
}

/// Puts verified data at `dst` with its mtime, in one file-system job: a small
/// object is written to a new file and named `dst` ([`write_small`]; a temp file an
/// earlier attempt left goes first), a larger one's temp file `opened` is renamed (or removed when
/// that fails).
async fn land(
    temp: Temp,
    data: Data,
    opened: Option<PathBuf>,
    dst: PathBuf,
    mtime: Option<DateTime<Utc>>,
) -> Result<(), StorageError> {
    match (data, opened) {
        // A small object, verified in memory: create, write, stamp and name in one
        // file-system job (a temp file an earlier attempt created goes first).
        (Data::Buffered(data), opened) => {
            let (dir, basename) = (temp.dir, temp.basename);
            fs_pool::run(move || {
                if let Some(path) = opened {
                    let _ = std::fs::remove_file(path);
                }
                write_small(&dir, &basename, &data, &dst, mtime)
            })
            .await??;
        }
        // Renamed, or removed when that fails, in one job.
        (Data::InTemp, Some(path)) => {
            fs_pool::run(move || {
                let finish = finish_file(&path, &dst, mtime);
                if finish.is_err() {
                    let _ = std::fs::remove_file(&path);
                }
                finish
            })
            .await??;
        }
        (Data::InTemp, None) => {
            return Err(StorageError::new(
                ErrorKind::Other,
                "internal: downloaded data has no temp file",
            ));
        }
    }
    Ok(())
}

struct Fetched {
    meta: ObjectMeta,
    verified: &'static str,
    data: Data,
}

/// Where a fetched (and verified) object's data is.
enum Data {
    /// In memory (a small object), not yet written anywhere.
    Buffered(Vec<u8>),
    /// Written into the download's temp file.
    InTemp,
}

/// The temp file a download writes into, created on first use: a small object is
/// gathered in memory and never needs one before its single file-system job.
struct Temp {
    dir: PathBuf,
    basename: String,
    open: Option<(Arc<File>, PathBuf)>,
}

impl Temp {
    /// The temp file, created now if it does not exist yet.
    async fn file(&mut self) -> Result<Arc<File>, StorageError> {
        if let Some((file, _)) = &self.open {
            return Ok(file.clone());
        }
        let (dir, basename) = (self.dir.clone(), self.basename.clone());
        let (file, path) = fs_pool::run(move || local::create_temp(&dir, &basename)).await??;
        let file = Arc::new(file);
        self.open = Some((file.clone(), path));
        Ok(file)
    }

    /// Empties the temp file, if there is one (before fetching again).
    fn truncate(&self) -> Result<(), StorageError> {
        match &self.open {
            Some((file, _)) => file
                .set_len(0)
                .map_err(|e| StorageError::new(ErrorKind::Io, format!("truncate temp file: {e}"))),
            None => Ok(()),
        }
    }
}

/// Fetches and verifies the object: a small one into memory, others into the temp
/// file (created here when needed).
async fn fetch(
    ctx: &Ctx,
    client: &S3Client,
    t: &Download,
    temp: &mut Temp,
) -> Result<Fetched, StorageError> {
    let (bucket, key, version) = (&t.src.bucket, &t.src.key, t.version_id.as_deref());
    let verify = !ctx.config.no_verify;
    let mut part_size = t.opts.part_size.max(1);
    let known_size = t.info.as_ref().map(|i| i.size);
    // A large multipart object: download it in its own parts so each part's MD5 can
    // be computed as it streams (one HEAD to learn the part size).
    let mut layout: Option<(String, u64)> = None;
    if verify
        && known_size.is_some_and(|s| s > part_size)
        && !t
            .info
            .as_ref()
            .and_then(|i| i.etag.as_deref())
            .is_some_and(checksum::is_plain_md5)
        && let Some((etag, part_len)) = learn_part_size(client, bucket, key, version).await
    {
        part_size = part_len;
        layout = Some((etag, part_len));
    }
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
    let mut meta = first.meta;
    let total = meta.size;
    let single_stream = first_range.is_none() || total <= part_size;
    if verify && !single_stream && checksum::full_object(&meta.checksums).is_none() {
        // A ranged response carries no stored checksum: HeadObject has it.
        let etag = meta.etag.as_deref();
        if let Some(sums) = head_checksums(client, bucket, key, version, etag).await {
            meta.checksums = sums;
        }
    }
    let plan = match verification_plan(verify, &meta, layout.as_ref()) {
        Planned::Ready(plan) => plan,
        Planned::NeedsPartSize(etag) => match learn_part_size(client, bucket, key, version).await {
            Some((e, part_len)) if e == etag => Plan::Etag {
                etag,
                part_size: part_len,
            },
            _ => Plan::None,
        },
    };
    let (data, hashed) = if single_stream {
        fetch_single(first.body, total, key, temp, plan.stream_hash()).await?
    } else {
        let ranged = Ranged {
            client,
            bucket,
            key,
            version,
            total,
            part_size,
            concurrency: t.opts.concurrency,
            etag: meta.etag.clone(),
        };
        let file = temp.file().await?;
        (Data::InTemp, ranged.fetch(first.body, file, &plan).await?)
    };
    let verified = plan
        .check(hashed)
        .map_err(|(what, got, expected)| mismatch(t, what, &got, &expected))?;
    Ok(Fetched {
        meta,
        verified,
        data,
    })
}

/// Reads an object sent in one stream: into memory when small, else into the temp
/// file; returns the data's place and what was hashed on the way.
async fn fetch_single(
    body: ObjectBody,
    total: u64,
    key: &str,
    temp: &mut Temp,
    mut hash: Option<StreamHash>,
) -> Result<(Data, Hashed), StorageError> {
    if total <= SMALL_OBJECT {
        let data = read_small(body, total, hash.as_mut()).await?;
        if data.len() as u64 != total {
            return Err(short_body(key, total, data.len() as u64));
        }
        return Ok((Data::Buffered(data), Hashed::from_stream(hash)));
    }
    let f = temp.file().await?;
    let feed = hash.as_mut().map_or(Feed::None, Feed::Hash);
    let n = write_stream(body, f.clone(), 0, feed, None).await?;
    if n != total {
        return Err(short_body(key, total, n));
    }
    Ok((Data::InTemp, Hashed::from_stream(hash)))
}

fn mismatch(t: &Download, what: &str, got: &str, expected: &str) -> StorageError {
    StorageError::new(
        ErrorKind::ChecksumMismatch,
        format!(
            "downloaded data of {} does not match its {what}: got {got}, expected {expected}",
            t.src
        ),
    )
}

/// Reads a whole (small) body into memory, feeding `hasher`.
async fn read_small(
    mut body: ObjectBody,
    size: u64,
    mut hasher: Option<&mut StreamHash>,
) -> Result<Vec<u8>, StorageError> {
    let mut data = Vec::with_capacity(size as usize);
    while let Some(chunk) = body.next_chunk().await {
        let chunk = chunk?;
        if let Some(h) = hasher.as_deref_mut() {
            h.update(&chunk);
        }
        data.extend_from_slice(&chunk);
    }
    Ok(data)
}

/// Writes `data` with its mtime to a new file and puts it at `dst`, never leaving a
/// partial file there: an unnamed file (`storage/unnamed.rs`) linked to `dst` when
/// the file system has them (one directory entry made, none removed), else a temp
/// file renamed over `dst`.
fn write_small(
    dir: &Path,
    basename: &str,
    data: &[u8],
    dst: &Path,
    mtime: Option<DateTime<Utc>>,
) -> Result<(), StorageError> {
    let unnamed = unnamed::create(dir)
        .map_err(|e| StorageError::io("create in", &dir.to_string_lossy(), &e))?;
    match unnamed {
        Some(file) => match write_unnamed(file, dir, basename, data, dst, mtime)? {
            Landed::Yes => Ok(()),
            // No way to name it here (e.g. no /proc): the named way below.
            Landed::Unlinkable => write_named(dir, basename, data, dst, mtime),
        },
        None => write_named(dir, basename, data, dst, mtime),
    }
}

/// Whether an unnamed file got its name.
enum Landed {
    Yes,
    Unlinkable,
}

/// Fills the unnamed `file` and names it `dst`; an existing `dst` is replaced by
/// naming the file with a temp name first and renaming that over it.
fn write_unnamed(
    mut file: File,
    dir: &Path,
    basename: &str,
    data: &[u8],
    dst: &Path,
    mtime: Option<DateTime<Utc>>,
) -> Result<Landed, StorageError> {
    fill(&mut file, data, dst, mtime)?;
    match unnamed::link(&file, dst) {
        Ok(()) => Ok(Landed::Yes),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let temp = local::link_temp(&file, dir, basename)?;
            drop(file);
            rename_over(&temp, dst).map(|()| Landed::Yes)
        }
        Err(_) => Ok(Landed::Unlinkable),
    }
}

/// Writes `data` into `file` and sets its mtime through the descriptor (`shown`
/// names the file in errors).
fn fill(
    file: &mut File,
    data: &[u8],
    shown: &Path,
    mtime: Option<DateTime<Utc>>,
) -> Result<(), StorageError> {
    write_in_pieces(file, data, 0)
        .map_err(|e| StorageError::new(ErrorKind::Io, format!("write: {e}")))?;
    match mtime {
        Some(t) => local::set_file_mtime(file, shown, t),
        None => Ok(()),
    }
}

/// Renames the complete `temp` over `dst`, removing `temp` if that fails.
fn rename_over(temp: &Path, dst: &Path) -> Result<(), StorageError> {
    let result = finish_file(temp, dst, None);
    if result.is_err() {
        let _ = std::fs::remove_file(temp);
    }
    result
}

/// Creates a temp file in `dir`, writes `data`, sets the mtime through the open
/// descriptor and renames the file over `dst`; the temp file is removed on any failure.
fn write_named(
    dir: &Path,
    basename: &str,
    data: &[u8],
    dst: &Path,
    mtime: Option<DateTime<Utc>>,
) -> Result<(), StorageError> {
    let (mut file, temp) = local::create_temp(dir, basename)?;
    let filled = fill(&mut file, data, &temp, mtime);
    drop(file);
    match filled {
        Ok(()) => rename_over(&temp, dst),
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            Err(e)
        }
    }
}

/// Where a stream's bytes are hashed on the way to the file.
enum Feed<'a> {
    /// Nowhere.
    None,
    /// A hasher of this stream alone, fed in order.
    Hash(&'a mut StreamHash),
    /// The in-order hasher of a download in ranges, fed each chunk at its offset.
    InOrder(&'a InOrder),
}

/// Writes a body at `offset`, feeding `feed`; returns bytes written. One buffer per
/// stream, handed to each blocking write and back: no allocation per write.
///
/// Streams of the same file take `turn` around each write. ext4 holds the inode's
/// lock for the whole of a buffered write, and writers that find it taken spin on it
/// (`rwsem_spin_on_owner`) before they sleep: with five parts writing 256 KiB at a
/// time, a `perf` profile of a 1 GiB download spent 17 % of all samples spinning, on
/// two cores the network and the server needed. One copy into the page cache at a
/// time is still several GB/s; the parts keep arriving in parallel.
async fn write_stream(
    mut body: ObjectBody,
    file: Arc<File>,
    offset: u64,
    mut feed: Feed<'_>,
    turn: Option<&tokio::sync::Mutex<()>>,
) -> Result<u64, StorageError> {
    // Exactly WRITE_CHUNK bytes per write: the buffer never grows past it, whatever
    // the size of the chunks the connection delivers (peak RSS with parallel parts).
    let mut buf: Vec<u8> = Vec::new();
    let mut written = 0u64;
    while let Some(chunk) = body.next_chunk().await {
        let chunk: Bytes = chunk?;
        match &mut feed {
            Feed::None => {}
            Feed::Hash(h) => h.update(&chunk),
            Feed::InOrder(o) => {
                let at = offset + written + buf.len() as u64;
                o.submit(at, chunk.clone()).await;
            }
        }
        let mut rest = &chunk[..];
        while !rest.is_empty() {
            if buf.capacity() == 0 {
                buf.reserve_exact(WRITE_CHUNK);
            }
            let n = rest.len().min(WRITE_CHUNK - buf.len());
            buf.extend_from_slice(&rest[..n]);
            rest = &rest[n..];
            if buf.len() == WRITE_CHUNK {
                buf = write_at(file.clone(), buf, offset + written, turn).await?;
                buf.clear();
                written += WRITE_CHUNK as u64;
            }
        }
    }
    if !buf.is_empty() {
        let len = buf.len() as u64;
        write_at(file, buf, offset + written, turn).await?;
        written += len;
    }
    Ok(written)
}

/// Writes `data` at `offset` on a blocking thread, holding `turn` when given (see
/// `write_stream`); gives the buffer back.
async fn write_at(
    file: Arc<File>,
    data: Vec<u8>,
    offset: u64,
    turn: Option<&tokio::sync::Mutex<()>>,
) -> Result<Vec<u8>, StorageError> {
    let _turn = match turn {
        Some(t) => Some(t.lock().await),
        None => None,
    };
    let (data, result) = tokio::task::spawn_blocking(move || {
        let r = write_in_pieces(&file, &data, offset);
        (data, r)
    })
    .await
    .map_err(join_error)?;
    result.map_err(|e| StorageError::new(ErrorKind::Io, format!("write: {e}")))?;
    Ok(data)
}

/// Largest single `pwrite` into the page cache. Since Linux 6.16 ext4 caches a
/// buffered write in folios as large as the write (up to 2 MiB), and a large folio
/// comes from the high-order free lists: on a VM whose freed memory is handed back
/// to the host (free page reporting, as on Firecracker), those blocks are exactly
/// the ones the host has dropped, and touching them again costs a host fault per
/// page. Writing 1 GiB in 256 KiB writes then spent up to 3 s of sys in
/// `copy_folio_from_iter_atomic` (2 MiB writes: 2.7-3.1 s every time), against
/// 0.3 s in 32 KiB writes, which are cached in small folios (docs/performance.md).
/// Every download write goes through [`write_in_pieces`]: the streams' buffers and
/// the small objects (up to [`SMALL_OBJECT`], written whole) alike.
const PAGE_CACHE_WRITE: usize = 32 * 1024;

/// `write_all_at` of `data` in pieces of at most [`PAGE_CACHE_WRITE`] bytes.
fn write_in_pieces(file: &File, data: &[u8], offset: u64) -> std::io::Result<()> {
    let mut at = offset;
    for piece in data.chunks(PAGE_CACHE_WRITE) {
        file.write_all_at(piece, at)?;
        at += piece.len() as u64;
    }
    Ok(())
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

/// Creates the destination directory and removes temp files an interrupted earlier
/// run left there, once per directory and run: downloads starting together into a
/// new directory wait for the first one's job instead of each listing it.
async fn prepare_dir(ctx: &Ctx, dir: &Path) -> Result<(), StorageError> {
    let once = {
        let mut seen = ctx.prepared_dirs.lock().expect("prepared_dirs lock");
        match seen.get(dir) {
            Some(once) => once.clone(),
            None => seen.entry(dir.to_path_buf()).or_default().clone(),
        }
    };
    if once.initialized() {
        return Ok(());
    }
    let d = dir.to_path_buf();
    once.get_or_try_init(|| async move {
        fs_pool::run(move || {
            std::fs::create_dir_all(&d).map_err(|e| {
                StorageError::new(ErrorKind::Io, format!("mkdir {}: {e}", d.display()))
            })?;
            local::cleanup_stale_temps(&d);
            Ok::<(), StorageError>(())
        })
        .await?
    })
    .await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buffer_written_in_pieces_lands_whole_at_its_offset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let file = File::create(&path).unwrap();
        // Not a multiple of the piece size, so the last piece is short.
        let data: Vec<u8> = (0..3 * PAGE_CACHE_WRITE + 1234)
            .map(|i| (i % 251) as u8)
            .collect();
        write_in_pieces(&file, &data, 7).unwrap();
        let got = std::fs::read(&path).unwrap();
        assert_eq!(got.len(), 7 + data.len());
        assert_eq!(&got[..7], &[0u8; 7]);
        assert_eq!(&got[7..], &data[..]);
    }
}
