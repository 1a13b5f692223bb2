//! Second runs of `sync` copy nothing, in every direction and on every server kind
//! (issue 15): local → S3, S3 → local, S3 → S3, and the local → S3 → local round
//! trip, run with the built binary against `support::Target::from_env()` — the
//! in-process server by default, moto or rclone when `scripts/test-external.sh`
//! starts them.
//!
//! The local files carry mtimes with sub-millisecond nanoseconds. `rclone serve s3`
//! reports the `mtime` metadata s5rs stores as the object's LastModified, in
//! milliseconds; before times were compared at the precision both sides keep
//! (`src/plan/compare.rs`), every such file looked newer than its object by a
//! fraction of a millisecond and was copied again on every run.
//!
//! Every run uses `--json`: a second run must print one skip record per pair (the
//! default log level prints skips in JSON) and no copy record, and the data —
//! the objects' keys, sizes, ETags and listing times, the objects' content, the local
//! files' content and nanosecond mtimes — must be what the first run left.

mod support;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use filetime::FileTime;
use serde_json::Value;
use support::Target;

/// sync's skip reason for a pair that is up to date (s5cmd's text).
const UP_TO_DATE: &str = "object is newer or same age and object size matches";

/// Files per tree: enough that a partial re-copy shows.
const FILES: usize = 20;

/// One test's world: a server, a scratch directory, a fresh bucket.
struct World {
    target: Target,
    dir: tempfile::TempDir,
    bucket: String,
}

/// A finished run.
struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

impl World {
    fn new(test: &str) -> World {
        let world = World {
            target: Target::from_env(),
            dir: tempfile::tempdir().unwrap(),
            bucket: bucket_name(test),
        };
        world.make_bucket(&world.bucket);
        world
    }

    fn make_bucket(&self, bucket: &str) {
        self.make_bucket_at(self.target.endpoint(), bucket);
    }

