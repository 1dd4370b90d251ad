// SPDX-License-Identifier: GPL-2.0
/*
 * Where the test VM put things: hvtb.ko, the KVM modules, hvtbctl.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hvtb_test.h"

const char *env_hvtb_ko(void)
{
	const char *ko = getenv("HVTB_KO");

	if (!ko || !*ko || access(ko, R_OK))
		return NULL;
	return ko;
}

const char *env_kvm_dir(void)
{
	const char *dir = getenv("HVTB_KVM_DIR");

	if (!dir || !*dir || access(dir, R_OK | X_OK))
		return NULL;
	return dir;
}

/* Look for hvtbctl in the colon-separated $PATH. */
static const char *path_lookup(char *buf, size_t len)
{
	const char *path = getenv("PATH");
	const char *p, *end;

	if (!path)
		path = "/usr/sbin:/usr/bin:/sbin:/bin";
	for (p = path; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ':');
		if (end == p)
			continue;
		snprintf(buf, len, "%.*s/hvtbctl", (int)(end - p), p);
		if (!access(buf, X_OK))
			return buf;
	}
	return NULL;
}

const char *env_hvtbctl(void)
{
	static char buf[PATH_MAX];
	const char *env = getenv("HVTBCTL");
	char self[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env && *env)
		return access(env, X_OK) ? NULL : env;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			n = snprintf(buf, sizeof(buf), "%s/../bin/hvtbctl", self);
			if (n < (ssize_t)sizeof(buf) && !access(buf, X_OK))
				return buf;
		}
	}
	return path_lookup(buf, sizeof(buf));
}
