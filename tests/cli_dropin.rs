//! Drop-in cases: lines of `ls`, `du`, `pipe`, `cat` and error messages where s5rs
//! used to differ from s5cmd 2.3 run with the same arguments against the same server
//! (issue 15) — the built binary against the in-process S3 server. Each expected
//! line is what s5cmd 2.3.0 printed in that situation.

mod common;

use s5rs::record::{DuRecord, Record};

use common::TestEnv;

/// The name column of an `ls` text line (after the size and two spaces).
fn name_of(line: &str) -> &str {
    line.get(39..)
        .unwrap_or_else(|| panic!("short ls line {line:?}"))
}

#[test]
fn ls_of_a_local_file_shows_the_path_as_given() {
    let env = TestEnv::new();
    env.write_file("src/c/file2.txt", b"x\n");
    let out = env.run(&["ls", "src/c/file2.txt"]);
    out.ok();
    let names: Vec<&str> = out.lines().into_iter().map(name_of).collect();
    assert_eq!(names, ["src/c/file2.txt"]);
    assert!(out.stdout.contains("            2  src/c/file2.txt"));
    let out = env.run(&["ls", "./src/c/file2.txt"]);
    out.ok();
    let names: Vec<&str> = out.lines().into_iter().map(name_of).collect();
    assert_eq!(names, ["./src/c/file2.txt"]);
    // A directory still lists relative names.
    let out = env.run(&["ls", "src/c/"]);
    out.ok();
    let names: Vec<&str> = out.lines().into_iter().map(name_of).collect();
    assert_eq!(names, ["file2.txt"]);
}

#[test]
fn ls_of_a_plain_url_names_the_child_after_the_last_slash() {
    let env = TestEnv::new();
    env.put("up1/top.txt", b"top\n");
    env.put("up1/a/f1.txt", b"hello\n");
    let out = env.run(&["ls", "s3://bkt/up1/to"]);
    out.ok();
    let names: Vec<&str> = out.lines().into_iter().map(name_of).collect();
    assert_eq!(names, ["top.txt"]);
    let out = env.run(&["ls", "s3://bkt/up1/a"]);
    out.ok();
    assert_eq!(out.lines(), [format!("{:>37}  a/", "DIR")]);
    // The exact key keeps its full name, as before.
    let out = env.run(&["ls", "s3://bkt/up1/top.txt"]);
    out.ok();
    let names: Vec<&str> = out.lines().into_iter().map(name_of).collect();
    assert_eq!(names, ["up1/top.txt"]);
}

#[test]
fn ls_shows_directories_before_objects_that_sort_first() {
    let env = TestEnv::new();
    env.put("root.txt", b"top\n");
    env.put("up1/x", b"x");
    let out = env.run(&["ls", "s3://bkt"]);
    out.ok();
    let lines = out.lines();
    assert_eq!(lines.len(), 2, "{}", out.stdout);
    assert_eq!(lines[0], format!("{:>37}  up1/", "DIR"));
    assert!(
        lines[1].ends_with("                 4  root.txt"),
        "{}",
        lines[1]
    );
    let out = env.run(&["--json", "ls", "s3://bkt/"]);
    out.ok();
    let keys: Vec<Option<String>> = out.objects().into_iter().map(|o| o.key).collect();
    assert_eq!(
        keys,
        [
            Some("s3://bkt/up1/".to_string()),
            Some("s3://bkt/root.txt".to_string())
        ]
    );
}

#[test]
fn excluded_matches_are_not_reported_as_no_object_found() {
    let env = TestEnv::new();
    env.put("up1/top.txt", b"top\n");
    let out = env.run(&["ls", "--exclude", "*", "s3://bkt/up1/top.txt"]);
    out.ok();
    assert_eq!(out.stdout, "");
    let out = env.run(&["ls", "--exclude", "*", "s3://bkt/*"]);
    out.ok();
    assert_eq!(out.stdout, "");
    let out = env.run(&["du", "--exclude", "*.txt", "s3://bkt/*"]);
    out.ok();
    assert_eq!(out.stdout, "0 bytes in 0 objects: s3://bkt/*\n");
    // Nothing listed at all is still an error.
    let out = env.run(&["ls", "--exclude", "*", "s3://bkt/nosuch*"]);
    out.code(1);
    assert_eq!(
        out.stderr,
        "ERROR \"ls --exclude=* s3://bkt/nosuch*\": no object found\n"
    );
}

