#!/usr/bin/env bash
# Rate mode against nginx on 127.0.0.1, two measurements in one run:
#  1. pacing cost (skipped when ROUNDS is 0): the closed loop (-c N) against a rate above what the machine reaches
#     (-q 10M -c N), alternating for several rounds; prints the median ratio of requests.
#  2. a stalled server: -q RATE for STALL+20 s with nginx stopped (SIGSTOP) from 10 s for
#     STALL s, the same run with a 5 s stall, and the same run unstalled; prints the peak RSS
#     of each. A stall fills the gate (-c: 1000 connections by default in rate mode), so the
#     stalled runs hold more connections than the unstalled one; what the backlog itself costs
#     is the difference between the long and the short stall.
#   usage: bench/rate.sh [SECONDS=5] [CONNECTIONS=50] [ROUNDS=3] [RATE=20k] [STALL=60]
# Installs nginx and GNU time from Debian's packages when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
conns=${2:-50}
rounds=${3:-3}
rate=${4:-20k}
stall=${5:-60}

. bench/nginx.sh
install_missing nginx=nginx-light /usr/bin/time=time

bench_extra_cleanup() { nginx_signal CONT 2>/dev/null || true; }
bench_start

# nginx_signal SIG: sends SIG to nginx's master and its worker (stopping the master alone
# leaves the worker answering).
nginx_signal() {
  pkill "-$1" -P "$nginx_pid"
  kill "-$1" "$nginx_pid"
}
requests() { python3 -c "import json; print(json.load(open('$1'))['requests']['total'])"; }

if [ "$rounds" -gt 0 ]; then
echo "== pacing cost: -c $conns closed loop vs -q 10M -c $conns, ${secs}s x $rounds rounds" >&2
: >"$work/pacing.tsv"
for r in $(seq "$rounds"); do
  "$sluice" "$url" -z "${secs}s" -c "$conns" --threads 1 --no-tui --output-format json -o "$work/c.json" 2>/dev/null
  "$sluice" "$url" -z "${secs}s" -c "$conns" -q 10M --threads 1 --no-tui --output-format json -o "$work/q.json" 2>/dev/null
  printf '%s\t%s\n' "$(requests "$work/c.json")" "$(requests "$work/q.json")" >>"$work/pacing.tsv"
  echo "round $r: $(tail -1 "$work/pacing.tsv")" >&2
done
python3 - "$work/pacing.tsv" "$secs" <<'PY'
import statistics, sys
rows = [tuple(map(int, l.split("\t"))) for l in open(sys.argv[1]) if l.strip()]
secs = float(sys.argv[2])
closed = statistics.median(c for c, _ in rows) / secs
paced = statistics.median(q for _, q in rows) / secs
ratio = statistics.median(q / c for c, q in rows)
print(f"closed loop  {closed:>9.0f} req/s")
print(f"rate 10M/s   {paced:>9.0f} req/s   ratio {ratio:.3f} (median of per-round ratios)")
PY
fi

run_for=$((stall + 20))
# stalled_run LABEL STALL_SECONDS
stalled_run() {
  /usr/bin/time -f '%M' -o "$work/rss" "$sluice" "$url" -q "$rate" -z "${run_for}s" --threads 1 \
    --no-tui --output-format json -o "$work/s.json" 2>/dev/null &
  local pid=$!
  if [ "$2" -gt 0 ]; then
    sleep 10
    nginx_signal STOP
    sleep "$2"
    nginx_signal CONT
  fi
  wait "$pid"
  python3 -c "
import json; s = json.load(open('$work/s.json'))
print(f\"{'$1':<10} peak RSS $(cat "$work/rss") KiB  requests {s['requests']['total']}  late {s['rate']['late_starts']}  aborted {s['requests']['aborted']}  p99 {(s['latency_ms'] or {}).get('p99')} ms\")"
}
echo "== -q $rate for ${run_for}s: nginx stopped for ${stall}s from 10s, then the same unstalled" >&2
stalled_run "stall ${stall}s" "$stall"
stalled_run "stall 5s" 5
stalled_run steady 0
