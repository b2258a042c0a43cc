#!/usr/bin/env bash
# Password checks must not starve everyone else (Crab Fit ran bcrypt inside a global lock: two
# logins cut all other traffic 150x). Other traffic (wrk: GET of a cached meeting) is measured
# alone, then while 2 clients hammer a protected participant with wrong passwords:
#   a) with the per-participant limit lifted: every check runs Argon2id (the isolation itself);
#   b) with the default limit (10 checks a minute): the guesser gets 429 almost at once.
# Quote the ratios ("other traffic keeps N % of its req/s"), measured in the same run.
# Usage: [GUESSERS=2] bench/passwords.sh [DURATION=15s] [CONNECTIONS=32]   (needs wrk, curl, python3)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-15s}
connections=${2:-32}
port=${PORT:-18083}
guessers=${GUESSERS:-2}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
source bench/lib.sh
cargo build --release --quiet -p meetifyr --bin meetifyr
hammer_pid=
trap '[ -n "$hammer_pid" ] && kill "$hammer_pid" 2>/dev/null; stop_server; rm -rf "${dir:-}"' EXIT
echo "== machine: $(nproc) cores; other traffic: wrk -t2 -c$connections -d$duration; guessers: wrk -t1 -c$guessers"
secs=${duration%s}

run() { # label, server flags…
    local label=$1; shift
    dir=$(mktemp -d)
    start_server --store "sqlite=sqlite://$dir/bench.db" "$@"
    local base="http://127.0.0.1:$port"
    local code participant
    code=$(python3 bench/seed_meeting.py "$base/v1" 10 31)
    participant=$(curl -sf -X POST "$base/v1/participants" -H 'content-type: application/json' \
        -d "{\"meeting_url_code\": \"$code\", \"name\": \"protected\", \"password\": \"correct horse\"}" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["participant_id"])')
    echo "### $label"
    measure "other traffic alone: GET /v1/meetings/{code}" "$base/v1/meetings/$code"
    local alone=$rps
    MEETING=$code PARTICIPANT=$participant wrk -t1 -c"$guessers" -d"$((secs + 3))s" -s bench/wrong_password.lua "$base" \
        >"$dir/hammer.txt" 2>&1 &
    hammer_pid=$!
    sleep 1
    measure "other traffic while $guessers clients hammer wrong passwords" "$base/v1/meetings/$code"
    local during=$rps
    wait "$hammer_pid" || true
    hammer_pid=
    echo "  the $guessers guessers: $(awk '/Requests\/sec/ { print $2 }' "$dir/hammer.txt") checks/s"
    grep "status" "$dir/hammer.txt" || true
    awk -v a="$alone" -v d="$during" 'BEGIN { printf "  => other traffic keeps %.1f %% of its req/s\n", 100 * d / a }'
    stop_server
    rm -rf "$dir"
}

run "a) per-participant limit lifted (--rate-limit-password 1000000/s): every guess runs Argon2id" \
    --rate-limit-password 1000000/s
run "b) default limits (10 password checks a minute per participant)"
