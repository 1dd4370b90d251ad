// SPDX-License-Identifier: GPL-2.0
/*
 * vmbus_test - the in-kernel VMBus host of a partition (HVTB_VMBUS_ENABLE,
 * uapi/linux/hvtb_vmbus.h) against guest code playing a Linux 6.1 VSC:
 * INITIATE_CONTACT -> VERSION_RESPONSE for every version 6.1 proposes
 * (on connection id 4 from 5.0, 1 below, replies on the named SINT),
 * refusals (versions not served, capped by max_version, bad SINT, monitor
 * pages outside writable memory), REQUESTOFFERS -> ALLOFFERS_DELIVERED,
 * UNLOAD -> UNLOAD_RESPONSE, every kind of bad message dropped and counted
 * with no reply, the ioctls' bad inputs; the kernel API under it: the
 * monitor pages' EPT page view against HVTB_PARTITION_UNMAP_GPA (-EBUSY until
 * UNLOAD) and partition teardown (nothing stays pinned), and HvSignalEvent
 * to another VP's SynIC through the any-context flag path. Channels
 * (HVTB_VMBUS_OFFER_CHANNEL): the offer as the guest sees it, GPADLs over
 * header and body, bad GPADLs and opens, OPENCHANNEL, one packet each way
 * through libhvtb's ring code on the daemon's mmap() of the ring with the
 * eventfd and the signal ioctl, double open and close, hot-add, rescind by
 * close and by ioctl, UNLOAD with a channel open, and partition teardown
 * with everything open (nothing pinned, the module reference back).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/hvtb_vmbus.h>

#include "hvtb_harness.h"
#include "hvtb_test.h"
#include "guest.h"
#include "hyperv.h"
#include "partition.h"
#include "vmbus.h"
#include "vmbus_ring.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT	300

#include "vsc.h"

/* VP 1's SynIC pages (signal_event_other_vp_async). */
static struct vsc_synic synic1 __attribute__((aligned(4096)));

#define EXTRA_GPA		0x1000000ULL	/* just past guest memory */
#define EXTRA_SIZE		0x2000ULL


/* What the test wants the guest to send (copied in with guest_sync_to()). */
static struct initiate want;

/* ---- guest side ---- */


/*
 * INITIATE_CONTACT of @want, the answer expected in slot @sint; reports
 * its version_supported and msg_conn_id.
 */
static void guest_initiate(uint64_t sint)
{
	struct version_resp r;

	vsc_setup();
	GUEST_ASSERT_EQ(vsc_post(vsc_conn(want.version), &want, sizeof(want)), ST_SUCCESS);
	vsc_take(sint, CM_VERSION_RESPONSE, sizeof(r), &r);
	vsc_no_reply();
	GUEST_SYNC2(r.version_supported, r.msg_conn_id);
}

/* INITIATE_CONTACT of @want that nobody answers (no such target VP). */
static void guest_initiate_unanswered(void)
{
	vsc_setup();
	GUEST_ASSERT_EQ(vsc_post(vsc_conn(want.version), &want, sizeof(want)), ST_SUCCESS);
	vsc_no_reply();
}

/* A whole session (contact, offers, unload), replies in slot @sint. */
static void guest_session(uint64_t sint)
{
	struct version_resp r;
	struct { uint32_t msgtype, pad; } hdr = { CM_REQUESTOFFERS, 0 };

	vsc_setup();
	GUEST_ASSERT_EQ(vsc_post(vsc_conn(want.version), &want, sizeof(want)), ST_SUCCESS);
	vsc_take(sint, CM_VERSION_RESPONSE, sizeof(r), &r);
	GUEST_ASSERT_EQ(r.version_supported, 1);
	GUEST_ASSERT_EQ(r.msg_conn_id, 1);
	GUEST_ASSERT_EQ(vsc_post(r.msg_conn_id, &hdr, sizeof(hdr)), ST_SUCCESS);
	vsc_take(sint, CM_ALLOFFERS_DELIVERED, 8, NULL);
	GUEST_SYNC(1);		/* the test reads the stats: connected */
	hdr.msgtype = CM_UNLOAD;
	GUEST_ASSERT_EQ(vsc_post(1, &hdr, sizeof(hdr)), ST_SUCCESS);
	vsc_take(sint, CM_UNLOAD_RESPONSE, 8, NULL);
	vsc_no_reply();
}

/* ---- test side ---- */


/* The counters, or a pattern no counter matches when the ioctl fails. */
static struct hvtb_vmbus_stats vmbus_stats(int part)
{
	struct hvtb_vmbus_stats s;

	if (hvtb_vmbus_get_stats(part, &s))
		memset(&s, 0xee, sizeof(s));
	return s;
}


static void want_set(struct guest *g, uint32_t version, uint32_t sint)
{
	memset(&want, 0, sizeof(want));
	want.msgtype = CM_INITIATE_CONTACT;
	want.version = version;
	want.target_vcpu = 0;
	if (version >= HVTB_VMBUS_VERSION_5_0)
		want.page_or_sint = sint;
	guest_sync_to(g, want);
}

static const uint32_t linux61_versions[] = {
	HVTB_VMBUS_VERSION_5_3, HVTB_VMBUS_VERSION_5_2, HVTB_VMBUS_VERSION_5_1,
	HVTB_VMBUS_VERSION_5_0, HVTB_VMBUS_VERSION_4_1, HVTB_VMBUS_VERSION_4_0,
	HVTB_VMBUS_VERSION_3_0, HVTB_VMBUS_VERSION_2_4,
};

/* Every version Linux 6.1 proposes, one session each on one partition. */
TEST(every_version_session)
{
	struct hvtb_vmbus_stats s;
	struct guest g;
	struct guest_vp v;
	unsigned int i;

	VSC_SETUP(g, v, 0);
	s = vmbus_stats(g.part);
	EXPECT_EQ(HVTB_VMBUS_STATE_DISCONNECTED, s.state);
	for (i = 0; i < 8; i++) {
		uint32_t ver = linux61_versions[i];

		want_set(&g, ver, i == 0 ? 5 : 2);	/* 5.3 names SINT 5 */
		ASSERT_EQ(0, guest_vp_enter_long(&v, guest_session, i == 0 ? 5 : 2, 0));
		EXPECT_UCALL(&v, UCALL_SYNC);
		s = vmbus_stats(g.part);
		EXPECT_EQ(HVTB_VMBUS_STATE_CONNECTED, s.state) TH_LOG("0x%x", ver);
		EXPECT_EQ(ver, s.version);
		EXPECT_EQ(0, s.target_vp);
		EXPECT_EQ(i == 0 ? 5 : 2, s.message_sint);
		EXPECT_EQ(0, s.view_pages);
		EXPECT_UCALL(&v, UCALL_DONE);
		s = vmbus_stats(g.part);
		EXPECT_EQ(HVTB_VMBUS_STATE_DISCONNECTED, s.state);
		EXPECT_EQ(0, s.version);
	}
	s = vmbus_stats(g.part);
	EXPECT_EQ(24, s.messages);
	EXPECT_EQ(8, s.initiate_contact);
	EXPECT_EQ(0, s.version_refused);
	EXPECT_EQ(8, s.request_offers);
	EXPECT_EQ(8, s.unload);
	EXPECT_EQ(0, s.dropped_short + s.dropped_unknown + s.dropped_state +
		     s.dropped_connection + s.post_failed);
	EXPECT_EQ(0, s.offers + s.rescinds + s.gpadls_created + s.gpadls_failed +
		     s.gpadls_torndown + s.opens + s.opens_failed + s.channels + s.gpadls);
	TEARDOWN_VP(g, v);
}

/*
 * Refusals: versions Linux never proposes, versions above max_version
 * (4.0 here), a 5.x msg_sint above 15 (answered on SINT 2): each answered
 * with version_supported 0 and msg_conn_id 0, the state stays
 * disconnected, and the next (served) version is accepted.
 */
TEST(refused_versions)
{
	static const uint32_t refused[] = {
		0x0000000d, 0x00010001, 0x00050004, HVTB_VMBUS_VERSION_5_3,
		HVTB_VMBUS_VERSION_5_0, HVTB_VMBUS_VERSION_4_1,
	};
	struct hvtb_vmbus_stats s;
	struct guest g;
	struct guest_vp v;
	struct ucall uc;
	unsigned int i;

	VSC_SETUP(g, v, HVTB_VMBUS_VERSION_4_0);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		want_set(&g, refused[i], 2);
		ASSERT_EQ(0, guest_vp_enter_long(&v, guest_initiate, 2, 0));
		uc = EXPECT_UCALL(&v, UCALL_SYNC);
		EXPECT_EQ(0, uc.args[0]) TH_LOG("version 0x%x", refused[i]);
		EXPECT_EQ(0, uc.args[1]);
		EXPECT_UCALL(&v, UCALL_DONE);
		EXPECT_EQ(HVTB_VMBUS_STATE_DISCONNECTED, vmbus_stats(g.part).state);
	}
	want_set(&g, HVTB_VMBUS_VERSION_4_0, 2);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_initiate, 2, 0));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(1, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]);
	EXPECT_UCALL(&v, UCALL_DONE);
	s = vmbus_stats(g.part);
	EXPECT_EQ(HVTB_VMBUS_STATE_CONNECTED, s.state);
	EXPECT_EQ(HVTB_VMBUS_VERSION_4_0, s.version);
	EXPECT_EQ(7, s.initiate_contact);
	EXPECT_EQ(6, s.version_refused);
	TEARDOWN_VP(g, v);
}

