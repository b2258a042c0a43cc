#!/usr/bin/env bash
# The cluster's own tests, through scripts/cluster.sh (part of scripts/test.sh): start it, put
# load through HAProxy (meetifyr-load workflow and live), run every Grafana panel's query
# against its Prometheus, stop one instance under load (nothing acknowledged may be lost,
# watchers reconnect), then stop the cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
export CLUSTER_DIR=${CLUSTER_DIR:-$(mktemp -d)}
export FRONT_PORT=${FRONT_PORT:-18600} PROMETHEUS_PORT=${PROMETHEUS_PORT:-19190}
# The load generator is one loopback address behind HAProxy, far busier than any person.
export MEETIFYR_RATE_LIMIT_EXEMPT=127.0.0.1
export CLUSTER_DATABASE=meetifyr_cluster_$$
load=${MEETIFYR_LOAD_BIN:-./target/debug/meetifyr-load}
pg_admin=${MEETIFYR_TEST_POSTGRES_URL:-postgres://meetifyr:meetifyr@127.0.0.1:5432/postgres}
cleanup() {
    ./scripts/cluster.sh stop || true
    sleep 0.5
    psql -q "$pg_admin" -c "drop database if exists $CLUSTER_DATABASE with (force)" >/dev/null 2>&1 || true
    rm -rf "$CLUSTER_DIR"
}
trap cleanup EXIT
./scripts/cluster.sh start
front=http://127.0.0.1:$FRONT_PORT
echo "== cluster: load through HAProxy (workflow, then live)"
"$load" --host "$front" --stores pg --scenario workflow -u 6 -r 6 -t 6s --results "$CLUSTER_DIR/load" --progress-every 0 |
    grep -E "^overall|^POST|^GET|^PATCH" || true
"$load" --host "$front" --stores pg --scenario live --live-meetings 3 --watchers 3 --writes-per-second 20 -t 5s \
    --results "$CLUSTER_DIR/live" | grep -E "^pg:" 
# Two scrapes after the load, so that every rate has points.
sleep 5
echo "== cluster: every dashboard panel's query against Prometheus"
python3 tests/cluster/check.py dashboard
echo "== cluster: one instance stopped under load"
python3 tests/cluster/check.py failover
