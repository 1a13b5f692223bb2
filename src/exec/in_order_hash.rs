//! [`InOrder`] feeds a sequential digest (a plain MD5, a SHA, or ETag part MD5s that
//! do not line up with the ranges) with the data of a download fetched in parallel
//! ranges, in byte order, as the ranges stream in: never by reading the file back.
//!
//! Each range's stream hands its chunks over (reference-counted `Bytes`, no copy) as
//! they arrive. One blocking thread hashes whatever continues the data hashed so far;
//! chunks that arrive ahead of it wait in memory. That memory — chunks waiting and
//! chunks being hashed — is bounded by a window, split in two:
//!
//! - the *lead*, an eighth of the window: data that continues the contiguous data
//!   (the lowest unfinished range, the one the hashing needs) is taken while less
//!   than this much contiguous data waits to be hashed, whatever the other ranges
//!   hold. So the hashing always has the next data at hand and never waits for a
//!   wake-up per chunk, and a fast connection is paced by the hashing alone;
//! - the rest, for data further ahead (the other ranges): a chunk that would take
//!   what is held past `window - lead` waits (its stream stops reading, so its
//!   connection applies backpressure to the server) until the hashing catches up.
//!
//! The data held is at most the window plus one chunk per download. Across all the
//! downloads of the process, it is also bounded by a shared [`Budget`]
//! ([`GLOBAL_BUDGET`](super::hash_budget::GLOBAL_BUDGET), 256 MiB): a chunk is taken only if it also
//! fits the budget, except the next contiguous chunk of a download that has no
//! contiguous data waiting or being hashed — so each download always progresses, and
//! the process holds at most the budget plus one chunk per download. An eighth of
//! the budget is kept for data continuing contiguous data, as in the window. The
//! hashing gives bytes back to the budget as it hashes them, waking the streams of every
//! download that wait for it.
//!
//! The hashing takes at most
//! [`BATCH`] bytes at a time, so room is given back (and waiting streams woken) a
//! megabyte at a time, not per chunk nor only after a whole range.
//!
//! MD5 runs on one core at a time; this keeps that core busy from the first byte of
//! the first range on, so the download ends about when the last byte arrives or when
//! the hashing of the whole object is done, whichever is later.
//!
//! (Before the lead existed, the lowest range shared the window with the ranges
//! ahead: once they filled it, its chunks got in only when the hashing had nothing
//! left, one chunk per wake-up, and the hashing thread waited more than it hashed;
//! docs/performance.md, "In-order MD5 with a lead".)

use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use bytes::Bytes;

use super::download_verify::StreamHash;
use super::hash_budget::Budget;
use crate::error::ErrorKind;
use crate::storage::StorageError;

/// Bytes of data held ahead of the hashing, per download, at most (beyond one chunk).
pub const WINDOW: usize = 64 * 1024 * 1024;

/// Bytes the hashing thread takes at a time, at most (at least one chunk).
const BATCH: usize = 1024 * 1024;

/// What the streams and the hashing thread share.
struct State {
    /// Chunks not hashed yet, by offset.
    pending: BTreeMap<u64, Bytes>,
    /// Their total size.
    pending_bytes: usize,
    /// Bytes the hashing thread has taken and not hashed yet.
    in_hand: usize,
    /// Bytes hashed so far (from offset 0).
    hashed: u64,
    /// The end of the data submitted without a gap from offset 0.
    contiguous: u64,
    /// The hashing thread sleeps until a chunk arrives.
    hasher_waiting: bool,
    /// The download failed: the thread stops.
    abandoned: bool,
}

struct Shared {
    state: Mutex<State>,
    /// Wakes the hashing thread.
    arrived: Condvar,
    /// Wakes streams waiting for room in the window.
    room: tokio::sync::Notify,
    window: usize,
    /// The part of the window kept for data that continues the contiguous data.
    lead: usize,
    /// What all the in-order downloads hold, together.
    budget: Arc<Budget>,
}

