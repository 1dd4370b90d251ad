// SPDX-License-Identifier: GPL-2.0
/*
 * ctl_test - hvtbctl against the loaded module: `info` shows what
 * HVTB_GET_CAPABILITIES returns, `info --json` is valid JSON with every
 * field, and an unprivileged user gets the permission message;
 * `sched-cpus` shows and sets the scheduler CPU set.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hvtb_harness.h"

#define OUT_MAX	16384

/* Capabilities through libhvtb, to compare hvtbctl's output with. */
static int caps_read(struct hvtb_capabilities *caps)
{
	int fd = hvtb_open(O_RDONLY), ret;

	if (fd < 0)
		return fd;
	ret = hvtb_get_capabilities(fd, caps);
	close(fd);
	return ret;
}

/* 1 when @word appears in @text delimited by spaces or line ends. */
static int has_word(const char *text, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = strstr(text, word); p; p = strstr(p + 1, word))
		if ((p == text || p[-1] == ' ' || p[-1] == '\n') &&
		    (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
			return 1;
	return 0;
}

TEST(info_human)
{
	const char *ctl, *argv[3];
	struct hvtb_capabilities caps;
	char out[OUT_MAX], err[OUT_MAX], line[512], cpus[256];
	unsigned int bit;
	int fd;

	HVTB_OPEN_OR_SKIP(fd, O_RDONLY);
	close(fd);
	HVTBCTL_OR_SKIP(ctl);
	ASSERT_EQ(0, caps_read(&caps));
	argv[0] = ctl;
	argv[1] = "info";
	argv[2] = NULL;
	ASSERT_EQ(0, proc_run(argv, NULL, out, sizeof(out), err, sizeof(err)))
		TH_LOG("stderr: %s", err);
	EXPECT_STREQ("", err);

	ASSERT_LE(0, hvtb_cpulist_format(caps.vmx_root_mask, HVTB_CPU_MASK_WORDS,
					 cpus, sizeof(cpus)));
	snprintf(line, sizeof(line), "%u/%u (%s)\n", caps.vmx_root_cpus,
		 caps.online_cpus, cpus);
	EXPECT_NE(NULL, strstr(out, line)) TH_LOG("no '%s' in:\n%s", line, out);
	snprintf(line, sizeof(line), "0x%08x\n", caps.vmcs_revision);
	EXPECT_NE(NULL, strstr(out, line)) TH_LOG("no '%s' in:\n%s", line, out);
	snprintf(line, sizeof(line), " %u kHz\n", caps.tsc_khz);
	EXPECT_NE(NULL, strstr(out, line)) TH_LOG("no '%s' in:\n%s", line, out);
	snprintf(line, sizeof(line), "0x%016llx\n",
		 (unsigned long long)caps.vmx_basic);
	EXPECT_NE(NULL, strstr(out, line)) TH_LOG("no '%s' in:\n%s", line, out);
	for (bit = 0; bit < 64; bit++)
		if (caps.features >> bit & 1)
			EXPECT_TRUE(has_word(out, hvtb_feature_name(bit) ?: "?"))
				TH_LOG("feature bit %u not shown", bit);
}

/* Every member of struct hvtb_capabilities, by its name. */
static const char *const json_keys[] = {
	"flags", "api_version", "features", "vmcs_revision", "vmcs_size",
	"preemption_timer_shift", "tsc_khz", "online_cpus", "vmx_root_cpus",
	"vmx_root_mask", "vmx_root_cpu_list", "feature_control", "vmx_basic",
	"pinbased_ctls", "procbased_ctls", "procbased_ctls2", "exit_ctls",
	"entry_ctls", "vmx_misc", "ept_vpid_cap", "cr0_fixed0", "cr0_fixed1",
	"cr4_fixed0", "cr4_fixed1", "vmfunc", "reserved",
};

/* The value of @key as an unsigned number ("0x..." strings too). */
static int json_u64(const char *text, const char *key, unsigned long long *v)
{
	char buf[64], *end;
	int ret = json_get(text, key, buf, sizeof(buf));

	if (ret)
		return ret;
	errno = 0;
	*v = strtoull(buf, &end, 0);
	return (errno || *end || end == buf) ? -EINVAL : 0;
}

TEST(info_json)
{
	const char *ctl, *argv[4], *name;
	struct hvtb_capabilities caps;
	char out[OUT_MAX], err[OUT_MAX], buf[1024], quoted[64], cpus[256];
	unsigned long long v;
	unsigned int bit, names = 0;
	size_t i, where = 0;
	int fd;

	HVTB_OPEN_OR_SKIP(fd, O_RDONLY);
	close(fd);
	HVTBCTL_OR_SKIP(ctl);
	ASSERT_EQ(0, caps_read(&caps));
	argv[0] = ctl;
	argv[1] = "info";
	argv[2] = "--json";
	argv[3] = NULL;
	ASSERT_EQ(0, proc_run(argv, NULL, out, sizeof(out), err, sizeof(err)))
		TH_LOG("stderr: %s", err);
	ASSERT_EQ(0, json_validate(out, &where))
		TH_LOG("invalid JSON at byte %zu:\n%s", where, out);
	for (i = 0; i < ARRAY_SIZE(json_keys); i++)
		EXPECT_EQ(0, json_get(out, json_keys[i], buf, sizeof(buf)))
			TH_LOG("no key \"%s\"", json_keys[i]);

	ASSERT_EQ(0, json_u64(out, "vmx_root_cpus", &v));
	EXPECT_EQ(caps.vmx_root_cpus, v);
	ASSERT_EQ(0, json_u64(out, "online_cpus", &v));
	EXPECT_EQ(caps.online_cpus, v);
	ASSERT_EQ(0, json_u64(out, "vmcs_revision", &v));
	EXPECT_EQ(caps.vmcs_revision, v);
	ASSERT_EQ(0, json_u64(out, "vmx_basic", &v));
	EXPECT_EQ(caps.vmx_basic, v);
	ASSERT_EQ(0, json_u64(out, "ept_vpid_cap", &v));
	EXPECT_EQ(caps.ept_vpid_cap, v);
	ASSERT_EQ(0, json_get(out, "vmx_root_cpu_list", buf, sizeof(buf)));
	ASSERT_LE(0, hvtb_cpulist_format(caps.vmx_root_mask, HVTB_CPU_MASK_WORDS,
					 cpus, sizeof(cpus)));
	EXPECT_STREQ(cpus, buf);

	ASSERT_EQ(0, json_get(out, "features", buf, sizeof(buf)));
	for (bit = 0; bit < 64; bit++) {
		if (!(caps.features >> bit & 1))
			continue;
		name = hvtb_feature_name(bit);
		ASSERT_NE(NULL, name);
		snprintf(quoted, sizeof(quoted), "\"%s\"", name);
		EXPECT_NE(NULL, strstr(buf, quoted)) TH_LOG("%s missing", name);
		names++;
	}
	for (i = 0, v = 0; buf[i]; i++)
		v += buf[i] == '"';
	EXPECT_EQ(2 * names, v) TH_LOG("features: %s", buf);
}

static const struct proc_creds nobody = { .uid = 65534, .gid = 65534 };

TEST(info_unprivileged)
{
	const char *ctl, *argv[3];
	char out[OUT_MAX], err[OUT_MAX];
	struct stat st;
	int fd;

	HVTB_OPEN_OR_SKIP(fd, O_RDONLY);
	close(fd);
	HVTBCTL_OR_SKIP(ctl);
	ASSERT_EQ(0, stat(HVTB_DEV_PATH, &st));
	if (st.st_mode & 0007)
		HVTB_SKIP("%s is world-accessible (mode %o)", HVTB_DEV_PATH,
			  st.st_mode & 07777);
	argv[0] = ctl;
	argv[1] = "info";
	argv[2] = NULL;
	EXPECT_EQ(4, proc_run(argv, &nobody, out, sizeof(out), err, sizeof(err)));
	EXPECT_STREQ("", out);
	EXPECT_STREQ("hvtbctl: /dev/hvtb: permission denied: run as root or as a member of the group given to hvtb's group= parameter\n",
		     err);
}

TEST(info_bad_argument)
{
	const char *ctl, *argv[4];
	char out[OUT_MAX], err[OUT_MAX];

	HVTBCTL_OR_SKIP(ctl);
	argv[0] = ctl;
	argv[1] = "info";
	argv[2] = "--bogus";
	argv[3] = NULL;
	EXPECT_EQ(2, proc_run(argv, NULL, out, sizeof(out), err, sizeof(err)));
	EXPECT_STREQ("", out);
	EXPECT_NE(NULL, strstr(err, "Usage:"));
}

/* hvtbctl sched-cpus: show the set, set it, refuse nonsense. */
TEST(sched_cpus)
{
	const char *ctl, *argv[4];
	char out[OUT_MAX], err[OUT_MAX], online[256] = "";
	FILE *f;
	int fd;

	HVTB_OPEN_OR_SKIP(fd, O_RDONLY);
	close(fd);
	HVTBCTL_OR_SKIP(ctl);
	f = fopen("/sys/devices/system/cpu/online", "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(online, sizeof(online), f));
	fclose(f);
	argv[0] = ctl;
	argv[1] = "sched-cpus";
	argv[2] = NULL;
	ASSERT_EQ(0, proc_run(argv, NULL, out, sizeof(out), err, sizeof(err)))
		TH_LOG("stderr: %s", err);
	EXPECT_STREQ(online, out);	/* the default: every CPU */
	argv[2] = "0";
	argv[3] = NULL;
	EXPECT_EQ(0, proc_run(argv, NULL, out, sizeof(out), err, sizeof(err)))
		TH_LOG("stderr: %s", err);
	EXPECT_STREQ("0\n", out);
	argv[2] = "3-1";
	EXPECT_EQ(2, proc_run(argv, NULL, out, sizeof(out), err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "not a CPU list"));
	argv[2] = "200";		/* not online */
	EXPECT_EQ(1, proc_run(argv, NULL, out, sizeof(out), err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "Invalid argument"));
	online[strcspn(online, "\n")] = '\0';
	argv[2] = online;		/* back to every CPU */
	EXPECT_EQ(0, proc_run(argv, NULL, out, sizeof(out), err, sizeof(err)))
		TH_LOG("stderr: %s", err);
}

TEST_HARNESS_MAIN
