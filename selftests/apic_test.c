// SPDX-License-Identifier: GPL-2.0
/*
 * apic_test - the in-kernel local APIC of HVTB_PARTITION_LAPIC partitions,
 * driven by long-mode guest code: xAPIC MMIO and x2APIC MSR registers,
 * IA32_APIC_BASE mode changes and their #GPs, self-IPIs, TPR/CR8 masking,
 * EOI ordering of nested vectors, the interrupt window after STI, the LAPIC
 * timer (one-shot, periodic, TSC deadline), blocking HLT woken by the timer,
 * by user space, by an NMI and cancelled by a signal, IPIs between two VPs
 * on two threads, INIT/SIPI start-up of a second VP from wait-for-SIPI
 * (x2APIC and xAPIC ICR) and HVTB_VP_{GET,SET}_MP_STATE, APIC state
 * save/restore, irqfd (eventfd -> vector), bad ioctl inputs and hostile
 * guest writes. The same cases run with the CPU's
 * APIC virtualization (the default where Bochs or the CPU has it) and
 * without it (run_vm.sh apic_test:noapicv); apicv_* cases count the exits
 * each path takes.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "hvtb_harness.h"
#include "guest.h"
#include "partition.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT	300

#define XAPIC_BASE	0xfee00000ULL
#define MSR_APIC_BASE	0x1b
#define MSR_TSC_DL	0x6e0
#define X2(off)		(0x800 + ((off) >> 4))
#define BASE_BSP	0x100
#define BASE_EXTD	0x400
#define BASE_EN		0x800

/* xAPIC register offsets */
#define R_ID		0x20
#define R_VER		0x30
#define R_TPR		0x80
#define R_PPR		0xa0
#define R_EOI		0xb0
#define R_LDR		0xd0
#define R_DFR		0xe0
#define R_SVR		0xf0
#define R_ISR		0x100
#define R_IRR		0x200
#define R_ESR		0x280
#define R_ICR		0x300
#define R_ICR2		0x310
#define R_LVTT		0x320
#define R_TMICT		0x380
#define R_TMCCT		0x390
#define R_TDCR		0x3e0
#define R_SELF		0x3f0

#define APIC_VERSION	0x50014
#define LVT_MASKED	0x10000
#define SH_SELF		(1 << 18)
#define SH_ALL		(2 << 18)
#define SH_OTHERS	(3 << 18)
#define ICR_LOGICAL	0x800

/*
 * The VPs execute on hvtb's scheduler threads, or on the RUN caller when
 * the environment has HVTB_TEST_ROOT_SCHED=1 (run_vm.sh apic_test:root);
 * HVTB_TEST_NO_APICV=1 (apic_test:noapicv) turns APIC virtualization off.
 */
#define APIC_FLAGS	(GUEST_LAPIC | guest_env_flags())
#define SETUP(g, v)	GUEST_SETUP(g, v, APIC_FLAGS)
#define TEARDOWN(g, v)	GUEST_TEARDOWN(g, v)

/* ---- guest side ---- */

static volatile uint64_t irq_count[256];
static volatile uint64_t gp_count, nmi_count;
static volatile uint64_t ilog[16], ilog_n;
static volatile uint64_t marker, seen_marker;

static inline void guest_sti(void)
{
	__asm__ volatile("sti" : : : "memory");
}

static inline void guest_cli(void)
{
	__asm__ volatile("cli" : : : "memory");
}

/* STI; HLT: HLT is in the STI shadow, so no interrupt slips in between. */
static inline void guest_sti_hlt(void)
{
	__asm__ volatile("sti; hlt" : : : "memory");
}

static inline void guest_set_cr8(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr8" : : "r"(v) : "memory");
}

static inline uint64_t guest_get_cr8(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr8, %0" : "=r"(v) : : "memory");
	return v;
}

/* MOV r32 to/from the xAPIC page (89 /r and 8b /r). */
static inline void xapic_write(uint32_t off, uint32_t v)
{
	__asm__ volatile("movl %0, (%1)" : : "r"(v), "r"(XAPIC_BASE + off)
			 : "memory");
}

static inline uint32_t xapic_read(uint32_t off)
{
	uint32_t v;

	__asm__ volatile("movl (%1), %0" : "=r"(v) : "r"(XAPIC_BASE + off)
			 : "memory");
	return v;
}

/* Extended registers (REX.R, REX.B) and an immediate store (c7 /0). */
static inline uint32_t xapic_read_rex(uint32_t off)
{
	register uint64_t a __asm__("r9") = XAPIC_BASE + off;
	register uint32_t v __asm__("r10");

	__asm__ volatile("movl 0(%1), %0" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static inline void xapic_write_svr_imm(void)
{
	__asm__ volatile("movl $0x1ff, 0xf0(%0)" : : "r"(XAPIC_BASE) : "memory");
}

static void x2_enable(void)
{
	guest_wrmsr(MSR_APIC_BASE, XAPIC_BASE | BASE_BSP | BASE_EN | BASE_EXTD);
	guest_wrmsr(X2(R_SVR), 0x1ff);
}

static void h_x2_count(struct guest_frame *f)
{
	irq_count[f->vector]++;
	guest_wrmsr(X2(R_EOI), 0);
}

static void h_x_count(struct guest_frame *f)
{
	irq_count[f->vector]++;
	xapic_write(R_EOI, 0);
}

static void h_gp_skip2(struct guest_frame *f)
{
	gp_count++;
	f->rip += 2;	/* RDMSR, WRMSR */
}

static void h_nmi(struct guest_frame *f)
{
	(void)f;
	nmi_count++;
}

static void ilog_add(uint64_t v)
{
	ilog[ilog_n++ & 15] = v;
}

static void h_x2_log(struct guest_frame *f)
{
	ilog_add(f->vector);
	guest_wrmsr(X2(R_EOI), 0);
}

/* ---- bad inputs ---- */

static long assert_irq(int fd, uint32_t idx, uint32_t vec, uint32_t flags,
		       uint32_t pad)
{
	struct hvtb_interrupt i = {
		.vp_index = idx, .vector = vec, .flags = flags, .pad = pad,
	};

	return guest_ioctl(fd, HVTB_PARTITION_ASSERT_INTERRUPT, (uintptr_t)&i);
}

TEST(bad_inputs)
{
	struct hvtb_partition_config pc = { .flags = 8 };	/* an unknown flag */
	struct hvtb_interrupt irq = { .vector = 0x40 };
	struct hvtb_lapic_state s;
	struct guest g, g2;
	struct guest_vp v, v2;
	struct hvtb_vp_handle h;

	SETUP(g, v);
	EXPECT_EQ(1, guest_ioctl(g.dev, HVTB_CHECK_EXTENSION, HVTB_EXT_LAPIC));
	EXPECT_EQ(-EINVAL, guest_ioctl(g.dev, HVTB_CREATE_PARTITION, (uintptr_t)&pc));

	/* Reset state: software-disabled, so an interrupt is dropped. */
	EXPECT_EQ(-ENXIO, assert_irq(g.part, 0, 0x40, 0, 0));
	EXPECT_EQ(-EINVAL, assert_irq(g.part, 0, 15, 0, 0));
	EXPECT_EQ(-EINVAL, assert_irq(g.part, 0, 256, 0, 0));
	EXPECT_EQ(-EINVAL, assert_irq(g.part, 0, 0x40, 2, 0));
	EXPECT_EQ(-EINVAL, assert_irq(g.part, 0, 0x40, 0, 1));
	EXPECT_EQ(-EINVAL, assert_irq(g.part, 0, 2, HVTB_INTERRUPT_NMI, 0));
	EXPECT_EQ(-ENOENT, assert_irq(g.part, 5, 0x40, 0, 0));
	EXPECT_EQ(-ENOENT, assert_irq(g.part, 1000, 0x40, 0, 0));
	irq.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_ASSERT_INTERRUPT, (uintptr_t)&irq));
	/* An NMI is accepted even by a software-disabled APIC. */
	EXPECT_EQ(0, assert_irq(g.part, 0, 0, HVTB_INTERRUPT_NMI, 0));

	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_LAPIC, (uintptr_t)&s));
	EXPECT_EQ(XAPIC_BASE | BASE_BSP | BASE_EN, s.apic_base);
	EXPECT_EQ(APIC_VERSION, s.regs[R_VER / 4]);
	EXPECT_EQ(0xffu, s.regs[R_SVR / 4]);
	EXPECT_EQ(0xffffffffu, s.regs[R_DFR / 4]);
	EXPECT_EQ((uint32_t)LVT_MASKED, s.regs[R_LVTT / 4]);
	EXPECT_EQ(HVTB_LAPIC_NMI_PENDING, s.flags);
	s.pad = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_SET_LAPIC, (uintptr_t)&s));
	s.pad = 0;
	s.flags = 2;
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_SET_LAPIC, (uintptr_t)&s));
	s.flags = 0;
	s.reserved[3] = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_SET_LAPIC, (uintptr_t)&s));
	s.reserved[3] = 0;
	s.apic_base = XAPIC_BASE | BASE_EXTD;	/* x2APIC without EN */
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_SET_LAPIC, (uintptr_t)&s));
	s.apic_base = 1ULL << 60;
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_SET_LAPIC, (uintptr_t)&s));
	s.apic_base = XAPIC_BASE | BASE_BSP | BASE_EN;
	EXPECT_EQ(0, guest_ioctl(v.fd, HVTB_VP_SET_LAPIC, (uintptr_t)&s));
	EXPECT_EQ(-ENOTTY, guest_ioctl(v.fd, _IO(HVTBIO, 0x4f), 0));

	/* The libhvtb wrappers say the same. */
	h.fd = v.fd;
	h.run = v.run;
	EXPECT_EQ(0, hvtb_vp_get_lapic(&h, &s));
	EXPECT_EQ(-EINVAL, hvtb_assert_interrupt(g.part, 0, 3, 0));

	/* Without HVTB_PARTITION_LAPIC: no APIC ioctls. */
	ASSERT_EQ(0, guest_create(&g2, GUEST_NO_MEMORY));
	ASSERT_EQ(0, guest_vp_create(&g2, &v2, 0));
	EXPECT_EQ(-ENODEV, guest_ioctl(v2.fd, HVTB_VP_GET_LAPIC, (uintptr_t)&s));
	EXPECT_EQ(-ENODEV, assert_irq(g2.part, 0, 0x40, 0, 0));
	guest_vp_destroy(&v2);
	guest_destroy(&g2);
	TEARDOWN(g, v);
}

