// SPDX-License-Identifier: GPL-2.0
/*
 * ic_test - libhvtbic, the host side of the integration components
 * (userspace/ic/), on the build host against ic_guest.h, a guest written
 * to behave like Linux 6.1's hv_utils and Debian's hv_kvp_daemon, over
 * in-memory rings between guard pages: every IC's happy path, negotiation
 * of each version Linux offers, and hostile answers (short, bad icmsgsize,
 * bad counts, wrong transaction ids, status errors, floods, corrupt rings)
 * with the exact error each one must give. Built with ASan and UBSan when
 * the compiler has them (selftests/Makefile).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "ic_guest.h"
#include "../../userspace/ic/ic_heartbeat.h"
#include "../../userspace/ic/ic_kvp.h"
#include "../../userspace/ic/ic_shutdown.h"
#include "../../userspace/ic/ic_timesync.h"
#include "../../userspace/ic/ic_utf16.h"

#define SEC	1000000000ull

struct fake_clock {
	uint64_t filetime;
	uint64_t reftime;
};

static uint64_t fake_filetime(void *ctx)
{
	return ((struct fake_clock *)ctx)->filetime;
}

static uint64_t fake_reftime(void *ctx)
{
	return ((struct fake_clock *)ctx)->reftime;
}

struct env {
	struct g_chan c;
	struct g_ic g;
	struct fake_clock clk;
	union {
		struct hvtb_ic_heartbeat hb;
		struct hvtb_ic_shutdown sd;
		struct hvtb_ic_timesync ts;
		struct hvtb_ic_kvp kvp;
	} u;
	unsigned int done_calls;
	int done_err;
};

/* Every IC struct starts with its struct hvtb_ic. */
#define IC(e)	(&(e)->u.hb.ic)

static void on_done(struct hvtb_ic *ic, uint16_t msgtype, int err, void *arg)
{
	struct env *e = arg;

	(void)ic;
	(void)msgtype;
	e->done_calls++;
	e->done_err = err;
}

static struct env *env_new(uint16_t msgtype)
{
	struct hvtb_ic_clock clock = { fake_filetime, fake_reftime, NULL };
	struct env *e = calloc(1, sizeof(*e));
	int ret = -1;

	if (!e || g_chan_init(&e->c))
		return NULL;
	e->g.msgtype = msgtype;
	e->g.daemon = true;
	clock.ctx = &e->clk;
	e->clk.filetime = hvtb_ic_unix_to_filetime(1700000000, 123456789);
	e->clk.reftime = 5000000;
	switch (msgtype) {
	case HVTB_ICMSG_HEARTBEAT:
		ret = hvtb_ic_heartbeat_init(&e->u.hb, &e->c.tp, 2 * SEC, 1);
		break;
	case HVTB_ICMSG_SHUTDOWN:
		ret = hvtb_ic_shutdown_init(&e->u.sd, &e->c.tp);
		break;
	case HVTB_ICMSG_TIMESYNC:
		ret = hvtb_ic_timesync_init(&e->u.ts, &e->c.tp, &clock, 5 * SEC);
		break;
	case HVTB_ICMSG_KVP:
		ret = hvtb_ic_kvp_init(&e->u.kvp, &e->c.tp);
		break;
	}
	if (ret)
		return NULL;
	hvtb_ic_set_done(IC(e), on_done, e);
	return e;
}

static void env_free(struct env *e)
{
	g_chan_free(&e->c);
	free(e);
}

/* The guest's callback runs once, then the host takes what it answered. */
static int round_trip(struct env *e, uint64_t now)
{
	g_run(&e->c, &e->g);
	return hvtb_ic_poll(IC(e), now);
}

/* Negotiate with the default proposal; the IC must end READY. */
static int negotiate(struct env *e)
{
	int ret = hvtb_ic_start(IC(e), 0);

	if (ret)
		return ret;
	ret = round_trip(e, 1);
	if (ret)
		return ret;
	return IC(e)->state == HVTB_IC_READY ? 0 : IC(e)->last_err ? IC(e)->last_err : -EIO;
}

/* --- framework pieces ------------------------------------------------- */

TEST(msg_parse_rejects)
{
	uint8_t b[64] = { 0 };
	struct hvtb_ic_msg m;
	int len;

	len = hvtb_ic_msg_init(b, sizeof(b), HVTB_ICMSG_HEARTBEAT, HVTB_IC_VER(3, 0),
			       HVTB_IC_VER(3, 0), 7, 8);
	ASSERT_EQ(36, len);
	ASSERT_EQ(0, hvtb_ic_msg_parse(b, 36, &m));
	EXPECT_EQ(8, m.body_len);
	EXPECT_EQ(7, m.hdr.trans_id);
	EXPECT_EQ(HVTB_ICFLAG_TRANSACTION | HVTB_ICFLAG_REQUEST, m.hdr.flags);
	/* Short: no room for both headers. */
	EXPECT_EQ(-EBADMSG, hvtb_ic_msg_parse(b, 27, &m));
	EXPECT_EQ(-EBADMSG, hvtb_ic_msg_parse(b, 0, &m));
	/* icmsgsize beyond the packet. */
	EXPECT_EQ(-EBADMSG, hvtb_ic_msg_parse(b, 35, &m));
	b[18] = 0xff;
	b[19] = 0xff;
	EXPECT_EQ(-EBADMSG, hvtb_ic_msg_parse(b, 64, &m));
	b[18] = 8;
	b[19] = 0;
	/* Not a data pipe message; a pipe size beyond the packet. */
	b[0] = 2;
	EXPECT_EQ(-EBADMSG, hvtb_ic_msg_parse(b, 36, &m));
	b[0] = 1;
	b[4] = 200;
	EXPECT_EQ(-EBADMSG, hvtb_ic_msg_parse(b, 36, &m));
	EXPECT_EQ(-EINVAL, hvtb_ic_msg_parse(NULL, 36, &m));
	EXPECT_EQ(-EMSGSIZE, hvtb_ic_msg_init(b, 30, 1, HVTB_IC_VER(0, 0), HVTB_IC_VER(0, 0),
					      0, 8));
}

TEST(nego_build_args)
{
	struct hvtb_ic_version v[9] = { { 3, 0 } };
	uint8_t b[256];

	EXPECT_EQ(-EINVAL, hvtb_ic_nego_build(b, sizeof(b), v, 0, v, 1, 0));
	EXPECT_EQ(-EINVAL, hvtb_ic_nego_build(b, sizeof(b), v, 1, v, 9, 0));
	EXPECT_EQ(-EMSGSIZE, hvtb_ic_nego_build(b, 40, v, 2, v, 2, 0));
	/* 28 + 8 + 4 versions. */
	EXPECT_EQ(52, hvtb_ic_nego_build(b, sizeof(b), v, 2, v, 2, 0));
}

