#!/usr/bin/env bash
# Runs the S3 backend test suite (tests/s3_backend.rs) and the sync no-op suite
# (tests/sync_noop.rs: second syncs copy nothing, in every direction) against moto
# and then rclone, each started on a free 127.0.0.1 port by scripts/s3-server.sh and
# stopped after. Cases a server cannot support print "SKIP <test>: <reason>".
#
#   scripts/test-external.sh [moto] [rclone]     (default: both)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
export S5RS_TEST_ACCESS_KEY=${S5RS_TEST_ACCESS_KEY:-AKIDS5RSTEST01}
export S5RS_TEST_SECRET_KEY=${S5RS_TEST_SECRET_KEY:-s5rs-test-secret-0001}
servers=("$@")
[ ${#servers[@]} -eq 0 ] && servers=(moto rclone)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

suites=(s3_backend sync_noop)
(cd "$root" && cargo test "${suites[@]/#/--test=}" --no-run --quiet)

status=0
for kind in "${servers[@]}"; do
  port=$(free_port)
  data=$(mktemp -d)
  log=$(mktemp)
  "$here/s3-server.sh" "$kind" "$port" "$data" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    if python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$port" 2>/dev/null; then break; fi
    if ! kill -0 "$pid" 2>/dev/null; then echo "$kind failed to start:"; cat "$log"; exit 1; fi
    sleep 0.2
  done
  for suite in "${suites[@]}"; do
    echo "=== $kind on 127.0.0.1:$port: tests/$suite.rs"
    out=$(mktemp)
    if (cd "$root" && S5RS_TEST_ENDPOINT="http://127.0.0.1:$port" S5RS_TEST_SERVER="$kind" \
          cargo test --quiet --test "$suite" -- --nocapture --test-threads 4) >"$out" 2>&1; then
      rc=0
    else
      rc=1; status=1
    fi
    grep -E '^(SKIP|test result|failures:|---- |thread .* panicked|  left|  right|assertion)' "$out" | sort -u || true
    [ $rc -ne 0 ] && echo "$kind $suite: FAILED (full log kept in $out)" || rm -f "$out"
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$data" "$log"
done
exit $status
