// SPDX-License-Identifier: GPL-2.0
/*
 * MSR reads through the msr driver: pread() of 8 bytes at offset @index.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "hvtb_test.h"

int msr_read(int cpu, __u32 index, __u64 *val)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/dev/cpu/%d/msr", cpu);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, val, sizeof(*val), index);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	return n == sizeof(*val) ? 0 : -EIO;
}
