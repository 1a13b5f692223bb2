//! The overwrite rules of `cp`/`mv` (`-n`, `-s`, `-u`), evaluated when the destination
//! exists.
//!
//! s5cmd lets the last evaluated flag override the others, so `-s -u` behaves like
//! `-u` alone (reference §9.2 item 11). s5rs combines them: `-n` alone never
//! overwrites; `-s` and `-u` are conditions that must all hold for an overwrite
//! (sizes differ, source strictly newer), and when `-s`/`-u` are given `-n` adds
//! nothing. Times are compared exactly when both have sub-second precision, else to
//! the second (S3 HEAD gives whole seconds; fixes §9.2 item 12).

use chrono::{DateTime, Timelike, Utc};

use crate::op::TransferOpts;

/// Skip reasons (s5cmd's texts).
pub const EXISTS: &str = "object already exists";
/// `-s` found equal sizes.
pub const SIZE_MATCHES: &str = "object size matches";
/// `-u` found the source not newer.
pub const NOT_NEWER: &str = "object is newer or same age";

/// Whether any overwrite rule is active (then the destination must be looked up).
pub fn needs_check(opts: &TransferOpts) -> bool {
    opts.no_clobber || opts.if_size_differ || opts.if_source_newer
}

/// The reason to skip, or `None` to go ahead, for an existing destination.
pub fn skip_reason(
    opts: &TransferOpts,
    src_size: u64,
    src_time: Option<DateTime<Utc>>,
    dst_size: u64,
    dst_time: Option<DateTime<Utc>>,
) -> Option<&'static str> {
    if !opts.if_size_differ && !opts.if_source_newer {
        return opts.no_clobber.then_some(EXISTS);
    }
    if opts.if_size_differ && src_size == dst_size {
        return Some(SIZE_MATCHES);
    }
    if opts.if_source_newer && !is_newer(src_time, dst_time) {
        return Some(NOT_NEWER);
    }
    None
}

/// `a` strictly after `b`, at the precision both sides have. Unknown times are not newer.
pub fn is_newer(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => {
            if a.nanosecond() != 0 && b.nanosecond() != 0 {
                a > b
            } else {
                a.timestamp() > b.timestamp()
            }
        }
        (Some(_), None) => true,
        _ => false,
    }
}

/// Reads the mtime s5rs (and rclone) store in user metadata: Unix seconds with an
/// optional fraction (`1700000000.123456789`).
pub fn parse_mtime_metadata(value: &str) -> Option<DateTime<Utc>> {
    let value = value.trim();
    let (secs, frac) = match value.split_once('.') {
        Some((s, f)) => (s, f),
        None => (value, ""),
    };
    let secs: i64 = secs.parse().ok()?;
    let mut nanos: u32 = 0;
    if !frac.is_empty() {
        let digits: String = frac.chars().take(9).collect();
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        nanos = format!("{digits:0<9}").parse().ok()?;
    }
    DateTime::from_timestamp(secs, nanos)
}

/// Formats an mtime for user metadata (`secs.nanos`, nine digits).
pub fn format_mtime_metadata(t: &DateTime<Utc>) -> String {
    format!("{}.{:09}", t.timestamp(), t.timestamp_subsec_nanos())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(n: bool, s: bool, u: bool) -> TransferOpts {
        TransferOpts {
            no_clobber: n,
            if_size_differ: s,
            if_source_newer: u,
            ..Default::default()
        }
    }

    fn t(secs: i64, nanos: u32) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp(secs, nanos)
    }

    #[test]
    fn flags_combine() {
        assert_eq!(
            skip_reason(&opts(true, false, false), 1, t(5, 0), 2, t(1, 0)),
            Some(EXISTS)
        );
        assert_eq!(
            skip_reason(&opts(true, true, false), 1, t(5, 0), 2, t(1, 0)),
            None
        );
        assert_eq!(
            skip_reason(&opts(true, true, false), 2, t(5, 0), 2, t(1, 0)),
            Some(SIZE_MATCHES)
        );
        assert_eq!(
            skip_reason(&opts(true, false, true), 2, t(1, 0), 2, t(5, 0)),
            Some(NOT_NEWER)
        );
        // -s -u: both must hold; s5cmd would let -u alone decide.
        assert_eq!(
            skip_reason(&opts(false, true, true), 2, t(9, 0), 2, t(5, 0)),
            Some(SIZE_MATCHES)
        );
        assert_eq!(
            skip_reason(&opts(false, true, true), 3, t(9, 0), 2, t(5, 0)),
            None
        );
        assert_eq!(
            skip_reason(&opts(false, false, false), 3, t(9, 0), 2, t(5, 0)),
            None
        );
    }

    #[test]
    fn newer_uses_common_precision() {
        // A local file with nanoseconds vs a whole-second HEAD of its own upload.
        assert!(!is_newer(t(100, 500), t(100, 0)));
        assert!(is_newer(t(101, 0), t(100, 999)));
        assert!(is_newer(t(100, 600), t(100, 500)));
    }

    #[test]
    fn mtime_metadata_round_trips() {
        let x = t(1_700_000_000, 123_456_789).unwrap();
        assert_eq!(format_mtime_metadata(&x), "1700000000.123456789");
        assert_eq!(parse_mtime_metadata("1700000000.123456789"), Some(x));
        assert_eq!(
            parse_mtime_metadata("1700000000.5"),
            t(1_700_000_000, 500_000_000)
        );
        assert_eq!(parse_mtime_metadata("1700000000"), t(1_700_000_000, 0));
        assert_eq!(parse_mtime_metadata("x"), None);
    }
}
