#!/usr/bin/env bash
# The side-by-side benchmark (bench/README.md): a canned SOAP upstream, soapbridge in front of it
# with its default settings, and nginx forwarding a pre-built envelope the same way (the lower
# bound any bridge can reach), loaded by wrk; prints one markdown table.
#
#   bench/run.sh [--duration S] [--runs N] [--connections C] [--threads T] [--workloads "small medium large"]
#                [--no-half-load] [--debug] [--smoke] [--keep]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

duration=10
runs=2
connections=32
threads=2
workloads="small medium large"
half_load=1
profile=release
keep=0
while [ $# -gt 0 ]; do
    case "$1" in
        --duration) duration="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --connections) connections="$2"; shift 2 ;;
        --threads) threads="$2"; shift 2 ;;
        --workloads) workloads="$2"; shift 2 ;;
        --no-half-load) half_load=0; shift ;;
        --debug) profile=debug; shift ;;
        # What .ci/run does: a second of load per target on the small and the large answer
        # (about 5 seconds in all), on the debug build `cargo test` made.
        --smoke) duration=1; runs=1; half_load=0; profile=debug; workloads="small large"; shift ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n 2,7p "$0"; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

# The tools: Debian's nginx and wrk.
if ! command -v nginx >/dev/null || ! command -v wrk >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    sudo=""
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then sudo="sudo -E"; fi
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq nginx-light wrk >/dev/null 2>&1 || $sudo apt-get install -y -qq nginx wrk >/dev/null
fi
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"

if [ "$profile" = release ]; then
    cargo build --quiet --release --bin soapbridge --example bench-upstream
    bin=target/release
else
    cargo build --quiet --bin soapbridge --example bench-upstream
    bin=target/debug
fi
root="$(pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/soapbridge-bench.XXXXXX")"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    if [ -f "$work/nginx.pid" ]; then kill "$(cat "$work/nginx.pid")" 2>/dev/null || true; fi
    wait 2>/dev/null || true
    if [ "$keep" = 0 ]; then rm -rf "$work"; else echo "kept $work" >&2; fi
}
trap cleanup EXIT

up_port="$(free_port)"; bridge_port="$(free_port)"; nginx_port="$(free_port)"
while [ "$bridge_port" = "$up_port" ]; do bridge_port="$(free_port)"; done
while [ "$nginx_port" = "$up_port" ] || [ "$nginx_port" = "$bridge_port" ]; do nginx_port="$(free_port)"; done

"$bin/examples/bench-upstream" prepare "$work" "127.0.0.1:$up_port" 2>"$work/prepare.log"

"$bin/examples/bench-upstream" serve "127.0.0.1:$up_port" "$work" 1 2>"$work/upstream.log" &
up_pid=$!; pids+=("$up_pid")
# soapbridge with its default settings (no soapbridge.yaml in its folder: every default), the
# default INFO log to a file.
(cd "$work" && exec "$root/$bin/soapbridge" serve --listen "127.0.0.1:$bridge_port" --mappings "$work/mappings" 2>"$work/soapbridge.log") &
bridge_pid=$!; pids+=("$bridge_pid")

# nginx: as many workers as soapbridge has (one per core), keep-alive to the upstream, the
# workload's envelope sent pre-built, the answer passed back untranslated, the default access log.
mkdir -p "$work/nginx"
{
    echo "worker_processes auto;"
    echo "pid $work/nginx.pid;"
    echo "error_log $work/nginx-error.log warn;"
    echo "events { worker_connections 4096; }"
    echo "http {"
    echo "  access_log $work/nginx-access.log;"
    echo "  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy;"
    echo "  fastcgi_temp_path $work/nginx/fastcgi; uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;"
    echo "  upstream soap { server 127.0.0.1:$up_port; keepalive 64; }"
    echo "  server {"
    echo "    listen 127.0.0.1:$nginx_port;"
    for w in $workloads; do
        body="$(cat "$work/$w.request.xml")"
        case "$body" in *"'"*|*'$'*|*'\'*) echo "the $w envelope cannot be quoted for nginx" >&2; exit 1 ;; esac
        echo "    location /$w/ {"
        echo "      rewrite ^ /$w? break;"
        echo "      proxy_pass http://soap;"
        echo "      proxy_method POST;"
        echo "      proxy_http_version 1.1;"
        echo "      proxy_pass_request_headers off;"
        echo "      proxy_pass_request_body off;"
        echo "      proxy_set_header Connection \"\";"
        echo "      proxy_set_header Content-Type \"text/xml; charset=utf-8\";"
        echo "      proxy_set_header SOAPAction '\"$(cat "$work/$w.action")\"';"
        echo "      proxy_set_body '$body';"
        echo "      proxy_buffer_size 16k; proxy_buffers 32 8k; proxy_busy_buffers_size 32k;"
        echo "    }"
    done
    echo "  }"
    echo "}"
} >"$work/nginx.conf"
"$nginx_bin" -p "$work/nginx" -c "$work/nginx.conf" -e "$work/nginx-error.log"

write_report_lua
wait_for "http://127.0.0.1:$bridge_port/livez"
for w in $workloads; do
    route="$(cat "$work/$w.route")"
    wait_for "http://127.0.0.1:$bridge_port$route"
    wait_for "http://127.0.0.1:$nginx_port$route"
    # Both answer what they should: JSON from the bridge, the stored envelope from nginx.
    curl -sf "http://127.0.0.1:$bridge_port$route" | python3 -c 'import json,sys; json.load(sys.stdin)'
    cmp -s <(curl -sf "http://127.0.0.1:$nginx_port$route") "$work/$w.answer.xml" \
        || { echo "nginx does not pass the $w answer through" >&2; keep=1; exit 1; }
