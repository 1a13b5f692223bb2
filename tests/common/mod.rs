//! A small harness for black-box tests of the built `s5rs` binary (after fd's
//! `tests/testenv`): [`TestEnv::new`] starts an in-process S3 server on 127.0.0.1
//! (`support::TestServer`), makes a temp working directory and a temp `HOME`, and
//! creates the bucket `bkt`; [`TestEnv::run`] runs the binary there with
//! `--endpoint-url` and credentials in the environment and returns an [`Outcome`].
//! Objects are put and read back through the library's own S3 client, so test set-up
//! and checks never depend on the command under test.

#![allow(dead_code)]

#[path = "../support/mod.rs"]
mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use s5rs::record::{BucketRecord, ObjectRecord, Record};
use s5rs::storage::s3::{PutBody, S3Client, S3Config};
use s5rs::storage::{ListRequest, ObjectHeaders, ObjectMeta};

#[allow(unused_imports)]
pub use support::{Faults, TestServer};

/// The bucket every [`TestEnv`] creates.
pub const BUCKET: &str = "bkt";

/// What one run of the binary produced.
#[derive(Debug)]
pub struct Outcome {
    /// Exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
}

impl Outcome {
    /// Stdout lines.
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    /// Stdout lines, sorted (operations finish in any order).
    pub fn sorted(&self) -> Vec<String> {
        let mut v: Vec<String> = self.stdout.lines().map(str::to_owned).collect();
        v.sort();
        v
    }

    /// Stderr lines, sorted.
    pub fn err_sorted(&self) -> Vec<String> {
        let mut v: Vec<String> = self.stderr.lines().map(str::to_owned).collect();
        v.sort();
        v
    }

    /// Panics unless the exit code is 0 and stderr is empty.
    #[track_caller]
    pub fn ok(&self) -> &Self {
        assert_eq!(
            (self.code, self.stderr.as_str()),
            (0, ""),
            "expected success; stdout:\n{}",
            self.stdout
        );
        self
    }

    /// Panics unless the exit code is `code`.
    #[track_caller]
    pub fn code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code; stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Every stdout line parsed strictly as a [`Record`].
    #[track_caller]
    pub fn records(&self) -> Vec<Record> {
        self.parse_lines()
    }

    /// Every stdout line parsed strictly as an `ls` object/directory line.
    #[track_caller]
    pub fn objects(&self) -> Vec<ObjectRecord> {
        self.parse_lines()
    }

    /// Every stdout line parsed strictly as an `ls` bucket line.
    #[track_caller]
    pub fn buckets(&self) -> Vec<BucketRecord> {
        self.parse_lines()
    }

    /// Every stdout line of a `--json` batch parsed strictly as a query command's
    /// record (`ls`, `du` …): `(operation, line, record)`, the two identity fields
    /// required and removed before the strict parse.
    #[track_caller]
    pub fn tagged<T: serde::de::DeserializeOwned>(&self) -> Vec<(String, u64, T)> {
        self.stdout
            .lines()
            .map(|l| {
                let mut v: serde_json::Value =
                    serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}"));
                let o = v.as_object_mut().expect("a JSON object");
                let op = o
                    .remove("operation")
                    .and_then(|v| v.as_str().map(String::from));
                let line = o.remove("line").and_then(|v| v.as_u64());
                let record =
                    serde_json::from_value(v).unwrap_or_else(|e| panic!("bad record {l:?}: {e}"));
                (op.expect("operation"), line.expect("line"), record)
            })
            .collect()
    }

    #[track_caller]
    fn parse_lines<T: serde::de::DeserializeOwned>(&self) -> Vec<T> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
            .collect()
    }
}

/// One test's world: a server, a bucket, a working directory, a client.
pub struct TestEnv {
    /// The in-process S3 server.
    pub server: TestServer,
    /// The working directory the binary runs in.
    pub dir: tempfile::TempDir,
    home: tempfile::TempDir,
    rt: tokio::runtime::Runtime,
    client: S3Client,
}

impl TestEnv {
    /// A server with bucket [`BUCKET`] and an empty working directory.
    pub fn new() -> TestEnv {
        let env = TestEnv::empty();
        env.make_bucket(BUCKET);
        env
    }

    /// A server without buckets.
    pub fn empty() -> TestEnv {
        let server = TestServer::start();
        let home = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let creds = support::write_credentials(home.path(), &server.access_key, &server.secret_key);
        let client = rt
            .block_on(S3Client::new(S3Config {
                endpoint_url: Some(server.endpoint.clone()),
                region: Some("us-east-1".into()),
                profile: Some("s5rs-test".into()),
                credentials_file: Some(creds),
                retry_count: 2,
                max_connections: 4,
                ..S3Config::default()
            }))
            .expect("client");
        TestEnv {
            server,
            dir,
            home,
            rt,
            client,
        }
    }

