#!/usr/bin/env bash
# What reading the control API costs a run, two ways, with one Python scraper per path on a
# kept-alive connection (bench/scrape_client.py: no process forked per scrape):
#  1. CPU per scrape: a light run (-q 200 against a demo target answering in 0-100 ms, so the
#     histograms span a real range) is read back to back for SECONDS, /metrics then /status;
#     the sluice process's CPU time over that window, less an unread window's, divided by the
#     scrapes; and what that is as a share of one core at 1 scrape / 15 s, / 1 s and / 0.1 s.
#  2. Throughput: the same full-speed run (-c CONCURRENCY against a fast demo target),
#     alternately unread, scraped like Prometheus (/metrics every second), and read hard
#     (/metrics and /status ten times a second each), ROUNDS times each; each run's req/s and
#     the means.
#   bench/scrape_cost.sh [ROUNDS=3] [SECONDS=10] [CONCURRENCY=50]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3} secs=${2:-10} conc=${3:-50}
cargo build --release -q
bin=target/release/sluice
scraper=bench/scrape_client.py
. bench/demo-target.sh
port=19877
log=$(mktemp) out=$(mktemp)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; rm -f "$log" "$out"' EXIT
hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
api_up() { # waits until the control API on $port answers
  for _ in $(seq 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/metrics" && return 0
    sleep 0.05
  done
  echo "the control API did not come up" >&2
  exit 1
}

per_scrape() {
  start_fast_demo "$bin" "$log" 100ms
  pids+=("$demo_pid")
  "$bin" "$url" --no-tui -z "$((3 * secs + 5))s" -q 200 -c 100 --control "$port" \
    --control-token bench --output-format json >/dev/null 2>&1 &
  local run=$! idle
  pids+=("$run")
  api_up
  sleep 2
  local a b
  a=$(cpu_ticks $run); sleep "$secs"; b=$(cpu_ticks $run); idle=$((b - a))
  echo "CPU per scrape (sluice, -q 200, histograms of 0-100 ms, ${secs}s windows; unread: $idle ticks):"
  for path in /metrics /status; do
    a=$(cpu_ticks $run)
    read -r n size < <(python3 "$scraper" "$port" "$path" 0 "$secs")
    b=$(cpu_ticks $run)
    python3 - "$path" "$n" "$size" "$((b - a - idle))" "$hz" <<'EOF'
import sys
path, n, size, ticks, hz = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
us = max(ticks, 0) / hz * 1e6 / n
share = lambda every_s: f"{us / every_s / 1e6 * 100:.5f}%"
print(f"  {path:9} {n} scrapes of {size} B: {us:.0f} us CPU each;"
      f" of one core: {share(15)} at 1/15s, {share(1)} at 1/s, {share(0.1)} at 10/s")
EOF
  done
  kill -INT $run; wait $run || true
  kill "$demo_pid"; wait "$demo_pid" 2>/dev/null || true
}

throughput_run() { # $1: quiet, prometheus or hard; prints the run's req/s
  "$bin" "$url" --no-tui -z "${secs}s" -c "$conc" --control "$port" --control-token bench \
    --output-format json 2>/dev/null >"$out" &
  local run=$!
  case $1 in
    prometheus) python3 "$scraper" "$port" /metrics 1 "$((secs + 5))" >/dev/null ;;
    hard)
      python3 "$scraper" "$port" /metrics 0.1 "$((secs + 5))" >/dev/null &
      local metrics=$!
      python3 "$scraper" "$port" /status 0.1 "$((secs + 5))" >/dev/null
      wait $metrics ;;
  esac
  wait $run
  python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["throughput_rps"]))' "$out"
}

throughput() {
  start_fast_demo "$bin" "$log"
  pids+=("$demo_pid")
  local quiet=() prometheus=() hard=()
  for _ in $(seq "$rounds"); do
    quiet+=("$(throughput_run quiet)")
    prometheus+=("$(throughput_run prometheus)")
    hard+=("$(throughput_run hard)")
  done
  mean() { python3 -c 'import sys, statistics as st; v=[float(x) for x in sys.argv[1:]]
print(f"mean {st.mean(v):.0f}" + (f", sd {st.stdev(v):.0f}" if len(v) > 1 else ""))' "$@"; }
  echo "throughput (-c $conc, ${secs}s runs, alternated):"
  echo "  unread:                          ${quiet[*]} req/s ($(mean "${quiet[@]}"))"
  echo "  /metrics every 1 s:              ${prometheus[*]} req/s ($(mean "${prometheus[@]}"))"
  echo "  /metrics and /status 10/s each:  ${hard[*]} req/s ($(mean "${hard[@]}"))"
}

per_scrape
throughput
