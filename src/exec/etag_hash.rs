//! ETag digests of downloaded data: [`EtagHasher`] computes the MD5 of each part-size
//! slice of a byte stream (one slice for a plain MD5 ETag), and [`HashBehind`] feeds
//! one from a temp file that parallel ranged GETs are still filling.
//!
//! Why hash behind: a plain-MD5 object larger than one part is fetched in parallel
//! ranges, but MD5 only runs in order. Reading the finished file back afterwards
//! would add a whole sequential pass (≈1.5 s per GiB) to the download's wall time;
//! instead a blocking thread hashes each range as soon as it and every range before
//! it are written (from the page cache), so hashing overlaps the transfer and the
//! download ends at most one range's hashing after its last byte arrives.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::sync::{Arc, Condvar, Mutex};

use md5::{Digest, Md5};

use crate::error::ErrorKind;
use crate::storage::StorageError;

/// MD5 of each `part_size` slice of a stream (the inputs of a multipart ETag).
pub struct EtagHasher {
    part_size: u64,
    current: Md5,
    current_len: u64,
    digests: Vec<[u8; 16]>,
}

impl EtagHasher {
    /// A hasher cutting the stream every `part_size` bytes (`u64::MAX`: never).
    pub fn new(part_size: u64) -> EtagHasher {
        EtagHasher {
            part_size: part_size.max(1),
            current: Md5::new(),
            current_len: 0,
            digests: Vec::new(),
        }
    }

    /// Feeds the next bytes of the stream.
    pub fn update(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            let room = self.part_size - self.current_len;
            let n = (data.len() as u64).min(room) as usize;
            self.current.update(&data[..n]);
            self.current_len += n as u64;
            data = &data[n..];
            if self.current_len == self.part_size {
                let done = std::mem::replace(&mut self.current, Md5::new());
                self.digests.push(done.finalize().into());
                self.current_len = 0;
            }
        }
    }

    /// The MD5 of every slice (at least one, for an empty stream).
    pub fn finish(mut self) -> Vec<[u8; 16]> {
        if self.current_len > 0 || self.digests.is_empty() {
            self.digests.push(self.current.finalize().into());
        }
        self.digests
    }
}

/// Which ranges are written, shared by the downloading tasks and the hashing thread.
struct Progress {
    written: Vec<bool>,
    abandoned: bool,
}

/// Hashes a file in ranges of `range_size` bytes, each as soon as it and all ranges
/// before it are marked written. Dropping it without [`HashBehind::finish`] (a failed
/// download) stops the thread.
pub struct HashBehind {
    shared: Arc<(Mutex<Progress>, Condvar)>,
    thread: Option<tokio::task::JoinHandle<Result<Vec<[u8; 16]>, StorageError>>>,
}

impl HashBehind {
    /// Starts hashing `file` (`total` bytes, written in ranges of `range_size`) into
    /// ETag slices of `etag_part_size` bytes.
    pub fn start(file: Arc<File>, total: u64, range_size: u64, etag_part_size: u64) -> HashBehind {
        let range_size = range_size.max(1);
        let ranges = total.div_ceil(range_size).max(1) as usize;
        let shared = Arc::new((
            Mutex::new(Progress {
                written: vec![false; ranges],
                abandoned: false,
            }),
            Condvar::new(),
        ));
        let progress = shared.clone();
        let thread = tokio::task::spawn_blocking(move || {
            let mut hasher = EtagHasher::new(etag_part_size);
            let mut buf = vec![0u8; 256 * 1024];
            for i in 0..ranges {
                wait_written(&progress, i)?;
                let start = i as u64 * range_size;
                let end = (start + range_size).min(total);
                hash_range(&file, start, end, &mut buf, &mut hasher)?;
            }
            Ok(hasher.finish())
        });
        HashBehind {
            shared,
            thread: Some(thread),
        }
    }