TEST(utf16_roundtrip)
{
	const char *s = "k\xc3\xa4y \xe2\x9c\x93 \xf0\x9f\x98\x80";	/* kay, check, emoji */
	uint8_t u[64];
	char back[64];
	int n;

	n = hvtb_ic_utf8_to_utf16(s, u, sizeof(u));
	/* k a y sp check sp + surrogate pair + NUL = 9 units + 1 */
	ASSERT_EQ(18, n);
	EXPECT_EQ(0xd83d, u[12] | u[13] << 8);
	EXPECT_EQ((int)strlen(s), hvtb_ic_utf16_to_utf8(u, (uint32_t)n, back, sizeof(back)));
	EXPECT_STREQ(s, back);
	/* Refused UTF-8: overlong NUL, an encoded surrogate, a stray continuation, > U+10FFFF. */
	EXPECT_EQ(-EILSEQ, hvtb_ic_utf8_to_utf16("\xc0\x80", u, sizeof(u)));
	EXPECT_EQ(-EILSEQ, hvtb_ic_utf8_to_utf16("\xed\xa0\x80", u, sizeof(u)));
	EXPECT_EQ(-EILSEQ, hvtb_ic_utf8_to_utf16("a\x80", u, sizeof(u)));
	EXPECT_EQ(-EILSEQ, hvtb_ic_utf8_to_utf16("\xf4\x90\x80\x80", u, sizeof(u)));
	EXPECT_EQ(-EILSEQ, hvtb_ic_utf8_to_utf16("\xe2\x9c", u, sizeof(u)));
	/* No room: 2 units + NUL need 6 bytes. */
	EXPECT_EQ(-E2BIG, hvtb_ic_utf8_to_utf16("ab", u, 5));
	EXPECT_EQ(6, hvtb_ic_utf8_to_utf16("ab", u, 6));
	/* Refused UTF-16: lone low surrogate, high surrogate at the end / before a non-low. */
	u[0] = 0x00; u[1] = 0xdc; u[2] = 0; u[3] = 0;
	EXPECT_EQ(-EILSEQ, hvtb_ic_utf16_to_utf8(u, 4, back, sizeof(back)));
	u[0] = 0x3d; u[1] = 0xd8;
	EXPECT_EQ(-EILSEQ, hvtb_ic_utf16_to_utf8(u, 2, back, sizeof(back)));
	u[2] = 'a';
	EXPECT_EQ(-EILSEQ, hvtb_ic_utf16_to_utf8(u, 4, back, sizeof(back)));
	/* Output too small; odd length ignores the last byte; no NUL within the bytes. */
	n = hvtb_ic_utf8_to_utf16("abc", u, sizeof(u));
	EXPECT_EQ(-E2BIG, hvtb_ic_utf16_to_utf8(u, (uint32_t)n, back, 3));
	EXPECT_EQ(1, hvtb_ic_utf16_to_utf8(u, 3, back, sizeof(back)));
	EXPECT_EQ(3, hvtb_ic_utf16_to_utf8(u, 6, back, sizeof(back)));
	EXPECT_STREQ("abc", back);
}

TEST(filetime_conversion)
{
	/* Linux: unix ns = (t - 116444736000000000) * 100. */
	uint64_t t = hvtb_ic_unix_to_filetime(1700000000, 123456789);

	EXPECT_EQ(1700000000123456700ull, (t - 116444736000000000ull) * 100);
	EXPECT_EQ(116444736000000000ull, hvtb_ic_unix_to_filetime(0, 0));
	EXPECT_EQ(116444736000000001ull, hvtb_ic_unix_to_filetime(0, 199));
}

/* --- happy paths --------------------------------------------------------- */

TEST(heartbeat_happy)
{
	struct env *e = env_new(HVTB_ICMSG_HEARTBEAT);
	struct hvtb_ic_heartbeat *hb;

	ASSERT_NE(NULL, e);
	hb = &e->u.hb;
	EXPECT_FALSE(hb->alive);
	/* The first tick negotiates; the host signals the empty ring. */
	ASSERT_EQ(0, hvtb_ic_heartbeat_tick(hb, 0));
	EXPECT_EQ(HVTB_IC_NEGOTIATING, hb->ic.state);
	EXPECT_EQ(1, e->c.host_signals);
	ASSERT_EQ(0, round_trip(e, 10));
	ASSERT_EQ(HVTB_IC_READY, hb->ic.state);
	EXPECT_EQ(3, hb->ic.fw.major);
	EXPECT_EQ(3, hb->ic.msgver.major);
	EXPECT_EQ(0, hb->ic.msgver.minor);
	EXPECT_EQ(1, e->c.guest_signals);
	/* Requests: seq 1, 2, 3; answers 2, 3, 4 at each period. */
	ASSERT_EQ(0, hvtb_ic_heartbeat_tick(hb, 20));
	EXPECT_EQ(HVTB_IC_WAITING, hb->ic.state);
	ASSERT_EQ(0, round_trip(e, 30));
	EXPECT_TRUE(hb->alive);
	EXPECT_EQ(2, hb->last_seq);
	EXPECT_EQ(30, hb->last_answer_ns);
	EXPECT_EQ(1, e->g.last_seq_in);
	/* Not due yet. */
	ASSERT_EQ(0, hvtb_ic_heartbeat_tick(hb, SEC));
	EXPECT_EQ(HVTB_IC_READY, hb->ic.state);
	ASSERT_EQ(0, hvtb_ic_heartbeat_tick(hb, 20 + 2 * SEC));
	ASSERT_EQ(0, round_trip(e, 3 * SEC));
	EXPECT_EQ(3, hb->last_seq);
	EXPECT_EQ(3 * SEC, hb->last_answer_ns);
	EXPECT_EQ(3, hb->ic.stats.answers);
	EXPECT_EQ(0, hb->ic.stats.failed);
	EXPECT_EQ(0, hb->bad_answers);
	EXPECT_EQ(3, e->done_calls);
	env_free(e);
}

TEST(heartbeat_timeout_then_late_answer)
{
	struct env *e = env_new(HVTB_ICMSG_HEARTBEAT);
	struct hvtb_ic_heartbeat *hb;

	ASSERT_NE(NULL, e);
	hb = &e->u.hb;
	ASSERT_EQ(0, negotiate(e));
	ASSERT_EQ(0, hvtb_ic_heartbeat_send(hb, 100));
	ASSERT_EQ(0, round_trip(e, 200));
	EXPECT_TRUE(hb->alive);
	/* The guest goes quiet: after a period the request times out. */
	ASSERT_EQ(0, hvtb_ic_heartbeat_send(hb, 300));
	ASSERT_EQ(0, hvtb_ic_heartbeat_tick(hb, 300 + 2 * SEC));
	EXPECT_FALSE(hb->alive);
	EXPECT_EQ(1, hb->ic.stats.timeouts);
	EXPECT_EQ(-ETIMEDOUT, e->done_err);
	/* The tick sent the next one (seq 3) at once; the guest answers both now. */
	EXPECT_EQ(HVTB_IC_WAITING, hb->ic.state);
	ASSERT_EQ(0, round_trip(e, 400 + 2 * SEC));
	EXPECT_EQ(1, hb->ic.stats.stray);
	EXPECT_TRUE(hb->alive);
	EXPECT_EQ(4, hb->last_seq);
	EXPECT_EQ(0, hb->bad_answers);
	env_free(e);
}