impl Shared {
    /// Nothing submitted yet; an eighth of `window` is the lead.
    fn new(window: usize, budget: Arc<Budget>) -> Shared {
        Shared {
            state: Mutex::new(State {
                pending: BTreeMap::new(),
                pending_bytes: 0,
                in_hand: 0,
                hashed: 0,
                contiguous: 0,
                hasher_waiting: false,
                abandoned: false,
            }),
            arrived: Condvar::new(),
            room: tokio::sync::Notify::new(),
            window,
            lead: (window / 8).max(1),
            budget,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for Shared {
    /// Gives back to the budget what a failed download still held.
    fn drop(&mut self) {
        let s = self.lock();
        let held = s.pending_bytes + s.in_hand;
        drop(s);
        self.budget.release(held);
    }
}

/// Whether a chunk may be taken now.
#[derive(Debug, PartialEq, Eq)]
enum Admit {
    /// Yes, budget or not: the download's only way forward.
    Always,
    /// If it fits the shared budget: all of it for data continuing the contiguous
    /// data (`ahead` false), the part not kept for the leads for data further ahead.
    IfBudget { ahead: bool },
    /// No: the download's window is full.
    No,
}

/// Hashes `total` bytes submitted out of order, in order, within a memory window.
/// Dropping it before [`InOrder::finish`] (a failed download) stops the thread.
pub struct InOrder {
    shared: Arc<Shared>,
    thread: Option<tokio::task::JoinHandle<Option<StreamHash>>>,
}

impl InOrder {
    /// Starts feeding `hash` with the `total` bytes to be submitted, holding at most
    /// `window` bytes ahead of it (an eighth of it kept for the lowest range), and
    /// with the other downloads, at most what `budget` allows (see the module docs).
    pub fn start(hash: StreamHash, total: u64, window: usize, budget: Arc<Budget>) -> InOrder {
        let shared = Arc::new(Shared::new(window, budget));
        let thread_shared = shared.clone();
        let thread =
            tokio::task::spawn_blocking(move || hash_in_order(&thread_shared, hash, total));
        InOrder {
            shared,
            thread: Some(thread),
        }
    }

    /// Hands over the chunk at `offset`, waiting while there is no room for it (see
    /// the module docs: the lead for data continuing the contiguous data, the rest
    /// of the window for data further ahead).
    pub async fn submit(&self, offset: u64, data: Bytes) {
        if data.is_empty() {
            return;
        }
        let shared = &*self.shared;
        let len = data.len();
        loop {
            let room = shared.room.notified();
            let budget_room = shared.budget.notified();
            tokio::pin!(room, budget_room);
            room.as_mut().enable();
            budget_room.as_mut().enable();
            let admit = {
                let mut s = shared.lock();
                let admit = admit(&s, shared, offset, len);
                let taken = match admit {
                    Admit::Always => {
                        shared.budget.force_take(len);
                        true
                    }
                    Admit::IfBudget { ahead } => shared.budget.try_take(len, ahead),
                    Admit::No => false,
                };
                if taken {
                    let end = offset + len as u64;
                    let replaced = insert(&mut s, offset, data);
                    if s.hasher_waiting {
                        shared.arrived.notify_one();
                    }
                    // Contiguous data grown past this chunk (a gap filled): another
                    // stream's chunk may now continue it.
                    let gap_filled = s.contiguous > end;
                    drop(s);
                    shared.budget.release(replaced);
                    if gap_filled {
                        shared.room.notify_waiters();
                    }
                    return;
                }
                admit
            };
            if admit == Admit::No {
                // The window is full: only this download's hashing makes room.
                room.await;
            } else {
                // Refused by the budget: room in it, or a change here (a gap filled,
                // the hashing caught up), may let the chunk in.
                tokio::select! {
                    _ = room => {}
                    _ = budget_room => {}
                }
            }
        }
    }

    /// The digest, once all `total` bytes were submitted and hashed.
    pub async fn finish(mut self) -> Result<StreamHash, StorageError> {
        let thread = self.thread.take().expect("finish is called once");
        thread
            .await
            .map_err(|e| {
                StorageError::new(ErrorKind::Other, format!("hashing thread failed: {e}"))
            })?
            .ok_or_else(|| StorageError::new(ErrorKind::Other, "hashing stopped early"))
    }
}

impl Drop for InOrder {
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.shared.lock().abandoned = true;
            self.shared.arrived.notify_one();
        }
    }
}

/// Whether a chunk of `len` bytes at `offset` may be taken now: always when it
/// continues the contiguous data and none of that waits or is being hashed; if it
/// fits the shared budget, when it continues the contiguous data and less than the
/// lead of that waits to be hashed, or when it fits the window with the lead kept
/// free.
fn admit(s: &State, shared: &Shared, offset: u64, len: usize) -> Admit {
    let ready = (s.contiguous - s.hashed) as usize;
    if offset == s.contiguous && ready == 0 {
        return Admit::Always;
    }
    if offset == s.contiguous && ready < shared.lead {
        return Admit::IfBudget { ahead: false };
    }
    let held = s.pending_bytes + s.in_hand;
    if held + len <= shared.window - shared.lead {
        Admit::IfBudget { ahead: true }
    } else {
        Admit::No
    }
}

/// Adds a chunk and moves the end of the contiguous data past it (and past chunks
/// already waiting right behind it); returns the bytes of a chunk it replaced.
fn insert(s: &mut State, offset: u64, data: Bytes) -> usize {
    let len = data.len();
    let mut replaced = 0;
    if let Some(old) = s.pending.insert(offset, data) {
        // Only a stream sending more than its range overlaps another; that download
        // fails its length check, the count just stays right meanwhile.
        s.pending_bytes -= old.len();
        replaced = old.len();
    }
    s.pending_bytes += len;
    if offset == s.contiguous {
        s.contiguous += len as u64;
        while let Some(next) = s.pending.get(&s.contiguous) {
            s.contiguous += next.len() as u64;
        }
    }
    replaced
}

/// The hashing thread: takes the chunks that continue the hashed data (up to
/// [`BATCH`] bytes at a time), hashes them outside the lock, until `total` bytes are
/// hashed; `None` once abandoned.
fn hash_in_order(shared: &Shared, mut hash: StreamHash, total: u64) -> Option<StreamHash> {
    let mut next = 0u64;
    let mut run: Vec<Bytes> = Vec::new();
    while next < total {
        let mut dropped = 0;
        {
            let mut s = shared.lock();
            loop {
                if s.abandoned {
                    return None;
                }
                dropped += take_run(&mut s, &mut next, &mut run);
                if !run.is_empty() {
                    break;
                }
                s.hasher_waiting = true;
                s = shared.arrived.wait(s).unwrap_or_else(|e| e.into_inner());
                s.hasher_waiting = false;
            }
        }
        let mut done = 0;
        for data in run.drain(..) {
            hash.update(&data);
            done += data.len();
        }
        {
            let mut s = shared.lock();
            s.in_hand -= done;
            s.hashed += done as u64;
        }
        shared.budget.release(done + dropped);
        shared.room.notify_waiters();
    }
    Some(hash)
}

/// Moves the chunks continuing `next` out of the pending ones into `run`, up to
/// [`BATCH`] bytes (at least one chunk when there is one); returns the bytes of
/// chunks dropped as overlapping hashed data.
fn take_run(s: &mut State, next: &mut u64, run: &mut Vec<Bytes>) -> usize {
    let (mut taken, mut dropped) = (0, 0);
    while taken < BATCH {
        let Some(entry) = s.pending.first_entry() else {
            break;
        };
        if *entry.key() > *next {
            break;
        }
        let (offset, data) = entry.remove_entry();
        s.pending_bytes -= data.len();
        if offset == *next {
            s.in_hand += data.len();
            taken += data.len();
            *next += data.len() as u64;
            run.push(data);
        } else {
            // A chunk before `next` overlaps hashed data: dropped, see `insert`.
            dropped += data.len();
        }
    }
    dropped
}

#[cfg(test)]
mod tests {
    use super::super::etag_hash::EtagHasher;
    use super::*;
    use md5::{Digest, Md5};

