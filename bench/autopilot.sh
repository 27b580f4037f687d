#!/usr/bin/env bash
# The autopilot (issue 27) on the issue's own case: a server of K = 20 workers, each request
# served in 10 ms ± 25%, the rest queued in order (examples/knee_server.rs: the test suite's
# knee server, tests/suite/common/knee.rs), held to p99 < 50 ms. The suite runs the same
# server ten times slower (100 ms, p99 < 500 ms): on a shared 2-core machine the
# milliseconds a busy core costs weigh ten times less there. Each run has a fresh server,
# one after the other:
#  1. the true knee, with fixed limits (--stages): 40 to warm up, then 50 to 140 by 10, STEP
#     seconds each; the knee is the largest limit whose p99 stayed under 50 ms in every
#     second of its step but the first (which drains the step before);
#  2. --hold 'p99<50ms' -c 10 -z 40s: when it settled, where against the knee, the share of
#     seconds within the bar after, the limit's variation after (stdev / mean);
#  3. rate mode: the top throughput (a closed loop at 200 in flight, the median second), then
#     --hold 'p99<50ms' -q 200 -z 40s: the rate it settled at against that top;
#  4. the capacity halving: --hold 'p99<50ms' -c 10 -z 65s, the workers 20 -> 10 at 20 s and
#     back to 20 at 38 s: the limit before, at half (median of 33-38 s), how long it took to
#     stay within 25% of that, and how far and how fast it came back.
# About four minutes after the build; every run is bounded by its -z and a timeout.
#   usage: bench/autopilot.sh [STEP=4]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/demo-target.sh
step=${1:-4}

# Apart: with the example (dev-dependencies on), the crate builds with fault injection.
cargo build --release --quiet
cargo build --release --quiet --example knee_server
sluice=$PWD/target/release/sluice
knee=$PWD/target/release/examples/knee_server
work=$(mktemp -d)
pids=()
cleanup() {
  exec 3>&- 2>/dev/null || true
  kill "${pids[@]}" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# start_server STDIN: a knee server (20 workers, 10 ms) reading worker counts from STDIN (a
# fifo is held open on fd 3, for `echo N >&3`); sets url (the address it printed). Exits the
# script if it does not come up.
servers=0
start_server() {
  servers=$((servers + 1))
  local printed=$work/url.$servers
  "$knee" 20 10 <"$1" >"$printed" &
  pids+=($!)
  if [ -p "$1" ]; then exec 3>"$1"; fi
  wait_for_url "$printed" "knee server"
}

# run NAME ARGS...: sluice headless against $url, its JSON summary into $work/NAME.json.
run() {
  local name=$1
  shift
  timeout 120 "$sluice" "$url" "$@" --no-tui --output-format json -o "$work/$name.json" \
    2>"$work/$name.err"
}

stages=$(python3 -c "print(','.join(f'0s:{l},${step}s:{l}' for l in range(40, 150, 10)))")
echo "== 1. the knee: fixed limits 40 (warm-up), 50..140, ${step}s each" >&2
start_server /dev/null
run sweep -c 40 --stages "$stages"

echo "== 2. --hold 'p99<50ms' -c 10 -z 40s" >&2
start_server /dev/null
run hold --hold 'p99<50ms' -c 10 -z 40s

echo "== 3. the top throughput (-c 200 -z 8s), then --hold 'p99<50ms' -q 200 -z 40s" >&2
start_server /dev/null
run top -c 200 -z 8s
start_server /dev/null
run rate --hold 'p99<50ms' -q 200 -z 40s

echo "== 4. --hold 'p99<50ms' -c 10 -z 65s, workers 20 -> 10 at 20 s, back at 38 s" >&2
mkfifo "$work/workers"
start_server "$work/workers"
run capacity --hold 'p99<50ms' -c 10 -z 65s &
ran=$!
sleep 20
echo 10 >&3
sleep 18
echo 20 >&3
wait "$ran"

python3 - "$work" "$step" <<'PY'
import json, statistics, sys
work, step = sys.argv[1], float(sys.argv[2])
BAR = 50.0
load = lambda name: json.load(open(f"{work}/{name}.json"))
series = lambda s: s["series"]

sweep = series(load("sweep"))
limits = list(range(40, 150, 10))
passed, shown = [], []
for i, limit in enumerate(limits[1:], start=1):
    lo = i * step + 1.5
    judged = [e["p99_ms"] for e in sweep if lo < e["t_s"] <= lo + step - 1]
    ok = bool(judged) and all(p is not None and p < BAR for p in judged)
    shown.append(f"{limit}:{max((p or 0) for p in judged or [0]):.0f}{'' if ok else '!'}")
    if ok:
        passed.append(limit)
knee = float(passed[-1]) if passed else float("nan")
print(f"knee (fixed limits, worst p99 ms a step, ! over the bar): {' '.join(shown)}")
print(f"  knee = {knee:.0f} in flight" + ("" if passed and passed[-1] < limits[-1] else " (the bar held at every limit: widen the sweep)"))

def after(s, at):
    return [e["limit"] for e in series(s) if e["t_s"] >= at]

hold = load("hold")
h = hold["hold"]
st = h["settled"]
if st:
    values = after(hold, st["at_s"])
    mean = statistics.fmean(values)
    cov = statistics.pstdev(values) / mean
    print(f"--hold -c 10: settled at {st['value']:.0f} from {st['at_s']:.0f} s "
          f"(issue: within 20 s); limit / knee {st['value'] / knee:.2f} (issue: 0.75-1.25); "
          f"held share {h['held_share']:.3f} (issue: >= 0.9); variation {cov:.3f} (issue: <= 0.15)")
else:
    print(f"--hold -c 10: did not settle: {h}")
print("  series t:limit/p99: " + " ".join(
    f"{e['t_s']:.0f}:{e['limit']:.0f}/{(e['p99_ms'] or 0):.0f}" for e in series(hold)))

top = statistics.median(e["rps"] for e in series(load("top"))[1:7])
rate = load("rate")["hold"]
if rate["settled"]:
    r = rate["settled"]["value"]
    print(f"--hold -q 200: settled at {r:.0f}/s from {rate['settled']['at_s']:.0f} s; the top is "
          f"{top:.0f}/s: {r / top:.2f}x (issue: 0.7-1.05x); held share {rate['held_share']:.3f}")
else:
    print(f"--hold -q 200: did not settle ({rate}); the top is {top:.0f}/s")

cap = series(load("capacity"))
med = lambda lo, hi: statistics.median(e["limit"] for e in cap if lo < e["t_s"] <= hi)
first, half, back = med(12, 20), med(33, 38), med(55, 65)
during = [e for e in cap if 20 < e["t_s"] <= 38]
off = [e["t_s"] for e in during if abs(e["limit"] - half) > 0.25 * half]
resettle = (off[-1] if off else 20.0) - 20.0
upped = next((e["t_s"] for e in cap if e["t_s"] > 38 and e["limit"] >= 0.9 * first), None)
print(f"capacity 20 -> 10 -> 20 workers: limit {first:.0f} -> {half:.0f} ({half / first:.2f}x; "
      f"issue: about half; {half / (knee / 2):.2f}x half the fixed-limit knee), within 25% of it {resettle:.0f} s after the halving (issue: within 15 s); "
      f"back to {back:.0f} ({back / first:.2f}x)" +
      (f", within 10% of {first:.0f} {upped - 38:.0f} s after the workers returned" if upped else ""))
print("  series t:limit/p99: " + " ".join(
    f"{e['t_s']:.0f}:{e['limit']:.0f}/{(e['p99_ms'] or 0):.0f}" for e in cap))
PY
