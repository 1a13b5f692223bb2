//! Execution: [`submit`] runs [`Op`]s on the worker slots of [`crate::ctx::Ctx`], and
//! the files below are the transfers themselves (one file per kind of op).
//!
//! Concurrency model: `--numworkers` slots (a semaphore). A planner that wants to run
//! an op first takes a slot — waiting when all are busy, which back-pressures listing
//! and batch reading — then the op runs as its own task and gives the slot back when it
//! has sent its records. So at most N ops are in flight and at most N are buffered,
//! which is what a bounded channel in front of N workers would give, without a queue.
//! Per-file parallelism (multipart parts) happens inside one op and does not take slots,
//! so a slot holder can never wait for another slot (no deadlock, s5cmd issue #12).
//!
//! Every op reports through [`crate::output`]; the [`crate::ctx::Tracker`] of its line learns
//! whether it failed and when the line's last op finished (`wait` barriers, `--stat`).

pub mod cached_read;
pub mod content_type;
pub mod copy;
pub mod delete;
pub mod download;
pub mod download_verify;
pub mod etag_hash;
pub mod hash_budget;
pub mod in_order_hash;
pub mod journaled;
pub mod relay;
pub mod report;
pub mod select;
pub mod sync_check;
pub mod upload;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::ctx::{Ctx, LineCtx};
use crate::op::Op;
use crate::record::Record;

/// Runs `op` on a worker slot, waiting for a free slot first. Returns false (and runs
/// nothing) when the run is stopping.
pub async fn submit(ctx: &Arc<Ctx>, line: &Arc<LineCtx>, op: Op) -> bool {
    if ctx.stopping() {
        ctx.not_run.operations.fetch_add(1, Ordering::Relaxed);
        return false;
    }
    // `--journal`: what an earlier run finished is reported skipped, not run.
    let (op, keys) = match ctx.journal() {
        Some(journal) => match journaled::admit(ctx, line, journal, op).await {
            Some(admitted) => admitted,
            None => return true,
        },
        None => (op, journaled::Keys::None),
    };
    // `--rate-limit-objects`: wait (on a timer) before taking a slot, so a limited run
    // does not hold workers idle; a batch delete counts each of its keys.
    let objects = match &op {
        Op::DeleteRemote(d) => d.keys.len().max(1) as u64,
        _ => 1,
    };
    ctx.limits.objects_n(objects).await;
    ctx.output.progress().plan(objects, planned_bytes(&op));
    // A dry run touches no data: its ops only describe themselves (at most a HEAD or a
    // local stat for -n/-s/-u), so they run right here in the planner, sparing a task
    // and a worker slot per op — a million-line `--dry-run` batch is planner-bound.
    if ctx.config.dry_run {
        line.tracker.start();
        let described = match &op {
            Op::Copy(t) => copy::dry_run_record(ctx, t).await,
            Op::Download(t) => download::dry_run_record(ctx, t).await,
            _ => None,
        };
        let records = match described {
            Some(record) => vec![record],
            None => run_op(ctx, op).await,
        };
        for record in records {
            line.report(ctx, record).await;
        }
        line.tracker.finish();
        return true;
    }
    on_worker_slot(ctx, line, move |ctx, line| async move {
        let records = run_op(&ctx, op).await;
        if let Some(journal) = ctx.journal() {
            journaled::note(&ctx, journal, &keys, &records);
        }
        for record in records {
            line.report(&ctx, record).await;
        }
    })
    .await;
    true
}

/// [`submit`] of a dry run's op at once, without awaiting anything: the record it
/// reports (not yet stamped with its line: [`Ctx::stamp`]). `None` when the op needs
/// what only [`submit`] does — a journal, an object rate limit, a stopping run, a
/// client not built yet, a look at the destination (`-n`/`-s`/`-u`), a relay between
/// endpoints — and the caller then submits it as usual. `built`: the caller knows the
/// client the op needs (a download's source, a copy's destination) to be built.
/// A million-line dry-run batch is planned on its reader; this spares each line the
/// futures of [`submit`].
pub fn dry_run_now(ctx: &Ctx, op: &Op, built: bool) -> Option<Record> {
    if !ctx.config.dry_run
        || ctx.stopping()
        || ctx.journal().is_some()
        || ctx.limits.limits_objects()
    {
        return None;
    }
    let record = match op {
        Op::Download(t)
            if !crate::plan::compare::needs_check(&t.opts)
                && (built || ctx.clients.is_built(&t.opts.src_client)) =>
        {
            download::dry_record(t, Ok(()))
        }
        Op::Copy(t)
            if !crate::plan::compare::needs_check(&t.opts)
                && ctx
                    .clients
                    .same_service(&t.opts.src_client, &t.opts.dst_client)
                && (built || ctx.clients.is_built(&t.opts.dst_client)) =>
        {
            copy::dry_record(t, Ok(()))
        }
        _ => return None,
    };
    ctx.output.progress().plan(1, planned_bytes(op));
    Some(record)
}

