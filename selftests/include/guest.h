/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest library of the partition selftests: guest code is a C function in
 * the (static, non-PIE) test binary.
 *
 * Layout. One guest memory range backs GPA 0..GUEST_MEM_SIZE. The binary's
 * image (text, data, bss: __executable_start.._end) is copied to the GPAs
 * equal to its virtual addresses, and the guest's page tables identity-map
 * the first 4 GiB (2 MiB pages), so a function or a global has the same
 * address in the guest as in the test. GPAs past the memory range exit to
 * user space (HVTB_EXIT_MMIO): GUEST_MMIO_GPA is such an address.
 *
 * Guest code runs in long mode (ring 0, flat segments, IDT whose handlers
 * call guest_handlers[vector] or report the vector to the test), must not
 * call libc and talks to the test through ucalls: an OUT of the address of
 * a struct ucall to GUEST_UCALL_PORT.
 *
 * The helpers here return -errno on failure and never use the harness;
 * the EXPECT_UCALL() style macros at the end expand in the test file.
 */
#ifndef HVTB_GUEST_H
#define HVTB_GUEST_H

#include <stdint.h>
#include <linux/hvtb.h>
#include <linux/hvtb_apic.h>
#include <linux/hvtb_hv.h>
#include <linux/hvtb_sched.h>

#define GUEST_MEM_SIZE		(16ULL << 20)
#define GUEST_MMIO_GPA		0x20000000ULL	/* 512 MiB: never mapped */
#define GUEST_UCALL_PORT	0xe0

/* System structures (GPAs below the binary image at 0x400000). */
#define GUEST_PML4		0x1000ULL
#define GUEST_PDPT		0x2000ULL
#define GUEST_PD		0x3000ULL	/* 4 pages: 4 GiB of 2 MiB pages */
#define GUEST_GDT		0x7000ULL
#define GUEST_TSS		0x7800ULL
#define GUEST_IDT		0x8000ULL
#define GUEST_REAL_CODE		0x10000ULL	/* real-mode snippets are copied here */
#define GUEST_STACKS_TOP	0x200000ULL	/* VP n's stack ends at TOP - n * 64 KiB */
#define GUEST_STACK_SIZE	0x10000ULL

/* GDT selectors */
#define GUEST_SEL_CODE64	0x08
#define GUEST_SEL_DATA		0x10
#define GUEST_SEL_CODE32	0x18
#define GUEST_SEL_TSS		0x20

/* ucall commands */
#define UCALL_NONE		0
#define UCALL_DONE		1
#define UCALL_SYNC		2	/* args[0..3]: values for the test */
#define UCALL_ASSERT		3	/* file, line, expr; args[0..1]: the values */
#define UCALL_UNHANDLED		4	/* args: vector, error code, RIP */

struct ucall {
	uint64_t cmd;
	uint64_t args[4];
	const char *file;	/* string literals: same address in the test */
	const char *expr;
	uint64_t line;
};

/*
 * The frame an IDT handler gets (guest_handlers[]); it may change rip.
 * Interrupt handlers (vectors 32..255) are installed the same way: set
 * guest_handlers[vector] from guest code; they run with RFLAGS.IF=0 (an
 * interrupt gate) and must EOI the local APIC themselves.
 */
struct guest_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

typedef void (*guest_handler_t)(struct guest_frame *f);

/* Set by guest code (guest memory): the handler of each vector, or NULL. */
extern guest_handler_t guest_handlers[256];

/* ---- guest side: static inline, no libc ---- */

static inline void guest_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void guest_outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void guest_outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint8_t guest_inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint16_t guest_inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint32_t guest_inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline void guest_cpuid(uint32_t fn, uint32_t idx, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(fn), "c"(idx) : "memory");
}

static inline uint64_t guest_rdmsr(uint32_t index)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(index) : "memory");
	return lo | ((uint64_t)hi << 32);
}

static inline void guest_wrmsr(uint32_t index, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(index), "a"((uint32_t)v),
			 "d"((uint32_t)(v >> 32)) : "memory");
}

/* VMCALL with RCX = @code, RDX = @a, R8 = @b; returns RAX. */
static inline uint64_t guest_vmcall(uint64_t code, uint64_t a, uint64_t b)
{
	uint64_t rax = 0;
	register uint64_t r8 __asm__("r8") = b;

	__asm__ volatile("vmcall" : "+a"(rax) : "c"(code), "d"(a), "r"(r8)
			 : "memory");
	return rax;
}

static inline uint64_t guest_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return lo | ((uint64_t)hi << 32);
}

static inline void guest_hlt(void)
{
	__asm__ volatile("hlt" : : : "memory");
}

