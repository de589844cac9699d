#!/bin/sh
# jenkins_test.sh: the Jenkinsfile against what it drives, as TAP.
#  - every `sh` step is `harness/sh/jenkins.sh STAGE` for a stage jenkins.sh
#    knows, so the commands are the ones tested here;
#  - the matrix axes are VCT_HOST (every hosts/*.conf, and only those) and
#    VCT_KERNEL (the matrix's default kernels), the merge stage's lists equal
#    the axes, cells run on agents labelled vfio-ct, JUnit is published from
#    results/**/junit.xml and the results are archived, and make check runs
#    for changes to vfio-ct;
#  - jenkins.sh's commands (VCT_JENKINS_DRY=1), and the stage commands given
#    to run.sh parse: cell and merge are run for real with their usage
#    errors, which run.sh detects before booting anything.
# (`make jenkins-lint` lints the Groovy with npm-groovy-lint;
#  `make jenkins-rehearsal` runs the cell and merge stages on one cell.)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
jf="$top/Jenkinsfile"
n=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM HUP
check() {
    name=$1; shift
    n=$((n + 1))
    if "$@" > "$tmp/out" 2>&1; then echo "ok $n $name"; else echo "not ok $n $name"; sed 's/^/# /' "$tmp/out"; failed=1; fi
}

# The quoted words of a `values` list or a Groovy list, one per line.
quoted() { tr ',' '\n' | sed -n "s/.*'\([^']*\)'.*/\1/p"; }
axis() {  # axis NAME: the values of that axis (a `values` statement may span lines)
    awk -v a="$1" '$1 == "name" && $2 == "\x27" a "\x27" { want = 1; next }
        want && $1 == "values" { on = 1 }
        on { print; if ($0 !~ /,[ \t]*$/) exit }' "$jf" | quoted
}
merge_list() {  # merge_list VAR: the list the merge stage loops VAR over
    awk -v v="$1" '$0 ~ "for \\(" v " in \\[" { on = 1 } on { print; if ($0 ~ /\]\)/) exit }' "$jf" | quoted
}

