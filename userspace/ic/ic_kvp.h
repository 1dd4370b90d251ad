/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb IC KVP - key/value pools shared with the guest (hv_kvp.c and
 * tools/hv/hv_kvp_daemon.c, which Debian ships in hyperv-daemons).
 *
 * The body is struct hv_kvp_msg (7432 bytes, always sent whole: the guest
 * reads its fields without looking at the length and echoes the length it
 * got): {operation u8, pool u8, pad u16} then per operation
 *   GET, SET    {value_type u32 @4, key_size u32 @8, value_size u32 @12,
 *                key[512] @16, value[2048] @528}
 *   DELETE      {key_size u32 @4, key[512] @8}
 *   ENUMERATE   {index u32 @4, then the GET/SET layout from @8: value_type
 *                @8, key_size @12, value_size @16, key @20, value @532}
 * Keys and values are UTF-16LE, NUL-terminated, sizes in bytes with the
 * terminator; value_type 1 (REG_SZ) strings, 4 (REG_U32), 8 (REG_U64).
 *
 * The guest kernel hands each request to the daemon and answers when it
 * replied (30 s, then E_FAIL); without a daemon it does not even answer the
 * negotiate. Status S_OK, or 0x80070103 (S_CONT: no such index or key, the
 * end of an enumeration), or E_FAIL.
 *   ENUMERATE pool, index  the index-th record of a pool. The daemon makes
 *                          pool 2 (AUTO) up: FullyQualifiedDomainName,
 *                          IntegrationServicesVersion, NetworkAddressIPv4,
 *                          NetworkAddressIPv6, OSBuildNumber, OSName,
 *                          OSMajorVersion, OSMinorVersion, OSVersion,
 *                          ProcessorArchitecture (0..9); other pools come
 *                          from /var/lib/hyperv/.kvp_pool_<pool>.
 *   SET pool, key, value   adds or replaces the record in
 *                          .kvp_pool_<pool> (hosts use pool 0, EXTERNAL).
 *   DELETE pool, key       removes it.
 *   GET pool, key          S_OK if the key is in the pool, else S_CONT. Linux
 *                          6.1 never returns the value: hv_kvp.c passes
 *                          value_size 0 to the daemon (read from the source,
 *                          not run): enumerate to read values.
 */
#ifndef HVTB_IC_KVP_H
#define HVTB_IC_KVP_H

#include <stdbool.h>
#include <stdint.h>

#include "ic_chan.h"

#define HVTB_IC_KVP_MSG_SIZE		7432u
#define HVTB_IC_KVP_KEY_SIZE		512u	/* UTF-16 bytes, NUL included */
#define HVTB_IC_KVP_VALUE_SIZE		2048u
/* UTF-8 as Linux holds it: one byte less than the UTF-16 field's size. */
#define HVTB_IC_KVP_KEY_UTF8_MAX	(HVTB_IC_KVP_KEY_SIZE - 1)
#define HVTB_IC_KVP_VALUE_UTF8_MAX	(HVTB_IC_KVP_VALUE_SIZE - 1)
/* Decoded answers: 3 UTF-8 bytes per UTF-16 unit at most, and a NUL. */
#define HVTB_IC_KVP_KEY_BUF		(HVTB_IC_KVP_KEY_SIZE / 2 * 3 + 1)
#define HVTB_IC_KVP_VALUE_BUF		(HVTB_IC_KVP_VALUE_SIZE / 2 * 3 + 1)

/* Operations (enum hv_kvp_exchg_op) and pools (enum hv_kvp_exchg_pool). */
#define HVTB_IC_KVP_OP_GET		0
#define HVTB_IC_KVP_OP_SET		1
#define HVTB_IC_KVP_OP_DELETE		2
#define HVTB_IC_KVP_OP_ENUMERATE	3
#define HVTB_IC_KVP_POOL_EXTERNAL	0
#define HVTB_IC_KVP_POOL_GUEST		1
#define HVTB_IC_KVP_POOL_AUTO		2
#define HVTB_IC_KVP_POOL_AUTO_EXTERNAL	3
#define HVTB_IC_KVP_POOL_AUTO_INTERNAL	4
#define HVTB_IC_KVP_POOL_COUNT		5
/* value_type */
#define HVTB_IC_KVP_REG_SZ		1
#define HVTB_IC_KVP_REG_U32		4
#define HVTB_IC_KVP_REG_U64		8

/* Linux's versions, newest first: 4.0, 3.0, 1.0. */
extern const struct hvtb_ic_version hvtb_ic_kvp_versions[3];
extern const struct hvtb_ic_service hvtb_ic_kvp_service;

struct hvtb_ic_kvp {
	struct hvtb_ic ic;
	/* The request outstanding or last sent. */
	uint8_t op;
	uint8_t pool;
	uint32_t index;
	/* Its result: 0, -ENOENT (S_CONT), -EREMOTEIO (other status), -EBADMSG, -ETIMEDOUT. */
	bool done;
	int result;
	uint32_t status;
	/* ENUMERATE answers: the record, as UTF-8 (REG_U32/U64 in decimal). */
	uint32_t value_type;
	char key[HVTB_IC_KVP_KEY_BUF];
	char value[HVTB_IC_KVP_VALUE_BUF];
};

/* A KVP IC, CLOSED. Return: 0; -EINVAL. */
int hvtb_ic_kvp_init(struct hvtb_ic_kvp *kvp, const struct hvtb_ic_transport *tp);

/*
 * Host actions; each sends one request on a READY IC. Return: as
 * hvtb_ic_request(); -EINVAL (pool >= HVTB_IC_KVP_POOL_COUNT, a key or value
 * that is not UTF-8, empty key, longer than HVTB_IC_KVP_*_UTF8_MAX bytes or
 * than its UTF-16 field).
 */
int hvtb_ic_kvp_enumerate(struct hvtb_ic_kvp *kvp, uint8_t pool, uint32_t index, uint64_t now_ns);
int hvtb_ic_kvp_get(struct hvtb_ic_kvp *kvp, uint8_t pool, const char *key, uint64_t now_ns);
int hvtb_ic_kvp_set(struct hvtb_ic_kvp *kvp, uint8_t pool, const char *key, const char *value,
		    uint64_t now_ns);
int hvtb_ic_kvp_delete(struct hvtb_ic_kvp *kvp, uint8_t pool, const char *key, uint64_t now_ns);

#endif /* HVTB_IC_KVP_H */