TEST(refused_msg_sint_and_missing_target)
{
	struct guest g;
	struct guest_vp v;
	struct ucall uc;

	/* msg_sint 16 does not exist: refused, answered on SINT 2. */
	VSC_SETUP(g, v, 0);
	want_set(&g, HVTB_VMBUS_VERSION_5_0, 16);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_initiate, 2, 0));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(0, uc.args[0]);
	EXPECT_EQ(0, uc.args[1]);
	EXPECT_UCALL(&v, UCALL_DONE);
	/* msg_sint 5: accepted, answered there. */
	want_set(&g, HVTB_VMBUS_VERSION_5_1, 5);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_initiate, 5, 0));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(1, uc.args[0]);
	EXPECT_UCALL(&v, UCALL_DONE);
	EXPECT_EQ(1, vmbus_stats(g.part).version_refused);
	EXPECT_EQ(5, vmbus_stats(g.part).message_sint);
	TEARDOWN_VP(g, v);

	/* target_vcpu 7 does not exist: no answer, counted, still disconnected. */
	VSC_SETUP(g, v, 0);
	want_set(&g, HVTB_VMBUS_VERSION_5_2, 2);
	want.target_vcpu = 7;
	guest_sync_to(&g, want);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_initiate_unanswered, 0, 0));
	EXPECT_UCALL(&v, UCALL_DONE);
	EXPECT_EQ(1, vmbus_stats(g.part).post_failed);
	EXPECT_EQ(HVTB_VMBUS_STATE_DISCONNECTED, vmbus_stats(g.part).state);
	TEARDOWN_VP(g, v);
}

/* Bad messages: each dropped, counted, answered by nothing, status 0. */
static void guest_bad_messages(void)
{
	struct { uint32_t msgtype, pad; uint8_t rest[232]; } m;
	struct initiate ic = { .msgtype = CM_INITIATE_CONTACT,
			       .version = HVTB_VMBUS_VERSION_4_0 };
	struct version_resp r;
	int i;

	vsc_setup();
	memset(&m, 0, sizeof(m));
	/* Disconnected: REQUESTOFFERS, UNLOAD, OPENCHANNEL are out of state. */
	m.msgtype = CM_REQUESTOFFERS;
	GUEST_ASSERT_EQ(vsc_post(1, &m, 8), ST_SUCCESS);
	m.msgtype = CM_UNLOAD;
	GUEST_ASSERT_EQ(vsc_post(1, &m, 8), ST_SUCCESS);
	m.msgtype = CM_OPENCHANNEL;
	GUEST_ASSERT_EQ(vsc_post(1, &m, 148), ST_SUCCESS);
	vsc_no_reply();
	GUEST_SYNC(1);		/* dropped_state 3 */
	/* Short: INITIATE_CONTACT of 39 bytes, 3 bytes, nothing at all. */
	GUEST_ASSERT_EQ(vsc_post(1, &ic, 39), ST_SUCCESS);
	GUEST_ASSERT_EQ(vsc_post(1, &ic, 3), ST_SUCCESS);
	GUEST_ASSERT_EQ(vsc_post(1, &ic, 0), ST_SUCCESS);
	vsc_no_reply();
	GUEST_SYNC(2);		/* dropped_short 3 */
	/* Unknown: type 99, host-to-guest types, HvPostMessage type 2. */
	m.msgtype = 99;
	GUEST_ASSERT_EQ(vsc_post(1, &m, 240), ST_SUCCESS);
	m.msgtype = CM_VERSION_RESPONSE;
	GUEST_ASSERT_EQ(vsc_post(1, &m, 16), ST_SUCCESS);
	m.msgtype = CM_OFFERCHANNEL;
	GUEST_ASSERT_EQ(vsc_post(1, &m, 196), ST_SUCCESS);
	GUEST_ASSERT_EQ(vsc_post_type(1, 2, &ic, sizeof(ic)), ST_SUCCESS);
	vsc_no_reply();
	GUEST_SYNC(3);		/* dropped_unknown 4 */
	/* Connection 4 carries only a 5.x INITIATE_CONTACT. */
	m.msgtype = CM_REQUESTOFFERS;
	GUEST_ASSERT_EQ(vsc_post(4, &m, 8), ST_SUCCESS);
	GUEST_ASSERT_EQ(vsc_post(4, &ic, sizeof(ic)), ST_SUCCESS);	/* 4.0 */
	vsc_no_reply();
	GUEST_SYNC(4);		/* dropped_connection 2 */
	/* Connected (4.0 on connection 1): a second INITIATE_CONTACT and a
	 * channel message are out of state; a short GPADL_HEADER is short. */
	GUEST_ASSERT_EQ(vsc_post(1, &ic, sizeof(ic)), ST_SUCCESS);
	vsc_take(2, CM_VERSION_RESPONSE, sizeof(r), &r);
	GUEST_ASSERT_EQ(r.version_supported, 1);
	GUEST_ASSERT_EQ(vsc_post(1, &ic, sizeof(ic)), ST_SUCCESS);
	m.msgtype = CM_OPENCHANNEL;
	GUEST_ASSERT_EQ(vsc_post(1, &m, 148), ST_SUCCESS);
	m.msgtype = CM_GPADL_HEADER;
	GUEST_ASSERT_EQ(vsc_post(1, &m, 27), ST_SUCCESS);
	vsc_no_reply();
	/* A flood of garbage: all counted, the connection still works. */
	for (i = 0; i < 200; i++) {
		m.msgtype = 1000 + i;
		GUEST_ASSERT_EQ(vsc_post(1, &m, i), ST_SUCCESS);
	}
	vsc_no_reply();
	m.msgtype = CM_REQUESTOFFERS;
	GUEST_ASSERT_EQ(vsc_post(1, &m, 8), ST_SUCCESS);
	vsc_take(2, CM_ALLOFFERS_DELIVERED, 8, NULL);
	/* Connection ids nobody owns are still refused by the hypervisor. */
	GUEST_ASSERT_EQ(vsc_post(2, &m, 8), ST_INVALID_CONNECTION);
}

TEST(bad_messages_dropped_and_counted)
{
	struct hvtb_vmbus_stats s;
	struct guest g;
	struct guest_vp v;

	VSC_SETUP(g, v, 0);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_bad_messages, 0, 0));
	EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(3, vmbus_stats(g.part).dropped_state);
	EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(3, vmbus_stats(g.part).dropped_short);
	EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(4, vmbus_stats(g.part).dropped_unknown);
	EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(2, vmbus_stats(g.part).dropped_connection);
	EXPECT_UCALL(&v, UCALL_DONE);
	s = vmbus_stats(g.part);
	EXPECT_EQ(HVTB_VMBUS_STATE_CONNECTED, s.state);
	EXPECT_EQ(5, s.dropped_state);
	/* 3, GPADL_HEADER of 27 bytes, the flood's sizes 0..3 */
	EXPECT_EQ(3 + 1 + 4, s.dropped_short);
	EXPECT_EQ(4 + 196, s.dropped_unknown);
	EXPECT_EQ(2, s.dropped_connection);
	EXPECT_EQ(2, s.messages);	/* INITIATE_CONTACT, REQUESTOFFERS */
	EXPECT_EQ(0, s.post_failed);
	TEARDOWN_VP(g, v);
}

