// SPDX-License-Identifier: GPL-2.0
/*
 * exit_test - every exit kind of HVTB_VP_RUN seen from a long-mode guest:
 * port I/O of each size (IN completion values reach the guest), string
 * I/O with REP, MMIO reads/writes with GPA, access and instruction bytes,
 * decoded MMIO exits one MOV form at a time,
 * a write to a read-only range, HLT, VMCALL to user space and the in-kernel
 * HVTB_HC_NULL, CPUID from the table and from user space, MSR intercepts
 * with #GP, triple fault, failed VM entry, and a signal cancelling RUN.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvtb_harness.h"
#include "guest.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT	300

#define SETUP(g, v)	GUEST_SETUP(g, v, 0)
#define TEARDOWN(g, v)	GUEST_TEARDOWN(g, v)

/* ---- port I/O ---- */

static void guest_io_out(void)
{
	guest_outb(0x10, 0x5a);
	guest_outw(0x12, 0x1234);
	guest_outl(0x14, 0x89abcdef);
}

TEST(io_out_sizes)
{
	static const struct { uint16_t port; uint8_t size; uint32_t value; } want[] = {
		{ 0x10, 1, 0x5a }, { 0x12, 2, 0x1234 }, { 0x14, 4, 0x89abcdef },
	};
	struct guest g;
	struct guest_vp v;
	size_t i;

	SETUP(g, v);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_io_out, 0, 0));
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		RUN_EXPECT(&v, HVTB_EXIT_IO);
		EXPECT_EQ(want[i].port, v.run->io.port);
		EXPECT_EQ(want[i].size, v.run->io.size);
		EXPECT_EQ(HVTB_IO_OUT, v.run->io.direction);
		EXPECT_EQ(0, v.run->io.string);
		EXPECT_EQ(0, v.run->io.rep);
		EXPECT_EQ(1, v.run->io.count);
		EXPECT_EQ(want[i].value, v.run->io.value);
	}
	EXPECT_UCALL(&v, UCALL_DONE);
	TEARDOWN(g, v);
}

static void guest_io_in(void)
{
	uint64_t rax = 0x1111111111111111ULL;

	/* IN AL keeps RAX 63:8; IN EAX zero-extends. */
	__asm__ volatile("inb $0x20, %%al" : "+a"(rax));
	GUEST_ASSERT_EQ(rax, 0x11111111111111abULL);
	__asm__ volatile("inw $0x22, %%ax" : "+a"(rax));
	GUEST_ASSERT_EQ(rax, 0x111111111111beefULL);
	__asm__ volatile("inl $0x24, %%eax" : "+a"(rax));
	GUEST_ASSERT_EQ(rax, 0xdeadbeefULL);
	GUEST_SYNC(guest_inb(0x26));
}

TEST(io_in_sizes)
{
	static const struct { uint16_t port; uint8_t size; uint32_t value; } ans[] = {
		{ 0x20, 1, 0xab }, { 0x22, 2, 0xbeef }, { 0x24, 4, 0xdeadbeef },
		{ 0x26, 1, 0x77 },
	};
	struct guest g;
	struct guest_vp v;
	struct ucall uc;
	size_t i;

	SETUP(g, v);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_io_in, 0, 0));
	for (i = 0; i < ARRAY_SIZE(ans); i++) {
		RUN_EXPECT(&v, HVTB_EXIT_IO);
		EXPECT_EQ(ans[i].port, v.run->io.port);
		EXPECT_EQ(ans[i].size, v.run->io.size);
		EXPECT_EQ(HVTB_IO_IN, v.run->io.direction);
		/* Bits past the size are ignored, and so is a size changed. */
		v.run->io.value = 0xffffffff00000000ULL | ans[i].value;
		v.run->io.size = 8;
	}
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(0x77, uc.args[0]);
	EXPECT_UCALL(&v, UCALL_DONE);
	TEARDOWN(g, v);
}

static char outs_buf[24] = "hvtb string I/O (outs)!";
static uint32_t ins_buf[8];

