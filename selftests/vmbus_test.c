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
 * to another VP's SynIC through the any-context flag path.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/hvtb_vmbus.h>

#include "hvtb_harness.h"
#include "hvtb_test.h"
#include "guest.h"
#include "hyperv.h"
#include "partition.h"
#include "vmbus.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT	300

/* TLFS numbers (the kernel's <asm/hyperv-tlfs.h> is not for user space). */
#define MSR_GUEST_OS_ID		0x40000000
#define MSR_HYPERCALL		0x40000001
#define MSR_SCONTROL		0x40000080
#define MSR_SIEFP		0x40000082
#define MSR_SIMP		0x40000083
#define MSR_EOM			0x40000084
#define MSR_SINT0		0x40000090
#define SINT_MASKED		(1ULL << 16)
#define SINT_POLLING		(1ULL << 18)
#define EAX_ALL			((1U << 1) | (1U << 2) | (1U << 3) | (1U << 5) | \
				 (1U << 6) | (1U << 9))
#define EBX_ALL			((1U << 4) | (1U << 5))
#define HC_POST_MESSAGE		0x005c
#define HC_SIGNAL_EVENT		0x005d
#define HC_FAST			(1ULL << 16)
#define ST_SUCCESS		0
#define ST_INVALID_CONNECTION	18

/* VMBus channel message types and sizes (Linux 6.1 include/linux/hyperv.h). */
#define CM_OFFERCHANNEL		1
#define CM_REQUESTOFFERS	3
#define CM_ALLOFFERS_DELIVERED	4
#define CM_OPENCHANNEL		5
#define CM_GPADL_HEADER		8
#define CM_INITIATE_CONTACT	14
#define CM_VERSION_RESPONSE	15
#define CM_UNLOAD		16
#define CM_UNLOAD_RESPONSE	17

#define EXTRA_GPA		0x1000000ULL	/* just past guest memory */
#define EXTRA_SIZE		0x2000ULL

struct post_input {
	uint32_t connection_id;
	uint32_t reserved;
	uint32_t message_type;
	uint32_t payload_size;
	uint8_t payload[240];
};

struct hv_msg {
	uint32_t type;
	uint8_t size;
	uint8_t flags;
	uint8_t reserved[2];
	uint64_t sender;
	uint8_t payload[240];
};

struct initiate {
	uint32_t msgtype;
	uint32_t padding;
	uint32_t version;
	uint32_t target_vcpu;
	uint64_t page_or_sint;	/* interrupt page (< 5.0), msg_sint byte (>= 5.0) */
	uint64_t monitor1;
	uint64_t monitor2;
};

struct version_resp {
	uint32_t msgtype;
	uint32_t padding;
	uint8_t version_supported;
	uint8_t connection_state;
	uint16_t pad;
	uint32_t msg_conn_id;
};

static struct {
	uint8_t hc[4096];
	uint8_t in[4096];
} pages __attribute__((aligned(4096)));

static struct {
	struct hv_msg simp[16];
	uint8_t siefp[16][256];
} synic __attribute__((aligned(4096))), synic1 __attribute__((aligned(4096)));

/* What the test wants the guest to send (copied in with guest_sync_to()). */
static struct initiate want;

/* ---- guest side ---- */

static uint64_t hv_call(uint64_t control, uint64_t in, uint64_t out)
{
	register uint64_t r8 __asm__("r8") = out;
	uint64_t rax;

	__asm__ volatile("call *%[page]"
			 : "=a"(rax), "+c"(control), "+d"(in), "+r"(r8)
			 : [page] "r"((uintptr_t)pages.hc) : "memory", "cc");
	return rax;
}

