/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb - internal interfaces between the module's rooms.
 */
#ifndef HVTB_H
#define HVTB_H

#include <linux/types.h>
#include <linux/cpumask.h>

/**
 * struct hvtb_vmx_caps - what one CPU's VMX capability MSRs say.
 *
 * The raw values are kept so that user space can see exactly what the probe
 * saw; @features is derived from them (HVTB_FEAT_* of the uapi).
 */
struct hvtb_vmx_caps {
	u64 feature_control;
	u64 basic;
	u64 pinbased;		/* true controls where the CPU has them */
	u64 procbased;
	u64 procbased2;
	u64 exit;
	u64 entry;
	u64 misc;
	u64 ept_vpid;
	u64 cr0_fixed0;
	u64 cr0_fixed1;
	u64 cr4_fixed0;
	u64 cr4_fixed1;
	u64 vmfunc;
	u64 features;
	u32 revision;
	u32 vmcs_size;
	u32 timer_shift;
};

/* kmod/vmx/probe.c */
extern struct hvtb_vmx_caps hvtb_caps;
int hvtb_vmx_probe(void);
int hvtb_vmx_check_this_cpu(void);

/* kmod/vmx/root.c */
int hvtb_vmx_root_init(void);
void hvtb_vmx_root_exit(void);
void hvtb_vmx_root_stop_all(void);
void hvtb_vmx_root_stop_this_cpu(void);
const struct cpumask *hvtb_vmx_root_cpus(void);

/* kmod/dev.c */
int hvtb_dev_init(void);
void hvtb_dev_exit(void);

#endif /* HVTB_H */
