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
	u64 gpas[3];
	enum vmbus_verdict v;
	int n;

	if (size < 3)
		return 0;
	conn = data[0] & 7;
	state = data[1] % 3;
	len = data[2];		/* 0..255: also sizes past the payload limit */
	data += 3;
	size -= 3;
	memset(payload, 0, sizeof(payload));
	memcpy(payload, data, size < sizeof(payload) ? size : sizeof(payload));

	v = vmbus_msg_check(conn, 1, payload, len, state, 0);
	if (v == VMBUS_MSG_OK) {
		memcpy(&type, payload, sizeof(type));
		if (type >= VMBUS_MSG_COUNT || len < vmbus_msg_defs[type].min_size ||
		    len > VMBUS_PAYLOAD_MAX ||
		    !(vmbus_msg_defs[type].states & (1U << state)) ||
		    vmbus_msg_defs[type].channel)
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