    fn make_bucket_at(&self, endpoint: &str, bucket: &str) {
        let ran = self.run_at(endpoint, &["mb", &format!("s3://{bucket}")]);
        assert_eq!(ran.code, 0, "mb {bucket}: {}", ran.stderr);
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// The binary, in the scratch directory, talking to the target.
    fn command(&self, args: &[&str]) -> Command {
        self.command_at(self.target.endpoint(), args)
    }

    /// The binary, in the scratch directory, talking to `endpoint` with the
    /// target's keys.
    fn command_at(&self, endpoint: &str, args: &[&str]) -> Command {
        let (ak, sk) = self.target.keys();
        let mut c = Command::new(env!("CARGO_BIN_EXE_s5rs"));
        c.current_dir(self.dir.path())
            .env("AWS_ACCESS_KEY_ID", ak)
            .env("AWS_SECRET_ACCESS_KEY", sk)
            .env("AWS_REGION", "us-east-1")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_SESSION_TOKEN")
            .env("AWS_CONFIG_FILE", "/nonexistent")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .args(["--endpoint-url", endpoint])
            .args(args)
            .stdin(Stdio::null());
        c
    }

    /// Runs the binary to completion against `endpoint`.
    fn run_at(&self, endpoint: &str, args: &[&str]) -> Ran {
        let out = self.command_at(endpoint, args).output().expect("run s5rs");
        Ran {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `--json sync ARGS`: every stdout line parsed (each must be a JSON object);
    /// the run must succeed.
    fn sync(&self, args: &[&str]) -> Vec<Value> {
        self.sync_at(self.target.endpoint(), &[], args)
    }

    /// `--json GLOBALS sync ARGS` against `endpoint` (the destination's, with
    /// `--source-endpoint-url` among the globals for a copy between servers).
    fn sync_at(&self, endpoint: &str, globals: &[&str], args: &[&str]) -> Vec<Value> {
        let mut all = vec!["--json"];
        all.extend_from_slice(globals);
        all.push("sync");
        all.extend_from_slice(args);
        let ran = self.run_at(endpoint, &all);
        assert_eq!(
            ran.code, 0,
            "sync {args:?} failed\nstdout:\n{}\nstderr:\n{}",
            ran.stdout, ran.stderr
        );
        records(&ran.stdout)
    }

    /// The objects under `s3://bucket/prefix`: key → (size, ETag, listing time).
    fn listing(&self, bucket: &str, prefix: &str) -> BTreeMap<String, (u64, String, String)> {
        self.listing_at(self.target.endpoint(), bucket, prefix)
    }

    /// [`World::listing`] on the server at `endpoint`.
    fn listing_at(
        &self,
        endpoint: &str,
        bucket: &str,
        prefix: &str,
    ) -> BTreeMap<String, (u64, String, String)> {
        let ran = self.run_at(
            endpoint,
            &["--json", "ls", &format!("s3://{bucket}/{prefix}*")],
        );
        assert_eq!(ran.code, 0, "ls: {}", ran.stderr);
        records(&ran.stdout)
            .into_iter()
            .filter(|r| r["type"] == "file")
            .map(|r| {
                (
                    r["key"].as_str().unwrap().to_string(),
                    (
                        r["size"].as_u64().unwrap(),
                        r["etag"].as_str().unwrap_or_default().to_string(),
                        r["last_modified"].as_str().unwrap_or_default().to_string(),
                    ),
                )
            })
            .collect()
    }

    /// One object's content.
    fn cat(&self, url: &str) -> Vec<u8> {
        let out = self.command(&["cat", url]).output().expect("run s5rs cat");
        assert!(out.status.success(), "cat {url}");
        out.stdout
    }

    /// Writes `body` to `url` with `pipe`, which stores no `mtime` metadata.
    fn pipe(&self, url: &str, body: &[u8]) {
        let mut child = self
            .command(&["pipe", url])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("run s5rs pipe");
        child.stdin.take().unwrap().write_all(body).unwrap();
        assert!(child.wait().unwrap().success(), "pipe {url}");
    }
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

fn records(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            assert!(v.is_object(), "not a record: {l}");
            v
        })
        .collect()
}

/// The relative paths of the fixture tree: nested up to three levels.
fn names() -> Vec<String> {
    (0..FILES)
        .map(|i| match i % 4 {
            0 => format!("top{i}.txt"),
            1 => format!("a/file{i}.txt"),
            2 => format!("a/b/file{i}.bin"),
            _ => format!("c/d/e/file{i}.dat"),
        })
        .collect()
}

/// Writes the fixture tree under `root`: varied sizes, and mtimes in the past with
/// sub-millisecond nanoseconds (`.123456789` and neighbours), so a comparison at
/// nanosecond precision against a millisecond listing sees every file as newer.
fn write_tree(root: &Path) {
    for (i, name) in names().iter().enumerate() {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let body = format!("{name} {}\n", "x".repeat(i * 37));
        std::fs::write(&path, body).unwrap();
        let secs = 1_700_000_000 + 7 * i as i64;
        let nanos = 123_456_789 + 1_013 * i as u32;
        filetime::set_file_mtime(&path, FileTime::from_unix_time(secs, nanos)).unwrap();
    }
}

/// Every file under `root`: relative path → (content, mtime in nanoseconds).
fn snapshot(root: &Path) -> BTreeMap<String, (Vec<u8>, i128)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let meta = std::fs::metadata(&path).unwrap();
            let t = FileTime::from_last_modification_time(&meta);
            let ns = i128::from(t.unix_seconds()) * 1_000_000_000 + i128::from(t.nanoseconds());
            let rel = path.strip_prefix(root).unwrap().to_string_lossy();
            out.insert(rel.into_owned(), (std::fs::read(&path).unwrap(), ns));
        }
    }
    out
}

/// A first run: one successful copy record per file, none skipped.
fn assert_copied_all(recs: &[Value], what: &str) {
    assert_copied(recs, FILES, what);
}

fn assert_copied(recs: &[Value], n: usize, what: &str) {
    assert_eq!(recs.len(), n, "{what}: one record per file: {recs:#?}");
    for r in recs {
        assert_eq!(r["success"], true, "{what}: {r}");
        assert!(r.get("skipped").is_none(), "{what}: a copy expected: {r}");
    }
}

