#!/usr/bin/env bash
# Makes the README's plot from a real steered run, and checks that a browser renders the SVG:
# `sluice demo` (answers after 0-20 ms) on 127.0.0.1; sluice in rate mode at 1000/s with 40 in
# flight, in tmux; at 5 s the rate is typed up to 6000 (more than 40 in flight can carry, so
# starts fall behind and latency from when each was due climbs), at 11 s the limit up to 160
# (it catches up). Then `sluice plot` writes SVG and PNG, and headless Chromium renders the SVG
# to a PNG of its own (printed path) to look at beside ours.
#   usage: screenshots/plot.sh        (about half a minute)
set -euo pipefail
cd "$(dirname "$0")/.."
out=screenshots

need_apt=()
command -v tmux >/dev/null || need_apt+=(tmux)
command -v chromium >/dev/null || need_apt+=(chromium)
if ((${#need_apt[@]})); then apt-get update -qq && apt-get install -y -qq "${need_apt[@]}"; fi

cargo build --release --quiet
bin=$PWD/target/release/sluice
session=sluice-plot
tmp=$(mktemp -d)
cleanup() {
  tmux kill-session -t "$session" 2>/dev/null || true
  [ -n "${demo_pid:-}" ] && kill "$demo_pid" 2>/dev/null || true
}
trap cleanup EXIT

. bench/demo-target.sh
start_fast_demo "$bin" "$tmp/demo.log" 20ms
tmux new-session -d -s "$session" -x 120 -y 36 \
  "$bin $url -q 1000 -c 40 --threads 1 -z 18s --exit-on-done --output-format json -o $tmp/run.json"
sleep 5
tmux send-keys -t "$session" 6 0 0 0 Enter
sleep 6
tmux send-keys -t "$session" Tab 1 6 0 Enter
for _ in $(seq 100); do [ -s "$tmp/run.json" ] && break; sleep 0.2; done
[ -s "$tmp/run.json" ] || { echo "the run wrote no summary" >&2; exit 1; }

"$bin" plot "$tmp/run.json" -o "$out/plot-steered.svg" --title "sluice: rate raised past the limit at 5 s, limit raised at 11 s"
"$bin" plot "$tmp/run.json" -o "$out/plot-steered.png" --title "sluice: rate raised past the limit at 5 s, limit raised at 11 s"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,800 \
  --screenshot="$tmp/chromium.png" "file://$PWD/$out/plot-steered.svg" 2>/dev/null
[ -s "$tmp/chromium.png" ] || { echo "Chromium rendered nothing" >&2; exit 1; }
echo "Chromium's rendering of $out/plot-steered.svg: $tmp/chromium.png"
