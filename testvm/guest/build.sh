#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# testvm/guest/build.sh OUTDIR - the hvtb-worker test guest images, from
# Debian's own kernel package (never committed):
#   OUTDIR/vmlinuz     /boot/vmlinuz-<KVER> (bzImage, 64-bit boot protocol)
#   OUTDIR/vmlinux     the same kernel uncompressed by the kernel's own
#                      scripts/extract-vmlinux (PVH entry)
#   OUTDIR/initrd.cpio busybox-static + testvm/guest/init.sh (uncompressed)
#                      + Debian's Hyper-V guest modules (GUEST_MODULES) and
#                      their dependencies in /lib/modules/hv/, with
#                      /lib/modules/hv/load-order (one .ko a line, each
#                      after its dependencies; init.sh insmods them)
# Rebuilt only when an input is newer. KVER defaults to the newest Debian
# kernel in /boot.
set -euo pipefail

OUT=${1:?usage: $0 OUTDIR}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HVTB_CACHE=${HVTB_CACHE:-/var/cache/hvtb}
die() { echo "hvtb-guest-image: error: $*" >&2; exit 2; }

KVER=${KVER:-$(ls -1 /boot/vmlinuz-*-amd64 2>/dev/null | sed 's|/boot/vmlinuz-||' | sort -V | tail -1)}
[ -n "$KVER" ] && [ -r "/boot/vmlinuz-$KVER" ] || die "no /boot/vmlinuz-*-amd64: install linux-image-amd64"
mkdir -p "$OUT"

