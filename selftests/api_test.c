// SPDX-License-Identifier: GPL-2.0
/*
 * api_test - the ioctl ABI of /dev/hvtb: versions, extensions, capability
 * contents against the MSRs, and the exact error of every bad input:
 * every pad, reserved and must-be-0 byte of every input struct is -EINVAL.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvtb_harness.h"
#include "tlfs.h"

/* ioctl() returning -errno, so that the errno is what gets compared. */
static long raw_ioctl(int fd, unsigned long req, unsigned long arg)
{
	long ret = ioctl(fd, req, arg);

	return ret < 0 ? -errno : ret;
}

TEST(api_version)
{
	int fd;

	HVTB_OPEN_OR_SKIP(fd, O_RDWR);
	ASSERT_EQ(HVTB_API_VERSION, hvtb_get_api_version(fd));
	EXPECT_EQ(-EINVAL, raw_ioctl(fd, HVTB_GET_API_VERSION, 1));
	EXPECT_EQ(-EINVAL, raw_ioctl(fd, HVTB_GET_API_VERSION, 1UL << 32));
	EXPECT_EQ(-EINVAL, raw_ioctl(fd, HVTB_GET_API_VERSION, ~0UL));
	close(fd);
}

TEST(check_extension_known)
{
	int fd;

	HVTB_OPEN_OR_SKIP(fd, O_RDWR);
	EXPECT_EQ(1, hvtb_check_extension(fd, HVTB_EXT_CAPABILITIES));
	EXPECT_EQ(1, hvtb_check_extension(fd, HVTB_EXT_CPU_HOTPLUG));
	EXPECT_EQ(1, hvtb_check_extension(fd, HVTB_EXT_PARTITIONS));
	close(fd);
}

TEST(check_extension_unknown)
{
	/* Numbers no HVTB_EXT_* will take: 0 and the far end of the space. */
	static const __u32 unknown[] = { 0, 0x10000, 0x7fffffff, 0xffffffff };
	size_t i;
	int fd;

	HVTB_OPEN_OR_SKIP(fd, O_RDWR);
	for (i = 0; i < ARRAY_SIZE(unknown); i++)
		EXPECT_EQ(0, hvtb_check_extension(fd, unknown[i]))
			TH_LOG("extension 0x%x", unknown[i]);
	close(fd);
}

TEST(check_extension_over_32_bits)
{
	/* The low 32 bits of the second one name a known extension. */
	static const unsigned long bad[] = {
		1UL << 32, (1UL << 32) | HVTB_EXT_CAPABILITIES, ~0UL,
	};
	size_t i;
	int fd;

	HVTB_OPEN_OR_SKIP(fd, O_RDWR);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_EQ(-EINVAL, raw_ioctl(fd, HVTB_CHECK_EXTENSION, bad[i]))
			TH_LOG("argument 0x%lx", bad[i]);
	close(fd);
}

TEST(unknown_ioctl_number)
{
	/* Numbers the uapi leaves unused (0x10.. are the partition ioctls). */
	static const unsigned long bad[] = {
		_IO(HVTBIO, 0x0f), _IO(HVTBIO, 0x7f), _IO(HVTBIO, 0xff),
		_IOWR(HVTBIO, 0x0f, struct hvtb_capabilities),
		_IO(0xAE, 0x00),	/* KVM_GET_API_VERSION */
		_IO(0xAE, 0x03),	/* KVM_CHECK_EXTENSION */
	};
	char buf[512];
	size_t i;
	int fd;

	HVTB_OPEN_OR_SKIP(fd, O_RDWR);
	memset(buf, 0, sizeof(buf));
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_EQ(-ENOTTY, raw_ioctl(fd, bad[i], (unsigned long)buf))
			TH_LOG("ioctl 0x%lx", bad[i]);
	close(fd);
}

/* The right numbers with another size or direction are other ioctls. */
TEST(wrong_size_or_direction)
{
	static const unsigned long bad[] = {
		_IO(HVTBIO, 0x02),
		_IOR(HVTBIO, 0x02, struct hvtb_capabilities),
		_IOW(HVTBIO, 0x02, struct hvtb_capabilities),
		_IOWR(HVTBIO, 0x02, __u8[sizeof(struct hvtb_capabilities) - 8]),
		_IOWR(HVTBIO, 0x02, __u8[sizeof(struct hvtb_capabilities) + 8]),
		_IOWR(HVTBIO, 0x02, __u8[256]),
		_IOR(HVTBIO, 0x00, __u32),
		_IOW(HVTBIO, 0x00, __u32),
		_IOWR(HVTBIO, 0x00, struct hvtb_capabilities),
		_IOW(HVTBIO, 0x01, __u64),
		_IOR(HVTBIO, 0x01, __u32),
	};
	char buf[512], zero[512];
	size_t i;
	int fd;

	HVTB_OPEN_OR_SKIP(fd, O_RDWR);
	memset(buf, 0, sizeof(buf));
	memset(zero, 0, sizeof(zero));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-ENOTTY, raw_ioctl(fd, bad[i], (unsigned long)buf))
			TH_LOG("ioctl 0x%lx", bad[i]);
		EXPECT_EQ(0, memcmp(buf, zero, sizeof(buf)))
			TH_LOG("ioctl 0x%lx wrote to its argument", bad[i]);
	}
	close(fd);
}

