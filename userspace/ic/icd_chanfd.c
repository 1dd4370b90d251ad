// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb-icd's channel-fd adapter (icd_chanfd.h): a VMBus channel fd of
 * uapi/linux/hvtb_vmbus.h as a struct hvtb_ic_transport.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "icd_chanfd.h"
#include "vmbus.h"

#define ICD_PAGE	4096u

static void chan_reset(struct icd_chan *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->guest_evfd = -1;
	c->aux_fd = -1;
}

void icd_chan_set_aux(struct icd_chan *c, int fd)
{
	c->aux_fd = fd;
}

int icd_chan_offer_fd(int partfd, const uint8_t if_type[16], const uint8_t if_instance[16],
		      uint32_t pipe_mode)
{
	struct hvtb_vmbus_offer o;

	if (!if_type || !if_instance)
		return -EINVAL;
	memset(&o, 0, sizeof(o));
	memcpy(o.if_type, if_type, 16);
	memcpy(o.if_instance, if_instance, 16);
	if (pipe_mode) {
		o.chn_flags = 0x10;	/* named pipe mode: user_def starts with the pipe mode */
		memcpy(o.user_def, &pipe_mode, sizeof(pipe_mode));
	}
	return hvtb_vmbus_offer_channel(partfd, &o);
}

int icd_chan_adopt(struct icd_chan *c, int fd)
{
	struct hvtb_vmbus_channel_info info;
	int ret;

	if (!c || fd < 0)
		return -EINVAL;
	chan_reset(c);
	/* A channel fd, not any fd: the kernel answers for its own. */
	ret = hvtb_vmbus_channel_get_info(fd, &info);
	if (ret)
		return ret;
	c->fd = fd;
	/* Records are read after poll() said so; never block in read(). */
	if (fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK) < 0 ||
	    fcntl(c->fd, F_SETFD, FD_CLOEXEC) < 0) {
		ret = -errno;
		goto err;
	}
	c->guest_evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (c->guest_evfd < 0) {
		ret = -errno;
		goto err;
	}
	ret = hvtb_vmbus_channel_set_eventfd(c->fd, c->guest_evfd);
	if (ret)
		goto err_close_evfd;
	return 0;

err_close_evfd:
	close(c->guest_evfd);
err:
	chan_reset(c);	/* the fd stays the caller's */
	return ret;
}

int icd_chan_offer(struct icd_chan *c, int partfd, const uint8_t if_type[16],
		   const uint8_t if_instance[16], uint32_t pipe_mode)
{
	int fd, ret;

	if (!c)
		return -EINVAL;
	chan_reset(c);
	fd = icd_chan_offer_fd(partfd, if_type, if_instance, pipe_mode);
	if (fd < 0)
		return fd;
	ret = icd_chan_adopt(c, fd);
	if (ret)
		close(fd);	/* rescinds the offer */
	return ret;
}

static void chan_unmap(struct icd_chan *c)
{
	if (c->rings)
		munmap(c->rings, c->rings_len);
	c->rings = NULL;
	c->rings_len = 0;
	c->open = false;
}

/* OPENED: map the ring pair; a split the views cannot take leaves it closed. */
static int chan_opened(struct icd_chan *c, const struct hvtb_vmbus_event *ev)
{
	uint64_t len = (uint64_t)ev->pages * ICD_PAGE;
	void *map;

	chan_unmap(c);
	if (!ev->pages || ev->out_ring_offset != ev->in_ring_size ||
	    (uint64_t)ev->in_ring_size + ev->out_ring_size != len)
		goto bad;
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
	if (map == MAP_FAILED)
		goto bad;
	if (icd_chan_map(c, map, len, ev->in_ring_size)) {
		munmap(map, len);
		c->rings = NULL;
		goto bad;
	}
	c->open = true;
	c->stats.opens++;
	return ICD_CHAN_OPENED;

bad:
	c->stats.bad_opens++;
	return ICD_CHAN_NOTHING;
}

