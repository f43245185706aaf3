/* SPDX-License-Identifier: ISC */
/*
 * directory: the agencies of one local area, read from directory.conf.
 * For each agency: its id, display name and kind, its three public keys
 * (Ed25519 signing, X25519 box, CURVE transport), the message types it
 * accepts (one side of the two-sided policy; policy.c holds the other) and
 * the contact and escalation details that deadlines and reminders use.  The
 * broker's own public keys are here too, so agents can authenticate it.
 *
 * The broker looks agencies up by CURVE key (ZAP) and by signing key id
 * (admission); agents by id and by box key id.  An area has tens to a few
 * hundred agencies, so lookups are linear scans over one array.
 */
#ifndef DUTYNET_DIRECTORY_H
#define DUTYNET_DIRECTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/conf.h"
#include "proto/ids.h"
#include "proto/seal.h"

#define DIRECTORY_FILE "directory.conf"
#define DIRECTORY_CURVE_PKBYTES 32
#define DIRECTORY_NAME_MAX 128		/* display name, bytes */
#define DIRECTORY_BROKER_ID_DEFAULT "broker"
/* Escalation chains: at most this many steps.  Without a `chain`, a missed
 * deadline is told at once to the sender and to the recipient's manager. */
#define DIRECTORY_CHAIN_MAX 8
#define DIRECTORY_TELL_SENDER_NAME "sender"
#define DIRECTORY_TELL_RECIPIENT_NAME "recipient"
/* Room for directory_format_keys' output. */
#define DIRECTORY_KEYS_TEXT_MAX 256

enum directory_kind {
	DIRECTORY_SCHOOL,
	DIRECTORY_SOCIAL_CARE,		/* children's social care, MASH front door */
	DIRECTORY_EMERGENCY_DUTY_TEAM,	/* social care out of hours */
	DIRECTORY_CAMHS,
	DIRECTORY_HEALTH,		/* community health, school nursing */
	DIRECTORY_POLICE,
	DIRECTORY_HOUSING,
	DIRECTORY_YOUTH_OFFENDING,
	DIRECTORY_EARLY_HELP,
	DIRECTORY_PARTNERSHIP,		/* safeguarding children partnership */
};
#define DIRECTORY_KIND_COUNT (DIRECTORY_PARTNERSHIP + 1)

/* Bit for message type t (enum envelope_type) in an accepts mask. */
#define DIRECTORY_TYPE_BIT(t) (UINT32_C(1) << (t))

/* How to reach an agency; each is NULL when not configured. */
struct directory_contact {
	char *email;
	char *phone;
	char *out_of_hours;		/* phone number outside working hours */
};

/* Who one step of an escalation chain tells. */
enum directory_tell {
	DIRECTORY_TELL_SENDER = 1,	/* the sender of the overdue message */
	DIRECTORY_TELL_RECIPIENT,	/* the recipient agency (its manager mailbox) */
	DIRECTORY_TELL_AGENCY,		/* another agency by id (e.g. the partnership) */
};

struct directory_escalation_step {
	enum directory_tell tell;
	char agency[IDS_AGENCY_MAX + 1];	/* DIRECTORY_TELL_AGENCY: its id; else "" */
	struct conf_duration after;	/* from the missed deadline ("0 minutes": at once),
					 * with the recipient's calendar (deadline.h) */
};

/* Who is told, and when, if this agency does not answer in time.  The
 * deadlines themselves are in policy.conf (config/deadline.h). */
struct directory_escalation {
	char *manager;			/* role or name; NULL if not configured */
	char *manager_contact;		/* NULL if not configured */
	struct directory_escalation_step chain[DIRECTORY_CHAIN_MAX];
	size_t n_chain;			/* >= 1: the default chain if none is set */
};

struct directory_agency {
	char id[IDS_AGENCY_MAX + 1];
	char *name;
	enum directory_kind kind;
	uint8_t sign_pk[SEAL_SIGN_PKBYTES];
	uint8_t box_pk[SEAL_BOX_PKBYTES];
	uint8_t curve_pk[DIRECTORY_CURVE_PKBYTES];
	uint8_t sign_keyid[SEAL_KEYID_BYTES];
	uint8_t box_keyid[SEAL_KEYID_BYTES];
	uint32_t accepts;		/* DIRECTORY_TYPE_BIT per accepted type */
	struct directory_contact contact;
	struct directory_escalation escalation;
};

struct directory_broker {
	char id[IDS_AGENCY_MAX + 1];	/* the `from` of messages the broker sends */
	uint8_t sign_pk[SEAL_SIGN_PKBYTES];
	uint8_t box_pk[SEAL_BOX_PKBYTES];	/* seals its notices (reminders, escalations) */
	uint8_t curve_pk[DIRECTORY_CURVE_PKBYTES];
	uint8_t sign_keyid[SEAL_KEYID_BYTES];
	uint8_t box_keyid[SEAL_KEYID_BYTES];
};

struct directory {
	uint32_t version;		/* directory_version in envelope headers */
	struct directory_broker broker;
	struct directory_agency *agencies;
	size_t n_agencies;
};

/* Reads dir/directory.conf.  Returns the directory, or NULL after recording
 * every problem found in errs (syntax, missing or unknown settings, bad ids,
 * kinds or type names, malformed or duplicated keys, duplicated ids). */
struct directory *directory_load(const char *dir, struct conf_errors *errs);

/* Frees d; accepts NULL; sets *dp = NULL. */
void directory_destroy(struct directory **dp);

/* Lookups; the result is borrowed from d, NULL if there is none. */
const struct directory_agency *directory_find(const struct directory *d, const char *id);
const struct directory_agency *directory_find_curve(const struct directory *d,
    const uint8_t pk[DIRECTORY_CURVE_PKBYTES]);
const struct directory_agency *directory_find_sign_keyid(const struct directory *d,
    const uint8_t keyid[SEAL_KEYID_BYTES]);
const struct directory_agency *directory_find_box_keyid(const struct directory *d,
    const uint8_t keyid[SEAL_KEYID_BYTES]);

/* 1 if a accepts messages of type (enum envelope_type), else 0. */
int directory_accepts(const struct directory_agency *a, int type);

/* The types a kind accepts when its entry has no `accepts` (CONFIG.md). */
uint32_t directory_accepts_default(enum directory_kind kind);

/* "social-care" for DIRECTORY_SOCIAL_CARE; NULL if out of range. */
const char *directory_kind_name(int kind);

/* The kind named name; -1 if none. */
int directory_kind_parse(const char *name);

/* Writes the public-key snippet `dutynet keygen` prints and saves as
 * keys/<id>.pub (sign_pk, box_pk unless NULL, curve_pk; lowercase hex),
 * one setting per line, for @include inside a directory.conf entry.
 * Returns the length, or -1 if cap is too small. */
int directory_format_keys(const uint8_t sign_pk[SEAL_SIGN_PKBYTES], const uint8_t *box_pk,
    const uint8_t curve_pk[DIRECTORY_CURVE_PKBYTES], char *out, size_t cap);

#endif
