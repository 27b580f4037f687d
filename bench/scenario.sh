#!/usr/bin/env bash
# What scenarios cost, against nginx on 127.0.0.1, in one run (one generator thread, -c 50):
#   - plain:  sluice URL, a GET;
#   - one:    --scenario with one step, the same GET (goal: at most 10% more CPU a request);
#   - three:  --scenario of three steps: a POST /login whose JSON body's token is captured
#             and whose Set-Cookie is kept, then two GETs carrying the token (Bearer) and
#             the cookie (measured, and quoted in the README).
#   - memory: the three-step scenario for SMALL_SESSIONS and then LARGE_SESSIONS sessions
#     (default 100000 and 1000000): peak RSS (goal: within 10%, bounded by sessions in
#     flight, not by sessions run).
# CPU a request is the sluice process's user + system time over the requests it sent. Each
# run goes in turn for several rounds; a ratio is the median of the rounds' ratios.
#   usage: bench/scenario.sh [SECONDS=5] [ROUNDS=3]
# BASELINE=path/to/another/sluice adds that build's plain GET to every round ("baseline").
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
rounds=${2:-3}

. bench/nginx.sh
install_missing nginx=nginx-light /usr/bin/time=time
cargo build --release --quiet
sluice=$PWD/target/release/sluice
work=$(mktemp -d)
trap 'kill "${nginx_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(free_port)
url="http://127.0.0.1:$port"
launch_nginx "$work" "$port" "listen 127.0.0.1:$port;
    location = /login {
      default_type application/json;
      add_header Set-Cookie 'sid=s3ss10n; Path=/';
      return 200 '{\"token\": \"t0k3n\", \"user\": 7}';
    }"

cat >"$work/one.yaml" <<YAML
flow:
  - name: hello
    get: "$url/"
YAML
cat >"$work/three.yaml" <<YAML
variables:
  base: "$url"
flow:
  - name: login
    post: "{{ base }}/login"
    json: {user: "u{{ seq }}", password: "secret"}
    capture:
      - json: /token
        as: token
    check: ["status == 200"]
  - name: list
    get: "{{ base }}/items"
    headers: {Authorization: "Bearer {{ token }}"}
  - name: item
    get: "{{ base }}/items/{{ seq }}"
    headers: {Authorization: "Bearer {{ token }}"}
YAML

# Requests sent, seconds, CPU seconds (user + system) and user seconds of a run of `binary`.
run_of() {
  local binary=$1
  shift
  /usr/bin/time -f '%U %S' -o "$work/t" "$binary" "$@" --threads 1 --no-tui \
    --output-format json -o "$work/s.json" 2>/dev/null
  python3 -c "
import json; s=json.load(open('$work/s.json')); u, k = open('$work/t').read().split()
print(s['requests']['total'], s['duration_s'], float(u) + float(k), u)"
}

declare -A cmd=(
  [plain]="$sluice $url/"
  [one]="$sluice --scenario $work/one.yaml"
  [three]="$sluice --scenario $work/three.yaml"
)
runs=(plain one three)
if [ -n "${BASELINE:-}" ]; then
  cmd[baseline]="$BASELINE $url/"
  runs+=(baseline)
fi

results=$work/results.tsv
for r in $(seq "$rounds"); do
  for i in "${!runs[@]}"; do
    name=${runs[$(((i + r - 1) % ${#runs[@]}))]}
    read -r -a argv <<<"${cmd[$name]}"
    read -r total dur cpu user < <(run_of "${argv[@]}" -z "${secs}s" -c 50)
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$name" "$total" "$dur" "$cpu" "$user" >>"$results"
    echo "round $r: $name $total requests" >&2
  done
done

memory=$work/memory.tsv
for n in "${SMALL_SESSIONS:-100000}" "${LARGE_SESSIONS:-1000000}"; do
  "$sluice" --scenario "$work/three.yaml" -n "$n" -c 50 --threads 1 --no-tui \
    --output-format json -o "$work/m.json" 2>/dev/null
  python3 -c "
import json; s=json.load(open('$work/m.json'))
print($n, s['sessions']['completed'], s['memory']['peak_rss_kib'], sep='\t')" >>"$memory"
  echo "memory: $n sessions" >&2
done

python3 - "$results" "$memory" <<'PY'
import statistics, sys
by = {}
for line in open(sys.argv[1]):
    r, name, total, dur, cpu, user = line.split("\t")
    n = int(total)
    by.setdefault(name, {})[int(r)] = (n / float(dur), float(cpu) / n * 1e6, float(user) / n * 1e6)
def med(name, i): return statistics.median(v[i] for v in by[name].values())
def ratio(a, b, i): return statistics.median(by[a][r][i] / by[b][r][i] for r in by[a])
print(f"{'run':<10} {'req/s':>9} {'us CPU/req':>11} {'us user/req':>12}")
for name in by:
    print(f"{name:<10} {med(name, 0):>9.0f} {med(name, 1):>11.2f} {med(name, 2):>12.2f}")
print(f"one-step / plain, CPU a request:   {ratio('one', 'plain', 1):.3f}  (goal <= 1.10)")
print(f"one-step / plain, user CPU:        {ratio('one', 'plain', 2):.3f}")
print(f"three-step / plain, CPU a request: {ratio('three', 'plain', 1):.3f}")
print(f"three-step / plain, user CPU:      {ratio('three', 'plain', 2):.3f}")
print(f"one-step / plain, req/s:           {ratio('one', 'plain', 0):.3f}")
if "baseline" in by:
    print(f"plain / baseline, CPU a request:   {ratio('plain', 'baseline', 1):.3f}  (goal <= 1.0, noise ~2%)")
mem = [l.split("\t") for l in open(sys.argv[2])]
for n, done, kib in mem:
    print(f"three-step, {int(n):>8} sessions ({int(done)} completed): peak RSS {int(kib):>7} KiB")
(_, _, small), (_, _, large) = mem
print(f"peak RSS large / small: {int(large) / int(small):.3f}  (goal within 10%)")
PY
