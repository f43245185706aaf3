/* SPDX-License-Identifier: ISC */
/*
 * directory: loading directory.conf (see directory.h for what it holds).
 *
 * Every key is checked when it is read: hex of the right length, a valid
 * Ed25519 point for signing keys, not a low-order point for X25519 keys, and
 * different from every other key in the file.  A key used twice is always
 * a mistake (a copied .pub file, a key generated once and given to two
 * agencies) and would let one agency pass for another, so it is an error
 * naming both places.  Duplicate agency ids are errors for the same reason.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "config/calendar.h"
#include "config/directory.h"
#include "config/escalation.h"
#include "proto/envelope.h"

/* Types every agency accepts whatever its entry says: a receipt or reject
 * answers a message it sent, and refusing those would lose outcomes. */
#define ALWAYS_ACCEPTED (DIRECTORY_TYPE_BIT(ENVELOPE_RECEIPT) | DIRECTORY_TYPE_BIT(ENVELOPE_REJECT))
#define ALL_TYPES \
	(DIRECTORY_TYPE_BIT(ENVELOPE_TYPE_MAX + 1) - DIRECTORY_TYPE_BIT(ENVELOPE_TYPE_MIN))
/* What a party replying to, or escalating about, an agency's messages sends. */
#define REPLY_TYPES \
	(DIRECTORY_TYPE_BIT(ENVELOPE_ACK) | DIRECTORY_TYPE_BIT(ENVELOPE_DECISION) | \
	    DIRECTORY_TYPE_BIT(ENVELOPE_FEEDBACK) | DIRECTORY_TYPE_BIT(ENVELOPE_ESCALATION))
#define LIST_MAX 256			/* room for a list of names in an error */
#define KEYS_PER_AGENCY 3
#define KEYS_OF_BROKER 3

static const struct {
	const char *name;
	uint32_t accepts;
} kinds[DIRECTORY_KIND_COUNT] = {
	/* Schools receive answers to their referrals, and concerns (police
	 * notifications of incidents at a pupil's home), not referrals. */
	[DIRECTORY_SCHOOL] = {"school", REPLY_TYPES | DIRECTORY_TYPE_BIT(ENVELOPE_CONCERN)},
	[DIRECTORY_SOCIAL_CARE] = {"social-care", ALL_TYPES},
	[DIRECTORY_EMERGENCY_DUTY_TEAM] = {"emergency-duty-team", ALL_TYPES},
	[DIRECTORY_CAMHS] = {"camhs", ALL_TYPES},
	[DIRECTORY_HEALTH] = {"health", ALL_TYPES},
	[DIRECTORY_POLICE] = {"police", ALL_TYPES},
	[DIRECTORY_HOUSING] = {"housing", ALL_TYPES},
	[DIRECTORY_YOUTH_OFFENDING] = {"youth-offending", ALL_TYPES},
	[DIRECTORY_EARLY_HELP] = {"early-help", ALL_TYPES},
	/* The partnership holds agencies to account: it is told of escalations. */
	[DIRECTORY_PARTNERSHIP] = {"partnership", DIRECTORY_TYPE_BIT(ENVELOPE_ESCALATION)},
};

static const char *const top_known[] = {"version", "broker", "agencies", NULL};
static const char *const broker_known[] = {"id", "sign_pk", "box_pk", "curve_pk", NULL};
static const char *const agency_known[] = {"id", "name", "kind", "sign_pk", "box_pk",
    "curve_pk", "accepts", "contact", "escalation", "calendar", NULL};
static const char *const contact_known[] = {"email", "phone", "out_of_hours", NULL};

/* A key read so far, to find the same key used twice. */
struct keyref {
	const uint8_t *pk;
	const config_setting_t *s;
	const char *owner;
};

/* State of one load. */
struct loader {
	struct conf_errors *errs;
	struct conf *c;
	struct directory *d;
	struct keyref *keys;
	size_t n_keys, cap_keys;
};

/* A fixed scalar for the low-order test: X25519 clamps every scalar to a
 * multiple of 8, so any scalar maps a point of order 1, 2, 4 or 8 to zero. */
