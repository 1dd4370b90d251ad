// SPDX-License-Identifier: GPL-2.0
/*
 * Guest library of the partition selftests (see include/guest.h): builds a
 * partition whose memory holds this binary's image at its own addresses,
 * identity page tables, a GDT/TSS and an IDT, and enters guest functions in
 * long, protected or real mode.
 *
 * Built with -fno-stack-protector -mno-red-zone (partition.mk): parts of
 * this file run in the guest, where there is no TLS and where an interrupt
 * pushes onto the interrupted stack.
 */
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest.h"
#include "libhvtb.h"

guest_handler_t guest_handlers[256];

/* ---- guest side ---- */

void guest_idt_dispatch(struct guest_frame *f);
void guest_return_to_done(void);

/* Called from the IDT stubs below, in the guest. */
void guest_idt_dispatch(struct guest_frame *f)
{
	guest_handler_t h = guest_handlers[f->vector & 0xff];

	if (h) {
		h(f);
		return;
	}
	for (;;) {
		guest_ucall(UCALL_UNHANDLED, f->vector, f->error_code, f->rip,
			    0, 0, 0, 0);
		guest_hlt();
	}
}

/* Where a guest function returns to. */
void guest_return_to_done(void)
{
	for (;;) {
		GUEST_DONE();
		guest_hlt();
	}
}

/*
 * 256 IDT stubs of 16 bytes each: push a dummy error code where the CPU
 * pushes none, push the vector, save the GPRs as struct guest_frame and
 * call guest_idt_dispatch().
 */
__asm__(
"	.text\n"
"	.altmacro\n"
"	.macro GUEST_STUB vec\n"
"	.balign 16\n"
"	.if (\\vec == 8) || ((\\vec >= 10) && (\\vec <= 14)) || (\\vec == 17) || (\\vec == 21) || (\\vec == 29) || (\\vec == 30)\n"
"	.else\n"
"	pushq $0\n"
"	.endif\n"
"	pushq $\\vec\n"
"	jmp guest_idt_common\n"
"	.endm\n"
"	.balign 16\n"
"	.globl guest_idt_stubs\n"
"guest_idt_stubs:\n"
"	.set gvec, 0\n"
"	.rept 256\n"
"	GUEST_STUB %gvec\n"
"	.set gvec, gvec + 1\n"
"	.endr\n"
"	.noaltmacro\n"
"guest_idt_common:\n"
"	push %rax; push %rbx; push %rcx; push %rdx; push %rsi; push %rdi; push %rbp\n"
"	push %r8; push %r9; push %r10; push %r11; push %r12; push %r13; push %r14; push %r15\n"
"	mov %rsp, %rdi\n"
"	call guest_idt_dispatch\n"
"	pop %r15; pop %r14; pop %r13; pop %r12; pop %r11; pop %r10; pop %r9; pop %r8\n"
"	pop %rbp; pop %rdi; pop %rsi; pop %rdx; pop %rcx; pop %rbx; pop %rax\n"
"	add $16, %rsp\n"
"	iretq\n"
"	.globl guest_return_stub\n"
"guest_return_stub:\n"
"	call guest_return_to_done\n"
);

extern char guest_idt_stubs[];
extern char guest_return_stub[];

/* ---- test side ---- */

long guest_ioctl(int fd, unsigned long req, unsigned long arg)
{
	long r = ioctl(fd, req, arg);

	return r < 0 ? -errno : r;
}

struct image_copy {
	struct guest *g;
	int err;
};

static int copy_phdr(struct dl_phdr_info *info, size_t size, void *data)
{
	struct image_copy *c = data;
	int i;

	(void)size;
	/* The first object is the executable itself (static: the only one). */
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *p = &info->dlpi_phdr[i];
		uint64_t start = info->dlpi_addr + p->p_vaddr;

		if (p->p_type != PT_LOAD || !p->p_memsz)
			continue;
		if (start + p->p_memsz > c->g->mem_size ||
		    start < GUEST_STACKS_TOP) {
			c->err = -E2BIG;
			return 1;
		}
		memcpy(c->g->mem + start, (void *)start, p->p_memsz);
	}
	return 1;
}

void guest_sync_image(struct guest *g)
{
	struct image_copy c = { .g = g };

	dl_iterate_phdr(copy_phdr, &c);
}

static void set_gate(uint8_t *idt, int vec, uint64_t handler)
{
	uint8_t *e = idt + vec * 16;
	uint16_t sel = GUEST_SEL_CODE64;

	memset(e, 0, 16);
	memcpy(e, &handler, 2);			/* offset 15:0 */
	memcpy(e + 2, &sel, 2);
	e[5] = 0x8e;				/* present, DPL 0, 64-bit interrupt gate */
	memcpy(e + 6, (uint8_t *)&handler + 2, 2);	/* offset 31:16 */
	memcpy(e + 8, (uint8_t *)&handler + 4, 4);	/* offset 63:32 */
}