TEST(ioctl_bad_inputs)
{
	struct hvtb_vmbus_config c = { 0 };
	struct hvtb_vmbus_stats s;
	struct guest g;
	struct guest_vp v;
	int port;

	VSC_SETUP(g, v, ~0U);	/* not enabled yet */
	EXPECT_EQ(-ENODEV, guest_ioctl(g.part, HVTB_VMBUS_GET_STATS, (uintptr_t)&s));
	c.flags = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_VMBUS_ENABLE, (uintptr_t)&c));
	c.flags = 0;
	c.reserved[2] = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_VMBUS_ENABLE, (uintptr_t)&c));
	c.reserved[2] = 0;
	c.max_version = 0x00050004;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_VMBUS_ENABLE, (uintptr_t)&c));
	c.max_version = 0x00010001;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_VMBUS_ENABLE, (uintptr_t)&c));
	EXPECT_EQ(-EFAULT, guest_ioctl(g.part, HVTB_VMBUS_ENABLE, 8));
	/* A port fd on connection 4 keeps VMBus out; closing it lets it in. */
	port = hvtb_hv_create_port(g.part, 4, 0);
	ASSERT_LE(0, port);
	EXPECT_EQ(-EEXIST, vmbus_enable(g.part, 0));
	EXPECT_EQ(-ENODEV, guest_ioctl(g.part, HVTB_VMBUS_GET_STATS, (uintptr_t)&s));
	close(port);
	EXPECT_EQ(0, vmbus_enable(g.part, HVTB_VMBUS_VERSION_2_4));
	EXPECT_EQ(-EBUSY, vmbus_enable(g.part, 0));
	/* The kernel owns 1 and 4 now. */
	EXPECT_EQ(-EEXIST, hvtb_hv_create_port(g.part, 1, 0));
	EXPECT_EQ(-EEXIST, hvtb_hv_create_port(g.part, 4, 0));
	EXPECT_EQ(-EFAULT, guest_ioctl(g.part, HVTB_VMBUS_GET_STATS, 8));
	s = vmbus_stats(g.part);
	EXPECT_EQ(HVTB_VMBUS_STATE_DISCONNECTED, s.state);
	EXPECT_EQ(0, s.messages);
	EXPECT_EQ(-ENOTTY, guest_ioctl(g.part, _IO(HVTBIO, 0x6f), 0));
	TEARDOWN_VP(g, v);
}

/* ---- the monitor pages: an EPT page view vs HVTB_PARTITION_UNMAP_GPA and teardown ---- */

static long vm_locked_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void guest_unload(void)
{
	struct { uint32_t msgtype, pad; } hdr = { CM_UNLOAD, 0 };

	GUEST_ASSERT_EQ(vsc_post(1, &hdr, sizeof(hdr)), ST_SUCCESS);
	vsc_take(2, CM_UNLOAD_RESPONSE, 8, NULL);
}

TEST(monitor_pages_view_lifetime)
{
	struct hvtb_vmbus_stats s;
	struct guest g;
	struct guest_vp v;
	struct ucall uc;
	long locked0, locked;
	void *extra;
	int i, kfd;

	locked0 = vm_locked_kb();
	kfd = kmsg_open();
	VSC_SETUP(g, v, 0);
	extra = mmap(NULL, EXTRA_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, extra);
	/* Read-only monitor pages: refused. */
	ASSERT_EQ(0, hvtb_map_gpa(g.part, EXTRA_GPA, EXTRA_SIZE, extra, HVTB_MAP_READ));
	want_set(&g, HVTB_VMBUS_VERSION_5_0, 2);
	want.monitor1 = EXTRA_GPA;
	want.monitor2 = EXTRA_GPA + 0x1000;
	guest_sync_to(&g, want);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_initiate, 2, 0));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(0, uc.args[0]);
	EXPECT_UCALL(&v, UCALL_DONE);
	EXPECT_EQ(0, hvtb_unmap_gpa(g.part, EXTRA_GPA, EXTRA_SIZE));
	/* Not mapped at all: refused. */
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_initiate, 2, 0));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(0, uc.args[0]);
	EXPECT_UCALL(&v, UCALL_DONE);
	EXPECT_EQ(2, vmbus_stats(g.part).version_refused);

	/* Writable: accepted, and the range is held until UNLOAD. */
	ASSERT_EQ(0, hvtb_map_gpa(g.part, EXTRA_GPA, EXTRA_SIZE, extra,
				  HVTB_MAP_READ | HVTB_MAP_WRITE));
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_initiate, 2, 0));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(1, uc.args[0]);
	EXPECT_UCALL(&v, UCALL_DONE);
	s = vmbus_stats(g.part);
	EXPECT_EQ(2, s.view_pages);
	EXPECT_EQ(-EBUSY, hvtb_unmap_gpa(g.part, EXTRA_GPA, EXTRA_SIZE));
	EXPECT_EQ(-ENOENT, hvtb_unmap_gpa(g.part, EXTRA_GPA, 0x1000));
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_unload, 0, 0));
	EXPECT_UCALL(&v, UCALL_DONE);
	EXPECT_EQ(0, vmbus_stats(g.part).view_pages);
	EXPECT_EQ(0, hvtb_unmap_gpa(g.part, EXTRA_GPA, EXTRA_SIZE));

	/* Teardown with the view alive: nothing stays pinned, no warning. */
	ASSERT_EQ(0, hvtb_map_gpa(g.part, EXTRA_GPA, EXTRA_SIZE, extra,
				  HVTB_MAP_READ | HVTB_MAP_WRITE));
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_initiate, 2, 0));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(1, uc.args[0]);
	EXPECT_UCALL(&v, UCALL_DONE);
	EXPECT_EQ(2, vmbus_stats(g.part).view_pages);
	TEARDOWN_VP(g, v);
	for (i = 0; i < 100 && (locked = vm_locked_kb()) != locked0; i++)
		usleep(20000);
	EXPECT_EQ(locked0, locked);
	munmap(extra, EXTRA_SIZE);
	if (kfd >= 0) {
		char buf[256];

		EXPECT_EQ(0, kmsg_last(kfd, "EPT destroyed with", buf, sizeof(buf)));
		EXPECT_EQ(0, kmsg_last(kfd, "WARNING", buf, sizeof(buf)));
		close(kfd);
	}
}

/* ---- HvSignalEvent to another VP's SynIC: the any-context flag path ---- */

static void guest_vp1_synic(void)
{
	guest_wrmsr(MSR_SIMP, (uintptr_t)synic1.simp | 1);
	guest_wrmsr(MSR_SIEFP, (uintptr_t)synic1.siefp | 1);
	guest_wrmsr(MSR_SCONTROL, 1);
	guest_wrmsr(MSR_SINT0 + 3, 0xe4 | SINT_MASKED);
}

static void guest_vp0_signal(void)
{
	vsc_setup();
	/* Fast: from the exit handler, noted for VP 1 (which is not running). */
	GUEST_ASSERT_EQ(hv_call(HC_SIGNAL_EVENT | HC_FAST, 7 | (12ULL << 32), 0) & 0xffff,
			ST_SUCCESS);
	GUEST_ASSERT_EQ(hv_call(HC_SIGNAL_EVENT | HC_FAST, 7 | (13ULL << 32), 0) & 0xffff,
			ST_SUCCESS);
	GUEST_SYNC(1);
	/* Slow (memory input): set at once, in process context. */
	*(volatile uint64_t *)pages.in = 7 | (20ULL << 32);
	GUEST_ASSERT_EQ(hv_call(HC_SIGNAL_EVENT, (uintptr_t)pages.in, 0) & 0xffff,
			ST_SUCCESS);
	GUEST_SYNC(2);
}

TEST(signal_event_other_vp_async)
{
	struct hvtb_hv_event ev = {
		.connection_id = 7, .flags = HVTB_HV_EVENT_SYNIC,
		.flag_count = 64, .vp_index = 1, .sint = 3,
	};
	struct hvtb_synic_state st;
	volatile uint8_t *flags;
	struct guest g;
	struct guest_vp v, v1;

	VSC_SETUP(g, v, ~0U);
	ASSERT_EQ(0, guest_vp_create(&g, &v1, 1));
	ASSERT_EQ(0, guest_ioctl(g.part, HVTB_PARTITION_SET_HV_EVENT, (uintptr_t)&ev));
	ASSERT_EQ(0, guest_vp_enter_long(&v1, guest_vp1_synic, 0, 0));
	EXPECT_UCALL(&v1, UCALL_DONE);
	flags = guest_gpa(&g, (uintptr_t)synic1.siefp[3]);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_vp0_signal, 0, 0));
	EXPECT_UCALL(&v, UCALL_SYNC);
	/* Noted, not yet in VP 1's page: VP 1 has not run since. */
	EXPECT_EQ(0, flags[1]);
	/* HVTB_VP_GET_SYNIC sets them first; the SINT is masked: pending. */
	ASSERT_EQ(0, guest_ioctl(v1.fd, HVTB_VP_GET_SYNIC, (uintptr_t)&st));
	EXPECT_EQ((1 << 4) | (1 << 5), flags[1]);
	EXPECT_EQ(1u << 3, st.event_pending & (1u << 3));
	EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(1 << 4, flags[2]);	/* flag 20, the slow call */
	EXPECT_UCALL(&v, UCALL_DONE);
	guest_vp_destroy(&v1);
	TEARDOWN_VP(g, v);
}

/* ---- channels: a daemon (this test) offers, the guest plays the VSC ---- */


#define RING_PAGES		40	/* 26 PFNs in the header, 14 in a body */
#define RING_SPLIT		20	/* the host -> guest ring's first page */
#define RING_GPADL		0xe1e10
#define BUF_GPADL		0xe1e11

