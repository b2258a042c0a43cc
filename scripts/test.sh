#!/usr/bin/env bash
# Runs Meetifyr's whole test suite on a fresh Debian machine (as root) or a developer's box.
# Idempotent: safe to run again while its databases are already up.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --workspace --all-targets "$@"
