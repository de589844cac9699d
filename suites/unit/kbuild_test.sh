#!/bin/sh
# kbuild_test.sh: offline tests of the built-kernel path, as TAP (dash and
# busybox ash):
#  - kbuild.sh --check (the check every build runs on its merged .config)
#    passes a config holding every fragment option and refuses, exit 2 and
#    naming the option with what the config has, one that lacks an option or
#    has it =y where =m was asked;
#  - kbuild.sh refuses a malformed build: spec (exit 2);
#  - initramfs.sh leaves a module the kernel has built in (modprobe
#    --show-depends: "builtin NAME") out of the guest's modules.list and
#    keeps the loadable ones in order.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
n=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM HUP
# shellcheck source=fixtures/tap.sh
. "$top/fixtures/tap.sh"
kb="$top/harness/sh/kbuild.sh"
frags="$top/hosts/kconfig/common.config $top/hosts/kconfig/x86_64.config"

# every =y/=m line of the fragments, plus some noise, is a config that passes
# shellcheck disable=SC2086 # frags: paths without spaces
{ echo 'CONFIG_CC_VERSION_TEXT="gcc"'; grep -h '^CONFIG_[A-Za-z0-9_]*=[ym]$' $frags; echo '# CONFIG_NET is not set'; } > "$tmp/full.config"

full_config_passes() {
    # shellcheck disable=SC2086
    sh "$kb" --check "$tmp/full.config" $frags
}

# refused OPTION REPLACEMENT: the config with OPTION's line replaced is
# refused with exit 2, naming OPTION and what the config has.
refused() {
    sed "s/^$1=.*/$2/" "$tmp/full.config" > "$tmp/c"
    st=0
    # shellcheck disable=SC2086
    sh "$kb" --check "$tmp/c" $frags > "$tmp/o" 2>&1 || st=$?
    cat "$tmp/o"
    [ "$st" = 2 ] && grep -q "$1=[ym] (got: ${2:-absent})" "$tmp/o"
}

malformed_spec_exits_2() {
    st=0
    sh "$kb" build:six x86_64 "$tmp/cache" > "$tmp/o" 2>&1 || st=$?
    cat "$tmp/o"
    [ "$st" = 2 ] && grep -q "malformed kernel spec 'build:six'" "$tmp/o"
}

# initramfs.sh with a modprobe that reports vfio-pci's chain as built in
# except vfio_iommu_type1 (a kernel with VFIO=y, VFIO_IOMMU_TYPE1=m).
builtin_modules_left_out() {
    mkdir -p "$tmp/bin" "$tmp/k/root/lib/modules/9.9.9/kernel" "$tmp/ir"
    : > "$tmp/k/root/lib/modules/9.9.9/kernel/vfio_iommu_type1.ko"
    : > "$tmp/k/root/lib/modules/9.9.9/kernel/virtio_blk.ko"
    echo 9.9.9 > "$tmp/k/release"
    cat > "$tmp/bin/modprobe" <<EOF
#!/bin/sh
for last; do :; done
case "\$last" in
    vfio-pci|virtio_pci|virtio_console) echo "builtin \$(echo "\$last" | tr - _)" ;;
    vfio_iommu_type1) echo "builtin vfio"; echo "insmod $tmp/k/root/lib/modules/9.9.9/kernel/vfio_iommu_type1.ko " ;;
    virtio_blk) echo "insmod $tmp/k/root/lib/modules/9.9.9/kernel/virtio_blk.ko " ;;
    *) echo "modprobe: FATAL: Module \$last not found" >&2; exit 1 ;;
esac
EOF
    chmod +x "$tmp/bin/modprobe"
    : > "$tmp/env"   # (also the stand-in busybox: only copied)
    # (by its #!, as run.sh runs it: under busybox ash the modprobe applet
    # would stand in for the one on PATH)
    PATH="$tmp/bin:$PATH" "$top/harness/sh/initramfs.sh" -o "$tmp/i.gz" -a x86_64 -k "$tmp/k" \
        -b "$tmp/env" -e "$tmp/env" -m "virtio_pci virtio_console vfio-pci vfio_iommu_type1 virtio_blk" -t ""
    (cd "$tmp/ir" && gzip -dc "$tmp/i.gz" | cpio -i --quiet)
    printf 'vfio_iommu_type1.ko\nvirtio_blk.ko\n' > "$tmp/want"
    diff -u "$tmp/want" "$tmp/ir/vfio-ct/modules.list"
}

echo "TAP version 13"
check kbuild.check_passes_a_config_with_every_fragment_option full_config_passes
check kbuild.check_refuses_a_missing_option_naming_it refused CONFIG_IOMMUFD '# CONFIG_IOMMUFD is not set'
check kbuild.check_refuses_y_where_m_was_asked refused CONFIG_VFIO_PCI 'CONFIG_VFIO_PCI=y'
check kbuild.check_refuses_an_absent_option refused CONFIG_FAILSLAB ''
check kbuild.malformed_build_spec_exits_2 malformed_spec_exits_2
check initramfs.builtin_modules_left_out_of_modules_list builtin_modules_left_out
echo "1..$n"
exit "$failed"
