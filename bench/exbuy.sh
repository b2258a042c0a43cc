#!/usr/bin/env bash
# ExBuy measurements on SQLite and PostgreSQL (fresh databases), release build:
#   1. seeding time and database size (SIZES, default "medium large");
#   2. ?optimize=true against the N+1 path (cache off): query counts and wrk throughput;
#   3. streaming export of 1M orders: rows/s, server RSS growth, and a client that disconnects.
# Usage (as root on Debian): bench/exbuy.sh [DURATION=10s] [CONNECTIONS=32]
# Env: BACKENDS (default "sqlite postgres"), SIZES (small|medium|large, default "medium large").
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10s}
connections=${2:-32}
port=${PORT:-19300}
backends=${BACKENDS:-sqlite postgres}
sizes=${SIZES:-medium large}
pg_admin=${MEETIFYR_TEST_POSTGRES_URL:-postgres://meetifyr:meetifyr@127.0.0.1:5432/postgres}
[[ -z ${MEETIFYR_TEST_POSTGRES_URL:-} && $backends == *postgres* ]] && ./scripts/databases.sh >&2

cargo build --release --quiet --workspace --bins
dir=$(mktemp -d)
server=
stop() { [[ -n $server ]] && { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=; }; }
trap 'stop; rm -rf "$dir"' EXIT

fresh() { # backend name → database URL (empty database)
    if [[ $1 == postgres ]]; then
        psql -q "$pg_admin" -c "drop database if exists $2 with (force)" -c "create database $2" >/dev/null
        echo "${pg_admin%/*}/$2"
    else
        rm -f "$dir/$2".db*
        echo "sqlite://$dir/$2.db"
    fi
}
size_of() { # backend name → bytes on disk
    if [[ $1 == postgres ]]; then
        psql -qtA "$pg_admin" -c "select pg_database_size('$2')"
    else
        du -cb "$dir/$2".db* | tail -1 | cut -f1
    fi
}
start() { # url [exbuy flags…]
    local url=$1; shift
    EXBUY_DATABASE=$url EXBUY_LOG=info ./target/release/exbuy --listen "127.0.0.1:$port" --upload-dir "$dir/up" "$@" \
        >"$dir/server.log" 2>&1 &
    server=$!
    for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/api/health" >/dev/null && return 0; sleep 0.1; done
    cat "$dir/server.log" >&2; exit 1
}
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$server/status"; }
hwm_kb() { awk '/^VmHWM/ { print $2 }' "/proc/$server/status"; }

for backend in $backends; do
    echo "===== $backend"
    for size in $sizes; do
        case $size in
            small) args="--products 1000 --orders 5000 --reviews 10000 --batch-size 1000" ;;
            medium) args="--products 10000 --orders 50000 --reviews 100000 --batch-size 1000" ;;
            large) args="--products 100000 --orders 500000 --reviews 1000000 --batch-size 5000" ;;
        esac
        url=$(fresh "$backend" "exbuy_$size")
        echo "== seed $size ($args)"
        /usr/bin/time -f "   wall %e s, max RSS %M KB" ./target/release/exbuy --database "$url" --log warn seed $args
        echo "   database size: $(( $(size_of "$backend" "exbuy_$size") / 1024 / 1024 )) MiB"
    done

    # N+1 against joins on the medium data, cache off so every request reaches the database.
    url=$(fresh "$backend" exbuy_medium)
    ./target/release/exbuy --database "$url" --log warn seed >/dev/null
    start "$url" --cache off
    for path in /api/products/42/ /api/products/42/reviews/ /api/orders/42/; do
        for opt in "" "?optimize=true"; do
            q=$(curl -s -D - -o /dev/null "http://127.0.0.1:$port$path$opt" | awk 'tolower($1) == "x-query-count:" { print $2 }' | tr -d '\r')
            rps=$(wrk -t2 -c"$connections" -d"$duration" "http://127.0.0.1:$port$path$opt" | awk '/Requests\/sec/ { print $2 }')
            echo "   GET $path$opt: $q queries, $rps req/s"
        done
    done
    stop

    # Export: 1M orders (1,000 products, no reviews), streamed to /dev/null.
    url=$(fresh "$backend" exbuy_export)
    ./target/release/exbuy --database "$url" --log warn seed --products 1000 --orders 1000000 --reviews 0 --batch-size 5000 >/dev/null
    start "$url"
    curl -s "http://127.0.0.1:$port/export/orders/count"; echo
    before=$(rss_kb)
    out=$(curl -s -o "$dir/export.csv" -w "%{time_total} %{size_download}" "http://127.0.0.1:$port/export/orders?format=csv")
    read -r secs bytes <<<"$out"
    rows=$(( $(wc -l <"$dir/export.csv") - 1 ))
    echo "== export 1M orders on $backend: $rows rows, $(( bytes / 1024 / 1024 )) MiB in ${secs} s = $(awk -v r="$rows" -v s="$secs" 'BEGIN { printf "%.0f", r / s }') rows/s"
    echo "   server RSS before $(( before / 1024 )) MiB, peak during $(( $(hwm_kb) / 1024 )) MiB: growth $(( ($(hwm_kb) - before) / 1024 )) MiB"
    grep -c "export [0-9]*0%" "$dir/server.log" | sed 's/^/   progress lines logged: /'
    # A client that goes away after 0.3 s: the export stops (no more progress lines afterwards).
    : >"$dir/server.log"
    curl -s -o /dev/null --max-time 0.3 "http://127.0.0.1:$port/export/orders" || true
    sleep 2
    echo "   client gone after 0.3 s: progress reached $(grep -o 'export [0-9]*%' "$dir/server.log" | tail -1 || echo 'none'), $(grep -c 'export [0-9]*0%' "$dir/server.log") lines"
    stop
    rm -f "$dir/export.csv"
done
