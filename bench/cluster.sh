#!/usr/bin/env bash
# meetifyr-load through HAProxy against 1 and then 3 instances of the cluster (scripts/cluster.sh,
# release build): workflow, read and live, one after the other, same settings. On this 2-core
# machine the load generator, PostgreSQL, HAProxy and every instance share the same cores:
# the figures show the cluster's correctness and overhead, not CPU scaling.
# Usage: bench/cluster.sh [RUN_TIME=10s] [USERS=20]
set -euo pipefail
cd "$(dirname "$0")/.."
run_time=${1:-10s}
users=${2:-20}
cargo build --release --quiet -p meetifyr --bin meetifyr -p meetifyr-load --bin meetifyr-load
export MEETIFYR_BIN=$PWD/target/release/meetifyr MEETIFYR_RATE_LIMIT_EXEMPT=127.0.0.1
export CLUSTER_DIR=$(mktemp -d) CLUSTER_DATABASE=meetifyr_bench_$$ MEETIFYR_LOG=error
pg_admin=${MEETIFYR_TEST_POSTGRES_URL:-postgres://meetifyr:meetifyr@127.0.0.1:5432/postgres}
trap 'INSTANCES=3 ./scripts/cluster.sh stop >/dev/null 2>&1; psql -q "$pg_admin" -c "drop database if exists $CLUSTER_DATABASE with (force)" >/dev/null 2>&1; rm -rf "$CLUSTER_DIR"' EXIT
front=http://127.0.0.1:${FRONT_PORT:-18600}
for n in 1 3; do
    INSTANCES=3 ./scripts/cluster.sh stop >/dev/null 2>&1 || true
    INSTANCES=$n ./scripts/cluster.sh start >/dev/null
    echo "### $n instance(s) behind HAProxy"
    for scenario in workflow read; do
        ./target/release/meetifyr-load --host "$front" --stores pg --scenario "$scenario" -u "$users" -r "$users" \
            -t "$run_time" --read-meetings 20 --results "$CLUSTER_DIR/load" --progress-every 0 | grep -E "^overall"
    done
    ./target/release/meetifyr-load --host "$front" --stores pg --scenario live --live-meetings 10 --watchers 10 \
        --writes-per-second 50 -t "$run_time" --results "$CLUSTER_DIR/live" | grep -E "^pg:"
done
