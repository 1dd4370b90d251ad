// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb - VM exit handling: one table indexed by the basic exit reason.
 *
 * Handlers run with the VMCS current and preemption disabled, so they never
 * sleep. An exit that needs user space fills struct hvtb_run and returns
 * VMX_EXIT_USER; work that must sleep (reading guest memory for string I/O
 * or the instruction bytes of an MMIO access) is a request (HVTB_REQ_*) that
 * kmod/vp.c does after the VMCS is put. An intercept that user space answers
 * sets vp->complete_user, which applies the answer (an IN's value, a CPUID
 * result, ...) before the next entry.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include <asm/apic.h>
#include <asm/irq_vectors.h>
#include <asm/trapnr.h>
#include <asm/fpu/xcr.h>
#include <asm/fpu/xstate.h>
#include <asm/msr.h>
#include <asm/vmx.h>

#include "trace.h"
#include "vmx/vmcs.h"
#include "vmx/internal.h"

#define EPT_QUAL_READ		BIT(0)
#define EPT_QUAL_WRITE		BIT(1)
#define EPT_QUAL_FETCH		BIT(2)
#define EPT_QUAL_GVA_VALID	BIT(7)

/* I/O instruction exit qualification (SDM Vol. 3 Table 28-5). */
#define IO_QUAL_SIZE(q)		(((q) & 7) + 1)
#define IO_QUAL_IN		BIT(3)
#define IO_QUAL_STRING		BIT(4)
#define IO_QUAL_REP		BIT(5)
#define IO_QUAL_PORT(q)		(((q) >> 16) & 0xffff)

/* What the rooms above registered (hvtb_vmx_register_*(), at load). */
static const struct hvtb_cpuid_ops *cpuid_ops __read_mostly;
const struct hvtb_msr_ops *hvtb_vmx_msr_ops __read_mostly;
hvtb_exit_fn hvtb_vmx_tsc_notify __read_mostly;
const struct hvtb_apic_ops *hvtb_vmx_apic __read_mostly;
static hvtb_exit_fn exit_hooks[EXIT_REASON_VMFUNC + 1] __read_mostly;

/**
 * hvtb_vmx_register_cpuid() - @ops sees the CPUID leaves of its ranges
 * (kmod/hypercall/: leaf 1's hypervisor bit, the 0x40000000 leaves).
 * @ops: the ranges and the handler (static: it is not copied)
 */
void hvtb_vmx_register_cpuid(const struct hvtb_cpuid_ops *ops)
{
	cpuid_ops = ops;
}

/* Does a room answer leaf @fn (hvtb_vmx_register_cpuid())? */
static bool cpuid_registered(struct hvtb_vp *vp, u32 fn,
			     struct hvtb_cpuid_entry *e)
{
	const struct hvtb_cpuid_ops *o = cpuid_ops;
	u32 i;

	for (i = 0; o && i < o->nr_ranges; i++)
		if (fn >= o->ranges[i].first && fn <= o->ranges[i].last)
			return o->fill(vp, fn, e);
	return false;
}

/**
 * hvtb_vmx_register_msrs() - @ops handles the MSRs @ops->first..last
 * (guest RDMSR/WRMSR and HVTB_VP_GET/SET_MSRS). One range.
 * @ops: the range and its handlers (static: it is not copied)
 */
void hvtb_vmx_register_msrs(const struct hvtb_msr_ops *ops)
{
	hvtb_vmx_msr_ops = ops;
}

/**
 * hvtb_vmx_register_exit() - @fn sees exit @reason before the backend's
 * handler; returning -ENOENT leaves the exit to the backend.
 * @reason: a basic exit reason (kmod/hypercall/ takes VMCALL)
 * @fn: the handler
 */
void hvtb_vmx_register_exit(u16 reason, hvtb_exit_fn fn)
{
	if (!WARN_ON_ONCE(reason >= ARRAY_SIZE(exit_hooks)))
		exit_hooks[reason] = fn;
}

/**
 * hvtb_vmx_register_tsc_notify() - @fn hears that a VP's TSC offset
 * changed (an IA32_TSC write); it returns 1 when that left work for
 * HVTB_REQ_HV_WORK (the reference TSC page), else 0.
 * @fn: the hook
 */
void hvtb_vmx_register_tsc_notify(hvtb_exit_fn fn)
{
	hvtb_vmx_tsc_notify = fn;
}

/**
 * hvtb_vmx_register_apic() - the in-kernel APIC's side of the backend.
 * @ops: its operations (static: not copied); before the first VP
 */
void hvtb_vmx_register_apic(const struct hvtb_apic_ops *ops)
{
	hvtb_vmx_apic = ops;
}

/**
 * hvtb_vmx_guest_cpl() - the guest's current privilege level (SS.DPL).
 * @vp: the VP, VMCS current
 * Return: 0..3.
 */
unsigned int hvtb_vmx_guest_cpl(struct hvtb_vp *vp)
{
	return (vmcs_read32(GUEST_SS_AR_BYTES) >> 5) & 3;
}

/**
 * hvtb_vmx_guest_64bit() - does the guest execute 64-bit code (protected
 * mode, EFER.LMA and CS.L)?
 * @vp: the VP, VMCS current
 * Return: true in 64-bit mode.
 */
