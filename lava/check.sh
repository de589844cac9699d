#!/bin/sh
# check.sh [HOST]: LAVA for real on this machine (make lava).  Builds the
# guest of HOST (default qemu-x86_64-vtd) with `run.sh --prepare`, gives it
# LAVA's shell /init (lava/initramfs.sh), fills the job template
# lava/jobs/HOST.yaml (job.sh), validates every job template with LAVA's
# own schema (validate.py), renders the device configuration from the
# `qemu` device-type template of Debian's lava-server package (downloaded
# into the cache, not installed) and the device dictionary
# lava/devices/qemu-vfio-ct.jinja2, runs the job with Debian's standalone
# dispatcher (lava-run, 2023.01), then runs the same cell with ./run.sh and
# checks that LAVA's test-case results equal run.json's counts (LAVA knows
# pass/fail/skip: its passes are pass + xfail + xpass).
# VCT_LAVA_SUITE narrows both runs (default resv).  Results in
# results/lava-<date>-HOST/: job.yaml, device.yaml, lava.log (LAVA's own
# log), lava-results.txt, run/ (run.sh's), lava.json (the comparison).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
host=${1:-qemu-x86_64-vtd}
suite=${VCT_LAVA_SUITE:-resv}
cache=${VFIOCT_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/vfio-ct}
d="$top/results/lava-$(date +%Y%m%d-%H%M%S)-$host"
[ -f "$top/lava/jobs/$host.yaml" ] || { echo "lava: no job template lava/jobs/$host.yaml" >&2; exit 2; }
mkdir -p "$d"
say() { printf '# lava: %s\n' "$*" >&2; }

"$top/harness/sh/deps.sh" lava
tdir="$cache/lava/server/usr/share/lava-server/device-types"
if [ ! -f "$tdir/qemu.jinja2" ]; then
    deb=$("$top/harness/sh/aptfetch.sh" -c "$cache" -s bookworm -a all -d "$cache/lava/debs" lava-server | tail -n 1)
    dpkg-deb -x "$cache/lava/debs/$(basename "$deb")" "$cache/lava/server"
fi

say "guest of $host (run.sh --prepare), suite $suite"
"$top/run.sh" --no-build --host "$host" --suite "$suite" --prepare "$d/guest"
"$top/lava/initramfs.sh" "$d/guest" > /dev/null
"$top/lava/job.sh" "$top/lava/jobs/$host.yaml" "$d/guest" "$host" "$top" > "$d/job.yaml"
# Every template, filled from its own host's guest, against LAVA's schema
# (the board job with the x86 guest and example values: it cannot run here).
for t in "$top"/lava/jobs/*.yaml; do
    h=$(basename "$t" .yaml) g="$d/guest"
    if [ "$h" = board ]; then h=$host
    elif [ "$h" != "$host" ]; then
        g="$d/guest-$h"
        "$top/run.sh" --no-build --host "$h" --suite "$suite" --prepare "$g"
        "$top/lava/initramfs.sh" "$g" > /dev/null
    fi
    "$top/lava/job.sh" "$t" "$g" "$h" "$top" DEVICE_TYPE=juno-uboot KERNEL_TYPE=image \
        DTB_URL="file://$g/example.dtb" DEVICES="1234:11e8" > "$d/validate-$(basename "$t")"
done
/usr/bin/python3 "$top/lava/validate.py" "$d"/validate-*.yaml
/usr/bin/python3 "$top/lava/render-device.py" "$tdir" "$top/lava/devices/qemu-vfio-ct.jinja2" "$d/job.yaml" > "$d/device.yaml"

# LAVA writes its test overlay onto a qcow2 disk with libguestfs, whose
# appliance boots a kernel: this machine's /boot may have none, so the
# guest's own kernel serves (TCG: nested KVM refuses the appliance's CPU).
KDIR=""
# shellcheck source=/dev/null
. "$d/guest/guest.env"
say "lava-run (standalone dispatcher), log in $d/lava.log"
t0=$(date +%s)
st=0
SUPERMIN_KERNEL="$KDIR/vmlinuz" SUPERMIN_MODULES="$KDIR/root/lib/modules/$(cat "$d/guest/release")" \
LIBGUESTFS_BACKEND=direct LIBGUESTFS_BACKEND_SETTINGS=force_tcg \
    lava-run --job-id 1 --output-dir "$d/lava" --device "$d/device.yaml" "$d/job.yaml" > "$d/lava.log" 2>&1 || st=$?
lava_secs=$(($(date +%s) - t0))
say "lava-run exit $st in ${lava_secs}s"
# LAVA's results: the test cases its log records for our definition.
sed -n 's/.*"lvl": "results", "msg": {\(.*\)}}$/\1/p' "$d/lava.log" |
    awk '/"definition": "[0-9]+_vfio-ct"/ {
        c = $0; sub(/.*"case": "/, "", c); sub(/".*/, "", c)
        r = $0; sub(/.*"result": "/, "", r); sub(/".*/, "", r)
        print c, r }' > "$d/lava-results.txt"
job=$(grep '"lvl": "results"' "$d/lava.log" | grep '"definition": "lava"' | grep '"case": "job"' |
    sed -n 's/.*"result": "\([a-z]*\)".*/\1/p' | tail -n 1)
lp=$(grep -c ' pass$' "$d/lava-results.txt" || true)
lf=$(grep -c ' fail$' "$d/lava-results.txt" || true)
ls=$(grep -c ' skip$' "$d/lava-results.txt" || true)

say "the same cell with run.sh"
"$top/run.sh" --no-build --host "$host" --suite "$suite" --results "$d/run" > /dev/null || true
# shellcheck disable=SC2046 # five numbers, split on purpose
set -- $(sed -n 's/.*"counts": {"pass": \([0-9]*\), "fail": \([0-9]*\), "skip": \([0-9]*\), "xfail": \([0-9]*\), "xpass": \([0-9]*\).*/\1 \2 \3 \4 \5/p' "$d/run/run.json")
rp=$(($1 + $4 + $5)) rf=$2 rs=$3
ok=false
[ "$st" = 0 ] && [ "$job" = pass ] && [ "$lp" = "$rp" ] && [ "$lf" = "$rf" ] && [ "$ls" = "$rs" ] && [ $((lp + lf + ls)) -gt 0 ] && ok=true
printf '{"host": "%s", "suite": "%s", "lava_run_exit": %s, "lava_job": "%s", "lava_seconds": %s, "lava": {"pass": %s, "fail": %s, "skip": %s}, "run_json": {"pass+xfail+xpass": %s, "fail": %s, "skip": %s}, "equal": %s}\n' \
    "$host" "$suite" "$st" "$job" "$lava_secs" "$lp" "$lf" "$ls" "$rp" "$rf" "$rs" "$ok" | tee "$d/lava.json"
[ "$ok" = true ]
