//! The comparison rules, in one place: whether a copy or sync goes ahead when its
//! destination exists. Like s5cmd's `sync_strategy.go`, every rule is a function of
//! the two sides' size and time (and, for `--checksum`, content), and the reasons are
//! s5cmd's texts.
//!
//! `cp`/`mv` with `-n`/`-s`/`-u` (destination exists; [`skip_reason`]):
//!
//! | flags      | skip when                                   | reason          |
//! |------------|---------------------------------------------|-----------------|
//! | `-n`       | always                                      | [`EXISTS`]      |
//! | `-s`       | sizes equal                                 | [`SIZE_MATCHES`]|
//! | `-u`       | source not strictly newer                   | [`NOT_NEWER`]   |
//! | `-s -u`    | sizes equal, or source not strictly newer   | either          |
//! | `-n` + any | as without `-n` (`-s`/`-u` decide)          |                 |
//!
//! s5cmd lets the last evaluated flag override the others, so `-s -u` behaves like
//! `-u` alone (reference §9.2 item 11); s5rs requires every given condition.
//!
//! `sync` for a pair present on both sides ([`sync_decision`]):
//!
//! | strategy          | sizes differ | source newer      | otherwise               |
//! |-------------------|--------------|-------------------|-------------------------|
//! | default           | copy         | copy (S3 → local, S3 → S3: check the stored mtime first) | skip [`UP_TO_DATE`] |
//! | `--size-only`     | copy         | skip [`SIZE_MATCHES`] | skip [`SIZE_MATCHES`] |
//! | `--checksum`      | copy         | compare content   | compare content ([`CONTENT_MATCHES`]) |
//!
//! A missing destination is always copied. The time an object stands for is its
//! preserved `mtime` metadata, else its LastModified ([`object_mtime`]).
//! Listings give only LastModified, so when the listing says the source is newer:
//! S3 → local compares the object's stored mtime with the file's (one HEAD), and
//! S3 → S3 compares the two objects' stored mtimes when both have one (two HEADs) —
//! a copy keeps its source's `mtime`, and servers that list that mtime as
//! LastModified (rclone) would otherwise show every copy older than its source.
//!
//! **Times are compared at the precision both sides have** ([`is_newer`]): each
//! time is a [`Stamp`] that knows how many fractional-second digits its source keeps,
//! and both sides are truncated to the coarser of the two before comparing.
//!
//! | where the time comes from                       | digits kept            |
//! |-------------------------------------------------|------------------------|
//! | a local file's mtime                            | 9 (nanoseconds)        |
//! | an S3 listing's `LastModified`                  | its significant digits: trailing zeros do not count (AWS, moto write `.000`: 0; rclone: up to 3) |
//! | a `Last-Modified` response header (HEAD/GET)    | 0 (seconds)            |
//! | the `mtime` user metadata s5rs and rclone store | as stored (s5rs: 9)    |
//!
//! So a file uploaded with its nanosecond mtime and listed back by a server that
//! reports that mtime in milliseconds (`rclone serve s3`) is the same age, not newer
//! by a fraction of a millisecond, and a second `sync` copies nothing.
//!
//! S3 → S3 copies keep the source's metadata unless a header flag or
//! `--metadata-directive REPLACE` says otherwise ([`metadata_directive`]).

use chrono::{DateTime, Timelike, Utc};

use crate::op::{ServerCopy, SyncCheck, TransferOpts};
use crate::storage::s3::S3Client;
use crate::storage::{MetadataDirective, ObjectInfo, ObjectMeta, StorageError};

/// Skip reasons (s5cmd's texts): `-n` found the destination.
pub const EXISTS: &str = "object already exists";
/// `-s` found equal sizes.
pub const SIZE_MATCHES: &str = "object size matches";
/// `-u` found the source not newer.
pub const NOT_NEWER: &str = "object is newer or same age";
/// sync's default strategy found the pair up to date.
pub const UP_TO_DATE: &str = "object is newer or same age and object size matches";
/// sync `--checksum` found equal content.
pub const CONTENT_MATCHES: &str = "object content matches";

/// Whether any overwrite rule is active (then the destination must be looked up).
pub fn needs_check(opts: &TransferOpts) -> bool {
    opts.no_clobber || opts.if_size_differ || opts.if_source_newer
}

/// The reason to skip, or `None` to go ahead, for an existing destination.
pub fn skip_reason(
    opts: &TransferOpts,
    src_size: u64,
    src_time: Option<Stamp>,
    dst_size: u64,
    dst_time: Option<Stamp>,
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

/// A point in time and the precision its source keeps: how many digits of the
/// fractional second are meaningful (0 = whole seconds … 9 = nanoseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// The time.
    pub at: DateTime<Utc>,
    /// Fractional-second digits the source keeps (0–9).
    pub digits: u8,
}

impl Stamp {
    /// A time known to the nanosecond (a local file's mtime).
    pub fn exact(at: DateTime<Utc>) -> Stamp {
        Stamp { at, digits: 9 }
    }

    /// The time of a listed entry, at the precision its listing gave.
    pub fn of(info: &ObjectInfo) -> Option<Stamp> {
        info.last_modified.map(|at| Stamp {
            at,
            digits: info.time_digits,
        })
    }

