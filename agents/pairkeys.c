/* SPDX-License-Identifier: ISC */
/*
 * pairkeys: a small cache of derived pair keys (see pairkeys.h).  An area
 * has at most a few hundred agencies, so a linear scan is enough; the keys
 * sit in one sodium_malloc slab that doubles when full (the old slab is
 * wiped and freed by sodium_free).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "agents/pairkeys.h"

struct entry {
	uint8_t peer_pk[SEAL_BOX_PKBYTES];
	enum seal_direction dir;
};

struct pairkeys {
	const struct keyfile *k;
	struct entry *entries;		/* public half: which peer, which way */
	uint8_t *keys;			/* secret half: cap * SEAL_KEYBYTES, sodium_malloc */
	size_t n;
	size_t cap;
};

struct pairkeys *
pairkeys_new(const struct keyfile *k)
{
	struct pairkeys *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->k = k;
	return p;
}

void
pairkeys_destroy(struct pairkeys **pp)
{
	if (*pp == NULL)
		return;
	if ((*pp)->keys != NULL)
		sodium_free((*pp)->keys);	/* wipes */
	free((*pp)->entries);
	free(*pp);
	*pp = NULL;
}

static int
grow(struct pairkeys *p)
{
	size_t cap = p->cap ? p->cap * 2 : PAIRKEYS_FIRST_CAP;
	struct entry *e;
	uint8_t *keys;

	if ((e = realloc(p->entries, cap * sizeof(*e))) == NULL)
		return -1;
	p->entries = e;
	if ((keys = sodium_malloc(cap * SEAL_KEYBYTES)) == NULL)
		return -1;
	if (p->keys != NULL) {
		memcpy(keys, p->keys, p->n * SEAL_KEYBYTES);
		sodium_free(p->keys);
	}
	p->keys = keys;
	p->cap = cap;
	return 0;
}

const uint8_t *
pairkeys_get(struct pairkeys *p, const uint8_t peer_pk[SEAL_BOX_PKBYTES], enum seal_direction dir,
    struct status *st)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->entries[i].dir == dir &&
		    memcmp(p->entries[i].peer_pk, peer_pk, SEAL_BOX_PKBYTES) == 0)
			return p->keys + i * SEAL_KEYBYTES;
	if (p->n == p->cap && grow(p) != 0) {
		status_set(st, STATUS_STORE_FAILED, "out of locked memory for payload keys");
		return NULL;
	}
	if (seal_pair_key(p->k->box_sk, p->k->box_pk, peer_pk, dir, p->keys + p->n * SEAL_KEYBYTES,
		st) != 0)
		return NULL;
	memcpy(p->entries[p->n].peer_pk, peer_pk, SEAL_BOX_PKBYTES);
	p->entries[p->n].dir = dir;
	return p->keys + p->n++ * SEAL_KEYBYTES;
}
