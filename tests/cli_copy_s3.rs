//! `cp` S3→S3 acceptance cases (reference §8.5): server-side copies, destination
//! forms, odd keys, wildcards, raw keys, filters and metadata (COPY by default,
//! REPLACE when headers are given).

mod common;

use common::{TestEnv, sorted};
use s5rs::storage::{ContentHeaders, ObjectHeaders};

#[test]
fn single_copy_text_and_json() {
    let env = TestEnv::new();
    env.put("testfile1.txt", b"content");
    let out = env.run(&[
        "cp",
        "s3://bkt/testfile1.txt",
        "s3://bkt/copy_testfile1.txt",
    ]);
    out.ok();
    assert_eq!(
        out.stdout,
        "cp s3://bkt/testfile1.txt s3://bkt/copy_testfile1.txt\n"
    );
    assert_eq!(env.keys(), ["copy_testfile1.txt", "testfile1.txt"]);
    assert_eq!(env.get("copy_testfile1.txt").unwrap(), b"content");
    let out = env.run(&[
        "--json",
        "cp",
        "s3://bkt/testfile1.txt",
        "s3://bkt/copy2.txt",
    ]);
    out.ok();
    let r = &out.records()[0];
    assert_eq!(r.operation, "cp");
    assert_eq!(r.source.as_deref(), Some("s3://bkt/testfile1.txt"));
    assert_eq!(r.destination.as_deref(), Some("s3://bkt/copy2.txt"));
    let o = r.object.as_ref().unwrap();
    assert_eq!(o.key.as_deref(), Some("s3://bkt/copy2.txt"));
    assert_eq!(o.kind, "file");
}

#[test]
fn destination_forms() {
    let env = TestEnv::new();
    env.make_bucket("bkt2");
    env.put("testfile1.txt", b"x");
    for (args, printed) in [
        (
            vec!["cp", "s3://bkt/testfile1.txt", "s3://bkt2/"],
            "s3://bkt2/testfile1.txt",
        ),
        (
            vec!["cp", "--flatten", "s3://bkt/testfile1.txt", "s3://bkt2/f/"],
            "s3://bkt2/f/testfile1.txt",
        ),
        (
            vec!["cp", "s3://bkt/testfile1.txt", "s3://bkt2/testfile1.txt"],
            "s3://bkt2/testfile1.txt",
        ),
        (
            vec!["cp", "s3://bkt/testfile1.txt", "s3://bkt/prefix/"],
            "s3://bkt/prefix/testfile1.txt",
        ),
    ] {
        let out = env.run(&args);
        out.ok();
        assert_eq!(out.stdout, format!("cp s3://bkt/testfile1.txt {printed}\n"));
    }
    assert_eq!(env.keys_in("bkt2"), ["f/testfile1.txt", "testfile1.txt"]);
    assert_eq!(env.keys(), ["prefix/testfile1.txt", "testfile1.txt"]);
}

#[test]
fn odd_keys_copy_verbatim() {
    let env = TestEnv::new();
    env.make_bucket("dst");
    let keys = [
        "sub&@$/test+1.txt",
        "sub:,?/test; =2.txt",
        "test&@$:,?;= 3.txt",
        "sub///test&@$:,?;= 4.txt",
        "sub/this-is-normal-file.txt",
    ];
    for k in keys {
        env.put(k, k.as_bytes());
    }
    env.run(&["cp", "s3://bkt/*", "s3://dst/"]).ok();
    assert_eq!(env.keys_in("dst"), sorted(&keys));
    assert_eq!(
        env.get_in("dst", "sub///test&@$:,?;= 4.txt").unwrap(),
        b"sub///test&@$:,?;= 4.txt"
    );
}

#[test]
fn wildcard_copies() {
    let env = TestEnv::new();
    for k in ["f1.txt", "f2.txt", "a/f3.txt", "a/b/f4.txt"] {
        env.put(k, b"x");
    }
    let out = env.run(&["cp", "s3://bkt/*", "s3://bkt/dst/"]);
    out.ok();
    assert_eq!(out.lines().len(), 4);
    assert!(
        out.stdout
            .contains("cp s3://bkt/a/b/f4.txt s3://bkt/dst/a/b/f4.txt\n")
    );
    let out = env.run(&["cp", "--flatten", "s3://bkt/a/*", "s3://bkt/flat/"]);
    out.ok();
    let out = env.run(&["cp", "s3://bkt/*", "s3://bkt/dst"]);
    out.code(1);
    assert_eq!(
        out.stderr,
        "ERROR \"cp s3://bkt/* s3://bkt/dst\": target \"s3://bkt/dst\" must be a bucket or a prefix\n"
    );
    assert_eq!(
        env.keys(),
        sorted(&[
            "a/b/f4.txt",
            "a/f3.txt",
            "dst/a/b/f4.txt",
            "dst/a/f3.txt",
            "dst/f1.txt",
            "dst/f2.txt",
            "f1.txt",
            "f2.txt",
            "flat/f3.txt",
            "flat/f4.txt",
        ])
    );
}