/* ---- xAPIC MMIO ---- */

static void guest_xapic(void)
{
	guest_handlers[0x40] = h_x_count;
	guest_handlers[0x41] = h_x_count;
	guest_handlers[0x42] = h_x_count;

	GUEST_ASSERT_EQ(xapic_read(R_ID), 0);
	GUEST_ASSERT_EQ(xapic_read(R_VER), APIC_VERSION);
	GUEST_ASSERT_EQ(xapic_read_rex(R_VER), APIC_VERSION);
	GUEST_ASSERT_EQ(xapic_read(R_SVR), 0xff);
	xapic_write_svr_imm();
	GUEST_ASSERT_EQ(xapic_read(R_SVR), 0x1ff);
	xapic_write(R_TPR, 0x2f);
	GUEST_ASSERT_EQ(xapic_read(R_TPR), 0x2f);
	GUEST_ASSERT_EQ(xapic_read(R_PPR), 0x2f);
	GUEST_ASSERT_EQ(guest_get_cr8(), 2);
	xapic_write(R_TPR, 0);
	xapic_write(R_VER, 0);			/* read-only: dropped */
	GUEST_ASSERT_EQ(xapic_read(R_VER), APIC_VERSION);

	guest_sti();
	xapic_write(R_ICR, 0x40 | SH_SELF);
	GUEST_ASSERT_EQ(irq_count[0x40], 1);
	GUEST_ASSERT_EQ(xapic_read(R_ISR + 0x20), 0);	/* EOI ended it */
	/* Logical flat destination 1 = this VP once its LDR says so. */
	xapic_write(R_LDR, 0x01000000);
	GUEST_ASSERT_EQ(xapic_read(R_LDR), 0x01000000);
	GUEST_ASSERT_EQ(xapic_read(R_DFR), 0xffffffff);
	xapic_write(R_ICR2, 0x01000000);
	xapic_write(R_ICR, 0x41 | ICR_LOGICAL);
	GUEST_ASSERT_EQ(irq_count[0x41], 1);
	xapic_write(R_ICR2, 0x02000000);	/* nobody */
	xapic_write(R_ICR, 0x41 | ICR_LOGICAL);
	GUEST_ASSERT_EQ(irq_count[0x41], 1);
	xapic_write(R_ICR2, 0);			/* physical ID 0 */
	xapic_write(R_ICR, 0x42);
	GUEST_ASSERT_EQ(irq_count[0x42], 1);
	/* An illegal vector is not sent and shows in ESR. */
	xapic_write(R_ICR, 0x05 | SH_SELF);
	xapic_write(R_ESR, 0);
	GUEST_ASSERT_EQ(xapic_read(R_ESR), 0x20);
	guest_cli();

	/* Software disable masks the LVTs and drops interrupts. */
	xapic_write(R_LVTT, 0x50);
	GUEST_ASSERT_EQ(xapic_read(R_LVTT), 0x50);
	xapic_write(R_SVR, 0xff);
	GUEST_ASSERT_EQ(xapic_read(R_LVTT), 0x10050);
	xapic_write(R_ICR, 0x40 | SH_SELF);
	GUEST_ASSERT_EQ(xapic_read(R_IRR + 0x20), 0);
	GUEST_SYNC(irq_count[0x40]);
}

/* VMX basic exit reasons the APIC paths take */
#define EXIT_MSR_READ		31
#define EXIT_MSR_WRITE		32
#define EXIT_APIC_ACCESS	44
#define EXIT_EPT_VIOLATION	48
#define EXIT_APIC_WRITE		56

/* Does the partition use the CPU's APIC virtualization? */
static bool part_apicv(int part)
{
	struct hvtb_partition_info info;

	if (guest_ioctl(part, HVTB_PARTITION_GET_INFO, (uintptr_t)&info))
		return false;
	return info.flags & HVTB_PARTITION_INFO_APICV;
}

TEST(xapic_mmio)
{
	struct guest g;
	struct guest_vp v;
	struct hvtb_vp_stats st;
	struct ucall uc;

	SETUP(g, v);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_xapic, 0, 0));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(1, uc.args[0]);
	EXPECT_UCALL(&v, UCALL_DONE);
	/* Every access was handled in the kernel: no MMIO exit. */
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_STATS, (uintptr_t)&st));
	EXPECT_EQ(0, st.by_intercept[HVTB_EXIT_MMIO]);
	if (part_apicv(g.part)) {
		/* The APIC-access page: no EPT violation; some writes trap. */
		EXPECT_EQ(0, st.by_reason[EXIT_EPT_VIOLATION]);
		EXPECT_LT(0, st.by_reason[EXIT_APIC_WRITE]);
		EXPECT_LT(0, st.by_reason[EXIT_APIC_ACCESS]);	/* VER write */
	} else {
		EXPECT_LT(20, st.by_reason[EXIT_EPT_VIOLATION]);
	}
	TEARDOWN(g, v);
}

/* ---- APIC virtualization: which accesses exit ---- */

#define APICV_LOOPS	100

/*
 * Per loop: a self-IPI taken and EOIed, a TPR write and read, and reads
 * of ID, PPR, ISR and IRR; x2APIC (@x2) or xAPIC. Then one read of the
 * timer's current count, which never stays in the guest.
 */
static void guest_apicv_loop(uint64_t x2, uint64_t unused)
{
	uint64_t i, vec = x2 ? 0x46 : 0x47;
	uint32_t ccr;

	(void)unused;
	if (x2)
		x2_enable();
	else
		xapic_write(R_SVR, 0x1ff);
	guest_handlers[0x46] = h_x2_count;
	guest_handlers[0x47] = h_x_count;
	guest_sti();
	for (i = 0; i < APICV_LOOPS; i++) {
		if (x2) {
			guest_wrmsr(X2(R_SELF), vec);
			guest_wrmsr(X2(R_TPR), 0x10);
			GUEST_ASSERT_EQ(guest_rdmsr(X2(R_TPR)), 0x10);
			GUEST_ASSERT_EQ(guest_rdmsr(X2(R_PPR)), 0x10);
			GUEST_ASSERT_EQ(guest_rdmsr(X2(R_ID)), 0);
			GUEST_ASSERT_EQ(guest_rdmsr(X2(R_ISR + 0x20)), 0);
			GUEST_ASSERT_EQ(guest_rdmsr(X2(R_IRR + 0x20)), 0);
			guest_wrmsr(X2(R_TPR), 0);
		} else {
			xapic_write(R_ICR, vec | SH_SELF);
			xapic_write(R_TPR, 0x10);
			GUEST_ASSERT_EQ(xapic_read(R_TPR), 0x10);
			GUEST_ASSERT_EQ(xapic_read(R_PPR), 0x10);
			GUEST_ASSERT_EQ(xapic_read(R_ID), 0);
			GUEST_ASSERT_EQ(xapic_read(R_ISR + 0x20), 0);
			GUEST_ASSERT_EQ(xapic_read(R_IRR + 0x20), 0);
			xapic_write(R_TPR, 0);
		}
		GUEST_ASSERT_EQ(irq_count[vec], i + 1);
	}
	guest_cli();
	if (x2) {
		guest_wrmsr(X2(R_TMICT), 1000000000);
		ccr = guest_rdmsr(X2(0x390));
	} else {
		xapic_write(R_TMICT, 1000000000);
		ccr = xapic_read(R_TMCCT);
	}
	GUEST_ASSERT(ccr > 0 && ccr <= 1000000000);
	GUEST_SYNC(irq_count[vec]);
}

