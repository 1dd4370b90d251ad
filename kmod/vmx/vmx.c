// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb - a VP's VMCS: setup, host state, the run loop, register access.
 *
 * A VP's VMCS is current on a CPU only while that CPU runs the VP (or reads
 * its state): vmx_vp_load() makes it current with preemption disabled and
 * vmx_vp_put() clears it again before preemption is enabled, so a VP never
 * needs a cross-CPU VMCLEAR. Guest state that the VMCS does not hold (GPRs,
 * CR2, XCR0, the SYSCALL MSRs, KERNEL_GS_BASE) is swapped with the host's
 * around each entry with interrupts disabled. After a VM exit the CPU has
 * loaded only the VMCS host area: the exit path restores DS/ES/FS, the
 * GDTR/IDTR limits and the TSS limit itself.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/gfp.h>
#include <linux/idr.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/preempt.h>
#include <linux/sched/signal.h>
#include <linux/sched.h>
#include <asm/apicdef.h>
#include <asm/desc.h>
#include <asm/irq_vectors.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/fpu/xstate.h>
#include <asm/io.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/segment.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/tsc.h>
#include <asm/vmx.h>

#include "ept/ept.h"
#include "vmx/insn.h"
#include "vmx/vmcs.h"
#include "vmx/internal.h"

/* Guest reset state (SDM Vol. 3 Table 10-1). */
#define RESET_CR0		(X86_CR0_ET | X86_CR0_CD | X86_CR0_NW)
#define RESET_RFLAGS		X86_EFLAGS_FIXED
#define RESET_PAT		0x0007040600070406ULL
#define AR_CODE16		0x9b	/* present, code, read, accessed */
#define AR_DATA16		0x93	/* present, data, write, accessed */
#define AR_TSS_BUSY		0x8b
#define AR_LDT			0x82

/* Bits hvtb lets a guest have in CR0 and CR4; a write outside #GPs. */
#define GUEST_CR0_BITS	(X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS | \
			 X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_AM | \
			 X86_CR0_NW | X86_CR0_CD | X86_CR0_PG)
#define GUEST_CR4_BITS	(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE | \
			 X86_CR4_PSE | X86_CR4_PAE | X86_CR4_MCE | X86_CR4_PGE | \
			 X86_CR4_PCE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT | \
			 X86_CR4_UMIP | X86_CR4_FSGSBASE | X86_CR4_PCIDE | \
			 X86_CR4_OSXSAVE | X86_CR4_SMEP | X86_CR4_SMAP)

static DEFINE_IDA(vmx_vpids);
static u32 vmx_pin, vmx_proc, vmx_proc2, vmx_exit_ctl, vmx_entry_ctl;
static u64 host_xcr0;

/*
 * The longest a VP stays in VMX non-root operation without an exit. The
 * run loop looks at signals and need_resched() only after an exit, so this
 * bounds how long a guest that never exits can keep a host CPU even where
 * an external interrupt does not cause an exit promptly (Bochs does not
 * re-evaluate interrupt exiting at VM entry for a guest with RFLAGS.IF=0).
 */
static unsigned int guest_run_max_us = 1000;
module_param(guest_run_max_us, uint, 0644);
MODULE_PARM_DESC(guest_run_max_us, "longest guest run without a VM exit, in microseconds (10..100000, default 1000)");

/*
 * The VMX-preemption-timer value for the next entry (TSC >> rate): the
 * bound of guest_run_max_us, or less when the scheduler's slice ends sooner (@deadline_tsc,
 * a TSC value; 0 for none). TSC arithmetic only: this runs before every
 * entry, and reading a clock source can cost as much as an exit.
 */
static u32 vmx_quantum_ticks(u64 deadline_tsc)
{
	u64 ticks = (u64)clamp_t(unsigned int, READ_ONCE(guest_run_max_us), 10, 100000) *
		    tsc_khz / USEC_PER_MSEC;
	u64 now;

	if (deadline_tsc) {
		now = rdtsc();
		ticks = min(ticks, deadline_tsc > now ? deadline_tsc - now : 0);
	}
	return clamp_t(u64, ticks >> hvtb_caps.timer_shift, 1, U32_MAX);
}

static const u32 swapped_msr_index[HVTB_NR_SWAPPED_MSRS] = {
	[HVTB_MSR_STAR] = MSR_STAR,
	[HVTB_MSR_LSTAR] = MSR_LSTAR,
	[HVTB_MSR_CSTAR] = MSR_CSTAR,
	[HVTB_MSR_SFMASK] = MSR_SYSCALL_MASK,
	[HVTB_MSR_KERNEL_GS_BASE] = MSR_KERNEL_GS_BASE,
	[HVTB_MSR_TSC_AUX] = MSR_TSC_AUX,
};

void hvtb_vmcs_error(unsigned long field, bool write, unsigned long value)
{
	unsigned long err = 0;

	asm volatile("vmread %1, %0" : "=rm" (err)
		     : "r" ((unsigned long)VM_INSTRUCTION_ERROR) : "cc");
	pr_err_ratelimited("VM%s of VMCS field 0x%lx (value 0x%lx) failed: VM-instruction error %lu\n",
			   write ? "WRITE" : "READ", field, value, err);
}

/*
 * Adjust wanted controls to what the CPU allows: bits that must be 1 are
 * set, bits that may not be 1 are dropped. Returns -EIO if @required did
 * not survive.
 */
static int vmx_adjust_ctl(u64 msr, u32 want, u32 required, u32 *out)
{
	u32 ctl = (want | (u32)msr) & (u32)(msr >> 32);

	if ((ctl & required) != required)
		return -EIO;
	*out = ctl;
	return 0;
}

/**
 * hvtb_vmx_controls_init() - choose the VMCS controls every VP uses,
 * once at load, after the probe.
 *
 * Return: 0, or -EIO if the CPU cannot give a control hvtb relies on.
 */
