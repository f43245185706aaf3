/* SPDX-License-Identifier: ISC */
/*
 * tc_io: dutynet-testclient's connection: the DEALER (CURVE client) and its
 * socket monitor, sending frames, and reading and printing whatever the
 * broker sends, one line each: "COMMAND CODE TEXT".  While `receiving`, it
 * plays the recipient agent: it verifies and opens each DELIVER and answers
 * with a signed RECEIPT, and ACKs receipts and OUTCOMEs.
 */
#ifndef DUTYNET_TESTS_TC_IO_H
#define DUTYNET_TESTS_TC_IO_H

#include <stddef.h>
#include <stdint.h>

#include "common/keyfile.h"
#include "config/directory.h"
#include "proto/frame.h"

struct tc_io_config {
	const char *config;	/* configuration directory */
	const char *agency;	/* key file DIR/keys/AGENCY.key */
	const char *key;	/* or this key file */
	int random_key;		/* or a fresh key no directory lists */
	const char *routing_id;	/* NULL: let libzmq choose, as agents do */
	const char *endpoint;	/* NULL: broker.conf's */
	int timeout_ms;
};

struct tc_io {
	void *ctx, *sock, *mon;
	struct keyfile *k;	/* NULL with a random key */
	struct directory *d;
	char agency[IDS_AGENCY_MAX + 1];
	int timeout_ms;
	int receiving;
	int has_last;
	uint8_t last_id[IDS_MSGID_BYTES];	/* the last envelope sent */
	uint8_t *rbuf;				/* receipts are built here */
	unsigned receipts_sent;			/* RECEIPTs sent ... */
	unsigned results;			/* ... and RESULTs seen */
	/* Lines printed but not taken by an expectation (they arrived while
	 * sending, or while waiting for something else): a later wait may
	 * take them. */
	char **backlog;
	size_t nbacklog, capbacklog;
};

/* What tc_io_wait waits for: count lines whose command is cmd (NULL: any),
 * with code (0: any) and containing text (NULL: any), within ms. */
struct tc_expect {
	const char *cmd;
	int code;
	const char *text;
	int count;
	int ms;
	int seen;
};

int tc_io_open(struct tc_io *io, const struct tc_io_config *cfg);
void tc_io_close(struct tc_io *io);

/* Each returns 0, or 2 if the message could not be sent in time. */
int tc_io_hello(struct tc_io *io, const char *agency, uint32_t window);
int tc_io_simple(struct tc_io *io, uint8_t command, uint64_t value);	/* PING, ACK */
int tc_io_send_envelope(struct tc_io *io, uint8_t command, uint64_t seq, const uint8_t *env,
    size_t len);	/* SEND, RECEIPT */
int tc_io_send_frames(struct tc_io *io, const uint8_t (*frames)[FRAME_MAX_BODY],
    const size_t *lens, int n);

/* Reads and discards what is waiting (during floods); tc_io_quiet goes on
 * until nothing has come for ms. */
void tc_io_drain(struct tc_io *io);
void tc_io_quiet(struct tc_io *io, int ms);

/* Handles what arrives for ms milliseconds, counting matches of e. */
void tc_io_poll(struct tc_io *io, int ms, struct tc_expect *e);

/* Handles what arrives until every RECEIPT sent has its RESULT, or ms. */
void tc_io_settle(struct tc_io *io, int ms);

/* Handles what arrives until e->count matches (0, or -1 after e->ms; with
 * count 0 it waits the whole e->ms and returns 0). */
int tc_io_wait(struct tc_io *io, struct tc_expect *e);

#endif