/* HvPostMessage of @size bytes of @msg, HvPostMessage type @type. */
static uint64_t vsc_post_type(uint32_t conn, uint32_t type, const void *msg,
			      uint32_t size)
{
	struct post_input *in = (struct post_input *)pages.in;

	in->connection_id = conn;
	in->reserved = 0;
	in->message_type = type;
	in->payload_size = size;
	memset(in->payload, 0, sizeof(in->payload));
	memcpy(in->payload, msg, size);
	return hv_call(HC_POST_MESSAGE, (uintptr_t)in, 0) & 0xffff;
}

static uint64_t vsc_post(uint32_t conn, const void *msg, uint32_t size)
{
	return vsc_post_type(conn, 1, msg, size);
}

/* SynIC with polled SINTs 2 and 5 (no interrupts needed). */
static void vsc_setup(void)
{
	guest_wrmsr(MSR_GUEST_OS_ID, 0x8100000000000000ULL);
	guest_wrmsr(MSR_HYPERCALL, (uintptr_t)pages.hc | 1);
	guest_wrmsr(MSR_SIMP, (uintptr_t)synic.simp | 1);
	guest_wrmsr(MSR_SIEFP, (uintptr_t)synic.siefp | 1);
	guest_wrmsr(MSR_SCONTROL, 1);
	guest_wrmsr(MSR_SINT0 + 2, 0xf3 | SINT_POLLING);
	guest_wrmsr(MSR_SINT0 + 5, 0xf5 | SINT_POLLING);
}

/*
 * The reply in slot @sint: it is there when the hypercall returns (the
 * VP's run path delivers before the guest runs again). Checks its header
 * and channel message type, copies it to @out, frees the slot.
 */
static void vsc_take(unsigned int sint, uint32_t msgtype, uint32_t size,
		     void *out)
{
	volatile struct hv_msg *m = &synic.simp[sint];

	GUEST_ASSERT_EQ(m->type, 1);
	GUEST_ASSERT_EQ(m->size, size);
	GUEST_ASSERT_EQ(*(volatile uint32_t *)m->payload, msgtype);
	if (out)
		memcpy(out, (const void *)m->payload, size);
	m->type = 0;
	__asm__ volatile("mfence" : : : "memory");
	if (m->flags & 1)
		guest_wrmsr(MSR_EOM, 0);
}

static void vsc_no_reply(void)
{
	GUEST_ASSERT_EQ(synic.simp[2].type, 0);
	GUEST_ASSERT_EQ(synic.simp[5].type, 0);
}

static uint32_t vsc_conn(uint32_t version)
{
	return version >= HVTB_VMBUS_VERSION_5_0 ? 4 : 1;
}

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

#define vmbus_enable	hvtb_vmbus_enable

/* The counters, or a pattern no counter matches when the ioctl fails. */
static struct hvtb_vmbus_stats vmbus_stats(int part)
{
	struct hvtb_vmbus_stats s;

	if (hvtb_vmbus_get_stats(part, &s))
		memset(&s, 0xee, sizeof(s));
	return s;
}

static int vsc_create(struct guest *g, struct guest_vp *v, uint32_t max_version)
{
	struct hvtb_hyperv_config c = {
		.flags = HVTB_HV_ENABLE, .features_eax = EAX_ALL,
		.features_ebx = EBX_ALL,
	};
	int r = guest_create(g, GUEST_LAPIC | guest_env_flags());

	if (r)
		return r;
	r = hvtb_set_hyperv(g->part, &c);
	if (!r)
		r = guest_vp_create(g, v, 0);
	if (!r && max_version != ~0U)
		r = vmbus_enable(g->part, max_version);
	return r;
}

#define TEARDOWN_VP(g, v) do {						\
	guest_vp_destroy(&(v));						\
	guest_destroy(&(g));						\
} while (0)

#define VSC_SETUP(g, v, maxv) do {					\
	int __r = vsc_create(&(g), &(v), (maxv));			\
	if (__r == -ENOENT)						\
		SKIP(return, "/dev/hvtb missing");			\
	ASSERT_EQ(0, __r);						\
} while (0)

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

TEST_HARNESS_MAIN