bool hvtb_vmx_guest_64bit(struct hvtb_vp *vp)
{
	return (vmcs_readl(CR0_READ_SHADOW) & X86_CR0_PE) &&
	       (vmcs_read64(GUEST_IA32_EFER) & EFER_LMA) &&
	       (vmcs_read32(GUEST_CS_AR_BYTES) & BIT(13));
}

/**
 * hvtb_vmx_skip_instruction() - advance RIP past the exiting instruction
 * (its length as the exit reported it) and end STI/MOV-SS blocking.
 * @vp: the VP, VMCS current
 */
void hvtb_vmx_skip_instruction(struct hvtb_vp *vp)
{
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);

	vmcs_writel(GUEST_RIP, vmcs_readl(GUEST_RIP) + vp->exit_insn_len);
	/* Retiring an instruction ends STI / MOV SS blocking. */
	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO,
			     intr & ~(GUEST_INTR_STATE_STI |
				      GUEST_INTR_STATE_MOV_SS));
}

/**
 * hvtb_vmx_inject_exception() - deliver a hardware exception at the next entry.
 * @vp: the VP, VMCS current
 * @vector: the exception vector (0..31)
 * @has_error: whether it pushes @error_code
 * @error_code: its error code
 */
void hvtb_vmx_inject_exception(struct hvtb_vp *vp, u8 vector, bool has_error,
			  u32 error_code)
{
	u32 info = INTR_INFO_VALID_MASK | INTR_TYPE_HARD_EXCEPTION | vector;

	if (has_error) {
		info |= INTR_INFO_DELIVER_CODE_MASK;
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, error_code);
	}
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info);
}

static void vmx_inject_gp(struct hvtb_vp *vp)
{
	hvtb_vmx_inject_exception(vp, X86_TRAP_GP, true, 0);
}

static void vmx_inject_ud(struct hvtb_vp *vp)
{
	hvtb_vmx_inject_exception(vp, X86_TRAP_UD, false, 0);
}

static unsigned long *gpr(struct hvtb_vp *vp, unsigned int n)
{
	return &vp->gprs.regs[n & 15];
}

/* A general register as an instruction sees it; RSP is in the VMCS. */
static unsigned long gpr_read(struct hvtb_vp *vp, unsigned int n)
{
	return (n & 15) == GPR_RSP ? vmcs_readl(GUEST_RSP) : *gpr(vp, n);
}

static void gpr_write(struct hvtb_vp *vp, unsigned int n, unsigned long v)
{
	if ((n & 15) == GPR_RSP)
		vmcs_writel(GUEST_RSP, v);
	else
		*gpr(vp, n) = v;
}

/* Note the guest's paging mode for a walk after the VMCS is put. */
static void vmx_capture_paging(struct hvtb_vp *vp)
{
	unsigned long cr0 = vmcs_readl(CR0_READ_SHADOW);
	unsigned long cr4 = vmcs_readl(CR4_READ_SHADOW);

	vp->paging.cr3 = vmcs_readl(GUEST_CR3);
	vp->paging.pse = cr4 & X86_CR4_PSE;
	if (!(cr0 & X86_CR0_PG))
		vp->paging.mode = HVTB_PAGING_NONE;
	else if (vmcs_read64(GUEST_IA32_EFER) & EFER_LMA)
		vp->paging.mode = HVTB_PAGING_4LEVEL;
	else if (cr4 & X86_CR4_PAE)
		vp->paging.mode = HVTB_PAGING_PAE;
	else
		vp->paging.mode = HVTB_PAGING_32;
}

