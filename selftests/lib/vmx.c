// SPDX-License-Identifier: GPL-2.0
/*
 * What the HVTB_FEAT_* bits should be, derived independently from the raw
 * VMX capability MSRs (SDM vol. 3, appendix A).
 */
#include "hvtb_test.h"

/* Allowed-1 settings are the high 32 bits of a VMX control MSR. */
static int allowed1(__u64 msr, unsigned int bit)
{
	return (msr >> (32 + bit)) & 1;
}

static int bit_set(__u64 v, unsigned int bit)
{
	return (v >> bit) & 1;
}

struct feat_rule {
	__u64 feat;
	size_t field;		/* offset of the MSR in struct hvtb_capabilities */
	unsigned int bit;
	int control;		/* 1: allowed-1 half of a control MSR */
	unsigned int bit2;	/* second bit that must be set too, or 64 */
};

#define CAP(f)	offsetof(struct hvtb_capabilities, f)

static const struct feat_rule feat_rules[] = {
	{ HVTB_FEAT_TRUE_CTLS, CAP(vmx_basic), 55, 0, 64 },
	{ HVTB_FEAT_EPT, CAP(procbased_ctls2), 1, 1, 64 },
	{ HVTB_FEAT_EPT_4LEVEL, CAP(ept_vpid_cap), 6, 0, 64 },
	{ HVTB_FEAT_EPT_WB, CAP(ept_vpid_cap), 14, 0, 64 },
	{ HVTB_FEAT_EPT_2M, CAP(ept_vpid_cap), 16, 0, 64 },
	{ HVTB_FEAT_EPT_1G, CAP(ept_vpid_cap), 17, 0, 64 },
	{ HVTB_FEAT_EPT_AD, CAP(ept_vpid_cap), 21, 0, 64 },
	{ HVTB_FEAT_INVEPT, CAP(ept_vpid_cap), 20, 0, 25 },
	{ HVTB_FEAT_VPID, CAP(procbased_ctls2), 5, 1, 64 },
	{ HVTB_FEAT_INVVPID, CAP(ept_vpid_cap), 32, 0, 41 },
	{ HVTB_FEAT_UNRESTRICTED_GUEST, CAP(procbased_ctls2), 7, 1, 64 },
	{ HVTB_FEAT_PREEMPTION_TIMER, CAP(pinbased_ctls), 6, 1, 64 },
	{ HVTB_FEAT_PML, CAP(procbased_ctls2), 17, 1, 64 },
	{ HVTB_FEAT_SHADOW_VMCS, CAP(procbased_ctls2), 14, 1, 64 },
	{ HVTB_FEAT_TSC_SCALING, CAP(procbased_ctls2), 25, 1, 64 },
	{ HVTB_FEAT_VIRTUAL_NMI, CAP(pinbased_ctls), 5, 1, 64 },
	{ HVTB_FEAT_TPR_SHADOW, CAP(procbased_ctls), 21, 1, 64 },
	{ HVTB_FEAT_VIRT_APIC_ACCESS, CAP(procbased_ctls2), 0, 1, 64 },
	{ HVTB_FEAT_X2APIC_MODE, CAP(procbased_ctls2), 4, 1, 64 },
	{ HVTB_FEAT_APIC_REG_VIRT, CAP(procbased_ctls2), 8, 1, 64 },
	{ HVTB_FEAT_VIRT_INTR_DELIVERY, CAP(procbased_ctls2), 9, 1, 64 },
	{ HVTB_FEAT_POSTED_INTR, CAP(pinbased_ctls), 7, 1, 64 },
	{ HVTB_FEAT_PAUSE_LOOP_EXITING, CAP(procbased_ctls2), 10, 1, 64 },
	{ HVTB_FEAT_VMFUNC, CAP(procbased_ctls2), 13, 1, 64 },
	{ HVTB_FEAT_EPT_VE, CAP(procbased_ctls2), 18, 1, 64 },
	{ HVTB_FEAT_XSAVES, CAP(procbased_ctls2), 20, 1, 64 },
	{ HVTB_FEAT_MSR_BITMAPS, CAP(procbased_ctls), 28, 1, 64 },
	{ HVTB_FEAT_IO_BITMAPS, CAP(procbased_ctls), 25, 1, 64 },
};

__u64 vmx_features_from_msrs(const struct hvtb_capabilities *caps)
{
	const struct feat_rule *r;
	__u64 msr, features = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(feat_rules); i++) {
		r = &feat_rules[i];
		msr = *(const __u64 *)((const char *)caps + r->field);
		if (r->control ? !allowed1(msr, r->bit) : !bit_set(msr, r->bit))
			continue;
		if (r->bit2 < 64 && !bit_set(msr, r->bit2))
			continue;
		features |= r->feat;
	}
	/* No secondary controls unless "activate secondary controls" may be 1. */
	if (!allowed1(caps->procbased_ctls, 31))
		features &= ~vmx_ctls2_features();
	return features;
}

__u64 vmx_ctls2_features(void)
{
	__u64 mask = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(feat_rules); i++)
		if (feat_rules[i].field == CAP(procbased_ctls2))
			mask |= feat_rules[i].feat;
	return mask;
}
