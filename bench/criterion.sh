#!/usr/bin/env bash
# Criterion baselines of the hot path (benches/convert.rs, benches/validate.rs): save one before a
# change, compare after it. The comparison prints each benchmark's change in mean time and fails
# when one is more than 5% slower (timings are noisy on a shared machine: repeat, and see
# bench/instructions.sh for counts that are not).
#
#   bench/criterion.sh save NAME       # e.g. on main
#   bench/criterion.sh compare NAME    # on the change
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-}"; name="${2:-}"
if [ -z "$name" ] || { [ "$mode" != save ] && [ "$mode" != compare ]; }; then
    sed -n 2,9p "$0"; exit 2
fi
benches=(--bench convert --bench validate)
if [ "$mode" = save ]; then
    cargo bench "${benches[@]}" -- --save-baseline "$name"
    exit 0
fi
cargo bench "${benches[@]}" -- --baseline "$name"
python3 - <<'PY'
import json, pathlib, sys
rows, worst = [], 0.0
for f in sorted(pathlib.Path("target/criterion").glob("*/*/*/change/estimates.json")) + \
         sorted(pathlib.Path("target/criterion").glob("*/*/change/estimates.json")):
    bench = "/".join(f.parts[2:-2])
    mean = json.loads(f.read_text())["mean"]["point_estimate"] * 100
    worst = max(worst, mean)
    rows.append(f"| {bench} | {mean:+.1f}% |" + (" more than 5% slower |" if mean > 5 else " |"))
print("| benchmark | mean time change | |\n|---|---|---|")
print("\n".join(rows))
sys.exit(1 if worst > 5 else 0)
PY
