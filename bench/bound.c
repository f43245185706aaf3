/* SPDX-License-Identifier: ISC */
/*
 * bound: measuring the bound (see bound.h).
 *
 * (a) Each part is the real code a party runs, timed in a loop on this
 * thread: seal_envelope with a precomputed pair key (the agents keep one
 * per peer, pairkeys.c), seal_verify, seal_decrypt and seal_hash on
 * envelopes of the benchmark's size, built by the test client's builder
 * (tests/support/testclient/tc_build.c, the same proto/ calls an agent
 * makes).  Message decoding, SQL and sockets are not counted: this is the
 * cryptography alone.  The CURVE transport (PROTOCOL.md 7.1 requires it)
 * encrypts every frame of every ZeroMQ message, once at the sending end
 * and once decrypted at the receiving end; a message's trip is 7 of them -
 * SEND, RESULT, DELIVER, RECEIPT, RESULT, DELIVER of the receipt, ACK -
 * each timed as libzmq 4.3 does it: crypto_box_afternm of the frame plus
 * its flags byte, with the session key precomputed at the handshake.
 * The handshake itself is not per message and is not counted.
 *
 * (b) A scratch database opened as the daemons open theirs (db_open: WAL,
 * synchronous=FULL), with a table shaped like the broker's messages and an
 * audit row per message (auditlog_append, hash chain and all): batches of
 * BROKER_BATCH_MAX rows, each one transaction, timed over at least
 * SQLITE_MIN_MS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>

#include <sodium.h>

#include "bench/bound.h"
#include "bench/proc.h"
#include "broker/broker.h"
#include "common/auditlog.h"
#include "common/db.h"
#include "config/directory.h"
#include "proto/frame.h"
#include "proto/payload.h"
#include "proto/seal.h"
#include "tests/support/testclient/tc.h"

#define CRYPTO_MIN_MS 300.0	/* each part is timed for at least this long */
#define SQLITE_MIN_MS 2000.0
#define SQLITE_MIN_COMMITS 10
#define US_PER_MS 1000.0
#define US_PER_S 1e6
#define MS_PER_S 1000.0
#define CURVE_FLAGS_BYTES 1	/* libzmq puts a flags byte before each frame */
#define TRIP_MESSAGES 7
#define BODY_TEXT "accepted"

enum part {
	PART_SENDER_SEAL,
	PART_BROKER_VERIFY,
	PART_RECIPIENT_OPEN,
	PART_RECIPIENT_RECEIPT,
	PART_BROKER_RECEIPT,
	PART_SENDER_RECEIPT,
	PART_CURVE,
	PART_COUNT,
};

/* What the parts work on. */
struct work {
	uint8_t *msg, *rcpt, *out, *pt;
	size_t msg_len, rcpt_len, pt_len;
	struct envelope env, renv;
	uint8_t send_key[SEAL_KEYBYTES], recv_key[SEAL_KEYBYTES];
	uint8_t rsend_key[SEAL_KEYBYTES], rrecv_key[SEAL_KEYBYTES];
	uint8_t rpt[FRAME_MAX_BODY];
	size_t rpt_len;
	const struct keyfile *sender, *recipient;
	/* CURVE: the frame sizes of one trip, and a session key. */
	size_t frames[TRIP_MESSAGES * FRAME_MAX_PARTS];
	size_t nframes;
	uint8_t session[crypto_box_BEFORENMBYTES];
	uint8_t *cbuf, *cplain;
};

