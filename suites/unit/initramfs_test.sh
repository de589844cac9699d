#!/bin/sh
# initramfs_test.sh: initramfs.sh's cached archive (-c CACHEDIR, memo.sh),
# as TAP: reused only while every input is unchanged, and then holding
# what a fresh build holds.  Runs under dash and busybox ash; initramfs.sh
# runs by its #!, as run.sh runs it.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
n=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM HUP
# shellcheck source=fixtures/tap.sh
. "$top/fixtures/tap.sh"
# shellcheck source=harness/sh/memo.sh
. "$top/harness/sh/memo.sh"

# A kernel tree with one module, a stand-in modprobe that counts its
# calls (a reused archive runs none), two programs (scripts: no libraries).
k="$tmp/k" md="$k/root/lib/modules/9.9.9"
mkdir -p "$tmp/bin" "$md/kernel" "$tmp/build/suites/a" "$tmp/mods" "$tmp/c"
echo 9.9.9 > "$k/release"
printf 'module one\n' > "$md/kernel/vfio.ko"
printf 'kernel/vfio.ko:\n' > "$md/modules.dep"
cat > "$tmp/bin/modprobe" <<EOF
#!/bin/sh
echo called >> "$tmp/modprobe.calls"
echo "insmod $md/kernel/vfio.ko "
EOF
chmod +x "$tmp/bin/modprobe"
printf '#!/bin/sh\necho one\n' > "$tmp/build/suites/a/one"
printf '#!/bin/sh\necho two\n' > "$tmp/build/suites/a/two"
chmod +x "$tmp/build/suites/a/one" "$tmp/build/suites/a/two"
printf 'VCT_PROFILE=one\n' > "$tmp/env"
: > "$tmp/busybox"

# build OUT: initramfs.sh -c into OUT, unpacked into OUT.d; the modprobe
# calls it made in $tmp/calls.
build() {
    : > "$tmp/modprobe.calls"
    PATH="$tmp/bin:$PATH" "$top/harness/sh/initramfs.sh" -o "$1" -a x86_64 -k "$k" -b "$tmp/busybox" \
        -e "$tmp/env" -M "$tmp/mods" -m vfio -t "" -c "$tmp/c" "$tmp/build/suites/a/one" "$tmp/build/suites/a/two"
    wc -l < "$tmp/modprobe.calls" | tr -d ' ' > "$tmp/calls"
    rm -rf "$1.d" && mkdir "$1.d" && (cd "$1.d" && gzip -dc "$1" | cpio -i --quiet)
}
# fresh OUT: the same without -c (what a build from scratch holds).
fresh() {
    PATH="$tmp/bin:$PATH" "$top/harness/sh/initramfs.sh" -o "$1" -a x86_64 -k "$k" -b "$tmp/busybox" \
        -e "$tmp/env" -M "$tmp/mods" -m vfio -t "" "$tmp/build/suites/a/one" "$tmp/build/suites/a/two"
    rm -rf "$1.d" && mkdir "$1.d" && (cd "$1.d" && gzip -dc "$1" | cpio -i --quiet)
}
calls() { [ "$(cat "$tmp/calls")" = "$1" ] || { echo "modprobe called $(cat "$tmp/calls") times, want $1"; return 1; }; }
# settle: wait until the clock is past the inputs' last change (memo.sh
# trusts no memo of work begun in the second of a change).
settle() {
    : > "$tmp/clock"
    while [ "$(memo_clock "$tmp")" -le "$(stat -c %Y "$tmp/clock")" ]; do sleep 0.3; done
}

# reused: after the last change has settled, a build is reused (the first
# may build again: its memo was begun in the second of the change).
reused() {
    settle && build "$tmp/w1.gz" && settle && build "$tmp/w2.gz" && calls 0 ||
        { echo "not reused before the change"; return 1; }
}

