#!/bin/sh
# vfio-ct.sh -d DIR -p PROFILE [-D DEVICES]: run the vfio-ct tree at DIR on
# this machine for LAVA (lava/vfio-ct.yaml), as the runner's guest half does
# in its own guests (harness/sh/guest.sh with VCT_LOCAL=self: modules, device
# binding and restore, every program, the kernel log's markers), collate the
# records with the runner's own collect.sh (splats, known kernel bugs), and
# write output/combined.tap (printed too) and output/result.txt: one
# "TEST RESULT" line per test, as the kselftest parse path flattens the
# nested TAP (XFAIL and XPASS are passes there; SKIP is skip).
# POSIX sh, busybox is enough (no perl, no prove on the device).
set -eu
dir=/vfio-ct profile="" devices=""
while getopts d:p:D: opt; do
    case "$opt" in
        d) dir=$OPTARG ;; p) profile=$OPTARG ;; D) devices=$OPTARG ;;
        *) echo "usage: vfio-ct.sh -d DIR -p PROFILE [-D DEVICES]" >&2; exit 2 ;;
    esac
done
out=$(pwd)/output
rm -rf "$out"; mkdir -p "$out/work" "$out/tap"
[ -x "$dir/run.sh" ] || { echo "vfio-ct.sh: no vfio-ct tree at $dir" >&2; exit 2; }
[ -z "$devices" ] || { echo "VCT_BIND='$devices'"; echo "VCT_DEVICES='$devices'"; echo "export VCT_BIND VCT_DEVICES"; } >> "$dir/env"

# The guest half, records to output/work/stream.log; the kernel log alongside.
cat /dev/kmsg > "$out/work/kmsg.raw" &
kpid=$!
VCT_LOCAL=self sh "$dir/run.sh" --guest 3> "$out/work/stream.log" || echo "vfio-ct.sh: guest half exited $?" >&2
sleep 1
kill "$kpid" 2> /dev/null || true

# Collate as the host side of run.sh does (collect.sh, sourced, reads these).
# shellcheck disable=SC2034
VCT_TOP=$dir BUILD=$dir host=$profile release=$(uname -r) results=$out work=$out/work stream=$out/work/stream.log kmsg=$out/work/kmsg.raw
say() { printf '# %s\n' "$*" >&2; }
# shellcheck source=harness/sh/collect.sh
. "$dir/harness/sh/collect.sh"
collect_init "$(sed "s|^|$dir/|" "$dir/programs.list")" > /dev/null
collect_new_records 2> /dev/null > /dev/null
collect_finish "" > /dev/null
cat "$out/combined.tap"

# The flattening: every nested result line (the tests), named
# AREA.PROGRAM.TEST as the kselftest parse path names them.
awk '
    /^# selftests: / { p = $3 "." $4; sub(/:$/, "", p); sub(/:/, "", p); next }
    /^# (not )?ok [0-9]+ / {
        l = substr($0, 3); r = (l ~ /^not ok/ ? "fail" : (l ~ / # SKIP/ ? "skip" : "pass"))
        n = l; sub(/^(not )?ok [0-9]+ /, "", n); sub(/ #.*/, "", n)
        print p "." n, r
    }' "$out/combined.tap" > "$out/result.txt"
echo "vfio-ct.sh: $(grep -c ' pass$' "$out/result.txt") pass, $(grep -c ' fail$' "$out/result.txt") fail, $(grep -c ' skip$' "$out/result.txt") skip"