/*
 * Run guest_apicv_loop and return the VP's exit counts. With APIC
 * virtualization the loop's reads, TPR writes and EOIs stay in the guest.
 */
static void apicv_loop(struct __test_metadata *_metadata, bool x2,
		       struct hvtb_vp_stats *st, bool *apicv)
{
	struct guest g;
	struct guest_vp v;
	struct ucall uc;

	SETUP(g, v);
	*apicv = part_apicv(g.part);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_apicv_loop, x2, 0));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(APICV_LOOPS, uc.args[0]);
	EXPECT_UCALL(&v, UCALL_DONE);
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_STATS, (uintptr_t)st));
	TH_LOG("%s, APIC virtualization %s: %llu exits: %llu RDMSR, %llu WRMSR, %llu EPT violations, %llu APIC-access, %llu APIC-write",
	       x2 ? "x2APIC" : "xAPIC", *apicv ? "on" : "off",
	       (unsigned long long)st->exits,
	       (unsigned long long)st->by_reason[EXIT_MSR_READ],
	       (unsigned long long)st->by_reason[EXIT_MSR_WRITE],
	       (unsigned long long)st->by_reason[EXIT_EPT_VIOLATION],
	       (unsigned long long)st->by_reason[EXIT_APIC_ACCESS],
	       (unsigned long long)st->by_reason[EXIT_APIC_WRITE]);
	TEARDOWN(g, v);
}

TEST(apicv_x2apic_exits)
{
	struct hvtb_vp_stats st;
	bool apicv;

	apicv_loop(_metadata, true, &st, &apicv);
	if (apicv) {
		/* x2_enable(), TMICT, the current count: a few, not per loop. */
		EXPECT_GT(10, st.by_reason[EXIT_MSR_WRITE]);
		EXPECT_GT(10, st.by_reason[EXIT_MSR_READ]);
	} else {
		EXPECT_LE(4 * APICV_LOOPS, st.by_reason[EXIT_MSR_WRITE]);
		EXPECT_LE(5 * APICV_LOOPS, st.by_reason[EXIT_MSR_READ]);
	}
}

TEST(apicv_xapic_exits)
{
	struct hvtb_vp_stats st;
	bool apicv;

	apicv_loop(_metadata, false, &st, &apicv);
	if (apicv) {
		/*
		 * Per loop at most the ICR write (an APIC-write exit, unless
		 * the CPU virtualizes self-IPIs) and the PPR read (Bochs does
		 * not virtualize it: an APIC-access exit) exit; so does the
		 * timer count read, once.
		 */
		EXPECT_EQ(0, st.by_reason[EXIT_EPT_VIOLATION]);
		EXPECT_GT(APICV_LOOPS + 10, st.by_reason[EXIT_APIC_WRITE]);
		EXPECT_LE(1, st.by_reason[EXIT_APIC_ACCESS]);
		EXPECT_GT(APICV_LOOPS + 10, st.by_reason[EXIT_APIC_ACCESS]);
		EXPECT_GT(2 * APICV_LOOPS + 20, st.exits);
	} else {
		EXPECT_LE(9 * APICV_LOOPS, st.by_reason[EXIT_EPT_VIOLATION]);
	}
}

/* Which partitions get APIC virtualization. */
TEST(apicv_mode)
{
	struct hvtb_capabilities caps = { 0 };
	const uint64_t need = HVTB_FEAT_TPR_SHADOW | HVTB_FEAT_VIRT_APIC_ACCESS |
			      HVTB_FEAT_X2APIC_MODE | HVTB_FEAT_APIC_REG_VIRT |
			      HVTB_FEAT_VIRT_INTR_DELIVERY | HVTB_FEAT_MSR_BITMAPS;
	struct hvtb_memory_range m = { 0 };
	char param = 'N';
	struct guest g, g2;
	struct guest_vp v;
	bool expect;
	FILE *f;

	SETUP(g, v);
	ASSERT_EQ(0, guest_ioctl(g.dev, HVTB_GET_CAPABILITIES, (uintptr_t)&caps));
	f = fopen("/sys/module/hvtb/parameters/apicv", "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fscanf(f, " %c", &param));
	fclose(f);
	expect = param == 'Y' && (caps.features & need) == need &&
		 !(guest_env_flags() & GUEST_NO_APICV);
	TH_LOG("apicv=%c, CPU features %s, partition %s", param,
	       (caps.features & need) == need ? "all there" : "missing",
	       part_apicv(g.part) ? "uses APIC virtualization" : "exits");
	EXPECT_EQ(expect, part_apicv(g.part));
	if (expect) {
		/* The APIC-access page holds 0xfee00000: no range there. */
		m.gpa = XAPIC_BASE;
		m.size = 4096;
		m.uaddr = (uintptr_t)g.mem;
		m.flags = HVTB_MAP_READ | HVTB_MAP_WRITE;
		EXPECT_EQ(-EEXIST, guest_ioctl(g.part, HVTB_PARTITION_MAP_GPA, (uintptr_t)&m));
	}
	/* Neither without the in-kernel APIC nor when asked not to. */
	ASSERT_EQ(0, guest_create(&g2, GUEST_NO_MEMORY));
	EXPECT_FALSE(part_apicv(g2.part));
	guest_destroy(&g2);
	ASSERT_EQ(0, guest_create(&g2, GUEST_NO_MEMORY | GUEST_LAPIC | GUEST_NO_APICV));
	EXPECT_FALSE(part_apicv(g2.part));
	guest_destroy(&g2);
	TEARDOWN(g, v);
}

/* ---- x2APIC MSRs and IA32_APIC_BASE ---- */

static void guest_x2apic(void)
{
	guest_handlers[13] = h_gp_skip2;
	guest_handlers[0x45] = h_x2_count;

	guest_rdmsr(X2(R_ID));			/* not in x2APIC mode yet */
	GUEST_ASSERT_EQ(gp_count, 1);
	guest_wrmsr(MSR_APIC_BASE, XAPIC_BASE | BASE_BSP | BASE_EXTD);
	GUEST_ASSERT_EQ(gp_count, 2);		/* EXTD without EN */
	guest_wrmsr(MSR_APIC_BASE, XAPIC_BASE | BASE_BSP | BASE_EN | (1ULL << 62));
	GUEST_ASSERT_EQ(gp_count, 3);		/* reserved bit */
	x2_enable();
	GUEST_ASSERT_EQ(guest_rdmsr(MSR_APIC_BASE), 0xfee00d00);
	GUEST_ASSERT_EQ(guest_rdmsr(X2(R_ID)), 0);
	GUEST_ASSERT_EQ(guest_rdmsr(X2(R_LDR)), 1);
	GUEST_ASSERT_EQ(guest_rdmsr(X2(R_VER)), APIC_VERSION);
	GUEST_ASSERT_EQ(guest_rdmsr(X2(R_SVR)), 0x1ff);
	guest_rdmsr(X2(R_ICR2));		/* no ICR2 in x2APIC mode */
	GUEST_ASSERT_EQ(gp_count, 4);
	guest_wrmsr(X2(R_TPR), 0x100);		/* reserved bits */
	GUEST_ASSERT_EQ(gp_count, 5);
	guest_wrmsr(X2(R_VER), 0);		/* read-only */
	GUEST_ASSERT_EQ(gp_count, 6);
	guest_wrmsr(X2(R_EOI), 1);		/* EOI takes only 0 */
	GUEST_ASSERT_EQ(gp_count, 7);
	guest_rdmsr(X2(R_EOI));			/* write-only */
	GUEST_ASSERT_EQ(gp_count, 8);
	guest_wrmsr(MSR_APIC_BASE, XAPIC_BASE | BASE_BSP | BASE_EN);
	GUEST_ASSERT_EQ(gp_count, 9);		/* x2APIC -> xAPIC */

	guest_sti();
	guest_wrmsr(X2(R_SELF), 0x45);
	GUEST_ASSERT_EQ(irq_count[0x45], 1);
	guest_wrmsr(X2(R_ICR), 0x45);				/* physical 0 */
	GUEST_ASSERT_EQ(irq_count[0x45], 2);
	guest_wrmsr(X2(R_ICR), (1ULL << 32) | ICR_LOGICAL | 0x45); /* cluster 0, bit 0 */
	GUEST_ASSERT_EQ(irq_count[0x45], 3);
	guest_wrmsr(X2(R_ICR), (2ULL << 32) | ICR_LOGICAL | 0x45); /* VP 1: absent */
	GUEST_ASSERT_EQ(irq_count[0x45], 3);
	guest_wrmsr(X2(R_ICR), SH_ALL | 0x45);
	GUEST_ASSERT_EQ(irq_count[0x45], 4);
	guest_wrmsr(X2(R_ICR), SH_OTHERS | 0x45);
	GUEST_ASSERT_EQ(irq_count[0x45], 4);
	GUEST_ASSERT_EQ(guest_rdmsr(X2(R_ICR)), SH_OTHERS | 0x45);
	guest_cli();

	/* Disable, then xAPIC again: allowed, and the APIC was reset. */
	guest_wrmsr(MSR_APIC_BASE, XAPIC_BASE | BASE_BSP);
	guest_wrmsr(MSR_APIC_BASE, XAPIC_BASE | BASE_BSP | BASE_EN);
	GUEST_ASSERT_EQ(xapic_read(R_ID), 0);
	GUEST_ASSERT_EQ(xapic_read(R_SVR), 0xff);
	GUEST_SYNC(gp_count);
}

TEST(x2apic_msrs)
{
	struct guest g;
	struct guest_vp v;
	struct ucall uc;

	SETUP(g, v);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_x2apic, 0, 0));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(9, uc.args[0]);
	EXPECT_UCALL(&v, UCALL_DONE);
	TEARDOWN(g, v);
}

