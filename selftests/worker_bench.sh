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

# The synthetic devices: one boot with a 64 MiB disk image and a TAP.
# Disk: sequential 1 MiB reads and writes with O_DIRECT in the guest
# (hv_storvsc -> the worker -> the image) against the same read of the
# image in the test VM. Network: TCP both ways (busybox httpd/wget, 32 MiB)
# and small packets (ping -A, 64-byte echoes back to back). Each figure is
# emulated time under Bochs (the guest's clock, 10 ms steps of /proc/uptime;
# a guest second is 3.5e9 emulated instructions): compare them with each
# other and with the test VM's own, not with real hardware. Signals per MiB
# come from the worker's channel counters over the whole boot. The boot runs
# twice: VPs on hvtb's scheduler threads, then --sched root.
[ -e /dev/net/tun ] || { echo "worker_bench: no /dev/net/tun: no device figures"; exit 0; }
mkdir -p "$T/bench-www"
dd if=/dev/urandom of="$T/bench-www/h2g" bs=1M count=32 2>/dev/null
dd if=/dev/zero of="$T/bench-disk.img" bs=1M count=64 2>/dev/null
# Milliseconds of uptime (busybox date has no %N; /proc/uptime counts in 10 ms).
ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
t0=$(ms)
for i in 1 2 3 4 5 6 7 8; do dd if="$T/bench-disk.img" of=/dev/null bs=1M 2>/dev/null; done
t1=$(ms)
host_mbs=$(( 512 * 1000 / (t1 - t0 + 10) ))
dev_bench() {
	mkdir -p "$T/bench-x"
	cat >"$T/bench-x/cmd.sh" <<-'EOS'
	ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
	i=0; while [ ! -b /dev/sda ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	a=$(ms); dd if=/dev/sda of=/dev/null bs=1M count=64 iflag=direct 2>/dev/null; b=$(ms)
	echo "bench: disk_read_ms=$((b - a))"
	a=$(ms); dd if=/dev/zero of=/dev/sda bs=1M count=64 oflag=direct conv=fsync 2>/dev/null; b=$(ms)
	echo "bench: disk_write_ms=$((b - a))"
	/iobench /dev/sda 2000
	ip link set lo up; ip addr add 10.77.0.2/24 dev eth0; ip link set eth0 up
	i=0; while [ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" != 1 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	ping -c 3 -W 5 10.77.0.1 >/dev/null 2>&1
	a=$(ms); wget -q -O /dev/null http://10.77.0.1:8080/h2g; b=$(ms)
	echo "bench: tcp_h2g_ms=$((b - a))"
	mkdir -p /www; dd if=/dev/urandom of=/www/g2h bs=1M count=32 2>/dev/null; httpd -p 8080 -h /www
	a=$(ms); ping -A -c 5000 -s 16 -W 5 10.77.0.1 >/tmp/ping 2>&1; b=$(ms)
	echo "bench: ping_ms=$((b - a)) $(grep -o '[0-9]*% packet loss' /tmp/ping)"
	echo "bench-ready"
	i=0; while [ $i -lt 3000 ]; do sleep 0.1; i=$((i + 1)); done
	EOS
	cp "$(dirname "$0")/iobench" "$T/bench-x/iobench"
	(cd "$T/bench-x" && printf 'cmd.sh\niobench\n' | cpio -o -H newc 2>/dev/null) >"$T/bench-x.cpio"
	cat "$G/initrd.cpio" "$T/bench-x.cpio" >"$T/bench-dev.cpio"
	busybox httpd -f -p 8080 -h "$T/bench-www" &
	hpid=$!
	hvtb-worker --stats --timeout 1500 --console "$T/bench-dev.out" -i "$T/bench-dev.cpio" \
		--disk "$T/bench-disk.img" --net hvtbb0 --sched "$1" \
		-a 'console=ttyS0 nokaslr pci=off panic=-1 mitigations=off quiet hvtb_cmd="sh /cmd.sh"' \
		"$G/vmlinux" </dev/null 2>"$T/bench-dev.err" &
	wpid=$!
	i=0
	while [ ! -e /sys/class/net/hvtbb0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	ip addr add 10.77.0.1/24 dev hvtbb0
	i=0
	while [ $i -lt 6000 ] && ! grep -q "^bench-ready" "$T/bench-dev.out" 2>/dev/null && kill -0 $wpid 2>/dev/null; do
		sleep 0.2
		i=$((i + 1))
	done
	t0=$(ms)
	wget -q -O /dev/null http://10.77.0.2:8080/g2h
	t1=$(ms)
	g2h_ms=$(( t1 - t0 ))
	kill -TERM $wpid
	wait $wpid
	kill $hpid 2>/dev/null
	b() { sed -n "s/^bench: $1=\([0-9]*\).*/\1/p" "$T/bench-dev.out" | tr -d '\r' | tail -n 1; }
	rate() { [ -n "$2" ] && [ "$2" -gt 0 ] && echo "$(( $1 * 1000 / $2 ))" || echo "?"; }
	echo "worker_bench: [$1] disk: sequential read $(rate 64 "$(b disk_read_ms)") MiB/s, write+fsync $(rate 64 "$(b disk_write_ms)") MiB/s in the guest (64 MiB, 1 MiB O_DIRECT); 4 KiB random reads $(b rand4k_iops) IOPS (queue depth 1); the test VM reads the image at $host_mbs MiB/s"
	echo "worker_bench: [$1] network: TCP parent->guest $(rate 256 "$(b tcp_h2g_ms)") Mbit/s, guest->parent $(rate 256 "$g2h_ms") Mbit/s (32 MiB); ping -A: $(rate 5000 "$(b ping_ms)") echoes/s ($(grep -o '[0-9]*% packet loss' "$T/bench-dev.out" | head -n 1))"
	sed -n 's/^hvtb-worker: \(storage\|disk 0\|network\|VP 0\): /\1: /p' "$T/bench-dev.err" | sed "s/^/worker_bench:   [$1] /" | cut -c1-400
	# Guest signals (VMBus channel interrupts to the host) and VM exits per MiB moved.
	mib=$(( (64 + 64 + 32 + 32) ))
	exits=$(sed -n 's/^hvtb-worker: VP 0: \([0-9]*\) exits.*/\1/p' "$T/bench-dev.err")
	sig=$(sed -n 's/.*storage: .*channel [0-9]* opens, \([0-9]*\) guest signals.*/\1/p' "$T/bench-dev.err")
	echo "worker_bench: [$1] per MiB moved (disk 128, TCP 64, boot included): $(( ${exits:-0} / mib )) exits, $(( ${sig:-0} / 128 )) storage guest signals per disk MiB"
	rm -rf "$T/bench-x" "$T/bench-x.cpio" "$T/bench-dev.cpio"
}
for mode in threads root; do
	dev_bench $mode
done
rm -rf "$T/bench-www" "$T/bench-disk.img"
