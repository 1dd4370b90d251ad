#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# testvm/run.sh "CMD" - boot the hvtb test VM, run CMD inside, exit with its status.
#
# Environment:
#   KERNEL=dev|debian          dev: our debug kernel (testvm/kernel.sh), debian: the stock one
#   CPUS=N                     virtual CPUs (default 1)
#   EMU=bochs|qemu-tcg|qemu-kvm  emulator (default bochs: the only one with VMX here)
#   HVTB_LOAD=1|0              insmod hvtb.ko before CMD (default 1)
#   HVTB_INSMOD_ARGS="..."     module parameters for that insmod
#   TIMEOUT=seconds            bound for the whole guest run (default per EMU/KERNEL/CPUS)
#   HVTB_NO_BUILD=1            do not run make (use what is in build/ already;
#                              refused when the module is older than kmod/)
#   HVTB_KO_FILE=path          put this .ko into the guest as hvtb.ko instead of
#                              building the module (a prebuilt or stand-in module)
#   HVTB_KEEP=1                keep the ISO/initramfs of the run
#   HVTB_BOCHS_DEBUG=1         Bochs reads debugger commands from the FIFO
#                              $RUNDIR/debug.in: on a hang, `kill -INT` bochs-bin,
#                              then e.g. `echo r >$RUNDIR/debug.in` (output in
#                              $RUNDIR/bochs.out; `vmexitbp` breaks at VM exits)
#   HVTB_MEGS=N                guest memory in MB (default 512, 1024 with HVTB_GUEST=1)
#   HVTB_GUEST=1               carry the hvtb-worker test guest (Debian's vmlinuz,
#                              its vmlinux, a busybox initrd: testvm/guest/build.sh)
#                              in /usr/share/hvtb/guest/
#   HVTB_APPEND="..."          extra kernel command line arguments
#   HVTB_ACPI=1|0              boot with ACPI (default 1, but 0 for the dev kernel
#                              under Bochs, where ACPI costs ~20 s of boot)
#
# Exit status: CMD's status; 3 if the kernel log shows a splat (WARNING, BUG,
# KASAN, lockdep, hung task, ...) whatever CMD returned; 124 if the guest did
# not finish (timeout, hang, panic); 2 for setup errors.
# The serial log is streamed to stdout while the guest runs and kept in
# build/vm/<KERNEL>-<EMU>-<CPUS>-<pid>/serial.log (last one also in
# build/vm-<KERNEL>/serial.log).

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TESTVM=$TOP/testvm
BUILD=${BUILD:-$TOP/build}

KERNEL=${KERNEL:-dev}
CPUS=${CPUS:-1}
EMU=${EMU:-bochs}
HVTB_LOAD=${HVTB_LOAD:-1}
HVTB_INSMOD_ARGS=${HVTB_INSMOD_ARGS:-}
HVTB_GUEST=${HVTB_GUEST:-0}
if [ "$HVTB_GUEST" = 1 ]; then HVTB_MEGS=${HVTB_MEGS:-1024}; else HVTB_MEGS=${HVTB_MEGS:-512}; fi
CMD=${1-}

T0=$SECONDS

say() { echo "hvtb-vm: $*"; }
die() { echo "hvtb-vm: error: $*" >&2; exit 2; }

[ $# -eq 1 ] && [ -n "$CMD" ] || die "usage: [KERNEL=dev|debian] [CPUS=N] [EMU=bochs|qemu-tcg|qemu-kvm] $0 \"CMD\""
case "$KERNEL" in dev|debian) ;; *) die "KERNEL=$KERNEL: use dev or debian" ;; esac
case "$CPUS" in [1-8]) ;; *) die "CPUS=$CPUS: use 1..8" ;; esac
case "$HVTB_LOAD" in 0|1) ;; *) die "HVTB_LOAD=$HVTB_LOAD: use 0 or 1" ;; esac
case "$HVTB_GUEST" in 0|1) ;; *) die "HVTB_GUEST=$HVTB_GUEST: use 0 or 1" ;; esac
case "${HVTB_ACPI:-}" in ""|0|1) ;; *) die "HVTB_ACPI=$HVTB_ACPI: use 0 or 1" ;; esac
case "$HVTB_MEGS" in [1-9][0-9][0-9]|[1-9][0-9][0-9][0-9]) ;; *) die "HVTB_MEGS=$HVTB_MEGS: use 100..9999" ;; esac
case "$EMU" in
bochs)
	command -v bochs-bin >/dev/null || die "bochs-bin not found: run scripts/deps.sh"
	[ -r /usr/lib/ISOLINUX/isolinux.bin ] || die "isolinux missing: run scripts/deps.sh" ;;
