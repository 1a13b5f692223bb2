//! `sync` against a real S3 server on 127.0.0.1: the reference's §8.8 cases and the
//! s5rs guarantees — idempotent second runs in all three directions, no-op round
//! trips with preserved mtimes, `--checksum`, filters relative to the roots and
//! respected by `--delete`, wildcard scope, delete safety on listing failures,
//! `--max-delete`, idempotent single-object sync. Where s5rs deliberately differs
//! from s5cmd the test says so.

mod common;

use common::{BUCKET, TestEnv, sorted};
use s5rs::record::Record;

/// The copy lines of a text-mode run (skips go to stderr at debug level).
fn lines(out: &common::Outcome) -> Vec<String> {
    out.sorted()
}

fn tree(env: &TestEnv, files: &[(&str, &str)]) {
    for (p, c) in files {
        env.write_file(p, c.as_bytes());
    }
}

#[test]
fn command_flags_that_sync_does_not_take_are_usage_errors() {
    let env = TestEnv::new();
    env.put("source.go", b"package main");
    let out = env.run(&["sync", "-n", "s3://bkt/source.go", "."]);
    out.code(2);
    assert!(
        out.stderr.contains("flag provided but not defined: -n"),
        "{}",
        out.stderr
    );
    assert!(env.files().is_empty());
}

#[test]
fn local_to_local_is_refused() {
    let env = TestEnv::new();
    env.write_file("d1/a", b"a");
    std::fs::create_dir_all(env.local("d2")).unwrap();
    let out = env.run(&["sync", "d1", "d2"]);
    out.code(1);
    assert_eq!(
        out.stderr.trim(),
        r#"ERROR "sync d1 d2": local->local copy operations are not permitted"#
    );
}

#[test]
fn single_object_download_is_idempotent() {
    let env = TestEnv::new();
    env.put("source.go", b"package main");
    env.put("dir/source.go", b"package dir");
    let out = env.run(&["sync", "s3://bkt/source.go", "."]);
    out.ok();
    assert_eq!(lines(&out), ["cp s3://bkt/source.go source.go"]);
    assert_eq!(env.read_file("source.go").unwrap(), b"package main");
    let again = env.run(&["sync", "s3://bkt/source.go", "."]);
    again.ok();
    assert!(
        again.stdout.is_empty(),
        "second run copied: {}",
        again.stdout
    );

    let out = env.run(&["sync", "s3://bkt/dir/source.go", "folder/"]);
    out.ok();
    assert_eq!(lines(&out), ["cp s3://bkt/dir/source.go folder/source.go"]);
    assert!(
        env.run(&["sync", "s3://bkt/dir/source.go", "folder/"])
            .ok()
            .stdout
            .is_empty()
    );
}

#[test]
fn single_file_upload_is_idempotent_for_every_destination_form() {
    let env = TestEnv::new();
    env.write_file("testfile1.txt", b"hello");
    for (dst, key) in [
        ("s3://bkt", "testfile1.txt"),
        ("s3://bkt/dir/", "dir/testfile1.txt"),
        ("s3://bkt/x/renamed.txt", "x/renamed.txt"),
    ] {
        let out = env.run(&["sync", "testfile1.txt", dst]);
        out.ok();
        assert_eq!(lines(&out), [format!("cp testfile1.txt s3://bkt/{key}")]);
        assert_eq!(env.get(key).unwrap(), b"hello");
        let again = env.run(&["sync", "testfile1.txt", dst]);
        again.ok();
        assert!(
            again.stdout.is_empty(),
            "{dst}: second run copied: {}",
            again.stdout
        );
    }
}

#[test]
fn single_object_to_explicit_names_is_idempotent() {
    // s5cmd re-copies forever (§4.7) and writes d/renamed.txt/a.txt.
    let env = TestEnv::new();
    env.put("a.txt", b"alpha");
    let out = env.run(&["sync", "s3://bkt/a.txt", "s3://bkt/x/renamed.txt"]);
    out.ok();
    assert_eq!(lines(&out), ["cp s3://bkt/a.txt s3://bkt/x/renamed.txt"]);
    assert!(
        env.run(&["sync", "s3://bkt/a.txt", "s3://bkt/x/renamed.txt"])
            .ok()
            .stdout
            .is_empty()
    );
    let out = env.run(&["sync", "s3://bkt/a.txt", "d/renamed.txt"]);
    out.ok();
    assert_eq!(env.read_file("d/renamed.txt").unwrap(), b"alpha");
    assert!(
        env.run(&["sync", "s3://bkt/a.txt", "d/renamed.txt"])
            .ok()
            .stdout
            .is_empty()
    );
}

