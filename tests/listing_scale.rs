//! Listing at scale, black-box against the in-process server: a recursive listing
//! split over common prefixes and run in parallel (`--list-concurrency`) returns
//! exactly what one sequential stream returns, in the same order, for `ls`,
//! `cp --dry-run` and `sync`, over awkward keys (Unicode, spaces, `%`, `+`, keys
//! equal to a prefix, empty and nested prefixes, more than a page of children).

mod support;

use std::path::Path;

use support::TestServer;
use support::run::{Ran, make_bucket, run, s5rs};

const BUCKET: &str = "lst";

/// Keys that stress the order of a split listing: a key equal to a common prefix
/// (`a/`), keys sorting just before and after a prefix (`a-b` < `a/` < `a0`), nested
/// and empty prefixes, Unicode (NFC and NFD), spaces, `%`, `+`, a leading slash.
fn awkward_keys() -> Vec<String> {
    let mut keys: Vec<String> = [
        "a",
        "a/",
        "a/b",
        "a/b/",
        "a/b/c",
        "a-b",
        "a0",
        "a b/ c",
        "a%2F/x",
        "a%/y",
        "+plus/k",
        "space /k",
        "日本/語",
        "日本語",
        "é/x",
        "e\u{301}/x",
        "z/",
        "z//double",
        "/lead",
        "nested/1/2/3/4/5/f",
        "nested/1/2/x",
        "nested/1/y",
        "only/one/deep/k",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // More than a page of keys under one prefix, and more than a page of children.
    keys.extend((0..1100).map(|i| format!("p/{i:05}")));
    keys.extend((0..1050).map(|i| format!("t{i:04}/k")));
    keys.sort();
    keys
}

/// Writes the objects straight into the server's storage (fast; same as a PUT).
fn seed(server: &TestServer, bucket: &str, keys: &[String]) {
    make_bucket(server, bucket);
    for k in keys {
        let path = server.object_path(bucket, k);
        std::fs::write(path, k.as_bytes()).unwrap();
    }
}

fn s5rs_run(server: &TestServer, cwd: &Path, args: &[&str]) -> Ran {
    let mut c = s5rs(server, cwd);
    c.args(args);
    let r = run(c);
    assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    r
}

/// The values of `field` of every JSON record, in output order.
fn field(r: &Ran, name: &str) -> Vec<String> {
    r.records()
        .iter()
        .filter_map(|v| v.get(name).and_then(|s| s.as_str()).map(str::to_owned))
        .collect()
}

/// Asserts two lists are equal, showing only the first difference.
#[track_caller]
fn assert_same(got: &[impl AsRef<str>], want: &[impl AsRef<str>], what: &str) {
    let first = got
        .iter()
        .zip(want)
        .position(|(g, w)| g.as_ref() != w.as_ref());
    if let Some(i) = first {
        panic!(
            "{what}: line {i} is {:?}, expected {:?}",
            got[i].as_ref(),
            want[i].as_ref()
        );
    }
    assert_eq!(got.len(), want.len(), "{what}: number of lines");
}

/// Runs the same command with one sequential stream and with several split
/// listings; returns the single stream's run after checking the others match it.
fn same_at_every_concurrency(server: &TestServer, cwd: &Path, args: &[&str]) -> Ran {
    same_split(server, cwd, args, SPLITS)
}

/// Global flags of split listings: few at once (the read-ahead queue refills as it
/// drains), the default, many at once over ListObjects v1.
const SPLITS: &[&[&str]] = &[
    &["--list-concurrency", "3"],
    &[],
    &["--list-concurrency", "64", "--use-list-objects-v1"],
];

/// [`same_at_every_concurrency`] with the given split listings only.
fn same_split(server: &TestServer, cwd: &Path, args: &[&str], splits: &[&[&str]]) -> Ran {
    let single = s5rs_run(server, cwd, &[&["--list-concurrency", "1"], args].concat());
    for flags in splits {
        let split = s5rs_run(server, cwd, &[*flags, args].concat());
        assert_same(
            &split.stdout.lines().collect::<Vec<_>>(),
            &single.stdout.lines().collect::<Vec<_>>(),
            &format!("{flags:?} {args:?}"),
        );
    }
    single
}

#[test]
fn split_listing_equals_one_stream_for_ls_cp_and_sync() {
    let server = TestServer::start();
    let keys = awkward_keys();
    seed(&server, BUCKET, &keys);
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();

    // ls: every key, folder objects too (as s5cmd 2.3), in byte order, at every
    // concurrency.
    let ls = same_at_every_concurrency(&server, cwd, &["--json", "ls", "s3://lst/*"]);
    let all: Vec<String> = keys.iter().map(|k| format!("s3://lst/{k}")).collect();
    assert_same(&field(&ls, "key"), &all, "ls keys");
    let want: Vec<String> = keys
        .iter()
        .filter(|k| !k.ends_with('/'))
        .map(|k| format!("s3://lst/{k}"))
        .collect();

    // A wildcard under a prefix with a lone child (the discovery descends).
    let deep = same_at_every_concurrency(&server, cwd, &["--json", "ls", "s3://lst/only/*"]);
    assert_eq!(field(&deep, "key"), ["s3://lst/only/one/deep/k"]);
    let nested = same_at_every_concurrency(&server, cwd, &["--json", "ls", "s3://lst/ne*"]);
    assert_eq!(
        field(&nested, "key"),
        [
            "s3://lst/nested/1/2/3/4/5/f",
            "s3://lst/nested/1/2/x",
            "s3://lst/nested/1/y"
        ]
    );

    // A folder object named like the wildcard's prefix (`a/` under `a/*`) is not
    // a common prefix to list again.
    let folder = same_at_every_concurrency(&server, cwd, &["--json", "ls", "s3://lst/a/*"]);
    assert_eq!(
        field(&folder, "key"),
        [
            "s3://lst/a/",
            "s3://lst/a/b",
            "s3://lst/a/b/",
            "s3://lst/a/b/c"
        ]
    );

    // cp --dry-run: one record per object, sources in key order.
    let cp = same_split(
        &server,
        cwd,
        &["--json", "--dry-run", "cp", "s3://lst/*", "s3://dst/"],
        &[&[]],
    );
    assert_same(&field(&cp, "source"), &want, "cp sources");

    // sync: against a destination holding every other key (listed split too): the
    // merge-join needs both sides in the same order, or it copies what is there.
    let half: Vec<String> = keys.iter().step_by(2).cloned().collect();
    seed(&server, "dst", &half);
    let sync = same_split(
        &server,
        cwd,
        &[
            "--json",
            "--dry-run",
            "sync",
            "--size-only",
            "--delete",
            "s3://lst/*",
            "s3://dst/",
        ],
        &[&[], &["--list-concurrency", "2", "--use-list-objects-v1"]],
    );
    let copied: Vec<String> = sync
        .records()
        .iter()
        .filter(|r| r["operation"] == "cp")
        .map(|r| r["source"].as_str().unwrap().to_owned())
        .collect();
    let want: Vec<String> = keys
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|k| !k.ends_with('/'))
        .map(|k| format!("s3://lst/{k}"))
        .collect();
    assert_same(&copied, &want, "sync copies");
}

