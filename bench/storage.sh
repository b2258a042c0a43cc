#!/usr/bin/env bash
# Storage v1 against v2 on every backend: rows and bytes on disk for 10,000 meetings of
# 10 participants x 31 days, and the time `meetifyr migrate` takes to convert them.
#   1. the v1 binary creates schema v1 (MEETIFYR_V1_BIN, or built from commit e3f28d8 in a
#      scratch worktree sharing target/);
#   2. bench/storage/fill-v1-<backend>.sql writes the data (some days busy, some starred);
#   3. sizes are measured (after VACUUM / OPTIMIZE, so free space does not count);
#   4. this tree's `meetifyr migrate` converts the database; sizes again.
# Needs scripts/databases.sh's servers (as root: it starts them) and the sqlite3, psql, mysql CLIs.
set -euo pipefail
cd "$(dirname "$0")/.."
pg_admin=${MEETIFYR_TEST_POSTGRES_URL:-postgres://meetifyr:meetifyr@127.0.0.1:5432/postgres}
my_admin=${MEETIFYR_TEST_MYSQL_URL:-mysql://meetifyr:meetifyr@127.0.0.1:3306/}

source bench/v1.sh
cargo build --release --quiet -p meetifyr --bin meetifyr
v2=./target/release/meetifyr
dir=$(mktemp -d)
db="meetifyr_storage_bench"
export PGPASSWORD=meetifyr MYSQL_PWD=meetifyr
psql_() { psql -q -h 127.0.0.1 -U meetifyr "$@"; }
mysql_() { mysql -h 127.0.0.1 -u meetifyr "$@"; }
cleanup() {
    psql_ -d postgres -c "drop database if exists $db" >/dev/null 2>&1 || true
    mysql_ -e "drop database if exists $db" >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT
cleanup; mkdir -p "$dir"
psql_ -d postgres -c "create database $db"
mysql_ -e "create database $db character set utf8mb4"

sqlite_url="sqlite://$dir/bench.db"
pg_url="postgres://meetifyr:meetifyr@127.0.0.1:5432/$db"
my_url="mysql://meetifyr:meetifyr@127.0.0.1:3306/$db"

sizes() { # backend label
    case $1 in
    sqlite)
        sqlite3 "$dir/bench.db" "vacuum;"
        local tables
        tables=$(sqlite3 "$dir/bench.db" "select name from sqlite_master where type = 'table' and name in ('meetings', 'participants', 'participant_dates') order by name")
        for t in $tables; do
            printf "  %-18s %10s rows\n" "$t" "$(sqlite3 "$dir/bench.db" "select count(*) from $t")"
        done
        printf "  %-18s %10.1f MiB (the whole file, after VACUUM)\n" "on disk" "$(echo "$(stat -c %s "$dir/bench.db") / 1048576" | bc -l)"
        ;;
    postgres)
        local ours
        ours=$(psql_ -d "$db" -At -c "select string_agg(tablename, ', ') from pg_tables where schemaname = 'public'
            and tablename in ('meetings', 'participants', 'participant_dates')")
        psql_ -d "$db" -c "vacuum full analyze $ours" >/dev/null
        psql_ -d "$db" -At -F ' ' -c "select relname, n_live_tup, pg_total_relation_size(relid) from pg_stat_user_tables
            where relname in ('meetings', 'participants', 'participant_dates') order by relname" |
            awk '{ printf "  %-18s %10s rows %8.1f MiB\n", $1, $2, $3 / 1048576; t += $3 } END { printf "  %-18s %10s      %8.1f MiB (tables and indexes, after VACUUM FULL)\n", "on disk", "", t / 1048576 }'
        ;;
    mysql)
        for t in meetings participants participant_dates; do
            mysql_ "$db" -e "optimize table $t; analyze table $t" >/dev/null 2>&1 || true
        done
        mysql_ -N -e "select table_name, (select 0), data_length + index_length from information_schema.tables
            where table_schema = '$db' and table_name in ('meetings', 'participants', 'participant_dates') order by table_name" |
            while read -r t _ bytes; do
                printf "  %-18s %10s rows %8.1f MiB\n" "$t" "$(mysql_ -N "$db" -e "select count(*) from $t")" "$(echo "$bytes / 1048576" | bc -l)"
            done
        mysql_ -N -e "select sum(data_length + index_length) from information_schema.tables where table_schema = '$db'
            and table_name in ('meetings', 'participants', 'participant_dates')" |
            awk '{ printf "  %-18s %10s      %8.1f MiB (data and indexes, after OPTIMIZE)\n", "on disk", "", $1 / 1048576 }'
        ;;
    esac
}

for backend in sqlite postgres mysql; do
    case $backend in sqlite) url=$sqlite_url ;; postgres) url=$pg_url ;; mysql) url=$my_url ;; esac
    "$MEETIFYR_V1_BIN" migrate --store "$url" --log warn
    case $backend in
    sqlite) sqlite3 "$dir/bench.db" <bench/storage/fill-v1-sqlite.sql ;;
    postgres) psql_ -d "$db" -f bench/storage/fill-v1-postgres.sql >/dev/null ;;
    mysql) mysql_ "$db" <bench/storage/fill-v1-mysql.sql ;;
    esac
    echo "== $backend, schema v1 (one row per participant and day)"
    sizes $backend
    start=$(date +%s.%N)
    "$v2" migrate --store "$url" --log error
    took=$(echo "$(date +%s.%N) - $start" | bc -l)
    echo "== $backend, schema v2 (answers as bit sets), migrated in $(printf %.1f "$took") s"
    sizes $backend
done
