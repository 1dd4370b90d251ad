// SPDX-License-Identifier: GPL-2.0
/*
 * stor_test - storvsp's pure logic (userspace/storvsp/) on the build host:
 * the vstor initialization as Linux 6.1's hv_storvsc runs it, the SCSI
 * commands its midlayer and sd send (with the exact data and sense each
 * must give), and hostile packets (short, out of order, page lists that
 * disagree with the transfer length or name several ranges, wrong packet
 * types), each answered with an error completion and counted.
 */
#include <stdint.h>
#include <string.h>

#include "kselftest_harness.h"

#include "../../userspace/storvsp/stor_vsp.h"

/* A packet as hvtb_ring_peek() returns it: descriptor, [page list], vstor packet. */
struct pkt_buf {
	uint8_t raw[1024];
	struct hvtb_ring_pkt pkt;
};

static void mk_pkt(struct pkt_buf *b, uint16_t type, uint64_t tid, const void *body, uint32_t len,
		   uint32_t bc, uint32_t bo, const uint64_t *pfns, uint32_t npfn, uint32_t nranges)
{
	uint32_t off = 16;

	memset(b, 0, sizeof(*b));
	if (type == HVTB_PKT_DATA_USING_GPA_DIRECT) {
		memcpy(b->raw + 20, &nranges, 4);
		memcpy(b->raw + 24, &bc, 4);
		memcpy(b->raw + 28, &bo, 4);
		memcpy(b->raw + 32, pfns, 8 * npfn);
		off = 32 + 8 * npfn;
	}
	memcpy(b->raw + off, body, len);
	b->pkt.type = type;
	b->pkt.flags = HVTB_PKT_FLAG_COMPLETION_REQUESTED;
	b->pkt.trans_id = tid;
	b->pkt.offset = off;
	b->pkt.len = off + len;
	b->pkt.raw = b->raw;
	b->pkt.data = b->raw + off;
	b->pkt.data_len = len;
}

static void op_pkt(struct stor_vsp *v, uint32_t op, uint16_t version, struct stor_vsp_action *act)
{
	struct stor_pkt p = { .operation = op, .flags = 1 };
	struct pkt_buf b;

	p.version.major_minor = version;
	mk_pkt(&b, HVTB_PKT_DATA_INBAND, 0xfffffffffffffffdull, &p, sizeof(p), 0, 0, NULL, 0, 0);
	stor_vsp_parse(v, &b.pkt, act);
}

/* hv_storvsc's storvsc_channel_init(): the version it gets, the state it leaves. */
static void linux_init(struct __test_metadata *_metadata, struct stor_vsp *v)
{
	struct stor_vsp_action a;

	stor_vsp_init(v);
	op_pkt(v, STOR_OP_BEGIN_INITIALIZATION, 0, &a);
	ASSERT_EQ(STOR_VSP_REPLY, a.what);
	ASSERT_EQ(STOR_OP_COMPLETE_IO, a.reply.operation);
	ASSERT_EQ(0, a.reply.status);
	ASSERT_EQ(0xfffffffffffffffdull, a.trans_id);
	op_pkt(v, STOR_OP_QUERY_PROTOCOL_VERSION, STOR_VERSION_WIN10, &a);
	ASSERT_EQ(0, a.reply.status);
	ASSERT_EQ(STOR_VERSION_WIN10, a.reply.version.major_minor);
	op_pkt(v, STOR_OP_QUERY_PROPERTIES, 0, &a);
	ASSERT_EQ(0, a.reply.status);
	ASSERT_EQ(0, a.reply.props.max_channel_cnt);
	ASSERT_EQ(0, a.reply.props.flags);
	ASSERT_EQ(STOR_MAX_TRANSFER, a.reply.props.max_transfer_bytes);
	op_pkt(v, STOR_OP_END_INITIALIZATION, 0, &a);
	ASSERT_EQ(0, a.reply.status);
	ASSERT_EQ(STOR_VSP_READY, v->state);
	ASSERT_EQ(0, v->stats.bad);
}

static struct stor_target two_disks(void)
{
	struct stor_target t = { 0 };

	t.luns[0] = (struct stor_lun){ .present = true, .blocks = 65536, .serial = "hvtb-lun0" };
	t.luns[1] = (struct stor_lun){ .present = true, .ro = true, .blocks = 100, .serial = "hvtb-lun1" };
	return t;
}

