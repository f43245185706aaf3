/* SPDX-License-Identifier: ISC */
/*
 * checkpoint: encoding, strict parsing, signing and verifying of signed
 * audit-log checkpoints (PROTOCOL.md §11; format in checkpoint.h).
 *
 * DESIGN.  A checkpoint is at most 581 bytes, so everything works in
 * fixed buffers on the stack.  The signed bytes are always rebuilt from the
 * struct by the same encoder that writes the text (tag, body, and for the
 * countersignature the text up to its own hex), so signing, verifying and
 * encoding cannot disagree about a byte.  The parser reads line by line and accepts exactly what
 * the encoder writes, so there is only one text per checkpoint; the tests
 * check that encode(parse(text)) == text for every text accepted.  Values
 * from the text are quoted in errors through show(), which keeps only
 * printable ASCII, because error texts end up in front of people.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "proto/checkpoint.h"

/* Each domain tag is signed with its terminating NUL. */
#define TAG_LEN(tag) (sizeof(tag))
#define SIGNED_MAX \
	(TAG_LEN(CHECKPOINT_TAG_COUNTERSIGN) + CHECKPOINT_TEXT_MAX)
/* What follows the signed part of a countersignature line. */
#define SIG_HEX_AND_LF (2 * SEAL_SIGBYTES + 1)
#define SIGLINE_SPACES 2	/* between signer, key id and signature */
#define SHOW_MAX 48		/* bytes of a bad value quoted in an error */

/* What the parser is looking at. */
struct reader {
	const char *p, *end;
	int line;		/* 1-based number of the line last read */
};

/* Copies up to SHOW_MAX bytes of s[0..len) into out, printable ASCII only,
 * for quoting an untrusted value in an error text. */