# The Hyper-V guest drivers the test guest loads. Debian builds them as
# modules (CONFIG_HYPERV=m, HYPERV_UTILS/STORAGE/NET=m); their dependencies
# come from the kernel's modules.dep, depth first, so each module follows
# what it needs. sd_mod makes the storvsc LUNs disks; ext4 mounts their
# ext2 file systems and needs a crc32c (the kernel's crypto API asks for it
# by name at every mount, and nothing loads modules here).
GUEST_MODULES="hv_vmbus hv_utils hv_storvsc hv_netvsc sd_mod crc32c_generic ext4"
MODDIR=/lib/modules/$KVER
[ -r "$MODDIR/modules.dep" ] || die "no $MODDIR/modules.dep: install linux-image-$KVER"
declare -A mod_seen=()
mod_order=()
mod_path() {	# module name -> path relative to $MODDIR (modules.dep spelling)
	local n=${1//-/_} p
	p=$(awk -F: -v n="$n" '{ b = $1; sub(/.*\//, "", b); sub(/\.ko(\.[a-z]+)?$/, "", b);
		gsub(/-/, "_", b); if (b == n) { print $1; exit } }' "$MODDIR/modules.dep")
	[ -n "$p" ] || die "module $1 is not in $MODDIR/modules.dep (built in? grep HYPERV /boot/config-$KVER)"
	echo "$p"
}
mod_add() {	# path relative to $MODDIR, its dependencies first
	local p=$1 d
	[ -z "${mod_seen[$p]:-}" ] || return 0
	mod_seen[$p]=1
	for d in $(awk -F: -v p="$p" '$1 == p { print $2; exit }' "$MODDIR/modules.dep"); do
		mod_add "$d"
	done
	mod_order+=("$p")
}
for m in $GUEST_MODULES; do
	mod_add "$(mod_path "$m")"
done

if [ ! -e "$OUT/vmlinuz" ] || [ "/boot/vmlinuz-$KVER" -nt "$OUT/vmlinuz" ]; then
	cp "/boot/vmlinuz-$KVER" "$OUT/vmlinuz"
fi
if [ ! -e "$OUT/vmlinux" ] || [ "$OUT/vmlinuz" -nt "$OUT/vmlinux" ]; then
	# extract-vmlinux from the unpacked linux-source (testvm/kernel.sh), else
	# from the tarball.
	ev=$(ls -1 "$HVTB_CACHE"/src-*/linux-source-*/scripts/extract-vmlinux 2>/dev/null | tail -1 || true)
	if [ -z "$ev" ]; then
		tarball=$(ls -1 /usr/src/linux-source-*.tar.xz 2>/dev/null | tail -1)
		[ -n "$tarball" ] || die "no linux-source: install linux-source-6.1"
		mkdir -p "$OUT/src"
		tar -xJf "$tarball" -C "$OUT/src" --wildcards '*/scripts/extract-vmlinux'
		ev=$(ls -1 "$OUT"/src/*/scripts/extract-vmlinux | tail -1)
	fi
	sh "$ev" "$OUT/vmlinuz" >"$OUT/vmlinux.tmp" || die "extract-vmlinux failed"
	mv "$OUT/vmlinux.tmp" "$OUT/vmlinux"
fi
stale=0
KVPD=/usr/sbin/hv_kvp_daemon	# Debian's hyperv-daemons: the guest side of KVP
[ -x "$KVPD" ] || die "no $KVPD: install hyperv-daemons (scripts/deps.sh does)"
for f in "$HERE/init.sh" "$HERE/demo.sh" "${BASH_SOURCE[0]}" /bin/busybox "$KVPD" "${mod_order[@]/#/$MODDIR/}"; do
	[ "$f" -nt "$OUT/initrd.cpio" ] && stale=1
done
if [ ! -e "$OUT/initrd.cpio" ] || [ $stale = 1 ] || ! cmp -s "$OUT/modules" <(printf '%s\n' "${mod_order[@]}"); then
	root=$OUT/root
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root}
	cp /bin/busybox "$root/bin/busybox"
	for app in $("$root/bin/busybox" --list-full); do
		[ -e "$root/$app" ] || ln -s /bin/busybox "$root/$app"
	done
	install -m 0755 "$HERE/init.sh" "$root/init"
	install -m 0755 "$HERE/demo.sh" "$root/demo.sh"	# make run's guest command
	# No init daemon runs here: the kernel's orderly power-off and reboot
	# (hv_utils' shutdown IC) run /sbin/poweroff and /sbin/reboot, which
	# busybox would turn into a signal to PID 1, a shell that ignores it.
	for act in poweroff reboot; do
		rm -f "$root/sbin/$act"
		printf '#!/bin/sh\necho "hvtb-guest: %s (orderly)" >/dev/console 2>&1\nexec /bin/busybox %s -f\n' "$act" "$act" >"$root/sbin/$act"
		chmod 0755 "$root/sbin/$act"
	done
	# hv_kvp_daemon and the shared libraries it needs (glibc), at their paths;
	# it keeps its pools in /var/lib/hyperv (made by the daemon).
	mkdir -p "$root/usr/sbin" "$root/var/lib"
	cp "$KVPD" "$root/usr/sbin/"
	for lib in $(ldd "$KVPD" | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
	mkdir -p "$root/lib/modules/hv"
	for p in "${mod_order[@]}"; do
		ko=$(basename "$p")
		case $ko in
		*.ko) cp "$MODDIR/$p" "$root/lib/modules/hv/$ko" ;;
		*.ko.xz) xz -dc "$MODDIR/$p" >"$root/lib/modules/hv/${ko%.xz}" ;;
		*.ko.zst) zstd -dcq "$MODDIR/$p" >"$root/lib/modules/hv/${ko%.zst}" ;;
		*.ko.gz) gzip -dc "$MODDIR/$p" >"$root/lib/modules/hv/${ko%.gz}" ;;
		*) die "$p: unknown module compression" ;;
		esac
		echo "${ko%.ko*}.ko" >>"$root/lib/modules/hv/load-order"
	done
	echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$OUT/initrd.cpio.tmp"
	mv "$OUT/initrd.cpio.tmp" "$OUT/initrd.cpio"
	printf '%s\n' "${mod_order[@]}" >"$OUT/modules"
	rm -rf "$root"
fi
echo "$KVER" >"$OUT/kver"
