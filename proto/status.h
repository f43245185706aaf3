/* SPDX-License-Identifier: ISC */
/*
 * status: the outcome of anything that can fail because of bad input or a
 * refusal.  Codes work like SMTP's: 2xx done, 4xx temporary (retry with the
 * same message id), 5xx permanent.  proto/PROTOCOL.md fixes every code; the
 * text names the bad value and what to do, and never contains secrets or
 * payload plaintext.
 */
#ifndef DUTYNET_STATUS_H
#define DUTYNET_STATUS_H

#define STATUS_TEXT_LEN 256

enum status_code {
	STATUS_OK = 200,		/* done */
	STATUS_ACCEPTED = 202,		/* broker committed the message */
	STATUS_DELIVERED = 250,		/* recipient's signed receipt arrived */

	STATUS_UNAVAILABLE = 421,	/* service shutting down or not ready */
	STATUS_STORE_FAILED = 451,	/* local storage error; nothing lost */
	STATUS_QUOTA = 452,		/* storage quota reached; retry later */
	STATUS_BUSY = 453,		/* too many messages in flight; retry */

	STATUS_MALFORMED = 500,		/* bytes do not parse */
	STATUS_UNKNOWN_COMMAND = 501,	/* frame command not known */
	STATUS_BAD_VERSION = 502,	/* protocol or envelope version */
	STATUS_BAD_TYPE = 503,		/* unknown message type */
	STATUS_BAD_FIELD = 504,		/* a field's value is invalid */
	STATUS_TOO_LARGE = 510,		/* over a size cap */
	STATUS_BAD_SIGNATURE = 520,	/* signature does not verify */
	STATUS_UNKNOWN_KEY = 521,	/* key id not in the directory */
	STATUS_SENDER_MISMATCH = 522,	/* from != authenticated agency */
	STATUS_DECRYPT_FAILED = 523,	/* ciphertext does not open */
	STATUS_WRONG_RECIPIENT = 524,	/* envelope not addressed to us */
	STATUS_UNKNOWN_AGENCY = 530,	/* agency not in the directory */
	STATUS_FORBIDDEN = 531,		/* sharing policy forbids the route */
	STATUS_NOT_ACCEPTED = 532,	/* recipient does not accept type */
	STATUS_EXPIRED = 540,		/* not delivered before expiry */
	STATUS_REJECTED = 541,		/* recipient rejected the message */
	STATUS_CONFLICT = 550,		/* same message id, other content */
	STATUS_PROVE_FROM = 560,	/* checkpoint proof from the wrong size */
	STATUS_INCONSISTENT = 561,	/* checkpoint contradicts an earlier one */
};

struct status {
	int code;
	char text[STATUS_TEXT_LEN];
};

/* Sets st (if not NULL) to code and a printf-formatted text; returns -1 so
 * callers can write `return status_set(st, ...)`. */
int status_set(struct status *st, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets st to 200 with an empty text. */
void status_ok(struct status *st);

/* Returns the fixed short name of a code ("bad-signature"), or "unknown". */
const char *status_name(int code);

/* 1 if the code is temporary (4xx): the sender retries with the same id. */
int status_is_temporary(int code);

#endif
