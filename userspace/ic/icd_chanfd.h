/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb-icd's channel-fd adapter: the one place that will know how the
 * kernel hands a daemon its VMBus channel. Everything above it (the IC
 * state machines) sees only a struct hvtb_ic_transport.
 *
 * The binding (uapi/linux/hvtb_vmbus.h): icd_chan_offer() offers the
 * channel on the partition fd and gets its channel fd, and an eventfd for
 * the guest's signals; icd_chan_next() waits for what happens next: the
 * channel fd's records (OPENED: mmap() the ring pair and make the two ring
 * views; CLOSED: unmap them; RELEASED: the channel is gone) and the guest's
 * signals. icd_chan_signal() is HVTB_VMBUS_CHANNEL_SIGNAL.
 *
 * A channel fd changes hands by inheritance: the worker offers the channel
 * (icd_chan_offer_fd()) and starts hvtb-icd with the fd as its fd 3, which
 * adopts it (icd_chan_adopt()). The worker serves its own channels with
 * icd_chan_offer().
 */
#ifndef HVTB_ICD_CHANFD_H
#define HVTB_ICD_CHANFD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ic_chan.h"

/* GPADLs of the channel a server may map (icd_chan_gpadl_pages()). */
#define ICD_MAX_GPADLS	8

/* The counters of a channel (icd_chan_next()). */
struct icd_chan_stats {
	uint64_t opens, closes, signals, bad_opens;
};

struct icd_chan {
	int fd;			/* the channel fd, -1 when closed */
	bool open;		/* OPENED seen, rings mapped, no CLOSED since */
	int guest_evfd;		/* readable when the guest signalled, -1 */
	int aux_fd;		/* the server's own fd to wait on (icd_chan_set_aux()), -1 */
	void *rings;		/* the mmap()ed ring pair */
	size_t rings_len;
	struct hvtb_ring rx;	/* guest-to-host */
	struct hvtb_ring tx;	/* host-to-guest */
	struct hvtb_ic_transport tp;
	struct icd_chan_stats stats;
	/* The channel's GPADLs other than the ring's, from their records. */
	struct { uint32_t gpadl, pages; } gpadls[ICD_MAX_GPADLS];
	unsigned int ngpadls;
};

/*
 * The pages of GPADL @gpadl of the channel, as its GPADL_CREATED record
 * said (mmap() the channel fd at page offset @gpadl for them); -ENOENT if
 * no such record was read (yet: records are read by icd_chan_next()).
 */
int icd_chan_gpadl_pages(const struct icd_chan *c, uint32_t gpadl);

/**
 * icd_chan_adopt() - serve a channel fd someone else offered (hvtb-icd:
 * the fd the worker handed it).
 * @c: the channel, set up on success (not open yet: its OPENED record, if
 *	the guest opened it already, is still queued on the fd).
 * @fd: the channel fd; @c owns it on success (icd_chan_close() closes it).
 *
 * Return: 0; -errno of HVTB_VMBUS_CHANNEL_GET_INFO (-ENOTTY: not a channel
 * fd), fcntl(), eventfd(), HVTB_VMBUS_CHANNEL_SET_EVENTFD.
 */
int icd_chan_adopt(struct icd_chan *c, int fd);

/**
 * icd_chan_offer_fd() - offer a channel and return its fd, nothing more
 * (the worker, for a daemon that adopts it).
 * @partfd, @if_type, @if_instance, @pipe_mode: as icd_chan_offer().
 *
 * Return: the channel fd (close-on-exec); -errno of HVTB_VMBUS_OFFER_CHANNEL
 * (-EEXIST: the same GUIDs are still live, say rescinded and not yet
 * released by the guest).
 */
int icd_chan_offer_fd(int partfd, const uint8_t if_type[16], const uint8_t if_instance[16],
		      uint32_t pipe_mode);

/* What icd_chan_next() saw. */
enum icd_chan_what {
	ICD_CHAN_NOTHING,	/* timeout, or a record that needs nothing */
	ICD_CHAN_SIGNALLED,	/* the guest signalled (open channel) */
	ICD_CHAN_OPENED,	/* the guest opened it: c->tp is valid */
	ICD_CHAN_CLOSED,	/* the guest closed it: c->tp is not */
	ICD_CHAN_RELEASED,	/* rescinded and released: nothing more comes */
	ICD_CHAN_AUX,		/* the aux fd is readable (the server reads it) */
};

/* Also wake icd_chan_next() when @fd is readable (-1: none); after icd_chan_offer(). */
void icd_chan_set_aux(struct icd_chan *c, int fd);

/**
 * icd_chan_offer() - offer a channel to the guest and prepare to serve it.
 * @c: the channel, set up on success (not open yet).
 * @partfd: the partition fd, VMBus enabled.
 * @if_type: the interface type GUID (guid_t bytes).
 * @if_instance: the instance GUID (guid_t bytes).
 * @pipe_mode: user_def's pipe mode (0: not a pipe channel).
 *
 * Return: 0; -errno of HVTB_VMBUS_OFFER_CHANNEL, eventfd(),
 * HVTB_VMBUS_CHANNEL_SET_EVENTFD.
 */
int icd_chan_offer(struct icd_chan *c, int partfd, const uint8_t if_type[16],
		   const uint8_t if_instance[16], uint32_t pipe_mode);

/**
 * icd_chan_next() - wait for the channel's next record or guest signal.
 * @c: an offered channel.
 * @timeout_ms: how long to wait (-1: forever).
 *
 * Records come first. An OPENED whose ring split the adapter cannot use
 * (not contiguous, larger than the GPADL, a corrupt ring header) is
 * counted in bad_opens and the channel stays closed.
 *
 * Return: an enum icd_chan_what; -errno (the channel fd failed).
 */
int icd_chan_next(struct icd_chan *c, int timeout_ms);

/* "N packets in (B bytes), M out (B bytes), F ring full" of the open ring pair, for stats lines. */
void icd_chan_ring_stats(const struct icd_chan *c, char *buf, size_t len);

/* The counters icd_chan_next() keeps. */
const struct icd_chan_stats *icd_chan_stats(const struct icd_chan *c);

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

void icd_chan_close(struct icd_chan *c);

#endif /* HVTB_ICD_CHANFD_H */
