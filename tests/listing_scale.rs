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

    // ls: every key, in byte order, at every concurrency (a wildcard lists no
    // folder objects).
    let ls = same_at_every_concurrency(&server, cwd, &["--json", "ls", "s3://lst/*"]);
    let want: Vec<String> = keys
        .iter()
        .filter(|k| !k.ends_with('/'))
        .map(|k| format!("s3://lst/{k}"))
        .collect();
    assert_same(&field(&ls, "key"), &want, "ls keys");

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
