/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hvtb - hypervisor research testbed: the ioctl ABI of /dev/hvtb: the
 * system, partition and VP fds and the run page. The other concerns have
 * a header each beside this one: hvtb_apic.h (local APIC), hvtb_sched.h
 * (scheduler), hvtb_hv.h (Hyper-V enlightenments).
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
 * The ioctl numbers of every hvtb uapi header, in one table so that none is
 * given twice. Each ioctl is defined beside its argument struct as
 * _IOx(HVTBIO, HVTB_NR_<name>, struct ...). Names are HVTB_<NOUN>_<VERB>...
 * where the noun is the fd the ioctl goes to (PARTITION, VP); the ioctls of
 * /dev/hvtb itself have no noun. A number marked reserved is taken by work
 * in progress; a gap is free.
 *
 *   0x00-0x0f  /dev/hvtb                 (this header)
 *   0x10-0x1f  partition fd              (this header)
 *   0x20-0x2f  VP fd                     (this header)
 *   0x30-0x3f  Hyper-V enlightenments    (hvtb_hv.h)
 *   0x40-0x4f  local APIC                (hvtb_apic.h)
 *   0x50-0x5f  scheduler                 (hvtb_sched.h)
 *   0x60-0x6f  VMBus host                (reserved: hvtb_vmbus.h)
 */
#define HVTB_NR_GET_API_VERSION			0x00
#define HVTB_NR_CHECK_EXTENSION			0x01
#define HVTB_NR_GET_CAPABILITIES		0x02

#define HVTB_NR_CREATE_PARTITION		0x10
#define HVTB_NR_PARTITION_GET_INFO		0x11
#define HVTB_NR_PARTITION_MAP_GPA				0x12
#define HVTB_NR_PARTITION_UNMAP_GPA			0x13
#define HVTB_NR_PARTITION_SET_CPUID			0x14
#define HVTB_NR_PARTITION_SET_MSR_INTERCEPTS		0x15
#define HVTB_NR_PARTITION_CREATE_VP			0x16

#define HVTB_NR_VP_RUN				0x20
#define HVTB_NR_VP_GET_REGS			0x21
#define HVTB_NR_VP_SET_REGS			0x22
#define HVTB_NR_VP_GET_SREGS			0x23
#define HVTB_NR_VP_SET_SREGS			0x24
#define HVTB_NR_VP_GET_MSRS			0x25
#define HVTB_NR_VP_SET_MSRS			0x26
#define HVTB_NR_VP_GET_FPU			0x27
#define HVTB_NR_VP_SET_FPU			0x28
#define HVTB_NR_VP_GET_EVENTS			0x29
#define HVTB_NR_VP_SET_EVENTS			0x2a
#define HVTB_NR_VP_GET_STATS			0x2b
#define HVTB_NR_VP_GET_MP_STATE			0x2c
#define HVTB_NR_VP_SET_MP_STATE			0x2d

#define HVTB_NR_PARTITION_SET_HYPERV			0x30
#define HVTB_NR_PARTITION_CREATE_HV_PORT			0x31
#define HVTB_NR_PARTITION_SET_HV_EVENT			0x32
#define HVTB_NR_VP_GET_HV_STATS			0x33
#define HVTB_NR_PARTITION_POST_HV_MESSAGE			0x34
#define HVTB_NR_PARTITION_SIGNAL_HV_FLAG			0x35
#define HVTB_NR_VP_GET_SYNIC			0x36
#define HVTB_NR_VP_SET_SYNIC			0x37
#define HVTB_NR_PARTITION_GET_REFERENCE_TIME		0x38
#define HVTB_NR_PARTITION_SET_REFERENCE_TIME		0x39
#define HVTB_NR_VP_GET_SYNIC_QUEUE		0x3a
#define HVTB_NR_VP_SET_SYNIC_QUEUE		0x3b

#define HVTB_NR_VP_GET_LAPIC			0x40
#define HVTB_NR_VP_SET_LAPIC			0x41
#define HVTB_NR_PARTITION_ASSERT_INTERRUPT		0x42
#define HVTB_NR_PARTITION_SET_IRQFD				0x43

#define HVTB_NR_VP_SET_SCHED			0x50
#define HVTB_NR_VP_GET_SCHED			0x51
#define HVTB_NR_SET_SCHED_CPUS			0x52
#define HVTB_NR_GET_SCHED_CPUS			0x53
#define HVTB_NR_PARTITION_SET_SCHED		0x54
#define HVTB_NR_PARTITION_GET_SCHED		0x55

