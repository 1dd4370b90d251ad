// SPDX-License-Identifier: GPL-2.0
/*
 * partition_test - partitions and VP fds as objects: the exact error of
 * every bad input to the partition and VP ioctls, teardown in any fd-close
 * order, kill -9 of a process whose VP runs (nothing leaks), and two
 * partitions with two VPs each running concurrently.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hvtb_harness.h"
#include "guest.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT	300

#define HVTB_BOGUS_IOCTL	_IO(HVTBIO, 0x7f)

static int open_dev_or_fail(struct __test_metadata *_metadata)
{
	int fd = hvtb_open(O_RDWR);

	ASSERT_LE(0, fd);
	return fd;
}

TEST(create_partition_bad_input)
{
	struct hvtb_partition_config pc = { 0 };
	struct guest g;
	int dev, fd;

	GUEST_OR_SKIP(&g, GUEST_NO_MEMORY);
	guest_destroy(&g);
	dev = open_dev_or_fail(_metadata);

	/* Bits 0-2 are LAPIC, ROOT_SCHED and NO_APICV; others are unknown. */
	pc.flags = (uint32_t)~HVTB_PARTITION_FLAGS_MASK;
	EXPECT_EQ(-EINVAL, guest_ioctl(dev, HVTB_CREATE_PARTITION, (uintptr_t)&pc));
	pc.flags = 8;
	EXPECT_EQ(-EINVAL, guest_ioctl(dev, HVTB_CREATE_PARTITION, (uintptr_t)&pc));
	pc.flags = 0;
	pc.reserved[5] = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(dev, HVTB_CREATE_PARTITION, (uintptr_t)&pc));
	pc.reserved[5] = 0;
	pc.max_vps = HVTB_MAX_VPS + 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(dev, HVTB_CREATE_PARTITION, (uintptr_t)&pc));
	EXPECT_EQ(-EFAULT, guest_ioctl(dev, HVTB_CREATE_PARTITION, 8));

	pc.max_vps = HVTB_MAX_VPS;
	fd = guest_ioctl(dev, HVTB_CREATE_PARTITION, (uintptr_t)&pc);
	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(-ENOTTY, guest_ioctl(fd, HVTB_BOGUS_IOCTL, 0));
	EXPECT_EQ(-ENOTTY, guest_ioctl(fd, HVTB_VP_RUN, 0));
	EXPECT_EQ(-EFAULT, guest_ioctl(fd, HVTB_PARTITION_GET_INFO, 8));
	close(fd);
	close(dev);
}

TEST(create_vp_bad_input)
{
	struct hvtb_partition_config pc = { .max_vps = 2 };
	struct hvtb_partition_info info;
	struct hvtb_vp_config vc = { 0 };
	struct guest g;
	int dev, part, vp0, vp1;

	GUEST_OR_SKIP(&g, GUEST_NO_MEMORY);
	guest_destroy(&g);
	dev = open_dev_or_fail(_metadata);
	part = guest_ioctl(dev, HVTB_CREATE_PARTITION, (uintptr_t)&pc);
	ASSERT_LE(0, part);

	vc.index = 2;
	EXPECT_EQ(-EINVAL, guest_ioctl(part, HVTB_PARTITION_CREATE_VP, (uintptr_t)&vc));
	vc.index = 0xffffffff;
	EXPECT_EQ(-EINVAL, guest_ioctl(part, HVTB_PARTITION_CREATE_VP, (uintptr_t)&vc));
	vc.index = 0;
	vc.flags = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(part, HVTB_PARTITION_CREATE_VP, (uintptr_t)&vc));
	vc.flags = 0;
	vc.reserved[2] = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(part, HVTB_PARTITION_CREATE_VP, (uintptr_t)&vc));
	vc.reserved[2] = 0;
	EXPECT_EQ(-EFAULT, guest_ioctl(part, HVTB_PARTITION_CREATE_VP, 8));

	vp0 = guest_ioctl(part, HVTB_PARTITION_CREATE_VP, (uintptr_t)&vc);
	ASSERT_LE(0, vp0);
	EXPECT_EQ(-EEXIST, guest_ioctl(part, HVTB_PARTITION_CREATE_VP, (uintptr_t)&vc));
	vc.index = 1;
	vp1 = guest_ioctl(part, HVTB_PARTITION_CREATE_VP, (uintptr_t)&vc);
	ASSERT_LE(0, vp1);
	ASSERT_EQ(0, guest_ioctl(part, HVTB_PARTITION_GET_INFO, (uintptr_t)&info));
	EXPECT_EQ(2, info.nr_vps);
	EXPECT_EQ(2, info.max_vps);
	/* A closed VP frees its index. */
	close(vp1);
	ASSERT_EQ(0, guest_ioctl(part, HVTB_PARTITION_GET_INFO, (uintptr_t)&info));
	EXPECT_EQ(1, info.nr_vps);
	vp1 = guest_ioctl(part, HVTB_PARTITION_CREATE_VP, (uintptr_t)&vc);
	EXPECT_LE(0, vp1);
	close(vp1);
	close(vp0);
	close(part);
	close(dev);
}

