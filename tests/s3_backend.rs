//! The S3 backend against a real S3 server over HTTP on 127.0.0.1: by default an
//! in-process s3s server per test (see `support`), or the external server named by
//! `S5RS_TEST_ENDPOINT` / `S5RS_TEST_ACCESS_KEY` / `S5RS_TEST_SECRET_KEY`
//! (`S5RS_TEST_SERVER=moto|rclone` names its quirks). A case a server cannot
//! support prints `SKIP <test>: <reason>` and returns.

mod support;

use std::time::Duration;

use bytes::Bytes;
use s5rs::error::ErrorKind;
use s5rs::storage::s3::{PutBody, S3Bucket, S3Client, S3Config};
use s5rs::storage::{
    ContentHeaders, EntryKind, ListRequest, MetadataDirective, ObjectHeaders, Storage,
    StorageError, VersioningStatus,
};
use support::{Faults, Target, write_credentials};

/// One test's world: the server, a client, a fresh bucket.
struct Ctx {
    target: Target,
    client: S3Client,
    bucket: String,
    dir: tempfile::TempDir,
}

fn skip(test: &str, reason: &str) {
    println!("SKIP {test}: {reason}");
    eprintln!("SKIP {test}: {reason}");
}

async fn client_for(
    target: &Target,
    dir: &std::path::Path,
    secret: Option<&str>,
    retries: u32,
) -> S3Client {
    let (ak, sk) = target.keys();
    let creds = write_credentials(dir, ak, secret.unwrap_or(sk));
    S3Client::new(S3Config {
        endpoint_url: Some(target.endpoint().to_owned()),
        region: Some("us-east-1".into()),
        profile: Some("s5rs-test".into()),
        credentials_file: Some(creds),
        retry_count: retries,
        max_connections: 32,
        ..S3Config::default()
    })
    .await
    .expect("client")
}

fn bucket_name(test: &str) -> String {
    let t: String = test
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(30)
        .collect();
    format!("s5rs-{t}-{:08x}", fastrand::u32(..))
}

async fn ctx(test: &str) -> Ctx {
    let target = Target::from_env();
    let dir = tempfile::tempdir().unwrap();
    let client = client_for(&target, dir.path(), None, 5).await;
    let bucket = bucket_name(test);
    client.create_bucket(&bucket).await.expect("create bucket");
    Ctx {
        target,
        client,
        bucket,
        dir,
    }
}

impl Ctx {
    fn is(&self, server: &str) -> bool {
        self.target.server() == server
    }

    async fn put(&self, key: &str, data: &[u8]) {
        self.client
            .put_object(
                &self.bucket,
                key,
                PutBody::Bytes(Bytes::copy_from_slice(data)),
                &ObjectHeaders::default(),
            )
            .await
            .unwrap_or_else(|e| panic!("put {key:?}: {e}"));
    }

    async fn get(&self, key: &str, range: Option<(u64, u64)>) -> Result<Vec<u8>, StorageError> {
        get_with(&self.client, &self.bucket, key, None, range).await
    }

    async fn list(&self, prefix: &str, recursive: bool) -> Vec<s5rs::storage::ObjectInfo> {
        let mut rx = self.client.list(
            &self.bucket,
            ListRequest {
                prefix: prefix.into(),
                recursive,
                all_versions: false,
            },
        );
        let mut out = Vec::new();
        while let Some(e) = rx.recv().await {
            out.push(e.expect("listing entry"));
        }
        out
    }
}

async fn get_with(
    client: &S3Client,
    bucket: &str,
    key: &str,
    version: Option<&str>,
    range: Option<(u64, u64)>,
) -> Result<Vec<u8>, StorageError> {
    let mut out = client.get_object(bucket, key, version, range).await?;
    let mut data = Vec::new();
    while let Some(chunk) = out.body.next_chunk().await {
        data.extend_from_slice(&chunk?);
    }
    Ok(data)
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

#[tokio::test]
async fn bucket_lifecycle_and_list_buckets() {
    let c = ctx("bucket_lifecycle").await;
    c.client.head_bucket(&c.bucket).await.unwrap();
    let buckets = c.client.list_buckets().await.unwrap();
    assert!(buckets.iter().any(|b| b.name == c.bucket), "{buckets:?}");
    let missing = format!("{}-missing", c.bucket);
    let e = c.client.head_bucket(&missing).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NoSuchBucket, "{e}");
    assert_eq!(e.status, Some(404));
    c.put("x", b"1").await;
    if c.is("rclone") {
        skip(
            "bucket_lifecycle_and_list_buckets",
            "rclone deletes non-empty buckets",
        );
    } else {
        let e = c.client.delete_bucket(&c.bucket).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::BucketNotEmpty, "{e}");
    }
    c.client.delete_object(&c.bucket, "x", None).await.unwrap();
    c.client.delete_bucket(&c.bucket).await.unwrap();
    let e = c.client.head_bucket(&c.bucket).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NoSuchBucket);
    assert!(c.client.endpoint().starts_with("http://"));
    assert_eq!(c.client.region(), "us-east-1");
}

