//! SSE-C against the in-process server with its SSE-C gate on (`support/ssec.rs`:
//! an object written with a customer key can only be read with that key, every
//! part of a multipart upload must carry it, copies must carry the source's key):
//! round trips of single-part and multipart uploads, ranged parallel downloads,
//! `cat`, `head`, S3→S3 copies with different keys (server-side and across
//! endpoints), the `file:` and `env:` key forms, and no key material in records,
//! `--log trace` output or error lines.

mod support;

use std::path::Path;

use base64::Engine;
use md5::Digest;
use support::run::{Ran, make_bucket, run, s5rs};
use support::{Faults, TestServer};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A key: (base64 of 32 raw bytes, base64 of its MD5).
fn key(seed: u8) -> (String, String) {
    let raw: Vec<u8> = (0..32u8)
        .map(|i| i.wrapping_mul(7).wrapping_add(seed))
        .collect();
    (B64.encode(&raw), B64.encode(md5::Md5::digest(&raw)))
}

fn gated() -> TestServer {
    let server = TestServer::start_with(Faults {
        require_sse_c: true,
        ..Faults::default()
    });
    make_bucket(&server, "bkt");
    server
}

fn s5(server: &TestServer, dir: &Path, args: &[&str]) -> Ran {
    let mut c = s5rs(server, dir);
    c.arg("--json").args(args);
    run(c)
}

/// Deterministic test data.
fn data(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 10) as u8)
        .collect()
}

#[track_caller]
fn ok(r: &Ran) -> serde_json::Value {
    assert_eq!(r.code, 0, "stdout {}\nstderr {}", r.stdout, r.stderr);
    let recs = r.records();
    assert!(recs.iter().all(|x| x["success"] == true), "{}", r.stdout);
    recs.into_iter().next().unwrap_or_default()
}

#[track_caller]
fn failed(r: &Ran, code: &str) {
    assert_ne!(r.code, 0, "stdout {}\nstderr {}", r.stdout, r.stderr);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(all.contains(code), "expected {code}: {all}");
}

#[test]
fn single_part_round_trip_cat_and_head() {
    let server = gated();
    let dir = tempfile::tempdir().unwrap();
    let (k, k_md5) = key(1);
    let (other, _) = key(2);
    let body = data(100_000, 3);
    std::fs::write(dir.path().join("f.bin"), &body).unwrap();
    ok(&s5(
        &server,
        dir.path(),
        &[
            "cp",
            "--sse-c",
            "--sse-c-key",
            &k,
            "f.bin",
            "s3://bkt/f.bin",
        ],
    ));
    // The gate holds the object to its key.
    failed(
        &s5(&server, dir.path(), &["cp", "s3://bkt/f.bin", "plain.bin"]),
        "status code: 400",
    );
    failed(
        &s5(&server, dir.path(), &["cp", "s3://bkt/f.bin", "plain.bin"]),
        "encrypted with SSE-C, give its key: --sse-c-key",
    );
    failed(
        &s5(
            &server,
            dir.path(),
            &["cp", "--sse-c-key", &other, "s3://bkt/f.bin", "wrong.bin"],
        ),
        "403",
    );
    assert!(!dir.path().join("plain.bin").exists() && !dir.path().join("wrong.bin").exists());
    let rec = ok(&s5(
        &server,
        dir.path(),
        &["cp", "--sse-c-key", &k, "s3://bkt/f.bin", "back.bin"],
    ));
    assert_eq!(std::fs::read(dir.path().join("back.bin")).unwrap(), body);
    // An SSE-C ETag is no MD5: a download in one stream is verified by the
    // CRC-64/NVME s5rs stored on upload (the server returns it), never by "md5".
    assert_eq!(rec["verified"], "crc64nvme", "{rec}");

    let mut c = s5rs(&server, dir.path());
    c.args(["cat", "--sse-c-key", &k, "s3://bkt/f.bin"]);
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, body);
    failed(&s5(&server, dir.path(), &["cat", "s3://bkt/f.bin"]), "400");

    let head = s5(
        &server,
        dir.path(),
        &["head", "--sse-c-key", &k, "s3://bkt/f.bin"],
    );
    assert_eq!(head.code, 0, "{}", head.stderr);
    let h = &head.records()[0];
    assert_eq!(h["size"], 100_000, "{h}");
    failed(&s5(&server, dir.path(), &["head", "s3://bkt/f.bin"]), "400");
    let c = server.sse_c_counts();
    assert!(c.refused >= 4, "{c:?}");
    assert!(
        c.keyed_requests
            .iter()
            .any(|r| r.starts_with("PUT /bkt/f.bin object-key")),
        "{c:?}"
    );
    assert!(!k_md5.is_empty());
}

