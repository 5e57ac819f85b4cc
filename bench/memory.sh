#!/usr/bin/env bash
# Resident memory of soapbridge serving a folder of mappings at once with the built-in mock (so no
# upstream is needed): the RSS once it answers /livez, then after /openapi.json and /openapi.yaml
# were asked for (the documents are rendered on their first request).
#
#   bench/memory.sh MAPPINGS_DIR [--workers N]      (SOAPBRIDGE_BIN=path serves with that binary)
set -euo pipefail
cd "$(dirname "$0")/.."

dir="${1:-}"
[ -d "$dir" ] || { sed -n 2,6p "$0"; exit 2; }
shift
workers=""
if [ "${1:-}" = "--workers" ]; then workers="$2"; shift 2; fi
if [ -n "${SOAPBRIDGE_BIN:-}" ]; then
    bin="$(realpath "$SOAPBRIDGE_BIN")"   # e.g. the release's static musl build
else
    cargo build --quiet --release --bin soapbridge
    bin="$(pwd)/target/release/soapbridge"
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/soapbridge-memory.XXXXXX")"
pid=""
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
config=()
if [ -n "$workers" ]; then
    printf 'workers: %s\n' "$workers" >"$work/soapbridge.yaml"
    config=(--config "$work/soapbridge.yaml")
fi
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
(cd "$dir" && exec "$bin" serve "${config[@]}" --mock --mappings . --listen "127.0.0.1:$port") \
    >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/livez" && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
    sleep 0.2
done
sleep 1
rss() { awk '/^VmRSS/ { printf "%.1f MiB", $2 / 1024 }' "/proc/$pid/status"; }
routes="$(grep -o 'routes=[0-9]*' "$work/serve.log" | head -n 1 || true)"
echo "| moment | RSS |"
echo "|---|---|"
echo "| after start-up ($(find "$dir" -maxdepth 1 -name '*.yaml' | wc -l) mappings, ${routes:-routes=?}) | $(rss) |"
curl -sf -o /dev/null "http://127.0.0.1:$port/openapi.json"
curl -sf -o /dev/null "http://127.0.0.1:$port/openapi.yaml"
echo "| after /openapi.json and /openapi.yaml | $(rss) |"
