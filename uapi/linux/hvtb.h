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
/* Partitions, guest memory on EPT, VPs and intercepts (the ioctls below). */
#define HVTB_EXT_PARTITIONS	3
/* hvtb's own vCPU scheduler: HVTB_VP_SET/GET_SCHED, HVTB_PARTITION_ROOT_SCHED */
#define HVTB_EXT_SCHED		6
/*
 * In-kernel local APIC per VP (HVTB_PARTITION_LAPIC), the APIC state,
 * interrupt and irqfd ioctls 0x40..0x43.
 */
#define HVTB_EXT_LAPIC		5
/* Hyper-V (TLFS) enlightenments: HVTB_SET_HYPERV, message ports, events. */
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

/* HVTB_GET_CAPABILITIES - fill struct hvtb_capabilities. */
#define HVTB_GET_CAPABILITIES	_IOWR(HVTBIO, 0x02, struct hvtb_capabilities)


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

/* Returns a new partition fd (O_CLOEXEC). */
#define HVTB_CREATE_PARTITION	_IOW(HVTBIO, 0x10, struct hvtb_partition_config)

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

/* The VPs' local APICs use the CPU's APIC virtualization. */
#define HVTB_PARTITION_INFO_APICV	_BITULL(0)

#define HVTB_PARTITION_GET_INFO	_IOR(HVTBIO, 0x11, struct hvtb_partition_info)

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
 * HVTB_UNMAP_GPA takes exactly a range that was mapped (@uaddr and @flags 0),
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

#define HVTB_MAP_GPA		_IOW(HVTBIO, 0x12, struct hvtb_memory_range)
#define HVTB_UNMAP_GPA		_IOW(HVTBIO, 0x13, struct hvtb_memory_range)

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

#define HVTB_SET_CPUID		_IOW(HVTBIO, 0x14, struct hvtb_cpuid_table)

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

#define HVTB_SET_MSR_INTERCEPTS	_IOW(HVTBIO, 0x15, struct hvtb_msr_list)

struct hvtb_vp_config {
	__u32 index;		/* 0..max_vps-1, unique in the partition (-EEXIST) */
	__u32 flags;		/* must be 0 */
	__u64 reserved[3];	/* must be 0 */
};

/* Returns a new VP fd (O_CLOEXEC). */
#define HVTB_CREATE_VP		_IOW(HVTBIO, 0x16, struct hvtb_vp_config)

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

#define HVTB_SEG_AR_UNUSABLE	_BITULL(16)

struct hvtb_dtable {
	__u64 base;
	__u16 limit;
	__u16 pad[3];		/* must be 0 */
};

struct hvtb_sregs {
	struct hvtb_segment cs, ds, es, fs, gs, ss, tr, ldt;
	struct hvtb_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4, cr8;
	__u64 efer;
	__u64 apic_base;
	__u64 reserved[4];	/* must be 0 */
};

#define HVTB_VP_GET_REGS	_IOR(HVTBIO, 0x21, struct hvtb_regs)
#define HVTB_VP_SET_REGS	_IOW(HVTBIO, 0x22, struct hvtb_regs)
#define HVTB_VP_GET_SREGS	_IOR(HVTBIO, 0x23, struct hvtb_sregs)
#define HVTB_VP_SET_SREGS	_IOW(HVTBIO, 0x24, struct hvtb_sregs)

struct hvtb_msr_entry {
	__u32 index;
	__u32 pad;		/* must be 0 */
	__u64 data;
};

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

#define HVTB_VP_GET_MSRS	_IOWR(HVTBIO, 0x25, struct hvtb_msrs)
#define HVTB_VP_SET_MSRS	_IOW(HVTBIO, 0x26, struct hvtb_msrs)

/* The guest's x87/SSE/AVX state in the XSAVE (non-compacted) format. */
struct hvtb_xsave {
	__u32 region[1024];
};

#define HVTB_VP_GET_FPU		_IOR(HVTBIO, 0x27, struct hvtb_xsave)
#define HVTB_VP_SET_FPU		_IOW(HVTBIO, 0x28, struct hvtb_xsave)

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

#define HVTB_VP_GET_EVENTS	_IOR(HVTBIO, 0x29, struct hvtb_vp_events)
#define HVTB_VP_SET_EVENTS	_IOW(HVTBIO, 0x2a, struct hvtb_vp_events)

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
};

#define HVTB_VP_GET_STATS	_IOR(HVTBIO, 0x2b, struct hvtb_vp_stats)

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

