#!/usr/bin/env bash
# Instruction counts of the hot path's workloads (bench/count.rs), steady where timings are not:
# each workload runs under valgrind's callgrind, counting only the measured iterations. Compared
# with bench/instructions.expected: a workload that costs more than 5% over its expectation fails
# (so a regression shows in review); --update rewrites the file from this run.
#
#   bench/instructions.sh [--update] [WORKLOAD...]
set -euo pipefail
cd "$(dirname "$0")/.."

update=0
if [ "${1:-}" = "--update" ]; then update=1; shift; fi
workloads=("$@")
if [ ${#workloads[@]} -eq 0 ]; then
    workloads=(small_round_trip large_decode large_decode_tree large_decode_validated large_encode)
fi
iterations=10
expected=bench/instructions.expected

if ! command -v valgrind >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    sudo=""
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then sudo="sudo -E"; fi
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq valgrind >/dev/null
fi
cargo build --quiet --release --example bench-count
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

declare -A counts
for w in "${workloads[@]}"; do
    valgrind --tool=callgrind --callgrind-out-file="$tmp/$w.out" --toggle-collect='*bench_count::measured*' \
        target/release/examples/bench-count "$w" "$iterations" >/dev/null 2>"$tmp/$w.log" \
        || { cat "$tmp/$w.log" >&2; exit 1; }
    total="$(awk '/^summary:/ { print $2 }' "$tmp/$w.out")"
    counts[$w]=$(( total / iterations ))
done

status=0
printf '| workload | instructions per iteration | expected | change |\n|---|---|---|---|\n'
for w in "${workloads[@]}"; do
    want="$(awk -v w="$w" '$1 == w { print $2 }' "$expected" 2>/dev/null || true)"
    if [ -n "$want" ]; then
        change="$(awk -v a="${counts[$w]}" -v b="$want" 'BEGIN { printf "%+.1f%%", (a - b) * 100 / b }')"
        if awk -v a="${counts[$w]}" -v b="$want" 'BEGIN { exit !(a > b * 1.05) }'; then
            change="$change (more than 5% over)"
            status=1
        fi
    else
        want="-"; change="new"
    fi
    printf '| %s | %s | %s | %s |\n' "$w" "${counts[$w]}" "$want" "$change"
done

if [ "$update" = 1 ]; then
    {
        echo "# Instructions per iteration of bench/count.rs's workloads (bench/instructions.sh --update)."
        for w in "${workloads[@]}"; do echo "$w ${counts[$w]}"; done
    } >"$expected"
    echo "wrote $expected"
    exit 0
fi
exit "$status"
