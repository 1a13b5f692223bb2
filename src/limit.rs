//! Rate limits (s5rs, beyond s5cmd): `--rate-limit-objects N` (object operations per
//! second across all workers) and `--rate-limit-bandwidth SIZE` (bytes per second on
//! the wire, both directions, across all workers), built on `governor`'s GCRA
//! limiters. Waiting is a timer (`until_n_ready`), never a busy loop.
//!
//! Where they apply: object operations when an op is submitted to the worker pool
//! (`exec::submit`; a batch delete counts each key) and in the commands that do
//! their own per-object requests (`cat`, `head`, `pipe`, `select`); bandwidth on the
//! object data the S3 client sends (request bodies: uploads, pipe, the PUT side of
//! streamed copies) and receives (GetObject bodies: downloads, cat, the GET side of
//! streamed copies). Small XML request/response bodies are not counted.

use std::num::NonZeroU32;
use std::sync::Arc;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

/// A bytes-per-second limiter shared by every S3 client of a run.
pub struct Bandwidth {
    limiter: DefaultDirectRateLimiter,
    /// Largest amount one wait may ask for (the burst size).
    burst: u32,
    /// The configured rate, for display.
    rate: u64,
}

impl std::fmt::Debug for Bandwidth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bandwidth({} B/s)", self.rate)
    }
}

/// Piece size for pacing data: small enough for smooth pacing at low rates, large
/// enough that the limiter is not consulted for every few bytes at high rates.
pub const PACING_CHUNK: usize = 64 * 1024;

impl Bandwidth {
    /// A limiter of `bytes_per_second` (at least 1). The burst allowance is a tenth
    /// of a second's worth (at least one pacing chunk, capped by the rate), so a
    /// transfer never runs more than a fraction of a second ahead of the limit.
    pub fn new(bytes_per_second: u64) -> Bandwidth {
        let rate = bytes_per_second.clamp(1, u32::MAX as u64) as u32;
        let burst = (rate / 10).max(PACING_CHUNK as u32).min(rate);
        let quota = Quota::per_second(NonZeroU32::new(rate).expect("rate is at least 1"))
            .allow_burst(NonZeroU32::new(burst).expect("burst is at least 1"));
        Bandwidth {
            limiter: RateLimiter::direct(quota),
            burst,
            rate: bytes_per_second,
        }
    }

    /// Waits until `n` more bytes may pass.
    pub async fn take(&self, mut n: u64) {
        while n > 0 {
            let piece = n.min(self.burst as u64) as u32;
            let piece_nz = NonZeroU32::new(piece).expect("piece is non-zero");
            // Cannot fail: piece <= burst.
            let _ = self.limiter.until_n_ready(piece_nz).await;
            n -= piece as u64;
        }
    }
}

/// The run's limits; both optional.
#[derive(Default)]
pub struct RateLimits {
    objects: Option<(DefaultDirectRateLimiter, u32)>,
    /// Shared with the S3 clients.
    pub bandwidth: Option<Arc<Bandwidth>>,
}

impl RateLimits {
    /// Limits from the global flags.
    pub fn new(objects_per_second: Option<u32>, bytes_per_second: Option<u64>) -> RateLimits {
        RateLimits {
            objects: objects_per_second
                .and_then(NonZeroU32::new)
                .map(|n| (RateLimiter::direct(Quota::per_second(n)), n.get())),
            bandwidth: bytes_per_second
                .filter(|b| *b > 0)
                .map(|b| Arc::new(Bandwidth::new(b))),
        }
    }

    /// Whether object operations are limited (`--rate-limit-objects`): without a
    /// limit, [`RateLimits::objects_n`] never waits.
    pub fn limits_objects(&self) -> bool {
        self.objects.is_some()
    }

    /// Waits until one more object operation may start.
    pub async fn object(&self) {
        self.objects_n(1).await;
    }

    /// Waits until `n` more object operations may start (a batch delete of n keys).
    pub async fn objects_n(&self, mut n: u64) {
        let Some((limiter, burst)) = &self.objects else {
            return;
        };
        while n > 0 {
            let piece = n.min(*burst as u64) as u32;
            let _ = limiter
                .until_n_ready(NonZeroU32::new(piece).expect("piece is non-zero"))
                .await;
            n -= piece as u64;
        }
    }

    /// Waits until `n` bytes may pass (no-op without a bandwidth limit).
    pub async fn bytes(&self, n: u64) {
        if let Some(b) = &self.bandwidth {
            b.take(n).await;
        }
    }
}

/// Parses `--rate-limit-bandwidth`: a number of bytes with an optional suffix
/// (`K`/`KB`/`KiB`, `M`…, `G`…, `T`…, case-insensitive; all powers of 1024; `B` allowed),
/// fractions allowed (`1.5MiB`).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let value: f64 = num.parse().map_err(|_| {
        format!("invalid size {s:?}: expected a number with an optional unit (KiB, MiB, GiB)")
    })?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        _ => {
            return Err(format!(
                "invalid size {s:?}: unknown unit {unit:?} (use KiB, MiB, GiB)"
            ));
        }
    };
    let bytes = value * mult as f64;
    if !bytes.is_finite() || bytes < 1.0 {
        return Err(format!("invalid size {s:?}: must be at least 1 byte"));
    }
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("100").unwrap(), 100);
        assert_eq!(parse_size("1KiB").unwrap(), 1024);
        assert_eq!(parse_size("2MiB").unwrap(), 2 << 20);
        assert_eq!(parse_size("1.5m").unwrap(), 3 << 19);
        assert_eq!(parse_size("1GiB").unwrap(), 1 << 30);
        assert!(parse_size("abc").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("5 parsecs").is_err());
    }

    #[tokio::test]
    async fn bandwidth_paces_without_busy_waiting() {
        // 1 MiB/s with a 100 KiB burst: 400 KiB take about 0.3 s.
        let b = Bandwidth::new(1 << 20);
        let start = std::time::Instant::now();
        b.take(400 * 1024).await;
        let took = start.elapsed().as_secs_f64();
        assert!(took > 0.2, "took {took}");
    }
}