static int handle_exception_nmi(struct hvtb_vp *vp)
{
	u32 info = vmcs_read32(VM_EXIT_INTR_INFO);

	if ((info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR) {
		/* The host's NMI: hand it back to the host. */
		apic->send_IPI_self(NMI_VECTOR);
		return VMX_EXIT_CONTINUE;
	}
	/* hvtb intercepts no exception yet. */
	vp->run->internal = (struct hvtb_exit_internal) {
		.suberror = HVTB_INTERNAL_UNHANDLED_EXIT,
		.hw_exit_reason = vp->exit_reason,
		.data[0] = info,
	};
	return vmx_user_exit(vp, HVTB_EXIT_INTERNAL);
}

static int handle_external_interrupt(struct hvtb_vp *vp)
{
	/* Already taken by the host when the run loop enabled interrupts. */
	return VMX_EXIT_CONTINUE;
}

static int handle_triple_fault(struct hvtb_vp *vp)
{
	return vmx_user_exit(vp, HVTB_EXIT_SHUTDOWN);
}

static const struct hvtb_cpuid_entry *cpuid_find(const struct hvtb_cpuid_rcu *t,
						 u32 fn, u32 idx)
{
	u32 i;

	for (i = 0; t && i < t->nent; i++) {
		const struct hvtb_cpuid_entry *e = &t->entries[i];

		if (e->function == fn &&
		    (!(e->flags & HVTB_CPUID_INDEXED) || e->index == idx))
			return e;
	}
	return NULL;
}

/* User space's CPUID result to RAX..RDX (RIP is already past CPUID). */
static void complete_cpuid(struct hvtb_vp *vp)
{
	const struct hvtb_exit_cpuid *c = &vp->run->cpuid;
	unsigned long *g = vp->gprs.regs;

	g[GPR_RAX] = c->eax;
	g[GPR_RBX] = c->ebx;
	g[GPR_RCX] = c->ecx;
	g[GPR_RDX] = c->edx;
}

/*
 * CPUID bits that follow the VP's state, as on a CPU: CPUID.1:EDX.APIC is
 * clear while IA32_APIC_BASE.EN is; CPUID.1:ECX.OSXSAVE is CR4.OSXSAVE and
 * CPUID.7.0:ECX.OSPKE is CR4.PKE (each where the leaf offers XSAVE/PKU).
 */
static void cpuid_apply_state(struct hvtb_vp *vp, u32 fn, u32 idx,
			      struct hvtb_cpuid_entry *e)
{
	/* CR4 is read (a VMREAD) only for the two leaves that need it. */
	if (fn == 1) {
		if (!(vp->apic_base & MSR_IA32_APICBASE_ENABLE))
			e->edx &= ~BIT(9);
		e->ecx &= ~BIT(27);
		if ((e->ecx & BIT(26)) &&
		    (vmcs_readl(CR4_READ_SHADOW) & X86_CR4_OSXSAVE))
			e->ecx |= BIT(27);
	} else if (fn == 7 && idx == 0) {
		e->ecx &= ~BIT(4);
		if ((e->ecx & BIT(3)) && (vmcs_readl(CR4_READ_SHADOW) & X86_CR4_PKE))
			e->ecx |= BIT(4);
	}
}

static int handle_cpuid(struct hvtb_vp *vp)
{
	u32 fn = vp->gprs.regs[GPR_RAX], idx = vp->gprs.regs[GPR_RCX];
	const struct hvtb_cpuid_entry *e;
	struct hvtb_cpuid_entry found = { 0 };
	bool to_user = false;

	rcu_read_lock();
	e = cpuid_find(rcu_dereference(vp->part->cpuid), fn, idx);
	if (e) {
		found = *e;
		to_user = e->flags & HVTB_CPUID_EXIT;
	}
	rcu_read_unlock();
	/* A leaf a room above registered (the Hyper-V leaves). */
	if (cpuid_registered(vp, fn, &found))
		to_user = false;
	cpuid_apply_state(vp, fn, idx, &found);

	hvtb_vmx_skip_instruction(vp);
	if (to_user) {
		vp->run->cpuid = (struct hvtb_exit_cpuid) {
			.function = fn, .index = idx,
			.eax = found.eax, .ebx = found.ebx,
			.ecx = found.ecx, .edx = found.edx,
		};
		vp->complete_user = complete_cpuid;
		return vmx_user_exit(vp, HVTB_EXIT_CPUID);
	}
	vp->gprs.regs[GPR_RAX] = found.eax;
	vp->gprs.regs[GPR_RBX] = found.ebx;
	vp->gprs.regs[GPR_RCX] = found.ecx;
	vp->gprs.regs[GPR_RDX] = found.edx;
	return VMX_EXIT_CONTINUE;
}

/*
 * HLT. With an in-kernel APIC and RFLAGS.IF=1 it blocks in the kernel until
 * an interrupt or NMI is pending (HVTB_REQ_HALT, vp.c); with IF=0 (a CPU
 * would sleep until an NMI, INIT or SMI) or without an in-kernel APIC, user
 * space sees it.
 */
static int handle_hlt(struct hvtb_vp *vp)
{
	hvtb_vmx_skip_instruction(vp);
	if (vp->apic && (vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_IF)) {
		if (!hvtb_vmx_apic->has_interrupt(vp) && !hvtb_vmx_apic->nmi_pending(vp))
			hvtb_vp_request(vp, HVTB_REQ_HALT);
		return VMX_EXIT_CONTINUE;
	}
	return vmx_user_exit(vp, HVTB_EXIT_HLT);
}

/* The guest can take the interrupt that vmx.c holds back: inject it now. */
static int handle_interrupt_window(struct hvtb_vp *vp)
{
	vmcs_clear_bits32(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_INTR_WINDOW_EXITING);
	return VMX_EXIT_CONTINUE;
}

static int handle_nmi_window(struct hvtb_vp *vp)
{
	vmcs_clear_bits32(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_NMI_WINDOW_EXITING);
	return VMX_EXIT_CONTINUE;
}

/* User space's hypercall result to RAX. */
static void complete_hypercall(struct hvtb_vp *vp)
{
	vp->gprs.regs[GPR_RAX] = vp->run->hypercall.result;
}

/**
 * hvtb_vmx_hypercall_to_user() - hand the VMCALL to user space (HVTB_EXIT_HYPERCALL);
 * the next RUN puts run->hypercall.result in RAX.
 * @vp: the VP, RIP already past the VMCALL
 * Return: VMX_EXIT_USER.
 */
int hvtb_vmx_hypercall_to_user(struct hvtb_vp *vp)
{
	const unsigned long *g = vp->gprs.regs;

	vp->run->hypercall = (struct hvtb_exit_hypercall) {
		.rax = g[GPR_RAX], .rbx = g[GPR_RBX], .rcx = g[GPR_RCX],
		.rdx = g[GPR_RDX], .rsi = g[GPR_RSI], .rdi = g[GPR_RDI],
		.r8 = g[GPR_R8], .r9 = g[GPR_R9],
	};
	vp->complete_user = complete_hypercall;
	return vmx_user_exit(vp, HVTB_EXIT_HYPERCALL);
}

static int handle_vmcall(struct hvtb_vp *vp)
{
	unsigned long *g = vp->gprs.regs;

	hvtb_vmx_skip_instruction(vp);
	if ((g[GPR_RCX] & 0xffff) == HVTB_HC_NULL) {
		g[GPR_RAX] = 0;
		return VMX_EXIT_CONTINUE;
	}
	return hvtb_vmx_hypercall_to_user(vp);
}

/* VMX instructions, INVEPT, INVVPID, VMFUNC: not for guests (yet). */
static int handle_vmx_insn(struct hvtb_vp *vp)
{
	vmx_inject_ud(vp);
	return VMX_EXIT_CONTINUE;
}

/* MONITOR/MWAIT/RDPMC: the guest's CPUID does not offer them. */
static int handle_ud(struct hvtb_vp *vp)
{
	vmx_inject_ud(vp);
	return VMX_EXIT_CONTINUE;
}

static int handle_rdpmc(struct hvtb_vp *vp)
{
	vmx_inject_gp(vp);
	return VMX_EXIT_CONTINUE;
}

static int handle_skip(struct hvtb_vp *vp)
{
	hvtb_vmx_skip_instruction(vp);
	return VMX_EXIT_CONTINUE;
}

/*
 * PAUSE-loop exiting: the guest spins on a lock whose holder may not be
 * running. End the slice so hvtb's scheduler runs another VP first.
 */
static int handle_pause_loop(struct hvtb_vp *vp)
{
	hvtb_vp_request(vp, HVTB_REQ_YIELD);
	return VMX_EXIT_CONTINUE;
}

static int handle_cr_access(struct hvtb_vp *vp)
{
	unsigned long q = vp->exit_qual;
	unsigned int cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15;
	unsigned long val;
	int r = 0;

	switch (type) {
	case 0:	/* MOV to CR */
		val = gpr_read(vp, reg);
		if (cr == 0)
			r = hvtb_vmx_set_cr0(vp, val);
		else if (cr == 4)
			r = hvtb_vmx_set_cr4(vp, val);
		else if (cr == 3)
			vmcs_writel(GUEST_CR3, val);
		else if (cr == 8 && val <= 15 && vp->apic)
			hvtb_vmx_apic->set_tpr(vp, val << 4);
		else if (cr == 8 && val <= 15)
			vp->cr8 = val;
		else
			r = -EINVAL;
		break;
	case 1:	/* MOV from CR */
		if (cr == 3)
			gpr_write(vp, reg, vmcs_readl(GUEST_CR3));
		else if (cr == 8 && vp->apic)
			gpr_write(vp, reg, hvtb_vmx_apic->get_tpr(vp) >> 4);
		else if (cr == 8)
			gpr_write(vp, reg, vp->cr8);
		else
			r = -EINVAL;
		break;
	case 2:	/* CLTS */
		r = hvtb_vmx_set_cr0(vp, vmcs_readl(CR0_READ_SHADOW) & ~X86_CR0_TS);
		break;
	case 3:	/* LMSW: PE can be set, not cleared; MP/EM/TS follow */
		val = (q >> 16) & 0xf;
		val |= vmcs_readl(CR0_READ_SHADOW) & ~0xeUL;
		r = hvtb_vmx_set_cr0(vp, val);
		break;
	}
	if (r) {
		vmx_inject_gp(vp);
		return VMX_EXIT_CONTINUE;
	}
	hvtb_vmx_skip_instruction(vp);
	return VMX_EXIT_CONTINUE;
}

static int handle_dr_access(struct hvtb_vp *vp)
{
	unsigned long q = vp->exit_qual;
	unsigned int dr = q & 7, reg = (q >> 8) & 15;
	bool from = q & BIT(4);
	unsigned long *slot = dr < 4 ? &vp->dr[dr] : &vp->dr6;

	if (dr == 4 || dr == 5)
		dr += 2;	/* aliases of DR6/DR7 with CR4.DE clear */
	if (from) {
		gpr_write(vp, reg, dr == 7 ? vmcs_readl(GUEST_DR7) :
			  dr == 6 ? vp->dr6 : vp->dr[dr]);
	} else if (dr == 7) {
		vmcs_writel(GUEST_DR7, gpr_read(vp, reg) | 0x400);
	} else {
		if (dr == 6)
			slot = &vp->dr6;
		*slot = gpr_read(vp, reg);
	}
	hvtb_vmx_skip_instruction(vp);
	return VMX_EXIT_CONTINUE;
}

/* Capture what the slow path needs to copy string I/O data. */
static void io_capture_string(struct hvtb_vp *vp, unsigned long q, u8 size)
{
	struct hvtb_string_io *s = &vp->sio;
	u32 info = vmcs_read32(VMX_INSTRUCTION_INFO);
	unsigned int asz = 2 << ((info >> 7) & 7);	/* 2, 4, 8 */
	unsigned int seg = (info >> 15) & 7;
	u64 mask = asz == 8 ? ~0ULL : (1ULL << (asz * 8)) - 1;
	static const unsigned long seg_base[] = {
		GUEST_ES_BASE, GUEST_CS_BASE, GUEST_SS_BASE, GUEST_DS_BASE,
		GUEST_FS_BASE, GUEST_GS_BASE,
	};

	s->in = q & IO_QUAL_IN;
	s->rep = q & IO_QUAL_REP;
	s->size = size;
	s->addr_size = asz;
	s->down = vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_DF;
	/* INS always writes ES:rDI; OUTS reads seg:rSI. */
	if (s->in)
		seg = 0;
	s->seg_base = __vmcs_read(seg_base[seg < 6 ? seg : 3]);
	s->addr = vp->gprs.regs[s->in ? GPR_RDI : GPR_RSI] & mask;
	s->count = s->rep ? vp->gprs.regs[GPR_RCX] & mask : 1;
	s->count = min_t(u32, s->count, HVTB_RUN_DATA_SIZE / size);
}

/* An IN's value from user space to AL/AX/EAX. */
static void complete_io_in(struct hvtb_vp *vp)
{
	unsigned long *g = vp->gprs.regs;
	u8 size = vp->io_in_size;	/* the IN's, not the run page's */

	if (size == 4)
		g[GPR_RAX] = (u32)vp->run->io.value;	/* zero-extends */
	else
		g[GPR_RAX] = (g[GPR_RAX] & ~((1UL << (size * 8)) - 1)) |
			     (vp->run->io.value & ((1UL << (size * 8)) - 1));
}

static void complete_string_io(struct hvtb_vp *vp);

static int handle_io(struct hvtb_vp *vp)
{
	unsigned long q = vp->exit_qual;
	struct hvtb_exit_io *io = &vp->run->io;
	u8 size = IO_QUAL_SIZE(q);

	memset(io, 0, sizeof(*io));
	io->port = IO_QUAL_PORT(q);
	io->size = size;
	io->direction = (q & IO_QUAL_IN) ? HVTB_IO_IN : HVTB_IO_OUT;
	io->string = !!(q & IO_QUAL_STRING);
	io->rep = !!(q & IO_QUAL_REP);
	io->count = 1;

	if (io->string) {
		io_capture_string(vp, q, size);
		vmx_capture_paging(vp);
		if (!vp->sio.count) {	/* REP with RCX 0: a no-op */
			hvtb_vmx_skip_instruction(vp);
			return VMX_EXIT_CONTINUE;
		}
		io->count = vp->sio.count;
		io->data_offset = offsetof(struct hvtb_run, data);
		/*
		 * RIP stays until the copy is done: vp.c copies OUTS data
		 * before the return to user space, INS data before the
		 * next entry; complete_string_io() then steps the registers.
		 */
		hvtb_vp_request(vp, io->direction == HVTB_IO_IN ?
				HVTB_REQ_SIO_IN : HVTB_REQ_SIO_OUT);
		vp->complete_user = complete_string_io;
		return vmx_user_exit(vp, HVTB_EXIT_IO);
	}

	hvtb_vmx_skip_instruction(vp);
	if (io->direction == HVTB_IO_OUT) {
		io->value = vp->gprs.regs[GPR_RAX] &
			    (size == 4 ? 0xffffffffUL : (1UL << (size * 8)) - 1);
	} else {
		vp->complete_user = complete_io_in;
		vp->io_in_size = size;	/* the instruction's, not the run page's */
	}
	return vmx_user_exit(vp, HVTB_EXIT_IO);
}

/* MSRs of the intercept list go to user space. */
static bool msr_intercepted(struct hvtb_vp *vp, u32 index)
{
	const struct hvtb_msr_list_rcu *l;
	bool hit = false;
	u32 i;

	rcu_read_lock();
	l = rcu_dereference(vp->part->msr_intercepts);
	for (i = 0; l && i < l->nmsrs; i++)
		if (l->msrs[i] == index)
			hit = true;
	rcu_read_unlock();
	return hit;
}

/* User space's RDMSR answer: EDX:EAX, or #GP. */
static void complete_msr_read(struct hvtb_vp *vp)
{
	const struct hvtb_exit_msr *m = &vp->run->msr;

	if (m->error) {
		vmx_inject_gp(vp);
		return;
	}
	vp->gprs.regs[GPR_RAX] = (u32)m->data;
	vp->gprs.regs[GPR_RDX] = m->data >> 32;
	hvtb_vmx_skip_instruction(vp);
}

/* User space's WRMSR answer: done, or #GP. */
static void complete_msr_write(struct hvtb_vp *vp)
{
	if (vp->run->msr.error)
		vmx_inject_gp(vp);
	else
		hvtb_vmx_skip_instruction(vp);
}

static int handle_msr_read(struct hvtb_vp *vp)
{
	u32 index = vp->gprs.regs[GPR_RCX];
	u64 data;

	if (msr_intercepted(vp, index)) {
		vp->run->msr = (struct hvtb_exit_msr) { .index = index };
		vp->complete_user = complete_msr_read;
		return vmx_user_exit(vp, HVTB_EXIT_MSR_READ);
	}
	if (hvtb_vmx_msr_read(vp, index, &data)) {
		vmx_inject_gp(vp);
		return VMX_EXIT_CONTINUE;
	}
	vp->gprs.regs[GPR_RAX] = (u32)data;
	vp->gprs.regs[GPR_RDX] = data >> 32;
	hvtb_vmx_skip_instruction(vp);
	return VMX_EXIT_CONTINUE;
}

static int handle_msr_write(struct hvtb_vp *vp)
{
	u32 index = vp->gprs.regs[GPR_RCX];
	u64 data = (u32)vp->gprs.regs[GPR_RAX] |
		   ((u64)(u32)vp->gprs.regs[GPR_RDX] << 32);
	int r;

	if (msr_intercepted(vp, index)) {
		vp->run->msr = (struct hvtb_exit_msr) {
			.index = index, .data = data,
		};
		vp->complete_user = complete_msr_write;
		return vmx_user_exit(vp, HVTB_EXIT_MSR_WRITE);
	}
	r = hvtb_vmx_msr_write(vp, index, data);
	if (r < 0) {
		vmx_inject_gp(vp);
		return VMX_EXIT_CONTINUE;
	}
	hvtb_vmx_skip_instruction(vp);
	/* 1: done, guest memory still to write (a synthetic MSR's page) */
	if (r > 0)
		hvtb_vp_request(vp, HVTB_REQ_HV_WORK);
	return VMX_EXIT_CONTINUE;
}

static int handle_entry_failure(struct hvtb_vp *vp)
{
	hvtb_vmx_dump_vmcs(vp);
	vp->run->fail_entry = (struct hvtb_exit_fail_entry) {
		.hw_exit_reason = vmcs_read32(VM_EXIT_REASON),
		.qualification = vp->exit_qual,
	};
	return vmx_user_exit(vp, HVTB_EXIT_FAIL_ENTRY);
}

/* The code size at RIP (CS.L, CS.D), for the MOV decoder. */
static u8 vmx_code_mode(void)
{
	u32 ar = vmcs_read32(GUEST_CS_AR_BYTES);

	if (ar & BIT(13))
		return X86_MODE_64;
	return ar & BIT(14) ? X86_MODE_32 : X86_MODE_16;
}

/* An xAPIC access to emulate in the kernel (apic.c decodes the MOV). */
static int vmx_apic_mmio_exit(struct hvtb_vp *vp, u64 gpa)
{
	vp->apic_mmio_gpa = gpa;
	vp->mmio_mode = vmx_code_mode();
	vmx_capture_paging(vp);
	vp->mmio_rip_linear = vmcs_readl(GUEST_CS_BASE) + vmcs_readl(GUEST_RIP);
	hvtb_vp_request(vp, HVTB_REQ_APIC_MMIO);
	return VMX_EXIT_CONTINUE;
}

static int handle_ept_violation(struct hvtb_vp *vp)
{
	unsigned long q = vp->exit_qual;
	struct hvtb_exit_mmio *m = &vp->run->mmio;
	u64 gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);

	/* The xAPIC page without APIC-access virtualization. */
	if (hvtb_vmx_apic->mmio_hit(vp, gpa) && !(q & EPT_QUAL_FETCH))
		return vmx_apic_mmio_exit(vp, gpa);
	memset(m, 0, sizeof(*m));
	m->gpa = gpa;
	if (q & EPT_QUAL_READ)
		m->access |= HVTB_ACCESS_READ;
	if (q & EPT_QUAL_WRITE)
		m->access |= HVTB_ACCESS_WRITE;
	if (q & EPT_QUAL_FETCH)
		m->access |= HVTB_ACCESS_EXEC;
	if (q & EPT_QUAL_GVA_VALID) {
		m->flags |= HVTB_MMIO_GVA_VALID;
		m->gva = vmcs_readl(GUEST_LINEAR_ADDRESS);
	}
	/* Whether the GPA is in a range is decided in vp.c (it may sleep). */
	hvtb_vp_request(vp, HVTB_REQ_MMIO_INSN);
	vp->mmio_mode = vmx_code_mode();
	vmx_capture_paging(vp);
	vp->mmio_rip_linear = vmcs_readl(GUEST_CS_BASE) + vmcs_readl(GUEST_RIP);
	return vmx_user_exit(vp, HVTB_EXIT_MMIO);
}

