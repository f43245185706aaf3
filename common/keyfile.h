/* SPDX-License-Identifier: ISC */
/*
 * keyfile: an agency's (or the broker's) secret keys on disk and in memory.
 * This, seal.c and agents/ are the only code that touches secret keys.
 *
 * A key file is text, exactly (format: config/CONFIG.md, "Secret key files"):
 *
 *	dutynet-secret-key v1
 *	id <agency id>
 *	sign_sk <128 hex digits: Ed25519 seed || public key>
 *	box_sk <64 hex digits: X25519>		(may be absent: the reader reports it)
 *	curve_sk <64 hex digits: X25519 for ZeroMQ CURVE>
 *
 * It is read only if it is a regular file owned by the running user with
 * no group or other access (mode 0600), and written only as a new file with
 * mode 0600: a key file is never overwritten, because the old keys may still
 * be needed to read old messages.  In memory the whole struct keyfile lives
 * in one sodium_malloc allocation (guard pages, locked, read-only once
 * filled) and keyfile_destroy wipes it.
 */
#ifndef DUTYNET_KEYFILE_H
#define DUTYNET_KEYFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/ids.h"
#include "proto/seal.h"
#include "proto/status.h"

#define KEYFILE_MAGIC "dutynet-secret-key v1"
#define KEYFILE_MODE 0600
#define KEYFILE_MAX_BYTES 1024		/* a key file is about 330 bytes */
#define KEYFILE_CURVE_PKBYTES 32
#define KEYFILE_CURVE_SKBYTES 32

struct keyfile {
	char id[IDS_AGENCY_MAX + 1];
	bool has_box;			/* false if the file has no box_sk (an old
					 * broker key file: refused where a box pair is needed) */
	uint8_t sign_sk[SEAL_SIGN_SKBYTES];
	uint8_t sign_pk[SEAL_SIGN_PKBYTES];
	uint8_t box_sk[SEAL_BOX_SKBYTES];	/* all zero unless has_box */
	uint8_t box_pk[SEAL_BOX_PKBYTES];
	uint8_t curve_sk[KEYFILE_CURVE_SKBYTES];
	uint8_t curve_pk[KEYFILE_CURVE_PKBYTES];
};

/* Reads the key file at path into a new read-only *out (the caller's, to
 * free with keyfile_destroy) and derives the public keys.  -1 and st 504
 * naming the file and what to do if it cannot be opened, is not a regular
 * file, is not owned by this user, allows group or other access ("key file
 * PATH has mode 0644; run chmod 600 PATH"), or is not exactly the format. */
int keyfile_load(const char *path, struct keyfile **out, struct status *st)
    __attribute__((warn_unused_result));

/* Reads another secret file (a TLS private key) with keyfile_load's
 * checks - a regular file, owned by this user, no group or other access, at
 * most max bytes - into *out: sodium_malloc memory, NUL-terminated, *len
 * bytes, the caller's to wipe and sodium_free.  -1 and st 504 naming the
 * file and what to do. */
int keyfile_read_secret(const char *path, size_t max, char **out, size_t *len,
    struct status *st) __attribute__((warn_unused_result));

/* Generates fresh keys for agency id (with a box pair unless with_box is
 * false; the broker has one too, it seals its notices) into a new read-only *out.  -1 and st 504 if id
 * is not a valid agency id. */
int keyfile_generate(const char *id, bool with_box, struct keyfile **out, struct status *st)
    __attribute__((warn_unused_result));

/* Writes k to a new file at path with mode 0600 and fsyncs it and its
 * directory.  -1 and st 550 if path exists (it never overwrites), st 451
 * with the errno text if it cannot be written (a partial file is removed). */
int keyfile_write(const struct keyfile *k, const char *path, struct status *st)
    __attribute__((warn_unused_result));

/* Wipes and frees *kp; accepts NULL; sets *kp = NULL. */
void keyfile_destroy(struct keyfile **kp);

#endif