/// A second run: one skip record per pair, "up to date", and no copy.
fn assert_no_op(recs: &[Value], what: &str) {
    assert_no_op_of(recs, FILES, what);
}

fn assert_no_op_of(recs: &[Value], n: usize, what: &str) {
    let copies: Vec<&Value> = recs.iter().filter(|r| r.get("skipped").is_none()).collect();
    assert!(
        copies.is_empty(),
        "{what}: {} of {n} files copied again: {copies:#?}",
        copies.len()
    );
    assert_eq!(recs.len(), n, "{what}: one skip per pair: {recs:#?}");
    for r in recs {
        assert_eq!(r["operation"], "sync", "{what}: {r}");
        assert_eq!(r["success"], true, "{what}: {r}");
        assert_eq!(r["skipped"], UP_TO_DATE, "{what}: {r}");
    }
}

/// The objects under `s3://bucket/prefix` hold exactly the fixture's files.
fn assert_objects_hold(w: &World, bucket: &str, prefix: &str, local: &Path) {
    let files = snapshot(local);
    let listing = w.listing(bucket, prefix);
    let keys: Vec<String> = files
        .keys()
        .map(|k| format!("s3://{bucket}/{prefix}{k}"))
        .collect();
    assert_eq!(
        listing.keys().cloned().collect::<Vec<_>>(),
        keys,
        "object keys"
    );
    for (rel, (body, _)) in &files {
        let url = format!("s3://{bucket}/{prefix}{rel}");
        assert_eq!(w.cat(&url), *body, "content of {url}");
    }
}

/// Uploads the fixture tree `src/` to `s3://bucket/p/` (the first run).
fn upload_fixture(w: &World) {
    write_tree(&w.path("src"));
    assert_copied_all(
        &w.sync(&["src/", &format!("s3://{}/p/", w.bucket)]),
        "upload",
    );
}

#[test]
fn local_to_s3_second_run_copies_nothing() {
    let w = World::new("noop-up");
    upload_fixture(&w);
    let local = snapshot(&w.path("src"));
    let objects = w.listing(&w.bucket, "p/");
    assert_eq!(objects.len(), FILES);

    let again = w.sync(&["src/", &format!("s3://{}/p/", w.bucket)]);
    assert_no_op(&again, "second local → S3 sync");
    assert_eq!(
        w.listing(&w.bucket, "p/"),
        objects,
        "objects rewritten by the second run"
    );
    assert_eq!(snapshot(&w.path("src")), local, "local files changed");
    assert_objects_hold(&w, &w.bucket, "p/", &w.path("src"));
}

#[test]
fn s3_to_local_second_run_copies_nothing() {
    let w = World::new("noop-down");
    upload_fixture(&w);
    let src = format!("s3://{}/p/*", w.bucket);

    assert_copied_all(&w.sync(&[&src, "dst/"]), "first S3 → local sync");
    let downloaded = snapshot(&w.path("dst"));
    let original = snapshot(&w.path("src"));
    assert_eq!(
        downloaded, original,
        "downloads carry the content and the preserved nanosecond mtime"
    );
    let objects = w.listing(&w.bucket, "p/");

    let again = w.sync(&[&src, "dst/"]);
    assert_no_op(&again, "second S3 → local sync");
    assert_eq!(
        snapshot(&w.path("dst")),
        downloaded,
        "local files rewritten"
    );
    assert_eq!(w.listing(&w.bucket, "p/"), objects, "objects changed");
}

