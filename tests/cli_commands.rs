//! Acceptance cases of the reference's §8.9–8.13 for `du`, `cat`, `head`, `pipe`,
//! `presign`, `mb`, `rb` (with `--force`), `bucket-version` and `select`'s
//! validation, plus `--help` of every command and the shell completions — the built
//! binary against the in-process S3 server. Versioned cases (several versions of a
//! key) need moto and live in `cli_moto.rs`.

mod common;

use s5rs::record::{DuRecord, HeadBucketRecord, HeadObjectRecord, Record};
use s5rs::storage::{ContentHeaders, ObjectHeaders};

use common::{BUCKET, TestEnv};

fn du_files(env: &TestEnv) {
    env.put("testfile1.txt", &[b'a'; 22]);
    env.put("testfile2.txt", &[b'b'; 27]);
    env.put("foo/testfile3.txt", &[b'c'; 35]);
}

#[test]
fn du_object_prefix_wildcard_json() {
    let env = TestEnv::new();
    du_files(&env);
    let out = env.run(&["du", "s3://bkt/testfile1.txt"]);
    out.ok();
    assert_eq!(
        out.stdout,
        "22 bytes in 1 objects: s3://bkt/testfile1.txt\n"
    );
    let out = env.run(&["--json", "du", "s3://bkt/testfile1.txt"]);
    out.ok();
    let rec: DuRecord = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(
        rec,
        DuRecord {
            source: "s3://bkt/testfile1.txt".into(),
            storage_class: None,
            count: 1,
            size: 22
        }
    );
    // Not recursive without a wildcard.
    let out = env.run(&["du", "s3://bkt"]);
    out.ok();
    assert_eq!(out.stdout, "49 bytes in 2 objects: s3://bkt\n");
    let out = env.run(&["du", "s3://bkt/*.txt"]);
    out.ok();
    assert_eq!(out.stdout, "84 bytes in 3 objects: s3://bkt/*.txt\n");
    let out = env.run(&["du", "--exclude", "main*", "s3://bkt/*.txt"]);
    out.ok();
    assert_eq!(out.stdout, "84 bytes in 3 objects: s3://bkt/*.txt\n");
    let out = env.run(&["du", "--exclude", "*.gz", "s3://bkt/*"]);
    out.ok();
    assert_eq!(out.stdout, "84 bytes in 3 objects: s3://bkt/*\n");
    let out = env.run(&["du", "--exclude", "foo/*", "s3://bkt/*"]);
    out.ok();
    assert_eq!(out.stdout, "49 bytes in 2 objects: s3://bkt/*\n");
    let out = env.run(&["--json", "du", "-g", "s3://bkt/*"]);
    out.ok();
    let rec: DuRecord = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(
        (rec.storage_class.as_deref(), rec.count, rec.size),
        (Some("STANDARD"), 3, 84)
    );
}

#[test]
fn du_humanized() {
    let env = TestEnv::new();
    env.put("big1", &vec![0u8; 220_000]);
    env.put("big2", &vec![0u8; 27_000]);
    let out = env.run(&["du", "-H", "s3://bkt"]);
    out.ok();
    assert_eq!(out.stdout, "241.2K bytes in 2 objects: s3://bkt\n");
}

#[test]
fn du_empty_and_missing() {
    let env = TestEnv::new();
    let out = env.run(&["du", "s3://bkt"]);
    out.ok();
    assert_eq!(out.stdout, "0 bytes in 0 objects: s3://bkt\n");
    // s5rs: a listing error makes the exit code non-zero (s5cmd exits 0, §9.2 item 2),
    // and is the command's one outcome: no `0 bytes in 0 objects` total beside it
    // (s5cmd prints both; issue 14).
    let out = env.run(&["du", "s3://bkt/non-existent-file"]);
    out.code(1);
    assert_eq!(out.stdout, "");
    assert!(out.stderr.contains("no object found"), "{}", out.stderr);
    let out = env.run(&["--json", "du", "s3://bkt/non-existent-file"]);
    out.code(1);
    let records = out.records();
    assert_eq!(records.len(), 1, "{}", out.stdout);
    assert_eq!(records[0].error_kind.as_deref(), Some("no_match"));
    let out = env.run(&["du", "s3://no-such-bucket-x/*"]);
    out.code(1);
}

