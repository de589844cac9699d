#!/bin/sh
# matrix-hosts.sh: the host profiles a matrix runs by default, one per line:
# every hosts/*.conf that is an emulated conformance host.  Left out: a
# `kind = local` profile (the machine itself) and a profile with a `proof`
# (the emulated servers that prove --host local: they run a proof program,
# not the suites, and are run by `make proof`).  The one place that says
# which profiles a default matrix (run.sh --matrix, the Jenkinsfile's host
# axis) spans.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
for f in "$top"/hosts/*.conf; do
    p() { awk -v key="$1" -f "$top/harness/sh/profile.awk" "$top/hosts/README.md" "$f"; }
    [ "$(p kind)" = local ] && continue
    [ -n "$(p proof)" ] && continue
    basename "$f" .conf
done
