//! What an object must pass to be listed, copied or deleted: the glob filters
//! (`--include`/`--exclude`, [`Filters`]) and the s5rs filters of [`FilterFlags`] —
//! size (`--min-size`/`--max-size`), age (`--min-age`/`--max-age`, against S3's
//! LastModified or the local mtime) and regular expressions
//! (`--include-regex`/`--exclude-regex`) — combined: every filter given must pass.
//!
//! Name filters (globs, regexes) see the same subject string: the path relative to
//! the source root, as the caller computes it (`wildcard::filter_subject` for cp, rm,
//! ls and du; the relative name for sync). Regexes search the subject (unanchored, as
//! in rclone and s3sync; use `^…$` to anchor). Size and age look at the listing entry;
//! directory entries (`ls` DIR lines) pass them, and an entry without a time fails an
//! age filter. Ages are measured from the moment the filter is built (the line's
//! start), so one line sees one cut-off.

use chrono::{DateTime, Utc};
use regex::Regex;

use crate::command::{AgeLimit, FilterFlags};
use crate::location::RemoteUrl;
use crate::storage::s3::S3Client;
use crate::storage::{EntryKind, ObjectInfo};
use crate::wildcard::Filters;

/// Every filter of one line, compiled once.
#[derive(Debug, Clone)]
pub struct ObjectFilter {
    /// `--include`/`--exclude`.
    globs: Filters,
    /// `--include-regex`: when present, one must match.
    include_regex: Vec<Regex>,
    /// `--exclude-regex`: any match drops the entry.
    exclude_regex: Vec<Regex>,
    /// `--min-size`.
    min_size: Option<u64>,
    /// `--max-size`.
    max_size: Option<u64>,
    /// From `--min-age`: the entry must be modified at or before this instant.
    modified_before: Option<DateTime<Utc>>,
    /// From `--max-age`: the entry must be modified at or after this instant.
    modified_after: Option<DateTime<Utc>>,
    /// A regular expression did not compile: nothing is kept.
    broken: bool,
}

impl ObjectFilter {
    /// A filter that keeps everything.
    pub fn none() -> ObjectFilter {
        ObjectFilter::globs(Filters::new(&[], &[]))
    }

    /// Only glob filters (commands without the s5rs filters, e.g. `select`).
    pub fn globs(globs: Filters) -> ObjectFilter {
        ObjectFilter {
            globs,
            include_regex: Vec::new(),
            exclude_regex: Vec::new(),
            min_size: None,
            max_size: None,
            modified_before: None,
            modified_after: None,
            broken: false,
        }
    }

    /// Compiles the glob patterns and `flags`, with ages measured from now. The parser
    /// refuses a regular expression that does not compile; should a command built
    /// otherwise carry one, the filter keeps nothing (fails closed: no copy, no
    /// deletion).
    pub fn new(exclude: &[String], include: &[String], flags: &FilterFlags) -> ObjectFilter {
        ObjectFilter::at(exclude, include, flags, Utc::now())
    }

    /// [`ObjectFilter::new`] with ages measured from `now`.
    pub fn at(
        exclude: &[String],
        include: &[String],
        flags: &FilterFlags,
        now: DateTime<Utc>,
    ) -> ObjectFilter {
        let instant = |limit: &AgeLimit| match limit {
            AgeLimit::At(t) => *t,
            AgeLimit::Ago(d) => chrono::Duration::from_std(*d)
                .ok()
                .and_then(|d| now.checked_sub_signed(d))
                .unwrap_or(DateTime::<Utc>::MIN_UTC),
        };
        let include_regex = compile(&flags.include_regex);
        let exclude_regex = compile(&flags.exclude_regex);
        ObjectFilter {
            globs: Filters::new(exclude, include),
            broken: include_regex.is_none() || exclude_regex.is_none(),
            include_regex: include_regex.unwrap_or_default(),
            exclude_regex: exclude_regex.unwrap_or_default(),
            min_size: flags.min_size,
            max_size: flags.max_size,
            modified_before: flags.min_age.as_ref().map(instant),
            modified_after: flags.max_age.as_ref().map(instant),
        }
    }

