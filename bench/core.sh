#!/usr/bin/env bash
# The core issue's benchmark on SQLite, uncached:
#   1. GET /v1/meetings/{code} of a meeting with 10 participants x 31 days
#   2. POST /v1/participants on a 31-day meeting (one transaction, 31 dates)
# Builds the release binary, serves it on a fresh SQLite file, loads it with wrk beside it.
# Usage: [POOL_SIZE=10] bench/core.sh [DURATION=20s] [CONNECTIONS=64]   (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-20s}
connections=${2:-64}
port=${PORT:-18080}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

cargo build --release --quiet --bin meetifyr
dir=$(mktemp -d)
./target/release/meetifyr --listen "127.0.0.1:$port" --store "sqlite=sqlite://$dir/bench.db" \
    --pool-size "${POOL_SIZE:-10}" --log warn >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done

base="http://127.0.0.1:$port/v1"
read_code=$(python3 bench/seed_meeting.py "$base" 10 31)
write_code=$(python3 bench/seed_meeting.py "$base" 0 31)
bytes=$(curl -s "$base/meetings/$read_code" | wc -c)
echo "== machine: $(nproc) cores; wrk -t2 -c$connections -d$duration; GET body $bytes bytes"

# Server CPU seconds (user + system) so far, from /proc: steadier than req/s on a shared box.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$server/stat"; }

# "steal total" jiffies of the whole machine: on a shared VM the hypervisor's steal share says
# how far wall-clock figures can be trusted.
steal() { awk '/^cpu / { t = 0; for (i = 2; i <= 9; i++) t += $i; print $9, t }' /proc/stat; }

# run NAME wrk-args...: prints wrk's figures, the server's CPU time per request and the steal.
run() {
    local name=$1; shift
    echo "== $name"
    local before after out requests s0 s1
    before=$(cpu); s0=$(steal)
    out=$(wrk -t2 -c"$connections" -d"$duration" --latency "$@")
    after=$(cpu); s1=$(steal)
    echo "$out" | grep -E "Requests/sec|Latency |50%|99%|Non-2xx|Socket errors"
    requests=$(echo "$out" | awk '/requests in/ { print $1 }')
    awk -v a="$after" -v b="$before" -v n="$requests" -v s0="$s0" -v s1="$s1" 'BEGIN {
        split(s0, x, " "); split(s1, y, " ")
        printf "  server CPU per request: %.0f us (%d requests); CPU stolen by the host: %.0f%%\n",
            (a - b) * 1e6 / n, n, 100 * (y[1] - x[1]) / (y[2] - x[2])
    }'
}

# Baseline of this run: a route that touches no database (the JSON 404 for an unknown path),
# through the same middleware; its rate is this moment's HTTP ceiling on this machine.
run "baseline: GET unknown path (JSON 404, no database)" "http://127.0.0.1:$port/baseline"
run "GET meeting (10 participants x 31 days)" "$base/meetings/$read_code"
MEETING=$write_code run "POST participant (31 dates)" -s bench/create_participant.lua "$base/participants"