/* The guest's ring GPADL and a one-page buffer. */
static uint8_t ring[RING_PAGES][4096] __attribute__((aligned(4096)));
static uint8_t gbuf[4096] __attribute__((aligned(4096)));

/* What the test tells the guest (guest_sync_to()) and what it saw. */
static struct {
	uint32_t relid;
	uint32_t conn_id;
	uint32_t relid2;
	uint32_t pad;
} cw;

static const uint8_t scsi_guid[16] = {	/* ba6163d9-04a1-4d29-b605-72e2ffb1dc7f */
	0xd9, 0x63, 0x61, 0xba, 0xa1, 0x04, 0x29, 0x4d,
	0xb6, 0x05, 0x72, 0xe2, 0xff, 0xb1, 0xdc, 0x7f,
};
static const uint8_t inst_guid[16] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
};


/* An inband packet of 8 bytes @data into the guest -> host ring, then signal. */
static void vsc_send(uint64_t trans_id, uint64_t data)
{
	uint8_t *hdr = ring[0], *d = ring[1];
	uint32_t w = rd32(hdr);

	*(volatile uint16_t *)(d + w) = 6;		/* DATA_INBAND */
	*(volatile uint16_t *)(d + w + 2) = 2;		/* offset8 */
	*(volatile uint16_t *)(d + w + 4) = 3;		/* len8: 24 bytes */
	*(volatile uint16_t *)(d + w + 6) = 1;		/* completion requested */
	wr64(d + w + 8, trans_id);
	wr64(d + w + 16, data);
	wr64(d + w + 24, (uint64_t)w << 32);		/* trailer */
	__asm__ volatile("mfence" : : : "memory");
	wr32(hdr, w + 32);
	__asm__ volatile("mfence" : : : "memory");
	GUEST_ASSERT_EQ(hv_call(HC_SIGNAL_EVENT | HC_FAST, cw.conn_id, 0) & 0xffff,
			ST_SUCCESS);
}

/* The whole life of a channel: offer, ring GPADL, open, one packet each way, close. */
static void guest_chan_session(void)
{
	uint8_t *in = ring[RING_SPLIT], *d = ring[RING_SPLIT + 1];
	volatile uint8_t *flags = synic.siefp[2];

	vsc_connect(1);
	GUEST_SYNC(1);		/* the test checks the offer */
	GUEST_ASSERT_EQ(vsc_gpadl(cw.relid, RING_GPADL, (uintptr_t)ring, RING_PAGES, 1), 0);
	GUEST_ASSERT_EQ(vsc_open(cw.relid, RING_GPADL, RING_SPLIT), 0);
	vsc_send(0x1234, 0x34333231676e6970ULL);	/* "ping1234" */
	GUEST_SYNC(2);		/* the daemon reads it, answers, signals */
	GUEST_ASSERT_EQ((flags[cw.relid / 8] >> (cw.relid % 8)) & 1, 1);
	flags[cw.relid / 8] = 0;
	GUEST_ASSERT_EQ(rd32(in), 32);			/* write_index */
	GUEST_ASSERT_EQ(*(volatile uint16_t *)d, 11);	/* COMP */
	GUEST_ASSERT_EQ(*(volatile uint16_t *)(d + 4), 3);
	GUEST_ASSERT_EQ(*(volatile uint64_t *)(d + 8), 0x1234);
	GUEST_SYNC2(*(volatile uint64_t *)(d + 16), 0);
	wr32(in + 4, 32);				/* read_index */
	/* A second OPENCHANNEL of the open channel: dropped. */
	GUEST_ASSERT_EQ(vsc_post(1, (uint32_t[37]){ CM_OPENCHANNEL, 0, cw.relid, cw.relid,
						     RING_GPADL, 0, RING_SPLIT }, 148),
			ST_SUCCESS);
	vsc_no_reply();
	vsc_relid_msg(CM_CLOSECHANNEL, cw.relid);
	vsc_relid_msg(CM_CLOSECHANNEL, cw.relid);	/* closed already: dropped */
	vsc_no_reply();
	vsc_teardown(cw.relid, RING_GPADL);
	vsc_no_reply();
}

static int chan_offer(int part, const uint8_t *inst, struct hvtb_vmbus_offer *o)
{
	memset(o, 0, sizeof(*o));
	memcpy(o->if_type, scsi_guid, 16);
	memcpy(o->if_instance, inst, 16);
	o->user_def[0] = 0x5a;
	return hvtb_vmbus_offer_channel(part, o);
}

/* The next event record; type 0 if none is queued. */
static struct hvtb_vmbus_event chan_event(int ch)
{
	struct hvtb_vmbus_event ev;
	struct pollfd p = { .fd = ch, .events = POLLIN };

	memset(&ev, 0, sizeof(ev));
	if (poll(&p, 1, 0) == 1 && (p.revents & POLLIN))
		hvtb_vmbus_channel_read_event(ch, &ev);
	return ev;
}

