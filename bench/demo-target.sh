# Sourced by the bench and screenshot scripts: start_fast_demo BIN LOG [MAX_DELAY=0s] starts
# `sluice demo` (answers after 0 to MAX_DELAY) on 127.0.0.1 (a port the kernel picks) in the
# background, and sets demo_pid and url (the address it printed). Exits the calling script if
# it does not come up.
start_fast_demo() {
  "$1" demo --listen 127.0.0.1:0 --max-delay "${3:-0s}" 2>"$2" &
  demo_pid=$!
  wait_for_url "$2" "demo target"
}

# wait_for_url FILE WHAT: sets url to the first http://127.0.0.1:PORT/ FILE shows, waiting up
# to 5 s for it; exits the calling script, naming WHAT, if none comes.
wait_for_url() {
  url=""
  for _ in $(seq 100); do
    url=$(grep -o 'http://127.0.0.1:[0-9]*/' "$1" || true)
    [ -n "$url" ] && return 0
    sleep 0.05
  done
  echo "$2 did not start" >&2
  exit 1
}
