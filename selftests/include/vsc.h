/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The partition selftests' guest VSC: guest code playing a Linux 6.1 VMBus
 * client against hvtb's VMBus host (vmbus_test) and the worker's VSPs
 * (vsp_test): the SynIC with polled SINTs, HvPostMessage and
 * HvSignalEvent through the hypercall page, INITIATE_CONTACT and
 * REQUESTOFFERS, GPADLs split as Linux splits them, OPENCHANNEL. Guest
 * side only (no libc); vsc_create() and VSC_SETUP() make the partition.
 * Include it once per test binary, after guest.h and the harness.
 */
#ifndef HVTB_VSC_H
#define HVTB_VSC_H

#include <stdint.h>
#include <string.h>

#include "guest.h"
#include "hyperv.h"
#include "vmbus.h"

#define vmbus_enable	hvtb_vmbus_enable

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

/* The guest's hypercall page and hypercall input page. */
static struct {
	uint8_t hc[4096];
	uint8_t in[4096];
} pages __attribute__((aligned(4096)));

struct vsc_synic {
	struct hv_msg simp[16];
	uint8_t siefp[16][256];
};

static struct vsc_synic synic __attribute__((aligned(4096)));

static inline uint64_t hv_call(uint64_t control, uint64_t in, uint64_t out)
{
	register uint64_t r8 __asm__("r8") = out;
	uint64_t rax;

	__asm__ volatile("call *%[page]"
			 : "=a"(rax), "+c"(control), "+d"(in), "+r"(r8)
			 : [page] "r"((uintptr_t)pages.hc) : "memory", "cc");
	return rax;
}

