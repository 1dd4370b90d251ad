#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every test hvtb has, host-side and in the test VMs, summed into
# one closing line "N passed, N failed, N skipped". Exit status non-zero on any
# failure.
#
# Each step below is one test of its own (a build, a lint, a VM boot that must
# finish without a kernel splat); the kselftest binaries add their own KTAP
# results, which are counted one by one from their output.
#
# Knobs: CHECK_ONLY="step step..." runs a subset (build rooms sparse checkpatch user
# host vm-tcg vm-debian vm-worker vm-dev); HVTB_CPUS_DEV (default 1: every suite on the
# debug kernel) and
# HVTB_CPUS_DEBIAN (default 2) set the CPUs of the two Bochs boots;
# HVTB_VM_TIMEOUT (default 2550 s) bounds each boot, HVTB_WORKER_TIMEOUT
# (2550 s) the worker's: with the dev kernel cached the boots start within
# two minutes, so even a boot that hangs ends make check inside 45 minutes
# (measured: the longest boot, vm-debian, took 2386 s).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
out=$build/check
rm -rf "$out"
mkdir -p "$out"
start=$(date +%s)

passed=0
failed=0
skipped=0
step_no=0

log() { printf '# %s\n' "$*"; }

# Count the KTAP results of a test binary's output (the harness's own lines).
count_ktap() {
	local f=$1 p f_ s
	p=$(grep -Ec '^[[:space:]]*ok [0-9]+ ' "$f" | head -n1)
	s=$(grep -Ec '^[[:space:]]*ok [0-9]+ .*# (SKIP|skip)' "$f" | head -n1)
	f_=$(grep -Ec '^[[:space:]]*not ok [0-9]+ ' "$f" | head -n1)
	passed=$((passed + p - s))
	skipped=$((skipped + s))
	failed=$((failed + f_))
	grep -E '^[[:space:]]*not ok [0-9]+ ' "$f" |
		sed "s|^[[:space:]]*|  $(basename "$f" .log): |" >>"$out/failures"
	log "$(basename "$f" .log): $((p - s)) passed, $f_ failed, $s skipped"
}

# result NAME RC [reason]: one step's verdict as a KTAP line.
result() {
	local name=$1 rc=$2 why=${3:-}
	step_no=$((step_no + 1))
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok $step_no check.$name"
	elif [ "$rc" -eq 4 ]; then
		skipped=$((skipped + 1))
		echo "ok $step_no check.$name # SKIP $why"
	else
		failed=$((failed + 1))
		echo "not ok $step_no check.$name${why:+ # $why}"
		echo "  check.$name${why:+: $why}" >>"$out/failures"
	fi
}

want() {
	[ -z "${CHECK_ONLY:-}" ] && return 0
	case " $CHECK_ONLY " in *" $1 "*) return 0 ;; esac
	return 1
}

# run_step NAME CMD...: run CMD with its output in $out/NAME.log, shown on failure.
run_step() {
	local name=$1 rc
	shift
	log "step $name: $*"
	"$@" >"$out/$name.log" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		tail -n 40 "$out/$name.log" | sed 's/^/#   /'
	fi
	result "$name" $rc "see $out/$name.log"
	return $rc
}

# A lint step passes only if the tool printed no warning at all.
sparse_clean() {
	make -C "$top" sparse BUILD="$build" 2>&1 | tee /dev/stderr |
		grep -E 'warning:|error:' && return 1
	return 0
}

# vm_start NAME KERNEL CPUS EMU LOAD CMD [ENV...]: one boot in the background
# (its pid in vm_pids[NAME]); vm_finish NAME waits for it. The boot itself is a
# test (finished, no splat, CMD's status 0) and CMD's KTAP lines are counted.
declare -A vm_pids vm_t0
vm_start() {
	local name=$1 kernel=$2 cpus=$3 emu=$4 load=$5 cmd=$6
	shift 6
	log "step $name (background): KERNEL=$kernel CPUS=$cpus EMU=$emu $*: $cmd"
	# Bound each boot well inside CI's budget (a hang must not eat it all).
	(
		env KERNEL="$kernel" CPUS="$cpus" EMU="$emu" HVTB_LOAD="$load" \
			TIMEOUT="${HVTB_VM_TIMEOUT:-2550}" "$@" \
			"$top/testvm/run.sh" "$cmd" >"$out/$name.log" 2>&1
		rc=$?
		date +%s >"$out/$name.end"
		exit $rc
	) &
	vm_pids[$name]=$!
	vm_t0[$name]=$(date +%s)
}

vm_finish() {
	local name=$1 rc
	wait "${vm_pids[$name]}"
	rc=$?
	count_ktap "$out/$name.log"
	log "$name: finished after $(($(cat "$out/$name.end" 2>/dev/null || date +%s) - ${vm_t0[$name]})) s"
	[ $rc -ne 0 ] && tail -n 40 "$out/$name.log" | sed 's/^/#   /'
	result "$name" $rc "$([ $rc -ne 0 ] && echo "VM run failed with status $rc, see $out/$name.log")"
}

# vm_suite: vm_start and vm_finish, in the foreground.
vm_suite() {
	vm_start "$@"
	vm_finish "$1"
}

echo "TAP version 13"
log "hvtb make check, $(date -u '+%F %T') UTC, $(nproc) CPUs"