static void guest_string_io(void)
{
	const char *src = outs_buf;
	uint32_t *dst = ins_buf;
	uint64_t n = 23;

	__asm__ volatile("cld; rep outsb" : "+S"(src), "+c"(n) : "d"(0x30) : "memory");
	GUEST_ASSERT_EQ(n, 0);
	GUEST_ASSERT_EQ((uintptr_t)src, (uintptr_t)outs_buf + 23);

	src = outs_buf;
	__asm__ volatile("outsw" : "+S"(src) : "d"(0x32) : "memory");
	GUEST_ASSERT_EQ((uintptr_t)src, (uintptr_t)outs_buf + 2);

	n = 5;
	__asm__ volatile("rep insl" : "+D"(dst), "+c"(n) : "d"(0x34) : "memory");
	GUEST_ASSERT_EQ(n, 0);
	GUEST_ASSERT_EQ((uintptr_t)dst, (uintptr_t)&ins_buf[5]);
	GUEST_SYNC4(ins_buf[0], ins_buf[4], ins_buf[5], 0);

	/* REP with RCX 0 does nothing and needs no exit. */
	n = 0;
	__asm__ volatile("rep outsb" : "+S"(src), "+c"(n) : "d"(0x36) : "memory");
	GUEST_SYNC(1);
}

TEST(string_io)
{
	struct guest g;
	struct guest_vp v;
	struct ucall uc;
	uint32_t i, words[5];

	SETUP(g, v);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_string_io, 0, 0));

	RUN_EXPECT(&v, HVTB_EXIT_IO);
	EXPECT_EQ(0x30, v.run->io.port);
	EXPECT_EQ(1, v.run->io.size);
	EXPECT_EQ(HVTB_IO_OUT, v.run->io.direction);
	EXPECT_EQ(1, v.run->io.string);
	EXPECT_EQ(1, v.run->io.rep);
	ASSERT_EQ(23, v.run->io.count);
	ASSERT_EQ(offsetof(struct hvtb_run, data), v.run->io.data_offset);
	EXPECT_EQ(0, memcmp((char *)v.run + v.run->io.data_offset, outs_buf, 23));

	RUN_EXPECT(&v, HVTB_EXIT_IO);
	EXPECT_EQ(0x32, v.run->io.port);
	EXPECT_EQ(2, v.run->io.size);
	EXPECT_EQ(1, v.run->io.string);
	EXPECT_EQ(0, v.run->io.rep);
	EXPECT_EQ(1, v.run->io.count);
	EXPECT_EQ(0, memcmp((char *)v.run + v.run->io.data_offset, outs_buf, 2));

	RUN_EXPECT(&v, HVTB_EXIT_IO);
	EXPECT_EQ(0x34, v.run->io.port);
	EXPECT_EQ(4, v.run->io.size);
	EXPECT_EQ(HVTB_IO_IN, v.run->io.direction);
	EXPECT_EQ(1, v.run->io.string);
	EXPECT_EQ(1, v.run->io.rep);
	ASSERT_EQ(5, v.run->io.count);
	for (i = 0; i < 5; i++)
		words[i] = 0xc0de0000 + i;
	memcpy((char *)v.run + v.run->io.data_offset, words, sizeof(words));

	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(0xc0de0000, uc.args[0]);
	EXPECT_EQ(0xc0de0004, uc.args[1]);
	EXPECT_EQ(0, uc.args[2]);		/* past the count: untouched */
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(1, uc.args[0]);
	EXPECT_UCALL(&v, UCALL_DONE);
	TEARDOWN(g, v);
}

/* ---- MMIO ---- */

static void guest_mmio(uint64_t gpa)
{
	uint32_t val;

	/* mov (%rbx),%eax = 8b 03; mov %eax,(%rbx) = 89 03 */
	__asm__ volatile(".byte 0x8b, 0x03" : "=a"(val) : "b"(gpa) : "memory");
	GUEST_ASSERT_EQ(val, 0x11223344);
	val = 0xcafef00d;
	__asm__ volatile(".byte 0x89, 0x03" : : "a"(val), "b"(gpa + 8) : "memory");
	GUEST_SYNC(2);
}

/* MMIO exits leave RIP at the instruction: emulate it by skipping @len. */
static int skip_insn(struct guest_vp *v, unsigned int len, uint64_t *rax)
{
	struct hvtb_regs r;
	int ret = guest_ioctl(v->fd, HVTB_VP_GET_REGS, (uintptr_t)&r);

	if (ret)
		return ret;
	r.rip += len;
	if (rax)
		r.rax = *rax;
	return guest_ioctl(v->fd, HVTB_VP_SET_REGS, (uintptr_t)&r);
}

