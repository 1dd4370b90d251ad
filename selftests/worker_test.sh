#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hvtb-worker in the test VM (KERNEL=debian HVTB_GUEST=1): Debian's own kernel
# boots in an hvtb child partition through both loaders, with and without
# the Hyper-V enlightenments; guest-triggered ends, signals, kill -9 and bad
# inputs give the documented exit status and leave nothing behind. KTAP.
#
# Each Linux boot costs minutes under Bochs: one boot checks many things.
# WORKER_TESTS="pvh smp bzimage reboot triple panic icd signals storage network bad watchdog" (or comma-separated) picks groups.
# APPEND="loglevel=7 ..." adds guest kernel arguments to the first boot.
# WORKER_LIVE=1 streams each guest console as it is written ("# live| "
# lines), so a boot that hangs until the test VM's own timeout still shows
# where it stopped (the console is otherwise printed when the worker ends).
# WORKER_MONITOR=SEC writes, every SEC seconds while a worker runs, the state,
# wait channel and kernel stack of its threads and of hvtb's scheduler
# threads and the test VM's interrupt and serial counters to the kernel log
# ("mon| " lines on the console): for a boot that hangs.

G=${HVTB_GUEST_DIR:-/usr/share/hvtb/guest}
W=${HVTB_WORKER:-hvtb-worker}
T=${TMPDIR:-/tmp}/worker_test
BOOT_TIMEOUT=${WORKER_BOOT_TIMEOUT:-240}
GROUPS_=$(echo "${WORKER_TESTS:-pvh smp bzimage reboot triple panic icd signals storage network bad watchdog}" | tr , ' ')
SPIN=$(dirname "$0")/worker_spin.elf
APPEND_BASE="console=ttyS0 nokaslr pci=off panic=-1 mitigations=off quiet"
n=0
fails=0

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2${3:+ # $3}"
		fails=$((fails + 1))
	fi
}
skip() { n=$((n + 1)); echo "ok $n $1 # SKIP $2"; }
has() { case " $GROUPS_ " in *" $1 "*) return 0 ;; esac; return 1; }
refcnt() { cat /sys/module/hvtb/refcnt 2>/dev/null || echo -1; }
# Free memory not counting this script's own files: /tmp is a tmpfs here,
# whose pages (Shmem) leave MemAvailable, and the groups write initrds and a
# 40 MB image into it (CI: eight bad-input checks in a row failed once the
# files of the groups before them passed the 48 MB slack). Guest memory is
# anonymous, so a leak still shows.
avail_mb() { awk '/^(MemAvailable|Shmem):/ { kb += $2 } END { print int(kb / 1024) }' /proc/meminfo; }
# The module's references and the free memory came back (fput is deferred).
# Both within 5 s: the last partition reference may drop on hvtb's
# scheduler thread after the worker is gone, and its pages follow it.
clean_now() { [ "$(refcnt)" = "$REF0" ] && [ $(( $(avail_mb) + 48 )) -ge "$AVAIL0" ]; }
clean() {
	i=0
	while ! clean_now && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	clean_now || echo "# not clean: hvtb refcnt $(refcnt) (was $REF0), MemAvailable $(avail_mb) MiB (was $AVAIL0)"
	clean_now
}

# A guest initrd: the test guest's plus /cmd.sh (cpio archives concatenate).
mkinitrd() {	# $1 name, stdin: the script
	mkdir -p "$T/$1.d"
	cat >"$T/$1.d/cmd.sh"
	(cd "$T/$1.d" && echo cmd.sh | cpio -o -H newc 2>/dev/null) >"$T/$1.cpio.x"
	cat "$G/initrd.cpio" "$T/$1.cpio.x" >"$T/$1.cpio"
}

# boot NAME KERNEL [worker options...]: console in $T/NAME.out, worker's
# stderr in $T/NAME.err, its status in $rc; stdin from $T/NAME.in if present.
boot() {
	name=$1 kern=$2
	shift 2
	in=/dev/null
	[ -f "$T/$name.in" ] && in=$T/$name.in
	t0=$(date +%s)
	live=
	if [ "${WORKER_LIVE:-0}" = 1 ]; then
		: >"$T/$name.out"
		(tail -f "$T/$name.out" & echo $! >"$T/$name.tail"; wait) | sed "s/^/# live| /" &
		live=$!
	fi
	"$W" --stats --timeout "$BOOT_TIMEOUT" --console "$T/$name.out" -i "$T/$name.cpio" \
		-a "$APPEND_BASE $APPEND hvtb_cmd=\"sh /cmd.sh\"" "$@" "$kern" <"$in" 2>"$T/$name.err" &
	wpid=$!
	mon=
	if [ "${WORKER_MONITOR:-0}" -gt 0 ]; then
		monitor "$wpid" "$WORKER_MONITOR" &
		mon=$!
	fi
	wait "$wpid"
	rc=$?
	[ -n "$mon" ] && kill "$mon" 2>/dev/null
	if [ -n "$live" ]; then
		sleep 0.5
		kill "$(cat "$T/$name.tail")" 2>/dev/null
		wait "$live"
	fi
	echo "# $name: exit status $rc after $(( $(date +%s) - t0 )) s"
	sed 's/^/# console| /' "$T/$name.out" | tail -n 40
	sed 's/^/# worker| /' "$T/$name.err" | grep -v "  exit \|  user " | head -n 20
	APPEND=
}

# monitor PID SEC: the worker's threads and hvtb's, every SEC seconds, to
# the kernel log (/dev/kmsg: the kernel's console writes are polled, so the
# lines come out even when the console tty itself is stuck).
monitor() {
	while sleep "$2"; do
		{
			echo "mon| $(cut -d' ' -f1 /proc/uptime) s, worker $1"
			for t in /proc/$1/task/* $(grep -l '^hvtb' /proc/[0-9]*/comm 2>/dev/null | sed 's|/comm$||'); do
				[ -r "$t/stat" ] || continue
				echo "mon| $t $(cat "$t/comm") state $(cut -d' ' -f3 "$t/stat") wchan $(cat "$t/wchan" 2>/dev/null) utime+stime $(cut -d' ' -f14,15 "$t/stat")"
				sed 's/^/mon|   /' "$t/stack" 2>/dev/null | head -n 12
			done
			grep -E "ttyS|LOC|RES|CAL" /proc/interrupts | tr -s ' ' | sed 's/^/mon| irq /'
			sed 's/^/mon| tty /' /proc/tty/driver/serial 2>/dev/null | head -n 2
		} | while IFS= read -r l; do echo "$l" >/dev/kmsg; done
	done
}

# The guest's own view, printed by its script as "key=value" lines.
gv() { sed -n "s/^$1=//p" "$T/$2.out" | tail -n 1 | tr -d '\r'; }