int hvtb_vmx_controls_init(void)
{
	const struct hvtb_vmx_caps *c = &hvtb_caps;
	u32 pin_req = PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING |
		      PIN_BASED_VMX_PREEMPTION_TIMER;
	u32 proc_req = CPU_BASED_HLT_EXITING | CPU_BASED_UNCOND_IO_EXITING |
		       CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING |
		       CPU_BASED_MOV_DR_EXITING | CPU_BASED_MWAIT_EXITING |
		       CPU_BASED_MONITOR_EXITING | CPU_BASED_RDPMC_EXITING |
		       CPU_BASED_USE_TSC_OFFSETTING |
		       CPU_BASED_ACTIVATE_SECONDARY_CONTROLS;
	u32 proc2_req = SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VPID |
			SECONDARY_EXEC_UNRESTRICTED_GUEST;
	u32 exit_req = VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_LOAD_IA32_EFER |
		       VM_EXIT_SAVE_IA32_EFER | VM_EXIT_LOAD_IA32_PAT |
		       VM_EXIT_SAVE_IA32_PAT;
	u32 entry_req = VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_LOAD_IA32_PAT;
	int r = 0;

	r |= vmx_adjust_ctl(c->pinbased, pin_req | PIN_BASED_VIRTUAL_NMIS,
			    pin_req, &vmx_pin);
	/*
	 * CR3 and INVLPG exits are not needed with EPT: they stay only where
	 * the CPU forces them (no true controls), and exit.c handles them.
	 */
	r |= vmx_adjust_ctl(c->procbased, proc_req, proc_req, &vmx_proc);
	r |= vmx_adjust_ctl(c->procbased2, proc2_req |
			    SECONDARY_EXEC_ENABLE_RDTSCP |
			    SECONDARY_EXEC_ENABLE_INVPCID |
			    SECONDARY_EXEC_PAUSE_LOOP_EXITING, proc2_req, &vmx_proc2);
	r |= vmx_adjust_ctl(c->exit, exit_req, exit_req, &vmx_exit_ctl);
	r |= vmx_adjust_ctl(c->entry, entry_req, entry_req, &vmx_entry_ctl);
	if (r) {
		pr_err("this CPU cannot give the VMCS controls hvtb needs (pin 0x%llx proc 0x%llx exit 0x%llx entry 0x%llx)\n",
		       c->pinbased, c->procbased, c->exit, c->entry);
		return -EIO;
	}
	host_xcr0 = boot_cpu_has(X86_FEATURE_XSAVE) ? xgetbv(XCR_XFEATURE_ENABLED_MASK) : 0;
	return 0;
}

static void vmcs_clear(struct page *vmcs)
{
	u64 pa = page_to_phys(vmcs);

	asm volatile("vmclear %0" : : "m" (pa) : "cc", "memory");
}

static int vmcs_load(struct page *vmcs)
{
	u64 pa = page_to_phys(vmcs);
	bool fail;

	asm volatile("vmptrld %1" : "=@ccbe" (fail) : "m" (pa) : "memory");
	return fail ? -EIO : 0;
}

/* The base of this CPU's TSS, read from its TSS descriptor in the GDT. */
static unsigned long vmx_host_tr_base(const struct desc_ptr *gdt)
{
	const struct ldttss_desc *d;
	u16 tr;

	asm volatile("str %0" : "=r" (tr));
	d = (const struct ldttss_desc *)(gdt->address + (tr & ~7));
	return d->base0 | ((unsigned long)d->base1 << 16) |
	       ((unsigned long)d->base2 << 24) | ((unsigned long)d->base3 << 32);
}

/* Host fields that differ per CPU or per task: written at each load. */
static void vmx_write_host_percpu(void)
{
	struct desc_ptr gdt, idt;
	u64 v;

	native_store_gdt(&gdt);
	store_idt(&idt);
	vmcs_writel(HOST_GDTR_BASE, gdt.address);
	vmcs_writel(HOST_IDTR_BASE, idt.address);
	vmcs_writel(HOST_TR_BASE, vmx_host_tr_base(&gdt));
	rdmsrl(MSR_FS_BASE, v);
	vmcs_writel(HOST_FS_BASE, v);
	rdmsrl(MSR_GS_BASE, v);
	vmcs_writel(HOST_GS_BASE, v);
	rdmsrl(MSR_IA32_SYSENTER_ESP, v);
	vmcs_writel(HOST_IA32_SYSENTER_ESP, v);
	vmcs_writel(HOST_CR3, __read_cr3());
	vmcs_writel(HOST_CR4, cr4_read_shadow());
}

/* Make the VP's VMCS current on this CPU. Preemption disabled. */
static int vmx_vp_load(struct hvtb_vp *vp)
{
	int r;

	if (vp->vmcs_cpu == smp_processor_id())
		return 0;
	r = vmcs_load(vp->vmcs);
	if (r)
		return r;
	vp->vmcs_cpu = smp_processor_id();
	vmx_write_host_percpu();
	return 0;
}

/* Clear the VMCS from this CPU (its state goes to memory). */
static void vmx_vp_put(struct hvtb_vp *vp)
{
	if (vp->vmcs_cpu < 0)
		return;
	vmcs_clear(vp->vmcs);
	vp->vmcs_cpu = -1;
	vp->launched = false;
}

enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR };

/* The four VMCS fields of each guest segment register. */
static const struct vmx_seg_fields {
	u16 sel, base, limit, ar;
} vmx_segs[] = {
	[SEG_ES] = { GUEST_ES_SELECTOR, GUEST_ES_BASE, GUEST_ES_LIMIT, GUEST_ES_AR_BYTES },
	[SEG_CS] = { GUEST_CS_SELECTOR, GUEST_CS_BASE, GUEST_CS_LIMIT, GUEST_CS_AR_BYTES },
	[SEG_SS] = { GUEST_SS_SELECTOR, GUEST_SS_BASE, GUEST_SS_LIMIT, GUEST_SS_AR_BYTES },
	[SEG_DS] = { GUEST_DS_SELECTOR, GUEST_DS_BASE, GUEST_DS_LIMIT, GUEST_DS_AR_BYTES },
	[SEG_FS] = { GUEST_FS_SELECTOR, GUEST_FS_BASE, GUEST_FS_LIMIT, GUEST_FS_AR_BYTES },
	[SEG_GS] = { GUEST_GS_SELECTOR, GUEST_GS_BASE, GUEST_GS_LIMIT, GUEST_GS_AR_BYTES },
	[SEG_LDTR] = { GUEST_LDTR_SELECTOR, GUEST_LDTR_BASE, GUEST_LDTR_LIMIT,
		       GUEST_LDTR_AR_BYTES },
	[SEG_TR] = { GUEST_TR_SELECTOR, GUEST_TR_BASE, GUEST_TR_LIMIT, GUEST_TR_AR_BYTES },
};

static void vmx_write_seg(int seg, u16 sel, u64 base, u32 limit, u32 ar)
{
	const struct vmx_seg_fields *f = &vmx_segs[seg];

	__vmcs_write(f->sel, sel);
	__vmcs_write(f->base, base);
	__vmcs_write(f->limit, limit);
	__vmcs_write(f->ar, ar);
}