TEST(mmio_unmapped)
{
	struct guest g;
	struct guest_vp v;
	struct hvtb_regs r;
	struct ucall uc;
	uint64_t rax = 0x11223344;

	SETUP(g, v);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_mmio, GUEST_MMIO_GPA, 0));

	RUN_EXPECT(&v, HVTB_EXIT_MMIO);
	EXPECT_EQ(GUEST_MMIO_GPA, v.run->mmio.gpa);
	EXPECT_EQ(HVTB_ACCESS_READ, v.run->mmio.access);
	EXPECT_EQ(0, v.run->mmio.flags & HVTB_MMIO_MAPPED);
	if (v.run->mmio.flags & HVTB_MMIO_GVA_VALID)
		EXPECT_EQ(GUEST_MMIO_GPA, v.run->mmio.gva);
	ASSERT_LE(2, v.run->mmio.insn_len);
	EXPECT_EQ(0x8b, v.run->mmio.insn[0]);
	EXPECT_EQ(0x03, v.run->mmio.insn[1]);
	/* RIP is at the instruction. */
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_REGS, (uintptr_t)&r));
	EXPECT_EQ(0x8b, *(uint8_t *)guest_gpa(&g, r.rip));
	ASSERT_EQ(0, skip_insn(&v, 2, &rax));

	RUN_EXPECT(&v, HVTB_EXIT_MMIO);
	EXPECT_EQ(GUEST_MMIO_GPA + 8, v.run->mmio.gpa);
	EXPECT_EQ(HVTB_ACCESS_WRITE, v.run->mmio.access & HVTB_ACCESS_WRITE);
	EXPECT_EQ(0x89, v.run->mmio.insn[0]);
	EXPECT_EQ(0x03, v.run->mmio.insn[1]);
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_REGS, (uintptr_t)&r));
	EXPECT_EQ(0xcafef00d, (uint32_t)r.rax);
	ASSERT_EQ(0, skip_insn(&v, 2, NULL));

	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(2, uc.args[0]);
	EXPECT_UCALL(&v, UCALL_DONE);
	TEARDOWN(g, v);
}

/*
 * Decoded MMIO exits (HVTB_MMIO_DECODED), one MOV form at a time against
 * GUEST_MMIO_GPA (in %rbx, or as a moffs64 address): the exit reports
 * length, direction and a store's value; a load's value from the run page
 * reaches the register with the instruction's extension, and RIP moves
 * past each instruction (else the next form would not follow).
 */
#define MMIO_GPA_STR	"0x20000000"	/* GUEST_MMIO_GPA, for .quad */
#define MOV(bytes, c, val) \
	__asm__ volatile(".byte " bytes : c(val) : "b"(gpa) : "memory")
#define MOV_IN(bytes, c, val) \
	__asm__ volatile(".byte " bytes : : c(val), "b"(gpa) : "memory")

