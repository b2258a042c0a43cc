# Sourced by the bench scripts that compare another commit with this tree:
#   build_at COMMIT   sets BUILT_BIN to a release binary of COMMIT, built once into
#                     target/meetifyr-COMMIT from a scratch worktree that shares target/ (only
#                     Meetifyr's own crates compile again when the dependencies are the same).
build_at() {
    local commit
    commit=$(git rev-parse --short "$1^{commit}")
    BUILT_BIN=$PWD/target/meetifyr-$commit
    [ -x "$BUILT_BIN" ] && return
    local tree
    tree=$(mktemp -d)
    git worktree add -q --detach "$tree" "$commit"
    (cd "$tree" && CARGO_TARGET_DIR="$OLDPWD/target" cargo build --release --quiet -p meetifyr --bin meetifyr)
    cp target/release/meetifyr "$BUILT_BIN"
    git worktree remove --force "$tree"
    # Cargo names workspace crates by their path within the workspace, so the two trees'
    # artifacts share names: make every one of this tree's sources newer than them.
    find crates -type f -exec touch {} +
}