TEST(shutdown_actions)
{
	static const struct {
		uint32_t flags;
		bool hibernation;
		int result;
	} cases[] = {
		{ HVTB_IC_SHUTDOWN_POWEROFF, false, 0 },
		{ HVTB_IC_SHUTDOWN_POWEROFF | HVTB_IC_SHUTDOWN_FORCE, false, 0 },
		{ HVTB_IC_SHUTDOWN_REBOOT, false, 0 },
		{ HVTB_IC_SHUTDOWN_REBOOT | HVTB_IC_SHUTDOWN_FORCE, false, 0 },
		{ HVTB_IC_SHUTDOWN_HIBERNATE, false, -EREMOTEIO },
		{ HVTB_IC_SHUTDOWN_HIBERNATE | HVTB_IC_SHUTDOWN_FORCE, true, 0 },
	};
	struct env *e = env_new(HVTB_ICMSG_SHUTDOWN);
	struct hvtb_ic_shutdown *sd;
	uint32_t status;
	unsigned int i;

	ASSERT_NE(NULL, e);
	sd = &e->u.sd;
	ASSERT_EQ(0, negotiate(e));
	EXPECT_EQ(3, sd->ic.msgver.major);
	EXPECT_EQ(2, sd->ic.msgver.minor);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		e->g.hibernation_supported = cases[i].hibernation;
		ASSERT_EQ(0, hvtb_ic_shutdown_request(sd, cases[i].flags, 0x80000000u, 30,
						      "hvtb: shutting down", 10));
		EXPECT_FALSE(sd->done);
		ASSERT_EQ(0, round_trip(e, 20));
		EXPECT_TRUE(sd->done);
		EXPECT_EQ(cases[i].result, sd->result);
		status = HVTB_IC_S_OK;
		if (cases[i].result)
			status = HVTB_IC_E_FAIL;
		EXPECT_EQ(status, sd->status);
		EXPECT_EQ(HVTB_IC_READY, sd->ic.state);
	}
	EXPECT_EQ(2, e->g.poweroffs);
	EXPECT_EQ(2, e->g.reboots);
	EXPECT_EQ(1, e->g.hibernates);
	/* The host refuses flags Linux would refuse anyway. */
	EXPECT_EQ(-EINVAL, hvtb_ic_shutdown_request(sd, 8, 0, 0, NULL, 30));
	EXPECT_EQ(-EINVAL, hvtb_ic_shutdown_request(sd, 6, 0, 0, NULL, 30));
	EXPECT_EQ(-EINVAL, hvtb_ic_shutdown_request(sd, 0, 0, 0, "\xff", 30));
	env_free(e);
}

TEST(timesync_v4_sync_then_samples)
{
	struct env *e = env_new(HVTB_ICMSG_TIMESYNC);
	struct hvtb_ic_timesync *ts;

	ASSERT_NE(NULL, e);
	ts = &e->u.ts;
	ASSERT_EQ(0, hvtb_ic_timesync_tick(ts, 0));
	ASSERT_EQ(0, round_trip(e, 1));
	ASSERT_EQ(HVTB_IC_READY, ts->ic.state);
	EXPECT_EQ(4, ts->ic.msgver.major);
	/* First a SYNC with parenttime and the reference time (ictimesync_ref_data). */
	ASSERT_EQ(0, hvtb_ic_timesync_tick(ts, 2));
	EXPECT_EQ(HVTB_IC_TIMESYNC_FLAG_SYNC, ts->flags);
	ASSERT_EQ(0, round_trip(e, 3));
	EXPECT_TRUE(ts->synced);
	EXPECT_EQ(1, e->g.syncs);
	EXPECT_EQ(e->clk.filetime, e->g.host_time);
	EXPECT_EQ(5000000, e->g.ref_time);
	EXPECT_EQ(1700000000123456700ull, (e->g.host_time - 116444736000000000ull) * 100);
	/* Nothing before the period; then SAMPLEs. */
	ASSERT_EQ(0, hvtb_ic_timesync_tick(ts, 4 * SEC));
	EXPECT_EQ(HVTB_IC_READY, ts->ic.state);
	e->clk.filetime += 50000000;
	e->clk.reftime += 50000000;
	ASSERT_EQ(0, hvtb_ic_timesync_tick(ts, 6 * SEC));
	EXPECT_EQ(HVTB_IC_TIMESYNC_FLAG_SAMPLE, ts->flags);
	ASSERT_EQ(0, round_trip(e, 6 * SEC + 1));
	EXPECT_EQ(1, e->g.samples);
	EXPECT_EQ(2, e->g.ts_flags);
	EXPECT_EQ(55000000, e->g.ref_time);
	EXPECT_EQ(2, ts->samples);
	EXPECT_EQ(-EINVAL, hvtb_ic_timesync_send(ts, 0, 7 * SEC));
	env_free(e);
}

/* Versions 3.0 and 1.0: struct ictimesync_data, flags at byte 24. */
TEST(timesync_v3_v1_format)
{
	static const struct hvtb_ic_version v3[] = { { 3, 0 } }, v1[] = { { 1, 0 } };
	const struct hvtb_ic_version *vs[] = { v3, v1 };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct env *e = env_new(HVTB_ICMSG_TIMESYNC);
		struct hvtb_ic_timesync *ts;

		ASSERT_NE(NULL, e);
		ts = &e->u.ts;
		ASSERT_EQ(0, hvtb_ic_set_versions(&ts->ic, hvtb_ic_fw_versions, 2, vs[i], 1));
		ASSERT_EQ(0, negotiate(e));
		EXPECT_EQ(vs[i][0].major, ts->ic.msgver.major);
		EXPECT_EQ(vs[i][0].major << 16, e->g.srv_version);
		ASSERT_EQ(0, hvtb_ic_timesync_send(ts, HVTB_IC_TIMESYNC_FLAG_SYNC, 5));
		EXPECT_EQ(HVTB_IC_BODY_OFFSET + HVTB_IC_TIMESYNC_BODY, ts->ic.req_len);
		ASSERT_EQ(0, round_trip(e, 6));
		EXPECT_EQ(1, e->g.syncs);
		EXPECT_EQ(e->clk.filetime, e->g.host_time);
		EXPECT_EQ(0, e->g.ref_time);
		EXPECT_TRUE(ts->synced);
		env_free(e);
	}
}

TEST(kvp_enumerate_auto_pool)
{
	struct env *e = env_new(HVTB_ICMSG_KVP);
	struct hvtb_ic_kvp *kvp;
	uint32_t i;

	ASSERT_NE(NULL, e);
	kvp = &e->u.kvp;
	ASSERT_EQ(0, negotiate(e));
	EXPECT_EQ(4, kvp->ic.msgver.major);
	for (i = 0; ; i++) {
		ASSERT_EQ(0, hvtb_ic_kvp_enumerate(kvp, HVTB_IC_KVP_POOL_AUTO, i, 100 + i));
		ASSERT_EQ(0, round_trip(e, 200 + i));
		ASSERT_TRUE(kvp->done);
		if (kvp->result)
			break;
		ASSERT_LT(i, 10);
		EXPECT_STREQ(g_kvp_auto[i][0], kvp->key);
		EXPECT_STREQ(g_kvp_auto[i][1], kvp->value);
		EXPECT_EQ(HVTB_IC_KVP_REG_SZ, kvp->value_type);
	}
	/* The end: S_CONT. */
	EXPECT_EQ(10, i);
	EXPECT_EQ(-ENOENT, kvp->result);
	EXPECT_EQ(HVTB_IC_S_CONT, kvp->status);
	EXPECT_EQ(HVTB_IC_READY, kvp->ic.state);
	env_free(e);
}

