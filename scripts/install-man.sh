#!/usr/bin/env bash
# Installs the s5rs man pages (s5rs.1 and one page per command, generated from the
# same definitions as --help) and checks that `man` renders them.
#
#   scripts/install-man.sh [DIR]   default DIR: /usr/local/share/man/man1
#
# Uses `s5rs` from PATH, else target/release or target/debug. Installs man-db with
# apt-get when `man` is missing.
set -euo pipefail

dir=${1:-/usr/local/share/man/man1}
s5rs=$(command -v s5rs || ls target/release/s5rs target/debug/s5rs 2>/dev/null | head -1)
: "${s5rs:?build s5rs first (cargo build --release)}"
"$s5rs" man "$dir"
command -v man >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq man-db; }
man -l "$dir/s5rs.1" -P cat >/dev/null
echo "installed: $dir/s5rs.1 and s5rs-*.1 (try: man s5rs-cp)"