static void guest_mmio_decoded(uint64_t gpa)
{
	register uint64_t r9 __asm__("r9") = ~0ULL;
	uint64_t a = ~0ULL, c = 2, d = 0x1111111111111111ULL, si = 0;

	MOV("0x8b, 0x03", "+a", a);			/* mov (%rbx),%eax */
	GUEST_ASSERT_EQ(a, 0x89abcdefULL);
	MOV("0x48, 0x8b, 0x0b", "+c", c);		/* mov (%rbx),%rcx */
	GUEST_ASSERT_EQ(c, 0x0123456789abcdefULL);
	MOV("0x66, 0x8b, 0x13", "+d", d);		/* mov (%rbx),%dx */
	GUEST_ASSERT_EQ(d, 0x111111111111beefULL);
	MOV("0x8a, 0x33", "+d", d);			/* mov (%rbx),%dh */
	GUEST_ASSERT_EQ(d, 0x111111111111a5efULL);
	MOV("0x0f, 0xb6, 0x03", "+a", a);		/* movzbl (%rbx),%eax */
	GUEST_ASSERT_EQ(a, 0x80ULL);
	MOV("0x0f, 0xbe, 0x0b", "+c", c);		/* movsbl (%rbx),%ecx */
	GUEST_ASSERT_EQ(c, 0xffffff80ULL);
	MOV("0x0f, 0xb7, 0x13", "+d", d);		/* movzwl (%rbx),%edx */
	GUEST_ASSERT_EQ(d, 0x8001ULL);
	MOV("0x48, 0x0f, 0xbf, 0x33", "+S", si);	/* movswq (%rbx),%rsi */
	GUEST_ASSERT_EQ(si, 0xffffffffffff8000ULL);
	MOV("0x44, 0x8b, 0x0b", "+r", r9);		/* mov (%rbx),%r9d */
	GUEST_ASSERT_EQ(r9, 0xdeadbeefULL);
	MOV("0xa1; .quad " MMIO_GPA_STR, "+a", a);	/* movabs gpa,%eax */
	GUEST_ASSERT_EQ(a, 0x12345678ULL);
	MOV("0xa0; .quad " MMIO_GPA_STR, "+a", a);	/* movabs gpa,%al */
	GUEST_ASSERT_EQ(a, 0x1234569aULL);
	MOV("0x8b, 0x43, 0x08", "+a", a);		/* mov 0x8(%rbx),%eax */
	GUEST_ASSERT_EQ(a, 0x42424242ULL);
	c = 3;
	__asm__ volatile(".byte 0x8b, 0x04, 0x8b"	/* mov (%rbx,%rcx,4),%eax */
			 : "+a"(a) : "b"(gpa), "c"(c) : "memory");
	GUEST_ASSERT_EQ(a, 0x0c0c0c0cULL);

	MOV_IN("0x89, 0x03", "a", 0xcafef00dULL);		/* mov %eax,(%rbx) */
	MOV_IN("0x48, 0x89, 0x0b", "c", 0x0123456789abcdefULL);	/* mov %rcx,(%rbx) */
	MOV_IN("0x66, 0x89, 0x13", "d", 0xffff1234ULL);		/* mov %dx,(%rbx) */
	MOV_IN("0x88, 0x23", "a", 0x5a00ULL);			/* mov %ah,(%rbx) */
	MOV_IN("0xc6, 0x03, 0x77", "a", 0ULL);			/* movb $0x77,(%rbx) */
	MOV_IN("0xc7, 0x03, 0x0d, 0xf0, 0x0d, 0x60", "a", 0ULL); /* movl $0x600df00d */
	MOV_IN("0x48, 0xc7, 0x03, 0xfe, 0xff, 0xff, 0xff", "a", 0ULL); /* movq $-2 */
	MOV_IN("0xa3; .quad " MMIO_GPA_STR, "a", 0x13572468ULL); /* movabs %eax,gpa */
	MOV_IN("0xa2; .quad " MMIO_GPA_STR, "a", 0x4242ULL);	/* movabs %al,gpa */
	MOV_IN("0x4c, 0x89, 0x4b, 0x10", "r", r9);		/* mov %r9,0x10(%rbx) */
	/* Not a MOV: raw bytes only; user space steps over it. */
	MOV_IN("0x01, 0x03", "a", 1ULL);			/* add %eax,(%rbx) */
	GUEST_SYNC(7);
}