#[tokio::test]
async fn put_head_get_with_headers_and_metadata() {
    let c = ctx("put_head_get").await;
    let headers = ObjectHeaders {
        content: ContentHeaders {
            content_type: Some("text/plain".into()),
            cache_control: Some("max-age=60".into()),
            content_disposition: Some("attachment".into()),
            content_encoding: Some("identity".into()),
            ..Default::default()
        },
        metadata: vec![("Color".into(), "Blue".into()), ("x".into(), "y z".into())],
        ..ObjectHeaders::default()
    };
    let data = pattern(3000, 7);
    let w = c
        .client
        .put_object(
            &c.bucket,
            "dir/obj.txt",
            PutBody::Bytes(Bytes::from(data.clone())),
            &headers,
        )
        .await
        .unwrap();
    assert!(
        w.etag.as_deref().is_some_and(|e| !e.starts_with('"')),
        "{w:?}"
    );
    let m = c
        .client
        .head_object(&c.bucket, "dir/obj.txt", None, None)
        .await
        .unwrap();
    assert_eq!(m.size, 3000);
    assert_eq!(m.content.content_type.as_deref(), Some("text/plain"));
    assert_eq!(
        m.metadata.get("color").map(String::as_str),
        Some("Blue"),
        "{m:?}"
    );
    assert_eq!(m.metadata.get("x").map(String::as_str), Some("y z"));
    assert!(m.last_modified.is_some());
    if !c.is("rclone") {
        assert_eq!(m.content.cache_control.as_deref(), Some("max-age=60"));
        assert_eq!(m.content.content_disposition.as_deref(), Some("attachment"));
    }
    assert_eq!(m.etag, w.etag);
    same(&c.get("dir/obj.txt", None).await.unwrap(), &data, "data");
    // Empty object.
    c.put("empty", b"").await;
    same(&c.get("empty", None).await.unwrap(), b"", "data");
    assert_eq!(
        c.client
            .head_object(&c.bucket, "empty", None, None)
            .await
            .unwrap()
            .size,
        0
    );
}

#[tokio::test]
async fn put_streams_a_file_range() {
    let c = ctx("put_file_range").await;
    let data = pattern(1 << 20, 3);
    let path = c.dir.path().join("src.bin");
    std::fs::write(&path, &data).unwrap();
    c.client
        .put_object(
            &c.bucket,
            "part",
            PutBody::File {
                path: path.clone(),
                offset: 1000,
                len: 600_000,
            },
            &ObjectHeaders::default(),
        )
        .await
        .unwrap();
    same(
        &c.get("part", None).await.unwrap(),
        &data[1000..601_000],
        "data",
    );
    // A file shorter than the range is an error, not a short object.
    let e = c
        .client
        .put_object(
            &c.bucket,
            "short",
            PutBody::File {
                path,
                offset: (1 << 20) - 10,
                len: 100,
            },
            &ObjectHeaders::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Io, "{e}");
}

#[tokio::test]
async fn ranged_get() {
    let c = ctx("ranged_get").await;
    let data = pattern(10_000, 1);
    c.put("r", &data).await;
    same(&c.get("r", Some((0, 0))).await.unwrap(), &data[..1], "data");
    same(
        &c.get("r", Some((100, 5099))).await.unwrap(),
        &data[100..5100],
        "data",
    );
    let out = c
        .client
        .get_object(&c.bucket, "r", None, Some((9990, 9999)))
        .await
        .unwrap();
    assert_eq!(out.meta.size, 10_000, "size is the whole object's");
    same(
        &c.get("r", Some((9990, 9999))).await.unwrap(),
        &data[9990..],
        "data",
    );
    // Past the end: clamped by the server.
    same(
        &c.get("r", Some((9995, 20_000))).await.unwrap(),
        &data[9995..],
        "data",
    );
}

#[tokio::test]
async fn range_answered_with_whole_body_still_gives_the_range() {
    let c = ctx("range_200").await;
    let Some(server) = c.target.local() else {
        return skip(
            "range_answered_with_whole_body_still_gives_the_range",
            "needs fault injection (in-process server)",
        );
    };
    let data = pattern(50_000, 9);
    c.put("r", &data).await;
    server.set_faults(Faults {
        ignore_range: true,
        ..Faults::default()
    });
    same(
        &c.get("r", Some((1234, 40_000))).await.unwrap(),
        &data[1234..40_001],
        "data",
    );
    same(
        &c.get("r", Some((0, 9))).await.unwrap(),
        &data[..10],
        "data",
    );
    server.set_faults(Faults {
        range_as_200: true,
        ..Faults::default()
    });
    same(
        &c.get("r", Some((1234, 40_000))).await.unwrap(),
        &data[1234..40_001],
        "200 with Content-Range",
    );
    let out = c
        .client
        .get_object(&c.bucket, "r", None, Some((10, 19)))
        .await
        .unwrap();
    assert_eq!(out.meta.size, 50_000);
}

const AWKWARD: &[&str] = &[
    "with space",
    "plus+sign",
    "pct%20literal",
    "unicodé/日本語/ключ",
    "a//b",
    "trailing/",
    "hash#question?",
    "amp&lt<gt>'quote\"",
    "./dot/../dotdot",
    "../up",
    "cr\rlf\nctl\x01",
    "tab\tend~!*()",
];

