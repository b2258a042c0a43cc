#!/usr/bin/env bash
# The contract fuzzer: schemathesis (pinned, from PyPI, in a venv under target/) against a live
# server with all three stores mounted, driven by the server's own /openapi.json: every check,
# every phase (examples, coverage, fuzzing, stateful), MAX_EXAMPLES per operation. The document's
# paths are the first store's (`/v1/…`), so there is a run with each store first.
# Expects the databases of scripts/databases.sh (or MEETIFYR_TEST_{POSTGRES,MYSQL}_URL) and a
# built server (MEETIFYR_BIN, default ./target/debug/meetifyr).
# Usage: [MAX_EXAMPLES=200] [STORES=sqlite,postgres,mysql] scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."

version=4.32.5
. scripts/require.sh
require_python
venv=target/fuzz-venv
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$version"; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "schemathesis==$version"
fi

bin=${MEETIFYR_BIN:-./target/debug/meetifyr}
examples=${MAX_EXAMPLES:-200}
pg_admin=${MEETIFYR_TEST_POSTGRES_URL:-postgres://meetifyr:meetifyr@127.0.0.1:5432/postgres}
my_admin=${MEETIFYR_TEST_MYSQL_URL:-mysql://meetifyr:meetifyr@127.0.0.1:3306/}
db=meetifyr_fuzz_$$
dir=$(mktemp -d)
servers=()
cleanup() {
    for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    for first in sqlite postgres mysql; do
        PGPASSWORD=meetifyr psql -qh 127.0.0.1 -U meetifyr -d postgres -c "drop database if exists ${db}_$first with (force)" >/dev/null 2>&1 || true
        MYSQL_PWD=meetifyr mysql -h 127.0.0.1 -u meetifyr -e "drop database if exists ${db}_$first" 2>/dev/null || true
    done
    rm -rf "$dir"
}
trap cleanup EXIT

# One run per store first, each on databases of its own, side by side: a run is mostly the
# fuzzer's own CPU, so two cores finish three sooner together than one after another.
IFS=, read -ra order <<<"${STORES:-sqlite,postgres,mysql}"
runs=()
for first in "${order[@]}"; do
    PGPASSWORD=meetifyr psql -qh 127.0.0.1 -U meetifyr -d postgres -c "create database ${db}_$first" >/dev/null
    MYSQL_PWD=meetifyr mysql -h 127.0.0.1 -u meetifyr -e "create database ${db}_$first character set utf8mb4"
    declare -A url=(
        [sqlite]="sqlite://$dir/fuzz-$first.db"
        [postgres]="${pg_admin%/*}/${db}_$first"
        [mysql]="${my_admin%/}/${db}_$first"
    )
    stores=(--store "$first=${url[$first]}")
    for other in sqlite postgres mysql; do
        [[ $other == "$first" ]] || stores+=(--store "$other=${url[$other]}")
    done
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    # No rate limits: the fuzzer is one address sending thousands of writes (429 stays documented).
    "$bin" --listen "127.0.0.1:$port" --log warn --rate-limit off "${stores[@]}" >"$dir/server-$first.log" 2>&1 &
    servers+=($!)
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
    # The live routes stream forever (SSE) or need an upgrade (WebSocket): their error answers
    # are covered by the end-to-end tests instead. ensure_resource_availability is off: a
    # participant is addressed by its id with its meeting's code in the body; stateful chains
    # mutate that code, and the documented 404 reads to this check (which looks at path
    # parameters only) as "created resource not found". Schemathesis cannot scope a check to one
    # operation, and the end-to-end suite checks that created meetings and participants are found.
    (
        status=0
        "$venv/bin/schemathesis" --config-file scripts/fuzz/schemathesis.toml run "http://127.0.0.1:$port/openapi.json" \
            --checks all --exclude-checks ensure_resource_availability --max-examples "$examples" \
            --phases examples,coverage,fuzzing,stateful --exclude-path-regex '/(events|ws)$' --request-timeout 10 \
            --seed 1 --no-color >"$dir/fuzz-$first.log" 2>&1 || status=$?
        echo "$status" >"$dir/fuzz-$first.status"
    ) &
    runs+=("$first")
done
while [ "$(ls "$dir"/fuzz-*.status 2>/dev/null | wc -l)" -lt "${#runs[@]}" ]; do sleep 1; done
failed=0
for first in "${runs[@]}"; do
    echo "== schemathesis $version, /v1 = $first, $examples examples per operation"
    cat "$dir/fuzz-$first.log"
    [ "$(cat "$dir/fuzz-$first.status")" = 0 ] || failed=1
done
exit $failed
