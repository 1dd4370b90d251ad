/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb IC timesync - the host's wall clock for the guest
 * (hv_util.c:timesync_onchannelcallback, adj_guesttime).
 *
 * Times are Windows' FILETIME: 100 ns units since 1601-01-01 UTC; Linux
 * turns them into Unix time as (t - 116444736000000000) * 100 ns.
 * Bodies by negotiated service version:
 *   4.0       ictimesync_ref_data {parenttime u64, vmreferencetime u64 (the
 *             partition reference counter, 100 ns, when parenttime was
 *             sampled: the guest adds the time since), flags u8, leapflags
 *             u8, stratum u8, reserved[3]}            22 bytes
 *   1.0, 3.0  ictimesync_data {parenttime u64, childtime u64,
 *             roundtriptime u64, flags u8}           25 bytes
 * flags: SYNC (1) makes Linux set its clock (do_settimeofday64); SAMPLE (2)
 * is only kept for the "hyperv" PTP clock. The host sends SYNC first after
 * negotiating, then SAMPLE every period (OpenVMM: 5 s). The guest echoes.
 */
#ifndef HVTB_IC_TIMESYNC_H
#define HVTB_IC_TIMESYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "ic_chan.h"

#define HVTB_IC_TIMESYNC_FLAG_PROBE	0u
#define HVTB_IC_TIMESYNC_FLAG_SYNC	1u
#define HVTB_IC_TIMESYNC_FLAG_SAMPLE	2u
#define HVTB_IC_TIMESYNC_REF_BODY	22u	/* version 4.0 */
#define HVTB_IC_TIMESYNC_BODY		25u	/* versions 1.0 and 3.0 */
/* 1601-01-01 to 1970-01-01 in 100 ns units. */
#define HVTB_IC_FILETIME_UNIX_EPOCH	116444736000000000ull

/* Linux's versions, newest first: 4.0, 3.0, 1.0. */
extern const struct hvtb_ic_version hvtb_ic_timesync_versions[3];
extern const struct hvtb_ic_service hvtb_ic_timesync_service;

/* Where the host's times come from (in hvtb-icd: the clock and the partition). */
struct hvtb_ic_clock {
	/* Wall clock now, FILETIME (hvtb_ic_unix_to_filetime()). */
	uint64_t (*filetime)(void *ctx);
	/* The partition's reference counter now (100 ns); needed for 4.0. */
	uint64_t (*reftime)(void *ctx);
	void *ctx;
};

struct hvtb_ic_timesync {
	struct hvtb_ic ic;
	struct hvtb_ic_clock clock;
	uint64_t period_ns;
	uint64_t next_due_ns;
	bool synced;			/* a SYNC was answered since negotiating */
	/* The request outstanding or last sent. */
	uint8_t flags;
	uint64_t parenttime;
	uint64_t reftime;
	uint64_t samples;		/* requests answered */
};

/* FILETIME of a Unix time; 0 before 1601 cannot occur for sec >= 0. */
uint64_t hvtb_ic_unix_to_filetime(uint64_t sec, uint32_t nsec);

/**
 * hvtb_ic_timesync_init() - a timesync IC, CLOSED.
 * @ts: the IC.
 * @tp: its transport.
 * @clock: its time sources (filetime required; reftime for version 4.0).
 * @period_ns: between SAMPLEs.
 *
 * Return: 0; -EINVAL.
 */
int hvtb_ic_timesync_init(struct hvtb_ic_timesync *ts, const struct hvtb_ic_transport *tp,
			  const struct hvtb_ic_clock *clock, uint64_t period_ns);

/**
 * hvtb_ic_timesync_send() - send the host's time now (host action).
 * @ts: a READY timesync IC.
 * @flags: HVTB_IC_TIMESYNC_FLAG_SYNC or _SAMPLE.
 * @now_ns: the time (for timeouts; the times sent come from the clock).
 *
 * Return: as hvtb_ic_request(); -EINVAL (flags; 4.0 without reftime).
 */
int hvtb_ic_timesync_send(struct hvtb_ic_timesync *ts, uint8_t flags, uint64_t now_ns);

/**
 * hvtb_ic_timesync_tick() - the periodic host action: times out, negotiates
 * when CLOSED, sends SYNC until one is answered, then SAMPLE when due.
 * @ts: the IC.
 * @now_ns: the time.
 *
 * Return: 0; the send's error; -EPIPE (BROKEN); -EPROTONOSUPPORT.
 */
int hvtb_ic_timesync_tick(struct hvtb_ic_timesync *ts, uint64_t now_ns);

#endif /* HVTB_IC_TIMESYNC_H */
