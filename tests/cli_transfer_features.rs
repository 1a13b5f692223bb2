//! s5rs's transfer features beyond s5cmd, black-box against in-process S3 servers:
//! copies between two servers with different credentials (streamed through s5rs,
//! small and multipart objects, metadata carried over, endpoints from global flags,
//! line flags and an AWS config profile's `endpoint_url`), and the rate limits
//! (`--rate-limit-objects`, `--rate-limit-bandwidth`) measured over windows of
//! several seconds. Only lower bounds on elapsed time are asserted — they follow
//! from the limiter's arithmetic, whatever the machine's speed — plus a very
//! generous upper bound that only catches a stall.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use bytes::Bytes;
use s5rs::storage::s3::{PutBody, S3Client, S3Config};
use s5rs::storage::{ContentHeaders, ObjectHeaders};

use common::{TestEnv, TestServer};

/// A client for one server, with that server's keys.
fn client(rt: &tokio::runtime::Runtime, server: &TestServer, dir: &Path, name: &str) -> S3Client {
    let path = dir.join(format!("creds-{name}"));
    std::fs::write(
        &path,
        format!(
            "[default]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            server.access_key, server.secret_key
        ),
    )
    .unwrap();
    rt.block_on(S3Client::new(S3Config {
        endpoint_url: Some(server.endpoint.clone()),
        region: Some("us-east-1".into()),
        profile: Some("default".into()),
        credentials_file: Some(path),
        retry_count: 2,
        max_connections: 4,
        ..S3Config::default()
    }))
    .unwrap()
}

fn get(rt: &tokio::runtime::Runtime, c: &S3Client, bucket: &str, key: &str) -> Vec<u8> {
    rt.block_on(async {
        let mut out = c.get_object(bucket, key, None, None).await.unwrap();
        let mut data = Vec::new();
        while let Some(chunk) = out.body.next_chunk().await {
            data.extend_from_slice(&chunk.unwrap());
        }
        data
    })
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

#[test]
fn copies_between_servers_with_different_credentials() {
    let a = TestServer::start_with_keys("AKIDSOURCE000001", "source-secret-0001");
    let b = TestServer::start_with_keys("AKIDDEST00000001", "dest-secret-00001");
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ca = client(&rt, &a, home.path(), "a");
    let cb = client(&rt, &b, home.path(), "b");
    rt.block_on(ca.create_bucket("src")).unwrap();
    rt.block_on(cb.create_bucket("dst")).unwrap();

    let mut objects: Vec<(String, Vec<u8>, ObjectHeaders)> = Vec::new();
    for i in 0..5 {
        let headers = ObjectHeaders {
            content: ContentHeaders {
                content_type: Some(format!("text/x-small-{i}")),
                cache_control: Some("max-age=5".into()),
                content_language: Some("fr".into()),
                ..Default::default()
            },
            metadata: vec![("origin".into(), format!("server-a-{i}"))],
            ..Default::default()
        };
        objects.push((
            format!("small/file{i}.txt"),
            pattern(1000 + i * 333, i as u8),
            headers,
        ));
    }
    // 12 MiB and 11 MiB + 1: three parts each at -p 5.
    for (i, len) in [(0u8, 12 << 20), (1u8, (11 << 20) + 1)] {
        let headers = ObjectHeaders {
            content: ContentHeaders {
                content_type: Some("application/x-big".into()),
                content_language: Some(format!("de-CH-{i}")),
                ..Default::default()
            },
            metadata: vec![("kind".into(), format!("multipart-{i}"))],
            ..Default::default()
        };
        objects.push((format!("big/blob{i}.bin"), pattern(len, 100 + i), headers));
    }
    for (key, data, headers) in &objects {
        rt.block_on(ca.put_object(
            "src",
            key,
            PutBody::Bytes(Bytes::from(data.clone())),
            headers,
        ))
        .unwrap();
    }

    // Credentials: one profile per server; the destination profile carries its own
    // endpoint_url in the config file, as the AWS CLI allows.
    let creds = home.path().join("credentials");
    std::fs::write(
        &creds,
        format!(
            "[src]\naws_access_key_id = {}\naws_secret_access_key = {}\n[dst]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            a.access_key, a.secret_key, b.access_key, b.secret_key
        ),
    )
    .unwrap();
    let config = home.path().join("config");
    std::fs::write(
        &config,
        format!(
            "[profile dst]\nregion = us-east-1\nendpoint_url = {}\n",
            b.endpoint
        ),
    )
    .unwrap();
    let s5rs = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_s5rs"))
            .current_dir(work.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .env("AWS_SHARED_CREDENTIALS_FILE", &creds)
            .env("AWS_CONFIG_FILE", &config)
            .env("AWS_REGION", "us-east-1")
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };

    // Source from global flags, destination profile (and its endpoint) per line.
    let (code, stdout, stderr) = s5rs(&[
        "--json",
        "--source-endpoint-url",
        &a.endpoint,
        "--source-profile",
        "src",
        "cp",
        "--destination-profile",
        "dst",
        "-p",
        "5",
        "-c",
        "2",
        "s3://src/*",
        "s3://dst/copied/",
    ]);
    assert_eq!((code, stderr.as_str()), (0, ""), "stdout: {stdout}");
    let records: Vec<s5rs::record::Record> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), objects.len());
    assert!(records.iter().all(|r| r.success && r.operation == "cp"));
    for (key, data, headers) in &objects {
        let dst_key = format!("copied/{key}");
        assert!(
            get(&rt, &cb, "dst", &dst_key) == *data,
            "{dst_key}: content differs"
        );
        let meta = rt
            .block_on(cb.head_object("dst", &dst_key, None, None))
            .unwrap();
        // Every content header, Content-Language (no flag sets it) included.
        assert_eq!(meta.content, headers.content, "{dst_key}");
        let want: Vec<(String, String)> = headers.metadata.clone();
        let got: Vec<(String, String)> = meta.metadata.clone().into_iter().collect();
        assert_eq!(got, want, "{dst_key}");
    }

    // Line flags for both sides, and mv: the source is deleted on server A.
    let (code, _, stderr) = s5rs(&[
        "mv",
        "--source-endpoint-url",
        &a.endpoint,
        "--source-profile",
        "src",
        "--destination-endpoint-url",
        &b.endpoint,
        "--destination-profile",
        "dst",
        "--metadata",
        "replaced=yes",
        "s3://src/small/file0.txt",
        "s3://dst/moved.txt",
    ]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert!(get(&rt, &cb, "dst", "moved.txt") == objects[0].1);
    let meta = rt
        .block_on(cb.head_object("dst", "moved.txt", None, None))
        .unwrap();
    assert_eq!(
        meta.metadata.get("replaced").map(String::as_str),
        Some("yes")
    );
    assert!(
        !meta.metadata.contains_key("origin"),
        "REPLACE drops the source's metadata"
    );
    assert!(
        rt.block_on(ca.head_object("src", "small/file0.txt", None, None))
            .is_err()
    );

    // Without the source's credentials the destination server can't be used as source.
    let (code, _, stderr) = s5rs(&[
        "cp",
        "--source-profile",
        "dst",
        "--source-endpoint-url",
        &a.endpoint,
        "s3://src/small/file1.txt",
        "s3://dst/x.txt",
    ]);
    assert_eq!(code, 1, "{stderr}");
}

