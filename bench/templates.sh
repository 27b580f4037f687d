#!/usr/bin/env bash
# What templates cost, against nginx on 127.0.0.1, in one run (one generator thread, -c 50):
#   - a static GET against the same GET with {{ seq }} in the path (goal: at least 0.9x);
#   - a static POST against a POST whose --body-template holds three values (goal: 0.85x);
#   - --data-order once over 1M and 10M rows: peak RSS (goal: within 10% of each other).
# Each pair runs in turn for several rounds; a ratio is the median of the rounds' ratios.
#   usage: bench/templates.sh [SECONDS=5] [ROUNDS=3]
# BASELINE=path/to/another/sluice adds that build's static GET to every round ("baseline"):
# the static path against the build before a change, in the same run (goal: no slower).
# SMALL_ROWS / LARGE_ROWS change the row counts (default 1000000 / 10000000); the once runs
# go to the end of their file. The data files are made in the work folder and removed.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
rounds=${2:-3}
small_rows=${SMALL_ROWS:-1000000}
large_rows=${LARGE_ROWS:-10000000}

. bench/nginx.sh
install_missing nginx=nginx-light /usr/bin/time=time
bench_start

# The JSON summary's total and the peak RSS (KiB), of a run of `binary` with `args`.
run_of() {
  local binary=$1
  shift
  /usr/bin/time -f '%M' -o "$work/t" "$binary" "$@" --threads 1 --no-tui --output-format json \
    -o "$work/s.json" 2>/dev/null
  python3 -c "import json; s=json.load(open('$work/s.json')); print(s['requests']['ok'], s['duration_s'])" |
    { read -r ok dur; echo "$ok $dur $(cat "$work/t")"; }
}

body='{"id": 12345, "user": "0b7e4a52-5f9c-4c1e-9d55-5d3f2e1f7a10", "at": 1700000000000}'
printf '%s' '{"id": {{ seq }}, "user": "{{ uuid }}", "at": {{ now_ms }}}' >"$work/body.json"
declare -A cmd=(
  [static_get]="$sluice $url"
  [seq_get]="$sluice ${url}{{seq}}"
  [static_post]="$sluice $url -m POST -d BODY"
  [template_post]="$sluice $url -m POST --body-template $work/body.json"
)
runs=(static_get seq_get static_post template_post)
if [ -n "${BASELINE:-}" ]; then
  cmd[baseline_get]="$BASELINE $url"
  runs+=(baseline_get)
fi

results=$work/results.tsv
for r in $(seq "$rounds"); do
  for i in "${!runs[@]}"; do
    name=${runs[$(((i + r - 1) % ${#runs[@]}))]}
    read -r -a argv <<<"${cmd[$name]}"
    for j in "${!argv[@]}"; do [ "${argv[$j]}" = BODY ] && argv[j]=$body; done
    read -r ok dur kib < <(run_of "${argv[@]}" -z "${secs}s" -c 50)
    printf '%s\t%s\t%s\t%s\t%s\n' "$r" "$name" "$ok" "$dur" "$kib" >>"$results"
    echo "round $r: $name $ok requests" >&2
  done
done

# --data-order once: a file of N rows (one column), each row one request, to its end.
rows_file() { python3 -c "
import sys
with open(sys.argv[1], 'w') as f:
    f.write('id\n')
    for start in range(0, $1, 1000000):
        f.write('\n'.join(map(str, range(start, min(start + 1000000, $1)))) + '\n')
" "$2"; }
once=$work/once.tsv
for n in "$small_rows" "$large_rows"; do
  rows_file "$n" "$work/rows.csv"
  read -r ok dur kib < <(run_of "$sluice" "${url}{{row.id}}" --data "$work/rows.csv" --data-order once -c 50)
  printf '%s\t%s\t%s\t%s\n' "$n" "$ok" "$dur" "$kib" >>"$once"
  echo "once over $n rows: $ok requests, $kib KiB" >&2
  rm -f "$work/rows.csv"
done

python3 - "$results" "$once" <<'PY'
import statistics, sys
by = {}
for line in open(sys.argv[1]):
    r, name, ok, dur, kib = line.split("\t")
    by.setdefault(name, {})[int(r)] = int(ok) / float(dur)
def rps(name): return statistics.median(by[name].values())
def ratio(a, b): return statistics.median(by[a][r] / by[b][r] for r in by[a])
print(f"{'run':<16} {'req/s':>9}")
for name in by:
    print(f"{name:<16} {rps(name):>9.0f}")
print(f"seq / static GET:        {ratio('seq_get', 'static_get'):.3f}  (goal >= 0.9)")
print(f"template / static POST:  {ratio('template_post', 'static_post'):.3f}  (goal >= 0.85)")
if "baseline_get" in by:
    print(f"static GET / baseline:   {ratio('static_get', 'baseline_get'):.3f}  (goal >= 1.0, noise ~2%)")
once = [l.split("\t") for l in open(sys.argv[2])]
for n, ok, dur, kib in once:
    print(f"once over {int(n):>9} rows: {int(ok):>9} requests in {float(dur):6.1f} s, peak RSS {int(kib):>7} KiB")
(_, _, _, small), (_, _, _, large) = once
print(f"once peak RSS large / small: {int(large) / int(small):.3f}  (goal within 10%)")
PY
