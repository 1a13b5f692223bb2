//! Names that cannot be S3 keys, black-box: a local file whose name is not UTF-8
//! is one failed `invalid_name` record (wildcard, directory and sync sources
//! alike), a batch line holding a non-UTF-8 byte is a parse error naming its line
//! and column (never an upload under a key with U+FFFD), and the exit code is 1.
//! Also `run DIR`: a batch file that cannot be read is exit code 2.

mod common;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use common::TestEnv;
use s5rs::record::Record;

/// `dir/good.txt` and `dir/bad\xff.txt` (a Latin-1 `ÿ`, not UTF-8).
fn files_with_a_bad_name(env: &TestEnv) {
    env.write_file("dir/good.txt", b"good");
    let bad = env.local("dir").join(OsStr::from_bytes(b"bad\xff.txt"));
    std::fs::write(bad, b"bad").unwrap();
}

/// Checks the records of one upload command: `good.txt` copied to `dst_key`, one
/// `invalid_name` failure naming the bad file.
#[track_caller]
fn one_copied_one_invalid(records: &[Record], dst_key: &str) {
    assert_eq!(records.len(), 2, "{records:?}");
    let ok: Vec<&Record> = records.iter().filter(|r| r.success).collect();
    assert_eq!(ok.len(), 1, "{records:?}");
    assert_eq!(ok[0].destination.as_deref(), Some(dst_key));
    let failed: Vec<&Record> = records.iter().filter(|r| !r.success).collect();
    assert_eq!(failed.len(), 1, "{records:?}");
    assert_eq!(failed[0].error_kind.as_deref(), Some("invalid_name"));
    let error = failed[0].error.as_deref().unwrap();
    assert!(error.contains("dir/bad\u{FFFD}.txt"), "{error}");
    assert!(error.contains("not valid UTF-8"), "{error}");
}

#[test]
fn a_wildcard_upload_reports_a_name_that_is_not_utf8() {
    let env = TestEnv::new();
    files_with_a_bad_name(&env);
    let out = env.run(&["--json", "cp", "dir/*", "s3://bkt/w/"]);
    out.code(1);
    one_copied_one_invalid(&out.records(), "s3://bkt/w/good.txt");
    assert_eq!(env.keys(), ["w/good.txt"]);
}

#[test]
fn a_wildcard_matching_only_a_bad_name_reports_it_not_no_match() {
    let env = TestEnv::new();
    files_with_a_bad_name(&env);
    let out = env.run(&["--json", "cp", "dir/bad*", "s3://bkt/w/"]);
    out.code(1);
    let records = out.records();
    assert_eq!(records.len(), 1, "{}", out.stdout);
    assert_eq!(records[0].error_kind.as_deref(), Some("invalid_name"));
    assert!(env.keys().is_empty());
}

#[test]
fn directory_uploads_and_sync_report_it_as_invalid_name() {
    let env = TestEnv::new();
    files_with_a_bad_name(&env);
    let out = env.run(&["--json", "cp", "dir/", "s3://bkt/d/"]);
    out.code(1);
    one_copied_one_invalid(&out.records(), "s3://bkt/d/good.txt");

    let out = env.run(&["--json", "sync", "dir/", "s3://bkt/s/"]);
    out.code(1);
    let records = out.records();
    let failed: Vec<&Record> = records.iter().filter(|r| !r.success).collect();
    assert_eq!(failed.len(), 1, "{}", out.stdout);
    assert_eq!(failed[0].error_kind.as_deref(), Some("invalid_name"));
    assert_eq!(env.keys(), ["d/good.txt", "s/good.txt"]);

    // Text mode: the failure is on stderr, the copy on stdout.
    let out = env.run(&["cp", "dir/*", "s3://bkt/t/"]);
    out.code(1);
    assert_eq!(out.stdout, "cp dir/good.txt s3://bkt/t/good.txt\n");
    assert!(
        out.stderr.starts_with(
            "ERROR \"cp dir/* s3://bkt/t/\": path dir/bad\u{FFFD}.txt is not valid UTF-8"
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn a_batch_line_that_is_not_utf8_is_a_parse_error() {
    let env = TestEnv::new();
    env.write_file("a.txt", b"a");
    let mut batch = b"cp a.txt s3://bkt/one.txt\n".to_vec();
    batch.extend_from_slice("cp a.txt s3://bkt/é\u{FFFD}".as_bytes());
    batch.extend_from_slice(b"x\xffy.txt\ncp a.txt s3://bkt/three.txt\n");
    std::fs::write(env.local("batch.txt"), &batch).unwrap();
    let out = env.run(&["--json", "run", "batch.txt"]);
    out.code(1);
    let records = out.records();
    assert_eq!(records.len(), 3, "{}", out.stdout);
    let bad: Vec<&Record> = records.iter().filter(|r| !r.success).collect();
    assert_eq!(bad.len(), 1, "{}", out.stdout);
    assert_eq!(bad[0].operation, "run");
    assert_eq!(bad[0].error_kind.as_deref(), Some("parse"));
    assert_eq!(bad[0].line, Some(2));
    // Column in characters: 21 come before the bad byte (é and U+FFFD count one each).
    let error = bad[0].error.as_deref().unwrap();
    assert!(
        error.starts_with("line 2, column 22: invalid UTF-8 byte 0xFF"),
        "{error}"
    );
    assert_eq!(env.keys(), ["one.txt", "three.txt"]);
}

#[test]
fn run_of_a_directory_is_a_usage_error() {
    let env = TestEnv::new();
    std::fs::create_dir(env.local("batches")).unwrap();
    let out = env.run(&["--json", "run", "batches"]);
    out.code(2);
    let records = out.records();
    assert_eq!(records.len(), 1, "{}", out.stdout);
    assert_eq!(records[0].operation, "run");
    assert_eq!(records[0].error_kind.as_deref(), Some("io"));
    assert_eq!(
        records[0].error.as_deref(),
        Some("reading input: is a directory")
    );
    // A file that does not exist: the same exit code (as before).
    let out = env.run(&["run", "missing.txt"]);
    out.code(2);
    assert!(
        out.stderr.contains("no such file or directory"),
        "{}",
        out.stderr
    );
}
