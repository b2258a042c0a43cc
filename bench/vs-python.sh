#!/usr/bin/env bash
# Seed 000's workflow (meetifyr-load --scenario workflow) against the original Python service
# (../shared/peers/meetifyr-py, gunicorn with 2 uvicorn workers on 127.0.0.1:8001) and against
# Meetifyr, both on the same MariaDB, in the same run, one after the other. Prints each one's
# req/s and p95 and the MariaDB server's CPU time per request, then the ratios.
# Usage: [USERS=50] [RUN_TIME=20s] [MEETIFYR_BIN=…] bench/vs-python.sh   (as root: starts MariaDB and the peer)
set -euo pipefail
cd "$(dirname "$0")/.."
users=${USERS:-50}
run_time=${RUN_TIME:-20s}
port=${PORT:-18300}
bin=${MEETIFYR_BIN:-./target/release/meetifyr}
cargo build --release --quiet -p meetifyr -p meetifyr-load --bins
../shared/peers/meetifyr-py/run.sh >&2
./scripts/databases.sh >&2
my_admin=${MEETIFYR_TEST_MYSQL_URL:-mysql://meetifyr:meetifyr@127.0.0.1:3306/}
db=meetifyr_vs_python_$$
dir=$(mktemp -d)
server=
cleanup() {
    [[ -n $server ]] && { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
    MYSQL_PWD=meetifyr mysql -h 127.0.0.1 -u meetifyr -e "drop database if exists $db" >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT
MYSQL_PWD=meetifyr mysql -h 127.0.0.1 -u meetifyr -e "create database $db character set utf8mb4"
MEETIFYR_RATE_LIMIT_EXEMPT=127.0.0.1 "$bin" --listen "127.0.0.1:$port" --log warn --store "mysql=${my_admin%/*}/$db" >"$dir/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done

mariadb=$(pgrep -o -x mariadbd || pgrep -o -x mysqld)
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$1/stat"; }

# run NAME HOST [meetifyr-load flags…] → "rps p95_ms requests db_cpu_s"
run() {
    local name=$1 host=$2; shift 2
    local before after
    before=$(cpu "$mariadb")
    ./target/release/meetifyr-load --host "$host" --scenario workflow --stores mysql -u "$users" -r 25 \
        -t "$run_time" --results "$dir/$name" --progress-every 0 "$@" >"$dir/$name.log" 2>&1 ||
        { cat "$dir/$name.log" >&2; exit 1; }
    after=$(cpu "$mariadb")
    python3 - "$dir/$name"/*/summary.json "$before" "$after" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
o = s["overall"]
print(o["rps"], o["p95_ms"], o["count"], o["failures"], float(sys.argv[3]) - float(sys.argv[2]))
PY
}

echo "== seed workflow, $users users, $run_time, MariaDB $(mysql --version | awk '{ print $5 }')"
read -r py_rps py_p95 py_n py_fail py_db < <(run python http://127.0.0.1:8001 --health none)
read -r rs_rps rs_p95 rs_n rs_fail rs_db < <(run meetifyr "http://127.0.0.1:$port")
awk -v a="$py_rps" -v b="$py_p95" -v c="$py_n" -v d="$py_db" -v f="$py_fail" \
    -v A="$rs_rps" -v B="$rs_p95" -v C="$rs_n" -v D="$rs_db" -v F="$rs_fail" 'BEGIN {
    printf "%-22s %10s %10s %10s %22s\n", "server", "req/s", "p95 ms", "failures", "MariaDB CPU/request"
    printf "%-22s %10.0f %10.1f %10d %19.0f us\n", "Python (seed)", a, b, f, d * 1e6 / c
    printf "%-22s %10.0f %10.1f %10d %19.0f us\n", "Meetifyr", A, B, F, D * 1e6 / C
    printf "Meetifyr / Python: %.1fx the req/s, %.2fx the p95, %.2fx the MariaDB CPU per request\n", A / a, B / b, (D / C) / (d / c)
}'
