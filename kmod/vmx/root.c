// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb - VMX root operation on every online CPU.
 *
 * A CPU hotplug state enters VMX root (CR4.VMXE, VMXON) on each CPU as it
 * comes online and leaves it (VMXOFF, CR4.VMXE cleared) as it goes offline.
 * Reboot and panic leave VMX too, so that firmware and the next kernel find
 * the CPUs as they expect. The host state touched here is CR4.VMXE and Intel
 * PT's VMX bookkeeping; a VP's VMCS is current on a CPU only while the CPU
 * runs it (kmod/vmx/vmx.c), so leaving VMX root never strands a guest.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <asm/asm.h>
#include <asm/io.h>
#include <asm/perf_event.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/vmx.h>

#include "hvtb.h"
#include "vmx/vmx.h"
#include "vmx/insn.h"

/**
 * struct vmx_root - one CPU's VMX root state.
 * @vmxon_region: the 4 KiB VMXON region, stamped with the VMCS revision.
 * @active: VMXON succeeded and VMXOFF has not been done yet.
 */
struct vmx_root {
	struct page *vmxon_region;
	bool active;
};

static DEFINE_PER_CPU(struct vmx_root, vmx_root);
static struct cpumask vmx_root_mask;
static enum cpuhp_state vmx_hp_state;
/* Set by reboot/panic: no CPU may enter VMX root any more. */
static bool vmx_root_stopped;

/*
 * VMXON. A fault (#GP, #UD) skips to label 2 with @faulted still set;
 * otherwise CF or ZF report VMfail (already in VMX operation, bad region).
 * Return: 0, -EBUSY on VMfail, -EIO on a fault.
 */
static int vmx_on(u64 vmxon_pa)
{
	int faulted = 1;
	bool vmfail;

	asm volatile("1: vmxon %[pa]\n\t"
		     "mov $0, %[faulted]\n\t"	/* mov keeps the flags */
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [faulted] "+r" (faulted), "=@ccbe" (vmfail)
		     : [pa] "m" (vmxon_pa)
		     : "memory");
	if (faulted)
		return -EIO;
	return vmfail ? -EBUSY : 0;
}