/*
 * APIC-access exit (kmod/vmx/apicv.c): an access to the APIC-access page
 * the CPU did not virtualize (the timer's current count, a read-only or
 * reserved register, or any access while virtual-interrupt delivery is
 * off), emulated like the xAPIC page's EPT violations. Only reads and
 * writes of an instruction are: a fetch or an access during event
 * delivery is an internal error for user space.
 */
static int handle_apic_access(struct hvtb_vp *vp)
{
	u32 type = (vp->exit_qual >> 12) & 0xf;

	if (vp->apic && type <= 1)	/* linear read or write */
		return vmx_apic_mmio_exit(vp, APIC_DEFAULT_PHYS_BASE |
					  (vp->exit_qual & 0xfff));
	vp->run->internal = (struct hvtb_exit_internal) {
		.suberror = HVTB_INTERNAL_EMULATION,
		.hw_exit_reason = vp->exit_reason,
		.qualification = vp->exit_qual,
	};
	return vmx_user_exit(vp, HVTB_EXIT_INTERNAL);
}

/* APIC-write exit (trap-like): the written value is already in the page. */
static int handle_apic_write(struct hvtb_vp *vp)
{
	if (WARN_ON_ONCE(!vp->apic))	/* only with APIC virtualization */
		return VMX_EXIT_CONTINUE;
	hvtb_vmx_apic->write_trap(vp, vp->exit_qual & 0xfff);
	return VMX_EXIT_CONTINUE;
}