static void exec(const struct stor_target *t, uint8_t lun, const uint8_t *cdb, uint8_t len,
		 enum stor_dir dir, uint32_t xfer, struct stor_scsi_res *r)
{
	stor_scsi_exec(t, 0, 0, lun, cdb, len, dir, xfer, r);
}

#define ASSERT_SENSE(r, key, asc) do {						\
	ASSERT_EQ(STOR_SCSI_CHECK, (r)->kind);					\
	ASSERT_EQ(0x70, (r)->sense[0]);						\
	ASSERT_EQ((key), (r)->sense[2]);					\
	ASSERT_EQ((asc) >> 8, (r)->sense[12]);					\
	ASSERT_EQ((asc) & 0xff, (r)->sense[13]);				\
} while (0)

TEST(init_as_linux)
{
	struct stor_vsp v;

	linux_init(_metadata, &v);
}

TEST(init_older_versions_and_refusals)
{
	struct stor_vsp v;
	struct stor_vsp_action a;

	stor_vsp_init(&v);
	/* Out of order: an error completion each, counted. */
	op_pkt(&v, STOR_OP_QUERY_PROTOCOL_VERSION, STOR_VERSION_WIN10, &a);
	ASSERT_EQ(STOR_NT_INVALID_DEVICE_STATE, a.reply.status);
	op_pkt(&v, STOR_OP_BEGIN_INITIALIZATION, 0, &a);
	op_pkt(&v, STOR_OP_END_INITIALIZATION, 0, &a);
	ASSERT_EQ(STOR_NT_INVALID_DEVICE_STATE, a.reply.status);
	ASSERT_EQ(2, v.stats.bad);
	/* 4.2 (Windows 7) is not served; 6.0 is. */
	op_pkt(&v, STOR_OP_QUERY_PROTOCOL_VERSION, 0x0402, &a);
	ASSERT_EQ(STOR_NT_REVISION_MISMATCH, a.reply.status);
	ASSERT_EQ(STOR_OP_COMPLETE_IO, a.reply.operation);
	op_pkt(&v, STOR_OP_QUERY_PROTOCOL_VERSION, STOR_VERSION_WIN8_1, &a);
	ASSERT_EQ(0, a.reply.status);
	ASSERT_EQ(STOR_VERSION_WIN8_1, v.version);
	op_pkt(&v, STOR_OP_CREATE_SUB_CHANNELS, 0, &a);
	ASSERT_EQ(STOR_NT_NOT_SUPPORTED, a.reply.status);
	op_pkt(&v, 99, 0, &a);
	ASSERT_EQ(STOR_NT_INVALID_PARAMETER, a.reply.status);
	op_pkt(&v, STOR_OP_END_INITIALIZATION, 0, &a);
	ASSERT_EQ(0, a.reply.status);
	ASSERT_EQ(STOR_VSP_READY, v.state);
}

static void srb_pkt(struct stor_pkt *p, uint8_t lun, const uint8_t *cdb, uint8_t cdb_len,
		    uint8_t dir, uint32_t xfer)
{
	memset(p, 0, sizeof(*p));
	p->operation = STOR_OP_EXECUTE_SRB;
	p->flags = 1;
	p->srb.length = sizeof(p->srb);
	p->srb.lun = lun;
	p->srb.cdb_length = cdb_len;
	p->srb.sense_info_length = 20;
	p->srb.data_in = dir;
	p->srb.data_transfer_length = xfer;
	memcpy(p->srb.cdb, cdb, cdb_len);
}

