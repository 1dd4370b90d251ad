// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb - APIC virtualization: the VMCS side of an in-kernel local APIC
 * that the CPU virtualizes (kmod/apic/apic.c holds the registers).
 *
 * Used when the CPU has the TPR shadow, APIC-register virtualization,
 * virtual-interrupt delivery, APIC-access and x2APIC-mode virtualization
 * and MSR bitmaps, and the module parameter apicv is on. Before each entry
 * hvtb_vmx_apicv_prepare() picks the controls from the APIC's mode:
 *
 * - xAPIC at the default base: "virtualize APIC accesses" on the
 *   partition's APIC-access page (mapped in the EPT at 0xfee00000);
 * - x2APIC: "virtualize x2APIC mode" and an MSR bitmap that lets the
 *   guest read the x2APIC registers (but the timer's current count) and
 *   write TPR, EOI and SELF_IPI without an exit;
 * - either, while the APIC allows it (hvtb_vmx_apic->vid_allowed()): the TPR
 *   shadow with CR8 exits off, APIC-register virtualization and
 *   virtual-interrupt delivery, with RVI/SVI computed from the page and
 *   every EOI exiting when an EOI hook is installed.
 *
 * Otherwise (APIC disabled, relocated, auto-EOI vectors) the VP runs the
 * exiting path with the same register page: an xAPIC at the default base
 * then traps through APIC-access exits on every access (no TPR shadow).
 * No posted interrupts: a vector posted while the VP runs still forces
 * an exit (the APIC's kick), and the next entry hands it to the CPU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <asm/apicdef.h>
#include <asm/io.h>
#include <asm/msr-index.h>

#include "hvtb.h"
#include "vmx/vmcs.h"
#include "vmx/internal.h"

static bool apicv = true;
module_param(apicv, bool, 0444);
MODULE_PARM_DESC(apicv, "Use the CPU's APIC virtualization for in-kernel local APICs where it has it (default: on)");

#define APICV_FEATURES	(HVTB_FEAT_TPR_SHADOW | HVTB_FEAT_VIRT_APIC_ACCESS | \
			 HVTB_FEAT_X2APIC_MODE | HVTB_FEAT_APIC_REG_VIRT | \
			 HVTB_FEAT_VIRT_INTR_DELIVERY | HVTB_FEAT_MSR_BITMAPS)
#define APICV_PROC	(CPU_BASED_TPR_SHADOW | CPU_BASED_USE_MSR_BITMAPS | \
			 CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING)
#define APICV_PROC2	(SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES | \
			 SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE | \
			 SECONDARY_EXEC_APIC_REGISTER_VIRT | \
			 SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY)

/* The MSR bitmap of x2APIC VPs with virtual-interrupt delivery. */
static unsigned long *apicv_msr_bitmap;

/* x2APIC registers (xAPIC offset >> 4) the guest reads from the page. */
static const u8 apicv_x2_reads[] = {
	APIC_ID >> 4, APIC_LVR >> 4, APIC_TASKPRI >> 4, APIC_PROCPRI >> 4,
	APIC_LDR >> 4, APIC_SPIV >> 4, APIC_ESR >> 4, APIC_ICR >> 4,
	APIC_LVTT >> 4, APIC_LVTTHMR >> 4, APIC_LVTPC >> 4, APIC_LVT0 >> 4,
	APIC_LVT1 >> 4, APIC_LVTERR >> 4, APIC_TMICT >> 4, APIC_TDCR >> 4,
};

/* x2APIC registers the CPU virtualizes writes of (with VID). */
static const u8 apicv_x2_writes[] = {
	APIC_TASKPRI >> 4, APIC_EOI >> 4, 0x3f,	/* SELF_IPI */
};

/* The bitmap's four 1 KiB parts: read low, read high, write low, write high. */
static void apicv_msr_pass(u32 msr, bool write)
{
	__clear_bit(msr, apicv_msr_bitmap + (write ? 0x800 : 0) / sizeof(long));
}

/**
 * hvtb_vmx_apicv_init() - decide at load whether APIC virtualization is
 * used, and build its MSR bitmap.
 * Return: 0 (used or not), or -ENOMEM.
 */