/* Every single non-zero input byte of the struct is -EINVAL. */
TEST(capabilities_nonzero_input)
{
	struct hvtb_capabilities caps;
	unsigned int bad = 0;
	size_t i;
	long ret;
	int fd;

	HVTB_OPEN_OR_SKIP(fd, O_RDWR);
	for (i = 0; i < sizeof(caps); i++) {
		memset(&caps, 0, sizeof(caps));
		((__u8 *)&caps)[i] = (i & 1) ? 0x80 : 0x01;
		ret = raw_ioctl(fd, HVTB_GET_CAPABILITIES, (unsigned long)&caps);
		if (ret != -EINVAL && bad++ < 8)
			TH_LOG("byte %zu non-zero: got %ld, expected -EINVAL",
			       i, ret);
	}
	EXPECT_EQ(0, bad);

	memset(&caps, 0, sizeof(caps));
	caps.flags = 1;
	EXPECT_EQ(-EINVAL, raw_ioctl(fd, HVTB_GET_CAPABILITIES, (unsigned long)&caps));
	memset(&caps, 0, sizeof(caps));
	caps.reserved[ARRAY_SIZE(caps.reserved) - 1] = 1ULL << 63;
	EXPECT_EQ(-EINVAL, raw_ioctl(fd, HVTB_GET_CAPABILITIES, (unsigned long)&caps));
	memset(&caps, 0, sizeof(caps));
	caps.features = HVTB_FEAT_EPT;
	EXPECT_EQ(-EINVAL, raw_ioctl(fd, HVTB_GET_CAPABILITIES, (unsigned long)&caps));
	close(fd);
}

TEST(capabilities_bad_pointer)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct hvtb_capabilities *caps;
	char *map;
	int fd;

	HVTB_OPEN_OR_SKIP(fd, O_RDWR);
	EXPECT_EQ(-EFAULT, raw_ioctl(fd, HVTB_GET_CAPABILITIES, 0));
	EXPECT_EQ(-EFAULT, raw_ioctl(fd, HVTB_GET_CAPABILITIES, 1));
	EXPECT_EQ(-EFAULT, raw_ioctl(fd, HVTB_GET_CAPABILITIES,
				     0xffff888000000000UL));

	/* Two pages; the second is unmapped so the struct straddles a hole. */
	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, munmap(map + page, page));
	caps = (void *)(map + page - sizeof(*caps) / 2);
	EXPECT_EQ(-EFAULT, raw_ioctl(fd, HVTB_GET_CAPABILITIES, (unsigned long)caps));
	caps = (void *)(map + page);
	EXPECT_EQ(-EFAULT, raw_ioctl(fd, HVTB_GET_CAPABILITIES, (unsigned long)caps));

	/* Readable zeroes, but the result cannot be written back. */
	ASSERT_EQ(0, mprotect(map, page, PROT_READ));
	caps = (void *)map;
	EXPECT_EQ(-EFAULT, raw_ioctl(fd, HVTB_GET_CAPABILITIES, (unsigned long)caps));
	munmap(map, page);
	close(fd);
}

TEST(capabilities_fields)
{
	struct hvtb_capabilities caps, again;
	size_t i;
	int fd;

	HVTB_OPEN_OR_SKIP(fd, O_RDWR);
	ASSERT_EQ(0, hvtb_get_capabilities(fd, &caps));
	EXPECT_EQ(0, caps.flags);
	EXPECT_EQ(HVTB_API_VERSION, caps.api_version);
	EXPECT_EQ(HVTB_FEAT_REQUIRED, caps.features & HVTB_FEAT_REQUIRED);
	EXPECT_EQ(0, caps.features & ~HVTB_FEAT_KNOWN_MASK);
	EXPECT_EQ(caps.vmx_basic & 0x7fffffff, caps.vmcs_revision);
	EXPECT_EQ((caps.vmx_basic >> 32) & 0x1fff, caps.vmcs_size);
	EXPECT_LT(0, caps.vmcs_size);
	EXPECT_GE(4096, caps.vmcs_size);
	EXPECT_EQ(caps.vmx_misc & 0x1f, caps.preemption_timer_shift);
	EXPECT_LT(0, caps.tsc_khz);
	/* Locked, VMX outside SMX allowed: else the module would not load. */
	EXPECT_EQ(0x5, caps.feature_control & 0x5);
	if (!((caps.procbased_ctls2 >> 32) & (1ULL << 13)))
		EXPECT_EQ(0, caps.vmfunc);
	for (i = 0; i < ARRAY_SIZE(caps.reserved); i++)
		EXPECT_EQ(0, caps.reserved[i]) TH_LOG("reserved[%zu]", i);

	/* Nothing changed between two calls (no CPU was hotplugged). */
	ASSERT_EQ(0, hvtb_get_capabilities(fd, &again));
	EXPECT_EQ(0, memcmp(&caps, &again, sizeof(caps)));
	close(fd);
}