    /// True when the filter looks at more than names (size or age), so an object
    /// named without a listing needs its metadata.
    pub fn needs_metadata(&self) -> bool {
        self.min_size.is_some()
            || self.max_size.is_some()
            || self.modified_before.is_some()
            || self.modified_after.is_some()
    }

    /// Whether the name filters (globs and regexes) keep `subject`.
    pub fn keep_name(&self, subject: &str) -> bool {
        self.globs.keep(subject) && self.keep_regex(subject)
    }

    /// Whether the regex filters keep `subject` (for a single named object, to which
    /// s5cmd applies no glob filter).
    pub fn keep_regex(&self, subject: &str) -> bool {
        !self.broken
            && !self.exclude_regex.iter().any(|r| r.is_match(subject))
            && (self.include_regex.is_empty()
                || self.include_regex.iter().any(|r| r.is_match(subject)))
    }

    /// Whether the size and age filters keep one remote object named without a
    /// listing; its size and LastModified come from a HEAD request, sent only when the
    /// filter needs them. A failed HEAD keeps the object: the operation that follows
    /// reports the error as it would without a filter.
    pub async fn keep_named(
        &self,
        client: &S3Client,
        url: &RemoteUrl,
        version_id: Option<&str>,
    ) -> bool {
        if !self.needs_metadata() {
            return true;
        }
        match client
            .head_object(&url.bucket, &url.key, version_id, None)
            .await
        {
            Ok(meta) => {
                let mut info = ObjectInfo::file(url.key.clone(), meta.size);
                info.last_modified = meta.last_modified;
                self.keep_metadata(&info)
            }
            Err(_) => true,
        }
    }

    /// Whether the size and age filters keep `info` (directories always pass).
    pub fn keep_metadata(&self, info: &ObjectInfo) -> bool {
        if info.kind == EntryKind::Directory {
            return true;
        }
        if self.min_size.is_some_and(|min| info.size < min)
            || self.max_size.is_some_and(|max| info.size > max)
        {
            return false;
        }
        if self.modified_before.is_none() && self.modified_after.is_none() {
            return true;
        }
        let Some(t) = info.last_modified else {
            return false;
        };
        self.modified_before.is_none_or(|b| t <= b) && self.modified_after.is_none_or(|a| t >= a)
    }

    /// Whether every filter keeps the entry `info` whose filter subject is `subject`.
    pub fn keep(&self, subject: &str, info: &ObjectInfo) -> bool {
        self.keep_name(subject) && self.keep_metadata(info)
    }
}