qemu-tcg)
	command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found: run scripts/deps.sh" ;;
qemu-kvm)
	command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found: run scripts/deps.sh"
	[ -c /dev/kvm ] && [ -w /dev/kvm ] ||
		die "EMU=qemu-kvm needs a usable /dev/kvm (none on this machine): use EMU=bochs or EMU=qemu-tcg" ;;
*)
	die "EMU=$EMU: use bochs, qemu-tcg or qemu-kvm" ;;
esac

# Default bound for the whole guest run: boot time measured on a 2-core
# host (see testvm/README.md) with ample room for CMD.
if [ -z "${TIMEOUT:-}" ]; then
	case "$EMU-$KERNEL" in
	bochs-dev)	TIMEOUT=$((420 + 240 * (CPUS - 1))) ;;
	bochs-debian)	TIMEOUT=$((420 + 120 * (CPUS - 1))) ;;
	qemu-tcg-*)	TIMEOUT=240 ;;
	*)		TIMEOUT=120 ;;
	esac
fi
case "$TIMEOUT" in [1-9]|[1-9][0-9]|[1-9][0-9][0-9]|[1-9][0-9][0-9][0-9]) ;; *) die "TIMEOUT=$TIMEOUT: seconds, 1..9999" ;; esac

say "booting $KERNEL kernel under $EMU, $CPUS cpu(s), timeout ${TIMEOUT}s, hvtb load=$HVTB_LOAD"

# --- kernel --------------------------------------------------------------
if [ "$KERNEL" = dev ]; then
	kenv=$("$TESTVM/kernel.sh" --env) || die "dev kernel build failed"
else
	kenv=$("$TESTVM/kernel.sh" --debian) || die "no Debian kernel"
fi
BZIMAGE= KDIR= KVM_DIR= KVER= MODDIR=
eval "$kenv"

