# Sourced by the bench scripts that compare storage v1 with this tree: sets MEETIFYR_V1_BIN to
# a release binary of commit e3f28d8 (the last one on per-day rows), built by bench/build-at.sh.
if [ -z "${MEETIFYR_V1_BIN:-}" ]; then
    source bench/build-at.sh
    build_at e3f28d8
    MEETIFYR_V1_BIN=$BUILT_BIN
fi
export MEETIFYR_V1_BIN
