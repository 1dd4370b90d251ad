#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# testvm/kernel.sh - the kernels the test VM boots.
#
#   testvm/kernel.sh            build (once) the dev kernel, print its cache dir
#   testvm/kernel.sh --env      same, but print shell assignments (BZIMAGE= KDIR= KVM_DIR= KVER=)
#   testvm/kernel.sh --debian   print the same assignments for Debian's stock kernel
#                               (plus MODDIR=/lib/modules/<ver>)
#
# The dev kernel is Debian's linux-source-6.1 configured as `make tinyconfig`
# + testvm/dev.config + `make olddefconfig`, built with O= in
#   ${HVTB_CACHE:-/var/cache/hvtb}/kernel-<hash>/
#       bzImage        the kernel to boot
#       build/         the O= tree: usable as KDIR for out-of-tree modules
#       kvm/           irqbypass.ko kvm.ko kvm-intel.ko
#       build.log      the full build log
# <hash> covers dev.config, this script, the linux-source-6.1 package version
# and the compiler version. The unpacked source is shared by all hashes in
# src-<version>/. Concurrent callers wait on a lock instead of building twice.
# Progress goes to stderr, the answer to stdout.

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FRAGMENT=$HERE/dev.config
TARBALL=/usr/src/linux-source-6.1.tar.xz
SRC_PKG=linux-source-6.1

log() { echo "hvtb-kernel: $*" >&2; }
die() { log "error: $*"; exit 1; }