/// Why `server` cannot store `key`, if it cannot.
fn unsupported_key(server: &str, key: &str) -> Option<&'static str> {
    let control = key.chars().any(|c| c.is_control() && c != '\t');
    match server {
        "rclone" if key.contains("//") || key.contains("./") || key.ends_with('/') || control => {
            Some("rclone maps keys to file paths and cannot store")
        }
        "moto" if control => {
            Some("moto's HTTP layer answers 404 for CR/LF/control bytes in the path")
        }
        _ => None,
    }
}

/// Compares byte vectors without printing them.
#[track_caller]
fn same(got: &[u8], want: &[u8], what: &str) {
    assert!(
        got == want,
        "{what}: got {} bytes, want {} bytes; first difference at {:?}",
        got.len(),
        want.len(),
        got.iter().zip(want).position(|(a, b)| a != b)
    );
}

#[tokio::test]
async fn awkward_keys_round_trip() {
    let c = ctx("awkward_keys").await;
    for (i, key) in AWKWARD.iter().enumerate() {
        if let Some(why) = unsupported_key(c.target.server(), key) {
            skip("awkward_keys_round_trip", &format!("{why}: {key:?}"));
            continue;
        }
        let data = format!("data {i}");
        c.put(key, data.as_bytes()).await;
        let m = c
            .client
            .head_object(&c.bucket, key, None, None)
            .await
            .unwrap_or_else(|e| panic!("head {key:?}: {e}"));
        assert_eq!(m.size, data.len() as u64, "{key:?}");
        same(
            &c.get(key, None).await.unwrap(),
            data.as_bytes(),
            &format!("{key:?}"),
        );
        let listed = c.list(key, true).await;
        assert!(
            listed.iter().any(|e| e.key == *key),
            "{key:?} not listed: {listed:?}"
        );
        let entry = listed.iter().find(|e| e.key == *key).unwrap();
        let want = if key.ends_with('/') {
            EntryKind::Directory
        } else {
            EntryKind::File
        };
        assert_eq!(entry.kind, want, "{key:?}");
        let copy = format!("copy-{key}");
        c.client
            .copy_object(
                &c.bucket,
                key,
                None,
                &c.bucket,
                &copy,
                MetadataDirective::Copy,
                &ObjectHeaders::default(),
            )
            .await
            .unwrap_or_else(|e| panic!("copy {key:?}: {e}"));
        same(
            &c.get(&copy, None).await.unwrap(),
            data.as_bytes(),
            &format!("{copy:?}"),
        );
        let url = c
            .client
            .presign_get(&c.bucket, key, None, Duration::from_secs(60))
            .unwrap();
        assert_eq!(
            plain_get(&url).await.1,
            data.as_bytes(),
            "presigned {key:?}"
        );
        c.client.delete_object(&c.bucket, key, None).await.unwrap();
        let e = c
            .client
            .head_object(&c.bucket, key, None, None)
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::NoSuchKey, "{key:?}: {e}");
    }
    // DeleteObjects with awkward keys.
    let keys: Vec<(String, Option<String>)> = AWKWARD
        .iter()
        .filter(|k| unsupported_key(c.target.server(), k).is_none())
        .map(|k| (format!("copy-{k}"), None))
        .collect();
    let out = c.client.delete_objects(&c.bucket, &keys).await.unwrap();
    assert_eq!(out.len(), keys.len());
    for o in &out {
        assert!(o.error.is_none(), "{o:?}");
        assert!(
            keys.iter().any(|(k, _)| *k == o.key),
            "unexpected key in answer {:?}",
            o.key
        );
    }
    assert!(c.list("", true).await.is_empty());
}