#define HVTB_VP_GET_MP_STATE	_IOR(HVTBIO, 0x2c, struct hvtb_mp_state)
#define HVTB_VP_SET_MP_STATE	_IOW(HVTBIO, 0x2d, struct hvtb_mp_state)

/*
 * Scheduling policy of a VP on hvtb's scheduler, in the manner of Hyper-V's
 * classic scheduler. Caps and reserves are in basis points of one host CPU
 * per accounting period (100 ms; 10000 = a whole CPU); within them VPs
 * share a CPU in proportion to their weights.
 *
 * SET: @weight 1..10000 (default 100); @cap_bp 0 (none) or 1..10000;
 * @reserve_bp 0 (none) or up to @cap_bp when capped; @affinity the host
 * CPUs the VP may run on (all zero: any of hvtb's scheduler CPUs), at
 * least one of them a scheduler CPU; @flags, @cpu, @pad, @reserved 0.
 * Bad values are -EINVAL; a reserve that no allowed CPU has room for (the
 * reserves on a CPU never add up to more than the CPU) is -ENOSPC. The VP
 * moves to an allowed CPU before its next run. -EINVAL too for a VP of an
 * HVTB_PARTITION_ROOT_SCHED partition.
 * GET: the policy, and in @cpu the host CPU the VP is assigned to, or
 * 0xffffffff when it has none yet.
 */
struct hvtb_vp_sched {
	__u32 weight;
	__u32 cap_bp;
	__u32 reserve_bp;
	__u32 flags;		/* must be 0 */
	__u64 affinity[HVTB_CPU_MASK_WORDS];
	__u32 cpu;		/* GET only */
	__u32 pad;		/* must be 0 */
	__u64 reserved[4];	/* must be 0 */
};

#define HVTB_SCHED_WEIGHT_MIN		1
#define HVTB_SCHED_WEIGHT_MAX		10000
#define HVTB_SCHED_WEIGHT_DEFAULT	100
#define HVTB_SCHED_BP_ONE_CPU		10000	/* basis points of one CPU */
#define HVTB_VP_SET_SCHED	_IOW(HVTBIO, 0x50, struct hvtb_vp_sched)
#define HVTB_VP_GET_SCHED	_IOR(HVTBIO, 0x51, struct hvtb_vp_sched)

/*
 * HVTB_SET_PARTITION_SCHED / HVTB_GET_PARTITION_SCHED (on a partition fd) -
 * the policy every VP created afterwards starts with, as if
 * HVTB_VP_SET_SCHED had given it (same values, same -EINVAL; @cpu 0 on
 * SET). A VP whose default reserve no allowed CPU has room for is not
 * created: HVTB_CREATE_VP fails with -ENOSPC. VPs that exist keep their
 * policy. The initial default is weight HVTB_SCHED_WEIGHT_DEFAULT, no cap,
 * no reserve, any scheduler CPU. -EINVAL for an HVTB_PARTITION_ROOT_SCHED
 * partition.
 */
#define HVTB_SET_PARTITION_SCHED	_IOW(HVTBIO, 0x54, struct hvtb_vp_sched)
#define HVTB_GET_PARTITION_SCHED	_IOR(HVTBIO, 0x55, struct hvtb_vp_sched)

/*
 * HVTB_SET_SCHED_CPUS / HVTB_GET_SCHED_CPUS (on /dev/hvtb) - the host CPUs
 * of hvtb's scheduler, for all partitions (the module parameter sched_cpus
 * sets the initial set; the default is every CPU).
 *
 * SET needs CAP_SYS_NICE (-EPERM). @mask names CPUs below the number of
 * possible CPUs, at least one of them online in VMX root (-EINVAL
 * otherwise); @reserved must be 0. VPs assigned to a CPU leaving the set
 * move to another scheduler CPU allowed by their affinity (or to any, when
 * their affinity names no CPU left); a VP running there moves at the end
 * of its slice. -EBUSY, and nothing changes, when a VP with a reserve is
 * assigned to a CPU leaving the set: change its policy first. CPUs joining
 * the set take new placements; VPs already placed stay where they are.
 * GET: the current set.
 */
struct hvtb_sched_cpus {
	__u64 mask[HVTB_CPU_MASK_WORDS];
	__u64 reserved[4];	/* must be 0 */
};
#define HVTB_SET_SCHED_CPUS	_IOW(HVTBIO, 0x52, struct hvtb_sched_cpus)
#define HVTB_GET_SCHED_CPUS	_IOR(HVTBIO, 0x53, struct hvtb_sched_cpus)

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
#define HVTB_VP_RUN		_IO(HVTBIO, 0x20)
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