TEST(mmio_decoded)
{
	static const struct {
		uint8_t off, len, write;
		uint64_t data;	/* load: given; store: expected */
	} step[] = {
		{ 0, 4, 0, 0x1122334489abcdefULL },
		{ 0, 8, 0, 0x0123456789abcdefULL },
		{ 0, 2, 0, 0xbeef },
		{ 0, 1, 0, 0xa5 },
		{ 0, 1, 0, 0x80 },
		{ 0, 1, 0, 0x80 },
		{ 0, 2, 0, 0x8001 },
		{ 0, 2, 0, 0x8000 },
		{ 0, 4, 0, 0xffffffffdeadbeefULL },
		{ 0, 4, 0, 0x12345678 },
		{ 0, 1, 0, 0x9a },
		{ 8, 4, 0, 0x42424242 },
		{ 12, 4, 0, 0x0c0c0c0c },
		{ 0, 4, 1, 0xcafef00d },
		{ 0, 8, 1, 0x0123456789abcdefULL },
		{ 0, 2, 1, 0x1234 },
		{ 0, 1, 1, 0x5a },
		{ 0, 1, 1, 0x77 },
		{ 0, 4, 1, 0x600df00d },
		{ 0, 8, 1, 0xfffffffffffffffeULL },
		{ 0, 4, 1, 0x13572468 },
		{ 0, 1, 1, 0x42 },
		{ 16, 8, 1, 0xdeadbeefULL },
	};
	struct guest g;
	struct guest_vp v;
	struct ucall uc;
	size_t i;

	ASSERT_EQ(0x20000000ULL, GUEST_MMIO_GPA);	/* MMIO_GPA_STR */
	SETUP(g, v);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_mmio_decoded, GUEST_MMIO_GPA, 0));
	for (i = 0; i < ARRAY_SIZE(step); i++) {
		RUN_EXPECT(&v, HVTB_EXIT_MMIO);
		EXPECT_EQ(GUEST_MMIO_GPA + step[i].off, v.run->mmio.gpa) TH_LOG("step %zu", i);
		ASSERT_EQ(HVTB_MMIO_DECODED, v.run->mmio.flags & HVTB_MMIO_DECODED)
			TH_LOG("step %zu: insn %02x %02x", i, v.run->mmio.insn[0],
			       v.run->mmio.insn[1]);
		EXPECT_EQ(step[i].len, v.run->mmio.len) TH_LOG("step %zu", i);
		EXPECT_EQ(step[i].write, v.run->mmio.write) TH_LOG("step %zu", i);
		if (step[i].write) {
			EXPECT_EQ(step[i].data, v.run->mmio.data) TH_LOG("step %zu", i);
		} else {
			v.run->mmio.data = step[i].data;
		}
	}
	/* add %eax,(%rbx): not decoded, RIP still at it. */
	RUN_EXPECT(&v, HVTB_EXIT_MMIO);
	EXPECT_EQ(0, v.run->mmio.flags & HVTB_MMIO_DECODED);
	EXPECT_EQ(0x01, v.run->mmio.insn[0]);
	ASSERT_EQ(0, skip_insn(&v, 2, NULL));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(7, uc.args[0]);
	EXPECT_UCALL(&v, UCALL_DONE);
	TEARDOWN(g, v);
}

/*
 * HVTB_VP_SET_REGS after a decoded load cancels its completion: the guest
 * sees what SET_REGS put there, and RIP moves only as user space set it.
 */
TEST(mmio_decoded_cancel)
{
	struct guest g;
	struct guest_vp v;
	uint64_t rax = 0x11223344;

	SETUP(g, v);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_mmio, GUEST_MMIO_GPA, 0));
	RUN_EXPECT(&v, HVTB_EXIT_MMIO);
	ASSERT_EQ(HVTB_MMIO_DECODED, v.run->mmio.flags & HVTB_MMIO_DECODED);
	v.run->mmio.data = 0x55555555;		/* ignored: cancelled */
	ASSERT_EQ(0, skip_insn(&v, 2, &rax));
	RUN_EXPECT(&v, HVTB_EXIT_MMIO);		/* the store: the load passed */
	EXPECT_EQ(GUEST_MMIO_GPA + 8, v.run->mmio.gpa);
	EXPECT_EQ(1, v.run->mmio.write);
	EXPECT_EQ(0xcafef00d, v.run->mmio.data);
	EXPECT_UCALL(&v, UCALL_SYNC);		/* completed by the RUN */
	EXPECT_UCALL(&v, UCALL_DONE);
	TEARDOWN(g, v);
}

#define RO_GPA	0x2000000ULL	/* 32 MiB, past the main range */

static void guest_ro(uint64_t gpa)
{
	volatile uint32_t *p = (volatile uint32_t *)gpa;

	GUEST_SYNC(p[1]);	/* a read needs no exit */
	__asm__ volatile(".byte 0x89, 0x03" : : "a"(0x1234), "b"(gpa) : "memory");
	GUEST_SYNC(p[0]);	/* still what the range holds */
}

