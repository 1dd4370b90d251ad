#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# testvm/worker-run.sh - `make run`: boot the test VM (Debian's kernel, with
# the worker's guest images), boot Debian's kernel again inside it in an hvtb
# child partition with hvtb-worker, and show a short summary: the guest's
# console up to its command's output and the phase times. The test VM's own
# boot log goes to a file (its path is printed).
#   GUEST_KERNEL=vmlinux|vmlinuz  PVH (default) or bzImage entry
#   WORKER_ARGS="..."             more hvtb-worker options (e.g. --no-enlightenments)
set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
LOG=$BUILD/run-testvm.log
GK=${GUEST_KERNEL:-vmlinux}
mkdir -p "$BUILD"

# The guest runs /demo.sh (testvm/guest/demo.sh): its VMBus devices, a file
# system on the blank disk image, pings to the parent over the TAP.
read -r -d '' CMD <<EOC
g=/usr/share/hvtb/guest
dd if=/dev/zero of=/tmp/demo-disk.img bs=1M count=0 seek=16 2>/dev/null
( i=0; while [ ! -e /sys/class/net/hvtbn0 ] && [ \$i -lt 200 ]; do sleep 0.1; i=\$((i + 1)); done; ip addr add 10.77.0.1/24 dev hvtbn0 ) &
hvtb-worker --stats --timeout 1500 --disk /tmp/demo-disk.img --net hvtbn0 ${WORKER_ARGS:-} -i \$g/initrd.cpio -a 'console=ttyS0 nokaslr pci=off panic=-1 mitigations=off quiet hvtb_cmd="sh /demo.sh"' \$g/$GK </dev/null 2>&1 | sed 's/^/hvtb-run| /'
EOC

echo "make run: booting the test VM (Debian kernel under Bochs, ~2 min), then Debian's kernel in an hvtb partition ($GK)"
echo "make run: test VM log: $LOG"
t0=$SECONDS
KERNEL=debian HVTB_GUEST=1 TIMEOUT=${TIMEOUT:-2400} "$TOP/testvm/run.sh" "$CMD" >"$LOG" 2>&1
rc=$?
t1=$SECONDS
echo "---- guest console (hvtb-worker in the test VM) ----"
sed -n 's/^hvtb-run| //p' "$LOG" | tr -d '\r' | grep -v "^hvtb-worker: VP [0-9]*:   "
echo "----"
boot=$(grep -m1 "hvtb-vm: .* cpu(s) online" "$LOG" >/dev/null && echo ok)
echo "make run: test VM run took $((t1 - t0)) s wall in all (status $rc)${boot:+; test VM booted}"
exit $rc
