#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run_vm.sh [test...] - run hvtb selftest suites one after the other in the
# test VM (busybox sh); exits 1 when any suite failed or is missing.
# Default: every VM suite except refusal_test, which is for a CPU without
# VMX (the QEMU-TCG run: run_vm.sh refusal_test).
#
# A suite named "NAME:root" is NAME run with HVTB_TEST_ROOT_SCHED=1: its
# VPs execute on the RUN caller instead of hvtb's threads; "NAME:noapicv"
# runs it with HVTB_TEST_NO_APICV=1: its in-kernel APICs do not use the
# CPU's APIC virtualization (suites that hold in every mode honour them:
# apic_test, hyperv_test's SynIC tests).
#
# Each suite is bounded by HVTB_SUITE_TIMEOUT seconds of guest time
# (default 20; Bochs's guest clock advances per emulated instruction, about
# 50 wall seconds per guest second on our machines, and the longest suite
# takes 5): a suite that does not end is killed and counted as failed, and
# the suites after it still run.
#
# The suites print KTAP through the kselftest harness; this script prints
# only '#' comment lines, never ok/not ok lines of its own.

dir=$(cd "$(dirname "$0")" && pwd)
default="api_test ctl_test perm_test hotplug_test load_test kvm_test hvtbctl_run_test partition_test memory_test vp_test exit_test sched_test apic_test apic_test:root apic_test:noapicv hyperv_test hyperv_test:root hyperv_test:noapicv vmbus_test vmbus_test:root"

case "$1" in
-h|--help)
	echo "usage: $0 [test...]   (default: $default)"
	exit 0 ;;
-l|--list)
	echo "$default refusal_test"
	exit 0 ;;
esac
[ $# -gt 0 ] || set -- $default

limit=${HVTB_SUITE_TIMEOUT:-20}
bound() {
	timeout -s KILL "$limit" "$@"
	r=$?
	[ "$r" -eq 137 ] && echo "# run_vm: $t${mode:+:$mode}: killed after $limit s of guest time"
	return "$r"
}

failed=""
for t in "$@"; do
	t0=$(date +%s)
	t=${t##*/}
	mode=
	case "$t" in *:*) mode=${t#*:}; t=${t%%:*} ;; esac
	if [ ! -x "$dir/$t" ]; then
		echo "# run_vm: $t: no such test in $dir"
		failed="$failed $t(missing)"
		continue
	fi
	case "$mode" in
	"")
		echo "# run_vm: $t"
		bound "$dir/$t" ;;
	root)
		echo "# run_vm: $t (VPs on the RUN caller: HVTB_TEST_ROOT_SCHED=1)"
		HVTB_TEST_ROOT_SCHED=1 bound "$dir/$t" ;;
	noapicv)
		echo "# run_vm: $t (no APIC virtualization: HVTB_TEST_NO_APICV=1)"
		HVTB_TEST_NO_APICV=1 bound "$dir/$t" ;;
	*)
		echo "# run_vm: $t: unknown mode :$mode"
		false ;;
	esac
	rc=$?
	echo "# run_vm: $t${mode:+:$mode}: exit $rc after $(($(date +%s) - t0)) s"
	[ "$rc" -eq 0 ] || failed="$failed $t(exit $rc)"
done

if [ -n "$failed" ]; then
	echo "# run_vm: FAILED:$failed"
	exit 1
fi
echo "# run_vm: all suites passed"
exit 0
