"""The browser suite's fixtures: a real Meetifyr binary on a fresh SQLite file, Debian's
Chromium driven by Playwright (never a downloaded browser), and a client of the public API to
check what the pages did."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import sync_playwright

from calendar_days import NOW, ZONE

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ARTIFACTS = os.environ.get("BROWSER_ARTIFACTS", os.path.join(ROOT, "target", "browser-artifacts"))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Api:
    """The public API, to set up meetings and check what the pages wrote."""

    def __init__(self, base):
        self.base = base

    def call(self, method, path, body=None, headers=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"content-type": "application/json", **(headers or {})})
        with urllib.request.urlopen(request, timeout=10) as r:
            raw = r.read()
            return json.loads(raw) if raw else None

    def meeting(self, code):
        return self.call("GET", f"/v1/meetings/{code}")

    def create(self, start, end, title="Team dinner", location=""):
        code = self.call("POST", "/v1/meetings")["url_code"]
        self.call("PATCH", f"/v1/meetings/{code}/date_range", {"start_date": start, "end_date": end})
        self.call("PATCH", f"/v1/meetings/{code}/title", {"title": title})
        self.call("PATCH", f"/v1/meetings/{code}/location", {"location": location})
        return code

    def join(self, code, name, password=None):
        body = {"meeting_url_code": code, "name": name}
        if password:
            body["password"] = password
        return self.call("POST", "/v1/participants", body)

    def status(self, method, path):
        try:
            self.call(method, path)
            return 200
        except urllib.error.HTTPError as e:
            return e.code

    def answer(self, code, participant, free, starred=()):
        return self.call("PUT", f"/v1/participants/{participant}/availability",
                         {"meeting_url_code": code, "free": list(free), "starred": list(starred)})


@pytest.fixture(scope="session")
def server():
    binary = os.environ.get("MEETIFYR_BIN", os.path.join(ROOT, "target", "debug", "meetifyr"))
    folder = tempfile.mkdtemp()
    port = free_port()
    # scripts/calendar-check.sh runs the server (not Chromium, whose pages have a pinned clock)
    # under libfaketime with the system date in another month.
    faketime = os.environ.get("MEETIFYR_FAKETIME")
    wrapper = ["faketime", "-f", faketime] if faketime else []
    env = dict(os.environ, FAKETIME_DONT_FAKE_MONOTONIC="1")
    process = subprocess.Popen(
        # The suite creates far more meetings a minute than a person does (the limits themselves
        # are tested over HTTP in crates/meetifyr/tests/api/limits.rs).
        wrapper + [binary, "--listen", f"127.0.0.1:{port}", "--store", f"sqlite=sqlite://{folder}/browser.db", "--log", "warn",
         "--rate-limit-create", "1000/min"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/health", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError("the server did not start: " + process.stderr.read().decode())
    yield base
    process.terminate()
    process.wait(timeout=10)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def api(server):
    return Api(server)


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        raise RuntimeError("Debian's chromium is missing: apt-get install chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def context_factory(browser, server):
    contexts = []

    def make(locale="en-US", now=NOW, timezone_id=ZONE, **options):
        """A browser context whose clock is stopped at `now` in `timezone_id` (timers still run)."""
        context = browser.new_context(base_url=server, locale=locale, timezone_id=timezone_id, **options)
        context.clock.set_fixed_time(now)
        contexts.append(context)
        return context

    yield make
    for c in contexts:
        c.close()


@pytest.fixture
def page(context_factory):
    return context_factory().new_page()


def pytest_configure(config):
    os.makedirs(ARTIFACTS, exist_ok=True)