#[test]
fn cat_object_in_parts_and_json() {
    let env = TestEnv::new();
    let mut data = Vec::new();
    let mut i = 0u64;
    while data.len() < 4_000_000 {
        data.extend_from_slice(format!("line {i} of the cat test\n").as_bytes());
        i += 1;
    }
    env.put("file.txt", &data);
    for args in [
        vec!["cat", "s3://bkt/file.txt"],
        vec!["--json", "cat", "s3://bkt/file.txt"],
        vec!["cat", "-p", "1", "-c", "2", "s3://bkt/file.txt"],
    ] {
        let out = env.run(&args);
        out.ok();
        assert!(
            out.stdout.as_bytes() == data.as_slice(),
            "{args:?}: content differs"
        );
    }
}

#[test]
fn cat_errors() {
    let env = TestEnv::new();
    let out = env.run(&["cat", "s3://bkt/prefix/file.txt"]);
    out.code(1);
    assert!(
        out.stderr
            .starts_with("ERROR \"cat s3://bkt/prefix/file.txt\": "),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.trim_end().ends_with("not found"),
        "{}",
        out.stderr
    );
    let out = env.run(&["--json", "cat", "s3://bkt/prefix/file.txt"]);
    out.code(1);
    let rec = &out.records()[0];
    assert_eq!(rec.operation, "cat");
    assert_eq!(rec.command.as_deref(), Some("cat s3://bkt/prefix/file.txt"));
    assert!(rec.error.as_deref().unwrap().ends_with("not found"));
    let out = env.run(&["cat", "file.txt"]);
    out.code(1);
    assert_eq!(
        out.stderr,
        "ERROR \"cat file.txt\": source must be a remote object\n"
    );
    let out = env.run(&["--json", "cat", "file.txt"]);
    out.code(1);
    let rec = &out.records()[0];
    assert_eq!(rec.error.as_deref(), Some("source must be a remote object"));
    // Empty bucket: prefix → nothing, rc 0; wildcard → no object found.
    for target in ["s3://bkt", "s3://bkt/"] {
        let out = env.run(&["cat", target]);
        out.ok();
        assert_eq!(out.stdout, "");
    }
    let out = env.run(&["cat", "s3://bkt/*"]);
    out.code(1);
    assert_eq!(out.stderr, "ERROR \"cat s3://bkt/*\": no object found\n");
    let out = env.run(&["cat", "s3://bkt/foo*"]);
    out.code(1);
    assert_eq!(out.stderr, "ERROR \"cat s3://bkt/foo*\": no object found\n");
    let out = env.run(&["--json", "cat", "s3://bkt/foo*"]);
    out.code(1);
    assert_eq!(out.records()[0].error.as_deref(), Some("no object found"));
    for target in ["s3://bkt/", "s3://bkt/folder/", "s3://bkt/*"] {
        let out = env.run(&["cat", "--version-id", "1", target]);
        out.code(1);
        assert_eq!(
            out.stderr,
            format!(
                "ERROR \"cat --version-id=1 {target}\": wildcard/prefix operations are disabled with --version-id flag\n"
            )
        );
    }
}

#[test]
fn cat_prefix_and_wildcard_concatenate_in_key_order() {
    let env = TestEnv::new();
    env.put("file1.txt", b"content0");
    env.put("file2.txt", b"content1");
    env.put("dir/file3.txt", b"content2");
    env.put("dir/file4.txt", b"content3");
    env.put("dir/nesteddir/file5.txt", b"content4");
    let cases = [
        ("s3://bkt/", "content0content1"),
        ("s3://bkt/dir/", "content2content3"),
        ("s3://bkt/dir/nesteddir/", "content4"),
    ];
    for (target, want) in cases {
        let out = env.run(&["cat", target]);
        out.ok();
        assert_eq!(out.stdout, want, "{target}");
    }
    let env = TestEnv::new();
    env.put("foo1.txt", b"content0");
    env.put("foo2.txt", b"content1");
    env.put("bar.txt", b"content2");
    env.put("foolder/foo3.txt", b"content3");
    env.put("log-file-2024-01.txt", b"content4");
    env.put("log-file-2024-02.txt", b"content5");
    env.put("log-file-2023-01.txt", b"content6");
    env.put("log-file-2022-01.txt", b"content7");
    let cases = [
        ("s3://bkt/foo*", "content0content1content3"),
        ("s3://bkt/log-file-2024-*", "content4content5"),
        ("s3://bkt/log-file-*", "content7content6content4content5"),
    ];
    for (target, want) in cases {
        let out = env.run(&["cat", target]);
        out.ok();
        assert_eq!(out.stdout, want, "{target}");
    }
}