/* ---- TPR masking, EOI ordering of nested vectors ---- */

/* Vector 0x50: 0x55 (same class) waits for its EOI, 0x60 nests at once. */
static void h_nested50(struct guest_frame *f)
{
	ilog_add(f->vector);
	guest_wrmsr(X2(R_SELF), 0x55);
	guest_wrmsr(X2(R_SELF), 0x60);
	GUEST_ASSERT_EQ(ilog_n, 1);		/* IF=0 in the handler */
	guest_sti();
	__asm__ volatile("nop" : : : "memory");	/* 0x60 comes here */
	GUEST_ASSERT_EQ(ilog_n, 2);
	guest_wrmsr(X2(R_EOI), 0);		/* 0x55 comes right after */
	ilog_add(0x5e);
	guest_cli();
}

static void guest_tpr_eoi(void)
{
	uint32_t r[4];
	int i;

	x2_enable();
	guest_handlers[0x45] = h_x2_count;
	guest_handlers[0x50] = h_nested50;
	guest_handlers[0x55] = h_x2_log;
	guest_handlers[0x60] = h_x2_log;

	guest_wrmsr(X2(R_TPR), 0x50);
	guest_sti();
	GUEST_SYNC(1);			/* the test asserts 0x45: below TPR */
	for (i = 0; i < 20; i++)
		guest_cpuid(0, 0, r);
	GUEST_ASSERT_EQ(irq_count[0x45], 0);
	GUEST_ASSERT_EQ(guest_rdmsr(X2(R_PPR)), 0x50);
	GUEST_ASSERT(guest_rdmsr(X2(R_IRR + 0x20)) & (1U << 5));
	guest_set_cr8(0);		/* TPR 0: 0x45 is taken at once */
	GUEST_ASSERT_EQ(irq_count[0x45], 1);
	GUEST_ASSERT_EQ(guest_rdmsr(X2(R_TPR)), 0);
	guest_set_cr8(3);
	GUEST_ASSERT_EQ(guest_rdmsr(X2(R_TPR)), 0x30);
	GUEST_ASSERT_EQ(guest_get_cr8(), 3);
	guest_set_cr8(0);

	guest_wrmsr(X2(R_SELF), 0x50);
	guest_cli();
	GUEST_ASSERT_EQ(ilog_n, 4);
	GUEST_SYNC4(ilog[0], ilog[1], ilog[2], ilog[3]);
	GUEST_ASSERT_EQ(guest_rdmsr(X2(R_ISR + 0x20)), 0);
	GUEST_ASSERT_EQ(guest_rdmsr(X2(R_ISR + 0x30)), 0);
}

TEST(tpr_and_eoi_order)
{
	struct guest g;
	struct guest_vp v;
	struct ucall uc;

	SETUP(g, v);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_tpr_eoi, 0, 0));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(1, uc.args[0]);
	EXPECT_EQ(0, assert_irq(g.part, 0, 0x45, 0, 0));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(0x50, uc.args[0]);
	EXPECT_EQ(0x60, uc.args[1]);
	EXPECT_EQ(0x55, uc.args[2]);
	EXPECT_EQ(0x5e, uc.args[3]);
	EXPECT_UCALL(&v, UCALL_DONE);
	TEARDOWN(g, v);
}

/* ---- interrupt window ---- */

static void h_marker(struct guest_frame *f)
{
	seen_marker = marker;
	irq_count[f->vector]++;
	guest_wrmsr(X2(R_EOI), 0);
}

static void guest_window(void)
{
	uint32_t r[4];
	int i;

	x2_enable();
	guest_handlers[0x70] = h_marker;
	guest_cli();
	GUEST_SYNC(1);			/* the test asserts 0x70 while IF=0 */
	for (i = 0; i < 20; i++)
		guest_cpuid(0, 0, r);	/* exits: nothing may be injected */
	GUEST_ASSERT_EQ(irq_count[0x70], 0);
	/* Taken after the instruction in the STI shadow, before CLI. */
	__asm__ volatile("sti; movq $1, %0; cli" : "=m"(marker) : : "memory");
	GUEST_ASSERT_EQ(irq_count[0x70], 1);
	GUEST_ASSERT_EQ(seen_marker, 1);
}

TEST(interrupt_window)
{
	struct guest g;
	struct guest_vp v;
	struct hvtb_vp_stats st;

	SETUP(g, v);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_window, 0, 0));
	EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(0, hvtb_assert_interrupt(g.part, 0, 0x70, 0));
	EXPECT_UCALL(&v, UCALL_DONE);
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_STATS, (uintptr_t)&st));
	if (part_apicv(g.part)) {	/* the CPU waited for the window itself */
		EXPECT_EQ(0, st.by_reason[7]);
	} else {
		EXPECT_LE(1, st.by_reason[7]);	/* interrupt-window exit */
	}
	TEARDOWN(g, v);
}

/* ---- LAPIC timer ---- */

static void guest_timer(void)
{
	uint32_t r[4];
	uint64_t c, n;
	int i;

	x2_enable();
	guest_handlers[0x50] = h_x2_count;
	guest_wrmsr(X2(R_TDCR), 0xb);		/* divide by 1 */
	guest_wrmsr(X2(R_LVTT), 0x50);		/* one-shot */
	guest_wrmsr(X2(R_TMICT), 2000000);	/* 2 ms */
	c = guest_rdmsr(X2(R_TMCCT));
	GUEST_ASSERT(c > 0 && c <= 2000000);
	guest_sti_hlt();			/* blocks until the timer */
	guest_cli();
	GUEST_ASSERT_EQ(irq_count[0x50], 1);
	GUEST_ASSERT_EQ(guest_rdmsr(X2(R_TMCCT)), 0);

	guest_wrmsr(X2(R_LVTT), 0x50 | (1 << 17));	/* periodic */
	guest_wrmsr(X2(R_TMICT), 300000);
	while (irq_count[0x50] < 5)
		guest_sti_hlt();
	guest_cli();
	guest_wrmsr(X2(R_TMICT), 0);		/* stops it */
	n = irq_count[0x50];
	guest_sti();
	for (i = 0; i < 50; i++)
		guest_cpuid(0, 0, r);
	guest_cli();
	GUEST_ASSERT(irq_count[0x50] <= n + 1);	/* one may have been in flight */

	/* A masked timer does not interrupt. */
	n = irq_count[0x50];
	guest_wrmsr(X2(R_LVTT), LVT_MASKED | 0x50);
	guest_wrmsr(X2(R_TMICT), 1000);
	guest_sti();
	for (i = 0; i < 50; i++)
		guest_cpuid(0, 0, r);
	guest_cli();
	GUEST_ASSERT_EQ(irq_count[0x50], n);
	GUEST_SYNC(irq_count[0x50]);
}

TEST(timer_oneshot_periodic)
{
	struct guest g;
	struct guest_vp v;
	struct ucall uc;

	SETUP(g, v);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_timer, 0, 0));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_LE(5, uc.args[0]);
	EXPECT_UCALL(&v, UCALL_DONE);
	TEARDOWN(g, v);
}

static void guest_deadline(void)
{
	uint32_t r[4];
	int i;

	x2_enable();
	guest_handlers[0x51] = h_x2_count;
	guest_wrmsr(X2(R_LVTT), 0x51 | (2 << 17));	/* TSC deadline */
	guest_wrmsr(MSR_TSC_DL, guest_rdtsc() + 20000000);
	GUEST_ASSERT(guest_rdmsr(MSR_TSC_DL) != 0);
	guest_sti_hlt();
	guest_cli();
	GUEST_ASSERT_EQ(irq_count[0x51], 1);
	GUEST_ASSERT_EQ(guest_rdmsr(MSR_TSC_DL), 0);	/* disarmed */

	guest_wrmsr(MSR_TSC_DL, 1);		/* in the past: at once */
	guest_sti_hlt();
	guest_cli();
	GUEST_ASSERT_EQ(irq_count[0x51], 2);

	/* Writing 0 disarms; the initial count is ignored in this mode. */
	guest_wrmsr(MSR_TSC_DL, guest_rdtsc() + 10000000000ULL);
	guest_wrmsr(MSR_TSC_DL, 0);
	guest_wrmsr(X2(R_TMICT), 1000);
	GUEST_ASSERT_EQ(guest_rdmsr(X2(R_TMICT)), 0);
	guest_sti();
	for (i = 0; i < 50; i++)
		guest_cpuid(0, 0, r);
	guest_cli();
	GUEST_SYNC(irq_count[0x51]);
}

