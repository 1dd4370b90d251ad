/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hvtb - hypervisor research testbed: the ioctl ABI of /dev/hvtb.
 *
 * Rules (see STYLE.md): fixed-width types only, natural alignment, explicit
 * padding, reserved fields that must be zero, sizes pinned by static_assert.
 * Unknown ioctls fail with -ENOTTY; unknown flags, non-zero pad or reserved
 * fields fail with -EINVAL.
 */
#ifndef _UAPI_LINUX_HVTB_H
#define _UAPI_LINUX_HVTB_H

#include <linux/types.h>
#include <linux/ioctl.h>
#include <linux/const.h>

/* Version of this ABI, as returned by HVTB_GET_API_VERSION. */
#define HVTB_API_VERSION	0

/* ioctl type byte of /dev/hvtb (unused in Documentation/ioctl-number.rst) */
#define HVTBIO			0xB9

/*
 * HVTB_GET_API_VERSION - returns HVTB_API_VERSION.
 * The argument must be 0, else -EINVAL.
 */
#define HVTB_GET_API_VERSION	_IO(HVTBIO, 0x00)

/*
 * HVTB_CHECK_EXTENSION - the argument names an extension (HVTB_EXT_*).
 * Returns 1 when the running module supports it, 0 when not (also for
 * extension numbers it does not know). An argument above 0xffffffff is
 * -EINVAL.
 */
#define HVTB_CHECK_EXTENSION	_IO(HVTBIO, 0x01)

/* The API has HVTB_GET_CAPABILITIES. */
#define HVTB_EXT_CAPABILITIES	1
/* VMX root operation follows CPU hotplug (offline -> VMXOFF, online -> VMXON). */
#define HVTB_EXT_CPU_HOTPLUG	2

/*
 * Features found by the VMX probe at load (struct hvtb_capabilities.features).
 * Those marked [required] are present whenever the module is loaded.
 */
#define HVTB_FEAT_TRUE_CTLS		_BITULL(0)	/* IA32_VMX_TRUE_*_CTLS */
#define HVTB_FEAT_EPT			_BITULL(1)	/* [required] */
#define HVTB_FEAT_EPT_4LEVEL		_BITULL(2)	/* [required] 4-level walk */
#define HVTB_FEAT_EPT_WB		_BITULL(3)	/* [required] WB paging structures */
#define HVTB_FEAT_EPT_2M		_BITULL(4)	/* 2 MiB EPT pages */
#define HVTB_FEAT_EPT_1G		_BITULL(5)	/* 1 GiB EPT pages */
#define HVTB_FEAT_EPT_AD		_BITULL(6)	/* accessed/dirty flags */
#define HVTB_FEAT_INVEPT		_BITULL(7)	/* [required] single-context INVEPT */
#define HVTB_FEAT_VPID			_BITULL(8)	/* [required] */
#define HVTB_FEAT_INVVPID		_BITULL(9)	/* [required] single-context INVVPID */
#define HVTB_FEAT_UNRESTRICTED_GUEST	_BITULL(10)	/* [required] */
#define HVTB_FEAT_PREEMPTION_TIMER	_BITULL(11)	/* [required] */
#define HVTB_FEAT_PML			_BITULL(12)	/* page-modification logging */
#define HVTB_FEAT_SHADOW_VMCS		_BITULL(13)
#define HVTB_FEAT_TSC_SCALING		_BITULL(14)
#define HVTB_FEAT_VIRTUAL_NMI		_BITULL(15)
#define HVTB_FEAT_TPR_SHADOW		_BITULL(16)
#define HVTB_FEAT_VIRT_APIC_ACCESS	_BITULL(17)
#define HVTB_FEAT_X2APIC_MODE		_BITULL(18)
#define HVTB_FEAT_APIC_REG_VIRT		_BITULL(19)
#define HVTB_FEAT_VIRT_INTR_DELIVERY	_BITULL(20)
#define HVTB_FEAT_POSTED_INTR		_BITULL(21)
#define HVTB_FEAT_PAUSE_LOOP_EXITING	_BITULL(22)
#define HVTB_FEAT_VMFUNC		_BITULL(23)
#define HVTB_FEAT_EPT_VE		_BITULL(24)	/* EPT-violation #VE */
#define HVTB_FEAT_XSAVES		_BITULL(25)	/* enable XSAVES/XRSTORS */
#define HVTB_FEAT_MSR_BITMAPS		_BITULL(26)
#define HVTB_FEAT_IO_BITMAPS		_BITULL(27)
#define HVTB_FEAT_KNOWN_MASK		(_BITULL(28) - 1)

