#!/usr/bin/env bash
# Runs the moto-backed tests (tests/cli_moto.rs: versioning, tagging, storage
# classes, S3 Select) against a moto server started here on 127.0.0.1, then stops it.
#
#   scripts/test-moto.sh [PORT]        (default port 5055; extra cargo args via CARGO_ARGS)
#
# moto is installed with pip by scripts/s3-server.sh when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${1:-5055}
log=$(mktemp)
scripts/s3-server.sh moto "$port" >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -f "$log"' EXIT

for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    break
  fi
  if ! kill -0 "$server" 2>/dev/null; then
    echo "moto did not start:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.2
done

export S5RS_TEST_MOTO_ENDPOINT="http://127.0.0.1:$port"
# shellcheck disable=SC2086
cargo test ${CARGO_ARGS:-} --test cli_moto -- --test-threads=2
