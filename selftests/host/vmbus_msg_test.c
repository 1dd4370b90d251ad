// SPDX-License-Identifier: GPL-2.0
/*
 * vmbus_msg_test - the VMBus message table and version rules of the host
 * (kmod/vmbus/vmbus_msg.h) on the build host: every guest message type at
 * its minimum size and one byte short, host-to-guest and unknown types,
 * the state and connection-id rules, every version Linux 6.1 proposes
 * accepted on the right SINT, unserved versions and bad SINTs refused,
 * the pages INITIATE_CONTACT names.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "kselftest_harness.h"

/* The shim: the kernel types vmbus_msg.h uses. */
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
/* ARRAY_SIZE() comes from kselftest.h. */

#include "../../kmod/vmbus/vmbus_msg.h"

#define DISC	HVTB_VMBUS_STATE_DISCONNECTED
#define CONN	HVTB_VMBUS_STATE_CONNECTED

static u32 check(u32 conn, u32 type, u32 size, u32 state, u32 version)
{
	u8 buf[VMBUS_PAYLOAD_MAX] = { 0 };

	memcpy(buf, &type, sizeof(type));
	memcpy(buf + 8, &version, sizeof(version));
	return vmbus_msg_check(conn, HVTB_VMBUS_MESSAGE_TYPE, buf, size, state, 0);
}

/* Linux 6.1's struct sizes (include/linux/hyperv.h, x86-64). */
static const struct { u32 type; u32 size; u32 state; bool channel; } guest_msgs[] = {
	{ VMBUS_MSG_REQUESTOFFERS, 8, CONN, false },
	{ VMBUS_MSG_OPENCHANNEL, 148, CONN, true },
	{ VMBUS_MSG_CLOSECHANNEL, 12, CONN, true },
	{ VMBUS_MSG_GPADL_HEADER, 28, CONN, true },
	{ VMBUS_MSG_GPADL_BODY, 16, CONN, false },
	{ VMBUS_MSG_GPADL_TEARDOWN, 16, CONN, true },
	{ VMBUS_MSG_RELID_RELEASED, 12, CONN, true },
	{ VMBUS_MSG_INITIATE_CONTACT, 40, DISC, false },
	{ VMBUS_MSG_UNLOAD, 8, CONN, false },
	{ VMBUS_MSG_MODIFYCHANNEL, 16, CONN, true },
};

TEST(guest_types_min_size)
{
	unsigned int i;
	u32 other;

	for (i = 0; i < sizeof(guest_msgs) / sizeof(guest_msgs[0]); i++) {
		u32 t = guest_msgs[i].type, sz = guest_msgs[i].size;
		u32 st = guest_msgs[i].state;

		other = st == CONN ? DISC : CONN;
		EXPECT_EQ(vmbus_msg_defs[t].min_size, sz) TH_LOG("type %u", t);
		/* One byte short is SHORT in any state. */
		EXPECT_EQ(check(1, t, sz - 1, st, HVTB_VMBUS_VERSION_5_0), VMBUS_MSG_SHORT);
		EXPECT_EQ(check(1, t, sz, other, HVTB_VMBUS_VERSION_5_0), VMBUS_MSG_STATE);
		/* Without channels a channel message is out of state. */
		EXPECT_EQ(check(1, t, sz, st, HVTB_VMBUS_VERSION_5_0),
			  guest_msgs[i].channel ? VMBUS_MSG_STATE : VMBUS_MSG_OK)
			TH_LOG("type %u", t);
		EXPECT_EQ(check(1, t, VMBUS_PAYLOAD_MAX, st, HVTB_VMBUS_VERSION_5_0),
			  guest_msgs[i].channel ? VMBUS_MSG_STATE : VMBUS_MSG_OK);
	}
}

