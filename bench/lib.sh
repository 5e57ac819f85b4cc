# Shared by the bench scripts (sourced, not run): loopback ports, waiting for a target, wrk's
# one-line report, and CPU time per request from /proc. The caller sets `work` (a scratch folder),
# `keep`, `threads`, `connections` and `duration` before calling `measure`.

# Free ports on loopback, chosen by the kernel.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Waits until URL answers 2xx (10 s at most); otherwise keeps the scratch folder and fails.
wait_for() { # URL
    for _ in $(seq 1 200); do
        if curl -sf -o /dev/null "$1"; then return 0; fi
        sleep 0.05
    done
    echo "nothing answers at $1; logs in $work" >&2
    keep=1
    exit 1
}

# wrk's report as one line (latencies in µs), and its pacing for the half-load runs, written to
# $work/report.lua.
write_report_lua() {
    cat >"$work/report.lua" <<'EOF'
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
local body = os.getenv("BENCH_BODY")
if body and body ~= "" then
    local f = assert(io.open(body, "rb"))
    wrk.method = "POST"
    wrk.body = f:read("*a")
    f:close()
    wrk.headers["Content-Type"] = "text/xml; charset=utf-8"
    wrk.headers["SOAPAction"] = '"' .. os.getenv("BENCH_ACTION") .. '"'
end
if pause > 0 then
    function delay() return pause end
end
function done(summary, latency, requests)
    local errors = summary.errors.connect + summary.errors.read + summary.errors.write
        + summary.errors.status + summary.errors.timeout
    io.write(string.format("RESULT %d %d %d %d %d\n", summary.requests, summary.duration,
        errors, latency:percentile(50), latency:percentile(99)))
end
EOF
}

# CPU ticks (user + system) of a process and all its descendants.
ticks() {
    local total=0 p stat rest
    for p in $(tree_pids "$1"); do
        stat="$(cat "/proc/$p/stat" 2>/dev/null)" || continue
        rest="${stat##*) }"
        # Fields 14 and 15 (utime, stime) are the 12th and 13th after the command's ")".
        set -- $rest
        total=$((total + ${12} + ${13}))
    done
    echo "$total"
}
tree_pids() {
    echo "$1"
    local c
    for c in $(pgrep -P "$1" || true); do tree_pids "$c"; done
}
hz="$(getconf CLK_TCK)"

# One wrk run against a target: "req/s p50_us p99_us cpu_us_per_request errors".
measure() { # TARGET_PID URL [BODY ACTION] [DELAY_MS CONNECTIONS]
    local pid="$1" url="$2" body="${3:-}" action="${4:-}" delay="${5:-0}" conns="${6:-$connections}"
    local before after out
    before="$(ticks "$pid")"
    out="$(BENCH_BODY="$body" BENCH_ACTION="$action" BENCH_DELAY_MS="$delay" \
        wrk -t"$threads" -c"$conns" -d"${duration}s" --timeout 5s -s "$work/report.lua" "$url" | grep '^RESULT')"
    after="$(ticks "$pid")"
    set -- $out
    local requests="$2" micros="$3" errors="$4" p50="$5" p99="$6"
    local cpu_us=$(( (after - before) * 1000000 / hz ))
    awk -v r="$requests" -v d="$micros" -v c="$cpu_us" -v p50="$p50" -v p99="$p99" -v e="$errors" \
        'BEGIN { printf "%.0f %d %d %.1f %d\n", r / (d / 1e6), p50, p99, (r > 0 ? c / r : 0), e }'
}