TEST(mmio_readonly_range)
{
	struct guest g;
	struct guest_vp v;
	struct hvtb_memory_range m = { 0 };
	struct ucall uc;
	uint32_t *page;

	SETUP(g, v);
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	page[0] = 0xa5a5a5a5;
	page[1] = 0x5a5a5a5a;
	m.gpa = RO_GPA;
	m.size = 4096;
	m.uaddr = (uintptr_t)page;
	m.flags = HVTB_MAP_READ;
	ASSERT_EQ(0, guest_ioctl(g.part, HVTB_PARTITION_MAP_GPA, (uintptr_t)&m));

	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_ro, RO_GPA, 0));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(0x5a5a5a5a, uc.args[0]);
	RUN_EXPECT(&v, HVTB_EXIT_MMIO);
	EXPECT_EQ(RO_GPA, v.run->mmio.gpa);
	EXPECT_EQ(HVTB_ACCESS_WRITE, v.run->mmio.access & HVTB_ACCESS_WRITE);
	EXPECT_EQ(HVTB_MMIO_MAPPED, v.run->mmio.flags & HVTB_MMIO_MAPPED);
	EXPECT_EQ(0, v.run->mmio.flags & HVTB_MMIO_DECODED);	/* only unmapped GPAs */
	EXPECT_EQ(0x89, v.run->mmio.insn[0]);
	ASSERT_EQ(0, skip_insn(&v, 2, NULL));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(0xa5a5a5a5, uc.args[0]);
	EXPECT_UCALL(&v, UCALL_DONE);
	TEARDOWN(g, v);
	munmap(page, 4096);
}

/* ---- HLT, VMCALL, CPUID ---- */

static void guest_hlt_vmcall(void)
{
	uint64_t r;
	int i;

	guest_hlt();
	r = guest_vmcall(0x1234, 7, 8);
	GUEST_ASSERT_EQ(r, 0x5555);
	for (i = 0; i < 10; i++) {
		r = 0xbad;
		__asm__ volatile("vmcall" : "+a"(r) : "c"(HVTB_HC_NULL) : "memory");
		GUEST_ASSERT_EQ(r, 0);
	}
	GUEST_SYNC(3);
}

TEST(hlt_and_vmcall)
{
	struct guest g;
	struct guest_vp v;
	struct hvtb_vp_stats s0, s1;
	struct hvtb_regs r;
	struct ucall uc;

	SETUP(g, v);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_hlt_vmcall, 0, 0));
	RUN_EXPECT(&v, HVTB_EXIT_HLT);
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_REGS, (uintptr_t)&r));
	EXPECT_EQ(0xf4, *(uint8_t *)guest_gpa(&g, r.rip - 1));	/* past HLT */

	RUN_EXPECT(&v, HVTB_EXIT_HYPERCALL);
	EXPECT_EQ(0x1234, v.run->hypercall.rcx);
	EXPECT_EQ(7, v.run->hypercall.rdx);
	EXPECT_EQ(8, v.run->hypercall.r8);
	v.run->hypercall.result = 0x5555;

	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_STATS, (uintptr_t)&s0));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);	/* no user exit for HC_NULL */
	EXPECT_EQ(3, uc.args[0]);
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_STATS, (uintptr_t)&s1));
	EXPECT_EQ(s0.by_reason[18] + 10, s1.by_reason[18]);
	EXPECT_EQ(s0.user_exits + 1, s1.user_exits);
	EXPECT_EQ(s0.runs + 1, s1.runs);
	EXPECT_EQ(1, s1.by_intercept[HVTB_EXIT_HLT]);
	EXPECT_EQ(1, s1.by_intercept[HVTB_EXIT_HYPERCALL]);
	EXPECT_UCALL(&v, UCALL_DONE);
	TEARDOWN(g, v);
}

static void guest_cpuid_leaves(void)
{
	uint32_t r[4];

	guest_cpuid(0x40000000, 0, r);
	GUEST_SYNC4(r[0], r[1], r[2], r[3]);
	guest_cpuid(7, 1, r);
	GUEST_SYNC4(r[0], r[1], r[2], r[3]);
	guest_cpuid(7, 0, r);
	GUEST_SYNC4(r[0], r[1], r[2], r[3]);
	guest_cpuid(0x40000001, 5, r);
	GUEST_SYNC4(r[0], r[1], r[2], r[3]);
	guest_cpuid(0x12345, 0, r);		/* not in the table */
	GUEST_SYNC4(r[0], r[1], r[2], r[3]);
}