TEST(host_and_unknown_types)
{
	static const u32 host_types[] = { 0, 1, 2, 4, 6, 10, 12, 15, 17, 18, 19,
					  20, 21, 23, 24, 25, 26, 1000, 0xffffffff };
	u8 buf[VMBUS_PAYLOAD_MAX] = { 3 };	/* REQUESTOFFERS */
	unsigned int i;

	for (i = 0; i < sizeof(host_types) / sizeof(host_types[0]); i++) {
		EXPECT_EQ(check(1, host_types[i], VMBUS_PAYLOAD_MAX, CONN, 0),
			  VMBUS_MSG_UNKNOWN) TH_LOG("type %u", host_types[i]);
		EXPECT_EQ(check(1, host_types[i], VMBUS_PAYLOAD_MAX, DISC, 0),
			  VMBUS_MSG_UNKNOWN);
	}
	/* Shorter than the msgtype field itself; HvPostMessage type not 1. */
	EXPECT_EQ(vmbus_msg_check(1, 1, buf, 3, CONN, 0), VMBUS_MSG_SHORT);
	EXPECT_EQ(vmbus_msg_check(1, 1, buf, 0, CONN, 0), VMBUS_MSG_SHORT);
	EXPECT_EQ(vmbus_msg_check(1, 2, buf, 8, CONN, 0), VMBUS_MSG_UNKNOWN);
	EXPECT_EQ(vmbus_msg_check(1, 1, buf, 241, CONN, 0), VMBUS_MSG_UNKNOWN);
	EXPECT_EQ(vmbus_msg_check(1, 1, buf, 8, 2, 0), VMBUS_MSG_STATE);
	EXPECT_EQ(vmbus_msg_check(1, 1, buf, 8, CONN, 0), VMBUS_MSG_OK);
}

TEST(connection_4)
{
	EXPECT_EQ(check(4, VMBUS_MSG_INITIATE_CONTACT, 40, DISC, HVTB_VMBUS_VERSION_5_0),
		  VMBUS_MSG_OK);
	EXPECT_EQ(check(4, VMBUS_MSG_INITIATE_CONTACT, 40, DISC, HVTB_VMBUS_VERSION_5_3),
		  VMBUS_MSG_OK);
	EXPECT_EQ(check(4, VMBUS_MSG_INITIATE_CONTACT, 40, DISC, HVTB_VMBUS_VERSION_4_1),
		  VMBUS_MSG_CONNECTION);
	EXPECT_EQ(check(4, VMBUS_MSG_REQUESTOFFERS, 8, CONN, 0), VMBUS_MSG_CONNECTION);
	EXPECT_EQ(check(4, VMBUS_MSG_UNLOAD, 8, CONN, 0), VMBUS_MSG_CONNECTION);
	/* Below 5.0 INITIATE_CONTACT comes on connection 1. */
	EXPECT_EQ(check(1, VMBUS_MSG_INITIATE_CONTACT, 40, DISC, HVTB_VMBUS_VERSION_2_4),
		  VMBUS_MSG_OK);
	/* Size before connection: a short message on 4 is SHORT. */
	EXPECT_EQ(check(4, VMBUS_MSG_INITIATE_CONTACT, 39, DISC, HVTB_VMBUS_VERSION_5_0),
		  VMBUS_MSG_SHORT);
}

TEST(versions)
{
	static const u32 refused[] = { 0, 0x0000000d /* WS2008 */, 0x00010001 /* Win7 */,
				       0x00020000, 0x00020005, 0x00040002, 0x00050004,
				       0x00060000, 0xffffffff };
	struct vmbus_initiate m = { .hdr.msgtype = VMBUS_MSG_INITIATE_CONTACT };
	unsigned int i;
	u32 sint;

	ASSERT_EQ(VMBUS_NR_VERSIONS, 8);
	for (i = 0; i < VMBUS_NR_VERSIONS; i++) {
		m.version = vmbus_versions[i];
		m.interrupt_page = 0;
		if (m.version >= HVTB_VMBUS_VERSION_5_0)
			m.msg_sint = 5;
		EXPECT_TRUE(vmbus_initiate_sint(&m, HVTB_VMBUS_VERSION_5_3, &sint));
		EXPECT_EQ(sint, m.version >= HVTB_VMBUS_VERSION_5_0 ? 5u : 2u);
		/* Capped below it: refused, still answered on that SINT. */
		EXPECT_EQ(vmbus_initiate_sint(&m, HVTB_VMBUS_VERSION_2_4, &sint),
			  m.version == HVTB_VMBUS_VERSION_2_4);
	}
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		m.version = refused[i];
		m.interrupt_page = 0;
		EXPECT_FALSE(vmbus_initiate_sint(&m, HVTB_VMBUS_VERSION_5_3, &sint))
			TH_LOG("version 0x%x", refused[i]);
		EXPECT_FALSE(vmbus_version_known(refused[i]));
	}
	m.version = HVTB_VMBUS_VERSION_5_0;
	m.msg_sint = 16;
	EXPECT_FALSE(vmbus_initiate_sint(&m, HVTB_VMBUS_VERSION_5_3, &sint));
	EXPECT_EQ(sint, 2u);
	/* Below 5.0 byte 16 is the interrupt page, not a SINT. */
	m.version = HVTB_VMBUS_VERSION_4_0;
	m.interrupt_page = 0x12345000;
	EXPECT_TRUE(vmbus_initiate_sint(&m, HVTB_VMBUS_VERSION_5_3, &sint));
	EXPECT_EQ(sint, 2u);
}