/* EOI-induced exit (trap-like): the CPU ended the vector; run the hook. */
static int handle_eoi_induced(struct hvtb_vp *vp)
{
	if (WARN_ON_ONCE(!vp->apic))
		return VMX_EXIT_CONTINUE;
	hvtb_vmx_apic->eoi_induced(vp, vp->exit_qual & 0xff);
	return VMX_EXIT_CONTINUE;
}

static int handle_ept_misconfig(struct hvtb_vp *vp)
{
	vp->run->internal = (struct hvtb_exit_internal) {
		.suberror = HVTB_INTERNAL_UNHANDLED_EXIT,
		.hw_exit_reason = vp->exit_reason,
		.data[0] = vmcs_read64(GUEST_PHYSICAL_ADDRESS),
	};
	pr_warn_ratelimited("EPT misconfiguration at GPA 0x%llx (VP %u)\n",
			    vmcs_read64(GUEST_PHYSICAL_ADDRESS), vp->index);
	return vmx_user_exit(vp, HVTB_EXIT_INTERNAL);
}

static int handle_xsetbv(struct hvtb_vp *vp)
{
	u64 val = (u32)vp->gprs.regs[GPR_RAX] |
		  ((u64)(u32)vp->gprs.regs[GPR_RDX] << 32);
	u64 host;

	host = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	/* XCR0 only; x87 always; AVX needs SSE; nothing the host lacks. */
	if ((u32)vp->gprs.regs[GPR_RCX] != 0 || !(val & XFEATURE_MASK_FP) ||
	    (val & ~host) ||
	    ((val & XFEATURE_MASK_YMM) && !(val & XFEATURE_MASK_SSE))) {
		vmx_inject_gp(vp);
		return VMX_EXIT_CONTINUE;
	}
	vp->xcr0 = val;
	hvtb_vmx_skip_instruction(vp);
	return VMX_EXIT_CONTINUE;
}