int hvtb_vmx_apicv_init(void)
{
	unsigned int i;

	if (!apicv || (hvtb_caps.features & APICV_FEATURES) != APICV_FEATURES)
		return 0;
	/* CR8 exits must be able to go away when the TPR shadow comes. */
	if ((u32)hvtb_caps.procbased &
	    (CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING))
		return 0;
	apicv_msr_bitmap = (unsigned long *)__get_free_page(GFP_KERNEL);
	if (!apicv_msr_bitmap)
		return -ENOMEM;
	memset(apicv_msr_bitmap, 0xff, PAGE_SIZE);	/* every MSR exits */
	for (i = 0; i < ARRAY_SIZE(apicv_x2_reads); i++)
		apicv_msr_pass(APIC_BASE_MSR + apicv_x2_reads[i], false);
	for (i = 0; i < 8; i++) {			/* ISR, TMR, IRR */
		apicv_msr_pass(APIC_BASE_MSR + (APIC_ISR >> 4) + i, false);
		apicv_msr_pass(APIC_BASE_MSR + (APIC_TMR >> 4) + i, false);
		apicv_msr_pass(APIC_BASE_MSR + (APIC_IRR >> 4) + i, false);
	}
	for (i = 0; i < ARRAY_SIZE(apicv_x2_writes); i++)
		apicv_msr_pass(APIC_BASE_MSR + apicv_x2_writes[i], true);
	return 0;
}

/** hvtb_vmx_apicv_exit() - free what hvtb_vmx_apicv_init() allocated. */
void hvtb_vmx_apicv_exit(void)
{
	free_page((unsigned long)apicv_msr_bitmap);
	apicv_msr_bitmap = NULL;
}

/** hvtb_vmx_apicv_usable() - do new LAPIC partitions get APIC virtualization? */
bool hvtb_vmx_apicv_usable(void)
{
	return apicv_msr_bitmap != NULL;
}

/* The addresses the controls point at; constant for the VP's life. */
static void apicv_write_addresses(struct hvtb_vp *vp)
{
	vmcs_write64(VIRTUAL_APIC_PAGE_ADDR, hvtb_vmx_apic->page_phys(vp));
	vmcs_write64(APIC_ACCESS_ADDR, page_to_phys(vp->part->apic_access_page));
	vmcs_write64(MSR_BITMAP, __pa(apicv_msr_bitmap));
	vmcs_write32(TPR_THRESHOLD, 0);
	vp->apicv_ready = true;
	vp->apicv_eoi_exits = -1;	/* not written yet */
}

/* Every virtualized EOI exits, or none does. */
static void apicv_write_eoi_exits(struct hvtb_vp *vp, bool all)
{
	u64 v = all ? ~0ULL : 0;

	if (vp->apicv_eoi_exits == all)
		return;
	vmcs_write64(EOI_EXIT_BITMAP0, v);
	vmcs_write64(EOI_EXIT_BITMAP1, v);
	vmcs_write64(EOI_EXIT_BITMAP2, v);
	vmcs_write64(EOI_EXIT_BITMAP3, v);
	vp->apicv_eoi_exits = all;
}

/**
 * hvtb_vmx_apicv_prepare() - set the APIC-virtualization controls for the next
 * entry and, with virtual-interrupt delivery, the guest interrupt status.
 * @vp: a VP of a partition with APIC virtualization; VMCS current,
 *	interrupts disabled.
 * Return: virtual-interrupt delivery is on (the CPU delivers the APIC's
 * interrupts; vmx.c injects only NMIs).
 */
bool hvtb_vmx_apicv_prepare(struct hvtb_vp *vp)
{
	u64 base = READ_ONCE(vp->apic_base);
	bool x2 = base & X2APIC_ENABLE;
	bool page = (base & MSR_IA32_APICBASE_ENABLE) && !x2 &&
		    (base & MSR_IA32_APICBASE_BASE) == APIC_DEFAULT_PHYS_BASE;
	bool vid = (x2 || page) && hvtb_vmx_apic->vid_allowed(vp);
	u32 proc = vmcs_read32(CPU_BASED_VM_EXEC_CONTROL);
	u32 proc2 = vmcs_read32(SECONDARY_VM_EXEC_CONTROL);
	u32 p = proc & ~APICV_PROC, p2 = proc2 & ~APICV_PROC2;

	if (!vp->apicv_ready)
		apicv_write_addresses(vp);
	if (vid) {
		p |= CPU_BASED_TPR_SHADOW;
		p2 |= SECONDARY_EXEC_APIC_REGISTER_VIRT |
		      SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY;
		if (x2) {
			p |= CPU_BASED_USE_MSR_BITMAPS;
			p2 |= SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE;
		}
	} else {
		p |= CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING;
	}
	if (page)
		p2 |= SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES;
	if (p != proc)
		vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, p);
	if (p2 != proc2)
		vmcs_write32(SECONDARY_VM_EXEC_CONTROL, p2);
	if (!vid)
		return false;
	apicv_write_eoi_exits(vp, hvtb_vmx_apic->eoi_exits(vp));
	vmcs_write16(GUEST_INTR_STATUS, hvtb_vmx_apic->vid_prepare(vp));
	return true;
}