/* The feature bits agree with an independent decoding of the MSRs. */
TEST(capabilities_features_match_msrs)
{
	struct hvtb_capabilities caps;
	__u64 expect, diff;
	unsigned int bit;
	int fd;

	HVTB_OPEN_OR_SKIP(fd, O_RDWR);
	ASSERT_EQ(0, hvtb_get_capabilities(fd, &caps));
	expect = vmx_features_from_msrs(&caps);
	diff = expect ^ caps.features;
	for (bit = 0; bit < 64; bit++)
		if (diff >> bit & 1)
			TH_LOG("feature %s: module says %d, MSRs say %d",
			       hvtb_feature_name(bit) ?: "?",
			       (int)(caps.features >> bit & 1),
			       (int)(expect >> bit & 1));
	EXPECT_EQ(expect, caps.features);
	close(fd);
}

struct msr_check {
	const char *name;
	size_t offset;
	__u32 index;
	__u32 true_index;
};

#define MSR_CHECK(f, i, t) { #f, offsetof(struct hvtb_capabilities, f), i, t }

static const struct msr_check msr_checks[] = {
	MSR_CHECK(feature_control, 0x3a, 0),
	MSR_CHECK(vmx_basic, 0x480, 0),
	MSR_CHECK(pinbased_ctls, 0x481, 0x48d),
	MSR_CHECK(procbased_ctls, 0x482, 0x48e),
	MSR_CHECK(exit_ctls, 0x483, 0x48f),
	MSR_CHECK(entry_ctls, 0x484, 0x490),
	MSR_CHECK(vmx_misc, 0x485, 0),
	MSR_CHECK(cr0_fixed0, 0x486, 0),
	MSR_CHECK(cr0_fixed1, 0x487, 0),
	MSR_CHECK(cr4_fixed0, 0x488, 0),
	MSR_CHECK(cr4_fixed1, 0x489, 0),
	MSR_CHECK(procbased_ctls2, 0x48b, 0),
	MSR_CHECK(ept_vpid_cap, 0x48c, 0),
};

/* Raw values equal the MSRs read through /dev/cpu/0/msr. */
TEST(capabilities_match_msrs)
{
	struct hvtb_capabilities caps;
	__u64 seen, val = 0;
	__u32 index;
	size_t i;
	int fd, ret;

	HVTB_OPEN_OR_SKIP(fd, O_RDWR);
	ret = msr_read(0, 0x480, &val);
	if (ret == -ENOENT || ret == -ENXIO || ret == -ENODEV)
		HVTB_SKIP("no /dev/cpu/0/msr (msr driver, CONFIG_X86_MSR)");
	ASSERT_EQ(0, ret) TH_LOG("reading MSR 0x480: %s", strerror(-ret));
	ASSERT_EQ(0, hvtb_get_capabilities(fd, &caps));

	for (i = 0; i < ARRAY_SIZE(msr_checks); i++) {
		index = msr_checks[i].index;
		if (msr_checks[i].true_index && (val >> 55 & 1))
			index = msr_checks[i].true_index;
		ret = msr_read(0, index, &seen);
		EXPECT_EQ(0, ret) TH_LOG("MSR 0x%x: %s", index, strerror(-ret));
		if (ret)
			continue;
		EXPECT_EQ(seen, *(__u64 *)((char *)&caps + msr_checks[i].offset))
			TH_LOG("%s vs MSR 0x%x", msr_checks[i].name, index);
	}
	if ((caps.procbased_ctls2 >> 32) & (1ULL << 13)) {
		ASSERT_EQ(0, msr_read(0, 0x491, &seen));
		EXPECT_EQ(seen, caps.vmfunc);
	}
	EXPECT_EQ(val & 0x7fffffff, caps.vmcs_revision);
	close(fd);
}

TEST(capabilities_cpus_match_sysfs)
{
	__u64 online[HVTB_CPU_MASK_WORDS];
	struct hvtb_capabilities caps;
	int fd, n;

	HVTB_OPEN_OR_SKIP(fd, O_RDWR);
	n = cpus_online(online);
	ASSERT_LT(0, n) TH_LOG("reading /sys/devices/system/cpu/online: %s",
			       strerror(-n));
	ASSERT_EQ(0, hvtb_get_capabilities(fd, &caps));
	EXPECT_EQ((__u32)n, caps.online_cpus);
	EXPECT_EQ(caps.online_cpus, caps.vmx_root_cpus);
	EXPECT_EQ(caps.vmx_root_cpus,
		  hvtb_popcount_mask(caps.vmx_root_mask, HVTB_CPU_MASK_WORDS));
	EXPECT_EQ(0, memcmp(online, caps.vmx_root_mask, sizeof(online)))
		TH_LOG("vmx_root_mask 0x%llx, online 0x%llx",
		       (unsigned long long)caps.vmx_root_mask[0],
		       (unsigned long long)online[0]);
	close(fd);
}

/* Read-only and read-write opens both give the full ioctl API. */
TEST(open_read_only_and_read_write)
{
	static const int modes[] = { O_RDONLY, O_RDWR };
	struct hvtb_capabilities caps;
	size_t i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		HVTB_OPEN_OR_SKIP(fd, modes[i]);
		EXPECT_EQ(HVTB_API_VERSION, hvtb_get_api_version(fd));
		EXPECT_EQ(1, hvtb_check_extension(fd, HVTB_EXT_CAPABILITIES));
		EXPECT_EQ(0, hvtb_get_capabilities(fd, &caps));
		close(fd);
	}
}

