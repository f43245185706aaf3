/* SPDX-License-Identifier: ISC */
/*
 * websession: login sessions and CSRF tokens (see websession.h).  A small
 * fixed table scanned in full: WEBSESSION_MAX people of one agency is far
 * more than are signed in at once, and a full scan compares every token in
 * constant time, with no index whose timing could leak a token.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "agents/websession.h"

struct slot {
	bool used;
	struct websession s;
};

struct websessions {
	uint64_t idle_ms;
	struct slot slot[WEBSESSION_MAX];
};

struct websessions *
websession_new(uint64_t idle_ms)
{
	struct websessions *s;

	if (sodium_init() < 0 || (s = sodium_malloc(sizeof(*s))) == NULL)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->idle_ms = idle_ms;
	return s;
}

void
websession_destroy(struct websessions **sp)
{
	if (sp == NULL || *sp == NULL)
		return;
	sodium_free(*sp);	/* zeroes every token */
	*sp = NULL;
}

void
websession_token(char out[WEBSESSION_TOKEN_TEXT + 1])
{
	unsigned char raw[WEBSESSION_TOKEN_BYTES];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, WEBSESSION_TOKEN_TEXT + 1, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
}

int
websession_token_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL || strlen(a) != WEBSESSION_TOKEN_TEXT ||
	    strlen(b) != WEBSESSION_TOKEN_TEXT)
		return 0;
	return sodium_memcmp(a, b, WEBSESSION_TOKEN_TEXT) == 0;
}

static void
end(struct slot *sl)
{
	sodium_memzero(sl, sizeof(*sl));
}

const struct websession *
websession_start(struct websessions *s, const char *name, enum users_role role,
    uint64_t now_ms)
{
	struct slot *free_slot = NULL, *oldest = NULL;
	size_t i;

	if (strlen(name) > USERS_NAME_MAX)
		return NULL;
	for (i = 0; i < WEBSESSION_MAX && free_slot == NULL; i++) {
		if (!s->slot[i].used)
			free_slot = &s->slot[i];
		else if (oldest == NULL || s->slot[i].s.last_ms < oldest->s.last_ms)
			oldest = &s->slot[i];
	}
	if (free_slot == NULL) {
		end(oldest);
		free_slot = oldest;
	}
	free_slot->used = true;
	websession_token(free_slot->s.token);
	websession_token(free_slot->s.csrf);
	snprintf(free_slot->s.name, sizeof(free_slot->s.name), "%s", name);
	free_slot->s.role = role;
	free_slot->s.last_ms = now_ms;
	return &free_slot->s;
}

/* The slot holding token: every used slot is compared, found or not. */
static struct slot *
lookup(struct websessions *s, const char *token)
{
	struct slot *found = NULL;
	size_t i;

	for (i = 0; i < WEBSESSION_MAX; i++)
		if (s->slot[i].used && websession_token_equal(s->slot[i].s.token, token))
			found = &s->slot[i];
	return found;
}

const struct websession *
websession_find(struct websessions *s, const char *token, uint64_t now_ms, bool touch)
{
	struct slot *sl = lookup(s, token);

	if (sl == NULL)
		return NULL;
	if (now_ms > sl->s.last_ms && now_ms - sl->s.last_ms > s->idle_ms) {
		end(sl);
		return NULL;
	}
	if (touch && now_ms > sl->s.last_ms)
		sl->s.last_ms = now_ms;
	return &sl->s;
}

void
websession_set_role(struct websessions *s, const char *token, enum users_role role)
{
	struct slot *sl = lookup(s, token);

	if (sl != NULL)
		sl->s.role = role;
}

void
websession_end(struct websessions *s, const char *token)
{
	struct slot *sl = lookup(s, token);

	if (sl != NULL)
		end(sl);
}

unsigned
websession_count(const struct websessions *s)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < WEBSESSION_MAX; i++)
		n += s->slot[i].used;
	return n;
}
