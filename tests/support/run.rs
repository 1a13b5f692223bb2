//! Running the built `s5rs` binary against a [`super::TestServer`]: credentials in
//! the environment, `--endpoint-url` set, output captured and JSON records parsed.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Stdio};

use super::TestServer;

/// A finished run.
pub struct Ran {
    /// Exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Ran {
    /// Every stdout line that parses as a JSON object.
    pub fn records(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|v| v.is_object())
            .collect()
    }
}

/// A command for the binary, talking to `server`, run in `cwd`.
pub fn s5rs(server: &TestServer, cwd: &Path) -> Command {
    let mut c = Command::new(option_env!("CARGO_BIN_EXE_s5rs").unwrap_or("s5rs"));
    c.current_dir(cwd)
        .env("AWS_ACCESS_KEY_ID", &server.access_key)
        .env("AWS_SECRET_ACCESS_KEY", &server.secret_key)
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args(["--endpoint-url", &server.endpoint])
        .stdin(Stdio::null());
    c
}

/// Runs a command to completion.
pub fn run(mut c: Command) -> Ran {
    let out = c.output().expect("run s5rs");
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs a batch (written to `cwd/batch.txt`) with `--json` and the extra global flags.
pub fn run_batch(server: &TestServer, cwd: &Path, flags: &[&str], batch: &str) -> Ran {
    let path = cwd.join("batch.txt");
    std::fs::write(&path, batch).unwrap();
    let mut c = s5rs(server, cwd);
    c.arg("--json").args(flags).arg("run").arg(&path);
    run(c)
}

/// Creates a bucket directly in the server's storage.
pub fn make_bucket(server: &TestServer, bucket: &str) {
    std::fs::create_dir_all(server.root().join(bucket)).unwrap();
}
