#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the hvtb test VM (busybox sh). testvm/run.sh puts it into the
# initramfs together with /etc/hvtb-vm.env (HVTB_CMD, HVTB_LOAD,
# HVTB_INSMOD_ARGS, HVTB_EMU). It prepares the system, loads hvtb.ko, runs
# HVTB_CMD and prints markers that run.sh looks for in the serial log:
#   HVTB-VM-RC=<exit status of HVTB_CMD>
#   HVTB-VM-DMESG-BEGIN ... HVTB-VM-DMESG-END
# then powers the machine off.

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t tmpfs tmpfs /tmp
mkdir -p /dev/shm /dev/pts /dev/hugepages
mount -t tmpfs tmpfs /dev/shm
mount -t hugetlbfs hugetlbfs /dev/hugepages 2>/dev/null

exec </dev/null >/dev/ttyS0 2>&1

# Kernel warnings (level 4) and worse reach the console from now on, so a
# splat during CMD is in the serial log even if the guest hangs afterwards.
echo 5 >/proc/sys/kernel/printk

. /etc/hvtb-vm.env

for m in msr cpuid tun; do
	[ -f /lib/modules/$m.ko ] && insmod /lib/modules/$m.ko
done

export HVTB_KO=/lib/modules/hvtb.ko
export HVTB_KVM_DIR=/lib/modules/kvm
export HVTB_SELFTESTS=/usr/lib/hvtb/selftests

echo "hvtb-vm: $(uname -r), $(grep -c ^processor /proc/cpuinfo) cpu(s) online, $HVTB_EMU"
if [ "$HVTB_LOAD" = 1 ]; then
	if [ ! -f "$HVTB_KO" ]; then
		echo "hvtb-vm: insmod hvtb.ko FAILED: $HVTB_KO is missing (module not built?)"
	elif insmod "$HVTB_KO" $HVTB_INSMOD_ARGS; then
		echo "hvtb-vm: hvtb.ko loaded${HVTB_INSMOD_ARGS:+ ($HVTB_INSMOD_ARGS)}"
	else
		echo "hvtb-vm: insmod hvtb.ko${HVTB_INSMOD_ARGS:+ $HVTB_INSMOD_ARGS} FAILED (status $?), see dmesg below"
	fi
fi

cd /tmp
sh -c "$HVTB_CMD"
rc=$?

echo "HVTB-VM-RC=$rc"
echo "HVTB-VM-DMESG-BEGIN"
dmesg
echo "HVTB-VM-DMESG-END"
sleep 1

# ACPI power-off where there is ACPI (without it, poweroff -f only halts).
[ -d /sys/firmware/acpi/tables ] && poweroff -f
# Still here: Bochs leaves when "Shutdown" is written to I/O port 0x8900,
# one byte at a time.
for c in S h u t d o w n; do
	printf %s "$c" | dd of=/dev/port bs=1 seek=$((0x8900)) count=1 conv=notrunc 2>/dev/null
done
sleep 2
echo "hvtb-vm: power-off failed, halting"
poweroff -f
while :; do sleep 3600; done
