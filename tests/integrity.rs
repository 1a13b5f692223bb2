//! End-to-end integrity, black box: the built binary against the in-process S3
//! server with byte-flipping faults. Uploads carry Content-MD5 (a server that checks
//! it refuses a corrupted body, and s5rs sends it again); `--checksum-algorithm`
//! sends the chosen `x-amz-checksum-*`; downloads are verified (MD5 ETag, stored
//! checksum, multipart ETag) before the rename, a corrupted GET is fetched again,
//! and a persistent mismatch is a `checksum_mismatch` failure that leaves the old
//! destination untouched; `--no-verify` turns download checks off; S3→S3 copies
//! compare ETags.

mod support;

use std::path::Path;

use serde_json::Value;
use support::run::{make_bucket, run, run_batch, s5rs};
use support::{Faults, TestServer};

/// Deterministic pseudo-random bytes.
fn data(seed: u64, len: usize) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..len).map(|_| rng.u8(..)).collect()
}

fn only(records: &[Value]) -> &Value {
    assert_eq!(records.len(), 1, "{records:#?}");
    &records[0]
}

fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".s5rs-tmp-"))
        .collect()
}

#[test]
fn uploads_carry_content_md5_and_a_corrupted_body_is_sent_again() {
    let server = TestServer::start();
    make_bucket(&server, "bkt");
    let dir = tempfile::tempdir().unwrap();
    let small = data(1, 3000);
    let big = data(2, 11 * 1024 * 1024);
    std::fs::write(dir.path().join("small"), &small).unwrap();
    std::fs::write(dir.path().join("big"), &big).unwrap();
    server.set_faults(Faults {
        check_content_md5: true,
        flip_request_byte: 2,
        ..Faults::default()
    });
    let ran = run_batch(
        &server,
        dir.path(),
        &[],
        // `plain`: the same data in one PutObject, so its ETag is the plain MD5 and
        // it carries the CRC-64/NVME s5rs stores with every upload.
        "cp small s3://bkt/small\ncp -p 5 big s3://bkt/big\ncp big s3://bkt/plain\n",
    );
    assert_eq!(ran.code, 0, "{}{}", ran.stdout, ran.stderr);
    let counts = server.fault_counts();
    assert_eq!(counts.flipped_put_byte, 2, "{counts:?}");
    assert_eq!(
        counts.bad_digest, 2,
        "both corrupted bodies refused: {counts:?}"
    );
    assert_eq!(
        counts.put_without_md5, 0,
        "every PUT and part carries Content-MD5"
    );
    for r in ran.records() {
        assert_eq!(r["success"], true, "{r}");
        assert_eq!(r["verified"], "md5", "{r}");
    }
    let retries: u64 = ran
        .records()
        .iter()
        .filter_map(|r| r["retries"].as_u64())
        .sum();
    assert_eq!(
        retries, 2,
        "each refused body counted as a retry: {}",
        ran.stdout
    );
    assert_eq!(server.object_bytes("bkt", "small").unwrap(), small);
    assert_eq!(server.object_bytes("bkt", "big").unwrap(), big);

    // Corruption on every attempt: a failed record, no object.
    server.set_faults(Faults {
        check_content_md5: true,
        flip_request_byte: 1000,
        ..Faults::default()
    });
    let ran = run_batch(
        &server,
        dir.path(),
        &["--retry-count", "2"],
        "cp small s3://bkt/other\n",
    );
    assert_eq!(ran.code, 1, "{}{}", ran.stdout, ran.stderr);
    let records = ran.records();
    let r = only(&records);
    assert_eq!(r["success"], false);
    assert_eq!(r["error_kind"], "checksum_mismatch", "{r}");
    assert_eq!(r["destination"], "s3://bkt/other");
    assert!(server.object_bytes("bkt", "other").is_none());
}

