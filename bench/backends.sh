#!/usr/bin/env bash
# One server with SQLite, PostgreSQL and MariaDB side by side (fresh databases), measured under
# one load in one run:
#   1. GET meeting (10 participants x 31 days) per store, with wrk;
#   2. seed 000's workflow per store, with Locust (bench/locust/workflow.py);
#   3. seed 000's locustfile unchanged: /v1/mysql on MariaDB, /v1/edgedb on PostgreSQL.
# Usage (as root on Debian; starts the databases): bench/backends.sh [DURATION=15s] [CONNECTIONS=64]
# Needs wrk, curl, python3 and locust (pip install locust).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-15s}
connections=${2:-64}
port=${PORT:-18090}
locust_time=${LOCUST_TIME:-20s}
locust_users=${LOCUST_USERS:-20}
source bench/lib.sh

./scripts/databases.sh
PGPASSWORD=meetifyr psql -qh 127.0.0.1 -U meetifyr -d postgres \
    -c "drop database if exists meetifyr_bench with (force)" -c "create database meetifyr_bench" >/dev/null
mysql -h127.0.0.1 -umeetifyr -pmeetifyr \
    -e "drop database if exists meetifyr_bench; create database meetifyr_bench character set utf8mb4"

cargo build --release --quiet --workspace --bins
dir=$(mktemp -d)
trap 'stop_server; rm -rf "$dir"' EXIT
pg=postgres://meetifyr:meetifyr@127.0.0.1:5432/meetifyr_bench
start_server --cache off --store "mysql=mysql://meetifyr:meetifyr@127.0.0.1:3306/meetifyr_bench" \
    --store "postgres=$pg" --store "sqlite=sqlite://$dir/bench.db" --store "edgedb=$pg"

stores=(mysql postgres sqlite)
echo "== machine: $(nproc) cores; pool ${POOL_SIZE:-10} per store; wrk -t2 -c$connections -d$duration"
measure "baseline: GET unknown path (JSON 404, no database)" "http://127.0.0.1:$port/baseline"
for store in "${stores[@]}"; do
    code=$(python3 bench/seed_meeting.py "http://127.0.0.1:$port/v1/$store" 10 31)
    measure "GET meeting on $store (10 participants x 31 days)" "http://127.0.0.1:$port/v1/$store/meetings/$code"
done

# Locust reports per request name; it runs in one Python process, so it, not the server, sets
# the pace: compare stores with each other, not with the wrk figures.
for store in "${stores[@]}"; do
    echo "== seed workflow on $store (locust, $locust_users users, $locust_time)"
    STORE=$store locust -f bench/locust/workflow.py --headless -u "$locust_users" -r "$locust_users" \
        -t "$locust_time" --host "http://127.0.0.1:$port" --csv "$dir/$store" --only-summary \
        >"$dir/$store.log" 2>&1 || true
    python3 bench/locust_summary.py "$dir/${store}_stats.csv"
done

echo "== seed 000 locustfile, unchanged (/v1/mysql on MariaDB, /v1/edgedb on PostgreSQL)"
locust -f bench/locust/locustfile.py --headless -u "$locust_users" -r "$locust_users" -t "$locust_time" \
    --host "http://127.0.0.1:$port" --csv "$dir/seed" --only-summary >"$dir/seed.log" 2>&1 || true
python3 bench/locust_summary.py "$dir/seed_stats.csv"
