#!/usr/bin/env bash
# Runs Meetifyr's whole test suite. On a fresh Debian machine (as root) it first installs and
# starts PostgreSQL and MariaDB (scripts/databases.sh); elsewhere point the two variables below
# at servers of your own. Idempotent: safe to run again while the databases are up.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/require.sh
# promtool checks the /metrics exposition; curl waits for servers' health in the load smoke;
# the cluster tests start their own redis-server, scripts/cluster-test.sh HAProxy; python3 with
# venv runs the browser suite, the fuzzer and the cluster checks; faketime runs the suite's
# calendar check in other months; openssl makes the CA of the TLS tests (tests/servers.rs).
require "command -v promtool" prometheus \
    "command -v curl" curl \
    "command -v redis-server" redis-server \
    "command -v haproxy" haproxy \
    "command -v faketime" faketime \
    "command -v openssl" openssl
require_python

# No module may import one that imports it back (docs/architecture.md); the checker itself must
# catch a circle.
python3 scripts/module-cycles.py
circle=$(mktemp -d)
mkdir -p "$circle/src" && echo 'use crate::{b::B};' >"$circle/src/a.rs" && echo 'use crate::a::A;' >"$circle/src/b.rs"
if python3 scripts/module-cycles.py "$circle" >/dev/null; then
    echo "scripts/module-cycles.py missed a circle" >&2
    exit 1
fi
rm -rf "$circle"

if [ -z "${MEETIFYR_TEST_POSTGRES_URL:-}" ] || [ -z "${MEETIFYR_TEST_MYSQL_URL:-}" ]; then
    ./scripts/databases.sh