TEST(cpuid_table_and_exit)
{
	struct hvtb_cpuid_entry e[] = {
		{ .function = 0x40000000, .eax = 1, .ebx = 2, .ecx = 3, .edx = 4 },
		{ .function = 7, .index = 1, .flags = HVTB_CPUID_INDEXED, .eax = 71 },
		{ .function = 7, .index = 0, .flags = HVTB_CPUID_INDEXED, .eax = 70 },
		{ .function = 0x40000001, .flags = HVTB_CPUID_EXIT, .eax = 9 },
	};
	struct hvtb_cpuid_table t = { .nent = ARRAY_SIZE(e), .entries = (uintptr_t)e };
	struct guest g;
	struct guest_vp v;
	struct ucall uc;

	SETUP(g, v);
	ASSERT_EQ(0, guest_ioctl(g.part, HVTB_PARTITION_SET_CPUID, (uintptr_t)&t));
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_cpuid_leaves, 0, 0));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(1, uc.args[0]);
	EXPECT_EQ(2, uc.args[1]);
	EXPECT_EQ(3, uc.args[2]);
	EXPECT_EQ(4, uc.args[3]);
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(71, uc.args[0]);
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(70, uc.args[0]);

	RUN_EXPECT(&v, HVTB_EXIT_CPUID);
	EXPECT_EQ(0x40000001, v.run->cpuid.function);
	EXPECT_EQ(5, v.run->cpuid.index);
	EXPECT_EQ(9, v.run->cpuid.eax);		/* the table's values as a default */
	v.run->cpuid.eax = 0xa;
	v.run->cpuid.ebx = 0xb;
	v.run->cpuid.ecx = 0xc;
	v.run->cpuid.edx = 0xd;
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(0xa, uc.args[0]);
	EXPECT_EQ(0xb, uc.args[1]);
	EXPECT_EQ(0xc, uc.args[2]);
	EXPECT_EQ(0xd, uc.args[3]);
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(0, uc.args[0] | uc.args[1] | uc.args[2] | uc.args[3]);
	EXPECT_UCALL(&v, UCALL_DONE);
	TEARDOWN(g, v);
}

/* ---- MSRs ---- */

#define MSR_USER	0x4b564d00	/* in the intercept list */
#define MSR_UNKNOWN	0x4b564d01	/* nowhere: #GP from the kernel */

static volatile uint64_t gp_count, gp_last_vector;

static void gp_skip2(struct guest_frame *f)
{
	gp_count++;
	gp_last_vector = f->vector;
	f->rip += 2;	/* RDMSR and WRMSR are 2 bytes */
}

static void guest_msrs(void)
{
	uint64_t v;

	guest_handlers[13] = gp_skip2;
	v = guest_rdmsr(MSR_USER);
	GUEST_ASSERT_EQ(v, 0x1122334455667788ULL);
	guest_wrmsr(MSR_USER, 0xabcdef0123ULL);
	GUEST_ASSERT_EQ(gp_count, 0);
	guest_rdmsr(MSR_USER);			/* user space says error */
	GUEST_ASSERT_EQ(gp_count, 1);
	guest_wrmsr(MSR_USER, 1);		/* user space says error */
	GUEST_ASSERT_EQ(gp_count, 2);
	guest_rdmsr(MSR_UNKNOWN);
	guest_wrmsr(MSR_UNKNOWN, 0);
	GUEST_ASSERT_EQ(gp_count, 4);
	GUEST_ASSERT_EQ(gp_last_vector, 13);
	/* An emulated MSR round-trips in the kernel. */
	guest_wrmsr(0xc0000102, 0xffff800012345000ULL);	/* KERNEL_GS_BASE */
	GUEST_SYNC(guest_rdmsr(0xc0000102));
}

TEST(msr_intercepts_and_gp)
{
	__u32 idx[] = { MSR_USER };
	struct hvtb_msr_list l = { .nmsrs = 1, .indices = (uintptr_t)idx };
	struct guest g;
	struct guest_vp v;
	struct ucall uc;

	SETUP(g, v);
	ASSERT_EQ(0, guest_ioctl(g.part, HVTB_PARTITION_SET_MSR_INTERCEPTS, (uintptr_t)&l));
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_msrs, 0, 0));

	RUN_EXPECT(&v, HVTB_EXIT_MSR_READ);
	EXPECT_EQ(MSR_USER, v.run->msr.index);
	v.run->msr.data = 0x1122334455667788ULL;
	v.run->msr.error = 0;
	RUN_EXPECT(&v, HVTB_EXIT_MSR_WRITE);
	EXPECT_EQ(MSR_USER, v.run->msr.index);
	EXPECT_EQ(0xabcdef0123ULL, v.run->msr.data);
	v.run->msr.error = 0;
	RUN_EXPECT(&v, HVTB_EXIT_MSR_READ);
	v.run->msr.error = 1;
	RUN_EXPECT(&v, HVTB_EXIT_MSR_WRITE);
	EXPECT_EQ(1, v.run->msr.data);
	v.run->msr.error = 1;
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(0xffff800012345000ULL, uc.args[0]);
	EXPECT_UCALL(&v, UCALL_DONE);
	TEARDOWN(g, v);
}

