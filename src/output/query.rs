//! Rendering of the query commands' results ([`QueryResult`]): `ls` lines in s5cmd's
//! `%19s %2s %-1s %12s  %s` layout, bucket lines, `du` summaries, `head` (always a
//! JSON line), `bucket-version` sentences and `presign` URLs, or their JSON records
//! with `--json` — inside a batch with the command's `operation` and `line` added
//! after the shape's own fields, and under `--shard` with `shard` (a lone command
//! without `--shard` keeps s5cmd's exact shapes).

use chrono::{DateTime, Local, Utc};

use crate::record::{
    BucketEntry, BucketRecord, BucketVersionRecord, DuRecord, DuTotal, ListEntry, ObjectRecord,
    QueryResult, VersionRecord, VersioningState, format_local, format_utc,
};
use crate::shard::Shard;
use crate::storage::EntryKind;

/// The batch line and command a result came from, and the shard that ran it.
#[derive(Debug, Clone, Copy)]
pub struct Origin {
    /// The command name (`ls` …), shown with the line.
    pub operation: &'static str,
    /// The batch line number (from 1); `None` for a command-line command.
    pub line: Option<u64>,
    /// `--shard K/N`: the shard that ran the command.
    pub shard: Option<Shard>,
}

impl Origin {
    /// `None` when there is nothing to add: a command-line command, no `--shard`.
    pub fn of(operation: &'static str, line: Option<u64>, shard: Option<Shard>) -> Option<Origin> {
        (line.is_some() || shard.is_some()).then_some(Origin {
            operation,
            line,
            shard,
        })
    }
}

/// A JSON record with the batch line's identity (and shard) after its own fields.
#[serde_with::skip_serializing_none]
#[derive(serde::Serialize)]
struct Tagged<'a, T> {
    #[serde(flatten)]
    record: &'a T,
    operation: Option<&'static str>,
    line: Option<u64>,
    shard: Option<String>,
}

/// Whether the result is a JSON line in text mode too (`head`, as s5cmd).
pub fn always_json(result: &QueryResult) -> bool {
    matches!(
        result,
        QueryResult::HeadObject(_) | QueryResult::HeadBucket(_)
    )
}

/// The line for one result, without its newline: text, or (with `json`, and always
/// for `head`) its JSON record, tagged with `origin` in JSON mode.
pub fn render(result: &QueryResult, json: bool, origin: Option<Origin>) -> String {
    let origin = origin.filter(|_| json);
    match result {
        QueryResult::Bucket(b) if json => to_json(
            &BucketRecord {
                created_at: b.created.as_ref().map(format_utc),
                name: b.name.clone(),
            },
            origin,
        ),
        QueryResult::Bucket(b) => bucket_text(b),
        QueryResult::Entry(e) if json => to_json(&object_record(e), origin),
        QueryResult::Entry(e) => entry_text(e),
        QueryResult::DiskUsage(d) if json => to_json(
            &DuRecord {
                source: d.source.clone(),
                storage_class: d.storage_class.clone(),
                count: d.count,
                size: d.size,
            },
            origin,
        ),
        QueryResult::DiskUsage(d) => du_text(d),
        QueryResult::HeadObject(h) => to_json(h, origin),
        QueryResult::HeadBucket(h) => to_json(h, origin),
        QueryResult::Versioning(v) if json => to_json(
            &BucketVersionRecord {
                bucket: v.bucket.clone(),
                status: v.status.clone(),
            },
            origin,
        ),
        QueryResult::Versioning(v) => versioning_text(v),
        QueryResult::Presigned(p) if json => to_json(p, origin),
        QueryResult::Presigned(p) => p.url.clone(),
        QueryResult::Version(v) if origin.is_some_and(|o| o.line.is_some()) => {
            to_json(&VersionRecord { version: v.clone() }, origin)
        }
        QueryResult::Version(v) => v.clone(),
    }
}

/// A record as JSON, with `origin`'s `operation`, `line` and `shard` after its fields.
fn to_json<T: serde::Serialize>(record: &T, origin: Option<Origin>) -> String {
    let json = match origin {
        Some(o) => serde_json::to_string(&Tagged {
            record,
            operation: o.line.map(|_| o.operation),
            line: o.line,
            shard: o.shard.map(|s| s.to_string()),
        }),
        None => serde_json::to_string(record),
    };
    json.expect("query records always serialize")
}

