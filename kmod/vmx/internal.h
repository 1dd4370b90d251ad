/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb - the VMX backend's private interface, shared by the files of
 * kmod/vmx/ only (vmx.c, exit.c, msr.c, apicv.c, walk.c, vmenter.S).
 */
#ifndef HVTB_VMX_INTERNAL_H
#define HVTB_VMX_INTERNAL_H

#include "vmx/vmx.h"

int hvtb_vmx_vmenter(struct hvtb_gprs *gprs, unsigned long launched);
extern const u8 hvtb_vmx_vmexit[];

int hvtb_vmx_handle_exit(struct hvtb_vp *vp);
void hvtb_vmx_dump_vmcs(struct hvtb_vp *vp);
int hvtb_vmx_msr_read(struct hvtb_vp *vp, u32 index, u64 *data);
int hvtb_vmx_msr_write(struct hvtb_vp *vp, u32 index, u64 data);
int hvtb_vmx_set_cr0(struct hvtb_vp *vp, unsigned long val);
int hvtb_vmx_set_cr4(struct hvtb_vp *vp, unsigned long val);
void hvtb_vmx_set_efer(struct hvtb_vp *vp, u64 efer);
bool hvtb_vmx_apicv_prepare(struct hvtb_vp *vp);

/* What the rooms above registered (exit.c). */
extern const struct hvtb_msr_ops *hvtb_vmx_msr_ops;
extern hvtb_exit_fn hvtb_vmx_tsc_notify;
extern const struct hvtb_apic_ops *hvtb_vmx_apic;

static inline int vmx_user_exit(struct hvtb_vp *vp, u32 reason)
{
	vp->run->exit_reason = reason;
	if (reason < ARRAY_SIZE(vp->stats.by_intercept))
		vp->stats.by_intercept[reason]++;
	vp->stats.user_exits++;
	return VMX_EXIT_USER;
}

#endif /* HVTB_VMX_INTERNAL_H */
