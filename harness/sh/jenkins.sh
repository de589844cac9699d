#!/bin/sh
# jenkins.sh STAGE: what each stage of the Jenkinsfile runs, so that the
# commands are the ones tested here (suites/unit/jenkins_test.sh, and
# `make jenkins-rehearsal` runs them for real) and the Jenkinsfile holds no
# shell of its own.  With VCT_JENKINS_DRY=1 it prints the commands instead.
#
#   self-test   make check: the project's own tests (changes to vfio-ct)
#   cell        one matrix cell, $VCT_HOST x $VCT_KERNEL (the matrix axes),
#               as a one-cell matrix in results/cell-<host>-<kernel>/:
#               --accel auto (KVM where the agent has /dev/kvm and the guest
#               is of its architecture, else TCG; $VCT_ACCEL overrides it:
#               tcg where an agent's /dev/kvm cannot run guests); $VCT_SUITES
#               narrows it
#   merge       results/matrix/: matrix.md, matrix.json and matrix.html of
#               every cell directory the stage was handed (run.sh --merge)
# Exit status: the command's, so a red cell is a red stage.
set -eu
cd "$(dirname "$0")/../.."
run() {
    if [ "${VCT_JENKINS_DRY:-}" = 1 ]; then printf '%s\n' "$*"; return 0; fi
    "$@"
}
label() { printf '%s' "$1" | tr -c 'A-Za-z0-9._+-' '_'; }
case "${1:-}" in
    self-test)
        run make check ;;
    cell)
        : "${VCT_HOST:?cell needs VCT_HOST (a matrix axis)}" "${VCT_KERNEL:?cell needs VCT_KERNEL (a matrix axis)}"
        run ./run.sh --matrix "$VCT_HOST x $VCT_KERNEL" --accel "${VCT_ACCEL:-auto}" ${VCT_SUITES:+--suite "$VCT_SUITES"} \
            --results "results/cell-$(label "$VCT_HOST")-$(label "$VCT_KERNEL")" ;;
    merge)
        set --
        for d in results/cell-*; do [ -f "$d/cells.tsv" ] && set -- "$@" "$d"; done
        [ $# -gt 0 ] || { echo "jenkins.sh merge: no results/cell-*/cells.tsv" >&2; exit 2; }
        run ./run.sh --results results/matrix --merge "$@" ;;
    *)
        echo "usage: jenkins.sh self-test|cell|merge" >&2; exit 2 ;;
esac
