//! The one-core MD5 ceiling: how fast each MD5 implementation linked into s5rs hashes
//! a buffer on one thread (AWS-LC's assembly through `md5_digest`, and the `md-5`
//! crate, built here with its `asm` backend). A verified download of a plain-MD5
//! object cannot go faster than this, since MD5 is sequential (docs/performance.md).
//!
//! Usage: `md5_speed [MIB] [ROUNDS]` (default 1024 MiB, 3 rounds): prints MiB/s of
//! each round, fed in 256 KiB updates over a 16 MiB buffer (data in cache, as the
//! download's chunks are), and the best.

use std::time::Instant;

use md5::Digest;
use s5rs::md5_digest::Md5;

fn main() {
    let mut args = std::env::args().skip(1);
    let mib: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1024);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    let buf: Vec<u8> = (0..16usize << 20).map(|i| (i * 7 % 251) as u8).collect();
    let update = 256 << 10;
    let runs = (mib << 20) / buf.len();
    type Hashes = [(&'static str, fn(&[u8], usize, usize) -> [u8; 16]); 2];
    let hashes: Hashes = [("aws-lc", aws_lc), ("md-5 (asm)", md5_crate)];
    let mut want = None;
    for (name, hash) in hashes {
        let mut best = 0f64;
        for _ in 0..rounds {
            let t = Instant::now();
            let digest = hash(&buf, runs, update);
            let rate = (runs * buf.len()) as f64 / (1 << 20) as f64 / t.elapsed().as_secs_f64();
            assert_eq!(*want.get_or_insert(digest), digest, "digests differ");
            println!("{name}: {rate:.0} MiB/s");
            best = best.max(rate);
        }
        println!("{name}: best {best:.0} MiB/s over {mib} MiB");
    }
}

fn aws_lc(buf: &[u8], runs: usize, update: usize) -> [u8; 16] {
    let mut h = Md5::new();
    for _ in 0..runs {
        buf.chunks(update).for_each(|c| h.update(c));
    }
    h.finalize()
}

fn md5_crate(buf: &[u8], runs: usize, update: usize) -> [u8; 16] {
    let mut h = md5::Md5::new();
    for _ in 0..runs {
        buf.chunks(update).for_each(|c| h.update(c));
    }
    h.finalize().into()
}