/* <linux/hvtb_vmbus.h> (partition fd) */
#define HVTB_NR_VMBUS_ENABLE			0x60
#define HVTB_NR_VMBUS_GET_STATS			0x61
#define HVTB_NR_VMBUS_OFFER_CHANNEL		0x62
/* <linux/hvtb_vmbus.h> (channel fd) */
#define HVTB_NR_VMBUS_CHANNEL_SET_EVENTFD	0x63
#define HVTB_NR_VMBUS_CHANNEL_SIGNAL		0x64
#define HVTB_NR_VMBUS_CHANNEL_GET_INFO		0x65
#define HVTB_NR_VMBUS_CHANNEL_RESCIND		0x66

/* Struct sizes are pinned beside each struct. */
#ifdef __cplusplus
#define hvtb_static_assert static_assert
#else
#define hvtb_static_assert _Static_assert
#endif

/*
 * HVTB_GET_API_VERSION - returns HVTB_API_VERSION.
 * The argument must be 0, else -EINVAL.
 */
#define HVTB_GET_API_VERSION	_IO(HVTBIO, HVTB_NR_GET_API_VERSION)

/*
 * HVTB_CHECK_EXTENSION - the argument names an extension (HVTB_EXT_*).
 * Returns 1 when the running module supports it, 0 when not (also for
 * extension numbers it does not know). An argument above 0xffffffff is
 * -EINVAL.
 */
#define HVTB_CHECK_EXTENSION	_IO(HVTBIO, HVTB_NR_CHECK_EXTENSION)

/* The API has HVTB_GET_CAPABILITIES. */
#define HVTB_EXT_CAPABILITIES	1
/* VMX root operation follows CPU hotplug (offline -> VMXOFF, online -> VMXON). */
#define HVTB_EXT_CPU_HOTPLUG	2
/* Partitions, guest memory on EPT, VPs and intercepts (the ioctls below). */
#define HVTB_EXT_PARTITIONS	3
/* hvtb's own vCPU scheduler: HVTB_VP_SET/GET_SCHED, HVTB_PARTITION_ROOT_SCHED */
#define HVTB_EXT_SCHED		6
/*
 * In-kernel local APIC per VP (HVTB_PARTITION_LAPIC), the APIC state,
 * interrupt and irqfd ioctls 0x40..0x43.
 */
#define HVTB_EXT_LAPIC		5
/* Hyper-V (TLFS) enlightenments: HVTB_PARTITION_SET_HYPERV, message ports, events. */
#define HVTB_EXT_HYPERV		4

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
hvtb_static_assert(sizeof(struct hvtb_capabilities) == 248,
		   "struct hvtb_capabilities layout changed");

/* HVTB_GET_CAPABILITIES - fill struct hvtb_capabilities. */
#define HVTB_GET_CAPABILITIES	_IOWR(HVTBIO, HVTB_NR_GET_CAPABILITIES, struct hvtb_capabilities)


/*
 * Partitions
 *
 * HVTB_CREATE_PARTITION on /dev/hvtb returns a partition fd; its ioctls
 * map guest memory, set the CPUID table and create VPs (each a VP fd).
 * A partition lives until its fd and every VP fd are closed.
 */

/* Most VPs one partition may have. */
#define HVTB_MAX_VPS		64

/*
 * struct hvtb_partition_config.flags
 *
 * By default a partition's VPs execute on hvtb's own per-CPU scheduler
 * threads (weights, caps, reserves, affinity: HVTB_VP_SET_SCHED) and
 * HVTB_VP_RUN waits for the next intercept. With HVTB_PARTITION_ROOT_SCHED
 * a VP executes on the thread that calls HVTB_VP_RUN and the host's
 * scheduler decides (as KVM does); the uapi is the same in both modes.
 */
#define HVTB_PARTITION_ROOT_SCHED	_BITULL(1)

/*
 * HVTB_PARTITION_LAPIC: every VP gets an in-kernel local APIC (xAPIC MMIO
 * at IA32_APIC_BASE, x2APIC MSRs, LAPIC timer, IPIs between the VPs) and a
 * HLT with RFLAGS.IF=1 does not exit with HVTB_EXIT_HLT: the VP blocks,
 * using no CPU, until an interrupt or NMI arrives for it, and HVTB_VP_RUN
 * goes on waiting meanwhile (on hvtb's scheduler the VP leaves its CPU's
 * run queue; with HVTB_PARTITION_ROOT_SCHED the RUN caller sleeps).
 * Without it, nothing changes.
 */
