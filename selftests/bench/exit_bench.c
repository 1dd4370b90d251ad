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
 * Under Bochs (clock: sync=none) the TSC counts emulated instructions, so
 * the figures are exact, repeatable path lengths.
 *
 * usage: exit_bench [iterations]   (default 1000). Exit 4 (skip) without
 * /dev/hvtb.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest.h"

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

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
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

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 1000;
	int r;

	if (n < 1 || n > BENCH_MAX) {
		fprintf(stderr, "exit_bench: iterations must be 1..%d\n", BENCH_MAX);
		return 2;
	}
	r = bench_mode(n, 0, "threads");
	if (!r)
		r = bench_mode(n, GUEST_ROOT_SCHED, "root");
	return r;
}
