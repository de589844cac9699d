# shellcheck shell=sh
# lock.sh: exclusive locks between runs that share a checkout or a cache,
# sourced by run.sh (and by any script that writes the cache).
#
#   lock_take NAME FILE WHAT [try]
#       hold the lock FILE for this process (and what it starts); NAME is a
#       short handle (cache, build, results), WHAT says what it guards in
#       the message.  Waits, saying once on stderr who holds it, unless
#       `try` is given: then returns 1 at once when it is held.
#   lock_release NAME, lock_release_all
#       give it (them) back; exiting gives every lock back too.
#
# With flock(1) (util-linux, or busybox's) the lock is an flock on FILE
# held through a file descriptor, so the kernel releases it when the holder
# dies however it dies: there is no stale lock.  Without flock, or with
# VCT_LOCK_MKDIR=1, it is the directory FILE.d made with mkdir (atomic),
# holding the holder's pid; a lock whose holder is no longer running is
# stale and is taken over, saying so.
#
# A lock this process already holds is not taken again; VCT_LOCKS_HELD
# (exported) tells child scripts which locks their parent holds for them.

lock_fds="cache:5 build:6 results:4 kbuild:7"

lock_say() { printf '# %s\n' "$*" >&2; }

lock_take() {
    l_name=$1 l_file=$2 l_what=$3 l_try=${4:-}
    case " ${VCT_LOCKS_HELD:-} " in *" $l_name "*) return 0 ;; esac
    mkdir -p "$(dirname "$l_file")"
    if [ "${VCT_LOCK_MKDIR:-0}" != 1 ] && command -v flock > /dev/null 2>&1; then
        l_fd=$(printf '%s\n' $lock_fds | sed -n "s/^$l_name://p")
        [ -n "$l_fd" ] || { lock_say "lock.sh: no descriptor for lock '$l_name'"; return 2; }
        # (`command`: a file that cannot be opened is an error returned, not
        # the end of the shell)
        eval "command exec $l_fd>>\"\$l_file\"" || return 2
        if ! flock -n "$l_fd"; then
            if [ -n "$l_try" ]; then eval "exec $l_fd>&-"; return 1; fi
            lock_say "waiting for $l_what: another run.sh holds $l_file (pid $(cat "$l_file.pid" 2>/dev/null || echo unknown))"
            flock "$l_fd"
        fi
        echo "$$" > "$l_file.pid"
    else
        l_said=""
        until mkdir "$l_file.d" 2>/dev/null; do
            [ -w "$(dirname "$l_file")" ] || return 2
            l_owner=$(cat "$l_file.d/pid" 2>/dev/null || true)
            if [ -n "$l_owner" ] && ! kill -0 "$l_owner" 2>/dev/null; then
                lock_say "taking over the stale lock $l_file.d (its holder, pid $l_owner, is gone)"
                rm -rf "$l_file.d"
                continue
            fi
            [ -z "$l_try" ] || return 1
            if [ -z "$l_said" ]; then
                lock_say "waiting for $l_what: another run.sh holds $l_file.d (pid ${l_owner:-unknown})"
                l_said=1
            fi
            sleep 1
        done
        echo "$$" > "$l_file.d/pid"
    fi
    eval "lock_file_$l_name=\$l_file"
    VCT_LOCKS_HELD="${VCT_LOCKS_HELD:-} $l_name"
    export VCT_LOCKS_HELD
}

lock_release() {
    case " ${VCT_LOCKS_HELD:-} " in *" $1 "*) ;; *) return 0 ;; esac
    eval "l_file=\${lock_file_$1:-}"
    [ -n "$l_file" ] || return 0      # held by the parent, not by us
    if [ -d "$l_file.d" ] && [ "$(cat "$l_file.d/pid" 2>/dev/null)" = "$$" ]; then
        rm -rf "$l_file.d"
    else
        rm -f "$l_file.pid"
        l_fd=$(printf '%s\n' $lock_fds | sed -n "s/^$1://p")
        [ -z "$l_fd" ] || eval "exec $l_fd>&-"
    fi
    eval "lock_file_$1="
    VCT_LOCKS_HELD=$(printf '%s\n' $VCT_LOCKS_HELD | grep -vx "$1" | tr '\n' ' ' || true)
    export VCT_LOCKS_HELD
}

lock_release_all() {
    for l in $lock_fds; do lock_release "${l%%:*}"; done
}
