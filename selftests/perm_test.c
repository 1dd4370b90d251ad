// SPDX-License-Identifier: GPL-2.0
/*
 * perm_test - who may open /dev/hvtb: root only by default (0600 root:root);
 * with the module parameter group=<gid>, members of that group too (0660).
 * Reloads the module; leaves it loaded with default parameters.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "hvtb_harness.h"

#define TEST_GID	1234
#define NOBODY		65534

/* Child: open /dev/hvtb with *(int *)arg flags, use it; 0 or an errno. */
static int child_open(void *arg)
{
	struct hvtb_capabilities caps;
	int fd = hvtb_open(*(int *)arg);

	if (fd < 0)
		return -fd;
	if (hvtb_get_api_version(fd) != HVTB_API_VERSION)
		return 200;
	if (hvtb_get_capabilities(fd, &caps) || !caps.vmx_root_cpus)
		return 201;
	close(fd);
	return 0;
}

static const struct proc_creds nobody = { .uid = NOBODY, .gid = NOBODY };
static const struct proc_creds group_primary = {
	.uid = NOBODY, .gid = TEST_GID,
};
static const struct proc_creds group_supplementary = {
	.uid = NOBODY, .gid = NOBODY, .ngroups = 1, .groups = { TEST_GID },
};

FIXTURE(perm) {
	int was_loaded;		/* hvtb was loaded when the test began */
	int reloaded;		/* the module runs with test parameters */
};

static FIXTURE_SETUP(perm)
{
	self->was_loaded = mod_loaded("hvtb");
	self->reloaded = 0;
}

/* Leave the module loaded, with default parameters, as it was found. */
static FIXTURE_TEARDOWN(perm)
{
	if (self->reloaded)
		EXPECT_EQ(0, hvtb_reload(""));
	if (self->was_loaded)
		EXPECT_EQ(0, hvtb_ensure_loaded());
}

/* The node's uevent in sysfs names it hvtb. */
static int node_is_hvtb(const struct stat *st)
{
	char path[64], buf[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/uevent",
		 major(st->st_rdev), minor(st->st_rdev));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return strstr(buf, "DEVNAME=hvtb\n") != NULL;
}

/* The value of the module parameter, as sysfs shows it ("-1" default). */
static int param_group(char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open("/sys/module/hvtb/parameters/group", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	return 0;
}

TEST_F_TIMEOUT(perm, default_mode, HVTB_SLOW_TIMEOUT)
{
	struct stat st;
	int fd;

	HVTB_OPEN_OR_SKIP(fd, O_RDWR);
	close(fd);
	ASSERT_EQ(0, stat(HVTB_DEV_PATH, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, st.st_gid);
	EXPECT_TRUE(node_is_hvtb(&st));
}

TEST_F_TIMEOUT(perm, unprivileged_open_denied, HVTB_SLOW_TIMEOUT)
{
	int fd, flags;

	HVTB_OPEN_OR_SKIP(fd, O_RDWR);
	close(fd);
	flags = O_RDWR;
	EXPECT_EQ(EACCES, proc_call(&nobody, child_open, &flags));
	flags = O_RDONLY;
	EXPECT_EQ(EACCES, proc_call(&nobody, child_open, &flags));
	/* Root, for contrast. */
	EXPECT_EQ(0, proc_call(NULL, child_open, &flags));
}

TEST_F_TIMEOUT(perm, group_parameter, HVTB_SLOW_TIMEOUT)
{
	struct stat st;
	char param[32];
	int fd, flags = O_RDWR;

	HVTB_OPEN_OR_SKIP(fd, O_RDWR);
	close(fd);
	HVTB_KO_OR_SKIP();

	self->reloaded = 1;
	ASSERT_EQ(0, hvtb_reload("group=1234"));
	ASSERT_EQ(0, stat(HVTB_DEV_PATH, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0660, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(TEST_GID, st.st_gid);
	ASSERT_EQ(0, param_group(param, sizeof(param)));
	EXPECT_STREQ("1234\n", param);
	EXPECT_EQ(0, proc_call(&group_primary, child_open, &flags));
	EXPECT_EQ(0, proc_call(&group_supplementary, child_open, &flags));
	EXPECT_EQ(EACCES, proc_call(&nobody, child_open, &flags));

	/* Back to the default: root only again. */
	ASSERT_EQ(0, hvtb_reload(""));
	self->reloaded = 0;
	ASSERT_EQ(0, stat(HVTB_DEV_PATH, &st));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_gid);
	ASSERT_EQ(0, param_group(param, sizeof(param)));
	EXPECT_STREQ("-1\n", param);
	EXPECT_EQ(EACCES, proc_call(&group_primary, child_open, &flags));
	EXPECT_EQ(EACCES, proc_call(&group_supplementary, child_open, &flags));
}

TEST_HARNESS_MAIN
