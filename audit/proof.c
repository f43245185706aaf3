/* SPDX-License-Identifier: ISC */
/*
 * proof: writing, reading and checking inclusion-proof bundles (see
 * proof.h).  Writing goes through jsonout (no allocation); reading uses
 * json-c and checks every member's type, length and range before anything
 * is computed with it, because a bundle comes from whoever hands it over.
 */
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

#include "audit/cpverify.h"
#include "audit/jsonout.h"
#include "audit/proof.h"

int
proof_write(const struct proof *p, FILE *f, struct status *st)
{
	size_t i;

	fprintf(f, "{\"format\": \"%s\",\n \"log\": ", PROOF_FORMAT);
	jsonout_string(f, p->log);
	fprintf(f, ",\n \"entry\": {\"seq\": %" PRIu64 ", \"time_ms\": %" PRIu64 ", \"time\": ",
	    p->entry.seq, p->entry.time_ms);
	jsonout_time(f, p->entry.time_ms);
	fputs(", \"event\": ", f);
	jsonout_string(f, p->entry.event);
	fputs(", \"agency\": ", f);
	jsonout_string(f, p->entry.agency);
	fputs(", \"message_id\": ", f);
	jsonout_msgid(f, p->entry.has_message_id ? p->entry.message_id : NULL);
	fputs(",\n   \"detail\": ", f);
	jsonout_string(f, p->entry.detail);
	fputs(",\n   \"prev_hash\": ", f);
	jsonout_hex(f, p->prev_hash, AUDITLOG_HASHBYTES);
	fputs("},\n \"hash\": ", f);
	jsonout_hex(f, p->hash, AUDITLOG_HASHBYTES);
	fprintf(f, ",\n \"tree_size\": %" PRIu64 ",\n \"proof\": [", p->tree_size);
	for (i = 0; i < p->n_path; i++) {
		fputs(i ? ",\n   " : "", f);
		jsonout_hex(f, p->path + i * MERKLE_HASHBYTES, MERKLE_HASHBYTES);
	}
	fputs("],\n \"checkpoint\": ", f);
	jsonout_string(f, p->checkpoint);
	fputs("}\n", f);
	if (fflush(f) != 0 || ferror(f))
		return status_set(st, STATUS_UNAVAILABLE, "cannot write the proof");
	return 0;
}

/* Member name of o, of type t; NULL and st 500 if absent or another type
 * (a null member is returned as NULL with no error when nullable). */
static struct json_object *
member(struct json_object *o, const char *name, enum json_type t, bool nullable,
    struct status *st)
{
	struct json_object *m = NULL;

	if (!json_object_object_get_ex(o, name, &m) || (m == NULL && !nullable)) {
		status_set(st, STATUS_MALFORMED, "the proof has no \"%s\"", name);
		return NULL;
	}
	if (m == NULL) {
		status_ok(st);
		return NULL;
	}
	if (!json_object_is_type(m, t)) {
		status_set(st, STATUS_MALFORMED, "the proof's \"%s\" is not a %s", name,
		    json_type_to_name(t));
		return NULL;
	}
	return m;
}

/* A string member copied into out[cap] (NUL-free, shorter than cap). */
static int
string_member(struct json_object *o, const char *name, bool nullable, char *out, size_t cap,
    bool *present, struct status *st)
{
	struct json_object *m = member(o, name, json_type_string, nullable, st);
	size_t len;

	*present = m != NULL;
	if (m == NULL)
		return nullable && st->code == STATUS_OK ? 0 : -1;
	len = (size_t)json_object_get_string_len(m);
	if (len >= cap || strlen(json_object_get_string(m)) != len)
		return status_set(st, STATUS_BAD_FIELD, "the proof's \"%s\" is too long or holds "
		    "a NUL", name);
	memcpy(out, json_object_get_string(m), len + 1);
	return 0;
}

static int
hex_member(struct json_object *m, const char *name, uint8_t *out, size_t n, struct status *st)
{
	const char *s = json_object_get_string(m);
	size_t got = 0;

	if ((size_t)json_object_get_string_len(m) != 2 * n ||
	    sodium_hex2bin(out, n, s, 2 * n, NULL, &got, NULL) != 0 || got != n)
		return status_set(st, STATUS_BAD_FIELD, "the proof's %s is not %zu hex digits", name,
		    2 * n);
	return 0;
}

static int
uint_member(struct json_object *o, const char *name, uint64_t min, uint64_t *out,
    struct status *st)
{
	struct json_object *m = member(o, name, json_type_int, false, st);
	int64_t v;

	if (m == NULL)
		return -1;
	v = json_object_get_int64(m);
	if (v < 0 || (uint64_t)v < min || v == INT64_MAX)
		return status_set(st, STATUS_BAD_FIELD, "the proof's \"%s\" is out of range", name);
	*out = (uint64_t)v;
	return 0;
}

