//! The pipeline contract (issue 14), black-box against the built binary and a
//! loopback server: a stdout that fails stops the run loudly with a count of what
//! did not run and no partial files; `--json` stdout is only JSON records naming
//! their line and operation (checked strictly, unknown fields fail); `--stat` counts
//! failed lines; dry-run records say so; text output escapes control characters.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;

use common::TestEnv;
use s5rs::record::{
    BucketRecord, BucketVersionRecord, DuRecord, HeadBucketRecord, HeadObjectRecord, ObjectRecord,
    PresignRecord, Record, StatRecord, VersionRecord,
};
use serde_json::Value;

const LINES: usize = 10_000;

/// `data/f<N>` for N in 0..LINES, each holding its own name.
fn write_sources(env: &TestEnv) {
    for n in 0..LINES {
        env.write_file(&format!("data/f{n}"), format!("content of f{n}").as_bytes());
    }
}

/// `ERROR writing to stdout: <reason>: stopped early; did not run: L batch lines, O
/// operations; …` → (L, O); panics unless exactly one such stderr line exists.
#[track_caller]
fn not_run(stderr: &str) -> (usize, usize) {
    let found: Vec<(usize, usize)> = stderr
        .lines()
        .filter(|l| l.starts_with("ERROR writing to stdout: "))
        .map(|l| {
            let tail = l.split("did not run: ").nth(1).expect("a count");
            let numbers: Vec<usize> = tail
                .split(|c: char| !c.is_ascii_digit())
                .filter(|s| !s.is_empty())
                .map(|s| s.parse().unwrap())
                .collect();
            assert!(tail.contains("batch lines") && tail.contains("operations"));
            (numbers[0], numbers[1])
        })
        .collect();
    assert_eq!(found.len(), 1, "stderr:\n{stderr}");
    found[0]
}

/// Every uploaded object under `prefix` holds its whole source: S3 never shows a
/// partial object, and no multipart upload is left behind.
#[track_caller]
fn check_uploads(env: &TestEnv, prefix: &str) -> usize {
    let keys: Vec<String> = env
        .keys()
        .into_iter()
        .filter(|k| k.starts_with(prefix))
        .collect();
    for key in &keys {
        let name = key.rsplit('/').next().unwrap();
        assert_eq!(
            env.get(key).unwrap(),
            format!("content of {name}").into_bytes(),
            "{key}"
        );
    }
    keys.len()
}

#[test]
fn a_consumer_closing_stdout_stops_the_batch_loudly() {
    let env = TestEnv::new();
    write_sources(&env);
    let batch: String = (0..LINES)
        .map(|n| format!("cp data/f{n} s3://bkt/up/f{n}\n"))
        .collect();
    let mut child = env
        .command(&["--numworkers", "4", "run"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(batch.as_bytes());
    });
    // `| head -1`: one line read, then the pipe closed.
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("cp data/f"), "{first}");
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr:\n{stderr}");
    let (lines, ops) = not_run(&stderr);
    let uploaded = check_uploads(&env, "up/");
    assert!(uploaded < LINES, "the run went on after stdout closed");
    assert_eq!(
        uploaded + lines + ops,
        LINES,
        "every line is either done or counted as not run"
    );
}

#[test]
fn a_full_stdout_stops_the_batch_loudly_without_partial_files() {
    let env = TestEnv::new();
    write_sources(&env);
    env.run(&["cp", "data/*", "s3://bkt/src/"]).ok();
    let batch: String = (0..LINES)
        .map(|n| format!("cp s3://bkt/src/f{n} dl/f{n}\n"))
        .collect();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let mut child = env
        .command(&["--numworkers", "4", "run"])
        .stdin(Stdio::piped())
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(batch.as_bytes());
    });
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr:\n{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    let (lines, ops) = not_run(&stderr);
    // Every file in dl/ is a whole download under its final name: no temp files.
    let downloaded: Vec<String> = env
        .files()
        .into_iter()
        .filter(|f| f.starts_with("dl/"))
        .collect();
    for f in &downloaded {
        let name = f.strip_prefix("dl/").unwrap();
        assert!(
            name.starts_with('f') && name[1..].parse::<usize>().is_ok(),
            "{f}"
        );
        assert_eq!(
            env.read_file(f).unwrap(),
            format!("content of {name}").into_bytes()
        );
    }
    assert!(
        downloaded.len() < LINES,
        "the run went on after stdout failed"
    );
    assert_eq!(downloaded.len() + lines + ops, LINES);
}