#[tokio::test]
async fn listing_prefixes_delimiters_pages() {
    let c = ctx("listing").await;
    c.put("a/1", b"1").await;
    c.put("a/2", b"22").await;
    c.put("a/sub/3", b"333").await;
    let dir_keys = unsupported_key(c.target.server(), "a/dir/").is_none();
    if dir_keys {
        c.put("a/dir/", b"").await;
    } else {
        skip(
            "listing_prefixes_delimiters_pages",
            "server cannot store key \"a/dir/\"; faking it with a/dir/x",
        );
        c.put("a/dir/x", b"").await;
    }
    c.put("b", b"4444").await;
    let top = c.list("", false).await;
    let keys: Vec<(&str, EntryKind)> = top.iter().map(|e| (e.key.as_str(), e.kind)).collect();
    assert_eq!(
        keys,
        vec![("a/", EntryKind::Directory), ("b", EntryKind::File)]
    );
    assert_eq!(top[1].size, 4);
    let a = c.list("a/", false).await;
    let keys: Vec<(&str, EntryKind)> = a.iter().map(|e| (e.key.as_str(), e.kind)).collect();
    assert_eq!(
        keys,
        vec![
            ("a/1", EntryKind::File),
            ("a/2", EntryKind::File),
            ("a/dir/", EntryKind::Directory),
            ("a/sub/", EntryKind::Directory)
        ]
    );
    let all = c.list("a", true).await;
    let keys: Vec<&str> = all.iter().map(|e| e.key.as_str()).collect();
    let want_dir = if dir_keys { "a/dir/" } else { "a/dir/x" };
    assert_eq!(keys, vec!["a/1", "a/2", want_dir, "a/sub/3"]);
    assert!(all.iter().all(|e| e.last_modified.is_some()));

    // More than one page.
    let n = 1010;
    let client = &c.client;
    let bucket = &c.bucket;
    let mut pending = futures_util::stream::FuturesUnordered::new();
    use futures_util::StreamExt;
    for i in 0..n {
        pending.push(async move {
            client
                .put_object(
                    bucket,
                    &format!("many/{i:05}"),
                    PutBody::Bytes(Bytes::from_static(b"x")),
                    &ObjectHeaders::default(),
                )
                .await
                .unwrap()
        });
        if pending.len() >= 32 {
            pending.next().await;
        }
    }
    while pending.next().await.is_some() {}
    let page = c
        .client
        .list_objects_page(&c.bucket, "many/", None, None)
        .await
        .unwrap();
    assert_eq!(page.entries.len(), 1000);
    assert!(page.next_token.is_some());
    let many = c.list("many/", true).await;
    assert_eq!(many.len(), n);
    assert!(many.windows(2).all(|w| w[0].key < w[1].key));
}

#[tokio::test]
async fn listing_v1() {
    let target = Target::from_env();
    let dir = tempfile::tempdir().unwrap();
    let (ak, sk) = target.keys();
    let creds = write_credentials(dir.path(), ak, sk);
    let client = S3Client::new(S3Config {
        endpoint_url: Some(target.endpoint().to_owned()),
        region: Some("us-east-1".into()),
        profile: Some("s5rs-test".into()),
        credentials_file: Some(creds),
        use_list_objects_v1: true,
        ..S3Config::default()
    })
    .await
    .unwrap();
    let bucket = bucket_name("listing_v1");
    client.create_bucket(&bucket).await.unwrap();
    for k in ["p/a+b", "p/c d", "p/q/r", "z"] {
        client
            .put_object(
                &bucket,
                k,
                PutBody::Bytes(Bytes::from_static(b"v")),
                &ObjectHeaders::default(),
            )
            .await
            .unwrap();
    }
    let page = client
        .list_objects_page(&bucket, "p/", Some("/"), None)
        .await
        .unwrap();
    let keys: Vec<&str> = page.entries.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, vec!["p/a+b", "p/c d", "p/q/"]);
    let mut rx = client.list(
        &bucket,
        ListRequest {
            prefix: String::new(),
            recursive: true,
            all_versions: false,
        },
    );
    let mut n = 0;
    while let Some(e) = rx.recv().await {
        e.unwrap();
        n += 1;
    }
    assert_eq!(n, 4);
}

#[tokio::test]
async fn versioning_and_version_listing() {
    let c = ctx("versioning").await;
    if c.is("rclone") {
        return skip(
            "versioning_and_version_listing",
            "rclone serve s3 has no versioning",
        );
    }
    assert_eq!(
        c.client.get_bucket_versioning(&c.bucket).await.unwrap(),
        VersioningStatus::Unversioned
    );
    c.client
        .put_bucket_versioning(&c.bucket, true)
        .await
        .unwrap();
    assert_eq!(
        c.client.get_bucket_versioning(&c.bucket).await.unwrap(),
        VersioningStatus::Enabled
    );
    c.put("v", b"one").await;
    c.put("v", b"two").await;
    c.put("w", b"w").await;
    let del = c.client.delete_object(&c.bucket, "w", None).await.unwrap();
    let page = c
        .client
        .list_versions_page(&c.bucket, "", None, None)
        .await
        .unwrap();
    if c.is("local") {
        // The in-process server keeps no old versions: one "null" version per key.
        assert!(
            page.entries
                .iter()
                .any(|e| e.key == "v" && e.version_id.as_deref() == Some("null"))
        );
    } else {
        let v: Vec<_> = page.entries.iter().filter(|e| e.key == "v").collect();
        assert_eq!(v.len(), 2, "{page:?}");
        assert!(
            v.iter()
                .all(|e| e.version_id.is_some() && !e.is_delete_marker)
        );
        assert_eq!(v.iter().filter(|e| e.is_latest).count(), 1);
        let w: Vec<_> = page.entries.iter().filter(|e| e.key == "w").collect();
        assert!(w.iter().any(|e| e.is_delete_marker), "{w:?}");
        assert!(
            del.is_some(),
            "DeleteObject on a versioned bucket returns the marker's version id"
        );
        // Old version by id.
        let old = v.iter().find(|e| !e.is_latest).unwrap();
        let data = get_with(&c.client, &c.bucket, "v", old.version_id.as_deref(), None)
            .await
            .unwrap();
        assert_eq!(data, b"one");
        let m = c
            .client
            .head_object(&c.bucket, "v", old.version_id.as_deref(), None)
            .await
            .unwrap();
        assert_eq!(m.size, 3);
        let url = c
            .client
            .presign_get(
                &c.bucket,
                "v",
                old.version_id.as_deref(),
                Duration::from_secs(60),
            )
            .unwrap();
        assert_eq!(plain_get(&url).await.1, b"one");
    }
    let mut rx = c.client.list(
        &c.bucket,
        ListRequest {
            prefix: String::new(),
            recursive: true,
            all_versions: true,
        },
    );
    let mut keys = Vec::new();
    while let Some(e) = rx.recv().await {
        keys.push(e.unwrap().key);
    }
    assert!(keys.windows(2).all(|w| w[0] <= w[1]), "{keys:?}");
    c.client
        .put_bucket_versioning(&c.bucket, false)
        .await
        .unwrap();
    assert_eq!(
        c.client.get_bucket_versioning(&c.bucket).await.unwrap(),
        VersioningStatus::Suspended
    );
}

