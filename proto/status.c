/* SPDX-License-Identifier: ISC */
/*
 * status: filling a status and naming codes.  The names are part of the wire
 * contract (PROTOCOL.md, "Status codes"): clients may show them to people.
 */
#include <stdarg.h>
#include <stdio.h>

#include "proto/status.h"

static const struct {
	int code;
	const char *name;
} names[] = {
	{STATUS_OK, "ok"},
	{STATUS_ACCEPTED, "accepted"},
	{STATUS_DELIVERED, "delivered"},
	{STATUS_UNAVAILABLE, "unavailable"},
	{STATUS_STORE_FAILED, "store-failed"},
	{STATUS_QUOTA, "quota"},
	{STATUS_BUSY, "busy"},
	{STATUS_MALFORMED, "malformed"},
	{STATUS_UNKNOWN_COMMAND, "unknown-command"},
	{STATUS_BAD_VERSION, "bad-version"},
	{STATUS_BAD_TYPE, "bad-type"},
	{STATUS_BAD_FIELD, "bad-field"},
	{STATUS_TOO_LARGE, "too-large"},
	{STATUS_BAD_SIGNATURE, "bad-signature"},
	{STATUS_UNKNOWN_KEY, "unknown-key"},
	{STATUS_SENDER_MISMATCH, "sender-mismatch"},
	{STATUS_DECRYPT_FAILED, "decrypt-failed"},
	{STATUS_WRONG_RECIPIENT, "wrong-recipient"},
	{STATUS_UNKNOWN_AGENCY, "unknown-agency"},
	{STATUS_FORBIDDEN, "forbidden"},
	{STATUS_NOT_ACCEPTED, "not-accepted"},
	{STATUS_EXPIRED, "expired"},
	{STATUS_REJECTED, "rejected"},
	{STATUS_CONFLICT, "conflict"},
	{STATUS_PROVE_FROM, "prove-from"},
	{STATUS_INCONSISTENT, "inconsistent"},
};

int
status_set(struct status *st, int code, const char *fmt, ...)
{
	va_list ap;

	if (st == NULL)
		return -1;
	st->code = code;
	va_start(ap, fmt);
	vsnprintf(st->text, sizeof(st->text), fmt, ap);
	va_end(ap);
	return -1;
}

void
status_ok(struct status *st)
{
	if (st == NULL)
		return;
	st->code = STATUS_OK;
	st->text[0] = '\0';
}

const char *
status_name(int code)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].code == code)
			return names[i].name;
	return "unknown";
}

int
status_is_temporary(int code)
{
	return code >= 400 && code < 500;
}