static uint64_t eventfd_count(int efd)
{
	uint64_t v = 0;

	if (read(efd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

static long read_refcnt(void)
{
	FILE *f = fopen("/sys/module/hvtb/refcnt", "r");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* The test knows the relid and connection id once it offered. */
static void cw_set(struct guest *g, const struct hvtb_vmbus_offer *o)
{
	memset(&cw, 0, sizeof(cw));
	cw.relid = o->child_relid;
	cw.conn_id = o->connection_id;
	guest_sync_to(g, cw);
}

TEST(channel_session)
{
	struct hvtb_vmbus_channel_info info;
	struct hvtb_vmbus_offer o;
	struct hvtb_vmbus_event ev;
	struct hvtb_vmbus_stats s;
	struct hvtb_ring rin, rout;
	struct hvtb_ring_pkt pkt;
	uint8_t buf[64], *map;
	struct guest g;
	struct guest_vp v;
	struct ucall uc;
	bool sig;
	int ch, efd;

	VSC_SETUP(g, v, 0);
	ch = chan_offer(g.part, inst_guid, &o);
	ASSERT_LE(0, ch);
	EXPECT_LE(1, o.child_relid);
	EXPECT_GE(2047, o.child_relid);
	EXPECT_EQ(HVTB_VMBUS_CHANNEL_CONNECTION_ID(o.child_relid), o.connection_id);
	/* The same GUID pair twice: refused. */
	EXPECT_EQ(-EEXIST, chan_offer(g.part, inst_guid, &(struct hvtb_vmbus_offer){ 0 }));
	efd = eventfd(0, EFD_NONBLOCK);
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, hvtb_vmbus_channel_set_eventfd(ch, efd));
	cw_set(&g, &o);
	/* Not open: no signal, no ring to map. */
	EXPECT_EQ(-ENOTCONN, hvtb_vmbus_channel_signal(ch));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, ch, 0));
	EXPECT_EQ(ENXIO, errno);

	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_chan_session, 0, 0));
	EXPECT_UCALL(&v, UCALL_SYNC);
	guest_sync_from(&g, got_offer);
	EXPECT_EQ(0, memcmp(got_offer + 8, scsi_guid, 16));
	EXPECT_EQ(0, memcmp(got_offer + 24, inst_guid, 16));
	EXPECT_EQ(0x5a, got_offer[60]);
	EXPECT_EQ(0, *(uint16_t *)(got_offer + 180));	/* sub_channel_index */
	EXPECT_EQ(o.child_relid, *(uint32_t *)(got_offer + 184));
	EXPECT_EQ(0, got_offer[189]);			/* monitor_allocated */
	EXPECT_EQ(1, *(uint16_t *)(got_offer + 190));	/* is_dedicated_interrupt */
	EXPECT_EQ(o.connection_id, *(uint32_t *)(got_offer + 192));
	ASSERT_EQ(0, hvtb_vmbus_channel_get_info(ch, &info));
	EXPECT_EQ(HVTB_VMBUS_CHANNEL_OFFERED, info.state);

	EXPECT_UCALL(&v, UCALL_SYNC);
	/* The daemon: GPADL created, opened, a signal, one packet. */
	ev = chan_event(ch);
	EXPECT_EQ(HVTB_VMBUS_EVENT_GPADL_CREATED, ev.type);
	EXPECT_EQ(RING_GPADL, ev.gpadl);
	EXPECT_EQ(RING_PAGES, ev.pages);
	ev = chan_event(ch);
	ASSERT_EQ(HVTB_VMBUS_EVENT_OPENED, ev.type);
	EXPECT_EQ(o.child_relid, ev.child_relid);
	EXPECT_EQ(RING_GPADL, ev.gpadl);
	EXPECT_EQ(0, ev.target_vp);
	EXPECT_EQ(RING_SPLIT * 4096, ev.in_ring_size);
	EXPECT_EQ(RING_SPLIT * 4096, ev.out_ring_offset);
	EXPECT_EQ((RING_PAGES - RING_SPLIT) * 4096, ev.out_ring_size);
	EXPECT_EQ(0, chan_event(ch).type);
	EXPECT_EQ(1, eventfd_count(efd));
	/* Private or too long: refused. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, ev.pages * 4096, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE, ch, 0));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, (ev.pages + 1) * 4096, PROT_READ | PROT_WRITE,
				   MAP_SHARED, ch, 0));
	map = mmap(NULL, ev.pages * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ch, 0);
	ASSERT_NE(MAP_FAILED, map);
	/* It shows the guest's pages. */
	EXPECT_EQ(0, memcmp(map, guest_gpa(&g, (uintptr_t)ring), 4096 * 2));
	ASSERT_EQ(0, hvtb_ring_init(&rin, map, ev.in_ring_size, HVTB_RING_HOST_READS));
	ASSERT_EQ(0, hvtb_ring_init(&rout, map + ev.out_ring_offset, ev.out_ring_size,
				    HVTB_RING_HOST_WRITES));
	ASSERT_EQ(0, hvtb_ring_read(&rin, buf, sizeof(buf), &pkt));
	EXPECT_EQ(HVTB_PKT_DATA_INBAND, pkt.type);
	EXPECT_EQ(0x1234, pkt.trans_id);
	ASSERT_EQ(8, pkt.data_len);
	EXPECT_EQ(0, memcmp(pkt.data, "ping1234", 8));
	EXPECT_EQ(0, hvtb_ring_read_commit(&rin, &sig));
	EXPECT_EQ(0, hvtb_ring_put_comp(&rout, 0x1234, "pong5678", 8));
	EXPECT_EQ(0, hvtb_ring_write_commit(&rout, &sig));
	EXPECT_TRUE(sig);
	EXPECT_EQ(0, hvtb_vmbus_channel_signal(ch));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(0, memcmp(&uc.args[0], "pong5678", 8));
	ASSERT_EQ(0, hvtb_vmbus_channel_get_info(ch, &info));
	EXPECT_EQ(HVTB_VMBUS_CHANNEL_OPEN, info.state);
	EXPECT_EQ(RING_GPADL, info.ring_gpadl);
	EXPECT_EQ(RING_PAGES, info.ring_pages);
	EXPECT_EQ(RING_SPLIT, info.downstream);
	EXPECT_EQ(1, info.guest_signals);
	EXPECT_EQ(1, info.host_signals);
	EXPECT_EQ(1, info.gpadls);

	EXPECT_UCALL(&v, UCALL_DONE);
	EXPECT_EQ(HVTB_VMBUS_EVENT_CLOSED, chan_event(ch).type);
	ev = chan_event(ch);
	EXPECT_EQ(HVTB_VMBUS_EVENT_GPADL_TORNDOWN, ev.type);
	EXPECT_EQ(RING_GPADL, ev.gpadl);
	ASSERT_EQ(0, hvtb_vmbus_channel_get_info(ch, &info));
	EXPECT_EQ(HVTB_VMBUS_CHANNEL_OFFERED, info.state);
	EXPECT_EQ(0, info.gpadls);
	EXPECT_EQ(-ENOTCONN, hvtb_vmbus_channel_signal(ch));
	/* The mapping outlives the GPADL: still the guest's (held) pages. */
	EXPECT_EQ(32, ((volatile uint32_t *)map)[0]);
	s = vmbus_stats(g.part);
	EXPECT_EQ(1, s.offers);
	EXPECT_EQ(1, s.gpadls_created);
	EXPECT_EQ(1, s.gpadls_torndown);
	EXPECT_EQ(1, s.opens);
	EXPECT_EQ(2, s.dropped_state);	/* double open, double close */
	EXPECT_EQ(0, s.gpadls);
	EXPECT_EQ(0, s.view_pages);
	EXPECT_EQ(1, s.channels);
	EXPECT_EQ(0, s.post_failed);
	/* The ring's EPT range is free again. */
	munmap(map, RING_PAGES * 4096);
	close(efd);
	close(ch);
	s = vmbus_stats(g.part);
	EXPECT_EQ(1, s.rescinds);	/* the guest has not released it */
	EXPECT_EQ(1, s.channels);
	TEARDOWN_VP(g, v);
}

/* Bad GPADLs and opens, each answered with a failure or dropped. */
static void guest_chan_bad(void)
{
	uint8_t m[240];

	vsc_connect(1);
	/* A GPA outside guest memory; host memory is never reachable. */
	GUEST_ASSERT(vsc_gpadl(cw.relid, 0x100, EXTRA_GPA, 1, 1) != 0);
	GUEST_ASSERT(vsc_gpadl(cw.relid, 0x101, GUEST_MMIO_GPA, 2, 1) != 0);
	/* A range count other than 1. */
	GUEST_ASSERT(vsc_gpadl(cw.relid, 0x102, (uintptr_t)gbuf, 1, 2) != 0);
	GUEST_ASSERT(vsc_gpadl(cw.relid, 0x102, (uintptr_t)gbuf, 1, 0) != 0);
	/* Good, then the same handle again. */
	GUEST_ASSERT_EQ(vsc_gpadl(cw.relid, BUF_GPADL, (uintptr_t)gbuf, 1, 1), 0);
	GUEST_ASSERT(vsc_gpadl(cw.relid, BUF_GPADL, (uintptr_t)gbuf, 1, 1) != 0);
	/* A body without a header: dropped. */
	guest_bzero(m, sizeof(m));
	wr32(m, CM_GPADL_BODY);
	wr32(m + 12, 0x555);
	wr64(m + 16, (uintptr_t)gbuf >> 12);
	GUEST_ASSERT_EQ(vsc_post(1, m, 24), ST_SUCCESS);
	/* GPADL messages for a relid that does not exist: dropped. */
	wr32(m, CM_GPADL_HEADER);
	wr32(m + 8, cw.relid + 100);
	GUEST_ASSERT_EQ(vsc_post(1, m, 36), ST_SUCCESS);
	vsc_no_reply();
	GUEST_SYNC(1);
	/* Open with an unknown GPADL, a one-page GPADL, a bad split. */
	GUEST_ASSERT(vsc_open(cw.relid, 0x999, 2) != 0);
	GUEST_ASSERT(vsc_open(cw.relid, BUF_GPADL, 2) != 0);
	GUEST_ASSERT_EQ(vsc_gpadl(cw.relid, RING_GPADL, (uintptr_t)ring, 4, 1), 0);
	GUEST_ASSERT(vsc_open(cw.relid, RING_GPADL, 0) != 0);
	GUEST_ASSERT(vsc_open(cw.relid, RING_GPADL, 3) != 0);
	GUEST_ASSERT_EQ(vsc_open(cw.relid, RING_GPADL, 2), 0);
	/* Teardown of an unknown GPADL: dropped. */
	wr32(m, CM_GPADL_TEARDOWN);
	wr32(m + 8, cw.relid);
	wr32(m + 12, 0x777);
	GUEST_ASSERT_EQ(vsc_post(1, m, 16), ST_SUCCESS);
	/* RELID_RELEASED of a channel that was not rescinded: dropped. */
	vsc_relid_msg(CM_RELID_RELEASED, cw.relid);
	vsc_no_reply();
}

TEST(channel_bad_gpadls_and_opens)
{
	struct hvtb_vmbus_offer o;
	struct hvtb_vmbus_stats s;
	struct guest g;
	struct guest_vp v;
	int ch;

	VSC_SETUP(g, v, 0);
	ch = chan_offer(g.part, inst_guid, &o);
	ASSERT_LE(0, ch);
	cw_set(&g, &o);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_chan_bad, 0, 0));
	EXPECT_UCALL(&v, UCALL_SYNC);
	s = vmbus_stats(g.part);
	EXPECT_EQ(5, s.gpadls_failed);
	EXPECT_EQ(1, s.gpadls_created);
	EXPECT_EQ(1, s.gpadls);
	EXPECT_EQ(1, s.view_pages);
	EXPECT_EQ(2, s.dropped_state);
	EXPECT_EQ(HVTB_VMBUS_EVENT_GPADL_CREATED, chan_event(ch).type);
	EXPECT_EQ(0, chan_event(ch).type);
	EXPECT_UCALL(&v, UCALL_DONE);
	s = vmbus_stats(g.part);
	EXPECT_EQ(4, s.opens_failed);
	EXPECT_EQ(1, s.opens);
	EXPECT_EQ(4, s.dropped_state);
	EXPECT_EQ(0, s.post_failed);
	/* Its pages stay mapped: the range cannot go. */
	EXPECT_EQ(-EBUSY, hvtb_unmap_gpa(g.part, 0, GUEST_MEM_SIZE));
	close(ch);
	TEARDOWN_VP(g, v);
}