/* No read/write/mmap: the VFS answers for the missing file operations. */
TEST(read_write_mmap_fail)
{
	char buf[16] = { 0 };
	void *map;
	int fd;

	HVTB_OPEN_OR_SKIP(fd, O_RDWR);
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(fd, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	EXPECT_EQ(MAP_FAILED, map);
	EXPECT_EQ(ENODEV, errno);
	/* The fd still works afterwards. */
	EXPECT_EQ(HVTB_API_VERSION, hvtb_get_api_version(fd));
	close(fd);
}

/* ---- every input struct: a pad, reserved or must-be-0 byte is -EINVAL ---- */

/*
 * For each ioctl that reads a struct, a valid argument is built and then
 * called with one byte of one pad, reserved or must-be-0 field set (to
 * 0x01, then 0x80) at a time: each call must fail with -EINVAL. Then the
 * valid argument itself must give the case's result, which shows the
 * -EINVAL came from the byte. Entry arrays that an argument points to
 * (CPUID entries, MSR entries, SynIC queue entries) are walked the same way.
 */
enum pad_fd { PAD_DEV, PAD_PART, PAD_VP, PAD_FRESH_PART };

struct pad_ctx {
	int dev, part, vp, efd;
	void *mem;			/* 2 pages for the map cases */
	struct hvtb_cpuid_entry cpuid;
	__u32 msr_index;
	struct hvtb_msr_entry msr;
	struct hvtb_synic_queue_entry qe;
};

struct pad_field {
	unsigned short off, size;
};

#define PF(type, member) \
	{ offsetof(type, member), sizeof(((type *)0)->member) }

/* A result >= 0 (a count or an fd) */
#define PAD_OK		1

struct pad_case {
	const char *name;
	enum pad_fd fd;
	unsigned long cmd;
	size_t size;
	/* A valid argument in @arg (zeroed); 0, or -errno to skip the case. */
	int (*prep)(struct pad_ctx *c, void *arg);
	/* Undoes what the valid call did; it returned @r. */
	void (*undo)(struct pad_ctx *c, void *arg, long r);
	long want;		/* PAD_OK or -errno */
	struct pad_field pads[20];
	/* the entry the argument points to, and its fields */
	size_t aux_off, aux_size;	/* offsetof(struct pad_ctx, ...) */
	struct pad_field aux_pads[4];
};

static int pad_get(int fd, unsigned long get, void *arg)
{
	return ioctl(fd, get, arg) < 0 ? -errno : 0;
}

static int prep_none(struct pad_ctx *c, void *arg)
{
	(void)c;
	(void)arg;
	return 0;
}

static void undo_close(struct pad_ctx *c, void *arg, long r)
{
	(void)c;
	(void)arg;
	if (r >= 0)
		close(r);
}

static int prep_partition(struct pad_ctx *c, void *arg)
{
	struct hvtb_partition_config *p = arg;

	(void)c;
	p->max_vps = 1;
	return 0;
}

static int prep_sched_cpus(struct pad_ctx *c, void *arg)
{
	return pad_get(c->dev, HVTB_GET_SCHED_CPUS, arg);
}

static int prep_map(struct pad_ctx *c, void *arg)
{
	struct hvtb_memory_range *m = arg;

	m->gpa = 0x200000;
	m->size = 0x2000;
	m->uaddr = (uintptr_t)c->mem;
	m->flags = HVTB_MAP_READ | HVTB_MAP_WRITE;
	return 0;
}

static void undo_map(struct pad_ctx *c, void *arg, long r)
{
	struct hvtb_memory_range m = *(struct hvtb_memory_range *)arg;

	if (r)
		return;
	m.uaddr = 0;
	m.flags = 0;
	ioctl(c->part, HVTB_PARTITION_UNMAP_GPA, &m);
}

static int prep_unmap(struct pad_ctx *c, void *arg)
{
	struct hvtb_memory_range *m = arg;

	prep_map(c, arg);
	/* The range the valid call unmaps (-EEXIST: mapped already). */
	if (ioctl(c->part, HVTB_PARTITION_MAP_GPA, m) && errno != EEXIST)
		return -errno;
	m->uaddr = 0;
	m->flags = 0;
	return 0;
}

static int prep_cpuid(struct pad_ctx *c, void *arg)
{
	struct hvtb_cpuid_table *t = arg;

	memset(&c->cpuid, 0, sizeof(c->cpuid));
	c->cpuid.eax = 1;
	t->nent = 1;
	t->entries = (uintptr_t)&c->cpuid;
	return 0;
}

static int prep_msr_intercepts(struct pad_ctx *c, void *arg)
{
	struct hvtb_msr_list *l = arg;

	c->msr_index = 0x10;	/* IA32_TIME_STAMP_COUNTER */
	l->nmsrs = 1;
	l->indices = (uintptr_t)&c->msr_index;
	return 0;
}

static void undo_msr_intercepts(struct pad_ctx *c, void *arg, long r)
{
	struct hvtb_msr_list l = { 0 };

	(void)arg;
	(void)r;
	ioctl(c->part, HVTB_PARTITION_SET_MSR_INTERCEPTS, &l);
}

static int prep_vp1(struct pad_ctx *c, void *arg)
{
	struct hvtb_vp_config *v = arg;

	(void)c;
	v->index = 1;
	return 0;
}

static int prep_interrupt(struct pad_ctx *c, void *arg)
{
	struct hvtb_interrupt *i = arg;

	(void)c;
	i->vector = 0x30;
	return 0;
}

static int prep_irqfd(struct pad_ctx *c, void *arg)
{
	struct hvtb_irqfd *i = arg;

	i->fd = c->efd;
	i->vector = 0x31;
	return 0;
}

static void undo_irqfd(struct pad_ctx *c, void *arg, long r)
{
	struct hvtb_irqfd i = { .fd = c->efd, .flags = HVTB_IRQFD_DEASSIGN };

	(void)arg;
	if (!r)
		ioctl(c->part, HVTB_PARTITION_SET_IRQFD, &i);
}

static int prep_partition_sched(struct pad_ctx *c, void *arg)
{
	return pad_get(c->part, HVTB_PARTITION_GET_SCHED, arg);
}

static int prep_hyperv(struct pad_ctx *c, void *arg)
{
	struct hvtb_hyperv_config *h = arg;

	(void)c;
	h->flags = HVTB_HV_ENABLE;
	return 0;
}

static int prep_port(struct pad_ctx *c, void *arg)
{
	struct hvtb_hv_port_config *p = arg;

	(void)c;
	p->connection_id = 7;
	return 0;
}

static int prep_event(struct pad_ctx *c, void *arg)
{
	struct hvtb_hv_event *e = arg;

	e->connection_id = 9;
	e->fd = c->efd;
	return 0;
}

static void undo_event(struct pad_ctx *c, void *arg, long r)
{
	struct hvtb_hv_event e = {
		.connection_id = 9, .flags = HVTB_HV_EVENT_DEASSIGN,
	};

	(void)arg;
	if (!r)
		ioctl(c->part, HVTB_PARTITION_SET_HV_EVENT, &e);
}

static int prep_post(struct pad_ctx *c, void *arg)
{
	struct hvtb_hv_post *p = arg;

	(void)c;
	p->sint = 2;
	p->message_type = 1;
	return 0;
}

static int prep_flag(struct pad_ctx *c, void *arg)
{
	struct hvtb_hv_flag *f = arg;

	(void)c;
	f->sint = 2;
	f->flag = 1;
	return 0;
}

static int prep_reference_time(struct pad_ctx *c, void *arg)
{
	return pad_get(c->part, HVTB_PARTITION_GET_REFERENCE_TIME, arg);
}

static int prep_sregs(struct pad_ctx *c, void *arg)
{
	return pad_get(c->vp, HVTB_VP_GET_SREGS, arg);
}

static int prep_msrs(struct pad_ctx *c, void *arg)
{
	struct hvtb_msrs *m = arg;

	memset(&c->msr, 0, sizeof(c->msr));
	c->msr.index = 0x174;	/* IA32_SYSENTER_CS */
	m->nmsrs = 1;
	m->entries = (uintptr_t)&c->msr;
	return 0;
}

static int prep_fpu(struct pad_ctx *c, void *arg)
{
	return pad_get(c->vp, HVTB_VP_GET_FPU, arg);
}

static int prep_events(struct pad_ctx *c, void *arg)
{
	return pad_get(c->vp, HVTB_VP_GET_EVENTS, arg);
}

static int prep_lapic(struct pad_ctx *c, void *arg)
{
	return pad_get(c->vp, HVTB_VP_GET_LAPIC, arg);
}

static int prep_vp_sched(struct pad_ctx *c, void *arg)
{
	struct hvtb_vp_sched *s = arg;
	int r = pad_get(c->vp, HVTB_VP_GET_SCHED, arg);

	s->cpu = 0;	/* GET only */
	return r;
}

static int prep_synic(struct pad_ctx *c, void *arg)
{
	return pad_get(c->vp, HVTB_VP_GET_SYNIC, arg);
}

static int prep_set_queue(struct pad_ctx *c, void *arg)
{
	struct hvtb_synic_queues *q = arg;

	memset(&c->qe, 0, sizeof(c->qe));
	c->qe.sint = 3;
	c->qe.message.message_type = 1;
	q->entries = (uintptr_t)&c->qe;
	q->count = 1;
	return 0;
}

static int prep_get_queue(struct pad_ctx *c, void *arg)
{
	struct hvtb_synic_queues *q = arg;

	q->entries = (uintptr_t)&c->qe;
	q->capacity = 1;
	return 0;
}

#define SEG_PADS(s) PF(struct hvtb_sregs, s.pad), PF(struct hvtb_sregs, s.pad2)
#define XSAVE_HDR	512	/* the XSAVE header: XSTATE_BV, XCOMP_BV, reserved */

/* Cases without entry arrays leave aux_* out. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const struct pad_case pad_cases[] = {
	{ "GET_CAPABILITIES", PAD_DEV, HVTB_GET_CAPABILITIES,
	  sizeof(struct hvtb_capabilities), prep_none, NULL, 0,
	  { PF(struct hvtb_capabilities, flags),
	    PF(struct hvtb_capabilities, reserved) } },
	{ "CREATE_PARTITION", PAD_DEV, HVTB_CREATE_PARTITION,
	  sizeof(struct hvtb_partition_config), prep_partition, undo_close,
	  PAD_OK, { PF(struct hvtb_partition_config, reserved) } },
	{ "SET_SCHED_CPUS", PAD_DEV, HVTB_SET_SCHED_CPUS,
	  sizeof(struct hvtb_sched_cpus), prep_sched_cpus, NULL, 0,
	  { PF(struct hvtb_sched_cpus, reserved) } },
	{ "PARTITION_MAP_GPA", PAD_PART, HVTB_PARTITION_MAP_GPA,
	  sizeof(struct hvtb_memory_range), prep_map, undo_map, 0,
	  { PF(struct hvtb_memory_range, pad),
	    PF(struct hvtb_memory_range, reserved) } },
	{ "PARTITION_UNMAP_GPA", PAD_PART, HVTB_PARTITION_UNMAP_GPA,
	  sizeof(struct hvtb_memory_range), prep_unmap, NULL, 0,
	  { PF(struct hvtb_memory_range, pad),
	    PF(struct hvtb_memory_range, reserved) } },
	{ "PARTITION_SET_CPUID", PAD_PART, HVTB_PARTITION_SET_CPUID,
	  sizeof(struct hvtb_cpuid_table), prep_cpuid, NULL, 0,
	  { PF(struct hvtb_cpuid_table, pad),
	    PF(struct hvtb_cpuid_table, reserved) },
	  offsetof(struct pad_ctx, cpuid), sizeof(struct hvtb_cpuid_entry),
	  { PF(struct hvtb_cpuid_entry, pad) } },
	{ "PARTITION_SET_MSR_INTERCEPTS", PAD_PART,
	  HVTB_PARTITION_SET_MSR_INTERCEPTS, sizeof(struct hvtb_msr_list),
	  prep_msr_intercepts, undo_msr_intercepts, 0,
	  { PF(struct hvtb_msr_list, pad), PF(struct hvtb_msr_list, reserved) } },
	{ "PARTITION_CREATE_VP", PAD_PART, HVTB_PARTITION_CREATE_VP,
	  sizeof(struct hvtb_vp_config), prep_vp1, undo_close, PAD_OK,
	  { PF(struct hvtb_vp_config, flags),
	    PF(struct hvtb_vp_config, reserved) } },
	/* VP 0's APIC is still software-disabled: -ENXIO once valid. */
	{ "PARTITION_ASSERT_INTERRUPT", PAD_PART,
	  HVTB_PARTITION_ASSERT_INTERRUPT, sizeof(struct hvtb_interrupt),
	  prep_interrupt, NULL, -ENXIO,
	  { PF(struct hvtb_interrupt, pad), PF(struct hvtb_interrupt, reserved) } },
	{ "PARTITION_SET_IRQFD", PAD_PART, HVTB_PARTITION_SET_IRQFD,
	  sizeof(struct hvtb_irqfd), prep_irqfd, undo_irqfd, 0,
	  { PF(struct hvtb_irqfd, reserved) } },
	{ "PARTITION_SET_SCHED", PAD_PART, HVTB_PARTITION_SET_SCHED,
	  sizeof(struct hvtb_vp_sched), prep_partition_sched, NULL, 0,
	  { PF(struct hvtb_vp_sched, flags), PF(struct hvtb_vp_sched, cpu),
	    PF(struct hvtb_vp_sched, pad), PF(struct hvtb_vp_sched, reserved) } },
	{ "PARTITION_SET_HYPERV", PAD_FRESH_PART, HVTB_PARTITION_SET_HYPERV,
	  sizeof(struct hvtb_hyperv_config), prep_hyperv, NULL, 0,
	  { PF(struct hvtb_hyperv_config, reserved) } },
	{ "PARTITION_CREATE_HV_PORT", PAD_PART, HVTB_PARTITION_CREATE_HV_PORT,
	  sizeof(struct hvtb_hv_port_config), prep_port, undo_close, PAD_OK,
	  { PF(struct hvtb_hv_port_config, flags),
	    PF(struct hvtb_hv_port_config, pad),
	    PF(struct hvtb_hv_port_config, reserved) } },
	{ "PARTITION_SET_HV_EVENT", PAD_PART, HVTB_PARTITION_SET_HV_EVENT,
	  sizeof(struct hvtb_hv_event), prep_event, undo_event, 0,
	  { PF(struct hvtb_hv_event, reserved) } },
	{ "PARTITION_POST_HV_MESSAGE", PAD_PART, HVTB_PARTITION_POST_HV_MESSAGE,
	  sizeof(struct hvtb_hv_post), prep_post, NULL, 0,
	  { PF(struct hvtb_hv_post, flags), PF(struct hvtb_hv_post, pad),
	    PF(struct hvtb_hv_post, reserved) } },
	/* The guest has not enabled SCONTROL/SIEFP: -ENXIO once valid. */
	{ "PARTITION_SIGNAL_HV_FLAG", PAD_PART, HVTB_PARTITION_SIGNAL_HV_FLAG,
	  sizeof(struct hvtb_hv_flag), prep_flag, NULL, -ENXIO,
	  { PF(struct hvtb_hv_flag, flags), PF(struct hvtb_hv_flag, reserved) } },
	/* Only before the first VP (-EBUSY after). */
	{ "PARTITION_SET_REFERENCE_TIME", PAD_FRESH_PART,
	  HVTB_PARTITION_SET_REFERENCE_TIME, sizeof(struct hvtb_hv_reference_time),
	  prep_reference_time, NULL, 0,
	  { PF(struct hvtb_hv_reference_time, reserved) } },
	{ "VP_SET_SREGS", PAD_VP, HVTB_VP_SET_SREGS, sizeof(struct hvtb_sregs),
	  prep_sregs, NULL, 0,
	  { SEG_PADS(cs), SEG_PADS(ds), SEG_PADS(es), SEG_PADS(fs),
	    SEG_PADS(gs), SEG_PADS(ss), SEG_PADS(tr), SEG_PADS(ldt),
	    PF(struct hvtb_sregs, gdt.pad), PF(struct hvtb_sregs, idt.pad),
	    PF(struct hvtb_sregs, reserved) } },
	{ "VP_GET_MSRS", PAD_VP, HVTB_VP_GET_MSRS, sizeof(struct hvtb_msrs),
	  prep_msrs, NULL, PAD_OK, { PF(struct hvtb_msrs, pad) },
	  offsetof(struct pad_ctx, msr), sizeof(struct hvtb_msr_entry),
	  { PF(struct hvtb_msr_entry, pad) } },
	{ "VP_SET_MSRS", PAD_VP, HVTB_VP_SET_MSRS, sizeof(struct hvtb_msrs),
	  prep_msrs, NULL, PAD_OK, { PF(struct hvtb_msrs, pad) },
	  offsetof(struct pad_ctx, msr), sizeof(struct hvtb_msr_entry),
	  { PF(struct hvtb_msr_entry, pad) } },
	/* XCOMP_BV (the non-compacted format) and the header's reserved bytes */
	{ "VP_SET_FPU", PAD_VP, HVTB_VP_SET_FPU, sizeof(struct hvtb_xsave),
	  prep_fpu, NULL, 0, { { XSAVE_HDR + 8, 56 } } },
	{ "VP_SET_EVENTS", PAD_VP, HVTB_VP_SET_EVENTS,
	  sizeof(struct hvtb_vp_events), prep_events, NULL, 0,
	  { PF(struct hvtb_vp_events, exception.pad),
	    PF(struct hvtb_vp_events, interrupt.pad),
	    PF(struct hvtb_vp_events, nmi.pad),
	    PF(struct hvtb_vp_events, flags),
	    PF(struct hvtb_vp_events, reserved) } },
	{ "VP_SET_LAPIC", PAD_VP, HVTB_VP_SET_LAPIC,
	  sizeof(struct hvtb_lapic_state), prep_lapic, NULL, 0,
	  { PF(struct hvtb_lapic_state, pad),
	    PF(struct hvtb_lapic_state, reserved) } },
	{ "VP_SET_SCHED", PAD_VP, HVTB_VP_SET_SCHED, sizeof(struct hvtb_vp_sched),
	  prep_vp_sched, NULL, 0,
	  { PF(struct hvtb_vp_sched, flags), PF(struct hvtb_vp_sched, cpu),
	    PF(struct hvtb_vp_sched, pad), PF(struct hvtb_vp_sched, reserved) } },
	{ "VP_SET_SYNIC", PAD_VP, HVTB_VP_SET_SYNIC,
	  sizeof(struct hvtb_synic_state), prep_synic, NULL, 0,
	  { PF(struct hvtb_synic_state, flags),
	    PF(struct hvtb_synic_state, reserved) } },
	{ "VP_SET_SYNIC_QUEUE", PAD_VP, HVTB_VP_SET_SYNIC_QUEUE,
	  sizeof(struct hvtb_synic_queues), prep_set_queue, NULL, 0,
	  { PF(struct hvtb_synic_queues, flags),
	    PF(struct hvtb_synic_queues, pad),
	    PF(struct hvtb_synic_queues, reserved) },
	  offsetof(struct pad_ctx, qe), sizeof(struct hvtb_synic_queue_entry),
	  { PF(struct hvtb_synic_queue_entry, pad),
	    PF(struct hvtb_synic_queue_entry, message.message_flags),
	    PF(struct hvtb_synic_queue_entry, message.reserved) } },
	{ "VP_GET_SYNIC_QUEUE", PAD_VP, HVTB_VP_GET_SYNIC_QUEUE,
	  sizeof(struct hvtb_synic_queues), prep_get_queue, NULL, 0,
	  { PF(struct hvtb_synic_queues, flags),
	    PF(struct hvtb_synic_queues, pad),
	    PF(struct hvtb_synic_queues, reserved) } },
};
#pragma GCC diagnostic pop

