# Sourced by the bench scripts that compare storage v1 with this tree: sets MEETIFYR_V1_BIN to
# a release binary of commit e3f28d8 (the last one on per-day rows), built once into
# target/meetifyr-v1 from a scratch worktree that shares target/ (only Meetifyr's own crates
# compile again).
if [ -z "${MEETIFYR_V1_BIN:-}" ]; then
    MEETIFYR_V1_BIN=$PWD/target/meetifyr-v1
    if [ ! -x "$MEETIFYR_V1_BIN" ]; then
        v1_tree=$(mktemp -d)
        git worktree add -q --detach "$v1_tree" e3f28d8
        (cd "$v1_tree" && CARGO_TARGET_DIR="$OLDPWD/target" cargo build --release --quiet -p meetifyr --bin meetifyr)
        cp target/release/meetifyr "$MEETIFYR_V1_BIN"
        git worktree remove --force "$v1_tree"
        # Cargo names workspace crates by their path within the workspace, so the two trees'
        # artifacts share names: make every one of this tree's sources newer than them.
        find crates -type f -exec touch {} +
    fi
fi
export MEETIFYR_V1_BIN