TEST(pages)
{
	struct vmbus_initiate m = { .version = HVTB_VMBUS_VERSION_4_0 };
	u64 g[3];

	EXPECT_EQ(vmbus_initiate_pages(&m, g), 0);
	m.interrupt_page = 0x1000;
	m.monitor_page1 = 0x2000;
	m.monitor_page2 = 0x5000;
	ASSERT_EQ(vmbus_initiate_pages(&m, g), 3);
	EXPECT_EQ(g[0], 0x1000u);
	EXPECT_EQ(g[2], 0x5000u);
	m.version = HVTB_VMBUS_VERSION_5_0;
	m.interrupt_page = 0;
	m.msg_sint = 2;		/* not a page from 5.0 on */
	ASSERT_EQ(vmbus_initiate_pages(&m, g), 2);
	EXPECT_EQ(g[0], 0x2000u);
	m.monitor_page2 = 0x5008;
	EXPECT_EQ(vmbus_initiate_pages(&m, g), -1);
}

/* The channel states each channel message is valid in. */
TEST(channel_states)
{
	static const struct { u32 type; u32 ok; } c[] = {
		{ VMBUS_MSG_OPENCHANNEL, VMBUS_CH(OFFERED) },
		{ VMBUS_MSG_CLOSECHANNEL, VMBUS_CH(OPEN) | VMBUS_CH(RESCINDED_OPEN) },
		{ VMBUS_MSG_GPADL_HEADER, VMBUS_CH(OFFERED) | VMBUS_CH(OPEN) },
		{ VMBUS_MSG_GPADL_TEARDOWN, VMBUS_CH(OFFERED) | VMBUS_CH(OPEN) |
					    VMBUS_CH(RESCINDED) | VMBUS_CH(RESCINDED_OPEN) },
		{ VMBUS_MSG_RELID_RELEASED, VMBUS_CH(RESCINDED) | VMBUS_CH(RESCINDED_OPEN) },
		{ VMBUS_MSG_MODIFYCHANNEL, VMBUS_CH(OPEN) },
	};
	unsigned int i, st;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		/* With a channel the connection check lets it through. */
		u8 buf[VMBUS_PAYLOAD_MAX] = { 0 };

		memcpy(buf, &c[i].type, 4);
		EXPECT_EQ(vmbus_msg_check(1, 1, buf, vmbus_msg_defs[c[i].type].min_size,
					  CONN, 1), VMBUS_MSG_OK);
		for (st = 0; st < VMBUS_CHAN_NR_STATES + 2; st++)
			EXPECT_EQ(vmbus_msg_chan_check(c[i].type, st),
				  st < VMBUS_CHAN_NR_STATES && (c[i].ok & (1U << st)) ?
				  VMBUS_MSG_OK : VMBUS_MSG_STATE)
				TH_LOG("type %u state %u", c[i].type, st);
		/* An unknown relid never passes. */
		EXPECT_EQ(vmbus_msg_chan_check(c[i].type, VMBUS_CHAN_NONE), VMBUS_MSG_STATE);
	}
	/* Types that name no channel. */
	EXPECT_EQ(vmbus_msg_chan_check(VMBUS_MSG_GPADL_BODY, VMBUS_CHAN_OPEN), VMBUS_MSG_STATE);
	EXPECT_EQ(vmbus_msg_chan_check(VMBUS_MSG_REQUESTOFFERS, VMBUS_CHAN_OPEN), VMBUS_MSG_STATE);
	EXPECT_EQ(vmbus_msg_chan_check(VMBUS_MSG_COUNT, VMBUS_CHAN_OPEN), VMBUS_MSG_STATE);
	EXPECT_EQ(vmbus_msg_chan_check(0xffffffff, VMBUS_CHAN_OPEN), VMBUS_MSG_STATE);
}

