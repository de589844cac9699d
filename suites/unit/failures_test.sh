#!/bin/sh
# failures_test.sh: the failure scenarios of README's table that need no
# real guest, as TAP.  Runs under dash and busybox ash (VCT_SH runs run.sh).
#
# run.sh runs for real in a scratch checkout (run.sh and harness/sh copied,
# a host profile `fake`, one "program" suites/fake/prog, a kernel given as
# IMAGE,MODDIR) with a stand-in QEMU (fixtures/failures/bin) that replays a
# guest scenario (fixtures/failures/<scenario>/) and then exits or hangs.
# Everything else - deps, initramfs, collection, results - is the real code.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
sh_cmd=${VCT_SH:-sh}
fx="$top/fixtures/failures"
n=0 failed=0
tmp=$(mktemp -d)
cleanup() {
    # a run.sh left behind by a failed check (never a pid this script did not start)
    for p in $(cat "$tmp"/*.runpid 2>/dev/null); do kill "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM HUP

# VCT_ONLY=ERE runs only the checks whose name matches (the rest SKIP).
check() {  # check NAME COMMAND...: ok when COMMAND succeeds
    name=$1; shift
    n=$((n + 1))
    if [ -n "${VCT_ONLY:-}" ] && ! printf '%s\n' "$name" | grep -Eq -- "$VCT_ONLY"; then
        echo "ok $n $name # SKIP not in VCT_ONLY"; return 0
    fi
    if "$@" > "$tmp/out" 2>&1; then
        echo "ok $n $name"
    else
        echo "not ok $n $name"; sed 's/^/# /' "$tmp/out"; failed=1
    fi
}

# ---- the scratch checkout ----------------------------------------------------
co="$tmp/co"
mkdir -p "$co/harness" "$co/hosts" "$co/build/x86_64/suites/fake" "$tmp/kernel/0.0-fake" "$tmp/cache"
cp "$top/run.sh" "$co/"
cp -R "$top/harness/sh" "$co/harness/sh"
cp "$top/hosts/README.md" "$co/hosts/"
printf '#!/bin/sh\necho "fake program: runs only in a guest"\n' > "$co/build/x86_64/suites/fake/prog"
chmod +x "$co/build/x86_64/suites/fake/prog"
: > "$tmp/kernel/vmlinuz"
# The runner always puts the guest channel's drivers in: built in here.
printf 'kernel/drivers/virtio/virtio_pci.ko\nkernel/drivers/char/virtio_console.ko\n' \
    > "$tmp/kernel/0.0-fake/modules.builtin"
cat > "$co/hosts/fake.conf" <<EOF
description = a replayed guest (suites/unit/failures_test.sh)
arch = x86_64
kind = qemu
kernel = $tmp/kernel/vmlinuz,$tmp/kernel/0.0-fake
console = ttyS0
bind = 1234:11e8
EOF

# run SCENARIO RESULTS [ARGS...]: run.sh --host fake replaying SCENARIO into
# RESULTS; its exit status in $tmp/st, stdout/stderr in RESULTS.out/.err.
run() {
    scen=$1 res=$2; shift 2
    st=0
    # shellcheck disable=SC2086 # VCT_SH may be "busybox ash"
    PATH="$fx/bin:$PATH" VFIOCT_CACHE="$tmp/cache" VCT_FAKE_GUEST="$fx/$scen" \
        VCT_FAKE_PIDFILE="$res.qemupid" \
        $sh_cmd "$co/run.sh" --host fake --no-build --results "$res" "$@" \
        > "$res.out" 2> "$res.err" < /dev/null || st=$?
    echo "$st" > "$tmp/st"
}

# run_bg SCENARIO RESULTS [ARGS...]: run() in the background, as its own
# process group (so that a Ctrl-C can be sent to the group) with SIGINT not
# ignored (a background job of a script starts with it ignored).
run_bg() {
    scen=$1 res=$2; shift 2
    # shellcheck disable=SC2086
    PATH="$fx/bin:$PATH" VFIOCT_CACHE="$tmp/cache" VCT_FAKE_GUEST="$fx/$scen" \
        VCT_FAKE_PIDFILE="$res.qemupid" VCT_FAKE_APT_PIDFILE="$res.aptpid" \
        setsid perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV or die "exec: $!\n"' \
        $sh_cmd "$co/run.sh" --host fake --results "$res" "$@" \
        > "$res.out" 2> "$res.err" < /dev/null &
    echo $! > "$res.runpid"
}
# wait_for RES TEXT: run.sh's stderr shows TEXT within 30 s.
wait_for() {
    i=0
    until grep -qF -- "$2" "$1.err" 2>/dev/null; do
        i=$((i + 1)); [ $i -le 300 ] || { echo "no '$2' on stderr after 30 s"; cat "$1.err"; return 1; }
        sleep 0.1
    done
}
# signal_run RES SIGNAL group|pid: send it, wait for run.sh, status to $tmp/st.
signal_run() {
    pid=$(cat "$1.runpid")
    if [ "$3" = group ]; then kill -s "$2" -- "-$pid"; else kill -s "$2" "$pid"; fi
    st=0; wait "$pid" || st=$?
    echo "$st" > "$tmp/st"
    rm -f "$1.runpid"
}
# gone PIDFILE WHAT: the process in PIDFILE is not running.
# (a killed process may take a moment to be reaped: up to 3 s)
gone() {
    [ -s "$1" ] || { echo "$2 never started"; return 1; }
    i=0
    while kill -0 "$(cat "$1")" 2>/dev/null; do
        i=$((i + 1)); [ $i -le 30 ] || { echo "$2 ($(cat "$1")) still running"; return 1; }
        sleep 0.1
    done
}

# want_exit N RES: run.sh exited N (else show its stderr).
want_exit() {
    st=$(cat "$tmp/st")
    [ "$st" = "$1" ] || { echo "exit $st, want $1"; cat "$2.err"; return 1; }
}
# json_has RES TEXT: run.json holds TEXT.
json_has() { grep -qF -- "$2" "$1/run.json" || { echo "run.json lacks: $2"; cat "$1/run.json"; return 1; }; }
# tap_has RES FILE LINE-ERE: the TAP file holds a line matching LINE-ERE.
tap_has() { grep -Eq -- "$3" "$1/tap/$2" || { echo "tap/$2 lacks /$3/:"; cat "$1/tap/$2"; return 1; }; }
# qemu_gone RES: the stand-in QEMU of that run is not running any more.
qemu_gone() { gone "$1.qemupid" QEMU; }

# ---- scenarios -------------------------------------------------------------------
replay_passes() {
    run pass "$tmp/r-pass"
    want_exit 0 "$tmp/r-pass" && json_has "$tmp/r-pass" '"complete": true' &&
        tap_has "$tmp/r-pass" fake.prog.tap '^ok 3 fake\.t\.c$' && qemu_gone "$tmp/r-pass" &&
        json_has "$tmp/r-pass" '"guest_clock": "real",' && ! grep -q -- ' -icount' "$tmp/r-pass/work/qemu.cmd" &&
        ! grep -q VCT_GUEST_CLOCK "$tmp/r-pass/work/env"
}

# --icount: QEMU counts instructions with idle time skipped and the guest
# is told its clock is virtual (run.json takes it from the guest's own
# record, results_test.sh)
icount_virtual_clock() {
    r="$tmp/r-icount"
    run pass "$r" --icount
    want_exit 0 "$r" && grep -q ' -icount shift=auto,sleep=off' "$r/work/qemu.cmd" &&
        grep -qx 'VCT_GUEST_CLOCK=virtual' "$r/work/env"
}

panic_in_test() {
    r="$tmp/r-panic"
    run panic-in-test "$r"
    want_exit 1 "$r" && json_has "$r" '"complete": false' &&
        json_has "$r" 'the kernel logged: Kernel panic - not syncing: Fatal exception' &&
        tap_has "$r" fake.prog.tap '^ok 1 fake\.t\.a$' &&
        tap_has "$r" fake.prog.tap '^not ok 2 fake\.t\.b # test did not finish: guest stopped before finishing' &&
        tap_has "$r" fake.prog.tap '^#   Kernel panic - not syncing: Fatal exception$' &&
        tap_has "$r" fake.prog.tap '^not ok 3 fake\.t\.c # not run: ' &&
        tap_has "$r" fake.prog.tap '^1\.\.3$' &&
        [ -s "$r/console.log" ] && qemu_gone "$r"
}

hang_idle() {
    r="$tmp/r-hang"
    run hang-in-test "$r" --idle 2
    want_exit 1 "$r" && json_has "$r" '"incomplete_reason": "guest printed nothing for 2s (hung?)"' &&
        tap_has "$r" fake.prog.tap '^not ok 2 fake\.t\.b # test did not finish: guest printed nothing for 2s' &&
        tap_has "$r" fake.prog.tap '^not ok 3 fake\.t\.c # not run: guest printed nothing' &&
        qemu_gone "$r"
}

# One replayed boot with a splat in each phase: WARNING at boot, KASAN while
# modules load, UBSAN while devices bind, a hung task in test b, a BUG in c.
splats_run() { [ -f "$tmp/r-splats/run.json" ] || run splats "$tmp/r-splats"; }
splat_during() {  # splat_during PHASE-TEST-ERE DIAG-ERE FILE
    splats_run
    want_exit 1 "$tmp/r-splats" && tap_has "$tmp/r-splats" "$3" "$1" && tap_has "$tmp/r-splats" "$3" "$2"
}

# outside_splat SCENARIO RESULT DIAG-ERE: a splat between programs or in the
# teardown fails that result of the teardown block, with exit 1, and every
# consumer (run.json, junit.xml, TAP::Parser, LKFT) counts that one failure.
outside_splat() {
    r="$tmp/r-$1"
    run "$1" "$r"
    want_exit 1 "$r" && json_has "$r" '"complete": true' &&
        json_has "$r" '"counts": {"pass": 10, "fail": 1, "skip": 0,' &&
        tap_has "$r" fake.prog.tap '^ok 3 fake\.t\.c$' &&
        tap_has "$r" zz-teardown.tap "^not ok [12] teardown\.$2\$" &&
        tap_has "$r" zz-teardown.tap "$3" &&
        grep -q '^not ok 3 selftests: teardown: guest' "$r.out" &&
        { grep -A2 "<testcase classname=\"teardown.guest\" name=\"teardown.$2\" time=\"0\">\$" "$r/junit.xml" |
              grep -q "message=\"not ok [12] teardown.$2\"" ||
          { echo "junit.xml lacks the failure of teardown.$2:"; cat "$r/junit.xml"; return 1; }; } &&
        "$co/harness/sh/consumers.sh" "$r"
}
teardown_known() {  # a known kernel bug's splat at teardown (hosts/known-failures) is XFAIL
    r="$tmp/r-teardown-known"
    printf 'teardown.kernel_log_clean_during_teardown  fake  -  -  report: a fixture bug\n' > "$tmp/known-teardown"
    (VCT_KNOWN_FAILURES="$tmp/known-teardown"; export VCT_KNOWN_FAILURES; run splat-teardown "$r")
    want_exit 0 "$r" &&
        tap_has "$r" zz-teardown.tap '^ok 2 teardown\.kernel_log_clean_during_teardown # XFAIL known kernel bug: report: a fixture bug' &&
        json_has "$r" '"counts": {"pass": 10, "fail": 0, "skip": 0, "xfail": 1, "xpass": 0, "xfail_known": 1, "xpass_known": 0}' &&
        grep -q '^ok 3 selftests: teardown: guest$' "$r.out"
}
teardown_clean() {
    r="$tmp/r-pass"
    [ -d "$r" ] || run pass "$r"
    tap_has "$r" zz-teardown.tap '^ok 1 teardown\.kernel_log_clean_between_programs$' &&
        tap_has "$r" zz-teardown.tap '^ok 2 teardown\.kernel_log_clean_during_teardown$' &&
        json_has "$r" '"counts": {"pass": 11, "fail": 0, "skip": 0,' &&
        grep -q '^ok 3 selftests: teardown: guest$' "$r.out" && "$co/harness/sh/consumers.sh" "$r"
}

sigterm_during_boot() {
    r="$tmp/r-term-boot"
    run_bg hang-at-boot "$r" --no-build
    wait_for "$r" "booting fake" && sleep 1 && signal_run "$r" TERM pid &&
        want_exit 143 "$r" && json_has "$r" '"complete": false' &&
        json_has "$r" '"incomplete_reason": "interrupted by SIGTERM"' &&
        tap_has "$r" 00-setup.tap '^not ok 1 setup\.guest_booted$' &&
        tap_has "$r" fake.prog.tap '^not ok 1 prog # not run: interrupted by SIGTERM' &&
        grep -q '^not ok 2 selftests: fake: prog' "$r.out" && qemu_gone "$r"
}

ctrl_c_during_test() {
    r="$tmp/r-int-test"
    run_bg hang-in-test "$r" --no-build
    wait_for "$r" "running suites/fake/prog" && sleep 1 && signal_run "$r" INT group &&
        want_exit 130 "$r" && json_has "$r" '"incomplete_reason": "interrupted by SIGINT"' &&
        tap_has "$r" fake.prog.tap '^ok 1 fake\.t\.a$' &&
        tap_has "$r" fake.prog.tap '^not ok 2 fake\.t\.b # test did not finish: interrupted by SIGINT' &&
        qemu_gone "$r"
}

# The build: a Makefile whose `all` is a long compiler (its pid recorded).
sigterm_during_build() {
    r="$tmp/r-term-build"
    printf 'all:\n\t@echo $$$$ > %s; exec sleep 600\n' "$r.makepid" > "$co/Makefile"
    run_bg pass "$r"
    wait_for "$r" "building" && i=0 && until [ -s "$r.makepid" ] || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
    signal_run "$r" TERM pid
    rm -f "$co/Makefile"
    want_exit 143 "$r" && json_has "$r" '"incomplete_reason": "interrupted by SIGTERM during the build"' &&
        json_has "$r" '"complete": false' && gone "$r.makepid" "the build's job" &&
        tap_has "$r" fake.prog.tap '^not ok 1 prog # not run: interrupted by SIGTERM during the build'
}

# The kernel fetch: a Debian kernel spec, an apt-get that never answers.
ctrl_c_during_kernel_fetch() {
    r="$tmp/r-int-fetch"
    run_bg pass "$r" --no-build --kernel debian:nosuch
    wait_for "$r" "kernel debian:nosuch" && i=0 && until [ -s "$r.aptpid" ] || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
    signal_run "$r" INT group
    want_exit 130 "$r" && json_has "$r" '"incomplete_reason": "interrupted by SIGINT during the kernel fetch"' &&
        gone "$r.aptpid" "apt-get"
}

# ---- test programs that crash or hang, run as the guest runs them ----------
# guest.sh's run_program on this machine (no kernel markers: kmark is a
# no-op here), then collate.awk as the host does.
crash_bin="$top/build/$("$top/harness/sh/arch.sh")/fixtures/progs/crash"
guest_run() {  # guest_run DIR REL LIST...: run DIR/REL, collate it into $tmp/prog.tap
    dir=$1 rel=$2; shift 2
    for t in "$@"; do printf '@list %s %s\n' "$rel" "$t"; done > "$tmp/stream.log"
    # shellcheck disable=SC2086
    VCT_HOME=$dir VCT_PROG_TIMEOUT=${prog_timeout:-60} $sh_cmd -c '
        . "$VCT_HOME/harness/sh/guest.sh"
        kmark() { :; }
        run_program "$1"' guest "$rel" 3>> "$tmp/stream.log"
    : > "$tmp/nosplats"
    awk -v prog="$rel" -v reason="" -f "$top/harness/sh/collate.awk" "$tmp/nosplats" "$tmp/stream.log" > "$tmp/prog.tap"
}
prog_has() { grep -Eq -- "$1" "$tmp/prog.tap" || { echo "no /$1/ in:"; cat "$tmp/prog.tap"; return 1; }; }
guest_dir() {
    g="$tmp/guest"
    [ -d "$g" ] && return 0
    mkdir -p "$g/harness" "$g/suites/x"
    cp -R "$top/harness/sh" "$g/harness/sh"
    cp "$crash_bin" "$g/suites/x/crash"
    printf '#!/bin/sh\necho "TAP version 13"; echo "1..1"; echo "#  RUN           x.hang.forever ..."; exec sleep 600\n' > "$g/suites/x/hang"
    # passes, then exits leaving a child in a session of its own (out of
    # reach of the process-group kill) that holds its stdout for 60 s.  It
    # exits only once the child has left its process group (the child says
    # so in a file): exiting first raced the child's setsid() under load,
    # and the group kill then ended the child before it held anything.
    printf '#!/bin/sh\necho "TAP version 13"; echo "1..1"; echo "ok 1 x.leaves.passes"\nrm -f "$0.away"\nsetsid sh -c '"'"': > "$1.away"; exec sleep 60'"'"' sh "$0" &\nwhile [ ! -e "$0.away" ]; do sleep 0.05; done\necho "# the child holds it"\nexit 0\n' > "$g/suites/x/leaves"
    chmod +x "$g/suites/x/hang" "$g/suites/x/leaves"
}

crashing_tests() {
    guest_dir
    guest_run "$tmp/guest" suites/x/crash global.passes_first global.dies_of_sigsegv global.dies_of_sigabrt slow.hangs_past_its_timeout global.passes_last
    prog_has '^ok 1 global\.passes_first$' &&
        prog_has '^# dies_of_sigsegv: Test terminated unexpectedly by signal 11$' &&
        prog_has '^not ok 2 global\.dies_of_sigsegv$' &&
        prog_has '^# dies_of_sigabrt: Test terminated by assertion$' &&
        prog_has '^not ok 3 global\.dies_of_sigabrt$' &&
        prog_has '^ok 4 global\.passes_last$' &&
        prog_has '^1\.\.5$'
}
hanging_test() {
    guest_dir
    guest_run "$tmp/guest" suites/x/crash global.passes_first global.dies_of_sigsegv global.dies_of_sigabrt slow.hangs_past_its_timeout global.passes_last
    prog_has '^# hangs_past_its_timeout: Test terminated by timeout$' &&
        prog_has '^not ok 5 slow\.hangs_past_its_timeout$'
}
hanging_program() {
    guest_dir
    prog_timeout=2 guest_run "$tmp/guest" suites/x/hang x.hang.forever
    prog_has '^not ok 1 x\.hang\.forever # test did not finish: program killed by signal 9 \(SIGKILL: its time limit, or the OOM killer\)$'
}
# A program that exits leaving a process holding its output: the runner
# ends it in bounded time (not at --idle), says so naming the program and
# the process, and keeps what the program printed.
leaves_a_child() {
    guest_dir
    t0=$(date +%s)
    guest_run "$tmp/guest" suites/x/leaves x.leaves.passes
    secs=$(($(date +%s) - t0))
    [ "$secs" -lt 20 ] || { echo "run_program took ${secs}s: the child's 60 s, not the program's end"; return 1; }
    prog_has '^ok 1 x\.leaves\.passes$' &&
        prog_has '^# the child holds it$' &&
        prog_has '^# vfio-ct: suites/x/leaves exited, but left pid [0-9]+ \(sleep\) holding its output: killed$' || return 1
    left=$(sed -n 's/^# vfio-ct: .* left pid \([0-9]*\) .*/\1/p' "$tmp/prog.tap")
    i=0   # (killed: gone once its parent, whoever adopted it, reaps it)
    while kill -0 "$left" 2>/dev/null && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$left/stat" 2>/dev/null && [ $i -lt 50 ]; do
        sleep 0.1; i=$((i + 1))
    done
    [ $i -lt 50 ] || { echo "pid $left still runs"; return 1; }
}
skip_without_crash() {
    [ -x "$crash_bin" ] && return 1
    n=$((n + 1)); echo "ok $n $1 # SKIP $crash_bin not built (make unit builds it)"
}

# ---- two runs at once in one checkout with one cache -------------------------
same_results_refused() {
    a="$tmp/r-two" b="$tmp/r-two-b"
    run_bg hang-in-test "$a" --no-build
    wait_for "$a" "running suites/fake/prog" || return 1
    st_b=0
    # shellcheck disable=SC2086
    PATH="$fx/bin:$PATH" VFIOCT_CACHE="$tmp/cache" VCT_FAKE_GUEST="$fx/pass" \
        $sh_cmd "$co/run.sh" --host fake --no-build --results "$a" > "$b.out" 2> "$b.err" < /dev/null || st_b=$?
    signal_run "$a" TERM pid
    [ "$st_b" = 2 ] || { echo "second run exit $st_b, want 2"; cat "$b.err"; return 1; }
    grep -q "results directory $a is in use by another run.sh (pid [0-9]*)" "$b.err" ||
        { echo "second run did not say why:"; cat "$b.err"; return 1; }
    want_exit 143 "$a" && tap_has "$a" fake.prog.tap '^ok 1 fake\.t\.a$'
}

# cache_lock_waits [mkdir]: run A holds the cache (a kernel fetch that never
# ends); run B waits for it, saying so, and runs once A is stopped.
cache_lock_waits() {
    a="$tmp/r-lock-a${1:-}" b="$tmp/r-lock-b${1:-}"
    export VCT_LOCK_MKDIR="${1:+1}"
    run_bg pass "$a" --no-build --kernel debian:nosuch
    wait_for "$a" "kernel debian:nosuch" || return 1
    run_bg pass "$b" --no-build
    wait_for "$b" "waiting for the package cache $tmp/cache: another run.sh holds" || return 1
    sleep 1
    grep -q "booting" "$b.err" && { echo "B booted while A held the cache"; return 1; }
    signal_run "$a" TERM pid
    want_exit 143 "$a" || return 1
    [ -z "${1:-}" ] || [ ! -d "$tmp/cache/.lock.d" ] || { echo "A left its lock directory"; return 1; }
    pid=$(cat "$b.runpid"); st=0; wait "$pid" || st=$?; echo "$st" > "$tmp/st"; rm -f "$b.runpid"
    unset VCT_LOCK_MKDIR
    want_exit 0 "$b" && json_has "$b" '"complete": true'
}
# build_lock_waits [mkdir]: a build of this checkout in progress (another
# holder of build/.lock, as a building run.sh is); a --no-build run waits
# for it before it reads the build, saying so, and runs once it is done.
build_lock_waits() {
    b="$tmp/r-block${1:-}"
    export VCT_LOCK_MKDIR="${1:+1}"
    mkdir -p "$co/build"
    if [ -n "${1:-}" ]; then
        sleep 60 & holder=$!
        mkdir "$co/build/.lock.d" && echo "$holder" > "$co/build/.lock.d/pid"
    else
        flock "$co/build/.lock" sleep 60 & holder=$!
        sleep 0.5
    fi
    run_bg pass "$b" --no-build
    wait_for "$b" "waiting for the build in $co: another run.sh holds" || { kill "$holder"; return 1; }
    sleep 1
    grep -q "booting" "$b.err" && { kill "$holder"; echo "B booted while the build was held"; return 1; }
    kill "$holder"; wait "$holder" 2>/dev/null || true
    [ -z "${1:-}" ] || rm -rf "$co/build/.lock.d"
    pid=$(cat "$b.runpid"); st=0; wait "$pid" || st=$?; echo "$st" > "$tmp/st"; rm -f "$b.runpid"
    unset VCT_LOCK_MKDIR
    want_exit 0 "$b" && json_has "$b" '"complete": true'
}
stale_mkdir_lock_taken_over() {
    r="$tmp/r-stale"
    mkdir -p "$tmp/cache/.lock.d"
    sh -c 'exit 0' & dead=$!; wait "$dead"
    echo "$dead" > "$tmp/cache/.lock.d/pid"
    VCT_LOCK_MKDIR=1 run pass "$r"
    want_exit 0 "$r" && grep -q "taking over the stale lock $tmp/cache/.lock.d (its holder, pid $dead, is gone)" "$r.err" &&
        [ ! -d "$tmp/cache/.lock.d" ]
}

# ---- the results directory: read-only, full (a private mount namespace) ------
# in_tmpfs OPTS RES: run run.sh with RES on a tmpfs mounted with OPTS.
in_tmpfs() {
    mkdir -p "$2"
    st=0
    # shellcheck disable=SC2086
    PATH="$fx/bin:$PATH" VFIOCT_CACHE="$tmp/cache" VCT_FAKE_GUEST="$fx/pass" \
        unshare -m $sh_cmd -c 'mount -t tmpfs -o "$1" tmpfs "$2" || exit 99
            shift 2; exec "$@"' tmpfs "$1" "$2" $sh_cmd "$co/run.sh" --host fake --no-build --results "$2" \
        > "$2.out" 2> "$2.err" < /dev/null || st=$?
    echo "$st" > "$tmp/st"
}
results_read_only() {
    in_tmpfs ro,size=1m "$tmp/r-ro"
    want_exit 2 "$tmp/r-ro" && grep -q "run.sh: results directory $tmp/r-ro is not writable" "$tmp/r-ro.err"
}
results_full() {
    in_tmpfs size=1m "$tmp/r-full"
    want_exit 2 "$tmp/r-full" &&
        grep -q "run.sh: results directory $tmp/r-full has [0-9]* KiB free; a run needs at least 65536 KiB" "$tmp/r-full.err"
}
skip_without_mounts() {
    if ! unshare -m sh -c "mount -t tmpfs tmpfs '$tmp/cache'" 2>/dev/null; then
        n=$((n + 1)); echo "ok $n $1 # SKIP cannot mount a tmpfs in a private mount namespace here"
        return 0
    fi
    return 1
}

# ---- host profiles with a fault (fixtures/profiles/) -----------------------
cp "$top"/fixtures/profiles/*.conf "$co/hosts/"
profile_refused() {  # profile_refused NAME LINE-TEXT
    r="$tmp/r-prof-$1"
    # shellcheck disable=SC2086
    st=0; PATH="$fx/bin:$PATH" VFIOCT_CACHE="$tmp/cache" timeout 60 $sh_cmd "$co/run.sh" --host "$1" --no-build \
        --results "$r" > "$r.out" 2> "$r.err" < /dev/null || st=$?
    [ "$st" = 2 ] || { echo "exit $st, want 2"; cat "$r.err"; return 1; }
    grep -qF -- "$co/hosts/$1.conf:$2" "$r.err" || { echo "no '$1.conf:$2' in:"; cat "$r.err"; return 1; }
    grep -q "run.sh: host profile $co/hosts/$1.conf is malformed" "$r.err" && [ ! -d "$r" ]
}
accumulating_keys_read() {
    # shellcheck disable=SC2086
    v=$($awk_cmd -v key=qemu -f "$top/harness/sh/profile.awk" "$top/hosts/README.md" "$top/fixtures/profiles/accumulating-keys-repeat.conf")
    [ "$v" = "-m 1G -smp 2" ] || { echo "qemu = '$v'"; return 1; }
    # shellcheck disable=SC2086
    $awk_cmd -v check=1 -f "$top/harness/sh/profile.awk" "$top/hosts/README.md" "$top/fixtures/profiles/accumulating-keys-repeat.conf"
}
every_shipped_profile_valid() {
    for f in "$top"/hosts/*.conf; do
        # shellcheck disable=SC2086
        $awk_cmd -v check=1 -f "$top/harness/sh/profile.awk" "$top/hosts/README.md" "$f" || return 1
    done
}
awk_cmd=${VCT_AWK:-awk}

# ---- the kernel cache: damaged .deb, half-unpacked tree, unknown package -------
# A Debian-style kernel package served by a stand-in apt-get (repo-bin).
repo="$tmp/repo" kc="$tmp/kcache"
mkdir -p "$repo" "$tmp/pkg/DEBIAN" "$tmp/pkg/boot" "$tmp/pkg/lib/modules/0.0-fake"
printf 'Package: linux-image-0.0-fake\nVersion: 1\nArchitecture: amd64\nMaintainer: vfio-ct <none@example.org>\nDescription: a kernel package stand-in\n' > "$tmp/pkg/DEBIAN/control"
head -c 300000 /dev/urandom > "$tmp/pkg/boot/vmlinuz-0.0-fake"
cp "$tmp/kernel/0.0-fake/modules.builtin" "$tmp/pkg/lib/modules/0.0-fake/"
/usr/bin/dpkg-deb --root-owner-group -Zgzip -b "$tmp/pkg" "$repo/linux-image-0.0-fake_1_amd64.deb" > /dev/null
kfetch() {  # kfetch SPEC: kernel.sh (by its #!, as run.sh runs it) with the stand-in archive; status in $tmp/st
    st=0
    PATH="${kpath:-}$fx/repo-bin:$PATH" VCT_FAKE_REPO="$repo" VFIOCT_APT_MIRROR=file:///nonexistent VFIOCT_CACHE="$kc" \
        "$top/harness/sh/kernel.sh" "$1" x86_64 "$kc" > "$tmp/kdir" 2> "$tmp/kerr" || st=$?
    echo "$st" > "$tmp/st"
}
kdeb="$kc/debs/fake-amd64/linux-image-0.0-fake_1_amd64.deb"
ktree="$kc/kernels/linux-image-0.0-fake_1_amd64"
downloads() { [ "$(wc -l < "$repo/downloads")" = "$1" ] || { echo "$(wc -l < "$repo/downloads") downloads, want $1"; return 1; }; }
tree_good() { cmp -s "$ktree/vmlinuz" "$tmp/pkg/boot/vmlinuz-0.0-fake" && [ "$(cat "$ktree/release")" = 0.0-fake ] &&
    [ -f "$ktree/root/lib/modules/0.0-fake/modules.dep" ] || { echo "tree $ktree not complete"; cat "$tmp/kerr"; return 1; }; }
kerr_has() { grep -qF -- "$1" "$tmp/kerr" || { echo "kernel.sh did not say '$1':"; cat "$tmp/kerr"; return 1; }; }
kernel_fetched() {
    kfetch debian:fake:linux-image-0.0-fake
    [ "$(cat "$tmp/st")" = 0 ] && [ "$(cat "$tmp/kdir")" = "$ktree" ] && tree_good && downloads 1 || { echo "exit $(cat "$tmp/st"), dir $(cat "$tmp/kdir")"; cat "$tmp/kerr"; return 1; }
}
truncated_deb_refetched() {
    head -c 2000 "$kdeb" > "$kdeb.cut" && mv "$kdeb.cut" "$kdeb" && rm -rf "$ktree"
    kfetch debian:fake:linux-image-0.0-fake
    [ "$(cat "$tmp/st")" = 0 ] && kerr_has "cached linux-image-0.0-fake_1_amd64.deb is damaged (2000 bytes, the index says" &&
        tree_good && downloads 2
}
corrupt_deb_refetched() {
    # one byte changed, the size kept: only the SHA256 tells
    size=$(wc -c < "$kdeb")
    # (the byte there is flipped, never overwritten with a constant that
    # may be what it already was: a chance of 1 in 256 of no change)
    b=$(dd if="$kdeb" bs=1 skip=$((size / 2)) count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
    # shellcheck disable=SC2059 # the format is the octal escape of the new byte
    printf "\\$(printf %o $((b ^ 1)))" | dd of="$kdeb" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
    cmp -s "$kdeb" "$repo/linux-image-0.0-fake_1_amd64.deb" && { echo "the byte at $((size / 2)) did not change"; return 1; }
    rm -rf "$ktree"
    kfetch debian:fake:linux-image-0.0-fake
    [ "$(cat "$tmp/st")" = 0 ] && kerr_has "cached linux-image-0.0-fake_1_amd64.deb is damaged ($size bytes, the index says $size and SHA256:" &&
        tree_good && downloads 3
}
half_unpacked_tree_redone() {
    rm -f "$ktree/vmlinuz"
    mkdir -p "$ktree.tmp/root" && echo junk > "$ktree.tmp/root/left-by-a-killed-unpack"
    kfetch debian:fake:linux-image-0.0-fake
    [ "$(cat "$tmp/st")" = 0 ] && kerr_has "cached kernel tree $ktree is incomplete: unpacking it again" &&
        tree_good && [ ! -e "$ktree.tmp" ] && downloads 3
}
# A verified .deb is remembered (harness/sh/memo.sh): a warm fetch does not
# hash it again, and a byte changed after that is still found.  A
# sha256sum stand-in (first on PATH with kpath) counts the hashes of files
# under the cache.
mkdir -p "$tmp/hashbin"
cat > "$tmp/hashbin/sha256sum" <<EOF
#!/bin/sh
case "\$(readlink /proc/\$\$/fd/0)" in "$kc"/*) echo hashed >> "$tmp/hashes" ;; esac
PATH=\${PATH#*:} exec sha256sum "\$@"
EOF
chmod +x "$tmp/hashbin/sha256sum"
hashes() { [ "$(wc -l < "$tmp/hashes")" = "$1" ] || { echo "$(wc -l < "$tmp/hashes") hashes of the cached .deb, want $1"; return 1; }; }
verified_deb_not_hashed_again() {
    # (a memo is trusted only when the .deb last changed in an earlier second)
    sleep 1
    kpath="$tmp/hashbin:" kfetch debian:fake:linux-image-0.0-fake
    : > "$tmp/hashes"
    kpath="$tmp/hashbin:" kfetch debian:fake:linux-image-0.0-fake
    [ "$(cat "$tmp/st")" = 0 ] && tree_good && downloads 3 && hashes 0
}
deb_changed_after_memo_refetched() {
    size=$(wc -c < "$kdeb")
    b=$(dd if="$kdeb" bs=1 skip=$((size / 3)) count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
    # shellcheck disable=SC2059 # the format is the octal escape of the new byte
    printf "\\$(printf %o $((b ^ 1)))" | dd of="$kdeb" bs=1 seek=$((size / 3)) conv=notrunc 2>/dev/null
    cmp -s "$kdeb" "$repo/linux-image-0.0-fake_1_amd64.deb" && { echo "the byte at $((size / 3)) did not change"; return 1; }
    : > "$tmp/hashes"
    kpath="$tmp/hashbin:" kfetch debian:fake:linux-image-0.0-fake
    [ "$(cat "$tmp/st")" = 0 ] && kerr_has "cached linux-image-0.0-fake_1_amd64.deb is damaged ($size bytes, the index says $size and SHA256:" &&
        tree_good && downloads 4 && hashes 2 && cmp -s "$kdeb" "$repo/linux-image-0.0-fake_1_amd64.deb"
}
spec_names_no_package() {
    kfetch debian:fake:linux-image-nosuch
    [ "$(cat "$tmp/st")" = 2 ] && kerr_has "aptfetch: no package linux-image-nosuch in fake/amd64" &&
        kerr_has "kernel: cannot fetch linux-image-nosuch from fake"
}
spec_malformed() {
    kfetch debian:
    [ "$(cat "$tmp/st")" = 2 ] && kerr_has "kernel: malformed kernel spec 'debian:'"
}
runsh_spec_names_no_package() {
    r="$tmp/r-nopkg"
    st=0
    # shellcheck disable=SC2086
    PATH="$fx/repo-bin:$PATH" VCT_FAKE_REPO="$repo" VFIOCT_APT_MIRROR=file:///nonexistent VFIOCT_CACHE="$kc" \
        $sh_cmd "$co/run.sh" --host fake --no-build --kernel debian:fake:linux-image-nosuch --results "$r" \
        > "$r.out" 2> "$r.err" < /dev/null || st=$?
    [ "$st" = 2 ] && grep -q "run.sh: kernel 'debian:fake:linux-image-nosuch' is not available" "$r.err" &&
        grep -q "no package linux-image-nosuch in fake/amd64" "$r.err" || { echo "exit $st"; cat "$r.err"; return 1; }
}

# ---- --modules modules the guest kernel cannot load (modcheck.sh) -----------
# Relocatable objects with a .modinfo vermagic, like .ko files, made here.
printf 'ffffffff81000000 T _printk\nffffffff82000000 r __ksymtab__printk\n' > "$tmp/kernel/System.map-0.0-fake"
printf 'extern int NEEDED(void);\nstatic const char vermagic[] __attribute__((section(".modinfo"), used)) = "vermagic=" VERMAGIC " SMP preempt mod_unload ";\nint init_module(void) { return NEEDED(); }\n' > "$tmp/mod.c"
mkmod() {  # mkmod NAME CC VERMAGIC NEEDED: $tmp/mods-NAME/NAME.ko
    mkdir -p "$tmp/mods-$1"
    "$2" -c -DVERMAGIC="\"$3\"" -DNEEDED="$4" -o "$tmp/mods-$1/$1.ko" "$tmp/mod.c"
}
modules_refused() {  # modules_refused NAME TEXT
    r="$tmp/r-mod-$1"
    run pass "$r" --modules "$tmp/mods-$1"
    want_exit 2 "$r" && grep -qF -- "$2" "$r.err" &&
        grep -qF "run.sh: --modules: $tmp/mods-$1 holds modules kernel 0.0-fake cannot load" "$r.err" ||
        { cat "$r.err"; return 1; }
}
module_good() { mkmod good gcc 0.0-fake _printk && run pass "$tmp/r-mod-good" --modules "$tmp/mods-good" && want_exit 0 "$tmp/r-mod-good"; }
module_not_elf() {
    mkdir -p "$tmp/mods-notelf" && echo "not a module" > "$tmp/mods-notelf/vfio.ko"
    modules_refused notelf "modcheck: $tmp/mods-notelf/vfio.ko: not an ELF file"
}
module_vermagic() { mkmod vermagic gcc 0.0-other _printk && modules_refused vermagic "built for kernel '0.0-other' (vermagic), the guest runs 0.0-fake"; }
module_missing_symbol() { mkmod nosym gcc 0.0-fake vct_no_such_symbol && modules_refused nosym "needs symbol vct_no_such_symbol, which neither kernel 0.0-fake nor its modules export"; }
module_wrong_arch() { mkmod arm aarch64-linux-gnu-gcc 0.0-fake _printk && modules_refused arm "built for AArch64, the guest is x86_64"; }
# The Module.symvers path (Debian's kernels: a placeholder System.map), modcheck.sh alone.
sv_headers="$tmp/sv-cache/headers/0.0-fake/root/usr/src/linux-headers-0.0-fake"
mkdir -p "$tmp/kernel-sv" "$sv_headers"
echo 0.0-fake > "$tmp/kernel-sv/release"
printf '0x00000000\t_printk\tvmlinux\tEXPORT_SYMBOL\t\n0x00000000\tvfio_sym\tdrivers/vfio/vfio\tEXPORT_SYMBOL_GPL\t\n' > "$sv_headers/Module.symvers"
symvers_check() {  # symvers_check NAME STATUS [TEXT]: modcheck.sh on $tmp/mods-NAME exits STATUS, saying TEXT
    st=0; VFIOCT_CACHE="$tmp/sv-cache" $sh_cmd "$co/harness/sh/modcheck.sh" "$tmp/kernel-sv" x86_64 "$tmp/mods-$1" 2> "$tmp/mc-$1.err" || st=$?
    [ "$st" = "$2" ] && { [ -z "${3:-}" ] || grep -qF -- "$3" "$tmp/mc-$1.err"; } || { echo "exit $st"; cat "$tmp/mc-$1.err"; return 1; }
}
# vmlinux's and an in-tree module's exports both count; what neither exports is named.
module_symvers_good() { mkmod svgood gcc 0.0-fake _printk && symvers_check svgood 0 && mkmod svmod gcc 0.0-fake vfio_sym && symvers_check svmod 0; }
module_symvers_missing() { mkmod svnosym gcc 0.0-fake vct_no_such_symbol && symvers_check svnosym 2 "modcheck: $tmp/mods-svnosym/svnosym.ko: needs symbol vct_no_such_symbol, which neither kernel 0.0-fake nor its modules export"; }
# A symbol one --modules module exports (its __ksymtab_) and another needs.
module_symvers_sibling() {
    mkmod svpair gcc 0.0-fake vct_sibling_sym && { cat "$tmp/mod.c"; echo 'int __ksymtab_vct_sibling_sym;'; } > "$tmp/sib.c" &&
        gcc -c -DVERMAGIC='"0.0-fake"' -DNEEDED=_printk -o "$tmp/mods-svpair/sib.ko" "$tmp/sib.c" && symvers_check svpair 0 &&
        rm "$tmp/mods-svpair/sib.ko" && symvers_check svpair 2 "needs symbol vct_sibling_sym"
}
skip_without_cross() {
    command -v aarch64-linux-gnu-gcc > /dev/null 2>&1 && return 1
    n=$((n + 1)); echo "ok $n $1 # SKIP no aarch64-linux-gnu-gcc (deps.sh cross)"
}

echo "TAP version 13"
echo "1..55"
check failures.replayed_guest_that_passes_exits_0 replay_passes
check failures.icount_tells_qemu_and_the_guest_the_clock_is_virtual icount_virtual_clock
check failures.kernel_panic_in_test_fails_it_keeps_finished_and_names_the_panic panic_in_test
check failures.silent_guest_ends_after_idle_seconds_with_qemu_stopped hang_idle
check failures.warning_during_boot_fails_setup splat_during \
    '^not ok [0-9]+ setup\.kernel_log_clean_during_boot$' '^#   WARNING: CPU: 0 PID: 1 at arch/x86/kernel/apic' 00-setup.tap
check failures.kasan_during_module_load_fails_setup splat_during \
    '^not ok [0-9]+ setup\.kernel_log_clean_during_module_load$' '^#   BUG: KASAN: slab-out-of-bounds in vfio_group_fops_open' 00-setup.tap
check failures.ubsan_during_binding_fails_setup splat_during \
    '^not ok [0-9]+ setup\.kernel_log_clean_during_binding$' '^#   UBSAN: shift-out-of-bounds' 00-setup.tap
check failures.hung_task_during_a_test_fails_that_test splat_during \
    '^not ok 2 fake\.t\.b # kernel splat during the test$' '^#   INFO: task vct_splat_hung:251 blocked for more than 10 seconds\.$' fake.prog.tap
check failures.kernel_bug_during_a_test_fails_that_test splat_during \
    '^not ok 3 fake\.t\.c # kernel splat during the test$' '^#   kernel BUG at drivers/vfio/vfio_main\.c:777!$' fake.prog.tap
check failures.warning_between_programs_fails_the_teardown_block_exit_1 outside_splat splat-between \
    kernel_log_clean_between_programs '^# vfio-ct: kernel splat \(warning\) after suites/fake/prog: WARNING: CPU: 1 PID: 31 at kernel/workqueue\.c:2258 '
check failures.warning_during_teardown_fails_the_teardown_block_exit_1 outside_splat splat-teardown \
    kernel_log_clean_during_teardown "^# vfio-ct: kernel splat \\(warning\\) during the teardown, step 'restore 0000:00:02\\.0': WARNING: CPU: 0 PID: 1 at drivers/pci/msi/msi\\.c:888 "
check failures.clean_run_passes_the_teardown_block teardown_clean
check failures.known_kernel_bug_at_teardown_is_xfail_exit_0 teardown_known

check failures.sigterm_during_boot_exits_143_incomplete_qemu_stopped sigterm_during_boot
check failures.ctrl_c_during_a_test_exits_130_keeps_finished_tests ctrl_c_during_test
check failures.sigterm_during_build_exits_143_and_stops_the_build sigterm_during_build
check failures.ctrl_c_during_kernel_fetch_exits_130_and_stops_apt ctrl_c_during_kernel_fetch
skip_without_crash failures.crashing_tests_fail_alone_sigsegv_and_sigabrt ||
    check failures.crashing_tests_fail_alone_sigsegv_and_sigabrt crashing_tests
skip_without_crash failures.test_hanging_past_its_timeout_fails_alone ||
    check failures.test_hanging_past_its_timeout_fails_alone hanging_test
check failures.program_hanging_past_the_program_timeout_is_killed_and_named hanging_program
check failures.program_leaving_a_child_on_its_output_ends_it_and_names_it leaves_a_child
check failures.second_run_into_the_same_results_is_refused_first_unharmed same_results_refused
check failures.second_run_waits_for_the_cache_flock cache_lock_waits
check failures.second_run_waits_for_the_cache_mkdir_lock cache_lock_waits mkdir
check failures.stale_mkdir_lock_of_a_dead_run_is_taken_over stale_mkdir_lock_taken_over
check failures.no_build_run_waits_for_a_build_in_progress build_lock_waits
check failures.no_build_run_waits_for_a_build_in_progress_mkdir_lock build_lock_waits mkdir
skip_without_mounts failures.read_only_results_directory_is_refused_exit_2 ||
    check failures.read_only_results_directory_is_refused_exit_2 results_read_only
skip_without_mounts failures.full_results_directory_is_refused_exit_2 ||
    check failures.full_results_directory_is_refused_exit_2 results_full

check profile.unknown_key_refused_exit_2 profile_refused unknown-key "6: unknown key 'colour'"
check profile.duplicate_key_that_cannot_accumulate_refused_exit_2 profile_refused duplicate-key "6: key 'kernel' given again (first on line 4); it does not accumulate"
check profile.range_start_above_end_refused_exit_2 profile_refused range-start-above-end "6: expect_resv entry '0xfeefffff-0xfee00000:msi': START is above END"
check profile.range_not_hex_refused_exit_2 profile_refused range-not-hex "6: expect_resv entry '0xfee00000-feefffff:msi': START and END must be 0x-prefixed hex"
check profile.range_unknown_type_refused_exit_2 profile_refused range-unknown-type "6: expect_resv entry '0xfee00000-0xfeefffff:sw-msi': TYPE 'sw-msi'"
check profile.aperture_bits_out_of_range_refused_exit_2 profile_refused aperture-bits-out-of-range "6: aperture_bits word '7.2:65': BITS must be a number from 1 to 64"
check profile.line_without_equals_refused_exit_2 profile_refused not-key-value "6: not a 'key = value' line"
check profile.accumulating_keys_join_and_pass accumulating_keys_read
check profile.every_shipped_profile_is_valid every_shipped_profile_valid

check kcache.debian_kernel_fetched_and_unpacked_once kernel_fetched
check kcache.truncated_cached_deb_detected_by_size_and_refetched truncated_deb_refetched
check kcache.corrupt_cached_deb_detected_by_sha256_and_refetched corrupt_deb_refetched
check kcache.half_unpacked_tree_detected_and_unpacked_again half_unpacked_tree_redone
check kcache.verified_cached_deb_not_hashed_again_while_unchanged verified_deb_not_hashed_again
check kcache.byte_changed_after_the_deb_was_verified_detected_and_refetched deb_changed_after_memo_refetched
check kspec.debian_spec_naming_no_package_exits_2_and_says_so spec_names_no_package
check kspec.malformed_spec_exits_2 spec_malformed
check kspec.run_with_a_spec_naming_no_package_exits_2 runsh_spec_names_no_package

check modules.loadable_module_passes_the_check module_good
check modules.not_an_elf_refused_before_boot_exit_2 module_not_elf
check modules.vermagic_mismatch_refused_before_boot_exit_2 module_vermagic
check modules.missing_symbol_refused_before_boot_exit_2 module_missing_symbol
check modules.symvers_exports_of_vmlinux_and_modules_pass module_symvers_good
check modules.symvers_missing_symbol_refused_naming_it module_symvers_missing
check modules.symvers_symbol_of_a_sibling_module_passes_only_with_it module_symvers_sibling
skip_without_cross modules.wrong_architecture_refused_before_boot_exit_2 ||
    check modules.wrong_architecture_refused_before_boot_exit_2 module_wrong_arch

[ "$n" = 55 ] || { echo "# plan mismatch: ran $n"; failed=1; }
exit "$failed"