static int handle_preemption_timer(struct hvtb_vp *vp)
{
	return VMX_EXIT_CONTINUE;
}

typedef int (*exit_handler_t)(struct hvtb_vp *vp);

/* The one exit table. Reasons not listed are an internal error. */
static const exit_handler_t exit_handlers[] = {
	[EXIT_REASON_EXCEPTION_NMI]		= handle_exception_nmi,
	[EXIT_REASON_EXTERNAL_INTERRUPT]	= handle_external_interrupt,
	[EXIT_REASON_TRIPLE_FAULT]		= handle_triple_fault,
	[EXIT_REASON_INTERRUPT_WINDOW]		= handle_interrupt_window,
	[EXIT_REASON_NMI_WINDOW]		= handle_nmi_window,
	[EXIT_REASON_CPUID]			= handle_cpuid,
	[EXIT_REASON_HLT]			= handle_hlt,
	[EXIT_REASON_INVD]			= handle_skip,
	[EXIT_REASON_INVLPG]			= handle_skip,
	[EXIT_REASON_RDPMC]			= handle_rdpmc,
	[EXIT_REASON_VMCALL]			= handle_vmcall,
	[EXIT_REASON_VMCLEAR]			= handle_vmx_insn,
	[EXIT_REASON_VMLAUNCH]			= handle_vmx_insn,
	[EXIT_REASON_VMPTRLD]			= handle_vmx_insn,
	[EXIT_REASON_VMPTRST]			= handle_vmx_insn,
	[EXIT_REASON_VMREAD]			= handle_vmx_insn,
	[EXIT_REASON_VMRESUME]			= handle_vmx_insn,
	[EXIT_REASON_VMWRITE]			= handle_vmx_insn,
	[EXIT_REASON_VMOFF]			= handle_vmx_insn,
	[EXIT_REASON_VMON]			= handle_vmx_insn,
	[EXIT_REASON_CR_ACCESS]			= handle_cr_access,
	[EXIT_REASON_DR_ACCESS]			= handle_dr_access,
	[EXIT_REASON_IO_INSTRUCTION]		= handle_io,
	[EXIT_REASON_MSR_READ]			= handle_msr_read,
	[EXIT_REASON_MSR_WRITE]			= handle_msr_write,
	[EXIT_REASON_INVALID_STATE]		= handle_entry_failure,
	[EXIT_REASON_MSR_LOAD_FAIL]		= handle_entry_failure,
	[EXIT_REASON_MWAIT_INSTRUCTION]		= handle_ud,
	[EXIT_REASON_MONITOR_INSTRUCTION]	= handle_ud,
	[EXIT_REASON_MCE_DURING_VMENTRY]	= handle_entry_failure,
	[EXIT_REASON_APIC_ACCESS]		= handle_apic_access,
	[EXIT_REASON_EOI_INDUCED]		= handle_eoi_induced,
	[EXIT_REASON_APIC_WRITE]		= handle_apic_write,
	[EXIT_REASON_EPT_VIOLATION]		= handle_ept_violation,
	[EXIT_REASON_EPT_MISCONFIG]		= handle_ept_misconfig,
	[EXIT_REASON_INVEPT]			= handle_vmx_insn,
	[EXIT_REASON_PREEMPTION_TIMER]		= handle_preemption_timer,
	[EXIT_REASON_INVVPID]			= handle_vmx_insn,
	[EXIT_REASON_WBINVD]			= handle_skip,
	[EXIT_REASON_XSETBV]			= handle_xsetbv,
	[EXIT_REASON_PAUSE_INSTRUCTION]		= handle_pause_loop,
	[EXIT_REASON_VMFUNC]			= handle_vmx_insn,
};

