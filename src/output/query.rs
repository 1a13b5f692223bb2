//! Rendering of the query commands' results ([`QueryResult`]): `ls` lines in s5cmd's
//! `%19s %2s %-1s %12s  %s` layout, bucket lines, `du` summaries, `head` (always a
//! JSON line) and `bucket-version` sentences, or their JSON records with `--json`.

use chrono::{DateTime, Local, Utc};

use crate::record::{
    BucketEntry, BucketRecord, BucketVersionRecord, DuRecord, DuTotal, ListEntry, ObjectRecord,
    QueryResult, VersioningState, format_local, format_utc,
};
use crate::storage::EntryKind;

/// The line for one result, without its newline.
pub fn render(result: &QueryResult, json: bool) -> String {
    match result {
        QueryResult::Bucket(b) if json => to_json(&BucketRecord {
            created_at: b.created.as_ref().map(format_utc),
            name: b.name.clone(),
        }),
        QueryResult::Bucket(b) => bucket_text(b),
        QueryResult::Entry(e) if json => to_json(&object_record(e)),
        QueryResult::Entry(e) => entry_text(e),
        QueryResult::DiskUsage(d) if json => to_json(&DuRecord {
            source: d.source.clone(),
            storage_class: d.storage_class.clone(),
            count: d.count,
            size: d.size,
        }),
        QueryResult::DiskUsage(d) => du_text(d),
        QueryResult::HeadObject(h) => to_json(h),
        QueryResult::HeadBucket(h) => to_json(h),
        QueryResult::Versioning(v) if json => to_json(&BucketVersionRecord {
            bucket: v.bucket.clone(),
            status: v.status.clone(),
        }),
        QueryResult::Versioning(v) => versioning_text(v),
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("query records always serialize")
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
/// followed by the version id with `--all-versions`).
fn entry_text(e: &ListEntry) -> String {
    let style = e.style;
    if style.full_path {
        return e.url.clone();
    }
    let info = &e.info;
    let dir = info.kind == EntryKind::Directory;
    let date = if dir {
        String::new()
    } else {
        date_column(info.last_modified, e.local)
    };
    // A DIR line has only its size slot and name; delete markers no class.
    let class = if style.storage_class && !dir && !e.local && !info.is_delete_marker {
        storage_class(e)
    } else {
        String::new()
    };
    let size = if dir {
        "DIR".to_string()
    } else if style.humanize {
        humanize(info.size)
    } else {
        info.size.to_string()
    };
    let mut line = if style.etag {
        let etag = if dir {
            ""
        } else {
            info.etag.as_deref().unwrap_or_default()
        };
        format!("{date:>19} {class:>2} {etag:<38} {size:>12}  ")
    } else {
        format!("{date:>19} {class:>2} {:<1} {size:>12}  ", "")
    };
    match &info.version_id {
        Some(v) if style.versions => line.push_str(&format!("{:<50} {v}", e.name)),
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
        Some(t) if local => t
            .with_timezone(&Local)
            .format("%Y/%m/%d %H:%M:%S")
            .to_string(),
        Some(t) => t.format("%Y/%m/%d %H:%M:%S").to_string(),
        None => String::new(),
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
    fn humanizes_like_s5cmd() {
        assert_eq!(humanize(1024), "1024");
        assert_eq!(humanize(1025), "1.0K");
        assert_eq!(humanize(220_000), "214.8K");
        assert_eq!(humanize(270_000), "263.7K");
        assert_eq!(humanize(247_000), "241.2K");
        assert_eq!(humanize(5), "5");
    }

    fn entry(info: ObjectInfo, style: ListStyle) -> QueryResult {
        QueryResult::Entry(ListEntry {
            name: "up1/f1.txt".into(),
            url: "s3://bkt/up1/f1.txt".into(),
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
            render(&plain, false),
            "2026/11/21 19:20:23                 5  up1/f1.txt"
        );
        assert_eq!(
            render(&plain, true),
            r#"{"key":"s3://bkt/up1/f1.txt","etag":"5d41402abc4b2a76b9719d911017c592","last_modified":"2026-11-21T19:20:23Z","type":"file","size":5,"storage_class":"STANDARD"}"#
        );
        let dir = entry(ObjectInfo::directory("up1/"), ListStyle::default());
        assert_eq!(render(&dir, false), format!("{:>37}  up1/f1.txt", "DIR"));
        assert_eq!(
            render(&dir, true),
            r#"{"key":"s3://bkt/up1/f1.txt","type":"directory"}"#
        );
        let full = ListStyle {
            full_path: true,
            ..ListStyle::default()
        };
        assert_eq!(render(&entry(info, full), false), "s3://bkt/up1/f1.txt");
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
        let folder = QueryResult::Entry(ListEntry {
            name: "d/".into(),
            url: "s3://bkt/d/".into(),
            info,
            local: false,
            style,
        });
        assert_eq!(
            render(&folder, false),
            format!("{:>19} {:>2} {:<38} {:>12}  d/", "", "", "", "DIR")
        );
        assert_eq!(
            render(&folder, true),
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
        let marker = QueryResult::Entry(ListEntry {
            name: "f".into(),
            url: "s3://bkt/f".into(),
            info,
            local: false,
            style,
        });
        assert_eq!(
            render(&marker, false),
            format!("{:>19} {:>2} {:<1} {:>12}  {:<50} v1", "", "", "", 0, "f")
        );
        assert_eq!(
            render(&marker, true),
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
            render(&du, false),
            "153 bytes in 17 objects: s3://b/* [STANDARD]"
        );
        assert_eq!(
            render(&du, true),
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
            render(&v("", false), false),
            "\"b\" is an unversioned bucket"
        );
        assert_eq!(
            render(&v("Enabled", false), false),
            "Bucket versioning for \"b\" is \"Enabled\""
        );
        assert_eq!(
            render(&v("Suspended", true), false),
            "Bucket versioning for \"b\" is set to \"Suspended\""
        );
        assert_eq!(render(&v("", false), true), r#"{"bucket":"b","status":""}"#);
    }
}
