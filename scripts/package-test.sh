#!/usr/bin/env bash
# The Debian package, as an operator meets it: built with cargo-deb, installed with dpkg, its
# systemd unit started the way systemd would (no systemd as PID 1 here: the unit's
# EnvironmentFile is read and its ExecStart run as a user of no privileges in the unit's
# StateDirectory), /health checked, then removed and purged. Needs root (dpkg).
#
#   scripts/package-test.sh            # packages target/debug/meetifyr (what the suite built)
#   scripts/package-test.sh --release  # builds and packages the release binary
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_DEB_VERSION=3.7.0
if ! cargo deb --version 2>/dev/null | grep -q "$CARGO_DEB_VERSION"; then
    echo "[package] installing cargo-deb $CARGO_DEB_VERSION (crates.io)"
    cargo install --locked --quiet cargo-deb --version "$CARGO_DEB_VERSION"
fi
if [ "$(id -u)" != 0 ]; then
    echo "scripts/package-test.sh installs a package: run it as root" >&2
    exit 1
fi

out=$(mktemp -d)
cleanup() {
    [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true
    dpkg --purge meetifyr >/dev/null 2>&1 || true
    rm -rf "$out" /var/lib/meetifyr
}
trap cleanup EXIT

if [ "${1:-}" = --release ]; then
    cargo deb -p meetifyr --output "$out"
else
    [ -x target/debug/meetifyr ] || cargo build --quiet -p meetifyr --bin meetifyr
    cargo deb -p meetifyr --no-build --profile dev --output "$out"
fi
deb=$(echo "$out"/meetifyr_*.deb)
echo "[package] $deb: $(du -h "$deb" | cut -f1)"
dpkg-deb --info "$deb" | sed -n 's/^ \(Package\|Version\|Depends\|Section\):/  \1:/p'

# Given the package installed
dpkg -i "$deb" >/dev/null
unit=/lib/systemd/system/meetifyr.service
[ -f "$unit" ] || unit=/usr/lib/systemd/system/meetifyr.service
for f in /usr/bin/meetifyr /etc/default/meetifyr "$unit"; do
    [ -e "$f" ] || { echo "[package] $f is not installed" >&2; exit 1; }
done
dpkg-query -W -f='${Conffiles}\n' meetifyr | grep -q /etc/default/meetifyr ||
    { echo "[package] /etc/default/meetifyr is not a conffile" >&2; exit 1; }
# And the unit hardened as promised
for setting in DynamicUser=yes ProtectSystem=strict StateDirectory=meetifyr NoNewPrivileges=yes \
    ProtectHome=yes PrivateTmp=yes "EnvironmentFile=-/etc/default/meetifyr"; do
    grep -qx "$setting" "$unit" || { echo "[package] $unit lacks $setting" >&2; exit 1; }
done
if command -v systemd-analyze >/dev/null; then
    systemd-analyze verify "$unit" 2>&1 | grep -v "^$" | sed 's/^/[package] systemd-analyze: /' || true
fi

# When the unit is started as systemd would: its EnvironmentFile, its StateDirectory as the
# working directory owned by an unprivileged user, its ExecStart (on another port if 8000 is
# taken: the package's file says 127.0.0.1:8000)
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
state=/var/lib/meetifyr
mkdir -p "$state" && chown nobody:nogroup "$state" && chmod 0700 "$state"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(
    set -a
    . /etc/default/meetifyr
    set +a
    export MEETIFYR_LISTEN=127.0.0.1:$port
    cd "$state"
    umask 0077
    # shellcheck disable=SC2086 # ExecStart is a command line
    exec setpriv --reuid=nobody --regid=nogroup --clear-groups --no-new-privs $exec_start
) >"$out/server.log" 2>&1 &
server=$!
for _ in $(seq 1 200); do
    curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || { cat "$out/server.log" >&2; echo "[package] the unit's ExecStart exited" >&2; exit 1; }
    sleep 0.05
done
# Then it is healthy, writes its SQLite file in the state directory as that user, logs JSON
curl -fsS "http://127.0.0.1:$port/health" >/dev/null
code=$(curl -fsS -X POST "http://127.0.0.1:$port/v1/meetings" | python3 -c 'import json, sys; print(json.load(sys.stdin)["url_code"])')
curl -fsS "http://127.0.0.1:$port/v1/meetings/$code" >/dev/null
MEETIFYR_LISTEN=127.0.0.1:$port /usr/bin/meetifyr health
[ "$(stat -c %U "$state/meetifyr.db")" = nobody ] || { echo "[package] the database is not in $state as nobody" >&2; exit 1; }
[ "$(stat -c %a "$state/meetifyr.db")" = 600 ] || { echo "[package] the database is readable by others" >&2; exit 1; }
python3 -c 'import json, sys; [json.loads(l) for l in open(sys.argv[1]) if l.strip()]' "$out/server.log" ||
    { echo "[package] the log is not JSON lines:" >&2; cat "$out/server.log" >&2; exit 1; }
# And SIGTERM (systemd's stop) ends it cleanly
kill -TERM "$server"
status=0
wait "$server" || status=$?
server=
[ "$status" = 0 ] || { echo "[package] exit $status on SIGTERM" >&2; exit 1; }
# And it is removed without a trace but its settings, then purged
dpkg -r meetifyr >/dev/null
[ ! -e /usr/bin/meetifyr ] && [ -e /etc/default/meetifyr ] || { echo "[package] dpkg -r left the wrong files" >&2; exit 1; }
dpkg --purge meetifyr >/dev/null
[ ! -e /etc/default/meetifyr ] || { echo "[package] purge kept /etc/default/meetifyr" >&2; exit 1; }
echo "[package] installed, served /health and a meeting as the unit would, stopped on SIGTERM, removed and purged"
