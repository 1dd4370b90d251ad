// SPDX-License-Identifier: GPL-2.0
/*
 * storvsp's vstor protocol (stor_vsp.h).
 */
#include <errno.h>
#include <string.h>

#include "stor_vsp.h"

void stor_vsp_init(struct stor_vsp *v)
{
	memset(v, 0, sizeof(*v));
	v->state = STOR_VSP_WAIT_BEGIN;
}

static int reply(struct stor_vsp_action *act, uint32_t status, const char *why)
{
	act->what = STOR_VSP_REPLY;
	act->reply.operation = STOR_OP_COMPLETE_IO;
	act->reply.flags = 0;
	act->reply.status = status;
	act->why = why;
	return 0;
}

static int bad(struct stor_vsp *v, struct stor_vsp_action *act, uint32_t status, const char *why)
{
	v->stats.bad++;
	return reply(act, status, why);
}

void stor_vsp_fail_srb(const struct stor_pkt *req, uint8_t srb_status, uint32_t nt_status,
		       struct stor_pkt *out)
{
	*out = *req;
	out->operation = STOR_OP_COMPLETE_IO;
	out->flags = 0;
	out->status = nt_status;
	out->srb.srb_status = srb_status;
	out->srb.scsi_status = STOR_SAM_GOOD;
	out->srb.sense_info_length = 0;
	out->srb.data_transfer_length = 0;
	memset(out->srb.sense_data, 0, sizeof(out->srb.sense_data));
}

/* An SRB the guest framed wrongly: completed with INVALID_REQUEST, counted. */
static int bad_srb(struct stor_vsp *v, struct stor_vsp_action *act, uint32_t status,
		    const char *why)
{
	v->stats.bad++;
	act->what = STOR_VSP_REPLY;
	act->why = why;
	stor_vsp_fail_srb(&act->req, STOR_SRB_INVALID_REQUEST, status, &act->reply);
	return 0;
}

static int parse_srb(struct stor_vsp *v, const struct hvtb_ring_pkt *pkt,
		      struct stor_vsp_action *act)
{
	const struct stor_srb *s = &act->req.srb;
	uint32_t n;
	int ret;

	if (v->state != STOR_VSP_READY)
		return bad_srb(v, act, STOR_NT_INVALID_DEVICE_STATE, "SRB before END_INITIALIZATION");
	if (s->length != sizeof(struct stor_srb) || !s->cdb_length || s->cdb_length > STOR_CDB_MAX ||
	    s->data_in > STOR_DIR_NONE)
		return bad_srb(v, act, STOR_NT_INVALID_PARAMETER, "malformed SRB");
	if (pkt->type == HVTB_PKT_DATA_INBAND) {
		if (s->data_transfer_length)
			return bad_srb(v, act, STOR_NT_INVALID_PARAMETER,
				       "data transfer length without a page list");
	} else {
		ret = hvtb_ring_gpa_ranges(pkt, &act->gpa, 1, &n);
		if (ret)
			return bad_srb(v, act, STOR_NT_INVALID_PARAMETER,
				       ret == -EMSGSIZE ? "more than one page range" :
				       "malformed page list");
		if (act->gpa.byte_count != s->data_transfer_length ||
		    act->gpa.byte_count > STOR_MAX_TRANSFER || act->gpa.pfn_count > STOR_MAX_PFNS)
			return bad_srb(v, act, STOR_NT_INVALID_PARAMETER,
				       "page list disagrees with the transfer length or is too long");
		act->has_data = true;
	}
	v->stats.srbs++;
	act->what = STOR_VSP_SRB;
	return 0;
}