VMDIR=$BUILD/vm-$KERNEL
RUNDIR=$BUILD/vm/$KERNEL-$EMU-$CPUS-$$
mkdir -p "$VMDIR" "$RUNDIR"
# Keep the last 20 run directories.
ls -1dt "$BUILD"/vm/*/ 2>/dev/null | tail -n +21 | xargs -r rm -rf

# --- module, user space, selftests --------------------------------------
KMOD_DIR=$BUILD/kmod-$KERNEL
HVTB_KO_FILE=${HVTB_KO_FILE:-}
if [ -n "$HVTB_KO_FILE" ]; then
	[ -f "$HVTB_KO_FILE" ] || die "HVTB_KO_FILE=$HVTB_KO_FILE does not exist"
	HVTB_KO_FILE=$(readlink -f "$HVTB_KO_FILE")
else
	HVTB_KO_FILE=$KMOD_DIR/hvtb.ko
fi
if [ "${HVTB_NO_BUILD:-0}" != 1 ]; then
	[ "$HVTB_KO_FILE" != "$KMOD_DIR/hvtb.ko" ] || (
		flock 8
		if ! make -s -C "$TOP" modules KDIR="$KDIR" MODDIR="$KMOD_DIR" >"$VMDIR/kmod-build.log" 2>&1; then
			cat "$VMDIR/kmod-build.log" >&2
			rm -f "$KMOD_DIR/hvtb.ko"
			if [ "$HVTB_LOAD" = 1 ]; then
				die "building hvtb.ko for the $KERNEL kernel failed"
			fi
			say "warning: building hvtb.ko failed; going on without it (HVTB_LOAD=0)" >&2
		fi
	) 8>"$VMDIR/.kmod.lock" || exit 2
	(
		flock 8
		for d in userspace selftests; do
			if [ -f "$TOP/$d/Makefile" ]; then
				make -s -C "$TOP" "$d" >&2 || die "make $d failed"
			fi
		done
	) 8>"$BUILD/.user.lock" || exit 2
fi
if [ "$HVTB_LOAD" = 1 ] && [ ! -f "$HVTB_KO_FILE" ]; then
	die "$HVTB_KO_FILE does not exist (HVTB_LOAD=1)"
fi
# A module older than its sources would test yesterday's code.
if [ "${HVTB_NO_BUILD:-0}" = 1 ] && [ "$HVTB_KO_FILE" = "$KMOD_DIR/hvtb.ko" ] && [ -f "$HVTB_KO_FILE" ] &&
	[ -n "$(find "$TOP/kmod" "$TOP/uapi" -newer "$HVTB_KO_FILE" -type f -print -quit)" ]; then
	die "$HVTB_KO_FILE is older than kmod/ or uapi/: run without HVTB_NO_BUILD=1 (the build is incremental)"
fi

# --- initramfs -----------------------------------------------------------
# A module file, decompressed if Debian shipped it compressed.
copy_ko() {
	local src=$1 dst=$2 f
	for f in "$src" "$src.xz" "$src.zst" "$src.gz"; do
		[ -f "$f" ] || continue
		case "$f" in
		*.xz)  xz -dc "$f" >"$dst" ;;
		*.zst) zstd -qdc "$f" >"$dst" ;;
		*.gz)  gzip -dc "$f" >"$dst" ;;
		*)     cp "$f" "$dst" ;;
		esac
		return 0
	done
	return 1
}

# The busybox skeleton (binary + applet links) is made once.
build_skel() {
	local skel=$VMDIR/skel bb=/bin/busybox app	# busybox-static: no libraries needed
	[ -x "$bb" ] || die "$bb missing: run scripts/deps.sh"
	[ ! -e "$skel/.stamp" ] || [ "$bb" -nt "$skel/.stamp" ] || return 0
	rm -rf "$skel"
	mkdir -p "$skel"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,run,mnt,var}
	cp "$bb" "$skel/bin/busybox"
	for app in $("$skel/bin/busybox" --list-full); do
		[ -e "$skel/$app" ] || ln -s /bin/busybox "$skel/$app"
	done
	echo "root:x:0:0:root:/root:/bin/sh" >"$skel/etc/passwd"
	echo "root:x:0:" >"$skel/etc/group"
	touch "$skel/.stamp"
}

# Base image shared by runs of one KERNEL: busybox, modules, tools, tests.
# Built under a lock, then copied into the run directory.
build_base() {
	local root=$VMDIR/root
	build_skel
	rm -rf "$root"
	cp -a "$VMDIR/skel" "$root"
	rm -f "$root/.stamp"
	mkdir -p "$root/lib/modules/kvm" "$root/usr/lib/hvtb/selftests"
	install -m 0755 "$TESTVM/init.sh" "$root/init"

	[ ! -f "$HVTB_KO_FILE" ] || cp "$HVTB_KO_FILE" "$root/lib/modules/hvtb.ko"
	if [ "$KERNEL" = dev ]; then
		cp "$KVM_DIR"/{irqbypass,kvm,kvm-intel}.ko "$root/lib/modules/kvm/"
	else
		copy_ko "$KVM_DIR/virt/lib/irqbypass.ko" "$root/lib/modules/kvm/irqbypass.ko" &&
		copy_ko "$KVM_DIR/arch/x86/kvm/kvm.ko" "$root/lib/modules/kvm/kvm.ko" &&
		copy_ko "$KVM_DIR/arch/x86/kvm/kvm-intel.ko" "$root/lib/modules/kvm/kvm-intel.ko" ||
			die "KVM modules missing under $KVM_DIR"
		copy_ko "$MODDIR/kernel/arch/x86/kernel/msr.ko" "$root/lib/modules/msr.ko" ||
			die "msr.ko missing under $MODDIR"
		copy_ko "$MODDIR/kernel/arch/x86/kernel/cpuid.ko" "$root/lib/modules/cpuid.ko" || true
		# hvtb-worker --net: the parent's end of the guest's network adapter
		copy_ko "$MODDIR/kernel/drivers/net/tun.ko" "$root/lib/modules/tun.ko" || true
	fi
	if [ -d "$BUILD/user/bin" ]; then
		find "$BUILD/user/bin" -maxdepth 1 -type f -exec cp {} "$root/usr/bin/" \;
	fi
	if [ -d "$BUILD/user/selftests" ]; then
		cp -a "$BUILD/user/selftests/." "$root/usr/lib/hvtb/selftests/"
	fi
	if [ -d "$BUILD/user/share" ]; then	# demo guests for hvtbctl run
		mkdir -p "$root/usr/share/hvtb"
		cp -a "$BUILD/user/share/." "$root/usr/share/hvtb/"
	fi
	# Uncompressed: gunzip of ~9 MB under the KASAN kernel in Bochs took
	# ~18 s of wall time, loading the bigger ISO costs nothing measurable.
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) \
		>"$VMDIR/base.cpio.tmp"
	mv "$VMDIR/base.cpio.tmp" "$VMDIR/base.cpio"
}

# Single-quote a value for sh.
shquote() { printf "'%s'" "$(printf %s "$1" | sed "s/'/'\\\\''/g")"; }

(
	flock 8
	build_base
	cp "$VMDIR/base.cpio" "$RUNDIR/initrd.img"
) 8>"$VMDIR/.initramfs.lock" || exit 2

# Per-run part: the command and settings, appended as a second archive.
mkdir -p "$RUNDIR/overlay/etc"
{
	echo "HVTB_CMD=$(shquote "$CMD")"
	echo "HVTB_LOAD=$HVTB_LOAD"
	echo "HVTB_INSMOD_ARGS=$(shquote "$HVTB_INSMOD_ARGS")"
	echo "HVTB_EMU=$EMU"
} >"$RUNDIR/overlay/etc/hvtb-vm.env"
(cd "$RUNDIR/overlay" && echo etc/hvtb-vm.env | cpio -o -H newc -R 0:0 --quiet) >>"$RUNDIR/initrd.img"
rm -rf "$RUNDIR/overlay"

# The worker's test guest, a third archive (built once, under the same lock),
# last: the kernel's LZ4 unpacker reads to the end of its input.
if [ "$HVTB_GUEST" = 1 ]; then
	(
		flock 8
		"$TESTVM/guest/build.sh" "$BUILD/guest" || exit 2
		# LZ4 (legacy frames, as the kernel's initramfs unpacker wants): Bochs's
		# BIOS reads the ISO slowly (~0.5 MB/s), a third of the bytes wins.
		if [ ! -e "$BUILD/guest.cpio.lz4" ] || [ -n "$(find "$BUILD/guest" -maxdepth 1 -newer "$BUILD/guest.cpio.lz4" -type f -print -quit)" ]; then
			rm -rf "$BUILD/guest-root"
			mkdir -p "$BUILD/guest-root/usr/share/hvtb/guest"
			ln "$BUILD"/guest/{vmlinuz,vmlinux,initrd.cpio,kver} "$BUILD/guest-root/usr/share/hvtb/guest/"
			(cd "$BUILD/guest-root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
				lz4 -l -q -c >"$BUILD/guest.cpio.lz4.tmp"
			mv "$BUILD/guest.cpio.lz4.tmp" "$BUILD/guest.cpio.lz4"
			rm -rf "$BUILD/guest-root"
		fi
		cat "$BUILD/guest.cpio.lz4" >>"$RUNDIR/initrd.img"
	) 8>"$VMDIR/.initramfs.lock" || die "building the worker's test guest failed"
fi


APPEND="console=ttyS0,115200 nokaslr mitigations=off tsc=reliable lpj=1000000 quiet loglevel=5"
# Bochs (corei7_skylake_x) reports the standard XSAVE area size in
# CPUID(0xd,1).EBX where the compacted size belongs: the kernel WARNs in
# fpu__init_system_xstate ("XSAVE consistency problem") and drops XSAVE.
# Without XSAVEC/XSAVES it uses the standard format, whose size is right.
[ "$EMU" != bochs ] || APPEND="$APPEND clearcpuid=xsavec,xsaves"
# ACPI's AML interpreter under KASAN + lockdep costs ~20 s of guest time in
# Bochs: the dev kernel boots there without it by default (SMP comes from the
# MP table, power-off from Bochs's port 0x8900).
if [ -z "${HVTB_ACPI:-}" ]; then
	HVTB_ACPI=1
	[ "$EMU-$KERNEL" != bochs-dev ] || HVTB_ACPI=0
fi
[ "$HVTB_ACPI" = 1 ] || APPEND="$APPEND acpi=off"
APPEND="$APPEND ${HVTB_APPEND:-}"
SERIAL=$RUNDIR/serial.log
: >"$SERIAL"

# --- emulator ------------------------------------------------------------
start_bochs() {
	local iso=$RUNDIR/boot.iso d=$RUNDIR/iso
	mkdir -p "$d/isolinux"
	cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$d/isolinux/"
	cp "$BZIMAGE" "$d/vmlinuz"
	mv "$RUNDIR/initrd.img" "$d/initrd.img"
	cat >"$d/isolinux/isolinux.cfg" <<-EOF
		SERIAL 0 115200
		DEFAULT hvtb
		PROMPT 0
		TIMEOUT 0
		LABEL hvtb
		  KERNEL /vmlinuz
		  INITRD /initrd.img
		  APPEND $APPEND
	EOF
	xorriso -as mkisofs -quiet -R -J -o "$iso" -b isolinux/isolinux.bin -c isolinux/boot.cat \
		-no-emul-boot -boot-load-size 4 -boot-info-table "$d" >"$RUNDIR/xorriso.log" 2>&1 ||
		{ cat "$RUNDIR/xorriso.log" >&2; die "xorriso failed"; }
	rm -rf "$d"
	cat >"$RUNDIR/bochsrc" <<-EOF
		megs: $HVTB_MEGS
		romimage: file=/usr/share/bochs/BIOS-bochs-latest
		vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
		cpu: model=corei7_skylake_x, count=$CPUS, ips=50000000, reset_on_triple_fault=0
		clock: sync=none, time0=local
		pci: enabled=1, chipset=i440fx
		ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
		ata0-master: type=cdrom, path=$iso, status=inserted
		boot: cdrom
		com1: enabled=1, mode=file, dev=$SERIAL
		mouse: enabled=0
		display_library: rfb, options="timeout=0"
		log: $RUNDIR/bochs.log
		panic: action=fatal
		error: action=report
		info: action=ignore
	EOF
	echo c >"$RUNDIR/bochs.cmds"
	# The rfb display binds the first free TCP port from 5900 to 5949, so
	# concurrent instances do not collide.
	(
		cd "$RUNDIR"
		if [ "${HVTB_BOCHS_DEBUG:-0}" = 1 ]; then
			# A writer that never closes keeps the debugger's stdin open.
			mkfifo "$RUNDIR/debug.in"
			sleep "$TIMEOUT" >"$RUNDIR/debug.in" &
			exec timeout -k 10 "$TIMEOUT" bochs-bin -q -rc "$RUNDIR/bochs.cmds" -f "$RUNDIR/bochsrc" \
				<"$RUNDIR/debug.in" >"$RUNDIR/bochs.out" 2>&1
		fi
		exec timeout -k 10 "$TIMEOUT" bochs-bin -q -rc "$RUNDIR/bochs.cmds" -f "$RUNDIR/bochsrc" \
			</dev/null >"$RUNDIR/bochs.out" 2>&1
	) &
	EMU_PID=$!
}

start_qemu() {
	local accel
	if [ "$EMU" = qemu-kvm ]; then accel=(-accel kvm -cpu host); else accel=(-accel tcg -cpu max); fi
	(
		exec timeout -k 10 "$TIMEOUT" qemu-system-x86_64 "${accel[@]}" -m "$HVTB_MEGS" -smp "$CPUS" \
			-kernel "$BZIMAGE" -initrd "$RUNDIR/initrd.img" -append "$APPEND panic=-1" \
			-nodefaults -display none -monitor none -serial "file:$SERIAL" -no-reboot \
			</dev/null >"$RUNDIR/qemu.out" 2>&1
	) &
	EMU_PID=$!
}

TAIL_PID=
cleanup() {
	[ -n "${EMU_PID:-}" ] && kill "$EMU_PID" 2>/dev/null
	[ -n "$TAIL_PID" ] && kill "$TAIL_PID" 2>/dev/null
	true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

case "$EMU" in
bochs) start_bochs; EMU_OUT=bochs.out ;;
*)     start_qemu; EMU_OUT=qemu.out ;;
esac

# Stream the serial log live until the emulator is gone.
tail -n +1 -s 0.3 -F --pid="$EMU_PID" "$SERIAL" 2>/dev/null | tr -d '\r' &
TAIL_PID=$!

# Watch for the end: after the final marker or a panic, give the guest a
# few seconds to power off, then stop the emulator ourselves.
end_seen= grace= stopped=
while kill -0 "$EMU_PID" 2>/dev/null; do
	sleep 1
	if [ -z "$end_seen" ]; then
		if grep -qa "end Kernel panic" "$SERIAL"; then
			end_seen=$SECONDS grace=5
		elif grep -qa "^HVTB-VM-DMESG-END" "$SERIAL"; then
			# Everything is in: no need to wait for the power-off,
			# which costs a minute with CPUS=2 under Bochs.
			end_seen=$SECONDS grace=2
		fi
	fi
	if [ -n "$end_seen" ] && [ $((SECONDS - end_seen)) -ge "$grace" ]; then
		stopped=1
		kill "$EMU_PID" 2>/dev/null || true
		break
	fi
done
emu_rc=0
wait "$EMU_PID" 2>/dev/null || emu_rc=$?
EMU_PID=
wait "$TAIL_PID" 2>/dev/null || true
TAIL_PID=
[ "${HVTB_KEEP:-0}" = 1 ] || rm -f "$RUNDIR/boot.iso" "$RUNDIR/initrd.img"
cp "$SERIAL" "$VMDIR/serial.log"
[ -z "$stopped" ] || [ "$grace" = 2 ] || say "the guest panicked: stopped $EMU"

# --- verdict -------------------------------------------------------------
LOG=$RUNDIR/serial.clean.log
tr -d '\r' <"$SERIAL" >"$LOG"

# Kernel lines: the dmesg dump, and timestamped console lines anywhere
# (these survive a hang before the dump).
SPLAT='WARNING:|BUG:|Oops|KASAN|possible circular locking|inconsistent lock state|INFO: |blocked for more than|soft lockup|self-detected stall|RCU stall|rcu_sched detected stall|Kernel panic|general protection fault|kernel BUG|UBSAN|kmemleak: .* new suspected'
splat=$(awk '
	/^HVTB-VM-DMESG-BEGIN/ { in_dmesg = 1; next }
	/^HVTB-VM-DMESG-END/ { in_dmesg = 0; next }
	in_dmesg || /^\[ *[0-9]+\.[0-9]+\]/ { print }
' "$LOG" | grep -aE -m5 "$SPLAT" || true)

rc=$(grep -a -m1 -oE '^HVTB-VM-RC=[0-9]+' "$LOG" | cut -d= -f2 || true)
wall=$((SECONDS - T0))
status=0
echo
if [ -n "$splat" ]; then
	say "KERNEL SPLAT in the serial log:"
	printf '%s\n' "$splat" | sed 's/^/    /'
	say "FAIL: kernel splat (CMD status ${rc:-none}); log: $SERIAL"
	status=3
elif [ -z "$rc" ]; then
	echo "----- last 60 lines of $SERIAL -----"
	tail -n 60 "$LOG"
	echo "-----"
	if [ -s "$RUNDIR/$EMU_OUT" ]; then
		echo "----- last lines of $RUNDIR/$EMU_OUT -----"
		tail -n 8 "$RUNDIR/$EMU_OUT"
		echo "-----"
	fi
	if [ "$emu_rc" = 124 ] || [ "$emu_rc" = 137 ]; then
		say "guest did not finish (timeout after ${TIMEOUT}s)"
	else
		say "guest did not finish (no HVTB-VM-RC marker; $EMU ended with status $emu_rc)"
	fi
	status=124
else
	status=$rc
fi
say "$EMU $KERNEL cpus=$CPUS: exit $status, wall time ${wall}s"
exit $status