TEST(timer_tsc_deadline)
{
	struct guest g;
	struct guest_vp v;
	struct ucall uc;

	SETUP(g, v);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_deadline, 0, 0));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(2, uc.args[0]);
	EXPECT_UCALL(&v, UCALL_DONE);
	TEARDOWN(g, v);
}

/*
 * Deadlines more than a year away (2^63, UINT64_MAX - 1) never fire and do
 * not wrap into the past: the HLT after each is woken only by the vector
 * user space asserts later. Then a near deadline fires as usual.
 */
static void guest_deadline_far(void)
{
	static const uint64_t far[] = { 1ULL << 63, ~0ULL - 1 };
	unsigned int i;

	x2_enable();
	guest_handlers[0x52] = h_x2_count;
	guest_handlers[0x44] = h_x2_count;
	guest_wrmsr(X2(R_LVTT), 0x52 | (2 << 17));	/* TSC deadline */
	for (i = 0; i < 2; i++) {
		guest_wrmsr(MSR_TSC_DL, far[i]);
		GUEST_ASSERT_EQ(guest_rdmsr(MSR_TSC_DL), far[i]);
		GUEST_SYNC(i);		/* host: vector 0x44 in 100 ms */
		guest_sti_hlt();
		guest_cli();
		GUEST_ASSERT_EQ(irq_count[0x44], i + 1);
		GUEST_ASSERT_EQ(irq_count[0x52], 0);
		GUEST_ASSERT_EQ(guest_rdmsr(MSR_TSC_DL), far[i]);	/* still armed */
	}
	guest_wrmsr(MSR_TSC_DL, guest_rdtsc() + 1000000);
	guest_sti_hlt();
	guest_cli();
	GUEST_ASSERT_EQ(irq_count[0x52], 1);
	GUEST_ASSERT_EQ(guest_rdmsr(MSR_TSC_DL), 0);
	GUEST_SYNC(irq_count[0x52]);
}

static void *assert_0x44_later(void *arg)
{
	usleep(100000);
	return (void *)(intptr_t)assert_irq(*(int *)arg, 0, 0x44, 0, 0);
}

TEST(timer_tsc_deadline_far)
{
	struct guest g;
	struct guest_vp v;
	struct ucall uc;
	pthread_t t;
	void *tr;
	int i;

	SETUP(g, v);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_deadline_far, 0, 0));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(0, uc.args[0]);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pthread_create(&t, NULL, assert_0x44_later, &g.part));
		/* Blocks in the HLT until 0x44; then the next far deadline, or the end. */
		uc = EXPECT_UCALL(&v, UCALL_SYNC);
		ASSERT_EQ(0, pthread_join(t, &tr));
		EXPECT_EQ(0, (intptr_t)tr);
		/* i == 0: the index of the second far deadline; 1: the near one fired once */
		EXPECT_EQ(1, uc.args[0]);
	}
	EXPECT_UCALL(&v, UCALL_DONE);
	TEARDOWN(g, v);
}

/* ---- blocking HLT ---- */

static void guest_hlt_wake(void)
{
	x2_enable();
	guest_handlers[0x44] = h_x2_count;
	guest_handlers[2] = h_nmi;
	guest_cli();
	guest_hlt();			/* IF=0: user space sees the HLT */
	GUEST_SYNC(1);
	guest_sti_hlt();		/* blocks until user space asserts 0x44 */
	guest_cli();
	GUEST_ASSERT_EQ(irq_count[0x44], 1);
	GUEST_SYNC(2);
	guest_sti_hlt();		/* blocks; a signal, then an NMI */
	guest_cli();
	GUEST_ASSERT_EQ(nmi_count, 1);
	GUEST_ASSERT_EQ(irq_count[0x44], 1);
}

struct waker {
	int part;
	pthread_t target;
	uint32_t flags;
	int use_signal;
	long r;
};

static void sigusr1(int sig)
{
	(void)sig;
}

static void *waker_fn(void *arg)
{
	struct waker *w = arg;

	usleep(300000);
	if (w->use_signal)
		w->r = pthread_kill(w->target, SIGUSR1);
	else
		w->r = assert_irq(w->part, 0, w->flags ? 0 : 0x44, w->flags, 0);
	return NULL;
}

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

TEST(blocking_hlt)
{
	struct sigaction sa = { .sa_handler = sigusr1 };
	struct waker w = { 0 };
	struct guest g;
	struct guest_vp v;
	struct hvtb_vp_stats st;
	pthread_t t;
	uint64_t wall, cpu, rt;

	SETUP(g, v);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));	/* no SA_RESTART */
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_hlt_wake, 0, 0));
	RUN_EXPECT(&v, HVTB_EXIT_HLT);
	EXPECT_UCALL(&v, UCALL_SYNC);

	w.part = g.part;
	w.target = pthread_self();
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_STATS, (uintptr_t)&st));
	rt = st.sched_runtime_ns;
	ASSERT_EQ(0, pthread_create(&t, NULL, waker_fn, &w));
	wall = now_ns(CLOCK_MONOTONIC);
	cpu = now_ns(CLOCK_THREAD_CPUTIME_ID);
	EXPECT_UCALL(&v, UCALL_SYNC);
	wall = now_ns(CLOCK_MONOTONIC) - wall;
	cpu = now_ns(CLOCK_THREAD_CPUTIME_ID) - cpu;
	pthread_join(t, NULL);
	EXPECT_EQ(0, w.r);
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_STATS, (uintptr_t)&st));
	rt = st.sched_runtime_ns - rt;
	TH_LOG("blocked %llu ms wall; %llu ms CPU of the RUN caller, %llu ms of hvtb's threads",
	       (unsigned long long)wall / 1000000, (unsigned long long)cpu / 1000000,
	       (unsigned long long)rt / 1000000);
	/* The halted VP did not spin, wherever it executes. */
	EXPECT_LT(cpu * 4, wall);
	EXPECT_LT(rt * 4, wall);

	w.use_signal = 1;
	ASSERT_EQ(0, pthread_create(&t, NULL, waker_fn, &w));
	EXPECT_EQ(-EINTR, guest_vp_run(&v));
	EXPECT_EQ(HVTB_EXIT_INTR, v.run->exit_reason);
	pthread_join(t, NULL);
	EXPECT_EQ(0, assert_irq(g.part, 0, 0, HVTB_INTERRUPT_NMI, 0));
	EXPECT_UCALL(&v, UCALL_DONE);
	TEARDOWN(g, v);
}

/* ---- IPIs between two VPs on two threads ---- */

#define PINGS	20

static volatile uint64_t vp1_ready, got53_id = ~0ULL;

static void h_53(struct guest_frame *f)
{
	(void)f;
	got53_id = guest_rdmsr(X2(R_ID));
	irq_count[0x53]++;
	guest_wrmsr(X2(R_EOI), 0);
}

static void h_ping(struct guest_frame *f)	/* VP 1 */
{
	irq_count[f->vector]++;
	guest_wrmsr(X2(R_EOI), 0);
	guest_wrmsr(X2(R_ICR), 0x52);		/* pong to physical ID 0 */
}

static void guest_vp1(void)
{
	x2_enable();
	vp1_ready = 1;
	while (irq_count[0x51] < PINGS || irq_count[0x53] < 1)
		guest_sti_hlt();
	guest_cli();
}

static void guest_vp0(void)
{
	uint64_t i;

	guest_handlers[0x51] = h_ping;
	guest_handlers[0x52] = h_x2_count;
	guest_handlers[0x53] = h_53;
	x2_enable();
	while (!vp1_ready)
		__asm__ volatile("pause" : : : "memory");
	for (i = 0; i < PINGS; i++) {
		if (i & 1)	/* logical: cluster 0, bit 1 */
			guest_wrmsr(X2(R_ICR), (2ULL << 32) | ICR_LOGICAL | 0x51);
		else
			guest_wrmsr(X2(R_ICR), (1ULL << 32) | 0x51);
		while (irq_count[0x52] <= i)
			guest_sti_hlt();
		guest_cli();
	}
	guest_wrmsr(X2(R_ICR), SH_OTHERS | 0x53);	/* VP 1 only */
}

struct vp_thread {
	struct guest_vp *v;
	int pinned;
	uint64_t cmd;
	struct ucall uc;
};