/**
 * hvtb_vmx_handle_exit() - dispatch the VM exit that just happened.
 * @vp: the virtual processor
 * A hook a room registered for the reason goes first
 * (hvtb_vmx_register_exit()).
 *
 * Return: VMX_EXIT_CONTINUE (enter again, after the requests the handler
 * made), VMX_EXIT_USER (run->exit_reason is set).
 */
int hvtb_vmx_handle_exit(struct hvtb_vp *vp)
{
	u32 full = vmcs_read32(VM_EXIT_REASON);
	u16 basic = full & 0xffff;

	vp->exit_reason = full;
	vp->exit_qual = vmcs_readl(EXIT_QUALIFICATION);
	vp->exit_insn_len = vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
	trace_hvtb_exit(vp->part->id, vp->index, full, vp->exit_qual,
			vmcs_readl(GUEST_RIP));
	if (basic < ARRAY_SIZE(vp->stats.by_reason))
		vp->stats.by_reason[basic]++;

	if (full & VMX_EXIT_REASONS_FAILED_VMENTRY)
		return handle_entry_failure(vp);
	if (basic < ARRAY_SIZE(exit_hooks) && exit_hooks[basic]) {
		int r = exit_hooks[basic](vp);

		if (r != -ENOENT)
			return r;
	}
	if (basic < ARRAY_SIZE(exit_handlers) && exit_handlers[basic])
		return exit_handlers[basic](vp);

	vp->run->internal = (struct hvtb_exit_internal) {
		.suberror = HVTB_INTERNAL_UNHANDLED_EXIT,
		.hw_exit_reason = full,
		.qualification = vp->exit_qual,
	};
	return vmx_user_exit(vp, HVTB_EXIT_INTERNAL);
}