guest_checks='
echo "uname=$(uname -r)"
echo "nproc=$(nproc)"
echo "clocksource=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
echo "clockevent=$(cat /sys/devices/system/clockevents/clockevent0/current_device)"
echo "tscmhz=$(dmesg | sed -n "s/.*tsc: Detected \([0-9.]*\) MHz.*/\1/p" | tail -n 1)"
echo "splats=$(dmesg | grep -c -E "WARNING:|BUG:|Oops|unchecked MSR|Call Trace")"
dmesg | grep -E "WARNING:|BUG:|Oops|unchecked MSR" | head -n 5 | sed "s/^/splat: /"
echo "hyperv=$(dmesg | grep -c "Hypervisor detected: Microsoft Hyper-V")"
echo "vmbus=$(dmesg | sed -n "s/.*hv_vmbus: Vmbus version:\([0-9.]*\).*/\1/p" | tail -n 1)"
echo "sysvmbus=$([ -d /sys/bus/vmbus ] && echo yes || echo no)"
echo "ttyirq=$(grep ttyS0 /proc/interrupts | awk "{ print \$2 }" | head -n 1)"
echo "ttypin=$(grep ttyS0 /proc/interrupts | grep -o "IO-APIC *4-edge" | tr -s " " | head -n 1)"
dmesg | grep -E "hv_vmbus|hv_utils|storvsc|netvsc" | head -n 8 | sed "s/^/vmbus: /"
if [ -d /sys/bus/vmbus/drivers/hv_utils ]; then
	i=0
	while [ $i -lt 40 ] && ! dmesg | grep -q "Heartbeat IC version"; do sleep 0.25; i=$((i + 1)); done
	sleep 3	# the worker asks every 2 s: two heartbeats or more
fi
echo "hbver=$(dmesg | sed -n "s/.*hv_utils: Heartbeat IC version \([0-9.]*\).*/\1/p" | tail -n 1)"
for d in /sys/bus/vmbus/devices/*; do [ -e "$d/class_id" ] && echo "vmbusdev=$(basename $d) $(basename "$(readlink $d/driver)" 2>/dev/null) $(cat $d/class_id)"; done
'

echo "TAP version 13"
mkdir -p "$T"
if [ ! -e /dev/hvtb ] || [ ! -r "$G/vmlinux" ] || [ ! -r "$G/vmlinuz" ] || ! command -v "$W" >/dev/null; then
	echo "1..1"
	skip worker_test "no /dev/hvtb, no $W or no guest images in $G (run with KERNEL=debian HVTB_GUEST=1)"
	exit 0
fi
REF0=$(refcnt)
AVAIL0=$(avail_mb)
echo "# hvtb refcnt $REF0, MemAvailable $AVAIL0 MiB, guest kernel $(cat "$G/kver" 2>/dev/null)"

if has pvh; then
	# PVH entry, enlightenments on; the guest reads a line from the worker's
	# stdin and its status (7) becomes the worker's.
	mkinitrd pvh <<-EOF
	$guest_checks
	echo "sdver=\$(dmesg | sed -n "s/.*hv_utils: Shutdown IC version \([0-9.]*\).*/\1/p" | tail -n 1)"
	echo "tsver=\$(dmesg | sed -n "s/.*hv_utils: TimeSync IC version \([0-9.]*\).*/\1/p" | tail -n 1)"
	echo "ptp=\$(grep -qx hyperv /sys/class/ptp/ptp*/clock_name 2>/dev/null && echo yes || echo no)"
	i=0
	while [ \$i -lt 60 ] && ! tr -d '\\000' </var/lib/hyperv/.kvp_pool_0 2>/dev/null | grep -q hvtb-test-value-42; do sleep 0.25; i=\$((i + 1)); done
	echo "kvpkey=\$(tr -d '\\000' </var/lib/hyperv/.kvp_pool_0 2>/dev/null | grep -c hvtb_test_keyhvtb-test-value-42)"
	echo "kvpd=\$(pidof hv_kvp_daemon >/dev/null && echo running || echo none)"
	date -s @1000000000 >/dev/null
	# hv_kvp_daemon holds hv_utils' KVP device open: stop it for the reload.
	kill \$(pidof hv_kvp_daemon) 2>/dev/null
	i=0
	while pidof hv_kvp_daemon >/dev/null && [ \$i -lt 40 ]; do sleep 0.1; i=\$((i + 1)); done
	rmmod hv_utils && insmod /lib/modules/hv/hv_utils.ko || echo "reload=failed"
	i=0
	while [ ! -e /dev/vmbus/hv_kvp ] && [ \$i -lt 30 ]; do sleep 0.1; i=\$((i + 1)); done
	/usr/sbin/hv_kvp_daemon
	i=0
	while [ \$i -lt 80 ] && [ "\$(date +%s)" -lt 1600000000 ]; do sleep 0.25; i=\$((i + 1)); done
	echo "guestdate=\$(date +%s)"
	read -t 10 line; echo "got=\$line"
	exit 7
	EOF
	echo "hello-from-stdin" >"$T/pvh.in"
	boot pvh "$G/vmlinux" --kvp hvtb_test_key=hvtb-test-value-42
	echo "hostdate=$(date +%s)" >>"$T/pvh.out"
	[ "$rc" = 7 ]; ok $? pvh_boot_command_status "status $rc"
	[ "$(gv uname pvh)" = "$(cat "$G/kver")" ]; ok $? pvh_guest_uname
	[ "$(gv hyperv pvh)" -ge 1 ] 2>/dev/null; ok $? pvh_hyperv_detected
	[ "$(gv clocksource pvh)" = hyperv_clocksource_tsc_page ]; ok $? pvh_tsc_page_clocksource "$(gv clocksource pvh)"
	[ "$(gv clockevent pvh)" = "Hyper-V clockevent" ]; ok $? pvh_hyperv_clockevent "$(gv clockevent pvh)"
	[ "$(gv splats pvh)" = 0 ]; ok $? pvh_dmesg_clean "$(gv splats pvh) splat lines"
	[ "$(gv got pvh)" = hello-from-stdin ]; ok $? serial_input_read_by_guest
	# The UART's interrupt: ttyS0 on the worker's I/O APIC pin 4, edge
	# (Linux numbers the IRQ itself: 24 here, no legacy PIC).
	[ "$(gv ttypin pvh)" = "IO-APIC 4-edge" ]; ok $? pvh_ttys0_ioapic_pin_4_edge "'$(gv ttypin pvh)'"
	[ "$(gv ttyirq pvh)" -gt 0 ] 2>/dev/null; ok $? pvh_ttys0_interrupts "'$(gv ttyirq pvh)' in /proc/interrupts"
	uline=$(grep "hvtb-worker: UART:" "$T/pvh.err")
	echo "$uline" | grep -q "I/O APIC: [1-9][0-9]* delivered, 0 dropped, pin 4 unmasked"; ok $? pvh_worker_ioapic_delivered "${uline:-no UART line}"
	# VMBus: the guest's hv_vmbus (a Debian module, loaded by init.sh)
	# negotiates 5.3 with hvtb's host; the worker's --stats line agrees.
	[ "$(gv vmbus pvh)" = 5.3 ]; ok $? pvh_vmbus_version_5_3 "version '$(gv vmbus pvh)'"
	[ "$(gv sysvmbus pvh)" = yes ]; ok $? pvh_sys_bus_vmbus
	vline=$(grep "hvtb-worker: VMBus:" "$T/pvh.err")
	echo "$vline" | grep -q "VMBus: state connected, version 5.3,"; ok $? pvh_worker_vmbus_connected "${vline:-no VMBus line}"
	# The first integration component: the worker offers a heartbeat IC
	# channel, the guest's hv_utils binds to it and answers heartbeats.
	hbdev=$(sed -n "s/^vmbusdev=//p" "$T/pvh.out" | tr -d '\r' | grep -i "{57164f39-9115-4e78-ab55-382f3bd5422d}" | head -n 1)
	echo "$hbdev" | grep -q " hv_utils {"; ok $? pvh_heartbeat_bound_to_hv_utils "'${hbdev:-no heartbeat device}'"
	[ -n "$(gv hbver pvh)" ]; ok $? pvh_heartbeat_negotiated "version '$(gv hbver pvh)'"
	hline=$(grep "hvtb-worker: IC heartbeat:" "$T/pvh.err")
	echo "# ${hbdev:-no heartbeat device}"
	echo "# ${hline:-no IC heartbeat line}"
	hn=$(echo "$hline" | sed -n "s/.*, \([0-9]*\) answers, last seq \([0-9]*\),.*/\1 \2/p")
	[ "${hn%% *}" -gt 0 ] 2>/dev/null && [ "${hn##* }" -gt 1 ] 2>/dev/null; ok $? pvh_worker_heartbeat_answers "${hline:-no IC heartbeat line}"
	# Shutdown and time sync: bound to hv_utils and negotiated; after a
	# reload of hv_utils (its channels closed and opened again) the guest
	# clock, set 25 years back first, is the parent's again: the SYNC sample
	# of the new negotiation set it.
	for ic in 0e0b6031-5213-4934-818b-38d90ced39db:shutdown 9527e630-d0ae-497b-adce-e80ab0175caf:timesync; do
		dev=$(sed -n "s/^vmbusdev=//p" "$T/pvh.out" | tr -d '\r' | grep -i "{${ic%%:*}}" | head -n 1)
		echo "$dev" | grep -q " hv_utils {"; ok $? "pvh_${ic##*:}_bound_to_hv_utils" "'${dev:-no ${ic##*:} device}'"
	done
	[ -n "$(gv sdver pvh)" ]; ok $? pvh_shutdown_negotiated "version '$(gv sdver pvh)'"
	[ -n "$(gv tsver pvh)" ]; ok $? pvh_timesync_negotiated "version '$(gv tsver pvh)'"
	[ "$(gv ptp pvh)" = yes ]; ok $? pvh_timesync_ptp_clock_hyperv "'$(gv ptp pvh)'"
	gd=$(gv guestdate pvh) hd=$(gv hostdate pvh)
	[ -n "$gd" ] && [ -n "$hd" ] && [ $((gd - hd)) -gt -60 ] && [ $((gd - hd)) -lt 60 ] 2>/dev/null
	ok $? pvh_timesync_sets_guest_clock "guest $gd, host $hd (set to 1000000000 before)"
	tline=$(grep "hvtb-worker: IC timesync:" "$T/pvh.err")
	echo "# ${tline:-no IC timesync line}"
	echo "$tline" | grep -q ", synced, " && echo "$tline" | grep -q " 2 opens, 1 closes"
	ok $? pvh_worker_timesync_synced_after_reopen "${tline:-no IC timesync line}"
	# KVP: the guest's hv_kvp_daemon (Debian's hyperv-daemons) got the
	# worker's --kvp record into its EXTERNAL pool file, and the worker read
	# the guest's AUTO pool: its kernel release as OSBuildNumber.
	[ "$(gv kvpd pvh)" = running ]; ok $? pvh_kvp_daemon_running "'$(gv kvpd pvh)'"
	[ "$(gv kvpkey pvh)" = 1 ]; ok $? pvh_kvp_host_key_in_guest_pool "'$(gv kvpkey pvh)' records"
	kline=$(grep "hvtb-worker: IC kvp:" "$T/pvh.err")
	echo "# ${kline:-no IC kvp line}"
	grep "hvtb-worker: KVP guest " "$T/pvh.err" | sed 's/^/# /'
	echo "$kline" | grep -q ", [1-9][0-9]* SETs of 1 keys accepted"; ok $? pvh_worker_kvp_set_accepted "${kline:-no IC kvp line}"
	grep -q "^hvtb-worker: KVP guest OSBuildNumber=$(cat "$G/kver")\$" "$T/pvh.err"; ok $? pvh_worker_kvp_reads_guest_os_build
	clean; ok $? pvh_nothing_left
