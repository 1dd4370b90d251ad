#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# worker_bench: Debian's kernel booted by hvtb-worker (PVH and bzImage, 1 VP)
# to its init and a command; prints the boot phases and the VM exits taken,
# by reason (counts and share). Figures, not a test (make bench).
# Phases are wall time in the test VM (CLOCK_MONOTONIC: under Bochs that is
# emulated time, which follows the emulated instructions); the exit counts
# are exact.
G=${HVTB_GUEST_DIR:-/usr/share/hvtb/guest}
T=${TMPDIR:-/tmp}
[ -e /dev/hvtb ] && [ -r "$G/vmlinux" ] || { echo "worker_bench: no /dev/hvtb or no guest in $G (HVTB_GUEST=1)"; exit 4; }
for k in vmlinux vmlinuz; do
	hvtb-worker --stats --quiet --timeout 1500 --console "$T/bench-$k.out" -i "$G/initrd.cpio" \
		-a 'console=ttyS0 nokaslr pci=off panic=-1 mitigations=off quiet hvtb_cmd="true"' \
		"$G/$k" </dev/null 2>"$T/bench-$k.err"
	rc=$?
	echo "worker_bench: $k ($( [ $k = vmlinux ] && echo PVH || echo bzImage)): exit status $rc"
	sed -n 's/^hvtb-worker: //p' "$T/bench-$k.err" | sed 's/^/worker_bench:   /'
	grep "hvtb-guest: init" "$T/bench-$k.out" | sed 's/^/worker_bench:   guest: /'
done