static inline void guest_ucall(uint64_t cmd, uint64_t a0, uint64_t a1,
			       uint64_t a2, uint64_t a3, const char *file,
			       const char *expr, uint64_t line)
{
	volatile struct ucall uc;

	uc.cmd = cmd;
	uc.args[0] = a0;
	uc.args[1] = a1;
	uc.args[2] = a2;
	uc.args[3] = a3;
	uc.file = file;
	uc.expr = expr;
	uc.line = line;
	guest_outl(GUEST_UCALL_PORT, (uint32_t)(uintptr_t)&uc);
}

#define GUEST_SYNC(v)		guest_ucall(UCALL_SYNC, (v), 0, 0, 0, 0, 0, 0)
#define GUEST_SYNC2(a, b)	guest_ucall(UCALL_SYNC, (a), (b), 0, 0, 0, 0, 0)
#define GUEST_SYNC4(a, b, c, d)	guest_ucall(UCALL_SYNC, (a), (b), (c), (d), 0, 0, 0)
#define GUEST_DONE()		guest_ucall(UCALL_DONE, 0, 0, 0, 0, 0, 0, 0)

#define GUEST_ASSERT(cond) do {						\
	if (!(cond))							\
		guest_ucall(UCALL_ASSERT, 0, 0, 0, 0, __FILE__, #cond,	\
			    __LINE__);					\
} while (0)

#define GUEST_ASSERT_EQ(a, b) do {					\
	uint64_t __ga = (uint64_t)(a), __gb = (uint64_t)(b);		\
	if (__ga != __gb)						\
		guest_ucall(UCALL_ASSERT, __ga, __gb, 0, 0, __FILE__,	\
			    #a " == " #b, __LINE__);			\
} while (0)

/* ---- test side ---- */

struct guest {
	int dev;		/* /dev/hvtb */
	int part;		/* partition fd */
	uint8_t *mem;		/* backs GPA 0..mem_size */
	uint64_t mem_size;
};

struct guest_vp {
	struct guest *g;
	int fd;
	uint32_t index;
	struct hvtb_run *run;
};

/* Flags of guest_create() */
#define GUEST_NO_MEMORY		(1U << 0)	/* partition only: no range mapped */
#define GUEST_ROOT_SCHED	(1U << 1)	/* HVTB_PARTITION_ROOT_SCHED */
#define GUEST_LAPIC		(1U << 2)	/* HVTB_PARTITION_LAPIC: in-kernel APICs */
#define GUEST_NO_APICV		(1U << 3)	/* HVTB_PARTITION_NO_APICV */

/*
 * Open /dev/hvtb, create a partition (max_vps 0: the default) and, unless
 * GUEST_NO_MEMORY, map GUEST_MEM_SIZE bytes at GPA 0 holding the binary's
 * image, page tables, GDT, TSS and IDT, and set a small CPUID table.
 * Return: 0 or -errno (-ENOENT: /dev/hvtb missing).
 */
int guest_create(struct guest *g, unsigned int flags);

/*
 * guest_env_flags() - the guest_create() flags the environment asks for,
 * for suites whose tests hold in every mode: GUEST_ROOT_SCHED with
 * HVTB_TEST_ROOT_SCHED=1 (run_vm.sh's "suite:root"), GUEST_NO_APICV with
 * HVTB_TEST_NO_APICV=1 ("suite:noapicv").
 */
unsigned int guest_env_flags(void);
/* Close every fd and unmap the memory of @g (VPs first). */
void guest_destroy(struct guest *g);
/* Copy the binary image into guest memory again (after the test changed globals). */
void guest_sync_image(struct guest *g);

/* Create VP @index and mmap its struct hvtb_run. Return: 0 or -errno. */
int guest_vp_create(struct guest *g, struct guest_vp *v, uint32_t index);
void guest_vp_destroy(struct guest_vp *v);

/*
 * Long mode at CPL 0: flat segments, paging on, RIP = @fn, RDI/RSI =
 * @a0/@a1, the VP's own stack whose return address leads to GUEST_DONE.
 * Return: 0 or -errno.
 */
int guest_vp_enter_long(struct guest_vp *v, void *fn, uint64_t a0, uint64_t a1);
/*
 * Real mode: copy @len bytes of code to GUEST_REAL_CODE, CS = DS = SS =
 * (GUEST_REAL_CODE >> 4), IP 0, SP 0xfff0. Return: 0 or -errno.
 */
int guest_vp_enter_real(struct guest_vp *v, const void *code, size_t len);
/*
 * 32-bit protected mode without paging: flat 4 GiB segments, RIP = @fn
 * (code assembled with .code32 in the binary). Return: 0 or -errno.
 */