/* A partition with an APIC and the SynIC, memory at 0, VP 0. */
static int pad_setup(struct pad_ctx *c)
{
	struct hvtb_hyperv_config h = {
		.flags = HVTB_HV_ENABLE,
		.features_eax = HV_MSR_TIME_REF_COUNT_AVAILABLE |
				HV_MSR_SYNIC_AVAILABLE | HV_MSR_SYNTIMER_AVAILABLE |
				HV_MSR_HYPERCALL_AVAILABLE | HV_MSR_VP_INDEX_AVAILABLE,
		.features_ebx = HV_POST_MESSAGES | HV_SIGNAL_EVENTS,
	};
	struct hvtb_partition_config pc = {
		.flags = HVTB_PARTITION_LAPIC, .max_vps = 2,
	};
	struct hvtb_vp_config vc = { 0 };

	c->part = ioctl(c->dev, HVTB_CREATE_PARTITION, &pc);
	if (c->part < 0)
		return -errno;
	if (ioctl(c->part, HVTB_PARTITION_SET_HYPERV, &h))
		return -errno;
	c->vp = ioctl(c->part, HVTB_PARTITION_CREATE_VP, &vc);
	if (c->vp < 0)
		return -errno;
	c->efd = eventfd(0, EFD_CLOEXEC);
	c->mem = mmap(NULL, 0x2000, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->efd < 0 || c->mem == MAP_FAILED)
		return -errno;
	return 0;
}