static int parse(struct stor_vsp *v, const struct hvtb_ring_pkt *pkt, struct stor_vsp_action *act)
{
	const struct stor_pkt *p = (const struct stor_pkt *)pkt->data;

	memset(act, 0, sizeof(*act));
	act->trans_id = pkt->trans_id;
	v->stats.packets++;
	if (pkt->type != HVTB_PKT_DATA_INBAND && pkt->type != HVTB_PKT_DATA_USING_GPA_DIRECT) {
		if (!(pkt->flags & HVTB_PKT_FLAG_COMPLETION_REQUESTED)) {
			v->stats.dropped++;
			act->what = STOR_VSP_DROP;
			act->why = "unexpected packet type";
			return 0;
		}
		return bad(v, act, STOR_NT_INVALID_PARAMETER, "unexpected packet type");
	}
	if (pkt->data_len < sizeof(struct stor_pkt))
		return bad(v, act, STOR_NT_INVALID_PARAMETER, "short vstor packet");
	memcpy(&act->req, p, sizeof(act->req));

	switch (act->req.operation) {
	case STOR_OP_BEGIN_INITIALIZATION:
		v->state = STOR_VSP_BEGUN;
		v->version = 0;
		return reply(act, STOR_NT_SUCCESS, NULL);
	case STOR_OP_QUERY_PROTOCOL_VERSION:
		if (v->state != STOR_VSP_BEGUN)
			return bad(v, act, STOR_NT_INVALID_DEVICE_STATE, "version query out of order");
		act->reply.version = act->req.version;
		switch (act->req.version.major_minor) {
		case STOR_VERSION_WIN10:
		case STOR_VERSION_WIN8_1:
		case STOR_VERSION_WIN8:
			v->version = act->req.version.major_minor;
			return reply(act, STOR_NT_SUCCESS, NULL);
		default:
			/* Not an error of the guest: it tries the next version. */
			return reply(act, STOR_NT_REVISION_MISMATCH, "version not served");
		}
	case STOR_OP_QUERY_PROPERTIES:
		if (v->state != STOR_VSP_BEGUN)
			return bad(v, act, STOR_NT_INVALID_DEVICE_STATE, "properties out of order");
		act->reply.props.max_channel_cnt = 0;	/* no sub-channels */
		act->reply.props.flags = 0;
		act->reply.props.max_transfer_bytes = STOR_MAX_TRANSFER;
		return reply(act, STOR_NT_SUCCESS, NULL);
	case STOR_OP_END_INITIALIZATION:
		if (v->state != STOR_VSP_BEGUN || !v->version)
			return bad(v, act, STOR_NT_INVALID_DEVICE_STATE,
				   "END_INITIALIZATION before a version");
		v->state = STOR_VSP_READY;
		return reply(act, STOR_NT_SUCCESS, NULL);
	case STOR_OP_EXECUTE_SRB:
		return parse_srb(v, pkt, act);
	case STOR_OP_RESET_LUN:
	case STOR_OP_RESET_ADAPTER:
	case STOR_OP_RESET_BUS:
		/* Nothing to abort: every request completes on its own. */
		return reply(act, STOR_NT_SUCCESS, NULL);
	case STOR_OP_CREATE_SUB_CHANNELS:
	case STOR_OP_FCHBA_DATA:
		return bad(v, act, STOR_NT_NOT_SUPPORTED, "operation not supported");
	default:
		return bad(v, act, STOR_NT_INVALID_PARAMETER, "unknown operation");
	}
}

void stor_vsp_parse(struct stor_vsp *v, const struct hvtb_ring_pkt *pkt,
		    struct stor_vsp_action *act)
{
	(void)parse(v, pkt, act);
}

void stor_vsp_complete_srb(const struct stor_pkt *req, const struct stor_scsi_res *res,
			   struct stor_pkt *out)
{
	switch (res->kind) {
	case STOR_SCSI_CHECK:
		stor_vsp_fail_srb(req, STOR_SRB_ERROR | STOR_SRB_AUTOSENSE_VALID, STOR_NT_SUCCESS, out);
		out->srb.scsi_status = STOR_SAM_CHECK_CONDITION;
		out->srb.sense_info_length = STOR_SENSE_LEN;
		memcpy(out->srb.sense_data, res->sense, STOR_SENSE_LEN);
		return;
	case STOR_SCSI_NO_LUN:
		stor_vsp_fail_srb(req, STOR_SRB_INVALID_LUN, STOR_NT_SUCCESS, out);
		return;
	default:
		stor_vsp_fail_srb(req, STOR_SRB_SUCCESS, STOR_NT_SUCCESS, out);
		out->srb.data_transfer_length = res->len;
		return;
	}
}

const char *stor_vsp_state_name(enum stor_vsp_state s)
{
	switch (s) {
	case STOR_VSP_WAIT_BEGIN: return "waiting for BEGIN_INITIALIZATION";
	case STOR_VSP_BEGUN: return "initializing";
	case STOR_VSP_READY: return "ready";
	}
	return "?";
}