TEST(srb_framing)
{
	static const uint8_t read10[10] = { 0x28, 0, 0, 0, 0, 8, 0, 0, 8, 0 };
	static const uint8_t tur[6] = { 0 };
	uint64_t pfns[3] = { 0x100, 0x101, 0x102 };
	struct stor_vsp v;
	struct stor_vsp_action a;
	struct stor_pkt p;
	struct pkt_buf b;

	/* Before END_INITIALIZATION: INVALID_REQUEST. */
	stor_vsp_init(&v);
	srb_pkt(&p, 0, tur, 6, STOR_DIR_NONE, 0);
	mk_pkt(&b, HVTB_PKT_DATA_INBAND, 7, &p, sizeof(p), 0, 0, NULL, 0, 0);
	stor_vsp_parse(&v, &b.pkt, &a);
	ASSERT_EQ(STOR_VSP_REPLY, a.what);
	ASSERT_EQ(STOR_SRB_INVALID_REQUEST, a.reply.srb.srb_status);
	ASSERT_EQ(7, a.trans_id);

	linux_init(_metadata, &v);
	/* TEST UNIT READY inband: an SRB to run. */
	stor_vsp_parse(&v, &b.pkt, &a);
	ASSERT_EQ(STOR_VSP_SRB, a.what);
	ASSERT_FALSE(a.has_data);
	/* READ(10) of 8 blocks at offset 0x200 in the first page: three pages. */
	srb_pkt(&p, 0, read10, 10, STOR_DIR_READ, 4096);
	mk_pkt(&b, HVTB_PKT_DATA_USING_GPA_DIRECT, 8, &p, sizeof(p), 4096, 0x200, pfns, 2, 1);
	stor_vsp_parse(&v, &b.pkt, &a);
	ASSERT_EQ(STOR_VSP_SRB, a.what);
	ASSERT_TRUE(a.has_data);
	ASSERT_EQ(4096, a.gpa.byte_count);
	ASSERT_EQ(2, a.gpa.pfn_count);
	ASSERT_EQ(0x101, hvtb_ring_gpa_pfn(&a.gpa, 1));

	/* Hostile: the page list disagrees with the transfer length. */
	srb_pkt(&p, 0, read10, 10, STOR_DIR_READ, 8192);
	mk_pkt(&b, HVTB_PKT_DATA_USING_GPA_DIRECT, 9, &p, sizeof(p), 4096, 0, pfns, 1, 1);
	stor_vsp_parse(&v, &b.pkt, &a);
	ASSERT_EQ(STOR_VSP_REPLY, a.what);
	ASSERT_EQ(STOR_SRB_INVALID_REQUEST, a.reply.srb.srb_status);
	ASSERT_EQ(0, a.reply.srb.data_transfer_length);
	/* Two ranges. */
	srb_pkt(&p, 0, read10, 10, STOR_DIR_READ, 4096);
	mk_pkt(&b, HVTB_PKT_DATA_USING_GPA_DIRECT, 10, &p, sizeof(p), 4096, 0, pfns, 3, 2);
	stor_vsp_parse(&v, &b.pkt, &a);
	ASSERT_EQ(STOR_SRB_INVALID_REQUEST, a.reply.srb.srb_status);
	/* A transfer length without a page list. */
	srb_pkt(&p, 0, read10, 10, STOR_DIR_READ, 4096);
	mk_pkt(&b, HVTB_PKT_DATA_INBAND, 11, &p, sizeof(p), 0, 0, NULL, 0, 0);
	stor_vsp_parse(&v, &b.pkt, &a);
	ASSERT_EQ(STOR_SRB_INVALID_REQUEST, a.reply.srb.srb_status);
	/* Bad SRB length, CDB length 0 and 17. */
	srb_pkt(&p, 0, tur, 6, STOR_DIR_NONE, 0);
	p.srb.length = 36;
	mk_pkt(&b, HVTB_PKT_DATA_INBAND, 12, &p, sizeof(p), 0, 0, NULL, 0, 0);
	stor_vsp_parse(&v, &b.pkt, &a);
	ASSERT_EQ(STOR_SRB_INVALID_REQUEST, a.reply.srb.srb_status);
	p.srb.length = sizeof(p.srb);
	p.srb.cdb_length = 17;
	mk_pkt(&b, HVTB_PKT_DATA_INBAND, 13, &p, sizeof(p), 0, 0, NULL, 0, 0);
	stor_vsp_parse(&v, &b.pkt, &a);
	ASSERT_EQ(STOR_SRB_INVALID_REQUEST, a.reply.srb.srb_status);
	/* A short packet: a 64-byte error completion all the same. */
	mk_pkt(&b, HVTB_PKT_DATA_INBAND, 14, &p, 40, 0, 0, NULL, 0, 0);
	stor_vsp_parse(&v, &b.pkt, &a);
	ASSERT_EQ(STOR_VSP_REPLY, a.what);
	ASSERT_EQ(STOR_NT_INVALID_PARAMETER, a.reply.status);
	ASSERT_EQ(14, a.trans_id);
	/* A completion packet from the guest: dropped, counted. */
	mk_pkt(&b, HVTB_PKT_COMP, 15, &p, sizeof(p), 0, 0, NULL, 0, 0);
	b.pkt.flags = 0;
	stor_vsp_parse(&v, &b.pkt, &a);
	ASSERT_EQ(STOR_VSP_DROP, a.what);
	ASSERT_EQ(1, v.stats.dropped);
	ASSERT_EQ(6, v.stats.bad);
	ASSERT_EQ(2, v.stats.srbs);
}

