// SPDX-License-Identifier: GPL-2.0
/*
 * storvsp's SCSI target (stor_scsi.h): SPC-3 / SBC-3 as much as Linux's
 * sd needs of a disk, written from the standards' field layouts.
 */
#include <stddef.h>
#include <string.h>

#include "stor_scsi.h"

/* Opcodes. */
#define OP_TEST_UNIT_READY	0x00
#define OP_REQUEST_SENSE	0x03
#define OP_READ_6		0x08
#define OP_WRITE_6		0x0a
#define OP_INQUIRY		0x12
#define OP_MODE_SELECT_6	0x15
#define OP_MODE_SENSE_6		0x1a
#define OP_START_STOP_UNIT	0x1b
#define OP_SEND_DIAGNOSTIC	0x1d
#define OP_PREVENT_ALLOW	0x1e
#define OP_READ_CAPACITY_10	0x25
#define OP_READ_10		0x28
#define OP_WRITE_10		0x2a
#define OP_VERIFY_10		0x2f
#define OP_SYNC_CACHE_10	0x35
#define OP_MODE_SENSE_10	0x5a
#define OP_READ_16		0x88
#define OP_WRITE_16		0x8a
#define OP_VERIFY_16		0x8f
#define OP_SYNC_CACHE_16	0x91
#define OP_SERVICE_ACTION_IN_16	0x9e
#define  SAI_READ_CAPACITY_16	0x10
#define OP_REPORT_LUNS		0xa0
#define OP_READ_12		0xa8
#define OP_WRITE_12		0xaa
#define OP_VERIFY_12		0xaf

/* INQUIRY: peripheral device type 0 (disk); PQ 3 type 0x1f: no device at this LUN. */
#define INQ_DISK		0x00
#define INQ_NO_LUN		0x7f
#define INQ_VERSION_SPC3	0x05

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, v >> 32);
	put32(p + 4, (uint32_t)v);
}

void stor_scsi_check(struct stor_scsi_res *res, uint8_t key, uint16_t asc_ascq)
{
	res->kind = STOR_SCSI_CHECK;
	res->len = 0;
	memset(res->sense, 0, sizeof(res->sense));
	res->sense[0] = 0x70;			/* current error, fixed format */
	res->sense[2] = key & 0xf;
	res->sense[7] = STOR_SENSE_LEN - 8;	/* additional sense length */
	res->sense[12] = asc_ascq >> 8;
	res->sense[13] = asc_ascq & 0xff;
}

static void invalid_field(struct stor_scsi_res *res)
{
	stor_scsi_check(res, STOR_KEY_ILLEGAL_REQUEST, STOR_ASC_INVALID_FIELD_IN_CDB);
}

/* Data built in res->data: GOOD with min(built, allocation, buffer) bytes. */
static void done_data(struct stor_scsi_res *res, uint32_t built, uint32_t alloc, uint32_t xfer_len)
{
	uint32_t n = built;

	if (n > alloc)
		n = alloc;
	if (n > xfer_len)
		n = xfer_len;
	res->kind = STOR_SCSI_DONE;
	res->len = n;
}

static void done(struct stor_scsi_res *res)
{
	res->kind = STOR_SCSI_DONE;
	res->len = 0;
}

/* Standard INQUIRY data (36 bytes); @pdt INQ_DISK or INQ_NO_LUN. */
static uint32_t inquiry_std(uint8_t *d, uint8_t pdt)
{
	d[0] = pdt;
	d[2] = INQ_VERSION_SPC3;
	d[3] = 0x02;			/* response data format 2 */
	d[4] = 36 - 5;			/* additional length */
	d[7] = 0x02;			/* CMDQUE: tagged commands */
	memcpy(d + 8, "hvtb    ", 8);
	memcpy(d + 16, "storvsp disk    ", 16);
	memcpy(d + 32, "0001", 4);
	return 36;
}

static const uint8_t vpd_pages[] = { 0x00, 0x80, 0x83, 0xb0, 0xb1 };