    /// The time truncated to `digits` fractional digits.
    fn truncated(self, digits: u8) -> DateTime<Utc> {
        let unit = 10u32.pow(9 - u32::from(digits.min(9)));
        let nanos = self.at.nanosecond() % 1_000_000_000;
        self.at
            .with_nanosecond(nanos - nanos % unit)
            .unwrap_or(self.at)
    }
}

/// `a` strictly after `b`, both truncated to the coarser precision of the two.
/// Unknown times are not newer (and anything known is newer than an unknown).
pub fn is_newer(a: Option<Stamp>, b: Option<Stamp>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => {
            let digits = a.digits.min(b.digits);
            a.truncated(digits) > b.truncated(digits)
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

/// The modification time an object stands for: its `mtime` metadata (at the
/// precision it was stored with), else the `Last-Modified` header (seconds).
pub fn object_mtime(meta: &ObjectMeta) -> Option<Stamp> {
    meta.metadata
        .get("mtime")
        .and_then(|v| mtime_metadata_stamp(v))
        .or(meta.last_modified.map(|at| Stamp { at, digits: 0 }))
}

/// Whether an S3 → S3 pair is up to date by the `mtime` both objects store: only
/// when both store one and the source's is not newer. (A copy keeps its source's
/// metadata, so a copy of this source carries the same mtime.)
pub fn stored_mtimes_up_to_date(src: &ObjectMeta, dst: &ObjectMeta) -> bool {
    let stored = |m: &ObjectMeta| {
        m.metadata
            .get("mtime")
            .and_then(|v| mtime_metadata_stamp(v))
    };
    match (stored(src), stored(dst)) {
        (Some(s), Some(d)) => !is_newer(Some(s), Some(d)),
        _ => false,
    }
}

/// The `mtime` metadata as a [`Stamp`]: its fraction's digits are its precision.
pub fn mtime_metadata_stamp(value: &str) -> Option<Stamp> {
    let at = parse_mtime_metadata(value)?;
    let digits = value
        .trim()
        .split_once('.')
        .map_or(0, |(_, f)| f.len().min(9) as u8);
    Some(Stamp { at, digits })
}

/// Which way a sync pair goes (decides the check when the listing says "newer").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// local → S3.
    Upload,
    /// S3 → local.
    Download,
    /// S3 → S3.
    Copy,
}

/// How pairs present on both sides are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// See the truth table in the module docs.
    SizeAndTime,
    /// See the truth table in the module docs.
    SizeOnly,
    /// See the truth table in the module docs.
    Checksum,
}

