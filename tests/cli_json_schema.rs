//! The `--json` schema, checked by strict deserialization (`deny_unknown_fields` in
//! `s5rs::record`): every stdout line of a mixed batch is a `Record`, failures
//! included; each operation gives exactly one record; nothing goes to stderr.

mod common;

use common::TestEnv;
use s5rs::record::Record;

#[test]
fn every_line_of_a_mixed_batch_is_a_strict_record() {
    let env = TestEnv::new();
    env.put("a.txt", b"aaa");
    env.put("empty", b"");
    env.write_file("up.txt", b"up");
    let input = [
        "cp s3://bkt/a.txt dl/",
        "cp s3://bkt/empty dl/",
        "cp up.txt s3://bkt/",
        "cp s3://bkt/a.txt s3://bkt/copy.txt",
        "wait",
        "cp -n s3://bkt/a.txt s3://bkt/copy.txt",
        "wait",
        "mv s3://bkt/copy.txt s3://bkt/moved.txt",
        "wait",
        "rm s3://bkt/moved.txt",
        "cp s3://bkt/missing dl/",
        "bogus",
        "mb s3://newbkt",
    ]
    .join("\n");
    let out = env.run_stdin(&["--json", "run"], &input);
    out.code(1);
    assert_eq!(out.stderr, "");
    let records: Vec<Record> = out.records();
    assert_eq!(records.len(), 10, "{}", out.stdout);
    let by_line = |n: u64| records.iter().find(|r| r.line == Some(n)).unwrap();
    assert_eq!(
        by_line(2).object.as_ref().unwrap().size,
        Some(0),
        "size present for 0 bytes"
    );
    assert_eq!(by_line(3).destination.as_deref(), Some("s3://bkt/up.txt"));
    assert_eq!(
        by_line(4).object.as_ref().unwrap().key.as_deref(),
        Some("s3://bkt/copy.txt")
    );
    assert_eq!(by_line(6).skipped.as_deref(), Some("object already exists"));
    assert!(by_line(6).success);
    assert_eq!(by_line(8).operation, "mv");
    assert_eq!(by_line(10).source.as_deref(), Some("s3://bkt/moved.txt"));
    let f = by_line(11);
    assert!(!f.success);
    assert_eq!(f.error_kind.as_deref(), Some("no_such_key"));
    assert!(f.error.as_deref().unwrap().starts_with("NoSuchKey"));
    let p = by_line(12);
    assert_eq!(
        (p.operation.as_str(), p.error_kind.as_deref()),
        ("run", Some("parse"))
    );
    assert_eq!(by_line(13).operation, "mb");
    for r in &records {
        assert_eq!(r.success, r.error.is_none(), "{r:?}");
        assert_eq!(r.success, r.error_kind.is_none());
        assert_eq!(r.success, r.command.is_none());
    }
}

#[test]
fn command_line_records_have_no_line() {
    let env = TestEnv::new();
    env.put("a", b"x");
    let out = env.run(&["--json", "rm", "s3://bkt/a", "s3://bkt/b"]);
    out.ok();
    let records = out.records();
    assert_eq!(records.len(), 2);
    assert!(records.iter().all(|r| r.line.is_none() && r.success));
}

#[test]
fn text_mode_streams() {
    let env = TestEnv::new();
    env.put("a", b"x");
    let out = env.run(&["cp", "s3://bkt/nope", "x"]);
    out.code(1);
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr.lines().count(), 1);
    let out = env.run(&["--log", "error", "cp", "s3://bkt/a", "x"]);
    out.ok();
    assert_eq!(out.stdout, "");
}