/* Feature bits the module refuses to load without. */
#define HVTB_FEAT_REQUIRED	(HVTB_FEAT_EPT | HVTB_FEAT_EPT_4LEVEL |	\
				 HVTB_FEAT_EPT_WB | HVTB_FEAT_INVEPT |	\
				 HVTB_FEAT_VPID | HVTB_FEAT_INVVPID |	\
				 HVTB_FEAT_UNRESTRICTED_GUEST |		\
				 HVTB_FEAT_PREEMPTION_TIMER)

/* Number of CPUs that hvtb_capabilities.vmx_root_mask can describe. */
#define HVTB_CPU_MASK_WORDS	4
#define HVTB_MAX_CPU_MASK	(64 * HVTB_CPU_MASK_WORDS)

/*
 * struct hvtb_capabilities - what the VMX probe found, read with
 * HVTB_GET_CAPABILITIES.
 *
 * The caller passes the struct zeroed: @flags must be 0 (no flags are defined
 * yet) and every other field must be 0 too, else -EINVAL. The raw MSR values
 * are those of the CPU that loaded the module; hvtb checked at load that every
 * online CPU agrees on what it requires.
 */
struct hvtb_capabilities {
	__u32 flags;			/* in: must be 0 */
	__u32 api_version;		/* HVTB_API_VERSION */
	__u64 features;			/* HVTB_FEAT_* */

	__u32 vmcs_revision;		/* IA32_VMX_BASIC[30:0] */
	__u32 vmcs_size;		/* IA32_VMX_BASIC[44:32], bytes */
	__u32 preemption_timer_shift;	/* timer ticks every 2^shift TSC cycles */
	__u32 tsc_khz;			/* host TSC frequency */

	__u32 online_cpus;		/* CPUs online now */
	__u32 vmx_root_cpus;		/* CPUs in VMX root operation now */
	__u64 vmx_root_mask[HVTB_CPU_MASK_WORDS]; /* bit n: CPU n in VMX root */

	/* Raw MSR values (the true controls where the CPU has them). */
	__u64 feature_control;		/* IA32_FEATURE_CONTROL */
	__u64 vmx_basic;		/* IA32_VMX_BASIC */
	__u64 pinbased_ctls;		/* IA32_VMX_(TRUE_)PINBASED_CTLS */
	__u64 procbased_ctls;		/* IA32_VMX_(TRUE_)PROCBASED_CTLS */
	__u64 procbased_ctls2;		/* IA32_VMX_PROCBASED_CTLS2 */
	__u64 exit_ctls;		/* IA32_VMX_(TRUE_)EXIT_CTLS */
	__u64 entry_ctls;		/* IA32_VMX_(TRUE_)ENTRY_CTLS */
	__u64 vmx_misc;			/* IA32_VMX_MISC */
	__u64 ept_vpid_cap;		/* IA32_VMX_EPT_VPID_CAP */
	__u64 cr0_fixed0;		/* IA32_VMX_CR0_FIXED0 */
	__u64 cr0_fixed1;		/* IA32_VMX_CR0_FIXED1 */
	__u64 cr4_fixed0;		/* IA32_VMX_CR4_FIXED0 */
	__u64 cr4_fixed1;		/* IA32_VMX_CR4_FIXED1 */
	__u64 vmfunc;			/* IA32_VMX_VMFUNC, 0 without VMFUNC */

	__u64 reserved[8];		/* must be 0 */
};

/* HVTB_GET_CAPABILITIES - fill struct hvtb_capabilities. */
#define HVTB_GET_CAPABILITIES	_IOWR(HVTBIO, 0x02, struct hvtb_capabilities)

#ifdef __cplusplus
#define hvtb_static_assert static_assert
#else
#define hvtb_static_assert _Static_assert
#endif
hvtb_static_assert(sizeof(struct hvtb_capabilities) == 248,
		   "struct hvtb_capabilities layout changed");
#undef hvtb_static_assert

#endif /* _UAPI_LINUX_HVTB_H */
