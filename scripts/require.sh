# Sourced by the scripts: `require CHECK PACKAGE [CHECK PACKAGE …]` runs each CHECK (a shell
# command) and installs the Debian PACKAGE of every one that fails, in one apt call, as root;
# not as root, it names the packages and exits 1. Nothing is installed when every check passes.
require() {
    local missing=()
    while [ $# -gt 0 ]; do
        if ! eval "$1" >/dev/null 2>&1; then missing+=("$2"); fi
        shift 2
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing: ${missing[*]}: apt-get install ${missing[*]} (as root), then run this again" >&2
        exit 1
    fi
    echo "[require] installing ${missing[*]} (Debian packages)" >&2
    # The scripts start the servers they need themselves, on their own ports.
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# python3 with venv and pip, for the suites that use PyPI tools in venvs under target/.
require_python() {
    require "command -v python3" python3 \
        "python3 -c 'import ensurepip, venv'" python3-venv
}
