#!/usr/bin/env bash
# Runs Meetifyr's whole test suite. On a fresh Debian machine (as root) it first installs and
# starts PostgreSQL and MariaDB (scripts/databases.sh); elsewhere point the two variables below
# at servers of your own. Idempotent: safe to run again while the databases are up.
set -euo pipefail
cd "$(dirname "$0")/.."

# promtool (Debian's prometheus package) checks the /metrics exposition in the tests.
if ! command -v promtool >/dev/null; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "promtool is missing: apt-get install prometheus (as root)" >&2
        exit 1
    fi
    echo "[test] installing promtool (Debian package prometheus)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null
fi

if [ -z "${MEETIFYR_TEST_POSTGRES_URL:-}" ] || [ -z "${MEETIFYR_TEST_MYSQL_URL:-}" ]; then
    ./scripts/databases.sh
fi
export MEETIFYR_TEST_POSTGRES_URL=${MEETIFYR_TEST_POSTGRES_URL:-postgres://meetifyr:meetifyr@127.0.0.1:5432/postgres}
export MEETIFYR_TEST_MYSQL_URL=${MEETIFYR_TEST_MYSQL_URL:-mysql://meetifyr:meetifyr@127.0.0.1:3306/}

# Everything, with the end-to-end HTTP suite on SQLite; then that suite again on each server.
cargo test --workspace --all-targets "$@"
for backend in postgres mysql; do
    echo "== end-to-end HTTP suite on $backend"
    MEETIFYR_E2E_BACKEND=$backend cargo test -p meetifyr --test api "$@"
done