/* One operation of part p; a failure is a bug here (the inputs are ours). */
static void
run_part(struct work *w, enum part p)
{
	uint8_t hash[SEAL_HASHBYTES], nonce[crypto_box_NONCEBYTES] = {0};
	struct status st;
	size_t len, i;
	int rc = 0;

	switch (p) {
	case PART_SENDER_SEAL:
		rc = seal_envelope(&w->env.h, w->pt, w->pt_len, w->send_key, w->sender->sign_sk, NULL,
		    w->out, TC_ENVELOPE_MAX, &len, &st);
		seal_hash(w->out, len, hash);
		break;
	case PART_BROKER_VERIFY:
		rc = seal_verify(&w->env, w->sender->sign_pk, &st);
		seal_hash(w->msg, w->msg_len, hash);
		break;
	case PART_RECIPIENT_OPEN:
		rc = seal_verify(&w->env, w->sender->sign_pk, &st);
		rc |= seal_decrypt(&w->env, w->recv_key, w->out, TC_ENVELOPE_MAX, &len, &st);
		seal_hash(w->msg, w->msg_len, hash);
		break;
	case PART_RECIPIENT_RECEIPT:
		rc = seal_envelope(&w->renv.h, w->rpt, w->rpt_len, w->rsend_key,
		    w->recipient->sign_sk, NULL, w->out, TC_ENVELOPE_MAX, &len, &st);
		seal_hash(w->out, len, hash);
		break;
	case PART_BROKER_RECEIPT:
		rc = seal_verify(&w->renv, w->recipient->sign_pk, &st);
		seal_hash(w->rcpt, w->rcpt_len, hash);
		break;
	case PART_SENDER_RECEIPT:
		rc = seal_verify(&w->renv, w->recipient->sign_pk, &st);
		rc |= seal_decrypt(&w->renv, w->rrecv_key, w->out, TC_ENVELOPE_MAX, &len, &st);
		break;
	case PART_CURVE:
		for (i = 0; i < w->nframes; i++) {
			len = w->frames[i] + CURVE_FLAGS_BYTES;
			crypto_box_easy_afternm(w->cbuf, w->cplain, len, nonce, w->session);
			rc |= crypto_box_open_easy_afternm(w->cplain, w->cbuf,
			    len + crypto_box_MACBYTES, nonce, w->session);
		}
		break;
	default:
		break;
	}
	if (rc != 0) {
		fprintf(stderr, "dutynet-bench: bound: part %d failed: %s\n", (int)p, st.text);
		abort();
	}
}

/* Microseconds per operation of part p. */
static double
time_part(struct work *w, enum part p)
{
	double t0 = proc_now_ms(), t;
	unsigned long n = 0;

	run_part(w, p);	/* warm */
	t0 = proc_now_ms();
	do {
		run_part(w, p);
		n++;
	} while ((t = proc_now_ms() - t0) < CRYPTO_MIN_MS);
	return t * US_PER_MS / (double)n;
}

/* The body sizes of a trip's frames (PROTOCOL.md 7.2): head, body and,
 * for SEND, DELIVER and RECEIPT, the envelope. */
static int
trip_frames(struct work *w, struct status *st)
{
	static const struct {
		uint8_t command;
		int envelope;	/* 0 none, 1 the message, 2 the receipt */
	} trip[TRIP_MESSAGES] = {
		{FRAME_SEND, 1}, {FRAME_RESULT, 0}, {FRAME_DELIVER, 1}, {FRAME_RECEIPT, 2},
		{FRAME_RESULT, 0}, {FRAME_DELIVER, 2}, {FRAME_ACK, 0},
	};
	uint8_t body[FRAME_MAX_BODY];
	struct frame f;
	size_t i, len;

	w->nframes = 0;
	for (i = 0; i < TRIP_MESSAGES; i++) {
		memset(&f, 0, sizeof(f));
		f.command = trip[i].command;
		f.seq = UINT32_MAX;
		f.time_ms = UINT64_C(1767225600000);
		f.code = STATUS_ACCEPTED;
		memcpy(f.id, w->env.h.id, sizeof(f.id));
		snprintf(f.text, sizeof(f.text), "%s", BODY_TEXT);
		if (frame_body_encode(&f, body, sizeof(body), &len, st) != 0)
			return -1;
		w->frames[w->nframes++] = FRAME_HEAD_BYTES;
		w->frames[w->nframes++] = len;
		if (trip[i].envelope != 0)
			w->frames[w->nframes++] = trip[i].envelope == 1 ? w->msg_len : w->rcpt_len;
	}
	return 0;
}

