// SPDX-License-Identifier: GPL-2.0
/*
 * exit_bench - exit round-trip costs measured inside the guest with RDTSC:
 * CPUID answered by the kernel from the table, VMCALL HVTB_HC_NULL handled
 * in the kernel, and an OUT that goes to user space and back; then, in a
 * partition with Hyper-V enlightenments, HVTB_HC_NULL through the hypercall
 * page and the TLFS dispatcher, and a fast HvSignalEvent that signals an
 * eventfd (the eventfd's count is checked after the run). Prints the
 * median over N iterations of each, one line per figure:
 *
 *   exit_bench: cpuid_kernel median_ticks=NNN iterations=NNN
 *
 * Under Bochs (clock: sync=none) the TSC counts emulated instructions, so
 * the figures are exact, repeatable path lengths.
 *
 * usage: exit_bench [iterations]   (default 1000). Exit 4 (skip) without
 * /dev/hvtb.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "guest.h"
#include "hyperv.h"

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

/* The enlightened partition: HVTB_HC_NULL (TLFS path), HvSignalEvent. */
enum { BENCH_HV_NULL, BENCH_HV_SIGNAL, BENCH_HV_KINDS };

static const char *const bench_hv_names[BENCH_HV_KINDS] = {
	"hv_null_tlfs", "hv_signal_event_eventfd",
};

#define BENCH_HV_CONN		1
#define HV_MSR_GUEST_OS_ID	0x40000000
#define HV_MSR_HYPERCALL	0x40000001
#define HV_PRIV_HYPERCALL	(1U << 5)
#define HV_PRIV_SIGNAL_EVENTS	(1U << 5)
#define HV_CALL_SIGNAL_EVENT	0x005d
#define HV_CALL_FAST		(1ULL << 16)

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

	guest_wrmsr(HV_MSR_GUEST_OS_ID, 0x8100000000000000ULL);
	guest_wrmsr(HV_MSR_HYPERCALL, (uintptr_t)bench_hc_page | 1);
	for (kind = 0; kind < BENCH_HV_KINDS; kind++) {
		for (i = 0; i < n; i++) {
			t0 = guest_rdtsc();
			if (kind == BENCH_HV_NULL)
				rax |= bench_hv_call(HVTB_HC_NULL | HV_CALL_FAST, 0);
			else
				rax |= bench_hv_call(HV_CALL_SIGNAL_EVENT | HV_CALL_FAST,
						     BENCH_HV_CONN);
			bench_ticks[i] = guest_rdtsc() - t0;
		}
		GUEST_SYNC2(kind, rax);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void print_median(const char *name, struct guest *g, uint64_t n)
{
	memcpy(bench_ticks, guest_gpa(g, (uintptr_t)bench_ticks),
	       n * sizeof(bench_ticks[0]));
	qsort(bench_ticks, n, sizeof(bench_ticks[0]), cmp_u64);
	printf("exit_bench: %s median_ticks=%llu iterations=%llu\n", name,
	       (unsigned long long)bench_ticks[n / 2], (unsigned long long)n);
	fflush(stdout);
}

static int bench_hv(uint64_t n)
{
	struct hvtb_hyperv_config c = {
		.flags = HVTB_HV_ENABLE, .features_eax = HV_PRIV_HYPERCALL,
		.features_ebx = HV_PRIV_SIGNAL_EVENTS,
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
		print_median(bench_hv_names[done], &g, n);
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

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 1000;
	struct guest g;
	struct guest_vp v;
	struct ucall uc;
	char buf[256];
	int r, done = 0;

	if (n < 1 || n > BENCH_MAX) {
		fprintf(stderr, "exit_bench: iterations must be 1..%d\n", BENCH_MAX);
		return 2;
	}
	r = guest_create(&g, 0);
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
		print_median(bench_names[done], &g, n);
		done++;
	}
	guest_vp_destroy(&v);
	guest_destroy(&g);
	return bench_hv(n);
}
