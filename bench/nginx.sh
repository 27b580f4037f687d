# Sourced by the bench scripts that drive nginx.
#
# install_missing PROGRAM=PACKAGE...: installs, from Debian's packages, the packages whose
# program is not found (on PATH, in /usr/sbin, or as the path given, e.g. /usr/bin/time).
install_missing() {
  local need=() pair prog
  for pair in "$@"; do
    prog=${pair%%=*}
    command -v "$prog" >/dev/null || [ -x "/usr/sbin/$prog" ] || need+=("${pair#*=}")
  done
  if ((${#need[@]})); then apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null; fi
}

# start_nginx DIR writes an nginx config into DIR (1 worker, NGINX_CONNECTIONS connections
# (default 4096),
# keep-alive, a 13-byte body, no access log) for 127.0.0.1 on a free port, starts nginx in the
# background and sets nginx_pid and url. Exits the calling script if nginx does not answer.
start_nginx() {
  local dir=$1 port nginx_bin status=""
  nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  url="http://127.0.0.1:$port/"
  cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log;
worker_rlimit_nofile $((${NGINX_CONNECTIONS:-4096} + 64));
events { worker_connections ${NGINX_CONNECTIONS:-4096}; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 60s;
  server {
    listen 127.0.0.1:$port;
    location / { default_type text/plain; return 200 "Hello, World!"; }
  }
}
CONF
  "$nginx_bin" -p "$dir" -c "$dir/nginx.conf" &
  nginx_pid=$!
  for _ in $(seq 100); do
    status=$(python3 -c "import urllib.request as u; print(u.urlopen('$url').status)" 2>/dev/null || true)
    [ "$status" = 200 ] && return 0
    sleep 0.05
  done
  echo "nginx did not start" >&2
  exit 1
}

# bench_start builds sluice for release (sets sluice), makes a work folder (sets work), starts
# nginx in it (sets url and nginx_pid), and at exit runs bench_extra_cleanup (if the script
# defines one), stops nginx and removes the folder.
bench_start() {
  cargo build --release --quiet
  sluice=$PWD/target/release/sluice
  work=$(mktemp -d)
  trap bench_cleanup EXIT
  start_nginx "$work"
}
bench_cleanup() {
  if declare -F bench_extra_cleanup >/dev/null; then bench_extra_cleanup; fi
  kill "${nginx_pid:-}" 2>/dev/null || true
  rm -rf "$work"
}