#[tokio::test]
async fn copy_object_copy_and_replace() {
    let c = ctx("copy_object").await;
    let src_headers = ObjectHeaders {
        content: ContentHeaders {
            content_type: Some("text/x-src".into()),
            ..Default::default()
        },
        metadata: vec![("k".into(), "v".into())],
        ..ObjectHeaders::default()
    };
    c.client
        .put_object(
            &c.bucket,
            "src",
            PutBody::Bytes(Bytes::from_static(b"payload")),
            &src_headers,
        )
        .await
        .unwrap();
    let w = c
        .client
        .copy_object(
            &c.bucket,
            "src",
            None,
            &c.bucket,
            "dst-copy",
            MetadataDirective::Copy,
            &ObjectHeaders::default(),
        )
        .await
        .unwrap();
    assert!(w.etag.is_some());
    let m = c
        .client
        .head_object(&c.bucket, "dst-copy", None, None)
        .await
        .unwrap();
    assert_eq!(m.metadata.get("k").map(String::as_str), Some("v"));
    assert_eq!(m.content.content_type.as_deref(), Some("text/x-src"));
    let new_headers = ObjectHeaders {
        content: ContentHeaders {
            content_type: Some("text/x-new".into()),
            ..Default::default()
        },
        metadata: vec![("n".into(), "w".into())],
        ..ObjectHeaders::default()
    };
    c.client
        .copy_object(
            &c.bucket,
            "src",
            None,
            &c.bucket,
            "dst-replace",
            MetadataDirective::Replace,
            &new_headers,
        )
        .await
        .unwrap();
    let m = c
        .client
        .head_object(&c.bucket, "dst-replace", None, None)
        .await
        .unwrap();
    assert_eq!(m.content.content_type.as_deref(), Some("text/x-new"));
    assert_eq!(m.metadata.get("n").map(String::as_str), Some("w"));
    if c.is("rclone") {
        skip(
            "copy_object_copy_and_replace",
            "rclone merges metadata on REPLACE",
        );
    } else {
        assert!(!m.metadata.contains_key("k"), "{m:?}");
    }
    same(
        &c.get("dst-replace", None).await.unwrap(),
        b"payload",
        "data",
    );
    let e = c
        .client
        .copy_object(
            &c.bucket,
            "nope",
            None,
            &c.bucket,
            "x",
            MetadataDirective::Copy,
            &ObjectHeaders::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NoSuchKey, "{e}");
}

