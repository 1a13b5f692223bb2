#!/usr/bin/env bash
# Listing at scale: one wildcard over KEYS objects under PREFIXES first-level
# prefixes, against the in-process test server with DELAY_MS added to every GET
# (examples/listing_bench.rs). Prints the time of one sequential ListObjectsV2 stream
# (`--list-concurrency 1`), of the split listing (the default) and their ratio.
# Target (issue 16): 200,000 keys, 256 prefixes, 20 ms → ratio ≥ 8.
#
#   scripts/bench-listing.sh [KEYS] [PREFIXES] [DELAY_MS]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
(cd "$root" && cargo build --quiet --release --bin s5rs --example listing_bench)
bin="${CARGO_TARGET_DIR:-$root/target}/release"
"$bin/examples/listing_bench" "$bin/s5rs" "${1:-200000}" "${2:-256}" "${3:-20}"