static void vmx_setup_controls(struct hvtb_vp *vp)
{
	vmcs_write32(PIN_BASED_VM_EXEC_CONTROL, vmx_pin);
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, vmx_proc);
	vmcs_write32(SECONDARY_VM_EXEC_CONTROL, vmx_proc2);
	if (vmx_proc2 & SECONDARY_EXEC_PAUSE_LOOP_EXITING) {
		/* A PAUSE loop of ~4K TSC ticks is a spinning lock holder's waiter. */
		vmcs_write32(PLE_GAP, 128);
		vmcs_write32(PLE_WINDOW, 4096);
	}
	vmcs_write32(VM_EXIT_CONTROLS, vmx_exit_ctl);
	vmcs_write32(VM_ENTRY_CONTROLS, vmx_entry_ctl);
	vmcs_write32(EXCEPTION_BITMAP, 0);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write32(CR3_TARGET_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmcs_write64(EPT_POINTER, vp->part->eptp);
	vmcs_write16(VIRTUAL_PROCESSOR_ID, vp->vpid);
	vmcs_write64(VMCS_LINK_POINTER, ~0ULL);
	vmcs_write64(TSC_OFFSET, vp->tsc_offset);
	/* Every CR0/CR4 bit is owned by hvtb: guest writes exit. */
	vmcs_writel(CR0_GUEST_HOST_MASK, ~0UL);
	vmcs_writel(CR4_GUEST_HOST_MASK, ~0UL);
}

