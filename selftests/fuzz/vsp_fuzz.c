// SPDX-License-Identifier: GPL-2.0
/*
 * vsp_fuzz - libFuzzer target (Debian's clang) for the VSPs' pure logic:
 * storvsp's vstor protocol and SCSI target (userspace/storvsp/) and
 * netvsp's NVSP and RNDIS (userspace/netvsp/). The input is a hostile
 * guest: a stream of packets (type, flags, length, bytes; a GPA-direct
 * packet's page list from the input too) to both protocols, each state
 * machine driven on from wherever the previous packets left it, and raw
 * RNDIS messages and frames.
 *
 * Checked after every packet: the action is one the header documents; an
 * answer is a well-formed completion; an SRB handed out has a CDB of 1..16
 * bytes and, with data, one range as long as its transfer length, at most
 * STOR_MAX_TRANSFER; the SCSI target's data fits its buffer, its cut never
 * exceeds the transfer length, and a READ/WRITE range lies inside the
 * LUN; NVSP answers are 40 bytes or empty; an RNDIS answer fits
 * NET_RNDIS_MAX_ANSWER and its msg_len is its length; a frame found lies
 * inside the message. Packets are heap blocks of the exact size, so ASan
 * catches any access outside them.
 *
 *   make -C selftests fuzz && build/user/selftests/vsp_fuzz -max_total_time=60
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../userspace/netvsp/net_nvsp.h"
#include "../../userspace/netvsp/net_rndis.h"
#include "../../userspace/storvsp/stor_vsp.h"
#include "fuzz_input.h"

#define MAX_PKTS	64

static const uint16_t types[] = {
	HVTB_PKT_DATA_INBAND, HVTB_PKT_DATA_USING_GPA_DIRECT, HVTB_PKT_COMP,
	HVTB_PKT_DATA_USING_XFER_PAGES,
};

/* A packet from the input, copied into a heap block of its exact size. */
static uint8_t *mk_pkt(struct input *in, struct hvtb_ring_pkt *pkt)
{
	uint32_t hdr = 16, body = take(in, 1), len, i;
	uint8_t *raw;

	pkt->type = types[take(in, 1) % 4];
	pkt->flags = take(in, 1) & 1;
	pkt->trans_id = take(in, 4);
	if (pkt->type == HVTB_PKT_DATA_USING_GPA_DIRECT)
		hdr = 24 + 8 * (take(in, 1) % 8);	/* room for a page list */
	len = hdr + body;
	raw = malloc(len ? len : 1);
	check(raw != NULL);
	for (i = 0; i < len; i++)
		raw[i] = take(in, 1);
	pkt->raw = raw;
	pkt->offset = hdr;
	pkt->len = len;
	pkt->data = raw + hdr;
	pkt->data_len = body;
	return raw;
}

static void stor_step(struct stor_vsp *v, const struct stor_target *t, struct input *in)
{
	struct stor_vsp_action a;
	struct stor_scsi_res r;
	struct stor_pkt out;
	struct hvtb_ring_pkt pkt;
	uint8_t *raw = mk_pkt(in, &pkt);
	const struct stor_srb *s;

	stor_vsp_parse(v, &pkt, &a);
	check(a.what == STOR_VSP_REPLY || a.what == STOR_VSP_SRB || a.what == STOR_VSP_DROP);
	if (a.what == STOR_VSP_REPLY)
		check(a.reply.operation == STOR_OP_COMPLETE_IO);
	if (a.what == STOR_VSP_SRB) {
		s = &a.req.srb;
		check(s->cdb_length >= 1 && s->cdb_length <= STOR_CDB_MAX);
		if (a.has_data) {
			check(a.gpa.byte_count == s->data_transfer_length);
			check(a.gpa.byte_count <= STOR_MAX_TRANSFER && a.gpa.pfn_count <= STOR_MAX_PFNS);
			check(a.gpa.pfns >= pkt.raw && a.gpa.pfns + 8 * a.gpa.pfn_count <=
			      pkt.raw + pkt.offset);
		} else {
			check(!s->data_transfer_length);
		}
		stor_scsi_exec(t, s->path_id, s->target_id, s->lun, s->cdb, s->cdb_length,
			       s->data_in, s->data_transfer_length, &r);
		switch (r.kind) {
		case STOR_SCSI_DONE:
			check(r.len <= STOR_SCSI_DATA_MAX && r.len <= s->data_transfer_length);
			break;
		case STOR_SCSI_READ:
		case STOR_SCSI_WRITE:
			check(s->lun < STOR_MAX_LUNS && t->luns[s->lun].present);
			check(r.nblocks && r.lba + r.nblocks <= t->luns[s->lun].blocks);
			check((uint64_t)r.nblocks * STOR_BLOCK == s->data_transfer_length);
			check(r.kind == STOR_SCSI_READ || !t->luns[s->lun].ro);
			r.kind = STOR_SCSI_DONE;
			r.len = s->data_transfer_length;
			break;
		case STOR_SCSI_CHECK:
			check(r.sense[0] == 0x70 && r.sense[7] == STOR_SENSE_LEN - 8);
			break;
		case STOR_SCSI_FLUSH:
		case STOR_SCSI_NO_LUN:
			break;
		}
		stor_vsp_complete_srb(&a.req, &r, &out);
		check(out.operation == STOR_OP_COMPLETE_IO);
		check(out.srb.sense_info_length <= STOR_SENSE_MAX);
	}
	free(raw);
}