#[test]
fn multipart_upload_and_ranged_parallel_download() {
    let server = gated();
    let dir = tempfile::tempdir().unwrap();
    let (k, _) = key(9);
    let body = data(12 * 1024 * 1024 + 5, 4);
    std::fs::write(dir.path().join("big.bin"), &body).unwrap();
    ok(&s5(
        &server,
        dir.path(),
        &[
            "cp",
            "-p",
            "5",
            "--sse-c-key",
            &k,
            "big.bin",
            "s3://bkt/big.bin",
        ],
    ));
    let c = server.sse_c_counts();
    let parts: Vec<_> = c
        .keyed_requests
        .iter()
        .filter(|r| r.starts_with("PUT /bkt/big.bin?partNumber="))
        .collect();
    assert_eq!(parts.len(), 3, "every part carries the key: {c:?}");
    assert!(
        c.keyed_requests
            .iter()
            .any(|r| r.starts_with("POST /bkt/big.bin?uploads")),
        "{c:?}"
    );
    // CompleteMultipartUpload carries no key.
    assert!(
        !c.keyed_requests
            .iter()
            .any(|r| r.starts_with("POST /bkt/big.bin?uploadId")),
        "{c:?}"
    );
    failed(
        &s5(
            &server,
            dir.path(),
            &["cp", "s3://bkt/big.bin", "nokey.bin"],
        ),
        "400",
    );
    let before = server.sse_c_counts().keyed_requests.len();
    let rec = ok(&s5(
        &server,
        dir.path(),
        &[
            "cp",
            "-p",
            "5",
            "-c",
            "3",
            "--sse-c-key",
            &k,
            "s3://bkt/big.bin",
            "back.bin",
        ],
    ));
    assert_eq!(std::fs::read(dir.path().join("back.bin")).unwrap(), body);
    // Ranges carry no full-object checksum and the ETag is no MD5: nothing to check.
    assert_eq!(rec["verified"], "none", "{rec}");
    let after = server.sse_c_counts().keyed_requests;
    let gets = after[before..]
        .iter()
        .filter(|r| r.starts_with("GET /bkt/big.bin"))
        .count();
    assert!(
        gets >= 3,
        "ranged GETs, each with the key: {:?}",
        &after[before..]
    );
    // cat reads in parallel ranges too.
    let mut c = s5rs(&server, dir.path());
    c.args(["cat", "-p", "5", "--sse-c-key", &k, "s3://bkt/big.bin"]);
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout == body, "cat output differs");
}

#[test]
fn server_side_copy_with_different_keys() {
    let server = gated();
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = key(20);
    let (b, _) = key(21);
    let body = data(70_000, 5);
    std::fs::write(dir.path().join("src.bin"), &body).unwrap();
    ok(&s5(
        &server,
        dir.path(),
        &["cp", "--sse-c-key", &a, "src.bin", "s3://bkt/src.bin"],
    ));
    // Without the source's key the copy is refused.
    failed(
        &s5(
            &server,
            dir.path(),
            &[
                "cp",
                "--sse-c-key",
                &b,
                "s3://bkt/src.bin",
                "s3://bkt/dst.bin",
            ],
        ),
        "400",
    );
    let rec = ok(&s5(
        &server,
        dir.path(),
        &[
            "cp",
            "--sse-c-copy-source-key",
            &a,
            "--sse-c-key",
            &b,
            "s3://bkt/src.bin",
            "s3://bkt/dst.bin",
        ],
    ));
    assert_ne!(rec["verified"], "md5", "{rec}");
    let c = server.sse_c_counts();
    assert!(
        c.keyed_requests
            .iter()
            .any(|r| r == "PUT /bkt/dst.bin object-key copy-source-key"),
        "{c:?}"
    );
    failed(
        &s5(
            &server,
            dir.path(),
            &["cp", "--sse-c-key", &a, "s3://bkt/dst.bin", "x.bin"],
        ),
        "403",
    );
    ok(&s5(
        &server,
        dir.path(),
        &["cp", "--sse-c-key", &b, "s3://bkt/dst.bin", "dst.bin"],
    ));
    assert_eq!(std::fs::read(dir.path().join("dst.bin")).unwrap(), body);
}

