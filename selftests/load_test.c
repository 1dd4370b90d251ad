// SPDX-License-Identifier: GPL-2.0
/*
 * load_test - module load/unload through finit_module/delete_module:
 * repeated cycles leave every online CPU in VMX root each time, unload is
 * refused while /dev/hvtb is open, bad parameters are refused.
 * Leaves the module loaded with default parameters.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hvtb_harness.h"

#define CYCLES	20

FIXTURE(load) {
	int fd;
	int kmsg;
	int was_loaded;
};

static FIXTURE_SETUP(load)
{
	self->fd = -1;
	self->kmsg = -1;
	self->was_loaded = mod_loaded("hvtb");
}

static FIXTURE_TEARDOWN(load)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->kmsg >= 0)
		close(self->kmsg);
	if (self->was_loaded)
		EXPECT_EQ(0, hvtb_ensure_loaded());
}

/* SKIP unless hvtb is loaded now and $HVTB_KO can load it again. */
#define LOADED_OR_SKIP(self) do {					\
	HVTB_OPEN_OR_SKIP((self)->fd, O_RDWR);				\
	close((self)->fd);						\
	(self)->fd = -1;						\
	HVTB_KO_OR_SKIP();						\
	ASSERT_TRUE(mod_loaded("hvtb"));				\
} while (0)

/* Loaded: /dev/hvtb is there and every online CPU is in VMX root. */
static void check_loaded(struct __test_metadata *_metadata)
{
	__u64 mask[HVTB_CPU_MASK_WORDS];
	struct hvtb_capabilities caps;
	int fd, n;

	n = cpus_online(mask);
	ASSERT_LT(0, n);
	fd = hvtb_open(O_RDWR);
	ASSERT_LE(0, fd) TH_LOG("open: %s", strerror(-fd));
	EXPECT_EQ(0, hvtb_get_capabilities(fd, &caps));
	close(fd);
	EXPECT_EQ((__u32)n, caps.online_cpus);
	EXPECT_EQ((__u32)n, caps.vmx_root_cpus);
	EXPECT_EQ(0, memcmp(mask, caps.vmx_root_mask, sizeof(mask)));
}

/* Unloaded: no module, no device node. */
static void check_unloaded(struct __test_metadata *_metadata)
{
	struct stat st;

	EXPECT_FALSE(mod_loaded("hvtb"));
	EXPECT_EQ(-1, stat(HVTB_DEV_PATH, &st));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F_TIMEOUT(load, unload_load_cycles, HVTB_SLOW_TIMEOUT)
{
	const char *ko;
	int i;

	LOADED_OR_SKIP(self);
	ko = env_hvtb_ko();
	for (i = 0; i < CYCLES; i++) {
		ASSERT_EQ(0, mod_unload("hvtb")) TH_LOG("cycle %d", i);
		check_unloaded(_metadata);
		ASSERT_EQ(-ENOENT, mod_unload("hvtb"));
		ASSERT_EQ(0, mod_load(ko, "")) TH_LOG("cycle %d", i);
		check_loaded(_metadata);
		if (!_metadata->passed)
			break;
	}
}

TEST_F_TIMEOUT(load, unload_refused_while_open, HVTB_SLOW_TIMEOUT)
{
	LOADED_OR_SKIP(self);
	self->fd = hvtb_open(O_RDWR);
	ASSERT_LE(0, self->fd);
	/* The open file holds a module reference (.owner = THIS_MODULE). */
	EXPECT_EQ(-EWOULDBLOCK, mod_unload("hvtb"));
	EXPECT_TRUE(mod_loaded("hvtb"));
	EXPECT_EQ(HVTB_API_VERSION, hvtb_get_api_version(self->fd));
	close(self->fd);
	self->fd = -1;

	ASSERT_EQ(0, mod_unload("hvtb"));
	check_unloaded(_metadata);
	ASSERT_EQ(0, mod_load(env_hvtb_ko(), ""));
	check_loaded(_metadata);
}

TEST_F_TIMEOUT(load, load_twice, HVTB_SLOW_TIMEOUT)
{
	LOADED_OR_SKIP(self);
	EXPECT_EQ(-EEXIST, mod_load(env_hvtb_ko(), ""));
	check_loaded(_metadata);
}

TEST_F_TIMEOUT(load, bad_parameter, HVTB_SLOW_TIMEOUT)
{
	static const char *const bad[] = { "group=notanumber", "group=-2" };
	char line[512];
	size_t i;

	LOADED_OR_SKIP(self);
	ASSERT_EQ(0, mod_unload("hvtb"));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		self->kmsg = kmsg_open();
		ASSERT_LE(0, self->kmsg);
		EXPECT_EQ(-EINVAL, mod_load(env_hvtb_ko(), bad[i]))
			TH_LOG("parameters '%s'", bad[i]);
		check_unloaded(_metadata);
		/* The kernel's parameter parser names the parameter. */
		ASSERT_EQ(1, kmsg_last(self->kmsg, "hvtb: ", line, sizeof(line)));
		EXPECT_NE(NULL, strstr(line, "group")) TH_LOG("kmsg: %s", line);
		close(self->kmsg);
		self->kmsg = -1;
	}
	ASSERT_EQ(0, mod_load(env_hvtb_ko(), ""));
	check_loaded(_metadata);
}

TEST_HARNESS_MAIN