TEST(channel_ioctl_bad_inputs)
{
	struct hvtb_vmbus_channel_eventfd e = { .fd = -1 };
	struct hvtb_vmbus_offer o;
	struct guest g;
	struct guest_vp v;
	char small[8];
	int ch, efd;

	VSC_SETUP(g, v, ~0U);
	EXPECT_EQ(-ENODEV, chan_offer(g.part, inst_guid, &o));
	ASSERT_EQ(0, vmbus_enable(g.part, 0));
	memset(&o, 0, sizeof(o));
	o.flags = 1;
	EXPECT_EQ(-EINVAL, hvtb_vmbus_offer_channel(g.part, &o));
	o.flags = 0;
	o.reserved[3] = 1;
	EXPECT_EQ(-EINVAL, hvtb_vmbus_offer_channel(g.part, &o));
	o.reserved[3] = 0;
	o.child_relid = 5;
	EXPECT_EQ(-EINVAL, hvtb_vmbus_offer_channel(g.part, &o));
	EXPECT_EQ(-EFAULT, guest_ioctl(g.part, HVTB_VMBUS_OFFER_CHANNEL, 8));
	ch = chan_offer(g.part, inst_guid, &o);
	ASSERT_LE(0, ch);
	/* Its connection id is the kernel's: no eventfd of user space takes it. */
	efd = eventfd(0, 0);
	ASSERT_LE(0, efd);
	EXPECT_EQ(-EEXIST, hvtb_hv_set_event(g.part, o.connection_id, efd, 0));
	close(efd);
	e.flags = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(ch, HVTB_VMBUS_CHANNEL_SET_EVENTFD, (uintptr_t)&e));
	e.flags = 0;
	e.fd = -2;
	EXPECT_EQ(-EINVAL, guest_ioctl(ch, HVTB_VMBUS_CHANNEL_SET_EVENTFD, (uintptr_t)&e));
	e.fd = 0x7fffffff;
	EXPECT_EQ(-EBADF, guest_ioctl(ch, HVTB_VMBUS_CHANNEL_SET_EVENTFD, (uintptr_t)&e));
	e.fd = -1;
	e.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(ch, HVTB_VMBUS_CHANNEL_SET_EVENTFD, (uintptr_t)&e));
	EXPECT_EQ(-EFAULT, guest_ioctl(ch, HVTB_VMBUS_CHANNEL_GET_INFO, 8));
	EXPECT_EQ(-ENOTTY, guest_ioctl(ch, _IO(HVTBIO, 0x6f), 0));
	EXPECT_EQ(-1, read(ch, small, sizeof(small)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-EAGAIN, ({ int __f = fcntl(ch, F_GETFL);
			      fcntl(ch, F_SETFL, __f | O_NONBLOCK);
			      hvtb_vmbus_channel_read_event(ch, &(struct hvtb_vmbus_event){ 0 }); }));
	/* Never offered: rescinding releases the relid at once. */
	EXPECT_EQ(0, hvtb_vmbus_channel_rescind(ch));
	EXPECT_EQ(HVTB_VMBUS_EVENT_RELEASED, chan_event(ch).type);
	EXPECT_EQ(-ENXIO, hvtb_vmbus_channel_rescind(ch));
	EXPECT_EQ(-ENODEV, hvtb_vmbus_channel_read_event(ch, &(struct hvtb_vmbus_event){ 0 }));
	EXPECT_EQ(0, vmbus_stats(g.part).channels);
	EXPECT_EQ(0, vmbus_stats(g.part).rescinds);
	close(ch);
	TEARDOWN_VP(g, v);
}

/* Hot-add while connected, then both rescinded (fd close, ioctl). */
static void guest_hot_add(void)
{
	uint32_t r[3];

	vsc_connect(1);
	GUEST_SYNC(1);		/* the test offers a second channel */
	vsc_take(2, CM_OFFERCHANNEL, 196, got_offer);
	GUEST_SYNC(2);		/* the test closes the first fd */
	vsc_take(2, CM_RESCIND, 12, r);
	GUEST_ASSERT_EQ(r[2], cw.relid);
	vsc_relid_msg(CM_RELID_RELEASED, cw.relid);
	GUEST_SYNC(3);		/* the test rescinds the second by ioctl */
	vsc_take(2, CM_RESCIND, 12, r);
	GUEST_ASSERT_EQ(r[2], cw.relid2);
	vsc_relid_msg(CM_RELID_RELEASED, cw.relid2);
	vsc_relid_msg(CM_RELID_RELEASED, cw.relid2);	/* gone: dropped */
	vsc_no_reply();
}

TEST(channel_hot_add_and_rescind)
{
	static const uint8_t inst2[16] = { 0x42 };
	struct hvtb_vmbus_offer o, o2;
	struct hvtb_vmbus_stats s;
	struct pollfd p;
	struct guest g;
	struct guest_vp v;
	int ch, ch2;

	VSC_SETUP(g, v, 0);
	ch = chan_offer(g.part, inst_guid, &o);
	ASSERT_LE(0, ch);
	cw_set(&g, &o);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_hot_add, 0, 0));
	EXPECT_UCALL(&v, UCALL_SYNC);
	ch2 = chan_offer(g.part, inst2, &o2);
	ASSERT_LE(0, ch2);
	EXPECT_NE(o.child_relid, o2.child_relid);
	cw.relid2 = o2.child_relid;
	guest_sync_to(&g, cw);
	EXPECT_EQ(2, vmbus_stats(g.part).offers);
	EXPECT_UCALL(&v, UCALL_SYNC);
	guest_sync_from(&g, got_offer);
	EXPECT_EQ(o2.child_relid, *(uint32_t *)(got_offer + 184));
	EXPECT_EQ(0, memcmp(got_offer + 24, inst2, 16));
	close(ch);
	EXPECT_UCALL(&v, UCALL_SYNC);
	s = vmbus_stats(g.part);
	EXPECT_EQ(1, s.channels);
	EXPECT_EQ(1, s.rescinds);
	/* The relid is free again: a new offer may take it. */
	EXPECT_EQ(0, hvtb_vmbus_channel_rescind(ch2));
	p = (struct pollfd){ .fd = ch2, .events = POLLIN };
	EXPECT_EQ(0, poll(&p, 1, 0));
	EXPECT_UCALL(&v, UCALL_DONE);
	EXPECT_EQ(HVTB_VMBUS_EVENT_RELEASED, chan_event(ch2).type);
	p = (struct pollfd){ .fd = ch2, .events = POLLIN };
	EXPECT_EQ(1, poll(&p, 1, 0));
	EXPECT_TRUE(p.revents & POLLHUP);
	s = vmbus_stats(g.part);
	EXPECT_EQ(0, s.channels);
	EXPECT_EQ(2, s.rescinds);
	EXPECT_EQ(1, s.dropped_state);
	close(ch2);
	TEARDOWN_VP(g, v);
}

/* Open a channel, then UNLOAD with it open. */
static void guest_open_then(uint64_t unload)
{
	struct { uint32_t msgtype, pad; } hdr = { CM_UNLOAD, 0 };
	uint32_t mod[4] = { 22, 0, 0, 0 }, resp[4];	/* MODIFYCHANNEL */

	vsc_connect(1);
	GUEST_ASSERT_EQ(vsc_gpadl(cw.relid, RING_GPADL, (uintptr_t)ring, RING_PAGES, 1), 0);
	GUEST_ASSERT_EQ(vsc_gpadl(cw.relid, BUF_GPADL, (uintptr_t)gbuf, 1, 1), 0);
	GUEST_ASSERT_EQ(vsc_open(cw.relid, RING_GPADL, RING_SPLIT), 0);
	/* MODIFYCHANNEL: to VP 0, answered 0; to a VP that cannot exist, refused. */
	mod[2] = cw.relid;
	GUEST_ASSERT_EQ(vsc_post(1, mod, sizeof(mod)), ST_SUCCESS);
	vsc_take(2, 24, 16, resp);
	GUEST_ASSERT_EQ(resp[2], cw.relid);
	GUEST_ASSERT_EQ(resp[3], 0);
	mod[3] = 0xfffffff0;
	GUEST_ASSERT_EQ(vsc_post(1, mod, sizeof(mod)), ST_SUCCESS);
	vsc_take(2, 24, 16, resp);
	GUEST_ASSERT(resp[3] != 0);
	GUEST_SYNC(1);
	if (!unload)
		return;
	GUEST_ASSERT_EQ(vsc_post(1, &hdr, sizeof(hdr)), ST_SUCCESS);
	vsc_take(2, CM_UNLOAD_RESPONSE, 8, NULL);
	vsc_no_reply();
}

