/* SPDX-License-Identifier: GPL-2.0 */
/*
 * storvsp's SCSI target: the commands Linux 6.1's SCSI midlayer and sd
 * driver send to a disk (scsi_scan.c, sd.c), answered for a controller of
 * up to STOR_MAX_LUNS disks at path 0, target 0, LUN 0..n-1.
 *
 * Pure logic: no system calls. stor_scsi_exec() decodes one CDB and says
 * what to do: return data it built (INQUIRY and its VPD pages, REPORT LUNS,
 * READ CAPACITY, MODE SENSE, REQUEST SENSE), complete without data (TEST
 * UNIT READY, START STOP UNIT, VERIFY, ...), read or write a block range
 * (checked against the capacity, the read-only flag and the transfer
 * length the guest gave), flush, or fail with CHECK CONDITION and fixed-
 * format sense (ILLEGAL REQUEST for an unknown opcode, a bad field, an LBA
 * out of range; DATA PROTECT for a write to a read-only disk). A LUN that
 * does not exist answers INQUIRY with peripheral qualifier 3 (no device
 * here) and everything else with STOR_SCSI_NO_LUN.
 */
#ifndef HVTB_STOR_SCSI_H
#define HVTB_STOR_SCSI_H

#include <stdbool.h>
#include <stdint.h>

#define STOR_BLOCK		512u
#define STOR_MAX_LUNS		8u
/* Largest transfer a request may carry (QUERY_PROPERTIES says so). */
#define STOR_MAX_TRANSFER	0x40000u
/* Largest data stor_scsi_exec() builds itself. */
#define STOR_SCSI_DATA_MAX	256u
#define STOR_SENSE_LEN		18u	/* fixed format */

/* SCSI status and sense keys used. */
#define STOR_SAM_GOOD			0x00
#define STOR_SAM_CHECK_CONDITION	0x02
#define STOR_KEY_NO_SENSE		0x0
#define STOR_KEY_MEDIUM_ERROR		0x3
#define STOR_KEY_ILLEGAL_REQUEST	0x5
#define STOR_KEY_DATA_PROTECT		0x7
/* Additional sense codes (asc << 8 | ascq). */
#define STOR_ASC_WRITE_ERROR		0x0c00
#define STOR_ASC_READ_ERROR		0x1100
#define STOR_ASC_INVALID_OPCODE		0x2000
#define STOR_ASC_LBA_OUT_OF_RANGE	0x2100
#define STOR_ASC_INVALID_FIELD_IN_CDB	0x2400
#define STOR_ASC_WRITE_PROTECTED	0x2700
#define STOR_ASC_SAVING_NOT_SUPPORTED	0x3900

struct stor_lun {
	bool present;
	bool ro;
	uint64_t blocks;	/* capacity in STOR_BLOCK blocks, > 0 */
	char serial[17];	/* VPD page 0x80, printable ASCII */
};

struct stor_target {
	struct stor_lun luns[STOR_MAX_LUNS];
};

/* The guest's transfer direction (vmscsi_request.data_in). */
enum stor_dir { STOR_DIR_WRITE = 0, STOR_DIR_READ = 1, STOR_DIR_NONE = 2 };

enum stor_scsi_kind {
	STOR_SCSI_DONE,		/* GOOD; data[0..len) to the guest (len may be 0) */
	STOR_SCSI_CHECK,	/* CHECK CONDITION, sense in sense[] */
	STOR_SCSI_READ,		/* read blocks [lba, lba + nblocks) to the guest */
	STOR_SCSI_WRITE,	/* write them from the guest (fua: flush after) */
	STOR_SCSI_FLUSH,	/* make every completed write durable */
	STOR_SCSI_NO_LUN,	/* no such LUN (not INQUIRY/REPORT LUNS) */
};

struct stor_scsi_res {
	enum stor_scsi_kind kind;
	uint32_t len;
	uint64_t lba;
	uint32_t nblocks;
	bool fua;
	uint8_t sense[STOR_SENSE_LEN];
	uint8_t data[STOR_SCSI_DATA_MAX];
};

/**
 * stor_scsi_exec() - decode and answer one command.
 * @t: the target's LUNs.
 * @path: the SCSI channel (path_id); only path 0, target 0 has LUNs.
 * @target: the target id.
 * @lun: the LUN.
 * @cdb: the CDB, @cdb_len bytes (6..16).
 * @dir: the direction the guest says the data goes.
 * @xfer_len: bytes of the guest's buffer (data_transfer_length).
 * @res: the answer.
 *
 * Data the command returns is cut to its allocation length and to
 * @xfer_len. A READ/WRITE must carry exactly nblocks * 512 bytes.
 */
void stor_scsi_exec(const struct stor_target *t, uint8_t path, uint8_t target, uint8_t lun,
		    const uint8_t *cdb, uint8_t cdb_len, enum stor_dir dir, uint32_t xfer_len,
		    struct stor_scsi_res *res);

/* Set @res to CHECK CONDITION with @key and @asc_ascq (STOR_ASC_*). */
void stor_scsi_check(struct stor_scsi_res *res, uint8_t key, uint16_t asc_ascq);

/* "READ(10)", "INQUIRY", ... or "opcode" for the counters and logs. */
const char *stor_scsi_opname(uint8_t opcode);

#endif /* HVTB_STOR_SCSI_H */
