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

# free_port prints a TCP port on 127.0.0.1 that nothing listens on.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# launch_nginx DIR PORT DIRECTIVES writes an nginx config into DIR (1 worker,
# NGINX_CONNECTIONS connections (default 4096), keep-alive, a 13-byte body, no access log)
# whose server block holds DIRECTIVES (its listen lines, TLS files), starts nginx in the
# background, sets nginx_pid, and waits until PORT accepts connections. Exits the calling
# script if it never does.
launch_nginx() {
  local dir=$1 port=$2 directives=$3 nginx_bin up=""
  nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
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
    $directives
    location / { default_type text/plain; return 200 "Hello, World!"; }
  }
}
CONF
  "$nginx_bin" -p "$dir" -c "$dir/nginx.conf" &
  nginx_pid=$!
  for _ in $(seq 100); do
    up=$(python3 -c "import socket; socket.create_connection(('127.0.0.1',$port)); print('up')" 2>/dev/null || true)
    [ "$up" = up ] && return 0
    sleep 0.05
  done
  echo "nginx did not start" >&2
  exit 1
}

# start_nginx DIR: nginx as above for HTTP/1.1 on a free port; sets nginx_pid and url.
start_nginx() {
  local port
  port=$(free_port)
  url="http://127.0.0.1:$port/"
  launch_nginx "$1" "$port" "listen 127.0.0.1:$port;"
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
