#!/usr/bin/env bash
# Shards against wrk's threads: for each N in THREADS, wrk -tN and sluice --threads N against
# nginx (1 worker) on 127.0.0.1, SECONDS each, alternating for ROUNDS rounds; prints each
# round's requests and the ratio, then the median ratio per N.
#   usage: bench/threads.sh [SECONDS=5] [CONNECTIONS=50] [ROUNDS=3] [THREADS="1 2"]
# Installs nginx and wrk from Debian's packages when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
conns=${2:-50}
rounds=${3:-3}
counts=${4:-"1 2"}

. bench/nginx.sh
install_missing nginx=nginx-light wrk=wrk
bench_start

: >"$work/results.tsv"
for r in $(seq "$rounds"); do
  for t in $counts; do
    w=$(wrk -t"$t" -c"$conns" -d"${secs}s" "$url" | awk '/requests in/ {print $1}')
    "$sluice" "$url" -z "${secs}s" -c "$conns" --threads "$t" --no-tui --output-format json \
      -o "$work/s.json" 2>/dev/null
    s=$(python3 -c "import json; print(json.load(open('$work/s.json'))['requests']['total'])")
    printf '%s\t%s\t%s\n' "$t" "$w" "$s" >>"$work/results.tsv"
    echo "round $r, $t thread(s): wrk $w, sluice $s" >&2
  done
done
python3 - "$work/results.tsv" "$secs" <<'PY'
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().split("\n") if l]
secs = float(sys.argv[2])
by = {}
for t, w, s in rows:
    by.setdefault(int(t), []).append((int(w), int(s)))
print(f"{'threads':>7} {'wrk req/s':>10} {'sluice req/s':>13} {'x wrk':>6}")
for t, runs in sorted(by.items()):
    w = statistics.median(w for w, _ in runs) / secs
    s = statistics.median(s for _, s in runs) / secs
    ratio = statistics.median(s / w for w, s in runs)
    print(f"{t:>7} {w:>10.0f} {s:>13.0f} {ratio:>6.2f}")
PY
