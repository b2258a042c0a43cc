# Shared by scripts/load.sh and scripts/exbuy-load.sh: wait for the server started in the
# background, run meetifyr-load against it, surface server errors, exit with the load's status.
# Expects: $profile, $port, $dir (server.log inside), the server already started.

# load_against HEALTH_PATH LOAD_ARGS…
load_against() {
    local health=$1; shift
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port$health" >/dev/null && break; sleep 0.1; done
    if ! curl -sf "http://127.0.0.1:$port$health" >/dev/null; then
        echo "$0: the server did not start:" >&2
        cat "$dir/server.log" >&2
        exit 1
    fi
    local status=0
    "./target/$profile/meetifyr-load" --host "http://127.0.0.1:$port" "$@" || status=$?
    if grep -qE "ERROR|panicked" "$dir/server.log"; then
        echo "== server log (errors):" >&2
        grep -E "ERROR|panicked" "$dir/server.log" | head -20 >&2
    fi
    exit "$status"
}
