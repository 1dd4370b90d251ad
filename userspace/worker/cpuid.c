// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb-worker guest CPUID: the host's leaves, reduced to what hvtb
 * implements, so the guest touches no MSR hvtb does not emulate:
 * no MCE/MCA, MTRR, PMU (leaf 0xa), thermal/power (leaf 6 but ARAT),
 * DS, PDCM, VMX/SMX, XSAVE (and AVX*), PCID, TSC_ADJUST, FSGSBASE, TSX,
 * speculation-control MSRs, TME. The TSC and LAPIC timer frequencies are
 * given in leaf 0x15 (crystal = the 1 GHz LAPIC timer clock) so a guest
 * without the Hyper-V frequency MSRs calibrates nothing either.
 * With enlightenments, hvtb answers 0x40000000.. itself (HVTB_PARTITION_SET_HYPERV).
 */
#include <cpuid.h>
#include <string.h>

#include "libhvtb.h"
#include "worker.h"

#define LAPIC_HZ	1000000000u	/* hvtb's LAPIC timer input clock */

/*
 * EBX/EAX of leaf 0x15 for a TSC of @tsc_khz and a crystal of @crystal_khz:
 * the closest fraction whose numerator keeps crystal_khz * EBX in 32 bits.
 * Linux's native_calibrate_tsc() multiplies the two as unsigned ints: with
 * EBX = tsc_khz and EAX = 10^6 (the plain choice) it wraps, and a 3.5 GHz
 * TSC reads as 3.8 MHz (every timer then fires a thousand times early).
 * For 3,499,912 kHz and a 1 GHz crystal: 7/2, 25 ppm off (the best such
 * fraction: the next convergent, 19883/5681, needs a larger numerator).
 */
static void tsc_ratio(uint32_t tsc_khz, uint32_t crystal_khz, uint32_t *num, uint32_t *den)
{
	uint64_t max_num = 0xffffffffull / crystal_khz, best_err = ~0ull, q, err;
	uint32_t d;

	*num = 1;
	*den = 1;
	for (d = 1; d <= 100000; d++) {
		q = ((uint64_t)tsc_khz * d + crystal_khz / 2) / crystal_khz;
		if (q > max_num)
			break;
		if (!q)
			continue;
		/* |q/d - tsc/crystal| scaled by d * crystal */
		err = q * crystal_khz > (uint64_t)tsc_khz * d ? q * crystal_khz - (uint64_t)tsc_khz * d :
			(uint64_t)tsc_khz * d - q * crystal_khz;
		/* compare err/d across denominators: err1 * d2 < err2 * d1 */
		if (best_err == ~0ull || err * *den < best_err * d) {
			best_err = err;
			*num = (uint32_t)q;
			*den = d;
		}
	}
}

/* CPUID.1:ECX kept: SSE3 PCLMUL SSSE3 CX16 SSE4.1 SSE4.2 x2APIC MOVBE
 * POPCNT TSC-deadline AES RDRAND; + hypervisor. */
#define L1_ECX_KEEP	((1u << 0) | (1u << 1) | (1u << 9) | (1u << 13) | \
			 (1u << 19) | (1u << 20) | (1u << 21) | (1u << 22) | \
			 (1u << 23) | (1u << 24) | (1u << 25) | (1u << 30))
/* CPUID.1:EDX kept: FPU VME DE PSE TSC MSR PAE CX8 APIC SEP PGE CMOV PAT
 * PSE36 CLFSH MMX FXSR SSE SSE2 */
#define L1_EDX_KEEP	((1u << 0) | (1u << 1) | (1u << 2) | (1u << 3) | \
			 (1u << 4) | (1u << 5) | (1u << 6) | (1u << 8) | \
			 (1u << 9) | (1u << 11) | (1u << 13) | (1u << 15) | \
			 (1u << 16) | (1u << 17) | (1u << 19) | (1u << 23) | \
			 (1u << 24) | (1u << 25) | (1u << 26))
/* CPUID.7.0:EBX kept: BMI1 BMI2 ERMS RDSEED ADX CLFLUSHOPT CLWB SHA */
#define L7_EBX_KEEP	((1u << 3) | (1u << 8) | (1u << 9) | (1u << 18) | \
			 (1u << 19) | (1u << 23) | (1u << 24) | (1u << 29))
