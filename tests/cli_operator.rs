//! Operator features (issue 17): `--show-progress` on a terminal (driven under a
//! pseudo-terminal by `tests/pty/run.py`) and off one, the confirmation before mass
//! deletes, `--create-bucket`, the `--stat` summary, `sync` of a prefix without a
//! wildcard, `help batch`/`help records`, the man page and the completions.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{Faults, Outcome, TestEnv};

/// Runs `s5rs <args>` under a pseudo-terminal, typing `answer` at the `[y/N]` question
/// (`-`: never). Returns everything written to the terminal and the exit code.
fn under_pty(env: &TestEnv, args: &[&str], answer: &str) -> (String, i32) {
    let base = env.command(args);
    let mut py = Command::new("python3");
    py.env_clear().current_dir(env.path()).env("TERM", "xterm");
    for (k, v) in base.get_envs() {
        if let Some(v) = v {
            py.env(k, v);
        }
    }
    py.arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pty/run.py"))
        .arg(answer)
        .arg(base.get_program())
        .args(base.get_args());
    let out = py.output().expect("python3 runs");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn put_many(env: &TestEnv, prefix: &str, n: usize) {
    for i in 0..n {
        env.put(&format!("{prefix}{i:02}.txt"), b"12345");
    }
}

#[test]
fn progress_bar_on_a_terminal_finishes_at_100_percent() {
    let env = TestEnv::new();
    for i in 0..4 {
        env.write_file(&format!("up/f{i}.bin"), &[7u8; 1024]);
    }
    let (screen, code) = under_pty(&env, &["cp", "--sp", "up/*", "s3://bkt/up/"], "-");
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("100%"), "{screen}");
    assert!(screen.contains("4/4 objects, 4 KiB/4 KiB"), "{screen}");
    assert!(screen.contains("0 failed"), "{screen}");
    assert_eq!(env.keys().len(), 4);
    // Without the flag: no bar.
    let (screen, code) = under_pty(&env, &["cp", "up/*", "s3://bkt/again/"], "-");
    assert_eq!(code, 0, "{screen}");
    assert!(!screen.contains("objects,"), "{screen}");
}

#[test]
fn mass_delete_asks_on_a_terminal() {
    let env = TestEnv::new();
    put_many(&env, "d/", 6);
    let args = ["--confirm-above", "5", "rm", "s3://bkt/d/*"];
    let (screen, code) = under_pty(&env, &args, "n");
    assert!(screen.contains("this would delete 6 objects"), "{screen}");
    assert!(screen.contains("s3://bkt/d/00.txt"), "{screen}");
    assert!(
        screen.contains("not confirmed: nothing was deleted"),
        "{screen}"
    );
    assert_eq!(code, 1);
    assert_eq!(env.keys().len(), 6, "nothing deleted");
    let (screen, code) = under_pty(&env, &args, "y");
    assert_eq!(code, 0, "{screen}");
    assert!(env.keys().is_empty(), "everything deleted: {screen}");
    // Within the limit, or with --yes: no question.
    put_many(&env, "d/", 6);
    let (screen, code) = under_pty(
        &env,
        &["--yes", "--confirm-above", "5", "rm", "s3://bkt/d/*"],
        "-",
    );
    assert_eq!(code, 0, "{screen}");
    assert!(!screen.contains("[y/N]"), "{screen}");
    assert!(env.keys().is_empty());
}

#[test]
fn sync_delete_and_rb_force_ask_on_a_terminal() {
    let env = TestEnv::new();
    put_many(&env, "s/", 4);
    std::fs::create_dir_all(env.local("empty")).unwrap();
    let args = [
        "--confirm-above",
        "3",
        "sync",
        "--delete",
        "empty/",
        "s3://bkt/s/",
    ];
    let (screen, code) = under_pty(&env, &args, "no");
    assert!(screen.contains("this would delete 4 objects"), "{screen}");
    assert_eq!(code, 1);
    assert_eq!(env.keys().len(), 4);
    let (screen, code) = under_pty(
        &env,
        &["--confirm-above", "3", "rb", "--force", "s3://bkt"],
        "n",
    );
    assert!(screen.contains("this would delete 4 objects"), "{screen}");
    assert_eq!(code, 1);
    assert_eq!(env.keys().len(), 4, "bucket kept");
    let (screen, code) = under_pty(&env, &args, "yes");
    assert_eq!(code, 0, "{screen}");
    assert!(env.keys().is_empty());
}

#[test]
fn off_a_terminal_deletes_run_without_asking() {
    let env = TestEnv::new();
    put_many(&env, "d/", 6);
    let out = env.run(&["--confirm-above", "2", "rm", "s3://bkt/d/*"]);
    out.ok();
    assert_eq!(out.lines().len(), 6);
    assert!(env.keys().is_empty());
}

