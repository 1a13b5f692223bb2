//! `cp` / `mv` planning: validation in s5cmd's order (reference §2.2), then one op per
//! source object — upload, download or server-side copy — with its destination.

use std::sync::Arc;

use crate::command::{CopyCmd, FilterFlags, TransferFlags};
use crate::config::Config;
use crate::ctx::{Ctx, LineCtx};
use crate::error::ErrorKind;
use crate::exec;
use crate::location::{Location, RemoteUrl};
use crate::op::{Download, Op, ServerCopy, TransferOpts, Upload};
use crate::storage::{ObjectInfo, StorageError};

use crate::plan::dest;
use crate::plan::expand::{self, ExpandOptions, SourceObject, basename};
use crate::plan::filter::ObjectFilter;
use crate::plan::glacier::skip_unreadable;
use crate::plan::transfer::{expands, transfer_opts, validate};

/// Plans and submits a cp/mv line; returns when every op has been submitted.
pub async fn run(ctx: &Arc<Ctx>, line: &Arc<LineCtx>, cmd: &CopyCmd) {
    let op_name = if cmd.is_move { "mv" } else { "cp" };
    let sides = match validate(&cmd.src, &cmd.dst, cmd.flags.raw, cmd.version_id.as_deref()).await {
        Ok(s) => s,
        Err((message, kind)) => return line.fail(ctx, message, kind).await,
    };
    if cmd.flags.metadata_directive.is_some() && !(sides.src.is_remote() && sides.dst.is_remote()) {
        let what = if sides.src.is_remote() {
            "download"
        } else {
            "upload"
        };
        return line
            .fail(
                ctx,
                format!("metadata directive is not supported for {what}"),
                ErrorKind::Usage,
            )
            .await;
    }
    let mut opts = match transfer_opts(
        op_name,
        cmd.is_move,
        &cmd.flags,
        matches!(sides.dst, Location::Local(_)),
    ) {
        Ok(o) => o,
        Err(message) => return line.fail(ctx, message, ErrorKind::Usage).await,
    };
    opts.no_clobber = cmd.no_clobber;
    opts.if_size_differ = cmd.if_size_differ;
    opts.if_source_newer = cmd.if_source_newer;
    let opts = Arc::new(opts);
    let wanted = (cmd.flags.create_bucket, expands(&sides.src).await);
    if !super::dest_bucket::ready(ctx, line, &sides.dst, &opts.dst_client, wanted).await {
        return;
    }
    let filters = ObjectFilter::new(&cmd.flags.exclude, &cmd.flags.include, &cmd.filter);
    if cmd.all_versions {
        let sides = (&sides.src, &sides.dst);
        return super::versions::run(ctx, line, &opts, &filters, sides, cmd.flatten).await;
    }
    let planner = Planner {
        ctx,
        line,
        opts: &opts,
        flags: &cmd.flags,
        flatten: cmd.flatten,
        version_id: cmd.version_id.clone(),
    };
    match &sides.src {
        Location::Remote(src) if !src.is_wildcard() => {
            // A single object: no listing; a missing key surfaces on the transfer.
            let name = basename(&src.key).to_string();
            if !keep_single(ctx, &opts, &filters, src, &name, cmd.version_id.as_deref()).await {
                return;
            }
            let object = SourceObject {
                info: ObjectInfo::file(src.key.clone(), 0),
                relative: name,
            };
            planner.submit(src, None, &sides.dst, object, false).await;
        }
        Location::Remote(src) => {
            let client = match ctx.clients.get(&opts.src_client).await {
                Ok(c) => c,
                Err(e) => return line.fail(ctx, e.to_string(), e.kind).await,
            };
            let expand_opts = ExpandOptions {
                filters: &filters,
                not_after: Some(chrono::Utc::now()),
                all_versions: false,
                inventory: cmd.flags.source_inventory.as_deref(),
                in_key_order: false,
            };
            // `mv` of many objects deletes them: on a terminal, count and ask first.
            if cmd.is_move
                && super::confirm::may_ask(ctx)
                && !confirm_move(ctx, line, &client, src, &expand_opts).await
            {
                return;
            }
            let rx = expand::remote_wildcard(&client, src, &expand_opts);
            Box::pin(planner.drain(rx, Some(src), &sides.dst)).await;
        }
        Location::Local(src) => {
            let batch = src.is_wildcard()
                || tokio::fs::metadata(&src.path)
                    .await
                    .is_ok_and(|m| m.is_dir());
            let rx = expand::local(src, !cmd.flags.no_follow_symlinks, &filters);
            if batch {
                Box::pin(planner.drain_local(rx, &sides.dst)).await;
            } else {
                Box::pin(planner.drain_local_single(rx, &sides.dst)).await;
            }
        }
    }
}

