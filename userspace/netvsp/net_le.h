/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netvsp's field access: little-endian u32 at any alignment (NVSP and RNDIS
 * messages are copied out of guest memory as bytes).
 */
#ifndef HVTB_NET_LE_H
#define HVTB_NET_LE_H

#include <stdint.h>
#include <string.h>

static inline uint32_t net_get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static inline void net_put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

#endif /* HVTB_NET_LE_H */