struct hvtb_exit_cpuid {
	__u32 function;
	__u32 index;
	__u32 eax, ebx, ecx, edx;	/* in: the result user space gives */
};

struct hvtb_exit_msr {
	__u32 index;
	__u8 error;		/* in: 1 makes the guest's access #GP */
	__u8 pad[3];
	__u64 data;		/* WRITE: the value; READ: in, the result */
};

/* A VMCALL: the guest's registers; @result goes to RAX. */
struct hvtb_exit_hypercall {
	__u64 rax, rbx, rcx, rdx, rsi, rdi, r8, r9;
	__u64 result;
};

struct hvtb_exit_fail_entry {
	__u32 hw_exit_reason;		/* VMCS exit reason (bit 31 set) */
	__u32 vm_instruction_error;	/* for VMfail (else 0) */
	__u64 qualification;
};

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

/*
 * Local APIC (partitions created with HVTB_PARTITION_LAPIC; else -ENODEV)
 */

/* struct hvtb_lapic_state.flags */
#define HVTB_LAPIC_NMI_PENDING	_BITULL(0)	/* an NMI waits for injection */
#define HVTB_LAPIC_STATE_FLAGS	HVTB_LAPIC_NMI_PENDING

/*
 * The state of a VP's local APIC, for save and restore.
 * @regs: the 1 KiB xAPIC register page, register at byte offset N in
 * regs[N / 4] (ID at 0x20 holds the ID in bits 31:24 in xAPIC mode and the
 * full 32-bit ID in x2APIC mode; ICR high at 0x310). The timer current count
 * (0x390) is the count at the time of the GET; a SET restarts a one-shot or
 * periodic timer from it. PPR (0xa0) is derived and ignored by SET.
 * @apic_base: IA32_APIC_BASE (also in struct hvtb_sregs).
 * @tsc_deadline: IA32_TSC_DEADLINE in guest TSC units, 0 when disarmed.
 * SET: reserved, pad, unknown flags must be 0 and @apic_base must be a
 * valid IA32_APIC_BASE value (-EINVAL).
 */
struct hvtb_lapic_state {
	__u32 regs[256];
	__u64 apic_base;
	__u64 tsc_deadline;
	__u32 flags;		/* HVTB_LAPIC_* */
	__u32 pad;		/* must be 0 */
	__u64 reserved[4];	/* must be 0 */
};

#define HVTB_VP_GET_LAPIC	_IOR(HVTBIO, 0x40, struct hvtb_lapic_state)
#define HVTB_VP_SET_LAPIC	_IOW(HVTBIO, 0x41, struct hvtb_lapic_state)

/* struct hvtb_interrupt.flags */
#define HVTB_INTERRUPT_NMI	_BITULL(0)	/* deliver an NMI (@vector must be 0) */
#define HVTB_INTERRUPT_FLAGS	HVTB_INTERRUPT_NMI

/*
 * HVTB_ASSERT_INTERRUPT (partition fd) - a fixed, edge-triggered interrupt
 * (or an NMI) for VP @vp_index: sets the vector in its IRR and kicks the VP
 * out of the guest or out of a blocking HLT. -EINVAL: vector below 16 or
 * above 255, unknown flags, non-zero pad/reserved; -ENOENT: no such VP;
 * -ENODEV: partition without HVTB_PARTITION_LAPIC; -ENXIO: the VP's APIC
 * is hardware- or software-disabled (the interrupt is dropped, as the CPU
 * would).
 */
struct hvtb_interrupt {
	__u32 vp_index;
	__u32 vector;		/* 16..255; 0 with HVTB_INTERRUPT_NMI */
	__u32 flags;		/* HVTB_INTERRUPT_* */
	__u32 pad;		/* must be 0 */
	__u64 reserved[2];	/* must be 0 */
};

#define HVTB_ASSERT_INTERRUPT	_IOW(HVTBIO, 0x42, struct hvtb_interrupt)

/* struct hvtb_irqfd.flags */
#define HVTB_IRQFD_DEASSIGN	_BITULL(0)
#define HVTB_IRQFD_FLAGS	HVTB_IRQFD_DEASSIGN