# Debian's stock kernel: the newest one that has both modules and headers.
debian_kernel() {
	local img ver
	for img in $(ls -1 /boot/vmlinuz-*-amd64 2>/dev/null | sort -rV); do
		ver=${img#/boot/vmlinuz-}
		[ -d "/lib/modules/$ver/kernel" ] || continue
		[ -d "/usr/src/linux-headers-$ver" ] || continue
		echo "BZIMAGE=$img"
		echo "KDIR=/usr/src/linux-headers-$ver"
		echo "MODDIR=/lib/modules/$ver"
		echo "KVM_DIR=/lib/modules/$ver/kernel"
		echo "KVER=$ver"
		return 0
	done
	die "no Debian kernel with modules and headers found: apt-get install linux-image-amd64 linux-headers-amd64"
}

cache_root() {
	local c=${HVTB_CACHE:-/var/cache/hvtb}
	if ! mkdir -p "$c" 2>/dev/null || [ ! -w "$c" ]; then
		c=${XDG_CACHE_HOME:-$HOME/.cache}/hvtb
		mkdir -p "$c"
	fi
	echo "$c"
}

src_version() {
	dpkg-query -W -f='${Version}' "$SRC_PKG" 2>/dev/null ||
		die "$SRC_PKG is not installed: run scripts/deps.sh"
}

config_hash() {
	{
		cat "$FRAGMENT" "${BASH_SOURCE[0]}"
		echo "src=$(src_version)"
		gcc --version | head -n1
	} | sha256sum | cut -c1-16
}

# Unpack the source once per package version (shared by every config).
unpack_source() {
	local root=$1 ver=$2 dir
	dir=$root/src-$ver
	(
		flock 8
		if [ ! -e "$dir/.unpacked" ]; then
			log "unpacking $TARBALL into $dir"
			rm -rf "$dir"
			mkdir -p "$dir"
			tar xJf "$TARBALL" -C "$dir"
			touch "$dir/.unpacked"
		fi
	) 8>"$root/src-$ver.lock"
	echo "$dir/linux-source-6.1"
}

# Every CONFIG_ line of the fragment must be in the final .config as written.
check_config() {
	local cfg=$1 line sym bad=0
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			grep -qxF -- "$line" "$cfg" && continue ;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }; sym=${sym%% *}
			grep -q "^$sym=" "$cfg" || continue ;;
		*)
			continue ;;
		esac
		sym=${line#\# }; sym=${sym%%[= ]*}
		log "config mismatch: asked '$line', got '$(grep -E "^(# )?$sym[= ]" "$cfg" || echo "$sym absent")'"
		bad=1
	done <"$FRAGMENT"
	return $bad
}

kernel_dir() {
	echo "$(cache_root)/kernel-$(config_hash)"
}

# The caller's side: start the build as a worker in its own session, so that
# a caller killed by a timeout or ^C does not kill a half-done build (the
# next caller resumes or waits for it), and wait for it.
build_dev() {
	local dir
	dir=$(kernel_dir)
	if [ ! -e "$dir/.done" ]; then
		[ -r "$TARBALL" ] || die "$TARBALL missing: run scripts/deps.sh"
		mkdir -p "$dir"
		log "dev kernel not built yet: building it in $dir (~10-16 min at -j2; log: $dir/build.log)"
		HVTB_KERNEL_WORKER=1 setsid -w "${BASH_SOURCE[0]}" --worker \
			</dev/null >/dev/null 2>"$dir.worker.log" &
		if ! wait $!; then
			cat "$dir.worker.log" >&2
			die "dev kernel build failed"
		fi
		cat "$dir.worker.log" >&2
	fi
	[ -e "$dir/.done" ] || die "dev kernel build did not finish: see $dir/build.log"
	echo "$dir"
}

# The worker: build under the lock unless someone else already did.
build_worker() {
	local root ver dir src make
	root=$(cache_root)
	ver=$(src_version)
	dir=$(kernel_dir)
	exec 9>"$dir.lock"
	if ! flock -n 9; then
		log "another build of $dir is running: waiting for it"
		flock 9
	fi
	[ ! -e "$dir/.done" ] || return 0
	src=$(unpack_source "$root" "$ver")
	make="make -C $src O=$dir/build -j$(nproc)"
	local t0=$SECONDS
	{
		mkdir -p "$dir/build"
		$make tinyconfig
		# Later assignments win in kconfig, choices included.
		cat "$FRAGMENT" >>"$dir/build/.config"
		$make olddefconfig
	} >"$dir/build.log" 2>&1 || { tail -n 40 "$dir/build.log" >&2; die "configuring failed"; }
	check_config "$dir/build/.config" || die "dev.config options were dropped by olddefconfig (see above)"
	if ! $make bzImage modules >>"$dir/build.log" 2>&1 ||
	   ! $make modules_prepare >>"$dir/build.log" 2>&1; then
		grep -E "error|Error" "$dir/build.log" | tail -n 20 >&2 || true
		tail -n 20 "$dir/build.log" >&2
		die "kernel build failed (full log: $dir/build.log)"
	fi
	[ -s "$dir/build/Module.symvers" ] || die "no Module.symvers in $dir/build"
	cp "$dir/build/arch/x86/boot/bzImage" "$dir/bzImage"
	mkdir -p "$dir/kvm"
	cp "$dir/build/virt/lib/irqbypass.ko" "$dir/build/arch/x86/kvm/kvm.ko" \
	   "$dir/build/arch/x86/kvm/kvm-intel.ko" "$dir/kvm/"
	touch "$dir/.done"
	log "dev kernel built in $((SECONDS - t0)) s: $dir"
	# Keep the three newest kernels (about 400 MB each).
	ls -1dt "$root"/kernel-*/ | tail -n +4 | while read -r old; do
		old=${old%/}
		log "removing old kernel $old"
		rm -rf "$old" "$old.lock" "$old.worker.log"
	done
}

case "${1:-}" in
"")
	build_dev ;;
--env)
	dir=$(build_dev)
	echo "BZIMAGE=$dir/bzImage"
	echo "KDIR=$dir/build"
	echo "KVM_DIR=$dir/kvm"
	echo "KVER=$(cat "$dir/build/include/config/kernel.release")" ;;
--debian)
	debian_kernel ;;
--worker)
	[ "${HVTB_KERNEL_WORKER:-}" = 1 ] || die "--worker is internal"
	build_worker ;;
-h|--help)
	sed -n '4,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' ;;
*)
	die "unknown option '$1' (try --help)" ;;
esac
