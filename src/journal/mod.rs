//! The resume journal (`--journal LOCATION`): an append-only log of finished
//! operations, so a rerun with the same journal skips them (records say
//! `"skipped": "journal"`) and runs only what failed, never ran, or was in flight.
//!
//! * **Key.** An operation is identified by a truncated SHA-256 of (operation, source,
//!   the source's version — its ETag, else size and mtime — destination) ([`op_key`]):
//!   a source that changed since is a different operation and runs again.
//! * **Crash safety.** Records are framed with a checksum ([`format`]); a torn tail is
//!   ignored. Finished keys are buffered and flushed in groups, every second or every
//!   [`FLUSH_RECORDS`] records, whichever comes first, and at the end of the run
//!   (SIGTERM and Ctrl-C included). After `kill -9`, only operations in flight or not
//!   yet flushed run again.
//! * **Concurrency.** Each run attempt writes segments of its own ([`store`]), so two
//!   processes running the same shard at once never corrupt each other; the journal
//!   is the union of all segments.
//! * **Memory.** Loading keeps every finished key in one sorted array: 16 bytes per
//!   entry (16 MB per million finished operations), looked up by binary search; one
//!   segment's bytes are read at a time.

pub mod format;
pub mod store;

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::sync::Notify;

use crate::storage::StorageError;
pub use format::OpKey;
pub use store::{JournalLocation, Store};

/// A flush at the latest this long after a key was added.
pub const FLUSH_INTERVAL: Duration = Duration::from_secs(1);
/// A flush as soon as this many keys wait.
pub const FLUSH_RECORDS: usize = 10_000;

/// The identity of one operation (see the module docs).
pub fn op_key(operation: &str, source: &str, version: &str, destination: &str) -> OpKey {
    let mut h = Sha256::new();
    for field in [operation, source, version, destination] {
        h.update(field.as_bytes());
        h.update([0u8]);
    }
    h.finalize()[..16].try_into().expect("16 of 32 bytes")
}

/// An opened journal: what earlier runs finished, and this run's writer.
pub struct Journal {
    /// Keys finished by earlier runs, sorted, deduplicated.
    done: Vec<OpKey>,
    /// Keys finished by this run, not yet flushed.
    pending: Mutex<Vec<OpKey>>,
    /// Wakes the flusher when [`FLUSH_RECORDS`] keys wait.
    wake: Notify,
    store: Store,
    /// This attempt's segment name (without suffix).
    segment: String,
    /// Groups written so far (a flush is one group).
    sequence: tokio::sync::Mutex<u64>,
    /// Keys written by this run.
    written: AtomicU64,
    /// Bytes of torn tails seen while loading.
    torn_bytes: u64,
}

impl Journal {
    /// Loads every segment in `store`; this attempt writes under a new segment named
    /// after `shard_tag` (e.g. `shard-2-of-8`).
    pub async fn open(store: Store, shard_tag: &str) -> Result<Journal, StorageError> {
        let mut done: Vec<OpKey> = Vec::new();
        let mut torn_bytes = 0;
        for name in store.segments().await? {
            let bytes = store.read(&name).await?;
            let decoded = format::decode(&bytes).map_err(|m| {
                StorageError::new(
                    crate::error::ErrorKind::Usage,
                    format!("journal {name}: {m}"),
                )
            })?;
            torn_bytes += decoded.torn_bytes as u64;
            done.extend(decoded.keys);
        }
        done.sort_unstable();
        done.dedup();
        done.shrink_to_fit();
        let millis = chrono::Utc::now().timestamp_millis();
        let segment = format!(
            "{shard_tag}-{millis}-{}-{:08x}",
            std::process::id(),
            fastrand::u32(..)
        );
        Ok(Journal {
            done,
            pending: Mutex::new(Vec::new()),
            wake: Notify::new(),
            store,
            segment,
            sequence: tokio::sync::Mutex::new(0),
            written: AtomicU64::new(0),
            torn_bytes,
        })
    }

    /// Whether an earlier run finished this operation.
    pub fn is_done(&self, key: &OpKey) -> bool {
        self.done.binary_search(key).is_ok()
    }