#[test]
fn a_lone_listing_into_a_closed_pipe_fails() {
    let env = TestEnv::new();
    for n in 0..3000 {
        env.write_file(&format!("d/f{n:04}"), b"x");
    }
    let mut child = env
        .command(&["ls", "d/*"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(not_run(&stderr), (0, 0));
}

/// One stdout line of a `--json` batch, checked strictly: a JSON object with
/// `operation` and `line`, whose other fields are exactly one documented shape.
#[track_caller]
fn strict_batch_record(text: &str) -> (String, u64, Value) {
    let mut value: Value =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON: {text:?}: {e}"));
    let object = value.as_object_mut().expect("a JSON object");
    let operation = object["operation"].as_str().expect("operation").to_string();
    let line = object["line"].as_u64().expect("line");
    let check = |v: &Value| -> Result<(), serde_json::Error> {
        let v = v.clone();
        match operation.as_str() {
            _ if v.get("success").is_some() => serde_json::from_value::<Record>(v).map(drop),
            "ls" if v.get("name").is_some() => serde_json::from_value::<BucketRecord>(v).map(drop),
            "ls" => serde_json::from_value::<ObjectRecord>(v).map(drop),
            "du" => serde_json::from_value::<DuRecord>(v).map(drop),
            "head" if v.get("bucket").is_some() => {
                serde_json::from_value::<HeadBucketRecord>(v).map(drop)
            }
            "head" => serde_json::from_value::<HeadObjectRecord>(v).map(drop),
            "bucket-version" => serde_json::from_value::<BucketVersionRecord>(v).map(drop),
            "presign" => serde_json::from_value::<PresignRecord>(v).map(drop),
            "version" => serde_json::from_value::<VersionRecord>(v).map(drop),
            other => panic!("no record kind for {other}: {text}"),
        }
    };
    if value.get("success").is_none() {
        let object = value.as_object_mut().unwrap();
        object.remove("operation");
        object.remove("line");
    }
    check(&value).unwrap_or_else(|e| panic!("schema: {text}: {e}"));
    (operation, line, value)
}

#[test]
fn a_json_batch_of_every_command_writes_only_records_with_line_and_operation() {
    let env = TestEnv::new();
    env.write_file("up.txt", b"no trailing newline");
    env.write_file("s/a.txt", b"a");
    let batch = [
        "cp up.txt s3://bkt/up.txt",                                      // 1
        "wait",                                                           // 2
        "ls s3://bkt/",                                                   // 3
        "du s3://bkt/*",                                                  // 4
        "head s3://bkt/up.txt",                                           // 5
        "presign s3://bkt/up.txt",                                        // 6
        "cat s3://bkt/up.txt",                                            // 7
        "mb s3://newbkt",                                                 // 8
        "sync s/ s3://bkt/synced/",                                       // 9
        "select json --query 'SELECT * FROM s3object s' s3://bkt/up.txt", // 10
        "bucket-version s3://bkt",                                        // 11
        "bogus line",                                                     // 12
        "du s3://bkt/nomatch*",                                           // 13
        "ls",                                                             // 14
        "head s3://bkt",                                                  // 15
        "wait",                                                           // 16
        "rb s3://newbkt",                                                 // 17
        "mv s3://bkt/up.txt s3://bkt/moved.txt",                          // 18
        "wait",                                                           // 19
        "rm s3://bkt/moved.txt",                                          // 20
        "version",                                                        // 21
        "cp --help",                                                      // 22
    ]
    .join("\n");
    let out = env.run_stdin(&["--json", "run"], &batch);
    out.code(1);
    assert_eq!(out.stderr, "");
    let records: Vec<(String, u64, Value)> = out.stdout.lines().map(strict_batch_record).collect();
    let of =
        |n: u64| -> Vec<&(String, u64, Value)> { records.iter().filter(|r| r.1 == n).collect() };
    let only = |n: u64| -> &Value {
        let found = of(n);
        assert_eq!(found.len(), 1, "line {n}: {}", out.stdout);
        &found[0].2
    };
    assert_eq!(only(1)["destination"], "s3://bkt/up.txt");
    assert!(of(3).iter().any(|r| r.2["key"] == "s3://bkt/up.txt"));
    assert!(of(3).iter().all(|r| r.0 == "ls"));
    assert_eq!(
        (only(4)["count"].as_u64(), only(4)["size"].as_u64()),
        (Some(1), Some(19))
    );
    assert_eq!(only(5)["size"], 19);
    let url = only(6)["url"].as_str().unwrap();
    assert!(
        url.contains("up.txt") && url.contains("X-Amz-Signature"),
        "{url}"
    );
    assert_eq!(only(6)["source"], "s3://bkt/up.txt");
    for (n, name) in [(7, "cat"), (10, "select")] {
        let refused = only(n);
        assert_eq!(refused["success"], false);
        assert!(refused["operation"].as_str().unwrap().starts_with(name));
        assert_eq!(refused["error_kind"], "usage");
        assert!(refused["error"].as_str().unwrap().contains("--json batch"));
    }
    assert_eq!(only(8)["operation"], "mb");
    assert_eq!(only(9)["destination"], "s3://bkt/synced/a.txt");
    assert_eq!(only(11)["status"], "");
    assert_eq!(only(12)["error_kind"], "parse");
    // One outcome per du: no match is the error alone, no `count: 0` beside it.
    assert_eq!(only(13)["error_kind"], "no_match");
    assert!(of(14).iter().any(|r| r.2["name"] == "bkt"));
    assert_eq!(only(15)["bucket"], "s3://bkt");
    assert_eq!(only(17)["operation"], "rb");
    assert_eq!(only(18)["destination"], "s3://bkt/moved.txt");
    assert_eq!(only(20)["source"], "s3://bkt/moved.txt");
    assert!(only(21)["version"].as_str().unwrap().starts_with('v'));
    assert_eq!(only(22)["error_kind"], "parse", "help is text: refused");
    assert!(
        !out.stdout.contains("no trailing newline"),
        "cat's bytes on stdout"
    );
}

#[test]
fn lone_commands_keep_their_data_and_shapes() {
    let env = TestEnv::new();
    env.put("k", b"raw bytes");
    let out = env.run(&["--json", "cat", "s3://bkt/k"]);
    out.ok();
    assert_eq!(out.stdout, "raw bytes");
    let out = env.run(&["--json", "presign", "s3://bkt/k"]);
    out.ok();
    let record: PresignRecord = serde_json::from_str(out.stdout.trim_end()).unwrap();
    assert_eq!(record.source, "s3://bkt/k");
    assert!(record.url.contains("X-Amz-Signature"));
    let out = env.run(&["presign", "s3://bkt/k"]);
    out.ok();
    assert!(out.stdout.starts_with("http") && out.stdout.lines().count() == 1);
    // A lone ls keeps s5cmd's exact shape: no operation, no line.
    let out = env.run(&["--json", "ls", "s3://bkt/k"]);
    out.ok();
    assert_eq!(out.objects()[0].key.as_deref(), Some("s3://bkt/k"));
}

#[test]
fn stat_counts_failed_lines() {
    let env = TestEnv::new();
    env.write_file("a.txt", b"a");
    let out = env.run_stdin(
        &["--json", "--stat", "run"],
        "cp a.txt s3://bkt/a.txt\nbogus\ncp --nope x y\n",
    );
    out.code(1);
    let stats: Vec<StatRecord> = out
        .lines()
        .into_iter()
        .filter(|l| l.contains("\"total\""))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let run = stats
        .iter()
        .find(|s| s.operation == "run")
        .expect("run row");
    assert_eq!((run.error, run.success, run.total), (2, 0, 2));
    let cp = stats.iter().find(|s| s.operation == "cp").unwrap();
    assert_eq!((cp.error, cp.success), (0, 1));
    let out = env.run_stdin(&["--stat", "run"], "bogus\n");
    out.code(1);
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with("run\t") && l.contains("\t1\t1\t0")),
        "{}",
        out.stdout
    );
}

