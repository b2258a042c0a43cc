#!/usr/bin/env bash
# One command for an ExBuy load test: builds exbuy and meetifyr-load, seeds a fresh database
# (SQLite file, or PostgreSQL with EXBUY_BACKEND=postgres), starts exbuy on loopback, runs the
# scenario (read-heavy, write-heavy or mixed: the original's k6 mixes), stops the server.
#
#   scripts/exbuy-load.sh --scenario mixed -u 50 -r 10 -t 1m
#   EXBUY_BACKEND=postgres EXBUY_SEED="--products 10000 --orders 50000 --reviews 100000" scripts/exbuy-load.sh --scenario read-heavy
#   scripts/exbuy-load.sh --debug …     # debug build (the CI smoke run)
#
# Every argument but --debug goes to meetifyr-load. Seeding defaults to the small size
# (1k/5k/10k); the k6 scripts need products 1–100 and orders 1–500. The server reads the EXBUY_*
# environment as usual, e.g. EXBUY_CACHE=off.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=release
if [[ ${1:-} == --debug ]]; then profile=debug; shift; fi
flags=(--quiet --workspace --bins)
[[ $profile == release ]] && flags+=(--release)
# MEETIFYR_PREBUILT=1: use the binaries already in target/ (the test suite builds them).
[[ -n ${MEETIFYR_PREBUILT:-} ]] || cargo build "${flags[@]}"

port=${PORT:-19200}
dir=$(mktemp -d)
db=exbuy_load_$$
server=
cleanup() {
    [[ -n $server ]] && { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
    [[ -n ${pg_admin:-} ]] && psql -q "$pg_admin" -c "drop database if exists $db with (force)" >/dev/null 2>&1
    rm -rf "$dir"
}
trap cleanup EXIT

if [[ ${EXBUY_BACKEND:-sqlite} == postgres ]]; then
    [[ -z ${MEETIFYR_TEST_POSTGRES_URL:-} ]] && ./scripts/databases.sh >&2
    pg_admin=${MEETIFYR_TEST_POSTGRES_URL:-postgres://meetifyr:meetifyr@127.0.0.1:5432/postgres}
    psql -q "$pg_admin" -c "create database $db" >/dev/null
    export EXBUY_DATABASE=${pg_admin%/*}/$db
else
    export EXBUY_DATABASE=sqlite://$dir/exbuy.db
fi
export EXBUY_UPLOAD_DIR=$dir/uploads EXBUY_LOG=${EXBUY_LOG:-warn}
# shellcheck disable=SC2086 # EXBUY_SEED is a list of flags
"${EXBUY_BIN:-./target/$profile/exbuy}" seed ${EXBUY_SEED:---products 1000 --orders 5000 --reviews 10000} >&2

"${EXBUY_BIN:-./target/$profile/exbuy}" --listen "127.0.0.1:$port" >"$dir/server.log" 2>&1 &
server=$!
source scripts/load-lib.sh
load_against /api/health "$@"
