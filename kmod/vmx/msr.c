// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb - the MSRs hvtb emulates for a VP (every guest RDMSR/WRMSR exits).
 *
 * The list is the uapi's (struct hvtb_msrs); anything else is -ENOENT here
 * and a #GP in the guest. Values that the host CPU would later load are
 * checked first (canonical addresses, valid PAT types), so no guest value
 * can fault a host WRMSR.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <asm/apicdef.h>
#include <asm/msr.h>
#include <asm/msr-index.h>

#include "vmx/vmcs.h"
#include "vmx/internal.h"

static bool is_canonical(u64 v)
{
	return (u64)(((s64)v << 16) >> 16) == v;
}

static bool pat_valid(u64 pat)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		u8 t = pat >> (i * 8);

		if (t != 0 && t != 1 && t != 4 && t != 5 && t != 6 && t != 7)
			return false;
	}
	return true;
}

static int swapped_index(u32 index)
{
	switch (index) {
	case MSR_STAR:		return HVTB_MSR_STAR;
	case MSR_LSTAR:		return HVTB_MSR_LSTAR;
	case MSR_CSTAR:		return HVTB_MSR_CSTAR;
	case MSR_SYSCALL_MASK:	return HVTB_MSR_SFMASK;
	case MSR_KERNEL_GS_BASE: return HVTB_MSR_KERNEL_GS_BASE;
	case MSR_TSC_AUX:	return HVTB_MSR_TSC_AUX;
	default:		return -1;
	}
}

/**
 * hvtb_vmx_msr_read() - a guest or user-space read of an emulated MSR.
 * VMCS current.
 * @vp: the virtual processor
 * @index: the MSR number
 * @data: where the value is stored
 * Return: 0, or -ENOENT for an MSR hvtb does not emulate.
 */
int hvtb_vmx_msr_read(struct hvtb_vp *vp, u32 index, u64 *data)
{
	int i = swapped_index(index);

	if (vp->apic && index != MSR_IA32_APICBASE) {
		int r = hvtb_vmx_apic->msr_read(vp, index, data);

		if (r != -ENOENT)
			return r;
	}

	if (hvtb_vmx_msr_ops && index >= hvtb_vmx_msr_ops->first &&
	    index <= hvtb_vmx_msr_ops->last)
		return hvtb_vmx_msr_ops->read(vp, index, data, false);
	if (i >= 0) {
		*data = vp->msrs[i];
		return 0;
	}
	switch (index) {
	case MSR_EFER:
		*data = vmcs_read64(GUEST_IA32_EFER);
		break;
	case MSR_FS_BASE:
		*data = vmcs_readl(GUEST_FS_BASE);
		break;
	case MSR_GS_BASE:
		*data = vmcs_readl(GUEST_GS_BASE);
		break;
	case MSR_IA32_SYSENTER_CS:
		*data = vmcs_read32(GUEST_SYSENTER_CS);
		break;
	case MSR_IA32_SYSENTER_ESP:
		*data = vmcs_readl(GUEST_SYSENTER_ESP);
		break;
	case MSR_IA32_SYSENTER_EIP:
		*data = vmcs_readl(GUEST_SYSENTER_EIP);
		break;
	case MSR_IA32_CR_PAT:
		*data = vmcs_read64(GUEST_IA32_PAT);
		break;
	case MSR_IA32_TSC:
		*data = rdtsc() + vmcs_read64(TSC_OFFSET);
		break;
	case MSR_IA32_DEBUGCTLMSR:
		*data = vmcs_read64(GUEST_IA32_DEBUGCTL);
		break;
	case MSR_IA32_MISC_ENABLE:
		*data = vp->misc_enable;
		break;
	case MSR_IA32_TSC_ADJUST:
		*data = vp->tsc_adjust;
		break;
	case MSR_IA32_MCG_CAP:		/* no banks, no MCG_CTL */
		*data = 0;
		break;
	case MSR_IA32_MCG_STATUS:
		*data = vp->mcg_status;
		break;
	case MSR_IA32_APICBASE:
		*data = vp->apic_base;
		break;
	default:
		return -ENOENT;
	}
	return 0;
}

