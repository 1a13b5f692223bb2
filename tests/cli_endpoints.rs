//! Reaching servers, black-box: which credentials a named profile gives, what an
//! unreachable endpoint does (fails fast, names the endpoint and the side of a
//! copy), and what each `--log` level shows (retries at debug, every request at
//! trace).
//!
//! Unreachable endpoints are a loopback port nothing listens on (connection
//! refused) and a `.invalid` host name (RFC 2606: never resolves); nothing is sent
//! off the machine. `AWS_EC2_METADATA_DISABLED` keeps a credentials chain from ever
//! asking instance metadata. The elapsed-time bounds are generous (10 s for what
//! takes about one) so they catch the 12–20 s of retrying they guard against,
//! never a slow machine.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::{Faults, Outcome, TestEnv};

/// A loopback port with nothing listening on it (bound, then released).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Runs `cmd` to completion and measures how long it took.
fn timed(mut cmd: std::process::Command) -> (Outcome, Duration) {
    let started = Instant::now();
    let out = cmd
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run s5rs");
    let took = started.elapsed();
    let out = Outcome {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    (out, took)
}

/// `DEBUG "… ": retry n/max in …ms: …` lines of stderr.
fn retry_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("DEBUG \"") && l.contains("\": retry "))
        .collect()
}

const GENEROUS: Duration = Duration::from_secs(10);

#[test]
fn refused_connection_fails_fast_names_the_endpoint_and_logs_each_retry() {
    let env = TestEnv::new();
    let endpoint = format!("http://127.0.0.1:{}", closed_port());
    let mut cmd = env.bare_command();
    cmd.args([
        "--endpoint-url",
        &endpoint,
        "--log",
        "debug",
        "ls",
        "s3://bkt/",
    ]);
    let (out, took) = timed(cmd);
    assert!(took < GENEROUS, "took {took:?}; stderr:\n{}", out.stderr);
    out.code(1);
    assert_eq!(out.stdout, "");
    let errors: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("ERROR"))
        .collect();
    assert_eq!(errors.len(), 1, "{}", out.stderr);
    assert!(
        errors[0].starts_with(&format!("ERROR \"ls s3://bkt/\": endpoint {endpoint}: ")),
        "{}",
        errors[0]
    );
    assert!(errors[0].contains("Connection refused"), "{}", errors[0]);
    assert!(
        errors[0].ends_with("(gave up after 3 retries)"),
        "{}",
        errors[0]
    );
    // Three short retries (not --retry-count's 10), each with its delay and reason.
    let retries = retry_lines(&out.stderr);
    assert_eq!(retries.len(), 3, "{}", out.stderr);
    for (i, line) in retries.iter().enumerate() {
        let head = format!("DEBUG \"GET {endpoint}/bkt?");
        assert!(line.starts_with(&head), "{line}");
        let tail = line.split("\": ").nth(1).unwrap();
        assert!(
            tail.starts_with(&format!("retry {}/3 in ", i + 1)),
            "{line}"
        );
        let ms: u64 = tail["retry 1/3 in ".len()..]
            .split("ms: ")
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(ms <= 800, "{line}");
        assert!(
            line.ends_with("Connection refused (os error 111)"),
            "{line}"
        );
    }
}

#[test]
fn a_name_that_does_not_resolve_is_not_retried() {
    let env = TestEnv::new();
    let endpoint = "http://nonexistent.invalid:9000";
    let mut cmd = env.bare_command();
    cmd.args(["--json", "--endpoint-url", endpoint, "--log", "debug"])
        .args(["cp", "s3://bkt/a.txt", "b.txt"]);
    let (out, took) = timed(cmd);
    assert!(took < GENEROUS, "took {took:?}; stderr:\n{}", out.stderr);
    out.code(1);
    assert!(retry_lines(&out.stderr).is_empty(), "{}", out.stderr);
    let records = out.records();
    assert_eq!(records.len(), 1, "{}", out.stdout);
    let r = &records[0];
    assert!(!r.success);
    assert_eq!(r.error_kind.as_deref(), Some("network"));
    let error = r.error.as_deref().unwrap();
    assert!(
        error.starts_with(&format!(
            "source endpoint {endpoint}: cannot resolve host \"nonexistent.invalid\""
        )),
        "{error}"
    );
    assert!(env.read_file("b.txt").is_none());
}

