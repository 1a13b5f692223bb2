//! The journal between planning and execution (`--journal`): before an op runs, its
//! identity is looked up — a finished one is reported `"skipped": "journal"` and not
//! run — and after it ran, its successful (or skipped) objects are noted as finished.
//! Every verb gets resume this way without knowing about it.
//!
//! An op's identity needs its source's version (ETag, else size and mtime). Listed
//! sources carry it; a literal source without it is looked up first (one HeadObject
//! or stat), and what was learnt is kept in the op so the transfer does not ask again.
//! A batch delete is journaled per key. S3 Select is not journaled (it is a query, and
//! its output is the result). A dry run looks finished work up but notes nothing.

use std::collections::HashMap;
use std::sync::Arc;

use crate::ctx::{Ctx, LineCtx};
use crate::journal::{Journal, OpKey, op_key};
use crate::location::RemoteUrl;
use crate::op::{ClientSpec, Op, SyncPair};
use crate::plan::compare::object_mtime;
use crate::record::Record;
use crate::storage::{ObjectInfo, local};

use super::report;

/// The skip reason of an operation an earlier run finished.
pub const JOURNAL: &str = "journal";

/// The identities of an admitted op, to note once it has run.
pub enum Keys {
    /// Not journaled.
    None,
    /// One object.
    One(OpKey),
    /// A batch delete: per (source URL, version id).
    PerObject(HashMap<(String, Option<String>), OpKey>),
}

/// Looks `op` up in the journal: `None` when it is finished (its skip records are
/// reported here), else the op (with what the lookup learnt) and its keys.
pub async fn admit(
    ctx: &Arc<Ctx>,
    line: &LineCtx,
    journal: &Journal,
    op: Op,
) -> Option<(Op, Keys)> {
    match op {
        Op::DeleteRemote(mut d) => {
            let url = |key: &str| format!("s3://{}/{}", d.bucket, key);
            let mut keys = HashMap::new();
            let mut kept = Vec::with_capacity(d.keys.len());
            for (key, version) in std::mem::take(&mut d.keys) {
                let source = url(&key);
                let id = op_key(d.operation, &source, version.as_deref().unwrap_or(""), "");
                if journal.is_done(&id) {
                    let mut r = report::skipped(d.operation, &source, "", JOURNAL);
                    r.destination = None;
                    r.version_id = version;
                    line.report(ctx, r).await;
                } else {
                    keys.insert((source, version.clone()), id);
                    kept.push((key, version));
                }
            }
            if kept.is_empty() {
                return None;
            }
            d.keys = kept;
            Some((Op::DeleteRemote(d), Keys::PerObject(keys)))
        }
        Op::Select(s) => Some((Op::Select(s), Keys::None)),
        Op::Sync(pair) => {
            let SyncPair { op: inner, check } = pair;
            let (inner, key) = identify(ctx, *inner).await;
            let described = describe(&inner);
            let pair = SyncPair {
                op: Box::new(inner),
                check,
            };
            finish_admission(ctx, line, journal, Op::Sync(pair), key, described).await
        }
        op => {
            let (op, key) = identify(ctx, op).await;
            let described = describe(&op);
            finish_admission(ctx, line, journal, op, key, described).await
        }
    }
}