static void *vp_thread_fn(void *arg)
{
	struct vp_thread *t = arg;
	cpu_set_t set;

	/* With two CPUs, VP n runs on CPU n: the IPIs cross CPUs. */
	if (sysconf(_SC_NPROCESSORS_ONLN) >= 2) {
		CPU_ZERO(&set);
		CPU_SET(t->v->index, &set);
		t->pinned = !pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	}

	do {
		t->cmd = guest_run_ucall(t->v, &t->uc);
	} while (t->cmd == UCALL_SYNC);
	return NULL;
}

TEST(ipi_two_vps)
{
	struct vp_thread t0, t1;
	uint64_t counts[256];
	struct guest g;
	struct guest_vp v0, v1;
	pthread_t p0, p1;

	GUEST_OR_SKIP(&g, APIC_FLAGS);
	ASSERT_EQ(0, guest_vp_create(&g, &v0, 0));
	ASSERT_EQ(0, guest_vp_create(&g, &v1, 1));
	ASSERT_EQ(0, guest_vp_enter_long(&v0, guest_vp0, 0, 0));
	ASSERT_EQ(0, guest_vp_enter_long(&v1, guest_vp1, 0, 0));
	t0 = (struct vp_thread){ .v = &v0 };
	t1 = (struct vp_thread){ .v = &v1 };
	ASSERT_EQ(0, pthread_create(&p1, NULL, vp_thread_fn, &t1));
	ASSERT_EQ(0, pthread_create(&p0, NULL, vp_thread_fn, &t0));
	pthread_join(p0, NULL);
	pthread_join(p1, NULL);
	TH_LOG("VP threads pinned to CPUs 0 and 1: %s",
	       t0.pinned && t1.pinned ? "yes" : "no (one CPU)");
	if (t0.cmd == UCALL_ASSERT)
		TH_LOG("VP0 assertion line %lu: %s", (unsigned long)t0.uc.line, t0.uc.expr);
	EXPECT_EQ(UCALL_DONE, t0.cmd);
	EXPECT_EQ(UCALL_DONE, t1.cmd);
	memcpy(counts, guest_gpa(&g, (uintptr_t)irq_count), sizeof(counts));
	EXPECT_EQ(PINGS, counts[0x51]);
	EXPECT_EQ(PINGS, counts[0x52]);
	EXPECT_EQ(1, counts[0x53]);
	EXPECT_EQ(1, *(uint64_t *)guest_gpa(&g, (uintptr_t)&got53_id));
	guest_vp_destroy(&v1);
	guest_vp_destroy(&v0);
	guest_destroy(&g);
}

/* ---- INIT, SIPI, wait-for-SIPI ---- */

#define ICR_INIT	(5 << 8)
#define ICR_STARTUP	(6 << 8)
#define ICR_ASSERT	(1 << 14)
#define ICR_LEVELTRIG	(1 << 15)
#define SIPI_VECTOR	0x30		/* the AP starts at 3000:0000 */

/*
 * The AP's real-mode code at SIPI_VECTOR << 12: OUTs 0x1234 to port 0x80,
 * then its CS to port 0x82, then halts with IF=0.
 */
static const uint8_t ap_code[] = {
	0xb8, 0x34, 0x12,	/* mov $0x1234,%ax */
	0xe7, 0x80,		/* out %ax,$0x80 */
	0x8c, 0xc8,		/* mov %cs,%ax */
	0xe7, 0x82,		/* out %ax,$0x82 */
	0xfa, 0xf4,		/* cli; hlt */
};

/* ICR write to APIC ID 1, through the x2APIC MSR or the xAPIC page. */
static void icr_send(uint64_t x2, uint32_t icr)
{
	if (x2) {
		guest_wrmsr(X2(R_ICR), (1ULL << 32) | icr);
	} else {
		xapic_write(R_ICR2, 1 << 24);
		xapic_write(R_ICR, icr);
	}
}

/* The BSP: INIT assert and de-assert, then (after a sync) SIPI, SIPI. */
static void guest_bsp_sipi(uint64_t x2, uint64_t unused)
{
	(void)unused;
	if (x2)
		x2_enable();
	else
		xapic_write(R_SVR, 0x1ff);
	icr_send(x2, ICR_INIT | ICR_ASSERT | ICR_LEVELTRIG);
	icr_send(x2, ICR_INIT | ICR_LEVELTRIG);		/* de-assert: ignored */
	GUEST_SYNC(1);
	icr_send(x2, ICR_STARTUP | SIPI_VECTOR);
	icr_send(x2, ICR_STARTUP | SIPI_VECTOR);	/* AP runs: ignored */
}

struct ap_wait {
	struct guest_vp *v;
	int r;
	uint64_t cpu_ns;	/* CPU time of this thread in its RUN */
};

static void *ap_run_fn(void *arg)
{
	struct ap_wait *w = arg;
	uint64_t c = now_ns(CLOCK_THREAD_CPUTIME_ID);

	w->r = guest_vp_run(w->v);
	w->cpu_ns = now_ns(CLOCK_THREAD_CPUTIME_ID) - c;
	return NULL;
}

static uint32_t mp_state(struct guest_vp *v)
{
	struct hvtb_mp_state s = { .state = 0xdead };

	if (guest_ioctl(v->fd, HVTB_VP_GET_MP_STATE, (uintptr_t)&s))
		return 0xbad;
	return s.state;
}

static void init_sipi(struct __test_metadata *_metadata, uint64_t x2)
{
	struct hvtb_vp_stats st;
	struct hvtb_sregs sr;
	struct ap_wait w;
	struct guest g;
	struct guest_vp v0, v1;
	struct ucall uc;
	pthread_t t;
	uint64_t wall;

	GUEST_OR_SKIP(&g, APIC_FLAGS);
	ASSERT_EQ(0, guest_vp_create(&g, &v0, 0));
	ASSERT_EQ(0, guest_vp_create(&g, &v1, 1));
	memcpy(guest_gpa(&g, SIPI_VECTOR << 12), ap_code, sizeof(ap_code));
	ASSERT_EQ(0, guest_vp_enter_long(&v0, guest_bsp_sipi, x2, 0));
	/* The AP is put into long mode too: INIT must take it out. */
	ASSERT_EQ(0, guest_vp_enter_long(&v1, guest_bsp_sipi, x2, 0));
	EXPECT_EQ(HVTB_MP_STATE_RUNNABLE, mp_state(&v1));

	uc = EXPECT_UCALL(&v0, UCALL_SYNC);	/* INIT sent */
	EXPECT_EQ(1, uc.args[0]);
	EXPECT_EQ(HVTB_MP_STATE_WAIT_SIPI, mp_state(&v1));
	EXPECT_EQ(HVTB_MP_STATE_RUNNABLE, mp_state(&v0));

	/*
	 * The AP's RUN blocks (its ioctls wait for the RUN meanwhile): no
	 * exits, no CPU, wherever it executes; checked once it ran.
	 */
	ASSERT_EQ(0, guest_ioctl(v1.fd, HVTB_VP_GET_STATS, (uintptr_t)&st));
	EXPECT_EQ(0, st.exits);
	w = (struct ap_wait){ .v = &v1, .r = 1 };
	wall = now_ns(CLOCK_MONOTONIC);
	ASSERT_EQ(0, pthread_create(&t, NULL, ap_run_fn, &w));
	usleep(300000);

	/* SIPI, SIPI: the AP's real-mode code runs at 3000:0000. */
	EXPECT_UCALL(&v0, UCALL_DONE);
	pthread_join(t, NULL);
	wall = now_ns(CLOCK_MONOTONIC) - wall;
	TH_LOG("AP waited %llu ms wall, %llu ms CPU of its RUN caller",
	       (unsigned long long)wall / 1000000,
	       (unsigned long long)w.cpu_ns / 1000000);
	EXPECT_LT(w.cpu_ns * 4, wall);
	ASSERT_EQ(0, guest_ioctl(v1.fd, HVTB_VP_GET_STATS, (uintptr_t)&st));
	TH_LOG("AP: %llu exits, %llu ms on hvtb's threads",
	       (unsigned long long)st.exits,
	       (unsigned long long)st.sched_runtime_ns / 1000000);
	EXPECT_LT(st.exits, 10);	/* the OUT, maybe an interrupt or two */
	EXPECT_LT(st.sched_runtime_ns * 4, wall);
	ASSERT_EQ(0, w.r);
	ASSERT_EQ(HVTB_EXIT_IO, v1.run->exit_reason);
	EXPECT_EQ(0x80, v1.run->io.port);
	EXPECT_EQ(0x1234, v1.run->io.value);
	EXPECT_EQ(HVTB_MP_STATE_RUNNABLE, mp_state(&v1));
	RUN_EXPECT(&v1, HVTB_EXIT_IO);		/* the second SIPI changed nothing */
	EXPECT_EQ(0x82, v1.run->io.port);
	EXPECT_EQ(SIPI_VECTOR << 8, v1.run->io.value);
	ASSERT_EQ(0, guest_ioctl(v1.fd, HVTB_VP_GET_SREGS, (uintptr_t)&sr));
	EXPECT_EQ(SIPI_VECTOR << 8, sr.cs.selector);
	EXPECT_EQ(SIPI_VECTOR << 12, sr.cs.base);
	EXPECT_EQ(0, sr.cr0 & 1);		/* real mode */
	EXPECT_EQ(0, sr.efer);
	guest_vp_destroy(&v1);
	guest_vp_destroy(&v0);
	guest_destroy(&g);
}