/// `2006/01/02 15:04:05  s3://name`.
fn bucket_text(b: &BucketEntry) -> String {
    format!("{}  s3://{}", date_column(b.created, false), b.name)
}

/// s5cmd's object shape: `STANDARD` when a remote object has no class; local files
/// carry the local offset and no class; directories no size.
fn object_record(e: &ListEntry) -> ObjectRecord {
    let info = &e.info;
    let dir = info.kind == EntryKind::Directory;
    ObjectRecord {
        key: Some(e.url.clone()),
        etag: info.etag.clone(),
        last_modified: info.last_modified.as_ref().map(|t| {
            if e.local {
                format_local(t)
            } else {
                format_utc(t)
            }
        }),
        kind: if dir { "directory" } else { "file" }.to_string(),
        size: (!dir).then_some(info.size),
        storage_class: json_class(e),
        version_id: info.version_id.clone(),
        delete_marker: info.is_delete_marker,
    }
}

/// The storage class JSON shows: a remote object's, `STANDARD` when the listing
/// named none; a directory's only as listed (a folder object has one, a common
/// prefix none); local files and delete markers none (as s5cmd).
fn json_class(e: &ListEntry) -> Option<String> {
    let info = &e.info;
    if e.local || info.is_delete_marker {
        None
    } else if info.kind == EntryKind::Directory {
        info.storage_class.clone()
    } else {
        Some(storage_class(e))
    }
}

fn storage_class(e: &ListEntry) -> String {
    e.info
        .storage_class
        .clone()
        .unwrap_or_else(|| "STANDARD".into())
}

/// Date, class slot, ETag slot, size in 12, two spaces, name (padded to 50 and
/// followed by the version id with `--all-versions`). Written into one string
/// (`ls` renders one line per object, millions for a big bucket).
fn entry_text(e: &ListEntry) -> String {
    use std::fmt::Write;
    let style = e.style;
    if style.full_path {
        return e.url.clone();
    }
    let info = &e.info;
    let dir = info.kind == EntryKind::Directory;
    let mut line = String::with_capacity(72 + e.name.len());
    match info.last_modified {
        Some(t) if !dir && e.local => push_slash_date(&mut line, &t.with_timezone(&Local)),
        Some(t) if !dir => push_slash_date(&mut line, &t),
        _ => {}
    }
    if line.len() < 19 {
        line.insert_str(0, &" ".repeat(19 - line.len()));
    }
    // A DIR line has only its size slot and name; delete markers no class.
    let class = if style.storage_class && !dir && !e.local && !info.is_delete_marker {
        info.storage_class.as_deref().unwrap_or("STANDARD")
    } else {
        ""
    };
    let _ = write!(line, " {class:>2} ");
    if style.etag {
        let etag = if dir {
            ""
        } else {
            info.etag.as_deref().unwrap_or_default()
        };
        let _ = write!(line, "{etag:<38} ");
    } else {
        line.push_str("  ");
    }
    let _ = if dir {
        write!(line, "{:>12}  ", "DIR")
    } else if style.humanize {
        write!(line, "{:>12}  ", humanize(info.size))
    } else {
        write!(line, "{:>12}  ", info.size)
    };
    match &info.version_id {
        Some(v) if style.versions => {
            let _ = write!(line, "{:<50} {v}", e.name);
        }
        _ => line.push_str(&e.name),
    }
    line
}

/// `<size> bytes in <count> objects: <source>[ [<CLASS>]]`.
fn du_text(d: &DuTotal) -> String {
    let size = if d.humanize {
        humanize(d.size)
    } else {
        d.size.to_string()
    };
    let mut text = format!("{size} bytes in {} objects: {}", d.count, d.source);
    if let Some(class) = &d.storage_class {
        text.push_str(&format!(" [{class}]"));
    }
    text
}

fn versioning_text(v: &VersioningState) -> String {
    let bucket = &v.bucket;
    let status = &v.status;
    if v.set {
        format!("Bucket versioning for \"{bucket}\" is set to \"{status}\"")
    } else if status.is_empty() {
        format!("\"{bucket}\" is an unversioned bucket")
    } else {
        format!("Bucket versioning for \"{bucket}\" is \"{status}\"")
    }
}

/// `2006/01/02 15:04:05`: UTC for S3, local time for files.
fn date_column(t: Option<DateTime<Utc>>, local: bool) -> String {
    match t {
        Some(t) if local => slash_date(&t.with_timezone(&Local)),
        Some(t) => slash_date(&t),
        None => String::new(),
    }
}

