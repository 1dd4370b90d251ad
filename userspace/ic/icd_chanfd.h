/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb-icd's channel-fd adapter: the one place that will know how the
 * kernel hands a daemon its VMBus channel. Everything above it (the IC
 * state machines) sees only a struct hvtb_ic_transport.
 *
 * TODO(channel fd): bind to the kernel's channel fd once it is merged (it
 * is being built on another branch; its uapi is not fixed yet). Expected:
 *  - open: the daemon gets one fd per channel (from the worker, or an ioctl
 *    on the partition fd naming the offer's instance GUID / relid);
 *  - events: read() on the fd returns fixed-size records: OPENED (the
 *    guest's OPENCHANNEL arrived and its ring GPADL is mapped: ring sizes,
 *    downstream page offset), CLOSED (CLOSECHANNEL), RESCINDED;
 *  - rings: mmap() of the fd maps the ring pair as the guest laid it out,
 *    [guest-to-host ring | host-to-guest ring], each a 4 KiB header page
 *    and its data; icd_chan_map() below turns such a mapping into the two
 *    hvtb_ring views;
 *  - guest signals: an eventfd the kernel signals when the guest does
 *    HvSignalEvent on the channel's connection id (poll it, then
 *    hvtb_ic_poll());
 *  - host signals: an ioctl (or a second eventfd) that sets the channel's
 *    SIEFP flag and asserts SINT2 in the guest (icd_chan_signal()).
 * Until then icd_chan_open() fails with -EOPNOTSUPP and hvtb-icd refuses to
 * run; nothing pretends to serve a guest.
 */
#ifndef HVTB_ICD_CHANFD_H
#define HVTB_ICD_CHANFD_H

#include <stddef.h>

#include "ic_chan.h"

struct icd_chan {
	int fd;			/* the channel fd, -1 when closed */
	int guest_evfd;		/* readable when the guest signalled, -1 */
	void *rings;		/* the mmap()ed ring pair */
	size_t rings_len;
	struct hvtb_ring rx;	/* guest-to-host */
	struct hvtb_ring tx;	/* host-to-guest */
	struct hvtb_ic_transport tp;
};

/**
 * icd_chan_open() - get the channel @path names and wait until it opened.
 * @c: the channel, set up on success.
 * @path: what names the channel (to be defined with the channel fd).
 *
 * Return: 0; -EOPNOTSUPP (channel fds do not exist yet); -errno.
 */
int icd_chan_open(struct icd_chan *c, const char *path);

/**
 * icd_chan_map() - make the two ring views of a mapped ring pair.
 * @c: the channel.
 * @rings: the mapping: the guest-to-host ring, then the host-to-guest ring.
 * @len: its length.
 * @g2h_size: bytes of the guest-to-host ring (the downstream page offset
 *	times 4 KiB), header page included.
 *
 * Return: 0; -EINVAL; -EPROTO (a ring header is corrupt).
 */
int icd_chan_map(struct icd_chan *c, void *rings, size_t len, size_t g2h_size);

/* The transport's signal callback: signal the guest on channel @ctx. */
int icd_chan_signal(void *ctx);

/* Wait for the guest's signal or @timeout_ms; 1 signalled, 0 timeout, -errno. */
int icd_chan_wait(struct icd_chan *c, int timeout_ms);

void icd_chan_close(struct icd_chan *c);

#endif /* HVTB_ICD_CHANFD_H */
