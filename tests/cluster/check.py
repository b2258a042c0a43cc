"""Checks of the running cluster (scripts/cluster.sh), stdlib only. Given/When/Then as the seeds.

  python3 tests/cluster/check.py dashboard   every Grafana panel query answers with data
  python3 tests/cluster/check.py failover    stop one instance under load behind HAProxy: only
                                             requests in flight on it may fail, live clients
                                             reconnect, nothing acknowledged is lost

Environment: FRONT_PORT (18600), PROMETHEUS_PORT (19190), CLUSTER_DIR (target/cluster).
"""
import json
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FRONT = f"http://127.0.0.1:{os.environ.get('FRONT_PORT', '18600')}"
PROMETHEUS = f"http://127.0.0.1:{os.environ.get('PROMETHEUS_PORT', '19190')}"
CLUSTER_DIR = os.environ.get("CLUSTER_DIR", os.path.join(ROOT, "target", "cluster"))
DASHBOARD = os.path.join(ROOT, "deploy", "grafana", "dashboards", "meetifyr.json")


def call(method, url, body=None, timeout=10):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        raw = response.read()
        return response.status, (json.loads(raw) if raw else None)


# What Grafana puts in for the dashboard's variables when "All" instances are chosen.
VARIABLES = {"$__rate_interval": "1m", "$instance": ".*"}


def dashboard():
    # Given the dashboard: a data source and an instance variable that every panel uses
    board = json.load(open(DASHBOARD))
    panels = board["panels"]
    variables = {v["name"]: v for v in board["templating"]["list"]}
    failures = []
    if variables.get("datasource", {}).get("type") != "datasource" or "instance" not in variables:
        failures.append("the dashboard lacks its $datasource and $instance variables")
    for panel in panels:
        for target in panel["targets"]:
            expr = target["expr"]
            if target["datasource"]["uid"] != "${datasource}" or panel["datasource"]["uid"] != "${datasource}":
                failures.append(f"{panel['title']}: not on ${{datasource}}")
            if 'instance=~"$instance"' not in expr:
                failures.append(f"{panel['title']}: not filtered by $instance: {expr}")
            if "[1m]" in expr or ("rate(" in expr and "$__rate_interval" not in expr):
                failures.append(f"{panel['title']}: a fixed range instead of $__rate_interval: {expr}")
            for name, value in VARIABLES.items():
                expr = expr.replace(name, value)
            # When every panel's query runs against the cluster's Prometheus
            query = urllib.parse.urlencode({"query": expr})
            try:
                _, answer = call("GET", f"{PROMETHEUS}/api/v1/query?{query}")
            except urllib.error.HTTPError as e:
                failures.append(f"{panel['title']}: {e.code} {e.read().decode()[:200]}")
                continue
            series = answer["data"]["result"]
            print(f"  {len(series):3} series  {panel['title']}  [{target['refId']}]")
            # Then none errors and none comes back empty
            if answer["status"] != "success" or not series:
                failures.append(f"{panel['title']}: {answer['status']}, {len(series)} series: {target['expr']}")
    if failures:
        print("panels without data:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print(f"dashboard: {sum(len(p['targets']) for p in panels)} queries of {len(panels)} panels answered with data")


def failover():
    # Given meetings written through HAProxy by 4 writers, and a live client on each meeting
    meetings = []
    for _ in range(4):
        _, created = call("POST", f"{FRONT}/v1/meetings")
        code = created["url_code"]
        call("PATCH", f"{FRONT}/v1/meetings/{code}/date_range", {"start_date": "2026-12-01", "end_date": "2026-12-31"})
        _, joined = call("POST", f"{FRONT}/v1/participants", {"meeting_url_code": code, "name": "writer"})
        meetings.append((code, joined["participant_id"]))
    acknowledged = {code: None for code, _ in meetings}
    failed = []
    stop = threading.Event()

    def writer(code, participant):
        i = 0
        while not stop.is_set():
            day = f"2026-12-{i % 31 + 1:02d}"
            try:
                call("PUT", f"{FRONT}/v1/participants/{participant}/availability",
                     {"meeting_url_code": code, "free": [day]}, timeout=5)
                acknowledged[code] = day
            except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
                failed.append(f"{code} write {i}: {e}")
            i += 1

    live_versions = {code: 0 for code, _ in meetings}
    reconnects = {code: 0 for code, _ in meetings}

    watching = threading.Event()

    def watcher(code):
        # An EventSource: read frames; when the stream ends, reconnect with Last-Event-ID.
        while not watching.is_set():
            request = urllib.request.Request(f"{FRONT}/v1/meetings/{code}/events",
                                             headers={"last-event-id": str(live_versions[code])})
            try:
                with urllib.request.urlopen(request, timeout=5) as stream:
                    for line in stream:
                        if watching.is_set():
                            return
                        if line.startswith(b"id: "):
                            live_versions[code] = max(live_versions[code], int(line[4:]))
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            if not watching.is_set():
                reconnects[code] += 1
                time.sleep(0.2)

    threads = [threading.Thread(target=writer, args=m) for m in meetings]
    threads += [threading.Thread(target=watcher, args=(code,), daemon=True) for code, _ in meetings]
    for t in threads:
        t.start()
    time.sleep(3)
    # When instance 2 is stopped (SIGTERM: it finishes what it has in flight) under that load
    pid_file = os.path.join(CLUSTER_DIR, "meetifyr2.pid")
    pid = int(open(pid_file).read())
    os.kill(pid, signal.SIGTERM)
    stopped_at = time.time()
    time.sleep(5)
    stop.set()
    for t in threads[: len(meetings)]:
        t.join()
    time.sleep(0.5)
    # Then nothing acknowledged is lost: each meeting holds its last acknowledged write
    lost = []
    for code, participant in meetings:
        _, meeting = call("GET", f"{FRONT}/v1/meetings/{code}")
        free = [d["date"] for d in meeting["participants"][0]["dates"] if d["enabled"]]
        if free != [acknowledged[code]]:
            lost.append(f"{code}: holds {free}, last acknowledged {acknowledged[code]}")
    # And at most the requests in flight on the stopped instance failed (HAProxy retries a
    # refused connection on another instance)
    print(f"failover: {len(failed)} failed writes; stopped after {time.time() - stopped_at:.1f} s; "
          f"watchers reconnected {sum(reconnects.values())} times")
    for f in failed[:10]:
        print("  " + f)
    # And every watcher ended on the last version, whichever instance it reconnected to
    behind = []
    deadline = time.time() + 5
    for code, _ in meetings:
        request = urllib.request.Request(f"{FRONT}/v1/meetings/{code}")
        with urllib.request.urlopen(request) as r:
            etag_version = int(r.headers["etag"].strip('"'))
        while live_versions[code] < etag_version and time.time() < deadline:
            time.sleep(0.1)
        if live_versions[code] < etag_version:
            behind.append(f"{code}: watcher at {live_versions[code]}, meeting at {etag_version}")
    watching.set()
    problems = lost + behind + ([f"{len(failed)} failed writes (more than were in flight)"] if len(failed) > len(meetings) else [])
    if problems:
        print("failover problems:\n  " + "\n  ".join(problems))
        sys.exit(1)
    print("failover: nothing lost, every watcher on the last version")


if __name__ == "__main__":
    {"dashboard": dashboard, "failover": failover}[sys.argv[1]]()
