// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb IC KVP (ic_kvp.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ic_kvp.h"
#include "ic_utf16.h"

/* Offsets inside struct hv_kvp_msg. */
#define KVP_OFF_OP		0u
#define KVP_OFF_POOL		1u
#define KVP_OFF_BODY		4u
#define KVP_VAL_TYPE		0u	/* in struct hv_kvp_exchg_msg_value */
#define KVP_VAL_KEY_SIZE	4u
#define KVP_VAL_VALUE_SIZE	8u
#define KVP_VAL_KEY		12u
#define KVP_VAL_VALUE		(KVP_VAL_KEY + HVTB_IC_KVP_KEY_SIZE)
#define KVP_GETSET_VAL		KVP_OFF_BODY		/* kvp_get / kvp_set .data */
#define KVP_ENUM_INDEX		KVP_OFF_BODY
#define KVP_ENUM_VAL		(KVP_OFF_BODY + 4u)	/* kvp_enum_data.data */
#define KVP_DEL_KEY_SIZE	KVP_OFF_BODY
#define KVP_DEL_KEY		(KVP_OFF_BODY + 4u)

_Static_assert(KVP_ENUM_VAL + KVP_VAL_VALUE + HVTB_IC_KVP_VALUE_SIZE <= HVTB_IC_KVP_MSG_SIZE,
	       "the enumerate record fits in hv_kvp_msg");
_Static_assert(HVTB_IC_BODY_OFFSET + HVTB_IC_KVP_MSG_SIZE <= HVTB_IC_MAX_MSG,
	       "a KVP message fits in the IC buffers");

const struct hvtb_ic_version hvtb_ic_kvp_versions[3] = {
	{ .major = 4, .minor = 0 },
	{ .major = 3, .minor = 0 },
	{ .major = 1, .minor = 0 },
};

static struct hvtb_ic_kvp *kvp_of(struct hvtb_ic *ic)
{
	return hvtb_ic_container(ic, struct hvtb_ic_kvp, ic);
}

/* The record of an ENUMERATE answer at @v (struct hv_kvp_exchg_msg_value). */
static int kvp_read_record(struct hvtb_ic_kvp *kvp, const uint8_t *v)
{
	uint32_t type = hvtb_ic_get32(v + KVP_VAL_TYPE);
	uint32_t key_size = hvtb_ic_get32(v + KVP_VAL_KEY_SIZE);
	uint32_t value_size = hvtb_ic_get32(v + KVP_VAL_VALUE_SIZE);

	if (key_size > HVTB_IC_KVP_KEY_SIZE || value_size > HVTB_IC_KVP_VALUE_SIZE)
		return -EBADMSG;
	if (hvtb_ic_utf16_to_utf8(v + KVP_VAL_KEY, key_size, kvp->key, sizeof(kvp->key)) < 0)
		return -EBADMSG;
	kvp->value_type = type;
	switch (type) {
	case HVTB_IC_KVP_REG_SZ:
		if (hvtb_ic_utf16_to_utf8(v + KVP_VAL_VALUE, value_size, kvp->value,
					  sizeof(kvp->value)) < 0)
			return -EBADMSG;
		return 0;
	case HVTB_IC_KVP_REG_U32:
		snprintf(kvp->value, sizeof(kvp->value), "%u", hvtb_ic_get32(v + KVP_VAL_VALUE));
		return 0;
	case HVTB_IC_KVP_REG_U64:
		snprintf(kvp->value, sizeof(kvp->value), "%llu",
			 (unsigned long long)hvtb_ic_get64(v + KVP_VAL_VALUE));
		return 0;
	default:
		return -EBADMSG;
	}
}

static int kvp_on_answer(struct hvtb_ic *ic, const struct hvtb_ic_msg *m)
{
	struct hvtb_ic_kvp *kvp = kvp_of(ic);
	const uint8_t *b = m->body;

	if (m->body_len < HVTB_IC_KVP_MSG_SIZE || b[KVP_OFF_OP] != kvp->op ||
	    b[KVP_OFF_POOL] != kvp->pool)
		return -EBADMSG;
	if (m->hdr.status == HVTB_IC_S_CONT)
		return -ENOENT;
	if (m->hdr.status != HVTB_IC_S_OK)
		return -EREMOTEIO;
	kvp->done = true;
	kvp->result = 0;
	kvp->status = HVTB_IC_S_OK;
	if (kvp->op != HVTB_IC_KVP_OP_ENUMERATE)
		return 0;
	if (hvtb_ic_get32(b + KVP_ENUM_INDEX) != kvp->index)
		return -EBADMSG;
	return kvp_read_record(kvp, b + KVP_ENUM_VAL);
}

static void kvp_on_fail(struct hvtb_ic *ic, int err)
{
	struct hvtb_ic_kvp *kvp = kvp_of(ic);

	kvp->done = true;
	kvp->result = err;
	kvp->status = ic->last_status;
	kvp->key[0] = '\0';
	kvp->value[0] = '\0';
}

const struct hvtb_ic_service hvtb_ic_kvp_service = {
	.name = "kvp",
	.msgtype = HVTB_ICMSG_KVP,
	.versions = hvtb_ic_kvp_versions,
	.nversions = 3,
	.on_answer = kvp_on_answer,
	.on_fail = kvp_on_fail,
};

