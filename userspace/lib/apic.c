// SPDX-License-Identifier: GPL-2.0
/*
 * libhvtb - the in-kernel local APIC (<linux/hvtb_apic.h>).
 */
#include <errno.h>
#include <sys/ioctl.h>

#include "apic.h"

static int ret_errno(long r)
{
	return r < 0 ? -errno : (int)r;
}

int hvtb_assert_interrupt(int partfd, __u32 vp_index, __u32 vector, __u32 flags)
{
	struct hvtb_interrupt i = {
		.vp_index = vp_index, .vector = vector, .flags = flags,
	};

	return ret_errno(ioctl(partfd, HVTB_PARTITION_ASSERT_INTERRUPT, &i));
}

int hvtb_vp_get_lapic(const struct hvtb_vp_handle *vp, struct hvtb_lapic_state *s)
{
	return ret_errno(ioctl(vp->fd, HVTB_VP_GET_LAPIC, s));
}

int hvtb_vp_set_lapic(const struct hvtb_vp_handle *vp,
		      const struct hvtb_lapic_state *s)
{
	return ret_errno(ioctl(vp->fd, HVTB_VP_SET_LAPIC, s));
}

int hvtb_irqfd(int partfd, int eventfd, __u32 vp_index, __u32 vector,
	       __u32 flags)
{
	struct hvtb_irqfd f = {
		.fd = eventfd, .vp_index = vp_index, .vector = vector,
		.flags = flags,
	};

	return ret_errno(ioctl(partfd, HVTB_PARTITION_SET_IRQFD, &f));
}

int hvtb_vp_get_mp_state(const struct hvtb_vp_handle *vp, __u32 *state)
{
	struct hvtb_mp_state s;
	int r = ret_errno(ioctl(vp->fd, HVTB_VP_GET_MP_STATE, &s));

	if (!r)
		*state = s.state;
	return r;
}

int hvtb_vp_set_mp_state(const struct hvtb_vp_handle *vp, __u32 state)
{
	struct hvtb_mp_state s = { .state = state };

	return ret_errno(ioctl(vp->fd, HVTB_VP_SET_MP_STATE, &s));
}