/// Lists what an `mv` would move (and so delete) and asks when it is more than
/// `--confirm-above`; false when the answer was no (nothing moved).
async fn confirm_move(
    ctx: &Arc<Ctx>,
    line: &Arc<LineCtx>,
    client: &crate::storage::s3::S3Client,
    src: &RemoteUrl,
    expand_opts: &ExpandOptions<'_>,
) -> bool {
    let mut rx = expand::remote_wildcard(client, src, expand_opts);
    let (mut count, mut sample) = (0u64, Vec::new());
    while let Some(item) = rx.recv().await {
        if let Ok(o) = item {
            count += 1;
            if sample.len() < super::confirm::SAMPLE {
                sample.push(format!("s3://{}/{}", src.bucket, o.info.key));
            }
        }
    }
    super::confirm::confirm(ctx, line, count, &sample).await
}

/// Turns expanded objects into ops.
pub struct Planner<'a> {
    /// Run context.
    pub ctx: &'a Arc<Ctx>,
    /// The line being planned.
    pub line: &'a Arc<LineCtx>,
    /// Transfer settings.
    pub opts: &'a Arc<TransferOpts>,
    /// The line's flags.
    pub flags: &'a TransferFlags,
    /// `--flatten`.
    pub flatten: bool,
    /// `--version-id`.
    pub version_id: Option<String>,
}

impl Planner<'_> {
    async fn drain(&self, mut rx: expand::Expanded, src: Option<&RemoteUrl>, dst: &Location) {
        while let Some(item) = rx.recv().await {
            if self.ctx.stopping() {
                return;
            }
            match item {
                Ok(object) => {
                    if let Some(src) = src {
                        let url = src.with_key(object.info.key.clone());
                        self.submit(&url, Some(&object), dst, object.clone(), true)
                            .await;
                    }
                }
                Err(e) => self.line.fail(self.ctx, e.to_string(), e.kind).await,
            }
        }
    }

    async fn drain_local(&self, mut rx: expand::Expanded, dst: &Location) {
        while let Some(item) = rx.recv().await {
            if self.ctx.stopping() {
                return;
            }
            match item {
                Ok(object) => self.submit_upload(dst, object, true).await,
                Err(e) => self.line.fail(self.ctx, e.to_string(), e.kind).await,
            }
        }
    }

    async fn drain_local_single(&self, mut rx: expand::Expanded, dst: &Location) {
        while let Some(item) = rx.recv().await {
            match item {
                Ok(object) => self.submit_upload(dst, object, false).await,
                Err(e) => self.line.fail(self.ctx, e.to_string(), e.kind).await,
            }
        }
    }

    fn name<'o>(&self, object: &'o SourceObject, batch: bool) -> &'o str {
        if self.flatten || !batch {
            basename(&object.info.key)
        } else {
            &object.relative
        }
    }

    async fn submit_upload(&self, dst: &Location, object: SourceObject, batch: bool) {
        let Location::Remote(dst) = dst else { return };
        if !self.ctx.owns(shard_name(&object, batch)) {
            return;
        }
        let name = self.name(&object, batch).to_string();
        let op = Op::Upload(Upload {
            opts: self.opts.clone(),
            src: object.info.key.clone(),
            dst: dest::remote(dst, &name, batch),
            info: Some(object.info),
        });
        exec::submit(self.ctx, self.line, op).await;
    }

    /// Submits the op for one remote source object.
    pub async fn submit(
        &self,
        src: &RemoteUrl,
        listed: Option<&SourceObject>,
        dst: &Location,
        object: SourceObject,
        batch: bool,
    ) {
        if !self.ctx.owns(shard_name(&object, batch)) {
            return;
        }
        let info = listed.map(|o| o.info.clone());
        if let Some(info) = &info
            && Box::pin(skip_unreadable(
                self.ctx,
                self.line,
                self.flags.glacier,
                (&self.opts.src_client, src, info),
                || src.to_string(),
            ))
            .await
        {
            return;
        }
        let name = self.name(&object, batch).to_string();
        let op = match dst {
            Location::Remote(d) => Op::Copy(ServerCopy {
                opts: self.opts.clone(),
                src: src.clone(),
                version_id: self.version_id.clone(),
                dst: dest::remote(d, &name, batch),
                info,
            }),
            Location::Local(d) => match self.local_destination(&d.path, &name, batch).await {
                Ok(path) => Op::Download(Download {
                    opts: self.opts.clone(),
                    src: src.clone(),
                    version_id: self.version_id.clone(),
                    dst: path,
                    info,
                }),
                Err(e) => {
                    let mut r = crate::exec::report::failed(
                        self.opts.operation,
                        &src.to_string(),
                        &format!("{}/{}", d.path.trim_end_matches('/'), name),
                        &e,
                    );
                    r.line = self.line.line;
                    self.line.report(self.ctx, r).await;
                    return;
                }
            },
        };
        exec::submit(self.ctx, self.line, op).await;
    }

    async fn local_destination(
        &self,
        dst: &str,
        name: &str,
        batch: bool,
    ) -> Result<String, StorageError> {
        if batch {
            return dest::local_join(dst, name);
        }
        if self.ctx.config.dry_run {
            return dry_local_destination(self.ctx, dst, name);
        }
        if names_dir(dst) || tokio::fs::metadata(dst).await.is_ok_and(|m| m.is_dir()) {
            dest::local_join(dst, name)
        } else {
            Ok(dst.to_string())
        }
    }
}