TEST(cpuid_and_msr_list_bad_input)
{
	struct hvtb_cpuid_entry e[2] = { { .function = 1 }, { .function = 2 } };
	struct hvtb_cpuid_table t = { .nent = 2, .entries = (uintptr_t)e };
	__u32 msrs[2] = { 0x10, 0x11 };
	struct hvtb_msr_list l = { .nmsrs = 2, .indices = (uintptr_t)msrs };
	struct guest g;

	GUEST_OR_SKIP(&g, GUEST_NO_MEMORY);
	EXPECT_EQ(0, guest_ioctl(g.part, HVTB_PARTITION_SET_CPUID, (uintptr_t)&t));
	t.nent = HVTB_MAX_CPUID_ENTRIES + 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_SET_CPUID, (uintptr_t)&t));
	t.nent = 2;
	t.pad = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_SET_CPUID, (uintptr_t)&t));
	t.pad = 0;
	t.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_SET_CPUID, (uintptr_t)&t));
	t.reserved[1] = 0;
	e[1].flags = 1U << 5;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_SET_CPUID, (uintptr_t)&t));
	e[1].flags = 0;
	e[1].pad = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_SET_CPUID, (uintptr_t)&t));
	e[1].pad = 0;
	t.entries = 8;
	EXPECT_EQ(-EFAULT, guest_ioctl(g.part, HVTB_PARTITION_SET_CPUID, (uintptr_t)&t));
	t.nent = 0;
	EXPECT_EQ(0, guest_ioctl(g.part, HVTB_PARTITION_SET_CPUID, (uintptr_t)&t));

	EXPECT_EQ(0, guest_ioctl(g.part, HVTB_PARTITION_SET_MSR_INTERCEPTS, (uintptr_t)&l));
	l.nmsrs = HVTB_MAX_MSR_INTERCEPTS + 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_SET_MSR_INTERCEPTS, (uintptr_t)&l));
	l.nmsrs = 2;
	l.pad = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_SET_MSR_INTERCEPTS, (uintptr_t)&l));
	l.pad = 0;
	l.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_SET_MSR_INTERCEPTS, (uintptr_t)&l));
	l.reserved[0] = 0;
	l.indices = 8;
	EXPECT_EQ(-EFAULT, guest_ioctl(g.part, HVTB_PARTITION_SET_MSR_INTERCEPTS, (uintptr_t)&l));
	guest_destroy(&g);
}