#[test]
fn checksum_algorithm_sends_the_chosen_checksum() {
    let server = TestServer::start();
    make_bucket(&server, "bkt");
    let dir = tempfile::tempdir().unwrap();
    let small = data(3, 5000);
    let big = data(4, 11 * 1024 * 1024);
    std::fs::write(dir.path().join("small"), &small).unwrap();
    std::fs::write(dir.path().join("big"), &big).unwrap();
    for (alg, header) in [
        ("CRC32C", "x-amz-checksum-crc32c"),
        ("SHA256", "x-amz-checksum-sha256"),
        ("CRC32", "x-amz-checksum-crc32"),
        ("SHA1", "x-amz-checksum-sha1"),
        ("CRC64NVME", "x-amz-checksum-crc64nvme"),
    ] {
        let batch = format!(
            "cp --checksum-algorithm {alg} small s3://bkt/s-{alg}\ncp --checksum-algorithm {alg} -p 5 big s3://bkt/b-{alg}\n"
        );
        let ran = run_batch(&server, dir.path(), &[], &batch);
        assert_eq!(ran.code, 0, "{alg}: {}{}", ran.stdout, ran.stderr);
        for r in ran.records() {
            assert_eq!(r["verified"], alg.to_ascii_lowercase(), "{r}");
        }
        let log = server.request_log();
        let put_small = log
            .iter()
            .find(|l| l.starts_with(&format!("PUT /bkt/s-{alg}")))
            .expect("PutObject");
        assert!(put_small.contains(header), "{put_small}");
        assert!(put_small.contains("content-md5="), "{put_small}");
        let create = log
            .iter()
            .find(|l| l.starts_with(&format!("POST /bkt/b-{alg}?uploads")))
            .expect("CreateMultipartUpload");
        assert!(
            create.contains(&format!("x-amz-checksum-algorithm={alg}")),
            "{create}"
        );
        let parts: Vec<_> = log
            .iter()
            .filter(|l| l.starts_with(&format!("PUT /bkt/b-{alg}?partNumber=")))
            .collect();
        assert_eq!(parts.len(), 3, "{log:#?}");
        assert!(
            parts
                .iter()
                .all(|p| p.contains(header) && p.contains("content-md5="))
        );
        assert_eq!(
            server.object_bytes("bkt", &format!("s-{alg}")).unwrap(),
            small
        );
        assert_eq!(
            server.object_bytes("bkt", &format!("b-{alg}")).unwrap(),
            big
        );
    }
}

#[test]
fn downloads_are_verified_and_a_corrupted_body_is_fetched_again() {
    let server = TestServer::start();
    make_bucket(&server, "bkt");
    let dir = tempfile::tempdir().unwrap();
    let small = data(5, 70_000);
    let big = data(6, 12 * 1024 * 1024 + 123);
    std::fs::write(dir.path().join("small"), &small).unwrap();
    std::fs::write(dir.path().join("big"), &big).unwrap();
    let ran = run_batch(
        &server,
        dir.path(),
        &[],
        // `plain`: the same data in one PutObject, so its ETag is the plain MD5 and
        // it carries the CRC-64/NVME s5rs stores with every upload.
        "cp small s3://bkt/small\ncp -p 5 big s3://bkt/big\ncp big s3://bkt/plain\n",
    );
    assert_eq!(ran.code, 0, "{}{}", ran.stdout, ran.stderr);

    // Clean downloads: verified, whatever the download part size.
    for (flags, name) in [("", "a"), ("-p 5 -c 3", "b"), ("-p 8", "c")] {
        let ran = run_batch(
            &server,
            dir.path(),
            &[],
            &format!(
                "cp {flags} s3://bkt/small out/{name}-small\ncp {flags} s3://bkt/big out/{name}-big\n\
                 cp {flags} s3://bkt/plain out/{name}-plain\n"
            ),
        );
        assert_eq!(ran.code, 0, "{}{}", ran.stdout, ran.stderr);
        for r in ran.records() {
            let v = r["verified"].as_str().unwrap().to_string();
            if r["source"] == "s3://bkt/big" {
                assert_eq!(v, "etag-multipart", "{flags}: {r}");
            } else if r["source"] == "s3://bkt/plain" && !flags.is_empty() {
                // Fetched in ranges: the stored CRC (from a HeadObject, as a ranged
                // answer carries none) is checked, the ranges' CRCs joined.
                assert_eq!(v, "crc64nvme", "{flags}: {r}");
            } else {
                assert!(v == "md5" || v == "crc64nvme", "{flags}: {r}");
            }
        }
        assert_eq!(
            std::fs::read(dir.path().join(format!("out/{name}-small"))).unwrap(),
            small
        );
        assert_eq!(
            std::fs::read(dir.path().join(format!("out/{name}-big"))).unwrap(),
            big
        );
        assert_eq!(
            std::fs::read(dir.path().join(format!("out/{name}-plain"))).unwrap(),
            big
        );
    }

    // One flipped byte in each: detected, fetched again, counted as a retry.
    for (src, want) in [("small", &small), ("big", &big), ("plain", &big)] {
        let before = server.fault_counts().flipped_get_byte;
        server.set_faults(Faults {
            flip_body_byte: 1,
            ..Faults::default()
        });
        let ran = run_batch(
            &server,
            dir.path(),
            &[],
            &format!("cp -p 5 s3://bkt/{src} out/flip-{src}\n"),
        );
        assert_eq!(ran.code, 0, "{}{}", ran.stdout, ran.stderr);
        assert_eq!(server.fault_counts().flipped_get_byte, before + 1);
        let records = ran.records();
        let r = only(&records);
        assert!(r["retries"].as_u64().unwrap() >= 1, "{r}");
        assert_eq!(
            &std::fs::read(dir.path().join(format!("out/flip-{src}"))).unwrap(),
            want
        );
        server.set_faults(Faults::default());
    }

    // Corrupted on every attempt: checksum_mismatch, the old file kept, no temp left.
    std::fs::write(dir.path().join("out/keep"), b"previous content").unwrap();
    for src in ["small", "big", "plain"] {
        server.set_faults(Faults {
            flip_body_byte: 100_000,
            ..Faults::default()
        });
        let ran = run_batch(
            &server,
            dir.path(),
            &["--retry-count", "2"],
            &format!("cp -p 5 s3://bkt/{src} out/keep\n"),
        );
        assert_eq!(ran.code, 1, "{}{}", ran.stdout, ran.stderr);
        let records = ran.records();
        let r = only(&records);
        assert_eq!(r["success"], false, "{r}");
        assert_eq!(r["error_kind"], "checksum_mismatch", "{r}");
        assert_eq!(r["source"], format!("s3://bkt/{src}"));
        assert_eq!(
            std::fs::read(dir.path().join("out/keep")).unwrap(),
            b"previous content"
        );
        assert!(temp_files(&dir.path().join("out")).is_empty());
    }

    // --no-verify: no check (and so the corruption goes through, as asked).
    server.set_faults(Faults {
        flip_body_byte: 1,
        ..Faults::default()
    });
    let ran = run_batch(
        &server,
        dir.path(),
        &["--no-verify"],
        "cp s3://bkt/small out/nv\n",
    );
    assert_eq!(ran.code, 0, "{}{}", ran.stdout, ran.stderr);
    let records = ran.records();
    assert_eq!(only(&records)["verified"], "none");
}

