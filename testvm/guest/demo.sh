#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /demo.sh of the hvtb-worker test guest: what `make run` shows of an
# unmodified Debian kernel in an hvtb child partition (testvm/worker-run.sh
# starts the worker with a blank disk image and the TAP hvtbn0, 10.77.0.1).
echo "guest: $(uname -sr), $(nproc) cpu(s), clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
for d in /sys/bus/vmbus/devices/*; do
	[ -e "$d/class_id" ] || continue
	drv=$(readlink "$d/driver" 2>/dev/null)
	echo "guest: vmbus ${d##*/} class $(cat "$d/class_id") driver ${drv##*/}"
done
i=0
while [ ! -b /dev/sda ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
if [ -b /dev/sda ]; then
	echo "guest: /dev/sda, $(( $(cat /sys/block/sda/size) / 2048 )) MiB (hv_storvsc)"
	mke2fs -q /dev/sda >/dev/null 2>&1 && mkdir -p /mnt && mount -t ext2 /dev/sda /mnt &&
		echo "written by $(uname -n) at $(date)" >/mnt/hello && sync &&
		echo "guest: ext2 on /dev/sda: /mnt/hello says: $(cat /mnt/hello)" && umount /mnt ||
		echo "guest: the disk did not work"
fi
i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
if [ -e /sys/class/net/eth0 ]; then
	ip link set lo up
	ip addr add 10.77.0.2/24 dev eth0
	ip link set eth0 up
	i=0
	while [ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" != 1 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	echo "guest: eth0 $(cat /sys/class/net/eth0/address) 10.77.0.2/24 (hv_netvsc), pinging the parent 10.77.0.1:"
	ping -c 3 -W 5 10.77.0.1 | sed 's/^/guest:   /'
fi