TEST(vp_ioctl_bad_input)
{
	struct hvtb_msr_entry me[2] = { { .index = 0xc0000082 }, { .index = 0x4b564dff } };
	struct hvtb_msrs ms = { .nmsrs = 2, .entries = (uintptr_t)me };
	struct hvtb_vp_events ev;
	struct hvtb_regs regs;
	struct hvtb_sregs s;
	struct guest g;
	struct guest_vp v;
	void *p;

	GUEST_OR_SKIP(&g, 0);
	ASSERT_EQ(0, guest_vp_create(&g, &v, 0));
	EXPECT_EQ(FD_CLOEXEC, fcntl(v.fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(-ENOTTY, guest_ioctl(v.fd, HVTB_BOGUS_IOCTL, 0));
	EXPECT_EQ(-ENOTTY, guest_ioctl(v.fd, HVTB_PARTITION_MAP_GPA, 0));
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_RUN, 2));
	v.run->flags = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_RUN, 0));
	v.run->flags = 0;

	/* mmap: one page at offset 0 only */
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, v.fd, 4096);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, 8192, PROT_READ, MAP_SHARED, v.fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);

	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_REGS, (uintptr_t)&regs));
	regs.rflags |= 1 << 3;		/* reserved */
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_SET_REGS, (uintptr_t)&regs));
	EXPECT_EQ(-EFAULT, guest_ioctl(v.fd, HVTB_VP_SET_REGS, 8));
	EXPECT_EQ(-EFAULT, guest_ioctl(v.fd, HVTB_VP_GET_REGS, 8));

	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_SREGS, (uintptr_t)&s));
	s.reserved[3] = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_SET_SREGS, (uintptr_t)&s));
	s.reserved[3] = 0;
	s.efer = 1ULL << 20;
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_SET_SREGS, (uintptr_t)&s));
	s.efer = 0x400;		/* LMA without LME */
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_SET_SREGS, (uintptr_t)&s));
	s.efer = 0;
	s.cr8 = 16;
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_SET_SREGS, (uintptr_t)&s));
	s.cr8 = 0;
	s.cr0 = 0x80000000;	/* PG without PE */
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_SET_SREGS, (uintptr_t)&s));

	memset(&ev, 0, sizeof(ev));
	ev.flags = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_SET_EVENTS, (uintptr_t)&ev));
	ev.flags = 0;
	ev.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_SET_EVENTS, (uintptr_t)&ev));
	ev.reserved[0] = 0;
	ev.interruptibility = 4;
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_SET_EVENTS, (uintptr_t)&ev));
	ev.interruptibility = 0;
	ev.exception.pending = 1;
	ev.exception.vector = 32;
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_SET_EVENTS, (uintptr_t)&ev));
	ev.exception.vector = 2;	/* NMI is not an exception */
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_SET_EVENTS, (uintptr_t)&ev));
	ev.exception.pending = 0;
	ev.interrupt.pending = 1;
	ev.interrupt.vector = 31;
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_SET_EVENTS, (uintptr_t)&ev));

	/* MSRs: stops at the first unknown one; bad counts and pads. */
	EXPECT_EQ(1, guest_ioctl(v.fd, HVTB_VP_GET_MSRS, (uintptr_t)&ms));
	EXPECT_EQ(1, guest_ioctl(v.fd, HVTB_VP_SET_MSRS, (uintptr_t)&ms));
	me[1].index = 0xc0000082;
	me[1].pad = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_GET_MSRS, (uintptr_t)&ms));
	me[1].pad = 0;
	ms.nmsrs = 0;
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_GET_MSRS, (uintptr_t)&ms));
	ms.nmsrs = HVTB_MAX_MSR_INTERCEPTS + 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_SET_MSRS, (uintptr_t)&ms));
	ms.nmsrs = 1;
	ms.pad = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_SET_MSRS, (uintptr_t)&ms));
	ms.pad = 0;
	ms.entries = 8;
	EXPECT_EQ(-EFAULT, guest_ioctl(v.fd, HVTB_VP_GET_MSRS, (uintptr_t)&ms));
	/* A value the CPU would refuse: non-canonical LSTAR. */
	me[0].data = 0x0000800000000000ULL;
	ms.entries = (uintptr_t)me;
	EXPECT_EQ(0, guest_ioctl(v.fd, HVTB_VP_SET_MSRS, (uintptr_t)&ms));
	EXPECT_EQ(-EFAULT, guest_ioctl(v.fd, HVTB_VP_GET_FPU, 8));
	EXPECT_EQ(-EFAULT, guest_ioctl(v.fd, HVTB_VP_GET_STATS, 8));
	guest_vp_destroy(&v);
	guest_destroy(&g);
}

static void guest_out_loop(uint64_t n, uint64_t port)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		guest_outl(port, i);
}

TEST(teardown_vp_first)
{
	struct guest g;
	struct guest_vp v;

	GUEST_OR_SKIP(&g, 0);
	ASSERT_EQ(0, guest_vp_create(&g, &v, 0));
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_out_loop, 2, 0x50));
	RUN_EXPECT(&v, HVTB_EXIT_IO);
	guest_vp_destroy(&v);
	guest_destroy(&g);
}

TEST(teardown_partition_first_vp_still_runs)
{
	struct hvtb_partition_info info;
	struct guest g;
	struct guest_vp v;
	int part;

	GUEST_OR_SKIP(&g, 0);
	ASSERT_EQ(0, guest_vp_create(&g, &v, 0));
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_out_loop, 3, 0x50));
	RUN_EXPECT(&v, HVTB_EXIT_IO);
	part = g.part;
	ASSERT_EQ(0, guest_ioctl(part, HVTB_PARTITION_GET_INFO, (uintptr_t)&info));
	EXPECT_EQ(1, info.nr_vps);
	close(part);
	g.part = -1;
	close(g.dev);
	g.dev = -1;
	/* The VP holds the partition: its memory and tables are still there. */
	RUN_EXPECT(&v, HVTB_EXIT_IO);
	EXPECT_EQ(1, v.run->io.value);
	RUN_EXPECT(&v, HVTB_EXIT_IO);
	EXPECT_EQ(2, v.run->io.value);
	EXPECT_UCALL(&v, UCALL_DONE);
	guest_vp_destroy(&v);
	guest_destroy(&g);
}

static long read_refcnt(void)
{
	FILE *f = fopen("/sys/module/hvtb/refcnt", "r");
	long n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

static long meminfo_kb(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	size_t len = strlen(key);
	long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':')
			v = strtol(line + len + 1, NULL, 10);
	fclose(f);
	return v;
}

