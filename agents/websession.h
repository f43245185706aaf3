/* SPDX-License-Identifier: ISC */
/*
 * websession: the web inbox's login sessions and their CSRF tokens, in
 * memory (a restart logs everyone out, which is the safe direction).
 *
 * A session is named by a random token (WEBSESSION_TOKEN_BYTES from
 * libsodium, as hex) that only its cookie carries, and has a second random
 * token that every form it posts must carry (CSRF).  It ends when signed
 * out, or when unused for longer than the idle limit; when the table is
 * full, the least recently used session is ended to make room.  Tokens are
 * compared in constant time and wiped when a session ends.  Time is passed
 * in (callers use clock_now_ms()), so tests never sleep.
 */
#ifndef DUTYNET_WEBSESSION_H
#define DUTYNET_WEBSESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "agents/users.h"

#define WEBSESSION_TOKEN_BYTES 32
#define WEBSESSION_TOKEN_TEXT (WEBSESSION_TOKEN_BYTES * 2)	/* hex digits */
#define WEBSESSION_MAX 256		/* sessions at once */

struct websession {
	char token[WEBSESSION_TOKEN_TEXT + 1];	/* the cookie's value */
	char csrf[WEBSESSION_TOKEN_TEXT + 1];	/* every form's hidden field */
	char name[USERS_NAME_MAX + 1];
	enum users_role role;
	uint64_t last_ms;			/* last request */
};

struct websessions;

/* An empty table whose sessions end after idle_ms without a request; NULL
 * if out of memory. */
struct websessions *websession_new(uint64_t idle_ms);

/* Wipes and frees *sp; accepts NULL; sets *sp = NULL. */
void websession_destroy(struct websessions **sp);

/* Starts a session for name in role at now_ms (ending the least recently
 * used one if the table is full), borrowed from s until the next call that
 * starts or ends sessions; NULL if name is too long. */
const struct websession *websession_start(struct websessions *s, const char *name,
    enum users_role role, uint64_t now_ms);

/* The session with this token - its idle clock restarted at now_ms if
 * touch (a person's request; not the event stream a page keeps open) -,
 * or NULL (and the session ended) if it was idle for longer than the
 * limit, or if there is none (token NULL too). */
const struct websession *websession_find(struct websessions *s, const char *token,
    uint64_t now_ms, bool touch);

/* Gives the session with this token the account's current role (changed
 * since it signed in), if there is such a session. */
void websession_set_role(struct websessions *s, const char *token, enum users_role role);

/* Ends the session with this token, if any. */
void websession_end(struct websessions *s, const char *token);

/* Sessions now open (ended and idle ones not counted once found). */
unsigned websession_count(const struct websessions *s);

/* A fresh random token as hex text (the login form's pre-session token). */
void websession_token(char out[WEBSESSION_TOKEN_TEXT + 1]);

/* 1 if a and b are both tokens (WEBSESSION_TOKEN_TEXT characters) and
 * equal, compared in constant time; 0 otherwise (NULL too). */
int websession_token_equal(const char *a, const char *b);

#endif
