/* SPDX-License-Identifier: ISC */
/*
 * loginrate: failed-login counting for the web inbox (see loginrate.h).
 *
 * DESIGN.  Two fixed tables of LOGINRATE_MAX_KEYS slots, one for accounts
 * and one for addresses, allocated once: memory never grows, whatever a
 * guesser sends.  A slot keeps the times of the last failures (a ring as
 * long as the table's threshold), so "N failures within the window" is a
 * sliding window, not a fixed one a guesser could straddle.  When the Nth
 * failure falls inside the window the slot is locked until now + the lock
 * time and its ring is emptied: after the lock the key starts afresh.
 * Lookups scan the table comparing a 64-bit hash first; a few thousand
 * slots scanned per login is nothing next to an Argon2id verification.
 * When a table is full the least recently touched unlocked slot is reused;
 * if every slot is locked, the one whose lock ends soonest.
 */
#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "agents/loginrate.h"

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

struct slot {
	bool used;
	uint64_t hash;
	char key[LOGINRATE_KEY_MAX + 1];
	uint64_t fails[LOGINRATE_ADDR_FAILS];	/* ring; the account table uses the first 5 */
	unsigned nfails;			/* entries in the ring, up to the threshold */
	unsigned head;				/* where the next failure goes */
	uint64_t locked_until;			/* ms; 0 if never locked */
	uint64_t touched;			/* lr->tick when last used (LRU) */
};

struct table {
	unsigned threshold;
	struct slot *slots;
};

struct loginrate {
	struct table accounts, addrs;
	uint64_t tick;		/* orders touches for the LRU */
	uint64_t now;		/* the latest time seen, to tell locked slots */
};

/* The key as kept: cut at LOGINRATE_KEY_MAX bytes. */
static size_t
keylen(const char *key)
{
	size_t n = strlen(key);

	return n > LOGINRATE_KEY_MAX ? LOGINRATE_KEY_MAX : n;
}

static uint64_t
fnv(const char *key, size_t len)
{
	uint64_t h = FNV_OFFSET;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (uint8_t)key[i];
		h *= FNV_PRIME;
	}
	return h;
}

static struct slot *
lookup(struct table *t, const char *key)
{
	size_t len = keylen(key), i;
	uint64_t h = fnv(key, len);

	for (i = 0; i < LOGINRATE_MAX_KEYS; i++) {
		struct slot *s = &t->slots[i];

		if (s->used && s->hash == h && strlen(s->key) == len &&
		    memcmp(s->key, key, len) == 0)
			return s;
	}
	return NULL;
}

/* A slot to reuse: a free one, else the least recently touched unlocked
 * one, else the one whose lock ends soonest. */
static struct slot *
victim(struct loginrate *lr, struct table *t)
{
	struct slot *lru = NULL, *soonest = NULL;
	size_t i;

	for (i = 0; i < LOGINRATE_MAX_KEYS; i++) {
		struct slot *s = &t->slots[i];

		if (!s->used)
			return s;
		if (s->locked_until > lr->now) {
			if (soonest == NULL || s->locked_until < soonest->locked_until)
				soonest = s;
		} else if (lru == NULL || s->touched < lru->touched) {
			lru = s;
		}
	}
	return lru != NULL ? lru : soonest;
}

static struct slot *
get(struct loginrate *lr, struct table *t, const char *key)
{
	struct slot *s = lookup(t, key);
	size_t len;

	if (s == NULL) {
		s = victim(lr, t);
		len = keylen(key);
		memset(s, 0, sizeof(*s));
		s->used = true;
		s->hash = fnv(key, len);
		memcpy(s->key, key, len);
		s->key[len] = '\0';
	}
	s->touched = ++lr->tick;
	return s;
}

struct loginrate *
loginrate_new(void)
{
	struct loginrate *lr = calloc(1, sizeof(*lr));

	if (lr == NULL)
		return NULL;
	lr->accounts.threshold = LOGINRATE_ACCOUNT_FAILS;
	lr->addrs.threshold = LOGINRATE_ADDR_FAILS;
	lr->accounts.slots = calloc(LOGINRATE_MAX_KEYS, sizeof(struct slot));
	lr->addrs.slots = calloc(LOGINRATE_MAX_KEYS, sizeof(struct slot));
	if (lr->accounts.slots == NULL || lr->addrs.slots == NULL)
		loginrate_destroy(&lr);
	return lr;
}

void
loginrate_destroy(struct loginrate **lrp)
{
	struct loginrate *lr;

	if (lrp == NULL || (lr = *lrp) == NULL)
		return;
	free(lr->accounts.slots);
	free(lr->addrs.slots);
	free(lr);
	*lrp = NULL;
}

/* ms until key's lock ends at now, 0 if it is not locked. */
static uint64_t
wait_one(struct table *t, const char *key, uint64_t now)
{
	struct slot *s = lookup(t, key);

	if (s == NULL || s->locked_until <= now)
		return 0;
	return s->locked_until - now;
}

uint64_t
loginrate_wait_ms(struct loginrate *lr, const char *account, const char *addr, uint64_t now_ms)
{
	uint64_t a, b;

	assert(lr != NULL && account != NULL && addr != NULL);
	if (now_ms > lr->now)
		lr->now = now_ms;
	a = wait_one(&lr->accounts, account, now_ms);
	b = wait_one(&lr->addrs, addr, now_ms);
	return a > b ? a : b;
}

/* One failure for key at now; locks it at the table's threshold. */
static void
fail_one(struct loginrate *lr, struct table *t, const char *key, uint64_t now)
{
	struct slot *s = get(lr, t, key);
	unsigned i, recent = 0;

	if (s->locked_until > now)
		return;		/* locked already: the lock is not stretched */
	s->fails[s->head] = now;
	s->head = (s->head + 1) % t->threshold;
	if (s->nfails < t->threshold)
		s->nfails++;
	/* A time after now (a clock stepped back) counts as recent. */
	for (i = 0; i < s->nfails; i++)
		if (s->fails[i] + LOGINRATE_WINDOW_MS > now)
			recent++;
	if (recent >= t->threshold) {
		s->locked_until = now + LOGINRATE_LOCK_MS;
		s->nfails = 0;
		s->head = 0;
	}
}

void
loginrate_failed(struct loginrate *lr, const char *account, const char *addr, uint64_t now_ms)
{
	assert(lr != NULL && account != NULL && addr != NULL);
	if (now_ms > lr->now)
		lr->now = now_ms;
	fail_one(lr, &lr->accounts, account, now_ms);
	fail_one(lr, &lr->addrs, addr, now_ms);
}

void
loginrate_succeeded(struct loginrate *lr, const char *account, const char *addr)
{
	struct slot *s;

	assert(lr != NULL && account != NULL && addr != NULL);
	(void)addr;	/* an address's failures at other accounts still count */
	if ((s = lookup(&lr->accounts, account)) == NULL)
		return;
	/* Its failures are forgotten; a lock (the caller should not have
	 * checked a password under it) still runs out by itself. */
	s->nfails = 0;
	s->head = 0;
	if (s->locked_until <= lr->now)
		s->used = false;
}