#[test]
fn copy_across_endpoints_with_different_keys_and_key_forms() {
    let src = gated();
    let dst = gated();
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = key(30);
    let b_raw: Vec<u8> = (100..132u8).collect();
    std::fs::write(dir.path().join("b.key"), &b_raw).unwrap();
    let b = B64.encode(&b_raw);
    let body = data(6 * 1024 * 1024, 6);
    std::fs::write(dir.path().join("src.bin"), &body).unwrap();
    // env: form for the upload.
    let mut c = s5rs(&src, dir.path());
    c.env("MY_SSE_C_KEY", &a).args([
        "--json",
        "cp",
        "-p",
        "5",
        "--sse-c-key",
        "env:MY_SSE_C_KEY",
        "src.bin",
        "s3://bkt/src.bin",
    ]);
    ok(&run(c));
    // Relayed through s5rs (multipart on the destination): GET with A, PUT with B
    // read from a file of raw bytes.
    let key_file = format!("file:{}", dir.path().join("b.key").display());
    let mut c = s5rs(&src, dir.path());
    c.args([
        "--json",
        "cp",
        "-p",
        "5",
        "--destination-endpoint-url",
        &dst.endpoint,
        "--sse-c-copy-source-key",
        &a,
        "--sse-c-key",
        &key_file,
        "s3://bkt/src.bin",
        "s3://bkt/copy.bin",
    ]);
    ok(&run(c));
    let d = dst.sse_c_counts();
    assert_eq!(
        d.keyed_requests
            .iter()
            .filter(|r| r.starts_with("PUT /bkt/copy.bin?partNumber="))
            .count(),
        2,
        "{d:?}"
    );
    failed(
        &s5(
            &dst,
            dir.path(),
            &["cp", "--sse-c-key", &a, "s3://bkt/copy.bin", "x.bin"],
        ),
        "403",
    );
    ok(&s5(
        &dst,
        dir.path(),
        &["cp", "--sse-c-key", &b, "s3://bkt/copy.bin", "copy.bin"],
    ));
    assert!(std::fs::read(dir.path().join("copy.bin")).unwrap() == body);
}

#[test]
fn no_key_material_in_records_trace_logs_or_errors() {
    let server = gated();
    let dir = tempfile::tempdir().unwrap();
    let (k, k_md5) = key(40);
    let (src_k, src_md5) = key(41);
    std::fs::write(dir.path().join("f.bin"), data(6 * 1024 * 1024, 1)).unwrap();
    let mut outputs = Vec::new();
    let inline = format!("--sse-c-key={k}");
    let runs: Vec<Vec<&str>> = vec![
        vec![
            "--log",
            "trace",
            "cp",
            "-p",
            "5",
            "--sse-c-key",
            &k,
            "f.bin",
            "s3://bkt/f.bin",
        ],
        vec![
            "--log",
            "trace",
            "cp",
            "--sse-c-key",
            &k,
            "s3://bkt/f.bin",
            "g.bin",
        ],
        vec!["--log", "trace", "cat", "--sse-c-key", &k, "s3://bkt/f.bin"],
        vec![
            "--log",
            "trace",
            "head",
            "--sse-c-key",
            &k,
            "s3://bkt/f.bin",
        ],
        vec![
            "--log",
            "trace",
            "cp",
            "--sse-c-copy-source-key",
            &k,
            "--sse-c-key",
            &src_k,
            "s3://bkt/f.bin",
            "s3://bkt/h.bin",
        ],
        // Failures: a wrong key, a missing object, a parse error.
        vec![
            "--log",
            "trace",
            "cp",
            "--sse-c-key",
            &src_k,
            "s3://bkt/f.bin",
            "w.bin",
        ],
        vec![
            "--log",
            "trace",
            "cp",
            "--sse-c-key",
            &k,
            "s3://bkt/missing",
            "m.bin",
        ],
        vec!["cp", "--sse-c-key", &k, "only-one-argument"],
        vec!["cp", &inline, "--no-such-flag", "a", "s3://bkt/a"],
    ];
    for args in &runs {
        let r = s5(&server, dir.path(), args);
        outputs.push((args.clone(), r));
    }
    // A batch line with a key, and a bad one.
    let batch = format!(
        "cp --sse-c-key {k} s3://bkt/f.bin b1.bin\ncp --sse-c-key {src_k} s3://bkt/f.bin b2.bin\ncp --sse-c-key {k}\n"
    );
    let r = support::run::run_batch(&server, dir.path(), &["--log", "trace"], &batch);
    outputs.push((vec!["run"], r));
    let mut saw_failure_command = false;
    for (args, r) in &outputs {
        let all = format!("{}\n{}", r.stdout, r.stderr);
        for secret in [&k, &k_md5, &src_k, &src_md5] {
            assert!(
                !all.contains(secret.as_str()),
                "{args:?} leaked key material:\n{all}"
            );
        }
        if all.contains("--sse-c-key=***") || all.contains("--sse-c-key ***") {
            saw_failure_command = true;
        }
    }
    assert!(saw_failure_command, "failed commands show the key as ***");
    // The traced runs did log their requests (the check above is not vacuous).
    assert!(
        outputs[0].1.stderr.contains("TRACE"),
        "{}",
        outputs[0].1.stderr
    );
    assert_eq!(outputs[5].1.code, 1);
}

