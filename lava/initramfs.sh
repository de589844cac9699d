#!/bin/sh
# initramfs.sh PREPARED: PREPARED/initrd-lava.gz, the runner's own initramfs
# (from `run.sh --prepare PREPARED`) with an /init that mounts what the
# guest half needs (guest_mounts, harness/sh/guest.sh), says it is ready and
# gives LAVA a shell on the console (prompt "vfio-ct# "), and with the
# known-failures list; LAVA's test definition (lava/vfio-ct.yaml) then runs
# the tree at /vfio-ct.  LAVA hands its test overlay over as an ext2 disk
# (virtio, lava/devices/) that its shell mounts by /dev/disk/by-uuid: the
# /init loads virtio_blk and ext4 (with their dependencies, from the
# kernel's own modules) and makes those links, which busybox does not.  Unpacked and packed again as one newc archive:
# LAVA unpacks the ramdisk to add its overlay and a second, concatenated
# archive would be lost there.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
p=$(cd "${1:?usage: initramfs.sh PREPARED}" && pwd)
stage=$(mktemp -d "${TMPDIR:-/tmp}/vfioct-lava-initrd.XXXXXX")
trap 'rm -rf "$stage"' EXIT INT TERM HUP
(cd "$stage" && gzip -dc "$p/initrd.gz" | cpio -idm --quiet)
mkdir -p "$stage/vfio-ct/hosts" "$stage/lava-modules"
cp "$top/hosts/known-failures" "$stage/vfio-ct/hosts/"
mkdir -p "$stage/vfio-ct/lava"
cp "$top/lava/vfio-ct.sh" "$top/lava/send-to-lava.sh" "$stage/vfio-ct/lava/"
KDIR=""
# shellcheck source=/dev/null
. "$p/guest.env"
mdir="$KDIR/root/lib/modules/$(cat "$p/release")"
# ko NAME: the module file of NAME; want NAME: NAME after its dependencies.
ko() { find "$mdir" -name "$(printf '%s' "$1" | tr '_' '?').ko*" | head -n 1; }
: > "$stage/lava-modules/order"
want() {
    grep -qx "$1" "$stage/lava-modules/order" && return 0
    f=$(ko "$1")
    [ -n "$f" ] || return 0   # built in
    for d in $(modinfo -F depends "$f" | tr ',' ' '); do want "$d"; done
    f=$(ko "$1")   # again: the recursion above reused the variable
    case "$f" in
        *.xz) xz -dc "$f" > "$stage/lava-modules/$1.ko" ;;
        *.zst) zstd -qdc "$f" > "$stage/lava-modules/$1.ko" ;;
        *) cp "$f" "$stage/lava-modules/$1.ko" ;;
    esac
    echo "$1" >> "$stage/lava-modules/order"
}
# ext4 asks for crc32c when it mounts (its softdep); LAVA's mke2fs uses checksums
for m in virtio_blk crc32c_generic ext4; do want "$m"; done
cat > "$stage/init" <<'INIT'
#!/bin/sh
/bin/busybox --install -s /bin
# LAVA's test shell scripts start with #!/bin/bash on os: debian; ash
# serves (this busybox has no bash applet name)
printf '#!/bin/sh\nexec /bin/busybox sh "$@"\n' > /bin/bash
chmod 0755 /bin/bash
VCT_HOME=/vfio-ct
. /vfio-ct/harness/sh/guest.sh
guest_mounts
while read -r m; do insmod "/lava-modules/$m.ko" 2>> /tmp/lava-insmod.log || true; done < /lava-modules/order
# the overlay disk shows up a moment after virtio_blk loads (later on a loaded host)
i=0
while ! ls /dev/vd? > /dev/null 2>&1 && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
mkdir -p /dev/disk/by-uuid
for d in /dev/vd? /dev/sd?; do
    [ -b "$d" ] || continue
    # an ext2/3/4 superblock at 1024: magic 0xef53 at 56, UUID at 104 (busybox here has no blkid)
    [ "$(dd if="$d" bs=1 skip=1080 count=2 2> /dev/null | od -An -tx1 | tr -d ' \n')" = 53ef ] || continue
    u=$(dd if="$d" bs=1 skip=1128 count=16 2> /dev/null | od -An -tx1 | tr -d ' \n' |
        sed 's/^\(.\{8\}\)\(.\{4\}\)\(.\{4\}\)\(.\{4\}\)/\1-\2-\3-\4-/')
    [ -z "$u" ] || ln -sf "$d" "/dev/disk/by-uuid/$u"
done
echo "vfio-ct: LAVA guest $(uname -r) ready"
export PS1='vfio-ct# ' HOME=/tmp
exec setsid cttyhack /bin/sh -i
INIT
chmod 0755 "$stage/init"
(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -9) > "$p/initrd-lava.gz"
echo "lava: $p/initrd-lava.gz"
