# shellcheck shell=sh disable=SC2154,SC2034
# (sourced by run.sh: its variables are set there, and these set its state)
# proof.sh: a QEMU guest that runs the local host kind inside itself.  With
# `--proof PROGRAM` or a profile's `proof = PROGRAM` (a path in the source
# tree, e.g. suites/local/realhost_test.sh), the initramfs carries the whole
# installed tree (`make install`: run.sh, harness/, hosts/, the build, as
# /vfio-ct) and the guest half, instead of the suites, runs PROGRAM as its
# one test program (`suites/local/NAME`): PROGRAM calls
# `/vfio-ct/run.sh --host local ...` and prints TAP (and answers
# --vct-list).  The guest binds nothing itself: the local runs do; it loads
# the profile's modules as usual.
#
# proof_setup: after the build.  Sets proof_tree (the tree for
# initramfs.sh -T), bind_ids (empty) and BUILD (a directory holding only
# suites/local/NAME, so programs() and collect.sh see the one program).
proof_setup() {
    proof_tree=""
    [ -n "$proof" ] || proof=$(prof proof)
    [ -n "$proof" ] || return 0
    src=$proof
    case "$src" in /*) ;; *) src="$VCT_TOP/$src" ;; esac
    [ -f "$src" ] || die "proof program '$proof' does not exist"
    say "proof: the guest runs $proof over the installed tree (make install)"
    make -C "$VCT_TOP" ARCH="$arch" install INSTALL_PATH="$work/tree" >> "$results/build.log" 2>&1 ||
        { tail -n 30 "$results/build.log" >&2; die "make install failed"; }
    proof_tree="$work/tree"
    name=$(basename "$src" .sh)
    mkdir -p "$work/proof/suites/local"
    cp "$src" "$work/proof/suites/local/$name"
    chmod +x "$work/proof/suites/local/$name"
    BUILD="$work/proof"
    suites=""
    bind_ids=""
}