#define HVTB_PARTITION_LAPIC	_BITULL(0)

/*
 * APIC virtualization. Where the CPU has the TPR shadow, APIC-register
 * virtualization, virtual-interrupt delivery, APIC-access virtualization
 * and x2APIC-mode virtualization (HVTB_FEAT_*) and the module parameter
 * apicv is on, an HVTB_PARTITION_LAPIC partition uses them
 * (HVTB_PARTITION_INFO_APICV): the VP's APIC registers are its
 * virtual-APIC page; reads of them, TPR and CR8, EOI and x2APIC self-IPIs
 * stay in the guest, and interrupts are delivered by the CPU when the
 * guest can take them, without interrupt-window exits. The guest-physical
 * page at the default APIC base (0xfee00000) then holds a per-partition
 * APIC-access page: a memory range may not overlap it (-EEXIST), and
 * while a VP's APIC is not in xAPIC mode at that base the page reads as
 * memory. A VP whose SynIC has an auto-EOI SINT falls back to the exiting
 * path while it does (the CPU would set ISR for those vectors).
 * HVTB_PARTITION_NO_APICV asks for the exiting path always (comparisons,
 * CPUs without the features use it anyway).
 */
#define HVTB_PARTITION_NO_APICV	_BITULL(2)
#define HVTB_PARTITION_FLAGS_MASK	(HVTB_PARTITION_LAPIC | HVTB_PARTITION_ROOT_SCHED | \
					 HVTB_PARTITION_NO_APICV)

struct hvtb_partition_config {
	__u32 flags;		/* HVTB_PARTITION_* */
	__u32 max_vps;		/* 1..HVTB_MAX_VPS; 0 means HVTB_MAX_VPS */
	/* bytes of guest memory; 0: no limit beyond RLIMIT_MEMLOCK */
	__u64 max_memory;
	__u64 reserved[6];	/* must be 0 */
};
hvtb_static_assert(sizeof(struct hvtb_partition_config) == 64, "layout");

/* Returns a new partition fd (O_CLOEXEC). */
#define HVTB_CREATE_PARTITION	_IOW(HVTBIO, HVTB_NR_CREATE_PARTITION, struct hvtb_partition_config)

struct hvtb_partition_info {
	__u32 id;		/* unique while the module is loaded */
	__u32 nr_vps;
	__u32 max_vps;
	__u32 nr_ranges;	/* GPA ranges mapped */
	__u64 max_memory;
	__u64 mapped_bytes;	/* sum of the mapped ranges */
	__u64 pinned_pages;	/* 4 KiB pages pinned for guest memory */
	__u64 ept_2m_mappings;	/* EPT entries mapping 2 MiB */
	__u64 ept_4k_mappings;	/* EPT entries mapping 4 KiB */
	__u32 flags;		/* HVTB_PARTITION_INFO_* */
	__u32 pad;
	__u64 reserved[3];
};
hvtb_static_assert(sizeof(struct hvtb_partition_info) == 88, "layout");

/* The VPs' local APICs use the CPU's APIC virtualization. */
#define HVTB_PARTITION_INFO_APICV	_BITULL(0)

#define HVTB_PARTITION_GET_INFO	_IOR(HVTBIO, HVTB_NR_PARTITION_GET_INFO, struct hvtb_partition_info)

/* Permissions of a GPA range. */
#define HVTB_MAP_READ		_BITULL(0)
#define HVTB_MAP_WRITE		_BITULL(1)
#define HVTB_MAP_EXEC		_BITULL(2)
#define HVTB_MAP_FLAGS_MASK	(HVTB_MAP_READ | HVTB_MAP_WRITE | HVTB_MAP_EXEC)

/*
 * A range of guest-physical memory backed by the caller's memory (anonymous,
 * a shared memfd, hugetlbfs). @gpa, @size and @uaddr are 4 KiB aligned,
 * @size is not 0 and neither range wraps (-EINVAL); the range must not
 * overlap a mapped one (-EEXIST); @uaddr must be mapped (-EFAULT); going past
 * max_memory or RLIMIT_MEMLOCK is -ENOSPC / -ENOMEM.
 * HVTB_PARTITION_UNMAP_GPA takes exactly a range that was mapped (@uaddr and @flags 0),
 * else -ENOENT.
 */