TEST(channel_unload_while_open)
{
	struct hvtb_vmbus_channel_info info;
	struct hvtb_vmbus_offer o;
	struct hvtb_vmbus_stats s;
	struct guest g;
	struct guest_vp v;
	uint32_t types[6];
	uint8_t *map;
	int ch, i;

	VSC_SETUP(g, v, 0);
	ch = chan_offer(g.part, inst_guid, &o);
	ASSERT_LE(0, ch);
	cw_set(&g, &o);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_open_then, 1, 0));
	EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(RING_PAGES + 1, vmbus_stats(g.part).view_pages);
	/* The buffer GPADL maps at its handle. */
	map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ch,
		   (off_t)BUF_GPADL * 4096);
	ASSERT_NE(MAP_FAILED, map);
	map[100] = 0x77;
	EXPECT_EQ(0x77, ((uint8_t *)guest_gpa(&g, (uintptr_t)gbuf))[100]);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, ch, 0x999000));
	EXPECT_UCALL(&v, UCALL_DONE);
	s = vmbus_stats(g.part);
	EXPECT_EQ(HVTB_VMBUS_STATE_DISCONNECTED, s.state);
	EXPECT_EQ(0, s.gpadls);
	EXPECT_EQ(0, s.view_pages);
	EXPECT_EQ(1, s.channels);
	EXPECT_EQ(0, s.rescinds);
	/* GPADL_CREATED x2, OPENED, then UNLOAD's GPADL_TORNDOWN x2, CLOSED. */
	for (i = 0; i < 6; i++)
		types[i] = chan_event(ch).type;
	EXPECT_EQ(HVTB_VMBUS_EVENT_OPENED, types[2]);
	EXPECT_EQ(HVTB_VMBUS_EVENT_GPADL_TORNDOWN, types[3]);
	EXPECT_EQ(HVTB_VMBUS_EVENT_GPADL_TORNDOWN, types[4]);
	EXPECT_EQ(HVTB_VMBUS_EVENT_CLOSED, types[5]);
	EXPECT_EQ(0, chan_event(ch).type);
	ASSERT_EQ(0, hvtb_vmbus_channel_get_info(ch, &info));
	EXPECT_EQ(HVTB_VMBUS_CHANNEL_UNOFFERED, info.state);
	EXPECT_EQ(0, info.gpadls);
	/* The mapping outlives the GPADL; the EPT range is free again. */
	EXPECT_EQ(0x77, map[100]);
	munmap(map, 4096);
	EXPECT_EQ(0, hvtb_unmap_gpa(g.part, 0, GUEST_MEM_SIZE));
	close(ch);
	s = vmbus_stats(g.part);
	EXPECT_EQ(0, s.channels);
	EXPECT_EQ(0, s.rescinds);	/* the guest never knew it after UNLOAD */
	TEARDOWN_VP(g, v);
}

/* The partition goes with a channel open, mapped, with an eventfd. */
TEST(channel_partition_teardown_everything_open)
{
	struct hvtb_vmbus_offer o;
	struct guest g;
	struct guest_vp v;
	long locked0, locked, ref0, ref;
	uint8_t *map;
	int ch, efd, kfd, i;

	locked0 = vm_locked_kb();
	ref0 = read_refcnt();
	kfd = kmsg_open();
	VSC_SETUP(g, v, 0);
	ch = chan_offer(g.part, inst_guid, &o);
	ASSERT_LE(0, ch);
	efd = eventfd(0, EFD_NONBLOCK);
	ASSERT_EQ(0, hvtb_vmbus_channel_set_eventfd(ch, efd));
	cw_set(&g, &o);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_open_then, 0, 0));
	EXPECT_UCALL(&v, UCALL_SYNC);
	map = mmap(NULL, RING_PAGES * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ch, 0);
	ASSERT_NE(MAP_FAILED, map);
	map[8] = 1;	/* the guest -> host ring's interrupt_mask */
	EXPECT_LT(ref0, read_refcnt());
	TEARDOWN_VP(g, v);
	/* The mapping still shows the (held) pages. */
	EXPECT_EQ(1, map[8]);
	EXPECT_EQ(-ENOENT, hvtb_vmbus_channel_signal(ch));	/* no VP left */
	munmap(map, RING_PAGES * 4096);
	close(efd);
	close(ch);
	for (i = 0; i < 100 && ((locked = vm_locked_kb()) != locked0 ||
				(ref = read_refcnt()) != ref0); i++)
		usleep(20000);
	EXPECT_EQ(locked0, locked);
	EXPECT_EQ(ref0, read_refcnt());
	if (kfd >= 0) {
		char buf[256];

		EXPECT_EQ(0, kmsg_last(kfd, "EPT destroyed with", buf, sizeof(buf)));
		EXPECT_EQ(0, kmsg_last(kfd, "WARNING", buf, sizeof(buf)));
		close(kfd);
	}
}


/* A GPADL_HEADER of @n pages that carries no PFN (the bodies never come). */
static void vsc_gpadl_pending(uint32_t relid, uint32_t h, uint32_t n)
{
	uint8_t m[28];

	guest_bzero(m, sizeof(m));
	wr32(m, CM_GPADL_HEADER);
	wr32(m + 8, relid);
	wr32(m + 12, h);
	*(volatile uint16_t *)(m + 16) = 8 + 8 * n;
	*(volatile uint16_t *)(m + 18) = 1;
	wr32(m + 20, n * 4096);
	GUEST_ASSERT_EQ(vsc_post(1, m, sizeof(m)), ST_SUCCESS);
}

/* The guest's GPADL allocations are bounded: pages, then count. */
static void guest_gpadl_limits(void)
{
	struct { uint32_t msgtype, pad; } hdr = { CM_UNLOAD, 0 };
	uint32_t i, created[5], m[4] = { 22, 0, 0, 0 };	/* MODIFYCHANNEL */

	vsc_connect(1);
	/* 8 pending headers of 8190 pages hold 65520 of the 65536 pages. */
	for (i = 0; i < 8; i++)
		vsc_gpadl_pending(cw.relid, 0x200 + i, 8190);
	vsc_no_reply();
	vsc_gpadl_pending(cw.relid, 0x208, 8190);
	vsc_take(2, CM_GPADL_CREATED, 20, created);
	GUEST_ASSERT_EQ(created[3], 0x208);
	GUEST_ASSERT(created[4] != 0);
	GUEST_ASSERT_EQ(vsc_gpadl(cw.relid, 0x209, (uintptr_t)gbuf, 16, 1), 0);
	GUEST_ASSERT(vsc_gpadl(cw.relid, 0x20a, (uintptr_t)gbuf, 1, 1) != 0);
	GUEST_SYNC(1);
	/* UNLOAD drops them all; after a new contact the offer comes again. */
	GUEST_ASSERT_EQ(vsc_post(1, &hdr, sizeof(hdr)), ST_SUCCESS);
	vsc_take(2, CM_UNLOAD_RESPONSE, 8, NULL);
	vsc_connect(1);
	GUEST_ASSERT_EQ(rd32(got_offer + 184), cw.relid);
	GUEST_SYNC(2);
	for (i = 0; i < HVTB_VMBUS_MAX_GPADLS; i++)
		GUEST_ASSERT_EQ(vsc_gpadl(cw.relid, 0x1000 + i, (uintptr_t)gbuf, 1, 1), 0);
	GUEST_ASSERT(vsc_gpadl(cw.relid, 0x2000, (uintptr_t)gbuf, 1, 1) != 0);
	/* MODIFYCHANNEL of a channel that is not open: dropped. */
	m[2] = cw.relid;
	GUEST_ASSERT_EQ(vsc_post(1, m, sizeof(m)), ST_SUCCESS);
	vsc_no_reply();
}

TEST(channel_gpadl_limits)
{
	struct hvtb_vmbus_channel_info info;
	struct hvtb_vmbus_offer o;
	struct hvtb_vmbus_stats s;
	struct guest g;
	struct guest_vp v;
	long locked0, locked;
	int ch, i;

	locked0 = vm_locked_kb();
	VSC_SETUP(g, v, 0);
	ch = chan_offer(g.part, inst_guid, &o);
	ASSERT_LE(0, ch);
	cw_set(&g, &o);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_gpadl_limits, 0, 0));
	EXPECT_UCALL(&v, UCALL_SYNC);
	s = vmbus_stats(g.part);
	EXPECT_EQ(9, s.gpadls);
	EXPECT_EQ(2, s.gpadls_failed);
	EXPECT_EQ(1, s.gpadls_created);
	EXPECT_EQ(16, s.view_pages);
	EXPECT_UCALL(&v, UCALL_SYNC);
	s = vmbus_stats(g.part);
	EXPECT_EQ(0, s.gpadls);
	EXPECT_EQ(0, s.view_pages);
	EXPECT_EQ(2, s.offers);
	EXPECT_UCALL(&v, UCALL_DONE);
	s = vmbus_stats(g.part);
	EXPECT_EQ(HVTB_VMBUS_MAX_GPADLS, s.gpadls);
	EXPECT_EQ(HVTB_VMBUS_MAX_GPADLS, s.view_pages);
	EXPECT_EQ(3, s.gpadls_failed);
	EXPECT_EQ(1, s.dropped_state);
	/* 257 GPADL_CREATED events and one GPADL_TORNDOWN: the queue keeps 64. */
	ASSERT_EQ(0, hvtb_vmbus_channel_get_info(ch, &info));
	EXPECT_EQ(HVTB_VMBUS_MAX_GPADLS, info.gpadls);
	EXPECT_EQ(1 + 1 + HVTB_VMBUS_MAX_GPADLS - HVTB_VMBUS_EVENT_QUEUE, info.events_lost);
	for (i = 0; i < HVTB_VMBUS_EVENT_QUEUE; i++)
		if (!chan_event(ch).type)
			break;
	EXPECT_EQ(HVTB_VMBUS_EVENT_QUEUE, i);
	EXPECT_EQ(0, chan_event(ch).type);
	/* Teardown with 256 GPADLs: nothing stays pinned. */
	close(ch);
	TEARDOWN_VP(g, v);
	for (i = 0; i < 100 && (locked = vm_locked_kb()) != locked0; i++)
		usleep(20000);
	EXPECT_EQ(locked0, locked);
}