#[test]
fn head_bucket_and_object() {
    let env = TestEnv::new();
    // s5rs: a usage error exits 2 (s5cmd: 1).
    let out = env.run(&["head"]);
    out.code(2);
    assert_eq!(
        out.stderr,
        "ERROR \"head\": target should be remote object or bucket\n"
    );
    for args in [vec!["head", "s3://bkt"], vec!["--json", "head", "s3://bkt"]] {
        let out = env.run(&args);
        out.ok();
        let rec: HeadBucketRecord = serde_json::from_str(out.stdout.trim()).unwrap();
        assert_eq!(rec.bucket, "s3://bkt");
    }
    let out = env.run(&["head", "s3://non-existent-bucket"]);
    out.code(1);
    assert!(
        out.stderr.starts_with(
            "ERROR \"head s3://non-existent-bucket\": NotFound: Not Found status code: 404"
        ),
        "{}",
        out.stderr
    );
    let out = env.run(&["--json", "head", "s3://non-existent-bucket"]);
    out.code(1);
    assert!(
        out.records()[0]
            .error
            .as_deref()
            .unwrap()
            .starts_with("NotFound: Not Found status code: 404")
    );

    env.put("myfile.txt", b"hello");
    let out = env.run(&["head", "s3://bkt/myfile.txt"]);
    out.ok();
    let rec: HeadObjectRecord = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(rec.key, "s3://bkt/myfile.txt");
    assert_eq!(rec.size, 5);
    assert_eq!(rec.storage_class.as_deref(), Some("STANDARD"));
    assert_eq!(
        rec.etag.as_deref(),
        Some("5d41402abc4b2a76b9719d911017c592")
    );
    assert!(rec.metadata.is_empty());
    assert!(out.stdout.contains("\"metadata\":{}"), "{}", out.stdout);
    assert!(rec.last_modified.is_some());

    let out = env.run(&["head", "s3://bkt/non-existent-file.txt"]);
    out.code(1);
    assert!(
        out.stderr.contains("non-existent-file.txt not found"),
        "{}",
        out.stderr
    );

    env.put("file*.txt", b"star");
    let out = env.run(&["head", "--raw", "s3://bkt/file*.txt"]);
    out.ok();
    let rec: HeadObjectRecord = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(rec.key, "s3://bkt/file*.txt");
    let out = env.run(&["head", "s3://bkt/file*.txt"]);
    out.code(1);
    assert!(
        out.stderr.contains("can not contain glob characters"),
        "{}",
        out.stderr
    );

    let headers = ObjectHeaders {
        content: ContentHeaders {
            content_type: Some("text/plain".into()),
            ..Default::default()
        },
        metadata: vec![
            ("key1".into(), "value1".into()),
            ("key2".into(), "value2".into()),
        ],
        ..Default::default()
    };
    env.put_in(BUCKET, "file.txt", b"abc", &headers);
    let out = env.run(&["head", "s3://bkt/file.txt"]);
    out.ok();
    let rec: HeadObjectRecord = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(rec.metadata.get("key1").map(String::as_str), Some("value1"));
    assert_eq!(rec.metadata.get("key2").map(String::as_str), Some("value2"));
    assert_eq!(rec.content_type.as_deref(), Some("text/plain"));
}