/**
 * hvtb_vmx_msr_write() - a guest or user-space write of an emulated MSR.
 * VMCS current.
 * @vp: the virtual processor
 * @index: the MSR number
 * @data: the value written
 * Return: 0, -ENOENT for an MSR hvtb does not emulate, -EINVAL for a value
 * the CPU would refuse; 1 (synthetic MSRs, IA32_TSC with a reference TSC
 * page) when it is done but guest memory is still to be written.
 */
int hvtb_vmx_msr_write(struct hvtb_vp *vp, u32 index, u64 data)
{
	int i = swapped_index(index);

	if (vp->apic) {
		int r;

		if (index == MSR_IA32_APICBASE)
			return hvtb_vmx_apic->set_base(vp, data, false);
		r = hvtb_vmx_apic->msr_write(vp, index, data,
					rdtsc() + vmcs_read64(TSC_OFFSET));
		if (r != -ENOENT)
			return r;
	}

	if (hvtb_vmx_msr_ops && index >= hvtb_vmx_msr_ops->first &&
	    index <= hvtb_vmx_msr_ops->last)
		return hvtb_vmx_msr_ops->write(vp, index, data, false);
	if (i >= 0) {
		if (index == MSR_TSC_AUX ? data >> 32 :
		    index == MSR_SYSCALL_MASK || index == MSR_STAR ? 0 :
		    !is_canonical(data))
			return -EINVAL;
		vp->msrs[i] = data;
		return 0;
	}
	switch (index) {
	case MSR_EFER:
		if (data & ~(u64)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX))
			return -EINVAL;
		/* LME may not change while paging is on. */
		if ((vmcs_readl(CR0_READ_SHADOW) & X86_CR0_PG) &&
		    ((data ^ vmcs_read64(GUEST_IA32_EFER)) & EFER_LME))
			return -EINVAL;
		hvtb_vmx_set_efer(vp, data);
		break;
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		if (!is_canonical(data))
			return -EINVAL;
		if (index == MSR_FS_BASE)
			vmcs_writel(GUEST_FS_BASE, data);
		else if (index == MSR_GS_BASE)
			vmcs_writel(GUEST_GS_BASE, data);
		else if (index == MSR_IA32_SYSENTER_ESP)
			vmcs_writel(GUEST_SYSENTER_ESP, data);
		else
			vmcs_writel(GUEST_SYSENTER_EIP, data);
		break;
	case MSR_IA32_SYSENTER_CS:
		vmcs_write32(GUEST_SYSENTER_CS, data);
		break;
	case MSR_IA32_CR_PAT:
		if (!pat_valid(data))
			return -EINVAL;
		vmcs_write64(GUEST_IA32_PAT, data);
		break;
	case MSR_IA32_TSC:
		/* IA32_TSC_ADJUST moves by what the write moves the TSC by. */
		vp->tsc_adjust += data - (rdtsc() + vp->tsc_offset);
		WRITE_ONCE(vp->tsc_offset, data - rdtsc());
		vmcs_write64(TSC_OFFSET, vp->tsc_offset);
		/* 1: the reference TSC page is to be written again */
		return hvtb_vmx_tsc_notify ? hvtb_vmx_tsc_notify(vp) : 0;
	case MSR_IA32_TSC_ADJUST:
		/* The TSC moves by what the write moves IA32_TSC_ADJUST by. */
		WRITE_ONCE(vp->tsc_offset, vp->tsc_offset + data - vp->tsc_adjust);
		vp->tsc_adjust = data;
		vmcs_write64(TSC_OFFSET, vp->tsc_offset);
		return hvtb_vmx_tsc_notify ? hvtb_vmx_tsc_notify(vp) : 0;
	case MSR_IA32_MCG_STATUS:
		vp->mcg_status = data;
		break;
	case MSR_IA32_DEBUGCTLMSR:
		/* No LBR/BTF virtualization: only 0. */
		if (data)
			return -EINVAL;
		vmcs_write64(GUEST_IA32_DEBUGCTL, 0);
		break;
	case MSR_IA32_MISC_ENABLE:
		vp->misc_enable = data;
		break;
	case MSR_IA32_APICBASE:
		if (data & ~(u64)(PAGE_MASK & GENMASK_ULL(51, 0)) &
		    ~(u64)(MSR_IA32_APICBASE_BSP | MSR_IA32_APICBASE_ENABLE |
			   X2APIC_ENABLE))
			return -EINVAL;
		vp->apic_base = data;
		break;
	default:
		return -ENOENT;
	}
	return 0;
}
