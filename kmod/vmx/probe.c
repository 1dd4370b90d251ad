// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb - VMX capability probing.
 *
 * Reads CPUID and the VMX capability MSRs once at load, decides whether this
 * CPU can run hvtb, and keeps what it saw for HVTB_GET_CAPABILITIES. Every CPU
 * that enters VMX root later is checked against that reference, so that a
 * heterogeneous machine is refused rather than half used.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/vmx.h>

#include <linux/hvtb.h>
#include "hvtb.h"
#include "vmx/vmx.h"

/* IA32_VMX_BASIC bits the probe looks at (SDM Vol. 3 A.1). */
#define VMX_BASIC_32BIT_PHYS	BIT_ULL(48)
#define VMX_BASIC_MEMTYPE_SHIFT	50
#define VMX_BASIC_MEMTYPE_MASK	0xfULL
#define VMX_BASIC_MEMTYPE_WB	6
#define VMX_BASIC_TRUE_CTLS_BIT	BIT_ULL(55)

#define CPUID_1_ECX_VMX		BIT(5)
/* Secondary control 18 (SDM Vol. 3 Table 25-7); asm/vmx.h of 6.1 lacks it. */
#define VMX_SEC_EPT_VIOLATION_VE	BIT(18)

struct hvtb_vmx_caps hvtb_caps __ro_after_init;

/* Names of the features, in the order of the HVTB_FEAT_* bits. */
static const char * const vmx_feature_names[] = {
	"true controls", "EPT", "4-level EPT walk", "EPT write-back memory type",
	"2 MiB EPT pages", "1 GiB EPT pages", "EPT accessed/dirty flags",
	"single-context INVEPT", "VPID", "single-context INVVPID",
	"unrestricted guest", "VMX preemption timer", "page-modification logging",
	"VMCS shadowing", "TSC scaling", "virtual NMIs", "TPR shadow",
	"virtualized APIC accesses", "virtualized x2APIC mode",
	"APIC-register virtualization", "virtual-interrupt delivery",
	"posted interrupts", "PAUSE-loop exiting", "VM functions",
	"EPT-violation #VE", "XSAVES/XRSTORS", "MSR bitmaps", "I/O bitmaps",
};
static_assert(ARRAY_SIZE(vmx_feature_names) == __builtin_popcountll(HVTB_FEAT_KNOWN_MASK));

/* A VMX control MSR's high half holds the controls that may be 1. */
static bool vmx_ctl_allows(u64 ctl_msr, u32 control)
{
	return (ctl_msr >> 32) & control;
}

static int vmx_read_msrs(struct hvtb_vmx_caps *c)
{
	bool true_ctls;
	int err = 0;

	err |= rdmsrl_safe(MSR_IA32_FEAT_CTL, &c->feature_control);
	err |= rdmsrl_safe(MSR_IA32_VMX_BASIC, &c->basic);
	if (err)
		return -EIO;

	true_ctls = c->basic & VMX_BASIC_TRUE_CTLS_BIT;
	err |= rdmsrl_safe(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
			   MSR_IA32_VMX_PINBASED_CTLS, &c->pinbased);
	err |= rdmsrl_safe(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
			   MSR_IA32_VMX_PROCBASED_CTLS, &c->procbased);
	err |= rdmsrl_safe(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
			   MSR_IA32_VMX_EXIT_CTLS, &c->exit);
	err |= rdmsrl_safe(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
			   MSR_IA32_VMX_ENTRY_CTLS, &c->entry);
	err |= rdmsrl_safe(MSR_IA32_VMX_MISC, &c->misc);
	err |= rdmsrl_safe(MSR_IA32_VMX_CR0_FIXED0, &c->cr0_fixed0);
	err |= rdmsrl_safe(MSR_IA32_VMX_CR0_FIXED1, &c->cr0_fixed1);
	err |= rdmsrl_safe(MSR_IA32_VMX_CR4_FIXED0, &c->cr4_fixed0);
	err |= rdmsrl_safe(MSR_IA32_VMX_CR4_FIXED1, &c->cr4_fixed1);
	if (err)
		return -EIO;

	/* The secondary controls exist only if the primary ones allow them. */
	if (vmx_ctl_allows(c->procbased, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS) &&
	    rdmsrl_safe(MSR_IA32_VMX_PROCBASED_CTLS2, &c->procbased2))
		return -EIO;
	/* EPT/VPID capabilities exist only with EPT or VPID. */
	if (vmx_ctl_allows(c->procbased2, SECONDARY_EXEC_ENABLE_EPT |
			   SECONDARY_EXEC_ENABLE_VPID) &&
	    rdmsrl_safe(MSR_IA32_VMX_EPT_VPID_CAP, &c->ept_vpid))
		return -EIO;
	if (vmx_ctl_allows(c->procbased2, SECONDARY_EXEC_ENABLE_VMFUNC) &&
	    rdmsrl_safe(MSR_IA32_VMX_VMFUNC, &c->vmfunc))
		return -EIO;
	return 0;
}