static void vmx_setup_host(void)
{
	u64 v;

	vmcs_writel(HOST_CR0, read_cr0());
	vmcs_write16(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write16(HOST_SS_SELECTOR, __KERNEL_DS);
	vmcs_write16(HOST_DS_SELECTOR, 0);
	vmcs_write16(HOST_ES_SELECTOR, 0);
	vmcs_write16(HOST_FS_SELECTOR, 0);
	vmcs_write16(HOST_GS_SELECTOR, 0);
	vmcs_write16(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	vmcs_writel(HOST_RIP, (unsigned long)hvtb_vmx_vmexit);
	rdmsrl(MSR_IA32_SYSENTER_CS, v);
	vmcs_write32(HOST_IA32_SYSENTER_CS, v);
	rdmsrl(MSR_IA32_SYSENTER_EIP, v);
	vmcs_writel(HOST_IA32_SYSENTER_EIP, v);
	rdmsrl(MSR_EFER, v);
	vmcs_write64(HOST_IA32_EFER, v);
	rdmsrl(MSR_IA32_CR_PAT, v);
	vmcs_write64(HOST_IA32_PAT, v);
}

/* The state of a CPU after INIT, in real mode at f000:fff0. */
static void vmx_setup_guest_reset(struct hvtb_vp *vp)
{
	vmx_write_seg(SEG_CS, 0xf000, 0xffff0000, 0xffff, AR_CODE16);
	vmx_write_seg(SEG_DS, 0, 0, 0xffff, AR_DATA16);
	vmx_write_seg(SEG_ES, 0, 0, 0xffff, AR_DATA16);
	vmx_write_seg(SEG_FS, 0, 0, 0xffff, AR_DATA16);
	vmx_write_seg(SEG_GS, 0, 0, 0xffff, AR_DATA16);
	vmx_write_seg(SEG_SS, 0, 0, 0xffff, AR_DATA16);
	vmx_write_seg(SEG_TR, 0, 0, 0xffff, AR_TSS_BUSY);
	vmx_write_seg(SEG_LDTR, 0, 0, 0xffff, AR_LDT);
	vmcs_writel(GUEST_GDTR_BASE, 0);
	vmcs_write32(GUEST_GDTR_LIMIT, 0xffff);
	vmcs_writel(GUEST_IDTR_BASE, 0);
	vmcs_write32(GUEST_IDTR_LIMIT, 0xffff);
	vmcs_writel(GUEST_RIP, 0xfff0);
	vmcs_writel(GUEST_RSP, 0);
	vmcs_writel(GUEST_RFLAGS, RESET_RFLAGS);
	vmcs_writel(GUEST_CR3, 0);
	vmcs_writel(GUEST_DR7, 0x400);
	vmcs_write64(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write64(GUEST_IA32_PAT, RESET_PAT);
	vmcs_write32(GUEST_SYSENTER_CS, 0);
	vmcs_writel(GUEST_SYSENTER_ESP, 0);
	vmcs_writel(GUEST_SYSENTER_EIP, 0);
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write32(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	hvtb_vmx_set_efer(vp, 0);
	hvtb_vmx_set_cr4(vp, 0);
	hvtb_vmx_set_cr0(vp, RESET_CR0);
	vp->gprs.regs[GPR_RDX] = 0x600;	/* family 6 */
	vp->xcr0 = XFEATURE_MASK_FP;
	vp->apic_base = APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE |
			(vp->index == 0 ? MSR_IA32_APICBASE_BSP : 0);
}

/* What an INIT does to the VP (not to IA32_APIC_BASE, MSRs, FPU, TSC). */
static void vmx_init_event(struct hvtb_vp *vp)
{
	u64 apic_base = vp->apic_base;

	memset(&vp->gprs, 0, sizeof(vp->gprs));
	vmx_setup_guest_reset(vp);
	vp->apic_base = apic_base;
	vp->cr2 = 0;
	vp->cr8 = 0;
	memset(vp->dr, 0, sizeof(vp->dr));
	vp->dr6 = 0;
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
	/* An intercept in flight is gone with the state it belonged to. */
	vp->complete_user = NULL;
	hvtb_vp_check_request(vp, HVTB_REQ_SIO_IN);
	hvtb_vp_check_request(vp, HVTB_REQ_SIO_OUT);
	hvtb_vp_check_request(vp, HVTB_REQ_MMIO_INSN);
	hvtb_vp_check_request(vp, HVTB_REQ_APIC_MMIO);
}

/* A SIPI's start: real mode at vector:0000. VMCS current. */
static void sipi_fn(struct hvtb_vp *vp, void *arg)
{
	unsigned int vector = *(unsigned int *)arg;

	vmx_write_seg(SEG_CS, vector << 8, vector << 12, 0xffff, AR_CODE16);
	vmcs_writel(GUEST_RIP, 0);
}

static void init_event_fn(struct hvtb_vp *vp, void *arg)
{
	vmx_init_event(vp);
}

/**
 * hvtb_vmx_set_efer() - give the guest a new EFER, keeping LMA and the
 * IA-32e entry control consistent with CR0.PG. VMCS current.
 * @vp: the virtual processor
 * @efer: the new EFER value
 */
void hvtb_vmx_set_efer(struct hvtb_vp *vp, u64 efer)
{
	bool paging = vmcs_readl(CR0_READ_SHADOW) & X86_CR0_PG;

	if ((efer & EFER_LME) && paging)
		efer |= EFER_LMA;
	else
		efer &= ~EFER_LMA;
	vmcs_write64(GUEST_IA32_EFER, efer);
	if (efer & EFER_LMA)
		vmcs_set_bits32(VM_ENTRY_CONTROLS, VM_ENTRY_IA32E_MODE);
	else
		vmcs_clear_bits32(VM_ENTRY_CONTROLS, VM_ENTRY_IA32E_MODE);
}

/**
 * hvtb_vmx_set_cr0() - the guest writes CR0. VMCS current.
 * @vp: the virtual processor
 * @val: the value written
 * Return: 0, or -EINVAL for a value a CPU would #GP on.
 */
int hvtb_vmx_set_cr0(struct hvtb_vp *vp, unsigned long val)
{
	const struct hvtb_vmx_caps *c = &hvtb_caps;
	u64 efer = vmcs_read64(GUEST_IA32_EFER);
	unsigned long hw;

	if (val & ~GUEST_CR0_BITS)
		return -EINVAL;
	val |= X86_CR0_ET;	/* hardwired to 1 */
	if ((val & X86_CR0_PG) && !(val & X86_CR0_PE))
		return -EINVAL;
	if ((val & X86_CR0_NW) && !(val & X86_CR0_CD))
		return -EINVAL;
	if ((val & X86_CR0_PG) && (efer & EFER_LME) &&
	    !(vmcs_readl(CR4_READ_SHADOW) & X86_CR4_PAE))
		return -EINVAL;

	/* Unrestricted guest lifts PE/PG from the fixed bits, not NE. */
	hw = (val | (c->cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG))) & c->cr0_fixed1;
	hw &= ~(X86_CR0_CD | X86_CR0_NW);	/* caching stays on for the host */
	vmcs_writel(CR0_READ_SHADOW, val);
	vmcs_writel(GUEST_CR0, hw);
	hvtb_vmx_set_efer(vp, efer);
	return 0;
}

/**
 * hvtb_vmx_set_cr4() - the guest writes CR4. VMCS current.
 * @vp: the virtual processor
 * @val: the value written
 * Return: 0, or -EINVAL for a value a CPU would #GP on.
 */
int hvtb_vmx_set_cr4(struct hvtb_vp *vp, unsigned long val)
{
	const struct hvtb_vmx_caps *c = &hvtb_caps;
	unsigned long hw;

	if (val & ~GUEST_CR4_BITS)
		return -EINVAL;
	if ((val & ~(c->cr4_fixed1 | X86_CR4_VMXE)) != 0)
		return -EINVAL;
	if ((vmcs_read64(GUEST_IA32_EFER) & EFER_LMA) && !(val & X86_CR4_PAE))
		return -EINVAL;
	if ((val & X86_CR4_OSXSAVE) && !host_xcr0)
		return -EINVAL;
	hw = (val | c->cr4_fixed0) & c->cr4_fixed1;
	vmcs_writel(CR4_READ_SHADOW, val);
	vmcs_writel(GUEST_CR4, hw);
	return 0;
}

/**
 * hvtb_vmx_vp_init() - allocate and set up a VP's VMCS, VPID and FPU state.
 * @vp: the virtual processor
 * Return: 0 or -errno; nothing is left allocated on failure.
 */
int hvtb_vmx_vp_init(struct hvtb_vp *vp)
{
	int r, vpid;

	vpid = ida_alloc_range(&vmx_vpids, 1, 0xffff, GFP_KERNEL);
	if (vpid < 0)
		return vpid;
	vp->vpid = vpid;

	vp->vmcs = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!vp->vmcs) {
		r = -ENOMEM;
		goto err_free_vpid;
	}
	*(u32 *)page_address(vp->vmcs) = hvtb_caps.revision;
	vp->vmcs_cpu = -1;

	if (!fpu_alloc_guest_fpstate(&vp->fpu)) {
		r = -ENOMEM;
		goto err_free_vmcs;
	}

	preempt_disable();
	vmcs_clear(vp->vmcs);
	r = vmx_vp_load(vp);
	if (!r) {
		vmx_setup_controls(vp);
		vmx_setup_host();
		vmx_setup_guest_reset(vp);
		vmx_vp_put(vp);
	}
	preempt_enable();
	if (r)
		goto err_free_fpu;
	return 0;

err_free_fpu:
	fpu_free_guest_fpstate(&vp->fpu);
err_free_vmcs:
	__free_page(vp->vmcs);
err_free_vpid:
	ida_free(&vmx_vpids, vp->vpid);
	return r;
}

static void vmx_invvpid_ipi(void *data)
{
	const struct hvtb_vp *vp = data;

	if (vmx_invvpid(VMX_VPID_EXTENT_SINGLE_CONTEXT, vp->vpid, 0) == -EINVAL)
		vmx_invvpid(VMX_VPID_EXTENT_ALL_CONTEXT, 0, 0);
}

/**
 * hvtb_vmx_vp_destroy() - free what hvtb_vmx_vp_init() allocated, after
 * flushing the VPID's translations on every VMX-root CPU.
 * @vp: the virtual processor (no run in flight)
 */
void hvtb_vmx_vp_destroy(struct hvtb_vp *vp)
{
	/* The next VP given this VPID must not see this one's translations. */
	cpus_read_lock();
	on_each_cpu_mask(hvtb_vmx_root_cpus(), vmx_invvpid_ipi, vp, true);
	cpus_read_unlock();
	fpu_free_guest_fpstate(&vp->fpu);
	__free_page(vp->vmcs);
	ida_free(&vmx_vpids, vp->vpid);
}

/* Host state the CPU does not restore at VM exit, saved before entry. */
struct vmx_host_state {
	struct desc_ptr gdt, idt;
	u16 ds, es, fs;
	unsigned long fs_base;
};

/* Load the guest's non-VMCS state. Interrupts disabled. */
static void vmx_switch_to_guest(struct hvtb_vp *vp, struct vmx_host_state *h)
{
	unsigned int i;

	native_store_gdt(&h->gdt);
	store_idt(&h->idt);
	savesegment(ds, h->ds);
	savesegment(es, h->es);
	savesegment(fs, h->fs);
	if (h->fs)
		rdmsrl(MSR_FS_BASE, h->fs_base);

	vmcs_writel(HOST_CR3, __read_cr3());
	vmcs_writel(HOST_CR4, cr4_read_shadow());

	for (i = 0; i < HVTB_NR_SWAPPED_MSRS; i++) {
		rdmsrl(swapped_msr_index[i], vp->host_msrs[i]);
		if (vp->msrs[i] != vp->host_msrs[i])
			wrmsrl(swapped_msr_index[i], vp->msrs[i]);
	}
	if (host_xcr0 && vp->xcr0 != host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vp->xcr0);
	if (native_read_cr2() != vp->cr2)
		native_write_cr2(vp->cr2);
}

/* Save the guest's non-VMCS state, restore the host's. Interrupts disabled. */
static void vmx_switch_to_host(struct hvtb_vp *vp, struct vmx_host_state *h)
{
	unsigned int i;

	vp->cr2 = native_read_cr2();
	if (host_xcr0 && vp->xcr0 != host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, host_xcr0);
	for (i = 0; i < HVTB_NR_SWAPPED_MSRS; i++) {
		rdmsrl(swapped_msr_index[i], vp->msrs[i]);
		if (vp->msrs[i] != vp->host_msrs[i])
			wrmsrl(swapped_msr_index[i], vp->host_msrs[i]);
	}

	/* VM exit set the GDTR/IDTR limits to 0xffff and the TR limit to 0x67. */
	native_load_gdt(&h->gdt);
	native_load_idt(&h->idt);
	invalidate_tss_limit();
	if (h->ds)
		loadsegment(ds, h->ds);
	if (h->es)
		loadsegment(es, h->es);
	if (h->fs) {
		loadsegment(fs, h->fs);
		wrmsrl(MSR_FS_BASE, h->fs_base);
	}
}

/* Re-inject an event whose delivery a VM exit interrupted. */
static void vmx_reinject_vectoring(void)
{
	u32 info = vmcs_read32(IDT_VECTORING_INFO_FIELD);

	if (!(info & VECTORING_INFO_VALID_MASK))
		return;
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info & ~INTR_INFO_RESVD_BITS_MASK);
	if (info & VECTORING_INFO_DELIVER_CODE_MASK)
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE,
			     vmcs_read32(IDT_VECTORING_ERROR_CODE));
	vmcs_write32(VM_ENTRY_INSTRUCTION_LEN,
		     vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
}

/*
 * Give the guest what its local APIC holds, before an entry. Interrupts
 * disabled, so a delivery from now on sends a kick IPI that makes the entry
 * exit again at once. An event already in VM_ENTRY_INTR_INFO (re-injected
 * or an exception) is never replaced: an interrupt then waits for an
 * interrupt-window exit. An NMI goes first when NMIs are not blocked
 * (NMI-window exiting otherwise); an interrupt above PPR is injected when
 * RFLAGS.IF=1 and no STI/MOV-SS blocking, else the interrupt window is
 * requested.
 */
static void vmx_inject_apic(struct hvtb_vp *vp)
{
	/* With virtual-interrupt delivery the CPU takes the interrupts. */
	bool vid = vp->part->apicv && hvtb_vmx_apicv_prepare(vp);
	u32 info = vmcs_read32(VM_ENTRY_INTR_INFO_FIELD);
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
	u32 proc = vmcs_read32(CPU_BASED_VM_EXEC_CONTROL), want = proc;
	const u32 shadow = GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS;
	int v;

	want &= ~(CPU_BASED_INTR_WINDOW_EXITING | CPU_BASED_NMI_WINDOW_EXITING);
	if (hvtb_vmx_apic->nmi_pending(vp)) {
		if (!(info & INTR_INFO_VALID_MASK) &&
		    !(intr & (shadow | GUEST_INTR_STATE_NMI))) {
			hvtb_vmx_apic->nmi_ack(vp);
			info = INTR_INFO_VALID_MASK | INTR_TYPE_NMI_INTR | NMI_VECTOR;
			vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info);
		} else if (vmx_pin & PIN_BASED_VIRTUAL_NMIS) {
			want |= CPU_BASED_NMI_WINDOW_EXITING;
		} else {
			want |= CPU_BASED_INTR_WINDOW_EXITING;
		}
	}
	if (!vid && hvtb_vmx_apic->has_interrupt(vp)) {
		if (!(info & INTR_INFO_VALID_MASK) && !(intr & shadow) &&
		    (vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_IF)) {
			v = hvtb_vmx_apic->ack_interrupt(vp);
			if (v >= 0)
				vmcs_write32(VM_ENTRY_INTR_INFO_FIELD,
					     INTR_INFO_VALID_MASK |
					     INTR_TYPE_EXT_INTR | v);
		} else {
			want |= CPU_BASED_INTR_WINDOW_EXITING;
		}
	}
	if (want != proc)
		vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, want);
}