static uint32_t inquiry_vpd(const struct stor_lun *l, uint8_t page, uint8_t *d, bool *ok)
{
	size_t n;

	*ok = true;
	d[0] = INQ_DISK;
	d[1] = page;
	switch (page) {
	case 0x00:		/* supported pages */
		memcpy(d + 4, vpd_pages, sizeof(vpd_pages));
		d[3] = sizeof(vpd_pages);
		return 4 + sizeof(vpd_pages);
	case 0x80:		/* unit serial number */
		n = strnlen(l->serial, sizeof(l->serial) - 1);
		memcpy(d + 4, l->serial, n);
		d[3] = n;
		return 4 + n;
	case 0x83:		/* device identification: one T10 vendor id designator */
		n = strnlen(l->serial, sizeof(l->serial) - 1);
		d[4] = 0x02;		/* code set ASCII */
		d[5] = 0x01;		/* association LUN, type T10 vendor id */
		d[7] = 8 + n;
		memcpy(d + 8, "hvtb    ", 8);
		memcpy(d + 16, l->serial, n);
		put16(d + 2, 4 + 8 + n);
		return 8 + 8 + n;
	case 0xb0:		/* block limits */
		put16(d + 2, 0x3c);
		put32(d + 8, STOR_MAX_TRANSFER / STOR_BLOCK);	/* maximum transfer length */
		put32(d + 12, 8);				/* optimal: 4 KiB */
		return 4 + 0x3c;
	case 0xb1:		/* block device characteristics */
		put16(d + 2, 0x3c);
		put16(d + 4, 1);	/* non-rotating medium */
		return 4 + 0x3c;
	default:
		*ok = false;
		return 0;
	}
}

static void do_inquiry(const struct stor_lun *l, const uint8_t *cdb, uint32_t xfer_len,
		       struct stor_scsi_res *res)
{
	uint32_t alloc = be16(cdb + 3), n;
	bool ok;

	memset(res->data, 0, sizeof(res->data));
	if (!(cdb[1] & 1)) {
		if (cdb[2]) {		/* a page code without EVPD */
			invalid_field(res);
			return;
		}
		done_data(res, inquiry_std(res->data, l ? INQ_DISK : INQ_NO_LUN), alloc, xfer_len);
		return;
	}
	if (!l) {
		res->data[0] = INQ_NO_LUN;
		res->data[1] = cdb[2];
		done_data(res, 4, alloc, xfer_len);
		return;
	}
	n = inquiry_vpd(l, cdb[2], res->data, &ok);
	if (!ok) {
		invalid_field(res);
		return;
	}
	done_data(res, n, alloc, xfer_len);
}

static void do_report_luns(const struct stor_target *t, bool here, const uint8_t *cdb,
			   uint32_t xfer_len, struct stor_scsi_res *res)
{
	uint32_t alloc = be32(cdb + 6), n = 0, i;

	if (alloc < 16) {	/* SPC-3: at least 16 */
		invalid_field(res);
		return;
	}
	memset(res->data, 0, sizeof(res->data));
	for (i = 0; here && i < STOR_MAX_LUNS; i++) {
		if (!t->luns[i].present)
			continue;
		/* Peripheral device addressing: LUN in byte 1 of the entry. */
		res->data[8 + 8 * n + 1] = i;
		n++;
	}
	put32(res->data, 8 * n);
	done_data(res, 8 + 8 * n, alloc, xfer_len);
}

/* MODE SENSE(6/10): caching (WCE: writes are cached until a SYNCHRONIZE CACHE) and control. */
static void do_mode_sense(const struct stor_lun *l, const uint8_t *cdb, bool ten, uint32_t xfer_len,
			  struct stor_scsi_res *res)
{
	uint8_t pc = cdb[2] >> 6, page = cdb[2] & 0x3f, subpage = cdb[3];
	bool dbd = cdb[1] & 0x08;
	uint32_t hdr = ten ? 8 : 4, n = hdr, alloc = ten ? be16(cdb + 7) : cdb[4];
	uint8_t *d = res->data;

	if (pc == 3) {
		stor_scsi_check(res, STOR_KEY_ILLEGAL_REQUEST, STOR_ASC_SAVING_NOT_SUPPORTED);
		return;
	}
	if ((subpage && subpage != 0xff) || (page != 0x08 && page != 0x0a && page != 0x3f)) {
		invalid_field(res);
		return;
	}
	memset(d, 0, sizeof(res->data));
	if (!dbd) {		/* one short block descriptor */
		uint64_t blocks = l->blocks > 0xffffffffu ? 0xffffffffu : l->blocks;

		put32(d + n, (uint32_t)blocks);
		put32(d + n + 4, STOR_BLOCK);
		n += 8;
	}
	if (page == 0x08 || page == 0x3f) {
		d[n] = 0x08;
		d[n + 1] = 0x12;
		if (pc != 1)		/* changeable values: none */
			d[n + 2] = 0x04;	/* WCE */
		n += 20;
	}
	if (page == 0x0a || page == 0x3f) {
		d[n] = 0x0a;
		d[n + 1] = 0x0a;
		n += 12;
	}
	if (ten) {
		put16(d, n - 2);
		d[3] = l->ro ? 0x80 : 0;	/* WP */
		put16(d + 6, dbd ? 0 : 8);
	} else {
		d[0] = n - 1;
		d[2] = l->ro ? 0x80 : 0;
		d[3] = dbd ? 0 : 8;
	}
	done_data(res, n, alloc, xfer_len);
}