/* Derive the HVTB_FEAT_* bits from the raw MSRs. */
static u64 vmx_features(const struct hvtb_vmx_caps *c)
{
	const bool ept = vmx_ctl_allows(c->procbased2, SECONDARY_EXEC_ENABLE_EPT);
	const bool vpid = vmx_ctl_allows(c->procbased2, SECONDARY_EXEC_ENABLE_VPID);
	const u64 cap = c->ept_vpid;
	u64 f = 0;

	if (c->basic & VMX_BASIC_TRUE_CTLS_BIT)
		f |= HVTB_FEAT_TRUE_CTLS;
	if (ept) {
		f |= HVTB_FEAT_EPT;
		if (cap & VMX_EPT_PAGE_WALK_4_BIT)
			f |= HVTB_FEAT_EPT_4LEVEL;
		if (cap & VMX_EPTP_WB_BIT)
			f |= HVTB_FEAT_EPT_WB;
		if (cap & VMX_EPT_2MB_PAGE_BIT)
			f |= HVTB_FEAT_EPT_2M;
		if (cap & VMX_EPT_1GB_PAGE_BIT)
			f |= HVTB_FEAT_EPT_1G;
		if (cap & VMX_EPT_AD_BIT)
			f |= HVTB_FEAT_EPT_AD;
		if ((cap & VMX_EPT_INVEPT_BIT) && (cap & VMX_EPT_EXTENT_CONTEXT_BIT))
			f |= HVTB_FEAT_INVEPT;
	}
	if (vpid) {
		f |= HVTB_FEAT_VPID;
		if (((cap >> 32) & VMX_VPID_INVVPID_BIT) &&
		    ((cap >> 32) & VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT))
			f |= HVTB_FEAT_INVVPID;
	}
	if (vmx_ctl_allows(c->procbased2, SECONDARY_EXEC_UNRESTRICTED_GUEST))
		f |= HVTB_FEAT_UNRESTRICTED_GUEST;
	if (vmx_ctl_allows(c->pinbased, PIN_BASED_VMX_PREEMPTION_TIMER))
		f |= HVTB_FEAT_PREEMPTION_TIMER;
	if (vmx_ctl_allows(c->procbased2, SECONDARY_EXEC_ENABLE_PML))
		f |= HVTB_FEAT_PML;
	if (vmx_ctl_allows(c->procbased2, SECONDARY_EXEC_SHADOW_VMCS))
		f |= HVTB_FEAT_SHADOW_VMCS;
	if (vmx_ctl_allows(c->procbased2, SECONDARY_EXEC_TSC_SCALING))
		f |= HVTB_FEAT_TSC_SCALING;
	if (vmx_ctl_allows(c->pinbased, PIN_BASED_VIRTUAL_NMIS))
		f |= HVTB_FEAT_VIRTUAL_NMI;
	if (vmx_ctl_allows(c->procbased, CPU_BASED_TPR_SHADOW))
		f |= HVTB_FEAT_TPR_SHADOW;
	if (vmx_ctl_allows(c->procbased2, SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES))
		f |= HVTB_FEAT_VIRT_APIC_ACCESS;
	if (vmx_ctl_allows(c->procbased2, SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE))
		f |= HVTB_FEAT_X2APIC_MODE;
	if (vmx_ctl_allows(c->procbased2, SECONDARY_EXEC_APIC_REGISTER_VIRT))
		f |= HVTB_FEAT_APIC_REG_VIRT;
	if (vmx_ctl_allows(c->procbased2, SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY))
		f |= HVTB_FEAT_VIRT_INTR_DELIVERY;
	if (vmx_ctl_allows(c->pinbased, PIN_BASED_POSTED_INTR))
		f |= HVTB_FEAT_POSTED_INTR;
	if (vmx_ctl_allows(c->procbased2, SECONDARY_EXEC_PAUSE_LOOP_EXITING))
		f |= HVTB_FEAT_PAUSE_LOOP_EXITING;
	if (vmx_ctl_allows(c->procbased2, SECONDARY_EXEC_ENABLE_VMFUNC))
		f |= HVTB_FEAT_VMFUNC;
	if (vmx_ctl_allows(c->procbased2, VMX_SEC_EPT_VIOLATION_VE))
		f |= HVTB_FEAT_EPT_VE;
	if (vmx_ctl_allows(c->procbased2, SECONDARY_EXEC_XSAVES))
		f |= HVTB_FEAT_XSAVES;
	if (vmx_ctl_allows(c->procbased, CPU_BASED_USE_MSR_BITMAPS))
		f |= HVTB_FEAT_MSR_BITMAPS;
	if (vmx_ctl_allows(c->procbased, CPU_BASED_USE_IO_BITMAPS))
		f |= HVTB_FEAT_IO_BITMAPS;
	return f;
}