/* VMXOFF; false if it faulted, i.e. the CPU was not in VMX operation. */
static bool vmx_off(void)
{
	int faulted = 1;

	asm volatile("1: vmxoff\n\t"
		     "mov $0, %[faulted]\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [faulted] "+r" (faulted) : : "cc", "memory");
	return !faulted;
}

/* Enter VMX root on this CPU. Called with interrupts disabled. */
static int vmx_root_enter(struct vmx_root *root)
{
	unsigned long cr0 = read_cr0(), cr4 = cr4_read_shadow();
	int r;

	if (cr4 & X86_CR4_VMXE) {
		pr_err("VMX is already in use on CPU %d (CR4.VMXE set): another hypervisor owns it, most likely kvm_intel with a running VM (or VirtualBox/VMware); stop it and load hvtb again\n",
		       smp_processor_id());
		return -EBUSY;
	}
	if ((cr0 & hvtb_caps.cr0_fixed0) != hvtb_caps.cr0_fixed0 ||
	    (cr0 & ~hvtb_caps.cr0_fixed1)) {
		pr_err("CR0 0x%lx of CPU %d does not satisfy VMX (fixed0 0x%llx, fixed1 0x%llx)\n",
		       cr0, smp_processor_id(), hvtb_caps.cr0_fixed0,
		       hvtb_caps.cr0_fixed1);
		return -EIO;
	}

	intel_pt_handle_vmx(1);
	cr4_set_bits_irqsoff(X86_CR4_VMXE);
	r = vmx_on(page_to_phys(root->vmxon_region));
	if (r) {
		cr4_clear_bits_irqsoff(X86_CR4_VMXE);
		intel_pt_handle_vmx(0);
		pr_err("VMXON failed on CPU %d (%s): %s\n", smp_processor_id(),
		       r == -EBUSY ? "VMfail" : "fault",
		       r == -EBUSY ? "VMX is in use by another hypervisor" :
				     "the CPU refused VMX operation");
		return r;
	}
	root->active = true;
	/*
	 * VMXOFF is not promised to drop cached EPT/VPID translations: start
	 * clean, so nothing from before an offline period (when this CPU
	 * missed the INVEPTs of unmaps) can be used.
	 */
	if (hvtb_caps.ept_vpid & VMX_EPT_EXTENT_GLOBAL_BIT)
		vmx_invept(VMX_EPT_EXTENT_GLOBAL, 0);
	if ((hvtb_caps.ept_vpid >> 32) & VMX_VPID_EXTENT_GLOBAL_CONTEXT_BIT)
		vmx_invvpid(VMX_VPID_EXTENT_ALL_CONTEXT, 0, 0);
	cpumask_set_cpu(smp_processor_id(), &vmx_root_mask);
	return 0;
}

/* Leave VMX root on this CPU, if in it. Interrupts disabled; NMI-safe. */
static void vmx_root_leave(struct vmx_root *root)
{
	if (!root->active)
		return;
	root->active = false;
	cpumask_clear_cpu(smp_processor_id(), &vmx_root_mask);
	if (!vmx_off())
		pr_warn_once("VMXOFF faulted on CPU %d: it was not in VMX operation\n",
			     smp_processor_id());
	cr4_clear_bits_irqsoff(X86_CR4_VMXE);
	intel_pt_handle_vmx(0);
}

static int vmx_cpu_online(unsigned int cpu)
{
	struct vmx_root *root = this_cpu_ptr(&vmx_root);
	unsigned long flags;
	struct page *page;
	int r;

	if (READ_ONCE(vmx_root_stopped))
		return 0;
	r = hvtb_vmx_check_this_cpu();
	if (r)
		return r;

	page = alloc_pages_node(cpu_to_node(cpu), GFP_KERNEL | __GFP_ZERO, 0);
	if (!page)
		return -ENOMEM;
	*(u32 *)page_address(page) = hvtb_caps.revision;

	local_irq_save(flags);
	root->vmxon_region = page;
	r = vmx_root_enter(root);
	if (r)
		root->vmxon_region = NULL;
	local_irq_restore(flags);

	if (r)
		__free_page(page);
	return r;
}

static int vmx_cpu_offline(unsigned int cpu)
{
	struct vmx_root *root = this_cpu_ptr(&vmx_root);
	unsigned long flags;
	struct page *page;

	local_irq_save(flags);
	vmx_root_leave(root);
	page = root->vmxon_region;
	root->vmxon_region = NULL;
	local_irq_restore(flags);

	if (page)
		__free_page(page);
	return 0;
}

/**
 * hvtb_vmx_root_init() - enter VMX root on every online CPU, and follow hotplug.
 *
 * Return: 0, or the error of the first CPU that failed; every CPU that had
 * entered VMX root has left it again by then.
 */
int hvtb_vmx_root_init(void)
{
	int r;

	vmx_root_stopped = false;
	r = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "hvtb/vmx:online",
			      vmx_cpu_online, vmx_cpu_offline);
	if (r < 0)
		return r;
	vmx_hp_state = r;
	return 0;
}

/** hvtb_vmx_root_exit() - leave VMX root on every CPU and stop following hotplug. */
void hvtb_vmx_root_exit(void)
{
	cpuhp_remove_state(vmx_hp_state);
	WARN_ON_ONCE(!cpumask_empty(&vmx_root_mask));
}

static void vmx_root_stop_ipi(void *unused)
{
	vmx_root_leave(this_cpu_ptr(&vmx_root));
}

/**
 * hvtb_vmx_root_stop_all() - leave VMX root on every CPU for good (reboot).
 *
 * The VMXON regions stay allocated until hvtb_vmx_root_exit().
 */
void hvtb_vmx_root_stop_all(void)
{
	cpus_read_lock();
	WRITE_ONCE(vmx_root_stopped, true);
	on_each_cpu(vmx_root_stop_ipi, NULL, 1);
	cpus_read_unlock();
}

/**
 * hvtb_vmx_root_stop_this_cpu() - leave VMX root on this CPU (panic).
 *
 * The kernel's crash path takes the other CPUs out of VMX operation itself
 * (it checks CR4.VMXE on each CPU it stops).
 */
void hvtb_vmx_root_stop_this_cpu(void)
{
	unsigned long flags;

	WRITE_ONCE(vmx_root_stopped, true);
	local_irq_save(flags);
	vmx_root_leave(this_cpu_ptr(&vmx_root));
	local_irq_restore(flags);
}

/** hvtb_vmx_root_cpus() - the CPUs in VMX root operation now. */
const struct cpumask *hvtb_vmx_root_cpus(void)
{
	return &vmx_root_mask;
}