fi

if has smp; then
	# Two VPs: the guest starts its AP itself (INIT/SIPI to the in-kernel
	# APIC), both CPUs come online and both take timer interrupts.
	mkinitrd smp <<-EOF
	$guest_checks
	sleep 1
	echo "online=\$(cat /sys/devices/system/cpu/online)"
	echo "timers=\$(awk '/^ *(LOC|HVS):/ { t0 += \$2; t1 += \$3 } END { print (t0 > 0 && t1 > 0) ? "both" : t0 "/" t1 }' /proc/interrupts)"
	grep -E "^ *(LOC|HVS):" /proc/interrupts | sed "s/^/irq: /"
	exit 0
	EOF
	boot smp "$G/vmlinux" --vps 2
	[ "$rc" = 0 ]; ok $? smp_boot_status "status $rc"
	[ "$(gv nproc smp)" = 2 ]; ok $? smp_nproc_2 "nproc $(gv nproc smp)"
	[ "$(gv online smp)" = 0-1 ]; ok $? smp_cpus_online "$(gv online smp)"
	[ "$(gv timers smp)" = both ]; ok $? smp_both_cpus_take_timer_interrupts "$(gv timers smp)"
	[ "$(gv clocksource smp)" = hyperv_clocksource_tsc_page ]; ok $? smp_tsc_page_clocksource "$(gv clocksource smp)"
	[ "$(gv splats smp)" = 0 ]; ok $? smp_dmesg_clean "$(gv splats smp) splat lines"
	[ "$(gv ttyirq smp)" -gt 0 ] 2>/dev/null; ok $? smp_ttys0_interrupts "'$(gv ttyirq smp)' in /proc/interrupts"
	clean; ok $? smp_nothing_left
fi

if has bzimage; then
	# bzImage 64-bit boot protocol, no enlightenments, ACPI power-off.
	mkinitrd bz <<-EOF
	$guest_checks
	poweroff -f
	EOF
	boot bz "$G/vmlinuz" --no-enlightenments
	[ "$rc" = 80 ]; ok $? bzimage_noenl_poweroff_status "status $rc"
	[ "$(gv uname bz)" = "$(cat "$G/kver")" ]; ok $? bzimage_guest_uname
	[ "$(gv hyperv bz)" = 0 ]; ok $? noenl_no_hyperv
	grep -q "hvtb-worker: VMBus: off" "$T/bz.err"; ok $? noenl_no_vmbus
	case "$(gv clocksource bz)" in tsc|jiffies|refined-jiffies) r=$( [ "$(gv clocksource bz)" = tsc ]; echo $?) ;; *) r=1 ;; esac
	ok $r noenl_tsc_clocksource "$(gv clocksource bz)"
	[ "$(gv clockevent bz)" = lapic-deadline ]; ok $? noenl_lapic_clockevent "$(gv clockevent bz)"
	# The TSC frequency from CPUID leaf 0x15 alone (no PIT, no Hyper-V MSR),
	# within 100 ppm of the test VM's own.
	hmhz=$(dmesg | sed -n "s/.*tsc: Detected \([0-9.]*\) MHz.*/\1/p" | tail -n 1)
	awk -v g="$(gv tscmhz bz)" -v h="$hmhz" 'BEGIN { d = g - h; if (d < 0) d = -d; exit !(h > 0 && d / h < 0.0001) }'
	ok $? noenl_tsc_frequency_from_cpuid_15 "guest $(gv tscmhz bz) MHz, test VM $hmhz MHz"
	[ "$(gv splats bz)" = 0 ]; ok $? noenl_dmesg_clean "$(gv splats bz) splat lines"
	[ "$(gv ttyirq bz)" -gt 0 ] 2>/dev/null; ok $? noenl_ttys0_interrupts "'$(gv ttyirq bz)' in /proc/interrupts"
	clean; ok $? bzimage_nothing_left
