//! Failure safety, black box: the built binary against the in-process S3 server
//! with injected faults. A 10,000-operation batch under random faults ends with
//! every object byte-identical and one record per operation; faults that outlast
//! the retry budget give failed records naming the object (never a false success);
//! `kill -9` mid-download leaves only a recognisable temp file, removed by the next
//! run; `kill -9` mid-multipart-upload leaves no object; Ctrl-C twice aborts the
//! multipart uploads in flight; failed multipart uploads are aborted; a low
//! open-file limit makes s5rs wait, not fail; files that shrink or vanish during an
//! upload fail cleanly.

mod support;

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::run::{make_bucket, run, run_batch, s5rs};
use support::{Faults, RandomFaults, TestServer};

const BUCKET: &str = "safety";

fn data(seed: u64, len: usize) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..len).map(|_| rng.u8(..)).collect()
}

fn wait_for(what: &str, timeout: Duration, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(".s5rs-tmp-"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn ten_thousand_operations_under_random_faults() {
    const UPLOADS: usize = 4000;
    const DOWNLOADS: usize = 3000;
    const COPIES: usize = 2000;
    const DELETES: usize = 1000;
    let server = TestServer::start();
    make_bucket(&server, BUCKET);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // Seed the objects to download, copy and delete (no faults yet).
    std::fs::create_dir_all(root.join("seed")).unwrap();
    std::fs::create_dir_all(root.join("up")).unwrap();
    let mut contents: HashMap<String, Vec<u8>> = HashMap::new();
    for i in 0..DOWNLOADS + COPIES + DELETES {
        let body = data(i as u64, 200 + i % 1500);
        std::fs::write(root.join(format!("seed/o{i}")), &body).unwrap();
        contents.insert(format!("src/o{i}"), body);
    }
    for i in 0..UPLOADS {
        std::fs::write(
            root.join(format!("up/u{i}")),
            data(1_000_000 + i as u64, 100 + i % 2000),
        )
        .unwrap();
    }
    let big = data(42, 11 * 1024 * 1024 + 7);
    std::fs::write(root.join("big"), &big).unwrap();
    let seeded = run_batch(
        &server,
        root,
        &[],
        &format!("cp 'seed/*' s3://{BUCKET}/src/\ncp -p 5 big s3://{BUCKET}/src/big\n"),
    );
    assert_eq!(seeded.code, 0, "{}", seeded.stderr);

    // The batch: one operation per line.
    let mut batch = String::new();
    let mut expected: Vec<(&str, String)> = Vec::new();
    for i in 0..UPLOADS {
        batch.push_str(&format!("cp up/u{i} s3://{BUCKET}/up/u{i}\n"));
        expected.push(("upload", format!("u{i}")));
    }
    for i in 0..DOWNLOADS {
        batch.push_str(&format!("cp s3://{BUCKET}/src/o{i} down/o{i}\n"));
        expected.push(("download", format!("o{i}")));
    }
    for i in DOWNLOADS..DOWNLOADS + COPIES {
        batch.push_str(&format!(
            "cp s3://{BUCKET}/src/o{i} s3://{BUCKET}/copy/o{i}\n"
        ));
        expected.push(("copy", format!("o{i}")));
    }
    for i in DOWNLOADS + COPIES..DOWNLOADS + COPIES + DELETES {
        batch.push_str(&format!("rm s3://{BUCKET}/src/o{i}\n"));
        expected.push(("delete", format!("o{i}")));
    }
    batch.push_str(&format!("cp -p 5 big s3://{BUCKET}/up/big\n"));
    expected.push(("multipart upload", "big".into()));
    batch.push_str(&format!("cp -p 5 s3://{BUCKET}/src/big down/big\n"));
    expected.push(("multipart download", "big".into()));

    server.set_faults(Faults {
        random: Some(RandomFaults {
            seed: 20_251_121,
            per_mille: 40,
            max_delay: Duration::from_millis(30),
        }),
        ..Faults::default()
    });
    let started = Instant::now();
    let ran = run_batch(&server, root, &["--numworkers", "64"], &batch);
    let elapsed = started.elapsed();
    let counts = server.fault_counts();
    server.set_faults(Faults::default());

    // One record per line, all successful.
    let records = ran.records();
    let mut per_line: HashMap<u64, Vec<&Value>> = HashMap::new();
    for r in &records {
        per_line
            .entry(r["line"].as_u64().expect("line"))
            .or_default()
            .push(r);
    }
    let failures: Vec<_> = records.iter().filter(|r| r["success"] != true).collect();
    assert!(
        failures.is_empty(),
        "failures: {failures:#?}\nstderr: {}",
        ran.stderr
    );
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(records.len(), expected.len(), "one record per operation");
    for line in 1..=expected.len() as u64 {
        assert_eq!(per_line.get(&line).map_or(0, Vec::len), 1, "line {line}");
    }
    // Every object byte-identical.
    let mut verified = 0;
    for (kind, name) in &expected {
        match *kind {
            "upload" => {
                let want = std::fs::read(root.join(format!("up/{name}"))).unwrap();
                assert_eq!(
                    server.object_bytes(BUCKET, &format!("up/{name}")).as_ref(),
                    Some(&want),
                    "{name}"
                );
            }
            "download" => {
                let got = std::fs::read(root.join(format!("down/{name}"))).unwrap();
                assert_eq!(&got, &contents[&format!("src/{name}")], "{name}");
            }
            "copy" => {
                let got = server.object_bytes(BUCKET, &format!("copy/{name}"));
                assert_eq!(
                    got.as_ref(),
                    Some(&contents[&format!("src/{name}")]),
                    "{name}"
                );
            }
            "delete" => {
                assert!(
                    !server.object_path(BUCKET, &format!("src/{name}")).exists(),
                    "{name}"
                );
            }
            "multipart upload" => {
                assert!(server.object_bytes(BUCKET, "up/big").unwrap() == big);
            }
            _ => {
                assert!(std::fs::read(root.join("down/big")).unwrap() == big);
            }
        }
        verified += 1;
    }
    assert!(temp_files(&root.join("down")).is_empty());
    let retries: u64 = records.iter().filter_map(|r| r["retries"].as_u64()).sum();
    let with_retries = records
        .iter()
        .filter(|r| r["retries"].as_u64().is_some())
        .count();
    let by_verified = records
        .iter()
        .fold(HashMap::<String, usize>::new(), |mut m, r| {
            *m.entry(r["verified"].as_str().unwrap_or("-").to_string())
                .or_default() += 1;
            m
        });
    println!(
        "fault injection: {} requests, faults {counts:?} (injected {} + {} delays); \
         {} operations, {verified} objects verified byte-identical, {retries} retries \
         recorded on {with_retries} operations, verified fields {by_verified:?}, {elapsed:?}",
        server.requests(),
        counts.injected(),
        counts.delayed,
        expected.len(),
    );
    assert!(counts.injected() > 100, "{counts:?}");
    assert!(counts.flipped_get_byte > 0 && counts.reset_mid_body > 0 && counts.truncated_body > 0);
    assert!(
        retries >= counts.injected() / 2,
        "retries are counted in the records"
    );
}

#[test]
fn faults_that_outlast_the_retry_budget_fail_loudly() {
    let server = TestServer::start();
    make_bucket(&server, BUCKET);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("seed")).unwrap();
    let mut contents = HashMap::new();
    for i in 0..60 {
        let body = data(i, 500 + i as usize);
        std::fs::write(root.join(format!("seed/o{i}")), &body).unwrap();
        contents.insert(format!("o{i}"), body);
    }
    let seeded = run_batch(
        &server,
        root,
        &[],
        &format!("cp 'seed/*' s3://{BUCKET}/src/\n"),
    );
    assert_eq!(seeded.code, 0);
    let mut batch = String::new();
    for i in 0..20 {
        batch.push_str(&format!("cp seed/o{i} s3://{BUCKET}/up/o{i}\n"));
        batch.push_str(&format!("cp s3://{BUCKET}/src/o{i} down/o{i}\n"));
        batch.push_str(&format!(
            "cp s3://{BUCKET}/src/o{} s3://{BUCKET}/copy/o{}\n",
            i + 20,
            i + 20
        ));
    }
    // Every request gets a fault (a delay only, one time in seven).
    server.set_faults(Faults {
        random: Some(RandomFaults {
            seed: 7,
            per_mille: 1000,
            max_delay: Duration::from_millis(5),
        }),
        ..Faults::default()
    });
    let ran = run_batch(
        &server,
        root,
        &["--retry-count", "1", "--numworkers", "8"],
        &batch,
    );
    server.set_faults(Faults::default());
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    let records = ran.records();
    assert_eq!(records.len(), 60);
    let mut failed = 0;
    for r in &records {
        let src = r["source"].as_str().expect("source named");
        let dst = r["destination"].as_str().expect("destination named");
        if r["success"] == true {
            // Never a success record for a corrupt or missing object.
            let name = dst.rsplit('/').next().unwrap();
            let got = if dst.starts_with("s3://") {
                server.object_bytes(BUCKET, dst.trim_start_matches(&format!("s3://{BUCKET}/")))
            } else {
                std::fs::read(root.join(dst)).ok()
            };
            assert_eq!(got.as_ref(), Some(&contents[name]), "{r}");
        } else {
            failed += 1;
            assert!(r["error_kind"].is_string(), "{r}");
            assert!(r["error"].as_str().unwrap().len() > 3, "{r}");
            assert!(!src.is_empty());
            if !dst.starts_with("s3://") {
                assert!(
                    !root.join(dst).exists(),
                    "no file for a failed download: {r}"
                );
            }
        }
    }
    assert!(temp_files(&root.join("down")).is_empty());
    println!(
        "budget exhausted: {failed} of {} operations failed, {:?}",
        records.len(),
        server.fault_counts()
    );
    assert!(failed > 0);
}

#[test]
fn kill_9_during_a_download_leaves_only_a_temp_file_that_the_next_run_removes() {
    let server = TestServer::start();
    make_bucket(&server, BUCKET);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let big = data(9, 6 * 1024 * 1024);
    std::fs::write(root.join("big"), &big).unwrap();
    assert_eq!(
        run_batch(&server, root, &[], &format!("cp big s3://{BUCKET}/big\n")).code,
        0
    );
    server.set_faults(Faults {
        body_chunk_delay: Some(Duration::from_millis(30)),
        ..Faults::default()
    });
    let mut c = s5rs(&server, root);
    c.args(["cp", &format!("s3://{BUCKET}/big"), "out/big"]);
    let mut child = c.spawn().unwrap();
    let out = root.join("out");
    wait_for("a temp file with data", Duration::from_secs(30), || {
        temp_files(&out)
            .iter()
            .any(|t| std::fs::metadata(out.join(t)).is_ok_and(|m| m.len() > 0))
    });
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(!out.join("big").exists(), "no file at the destination name");
    let temps = temp_files(&out);
    assert_eq!(temps.len(), 1, "{temps:?}");
    assert!(
        temps[0].starts_with(&format!(".s5rs-tmp-{}-", child.id())),
        "{temps:?}"
    );
    assert!(temps[0].ends_with("-big"));

    server.set_faults(Faults::default());
    let mut c = s5rs(&server, root);
    c.args(["cp", &format!("s3://{BUCKET}/big"), "out/big"]);
    let ran = run(c);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(std::fs::read(out.join("big")).unwrap() == big);
    assert!(
        temp_files(&out).is_empty(),
        "the stale temp file was removed"
    );
}

/// Starts a multipart upload of a 16 MiB file with slow part uploads and waits
/// until the upload has been created and a part is on its way.
fn start_slow_multipart(server: &TestServer, root: &Path, key: &str) -> std::process::Child {
    std::fs::write(root.join("big"), data(11, 16 * 1024 * 1024)).unwrap();
    server.set_faults(Faults {
        delay: Some(Duration::from_millis(700)),
        ..Faults::default()
    });
    let mut c = s5rs(server, root);
    c.args([
        "cp",
        "-p",
        "5",
        "-c",
        "1",
        "big",
        &format!("s3://{BUCKET}/{key}"),
    ]);
    c.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = c.spawn().unwrap();
    wait_for("an UploadPart", Duration::from_secs(30), || {
        server
            .request_log()
            .iter()
            .any(|l| l.starts_with(&format!("PUT /{BUCKET}/{key}?partNumber=")))
    });
    child
}

#[test]
fn kill_9_during_a_multipart_upload_leaves_no_object() {
    let server = TestServer::start();
    make_bucket(&server, BUCKET);
    let dir = tempfile::tempdir().unwrap();
    let mut child = start_slow_multipart(&server, dir.path(), "killed");
    child.kill().unwrap();
    child.wait().unwrap();
    server.set_faults(Faults::default());
    assert!(server.object_bytes(BUCKET, "killed").is_none());
    let mut c = s5rs(&server, dir.path());
    c.args(["ls", &format!("s3://{BUCKET}/killed")]);
    assert_eq!(run(c).code, 1, "no object under the key");
}

#[test]
fn ctrl_c_twice_aborts_the_multipart_uploads_in_flight() {
    let server = TestServer::start();
    make_bucket(&server, BUCKET);
    let dir = tempfile::tempdir().unwrap();
    let child = start_slow_multipart(&server, dir.path(), "interrupted");
    let pid = child.id().to_string();
    for _ in 0..2 {
        let s = std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap();
        assert!(s.success());
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("aborted 1 incomplete multipart upload"),
        "{stderr}"
    );
    let log = server.request_log();
    assert!(
        log.iter()
            .any(|l| l.starts_with(&format!("DELETE /{BUCKET}/interrupted?uploadId="))),
        "{log:#?}"
    );
    server.set_faults(Faults::default());
    assert!(server.object_bytes(BUCKET, "interrupted").is_none());
}

#[test]
fn ctrl_c_once_lets_the_running_upload_finish() {
    let server = TestServer::start();
    make_bucket(&server, BUCKET);
    let dir = tempfile::tempdir().unwrap();
    let child = start_slow_multipart(&server, dir.path(), "finished");
    let pid = child.id().to_string();
    std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    server.set_faults(Faults::default());
    let want = std::fs::read(dir.path().join("big")).unwrap();
    assert!(server.object_bytes(BUCKET, "finished").unwrap() == want);
}

#[test]
fn a_failed_multipart_upload_is_aborted() {
    let server = TestServer::start();
    make_bucket(&server, BUCKET);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("big"), data(12, 11 * 1024 * 1024)).unwrap();
    server.set_faults(Faults {
        internal_error: 1000,
        only_method: Some(http::Method::PUT),
        ..Faults::default()
    });
    let ran = run_batch(
        &server,
        dir.path(),
        &["--retry-count", "1"],
        &format!("cp -p 5 big s3://{BUCKET}/failed\n"),
    );
    assert_eq!(ran.code, 1);
    let records = ran.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["error_kind"], "server_error", "{}", records[0]);
    assert!(
        server
            .request_log()
            .iter()
            .any(|l| l.starts_with(&format!("DELETE /{BUCKET}/failed?uploadId=")))
    );
    assert!(server.object_bytes(BUCKET, "failed").is_none());
}