async fn finish_admission(
    ctx: &Arc<Ctx>,
    line: &LineCtx,
    journal: &Journal,
    op: Op,
    key: Option<OpKey>,
    (operation, src, dst): (&'static str, String, String),
) -> Option<(Op, Keys)> {
    match key {
        Some(id) if journal.is_done(&id) => {
            let mut r = report::skipped(operation, &src, &dst, JOURNAL);
            if dst.is_empty() {
                r.destination = None;
            }
            line.report(ctx, r).await;
            None
        }
        Some(id) => Some((op, Keys::One(id))),
        None => Some((op, Keys::None)),
    }
}

/// Notes the finished objects of an op that ran.
pub fn note(ctx: &Ctx, journal: &Journal, keys: &Keys, records: &[Record]) {
    if ctx.config.dry_run {
        return;
    }
    match keys {
        Keys::None => {}
        Keys::One(id) => {
            if !records.is_empty() && records.iter().all(|r| r.success) {
                journal.finished(*id);
            }
        }
        Keys::PerObject(map) => {
            for r in records.iter().filter(|r| r.success) {
                if let Some(source) = &r.source
                    && let Some(id) = map.get(&(source.clone(), r.version_id.clone()))
                {
                    journal.finished(*id);
                }
            }
        }
    }
}

/// (operation, source, destination) as records show them.
fn describe(op: &Op) -> (&'static str, String, String) {
    match op {
        Op::Upload(u) => (u.opts.operation, u.src.clone(), u.dst.to_string()),
        Op::Download(d) => (d.opts.operation, d.src.to_string(), d.dst.clone()),
        Op::Copy(c) => (c.opts.operation, c.src.to_string(), c.dst.to_string()),
        Op::DeleteLocal(d) => (d.operation, d.path.clone(), String::new()),
        Op::DeleteRemote(d) => (d.operation, format!("s3://{}", d.bucket), String::new()),
        Op::Select(s) => (s.operation, s.src.to_string(), String::new()),
        Op::Sync(pair) => describe(&pair.op),
    }
}

/// The op's identity, learning its source's version when the planner did not list
/// it. `None` when that cannot be learnt (the op then runs and reports why).
async fn identify(ctx: &Ctx, mut op: Op) -> (Op, Option<OpKey>) {
    let key = match &mut op {
        Op::Upload(u) => {
            if u.info.is_none()
                && let Ok((size, mtime)) = local::file_stat(&u.src).await
            {
                let mut info = ObjectInfo::file(u.src.clone(), size);
                info.last_modified = Some(mtime);
                u.info = Some(info);
            }
            u.info.as_ref().map(|info| {
                op_key(
                    u.opts.operation,
                    &u.src,
                    &version_of(info, None),
                    &u.dst.to_string(),
                )
            })
        }
        Op::Download(d) => {
            let src = (&d.src, d.version_id.as_deref());
            remote_source_key(ctx, &d.opts, src, &mut d.info, &d.dst).await
        }
        Op::Copy(c) => {
            let (src, dst) = ((&c.src, c.version_id.as_deref()), c.dst.to_string());
            remote_source_key(ctx, &c.opts, src, &mut c.info, &dst).await
        }
        Op::DeleteLocal(d) => Some(op_key(d.operation, &d.path, "", "")),
        Op::DeleteRemote(_) | Op::Select(_) | Op::Sync(_) => None,
    };
    (op, key)
}

/// A source version as text: the version id and ETag when known, else size and
/// modification time (nanoseconds).
fn version_of(info: &ObjectInfo, version_id: Option<&str>) -> String {
    let time = info
        .last_modified
        .map_or(0, |t| t.timestamp_nanos_opt().unwrap_or_default());
    match &info.etag {
        Some(etag) => format!("{}:{etag}:{}", version_id.unwrap_or(""), info.size),
        None => format!("{}:{}:{time}", version_id.unwrap_or(""), info.size),
    }
}

/// The identity of a download or copy from `src`, learning the source's version
/// first when the planner did not list it.
async fn remote_source_key(
    ctx: &Ctx,
    opts: &crate::op::TransferOpts,
    (src, version_id): (&RemoteUrl, Option<&str>),
    info: &mut Option<ObjectInfo>,
    dst: &str,
) -> Option<OpKey> {
    learn_remote(ctx, &opts.src_client, src, version_id, info).await;
    info.as_ref().map(|info| {
        let version = version_of(info, version_id);
        op_key(opts.operation, &src.to_string(), &version, dst)
    })
}

/// Fills `info` from a HeadObject of the source when the planner had none.
async fn learn_remote(
    ctx: &Ctx,
    spec: &ClientSpec,
    src: &RemoteUrl,
    version_id: Option<&str>,
    info: &mut Option<ObjectInfo>,
) {
    if info.is_some() {
        return;
    }
    let Ok(client) = ctx.clients.get(spec).await else {
        return;
    };
    if let Ok(meta) = client
        .head_object(&src.bucket, &src.key, version_id, None)
        .await
    {
        let mut learnt = ObjectInfo::file(src.key.clone(), meta.size);
        // The time the transfer's -n/-s/-u checks would have read from this HEAD.
        if let Some(stamp) = object_mtime(&meta) {
            learnt.last_modified = Some(stamp.at);
            learnt.time_digits = stamp.digits;
        }
        learnt.etag = meta.etag;
        learnt.storage_class = meta.storage_class;
        *info = Some(learnt);
    }
}
