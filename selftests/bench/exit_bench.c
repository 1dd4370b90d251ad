// SPDX-License-Identifier: GPL-2.0
/*
 * exit_bench - exit round-trip costs measured inside the guest with RDTSC:
 * CPUID answered by the kernel from the table, VMCALL HVTB_HC_NULL handled
 * in the kernel, and an OUT that goes to user space and back. Prints the
 * median over N iterations of each, one line per figure, once with the VP
 * on hvtb's scheduler threads and once on the RUN caller's thread
 * (HVTB_PARTITION_ROOT_SCHED), so the two modes' costs compare directly:
 *
 *   exit_bench: threads cpuid_kernel median_ticks=NNN iterations=NNN
 *
 * In a partition with Hyper-V enlightenments: hv_null_tlfs (HVTB_HC_NULL
 * through the hypercall page and the TLFS dispatcher) and
 * hv_signal_event_eventfd (a fast HvSignalEvent signalling an eventfd, whose
 * count is checked after the run).
 *
 * With the in-kernel local APIC (HVTB_PARTITION_LAPIC) two more figures,
 * in both scheduling modes, with the CPU's APIC virtualization where it
 * has it and without it ("threads-noapicv", "root-noapicv"):
 * lapic_self_ipi (x2APIC self-IPI WRMSR -> handler -> EOI ->
 * back, all in the kernel) and lapic_assert_to_handler, the wake-up latency
 * of a halted VP (HVTB_PARTITION_ASSERT_INTERRUPT from a user thread -> the guest
 * handler's RDTSC, the VP blocked in HLT; guest and host share the TSC as
 * the TSC offset is 0).
 *
 * With the SynIC (an enlightened partition with the in-kernel APIC), in
 * the same four modes: synic_post_to_handler (HVTB_PARTITION_POST_HV_MESSAGE from a user thread -> the
 * message in the guest's SIMP slot -> the guest's SINT handler's RDTSC, the
 * VP blocked in HLT on another thread): user space -> guest message
 * delivery latency.
 *
 * Under Bochs (clock: sync=none) the TSC counts emulated instructions, so
 * the figures are exact, repeatable path lengths.
 *
 * usage: exit_bench [iterations]   (default 1000). Exit 4 (skip) without
 * /dev/hvtb.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "guest.h"
#include "hyperv.h"
#include "partition.h"
#include "tlfs.h"

#define BENCH_MAX	10000
#define BENCH_PORT	0x80

enum { BENCH_CPUID, BENCH_HC_NULL, BENCH_OUT_USER, BENCH_EMPTY, BENCH_KINDS };

static const char *const bench_names[BENCH_KINDS] = {
	"cpuid_kernel", "vmcall_null_kernel", "out_user", "rdtsc_empty",
};

static uint64_t bench_ticks[BENCH_MAX];

static void guest_bench(uint64_t n)
{
	uint64_t kind, i, t0, rax;
	uint32_t r[4];

	for (kind = 0; kind < BENCH_KINDS; kind++) {
		for (i = 0; i < n; i++) {
			t0 = guest_rdtsc();
			switch (kind) {
			case BENCH_CPUID:
				guest_cpuid(0, 0, r);
				break;
			case BENCH_HC_NULL:
				rax = 0;
				__asm__ volatile("vmcall" : "+a"(rax)
						 : "c"(HVTB_HC_NULL) : "memory");
				break;
			case BENCH_OUT_USER:
				guest_outb(BENCH_PORT, 0);
				break;
			default:
				break;
			}
			bench_ticks[i] = guest_rdtsc() - t0;
		}
		GUEST_SYNC(kind);
	}
}

/* ---- local APIC figures ---- */

#define LAPIC_VEC	0x40
static volatile uint64_t lapic_irqs, lapic_t1;

static void lapic_handler(struct guest_frame *f)
{
	(void)f;
	lapic_t1 = guest_rdtsc();
	lapic_irqs++;
	guest_wrmsr(0x80b, 0);		/* x2APIC EOI */
}

static void guest_lapic_bench(uint64_t n)
{
	uint64_t i, t0;

	guest_handlers[LAPIC_VEC] = lapic_handler;
	guest_wrmsr(0x1b, 0xfee00d00);	/* x2APIC */
	guest_wrmsr(0x80f, 0x1ff);	/* software enable */
	__asm__ volatile("sti" : : : "memory");
	for (i = 0; i < n; i++) {
		t0 = guest_rdtsc();
		guest_wrmsr(0x83f, LAPIC_VEC);	/* self-IPI */
		bench_ticks[i] = guest_rdtsc() - t0;
	}
	GUEST_SYNC(0);
	/* Wait in HLT for the test's n asserted interrupts. */
	for (i = 0; i < n; i++)
		while (lapic_irqs < n + 1 + i)
			__asm__ volatile("sti; hlt" : : : "memory");
	__asm__ volatile("cli" : : : "memory");
}

