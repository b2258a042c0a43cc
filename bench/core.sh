#!/usr/bin/env bash
# The core issue's benchmark on SQLite, uncached:
#   1. GET /v1/meetings/{code} of a meeting with 10 participants x 31 days
#   2. POST /v1/participants on a 31-day meeting (one transaction, 31 dates)
# with, in the same run, a baseline route that touches no database: quote ratios to it.
# Builds the release binary, serves it on a fresh SQLite file, loads it with wrk beside it.
# With V1=1, the same three on storage v1 (commit e3f28d8, per-day rows; see bench/v1.sh) first,
# in the same run. With BEFORE=<commit>, that commit's binary first (bench/build-at.sh), for a
# before/after of a change in one session.
# Usage: [V1=1 | BEFORE=<commit>] [POOL_SIZE=10] bench/core.sh [DURATION=20s] [CONNECTIONS=64]   (needs wrk, curl, python3)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-20s}
connections=${2:-64}
port=${PORT:-18080}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
source bench/lib.sh

cargo build --release --quiet -p meetifyr --bin meetifyr
binaries=(./target/release/meetifyr)
if [ "${V1:-0}" = 1 ]; then
    source bench/v1.sh
    cargo build --release --quiet -p meetifyr --bin meetifyr
    binaries=("$MEETIFYR_V1_BIN" ./target/release/meetifyr)
elif [ -n "${BEFORE:-}" ]; then
    source bench/build-at.sh
    build_at "$BEFORE"
    cargo build --release --quiet -p meetifyr --bin meetifyr
    binaries=("$BUILT_BIN" ./target/release/meetifyr)
fi
trap 'stop_server; rm -rf "${dir:-}"' EXIT
echo "== machine: $(nproc) cores; wrk -t2 -c$connections -d$duration"
for MEETIFYR_BIN in "${binaries[@]}"; do
    dir=$(mktemp -d)
    start_server --cache off --store "sqlite=sqlite://$dir/bench.db"
    base="http://127.0.0.1:$port/v1"
    read_code=$(python3 bench/seed_meeting.py "$base" 10 31)
    write_code=$(python3 bench/seed_meeting.py "$base" 0 31)
    bytes=$(curl -s "$base/meetings/$read_code" | wc -c)
    echo "==== $MEETIFYR_BIN (GET body $bytes bytes)"
    measure "baseline: GET unknown path (JSON 404, no database)" "http://127.0.0.1:$port/baseline"
    baseline=$rps
    measure "GET meeting (10 participants x 31 days)" "$base/meetings/$read_code"
    get=$rps
    MEETING=$write_code measure "POST participant (31 dates)" -s bench/create_participant.lua "$base/participants"
    post=$rps
    awk -v b="$baseline" -v g="$get" -v p="$post" 'BEGIN {
        printf "  ratios to the baseline: GET %.2f, POST participant %.3f\n", g / b, p / b }'
    stop_server
    rm -rf "$dir"
done
