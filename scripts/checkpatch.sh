#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the kernel's checkpatch.pl (extracted from Debian's linux-source-6.1 at
# build time, never kept in the repo) over every file of kmod/, uapi/ and userspace/ic/.
# Exits non-zero if checkpatch reports anything.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n1 || true)
tooldir=$build/checkpatch

if [ ! -x "$tooldir/scripts/checkpatch.pl" ]; then
	if [ -z "$tarball" ]; then
		echo "checkpatch: /usr/src/linux-source-6.1.tar.xz missing: apt-get install linux-source-6.1" >&2
		exit 1
	fi
	mkdir -p "$tooldir"
	top_dir=$(basename "$tarball"); top_dir=${top_dir%.tar.*}
	tar xf "$tarball" -C "$tooldir" --strip-components=1 \
		"$top_dir/scripts/checkpatch.pl" "$top_dir/scripts/spelling.txt" \
		"$top_dir/scripts/const_structs.checkpatch"
fi

cd "$top"
files=$(find kmod uapi userspace/ic -name '*.[chS]' | sort)
# --no-tree: out-of-tree; SPDX and the usual kernel rules still apply.
# kmod/compat.h is the one place where an out-of-tree module must compare
# LINUX_VERSION_CODE, so those two warnings are not ours to fix.
"$tooldir/scripts/checkpatch.pl" --no-tree --quiet --terse --show-types \
	--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON -f $files