#[test]
fn pipe_cases() {
    let env = TestEnv::new();
    let out = env.run_stdin(
        &["pipe", "s3://bkt/verylargefile.zip"],
        "Lorem ipsum dolor sit amet",
    );
    out.ok();
    assert_eq!(out.stdout, "pipe s3://bkt/verylargefile.zip\n");
    assert_eq!(
        env.get("verylargefile.zip").unwrap(),
        b"Lorem ipsum dolor sit amet"
    );
    assert_eq!(
        env.head_in(BUCKET, "verylargefile.zip")
            .content
            .content_type
            .as_deref(),
        Some("application/zip")
    );

    let out = env.run_stdin(&["pipe", "s3://bkt/index"], "<html><body>hi</body></html>");
    out.ok();
    assert_eq!(
        env.head_in(BUCKET, "index").content.content_type.as_deref(),
        Some("application/octet-stream")
    );

    let out = env.run_stdin(&["pipe", "--raw", "s3://bkt/ex*mple.txt"], "raw");
    out.ok();
    assert_eq!(env.get("ex*mple.txt").unwrap(), b"raw");

    let out = env.run_stdin(&["pipe", "s3://bkt/s5cmdtest/testfile1.txt"], "first");
    out.ok();
    assert_eq!(out.stdout, "pipe s3://bkt/s5cmdtest/testfile1.txt\n");

    // -n: existing object kept, nothing printed (debug line with --log=debug).
    let out = env.run_stdin(
        &["pipe", "-n", "s3://bkt/s5cmdtest/testfile1.txt"],
        "second",
    );
    out.ok();
    assert_eq!(out.stdout, "");
    assert_eq!(env.get("s5cmdtest/testfile1.txt").unwrap(), b"first");
    let out = env.run_stdin(
        &[
            "--log=debug",
            "pipe",
            "-n",
            "s3://bkt/s5cmdtest/testfile1.txt",
        ],
        "second",
    );
    out.code(0);
    assert!(
        format!("{}{}", out.stdout, out.stderr)
            .contains("DEBUG \"pipe s3://bkt/s5cmdtest/testfile1.txt\": object already exists"),
        "{out:?}"
    );
    // Without -n: replaced.
    let out = env.run_stdin(&["pipe", "s3://bkt/s5cmdtest/testfile1.txt"], "third");
    out.ok();
    assert_eq!(env.get("s5cmdtest/testfile1.txt").unwrap(), b"third");

    // Adjacent slashes are kept verbatim.
    let out = env.run_stdin(&["pipe", "s3://bkt/a//b///c.txt"], "slashes");
    out.ok();
    assert_eq!(env.get("a//b///c.txt").unwrap(), b"slashes");

    let out = env.run_stdin(&["--json", "pipe", "s3://bkt/testfile1.txt"], "json");
    out.ok();
    let rec: Record = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(
        serde_json::to_string(&rec).unwrap(),
        r#"{"operation":"pipe","success":true,"destination":"s3://bkt/testfile1.txt","object":{"type":"file"}}"#
    );

    let out = env.run_stdin(
        &[
            "pipe",
            "--metadata",
            "Key1=foo",
            "--metadata",
            "Key2=bar",
            "--cache-control",
            "public, max-age=60",
            "--content-disposition",
            "attachment",
            "--content-encoding",
            "identity",
            "--content-type",
            "text/x-test",
            "--expires",
            "2030-01-02T03:04:05Z",
            "s3://bkt/index2",
        ],
        "with headers",
    );
    out.ok();
    let meta = env.head_in(BUCKET, "index2");
    assert_eq!(meta.metadata.get("key1").map(String::as_str), Some("foo"));
    assert_eq!(meta.metadata.get("key2").map(String::as_str), Some("bar"));
    assert_eq!(
        meta.content.cache_control.as_deref(),
        Some("public, max-age=60")
    );
    assert_eq!(
        meta.content.content_disposition.as_deref(),
        Some("attachment")
    );
    assert_eq!(meta.content.content_type.as_deref(), Some("text/x-test"));
}

#[test]
fn pipe_multipart_from_stdin() {
    let env = TestEnv::new();
    let data: String = (0..700_000).map(|i| format!("{i:08}\n")).collect();
    assert!(data.len() > 6 << 20);
    let out = env.run_stdin(&["pipe", "-p", "5", "-c", "2", "s3://bkt/big.txt"], &data);
    out.ok();
    assert!(env.get("big.txt").unwrap() == data.as_bytes());
}