/* Page tables, GDT, TSS, IDT. */
static void build_system(struct guest *g)
{
	uint64_t *pml4 = guest_gpa(g, GUEST_PML4);
	uint64_t *pdpt = guest_gpa(g, GUEST_PDPT);
	uint64_t *pd = guest_gpa(g, GUEST_PD);
	uint64_t *gdt = guest_gpa(g, GUEST_GDT);
	uint64_t tss = GUEST_TSS;
	int i;

	pml4[0] = GUEST_PDPT | 3;
	for (i = 0; i < 4; i++)
		pdpt[i] = (GUEST_PD + i * 0x1000) | 3;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83;	/* P, RW, PS */

	gdt[0] = 0;
	gdt[1] = 0x00af9b000000ffffULL;	/* 64-bit code */
	gdt[2] = 0x00cf93000000ffffULL;	/* data, 4 GiB */
	gdt[3] = 0x00cf9b000000ffffULL;	/* 32-bit code, 4 GiB */
	gdt[4] = 0x67 | ((tss & 0xffffff) << 16) | (0x89ULL << 40) |
		 ((tss >> 24) << 56);	/* 64-bit TSS, available */
	gdt[5] = tss >> 32;

	for (i = 0; i < 256; i++)
		set_gate(guest_gpa(g, GUEST_IDT), i,
			 (uint64_t)(uintptr_t)guest_idt_stubs + i * 16);
}

int guest_create(struct guest *g, unsigned int flags)
{
	struct hvtb_partition_config pc = { 0 };
	struct hvtb_memory_range m = { 0 };
	struct hvtb_cpuid_entry ce[] = {
		{ .function = 0, .eax = 0xd, .ebx = 0x62747668, .ecx = 0x6274,
		  .edx = 0x76687462 },	/* "hvtb" */
		/* APIC, FXSR, SSE, SSE2; x2APIC (IA32_APIC_BASE.EXTD needs it) */
		{ .function = 1, .eax = 0x806e9, .ecx = 1 << 21,
		  .edx = 1 << 9 | 1 << 24 | 1 << 25 | 1 << 26 },
	};
	struct hvtb_cpuid_table ct = { .nent = 2, .entries = (uintptr_t)ce };
	struct image_copy c;
	int r;

	memset(g, 0, sizeof(*g));
	g->part = -1;
	g->dev = hvtb_open(O_RDWR);
	if (g->dev < 0)
		return g->dev;
	if (flags & GUEST_ROOT_SCHED)
		pc.flags |= HVTB_PARTITION_ROOT_SCHED;
	if (flags & GUEST_LAPIC)
		pc.flags |= HVTB_PARTITION_LAPIC;
	if (flags & GUEST_NO_APICV)
		pc.flags |= HVTB_PARTITION_NO_APICV;
	g->part = guest_ioctl(g->dev, HVTB_CREATE_PARTITION, (uintptr_t)&pc);
	if (g->part < 0) {
		r = g->part;
		goto err;
	}
	if (flags & GUEST_NO_MEMORY)
		return 0;

	g->mem_size = GUEST_MEM_SIZE;
	g->mem = mmap(NULL, g->mem_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->mem == MAP_FAILED) {
		g->mem = NULL;
		r = -errno;
		goto err;
	}
	c = (struct image_copy){ .g = g };
	dl_iterate_phdr(copy_phdr, &c);
	if (c.err) {
		r = c.err;
		goto err;
	}
	build_system(g);

	m.gpa = 0;
	m.size = g->mem_size;
	m.uaddr = (uintptr_t)g->mem;
	m.flags = HVTB_MAP_READ | HVTB_MAP_WRITE | HVTB_MAP_EXEC;
	r = guest_ioctl(g->part, HVTB_PARTITION_MAP_GPA, (uintptr_t)&m);
	if (r)
		goto err;
	r = guest_ioctl(g->part, HVTB_PARTITION_SET_CPUID, (uintptr_t)&ct);
	if (r)
		goto err;
	return 0;
err:
	guest_destroy(g);
	return r;
}

static bool env_is_1(const char *name)
{
	const char *e = getenv(name);

	return e && !strcmp(e, "1");
}

unsigned int guest_env_flags(void)
{
	return (env_is_1("HVTB_TEST_ROOT_SCHED") ? GUEST_ROOT_SCHED : 0) |
	       (env_is_1("HVTB_TEST_NO_APICV") ? GUEST_NO_APICV : 0);
}