#[test]
fn du_of_a_prefix_without_slash_prints_its_level_and_succeeds() {
    let env = TestEnv::new();
    env.put("up1/top.txt", b"top\n");
    // One level, as s5cmd: the prefix `up1/` is listed (found, not summed).
    let out = env.run(&["du", "s3://bkt/up1"]);
    out.ok();
    assert_eq!(out.stdout, "0 bytes in 0 objects: s3://bkt/up1\n");
    env.put("up1.txt", b"12345");
    let out = env.run(&["du", "s3://bkt/up1"]);
    out.ok();
    assert_eq!(out.stdout, "5 bytes in 1 objects: s3://bkt/up1\n");
    let out = env.run(&["du", "s3://bkt/up1/"]);
    out.ok();
    assert_eq!(out.stdout, "4 bytes in 1 objects: s3://bkt/up1/\n");
}

#[test]
fn du_names_a_bucket_url_without_its_slash() {
    let env = TestEnv::new();
    env.put("root.txt", b"top\n");
    let out = env.run(&["du", "s3://bkt/"]);
    out.ok();
    assert_eq!(out.stdout, "4 bytes in 1 objects: s3://bkt\n");
    let out = env.run(&["--json", "du", "s3://bkt/"]);
    out.ok();
    let rec: DuRecord = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(rec.source, "s3://bkt");
    assert_eq!((rec.count, rec.size), (1, 4));
    // A local path prints as given.
    env.write_file("dir/f", b"abc");
    let out = env.run(&["du", "dir/"]);
    out.ok();
    assert_eq!(out.stdout, "3 bytes in 1 objects: dir/\n");
}

#[test]
fn pipe_to_a_bucket_names_the_bucket() {
    let env = TestEnv::new();
    let out = env.run_stdin(&["pipe", "s3://bkt/"], "data");
    out.code(1);
    assert_eq!(
        out.stderr,
        "ERROR \"pipe s3://bkt/\": target \"s3://bkt\" must be an object\n"
    );
    assert!(env.keys().is_empty());
    let out = env.run_stdin(&["pipe", "s3://bkt/p/"], "data");
    out.code(1);
    assert_eq!(
        out.stderr,
        "ERROR \"pipe s3://bkt/p/\": target \"s3://bkt/p/\" must be an object\n"
    );
}

#[test]
fn cat_of_an_empty_prefix_is_no_object_found() {
    let env = TestEnv::new();
    env.put("d/sub/x", b"x");
    let out = env.run(&["cat", "s3://bkt/nosuch/"]);
    out.code(1);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "ERROR \"cat s3://bkt/nosuch/\": no object found\n"
    );
    // A prefix holding only deeper prefixes lists something: no output, no error.
    let out = env.run(&["cat", "s3://bkt/d/"]);
    out.ok();
    assert_eq!(out.stdout, "");
    // An empty bucket is not an error.
    env.make_bucket("empty");
    let out = env.run(&["cat", "s3://empty/"]);
    out.ok();
    assert_eq!(out.stdout, "");
}

#[test]
fn error_messages_collapse_every_double_space_in_text_and_json() {
    let env = TestEnv::new();
    let out = env.run(&["ls", "x  y  z"]);
    out.code(1);
    assert_eq!(
        out.stderr,
        "ERROR \"ls x  y  z\": given object x y z not found\n"
    );
    let out = env.run(&["--json", "ls", "x    y"]);
    out.code(1);
    let records: Vec<Record> = out.records();
    assert_eq!(records.len(), 1, "{}", out.stdout);
    assert_eq!(records[0].command.as_deref(), Some("ls x    y"));
    assert_eq!(
        records[0].error.as_deref(),
        Some("given object x  y not found")
    );
}

#[test]
fn a_service_error_without_message_keeps_two_spaces() {
    // The in-process server sends BucketAlreadyExists with an empty <Message>;
    // s5cmd prints the Go SDK's `Code: \n\tstatus code: …` flattened: two spaces.
    let env = TestEnv::new();
    let out = env.run(&["mb", "s3://bkt"]);
    out.code(1);
    assert!(
        out.stderr
            .starts_with("ERROR \"mb s3://bkt\": BucketAlreadyExists:  status code: 409, "),
        "{}",
        out.stderr
    );
    let out = env.run(&["--json", "mb", "s3://bkt"]);
    out.code(1);
    let records = out.records();
    let error = records[0].error.as_deref().unwrap();
    assert!(
        error.starts_with("BucketAlreadyExists:  status code: 409, ") && !error.contains('\n'),
        "{error}"
    );
}

#[test]
fn pipe_reports_a_failed_upload() {
    // Deliberate: s5cmd 2.3 exits 1 without a message here.
    let env = TestEnv::new();
    let out = env.run_stdin(&["pipe", "s3://nosuch/x"], "data");
    out.code(1);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr
            .starts_with("ERROR \"pipe s3://nosuch/x\": NoSuch"),
        "{}",
        out.stderr
    );
}
