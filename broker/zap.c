/* SPDX-License-Identifier: ISC */
/*
 * zap: the ZAP handler (see zap.h).  Requests arrive on a REP socket, one
 * per CURVE handshake, and each is answered at once from the in-memory
 * directory: every handshake waits on this, serially, so there is no I/O
 * here beyond the reply.  Everything in a request comes from libzmq, but
 * its address and key come from the network, so both are length-checked
 * before use and never printed raw.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <zmq.h>

#include "broker/zap.h"
#include "common/log.h"

#define ZAP_VERSION "1.0"
/* Request: version, request id, domain, address, routing id, mechanism,
 * credentials (CURVE: the client's key). */
enum { REQ_VERSION, REQ_ID, REQ_DOMAIN, REQ_ADDRESS, REQ_ROUTING_ID, REQ_MECHANISM,
	REQ_KEY, REQ_PARTS };
#define ZAP_REQUEST_ID_MAX 255
/* The metadata frame: 1-byte name length, name, 4-byte value length, value. */
#define METADATA_MAX (1 + sizeof(ZAP_PROPERTY_KEY) + 4 + ZAP_KEY_HEX)

struct zap {
	void *sock;
	struct zap_decision recent[ZAP_RECENT];
	size_t first, n;	/* a ring, oldest at first */
};

struct zap *
zap_new(void *ctx, struct status *st)
{
	struct zap *z = calloc(1, sizeof(*z));
	int linger = 0;

	if (z == NULL) {
		status_set(st, STATUS_UNAVAILABLE, "out of memory for the ZAP handler");
		return NULL;
	}
	if ((z->sock = zmq_socket(ctx, ZMQ_REP)) == NULL ||
	    zmq_setsockopt(z->sock, ZMQ_LINGER, &linger, sizeof(linger)) == -1 ||
	    zmq_bind(z->sock, ZAP_ENDPOINT) == -1) {
		status_set(st, STATUS_UNAVAILABLE, "ZAP handler on %s: %s", ZAP_ENDPOINT,
		    zmq_strerror(zmq_errno()));
		zap_destroy(&z);
	}
	return z;
}

void
zap_destroy(struct zap **zp)
{
	if (zp == NULL || *zp == NULL)
		return;
	if ((*zp)->sock != NULL)
		zmq_close((*zp)->sock);
	free(*zp);
	*zp = NULL;
}

void *
zap_socket(struct zap *z)
{
	return z->sock;
}

void
zap_fingerprint(const uint8_t key[DIRECTORY_CURVE_PKBYTES], char out[ZAP_FINGERPRINT_LEN + 1])
{
	uint8_t id[SEAL_KEYID_BYTES];

	seal_keyid(key, DIRECTORY_CURVE_PKBYTES, id);
	sodium_bin2hex(out, ZAP_FINGERPRINT_LEN + 1, id, sizeof(id));
}

static void
remember(struct zap *z, const struct zap_decision *d)
{
	if (z->n == ZAP_RECENT) {	/* forget the oldest */
		z->first = (z->first + 1) % ZAP_RECENT;
		z->n--;
	}
	z->recent[(z->first + z->n) % ZAP_RECENT] = *d;
	z->n++;
}

int
zap_take(struct zap *z, bool admitted, struct zap_decision *out)
{
	size_t i, j, k;

	for (i = 0; i < z->n; i++) {
		k = (z->first + i) % ZAP_RECENT;
		if (z->recent[k].admitted != admitted)
			continue;
		*out = z->recent[k];
		/* Close the gap: shift the later ones down by one. */
		for (j = i; j + 1 < z->n; j++)
			z->recent[(z->first + j) % ZAP_RECENT] =
			    z->recent[(z->first + j + 1) % ZAP_RECENT];
		z->n--;
		return 0;
	}
	return -1;
}

/* Copies a frame as printable text (anything else becomes '?'). */
static void
frame_text(zmq_msg_t *f, char *out, size_t cap)
{
	const char *p = zmq_msg_data(f);
	size_t i, n = zmq_msg_size(f);

	if (n > cap - 1)
		n = cap - 1;
	for (i = 0; i < n; i++)
		out[i] = (p[i] > ' ' && p[i] < 0x7f) ? p[i] : '?';
	out[n] = '\0';
}

static int
frame_is(zmq_msg_t *f, const char *s)
{
	return zmq_msg_size(f) == strlen(s) && memcmp(zmq_msg_data(f), s, strlen(s)) == 0;
}

static size_t
metadata(const uint8_t key[DIRECTORY_CURVE_PKBYTES], uint8_t out[METADATA_MAX])
{
	char hex[ZAP_KEY_HEX + 1];
	size_t name = strlen(ZAP_PROPERTY_KEY), n = 0;

	sodium_bin2hex(hex, sizeof(hex), key, DIRECTORY_CURVE_PKBYTES);
	out[n++] = (uint8_t)name;
	memcpy(out + n, ZAP_PROPERTY_KEY, name);
	n += name;
	out[n++] = 0;
	out[n++] = 0;
	out[n++] = 0;
	out[n++] = ZAP_KEY_HEX;
	memcpy(out + n, hex, ZAP_KEY_HEX);
	return n + ZAP_KEY_HEX;
}

