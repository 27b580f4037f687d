#!/usr/bin/env bash
# What scraping /metrics (and polling /status) costs a run: the same run against a fast local
# demo target, alternately without and with a client hitting the control API ten times a
# second, ROUNDS times each; prints each run's req/s and the two means.
#   bench/scrape_cost.sh [ROUNDS=3] [SECONDS=10] [CONCURRENCY=50]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3} secs=${2:-10} conc=${3:-50}
cargo build --release -q
bin=target/release/sluice
. bench/demo-target.sh
log=$(mktemp)
start_fast_demo "$bin" "$log"
trap 'kill $demo_pid 2>/dev/null; rm -f "$log"' EXIT
port=19877
run() { # $1: scrape or quiet
  "$bin" "$url" --no-tui -z "${secs}s" -c "$conc" --control "$port" --control-token bench \
    --output-format json 2>/dev/null > /tmp/scrape-run.json &
  local pid=$!
  if [ "$1" = scrape ]; then
    while kill -0 $pid 2>/dev/null; do
      curl -s -o /dev/null "http://127.0.0.1:$port/metrics" || true
      curl -s -o /dev/null "http://127.0.0.1:$port/status" || true
      sleep 0.1
    done
  fi
  wait $pid
  python3 -c 'import json; print(round(json.load(open("/tmp/scrape-run.json"))["throughput_rps"]))'
}
quiet=() scraped=()
for _ in $(seq "$rounds"); do
  quiet+=("$(run quiet)"); scraped+=("$(run scrape)")
done
mean() { python3 -c 'import sys; v=[float(x) for x in sys.argv[1:]]; print(round(sum(v)/len(v)))' "$@"; }
echo "without scraping: ${quiet[*]} req/s (mean $(mean "${quiet[@]}"))"
echo "scraped 10/s:     ${scraped[*]} req/s (mean $(mean "${scraped[@]}"))"
