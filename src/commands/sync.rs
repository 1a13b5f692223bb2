//! `sync` (reference §4, fixing §9.2 items 1, 6–10): a streaming merge-join of two
//! listings sorted by relative name.
//!
//! * Both sides stream in byte order of their name relative to the sync roots (S3
//!   lists in key order; local walks are sorted so that the walk itself yields sorted
//!   relative names), so memory does not grow with the number of objects. Copies start
//!   while listing goes on.
//! * Comparison: default = copy when sizes differ or the source is strictly newer; for
//!   S3 → local pairs whose listing time says "newer" the object's preserved `mtime`
//!   metadata is checked first (so a round trip is a no-op); `--size-only`; `--checksum`
//!   compares content (MD5 / multipart ETag / ETags).
//! * Filters match the relative name on both sides; a wildcard or directory source
//!   narrows which destination names are in scope; excluded or out-of-scope
//!   destination objects are never deleted; size and age filters judge each side's
//!   own entry, and a source entry they exclude still holds its name (no deletion).
//! * `--delete` candidates are spilled to an unlinked temp file, and deleted only after
//!   both listings completed without error and every copy of the line finished;
//!   `--max-delete N` refuses to delete more than N.
//! * A single-object source is compared with its exact destination and copied only
//!   when needed (idempotent).
//! * `--shard K/N`: both listings keep only the names of this shard (by relative
//!   name), so each shard compares, copies and deletes exactly its share.

use std::cmp::Ordering;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::command::SyncCmd;
use crate::ctx::{Ctx, LineCtx};
use crate::error::ErrorKind;
use crate::exec::{self, report};
use crate::location::{LocalPath, Location, RemoteUrl};
use crate::op::{
    DeleteLocal, DeleteRemote, Download, Op, ServerCopy, SyncCheck, SyncPair, TransferOpts, Upload,
};
use crate::storage::local::{self, LocalFs};
use crate::storage::s3::S3Bucket;
use crate::storage::{EntryKind, ListRequest, ObjectInfo, Storage, StorageError};
use crate::wildcard::{self, Pattern};

use super::confirm;
use super::rm::DELETE_BATCH;
use crate::plan::compare::{
    self, Decision, Direction, Stamp, Strategy, UP_TO_DATE, is_newer, object_mtime,
};
use crate::plan::dest;
use crate::plan::expand::{self, ExpandOptions, Expanded, basename};
use crate::plan::filter::ObjectFilter;
use crate::plan::glacier::skip_unreadable;
use crate::plan::spill::Spill;
use crate::plan::transfer::{expands, prefix_as_wildcard, transfer_opts, validate};

/// The part of [`Storage`] a destination listing needs, object-safe (the trait's
/// async methods are not), so S3 and local destinations share one code path.
trait ListOnly: Send {
    /// Lists everything under `prefix`, recursively, latest versions only.
    fn list_all(&self, prefix: String) -> crate::storage::Lister;
}

impl<T: Storage> ListOnly for T {
    fn list_all(&self, prefix: String) -> crate::storage::Lister {
        self.list(ListRequest {
            prefix,
            recursive: true,
            all_versions: false,
        })
    }
}

/// Plans and submits a sync line.
pub async fn run(ctx: &Arc<Ctx>, line: &Arc<LineCtx>, cmd: &SyncCmd) {
    // s5rs: `sync s3://b/pre/ dst/` means `s3://b/pre/*`.
    let src = prefix_as_wildcard(&cmd.src, cmd.flags.raw);
    let src = src.as_deref().unwrap_or(&cmd.src);
    let sides = match validate(src, &cmd.dst, cmd.flags.raw, None).await {
        Ok(s) => s,
        Err((message, kind)) => return line.fail(ctx, message, kind).await,
    };
    let opts = match transfer_opts(
        "cp",
        false,
        &cmd.flags,
        matches!(sides.dst, Location::Local(_)),
    ) {
        Ok(o) => Arc::new(o),
        Err(m) => return line.fail(ctx, m, ErrorKind::Usage).await,
    };
    let strategy = if cmd.checksum {
        Strategy::Checksum
    } else if cmd.size_only {
        Strategy::SizeOnly
    } else {
        Strategy::SizeAndTime
    };
    let batch = expands(&sides.src).await;
    let wanted = (cmd.flags.create_bucket, batch);
    if !super::dest_bucket::ready(ctx, line, &sides.dst, &opts.dst_client, wanted).await {
        return;
    }
    let filters = ObjectFilter::new(&cmd.flags.exclude, &cmd.flags.include, &cmd.filter);
    if cmd.all_versions {
        let sides = (&sides.src, &sides.dst);
        return super::versions::run(ctx, line, &opts, &filters, sides, false).await;
    }
    let sync = Sync {
        ctx,
        line,
        cmd,
        opts,
        strategy,
        filters,
        src: sides.src,
        dst: sides.dst,
    };
    if batch {
        sync.batch().await;
    } else {
        sync.single().await;
    }
}