/// Writes `text` gzip'd (as S3 Inventory writes its CSV data files).
fn gzip(text: &str) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text.as_bytes()).unwrap();
    gz.finish().unwrap()
}

/// After a `cp` of `s3://src/dir/*` into `dst` driven by the inventory `inv`: `dst`
/// holds exactly the `listed` keys (relative to `dir/`) with their data intact, and a
/// `sync --delete` from the same inventory leaves `mirror` (seeded with strays) with
/// exactly those keys. Returns those keys, sorted.
fn copied_whole_then_mirrored(
    server: &TestServer,
    cwd: &Path,
    listed: &[&str],
    inv: &[&str],
) -> Vec<String> {
    let mut want: Vec<String> = listed
        .iter()
        .map(|k| k.strip_prefix("dir/").unwrap().to_owned())
        .collect();
    want.sort();
    assert_eq!(stored(server, cwd, "dst"), want);
    for k in listed {
        let copied = server
            .object_bytes("dst", k.strip_prefix("dir/").unwrap())
            .unwrap();
        assert_eq!(copied, k.as_bytes());
    }
    seed(
        server,
        "mirror",
        &["stale".to_string(), "a b.txt".to_string()],
    );
    let sync = [
        &["sync", "--delete"][..],
        inv,
        &["s3://src/dir/*", "s3://mirror/"],
    ]
    .concat();
    s5rs_run(server, cwd, &sync);
    assert_eq!(stored(server, cwd, "mirror"), want);
    want
}

