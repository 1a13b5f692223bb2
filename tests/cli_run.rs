//! `run` (batch mode) acceptance cases (reference §8.13, 227–238) and the batch
//! language: quoting, comments, CRLF, bad lines in the middle, `wait` barriers,
//! streaming from a slow producer, and a 1,000,000-line dry run in bounded memory.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{TestEnv, sorted};

fn two_files(env: &TestEnv) {
    env.put("file1.txt", b"1");
    env.put("file2.txt", b"22");
}

#[test]
fn comments_are_ignored() {
    let env = TestEnv::new();
    two_files(&env);
    let input = " # this is a comment\nls s3://bkt/file1.txt\n# this one too\nls s3://bkt/file2.txt # trailing comment\n\n   \n";
    let out = env.run_stdin(&["run"], input);
    out.ok();
    let mut lines = out.lines();
    lines.sort_by_key(|l| l.ends_with("file2.txt"));
    assert_eq!(lines.len(), 2);
    assert!(lines[0].ends_with(" 1  file1.txt"), "{lines:?}");
    assert!(lines[1].ends_with(" 2  file2.txt"));
}

#[test]
fn hash_inside_words_is_literal() {
    let env = TestEnv::new();
    env.put("test #3 /bar.jpg", b"x");
    let out = env.run_stdin(
        &["run"],
        "mv 's3://bkt/test #3 /bar.jpg' 's3://bkt/test #3/bar.jpg'\n",
    );
    out.ok();
    assert_eq!(
        out.stdout,
        "mv s3://bkt/test #3 /bar.jpg s3://bkt/test #3/bar.jpg\n"
    );
    assert_eq!(env.keys(), ["test #3/bar.jpg"]);
}

#[test]
fn quoting_rules() {
    let env = TestEnv::new();
    env.write_file("a b/e.txt", b"1");
    env.write_file("it's.txt", b"2");
    env.write_file("q\"d.txt", b"3");
    let input = "cp a\\ b/e.txt s3://bkt/one/\ncp \"it's.txt\" 's3://bkt/two/'\ncp 'q\"d.txt' \"s3://bkt/th\\\"ree/\"\ncp \"a b\"/e.txt s3://bkt/'four five'/\n";
    let out = env.run_stdin(&["run"], input);
    out.ok();
    assert_eq!(
        env.keys(),
        sorted(&[
            "four five/e.txt",
            "one/e.txt",
            "th\"ree/q\"d.txt",
            "two/it's.txt"
        ])
    );
}

#[test]
fn crlf_input() {
    let env = TestEnv::new();
    two_files(&env);
    let out = env.run_stdin(
        &["--json", "run"],
        "# c\r\nls s3://bkt/file1.txt\r\nrm s3://bkt/file2.txt\r\n",
    );
    out.ok();
    assert_eq!(env.keys(), ["file1.txt"]);
    assert!(out.stdout.contains("{\"key\":\"s3://bkt/file1.txt\","));
    assert!(
        out.stdout
            .contains("\"source\":\"s3://bkt/file2.txt\",\"line\":3}"),
        "{}",
        out.stdout
    );
}

#[test]
fn errors_of_lines() {
    let env = TestEnv::new();
    let out = env.run_stdin(&["run"], "ls s3/\ncp s3://bkt/nonexistentobject .\n");
    out.code(1);
    assert_eq!(out.stdout, "");
    let err = out.err_sorted();
    assert_eq!(err.len(), 2, "{}", out.stderr);
    assert!(
        err[0].starts_with("ERROR \"cp s3://bkt/nonexistentobject nonexistentobject\": NoSuchKey")
    );
    assert_eq!(err[1], "ERROR \"ls s3/\": given object s3/ not found");
    assert!(env.files().is_empty());
}