TEST(kvp_set_enumerate_get_delete)
{
	const char *key = "hvtb/k\xc3\xa4y", *value = "v\xc3\xa4lue \xe2\x9c\x93 \xf0\x9f\x98\x80";
	struct env *e = env_new(HVTB_ICMSG_KVP);
	struct hvtb_ic_kvp *kvp;

	ASSERT_NE(NULL, e);
	kvp = &e->u.kvp;
	ASSERT_EQ(0, negotiate(e));
	ASSERT_EQ(0, hvtb_ic_kvp_set(kvp, HVTB_IC_KVP_POOL_EXTERNAL, key, value, 10));
	ASSERT_EQ(0, round_trip(e, 11));
	EXPECT_EQ(0, kvp->result);
	/* What the guest's pool file holds, as UTF-8. */
	ASSERT_EQ(1, e->g.pool_len[0]);
	EXPECT_STREQ(key, e->g.pools[0][0].key);
	EXPECT_STREQ(value, e->g.pools[0][0].value);
	/* Replacing keeps one record. */
	ASSERT_EQ(0, hvtb_ic_kvp_set(kvp, HVTB_IC_KVP_POOL_EXTERNAL, key, "2", 12));
	ASSERT_EQ(0, round_trip(e, 13));
	ASSERT_EQ(1, e->g.pool_len[0]);
	EXPECT_STREQ("2", e->g.pools[0][0].value);
	/* Enumerate reads it back. */
	ASSERT_EQ(0, hvtb_ic_kvp_enumerate(kvp, HVTB_IC_KVP_POOL_EXTERNAL, 0, 14));
	ASSERT_EQ(0, round_trip(e, 15));
	EXPECT_EQ(0, kvp->result);
	EXPECT_STREQ(key, kvp->key);
	EXPECT_STREQ("2", kvp->value);
	/* GET: found, but Linux 6.1 returns no value. */
	ASSERT_EQ(0, hvtb_ic_kvp_get(kvp, HVTB_IC_KVP_POOL_EXTERNAL, key, 16));
	ASSERT_EQ(0, round_trip(e, 17));
	EXPECT_EQ(0, kvp->result);
	EXPECT_STREQ("", kvp->value);
	ASSERT_EQ(0, hvtb_ic_kvp_get(kvp, HVTB_IC_KVP_POOL_GUEST, key, 18));
	ASSERT_EQ(0, round_trip(e, 19));
	EXPECT_EQ(-ENOENT, kvp->result);
	/* DELETE, then it is gone. */
	ASSERT_EQ(0, hvtb_ic_kvp_delete(kvp, HVTB_IC_KVP_POOL_EXTERNAL, key, 20));
	ASSERT_EQ(0, round_trip(e, 21));
	EXPECT_EQ(0, kvp->result);
	EXPECT_EQ(0, e->g.pool_len[0]);
	ASSERT_EQ(0, hvtb_ic_kvp_delete(kvp, HVTB_IC_KVP_POOL_EXTERNAL, key, 22));
	ASSERT_EQ(0, round_trip(e, 23));
	EXPECT_EQ(-ENOENT, kvp->result);
	EXPECT_EQ(HVTB_IC_S_CONT, kvp->status);
	env_free(e);
}

TEST(kvp_bad_arguments)
{
	struct env *e = env_new(HVTB_ICMSG_KVP);
	struct hvtb_ic_kvp *kvp;
	char big[600];

	ASSERT_NE(NULL, e);
	kvp = &e->u.kvp;
	ASSERT_EQ(0, negotiate(e));
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	EXPECT_EQ(-EINVAL, hvtb_ic_kvp_set(kvp, 0, big, "v", 1));
	big[511] = '\0';
	/* 511 bytes of UTF-8 fit Linux's buffer, but not 511 units + NUL in 512 bytes. */
	EXPECT_EQ(-EINVAL, hvtb_ic_kvp_set(kvp, 0, big, "v", 1));
	big[255] = '\0';
	EXPECT_EQ(0, hvtb_ic_kvp_set(kvp, 0, big, "v", 1));
	ASSERT_EQ(0, round_trip(e, 2));
	EXPECT_EQ(0, kvp->result);
	EXPECT_EQ(-EINVAL, hvtb_ic_kvp_set(kvp, 0, "", "v", 3));
	EXPECT_EQ(-EINVAL, hvtb_ic_kvp_set(kvp, 0, "k", NULL, 3));
	EXPECT_EQ(-EINVAL, hvtb_ic_kvp_set(kvp, 0, "k\xc3", "v", 3));
	EXPECT_EQ(-EINVAL, hvtb_ic_kvp_get(kvp, 5, "k", 3));
	EXPECT_EQ(-EINVAL, hvtb_ic_kvp_enumerate(kvp, 9, 0, 3));
	EXPECT_EQ(-EINVAL, hvtb_ic_kvp_delete(kvp, 0, NULL, 3));
	EXPECT_EQ(HVTB_IC_READY, kvp->ic.state);
	env_free(e);
}

/* Without hv_kvp_daemon the guest does not read its ring at all. */
TEST(kvp_without_daemon)
{
	struct env *e = env_new(HVTB_ICMSG_KVP);
	struct hvtb_ic *ic;

	ASSERT_NE(NULL, e);
	ic = IC(e);
	e->g.daemon = false;
	ASSERT_EQ(0, hvtb_ic_start(ic, 0));
	ASSERT_EQ(0, round_trip(e, 1));
	EXPECT_EQ(HVTB_IC_NEGOTIATING, ic->state);
	EXPECT_EQ(-EBUSY, hvtb_ic_kvp_enumerate(&e->u.kvp, 2, 0, 2));
	EXPECT_EQ(0, hvtb_ic_timeout(ic, 10 * SEC, 30 * SEC));
	EXPECT_EQ(1, hvtb_ic_timeout(ic, 30 * SEC, 30 * SEC));
	EXPECT_EQ(HVTB_IC_CLOSED, ic->state);
	EXPECT_EQ(-ETIMEDOUT, ic->last_err);
	EXPECT_EQ(-ENOTCONN, hvtb_ic_kvp_enumerate(&e->u.kvp, 2, 0, 2));
	/* Again; then the daemon registers and the guest reads one packet per callback. */
	ASSERT_EQ(0, hvtb_ic_start(ic, 31 * SEC));
	e->g.daemon = true;
	ASSERT_EQ(0, round_trip(e, 32 * SEC));
	EXPECT_EQ(1, ic->stats.stray);
	EXPECT_EQ(HVTB_IC_NEGOTIATING, ic->state);
	ASSERT_EQ(0, round_trip(e, 33 * SEC));
	EXPECT_EQ(HVTB_IC_READY, ic->state);
	env_free(e);
}