static int chan_record(struct icd_chan *c)
{
	struct hvtb_vmbus_event ev;
	int ret;

	ret = hvtb_vmbus_channel_read_event(c->fd, &ev);
	if (ret == -EAGAIN)
		return ICD_CHAN_NOTHING;
	if (ret == -ENODEV)
		return ICD_CHAN_RELEASED;
	if (ret)
		return ret;
	switch (ev.type) {
	case HVTB_VMBUS_EVENT_OPENED:
		return chan_opened(c, &ev);
	case HVTB_VMBUS_EVENT_CLOSED:
		if (!c->open)
			return ICD_CHAN_NOTHING;
		chan_unmap(c);
		c->stats.closes++;
		return ICD_CHAN_CLOSED;
	case HVTB_VMBUS_EVENT_RELEASED:
		chan_unmap(c);
		return ICD_CHAN_RELEASED;
	case HVTB_VMBUS_EVENT_GPADL_CREATED:
		if (c->ngpadls < ICD_MAX_GPADLS) {
			c->gpadls[c->ngpadls].gpadl = ev.gpadl;
			c->gpadls[c->ngpadls].pages = ev.pages;
			c->ngpadls++;
		}
		return ICD_CHAN_NOTHING;
	case HVTB_VMBUS_EVENT_GPADL_TORNDOWN:
		for (unsigned int i = 0; i < c->ngpadls; i++) {
			if (c->gpadls[i].gpadl == ev.gpadl) {
				c->gpadls[i] = c->gpadls[--c->ngpadls];
				break;
			}
		}
		return ICD_CHAN_NOTHING;
	default:
		return ICD_CHAN_NOTHING;	/* the ring's GPADL comes with OPENED */
	}
}

int icd_chan_gpadl_pages(const struct icd_chan *c, uint32_t gpadl)
{
	unsigned int i;

	for (i = 0; i < c->ngpadls; i++)
		if (c->gpadls[i].gpadl == gpadl)
			return (int)c->gpadls[i].pages;
	return -ENOENT;
}

int icd_chan_next(struct icd_chan *c, int timeout_ms)
{
	struct pollfd pfd[3] = {
		{ .fd = c->fd, .events = POLLIN },
		{ .fd = c->guest_evfd, .events = POLLIN },
		{ .fd = c->aux_fd, .events = POLLIN },	/* ignored while -1 */
	};
	uint64_t count;
	int ret;

	if (c->fd < 0 || c->guest_evfd < 0)
		return -EBADF;
	ret = poll(pfd, 3, timeout_ms);
	if (ret < 0)
		return errno == EINTR ? ICD_CHAN_NOTHING : -errno;
	if (pfd[0].revents & POLLIN)
		return chan_record(c);
	if (pfd[0].revents & (POLLHUP | POLLERR)) {
		chan_unmap(c);
		return ICD_CHAN_RELEASED;
	}
	if (pfd[1].revents & POLLIN) {
		if (read(c->guest_evfd, &count, sizeof(count)) != sizeof(count))
			return ICD_CHAN_NOTHING;
		c->stats.signals++;
		return c->open ? ICD_CHAN_SIGNALLED : ICD_CHAN_NOTHING;
	}
	if (pfd[2].revents & POLLIN)
		return ICD_CHAN_AUX;
	return ICD_CHAN_NOTHING;
}

void icd_chan_ring_stats(const struct icd_chan *c, char *buf, size_t len)
{
	snprintf(buf, len, "%llu packets in (%llu bytes), %llu out (%llu bytes), %llu ring full",
		 (unsigned long long)c->rx.packets, (unsigned long long)c->rx.bytes,
		 (unsigned long long)c->tx.packets, (unsigned long long)c->tx.bytes,
		 (unsigned long long)c->tx.full);
}

const struct icd_chan_stats *icd_chan_stats(const struct icd_chan *c)
{
	return &c->stats;
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
	return hvtb_vmbus_channel_signal(c->fd);
}

void icd_chan_close(struct icd_chan *c)
{
	/* Rings mapped from the channel fd are unmapped with it. */
	if (c->fd >= 0)
		chan_unmap(c);
	if (c->guest_evfd >= 0)
		close(c->guest_evfd);
	if (c->fd >= 0)
		close(c->fd);	/* rescinds the channel */
	c->rings = NULL;
	c->open = false;
	c->fd = -1;
	c->guest_evfd = -1;
}
