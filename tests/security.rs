//! Security, black box: object keys that would escape the destination directory are
//! refused (`unsafe_key`) and nothing is written outside it; secrets (secret key,
//! session token, Authorization header, signatures) never appear in records, errors
//! or `--log trace` output; and a deterministic fuzz-style run feeds many mutated
//! inputs through the batch-line parser and the S3 response parsers (the same entry
//! points as the `cargo fuzz` targets in `fuzz/`), which must never panic.

mod support;

use std::path::Path;

use bytes::Bytes;
use s5rs::storage::ObjectHeaders;
use s5rs::storage::s3::{PutBody, S3Client, S3Config};
use support::run::{make_bucket, run, s5rs};
use support::{TestServer, write_credentials};

fn all_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_that_would_escape_the_destination_are_refused() {
    let server = TestServer::start();
    make_bucket(&server, "keys");
    let dir = tempfile::tempdir().unwrap();
    let creds = write_credentials(dir.path(), &server.access_key, &server.secret_key);
    let client = S3Client::new(S3Config {
        endpoint_url: Some(server.endpoint.clone()),
        region: Some("us-east-1".into()),
        profile: Some("s5rs-test".into()),
        credentials_file: Some(creds),
        retry_count: 2,
        ..S3Config::default()
    })
    .await
    .unwrap();
    // (Over-long components are refused too — see `safe_join`'s unit tests — but
    // this server cannot store such a key: its file names are 255 bytes at most.)
    let evil = [
        "../escape.txt".to_string(),
        "a/../../escape2.txt".to_string(),
        "/etc-abs.txt".to_string(),
        "..\\..\\win.txt".to_string(),
        "a\\..\\..\\win2.txt".to_string(),
        "./../dot-escape.txt".to_string(),
    ];
    for key in evil
        .iter()
        .chain(std::iter::once(&"ok/fine.txt".to_string()))
    {
        client
            .put_object(
                "keys",
                key,
                PutBody::Bytes(Bytes::from_static(b"payload")),
                &ObjectHeaders::default(),
            )
            .await
            .unwrap_or_else(|e| panic!("put {key:?}: {e}"));
    }
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let before = all_files(dir.path());
    let mut c = s5rs(&server, &work);
    c.args(["--json", "cp", "s3://keys/*", "out/"]);
    let ran = tokio::task::spawn_blocking(move || run(c)).await.unwrap();
    assert_eq!(ran.code, 1, "{}{}", ran.stdout, ran.stderr);
    let records = ran.records();
    assert_eq!(records.len(), evil.len() + 1, "{}", ran.stdout);
    let mut refused = 0;
    for r in &records {
        if r["success"] == true {
            assert_eq!(r["destination"], "out/ok/fine.txt", "{r}");
        } else {
            assert_eq!(r["error_kind"], "unsafe_key", "{r}");
            assert!(
                r["source"].as_str().unwrap().starts_with("s3://keys/"),
                "{r}"
            );
            refused += 1;
        }
    }
    assert_eq!(refused, evil.len());
    // Nothing written anywhere but out/ok/fine.txt.
    let mut after = all_files(dir.path());
    after.retain(|f| !before.contains(f));
    assert_eq!(after, vec!["work/out/ok/fine.txt".to_string()]);
    assert!(!Path::new("/etc-abs.txt").exists());
}

#[test]
fn secrets_never_appear_in_output() {
    let server = TestServer::start();
    make_bucket(&server, "sec");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), b"data").unwrap();
    const TOKEN: &str = "SESSIONTOKENvalue0123456789abcdef";
    const WRONG: &str = "wrong-secret-key-987654";
    let secrets = [server.secret_key.as_str(), TOKEN, WRONG];
    let cases: Vec<(Vec<&str>, Option<&str>, Option<&str>)> = vec![
        // (args, secret override, session token)
        (vec!["cp", "f", "s3://sec/f"], None, None),
        (vec!["cp", "s3://sec/f", "g"], None, None),
        (vec!["cp", "s3://sec/missing", "h"], None, None),
        (vec!["ls", "s3://sec/"], Some(WRONG), None),
        (vec!["cp", "f", "s3://sec/t"], None, Some(TOKEN)),
        (vec!["cp", "f", "s3://nobucket/t"], None, None),
        (vec!["presign", "s3://sec/f"], None, Some(TOKEN)),
    ];
    for (args, secret, token) in cases {
        for json in [false, true] {
            let mut c = s5rs(&server, dir.path());
            if let Some(s) = secret {
                c.env("AWS_SECRET_ACCESS_KEY", s);
            }
            if let Some(t) = token {
                c.env("AWS_SESSION_TOKEN", t);
            }
            c.args(["--log", "trace"]);
            if json {
                c.arg("--json");
            }
            c.args(&args);
            let ran = run(c);
            let presign = args[0] == "presign";
            // presign prints a signed URL by design: only its stderr is checked.
            let shown = if presign {
                ran.stderr.clone()
            } else {
                format!("{}{}", ran.stdout, ran.stderr)
            };
            for s in secrets {
                assert!(!shown.contains(s), "{args:?} leaked a secret: {shown}");
            }
            for marker in [
                "Authorization",
                "authorization:",
                "Signature=",
                "X-Amz-Signature",
                "x-amz-security-token",
            ] {
                assert!(
                    !shown.contains(marker),
                    "{args:?} printed {marker}: {shown}"
                );
            }
            if presign && ran.code == 0 {
                assert!(ran.stdout.contains("X-Amz-Signature="));
            }
        }
    }
}

