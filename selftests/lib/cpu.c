// SPDX-License-Identifier: GPL-2.0
/*
 * CPUs: CPUID, the online mask and hotplug through sysfs.
 */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "libhvtb.h"
#include "hvtb_test.h"

int cpu_has_vmx(void)
{
	unsigned int eax, ebx, ecx, edx;

	if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
		return 0;
	return (ecx >> 5) & 1;
}

/* Read a small sysfs file into @buf (NUL-terminated). */
static int sysfs_read(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	buf[n] = '\0';
	return (int)n;
}

int cpus_online(__u64 mask[HVTB_CPU_MASK_WORDS])
{
	char buf[1024];
	int ret;

	ret = sysfs_read("/sys/devices/system/cpu/online", buf, sizeof(buf));
	if (ret < 0)
		return ret;
	return hvtb_cpulist_parse(buf, mask, HVTB_CPU_MASK_WORDS);
}

int cpu_get_online(int cpu)
{
	char path[96], buf[16];
	int ret;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	ret = sysfs_read(path, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	return buf[0] == '1';
}

int cpu_set_online(int cpu, int online)
{
	char path[96];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, online ? "1" : "0", 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	return 0;
}
