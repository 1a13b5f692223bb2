#!/usr/bin/env bash
# The main job end to end: builds s5rs, starts a real S3 server on 127.0.0.1
# (examples/s3_server.rs: s3s + s3s-fs, the same server the tests use), runs the demo
# batch testdata/demo.batch against it, checks that the restored tree equals the
# original byte for byte, and stops the server.
#
#   scripts/demo.sh            (release build)
#   S5RS_DEMO_PROFILE=dev scripts/demo.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
profile=${S5RS_DEMO_PROFILE:-release}
cd "$root"
echo "== building s5rs and the demo S3 server ($profile)"
cargo build --quiet --profile "$profile" --bin s5rs --example s3_server
dir=$([ "$profile" = dev ] && echo debug || echo "$profile")
target=${CARGO_TARGET_DIR:-$root/target}/$dir
s5rs=$target/s5rs

work=$(mktemp -d)
server_out=$work/server.txt
"$target/examples/s3_server" >"$server_out" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  grep -q '^secret_key=' "$server_out" 2>/dev/null && break
  sleep 0.1
done
endpoint=$(sed -n 's/^endpoint=//p' "$server_out")
export AWS_ACCESS_KEY_ID=$(sed -n 's/^access_key=//p' "$server_out")
export AWS_SECRET_ACCESS_KEY=$(sed -n 's/^secret_key=//p' "$server_out")
export AWS_REGION=us-east-1
echo "== S3 server on $endpoint"

cp -r "$root/testdata/demo" "$work/demo"
cd "$work"
echo "== s5rs --stat run testdata/demo.batch"
set +e
"$s5rs" --endpoint-url "$endpoint" --stat run "$root/testdata/demo.batch"
rc=$?
set -e
echo "== exit code: $rc"
echo "== checking restored/ against the original tree"
diff -r demo restored/site 2>/dev/null || diff -r demo restored
echo "== every byte restored; the demo passed"
exit $rc
