#!/usr/bin/env bash
# A Meetifyr cluster on one machine, loopback only, from Debian's packages (no systemd):
# PostgreSQL (scripts/databases.sh), Redis, 3 Meetifyr instances on one database with their
# caches on and `--bus postgres`, HAProxy in front (round robin, readiness checks, long timeouts
# for SSE and WebSocket, X-Forwarded-For), and Prometheus scraping every instance.
# docker-compose.yml describes the same topology for people who deploy with containers.
#
#   scripts/cluster.sh start|stop|status
#
# Environment: INSTANCES (3), FRONT_PORT (18600; instances FRONT_PORT+1…), PROMETHEUS_PORT
# (19190), REDIS_PORT (16379), BUS (postgres), MEETIFYR_BIN (target/debug/meetifyr, built if
# missing), CLUSTER_DIR (target/cluster).
set -euo pipefail
cd "$(dirname "$0")/.."

instances=${INSTANCES:-3}
front=${FRONT_PORT:-18600}
prometheus_port=${PROMETHEUS_PORT:-19190}
redis_port=${REDIS_PORT:-16379}
bus=${BUS:-postgres}
dir=${CLUSTER_DIR:-$PWD/target/cluster}
bin=${MEETIFYR_BIN:-$PWD/target/debug/meetifyr}
pg_admin=${MEETIFYR_TEST_POSTGRES_URL:-postgres://meetifyr:meetifyr@127.0.0.1:5432/postgres}
database=${CLUSTER_DATABASE:-meetifyr_cluster}

say() { echo "[cluster] $*" >&2; }

. scripts/require.sh
install_packages() {
    # The packages may start their own services where an init system runs: ours use other ports.
    require "command -v haproxy" haproxy "command -v redis-server" redis-server \
        "command -v prometheus" prometheus
}

wait_for() { # url, what
    for _ in $(seq 200); do
        curl -sf -o /dev/null "$1" && return 0
        sleep 0.1
    done
    say "$2 did not come up ($1)"
    return 1
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
    install_packages
    [ -n "${MEETIFYR_TEST_POSTGRES_URL:-}" ] || ./scripts/databases.sh >&2
    [ -x "$bin" ] || cargo build --quiet -p meetifyr --bin meetifyr
    mkdir -p "$dir"
    local url=${pg_admin%/*}/$database
    if ! psql -qtA "$pg_admin" -c "select 1 from pg_database where datname = '$database'" | grep -q 1; then
        psql -q "$pg_admin" -c "create database $database" >/dev/null
    fi

    if ! alive "$dir/redis.pid"; then
        redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
            --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir"
    fi

    local servers=""
    for i in $(seq 1 "$instances"); do
        local port=$((front + i))
        servers+="    server meetifyr$i 127.0.0.1:$port check inter 1s fall 2 rise 2"$'\n'
        alive "$dir/meetifyr$i.pid" && continue
        # Clients reach the instances through HAProxy: their address is X-Forwarded-For's last.
        MEETIFYR_LOG=${MEETIFYR_LOG:-warn} "$bin" --listen "127.0.0.1:$port" --store "pg=$url" --bus "$bus" \
            --trusted-proxy-header X-Forwarded-For >"$dir/meetifyr$i.log" 2>&1 &
        echo $! >"$dir/meetifyr$i.pid"
    done
    for i in $(seq 1 "$instances"); do
        wait_for "http://127.0.0.1:$((front + i))/health/ready" "meetifyr$i"
    done

    # Two descriptors per proxied connection, within this shell's limit.
    local maxconn=$(( ($(ulimit -n) - 100) / 2 ))
    [ "$maxconn" -gt 10000 ] && maxconn=10000
    # deploy/haproxy.cfg (docker-compose's) with this machine's parts: the limit, the address,
    # and the instances by port instead of by Docker's DNS.
    awk -v maxconn="$maxconn" -v front="127.0.0.1:$front" -v servers="$servers" '
        /^resolvers /                 { skip = 1; next }
        skip && /^[^ ]/               { skip = 0 }
        skip                          { next }
        /^    maxconn /               { print "    maxconn " maxconn; next }
        /^    bind /                  { print "    bind " front; next }
        /^    server-template /       { printf "%s", servers; next }
        { sub(/ resolvers docker init-addr none/, ""); print }
    ' deploy/haproxy.cfg >"$dir/haproxy.cfg"
    grep -q "server meetifyr1 " "$dir/haproxy.cfg" || { echo "cannot render deploy/haproxy.cfg" >&2; exit 1; }
    haproxy -c -q -f "$dir/haproxy.cfg"
    if alive "$dir/haproxy.pid"; then
        # A reload takes the new server list without dropping connections.
        haproxy -f "$dir/haproxy.cfg" -D -p "$dir/haproxy.pid" -sf "$(cat "$dir/haproxy.pid")"
    else
        haproxy -f "$dir/haproxy.cfg" -D -p "$dir/haproxy.pid"
    fi
    wait_for "http://127.0.0.1:$front/health/ready" "haproxy"

    local targets=""
    for i in $(seq 1 "$instances"); do targets+="'127.0.0.1:$((front + i))', "; done
    # deploy/prometheus.yml with the instances listed instead of found by DNS, scraped every 2 s
    # (the cluster test's runs are short).
    awk -v targets="${targets%, }" '
        /scrape_interval:|evaluation_interval:/ { sub(/[0-9]+s$/, "2s") }
        /^    dns_sd_configs:/ { print "    static_configs:"; print "      - targets: [" targets "]"; skip = 1; next }
        skip && /^      /      { next }
        { skip = 0; print }
    ' deploy/prometheus.yml >"$dir/prometheus.yml"
    grep -q "static_configs" "$dir/prometheus.yml" || { echo "cannot render deploy/prometheus.yml" >&2; exit 1; }
    promtool check config "$dir/prometheus.yml" >/dev/null
    if ! alive "$dir/prometheus.pid"; then
        prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/prometheus-data" \
            --web.listen-address="127.0.0.1:$prometheus_port" >"$dir/prometheus.log" 2>&1 &
        echo $! >"$dir/prometheus.pid"
    fi
    wait_for "http://127.0.0.1:$prometheus_port/-/ready" "prometheus"
    status
}

stop() {
    for name in haproxy prometheus $(seq -f "meetifyr%g" 1 "$instances") redis; do
        if alive "$dir/$name.pid"; then
            kill "$(cat "$dir/$name.pid")" 2>/dev/null || true
        fi
        rm -f "$dir/$name.pid"
    done
    say "stopped"
}

status() {
    local up=0
    echo "front (HAProxy):  http://127.0.0.1:$front/  (the web app, /v1/…, /docs)"
    for i in $(seq 1 "$instances"); do
        local port=$((front + i)) state=down
        curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready" && state=ready && up=$((up + 1))
        echo "meetifyr$i:        http://127.0.0.1:$port/  $state (log: $dir/meetifyr$i.log)"
    done
    local p=down
    curl -sf -o /dev/null "http://127.0.0.1:$prometheus_port/-/ready" && p=ready
    echo "prometheus:       http://127.0.0.1:$prometheus_port/  $p"
    echo "redis:            redis://127.0.0.1:$redis_port/  $(alive "$dir/redis.pid" && echo running || echo down)"
    echo "database:         ${pg_admin%/*}/$database  (bus: $bus)"
    [ "$up" -eq "$instances" ]
}

case ${1:-} in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