/// Compiles each pattern; `None` when one does not compile.
fn compile(patterns: &[String]) -> Option<Vec<Regex>> {
    patterns.iter().map(|p| Regex::new(p).ok()).collect()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2025-06-01T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn entry(size: u64, age_secs: i64) -> ObjectInfo {
        let mut info = ObjectInfo::file("k", size);
        info.last_modified = Some(now() - chrono::Duration::seconds(age_secs));
        info
    }

    fn filter(flags: FilterFlags) -> ObjectFilter {
        ObjectFilter::at(&[], &[], &flags, now())
    }

    #[test]
    fn empty_filter_keeps_everything() {
        let f = ObjectFilter::none();
        assert!(f.keep("a/b.txt", &entry(0, 0)));
        assert!(!f.needs_metadata());
    }

    #[test]
    fn sizes_are_inclusive_bounds() {
        let f = filter(FilterFlags {
            min_size: Some(10),
            max_size: Some(20),
            ..FilterFlags::default()
        });
        assert!(f.needs_metadata());
        let kept: Vec<u64> = [0, 9, 10, 15, 20, 21]
            .into_iter()
            .filter(|s| f.keep("x", &entry(*s, 0)))
            .collect();
        assert_eq!(kept, [10, 15, 20]);
    }

    #[test]
    fn ages_relative_and_absolute() {
        let hour = Duration::from_secs(3600);
        let older_than_hour = filter(FilterFlags {
            min_age: Some(AgeLimit::Ago(hour)),
            ..FilterFlags::default()
        });
        assert!(older_than_hour.keep("x", &entry(1, 7200)));
        assert!(older_than_hour.keep("x", &entry(1, 3600)));
        assert!(!older_than_hour.keep("x", &entry(1, 60)));
        let within_hour = filter(FilterFlags {
            max_age: Some(AgeLimit::Ago(hour)),
            ..FilterFlags::default()
        });
        assert!(!within_hour.keep("x", &entry(1, 7200)));
        assert!(within_hour.keep("x", &entry(1, 60)));
        let since = filter(FilterFlags {
            max_age: Some(AgeLimit::At(now() - chrono::Duration::seconds(100))),
            ..FilterFlags::default()
        });
        assert!(since.keep("x", &entry(1, 50)));
        assert!(!since.keep("x", &entry(1, 150)));
        // No time: an age filter cannot be satisfied.
        assert!(!since.keep("x", &ObjectInfo::file("k", 1)));
        // A huge age does not overflow: everything is younger.
        let ancient = filter(FilterFlags {
            min_age: Some(AgeLimit::Ago(Duration::from_secs(u64::MAX / 4))),
            ..FilterFlags::default()
        });
        assert!(!ancient.keep("x", &entry(1, 7200)));
    }

    #[test]
    fn regexes_search_the_subject() {
        let f = filter(FilterFlags {
            include_regex: strings(&[r"\.txt$", "^logs/"]),
            exclude_regex: strings(&["tmp"]),
            ..FilterFlags::default()
        });
        assert!(f.keep_name("a/b.txt"));
        assert!(f.keep_name("logs/x.gz"));
        assert!(!f.keep_name("a/b.gz"));
        assert!(!f.keep_name("a/tmp/b.txt"));
        assert!(!f.needs_metadata());
    }

    #[test]
    fn every_filter_must_pass() {
        let flags = FilterFlags {
            min_size: Some(5),
            exclude_regex: strings(&["^skip"]),
            ..FilterFlags::default()
        };
        let f = ObjectFilter::at(
            &strings(&["*.tmp"]),
            &strings(&["*.txt", "*.tmp"]),
            &flags,
            now(),
        );
        assert!(f.keep("a.txt", &entry(5, 0)));
        assert!(!f.keep("a.txt", &entry(4, 0)), "size");
        assert!(!f.keep("skip.txt", &entry(5, 0)), "regex");
        assert!(!f.keep("a.tmp", &entry(5, 0)), "glob exclude");
        assert!(!f.keep("a.log", &entry(5, 0)), "glob include");
    }

    #[test]
    fn directories_pass_size_and_age() {
        let f = filter(FilterFlags {
            min_size: Some(5),
            max_age: Some(AgeLimit::Ago(Duration::from_secs(1))),
            ..FilterFlags::default()
        });
        let mut dir = ObjectInfo::file("d/", 0);
        dir.kind = EntryKind::Directory;
        assert!(f.keep("d/", &dir));
    }

    #[test]
    fn a_regex_that_does_not_compile_keeps_nothing() {
        for flags in [
            FilterFlags {
                include_regex: strings(&["a(b"]),
                ..FilterFlags::default()
            },
            FilterFlags {
                exclude_regex: strings(&["x", "a(b"]),
                ..FilterFlags::default()
            },
        ] {
            let f = ObjectFilter::new(&[], &[], &flags);
            assert!(!f.keep("a(b", &entry(1, 0)));
            assert!(!f.keep("other", &entry(1, 0)));
        }
    }
}