/* ---- shutdown, failed entry, signals ---- */

static void guest_triple_fault(void)
{
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) idtr = { 0, 0 };

	__asm__ volatile("lidt %0; int3" : : "m"(idtr) : "memory");
	GUEST_SYNC(0xdead);
}

TEST(triple_fault_shutdown)
{
	struct guest g;
	struct guest_vp v;

	SETUP(g, v);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_triple_fault, 0, 0));
	RUN_EXPECT(&v, HVTB_EXIT_SHUTDOWN);
	TEARDOWN(g, v);
}

TEST(failed_entry)
{
	struct guest g;
	struct guest_vp v;
	struct hvtb_sregs s;

	SETUP(g, v);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_io_out, 0, 0));
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_SREGS, (uintptr_t)&s));
	/* TR must be usable: the kernel takes it, VM entry does not. */
	s.tr.ar = HVTB_SEG_AR_UNUSABLE;
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_SET_SREGS, (uintptr_t)&s));
	RUN_EXPECT(&v, HVTB_EXIT_FAIL_ENTRY);
	EXPECT_EQ(0x80000000U, v.run->fail_entry.hw_exit_reason & 0x80000000U);
	EXPECT_EQ(33, v.run->fail_entry.hw_exit_reason & 0xffff);	/* invalid guest state */

	/* Fixed state enters again. */
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_io_out, 0, 0));
	RUN_EXPECT(&v, HVTB_EXIT_IO);
	EXPECT_EQ(0x10, v.run->io.port);
	TEARDOWN(g, v);
}

static volatile int spin_stop;

static void guest_spin(void)
{
	while (!spin_stop)
		__asm__ volatile("pause" : : : "memory");
	GUEST_SYNC(4);
}

static void on_signal(int sig)
{
	(void)sig;
}

/* The test VM's kernel has no POSIX timers: a thread sends the signal. */
static void *kick_later(void *arg)
{
	usleep(200000);
	pthread_kill(*(pthread_t *)arg, SIGUSR1);
	return NULL;
}

static int run_with_kick(struct guest_vp *v)
{
	pthread_t self = pthread_self(), t;
	int r;

	if (pthread_create(&t, NULL, kick_later, &self))
		return -EAGAIN;
	r = guest_vp_run(v);
	pthread_join(t, NULL);
	return r;
}

TEST(signal_cancels_run)
{
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART */
	struct hvtb_vp_stats st;
	struct guest g;
	struct guest_vp v;
	struct ucall uc;
	int one = 1;

	SETUP(g, v);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_spin, 0, 0));
	ASSERT_EQ(-EINTR, run_with_kick(&v));
	EXPECT_EQ(HVTB_EXIT_INTR, v.run->exit_reason);

	/* Resumable: it still spins, then runs on once told to stop. */
	ASSERT_EQ(-EINTR, run_with_kick(&v));
	EXPECT_EQ(HVTB_EXIT_INTR, v.run->exit_reason);
	/*
	 * What took the spinning guest off the CPU: the preemption timer, a
	 * host interrupt or, as its loop PAUSEs, PAUSE-loop exiting (under
	 * Bochs with one CPU nearly all of them are the latter).
	 */
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_STATS, (uintptr_t)&st));
	TH_LOG("exits %lu: preemption timer %lu, external interrupt %lu, PAUSE %lu",
	       (unsigned long)st.exits, (unsigned long)st.by_reason[52],
	       (unsigned long)st.by_reason[1], (unsigned long)st.by_reason[40]);
	EXPECT_LT(0, st.by_reason[52] + st.by_reason[1] + st.by_reason[40]);
	memcpy(guest_gpa(&g, (uintptr_t)&spin_stop), &one, sizeof(one));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(4, uc.args[0]);
	EXPECT_UCALL(&v, UCALL_DONE);
	TEARDOWN(g, v);
}

TEST_HARNESS_MAIN