fi

if has reboot; then
	mkinitrd rb <<-EOF
	reboot -f
	EOF
	boot rb "$G/vmlinux"
	[ "$rc" = 81 ]; ok $? reboot_acpi_reset_status "status $rc"
fi

if has triple; then
	mkinitrd tf <<-EOF
	reboot -f
	EOF
	APPEND="reboot=t"
	boot tf "$G/vmlinux"
	[ "$rc" = 82 ]; ok $? reboot_t_triple_fault_status "status $rc"
fi

if has panic; then
	mkinitrd pa <<-EOF
	echo c >/proc/sysrq-trigger
	EOF
	boot pa "$G/vmlinux"
	[ "$rc" = 83 ]; ok $? panic_status "status $rc"
	grep -q "crash P0-P4" "$T/pa.err"; ok $? panic_crash_parameters_reported
	clean; ok $? panic_nothing_left
fi

if has icd; then
	# --ic-daemon: heartbeat and KVP in hvtb-icd processes, each handed its
	# channel fd. kill -9 of the heartbeat daemon: the worker rescinds the
	# channel (the guest's hv_utils unbinds, the device goes), offers it
	# again once the guest released it and starts a new daemon (the guest
	# binds the hot-added channel, negotiates again, answers heartbeats).
	hbd=/sys/bus/vmbus/devices/68766274-6963-4862-8000-000000000001
	mkinitrd icd <<-EOF
	i=0
	while [ \$i -lt 300 ] && ! [ -e $hbd/driver ]; do sleep 0.1; i=\$((i + 1)); done
	echo "icd-ready \$(basename "\$(readlink $hbd/driver)")"
	# The rescind and the hot-added offer: hv_utils probes the device again
	# (a second "Heartbeat IC version" line), bound again.
	i=0
	while [ \$i -lt 600 ] && ! { [ -e $hbd/driver ] && [ "\$(dmesg | grep -c "Heartbeat IC version")" -ge 2 ]; }; do sleep 0.1; i=\$((i + 1)); done
	echo "rebound=\$(basename "\$(readlink $hbd/driver)" 2>/dev/null)"
	i=0
	while [ \$i -lt 100 ] && [ "\$(dmesg | grep -c "Heartbeat IC version")" -lt 2 ]; do sleep 0.1; i=\$((i + 1)); done
	echo "hbnego=\$(dmesg | grep -c "Heartbeat IC version")"
	i=0
	while [ \$i -lt 60 ] && ! tr -d '\\000' </var/lib/hyperv/.kvp_pool_0 2>/dev/null | grep -q icd-value-7; do sleep 0.25; i=\$((i + 1)); done
	echo "kvpkey=\$(tr -d '\\000' </var/lib/hyperv/.kvp_pool_0 2>/dev/null | grep -c icd_keyicd-value-7)"
	$guest_checks
	echo "icd-done"
	i=0
	while [ ! -e /tmp/never ] && [ \$i -lt 3000 ]; do sleep 0.1; i=\$((i + 1)); done
	EOF
	"$W" --stats --timeout "$BOOT_TIMEOUT" --console "$T/icd.out" -i "$T/icd.cpio" \
		--ic-daemon heartbeat --ic-daemon kvp --kvp icd_key=icd-value-7 \
		-a "$APPEND_BASE hvtb_cmd=\"sh /cmd.sh\"" "$G/vmlinux" </dev/null 2>"$T/icd.err" &
	pid=$!
	i=0
	while [ $i -lt 1500 ] && ! grep -q "^icd-ready" "$T/icd.out" 2>/dev/null && kill -0 $pid 2>/dev/null; do
		sleep 0.2
		i=$((i + 1))
	done
	echo "# $(grep "^icd-ready" "$T/icd.out" | tr -d '\r')"
	hb1=$(sed -n "s/^hvtb-icd: pid \([0-9]*\) serving IC heartbeat.*/\1/p" "$T/icd.err" | head -n 1)
	kv1=$(sed -n "s/^hvtb-icd: pid \([0-9]*\) serving IC kvp.*/\1/p" "$T/icd.err" | head -n 1)
	# Only the channel fd: the daemon holds no /dev/hvtb, no partition fd.
	nhvtb=$(ls -l /proc/$hb1/fd 2>/dev/null | grep -c "/dev/hvtb\|hvtb-partition\|hvtb-vp\|hvtb-hv-port")
	nchan=$(ls -l /proc/$hb1/fd 2>/dev/null | grep -c "hvtb-vmbus-channel")
	[ -n "$hb1" ] && kill -9 "$hb1"
	i=0
	while [ $i -lt 1500 ] && ! grep -q "^icd-done" "$T/icd.out" 2>/dev/null && kill -0 $pid 2>/dev/null; do
		sleep 0.2
		i=$((i + 1))
	done
	hvtbctl devices $pid >"$T/icd.ctl" 2>&1
	crc=$?
	hb2=$(sed -n "s/^hvtb-icd: pid \([0-9]*\) serving IC heartbeat.*/\1/p" "$T/icd.err" | sed -n 2p)
	hvtbctl shutdown $pid >/dev/null 2>&1
	wait $pid
	rc=$?
	echo "# icd: worker status $rc"
	sed 's/^/# console| /' "$T/icd.out" | grep -v "^# console| \[" | grep -E "icd|rebound|hbnego|kvpkey|vmbus|splat"
	grep -E "IC |hvtb-icd" "$T/icd.err" | sed 's/^/# /'
	sed 's/^/# ctl| /' "$T/icd.ctl" | grep "IC "
	[ -n "$hb1" ] && [ -n "$kv1" ]; ok $? icd_daemons_started "heartbeat '$hb1', kvp '$kv1'"
	[ "$nhvtb" = 0 ] && [ "$nchan" = 1 ]; ok $? icd_daemon_holds_only_its_channel_fd "$nchan channel fds, $nhvtb hvtb fds"
	grep "^icd-ready" "$T/icd.out" | grep -q "hv_utils"; ok $? icd_heartbeat_bound_to_hv_utils
	grep -q "IC heartbeat: daemon killed by signal 9 (Killed); channel relid [0-9]* rescinded, restarting once the guest released it" "$T/icd.err"
	ok $? icd_kill9_rescinds
	# The guest released the rescinded channel (else no re-offer) and took
	# the hot-added one: five offers (four ICs and the new one), one rescind.
	vline=$(grep "hvtb-worker: VMBus:" "$T/icd.err")
	echo "$vline" | grep -q "channels: 5 offers, 1 rescinds,"; ok $? icd_rescind_and_reoffer_counted "${vline##*; }"
	grep -q "IC heartbeat: daemon restarted, pid $hb2" "$T/icd.err" && [ -n "$hb2" ] && [ "$hb2" != "$hb1" ]
	ok $? icd_daemon_restarted "pid '$hb2' after '$hb1'"
	[ "$(gv rebound icd)" = hv_utils ]; ok $? icd_hot_added_channel_bound "'$(gv rebound icd)'"
	[ "$(gv hbnego icd)" -ge 2 ] 2>/dev/null; ok $? icd_heartbeat_negotiated_again "$(gv hbnego icd) negotiations"
	[ "$(gv kvpkey icd)" = 1 ]; ok $? icd_kvp_daemon_set_the_key "'$(gv kvpkey icd)' records"
	[ "$crc" = 0 ] && grep -q "IC heartbeat: daemon running, pid $hb2, 2 starts, 1 restarts, last end: killed by signal 9 (Killed); channel relid [0-9]* open" "$T/icd.ctl"
	ok $? icd_hvtbctl_devices_shows_the_daemon "status $crc"
	grep -q "^hvtb-icd: IC heartbeat: negotiated .* [1-9][0-9]* answers" "$T/icd.err"; ok $? icd_daemon_answers_counted
	[ "$rc" = 80 ]; ok $? icd_shutdown_status "status $rc"
	[ -z "$(pidof hvtb-icd)" ]; ok $? icd_no_daemon_left "$(pidof hvtb-icd)"
	clean; ok $? icd_nothing_left
	# kill -9 of the worker with its daemons running: they follow it
	# (PR_SET_PDEATHSIG), their channel fds go, so does the partition.
	: >"$T/icd9.err"	# there before the loop below looks (the job opens it later)
	"$W" --console none --ic-daemon heartbeat --ic-daemon timesync -i "$T/icd.cpio" "$G/vmlinux" \
		</dev/null 2>>"$T/icd9.err" &
	pid=$!
	i=0
	while [ $i -lt 300 ] && [ "$(grep -c "^hvtb-icd: pid" "$T/icd9.err")" -lt 2 ] && kill -0 $pid 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	nd=$(grep -c "^hvtb-icd: pid" "$T/icd9.err")
	sed 's/^/# icd9| /' "$T/icd9.err" | head -n 8
	kill -9 $pid
	wait $pid 2>/dev/null
	i=0
	while [ $i -lt 50 ] && [ -n "$(pidof hvtb-icd)" ]; do sleep 0.1; i=$((i + 1)); done
	[ "$nd" = 2 ] && [ -z "$(pidof hvtb-icd)" ]; ok $? icd_kill9_worker_daemons_follow "$nd daemons, left: '$(pidof hvtb-icd)'"
	clean; ok $? icd_kill9_worker_nothing_left "refcnt $(refcnt)/$REF0, MemAvailable $(avail_mb)/$AVAIL0 MiB"