void guest_destroy(struct guest *g)
{
	if (g->part >= 0)
		close(g->part);
	if (g->dev >= 0)
		close(g->dev);
	if (g->mem)
		munmap(g->mem, g->mem_size);
	g->part = g->dev = -1;
	g->mem = NULL;
}

int guest_vp_create(struct guest *g, struct guest_vp *v, uint32_t index)
{
	struct hvtb_vp_config vc = { .index = index };
	void *run;

	memset(v, 0, sizeof(*v));
	v->g = g;
	v->index = index;
	v->fd = guest_ioctl(g->part, HVTB_PARTITION_CREATE_VP, (uintptr_t)&vc);
	if (v->fd < 0)
		return v->fd;
	run = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (run == MAP_FAILED) {
		int r = -errno;

		close(v->fd);
		v->fd = -1;
		return r;
	}
	v->run = run;
	return 0;
}

void guest_vp_destroy(struct guest_vp *v)
{
	if (v->run)
		munmap(v->run, 4096);
	if (v->fd >= 0)
		close(v->fd);
	v->run = NULL;
	v->fd = -1;
}

static void seg(struct hvtb_segment *s, uint16_t sel, uint64_t base,
		uint32_t limit, uint32_t ar)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->base = base;
	s->limit = limit;
	s->ar = ar;
}

int guest_vp_enter_long(struct guest_vp *v, void *fn, uint64_t a0, uint64_t a1)
{
	struct hvtb_sregs s;
	struct hvtb_regs regs = { 0 };
	uint64_t top = GUEST_STACKS_TOP - v->index * GUEST_STACK_SIZE;
	uint64_t ret = (uintptr_t)guest_return_stub;
	int r;

	r = guest_ioctl(v->fd, HVTB_VP_GET_SREGS, (uintptr_t)&s);
	if (r)
		return r;
	seg(&s.cs, GUEST_SEL_CODE64, 0, 0xffffffff, 0xa09b);
	seg(&s.ds, GUEST_SEL_DATA, 0, 0xffffffff, 0xc093);
	s.es = s.fs = s.gs = s.ss = s.ds;
	seg(&s.tr, GUEST_SEL_TSS, GUEST_TSS, 0x67, 0x8b);
	s.gdt.base = GUEST_GDT;
	s.gdt.limit = 0x2f;
	s.idt.base = GUEST_IDT;
	s.idt.limit = 0xfff;
	s.cr3 = GUEST_PML4;
	s.cr4 = 0x620;			/* PAE, OSFXSR, OSXMMEXCPT */
	s.efer = 0x500;			/* LME, LMA */
	s.cr0 = 0x80010033;		/* PG, WP, NE, ET, MP, PE */
	r = guest_ioctl(v->fd, HVTB_VP_SET_SREGS, (uintptr_t)&s);
	if (r)
		return r;

	memcpy(guest_gpa(v->g, top - 8), &ret, 8);
	regs.rip = (uintptr_t)fn;
	regs.rsp = top - 8;
	regs.rdi = a0;
	regs.rsi = a1;
	regs.rflags = 2;
	return guest_ioctl(v->fd, HVTB_VP_SET_REGS, (uintptr_t)&regs);
}

int guest_vp_enter_real(struct guest_vp *v, const void *code, size_t len)
{
	struct hvtb_sregs s;
	struct hvtb_regs regs = { 0 };
	uint16_t sel = GUEST_REAL_CODE >> 4;
	int r;

	if (len > 0xf000)
		return -EINVAL;
	memcpy(guest_gpa(v->g, GUEST_REAL_CODE), code, len);
	r = guest_ioctl(v->fd, HVTB_VP_GET_SREGS, (uintptr_t)&s);
	if (r)
		return r;
	seg(&s.cs, sel, GUEST_REAL_CODE, 0xffff, 0x9b);
	seg(&s.ds, sel, GUEST_REAL_CODE, 0xffff, 0x93);
	s.es = s.fs = s.gs = s.ss = s.ds;
	/* Real mode whatever mode the VP was in before: PE, PG, PAE, LME off. */
	s.cr0 &= ~(0x80000001ULL);
	s.cr4 &= ~0x20ULL;
	s.efer = 0;
	r = guest_ioctl(v->fd, HVTB_VP_SET_SREGS, (uintptr_t)&s);
	if (r)
		return r;
	regs.rip = 0;
	regs.rsp = 0xfff0;
	regs.rflags = 2;
	return guest_ioctl(v->fd, HVTB_VP_SET_REGS, (uintptr_t)&regs);
}

