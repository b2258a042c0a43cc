#!/usr/bin/env python3
"""The gates of every run under a folder of meetifyr-load results, as a Markdown table.

    python3 bench/perf_table.py target/perf/full      # scripts/perf.sh full writes docs/runs/table.md so

One row per run (its summary.json): store, scenario, preset, users reached, requests per second,
p50/p90/p95/p99, error rate, each gate that was checked (pass/FAIL with the figure), and
the load generator's CPU.
"""

import json
import pathlib
import sys


def rows(folder):
    for path in sorted(pathlib.Path(folder).rglob("summary.json")):
        run = json.loads(path.read_text())
        yield path.parent.name, run


def gate_text(check):
    unit = "" if check["metric"] in ("min_rps", "min_users", "max_error_rate") else " ms"
    mark = "pass" if check["passed"] else "**FAIL**"
    scope = check["scope"].replace(" (overall)", "")
    v = check["actual"]
    figure = f"{v:,.0f}" if v >= 100 else f"{v:.3g}"
    return f"{mark} {scope} {check['metric']} {figure}{unit}"


def main(folder):
    print("| run | stores | users | req/s | p50 ms | p90 ms | p95 ms | p99 ms | errors | gates checked | load tool CPU |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for name, run in rows(folder):
        o = run["overall"]
        checked = [c for c in run.get("gates", []) if c.get("actual") is not None]
        gates = "; ".join(gate_text(c) for c in checked) or "none"
        cpu = run.get("load_cpu") or {}
        print(
            f"| {run['scenario']} {run['preset']} | {', '.join(run['stores'])} | {run['max_users']} "
            f"| {o['rps']:.0f} | {o['p50_ms']:.1f} | {o['p90_ms']:.1f} | {o['p95_ms']:.1f} | {o['p99_ms']:.1f} "
            f"| {o['error_rate']:.2%} | {gates} | {cpu.get('cores_busy', 0):.2f} cores |"
        )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/perf/full")