#[test]
fn dry_run_rb_force_lists_what_it_would_delete() {
    let env = TestEnv::new();
    put_many(&env, "x/", 3);
    let out = env.run(&["--dry-run", "rb", "--force", "s3://bkt"]);
    out.ok();
    assert_eq!(
        out.sorted(),
        [
            "rb s3://bkt",
            "rm s3://bkt/x/00.txt",
            "rm s3://bkt/x/01.txt",
            "rm s3://bkt/x/02.txt"
        ]
    );
    assert_eq!(env.keys().len(), 3);
}

#[test]
fn plain_progress_lines_off_a_terminal() {
    let env = TestEnv::new();
    for i in 0..3 {
        env.write_file(&format!("up/f{i}.bin"), &[1u8; 2048]);
    }
    env.server.set_faults(Faults {
        delay: Some(Duration::from_millis(300)),
        ..Faults::default()
    });
    let mut c = env.command(&[
        "--json",
        "--numworkers",
        "2",
        "cp",
        "--sp",
        "up/*",
        "s3://bkt/up/",
    ]);
    c.env("S5RS_PROGRESS_INTERVAL_MS", "100");
    let out = c.output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // stdout: only the records.
    for line in stdout.lines() {
        serde_json::from_str::<s5rs::record::Record>(line).unwrap();
    }
    assert_eq!(stdout.lines().count(), 3);
    let progress: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("progress: "))
        .collect();
    assert!(progress.len() >= 3, "several lines while it runs: {stderr}");
    assert_eq!(stderr.lines().count(), progress.len(), "{stderr}");
    let last = progress.last().unwrap();
    assert!(
        last.starts_with("progress: 3/3 objects, 6 KiB/6 KiB, "),
        "{last}"
    );
    assert!(last.ends_with(", 0 failed"), "{last}");
}

#[test]
fn create_bucket_on_cp_mv_and_sync() {
    let env = TestEnv::new();
    env.write_file("dir/a.txt", b"aaa");
    env.write_file("dir/b.txt", b"bb");
    // Without the flag: one error for the command, nothing copied.
    let out = env.run(&["--json", "cp", "dir/*", "s3://nob/"]);
    out.code(1);
    let records = out.records();
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0].error_kind.as_deref(), Some("no_such_bucket"));
    assert!(
        records[0]
            .error
            .as_deref()
            .unwrap()
            .contains("--create-bucket")
    );
    for (i, args) in [
        vec!["cp", "--create-bucket", "dir/*", "s3://newcp/"],
        vec!["mv", "--create-bucket", "s3://newcp/*", "s3://newmv/"],
        vec!["sync", "--create-bucket", "dir/", "s3://newsync/"],
    ]
    .into_iter()
    .enumerate()
    {
        let out = env.run(&args);
        out.ok();
        let bucket = args[3].trim_start_matches("s3://").trim_end_matches('/');
        assert!(
            out.lines().contains(&format!("mb s3://{bucket}").as_str()),
            "{i}: {:?}",
            out.lines()
        );
        assert_eq!(env.keys_in(bucket), ["a.txt", "b.txt"], "{i}");
    }
    assert!(env.keys_in("newcp").is_empty(), "mv moved them");
    // An existing bucket is not made again.
    let out = env.run(&["cp", "--create-bucket", "dir/*", "s3://newsync/again/"]);
    out.ok();
    assert!(!out.stdout.contains("mb "), "{}", out.stdout);
}