    /// How many finished operations earlier runs recorded.
    pub fn loaded(&self) -> usize {
        self.done.len()
    }

    /// Bytes of torn segment tails ignored while loading.
    pub fn torn_bytes(&self) -> u64 {
        self.torn_bytes
    }

    /// Keys this run has made durable.
    pub fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }

    /// Notes a finished operation (flushed with the next group).
    pub fn finished(&self, key: OpKey) {
        let mut pending = self.pending.lock().expect("journal buffer lock");
        pending.push(key);
        if pending.len() >= FLUSH_RECORDS {
            self.wake.notify_one();
        }
    }

    /// Writes every waiting key as one group. Returns how many were written.
    pub async fn flush(&self) -> Result<usize, StorageError> {
        let mut sequence = self.sequence.lock().await;
        let keys = std::mem::take(&mut *self.pending.lock().expect("journal buffer lock"));
        if keys.is_empty() {
            return Ok(0);
        }
        let mut records = Vec::new();
        format::encode(&keys, &mut records);
        if let Err(e) = self
            .store
            .write_group(&self.segment, *sequence, &records)
            .await
        {
            // Keep the keys for the next attempt to flush.
            self.pending
                .lock()
                .expect("journal buffer lock")
                .extend(keys);
            return Err(e);
        }
        *sequence += 1;
        self.written.fetch_add(keys.len() as u64, Ordering::Relaxed);
        Ok(keys.len())
    }

    /// Waits until a flush is due: [`FLUSH_INTERVAL`] passed or enough keys wait.
    pub async fn flush_due(&self) {
        tokio::select! {
            _ = tokio::time::sleep(FLUSH_INTERVAL) => {}
            _ = self.wake.notified() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_separate_their_fields() {
        assert_ne!(op_key("cp", "ab", "", "c"), op_key("cp", "a", "b", "c"));
        assert_eq!(op_key("cp", "a", "e1", "b"), op_key("cp", "a", "e1", "b"));
        assert_ne!(op_key("cp", "a", "e1", "b"), op_key("cp", "a", "e2", "b"));
    }

    #[tokio::test]
    async fn a_rerun_sees_what_was_flushed_and_not_what_was_not() {
        let dir = tempfile::tempdir().unwrap();
        let first = Journal::open(Store::Local(dir.path().into()), "all")
            .await
            .unwrap();
        let (a, b, c) = (
            op_key("cp", "a", "", "x"),
            op_key("cp", "b", "", "x"),
            op_key("cp", "c", "", "x"),
        );
        first.finished(a);
        first.finished(b);
        assert_eq!(first.flush().await.unwrap(), 2);
        first.finished(c); // never flushed: as after kill -9
        // A second process on the same shard at the same time writes its own segment.
        let twin = Journal::open(Store::Local(dir.path().into()), "all")
            .await
            .unwrap();
        twin.finished(c);
        twin.flush().await.unwrap();
        let rerun = Journal::open(Store::Local(dir.path().into()), "all")
            .await
            .unwrap();
        assert_eq!(rerun.loaded(), 3);
        assert!(rerun.is_done(&a) && rerun.is_done(&b) && rerun.is_done(&c));
        assert!(!rerun.is_done(&op_key("cp", "d", "", "x")));
    }

    #[tokio::test]
    async fn a_torn_segment_keeps_its_intact_records() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::open(Store::Local(dir.path().into()), "all")
            .await
            .unwrap();
        let (a, b) = (op_key("rm", "a", "", ""), op_key("rm", "b", "", ""));
        j.finished(a);
        j.finished(b);
        j.flush().await.unwrap();
        let seg = std::fs::read_dir(dir.path())
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let len = std::fs::metadata(&seg).unwrap().len();
        let f = std::fs::OpenOptions::new().write(true).open(&seg).unwrap();
        f.set_len(len - 7).unwrap();
        let rerun = Journal::open(Store::Local(dir.path().into()), "all")
            .await
            .unwrap();
        assert!(rerun.is_done(&a));
        assert!(!rerun.is_done(&b));
        assert_eq!(rerun.torn_bytes(), 13);
    }
}