#[tokio::test]
async fn delete_objects_reports_per_key() {
    let c = ctx("delete_objects").await;
    let mut keys = Vec::new();
    for i in 0..20 {
        let k = format!("d/{i}");
        c.put(&k, b"x").await;
        keys.push((k, None));
    }
    keys.push(("d/never-existed".into(), None));
    let out = c.client.delete_objects(&c.bucket, &keys).await.unwrap();
    assert_eq!(out.len(), 21);
    assert!(out.iter().all(|o| o.error.is_none()), "{out:?}");
    assert!(c.list("d/", true).await.is_empty());
    let too_many: Vec<(String, Option<String>)> =
        (0..1001).map(|i| (i.to_string(), None)).collect();
    assert_eq!(
        c.client
            .delete_objects(&c.bucket, &too_many)
            .await
            .unwrap_err()
            .kind,
        ErrorKind::Usage
    );
    assert!(
        c.client
            .delete_objects(&c.bucket, &[])
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn multipart_round_trip() {
    let c = ctx("multipart").await;
    let part1 = pattern(5 << 20, 11);
    let part2 = pattern(123_457, 12);
    let path = c.dir.path().join("p1");
    std::fs::write(&path, &part1).unwrap();
    let headers = ObjectHeaders {
        content: ContentHeaders {
            content_type: Some("application/x-mp".into()),
            ..Default::default()
        },
        ..ObjectHeaders::default()
    };
    let id = c
        .client
        .create_multipart_upload(&c.bucket, "mp", &headers)
        .await
        .unwrap();
    let p1 = c
        .client
        .upload_part(
            &c.bucket,
            "mp",
            &id,
            1,
            PutBody::File {
                path,
                offset: 0,
                len: part1.len() as u64,
            },
        )
        .await
        .unwrap();
    let p2 = c
        .client
        .upload_part(
            &c.bucket,
            "mp",
            &id,
            2,
            PutBody::Bytes(Bytes::from(part2.clone())),
        )
        .await
        .unwrap();
    assert_eq!((p1.part_number, p2.part_number), (1, 2));
    let w = c
        .client
        .complete_multipart_upload(&c.bucket, "mp", &id, &[p1, p2])
        .await
        .unwrap();
    assert!(w.etag.as_deref().is_some_and(|e| !e.is_empty()));
    let mut whole = part1.clone();
    whole.extend_from_slice(&part2);
    let m = c
        .client
        .head_object(&c.bucket, "mp", None, None)
        .await
        .unwrap();
    assert_eq!(m.size, whole.len() as u64);
    same(&c.get("mp", None).await.unwrap(), &whole, "multipart data");
    match c.client.head_object(&c.bucket, "mp", None, Some(1)).await {
        Ok(p) if p.parts_count.is_some() => assert_eq!(p.parts_count, Some(2)),
        Ok(_) => skip(
            "multipart_round_trip",
            &format!("{} does not send x-amz-mp-parts-count", c.target.server()),
        ),
        Err(e) => skip(
            "multipart_round_trip",
            &format!("HeadObject partNumber unsupported: {e}"),
        ),
    }

    // UploadPartCopy from the multipart object.
    if c.is("rclone") {
        skip(
            "multipart_round_trip",
            "rclone ignores UploadPartCopy's source",
        );
    } else {
        let id = c
            .client
            .create_multipart_upload(&c.bucket, "mpc", &ObjectHeaders::default())
            .await
            .unwrap();
        let a = c
            .client
            .upload_part_copy(
                &c.bucket,
                "mpc",
                &id,
                1,
                &c.bucket,
                "mp",
                None,
                (0, (5 << 20) - 1),
            )
            .await
            .unwrap();
        let last = whole.len() as u64 - 1;
        let b = c
            .client
            .upload_part_copy(
                &c.bucket,
                "mpc",
                &id,
                2,
                &c.bucket,
                "mp",
                None,
                (5 << 20, last),
            )
            .await
            .unwrap();
        c.client
            .complete_multipart_upload(&c.bucket, "mpc", &id, &[a, b])
            .await
            .unwrap();
        assert!(
            c.get("mpc", None).await.unwrap() == whole,
            "UploadPartCopy data differs"
        );
    }

    // Abort, then the id is gone.
    let id = c
        .client
        .create_multipart_upload(&c.bucket, "aborted", &ObjectHeaders::default())
        .await
        .unwrap();
    c.client
        .abort_multipart_upload(&c.bucket, "aborted", &id)
        .await
        .unwrap();
    match c
        .client
        .upload_part(
            &c.bucket,
            "aborted",
            &id,
            1,
            PutBody::Bytes(Bytes::from_static(b"x")),
        )
        .await
    {
        Err(e) if e.kind == ErrorKind::NoSuchUpload => {}
        Err(e) => skip(
            "multipart_round_trip",
            &format!(
                "{} answers a part for an aborted upload with {e}",
                c.target.server()
            ),
        ),
        Ok(_) => skip(
            "multipart_round_trip",
            &format!("{} accepts parts for an aborted upload", c.target.server()),
        ),
    }
}

#[tokio::test]
async fn missing_key_and_bucket_are_typed() {
    let c = ctx("missing").await;
    let e = c.get("nope", None).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NoSuchKey, "{e}");
    assert_eq!(e.code.as_deref(), Some("NoSuchKey"));
    assert_eq!(e.status, Some(404));
    assert!(e.to_string().starts_with("NoSuchKey: "), "{e}");
    assert!(
        e.to_string().contains("status code: 404, request id: "),
        "{e}"
    );
    let e = c
        .client
        .head_object(&c.bucket, "nope", None, None)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NoSuchKey);
    assert_eq!(e.code.as_deref(), Some("NotFound"));
    assert!(
        e.to_string()
            .starts_with("NotFound: Not Found status code: 404"),
        "{e}"
    );
    let other = format!("{}-nope", c.bucket);
    let e = c
        .client
        .list_objects_page(&other, "", None, None)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NoSuchBucket, "{e}");
    let e = c
        .client
        .put_object(
            &other,
            "k",
            PutBody::Bytes(Bytes::from_static(b"x")),
            &ObjectHeaders::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NoSuchBucket, "{e}");
    // A listing error ends the stream.
    let mut rx = c.client.list(
        &other,
        ListRequest {
            prefix: String::new(),
            recursive: true,
            all_versions: false,
        },
    );
    assert_eq!(
        rx.recv().await.unwrap().unwrap_err().kind,
        ErrorKind::NoSuchBucket
    );
    assert!(rx.recv().await.is_none());
}