static volatile int forever = 1;

static void guest_spin_forever(void)
{
	while (forever)
		__asm__ volatile("pause" : : : "memory");
}

/* Child: a 16 MiB guest whose VP spins in RUN until killed. */
static void child_spin(int wfd)
{
	struct guest g;
	struct guest_vp v;
	char c = 'r';

	if (guest_create(&g, 0) || guest_vp_create(&g, &v, 0) ||
	    guest_vp_enter_long(&v, guest_spin_forever, 0, 0))
		_exit(2);
	if (write(wfd, &c, 1) != 1)
		_exit(3);
	guest_vp_run(&v);
	_exit(4);
}

TEST(kill9_running_vp_leaks_nothing)
{
	long ref0, ref1, free0, free1;
	struct guest g;
	int pfd[2], status, round, tries;
	pid_t pid;
	char c;

	GUEST_OR_SKIP(&g, GUEST_NO_MEMORY);
	guest_destroy(&g);
	ref0 = read_refcnt();
	ASSERT_LE(0, ref0);

	for (round = 0; round < 3; round++) {
		free0 = meminfo_kb("MemAvailable");
		ASSERT_EQ(0, pipe(pfd));
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			close(pfd[0]);
			child_spin(pfd[1]);
		}
		close(pfd[1]);
		ASSERT_EQ(1, read(pfd[0], &c, 1));
		close(pfd[0]);
		usleep(50000);		/* let it enter the guest */
		ASSERT_EQ(0, kill(pid, SIGKILL));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFSIGNALED(status));
		EXPECT_EQ(SIGKILL, WTERMSIG(status));

		/* fput of the fds is deferred work: give it a moment. */
		for (ref1 = -1, tries = 0; ref1 != ref0 && tries < 100; tries++) {
			ref1 = read_refcnt();
			if (ref1 != ref0)
				usleep(20000);
		}
		EXPECT_EQ(ref0, ref1);
		free1 = meminfo_kb("MemAvailable");
		/* 16 MiB of pinned guest memory must have come back. */
		EXPECT_LE(free0 - 4096, free1)
			TH_LOG("MemAvailable %ld kB before, %ld kB after", free0, free1);
	}
}

/* ---- 2 partitions x 2 VPs in 4 threads ---- */

#define CONC_ITERS	200

static void guest_conc(uint64_t index, uint64_t n)
{
	uint64_t i, r;

	for (i = 0; i < n; i++) {
		guest_outl(0x60, (uint32_t)(index << 24 | i));
		r = 1;
		__asm__ volatile("vmcall" : "+a"(r) : "c"(HVTB_HC_NULL) : "memory");
		GUEST_ASSERT_EQ(r, 0);
	}
}

struct conc_vp {
	struct guest_vp v;
	int outs;
	int errors;
	char msg[160];
};

static void *conc_thread(void *arg)
{
	struct conc_vp *c = arg;
	struct ucall uc;
	uint64_t cmd;

	for (;;) {
		if (guest_vp_run(&c->v)) {
			snprintf(c->msg, sizeof(c->msg), "run: %s", strerror(errno));
			c->errors++;
			break;
		}
		cmd = guest_get_ucall(&c->v, &uc);
		if (cmd == UCALL_DONE)
			break;
		if (cmd != UCALL_NONE || c->v.run->exit_reason != HVTB_EXIT_IO ||
		    c->v.run->io.port != 0x60) {
			guest_describe_exit(&c->v, c->msg, sizeof(c->msg));
			c->errors++;
			break;
		}
		if (c->v.run->io.value != ((uint64_t)c->v.index << 24 | (uint64_t)c->outs))
			c->errors++;
		c->outs++;
	}
	return NULL;
}

TEST(two_partitions_two_vps_concurrently)
{
	struct guest g[2];
	struct conc_vp c[4];
	pthread_t t[4];
	int i;

	GUEST_OR_SKIP(&g[0], 0);
	GUEST_OR_SKIP(&g[1], 0);
	memset(c, 0, sizeof(c));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, guest_vp_create(&g[i / 2], &c[i].v, i % 2));
		ASSERT_EQ(0, guest_vp_enter_long(&c[i].v, guest_conc, i % 2, CONC_ITERS));
	}
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, conc_thread, &c[i]));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_join(t[i], NULL));
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(0, c[i].errors) TH_LOG("VP %d: %s", i, c[i].msg);
		EXPECT_EQ(CONC_ITERS, c[i].outs);
		guest_vp_destroy(&c[i].v);
	}
	guest_destroy(&g[0]);
	guest_destroy(&g[1]);
}

TEST_HARNESS_MAIN