#[test]
fn raw_source_and_rerun() {
    let env = TestEnv::new();
    tree(&env, &[("file*.txt", "star"), ("file1.txt", "one")]);
    let out = env.run(&["sync", "--raw", "file*.txt", "s3://bkt/prefix/"]);
    out.ok();
    assert_eq!(lines(&out), ["cp file*.txt s3://bkt/prefix/file*.txt"]);
    assert_eq!(env.keys(), ["prefix/file*.txt"]);
    assert!(
        env.run(&["sync", "--raw", "file*.txt", "s3://bkt/prefix/"])
            .ok()
            .stdout
            .is_empty()
    );
}

#[test]
fn directory_to_bucket_then_no_op() {
    let env = TestEnv::new();
    tree(
        &env,
        &[
            ("dir/testfile.txt", "t"),
            ("dir/readme.md", "r"),
            ("dir/a/another_test_file.txt", "a"),
            ("dir/b/filename-with-hypen.gz", "b"),
        ],
    );
    let out = env.run(&["sync", "dir/", "s3://bkt/"]);
    out.ok();
    assert_eq!(
        lines(&out),
        sorted(&[
            "cp dir/a/another_test_file.txt s3://bkt/a/another_test_file.txt",
            "cp dir/b/filename-with-hypen.gz s3://bkt/b/filename-with-hypen.gz",
            "cp dir/readme.md s3://bkt/readme.md",
            "cp dir/testfile.txt s3://bkt/testfile.txt",
        ])
    );
    assert_eq!(env.get("a/another_test_file.txt").unwrap(), b"a");
    let again = env.run(&["--json", "sync", "dir/", "s3://bkt/"]);
    again.ok();
    let records: Vec<Record> = again.records();
    assert_eq!(records.len(), 4, "one skip record per up-to-date pair");
    assert!(
        records
            .iter()
            .all(|r| r.operation == "sync" && r.success && r.skipped.is_some())
    );
}

#[test]
fn glob_source_keeps_relative_paths() {
    let env = TestEnv::new();
    tree(
        &env,
        &[
            ("dir/parent/child1/name.txt", "1"),
            ("dir/parent/child2/name.txt", "2"),
        ],
    );
    let out = env.run(&["sync", "dir/parent/*/name.txt", "s3://bkt/newfolder/"]);
    out.ok();
    assert_eq!(
        env.keys(),
        ["newfolder/child1/name.txt", "newfolder/child2/name.txt"]
    );
}

#[test]
fn bucket_to_local_and_to_another_prefix_then_no_op() {
    let env = TestEnv::new();
    for (k, v) in [
        ("a/1.txt", "1"),
        ("a/b/2.txt", "2"),
        ("3.txt", "3"),
        ("c/4.txt", "4"),
    ] {
        env.put(k, v.as_bytes());
    }
    let out = env.run(&["sync", "s3://bkt/*", "dir/"]);
    out.ok();
    assert_eq!(out.lines().len(), 4);
    assert_eq!(env.read_file("dir/a/b/2.txt").unwrap(), b"2");
    assert!(
        env.run(&["sync", "s3://bkt/*", "dir/"])
            .ok()
            .stdout
            .is_empty(),
        "S3→local rerun"
    );

    let out = env.run(&["sync", "s3://bkt/*", "s3://bkt/copy/prefix/"]);
    out.ok();
    assert_eq!(
        lines(&out),
        sorted(&[
            "cp s3://bkt/3.txt s3://bkt/copy/prefix/3.txt",
            "cp s3://bkt/a/1.txt s3://bkt/copy/prefix/a/1.txt",
            "cp s3://bkt/a/b/2.txt s3://bkt/copy/prefix/a/b/2.txt",
            "cp s3://bkt/c/4.txt s3://bkt/copy/prefix/c/4.txt",
        ])
    );
    assert_eq!(env.get("copy/prefix/a/b/2.txt").unwrap(), b"2");
    let again = env.run(&["sync", "s3://bkt/a/*", "s3://bkt/copy/prefix/a/"]);
    again.ok();
    assert!(again.stdout.is_empty(), "S3→S3 rerun: {}", again.stdout);
}