TEST(init_sipi_x2apic)
{
	init_sipi(_metadata, 1);
}

TEST(init_sipi_xapic)
{
	init_sipi(_metadata, 0);
}

/* HVTB_VP_SET_MP_STATE: INIT state at once; bad inputs; a signal ends the wait. */
TEST(mp_state_ioctls)
{
	struct sigaction sa = { .sa_handler = sigusr1 };
	struct hvtb_mp_state s = { 0 };
	struct waker w = { .use_signal = 1 };
	struct hvtb_sregs sr;
	struct hvtb_regs r;
	struct guest g, g2;
	struct guest_vp v, v2;
	pthread_t t;

	SETUP(g, v);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_bsp_sipi, 1, 0));
	EXPECT_EQ(HVTB_MP_STATE_RUNNABLE, mp_state(&v));
	s.pad = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_SET_MP_STATE, (uintptr_t)&s));
	s.pad = 0;
	s.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_SET_MP_STATE, (uintptr_t)&s));
	s.reserved[1] = 0;
	s.state = 2;
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_SET_MP_STATE, (uintptr_t)&s));
	EXPECT_EQ(-EFAULT, guest_ioctl(v.fd, HVTB_VP_SET_MP_STATE, 8));
	EXPECT_EQ(-EFAULT, guest_ioctl(v.fd, HVTB_VP_GET_MP_STATE, 8));
	EXPECT_EQ(HVTB_MP_STATE_RUNNABLE, mp_state(&v));

	/* WAIT_SIPI: the INIT state (f000:fff0, real mode) at once. */
	s.state = HVTB_MP_STATE_WAIT_SIPI;
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_SET_MP_STATE, (uintptr_t)&s));
	EXPECT_EQ(HVTB_MP_STATE_WAIT_SIPI, mp_state(&v));
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_REGS, (uintptr_t)&r));
	EXPECT_EQ(0xfff0, r.rip);
	EXPECT_EQ(0x600, r.rdx);
	EXPECT_EQ(0, r.rdi);
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_SREGS, (uintptr_t)&sr));
	EXPECT_EQ(0xf000, sr.cs.selector);
	EXPECT_EQ(0, sr.cr0 & 0x80000001ULL);
	EXPECT_EQ(0, sr.efer);

	/* A RUN waits; a signal ends it, and the VP still waits after. */
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	w.target = pthread_self();
	ASSERT_EQ(0, pthread_create(&t, NULL, waker_fn, &w));
	EXPECT_EQ(-EINTR, guest_vp_run(&v));
	EXPECT_EQ(HVTB_EXIT_INTR, v.run->exit_reason);
	pthread_join(t, NULL);
	EXPECT_EQ(0, w.r);
	EXPECT_EQ(HVTB_MP_STATE_WAIT_SIPI, mp_state(&v));

	/* RUNNABLE: runs from the registers it has (real-mode code). */
	s.state = HVTB_MP_STATE_RUNNABLE;
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_SET_MP_STATE, (uintptr_t)&s));
	ASSERT_EQ(0, guest_vp_enter_real(&v, ap_code, sizeof(ap_code)));
	RUN_EXPECT(&v, HVTB_EXIT_IO);
	EXPECT_EQ(0x80, v.run->io.port);
	TEARDOWN(g, v);

	/* Without an in-kernel APIC: -ENODEV (bad inputs still -EINVAL). */
	GUEST_OR_SKIP(&g2, guest_env_flags() & GUEST_ROOT_SCHED);
	ASSERT_EQ(0, guest_vp_create(&g2, &v2, 0));
	EXPECT_EQ(-ENODEV, guest_ioctl(v2.fd, HVTB_VP_GET_MP_STATE, (uintptr_t)&s));
	s.state = HVTB_MP_STATE_WAIT_SIPI;
	EXPECT_EQ(-ENODEV, guest_ioctl(v2.fd, HVTB_VP_SET_MP_STATE, (uintptr_t)&s));
	s.pad = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(v2.fd, HVTB_VP_SET_MP_STATE, (uintptr_t)&s));
	guest_vp_destroy(&v2);
	guest_destroy(&g2);
}

/*
 * ---- conformance (issue 15) ----
 * x2APIC MSR 0x809 (no APR in x2APIC mode) #GPs; LVT timer mode changes
 * disarm the timer only to or from TSC-deadline (SDM 10.5.4.1, KVM);
 * CPUID.1:EDX.APIC follows IA32_APIC_BASE.EN.
 */
static void guest_apic_conform(void)
{
	uint64_t gp, ccr, base;
	uint32_t r[4];

	guest_handlers[13] = h_gp_skip2;
	GUEST_ASSERT_EQ(xapic_read(0x90), 0);		/* xAPIC APR reads 0 */
	x2_enable();
	gp = gp_count;
	(void)guest_rdmsr(0x809);
	GUEST_ASSERT_EQ(gp_count, gp + 1);

	/* One-shot -> periodic -> one-shot: the count goes on. */
	guest_wrmsr(X2(R_TDCR), 0xb);			/* divide by 1 */
	guest_wrmsr(X2(R_LVTT), LVT_MASKED | 0x60);
	guest_wrmsr(X2(R_TMICT), 0x7fffffff);
	guest_wrmsr(X2(R_LVTT), LVT_MASKED | (1 << 17) | 0x60);
	GUEST_ASSERT_EQ(guest_rdmsr(X2(R_TMICT)), 0x7fffffff);
	ccr = guest_rdmsr(X2(R_TMCCT));
	GUEST_ASSERT(ccr > 0 && ccr <= 0x7fffffff);
	guest_wrmsr(X2(R_LVTT), LVT_MASKED | 0x60);
	GUEST_ASSERT_EQ(guest_rdmsr(X2(R_TMICT)), 0x7fffffff);
	GUEST_ASSERT(guest_rdmsr(X2(R_TMCCT)) > 0);
	/* -> TSC-deadline: disarmed, TMICT 0. */
	guest_wrmsr(X2(R_LVTT), LVT_MASKED | (2 << 17) | 0x60);
	GUEST_ASSERT_EQ(guest_rdmsr(X2(R_TMICT)), 0);
	GUEST_ASSERT_EQ(guest_rdmsr(X2(R_TMCCT)), 0);
	guest_wrmsr(X2(R_LVTT), LVT_MASKED | 0x60);

	/* CPUID.1:EDX.APIC (9) follows IA32_APIC_BASE.EN. */
	guest_cpuid(1, 0, r);
	GUEST_ASSERT_EQ(r[3] & (1U << 9), 1U << 9);
	base = guest_rdmsr(MSR_APIC_BASE);
	guest_wrmsr(MSR_APIC_BASE, base & ~(uint64_t)(BASE_EN | BASE_EXTD));
	guest_cpuid(1, 0, r);
	GUEST_ASSERT_EQ(r[3] & (1U << 9), 0);
	guest_wrmsr(MSR_APIC_BASE, XAPIC_BASE | BASE_BSP | BASE_EN);
	guest_cpuid(1, 0, r);
	GUEST_ASSERT_EQ(r[3] & (1U << 9), 1U << 9);
}

TEST(conformance_apic)
{
	struct guest g;
	struct guest_vp v;

	SETUP(g, v);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_apic_conform, 0, 0));
	EXPECT_UCALL(&v, UCALL_DONE);
	TEARDOWN(g, v);
}

/* IA32_APIC_BASE.EXTD #GPs when the guest's CPUID.1:ECX lacks x2APIC. */
static void guest_extd_no_x2apic(void)
{
	uint64_t gp = gp_count;

	guest_handlers[13] = h_gp_skip2;
	guest_wrmsr(MSR_APIC_BASE, XAPIC_BASE | BASE_BSP | BASE_EN | BASE_EXTD);
	GUEST_ASSERT_EQ(gp_count, gp + 1);
	GUEST_ASSERT_EQ(guest_rdmsr(MSR_APIC_BASE), XAPIC_BASE | BASE_BSP | BASE_EN);
	GUEST_ASSERT_EQ(xapic_read(R_VER), APIC_VERSION);	/* still xAPIC */
}

