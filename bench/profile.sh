#!/usr/bin/env bash
# Instructions per request of the whole served path (bench/README.md): the canned upstream,
# soapbridge (release build, default settings) under valgrind's callgrind, and one keep-alive
# client sending the workload's GET. Counting starts after a warm-up and stops after the measured
# requests, so start-up and compilation are not in the figure. Prints the total per request and
# the functions with the largest inclusive cost per request; keeps the callgrind file.
# --nginx counts the nginx raw forward of bench/run.sh the same way (one process, no master).
# Instructions are user space only: the kernel's share of a request (the syscalls) is not in
# them, so the ratio to nginx overstates the ratio of CPU time.
#
#   bench/profile.sh [--workload small|medium|large] [--requests N] [--top K] [--nginx] [--out DIR]
#                    [--bridge PATH]   (a soapbridge binary built before, to compare with)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

workload=small
requests=2000
top=40
with_nginx=0
out=""
bridge_bin=""
while [ $# -gt 0 ]; do
    case "$1" in
        --workload) workload="$2"; shift 2 ;;
        --requests) requests="$2"; shift 2 ;;
        --top) top="$2"; shift 2 ;;
        --nginx) with_nginx=1; shift ;;
        --out) out="$2"; shift 2 ;;
        --bridge) bridge_bin="$(realpath "$2")"; shift 2 ;;
        -h|--help) sed -n 2,12p "$0"; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

if ! command -v valgrind >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    sudo=""
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then sudo="sudo -E"; fi
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq valgrind >/dev/null
fi
# The bridge as shipped; the upstream's own speed is not counted (a debug build does).
if [ -z "$bridge_bin" ]; then cargo build --quiet --release --bin soapbridge; fi
cargo build --quiet --example bench-upstream
target="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)"
bridge_bin="${bridge_bin:-$target/release/soapbridge}"
upstream="$target/debug/examples/bench-upstream"
work="$(mktemp -d "${TMPDIR:-/tmp}/soapbridge-profile.XXXXXX")"
out="${out:-$work}"
mkdir -p "$out"
keep=1
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

up_port="$(free_port)"; port="$(free_port)"
while [ "$port" = "$up_port" ]; do port="$(free_port)"; done
"$upstream" prepare "$work" "127.0.0.1:$up_port" 2>"$work/prepare.log"
"$upstream" serve "127.0.0.1:$up_port" "$work" 1 2>"$work/upstream.log" &
pids+=("$!")
route="$(cat "$work/$workload.route")"

# N GETs of the route on one keep-alive connection.
requests_file() { # URL N FILE
    local i
    : >"$3"
    for i in $(seq 1 "$2"); do printf 'url = "%s"\noutput = /dev/null\n' "$1" >>"$3"; done
}

# Counts TARGET's instructions over $requests requests of URL; prints the total per request.
count() { # NAME PID URL
    local name="$1" pid="$2" url="$3" i
    for i in $(seq 1 600); do
        if curl -sf -o /dev/null "$url"; then break; fi
        sleep 0.1
    done
    requests_file "$url" 200 "$work/warm.cfg"
    curl -sf -K "$work/warm.cfg"
    callgrind_control -z "$pid" >/dev/null
    requests_file "$url" "$requests" "$work/measure.cfg"
    curl -sf -K "$work/measure.cfg"
    callgrind_control --dump="$name" "$pid" >/dev/null
    local file
    file="$(ls -t "$out/$name".out* | grep -v '\.out$' | awk 'NR == 1')"
    local total
    total="$(awk '/^summary:|^totals:/ { print $2; exit }' "$file")"
    echo "$name: $((total / requests)) instructions per request ($requests requests of $url; $file)"
    callgrind_annotate --inclusive=yes "$file" 2>/dev/null \
        | awk -v n="$requests" -v top="$top" '
            /^-+$/ { dashes++; next }
            dashes >= 3 && $1 ~ /^[0-9,]+$/ && shown < top {
                c = $1; gsub(",", "", c); $1 = ""
                sub(/^ *\( *[0-9.]+%\) */, ""); sub(/ \[[^]]*\]$/, "")
                printf "%12d  %s\n", c / n, $0; shown++
            }'
}

(cd "$work" && exec valgrind --tool=callgrind --callgrind-out-file="$out/soapbridge.out" \
    "$bridge_bin" serve --listen "127.0.0.1:$port" --mappings "$work/mappings" \
    2>"$work/soapbridge.log") &
bridge=$!; pids+=("$bridge")
count soapbridge "$bridge" "http://127.0.0.1:$port$route"

if [ "$with_nginx" = 1 ]; then
    nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
    nginx_port="$(free_port)"
    mkdir -p "$work/nginx"
    body="$(cat "$work/$workload.request.xml")"
    cat >"$work/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log $work/nginx-access.log;
  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi; uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  upstream soap { server 127.0.0.1:$up_port; keepalive 64; }
  server {
    listen 127.0.0.1:$nginx_port;
    location /$workload/ {
      rewrite ^ /$workload? break;
      proxy_pass http://soap;
      proxy_method POST;
      proxy_http_version 1.1;
      proxy_pass_request_headers off;
      proxy_pass_request_body off;
      proxy_set_header Connection "";
      proxy_set_header Content-Type "text/xml; charset=utf-8";
      proxy_set_header SOAPAction '"$(cat "$work/$workload.action")"';
      proxy_set_body '$body';
      proxy_buffer_size 16k; proxy_buffers 32 8k; proxy_busy_buffers_size 32k;
    }
  }
}
EOF
    valgrind --tool=callgrind --callgrind-out-file="$out/nginx.out" \
        "$nginx_bin" -p "$work/nginx" -c "$work/nginx.conf" -e "$work/nginx-error.log" \
        2>"$work/nginx-valgrind.log" &
    nginx=$!; pids+=("$nginx")
    count nginx "$nginx" "http://127.0.0.1:$nginx_port$route"
fi