/* A GPADL_HEADER of @npfn_total pages over @count bytes at @offset, @nhere PFNs. */
static u32 gpadl_hdr(u8 *buf, u32 rangecount, u32 buflen, u32 count, u32 offset,
		     u32 nhere, u64 pfn0)
{
	u32 i, t = VMBUS_MSG_GPADL_HEADER;

	memset(buf, 0, VMBUS_PAYLOAD_MAX);
	memcpy(buf, &t, 4);
	buf[16] = buflen & 0xff;
	buf[17] = buflen >> 8;
	buf[18] = rangecount & 0xff;
	buf[19] = rangecount >> 8;
	memcpy(buf + 20, &count, 4);
	memcpy(buf + 24, &offset, 4);
	for (i = 0; i < nhere; i++) {
		u64 pfn = pfn0 + i;

		memcpy(buf + 28 + 8 * i, &pfn, 8);
	}
	return 28 + 8 * nhere;
}

TEST(gpadl_header)
{
	u8 b[VMBUS_PAYLOAD_MAX];
	u32 n, h, sz;

	/* Linux's: one range, offset 0, 40 pages, 26 PFNs in the header. */
	sz = gpadl_hdr(b, 1, 8 + 8 * 40, 40 * 4096, 0, 26, 0x400);
	ASSERT_EQ(sz, 236u);
	EXPECT_EQ(vmbus_gpadl_header_check(b, sz, 16384, &n, &h), VMBUS_GPADL_OK);
	EXPECT_EQ(n, 40u);
	EXPECT_EQ(h, 26u);
	/* A whole GPADL in one header; no PFN at all in it. */
	sz = gpadl_hdr(b, 1, 16, 100, 10, 1, 0x400);
	EXPECT_EQ(vmbus_gpadl_header_check(b, sz, 16384, &n, &h), VMBUS_GPADL_OK);
	EXPECT_EQ(n, 1u);
	sz = gpadl_hdr(b, 1, 16, 100, 10, 0, 0x400);
	EXPECT_EQ(vmbus_gpadl_header_check(b, sz, 16384, &n, &h), VMBUS_GPADL_OK);
	EXPECT_EQ(h, 0u);
	/* An offset and count that cross a page need two. */
	sz = gpadl_hdr(b, 1, 24, 4096, 1, 2, 0x400);
	EXPECT_EQ(vmbus_gpadl_header_check(b, sz, 16384, &n, &h), VMBUS_GPADL_OK);
	EXPECT_EQ(n, 2u);
	/* Errors. */
	sz = gpadl_hdr(b, 0, 16, 4096, 0, 1, 0x400);
	EXPECT_EQ(vmbus_gpadl_header_check(b, sz, 16384, &n, &h), VMBUS_GPADL_RANGES);
	EXPECT_EQ(n, 0u);
	sz = gpadl_hdr(b, 2, 16, 4096, 0, 1, 0x400);
	EXPECT_EQ(vmbus_gpadl_header_check(b, sz, 16384, &n, &h), VMBUS_GPADL_RANGES);
	sz = gpadl_hdr(b, 1, 8, 4096, 0, 1, 0x400);
	EXPECT_EQ(vmbus_gpadl_header_check(b, sz, 16384, &n, &h), VMBUS_GPADL_BUFLEN);
	sz = gpadl_hdr(b, 1, 17, 4096, 0, 1, 0x400);
	EXPECT_EQ(vmbus_gpadl_header_check(b, sz, 16384, &n, &h), VMBUS_GPADL_BUFLEN);
	sz = gpadl_hdr(b, 1, 16, 4096, 4096, 1, 0x400);
	EXPECT_EQ(vmbus_gpadl_header_check(b, sz, 16384, &n, &h), VMBUS_GPADL_RANGE);
	sz = gpadl_hdr(b, 1, 16, 0, 0, 1, 0x400);
	EXPECT_EQ(vmbus_gpadl_header_check(b, sz, 16384, &n, &h), VMBUS_GPADL_RANGE);
	sz = gpadl_hdr(b, 1, 16, 4097, 0, 1, 0x400);
	EXPECT_EQ(vmbus_gpadl_header_check(b, sz, 16384, &n, &h), VMBUS_GPADL_RANGE);
	sz = gpadl_hdr(b, 1, 24, 4096, 0, 2, 0x400);	/* 2 PFNs for 1 page */
	EXPECT_EQ(vmbus_gpadl_header_check(b, sz, 16384, &n, &h), VMBUS_GPADL_RANGE);
	sz = gpadl_hdr(b, 1, 8 + 8 * 0xfff, 0xfffu * 4096, 0, 26, 0x400);
	EXPECT_EQ(vmbus_gpadl_header_check(b, sz, 4094, &n, &h), VMBUS_GPADL_TOO_BIG);
	EXPECT_EQ(vmbus_gpadl_header_check(b, sz, 4095, &n, &h), VMBUS_GPADL_OK);
	/* More PFNs than the GPADL has; a partial PFN. */
	sz = gpadl_hdr(b, 1, 24, 8192, 0, 3, 0x400);
	EXPECT_EQ(vmbus_gpadl_header_check(b, sz, 16384, &n, &h), VMBUS_GPADL_LENGTH);
	sz = gpadl_hdr(b, 1, 24, 8192, 0, 2, 0x400);
	EXPECT_EQ(vmbus_gpadl_header_check(b, sz - 1, 16384, &n, &h), VMBUS_GPADL_LENGTH);
	/* A PFN past 52 bits of address. */
	sz = gpadl_hdr(b, 1, 24, 8192, 0, 2, VMBUS_GPADL_MAX_GFN);
	EXPECT_EQ(vmbus_gpadl_header_check(b, sz, 16384, &n, &h), VMBUS_GPADL_GFN);
	sz = gpadl_hdr(b, 1, 24, 8192, 0, 2, VMBUS_GPADL_MAX_GFN - 1);
	EXPECT_EQ(vmbus_gpadl_header_check(b, sz, 16384, &n, &h), VMBUS_GPADL_OK);
}