#[test]
fn stat_summary_text_and_json() {
    let env = TestEnv::new();
    env.write_file("dir/a.txt", b"aaaa");
    env.write_file("dir/b.txt", b"bbbbbb");
    env.put("dir/a.txt", b"old");
    let out = env.run(&["--json", "--stat", "cp", "-n", "dir/*", "s3://bkt/dir/"]);
    out.ok();
    let lines = out.lines();
    let summary: s5rs::output::summary::SummaryRecord =
        serde_json::from_str(lines.last().unwrap()).unwrap();
    assert_eq!((summary.copied.objects, summary.copied.bytes), (1, 6));
    assert_eq!(summary.skipped.objects, 1);
    assert_eq!(summary.skipped.reasons["object already exists"], 1);
    assert_eq!((summary.deleted.objects, summary.failed.objects), (0, 0));
    assert!(
        lines
            .iter()
            .any(|l| l.contains(r#""operation":"cp","success":1"#)),
        "{lines:?}"
    );
    let out = env.run(&["--stat", "rm", "s3://bkt/dir/*"]);
    out.ok();
    assert!(
        out.stdout
            .contains("\nOperation\tTotal\tError\tSuccess\t\n"),
        "{}",
        out.stdout
    );
    let summary = out.stdout.split("Summary:\n").nth(1).expect("a summary");
    assert!(summary.contains("  copied   0 objects"), "{summary}");
    assert!(summary.contains("  deleted  2 objects"), "{summary}");
    assert!(summary.contains("  took "), "{summary}");
}

#[test]
fn sync_accepts_a_prefix_without_wildcard() {
    let env = TestEnv::new();
    env.put("pre/a.txt", b"a");
    env.put("pre/sub/b.txt", b"b");
    env.put("other.txt", b"o");
    let out = env.run(&["sync", "s3://bkt/pre/", "out/"]);
    out.ok();
    assert_eq!(env.read_file("out/a.txt").as_deref(), Some(&b"a"[..]));
    assert_eq!(env.read_file("out/sub/b.txt").as_deref(), Some(&b"b"[..]));
    assert!(env.read_file("out/other.txt").is_none());
    // cp still refuses it, as s5cmd does.
    let out: Outcome = env.run(&["cp", "s3://bkt/pre/", "out2/"]);
    out.code(1);
    assert!(
        out.stderr
            .contains("source argument must contain wildcard character")
    );
}

#[test]
fn help_topics_man_page_and_completions() {
    let env = TestEnv::new();
    let out = env.run(&["help", "batch"]);
    out.ok();
    assert!(out.stdout.contains("wait") && out.stdout.contains("command_line"));
    let out = env.run(&["help", "records"]);
    out.ok();
    assert!(out.stdout.contains("error_kind") && out.stdout.contains("\"operation\":\"summary\""));
    let out = env.run(&["man"]);
    out.ok();
    assert!(
        out.stdout.starts_with(".ie") || out.stdout.contains(".TH s5rs"),
        "{}",
        &out.stdout[..200]
    );
    let page = env.local("s5rs.1");
    std::fs::write(&page, &out.stdout).unwrap();
    let rendered = Command::new("man")
        .args(["-l", "-P", "cat"])
        .arg(&page)
        .env("MANWIDTH", "100")
        .output()
        .or_else(|_| {
            Command::new("groff")
                .args(["-man", "-Tutf8"])
                .arg(&page)
                .output()
        })
        .expect("man or groff renders the page");
    let text = String::from_utf8_lossy(&rendered.stdout);
    assert!(
        text.contains("SYNOPSIS") && text.contains("--show-progress"),
        "{text}"
    );
    let out = env.run(&["man", "pages"]);
    out.ok();
    assert!(env.local("pages/s5rs-cp.1").exists());
    let cp_page = std::fs::read_to_string(env.local("pages/s5rs-cp.1")).unwrap();
    assert!(cp_page.contains("create\\-bucket"), "{cp_page}");
    let out = env.run(&["completion", "bash"]);
    out.ok();
    for flag in ["--create-bucket", "--show-progress", "--no-clobber"] {
        assert!(out.stdout.contains(flag), "{flag}");
    }
}

#[test]
fn mv_of_many_objects_asks_on_a_terminal() {
    let env = TestEnv::new();
    put_many(&env, "m/", 4);
    let args = [
        "--confirm-above",
        "3",
        "mv",
        "s3://bkt/m/*",
        "s3://bkt/moved/",
    ];
    let (screen, code) = under_pty(&env, &args, "n");
    assert!(screen.contains("this would delete 4 objects"), "{screen}");
    assert_eq!(code, 1);
    assert_eq!(env.keys().len(), 4);
    assert!(
        env.keys().iter().all(|k| k.starts_with("m/")),
        "nothing moved"
    );
    let (screen, code) = under_pty(&env, &args, "y");
    assert_eq!(code, 0, "{screen}");
    assert!(
        env.keys().iter().all(|k| k.starts_with("moved/")),
        "{:?}",
        env.keys()
    );
}

#[test]
fn one_progress_display_for_a_batch() {
    let env = TestEnv::new();
    env.write_file("a.txt", b"aaaa");
    env.write_file("b.txt", b"bb");
    std::fs::write(
        env.local("batch.txt"),
        "cp a.txt s3://bkt/a.txt\ncp b.txt s3://bkt/b.txt\nwait\nrm s3://bkt/a.txt\n",
    )
    .unwrap();
    let mut c = env.command(&["--show-progress", "run", "batch.txt"]);
    c.env("S5RS_PROGRESS_INTERVAL_MS", "50");
    let out = c.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("progress: 3/3 objects, 6 B/6 B, "),
        "{stderr}"
    );
    assert_eq!(env.keys(), ["b.txt"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
}