#[test]
fn json_records_carry_line_numbers() {
    let env = TestEnv::new();
    two_files(&env);
    let out = env.run_stdin(
        &["--json", "run"],
        "ls s3://bkt/file1.txt\n\nls s3://bkt/file2.txt\ncp s3://bkt/nokey .\n",
    );
    out.code(1);
    let lines = out.lines();
    assert_eq!(lines.len(), 3);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("{\"key\":\"s3://bkt/file1.txt\","))
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("{\"key\":\"s3://bkt/file2.txt\","))
    );
    // Listing lines name their batch line too (after s5cmd's fields).
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with(",\"operation\":\"ls\",\"line\":3}"))
    );
    let failed: s5rs::record::Record =
        serde_json::from_str(lines.iter().find(|l| l.contains("\"success\"")).unwrap()).unwrap();
    assert_eq!(failed.line, Some(4));
    assert_eq!(failed.error_kind.as_deref(), Some("no_such_key"));
    assert_eq!(failed.command.as_deref(), Some("cp s3://bkt/nokey nokey"));
}

#[test]
fn batch_file_text_and_json() {
    let env = TestEnv::new();
    two_files(&env);
    env.write_file(
        "cmds.txt",
        b"ls s3://bkt/file1.txt\nls s3://bkt/file2.txt\n",
    );
    let out = env.run(&["run", "cmds.txt"]);
    out.ok();
    assert_eq!(out.lines().len(), 2);
    let out = env.run(&["--json", "run", "cmds.txt"]);
    out.ok();
    let mut keys: Vec<(String, u64, String)> = out
        .tagged::<s5rs::record::ObjectRecord>()
        .into_iter()
        .map(|(op, line, o)| (op, line, o.key.unwrap()))
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            ("ls".to_string(), 1, "s3://bkt/file1.txt".to_string()),
            ("ls".to_string(), 2, "s3://bkt/file2.txt".to_string())
        ]
    );
}

#[test]
fn missing_batch_file() {
    let env = TestEnv::new();
    let out = env.run(&["run", "non-existent-file"]);
    out.code(2);
    assert_eq!(
        out.stderr,
        "ERROR \"run non-existent-file\": open non-existent-file: no such file or directory\n"
    );
}

#[test]
fn few_workers_do_not_deadlock() {
    let env = TestEnv::new();
    env.put("file.txt", b"x");
    env.write_file(
        "cmds.txt",
        b"cp s3://bkt/f*.txt folder1\ncp s3://bkt/f*.txt folder2\ncp s3://bkt/f*.txt folder3\n",
    );
    let out = env.run(&["--numworkers", "2", "run", "cmds.txt"]);
    out.ok();
    assert_eq!(
        out.sorted(),
        sorted(&[
            "cp s3://bkt/file.txt folder1/file.txt",
            "cp s3://bkt/file.txt folder2/file.txt",
            "cp s3://bkt/file.txt folder3/file.txt",
        ])
    );
}

#[test]
fn special_characters_in_keys() {
    let env = TestEnv::new();
    let key = "special-chars_!@#$%^&_()_+{[_%5Cäè| __;'_,_._-中文 =/image.jpg";
    env.put(key, b"img");
    let line = format!("cp \"s3://bkt/{key}\" ./image.jpg\n");
    let out = env.run_stdin(&["run"], &line);
    out.ok();
    assert_eq!(out.stdout, format!("cp s3://bkt/{key} ./image.jpg\n"));
    assert_eq!(env.read_file("image.jpg").unwrap(), b"img");
}

#[test]
fn dry_run_echoes_every_operation() {
    let env = TestEnv::new();
    for k in ["a", "b", "c"] {
        env.put(k, b"x");
    }
    let input = "cp s3://bkt/a s3://bkt/cp_a\nmv s3://bkt/b s3://bkt/mv_b\nrm s3://bkt/c\n";
    let out = env.run_stdin(&["--dry-run", "run"], input);
    out.ok();
    assert_eq!(
        out.sorted(),
        sorted(&[
            "cp s3://bkt/a s3://bkt/cp_a",
            "mv s3://bkt/b s3://bkt/mv_b",
            "rm s3://bkt/c"
        ])
    );
    assert_eq!(env.keys(), ["a", "b", "c"]);
}