fi
export MEETIFYR_TEST_POSTGRES_URL=${MEETIFYR_TEST_POSTGRES_URL:-postgres://meetifyr:meetifyr@127.0.0.1:5432/postgres}
export MEETIFYR_TEST_MYSQL_URL=${MEETIFYR_TEST_MYSQL_URL:-mysql://meetifyr:meetifyr@127.0.0.1:3306/}
export MEETIFYR_TEST_MYSQL_PLAIN_URL=${MEETIFYR_TEST_MYSQL_PLAIN_URL:-mysql://meetifyr_plain:meetifyr@127.0.0.1:3306/}

# Everything, with the end-to-end HTTP suites on SQLite. Each binary's own tests (CARGO_BIN_EXE_*)
# make cargo build it, so the scripts below find target/debug/{meetifyr,exbuy,meetifyr-load}.
cargo test --workspace --all-targets "$@"
for binary in meetifyr exbuy meetifyr-load; do
    [ -x "target/debug/$binary" ] || { echo "target/debug/$binary was not built by cargo test" >&2; exit 1; }
done

# The HTTP suites again on the servers: the test binaries just built, run directly (a narrower
# cargo selection such as `-p meetifyr --test api` resolves features differently and would
# compile half the tree a second time).
built=$(cargo test --workspace --all-targets --no-run 2>&1)
executable() { sed -n "s|.*Executable $1 (\(.*\))|\1|p" <<<"$built"; }
api=$(executable tests/api/main.rs)
http=$(executable tests/http.rs)
[ -x "$api" ] && [ -x "$http" ] || { echo "test binaries not found (api: '$api', http: '$http')" >&2; exit 1; }
for backend in postgres mysql; do
    echo "== end-to-end HTTP suite on $backend"
    MEETIFYR_E2E_BACKEND=$backend "$api" "$@"
done
echo "== ExBuy end-to-end suite on postgres"
EXBUY_TEST_BACKEND=postgres "$http" "$@"

# The load path itself, through the one command users run (scripts/load.sh, debug build): every
# scenario for a few seconds on all three stores with loose gates, then a gate that cannot pass
# must fail the run with exit code 3. Skipped when a test filter was given.
if [ $# -eq 0 ]; then
    export MEETIFYR_PREBUILT=1 # the binaries `cargo test --workspace --all-targets` just built
    smoke=$(mktemp -d)
    trap 'rm -rf "$smoke"' EXIT
    echo "== load smoke: workflow, read and contention on mysql, postgres, sqlite (one command)"
    ./scripts/load.sh --debug --stores mysql,postgres,sqlite --scenario workflow,read,contention -u 6 -r 6 -t 3s \
        --read-meetings 5 --gates crates/load/gates/smoke.toml --results "$smoke" --progress-every 0 | tee "$smoke/load.log"
    # The load suite's own server exempts it from the per-address rate limits: none may show.
    if grep -q "refused with 429" "$smoke/load.log"; then
        echo "load smoke: the load suite was rate limited" >&2
        exit 1
    fi
    for scenario in workflow read contention; do
        for report in report.html goose-report.html summary.json requests.csv timeline.csv table.txt; do
            test -s "$(echo "$smoke"/*-$scenario-baseline/"$report")" || { echo "load smoke: no $scenario $report" >&2; exit 1; }
        done
        for store in mysql postgres sqlite; do
            grep -q "get_meetings_$store" "$(echo "$smoke"/*-$scenario-baseline/requests.csv)" ||
                { echo "load smoke: $scenario has no figures for $store" >&2; exit 1; }
        done
    done
    echo "== load smoke: live (SSE and WebSocket watchers while writers toggle) on mysql, postgres, sqlite"
    ./scripts/load.sh --debug --stores mysql,postgres,sqlite --scenario live --live-meetings 5 --watchers 4 \
        --writes-per-second 20 -t 3s --results "$smoke/live" | tee "$smoke/live.log"
    test -s "$smoke/live/live-summary.json" || { echo "load smoke: no live summary" >&2; exit 1; }
    for store in mysql postgres sqlite; do
        grep -q "^$store: .* lost updates: 0;" "$smoke/live.log" || { echo "load smoke: live on $store lost updates" >&2; exit 1; }
        grep "^$store: " "$smoke/live.log" | grep -q "sse x 10: .* lost 0; ws x 10: .* lost 0" ||
            { echo "load smoke: live on $store did not watch over both SSE and WebSocket" >&2; exit 1; }
    done
    for backend in sqlite postgres; do
        echo "== load smoke: ExBuy mixed (the k6 mix) on $backend"
        EXBUY_BACKEND=$backend EXBUY_SEED="--products 300 --orders 600 --reviews 500" ./scripts/exbuy-load.sh --debug \
            --scenario mixed -u 6 -r 6 -t 3s --gates crates/load/gates/smoke.toml --results "$smoke" --progress-every 0
    done
    # The browser suite (scripts/browser.sh, the web app in Debian's Chromium) runs inside the
    # calendar check, once per faked month: a fourth run on today's date would add time, not cover more.
    echo "== the calendar check: the Rust suites and the browser suite in three other months and zones"
    ./scripts/calendar-check.sh
    echo "== contract fuzzing: schemathesis against /openapi.json, each store first (scripts/fuzz.sh)"
    ./scripts/fuzz.sh
    echo "== the cluster: 3 instances, HAProxy, Prometheus (scripts/cluster-test.sh)"
    ./scripts/cluster-test.sh
    echo "== the Debian package: built, installed, its unit's ExecStart run, removed (scripts/package-test.sh)"
    if [ "$(id -u)" = 0 ]; then
        ./scripts/package-test.sh
    else
        echo "note: skipping the Debian package test: it installs a package and needs root"
    fi
    echo "== load smoke: an impossible gate must fail the run"
    status=0
    ./scripts/load.sh --debug --stores sqlite -u 2 -r 2 -t 2s --gates crates/load/gates/impossible.toml \
        --results "$smoke" --progress-every 0 >"$smoke/impossible.log" 2>&1 || status=$?
    if [ "$status" -ne 3 ] || ! grep -q "FAIL" "$smoke/impossible.log"; then
        echo "load smoke: the impossible gate gave exit $status, not 3:" >&2
        cat "$smoke/impossible.log" >&2
        exit 1
    fi
    echo "== performance: 60 s of the seed workflow, 100 users on SQLite, gated (scripts/perf.sh ci)"
    ./scripts/perf.sh ci
fi
