#!/usr/bin/env bash
# Seed 000's workflow (meetifyr-load --scenario workflow) against the original Python service
# (../shared/peers/meetifyr-py, gunicorn with 2 uvicorn workers on 127.0.0.1:8001) and against
# Meetifyr, both on the same MariaDB, in the same run, one after the other. Prints each one's
# req/s and p95, its own CPU and the MariaDB server's CPU per request, then the ratios.
# Meetifyr runs twice: as an account that may create routines (participants join through a
# stored procedure) and as one that may not (a 5-statement transaction).
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
    MYSQL_PWD=meetifyr mysql -h 127.0.0.1 -u meetifyr -e "drop database if exists $db; drop database if exists ${db}_plain" >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT
MYSQL_PWD=meetifyr mysql -h 127.0.0.1 -u meetifyr -e "create database $db character set utf8mb4; create database ${db}_plain character set utf8mb4"
mariadb=$(pgrep -o -x mariadbd || pgrep -o -x mysqld)
python_pids=$(pgrep -f "gunicorn asgi:app" | tr '\n' ' ')
# CPU seconds (user + system) of some processes, from /proc.
cpu() { for pid in "$@"; do cat "/proc/$pid/stat"; done | awk -v hz="$(getconf CLK_TCK)" '{ t += $14 + $15 } END { printf "%.3f", t / hz }'; }

# Meetifyr on the database, as the account in URL; prints how its participants join.
start_meetifyr() {
    [[ -n $server ]] && { kill "$server"; wait "$server" 2>/dev/null || true; }
    MEETIFYR_RATE_LIMIT_EXEMPT=127.0.0.1 "$bin" --listen "127.0.0.1:$port" --log info,access=warn --store "mysql=$1" >"$dir/server.log" 2>&1 &
    server=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
    grep -o "participants join through [^\"]*" "$dir/server.log" | head -n 1 | sed 's/\x1b\[[0-9;]*m//g' >&2
}

# run NAME HOST "PIDS" [meetifyr-load flags…] → "rps p95_ms requests failures app_cpu_s db_cpu_s"
run() {
    local name=$1 host=$2 pids=$3; shift 3
    local app0 db0 app1 db1
    # shellcheck disable=SC2086
    app0=$(cpu $pids) db0=$(cpu "$mariadb")
    ./target/release/meetifyr-load --host "$host" --scenario workflow --stores mysql -u "$users" -r 25 \
        -t "$run_time" --results "$dir/$name" --progress-every 0 "$@" >"$dir/$name.log" 2>&1 ||
        { cat "$dir/$name.log" >&2; exit 1; }
    # shellcheck disable=SC2086
    app1=$(cpu $pids) db1=$(cpu "$mariadb")
    python3 - "$dir/$name"/*/summary.json "$app0" "$app1" "$db0" "$db1" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))["overall"]
a0, a1, d0, d1 = map(float, sys.argv[2:])
print(o["rps"], o["p95_ms"], o["count"], o["failures"], a1 - a0, d1 - d0)
PY
}

echo "== seed workflow, $users users, $run_time, MariaDB $(mysql --version | awk '{ print $5 }' | tr -d ,)"
rows=$dir/rows
read -r rps p95 n fail app dbc < <(run python http://127.0.0.1:8001 "$python_pids" --health none)
echo "Python (seed) $rps $p95 $n $fail $app $dbc" >>"$rows"
start_meetifyr "${my_admin%/*}/$db"
read -r rps p95 n fail app dbc < <(run meetifyr "http://127.0.0.1:$port" "$server")
echo "Meetifyr $rps $p95 $n $fail $app $dbc" >>"$rows"
# The same through an account that may not create routines (./scripts/databases.sh makes it):
# participants then join through the 5-statement transaction. On a database of its own, as fresh.
plain=${MEETIFYR_TEST_MYSQL_PLAIN_URL:-mysql://meetifyr_plain:meetifyr@127.0.0.1:3306/}
if MYSQL_PWD=meetifyr mysql -h 127.0.0.1 -u meetifyr_plain -e "select 1" >/dev/null 2>&1; then
    start_meetifyr "${plain%/*}/${db}_plain"
    read -r rps p95 n fail app dbc < <(run meetifyr-plain "http://127.0.0.1:$port" "$server")
    echo "Meetifyr,_no_routines $rps $p95 $n $fail $app $dbc" >>"$rows"
fi
python3 - "$rows" <<'PY'
import sys
rows = []
for line in open(sys.argv[1]):
    *name, rps, p95, n, fail, app, db = line.split()
    rows.append((" ".join(name).replace("_", " "), float(rps), float(p95), int(n), int(fail), float(app), float(db)))
print(f"{'server':<24}{'req/s':>9}{'p95 ms':>9}{'failures':>10}{'app CPU/req':>13}{'MariaDB CPU/req':>17}")
for name, rps, p95, n, fail, app, db in rows:
    print(f"{name:<24}{rps:>9.0f}{p95:>9.1f}{fail:>10}{app * 1e6 / n:>10.0f} us{db * 1e6 / n:>14.0f} us")
py = rows[0]
for r in rows[1:]:
    print(f"{r[0]} / Python: {r[1] / py[1]:.1f}x the req/s, {r[2] / py[2]:.2f}x the p95, "
          f"{(r[5] / r[3]) / (py[5] / py[3]):.2f}x the app CPU and {(r[6] / r[3]) / (py[6] / py[3]):.2f}x the MariaDB CPU per request")
PY