#[test]
fn identical_lines_both_print() {
    let env = TestEnv::new();
    two_files(&env);
    let out = env.run_stdin(&["run"], "ls s3://bkt/file1.txt\nls s3://bkt/file1.txt\n");
    out.ok();
    assert_eq!(out.lines().len(), 2);
    assert_eq!(out.lines()[0], out.lines()[1]);
}

#[test]
fn bad_lines_in_the_middle_fail_alone() {
    let env = TestEnv::new();
    two_files(&env);
    let input = "rm s3://bkt/file1.txt\ncp 's3://bkt/unterminated .\nbogus x\ncp --bogus a s3://bkt/\nrun x\n--json ls\ncp onlyone\nrm s3://bkt/file2.txt\n";
    let out = env.run_stdin(&["--json", "run"], input);
    out.code(1);
    assert!(env.keys().is_empty(), "lines 1 and 8 ran");
    let records = out.records();
    let mut failed: Vec<_> = records.iter().filter(|r| !r.success).collect();
    failed.sort_by_key(|r| r.line);
    let lines: Vec<u64> = failed.iter().map(|r| r.line.unwrap()).collect();
    assert_eq!(lines, [2, 3, 4, 5, 6, 7]);
    for r in &failed {
        assert_eq!(r.operation, "run");
        assert_eq!(r.command.as_deref(), Some("run"));
        assert_eq!(r.error_kind.as_deref(), Some("parse"));
        let e = r.error.as_deref().unwrap();
        assert!(
            e.starts_with(&format!("line {}, column ", r.line.unwrap())),
            "{e}"
        );
    }
    assert!(
        failed[0].error.as_deref().unwrap().contains("quote"),
        "{:?}",
        failed[0]
    );
    assert!(
        failed[1]
            .error
            .as_deref()
            .unwrap()
            .contains("\"bogus\" command not found")
    );
    assert!(
        failed[3]
            .error
            .as_deref()
            .unwrap()
            .contains("not permitted")
    );
    // The column points at the offending word.
    assert!(
        failed[2]
            .error
            .as_deref()
            .unwrap()
            .starts_with("line 4, column 4: "),
        "{:?}",
        failed[2]
    );
    let ok: Vec<u64> = records
        .iter()
        .filter(|r| r.success)
        .map(|r| r.line.unwrap())
        .collect();
    assert_eq!(
        sorted(
            &ok.iter()
                .map(|n| if *n == 1 { "1" } else { "8" })
                .collect::<Vec<_>>()
        ),
        ["1", "8"]
    );
    // Text mode: the same on stderr, named by the run command.
    two_files(&env);
    env.write_file("cmds.txt", input.as_bytes());
    let out = env.run(&["run", "cmds.txt"]);
    out.code(1);
    assert_eq!(
        out.sorted(),
        sorted(&["rm s3://bkt/file1.txt", "rm s3://bkt/file2.txt"])
    );
    let err = out.err_sorted();
    assert_eq!(err.len(), 6, "{}", out.stderr);
    assert!(
        err.iter()
            .all(|l| l.starts_with("ERROR \"run cmds.txt\": line "))
    );
    assert!(err.iter().any(|l| l.contains(": line 5, column 1: \"run\" command is not permitted in run-mode")), "{err:?}");
}