static const uint8_t probe_scalar[crypto_scalarmult_SCALARBYTES] = {
    0x4a, 0x5d, 0x9d, 0x5b, 0xa4, 0xce, 0x2d, 0xe1, 0x72, 0x8e, 0x3b, 0xf4, 0x80, 0x35, 0x0f,
    0x25, 0xe0, 0x7e, 0x21, 0xc9, 0x47, 0xd1, 0x9e, 0x33, 0x76, 0xf0, 0x9b, 0x3c, 0x1e, 0x16,
    0x17, 0x42};

const char *
directory_kind_name(int kind)
{
	if (kind < 0 || kind >= DIRECTORY_KIND_COUNT)
		return NULL;
	return kinds[kind].name;
}

int
directory_kind_parse(const char *name)
{
	int k;

	for (k = 0; k < DIRECTORY_KIND_COUNT; k++)
		if (strcmp(kinds[k].name, name) == 0)
			return k;
	return -1;
}

uint32_t
directory_accepts_default(enum directory_kind kind)
{
	assert((int)kind >= 0 && kind < DIRECTORY_KIND_COUNT);
	return kinds[kind].accepts | ALWAYS_ACCEPTED;
}

int
directory_accepts(const struct directory_agency *a, int type)
{
	if (type < ENVELOPE_TYPE_MIN || type > ENVELOPE_TYPE_MAX)
		return 0;
	return (a->accepts & DIRECTORY_TYPE_BIT(type)) != 0;
}

/* Writes "a, b, c" of every kind name (list_kinds) or type name (list_types). */
static void
list_kinds(char *out, size_t cap)
{
	size_t o = 0;
	int k, n;

	out[0] = '\0';
	for (k = 0; k < DIRECTORY_KIND_COUNT && o < cap; k++) {
		if ((n = snprintf(out + o, cap - o, "%s%s", k ? ", " : "", kinds[k].name)) < 0)
			break;
		o += (size_t)n;
	}
}