first_build_kept() {
    build "$tmp/i1.gz" && calls 1 && [ "$(find "$tmp/c" -name initrd.gz | wc -l)" = 1 ] &&
        grep -q 'echo one' "$tmp/i1.gz.d/vfio-ct/suites/a/one"
}
same_inputs_reused() {
    settle
    build "$tmp/i2.gz" || return 1   # (reused or built again: i1's memo may have begun in its inputs' second)
    settle
    build "$tmp/i3.gz" && calls 0 && fresh "$tmp/f3.gz" && diff -r "$tmp/f3.gz.d" "$tmp/i3.gz.d"
}
program_rewritten_rebuilt() {
    # same size, same inode, in the second after the archive was kept
    printf '#!/bin/sh\necho One\n' | dd of="$tmp/build/suites/a/one" conv=notrunc 2>/dev/null
    build "$tmp/i4.gz" && calls 1 && grep -q 'echo One' "$tmp/i4.gz.d/vfio-ct/suites/a/one"
}
env_changed_rebuilt() {
    reused || return 1
    printf 'VCT_PROFILE=two\n' > "$tmp/env"
    build "$tmp/i6.gz" && calls 1 && grep -q 'VCT_PROFILE=two' "$tmp/i6.gz.d/vfio-ct/env"
}
replacement_module_added_rebuilt() {
    reused || return 1
    printf 'module two\n' > "$tmp/mods/vfio.ko"
    build "$tmp/i8.gz" && calls 1 && grep -q 'module two' "$tmp/i8.gz.d/vfio-ct/modules/vfio.ko"
}
kernel_index_changed_rebuilt() {
    reused || return 1
    printf 'kernel/vfio.ko:\n\n' > "$md/modules.dep"
    build "$tmp/i10.gz" && calls 1
}
runner_half_changed_rebuilt() {
    # the runner's own scripts are inputs too: a scratch copy of the checkout
    mkdir -p "$tmp/co/harness"
    cp "$top/run.sh" "$tmp/co/" && cp -R "$top/harness/sh" "$tmp/co/harness/sh"
    ib="$tmp/co/harness/sh/initramfs.sh"
    cb() {
        : > "$tmp/modprobe.calls"
        PATH="$tmp/bin:$PATH" "$ib" -o "$1" -a x86_64 -k "$k" -b "$tmp/busybox" -e "$tmp/env" -M "$tmp/mods" \
            -m vfio -t "" -c "$tmp/c" "$tmp/build/suites/a/one" && wc -l < "$tmp/modprobe.calls" | tr -d ' ' > "$tmp/calls"
    }
    cb "$tmp/j1.gz" && calls 1 && settle && cb "$tmp/j2.gz" && settle && cb "$tmp/j2.gz" && calls 0 ||
        { echo "not reused before the change"; return 1; }
    echo '# changed' >> "$tmp/co/harness/sh/phases.awk"
    cb "$tmp/j3.gz" && calls 1 && gzip -dc "$tmp/j3.gz" | cpio -i --quiet --to-stdout vfio-ct/harness/sh/phases.awk | grep -q '^# changed$'
}

# The programs go in without their DWARF but with their symbols; a
# program strip does not take (a script) goes in byte for byte.
programs_stripped_of_debug_info() {
    mkdir -p "$tmp/build/suites/b"
    printf 'int vct_marker(void) { return 7; }\nint main(void) { return vct_marker() - 7; }\n' > "$tmp/p.c"
    gcc -g -O0 -o "$tmp/build/suites/b/elf" "$tmp/p.c"
    readelf -S "$tmp/build/suites/b/elf" | grep -q '\.debug_info' || { echo "the test program has no DWARF to strip"; return 1; }
    PATH="$tmp/bin:$PATH" "$top/harness/sh/initramfs.sh" -o "$tmp/s.gz" -a x86_64 -k "$k" -b "$tmp/busybox" \
        -e "$tmp/env" -m vfio -t "" "$tmp/build/suites/b/elf" "$tmp/build/suites/a/two"
    rm -rf "$tmp/s.d" && mkdir "$tmp/s.d" && (cd "$tmp/s.d" && gzip -dc "$tmp/s.gz" | cpio -i --quiet)
    e="$tmp/s.d/vfio-ct/suites/b/elf"
    [ -x "$e" ] && ! readelf -S "$e" | grep -q '\.debug_' && readelf -s "$e" | grep -q ' vct_marker$' &&
        "$e" && cmp "$tmp/build/suites/a/two" "$tmp/s.d/vfio-ct/suites/a/two" ||
        { echo "in the archive:"; readelf -S "$e"; return 1; }
}

echo "TAP version 13"
check initramfs.cache.first_build_is_kept first_build_kept
check initramfs.cache.same_inputs_reused_and_hold_what_a_fresh_build_holds same_inputs_reused
check initramfs.cache.program_rewritten_in_place_is_built_again program_rewritten_rebuilt
check initramfs.cache.other_env_contents_built_again env_changed_rebuilt
check initramfs.cache.replacement_module_added_to_moddir_built_again replacement_module_added_rebuilt
check initramfs.cache.kernel_module_index_changed_built_again kernel_index_changed_rebuilt
check initramfs.cache.runner_script_changed_built_again runner_half_changed_rebuilt
check initramfs.programs_go_in_without_debug_info_with_symbols_scripts_as_they_are programs_stripped_of_debug_info
echo "1..$n"
exit "$failed"