/// The keys of a bucket, as stored (listed through the binary).
fn stored(server: &TestServer, cwd: &Path, bucket: &str) -> Vec<String> {
    let r = s5rs_run(server, cwd, &["--json", "ls", &format!("s3://{bucket}/*")]);
    let prefix = format!("s3://{bucket}/");
    field(&r, "key")
        .into_iter()
        .map(|k| k.strip_prefix(&prefix).unwrap().to_owned())
        .collect()
}

/// An inventory report of bucket `src` under `inv/src/cfg/<date>/`: manifest.json
/// plus two gzip'd CSV data files holding `rows` split in two.
fn write_inventory(server: &TestServer, date: &str, rows: &[&str]) -> String {
    let (first, second) = rows.split_at(rows.len() / 2);
    let files: Vec<(String, Vec<u8>)> = [first, second]
        .iter()
        .enumerate()
        .map(|(i, part)| {
            let text: String = part.iter().map(|r| format!("{r}\n")).collect();
            (format!("part-{i}.csv.gz"), gzip(&text))
        })
        .collect();
    let schema = "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass";
    write_report(server, date, "CSV", schema, &files)
}

/// Stores a report's data files (`(name, bytes)`) under `inv/src/cfg/<date>/data/`
/// and its manifest.json; returns the manifest's URL.
fn write_report(
    server: &TestServer,
    date: &str,
    format: &str,
    schema: &str,
    data: &[(String, Vec<u8>)],
) -> String {
    let base = format!("src/cfg/{date}");
    let files: Vec<String> = data
        .iter()
        .map(|(name, bytes)| {
            let key = format!("{base}/data/{name}");
            std::fs::write(server.object_path("inv", &key), bytes).unwrap();
            format!(
                r#"{{"key":"{key}","size":{},"MD5checksum":"x"}}"#,
                bytes.len()
            )
        })
        .collect();
    let manifest = format!(
        r#"{{"sourceBucket":"src","destinationBucket":"arn:aws:s3:::inv","version":"2016-11-30",
        "creationTimestamp":"1767225600000","fileFormat":"{format}","fileSchema":"{schema}",
        "files":[{}]}}"#,
        files.join(",")
    );
    let key = format!("{base}/manifest.json");
    std::fs::write(server.object_path("inv", &key), manifest).unwrap();
    format!("s3://inv/{key}")
}

