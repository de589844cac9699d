#!/bin/sh
# shard.sh K/N INDEX: exit 0 when the matrix cell numbered INDEX (from 0, in
# host-major order: every kernel of the first host, then of the next) belongs
# to shard K of N, else 1.  Round robin (INDEX mod N == K-1) rather than
# contiguous slices: hosts differ in cost (arm64 guests boot slower), so each
# shard gets a share of every host.  The same K/N and matrix give the same
# cells on every machine.  A malformed K/N exits 2.
set -eu
case "$1" in
    */*) k=${1%/*} n=${1#*/} ;;
    *) k="" n="" ;;
esac
case "$k$n" in ''|*[!0-9]*) echo "shard.sh: want K/N with 1 <= K <= N, not '$1'" >&2; exit 2 ;; esac
[ "$n" -ge 1 ] && [ "$k" -ge 1 ] && [ "$k" -le "$n" ] ||
    { echo "shard.sh: want K/N with 1 <= K <= N, not '$1'" >&2; exit 2; }
[ $(($2 % n)) -eq $((k - 1)) ]