static void do_read_capacity(const struct stor_lun *l, const uint8_t *cdb, bool sixteen,
			     uint32_t xfer_len, struct stor_scsi_res *res)
{
	uint64_t last = l->blocks - 1;

	memset(res->data, 0, 32);
	if (!sixteen) {
		put32(res->data, last > 0xffffffffu ? 0xffffffffu : (uint32_t)last);
		put32(res->data + 4, STOR_BLOCK);
		done_data(res, 8, 8, xfer_len);
		return;
	}
	put64(res->data, last);
	put32(res->data + 8, STOR_BLOCK);
	done_data(res, 32, be32(cdb + 10), xfer_len);
}

/* READ/WRITE/VERIFY/SYNCHRONIZE CACHE: the block range, checked. */
static bool range_ok(const struct stor_lun *l, uint64_t lba, uint32_t n, struct stor_scsi_res *res)
{
	if (lba > l->blocks || n > l->blocks - lba) {
		stor_scsi_check(res, STOR_KEY_ILLEGAL_REQUEST, STOR_ASC_LBA_OUT_OF_RANGE);
		return false;
	}
	return true;
}

static void do_rw(const struct stor_lun *l, bool write, uint64_t lba, uint32_t n, bool fua,
		  enum stor_dir dir, uint32_t xfer_len, struct stor_scsi_res *res)
{
	if (!range_ok(l, lba, n, res))
		return;
	if (write && l->ro) {
		stor_scsi_check(res, STOR_KEY_DATA_PROTECT, STOR_ASC_WRITE_PROTECTED);
		return;
	}
	if (!n) {		/* no blocks: nothing to transfer */
		done(res);
		return;
	}
	/* The buffer must be exactly the blocks, in the command's direction. */
	if ((uint64_t)n * STOR_BLOCK != xfer_len ||
	    dir != (write ? STOR_DIR_WRITE : STOR_DIR_READ)) {
		invalid_field(res);
		return;
	}
	res->kind = write ? STOR_SCSI_WRITE : STOR_SCSI_READ;
	res->lba = lba;
	res->nblocks = n;
	res->fua = write && fua;
	res->len = xfer_len;
}

/* Commands that return data must say they read; others must not move data. */
static bool dir_ok(uint8_t op, enum stor_dir dir, uint32_t xfer_len)
{
	switch (op) {
	case OP_INQUIRY:
	case OP_REQUEST_SENSE:
	case OP_MODE_SENSE_6:
	case OP_MODE_SENSE_10:
	case OP_READ_CAPACITY_10:
	case OP_SERVICE_ACTION_IN_16:
	case OP_REPORT_LUNS:
		return dir == STOR_DIR_READ || !xfer_len;
	case OP_READ_6: case OP_READ_10: case OP_READ_12: case OP_READ_16:
	case OP_WRITE_6: case OP_WRITE_10: case OP_WRITE_12: case OP_WRITE_16:
		return true;	/* do_rw() checks */
	default:
		return !xfer_len;
	}
}

static uint8_t cdb_size(uint8_t op)
{
	switch (op >> 5) {
	case 0:
		return 6;
	case 1:
	case 2:
		return 10;
	case 4:
		return 16;
	case 5:
		return 12;
	default:
		return 6;	/* vendor groups: only the opcode is read */
	}
}

void stor_scsi_exec(const struct stor_target *t, uint8_t path, uint8_t target, uint8_t lun,
		    const uint8_t *cdb, uint8_t cdb_len, enum stor_dir dir, uint32_t xfer_len,
		    struct stor_scsi_res *res)
{
	bool here = path == 0 && target == 0;
	const struct stor_lun *l = here && lun < STOR_MAX_LUNS && t->luns[lun].present ?
				   &t->luns[lun] : NULL;
	uint8_t op;