#[test]
fn wait_is_a_barrier() {
    let env = TestEnv::new();
    env.write_file("first.txt", b"first");
    env.write_file("second.txt", b"second");
    // Without the barrier `cp -n` could win the race; with it, it always finds the object.
    let mut input = String::new();
    for i in 0..20 {
        input.push_str(&format!("cp first.txt s3://bkt/k{i}\n"));
    }
    input.push_str("wait\n");
    for i in 0..20 {
        input.push_str(&format!(
            "cp -n second.txt s3://bkt/k{i}\nrm s3://bkt/gone{i}\n"
        ));
    }
    input.push_str("  wait  # again\n");
    for i in 0..20 {
        input.push_str(&format!("rm s3://bkt/k{}\n", i * 2 % 20 + 20));
    }
    input.push_str("wait\ncp second.txt s3://bkt/last\nwait\nrm s3://bkt/last\n");
    let out = env.run_stdin(&["--json", "run"], &input);
    out.ok();
    for i in 0..20 {
        assert_eq!(env.get(&format!("k{i}")).unwrap(), b"first", "k{i}");
    }
    assert!(env.get("last").is_none());
    // Records of lines before a barrier come before records of lines after it.
    let lines: Vec<u64> = out.records().iter().map(|r| r.line.unwrap()).collect();
    let first_after = lines.iter().position(|&l| l > 21).unwrap();
    assert!(lines[..first_after].iter().all(|&l| l <= 20));
    assert!(lines[first_after..].iter().all(|&l| l > 21), "{lines:?}");
    assert_eq!(lines.last(), Some(&(lines.len() as u64 + 4)));
}

#[test]
fn wait_on_the_command_line_is_a_usage_error() {
    let env = TestEnv::new();
    env.run(&["wait"]).code(2);
}

#[test]
fn input_is_streamed() {
    let env = TestEnv::new();
    env.put("a", b"x");
    let mut child = env
        .command(&["run"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            tx.send(line.unwrap()).unwrap();
        }
    });
    stdin
        .write_all(b"# first a comment\nrm s3://bkt/a\n")
        .unwrap();
    stdin.flush().unwrap();
    let first = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("a record before the input ends");
    assert_eq!(first, "rm s3://bkt/a");
    assert!(
        child.try_wait().unwrap().is_none(),
        "still reading its input"
    );
    stdin.write_all(b"rm s3://bkt/b\n").unwrap();
    drop(stdin);
    let second = rx.recv_timeout(Duration::from_secs(30)).unwrap();
    assert_eq!(second, "rm s3://bkt/b");
    assert!(child.wait().unwrap().success());
    reader.join().unwrap();
}

/// Peak resident set size of a running process (kB), from `/proc/<pid>/status`.
fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// CPU time (user + system, seconds) a running process has used, from `/proc/<pid>/stat`.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 14 and 15 of stat(5) (utime, stime), counted from the state field (3).
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