# The dev kernel takes minutes to build the first time on a machine: start it
# now and do the host-side steps meanwhile.
kernel_pid=
if want vm-dev; then
	"$top/testvm/kernel.sh" >"$out/kernel-dev.log" 2>&1 &
	kernel_pid=$!
fi

want build && run_step build make -C "$top" modules MODDIR="$build/kmod-check"
want rooms && run_step rooms "$top/scripts/rooms.sh" "$build/kmod-check"
want sparse && run_step sparse sparse_clean
want checkpatch && run_step checkpatch "$top/scripts/checkpatch.sh"
want user && run_step user make -C "$top" userspace selftests BUILD="$build"

if want host; then
	log "step host: host-side selftests"
	make -s -C "$top/selftests" run-host BUILD="$build/user" >"$out/host.log" 2>&1
	rc=$?
	cat "$out/host.log"
	count_ktap "$out/host.log"
	result host-run $rc "host suites exited $rc"
fi

# QEMU TCG has no VMX: hvtb must refuse to load, clearly.
want vm-tcg && vm_suite vm-tcg debian 1 qemu-tcg 0 \
	"\$HVTB_SELFTESTS/run_vm.sh refusal_test"

# The boots below run two and more at once (Bochs uses one host thread per
# boot; CI has two cores): the Debian boots start now, beside the dev
# kernel's build, and the dev kernel's suites run as two boots of about the
# same length (lists A and B, balanced by the wall times run_vm.sh prints).
# Each boot's wall time is logged ("NAME: finished after N s").
#
# Debian's stock kernel under Bochs with 2 CPUs: hvtb on a distro kernel,
# and the suites with cases that need a second CPU (hotplug, IPIs between
# VPs on different CPUs, 2 partitions x 2 VPs, the scheduler's affinity, CPU
# set and CPU-offline cases). Idle guest time is expensive in Bochs with 2
# CPUs (about a minute per guest second), so these suites keep their waits
# short; everything runs on one CPU on the dev kernel below.
want vm-debian && vm_start vm-debian debian "${HVTB_CPUS_DEBIAN:-2}" bochs 1 \
	"hvtbctl info --json && \$HVTB_SELFTESTS/run_vm.sh hotplug_test apic_test partition_test sched_test"

worker_suites="vsp_test apic_test:noapicv hyperv_test:noapicv"
# hvtb-worker boots Debian's kernel in a child partition: one Debian test-VM
# boot carrying the guest images. The groups verified end to end every time
# so far: pvh (a Linux boot), bzimage (the bzImage loader, enlightenments
# off: 4 s of test-VM time since leaf 0x15 stopped wrapping Linux's TSC
# arithmetic), bad (bad inputs, no boot), watchdog (a spinning
# PVH guest), reboot, triple, panic and signals (short Linux boots), icd (the
# heartbeat and KVP ICs in hvtb-icd processes, kill -9 of one: rescind and
# hot-add), storage (hv_storvsc on the worker's disks: two boots) and network
# (hv_netvsc on a TAP: pings and TCP both ways, bad control-socket lines);
# smp with HVTB_WORKER_GROUPS=pvh,smp,... (its boot costs 20 minutes and
# more of Bochs time, too much for here; README).
# The same boot then runs the suites' no-APICv modes on Debian's kernel
# (it starts at once and is the shortest otherwise; the dev kernel runs
# the default and root modes).
want vm-worker && vm_start vm-worker debian 1 bochs 1 \
	"WORKER_TESTS=${HVTB_WORKER_GROUPS:-pvh,bzimage,icd,storage,network,bad,watchdog,reboot,triple,panic,signals} \$HVTB_SELFTESTS/worker_test; w=\$?; \$HVTB_SELFTESTS/run_vm.sh $worker_suites && exit \$w" \
	HVTB_GUEST=1 TIMEOUT="${HVTB_WORKER_TIMEOUT:-2550}"

# The dev kernel (lockdep, KASAN): every VM suite on one CPU, in two boots
# (the no-APICv modes ran in the worker's boot above).
dev_a="api_test ctl_test perm_test hotplug_test load_test kvm_test hvtbctl_run_test partition_test memory_test vp_test exit_test sched_test apic_test vmbus_test"
dev_b="vmbus_test:root apic_test:root hyperv_test hyperv_test:root"
if [ -n "$kernel_pid" ]; then
	wait "$kernel_pid"
	rc=$?
	[ $rc -ne 0 ] && tail -n 40 "$out/kernel-dev.log" | sed 's/^/#   /'
	result kernel-dev $rc "dev kernel build failed, see $out/kernel-dev.log"
	if [ $rc -eq 0 ]; then
		vm_start vm-dev-a dev "${HVTB_CPUS_DEV:-1}" bochs 1 \
			"hvtbctl info && \$HVTB_SELFTESTS/run_vm.sh $dev_a"
		vm_start vm-dev-b dev "${HVTB_CPUS_DEV:-1}" bochs 1 \
			"\$HVTB_SELFTESTS/run_vm.sh $dev_b"
	fi
fi

for name in vm-debian vm-worker vm-dev-a vm-dev-b; do
	[ -n "${vm_pids[$name]:-}" ] && vm_finish "$name"
done

log "took $(($(date +%s) - start)) s"
if [ -s "$out/failures" ]; then
	log "failures:"
	sed 's/^/#/' "$out/failures"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