static void net_step(struct net_nvsp *v, struct net_rndis *d, struct input *in)
{
	uint8_t answer[NET_RNDIS_MAX_ANSWER];
	struct net_nvsp_action a;
	struct hvtb_ring_pkt pkt;
	uint8_t *raw = mk_pkt(in, &pkt), *msg;
	uint32_t off, flen, mlen;
	int ret;

	net_nvsp_parse(v, &pkt, &a);
	check(a.what <= NET_NVSP_BAD);
	if (a.what == NET_NVSP_REPLY)
		check(a.reply_len == NET_NVSP_MSG_SIZE || a.reply_len == 0);
	if (a.what == NET_NVSP_MAP_RECV)
		net_nvsp_recv_mapped(v, take(in, 4) & 0xffffff, &a);
	if (a.what == NET_NVSP_MAP_SEND)
		net_nvsp_send_mapped(v, take(in, 4) & 0xffffff, &a);
	if (a.what == NET_NVSP_RNDIS && a.section != NET_NVSP_NO_SECTION)
		check(a.section < v->nsections && a.section_size <= NET_NVSP_SEND_SECTION);
	free(raw);

	/* An RNDIS message of its own, in a block of its exact size. */
	mlen = take(in, 1) + (take(in, 1) & 1) * 256;
	msg = malloc(mlen ? mlen : 1);
	check(msg != NULL);
	for (off = 0; off < mlen; off++)
		msg[off] = take(in, 1);
	ret = net_rndis_control(d, msg, mlen, answer);
	check(ret == -EBADMSG || ret == -EINVAL || (ret >= 0 && ret <= (int)NET_RNDIS_MAX_ANSWER));
	if (ret > 0) {
		uint32_t alen;

		memcpy(&alen, answer + 4, 4);
		check(alen == (uint32_t)ret);
	}
	if (!net_rndis_frame(msg, mlen, &off, &flen))
		check(off + flen <= mlen && flen >= 14 && flen <= NET_ETH_MAX_FRAME);
	free(msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mac[6] = { 0x00, 0x15, 0x5d, 1, 2, 3 };
	struct input in = { data, size };
	struct stor_target t = { 0 };
	struct stor_vsp sv;
	struct net_nvsp nv;
	struct net_rndis d;
	unsigned int i;

	t.luns[0] = (struct stor_lun){ .present = true, .blocks = 1 + take(&in, 2) };
	t.luns[1] = (struct stor_lun){ .present = true, .ro = true, .blocks = 8 };
	stor_vsp_init(&sv);
	if (take(&in, 1) & 1) {		/* start READY, as after Linux's initialization */
		sv.state = STOR_VSP_READY;
		sv.version = STOR_VERSION_WIN10;
	}
	net_nvsp_init(&nv);
	net_rndis_init(&d, mac);
	for (i = 0; i < MAX_PKTS && in.left; i++) {
		if (take(&in, 1) & 1)
			stor_step(&sv, &t, &in);
		else
			net_step(&nv, &d, &in);
	}
	return 0;
}
