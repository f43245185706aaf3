/* SPDX-License-Identifier: ISC */
/*
 * afterhours: when a message also goes to the emergency duty team (see
 * afterhours.h).
 */
#include "agents/afterhours.h"
#include "proto/envelope.h"

/* The working time probed from t: is the calendar open at that instant? */
#define AFTERHOURS_PROBE_MS 1

bool
afterhours_closed(const struct calendar *cal, uint64_t t)
{
	return calendar_working_between(cal, t, t + AFTERHOURS_PROBE_MS) < AFTERHOURS_PROBE_MS;
}

bool
afterhours_due(const struct agencycal *c, const struct directory_agency *to, int urgency,
    uint64_t now_ms)
{
	if (urgency != URGENCY_IMMEDIATE && urgency != URGENCY_URGENT)
		return false;
	if (to->kind != DIRECTORY_SOCIAL_CARE)
		return false;
	return afterhours_closed(agencycal_get(c, to->id), now_ms);
}

const struct directory_agency *
afterhours_team(const struct directory *d)
{
	size_t i;

	for (i = 0; i < d->n_agencies; i++)
		if (d->agencies[i].kind == DIRECTORY_EMERGENCY_DUTY_TEAM)
			return &d->agencies[i];
	return NULL;
}