/* --- version negotiation ------------------------------------------------- */

TEST(nego_every_linux_version)
{
	static const struct {
		uint16_t msgtype;
		const uint32_t *versions;
		uint32_t n;
	} ics[] = {
		{ HVTB_ICMSG_HEARTBEAT, g_hb_versions, 2 },
		{ HVTB_ICMSG_SHUTDOWN, g_sd_versions, 4 },
		{ HVTB_ICMSG_TIMESYNC, g_ts_versions, 3 },
		{ HVTB_ICMSG_KVP, g_kvp_versions, 3 },
	};
	unsigned int i, j, f, tried = 0;

	for (i = 0; i < 4; i++) {
		for (j = 0; j < ics[i].n; j++) {
			for (f = 0; f < 2; f++) {
				struct hvtb_ic_version fw = {
					(uint16_t)(g_fw_versions[f] >> 16), 0
				};
				struct hvtb_ic_version v = {
					(uint16_t)(ics[i].versions[j] >> 16),
					(uint16_t)(ics[i].versions[j] & 0xffff),
				};
				struct env *e = env_new(ics[i].msgtype);

				ASSERT_NE(NULL, e);
				ASSERT_EQ(0, hvtb_ic_set_versions(IC(e), &fw, 1, &v, 1));
				ASSERT_EQ(0, negotiate(e));
				EXPECT_EQ(fw.major, IC(e)->fw.major);
				EXPECT_EQ(v.major, IC(e)->msgver.major);
				EXPECT_EQ(v.minor, IC(e)->msgver.minor);
				EXPECT_EQ(ics[i].versions[j], e->g.srv_version);
				env_free(e);
				tried++;
			}
		}
		/* The default proposal gets Linux's newest. */
		{
			struct env *e = env_new(ics[i].msgtype);

			ASSERT_NE(NULL, e);
			ASSERT_EQ(0, negotiate(e));
			EXPECT_EQ(3, IC(e)->fw.major);
			EXPECT_EQ(ics[i].versions[0],
				  G_VER(IC(e)->msgver.major, IC(e)->msgver.minor));
			env_free(e);
		}
	}
	EXPECT_EQ(24, tried);
}

TEST(nego_no_common_version)
{
	static const struct hvtb_ic_version v2 = { 2, 0 }, v9 = { 9, 9 };
	struct env *e = env_new(HVTB_ICMSG_HEARTBEAT);
	struct env *e2;

	ASSERT_NE(NULL, e);
	/* Service version Linux does not have. */
	ASSERT_EQ(0, hvtb_ic_set_versions(IC(e), hvtb_ic_fw_versions, 2, &v2, 1));
	EXPECT_EQ(-EPROTONOSUPPORT, negotiate(e));
	EXPECT_EQ(HVTB_IC_NOVERSION, IC(e)->state);
	EXPECT_EQ(-ENOTCONN, hvtb_ic_heartbeat_send(&e->u.hb, 5));
	EXPECT_EQ(-EPROTONOSUPPORT, hvtb_ic_heartbeat_tick(&e->u.hb, 5));
	EXPECT_EQ(-EALREADY, hvtb_ic_start(IC(e), 5));
	/* Framework version Linux does not have. */
	e2 = env_new(HVTB_ICMSG_SHUTDOWN);
	ASSERT_NE(NULL, e2);
	ASSERT_EQ(0, hvtb_ic_set_versions(IC(e2), &v9, 1, hvtb_ic_shutdown_versions, 4));
	EXPECT_EQ(-EPROTONOSUPPORT, negotiate(e2));
	EXPECT_EQ(HVTB_IC_NOVERSION, IC(e2)->state);
	env_free(e2);
	EXPECT_EQ(-EBUSY, hvtb_ic_set_versions(IC(e), &v2, 1, &v2, 1));
}

/* --- hostile answers ------------------------------------------------------ */

struct mangle_plan {
	int what;
	uint32_t arg;
};

enum {
	M_TRUNCATE = 1,		/* answer only arg bytes */
	M_MSGSIZE,		/* icmsgsize = arg */
	M_COUNTS,		/* negotiate counts = arg >> 16 / arg & 0xffff */
	M_VERSION,		/* negotiate versions[1] = arg */
	M_TRANS_ID,		/* VMBus trans_id += arg */
	M_IC_TID,		/* ictransaction_id += arg */
	M_STATUS,		/* status = arg */
	M_MSGTYPE,		/* icmsgtype = arg */
	M_FLAGS,		/* icflags = arg */
	M_PKT_TYPE,		/* packet type = arg */
	M_GROW,			/* answer arg bytes more */
	M_BODY32,		/* u32 at body offset arg >> 16 = arg & 0xffff */
	M_PIPE,			/* pipe type = arg */
};

static void mangle(struct g_ic *g, uint8_t *b, uint32_t *len, uint64_t *trans_id,
		   uint16_t *pkt_type)
{
	struct mangle_plan *p = g->mangle_arg;

	switch (p->what) {
	case M_TRUNCATE:
		*len = p->arg;
		break;
	case M_MSGSIZE:
		g_put16(b + 18, p->arg);
		break;
	case M_COUNTS:
		g_put16(b + 28, p->arg >> 16);
		g_put16(b + 30, p->arg & 0xffff);
		break;
	case M_VERSION:
		g_put16(b + 40, p->arg >> 16);
		g_put16(b + 42, p->arg & 0xffff);
		break;
	case M_TRANS_ID:
		*trans_id += p->arg;
		break;
	case M_IC_TID:
		b[24] = (uint8_t)(b[24] + p->arg);
		break;
	case M_STATUS:
		g_put32(b + 20, p->arg);
		break;
	case M_MSGTYPE:
		g_put16(b + 12, p->arg);
		break;
	case M_FLAGS:
		b[25] = (uint8_t)p->arg;
		break;
	case M_PKT_TYPE:
		*pkt_type = (uint16_t)p->arg;
		break;
	case M_GROW:
		memset(b + *len, 0, p->arg);
		*len += p->arg;
		break;
	case M_BODY32:
		g_put32(b + 28 + (p->arg >> 16), p->arg & 0xffff);
		break;
	case M_PIPE:
		g_put32(b, p->arg);
		break;
	}
}

/* Negotiate a heartbeat IC with @plan applied to the guest's answer. */
static int hostile_nego(struct env *e, struct mangle_plan *plan)
{
	e->g.mangle = mangle;
	e->g.mangle_arg = plan;
	return negotiate(e);
	env_free(e);
}