struct hvtb_memory_range {
	__u64 gpa;
	__u64 size;
	__u64 uaddr;
	__u32 flags;		/* HVTB_MAP_*, at least READ */
	__u32 pad;		/* must be 0 */
	__u64 reserved[4];	/* must be 0 */
};
hvtb_static_assert(sizeof(struct hvtb_memory_range) == 64, "layout");

#define HVTB_PARTITION_MAP_GPA		_IOW(HVTBIO, HVTB_NR_PARTITION_MAP_GPA, struct hvtb_memory_range)
#define HVTB_PARTITION_UNMAP_GPA		_IOW(HVTBIO, HVTB_NR_PARTITION_UNMAP_GPA, struct hvtb_memory_range)

/* CPUID entry flags */
#define HVTB_CPUID_INDEXED	_BITULL(0)	/* @index is significant */
#define HVTB_CPUID_EXIT		_BITULL(1)	/* ask user space (HVTB_EXIT_CPUID) */
#define HVTB_CPUID_FLAGS_MASK	(HVTB_CPUID_INDEXED | HVTB_CPUID_EXIT)

struct hvtb_cpuid_entry {
	__u32 function;
	__u32 index;
	__u32 flags;		/* HVTB_CPUID_* */
	__u32 eax;
	__u32 ebx;
	__u32 ecx;
	__u32 edx;
	__u32 pad;		/* must be 0 */
};
hvtb_static_assert(sizeof(struct hvtb_cpuid_entry) == 32, "layout");

/* Most entries one CPUID table may have. */
#define HVTB_MAX_CPUID_ENTRIES	256

/*
 * The CPUID the partition's guests see: a leaf not in the table returns
 * zeros (as a CPU does past its maximum leaf). Replaces the whole table.
 */
struct hvtb_cpuid_table {
	__u32 nent;		/* 0..HVTB_MAX_CPUID_ENTRIES */
	__u32 pad;		/* must be 0 */
	__u64 entries;		/* user pointer to nent struct hvtb_cpuid_entry */
	__u64 reserved[2];	/* must be 0 */
};
hvtb_static_assert(sizeof(struct hvtb_cpuid_table) == 32, "layout");

#define HVTB_PARTITION_SET_CPUID		_IOW(HVTBIO, HVTB_NR_PARTITION_SET_CPUID, struct hvtb_cpuid_table)

/* Most MSRs one intercept list may have. */
#define HVTB_MAX_MSR_INTERCEPTS	64

/*
 * MSRs whose guest reads and writes go to user space (HVTB_EXIT_MSR_*)
 * instead of the kernel. Replaces the whole list.
 */
struct hvtb_msr_list {
	__u32 nmsrs;		/* 0..HVTB_MAX_MSR_INTERCEPTS */
	__u32 pad;		/* must be 0 */
	__u64 indices;		/* user pointer to nmsrs __u32 MSR numbers */
	__u64 reserved[2];	/* must be 0 */
};
hvtb_static_assert(sizeof(struct hvtb_msr_list) == 32, "layout");

#define HVTB_PARTITION_SET_MSR_INTERCEPTS	_IOW(HVTBIO, HVTB_NR_PARTITION_SET_MSR_INTERCEPTS, struct hvtb_msr_list)

struct hvtb_vp_config {
	__u32 index;		/* 0..max_vps-1, unique in the partition (-EEXIST) */
	__u32 flags;		/* must be 0 */
	__u64 reserved[3];	/* must be 0 */
};
hvtb_static_assert(sizeof(struct hvtb_vp_config) == 32, "layout");

/* Returns a new VP fd (O_CLOEXEC). */
#define HVTB_PARTITION_CREATE_VP		_IOW(HVTBIO, HVTB_NR_PARTITION_CREATE_VP, struct hvtb_vp_config)

/*
 * Virtual processors
 *
 * A new VP starts as an x86 CPU does after INIT: real mode, CS:IP
 * f000:fff0 (base 0xffff0000), RFLAGS 2, CR0 0x60000010 (then PE/PG as
 * set). mmap(vp_fd, 0, 4096) maps its struct hvtb_run.
 */

struct hvtb_regs {
	__u64 rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	__u64 r8, r9, r10, r11, r12, r13, r14, r15;
	__u64 rip, rflags;
};
hvtb_static_assert(sizeof(struct hvtb_regs) == 144, "layout");