fi

if has signals; then
	# SIGTERM once the guest's hv_utils negotiated the shutdown IC: the
	# worker asks it to power off, the kernel runs /sbin/poweroff, the VM
	# ends powered off (80).
	mkinitrd sg <<-EOF
	i=0
	while [ \$i -lt 300 ] && ! dmesg | grep -q "Shutdown IC version"; do sleep 0.1; i=\$((i + 1)); done
	echo "sg-ready \$(dmesg | grep -c "Shutdown IC version")"
	sleep 100000
	EOF
	"$W" --stats --timeout "$BOOT_TIMEOUT" --console "$T/sg.out" -i "$T/sg.cpio" \
		-a "$APPEND_BASE hvtb_cmd=\"sh /cmd.sh\"" "$G/vmlinux" </dev/null 2>"$T/sg.err" &
	pid=$!
	i=0
	while [ $i -lt 1200 ] && ! grep -q "^sg-ready" "$T/sg.out" 2>/dev/null && kill -0 $pid 2>/dev/null; do
		sleep 0.2
		i=$((i + 1))
	done
	echo "# $(grep "^sg-ready" "$T/sg.out" | tr -d '\r')"
	kill -TERM $pid
	wait $pid
	rc=$?
	sed 's/^/# worker| /' "$T/sg.err" | grep -E "SIGTERM|Terminated|shut|IC shutdown|exit status"
	[ "$rc" = 80 ]; ok $? sigterm_shutdown_ic_poweroff_status "status $rc"
	grep -q "asking the guest to shut down (shutdown IC)" "$T/sg.err"; ok $? sigterm_asks_guest_through_shutdown_ic
	grep -q "hvtb-guest: poweroff (orderly)" "$T/sg.out"; ok $? sigterm_guest_runs_orderly_poweroff
	grep -q "IC shutdown: negotiated .*, shutdown accepted," "$T/sg.err"; ok $? sigterm_shutdown_request_accepted \
		"$(grep "IC shutdown:" "$T/sg.err" | cut -c1-160)"
	clean; ok $? sigterm_nothing_left
	# SIGTERM before the guest could negotiate (and with --shutdown-grace
	# 0 whatever it did): stopped at once, status 143.
	"$W" --shutdown-grace 0 --console none -i "$T/sg.cpio" "$G/vmlinux" </dev/null 2>"$T/sg0.err" &
	pid=$!
	sleep 0.5
	kill -TERM $pid
	wait $pid
	rc=$?
	[ "$rc" = 143 ]; ok $? sigterm_grace_0_stops_at_once "status $rc"
	clean; ok $? sigterm_grace_0_nothing_left
	# kill -9 in the middle of the boot: the fds go, so does everything else.
	"$W" --console none -i "$T/sg.cpio" "$G/vmlinux" </dev/null 2>/dev/null &
	pid=$!
	sleep 0.3
	kill -9 $pid
	wait $pid 2>/dev/null
	clean; ok $? kill9_nothing_left "refcnt $(refcnt)/$REF0, MemAvailable $(avail_mb)/$AVAIL0 MiB"
fi

