// SPDX-License-Identifier: GPL-2.0
/*
 * hyperv_test - the Hyper-V (TLFS) enlightenments of a partition
 * (HVTB_EXT_HYPERV) seen from a long-mode guest: the CPUID leaves, every
 * synthetic MSR with and without its privilege (#GP), reserved bits, save
 * and restore through HVTB_VP_GET/SET_MSRS, the hypercall page and calls
 * through it, every hypercall status path, fast and slow calls, a rep call
 * stopping early and restarting from its rep start, HvPostMessage into a
 * port fd (exact bytes, full port, unknown port, oversize), HvSignalEvent
 * into an eventfd, the reference counter and the reference TSC page, VP
 * indexes, forwarding unknown calls, and bad ioctl inputs with their errno.
 * SynIC (partitions with the in-kernel APIC): host messages into the SIMP
 * page with EOM redelivery, busy slots, masked SINTs, auto-EOI, waking a
 * halted or computing VP, a SIMP page outside guest memory; event flags
 * from the host and from HvSignalEvent (same VP and another VP); synthetic
 * timers in direct and message mode; the TLFS APIC MSRs; get/set of the
 * SynIC state; every bad input of those ioctls.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hvtb_harness.h"
#include "guest.h"
#include "hyperv.h"
#include "tlfs.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT	300

/* The TLFS numbers are in include/tlfs.h. */

#define ALL_EAX		(HV_MSR_TIME_REF_COUNT_AVAILABLE | HV_MSR_SYNIC_AVAILABLE | \
			 HV_MSR_SYNTIMER_AVAILABLE | HV_MSR_APIC_ACCESS_AVAILABLE | \
			 HV_MSR_HYPERCALL_AVAILABLE | HV_MSR_VP_INDEX_AVAILABLE | \
			 HV_MSR_REFERENCE_TSC_AVAILABLE | HV_ACCESS_FREQUENCY_MSRS)
#define ALL_EBX		(HV_ACCESS_PARTITION_ID | HV_POST_MESSAGES | HV_SIGNAL_EVENTS)

#define HC_REP(count, start)	(((uint64_t)(count) << HV_HYPERCALL_REP_COMP_OFFSET) | \
				 ((uint64_t)(start) << HV_HYPERCALL_REP_START_OFFSET))
#define HC_REPS_DONE(rax)	(((rax) >> HV_HYPERCALL_REP_COMP_OFFSET) & 0xfff)

#define GUEST_OS_ID		0x8100000000000000ULL	/* open source, Linux */

/*
 * Guest pages; in the binary image, so the same address in the guest. The
 * spare page after in_page takes what a test writes past its end.
 */
static struct {
	uint8_t hc[4096];
	uint8_t in[4096];
	uint8_t spare[4096];
	uint8_t out[4096];
	uint8_t tsc[4096];
} pages __attribute__((aligned(4096)));
#define hc_page		pages.hc
#define in_page		pages.in
#define out_page	pages.out
#define tsc_page	pages.tsc
static volatile uint64_t gp_count, ud_count;

struct post_input {
	uint32_t connection_id;
	uint32_t reserved;
	uint32_t message_type;
	uint32_t payload_size;
	uint8_t payload[240];
};

/* ---- guest side ---- */

static void gp_skip2(struct guest_frame *f)
{
	gp_count++;
	f->rip += 2;	/* RDMSR, WRMSR */
}

static void ud_skip3(struct guest_frame *f)
{
	ud_count++;
	f->rip += 3;	/* VMCALL */
}

static uint64_t hv_call(uint64_t control, uint64_t in, uint64_t out)
{
	register uint64_t r8 __asm__("r8") = out;
	uint64_t rax;

	__asm__ volatile("call *%[page]"
			 : "=a"(rax), "+c"(control), "+d"(in), "+r"(r8)
			 : [page] "r"((uintptr_t)hc_page) : "memory", "cc");
	return rax;
}

/* RDMSR/WRMSR that report a #GP instead of taking it. */
static int try_rdmsr(uint32_t index, uint64_t *v)
{
	uint64_t before = gp_count;

	*v = guest_rdmsr(index);
	return gp_count != before;
}

static int try_wrmsr(uint32_t index, uint64_t v)
{
	uint64_t before = gp_count;

	guest_wrmsr(index, v);
	return gp_count != before;
}

static void guest_enable_hypercall(void)
{
	guest_handlers[13] = gp_skip2;
	guest_handlers[6] = ud_skip3;
	guest_wrmsr(HV_X64_MSR_GUEST_OS_ID, GUEST_OS_ID);
	guest_wrmsr(HV_X64_MSR_HYPERCALL, (uintptr_t)hc_page | 1);
}

/* ---- test side ---- */

static int hv_setup(struct guest *g, struct guest_vp *v, uint32_t eax,
		    uint32_t ebx, uint32_t flags)
{
	struct hvtb_hyperv_config c = {
		.flags = HVTB_HV_ENABLE | flags,
		.features_eax = eax, .features_ebx = ebx,
	};
	int r = hvtb_set_hyperv(g->part, &c);

	return r ? r : guest_vp_create(g, v, 0);
}

#define SETUP(g, v, eax, ebx, flags) do {				\
	GUEST_OR_SKIP(&(g), 0);						\
	ASSERT_EQ(0, hv_setup(&(g), &(v), (eax), (ebx), (flags)));	\
} while (0)

#define TEARDOWN(g, v) do {						\
	guest_vp_destroy(&(v));						\
	guest_destroy(&(g));						\
} while (0)

static void guest_vp_index_dummy(void)
{
}

/* ---- CPUID ---- */

static uint32_t cpuid_out[8][4];

static void guest_cpuid_hv(void)
{
	static const uint32_t leaves[8] = {
		1, 0x40000000, 0x40000001, 0x40000003, 0x40000004,
		0x40000005, 0x4000000a, 0x4000000b,
	};
	int i;

	for (i = 0; i < 8; i++)
		guest_cpuid(leaves[i], 0, cpuid_out[i]);
}

/*
 * The tests up to the SynIC's create their partitions without the run's
 * mode (HVTB_TEST_ROOT_SCHED, HVTB_TEST_NO_APICV: guest_env_flags()):
 * under hyperv_test:root and :noapicv they would repeat the default run.
 */
#define DEFAULT_MODE_ONLY() do {					\
	if (guest_env_flags())						\
		SKIP(return, "mode-independent: runs in the default mode");	\
} while (0)

TEST(cpuid_leaves)
{
	struct hvtb_hyperv_config c = {
		.flags = HVTB_HV_ENABLE, .features_eax = 0x262,
		.features_ebx = 0x30, .features_edx = 0x100, .hints_eax = 0x200,
		.max_vps = 4,
	};
	struct guest g;
	struct guest_vp v;

	DEFAULT_MODE_ONLY();

	GUEST_OR_SKIP(&g, 0);
	ASSERT_EQ(1, guest_ioctl(g.dev, HVTB_CHECK_EXTENSION, HVTB_EXT_HYPERV));
	ASSERT_EQ(0, hvtb_set_hyperv(g.part, &c));
	ASSERT_EQ(0, guest_vp_create(&g, &v, 0));
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_cpuid_hv, 0, 0));
	EXPECT_UCALL(&v, UCALL_DONE);
	guest_sync_from(&g, cpuid_out);
	EXPECT_EQ(1U << 31, cpuid_out[0][2] & (1U << 31));	/* hypervisor */
	EXPECT_EQ(0x4000000a, cpuid_out[1][0]);
	EXPECT_EQ(0, memcmp(&cpuid_out[1][1], "Microsoft Hv", 12));
	EXPECT_EQ(0, memcmp(&cpuid_out[2][0], "Hv#1", 4));
	EXPECT_EQ(0x262, cpuid_out[3][0]);
	EXPECT_EQ(0x30, cpuid_out[3][1]);
	EXPECT_EQ(0x100, cpuid_out[3][3]);
	EXPECT_EQ(0x200, cpuid_out[4][0]);
	EXPECT_EQ(0xffffffff, cpuid_out[4][1]);		/* spin retries */
	EXPECT_EQ(4, cpuid_out[5][0]);
	EXPECT_EQ(4, cpuid_out[5][1]);
	EXPECT_EQ(0, cpuid_out[6][0]);
	EXPECT_EQ(0, cpuid_out[7][1]);	/* past the range: the table's (none) */
	TEARDOWN(g, v);
}

TEST(no_enlightenments_by_default)
{
	struct guest g;
	struct guest_vp v;

	DEFAULT_MODE_ONLY();

	GUEST_OR_SKIP(&g, 0);
	ASSERT_EQ(0, guest_vp_create(&g, &v, 0));
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_cpuid_hv, 0, 0));
	EXPECT_UCALL(&v, UCALL_DONE);
	guest_sync_from(&g, cpuid_out);
	EXPECT_EQ(0, cpuid_out[0][2] & (1U << 31));
	EXPECT_EQ(0, cpuid_out[1][0]);
	EXPECT_EQ(0, cpuid_out[1][1]);
	TEARDOWN(g, v);
}

/* ---- MSR privileges ---- */

static const uint32_t probe_msrs[] = {
	HV_X64_MSR_GUEST_OS_ID, HV_X64_MSR_HYPERCALL, HV_X64_MSR_VP_INDEX, HV_X64_MSR_TIME_REF_COUNT,
	HV_X64_MSR_REFERENCE_TSC, HV_X64_MSR_TSC_FREQUENCY, HV_X64_MSR_APIC_FREQUENCY,
	HV_X64_MSR_VP_ASSIST_PAGE, HV_X64_MSR_SCONTROL, HV_X64_MSR_SVERSION, HV_X64_MSR_SIEFP, HV_X64_MSR_SIMP,
	HV_X64_MSR_EOM, HV_X64_MSR_SINT0, HV_X64_MSR_SINT0 + 15, HV_X64_MSR_STIMER0_CONFIG,
	HV_X64_MSR_STIMER0_CONFIG + 7, 0x40000070 /* HV_X64_MSR_EOI: APIC's */,
};

static const uint32_t probe_priv[] = {
	HV_MSR_HYPERCALL_AVAILABLE, HV_MSR_HYPERCALL_AVAILABLE, HV_MSR_VP_INDEX_AVAILABLE, HV_MSR_TIME_REF_COUNT_AVAILABLE,
	HV_MSR_REFERENCE_TSC_AVAILABLE, HV_ACCESS_FREQUENCY_MSRS, HV_ACCESS_FREQUENCY_MSRS, HV_MSR_APIC_ACCESS_AVAILABLE, HV_MSR_SYNIC_AVAILABLE,
	HV_MSR_SYNIC_AVAILABLE, HV_MSR_SYNIC_AVAILABLE, HV_MSR_SYNIC_AVAILABLE, HV_MSR_SYNIC_AVAILABLE, HV_MSR_SYNIC_AVAILABLE, HV_MSR_SYNIC_AVAILABLE,
	HV_MSR_SYNTIMER_AVAILABLE, HV_MSR_SYNTIMER_AVAILABLE, 0,
};

/* Read every probe MSR; SYNC the mask of those that #GP'd. */
static void guest_msr_probe(void)
{
	uint64_t mask = 0, v;
	unsigned int i;

	guest_handlers[13] = gp_skip2;
	for (i = 0; i < sizeof(probe_msrs) / sizeof(probe_msrs[0]); i++)
		if (try_rdmsr(probe_msrs[i], &v))
			mask |= 1ULL << i;
	/* A writable one: VP_ASSIST_PAGE must not #GP when granted. */
	if (try_wrmsr(HV_X64_MSR_VP_ASSIST_PAGE, 0x5000 | 1))
		mask |= 1ULL << 63;
	GUEST_SYNC(mask);
}

TEST(msr_privileges)
{
	static const uint32_t bits[] = {
		0, HV_MSR_TIME_REF_COUNT_AVAILABLE, HV_MSR_SYNIC_AVAILABLE, HV_MSR_SYNTIMER_AVAILABLE, HV_MSR_APIC_ACCESS_AVAILABLE,
		HV_MSR_HYPERCALL_AVAILABLE, HV_MSR_VP_INDEX_AVAILABLE, HV_MSR_REFERENCE_TSC_AVAILABLE, HV_ACCESS_FREQUENCY_MSRS, ALL_EAX,
	};
	unsigned int b, i;

	DEFAULT_MODE_ONLY();

	for (b = 0; b < ARRAY_SIZE(bits); b++) {
		struct guest g;
		struct guest_vp v;
		struct ucall uc;
		uint64_t want = 0;

		for (i = 0; i < ARRAY_SIZE(probe_msrs); i++)
			if (!(probe_priv[i] & bits[b]))
				want |= 1ULL << i;
		if (!(bits[b] & HV_MSR_APIC_ACCESS_AVAILABLE))
			want |= 1ULL << 63;
		SETUP(g, v, bits[b], 0, 0);
		ASSERT_EQ(0, guest_vp_enter_long(&v, guest_msr_probe, 0, 0));
		uc = EXPECT_UCALL(&v, UCALL_SYNC);
		EXPECT_EQ(want, uc.args[0]) TH_LOG("privileges 0x%x", bits[b]);
		EXPECT_UCALL(&v, UCALL_DONE);
		TEARDOWN(g, v);
	}
}

/* ---- MSR values, reserved bits, save/restore ---- */

