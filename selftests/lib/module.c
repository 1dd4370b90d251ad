// SPDX-License-Identifier: GPL-2.0
/*
 * Module load/unload through the finit_module/delete_module system calls,
 * with parameters, exactly as insmod/rmmod make them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hvtb_test.h"

int mod_load(const char *path, const char *params)
{
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = (int)syscall(__NR_finit_module, fd, params ? params : "", 0);
	ret = ret < 0 ? -errno : 0;
	close(fd);
	return ret;
}

int mod_unload(const char *name)
{
	if (syscall(__NR_delete_module, name, O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

int mod_loaded(const char *name)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	return stat(path, &st) == 0;
}

int hvtb_reload(const char *params)
{
	const char *ko = env_hvtb_ko();
	int ret;

	if (!ko)
		return -ENOENT;
	if (mod_loaded("hvtb")) {
		ret = mod_unload("hvtb");
		if (ret)
			return ret;
	}
	return mod_load(ko, params);
}

int hvtb_ensure_loaded(void)
{
	const char *ko = env_hvtb_ko();

	if (mod_loaded("hvtb"))
		return 0;
	if (!ko)
		return -ENOENT;
	return mod_load(ko, "");
}
