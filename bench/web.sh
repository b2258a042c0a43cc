#!/usr/bin/env bash
# What the web app costs: the meeting page (server-rendered HTML of a 31-day meeting with 10
# people) against the API's GET of the same meeting (cached) and the no-database baseline, in
# one run, with and without gzip. Quote ratios to the baseline. With BEFORE=<commit>, that
# commit's binary first (bench/build-at.sh), for a before/after of a change in one session.
# Usage: [BEFORE=<commit>] bench/web.sh [DURATION=20s] [CONNECTIONS=64]   (needs wrk, curl, python3)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-20s}
connections=${2:-64}
port=${PORT:-18081}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
source bench/lib.sh

cargo build --release --quiet -p meetifyr --bin meetifyr
binaries=(./target/release/meetifyr)
if [ -n "${BEFORE:-}" ]; then
    source bench/build-at.sh
    build_at "$BEFORE"
    cargo build --release --quiet -p meetifyr --bin meetifyr
    binaries=("$BUILT_BIN" ./target/release/meetifyr)
fi
trap 'stop_server; rm -rf "${dir:-}"' EXIT
echo "== machine: $(nproc) cores; wrk -t2 -c$connections -d$duration"
for MEETIFYR_BIN in "${binaries[@]}"; do
    dir=$(mktemp -d)
    start_server --store "sqlite=sqlite://$dir/bench.db"
    base="http://127.0.0.1:$port"
    code=$(python3 bench/seed_meeting.py "$base/v1" 10 31)
    echo "==== $MEETIFYR_BIN"
    echo "page $(curl -s "$base/m/$code" | wc -c) bytes, $(curl -s -H 'accept-encoding: gzip' "$base/m/$code" | wc -c) gzipped; API body $(curl -s "$base/v1/meetings/$code" | wc -c) bytes"
    measure "baseline: GET unknown path (JSON 404, no database)" "$base/baseline"
    baseline=$rps
    measure "GET /v1/meetings/{code} (cached JSON)" "$base/v1/meetings/$code"
    api=$rps
    measure "GET /m/{code} (the page, rendered from the cached JSON)" "$base/m/$code"
    page=$rps
    measure "GET /m/{code} with gzip" -H "accept-encoding: gzip" "$base/m/$code"
    gzip=$rps
    awk -v b="$baseline" -v a="$api" -v p="$page" -v g="$gzip" 'BEGIN {
        printf "  ratios to the baseline: API GET %.2f, page %.2f, page gzipped %.2f\n", a / b, p / b, g / b }'
    stop_server
    rm -rf "$dir"
done
