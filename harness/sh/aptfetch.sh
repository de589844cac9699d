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
# (written to a temporary file and renamed: a run of an older vfio-ct that
# takes no lock may be reading it)
{
    printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nArchitectures: %s\nSigned-By: %s\n' \
        "$mirror" "$(printf '%s' "$suites" | tr ',' ' ')" "$arch" "$keyring"
} > "$state/vfio-ct.sources.$$"
mv -f "$state/vfio-ct.sources.$$" "$state/vfio-ct.sources"
[ -f "$state/status" ] || : > "$state/status"

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

# Refresh the lists when absent or older than an hour (lists that are there
# serve when the mirror cannot be reached).
stamp="$state/updated"
if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +60 2>/dev/null)" ]; then
    if aptq update >&2; then
        : > "$stamp"
    elif [ -f "$stamp" ]; then
        printf 'aptfetch: apt-get update failed for %s/%s from %s: using the lists of %s\n' \
            "$suites" "$arch" "$mirror" "$(date -r "$stamp" '+%Y-%m-%d %H:%M' 2>/dev/null || echo before)" >&2
    else
        die "apt-get update failed for $suites/$arch from $mirror"
    fi
fi

# deb_ok FILE SIZE HASH: FILE is what the Packages index says (its size,
# and its SHA256 when the index gives one, as "SHA256:hex").
deb_ok() {
    [ "$(wc -c < "$1")" = "$2" ] || return 1
    case "$3" in
        SHA256:*) [ "$(sha256sum < "$1" | cut -d' ' -f1)" = "${3#SHA256:}" ] ;;
        *) return 0 ;;
    esac
}

# apt-get download writes into the current directory; --print-uris names
# the file each package lands in (apt keeps the server's mtime, so a listing
# by time would not).
cd "$dest"
for pkg in "$@"; do
    # (asked from elsewhere: with the file already here apt prints nothing)
    # 'URI' FILE SIZE HASH: the index's name, size and checksum of the .deb
    uri=$(cd "$state" && aptq download --print-uris "$pkg" 2>/dev/null | awk 'NR == 1 { print $2, $3, $4 }')
    file=${uri%% *} rest=${uri#* }
    size=${rest%% *} hash=${rest#* }
    [ -n "$file" ] || die "no package $pkg in $suites/$arch"
    # A cached .deb that is not what the index says (a download cut short,
    # a damaged file) is fetched again.
    if [ -s "$file" ] && ! deb_ok "$file" "$size" "$hash"; then
        printf 'aptfetch: cached %s is damaged (%s bytes, the index says %s%s): fetching it again\n' \
            "$file" "$(wc -c < "$file")" "$size" "${hash:+ and $hash}" >&2
        rm -f "$file"
    fi
    if [ ! -s "$file" ]; then
        aptq download "$pkg" >&2 || die "cannot download $pkg ($suites/$arch)"
        deb_ok "$file" "$size" "$hash" || { rm -f "$file"; die "downloaded $file does not match the index ($size bytes, $hash)"; }
    fi
    printf '%s\n' "$file"
done
