/* SPDX-License-Identifier: ISC */
/*
 * sendform: the fields of a new referral or concern as a person fills them
 * in - the flags of `dutynet send` and the fields of the web inbox's compose
 * form, which have the same names - read into an envelope header and a
 * payload with every check in one place, so both say the same things about
 * the same mistakes.  Every problem is recorded against its field, in the
 * order the fields are checked: req_send reports the first, the web form
 * shows each beside its field.  Texts name the flag ("--dob is not a real
 * date ..."), never a child's identifier.
 */
#ifndef DUTYNET_SENDFORM_H
#define DUTYNET_SENDFORM_H

#include <stddef.h>

#include "proto/envelope.h"
#include "proto/payload.h"
#include "proto/status.h"

/* Fields of the form with their own check (more problems are not kept). */
#define SENDFORM_PROBLEMS_MAX 16
#define SENDFORM_FIELD_MAX 24		/* bytes of a field name and its NUL */

/* Every field name, NULL-terminated (the CLI's known flags). */
extern const char *const sendform_fields[];

struct sendform_problem {
	char field[SENDFORM_FIELD_MAX];	/* "dob", "to", ... */
	struct status st;		/* 504, or 503 for the type */
};

struct sendform_problems {
	size_t n;
	struct sendform_problem v[SENDFORM_PROBLEMS_MAX];
};

/* The value of field, or NULL if it was not given; "" counts as not given
 * for a required field. */
typedef const char *(*sendform_get_fn)(void *arg, const char *field);

/* Reads the form through get into h (type, to, urgency - standard if not
 * given -, case_id; the rest zero) and p (a referral payload whose texts
 * borrow get's strings).  Returns how many problems it recorded in probs:
 * 0 means h and p are ready for compose_seal, which checks the recipient
 * against the directory and the sharing policy. */
size_t sendform_read(sendform_get_fn get, void *arg, struct envelope_header *h,
    struct payload *p, struct sendform_problems *probs);

#endif