/* One VM entry and exit. Preemption and interrupts disabled. */
static int vmx_enter_once(struct hvtb_vp *vp, u64 deadline_tsc)
{
	struct vmx_host_state h;
	u64 t0;
	int r;

	vmx_switch_to_guest(vp, &h);
	vmcs_write32(VMX_PREEMPTION_TIMER_VALUE, vmx_quantum_ticks(deadline_tsc));
	t0 = rdtsc();
	r = hvtb_vmx_vmenter(&vp->gprs, vp->launched);
	vp->stats.guest_ns += mul_u64_u32_div(rdtsc() - t0, USEC_PER_SEC, tsc_khz);
	vmx_switch_to_host(vp, &h);
	return r;
}

/**
 * hvtb_vmx_dump_vmcs() - print the guest state of the current VMCS, once
 * per module load: a failed VM entry says which check failed only in the
 * VMCS (STYLE: dump once, report a typed exit, never hang).
 * @vp: the VP whose VMCS is current
 */
void hvtb_vmx_dump_vmcs(struct hvtb_vp *vp)
{
	static atomic_t dumped = ATOMIC_INIT(0);
	int i;

	if (atomic_xchg(&dumped, 1))
		return;
	pr_err("VMCS of partition %u VP %u at the failed VM entry:\n",
	       vp->part->id, vp->index);
	pr_err(" exit reason 0x%x qual 0x%lx VM-instruction error %u\n",
	       vmcs_read32(VM_EXIT_REASON), vmcs_readl(EXIT_QUALIFICATION),
	       vmcs_read32(VM_INSTRUCTION_ERROR));
	pr_err(" RIP 0x%lx RSP 0x%lx RFLAGS 0x%lx\n", vmcs_readl(GUEST_RIP),
	       vmcs_readl(GUEST_RSP), vmcs_readl(GUEST_RFLAGS));
	pr_err(" CR0 0x%lx (shadow 0x%lx) CR3 0x%lx CR4 0x%lx (shadow 0x%lx)\n",
	       vmcs_readl(GUEST_CR0), vmcs_readl(CR0_READ_SHADOW),
	       vmcs_readl(GUEST_CR3), vmcs_readl(GUEST_CR4),
	       vmcs_readl(CR4_READ_SHADOW));
	pr_err(" EFER 0x%llx PAT 0x%llx DR7 0x%lx\n",
	       vmcs_read64(GUEST_IA32_EFER), vmcs_read64(GUEST_IA32_PAT),
	       vmcs_readl(GUEST_DR7));
	for (i = SEG_ES; i <= SEG_TR; i++)
		pr_err(" seg %d: sel 0x%04lx base 0x%lx limit 0x%lx ar 0x%lx\n", i,
		       __vmcs_read(vmx_segs[i].sel), __vmcs_read(vmx_segs[i].base),
		       __vmcs_read(vmx_segs[i].limit), __vmcs_read(vmx_segs[i].ar));
	pr_err(" GDTR 0x%lx/0x%x IDTR 0x%lx/0x%x\n", vmcs_readl(GUEST_GDTR_BASE),
	       vmcs_read32(GUEST_GDTR_LIMIT), vmcs_readl(GUEST_IDTR_BASE),
	       vmcs_read32(GUEST_IDTR_LIMIT));
	pr_err(" activity %u interruptibility 0x%x entry event 0x%x error code 0x%x\n",
	       vmcs_read32(GUEST_ACTIVITY_STATE),
	       vmcs_read32(GUEST_INTERRUPTIBILITY_INFO),
	       vmcs_read32(VM_ENTRY_INTR_INFO_FIELD),
	       vmcs_read32(VM_ENTRY_EXCEPTION_ERROR_CODE));
	pr_err(" controls: pin 0x%x proc 0x%x proc2 0x%x entry 0x%x exit 0x%x\n",
	       vmcs_read32(PIN_BASED_VM_EXEC_CONTROL),
	       vmcs_read32(CPU_BASED_VM_EXEC_CONTROL),
	       vmcs_read32(SECONDARY_VM_EXEC_CONTROL),
	       vmcs_read32(VM_ENTRY_CONTROLS), vmcs_read32(VM_EXIT_CONTROLS));
}

