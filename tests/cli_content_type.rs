//! Content-Type of uploads from the MIME database, as s5cmd stores it (issue 15): the
//! database files are pointed to with `S5RS_MIME_TYPES_FILES`, so these tests never
//! read the host's `/etc/mime.types` or shared-mime-info files.

mod common;

use std::path::PathBuf;

use common::{Outcome, TestEnv};

fn fixture(name: &str) -> String {
    let p: PathBuf = [env!("CARGO_MANIFEST_DIR"), "testdata", "mime", name]
        .iter()
        .collect();
    p.to_string_lossy().into_owned()
}

/// Runs `s5rs <args>` with `S5RS_MIME_TYPES_FILES=files` and `input` on stdin.
fn run_with_db(env: &TestEnv, files: &str, args: &[&str], input: &[u8]) -> Outcome {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = env
        .command(args)
        .env("S5RS_MIME_TYPES_FILES", files)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn s5rs");
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().expect("wait s5rs");
    Outcome {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Uploads `dir/` and returns each key's stored Content-Type, sorted by key.
fn upload_dir(env: &TestEnv, files: &str) -> Vec<(String, String)> {
    run_with_db(env, files, &["cp", "dir/", "s3://bkt/"], b"").ok();
    env.keys()
        .into_iter()
        .map(|k| {
            let t = env
                .head_in("bkt", &k)
                .content
                .content_type
                .unwrap_or_default();
            (k, t)
        })
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, t)| (k.to_string(), t.to_string()))
        .collect()
}

#[test]
fn mime_types_file_gives_the_types_s5cmd_stores() {
    let env = TestEnv::new();
    for name in [
        "x.py", "X.PYW", "x.s5fx", "x.s5t", "x.js", "x.json", "x.txt",
    ] {
        env.write_file(&format!("dir/{name}"), b"print('hello')\n");
    }
    let got = upload_dir(&env, &fixture("mime.types"));
    // Values seen with s5cmd 2.3 given the same mime.types file (and no globs2).
    assert_eq!(
        got,
        pairs(&[
            ("X.PYW", "text/x-python; charset=utf-8"),
            ("x.js", "application/javascript"),
            ("x.json", "application/json"),
            ("x.py", "text/x-python; charset=utf-8"),
            ("x.s5fx", "application/x-s5rs-fixture"),
            ("x.s5t", "text/x-s5rs-fixture; charset=utf-8"),
            // Not in the file: sniffed from the content, like s5cmd.
            ("x.txt", "text/plain; charset=utf-8"),
        ])
    );
}

#[test]
fn globs2_file_wins_and_mime_types_files_are_then_not_read() {
    let env = TestEnv::new();
    for name in ["x.s5g", "x.s5b", "x.json", "x.py", "x.1"] {
        env.write_file(&format!("dir/{name}"), b"words\n");
    }
    let files = format!("{}:{}", fixture("mime.types"), fixture("globs2"));
    let got = upload_dir(&env, &files);
    assert_eq!(
        got,
        pairs(&[
            // `[1-9]` globs are skipped (Go 1.22): sniffed.
            ("x.1", "text/plain; charset=utf-8"),
            ("x.json", "application/json"),
            // Only in mime.types, which is not read when a globs2 file is.
            ("x.py", "text/plain; charset=utf-8"),
            ("x.s5b", "application/x-s5rs-globs"),
            ("x.s5g", "text/x-s5rs-heavy; charset=utf-8"),
        ])
    );
}

#[test]
fn no_database_falls_back_to_mime_guess() {
    let env = TestEnv::new();
    for name in ["x.py", "x.md", "x.s5fx"] {
        env.write_file(&format!("dir/{name}"), b"words\n");
    }
    let got = upload_dir(&env, "/nonexistent/globs2:/nonexistent/mime.types");
    assert_eq!(
        got,
        pairs(&[
            ("x.md", "text/markdown; charset=utf-8"),
            ("x.py", "text/x-python; charset=utf-8"),
            ("x.s5fx", "text/plain; charset=utf-8"),
        ])
    );
}

#[test]
fn pipe_takes_the_type_from_the_same_database() {
    let env = TestEnv::new();
    let files = fixture("mime.types");
    run_with_db(&env, &files, &["pipe", "s3://bkt/p.s5fx"], b"data").ok();
    run_with_db(&env, &files, &["pipe", "s3://bkt/p.txt"], b"data").ok();
    assert_eq!(
        env.head_in("bkt", "p.s5fx").content.content_type.as_deref(),
        Some("application/x-s5rs-fixture")
    );
    // pipe does not sniff: an extension the database lacks gives octet-stream.
    assert_eq!(
        env.head_in("bkt", "p.txt").content.content_type.as_deref(),
        Some("application/octet-stream")
    );
}

#[test]
fn names_without_a_type_are_sniffed_as_go_does() {
    let env = TestEnv::new();
    let cases: &[(&str, &[u8], &str)] = &[
        ("bz2", b"BZh91AY&SY", "text/plain; charset=utf-8"),
        ("comment", b"<!-- x -->", "text/html; charset=utf-8"),
        ("comment-nospace", b"<!--x-->", "text/plain; charset=utf-8"),
        (
            "elf",
            b"\x7fELF\x02\x01\x01\x00",
            "application/octet-stream",
        ),
        ("empty", b"", "text/plain; charset=utf-8"),
        (
            "gz",
            b"\x1f\x8b\x08\x00\x00\x00\x00\x00",
            "application/x-gzip",
        ),
        ("html", b"  <HtMl><body>", "text/html; charset=utf-8"),
        ("ico", b"\x00\x00\x01\x00\x01\x00", "image/x-icon"),
        (
            "mp4",
            b"\x00\x00\x00\x1cftypisom\x00\x00\x02\x00isomiso2mp41",
            "video/mp4",
        ),
        ("png", b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        ("utf16", b"\xff\xfea\x00", "text/plain; charset=utf-16le"),
        ("wasm", b"\x00asm\x01\x00\x00\x00", "application/wasm"),
        ("wav", b"RIFF\x10\x00\x00\x00WAVEfmt ", "audio/wave"),
        ("webp", b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
        ("ws", b" \t\r\n", "text/plain; charset=utf-8"),
        (
            "xml",
            b"\n<?xml version=\"1.0\"?>",
            "text/xml; charset=utf-8",
        ),
        ("zip", b"PK\x03\x04rest", "application/zip"),
    ];
    for (name, bytes, _) in cases {
        env.write_file(&format!("dir/sniff-{name}"), bytes);
    }
    let got = upload_dir(&env, &fixture("mime.types"));
    // Values seen with s5cmd 2.3 for the same bytes.
    let want: Vec<(String, String)> = cases
        .iter()
        .map(|(name, _, t)| (format!("sniff-{name}"), t.to_string()))
        .collect();
    assert_eq!(got, want);
}