/// Inventory rows (URL-encoded keys, `+` for a space as S3 writes them) for `src`.
fn inventory_rows(keys: &[&str]) -> Vec<String> {
    keys.iter()
        .map(|k| {
            let enc: String = percent_encoding::utf8_percent_encode(k, percent_encoding::NON_ALPHANUMERIC)
                .to_string()
                .replace("%20", "+");
            format!(r#""src","{enc}","","true","false","{}","2026-01-01T00:00:00.000Z","00","STANDARD""#, k.len())
        })
        .collect()
}

#[test]
fn source_inventory_replaces_the_listing_of_cp_rm_and_sync() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let listed = [
        "dir/a b.txt",
        "dir/pct%41",
        "dir/plus+sign",
        "dir/sub/deep",
        "dir/日本",
    ];
    let mut keys: Vec<String> = listed.iter().map(|k| k.to_string()).collect();
    keys.extend(["dir/not-in-inventory".to_string(), "other/x".to_string()]);
    seed(&server, "src", &keys);
    make_bucket(&server, "inv");
    make_bucket(&server, "dst");
    let mut rows = inventory_rows(&listed);
    // Rows left out: another bucket, outside the wildcard, an old version, a delete marker.
    rows.push(r#""elsewhere","dir/zz","","true","false","1","","","""#.into());
    rows.push(r#""src","other/x","","true","false","7","","","""#.into());
    rows.push(r#""src","dir/zz-old","v1","false","false","1","","","""#.into());
    rows.push(r#""src","dir/zz-gone","v2","true","true","0","","","""#.into());
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let manifest = write_inventory(&server, "2026-01-01T00-00Z", &rows);

    // cp: exactly the inventory's objects under the wildcard, data intact.
    let inv = ["--source-inventory", manifest.as_str()];
    s5rs_run(
        &server,
        cwd,
        &[&["cp"][..], &inv, &["s3://src/dir/*", "s3://dst/"]].concat(),
    );
    let want = copied_whole_then_mirrored(&server, cwd, &listed, &inv);

    // An inventory out of key order: sync stops there (and deletes nothing).
    let mut shuffled = inventory_rows(&["dir/z-last", "dir/a-first"]);
    shuffled.insert(1, inventory_rows(&["dir/m"])[0].clone());
    let shuffled: Vec<&str> = shuffled.iter().map(String::as_str).collect();
    let unsorted = write_inventory(&server, "2026-01-02T00-00Z", &shuffled);
    seed(
        &server,
        "src",
        &["dir/z-last".into(), "dir/a-first".into(), "dir/m".into()],
    );
    let mut c = s5rs(&server, cwd);
    c.args([
        "sync",
        "--delete",
        "--source-inventory",
        &unsorted,
        "s3://src/dir/*",
        "s3://mirror/",
    ]);
    let refused = run(c);
    assert_ne!(refused.code, 0);
    assert!(
        refused.stderr.contains("not in key order"),
        "{}",
        refused.stderr
    );
    // Streamed: the row before the disorder was copied; nothing was deleted.
    let mut partial = want.clone();
    partial.insert(4, "z-last".to_string());
    assert_eq!(stored(&server, cwd, "mirror"), partial);

    // rm: removes the inventory's objects only.
    s5rs_run(
        &server,
        cwd,
        &[&["rm"][..], &inv, &["s3://src/dir/*"]].concat(),
    );
    assert_eq!(
        stored(&server, cwd, "src"),
        [
            "dir/a-first",
            "dir/m",
            "dir/not-in-inventory",
            "dir/z-last",
            "other/x"
        ]
    );
}

#[test]
fn source_inventory_errors_are_clear() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    seed(&server, "src", &["dir/a".to_string()]);
    make_bucket(&server, "inv");
    // The destination exists, so the inventory's own errors are what is reported.
    make_bucket(&server, "dst");
    let manifest = write_inventory(&server, "2026-01-01T00-00Z", &[]);
    let orc = manifest.replace("manifest.json", "orc.json");
    let text = std::fs::read_to_string(
        server.object_path("inv", manifest.strip_prefix("s3://inv/").unwrap()),
    )
    .unwrap()
    .replace(r#""CSV""#, r#""ORC""#);
    std::fs::write(
        server.object_path("inv", orc.strip_prefix("s3://inv/").unwrap()),
        text,
    )
    .unwrap();
    for (args, message) in [
        (
            vec![
                "cp",
                "--source-inventory",
                &manifest,
                "s3://other/*",
                "s3://dst/",
            ],
            "lists bucket src, not other",
        ),
        (
            vec!["cp", "--source-inventory", &orc, "s3://src/*", "s3://dst/"],
            "format ORC is not supported",
        ),
        (
            vec![
                "rm",
                "--source-inventory",
                "inv/manifest.json",
                "s3://src/*",
            ],
            "is not an s3://bucket/key URL",
        ),
    ] {
        let mut c = s5rs(&server, cwd);
        c.args(&args);
        let r = run(c);
        assert_ne!(r.code, 0, "{args:?}");
        assert!(r.stderr.contains(message), "{args:?}: {}", r.stderr);
    }
    assert_eq!(stored(&server, cwd, "src"), ["dir/a"]);
}

#[test]
fn ls_writes_a_batch_operations_manifest() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let keys: Vec<String> = [
        "a b", "c+d", "e,f", "g%h", "k\"q", "p/日本", "p/sub/", "x/y z",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    seed(&server, "bops", &keys);
    let r = s5rs_run(
        &server,
        cwd,
        &["ls", "--format", "batchops-csv", "s3://bops/*"],
    );
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "bops,a%20b",
            "bops,c%2Bd",
            "bops,e%2Cf",
            "bops,g%25h",
            "bops,k%22q",
            "bops,p/%E6%97%A5%E6%9C%AC",
            "bops,x/y%20z",
        ]
    );
    // Each line decodes back to a stored key (the folder object is left out).
    let decoded: Vec<String> = lines
        .iter()
        .map(|l| {
            let (_, key) = l.split_once(',').unwrap();
            percent_encoding::percent_decode_str(key)
                .decode_utf8()
                .unwrap()
                .into_owned()
        })
        .collect();
    let files: Vec<&String> = keys.iter().filter(|k| !k.ends_with('/')).collect();
    assert_eq!(decoded.iter().collect::<Vec<_>>(), files);

    // With versions: a third column (the server's versions are all `null`).
    let r = s5rs_run(
        &server,
        cwd,
        &[
            "ls",
            "--all-versions",
            "--format",
            "batchops-csv",
            "s3://bops/x/*",
        ],
    );
    assert_eq!(r.stdout.lines().collect::<Vec<_>>(), ["bops,x/y%20z,null"]);
    // Local paths have no manifest form.
    let mut c = s5rs(&server, cwd);
    c.args(["ls", "--format", "batchops-csv", "."]);
    let local = run(c);
    assert_ne!(local.code, 0);
    assert!(local.stderr.contains("S3 objects only"), "{}", local.stderr);
}

/// The schema AWS documents for Parquet inventory reports (manifest `fileSchema`).
const PARQUET_SCHEMA: &str = "message s3.inventory { required binary bucket (UTF8); \
    required binary key (UTF8); optional binary version_id (UTF8); optional boolean is_latest; \
    optional boolean is_delete_marker; optional int64 size; \
    optional int64 last_modified_date (TIMESTAMP_MILLIS); optional binary e_tag (UTF8); \
    optional binary storage_class (UTF8); optional boolean is_multipart_uploaded; \
    optional binary replication_status (UTF8); optional binary encryption_status (UTF8); }";

/// One row of an inventory report, written as CSV (URL-encoded key, as S3 writes
/// it) or as Parquet (the key as it is).
struct InvRow {
    bucket: &'static str,
    key: String,
    version: Option<&'static str>,
    latest: bool,
    marker: bool,
    size: i64,
    /// Last-modified time, milliseconds since the epoch.
    modified: i64,
}

impl InvRow {
    fn current(key: &str, modified: i64) -> InvRow {
        InvRow {
            bucket: "src",
            key: key.to_owned(),
            version: None,
            latest: true,
            marker: false,
            size: key.len() as i64,
            modified,
        }
    }

    fn csv(&self) -> String {
        let enc =
            percent_encoding::utf8_percent_encode(&self.key, percent_encoding::NON_ALPHANUMERIC)
                .to_string()
                .replace("%20", "+");
        let time = chrono::DateTime::from_timestamp_millis(self.modified)
            .unwrap()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        format!(
            r#""{}","{enc}","{}","{}","{}","{}","{time}","e{}","STANDARD""#,
            self.bucket,
            self.version.unwrap_or_default(),
            self.latest,
            self.marker,
            self.size,
            self.size,
        )
    }
}

/// A Snappy-compressed Parquet inventory data file of `rows` (AWS's schema), in
/// row groups of `group` rows.
fn parquet_file(rows: &[InvRow], group: usize) -> Vec<u8> {
    use parquet::basic::Compression;
    use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DataType, Int64Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::{SerializedColumnWriter, SerializedFileWriter};
    use std::sync::Arc;

    fn put<T: DataType>(col: &mut SerializedColumnWriter<'_>, values: Vec<Option<T::T>>) {
        let defs: Vec<i16> = values.iter().map(|v| i16::from(v.is_some())).collect();
        let present: Vec<T::T> = values.into_iter().flatten().collect();
        col.typed::<T>()
            .write_batch(&present, Some(&defs), None)
            .unwrap();
    }
    let text = |s: &str| Some(ByteArray::from(s));
    let schema = Arc::new(parquet::schema::parser::parse_message_type(PARQUET_SCHEMA).unwrap());
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut w = SerializedFileWriter::new(Vec::new(), schema, Arc::new(props)).unwrap();
    for rows in rows.chunks(group) {
        let mut rg = w.next_row_group().unwrap();
        let mut i = 0;
        while let Some(mut col) = rg.next_column().unwrap() {
            let c = &mut col;
            match i {
                0 => put::<ByteArrayType>(c, rows.iter().map(|r| text(r.bucket)).collect()),
                1 => put::<ByteArrayType>(c, rows.iter().map(|r| text(&r.key)).collect()),
                2 => {
                    put::<ByteArrayType>(c, rows.iter().map(|r| r.version.and_then(text)).collect())
                }
                3 => put::<BoolType>(c, rows.iter().map(|r| Some(r.latest)).collect()),
                4 => put::<BoolType>(c, rows.iter().map(|r| Some(r.marker)).collect()),
                5 | 6 => put::<Int64Type>(
                    c,
                    rows.iter()
                        .map(|r| Some(if i == 5 { r.size } else { r.modified }))
                        .collect(),
                ),
                7 => put::<ByteArrayType>(
                    c,
                    rows.iter().map(|r| text(&format!("e{}", r.size))).collect(),
                ),
                8 => put::<ByteArrayType>(c, rows.iter().map(|_| text("STANDARD")).collect()),
                9 => put::<BoolType>(c, rows.iter().map(|_| Some(false)).collect()),
                _ => put::<ByteArrayType>(c, rows.iter().map(|_| None).collect()),
            }
            col.close().unwrap();
            i += 1;
        }
        rg.close().unwrap();
    }
    w.into_inner().unwrap()
}

/// A Parquet report of `rows`, two data files, the second of two row groups.
fn write_parquet_inventory(server: &TestServer, date: &str, rows: &[InvRow]) -> String {
    let (first, second) = rows.split_at(rows.len() / 2);
    let files = [
        (
            "part-0.parquet".to_string(),
            parquet_file(first, first.len().max(1)),
        ),
        (
            "part-1.parquet".to_string(),
            parquet_file(second, second.len().div_ceil(2).max(1)),
        ),
    ];
    write_report(server, date, "Parquet", PARQUET_SCHEMA, &files)
}

/// The rows of [`parquet_reports_list_like_csv_reports_for_cp_rm_and_sync`]: the
/// listed keys, then rows to leave out (another bucket, outside the wildcard, an
/// old version, a delete marker).
fn report_rows(listed: &[&str]) -> Vec<InvRow> {
    let mut rows: Vec<InvRow> = listed
        .iter()
        .enumerate()
        .map(|(i, k)| InvRow::current(k, 1_767_225_600_000 + 120 * i as i64))
        .collect();
    rows.push(InvRow {
        bucket: "elsewhere",
        ..InvRow::current("dir/zz", 0)
    });
    rows.push(InvRow::current("other/x", 0));
    rows.push(InvRow {
        version: Some("v1"),
        latest: false,
        ..InvRow::current("dir/zz-old", 0)
    });
    rows.push(InvRow {
        version: Some("v2"),
        marker: true,
        ..InvRow::current("dir/zz-gone", 0)
    });
    rows
}

#[test]
fn parquet_reports_list_like_csv_reports_for_cp_rm_and_sync() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    // Keys a URL-decoding of Parquet keys would change (`+`, `%41`, `%2F`).
    let listed = [
        "dir/a b.txt",
        "dir/pct%41",
        "dir/plus+sign",
        "dir/slash%2Fenc",
        "dir/sub/deep",
        "dir/日本",
    ];
    let mut keys: Vec<String> = listed.iter().map(|k| k.to_string()).collect();
    keys.extend([
        "dir/not-in-inventory".to_string(),
        "dir/pctA".to_string(),
        "other/x".to_string(),
    ]);
    seed(&server, "src", &keys);
    make_bucket(&server, "inv");
    make_bucket(&server, "dst");
    let rows = report_rows(&listed);
    let csv_rows: Vec<String> = rows.iter().map(InvRow::csv).collect();
    let csv_rows: Vec<&str> = csv_rows.iter().map(String::as_str).collect();
    let csv = write_inventory(&server, "2026-01-01T00-00Z", &csv_rows);
    let parquet = write_parquet_inventory(&server, "2026-01-02T00-00Z", &rows);

    // The same records from either report: keys, sizes, times, ETags.
    for args in [
        &["--json", "--dry-run", "cp"][..],
        &["--json", "--dry-run", "rm"][..],
        &["--json", "--dry-run", "sync", "--delete"][..],
    ] {
        let tail: &[&str] = if args[2] == "rm" {
            &["s3://src/dir/*"]
        } else {
            &["s3://src/dir/*", "s3://dst/"]
        };
        let with = |manifest: &str| {
            s5rs_run(
                &server,
                cwd,
                &[args, &["--source-inventory", manifest], tail].concat(),
            )
        };
        let (from_csv, from_parquet) = (with(&csv), with(&parquet));
        assert_eq!(
            from_csv.records().len(),
            listed.len(),
            "{args:?}: {}",
            from_csv.stdout
        );
        assert_same(
            &from_parquet.stdout.lines().collect::<Vec<_>>(),
            &from_csv.stdout.lines().collect::<Vec<_>>(),
            &format!("{args:?}"),
        );
    }

    // cp: exactly the report's objects under the wildcard, data intact, and the
    // same records as a copy driven by the CSV report.
    make_bucket(&server, "viacsv");
    let cp = |manifest: &str, to: &str| {
        let args = [
            "--json",
            "cp",
            "--source-inventory",
            manifest,
            "s3://src/dir/*",
            to,
        ];
        let mut lines: Vec<String> = s5rs_run(&server, cwd, &args)
            .stdout
            .lines()
            .map(|l| l.replace(to, "s3://DST/"))
            .collect();
        lines.sort();
        lines
    };
    let via_csv = cp(&csv, "s3://viacsv/");
    assert_eq!(via_csv.len(), listed.len());
    assert_eq!(cp(&parquet, "s3://dst/"), via_csv);
    let inv = ["--source-inventory", parquet.as_str()];
    copied_whole_then_mirrored(&server, cwd, &listed, &inv);

    // rm: removes the report's objects only (not `dir/pctA`, which `%41` decodes to).
    s5rs_run(
        &server,
        cwd,
        &[&["rm"][..], &inv, &["s3://src/dir/*"]].concat(),
    );
    assert_eq!(
        stored(&server, cwd, "src"),
        ["dir/not-in-inventory", "dir/pctA", "other/x"]
    );
}

#[test]
fn unreadable_parquet_reports_are_clear_errors() {
    let server = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    seed(&server, "src", &["dir/a".to_string()]);
    make_bucket(&server, "inv");
    make_bucket(&server, "dst");
    let schema = PARQUET_SCHEMA;
    let corrupt = write_report(
        &server,
        "2026-01-01T00-00Z",
        "Parquet",
        schema,
        &[(
            "part-0.parquet".into(),
            b"PAR1 this is not a parquet file PAR1".to_vec(),
        )],
    );
    // A CSV file where the manifest says Parquet.
    let csv_inside = write_report(
        &server,
        "2026-01-02T00-00Z",
        "Parquet",
        schema,
        &[(
            "part-0.parquet".into(),
            gzip(&InvRow::current("dir/a", 0).csv()),
        )],
    );
    for manifest in [&corrupt, &csv_inside] {
        let mut c = s5rs(&server, cwd);
        c.args([
            "cp",
            "--source-inventory",
            manifest,
            "s3://src/*",
            "s3://dst/",
        ]);
        let r = run(c);
        assert_eq!(r.code, 1, "{manifest}: {}", r.stderr);
        assert!(
            r.stderr.contains("is not a Parquet file s5rs can read"),
            "{manifest}: {}",
            r.stderr
        );
        assert!(r.stderr.contains("part-0.parquet"), "{}", r.stderr);
    }
    // Nothing was copied (the bucket's directory holds no object).
    let dst = std::fs::read_dir(server.root().join("dst"))
        .unwrap()
        .count();
    assert_eq!(dst, 0);
}