static void guest_msr_values(void)
{
	uint64_t v;

	guest_handlers[13] = gp_skip2;
	GUEST_ASSERT_EQ(guest_rdmsr(HV_X64_MSR_SVERSION), 1);
	GUEST_ASSERT(try_wrmsr(HV_X64_MSR_SVERSION, 1));
	GUEST_ASSERT(try_wrmsr(HV_X64_MSR_VP_INDEX, 0));
	GUEST_ASSERT(try_wrmsr(HV_X64_MSR_TIME_REF_COUNT, 0));
	GUEST_ASSERT(try_wrmsr(HV_X64_MSR_TSC_FREQUENCY, 0));
	GUEST_ASSERT_EQ(guest_rdmsr(HV_X64_MSR_APIC_FREQUENCY), 1000000000);
	GUEST_ASSERT(guest_rdmsr(HV_X64_MSR_TSC_FREQUENCY) > 1000000);
	/* SINTs start masked; reserved bits and vectors below 16 #GP. */
	GUEST_ASSERT_EQ(guest_rdmsr(HV_X64_MSR_SINT0 + 2), 1 << 16);
	GUEST_ASSERT(try_wrmsr(HV_X64_MSR_SINT0 + 2, 0xf3 | (1 << 8)));
	GUEST_ASSERT(try_wrmsr(HV_X64_MSR_SINT0 + 2, 0xf3 | (1ULL << 19)));
	GUEST_ASSERT(try_wrmsr(HV_X64_MSR_SINT0 + 2, 0x0f));
	GUEST_ASSERT(!try_wrmsr(HV_X64_MSR_SINT0 + 2, 0x0f | (1 << 16)));
	GUEST_ASSERT(!try_wrmsr(HV_X64_MSR_SINT0 + 2, 0xf3));
	GUEST_ASSERT_EQ(guest_rdmsr(HV_X64_MSR_SINT0 + 2), 0xf3);
	GUEST_ASSERT(try_wrmsr(HV_X64_MSR_SCONTROL, 2));
	GUEST_ASSERT(!try_wrmsr(HV_X64_MSR_SCONTROL, 1));
	GUEST_ASSERT(try_wrmsr(HV_X64_MSR_SIMP, 0x6000 | 2));
	GUEST_ASSERT(!try_wrmsr(HV_X64_MSR_SIMP, 0x6000 | 1));
	GUEST_ASSERT(!try_wrmsr(HV_X64_MSR_SIEFP, 0x7000 | 1));
	GUEST_ASSERT(!try_wrmsr(HV_X64_MSR_EOM, 0));
	GUEST_ASSERT(try_wrmsr(HV_X64_MSR_STIMER0_CONFIG, 1ULL << 20));
	/* Not enabled (bit 0): the timer stays quiet (SIMP is a page table). */
	GUEST_ASSERT(!try_wrmsr(HV_X64_MSR_STIMER0_CONFIG + 2, 0x2f2 | (2 << 16)));
	GUEST_ASSERT(!try_wrmsr(HV_X64_MSR_STIMER0_CONFIG + 3, 123456));
	GUEST_ASSERT(try_wrmsr(HV_X64_MSR_VP_ASSIST_PAGE, 0x5000 | 4));
	GUEST_ASSERT(!try_wrmsr(HV_X64_MSR_VP_ASSIST_PAGE, 0x5000 | 1));
	GUEST_ASSERT(try_wrmsr(HV_X64_MSR_HYPERCALL, (uintptr_t)hc_page | 4));
	v = guest_rdmsr(HV_X64_MSR_VP_ASSIST_PAGE);
	GUEST_SYNC(v);
}

TEST(msr_values_and_save_restore)
{
	struct hvtb_msr_entry e[] = {
		{ .index = HV_X64_MSR_SINT0 + 2 }, { .index = HV_X64_MSR_SCONTROL },
		{ .index = HV_X64_MSR_SIMP }, { .index = HV_X64_MSR_SIEFP },
		{ .index = HV_X64_MSR_STIMER0_CONFIG + 2 },
		{ .index = HV_X64_MSR_STIMER0_CONFIG + 3 },
		{ .index = HV_X64_MSR_VP_ASSIST_PAGE }, { .index = HV_X64_MSR_SVERSION },
	};
	struct hvtb_msrs m = { .nmsrs = ARRAY_SIZE(e), .entries = (uintptr_t)e };
	struct hvtb_msr_entry w[] = {
		{ .index = HV_X64_MSR_SINT0 + 5, .data = 0x10042 },
		{ .index = HV_X64_MSR_STIMER0_CONFIG + 6, .data = 0xb },
		{ .index = HV_X64_MSR_SVERSION, .data = 1 },	/* read-only: stops here */
	};
	struct hvtb_msrs wm = { .nmsrs = ARRAY_SIZE(w), .entries = (uintptr_t)w };
	struct guest g;
	struct guest_vp v;
	struct ucall uc;

	DEFAULT_MODE_ONLY();

	SETUP(g, v, ALL_EAX, 0, 0);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_msr_values, 0, 0));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(0x5001, uc.args[0]);
	EXPECT_UCALL(&v, UCALL_DONE);

	ASSERT_EQ((long)ARRAY_SIZE(e), guest_ioctl(v.fd, HVTB_VP_GET_MSRS, (uintptr_t)&m));
	EXPECT_EQ(0xf3, e[0].data);
	EXPECT_EQ(1, e[1].data);
	EXPECT_EQ(0x6001, e[2].data);
	EXPECT_EQ(0x7001, e[3].data);
	EXPECT_EQ(0x2f2 | (2 << 16), e[4].data);
	EXPECT_EQ(123456, e[5].data);
	EXPECT_EQ(0x5001, e[6].data);
	EXPECT_EQ(1, e[7].data);

	ASSERT_EQ(2, guest_ioctl(v.fd, HVTB_VP_SET_MSRS, (uintptr_t)&wm));
	w[0].data = w[1].data = 0;
	wm.nmsrs = 2;
	ASSERT_EQ(2, guest_ioctl(v.fd, HVTB_VP_GET_MSRS, (uintptr_t)&wm));
	EXPECT_EQ(0x10042, w[0].data);
	EXPECT_EQ(0xb, w[1].data);
	TEARDOWN(g, v);
}

/* ---- hypercall page ---- */

static void guest_hc_page(void)
{
	uint64_t r;

	guest_handlers[13] = gp_skip2;
	guest_handlers[6] = ud_skip3;
	/* VMCALL before the page is enabled: #UD. */
	r = guest_vmcall(HVTB_HC_NULL, 0, 0);
	GUEST_ASSERT_EQ(ud_count, 1);
	/* The enable bit does not stick before GUEST_OS_ID. */
	guest_wrmsr(HV_X64_MSR_HYPERCALL, (uintptr_t)hc_page | 1);
	GUEST_ASSERT_EQ(guest_rdmsr(HV_X64_MSR_HYPERCALL), (uintptr_t)hc_page);
	guest_wrmsr(HV_X64_MSR_GUEST_OS_ID, GUEST_OS_ID);
	GUEST_ASSERT_EQ(guest_rdmsr(HV_X64_MSR_GUEST_OS_ID), GUEST_OS_ID);
	guest_wrmsr(HV_X64_MSR_HYPERCALL, (uintptr_t)hc_page | 1);
	GUEST_ASSERT_EQ(guest_rdmsr(HV_X64_MSR_HYPERCALL), (uintptr_t)hc_page | 1);
	GUEST_SYNC(1);		/* the test looks at the page */
	r = hv_call(HVTB_HC_NULL, 0, 0);
	GUEST_ASSERT_EQ(r, HV_STATUS_SUCCESS);
	r = hv_call(HVTB_HC_NULL | HV_HYPERCALL_FAST_BIT, 0, 0);
	GUEST_ASSERT_EQ(r, HV_STATUS_SUCCESS);
	/* Locked: later writes are ignored. */
	guest_wrmsr(HV_X64_MSR_HYPERCALL, (uintptr_t)hc_page | 3);
	guest_wrmsr(HV_X64_MSR_HYPERCALL, 0);
	GUEST_ASSERT_EQ(guest_rdmsr(HV_X64_MSR_HYPERCALL), (uintptr_t)hc_page | 3);
	GUEST_ASSERT_EQ(ud_count, 1);
	GUEST_ASSERT_EQ(gp_count, 0);
	(void)r;
}

TEST(hypercall_page)
{
	static const uint8_t want[] = { 0x0f, 0x01, 0xc1, 0xc3 };
	struct hvtb_hv_vp_stats s;
	struct guest g;
	struct guest_vp v;

	DEFAULT_MODE_ONLY();

	SETUP(g, v, HV_MSR_HYPERCALL_AVAILABLE, 0, 0);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_hc_page, 0, 0));
	EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(0, memcmp(guest_gpa(&g, (uintptr_t)hc_page), want, sizeof(want)));
	EXPECT_UCALL(&v, UCALL_DONE);
	ASSERT_EQ(0, hvtb_vp_get_hv_stats(v.fd, &s));
	EXPECT_EQ(2, s.hypercalls);
	EXPECT_EQ(0, s.failed);
	TEARDOWN(g, v);
}

/* VMCALL in real mode: #UD, delivered through the IVT to an OUT 0x80. */
static const uint8_t real_vmcall[] = {
	0x0f, 0x01, 0xc1,	/* vmcall */
	0xf4,			/* hlt (not reached) */
	0xb0, 0x06,		/* 4: mov al, 6 (the #UD handler) */
	0xe6, 0x80,		/* out 0x80, al */
	0xf4,			/* hlt */
};

TEST(real_mode_vmcall_ud)
{
	struct hvtb_msr_entry e[] = {
		{ .index = HV_X64_MSR_GUEST_OS_ID, .data = GUEST_OS_ID },
		{ .index = HV_X64_MSR_HYPERCALL, .data = 0x20000 | 1 },
	};
	struct hvtb_msrs m = { .nmsrs = 2, .entries = (uintptr_t)e };
	struct guest g;
	struct guest_vp v;
	uint32_t ivt6 = (GUEST_REAL_CODE >> 4) << 16 | 4;

	DEFAULT_MODE_ONLY();

	SETUP(g, v, HV_MSR_HYPERCALL_AVAILABLE, 0, 0);
	/* User space enables the page: the kernel writes it at once. */
	ASSERT_EQ(2, guest_ioctl(v.fd, HVTB_VP_SET_MSRS, (uintptr_t)&m));
	EXPECT_EQ(0xc3, *(uint8_t *)guest_gpa(&g, 0x20003));
	memcpy(guest_gpa(&g, 6 * 4), &ivt6, sizeof(ivt6));
	ASSERT_EQ(0, guest_vp_enter_real(&v, real_vmcall, sizeof(real_vmcall)));
	RUN_EXPECT(&v, HVTB_EXIT_IO);
	EXPECT_EQ(0x80, v.run->io.port);
	EXPECT_EQ(6, v.run->io.value);
	TEARDOWN(g, v);
}

/*
 * VMCALL at CPL 3: #UD (the TLFS; KVM does the same). The VP starts in ring
 * 3 at cpl3_code with IOPL 3; the #UD handler reports from ring 0. Without
 * the #UD the OUT to 0x81 would reach user space.
 */
__asm__(".pushsection .text\n"
	".globl cpl3_code\n"
	"cpl3_code:\n"
	"	vmcall\n"
	"	outb %al, $0x81\n"
	"	jmp cpl3_code\n"
	".popsection");
extern char cpl3_code[];

static void ud_report(struct guest_frame *f)
{
	GUEST_SYNC2(f->vector, f->cs);
}

TEST(cpl3_vmcall_ud)
{
	struct hvtb_msr_entry e[] = {
		{ .index = HV_X64_MSR_GUEST_OS_ID, .data = GUEST_OS_ID },
		{ .index = HV_X64_MSR_HYPERCALL, .data = (uintptr_t)hc_page | 1 },
	};
	struct hvtb_msrs m = { .nmsrs = 2, .entries = (uintptr_t)e };
	uint64_t *pml4, *pdpt, *pd, *gdt, rsp0 = GUEST_STACKS_TOP - 16;
	struct hvtb_sregs s;
	struct hvtb_regs r = { 0 };
	struct guest g;
	struct guest_vp v;
	struct ucall uc;
	int i;

	DEFAULT_MODE_ONLY();

	SETUP(g, v, HV_MSR_HYPERCALL_AVAILABLE, 0, 0);
	ASSERT_EQ(2, guest_ioctl(v.fd, HVTB_VP_SET_MSRS, (uintptr_t)&m));
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_vp_index_dummy, 0, 0));
	/* User-accessible pages, ring-3 segments, RSP0 for the #UD. */
	pml4 = guest_gpa(&g, GUEST_PML4);
	pdpt = guest_gpa(&g, GUEST_PDPT);
	pd = guest_gpa(&g, GUEST_PD);
	pml4[0] |= 4;
	for (i = 0; i < 4; i++)
		pdpt[i] |= 4;
	for (i = 0; i < 2048; i++)
		pd[i] |= 4;
	gdt = guest_gpa(&g, GUEST_GDT);
	gdt[6] = 0x00affb000000ffffULL;		/* 64-bit code, DPL 3 */
	gdt[7] = 0x00cff3000000ffffULL;		/* data, DPL 3 */
	memcpy(guest_gpa(&g, GUEST_TSS + 4), &rsp0, sizeof(rsp0));
	guest_handlers[6] = ud_report;
	guest_sync_to(&g, guest_handlers);

	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_SREGS, (uintptr_t)&s));
	s.cs.selector = 0x33;
	s.cs.ar = 0xa0fb;
	s.ss.selector = 0x3b;
	s.ss.ar = 0xc0f3;
	s.gdt.limit = 0x3f;
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_SET_SREGS, (uintptr_t)&s));
	r.rip = (uintptr_t)cpl3_code;
	r.rsp = GUEST_STACKS_TOP - 0x8000;
	r.rflags = 0x3002;			/* IOPL 3 */
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_SET_REGS, (uintptr_t)&r));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(6, uc.args[0]);
	EXPECT_EQ(0x33, uc.args[1]);
	TEARDOWN(g, v);
}

/* ---- status codes ---- */

static uint64_t post(uint32_t conn, uint32_t type, uint32_t size, uint64_t gpa)
{
	struct post_input *in = (struct post_input *)gpa;

	in->connection_id = conn;
	in->reserved = 0;
	in->message_type = type;
	in->payload_size = size;
	return hv_call(HVCALL_POST_MESSAGE, gpa, 0);
}