int guest_vp_enter_prot32(struct guest_vp *v, void *fn)
{
	struct hvtb_sregs s;
	struct hvtb_regs regs = { 0 };
	uint64_t top = GUEST_STACKS_TOP - v->index * GUEST_STACK_SIZE;
	int r;

	r = guest_ioctl(v->fd, HVTB_VP_GET_SREGS, (uintptr_t)&s);
	if (r)
		return r;
	seg(&s.cs, GUEST_SEL_CODE32, 0, 0xffffffff, 0xc09b);
	seg(&s.ds, GUEST_SEL_DATA, 0, 0xffffffff, 0xc093);
	s.es = s.fs = s.gs = s.ss = s.ds;
	seg(&s.tr, GUEST_SEL_TSS, GUEST_TSS, 0x67, 0x8b);
	s.gdt.base = GUEST_GDT;
	s.gdt.limit = 0x2f;
	s.cr0 = 0x31;			/* NE, ET, PE */
	s.cr4 = 0;
	s.efer = 0;
	r = guest_ioctl(v->fd, HVTB_VP_SET_SREGS, (uintptr_t)&s);
	if (r)
		return r;
	regs.rip = (uintptr_t)fn;
	regs.rsp = top - 16;
	regs.rflags = 2;
	return guest_ioctl(v->fd, HVTB_VP_SET_REGS, (uintptr_t)&regs);
}

int guest_vp_run(struct guest_vp *v)
{
	return guest_ioctl(v->fd, HVTB_VP_RUN, 0);
}

uint64_t guest_get_ucall(struct guest_vp *v, struct ucall *uc)
{
	const struct hvtb_exit_io *io = &v->run->io;

	memset(uc, 0, sizeof(*uc));
	if (v->run->exit_reason != HVTB_EXIT_IO || io->port != GUEST_UCALL_PORT ||
	    io->direction != HVTB_IO_OUT || io->size != 4 || io->string ||
	    io->value + sizeof(*uc) > v->g->mem_size)
		return UCALL_NONE;
	memcpy(uc, guest_gpa(v->g, io->value), sizeof(*uc));
	return uc->cmd;
}

uint64_t guest_run_ucall(struct guest_vp *v, struct ucall *uc)
{
	if (guest_vp_run(v)) {
		memset(uc, 0, sizeof(*uc));
		return UCALL_NONE;
	}
	return guest_get_ucall(v, uc);
}

void *guest_run_thread(void *arg)
{
	struct guest_vp *v = arg;
	struct ucall uc;
	uint64_t c;

	do {
		c = guest_run_ucall(v, &uc);
	} while (c == UCALL_SYNC);
	return (void *)(uintptr_t)c;
}

const char *guest_exit_name(uint32_t reason)
{
	static const char *const names[] = {
		"NONE", "IO", "MMIO", "HLT", "HYPERCALL", "CPUID", "MSR_READ",
		"MSR_WRITE", "SHUTDOWN", "FAIL_ENTRY", "INTR", "INTERNAL",
	};

	return reason < sizeof(names) / sizeof(names[0]) ? names[reason] : "?";
}

const char *guest_describe_exit(struct guest_vp *v, char *buf, size_t len)
{
	const struct hvtb_run *run = v->run;

	switch (run->exit_reason) {
	case HVTB_EXIT_IO:
		snprintf(buf, len, "IO port 0x%x size %u dir %u string %u value 0x%llx",
			 run->io.port, run->io.size, run->io.direction,
			 run->io.string, (unsigned long long)run->io.value);
		break;
	case HVTB_EXIT_MMIO:
		snprintf(buf, len, "MMIO gpa 0x%llx access %u flags %u insn_len %u",
			 (unsigned long long)run->mmio.gpa, run->mmio.access,
			 run->mmio.flags, run->mmio.insn_len);
		break;
	case HVTB_EXIT_FAIL_ENTRY:
		snprintf(buf, len, "FAIL_ENTRY hw 0x%x insn_err %u qual 0x%llx",
			 run->fail_entry.hw_exit_reason,
			 run->fail_entry.vm_instruction_error,
			 (unsigned long long)run->fail_entry.qualification);
		break;
	case HVTB_EXIT_INTERNAL:
		snprintf(buf, len, "INTERNAL sub %u hw 0x%x qual 0x%llx data 0x%llx",
			 run->internal.suberror, run->internal.hw_exit_reason,
			 (unsigned long long)run->internal.qualification,
			 (unsigned long long)run->internal.data[0]);
		break;
	default:
		snprintf(buf, len, "%s", guest_exit_name(run->exit_reason));
	}
	return buf;
}
