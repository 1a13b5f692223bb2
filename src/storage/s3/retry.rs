//! Retry policy: exponential backoff with full jitter, bounded by `--retry-count`
//! retries per request. Which failures qualify is decided in [`super::error::is_retryable`].

use std::time::Duration;

/// First backoff step.
const BASE: Duration = Duration::from_millis(50);
/// Longest single wait.
const CAP: Duration = Duration::from_secs(10);

/// How long to wait before retry number `retry` (from 1): a uniformly random
/// duration up to `min(CAP, BASE * 2^(retry-1))`, never less than a millisecond.
pub(crate) fn backoff(retry: u32) -> Duration {
    let exp = BASE.saturating_mul(1u32 << retry.saturating_sub(1).min(16));
    let ceiling = exp.min(CAP).as_millis() as u64;
    Duration::from_millis(fastrand::u64(1..=ceiling.max(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        for r in 1..40 {
            let d = backoff(r);
            assert!(d >= Duration::from_millis(1));
            assert!(d <= CAP);
        }
        assert!(backoff(1) <= BASE);
    }
}
