#!/usr/bin/env python3
"""Creates one time meeting on a running Meetifyr: D days from 09:00 to 18:00 in 15-minute
slots in Asia/Seoul (252 slots for 7 days) and N participants. ANSWERS=painted (the default):
each paints a few blocks of hours as people do (two a day, 1-4 hours each, on 5 of the days);
ANSWERS=random: each is free in a pseudo-random half of the slots (the worst case for the
lists GET sends). Prints the url code, a participant id, and the body of a whole answer (one
stroke) as three lines. Usage: [ANSWERS=painted|random] seed_times.py BASE_URL [PARTICIPANTS] [DAYS]"""
import os
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
    participants = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    days = int(sys.argv[3]) if len(sys.argv) > 3 else 7
    dates = [(date(2026, 6, 1) + timedelta(days=i)).isoformat() for i in range(days)]
    code = call("POST", f"{base}/meetings", {"kind": "times", "dates": dates, "day_start": "09:00",
                                             "day_end": "18:00", "slot_minutes": 15,
                                             "time_zone": "Asia/Seoul"})["url_code"]
    starts = [s["start"] for s in call("GET", f"{base}/meetings/{code}")["slots"]]
    seed, last, body = 0x9E3779B9, None, None
    for p in range(participants):
        last = call("POST", f"{base}/participants", {"meeting_url_code": code, "name": f"participant {p}"})["participant_id"]
        free = []
        if os.environ.get("ANSWERS", "painted") == "random":
            for s in starts:
                seed = (seed * 1103515245 + 12345) % 2**31
                if seed % 2:
                    free.append(s)
        else:
            per_day = len(starts) // days
            for day in range(days):
                seed = (seed * 1103515245 + 12345) % 2**31
                if seed % 7 < 2:
                    continue
                for block in range(2):
                    seed = (seed * 1103515245 + 12345) % 2**31
                    start = seed % per_day
                    length = 4 + seed // per_day % 13
                    free.extend(starts[day * per_day + k] for k in range(start, min(start + length, per_day)))
            free = sorted(set(free))
        starred = free[::7]
        body = {"meeting_url_code": code, "free": free, "starred": starred}
        call("PUT", f"{base}/participants/{last}/availability", body)
    print(code)
    print(last)
    print(json.dumps(body))


main()