#[test]
fn a_low_open_file_limit_makes_s5rs_wait_instead_of_failing() {
    use std::os::unix::process::CommandExt;
    let server = TestServer::start();
    make_bucket(&server, BUCKET);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("up")).unwrap();
    let mut batch = String::new();
    for i in 0..400 {
        std::fs::write(root.join(format!("up/f{i}")), data(i, 20_000)).unwrap();
        batch.push_str(&format!("cp up/f{i} s3://{BUCKET}/f{i}\n"));
    }
    for i in 0..200 {
        batch.push_str(&format!("cp s3://{BUCKET}/seed{} down/f{i}\n", i % 4));
    }
    for i in 0..4 {
        std::fs::write(root.join(format!("seed{i}")), data(100 + i, 50_000)).unwrap();
    }
    assert_eq!(
        run_batch(&server, root, &[], &format!("cp 'seed*' s3://{BUCKET}/\n")).code,
        0
    );
    server.set_faults(Faults {
        delay: Some(Duration::from_millis(5)),
        ..Faults::default()
    });
    std::fs::write(root.join("batch.txt"), &batch).unwrap();
    let mut c = s5rs(&server, root);
    c.args(["--json", "--numworkers", "128", "run", "batch.txt"]);
    // SAFETY: setrlimit is async-signal-safe; nothing else runs in the child.
    unsafe {
        c.pre_exec(|| {
            rlimit::setrlimit(rlimit::Resource::NOFILE, 40, 40)?;
            Ok(())
        });
    }
    let ran = run(c);
    let records = ran.records();
    let failures: Vec<_> = records.iter().filter(|r| r["success"] != true).collect();
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(records.len(), 600);
}

#[test]
fn files_that_shrink_or_vanish_during_an_upload_fail_cleanly() {
    let server = TestServer::start();
    make_bucket(&server, BUCKET);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for (key, action) in [("shrunk", "truncate"), ("vanished", "remove")] {
        let child = start_slow_multipart(&server, root, key);
        match action {
            "truncate" => std::fs::OpenOptions::new()
                .write(true)
                .open(root.join("big"))
                .unwrap()
                .set_len(1024 * 1024)
                .unwrap(),
            _ => std::fs::remove_file(root.join("big")).unwrap(),
        }
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{key}: {stdout}{stderr}");
        assert!(
            stdout.contains("ERROR") || stderr.contains("ERROR"),
            "{key}: {stdout}{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        server.set_faults(Faults::default());
        assert!(
            server.object_bytes(BUCKET, key).is_none(),
            "{key}: no truncated object"
        );
        assert!(
            server
                .request_log()
                .iter()
                .any(|l| l.starts_with(&format!("DELETE /{BUCKET}/{key}?uploadId=")))
        );
        println!("{key}: {}{}", stdout.trim(), stderr.trim());
    }
}