    /// The working directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `path()/rel`.
    pub fn local(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Creates a bucket.
    pub fn make_bucket(&self, name: &str) {
        self.rt
            .block_on(self.client.create_bucket(name))
            .unwrap_or_else(|e| panic!("create bucket {name}: {e}"));
    }

    /// The binary with endpoint, credentials and a clean environment.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = self.bare_command();
        cmd.arg("--endpoint-url")
            .arg(&self.server.endpoint)
            .args(args);
        cmd
    }

    /// The binary with credentials and a clean environment, without `--endpoint-url`.
    pub fn bare_command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_s5rs"));
        cmd.current_dir(self.dir.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("AWS_ACCESS_KEY_ID", &self.server.access_key)
            .env("AWS_SECRET_ACCESS_KEY", &self.server.secret_key)
            .env("AWS_REGION", "us-east-1")
            .env("TZ", "UTC");
        cmd
    }

    /// Runs `s5rs --endpoint-url … <args>` with stdin closed.
    pub fn run(&self, args: &[&str]) -> Outcome {
        self.run_stdin(args, "")
    }

    /// Runs with `input` on stdin.
    pub fn run_stdin(&self, args: &[&str], input: &str) -> Outcome {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn s5rs");
        let mut stdin = child.stdin.take().unwrap();
        let input = input.as_bytes().to_vec();
        let feeder = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let out = child.wait_with_output().expect("wait s5rs");
        feeder.join().unwrap();
        Outcome {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Puts `bytes` at `key` of [`BUCKET`].
    pub fn put(&self, key: &str, bytes: &[u8]) {
        self.put_in(BUCKET, key, bytes, &ObjectHeaders::default());
    }

    /// Puts an object with headers into any bucket.
    pub fn put_in(&self, bucket: &str, key: &str, bytes: &[u8], headers: &ObjectHeaders) {
        self.rt
            .block_on(self.client.put_object(
                bucket,
                key,
                PutBody::Bytes(Bytes::copy_from_slice(bytes)),
                headers,
            ))
            .unwrap_or_else(|e| panic!("put {key:?}: {e}"));
    }

    /// The content of `key` in [`BUCKET`], `None` when missing.
    pub fn get(&self, key: &str) -> Option<Vec<u8>> {
        self.get_in(BUCKET, key)
    }

    /// The content of `bucket/key`, `None` when missing.
    pub fn get_in(&self, bucket: &str, key: &str) -> Option<Vec<u8>> {
        self.rt.block_on(async {
            let mut out = self.client.get_object(bucket, key, None, None).await.ok()?;
            let mut data = Vec::new();
            while let Some(chunk) = out.body.next_chunk().await {
                data.extend_from_slice(&chunk.expect("body chunk"));
            }
            Some(data)
        })
    }

    /// HEAD of `bucket/key`.
    pub fn head_in(&self, bucket: &str, key: &str) -> ObjectMeta {
        self.rt
            .block_on(self.client.head_object(bucket, key, None, None))
            .unwrap_or_else(|e| panic!("head {bucket}/{key}: {e}"))
    }

    /// Every key of [`BUCKET`], sorted.
    pub fn keys(&self) -> Vec<String> {
        self.keys_in(BUCKET)
    }

    /// Every key of `bucket`, sorted.
    pub fn keys_in(&self, bucket: &str) -> Vec<String> {
        self.rt.block_on(async {
            let mut rx = self.client.list(
                bucket,
                ListRequest {
                    prefix: String::new(),
                    recursive: true,
                    all_versions: false,
                },
            );
            let mut keys = Vec::new();
            while let Some(e) = rx.recv().await {
                keys.push(e.expect("listing").key);
            }
            keys.sort();
            keys
        })
    }

    /// Writes a file under the working directory (parents created).
    pub fn write_file(&self, rel: &str, bytes: &[u8]) -> PathBuf {
        let p = self.local(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// Reads a file under the working directory, `None` when missing.
    pub fn read_file(&self, rel: &str) -> Option<Vec<u8>> {
        std::fs::read(self.local(rel)).ok()
    }

    /// Sets a file's modification time to now + `offset_secs` (negative: the past).
    pub fn set_mtime(&self, rel: &str, offset_secs: i64) {
        let now = SystemTime::now();
        let t = if offset_secs >= 0 {
            now + Duration::from_secs(offset_secs as u64)
        } else {
            now - Duration::from_secs(offset_secs.unsigned_abs())
        };
        filetime::set_file_mtime(self.local(rel), filetime::FileTime::from_system_time(t)).unwrap();
    }

    /// Every regular file below the working directory (relative, `/`-separated, sorted).
    pub fn files(&self) -> Vec<String> {
        fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let e = e.unwrap();
                let p = e.path();
                if e.file_type().unwrap().is_dir() {
                    walk(base, &p, out);
                } else {
                    out.push(p.strip_prefix(base).unwrap().to_string_lossy().into_owned());
                }
            }
        }
        let mut out = Vec::new();
        walk(self.path(), self.path(), &mut out);
        out.sort();
        out
    }
}

/// The permission bits of a file.
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Sorted owned strings from a list of literals.
pub fn sorted(items: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = items.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}