#[test]
fn presign_cases() {
    let env = TestEnv::new();
    env.put("test.txt", b"presigned");
    let out = env.run(&["presign", "s3://bkt/test.txt"]);
    out.ok();
    let url = out.stdout.trim();
    assert!(url.contains("test.txt"), "{url}");
    assert!(url.contains("X-Amz-Expires=10800"), "{url}");
    let out = env.run(&[
        "presign",
        "--expire",
        "90s",
        "--version-id",
        "v1",
        "s3://bkt/test.txt",
    ]);
    out.ok();
    let url = out.stdout.trim();
    assert!(url.contains("X-Amz-Expires=90"), "{url}");
    assert!(
        url.contains("versionId=v1"),
        "s5rs honours --version-id: {url}"
    );
    let out = env.run(&["presign", "s3://bkt/"]);
    out.code(1);
    let out = env.run(&["presign", "test.txt"]);
    out.code(1);
    assert!(
        out.stderr.contains("source must be a remote object"),
        "{}",
        out.stderr
    );
}

#[test]
fn mb_rb_cases() {
    let env = TestEnv::new();
    let out = env.run(&["mb", "s3://new-bucket"]);
    out.ok();
    assert_eq!(out.stdout, "mb s3://new-bucket\n");
    let out = env.run(&["--json", "mb", "s3://new-bucket-2"]);
    out.ok();
    assert_eq!(
        out.stdout.trim(),
        r#"{"operation":"mb","success":true,"source":"s3://new-bucket-2"}"#
    );
    let out = env.run(&["ls"]);
    out.ok();
    assert!(out.stdout.contains("s3://new-bucket-2"), "{}", out.stdout);

    let out = env.run(&["mb", "s3://invalid/bucket/name"]);
    out.code(1);
    assert_eq!(
        out.stderr,
        "ERROR \"mb s3://invalid/bucket/name\": invalid s3 bucket\n"
    );
    let out = env.run(&["--json", "mb", "s3://invalid/bucket/name"]);
    out.code(1);
    let rec = &out.records()[0];
    assert_eq!(
        (
            rec.operation.as_str(),
            rec.command.as_deref(),
            rec.error.as_deref()
        ),
        (
            "mb",
            Some("mb s3://invalid/bucket/name"),
            Some("invalid s3 bucket")
        )
    );

    let out = env.run(&["rb", "s3://new-bucket"]);
    out.ok();
    assert_eq!(out.stdout, "rb s3://new-bucket\n");
    let out = env.run(&["--json", "rb", "s3://new-bucket-2"]);
    out.ok();
    assert_eq!(
        out.stdout.trim(),
        r#"{"operation":"rb","success":true,"source":"s3://new-bucket-2"}"#
    );
    let out = env.run(&["ls"]);
    assert!(!out.stdout.contains("new-bucket"), "{}", out.stdout);
    let out = env.run(&["rb", "s3://invalid/bucket/name"]);
    out.code(1);
    assert_eq!(
        out.stderr,
        "ERROR \"rb s3://invalid/bucket/name\": invalid s3 bucket\n"
    );

    env.put("one.txt", b"1");
    let out = env.run(&["rb", "s3://bkt"]);
    out.code(1);
    assert!(
        out.stderr
            .starts_with("ERROR \"rb s3://bkt\": BucketNotEmpty:"),
        "{}",
        out.stderr
    );
    // s5rs: --force empties the bucket first.
    env.put("dir/two.txt", b"2");
    let out = env.run(&["rb", "--force", "s3://bkt"]);
    out.ok();
    let out = env.run(&["ls"]);
    assert!(!out.stdout.contains("s3://bkt"), "{}", out.stdout);
}