#[test]
fn copies_compare_the_etag_with_the_source() {
    let server = TestServer::start();
    make_bucket(&server, "bkt");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), data(7, 4000)).unwrap();
    let mut c = s5rs(&server, dir.path());
    c.args(["cp", "f", "s3://bkt/src/f"]);
    assert_eq!(run(c).code, 0);
    let ran = run_batch(
        &server,
        dir.path(),
        &[],
        "cp s3://bkt/src/f s3://bkt/dst/f\ncp 's3://bkt/src/*' s3://bkt/all/\n",
    );
    assert_eq!(ran.code, 0, "{}{}", ran.stdout, ran.stderr);
    let records = ran.records();
    assert_eq!(records.len(), 2);
    for r in records {
        assert_eq!(r["verified"], "md5", "{r}");
    }
    assert_eq!(
        server.object_bytes("bkt", "dst/f").unwrap(),
        server.object_bytes("bkt", "src/f").unwrap()
    );
}

/// Makes `bkt/key` an object whose data on disk is `data` but whose stored ETag is
/// the plain MD5 of `etag_of` and which carries no stored checksum (written the way
/// s3s-fs keeps it: the data file and its internal-info file, no upload).
fn put_plain_md5_object(server: &TestServer, key: &str, data: &[u8], etag_of: &[u8]) {
    use base64::Engine;
    use md5::Digest;
    std::fs::write(server.object_path("bkt", key), data).unwrap();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let info = server.root().join(format!(
        ".bucket-{}.object-{}.internal.json",
        b64.encode("bkt"),
        b64.encode(key)
    ));
    let etag = hex::encode(md5::Md5::digest(etag_of));
    std::fs::write(info, format!(r#"{{"e_tag":"{etag}"}}"#)).unwrap();
}

#[test]
fn ranged_downloads_are_verified_while_streaming_and_one_bad_part_fails_them() {
    let server = TestServer::start();
    make_bucket(&server, "bkt");
    let dir = tempfile::tempdir().unwrap();
    let good = data(8, 9 * 1024 * 1024 + 77);
    std::fs::write(dir.path().join("good"), &good).unwrap();
    // `crc`: one PutObject by s5rs, which stores a CRC-64/NVME with it. `md5`: a
    // plain MD5 ETag and no stored checksum.
    let ran = run_batch(&server, dir.path(), &[], "cp good s3://bkt/crc\n");
    assert_eq!(ran.code, 0, "{}{}", ran.stdout, ran.stderr);
    put_plain_md5_object(&server, "md5", &good, &good);

    // Ten 1 MiB ranges, four in flight: they finish out of order.
    let ran = run_batch(
        &server,
        dir.path(),
        &[],
        "cp -p 1 -c 4 s3://bkt/crc out/crc\ncp -p 1 -c 4 s3://bkt/md5 out/md5\n",
    );
    assert_eq!(ran.code, 0, "{}{}", ran.stdout, ran.stderr);
    for r in ran.records() {
        let want = if r["source"] == "s3://bkt/crc" {
            "crc64nvme"
        } else {
            "md5"
        };
        assert_eq!(r["verified"], want, "{r}");
    }
    for name in ["crc", "md5"] {
        assert_eq!(
            std::fs::read(dir.path().join("out").join(name)).unwrap(),
            good
        );
    }

    // One byte flipped in the sixth range on disk: every GET of that range sends it,
    // the stored checksum and ETag stay those of the good data.
    let mut bad = good.clone();
    bad[5 * 1024 * 1024 + 3] ^= 0x40;
    std::fs::write(server.object_path("bkt", "crc"), &bad).unwrap();
    put_plain_md5_object(&server, "md5", &bad, &good);
    let ran = run_batch(
        &server,
        dir.path(),
        &["--retry-count", "1"],
        "cp -p 1 -c 4 s3://bkt/crc out/bad-crc\ncp -p 1 -c 4 s3://bkt/md5 out/bad-md5\n",
    );
    assert_eq!(ran.code, 1, "{}{}", ran.stdout, ran.stderr);
    let records = ran.records();
    assert_eq!(records.len(), 2, "{records:#?}");
    for r in &records {
        assert_eq!(r["success"], false, "{r}");
        assert_eq!(r["error_kind"], "checksum_mismatch", "{r}");
        assert_eq!(r["retries"], 1, "{r}");
    }
    let out = dir.path().join("out");
    assert!(!out.join("bad-crc").exists());
    assert!(!out.join("bad-md5").exists());
    assert!(temp_files(&out).is_empty());
}

/// A plain-MD5 object fetched in ranges: its ranges are hashed in order, so after
/// the first one (the part size) the ranges are smaller, all those in flight fitting
/// the in-order window; the data lands whole and verified, and a flipped byte in one
/// of the small ranges fails the download.
#[test]
fn in_order_ranges_after_the_first_are_smaller_and_verified() {
    let server = TestServer::start();
    make_bucket(&server, "bkt");
    let dir = tempfile::tempdir().unwrap();
    let good = data(9, 9 * 1024 * 1024 + 77);
    put_plain_md5_object(&server, "md5", &good, &good);
    let gets = |server: &TestServer| {
        let log = server.request_log();
        log.iter().filter(|l| l.starts_with("GET /bkt/md5")).count()
    };

    // 2 MiB parts, 40 in flight: a first range of 2 MiB, then 1 MiB ranges (56 MiB
    // shared by 40 is under 1 MiB, the smallest), the last one of 77 bytes.
    let before = gets(&server);
    let ran = run_batch(
        &server,
        dir.path(),
        &[],
        "cp -p 2 -c 40 s3://bkt/md5 out/md5\n",
    );
    assert_eq!(ran.code, 0, "{}{}", ran.stdout, ran.stderr);
    assert_eq!(ran.records()[0]["verified"], "md5");
    assert_eq!(gets(&server) - before, 1 + 7 + 1);
    assert_eq!(std::fs::read(dir.path().join("out/md5")).unwrap(), good);

    let mut bad = good.clone();
    bad[6 * 1024 * 1024 + 11] ^= 0x08;
    put_plain_md5_object(&server, "md5", &bad, &good);
    let ran = run_batch(
        &server,
        dir.path(),
        &["--retry-count", "0"],
        "cp -p 2 -c 40 s3://bkt/md5 out/bad\n",
    );
    assert_eq!(ran.code, 1, "{}{}", ran.stdout, ran.stderr);
    let r = &ran.records()[0];
    assert_eq!(r["error_kind"], "checksum_mismatch", "{r}");
    assert!(!dir.path().join("out/bad").exists());
}