static void
reply(void *sock, const void *id, size_t id_len, const char *code, const char *text,
    const char *user, const uint8_t *meta, size_t meta_len)
{
	/* A REP reply cannot fail short of a broken context: libzmq then
	 * fails the handshake itself, and the monitor reports it. */
	zmq_send(sock, ZAP_VERSION, strlen(ZAP_VERSION), ZMQ_SNDMORE);
	zmq_send(sock, id, id_len, ZMQ_SNDMORE);
	zmq_send(sock, code, strlen(code), ZMQ_SNDMORE);
	zmq_send(sock, text, strlen(text), ZMQ_SNDMORE);
	zmq_send(sock, user, strlen(user), ZMQ_SNDMORE);
	zmq_send(sock, meta, meta_len, 0);
}

/* Decides one request whose frames are f[0..n) (n is -1 if there were
 * more frames than a request has). */
static void
decide(struct zap *z, zmq_msg_t *f, int n, const struct directory *d, struct auditq *aq,
    struct stats *s)
{
	const struct directory_agency *a = NULL;
	struct zap_decision dec;
	uint8_t meta[METADATA_MAX];
	const char *why = NULL;
	const void *id = "";
	size_t id_len = 0;

	memset(&dec, 0, sizeof(dec));
	snprintf(dec.address, sizeof(dec.address), "unknown");
	snprintf(dec.fingerprint, sizeof(dec.fingerprint), "none");
	if (n < 0)
		n = 0;	/* read nothing from an oversized request */
	if (n > REQ_ID && zmq_msg_size(&f[REQ_ID]) <= ZAP_REQUEST_ID_MAX) {
		id = zmq_msg_data(&f[REQ_ID]);
		id_len = zmq_msg_size(&f[REQ_ID]);
	}
	if (n > REQ_ADDRESS)
		frame_text(&f[REQ_ADDRESS], dec.address, sizeof(dec.address));
	if (n != REQ_PARTS || !frame_is(&f[REQ_VERSION], ZAP_VERSION))
		why = "malformed ZAP request";
	else if (!frame_is(&f[REQ_DOMAIN], ZAP_DOMAIN))
		why = "wrong ZAP domain";
	else if (!frame_is(&f[REQ_MECHANISM], ZAP_MECHANISM) ||
	    zmq_msg_size(&f[REQ_KEY]) != DIRECTORY_CURVE_PKBYTES)
		why = "not a CURVE client";
	if (why == NULL) {
		zap_fingerprint(zmq_msg_data(&f[REQ_KEY]), dec.fingerprint);
		if ((a = directory_find_curve(d, zmq_msg_data(&f[REQ_KEY]))) == NULL)
			why = "CURVE key not in the directory";
	}
	if (why != NULL) {
		stats_inc(s, STATS_ZAP_REFUSED);
		log_event(LOG_LEVEL_WARN, NULL, NULL, "zap-refused", "address=%s key=%s: %s",
		    dec.address, dec.fingerprint, why);
		if (auditq_push(aq, "zap-refused", NULL, NULL, "address=%s key=%s %s", dec.address,
			dec.fingerprint, why) == -1)
			stats_inc(s, STATS_AUDIT_LOST);
		remember(z, &dec);
		reply(z->sock, id, id_len, n == REQ_PARTS ? "400" : "500", why, "", NULL, 0);
		return;
	}
	stats_inc(s, STATS_ZAP_ADMITTED);
	dec.admitted = true;
	snprintf(dec.agency, sizeof(dec.agency), "%s", a->id);
	remember(z, &dec);
	log_event(LOG_LEVEL_DEBUG, a->id, NULL, "zap-admitted", "address=%s key=%s", dec.address,
	    dec.fingerprint);
	reply(z->sock, id, id_len, "200", "OK", a->id, meta, metadata(a->curve_pk, meta));
}

void
zap_handle(struct zap *z, const struct directory *d, struct auditq *aq, struct stats *s)
{
	zmq_msg_t f[REQ_PARTS + 1];
	int n, total, more, i;

	for (;;) {
		n = total = 0;
		do {
			zmq_msg_init(&f[n]);
			if (zmq_msg_recv(&f[n], z->sock, total == 0 ? ZMQ_DONTWAIT : 0) == -1) {
				zmq_msg_close(&f[n]);
				if (total == 0)
					return;	/* nothing pending */
				break;
			}
			more = zmq_msg_more(&f[n]);
			total++;
			/* Frames past the last expected one are read and dropped
			 * through the spare slot. */
			if (n < REQ_PARTS)
				n++;
			else
				zmq_msg_close(&f[n]);
		} while (more);
		decide(z, f, total == n ? n : -1, d, aq, s);
		for (i = 0; i < n; i++)
			zmq_msg_close(&f[i]);
	}
}