#[tokio::test]
async fn wrong_secret_is_invalid_credentials_and_not_retried() {
    let c = ctx("wrong_secret").await;
    if c.is("moto") {
        return skip(
            "wrong_secret_is_invalid_credentials_and_not_retried",
            "moto accepts any credentials",
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let bad = client_for(&c.target, dir.path(), Some("definitely-wrong-secret"), 5).await;
    let before = c.target.local().map(|s| s.requests());
    let e = bad
        .head_object(&c.bucket, "x", None, None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e.kind,
            ErrorKind::InvalidCredentials | ErrorKind::AccessDenied
        ),
        "{e}"
    );
    let e = bad
        .list_objects_page(&c.bucket, "", None, None)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidCredentials, "{e}");
    assert_eq!(bad.retries_total(), 0);
    if let (Some(s), Some(b)) = (c.target.local(), before) {
        assert_eq!(s.requests() - b, 2, "each request sent exactly once");
    }
}

#[tokio::test]
async fn retries_on_injected_faults_keep_data_intact() {
    let c = ctx("retries").await;
    let Some(server) = c.target.local() else {
        return skip(
            "retries_on_injected_faults_keep_data_intact",
            "needs fault injection (in-process server)",
        );
    };
    let data = pattern(200_000, 5);

    server.set_faults(Faults {
        slow_down: 3,
        ..Faults::default()
    });
    c.put("a", &data).await;
    assert_eq!(c.client.retries_total(), 3);

    server.set_faults(Faults {
        internal_error: 2,
        reset_before_response: 2,
        ..Faults::default()
    });
    let path = c.dir.path().join("f");
    std::fs::write(&path, &data).unwrap();
    c.client
        .put_object(
            &c.bucket,
            "b",
            PutBody::File {
                path,
                offset: 0,
                len: data.len() as u64,
            },
            &ObjectHeaders::default(),
        )
        .await
        .unwrap();
    assert_eq!(c.client.retries_total(), 7);
    server.set_faults(Faults::default());
    same(&c.get("b", None).await.unwrap(), &data, "data");

    // A GET body that breaks mid-way resumes with a Range request.
    server.set_faults(Faults {
        reset_mid_body: 2,
        only_method: Some(http::Method::GET),
        ..Faults::default()
    });
    let before = c.client.retries_total();
    same(&c.get("a", None).await.unwrap(), &data, "data");
    assert_eq!(c.client.retries_total() - before, 2);

    // A truncated body (clean early end) is never accepted as complete.
    server.set_faults(Faults {
        truncate_body: 1,
        only_method: Some(http::Method::GET),
        ..Faults::default()
    });
    same(&c.get("a", None).await.unwrap(), &data, "data");
    server.set_faults(Faults {
        truncate_body: 1,
        only_method: Some(http::Method::GET),
        ..Faults::default()
    });
    same(
        &c.get("a", Some((1000, 150_000))).await.unwrap(),
        &data[1000..150_001],
        "data",
    );

    // Listing (XML body) cut mid-way is retried too.
    server.set_faults(Faults {
        reset_mid_body: 1,
        only_method: Some(http::Method::GET),
        ..Faults::default()
    });
    assert_eq!(c.list("", true).await.len(), 2);

    // Retries run out: the last error is returned, typed.
    let dir = tempfile::tempdir().unwrap();
    let no_retry = client_for(&c.target, dir.path(), None, 0).await;
    server.set_faults(Faults {
        slow_down: 1,
        ..Faults::default()
    });
    let e = no_retry
        .list_objects_page(&c.bucket, "", None, None)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Throttled, "{e}");
    assert_eq!(e.code.as_deref(), Some("SlowDown"));
    server.set_faults(Faults {
        reset_mid_body: 1,
        only_method: Some(http::Method::GET),
        ..Faults::default()
    });
    let e = get_with(&no_retry, &c.bucket, "a", None, None)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Network, "{e}");
    server.set_faults(Faults {
        internal_error: 1,
        ..Faults::default()
    });
    let e = no_retry.head_bucket(&c.bucket).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::ServerError, "{e}");
}

/// A plain HTTP GET (no signing) with hyper; returns status and body.
async fn plain_get(url: &str) -> (u16, Vec<u8>) {
    use http_body_util::BodyExt;
    let client: hyper_util::client::legacy::Client<_, http_body_util::Empty<Bytes>> =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build_http();
    let resp = client.get(url.parse().unwrap()).await.unwrap();
    let status = resp.status().as_u16();
    let body = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, body)
}

#[tokio::test]
async fn presigned_get_works_with_plain_http() {
    let c = ctx("presign").await;
    c.put("dir/p q+r.txt", b"presigned!").await;
    let url = c
        .client
        .presign_get(&c.bucket, "dir/p q+r.txt", None, Duration::from_secs(300))
        .unwrap();
    assert!(url.contains("X-Amz-Expires=300"), "{url}");
    assert!(url.contains("X-Amz-Signature="), "{url}");
    let (status, body) = plain_get(&url).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(body, b"presigned!");
    if c.is("local") || c.is("rclone") {
        let tampered = url.replace("p%20q", "p%20Q");
        assert_eq!(plain_get(&tampered).await.0, 403);
    }
    assert_eq!(
        c.client
            .presign_get(&c.bucket, "k", None, Duration::from_secs(8 * 86400))
            .unwrap_err()
            .kind,
        ErrorKind::Usage
    );
}