TEST(hostile_negotiate_answers)
{
	static const struct {
		struct mangle_plan plan;
		int err;
	} cases[] = {
		{ { M_TRUNCATE, 27 }, -EBADMSG },		/* no icmsg header */
		{ { M_TRUNCATE, 32 }, -EBADMSG },		/* counts cut */
		{ { M_TRUNCATE, 40 }, -EBADMSG },		/* versions cut */
		{ { M_MSGSIZE, 8 }, -EBADMSG },			/* icmsgsize too small for the choices */
		{ { M_MSGSIZE, 0xffff }, -EBADMSG },		/* icmsgsize past the packet */
		{ { M_MSGSIZE, 29 }, -EBADMSG },		/* one byte past the packet (56) */
		{ { M_COUNTS, 2 << 16 | 1 }, -EBADMSG },
		{ { M_COUNTS, 1 << 16 | 0 }, -EBADMSG },
		{ { M_COUNTS, 0 << 16 | 1 }, -EBADMSG },
		{ { M_COUNTS, 100 << 16 | 100 }, -EBADMSG },
		{ { M_COUNTS, 0xffffffff }, -EBADMSG },
		{ { M_VERSION, 2 << 16 }, -EBADMSG },		/* a version never proposed */
		{ { M_VERSION, 3 << 16 | 1 }, -EBADMSG },
		{ { M_IC_TID, 1 }, -EBADMSG },
		{ { M_STATUS, HVTB_IC_E_FAIL }, -EREMOTEIO },
		{ { M_MSGTYPE, HVTB_ICMSG_HEARTBEAT }, -EBADMSG },
		{ { M_FLAGS, HVTB_ICFLAG_TRANSACTION | HVTB_ICFLAG_REQUEST }, -EBADMSG },
		{ { M_FLAGS, HVTB_ICFLAG_RESPONSE }, -EBADMSG },
		{ { M_PKT_TYPE, HVTB_PKT_COMP }, -EBADMSG },
		{ { M_GROW, 8 }, -EBADMSG },			/* longer than the request */
		{ { M_PIPE, 0 }, -EBADMSG },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mangle_plan plan = cases[i].plan;
		struct env *e = env_new(HVTB_ICMSG_HEARTBEAT);

		ASSERT_NE(NULL, e);
		EXPECT_EQ(cases[i].err, hostile_nego(e, &plan)) {
			TH_LOG("case %u (what %d arg %#x)", i, plan.what, plan.arg);
		}
		/* A bad negotiate answer leaves the IC closed: it may start again. */
		EXPECT_EQ(HVTB_IC_CLOSED, IC(e)->state);
		EXPECT_EQ(1, IC(e)->stats.failed);
		e->g.mangle = NULL;
		EXPECT_EQ(0, negotiate(e));
		env_free(e);
	}
}

TEST(hostile_heartbeat_answers)
{
	static const struct {
		struct mangle_plan plan;
		int err;
	} cases[] = {
		{ { M_TRUNCATE, 28 }, -EBADMSG },		/* icmsgsize 40 past it */
		{ { M_MSGSIZE, 4 }, -EBADMSG },			/* no room for seq_num */
		{ { M_MSGSIZE, 45 }, -EBADMSG },		/* one byte past the packet (72) */
		{ { M_BODY32, 0 << 16 | 7 }, -EBADMSG },	/* wrong seq_num */
		{ { M_STATUS, HVTB_IC_E_FAIL }, -EREMOTEIO },
		{ { M_IC_TID, 0x80 }, -EBADMSG },
		{ { M_MSGTYPE, HVTB_ICMSG_SHUTDOWN }, -EBADMSG },
		{ { M_FLAGS, 0 }, -EBADMSG },
		{ { M_PKT_TYPE, HVTB_PKT_DATA_USING_GPA_DIRECT }, -EBADMSG },
		{ { M_GROW, 4096 }, -EBADMSG },
		{ { M_GROW, HVTB_IC_RX_BUF }, -EBADMSG },	/* past the host's buffer */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mangle_plan plan = cases[i].plan;
		struct env *e = env_new(HVTB_ICMSG_HEARTBEAT);
		struct hvtb_ic_heartbeat *hb;

		ASSERT_NE(NULL, e);
		hb = &e->u.hb;
		ASSERT_EQ(0, negotiate(e));
		e->g.mangle = mangle;
		e->g.mangle_arg = &plan;
		ASSERT_EQ(0, hvtb_ic_heartbeat_send(hb, 5));
		ASSERT_EQ(0, round_trip(e, 6));
		EXPECT_EQ(cases[i].err, hb->ic.last_err) {
			TH_LOG("case %u (what %d arg %#x)", i, plan.what, plan.arg);
		}
		EXPECT_FALSE(hb->alive);
		EXPECT_EQ(1, hb->bad_answers);
		/* The IC stays usable. */
		EXPECT_EQ(HVTB_IC_READY, hb->ic.state);
		e->g.mangle = NULL;
		ASSERT_EQ(0, hvtb_ic_heartbeat_send(hb, 7));
		ASSERT_EQ(0, round_trip(e, 8));
		EXPECT_TRUE(hb->alive);
		EXPECT_EQ(hb->seq + 1, hb->last_seq);
		env_free(e);
	}
}

/* The shutdown tick negotiates, then times out an unanswered request only. */
TEST(shutdown_tick)
{
	struct mangle_plan plan = { M_TRANS_ID, 1 };
	struct env *e = env_new(HVTB_ICMSG_SHUTDOWN);
	struct hvtb_ic_shutdown *sd;

	ASSERT_NE(NULL, e);
	sd = &e->u.sd;
	ASSERT_EQ(HVTB_IC_CLOSED, sd->ic.state);
	ASSERT_EQ(0, hvtb_ic_shutdown_tick(sd, 0, SEC));
	EXPECT_EQ(HVTB_IC_NEGOTIATING, sd->ic.state);
	/* No answer within the timeout: CLOSED, and the next tick asks again. */
	ASSERT_EQ(0, hvtb_ic_shutdown_tick(sd, 2 * SEC, SEC));
	EXPECT_EQ(HVTB_IC_NEGOTIATING, sd->ic.state);
	EXPECT_EQ(1, sd->ic.stats.timeouts);
	/* Linux's shutdown callback takes one packet a signal: two runs. */
	g_run(&e->c, &e->g);
	g_run(&e->c, &e->g);
	ASSERT_EQ(0, hvtb_ic_poll(IC(e), 2 * SEC + 1));
	EXPECT_EQ(1, sd->ic.stats.stray);	/* the answer to the first */
	ASSERT_EQ(HVTB_IC_READY, sd->ic.state);
	/* READY: ticks do nothing until a request waits too long. */
	ASSERT_EQ(0, hvtb_ic_shutdown_tick(sd, 3 * SEC, SEC));
	EXPECT_EQ(HVTB_IC_READY, sd->ic.state);
	e->g.mangle = mangle;
	e->g.mangle_arg = &plan;
	ASSERT_EQ(0, hvtb_ic_shutdown_request(sd, HVTB_IC_SHUTDOWN_POWEROFF, 0, 0, NULL, 4 * SEC));
	ASSERT_EQ(0, round_trip(e, 4 * SEC + 1));
	ASSERT_EQ(0, hvtb_ic_shutdown_tick(sd, 4 * SEC + 2, SEC));
	EXPECT_FALSE(sd->done);
	ASSERT_EQ(0, hvtb_ic_shutdown_tick(sd, 6 * SEC, SEC));
	EXPECT_TRUE(sd->done);
	EXPECT_EQ(-ETIMEDOUT, sd->result);
	EXPECT_EQ(HVTB_IC_READY, sd->ic.state);
	env_free(e);
}