/* HvPostMessage of @size bytes of @msg, HvPostMessage type @type. */
static inline uint64_t vsc_post_type(uint32_t conn, uint32_t type, const void *msg,
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

static inline uint64_t vsc_post(uint32_t conn, const void *msg, uint32_t size)
{
	return vsc_post_type(conn, 1, msg, size);
}

/* SynIC with polled SINTs 2 and 5 (no interrupts needed). */
static inline void vsc_setup(void)
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
static inline void vsc_take(unsigned int sint, uint32_t msgtype, uint32_t size,
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

static inline void vsc_no_reply(void)
{
	GUEST_ASSERT_EQ(synic.simp[2].type, 0);
	GUEST_ASSERT_EQ(synic.simp[5].type, 0);
}

static inline uint32_t vsc_conn(uint32_t version)
{
	return version >= HVTB_VMBUS_VERSION_5_0 ? 4 : 1;
}

static inline int vsc_create(struct guest *g, struct guest_vp *v, uint32_t max_version)
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

#define CM_RESCIND		2
#define CM_OPENCHANNEL_RESULT	6
#define CM_CLOSECHANNEL		7
#define CM_GPADL_BODY		9
#define CM_GPADL_CREATED	10
#define CM_GPADL_TEARDOWN	11
#define CM_GPADL_TORNDOWN	12
#define CM_RELID_RELEASED	13

/* The last OFFERCHANNEL the guest took (vsc_connect()). */
static uint8_t got_offer[196];

static inline uint32_t rd32(const volatile void *p)
{
	return *(const volatile uint32_t *)p;
}

static inline void wr32(void *p, uint32_t v)
{
	*(volatile uint32_t *)p = v;
}

static inline void wr64(void *p, uint64_t v)
{
	*(volatile uint64_t *)p = v;
}

static inline void guest_bzero(void *p, uint32_t n)
{
	volatile uint8_t *b = p;

	while (n--)
		*b++ = 0;
}

/* INITIATE_CONTACT 5.0 on SINT 2, then REQUESTOFFERS with @noffers offers. */
static inline void vsc_connect(uint32_t noffers)
{
	struct { uint32_t msgtype, pad; } hdr = { CM_REQUESTOFFERS, 0 };
	struct initiate ic = { .msgtype = CM_INITIATE_CONTACT,
			       .version = HVTB_VMBUS_VERSION_5_0,
			       .page_or_sint = 2 };
	struct version_resp r;

	vsc_setup();
	GUEST_ASSERT_EQ(vsc_post(4, &ic, sizeof(ic)), ST_SUCCESS);
	vsc_take(2, CM_VERSION_RESPONSE, sizeof(r), &r);
	GUEST_ASSERT_EQ(r.version_supported, 1);
	GUEST_ASSERT_EQ(vsc_post(1, &hdr, sizeof(hdr)), ST_SUCCESS);
	while (noffers--)
		vsc_take(2, CM_OFFERCHANNEL, 196, got_offer);
	vsc_take(2, CM_ALLOFFERS_DELIVERED, 8, NULL);
}

/*
 * A GPADL of @n pages at @gpa with handle @h on @relid: the header and as
 * many bodies as needed (Linux's split: 26, then 28 each). @rangecount is
 * put as given. Return: GPADL_CREATED's creation_status.
 */
static inline uint32_t vsc_gpadl(uint32_t relid, uint32_t h, uint64_t gpa, uint32_t n,
			  uint32_t rangecount)
{
	uint8_t m[240];
	uint32_t i, done, here, created[5];

	guest_bzero(m, sizeof(m));
	wr32(m, CM_GPADL_HEADER);
	wr32(m + 8, relid);
	wr32(m + 12, h);
	*(volatile uint16_t *)(m + 16) = 8 + 8 * n;
	*(volatile uint16_t *)(m + 18) = rangecount;
	wr32(m + 20, n * 4096);
	wr32(m + 24, 0);
	here = n < 26 ? n : 26;
	for (i = 0; i < here; i++)
		wr64(m + 28 + 8 * i, (gpa >> 12) + i);
	GUEST_ASSERT_EQ(vsc_post(1, m, 28 + 8 * here), ST_SUCCESS);
	for (done = here; done < n; done += here) {
		here = n - done < 28 ? n - done : 28;
		guest_bzero(m, sizeof(m));
		wr32(m, CM_GPADL_BODY);
		wr32(m + 12, h);
		for (i = 0; i < here; i++)
			wr64(m + 16 + 8 * i, (gpa >> 12) + done + i);
		GUEST_ASSERT_EQ(vsc_post(1, m, 16 + 8 * here), ST_SUCCESS);
	}
	vsc_take(2, CM_GPADL_CREATED, 20, created);
	GUEST_ASSERT_EQ(created[2], relid);
	GUEST_ASSERT_EQ(created[3], h);
	return created[4];
}

static inline void vsc_teardown(uint32_t relid, uint32_t h)
{
	uint32_t m[4] = { CM_GPADL_TEARDOWN, 0, relid, h }, r[3];

	GUEST_ASSERT_EQ(vsc_post(1, m, sizeof(m)), ST_SUCCESS);
	vsc_take(2, CM_GPADL_TORNDOWN, 12, r);
	GUEST_ASSERT_EQ(r[2], h);
}

/* OPENCHANNEL; return: OPENCHANNEL_RESULT's status. */
static inline uint32_t vsc_open(uint32_t relid, uint32_t gpadl, uint32_t downstream)
{
	uint32_t m[37], r[5];

	guest_bzero(m, sizeof(m));
	m[0] = CM_OPENCHANNEL;
	m[2] = relid;
	m[3] = relid;		/* openid */
	m[4] = gpadl;
	m[5] = 0;		/* target_vp */
	m[6] = downstream;
	GUEST_ASSERT_EQ(vsc_post(1, m, 148), ST_SUCCESS);
	vsc_take(2, CM_OPENCHANNEL_RESULT, 20, r);
	GUEST_ASSERT_EQ(r[2], relid);
	GUEST_ASSERT_EQ(r[3], relid);
	return r[4];
}

static inline void vsc_relid_msg(uint32_t type, uint32_t relid)
{
	uint32_t m[3] = { type, 0, relid };

	GUEST_ASSERT_EQ(vsc_post(1, m, sizeof(m)), ST_SUCCESS);
}

#endif /* HVTB_VSC_H */
