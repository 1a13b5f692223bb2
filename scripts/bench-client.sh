#!/usr/bin/env bash
# Client CPU per S3 request: builds the benchmark with --release, starts the
# canned-response server (examples/canned_s3.rs) on 127.0.0.1 as its own process,
# runs examples/client_bench.rs 5 times (20,000 requests of 1 KiB per kind, 256 in
# flight) and prints the median CPU µs per PUT, GET and HEAD of the client process.
#
#   scripts/bench-client.sh [RUNS] [REQUESTS] [IN_FLIGHT]
set -euo pipefail

runs=${1:-5}
requests=${2:-20000}
in_flight=${3:-256}
root=$(cd "$(dirname "$0")/.." && pwd)

(cd "$root" && cargo build --quiet --release --example canned_s3 --example client_bench)
bin="${CARGO_TARGET_DIR:-$root/target}/release/examples"

log=$(mktemp)
"$bin/canned_s3" 0 >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$log" "${results:-}"' EXIT
for _ in $(seq 1 50); do
  grep -q "listening on" "$log" && break
  sleep 0.1
done
addr=$(sed -n 's/^listening on //p' "$log")
[ -n "$addr" ] || { echo "canned server did not start"; cat "$log"; exit 1; }

results=$(mktemp)
for i in $(seq 1 "$runs"); do
  "$bin/client_bench" "http://$addr" "$requests" "$in_flight" | tee -a "$results" | sed "s/^/run $i: /"
done

echo "median of $runs runs ($requests requests of 1 KiB per kind, $in_flight in flight, client CPU from getrusage):"
for kind in Put Get Head; do
  median=$(awk -v k="$kind" '$1 == k { print $2 }' "$results" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  echo "  $kind: $median us/request"
done
