#!/usr/bin/env bash
# The browser suite (tests/browser): Playwright for Python (pinned, from PyPI, in
# target/browser-venv) driving Debian's Chromium, never a downloaded browser, against the debug
# server (MEETIFYR_BIN to choose another). Screenshots go to target/browser-artifacts/.
# As root on a fresh Debian machine it installs chromium first.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/require.sh
# Chromium, and a Korean font so that the screenshots show Korean (users' systems have one).
require "command -v chromium" chromium "fc-list | grep -i nanum" fonts-nanum
require_python

venv=target/browser-venv
pins=(playwright==1.65.2 axe-playwright-python==0.1.8 pytest==9.2.0 icalendar==7.3.2)
if ! "$venv/bin/python" -c 'import playwright, axe_playwright_python, pytest, icalendar' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "${pins[@]}"
fi
export MEETIFYR_BIN=${MEETIFYR_BIN:-$PWD/target/debug/meetifyr}
cd tests/browser
exec "../../$venv/bin/python" -m pytest -q -p no:cacheprovider "$@"