int hvtb_ic_kvp_init(struct hvtb_ic_kvp *kvp, const struct hvtb_ic_transport *tp)
{
	if (!kvp)
		return -EINVAL;
	kvp->op = 0;
	kvp->pool = 0;
	kvp->index = 0;
	kvp->done = false;
	kvp->result = 0;
	kvp->status = 0;
	kvp->value_type = 0;
	kvp->key[0] = '\0';
	kvp->value[0] = '\0';
	return hvtb_ic_init(&kvp->ic, &hvtb_ic_kvp_service, tp);
}

/* A UTF-8 string into a UTF-16 field of @size bytes; its byte size or -EINVAL. */
static int kvp_put_string(uint8_t *field, uint32_t size, const char *s, size_t utf8_max,
			  bool empty_ok)
{
	int ret;

	if (!s || (!*s && !empty_ok) || strlen(s) > utf8_max)
		return -EINVAL;
	ret = hvtb_ic_utf8_to_utf16(s, field, size);
	return ret < 0 ? -EINVAL : ret;
}

static int kvp_send(struct hvtb_ic_kvp *kvp, uint8_t *msg, uint8_t op, uint8_t pool,
		    uint32_t index, uint64_t now_ns)
{
	int ret;

	msg[KVP_OFF_OP] = op;
	msg[KVP_OFF_POOL] = pool;
	ret = hvtb_ic_can_request(&kvp->ic);
	if (ret)
		return ret;
	/* Before sending: a request queued with a failed signal still gets its answer. */
	kvp->op = op;
	kvp->pool = pool;
	kvp->index = index;
	kvp->done = false;
	kvp->result = 0;
	kvp->status = 0;
	kvp->value_type = 0;
	kvp->key[0] = '\0';
	kvp->value[0] = '\0';
	return hvtb_ic_request(&kvp->ic, msg, HVTB_IC_KVP_MSG_SIZE, now_ns);
}

int hvtb_ic_kvp_enumerate(struct hvtb_ic_kvp *kvp, uint8_t pool, uint32_t index, uint64_t now_ns)
{
	uint8_t msg[HVTB_IC_KVP_MSG_SIZE] = { 0 };

	if (!kvp || pool >= HVTB_IC_KVP_POOL_COUNT)
		return -EINVAL;
	hvtb_ic_put32(msg + KVP_ENUM_INDEX, index);
	return kvp_send(kvp, msg, HVTB_IC_KVP_OP_ENUMERATE, pool, index, now_ns);
}

/* GET and SET share a layout; @value NULL for GET. */
static int kvp_getset(struct hvtb_ic_kvp *kvp, uint8_t op, uint8_t pool, const char *key,
		      const char *value, uint64_t now_ns)
{
	uint8_t msg[HVTB_IC_KVP_MSG_SIZE] = { 0 };
	uint8_t *v = msg + KVP_GETSET_VAL;
	int key_size, value_size = 0;

	if (!kvp || pool >= HVTB_IC_KVP_POOL_COUNT)
		return -EINVAL;
	key_size = kvp_put_string(v + KVP_VAL_KEY, HVTB_IC_KVP_KEY_SIZE, key,
				  HVTB_IC_KVP_KEY_UTF8_MAX, false);
	if (key_size < 0)
		return key_size;
	if (value) {
		value_size = kvp_put_string(v + KVP_VAL_VALUE, HVTB_IC_KVP_VALUE_SIZE, value,
					    HVTB_IC_KVP_VALUE_UTF8_MAX, true);
		if (value_size < 0)
			return value_size;
	}
	hvtb_ic_put32(v + KVP_VAL_TYPE, HVTB_IC_KVP_REG_SZ);
	hvtb_ic_put32(v + KVP_VAL_KEY_SIZE, (uint32_t)key_size);
	hvtb_ic_put32(v + KVP_VAL_VALUE_SIZE, (uint32_t)value_size);
	return kvp_send(kvp, msg, op, pool, 0, now_ns);
}

int hvtb_ic_kvp_get(struct hvtb_ic_kvp *kvp, uint8_t pool, const char *key, uint64_t now_ns)
{
	return kvp_getset(kvp, HVTB_IC_KVP_OP_GET, pool, key, NULL, now_ns);
}

int hvtb_ic_kvp_set(struct hvtb_ic_kvp *kvp, uint8_t pool, const char *key, const char *value,
		    uint64_t now_ns)
{
	if (!value)
		return -EINVAL;
	return kvp_getset(kvp, HVTB_IC_KVP_OP_SET, pool, key, value, now_ns);
}

int hvtb_ic_kvp_delete(struct hvtb_ic_kvp *kvp, uint8_t pool, const char *key, uint64_t now_ns)
{
	uint8_t msg[HVTB_IC_KVP_MSG_SIZE] = { 0 };
	int key_size;

	if (!kvp || pool >= HVTB_IC_KVP_POOL_COUNT)
		return -EINVAL;
	key_size = kvp_put_string(msg + KVP_DEL_KEY, HVTB_IC_KVP_KEY_SIZE, key,
				  HVTB_IC_KVP_KEY_UTF8_MAX, false);
	if (key_size < 0)
		return key_size;
	hvtb_ic_put32(msg + KVP_DEL_KEY_SIZE, (uint32_t)key_size);
	return kvp_send(kvp, msg, HVTB_IC_KVP_OP_DELETE, pool, 0, now_ns);
}
