//! A run's lifetime around its lines: the journal opened before the first line and
//! flushed while the run goes on and at its end, and the signals that stop a run.
//!
//! * **Ctrl-C (SIGINT)** once: stop reading and planning, let running operations
//!   finish (exit 130). Twice: abort the multipart uploads in flight, flush the
//!   journal, exit 130 at once.
//! * **SIGTERM** — how Kubernetes, AWS Batch and Slurm stop a worker (eviction,
//!   scale-down, spot reclaim, `scancel`), with SIGKILL after a grace period (30 s by
//!   default in Kubernetes): stop reading and planning at once, let running
//!   operations finish for up to `--grace-period` (default 20 s, well inside 30 s),
//!   then abort the multipart uploads that could not finish, flush the journal and
//!   exit 1 — "retryable: work remains", so the engine reruns the index and the
//!   journal skips what finished. Within the grace period a run whose operations all
//!   finished exits 1 the normal way (lines were left unread).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::ctx::Ctx;
use crate::exit::ExitCode;
use crate::journal::{Journal, JournalLocation, Store};
use crate::op::ClientSpec;
use crate::output::Message;

/// Opens `--journal` (loading what earlier runs finished) and starts its flusher.
/// An error is fatal for the run (exit 2): resuming without the journal would redo
/// finished work, or worse, forget what this run finishes.
pub async fn open_journal(ctx: &Arc<Ctx>) -> Result<(), String> {
    let Some(location) = &ctx.config.journal else {
        return Ok(());
    };
    let store = match location {
        JournalLocation::Local(dir) => Store::Local(dir.clone()),
        JournalLocation::Remote { bucket, prefix } => {
            let client = ctx
                .clients
                .get(&ClientSpec::default())
                .await
                .map_err(|e| format!("journal s3://{bucket}/{prefix}: {e}"))?;
            Store::Remote {
                client,
                bucket: bucket.clone(),
                prefix: prefix.clone(),
            }
        }
    };
    let tag = match ctx.config.shard {
        Some(s) => format!("shard-{}-of-{}", s.index, s.count),
        None => "all".to_string(),
    };
    let journal = Journal::open(store, &tag)
        .await
        .map_err(|e| format!("journal: {e}"))?;
    ctx.output
        .send(Message::Debug(format!(
            "journal: {} finished operations loaded ({} torn bytes ignored)",
            journal.loaded(),
            journal.torn_bytes()
        )))
        .await;
    let journal = Arc::new(journal);
    let _ = ctx.journal.set(journal.clone());
    let weak = Arc::downgrade(ctx);
    tokio::spawn(async move {
        loop {
            journal.flush_due().await;
            let Some(ctx) = weak.upgrade() else { return };
            flush(&ctx, &journal).await;
        }
    });
    Ok(())
}

/// Writes what the journal holds; a failure is a warning (the run goes on, and the
/// next flush retries those keys) and makes the exit code 1.
async fn flush(ctx: &Ctx, journal: &Journal) -> bool {
    match journal.flush().await {
        Ok(_) => true,
        Err(e) => {
            ctx.output
                .send(Message::Warn(format!("journal: flush failed: {e}")))
                .await;
            false
        }
    }
}

/// The final flush at the end of a run; `Failure` when the journal could not be
/// written (a rerun would then redo work this run finished).
pub async fn close_journal(ctx: &Ctx) -> ExitCode {
    match ctx.journal() {
        Some(journal) if !flush(ctx, journal).await => ExitCode::Failure,
        _ => ExitCode::Success,
    }
}

/// Installs the Ctrl-C and SIGTERM handlers (see the module docs).
pub fn watch_signals(ctx: &Arc<Ctx>) {
    watch_interrupts(Arc::downgrade(ctx));
    watch_terminate(Arc::downgrade(ctx));
}

fn watch_interrupts(weak: std::sync::Weak<Ctx>) {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        if let Some(ctx) = weak.upgrade() {
            ctx.interrupted.store(true, Ordering::Relaxed);
            ctx.output
                .send(Message::Warn(
                    "interrupted: finishing running operations (Ctrl-C again to exit now)".into(),
                ))
                .await;
        }
        if tokio::signal::ctrl_c().await.is_ok() {
            exit_now(&weak, "interrupted", ExitCode::Interrupted).await;
        }
    });
}

fn watch_terminate(weak: std::sync::Weak<Ctx>) {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(mut term) = signal(SignalKind::terminate()) else {
        return;
    };
    tokio::spawn(async move {
        if term.recv().await.is_none() {
            return;
        }
        let Some(ctx) = weak.upgrade() else { return };
        ctx.terminated.store(true, Ordering::Relaxed);
        let grace = ctx.config.grace_period;
        ctx.output
            .send(Message::Warn(format!(
                "terminated: no new operations; running ones have {} to finish",
                humantime::format_duration(grace)
            )))
            .await;
        drop(ctx);
        tokio::time::sleep(grace).await;
        exit_now(&weak, "terminated", ExitCode::Failure).await;
    });
}

/// Leaves nothing behind and exits: aborts the multipart uploads still in flight
/// (they cost storage), flushes the journal, then exits with `code`.
async fn exit_now(weak: &std::sync::Weak<Ctx>, why: &str, code: ExitCode) {
    if let Some(ctx) = weak.upgrade() {
        if !ctx.inflight.is_empty() {
            let aborted = ctx.inflight.abort_all().await;
            eprintln!("{why}: aborted {aborted} incomplete multipart upload(s)");
        }
        if let Some(journal) = ctx.journal()
            && let Err(e) = journal.flush().await
        {
            eprintln!("{why}: journal flush failed: {e}");
        }
        eprintln!("{why}: operations still running were stopped; rerun to finish them");
    }
    std::process::exit(code.code());
}