/* One line naming every required feature the CPU lacks. */
static void vmx_report_missing(u64 missing)
{
	char list[256] = "";
	size_t len = 0;
	unsigned int bit;

	for (bit = 0; bit < ARRAY_SIZE(vmx_feature_names); bit++) {
		if (!(missing & BIT_ULL(bit)))
			continue;
		len += scnprintf(list + len, sizeof(list) - len, "%s%s",
				 len ? ", " : "", vmx_feature_names[bit]);
	}
	pr_err("this CPU's VMX lacks %s, which hvtb requires: use a CPU (or an emulated CPU model) that has them\n",
	       list);
}

/* Checks that need no VMX MSR: is there VMX at all, and may we use it? */
static int vmx_check_cpuid_and_firmware(u64 *feature_control)
{
	u64 fc;

	if (boot_cpu_data.x86_vendor != X86_VENDOR_INTEL &&
	    boot_cpu_data.x86_vendor != X86_VENDOR_CENTAUR &&
	    boot_cpu_data.x86_vendor != X86_VENDOR_ZHAOXIN) {
		pr_err("this CPU has no VMX (vendor %s): hvtb needs Intel VT-x\n",
		       boot_cpu_data.x86_vendor_id);
		return -ENODEV;
	}
	/* Ask the CPU itself: the kernel clears X86_FEATURE_VMX when disabled. */
	if (!(cpuid_ecx(1) & CPUID_1_ECX_VMX)) {
		pr_err("this CPU has no VMX (CPUID.1:ECX.VMX=0): hvtb needs Intel VT-x; in an emulator pick a CPU model with vmx\n");
		return -ENODEV;
	}
	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &fc)) {
		pr_err("cannot read IA32_FEATURE_CONTROL: VMX cannot be enabled on this CPU\n");
		return -ENODEV;
	}
	if (!(fc & FEAT_CTL_LOCKED) || !(fc & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("VMX is disabled in firmware (IA32_FEATURE_CONTROL=0x%llx): enable VT-x (Intel Virtualization Technology) in the BIOS/UEFI setup\n",
		       fc);
		return -EOPNOTSUPP;
	}
	*feature_control = fc;
	return 0;
}

static int vmx_probe_this_cpu(struct hvtb_vmx_caps *c)
{
	int r;

	memset(c, 0, sizeof(*c));
	r = vmx_check_cpuid_and_firmware(&c->feature_control);
	if (r)
		return r;
	if (vmx_read_msrs(c)) {
		pr_err("cannot read the VMX capability MSRs on CPU %d\n",
		       smp_processor_id());
		return -ENODEV;
	}
	c->revision = vmx_basic_vmcs_revision_id(c->basic);
	c->vmcs_size = vmx_basic_vmcs_size(c->basic);
	c->timer_shift = vmx_misc_preemption_timer_rate(c->misc);
	c->features = vmx_features(c);
	return 0;
}

/**
 * hvtb_vmx_probe() - probe VMX on the current CPU and keep the result.
 *
 * Return: 0 if the CPU can run hvtb; -ENODEV without VMX or a required
 * feature, -EOPNOTSUPP when firmware disabled VMX. Prints one line on refusal.
 */
int hvtb_vmx_probe(void)
{
	struct hvtb_vmx_caps c;
	u64 memtype, missing;
	int r;

	r = vmx_probe_this_cpu(&c);
	if (r)
		return r;

	memtype = (c.basic >> VMX_BASIC_MEMTYPE_SHIFT) & VMX_BASIC_MEMTYPE_MASK;
	if (memtype != VMX_BASIC_MEMTYPE_WB || (c.basic & VMX_BASIC_32BIT_PHYS) ||
	    !c.vmcs_size || c.vmcs_size > PAGE_SIZE) {
		pr_err("unsupported VMCS layout (IA32_VMX_BASIC=0x%llx): hvtb needs a write-back VMCS of at most 4 KiB anywhere in memory\n",
		       c.basic);
		return -ENODEV;
	}
	missing = HVTB_FEAT_REQUIRED & ~c.features;
	if (missing) {
		vmx_report_missing(missing);
		return -ENODEV;
	}
	hvtb_caps = c;
	return 0;
}

/**
 * hvtb_vmx_check_this_cpu() - does this CPU match the CPU that was probed?
 * Called on each CPU before it enters VMX root: hvtb runs any VP on any
 * CPU, so every CPU must offer the same VMX.
 *
 * Return: 0, or -EIO (with one line) when this CPU differs.
 */
int hvtb_vmx_check_this_cpu(void)
{
	struct hvtb_vmx_caps c;
	int r;

	r = vmx_probe_this_cpu(&c);
	if (r)
		return r;
	/* Firmware may set unrelated feature-control bits per CPU. */
	c.feature_control = hvtb_caps.feature_control;
	if (memcmp(&c, &hvtb_caps, sizeof(c))) {
		pr_err("CPU %d's VMX capabilities differ from the first CPU's (IA32_VMX_BASIC 0x%llx vs 0x%llx): hvtb needs identical CPUs\n",
		       smp_processor_id(), c.basic, hvtb_caps.basic);
		return -EIO;
	}
	return 0;
}
