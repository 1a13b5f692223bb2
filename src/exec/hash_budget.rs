//! [`Budget`]: the process-wide cap on the data that in-order hashing
//! (`in_order_hash.rs`) holds ahead of the hashing, across all downloads at once.
//!
//! Each download's own window bounds what one download holds; a batch runs up to
//! `--numworkers` downloads at once, so without a shared cap a hashing that lags
//! (MD5 runs on one core per download, and the downloads share the cores) could hold
//! a window per download. Every chunk an in-order download keeps is counted here and
//! given back once hashed (or when the download is dropped); a chunk that would pass
//! [`GLOBAL_BUDGET`] waits, except a download's next contiguous chunk while it has
//! none waiting to be hashed, so every download always progresses. What is held is
//! thus at most the budget plus one chunk per download. Like a download's window,
//! the budget keeps an eighth for data continuing a download's contiguous data (the
//! data its hashing needs next): data further ahead may fill only the rest, so it
//! cannot crowd out the downloads' leads.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};

use tokio::sync::futures::Notified;

/// Bytes held ahead of the hashing by all in-order downloads of the process, at most
/// (beyond one chunk per download).
pub const GLOBAL_BUDGET: usize = 256 * 1024 * 1024;

/// Bytes counted against a cap, shared by in-order downloads.
pub struct Budget {
    held: AtomicUsize,
    cap: usize,
    /// Wakes streams waiting for room in the budget.
    room: tokio::sync::Notify,
}

impl Budget {
    /// A budget of `cap` bytes, none held.
    pub fn new(cap: usize) -> Budget {
        Budget {
            held: AtomicUsize::new(0),
            cap,
            room: tokio::sync::Notify::new(),
        }
    }

    /// The process's budget of [`GLOBAL_BUDGET`] bytes.
    pub fn global() -> Arc<Budget> {
        static GLOBAL: LazyLock<Arc<Budget>> =
            LazyLock::new(|| Arc::new(Budget::new(GLOBAL_BUDGET)));
        GLOBAL.clone()
    }

    /// Counts `len` bytes if they fit the cap (for data `ahead` of the contiguous
    /// data, the cap less its eighth kept for the leads); false (nothing counted)
    /// otherwise.
    pub fn try_take(&self, len: usize, ahead: bool) -> bool {
        let cap = if ahead {
            self.cap - self.cap / 8
        } else {
            self.cap
        };
        self.held
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |held| {
                (held + len <= cap).then_some(held + len)
            })
            .is_ok()
    }

    /// Counts `len` bytes whether they fit or not (a download's only way forward).
    pub fn force_take(&self, len: usize) {
        self.held.fetch_add(len, Ordering::AcqRel);
    }

    /// Gives `len` bytes back and wakes the streams waiting for room.
    pub fn release(&self, len: usize) {
        if len > 0 {
            self.held.fetch_sub(len, Ordering::AcqRel);
            self.room.notify_waiters();
        }
    }

    /// Bytes counted now.
    pub fn held(&self) -> usize {
        self.held.load(Ordering::Acquire)
    }

    /// Completes at the next [`Budget::release`] (enable it before checking).
    pub fn notified(&self) -> Notified<'_> {
        self.room.notified()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_up_to_the_cap_and_forces_past_it() {
        let b = Budget::new(100);
        assert!(b.try_take(60, false));
        assert!(!b.try_take(41, false));
        assert_eq!(b.held(), 60);
        b.force_take(50);
        assert_eq!(b.held(), 110);
        b.release(50);
        // Data ahead: up to 100 - 12 only; the last eighth is for the leads.
        assert!(!b.try_take(29, true));
        assert!(b.try_take(28, true));
        assert!(b.try_take(12, false));
        assert_eq!(b.held(), 100);
    }
}