/// `%Y/%m/%d %H:%M:%S`, written directly: `ls` prints one per object, and
/// chrono's `format` parses its format string every time.
fn slash_date<Tz: chrono::TimeZone>(t: &DateTime<Tz>) -> String {
    let mut out = String::with_capacity(19);
    push_slash_date(&mut out, t);
    out
}

/// Appends [`slash_date`]'s text to `out`, digit by digit.
fn push_slash_date<Tz: chrono::TimeZone>(out: &mut String, t: &DateTime<Tz>) {
    use chrono::{Datelike, Timelike};
    let two = |out: &mut String, v: u32| {
        out.push(char::from(b'0' + (v / 10 % 10) as u8));
        out.push(char::from(b'0' + (v % 10) as u8));
    };
    match u32::try_from(t.year()) {
        Ok(y) if y <= 9999 => {
            two(out, y / 100);
            two(out, y % 100);
        }
        _ => {
            use std::fmt::Write;
            let _ = write!(out, "{:04}", t.year());
        }
    }
    for (sep, v) in [
        ('/', t.month()),
        ('/', t.day()),
        (' ', t.hour()),
        (':', t.minute()),
        (':', t.second()),
    ] {
        out.push(sep);
        two(out, v);
    }
}

/// s5cmd's human sizes: K, M, G, T = 1024^n; the largest unit strictly smaller than
/// the size, one decimal; sizes up to 1024 stay integers (`1025` → `1.0K`).
fn humanize(size: u64) -> String {
    const UNITS: [&str; 4] = ["K", "M", "G", "T"];
    let mut unit = None;
    let mut value = size as f64;
    for (i, u) in UNITS.iter().enumerate() {
        let limit = 1024f64.powi(i as i32 + 1);
        if (size as f64) > limit {
            unit = Some(*u);
            value = size as f64 / limit;
        }
    }
    match unit {
        Some(u) => format!("{value:.1}{u}"),
        None => size.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::ListStyle;
    use crate::storage::ObjectInfo;
    use chrono::TimeZone;

    #[test]
    fn dates_are_written_like_chrono_formats_them() {
        for t in [
            Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
            Utc.with_ymd_and_hms(999, 12, 31, 23, 59, 59).unwrap(),
            Utc.timestamp_millis_opt(1_767_225_600_999).unwrap(),
        ] {
            assert_eq!(slash_date(&t), t.format("%Y/%m/%d %H:%M:%S").to_string());
            let local = t.with_timezone(&Local);
            assert_eq!(
                date_column(Some(t), true),
                local.format("%Y/%m/%d %H:%M:%S").to_string()
            );
        }
        assert_eq!(date_column(None, false), "");
    }

    #[test]
    fn humanizes_like_s5cmd() {
        assert_eq!(humanize(1024), "1024");
        assert_eq!(humanize(1025), "1.0K");
        assert_eq!(humanize(220_000), "214.8K");
        assert_eq!(humanize(270_000), "263.7K");
        assert_eq!(humanize(247_000), "241.2K");
        assert_eq!(humanize(5), "5");
    }

    fn entry(info: ObjectInfo, style: ListStyle) -> QueryResult {
        named(info, style, "up1/f1.txt")
    }

    /// A remote entry named `name` in bucket `bkt`.
    fn named(info: ObjectInfo, style: ListStyle, name: &str) -> QueryResult {
        QueryResult::Entry(ListEntry {
            name: name.into(),
            url: format!("s3://bkt/{name}"),
            info,
            local: false,
            style,
        })
    }

    #[test]
    fn renders_ls_lines_like_s5cmd() {
        let mut info = ObjectInfo::file("up1/f1.txt", 5);
        info.last_modified = Some(Utc.with_ymd_and_hms(2026, 11, 21, 19, 20, 23).unwrap());
        info.etag = Some("5d41402abc4b2a76b9719d911017c592".into());
        let plain = entry(info.clone(), ListStyle::default());
        assert_eq!(
            render(&plain, false, None),
            "2026/11/21 19:20:23                 5  up1/f1.txt"
        );
        assert_eq!(
            render(&plain, true, None),
            r#"{"key":"s3://bkt/up1/f1.txt","etag":"5d41402abc4b2a76b9719d911017c592","last_modified":"2026-11-21T19:20:23Z","type":"file","size":5,"storage_class":"STANDARD"}"#
        );
        let dir = entry(ObjectInfo::directory("up1/"), ListStyle::default());
        assert_eq!(
            render(&dir, false, None),
            format!("{:>37}  up1/f1.txt", "DIR")
        );
        assert_eq!(
            render(&dir, true, None),
            r#"{"key":"s3://bkt/up1/f1.txt","type":"directory"}"#
        );
        let full = ListStyle {
            full_path: true,
            ..ListStyle::default()
        };
        assert_eq!(
            render(&entry(info, full), false, None),
            "s3://bkt/up1/f1.txt"
        );
    }

    #[test]
    fn folder_objects_are_dir_lines_with_their_listed_fields_in_json() {
        let mut info = ObjectInfo::directory("d/");
        info.etag = Some("d41d8cd98f00b204e9800998ecf8427e".into());
        info.storage_class = Some("STANDARD".into());
        let style = ListStyle {
            etag: true,
            storage_class: true,
            ..ListStyle::default()
        };
        let folder = named(info, style, "d/");
        assert_eq!(
            render(&folder, false, None),
            format!("{:>19} {:>2} {:<38} {:>12}  d/", "", "", "", "DIR")
        );
        assert_eq!(
            render(&folder, true, None),
            r#"{"key":"s3://bkt/d/","etag":"d41d8cd98f00b204e9800998ecf8427e","type":"directory","storage_class":"STANDARD"}"#
        );
    }

    #[test]
    fn delete_markers_have_no_storage_class() {
        let mut info = ObjectInfo::file("f", 0);
        info.version_id = Some("v1".into());
        info.is_delete_marker = true;
        let style = ListStyle {
            storage_class: true,
            versions: true,
            ..ListStyle::default()
        };
        let marker = named(info, style, "f");
        assert_eq!(
            render(&marker, false, None),
            format!("{:>19} {:>2} {:<1} {:>12}  {:<50} v1", "", "", "", 0, "f")
        );
        assert_eq!(
            render(&marker, true, None),
            r#"{"key":"s3://bkt/f","type":"file","size":0,"version_id":"v1","delete_marker":true}"#
        );
    }

    #[test]
    fn renders_du_and_versioning_lines() {
        let du = QueryResult::DiskUsage(DuTotal {
            source: "s3://b/*".into(),
            storage_class: Some("STANDARD".into()),
            count: 17,
            size: 153,
            humanize: false,
        });
        assert_eq!(
            render(&du, false, None),
            "153 bytes in 17 objects: s3://b/* [STANDARD]"
        );
        assert_eq!(
            render(&du, true, None),
            r#"{"source":"s3://b/*","storage_class":"STANDARD","count":17,"size":153}"#
        );
        let v = |status: &str, set| {
            QueryResult::Versioning(VersioningState {
                bucket: "b".into(),
                status: status.into(),
                set,
            })
        };
        assert_eq!(
            render(&v("", false), false, None),
            "\"b\" is an unversioned bucket"
        );
        assert_eq!(
            render(&v("Enabled", false), false, None),
            "Bucket versioning for \"b\" is \"Enabled\""
        );
        assert_eq!(
            render(&v("Suspended", true), false, None),
            "Bucket versioning for \"b\" is set to \"Suspended\""
        );
        assert_eq!(
            render(&v("", false), true, None),
            r#"{"bucket":"b","status":""}"#
        );
        let origin = Origin::of("bucket-version", Some(4), None);
        assert_eq!(
            render(&v("", false), true, origin),
            r#"{"bucket":"b","status":"","operation":"bucket-version","line":4}"#
        );
        let shard = Some(Shard::parse("1/3", |_| None).unwrap());
        assert_eq!(
            render(
                &v("", false),
                true,
                Origin::of("bucket-version", Some(4), shard)
            ),
            r#"{"bucket":"b","status":"","operation":"bucket-version","line":4,"shard":"1/3"}"#
        );
        assert_eq!(
            render(
                &v("", false),
                true,
                Origin::of("bucket-version", None, shard)
            ),
            r#"{"bucket":"b","status":"","shard":"1/3"}"#
        );
        assert!(Origin::of("bucket-version", None, None).is_none());
        assert_eq!(
            render(&v("", false), false, origin),
            "\"b\" is an unversioned bucket",
            "text lines carry no origin"
        );
    }
}