/* Write @v to a register as an instruction with this address size would. */
static void gpr_write_asize(struct hvtb_vp *vp, unsigned int n, u64 v,
			    unsigned int asz)
{
	unsigned long *r = gpr(vp, n);

	if (asz == 8)
		*r = v;
	else if (asz == 4)
		*r = (u32)v;
	else
		*r = (*r & ~0xffffUL) | (v & 0xffff);
}

/* Step RSI/RDI and RCX past the elements user space handled. */
static void complete_string_io(struct hvtb_vp *vp)
{
	const struct hvtb_string_io *s = &vp->sio;
	u64 delta = (u64)s->count * s->size;
	u64 addr = s->down ? s->addr - delta : s->addr + delta;
	u64 mask = s->addr_size == 8 ? ~0ULL : (1ULL << (s->addr_size * 8)) - 1;
	u64 rcx;

	gpr_write_asize(vp, s->in ? GPR_RDI : GPR_RSI, addr, s->addr_size);
	if (s->rep) {
		rcx = (vp->gprs.regs[GPR_RCX] & mask) - s->count;
		gpr_write_asize(vp, GPR_RCX, rcx, s->addr_size);
		if (rcx & mask)
			return;	/* more to do: the instruction runs again */
	}
	hvtb_vmx_skip_instruction(vp);
}

/* The xAPIC access emulated in vp.c's run path: step past its MOV. */
static void complete_skip(struct hvtb_vp *vp)
{
	hvtb_vmx_skip_instruction(vp);
}

/**
 * hvtb_vmx_complete_mmio() - the completion (vp->complete_user) of a
 * decoded MMIO exit: a load's value into its register, RIP past the MOV.
 * VMCS current.
 * @vp: the VP whose vp->mmio_mov the core decoded
 */
void hvtb_vmx_complete_mmio(struct hvtb_vp *vp)
{
	const struct x86_mov *m = &vp->mmio_mov;
	unsigned long *r = &vp->gprs.regs[m->reg];

	if (!(m->flags & X86_MOV_WRITE))
		*r = x86_mov_load(m, *r, vp->run->mmio.data);
	vp->exit_insn_len = m->len;
	hvtb_vmx_skip_instruction(vp);
}

/**
 * hvtb_vmx_skip_at_entry() - step RIP past the exiting instruction at the
 * next entry, for an intercept emulated where the VMCS is not current.
 * @vp: the VP
 * @len: the instruction's length, as decoded
 */
void hvtb_vmx_skip_at_entry(struct hvtb_vp *vp, u8 len)
{
	vp->exit_insn_len = len;
	vp->complete_user = complete_skip;
}
