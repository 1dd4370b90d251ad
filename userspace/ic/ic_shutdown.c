// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb IC shutdown (ic_shutdown.h).
 */
#include <errno.h>
#include <string.h>

#include "ic_shutdown.h"
#include "ic_utf16.h"

const struct hvtb_ic_version hvtb_ic_shutdown_versions[4] = {
	{ .major = 3, .minor = 2 },
	{ .major = 3, .minor = 1 },
	{ .major = 3, .minor = 0 },
	{ .major = 1, .minor = 0 },
};

static struct hvtb_ic_shutdown *sd_of(struct hvtb_ic *ic)
{
	return hvtb_ic_container(ic, struct hvtb_ic_shutdown, ic);
}

static int sd_on_answer(struct hvtb_ic *ic, const struct hvtb_ic_msg *m)
{
	struct hvtb_ic_shutdown *sd = sd_of(ic);

	sd->done = true;
	sd->status = m->hdr.status;
	sd->result = m->hdr.status == HVTB_IC_S_OK ? 0 : -EREMOTEIO;
	return sd->result;
}

static void sd_on_fail(struct hvtb_ic *ic, int err)
{
	struct hvtb_ic_shutdown *sd = sd_of(ic);

	sd->done = true;
	sd->result = err;
	sd->status = ic->last_status;
}

const struct hvtb_ic_service hvtb_ic_shutdown_service = {
	.name = "shutdown",
	.msgtype = HVTB_ICMSG_SHUTDOWN,
	.versions = hvtb_ic_shutdown_versions,
	.nversions = 4,
	.on_answer = sd_on_answer,
	.on_fail = sd_on_fail,
};

int hvtb_ic_shutdown_init(struct hvtb_ic_shutdown *sd, const struct hvtb_ic_transport *tp)
{
	if (!sd)
		return -EINVAL;
	sd->flags = 0;
	sd->done = false;
	sd->result = 0;
	sd->status = 0;
	return hvtb_ic_init(&sd->ic, &hvtb_ic_shutdown_service, tp);
}

int hvtb_ic_shutdown_request(struct hvtb_ic_shutdown *sd, uint32_t flags, uint32_t reason,
			     uint32_t timeout_s, const char *message, uint64_t now_ns)
{
	uint8_t body[HVTB_IC_SHUTDOWN_BODY] = { 0 };
	uint32_t action = flags & ~HVTB_IC_SHUTDOWN_FORCE;
	int ret;

	if (!sd || (action != HVTB_IC_SHUTDOWN_POWEROFF && action != HVTB_IC_SHUTDOWN_REBOOT &&
		    action != HVTB_IC_SHUTDOWN_HIBERNATE))
		return -EINVAL;
	hvtb_ic_put32(body, reason);
	hvtb_ic_put32(body + 4, timeout_s);
	hvtb_ic_put32(body + 8, flags);
	if (message) {
		ret = hvtb_ic_utf8_to_utf16(message, body + 12, HVTB_IC_SHUTDOWN_MSG_SIZE);
		if (ret < 0)
			return -EINVAL;
	}
	ret = hvtb_ic_can_request(&sd->ic);
	if (ret)
		return ret;
	sd->flags = flags;
	sd->done = false;
	sd->result = 0;
	sd->status = 0;
	return hvtb_ic_request(&sd->ic, body, sizeof(body), now_ns);
}

int hvtb_ic_shutdown_tick(struct hvtb_ic_shutdown *sd, uint64_t now_ns, uint64_t timeout_ns)
{
	return hvtb_ic_tick(&sd->ic, now_ns, timeout_ns);
}