TEST(inquiry_and_report_luns)
{
	static const uint8_t inq[6] = { 0x12, 0, 0, 0, 36, 0 };
	static const uint8_t vpd0[6] = { 0x12, 1, 0x00, 0, 255, 0 };
	static const uint8_t vpd80[6] = { 0x12, 1, 0x80, 0, 255, 0 };
	static const uint8_t vpdb0[6] = { 0x12, 1, 0xb0, 0, 255, 0 };
	static const uint8_t vpd89[6] = { 0x12, 1, 0x89, 0, 255, 0 };
	static const uint8_t luns[12] = { 0xa0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0 };
	struct stor_target t = two_disks();
	struct stor_scsi_res r;

	exec(&t, 0, inq, 6, STOR_DIR_READ, 36, &r);
	ASSERT_EQ(STOR_SCSI_DONE, r.kind);
	ASSERT_EQ(36, r.len);
	ASSERT_EQ(0, r.data[0]);
	ASSERT_EQ(5, r.data[2]);		/* SPC-3: sd uses READ CAPACITY(16) */
	ASSERT_EQ(0, memcmp(r.data + 8, "hvtb    ", 8));
	/* No LUN 5; nothing at target 1 or path 3: PQ 3, type 0x1f. */
	exec(&t, 5, inq, 6, STOR_DIR_READ, 36, &r);
	ASSERT_EQ(STOR_SCSI_DONE, r.kind);
	ASSERT_EQ(0x7f, r.data[0]);
	stor_scsi_exec(&t, 0, 1, 0, inq, 6, STOR_DIR_READ, 36, &r);
	ASSERT_EQ(0x7f, r.data[0]);
	stor_scsi_exec(&t, 3, 0, 0, inq, 6, STOR_DIR_READ, 36, &r);
	ASSERT_EQ(0x7f, r.data[0]);
	/* The allocation length and the buffer cut the data. */
	exec(&t, 0, inq, 6, STOR_DIR_READ, 5, &r);
	ASSERT_EQ(5, r.len);
	/* VPD: the supported pages, the serial, block limits; others refused. */
	exec(&t, 0, vpd0, 6, STOR_DIR_READ, 255, &r);
	ASSERT_EQ(STOR_SCSI_DONE, r.kind);
	ASSERT_EQ(5, r.data[3]);
	ASSERT_EQ(0xb0, r.data[7]);
	exec(&t, 1, vpd80, 6, STOR_DIR_READ, 255, &r);
	ASSERT_EQ(9, r.data[3]);
	ASSERT_EQ(0, memcmp(r.data + 4, "hvtb-lun1", 9));
	exec(&t, 0, vpdb0, 6, STOR_DIR_READ, 255, &r);
	ASSERT_EQ(64, r.len);
	ASSERT_EQ(STOR_MAX_TRANSFER / 512, (uint32_t)r.data[8] << 24 | r.data[9] << 16 |
					   r.data[10] << 8 | r.data[11]);
	exec(&t, 0, vpd89, 6, STOR_DIR_READ, 255, &r);
	ASSERT_SENSE(&r, STOR_KEY_ILLEGAL_REQUEST, STOR_ASC_INVALID_FIELD_IN_CDB);
	/* REPORT LUNS: LUNs 0 and 1 at target 0, none elsewhere. */
	exec(&t, 0, luns, 12, STOR_DIR_READ, 256, &r);
	ASSERT_EQ(STOR_SCSI_DONE, r.kind);
	ASSERT_EQ(24, r.len);
	ASSERT_EQ(16, r.data[3]);
	ASSERT_EQ(0, r.data[9]);
	ASSERT_EQ(1, r.data[17]);
	stor_scsi_exec(&t, 0, 1, 0, luns, 12, STOR_DIR_READ, 256, &r);
	ASSERT_EQ(8, r.len);
	ASSERT_EQ(0, r.data[3]);
	/* Anything but INQUIRY/REPORT LUNS to an absent LUN: INVALID_LUN. */
	exec(&t, 4, (const uint8_t[6]){ 0 }, 6, STOR_DIR_NONE, 0, &r);
	ASSERT_EQ(STOR_SCSI_NO_LUN, r.kind);
}