static uint64_t rdtsc_host(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return lo | ((uint64_t)hi << 32);
}

static int cmp_u64(const void *a, const void *b);

static void print_median(const char *mode, const char *name, uint64_t *t,
			 uint64_t n)
{
	qsort(t, n, sizeof(t[0]), cmp_u64);
	printf("exit_bench: %s%s%s median_ticks=%llu iterations=%llu\n",
	       mode ?: "", mode ? " " : "", name,
	       (unsigned long long)t[n / 2], (unsigned long long)n);
	fflush(stdout);
}

/* A host action that interrupts the guest: the i-th of a measurement. */
typedef int (*host_kick_fn)(struct guest *g, uint64_t i);

/*
 * The latency from @kick to the guest handler's RDTSC (which it stores in
 * *@t1 and counts in *@irqs), @n times, the VP running on its own thread
 * and blocked in HLT before each kick (*@irqs starts at @base). Prints
 * the median as @name. Return: 0 or -errno.
 */
static int bench_host_to_handler(struct guest *g, struct guest_vp *v,
				 volatile uint64_t *irqs, volatile uint64_t *t1,
				 uint64_t base, uint64_t n, host_kick_fn kick,
				 const char *mode, const char *name)
{
	uint64_t i, t0;
	pthread_t th;
	void *ret;
	int r = 0;

	if (pthread_create(&th, NULL, guest_run_thread, v))
		return -EAGAIN;
	for (i = 0; i < n; i++) {
		usleep(1000);	/* let the VP block in HLT */
		t0 = rdtsc_host();
		r = kick(g, i);
		if (r)
			break;
		while (*irqs < base + i + 1)
			sched_yield();
		bench_ticks[i] = *t1 - t0;
	}
	pthread_join(th, &ret);
	if (!r && (uintptr_t)ret != UCALL_DONE)
		r = -EIO;
	if (!r)
		print_median(mode, name, bench_ticks, n);
	return r;
}

static int kick_assert(struct guest *g, uint64_t i)
{
	(void)i;
	return hvtb_assert_interrupt(g->part, 0, LAPIC_VEC, 0);
}

