#!/usr/bin/env bash
# Line, function and region coverage of the workspace by its tests, test code left out (seed 001's
# `coverage run` / `report` / `html` with tests omitted): every crate's own tests and contract
# suites, then the end-to-end HTTP suites again on PostgreSQL and MariaDB, as ./scripts/test.sh
# runs them. The servers the tests start (target/…/meetifyr, exbuy) count too.
# No threshold: the figures are for reading.
#
# Needs cargo-llvm-cov (installed here, pinned, into target/tools when missing) and Debian's LLVM
# tools of the LLVM version rustc was built with (`llvm-N`, installed when root).
# Output: a summary per file on stdout and in target/coverage/summary.txt; HTML in
# target/coverage/html/index.html. Profiles are written under target/; the workspace crates are
# built instrumented in target/debug (and cleaned from target/release), so the next plain builds
# compile them again.
# Usage: ./scripts/coverage.sh
set -euo pipefail
cd "$(dirname "$0")/.."

llvm_cov_version=0.9.1
llvm=$(rustc -vV | sed -n 's/^LLVM version: \([0-9]*\).*/\1/p')
if ! command -v "llvm-cov-$llvm" >/dev/null || ! command -v "llvm-profdata-$llvm" >/dev/null; then
    [ "$(id -u)" -eq 0 ] || { echo "install Debian's llvm-$llvm (rustc uses LLVM $llvm)" >&2; exit 1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "llvm-$llvm" >/dev/null
fi
export LLVM_COV=/usr/bin/llvm-cov-$llvm LLVM_PROFDATA=/usr/bin/llvm-profdata-$llvm

tools=$PWD/target/tools
export PATH=$tools/bin:$PATH
if ! cargo llvm-cov --version 2>/dev/null | grep -q "$llvm_cov_version"; then
    cargo install --locked --quiet --root "$tools" "cargo-llvm-cov@$llvm_cov_version"
fi

if [ -z "${MEETIFYR_TEST_POSTGRES_URL:-}" ] || [ -z "${MEETIFYR_TEST_MYSQL_URL:-}" ]; then
    ./scripts/databases.sh
fi
export MEETIFYR_TEST_POSTGRES_URL=${MEETIFYR_TEST_POSTGRES_URL:-postgres://meetifyr:meetifyr@127.0.0.1:5432/postgres}
export MEETIFYR_TEST_MYSQL_URL=${MEETIFYR_TEST_MYSQL_URL:-mysql://meetifyr:meetifyr@127.0.0.1:3306/}
export MEETIFYR_TEST_MYSQL_PLAIN_URL=${MEETIFYR_TEST_MYSQL_PLAIN_URL:-mysql://meetifyr_plain:meetifyr@127.0.0.1:3306/}

# Instruments the workspace crates (not their dependencies, which stay as built).
eval "$(cargo llvm-cov show-env --sh)"
cargo llvm-cov clean --workspace
cargo test --workspace --all-targets
built=$(cargo test --workspace --all-targets --no-run 2>&1)
executable() { sed -n "s|.*Executable $1 (\(.*\))|\1|p" <<<"$built"; }
api=$(executable tests/api/main.rs)
for backend in postgres mysql; do
    echo "== end-to-end HTTP suite on $backend"
    MEETIFYR_E2E_BACKEND=$backend "$api"
done

out=target/coverage
rm -rf "$out"
mkdir -p "$out"
# Test code is left out: tests/ folders, the contract suites and the test helpers.
ignore='(/tests/|/benches/|crates/core/src/contract\.rs|crates/store/src/testing\.rs|/\.cargo/|/rustc/)'
cargo llvm-cov report --ignore-filename-regex "$ignore" | tee "$out/summary.txt"
cargo llvm-cov report --ignore-filename-regex "$ignore" --html --output-dir "$out"
echo "coverage: $out/html/index.html"
