//! [`InOrder`] feeds a sequential digest (a plain MD5, a SHA, or ETag part MD5s that
//! do not line up with the ranges) with the data of a download fetched in parallel
//! ranges, in byte order, as the ranges stream in: never by reading the file back.
//!
//! Each range's stream hands its chunks over (reference-counted `Bytes`, no copy) as
//! they arrive. One blocking thread hashes whatever continues the data hashed so far;
//! chunks that arrive ahead of it wait in memory. That memory — chunks waiting and
//! chunks being hashed — is bounded by a window: a chunk that would take it past the
//! window waits (the stream stops reading, so its connection applies backpressure to
//! the server) until the hashing catches up — except a chunk that continues the
//! contiguous data when all of that is hashed already (the hashing thread waits for
//! exactly it), so the lowest unfinished range always moves and the download never
//! stalls. The data held is at most the window plus one chunk.
//!
//! MD5 runs on one core at a time; this keeps that core busy from the first byte of
//! the first range on, so the download ends about when the last byte arrives or when
//! the hashing of the whole object is done, whichever is later.

use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use bytes::Bytes;

use super::download_verify::StreamHash;
use crate::error::ErrorKind;
use crate::storage::StorageError;

/// Bytes of data held ahead of the hashing, per download, at most (beyond one chunk
/// that continues the contiguous data).
pub const WINDOW: usize = 64 * 1024 * 1024;

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
}

impl Shared {
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
    /// `window` bytes ahead of it.
    pub fn start(hash: StreamHash, total: u64, window: usize) -> InOrder {
        let shared = Arc::new(Shared {
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
        });
        let thread_shared = shared.clone();
        let thread =
            tokio::task::spawn_blocking(move || hash_in_order(&thread_shared, hash, total));
        InOrder {
            shared,
            thread: Some(thread),
        }
    }

    /// Hands over the chunk at `offset`, waiting while the window is full unless the
    /// hashing thread waits for exactly this chunk.
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
                let held = s.pending_bytes + s.in_hand;
                let awaited = offset == s.contiguous && s.contiguous == s.hashed;
                if awaited || held + data.len() <= shared.window {
                    insert(&mut s, offset, data);
                    if s.hasher_waiting {
                        shared.arrived.notify_one();
                    }
                    drop(s);
                    // A longer contiguous run may let another stream's chunk in.
                    shared.room.notify_waiters();
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

/// The hashing thread: takes every chunk that continues the hashed data, hashes it
/// outside the lock, until `total` bytes are hashed; `None` once abandoned.
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
                while let Some(entry) = s.pending.first_entry() {
                    if *entry.key() > next {
                        break;
                    }
                    let (offset, data) = entry.remove_entry();
                    s.pending_bytes -= data.len();
                    if offset == next {
                        s.in_hand += data.len();
                        next += data.len() as u64;
                        run.push(data);
                    }
                    // (A chunk before `next` overlaps hashed data: dropped, see `insert`.)
                }
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
        let hb = InOrder::start(hash, 1_000, 100);
        // Far ahead of the hashing: taken while it fits the window …
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
