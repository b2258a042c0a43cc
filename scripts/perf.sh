#!/usr/bin/env bash
# The performance runs, gated by the seeds' NFRs.
#
#   scripts/perf.sh ci      # CI's job: 60 s of the workflow, 100 users, SQLite, debug build,
#                           # gates crates/load/gates/ci.toml; reports under target/perf/
#   scripts/perf.sh full    # by hand (about 70 min): release build; on sqlite, postgres and mysql
#                           # in turn the mix (workflow + read) at the baseline, stress and spike
#                           # presets, then ExBuy's mixed at stress on SQLite; gates seed.toml.
#                           # Reports under target/perf/full/; their CSV and JSON are copied to
#                           # docs/runs/ (PERF_RUNS=dir to change), the HTML is left out;
#                           # docs/runs/table.md has every run's gates (bench/perf_table.py).
#
# Both exit non-zero if a gate fails (full: after every run, with a list of the failed ones).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-}
case $mode in
    ci)
        out=target/perf/ci
        rm -rf "$out"
        mkdir -p "$out"
        debug=(--debug)
        [[ -n ${MEETIFYR_PREBUILT:-} ]] || cargo build --quiet --workspace --bins
        MEETIFYR_PREBUILT=1 ./scripts/load.sh "${debug[@]}" --stores sqlite --scenario workflow -u 100 -r 50 -t 60s \
            --gates crates/load/gates/ci.toml --results "$out" --progress-every 10
        report=$(echo "$out"/*-workflow-baseline)
        grep -q "<svg" "$report/report.html" || { echo "perf: report.html has no charts" >&2; exit 1; }
        test -s "$report/timeline.csv" || { echo "perf: no timeline.csv" >&2; exit 1; }
        echo "perf: report in $report/report.html"
        ;;
    full)
        out=target/perf/full
        runs=${PERF_RUNS:-docs/runs}
        rm -rf "$out"
        mkdir -p "$out"
        cargo build --quiet --release --workspace --bins
        failed=()
        gate() { # name, command…
            local name=$1 status=0
            shift
            echo "== $name"
            "$@" 2>&1 | tee "$out/$name.log" || status=$?
            [[ $status -eq 0 ]] || failed+=("$name (exit $status)")
        }
        for store in sqlite postgres mysql; do
            for preset in baseline stress spike; do
                gate "$store-mix-$preset" env MEETIFYR_PREBUILT=1 ./scripts/load.sh --stores "$store" --scenario mix \
                    --preset "$preset" --gates crates/load/gates/seed.toml --results "$out/$store" --progress-every 30
            done
        done
        gate exbuy-mixed-stress env MEETIFYR_PREBUILT=1 ./scripts/exbuy-load.sh --scenario mixed --preset stress \
            --gates crates/load/gates/seed.toml --results "$out/exbuy" --progress-every 30
        rm -rf "$runs"
        mkdir -p "$runs"
        (cd "$out" && find . -name '*.csv' -o -name '*.json' -o -name 'table.txt' -o -name '*.log' | grep -v goose-report) |
            while read -r file; do
                mkdir -p "$runs/$(dirname "$file")"
                cp "$out/$file" "$runs/$file"
            done
        {
            echo "commit $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with uncommitted changes)')"
            rustc --version
            echo "finished $(date -u +%FT%TZ) on $(nproc) cores"
        } >"$runs/RUN.txt"
        python3 bench/perf_table.py "$out" | tee "$runs/table.md"
        if [[ ${#failed[@]} -gt 0 ]]; then
            printf 'perf: gates failed in %s\n' "${failed[@]}" >&2
            exit 3
        fi
        echo "perf: every gate passed; raw figures in $runs/"
        ;;
    *)
        echo "usage: scripts/perf.sh ci|full" >&2
        exit 2
        ;;
esac