/*
 * A segment register; @ar is the VMX access-rights format: type 3:0, S 4,
 * DPL 6:5, P 7, AVL 12, L 13, D/B 14, G 15, unusable 16.
 */
struct hvtb_segment {
	__u64 base;
	__u32 limit;
	__u16 selector;
	__u16 pad;		/* must be 0 */
	__u32 ar;
	__u32 pad2;		/* must be 0 */
};
hvtb_static_assert(sizeof(struct hvtb_segment) == 24, "layout");

#define HVTB_SEG_AR_UNUSABLE	_BITULL(16)

struct hvtb_dtable {
	__u64 base;
	__u16 limit;
	__u16 pad[3];		/* must be 0 */
};
hvtb_static_assert(sizeof(struct hvtb_dtable) == 16, "layout");

struct hvtb_sregs {
	struct hvtb_segment cs, ds, es, fs, gs, ss, tr, ldt;
	struct hvtb_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4, cr8;
	__u64 efer;
	__u64 apic_base;
	__u64 reserved[4];	/* must be 0 */
};
hvtb_static_assert(sizeof(struct hvtb_sregs) == 8 * 24 + 2 * 16 + 11 * 8, "layout");

#define HVTB_VP_GET_REGS	_IOR(HVTBIO, HVTB_NR_VP_GET_REGS, struct hvtb_regs)
#define HVTB_VP_SET_REGS	_IOW(HVTBIO, HVTB_NR_VP_SET_REGS, struct hvtb_regs)
#define HVTB_VP_GET_SREGS	_IOR(HVTBIO, HVTB_NR_VP_GET_SREGS, struct hvtb_sregs)
#define HVTB_VP_SET_SREGS	_IOW(HVTBIO, HVTB_NR_VP_SET_SREGS, struct hvtb_sregs)

struct hvtb_msr_entry {
	__u32 index;
	__u32 pad;		/* must be 0 */
	__u64 data;
};
hvtb_static_assert(sizeof(struct hvtb_msr_entry) == 16, "layout");

/*
 * Get or set MSRs of a VP. Returns the number of entries done; it stops at
 * the first MSR not in the list below (so a return below @nmsrs names it).
 * MSRs kept per VP: IA32_SYSENTER_CS/ESP/EIP, STAR, LSTAR, CSTAR, SFMASK,
 * KERNEL_GS_BASE, TSC_AUX, PAT, TSC (as the guest sees it), DEBUGCTL,
 * MISC_ENABLE, and the synthetic MSRs of the TLFS (HVTB_EXT_HYPERV:
 * GUEST_OS_ID, HYPERCALL, VP_INDEX, TIME_REF_COUNT, REFERENCE_TSC,
 * TSC/APIC_FREQUENCY, VP_ASSIST_PAGE, SCONTROL..EOM, SINT0..15,
 * STIMER0..3 CONFIG/COUNT), whatever the privileges granted.
 * EFER and APIC_BASE are in struct hvtb_sregs.
 */
struct hvtb_msrs {
	__u32 nmsrs;		/* 1..HVTB_MAX_MSR_INTERCEPTS */
	__u32 pad;		/* must be 0 */
	__u64 entries;		/* user pointer to nmsrs struct hvtb_msr_entry */
};
hvtb_static_assert(sizeof(struct hvtb_msrs) == 16, "layout");

#define HVTB_VP_GET_MSRS	_IOWR(HVTBIO, HVTB_NR_VP_GET_MSRS, struct hvtb_msrs)
#define HVTB_VP_SET_MSRS	_IOW(HVTBIO, HVTB_NR_VP_SET_MSRS, struct hvtb_msrs)

/* The guest's x87/SSE/AVX state in the XSAVE (non-compacted) format. */
struct hvtb_xsave {
	__u32 region[1024];
};
hvtb_static_assert(sizeof(struct hvtb_xsave) == 4096, "layout");

#define HVTB_VP_GET_FPU		_IOR(HVTBIO, HVTB_NR_VP_GET_FPU, struct hvtb_xsave)
#define HVTB_VP_SET_FPU		_IOW(HVTBIO, HVTB_NR_VP_SET_FPU, struct hvtb_xsave)