static void guest_status_codes(void)
{
	struct post_input *in = (struct post_input *)in_page;
	uint64_t edge = (uintptr_t)in_page + 4096 - 8;

	guest_enable_hypercall();
	GUEST_ASSERT_EQ(hv_call(0x7fff, 0, 0), HV_STATUS_INVALID_HYPERCALL_CODE);
	GUEST_ASSERT_EQ(hv_call(0x0001, 0, 0), HV_STATUS_INVALID_HYPERCALL_CODE);
	GUEST_ASSERT_EQ(hv_call(HVTB_HC_NULL | (1ULL << 27), 0, 0), HV_STATUS_INVALID_HYPERCALL_INPUT);
	GUEST_ASSERT_EQ(hv_call(HVTB_HC_NULL | (1ULL << 44), 0, 0), HV_STATUS_INVALID_HYPERCALL_INPUT);
	GUEST_ASSERT_EQ(hv_call(HVTB_HC_NULL | (1ULL << 63), 0, 0), HV_STATUS_INVALID_HYPERCALL_INPUT);
	GUEST_ASSERT_EQ(hv_call(HVTB_HC_NULL | HC_REP(1, 0), 0, 0), HV_STATUS_INVALID_HYPERCALL_INPUT);
	GUEST_ASSERT_EQ(hv_call(HVTB_HC_NULL | (1ULL << 17), 0, 0), HV_STATUS_INVALID_HYPERCALL_INPUT);
	GUEST_ASSERT_EQ(hv_call(HVCALL_POST_MESSAGE | HV_HYPERCALL_FAST_BIT, 0, 0), HV_STATUS_INVALID_HYPERCALL_INPUT);
	GUEST_ASSERT_EQ(hv_call(HVCALL_GET_PARTITION_ID | HV_HYPERCALL_FAST_BIT, 0, 0), HV_STATUS_INVALID_HYPERCALL_INPUT);
	GUEST_ASSERT_EQ(post(7, 1, 8, (uintptr_t)in_page + 4), HV_STATUS_INVALID_ALIGNMENT);
	GUEST_ASSERT_EQ(post(7, 1, 8, edge), HV_STATUS_INVALID_ALIGNMENT);
	GUEST_ASSERT_EQ(hv_call(HVCALL_GET_PARTITION_ID, 0, (uintptr_t)out_page + 2),
			HV_STATUS_INVALID_ALIGNMENT);
	GUEST_ASSERT_EQ(hv_call(HVCALL_POST_MESSAGE, GUEST_MMIO_GPA, 0), HV_STATUS_INVALID_HYPERCALL_INPUT);
	GUEST_ASSERT_EQ(post(7, 1, 8, (uintptr_t)in_page), HV_STATUS_INVALID_CONNECTION_ID);
	GUEST_ASSERT_EQ(post(5, 1, 241, (uintptr_t)in_page), HV_STATUS_INVALID_PARAMETER);
	GUEST_ASSERT_EQ(post(5, 0, 8, (uintptr_t)in_page), HV_STATUS_INVALID_PARAMETER);
	GUEST_ASSERT_EQ(post(5, 0x80000001, 8, (uintptr_t)in_page), HV_STATUS_INVALID_PARAMETER);
	in->connection_id = 5;
	in->reserved = 1;
	GUEST_ASSERT_EQ(hv_call(HVCALL_POST_MESSAGE, (uintptr_t)in_page, 0), HV_STATUS_INVALID_HYPERCALL_INPUT);
	GUEST_ASSERT_EQ(hv_call(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT, 9, 0), HV_STATUS_INVALID_CONNECTION_ID);
	GUEST_ASSERT_EQ(hv_call(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT, 1ULL << 48, 0), HV_STATUS_INVALID_HYPERCALL_INPUT);
	GUEST_ASSERT_EQ(hv_call(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT, 1ULL << 24, 0), HV_STATUS_INVALID_HYPERCALL_INPUT);
	GUEST_ASSERT_EQ(hv_call(HVTB_HC_REP_FILL, (uintptr_t)in_page,
				(uintptr_t)out_page), HV_STATUS_INVALID_HYPERCALL_INPUT);
	GUEST_ASSERT_EQ(hv_call(HVTB_HC_REP_FILL | HC_REP(4, 4), (uintptr_t)in_page,
				(uintptr_t)out_page), HV_STATUS_INVALID_HYPERCALL_INPUT | HC_REP(4, 0));
	GUEST_ASSERT_EQ(hv_call(HVTB_HC_REP_FILL | HC_REP(513, 0), (uintptr_t)in_page,
				(uintptr_t)out_page), HV_STATUS_INVALID_HYPERCALL_INPUT);
	GUEST_ASSERT_EQ(hv_call(HVTB_HC_REP_FILL | HC_REP(16, 0), (uintptr_t)in_page,
				(uintptr_t)out_page + 4096 - 64), HV_STATUS_INVALID_ALIGNMENT);
	GUEST_ASSERT_EQ(hv_call(HVTB_HC_REP_FILL | HV_HYPERCALL_FAST_BIT | HC_REP(1, 0), 0, 0),
			HV_STATUS_INVALID_HYPERCALL_INPUT);
	*(volatile uint64_t *)out_page = 0;
	GUEST_ASSERT_EQ(hv_call(HVCALL_GET_PARTITION_ID, 0, (uintptr_t)out_page), HV_STATUS_SUCCESS);
	GUEST_SYNC(*(volatile uint64_t *)out_page);
}

TEST(status_codes)
{
	struct hvtb_partition_info info;
	struct hvtb_hv_vp_stats s;
	struct guest g;
	struct guest_vp v;
	struct ucall uc;

	DEFAULT_MODE_ONLY();

	SETUP(g, v, ALL_EAX, ALL_EBX, 0);
	ASSERT_EQ(0, guest_ioctl(g.part, HVTB_PARTITION_GET_INFO, (uintptr_t)&info));
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_status_codes, 0, 0));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(info.id, uc.args[0]);
	EXPECT_UCALL(&v, UCALL_DONE);
	ASSERT_EQ(0, hvtb_vp_get_hv_stats(v.fd, &s));
	EXPECT_EQ(27, s.hypercalls);
	EXPECT_EQ(26, s.failed);
	TEARDOWN(g, v);
}

static void guest_access_denied(void)
{
	guest_enable_hypercall();
	GUEST_ASSERT_EQ(post(5, 1, 8, (uintptr_t)in_page), HV_STATUS_ACCESS_DENIED);
	GUEST_ASSERT_EQ(hv_call(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT, 5, 0), HV_STATUS_ACCESS_DENIED);
	GUEST_ASSERT_EQ(hv_call(HVCALL_GET_PARTITION_ID, 0, (uintptr_t)out_page),
			HV_STATUS_ACCESS_DENIED);
	/* No privilege needed: */
	GUEST_ASSERT_EQ(hv_call(HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HYPERCALL_FAST_BIT, 1, 0), HV_STATUS_SUCCESS);
	GUEST_ASSERT_EQ(hv_call(HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HYPERCALL_FAST_BIT, 2, 0), HV_STATUS_SUCCESS);
}

TEST(access_denied_and_spin_wait)
{
	struct hvtb_hv_vp_stats s;
	struct guest g;
	struct guest_vp v;
	int port;

	DEFAULT_MODE_ONLY();

	SETUP(g, v, HV_MSR_HYPERCALL_AVAILABLE, 0, 0);
	port = hvtb_hv_create_port(g.part, 5, 0);
	ASSERT_LE(0, port);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_access_denied, 0, 0));
	EXPECT_UCALL(&v, UCALL_DONE);
	ASSERT_EQ(0, hvtb_vp_get_hv_stats(v.fd, &s));
	EXPECT_EQ(2, s.long_spin_wait);
	EXPECT_EQ(3, s.failed);
	close(port);
	TEARDOWN(g, v);
}

/* ---- HvPostMessage ---- */

static void guest_post(void)
{
	struct post_input *in = (struct post_input *)in_page;
	uint64_t ok = 0, full = 0, r;
	int i;

	guest_enable_hypercall();
	for (i = 0; i < 240; i++)
		in->payload[i] = (uint8_t)(i * 7 + 1);
	GUEST_ASSERT_EQ(post(0x123456, 0x11, 240, (uintptr_t)in_page), HV_STATUS_SUCCESS);
	GUEST_SYNC(0);
	/* A flood: the port holds 4. */
	for (i = 0; i < 10; i++) {
		in->payload[0] = (uint8_t)i;
		r = post(0x123456, 2, 1, (uintptr_t)in_page);
		if (r == HV_STATUS_SUCCESS)
			ok++;
		else if (r == HV_STATUS_INSUFFICIENT_BUFFERS)
			full++;
	}
	GUEST_SYNC2(ok, full);
	GUEST_ASSERT_EQ(post(0x123456, 3, 0, (uintptr_t)in_page), HV_STATUS_SUCCESS);
	GUEST_SYNC(1);		/* the test closes the port */
	GUEST_ASSERT_EQ(post(0x123456, 3, 0, (uintptr_t)in_page), HV_STATUS_INVALID_CONNECTION_ID);
}

TEST(post_message_port)
{
	struct hvtb_hv_message m, two[2];
	struct pollfd pfd;
	struct guest g;
	struct guest_vp v;
	struct ucall uc;
	int port, i;

	DEFAULT_MODE_ONLY();

	SETUP(g, v, HV_MSR_HYPERCALL_AVAILABLE, HV_POST_MESSAGES, 0);
	port = hvtb_hv_create_port(g.part, 0x123456, 4);
	ASSERT_LE(0, port);
	pfd = (struct pollfd){ .fd = port, .events = POLLIN };
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_post, 0, 0));
	EXPECT_UCALL(&v, UCALL_SYNC);
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN, pfd.revents & POLLIN);
	ASSERT_EQ(0, hvtb_hv_read_message(port, &m));
	EXPECT_EQ(0x123456, m.connection_id);
	EXPECT_EQ(0x11, m.message_type);
	EXPECT_EQ(240, m.payload_size);
	EXPECT_EQ(0, m.vp_index);
	EXPECT_EQ(0, m.reserved);
	for (i = 0; i < 240; i++)
		ASSERT_EQ((uint8_t)(i * 7 + 1), m.payload[i]) TH_LOG("byte %d", i);
	ASSERT_EQ(0, fcntl(port, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-EAGAIN, hvtb_hv_read_message(port, &m));

	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(4, uc.args[0]);
	EXPECT_EQ(6, uc.args[1]);
	/* One read() may return several whole messages. */
	ASSERT_EQ((ssize_t)sizeof(two), read(port, two, sizeof(two)));
	EXPECT_EQ(0, two[0].payload[0]);
	EXPECT_EQ(1, two[1].payload[0]);
	for (i = 2; i < 4; i++) {
		ASSERT_EQ(0, hvtb_hv_read_message(port, &m));
		EXPECT_EQ(2, m.message_type);
		EXPECT_EQ(1, m.payload_size);
		EXPECT_EQ(i, m.payload[0]);
		EXPECT_EQ(0, m.payload[1]);	/* only payload_size bytes */
	}
	EXPECT_EQ(-EAGAIN, hvtb_hv_read_message(port, &m));
	EXPECT_UCALL(&v, UCALL_SYNC);
	ASSERT_EQ(0, hvtb_hv_read_message(port, &m));
	EXPECT_EQ(3, m.message_type);
	EXPECT_EQ(0, m.payload_size);
	close(port);
	EXPECT_UCALL(&v, UCALL_DONE);
	TEARDOWN(g, v);
}

/* ---- HvSignalEvent ---- */

static void guest_signal(void)
{
	guest_enable_hypercall();
	GUEST_ASSERT_EQ(hv_call(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT, 3, 0), HV_STATUS_SUCCESS);
	GUEST_ASSERT_EQ(hv_call(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT, 3 | (1ULL << 32), 0),
			HV_STATUS_SUCCESS);
	GUEST_ASSERT_EQ(hv_call(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT, 3 | (2ULL << 32), 0),
			HV_STATUS_INVALID_PARAMETER);
	*(volatile uint64_t *)in_page = 3;
	GUEST_ASSERT_EQ(hv_call(HVCALL_SIGNAL_EVENT, (uintptr_t)in_page, 0), HV_STATUS_SUCCESS);
	GUEST_ASSERT_EQ(hv_call(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT, 4, 0), HV_STATUS_INVALID_CONNECTION_ID);
	GUEST_SYNC(0);		/* the test removes connection 3 */
	GUEST_ASSERT_EQ(hv_call(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT, 3, 0), HV_STATUS_INVALID_CONNECTION_ID);
}

TEST(signal_event_eventfd)
{
	struct hvtb_hv_vp_stats s;
	struct guest g;
	struct guest_vp v;
	uint64_t count = 0;
	int efd;

	DEFAULT_MODE_ONLY();

	SETUP(g, v, HV_MSR_HYPERCALL_AVAILABLE, HV_SIGNAL_EVENTS, 0);
	efd = eventfd(0, EFD_NONBLOCK);
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, hvtb_hv_set_event(g.part, 3, efd, 2));
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_signal, 0, 0));
	EXPECT_UCALL(&v, UCALL_SYNC);
	ASSERT_EQ(sizeof(count), read(efd, &count, sizeof(count)));
	EXPECT_EQ(3, count);
	ASSERT_EQ(0, hvtb_hv_clear_event(g.part, 3));
	EXPECT_EQ(-ENOENT, hvtb_hv_clear_event(g.part, 3));
	EXPECT_UCALL(&v, UCALL_DONE);
	ASSERT_EQ(0, hvtb_vp_get_hv_stats(v.fd, &s));
	EXPECT_EQ(3, s.signal_event);
	close(efd);
	TEARDOWN(g, v);
}

/* ---- rep call ---- */

static void guest_rep(void)
{
	struct hvtb_hc_rep_fill_input *in = (void *)in_page;
	volatile uint64_t *out = (volatile uint64_t *)out_page;
	uint64_t r, start, done;
	int i;

	guest_enable_hypercall();
	in->seed = 1000;
	in->stop_at = 5;
	in->pad = 0;
	for (i = 0; i < 16; i++)
		out[i] = 0;
	r = hv_call(HVTB_HC_REP_FILL | HC_REP(16, 0), (uintptr_t)in, (uintptr_t)out);
	/* Success with 5 reps done (fewer if the host wanted its CPU). */
	done = HC_REPS_DONE(r);
	GUEST_ASSERT_EQ(r & 0xffff, HV_STATUS_SUCCESS);
	GUEST_ASSERT(done >= 1 && done <= 5);
	for (i = 0; i < 16; i++)
		GUEST_ASSERT_EQ(out[i], (uint64_t)i < done ? 1000 + i : 0);
	GUEST_SYNC(done);
	/* Restart at rep start = reps done, as hv_do_rep_hypercall() does. */
	in->stop_at = 0;
	while (done < 16) {
		r = hv_call(HVTB_HC_REP_FILL | HC_REP(16, done), (uintptr_t)in,
			    (uintptr_t)out);
		GUEST_ASSERT_EQ(r & 0xffff, HV_STATUS_SUCCESS);
		GUEST_ASSERT(HC_REPS_DONE(r) > done);
		done = HC_REPS_DONE(r);
	}
	GUEST_ASSERT_EQ(done, 16);
	for (i = 0; i < 16; i++)
		GUEST_ASSERT_EQ(out[i], 1000 + i);
	/* A loop over a stop at every 100th element. */
	in->seed = 7;
	start = 0;
	for (i = 0; i < 50 && start < 512; i++) {
		in->stop_at = start + 100;
		r = hv_call(HVTB_HC_REP_FILL | HC_REP(512, start), (uintptr_t)in,
			    (uintptr_t)out);
		GUEST_ASSERT_EQ(r & 0xffff, HV_STATUS_SUCCESS);
		start = HC_REPS_DONE(r);
	}
	GUEST_ASSERT_EQ(start, 512);
	GUEST_ASSERT(i >= 6);
	GUEST_ASSERT_EQ(out[511], 7 + 511);
	in->pad = 1;
	r = hv_call(HVTB_HC_REP_FILL | HC_REP(2, 1), (uintptr_t)in, (uintptr_t)out);
	GUEST_ASSERT_EQ(r, HV_STATUS_INVALID_PARAMETER | HC_REP(1, 0));
}

