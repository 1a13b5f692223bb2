//! MD5 through AWS-LC's assembly implementation (`aws-lc-sys`, already linked for
//! rustls). MD5 cannot be split across cores, so it sets the speed of a verified
//! download of a plain-MD5 object; on this project's x86-64 hosts AWS-LC hashes about
//! twice as fast as the `md-5` crate (docs/performance.md). The only unsafe code is
//! the C calls on a digest context this type owns; unit tests compare every digest
//! with the `md-5` crate's.

use std::ptr::{NonNull, null_mut};

use aws_lc_sys::{
    EVP_DigestFinal_ex, EVP_DigestInit_ex, EVP_DigestUpdate, EVP_MD_CTX, EVP_MD_CTX_free,
    EVP_MD_CTX_new, EVP_md5,
};

/// An MD5 being computed (an AWS-LC digest context, freed on drop).
pub struct Md5 {
    ctx: NonNull<EVP_MD_CTX>,
}

// SAFETY: the context is owned by this value alone and AWS-LC keeps no thread-local
// state in it, so it may move to another thread.
unsafe impl Send for Md5 {}

impl Md5 {
    /// An empty hash.
    pub fn new() -> Md5 {
        // SAFETY: EVP_MD_CTX_new returns a fresh context (null only when out of
        // memory, handled like any failed allocation); EVP_md5 is a static table.
        let ctx = unsafe { EVP_MD_CTX_new() };
        let ctx = NonNull::new(ctx).expect("out of memory allocating an MD5 context");
        // SAFETY: `ctx` is a valid, fresh context.
        let ok = unsafe { EVP_DigestInit_ex(ctx.as_ptr(), EVP_md5(), null_mut()) };
        assert_eq!(ok, 1, "EVP_DigestInit_ex(MD5) failed");
        Md5 { ctx }
    }

    /// Feeds the next bytes.
    pub fn update(&mut self, data: &[u8]) {
        // SAFETY: the context is initialised for MD5; `data` is a valid slice of
        // `data.len()` bytes for the duration of the call.
        let ok = unsafe { EVP_DigestUpdate(self.ctx.as_ptr(), data.as_ptr().cast(), data.len()) };
        assert_eq!(ok, 1, "EVP_DigestUpdate(MD5) failed");
    }

    /// The digest of everything fed.
    pub fn finalize(self) -> [u8; 16] {
        let mut out = [0u8; 16];
        let mut len = 0;
        // SAFETY: an MD5 context writes exactly 16 bytes to `out`.
        let ok = unsafe { EVP_DigestFinal_ex(self.ctx.as_ptr(), out.as_mut_ptr(), &mut len) };
        assert!(ok == 1 && len == 16, "EVP_DigestFinal_ex(MD5) failed");
        out
    }

    /// The digest of `data`.
    pub fn digest(data: &[u8]) -> [u8; 16] {
        let mut h = Md5::new();
        h.update(data);
        h.finalize()
    }
}

impl Drop for Md5 {
    fn drop(&mut self) {
        // SAFETY: the context came from EVP_MD_CTX_new and is freed once, here.
        unsafe { EVP_MD_CTX_free(self.ctx.as_ptr()) }
    }
}

impl Default for Md5 {
    fn default() -> Self {
        Md5::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use md5::Digest;

    #[test]
    fn digests_equal_the_md5_crates_across_update_boundaries() {
        let data: Vec<u8> = (0..1_000_003u32).map(|i| (i * 31 % 253) as u8).collect();
        for len in [0, 1, 55, 56, 63, 64, 65, 1000, data.len()] {
            let want: [u8; 16] = md5::Md5::digest(&data[..len]).into();
            assert_eq!(Md5::digest(&data[..len]), want, "{len} bytes");
            let mut h = Md5::new();
            for piece in data[..len].chunks(777) {
                h.update(piece);
            }
            assert_eq!(h.finalize(), want, "{len} bytes in pieces");
        }
        assert_eq!(
            hex::encode(Md5::digest(b"")),
            "d41d8cd98f00b204e9800998ecf8427e"
        );
    }
}
