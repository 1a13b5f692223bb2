//! Errors with the next step, black-box against the in-process server: a missing
//! bucket is named (and, for a write, `s5rs mb` suggested); "no credentials" says
//! what was tried and the likely fixes. (AccessDenied and region hints are unit
//! tests in `src/storage/s3/hint.rs`: the test server grants everything to the one
//! key it knows and follows no bucket policy.)

mod common;

use common::TestEnv;

#[test]
fn a_missing_bucket_is_named_with_the_next_step() {
    let env = TestEnv::new();
    env.write_file("a.txt", b"x");
    let out = env.run(&["--json", "cp", "a.txt", "s3://nosuch/a.txt"]);
    out.code(1);
    let records = out.records();
    assert_eq!(records.len(), 1, "{}", out.stdout);
    assert_eq!(records[0].error_kind.as_deref(), Some("no_such_bucket"));
    let error = records[0].error.as_deref().unwrap();
    assert!(error.starts_with("NoSuchBucket: "), "{error}");
    assert!(
        error.contains("(bucket nosuch does not exist: create it first (s5rs mb s3://nosuch))"),
        "{error}"
    );

    let out = env.run(&["ls", "s3://nosuch/"]);
    out.code(1);
    assert!(
        out.stderr
            .starts_with("ERROR \"ls s3://nosuch/\": NoSuchBucket: ")
            && out
                .stderr
                .contains("bucket nosuch does not exist: check its name, the endpoint"),
        "{}",
        out.stderr
    );
}

#[test]
fn no_credentials_lists_what_was_tried_and_the_fixes() {
    let env = TestEnv::new();
    let mut cmd = env.bare_command();
    cmd.env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args(["--json", "--endpoint-url", &env.server.endpoint])
        .args(["ls", "s3://bkt/"]);
    let out = cmd.stdin(std::process::Stdio::null()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    for part in [
        "no valid credentials found",
        "tried: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profile default in ~/.aws/credentials",
        "fixes: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
        "select that profile with --profile or AWS_PROFILE",
    ] {
        assert!(text.contains(part), "{part:?} missing: {text}");
    }
    // Metadata was not asked, so it is not listed as tried.
    assert!(!text.contains("EC2 instance metadata"), "{text}");
}
