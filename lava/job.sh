#!/bin/sh
# job.sh TEMPLATE PREPARED PROFILE REPOSITORY [KEY=VALUE...]: a LAVA job from
# one of lava/jobs/*.yaml on stdout, its @FIELD@s filled in:
#   RELEASE, CONSOLE, APPEND   from PREPARED (run.sh --prepare PREPARED)
#   QEMU_EXTRA                 the profile's QEMU arguments as a YAML list
#                              (less -m, which the device type sets, and on
#                              arm64 less -M and -cpu: the job's context has them)
#   MACHINE, CPU               the profile's -M and -cpu values
#   KERNEL_URL, RAMDISK_URL    file:// URLs of PREPARED/vmlinuz, initrd-lava.gz
#   PROFILE, REPOSITORY        as given (REPOSITORY: the git repository
#                              holding lava/vfio-ct.yaml)
#   anything else              KEY=VALUE (board jobs: DEVICE_TYPE, DTB_URL,
#                              KERNEL_TYPE, DEVICES)
set -eu
t=$1 p=$(cd "$2" && pwd) profile=$3 repo=$4
shift 4
QEMU_ARGS="" CONSOLE="" APPEND=""
# shellcheck source=/dev/null
. "$p/guest.env"
extra=$(printf '%s\n' "$QEMU_ARGS" | awk -v arm="$(grep -c '^  arch: arm64' "$t")" '
    { for (i = 1; i <= NF; i++) {
          if ($i == "-m" || (arm && ($i == "-M" || $i == "-cpu"))) { i++; continue }
          out = out (out == "" ? "" : ", ") "\x27" $i "\x27"
      } }
    END { print "[" out "]" }')
optval() { printf '%s\n' "$QEMU_ARGS" | awk -v o="$1" '{ for (i = 1; i < NF; i++) if ($i == o) { print $(i + 1); exit } }'; }
esc() { printf '%s' "$1" | sed 's/[\\|&]/\\&/g'; }
set -- "RELEASE=$(cat "$p/release")" "CONSOLE=$CONSOLE" "APPEND=$APPEND" "QEMU_EXTRA=$extra" \
    "MACHINE=$(optval -M)" "CPU=$(optval -cpu)" \
    "KERNEL_URL=file://$p/vmlinuz" "RAMDISK_URL=file://$p/initrd-lava.gz" \
    "PROFILE=$profile" "REPOSITORY=$repo" "$@"
script=""
for kv in "$@"; do
    script="$script
s|@$(esc "${kv%%=*}")@|$(esc "${kv#*=}")|g"
done
sed "$script" "$t" > "$p/job.tmp"
if grep -n '@[A-Z_]*@' "$p/job.tmp" >&2; then rm -f "$p/job.tmp"; echo "job.sh: fields left unfilled (above)" >&2; exit 2; fi
cat "$p/job.tmp"; rm -f "$p/job.tmp"
