// SPDX-License-Identifier: GPL-2.0
/*
 * libhvtb - partitions, guest memory and VPs.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "partition.h"

static int ret_errno(long r)
{
	return r < 0 ? -errno : (int)r;
}

int hvtb_partition_create(int devfd, __u32 max_vps, __u64 max_memory)
{
	struct hvtb_partition_config c = {
		.max_vps = max_vps, .max_memory = max_memory,
	};

	return ret_errno(ioctl(devfd, HVTB_CREATE_PARTITION, &c));
}

int hvtb_map_gpa(int partfd, __u64 gpa, __u64 size, void *mem, __u32 flags)
{
	struct hvtb_memory_range m = {
		.gpa = gpa, .size = size, .uaddr = (uintptr_t)mem, .flags = flags,
	};

	return ret_errno(ioctl(partfd, HVTB_PARTITION_MAP_GPA, &m));
}

int hvtb_unmap_gpa(int partfd, __u64 gpa, __u64 size)
{
	struct hvtb_memory_range m = { .gpa = gpa, .size = size };

	return ret_errno(ioctl(partfd, HVTB_PARTITION_UNMAP_GPA, &m));
}

int hvtb_set_cpuid(int partfd, const struct hvtb_cpuid_entry *e, __u32 nent)
{
	struct hvtb_cpuid_table t = { .nent = nent, .entries = (uintptr_t)e };

	return ret_errno(ioctl(partfd, HVTB_PARTITION_SET_CPUID, &t));
}

int hvtb_vp_open(int partfd, __u32 index, struct hvtb_vp_handle *vp)
{
	struct hvtb_vp_config c = { .index = index };
	void *run;
	int fd, r;

	fd = ioctl(partfd, HVTB_PARTITION_CREATE_VP, &c);
	if (fd < 0)
		return -errno;
	run = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (run == MAP_FAILED) {
		r = -errno;
		close(fd);
		return r;
	}
	vp->fd = fd;
	vp->run = run;
	return 0;
}

void hvtb_vp_close(struct hvtb_vp_handle *vp)
{
	if (vp->run)
		munmap(vp->run, 4096);
	if (vp->fd >= 0)
		close(vp->fd);
	vp->run = NULL;
	vp->fd = -1;
}

int hvtb_vp_run(const struct hvtb_vp_handle *vp)
{
	return ret_errno(ioctl(vp->fd, HVTB_VP_RUN, 0));
}

int hvtb_vp_get_regs(const struct hvtb_vp_handle *vp, struct hvtb_regs *r)
{
	return ret_errno(ioctl(vp->fd, HVTB_VP_GET_REGS, r));
}

int hvtb_vp_set_regs(const struct hvtb_vp_handle *vp, const struct hvtb_regs *r)
{
	return ret_errno(ioctl(vp->fd, HVTB_VP_SET_REGS, r));
}

int hvtb_vp_get_sregs(const struct hvtb_vp_handle *vp, struct hvtb_sregs *s)
{
	return ret_errno(ioctl(vp->fd, HVTB_VP_GET_SREGS, s));
}

int hvtb_vp_set_sregs(const struct hvtb_vp_handle *vp, const struct hvtb_sregs *s)
{
	return ret_errno(ioctl(vp->fd, HVTB_VP_SET_SREGS, s));
}

const char *hvtb_exit_name(__u32 exit_reason)
{
	static const char * const names[] = {
		[HVTB_EXIT_NONE] = "none", [HVTB_EXIT_IO] = "io",
		[HVTB_EXIT_MMIO] = "mmio", [HVTB_EXIT_HLT] = "hlt",
		[HVTB_EXIT_HYPERCALL] = "hypercall", [HVTB_EXIT_CPUID] = "cpuid",
		[HVTB_EXIT_MSR_READ] = "msr-read", [HVTB_EXIT_MSR_WRITE] = "msr-write",
		[HVTB_EXIT_SHUTDOWN] = "shutdown", [HVTB_EXIT_FAIL_ENTRY] = "fail-entry",
		[HVTB_EXIT_INTR] = "intr", [HVTB_EXIT_INTERNAL] = "internal",
	};

	return exit_reason < sizeof(names) / sizeof(names[0]) ? names[exit_reason] :
	       "unknown";
}

int hvtb_partition_create_flags(int devfd, __u32 flags, __u32 max_vps,
				__u64 max_memory)
{
	struct hvtb_partition_config c = {
		.flags = flags, .max_vps = max_vps, .max_memory = max_memory,
	};

	return ret_errno(ioctl(devfd, HVTB_CREATE_PARTITION, &c));
}

int hvtb_partition_get_info(int partfd, struct hvtb_partition_info *info)
{
	return ret_errno(ioctl(partfd, HVTB_PARTITION_GET_INFO, info));
}

int hvtb_set_msr_intercepts(int partfd, const __u32 *msrs, __u32 n)
{
	struct hvtb_msr_list l = { .nmsrs = n, .indices = (uintptr_t)msrs };

	return ret_errno(ioctl(partfd, HVTB_PARTITION_SET_MSR_INTERCEPTS, &l));
}

int hvtb_vp_get_stats(const struct hvtb_vp_handle *vp, struct hvtb_vp_stats *s)
{
	return ret_errno(ioctl(vp->fd, HVTB_VP_GET_STATS, s));
}

int hvtb_vp_set_msrs(const struct hvtb_vp_handle *vp,
		     const struct hvtb_msr_entry *e, __u32 n)
{
	struct hvtb_msrs m = { .nmsrs = n, .entries = (uintptr_t)e };

	return ret_errno(ioctl(vp->fd, HVTB_VP_SET_MSRS, &m));
}
