# shellcheck shell=sh
# memo.sh: remember that work done on some files still holds while the
# files are unchanged, so a warm run does not redo it (aptfetch.sh: a
# cached .deb's SHA256 against the index; initramfs.sh: the archive built
# from the programs, modules and libraries).  Sourced; POSIX sh, dash and
# busybox ash (whose stat applet counts seconds only).
#
#   memo_clock DIR           print the file system's clock now (seconds), as
#                            DIR's files are stamped: take it BEFORE reading
#                            the files the work is done on
#   memo_write MEMO SINCE TAG FILE...
#                            record in MEMO that the work named by TAG (any
#                            text: arguments, a checksum expected) was done
#                            on FILE... as they are now, the work having
#                            started at SINCE (memo_clock's)
#   memo_valid MEMO TAG FILE...
#                            succeed when MEMO says TAG's work was done on
#                            exactly these FILEs and none has changed since
#
# A file is "unchanged" when its size, device, inode, mtime and ctime
# (seconds) are what MEMO recorded, and both times are below the SINCE the
# memo was written with: a change in the same second as the work started
# is not told apart by seconds, so such a memo is never trusted (git's
# "racily clean" rule; the work is simply redone, and its new memo holds).
# ctime cannot be set back by a program (touch -r restores mtime only), so
# any write, rename onto the path or truncation changes the key.  A
# directory in FILE... stands for the set of its names (its mtime changes
# when an entry is added, removed or renamed), not for its files' contents.

# memo_key FILE...: a line per FILE: size device inode mtime ctime path.
memo_key() { stat -L -c '%s %d %i %Y %Z %n' -- "$@"; }

memo_clock() {
    mc_f="$1/.memo-clock.$$"
    : > "$mc_f" && stat -c %Y -- "$mc_f" && rm -f -- "$mc_f"
}

memo_write() {
    mw_memo=$1 mw_since=$2 mw_tag=$3; shift 3
    {
        printf 'since %s\n' "$mw_since"
        printf '%s\n' "$mw_tag"
        printf 'files\n'
        memo_key "$@"
    } > "$mw_memo.tmp.$$" && mv -f -- "$mw_memo.tmp.$$" "$mw_memo"
}

memo_valid() {
    mv_memo=$1 mv_tag=$2; shift 2
    [ -f "$mv_memo" ] || return 1
    mv_since=$(sed -n '1s/^since \([0-9][0-9]*\)$/\1/p' "$mv_memo")
    [ -n "$mv_since" ] || return 1
    mv_now=$(memo_key "$@" 2>/dev/null) || return 1
    [ "$(sed 1d "$mv_memo")" = "$(printf '%s\nfiles\n%s' "$mv_tag" "$mv_now")" ] || return 1
    # every file last changed in a second before the memo's work started
    printf '%s\n' "$mv_now" | awk -v since="$mv_since" '$4 + 0 >= since + 0 || $5 + 0 >= since + 0 { bad = 1 } END { exit bad }'
}
