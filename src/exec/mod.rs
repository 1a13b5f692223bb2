//! Execution: the worker pool that runs [`Op`]s, and the transfers themselves.
//!
//! Concurrency model: `--numworkers` slots (a semaphore). A planner that wants to run
//! an op first takes a slot — waiting when all are busy, which back-pressures listing
//! and batch reading — then the op runs as its own task and gives the slot back when it
//! has sent its records. So at most N ops are in flight and at most N are buffered,
//! which is what a bounded channel in front of N workers would give, without a queue.
//! Per-file parallelism (multipart parts) happens inside one op and does not take slots,
//! so a slot holder can never wait for another slot (no deadlock, s5cmd issue #12).
//!
//! Every op reports through [`crate::output`]; the [`Tracker`] of its line learns
//! whether it failed and when the line's last op finished (`wait` barriers, `--stat`).

pub mod cached_read;
pub mod clients;
pub mod content_type;
pub mod copy;
pub mod delete;
pub mod download;
pub mod etag_hash;
pub mod inflight;
pub mod overwrite;
pub mod relay;
pub mod report;
pub mod sync_check;
pub mod upload;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use chrono::{DateTime, Utc};
use tokio::sync::{Notify, Semaphore};

use crate::config::Config;
use crate::op::Op;
use crate::output::{Message, Output};
use crate::record::Record;

pub use clients::Clients;

/// DeleteObjects requests in flight at once.
const DELETE_BATCHES_IN_FLIGHT: usize = 10;

/// Shared by every task of a run.
pub struct Ctx {
    /// Global settings.
    pub config: Arc<Config>,
    /// The output writer.
    pub output: Output,
    /// S3 clients, built on first use.
    pub clients: Clients,
    /// `--rate-limit-objects` / `--rate-limit-bandwidth`.
    pub limits: crate::limit::RateLimits,
    /// Worker slots (`--numworkers`).
    pub workers: Arc<Semaphore>,
    /// Set by the first Ctrl-C: planners stop producing ops; running ops finish.
    pub interrupted: AtomicBool,
    /// When the run started.
    pub started: DateTime<Utc>,
    /// Download directories already created and cleaned of stale temp files.
    pub prepared_dirs: std::sync::Mutex<std::collections::HashSet<std::path::PathBuf>>,
    /// Multipart uploads in flight (aborted by a second Ctrl-C before exiting).
    pub inflight: Arc<inflight::InFlight>,
    /// DeleteObjects requests in flight at once (s5cmd: 10). Each holds up to 1,000
    /// keys and produces 1,000 records, so this bounds memory on mass deletions.
    pub delete_batches: Arc<Semaphore>,
}

impl Ctx {
    /// A context for the given configuration and output.
    pub fn new(config: Arc<Config>, output: Output) -> Arc<Ctx> {
        let limits =
            crate::limit::RateLimits::new(config.rate_limit_objects, config.rate_limit_bandwidth);
        Arc::new(Ctx {
            clients: Clients::new(config.clone(), limits.bandwidth.clone()),
            limits,
            workers: Arc::new(Semaphore::new(config.numworkers)),
            interrupted: AtomicBool::new(false),
            started: Utc::now(),
            prepared_dirs: Default::default(),
            inflight: Default::default(),
            delete_batches: Arc::new(Semaphore::new(DELETE_BATCHES_IN_FLIGHT)),
            config,
            output,
        })
    }

    /// True when planners should stop (interrupt, or stdout closed).
    pub fn stopping(&self) -> bool {
        self.interrupted.load(Ordering::Relaxed) || self.output.stdout_closed()
    }
}

/// What one command (one batch line) is, for the records of its ops.
pub struct LineCtx {
    /// Batch line number from 1; `None` for a command-line command.
    pub line: Option<u64>,
    /// The command string for error messages.
    pub display: String,
    /// The command name (`cp`, `rm` …).
    pub name: &'static str,
    /// Completion and failure tracking.
    pub tracker: Tracker,
}

impl LineCtx {
    /// A line context with a fresh tracker.
    pub fn new(line: Option<u64>, display: String, name: &'static str) -> Arc<LineCtx> {
        Arc::new(LineCtx {
            line,
            display,
            name,
            tracker: Tracker::default(),
        })
    }

    /// Sends a record stamped with this line's number, noting failures.
    pub async fn report(&self, ctx: &Ctx, mut record: Record) {
        if !record.success {
            self.tracker.fail();
        }
        record.line = self.line;
        ctx.output.send(Message::Record(record)).await;
    }

    /// Reports a command-level failure (`ERROR "<display>": <message>`).
    pub async fn fail(&self, ctx: &Ctx, message: impl Into<String>, kind: crate::error::ErrorKind) {
        let record = Record::failed(self.name, self.display.clone(), message.into(), kind);
        self.report(ctx, record).await;
    }
}

/// Counts a line's outstanding ops and remembers whether any failed.
#[derive(Default)]
pub struct Tracker {
    outstanding: AtomicUsize,
    failed: AtomicBool,
    idle: Notify,
}

impl Tracker {
    /// Marks the line failed.
    pub fn fail(&self) {
        self.failed.store(true, Ordering::Relaxed);
    }

    /// Whether anything of the line failed.
    pub fn failed(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
    }

    fn start(&self) {
        self.outstanding.fetch_add(1, Ordering::AcqRel);
    }

    fn finish(&self) {
        if self.outstanding.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.idle.notify_waiters();
        }
    }

    /// Waits until every op submitted so far has finished.
    pub async fn wait_idle(&self) {
        loop {
            let notified = self.idle.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.outstanding.load(Ordering::Acquire) == 0 {
                return;
            }
            notified.await;
        }
    }
}

/// Runs `op` on a worker slot, waiting for a free slot first. Returns false (and runs
/// nothing) when the run is stopping.
pub async fn submit(ctx: &Arc<Ctx>, line: &Arc<LineCtx>, op: Op) -> bool {
    if ctx.stopping() {
        return false;
    }
    // `--rate-limit-objects`: wait (on a timer) before taking a slot, so a limited run
    // does not hold workers idle; a batch delete counts each of its keys.
    let objects = match &op {
        Op::DeleteRemote(d) => d.keys.len().max(1) as u64,
        _ => 1,
    };
    ctx.limits.objects_n(objects).await;
    // A dry run touches no data: its ops only describe themselves (at most a HEAD or a
    // local stat for -n/-s/-u), so they run right here in the planner, sparing a task
    // and a worker slot per op — a million-line `--dry-run` batch is planner-bound.
    if ctx.config.dry_run {
        line.tracker.start();
        let described = match &op {
            Op::Copy(t) => copy::dry_run_record(ctx, t).await,
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
    let permit = ctx
        .workers
        .clone()
        .acquire_owned()
        .await
        .expect("the worker semaphore is never closed");
    line.tracker.start();
    let ctx = ctx.clone();
    let line = line.clone();
    tokio::spawn(async move {
        let records = run_op(&ctx, op).await;
        for record in records {
            line.report(&ctx, record).await;
        }
        line.tracker.finish();
        drop(permit);
    });
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
        Op::Select(s) => Box::pin(crate::commands::select::run_object(ctx, s)).await,
        Op::Sync(pair) => match Box::pin(sync_check::up_to_date(ctx, &pair)).await {
            Ok(Some(record)) => vec![record],
            Ok(None) => Box::pin(run_op(ctx, *pair.op)).await,
            Err(record) => vec![*record],
        },
    }
}