/// Deterministic mutations of `seeds`: byte flips, insertions, deletions, splices.
fn mutations(seeds: &[&[u8]], rounds: usize, seed: u64) -> Vec<Vec<u8>> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut out: Vec<Vec<u8>> = seeds.iter().map(|s| s.to_vec()).collect();
    let specials: &[&[u8]] = &[
        b"\"",
        b"'",
        b"\\",
        b"*",
        b"?",
        b"[",
        b"]",
        b"{",
        b"}",
        b"--",
        b"=",
        b" ",
        b"\t",
        b"\0",
        b"\xff",
        b"\xe2\x82\xac",
        b"<",
        b">",
        b"&amp;",
        b"&#0;",
        b"&#xFFFFFFFF;",
        b"<![CDATA[",
        b"]]>",
        b"</",
        b"/>",
        b"s3://",
        b"-1",
        b"18446744073709551616",
        b"bytes ",
        b"/",
    ];
    for _ in 0..rounds {
        let mut v = seeds[rng.usize(..seeds.len())].to_vec();
        for _ in 0..rng.usize(1..6) {
            match rng.u8(0..5) {
                0 if !v.is_empty() => {
                    let i = rng.usize(..v.len());
                    v[i] ^= 1 << rng.u8(0..8);
                }
                1 => {
                    let i = rng.usize(..=v.len());
                    let s = specials[rng.usize(..specials.len())];
                    v.splice(i..i, s.iter().copied());
                }
                2 if !v.is_empty() => {
                    let a = rng.usize(..v.len());
                    let b = rng.usize(a..=v.len());
                    v.drain(a..b);
                }
                3 => {
                    let other = seeds[rng.usize(..seeds.len())];
                    let cut = rng.usize(..=other.len());
                    let at = rng.usize(..=v.len());
                    v.truncate(at);
                    v.extend_from_slice(&other[cut..]);
                }
                _ => {
                    let i = rng.usize(..=v.len());
                    v.insert(i, rng.u8(..));
                }
            }
        }
        out.push(v);
    }
    out
}

#[test]
fn fuzz_style_parsers_never_panic() {
    let lines: &[&[u8]] = &[
        b"cp --sse aws:kms --metadata 'a=b' 's3://b/k*' dir/",
        b"rm s3://bucket/prefix/** ",
        b"sync --delete --exclude '*.tmp' src/ s3://b/dst/",
        b"mv -n -s -u \"a b\" s3://x/y",
        b"cp --checksum-algorithm CRC32C -p 5 -c 3 f s3://b/k",
        b"ls -e -H --all-versions s3://b/k?",
        b"# comment",
        b"presign --expire 1h s3://b/k",
        b"cat s3://b/k\\",
        b"select --query 'select * from s3object' s3://b/k",
    ];
    let mut n = 0;
    for input in mutations(lines, 20_000, 1) {
        let text = String::from_utf8_lossy(&input);
        let _ = s5rs::parse::parse_line(&text);
        n += 1;
    }
    let xml: &[&[u8]] = &[
        b"<?xml version=\"1.0\"?><ListBucketResult><Name>b</Name><IsTruncated>true</IsTruncated><NextContinuationToken>t</NextContinuationToken><Contents><Key>a&amp;b</Key><Size>12</Size><ETag>\"abc\"</ETag><LastModified>2024-01-01T00:00:00.000Z</LastModified></Contents><CommonPrefixes><Prefix>p/</Prefix></CommonPrefixes></ListBucketResult>",
        b"<Error><Code>SlowDown</Code><Message>m</Message><RequestId>r</RequestId><HostId>h</HostId></Error>",
        b"<ListVersionsResult><Version><Key>k</Key><VersionId>v</VersionId><IsLatest>true</IsLatest></Version><DeleteMarker><Key>k</Key></DeleteMarker></ListVersionsResult>",
        b"<InitiateMultipartUploadResult><UploadId>u</UploadId></InitiateMultipartUploadResult>",
        b"<DeleteResult><Deleted><Key>k</Key></Deleted><Error><Key>x</Key><Code>AccessDenied</Code></Error></DeleteResult>",
        b"bytes 0-9/100",
        b"bytes 18446744073709551615-0/*",
    ];
    for input in mutations(xml, 20_000, 2) {
        s5rs::storage::s3::fuzz_responses(&input);
        n += 1;
    }
    println!("fuzz-style: {n} inputs, no panic");
}
