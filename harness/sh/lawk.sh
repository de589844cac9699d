# shellcheck shell=sh
# lawk.sh: `lawk ARGS...`, awk that reads a pipe line by line, as each line
# arrives.  Sourced by guest.sh and local.sh for their stream filters (a
# program's output into records, the kernel log into work/kmsg.raw).
#
# mawk, Debian's default awk, reads a pipe in blocks (fflush() flushes only
# its output): a filter then holds every line until the writer fills a
# block or closes the pipe, so on a real host (--host local) the kernel
# log of a whole run arrived only at its end, after the teardown had been
# judged on an empty log.  `-W interactive` makes mawk read line by line.
# gawk and busybox awk already do, and have no such option.
if awk -W version 2>/dev/null | grep -q '^mawk'; then
    lawk() { awk -W interactive "$@"; }
else
    lawk() { awk "$@"; }
fi
