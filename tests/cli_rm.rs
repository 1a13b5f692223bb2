//! `rm` acceptance cases (reference §8.7): remote and local deletes, several
//! arguments, wildcards, raw keys, filters, dry runs and argument errors.

mod common;

use common::{TestEnv, sorted};

#[test]
fn single_object_text_and_json() {
    let env = TestEnv::new();
    env.put("testfile1.txt", b"x");
    env.put("other", b"y");
    let out = env.run(&["rm", "s3://bkt/testfile1.txt"]);
    out.ok();
    assert_eq!(out.stdout, "rm s3://bkt/testfile1.txt\n");
    assert_eq!(env.keys(), ["other"]);
    let out = env.run(&["--json", "rm", "s3://bkt/other"]);
    out.ok();
    assert_eq!(
        out.stdout,
        "{\"operation\":\"rm\",\"success\":true,\"source\":\"s3://bkt/other\"}\n"
    );
    assert!(env.keys().is_empty());
}

#[test]
fn wildcard_text_and_json() {
    let env = TestEnv::new();
    let keys = ["f1.txt", "f2.txt", "a/f3.txt", "a/b/f4.txt"];
    for k in keys {
        env.put(k, b"x");
    }
    let out = env.run(&["--dry-run", "rm", "s3://bkt/*"]);
    out.ok();
    assert_eq!(out.lines().len(), 4);
    assert_eq!(env.keys().len(), 4);
    let out = env.run(&["rm", "s3://bkt/*"]);
    out.ok();
    let want: Vec<String> = sorted(&keys)
        .iter()
        .map(|k| format!("rm s3://bkt/{k}"))
        .collect();
    assert_eq!(out.sorted(), want);
    assert!(env.keys().is_empty());
    for k in keys {
        env.put(k, b"x");
    }
    let out = env.run(&["--json", "rm", "s3://bkt/*"]);
    out.ok();
    let mut sources: Vec<String> = out
        .records()
        .into_iter()
        .map(|r| r.source.unwrap())
        .collect();
    sources.sort();
    assert_eq!(
        sources,
        sorted(&keys)
            .iter()
            .map(|k| format!("s3://bkt/{k}"))
            .collect::<Vec<_>>()
    );
}

#[test]
fn missing_plain_key_is_reported_as_removed() {
    let env = TestEnv::new();
    let out = env.run(&["rm", "s3://bkt/prefix"]);
    out.ok();
    assert_eq!(out.stdout, "rm s3://bkt/prefix\n");
}

#[test]
fn local_files() {
    let env = TestEnv::new();
    env.write_file("testfile1.txt", b"x");
    let out = env.run(&["rm", "testfile1.txt"]);
    out.ok();
    assert_eq!(out.stdout, "rm testfile1.txt\n");
    assert!(env.files().is_empty());
    for f in [
        "testfile1.txt",
        "another_test_file.txt",
        "readme.md",
        "main.py",
    ] {
        env.write_file(f, b"x");
    }
    let out = env.run(&["rm", "*.txt"]);
    out.ok();
    assert_eq!(
        out.sorted(),
        sorted(&["rm another_test_file.txt", "rm testfile1.txt"])
    );
    assert_eq!(env.files(), sorted(&["main.py", "readme.md"]));
}

#[test]
fn local_directories_are_emptied_not_removed() {
    let env = TestEnv::new();
    for f in [
        "testdir/file1.txt",
        "testdir/file2.txt",
        "testdir/readme.md",
    ] {
        env.write_file(f, b"x");
    }
    let out = env.run(&["rm", "testdir"]);
    out.ok();
    assert_eq!(
        out.sorted(),
        sorted(&[
            "rm testdir/file1.txt",
            "rm testdir/file2.txt",
            "rm testdir/readme.md"
        ])
    );
    assert!(env.local("testdir").is_dir());
    assert!(env.files().is_empty());
    for f in [
        "abc*/file1.txt",
        "abc*/file2.txt",
        "abcd/file1.txt",
        "abcde/file1.txt",
        "abcde/file2.txt",
    ] {
        env.write_file(f, b"x");
    }
    let out = env.run(&["rm", "abc*"]);
    out.ok();
    assert_eq!(out.lines().len(), 5);
    assert!(out.stdout.contains("rm abc*/file1.txt\n"));
    for d in ["abc*", "abcd", "abcde"] {
        assert!(env.local(d).is_dir());
    }
    for f in ["testdir/readme.md", "file1.txt", "file2.txt"] {
        env.write_file(f, b"x");
    }
    let out = env.run(&["rm", "testdir", "file1.txt", "file2.txt"]);
    out.ok();
    assert_eq!(
        out.sorted(),
        sorted(&["rm file1.txt", "rm file2.txt", "rm testdir/readme.md"])
    );
}

#[test]
fn many_arguments() {
    let env = TestEnv::new();
    for k in ["file1.txt", "file2.txt", "file3.txt"] {
        env.put(k, b"x");
    }
    let out = env.run(&[
        "rm",
        "s3://bkt/file1.txt",
        "s3://bkt/file2.txt",
        "s3://bkt/file3.txt",
        "s3://bkt/file4.txt",
    ]);
    out.ok();
    assert_eq!(out.lines().len(), 4);
    assert!(env.keys().is_empty());
    for k in [
        "testdir1/a",
        "testdir1/b",
        "testdir2/c",
        "testdir2/d",
        "testdir2/e/f",
        "file4.txt",
        "keep",
    ] {
        env.put(k, b"x");
    }
    let out = env.run(&[
        "rm",
        "s3://bkt/testdir1/*",
        "s3://bkt/testdir2/*",
        "s3://bkt/file4.txt",
    ]);
    out.ok();
    assert_eq!(out.lines().len(), 6);
    assert_eq!(env.keys(), ["keep"]);
    let out = env.run(&["rm", "s3://bkt/nomatch*", "s3://bkt/keep"]);
    out.ok();
    assert_eq!(out.stdout, "rm s3://bkt/keep\n");
}