/*
 * HVTB_IRQFD (partition fd) - bind an eventfd to vector @vector of VP
 * @vp_index (which need not exist yet): every signal of the eventfd
 * consumes its counter and delivers the vector as HVTB_ASSERT_INTERRUPT
 * would (dropped while the VP is missing or its APIC disabled). An eventfd
 * signalled before the binding delivers once at binding time. At most 256
 * bindings per partition (-ENOSPC); one per eventfd (-EEXIST).
 * With HVTB_IRQFD_DEASSIGN only @fd counts: the binding ends (-ENOENT if
 * there is none). -EBADF: @fd is not open; -EINVAL: not an eventfd, vector
 * outside 16..255, @vp_index >= max_vps, unknown flags, reserved not 0;
 * -ENODEV: partition without HVTB_PARTITION_LAPIC.
 */
struct hvtb_irqfd {
	__s32 fd;		/* an eventfd */
	__u32 vp_index;
	__u32 vector;
	__u32 flags;		/* HVTB_IRQFD_* */
	__u64 reserved[2];	/* must be 0 */
};

#define HVTB_IRQFD		_IOW(HVTBIO, 0x43, struct hvtb_irqfd)

/*
 * hvtb-private hypercalls: VMCALL with RCX holding the call code (the TLFS
 * calling convention). Handled in the kernel, never seen by user space.
 */
#define HVTB_HC_NULL		0x7f00	/* returns 0 in RAX: exit-cost research */

/*
 * hvtb-private hypercalls, in 0x7f00..0x7fff (0x8000 and up are the TLFS's
 * extended hypercalls, e.g. HvExtCallQueryCapabilities 0x8001):
 *
 * HVTB_HC_REP_FILL - a slow rep call for testing rep handling: input
 * struct hvtb_hc_rep_fill_input, output rep_count __u64 elements; element i
 * (rep start <= i < rep count) becomes seed + i. Rep count 1..512. It stops
 * early, with status 0 and reps completed < rep count, before element
 * @stop_at (when rep start < stop_at) or when the host needs the CPU; the
 * caller then calls again with rep start = reps completed.
 * Only in partitions with HVTB_HV_ENABLE.
 */
#define HVTB_HC_REP_FILL	0x7f01

struct hvtb_hc_rep_fill_input {
	__u64 seed;
	__u32 stop_at;		/* 0: never */
	__u32 pad;		/* must be 0 (HV_STATUS_INVALID_PARAMETER) */
};

/*
 * Hyper-V enlightenments (HVTB_EXT_HYPERV)
 *
 * HVTB_SET_HYPERV on a partition fd, before its first VP (-EBUSY after):
 * with HVTB_HV_ENABLE the kernel answers CPUID 0x40000000..0x4000000a from
 * this struct (and sets CPUID.1:ECX[31]), emulates the synthetic MSRs that
 * @features_eax grants and handles VMCALL as a TLFS hypercall. Without it
 * (the default) the partition has no enlightenments: those leaves come from
 * the CPUID table, the MSRs #GP and VMCALL exits as before.
 *
 * Privileges (CPUID 0x40000003) gate the guest's MSRs and hypercalls; an
 * MSR not granted #GPs, a hypercall not granted returns
 * HV_STATUS_ACCESS_DENIED. Bits hvtb implements: EAX 1 (TIME_REF_COUNT),
 * 2 (SynIC: SCONTROL, SIEFP, SIMP, EOM, SINTx with message and event flag
 * delivery, see HVTB_HV_POST_MESSAGE), 3 (STIMERx, firing needs bit 2),
 * 4 (VP_ASSIST_PAGE, and the APIC MSRs EOI/ICR/TPR 0x40000070..72 in
 * partitions with HVTB_PARTITION_LAPIC; user space saves that state with
 * HVTB_VP_GET_LAPIC, not with HVTB_VP_GET_MSRS), 5 (GUEST_OS_ID,
 * HYPERCALL), 6 (VP_INDEX), 9 (REFERENCE_TSC), 11 (TSC/APIC_FREQUENCY);
 * EBX 1 (HvGetPartitionId), 4 (HvPostMessage), 5 (HvSignalEvent). Other
 * bits are passed to the guest as given. Zero fields take the defaults in
 * brackets. SINT interrupts and direct-mode timers need
 * HVTB_PARTITION_LAPIC; without it messages still reach the SIMP page.
 */
#define HVTB_HV_ENABLE		_BITULL(0)
/*
 * Unknown call codes exit to user space (HVTB_EXIT_HYPERCALL) instead of
 * returning HV_STATUS_INVALID_HYPERCALL_CODE.
 */
#define HVTB_HV_FORWARD_UNKNOWN	_BITULL(1)
#define HVTB_HV_FLAGS_MASK	(HVTB_HV_ENABLE | HVTB_HV_FORWARD_UNKNOWN)

