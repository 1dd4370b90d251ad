#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the hvtb-worker test guest (busybox). The kernel command line
# passes hvtb_cmd="..." (the kernel hands key=value it does not know to
# init as environment). With it: run it, print its status and write it to
# the worker's exit port 0xf4 (/dev/port), which ends the VM with that
# status (values above 63 are sent as 63). Without it: a shell on the
# console, then power-off.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "hvtb-guest: init at $(cut -d' ' -f1 /proc/uptime) s: $(uname -r), $(nproc) cpu(s)"
# Debian's Hyper-V guest modules, in the order of guest/build.sh's
# load-order list (dependencies first). A failure (no enlightenments:
# hv_vmbus finds no Hyper-V, its dependents then fail too) is printed, not
# fatal.
if [ -r /lib/modules/hv/load-order ]; then
	loaded=0 failed=
	while read -r ko; do
		if err=$(insmod "/lib/modules/hv/$ko" 2>&1); then
			loaded=$((loaded + 1))
		else
			failed="$failed ${ko%.ko}"
			echo "hvtb-guest: insmod $ko failed: $err"
		fi
	done </lib/modules/hv/load-order
	echo "hvtb-guest: modules at $(cut -d' ' -f1 /proc/uptime) s: $loaded loaded${failed:+, failed:$failed}"
fi
# The KVP daemon (Debian's hyperv-daemons): hv_utils' KVP channel answers
# the host only through it. It daemonizes once registered.
if grep -q -i a9a0f4e7-5a45-4d96-b827-8a841e8c03e6 /sys/bus/vmbus/devices/*/class_id 2>/dev/null &&
   [ -x /usr/sbin/hv_kvp_daemon ]; then
	i=0	# hv_utils made the device node; devtmpfs adds it soon after
	while [ ! -e /dev/vmbus/hv_kvp ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
	/usr/sbin/hv_kvp_daemon || echo "hvtb-guest: hv_kvp_daemon failed: $?"
fi
if [ -n "$hvtb_cmd" ]; then
	sh -c "$hvtb_cmd"
	rc=$?
	echo "hvtb-guest: rc=$rc"
	[ "$rc" -le 63 ] || rc=63
	# ttyS0 has no interrupt: the 8250 driver sends 16 bytes per poll
	# (a few jiffies); let the console drain before the VM ends.
	sleep 1
	printf "\\$(printf %03o "$rc")" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
	echo "hvtb-guest: the exit port did not end the VM" >&2
else
	setsid cttyhack sh -l
fi
poweroff -f
