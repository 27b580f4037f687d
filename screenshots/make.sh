#!/usr/bin/env bash
# Makes the README's screenshots from real runs: sluice runs in tmux, keys are pressed with
# send-keys, the screen is captured with its colours (capture-pane -e) and rendered to PNG.
#   usage: screenshots/make.sh [demo fast rate urls checks fleet scenario]   (all when none is named;
#          about two minutes; traffic stays on 127.0.0.1)
set -euo pipefail
cd "$(dirname "$0")/.."
out=screenshots

need_apt=()
command -v tmux >/dev/null || need_apt+=(tmux)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ] || need_apt+=(fonts-dejavu-core)
if ((${#need_apt[@]})); then apt-get update -qq && apt-get install -y -qq "${need_apt[@]}"; fi
python3 -c 'import PIL' 2>/dev/null || pip install -q pillow

cargo build --release --quiet
bin=$PWD/target/release/sluice
cols=120
rows=36
session=sluice-shots
tmp=$(mktemp -d)
workers=() servers=()
cleanup() {
  tmux kill-session -t "$session" 2>/dev/null || true
  kill "${workers[@]}" "${servers[@]}" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# shot NAME: capture the pane now and render it to $out/NAME.png
shot() {
  tmux capture-pane -e -p -t "$session" >"$tmp/$1.txt"
  python3 "$out/render.py" "$tmp/$1.txt" "$out/$1.png"
  echo "wrote $out/$1.png"
}
keys() { tmux send-keys -t "$session" "$@"; }

# 1. The main job: no URL, the embedded demo target (answers after 0-3 s).
demo() {
tmux new-session -d -s "$session" -x "$cols" -y "$rows" "$bin"
sleep 12
keys ']'
sleep 12
shot dashboard-demo
keys '?'
sleep 0.5
shot help
keys q
sleep 1
tmux kill-session -t "$session" 2>/dev/null || true
}

# 2. A fast local server (the demo target with no delay, in its own process), steered by hand.
fast() {
tmux new-session -d -s "$session" -x "$cols" -y "$rows" "$bin $fast_url -c 4 -z 5m"
sleep 10
keys ']'
sleep 10
keys ']'
sleep 10
keys '[' '[' '['
sleep 10
keys 2 0 0 Enter
sleep 8
shot dashboard-fast
keys q
sleep 1
tmux kill-session -t "$session" 2>/dev/null || true
}

# 3. Rate mode on the demo target: 100 requests a second need about 150 in flight (answers
#    take 0-3 s), but the limit is 100: starts fall behind, and latency (from when each request
#    was due) pulls away from the service time. Then Tab, ] doubles the limit: it catches up.
rate() {
tmux new-session -d -s "$session" -x "$cols" -y "$rows" "$bin -q 100 -c 100 -z 5m"
sleep 25
keys Tab ']'
sleep 10
shot dashboard-rate
keys q
sleep 1
tmux kill-session -t "$session" 2>/dev/null || true
}

# 4. Several URLs (--urls-from-file) on the fast local server, and one on a second server
#    (python's http.server over an empty folder) that answers 404: the URLs panel, busiest
#    first, each with its status code.
urls() {
mkdir -p "$tmp/www"
python3 -m http.server --bind 127.0.0.1 19880 --directory "$tmp/www" >/dev/null 2>&1 &
servers+=($!)
sleep 1
printf '# four paths of one server, one of another\n%sapi/items\n%sapi/items?page=2\n%shealth\n%sstatic/app.js\n%s\n' \
  "$fast_url" "$fast_url" "$fast_url" "$fast_url" "http://127.0.0.1:19880/api/old" >"$tmp/urls.txt"
tmux new-session -d -s "$session" -x "$cols" -y "$rows" "$bin --urls-from-file $tmp/urls.txt -c 20 -z 5m"
sleep 10
shot dashboard-urls
keys q
sleep 1
tmux kill-session -t "$session" 2>/dev/null || true
}

# 5. Each request its own ({{ seq }} in the path) on the 0-20 ms server, judged by three
#    checks, one of which the server never passes: the Checks panel, and the ttfb row.
checks() {
tmux new-session -d -s "$session" -x "$cols" -y "$rows" "$bin '${slow_url}items/{{ seq }}' -c 40 -z 5m --check 'status == 200' --check 'body contains \"Hello\"' --check 'header x-cache exists'"
sleep 12
shot dashboard-checks
keys q
sleep 1
tmux kill-session -t "$session" 2>/dev/null || true
}

# 6. sluice fleet over three headless workers (--shard i/3, each with its control API) against
#    a local server answering in 0-20 ms: ] doubles the total limit across them, then one
#    worker is killed with SIGKILL (as an evicted pod would be) and shows as down while the
#    others go on. (A worker ended by SIGTERM finishes its run and shows as done.)
fleet() {
  local addrs=() i
  for i in 0 1 2; do
    SLUICE_CONTROL_TOKEN=shots "$bin" "$slow_url" --no-tui -c 24 -z 5m --shard "$i/3" \
      --control "127.0.0.1:$((19890 + i))" >/dev/null 2>&1 &
    workers+=($!)
    addrs+=("127.0.0.1:$((19890 + i))")
  done
  sleep 1
  tmux new-session -d -s "$session" -x "$cols" -y "$rows" \
    "SLUICE_CONTROL_TOKEN=shots $bin fleet ${addrs[*]}"
  sleep 8
  keys ']'
  sleep 6
  kill -KILL "${workers[2]}"
  sleep 8
  shot dashboard-fleet
  keys q
  sleep 1
  tmux kill-session -t "$session" 2>/dev/null || true
  kill "${workers[@]}" 2>/dev/null || true
}

# 7. A scenario (--scenario) on the 0-20 ms server: 40 sessions in flight, each logging in
#    (its response's Content-Length captured), thinking, fetching an item that carries the
#    capture, then checking out, judged by a check the server never passes: the Steps panel
#    and the sessions in flight.
scenario() {
cat >"$tmp/shop.yaml" <<EOF
variables:
  base: "${slow_url%/}"
flow:
  - name: login
    post: "{{ base }}/login"
    json: {user: "u{{ seq }}"}
    capture:
      - header: content-length
        as: size
    check: ["status == 200"]
  - think: 20ms..60ms
  - name: item
    get: "{{ base }}/items/{{ seq }}?size={{ size }}"
    check: ["status == 200", "body contains \"Hello\""]
  - name: checkout
    post: "{{ base }}/checkout"
    body: "session {{ seq }}"
    check: ["header x-cache exists"]
EOF
tmux new-session -d -s "$session" -x "$cols" -y "$rows" "$bin --scenario $tmp/shop.yaml -c 40 -z 5m"
sleep 12
shot dashboard-scenario
keys q
sleep 1
tmux kill-session -t "$session" 2>/dev/null || true
}

# The local servers: one answering at once, one in 0-20 ms; each in its own process.
. bench/demo-target.sh
start_fast_demo "$bin" "$tmp/fast.log"
fast_url=$url
servers+=("$demo_pid")
start_fast_demo "$bin" "$tmp/slow.log" 20ms
slow_url=$url
servers+=("$demo_pid")

for name in "${@:-demo fast rate urls checks fleet scenario}"; do
  for one in $name; do
    case $one in
      demo | fast | rate | urls | checks | fleet | scenario) "$one" ;;
      *) echo "no screenshot called $one (demo fast rate urls checks fleet scenario)" >&2; exit 2 ;;
    esac
  done
done