/// What to do with one pair.
pub enum Decision {
    /// See the truth table in the module docs.
    Copy,
    /// See the truth table in the module docs.
    Skip(&'static str),
    /// See the truth table in the module docs.
    Check(SyncCheck),
}

/// sync's decision for a pair present on both sides (the truth table above). For
/// S3 → local and S3 → S3, a listing time that says "newer" is checked against the
/// stored `mtime` metadata on a worker.
pub fn sync_decision(
    strategy: Strategy,
    src: &ObjectInfo,
    dst: &ObjectInfo,
    direction: Direction,
) -> Decision {
    match strategy {
        Strategy::SizeOnly if src.size == dst.size => Decision::Skip(SIZE_MATCHES),
        Strategy::SizeOnly => Decision::Copy,
        Strategy::Checksum if src.size != dst.size => Decision::Copy,
        Strategy::Checksum => Decision::Check(SyncCheck::Checksum),
        Strategy::SizeAndTime => {
            if src.size != dst.size {
                return Decision::Copy;
            }
            if !is_newer(Stamp::of(src), Stamp::of(dst)) {
                return Decision::Skip(UP_TO_DATE);
            }
            match (direction, dst.last_modified) {
                (Direction::Download, Some(local_mtime)) => {
                    Decision::Check(SyncCheck::PreservedMtime { local_mtime })
                }
                (Direction::Copy, _) => Decision::Check(SyncCheck::StoredMtimes),
                _ => Decision::Copy,
            }
        }
    }
}

/// The metadata directive of an S3 → S3 copy: `--metadata-directive` when given,
/// else REPLACE when any header or metadata flag was given, else COPY.
pub fn metadata_directive(opts: &TransferOpts) -> MetadataDirective {
    opts.metadata_directive.unwrap_or(if opts.headers_given {
        MetadataDirective::Replace
    } else {
        MetadataDirective::Copy
    })
}

/// `-n`/`-s`/`-u` for an S3 destination: the reason to skip the copy, from one
/// HeadObject of the destination (and of the source when the listing gave no size
/// and time; that metadata is returned for reuse). A missing destination never skips.
pub async fn skip_for_existing(
    src_client: &S3Client,
    dst_client: &S3Client,
    t: &ServerCopy,
) -> Result<(Option<&'static str>, Option<ObjectMeta>), StorageError> {
    let dst_meta = match dst_client
        .head_object(&t.dst.bucket, &t.dst.key, None, None)
        .await
    {
        Ok(m) => m,
        Err(e) if e.is_missing() => return Ok((None, None)),
        Err(e) => return Err(e),
    };
    let mut fetched = None;
    let (src_size, src_time) = match &t.info {
        Some(info) => (info.size, Stamp::of(info)),
        None => {
            let m = src_client
                .head_object(&t.src.bucket, &t.src.key, t.version_id.as_deref(), None)
                .await?;
            let r = (m.size, object_mtime(&m));
            fetched = Some(m);
            r
        }
    };
    let skip = skip_reason(
        &t.opts,
        src_size,
        src_time,
        dst_meta.size,
        object_mtime(&dst_meta),
    );
    Ok((skip, fetched))
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

    fn t(secs: i64, nanos: u32) -> Option<Stamp> {
        DateTime::from_timestamp(secs, nanos).map(Stamp::exact)
    }

    fn at(secs: i64, nanos: u32, digits: u8) -> Option<Stamp> {
        DateTime::from_timestamp(secs, nanos).map(|at| Stamp { at, digits })
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
        // A local file with nanoseconds vs a whole-second HEAD of its own upload.
        assert!(!is_newer(t(100, 500), at(100, 0, 0)));
        assert!(is_newer(t(101, 0), at(100, 999, 0)));
        assert!(is_newer(t(100, 600), t(100, 500)));
        // A local file with nanoseconds vs the millisecond listing of a server that
        // reports the stored mtime (rclone): the same age, either way round.
        assert!(!is_newer(t(100, 123_456_789), at(100, 123_000_000, 3)));
        assert!(!is_newer(at(100, 123_000_000, 3), t(100, 123_456_789)));
        // A real difference above the coarser precision still counts.
        assert!(is_newer(t(100, 124_000_001), at(100, 123_000_000, 3)));
        assert!(is_newer(at(100, 124_000_000, 3), t(100, 123_999_999)));
        // Whole seconds on one side: sub-second differences do not count.
        assert!(!is_newer(t(100, 999_999_999), at(100, 0, 0)));
        // Unknown times.
        assert!(is_newer(t(1, 0), None));
        assert!(!is_newer(None, t(1, 0)));
    }

    #[test]
    fn stored_mtime_keeps_its_own_precision() {
        let mut meta = ObjectMeta {
            last_modified: DateTime::from_timestamp(200, 0),
            ..Default::default()
        };
        assert_eq!(object_mtime(&meta), at(200, 0, 0));
        meta.metadata.insert("mtime".into(), "100.123456789".into());
        assert_eq!(object_mtime(&meta), at(100, 123_456_789, 9));
        meta.metadata.insert("mtime".into(), "100.5".into());
        assert_eq!(object_mtime(&meta), at(100, 500_000_000, 1));
    }

    #[test]
    fn s3_to_s3_pairs_check_the_stored_mtimes() {
        let info = |secs: i64, digits: u8| {
            let mut i = ObjectInfo::file(String::from("k"), 5);
            i.last_modified = DateTime::from_timestamp(secs, 0);
            i.time_digits = digits;
            i
        };
        // The source listed as newer (its upload) than a copy that an rclone-backed
        // destination lists at its stored mtime: decided by the stored mtimes.
        let (src, dst) = (info(2_000, 0), info(1_000, 3));
        assert!(matches!(
            sync_decision(Strategy::SizeAndTime, &src, &dst, Direction::Copy),
            Decision::Check(SyncCheck::StoredMtimes)
        ));
        assert!(matches!(
            sync_decision(Strategy::SizeAndTime, &src, &dst, Direction::Upload),
            Decision::Copy
        ));
        assert!(matches!(
            sync_decision(Strategy::SizeAndTime, &dst, &src, Direction::Copy),
            Decision::Skip(UP_TO_DATE)
        ));
        let meta = |mtime: Option<&str>| {
            let mut m = ObjectMeta::default();
            if let Some(v) = mtime {
                m.metadata.insert("mtime".into(), v.into());
            }
            m
        };
        let same = meta(Some("1000.123456789"));
        assert!(stored_mtimes_up_to_date(
            &same,
            &meta(Some("1000.123456789"))
        ));
        assert!(stored_mtimes_up_to_date(&same, &meta(Some("1000.123"))));
        assert!(!stored_mtimes_up_to_date(&meta(Some("1000.125")), &same));
        assert!(!stored_mtimes_up_to_date(&same, &meta(None)));
        assert!(!stored_mtimes_up_to_date(&meta(None), &same));
    }

    #[test]
    fn mtime_metadata_round_trips() {
        let x = DateTime::from_timestamp(1_700_000_000, 123_456_789).unwrap();
        assert_eq!(format_mtime_metadata(&x), "1700000000.123456789");
        assert_eq!(parse_mtime_metadata("1700000000.123456789"), Some(x));
        assert_eq!(
            parse_mtime_metadata("1700000000.5"),
            DateTime::from_timestamp(1_700_000_000, 500_000_000)
        );
        assert_eq!(
            parse_mtime_metadata("1700000000"),
            DateTime::from_timestamp(1_700_000_000, 0)
        );
        assert_eq!(parse_mtime_metadata("x"), None);
    }
}