/* A wrong VMBus transaction id is not an answer: dropped, the request still waits. */
TEST(hostile_wrong_transaction_id)
{
	struct mangle_plan plan = { M_TRANS_ID, 1 };
	struct env *e = env_new(HVTB_ICMSG_SHUTDOWN);
	struct hvtb_ic_shutdown *sd;

	ASSERT_NE(NULL, e);
	sd = &e->u.sd;
	ASSERT_EQ(0, negotiate(e));
	e->g.mangle = mangle;
	e->g.mangle_arg = &plan;
	ASSERT_EQ(0, hvtb_ic_shutdown_request(sd, HVTB_IC_SHUTDOWN_REBOOT, 0, 0, NULL, 5));
	ASSERT_EQ(0, round_trip(e, 6));
	EXPECT_EQ(1, sd->ic.stats.stray);
	EXPECT_FALSE(sd->done);
	EXPECT_EQ(HVTB_IC_WAITING, sd->ic.state);
	EXPECT_EQ(-EBUSY, hvtb_ic_shutdown_request(sd, 0, 0, 0, NULL, 7));
	EXPECT_EQ(1, hvtb_ic_timeout(&sd->ic, 100, 50));
	EXPECT_TRUE(sd->done);
	EXPECT_EQ(-ETIMEDOUT, sd->result);
	EXPECT_EQ(HVTB_IC_READY, sd->ic.state);
	env_free(e);
}

TEST(hostile_kvp_answers)
{
	static const struct {
		struct mangle_plan plan;
		int err;
	} cases[] = {
		{ { M_BODY32, 12 << 16 | 514 }, -EBADMSG },	/* key_size past the field */
		{ { M_BODY32, 16 << 16 | 2050 }, -EBADMSG },	/* value_size past the field */
		{ { M_BODY32, 8 << 16 | 7 }, -EBADMSG },	/* unknown value_type */
		{ { M_BODY32, 20 << 16 | 0xdc00 }, -EBADMSG },	/* lone low surrogate in the key */
		{ { M_BODY32, 4 << 16 | 3 }, -EBADMSG },	/* another index */
		{ { M_BODY32, 0 << 16 | 0x0003 }, -EBADMSG },	/* pool 0 echoed for pool 2 */
		{ { M_MSGSIZE, 7431 }, -EBADMSG },		/* body shorter than hv_kvp_msg */
		{ { M_TRUNCATE, 28 + 100 }, -EBADMSG },
		{ { M_STATUS, HVTB_IC_E_FAIL }, -EREMOTEIO },
		{ { M_STATUS, HVTB_IC_S_CONT }, -ENOENT },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mangle_plan plan = cases[i].plan;
		struct env *e = env_new(HVTB_ICMSG_KVP);
		struct hvtb_ic_kvp *kvp;

		ASSERT_NE(NULL, e);
		kvp = &e->u.kvp;
		ASSERT_EQ(0, negotiate(e));
		e->g.mangle = mangle;
		e->g.mangle_arg = &plan;
		ASSERT_EQ(0, hvtb_ic_kvp_enumerate(kvp, HVTB_IC_KVP_POOL_AUTO, 1, 5));
		ASSERT_EQ(0, round_trip(e, 6));
		EXPECT_TRUE(kvp->done);
		EXPECT_EQ(cases[i].err, kvp->result) {
			TH_LOG("case %u (what %d arg %#x)", i, plan.what, plan.arg);
		}
		EXPECT_STREQ("", kvp->key);
		EXPECT_EQ(HVTB_IC_READY, kvp->ic.state);
		env_free(e);
	}
}

/* A guest that floods strays is cut off after HVTB_IC_MAX_STRAY, a bounded poll at a time. */
TEST(hostile_flood)
{
	struct env *e = env_new(HVTB_ICMSG_HEARTBEAT);
	uint8_t junk[64] = { 1 };
	unsigned int sent = 0, polls = 0;
	int ret;

	ASSERT_NE(NULL, e);
	ASSERT_EQ(0, negotiate(e));
	ASSERT_EQ(0, hvtb_ic_heartbeat_send(&e->u.hb, 5));
	for (;;) {
		while (g_send_raw(&e->c, HVTB_PKT_DATA_INBAND, 999 + sent, junk, sizeof(junk)) == 0)
			sent++;
		ret = hvtb_ic_poll(IC(e), 6);
		polls++;
		if (ret < 0)
			break;
		/* Never more than the budget per call. */
		ASSERT_LE(IC(e)->stats.stray, polls * HVTB_IC_POLL_BUDGET);
		ASSERT_LT(polls, 100);
	}
	EXPECT_EQ(-EPROTO, ret);
	EXPECT_EQ(HVTB_IC_MAX_STRAY + 1, IC(e)->stats.stray);
	EXPECT_EQ(HVTB_IC_BROKEN, IC(e)->state);
	EXPECT_EQ(-EPIPE, e->done_err);
	EXPECT_EQ(-EPIPE, hvtb_ic_poll(IC(e), 7));
	EXPECT_EQ(-EPIPE, hvtb_ic_heartbeat_send(&e->u.hb, 7));
	EXPECT_EQ(-EPIPE, hvtb_ic_heartbeat_tick(&e->u.hb, 7));
	env_free(e);
}

/* Fewer strays than the limit, then the real answer: all consumed, the answer counts. */
TEST(strays_then_answer)
{
	struct env *e = env_new(HVTB_ICMSG_HEARTBEAT);
	uint8_t junk[24] = { 0 };
	unsigned int i;
	int ret;

	ASSERT_NE(NULL, e);
	ASSERT_EQ(0, negotiate(e));
	ASSERT_EQ(0, hvtb_ic_heartbeat_send(&e->u.hb, 5));
	for (i = 0; i < 100; i++)
		ASSERT_EQ(0, g_send_raw(&e->c, HVTB_PKT_DATA_INBAND, 77, junk, sizeof(junk)));
	g_run(&e->c, &e->g);
	for (i = 0; i < 10; i++) {
		ret = hvtb_ic_poll(IC(e), 6);
		if (ret != 1)
			break;
	}
	EXPECT_EQ(0, ret);
	EXPECT_EQ(3, i);	/* 101 packets, 32 a call */
	EXPECT_EQ(100, IC(e)->stats.stray);
	EXPECT_TRUE(e->u.hb.alive);
	EXPECT_EQ(2, e->u.hb.last_seq);
	env_free(e);
}