if has storage; then
	# The worker's synthetic SCSI controller (--disk) under the guest's own
	# hv_storvsc and sd: LUN 0 a blank 32 MiB image the guest makes an ext2
	# file system on, LUN 1 a read-only 1 MiB image of known bytes, LUN 2 a
	# raw 4 MiB scratch disk. A second boot mounts LUN 0 and reads the file
	# back, writes 1 MiB to LUN 2 with fsync and waits: kill -9 of the
	# worker then, and the bytes are in the image.
	rm -f "$T/sd0.img" "$T/sd2.img"
	dd if=/dev/zero of="$T/sd0.img" bs=1M count=0 seek=32 2>/dev/null
	dd if=/dev/zero of="$T/sd2.img" bs=1M count=0 seek=4 2>/dev/null
	dd if=/dev/urandom of="$T/sd1.img" bs=1k count=1024 2>/dev/null
	romd5=$(md5sum <"$T/sd1.img" | cut -d' ' -f1)
	disks="--disk $T/sd0.img --disk $T/sd1.img,ro --disk $T/sd2.img"
	waitdisks='i=0; while [ ! -b /dev/sdc ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done'
	mkinitrd st1 <<-EOF
	$waitdisks
	echo "sizes=\$(cat /sys/block/sda/size /sys/block/sdb/size /sys/block/sdc/size 2>/dev/null | tr '\n' ' ')"
	echo "sdb_ro=\$(cat /sys/block/sdb/ro 2>/dev/null)"
	echo "romd5=\$(md5sum </dev/sdb | cut -d' ' -f1)"
	blockdev --setrw /dev/sdb
	dd if=/dev/zero of=/dev/sdb bs=4k count=1 oflag=direct 2>/dev/null; echo "rowrite=\$?"
	mke2fs -q /dev/sda >/dev/null 2>&1; echo "mkfs=\$?"
	mkdir -p /mnt; mount -t ext2 /dev/sda /mnt; echo "mount=\$?"
	dd if=/dev/urandom of=/mnt/data bs=1k count=2048 2>/dev/null
	echo "datamd5=\$(md5sum </mnt/data | cut -d' ' -f1)"
	sync; umount /mnt; echo "umount=\$?"
	dmesg | grep -E " sd[a-c]|storvsc|scsi host|Write Protect|Write cache|EXT4|ext4|crc32c" | head -n 24 | sed "s/^/scsi: /"
	EOF
	boot st1 "$G/vmlinux" $disks
	[ "$rc" = 0 ]; ok $? storage_boot "status $rc"
	[ "$(gv sizes st1)" = "65536 2048 8192 " ]; ok $? storage_three_luns_sized "'$(gv sizes st1)'"
	[ "$(gv sdb_ro st1)" = 1 ]; ok $? storage_ro_lun_write_protected "ro=$(gv sdb_ro st1)"
	[ "$(gv romd5 st1)" = "$romd5" ]; ok $? storage_ro_lun_contents "$(gv romd5 st1) vs $romd5"
	# sd saw WP in MODE SENSE: the guest's block layer refuses the write.
	[ "$(gv rowrite st1)" != 0 ] && [ "$(md5sum <"$T/sd1.img" | cut -d' ' -f1)" = "$romd5" ]
	ok $? storage_ro_lun_write_refused "dd status $(gv rowrite st1)"
	[ "$(gv mkfs st1)" = 0 ] && [ "$(gv mount st1)" = 0 ] && [ "$(gv umount st1)" = 0 ]
	ok $? storage_mkfs_mount_umount "mkfs $(gv mkfs st1) mount $(gv mount st1) umount $(gv umount st1)"
	grep -E "storage:|disk [0-9]" "$T/st1.err" | sed 's/^/# /'
	grep -q "disk 0 .*[1-9][0-9]* writes .*[1-9][0-9]* flushes" "$T/st1.err"
	ok $? storage_writes_and_flushes_reached_the_image
	# A well-behaved guest: every packet well-formed, every page in its memory.
	grep -q "bad: 0 packets, 0 page lists outside guest memory, 0 too long, 0 dropped, 0 corrupt" "$T/st1.err"
	ok $? storage_no_bad_packets
	clean; ok $? storage_nothing_left

	mkinitrd st2 <<-EOF
	$waitdisks
	mkdir -p /mnt; mount -t ext2 -o ro /dev/sda /mnt; echo "mount=\$?"
	echo "datamd5=\$(md5sum </mnt/data | cut -d' ' -f1)"
	umount /mnt
	dd if=/dev/urandom of=/tmp/raw bs=1k count=1024 2>/dev/null
	echo "rawmd5=\$(md5sum </tmp/raw | cut -d' ' -f1)"
	dd if=/tmp/raw of=/dev/sdc bs=64k conv=fsync 2>/dev/null; echo "rawdd=\$?"
	echo "st2-synced"
	sleep 100000
	EOF
	"$W" --stats --timeout "$BOOT_TIMEOUT" --console "$T/st2.out" -i "$T/st2.cpio" \
		-a "$APPEND_BASE hvtb_cmd=\"sh /cmd.sh\"" $disks "$G/vmlinux" </dev/null 2>"$T/st2.err" &
	pid=$!
	i=0
	while [ $i -lt 1200 ] && ! grep -q "^st2-synced" "$T/st2.out" 2>/dev/null && kill -0 $pid 2>/dev/null; do
		sleep 0.2
		i=$((i + 1))
	done
	# The running worker's devices through its control socket.
	hvtbctl devices $pid >"$T/st2.ctl" 2>&1
	crc=$?
	hvtbctl workers >"$T/st2.workers" 2>&1
	sed 's/^/# hvtbctl| /' "$T/st2.ctl" | grep -E "storage|disk"
	kill -9 $pid
	wait $pid 2>/dev/null
	sed 's/^/# console| /' "$T/st2.out" | tail -n 8
	[ "$crc" = 0 ] && grep -q "storage: protocol 6.2, ready" "$T/st2.ctl" &&
		grep -q "disk 2 (.*sd2.img, 8192 blocks): [0-9]* reads .* [1-9][0-9]* writes" "$T/st2.ctl"
	ok $? storage_hvtbctl_devices_of_a_running_worker "status $crc"
	grep -q "pid $pid, kernel .*vmlinux (PVH)" "$T/st2.workers"; ok $? storage_hvtbctl_workers_lists_it
	[ "$(gv mount st2)" = 0 ] && [ -n "$(gv datamd5 st2)" ] && [ "$(gv datamd5 st2)" = "$(gv datamd5 st1)" ]
	ok $? storage_second_boot_reads_the_file "$(gv datamd5 st2) vs $(gv datamd5 st1)"
	rawmd5=$(head -c 1048576 "$T/sd2.img" | md5sum | cut -d' ' -f1)
	[ "$(gv rawdd st2)" = 0 ] && [ -n "$rawmd5" ] && [ "$rawmd5" = "$(gv rawmd5 st2)" ]
	ok $? storage_fsynced_data_survives_kill9 "image $rawmd5, guest $(gv rawmd5 st2)"
	clean; ok $? storage_kill9_nothing_left
	rm -f "$T/sd0.img" "$T/sd1.img" "$T/sd2.img"
fi

