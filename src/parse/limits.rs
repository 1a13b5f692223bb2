//! The values of the size and age filters (`--min-size`, `--max-size`, `--min-age`,
//! `--max-age`): sizes with unit suffixes, ages as durations or RFC 3339 instants.
//!
//! Sizes follow rclone and s5rs's own `ls -H`/`du -H` output: a bare number is bytes,
//! the one-letter suffixes `K`, `M`, `G`, `T`, `P` and the IEC suffixes `KiB`, `MiB` …
//! (also `Ki`, `Mi` …) are powers of 1024, and the SI suffixes `KB`, `MB`, `GB` … are
//! powers of 1000; `B` means bytes. Letters are matched case-insensitively and a
//! fraction is allowed (`1.5G`, rounded down to whole bytes). No crate parses exactly
//! this convention (`parse-size` makes `K` and `KB` the same), so it is done here.
//!
//! Ages are `humantime` durations (`90s`, `15m`, `36h`, `7d`, `2w`, `1h30m`) or an
//! RFC 3339 instant (`2024-10-01T20:30:00Z`).

use chrono::{DateTime, Utc};

use crate::command::AgeLimit;

/// What a size must look like, for error messages.
const SIZE_SYNTAX: &str = "expected a size such as 512, 10K, 5MiB, 1.5G or 100MB";

/// Parses a size with an optional unit suffix (see the module doc) into bytes.
pub fn parse_size(raw: &str) -> Result<u64, String> {
    let number_len = raw
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(raw.len());
    let (number, unit) = raw.split_at(number_len);
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if (whole.is_empty() && fraction.is_empty()) || fraction.contains('.') {
        return Err(SIZE_SYNTAX.into());
    }
    let multiplier = unit_multiplier(unit.trim_start()).ok_or_else(|| {
        format!("unknown size unit {unit:?}: use B, K, M, G, T, P (powers of 1024) or KB, MB, GB … (powers of 1000)")
    })?;
    let too_large = || "size too large".to_string();
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| too_large())?
    };
    let bytes = whole.checked_mul(multiplier).ok_or_else(too_large)?;
    // The fraction's first 18 digits, times the multiplier, over their power of ten.
    let digits = &fraction[..fraction.len().min(18)];
    let part = if digits.is_empty() {
        0
    } else {
        let numerator: u128 = digits.parse().map_err(|_| SIZE_SYNTAX.to_string())?;
        numerator * multiplier / 10u128.pow(digits.len() as u32)
    };
    u64::try_from(bytes + part).map_err(|_| too_large())
}

/// The multiplier of a size unit (case-insensitive), `None` when unknown.
fn unit_multiplier(unit: &str) -> Option<u128> {
    let unit = unit.to_ascii_lowercase();
    if unit.is_empty() || unit == "b" {
        return Some(1);
    }
    let mut chars = unit.chars();
    let letter = chars.next()?;
    let power = "kmgtpe".find(letter)? as u32 + 1;
    match chars.as_str() {
        "" | "i" | "ib" => Some(1024u128.pow(power)),
        "b" => Some(1000u128.pow(power)),
        _ => None,
    }
}

/// Parses an age: an RFC 3339 instant, else a `humantime` duration.
pub fn parse_age(raw: &str) -> Result<AgeLimit, String> {
    if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        return Ok(AgeLimit::At(at.with_timezone(&Utc)));
    }
    humantime::parse_duration(raw)
        .map(AgeLimit::Ago)
        .map_err(|e| {
            format!("{e}: expected a duration such as 90s, 15m, 36h or 7d, or an RFC 3339 time such as 2024-10-01T20:30:00Z")
        })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn sizes_in_bytes_and_binary_letters() {
        assert_eq!(parse_size("0"), Ok(0));
        assert_eq!(parse_size("512"), Ok(512));
        assert_eq!(parse_size("512B"), Ok(512));
        assert_eq!(parse_size("10K"), Ok(10 * 1024));
        assert_eq!(parse_size("10k"), Ok(10 * 1024));
        assert_eq!(parse_size("1M"), Ok(1 << 20));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("2T"), Ok(2 << 40));
        assert_eq!(parse_size("1P"), Ok(1 << 50));
        assert_eq!(parse_size("1E"), Ok(1 << 60));
    }

    #[test]
    fn sizes_iec_and_si_suffixes() {
        assert_eq!(parse_size("5MiB"), Ok(5 << 20));
        assert_eq!(parse_size("5mib"), Ok(5 << 20));
        assert_eq!(parse_size("5Mi"), Ok(5 << 20));
        assert_eq!(parse_size("3KiB"), Ok(3072));
        assert_eq!(parse_size("100MB"), Ok(100_000_000));
        assert_eq!(parse_size("1kb"), Ok(1000));
        assert_eq!(parse_size("1GB"), Ok(1_000_000_000));
        assert_eq!(parse_size("10 K"), Ok(10 * 1024));
    }

    #[test]
    fn sizes_with_fractions_round_down() {
        assert_eq!(parse_size("1.5G"), Ok(3 << 29));
        assert_eq!(parse_size("0.5K"), Ok(512));
        assert_eq!(parse_size(".5K"), Ok(512));
        assert_eq!(parse_size("1.5"), Ok(1));
        assert_eq!(parse_size("1.0001K"), Ok(1024));
        assert_eq!(parse_size("2.5KB"), Ok(2500));
    }

    #[test]
    fn bad_sizes() {
        for bad in [
            "", "K", ".", "1.2.3K", "-1", "10X", "10KK", "10KiBs", "1 0", "ten",
        ] {
            assert!(parse_size(bad).is_err(), "{bad:?} accepted");
        }
        assert!(parse_size("16E").is_err(), "overflow accepted");
        assert!(parse_size("99999999999999999999999").is_err());
        assert_eq!(parse_size("15E"), Ok(15 << 60));
    }

    #[test]
    fn ages() {
        let ago = |s: u64| Ok(AgeLimit::Ago(Duration::from_secs(s)));
        assert_eq!(parse_age("90s"), ago(90));
        assert_eq!(parse_age("15m"), ago(900));
        assert_eq!(parse_age("36h"), ago(36 * 3600));
        assert_eq!(parse_age("7d"), ago(7 * 86400));
        assert_eq!(parse_age("2w"), ago(14 * 86400));
        assert_eq!(parse_age("1h30m"), ago(5400));
        let at = DateTime::parse_from_rfc3339("2024-10-01T20:30:00Z").unwrap();
        assert_eq!(
            parse_age("2024-10-01T22:30:00+02:00"),
            Ok(AgeLimit::At(at.with_timezone(&Utc)))
        );
        for bad in ["", "10", "7x", "yesterday", "2024-10-01T25:00:00Z", "-5s"] {
            assert!(parse_age(bad).is_err(), "{bad:?} accepted");
        }
    }
}