#[tokio::test]
async fn s3_bucket_implements_storage() {
    let c = ctx("storage_trait").await;
    c.put("s/one", b"1").await;
    c.put("s/two", b"22").await;
    let store = S3Bucket {
        client: c.client.clone(),
        bucket: c.bucket.clone(),
    };
    let mut rx = store.list(ListRequest {
        prefix: "s/".into(),
        recursive: true,
        all_versions: false,
    });
    let mut keys = Vec::new();
    while let Some(e) = rx.recv().await {
        keys.push(e.unwrap().key);
    }
    assert_eq!(keys, vec!["s/one", "s/two"]);
    assert_eq!(store.stat("s/two", None).await.unwrap().size, 2);
    store.delete("s/two", None).await.unwrap();
    assert_eq!(
        store.stat("s/two", None).await.unwrap_err().kind,
        ErrorKind::NoSuchKey
    );
}

#[tokio::test]
async fn anonymous_requests_carry_no_signature() {
    let c = ctx("anonymous").await;
    c.put("k", b"v").await;
    let anon = S3Client::new(S3Config {
        endpoint_url: Some(c.target.endpoint().to_owned()),
        region: Some("us-east-1".into()),
        no_sign_request: true,
        ..S3Config::default()
    })
    .await
    .unwrap();
    let url = anon
        .presign_get(&c.bucket, "k", None, Duration::from_secs(60))
        .unwrap();
    assert!(!url.contains("X-Amz-Signature"), "{url}");
    match anon.head_object(&c.bucket, "k", None, None).await {
        Err(e) => assert!(
            matches!(
                e.kind,
                ErrorKind::AccessDenied | ErrorKind::InvalidCredentials | ErrorKind::InvalidRequest
            ),
            "{e}"
        ),
        Ok(_) => skip(
            "anonymous_requests_carry_no_signature",
            &format!("{} allows anonymous reads", c.target.server()),
        ),
    }
}

#[tokio::test]
async fn region_redirect_is_followed_once_and_cached() {
    let c = ctx("region_redirect").await;
    let Some(server) = c.target.local() else {
        return skip(
            "region_redirect_is_followed_once_and_cached",
            "needs fault injection (in-process server)",
        );
    };
    c.put("k", b"v").await;
    server.set_faults(Faults {
        bucket_region: Some("eu-west-3".into()),
        ..Faults::default()
    });
    let before = server.requests();
    same(&c.get("k", None).await.unwrap(), b"v", "after redirect");
    assert_eq!(server.requests() - before, 2, "one redirect, one retry");
    let before = server.requests();
    c.client
        .head_object(&c.bucket, "k", None, None)
        .await
        .unwrap();
    assert_eq!(server.requests() - before, 1, "region cached per bucket");
    assert_eq!(c.client.retries_total(), 0, "a redirect is not a retry");
    let url = c
        .client
        .presign_get(&c.bucket, "k", None, Duration::from_secs(60))
        .unwrap();
    assert!(url.contains("eu-west-3"), "{url}");
}

#[tokio::test]
async fn ok_with_error_body_is_an_error_and_retried() {
    let c = ctx("ok_error_body").await;
    let Some(server) = c.target.local() else {
        return skip(
            "ok_with_error_body_is_an_error_and_retried",
            "needs fault injection (in-process server)",
        );
    };
    c.put("src", b"data").await;
    server.set_faults(Faults {
        ok_error_body: 1,
        ..Faults::default()
    });
    c.client
        .copy_object(
            &c.bucket,
            "src",
            None,
            &c.bucket,
            "dst",
            MetadataDirective::Copy,
            &ObjectHeaders::default(),
        )
        .await
        .unwrap();
    assert_eq!(c.client.retries_total(), 1);
    let dir = tempfile::tempdir().unwrap();
    let no_retry = client_for(&c.target, dir.path(), None, 0).await;
    server.set_faults(Faults {
        ok_error_body: 1,
        ..Faults::default()
    });
    let e = no_retry
        .copy_object(
            &c.bucket,
            "src",
            None,
            &c.bucket,
            "dst2",
            MetadataDirective::Copy,
            &ObjectHeaders::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::ServerError, "{e}");
    assert_eq!(e.code.as_deref(), Some("InternalError"));
    let id = no_retry
        .create_multipart_upload(&c.bucket, "mp", &ObjectHeaders::default())
        .await
        .unwrap();
    let p = no_retry
        .upload_part(
            &c.bucket,
            "mp",
            &id,
            1,
            PutBody::Bytes(Bytes::from_static(b"part")),
        )
        .await
        .unwrap();
    server.set_faults(Faults {
        ok_error_body: 1,
        ..Faults::default()
    });
    let e = no_retry
        .complete_multipart_upload(&c.bucket, "mp", &id, std::slice::from_ref(&p))
        .await
        .unwrap_err();
    assert_eq!(e.code.as_deref(), Some("InternalError"), "{e}");
    no_retry
        .complete_multipart_upload(&c.bucket, "mp", &id, &[p])
        .await
        .unwrap();
    same(&c.get("mp", None).await.unwrap(), b"part", "completed");
}
