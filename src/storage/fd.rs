//! Running out of file descriptors is a wait, not a failure. With hundreds of
//! workers each holding a socket and a file, a low `ulimit -n` (s5rs raises its soft
//! limit to the hard limit at start, but the hard limit may be low) makes `open`,
//! `socket` and `accept` fail with EMFILE (per process) or ENFILE (system-wide).
//! s5cmd aborts the operation then (reference §9.2 item 22); s5rs waits for other
//! operations to close descriptors and tries again, for up to [`MAX_WAIT`], without
//! spending the request's retry budget.
//!
//! Waiting only helps if descriptors do get freed, and pooled idle connections are
//! not: so at start, when even the raised limit is too low for `--numworkers`
//! (each worker may hold a pooled connection, a file and a spare), the worker count
//! is lowered to fit ([`workers_within`]) with a warning.

use std::future::Future;
use std::io;
use std::time::{Duration, Instant};

/// How long one operation keeps waiting for a free descriptor before failing.
pub const MAX_WAIT: Duration = Duration::from_secs(120);

/// Descriptors one worker may hold at once: a (pooled) connection, a file, a spare.
pub const PER_WORKER: u64 = 3;
/// Descriptors kept for stdio, the runtime, listings and the batch file.
pub const RESERVED: u64 = 24;

/// The number of workers that fit in an open-file limit of `limit` (at least 1).
pub fn workers_within(limit: u64, wanted: usize) -> usize {
    let fit = limit.saturating_sub(RESERVED) / PER_WORKER;
    (wanted as u64).min(fit.max(1)) as usize
}

/// `EMFILE` and `ENFILE` (the same numbers on Linux and the BSDs).
const EMFILE: i32 = 24;
const ENFILE: i32 = 23;

/// Whether an I/O error means "no free file descriptor".
pub fn is_exhausted(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(EMFILE | ENFILE))
}

/// Whether an error message (a chain of causes, as transport errors are reported)
/// says "no free file descriptor".
pub fn message_says_exhausted(msg: &str) -> bool {
    msg.contains("os error 24") || msg.contains("os error 23")
}

/// The pause before attempt `n` (from 1): 10 ms doubling to 500 ms, with jitter.
pub fn pause(n: u32) -> Duration {
    let ceiling = (10u64 << n.min(6)).min(500);
    Duration::from_millis(fastrand::u64(ceiling / 2..=ceiling))
}

/// Runs a blocking file operation, waiting and retrying while it fails for lack of
/// descriptors.
pub fn retry_blocking<T>(mut f: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    let start = Instant::now();
    let mut n = 0;
    loop {
        match f() {
            Err(e) if is_exhausted(&e) && start.elapsed() < MAX_WAIT => {
                n += 1;
                std::thread::sleep(pause(n));
            }
            r => return r,
        }
    }
}

/// Runs an async file operation, waiting and retrying while it fails for lack of
/// descriptors.
pub async fn retry_async<T, F, Fut>(mut f: F) -> io::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = io::Result<T>>,
{
    let start = Instant::now();
    let mut n = 0;
    loop {
        match f().await {
            Err(e) if is_exhausted(&e) && start.elapsed() < MAX_WAIT => {
                n += 1;
                tokio::time::sleep(pause(n)).await;
            }
            r => return r,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_exhaustion() {
        assert!(is_exhausted(&io::Error::from_raw_os_error(24)));
        assert!(is_exhausted(&io::Error::from_raw_os_error(23)));
        assert!(!is_exhausted(&io::Error::from_raw_os_error(2)));
        assert!(message_says_exhausted(
            "tcp open error: Too many open files (os error 24)"
        ));
        assert!(!message_says_exhausted("connection refused (os error 111)"));
    }

    #[test]
    fn workers_fit_the_limit() {
        assert_eq!(workers_within(1_048_576, 256), 256);
        assert_eq!(workers_within(1024, 256), 256);
        assert_eq!(workers_within(400, 256), 125);
        assert_eq!(workers_within(40, 256), 5);
        assert_eq!(workers_within(10, 256), 1);
    }

    #[test]
    fn retries_until_a_descriptor_frees() {
        let mut calls = 0;
        let r = retry_blocking(|| {
            calls += 1;
            if calls < 3 {
                Err(io::Error::from_raw_os_error(24))
            } else {
                Ok(calls)
            }
        });
        assert_eq!(r.unwrap(), 3);
        let r: io::Result<()> = retry_blocking(|| Err(io::Error::from_raw_os_error(2)));
        assert!(r.is_err());
    }
}