static int vmx_entry_failed(struct hvtb_vp *vp, int r)
{
	struct hvtb_exit_fail_entry *f = &vp->run->fail_entry;

	memset(f, 0, sizeof(*f));
	if (r == 1)
		f->vm_instruction_error = vmcs_read32(VM_INSTRUCTION_ERROR);
	else
		f->vm_instruction_error = ~0U;	/* VMLAUNCH/VMRESUME faulted */
	pr_warn_ratelimited("VM entry of VP %u failed: VM-instruction error %u\n",
			    vp->index, f->vm_instruction_error);
	hvtb_vmx_dump_vmcs(vp);
	return vmx_user_exit(vp, HVTB_EXIT_FAIL_ENTRY);
}

/**
 * hvtb_vmx_vp_run() - run the VP until an exit needs user space, a signal is
 * pending, the host's scheduler wants the CPU or hvtb's slice ends.
 * @vp: the virtual processor
 * @deadline_tsc: the end of hvtb's scheduler slice (a TSC value), 0 for none
 *
 * Return: VMX_EXIT_USER (run->exit_reason set), VMX_EXIT_CONTINUE when the
 * caller should check for signals and requests and reschedule, or -errno
 * (the VMCS could not be made current).
 */
int hvtb_vmx_vp_run(struct hvtb_vp *vp, u64 deadline_tsc)
{
	int r;

	preempt_disable();
	/*
	 * A CPU going offline leaves VMX root before its tasks and hvtb's
	 * thread move away (and comes online before it enters it): no VMX
	 * instruction here then; the caller tries again elsewhere.
	 */
	if (!cpumask_test_cpu(smp_processor_id(), hvtb_vmx_root_cpus())) {
		preempt_enable();
		return VMX_EXIT_CONTINUE;
	}
	r = vmx_vp_load(vp);
	if (r)
		goto out;
	if (vp->complete_user) {
		/* User space answered the last intercept (or vp.c emulated it). */
		void (*complete)(struct hvtb_vp *vp) = vp->complete_user;

		vp->complete_user = NULL;
		complete(vp);
	}

	for (;;) {
		if (test_thread_flag(TIF_NEED_FPU_LOAD))
			switch_fpu_return();
		local_irq_disable();
		/*
		 * The one look at the requests before an entry: any request
		 * (work that sleeps, HLT, a yield) is done by the core's
		 * run loop, after the VMCS is put.
		 */
		if (need_resched() || signal_pending(current) ||
		    READ_ONCE(vp->sched.cancel) || hvtb_vp_has_requests(vp) ||
		    (deadline_tsc && rdtsc() >= deadline_tsc)) {
			local_irq_enable();
			r = VMX_EXIT_CONTINUE;
			break;
		}
		if (vp->apic)
			vmx_inject_apic(vp);
		r = vmx_enter_once(vp, deadline_tsc);
		local_irq_enable();

		if (r) {
			r = vmx_entry_failed(vp, r);
			break;
		}
		vp->launched = true;
		vp->stats.exits++;
		vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
		vmx_reinject_vectoring();
		r = hvtb_vmx_handle_exit(vp);
		if (r != VMX_EXIT_CONTINUE)
			break;
	}
out:
	vmx_vp_put(vp);
	preempt_enable();
	return r;
}

/* Run @fn with the VP's VMCS current; for the register ioctls. */
static int vmx_with_vmcs(struct hvtb_vp *vp, void (*fn)(struct hvtb_vp *, void *),
			 void *arg)
{
	int r;

	preempt_disable();
	r = vmx_vp_load(vp);
	if (!r)
		fn(vp, arg);
	vmx_vp_put(vp);
	preempt_enable();
	return r;
}

/**
 * hvtb_vmx_init_reset() - put the VP (not running) into the state an INIT
 * leaves it in (HVTB_VP_SET_MP_STATE).
 * @vp: the virtual processor
 * Return: 0 or -errno.
 */
int hvtb_vmx_init_reset(struct hvtb_vp *vp)
{
	return vmx_with_vmcs(vp, init_event_fn, NULL);
}

/**
 * hvtb_vmx_start_sipi() - start the VP (not running) as a STARTUP IPI with
 * @vector does: real mode, CS = @vector << 8, IP = 0.
 * @vp: the virtual processor, in the state an INIT left it in
 * @vector: the SIPI's vector
 * Return: 0 or -errno.
 */
int hvtb_vmx_start_sipi(struct hvtb_vp *vp, unsigned int vector)
{
	return vmx_with_vmcs(vp, sipi_fn, &vector);
}