if has network; then
	# The worker's network adapter (--net) under the guest's own hv_netvsc:
	# eth0 (10.77.0.2) and the parent's TAP hvtbn0 (10.77.0.1). 100 pings both
	# ways, then TCP both ways with busybox httpd and wget: 2 MiB from the
	# parent to the guest and 2 MiB back, checksums compared.
	if [ ! -e /dev/net/tun ]; then
		skip network "no /dev/net/tun in this test VM (tun.ko)"
	else
	mkdir -p "$T/www"
	dd if=/dev/urandom of="$T/www/h2g" bs=1k count=2048 2>/dev/null
	h2g=$(md5sum <"$T/www/h2g" | cut -d' ' -f1)
	mkinitrd nt <<-EOF
	i=0
	while [ ! -e /sys/class/net/eth0 ] && [ \$i -lt 300 ]; do sleep 0.1; i=\$((i + 1)); done
	echo "mac=\$(cat /sys/class/net/eth0/address 2>/dev/null)"
	ip link set lo up
	ip addr add 10.77.0.2/24 dev eth0
	ip link set eth0 up
	i=0
	while [ "\$(cat /sys/class/net/eth0/carrier 2>/dev/null)" != 1 ] && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i + 1)); done
	echo "carrier=\$(cat /sys/class/net/eth0/carrier 2>/dev/null)"
	ping -c 100 -i 0.1 -W 5 10.77.0.1 >/tmp/ping 2>&1
	echo "g2h_loss=\$(sed -n 's/.* \([0-9]*\)% packet loss.*/\1/p' /tmp/ping)"
	mkdir -p /www
	dd if=/dev/urandom of=/www/g2h bs=1k count=2048 2>/dev/null
	echo "g2h_md5=\$(md5sum </www/g2h | cut -d' ' -f1)"
	httpd -p 8080 -h /www
	wget -q -O /tmp/h2g http://10.77.0.1:8080/h2g; echo "wget=\$?"
	echo "h2g_md5=\$(md5sum </tmp/h2g | cut -d' ' -f1)"
	echo "nt-ready"
	# A KVP SET the parent asks for while the guest runs (hvtbctl kvp).
	i=0
	while [ \$i -lt 1200 ] && ! tr -d '\\000' </var/lib/hyperv/.kvp_pool_0 2>/dev/null | grep -q hvtb-rt-value-9; do sleep 0.1; i=\$((i + 1)); done
	echo "rtkvp=\$(tr -d '\\000' </var/lib/hyperv/.kvp_pool_0 2>/dev/null | grep -c rt_keyhvtb-rt-value-9)"
	i=0
	while [ ! -e /tmp/never ] && [ \$i -lt 3000 ]; do sleep 0.1; i=\$((i + 1)); done
	EOF
	"$W" --stats --timeout "$BOOT_TIMEOUT" --console "$T/nt.out" -i "$T/nt.cpio" --net hvtbn0 \
		-a "$APPEND_BASE hvtb_cmd=\"sh /cmd.sh\"" "$G/vmlinux" </dev/null 2>"$T/nt.err" &
	pid=$!
	i=0
	while [ ! -e /sys/class/net/hvtbn0 ] && [ $i -lt 100 ] && kill -0 $pid 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
	ip addr add 10.77.0.1/24 dev hvtbn0
	busybox httpd -f -p 8080 -h "$T/www" &
	hpid=$!
	i=0
	while [ $i -lt 3000 ] && ! grep -q "^nt-ready" "$T/nt.out" 2>/dev/null && kill -0 $pid 2>/dev/null; do
		sleep 0.2
		i=$((i + 1))
	done
	ping -c 100 -i 0.1 -W 5 10.77.0.2 >"$T/ping" 2>&1
	h2g_loss=$(sed -n 's/.* \([0-9]*\)% packet loss.*/\1/p' "$T/ping")
	wget -q -O "$T/g2h" http://10.77.0.2:8080/g2h
	wrc=$?
	hvtbctl kvp $pid rt_key=hvtb-rt-value-9 >"$T/nt.kvp" 2>&1
	krc=$?
	i=0
	while [ $i -lt 600 ] && ! grep -q "^rtkvp=" "$T/nt.out" 2>/dev/null && kill -0 $pid 2>/dev/null; do
		sleep 0.2
		i=$((i + 1))
	done
	hvtbctl devices $pid >"$T/nt.ctl" 2>&1
	crc=$?
	# Bad lines on the control socket: each refused with "error: ...", and
	# 20 clients that hang up before their answer: the worker serves on.
	hvtbctl control $pid bogus >"$T/c1" 2>&1
	c1=$(cat "$T/c1")
	hvtbctl control $pid "$(printf 'x%.0s' $(seq 1 200))" >"$T/c2" 2>&1
	c2=$(cat "$T/c2")
	hvtbctl control --raw $pid "" >"$T/c3" 2>&1
	c3=$(cat "$T/c3")
	hvtbctl control $pid "$(printf 'dev\001\377ices')" >"$T/c4" 2>&1
	c4=$(cat "$T/c4")
	for k in $(seq 1 20); do hvtbctl control --hangup $pid devices 2>/dev/null; done
	hvtbctl control $pid info >"$T/c5" 2>&1
	c5=$(cat "$T/c5")
	echo "# control: $c1 / $c2 / $c3 / $c5"
	# The end through the control socket: the shutdown IC powers the guest off (80).
	hvtbctl shutdown $pid >"$T/nt.sd" 2>&1
	src=$?
	wait $pid
	rc=$?
	kill $hpid 2>/dev/null
	wait $hpid 2>/dev/null
	echo "# network: worker status $rc"
	sed 's/^/# console| /' "$T/nt.out" | grep -v "^# console| \[" | tail -n 14
	grep -E "network|VMBus" "$T/nt.err" | sed 's/^/# /'
	[ "$(gv mac nt)" = "00:15:5d:68:76:01" ]; ok $? network_eth0_with_the_mac "'$(gv mac nt)'"
	[ "$(gv carrier nt)" = 1 ]; ok $? network_eth0_carrier_up
	[ "$(gv g2h_loss nt)" = 0 ]; ok $? network_ping_guest_to_parent_no_loss "$(gv g2h_loss nt)% lost"
	[ "$h2g_loss" = 0 ]; ok $? network_ping_parent_to_guest_no_loss "${h2g_loss:-?}% lost"
	[ "$(gv wget nt)" = 0 ] && [ "$(gv h2g_md5 nt)" = "$h2g" ]
	ok $? network_tcp_parent_to_guest_2mib "wget $(gv wget nt), $(gv h2g_md5 nt) vs $h2g"
	[ "$wrc" = 0 ] && [ "$(md5sum <"$T/g2h" | cut -d' ' -f1)" = "$(gv g2h_md5 nt)" ]
	ok $? network_tcp_guest_to_parent_2mib "wget $wrc"
	grep -q "bad: 0 NVSP, 0 RNDIS/pages, 0 stray completions, 0 buffer maps failed, 0 corrupt" "$T/nt.err"
	ok $? network_no_bad_messages
	[ "$crc" = 0 ] && grep -q "network hvtbn0 .*tap->guest [1-9][0-9]* frames" "$T/nt.ctl"
	ok $? network_hvtbctl_devices_of_a_running_worker "status $crc"
	[ "$krc" = 0 ] && grep -q "kvp: rt_key=hvtb-rt-value-9 queued" "$T/nt.kvp" && [ "$(gv rtkvp nt)" = 1 ]
	ok $? hvtbctl_kvp_reaches_the_running_guest "hvtbctl $krc '$(cat "$T/nt.kvp")', guest '$(gv rtkvp nt)'"
	echo "$c1" | grep -q "^error: unknown command 'bogus'"; ok $? control_unknown_command_refused "'$c1'"
	echo "$c2" | grep -q "^error: one command line of at most 63 bytes" && ! echo "$c2" | grep -q "reset"
	ok $? control_overlong_line_refused "'$c2'"
	echo "$c3" | grep -q "^error: one command line of at most 63 bytes, within 1000 ms"; ok $? control_silent_client_refused "'$c3'"
	echo "$c4" | grep -q "^error: unknown command"; ok $? control_binary_line_refused "'$c4'"
	echo "$c5" | grep -q "^hvtb-worker: pid $pid, kernel "; ok $? control_serves_after_hangups "'$c5'"
	grep -q "control .*: 28 clients, 4 refused" "$T/nt.err"; ok $? control_counts_clients_and_refusals \
		"$(grep "hvtb-worker: control" "$T/nt.err")"
	[ "$src" = 0 ] && [ "$rc" = 80 ] && grep -q "orderly" "$T/nt.out"
	ok $? network_hvtbctl_shutdown_powers_the_guest_off "hvtbctl $src, worker $rc"
	clean; ok $? network_nothing_left
	rm -rf "$T/www" "$T/g2h"
	fi