#[test]
fn dry_run_records_say_so() {
    let env = TestEnv::new();
    env.write_file("a.txt", b"a");
    env.put("old", b"o");
    let out = env.run_stdin(
        &["--json", "--dry-run", "run"],
        "cp a.txt s3://bkt/a.txt\nrm s3://bkt/old\n",
    );
    out.ok();
    let records = out.records();
    assert_eq!(records.len(), 2);
    assert!(
        records.iter().all(|r| r.dry_run && r.success),
        "{records:?}"
    );
    assert_eq!(env.keys(), vec!["old"]);
    let out = env.run(&["--json", "cp", "a.txt", "s3://bkt/a.txt"]);
    out.ok();
    assert!(!out.records()[0].dry_run);
    assert!(!out.stdout.contains("dry_run"));
}

fn has_raw_control(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
}

#[test]
fn text_output_escapes_control_characters_and_json_keeps_them() {
    let env = TestEnv::new();
    let name = "e\u{1b}[31mred\u{7}.txt";
    env.write_file(name, b"x");
    let out = env.run(&["cp", name, "s3://bkt/"]);
    out.ok();
    assert!(!has_raw_control(&out.stdout), "{:?}", out.stdout);
    assert!(
        out.stdout.contains("e\\x1b[31mred\\x07.txt"),
        "{}",
        out.stdout
    );
    assert_eq!(
        env.keys(),
        vec![name.to_string()],
        "the key itself is exact"
    );
    let out = env.run(&["ls", "s3://bkt/"]);
    out.ok();
    assert!(!has_raw_control(&out.stdout));
    assert!(
        out.stdout.ends_with("  e\\x1b[31mred\\x07.txt\n"),
        "{}",
        out.stdout
    );
    let out = env.run(&["--json", "ls", "s3://bkt/"]);
    out.ok();
    let key = format!("s3://bkt/{name}");
    assert_eq!(out.objects()[0].key.as_deref(), Some(key.as_str()));
    // A message holding the name (here s5rs's own, naming the URL) is escaped too.
    let missing = "s3://bkt/gone\u{1b}[2J";
    let out = env.run(&["cat", missing]);
    out.code(1);
    assert!(!has_raw_control(&out.stderr), "{:?}", out.stderr);
    assert!(
        out.stderr.contains("gone\\x1b[2J not found"),
        "{}",
        out.stderr
    );
}