    /// Marks range `index` as completely written.
    pub fn written(&self, index: usize) {
        let (lock, ready) = &*self.shared;
        let mut progress = lock.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = progress.written.get_mut(index) {
            *slot = true;
        }
        ready.notify_one();
    }

    /// The slice digests, once every range was marked written and hashed.
    pub async fn finish(mut self) -> Result<Vec<[u8; 16]>, StorageError> {
        let thread = self.thread.take().expect("finish is called once");
        thread.await.map_err(|e| {
            StorageError::new(ErrorKind::Other, format!("hashing thread failed: {e}"))
        })?
    }
}

impl Drop for HashBehind {
    fn drop(&mut self) {
        if self.thread.is_some() {
            let (lock, ready) = &*self.shared;
            lock.lock().unwrap_or_else(|e| e.into_inner()).abandoned = true;
            ready.notify_one();
        }
    }
}

/// Blocks until range `index` is written; an error once the download was abandoned.
fn wait_written(shared: &(Mutex<Progress>, Condvar), index: usize) -> Result<(), StorageError> {
    let (lock, ready) = shared;
    let mut progress = lock.lock().unwrap_or_else(|e| e.into_inner());
    while !progress.written[index] {
        if progress.abandoned {
            return Err(StorageError::new(ErrorKind::Other, "download abandoned"));
        }
        progress = ready.wait(progress).unwrap_or_else(|e| e.into_inner());
    }
    Ok(())
}

/// Feeds bytes `start..end` of `file` to `hasher`.
fn hash_range(
    file: &File,
    start: u64,
    end: u64,
    buf: &mut [u8],
    hasher: &mut EtagHasher,
) -> Result<(), StorageError> {
    let mut offset = start;
    while offset < end {
        let want = ((end - offset) as usize).min(buf.len());
        let n = file
            .read_at(&mut buf[..want], offset)
            .map_err(|e| StorageError::new(ErrorKind::Io, format!("read back: {e}")))?;
        if n == 0 {
            return Err(StorageError::new(
                ErrorKind::Io,
                "read back: file shorter than written",
            ));
        }
        hasher.update(&buf[..n]);
        offset += n as u64;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_file(data: &[u8]) -> Arc<File> {
        let dir = std::env::temp_dir().join(format!("s5rs-etag-hash-{}", fastrand::u64(..)));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("f");
        std::fs::write(&path, data).unwrap();
        let f = File::open(&path).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        Arc::new(f)
    }

    #[tokio::test]
    async fn hashes_ranges_marked_out_of_order_as_one_stream() {
        let data: Vec<u8> = (0..1_000_003u32).map(|i| (i * 7 % 251) as u8).collect();
        let file = temp_file(&data);
        let hb = HashBehind::start(file, data.len() as u64, 100_000, u64::MAX);
        for i in (0..11).rev() {
            hb.written(i);
        }
        let got = hb.finish().await.unwrap();
        assert_eq!(got, vec![<[u8; 16]>::from(Md5::digest(&data))]);
    }

    #[tokio::test]
    async fn etag_slices_need_not_line_up_with_ranges() {
        let data: Vec<u8> = (0..250_000u32).map(|i| (i % 13) as u8).collect();
        let file = temp_file(&data);
        let hb = HashBehind::start(file, data.len() as u64, 70_000, 100_000);
        for i in 0..4 {
            hb.written(i);
        }
        let got = hb.finish().await.unwrap();
        let want: Vec<[u8; 16]> = data
            .chunks(100_000)
            .map(|c| Md5::digest(c).into())
            .collect();
        assert_eq!(got, want);
    }

    #[tokio::test]
    async fn dropping_before_every_range_is_written_stops_the_thread() {
        let file = temp_file(&[1u8; 1000]);
        let hb = HashBehind::start(file, 1000, 100, u64::MAX);
        hb.written(0);
        let shared = hb.shared.clone();
        drop(hb);
        // The thread saw `abandoned` and let go of its reference.
        for _ in 0..500 {
            if Arc::strong_count(&shared) == 1 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("hashing thread still running after drop");
    }
}