done

nginx_master="$(cat "$work/nginx.pid")"
results="$work/results.txt"
: >"$results"
for w in $workloads; do
    route="$(cat "$work/$w.route")"
    for run in $(seq 1 "$runs"); do
        for target in nginx soapbridge; do
            case "$target" in
                nginx) line="$(measure "$nginx_master" "http://127.0.0.1:$nginx_port$route")" ;;
                soapbridge) line="$(measure "$bridge_pid" "http://127.0.0.1:$bridge_port$route")" ;;
            esac
            echo "$w $target $run $line" >>"$results"
            echo "$w $target run $run: $line (req/s p50µs p99µs cpuµs/req errors)" >&2
        done
    done
done

# Half of the bridge's peak, paced: the latency each adds over calling the upstream directly.
if [ "$half_load" = 1 ]; then
    for w in $workloads; do
        route="$(cat "$work/$w.route")"
        peak="$(awk -v w="$w" '$1 == w && $2 == "soapbridge" { s += $4; n++ } END { print (n ? s / n : 0) }' "$results")"
        # Each connection waits 1 ms between requests: connections = rate x (1 ms + latency).
        conns="$(awk -v p="$peak" -v t="$threads" 'BEGIN { c = int(p / 2 * 0.0012 + 0.5); if (c < t) c = t; print c }')"
        for target in direct nginx soapbridge; do
            case "$target" in
                direct) line="$(measure "$up_pid" "http://127.0.0.1:$up_port/$w" "$work/$w.request.xml" "$(cat "$work/$w.action")" 1 "$conns")" ;;
                nginx) line="$(measure "$nginx_master" "http://127.0.0.1:$nginx_port$route" "" "" 1 "$conns")" ;;
                soapbridge) line="$(measure "$bridge_pid" "http://127.0.0.1:$bridge_port$route" "" "" 1 "$conns")" ;;
            esac
            echo "$w half-$target 1 $line" >>"$results"
            echo "$w $target at half load ($conns connections): $line" >&2
        done
    done
fi

log_bytes="$(stat -c %s "$work/soapbridge.log")"
log_lines="$(wc -l <"$work/soapbridge.log")"
rss_kib="$(awk '/VmRSS/ { print $2 }' "/proc/$bridge_pid/status")"
errors_total="$(awk '{ s += $8 } END { print s + 0 }' "$results")"

# The table.
python3 - "$results" "$duration" "$connections" "$threads" "$log_bytes" "$log_lines" "$rss_kib" "$profile" "$work" <<'EOF'
import sys, collections
path, duration, conns, threads, log_bytes, log_lines, rss, profile, work = sys.argv[1:]
rows = [l.split() for l in open(path) if l.strip()]
sizes = {}
for w in ("small", "medium", "large"):
    try:
        sizes[w] = len(open(f"{work}/{w}.answer.xml", "rb").read())
    except OSError:
        pass
def fmt_size(n):
    return f"{n} B" if n < 1024 else f"{n / 1024:.1f} KiB"
print(f"wrk -t{threads} -c{conns} -d{duration}s, {profile} build; CPU/req = user+system of the target's process tree / requests\n")
print("| answer | target | run | req/s | p50 | p99 | CPU µs/req |")
print("|---|---|---|---|---|---|---|")
by = collections.defaultdict(list)
for w, target, run, rps, p50, p99, cpu, errors in rows:
    by[(w, target)].append((float(rps), int(p50), int(p99), float(cpu)))
    if target.startswith("half-"):
        continue
    size = fmt_size(sizes.get(w, 0))
    err = f" ({errors} errors)" if errors != "0" else ""
    print(f"| {w} ({size}) | {target} | {run} | {float(rps):,.0f}{err} | {int(p50)/1000:.2f} ms | {int(p99)/1000:.2f} ms | {float(cpu):.1f} |")
print()
print("| answer | throughput soapbridge / nginx | CPU per request soapbridge / nginx |")
print("|---|---|---|")
mean = lambda xs: sum(xs) / len(xs) if xs else float("nan")
for w in sizes:
    n, b = by.get((w, "nginx")), by.get((w, "soapbridge"))
    if not n or not b:
        continue
    print(f"| {w} | {mean([r[0] for r in b]) / mean([r[0] for r in n]):.2f}x | {mean([r[3] for r in b]) / mean([r[3] for r in n]):.2f}x |")
half = [(w, t) for (w, t) in by if t.startswith("half-")]
if half:
    print()
    print("| answer | at half of soapbridge's peak | direct p99 | nginx p99 | soapbridge p99 | added by soapbridge |")
    print("|---|---|---|---|---|---|")
    for w in sizes:
        d, n, b = by.get((w, "half-direct")), by.get((w, "half-nginx")), by.get((w, "half-soapbridge"))
        if not d or not b:
            continue
        print(f"| {w} | {b[0][0]:,.0f} req/s | {d[0][2]/1000:.2f} ms | {n[0][2]/1000:.2f} ms | {b[0][2]/1000:.2f} ms | {(b[0][2]-d[0][2])/1000:.2f} ms |")
print()
print(f"soapbridge's log: {int(log_bytes):,} bytes, {log_lines} lines; RSS after the runs: {int(rss)/1024:.1f} MiB")
EOF
if [ "$errors_total" != 0 ]; then
    echo "error: wrk counted $errors_total failed requests (logs: $work)" >&2
    keep=1
    exit 1
fi
