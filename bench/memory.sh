#!/usr/bin/env bash
# Peak RSS against the request count: sluice runs 100k and then 1M requests (or the counts
# given) against the demo target with no delay, on 127.0.0.1, and prints peak RSS per run and
# the ratio. Flat memory means the ratio stays near 1.0.
#   usage: bench/memory.sh [SMALL_COUNT] [LARGE_COUNT] [CONCURRENCY]
set -euo pipefail
cd "$(dirname "$0")/.."
small=${1:-100k}
large=${2:-1m}
conc=${3:-50}

cargo build --release --quiet
bin=target/release/sluice
log=$(mktemp)
"$bin" demo --listen 127.0.0.1:0 --max-delay 0s 2>"$log" &
demo_pid=$!
trap 'kill $demo_pid 2>/dev/null; rm -f "$log"' EXIT
url=""
for _ in $(seq 100); do
  url=$(grep -o 'http://127.0.0.1:[0-9]*/' "$log" || true)
  [ -n "$url" ] && break
  sleep 0.05
done
[ -n "$url" ] || { echo "demo target did not start" >&2; exit 1; }

run() {
  "$bin" "$url" -n "$1" -c "$conc" --no-tui --output-format json 2>/dev/null |
    python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["memory"]["peak_rss_kib"], s["requests"]["ok"], round(s["throughput_rps"]))'
}
read -r small_kib small_ok small_rps < <(run "$small")
read -r large_kib large_ok large_rps < <(run "$large")
echo "requests  ok        req/s   peak_rss_kib"
printf '%-9s %-9s %-7s %s\n' "$small" "$small_ok" "$small_rps" "$small_kib"
printf '%-9s %-9s %-7s %s\n' "$large" "$large_ok" "$large_rps" "$large_kib"
python3 -c "print(f'peak RSS ratio {\"$large\"}/{\"$small\"}: {$large_kib/$small_kib:.3f}')"