static const char *
show(const char *s, size_t len, char out[SHOW_MAX + 4])
{
	size_t i, n = len < SHOW_MAX ? len : SHOW_MAX;

	for (i = 0; i < n; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (len > SHOW_MAX) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
	return out;
}

/* Parses a decimal without sign, spaces or leading zeros, at most max. */
static int
decimal(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > CHECKPOINT_DECIMAL_MAX || (s[0] == '0' && len > 1))
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');	/* 19 digits fit in 64 bits */
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

/* Decodes exactly 2 * n lowercase hex digits into out[0..n). */
static int
hex_lower(const char *s, size_t len, uint8_t *out, size_t n)
{
	size_t i;
	int hi, lo;

	if (len != 2 * n)
		return -1;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return -1;
	for (i = 0; i < n; i++) {
		hi = s[2 * i] <= '9' ? s[2 * i] - '0' : s[2 * i] - 'a' + 10;
		lo = s[2 * i + 1] <= '9' ? s[2 * i + 1] - '0' : s[2 * i + 1] - 'a' + 10;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* Checks an agency id for field what and copies it into out. */
static int
agency(const char *what, const char *s, size_t len, char out[IDS_AGENCY_MAX + 1],
    struct status *st)
{
	struct status why;

	if (ids_agency_valid(s, len, &why) == -1)
		return status_set(st, STATUS_BAD_FIELD, "checkpoint %s: %s", what, why.text);
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

/* Reads the next line (without its LF) into *s, *len.  -1 if no LF. */
static int
next_line(struct reader *r, const char **s, size_t *len)
{
	const char *lf;

	if (r->p >= r->end || (lf = memchr(r->p, '\n', (size_t)(r->end - r->p))) == NULL)
		return -1;
	*s = r->p;
	*len = (size_t)(lf - r->p);
	r->p = lf + 1;
	r->line++;
	return 0;
}

/* Reads the line "key value" and returns the value; 500 if it is not. */
static int
field(struct reader *r, const char *key, const char **val, size_t *vlen, struct status *st)
{
	char buf[SHOW_MAX + 4];
	size_t klen = strlen(key), len;
	const char *s;

	if (next_line(r, &s, &len) == -1)
		return status_set(st, STATUS_MALFORMED,
		    "checkpoint line %d: expected '%s <value>' ending in a newline, found the end",
		    r->line + 1, key);
	if (len <= klen || memcmp(s, key, klen) != 0 || s[klen] != ' ')
		return status_set(st, STATUS_MALFORMED,
		    "checkpoint line %d: expected '%s <value>', found '%s'", r->line, key,
		    show(s, len, buf));
	*val = s + klen + 1;
	*vlen = len - klen - 1;
	return 0;
}

/* Parses one "sig <signer> <keyid> <sig>" line into out. */
static int
sigline_parse(struct reader *r, struct checkpoint_sig *out, struct status *st)
{
	char buf[SHOW_MAX + 4];
	const char *s, *sp, *kid, *sig;
	size_t len, kid_len, sig_len, i, spaces;

	if (field(r, "sig", &s, &len, st) == -1)
		return -1;
	/* Exactly three values, one space between each. */
	for (i = 0, spaces = 0; i < len; i++)
		spaces += s[i] == ' ';
	if (spaces != SIGLINE_SPACES || (sp = memchr(s, ' ', len)) == NULL)
		goto shape;
	if (agency("signer", s, (size_t)(sp - s), out->signer, st) == -1)
		return -1;
	kid = sp + 1;
	if ((sp = memchr(kid, ' ', (size_t)(s + len - kid))) == NULL)
		goto shape;
	kid_len = (size_t)(sp - kid);
	sig = sp + 1;
	sig_len = (size_t)(s + len - sig);
	if (hex_lower(kid, kid_len, out->keyid, sizeof(out->keyid)) == -1)
		return status_set(st, STATUS_BAD_FIELD,
		    "checkpoint line %d: key id '%s' is not %zu lowercase hex digits", r->line,
		    show(kid, kid_len, buf), 2 * sizeof(out->keyid));
	if (hex_lower(sig, sig_len, out->sig, sizeof(out->sig)) == -1)
		return status_set(st, STATUS_BAD_FIELD,
		    "checkpoint line %d: signature '%s' is not %zu lowercase hex digits", r->line,
		    show(sig, sig_len, buf), 2 * sizeof(out->sig));
	return 0;
shape:
	return status_set(st, STATUS_MALFORMED,
	    "checkpoint line %d: expected 'sig <signer> <key id> <signature>', found 'sig %s'",
	    r->line, show(s, len, buf));
}

/* Reads the five body lines into cp. */
static int
body_parse(struct reader *r, struct checkpoint *cp, struct status *st)
{
	char buf[SHOW_MAX + 4];
	size_t len, prefix = strlen(CHECKPOINT_MAGIC_PREFIX);
	const char *s;

	if (next_line(r, &s, &len) == -1)
		return status_set(st, STATUS_MALFORMED,
		    "not a checkpoint: the first line must be '%s' ending in a newline",
		    CHECKPOINT_MAGIC);
	if (len != strlen(CHECKPOINT_MAGIC) || memcmp(s, CHECKPOINT_MAGIC, len) != 0) {
		if (len > prefix && memcmp(s, CHECKPOINT_MAGIC_PREFIX, prefix) == 0 &&
		    strspn(s + prefix, "0123456789") == len - prefix)
			return status_set(st, STATUS_BAD_VERSION,
			    "checkpoint version line '%s' is not '%s'; this program reads version "
			    "1 only",
			    show(s, len, buf), CHECKPOINT_MAGIC);
		return status_set(st, STATUS_MALFORMED,
		    "not a checkpoint: the first line is '%s', not '%s'", show(s, len, buf),
		    CHECKPOINT_MAGIC);
	}
	if (field(r, "origin", &s, &len, st) == -1 ||
	    agency("origin", s, len, cp->origin, st) == -1)
		return -1;
	if (field(r, "size", &s, &len, st) == -1)
		return -1;
	if (decimal(s, len, MERKLE_MAX_SIZE, &cp->size) == -1)
		return status_set(st, STATUS_BAD_FIELD,
		    "checkpoint size '%s' is not a decimal from 0 to %" PRIu64
		    " without leading zeros",
		    show(s, len, buf), MERKLE_MAX_SIZE);
	if (field(r, "root", &s, &len, st) == -1)
		return -1;
	if (hex_lower(s, len, cp->root, sizeof(cp->root)) == -1)
		return status_set(st, STATUS_BAD_FIELD,
		    "checkpoint root '%s' is not %zu lowercase hex digits", show(s, len, buf),
		    2 * sizeof(cp->root));
	if (field(r, "time", &s, &len, st) == -1)
		return -1;
	if (decimal(s, len, CHECKPOINT_MAX_TIME_MS, &cp->time_ms) == -1)
		return status_set(st, STATUS_BAD_FIELD,
		    "checkpoint time '%s' is not Unix milliseconds in decimal without leading "
		    "zeros",
		    show(s, len, buf));
	return 0;
}

int
checkpoint_parse(const char *text, size_t len, struct checkpoint *cp, struct status *st)
{
	struct reader r = { text, text + len, 0 };
	const char *s;
	size_t slen;
	int blank, rc = -1;

	assert(text != NULL && cp != NULL);
	memset(cp, 0, sizeof(*cp));
	if (len > CHECKPOINT_TEXT_MAX)
		return status_set(st, STATUS_TOO_LARGE,
		    "checkpoint of %zu bytes is over the limit of %zu", len,
		    (size_t)CHECKPOINT_TEXT_MAX);
	if (body_parse(&r, cp, st) == -1)
		goto out;
	blank = r.line + 1;
	if (next_line(&r, &s, &slen) == -1 || slen != 0) {
		status_set(st, STATUS_MALFORMED,
		    "checkpoint line %d: expected an empty line after 'time'", blank);
		goto out;
	}
	if (r.p == r.end) {
		status_set(st, STATUS_MALFORMED, "checkpoint has no signature line");
		goto out;
	}
	if (sigline_parse(&r, &cp->sig, st) == -1)
		goto out;
	if (strcmp(cp->sig.signer, cp->origin) != 0) {
		status_set(st, STATUS_BAD_FIELD,
		    "checkpoint of '%s' is first signed by '%s'; the origin must sign first",
		    cp->origin, cp->sig.signer);
		goto out;
	}
	cp->has_sig = true;
	if (r.p < r.end) {
		if (sigline_parse(&r, &cp->countersig, st) == -1)
			goto out;
		if (strcmp(cp->countersig.signer, cp->origin) == 0) {
			status_set(st, STATUS_BAD_FIELD,
			    "checkpoint of '%s' is countersigned by itself; the countersignature "
			    "must be the broker's",
			    cp->origin);
			goto out;
		}
		cp->has_countersig = true;
	}
	if (r.p < r.end) {
		status_set(st, STATUS_MALFORMED,
		    "checkpoint has %zu bytes after the second signature line; at most two "
		    "signatures are allowed",
		    (size_t)(r.end - r.p));
		goto out;
	}
	rc = 0;
out:
	if (rc == -1)
		memset(cp, 0, sizeof(*cp));	/* nothing half-parsed */
	return rc;
}

/* Writes the body of cp into out (room for CHECKPOINT_BODY_MAX + 1). */
static int
body_encode(const struct checkpoint *cp, char *out, size_t *len, struct status *st)
{
	char hex[2 * MERKLE_HASHBYTES + 1];
	int n;

	if (ids_agency_valid(cp->origin, strnlen(cp->origin, sizeof(cp->origin)), st) == -1)
		return -1;
	if (cp->size > MERKLE_MAX_SIZE)
		return status_set(st, STATUS_BAD_FIELD,
		    "checkpoint size %" PRIu64 " is over the limit of %" PRIu64, cp->size,
		    MERKLE_MAX_SIZE);
	if (cp->time_ms > CHECKPOINT_MAX_TIME_MS)
		return status_set(st, STATUS_BAD_FIELD,
		    "checkpoint time %" PRIu64 " is over the limit of %" PRIu64, cp->time_ms,
		    CHECKPOINT_MAX_TIME_MS);
	sodium_bin2hex(hex, sizeof(hex), cp->root, sizeof(cp->root));
	n = snprintf(out, CHECKPOINT_BODY_MAX + 1,
	    "%s\norigin %s\nsize %" PRIu64 "\nroot %s\ntime %" PRIu64 "\n", CHECKPOINT_MAGIC,
	    cp->origin, cp->size, hex, cp->time_ms);
	assert(n > 0 && (size_t)n <= CHECKPOINT_BODY_MAX);
	*len = (size_t)n;
	return 0;
}

/* Writes one signature line into out (room for CHECKPOINT_SIGLINE_MAX + 1). */
static int
sigline_encode(const struct checkpoint_sig *s, char *out, size_t *len, struct status *st)
{
	char kid[2 * SEAL_KEYID_BYTES + 1], sig[2 * SEAL_SIGBYTES + 1];
	int n;

	if (ids_agency_valid(s->signer, strnlen(s->signer, sizeof(s->signer)), st) == -1)
		return -1;
	sodium_bin2hex(kid, sizeof(kid), s->keyid, sizeof(s->keyid));
	sodium_bin2hex(sig, sizeof(sig), s->sig, sizeof(s->sig));
	n = snprintf(out, CHECKPOINT_SIGLINE_MAX + 1, "sig %s %s %s\n", s->signer, kid, sig);
	assert(n > 0 && (size_t)n <= CHECKPOINT_SIGLINE_MAX);
	*len = (size_t)n;
	return 0;
}

/* Builds the bytes a signature covers into buf.  The origin's: tag NUL ||
 * body.  The countersignature's: tag NUL || the text up to and including
 * the space before its own hex, so it also covers the origin's signature
 * line and the countersigner's name and key id. */
static int
signed_bytes(const struct checkpoint *cp, bool counter, uint8_t buf[SIGNED_MAX + 1],
    size_t *len, struct status *st)
{
	const char *tag = counter ? CHECKPOINT_TAG_COUNTERSIGN : CHECKPOINT_TAG_SIGN;
	size_t n = strlen(tag) + 1, add;

	memcpy(buf, tag, n);
	if (body_encode(cp, (char *)buf + n, &add, st) == -1)
		return -1;
	n += add;
	if (counter) {
		buf[n++] = '\n';
		if (sigline_encode(&cp->sig, (char *)buf + n, &add, st) == -1)
			return -1;
		n += add;
		if (sigline_encode(&cp->countersig, (char *)buf + n, &add, st) == -1)
			return -1;
		n += add - SIG_HEX_AND_LF;
	}
	*len = n;
	return 0;
}

int
checkpoint_init(struct checkpoint *cp, const char *origin, uint64_t size,
    const uint8_t root[MERKLE_HASHBYTES], uint64_t time_ms, struct status *st)
{
	char body[CHECKPOINT_BODY_MAX + 1];
	size_t len;
	int rc = -1;

	assert(cp != NULL && origin != NULL && root != NULL);
	memset(cp, 0, sizeof(*cp));
	if (agency("origin", origin, strlen(origin), cp->origin, st) == -1)
		goto out;
	cp->size = size;
	memcpy(cp->root, root, MERKLE_HASHBYTES);
	cp->time_ms = time_ms;
	if (body_encode(cp, body, &len, st) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		memset(cp, 0, sizeof(*cp));
	return rc;
}

/* Signs cp (the origin's signature, or the countersignature) as signer
 * with sk, naming sk's key id. */
static int
sign(struct checkpoint *cp, bool counter, const char *signer,
    const uint8_t sk[SEAL_SIGN_SKBYTES], struct status *st)
{
	struct checkpoint_sig *s = counter ? &cp->countersig : &cp->sig;
	uint8_t pk[SEAL_SIGN_PKBYTES], buf[SIGNED_MAX + 1];
	size_t len;

	assert(strlen(signer) < sizeof(s->signer));
	memcpy(s->signer, signer, strlen(signer) + 1);
	crypto_sign_ed25519_sk_to_pk(pk, sk);
	seal_keyid(pk, sizeof(pk), s->keyid);
	if (signed_bytes(cp, counter, buf, &len, st) == -1)
		return -1;
	crypto_sign_detached(s->sig, NULL, buf, len, sk);
	return 0;
}

int
checkpoint_sign(struct checkpoint *cp, const uint8_t sign_sk[SEAL_SIGN_SKBYTES],
    struct status *st)
{
	struct checkpoint next;

	assert(cp != NULL && sign_sk != NULL);
	/* Work on a copy so that cp is unchanged on failure.  A new
	 * signature drops the countersignature: it covered the old one. */
	next = *cp;
	memset(&next.countersig, 0, sizeof(next.countersig));
	next.has_countersig = false;
	if (sign(&next, false, next.origin, sign_sk, st) == -1)
		return -1;
	next.has_sig = true;
	*cp = next;
	return 0;
}

int
checkpoint_countersign(struct checkpoint *cp, const char *signer,
    const uint8_t sign_sk[SEAL_SIGN_SKBYTES], struct status *st)
{
	struct checkpoint next;
	char id[IDS_AGENCY_MAX + 1];

	assert(cp != NULL && signer != NULL && sign_sk != NULL);
	assert(cp->has_sig);	/* countersigning an unsigned checkpoint is a bug */
	if (agency("countersigner", signer, strlen(signer), id, st) == -1)
		return -1;
	if (strcmp(id, cp->origin) == 0)
		return status_set(st, STATUS_BAD_FIELD,
		    "'%s' cannot countersign its own checkpoint; the broker countersigns", id);
	next = *cp;
	if (sign(&next, true, id, sign_sk, st) == -1)
		return -1;
	next.has_countersig = true;
	*cp = next;
	return 0;
}

int
checkpoint_encode(const struct checkpoint *cp, char out[CHECKPOINT_TEXT_MAX + 1], size_t *len,
    struct status *st)
{
	size_t n, add;

	assert(cp != NULL && out != NULL && len != NULL);
	assert(cp->has_sig);	/* an unsigned checkpoint has no text form */
	if (body_encode(cp, out, &n, st) == -1)
		return -1;
	out[n++] = '\n';
	if (sigline_encode(&cp->sig, out + n, &add, st) == -1)
		return -1;
	n += add;
	if (cp->has_countersig) {
		if (sigline_encode(&cp->countersig, out + n, &add, st) == -1)
			return -1;
		n += add;
	}
	assert(n <= CHECKPOINT_TEXT_MAX);
	out[n] = '\0';
	*len = n;
	return 0;
}

/* Checks one signature of cp: key id first (521), then the signature. */
static int
verify(const struct checkpoint *cp, const struct checkpoint_sig *s, bool counter,
    const uint8_t pk[SEAL_SIGN_PKBYTES], struct status *st)
{
	char want[2 * SEAL_KEYID_BYTES + 1], got[2 * SEAL_KEYID_BYTES + 1];
	uint8_t id[SEAL_KEYID_BYTES], buf[SIGNED_MAX + 1];
	size_t len;

	seal_keyid(pk, SEAL_SIGN_PKBYTES, id);
	if (memcmp(id, s->keyid, sizeof(id)) != 0)
		return status_set(st, STATUS_UNKNOWN_KEY,
		    "checkpoint %s by '%s' names key id %s but the key given has id %s; look the "
		    "key up by the id in the signature line",
		    counter ? "countersignature" : "signature", s->signer,
		    sodium_bin2hex(want, sizeof(want), s->keyid, sizeof(s->keyid)),
		    sodium_bin2hex(got, sizeof(got), id, sizeof(id)));
	if (signed_bytes(cp, counter, buf, &len, st) == -1)
		return -1;
	if (crypto_sign_verify_detached(s->sig, buf, len, pk) != 0)
		return status_set(st, STATUS_BAD_SIGNATURE,
		    "checkpoint %s by '%s' of the log of '%s' at size %" PRIu64
		    " does not verify; the checkpoint was altered",
		    counter ? "countersignature" : "signature", s->signer, cp->origin, cp->size);
	return 0;
}

int
checkpoint_verify(const struct checkpoint *cp, const uint8_t sign_pk[SEAL_SIGN_PKBYTES],
    struct status *st)
{
	assert(cp != NULL && sign_pk != NULL);
	if (!cp->has_sig)
		return status_set(st, STATUS_BAD_SIGNATURE,
		    "checkpoint of '%s' at size %" PRIu64 " is not signed", cp->origin, cp->size);
	return verify(cp, &cp->sig, false, sign_pk, st);
}

int
checkpoint_verify_countersig(const struct checkpoint *cp,
    const uint8_t sign_pk[SEAL_SIGN_PKBYTES], struct status *st)
{
	assert(cp != NULL && sign_pk != NULL);
	if (!cp->has_sig || !cp->has_countersig)
		return status_set(st, STATUS_BAD_SIGNATURE,
		    "checkpoint of '%s' at size %" PRIu64 " is not countersigned; ask the broker "
		    "to countersign it",
		    cp->origin, cp->size);
	return verify(cp, &cp->countersig, true, sign_pk, st);
}
