#!/bin/sh
# aptfetch.sh: download Debian packages of any suite/architecture with a
# private apt state, leaving the machine's own apt configuration untouched.
#
#   aptfetch.sh [-c CACHE] -s SUITE[,SUITE...] -a ARCH -d DESTDIR PKG...
#
# The mirror is taken from the machine's own apt configuration (the first
# deb822 or one-line source that serves Debian's main archive); no mirror
# host is written here.  Each suite/arch pair keeps its own lists under
# CACHE/apt/<suite>-<arch>; `update` runs at most once per hour per pair.
# Downloaded .deb files are left in DESTDIR; their names are printed.
set -eu

die() { printf 'aptfetch: %s\n' "$*" >&2; exit 2; }

# Print the URI of the machine's Debian main archive mirror.
apt_mirror() {
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -r "$f" ] || continue
        awk '
            BEGIN { IGNORECASE = 1 }
            /^[ \t]*$/ { if (uri != "" && suites !~ /security/ && types ~ /deb( |$)/) { print uri; exit } uri = ""; suites = ""; types = ""; next }
            /^URIs:/ { uri = $2 }
            /^Suites:/ { suites = $0 }
            /^Types:/ { types = $0 }
            /^Enabled:[ \t]*no/ { uri = "" }
            END { if (uri != "" && suites !~ /security/ && types ~ /deb( |$)/) print uri }
        ' "$f"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -r "$f" ] || continue
        awk '$1 == "deb" && $0 !~ /security/ {
                 for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { print $i; exit }
             }' "$f"
    done
}

cache=${VFIOCT_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/vfio-ct}
suites="" arch="" dest=""
while getopts c:s:a:d: opt; do
    case "$opt" in
        c) cache=$OPTARG ;;
        s) suites=$OPTARG ;;
        a) arch=$OPTARG ;;
        d) dest=$OPTARG ;;
        *) die "usage: aptfetch.sh [-c CACHE] -s SUITE[,SUITE] -a ARCH -d DESTDIR PKG..." ;;
    esac
done
shift $((OPTIND - 1))
[ -n "$suites" ] && [ -n "$arch" ] && [ -n "$dest" ] && [ $# -gt 0 ] ||
    die "usage: aptfetch.sh [-c CACHE] -s SUITE[,SUITE] -a ARCH -d DESTDIR PKG..."

# One writer of the cache at a time (run.sh or kernel.sh may hold it for us).
# shellcheck source=harness/sh/lock.sh
. "$(cd "$(dirname "$0")" && pwd)/lock.sh"
lock_take cache "$cache/.lock" "the package cache $cache"

mirror=${VFIOCT_APT_MIRROR:-$(apt_mirror | grep -v '^$' | head -n 1)}
[ -n "$mirror" ] || die "no Debian mirror found in /etc/apt/sources.list{,.d}"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r "$keyring" ] || die "$keyring missing (apt-get install debian-archive-keyring)"

state="$cache/apt/$(printf '%s' "$suites" | tr ',' '+')-$arch"
mkdir -p "$state/lists/partial" "$state/archives/partial" "$dest"
{
    printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nArchitectures: %s\nSigned-By: %s\n' \
        "$mirror" "$(printf '%s' "$suites" | tr ',' ' ')" "$arch" "$keyring"
} > "$state/vfio-ct.sources"
: > "$state/status"

aptq() {
    apt-get -q \
        -o "Dir::Etc::sourcelist=$state/vfio-ct.sources" \
        -o Dir::Etc::sourceparts=/nonexistent \
        -o "Dir::State::Lists=$state/lists" \
        -o "Dir::State::status=$state/status" \
        -o "Dir::Cache=$state" \
        -o "APT::Architecture=$arch" \
        -o "APT::Architectures::=$arch" \
        -o Debug::NoLocking=1 \
        -o Acquire::Languages=none \
        -o APT::Sandbox::User=root \
        "$@"
}

# Refresh the lists when absent or older than an hour.
stamp="$state/updated"
if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +60 2>/dev/null)" ]; then
    aptq update >&2 || die "apt-get update failed for $suites/$arch from $mirror"
    : > "$stamp"
fi

# apt-get download writes into the current directory; --print-uris names
# the file each package lands in (apt keeps the server's mtime, so a listing
# by time would not).
cd "$dest"
for pkg in "$@"; do
    # (asked from elsewhere: with the file already here apt prints nothing)
    file=$(cd "$state" && aptq download --print-uris "$pkg" 2>/dev/null | awk 'NR == 1 { print $2 }')
    [ -n "$file" ] || die "no package $pkg in $suites/$arch"
    if [ ! -s "$file" ]; then
        aptq download "$pkg" >&2 || die "cannot download $pkg ($suites/$arch)"
    fi
    printf '%s\n' "$file"
done