#[test]
fn million_line_dry_run_streams_in_bounded_memory() {
    const LINES: usize = 1_000_000;
    let env = TestEnv::new();
    let requests_before = env.server.requests();
    let started = Instant::now();
    let mut child = env
        .command(&["--dry-run", "run"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    let producer = std::thread::spawn(move || {
        let mut w = std::io::BufWriter::with_capacity(1 << 16, &mut stdin);
        for i in 0..LINES {
            writeln!(w, "cp s3://bkt/k{i} d/k{i}").unwrap();
        }
        w.flush().unwrap();
    });
    let stdout = child.stdout.take().unwrap();
    let counter = std::thread::spawn(move || {
        let mut n = 0usize;
        let mut last = String::new();
        for line in BufReader::with_capacity(1 << 16, stdout).lines() {
            let line = line.unwrap();
            if n == 0 {
                assert!(line.starts_with("cp s3://bkt/k"), "{line}");
            }
            n += 1;
            last = line;
        }
        (n, last)
    });
    let stderr = child.stderr.take().unwrap();
    let errs = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap());
    let mut peak_kb = 0;
    let mut cpu = 0.0f64;
    let status = loop {
        if let Some(kb) = vm_hwm_kb(pid) {
            peak_kb = peak_kb.max(kb);
        }
        if let Some(c) = cpu_seconds(pid) {
            cpu = cpu.max(c);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    producer.join().unwrap();
    let (count, last) = counter.join().unwrap();
    let errs = errs.join().unwrap();
    let elapsed = started.elapsed();
    eprintln!(
        "1M-line --dry-run batch: {count} lines in {:.1} s (CPU {cpu:.1} s), peak RSS {:.1} MB",
        elapsed.as_secs_f64(),
        peak_kb as f64 / 1024.0
    );
    assert!(status.success(), "{errs}");
    assert_eq!(errs, "");
    assert_eq!(count, LINES);
    assert!(last.starts_with("cp s3://bkt/k"));
    assert!(peak_kb > 0 && peak_kb < 200 * 1024, "peak RSS {peak_kb} kB");
    assert_eq!(
        env.server.requests(),
        requests_before,
        "a dry run of single-object cps sends nothing"
    );
    assert!(!env.local("d").exists());
}

/// The local layout the dry-run destination test resolves against.
fn destination_layout() -> TestEnv {
    let env = TestEnv::new();
    env.put("dir/k.bin", b"12345");
    env.write_file("out/file", b"x");
    std::fs::create_dir_all(env.local("out/sub")).unwrap();
    std::os::unix::fs::symlink(env.local("out/sub"), env.local("out/link")).unwrap();
    env
}

/// A dry-run download line is planned on the batch reader itself, its "is the
/// destination a directory?" answered once per parent directory where the answer
/// cannot be yes (`ctx/dry_dirs.rs`). Each destination must be the one a real
/// download picks (run on a fresh copy of the layout), and each record must equal
/// that of the same line under `-n`, whose op takes the full download path (finding
/// no file to keep); in text too; and nothing may be created.
#[test]
fn dry_run_downloads_resolve_destinations_as_real_runs_do() {
    let cases = [
        ("out/new.bin", "out/new.bin"),
        ("missing/dir/k.bin", "missing/dir/k.bin"),
        ("missing/dir/other.bin", "missing/dir/other.bin"),
        ("out/sub", "out/sub/k.bin"),
        ("out/link", "out/link/k.bin"),
        ("out/sub/", "out/sub/k.bin"),
        ("out/sub/k.bin", "out/sub/k.bin"),
        ("out/file/x", "out/file/x"),
        ("out/./sub", "out/sub/k.bin"),
        (".", "k.bin"),
    ];
    for (dst, expected) in cases {
        let env = destination_layout();
        let out = env.run(&["--json", "cp", "s3://bkt/dir/k.bin", dst]);
        let records = out.records();
        assert_eq!(records.len(), 1, "{dst}: {}", out.stdout);
        assert_eq!(records[0].destination.as_deref(), Some(expected), "{dst}");
    }
    let env = destination_layout();
    let mut input = String::new();
    for (dst, _) in cases {
        input.push_str(&format!(
            "cp s3://bkt/dir/k.bin {dst}\ncp -n s3://bkt/dir/k.bin {dst}\n"
        ));
    }
    let out = env.run_stdin(&["--dry-run", "--json", "run"], &input);
    out.ok();
    let mut by_line: Vec<(u64, serde_json::Value)> = out
        .lines()
        .iter()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            let line = v["line"].as_u64().unwrap();
            v.as_object_mut().unwrap().remove("line");
            (line, v)
        })
        .collect();
    by_line.sort_by_key(|(line, _)| *line);
    assert_eq!(by_line.len(), 2 * cases.len(), "{}", out.stdout);
    for (i, (dst, expected)) in cases.iter().enumerate() {
        let (fast, full) = (&by_line[2 * i].1, &by_line[2 * i + 1].1);
        assert_eq!(fast, full, "{dst}");
        assert_eq!(fast["destination"], *expected, "{dst}");
        assert_eq!(fast["success"], true, "{dst}");
        assert_eq!(fast["dry_run"], true, "{dst}");
    }
    let text = env.run_stdin(&["--dry-run", "run"], &input);
    text.ok();
    let mut expected: Vec<String> = cases
        .iter()
        .flat_map(|(_, d)| {
            [
                format!("cp s3://bkt/dir/k.bin {d}"),
                format!("cp s3://bkt/dir/k.bin {d}"),
            ]
        })
        .collect();
    expected.sort();
    assert_eq!(text.sorted(), expected);
    assert!(!env.local("missing").exists());
    assert!(!env.local("k.bin").exists());
    assert!(!env.local("out/sub/k.bin").exists());
    assert!(!env.local("out/new.bin").exists());
}

/// Dry-run copy lines of one object are planned on the batch reader and their
/// records sent to the output in batches (`commands/dry_line.rs`). Lines that take
/// the usual way (the first, before its client exists; failures; `wait`) must still
/// report in input order among them — under `--json` every record is on stdout, so
/// the line numbers must rise — and every record and the `--stat` table must equal
/// those of the same batch with `-n` on each copy, whose lines all take the usual
/// way (each in a task of its own, so in any order).
#[test]
fn dry_run_lines_planned_on_the_reader_report_in_order_as_the_usual_way() {
    let env = TestEnv::new();
    let (mut quick, mut usual, mut expected) = (String::new(), String::new(), Vec::new());
    for i in 0..3000 {
        let (line, text) = match i % 7 {
            0 if i % 500 == 0 => ("wait".to_string(), None),
            0 => (format!("cp s3://bkt/src/{i}/ out/{i}"), None),
            1 if i % 100 == 1 => (format!("cp s3://bkt/only{i}"), None),
            2 => (
                format!("mv {{}}s3://bkt/a/k{i} s3://bkt/b/"),
                Some(format!("mv s3://bkt/a/k{i} s3://bkt/b/k{i}")),
            ),
            _ => (
                format!("cp {{}}s3://bkt/dir/k{i}.bin out/d/k{i}.bin"),
                Some(format!("cp s3://bkt/dir/k{i}.bin out/d/k{i}.bin")),
            ),
        };
        quick.push_str(&line.replace("{}", ""));
        quick.push('\n');
        usual.push_str(&line.replace("{}", "-n "));
        usual.push('\n');
        expected.extend(text);
    }
    let text = env.run_stdin(&["--dry-run", "run"], &quick);
    text.code(1);
    assert_eq!(text.lines(), expected, "text lines in input order");
    let json = env.run_stdin(&["--dry-run", "--json", "run"], &quick);
    json.code(1);
    let lines: Vec<u64> = json.records().iter().map(|r| r.line.unwrap()).collect();
    assert!(lines.windows(2).all(|w| w[0] < w[1]), "{lines:?}");
    assert!(lines.len() > expected.len(), "failures are records too");
    let json_usual = env.run_stdin(&["--dry-run", "--json", "run"], &usual);
    assert_eq!(json.sorted(), json_usual.sorted());
    let stat = env.run_stdin(&["--dry-run", "--stat", "run"], &quick);
    let stat_usual = env.run_stdin(&["--dry-run", "--stat", "run"], &usual);
    // Everything but the summary's timing line.
    let figures = |o: &common::Outcome| {
        let mut lines = o.sorted();
        lines.retain(|l| !l.trim_start().starts_with("took "));
        lines
    };
    assert_eq!(figures(&stat), figures(&stat_usual));
    let errors = |o: &common::Outcome| {
        let mut lines: Vec<String> = o.stderr.lines().map(str::to_string).collect();
        lines.sort();
        lines
    };
    assert_eq!(errors(&stat), errors(&stat_usual));
    assert!(stat.stderr.contains("ERROR"), "{}", stat.stderr);
    assert!(stat.stdout.contains("cp"), "{}", stat.stdout);
    assert!(!env.local("out").exists());
}
