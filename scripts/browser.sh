#!/usr/bin/env bash
# The browser suite (tests/browser): Playwright for Python (pinned, from PyPI, in
# target/browser-venv) driving Debian's Chromium, never a downloaded browser, against the debug
# server (MEETIFYR_BIN to choose another). Screenshots go to target/browser-artifacts/.
# As root on a fresh Debian machine it installs chromium first.
set -euo pipefail
cd "$(dirname "$0")/.."

# Chromium, and a Korean font so that the screenshots show Korean (users' systems have one).
if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi nanum; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "chromium or fonts-nanum is missing: apt-get install chromium fonts-nanum (as root)" >&2
        exit 1
    fi
    echo "[browser] installing chromium and fonts-nanum (Debian packages)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-nanum >/dev/null
fi

venv=target/browser-venv
pins=(playwright==1.65.2 axe-playwright-python==0.1.8 pytest==9.2.0 icalendar==7.3.2)
if ! "$venv/bin/python" -c 'import playwright, axe_playwright_python, pytest, icalendar' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "${pins[@]}"
fi
export MEETIFYR_BIN=${MEETIFYR_BIN:-$PWD/target/debug/meetifyr}
cd tests/browser
exec "../../$venv/bin/python" -m pytest -q -p no:cacheprovider "$@"
