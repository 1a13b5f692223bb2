//! ETag digests of downloaded data: [`EtagHasher`] computes the MD5 of each part-size
//! slice of a byte stream (one slice for a plain MD5 ETag). A multipart object fetched
//! in its own parts gets one per part, in parallel; data fetched in other ranges feeds
//! one in byte order through `in_order_hash.rs`.

use crate::md5_digest::Md5;

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
                let done = std::mem::take(&mut self.current);
                self.digests.push(done.finalize());
                self.current_len = 0;
            }
        }
    }

    /// The MD5 of every slice (at least one, for an empty stream).
    pub fn finish(mut self) -> Vec<[u8; 16]> {
        if self.current_len > 0 || self.digests.is_empty() {
            self.digests.push(self.current.finalize());
        }
        self.digests
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use md5::Digest;

    #[test]
    fn slices_cut_across_updates() {
        let data: Vec<u8> = (0..250_000u32).map(|i| (i % 13) as u8).collect();
        let mut h = EtagHasher::new(100_000);
        for piece in data.chunks(70_000) {
            h.update(piece);
        }
        let want: Vec<[u8; 16]> = data
            .chunks(100_000)
            .map(|c| md5::Md5::digest(c).into())
            .collect();
        assert_eq!(h.finish(), want);
        let empty = EtagHasher::new(u64::MAX).finish();
        assert_eq!(empty, vec![<[u8; 16]>::from(md5::Md5::digest(b""))]);
    }
}
