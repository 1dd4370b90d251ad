/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libhvtb - partitions, guest memory and VPs: thin typed wrappers of the
 * uapi. Every function returns -errno on failure.
 */
#ifndef LIBHVTB_PARTITION_H
#define LIBHVTB_PARTITION_H

#include <stddef.h>
#include <linux/hvtb.h>

/**
 * struct hvtb_vp_handle - a VP fd and its mmap'ed struct hvtb_run.
 */
struct hvtb_vp_handle {
	int fd;
	struct hvtb_run *run;
};

int hvtb_partition_create(int devfd, __u32 max_vps, __u64 max_memory);
int hvtb_map_gpa(int partfd, __u64 gpa, __u64 size, void *mem, __u32 flags);
int hvtb_unmap_gpa(int partfd, __u64 gpa, __u64 size);
int hvtb_set_cpuid(int partfd, const struct hvtb_cpuid_entry *e, __u32 nent);
int hvtb_vp_open(int partfd, __u32 index, struct hvtb_vp_handle *vp);
void hvtb_vp_close(struct hvtb_vp_handle *vp);
int hvtb_vp_run(const struct hvtb_vp_handle *vp);
int hvtb_vp_get_regs(const struct hvtb_vp_handle *vp, struct hvtb_regs *r);
int hvtb_vp_set_regs(const struct hvtb_vp_handle *vp, const struct hvtb_regs *r);
int hvtb_vp_get_sregs(const struct hvtb_vp_handle *vp, struct hvtb_sregs *s);
int hvtb_vp_set_sregs(const struct hvtb_vp_handle *vp, const struct hvtb_sregs *s);
const char *hvtb_exit_name(__u32 exit_reason);
/* HVTB_CREATE_PARTITION with HVTB_PARTITION_* @flags. */
int hvtb_partition_create_flags(int devfd, __u32 flags, __u32 max_vps,
				__u64 max_memory);
int hvtb_partition_get_info(int partfd, struct hvtb_partition_info *info);
/* HVTB_PARTITION_SET_MSR_INTERCEPTS: replace the partition's list with @n MSRs. */
int hvtb_set_msr_intercepts(int partfd, const __u32 *msrs, __u32 n);
int hvtb_vp_get_stats(const struct hvtb_vp_handle *vp, struct hvtb_vp_stats *s);
/*
 * HVTB_VP_SET_MSRS: @n MSRs hvtb emulates. Return: how many were set (it
 * stops at the first MSR hvtb refuses), or -errno.
 */
int hvtb_vp_set_msrs(const struct hvtb_vp_handle *vp,
		     const struct hvtb_msr_entry *e, __u32 n);

/* The APIC calls of libhvtb before the split; new code includes apic.h. */
#include "apic.h"

#endif /* LIBHVTB_PARTITION_H */