TEST(capacity_and_mode_sense)
{
	static const uint8_t rc10[10] = { 0x25 };
	static const uint8_t rc16[16] = { 0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0 };
	static const uint8_t ms6[6] = { 0x1a, 0, 0x3f, 0, 255, 0 };
	static const uint8_t ms10_cache[10] = { 0x5a, 0x08, 0x08, 0, 0, 0, 0, 0, 255, 0 };
	static const uint8_t ms6_saved[6] = { 0x1a, 0, 0xff, 0, 255, 0 };
	static const uint8_t ms6_bad[6] = { 0x1a, 0, 0x1c, 0, 255, 0 };
	struct stor_target t = two_disks();
	struct stor_scsi_res r;

	exec(&t, 0, rc10, 10, STOR_DIR_READ, 8, &r);
	ASSERT_EQ(8, r.len);
	ASSERT_EQ(0, r.data[0]);
	ASSERT_EQ(0, r.data[1]);
	ASSERT_EQ(0xff, r.data[2]);	/* last LBA 65535 */
	ASSERT_EQ(0xff, r.data[3]);
	ASSERT_EQ(2, r.data[6]);	/* 512 */
	exec(&t, 1, rc16, 16, STOR_DIR_READ, 32, &r);
	ASSERT_EQ(32, r.len);
	ASSERT_EQ(99, r.data[7]);
	ASSERT_EQ(2, r.data[10]);
	/* MODE SENSE(6), all pages: block descriptor, caching (WCE), control. */
	exec(&t, 0, ms6, 6, STOR_DIR_READ, 255, &r);
	ASSERT_EQ(STOR_SCSI_DONE, r.kind);
	ASSERT_EQ(4 + 8 + 20 + 12, r.len);
	ASSERT_EQ(r.len - 1, r.data[0]);
	ASSERT_EQ(0, r.data[2]);	/* not write-protected */
	ASSERT_EQ(8, r.data[3]);
	ASSERT_EQ(0x08, r.data[12]);
	ASSERT_EQ(0x04, r.data[14]);	/* WCE */
	ASSERT_EQ(0x0a, r.data[32]);
	exec(&t, 1, ms6, 6, STOR_DIR_READ, 255, &r);
	ASSERT_EQ(0x80, r.data[2]);	/* the read-only disk: WP */
	exec(&t, 1, ms10_cache, 10, STOR_DIR_READ, 255, &r);
	ASSERT_EQ(8 + 20, r.len);
	ASSERT_EQ(0x80, r.data[3]);
	ASSERT_EQ(0, r.data[7]);	/* DBD: no block descriptor */
	ASSERT_EQ(0x08, r.data[8]);
	exec(&t, 0, ms6_saved, 6, STOR_DIR_READ, 255, &r);
	ASSERT_SENSE(&r, STOR_KEY_ILLEGAL_REQUEST, STOR_ASC_SAVING_NOT_SUPPORTED);
	exec(&t, 0, ms6_bad, 6, STOR_DIR_READ, 255, &r);
	ASSERT_SENSE(&r, STOR_KEY_ILLEGAL_REQUEST, STOR_ASC_INVALID_FIELD_IN_CDB);
}

