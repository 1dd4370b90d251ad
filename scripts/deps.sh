#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/deps.sh - install the Debian 12 packages hvtb needs to build and test.
# Idempotent: does nothing when every package is already installed.
# Runs apt-get as root, or through sudo when not root.

set -euo pipefail

PACKAGES=(
	# build
	build-essential make gcc git perl python3 sparse
	# dev kernel from source + out-of-tree modules
	linux-source-6.1 linux-image-amd64 linux-headers-amd64
	bc flex bison libelf-dev libssl-dev dwarves kmod cpio xz-utils lz4
	# hvtb-worker: ACPI tables (iasl), config files (inih, static)
	acpica-tools libinih-dev
	# storvsp: asynchronous disk I/O (io_uring), static
	liburing-dev
	# test VM
	bochs bochs-x bochsbios vgabios qemu-system-x86 busybox-static
	# the worker's test guest: its KVP daemon (hv_kvp_daemon)
	hyperv-daemons
	isolinux syslinux-common xorriso
)

missing=()
for p in "${PACKAGES[@]}"; do
	if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != installed ]; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "hvtb-deps: all ${#PACKAGES[@]} packages installed"
	exit 0
fi

echo "hvtb-deps: missing: ${missing[*]}"
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null ||
		{ echo "hvtb-deps: not root and no sudo: install ${missing[*]} as root" >&2; exit 1; }
	SUDO=(sudo)
fi
"${SUDO[@]}" apt-get update
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${PACKAGES[@]}"
echo "hvtb-deps: done"