int guest_vp_enter_prot32(struct guest_vp *v, void *fn);

/* HVTB_VP_RUN. Return: 0 or -errno; the exit is in v->run. */
int guest_vp_run(struct guest_vp *v);
/*
 * If v->run is a ucall (OUT of 4 bytes to GUEST_UCALL_PORT), copy it to
 * @uc and return its command; else UCALL_NONE.
 */
uint64_t guest_get_ucall(struct guest_vp *v, struct ucall *uc);
/* guest_vp_run() once, then guest_get_ucall(); UCALL_NONE on a failed run. */
uint64_t guest_run_ucall(struct guest_vp *v, struct ucall *uc);
/*
 * guest_run_thread() - a pthread start routine: run the VP @arg (a struct
 * guest_vp) past every UCALL_SYNC; returns the first other ucall code.
 */
void *guest_run_thread(void *arg);

/* A human-readable name of an HVTB_EXIT_* value. */
const char *guest_exit_name(uint32_t reason);
/* One line describing v->run (for TH_LOG). */
const char *guest_describe_exit(struct guest_vp *v, char *buf, size_t len);

/* Host pointer to guest-physical @gpa (inside guest memory). */
static inline void *guest_gpa(struct guest *g, uint64_t gpa)
{
	return g->mem + gpa;
}

/* Copy a test global into the guest's copy of it (and back). */
#define guest_sync_to(g, var)						\
	memcpy(guest_gpa((g), (uintptr_t)&(var)), &(var), sizeof(var))
#define guest_sync_from(g, var)						\
	memcpy(&(var), guest_gpa((g), (uintptr_t)&(var)), sizeof(var))

/* ioctl() returning -errno, so that the errno is what gets compared. */
long guest_ioctl(int fd, unsigned long req, unsigned long arg);

/*
 * EXPECT_UCALL(v, cmd) - run @v once and ASSERT the exit is ucall @cmd;
 * a guest assertion or an unexpected exit is reported and fails the test.
 * Evaluates to the struct ucall. For harness tests only.
 */
#define EXPECT_UCALL(v, cmd_) ({					\
	struct ucall __uc;						\
	char __b[256];							\
	uint64_t __c = guest_run_ucall((v), &__uc);			\
	if (__c == UCALL_ASSERT)					\
		TH_LOG("guest assertion %s:%lu: %s (0x%lx vs 0x%lx)",	\
		       __uc.file, (unsigned long)__uc.line, __uc.expr,	\
		       (unsigned long)__uc.args[0],			\
		       (unsigned long)__uc.args[1]);			\
	else if (__c == UCALL_UNHANDLED)				\
		TH_LOG("guest took vector %lu (error 0x%lx) at 0x%lx",	\
		       (unsigned long)__uc.args[0],			\
		       (unsigned long)__uc.args[1],			\
		       (unsigned long)__uc.args[2]);			\
	else if (__c != (cmd_))						\
		TH_LOG("exit: %s", guest_describe_exit((v), __b, sizeof(__b))); \
	ASSERT_EQ((uint64_t)(cmd_), __c);				\
	__uc;								\
})

/* RUN_EXPECT(v, reason) - run @v once and ASSERT the exit reason. */
#define RUN_EXPECT(v, reason_) do {					\
	char __b[256];							\
	ASSERT_EQ(0, guest_vp_run(v));					\
	if ((v)->run->exit_reason != (reason_))				\
		TH_LOG("exit: %s", guest_describe_exit((v), __b, sizeof(__b))); \
	ASSERT_EQ((uint32_t)(reason_), (v)->run->exit_reason);		\
} while (0)

/* GUEST_SETUP(g, v, flags) - a partition (or SKIP) and its VP 0; GUEST_TEARDOWN undoes it. */
#define GUEST_SETUP(g, v, flags) do {					\
	GUEST_OR_SKIP(&(g), (flags));					\
	ASSERT_EQ(0, guest_vp_create(&(g), &(v), 0));			\
} while (0)

#define GUEST_TEARDOWN(g, v) do {					\
	guest_vp_destroy(&(v));						\
	guest_destroy(&(g));						\
} while (0)

/* GUEST_OR_SKIP(g, flags) - guest_create() or SKIP when hvtb is missing. */
#define GUEST_OR_SKIP(g, flags) do {					\
	int __r = guest_create((g), (flags));				\
	if (__r == -ENOENT)						\
		SKIP(return, "%s: /dev/hvtb missing (no VMX or hvtb not loaded)", \
		     _metadata->name);					\
	ASSERT_EQ(0, __r) TH_LOG("guest_create: %s", strerror(-__r));	\
} while (0)

#endif /* HVTB_GUEST_H */
