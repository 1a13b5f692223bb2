#!/usr/bin/env bash
# Peak memory of a sync over 1,000,000 objects on each side (issue: sync with bounded
# memory). A canned-listing S3 server (examples/canned_listing.rs) serves both
# listings; s5rs syncs s3://bkt/src/* to s3://bkt/dst/ (everything up to date, so the
# run is pure listing + merge-join), then the same with --delete --dry-run against
# EXTRA destination-only keys (deletion candidates spilled to disk). Prints peak RSS.
#
#   scripts/sync-memory.sh [N=1000000] [EXTRA=200000]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-1000000}
extra=${2:-200000}
cd "$root"
cargo build --quiet --release --bin s5rs --example canned_listing
target=${CARGO_TARGET_DIR:-$root/target}/release
out=$(mktemp)
"$target/examples/canned_listing" "$n" "$extra" >"$out" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 1 100); do grep -q endpoint= "$out" && break; sleep 0.1; done
endpoint=$(sed -n 's/^endpoint=//p' "$out")
export AWS_ACCESS_KEY_ID=AKIDCANNED0001 AWS_SECRET_ACCESS_KEY=canned-secret AWS_REGION=us-east-1

measure() { # label, args… : runs s5rs, prints wall time, peak RSS, output lines
  local label=$1; shift
  python3 - "$target/s5rs" "$@" <<'PY' | sed "s/^/$label: /"
import resource, subprocess, sys, time
t = time.time()
p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
wall = time.time() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
lines = p.stdout.count(b"\n")
print(f"exit {p.returncode}, {wall:.1f} s, peak RSS {rss:.1f} MB, {lines} stdout lines")
if p.stderr:
    print("stderr:", p.stderr.decode()[:500])
PY
}
echo "sync over $n objects per side (+$extra destination-only) via $endpoint"
measure "up-to-date sync" --endpoint-url "$endpoint" sync 's3://bkt/src/*' s3://bkt/dst/
measure "--delete --dry-run" --endpoint-url "$endpoint" --dry-run sync --delete 's3://bkt/src/*' s3://bkt/dst/