static void get_regs(struct hvtb_vp *vp, void *arg)
{
	struct hvtb_regs *regs = arg;
	const unsigned long *g = vp->gprs.regs;

	regs->rax = g[GPR_RAX];
	regs->rbx = g[GPR_RBX];
	regs->rcx = g[GPR_RCX];
	regs->rdx = g[GPR_RDX];
	regs->rsi = g[GPR_RSI];
	regs->rdi = g[GPR_RDI];
	regs->rbp = g[GPR_RBP];
	regs->r8 = g[GPR_R8];
	regs->r9 = g[GPR_R9];
	regs->r10 = g[GPR_R10];
	regs->r11 = g[GPR_R11];
	regs->r12 = g[GPR_R12];
	regs->r13 = g[GPR_R13];
	regs->r14 = g[GPR_R14];
	regs->r15 = g[GPR_R15];
	regs->rsp = vmcs_readl(GUEST_RSP);
	regs->rip = vmcs_readl(GUEST_RIP);
	regs->rflags = vmcs_readl(GUEST_RFLAGS);
}

void hvtb_vmx_get_regs(struct hvtb_vp *vp, struct hvtb_regs *regs)
{
	vmx_with_vmcs(vp, get_regs, regs);
}

static void set_regs(struct hvtb_vp *vp, void *arg)
{
	const struct hvtb_regs *regs = arg;
	unsigned long *g = vp->gprs.regs;

	g[GPR_RAX] = regs->rax;
	g[GPR_RBX] = regs->rbx;
	g[GPR_RCX] = regs->rcx;
	g[GPR_RDX] = regs->rdx;
	g[GPR_RSI] = regs->rsi;
	g[GPR_RDI] = regs->rdi;
	g[GPR_RBP] = regs->rbp;
	g[GPR_R8] = regs->r8;
	g[GPR_R9] = regs->r9;
	g[GPR_R10] = regs->r10;
	g[GPR_R11] = regs->r11;
	g[GPR_R12] = regs->r12;
	g[GPR_R13] = regs->r13;
	g[GPR_R14] = regs->r14;
	g[GPR_R15] = regs->r15;
	vmcs_writel(GUEST_RSP, regs->rsp);
	vmcs_writel(GUEST_RIP, regs->rip);
	vmcs_writel(GUEST_RFLAGS, regs->rflags | X86_EFLAGS_FIXED);
}

/**
 * hvtb_vmx_set_regs() - set the general registers.
 * @vp: the virtual processor
 * @regs: the registers to set
 * Return: 0, -EINVAL if RFLAGS has reserved bits set.
 */
int hvtb_vmx_set_regs(struct hvtb_vp *vp, const struct hvtb_regs *regs)
{
	const u64 rflags_ok = X86_EFLAGS_CF | X86_EFLAGS_FIXED | X86_EFLAGS_PF |
		X86_EFLAGS_AF | X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_TF |
		X86_EFLAGS_IF | X86_EFLAGS_DF | X86_EFLAGS_OF | X86_EFLAGS_IOPL |
		X86_EFLAGS_NT | X86_EFLAGS_RF | X86_EFLAGS_VM | X86_EFLAGS_AC |
		X86_EFLAGS_VIF | X86_EFLAGS_VIP | X86_EFLAGS_ID;

	if (regs->rflags & ~rflags_ok)
		return -EINVAL;
	return vmx_with_vmcs(vp, set_regs, (void *)regs);
}

static void seg_get(int seg, struct hvtb_segment *s)
{
	const struct vmx_seg_fields *f = &vmx_segs[seg];

	memset(s, 0, sizeof(*s));
	s->selector = __vmcs_read(f->sel);
	s->base = __vmcs_read(f->base);
	s->limit = __vmcs_read(f->limit);
	s->ar = __vmcs_read(f->ar);
}

static void get_sregs(struct hvtb_vp *vp, void *arg)
{
	struct hvtb_sregs *s = arg;

	memset(s, 0, sizeof(*s));
	seg_get(SEG_CS, &s->cs);
	seg_get(SEG_DS, &s->ds);
	seg_get(SEG_ES, &s->es);
	seg_get(SEG_FS, &s->fs);
	seg_get(SEG_GS, &s->gs);
	seg_get(SEG_SS, &s->ss);
	seg_get(SEG_TR, &s->tr);
	seg_get(SEG_LDTR, &s->ldt);
	s->gdt.base = vmcs_readl(GUEST_GDTR_BASE);
	s->gdt.limit = vmcs_read32(GUEST_GDTR_LIMIT);
	s->idt.base = vmcs_readl(GUEST_IDTR_BASE);
	s->idt.limit = vmcs_read32(GUEST_IDTR_LIMIT);
	s->cr0 = vmcs_readl(CR0_READ_SHADOW);
	s->cr2 = vp->cr2;
	s->cr3 = vmcs_readl(GUEST_CR3);
	s->cr4 = vmcs_readl(CR4_READ_SHADOW);
	s->cr8 = vp->apic ? hvtb_vmx_apic->get_tpr(vp) >> 4 : vp->cr8;
	s->efer = vmcs_read64(GUEST_IA32_EFER);
	s->apic_base = vp->apic_base;
}

void hvtb_vmx_get_sregs(struct hvtb_vp *vp, struct hvtb_sregs *sregs)
{
	vmx_with_vmcs(vp, get_sregs, sregs);
}

struct set_sregs_arg {
	const struct hvtb_sregs *s;
	int r;
};

static void seg_set(int seg, const struct hvtb_segment *s)
{
	vmx_write_seg(seg, s->selector, s->base, s->limit, s->ar);
}

static void set_sregs(struct hvtb_vp *vp, void *arg)
{
	struct set_sregs_arg *a = arg;
	const struct hvtb_sregs *s = a->s;

	seg_set(SEG_CS, &s->cs);
	seg_set(SEG_DS, &s->ds);
	seg_set(SEG_ES, &s->es);
	seg_set(SEG_FS, &s->fs);
	seg_set(SEG_GS, &s->gs);
	seg_set(SEG_SS, &s->ss);
	seg_set(SEG_TR, &s->tr);
	seg_set(SEG_LDTR, &s->ldt);
	vmcs_writel(GUEST_GDTR_BASE, s->gdt.base);
	vmcs_write32(GUEST_GDTR_LIMIT, s->gdt.limit);
	vmcs_writel(GUEST_IDTR_BASE, s->idt.base);
	vmcs_write32(GUEST_IDTR_LIMIT, s->idt.limit);
	vmcs_writel(GUEST_CR3, s->cr3);
	vp->cr2 = s->cr2;
	vp->cr8 = s->cr8;
	if (vp->apic) {
		a->r = hvtb_vmx_apic->set_base(vp, s->apic_base, true);
		if (a->r)
			return;
	} else {
		vp->apic_base = s->apic_base;
	}
	/* EFER first (LME), then CR4 (PAE), then CR0 (PG) derives LMA. */
	vmcs_write64(GUEST_IA32_EFER, s->efer & ~EFER_LMA);
	a->r = hvtb_vmx_set_cr4(vp, s->cr4);
	if (!a->r)
		a->r = hvtb_vmx_set_cr0(vp, s->cr0);
	if (!a->r)
		hvtb_vmx_set_efer(vp, s->efer);
}

