//! Global/app acceptance cases (reference §8.1) with s5rs's exit codes: 2 for usage
//! errors of the command line, 1 for failed operations, 0 otherwise.

mod common;

use common::TestEnv;

#[test]
fn negative_retry_count_is_a_usage_error() {
    let env = TestEnv::new();
    let out = env.run(&["-r", "-1", "ls"]);
    out.code(2);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr
            .contains("retry count cannot be a negative value"),
        "{}",
        out.stderr
    );
}

#[test]
fn retry_counts_and_no_command_print_help() {
    let env = TestEnv::new();
    for r in ["0", "20"] {
        let out = env.run(&["-r", r]);
        out.ok();
        assert!(
            out.stdout.contains("Usage") || out.stdout.contains("USAGE"),
            "{}",
            out.stdout
        );
    }
}

#[test]
fn stat_summary() {
    let env = TestEnv::new();
    env.put("file1.txt", b"x");
    for level in ["trace", "debug", "info", "error"] {
        let out = env.run(&["--stat", "--log", level, "ls", "s3://bkt"]);
        out.code(0);
        assert!(
            out.stdout.contains("Operation\tTotal\tError\tSuccess\t"),
            "{level}: {}",
            out.stdout
        );
    }
    let out = env.run(&["--json", "--stat", "ls", "s3://bkt"]);
    out.ok();
    let last = out.lines().last().copied().unwrap();
    let stat: s5rs::record::StatRecord = serde_json::from_str(last).unwrap();
    assert_eq!(
        (
            stat.operation.as_str(),
            stat.success,
            stat.error,
            stat.total
        ),
        ("ls", 1, 0, 1)
    );
    for args in [&["--stat", "help"][..], &["--stat", "version"][..]] {
        let out = env.run(args);
        out.code(0);
        assert!(!out.stdout.contains("Operation\tTotal"), "{}", out.stdout);
    }
}

#[test]
fn unknown_command() {
    let env = TestEnv::new();
    let out = env.run(&["unknown-command"]);
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("\"unknown-command\""), "{}", out.stderr);
    assert!(out.stderr.contains("command not found"), "{}", out.stderr);
    assert_eq!(out.stdout, "");
}

#[test]
fn help_for_every_command() {
    let env = TestEnv::new();
    env.run(&["--help"]).ok();
    for cmd in [
        "ls",
        "cp",
        "mv",
        "rm",
        "sync",
        "du",
        "cat",
        "pipe",
        "head",
        "mb",
        "rb",
        "presign",
        "select",
        "bucket-version",
        "run",
        "version",
    ] {
        let out = env.run(&[cmd, "--help"]);
        assert_eq!(out.code, 0, "{cmd}: {}", out.stderr);
        assert!(!out.stdout.is_empty(), "{cmd}");
    }
}

#[test]
fn unknown_global_flag() {
    let env = TestEnv::new();
    let out = env.run(&["--recursive", "ls"]);
    out.code(2);
    assert_eq!(out.stdout, "");
    assert!(out.stderr.contains("recursive"), "{}", out.stderr);
    let out = env.run(&["--log", "notexist", "ls"]);
    out.code(2);
    assert_eq!(out.stdout, "");
    assert!(out.stderr.contains("notexist"), "{}", out.stderr);
}

#[test]
fn endpoint_scheme_is_checked() {
    let env = TestEnv::new();
    let out = env
        .bare_command()
        .args(["--endpoint-url", "storage.googleapis.com", "ls"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("scheme is missing"));
}

#[test]
fn version() {
    let env = TestEnv::new();
    let out = env.run(&["version"]);
    out.ok();
    assert!(
        out.stdout.starts_with('v') && out.stdout.trim().len() > 1,
        "{}",
        out.stdout
    );
    assert_eq!(env.run(&["--json", "version"]).stdout, out.stdout);
}

#[test]
fn no_sign_request_conflicts_with_profile() {
    let env = TestEnv::new();
    let out = env.run(&["--no-sign-request", "--profile", "x", "ls"]);
    out.code(2);
    assert!(
        out.stderr
            .contains("\"no-sign-request\" and \"profile\" flags cannot be used together"),
        "{}",
        out.stderr
    );
}

#[test]
fn command_usage_errors_exit_2() {
    let env = TestEnv::new();
    for args in [
        &["cp", "--bogus", "a", "s3://bkt/"][..],
        &["cp", "onlyone"][..],
        &["ls", "a", "b"][..],
    ] {
        let out = env.run(args);
        out.code(2);
        assert!(
            out.stderr.starts_with("ERROR \""),
            "{args:?}: {}",
            out.stderr
        );
    }
    let out = env.run(&["--json", "cp", "onlyone"]);
    out.code(2);
    let r = &out.records()[0];
    assert_eq!((r.success, r.error_kind.as_deref()), (false, Some("parse")));
    assert_eq!(r.command.as_deref(), Some("cp onlyone"));
}
