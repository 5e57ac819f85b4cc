#!/usr/bin/env bash
# What observability costs: two soapbridge processes in front of the canned upstream, one with the
# whole stack on (metrics, request ids, the JSON access log sampled at 1%, tracing spans at INFO
# without an exporter), one with all of it off (no /metrics counting, no access log, WARN level:
# no spans); wrk loads them in turn, alternating, in one run; prints each run and the ratios as a
# markdown table and fails when the stack costs 10% of throughput or more.
#
#   bench/observability.sh [--duration S] [--runs N] [--connections C] [--workloads "small medium"]
#                          [--debug] [--smoke]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

duration=10
runs=3
connections=32
threads=2
workloads="small medium"
profile=release
keep=0
smoke=0
while [ $# -gt 0 ]; do
    case "$1" in
        --duration) duration="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --connections) connections="$2"; shift 2 ;;
        --workloads) workloads="$2"; shift 2 ;;
        --debug) profile=debug; shift ;;
        # One 1-second run of each on the small answer, on the debug build: proves the script
        # works; its numbers mean nothing (no verdict).
        --smoke) duration=1; runs=1; profile=debug; workloads=small; smoke=1; shift ;;
        -h|--help) sed -n 2,9p "$0"; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
command -v wrk >/dev/null || { echo "wrk is missing: bench/run.sh installs it" >&2; exit 1; }
if [ "$profile" = release ]; then
    cargo build --quiet --release --bin soapbridge --example bench-upstream
else
    cargo build --quiet --bin soapbridge --example bench-upstream
fi
# The build cargo just made (CARGO_TARGET_DIR is honoured).
bin="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/$profile"
work="$(mktemp -d "${TMPDIR:-/tmp}/soapbridge-observability.XXXXXX")"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [ "$keep" = 0 ]; then rm -rf "$work"; else echo "kept $work" >&2; fi
}
trap cleanup EXIT

up_port="$(free_port)"
"$bin/examples/bench-upstream" prepare "$work" "127.0.0.1:$up_port" 2>"$work/prepare.log"
"$bin/examples/bench-upstream" serve "127.0.0.1:$up_port" "$work" 1 2>"$work/upstream.log" &
pids+=($!)

# The two settings files: everything the issue names on, and everything off.
mkdir -p "$work/on" "$work/off"
cat >"$work/on/soapbridge.yaml" <<'EOF'
metrics: true
log:
  format: json
  access_log: true
  access_sample: 0.01
tracing:
  otlp_endpoint: ""
EOF
cat >"$work/off/soapbridge.yaml" <<'EOF'
metrics: false
log:
  access_log: false
EOF
declare -A port pid
for stack in on off; do
    port[$stack]="$(free_port)"
    level=info
    if [ "$stack" = off ]; then level=warn; fi
    (cd "$work/$stack" && SOAPBRIDGE_LOG="$level" exec "$bin/soapbridge" serve \
        --listen "127.0.0.1:${port[$stack]}" --mappings "$work/mappings" 2>"$work/$stack.log") &
    pid[$stack]=$!
    pids+=("${pid[$stack]}")
done
write_report_lua
for stack in on off; do
    wait_for "http://127.0.0.1:${port[$stack]}/livez"
    for w in $workloads; do
        wait_for "http://127.0.0.1:${port[$stack]}$(cat "$work/$w.route")"
    done
done
# The stack is what it says: /metrics counts on one and is absent on the other.
curl -sf "http://127.0.0.1:${port[on]}/metrics" | grep -q '^soapbridge_requests_total' \
    || { echo "the observed bridge serves no request counts" >&2; keep=1; exit 1; }
if curl -sf -o /dev/null "http://127.0.0.1:${port[off]}/metrics"; then
    echo "the bare bridge still serves /metrics" >&2; keep=1; exit 1
fi

results="$work/results.txt"
: >"$results"
for w in $workloads; do
    route="$(cat "$work/$w.route")"
    for run in $(seq 1 "$runs"); do
        for stack in on off; do
            line="$(measure "${pid[$stack]}" "http://127.0.0.1:${port[$stack]}$route")"
            echo "$w $stack $run $line" >>"$results"
            echo "$w $stack run $run: $line (req/s p50µs p99µs cpuµs/req errors)" >&2
        done
    done
done
on_lines="$(wc -l <"$work/on.log")"

python3 - "$results" "$duration" "$connections" "$threads" "$profile" "$on_lines" "$smoke" <<'EOF'
import sys, collections
path, duration, conns, threads, profile, on_lines, smoke = sys.argv[1:]
rows = [l.split() for l in open(path) if l.strip()]
print(f"wrk -t{threads} -c{conns} -d{duration}s, {profile} build, runs alternating; CPU/req = user+system of the bridge / requests\n")
print("| answer | observability | run | req/s | p50 | p99 | CPU µs/req |")
print("|---|---|---|---|---|---|---|")
by = collections.defaultdict(list)
for w, stack, run, rps, p50, p99, cpu, errors in rows:
    by[(w, stack)].append((float(rps), float(cpu)))
    err = f" ({errors} errors)" if errors != "0" else ""
    print(f"| {w} | {stack} | {run} | {float(rps):,.0f}{err} | {int(p50)/1000:.2f} ms | {int(p99)/1000:.2f} ms | {float(cpu):.1f} |")
print()
print("| answer | throughput on / off | CPU per request on / off |")
print("|---|---|---|")
mean = lambda xs: sum(xs) / len(xs)
worst = 1.0
for w in dict.fromkeys(r[0] for r in rows):
    on, off = by[(w, "on")], by[(w, "off")]
    t = mean([r[0] for r in on]) / mean([r[0] for r in off])
    c = mean([r[1] for r in on]) / mean([r[1] for r in off])
    worst = min(worst, t)
    print(f"| {w} | {t:.3f}x | {c:.3f}x |")
print(f"\nthe observed bridge wrote {on_lines} log lines (JSON, access lines sampled at 1%)")
if smoke == "1":
    sys.exit(0)
if worst < 0.9:
    print(f"\nFAIL: the observability stack costs {100 * (1 - worst):.1f}% of throughput (target < 10%)")
    sys.exit(1)
print(f"\nok: the observability stack costs {100 * (1 - worst):.1f}% of throughput at most (target < 10%)")
EOF
if awk '$8 != 0 { bad = 1 } END { exit !bad }' "$results"; then
    echo "error: wrk counted failed requests (logs: $work)" >&2
    keep=1
    exit 1
fi