struct hvtb_hyperv_config {
	__u32 flags;		/* HVTB_HV_* */
	__u32 max_vps;		/* 0x40000005 EAX [partition's max_vps] */
	__u32 max_lps;		/* 0x40000005 EBX [max_vps] */
	__u32 features_eax;	/* 0x40000003 EAX: privileges, low */
	__u32 features_ebx;	/* 0x40000003 EBX: privileges, high */
	__u32 features_edx;	/* 0x40000003 EDX: features */
	__u32 hints_eax;	/* 0x40000004 EAX */
	__u32 spin_retries;	/* 0x40000004 EBX [0xffffffff: never notify] */
	__u8 vendor[12];	/* 0x40000000 EBX,ECX,EDX ["Microsoft Hv"] */
	__u32 interface;	/* 0x40000001 EAX ["Hv#1"] */
	__u64 tsc_frequency;	/* Hz, HV_X64_MSR_TSC_FREQUENCY [host TSC] */
	__u64 apic_frequency;	/* Hz, HV_X64_MSR_APIC_FREQUENCY [1 GHz] */
	__u64 reserved[6];	/* must be 0 */
};

#define HVTB_SET_HYPERV		_IOW(HVTBIO, 0x30, struct hvtb_hyperv_config)

/*
 * HVTB_HV_CREATE_PORT - a message port: HvPostMessage to @connection_id
 * (0..0xffffff, unique among ports: -EEXIST) queues a struct
 * hvtb_hv_message on the returned fd (O_CLOEXEC). read() returns whole
 * messages (a buffer smaller than one is -EINVAL; none queued: blocks, or
 * -EAGAIN with O_NONBLOCK); poll() reports EPOLLIN. With @depth messages
 * queued a post returns HV_STATUS_INSUFFICIENT_BUFFERS to the guest.
 * Closing the fd removes the port.
 */
struct hvtb_hv_port_config {
	__u32 connection_id;
	__u32 flags;		/* must be 0 */
	__u32 depth;		/* 1..4096; 0 means 64 */
	__u32 pad;		/* must be 0 */
	__u64 reserved[2];	/* must be 0 */
};

#define HVTB_HV_CREATE_PORT	_IOW(HVTBIO, 0x31, struct hvtb_hv_port_config)

#define HVTB_HV_MESSAGE_PAYLOAD	240

struct hvtb_hv_message {
	__u32 connection_id;
	__u32 message_type;
	__u32 payload_size;	/* bytes of @payload the guest sent */
	__u32 vp_index;		/* the sender */
	__u64 reserved;
	__u8 payload[HVTB_HV_MESSAGE_PAYLOAD];
};

/*
 * HVTB_HV_SET_EVENT - HvSignalEvent on @connection_id (0..0xffffff) with a
 * flag number below @flag_count signals eventfd @fd (adds 1): the guest ->
 * host direction. Without HVTB_HV_EVENT_DEASSIGN: -EEXIST if the id is
 * taken, -EBADF/-EINVAL for a bad fd. With it: removes the id (@fd,
 * @flag_count, @vp_index and @sint must be 0), -ENOENT if it was not there.
 * Event and message connection ids are separate.
 *
 * With HVTB_HV_EVENT_SYNIC the connection leads into this partition's own
 * SynIC instead (a guest signalling another of its VPs, as Hyper-V's
 * intra-partition events): HvSignalEvent with flag number N sets event
 * flag N of SINT @sint in VP @vp_index's SIEFP page and raises the SINT if
 * the flag was clear, as HVTB_HV_SIGNAL_FLAG does. @fd must be 0; the VP
 * need not exist yet. The call returns HV_STATUS_INVALID_PORT_ID when the
 * target VP is missing or has not enabled SCONTROL and its SIEFP page.
 */
#define HVTB_HV_EVENT_DEASSIGN	_BITULL(0)
#define HVTB_HV_EVENT_SYNIC	_BITULL(1)

struct hvtb_hv_event {
	__u32 connection_id;
	__s32 fd;
	__u32 flags;		/* HVTB_HV_EVENT_* */
	__u32 flag_count;	/* 1..2048; 0 means 1 */
	__u32 vp_index;		/* HVTB_HV_EVENT_SYNIC: the target VP */
	__u32 sint;		/* HVTB_HV_EVENT_SYNIC: its SINT, 0..15 */
	__u64 reserved;		/* must be 0 */
};