/* Events pending or being injected, and interrupt blocking. */
struct hvtb_vp_events {
	struct {
		__u8 pending;		/* inject at the next entry */
		__u8 vector;		/* 0..31 */
		__u8 has_error_code;
		__u8 pad;
		__u32 error_code;
	} exception;
	struct {
		__u8 pending;		/* inject when the guest can take it */
		__u8 vector;		/* 32..255 */
		__u8 pad[6];
	} interrupt;
	struct {
		__u8 pending;
		__u8 masked;		/* blocked by NMI */
		__u8 pad[6];
	} nmi;
	__u32 interruptibility;	/* bit 0 STI blocking, bit 1 MOV-SS blocking */
	__u32 flags;		/* must be 0 */
	__u64 reserved[4];	/* must be 0 */
};
hvtb_static_assert(sizeof(struct hvtb_vp_events) == 64, "layout");

#define HVTB_VP_GET_EVENTS	_IOR(HVTBIO, HVTB_NR_VP_GET_EVENTS, struct hvtb_vp_events)
#define HVTB_VP_SET_EVENTS	_IOW(HVTBIO, HVTB_NR_VP_SET_EVENTS, struct hvtb_vp_events)

/* VMX basic exit reasons counted per VP (0..HVTB_STAT_EXIT_REASONS-1). */
#define HVTB_STAT_EXIT_REASONS	80

struct hvtb_vp_stats {
	__u64 runs;		/* HVTB_VP_RUN calls */
	__u64 exits;		/* all VM exits */
	__u64 user_exits;	/* intercepts delivered to user space */
	__u64 guest_ns;		/* time in VMX non-root operation */
	__u64 by_reason[HVTB_STAT_EXIT_REASONS];	/* VM exits by basic reason */
	__u64 by_intercept[16];	/* user exits by HVTB_EXIT_* */
	/* hvtb's scheduler (0 for HVTB_PARTITION_ROOT_SCHED partitions) */
	__u64 sched_runtime_ns;	/* CPU time given to the VP by its thread */
	__u64 sched_wait_ns;	/* time runnable but waiting for its CPU */
	__u64 sched_dispatches;	/* times a scheduler thread picked it */
	__u64 sched_preemptions; /* slices that ended with the VP still runnable */
	__u64 reserved[8];	/* 0: room for counters to come */
};
hvtb_static_assert(sizeof(struct hvtb_vp_stats) == (104 + 8) * 8, "layout");

#define HVTB_VP_GET_STATS	_IOR(HVTBIO, HVTB_NR_VP_GET_STATS, struct hvtb_vp_stats)

/* struct hvtb_mp_state.state */
#define HVTB_MP_STATE_RUNNABLE	0	/* executes (or halts) as usual */
#define HVTB_MP_STATE_WAIT_SIPI	1	/* after an INIT: waits for a SIPI */

/*
 * Multiprocessor state of a VP (partitions with HVTB_PARTITION_LAPIC;
 * else -ENODEV). A VP starts RUNNABLE. An INIT IPI from its in-kernel APIC
 * resets it as an INIT does (registers, segments, control registers, the
 * APIC's registers; not IA32_APIC_BASE, the APIC ID, other MSRs, the FPU or
 * the TSC) and makes it WAIT_SIPI; HVTB_VP_RUN of a WAIT_SIPI VP blocks
 * without using a CPU until a SIPI starts it in real mode at CS = vector
 * << 8 (base vector << 12), IP 0 (or until a signal: HVTB_EXIT_INTR, the
 * next RUN waits on). A SIPI to a RUNNABLE VP is ignored.
 * SET to WAIT_SIPI does what an INIT does, at once (so a worker makes its
 * APs wait before the BSP starts them); SET to RUNNABLE ends the wait with
 * the registers as they are. -EINVAL: unknown @state, non-zero pad/reserved.
 */
struct hvtb_mp_state {
	__u32 state;		/* HVTB_MP_STATE_* */
	__u32 pad;		/* must be 0 */
	__u64 reserved[2];	/* must be 0 */
};
hvtb_static_assert(sizeof(struct hvtb_mp_state) == 24, "layout");

#define HVTB_VP_GET_MP_STATE	_IOR(HVTBIO, HVTB_NR_VP_GET_MP_STATE, struct hvtb_mp_state)
#define HVTB_VP_SET_MP_STATE	_IOW(HVTBIO, HVTB_NR_VP_SET_MP_STATE, struct hvtb_mp_state)

