# Shared by the bench scripts: starting a release server and measuring it with wrk.
# Expects: $port, $duration, $connections; sets $server (pid) and $dir (scratch folder).

start_server() { # store args…
    dir=${dir:-$(mktemp -d)}
    # wrk is one address far busier than any person: exempt it from the rate limits (an
    # environment variable, which older binaries such as bench/v1.sh's ignore).
    MEETIFYR_RATE_LIMIT_EXEMPT=127.0.0.1 "${MEETIFYR_BIN:-./target/release/meetifyr}" --listen "127.0.0.1:$port" --pool-size "${POOL_SIZE:-10}" --log "${LOG:-warn}" "$@" \
        >"$dir/server.log" 2>&1 &
    server=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && return 0; sleep 0.1; done
    echo "the server did not start:" >&2
    cat "$dir/server.log" >&2
    exit 1
}

stop_server() {
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
}

# Server CPU seconds (user + system) so far, from /proc: steadier than req/s on a shared box.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$server/stat"; }

# "steal total" jiffies of the whole machine: on a shared VM the hypervisor's steal share says
# how far wall-clock figures can be trusted.
steal() { awk '/^cpu / { t = 0; for (i = 2; i <= 9; i++) t += $i; print $9, t }' /proc/stat; }

# measure NAME wrk-args…: sets $rps; prints wrk's figures (with p95 from bench/percentiles.lua unless -s is given),
# the server's CPU time per request, and the share of CPU the host stole meanwhile.
measure() {
    local name=$1; shift
    echo "== $name"
    local before after out requests s0 s1 script=(-s bench/percentiles.lua)
    [[ " $* " == *" -s "* ]] && script=()
    before=$(cpu); s0=$(steal)
    out=$(wrk -t2 -c"$connections" -d"$duration" "${script[@]}" "$@")
    after=$(cpu); s1=$(steal)
    echo "$out" | grep -E "Requests/sec|Non-2xx|Socket errors|^ *p[0-9]+ "
    requests=$(echo "$out" | awk '/requests in/ { print $1 }')
    rps=$(echo "$out" | awk '/Requests\/sec/ { print $2 }')
    awk -v a="$after" -v b="$before" -v n="$requests" -v s0="$s0" -v s1="$s1" 'BEGIN {
        split(s0, x, " "); split(s1, y, " ")
        printf "  server CPU per request: %.0f us (%d requests); CPU stolen by the host: %.0f%%\n",
            (a - b) * 1e6 / n, n, 100 * (y[1] - x[1]) / (y[2] - x[2])
    }'
}
