#!/usr/bin/env bash
# The observability issue's figures, in one run on fresh SQLite files:
#   1. the profiling middleware's own cost: a route without database (the JSON 404), with the
#      middleware and without it (--profiling off);
#   2. GET meeting (10 participants x 31 days) uncached (--cache off) and cached;
#   3. the access log's cost: cached GET with one INFO line per request, text and json, into a
#      file (the other runs log at warn, as the bench scripts do).
# Usage: bench/observability.sh [DURATION=10s] [CONNECTIONS=64]   (needs wrk, curl, python3)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10s}
connections=${2:-64}
port=${PORT:-18070}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
source bench/lib.sh

cargo build --release --quiet -p meetifyr --bin meetifyr
dir=$(mktemp -d)
trap 'stop_server; rm -rf "$dir"' EXIT
echo "== machine: $(nproc) cores; wrk -t2 -c$connections -d$duration"

run_on() { # label server-args… -- wrk-target
    local label=$1; shift
    local args=()
    while [ "$1" != "--" ]; do args+=("$1"); shift; done
    shift
    rm -f "$dir"/bench.db*
    start_server "${args[@]}" --store "sqlite=sqlite://$dir/bench.db"
    local target=$1
    if [ "$target" = meeting ]; then
        local code
        code=$(python3 bench/seed_meeting.py "http://127.0.0.1:$port/v1" 10 31)
        target="http://127.0.0.1:$port/v1/meetings/$code"
    fi
    measure "$label" "$target"
    stop_server
}

run_on "no database, profiling off" --profiling off -- "http://127.0.0.1:$port/baseline"
run_on "no database, profiling on" -- "http://127.0.0.1:$port/baseline"
run_on "GET meeting, cache off" --cache off -- meeting
run_on "GET meeting, cache on" -- meeting
LOG=info run_on "GET meeting, cache on, access log (text)" -- meeting
LOG=info run_on "GET meeting, cache on, access log (json)" --log-format json -- meeting