fn elapsed(f: impl FnOnce()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

#[test]
fn rate_limit_objects() {
    let env = TestEnv::new();
    for i in 0..40 {
        env.write_file(&format!("many/f{i:02}.txt"), b"x");
    }
    let before = env.server.requests();
    let took = elapsed(|| {
        env.run(&[
            "--rate-limit-objects",
            "10",
            "cp",
            "many/*",
            "s3://bkt/many/",
        ])
        .ok();
    });
    let puts = env.server.requests() - before;
    assert_eq!(env.keys().len(), 40);
    assert!(puts >= 40);
    // 10 may start at once (the burst), the other 30 at 10 per second: ≥ 3 s.
    assert!(
        took >= Duration::from_millis(2500),
        "40 ops at 10/s took {took:?}"
    );
    assert!(took < Duration::from_secs(60), "stalled: {took:?}");
    let rate = 30.0 / took.as_secs_f64();
    assert!(rate <= 12.5, "observed {rate:.1} ops/s over the window");

    // Deletes count per key: 40 keys at 20/s, 20 at once (the burst) ≥ 1 s.
    let took = elapsed(|| {
        env.run(&["--rate-limit-objects", "20", "rm", "s3://bkt/many/*"])
            .ok();
    });
    assert!(env.keys().is_empty());
    assert!(
        took >= Duration::from_millis(900),
        "40 deletes at 20/s took {took:?}"
    );
}

#[test]
fn rate_limit_bandwidth_uploads_downloads_and_cat() {
    let env = TestEnv::new();
    let data = pattern(3 << 20, 7);
    env.write_file("big.bin", &data);
    // 3 MiB at 1 MiB/s with a 100 KiB burst: ≥ 2.9 s each way.
    let min = Duration::from_millis(2500);
    let took = elapsed(|| {
        env.run(&[
            "--rate-limit-bandwidth",
            "1MiB",
            "cp",
            "big.bin",
            "s3://bkt/big.bin",
        ])
        .ok();
    });
    assert!(took >= min, "upload took {took:?}");
    assert!(env.get("big.bin").unwrap() == data);
    let took = elapsed(|| {
        env.run(&[
            "--rate-limit-bandwidth",
            "1048576",
            "cp",
            "s3://bkt/big.bin",
            "down.bin",
        ])
        .ok();
    });
    assert!(took >= min, "download took {took:?}");
    assert!(env.read_file("down.bin").unwrap() == data);
    // cat with parallel ranged reads shares the same limit.
    let took = elapsed(|| {
        let out = env.run(&[
            "--rate-limit-bandwidth",
            "1MiB",
            "cat",
            "-p",
            "1",
            "-c",
            "3",
            "s3://bkt/big.bin",
        ]);
        out.ok();
        assert_eq!(out.stdout.len(), String::from_utf8_lossy(&data).len());
    });
    assert!(took >= min, "cat took {took:?}");
    assert!(took < Duration::from_secs(60), "stalled: {took:?}");
    // Without a limit the same download is not held back (sanity of the measurement).
    let took = elapsed(|| {
        env.run(&["cp", "s3://bkt/big.bin", "down2.bin"]).ok();
    });
    assert!(took < Duration::from_secs(20), "{took:?}");
}
