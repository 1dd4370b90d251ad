#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# testvm/guest/build.sh OUTDIR - the hvtb-worker test guest images, from
# Debian's own kernel package (never committed):
#   OUTDIR/vmlinuz     /boot/vmlinuz-<KVER> (bzImage, 64-bit boot protocol)
#   OUTDIR/vmlinux     the same kernel uncompressed by the kernel's own
#                      scripts/extract-vmlinux (PVH entry)
#   OUTDIR/initrd.cpio busybox-static + testvm/guest/init.sh (uncompressed)
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
if [ ! -e "$OUT/initrd.cpio" ] || [ "$HERE/init.sh" -nt "$OUT/initrd.cpio" ] ||
	[ /bin/busybox -nt "$OUT/initrd.cpio" ]; then
	root=$OUT/root
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root}
	cp /bin/busybox "$root/bin/busybox"
	for app in $("$root/bin/busybox" --list-full); do
		[ -e "$root/$app" ] || ln -s /bin/busybox "$root/$app"
	done
	install -m 0755 "$HERE/init.sh" "$root/init"
	echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$OUT/initrd.cpio.tmp"
	mv "$OUT/initrd.cpio.tmp" "$OUT/initrd.cpio"
	rm -rf "$root"
fi
echo "$KVER" >"$OUT/kver"
