#!/usr/bin/env bash
# ExBuy before and after a change, in one session: the k6 mix (goose `mixed`) against two exbuy
# binaries, alternating A, B, A, B on fresh seeded databases, so that the machine's drift falls
# on both. Prints req/s, p95 and failures per run from each summary.json.
# Usage: [EXBUY_BACKEND=postgres] [USERS=50] [RUN_TIME=30s] [ROUNDS=2] bench/exbuy_ab.sh A_BIN B_BIN
set -euo pipefail
cd "$(dirname "$0")/.."
a=$1 b=$2
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
export MEETIFYR_PREBUILT=1 EXBUY_SEED=${EXBUY_SEED:---products 10000 --orders 50000 --reviews 100000}
for round in $(seq "${ROUNDS:-2}"); do
    for side in A B; do
        bin=$a; [[ $side == B ]] && bin=$b
        out="$results/$side-$round"
        EXBUY_BIN=$bin scripts/exbuy-load.sh --scenario mixed -u "${USERS:-50}" -r 25 -t "${RUN_TIME:-30s}" \
            --results "$out" --progress-every 0 >/dev/null 2>&1 || true
        python3 - "$side" "$round" "$out"/*/summary.json <<'PY'
import json, sys
side, round_, path = sys.argv[1:4]
o = json.load(open(path))["overall"]
print(f"{side} round {round_}: {o['rps']:.1f} req/s, p95 {o['p95_ms']:.1f} ms, {o['failures']} failed of {o['count']}")
PY
    done
done