static int
parse_entry(struct json_object *e, struct proof *p, struct status *st)
{
	char id[IDS_MSGID_TEXT + 2];
	struct json_object *m;
	bool present;

	if (uint_member(e, "seq", 1, &p->entry.seq, st) != 0 ||
	    uint_member(e, "time_ms", 0, &p->entry.time_ms, st) != 0 ||
	    string_member(e, "event", false, p->event, sizeof(p->event), &present, st) != 0 ||
	    string_member(e, "agency", true, p->agency, sizeof(p->agency), &present, st) != 0)
		return -1;
	p->entry.event = p->event;
	p->entry.agency = present ? p->agency : NULL;
	if (string_member(e, "message_id", true, id, sizeof(id), &present, st) != 0)
		return -1;
	if (present && ids_msgid_parse(id, p->entry.message_id, st) != 0)
		return -1;
	p->entry.has_message_id = present;
	if (string_member(e, "detail", false, p->detail, sizeof(p->detail), &present, st) != 0)
		return -1;
	p->entry.detail = p->detail;
	if ((m = member(e, "prev_hash", json_type_string, false, st)) == NULL)
		return -1;
	return hex_member(m, "prev_hash", p->prev_hash, AUDITLOG_HASHBYTES, st);
}

static int
read_bundle(struct json_object *o, struct proof *p, struct status *st)
{
	char format[2 * sizeof(PROOF_FORMAT)];	/* room to read and quote another */
	struct json_object *m, *h;
	bool present;
	size_t i, n;

	if (string_member(o, "format", false, format, sizeof(format), &present, st) != 0)
		return -1;
	if (strcmp(format, PROOF_FORMAT) != 0)
		return status_set(st, STATUS_BAD_VERSION, "the file is a '%s', not a %s", format,
		    PROOF_FORMAT);
	if (string_member(o, "log", false, p->log, sizeof(p->log), &present, st) != 0 ||
	    (m = member(o, "entry", json_type_object, false, st)) == NULL ||
	    parse_entry(m, p, st) != 0 ||
	    (m = member(o, "hash", json_type_string, false, st)) == NULL ||
	    hex_member(m, "hash", p->hash, AUDITLOG_HASHBYTES, st) != 0 ||
	    uint_member(o, "tree_size", 1, &p->tree_size, st) != 0 ||
	    (m = member(o, "proof", json_type_array, false, st)) == NULL)
		return -1;
	if ((n = json_object_array_length(m)) > MERKLE_MAX_PROOF)
		return status_set(st, STATUS_BAD_FIELD, "the proof has %zu hashes; none has more "
		    "than %d", n, MERKLE_MAX_PROOF);
	for (i = 0; i < n; i++) {
		h = json_object_array_get_idx(m, i);
		if (!json_object_is_type(h, json_type_string))
			return status_set(st, STATUS_MALFORMED, "proof hash %zu is not a string", i);
		if (hex_member(h, "proof hash", p->path + i * MERKLE_HASHBYTES, MERKLE_HASHBYTES,
			st) != 0)
			return -1;
	}
	p->n_path = n;
	if (string_member(o, "checkpoint", false, p->checkpoint, sizeof(p->checkpoint), &present,
		st) != 0)
		return -1;
	p->checkpoint_len = strlen(p->checkpoint);
	return 0;
}

int
proof_read(const char *text, size_t len, struct proof *p, struct status *st)
{
	struct json_tokener *tok;
	struct json_object *o;
	int ret;

	memset(p, 0, sizeof(*p));
	if (len > PROOF_FILE_MAX)
		return status_set(st, STATUS_TOO_LARGE, "the proof file has %zu bytes; a proof has "
		    "at most %d", len, PROOF_FILE_MAX);
	if ((tok = json_tokener_new()) == NULL)
		return status_set(st, STATUS_UNAVAILABLE, "out of memory");
	o = json_tokener_parse_ex(tok, text, (int)len);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(o, json_type_object)) {
		ret = status_set(st, STATUS_MALFORMED, "the proof is not a JSON object: %s",
		    json_tokener_error_desc(json_tokener_get_error(tok)));
	} else {
		ret = read_bundle(o, p, st);
	}
	json_object_put(o);
	json_tokener_free(tok);
	return ret;
}

int
proof_check(const struct proof *p, const struct directory *d, struct checkpoint *cp,
    struct status *st)
{
	uint8_t hash[AUDITLOG_HASHBYTES], leaf[MERKLE_HASHBYTES];
	const char *broker = d->broker.id;
	struct status why;

	if (auditlog_hash(&p->entry, p->prev_hash, hash) != 0)
		return status_set(st, STATUS_BAD_FIELD, "the entry has a field over its limit");
	if (memcmp(hash, p->hash, AUDITLOG_HASHBYTES) != 0)
		return status_set(st, STATUS_BAD_SIGNATURE, "the entry's fields do not give the "
		    "hash the proof states: the entry was changed");
	if (cpverify_text(d, p->checkpoint, p->checkpoint_len, p->log,
		strcmp(p->log, broker) == 0 ? CPVERIFY_SIGNED : CPVERIFY_COUNTERSIGNED, cp, st) != 0)
		return -1;
	if (cp->size != p->tree_size)
		return status_set(st, STATUS_BAD_FIELD, "the proof is for a tree of %" PRIu64
		    " entries, the checkpoint for %" PRIu64, p->tree_size, cp->size);
	merkle_leaf_hash(hash, sizeof(hash), leaf);
	if (merkle_inclusion_verify(leaf, p->entry.seq - 1, p->tree_size, p->path, p->n_path,
		cp->root, &why) != 0)
		return status_set(st, STATUS_BAD_SIGNATURE, "seq %" PRIu64 " is not in the log "
		    "the checkpoint signs: %s", p->entry.seq, why.text);
	return 0;
}
