/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb - the VMX backend's private interface (vmx.c <-> exit.c).
 */
#ifndef HVTB_VMX_VMX_H
#define HVTB_VMX_VMX_H

#include "hvtb.h"

/*
 * What an exit handler tells the run loop. Work that must sleep is not a
 * return code: the handler notes a request (hvtb_vp_request()), which
 * ends the run loop before the next entry.
 */
enum {
	VMX_EXIT_CONTINUE = 0,	/* handled in the kernel: enter again */
	VMX_EXIT_USER = 1,	/* run->exit_reason is set: back to user space */
};

int hvtb_vmx_vmenter(struct hvtb_gprs *gprs, unsigned long launched);
extern const u8 hvtb_vmx_vmexit[];

int hvtb_vmx_handle_exit(struct hvtb_vp *vp);
void hvtb_vmx_dump_vmcs(struct hvtb_vp *vp);
void hvtb_vmx_skip_at_entry(struct hvtb_vp *vp, u8 len);
void hvtb_vmx_skip_instruction(struct hvtb_vp *vp);
void hvtb_vmx_inject_exception(struct hvtb_vp *vp, u8 vector, bool has_error,
			  u32 error_code);
int hvtb_vmx_msr_read(struct hvtb_vp *vp, u32 index, u64 *data);
int hvtb_vmx_msr_write(struct hvtb_vp *vp, u32 index, u64 data);
int hvtb_vmx_set_cr0(struct hvtb_vp *vp, unsigned long val);
int hvtb_vmx_set_cr4(struct hvtb_vp *vp, unsigned long val);
void hvtb_vmx_set_efer(struct hvtb_vp *vp, u64 efer);

int hvtb_vmx_hypercall_to_user(struct hvtb_vp *vp);
bool hvtb_vmx_apicv_prepare(struct hvtb_vp *vp);

static inline int vmx_user_exit(struct hvtb_vp *vp, u32 reason)
{
	vp->run->exit_reason = reason;
	if (reason < ARRAY_SIZE(vp->stats.by_intercept))
		vp->stats.by_intercept[reason]++;
	vp->stats.user_exits++;
	return VMX_EXIT_USER;
}

#endif /* HVTB_VMX_VMX_H */