/*
 * HVTB_VP_RUN - run the VP until an intercept needs user space; the
 * intercept is in struct hvtb_run. The argument is 0 or HVTB_RUN_ASYNC.
 * Returns 0, or -EINTR when a signal is pending (exit_reason
 * HVTB_EXIT_INTR; the VP is resumable). User space completes the intercept
 * (e.g. the value of an IN) in struct hvtb_run before the next RUN.
 * A VP with an in-kernel APIC that is in HLT when a signal ends the run
 * stays in HLT at the next RUN, unless user space set its registers or
 * events in between (HVTB_VP_SET_REGS, _SREGS, _EVENTS).
 *
 * HVTB_RUN_ASYNC (VPs on hvtb's scheduler; -EINVAL with
 * HVTB_PARTITION_ROOT_SCHED) starts the run and returns -EINPROGRESS at
 * once; poll() on the VP fd reports EPOLLIN when the run has ended, and a
 * HVTB_VP_RUN with 0 then returns its result without running the VP again
 * (or waits for it). So one thread can serve many VPs with one epoll loop.
 * While such a run is in flight, the VP's other ioctls fail with -EBUSY,
 * except HVTB_VP_GET_STATS and HVTB_VP_GET_SCHED.
 */
#define HVTB_VP_RUN		_IO(HVTBIO, HVTB_NR_VP_RUN)
#define HVTB_RUN_ASYNC		1

/* struct hvtb_run.exit_reason */
#define HVTB_EXIT_NONE		0
#define HVTB_EXIT_IO		1	/* port I/O; RIP is past the instruction */
/* GPA outside every range, or against its permissions; RIP at the insn */
#define HVTB_EXIT_MMIO		2
#define HVTB_EXIT_HLT		3	/* RIP past HLT */
#define HVTB_EXIT_HYPERCALL	4	/* VMCALL not handled in the kernel */
#define HVTB_EXIT_CPUID		5	/* a leaf marked HVTB_CPUID_EXIT */
#define HVTB_EXIT_MSR_READ	6	/* an MSR in the intercept list */
#define HVTB_EXIT_MSR_WRITE	7
#define HVTB_EXIT_SHUTDOWN	8	/* triple fault */
#define HVTB_EXIT_FAIL_ENTRY	9	/* VM entry failed */
#define HVTB_EXIT_INTR		10	/* run cancelled by a signal */
#define HVTB_EXIT_INTERNAL	11	/* an exit hvtb cannot handle */
#define HVTB_EXIT_MAX		11

/* struct hvtb_exit_io.direction */
#define HVTB_IO_OUT		0
#define HVTB_IO_IN		1

/* struct hvtb_exit_mmio.access */
#define HVTB_ACCESS_READ	_BITULL(0)
#define HVTB_ACCESS_WRITE	_BITULL(1)
#define HVTB_ACCESS_EXEC	_BITULL(2)
/* struct hvtb_exit_mmio.flags */
#define HVTB_MMIO_GVA_VALID	_BITULL(0)	/* @gva holds the linear address */
#define HVTB_MMIO_MAPPED	_BITULL(1)	/* in a range: a permission fault */
#define HVTB_MMIO_DECODED	_BITULL(2)	/* @len, @write, @data are valid */

/* Size of the data area of struct hvtb_run (string I/O). */
#define HVTB_RUN_DATA_SIZE	2048

/*
 * Port I/O. IN/OUT: @count 1, OUT's value in @value, an IN's value is
 * written by user space into @value. INS/OUTS (string, maybe REP): @count
 * elements of @size bytes at @data_offset in struct hvtb_run; the kernel
 * copies them from guest memory for OUTS and into it for INS when the next
 * RUN completes the intercept, and updates RSI/RDI/RCX.
 */
struct hvtb_exit_io {
	__u16 port;
	__u8 size;		/* 1, 2 or 4 */
	__u8 direction;		/* HVTB_IO_* */
	__u8 string;
	__u8 rep;
	__u16 pad;
	__u32 count;
	__u32 data_offset;	/* from the start of struct hvtb_run */
	__u64 value;
};
hvtb_static_assert(sizeof(struct hvtb_exit_io) == 24, "layout");

