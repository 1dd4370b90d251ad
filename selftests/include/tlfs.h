/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlfs.h - the Hyper-V TLFS numbers the selftests use, for guest and host
 * code of the test binaries.
 *
 * The names are those of the kernel's asm/hyperv-tlfs.h and
 * asm-generic/hyperv-tlfs.h, so tests read like the drivers they stand in
 * for. Those headers are not uapi: they need the kernel's BIT(), u64 and
 * __packed and pull in kernel headers, so a static user-space build cannot
 * include them; the values are restated here from the TLFS.
 */
#ifndef HVTB_SELFTESTS_TLFS_H
#define HVTB_SELFTESTS_TLFS_H

#include <stdint.h>

/* Synthetic MSRs */
#define HV_X64_MSR_GUEST_OS_ID		0x40000000
#define HV_X64_MSR_HYPERCALL		0x40000001
#define HV_X64_MSR_VP_INDEX		0x40000002
#define HV_X64_MSR_TIME_REF_COUNT	0x40000020
#define HV_X64_MSR_REFERENCE_TSC	0x40000021
#define HV_X64_MSR_TSC_FREQUENCY	0x40000022
#define HV_X64_MSR_APIC_FREQUENCY	0x40000023
#define HV_X64_MSR_EOI			0x40000070
#define HV_X64_MSR_ICR			0x40000071
#define HV_X64_MSR_TPR			0x40000072
#define HV_X64_MSR_VP_ASSIST_PAGE	0x40000073
#define HV_X64_MSR_SCONTROL		0x40000080
#define HV_X64_MSR_SVERSION		0x40000081
#define HV_X64_MSR_SIEFP		0x40000082
#define HV_X64_MSR_SIMP			0x40000083
#define HV_X64_MSR_EOM			0x40000084
#define HV_X64_MSR_SINT0		0x40000090
#define HV_X64_MSR_STIMER0_CONFIG	0x400000b0

/* Partition privileges, CPUID 0x40000003 EAX */
#define HV_MSR_TIME_REF_COUNT_AVAILABLE	(1U << 1)
#define HV_MSR_SYNIC_AVAILABLE		(1U << 2)
#define HV_MSR_SYNTIMER_AVAILABLE	(1U << 3)
#define HV_MSR_APIC_ACCESS_AVAILABLE	(1U << 4)
#define HV_MSR_HYPERCALL_AVAILABLE	(1U << 5)
#define HV_MSR_VP_INDEX_AVAILABLE	(1U << 6)
#define HV_MSR_REFERENCE_TSC_AVAILABLE	(1U << 9)
#define HV_ACCESS_FREQUENCY_MSRS	(1U << 11)
/* ... and EBX */
#define HV_ACCESS_PARTITION_ID		(1U << 1)
#define HV_POST_MESSAGES		(1U << 4)
#define HV_SIGNAL_EVENTS		(1U << 5)

/* Hypercall codes and the input value's bits */
#define HVCALL_NOTIFY_LONG_SPIN_WAIT	0x0008
#define HVCALL_GET_PARTITION_ID		0x0046
#define HVCALL_POST_MESSAGE		0x005c
#define HVCALL_SIGNAL_EVENT		0x005d
#define HV_HYPERCALL_FAST_BIT		(1ULL << 16)
#define HV_HYPERCALL_REP_COMP_OFFSET	32
#define HV_HYPERCALL_REP_START_OFFSET	48

/* Hypercall status */
#define HV_STATUS_SUCCESS			0
#define HV_STATUS_INVALID_HYPERCALL_CODE	2
#define HV_STATUS_INVALID_HYPERCALL_INPUT	3
#define HV_STATUS_INVALID_ALIGNMENT		4
#define HV_STATUS_INVALID_PARAMETER		5
#define HV_STATUS_ACCESS_DENIED			6
#define HV_STATUS_INVALID_PORT_ID		17
#define HV_STATUS_INVALID_CONNECTION_ID		18
#define HV_STATUS_INSUFFICIENT_BUFFERS		19

/* SynIC: SINTx MSR bits, synthetic timer config bits, message types */
#define HV_SYNIC_SINT_MASKED		(1ULL << 16)
#define HV_SYNIC_SINT_AUTO_EOI		(1ULL << 17)
#define HV_STIMER_ENABLE		(1ULL << 0)
#define HV_STIMER_PERIODIC		(1ULL << 1)
#define HV_STIMER_APIC_VECTOR(v)	((uint64_t)(v) << 4)
#define HV_STIMER_DIRECT_MODE		(1ULL << 12)
#define HV_STIMER_SINT(s)		((uint64_t)(s) << 16)
#define HVMSG_TIMER_EXPIRED		0x80000010U

#endif /* HVTB_SELFTESTS_TLFS_H */