TEST(rep_call_partial_and_restart)
{
	struct guest g;
	struct guest_vp v;
	struct ucall uc;

	DEFAULT_MODE_ONLY();

	SETUP(g, v, HV_MSR_HYPERCALL_AVAILABLE, 0, 0);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_rep, 0, 0));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(5, uc.args[0]) TH_LOG("first call stopped early: host busy");
	EXPECT_UCALL(&v, UCALL_DONE);
	TEARDOWN(g, v);
}

/* ---- reference time ---- */

struct ref_tsc_page {
	volatile uint32_t sequence;
	uint32_t reserved;
	volatile uint64_t scale;
	volatile int64_t offset;
};

static void guest_time(void)
{
	struct ref_tsc_page *p = (struct ref_tsc_page *)tsc_page;
	uint64_t t1, t2, tp, prev = 0, now;
	uint32_t seq;
	int i;

	guest_handlers[13] = gp_skip2;
	for (i = 0; i < 100; i++) {
		now = guest_rdmsr(HV_X64_MSR_TIME_REF_COUNT);
		GUEST_ASSERT(now >= prev);
		prev = now;
	}
	guest_wrmsr(HV_X64_MSR_REFERENCE_TSC, (uintptr_t)tsc_page | 1);
	GUEST_ASSERT_EQ(guest_rdmsr(HV_X64_MSR_REFERENCE_TSC), (uintptr_t)tsc_page | 1);
	for (i = 0; i < 20; i++) {
		t1 = guest_rdmsr(HV_X64_MSR_TIME_REF_COUNT);
		do {
			seq = p->sequence;
			tp = (uint64_t)(((unsigned __int128)guest_rdtsc() * p->scale) >> 64) +
			     p->offset;
		} while (seq != p->sequence);
		t2 = guest_rdmsr(HV_X64_MSR_TIME_REF_COUNT);
		GUEST_ASSERT(seq != 0 && seq != 0xffffffff);
		/* Same clock, rounding: at most one 100 ns unit apart. */
		GUEST_ASSERT(tp + 1 >= t1);
		GUEST_ASSERT(tp <= t2 + 1);
	}
	GUEST_SYNC2(t1, t2);
	/* A TSC write moves the page's offset with it (one VP: still valid). */
	guest_wrmsr(0x10, guest_rdtsc() + 1000000000ULL);
	t1 = guest_rdmsr(HV_X64_MSR_TIME_REF_COUNT);
	do {
		seq = p->sequence;
		tp = (uint64_t)(((unsigned __int128)guest_rdtsc() * p->scale) >> 64) +
		     p->offset;
	} while (seq != p->sequence);
	t2 = guest_rdmsr(HV_X64_MSR_TIME_REF_COUNT);
	GUEST_ASSERT(seq != 0);
	GUEST_ASSERT(tp + 1 >= t1);
	GUEST_ASSERT(tp <= t2 + 1);
	GUEST_SYNC(1);		/* host: a second VP, then another TSC on it */
	GUEST_ASSERT_EQ(p->sequence, 0);	/* no page fits both: the MSR */
}

static uint64_t vp_tsc(struct guest_vp *v)
{
	struct hvtb_msr_entry e = { .index = 0x10 };
	struct hvtb_msrs m = { .nmsrs = 1, .entries = (uintptr_t)&e };

	return guest_ioctl(v->fd, HVTB_VP_GET_MSRS, (uintptr_t)&m) == 1 ? e.data : 0;
}

TEST(time_ref_count_and_tsc_page)
{
	struct hvtb_msr_entry e = { .index = 0x10, .data = 5 };
	struct hvtb_msrs m = { .nmsrs = 1, .entries = (uintptr_t)&e };
	struct hvtb_hv_vp_stats st;
	struct guest g;
	struct guest_vp v, v1;
	struct ucall uc;
	uint64_t t0, t1;

	DEFAULT_MODE_ONLY();

	SETUP(g, v, ALL_EAX, 0, 0);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_time, 0, 0));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_LE(uc.args[0], uc.args[1]);
	EXPECT_LT(0, uc.args[0]);
	TH_LOG("reference time %llu..%llu (100 ns units)",
	       (unsigned long long)uc.args[0], (unsigned long long)uc.args[1]);
	EXPECT_UCALL(&v, UCALL_SYNC);

	/* A new VP starts with the partition's TSC (VP 0's, moved 1e9 ahead). */
	ASSERT_EQ(0, guest_vp_create(&g, &v1, 1));
	t0 = vp_tsc(&v);
	t1 = vp_tsc(&v1);
	EXPECT_LE(t0, t1);
	EXPECT_GT(t0 + 500000000ULL, t1);
	/* Another TSC on VP 1: the page is left invalid (sequence 0). */
	ASSERT_EQ(1, guest_ioctl(v1.fd, HVTB_VP_SET_MSRS, (uintptr_t)&m));
	EXPECT_EQ(0, *(volatile uint32_t *)guest_gpa(&g, (uintptr_t)tsc_page));
	ASSERT_EQ(0, hvtb_vp_get_hv_stats(v1.fd, &st));
	EXPECT_EQ(1, st.tsc_page_invalid);
	EXPECT_UCALL(&v, UCALL_DONE);
	guest_vp_destroy(&v1);
	TEARDOWN(g, v);
}

/* The guest's view of a restored clock: the MSR and the TSC page. */
static void guest_restored_time(void)
{
	struct ref_tsc_page *p = (struct ref_tsc_page *)tsc_page;
	uint64_t t1, tp;
	uint32_t seq;

	guest_wrmsr(HV_X64_MSR_REFERENCE_TSC, (uintptr_t)tsc_page | 1);
	t1 = guest_rdmsr(HV_X64_MSR_TIME_REF_COUNT);
	do {
		seq = p->sequence;
		tp = (uint64_t)(((unsigned __int128)guest_rdtsc() * p->scale) >> 64) +
		     p->offset;
	} while (seq != p->sequence);
	GUEST_ASSERT(seq != 0);
	GUEST_SYNC2(t1, tp);
}

#define RESTORED_TIME	1000000000000ULL	/* about 27.8 hours */

/* A restore sets the partition's reference time; it counts on from there. */
TEST(reference_time_restore)
{
	struct hvtb_hyperv_config c = {
		.flags = HVTB_HV_ENABLE, .features_eax = ALL_EAX,
	};
	struct hvtb_hv_reference_time t = { 0 };
	struct guest g;
	struct guest_vp v;
	struct ucall uc;

	DEFAULT_MODE_ONLY();

	GUEST_OR_SKIP(&g, 0);
	ASSERT_EQ(0, hvtb_set_hyperv(g.part, &c));
	ASSERT_EQ(0, guest_ioctl(g.part, HVTB_PARTITION_GET_REFERENCE_TIME, (uintptr_t)&t));
	EXPECT_GT(RESTORED_TIME, t.time);	/* counts from creation */
	t.time = RESTORED_TIME;
	t.reserved[2] = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_SET_REFERENCE_TIME, (uintptr_t)&t));
	t.reserved[2] = 0;
	EXPECT_EQ(-EFAULT, guest_ioctl(g.part, HVTB_PARTITION_SET_REFERENCE_TIME, 8));
	ASSERT_EQ(0, guest_ioctl(g.part, HVTB_PARTITION_SET_REFERENCE_TIME, (uintptr_t)&t));
	ASSERT_EQ(0, guest_ioctl(g.part, HVTB_PARTITION_GET_REFERENCE_TIME, (uintptr_t)&t));
	EXPECT_LE(RESTORED_TIME, t.time);
	EXPECT_GT(RESTORED_TIME + 100000000ULL, t.time);	/* < 10 s later */

	ASSERT_EQ(0, guest_vp_create(&g, &v, 0));
	t.time = 5;
	EXPECT_EQ(-EBUSY, guest_ioctl(g.part, HVTB_PARTITION_SET_REFERENCE_TIME, (uintptr_t)&t));
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_restored_time, 0, 0));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_LE(RESTORED_TIME, uc.args[0]);
	/* The page and the MSR are one clock (rounding: one unit). */
	EXPECT_LE(uc.args[0], uc.args[1] + 1);
	EXPECT_GT(uc.args[0] + 100000000ULL, uc.args[1]);
	EXPECT_UCALL(&v, UCALL_DONE);
	TEARDOWN(g, v);
}

/* ---- VP index ---- */

static void guest_vp_index(void)
{
	GUEST_SYNC(guest_rdmsr(HV_X64_MSR_VP_INDEX));
}

TEST(vp_index_per_vp)
{
	static const uint32_t idx[] = { 0, 3, 1 };
	struct guest_vp v[3];
	struct guest g;
	struct ucall uc;
	unsigned int i;

	DEFAULT_MODE_ONLY();

	GUEST_OR_SKIP(&g, 0);
	ASSERT_EQ(0, hv_setup(&g, &v[0], HV_MSR_VP_INDEX_AVAILABLE, 0, 0));
	for (i = 1; i < 3; i++)
		ASSERT_EQ(0, guest_vp_create(&g, &v[i], idx[i]));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, guest_vp_enter_long(&v[i], guest_vp_index, 0, 0));
		uc = EXPECT_UCALL(&v[i], UCALL_SYNC);
		EXPECT_EQ(idx[i], uc.args[0]);
	}
	for (i = 0; i < 3; i++)
		guest_vp_destroy(&v[i]);
	guest_destroy(&g);
}

/* ---- forwarding, disabled partition ---- */

static void guest_forward(void)
{
	guest_enable_hypercall();
	GUEST_ASSERT_EQ(hv_call(0x1234, 11, 22), 0x4242);
	GUEST_ASSERT_EQ(hv_call(HVTB_HC_NULL, 0, 0), HV_STATUS_SUCCESS);
}

TEST(forward_unknown_calls)
{
	struct guest g;
	struct guest_vp v;

	DEFAULT_MODE_ONLY();

	SETUP(g, v, HV_MSR_HYPERCALL_AVAILABLE, 0, HVTB_HV_FORWARD_UNKNOWN);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_forward, 0, 0));
	RUN_EXPECT(&v, HVTB_EXIT_HYPERCALL);
	EXPECT_EQ(0x1234, v.run->hypercall.rcx);
	EXPECT_EQ(11, v.run->hypercall.rdx);
	EXPECT_EQ(22, v.run->hypercall.r8);
	v.run->hypercall.result = 0x4242;
	EXPECT_UCALL(&v, UCALL_DONE);
	TEARDOWN(g, v);
}

static void guest_disabled(void)
{
	uint64_t v;

	guest_handlers[13] = gp_skip2;
	GUEST_ASSERT(try_rdmsr(HV_X64_MSR_GUEST_OS_ID, &v));
	GUEST_ASSERT(try_wrmsr(HV_X64_MSR_GUEST_OS_ID, GUEST_OS_ID));
	GUEST_ASSERT_EQ(guest_vmcall(HVTB_HC_NULL, 0, 0), 0);
	GUEST_ASSERT_EQ(guest_vmcall(HVCALL_POST_MESSAGE, 1, 2), 0x77);
}

TEST(disabled_partition_keeps_old_behaviour)
{
	struct hvtb_hyperv_config c = { .features_eax = ALL_EAX };
	struct guest g;
	struct guest_vp v;

	DEFAULT_MODE_ONLY();

	GUEST_OR_SKIP(&g, 0);
	ASSERT_EQ(0, hvtb_set_hyperv(g.part, &c));	/* flags 0: off */
	ASSERT_EQ(0, guest_vp_create(&g, &v, 0));
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_disabled, 0, 0));
	RUN_EXPECT(&v, HVTB_EXIT_HYPERCALL);
	EXPECT_EQ(HVCALL_POST_MESSAGE, v.run->hypercall.rcx);
	v.run->hypercall.result = 0x77;
	EXPECT_UCALL(&v, UCALL_DONE);
	TEARDOWN(g, v);
}

/* ---- SynIC: messages, event flags, synthetic timers, APIC MSRs ---- */

#define MSR_APIC_BASE		0x1b
#define MSR_X2APIC_TPR		0x808
#define MSR_X2APIC_EOI		0x80b
#define MSR_X2APIC_SVR		0x80f
#define MSR_X2APIC_ISR7		0x817	/* ISR bits of vectors 224..255 */
#define VEC_SINT2		0xf3
#define VEC_SINT3		0xe4
#define VEC_DIRECT		0xd5
#define VEC_IPI			0xc6

struct hv_msg {
	uint32_t type;
	uint8_t size;
	uint8_t flags;		/* bit 0: message pending */
	uint8_t reserved[2];
	uint64_t sender;
	uint8_t payload[240];
};

struct timer_payload {
	uint32_t index;
	uint32_t reserved;
	uint64_t expiration;
	uint64_t delivery;
};

static struct {
	struct hv_msg simp[16];
	uint8_t siefp[16][256];
} synic __attribute__((aligned(4096)));

static volatile uint64_t irqs[256];
static volatile uint64_t timer_msgs, timer_exp[8], timer_del[8];

static void irq_eoi(struct guest_frame *f)
{
	irqs[f->vector & 0xff]++;
	guest_wrmsr(MSR_X2APIC_EOI, 0);
}

static void irq_no_eoi(struct guest_frame *f)
{
	irqs[f->vector & 0xff]++;
}