struct Sync<'a> {
    ctx: &'a Arc<Ctx>,
    line: &'a Arc<LineCtx>,
    cmd: &'a SyncCmd,
    opts: Arc<TransferOpts>,
    strategy: Strategy,
    filters: ObjectFilter,
    src: Location,
    dst: Location,
}

/// A listing entry with its name relative to its sync root.
struct Named {
    relative: String,
    info: ObjectInfo,
    /// Passes the size and age filters: a source entry that does not is not copied,
    /// a destination entry that does not is not deleted.
    kept: bool,
}

impl Sync<'_> {
    async fn batch(&self) {
        let (mut src_rx, scope) = match self.source_stream().await {
            Ok(s) => s,
            Err(e) => return self.line.fail(self.ctx, e.to_string(), e.kind).await,
        };
        let mut dst_rx = match self.destination_stream().await {
            Ok(s) => s,
            Err(e) => return self.line.fail(self.ctx, e.to_string(), e.kind).await,
        };
        let mut deletions = match Spill::<String>::new("sync-deletions") {
            Ok(s) => s,
            Err(e) => return self.line.fail(self.ctx, e.to_string(), e.kind).await,
        };
        let mut src_failed = false;
        let mut dst_failed = false;
        let mut s = self.next_source(&mut src_rx, &mut src_failed).await;
        let mut d = next_named(&mut dst_rx, self, &mut dst_failed).await;
        loop {
            if self.ctx.stopping() || (self.cmd.exit_on_error && self.line.tracker.failed()) {
                src_failed = true;
                break;
            }
            let order = match (&s, &d) {
                (None, None) => break,
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some(a), Some(b)) => a.relative.as_bytes().cmp(b.relative.as_bytes()),
            };
            match order {
                Ordering::Less => {
                    let a = s.take().expect("source present");
                    if a.kept {
                        self.transfer(a, None).await;
                    }
                    s = self.next_source(&mut src_rx, &mut src_failed).await;
                }
                Ordering::Greater => {
                    let b = d.take().expect("destination present");
                    if self.cmd.delete
                        && b.kept
                        && scope.contains(&b.relative)
                        && let Err(e) = deletions.push(&b.relative)
                    {
                        self.line.fail(self.ctx, e.to_string(), e.kind).await;
                        dst_failed = true;
                    }
                    d = next_named(&mut dst_rx, self, &mut dst_failed).await;
                }
                Ordering::Equal => {
                    let a = s.take().expect("source present");
                    let b = d.take().expect("destination present");
                    if a.kept {
                        self.transfer(a, Some(b.info)).await;
                    }
                    s = self.next_source(&mut src_rx, &mut src_failed).await;
                    d = next_named(&mut dst_rx, self, &mut dst_failed).await;
                }
            }
        }
        if !self.cmd.delete || deletions.count == 0 {
            return;
        }
        if src_failed || dst_failed {
            self.line
                .fail(
                    self.ctx,
                    format!(
                        "not deleting {} objects: listing did not complete without errors",
                        deletions.count
                    ),
                    ErrorKind::Cancelled,
                )
                .await;
            return;
        }
        if let Some(max) = self.cmd.max_delete
            && deletions.count > max
        {
            self.line
                .fail(
                    self.ctx,
                    format!(
                        "refusing to delete {} objects: more than --max-delete {max}",
                        deletions.count
                    ),
                    ErrorKind::MaxDeleteExceeded,
                )
                .await;
            return;
        }
        // Deletes only after every copy of this line finished (and, on a terminal,
        // a mass delete was confirmed: asked once the copies are done).
        self.line.tracker.wait_idle().await;
        if !self.confirm_deletes(&mut deletions).await {
            return;
        }
        if self.cmd.exit_on_error && self.line.tracker.failed() {
            return;
        }
        if let Err(e) = self.delete_all(deletions).await {
            self.line.fail(self.ctx, e.to_string(), e.kind).await;
        }
    }

    /// On a terminal, asks before deleting more than `--confirm-above` objects.
    async fn confirm_deletes(&self, deletions: &mut Spill<String>) -> bool {
        if deletions.count <= self.ctx.config.confirm_above || !confirm::may_ask(self.ctx) {
            return true;
        }
        let sample: Vec<String> = match deletions.reader() {
            Ok(names) => names.take(confirm::SAMPLE).filter_map(Result::ok).collect(),
            Err(_) => Vec::new(),
        };
        confirm::confirm(self.ctx, self.line, deletions.count, &sample).await
    }

    async fn next_source(&self, rx: &mut Expanded, failed: &mut bool) -> Option<Named> {
        loop {
            match rx.recv().await? {
                Ok(o) => {
                    // `--shard`: both sides skip the names of other shards alike, so
                    // the merge (and `--delete`) covers exactly this shard's share.
                    if !self.filters.keep_name(&o.relative) || !self.ctx.owns(&o.relative) {
                        continue;
                    }
                    let kept = self.filters.keep_metadata(&o.info);
                    if kept
                        && let Location::Remote(src) = &self.src
                        && skip_unreadable(
                            self.ctx,
                            self.line,
                            self.cmd.flags.glacier,
                            (&self.opts.src_client, src, &o.info),
                            || self.source_display(&o.info),
                        )
                        .await
                    {
                        continue;
                    }
                    return Some(Named {
                        relative: o.relative,
                        info: o.info,
                        kept,
                    });
                }
                Err(e) => {
                    *failed = true;
                    self.line.fail(self.ctx, e.to_string(), e.kind).await;
                }
            }
        }
    }

    fn source_display(&self, info: &ObjectInfo) -> String {
        match &self.src {
            Location::Remote(r) => r.with_key(info.key.clone()).to_string(),
            Location::Local(_) => info.key.clone(),
        }
    }

    /// The source listing and the scope of destination names it covers.
    async fn source_stream(&self) -> Result<(Expanded, Scope), StorageError> {
        let no_filters = ObjectFilter::none();
        match &self.src {
            Location::Remote(url) => {
                let client = self.ctx.clients.get(&self.opts.src_client).await?;
                let opts = ExpandOptions {
                    filters: &no_filters,
                    not_after: Some(chrono::Utc::now()),
                    all_versions: false,
                    inventory: self.cmd.flags.source_inventory.as_deref(),
                    in_key_order: true,
                };
                let suffix = wildcard::relative_name(&url.key, &url.key).to_string();
                Ok((
                    expand::remote_wildcard(&client, url, &opts),
                    Scope::Remote(Pattern::remote(&suffix)),
                ))
            }
            Location::Local(path) => {
                let rx = expand::local(path, !self.cmd.flags.no_follow_symlinks, &no_filters);
                Ok((rx, Scope::local(path)))
            }
        }
    }

    /// The destination listing, relative to the destination root: S3 and local
    /// destinations both list through [`Storage`].
    async fn destination_stream(
        &self,
    ) -> Result<tokio::sync::mpsc::Receiver<Result<Named, StorageError>>, StorageError> {
        let (tx, rx) = tokio::sync::mpsc::channel(crate::storage::LIST_CHANNEL_CAPACITY);
        let (storage, prefix, root): (Box<dyn ListOnly>, String, String) = match &self.dst {
            Location::Remote(url) => {
                let client = self.ctx.clients.get(&self.opts.dst_client).await?;
                let bucket = S3Bucket {
                    client,
                    bucket: url.bucket.clone(),
                };
                (Box::new(bucket), url.key.clone(), url.key.clone())
            }
            Location::Local(path) => {
                let is_dir = tokio::fs::metadata(&path.path)
                    .await
                    .is_ok_and(|m| m.is_dir());
                if !is_dir {
                    // Nothing there yet: every source entry is new.
                    return Ok(rx);
                }
                let root = format!("{}/", path.path.trim_end_matches('/'));
                let fs = LocalFs {
                    follow_symlinks: true,
                };
                (Box::new(fs), path.path.clone(), root)
            }
        };
        let mut lister = storage.list_all(prefix);
        tokio::spawn(async move {
            while let Some(item) = lister.recv().await {
                let item = item.map(|info| Named {
                    relative: info
                        .key
                        .strip_prefix(root.as_str())
                        .unwrap_or(&info.key)
                        .to_string(),
                    info,
                    kept: true,
                });
                if tx.send(item).await.is_err() {
                    return;
                }
            }
        });
        Ok(rx)
    }

    fn decide(&self, src: &ObjectInfo, dst: &ObjectInfo) -> Decision {
        let direction = match (&self.src, &self.dst) {
            (Location::Remote(_), Location::Local(_)) => Direction::Download,
            (Location::Remote(_), Location::Remote(_)) => Direction::Copy,
            _ => Direction::Upload,
        };
        compare::sync_decision(self.strategy, src, dst, direction)
    }

    /// Copies one source entry (to `relative` under the destination root) unless the
    /// destination entry is up to date.
    async fn transfer(&self, src: Named, dst_info: Option<ObjectInfo>) {
        let Some(op) = self.op_for(&src) else { return };
        self.submit_unless_up_to_date(op, &src.info, dst_info.as_ref(), false)
            .await;
    }

    /// Submits `op` unless the pair is up to date (then a skip record). With
    /// `mtime_known`, the source's time already is its preserved mtime (from a HEAD),
    /// so the preserved-mtime check is decided here instead of on a worker.
    async fn submit_unless_up_to_date(
        &self,
        op: Op,
        src: &ObjectInfo,
        dst: Option<&ObjectInfo>,
        mtime_known: bool,
    ) {
        let decision = match dst {
            None => Decision::Copy,
            Some(d) => match self.decide(src, d) {
                Decision::Check(SyncCheck::PreservedMtime { local_mtime }) if mtime_known => {
                    if is_newer(Stamp::of(src), Some(Stamp::exact(local_mtime))) {
                        Decision::Copy
                    } else {
                        Decision::Skip(UP_TO_DATE)
                    }
                }
                other => other,
            },
        };
        let op = match decision {
            Decision::Copy => op,
            Decision::Skip(reason) => {
                let (s, t) = displays(&op);
                return self
                    .line
                    .report(self.ctx, report::skipped("sync", &s, &t, reason))
                    .await;
            }
            Decision::Check(check) => Op::Sync(SyncPair {
                op: Box::new(op),
                check,
            }),
        };
        exec::submit(self.ctx, self.line, op).await;
    }

    fn op_for(&self, src: &Named) -> Option<Op> {
        let info = Some(src.info.clone());
        let op = match (&self.src, &self.dst) {
            (Location::Local(_), Location::Remote(d)) => Op::Upload(Upload {
                opts: self.opts.clone(),
                src: src.info.key.clone(),
                dst: dest::remote(d, &src.relative, true),
                info,
            }),
            (Location::Remote(s), Location::Local(d)) => {
                match dest::local_join(&d.path, &src.relative) {
                    Ok(path) => Op::Download(Download {
                        opts: self.opts.clone(),
                        src: s.with_key(src.info.key.clone()),
                        version_id: None,
                        dst: path,
                        info,
                    }),
                    Err(e) => {
                        let line = self.line.clone();
                        let ctx = self.ctx.clone();
                        let s = s.with_key(src.info.key.clone()).to_string();
                        let t = format!("{}/{}", d.path.trim_end_matches('/'), src.relative);
                        tokio::spawn(async move {
                            line.report(&ctx, report::failed("cp", &s, &t, &e)).await
                        });
                        return None;
                    }
                }
            }
            (Location::Remote(s), Location::Remote(d)) => Op::Copy(ServerCopy {
                opts: self.opts.clone(),
                src: s.with_key(src.info.key.clone()),
                version_id: None,
                dst: dest::remote(d, &src.relative, true),
                info,
            }),
            (Location::Local(_), Location::Local(_)) => return None,
        };
        Some(op)
    }

    async fn delete_all(&self, mut spill: Spill<String>) -> Result<(), StorageError> {
        let names = spill.reader()?;
        match &self.dst {
            Location::Remote(d) => {
                let mut batch = Vec::with_capacity(DELETE_BATCH);
                for name in names {
                    batch.push((format!("{}{}", d.key, name?), None));
                    if batch.len() == DELETE_BATCH {
                        self.submit_deletes(d, std::mem::take(&mut batch)).await;
                    }
                }
                if !batch.is_empty() {
                    self.submit_deletes(d, batch).await;
                }
            }
            Location::Local(d) => {
                for name in names {
                    let path = dest::local_join(&d.path, &name?)?;
                    let op = Op::DeleteLocal(DeleteLocal {
                        operation: "rm",
                        path,
                        prune_empty_dirs_below: Some(d.path.clone()),
                    });
                    exec::submit(self.ctx, self.line, op).await;
                }
            }
        }
        Ok(())
    }

    async fn submit_deletes(&self, d: &RemoteUrl, keys: Vec<(String, Option<String>)>) {
        let op = Op::DeleteRemote(DeleteRemote {
            operation: "rm",
            client: self.opts.dst_client.clone(),
            bucket: d.bucket.clone(),
            keys,
        });
        exec::submit(self.ctx, self.line, op).await;
    }

    /// One object: compare with its exact destination, copy when needed.
    async fn single(&self) {
        let name = match &self.src {
            Location::Remote(r) => basename(&r.key).to_string(),
            Location::Local(l) => basename(&l.path).to_string(),
        };
        let src_info = match self.stat_source().await {
            Ok(i) => i,
            Err(e) => return self.line.fail(self.ctx, e.to_string(), e.kind).await,
        };
        if !self.filters.keep(&name, &src_info) {
            return;
        }
        let relative = match &self.dst {
            Location::Remote(d) if d.is_bucket() || d.is_prefix() => name.clone(),
            Location::Remote(_) => String::new(),
            Location::Local(d) => {
                let is_dir = d.path.ends_with('/')
                    || d.path == "."
                    || tokio::fs::metadata(&d.path).await.is_ok_and(|m| m.is_dir());
                if is_dir { name.clone() } else { String::new() }
            }
        };
        let src = Named {
            relative: relative.clone(),
            info: src_info,
            kept: true,
        };
        let op = match self.single_op(&src, &relative) {
            Ok(op) => op,
            Err(e) => return self.line.fail(self.ctx, e.to_string(), e.kind).await,
        };
        let dst_info = match self.stat_destination(&op).await {
            Ok(i) => i,
            Err(e) => return self.line.fail(self.ctx, e.to_string(), e.kind).await,
        };
        self.submit_unless_up_to_date(op, &src.info, dst_info.as_ref(), true)
            .await;
    }

    /// The single source's size and modification time (preserved mtime for S3).
    async fn stat_source(&self) -> Result<ObjectInfo, StorageError> {
        match &self.src {
            Location::Remote(r) => {
                let client = self.ctx.clients.get(&self.opts.src_client).await?;
                let meta = client
                    .head_object(&r.bucket, &r.key, None, None)
                    .await
                    .map_err(|e| {
                        if e.is_missing() {
                            StorageError::new(e.kind, format!("given object {r} not found"))
                        } else {
                            e
                        }
                    })?;
                let mut info = ObjectInfo::file(r.key.clone(), meta.size);
                if let Some(stamp) = object_mtime(&meta) {
                    info.last_modified = Some(stamp.at);
                    info.time_digits = stamp.digits;
                }
                info.etag = meta.etag;
                info.storage_class = meta.storage_class;
                Ok(info)
            }
            Location::Local(l) => {
                let (size, mtime) = local::file_stat(&l.path).await?;
                let mut info = ObjectInfo::file(l.path.clone(), size);
                info.last_modified = Some(mtime);
                Ok(info)
            }
        }
    }

    fn single_op(&self, src: &Named, relative: &str) -> Result<Op, StorageError> {
        let info = Some(src.info.clone());
        Ok(match (&self.src, &self.dst) {
            (Location::Local(l), Location::Remote(d)) => Op::Upload(Upload {
                opts: self.opts.clone(),
                src: l.path.clone(),
                dst: if relative.is_empty() {
                    d.with_key(d.key.clone())
                } else {
                    dest::remote(d, relative, true)
                },
                info,
            }),
            (Location::Remote(s), Location::Local(d)) => Op::Download(Download {
                opts: self.opts.clone(),
                src: s.clone(),
                version_id: None,
                dst: if relative.is_empty() {
                    d.path.clone()
                } else {
                    dest::local_join(&d.path, relative)?
                },
                info,
            }),
            (Location::Remote(s), Location::Remote(d)) => Op::Copy(ServerCopy {
                opts: self.opts.clone(),
                src: s.clone(),
                version_id: None,
                dst: if relative.is_empty() {
                    d.with_key(d.key.clone())
                } else {
                    dest::remote(d, relative, true)
                },
                info,
            }),
            (Location::Local(_), Location::Local(_)) => {
                return Err(StorageError::new(
                    ErrorKind::Usage,
                    "local->local copy operations are not permitted",
                ));
            }
        })
    }

    /// The destination's current state, `None` when it does not exist.
    async fn stat_destination(&self, op: &Op) -> Result<Option<ObjectInfo>, StorageError> {
        match op {
            Op::Upload(u) => self.head(&u.dst).await,
            Op::Copy(c) => self.head(&c.dst).await,
            Op::Download(d) => match tokio::fs::metadata(&d.dst).await {
                Ok(m) if m.is_file() => {
                    let mut info = ObjectInfo::file(d.dst.clone(), m.len());
                    info.last_modified = m.modified().ok().map(DateTime::<Utc>::from);
                    Ok(Some(info))
                }
                _ => Ok(None),
            },
            _ => Ok(None),
        }
    }

    async fn head(&self, url: &RemoteUrl) -> Result<Option<ObjectInfo>, StorageError> {
        let client = self.ctx.clients.get(&self.opts.dst_client).await?;
        match client.head_object(&url.bucket, &url.key, None, None).await {
            Ok(meta) => {
                let mut info = ObjectInfo::file(url.key.clone(), meta.size);
                // S3 → S3 compares upload times (the copy is written after its source).
                info.last_modified = meta.last_modified;
                info.time_digits = 0; // a Last-Modified header: whole seconds
                info.etag = meta.etag;
                Ok(Some(info))
            }
            Err(e) if e.is_missing() => Ok(None),
            Err(e) => Err(e),
        }
    }
}