TEST(read_write_flush)
{
	static const uint8_t r10[10] = { 0x28, 0, 0, 0, 0x10, 0, 0, 0, 8, 0 };
	static const uint8_t w16_fua[16] = { 0x8a, 0x08, 0, 0, 0, 0, 0, 0, 0xff, 0xf8, 0, 0, 0, 8, 0, 0 };
	static const uint8_t w10_end[10] = { 0x2a, 0, 0, 0, 0xff, 0xf9, 0, 0, 8, 0 };
	static const uint8_t w10_ro[10] = { 0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0 };
	static const uint8_t r6_256[6] = { 0x08, 0, 0, 0, 0, 0 };
	static const uint8_t sync10[10] = { 0x35 };
	static const uint8_t ws16[16] = { 0x93 };
	struct stor_target t = two_disks();
	struct stor_scsi_res r;

	exec(&t, 0, r10, 10, STOR_DIR_READ, 4096, &r);
	ASSERT_EQ(STOR_SCSI_READ, r.kind);
	ASSERT_EQ(0x1000, r.lba);
	ASSERT_EQ(8, r.nblocks);
	/* The last 8 blocks, FUA. */
	exec(&t, 0, w16_fua, 16, STOR_DIR_WRITE, 4096, &r);
	ASSERT_EQ(STOR_SCSI_WRITE, r.kind);
	ASSERT_EQ(65528, r.lba);
	ASSERT_TRUE(r.fua);
	/* One block past the end. */
	exec(&t, 0, w10_end, 10, STOR_DIR_WRITE, 4096, &r);
	ASSERT_SENSE(&r, STOR_KEY_ILLEGAL_REQUEST, STOR_ASC_LBA_OUT_OF_RANGE);
	/* The read-only disk. */
	exec(&t, 1, w10_ro, 10, STOR_DIR_WRITE, 512, &r);
	ASSERT_SENSE(&r, STOR_KEY_DATA_PROTECT, STOR_ASC_WRITE_PROTECTED);
	/* A buffer that is not the blocks; the wrong direction. */
	exec(&t, 0, r10, 10, STOR_DIR_READ, 2048, &r);
	ASSERT_SENSE(&r, STOR_KEY_ILLEGAL_REQUEST, STOR_ASC_INVALID_FIELD_IN_CDB);
	exec(&t, 0, r10, 10, STOR_DIR_WRITE, 4096, &r);
	ASSERT_SENSE(&r, STOR_KEY_ILLEGAL_REQUEST, STOR_ASC_INVALID_FIELD_IN_CDB);
	/* READ(6) of length 0 is 256 blocks. */
	exec(&t, 0, r6_256, 6, STOR_DIR_READ, 256 * 512, &r);
	ASSERT_EQ(STOR_SCSI_READ, r.kind);
	ASSERT_EQ(256, r.nblocks);
	exec(&t, 0, sync10, 10, STOR_DIR_NONE, 0, &r);
	ASSERT_EQ(STOR_SCSI_FLUSH, r.kind);
	/* Unsupported (WRITE SAME(16)): ILLEGAL REQUEST, not silence. */
	exec(&t, 0, ws16, 16, STOR_DIR_NONE, 0, &r);
	ASSERT_SENSE(&r, STOR_KEY_ILLEGAL_REQUEST, STOR_ASC_INVALID_OPCODE);
	/* A CDB shorter than its opcode's group. */
	exec(&t, 0, r10, 6, STOR_DIR_READ, 4096, &r);
	ASSERT_SENSE(&r, STOR_KEY_ILLEGAL_REQUEST, STOR_ASC_INVALID_FIELD_IN_CDB);
}

TEST(completions)
{
	static const uint8_t w10_ro[10] = { 0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0 };
	struct stor_target t = two_disks();
	struct stor_scsi_res r;
	struct stor_pkt req, out;

	srb_pkt(&req, 1, w10_ro, 10, STOR_DIR_WRITE, 512);
	exec(&t, 1, w10_ro, 10, STOR_DIR_WRITE, 512, &r);
	stor_vsp_complete_srb(&req, &r, &out);
	ASSERT_EQ(STOR_OP_COMPLETE_IO, out.operation);
	ASSERT_EQ(STOR_SAM_CHECK_CONDITION, out.srb.scsi_status);
	ASSERT_EQ(STOR_SRB_ERROR | STOR_SRB_AUTOSENSE_VALID, out.srb.srb_status);
	ASSERT_EQ(STOR_SENSE_LEN, out.srb.sense_info_length);
	ASSERT_EQ(STOR_KEY_DATA_PROTECT, out.srb.sense_data[2]);
	ASSERT_EQ(0, out.srb.data_transfer_length);
	ASSERT_EQ(1, out.srb.lun);
	r.kind = STOR_SCSI_DONE;
	r.len = 512;
	stor_vsp_complete_srb(&req, &r, &out);
	ASSERT_EQ(STOR_SRB_SUCCESS, out.srb.srb_status);
	ASSERT_EQ(0, out.srb.scsi_status);
	ASSERT_EQ(512, out.srb.data_transfer_length);
	r.kind = STOR_SCSI_NO_LUN;
	stor_vsp_complete_srb(&req, &r, &out);
	ASSERT_EQ(STOR_SRB_INVALID_LUN, out.srb.srb_status);
}

TEST_HARNESS_MAIN