static int
setup(const struct area *a, const struct directory *d, struct work *w, struct status *st)
{
	struct tc_spec spec;
	struct payload p;
	uint8_t cpk[crypto_box_PUBLICKEYBYTES], csk[crypto_box_SECRETKEYBYTES];

	w->sender = a->keys[0];
	w->recipient = a->keys[a->n > 1 ? 1 : 0];
	if ((w->msg = malloc(TC_ENVELOPE_MAX)) == NULL || (w->rcpt = malloc(TC_ENVELOPE_MAX)) ==
	    NULL || (w->out = malloc(TC_ENVELOPE_MAX)) == NULL ||
	    (w->pt = malloc(BOUND_PAYLOAD_BYTES)) == NULL ||
	    (w->cbuf = malloc(TC_ENVELOPE_MAX)) == NULL ||
	    (w->cplain = calloc(1, TC_ENVELOPE_MAX)) == NULL)
		return status_set(st, STATUS_STORE_FAILED, "out of memory");
	memset(&spec, 0, sizeof(spec));
	spec.to = w->recipient->id;
	spec.type = ENVELOPE_REFERRAL;
	spec.pad = BOUND_PAYLOAD_BYTES;
	w->pt_len = BOUND_PAYLOAD_BYTES;
	randombytes_buf(w->pt, w->pt_len);
	if (tc_build_envelope(w->sender, d, &spec, w->msg, &w->msg_len, st) != 0 ||
	    envelope_decode(w->msg, w->msg_len, &w->env, st) != 0 ||
	    tc_build_receipt(w->recipient, d, &w->env, w->msg, w->msg_len, w->rcpt, &w->rcpt_len,
		st) != 0 ||
	    envelope_decode(w->rcpt, w->rcpt_len, &w->renv, st) != 0)
		return -1;
	if (seal_pair_key(w->sender->box_sk, w->sender->box_pk, w->recipient->box_pk, SEAL_SENDING,
		w->send_key, st) != 0 ||
	    seal_pair_key(w->recipient->box_sk, w->recipient->box_pk, w->sender->box_pk,
		SEAL_RECEIVING, w->recv_key, st) != 0 ||
	    seal_pair_key(w->recipient->box_sk, w->recipient->box_pk, w->sender->box_pk,
		SEAL_SENDING, w->rsend_key, st) != 0 ||
	    seal_pair_key(w->sender->box_sk, w->sender->box_pk, w->recipient->box_pk,
		SEAL_RECEIVING, w->rrecv_key, st) != 0)
		return -1;
	/* The receipt's payload, as the recipient makes it. */
	memset(&p, 0, sizeof(p));
	p.type = ENVELOPE_RECEIPT;
	p.u.receipt.received_ms = w->env.h.created_ms;
	seal_hash(w->msg, w->msg_len, p.u.receipt.envelope_hash);
	if (payload_encode(&p, w->rpt, sizeof(w->rpt), &w->rpt_len, st) != 0)
		return -1;
	crypto_box_keypair(cpk, csk);
	if (crypto_box_beforenm(w->session, cpk, csk) != 0) {
		sodium_memzero(csk, sizeof(csk));
		return status_set(st, STATUS_DECRYPT_FAILED, "crypto_box_beforenm refused a fresh key");
	}
	sodium_memzero(csk, sizeof(csk));
	return trip_frames(w, st);
}

static void
work_free(struct work *w)
{
	free(w->msg);
	free(w->rcpt);
	free(w->out);
	free(w->pt);
	free(w->cbuf);
	free(w->cplain);
	sodium_memzero(w, sizeof(*w));
}

/* (b): the durable commit time of a batch. */
static int
sqlite_rate(const struct area *a, const struct work *w, struct bound *b, struct status *st)
{
	static const char put_sql[] = "INSERT INTO messages (id, envelope, envelope_hash)"
		" VALUES (?1, ?2, ?3)";
	char path[AREA_PATH_MAX];
	uint8_t id[IDS_MSGID_BYTES], hash[SEAL_HASHBYTES];
	struct db *db;
	sqlite3_stmt *s = NULL;
	unsigned long commits = 0;
	double t0, t;
	size_t i;
	int ret = -1;

	snprintf(path, sizeof(path), "%s/bound.db", a->dir);
	if ((db = db_open(path, st)) == NULL)
		return -1;
	if (db_exec(db, "CREATE TABLE messages (id BLOB PRIMARY KEY, envelope BLOB, "
		"envelope_hash BLOB)", st) != 0 || auditlog_create(db, st) != 0)
		goto out;
	if (sqlite3_prepare_v2(db_handle(db), put_sql, -1, &s, NULL) != SQLITE_OK) {
		db_error(db, SQLITE_ERROR, "prepare", st);
		goto out;
	}
	b->batch = BROKER_BATCH_MAX;
	t0 = proc_now_ms();
	do {
		if (db_begin(db, st) != 0)
			goto out;
		for (i = 0; i < b->batch; i++) {
			randombytes_buf(id, sizeof(id));
			seal_hash(w->msg, w->msg_len, hash);
			sqlite3_bind_blob(s, 1, id, sizeof(id), SQLITE_STATIC);
			sqlite3_bind_blob(s, 2, w->msg, (int)w->msg_len, SQLITE_STATIC);
			sqlite3_bind_blob(s, 3, hash, sizeof(hash), SQLITE_STATIC);
			if (sqlite3_step(s) != SQLITE_DONE ||
			    auditlog_append(db, "accepted", w->recipient->id, id, "type=referral", st)
				!= 0) {
				if (st->code == STATUS_OK)
					db_error(db, SQLITE_ERROR, "insert", st);
				db_rollback(db, NULL);
				goto out;
			}
			sqlite3_reset(s);
		}
		if (db_commit(db, st) != 0)
			goto out;
		commits++;
	} while ((t = proc_now_ms() - t0) < SQLITE_MIN_MS || commits < SQLITE_MIN_COMMITS);
	b->commit_ms = t / (double)commits;
	b->sqlite_per_s = (double)b->batch * MS_PER_S / b->commit_ms;
	ret = 0;
out:
	sqlite3_finalize(s);
	db_close(&db);
	return ret;
}