TEST(corrupt_ring_breaks)
{
	struct env *e = env_new(HVTB_ICMSG_TIMESYNC);

	ASSERT_NE(NULL, e);
	ASSERT_EQ(0, negotiate(e));
	ASSERT_EQ(0, hvtb_ic_timesync_send(&e->u.ts, HVTB_IC_TIMESYNC_FLAG_SYNC, 5));
	/* The guest's write_index off the 8-byte grid. */
	e->c.g2h.hdr->write_index = 12;
	EXPECT_EQ(-EPROTO, hvtb_ic_poll(IC(e), 6));
	EXPECT_EQ(HVTB_IC_BROKEN, IC(e)->state);
	EXPECT_EQ(-EPROTO, IC(e)->broken_err);
	EXPECT_EQ(-EPIPE, e->done_err);
	EXPECT_EQ(-EPIPE, hvtb_ic_timesync_tick(&e->u.ts, 7));
	EXPECT_EQ(-EPIPE, hvtb_ic_start(IC(e), 7));
	env_free(e);
}

/* A corrupt read_index in the ring the host writes: the send breaks the IC. */
TEST(corrupt_tx_ring_breaks)
{
	struct env *e = env_new(HVTB_ICMSG_HEARTBEAT);

	ASSERT_NE(NULL, e);
	ASSERT_EQ(0, negotiate(e));
	e->c.h2g.hdr->read_index = 0x7ffffff8;
	EXPECT_EQ(-EPROTO, hvtb_ic_heartbeat_send(&e->u.hb, 5));
	EXPECT_EQ(HVTB_IC_BROKEN, IC(e)->state);
	env_free(e);
}

TEST(one_request_at_a_time)
{
	struct env *e = env_new(HVTB_ICMSG_KVP);
	struct hvtb_ic_kvp *kvp;

	ASSERT_NE(NULL, e);
	kvp = &e->u.kvp;
	EXPECT_EQ(-ENOTCONN, hvtb_ic_kvp_enumerate(kvp, 2, 0, 0));
	ASSERT_EQ(0, hvtb_ic_start(&kvp->ic, 0));
	EXPECT_EQ(-EALREADY, hvtb_ic_start(&kvp->ic, 0));
	EXPECT_EQ(-EBUSY, hvtb_ic_kvp_enumerate(kvp, 2, 0, 0));
	ASSERT_EQ(0, round_trip(e, 1));
	ASSERT_EQ(0, hvtb_ic_kvp_enumerate(kvp, 2, 0, 2));
	EXPECT_EQ(-EBUSY, hvtb_ic_kvp_set(kvp, 0, "a", "b", 2));
	EXPECT_EQ(-EBUSY, hvtb_ic_kvp_enumerate(kvp, 2, 1, 2));
	ASSERT_EQ(0, round_trip(e, 3));
	EXPECT_EQ(0, kvp->result);
	/* A signal error is reported; the request is queued all the same. */
	e->c.signal_err = -EIO;
	EXPECT_EQ(-EIO, hvtb_ic_kvp_enumerate(kvp, 2, 1, 4));
	EXPECT_EQ(HVTB_IC_WAITING, kvp->ic.state);
	ASSERT_EQ(0, round_trip(e, 5));
	EXPECT_EQ(0, kvp->result);
	EXPECT_STREQ(g_kvp_auto[1][0], kvp->key);
	env_free(e);
}

/* The host signals only when the guest's ring was empty (no needless interrupts). */
TEST(signals_on_empty_only)
{
	struct env *e = env_new(HVTB_ICMSG_HEARTBEAT);
	unsigned int before;

	ASSERT_NE(NULL, e);
	ASSERT_EQ(0, negotiate(e));
	before = e->c.host_signals;
	ASSERT_EQ(0, hvtb_ic_heartbeat_send(&e->u.hb, 5));
	EXPECT_EQ(before + 1, e->c.host_signals);
	/* The guest is draining (interrupt_mask set): no signal. */
	ASSERT_EQ(0, round_trip(e, 6));
	e->c.h2g.hdr->interrupt_mask = 1;
	ASSERT_EQ(0, hvtb_ic_heartbeat_send(&e->u.hb, 7));
	EXPECT_EQ(before + 1, e->c.host_signals);
	e->c.h2g.hdr->interrupt_mask = 0;
	ASSERT_EQ(0, round_trip(e, 8));
	EXPECT_EQ(3, e->u.hb.last_seq);
	env_free(e);
}

/*
 * hvtb-icd must refuse to run while channel fds do not exist: exit 69 and
 * say why. run-host passes HVTBCTL; hvtb-icd is built beside it.
 */
/* Run hvtb-icd with @argv (fd 0: a pipe, not a channel); its status and stderr. */
static int run_icd(const char *path, char *const argv[], char *out, size_t len)
{
	int fds[2], in[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	if (pipe(fds) || pipe(in))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(fds[1], 2);
		close(fds[0]);
		execv(path, argv);
		_exit(127);
	}
	close(fds[1]);
	close(in[0]);
	while ((n = read(fds[0], out + got, len - 1 - (size_t)got)) > 0)
		got += n;
	out[got] = 0;
	close(fds[0]);
	close(in[1]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* hvtb-icd refuses what it cannot serve: bad usage 2, an fd that is no channel fd 1. */
TEST(icd_refusals)
{
	static const struct {
		const char *args[8];
		int status;
		const char *says;
	} cases[] = {
		{ { "--ic", "heartbeat", "--channel-fd", "0" }, 1, "channel fd 0: not a VMBus channel fd" },
		{ { "--ic", "heartbeat", "--channel-fd", "99" }, 1, "channel fd 99: Bad file descriptor" },
		{ { "--ic", "bogus", "--channel-fd", "0" }, 2, "--ic bogus: not an IC" },
		{ { "--ic", "kvp" }, 2, "usage: hvtb-icd" },
		{ { "--ic", "kvp", "--channel-fd", "x" }, 2, "--channel-fd x: not an fd number" },
		{ { "--ic", "heartbeat", "--channel-fd", "0", "--kvp-set", "a=b" }, 2,
		  "--kvp-set is for --ic kvp" },
		{ { "--ic", "kvp", "--channel-fd", "0", "--kvp-set", "=b" }, 2, "KEY=VALUE" },
		{ { "--ic", "timesync", "--channel-fd", "0", "--period-ms", "0" }, 2,
		  "--period-ms 0: 1..3600000" },
		{ { "--ic", "kvp", "--channel-fd", "0", "--parent", "1" }, 0,
		  "the parent 1 is gone: nothing to serve" },
	};
	char path[4096], out[1024];
	const char *ctl = getenv("HVTBCTL");
	char *argv[10];
	unsigned int i, k;

	if (!ctl || strlen(ctl) >= sizeof(path) - 16)
		SKIP(return, "HVTBCTL not set (run through make run-host)");
	snprintf(path, sizeof(path), "%s", ctl);
	snprintf(path + strlen(dirname(path)), 16, "/hvtb-icd");
	if (access(path, X_OK))
		SKIP(return, "hvtb-icd not built beside hvtbctl");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		argv[0] = path;
		for (k = 0; k < 8 && cases[i].args[k]; k++)
			argv[k + 1] = (char *)cases[i].args[k];
		argv[k + 1] = NULL;
		EXPECT_EQ(cases[i].status, run_icd(path, argv, out, sizeof(out)))
			TH_LOG("case %u: %s", i, out);
		EXPECT_NE(NULL, strstr(out, cases[i].says)) TH_LOG("case %u: %s", i, out);
	}
}

TEST_HARNESS_MAIN
