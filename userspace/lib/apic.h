/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libhvtb - the in-kernel local APIC (<linux/hvtb_apic.h>; partitions
 * created with HVTB_PARTITION_LAPIC). Every function returns -errno on
 * failure.
 */
#ifndef LIBHVTB_APIC_H
#define LIBHVTB_APIC_H

#include <linux/hvtb_apic.h>

#include "partition.h"

int hvtb_assert_interrupt(int partfd, __u32 vp_index, __u32 vector, __u32 flags);
int hvtb_vp_get_lapic(const struct hvtb_vp_handle *vp, struct hvtb_lapic_state *s);
int hvtb_vp_set_lapic(const struct hvtb_vp_handle *vp,
		      const struct hvtb_lapic_state *s);
/* HVTB_MP_STATE_RUNNABLE or HVTB_MP_STATE_WAIT_SIPI (in-kernel APIC only). */
int hvtb_vp_get_mp_state(const struct hvtb_vp_handle *vp, __u32 *state);
int hvtb_vp_set_mp_state(const struct hvtb_vp_handle *vp, __u32 state);
int hvtb_irqfd(int partfd, int eventfd, __u32 vp_index, __u32 vector,
	       __u32 flags);

#endif /* LIBHVTB_APIC_H */
