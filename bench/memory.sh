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
. bench/demo-target.sh
start_fast_demo "$bin" "$log"
trap 'kill $demo_pid 2>/dev/null; rm -f "$log"' EXIT

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
