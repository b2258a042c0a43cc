#!/usr/bin/env bash
# Issue 21's benchmark on SQLite, uncached: a time meeting of 7 days x 09:00-18:00 in 15-minute
# slots (252 slots) with 30 participants.
#   1. GET /v1/meetings/{code}
#   2. PUT …/participants/{id}/availability: one stroke, a whole answer of ~126 slots
# with, in the same run, the baseline route that touches no database (quote ratios to it), and
# the day meeting of bench/core.sh (10 x 31) for comparison. Then the bytes a participant takes
# on disk (SQLite, after VACUUM) and the CPU of the window ranking (crates/core/examples/windows.rs).
# ANSWERS=painted (the default: blocks of hours, as people paint) or random (half of the slots
# at random, the worst case for the participants' lists); see bench/seed_times.py.
# Usage: [ANSWERS=painted|random] bench/times.sh [DURATION=20s] [CONNECTIONS=64]   (needs wrk, curl, python3)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-20s}
connections=${2:-64}
port=${PORT:-18080}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
source bench/lib.sh

cargo build --release --quiet -p meetifyr --bin meetifyr
trap 'stop_server; rm -rf "${dir:-}"' EXIT
echo "== machine: $(nproc) cores; wrk -t2 -c$connections -d$duration; answers: ${ANSWERS:-painted}"
dir=$(mktemp -d)
start_server --cache off --store "sqlite=sqlite://$dir/bench.db"
base="http://127.0.0.1:$port/v1"
{ read -r code; read -r participant; read -r body; } < <(python3 bench/seed_times.py "$base" 30 7)
days=$(python3 bench/seed_meeting.py "$base" 10 31)
bytes=$(curl -s "$base/meetings/$code" | wc -c)
measure "baseline: GET unknown path (JSON 404, no database)" "http://127.0.0.1:$port/baseline"
baseline=$rps
measure "GET day meeting (10 participants x 31 days)" "$base/meetings/$days"
get_days=$rps
measure "GET time meeting (30 participants x 252 slots, $bytes bytes)" "$base/meetings/$code"
get=$rps
PARTICIPANT=$participant BODY=$body measure "PUT a stroke (a whole answer, $(echo "$body" | wc -c) bytes)" -s bench/stroke.lua "http://127.0.0.1:$port"
put=$rps
awk -v b="$baseline" -v d="$get_days" -v g="$get" -v p="$put" 'BEGIN {
    printf "  ratios to the baseline: GET day meeting %.2f, GET time meeting %.2f, PUT stroke %.3f\n", d / b, g / b, p / b }'
stop_server

# Bytes per participant on disk: 1,000 more participants with answers, after VACUUM.
size() { python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('pragma wal_checkpoint(truncate)'); c.execute('vacuum'); print(c.execute('pragma page_count').fetchone()[0]*c.execute('pragma page_size').fetchone()[0])" "$1"; }
before=$(size "$dir/bench.db")
start_server --cache off --store "sqlite=sqlite://$dir/bench.db"
python3 bench/seed_times.py "$base" 1000 7 >/dev/null
stop_server
after=$(size "$dir/bench.db")
awk -v a="$after" -v b="$before" 'BEGIN { printf "== on disk (SQLite, vacuumed): %.0f bytes per participant of a 252-slot meeting\n", (a - b) / 1000 }'

echo "== window ranking (crates/core/examples/windows.rs, release)"
cargo run --release --quiet -p meetifyr-core --example windows