#[test]
fn size_and_newer_flags() {
    let env = TestEnv::new();
    env.put("config/.local/folder1/file1.txt", b"1");
    env.put("config/.local/folder2/file2.txt", b"2");
    let out = env.run(&[
        "cp",
        "-u",
        "-s",
        "s3://bkt/config/.local/*",
        "s3://bkt/.local/",
    ]);
    out.ok();
    assert_eq!(
        out.sorted(),
        sorted(&[
            "cp s3://bkt/config/.local/folder1/file1.txt s3://bkt/.local/folder1/file1.txt",
            "cp s3://bkt/config/.local/folder2/file2.txt s3://bkt/.local/folder2/file2.txt",
        ])
    );
    // Again: same sizes, not newer — skipped.
    let out = env.run(&[
        "--json",
        "cp",
        "-u",
        "-s",
        "s3://bkt/config/.local/*",
        "s3://bkt/.local/",
    ]);
    out.ok();
    assert!(
        out.records()
            .iter()
            .all(|r| r.success && r.skipped.is_some())
    );
    let out = env.run(&[
        "--json",
        "cp",
        "-n",
        "s3://bkt/config/.local/folder1/file1.txt",
        "s3://bkt/.local/folder1/",
    ]);
    out.ok();
    assert_eq!(
        out.records()[0].skipped.as_deref(),
        Some("object already exists")
    );
}

#[test]
fn metadata_is_kept_unless_headers_are_given() {
    let env = TestEnv::new();
    let headers = ObjectHeaders {
        content: ContentHeaders {
            content_type: Some("text/x-custom".into()),
            ..Default::default()
        },
        metadata: vec![
            ("Key1".into(), "value1".into()),
            ("Key2".into(), "value2".into()),
        ],
        ..ObjectHeaders::default()
    };
    env.put_in("bkt", "index", b"<html>", &headers);
    env.run(&["cp", "s3://bkt/index", "s3://bkt/index_copy"])
        .ok();
    let m = env.head_in("bkt", "index_copy");
    assert_eq!(m.metadata.get("key1").map(String::as_str), Some("value1"));
    assert_eq!(m.content.content_type.as_deref(), Some("text/x-custom"));
    for extra in [&[][..], &["--metadata-directive", "REPLACE"][..]] {
        let mut args = vec!["cp"];
        args.extend_from_slice(extra);
        args.extend([
            "--metadata",
            "Key1=foo",
            "--metadata",
            "Key2=bar",
            "s3://bkt/index",
            "s3://bkt/index_cp",
        ]);
        env.run(&args).ok();
        let m = env.head_in("bkt", "index_cp");
        assert_eq!(m.metadata.get("key1").map(String::as_str), Some("foo"));
        assert_eq!(m.metadata.get("key2").map(String::as_str), Some("bar"));
    }
}

#[test]
fn raw_keys() {
    let env = TestEnv::new();
    env.make_bucket("dst");
    for k in ["file*.txt", "file*1.txt", "file*.py", "file*/file.txt"] {
        env.put(k, b"x");
    }
    let out = env.run(&["cp", "--raw", "s3://bkt/file*.txt", "s3://dst"]);
    out.ok();
    assert_eq!(out.stdout, "cp s3://bkt/file*.txt s3://dst/file*.txt\n");
    assert_eq!(env.keys_in("dst"), ["file*.txt"]);
    let out = env.run(&["cp", "--raw", "s3://bkt/file*", "s3://dst"]);
    out.code(1);
    assert!(
        out.stderr
            .starts_with("ERROR \"cp s3://bkt/file* s3://dst/file*\": NoSuchKey"),
        "{}",
        out.stderr
    );
}

#[test]
fn exclude_filters() {
    let env = TestEnv::new();
    env.make_bucket("dst");
    for k in [
        "file.txt",
        "file1.txt",
        "readme.md",
        "main.py",
        "main.c",
        "main/file.txt",
    ] {
        env.put(k, b"x");
    }
    env.run(&["cp", "--exclude", "main*", "s3://bkt/*", "s3://dst/"])
        .ok();
    assert_eq!(
        env.keys_in("dst"),
        sorted(&["file.txt", "file1.txt", "readme.md"])
    );
    env.make_bucket("dst2");
    env.run(&[
        "cp",
        "--exclude",
        "main*",
        "--exclude",
        "*.md",
        "s3://bkt/*",
        "s3://dst2/",
    ])
    .ok();
    assert_eq!(env.keys_in("dst2"), sorted(&["file.txt", "file1.txt"]));
}

#[test]
fn content_type_flag() {
    let env = TestEnv::new();
    env.make_bucket("dst");
    env.put("testfile.txt", b"x");
    env.put("other.txt", b"y");
    env.run(&[
        "cp",
        "--content-type",
        "video/avi",
        "s3://bkt/testfile.txt",
        "s3://dst/",
    ])
    .ok();
    assert_eq!(
        env.head_in("dst", "testfile.txt")
            .content
            .content_type
            .as_deref(),
        Some("video/avi")
    );
    env.run(&[
        "cp",
        "--content-type",
        "video/avi",
        "s3://bkt/*",
        "s3://dst/all/",
    ])
    .ok();
    for k in ["all/other.txt", "all/testfile.txt"] {
        assert_eq!(
            env.head_in("dst", k).content.content_type.as_deref(),
            Some("video/avi")
        );
    }
}