/*
 * An access to a GPA outside every range (or against a range's
 * permissions). RIP is at the instruction; @insn holds its bytes.
 *
 * HVTB_MMIO_DECODED: the kernel decoded the instruction as a MOV to or from
 * memory (MOV A0-A3, 88/89/8a/8b, c6/c7, MOVZX/MOVSX 0f b6/b7/be/bf, with
 * any prefixes and addressing forms), as KVM_EXIT_MMIO does: @len bytes at
 * @gpa, @write 1 for a store whose value is in @data. For a load, user
 * space puts the value into @data (the low @len bytes count) and the next
 * HVTB_VP_RUN writes it to the destination register (zero- or sign-extended
 * as the instruction does) and moves RIP past the instruction; for a store
 * the next RUN moves RIP past it. HVTB_VP_SET_REGS, _SREGS or _EVENTS
 * before that RUN cancel the completion (user space emulated it itself).
 * Only accesses to a GPA in no range are decoded (not HVTB_MMIO_MAPPED, not
 * instruction fetches); without the flag, user space emulates the
 * instruction from @insn and sets RIP itself.
 */
struct hvtb_exit_mmio {
	__u64 gpa;
	__u64 gva;
	__u32 access;		/* HVTB_ACCESS_* that faulted */
	__u32 flags;		/* HVTB_MMIO_* */
	__u8 insn_len;		/* bytes of @insn fetched (0 if unreadable) */
	__u8 insn[15];		/* the instruction at RIP */
	__u8 len;		/* HVTB_MMIO_DECODED: 1, 2, 4 or 8 */
	__u8 write;		/* HVTB_MMIO_DECODED: 1 store, 0 load */
	__u8 pad[6];
	__u64 data;		/* store: the value; load: in, the value */
};
/* grows within the 256 bytes of struct hvtb_run's union */
hvtb_static_assert(sizeof(struct hvtb_exit_mmio) <= 256, "layout");

struct hvtb_exit_cpuid {
	__u32 function;
	__u32 index;
	__u32 eax, ebx, ecx, edx;	/* in: the result user space gives */
};
hvtb_static_assert(sizeof(struct hvtb_exit_cpuid) == 24, "layout");

struct hvtb_exit_msr {
	__u32 index;
	__u8 error;		/* in: 1 makes the guest's access #GP */
	__u8 pad[3];
	__u64 data;		/* WRITE: the value; READ: in, the result */
};
hvtb_static_assert(sizeof(struct hvtb_exit_msr) == 16, "layout");

/* A VMCALL: the guest's registers; @result goes to RAX. */
struct hvtb_exit_hypercall {
	__u64 rax, rbx, rcx, rdx, rsi, rdi, r8, r9;
	__u64 result;
};
hvtb_static_assert(sizeof(struct hvtb_exit_hypercall) == 72, "layout");

struct hvtb_exit_fail_entry {
	__u32 hw_exit_reason;		/* VMCS exit reason (bit 31 set) */
	__u32 vm_instruction_error;	/* for VMfail (else 0) */
	__u64 qualification;
};
hvtb_static_assert(sizeof(struct hvtb_exit_fail_entry) == 16, "layout");

/* struct hvtb_exit_internal.suberror */
#define HVTB_INTERNAL_UNHANDLED_EXIT	1	/* no handler for the exit */
#define HVTB_INTERNAL_EMULATION		2	/* cannot complete an intercept */
#define HVTB_INTERNAL_EVENT_DELIVERY	3	/* exit while delivering an event */

struct hvtb_exit_internal {
	__u32 suberror;		/* HVTB_INTERNAL_* */
	__u32 hw_exit_reason;
	__u64 qualification;
	__u64 data[2];
};
hvtb_static_assert(sizeof(struct hvtb_exit_internal) == 32, "layout");

struct hvtb_run {
	__u32 exit_reason;	/* out: HVTB_EXIT_* */
	__u32 flags;		/* must be 0 */
	__u64 reserved0[3];
	union {
		struct hvtb_exit_io io;
		struct hvtb_exit_mmio mmio;
		struct hvtb_exit_cpuid cpuid;
		struct hvtb_exit_msr msr;
		struct hvtb_exit_hypercall hypercall;
		struct hvtb_exit_fail_entry fail_entry;
		struct hvtb_exit_internal internal;
		__u8 padding[256];
	};
	__u8 data[HVTB_RUN_DATA_SIZE];
};
hvtb_static_assert(sizeof(struct hvtb_run) == 32 + 256 + HVTB_RUN_DATA_SIZE, "layout");
hvtb_static_assert(sizeof(struct hvtb_run) <= 4096, "run page");

#endif /* _UAPI_LINUX_HVTB_H */