#[test]
fn s3_to_s3_second_run_copies_nothing() {
    let w = World::new("noop-s3s3");
    upload_fixture(&w);
    let other = bucket_name("noop-s3s3-dst");
    w.make_bucket(&other);
    let src = format!("s3://{}/p/*", w.bucket);
    let dst = format!("s3://{other}/q/");

    assert_copied_all(&w.sync(&[&src, &dst]), "first S3 → S3 sync");
    let copied = w.listing(&other, "q/");
    assert_eq!(copied.len(), FILES);
    let sources = w.listing(&w.bucket, "p/");

    let again = w.sync(&[&src, &dst]);
    assert_no_op(&again, "second S3 → S3 sync");
    assert_eq!(w.listing(&other, "q/"), copied, "copies rewritten");
    assert_eq!(w.listing(&w.bucket, "p/"), sources, "sources changed");
    assert_objects_hold(&w, &other, "q/", &w.path("src"));

    // Within one bucket, to another prefix, too.
    let same = format!("s3://{}/r/", w.bucket);
    assert_copied_all(&w.sync(&[&src, &same]), "first S3 → S3 sync, same bucket");
    let copied = w.listing(&w.bucket, "r/");
    assert_no_op(&w.sync(&[&src, &same]), "second S3 → S3 sync, same bucket");
    assert_eq!(w.listing(&w.bucket, "r/"), copied, "copies rewritten");
}

#[test]
fn local_to_s3_to_local_round_trip_copies_nothing() {
    let w = World::new("noop-round-trip");
    upload_fixture(&w);
    let local = snapshot(&w.path("src"));
    let objects = w.listing(&w.bucket, "p/");

    // Back into the directory the objects came from: every pair is the same file.
    let back = w.sync(&[&format!("s3://{}/p/*", w.bucket), "src/"]);
    assert_no_op(&back, "S3 → the local source");
    assert_eq!(snapshot(&w.path("src")), local, "local files rewritten");

    // And the loop closes: up again, still nothing.
    let up = w.sync(&["src/", &format!("s3://{}/p/", w.bucket)]);
    assert_no_op(&up, "local → S3 after the round trip");
    assert_eq!(w.listing(&w.bucket, "p/"), objects, "objects rewritten");
}

#[test]
fn objects_without_a_stored_mtime_sync_down_once() {
    // Objects s5rs did not upload carry no `mtime` metadata: a download takes the
    // whole-second Last-Modified header as the file's mtime, while the listing may
    // have milliseconds — the second run must still see the pair as the same age.
    let w = World::new("noop-no-mtime");
    let n = 4;
    for i in 0..n {
        let body = format!("piped {i} {}\n", "y".repeat(i * 11));
        w.pipe(&format!("s3://{}/n/k{i}.txt", w.bucket), body.as_bytes());
    }
    let src = format!("s3://{}/n/*", w.bucket);
    assert_copied(&w.sync(&[&src, "dst/"]), n, "first S3 → local sync");
    let downloaded = snapshot(&w.path("dst"));
    assert_eq!(downloaded.len(), n);

    assert_no_op_of(&w.sync(&[&src, "dst/"]), n, "second S3 → local sync");
    assert_eq!(
        snapshot(&w.path("dst")),
        downloaded,
        "local files rewritten"
    );
    // And back up: the files are not newer than their objects.
    let up = w.sync(&["dst/", &format!("s3://{}/n/", w.bucket)]);
    assert_no_op_of(&up, n, "local → S3 after the download");
}

#[test]
fn s3_to_s3_between_servers_second_run_copies_nothing() {
    // The source is a second, in-process server (with the target's keys); the
    // destination is the target. Against rclone this is "S3 → rclone": the copy
    // carries the `mtime` metadata, which rclone then lists as its LastModified —
    // older than the source's upload time. And back: the target is the source.
    let w = World::new("noop-between");
    let (ak, sk) = w.target.keys();
    let other = support::TestServer::start_with_keys(ak, sk);
    let far = bucket_name("noop-between-far");
    w.make_bucket_at(&other.endpoint, &far);
    write_tree(&w.path("src"));
    let up = w.sync_at(&other.endpoint, &[], &["src/", &format!("s3://{far}/p/")]);
    assert_copied_all(&up, "upload to the other server");

    let from_other = ["--source-endpoint-url", other.endpoint.as_str()];
    let src = format!("s3://{far}/p/*");
    let dst = format!("s3://{}/q/", w.bucket);
    let first = w.sync_at(w.target.endpoint(), &from_other, &[&src, &dst]);
    assert_copied_all(&first, "first sync other server → target");
    let copied = w.listing(&w.bucket, "q/");
    assert_eq!(copied.len(), FILES);
    let again = w.sync_at(w.target.endpoint(), &from_other, &[&src, &dst]);
    assert_no_op(&again, "second sync other server → target");
    assert_eq!(w.listing(&w.bucket, "q/"), copied, "copies rewritten");
    assert_objects_hold(&w, &w.bucket, "q/", &w.path("src"));

    // Target → other server.
    let to_other = ["--source-endpoint-url", w.target.endpoint()];
    let src = format!("s3://{}/q/*", w.bucket);
    let dst = format!("s3://{far}/r/");
    let first = w.sync_at(&other.endpoint, &to_other, &[&src, &dst]);
    assert_copied_all(&first, "first sync target → other server");
    let copied = w.listing_at(&other.endpoint, &far, "r/");
    let again = w.sync_at(&other.endpoint, &to_other, &[&src, &dst]);
    assert_no_op(&again, "second sync target → other server");
    assert_eq!(
        w.listing_at(&other.endpoint, &far, "r/"),
        copied,
        "copies rewritten"
    );
}

