#!/usr/bin/env python3
"""Prints Locust's stats CSV as a short table: requests, failures, req/s, p50/p95/p99 (ms)."""
import csv
import sys

with open(sys.argv[1]) as f:
    rows = list(csv.DictReader(f))
print(f"  {'name':32} {'requests':>8} {'fails':>6} {'req/s':>8} {'p50':>6} {'p95':>6} {'p99':>6}")
for r in rows:
    print(f"  {r['Name'][:32]:32} {r['Request Count']:>8} {r['Failure Count']:>6} "
          f"{float(r['Requests/s']):8.1f} {r['50%']:>6} {r['95%']:>6} {r['99%']:>6}")