#[test]
fn argument_errors() {
    let env = TestEnv::new();
    env.put("object.txt", b"x");
    env.write_file("file.txt", b"x");
    let out = env.run(&["rm", "file.txt", "s3://bkt/object.txt"]);
    out.code(1);
    assert_eq!(
        out.stderr,
        "ERROR \"rm file.txt s3://bkt/object.txt\": arguments cannot have both local and remote sources\n"
    );
    let out = env.run(&["rm", "nonexistentfile"]);
    out.code(1);
    assert_eq!(
        out.stderr,
        "ERROR \"rm nonexistentfile\": no object found\n"
    );
    let out = env.run(&["rm", "missing1", "missing2"]);
    out.code(1);
    assert_eq!(
        out.stderr,
        "ERROR \"rm missing1 missing2\": no object found\n"
    );
    let out = env.run(&["rm", "s3://bkt/"]);
    out.code(1);
    assert!(
        out.stderr
            .contains("s3 bucket/prefix cannot be used for delete operations")
    );
    assert_eq!(env.keys(), ["object.txt"]);
    assert!(env.local("file.txt").exists());
    let out = env.run(&["rm"]);
    out.code(2);
}

#[test]
fn raw_keys() {
    let env = TestEnv::new();
    for k in ["file*.txt", "file*1.txt", "file*.py", "file*.c"] {
        env.put(k, b"x");
    }
    let out = env.run(&["rm", "--raw", "s3://bkt/file*.txt"]);
    out.ok();
    assert_eq!(out.stdout, "rm s3://bkt/file*.txt\n");
    assert_eq!(env.keys(), sorted(&["file*.c", "file*.py", "file*1.txt"]));
    let out = env.run(&["rm", "--raw", "s3://bkt/abc*"]);
    out.ok();
    assert_eq!(out.stdout, "rm s3://bkt/abc*\n");
    assert_eq!(env.keys().len(), 3);
}

#[test]
fn filters() {
    let env = TestEnv::new();
    let keys = [
        "file1.txt",
        "file2.txt",
        "a/file.py",
        "b/file.c",
        "readme.md",
    ];
    for k in keys {
        env.put(k, b"x");
    }
    let out = env.run(&["rm", "--exclude", "*.txt", "s3://bkt/*"]);
    out.ok();
    assert_eq!(
        out.sorted(),
        sorted(&[
            "rm s3://bkt/a/file.py",
            "rm s3://bkt/b/file.c",
            "rm s3://bkt/readme.md"
        ])
    );
    for k in keys {
        env.put(k, b"x");
    }
    env.run(&[
        "rm",
        "--exclude",
        "*.txt",
        "--exclude",
        "*.md",
        "s3://bkt/*",
    ])
    .ok();
    assert_eq!(env.keys(), sorted(&["file1.txt", "file2.txt", "readme.md"]));
    env.run(&["rm", "--exclude", "", "s3://bkt/*"]).ok();
    assert!(env.keys().is_empty());
}

#[test]
fn include_filters() {
    let env = TestEnv::new();
    let keys = [
        "file1.py",
        "file2.py",
        "src/app.py",
        "docs/file.md",
        "docs/readme.md",
        "main.c",
    ];
    for k in keys {
        env.put(k, b"x");
    }
    env.run(&["rm", "--include", "*.py", "s3://bkt/*"]).ok();
    assert_eq!(
        env.keys(),
        sorted(&["docs/file.md", "docs/readme.md", "main.c"])
    );
    env.run(&[
        "rm",
        "--include",
        "*.md",
        "--exclude",
        "*readme*",
        "s3://bkt/*",
    ])
    .ok();
    assert_eq!(env.keys(), sorted(&["docs/readme.md", "main.c"]));
    for k in keys {
        env.put(k, b"x");
    }
    env.run(&[
        "rm",
        "--exclude",
        "docs*",
        "--include",
        "*.md",
        "--include",
        "*.py",
        "s3://bkt/*",
    ])
    .ok();
    assert_eq!(
        env.keys(),
        sorted(&["docs/file.md", "docs/readme.md", "main.c"])
    );
}

#[test]
fn local_filters() {
    let env = TestEnv::new();
    for f in [
        "w/testdir/file1.txt",
        "w/testdir/file2.txt",
        "w/testdir/readme.md",
    ] {
        env.write_file(f, b"x");
    }
    for arg in ["w", "w/", "w/*"] {
        let out = env.run(&["rm", "--dry-run", "--exclude", "*.txt", arg]);
        out.code(2);
        let out = env.run(&["--dry-run", "rm", "--exclude", "*.txt", arg]);
        out.ok();
        assert_eq!(out.stdout, "rm w/testdir/readme.md\n", "{arg}");
    }
    env.run(&["rm", "--exclude", "*.txt", "w"]).ok();
    assert_eq!(
        env.files(),
        sorted(&["w/testdir/file1.txt", "w/testdir/file2.txt"])
    );
}

#[test]
fn more_than_a_thousand_keys() {
    let env = TestEnv::new();
    for i in 0..1005 {
        env.put(&format!("k/{i:04}"), b"");
    }
    let out = env.run(&["--json", "rm", "s3://bkt/k/*"]);
    out.ok();
    assert_eq!(out.records().len(), 1005);
    assert!(env.keys().is_empty());
}
