#!/usr/bin/env bash
# User-space instructions per request, counted by callgrind: a figure that holds still on a
# shared machine where req/s does not. Runs wrk -t1 and sluice (headless) against nginx on
# 127.0.0.1 under valgrind and prints, per client, instructions per request; for sluice the
# marginal cost (a run of 2N minus a run of N requests, so start-up is left out) and the part
# spent inside hyper's HTTP/1 connection task.
#   usage: bench/instructions.sh [REQUESTS=20000] [CONNECTIONS=50]
# Installs nginx, wrk and valgrind from Debian's packages when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}
conns=${2:-50}

. bench/nginx.sh
install_missing nginx=nginx-light wrk=wrk valgrind=valgrind

cargo build --release --quiet
sluice=${SLUICE:-$PWD/target/release/sluice} # SLUICE=path compares another build
work=$(mktemp -d)
trap 'kill "${nginx_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
start_nginx "$work"

# Total instructions of a callgrind run, from its output file.
total() { awk '/^summary:/ {print $2}' "$1"; }
grind() { valgrind --tool=callgrind --callgrind-out-file="$1" "${@:2}" >"$1.stdout" 2>/dev/null; }

grind "$work/wrk.cg" wrk -t1 -c"$conns" -d10s "$url"
wrk_n=$(awk '/requests in/ {print $1}' "$work/wrk.cg.stdout")
grind "$work/s1.cg" "$sluice" "$url" -n "$n" -c "$conns" --no-tui
grind "$work/s2.cg" "$sluice" "$url" -n "$((2 * n))" -c "$conns" --no-tui
callgrind_annotate --inclusive=yes "$work/s2.cg" >"$work/s2.txt" 2>/dev/null
hyper=$(awk '/Dispatcher<D,Bs,I,T>::poll_catch \[/ && !done {gsub(",", "", $1); print $1; done=1}' "$work/s2.txt")

python3 - "$(total "$work/wrk.cg")" "$wrk_n" "$(total "$work/s1.cg")" "$(total "$work/s2.cg")" "$n" "${hyper:-0}" <<'PY'
import sys
wrk_total, wrk_n, s1, s2, n, hyper = map(int, sys.argv[1:])
per_wrk = wrk_total / wrk_n
per_sluice = (s2 - s1) / n
print(f"wrk -t1     {per_wrk:8.0f} instructions/request ({wrk_n} requests)")
print(f"sluice      {per_sluice:8.0f} instructions/request (marginal, {n} -> {2 * n} requests)")
print(f"  of which in hyper's HTTP/1 connection task: {hyper / (2 * n):.0f}")
print(f"sluice / wrk: {per_sluice / per_wrk:.1f}x")
PY