#[test]
fn a_copy_between_endpoints_names_the_side_that_failed() {
    let env = TestEnv::new();
    env.put("a.txt", b"hello");
    let down = format!("http://127.0.0.1:{}", closed_port());
    let copy = |source: &str, destination: &str| {
        let mut cmd = env.bare_command();
        cmd.args(["--json", "--source-endpoint-url", source])
            .args(["--destination-endpoint-url", destination])
            .args(["cp", "s3://bkt/a.txt", "s3://bkt/b.txt"]);
        let (out, took) = timed(cmd);
        assert!(took < GENEROUS, "took {took:?}; stderr:\n{}", out.stderr);
        out.code(1);
        let records = out.records();
        assert_eq!(records.len(), 1, "{}", out.stdout);
        assert_eq!(records[0].error_kind.as_deref(), Some("network"));
        records[0].error.clone().unwrap()
    };
    let error = copy(&env.server.endpoint, &down);
    assert!(
        error.starts_with(&format!("destination endpoint {down}: ")),
        "{error}"
    );
    let error = copy(&down, &env.server.endpoint);
    assert!(
        error.starts_with(&format!("source endpoint {down}: ")),
        "{error}"
    );
    assert_eq!(env.keys(), ["a.txt"]);
}

/// Writes AWS config and credentials files: profile `dst` with the server's keys,
/// profile `wrong` with keys the server refuses.
fn profiles(env: &TestEnv) -> (PathBuf, PathBuf) {
    let creds = env.write_file(
        "aws/credentials",
        format!(
            "[dst]\naws_access_key_id = {}\naws_secret_access_key = {}\n\
             [wrong]\naws_access_key_id = AKIDWRONG\naws_secret_access_key = nope\n",
            env.server.access_key, env.server.secret_key
        )
        .as_bytes(),
    );
    let config = env.write_file("aws/config", b"[profile dst]\nregion = us-east-1\n");
    (creds, config)
}

#[test]
fn a_named_profile_wins_over_keys_in_the_environment() {
    let env = TestEnv::new();
    env.put("a.txt", b"hello");
    let (creds, config) = profiles(&env);
    let run = |env_keys: (&str, &str), args: &[&str]| {
        let mut cmd = env.command(&["--json"]);
        cmd.env("AWS_ACCESS_KEY_ID", env_keys.0)
            .env("AWS_SECRET_ACCESS_KEY", env_keys.1)
            .env("AWS_SHARED_CREDENTIALS_FILE", &creds)
            .env("AWS_CONFIG_FILE", &config)
            .args(args);
        timed(cmd).0
    };
    // Wrong keys in the environment, right ones in the named profile.
    let wrong_env = ("AKIDWRONG", "nope");
    let out = run(
        wrong_env,
        &["--profile", "dst", "cp", "s3://bkt/a.txt", "s3://bkt/b.txt"],
    );
    out.code(0);
    assert!(out.records()[0].success, "{}", out.stdout);
    // A side's profile too.
    let out = run(
        wrong_env,
        &["--source-profile", "dst", "cp", "s3://bkt/a.txt", "c.txt"],
    );
    out.code(0);
    assert_eq!(env.read_file("c.txt").as_deref(), Some(&b"hello"[..]));
    // And the other way round: right keys in the environment, a named profile
    // with wrong ones: the profile is used, and refused.
    let right_env = (
        env.server.access_key.as_str(),
        env.server.secret_key.as_str(),
    );
    let out = run(
        right_env,
        &["--profile", "wrong", "cp", "s3://bkt/a.txt", "d.txt"],
    );
    out.code(1);
    let refused = &out.records()[0];
    assert!(!refused.success);
    let error = refused.error.as_deref().unwrap();
    assert!(error.contains("status code: 403"), "{error}");
    assert!(env.read_file("d.txt").is_none());
    // Without a profile, the environment's keys are used.
    let out = run(right_env, &["cp", "s3://bkt/a.txt", "e.txt"]);
    out.code(0);
    assert_eq!(env.keys(), ["a.txt", "b.txt"]);
}

#[test]
fn a_misspelt_profile_is_named_in_the_error() {
    let env = TestEnv::new();
    env.put("a.txt", b"hello");
    let (creds, config) = profiles(&env);
    for files in [true, false] {
        let mut cmd = env.command(&[
            "--json",
            "--profile",
            "nope",
            "cp",
            "s3://bkt/a.txt",
            "b.txt",
        ]);
        if files {
            cmd.env("AWS_SHARED_CREDENTIALS_FILE", &creds)
                .env("AWS_CONFIG_FILE", &config);
        }
        let (out, took) = timed(cmd);
        assert!(took < GENEROUS, "took {took:?}");
        out.code(1);
        let records = out.records();
        assert_eq!(records.len(), 1, "{}", out.stdout);
        assert_eq!(records[0].error_kind.as_deref(), Some("no_credentials"));
        assert_eq!(
            records[0].error.as_deref(),
            Some("profile nope not found in the AWS config/credentials files"),
            "files present: {files}"
        );
        assert!(env.read_file("b.txt").is_none());
    }
}

