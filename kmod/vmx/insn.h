/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb - TLB-invalidation VMX instructions shared by the rooms.
 *
 * Both return 0, -EINVAL on VMfail (a type the CPU does not support) and
 * -EIO on a fault (#UD: the CPU is not in VMX operation, e.g. it left it
 * for reboot). A fault skips to label 2 with @faulted still set; the mov
 * that clears it keeps the flags for the VMfail test.
 */
#ifndef HVTB_VMX_INSN_H
#define HVTB_VMX_INSN_H

#include <linux/types.h>
#include <asm/asm.h>

static inline int vmx_invept(unsigned long type, u64 eptp)
{
	struct { u64 eptp, reserved; } desc = { eptp, 0 };
	int faulted = 1;
	bool vmfail;

	asm volatile("1: invept %[desc], %[type]\n\t"
		     "mov $0, %[faulted]\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [faulted] "+r" (faulted), "=@ccbe" (vmfail)
		     : [desc] "m" (desc), [type] "r" (type)
		     : "memory");
	if (faulted)
		return -EIO;
	return vmfail ? -EINVAL : 0;
}

static inline int vmx_invvpid(unsigned long type, u16 vpid, u64 gva)
{
	struct { u64 vpid, gva; } desc = { vpid, gva };
	int faulted = 1;
	bool vmfail;

	asm volatile("1: invvpid %[desc], %[type]\n\t"
		     "mov $0, %[faulted]\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [faulted] "+r" (faulted), "=@ccbe" (vmfail)
		     : [desc] "m" (desc), [type] "r" (type)
		     : "memory");
	if (faulted)
		return -EIO;
	return vmfail ? -EINVAL : 0;
}

#endif /* HVTB_VMX_INSN_H */
