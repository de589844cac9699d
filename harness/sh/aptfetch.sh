#!/bin/sh
# aptfetch.sh: download Debian packages of any suite/architecture with a
# private apt state, leaving the machine's own apt configuration untouched.
#
#   aptfetch.sh [-c CACHE] [-r] -s SUITE[,SUITE...] -a ARCH -d DESTDIR PKG...
#
# With -r, also the packages PKG needs at run time: Depends and Pre-Depends,
# recursively (the first of alternatives), not followed through packages
# marked Multi-Arch: foreign or allowed (architecture-independent data and
# interpreters such as python3 and perl: they hold no library a program
# links against, and following them would pull in half the archive).
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
suites="" arch="" dest="" recurse=""
while getopts c:rs:a:d: opt; do
    case "$opt" in
        c) cache=$OPTARG ;;
        r) recurse=1 ;;
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

# apt_state PROGRAM ARG...: apt-get or apt-cache on the private state.
apt_state() {
    prog=$1; shift
    "$prog" -q \
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
aptq() { apt_state apt-get "$@"; }

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
# and its SHA256 when the index gives one, as "SHA256:hex").  A file found
# to match is remembered (memo.sh, in DESTDIR/.verified/) until it changes:
# a warm run does not hash a 100 MB kernel package twice more.
# shellcheck source=harness/sh/memo.sh
. "$(cd "$(dirname "$0")" && pwd)/memo.sh"
deb_ok() {
    [ "$(wc -c < "$1")" = "$2" ] || return 1
    case "$3" in
        SHA256:*)
            memo_valid ".verified/$1" "$2 $3" "$1" && return 0
            since=$(memo_clock . 2>/dev/null) || since=""
            [ "$(sha256sum < "$1" | cut -d' ' -f1)" = "${3#SHA256:}" ] || return 1
            # (a memo that cannot be written costs the next run a hash, no more)
            [ -z "$since" ] || { mkdir -p .verified && memo_write ".verified/$1" "$since" "$2 $3" "$1"; } 2>/dev/null || true ;;
        *) return 0 ;;
    esac
}

# closure PKG...: PKG and, recursively, what it Depends/Pre-Depends on (see
# -r above), a name a line.  A name apt cannot show (a virtual package
# reached as a first alternative) is an error, named.
closure() {
    seen=" " todo="$*"
    while [ -n "$todo" ]; do
        # P NAME MULTIARCH per package shown, then D NAME per dependency
        # of one that is followed.
        # shellcheck disable=SC2086 # package names are single words
        shown=$(cd "$state" && apt_state apt-cache show --no-all-versions $todo 2>&1 | awk '
            /^Package:/ { p = $2; ma = ""; dep = "" }
            /^Multi-Arch:/ { ma = $2 }
            /^(Pre-)?Depends:/ { sub(/^[^:]*:/, ""); dep = dep "," $0 }
            /^(E|W): / { print "E", $0 }
            /^$/ && p != "" {
                print "P", p, ma
                if (ma != "foreign" && ma != "allowed") {
                    n = split(dep, d, ",")
                    for (i = 1; i <= n; i++) {
                        a = d[i]; sub(/\|.*/, "", a); sub(/\(.*/, "", a); sub(/:any/, "", a)
                        gsub(/[ \t]/, "", a)
                        if (a != "") print "D", a
                    }
                }
                p = ""
            }') || die "apt-cache show failed for:$todo"
        err=$(printf '%s\n' "$shown" | sed -n 's/^E //p' | head -n 1)
        [ -z "$err" ] || die "cannot resolve the run-time dependencies of $*: $err"
        printf '%s\n' "$shown" | awk '$1 == "P" && $3 != "foreign" && $3 != "allowed" { print $2 }'
        todo=""
        for d in $(printf '%s\n' "$shown" | awk '$1 == "D" { print $2 }' | sort -u); do
            case "$seen" in *" $d "*) continue ;; esac
            seen="$seen$d " todo="$todo $d"
        done
        for p in $(printf '%s\n' "$shown" | awk '$1 == "P" { print $2 }'); do seen="$seen$p "; done
    done
}
if [ -n "$recurse" ]; then
    # shellcheck disable=SC2046 # package names are single words
    set -- $(closure "$@" | sort -u)
fi

# apt-get download writes into the current directory; --print-uris names
# the file each package lands in (apt keeps the server's mtime, so a listing
# by time would not).
cd "$dest"
# One apt-get call for the index lines of every package (each call reads the
# lists, seconds on a loaded machine); a package the index lacks is named by
# asking for each alone.
# (asked from elsewhere: with the file already here apt prints nothing)
# 'URI' FILE SIZE HASH: the index's name, size and checksum of the .deb
uris=$(cd "$state" && aptq download --print-uris "$@" 2>/dev/null | awk '{ print $2, $3, $4 }') || uris=""
if [ "$(printf '%s\n' "$uris" | grep -c .)" -ne $# ]; then
    for pkg in "$@"; do
        (cd "$state" && aptq download --print-uris "$pkg" > /dev/null 2>&1) || die "no package $pkg in $suites/$arch"
    done
    die "apt-get download --print-uris answered $(printf '%s\n' "$uris" | grep -c .) lines for $# packages"
fi
fetch=""
while read -r file size hash; do
    # A cached .deb that is not what the index says (a download cut short,
    # a damaged file) is fetched again.
    if [ -s "$file" ] && ! deb_ok "$file" "$size" "$hash"; then
        printf 'aptfetch: cached %s is damaged (%s bytes, the index says %s%s): fetching it again\n' \
            "$file" "$(wc -c < "$file")" "$size" "${hash:+ and $hash}" >&2
        rm -f "$file"
    fi
    [ -s "$file" ] || fetch="$fetch ${file%%_*}"
done <<EOF_URIS
$uris
EOF_URIS
# shellcheck disable=SC2086 # package names are single words
[ -z "$fetch" ] || aptq download $fetch >&2 || die "cannot download$fetch ($suites/$arch)"
while read -r file size hash; do
    deb_ok "$file" "$size" "$hash" || { rm -f "$file"; die "downloaded $file does not match the index ($size bytes, $hash)"; }
    printf '%s\n' "$file"
done <<EOF_URIS
$uris
EOF_URIS
