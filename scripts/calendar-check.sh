#!/usr/bin/env bash
# The calendar check: the workspace's tests, the HTTP suite on PostgreSQL or MariaDB and the browser
# suite again with the system date and zone faked (Debian's libfaketime), so that no test passes only
# in the month, on the weekday or in the zone it was written in. Each argument is one run,
# "FAKETIME-SPEC|TZ"; without arguments, three months: a February end crossing midnight into March in
# Auckland, a leap day in Honolulu whose UTC date turns to 1 March, a New Year's Eve crossing into
# the next year in Seoul (each crossing happens a minute or two into the run).
#
# The build happens first, on the real clock (rustc does not run under libfaketime); cargo under
# faketime then only runs what is built. The databases and redis-server run on the real clock, as
# servers on other machines would. Expects what scripts/test.sh sets up (databases, their URLs).
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/require.sh
require "command -v faketime" faketime "command -v curl" curl

runs=("$@")
if [ ${#runs[@]} -eq 0 ]; then
    runs=("@2027-02-28 23:58:30|Pacific/Auckland" "@2028-02-29 13:58:30|Pacific/Honolulu"
        "@2027-12-31 23:58:30|Asia/Seoul")
fi
# Timers and timeouts read the monotonic clock: it stays real, only the calendar moves.
export FAKETIME_DONT_FAKE_MONOTONIC=1

built=$(cargo test --workspace --all-targets --no-run 2>&1)
api=$(sed -n "s|.*Executable tests/api/main.rs (\(.*\))|\1|p" <<<"$built")
[ -x "$api" ] || { echo "calendar check: the HTTP suite's binary was not found" >&2; exit 1; }

# MariaDB's HTTP suite takes half PostgreSQL's time here: it gets two of the three months.
servers=(mysql postgres)
month=0
for run in "${runs[@]}"; do
    spec=${run%%|*}
    zone=${run#*|}
    [ "$zone" = "$run" ] && zone=UTC
    echo "== calendar check: system date '$spec', TZ=$zone"

    # The faked date must reach a Rust binary, or this check would prove nothing.
    folder=$(mktemp -d)
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    TZ=$zone faketime -f "$spec" target/debug/meetifyr --listen "127.0.0.1:$port" \
        --store "sqlite=sqlite://$folder/check.db" --log warn &
    server=$!
    date_header=""
    for _ in $(seq 100); do
        date_header=$(curl -sfI "http://127.0.0.1:$port/health" 2>/dev/null | tr -d '\r' | sed -n 's/^date: //Ip') && [ -n "$date_header" ] && break
        sleep 0.1
    done
    kill "$server"
    wait "$server" 2>/dev/null || true
    rm -rf "$folder"
    expected=$(TZ=$zone faketime -f "$spec" date -u '+%d %b %Y')
    case "$date_header" in
    *"$expected"*) echo "   the server's clock reads: $date_header" ;;
    *)
        echo "calendar check: the server under faketime answered Date '$date_header', not in $expected" >&2
        exit 1
        ;;
    esac

    # (Not the tests of our own database and Redis servers, tests/servers.rs: TLS and restarts
    # read no calendar, and they cost a quarter of a minute a month.)
    TZ=$zone faketime -f "$spec" cargo test --workspace --all-targets -q -- --skip _over_tls_ --skip _restart_under_writes_
    # The HTTP suite on one server a month, in turn (the store's contract suite above runs on all
    # three every month, and the real-date run covers both servers): CI's 30 minutes.
    backend=${servers[$((month % 2))]}
    month=$((month + 1))
    echo "   the end-to-end HTTP suite on $backend"
    TZ=$zone MEETIFYR_E2E_BACKEND=$backend faketime -f "$spec" "$api" -q
    # The accessibility checks (axe, a few seconds each) read markup and contrast, not dates:
    # they run in the first month only (CI's 30 minutes).
    echo "   the browser suite, its server under the faked date"
    if [ "$month" -eq 1 ]; then
        TZ=$zone MEETIFYR_FAKETIME=$spec ./scripts/browser.sh
    else
        TZ=$zone MEETIFYR_FAKETIME=$spec ./scripts/browser.sh -k "not accessibility"
    fi
done
