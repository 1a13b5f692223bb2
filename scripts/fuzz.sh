#!/usr/bin/env bash
# Runs the cargo-fuzz targets in fuzz/ for SECONDS each (default 60; CI uses a
# short bounded run, e.g. `scripts/fuzz.sh 20`). cargo-fuzz needs nightly features;
# on a stable toolchain RUSTC_BOOTSTRAP=1 enables them. Without cargo-fuzz, falls
# back to the deterministic stable fuzz-style test (tests/security.rs).
set -euo pipefail
SECONDS_PER_TARGET="${1:-60}"
cd "$(dirname "$0")/.."
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz not installed (cargo install cargo-fuzz); running the stable fuzz-style test" >&2
    exec cargo test --test security fuzz_style_parsers_never_panic -- --nocapture
fi
export RUSTC_BOOTSTRAP=1
for target in parse_line s3_responses; do
    echo "== fuzz $target for ${SECONDS_PER_TARGET}s"
    mkdir -p "fuzz/corpus/$target"
    cargo fuzz run "$target" "fuzz/corpus/$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" -max_len=4096 -print_final_stats=1
done