/// UploadPartCopy (what copies over 5 GiB use) through the client: the parts carry
/// the destination's key and the source's copy-source key; without the source's
/// key the part is refused.
#[tokio::test]
async fn upload_part_copy_carries_both_keys() {
    use s5rs::storage::s3::{PutBody, S3Client, S3Config, SseC, SseCKey};
    use s5rs::storage::{CompletedPart, ObjectHeaders};
    let server = gated();
    let dir = tempfile::tempdir().unwrap();
    let creds = support::write_credentials(dir.path(), &server.access_key, &server.secret_key);
    let client = S3Client::new(S3Config {
        endpoint_url: Some(server.endpoint.clone()),
        region: Some("us-east-1".into()),
        profile: Some("s5rs-test".into()),
        credentials_file: Some(creds),
        ..S3Config::default()
    })
    .await
    .unwrap();
    let (a, b) = (
        SseCKey::from_base64(&key(50).0).unwrap(),
        SseCKey::from_base64(&key(51).0).unwrap(),
    );
    let body = data(6 * 1024 * 1024, 8);
    let source = client.with_sse_c(&SseC {
        object: Some(a.clone()),
        copy_source: None,
    });
    source
        .put_object(
            "bkt",
            "src",
            PutBody::Bytes(body.clone().into()),
            &ObjectHeaders::default(),
        )
        .await
        .unwrap();
    let dest = client.with_sse_c(&SseC {
        object: Some(b.clone()),
        copy_source: Some(a.clone()),
    });
    let id = dest
        .create_multipart_upload("bkt", "dst", &ObjectHeaders::default())
        .await
        .unwrap();
    // The destination's key alone is not enough to read the source.
    let keyless_source = client.with_sse_c(&SseC {
        object: Some(b.clone()),
        copy_source: None,
    });
    let refused = keyless_source
        .upload_part_copy(
            "bkt",
            "dst",
            &id,
            1,
            "bkt",
            "src",
            None,
            (0, 5 * 1024 * 1024 - 1),
        )
        .await
        .unwrap_err();
    assert_eq!(refused.status, Some(400), "{refused}");
    let split = 5 * 1024 * 1024u64;
    let mut parts: Vec<CompletedPart> = Vec::new();
    for (n, range) in [(1, (0, split - 1)), (2, (split, body.len() as u64 - 1))] {
        parts.push(
            dest.upload_part_copy("bkt", "dst", &id, n, "bkt", "src", None, range)
                .await
                .unwrap(),
        );
    }
    dest.complete_multipart_upload("bkt", "dst", &id, &parts)
        .await
        .unwrap();
    let c = server.sse_c_counts();
    let copies: Vec<_> = c
        .keyed_requests
        .iter()
        .filter(|r| r.starts_with("PUT /bkt/dst?partNumber="))
        .collect();
    assert_eq!(copies.len(), 2, "{c:?}");
    assert!(
        copies
            .iter()
            .all(|r| r.ends_with("object-key copy-source-key")),
        "{c:?}"
    );
    let reader = client.with_sse_c(&SseC {
        object: Some(b),
        copy_source: None,
    });
    let mut got = reader.get_object("bkt", "dst", None, None).await.unwrap();
    assert_eq!(got.meta.sse_customer_algorithm.as_deref(), Some("AES256"));
    let mut bytes = Vec::new();
    while let Some(chunk) = got.body.next_chunk().await {
        bytes.extend_from_slice(&chunk.unwrap());
    }
    assert!(bytes[..] == body[..], "copied data differs");
    assert!(source.get_object("bkt", "dst", None, None).await.is_err());
}