/* The two local APIC figures in one scheduling mode. Return: 0 or -errno. */
static int lapic_bench(uint64_t n, unsigned int flags, const char *mode)
{
	struct guest g;
	struct guest_vp v;
	struct ucall uc;
	int r;

	r = guest_create(&g, GUEST_LAPIC | flags);
	if (r)
		return r;
	r = guest_vp_create(&g, &v, 0);
	if (r || (r = guest_vp_enter_long(&v, guest_lapic_bench, n, 0)))
		return r;
	if (guest_run_ucall(&v, &uc) != UCALL_SYNC)
		return -EIO;
	memcpy(bench_ticks, guest_gpa(&g, (uintptr_t)bench_ticks),
	       n * sizeof(bench_ticks[0]));
	print_median(mode, "lapic_self_ipi", bench_ticks, n);

	r = bench_host_to_handler(&g, &v, guest_gpa(&g, (uintptr_t)&lapic_irqs),
				  guest_gpa(&g, (uintptr_t)&lapic_t1), n, n,
				  kick_assert, mode, "lapic_assert_to_handler");
	guest_vp_destroy(&v);
	guest_destroy(&g);
	return r;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The enlightened partition: HVTB_HC_NULL (TLFS path), HvSignalEvent. */
enum { BENCH_HV_NULL, BENCH_HV_SIGNAL, BENCH_HV_KINDS };

static const char *const bench_hv_names[BENCH_HV_KINDS] = {
	"hv_null_tlfs", "hv_signal_event_eventfd",
};

#define BENCH_HV_CONN		1

static uint8_t bench_hc_page[4096] __attribute__((aligned(4096)));

static uint64_t bench_hv_call(uint64_t control, uint64_t in)
{
	uint64_t rax;

	__asm__ volatile("call *%[page]" : "=a"(rax), "+c"(control), "+d"(in)
			 : [page] "r"((uintptr_t)bench_hc_page) : "memory", "cc");
	return rax;
}

static void guest_bench_hv(uint64_t n)
{
	uint64_t kind, i, t0, rax = 0;

	guest_wrmsr(HV_X64_MSR_GUEST_OS_ID, 0x8100000000000000ULL);
	guest_wrmsr(HV_X64_MSR_HYPERCALL, (uintptr_t)bench_hc_page | 1);
	for (kind = 0; kind < BENCH_HV_KINDS; kind++) {
		for (i = 0; i < n; i++) {
			t0 = guest_rdtsc();
			if (kind == BENCH_HV_NULL)
				rax |= bench_hv_call(HVTB_HC_NULL | HV_HYPERCALL_FAST_BIT, 0);
			else
				rax |= bench_hv_call(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT,
						     BENCH_HV_CONN);
			bench_ticks[i] = guest_rdtsc() - t0;
		}
		GUEST_SYNC2(kind, rax);
	}
}

static int bench_hv(uint64_t n)
{
	struct hvtb_hyperv_config c = {
		.flags = HVTB_HV_ENABLE, .features_eax = HV_MSR_HYPERCALL_AVAILABLE,
		.features_ebx = HV_SIGNAL_EVENTS,
	};
	struct guest g;
	struct guest_vp v;
	struct ucall uc;
	uint64_t count = 0;
	char buf[256];
	int r, efd, done = 0;

	efd = eventfd(0, EFD_NONBLOCK);
	r = efd < 0 ? -errno : guest_create(&g, 0);
	if (r || (r = hvtb_set_hyperv(g.part, &c)) ||
	    (r = hvtb_hv_set_event(g.part, BENCH_HV_CONN, efd, 1)) ||
	    (r = guest_vp_create(&g, &v, 0)) ||
	    (r = guest_vp_enter_long(&v, guest_bench_hv, n, 0))) {
		fprintf(stderr, "exit_bench: hv setup: %s\n", strerror(-r));
		return 1;
	}
	while (done < BENCH_HV_KINDS) {
		if (guest_run_ucall(&v, &uc) != UCALL_SYNC ||
		    uc.args[0] != (uint64_t)done || uc.args[1] != 0) {
			fprintf(stderr, "exit_bench: hv: unexpected exit: %s\n",
				guest_describe_exit(&v, buf, sizeof(buf)));
			return 1;
		}
		memcpy(bench_ticks, guest_gpa(&g, (uintptr_t)bench_ticks),
		       n * sizeof(bench_ticks[0]));
		print_median(NULL, bench_hv_names[done], bench_ticks, n);
		done++;
	}
	if (read(efd, &count, sizeof(count)) != sizeof(count) || count != n) {
		fprintf(stderr, "exit_bench: eventfd counted %llu signals, want %llu\n",
			(unsigned long long)count, (unsigned long long)n);
		return 1;
	}
	close(efd);
	guest_vp_destroy(&v);
	guest_destroy(&g);
	return 0;
}

/* ---- SynIC: user space -> guest message latency ---- */

#define SYNIC_VEC		0xf3
#define SYNIC_SINT		2

static struct {
	uint32_t type;
	uint8_t size;
	uint8_t flags;
	uint8_t pad[250];
} bench_simp[16] __attribute__((aligned(4096)));
static volatile uint64_t synic_irqs, synic_t1;

static void synic_handler(struct guest_frame *f)
{
	(void)f;
	synic_t1 = guest_rdtsc();
	bench_simp[SYNIC_SINT].type = 0;	/* free the slot, as hv_vmbus does */
	__asm__ volatile("mfence" : : : "memory");
	if (bench_simp[SYNIC_SINT].flags & 1)
		guest_wrmsr(HV_X64_MSR_EOM, 0);
	synic_irqs++;
	guest_wrmsr(0x80b, 0);		/* x2APIC EOI */
}

static void guest_synic_bench(uint64_t n)
{
	guest_handlers[SYNIC_VEC] = synic_handler;
	guest_wrmsr(0x1b, 0xfee00d00);	/* x2APIC */
	guest_wrmsr(0x80f, 0x1ff);
	guest_wrmsr(HV_X64_MSR_SIMP, (uintptr_t)bench_simp | 1);
	guest_wrmsr(HV_X64_MSR_SINT0 + SYNIC_SINT, SYNIC_VEC);
	guest_wrmsr(HV_X64_MSR_SCONTROL, 1);
	while (synic_irqs < n)
		__asm__ volatile("sti; hlt" : : : "memory");
	__asm__ volatile("cli" : : : "memory");
}

static int kick_post(struct guest *g, uint64_t i)
{
	return hvtb_hv_post_message(g->part, 0, SYNIC_SINT, 1, &i, sizeof(i));
}

/* synic_post_to_handler in one scheduling mode. Return: 0 or -errno. */
static int synic_bench(uint64_t n, unsigned int flags, const char *mode)
{
	struct hvtb_hyperv_config c = {
		.flags = HVTB_HV_ENABLE,
		.features_eax = HV_MSR_HYPERCALL_AVAILABLE | HV_MSR_SYNIC_AVAILABLE,
	};
	struct guest g;
	struct guest_vp v;
	int r;

	r = guest_create(&g, GUEST_LAPIC | flags);
	if (r || (r = hvtb_set_hyperv(g.part, &c)) ||
	    (r = guest_vp_create(&g, &v, 0)) ||
	    (r = guest_vp_enter_long(&v, guest_synic_bench, n, 0)))
		return r;
	r = bench_host_to_handler(&g, &v, guest_gpa(&g, (uintptr_t)&synic_irqs),
				  guest_gpa(&g, (uintptr_t)&synic_t1), 0, n,
				  kick_post, mode, "synic_post_to_handler");
	guest_vp_destroy(&v);
	guest_destroy(&g);
	return r;
}

/* One pass of every figure with the VP scheduled as @flags asks. */
static int bench_mode(uint64_t n, unsigned int flags, const char *mode)
{
	struct guest g;
	struct guest_vp v;
	struct ucall uc;
	char buf[256];
	int r, done = 0;

	r = guest_create(&g, flags);
	if (r == -ENOENT) {
		printf("exit_bench: SKIP: /dev/hvtb missing (no VMX or hvtb not loaded)\n");
		return 4;
	}
	if (r || (r = guest_vp_create(&g, &v, 0)) ||
	    (r = guest_vp_enter_long(&v, guest_bench, n, 0))) {
		fprintf(stderr, "exit_bench: setup: %s\n", strerror(-r));
		return 1;
	}
	while (done < BENCH_KINDS) {
		if (guest_vp_run(&v)) {
			fprintf(stderr, "exit_bench: run: %s\n", strerror(errno));
			return 1;
		}
		if (v.run->exit_reason == HVTB_EXIT_IO && v.run->io.port == BENCH_PORT)
			continue;	/* the user-space round trip being measured */
		if (guest_get_ucall(&v, &uc) != UCALL_SYNC || uc.args[0] != (uint64_t)done) {
			fprintf(stderr, "exit_bench: unexpected exit: %s\n",
				guest_describe_exit(&v, buf, sizeof(buf)));
			return 1;
		}
		memcpy(bench_ticks, guest_gpa(&g, (uintptr_t)bench_ticks),
		       n * sizeof(bench_ticks[0]));
		qsort(bench_ticks, n, sizeof(bench_ticks[0]), cmp_u64);
		printf("exit_bench: %s %s median_ticks=%llu iterations=%llu\n", mode,
		       bench_names[done], (unsigned long long)bench_ticks[n / 2],
		       (unsigned long long)n);
		fflush(stdout);
		done++;
	}
	guest_vp_destroy(&v);
	guest_destroy(&g);
	return 0;
}

/*
 * The modes every figure is measured in: hvtb's threads or the RUN caller,
 * and, for the APIC and SynIC figures, with and without the CPU's APIC
 * virtualization (where the CPU has none, both columns are the exiting
 * path).
 */
static const struct {
	unsigned int flags;
	const char *name;
	bool apic_only;
} modes[] = {
	{ 0, "threads", false },
	{ GUEST_ROOT_SCHED, "root", false },
	{ GUEST_NO_APICV, "threads-noapicv", true },
	{ GUEST_ROOT_SCHED | GUEST_NO_APICV, "root-noapicv", true },
};

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 1000;
	unsigned int i;
	int r;

	if (n < 1 || n > BENCH_MAX) {
		fprintf(stderr, "exit_bench: iterations must be 1..%d\n", BENCH_MAX);
		return 2;
	}
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (!modes[i].apic_only) {
			r = bench_mode(n, modes[i].flags, modes[i].name);
			if (r)
				return r;
		}
		r = lapic_bench(n < 200 ? n : 200, modes[i].flags, modes[i].name);
		if (!r)
			r = synic_bench(n < 200 ? n : 200, modes[i].flags,
					modes[i].name);
		if (r) {
			fprintf(stderr, "exit_bench: %s: %s\n", modes[i].name,
				strerror(-r));
			return 1;
		}
	}
	return bench_hv(n);
}