#[test]
fn log_levels_show_what_the_readme_says() {
    let env = TestEnv::new();
    env.write_file("f.txt", b"data");
    let endpoint = env.server.endpoint.clone();
    let put = |level: &str, key: &str| {
        env.server.set_faults(Faults {
            slow_down: 2,
            ..Faults::default()
        });
        let out = env.run(&["--log", level, "cp", "f.txt", &format!("s3://bkt/{key}")]);
        out.code(0);
        assert_eq!(env.get(key).as_deref(), Some(&b"data"[..]));
        out
    };
    let put_url = |key: &str| format!("PUT {endpoint}/bkt/{key}\"");

    // error: only failures (there are none), not even the result line.
    let out = put("error", "e.txt");
    assert_eq!((out.stdout.as_str(), out.stderr.as_str()), ("", ""));

    // info: the result, no logs.
    let out = put("info", "i.txt");
    assert_eq!(out.stdout, "cp f.txt s3://bkt/i.txt\n");
    assert_eq!(out.stderr, "");

    // debug: the result, and each retry with its number, delay and reason.
    let out = put("debug", "d.txt");
    assert_eq!(out.stdout, "cp f.txt s3://bkt/d.txt\n");
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", out.stderr);
    for (i, line) in lines.iter().enumerate() {
        let head = format!("DEBUG \"{}: retry {}/10 in ", put_url("d.txt"), i + 1);
        assert!(line.starts_with(&head), "{line}");
        assert!(line.contains("ms: SlowDown: "), "{line}");
        assert!(line.contains("status code: 503"), "{line}");
    }
    assert!(!out.stderr.contains("TRACE"));

    // trace: also every attempt, with its outcome.
    let out = put("trace", "t.txt");
    assert_eq!(out.stdout, "cp f.txt s3://bkt/t.txt\n");
    let traces: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with(&format!("TRACE \"{}: ", put_url("t.txt"))))
        .collect();
    assert_eq!(traces.len(), 3, "{}", out.stderr);
    assert!(
        traces[0].contains("ms: failed: SlowDown: "),
        "{}",
        traces[0]
    );
    assert!(
        traces[1].contains("ms: failed: SlowDown: "),
        "{}",
        traces[1]
    );
    assert!(traces[2].ends_with("ms: 200 OK"), "{}", traces[2]);
    assert_eq!(retry_lines(&out.stderr).len(), 2, "{}", out.stderr);
    // No signature or secret ever shows.
    assert!(!out.stderr.contains(&env.server.secret_key));
    assert!(!out.stderr.contains("Signature="));

    // The record counts the retries too.
    env.server.set_faults(Faults {
        slow_down: 2,
        ..Faults::default()
    });
    let out = env.run(&["--json", "cp", "f.txt", "s3://bkt/j.txt"]);
    out.code(0);
    assert_eq!(out.records()[0].retries, Some(2), "{}", out.stdout);
}

#[test]
fn downloads_fetched_again_are_logged_at_debug() {
    let env = TestEnv::new();
    let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    env.put("big.bin", &data);
    // A flipped byte: the download fails verification and is fetched again.
    env.server.set_faults(Faults {
        flip_body_byte: 1,
        ..Faults::default()
    });
    let out = env.run(&["--log", "debug", "cp", "s3://bkt/big.bin", "flipped.bin"]);
    out.code(0);
    assert_eq!(env.read_file("flipped.bin").as_deref(), Some(&data[..]));
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", out.stderr);
    assert!(
        lines[0].starts_with("DEBUG \"cp s3://bkt/big.bin flipped.bin\": retry 1/10 in 0ms: "),
        "{}",
        lines[0]
    );
    // A body cut in the middle: resumed with a Range request, logged as a retry.
    env.server.set_faults(Faults {
        reset_mid_body: 1,
        only_method: Some(http::Method::GET),
        ..Faults::default()
    });
    let out = env.run(&["--log", "debug", "cp", "s3://bkt/big.bin", "resumed.bin"]);
    out.code(0);
    assert_eq!(env.read_file("resumed.bin").as_deref(), Some(&data[..]));
    let retries = retry_lines(&out.stderr);
    assert_eq!(retries.len(), 1, "{}", out.stderr);
    let head = format!(
        "DEBUG \"GET {}/bkt/big.bin\": retry 1/10 in ",
        env.server.endpoint
    );
    assert!(retries[0].starts_with(&head), "{}", retries[0]);
}
