#!/usr/bin/env bash
# Side-by-side throughput against nginx on 127.0.0.1: wrk -t1, oha (if installed), sluice
# headless and sluice with its dashboard (in tmux), in turn, for several rounds. Prints per
# tool the median req/s, client CPU per request (user and system, from /usr/bin/time), peak
# RSS, and the median of the per-round ratios to wrk (each ratio from the same round).
#   usage: bench/compare.sh [SECONDS=8] [CONNECTIONS=50] [ROUNDS=3]
# THREADS=N runs sluice with --threads N (default 1, like wrk -t1).
# BASELINE=path/to/another/sluice adds that build, headless, to every round ("baseline"), so
# a change can be measured against the build before it in the same run.
# Installs nginx, wrk, tmux and GNU time from Debian's packages when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-8}
conns=${2:-50}
rounds=${3:-3}
# sluice's generator threads (THREADS=1 by default: the comparison is with wrk -t1). A
# baseline build takes the same --threads unless BASELINE_THREADS= (empty: its own default,
# for builds from before --threads).
threads=${THREADS:-1}
baseline_threads=${BASELINE_THREADS-$threads}

. bench/nginx.sh
install_missing nginx=nginx-light wrk=wrk tmux=tmux /usr/bin/time=time

bench_extra_cleanup() { tmux kill-session -t sluice-bench 2>/dev/null || true; }
bench_start

timed() { /usr/bin/time -f '%e %U %S %M' -o "$1" "${@:2}"; }

# Each runner prints: requests user_s sys_s peak_rss_kib
run_wrk() {
  timed "$work/t" wrk -t1 -c"$conns" -d"${secs}s" "$url" >"$work/wrk.out"
  local n
  n=$(awk '/requests in/ {print $1}' "$work/wrk.out")
  read -r _ u s m <"$work/t"
  echo "$n $u $s $m"
}
run_oha() {
  timed "$work/t" oha -z "${secs}s" -c "$conns" --no-tui --output-format json "$url" >"$work/oha.json"
  local n
  n=$(python3 -c "import json; s=json.load(open('$work/oha.json')); print(sum(s['statusCodeDistribution'].values()))")
  read -r _ u s m <"$work/t"
  echo "$n $u $s $m"
}
sluice_requests() {
  python3 -c "import json; print(json.load(open('$1'))['requests']['total'])"
}
headless_of() {
  timed "$work/t" "$1" "$url" -z "${secs}s" -c "$conns" --no-tui --output-format json -o "$work/h.json" "${@:2}" 2>/dev/null
  read -r _ u s m <"$work/t"
  echo "$(sluice_requests "$work/h.json") $u $s $m"
}
run_headless() { headless_of "$sluice" --threads "$threads"; }
run_baseline() { headless_of "$BASELINE" ${baseline_threads:+--threads "$baseline_threads"}; }
run_dashboard() {
  rm -f "$work/d.json" "$work/t"
  tmux new-session -d -s sluice-bench -x 110 -y 32 \
    "/usr/bin/time -f '%e %U %S %M' -o $work/t $sluice $url -z ${secs}s -c $conns --threads $threads --exit-on-done --output-format json -o $work/d.json"
  while tmux has-session -t sluice-bench 2>/dev/null; do sleep 0.2; done
  read -r _ u s m <"$work/t"
  echo "$(sluice_requests "$work/d.json") $u $s $m"
}

tools=(wrk)
command -v oha >/dev/null && tools+=(oha)
[ -n "${BASELINE:-}" ] && tools+=(baseline)
tools+=(headless dashboard)
wrk -t1 -c"$conns" -d2s "$url" >/dev/null # warm-up, not counted

results=$work/results.tsv
# Each round starts one tool later than the last, so no tool always runs right after the same
# other one (the machine's speed drifts within a round).
for r in $(seq "$rounds"); do
  for i in "${!tools[@]}"; do
    tool=${tools[$(((i + r - 1) % ${#tools[@]}))]}
    read -r n u s m < <("run_$tool")
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$tool" "$n" "$u" "$s" "$m" >>"$results"
    echo "round $r: $tool $n requests" >&2
  done
done

python3 - "$results" "$secs" <<'PY'
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().split("\n") if l]
secs = float(sys.argv[2])
by = {}
for r, tool, n, u, s, m in rows:
    by.setdefault(tool, {})[int(r)] = (int(n), float(u), float(s), int(m))
wrk = by["wrk"]
print(f"{'tool':<10} {'req/s':>9} {'x wrk':>6} {'µs CPU/req':>11} {'(user':>7} {'sys)':>6} {'peak RSS':>9}")
for tool, runs in by.items():
    rps = statistics.median(n / secs for n, *_ in runs.values())
    ratio = statistics.median(runs[r][0] / wrk[r][0] for r in runs)
    user = statistics.median(u / n * 1e6 for n, u, s, m in runs.values())
    sys_ = statistics.median(s / n * 1e6 for n, u, s, m in runs.values())
    rss = statistics.median(m for *_, m in runs.values()) / 1024
    print(f"{tool:<10} {rps:>9.0f} {ratio:>6.2f} {user + sys_:>11.2f} {user:>7.2f} {sys_:>6.2f} {rss:>7.1f}MB")
PY