	memset(res, 0, offsetof(struct stor_scsi_res, data));
	if (!cdb || cdb_len < 6 || cdb_len > 16) {
		invalid_field(res);
		return;
	}
	op = cdb[0];
	if (cdb_len < cdb_size(op) || dir > STOR_DIR_NONE) {
		invalid_field(res);
		return;
	}
	if (op == OP_INQUIRY) {
		if (!dir_ok(op, dir, xfer_len))
			invalid_field(res);
		else
			do_inquiry(l, cdb, xfer_len, res);
		return;
	}
	if (op == OP_REPORT_LUNS) {
		if (!dir_ok(op, dir, xfer_len))
			invalid_field(res);
		else
			do_report_luns(t, here, cdb, xfer_len, res);
		return;
	}
	if (!l) {
		res->kind = STOR_SCSI_NO_LUN;
		return;
	}
	if (!dir_ok(op, dir, xfer_len)) {
		invalid_field(res);
		return;
	}
	switch (op) {
	case OP_TEST_UNIT_READY:
	case OP_START_STOP_UNIT:
	case OP_PREVENT_ALLOW:
	case OP_SEND_DIAGNOSTIC:
		done(res);
		return;
	case OP_REQUEST_SENSE:	/* nothing pending: NO SENSE */
		stor_scsi_check(res, STOR_KEY_NO_SENSE, 0);
		memcpy(res->data, res->sense, STOR_SENSE_LEN);
		memset(res->sense, 0, sizeof(res->sense));
		done_data(res, STOR_SENSE_LEN, cdb[4], xfer_len);
		return;
	case OP_MODE_SENSE_6:
		do_mode_sense(l, cdb, false, xfer_len, res);
		return;
	case OP_MODE_SENSE_10:
		do_mode_sense(l, cdb, true, xfer_len, res);
		return;
	case OP_READ_CAPACITY_10:
		do_read_capacity(l, cdb, false, xfer_len, res);
		return;
	case OP_SERVICE_ACTION_IN_16:
		if ((cdb[1] & 0x1f) != SAI_READ_CAPACITY_16)
			break;
		do_read_capacity(l, cdb, true, xfer_len, res);
		return;
	case OP_READ_6:
	case OP_WRITE_6:
		do_rw(l, op == OP_WRITE_6, (uint32_t)(cdb[1] & 0x1f) << 16 | be16(cdb + 2),
		      cdb[4] ? cdb[4] : 256, false, dir, xfer_len, res);
		return;
	case OP_READ_10:
	case OP_WRITE_10:
		do_rw(l, op == OP_WRITE_10, be32(cdb + 2), be16(cdb + 7), cdb[1] & 0x08, dir,
		      xfer_len, res);
		return;
	case OP_READ_12:
	case OP_WRITE_12:
		do_rw(l, op == OP_WRITE_12, be32(cdb + 2), be32(cdb + 6), cdb[1] & 0x08, dir,
		      xfer_len, res);
		return;
	case OP_READ_16:
	case OP_WRITE_16:
		do_rw(l, op == OP_WRITE_16, be64(cdb + 2), be32(cdb + 10), cdb[1] & 0x08, dir,
		      xfer_len, res);
		return;
	case OP_VERIFY_10:
		if (range_ok(l, be32(cdb + 2), be16(cdb + 7), res))
			done(res);
		return;
	case OP_VERIFY_12:
		if (range_ok(l, be32(cdb + 2), be32(cdb + 6), res))
			done(res);
		return;
	case OP_VERIFY_16:
		if (range_ok(l, be64(cdb + 2), be32(cdb + 10), res))
			done(res);
		return;
	case OP_SYNC_CACHE_10:
	case OP_SYNC_CACHE_16:
		/* The whole cache is flushed; the range (0: to the end) is checked. */
		if (op == OP_SYNC_CACHE_10 ? range_ok(l, be32(cdb + 2), be16(cdb + 7), res) :
					     range_ok(l, be64(cdb + 2), be32(cdb + 10), res))
			res->kind = STOR_SCSI_FLUSH;
		return;
	default:
		break;
	}
	stor_scsi_check(res, STOR_KEY_ILLEGAL_REQUEST, STOR_ASC_INVALID_OPCODE);
}

const char *stor_scsi_opname(uint8_t op)
{
	switch (op) {
	case OP_TEST_UNIT_READY: return "TEST UNIT READY";
	case OP_REQUEST_SENSE: return "REQUEST SENSE";
	case OP_READ_6: return "READ(6)";
	case OP_WRITE_6: return "WRITE(6)";
	case OP_INQUIRY: return "INQUIRY";
	case OP_MODE_SENSE_6: return "MODE SENSE(6)";
	case OP_START_STOP_UNIT: return "START STOP UNIT";
	case OP_READ_CAPACITY_10: return "READ CAPACITY(10)";
	case OP_READ_10: return "READ(10)";
	case OP_WRITE_10: return "WRITE(10)";
	case OP_SYNC_CACHE_10: return "SYNCHRONIZE CACHE(10)";
	case OP_MODE_SENSE_10: return "MODE SENSE(10)";
	case OP_READ_16: return "READ(16)";
	case OP_WRITE_16: return "WRITE(16)";
	case OP_SYNC_CACHE_16: return "SYNCHRONIZE CACHE(16)";
	case OP_SERVICE_ACTION_IN_16: return "SERVICE ACTION IN(16)";
	case OP_REPORT_LUNS: return "REPORT LUNS";
	default: return "opcode";
	}
}