static int
cores(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 1;
	return CPU_COUNT(&set) > 0 ? CPU_COUNT(&set) : 1;
}

int
bound_measure(const struct area *a, struct bound *b, struct status *st)
{
	struct conf_errors *errs = conf_errors_new();
	struct directory *d = NULL;
	struct work w;
	double us[PART_COUNT];
	int i, ret = -1;

	memset(b, 0, sizeof(*b));
	memset(&w, 0, sizeof(w));
	if (errs == NULL || (d = directory_load(a->dir, errs)) == NULL) {
		status_set(st, STATUS_BAD_FIELD, "the generated directory.conf does not load: %s",
		    errs != NULL && conf_errors_count(errs) ? conf_errors_get(errs, 0) : "?");
		goto out;
	}
	if (setup(a, d, &w, st) != 0)
		goto out;
	for (i = 0; i < PART_COUNT; i++)
		us[i] = time_part(&w, (enum part)i);
	b->sender_seal_us = us[PART_SENDER_SEAL];
	b->broker_verify_us = us[PART_BROKER_VERIFY];
	b->recipient_open_us = us[PART_RECIPIENT_OPEN];
	b->recipient_receipt_us = us[PART_RECIPIENT_RECEIPT];
	b->broker_receipt_us = us[PART_BROKER_RECEIPT];
	b->sender_receipt_us = us[PART_SENDER_RECEIPT];
	b->curve_us = us[PART_CURVE];
	for (i = 0; i < PART_COUNT; i++)
		b->total_us += us[i];
	b->total_no_curve_us = b->total_us - b->curve_us;
	b->cores = cores();
	b->crypto_per_s = b->cores * US_PER_S / b->total_us;
	b->crypto_no_curve_per_s = b->cores * US_PER_S / b->total_no_curve_us;
	b->envelope_bytes = w.msg_len;
	b->receipt_bytes = w.rcpt_len;
	if (sqlite_rate(a, &w, b, st) != 0)
		goto out;
	b->bound_per_s = b->crypto_per_s < b->sqlite_per_s ? b->crypto_per_s : b->sqlite_per_s;
	ret = 0;
out:
	work_free(&w);
	directory_destroy(&d);
	conf_errors_destroy(&errs);
	return ret;
}

void
bound_print(const struct bound *b)
{
	printf("bound: crypto per message, single-threaded (us): sender seal %.1f, broker verify "
	       "%.1f,\n  recipient open %.1f, recipient receipt %.1f, broker receipt %.1f, sender "
	       "receipt %.1f,\n  CURVE frames of the trip %.1f; total %.1f (%.1f without CURVE)\n",
	    b->sender_seal_us, b->broker_verify_us, b->recipient_open_us, b->recipient_receipt_us,
	    b->broker_receipt_us, b->sender_receipt_us, b->curve_us, b->total_us,
	    b->total_no_curve_us);
	printf("bound: (a) crypto x %d cores = %.0f msg/s (%.0f without CURVE); envelope %zu "
	       "bytes, receipt %zu\n", b->cores, b->crypto_per_s, b->crypto_no_curve_per_s,
	    b->envelope_bytes, b->receipt_bytes);
	printf("bound: (b) durable commit of %zu rows: %.2f ms = %.0f msg/s\n", b->batch,
	    b->commit_ms, b->sqlite_per_s);
	printf("bound: %.0f msg/s\n", b->bound_per_s);
}
