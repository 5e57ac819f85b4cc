#!/usr/bin/env bash
# The soak: soapbridge (default settings) in front of the canned upstream under steady load for a
# while, its resident memory sampled as it goes; prints the curve (seconds, RSS in MiB, requests
# so far) as a markdown table and fails when the last quarter's RSS is more than 10% above the
# first quarter's.
#
#   bench/soak.sh [--seconds S] [--workload small|medium|large] [--connections C]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

seconds=600
workload=medium
connections=8
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        --workload) workload="$2"; shift 2 ;;
        --connections) connections="$2"; shift 2 ;;
        -h|--help) sed -n 2,7p "$0"; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
command -v wrk >/dev/null || { echo "wrk is missing: bench/run.sh installs it" >&2; exit 1; }
cargo build --quiet --release --bin soapbridge --example bench-upstream
root="$(pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/soapbridge-soak.XXXXXX")"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
up_port="$(free_port)"; bridge_port="$(free_port)"
target/release/examples/bench-upstream prepare "$work" "127.0.0.1:$up_port" 2>/dev/null
target/release/examples/bench-upstream serve "127.0.0.1:$up_port" "$work" 1 2>/dev/null &
pids+=($!)
(cd "$work" && exec "$root/target/release/soapbridge" serve --listen "127.0.0.1:$bridge_port" --mappings "$work/mappings" 2>"$work/soapbridge.log") &
bridge=$!; pids+=("$bridge")
route="$(cat "$work/$workload.route")"
for _ in $(seq 1 200); do curl -sf -o /dev/null "http://127.0.0.1:$bridge_port$route" && break; sleep 0.05; done

# Paced: each connection waits 1 ms between requests (steady, well below the peak).
echo 'function delay() return 1 end' >"$work/pace.lua"
wrk -t2 -c"$connections" -d"${seconds}s" --timeout 5s -s "$work/pace.lua" "http://127.0.0.1:$bridge_port$route" >"$work/wrk.txt" &
load=$!; pids+=("$load")
echo "| seconds | RSS MiB | access lines |"
echo "|---|---|---|"
start=$(date +%s)
samples="$work/rss.txt"
while kill -0 "$load" 2>/dev/null; do
    now=$(( $(date +%s) - start ))
    rss="$(awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$bridge/status")"
    lines="$(grep -c 'soapbridge::access' "$work/soapbridge.log" || true)"
    echo "$now $rss" >>"$samples"
    echo "| $now | $rss | $lines |"
    sleep $(( seconds / 20 > 0 ? seconds / 20 : 1 ))
done
wait "$load" || true
grep -E "requests in|Requests/sec|Non-2xx|Socket errors" "$work/wrk.txt" || true
awk '{ v[NR] = $2 } END {
    q = int(NR / 4); if (q < 1) q = 1
    for (i = 1; i <= q; i++) a += v[i]; for (i = NR - q + 1; i <= NR; i++) b += v[i]
    a /= q; b /= q
    printf "first quarter %.1f MiB, last quarter %.1f MiB (%+.1f%%)\n", a, b, (b - a) * 100 / a
    exit (b > a * 1.10)
}' "$samples"
