/* SPDX-License-Identifier: ISC */
/*
 * bound: the most messages a second this machine could carry end to end,
 * measured in the same run as the end-to-end figure it is compared with:
 * the lower of
 *   (a) the cryptography the protocol requires per message at all three
 *       parties, timed single-threaded with the real proto/ functions and
 *       multiplied by the cores available, and
 *   (b) one database's durable commit rate (WAL, synchronous=FULL) at the
 *       daemons' batch size, in messages a second.
 */
#ifndef DUTYNET_BENCH_BOUND_H
#define DUTYNET_BENCH_BOUND_H

#include <stddef.h>

#include "bench/area.h"
#include "proto/status.h"

#define BOUND_PAYLOAD_BYTES 1024	/* the benchmark's payload size */

/* The parts, in microseconds per message (one operation each, unless
 * said otherwise). */
struct bound {
	double sender_seal_us;		/* encrypt 1 KiB + sign + hash the envelope */
	double broker_verify_us;	/* verify the message's signature + hash */
	double recipient_open_us;	/* verify + decrypt + hash */
	double recipient_receipt_us;	/* seal and sign the receipt + hash */
	double broker_receipt_us;	/* verify the receipt + hash */
	double sender_receipt_us;	/* verify + decrypt the receipt */
	double curve_us;		/* CURVE: every frame of the 7 ZeroMQ messages of one
					 * message's trip, encrypted and decrypted */
	double total_us;		/* all of the above */
	double total_no_curve_us;
	int cores;
	double crypto_per_s;		/* cores * 1e6 / total_us */
	double crypto_no_curve_per_s;
	size_t batch;			/* rows per transaction */
	double commit_ms;		/* one durable commit of a batch */
	double sqlite_per_s;		/* batch / commit time */
	double bound_per_s;		/* min(crypto_per_s, sqlite_per_s) */
	size_t envelope_bytes, receipt_bytes;
};

/* Measures b, using area a's keys and directory and a scratch database in
 * its directory.  -1 and st if something cannot be set up. */
int bound_measure(const struct area *a, struct bound *b, struct status *st);

/* Prints the parts as text (stdout). */
void bound_print(const struct bound *b);

#endif
