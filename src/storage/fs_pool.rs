//! A small, fixed set of threads for local file-system work (create, write a small
//! body, set the mtime, rename, stat, remove), shared by every task of the run.
//!
//! Why: handing each small download's file work to tokio's blocking pool let up to
//! `--numworkers` threads create and rename files in one directory at once. They
//! spun on the directory's inode lock (`rwsem_spin_on_owner` under `do_renameat2`
//! and `path_openat` was 15 % of a profile) and every hand-off woke a sleeping
//! thread and then the async worker again (about six futex calls per file, which a
//! virtual machine makes expensive). The same files written by one thread cost a
//! thirtieth of the kernel time.
//!
//! How: [`threads`] threads (half the cores, as many as the async workers, at most
//! [`MAX_THREADS`]) drain one queue. A thread that wakes takes every job waiting,
//! up to [`MAX_BATCH`], runs them one after the other and only then sends their
//! results, so one wake-up of the file thread and one of the async side serve a
//! whole batch; while jobs keep arriving a thread never sleeps. The queue holds at
//! most one job per running operation (each waits for its result), so it is bounded
//! by the worker count. A job that panics gives its caller an error; the thread
//! goes on. Jobs that wait for a free descriptor (EMFILE, `fd.rs`) hold their
//! thread meanwhile: the jobs behind them would need a descriptor too.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

use crossbeam_channel::{Receiver, Sender};
use tokio::sync::oneshot;

use super::StorageError;
use crate::error::ErrorKind;

/// Most threads the pool starts, however many cores there are: they share
/// directories, whose inode lock serialises creates and renames anyway.
pub const MAX_THREADS: usize = 8;

/// Most jobs one thread runs before it sends their results.
pub const MAX_BATCH: usize = 32;

/// One queued job: its work, then (after the batch) its reply.
trait Job: Send {
    /// Does the work, keeping the result for [`Job::reply`].
    fn run(&mut self);
    /// Sends the result (nothing if the work panicked: the caller then sees an error).
    fn reply(self: Box<Self>);
}

/// A closure and the channel its result goes back on.
struct Task<F, T> {
    work: Option<F>,
    out: Option<T>,
    tx: oneshot::Sender<T>,
}

impl<F, T> Job for Task<F, T>
where
    F: FnOnce() -> T + Send,
    T: Send,
{
    fn run(&mut self) {
        if let Some(work) = self.work.take() {
            self.out = Some(work());
        }
    }

    fn reply(self: Box<Self>) {
        if let Some(out) = self.out {
            // The caller may have gone away (its task was cancelled): nothing to do.
            let _ = self.tx.send(out);
        }
    }
}

/// The pool's threads: half the cores (the size of the async worker pool), at
/// least one, at most [`MAX_THREADS`].
pub fn threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get() / 2)
        .clamp(1, MAX_THREADS)
}

/// The queue, and the threads draining it, started on first use.
fn queue() -> &'static Sender<Box<dyn Job>> {
    static QUEUE: OnceLock<Sender<Box<dyn Job>>> = OnceLock::new();
    QUEUE.get_or_init(|| {
        let (tx, rx) = crossbeam_channel::unbounded::<Box<dyn Job>>();
        for i in 0..threads() {
            let rx = rx.clone();
            // A thread that cannot be started is one fewer; with none at all, every
            // job fails with an error (the queue has no receiver left).
            let _ = std::thread::Builder::new()
                .name(format!("s5rs-fs-{i}"))
                .spawn(move || serve(&rx));
        }
        tx
    })
}

/// One thread's loop: wait for a job, take the others waiting, run them all, reply.
fn serve(rx: &Receiver<Box<dyn Job>>) {
    let mut batch: Vec<Box<dyn Job>> = Vec::with_capacity(MAX_BATCH);
    while let Ok(first) = rx.recv() {
        batch.push(first);
        batch.extend(rx.try_iter().take(MAX_BATCH - 1));
        for job in &mut batch {
            // A panicking job keeps no result; its caller gets an error.
            let _ = catch_unwind(AssertUnwindSafe(|| job.run()));
        }
        for job in batch.drain(..) {
            job.reply();
        }
    }
}

/// Runs `work` on the pool's threads and returns its result.
///
/// Errors (kind `Other`) only when the job could not run: it panicked, or no pool
/// thread could be started.
pub async fn run<F, T>(work: F) -> Result<T, StorageError>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let (tx, rx) = oneshot::channel();
    let job: Box<dyn Job> = Box::new(Task {
        work: Some(work),
        out: None,
        tx,
    });
    queue()
        .send(job)
        .map_err(|_| internal("no file-system thread is running"))?;
    rx.await
        .map_err(|_| internal("a file-system job failed (panicked)"))
}

fn internal(what: &str) -> StorageError {
    StorageError::new(ErrorKind::Other, format!("internal: {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn runs_every_job_and_returns_its_result() {
        let jobs: Vec<_> = (0..500u64)
            .map(|i| tokio::spawn(run(move || i * 3)))
            .collect();
        for (i, j) in jobs.into_iter().enumerate() {
            assert_eq!(j.await.unwrap().unwrap(), i as u64 * 3);
        }
    }

    #[tokio::test]
    async fn a_panicking_job_is_an_error_and_the_pool_goes_on() {
        let err = run(|| -> u32 { panic!("boom") }).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Other);
        assert!(err.message.contains("panicked"), "{}", err.message);
        // Every thread still serves (more jobs than threads, so each is used).
        for i in 0..(threads() as u32 * 4) {
            assert_eq!(run(move || i + 1).await.unwrap(), i + 1);
        }
    }

    #[test]
    fn sized_to_the_cores() {
        let n = threads();
        assert!((1..=MAX_THREADS).contains(&n));
        let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
        assert!(n <= cores.max(1));
    }
}
