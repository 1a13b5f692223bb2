//! Run-wide services shared by every task of a run: the [`Ctx`] (configuration,
//! output, S3 clients, rate limits, worker slots, the interrupt flag, multipart uploads
//! in flight) and, per command line, the [`LineCtx`] with its [`Tracker`].
//!
//! Why a module of its own: planners (`commands/`) and executors (`exec/`) both need
//! these, and neither may import the other's layer upwards. Living below both, the
//! services keep the import graph one-way: `commands → exec → ctx`.
//!
//! Concurrency model: `--numworkers` slots (a semaphore, [`Ctx::workers`]). A planner
//! that wants to run an op first takes a slot (`exec::submit`), waiting when all are
//! busy, which back-pressures listing and batch reading.

pub mod clients;
pub mod dry_dirs;
pub mod inflight;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use tokio::sync::{Notify, Semaphore};

use crate::config::Config;
use crate::journal::Journal;
use crate::output::{Message, Output};
use crate::record::{QueryResult, Record};

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
    /// Set by SIGTERM: as `interrupted`, with a grace period (`lifecycle.rs`).
    pub terminated: AtomicBool,
    /// A dry run's answers to "is this local destination a directory?".
    pub dry_run_dirs: dry_dirs::DryRunDirs,
    /// Download directories created and cleaned of stale temp files, each once: the
    /// first download into a directory prepares it, the others wait for that.
    pub prepared_dirs: std::sync::Mutex<
        std::collections::HashMap<std::path::PathBuf, Arc<tokio::sync::OnceCell<()>>>,
    >,
    /// Multipart uploads in flight (aborted by a second Ctrl-C before exiting).
    pub inflight: Arc<inflight::InFlight>,
    /// DeleteObjects requests in flight at once (s5cmd: 10). Each holds up to 1,000
    /// keys and produces 1,000 records, so this bounds memory on mass deletions.
    pub delete_batches: Arc<Semaphore>,
    /// `--journal`, once opened (before the first line runs).
    pub journal: std::sync::OnceLock<Arc<Journal>>,
    /// What a stopping run left undone, reported when stdout failed.
    pub not_run: NotRun,
    /// Destination buckets known to exist (`commands/dest_bucket.rs`), by client.
    pub checked_buckets: tokio::sync::Mutex<std::collections::HashSet<String>>,
}

/// What a run that stopped early did not run: batch lines never started (read
/// after the stop, or left in the input) and operations a planner had ready but
/// did not start.
#[derive(Debug, Default)]
pub struct NotRun {
    /// Batch lines (commands) not started.
    pub lines: AtomicU64,
    /// Operations planned but not started.
    pub operations: AtomicU64,
}

impl Ctx {
    /// A context for the given configuration and output.
    pub fn new(config: Arc<Config>, output: Output) -> Arc<Ctx> {
        let limits =
            crate::limit::RateLimits::new(config.rate_limit_objects, config.rate_limit_bandwidth);
        Arc::new(Ctx {
            clients: Clients::new(config.clone(), limits.bandwidth.clone(), &output),
            limits,
            workers: Arc::new(Semaphore::new(config.numworkers)),
            interrupted: AtomicBool::new(false),
            terminated: AtomicBool::new(false),
            dry_run_dirs: Default::default(),
            prepared_dirs: Default::default(),
            inflight: Default::default(),
            delete_batches: Arc::new(Semaphore::new(DELETE_BATCHES_IN_FLIGHT)),
            journal: std::sync::OnceLock::new(),
            not_run: NotRun::default(),
            checked_buckets: Default::default(),
            config,
            output,
        })
    }

    /// Whether this process runs the operation named `name` (always, without
    /// `--shard`). Planners ask per object, with the name [`crate::shard::relative_name`]
    /// gives, before they batch or submit anything.
    pub fn owns(&self, name: &str) -> bool {
        self.config.shard.is_none_or(|s| s.owns(name))
    }

    /// The opened journal, with `--journal`.
    pub fn journal(&self) -> Option<&Arc<Journal>> {
        self.journal.get()
    }

    /// Stamps a record of batch line `line` with what the run adds to every record
    /// (its line, `dry_run`, `--shard`).
    pub fn stamp(&self, line: Option<u64>, record: &mut Record) {
        record.line = line;
        record.dry_run = self.config.dry_run;
        if let Some(shard) = self.config.shard {
            record.shard = Some(shard.to_string());
        }
    }

    /// True when planners should stop (interrupt, SIGTERM, or a stdout that can no
    /// longer be written: its records would be lost, so nothing new starts).
    pub fn stopping(&self) -> bool {
        self.interrupted.load(Ordering::Relaxed)
            || self.terminated.load(Ordering::Relaxed)
            || self.output.stdout_closed()
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
        ctx.stamp(self.line, &mut record);
        ctx.output.send(Message::Record(record)).await;
    }

    /// Sends a query command's result (`ls` entry, `du` total …) with this line's
    /// command and number, which its JSON record carries in a batch.
    pub async fn show(&self, ctx: &Ctx, result: QueryResult) {
        ctx.output
            .send(Message::Query {
                result,
                operation: self.name,
                line: self.line,
                shard: ctx.config.shard,
            })
            .await;
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

    pub(crate) fn start(&self) {
        self.outstanding.fetch_add(1, Ordering::AcqRel);
    }

    pub(crate) fn finish(&self) {
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