#define HVTB_HV_SET_EVENT	_IOW(HVTBIO, 0x32, struct hvtb_hv_event)

/* HVTB_VP_GET_HV_STATS - a VP's hypercall counters (VP fd). */
struct hvtb_hv_vp_stats {
	__u64 hypercalls;	/* every VMCALL handled as a TLFS hypercall */
	__u64 failed;		/* of which returned a status other than 0 */
	__u64 slow;		/* of which needed guest memory */
	__u64 post_message;	/* HvPostMessage that queued a message */
	__u64 signal_event;	/* HvSignalEvent that signalled an eventfd */
	__u64 long_spin_wait;	/* HvNotifyLongSpinWait */
	__u64 forwarded;	/* unknown codes sent to user space */
	__u64 page_write_failed; /* hypercall/TSC page GPA not writable */
	__u64 synic_delivered;	/* messages written into the SIMP page */
	__u64 synic_slot_busy;	/* deliveries that found the slot busy */
	__u64 synic_page_failed; /* SIMP/SIEFP GPA not mapped (writable) */
	__u64 stimer_expired;	/* synthetic timer expirations */
	__u64 stimer_missed;	/* expirations coalesced (message still queued) */
	__u64 tsc_page_invalid;	/* TSC page writes left invalid: VPs' TSCs differ */
	__u64 reserved[2];
};

#define HVTB_VP_GET_HV_STATS	_IOR(HVTBIO, 0x33, struct hvtb_hv_vp_stats)

/*
 * SynIC (HVTB_EXT_HYPERV, partitions granting the SynIC MSRs, EAX bit 2):
 * the host side posts messages and sets event flags for a VP's synthetic
 * interrupt source (SINT 0..15). This is what a VMBus host uses.
 *
 * HVTB_HV_POST_MESSAGE (partition fd) queues a message for (@vp_index,
 * @sint). The VP writes it into its SIMP page slot of @sint (struct
 * hv_message of the TLFS: type, payload size, flags, sender, payload) once
 * SCONTROL and SIMP are enabled, the SINT is unmasked and the slot is free
 * (message type 0); a busy slot gets its "message pending" flag set and the
 * message stays queued until the guest writes the EOM MSR. Each delivery
 * raises the SINT's vector in the VP's local APIC (HVTB_PARTITION_LAPIC;
 * without it the guest can only poll). At most HVTB_HV_SINT_QUEUE_DEPTH
 * messages wait per (VP, SINT): -EAGAIN when full. -EINVAL: @sint > 15,
 * @message_type 0, @payload_size > 240, non-zero @flags/@pad/@reserved;
 * -ENOENT: no such VP; -ENODEV: the partition does not grant the SynIC.
 * Types with bit 31 set are hypervisor messages (e.g. 0x80000010, timer
 * expired): user space may post them too (for save/restore).
 */
#define HVTB_HV_SINT_COUNT		16
#define HVTB_HV_SINT_QUEUE_DEPTH	16

struct hvtb_hv_post {
	__u32 vp_index;
	__u32 sint;
	__u32 message_type;	/* != 0 */
	__u32 payload_size;	/* 0..240 */
	__u32 flags;		/* must be 0 */
	__u32 pad;		/* must be 0 */
	__u64 reserved[2];	/* must be 0 */
	__u8 payload[HVTB_HV_MESSAGE_PAYLOAD];
};

#define HVTB_HV_POST_MESSAGE	_IOW(HVTBIO, 0x34, struct hvtb_hv_post)

/*
 * HVTB_HV_SIGNAL_FLAG (partition fd) sets event flag @flag (0..2047) of
 * @sint in the VP's SIEFP page (atomically: the guest may run) and, if the
 * flag was clear, raises the SINT's vector (at once, or when the guest
 * unmasks the SINT). Return: 0 if the flag was newly set, 1 if it was set
 * already (no interrupt). -ENXIO: SCONTROL or SIEFP not enabled by the
 * guest, or the SIEFP page is not mapped writable (nothing is set);
 * -EINVAL, -ENOENT, -ENODEV as for HVTB_HV_POST_MESSAGE.
 *
 * This is the host -> guest direction. Guest -> host is HvSignalEvent,
 * which signals the eventfd registered with HVTB_HV_SET_EVENT.
 */
#define HVTB_HV_SIEF_FLAGS	2048

struct hvtb_hv_flag {
	__u32 vp_index;
	__u32 sint;
	__u32 flag;
	__u32 flags;		/* must be 0 */
	__u64 reserved[2];	/* must be 0 */
};

