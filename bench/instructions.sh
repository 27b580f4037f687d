#!/usr/bin/env bash
# User-space instructions per request, counted by callgrind: a figure that holds still on a
# shared machine where req/s does not. Runs wrk -t1 and sluice (headless) against nginx on
# 127.0.0.1 under valgrind and prints, per client, instructions per request; for sluice the
# marginal cost (a run of 2N minus a run of N requests, so start-up is left out) and the part
# spent inside hyper's HTTP/1 connection task; and the same for examples/hyper_floor.rs (bare
# hyper connections sending GETs back to back, nothing else), so what sluice adds to hyper
# is the difference of two rows measured the same way.
#   usage: bench/instructions.sh [REQUESTS=20000] [CONNECTIONS=50]
# Installs nginx, wrk and valgrind from Debian's packages when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}
conns=${2:-50}

. bench/nginx.sh
install_missing nginx=nginx-light wrk=wrk valgrind=valgrind

cargo build --release --quiet
cargo build --release --quiet --example hyper_floor
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
# hyper's connection task, inclusive: the dispatcher's poll_catch, or the Connection's poll
# where the compiler inlined the one into the other.
conn_task() {
  awk '(/Dispatcher<D,Bs,I,T>::poll_catch \[/ || /http1::Connection<T,B> as core::future::future::Future>::poll \[/) && !done {
    gsub(",", "", $1); print $1; done=1 }' "$1"
}
hyper=$(conn_task "$work/s2.txt")
# Bare hyper runs for a time, not a count: 4 s under valgrind is ~50k requests at 50
# connections, so its start-up (the connections) is left in, a fraction of a percent.
grind "$work/hf.cg" target/release/examples/hyper_floor "$url" "$conns" 4
callgrind_annotate --inclusive=yes "$work/hf.cg" >"$work/hf.txt" 2>/dev/null
hf_n=$(cat "$work/hf.cg.stdout")
hf_conn=$(conn_task "$work/hf.txt")

python3 - "$(total "$work/wrk.cg")" "$wrk_n" "$(total "$work/s1.cg")" "$(total "$work/s2.cg")" "$n" "${hyper:-0}" \
  "$(total "$work/hf.cg")" "$hf_n" "${hf_conn:-0}" <<'PY'
import sys
wrk_total, wrk_n, s1, s2, n, hyper, hf_total, hf_n, hf_conn = map(int, sys.argv[1:])
per_wrk = wrk_total / wrk_n
per_sluice = (s2 - s1) / n
print(f"wrk -t1     {per_wrk:8.0f} instructions/request ({wrk_n} requests)")
print(f"sluice      {per_sluice:8.0f} instructions/request (marginal, {n} -> {2 * n} requests)")
print(f"  of which in hyper's HTTP/1 connection task: {hyper / (2 * n):.0f}")
per_hf = hf_total / max(hf_n, 1)
print(f"bare hyper  {per_hf:8.0f} instructions/request ({hf_n} requests)")
print(f"  of which in hyper's HTTP/1 connection task: {hf_conn / max(hf_n, 1):.0f}")
print(f"sluice / wrk: {per_sluice / per_wrk:.1f}x; sluice - bare hyper: {per_sluice - per_hf:.0f}")
PY
