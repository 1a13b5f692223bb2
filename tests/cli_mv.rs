//! `mv` acceptance cases (reference §8.6): downloads, uploads and server-side moves
//! delete their sources only after the transfer; dry runs and skips keep them.

mod common;

use common::{TestEnv, mode, sorted};

#[test]
fn download_move() {
    let env = TestEnv::new();
    env.put("testfile1.txt", b"content");
    let out = env.run(&["mv", "s3://bkt/testfile1.txt", "."]);
    out.ok();
    assert_eq!(out.stdout, "mv s3://bkt/testfile1.txt testfile1.txt\n");
    assert_eq!(env.read_file("testfile1.txt").unwrap(), b"content");
    assert_eq!(mode(&env.local("testfile1.txt")), 0o644);
    assert!(env.keys().is_empty());
}

#[test]
fn wildcard_download_move() {
    let env = TestEnv::new();
    for k in ["f1.txt", "f2.txt", "a/f3.txt", "a/b/f4.txt"] {
        env.put(k, k.as_bytes());
    }
    let out = env.run(&["mv", "s3://bkt/*", "."]);
    out.ok();
    assert_eq!(out.lines().len(), 4);
    assert!(out.lines().iter().all(|l| l.starts_with("mv s3://bkt/")));
    assert!(env.keys().is_empty());
    assert_eq!(
        env.files(),
        sorted(&["a/b/f4.txt", "a/f3.txt", "f1.txt", "f2.txt"])
    );
}

#[test]
fn failed_download_keeps_the_source() {
    let env = TestEnv::new();
    env.put("f1.txt", b"x");
    std::fs::create_dir_all(env.local("d/f1.txt")).unwrap();
    let out = env.run(&["mv", "s3://bkt/f1.txt", "d/"]);
    out.code(1);
    assert_eq!(env.keys(), ["f1.txt"]);
}

#[test]
fn upload_moves() {
    let env = TestEnv::new();
    env.write_file("f.txt", b"x");
    let out = env.run(&["mv", "f.txt", "s3://bkt/"]);
    out.ok();
    assert_eq!(out.stdout, "mv f.txt s3://bkt/f.txt\n");
    assert!(!env.local("f.txt").exists());
    assert_eq!(env.get("f.txt").unwrap(), b"x");
    for f in ["dir/a", "dir/b", "dir/c/d", "dir/e"] {
        env.write_file(f, b"y");
    }
    let out = env.run(&["mv", "dir/*", "s3://bkt/"]);
    out.ok();
    assert_eq!(out.lines().len(), 4);
    assert_eq!(env.files(), Vec::<String>::new());
    assert_eq!(env.keys(), sorted(&["a", "b", "c/d", "e", "f.txt"]));
}

#[test]
fn server_side_moves() {
    let env = TestEnv::new();
    env.make_bucket("bkt2");
    env.put("testfile1.txt", b"x");
    let out = env.run(&["mv", "s3://bkt/testfile1.txt", "s3://bkt/dst/testfile1.txt"]);
    out.ok();
    assert_eq!(
        out.stdout,
        "mv s3://bkt/testfile1.txt s3://bkt/dst/testfile1.txt\n"
    );
    assert_eq!(env.keys(), ["dst/testfile1.txt"]);
    env.run(&["mv", "s3://bkt/dst/testfile1.txt", "s3://bkt2/"])
        .ok();
    assert!(env.keys().is_empty());
    assert_eq!(env.keys_in("bkt2"), ["testfile1.txt"]);
}

#[test]
fn wildcard_server_side_move_and_dry_run() {
    let env = TestEnv::new();
    for k in ["f1.txt", "f2.txt", "a/f3.txt", "a/b/f4.txt"] {
        env.put(k, b"x");
    }
    let want = sorted(&[
        "mv s3://bkt/a/b/f4.txt s3://bkt/dst/a/b/f4.txt",
        "mv s3://bkt/a/f3.txt s3://bkt/dst/a/f3.txt",
        "mv s3://bkt/f1.txt s3://bkt/dst/f1.txt",
        "mv s3://bkt/f2.txt s3://bkt/dst/f2.txt",
    ]);
    let out = env.run(&["--dry-run", "mv", "s3://bkt/*", "s3://bkt/dst/"]);
    out.ok();
    assert_eq!(out.sorted(), want);
    assert_eq!(
        env.keys(),
        sorted(&["a/b/f4.txt", "a/f3.txt", "f1.txt", "f2.txt"])
    );
    let out = env.run(&["mv", "s3://bkt/*", "s3://bkt/dst/"]);
    out.ok();
    assert_eq!(out.sorted(), want);
    assert_eq!(
        env.keys(),
        sorted(&["dst/a/b/f4.txt", "dst/a/f3.txt", "dst/f1.txt", "dst/f2.txt"])
    );
}

#[test]
fn raw_local_move() {
    let env = TestEnv::new();
    env.write_file("dir/a*.txt", b"1");
    env.write_file("dir/a*b/file.txt", b"2");
    env.write_file("dir/abc.txt", b"3");
    let out = env.run(&["mv", "--raw", "dir/a*.txt", "s3://bkt"]);
    out.ok();
    assert_eq!(out.stdout, "mv dir/a*.txt s3://bkt/a*.txt\n");
    assert_eq!(env.keys(), ["a*.txt"]);
    assert_eq!(env.files(), sorted(&["dir/a*b/file.txt", "dir/abc.txt"]));
}

#[test]
fn skipped_moves_keep_the_source() {
    let env = TestEnv::new();
    env.put("k", b"remote");
    env.write_file("k", b"local");
    let out = env.run(&["mv", "-n", "s3://bkt/k", "."]);
    out.ok();
    assert_eq!(env.keys(), ["k"]);
    assert_eq!(env.read_file("k").unwrap(), b"local");
    let out = env.run(&["mv", "-n", "k", "s3://bkt/"]);
    out.ok();
    assert!(env.local("k").exists());
    assert_eq!(env.get("k").unwrap(), b"remote");
}
