// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb-icd's channel-fd adapter (icd_chanfd.h). Only icd_chan_map() and
 * icd_chan_wait() are real; the parts that need the kernel's channel fd
 * fail with -EOPNOTSUPP until it exists.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "icd_chanfd.h"

int icd_chan_open(struct icd_chan *c, const char *path)
{
	if (!c || !path)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->guest_evfd = -1;
	/* TODO(channel fd): open/receive the fd, read() until OPENED, mmap() the rings. */
	return -EOPNOTSUPP;
}

int icd_chan_map(struct icd_chan *c, void *rings, size_t len, size_t g2h_size)
{
	int ret;

	if (!c || !rings || g2h_size >= len)
		return -EINVAL;
	ret = hvtb_ring_init(&c->rx, rings, g2h_size, HVTB_RING_HOST_READS);
	if (ret)
		return ret;
	ret = hvtb_ring_init(&c->tx, (uint8_t *)rings + g2h_size, len - g2h_size,
			     HVTB_RING_HOST_WRITES);
	if (ret)
		return ret;
	c->rings = rings;
	c->rings_len = len;
	c->tp.rx = &c->rx;
	c->tp.tx = &c->tx;
	c->tp.signal = icd_chan_signal;
	c->tp.ctx = c;
	return 0;
}

int icd_chan_signal(void *ctx)
{
	struct icd_chan *c = ctx;

	if (!c || c->fd < 0)
		return -EBADF;
	/* TODO(channel fd): the "signal the guest" ioctl / eventfd write. */
	return -EOPNOTSUPP;
}

int icd_chan_wait(struct icd_chan *c, int timeout_ms)
{
	struct pollfd pfd = { .fd = c->guest_evfd, .events = POLLIN };
	uint64_t count;
	int ret;

	if (c->guest_evfd < 0)
		return -EBADF;
	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return -errno;
	if (ret == 0)
		return 0;
	if (read(c->guest_evfd, &count, sizeof(count)) != sizeof(count))
		return errno ? -errno : -EIO;
	return 1;
}

void icd_chan_close(struct icd_chan *c)
{
	/* Rings mapped from the channel fd are unmapped with it. */
	if (c->fd >= 0 && c->rings)
		munmap(c->rings, c->rings_len);
	if (c->guest_evfd >= 0)
		close(c->guest_evfd);
	if (c->fd >= 0)
		close(c->fd);
	c->rings = NULL;
	c->fd = -1;
	c->guest_evfd = -1;
}
