#!/usr/bin/env bash
# HTTP/2 throughput beside oha --http2, at the same number of streams, against nginx (1
# worker) on 127.0.0.1: h2c (prior knowledge) and h2 over TLS (ALPN, a throwaway self-signed
# certificate, both tools with --insecure). oha runs CONNECTIONS connections with STREAMS
# parallel streams each (-c C -p P); sluice runs -c C*P -p P, which opens the same C
# connections; --threads 1 and its default. Tools alternate for ROUNDS rounds; prints the
# median req/s, CPU per request, peak RSS and the median per-round ratio to oha.
#   usage: bench/http2.sh [SECONDS=5] [CONNECTIONS=4] [STREAMS=50] [ROUNDS=3]
# Installs nginx, openssl and GNU time from Debian's packages when they are missing; runs
# without oha (sluice rows only) when it is not installed (cargo install oha).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
conns=${2:-4}
streams=${3:-50}
rounds=${4:-3}
total=$((conns * streams))

. bench/nginx.sh
install_missing nginx=nginx-light openssl=openssl /usr/bin/time=time
cargo build --release --quiet
sluice=$PWD/target/release/sluice
work=$(mktemp -d)
trap 'kill "${nginx_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

h2c_port=$(free_port)
tls_port=$(free_port)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 \
  -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
launch_nginx "$work" "$tls_port" "listen 127.0.0.1:$h2c_port http2;
    listen 127.0.0.1:$tls_port ssl http2;
    ssl_certificate $work/cert.pem;
    ssl_certificate_key $work/key.pem;"

timed() { /usr/bin/time -f '%e %U %S %M' -o "$work/t" "$@"; }
# Each runner: URL, then prints: requests user_s sys_s peak_rss_kib
run_oha() {
  timed oha -z "${secs}s" -c "$conns" -p "$streams" --http2 --insecure --no-tui --output-format json "$1" >"$work/oha.json"
  read -r _ u s m <"$work/t"
  echo "$(python3 -c "import json; print(sum(json.load(open('$work/oha.json'))['statusCodeDistribution'].values()))") $u $s $m"
}
run_sluice() { sluice_with "$1" --threads 1; }
run_sluice_all() { sluice_with "$1"; }
sluice_with() {
  timed "$sluice" "$1" --http2 --insecure -z "${secs}s" -c "$total" -p "$streams" "${@:2}" --no-tui --output-format json -o "$work/s.json" 2>/dev/null
  read -r _ u s m <"$work/t"
  echo "$(python3 -c "import json; print(json.load(open('$work/s.json'))['status_codes'].get('200', 0))") $u $s $m"
}

tools=()
command -v oha >/dev/null && tools+=(oha)
tools+=(sluice sluice_all)
results=$work/results.tsv
for round in $(seq "$rounds"); do
  for proto in h2c h2; do
    if [ "$proto" = h2c ]; then target="http://127.0.0.1:$h2c_port/"; else target="https://127.0.0.1:$tls_port/"; fi
    for tool in "${tools[@]}"; do
      read -r n u s m < <("run_$tool" "$target")
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$proto" "$tool" "$n" "$u" "$s" "$m" >>"$results"
      echo "round $round $proto $tool: $n requests" >&2
    done
  done
done

python3 - "$results" "$secs" "$conns" "$streams" <<'PY'
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().split("\n") if l]
secs, conns, streams = float(sys.argv[2]), sys.argv[3], sys.argv[4]
cells = {}
for r, proto, tool, n, u, s, m in rows:
    cells.setdefault((proto, tool), []).append((int(r), int(n), float(u) + float(s), int(m)))
print(f"{conns} connections x {streams} streams, {secs:.0f} s a run")
print(f"{'proto':<5} {'tool':<10} {'req/s':>9} {'x oha':>6} {'µs CPU/req':>11} {'peak RSS':>9}")
for (proto, tool), runs in sorted(cells.items()):
    oha = {r: n for r, n, _, _ in cells.get((proto, "oha"), [])}
    ratios = [n / oha[r] for r, n, _, _ in runs if oha.get(r)]
    ratio = f"{statistics.median(ratios):6.2f}" if ratios else "     -"
    rps = statistics.median(n for _, n, _, _ in runs) / secs
    cpu = statistics.median(c / max(n, 1) * 1e6 for _, n, c, _ in runs)
    rss = max(m for _, _, _, m in runs) / 1024
    print(f"{proto:<5} {tool:<10} {rps:>9.0f} {ratio} {cpu:>11.2f} {rss:>7.1f}MB")
PY