/* One call of @pc with @arg, on the fd the case names. */
static long pad_call(struct pad_ctx *c, const struct pad_case *pc, void *arg)
{
	int fd = pc->fd == PAD_DEV ? c->dev : pc->fd == PAD_VP ? c->vp : c->part;
	int fresh = -1;
	long r;

	if (pc->fd == PAD_FRESH_PART) {
		struct hvtb_partition_config p = { .max_vps = 1 };

		fd = fresh = ioctl(c->dev, HVTB_CREATE_PARTITION, &p);
		if (fd < 0)
			return -errno;
	}
	r = raw_ioctl(fd, pc->cmd, (uintptr_t)arg);
	if (fresh >= 0)
		close(fresh);
	return r;
}

/*
 * Each byte of @f (in @buf, which @pc's prep fills) set on its own: the
 * call must be -EINVAL. Returns the number of bytes that were not.
 */
static int pad_walk(struct __test_metadata *_metadata, struct pad_ctx *c,
		    const struct pad_case *pc, void *arg, const struct pad_field *f,
		    bool aux)
{
	static const unsigned char vals[] = { 0x01, 0x80 };
	unsigned char *p;
	int bad = 0;
	size_t b, v;
	long r;

	for (b = 0; b < f->size; b++) {
		for (v = 0; v < ARRAY_SIZE(vals); v++) {
			memset(arg, 0, pc->size);
			ASSERT_EQ(0, pc->prep(c, arg));
			p = aux ? (unsigned char *)c + pc->aux_off : arg;
			p[f->off + b] = vals[v];
			r = pad_call(c, pc, arg);
			if (r >= 0 && pc->undo)
				pc->undo(c, arg, r);
			if (r != -EINVAL)
				bad++;
			EXPECT_EQ(-EINVAL, r)
				TH_LOG("%s: %s byte %zu (+%u) = 0x%x accepted",
				       pc->name, aux ? "entry" : "arg",
				       f->off + b, f->off, vals[v]);
		}
	}
	return bad;
}

