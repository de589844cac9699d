#!/bin/sh
# memo_test.sh: harness/sh/memo.sh, the memo of work done on unchanged
# files (aptfetch.sh's verified .debs, initramfs.sh's cached archive), as
# TAP.  Runs under dash and busybox ash (whose stat counts seconds only).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
n=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM HUP
# shellcheck source=fixtures/tap.sh
. "$top/fixtures/tap.sh"
# shellcheck source=harness/sh/memo.sh
. "$top/harness/sh/memo.sh"

d="$tmp/d" m="$tmp/memo"
mkdir -p "$d/sub"
printf 'one\n' > "$d/a"; printf 'two\n' > "$d/sub/b"
# settled FILE...: wait until the file system's clock is past every FILE's
# last change, so a memo taken now may be trusted (memo.sh's rule).
settled() {
    while memo_key "$@" | awk -v now="$(memo_clock "$tmp")" '$4 >= now || $5 >= now { f = 1 } END { exit !f }'; do
        sleep 0.3
    done
}

no_memo_not_valid() { ! memo_valid "$m" tag "$d/a"; }
written_memo_valid() {
    settled "$d/a" "$d/sub/b" "$d/sub"
    memo_write "$m" "$(memo_clock "$tmp")" "tag x" "$d/a" "$d/sub/b" "$d/sub" &&
        memo_valid "$m" "tag x" "$d/a" "$d/sub/b" "$d/sub"
}
other_tag_not_valid() { ! memo_valid "$m" "tag y" "$d/a" "$d/sub/b" "$d/sub"; }
other_files_not_valid() { ! memo_valid "$m" "tag x" "$d/a" "$d/sub/b" && ! memo_valid "$m" "tag x" "$d/sub/b" "$d/a" "$d/sub"; }
# one byte changed in place, the size and inode kept, in the same second
byte_rewritten_not_valid() {
    memo_valid "$m" "tag x" "$d/a" "$d/sub/b" "$d/sub" || { echo "memo not valid before the change"; return 1; }
    printf 'onE\n' | dd of="$d/a" conv=notrunc 2>/dev/null
    ! memo_valid "$m" "tag x" "$d/a" "$d/sub/b" "$d/sub"
}
# the same bytes put back and the old mtime restored: ctime still tells
restored_mtime_not_valid() {
    printf 'one\n' | dd of="$d/a" conv=notrunc 2>/dev/null
    touch -r "$d/sub/b" "$d/a"
    ! memo_valid "$m" "tag x" "$d/a" "$d/sub/b" "$d/sub"
}
replaced_file_not_valid() {
    settled "$d/a"
    memo_write "$m" "$(memo_clock "$tmp")" "tag x" "$d/a" "$d/sub/b" "$d/sub"
    memo_valid "$m" "tag x" "$d/a" "$d/sub/b" "$d/sub" || { echo "memo not valid before the change"; return 1; }
    cp "$d/sub/b" "$d/sub/b.new" && mv "$d/sub/b.new" "$d/sub/b"
    ! memo_valid "$m" "tag x" "$d/a" "$d/sub/b" "$d/sub"
}
removed_file_not_valid() {
    settled "$d/a" "$d/sub/b" "$d/sub"
    memo_write "$m" "$(memo_clock "$tmp")" "tag x" "$d/a" "$d/sub/b" "$d/sub"
    memo_valid "$m" "tag x" "$d/a" "$d/sub/b" "$d/sub" || { echo "memo not valid before the change"; return 1; }
    rm "$d/a"
    ! memo_valid "$m" "tag x" "$d/a" "$d/sub/b" "$d/sub" && printf 'one\n' > "$d/a"
}
added_name_not_valid() {
    settled "$d/a" "$d/sub/b" "$d/sub"
    memo_write "$m" "$(memo_clock "$tmp")" "tag x" "$d/a" "$d/sub/b" "$d/sub"
    memo_valid "$m" "tag x" "$d/a" "$d/sub/b" "$d/sub" || { echo "memo not valid before the change"; return 1; }
    : > "$d/sub/c"
    ! memo_valid "$m" "tag x" "$d/a" "$d/sub/b" "$d/sub"
}
# work started in the second of a file's last change: never trusted
racy_memo_not_valid() {
    printf 'three\n' > "$d/a"
    memo_write "$m" "$(memo_clock "$tmp")" "tag x" "$d/a" &&
        ! memo_valid "$m" "tag x" "$d/a"
}
damaged_memo_not_valid() {
    settled "$d/a"
    memo_write "$m" "$(memo_clock "$tmp")" "tag x" "$d/a"
    memo_valid "$m" "tag x" "$d/a" || { echo "memo not valid before the change"; return 1; }
    sed '1s/.*/since soon/' "$m" > "$m.x" && mv "$m.x" "$m"
    ! memo_valid "$m" "tag x" "$d/a"
}

check memo.no_memo_is_not_valid no_memo_not_valid
check memo.written_memo_is_valid_while_files_unchanged written_memo_valid
check memo.other_tag_is_not_valid other_tag_not_valid
check memo.other_or_reordered_files_are_not_valid other_files_not_valid
check memo.byte_rewritten_in_place_same_size_is_not_valid byte_rewritten_not_valid
check memo.rewritten_file_with_mtime_restored_is_not_valid restored_mtime_not_valid
check memo.file_replaced_by_rename_is_not_valid replaced_file_not_valid
check memo.removed_file_is_not_valid removed_file_not_valid
check memo.name_added_to_recorded_directory_is_not_valid added_name_not_valid
check memo.work_started_in_the_second_of_a_change_is_not_trusted racy_memo_not_valid
check memo.memo_without_its_start_time_is_not_valid damaged_memo_not_valid
echo "1..$n"
exit "$failed"