#[test]
fn bucket_version_get_and_set() {
    let env = TestEnv::new();
    let out = env.run(&["bucket-version", "s3://bkt"]);
    out.ok();
    assert_eq!(out.stdout, "\"bkt\" is an unversioned bucket\n");
    let out = env.run(&["--json", "bucket-version", "s3://bkt"]);
    out.ok();
    assert_eq!(out.stdout.trim(), r#"{"bucket":"bkt","status":""}"#);
    for (given, shown) in [
        ("Enabled", "Enabled"),
        ("Suspended", "Suspended"),
        ("eNaBlEd", "Enabled"),
        ("sUsPenDeD", "Suspended"),
    ] {
        let out = env.run(&["bucket-version", "--set", given, "s3://bkt"]);
        out.ok();
        assert_eq!(
            out.stdout,
            format!("Bucket versioning for \"bkt\" is set to \"{shown}\"\n")
        );
        let out = env.run(&["bucket-version", "s3://bkt"]);
        out.ok();
        assert_eq!(
            out.stdout,
            format!("Bucket versioning for \"bkt\" is \"{shown}\"\n")
        );
    }
}

#[test]
fn select_validation() {
    let env = TestEnv::new();
    let out = env.run(&[
        "select",
        "json",
        "-e",
        "SELECT * FROM s3object s",
        "local.json",
    ]);
    out.code(1);
    assert!(
        out.stderr.contains("source must be remote"),
        "{}",
        out.stderr
    );
    let out = env.run(&["select", "csv", "s3://bkt/a.csv"]);
    out.code(2);
    let out = env.run(&[
        "select",
        "json",
        "--version-id",
        "v",
        "-e",
        "SELECT 1",
        "s3://bkt/*",
    ]);
    out.code(1);
    assert!(
        out.stderr.contains("disabled with --version-id"),
        "{}",
        out.stderr
    );
    let out = env.run(&[
        "select",
        "json",
        "--output-format",
        "xml",
        "-e",
        "SELECT 1",
        "s3://bkt/a.json",
    ]);
    assert_ne!(out.code, 0);
    // The in-process server has no S3 Select: a failed query is a failure (exit 1).
    env.put("a.json", b"{\"a\":1}\n");
    let out = env.run(&[
        "select",
        "json",
        "-e",
        "SELECT * FROM s3object s",
        "s3://bkt/a.json",
    ]);
    out.code(1);
    assert!(out.stderr.starts_with("ERROR "), "{}", out.stderr);
}

#[test]
fn help_for_every_command_and_completions() {
    let env = TestEnv::new();
    let commands = [
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
        "version",
    ];
    for name in commands {
        let out = env.run(&[name, "--help"]);
        out.ok();
        assert!(out.stdout.contains("Usage"), "{name}: {}", out.stdout);
        let out2 = env.run(&["help", name]);
        out2.ok();
        assert!(!out2.stdout.is_empty(), "help {name}");
    }
    for sub in ["json", "csv", "parquet"] {
        let out = env.run(&["select", sub, "--help"]);
        out.ok();
        assert!(
            out.stdout.contains("--query"),
            "select {sub}: {}",
            out.stdout
        );
        assert!(
            out.stdout.contains("Examples"),
            "select {sub}: {}",
            out.stdout
        );
    }
    for (name, flag) in [
        ("cp", "--tagging"),
        ("cp", "--source-endpoint-url"),
        ("du", "--all-versions"),
        ("select csv", "--delimiter"),
        ("rb", "--force"),
    ] {
        let words: Vec<&str> = name.split(' ').chain(["--help"]).collect();
        let out = env.run(&words);
        assert!(
            out.stdout.contains(flag),
            "{name} --help lacks {flag}: {}",
            out.stdout
        );
    }
    let out = env.run(&["--help"]);
    out.ok();
    for flag in [
        "--rate-limit-objects",
        "--rate-limit-bandwidth",
        "--source-endpoint-url",
        "--destination-profile",
    ] {
        assert!(out.stdout.contains(flag), "global help lacks {flag}");
    }
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = env.run(&["completion", shell]);
        out.ok();
        assert!(out.stdout.contains("s5rs"), "{shell}");
    }
    let out = env.run(&["completion", "tcsh"]);
    assert_ne!(out.code, 0);
}

#[test]
fn completions_offer_every_command_flag() {
    let env = TestEnv::new();
    let out = env.run(&["completion", "bash"]);
    out.ok();
    // The section of `s5rs cp` lists cp's own flags, not only the global ones.
    let cp = out
        .stdout
        .split("s5rs__subcmd__cp)\n")
        .nth(1)
        .and_then(|s| s.lines().next())
        .unwrap_or_default();
    for flag in ["--no-clobber", "--storage-class", "--if-size-differ", "-n"] {
        assert!(cp.contains(&format!(" {flag} ")), "cp lacks {flag}: {cp}");
    }
    assert!(!cp.contains("--numworkers"), "{cp}");
    let out = env.run(&["completion", "fish"]);
    out.ok();
    assert!(
        out.stdout
            .contains("__fish_s5rs_using_subcommand sync\" -l delete "),
        "{}",
        out.stdout
    );
}