TEST(extd_needs_cpuid_x2apic)
{
	struct hvtb_cpuid_entry ce[] = {
		{ .function = 0, .eax = 1 },
		{ .function = 1, .eax = 0x806e9, .edx = 1 << 9 | 1 << 24 | 1 << 25 | 1 << 26 },
	};
	struct hvtb_cpuid_table t = { .nent = 2, .entries = (uintptr_t)ce };
	struct guest g;
	struct guest_vp v;

	SETUP(g, v);
	ASSERT_EQ(0, guest_ioctl(g.part, HVTB_PARTITION_SET_CPUID, (uintptr_t)&t));
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_extd_no_x2apic, 0, 0));
	EXPECT_UCALL(&v, UCALL_DONE);
	TEARDOWN(g, v);
}

/* ---- state save/restore ---- */

static void guest_state(void)
{
	x2_enable();
	guest_wrmsr(X2(R_TPR), 0x20);
	guest_wrmsr(X2(R_LVTT), LVT_MASKED | 0x77);
	GUEST_SYNC(0);
	GUEST_SYNC2(guest_rdmsr(X2(R_TPR)), guest_rdmsr(X2(R_LVTT)));
}

TEST(state_roundtrip)
{
	struct hvtb_lapic_state s;
	struct guest g;
	struct guest_vp v;
	struct ucall uc;

	SETUP(g, v);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_state, 0, 0));
	EXPECT_UCALL(&v, UCALL_SYNC);
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_LAPIC, (uintptr_t)&s));
	EXPECT_EQ(XAPIC_BASE | BASE_BSP | BASE_EN | BASE_EXTD, s.apic_base);
	EXPECT_EQ(0x20u, s.regs[R_TPR / 4]);
	EXPECT_EQ(0x20u, s.regs[R_PPR / 4]);
	EXPECT_EQ(0u, s.regs[R_ID / 4]);
	EXPECT_EQ(1u, s.regs[R_LDR / 4]);
	EXPECT_EQ(0x1ffu, s.regs[R_SVR / 4]);
	EXPECT_EQ((uint32_t)(LVT_MASKED | 0x77), s.regs[R_LVTT / 4]);

	/* The guest runs with IF=0: an asserted vector stays in IRR. */
	EXPECT_EQ(0, assert_irq(g.part, 0, 0x80, 0, 0));
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_LAPIC, (uintptr_t)&s));
	EXPECT_EQ(1u, s.regs[(R_IRR + 0x40) / 4]);
	s.regs[(R_IRR + 0x40) / 4] = 0;
	s.regs[R_TPR / 4] = 0x30;
	s.regs[R_LVTT / 4] = LVT_MASKED | 0x78;
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_SET_LAPIC, (uintptr_t)&s));
	memset(&s, 0, sizeof(s));
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_LAPIC, (uintptr_t)&s));
	EXPECT_EQ(0u, s.regs[(R_IRR + 0x40) / 4]);
	EXPECT_EQ(0x30u, s.regs[R_TPR / 4]);
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(0x30, uc.args[0]);
	EXPECT_EQ(LVT_MASKED | 0x78, uc.args[1]);
	EXPECT_UCALL(&v, UCALL_DONE);
	TEARDOWN(g, v);
}

/* ---- hostile guest writes ---- */

static void guest_hostile(void)
{
	uint32_t msr, off;
	int i;

	guest_handlers[13] = h_gp_skip2;
	x2_enable();
	/* All ones: a reserved bit everywhere, so every write #GPs. */
	for (msr = 0x800; msr <= 0x8ff; msr++)
		guest_wrmsr(msr, ~0ULL);
	GUEST_ASSERT_EQ(gp_count, 256);
	for (msr = 0x800; msr <= 0x8ff; msr++) {
		guest_wrmsr(msr, 0xff);
		guest_rdmsr(msr);
	}
	/* An ICR flood with IF=0, and the shortest periodic timer. */
	for (i = 0; i < 5000; i++)
		guest_wrmsr(X2(R_ICR), SH_ALL | 0x60);
	guest_wrmsr(X2(R_LVTT), (1 << 17) | 0x61);
	guest_wrmsr(X2(R_TDCR), 0xb);
	guest_wrmsr(X2(R_TMICT), 1);
	for (i = 0; i < 200; i++)
		guest_rdmsr(X2(R_TMCCT));
	guest_wrmsr(X2(R_TMICT), 0);
	/* xAPIC: garbage to every register of the page. */
	guest_wrmsr(MSR_APIC_BASE, XAPIC_BASE | BASE_BSP);
	guest_wrmsr(MSR_APIC_BASE, XAPIC_BASE | BASE_BSP | BASE_EN);
	for (off = 0; off < 0x1000; off += 0x10) {
		xapic_write(off, 0xffffffff);
		xapic_read(off);
		xapic_write(off + 4, 0xffffffff);	/* unaligned: ignored */
	}
	xapic_write(R_TMICT, 0);
	GUEST_SYNC(gp_count);
}

TEST(hostile_guest)
{
	struct hvtb_lapic_state s;
	struct guest g;
	struct guest_vp v;
	struct ucall uc;

	SETUP(g, v);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_hostile, 0, 0));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_LE(256, uc.args[0]);
	EXPECT_UCALL(&v, UCALL_DONE);
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_LAPIC, (uintptr_t)&s));
	EXPECT_EQ(APIC_VERSION, s.regs[R_VER / 4]);
	EXPECT_EQ(0u, s.regs[R_TMICT / 4]);
	TEARDOWN(g, v);
}

/* ---- irqfd ---- */

static void guest_irqfd(void)
{
	x2_enable();
	guest_handlers[0x48] = h_x2_count;
	GUEST_SYNC(0);			/* the test signals the eventfd */
	while (irq_count[0x48] < 1)
		guest_sti_hlt();
	guest_cli();
	GUEST_SYNC(irq_count[0x48]);	/* blocks in HLT: a thread signals */
	while (irq_count[0x48] < 2)
		guest_sti_hlt();
	guest_cli();
	GUEST_SYNC(irq_count[0x48]);
}

static void *signal_later(void *arg)
{
	uint64_t one = 1;

	usleep(200000);
	return (void *)(intptr_t)write(*(int *)arg, &one, sizeof(one));
}

TEST(irqfd)
{
	struct hvtb_irqfd f = { .vector = 0x48 };
	struct hvtb_lapic_state s;
	struct guest g, g2;
	struct guest_vp v;
	struct ucall uc;
	uint64_t one = 1;
	int efd, efd2, nul;
	pthread_t t;
	void *ret;

	SETUP(g, v);
	efd = eventfd(0, EFD_CLOEXEC);
	efd2 = eventfd(0, EFD_CLOEXEC);
	nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, efd);
	ASSERT_LE(0, efd2);
	ASSERT_LE(0, nul);

	ASSERT_EQ(0, hvtb_irqfd(g.part, efd, 0, 0x48, 0));
	EXPECT_EQ(-EEXIST, hvtb_irqfd(g.part, efd, 0, 0x49, 0));
	EXPECT_EQ(-EINVAL, hvtb_irqfd(g.part, efd2, 0, 15, 0));
	EXPECT_EQ(-EINVAL, hvtb_irqfd(g.part, efd2, 64, 0x48, 0));
	EXPECT_EQ(-EINVAL, hvtb_irqfd(g.part, efd2, 0, 0x48, 4));
	EXPECT_EQ(-EINVAL, hvtb_irqfd(g.part, nul, 0, 0x48, 0));
	EXPECT_EQ(-EBADF, hvtb_irqfd(g.part, 1000, 0, 0x48, 0));
	EXPECT_EQ(-ENOENT, hvtb_irqfd(g.part, efd2, 0, 0, HVTB_IRQFD_DEASSIGN));
	f.fd = efd2;
	f.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_SET_IRQFD, (uintptr_t)&f));

	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_irqfd, 0, 0));
	EXPECT_UCALL(&v, UCALL_SYNC);
	ASSERT_EQ(8, write(efd, &one, sizeof(one)));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(1, uc.args[0]);
	ASSERT_EQ(0, pthread_create(&t, NULL, signal_later, &efd));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(2, uc.args[0]);
	pthread_join(t, &ret);
	EXPECT_EQ(8, (intptr_t)ret);

	/* Unbound: a signal no longer reaches the APIC. */
	ASSERT_EQ(0, hvtb_irqfd(g.part, efd, 0, 0, HVTB_IRQFD_DEASSIGN));
	ASSERT_EQ(8, write(efd, &one, sizeof(one)));
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_LAPIC, (uintptr_t)&s));
	EXPECT_EQ(0u, s.regs[(R_IRR + 0x40) / 4]);
	/* A binding left in place goes away with the partition. */
	ASSERT_EQ(0, hvtb_irqfd(g.part, efd2, 0, 0x48, 0));

	ASSERT_EQ(0, guest_create(&g2, GUEST_NO_MEMORY));
	EXPECT_EQ(-ENODEV, hvtb_irqfd(g2.part, efd, 0, 0x48, 0));
	guest_destroy(&g2);
	TEARDOWN(g, v);
	close(efd);
	close(efd2);
	close(nul);
}

TEST_HARNESS_MAIN
