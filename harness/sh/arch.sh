#!/bin/sh
# arch.sh: print this machine's architecture as vfio-ct names it (the
# build/ARCH directory, a profile's `arch`): x86_64 or arm64.  The one place
# that maps `uname -m`; run.sh, the helper scripts and the Makefile call it.
set -eu
m=$(uname -m)
case "$m" in
    x86_64) echo x86_64 ;;
    aarch64|arm64) echo arm64 ;;
    *) printf 'arch.sh: unsupported machine architecture %s\n' "$m" >&2; exit 2 ;;
esac