#define MANY_CHANNELS	20	/* more than the SynIC queue (HVTB_HV_SINT_QUEUE_DEPTH) holds */

/* REQUESTOFFERS with more offers than the queue takes: the rest follow. */
static void guest_many_offers(void)
{
	struct { uint32_t msgtype, pad; } hdr = { CM_REQUESTOFFERS, 0 };
	struct initiate ic = { .msgtype = CM_INITIATE_CONTACT,
			       .version = HVTB_VMBUS_VERSION_5_0,
			       .page_or_sint = 2 };
	uint32_t i, seen = 0;

	vsc_setup();
	GUEST_ASSERT_EQ(vsc_post(4, &ic, sizeof(ic)), ST_SUCCESS);
	vsc_take(2, CM_VERSION_RESPONSE, sizeof(struct version_resp), NULL);
	GUEST_ASSERT_EQ(vsc_post(1, &hdr, sizeof(hdr)), ST_SUCCESS);
	for (i = 0; i < HVTB_HV_SINT_QUEUE_DEPTH; i++) {
		vsc_take(2, CM_OFFERCHANNEL, 196, got_offer);
		seen |= 1U << rd32(got_offer + 184);
	}
	vsc_no_reply();
	GUEST_SYNC(1);
	/* Any message (this one is dropped) lets the host send the rest. */
	vsc_relid_msg(CM_RELID_RELEASED, 1);
	for (; i < MANY_CHANNELS; i++) {
		vsc_take(2, CM_OFFERCHANNEL, 196, got_offer);
		seen |= 1U << rd32(got_offer + 184);
	}
	vsc_take(2, CM_ALLOFFERS_DELIVERED, 8, NULL);
	vsc_no_reply();
	GUEST_SYNC(seen);
}

TEST(channel_many_offers)
{
	struct hvtb_vmbus_offer o;
	struct hvtb_vmbus_stats s;
	uint8_t inst[16] = { 0 };
	struct guest g;
	struct guest_vp v;
	struct ucall uc;
	int ch[MANY_CHANNELS], i;

	VSC_SETUP(g, v, 0);
	for (i = 0; i < MANY_CHANNELS; i++) {
		inst[0] = i;
		ch[i] = chan_offer(g.part, inst, &o);
		ASSERT_LE(0, ch[i]);
		EXPECT_EQ(i + 1, o.child_relid);
	}
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_many_offers, 0, 0));
	EXPECT_UCALL(&v, UCALL_SYNC);
	s = vmbus_stats(g.part);
	EXPECT_EQ(HVTB_HV_SINT_QUEUE_DEPTH, s.offers);
	/* The 17th offer: refused, and again by the flush after REQUESTOFFERS. */
	EXPECT_EQ(2, s.post_failed);
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(((1ULL << MANY_CHANNELS) - 1) << 1, uc.args[0]);
	EXPECT_UCALL(&v, UCALL_DONE);
	s = vmbus_stats(g.part);
	EXPECT_EQ(MANY_CHANNELS, s.offers);
	EXPECT_EQ(2, s.post_failed);
	EXPECT_EQ(MANY_CHANNELS, s.channels);
	for (i = 0; i < MANY_CHANNELS; i++)
		close(ch[i]);
	s = vmbus_stats(g.part);
	EXPECT_EQ(MANY_CHANNELS, s.rescinds);
	TEARDOWN_VP(g, v);
}

/* tracefs: the hvtb VMBus events on (1) or off (0); false if the kernel has none. */
static bool trace_vmbus(int on)
{
	static const char *const ev[] = { "hvtb_vmbus_message", "hvtb_vmbus_signal" };
	char path[128];
	unsigned int i;
	FILE *f;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/sys/kernel/tracing/events/hvtb/%s/enable", ev[i]);
		f = fopen(path, "w");
		if (!f)
			return false;
		fprintf(f, "%d\n", on);
		if (fclose(f))
			return false;
	}
	if (on) {
		f = fopen("/sys/kernel/tracing/trace", "w");	/* O_TRUNC: clear */
		if (!f)
			return false;
		fclose(f);
	}
	return true;
}

/* How many lines of the trace buffer contain all of @a, @b (NULL: any). */
static unsigned int trace_count(const char *a, const char *b)
{
	char line[512];
	unsigned int n = 0;
	FILE *f = fopen("/sys/kernel/tracing/trace", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, a) && (!b || strstr(line, b)))
			n++;
	fclose(f);
	return n;
}

/* Connect, signal the channel, post a message of an unknown type. */
static void guest_traced(void)
{
	uint32_t bogus[2] = { 0x77, 0 };

	vsc_connect(1);
	GUEST_ASSERT_EQ(hv_call(HC_SIGNAL_EVENT | HC_FAST, cw.conn_id, 0) & 0xffff, ST_SUCCESS);
	GUEST_ASSERT_EQ(vsc_post(1, bogus, sizeof(bogus)), ST_SUCCESS);
	vsc_no_reply();
}

/* Every VMBus message both ways and every channel signal is a tracepoint. */
TEST(tracepoints_messages_and_signals)
{
	struct hvtb_vmbus_offer o;
	struct guest g;
	struct guest_vp v;
	char relid[64], offer[64];
	int ch;

	if (!trace_vmbus(1))
		SKIP(return, "no hvtb events in /sys/kernel/tracing (no tracefs or no CONFIG_EVENT_TRACING)");
	VSC_SETUP(g, v, 0);
	ch = chan_offer(g.part, inst_guid, &o);
	ASSERT_LE(0, ch);
	cw_set(&g, &o);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_traced, 0, 0));
	EXPECT_UCALL(&v, UCALL_DONE);
	EXPECT_EQ(-ENOTCONN, hvtb_vmbus_channel_signal(ch));
	close(ch);
	trace_vmbus(0);
	snprintf(offer, sizeof(offer), "host->guest type 1 relid %u size 196 result 0",
		 o.child_relid);
	EXPECT_EQ(1, trace_count("hvtb_vmbus_message:", "guest->host type 14 relid 0 "));
	EXPECT_EQ(1, trace_count("hvtb_vmbus_message:", "host->guest type 15 relid 0 size 16 result 0"));
	EXPECT_EQ(1, trace_count("hvtb_vmbus_message:", "guest->host type 3 relid 0 size 8 result 0"));
	EXPECT_EQ(1, trace_count("hvtb_vmbus_message:", offer));
	EXPECT_EQ(1, trace_count("hvtb_vmbus_message:", "host->guest type 4 relid 0 size 8 result 0"));
	/* The unknown type: dropped, its verdict traced (not 0). */
	EXPECT_EQ(1, trace_count("hvtb_vmbus_message:", "guest->host type 119 relid 0 size 8 result"));
	EXPECT_EQ(0, trace_count("guest->host type 119 relid 0 size 8 result 0", NULL));
	/* The close rescinds: RESCIND_CHANNELOFFER names the relid. */
	snprintf(offer, sizeof(offer), "host->guest type 2 relid %u size 12 result 0", o.child_relid);
	EXPECT_EQ(1, trace_count("hvtb_vmbus_message:", offer));
	/* The guest's HvSignalEvent on the channel's connection id. */
	snprintf(relid, sizeof(relid), "guest->host relid %u result 0", o.child_relid);
	EXPECT_EQ(1, trace_count("hvtb_vmbus_signal:", "guest->host"));
	EXPECT_EQ(1, trace_count("hvtb_vmbus_signal:", relid));
	/* The daemon's signal of a channel not open: traced with its -ENOTCONN. */
	snprintf(offer, sizeof(offer), "host->guest relid %u result %d", o.child_relid, -ENOTCONN);
	EXPECT_EQ(1, trace_count("hvtb_vmbus_signal:", offer));
	TEARDOWN_VP(g, v);
}

TEST_HARNESS_MAIN
