#!/usr/bin/env python3
"""Creates one meeting of N participants x D days on a running Meetifyr, some dates busy or
starred, and prints its url code. Usage: seed_meeting.py BASE_URL [PARTICIPANTS] [DAYS]"""
import json
import sys
import urllib.request
from datetime import date, timedelta


def call(method, url, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"content-type": "application/json"})
    with urllib.request.urlopen(req) as res:
        raw = res.read()
        return json.loads(raw) if raw else None


def main():
    base = sys.argv[1].rstrip("/")
    participants = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    days = int(sys.argv[3]) if len(sys.argv) > 3 else 31
    start = date(2025, 1, 1)
    code = call("POST", f"{base}/meetings")["url_code"]
    end = start + timedelta(days=days - 1)
    call("PATCH", f"{base}/meetings/{code}/date_range", {"start_date": start.isoformat(), "end_date": end.isoformat()})
    for p in range(participants):
        created = call("POST", f"{base}/participants", {"meeting_url_code": code, "name": f"participant {p}"})
        for i, d in enumerate(created["participant_dates"]):
            op = "off" if (i + p) % 3 == 0 else "star" if (i + 2 * p) % 7 == 0 else None
            if op:
                call("PATCH", f"{base}/participant_dates/{op}", {"participant_date_id": d["id"], "meeting_url_code": code})
    print(code)


main()
