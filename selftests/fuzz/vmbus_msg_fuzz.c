// SPDX-License-Identifier: GPL-2.0
/*
 * vmbus_msg_fuzz - libFuzzer target (Debian's clang) for the VMBus host's
 * message checks (kmod/vmbus/vmbus_msg.h): any bytes, connection id, state
 * and size. Whatever the input, a message the check lets through is at
 * least its type's minimum size and of a type a guest sends in that state,
 * and the INITIATE_CONTACT helpers never pick a SINT above 15 nor read
 * past the 40-byte message.
 *
 *   make -C selftests fuzz && build/user/selftests/vmbus_msg_fuzz -runs=1000000
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#include "../../kmod/vmbus/vmbus_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u8 payload[VMBUS_PAYLOAD_MAX];
	struct vmbus_initiate m;
	u32 conn, state, len, type, sint;
	u8 k0, k1;
	u64 gpas[3];
	enum vmbus_verdict v;
	int n;

	if (size < 3)
		return 0;
	k0 = data[0];
	k1 = data[1];
	conn = data[0] & 7;
	state = data[1] % 3;
	len = data[2];		/* 0..255: also sizes past the payload limit */
	data += 3;
	size -= 3;
	memset(payload, 0, sizeof(payload));
	memcpy(payload, data, size < sizeof(payload) ? size : sizeof(payload));

	/* The GPADL checks never read past the message nor pass bad PFNs. */
	if (len >= VMBUS_GPADL_HDR_PFN_OFF && len <= VMBUS_PAYLOAD_MAX) {
		u32 np, nh, i;

		if (vmbus_gpadl_header_check(payload, len, 16384, &np, &nh) ==
		    VMBUS_GPADL_OK) {
			if (!np || np > 16384 || nh > np ||
			    VMBUS_GPADL_HDR_PFN_OFF + 8 * nh != len)
				abort();
			for (i = 0; i < nh; i++)
				if (vmbus_msg_pfn(payload, VMBUS_GPADL_HDR_PFN_OFF, i) >
				    VMBUS_GPADL_MAX_GFN)
					abort();
		}
		if (vmbus_gpadl_body_check(payload, len, k0 >> 3, &nh) == VMBUS_GPADL_OK &&
		    (!nh || nh > (u32)(k0 >> 3) || VMBUS_GPADL_BODY_PFN_OFF + 8 * nh != len))
			abort();
	}
	for (type = 0; type < VMBUS_MSG_COUNT + 1; type++)
		if (vmbus_msg_chan_check(type, k1 % 8) == VMBUS_MSG_OK &&
		    (!vmbus_msg_defs[type].channel || k1 % 8 == VMBUS_CHAN_NONE ||
		     k1 % 8 >= VMBUS_CHAN_NR_STATES))
			abort();

	v = vmbus_msg_check(conn, 1, payload, len, state, k1 & 8);
	if (v == VMBUS_MSG_OK) {
		memcpy(&type, payload, sizeof(type));
		if (type >= VMBUS_MSG_COUNT || len < vmbus_msg_defs[type].min_size ||
		    len > VMBUS_PAYLOAD_MAX ||
		    !(vmbus_msg_defs[type].states & (1U << state)) ||
		    (vmbus_msg_defs[type].channel && !(k1 & 8)))
			abort();
		if (type == VMBUS_MSG_INITIATE_CONTACT) {
			memcpy(&m, payload, sizeof(m));
			if (conn == HVTB_VMBUS_MESSAGE_CONNECTION_ID_4 &&
			    m.version < HVTB_VMBUS_VERSION_5_0)
				abort();
			if (vmbus_initiate_sint(&m, HVTB_VMBUS_VERSION_5_3, &sint) &&
			    !vmbus_version_known(m.version))
				abort();
			if (sint >= VMBUS_SINT_COUNT)
				abort();
			n = vmbus_initiate_pages(&m, gpas);
			if (n > 3)
				abort();
		}
	}
	return 0;
}