/**
 * hvtb_vmx_set_sregs() - set segments, descriptor tables, CRs and EFER.
 * @vp: the virtual processor
 * @sregs: the special registers to set
 * Return: 0, or -EINVAL for CR0/CR4/EFER values a CPU would refuse.
 */
int hvtb_vmx_set_sregs(struct hvtb_vp *vp, const struct hvtb_sregs *sregs)
{
	struct set_sregs_arg a = { .s = sregs };
	const u64 efer_ok = EFER_SCE | EFER_LME | EFER_LMA | EFER_NX;
	int r;

	if (sregs->efer & ~efer_ok || sregs->cr8 > 0xf)
		return -EINVAL;
	if ((sregs->efer & EFER_LMA) && !(sregs->efer & EFER_LME))
		return -EINVAL;
	r = vmx_with_vmcs(vp, set_sregs, &a);
	return r ? r : a.r;
}

static void get_events(struct hvtb_vp *vp, void *arg)
{
	struct hvtb_vp_events *ev = arg;
	u32 info = vmcs_read32(VM_ENTRY_INTR_INFO_FIELD);
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);

	memset(ev, 0, sizeof(*ev));
	if (info & INTR_INFO_VALID_MASK) {
		u32 type = info & INTR_INFO_INTR_TYPE_MASK;

		if (type == INTR_TYPE_HARD_EXCEPTION) {
			ev->exception.pending = 1;
			ev->exception.vector = info & INTR_INFO_VECTOR_MASK;
			ev->exception.has_error_code =
				!!(info & INTR_INFO_DELIVER_CODE_MASK);
			ev->exception.error_code =
				vmcs_read32(VM_ENTRY_EXCEPTION_ERROR_CODE);
		} else if (type == INTR_TYPE_EXT_INTR) {
			ev->interrupt.pending = 1;
			ev->interrupt.vector = info & INTR_INFO_VECTOR_MASK;
		} else if (type == INTR_TYPE_NMI_INTR) {
			ev->nmi.pending = 1;
		}
	}
	ev->nmi.masked = !!(intr & GUEST_INTR_STATE_NMI);
	ev->interruptibility = intr & (GUEST_INTR_STATE_STI |
				       GUEST_INTR_STATE_MOV_SS);
}

void hvtb_vmx_get_events(struct hvtb_vp *vp, struct hvtb_vp_events *ev)
{
	vmx_with_vmcs(vp, get_events, ev);
}

static void set_events(struct hvtb_vp *vp, void *arg)
{
	const struct hvtb_vp_events *ev = arg;
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
		   ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS |
		     GUEST_INTR_STATE_NMI);
	u32 info = 0;

	intr |= ev->interruptibility;
	if (ev->nmi.masked)
		intr |= GUEST_INTR_STATE_NMI;
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, intr);

	if (ev->exception.pending) {
		info = INTR_INFO_VALID_MASK | INTR_TYPE_HARD_EXCEPTION |
		       ev->exception.vector;
		if (ev->exception.has_error_code) {
			info |= INTR_INFO_DELIVER_CODE_MASK;
			vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE,
				     ev->exception.error_code);
		}
	} else if (ev->nmi.pending) {
		info = INTR_INFO_VALID_MASK | INTR_TYPE_NMI_INTR | NMI_VECTOR;
	} else if (ev->interrupt.pending) {
		info = INTR_INFO_VALID_MASK | INTR_TYPE_EXT_INTR |
		       ev->interrupt.vector;
	}
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info);
}

/**
 * hvtb_vmx_set_events() - set the event to inject and the blocking state.
 * @vp: the virtual processor
 * @ev: the events and blocking state
 *
 * One event is injected at the next entry: an exception before an NMI
 * before an interrupt. An interrupt is injected as is, so the caller must
 * only set one when the guest can take it (RFLAGS.IF, no STI blocking).
 *
 * Return: 0, or -EINVAL for a bad vector, flag or reserved field.
 */
int hvtb_vmx_set_events(struct hvtb_vp *vp, const struct hvtb_vp_events *ev)
{
	if (ev->flags || memchr_inv(ev->reserved, 0, sizeof(ev->reserved)))
		return -EINVAL;
	if (ev->interruptibility & ~3U)
		return -EINVAL;
	if (ev->exception.pending &&
	    (ev->exception.vector > 31 || ev->exception.vector == NMI_VECTOR))
		return -EINVAL;
	if (ev->interrupt.pending && ev->interrupt.vector < 32)
		return -EINVAL;
	return vmx_with_vmcs(vp, set_events, (void *)ev);
}

struct msr_arg {
	u32 index;
	u64 data;
	int r;
};

static void get_msr(struct hvtb_vp *vp, void *arg)
{
	struct msr_arg *a = arg;

	a->r = hvtb_vmx_msr_read(vp, a->index, &a->data);
}

static void set_msr(struct hvtb_vp *vp, void *arg)
{
	struct msr_arg *a = arg;

	a->r = hvtb_vmx_msr_write(vp, a->index, a->data);
}

/**
 * hvtb_vmx_get_msr() - read a per-VP MSR (user space's read).
 * @vp: the virtual processor
 * @index: the MSR
 * @data: where the value is stored
 * Return: 0, -ENOENT for an MSR not in the documented list, or -EIO when
 * the VMCS could not be made current.
 */
int hvtb_vmx_get_msr(struct hvtb_vp *vp, u32 index, u64 *data)
{
	struct msr_arg a = { .index = index };
	int r = vmx_with_vmcs(vp, get_msr, &a);

	if (!r)
		r = a.r;
	*data = a.data;
	return r;
}

/**
 * hvtb_vmx_set_msr() - write a per-VP MSR (user space's write).
 * @vp: the VP
 * @index: the MSR
 * @data: the value
 * Return: 0; 1 when the write left work on guest memory (HVTB_REQ_HV_WORK
 * noted: the caller does it now, where it may sleep); -ENOENT or -EINVAL
 * on refusal.
 */
int hvtb_vmx_set_msr(struct hvtb_vp *vp, u32 index, u64 data)
{
	struct msr_arg a = { .index = index, .data = data };
	int r = vmx_with_vmcs(vp, set_msr, &a);

	if (r)
		return r;
	if (a.r > 0) {		/* the TSC page to write: the caller does it */
		hvtb_vp_request(vp, HVTB_REQ_HV_WORK);
		return 1;
	}
	return a.r;
}