#define HVTB_HV_SIGNAL_FLAG	_IOW(HVTBIO, 0x35, struct hvtb_hv_flag)

/*
 * HVTB_VP_GET_SYNIC / HVTB_VP_SET_SYNIC (VP fd): a VP's SynIC and
 * synthetic timer state, for save and restore. @stimer_expiration is the
 * reference time of an armed timer's next expiry (0: not armed); SET
 * re-arms each enabled timer at that time (a time already past fires at
 * once) or, if 0, from its count as a guest write would. @event_pending:
 * SINTs that got an event flag while masked (raised when unmasked).
 * @queued (GET only, ignored by SET): SINTs whose kernel queue holds
 * messages; the messages themselves are saved with
 * HVTB_VP_GET_SYNIC_QUEUE. -ENODEV without
 * the SynIC privilege; -EINVAL for reserved bits of the MSR values (as a
 * guest write), non-zero @flags or @reserved.
 */
struct hvtb_synic_state {
	__u64 scontrol;
	__u64 siefp;
	__u64 simp;
	__u64 sint[HVTB_HV_SINT_COUNT];
	__u64 stimer_config[4];
	__u64 stimer_count[4];
	__u64 stimer_expiration[4];
	__u32 flags;		/* must be 0 */
	__u16 event_pending;
	__u16 queued;
	__u64 reserved[7];	/* must be 0 */
};

#define HVTB_VP_GET_SYNIC	_IOR(HVTBIO, 0x36, struct hvtb_synic_state)
#define HVTB_VP_SET_SYNIC	_IOW(HVTBIO, 0x37, struct hvtb_synic_state)

/*
 * HVTB_HV_GET_REFERENCE_TIME / HVTB_HV_SET_REFERENCE_TIME (partition fd,
 * HVTB_EXT_HYPERV): the partition reference counter (TIME_REF_COUNT, the
 * reference TSC page and the synthetic timers count in it), in 100 ns
 * units; it starts at 0 when the partition is created. GET reads it now.
 * SET makes it read @time now and count on from there, so a restored
 * partition continues the saved clock; only before the partition's first
 * VP exists (-EBUSY after). @reserved must be 0 (-EINVAL).
 */
struct hvtb_hv_reference_time {
	__u64 time;
	__u64 reserved[3];	/* must be 0 */
};

#define HVTB_HV_GET_REFERENCE_TIME	_IOR(HVTBIO, 0x38, struct hvtb_hv_reference_time)
#define HVTB_HV_SET_REFERENCE_TIME	_IOW(HVTBIO, 0x39, struct hvtb_hv_reference_time)

/*
 * HVTB_VP_GET_SYNIC_QUEUE / HVTB_VP_SET_SYNIC_QUEUE (VP fd): the messages
 * waiting in a VP's SINT queues (posted, or timer expiries, not yet written
 * into the SIMP page), for save and restore beside HVTB_VP_GET_SYNIC.
 * @entries points to an array of struct hvtb_synic_queue_entry.
 *
 * GET writes every waiting message into @entries, SINT by SINT and each
 * SINT's oldest first, and sets @count. If @capacity is smaller than that
 * it returns -E2BIG with @count set to the number needed (nothing written
 * to @entries); at most HVTB_HV_SINT_COUNT * HVTB_HV_SINT_QUEUE_DEPTH.
 *
 * SET replaces every queue of the VP with the @count entries read from
 * @entries (@capacity is not used; a SINT not named ends up empty); each
 * SINT keeps the order of its entries. The VP then delivers them as if
 * just posted (SynIC, SIMP and the SINT enabled). Each entry must have
 * @sint 0..15, @pad 0, @message_type not 0, @payload_size 0..240,
 * @message_flags and @reserved 0: else -EINVAL. More than
 * HVTB_HV_SINT_QUEUE_DEPTH entries for one SINT: -ENOSPC. Nothing changes
 * on an error.
 *
 * Both: -EINVAL for non-zero @flags, @pad or @reserved; -EFAULT for a bad
 * @entries; -ENODEV without the SynIC privilege.
 */
struct hvtb_synic_message {	/* the TLFS struct hv_message */
	__u32 message_type;	/* != 0 */
	__u8 payload_size;	/* 0..240 */
	__u8 message_flags;	/* 0: "pending" is set by the delivery */
	__u16 reserved;		/* must be 0 */
	__u64 sender;		/* port id, passed as is */
	__u8 payload[HVTB_HV_MESSAGE_PAYLOAD];
};

