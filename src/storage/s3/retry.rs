//! Retry policy: exponential backoff with full jitter, bounded by `--retry-count`
//! retries per request. Which failures qualify is decided in [`super::error::is_retryable`].
//! A refused connection is retried at most [`REFUSED_RETRIES`] times with short
//! waits (a server that is down fails the request within about a second and a
//! half); a host name that does not resolve is not retried at all.
//!
//! Retries are also counted per operation: exec runs each op inside
//! [`count_retries`], a tokio task-local counter that every retry of the client
//! (request retries, resumed GetObject bodies) and of exec (re-downloads after a
//! checksum mismatch) increments with [`note_retry`]. A task-local rather than a
//! parameter keeps the client's signatures unchanged; the parts of one multipart
//! transfer are polled inside the op's task, so they are counted too.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

tokio::task_local! {
    /// Retries of the operation running in this task.
    static OP_RETRIES: Arc<AtomicU64>;
}

/// Runs `fut` with a fresh per-operation retry counter; returns its output and the
/// number of retries made while it ran.
pub fn count_retries<F: Future>(fut: F) -> impl Future<Output = (F::Output, u64)> {
    // Not an `async fn`: that would hold `fut` and the scoped future wrapping it side
    // by side in its state, doubling the size of every operation's future.
    use futures_util::FutureExt;
    let counter = Arc::new(AtomicU64::new(0));
    OP_RETRIES
        .scope(counter.clone(), fut)
        .map(move |out| (out, counter.load(Ordering::Relaxed)))
}

/// Counts one retry for the operation running in this task (no-op outside
/// [`count_retries`]).
pub fn note_retry() {
    let _ = OP_RETRIES.try_with(|c| c.fetch_add(1, Ordering::Relaxed));
}

/// First backoff step.
const BASE: Duration = Duration::from_millis(50);
/// Longest single wait.
const CAP: Duration = Duration::from_secs(10);

/// Retries a refused connection gets at most, whatever `--retry-count` says.
pub(crate) const REFUSED_RETRIES: u32 = 3;
/// First backoff step after a refused connection: the waits are at most 0.2, 0.4
/// and 0.8 s, long enough for a restarting server, short enough to fail fast.
const REFUSED_BASE: Duration = Duration::from_millis(200);

/// How long to wait before retry number `retry` (from 1): a uniformly random
/// duration up to `min(CAP, BASE * 2^(retry-1))`, never less than a millisecond.
pub(crate) fn backoff(retry: u32) -> Duration {
    jittered(BASE, retry)
}

/// How long to wait before retry number `retry` (from 1) of a refused connection.
pub(crate) fn refused_backoff(retry: u32) -> Duration {
    jittered(REFUSED_BASE, retry)
}

fn jittered(base: Duration, retry: u32) -> Duration {
    let exp = base.saturating_mul(1u32 << retry.saturating_sub(1).min(16));
    let ceiling = exp.min(CAP).as_millis() as u64;
    Duration::from_millis(fastrand::u64(1..=ceiling.max(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn retries_are_counted_per_operation() {
        note_retry(); // outside a scope: ignored
        let ((), n) = count_retries(async {
            note_retry();
            note_retry();
        })
        .await;
        assert_eq!(n, 2);
        let ((), n) = count_retries(async {}).await;
        assert_eq!(n, 0);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        for r in 1..40 {
            let d = backoff(r);
            assert!(d >= Duration::from_millis(1));
            assert!(d <= CAP);
        }
        assert!(backoff(1) <= BASE);
    }

    #[test]
    fn refused_connections_wait_under_two_seconds_in_all() {
        for _ in 0..100 {
            let total: Duration = (1..=REFUSED_RETRIES).map(refused_backoff).sum();
            assert!(total <= Duration::from_millis(1400), "{total:?}");
        }
    }
}
