#!/usr/bin/env bash
# Peak RSS with a large request body: a body is held once, however many connections send it.
# Makes a body of MB megabytes, starts the demo target (no delay; it reads and drops bodies) on
# 127.0.0.1, and POSTs it REQUESTS times at CONCURRENCY; prints peak RSS. BASELINE=path runs
# another build the same way, for before/after.
#   usage: bench/big-body.sh [MB] [CONCURRENCY] [REQUESTS]
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-200}
conc=${2:-8}
requests=${3:-16}

cargo build --release --quiet
bin=target/release/sluice
tmp=$(mktemp -d)
. bench/demo-target.sh
start_fast_demo "$bin" "$tmp/demo.log"
trap 'kill $demo_pid 2>/dev/null; rm -rf "$tmp"' EXIT
head -c "$((mb * 1024 * 1024))" /dev/zero >"$tmp/body.bin"

run() {
  "$1" "$url" -m POST -D "$tmp/body.bin" -n "$requests" -c "$conc" --no-tui --output-format json 2>/dev/null |
    python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["requests"]["ok"], s["memory"]["peak_rss_kib"] // 1024)'
}
echo "build      body_MB  -c  ok   peak_RSS_MB"
read -r ok rss < <(run "$bin")
printf '%-10s %-8s %-3s %-4s %s\n' current "$mb" "$conc" "$ok" "$rss"
if [ -n "${BASELINE:-}" ]; then
  read -r ok rss < <(run "$BASELINE")
  printf '%-10s %-8s %-3s %-4s %s\n' baseline "$mb" "$conc" "$ok" "$rss"
fi