    fn data(n: u32) -> Vec<u8> {
        (0..n).map(|i| (i * 7 % 251) as u8).collect()
    }

    /// An in-order hasher with a budget of its own, large enough not to matter.
    fn start(hash: StreamHash, total: u64, window: usize) -> InOrder {
        InOrder::start(hash, total, window, Arc::new(Budget::new(usize::MAX)))
    }

    fn md5_of(h: StreamHash) -> Vec<[u8; 16]> {
        match h {
            StreamHash::Etag(h) => h.finish(),
            StreamHash::Sum(_) => panic!("not an ETag hash"),
        }
    }

    /// Ranges submitted by parallel tasks, the last range first and each in chunks.
    async fn submit_ranges(hb: &Arc<InOrder>, data: &Arc<Vec<u8>>, range: usize, chunk: usize) {
        let ranges = data.len().div_ceil(range);
        let mut tasks = Vec::new();
        for r in (0..ranges).rev() {
            let (hb, data) = (hb.clone(), data.clone());
            tasks.push(tokio::spawn(async move {
                let end = ((r + 1) * range).min(data.len());
                let mut at = r * range;
                while at < end {
                    let n = chunk.min(end - at);
                    let b = Bytes::copy_from_slice(&data[at..at + n]);
                    hb.submit(at as u64, b).await;
                    at += n;
                    tokio::task::yield_now().await;
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn out_of_order_ranges_hash_like_one_stream() {
        let data = Arc::new(data(1_000_003));
        let hash = StreamHash::Etag(EtagHasher::new(u64::MAX));
        // A window smaller than one range: later ranges wait, the lowest one moves.
        let hb = Arc::new(start(hash, data.len() as u64, 50_000));
        submit_ranges(&hb, &data, 100_000, 7_000).await;
        let hb = Arc::into_inner(hb).unwrap();
        let got = md5_of(hb.finish().await.unwrap());
        assert_eq!(got, vec![<[u8; 16]>::from(Md5::digest(&data[..]))]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn etag_parts_need_not_line_up_with_ranges() {
        let data = Arc::new(data(250_000));
        let hash = StreamHash::Etag(EtagHasher::new(100_000));
        let hb = Arc::new(start(hash, data.len() as u64, 1 << 20));
        submit_ranges(&hb, &data, 70_000, 4_096).await;
        let hb = Arc::into_inner(hb).unwrap();
        let want: Vec<[u8; 16]> = data
            .chunks(100_000)
            .map(|c| Md5::digest(c).into())
            .collect();
        assert_eq!(md5_of(hb.finish().await.unwrap()), want);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_corrupted_byte_changes_the_digest() {
        let good = data(300_000);
        let mut bad = good.clone();
        bad[150_001] ^= 0x20;
        let hash = StreamHash::Etag(EtagHasher::new(u64::MAX));
        let hb = Arc::new(start(hash, bad.len() as u64, 64_000));
        submit_ranges(&hb, &Arc::new(bad), 100_000, 10_000).await;
        let got = md5_of(Arc::into_inner(hb).unwrap().finish().await.unwrap());
        assert_ne!(got, vec![<[u8; 16]>::from(Md5::digest(&good))]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_window_bounds_what_waits_ahead() {
        let hash = StreamHash::Etag(EtagHasher::new(u64::MAX));
        // A window of 160 bytes: 20 kept as the lead, 140 for data further ahead.
        let hb = start(hash, 1_000, 160);
        // Far ahead of the hashing: taken while it fits the window less the lead …
        hb.submit(500, Bytes::from(vec![1u8; 100])).await;
        // … then a chunk that does not fit waits.
        let waited = tokio::time::timeout(
            std::time::Duration::from_millis(50),
            hb.submit(600, Bytes::from(vec![1u8; 100])),
        )
        .await;
        assert!(waited.is_err(), "a chunk past the window was taken");
        assert_eq!(hb.shared.lock().pending_bytes, 100);
        // The chunk continuing the contiguous data is always taken.
        hb.submit(0, Bytes::from(vec![1u8; 500])).await;
    }

    /// The rule itself, on a frozen state (the hashing thread busy with data not yet
    /// hashed): with the window full of data ahead, the lowest range's next chunk is
    /// still taken while less than the lead waits to be hashed, and only then.
    #[test]
    fn the_lowest_range_is_taken_while_the_window_is_full_ahead() {
        // A window of 800 bytes: a lead of 100, 700 for data further ahead.
        let shared = Shared::new(800, Arc::new(Budget::new(usize::MAX)));
        let mut s = shared.lock();
        // 600 bytes far ahead, 50 contiguous bytes in the hashing thread's hands.
        insert(&mut s, 1_000, Bytes::from(vec![0u8; 600]));
        insert(&mut s, 0, Bytes::from(vec![0u8; 50]));
        let (mut next, mut run) = (0, Vec::new());
        take_run(&mut s, &mut next, &mut run);
        assert_eq!((next, s.in_hand, s.contiguous), (50, 50, 50));
        // Ahead: 650 held, 100 more would pass 800 - 100.
        assert_eq!(
            admit(&s, &shared, 2_000, 50),
            Admit::IfBudget { ahead: true }
        );
        assert_eq!(admit(&s, &shared, 2_000, 51), Admit::No);
        // The lowest range's next chunk: 50 wait to be hashed, under the lead of 100.
        assert_eq!(
            admit(&s, &shared, 50, 400),
            Admit::IfBudget { ahead: false }
        );
        insert(&mut s, 50, Bytes::from(vec![0u8; 60]));
        // 110 contiguous bytes not hashed: the lowest range waits for the hashing too.
        assert_eq!(admit(&s, &shared, 110, 10), Admit::No);
        s.hashed = 50;
        s.in_hand = 0;
        assert_eq!(
            admit(&s, &shared, 110, 10),
            Admit::IfBudget { ahead: false }
        );
        // Nothing contiguous waiting: taken whatever the shared budget holds.
        s.hashed = 110;
        assert_eq!(admit(&s, &shared, 110, 10), Admit::Always);
    }

    /// Several downloads whose hashing is stuck (their first bytes never came):
    /// together they hold no more than the shared budget, though each one's window
    /// would allow much more; still, each one's next contiguous chunk is taken.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn downloads_together_stay_within_the_shared_budget() {
        let (budget, window, chunk) = (Arc::new(Budget::new(100_000)), 1 << 20, 10_000);
        let mut downloads = Vec::new();
        for _ in 0..4 {
            let hash = StreamHash::Etag(EtagHasher::new(u64::MAX));
            let hb = InOrder::start(hash, 10_000_000, window, budget.clone());
            // Data ahead, a chunk at a time, until one waits.
            let mut at = chunk as u64;
            while tokio::time::timeout(
                std::time::Duration::from_millis(50),
                hb.submit(at, Bytes::from(vec![1u8; chunk])),
            )
            .await
            .is_ok()
            {
                at += chunk as u64;
            }
            downloads.push(hb);
        }
        let held: usize = downloads
            .iter()
            .map(|d| d.shared.lock().pending_bytes)
            .sum();
        assert!(held <= 100_000 + 4 * chunk, "held {held} bytes");
        assert_eq!(budget.held(), held);
        // The budget is full, yet each download's first chunk is taken.
        for d in &downloads {
            d.submit(0, Bytes::from(vec![1u8; 5_000])).await;
        }
        let shared: Vec<_> = downloads.iter().map(|d| d.shared.clone()).collect();
        drop(downloads);
        drop(shared);
        // Dropped downloads give back what they held, once their threads stopped.
        for _ in 0..500 {
            if budget.held() == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!(
            "{} bytes still counted after the downloads ended",
            budget.held()
        );
    }

    /// Many downloads sharing a budget smaller than one range each: all finish, each
    /// with the digest of its own data.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn many_downloads_with_a_tiny_budget_all_finish() {
        let budget = Arc::new(Budget::new(20_000));
        let mut tasks = Vec::new();
        for d in 0..12u32 {
            let budget = budget.clone();
            tasks.push(tokio::spawn(async move {
                let data: Vec<u8> = data(300_000 + d * 1_001)
                    .iter()
                    .map(|b| b ^ d as u8)
                    .collect();
                let data = Arc::new(data);
                let hash = StreamHash::Etag(EtagHasher::new(u64::MAX));
                let hb = Arc::new(InOrder::start(hash, data.len() as u64, 1 << 20, budget));
                submit_ranges(&hb, &data, 50_000, 7_000).await;
                let got = md5_of(Arc::into_inner(hb).unwrap().finish().await.unwrap());
                assert_eq!(got, vec![<[u8; 16]>::from(Md5::digest(&data[..]))]);
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(budget.held(), 0);
    }

    /// Data arriving in order faster than it is hashed waits too: what is held (waiting
    /// and being hashed) stays within the window plus one chunk.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn in_order_data_faster_than_the_hashing_stays_within_the_window() {
        let data = data(8 << 20);
        let hash = StreamHash::Etag(EtagHasher::new(u64::MAX));
        let (window, chunk) = (64 << 10, 16 << 10);
        let hb = start(hash, data.len() as u64, window);
        let mut peak = 0;
        for (i, c) in data.chunks(chunk).enumerate() {
            hb.submit((i * chunk) as u64, Bytes::copy_from_slice(c))
                .await;
            let s = hb.shared.lock();
            peak = peak.max(s.pending_bytes + s.in_hand);
        }
        assert!(peak <= window + chunk, "held {peak} bytes");
        let got = md5_of(hb.finish().await.unwrap());
        assert_eq!(got, vec![<[u8; 16]>::from(Md5::digest(&data))]);
    }

    #[tokio::test]
    async fn dropping_before_all_data_arrived_stops_the_thread() {
        let hash = StreamHash::Etag(EtagHasher::new(u64::MAX));
        let hb = start(hash, 1000, 100);
        hb.submit(0, Bytes::from(vec![1u8; 10])).await;
        let shared = hb.shared.clone();
        drop(hb);
        for _ in 0..500 {
            if Arc::strong_count(&shared) == 1 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("hashing thread still running after drop");
    }
}