async fn next_named(
    rx: &mut tokio::sync::mpsc::Receiver<Result<Named, StorageError>>,
    sync: &Sync<'_>,
    failed: &mut bool,
) -> Option<Named> {
    loop {
        match rx.recv().await? {
            Ok(n) => {
                if n.info.kind == EntryKind::Directory || n.relative.is_empty() {
                    continue;
                }
                if !sync.filters.keep_name(&n.relative) || !sync.ctx.owns(&n.relative) {
                    continue;
                }
                let kept = sync.filters.keep_metadata(&n.info);
                return Some(Named { kept, ..n });
            }
            Err(e) => {
                *failed = true;
                sync.line.fail(sync.ctx, e.to_string(), e.kind).await;
            }
        }
    }
}

fn displays(op: &Op) -> (String, String) {
    match op {
        Op::Upload(u) => (u.src.clone(), u.dst.to_string()),
        Op::Download(d) => (d.src.to_string(), d.dst.clone()),
        Op::Copy(c) => (c.src.to_string(), c.dst.to_string()),
        _ => (String::new(), String::new()),
    }
}

/// Which destination names a source covers (only those may be deleted).
enum Scope {
    /// Remote wildcard: names matching the pattern's part after the stripped root.
    Remote(Pattern),
    /// Local glob: names whose path, or one of its parent directories, matches.
    LocalGlob(Option<Pattern>),
    /// A local directory given without a trailing slash: names under `<dir>/`.
    Under(String),
    /// Everything.
    All,
}