/// A dry run's local destination of one named object (base name `name`): inside
/// `dst` when that is a directory — asked without awaiting, per parent where it can
/// (`ctx/dry_dirs.rs`), as nothing is created meanwhile — else `dst` itself.
pub fn dry_local_destination(ctx: &Ctx, dst: &str, name: &str) -> Result<String, StorageError> {
    if names_dir(dst) || ctx.dry_run_dirs.is_dir(std::path::Path::new(dst)) {
        dest::local_join(dst, name)
    } else {
        Ok(dst.to_string())
    }
}

/// Whether a local destination names a directory by its spelling alone.
fn names_dir(dst: &str) -> bool {
    dst.ends_with('/') || dst == "." || dst == ".."
}

/// The name `--shard` partitions by: the name relative to the source root for an
/// expanded source (what `rclone lsf --hash-filter` lists), the source itself for a
/// single one.
fn shard_name(object: &SourceObject, batch: bool) -> &str {
    if batch {
        &object.relative
    } else {
        &object.info.key
    }
}

/// Whether the s5rs filters (regex by base name, size and age by a HEAD request) keep
/// a single named source object; s5cmd applies no glob filter to one.
async fn keep_single(
    ctx: &Arc<Ctx>,
    opts: &TransferOpts,
    filters: &ObjectFilter,
    src: &RemoteUrl,
    name: &str,
    version_id: Option<&str>,
) -> bool {
    if !filters.keep_regex(name) {
        return false;
    }
    if !filters.needs_metadata() {
        return true;
    }
    match ctx.clients.get(&opts.src_client).await {
        Ok(client) => filters.keep_named(&client, src, version_id).await,
        // The transfer reports it.
        Err(_) => true,
    }
}

/// Whether planning this line is quick and needs no task of its own: in a dry run, a
/// `cp`/`mv` of one named object to an S3 URL or to a local path (without `-n`/`-s`/
/// `-u`, which look at the destination, and without the s5rs filters). Such a line
/// does no I/O but, for a local destination, the "is it a directory?" check, which a
/// dry run answers inline and mostly from memory (`ctx/dry_dirs.rs`).
pub fn plans_without_io(config: &Config, c: &CopyCmd) -> bool {
    // The destination may be anything: a bad one fails in validation, also without I/O.
    flags_plan_without_io(config, c)
        && matches!(Location::parse(&c.src, c.flags.raw), Ok(Location::Remote(src)) if !src.is_wildcard())
}

/// The flags' half of [`plans_without_io`]: a dry run without `-n`/`-s`/`-u`,
/// `--all-versions` or the s5rs filters.
pub fn flags_plan_without_io(config: &Config, c: &CopyCmd) -> bool {
    config.dry_run
        && !(c.no_clobber
            || c.if_size_differ
            || c.if_source_newer
            || c.all_versions
            || c.filter != FilterFlags::default())
}