/* SINT2 in message-mode timer tests: consume the slot, EOM if pending. */
static void irq_timer_msg(struct guest_frame *f)
{
	volatile struct hv_msg *m = &synic.simp[2];
	const volatile struct timer_payload *p = (const void *)m->payload;

	irqs[f->vector & 0xff]++;
	if (m->type == HVMSG_TIMER_EXPIRED && p->index == 1 && timer_msgs < 8) {
		timer_exp[timer_msgs] = p->expiration;
		timer_del[timer_msgs] = p->delivery;
		timer_msgs++;
	}
	m->type = 0;
	__asm__ volatile("mfence" : : : "memory");
	if (m->flags & 1)
		guest_wrmsr(HV_X64_MSR_EOM, 0);
	guest_wrmsr(MSR_X2APIC_EOI, 0);
}

static void guest_x2apic_on(void)
{
	guest_wrmsr(MSR_APIC_BASE, 0xfee00000 | (1 << 8) | (1 << 10) | (1 << 11));
	guest_wrmsr(MSR_X2APIC_SVR, 0x1ff);
}

static void guest_synic_on(void)
{
	guest_x2apic_on();
	guest_wrmsr(HV_X64_MSR_SIMP, (uintptr_t)synic.simp | 1);
	guest_wrmsr(HV_X64_MSR_SIEFP, (uintptr_t)synic.siefp | 1);
	guest_wrmsr(HV_X64_MSR_SCONTROL, 1);
	__asm__ volatile("sti" : : : "memory");
}

/* Spin (bounded) until irqs[@vec] reaches @n; the count then. */
static uint64_t wait_irqs(uint32_t vec, uint64_t n)
{
	uint64_t i;

	for (i = 0; i < 2000000 && irqs[vec] < n; i++)
		__asm__ volatile("pause" : : : "memory");
	return irqs[vec];
}

/* Spin long (about 4 s of Bochs time at most) until irqs[@vec] reaches @n. */
static uint64_t spin_irqs(uint32_t vec, uint64_t n)
{
	uint64_t i;

	for (i = 0; i < 50000000 && irqs[vec] < n; i++)
		__asm__ volatile("" : : : "memory");
	return irqs[vec];
}

/* HLT (IF=1) until irqs[@vec] reaches @n, at most @max times. */
static uint64_t halt_irqs(uint32_t vec, uint64_t n, unsigned int max)
{
	while (irqs[vec] < n && max--)
		__asm__ volatile("sti; hlt" : : : "memory");
	return irqs[vec];
}

static void slot_check(unsigned int sint, uint32_t type, uint8_t pending)
{
	volatile struct hv_msg *m = &synic.simp[sint];

	GUEST_ASSERT_EQ(m->type, type);
	GUEST_ASSERT_EQ(m->flags & 1, pending);
	GUEST_ASSERT_EQ(m->size, 8);
	GUEST_ASSERT_EQ(*(volatile uint64_t *)m->payload, 0x1000 + type);
}

/* Free the slot; EOM when the host marked a message pending. */
static void slot_free(unsigned int sint)
{
	volatile struct hv_msg *m = &synic.simp[sint];

	m->type = 0;
	__asm__ volatile("mfence" : : : "memory");
	if (m->flags & 1)
		guest_wrmsr(HV_X64_MSR_EOM, 0);
}

static void guest_messages(void)
{
	guest_handlers[VEC_SINT2] = irq_eoi;
	guest_synic_on();
	guest_wrmsr(HV_X64_MSR_SINT0 + 2, VEC_SINT2);
	GUEST_SYNC(1);		/* host: messages 1, 2, 3 */
	/* One at a time: each EOM brings the next. */
	GUEST_ASSERT_EQ(wait_irqs(VEC_SINT2, 1), 1);
	slot_check(2, 1, 1);
	slot_free(2);
	GUEST_ASSERT_EQ(wait_irqs(VEC_SINT2, 2), 2);
	slot_check(2, 2, 1);
	slot_free(2);
	GUEST_ASSERT_EQ(wait_irqs(VEC_SINT2, 3), 3);
	slot_check(2, 3, 0);
	/* Slot still busy: message 4 waits, the slot says "pending". */
	GUEST_SYNC(2);		/* host: message 4 */
	GUEST_ASSERT_EQ(irqs[VEC_SINT2], 3);
	slot_check(2, 3, 1);
	slot_free(2);
	GUEST_ASSERT_EQ(wait_irqs(VEC_SINT2, 4), 4);
	slot_check(2, 4, 0);
	slot_free(2);
	/* Masked SINT: message 5 waits until unmasked. */
	guest_wrmsr(HV_X64_MSR_SINT0 + 2, VEC_SINT2 | HV_SYNIC_SINT_MASKED);
	GUEST_SYNC(3);		/* host: message 5 */
	GUEST_ASSERT_EQ(irqs[VEC_SINT2], 4);
	GUEST_ASSERT_EQ(synic.simp[2].type, 0);
	guest_wrmsr(HV_X64_MSR_SINT0 + 2, VEC_SINT2);
	GUEST_ASSERT_EQ(wait_irqs(VEC_SINT2, 5), 5);
	slot_check(2, 5, 0);
	slot_free(2);
	/* Auto-EOI: the handler does not EOI, ISR stays clear. */
	guest_handlers[VEC_SINT2] = irq_no_eoi;
	guest_wrmsr(HV_X64_MSR_SINT0 + 2, VEC_SINT2 | HV_SYNIC_SINT_AUTO_EOI);
	GUEST_SYNC(4);		/* host: messages 6, 7 */
	GUEST_ASSERT_EQ(wait_irqs(VEC_SINT2, 6), 6);
	GUEST_ASSERT_EQ(guest_rdmsr(MSR_X2APIC_ISR7) & (1U << (VEC_SINT2 - 224)), 0);
	slot_check(2, 6, 1);
	slot_free(2);
	GUEST_ASSERT_EQ(wait_irqs(VEC_SINT2, 7), 7);
	slot_check(2, 7, 0);
	slot_free(2);
	/* A message while halted wakes the VP. */
	GUEST_SYNC(5);		/* host: a thread posts message 8 later */
	GUEST_ASSERT_EQ(halt_irqs(VEC_SINT2, 8, 1000), 8);
	slot_check(2, 8, 0);
	slot_free(2);
	/* A message while the guest computes reaches it too (a kick). */
	GUEST_SYNC(6);		/* host: a thread posts message 9 later */
	GUEST_ASSERT_EQ(spin_irqs(VEC_SINT2, 9), 9);
	slot_check(2, 9, 0);
}

/* HVTB_PARTITION_POST_HV_MESSAGE of message @type with an 8-byte payload 0x1000 + type. */
static int host_post(int part, uint32_t vp, uint32_t sint, uint32_t type)
{
	uint64_t payload = 0x1000 + type;

	return hvtb_hv_post_message(part, vp, sint, type, &payload, sizeof(payload));
}

struct post_later_arg {
	int part;
	uint32_t type;
	useconds_t delay;
};

static void *post_later(void *arg)
{
	struct post_later_arg *a = arg;

	usleep(a->delay);
	return (void *)(intptr_t)host_post(a->part, 0, 2, a->type);
}

/* hvtb's threads, or the RUN caller with HVTB_TEST_ROOT_SCHED=1 (hyperv_test:root). */
static int synic_setup(struct guest *g, struct guest_vp *v, uint32_t eax)
{
	int r = guest_create(g, GUEST_LAPIC | guest_env_flags());

	if (r)
		return r;
	return hv_setup(g, v, eax, ALL_EBX, 0);
}

#define SYNIC_SETUP(g, v, eax) do {					\
	int __r = synic_setup(&(g), &(v), (eax));			\
	if (__r == -ENOENT)						\
		SKIP(return, "/dev/hvtb missing");			\
	ASSERT_EQ(0, __r);						\
} while (0)

TEST(synic_messages)
{
	struct post_later_arg pa;
	struct hvtb_hv_vp_stats st;
	struct guest g;
	struct guest_vp v;
	pthread_t t;
	void *tr;

	SYNIC_SETUP(g, v, ALL_EAX);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_messages, 0, 0));
	EXPECT_UCALL(&v, UCALL_SYNC);
	ASSERT_EQ(0, host_post(g.part, 0, 2, 1));
	ASSERT_EQ(0, host_post(g.part, 0, 2, 2));
	ASSERT_EQ(0, host_post(g.part, 0, 2, 3));
	EXPECT_UCALL(&v, UCALL_SYNC);
	ASSERT_EQ(0, host_post(g.part, 0, 2, 4));
	EXPECT_UCALL(&v, UCALL_SYNC);
	ASSERT_EQ(0, host_post(g.part, 0, 2, 5));
	EXPECT_UCALL(&v, UCALL_SYNC);
	ASSERT_EQ(0, host_post(g.part, 0, 2, 6));
	ASSERT_EQ(0, host_post(g.part, 0, 2, 7));
	EXPECT_UCALL(&v, UCALL_SYNC);
	pa = (struct post_later_arg) { .part = g.part, .type = 8, .delay = 200000 };
	ASSERT_EQ(0, pthread_create(&t, NULL, post_later, &pa));
	EXPECT_UCALL(&v, UCALL_SYNC);
	ASSERT_EQ(0, pthread_join(t, &tr));
	EXPECT_EQ(0, (intptr_t)tr);
	pa = (struct post_later_arg) { .part = g.part, .type = 9, .delay = 20000 };
	ASSERT_EQ(0, pthread_create(&t, NULL, post_later, &pa));
	EXPECT_UCALL(&v, UCALL_DONE);
	ASSERT_EQ(0, pthread_join(t, &tr));
	EXPECT_EQ(0, (intptr_t)tr);
	ASSERT_EQ(0, hvtb_vp_get_hv_stats(v.fd, &st));
	EXPECT_EQ(9, st.synic_delivered);
	EXPECT_LE(1, st.synic_slot_busy);
	EXPECT_EQ(0, st.synic_page_failed);
	TEARDOWN(g, v);
}

static void guest_bad_simp(void)
{
	guest_handlers[VEC_SINT2] = irq_eoi;
	guest_synic_on();
	guest_wrmsr(HV_X64_MSR_SIMP, GUEST_MMIO_GPA | 1);	/* not guest memory */
	guest_wrmsr(HV_X64_MSR_SINT0 + 2, VEC_SINT2);
	GUEST_SYNC(1);		/* host: a message */
	GUEST_ASSERT_EQ(irqs[VEC_SINT2], 0);
	GUEST_SYNC(2);		/* host: it is still queued */
	guest_wrmsr(HV_X64_MSR_SIMP, (uintptr_t)synic.simp | 1);
	GUEST_ASSERT_EQ(wait_irqs(VEC_SINT2, 1), 1);
	slot_check(2, 9, 0);
}

/* A SIMP page outside guest memory: counted, the message kept. */
TEST(synic_bad_simp_keeps_message)
{
	struct hvtb_hv_vp_stats st;
	struct hvtb_synic_state s;
	struct guest g;
	struct guest_vp v;

	SYNIC_SETUP(g, v, ALL_EAX);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_bad_simp, 0, 0));
	EXPECT_UCALL(&v, UCALL_SYNC);
	ASSERT_EQ(0, host_post(g.part, 0, 2, 9));
	EXPECT_UCALL(&v, UCALL_SYNC);
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_SYNIC, (uintptr_t)&s));
	EXPECT_EQ(1 << 2, s.queued);
	ASSERT_EQ(0, hvtb_vp_get_hv_stats(v.fd, &st));
	EXPECT_LE(1, st.synic_page_failed);
	EXPECT_UCALL(&v, UCALL_DONE);
	ASSERT_EQ(0, hvtb_vp_get_hv_stats(v.fd, &st));
	EXPECT_EQ(1, st.synic_delivered);
	TEARDOWN(g, v);
}

static void guest_idle(void)
{
	GUEST_SYNC(0);
}

/* Every bad input of the two ioctls, and a full queue. */
TEST(synic_bad_inputs)
{
	struct hvtb_hv_post p = { .sint = 2, .message_type = 1 };
	struct hvtb_hv_flag f = { .sint = 2 };
	struct guest g, g2;
	struct guest_vp v, v2;
	int i;

	SYNIC_SETUP(g, v, ALL_EAX);
#define POST_EXPECT(err) EXPECT_EQ(err, guest_ioctl(g.part, HVTB_PARTITION_POST_HV_MESSAGE, (uintptr_t)&p))
#define FLAG_EXPECT(err) EXPECT_EQ(err, guest_ioctl(g.part, HVTB_PARTITION_SIGNAL_HV_FLAG, (uintptr_t)&f))
	p.sint = 16;
	POST_EXPECT(-EINVAL);
	p.sint = 2;
	p.message_type = 0;
	POST_EXPECT(-EINVAL);
	p.message_type = 1;
	p.payload_size = 241;
	POST_EXPECT(-EINVAL);
	p.payload_size = 240;
	p.flags = 1;
	POST_EXPECT(-EINVAL);
	p.flags = 0;
	p.pad = 1;
	POST_EXPECT(-EINVAL);
	p.pad = 0;
	p.reserved[1] = 1;
	POST_EXPECT(-EINVAL);
	p.reserved[1] = 0;
	p.vp_index = 1;
	POST_EXPECT(-ENOENT);
	p.vp_index = 1000;
	POST_EXPECT(-ENOENT);
	p.vp_index = 0;
	EXPECT_EQ(-EFAULT, guest_ioctl(g.part, HVTB_PARTITION_POST_HV_MESSAGE, 8));
	/* The guest has not enabled its SynIC: messages wait, up to the depth. */
	for (i = 0; i < HVTB_HV_SINT_QUEUE_DEPTH; i++)
		POST_EXPECT(0);
	POST_EXPECT(-EAGAIN);
	p.sint = 3;
	POST_EXPECT(0);		/* another SINT has its own queue */

	f.sint = 16;
	FLAG_EXPECT(-EINVAL);
	f.sint = 2;
	f.flag = 2048;
	FLAG_EXPECT(-EINVAL);
	f.flag = 0;
	f.flags = 1;
	FLAG_EXPECT(-EINVAL);
	f.flags = 0;
	f.reserved[0] = 1;
	FLAG_EXPECT(-EINVAL);
	f.reserved[0] = 0;
	f.vp_index = 1;
	FLAG_EXPECT(-ENOENT);
	f.vp_index = 0;
	FLAG_EXPECT(-ENXIO);	/* SIEFP not enabled */
	EXPECT_EQ(-EFAULT, guest_ioctl(g.part, HVTB_PARTITION_SIGNAL_HV_FLAG, 8));
	/* The queued messages do not stop the VP or its teardown. */
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_idle, 0, 0));
	EXPECT_UCALL(&v, UCALL_SYNC);
	TEARDOWN(g, v);

	/* A partition without the SynIC privilege: -ENODEV. */
	SYNIC_SETUP(g2, v2, ALL_EAX & ~HV_MSR_SYNIC_AVAILABLE);
	EXPECT_EQ(-ENODEV, guest_ioctl(g2.part, HVTB_PARTITION_POST_HV_MESSAGE, (uintptr_t)&p));
	EXPECT_EQ(-ENODEV, guest_ioctl(g2.part, HVTB_PARTITION_SIGNAL_HV_FLAG, (uintptr_t)&f));
	TEARDOWN(g2, v2);
