#!/usr/bin/env bash
# The concurrency matrix: wrk -t1, oha (if installed), "hyper" (examples/hyper_floor.rs: bare
# hyper connections on one thread and nothing else, the floor under sluice's engine) and sluice
# headless (--threads 1, and "sluice_all" with its default, one thread per core) against nginx on
# 127.0.0.1 at 50, 1,000 and 10,000 connections, SECONDS each, in turn. Prints per cell the
# req/s, the ratio to wrk in the same cell, the client's CPU per request and its peak RSS
# (total, and per connection above the 50-connection run's).
#   usage: [BASELINE=path/to/older/sluice] [ROUNDS=1] bench/matrix.sh [SECONDS=8] [CONNECTION COUNTS="50 1000 10000"]
# ROUNDS runs every tool that many times per connection count, the tools alternating, and
# prints each cell's median (req/s, CPU, RSS) and its req/s range: on a shared machine one
# round's ratios move by 20%.
# BASELINE adds a row for another sluice build (--threads 1), measured in the same run.
# Installs nginx, wrk and GNU time from Debian's packages when they are missing; raises the
# open-files limit to what 10,000 connections need (both ends run here).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-8}
counts=${2:-"50 1000 10000"}

. bench/nginx.sh
install_missing nginx=nginx-light wrk=wrk /usr/bin/time=time
ulimit -n "$(ulimit -Hn)"
export NGINX_CONNECTIONS=20000

bench_start
cargo build --release --quiet --example hyper_floor

timed() { /usr/bin/time -f '%e %U %S %M' -o "$work/t" "$@"; }
# Each runner prints: requests user_s sys_s peak_rss_kib
run_wrk() {
  timed wrk -t1 -c"$1" -d"${secs}s" "$url" >"$work/wrk.out"
  read -r _ u s m <"$work/t"
  echo "$(awk '/requests in/ {print $1}' "$work/wrk.out") $u $s $m"
}
run_oha() {
  timed oha -z "${secs}s" -c "$1" --no-tui --output-format json "$url" >"$work/oha.json"
  read -r _ u s m <"$work/t"
  echo "$(python3 -c "import json; print(sum(json.load(open('$work/oha.json'))['statusCodeDistribution'].values()))") $u $s $m"
}
run_hyper() {
  timed target/release/examples/hyper_floor "$url" "$1" "$secs" >"$work/hyper.out"
  read -r _ u s m <"$work/t"
  echo "$(cat "$work/hyper.out") $u $s $m"
}
run_sluice() { sluice_with "$1" --threads 1; }
run_baseline() { sluice="$BASELINE" sluice_with "$1" --threads 1; }
# sluice with its default --threads (the cores available).
run_sluice_all() { sluice_with "$1"; }
sluice_with() {
  timed "$sluice" "$url" -z "${secs}s" -c "$1" "${@:2}" --no-tui --output-format json -o "$work/s.json" 2>/dev/null
  read -r _ u s m <"$work/t"
  echo "$(python3 -c "import json; print(json.load(open('$work/s.json'))['requests']['total'])") $u $s $m"
}

tools=(wrk)
command -v oha >/dev/null && tools+=(oha)
tools+=(hyper)
[ -n "${BASELINE:-}" ] && tools+=(baseline)
tools+=(sluice sluice_all)
results=$work/results.tsv
for c in $counts; do
  for round in $(seq "${ROUNDS:-1}"); do
    for tool in "${tools[@]}"; do
      read -r n u s m < <("run_$tool" "$c")
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "$tool" "$n" "$u" "$s" "$m" >>"$results"
      echo "c=$c round $round $tool: $n requests" >&2
    done
  done
done

python3 - "$results" "$secs" <<'PY'
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().split("\n") if l]
secs = float(sys.argv[2])
runs = {}
for c, t, n, u, s, m in rows:
    runs.setdefault((int(c), t), []).append((int(n), float(u) + float(s), int(m)))
# A cell: the median of its rounds' requests, CPU seconds and peak RSS, and the req/s range.
cells = {k: tuple(statistics.median(r[i] for r in v) for i in range(3)) + ((min(r[0] for r in v), max(r[0] for r in v)),)
         for k, v in runs.items()}
counts = sorted({c for c, _ in cells})
print(f"{'conns':>6} {'tool':<10} {'req/s':>9} {'x wrk':>6} {'x hyper':>7} {'µs CPU/req':>11} {'peak RSS':>9} {'KB/conn':>8}  req/s range")
for c in counts:
    wrk = cells[(c, "wrk")][0]
    hyper = cells.get((c, "hyper"), (float("nan"),))[0]
    for (cc, tool), (n, cpu_s, m, (lo, hi)) in cells.items():
        if cc != c:
            continue
        base = cells.get((counts[0], tool), (0, 0, m))[2]
        per_conn = (m - base) / (c - counts[0]) if c > counts[0] else float("nan")
        cpu = cpu_s / max(n, 1) * 1e6
        print(f"{c:>6} {tool:<10} {n / secs:>9.0f} {n / wrk:>6.2f} {n / hyper:>7.2f} {cpu:>11.2f} {m / 1024:>7.1f}MB {per_conn:>8.1f}  {lo / secs:.0f}-{hi / secs:.0f}")
PY
