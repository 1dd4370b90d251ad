// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb-worker's synthetic SCSI controller: with --disk, the worker offers
 * one storvsc channel (class {ba6163d9-04a1-4d29-b605-72e2ffb1dc7f}) whose
 * LUNs 0..n-1 at path 0, target 0 are the disk images, in the order given;
 * the guest's hv_storvsc binds to it and sd makes /dev/sda, /dev/sdb, ...
 *
 * The protocol and the SCSI target are storvsp's pure logic
 * (userspace/storvsp/); this file binds them to the channel fd (through
 * hvtb-icd's adapter) and to the images. One thread serves the channel:
 * it takes requests off the guest's ring while it has a free request slot
 * (STOR_QD, the back-pressure), answers commands without I/O at once and
 * hands reads, writes and flushes to io_uring (liburing): many in flight,
 * straight between the image and the guest's pages, no copy. Without
 * io_uring (io_uring_queue_init() fails) the same requests run
 * synchronously with preadv/pwritev/fdatasync.
 *
 * Durability: SYNCHRONIZE CACHE and FUA writes complete only after
 * fdatasync() of the image; MODE SENSE reports a write-back cache (WCE), so
 * Linux flushes whenever a file system or sync(2) asks for it.
 *
 * Guest memory: a request's page list is checked page by page against the
 * partition's memory (vm->mem, [0, mem_size)) before any I/O; a page
 * outside it fails the request (INVALID_REQUEST) and is counted. Nothing a
 * guest sends ends the worker: a ring the library finds corrupt is no
 * longer served (counted) until the guest reopens the channel.
 *
 * Locking: the controller's state belongs to its thread; the main thread
 * reads the counters only after wk_stor_stop().
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <liburing.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../ic/icd_chanfd.h"
#include "../storvsp/stor_vsp.h"
#include "worker.h"

/* Requests in flight at once (request slots). */
#define STOR_QD			64u
/* Answers waiting for room in the host-to-guest ring. */
#define STOR_PENDING_MAX	(2u * STOR_QD)
#define STOR_WAIT_MS		200
/* Packets taken per drain before the thread looks at its completions again. */
#define STOR_BUDGET		256u
/* A receive buffer: the vstor packet, its descriptor and the largest page list. */
#define STOR_RX_BUF		(64u + 64u + 8u * STOR_MAX_PFNS)
#define STOR_PAGE		4096u

enum slot_state { SLOT_FREE, SLOT_IO, SLOT_FUA_SYNC };

struct stor_slot {
	enum slot_state state;
	struct stor_pkt req;
	struct stor_scsi_res res;
	uint64_t trans_id;
	unsigned int lun;
	struct iovec iov[STOR_MAX_PFNS];
	unsigned int iovcnt;
};

_Static_assert(sizeof(struct stor_pkt) <= HVTB_RING_BACKLOG_MSG, "a vstor answer fits a backlog entry");

struct stor_disk_stats {
	uint64_t reads, writes, flushes, read_bytes, written_bytes, io_errors;
};

struct wk_stor {
	struct wk_vm *vm;
	struct icd_chan chan;
	struct stor_vsp vsp;
	struct stor_target target;
	int fds[STOR_MAX_LUNS];
	struct stor_disk_stats dstats[STOR_MAX_LUNS];
	struct io_uring ring;
	bool uring;
	int uring_evfd;
	struct stor_slot slots[STOR_QD];
	unsigned int in_flight, max_in_flight;
	/* answers waiting for room in the host-to-guest ring */
	struct hvtb_ring_backlog backlog;
	struct hvtb_ring_backlog_ent pending[STOR_PENDING_MAX];
	bool serving, broken;
	bool unsubmitted;	/* SQEs io_uring_submit() did not take yet */
	bool again;		/* the drain's budget ran out: serve again at once */
	struct wk_thread thread;
	uint8_t rx_buf[STOR_RX_BUF];
	/* counters */
	uint64_t srbs, checks, no_lun, bad_pages, too_big, dropped, broken_rings;
	uint64_t answers, signals_out, submit_retries;
	int last_err;
};

/* {ba6163d9-04a1-4d29-b605-72e2ffb1dc7f}, guid_t bytes. */
static const uint8_t stor_scsi_class[16] = {
	0xd9, 0x63, 0x61, 0xba, 0xa1, 0x04, 0x29, 0x4d,
	0xb6, 0x05, 0x72, 0xe2, 0xff, 0xb1, 0xdc, 0x7f,
};

/* The controller's instance: {68766274-6963-4862-8000-000000000010}. */
static const uint8_t stor_instance[16] = {
	0x74, 0x62, 0x76, 0x68, 0x63, 0x69, 0x62, 0x48,
	0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
};

/* --- images ------------------------------------------------------------- */

int wk_stor_open(struct wk_vm *vm)
{
	struct wk_stor *s;
	unsigned int i;

	if (!vm->cfg.ndisks)
		return 0;
	s = calloc(1, sizeof(*s));
	if (!s)
		return wk_err(WK_EXIT_HVTB, "storage: %s", strerror(ENOMEM));
	s->vm = vm;
	hvtb_ring_backlog_init(&s->backlog, s->pending, STOR_PENDING_MAX);
	s->uring_evfd = -1;
	s->chan.fd = s->chan.guest_evfd = s->chan.aux_fd = -1;	/* not offered yet */
	for (i = 0; i < STOR_MAX_LUNS; i++)
		s->fds[i] = -1;
	vm->stor = s;	/* wk_stor_free() closes what opened */
	for (i = 0; i < vm->cfg.ndisks; i++) {
		const struct wk_disk_cfg *d = &vm->cfg.disks[i];
		struct stor_lun *l = &s->target.luns[i];
		struct stat st;
		uint64_t size;

		s->fds[i] = open(d->path, (d->ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
		if (s->fds[i] < 0)
			return wk_err(WK_EXIT_NOINPUT, "--disk %s: %s", d->path, strerror(errno));
		if (fstat(s->fds[i], &st))
			return wk_err(WK_EXIT_NOINPUT, "--disk %s: %s", d->path, strerror(errno));
		if (S_ISBLK(st.st_mode)) {
			if (ioctl(s->fds[i], BLKGETSIZE64, &size))
				return wk_err(WK_EXIT_NOINPUT, "--disk %s: BLKGETSIZE64: %s", d->path,
					      strerror(errno));
		} else if (S_ISREG(st.st_mode)) {
			size = st.st_size;
		} else {
			return wk_err(WK_EXIT_IMAGE, "--disk %s: not a regular file or block device",
				      d->path);
		}
		if (size < STOR_BLOCK || size % STOR_BLOCK)
			return wk_err(WK_EXIT_IMAGE, "--disk %s: %" PRIu64 " bytes: not a positive multiple of %u",
				      d->path, size, STOR_BLOCK);
		l->present = true;
		l->ro = d->ro;
		l->blocks = size / STOR_BLOCK;
		snprintf(l->serial, sizeof(l->serial), "hvtb-lun%u", i);
	}
	return 0;
}

/* --- answers ------------------------------------------------------------ */

static void stor_signal(struct wk_stor *s)
{
	int e = icd_chan_signal(&s->chan);

	if (e)
		s->last_err = e;
	else
		s->signals_out++;
}

static void stor_broken(struct wk_stor *s, int err)
{
	s->broken = true;
	s->broken_rings++;
	s->last_err = err;
}

/* An answer: into the ring, or behind the ones still waiting for room. */
static void stor_answer(struct wk_stor *s, uint64_t trans_id, const struct stor_pkt *pkt)
{
	int ret = hvtb_ring_comp(&s->chan.tx, &s->backlog, trans_id, pkt, sizeof(*pkt));

	/* -ENOBUFS cannot happen: requests are taken only while their answers have room. */
	if (ret)
		stor_broken(s, ret);
	else
		s->answers++;
}

static void stor_flush_pending(struct wk_stor *s)
{
	int ret = hvtb_ring_backlog_flush(&s->chan.tx, &s->backlog);

	if (ret < 0)
		stor_broken(s, ret);
}

static void stor_complete(struct wk_stor *s, struct stor_slot *sl)
{
	struct stor_pkt out;

	if (sl->res.kind == STOR_SCSI_CHECK)
		s->checks++;
	stor_vsp_complete_srb(&sl->req, &sl->res, &out);
	stor_answer(s, sl->trans_id, &out);
	if (sl->state != SLOT_FREE) {
		sl->state = SLOT_FREE;
		s->in_flight--;
	}
}

/* --- guest pages -------------------------------------------------------- */

/* The request's page list as iovecs into guest memory; false if a page is outside it. */
static bool stor_map_pages(struct wk_stor *s, const struct hvtb_ring_gpa_range *g,
			   struct stor_slot *sl)
{
	uint64_t pages = s->vm->mem_size / STOR_PAGE;
	uint32_t left = g->byte_count, off = g->byte_offset, i;

	sl->iovcnt = 0;
	for (i = 0; i < g->pfn_count && left; i++) {
		uint64_t pfn = hvtb_ring_gpa_pfn(g, i);
		uint32_t n = STOR_PAGE - off;
		uint8_t *p;

		if (pfn >= pages)
			return false;
		if (n > left)
			n = left;
		p = s->vm->mem + pfn * STOR_PAGE + off;
		if (sl->iovcnt && (uint8_t *)sl->iov[sl->iovcnt - 1].iov_base +
				  sl->iov[sl->iovcnt - 1].iov_len == p)
			sl->iov[sl->iovcnt - 1].iov_len += n;	/* contiguous: one piece */
		else
			sl->iov[sl->iovcnt++] = (struct iovec){ p, n };
		left -= n;
		off = 0;
	}
	return !left;
}

/* Data the SCSI target built, into the guest's buffer. */
static void stor_copy_out(struct stor_slot *sl, const uint8_t *data, uint32_t len)
{
	unsigned int i;

	for (i = 0; i < sl->iovcnt && len; i++) {
		uint32_t n = sl->iov[i].iov_len < len ? sl->iov[i].iov_len : len;

		memcpy(sl->iov[i].iov_base, data, n);
		data += n;
		len -= n;
	}
}

/* --- I/O ---------------------------------------------------------------- */

/* An I/O ended with @res (bytes, or -errno): complete the SRB, or FUA: flush first. */
static void stor_io_done(struct wk_stor *s, struct stor_slot *sl, int res);

/*
 * Hand the queued SQEs to the kernel. liburing has already published them
 * in the submission ring, so one the kernel does not take now (EAGAIN,
 * EBUSY: its completion ring is full, EINTR) stays queued and in flight:
 * stor_serve() pushes it again after reaping, never completes it twice.
 */
static void stor_push(struct wk_stor *s)
{
	int ret = io_uring_submit(&s->ring);

	if (ret < 0) {
		s->submit_retries++;
		if (ret != -EAGAIN && ret != -EBUSY && ret != -EINTR)
			s->last_err = ret;
	}
	s->unsubmitted = io_uring_sq_ready(&s->ring) > 0;
}

static int stor_submit(struct wk_stor *s, struct stor_slot *sl, bool sync_only)
{
	int fd = s->fds[sl->lun];
	off_t off = (off_t)sl->res.lba * STOR_BLOCK;
	struct io_uring_sqe *sqe;

	if (!s->uring) {
		ssize_t r;

		if (sync_only || sl->res.kind == STOR_SCSI_FLUSH)
			r = fdatasync(fd) ? -errno : 0;
		else if (sl->res.kind == STOR_SCSI_READ)
			r = preadv(fd, sl->iov, sl->iovcnt, off);
		else
			r = pwritev(fd, sl->iov, sl->iovcnt, off);
		stor_io_done(s, sl, r < 0 ? (r == -1 ? -errno : (int)r) : (int)r);
		return 0;
	}
	/* One SQE per slot in flight and STOR_QD entries: there is always one. */
	sqe = io_uring_get_sqe(&s->ring);
	if (!sqe)
		return -EBUSY;
	if (sync_only || sl->res.kind == STOR_SCSI_FLUSH)
		io_uring_prep_fsync(sqe, fd, IORING_FSYNC_DATASYNC);
	else if (sl->res.kind == STOR_SCSI_READ)
		io_uring_prep_readv(sqe, fd, sl->iov, sl->iovcnt, off);
	else
		io_uring_prep_writev(sqe, fd, sl->iov, sl->iovcnt, off);
	io_uring_sqe_set_data64(sqe, sl - s->slots);
	stor_push(s);
	return 0;
}

static void stor_io_done(struct wk_stor *s, struct stor_slot *sl, int res)
{
	struct stor_disk_stats *ds = &s->dstats[sl->lun];
	bool read = sl->res.kind == STOR_SCSI_READ;
	uint32_t want = sl->res.kind == STOR_SCSI_FLUSH || sl->state == SLOT_FUA_SYNC ? 0 :
			sl->res.len;

	if (res < 0 || (uint32_t)res != want) {
		/* A short transfer of a range inside the image is an error too. */
		ds->io_errors++;
		s->last_err = res < 0 ? res : -EIO;
		stor_scsi_check(&sl->res, STOR_KEY_MEDIUM_ERROR,
				read ? STOR_ASC_READ_ERROR : STOR_ASC_WRITE_ERROR);
		stor_complete(s, sl);
		return;
	}
	if (sl->state == SLOT_IO) {
		if (sl->res.kind == STOR_SCSI_READ) {
			ds->reads++;
			ds->read_bytes += res;
		} else if (sl->res.kind == STOR_SCSI_WRITE) {
			ds->writes++;
			ds->written_bytes += res;
		} else {
			ds->flushes++;
		}
		if (sl->res.kind == STOR_SCSI_WRITE && sl->res.fua) {
			sl->state = SLOT_FUA_SYNC;
			if (stor_submit(s, sl, true))
				stor_io_done(s, sl, -EIO);
			return;
		}
	} else {
		ds->flushes++;
	}
	sl->res.kind = STOR_SCSI_DONE;	/* len: the bytes moved (0 for a flush) */
	stor_complete(s, sl);
}

static void stor_reap(struct wk_stor *s)
{
	struct io_uring_cqe *cqe;
	uint64_t n;

	if (!s->uring)
		return;
	if (read(s->uring_evfd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		s->last_err = -errno;
	while (io_uring_peek_cqe(&s->ring, &cqe) == 0) {
		uint64_t i = io_uring_cqe_get_data64(cqe);
		int res = cqe->res;

		io_uring_cqe_seen(&s->ring, cqe);
		if (i < STOR_QD && s->slots[i].state != SLOT_FREE)
			stor_io_done(s, &s->slots[i], res);
	}
}

/* --- requests ----------------------------------------------------------- */

static struct stor_slot *stor_slot_get(struct wk_stor *s)
{
	unsigned int i;

	for (i = 0; i < STOR_QD; i++)
		if (s->slots[i].state == SLOT_FREE)
			return &s->slots[i];
	return NULL;
}

static void stor_srb(struct wk_stor *s, const struct stor_vsp_action *act)
{
	struct stor_slot *sl = stor_slot_get(s);	/* the caller made sure of one */
	const struct stor_srb *srb = &act->req.srb;

	s->srbs++;
	sl->req = act->req;
	sl->trans_id = act->trans_id;
	sl->lun = srb->lun;
	sl->iovcnt = 0;
	if (act->has_data && !stor_map_pages(s, &act->gpa, sl)) {
		struct stor_pkt out;

		s->bad_pages++;
		stor_vsp_fail_srb(&act->req, STOR_SRB_INVALID_REQUEST, STOR_NT_INVALID_PARAMETER, &out);
		stor_answer(s, act->trans_id, &out);
		return;
	}
	stor_scsi_exec(&s->target, srb->path_id, srb->target_id, srb->lun, srb->cdb,
		       srb->cdb_length, srb->data_in, srb->data_transfer_length, &sl->res);
	switch (sl->res.kind) {
	case STOR_SCSI_DONE:
		stor_copy_out(sl, sl->res.data, sl->res.len);
		stor_complete(s, sl);
		return;
	case STOR_SCSI_NO_LUN:
		s->no_lun++;
		stor_complete(s, sl);
		return;
	case STOR_SCSI_CHECK:
		stor_complete(s, sl);
		return;
	default:
		break;
	}
	sl->state = SLOT_IO;
	s->in_flight++;
	if (s->in_flight > s->max_in_flight)
		s->max_in_flight = s->in_flight;
	if (stor_submit(s, sl, false))
		stor_io_done(s, sl, -EIO);
}

static bool stor_can_take(struct wk_stor *s)
{
	/* Every request in flight and this one may still need a place in the backlog. */
	return s->in_flight < STOR_QD && hvtb_ring_backlog_room(&s->backlog, s->in_flight + 1);
}

/* One packet of the guest's ring (hvtb_ring_drain()). */
static int stor_take(void *ctx, const struct hvtb_ring_pkt *pkt, int err)
{
	struct wk_stor *s = ctx;
	struct stor_vsp_action act;

	if (!stor_can_take(s))
		return HVTB_RING_LEAVE;	/* a completion brings us back */
	if (err == -EMSGSIZE) {
		/* Longer than any request: answer it as malformed. */
		struct stor_pkt out = { .operation = STOR_OP_COMPLETE_IO,
					.status = STOR_NT_INVALID_PARAMETER };

		s->too_big++;
		stor_answer(s, pkt->trans_id, &out);
	} else {
		stor_vsp_parse(&s->vsp, pkt, &act);
		if (act.what == STOR_VSP_REPLY)
			stor_answer(s, act.trans_id, &act.reply);
		else if (act.what == STOR_VSP_SRB)
			stor_srb(s, &act);
		else
			s->dropped++;
	}
	return s->broken ? -EPIPE : HVTB_RING_TAKEN;
}

/* Requests off the guest's ring while there is room for them. */
static void stor_drain(struct wk_stor *s)
{
	bool signal = false;
	int ret;

	ret = hvtb_ring_drain(&s->chan.rx, s->rx_buf, sizeof(s->rx_buf), STOR_BUDGET,
			      stor_take, s, &signal);
	if (signal)
		stor_signal(s);
	s->again = ret == HVTB_RING_MORE;
	if (ret < 0 && !s->broken)
		stor_broken(s, ret);
}

static void stor_serve(struct wk_stor *s)
{
	bool signal;
	int ret;

	stor_reap(s);
	if (s->unsubmitted)
		stor_push(s);
	if (s->broken)
		return;
	stor_flush_pending(s);
	if (!s->broken)
		stor_drain(s);
	if (s->broken)
		return;
	ret = hvtb_ring_write_commit(&s->chan.tx, &signal);
	if (ret)
		stor_broken(s, ret);
	else if (signal)
		stor_signal(s);
}

/* The ring went away (closed, reopened, released): let the I/O in flight end, drop its answers. */
static void stor_quiesce(struct wk_stor *s)
{
	struct io_uring_cqe *cqe;
	unsigned int i;
	int ret;

	while (s->uring && s->in_flight) {
		/* What was not submitted yet goes now, then wait for one completion. */
		ret = io_uring_submit_and_wait(&s->ring, 1);
		if (ret < 0 && ret != -EINTR && ret != -EAGAIN && ret != -EBUSY) {
			s->last_err = ret;
			break;
		}
		while (io_uring_peek_cqe(&s->ring, &cqe) == 0) {
			i = io_uring_cqe_get_data64(cqe);
			io_uring_cqe_seen(&s->ring, cqe);
			if (i < STOR_QD && s->slots[i].state != SLOT_FREE) {
				s->slots[i].state = SLOT_FREE;
				s->in_flight--;
			}
		}
	}
	s->unsubmitted = s->uring && io_uring_sq_ready(&s->ring) > 0;
	hvtb_ring_backlog_reset(&s->backlog);
	s->again = false;
}

static void *stor_thread(void *arg)
{
	struct wk_stor *s = arg;
	struct stor_vsp_stats st;
	int what;

	while (!wk_vm_ended(s->vm)) {
		what = icd_chan_next(&s->chan, s->again ? 0 : STOR_WAIT_MS);
		if (what < 0) {
			s->last_err = what;
			break;
		}
		switch (what) {
		case ICD_CHAN_OPENED:
			stor_quiesce(s);
			st = s->vsp.stats;	/* the counters go on over reopens */
			stor_vsp_init(&s->vsp);
			s->vsp.stats = st;
			s->serving = true;
			s->broken = false;
			break;
		case ICD_CHAN_CLOSED:
			s->serving = false;
			stor_quiesce(s);
			break;
		case ICD_CHAN_RELEASED:
			s->serving = false;
			stor_quiesce(s);
			return NULL;
		default:
			break;
		}
		if (s->serving && !s->broken)
			stor_serve(s);
		else if (what == ICD_CHAN_AUX)
			stor_reap(s);	/* completions of a closed ring: dropped */
	}
	stor_quiesce(s);
	return NULL;
}

/* --- the worker's calls --------------------------------------------------- */

int wk_stor_offer(struct wk_vm *vm)
{
	struct wk_stor *s = vm->stor;
	int e;

	if (!s)
		return 0;
	e = icd_chan_offer(&s->chan, vm->part, stor_scsi_class, stor_instance, 0);
	if (e)
		return e;
	if (!io_uring_queue_init(STOR_QD, &s->ring, 0)) {
		s->uring_evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (s->uring_evfd >= 0 && !io_uring_register_eventfd(&s->ring, s->uring_evfd)) {
			s->uring = true;
			icd_chan_set_aux(&s->chan, s->uring_evfd);
		} else {
			io_uring_queue_exit(&s->ring);
		}
	}
	if (!s->uring)
		fprintf(stderr, "hvtb-worker: storage: no io_uring here: disk I/O runs synchronously\n");
	return 0;
}

int wk_stor_start(struct wk_vm *vm)
{
	struct wk_stor *s = vm->stor;

	if (!s || s->chan.fd < 0)
		return 0;
	return wk_thread_start(&s->thread, stor_thread, s);
}

void wk_stor_stop(struct wk_vm *vm)
{
	if (vm->stor)
		wk_thread_join(&vm->stor->thread);
}

void wk_stor_print_stats(struct wk_vm *vm, FILE *out)
{
	const struct wk_stor *s = vm->stor;
	const struct icd_chan_stats *cs;
	char rings[160];
	unsigned int i;

	if (!s)
		return;
	cs = icd_chan_stats(&s->chan);
	icd_chan_ring_stats(&s->chan, rings, sizeof(rings));
	fprintf(out, "hvtb-worker: storage: protocol %u.%u, %s, %s; %" PRIu64 " packets, %" PRIu64 " SRBs, %" PRIu64 " answers, %" PRIu64 " CHECK CONDITIONs, %" PRIu64 " to absent LUNs; %u most in flight, %" PRIu64 " answers waited for room (%u at most), %" PRIu64 " submits retried; bad: %" PRIu64 " packets, %" PRIu64 " page lists outside guest memory, %" PRIu64 " too long, %" PRIu64 " dropped, %" PRIu64 " corrupt rings; channel %" PRIu64 " opens, %" PRIu64 " guest signals, %" PRIu64 " host signals, %s%s%s\n",
		s->vsp.version >> 8, s->vsp.version & 0xff, stor_vsp_state_name(s->vsp.state),
		s->uring ? "io_uring" : "synchronous I/O", s->vsp.stats.packets, s->srbs, s->answers,
		s->checks, s->no_lun, s->max_in_flight, s->backlog.waited, s->backlog.max_count,
		s->submit_retries, s->vsp.stats.bad, s->bad_pages, s->too_big,
		s->dropped, s->broken_rings, cs->opens, cs->signals, s->signals_out, rings,
		s->last_err ? ", last error: " : "", s->last_err ? strerror(-s->last_err) : "");
	for (i = 0; i < vm->cfg.ndisks; i++) {
		const struct stor_disk_stats *d = &s->dstats[i];

		fprintf(out, "hvtb-worker: disk %u (%s%s, %" PRIu64 " blocks): %" PRIu64 " reads (%" PRIu64 " bytes), %" PRIu64 " writes (%" PRIu64 " bytes), %" PRIu64 " flushes, %" PRIu64 " I/O errors\n",
			i, vm->cfg.disks[i].path, vm->cfg.disks[i].ro ? ", read-only" : "",
			s->target.luns[i].blocks, d->reads, d->read_bytes, d->writes,
			d->written_bytes, d->flushes, d->io_errors);
	}
}

void wk_stor_free(struct wk_vm *vm)
{
	struct wk_stor *s = vm->stor;
	unsigned int i;

	if (!s)
		return;
	wk_stor_stop(vm);
	if (s->chan.fd >= 0 || s->chan.guest_evfd >= 0)
		icd_chan_close(&s->chan);
	if (s->uring)
		io_uring_queue_exit(&s->ring);
	if (s->uring_evfd >= 0)
		close(s->uring_evfd);
	for (i = 0; i < STOR_MAX_LUNS; i++)
		if (s->fds[i] >= 0)
			close(s->fds[i]);
	free(s);
	vm->stor = NULL;
}
