/* SPDX-License-Identifier: ISC */
/*
 * expire: expiry times and the periodic expiry pass (see expire.h).  The
 * pass runs inside the loop's batch transaction, so the failures it records
 * commit with that batch, and each sender's session is woken only for what
 * is then on disk (the loop pumps after the commit).
 */
#include "broker/expire.h"
#include "broker/outcome.h"
#include "common/log.h"

struct woken {
	struct deliver *d;
	struct stats *stats;
};

uint64_t
expire_at(const struct settings_broker *conf, const struct calendar *cal, uint64_t now_ms)
{
	struct status why;
	uint64_t at;

	if (cal == NULL || conf->expiry.parsed.kind == DURATION_CLOCK ||
	    calendar_due(cal, now_ms, &conf->expiry.parsed, &at, &why) == -1)
		return now_ms + conf->expiry.clock_ms;
	return at;
}

static void
expired(const struct store_message *m, void *arg)
{
	struct woken *w = arg;
	char id[IDS_MSGID_TEXT + 1];

	ids_msgid_format(m->id, id);
	log_event(LOG_LEVEL_WARN, m->sender, id, "expired", "to=%s %s", m->recipient, m->text);
	stats_inc(w->stats, STATS_EXPIRED);
	deliver_wake(w->d, m->sender);
}

int
expire_run(struct store *s, uint64_t now_ms, struct deliver *d, struct stats *stats,
    struct status *st)
{
	struct woken w = {d, stats};
	unsigned n;

	return outcome_expire(s, now_ms, expired, &w, &n, st);
}