#undef POST_EXPECT
#undef FLAG_EXPECT
}

static void guest_flags(void)
{
	guest_handlers[VEC_SINT3] = irq_eoi;
	guest_synic_on();
	guest_wrmsr(HV_X64_MSR_SINT0 + 3, VEC_SINT3);
	GUEST_SYNC(1);		/* host: flag 5 twice */
	GUEST_ASSERT_EQ(wait_irqs(VEC_SINT3, 1), 1);
	GUEST_ASSERT_EQ(synic.siefp[3][0], 1 << 5);
	GUEST_ASSERT_EQ(irqs[VEC_SINT3], 1);
	synic.siefp[3][0] = 0;
	guest_wrmsr(HV_X64_MSR_SINT0 + 3, VEC_SINT3 | HV_SYNIC_SINT_MASKED);
	GUEST_SYNC(2);		/* host: flag 2047 while masked */
	GUEST_ASSERT_EQ(synic.siefp[3][255], 0x80);
	GUEST_ASSERT_EQ(irqs[VEC_SINT3], 1);
	guest_wrmsr(HV_X64_MSR_SINT0 + 3, VEC_SINT3);	/* the raise comes now */
	GUEST_ASSERT_EQ(wait_irqs(VEC_SINT3, 2), 2);
	/* Disabled SIEFP: the host gets -ENXIO. */
	guest_wrmsr(HV_X64_MSR_SIEFP, (uintptr_t)synic.siefp);
	GUEST_SYNC(3);
}

TEST(synic_event_flags)
{
	struct guest g;
	struct guest_vp v;

	SYNIC_SETUP(g, v, ALL_EAX);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_flags, 0, 0));
	EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(0, hvtb_hv_signal_flag(g.part, 0, 3, 5));
	EXPECT_EQ(1, hvtb_hv_signal_flag(g.part, 0, 3, 5));	/* no 2nd raise */
	EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(0, hvtb_hv_signal_flag(g.part, 0, 3, 2047));
	EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(-ENXIO, hvtb_hv_signal_flag(g.part, 0, 3, 1));
	EXPECT_UCALL(&v, UCALL_DONE);
	TEARDOWN(g, v);
}

static void guest_self_signal(void)
{
	static uint64_t in __attribute__((aligned(8)));

	guest_enable_hypercall();
	guest_handlers[VEC_SINT3] = irq_eoi;
	guest_synic_on();
	guest_wrmsr(HV_X64_MSR_SINT0 + 3, VEC_SINT3);
	/* Fast call: flag 9 of SINT3 in this VP's own SIEFP page. */
	GUEST_ASSERT_EQ(hv_call(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT, 7 | (9ULL << 32), 0),
			HV_STATUS_SUCCESS);
	GUEST_ASSERT_EQ(wait_irqs(VEC_SINT3, 1), 1);
	GUEST_ASSERT_EQ(synic.siefp[3][1], 1 << 1);
	/* Slow call, flag 63; then the same flag again: no second raise. */
	in = 7 | (63ULL << 32);
	GUEST_ASSERT_EQ(hv_call(HVCALL_SIGNAL_EVENT, (uintptr_t)&in, 0), HV_STATUS_SUCCESS);
	GUEST_ASSERT_EQ(wait_irqs(VEC_SINT3, 2), 2);
	GUEST_ASSERT_EQ(synic.siefp[3][7], 0x80);
	GUEST_ASSERT_EQ(hv_call(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT, 7 | (63ULL << 32), 0),
			HV_STATUS_SUCCESS);
	GUEST_ASSERT_EQ(irqs[VEC_SINT3], 2);
	/* Beyond the connection's flag count; a target VP that is missing. */
	GUEST_ASSERT_EQ(hv_call(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT, 7 | (64ULL << 32), 0),
			HV_STATUS_INVALID_PARAMETER);
	GUEST_ASSERT_EQ(hv_call(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT, 8, 0), HV_STATUS_INVALID_PORT_ID);
	/* SIEFP disabled: the flag cannot be set. */
	guest_wrmsr(HV_X64_MSR_SIEFP, 0);
	GUEST_ASSERT_EQ(hv_call(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT, 7, 0), HV_STATUS_INVALID_PORT_ID);
}

TEST(signal_event_into_own_synic)
{
	struct hvtb_hv_event ev = {
		.connection_id = 7, .flags = HVTB_HV_EVENT_SYNIC,
		.flag_count = 64, .vp_index = 0, .sint = 3,
	};
	struct guest g;
	struct guest_vp v;

	SYNIC_SETUP(g, v, ALL_EAX);
	ASSERT_EQ(0, guest_ioctl(g.part, HVTB_PARTITION_SET_HV_EVENT, (uintptr_t)&ev));
	ev.connection_id = 8;
	ev.vp_index = 1;	/* never created */
	ASSERT_EQ(0, guest_ioctl(g.part, HVTB_PARTITION_SET_HV_EVENT, (uintptr_t)&ev));
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_self_signal, 0, 0));
	EXPECT_UCALL(&v, UCALL_DONE);
	TEARDOWN(g, v);
}

/* ---- two VPs: one signals the other's SynIC; the host posts to VP 1 ---- */

static struct {
	struct hv_msg simp[16];
	uint8_t siefp[16][256];
} synic1 __attribute__((aligned(4096)));

static void guest_vp1_wait(void)
{
	guest_handlers[VEC_SINT3] = irq_eoi;
	guest_handlers[VEC_SINT2] = irq_eoi;
	guest_x2apic_on();
	guest_wrmsr(HV_X64_MSR_SIMP, (uintptr_t)synic1.simp | 1);
	guest_wrmsr(HV_X64_MSR_SIEFP, (uintptr_t)synic1.siefp | 1);
	guest_wrmsr(HV_X64_MSR_SCONTROL, 1);
	guest_wrmsr(HV_X64_MSR_SINT0 + 2, VEC_SINT2);
	guest_wrmsr(HV_X64_MSR_SINT0 + 3, VEC_SINT3);
	GUEST_SYNC(1);		/* ready: now blocked in HLT on its thread */
	GUEST_ASSERT_EQ(halt_irqs(VEC_SINT3, 1, 1000), 1);
	GUEST_ASSERT_EQ(synic1.siefp[3][1], 1 << 4);	/* flag 12 */
	GUEST_ASSERT_EQ(halt_irqs(VEC_SINT2, 1, 1000), 1);
	GUEST_ASSERT_EQ(synic1.simp[2].type, 0x77);
	GUEST_ASSERT_EQ(synic.simp[2].type, 0);		/* VP 0's page untouched */
}

static void guest_vp0_signal(void)
{
	guest_enable_hypercall();
	GUEST_SYNC(1);
	GUEST_ASSERT_EQ(hv_call(HVCALL_SIGNAL_EVENT | HV_HYPERCALL_FAST_BIT, 7 | (12ULL << 32), 0),
			HV_STATUS_SUCCESS);
}

TEST(synic_two_vps)
{
	struct hvtb_hv_event ev = {
		.connection_id = 7, .flags = HVTB_HV_EVENT_SYNIC,
		.flag_count = 16, .vp_index = 1, .sint = 3,
	};
	struct guest g;
	struct guest_vp v, v1;
	pthread_t t;
	void *tr;

	SYNIC_SETUP(g, v, ALL_EAX);
	ASSERT_EQ(0, guest_vp_create(&g, &v1, 1));
	ASSERT_EQ(0, guest_ioctl(g.part, HVTB_PARTITION_SET_HV_EVENT, (uintptr_t)&ev));
	ASSERT_EQ(0, guest_vp_enter_long(&v1, guest_vp1_wait, 0, 0));
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_vp0_signal, 0, 0));
	EXPECT_UCALL(&v1, UCALL_SYNC);
	ASSERT_EQ(0, pthread_create(&t, NULL, guest_run_thread, &v1));
	usleep(100000);		/* VP 1 blocks in HLT */
	EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_UCALL(&v, UCALL_DONE);
	usleep(100000);
	ASSERT_EQ(0, host_post(g.part, 1, 2, 0x77));
	ASSERT_EQ(0, pthread_join(t, &tr));
	EXPECT_EQ(UCALL_DONE, (uintptr_t)tr);
	guest_vp_destroy(&v1);
	TEARDOWN(g, v);
}

static void guest_stimers(void)
{
	uint64_t now, cfg, i;

	guest_handlers[VEC_DIRECT] = irq_eoi;
	guest_handlers[VEC_SINT2] = irq_timer_msg;
	guest_synic_on();
	guest_wrmsr(HV_X64_MSR_SINT0 + 2, VEC_SINT2);
	/* Direct mode, one-shot, 1 ms from now. */
	now = guest_rdmsr(HV_X64_MSR_TIME_REF_COUNT);
	guest_wrmsr(HV_X64_MSR_STIMER0_CONFIG, HV_STIMER_ENABLE | HV_STIMER_DIRECT_MODE |
		    HV_STIMER_APIC_VECTOR(VEC_DIRECT));
	guest_wrmsr(HV_X64_MSR_STIMER0_CONFIG + 1, now + 10000);
	GUEST_ASSERT_EQ(halt_irqs(VEC_DIRECT, 1, 1000), 1);
	GUEST_ASSERT(guest_rdmsr(HV_X64_MSR_TIME_REF_COUNT) + 100 >= now + 10000);
	GUEST_ASSERT_EQ(guest_rdmsr(HV_X64_MSR_STIMER0_CONFIG) & HV_STIMER_ENABLE, 0);
	/* Message mode, periodic, 2 ms, on SINT2: count 4 expirations. */
	cfg = HV_STIMER_ENABLE | HV_STIMER_PERIODIC | HV_STIMER_SINT(2);
	guest_wrmsr(HV_X64_MSR_STIMER0_CONFIG + 3, 20000);
	guest_wrmsr(HV_X64_MSR_STIMER0_CONFIG + 2, cfg);
	halt_irqs(VEC_SINT2, 4, 1000);
	guest_wrmsr(HV_X64_MSR_STIMER0_CONFIG + 2, 0);
	GUEST_ASSERT(timer_msgs >= 4);
	for (i = 1; i < 4; i++)
		GUEST_ASSERT(timer_exp[i] >= timer_exp[i - 1] + 20000);
	for (i = 0; i < 4; i++)
		GUEST_ASSERT(timer_del[i] + 100 >= timer_exp[i]);
	/* Message mode on SINT 0 cannot be enabled by the guest. */
	guest_wrmsr(HV_X64_MSR_STIMER0_CONFIG + 4, HV_STIMER_ENABLE);
	GUEST_ASSERT_EQ(guest_rdmsr(HV_X64_MSR_STIMER0_CONFIG + 4), 0);
	/* One-shot in the past fires at once; the count stays. */
	guest_wrmsr(HV_X64_MSR_STIMER0_CONFIG + 6, HV_STIMER_ENABLE | HV_STIMER_DIRECT_MODE |
		    HV_STIMER_APIC_VECTOR(VEC_DIRECT));
	guest_wrmsr(HV_X64_MSR_STIMER0_CONFIG + 7, 1);
	GUEST_ASSERT_EQ(halt_irqs(VEC_DIRECT, 2, 1000), 2);
	/*
	 * A period whose nanoseconds would wrap 64 bits (once a host
	 * interrupt storm) and an expiration at the end of time: neither
	 * fires while the guest spins with interrupts on.
	 */
	guest_wrmsr(HV_X64_MSR_STIMER0_CONFIG + 5, 0x028f5c28f5c28f5dULL);
	guest_wrmsr(HV_X64_MSR_STIMER0_CONFIG + 4, HV_STIMER_ENABLE | HV_STIMER_PERIODIC |
		    HV_STIMER_DIRECT_MODE | HV_STIMER_APIC_VECTOR(VEC_DIRECT));
	guest_wrmsr(HV_X64_MSR_STIMER0_CONFIG + 1, ~0ULL);
	guest_wrmsr(HV_X64_MSR_STIMER0_CONFIG, HV_STIMER_ENABLE | HV_STIMER_DIRECT_MODE |
		    HV_STIMER_APIC_VECTOR(VEC_DIRECT));
	__asm__ volatile("sti" : : : "memory");
	GUEST_ASSERT_EQ(wait_irqs(VEC_DIRECT, 3), 2);
	guest_wrmsr(HV_X64_MSR_STIMER0_CONFIG + 4, 0);
	guest_wrmsr(HV_X64_MSR_STIMER0_CONFIG, 0);
	GUEST_SYNC2(irqs[VEC_DIRECT], timer_msgs);
}

TEST(stimer_direct_and_message)
{
	struct hvtb_hv_vp_stats st;
	struct guest g;
	struct guest_vp v;
	struct ucall uc;

	SYNIC_SETUP(g, v, ALL_EAX);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_stimers, 0, 0));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(2, uc.args[0]);
	EXPECT_LE(4, uc.args[1]);
	EXPECT_UCALL(&v, UCALL_DONE);
	ASSERT_EQ(0, hvtb_vp_get_hv_stats(v.fd, &st));
	EXPECT_LE(6, st.stimer_expired);
	TH_LOG("timer messages %lu, expirations %llu, coalesced %llu",
	       (unsigned long)uc.args[1], (unsigned long long)st.stimer_expired,
	       (unsigned long long)st.stimer_missed);
	TEARDOWN(g, v);
}