/// Takes a worker slot (waiting for one), then runs `work` as a task of its own that
/// gives the slot back when done; the line's tracker counts it meanwhile.
async fn on_worker_slot<W, F>(ctx: &Arc<Ctx>, line: &Arc<LineCtx>, work: W)
where
    W: FnOnce(Arc<Ctx>, Arc<LineCtx>) -> F,
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let permit = ctx
        .workers
        .clone()
        .acquire_owned()
        .await
        .expect("the worker semaphore is never closed");
    line.tracker.start();
    let task = work(ctx.clone(), line.clone());
    let line = line.clone();
    // Boxed once here: tokio moves a task's future into its cell, and writes the
    // whole cell's stage again when the task ends. An op's future is large (it holds
    // the op), and those copies were the biggest `memcpy` of a small-object run.
    tokio::spawn(Box::pin(async move {
        task.await;
        line.tracker.finish();
        drop(permit);
    }));
}

/// The bytes an op will move, as far as the planner knows them (`--show-progress`).
fn planned_bytes(op: &Op) -> u64 {
    let info = match op {
        Op::Sync(pair) => return planned_bytes(&pair.op),
        Op::Upload(t) => &t.info,
        Op::Download(t) => &t.info,
        Op::Copy(t) => &t.info,
        _ => return 0,
    };
    info.as_ref().map_or(0, |i| i.size)
}

/// Runs the ops `plan` yields, in order, as one task on one worker slot: each op's
/// records are reported before the next op starts, and the chain stops at its first
/// failure. For ops that must land in order (the versions of one key copied by
/// `--all-versions`). `plan` runs inside the task, holding the slot; an `Err` from it
/// is reported as the chain's only record. Returns false when the run is stopping.
pub async fn submit_chain<F>(ctx: &Arc<Ctx>, line: &Arc<LineCtx>, plan: F) -> bool
where
    F: std::future::Future<Output = Result<Vec<Op>, Record>> + Send + 'static,
{
    if ctx.stopping() {
        return false;
    }
    on_worker_slot(ctx, line, move |ctx, line| async move {
        match plan.await {
            Ok(ops) => {
                for op in ops {
                    if ctx.stopping() {
                        break;
                    }
                    ctx.limits.objects_n(1).await;
                    ctx.output.progress().plan(1, planned_bytes(&op));
                    let records = run_op(&ctx, op).await;
                    let failed = records.iter().any(|r| !r.success);
                    for record in records {
                        line.report(&ctx, record).await;
                    }
                    if failed {
                        break;
                    }
                }
            }
            Err(record) => line.report(&ctx, record).await,
        }
    })
    .await;
    true
}

/// Executes one op, returning its records (one per object), each stating how many
/// retries the op needed (`retries`, counted by a task-local counter that the S3
/// client's retry loops and exec's re-downloads increment).
async fn run_op(ctx: &Arc<Ctx>, op: Op) -> Vec<Record> {
    let (mut records, retries) = crate::storage::s3::count_retries(run_op_uncounted(ctx, op)).await;
    if retries > 0 {
        for r in &mut records {
            r.retries = Some(retries);
        }
    }
    records
}

async fn run_op_uncounted(ctx: &Arc<Ctx>, op: Op) -> Vec<Record> {
    match op {
        Op::Upload(t) => vec![Box::pin(upload::run(ctx, t)).await],
        Op::Download(t) => vec![Box::pin(download::run(ctx, t)).await],
        Op::Copy(t) => vec![Box::pin(copy::run(ctx, t)).await],
        Op::DeleteRemote(d) => {
            let _slot = ctx
                .delete_batches
                .acquire()
                .await
                .expect("the delete semaphore is never closed");
            Box::pin(delete::run_remote(ctx, d)).await
        }
        Op::DeleteLocal(d) => vec![Box::pin(delete::run_local(ctx, d)).await],
        Op::Select(s) => Box::pin(select::run_object(ctx, s)).await,
        Op::Sync(pair) => match Box::pin(sync_check::up_to_date(ctx, &pair)).await {
            Ok(Some(record)) => vec![record],
            Ok(None) => Box::pin(run_op(ctx, *pair.op)).await,
            Err(record) => vec![*record],
        },
    }
}
