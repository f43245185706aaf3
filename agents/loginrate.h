/* SPDX-License-Identifier: ISC */
/*
 * loginrate: the in-memory limit on failed web logins (issue 9), so a
 * password cannot be guessed online.
 *
 * Rule: LOGINRATE_ACCOUNT_FAILS failures for one account (from any address),
 * or LOGINRATE_ADDR_FAILS from one address (to any account), within
 * LOGINRATE_WINDOW_MS lock that account / that address for LOGINRATE_LOCK_MS.
 * A lock refuses the right password too (the caller asks loginrate_wait_ms
 * before checking the password).  A success clears the account's failures,
 * not the address's (one good account must not launder an address that is
 * guessing others).
 *
 * Memory is bounded: at most LOGINRATE_MAX_KEYS accounts and as many
 * addresses are tracked; when full, the least recently touched key that is
 * not locked is forgotten first (then the oldest lock).  Time is passed in
 * (callers use clock_now_ms()), so the tests never sleep.
 */
#ifndef DUTYNET_LOGINRATE_H
#define DUTYNET_LOGINRATE_H

#include <stdint.h>

#define LOGINRATE_ACCOUNT_FAILS 5		/* failures per account ... */
#define LOGINRATE_ADDR_FAILS 20			/* ... or per address ... */
#define LOGINRATE_WINDOW_MS (15 * 60 * 1000ULL)	/* ... within this window ... */
#define LOGINRATE_LOCK_MS (15 * 60 * 1000ULL)	/* ... lock it for this long */
#define LOGINRATE_MAX_KEYS 4096			/* tracked accounts (and addresses) */
#define LOGINRATE_KEY_MAX 128			/* bytes of a key kept; longer ones are cut */

struct loginrate;

/* A new, empty limiter, owned by the caller; NULL if out of memory. */
struct loginrate *loginrate_new(void);

/* Frees *lrp and sets it to NULL; accepts NULL and *lrp == NULL. */
void loginrate_destroy(struct loginrate **lrp);

/* 0 if a login attempt for account from addr is allowed at now_ms; else ms
 * until the next attempt is allowed (the longer of the two locks). */
uint64_t loginrate_wait_ms(struct loginrate *lr, const char *account, const char *addr,
    uint64_t now_ms);

/* Records a failed attempt (wrong password, unknown or disabled account). */
void loginrate_failed(struct loginrate *lr, const char *account, const char *addr,
    uint64_t now_ms);

/* Records a successful login: forgets account's failures. */
void loginrate_succeeded(struct loginrate *lr, const char *account, const char *addr);

#endif