static void guest_state(void)
{
	guest_handlers[VEC_DIRECT] = irq_eoi;
	guest_handlers[VEC_SINT3] = irq_eoi;
	guest_synic_on();
	guest_wrmsr(HV_X64_MSR_SINT0 + 2, VEC_SINT2 | HV_SYNIC_SINT_AUTO_EOI);
	guest_wrmsr(HV_X64_MSR_SINT0 + 3, VEC_SINT3 | HV_SYNIC_SINT_MASKED);
	guest_wrmsr(HV_X64_MSR_STIMER0_CONFIG + 3, 10000000);	/* 1 s */
	guest_wrmsr(HV_X64_MSR_STIMER0_CONFIG + 2, HV_STIMER_ENABLE | HV_STIMER_PERIODIC |
		    HV_STIMER_SINT(2));
	GUEST_SYNC(1);		/* host: GET, a flag on SINT3, SET */
	/* The restored direct timer was due already: it fires at once. */
	GUEST_ASSERT_EQ(halt_irqs(VEC_DIRECT, 1, 1000), 1);
	GUEST_ASSERT_EQ(irqs[VEC_SINT3], 0);
	guest_wrmsr(HV_X64_MSR_SINT0 + 3, VEC_SINT3);	/* the pending raise */
	GUEST_ASSERT_EQ(wait_irqs(VEC_SINT3, 1), 1);
	GUEST_ASSERT_EQ(guest_rdmsr(HV_X64_MSR_STIMER0_CONFIG + 1), 5);
}

TEST(synic_state_get_set)
{
	struct hvtb_synic_state s, bad;
	struct guest g;
	struct guest_vp v;

	SYNIC_SETUP(g, v, ALL_EAX);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_state, 0, 0));
	EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(0, hvtb_hv_signal_flag(g.part, 0, 3, 0));
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_SYNIC, (uintptr_t)&s));
	EXPECT_EQ(1, s.scontrol);
	EXPECT_EQ((uintptr_t)synic.simp | 1, s.simp);
	EXPECT_EQ((uintptr_t)synic.siefp | 1, s.siefp);
	EXPECT_EQ(VEC_SINT2 | HV_SYNIC_SINT_AUTO_EOI, s.sint[2]);
	EXPECT_EQ(HV_SYNIC_SINT_MASKED, s.sint[0]);
	EXPECT_EQ(HV_STIMER_ENABLE | HV_STIMER_PERIODIC | HV_STIMER_SINT(2), s.stimer_config[1]);
	EXPECT_EQ(10000000, s.stimer_count[1]);
	EXPECT_NE(0, s.stimer_expiration[1]);
	EXPECT_EQ(0, s.stimer_expiration[0]);
	EXPECT_EQ(1 << 3, s.event_pending);
	EXPECT_EQ(0, s.queued);

#define SET_BAD(field, val) do {					\
	bad = s;							\
	bad.field = (val);						\
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_SET_SYNIC, (uintptr_t)&bad)); \
} while (0)
	SET_BAD(flags, 1);
	SET_BAD(reserved[6], 1);
	SET_BAD(scontrol, 2);
	SET_BAD(simp, s.simp | 2);
	SET_BAD(sint[0], 1ULL << 20);
	SET_BAD(stimer_config[0], 1ULL << 13);
#undef SET_BAD
	EXPECT_EQ(-EFAULT, guest_ioctl(v.fd, HVTB_VP_SET_SYNIC, 8));

	/* Restore with timer 0 direct, one-shot, due long ago. */
	s.stimer_config[0] = HV_STIMER_ENABLE | HV_STIMER_DIRECT_MODE | HV_STIMER_APIC_VECTOR(VEC_DIRECT);
	s.stimer_count[0] = 5;
	s.stimer_expiration[0] = 5;
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_SET_SYNIC, (uintptr_t)&s));
	EXPECT_UCALL(&v, UCALL_DONE);
	TEARDOWN(g, v);

	SYNIC_SETUP(g, v, ALL_EAX & ~HV_MSR_SYNIC_AVAILABLE);
	EXPECT_EQ(-ENODEV, guest_ioctl(v.fd, HVTB_VP_GET_SYNIC, (uintptr_t)&s));
	EXPECT_EQ(-ENODEV, guest_ioctl(v.fd, HVTB_VP_SET_SYNIC, (uintptr_t)&s));
	TEARDOWN(g, v);
}

/* ---- the queued messages in save and restore ---- */

#define QMSGS			5

/* Source: the SynIC on, SINT2 masked; the host posts and saves the queue. */
static void guest_queue_src(void)
{
	guest_synic_on();
	guest_wrmsr(HV_X64_MSR_SINT0 + 2, VEC_SINT2 | HV_SYNIC_SINT_MASKED);
	GUEST_SYNC(1);
}

/* Destination: the host restores the queue while SINT2 is masked. */
static void guest_queue_dst(void)
{
	unsigned int i;

	guest_handlers[VEC_SINT2] = irq_eoi;
	guest_synic_on();
	guest_wrmsr(HV_X64_MSR_SINT0 + 2, VEC_SINT2 | HV_SYNIC_SINT_MASKED);
	GUEST_SYNC(1);		/* host: SET_SYNIC_QUEUE */
	GUEST_ASSERT_EQ(irqs[VEC_SINT2], 0);
	guest_wrmsr(HV_X64_MSR_SINT0 + 2, VEC_SINT2);
	/* In the order posted in the other partition, each after an EOM. */
	for (i = 1; i <= QMSGS; i++) {
		GUEST_ASSERT_EQ(wait_irqs(VEC_SINT2, i), i);
		slot_check(2, i, i < QMSGS);
		slot_free(2);
	}
	GUEST_SYNC(2);
}

static void queue_entry(struct hvtb_synic_queue_entry *e, uint32_t sint,
			uint32_t type)
{
	memset(e, 0, sizeof(*e));
	e->sint = sint;
	e->message.message_type = type;
	e->message.payload_size = 8;
	*(uint64_t *)e->message.payload = 0x1000 + type;
}

TEST(synic_queue_save_restore)
{
	static struct hvtb_synic_queue_entry e[QMSGS + 2], e2[QMSGS + 2];
	struct hvtb_hv_vp_stats st;
	struct guest g, g2;
	struct guest_vp v, v2;
	uint32_t n, i;

	SYNIC_SETUP(g, v, ALL_EAX);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_queue_src, 0, 0));
	EXPECT_UCALL(&v, UCALL_SYNC);
	for (i = 1; i <= QMSGS; i++)
		ASSERT_EQ(0, host_post(g.part, 0, 2, i));
	ASSERT_EQ(0, host_post(g.part, 0, 7, 0x70));
	ASSERT_EQ(0, host_post(g.part, 0, 7, 0x71));

	/* Too small: the number needed. */
	n = 0;
	EXPECT_EQ(-E2BIG, hvtb_vp_get_synic_queue(v.fd, e, 0, &n));
	EXPECT_EQ(QMSGS + 2, n);
	EXPECT_EQ(-E2BIG, hvtb_vp_get_synic_queue(v.fd, e, QMSGS + 1, &n));
	ASSERT_EQ(0, hvtb_vp_get_synic_queue(v.fd, e, QMSGS + 2, &n));
	ASSERT_EQ(QMSGS + 2, n);
	for (i = 0; i < QMSGS; i++) {
		EXPECT_EQ(2, e[i].sint);
		EXPECT_EQ(0, e[i].pad);
		EXPECT_EQ(i + 1, e[i].message.message_type);
		EXPECT_EQ(8, e[i].message.payload_size);
		EXPECT_EQ(0, e[i].message.message_flags);
		EXPECT_EQ(0x1000 + i + 1, *(uint64_t *)e[i].message.payload);
	}
	EXPECT_EQ(7, e[QMSGS].sint);
	EXPECT_EQ(0x70, e[QMSGS].message.message_type);
	EXPECT_EQ(0x71, e[QMSGS + 1].message.message_type);

	/* A fresh partition and VP: restore there, unmask, receive. */
	SYNIC_SETUP(g2, v2, ALL_EAX);
	ASSERT_EQ(0, guest_vp_enter_long(&v2, guest_queue_dst, 0, 0));
	EXPECT_UCALL(&v2, UCALL_SYNC);
	ASSERT_EQ(0, hvtb_vp_set_synic_queue(v2.fd, e, n));
	ASSERT_EQ(0, hvtb_vp_get_synic_queue(v2.fd, e2, QMSGS + 2, &n));
	ASSERT_EQ(QMSGS + 2, n);
	EXPECT_EQ(0, memcmp(e, e2, sizeof(e)));
	EXPECT_UCALL(&v2, UCALL_SYNC);
	EXPECT_UCALL(&v2, UCALL_DONE);
	ASSERT_EQ(0, hvtb_vp_get_hv_stats(v2.fd, &st));
	EXPECT_EQ(QMSGS, st.synic_delivered);
	/* SINT 7's two stay queued (masked) there. */
	ASSERT_EQ(0, hvtb_vp_get_synic_queue(v2.fd, e2, QMSGS + 2, &n));
	EXPECT_EQ(2, n);
	EXPECT_EQ(0x70, e2[0].message.message_type);
	/* The source still holds its own. */
	ASSERT_EQ(0, hvtb_vp_get_synic_queue(v.fd, e2, QMSGS + 2, &n));
	EXPECT_EQ(QMSGS + 2, n);
	TEARDOWN(g2, v2);
	TEARDOWN(g, v);
}

/* Every bad input of the two queue ioctls; nothing changes on an error. */
TEST(synic_queue_bad_inputs)
{
	static struct hvtb_synic_queue_entry e[HVTB_HV_SINT_COUNT * HVTB_HV_SINT_QUEUE_DEPTH + 1];
	struct hvtb_synic_queue_entry saved[2];
	struct hvtb_synic_queues q;
	struct guest g;
	struct guest_vp v;
	uint32_t n, i;

	SYNIC_SETUP(g, v, ALL_EAX);
	ASSERT_EQ(0, host_post(g.part, 0, 2, 1));
	ASSERT_EQ(0, host_post(g.part, 0, 3, 2));
	ASSERT_EQ(0, hvtb_vp_get_synic_queue(v.fd, saved, 2, &n));
	ASSERT_EQ(2, n);

#define Q_EXPECT(err, cmd) EXPECT_EQ(err, guest_ioctl(v.fd, cmd, (uintptr_t)&q))
	memset(&q, 0, sizeof(q));
	q.entries = (uintptr_t)e;
	q.capacity = 2;
	q.flags = 1;
	Q_EXPECT(-EINVAL, HVTB_VP_GET_SYNIC_QUEUE);
	Q_EXPECT(-EINVAL, HVTB_VP_SET_SYNIC_QUEUE);
	q.flags = 0;
	q.pad = 1;
	Q_EXPECT(-EINVAL, HVTB_VP_GET_SYNIC_QUEUE);
	Q_EXPECT(-EINVAL, HVTB_VP_SET_SYNIC_QUEUE);
	q.pad = 0;
	q.reserved[3] = 1;
	Q_EXPECT(-EINVAL, HVTB_VP_GET_SYNIC_QUEUE);
	Q_EXPECT(-EINVAL, HVTB_VP_SET_SYNIC_QUEUE);
	q.reserved[3] = 0;
	q.entries = 8;
	Q_EXPECT(-EFAULT, HVTB_VP_GET_SYNIC_QUEUE);
	q.count = 1;
	Q_EXPECT(-EFAULT, HVTB_VP_SET_SYNIC_QUEUE);
	EXPECT_EQ(-EFAULT, guest_ioctl(v.fd, HVTB_VP_GET_SYNIC_QUEUE, 8));
	EXPECT_EQ(-EFAULT, guest_ioctl(v.fd, HVTB_VP_SET_SYNIC_QUEUE, 8));

	/* One bad entry behind a good one. */
#define SET_BAD(err, field, val) do {					\
	queue_entry(&e[0], 4, 0x40);					\
	queue_entry(&e[1], 5, 0x50);					\
	e[1].field = (val);						\
	EXPECT_EQ(err, hvtb_vp_set_synic_queue(v.fd, e, 2));		\
} while (0)
	SET_BAD(-EINVAL, sint, 16);
	SET_BAD(-EINVAL, pad, 1);
	SET_BAD(-EINVAL, message.message_type, 0);
	SET_BAD(-EINVAL, message.payload_size, 241);
	SET_BAD(-EINVAL, message.message_flags, 1);
	SET_BAD(-EINVAL, message.reserved, 1);
#undef SET_BAD
	/* More than the queue depth for one SINT, or than all of them. */
	for (i = 0; i <= HVTB_HV_SINT_QUEUE_DEPTH; i++)
		queue_entry(&e[i], 9, 0x90 + i);
	EXPECT_EQ(-ENOSPC, hvtb_vp_set_synic_queue(v.fd, e, HVTB_HV_SINT_QUEUE_DEPTH + 1));
	for (i = 0; i < sizeof(e) / sizeof(e[0]); i++)
		queue_entry(&e[i], i % HVTB_HV_SINT_COUNT, 1);
	EXPECT_EQ(-ENOSPC, hvtb_vp_set_synic_queue(v.fd, e, sizeof(e) / sizeof(e[0])));

	/* Nothing changed. */
	ASSERT_EQ(0, hvtb_vp_get_synic_queue(v.fd, e, 4, &n));
	ASSERT_EQ(2, n);
	EXPECT_EQ(0, memcmp(saved, e, sizeof(saved)));
	/* Full queues are fine; an empty SET empties them. */
	for (i = 0; i < sizeof(e) / sizeof(e[0]); i++)
		queue_entry(&e[i], i % HVTB_HV_SINT_COUNT, 1);
	EXPECT_EQ(0, hvtb_vp_set_synic_queue(v.fd, e, sizeof(e) / sizeof(e[0]) - 1));
	ASSERT_EQ(0, hvtb_vp_get_synic_queue(v.fd, e, sizeof(e) / sizeof(e[0]), &n));
	EXPECT_EQ(sizeof(e) / sizeof(e[0]) - 1, n);
	EXPECT_EQ(-EAGAIN, host_post(g.part, 0, 2, 1));	/* full */
	EXPECT_EQ(0, hvtb_vp_set_synic_queue(v.fd, NULL, 0));
	ASSERT_EQ(0, hvtb_vp_get_synic_queue(v.fd, e, 4, &n));
	EXPECT_EQ(0, n);
	TEARDOWN(g, v);

	/* A partition without the SynIC privilege: -ENODEV. */
	SYNIC_SETUP(g, v, ALL_EAX & ~HV_MSR_SYNIC_AVAILABLE);
	memset(&q, 0, sizeof(q));
	Q_EXPECT(-ENODEV, HVTB_VP_GET_SYNIC_QUEUE);
	Q_EXPECT(-ENODEV, HVTB_VP_SET_SYNIC_QUEUE);
	TEARDOWN(g, v);