TEST(gpadl_body)
{
	u8 b[VMBUS_PAYLOAD_MAX] = { 9 };
	u64 big = VMBUS_GPADL_MAX_GFN + 1;
	u32 h;

	EXPECT_EQ(vmbus_gpadl_body_check(b, 16 + 8 * 28, 28, &h), VMBUS_GPADL_OK);
	EXPECT_EQ(h, 28u);
	EXPECT_EQ(vmbus_gpadl_body_check(b, 16 + 8 * 14, 14, &h), VMBUS_GPADL_OK);
	EXPECT_EQ(vmbus_gpadl_body_check(b, 16 + 8 * 14, 13, &h), VMBUS_GPADL_LENGTH);
	EXPECT_EQ(h, 0u);
	EXPECT_EQ(vmbus_gpadl_body_check(b, 16, 14, &h), VMBUS_GPADL_LENGTH);
	EXPECT_EQ(vmbus_gpadl_body_check(b, 16 + 7, 14, &h), VMBUS_GPADL_LENGTH);
	memcpy(b + 16 + 8, &big, 8);
	EXPECT_EQ(vmbus_gpadl_body_check(b, 16 + 16, 14, &h), VMBUS_GPADL_GFN);
}

TEST(open_split)
{
	EXPECT_TRUE(vmbus_open_check(8, 4));	/* hv_utils */
	EXPECT_TRUE(vmbus_open_check(4, 2));
	EXPECT_FALSE(vmbus_open_check(4, 1));
	EXPECT_FALSE(vmbus_open_check(4, 3));
	EXPECT_FALSE(vmbus_open_check(4, 4));
	EXPECT_FALSE(vmbus_open_check(4, 0));
	EXPECT_FALSE(vmbus_open_check(3, 2));
	EXPECT_FALSE(vmbus_open_check(4, 0xffffffff));
}

TEST_HARNESS_MAIN