struct hvtb_synic_queue_entry {
	__u32 sint;		/* 0..15 */
	__u32 pad;		/* must be 0 */
	struct hvtb_synic_message message;
};

struct hvtb_synic_queues {
	__u64 entries;		/* user pointer: struct hvtb_synic_queue_entry[] */
	__u32 count;		/* GET: out; SET: in */
	__u32 capacity;		/* GET: entries room */
	__u32 flags;		/* must be 0 */
	__u32 pad;		/* must be 0 */
	__u64 reserved[4];	/* must be 0 */
};

#define HVTB_VP_GET_SYNIC_QUEUE	_IOWR(HVTBIO, 0x3a, struct hvtb_synic_queues)
#define HVTB_VP_SET_SYNIC_QUEUE	_IOW(HVTBIO, 0x3b, struct hvtb_synic_queues)

#ifdef __cplusplus
#define hvtb_static_assert static_assert
#else
#define hvtb_static_assert _Static_assert
#endif
hvtb_static_assert(sizeof(struct hvtb_capabilities) == 248,
		   "struct hvtb_capabilities layout changed");
hvtb_static_assert(sizeof(struct hvtb_partition_config) == 64, "layout");
hvtb_static_assert(sizeof(struct hvtb_vp_sched) == 88, "layout");
hvtb_static_assert(sizeof(struct hvtb_partition_info) == 88, "layout");
hvtb_static_assert(sizeof(struct hvtb_memory_range) == 64, "layout");
hvtb_static_assert(sizeof(struct hvtb_cpuid_entry) == 32, "layout");
hvtb_static_assert(sizeof(struct hvtb_exit_mmio) == 56, "layout");
hvtb_static_assert(sizeof(struct hvtb_mp_state) == 24, "layout");
hvtb_static_assert(sizeof(struct hvtb_cpuid_table) == 32, "layout");
hvtb_static_assert(sizeof(struct hvtb_msr_list) == 32, "layout");
hvtb_static_assert(sizeof(struct hvtb_vp_config) == 32, "layout");
hvtb_static_assert(sizeof(struct hvtb_regs) == 144, "layout");
hvtb_static_assert(sizeof(struct hvtb_segment) == 24, "layout");
hvtb_static_assert(sizeof(struct hvtb_dtable) == 16, "layout");
hvtb_static_assert(sizeof(struct hvtb_sregs) == 8 * 24 + 2 * 16 + 11 * 8, "layout");
hvtb_static_assert(sizeof(struct hvtb_msrs) == 16, "layout");
hvtb_static_assert(sizeof(struct hvtb_xsave) == 4096, "layout");
hvtb_static_assert(sizeof(struct hvtb_vp_events) == 64, "layout");
hvtb_static_assert(sizeof(struct hvtb_run) == 32 + 256 + HVTB_RUN_DATA_SIZE, "layout");
hvtb_static_assert(sizeof(struct hvtb_run) <= 4096, "run page");
hvtb_static_assert(sizeof(struct hvtb_lapic_state) == 1024 + 56, "layout");
hvtb_static_assert(sizeof(struct hvtb_interrupt) == 32, "layout");
hvtb_static_assert(sizeof(struct hvtb_irqfd) == 32, "layout");
hvtb_static_assert(sizeof(struct hvtb_hc_rep_fill_input) == 16, "layout");
hvtb_static_assert(sizeof(struct hvtb_hyperv_config) == 112, "layout");
hvtb_static_assert(sizeof(struct hvtb_hv_port_config) == 32, "layout");
hvtb_static_assert(sizeof(struct hvtb_hv_message) == 264, "layout");
hvtb_static_assert(sizeof(struct hvtb_hv_event) == 32, "layout");
hvtb_static_assert(sizeof(struct hvtb_hv_vp_stats) == 128, "layout");
hvtb_static_assert(sizeof(struct hvtb_hv_post) == 280, "layout");
hvtb_static_assert(sizeof(struct hvtb_hv_flag) == 32, "layout");
hvtb_static_assert(sizeof(struct hvtb_synic_state) == 312, "layout");
hvtb_static_assert(sizeof(struct hvtb_hv_reference_time) == 32, "layout");
hvtb_static_assert(sizeof(struct hvtb_synic_message) == 256, "layout");
hvtb_static_assert(sizeof(struct hvtb_synic_queue_entry) == 264, "layout");
hvtb_static_assert(sizeof(struct hvtb_synic_queues) == 56, "layout");
#undef hvtb_static_assert

#endif /* _UAPI_LINUX_HVTB_H */
