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
//! The data held is at most the window plus one chunk. The hashing takes at most
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
}

impl Shared {
    /// Nothing submitted yet; an eighth of `window` is the lead.
    fn new(window: usize) -> Shared {
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
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Hashes `total` bytes submitted out of order, in order, within a memory window.
/// Dropping it before [`InOrder::finish`] (a failed download) stops the thread.
pub struct InOrder {
    shared: Arc<Shared>,
    thread: Option<tokio::task::JoinHandle<Option<StreamHash>>>,
}

impl InOrder {
    /// Starts feeding `hash` with the `total` bytes to be submitted, holding at most
    /// `window` bytes ahead of it (an eighth of it kept for the lowest range).
    pub fn start(hash: StreamHash, total: u64, window: usize) -> InOrder {
        let shared = Arc::new(Shared::new(window));
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
        loop {
            let room = shared.room.notified();
            tokio::pin!(room);
            room.as_mut().enable();
            {
                let mut s = shared.lock();
                if fits(&s, shared, offset, data.len()) {
                    let end = offset + data.len() as u64;
                    insert(&mut s, offset, data);
                    if s.hasher_waiting {
                        shared.arrived.notify_one();
                    }
                    // Contiguous data grown past this chunk (a gap filled): another
                    // stream's chunk may now continue it.
                    let gap_filled = s.contiguous > end;
                    drop(s);
                    if gap_filled {
                        shared.room.notify_waiters();
                    }
                    return;
                }
            }
            room.await;
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

/// True when a chunk of `len` bytes at `offset` may be taken now: it continues the
/// contiguous data and less than the lead of that waits to be hashed, or it fits the
/// window with the lead kept free.
fn fits(s: &State, shared: &Shared, offset: u64, len: usize) -> bool {
    let ready = (s.contiguous - s.hashed) as usize;
    if offset == s.contiguous && ready < shared.lead {
        return true;
    }
    let held = s.pending_bytes + s.in_hand;
    held + len <= shared.window - shared.lead
}

/// Adds a chunk and moves the end of the contiguous data past it (and past chunks
/// already waiting right behind it).
fn insert(s: &mut State, offset: u64, data: Bytes) {
    let len = data.len();
    if let Some(old) = s.pending.insert(offset, data) {
        // Only a stream sending more than its range overlaps another; that download
        // fails its length check, the count just stays right meanwhile.
        s.pending_bytes -= old.len();
    }
    s.pending_bytes += len;
    if offset == s.contiguous {
        s.contiguous += len as u64;
        while let Some(next) = s.pending.get(&s.contiguous) {
            s.contiguous += next.len() as u64;
        }
    }
}

/// The hashing thread: takes the chunks that continue the hashed data (up to
/// [`BATCH`] bytes at a time), hashes them outside the lock, until `total` bytes are
/// hashed; `None` once abandoned.
fn hash_in_order(shared: &Shared, mut hash: StreamHash, total: u64) -> Option<StreamHash> {
    let mut next = 0u64;
    let mut run: Vec<Bytes> = Vec::new();
    while next < total {
        {
            let mut s = shared.lock();
            loop {
                if s.abandoned {
                    return None;
                }
                take_run(&mut s, &mut next, &mut run);
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
        shared.room.notify_waiters();
    }
    Some(hash)
}

/// Moves the chunks continuing `next` out of the pending ones into `run`, up to
/// [`BATCH`] bytes (at least one chunk when there is one).
fn take_run(s: &mut State, next: &mut u64, run: &mut Vec<Bytes>) {
    let mut taken = 0;
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
        }
        // (A chunk before `next` overlaps hashed data: dropped, see `insert`.)
    }
}

#[cfg(test)]
mod tests {
    use super::super::etag_hash::EtagHasher;
    use super::*;
    use md5::{Digest, Md5};

    fn data(n: u32) -> Vec<u8> {
        (0..n).map(|i| (i * 7 % 251) as u8).collect()
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
        let hb = Arc::new(InOrder::start(hash, data.len() as u64, 50_000));
        submit_ranges(&hb, &data, 100_000, 7_000).await;
        let hb = Arc::into_inner(hb).unwrap();
        let got = md5_of(hb.finish().await.unwrap());
        assert_eq!(got, vec![<[u8; 16]>::from(Md5::digest(&data[..]))]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn etag_parts_need_not_line_up_with_ranges() {
        let data = Arc::new(data(250_000));
        let hash = StreamHash::Etag(EtagHasher::new(100_000));
        let hb = Arc::new(InOrder::start(hash, data.len() as u64, 1 << 20));
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
        let hb = Arc::new(InOrder::start(hash, bad.len() as u64, 64_000));
        submit_ranges(&hb, &Arc::new(bad), 100_000, 10_000).await;
        let got = md5_of(Arc::into_inner(hb).unwrap().finish().await.unwrap());
        assert_ne!(got, vec![<[u8; 16]>::from(Md5::digest(&good))]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_window_bounds_what_waits_ahead() {
        let hash = StreamHash::Etag(EtagHasher::new(u64::MAX));
        // A window of 160 bytes: 20 kept as the lead, 140 for data further ahead.
        let hb = InOrder::start(hash, 1_000, 160);
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
        let shared = Shared::new(800);
        let mut s = shared.lock();
        // 600 bytes far ahead, 50 contiguous bytes in the hashing thread's hands.
        insert(&mut s, 1_000, Bytes::from(vec![0u8; 600]));
        insert(&mut s, 0, Bytes::from(vec![0u8; 50]));
        let (mut next, mut run) = (0, Vec::new());
        take_run(&mut s, &mut next, &mut run);
        assert_eq!((next, s.in_hand, s.contiguous), (50, 50, 50));
        // Ahead: 650 held, 100 more would pass 800 - 100.
        assert!(fits(&s, &shared, 2_000, 50));
        assert!(!fits(&s, &shared, 2_000, 51));
        // The lowest range's next chunk: 50 wait to be hashed, under the lead of 100.
        assert!(fits(&s, &shared, 50, 400));
        insert(&mut s, 50, Bytes::from(vec![0u8; 60]));
        // 110 contiguous bytes not hashed: the lowest range waits for the hashing too.
        assert!(!fits(&s, &shared, 110, 10));
        s.hashed = 50;
        s.in_hand = 0;
        assert!(fits(&s, &shared, 110, 10));
    }

    /// Data arriving in order faster than it is hashed waits too: what is held (waiting
    /// and being hashed) stays within the window plus one chunk.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn in_order_data_faster_than_the_hashing_stays_within_the_window() {
        let data = data(8 << 20);
        let hash = StreamHash::Etag(EtagHasher::new(u64::MAX));
        let (window, chunk) = (64 << 10, 16 << 10);
        let hb = InOrder::start(hash, data.len() as u64, window);
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
        let hb = InOrder::start(hash, 1000, 100);
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