/* 0x80000001 ECX: LAHF ABM PREFETCHW; EDX: SYSCALL NX PDPE1GB RDTSCP LM */
#define LX1_ECX_KEEP	((1u << 0) | (1u << 5) | (1u << 8))
#define LX1_EDX_KEEP	((1u << 11) | (1u << 20) | (1u << 26) | (1u << 27) | (1u << 29))

static void add(struct hvtb_cpuid_entry *t, unsigned int *n, uint32_t fn,
		uint32_t idx, uint32_t flags)
{
	struct hvtb_cpuid_entry *e = &t[(*n)++];

	memset(e, 0, sizeof(*e));
	e->function = fn;
	e->index = idx;
	e->flags = flags;
	__cpuid_count(fn, idx, e->eax, e->ebx, e->ecx, e->edx);
}

/**
 * wk_cpuid_setup() - HVTB_PARTITION_SET_CPUID with the guest's table.
 * @vm: the VM (partition created).
 *
 * Return: 0 or -errno.
 */
int wk_cpuid_setup(struct wk_vm *vm)
{
	struct hvtb_cpuid_entry t[64];
	struct hvtb_capabilities caps;
	uint32_t a, b, c, d, i;
	unsigned int n = 0;
	int e;

	e = hvtb_get_capabilities(vm->dev, &caps);
	if (e)
		return e;
	add(t, &n, 0, 0, 0);
	t[0].eax = 0x15;
	add(t, &n, 1, 0, HVTB_CPUID_EXIT);	/* APIC ID per VP: main.c */
	t[1].ecx = (t[1].ecx & L1_ECX_KEEP) | (1u << 31);
	t[1].edx &= L1_EDX_KEEP;
	/* one logical processor per package; APIC ID [31:24] 0 (1 VP) */
	t[1].ebx = (t[1].ebx & 0xffff) | (1u << 16);
	add(t, &n, 2, 0, 0);
	for (i = 0; i < 8; i++) {
		add(t, &n, 4, i, HVTB_CPUID_INDEXED);
		/* one core per package, one thread per cache */
		t[n - 1].eax &= 0x3ff;
		if (!(t[n - 1].eax & 0x1f))
			break;
	}
	/* Leaf 6: ARAT only (the LAPIC timer runs in deep C-states). */
	memset(&t[n++], 0, sizeof(t[0]));
	t[n - 1].function = 6;
	t[n - 1].eax = 1u << 2;
	add(t, &n, 7, 0, HVTB_CPUID_INDEXED);
	t[n - 1].eax = 0;
	t[n - 1].ebx &= L7_EBX_KEEP;
	t[n - 1].ecx = 0;
	t[n - 1].edx = 0;
	/* Leaf 0x15: TSC = crystal * EBX / EAX, crystal = LAPIC clock. */
	memset(&t[n++], 0, sizeof(t[0]));
	t[n - 1].function = 0x15;
	tsc_ratio(caps.tsc_khz, LAPIC_HZ / 1000, &t[n - 1].ebx, &t[n - 1].eax);
	t[n - 1].ecx = LAPIC_HZ;

	__cpuid(0x80000000, a, b, c, d);
	a = a < 0x80000008 ? a : 0x80000008;
	add(t, &n, 0x80000000, 0, 0);
	t[n - 1].eax = a;
	for (i = 0x80000001; i <= a; i++) {
		if (i == 0x80000005)
			continue;
		add(t, &n, i, 0, 0);
		if (i == 0x80000001) {
			t[n - 1].ecx &= LX1_ECX_KEEP;
			t[n - 1].edx &= LX1_EDX_KEEP;
		} else if (i == 0x80000007) {
			t[n - 1].eax = t[n - 1].ebx = t[n - 1].ecx = 0;
			t[n - 1].edx &= 1u << 8;	/* invariant TSC */
		} else if (i == 0x80000008) {
			t[n - 1].ebx = 0;		/* no speculation bits */
			t[n - 1].ecx = 0;
		}
	}
	(void)b; (void)c; (void)d;
	return hvtb_set_cpuid(vm->part, t, n);
}