static void
list_types(char *out, size_t cap)
{
	size_t o = 0;
	int t, n;

	out[0] = '\0';
	for (t = ENVELOPE_TYPE_MIN; t <= ENVELOPE_TYPE_MAX && o < cap; t++) {
		n = snprintf(out + o, cap - o, "%s%s", t > ENVELOPE_TYPE_MIN ? ", " : "",
		    envelope_type_name(t));
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

/* Reads key name of group into pk, checks it and that no other key read so
 * far is the same.  ed25519: a signing key, else an X25519 key. */
static int
load_key(struct loader *l, const config_setting_t *group, const char *name, uint8_t *pk,
    size_t len, bool ed25519, const char *owner)
{
	uint8_t out[crypto_scalarmult_BYTES];
	char file[CONF_ERROR_MAX], field[CONF_FIELD_MAX];
	const config_setting_t *s;
	unsigned line;
	size_t i;

	if (conf_hex(l->c, group, name, CONF_REQUIRED, pk, len) != 0)
		return -1;
	s = config_setting_get_member(group, name);
	if (ed25519 && !crypto_core_ed25519_is_valid_point(pk)) {
		conf_error(l->c, s, "is not a valid Ed25519 public key; "
		    "copy sign_pk from the output of `dutynet keygen`");
		return -1;
	}
	if (!ed25519 && crypto_scalarmult(out, probe_scalar, pk) != 0) {
		conf_error(l->c, s, "is a low-order X25519 point, not a public key; "
		    "copy it from the output of `dutynet keygen`");
		return -1;
	}
	for (i = 0; i < l->n_keys; i++)
		if (memcmp(l->keys[i].pk, pk, len) == 0) {
			conf_where(l->c, l->keys[i].s, file, sizeof(file), &line);
			conf_field(l->keys[i].s, field, sizeof(field));
			conf_error(l->c, s, "same key as %s of %s at %s:%u; every agency and "
			    "every key needs its own (run `dutynet keygen`)", field,
			    l->keys[i].owner, file, line);
			return -1;
		}
	assert(l->n_keys < l->cap_keys);
	l->keys[l->n_keys++] = (struct keyref){pk, s, owner};
	return 0;
}

static int
load_id(struct loader *l, const config_setting_t *group, enum conf_need need, char *id)
{
	char q[CONF_QUOTE_BUF];
	struct status st;
	const char *v;
	int r;

	if ((r = conf_string(l->c, group, "id", need, &v)) != 0)
		return r;
	if (ids_agency_valid(v, strlen(v), &st) == -1) {
		conf_quote(v, q);
		conf_error_member(l->c, group, "id", "'%s' is not a valid agency id: 3 to %d "
		    "of a-z, 0-9 and single '-', starting with a letter", q, IDS_AGENCY_MAX);
		return -1;
	}
	snprintf(id, IDS_AGENCY_MAX + 1, "%s", v);
	return 0;
}

static void
load_broker(struct loader *l, const config_setting_t *root)
{
	struct directory_broker *b = &l->d->broker;
	const config_setting_t *g;

	snprintf(b->id, sizeof(b->id), "%s", DIRECTORY_BROKER_ID_DEFAULT);
	if (conf_group(l->c, root, "broker", CONF_REQUIRED, &g) != 0)
		return;
	conf_check_known(l->c, g, broker_known);
	load_id(l, g, CONF_OPTIONAL, b->id);
	if (load_key(l, g, "sign_pk", b->sign_pk, sizeof(b->sign_pk), true, "the broker") == 0)
		seal_keyid(b->sign_pk, sizeof(b->sign_pk), b->sign_keyid);
	if (load_key(l, g, "box_pk", b->box_pk, sizeof(b->box_pk), false, "the broker") == 0)
		seal_keyid(b->box_pk, sizeof(b->box_pk), b->box_keyid);
	load_key(l, g, "curve_pk", b->curve_pk, sizeof(b->curve_pk), false, "the broker");
}

static void
load_accepts(struct loader *l, const config_setting_t *g, struct directory_agency *a,
    bool kind_ok)
{
	char q[CONF_QUOTE_BUF], types[LIST_MAX];
	const config_setting_t *list, *e;
	unsigned i;
	int t, r;

	r = conf_strings(l->c, g, "accepts", CONF_OPTIONAL, &list);
	if (r == 1 && kind_ok)
		a->accepts = directory_accepts_default(a->kind);
	if (r != 0)
		return;
	a->accepts = ALWAYS_ACCEPTED;
	for (i = 0; i < (unsigned)config_setting_length(list); i++) {
		e = config_setting_get_elem(list, i);
		if ((t = envelope_type_parse(config_setting_get_string(e))) < 0) {
			conf_quote(config_setting_get_string(e), q);
			list_types(types, sizeof(types));
			conf_error(l->c, e, "unknown message type '%s'; types are: %s", q, types);
			continue;
		}
		a->accepts |= DIRECTORY_TYPE_BIT(t);
	}
}

/* An optional string copied into *out (NULL if absent). */
static void
load_text(struct loader *l, const config_setting_t *g, const char *name, char **out)
{
	const char *v;

	if (conf_string(l->c, g, name, CONF_OPTIONAL, &v) != 0)
		return;
	if ((*out = strdup(v)) == NULL)
		conf_error_member(l->c, g, name, "out of memory");
}

/* Checks an agency's working-time calendar as calendar.c will read it. */
static void
check_calendar(struct loader *l, const config_setting_t *g)
{
	const config_setting_t *group;
	struct calendar *cal;
	struct status st;

	if (conf_group(l->c, g, "calendar", CONF_OPTIONAL, &group) != 0)
		return;
	if ((cal = calendar_new_default()) == NULL) {
		conf_error(l->c, group, "out of memory");
		return;
	}
	if (calendar_load_agency(cal, group, conf_path(l->c), &st) != 0)
		conf_errors_add_text(l->errs, st.text);
	calendar_destroy(&cal);
}

static void
load_agency(struct loader *l, const config_setting_t *g, struct directory_agency *a)
{
	char q[CONF_QUOTE_BUF], list[LIST_MAX], file[CONF_ERROR_MAX];
	const config_setting_t *contact;
	const char *name, *kind;
	unsigned line;
	size_t i;
	int k;
	bool kind_ok = false;

	conf_check_known(l->c, g, agency_known);
	if (load_id(l, g, CONF_REQUIRED, a->id) == 0)
		for (i = 0; &l->d->agencies[i] != a; i++)
			if (strcmp(l->d->agencies[i].id, a->id) == 0) {
				conf_where(l->c, config_setting_get_member(config_setting_get_elem(
				    config_setting_parent(g), (unsigned)i), "id"), file, sizeof(file),
				    &line);
				conf_error_member(l->c, g, "id", "agency id '%s' is already used "
				    "by the entry at %s:%u; each agency needs its own id", a->id,
				    file, line);
				break;
			}
	if (conf_string(l->c, g, "name", CONF_REQUIRED, &name) == 0) {
		if (strlen(name) > DIRECTORY_NAME_MAX)
			conf_error_member(l->c, g, "name", "is %zu bytes long; at most %d",
			    strlen(name), DIRECTORY_NAME_MAX);
		else if ((a->name = strdup(name)) == NULL)
			conf_error_member(l->c, g, "name", "out of memory");
	}
	if (conf_string(l->c, g, "kind", CONF_REQUIRED, &kind) == 0) {
		if ((k = directory_kind_parse(kind)) < 0) {
			conf_quote(kind, q);
			list_kinds(list, sizeof(list));
			conf_error_member(l->c, g, "kind", "unknown kind '%s'; kinds are: %s", q,
			    list);
		} else {
			a->kind = (enum directory_kind)k;
			kind_ok = true;
		}
	}
	if (load_key(l, g, "sign_pk", a->sign_pk, sizeof(a->sign_pk), true, a->id) == 0)
		seal_keyid(a->sign_pk, sizeof(a->sign_pk), a->sign_keyid);
	if (load_key(l, g, "box_pk", a->box_pk, sizeof(a->box_pk), false, a->id) == 0)
		seal_keyid(a->box_pk, sizeof(a->box_pk), a->box_keyid);
	load_key(l, g, "curve_pk", a->curve_pk, sizeof(a->curve_pk), false, a->id);
	load_accepts(l, g, a, kind_ok);
	if (conf_group(l->c, g, "contact", CONF_OPTIONAL, &contact) == 0) {
		conf_check_known(l->c, contact, contact_known);
		load_text(l, contact, "email", &a->contact.email);
		load_text(l, contact, "phone", &a->contact.phone);
		load_text(l, contact, "out_of_hours", &a->contact.out_of_hours);
	}
	escalation_read(l->c, g, &a->escalation);
	check_calendar(l, g);
}

/* Checks that escalation chains name agencies and the broker's id none. */
static void
cross_check(struct loader *l, const config_setting_t *list)
{
	const config_setting_t *bg;
	struct directory *d = l->d;

	escalation_check(l->c, list, d);
	if (directory_find(d, d->broker.id) != NULL &&
	    (bg = config_setting_get_member(conf_root(l->c), "broker")) != NULL)
		conf_error_member(l->c, bg, "id", "the broker's id '%s' is also an agency's id; "
		    "give the broker its own id", d->broker.id);
}

struct directory *
directory_load(const char *dir, struct conf_errors *errs)
{
	struct loader l = {.errs = errs};
	const config_setting_t *root, *list = NULL;
	int64_t version = 0;
	size_t before, i, n = 0;

	assert(dir != NULL && errs != NULL);
	before = conf_errors_count(errs);
	if (sodium_init() < 0) {
		conf_errors_add(errs, dir, 0, CONF_FIELD_FILE, "libsodium failed to initialise");
		return NULL;
	}
	if ((l.c = conf_open(dir, DIRECTORY_FILE, errs)) == NULL)
		return NULL;
	root = conf_root(l.c);
	conf_check_known(l.c, root, top_known);
	if (conf_list(l.c, root, "agencies", CONF_REQUIRED, &list) == 0)
		n = (size_t)config_setting_length(list);
	l.cap_keys = n * KEYS_PER_AGENCY + KEYS_OF_BROKER;
	l.keys = calloc(l.cap_keys, sizeof(*l.keys));
	if (l.keys == NULL || (l.d = calloc(1, sizeof(*l.d))) == NULL ||
	    (l.d->agencies = calloc(n ? n : 1, sizeof(*l.d->agencies))) == NULL) {
		conf_errors_add(errs, conf_path(l.c), 0, CONF_FIELD_FILE,
		    "out of memory reading it");
		goto out;
	}
	l.d->n_agencies = n;
	if (conf_int(l.c, root, "version", CONF_OPTIONAL, 0, UINT32_MAX, &version) == 0)
		l.d->version = (uint32_t)version;
	load_broker(&l, root);
	for (i = 0; i < n; i++)
		load_agency(&l, config_setting_get_elem(list, (unsigned)i), &l.d->agencies[i]);
	cross_check(&l, list);
out:
	if (conf_errors_count(errs) > before)
		directory_destroy(&l.d);
	free(l.keys);
	conf_destroy(&l.c);
	return l.d;
}

void
directory_destroy(struct directory **dp)
{
	struct directory_agency *a;
	struct directory *d;
	size_t i;

	if (dp == NULL || *dp == NULL)
		return;
	d = *dp;
	for (i = 0; d->agencies != NULL && i < d->n_agencies; i++) {
		a = &d->agencies[i];
		free(a->name);
		free(a->contact.email);
		free(a->contact.phone);
		free(a->contact.out_of_hours);
		free(a->escalation.manager);
		free(a->escalation.manager_contact);
	}
	free(d->agencies);
	free(d);
	*dp = NULL;
}

const struct directory_agency *
directory_find(const struct directory *d, const char *id)
{
	size_t i;

	for (i = 0; i < d->n_agencies; i++)
		if (strcmp(d->agencies[i].id, id) == 0)
			return &d->agencies[i];
	return NULL;
}

const struct directory_agency *
directory_find_curve(const struct directory *d, const uint8_t pk[DIRECTORY_CURVE_PKBYTES])
{
	size_t i;

	for (i = 0; i < d->n_agencies; i++)
		if (memcmp(d->agencies[i].curve_pk, pk, DIRECTORY_CURVE_PKBYTES) == 0)
			return &d->agencies[i];
	return NULL;
}

const struct directory_agency *
directory_find_sign_keyid(const struct directory *d, const uint8_t keyid[SEAL_KEYID_BYTES])
{
	size_t i;

	for (i = 0; i < d->n_agencies; i++)
		if (memcmp(d->agencies[i].sign_keyid, keyid, SEAL_KEYID_BYTES) == 0)
			return &d->agencies[i];
	return NULL;
}

const struct directory_agency *
directory_find_box_keyid(const struct directory *d, const uint8_t keyid[SEAL_KEYID_BYTES])
{
	size_t i;

	for (i = 0; i < d->n_agencies; i++)
		if (memcmp(d->agencies[i].box_keyid, keyid, SEAL_KEYID_BYTES) == 0)
			return &d->agencies[i];
	return NULL;
}

int
directory_format_keys(const uint8_t sign_pk[SEAL_SIGN_PKBYTES], const uint8_t *box_pk,
    const uint8_t curve_pk[DIRECTORY_CURVE_PKBYTES], char *out, size_t cap)
{
	char sign[SEAL_SIGN_PKBYTES * 2 + 1], box[SEAL_BOX_PKBYTES * 2 + 1];
	char curve[DIRECTORY_CURVE_PKBYTES * 2 + 1];
	int n;

	sodium_bin2hex(sign, sizeof(sign), sign_pk, SEAL_SIGN_PKBYTES);
	sodium_bin2hex(curve, sizeof(curve), curve_pk, DIRECTORY_CURVE_PKBYTES);
	if (box_pk != NULL) {
		sodium_bin2hex(box, sizeof(box), box_pk, SEAL_BOX_PKBYTES);
		n = snprintf(out, cap, "sign_pk = \"%s\";\nbox_pk = \"%s\";\ncurve_pk = \"%s\";\n",
		    sign, box, curve);
	} else {
		n = snprintf(out, cap, "sign_pk = \"%s\";\ncurve_pk = \"%s\";\n", sign, curve);
	}
	if (n < 0 || (size_t)n >= cap)
		return -1;
	return n;
}