#[test]
fn older_local_files_of_equal_size_are_skipped_newer_ones_uploaded() {
    let env = TestEnv::new();
    for k in ["a.txt", "b.txt"] {
        env.put(k, b"remote");
    }
    tree(&env, &[("dir/a.txt", "LOCAL!"), ("dir/b.txt", "LOCAL!")]);
    env.set_mtime("dir/a.txt", -600);
    env.set_mtime("dir/b.txt", -600);
    let out = env.run(&["--log", "debug", "sync", "dir/", "s3://bkt/"]);
    out.code(0);
    assert!(out.stdout.is_empty());
    assert_eq!(
        out.err_sorted(),
        sorted(&[
            r#"DEBUG "sync dir/a.txt s3://bkt/a.txt": object is newer or same age and object size matches"#,
            r#"DEBUG "sync dir/b.txt s3://bkt/b.txt": object is newer or same age and object size matches"#,
        ])
    );
    assert_eq!(env.get("a.txt").unwrap(), b"remote");
    env.set_mtime("dir/a.txt", 600);
    let out = env.run(&["sync", "dir/", "s3://bkt/"]);
    out.ok();
    assert_eq!(lines(&out), ["cp dir/a.txt s3://bkt/a.txt"]);
    assert_eq!(env.get("a.txt").unwrap(), b"LOCAL!");
}

#[test]
fn download_direction_respects_time_and_size_only() {
    let env = TestEnv::new();
    env.put("new.txt", b"remote");
    env.put("same.txt", b"remote");
    env.put("bigger.txt", b"remote-bigger");
    tree(
        &env,
        &[
            ("dir/new.txt", "LOCAL!"),
            ("dir/same.txt", "LOCAL!"),
            ("dir/bigger.txt", "x"),
        ],
    );
    // Local copies newer than the objects: equal sizes are kept.
    env.set_mtime("dir/new.txt", 600);
    env.set_mtime("dir/same.txt", 600);
    let out = env.run(&["sync", "s3://bkt/*", "dir/"]);
    out.ok();
    assert_eq!(lines(&out), ["cp s3://bkt/bigger.txt dir/bigger.txt"]);
    assert_eq!(env.read_file("dir/new.txt").unwrap(), b"LOCAL!");
    // Older local copy: downloaded.
    env.set_mtime("dir/new.txt", -600);
    let out = env.run(&["sync", "s3://bkt/*", "dir/"]);
    out.ok();
    assert_eq!(lines(&out), ["cp s3://bkt/new.txt dir/new.txt"]);
    assert_eq!(env.read_file("dir/new.txt").unwrap(), b"remote");
    // --size-only ignores times.
    env.set_mtime("dir/same.txt", -600);
    let out = env.run(&[
        "--log",
        "debug",
        "sync",
        "--size-only",
        "s3://bkt/*",
        "dir/",
    ]);
    out.code(0);
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr
            .contains(r#"DEBUG "sync s3://bkt/same.txt dir/same.txt": object size matches"#)
    );
}

#[test]
fn s3_to_s3_copies_only_newer_sources() {
    let env = TestEnv::new();
    env.put("dst/old.txt", b"aaaa");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    env.put("src/old.txt", b"bbbb"); // source newer
    env.put("src/main.py", b"print()");
    env.put("dst/main.py", b"x");
    let out = env.run(&["sync", "s3://bkt/src/*", "s3://bkt/dst/"]);
    out.ok();
    assert_eq!(
        lines(&out),
        sorted(&[
            "cp s3://bkt/src/main.py s3://bkt/dst/main.py",
            "cp s3://bkt/src/old.txt s3://bkt/dst/old.txt"
        ])
    );
    // Now the destination is newer: nothing to do.
    assert!(
        env.run(&["sync", "s3://bkt/src/*", "s3://bkt/dst/"])
            .ok()
            .stdout
            .is_empty()
    );
    assert_eq!(env.get("dst/old.txt").unwrap(), b"bbbb");
}