#[test]
fn files_within_their_objects_listed_precision_sync_once() {
    // A file written and synced at once usually has an mtime in the same second as
    // its upload. AWS and moto keep whole seconds and list them as `X.000Z`: a file
    // written at X.4 is then the same age as its object, not newer, or every second
    // run would upload it again. Made deterministic here: after the first run each
    // file's mtime is moved to half a unit after its object's listed time, the unit
    // being the last digit the listing shows (a second for `X.000Z`, a millisecond
    // for `X.123Z`, as `ls` prints it with trailing zeros trimmed). Compared at
    // nanoseconds, every file would look newer — on every server kind.
    let w = World::new("noop-fresh");
    let root = w.path("src");
    for name in names() {
        let path = root.join(&name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, format!("fresh {name}\n")).unwrap();
    }
    let dst = format!("s3://{}/p/", w.bucket);
    assert_copied_all(&w.sync(&["src/", &dst]), "first sync");
    let objects = w.listing(&w.bucket, "p/");
    for name in names() {
        let (_, _, listed) = &objects[&format!("{dst}{name}")];
        let at = chrono::DateTime::parse_from_rfc3339(listed).unwrap();
        let digits = listed
            .split_once('.')
            .map_or(0, |(_, f)| f.trim_end_matches('Z').len() as u32);
        assert!(digits < 9, "listed at nanoseconds: {listed}");
        let half_unit = 5 * 10i64.pow(8 - digits);
        let ns = at.timestamp_subsec_nanos() as i64 + half_unit;
        let mtime = FileTime::from_unix_time(at.timestamp(), ns as u32);
        filetime::set_file_mtime(root.join(&name), mtime).unwrap();
    }
    let local = snapshot(&root);

    assert_no_op(&w.sync(&["src/", &dst]), "second sync");
    assert_eq!(w.listing(&w.bucket, "p/"), objects, "objects rewritten");
    assert_eq!(snapshot(&root), local, "local files changed");
}

#[test]
fn single_object_second_runs_copy_nothing() {
    // sync with one object or file on each side goes through HEAD, not listings.
    let w = World::new("noop-single");
    write_tree(&w.path("src"));
    let file = format!("src/{}", names()[2]);
    let obj = format!("s3://{}/one/k.bin", w.bucket);
    let copy = format!("s3://{}/two/k.bin", w.bucket);
    let pairs = [
        (file.as_str(), obj.as_str(), "local → S3"),
        (obj.as_str(), "down/k.bin", "S3 → local"),
        (obj.as_str(), copy.as_str(), "S3 → S3"),
        ("down/k.bin", obj.as_str(), "the download back up"),
    ];
    for (i, (src, dst, what)) in pairs.iter().enumerate() {
        let first = w.sync(&[src, dst]);
        if i < 3 {
            assert_copied(&first, 1, what);
        } else {
            assert_no_op_of(&first, 1, what);
        }
        assert_no_op_of(&w.sync(&[src, dst]), 1, what);
    }
    let body = std::fs::read(w.path(&file)).unwrap();
    assert_eq!(std::fs::read(w.path("down/k.bin")).unwrap(), body);
    assert_eq!(w.cat(&copy), body);
}
