#!/usr/bin/env bash
# One command for a load test: builds Meetifyr and meetifyr-load, starts the server on loopback
# with the stores the run names (fresh databases), runs the scenario, stops the server. Reports go
# to results/<time>-<scenario>-<preset>/ (or --results DIR). Exit code: the load tool's (3 = a gate
# failed).
#
#   scripts/load.sh --stores mysql,postgres,sqlite --scenario workflow,read --preset baseline -u 50 -t 30s
#   scripts/load.sh --stores sqlite --preset stress --gates crates/load/gates/seed.toml
#   scripts/load.sh --debug …          # debug build (the CI smoke run): no release rebuild
#
# Every argument but --debug goes to meetifyr-load (see `meetifyr-load --help`). Store names map
# to backends: sqlite* → a SQLite file; postgres*/edgedb* → PostgreSQL; mysql*/mariadb* → MariaDB.
# PostgreSQL and MariaDB come from MEETIFYR_TEST_POSTGRES_URL / MEETIFYR_TEST_MYSQL_URL (admin
# URLs, as for the tests) or, if unset, from scripts/databases.sh (as root). The server reads the
# MEETIFYR_* environment as usual, e.g. MEETIFYR_CACHE=off scripts/load.sh …
set -euo pipefail
cd "$(dirname "$0")/.."

profile=release
if [[ ${1:-} == --debug ]]; then profile=debug; shift; fi
stores=sqlite
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case ${args[i]} in
        --stores) stores=${args[i + 1]:-} ;;
        --stores=*) stores=${args[i]#--stores=} ;;
    esac
done

flags=(--quiet --workspace --bins)
[[ $profile == release ]] && flags+=(--release)
# MEETIFYR_PREBUILT=1: use the binaries already in target/ (the test suite builds them).
[[ -n ${MEETIFYR_PREBUILT:-} ]] || cargo build "${flags[@]}"

port=${PORT:-18200}
dir=$(mktemp -d)
db=meetifyr_load_$$
server=
cleanup() {
    [[ -n $server ]] && { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
    [[ -n ${pg_admin:-} ]] && psql -q "$pg_admin" -c "drop database if exists $db with (force)" >/dev/null 2>&1
    [[ -n ${my_admin:-} ]] && mysql_admin -e "drop database if exists $db" >/dev/null 2>&1
    rm -rf "$dir"
}
trap cleanup EXIT

# mysql client flags from a mysql://user:password@host:port/ URL.
mysql_admin() {
    local rest=${my_admin#*://} user pass hostport
    user=${rest%%:*}; rest=${rest#*:}; pass=${rest%%@*}; rest=${rest#*@}; hostport=${rest%%/*}
    MYSQL_PWD=$pass mysql -h "${hostport%%:*}" -P "${hostport##*:}" -u "$user" "$@"
}

needs_pg=false; needs_my=false
for store in ${stores//,/ }; do
    case $store in
        postgres* | edgedb*) needs_pg=true ;;
        mysql* | mariadb*) needs_my=true ;;
    esac
done
if { $needs_pg && [[ -z ${MEETIFYR_TEST_POSTGRES_URL:-} ]]; } || { $needs_my && [[ -z ${MEETIFYR_TEST_MYSQL_URL:-} ]]; }; then
    ./scripts/databases.sh >&2
fi
if $needs_pg; then
    pg_admin=${MEETIFYR_TEST_POSTGRES_URL:-postgres://meetifyr:meetifyr@127.0.0.1:5432/postgres}
    psql -q "$pg_admin" -c "create database $db" >/dev/null
    pg_url=${pg_admin%/*}/$db
fi
if $needs_my; then
    my_admin=${MEETIFYR_TEST_MYSQL_URL:-mysql://meetifyr:meetifyr@127.0.0.1:3306/}
    mysql_admin -e "create database $db character set utf8mb4"
    my_url=${my_admin%/*}/$db
fi

server_args=()
for store in ${stores//,/ }; do
    case $store in
        sqlite*) server_args+=(--store "$store=sqlite://$dir/$store.db") ;;
        postgres* | edgedb*) server_args+=(--store "$store=$pg_url") ;;
        mysql* | mariadb*) server_args+=(--store "$store=$my_url") ;;
        *) echo "scripts/load.sh: no backend for store '$store' (sqlite*, postgres*, edgedb*, mysql*, mariadb*)" >&2; exit 1 ;;
    esac
done

# The load generator is one address sending far more than any person: exempt it from the
# per-address rate limits (an environment variable, which older binaries ignore).
MEETIFYR_RATE_LIMIT_EXEMPT=127.0.0.1 "${MEETIFYR_BIN:-./target/$profile/meetifyr}" --listen "127.0.0.1:$port" --log "${MEETIFYR_LOG:-warn}" "${server_args[@]}" \
    >"$dir/server.log" 2>&1 &
server=$!
source scripts/load-lib.sh
load_against /health "$@"