impl Scope {
    fn local(path: &LocalPath) -> Scope {
        if path.is_wildcard() {
            let prefix = wildcard::literal_prefix(&path.path);
            let root_len = prefix.rfind('/').map_or(0, |i| i + 1);
            return Scope::LocalGlob(Pattern::local(&path.path[root_len..]).ok());
        }
        if path.path.ends_with('/') {
            Scope::All
        } else {
            Scope::Under(format!("{}/", basename(&path.path)))
        }
    }

    fn contains(&self, name: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Remote(p) => p.matches(name),
            Scope::Under(prefix) => name.starts_with(prefix.as_str()),
            Scope::LocalGlob(None) => false,
            Scope::LocalGlob(Some(p)) => {
                p.matches(name) || name.match_indices('/').any(|(i, _)| p.matches(&name[..i]))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_narrows_deletions() {
        let remote = Scope::Remote(Pattern::remote("*.txt"));
        assert!(remote.contains("a/b.txt"));
        assert!(!remote.contains("a/b.py"));
        let under = Scope::local(&LocalPath {
            path: "dir".into(),
            raw: false,
        });
        assert!(under.contains("dir/x"));
        assert!(!under.contains("other/x"));
        let glob = Scope::local(&LocalPath {
            path: "root/parent/c*/name.txt".into(),
            raw: false,
        });
        assert!(glob.contains("child1/name.txt"));
        assert!(!glob.contains("child1/other.txt"));
        let dirglob = Scope::local(&LocalPath {
            path: "root/*".into(),
            raw: false,
        });
        assert!(dirglob.contains("a/deep/file"));
    }
}