sh_steps_are_jenkins_sh() {
    grep -n "sh '" "$jf" > "$tmp/steps"
    [ -s "$tmp/steps" ] || { echo "no sh steps"; return 1; }
    bad=$(grep -v "sh 'harness/sh/jenkins.sh \(self-test\|cell\|merge\)'\$" "$tmp/steps" || true)
    [ -z "$bad" ] || { echo "sh steps that are not jenkins.sh STAGE: $bad"; return 1; }
    for s in self-test cell merge; do grep -q "sh 'harness/sh/jenkins.sh $s'" "$jf" || { echo "no stage runs $s"; return 1; }; done
}
host_axis_is_the_default_matrix() {
    axis VCT_HOST | sort > "$tmp/axis"
    "$top/harness/sh/matrix-hosts.sh" | sort > "$tmp/hosts"
    diff -u "$tmp/hosts" "$tmp/axis"
}
kernel_axis_is_matrix_default() {
    want=$(sed -n 's/^default_kernels="\(.*\)"$/\1/p' "$top/harness/sh/matrix.sh")
    got=$(axis VCT_KERNEL | tr '\n' ' ' | sed 's/ $//')
    [ -n "$want" ] && [ "$got" = "$want" ] || { echo "axis '$got', matrix.sh defaults '$want'"; return 1; }
}
merge_lists_equal_axes() {
    [ "$(axis VCT_HOST)" = "$(merge_list h)" ] && [ "$(axis VCT_KERNEL)" = "$(merge_list k)" ] ||
        { echo "axes: $(axis VCT_HOST | xargs) / $(axis VCT_KERNEL | xargs)"; echo "merge: $(merge_list h | xargs) / $(merge_list k | xargs)"; return 1; }
}
publishes_and_archives() {
    grep -q "agent { label 'vfio-ct' }" "$jf" &&
    [ "$(grep -c "junit testResults: 'results/\*\*/junit.xml'" "$jf")" -ge 2 ] &&
    grep -q "archiveArtifacts artifacts: 'results/\*\*'" "$jf" &&
    grep -q "matrix {" "$jf" && grep -q "axes {" "$jf" &&
    awk '/stage\(.self-test.\)/ { s = 1 } s && /changeRequest\(\)/ { c = 1 } s && /jenkins.sh self-test/ { exit !c }' "$jf"
}
dry() {  # dry WANT STAGE [VAR=VALUE...]: jenkins.sh STAGE prints WANT
    want=$1 stage=$2; shift 2
    got=$(env VCT_JENKINS_DRY=1 "$@" sh "$top/harness/sh/jenkins.sh" "$stage")
    [ "$got" = "$want" ] || { echo "got:  $got"; echo "want: $want"; return 1; }
}
cell_command_parses() {
    # the cell's exact command, with a host that does not exist: run.sh's
    # matrix checks its hosts before building or booting, so this proves
    # the command line is one run.sh accepts up to its SPEC
    st=0
    (cd "$tmp" && VCT_HOST=nosuch-host VCT_KERNEL=debian:sid sh "$top/harness/sh/jenkins.sh" cell) > "$tmp/o" 2>&1 || st=$?
    [ "$st" = 2 ] && grep -q "no host profile nosuch-host" "$tmp/o" || { echo "exit $st"; cat "$tmp/o"; return 1; }
}
merge_stage_merges() {
    # the merge stage's exact command on two cell directories (as the
    # cells' stash hands them over), in a copy of the tree
    mkdir -p "$tmp/tree/results"
    cp -R "$top/run.sh" "$top/harness" "$top/hosts" "$tmp/tree/"
    for c in a b; do
        d="$tmp/tree/results/cell-qemu-x86_64-vtd-$c"; mkdir -p "$d"
        printf 'hosts\tqemu-x86_64-vtd\nkernels\t%s\nwall\t5\n' "$c" > "$d/matrix.spec"
        printf 'qemu-x86_64-vtd\t%s\t0\t0\t0\t0\t5\t-\n' "$c" > "$d/cells.tsv"
    done
    sh "$tmp/tree/harness/sh/jenkins.sh" merge > "$tmp/o" 2>&1 || { cat "$tmp/o"; return 1; }
    grep -q '"kernels": \["a", "b"\]' "$tmp/tree/results/matrix/matrix.json" &&
    [ -f "$tmp/tree/results/matrix/matrix.html" ]
}

echo "TAP version 13"
echo "1..10"
check jenkinsfile.sh_steps_are_jenkins_sh_stages sh_steps_are_jenkins_sh
check jenkinsfile.host_axis_is_the_default_matrix host_axis_is_the_default_matrix
check jenkinsfile.kernel_axis_is_the_default_matrix kernel_axis_is_matrix_default
check jenkinsfile.merge_stage_lists_equal_axes merge_lists_equal_axes
check jenkinsfile.label_junit_archive_selftest publishes_and_archives
check jenkins_sh.self_test_runs_make_check dry "make check" self-test
check jenkins_sh.cell_is_one_cell_matrix_accel_auto \
    dry "./run.sh --matrix qemu-x86_64-amdvi x debian:sid --accel auto --suite resv,map --results results/cell-qemu-x86_64-amdvi-debian_sid" \
    cell VCT_HOST=qemu-x86_64-amdvi VCT_KERNEL=debian:sid VCT_SUITES=resv,map
check jenkins_sh.cell_command_is_accepted_by_run_sh cell_command_parses
check jenkins_sh.merge_stage_merges_cell_directories merge_stage_merges
no_axes() { st=0; VCT_JENKINS_DRY=1 sh "$top/harness/sh/jenkins.sh" cell > "$tmp/o" 2>&1 || st=$?; [ "$st" != 0 ] && grep -q VCT_HOST "$tmp/o"; }
check jenkins_sh.cell_without_axes_fails no_axes
[ "$n" = 10 ] || { echo "# plan mismatch: ran $n"; failed=1; }
exit "$failed"