fi

if has bad; then
	# Bad inputs: the documented status, the message, nothing left behind.
	bad() {	# name status pattern args...
		bname=$1 want=$2 pat=$3
		shift 3
		"$W" "$@" </dev/null >/dev/null 2>"$T/bad.err"
		brc=$?
		sed 's/^/# /' "$T/bad.err"
		[ "$brc" = "$want" ] && grep -q -- "$pat" "$T/bad.err" && clean
		ok $? "$bname" "status $brc"
	}
	head -c 300000 "$G/vmlinuz" >"$T/trunc.bz"
	head -c 3000000 "$G/vmlinux" >"$T/trunc.elf"
	dd if=/dev/zero of="$T/big.img" bs=1M count=40 2>/dev/null
	printf '[vm]\nkernel=%s\nbogus=1\n' "$G/vmlinux" >"$T/bad.ini"
	printf '[vm]\nmemory=lots\n' >"$T/badval.ini"
	printf '[vm]\nkernel=%s\nmemory=128\nvps=1\n' "$G/vmlinux" >"$T/good.ini"
	bad truncated_bzimage 65 "truncated bzImage" "$T/trunc.bz"
	bad truncated_vmlinux 65 "truncated ELF" "$T/trunc.elf"
	bad non_kernel_elf 65 "without a PVH entry note" /bin/busybox
	bad not_a_kernel 65 "neither a bzImage nor an ELF" /etc/passwd
	bad missing_kernel 66 "No such file" /nonexistent
	bad initrd_too_large 65 "do not fit in guest memory" -m 100 -i "$T/big.img" "$G/vmlinuz"
	bad kernel_too_large_for_mem 65 "use --mem" -m 64 "$G/vmlinuz"
	bad bad_config_key 64 "unknown key 'bogus'" --config "$T/bad.ini"
	bad bad_config_value 64 "not a number" --config "$T/badval.ini"
	bad missing_config 66 "config /nonexistent.ini" --config /nonexistent.ini
	bad bad_option 64 "usage" --bogus "$G/vmlinux"
	bad bad_mem 64 "not a number in" -m 5 "$G/vmlinux"
	bad too_many_vps 64 "vps" -p 99 "$G/vmlinux"
	bad bad_vmbus_value 64 "is not yes or no" --vmbus maybe "$G/vmlinux"
	bad vmbus_needs_enlightenments 64 "vmbus needs the enlightenments" -n --vmbus yes "$G/vmlinux"
	bad no_kernel 64 "no kernel" -m 128
	bad cmdline_too_long 64 "cmdline" -a "$(head -c 3000 /dev/zero | tr '\0' x)" "$G/vmlinux"
	bad kvp_not_key_value 64 "is not KEY=VALUE" --kvp novalue "$G/vmlinux"
	bad kvp_empty_key 64 "is not KEY=VALUE" --kvp =v "$G/vmlinux"
	bad kvp_key_too_long 64 "key or value too long" --kvp "$(head -c 600 /dev/zero | tr '\0' k)=v" "$G/vmlinux"
	bad kvp_too_many 64 "more than 8 KVP pairs" $(for i in 1 2 3 4 5 6 7 8 9; do echo "--kvp k$i=v"; done) "$G/vmlinux"
	bad watchdog_four_decimals 64 "up to 3 decimals" --watchdog 0.1234 "$G/vmlinux"
	bad timeout_negative 64 "up to 3 decimals" --timeout -1 "$G/vmlinux"
	bad shutdown_grace_not_a_number 64 "not a number in" --shutdown-grace soon "$G/vmlinux"
	head -c 1000 /dev/zero >"$T/odd.img"
	head -c 4096 /dev/zero >"$T/ok.img"
	bad disk_missing 66 "No such file" --disk /nonexistent.img "$G/vmlinux"
	bad disk_not_whole_blocks 65 "not a positive multiple of 512" --disk "$T/odd.img" "$G/vmlinux"
	bad disk_not_a_file 65 "not a regular file or block device" --disk /dev/null "$G/vmlinux"
	bad disk_bad_syntax 64 "is not PATH or PATH,ro" --disk "$T/ok.img,rw" "$G/vmlinux"
	bad disk_too_many 64 "more than 8 disks" $(for i in 1 2 3 4 5 6 7 8 9; do echo "--disk $T/ok.img"; done) "$G/vmlinux"
	bad disk_needs_vmbus 64 "--disk needs VMBus" --vmbus no --disk "$T/ok.img" "$G/vmlinux"
	bad net_multicast_mac 64 "is a multicast address" --net hvtbx0,mac=01:00:5e:00:00:01 "$G/vmlinux"
	bad net_bad_mac 64 "is not TAP or TAP,mac=" --net hvtbx0,mac=00:15:5d "$G/vmlinux"
	bad net_name_too_long 64 "1 to 15 characters" --net abcdefghijklmnop "$G/vmlinux"
	bad net_needs_vmbus 64 "--net needs VMBus" --vmbus no --net hvtbx0 "$G/vmlinux"
	rm -f "$T/odd.img" "$T/ok.img"
	"$W" --help | grep -q "^  82 *triple fault"; ok $? help_documents_exit_codes
	rm -f "$T/big.img" "$T/trunc.bz" "$T/trunc.elf"
fi

if has watchdog; then
	# A VP spinning with interrupts off: --watchdog 0.2 ends the run with
	# 85 (bounded by --timeout 60). Spinning is what costs under Bochs (a
	# second of test-VM time is 3.5e9 emulated instructions), so the
	# windows here are fractions of a second.
	t0=$(date +%s)
	"$W" --watchdog 0.2 --timeout 60 --console none "$SPIN" </dev/null 2>"$T/wd.err"
	rc=$?
	sed 's/^/# /' "$T/wd.err"
	[ "$rc" = 85 ]; ok $? watchdog_stuck_vp_status "status $rc after $(( $(date +%s) - t0 )) s"
	grep -q "VP 0 made no progress: 0.200 s in the guest" "$T/wd.err"; ok $? watchdog_message
	clean; ok $? watchdog_nothing_left
	# Without --watchdog the same guest runs on until --timeout (124).
	"$W" --timeout 0.3 --stats --console none "$SPIN" </dev/null 2>"$T/wd0.err"
	rc=$?
	grep -E "still running|PREEMPTION|EXTERNAL" "$T/wd0.err" | sed 's/^/# /'
	[ "$rc" = 124 ] && ! grep -q "made no progress" "$T/wd0.err"; ok $? watchdog_off_by_default "status $rc"
	clean; ok $? watchdog_off_nothing_left
	"$W" --watchdog soon "$SPIN" </dev/null 2>"$T/wd1.err"
	rc=$?
	[ "$rc" = 64 ] && grep -q "watchdog" "$T/wd1.err"; ok $? watchdog_bad_value "status $rc"
fi

echo "1..$n"
[ "$fails" = 0 ]