#undef Q_EXPECT
}

/* ---- HLT is not ended by a delivery that raises no interrupt ---- */

#define SINT_POLLING		(1ULL << 18)

static volatile uint64_t hlt_phase, hlt_woke;

/*
 * 1: a message for a polled SINT while in HLT; 2: one for a SINT whose
 * slot is busy. Each HLT ends with the host's interrupt, not the message.
 */
static void guest_halt_no_wake(void)
{
	guest_handlers[VEC_IPI] = irq_eoi;
	guest_handlers[VEC_SINT3] = irq_eoi;
	guest_synic_on();
	guest_wrmsr(HV_X64_MSR_SINT0 + 2, VEC_SINT2 | SINT_POLLING);
	GUEST_SYNC(0);		/* host: run on a thread */
	hlt_phase = 1;
	__asm__ volatile("sti; hlt" : : : "memory");
	hlt_woke = 1;
	GUEST_ASSERT_EQ(irqs[VEC_IPI], 1);
	GUEST_ASSERT_EQ(irqs[VEC_SINT2], 0);
	slot_check(2, 0x42, 0);
	slot_free(2);

	synic.simp[3].type = 0x55;	/* busy */
	guest_wrmsr(HV_X64_MSR_SINT0 + 3, VEC_SINT3);
	hlt_phase = 2;
	__asm__ volatile("sti; hlt" : : : "memory");
	hlt_woke = 2;
	GUEST_ASSERT_EQ(irqs[VEC_IPI], 2);
	GUEST_ASSERT_EQ(irqs[VEC_SINT3], 0);
	GUEST_ASSERT_EQ(synic.simp[3].flags & 1, 1);	/* the message waits */
	slot_free(3);
	GUEST_ASSERT_EQ(wait_irqs(VEC_SINT3, 1), 1);
	slot_check(3, 0x43, 0);
}

/* Poll (10 ms steps, about 20 s at most) until *@p == @want. */
static int wait_guest_value(volatile uint64_t *p, uint64_t want)
{
	int i;

	for (i = 0; i < 2000 && *p != want; i++)
		usleep(10000);
	return *p == want;
}

static int wait_guest_byte(volatile uint8_t *p, uint8_t mask, uint8_t want)
{
	int i;

	for (i = 0; i < 2000 && (*p & mask) != want; i++)
		usleep(10000);
	return (*p & mask) == want;
}

TEST(synic_halt_not_woken_by_message)
{
	struct hvtb_interrupt irq = { .vp_index = 0, .vector = VEC_IPI };
	volatile uint64_t *phase, *woke;
	volatile struct hv_msg *simp;
	struct guest g;
	struct guest_vp v;
	pthread_t t;
	void *tr;

	SYNIC_SETUP(g, v, ALL_EAX);
	phase = guest_gpa(&g, (uintptr_t)&hlt_phase);
	woke = guest_gpa(&g, (uintptr_t)&hlt_woke);
	simp = guest_gpa(&g, (uintptr_t)synic.simp);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_halt_no_wake, 0, 0));
	EXPECT_UCALL(&v, UCALL_SYNC);
	ASSERT_EQ(0, pthread_create(&t, NULL, guest_run_thread, &v));

	/* Polled SINT2: the message reaches the slot, the VP stays halted. */
	ASSERT_TRUE(wait_guest_value(phase, 1));
	usleep(200000);		/* the VP blocks in HLT */
	ASSERT_EQ(0, host_post(g.part, 0, 2, 0x42));
	EXPECT_TRUE(wait_guest_byte((volatile uint8_t *)&simp[2].type, 0xff, 0x42));
	usleep(200000);
	EXPECT_EQ(0, *woke);
	EXPECT_EQ(0, guest_ioctl(g.part, HVTB_PARTITION_ASSERT_INTERRUPT, (uintptr_t)&irq));

	/* Busy slot 3: "pending" is set, the VP stays halted. */
	ASSERT_TRUE(wait_guest_value(phase, 2));
	usleep(200000);
	ASSERT_EQ(0, host_post(g.part, 0, 3, 0x43));
	EXPECT_TRUE(wait_guest_byte(&simp[3].flags, 1, 1));
	usleep(200000);
	EXPECT_EQ(1, *woke);
	EXPECT_EQ(0, guest_ioctl(g.part, HVTB_PARTITION_ASSERT_INTERRUPT, (uintptr_t)&irq));

	ASSERT_EQ(0, pthread_join(t, &tr));
	EXPECT_EQ(UCALL_DONE, (uintptr_t)tr);
	TEARDOWN(g, v);
}

/* ---- a partition without the in-kernel APIC: messages reach the SIMP page ---- */

static volatile uint64_t nolapic_seen, nolapic_spins;

static void guest_no_lapic_poll(void)
{
	volatile struct hv_msg *m = &synic.simp[2];
	uint64_t i;

	guest_wrmsr(HV_X64_MSR_SIMP, (uintptr_t)synic.simp | 1);
	guest_wrmsr(HV_X64_MSR_SCONTROL, 1);
	guest_wrmsr(HV_X64_MSR_SINT0 + 2, VEC_SINT2);
	GUEST_SYNC(0);		/* host: run on a thread, post later */
	for (i = 0; i < 200000000 && !m->type; i++)
		__asm__ volatile("pause" : : : "memory");
	nolapic_spins = i;
	nolapic_seen = m->type;
	slot_check(2, 0x61, 0);
	slot_free(2);
}

TEST(synic_no_lapic_kick)
{
	struct hvtb_hv_vp_stats st;
	struct guest g;
	struct guest_vp v;
	pthread_t t;
	void *tr;
	int r;

	r = guest_create(&g, guest_env_flags());
	if (r == -ENOENT)
		SKIP(return, "/dev/hvtb missing");
	ASSERT_EQ(0, r);
	ASSERT_EQ(0, hv_setup(&g, &v, ALL_EAX, ALL_EBX, 0));
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_no_lapic_poll, 0, 0));
	EXPECT_UCALL(&v, UCALL_SYNC);
	ASSERT_EQ(0, pthread_create(&t, NULL, guest_run_thread, &v));
	usleep(100000);		/* the guest spins in its loop */
	ASSERT_EQ(0, host_post(g.part, 0, 2, 0x61));
	ASSERT_EQ(0, pthread_join(t, &tr));
	EXPECT_EQ(UCALL_DONE, (uintptr_t)tr);
	EXPECT_EQ(0x61, *(volatile uint64_t *)guest_gpa(&g, (uintptr_t)&nolapic_seen));
	TH_LOG("message seen after %llu guest spins", (unsigned long long)
	       *(volatile uint64_t *)guest_gpa(&g, (uintptr_t)&nolapic_spins));
	ASSERT_EQ(0, hvtb_vp_get_hv_stats(v.fd, &st));
	EXPECT_EQ(1, st.synic_delivered);
	TEARDOWN(g, v);
}

static void guest_apic_msrs(uint64_t granted)
{
	uint64_t v;

	guest_handlers[13] = gp_skip2;
	guest_handlers[VEC_IPI] = irq_no_eoi;
	guest_x2apic_on();
	if (!granted) {
		GUEST_ASSERT(try_rdmsr(HV_X64_MSR_TPR, &v));
		GUEST_ASSERT(try_wrmsr(HV_X64_MSR_EOI, 0));
		GUEST_ASSERT(try_rdmsr(HV_X64_MSR_ICR, &v));
		GUEST_SYNC(0);
		return;
	}
	GUEST_ASSERT(try_rdmsr(HV_X64_MSR_EOI, &v));	/* write-only */
	GUEST_ASSERT(!try_wrmsr(HV_X64_MSR_TPR, 0x20));
	GUEST_ASSERT_EQ(guest_rdmsr(HV_X64_MSR_TPR), 0x20);
	GUEST_ASSERT_EQ(guest_rdmsr(MSR_X2APIC_TPR), 0x20);
	guest_wrmsr(HV_X64_MSR_TPR, 0);
	/* A self-IPI through the TLFS ICR; its EOI through the TLFS EOI. */
	__asm__ volatile("sti" : : : "memory");
	GUEST_ASSERT(!try_wrmsr(HV_X64_MSR_ICR, VEC_IPI | (1 << 18)));
	GUEST_ASSERT_EQ(wait_irqs(VEC_IPI, 1), 1);
	v = guest_rdmsr(0x810 + ((VEC_IPI / 32) & 7));
	GUEST_ASSERT(v & (1U << (VEC_IPI % 32)));
	GUEST_ASSERT(!try_wrmsr(HV_X64_MSR_EOI, 0));
	v = guest_rdmsr(0x810 + ((VEC_IPI / 32) & 7));
	GUEST_ASSERT_EQ(v & (1U << (VEC_IPI % 32)), 0);
	GUEST_ASSERT_EQ((uint32_t)guest_rdmsr(HV_X64_MSR_ICR), VEC_IPI | (1 << 18));
	/* x2APIC reserved bits #GP through the TLFS ICR as well. */
	GUEST_ASSERT(try_wrmsr(HV_X64_MSR_ICR, VEC_IPI | (1 << 13)));
	GUEST_SYNC(1);
}

TEST(tlfs_apic_msrs)
{
	struct guest g;
	struct guest_vp v;
	struct ucall uc;

	DEFAULT_MODE_ONLY();

	SYNIC_SETUP(g, v, ALL_EAX);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_apic_msrs, 1, 0));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(1, uc.args[0]);
	TEARDOWN(g, v);

	SYNIC_SETUP(g, v, ALL_EAX & ~HV_MSR_APIC_ACCESS_AVAILABLE);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_apic_msrs, 0, 0));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(0, uc.args[0]);
	TEARDOWN(g, v);
}

/* ---- bad ioctl inputs ---- */

TEST(bad_ioctls)
{
	struct hvtb_hyperv_config c = { .flags = HVTB_HV_ENABLE };
	struct hvtb_hv_port_config pc = { .connection_id = 1 };
	struct hvtb_hv_event ev = { .connection_id = 1 };
	struct hvtb_hv_message m;
	struct guest g;
	struct guest_vp v;
	char small[8];
	int port, efd;

	DEFAULT_MODE_ONLY();

	GUEST_OR_SKIP(&g, GUEST_NO_MEMORY);
	c.flags = 1U << 2;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_SET_HYPERV, (uintptr_t)&c));
	c.flags = HVTB_HV_ENABLE;
	c.reserved[5] = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_SET_HYPERV, (uintptr_t)&c));
	c.reserved[5] = 0;
	c.max_vps = HVTB_MAX_VPS + 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_SET_HYPERV, (uintptr_t)&c));
	c.max_vps = 0;
	EXPECT_EQ(-EFAULT, guest_ioctl(g.part, HVTB_PARTITION_SET_HYPERV, 8));
	EXPECT_EQ(0, guest_ioctl(g.part, HVTB_PARTITION_SET_HYPERV, (uintptr_t)&c));
	EXPECT_EQ(-ENOTTY, guest_ioctl(g.part, _IO(HVTBIO, 0x3f), 0));

	pc.connection_id = 0x1000000;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_CREATE_HV_PORT, (uintptr_t)&pc));
	pc.connection_id = 1;
	pc.depth = 4097;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_CREATE_HV_PORT, (uintptr_t)&pc));
	pc.depth = 0;
	pc.pad = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_CREATE_HV_PORT, (uintptr_t)&pc));
	pc.pad = 0;
	pc.flags = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_CREATE_HV_PORT, (uintptr_t)&pc));
	pc.flags = 0;
	port = guest_ioctl(g.part, HVTB_PARTITION_CREATE_HV_PORT, (uintptr_t)&pc);
	ASSERT_LE(0, port);
	EXPECT_EQ(-EEXIST, guest_ioctl(g.part, HVTB_PARTITION_CREATE_HV_PORT, (uintptr_t)&pc));
	EXPECT_EQ(-1, read(port, small, sizeof(small)));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, fcntl(port, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-EAGAIN, hvtb_hv_read_message(port, &m));

	ev.fd = -1;
	EXPECT_EQ(-EBADF, guest_ioctl(g.part, HVTB_PARTITION_SET_HV_EVENT, (uintptr_t)&ev));
	ev.fd = port;		/* not an eventfd */
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_SET_HV_EVENT, (uintptr_t)&ev));
	efd = eventfd(0, 0);
	ASSERT_LE(0, efd);
	ev.fd = efd;
	ev.flag_count = 2049;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_SET_HV_EVENT, (uintptr_t)&ev));
	ev.flag_count = 0;
	ev.reserved = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_SET_HV_EVENT, (uintptr_t)&ev));
	ev.reserved = 0;
	ev.vp_index = 1;	/* only with HVTB_HV_EVENT_SYNIC */
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_SET_HV_EVENT, (uintptr_t)&ev));
	ev.vp_index = 0;
	ev.flags = HVTB_HV_EVENT_SYNIC;
	ev.sint = 16;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_SET_HV_EVENT, (uintptr_t)&ev));
	ev.sint = 0;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_SET_HV_EVENT, (uintptr_t)&ev)); /* fd */
	ev.flags = 0;
	ev.flags = 2;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_SET_HV_EVENT, (uintptr_t)&ev));
	ev.flags = 0;
	EXPECT_EQ(0, guest_ioctl(g.part, HVTB_PARTITION_SET_HV_EVENT, (uintptr_t)&ev));
	EXPECT_EQ(-EEXIST, guest_ioctl(g.part, HVTB_PARTITION_SET_HV_EVENT, (uintptr_t)&ev));
	ev.flags = HVTB_HV_EVENT_DEASSIGN;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_SET_HV_EVENT, (uintptr_t)&ev));
	ev.fd = 0;
	ev.connection_id = 2;
	EXPECT_EQ(-ENOENT, guest_ioctl(g.part, HVTB_PARTITION_SET_HV_EVENT, (uintptr_t)&ev));
	close(efd);	/* the kernel keeps its own reference */

	ASSERT_EQ(0, guest_vp_create(&g, &v, 0));
	EXPECT_EQ(-EBUSY, guest_ioctl(g.part, HVTB_PARTITION_SET_HYPERV, (uintptr_t)&c));
	guest_vp_destroy(&v);
	close(port);
	guest_destroy(&g);	/* with event 1 still registered */
}

TEST_HARNESS_MAIN