#[test]
fn round_trip_with_preserved_mtimes_is_a_no_op() {
    let env = TestEnv::new();
    tree(&env, &[("a/x.txt", "x"), ("a/sub/y.txt", "yy")]);
    env.set_mtime("a/x.txt", -86_400);
    env.run(&["sync", "a/", "s3://bkt/t/"]).ok();
    let meta = env.head_in(BUCKET, "t/x.txt");
    assert!(
        meta.metadata.contains_key("mtime"),
        "uploads preserve the mtime: {:?}",
        meta.metadata
    );
    env.run(&["sync", "s3://bkt/t/*", "b/"]).ok();
    let original = std::fs::metadata(env.local("a/x.txt"))
        .unwrap()
        .modified()
        .unwrap();
    let restored = std::fs::metadata(env.local("b/x.txt"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(original, restored, "downloads restore the preserved mtime");
    // Second pass in every direction: nothing moves.
    assert!(
        env.run(&["sync", "b/", "s3://bkt/t/"])
            .ok()
            .stdout
            .is_empty()
    );
    assert!(
        env.run(&["sync", "s3://bkt/t/*", "b/"])
            .ok()
            .stdout
            .is_empty()
    );
    assert!(
        env.run(&["sync", "a/", "s3://bkt/t/"])
            .ok()
            .stdout
            .is_empty()
    );
}

#[test]
fn checksum_catches_a_same_size_same_mtime_edit() {
    let env = TestEnv::new();
    env.write_file("d/f.txt", b"version one");
    env.set_mtime("d/f.txt", -3600);
    env.run(&["sync", "d/", "s3://bkt/"]).ok();
    let mtime = std::fs::metadata(env.local("d/f.txt"))
        .unwrap()
        .modified()
        .unwrap();
    env.write_file("d/f.txt", b"version two");
    filetime::set_file_mtime(
        env.local("d/f.txt"),
        filetime::FileTime::from_system_time(mtime),
    )
    .unwrap();
    // Size and time say "up to date"…
    assert!(env.run(&["sync", "d/", "s3://bkt/"]).ok().stdout.is_empty());
    assert_eq!(env.get("f.txt").unwrap(), b"version one");
    // …content does not.
    let out = env.run(&["sync", "--checksum", "d/", "s3://bkt/"]);
    out.ok();
    assert_eq!(lines(&out), ["cp d/f.txt s3://bkt/f.txt"]);
    assert_eq!(env.get("f.txt").unwrap(), b"version two");
    // Unchanged content is never re-sent.
    let out = env.run(&["--json", "sync", "--checksum", "d/", "s3://bkt/"]);
    out.ok();
    let records = out.records();
    assert_eq!(records.len(), 1);
    assert_eq!(
        records[0].skipped.as_deref(),
        Some("object content matches")
    );
}

#[test]
fn delete_removes_what_is_gone_from_the_source() {
    let env = TestEnv::new();
    env.put("contributing.md", b"c");
    tree(
        &env,
        &[
            ("dir/testfile.txt", "t"),
            ("dir/readme.md", "r"),
            ("dir/sub/main.py", "m"),
        ],
    );
    let out = env.run(&["sync", "--delete", "s3://bkt/*", "dir/"]);
    out.ok();
    assert_eq!(
        lines(&out),
        sorted(&[
            "cp s3://bkt/contributing.md dir/contributing.md",
            "rm dir/readme.md",
            "rm dir/sub/main.py",
            "rm dir/testfile.txt",
        ])
    );
    assert_eq!(env.files(), ["dir/contributing.md"]);
    assert!(
        !env.local("dir/sub").exists(),
        "directories left empty are removed"
    );

    // local → S3
    let env = TestEnv::new();
    for k in ["readme.md", "testfile.txt", "dir/main.py"] {
        env.put(k, b"old");
    }
    env.write_file("src/contributing.md", b"c");
    let out = env.run(&["sync", "--delete", "src/", "s3://bkt/"]);
    out.ok();
    assert_eq!(
        lines(&out),
        sorted(&[
            "cp src/contributing.md s3://bkt/contributing.md",
            "rm s3://bkt/dir/main.py",
            "rm s3://bkt/readme.md",
            "rm s3://bkt/testfile.txt",
        ])
    );
    assert_eq!(env.keys(), ["contributing.md"]);
}

#[test]
fn delete_from_an_empty_directory_empties_the_destination() {
    let env = TestEnv::new();
    for i in 0..2500 {
        env.put(&format!("file_{i:06}"), b"x");
    }
    std::fs::create_dir_all(env.local("empty")).unwrap();
    let out = env.run(&["sync", "--delete", "empty/", "s3://bkt/"]);
    out.ok();
    assert_eq!(out.lines().len(), 2500);
    assert!(
        out.lines()
            .iter()
            .all(|l| l.starts_with("rm s3://bkt/file_"))
    );
    assert!(env.keys().is_empty());
}

#[test]
fn an_empty_wildcard_source_is_an_error_and_deletes_nothing() {
    // s5cmd reports `no object found`, exits 0 and deletes everything (§8.8 169,
    // §9.2 items 1 and 8): a mistyped pattern must not wipe a destination.
    let env = TestEnv::new();
    env.put("dst/keep.txt", b"k");
    let out = env.run(&["sync", "--delete", "s3://bkt/nomatch*", "s3://bkt/dst/"]);
    out.code(1);
    assert!(
        out.stderr.contains(
            r#"ERROR "sync --delete=true s3://bkt/nomatch* s3://bkt/dst/": no object found"#
        ),
        "{}",
        out.stderr
    );
    assert_eq!(env.keys(), ["dst/keep.txt"]);
}

#[test]
fn wildcard_source_narrows_deletions() {
    // s5cmd deletes every non-.txt file under dir/ (§9.2 item 7).
    let env = TestEnv::new();
    env.put("test.txt", b"t");
    env.put("subfolder/sub.txt", b"s");
    tree(&env, &[("dir/test.py", "p"), ("dir/stale.txt", "s")]);
    let out = env.run(&["sync", "--delete", "s3://bkt/*.txt", "dir/"]);
    out.ok();
    assert_eq!(
        lines(&out),
        sorted(&[
            "cp s3://bkt/subfolder/sub.txt dir/subfolder/sub.txt",
            "cp s3://bkt/test.txt dir/test.txt",
            "rm dir/stale.txt",
        ])
    );
    assert_eq!(
        env.read_file("dir/test.py").unwrap(),
        b"p",
        "out of the source's scope"
    );
}

#[test]
fn filters_are_relative_to_the_roots_and_protect_from_delete() {
    // s5cmd matches sync filters against full paths (§4.6) and deletes excluded objects.
    let env = TestEnv::new();
    tree(
        &env,
        &[
            ("sy/main2.py", "m"),
            ("sy/keep.txt", "k"),
            ("sy/notes.md", "n"),
        ],
    );
    env.put("prefix/main_remote_only.py", b"r");
    env.put("prefix/old.txt", b"o");
    let out = env.run(&[
        "sync",
        "--delete",
        "--exclude",
        "main*",
        "--exclude",
        "*.md",
        "sy/",
        "s3://bkt/prefix/",
    ]);
    out.ok();
    assert_eq!(
        lines(&out),
        sorted(&[
            "cp sy/keep.txt s3://bkt/prefix/keep.txt",
            "rm s3://bkt/prefix/old.txt"
        ])
    );
    assert_eq!(
        env.keys(),
        ["prefix/keep.txt", "prefix/main_remote_only.py"]
    );
}

#[test]
fn exclude_and_include_between_buckets() {
    let env = TestEnv::new();
    for k in [
        "main.js",
        "main.pdf",
        "main.py",
        "main/file.txt",
        "readme.md",
        "file.txt",
        "other.go",
    ] {
        env.put(&format!("src/{k}"), b"x");
    }
    env.put("dst/prefix/file.txt", b"x");
    let out = env.run(&[
        "sync",
        "--exclude",
        "main*",
        "--exclude",
        "*.md",
        "s3://bkt/src/*",
        "s3://bkt/dst/prefix/",
    ]);
    out.ok();
    assert_eq!(
        lines(&out),
        ["cp s3://bkt/src/other.go s3://bkt/dst/prefix/other.go"]
    );
    let out = env.run(&[
        "sync",
        "--include",
        "main*",
        "--include",
        "*.md",
        "s3://bkt/src/*",
        "s3://bkt/dst/inc/",
    ]);
    out.ok();
    assert_eq!(out.lines().len(), 5, "{}", out.stdout);
    assert!(env.get("dst/inc/main/file.txt").is_some());
    assert!(env.get("dst/inc/other.go").is_none());
}

#[test]
fn a_failed_source_listing_deletes_nothing() {
    let env = TestEnv::new();
    env.put("src/a.txt", b"a");
    tree(&env, &[("out/a.txt", "a"), ("out/extra.txt", "e")]);
    env.server.set_faults(common::Faults {
        internal_error: 1000,
        only_method: Some(http::Method::GET),
        ..Default::default()
    });
    let out = env.run(&["-r", "0", "sync", "--delete", "s3://bkt/src/*", "out/"]);
    env.server.set_faults(common::Faults::default());
    out.code(1);
    assert!(out.stderr.contains("InternalError"), "{}", out.stderr);
    assert_eq!(
        env.files(),
        ["out/a.txt", "out/extra.txt"],
        "nothing deleted"
    );
}

#[test]
fn max_delete_refuses_large_deletions() {
    let env = TestEnv::new();
    for i in 0..5 {
        env.put(&format!("d/{i}"), b"x");
    }
    std::fs::create_dir_all(env.local("empty")).unwrap();
    let out = env.run(&[
        "--json",
        "sync",
        "--delete",
        "--max-delete",
        "3",
        "empty/",
        "s3://bkt/d/",
    ]);
    out.code(1);
    let records = out.records();
    assert_eq!(records.len(), 1);
    assert_eq!(
        records[0].error_kind.as_deref(),
        Some("max_delete_exceeded")
    );
    assert_eq!(env.keys().len(), 5);
    let out = env.run(&[
        "sync",
        "--delete",
        "--max-delete",
        "5",
        "empty/",
        "s3://bkt/d/",
    ]);
    out.ok();
    assert!(env.keys().is_empty());
}

#[test]
fn dry_run_plans_but_changes_nothing() {
    let env = TestEnv::new();
    env.put("gone.txt", b"g");
    env.write_file("src/new.txt", b"n");
    let out = env.run(&["--dry-run", "sync", "--delete", "src/", "s3://bkt/"]);
    out.ok();
    assert_eq!(
        lines(&out),
        sorted(&["cp src/new.txt s3://bkt/new.txt", "rm s3://bkt/gone.txt"])
    );
    assert_eq!(env.keys(), ["gone.txt"]);
}

#[test]
fn missing_destination_bucket_fails() {
    let env = TestEnv::new();
    env.put("a", b"a");
    for extra in [&[][..], &["--exit-on-error"][..]] {
        let mut args = vec!["sync"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["s3://bkt/*", "s3://notexistingbucket/"]);
        let out = env.run(&args);
        out.code(1);
        assert!(out.stderr.contains("NoSuchBucket"), "{}", out.stderr);
    }
}

#[test]
fn exit_on_error_with_a_clean_run_succeeds() {
    let env = TestEnv::new();
    for k in ["a", "b/c", "d", "e"] {
        env.put(k, b"x");
    }
    let out = env.run(&[
        "sync",
        "--exit-on-error",
        "s3://bkt/*",
        "s3://bkt/dst/prefix/",
    ]);
    out.ok();
    assert_eq!(out.lines().len(), 4);
}

#[test]
fn special_files_are_errors_and_symlinks_are_followed() {
    let env = TestEnv::new();
    env.write_file("dir/a/f1.txt", b"target");
    std::fs::create_dir_all(env.local("dir/b")).unwrap();
    std::os::unix::fs::symlink("../a/f1.txt", env.local("dir/b/link1")).unwrap();
    let out = env.run(&["sync", "dir/b", "s3://bkt/"]);
    out.ok();
    assert_eq!(lines(&out), ["cp dir/b/link1 s3://bkt/b/link1"]);
    assert_eq!(env.get("b/link1").unwrap(), b"target");
    assert!(
        env.run(&["sync", "--no-follow-symlinks", "dir/b", "s3://bkt/x/"])
            .ok()
            .stdout
            .is_empty()
    );

    let _sock = std::os::unix::net::UnixListener::bind(env.local("dir/sock")).unwrap();
    let out = env.run(&["sync", "dir/", "s3://bkt/all/"]);
    out.code(1);
    assert!(
        out.stderr.contains("is not a regular file"),
        "{}",
        out.stderr
    );
    assert!(
        env.get("all/a/f1.txt").is_some(),
        "the other files still go"
    );
}