TEST(every_input_pad_is_einval)
{
	struct pad_ctx c = { .part = -1, .vp = -1, .efd = -1 };
	const struct pad_case *pc;
	size_t i, j;
	void *arg;
	long r;

	HVTB_OPEN_OR_SKIP(c.dev, O_RDWR);
	ASSERT_EQ(0, pad_setup(&c));
	arg = malloc(sizeof(struct hvtb_xsave));
	ASSERT_NE(NULL, arg);
	for (i = 0; i < ARRAY_SIZE(pad_cases); i++) {
		pc = &pad_cases[i];
		ASSERT_GE(sizeof(struct hvtb_xsave), pc->size);
		ASSERT_EQ(pc->size, _IOC_SIZE(pc->cmd)) TH_LOG("%s", pc->name);
		memset(arg, 0, pc->size);
		r = pc->prep(&c, arg);
		if (r == -EPERM) {
			TH_LOG("%s: not permitted here, left out", pc->name);
			continue;
		}
		ASSERT_EQ(0, r) TH_LOG("%s: preparing the valid argument", pc->name);
		for (j = 0; j < ARRAY_SIZE(pc->pads) && pc->pads[j].size; j++)
			pad_walk(_metadata, &c, pc, arg, &pc->pads[j], false);
		for (j = 0; j < ARRAY_SIZE(pc->aux_pads) && pc->aux_pads[j].size; j++)
			pad_walk(_metadata, &c, pc, arg, &pc->aux_pads[j], true);
		/* The valid argument: the -EINVALs came from the bytes. */
		memset(arg, 0, pc->size);
		ASSERT_EQ(0, pc->prep(&c, arg));
		r = pad_call(&c, pc, arg);
		if (pc->want == PAD_OK) {
			EXPECT_LE(0, r) TH_LOG("%s: valid argument: %ld", pc->name, r);
		} else {
			EXPECT_EQ(pc->want, r) TH_LOG("%s: valid argument", pc->name);
		}
		if (r >= 0 && pc->undo)
			pc->undo(&c, arg, r);
	}
	free(arg);
	munmap(c.mem, 0x2000);
	close(c.efd);
	close(c.vp);
	close(c.part);
	close(c.dev);
}

TEST_HARNESS_MAIN
