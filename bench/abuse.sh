#!/usr/bin/env bash
# Issue 24's slow and abusive clients: what share of normal traffic the server keeps while
# SLOW slowloris connections (a header line every DRIP s) and IDLE silent connections hold it,
# each reopened as soon as it is closed (bench/abuse.py). Normal traffic: wrk on a cached GET
# meeting, before and during the attack, in one run; and the server's RSS per held connection.
# Usage: bench/abuse.sh [DURATION=10s] [SLOW=5000] [IDLE=5000] [DRIP=5]   (needs wrk, curl, python3)
# Server flags (the defaults but --max-connections, which must exceed SLOW + IDLE + wrk's 64):
#   SERVER_ARGS="--header-read-timeout 30 --max-connections 12000"
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10s}
slow=${2:-5000}
idle=${3:-5000}
drip=${4:-5}
port=${PORT:-18090}
connections=64
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
source bench/lib.sh
ulimit -n "$(ulimit -Hn)"
cargo build --release --quiet -p meetifyr --bin meetifyr
dir=$(mktemp -d)
trap 'kill "${attack:-}" 2>/dev/null || true; stop_server; rm -rf "$dir"' EXIT
echo "== machine: $(nproc) cores; wrk -t2 -c$connections -d$duration; $slow slowloris + $idle idle connections; fd limit $(ulimit -n)"
# shellcheck disable=SC2086
start_server --store "sqlite=sqlite://$dir/bench.db" ${SERVER_ARGS:---max-connections 12000}
code=$(python3 bench/seed_meeting.py "http://127.0.0.1:$port/v1" 10 31)
rss() { awk '/VmRSS/ { print $2 }' "/proc/$server/status"; }
rss_before=$(rss)
measure "GET meeting, nobody else connected" "http://127.0.0.1:$port/v1/meetings/$code"
alone=$rps
secs=${duration%s}
python3 bench/abuse.py 127.0.0.1 "$port" "$slow" "$idle" "$drip" $((secs * 3 + 20)) &
attack=$!
sleep 8 # let every attacker connect
rss_during=$(rss)
held=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^meetifyr_connections / { print $2 }')
measure "GET meeting, while the attackers hold their connections" "http://127.0.0.1:$port/v1/meetings/$code"
during=$rps
awk -v a="$alone" -v d="$during" -v h="$held" -v r0="$rss_before" -v r1="$rss_during" 'BEGIN {
    printf "== normal traffic kept %.0f %% of its throughput; %d connections open; server RSS %.1f -> %.1f MiB (%.1f KB per held connection)\n",
        100 * d / a, h, r0 / 1024, r1 / 1024, (r1 - r0) / (h > 0 ? h : 1) }'
kill "$attack" 2>/dev/null || true
wait "$attack" 2>/dev/null || true
