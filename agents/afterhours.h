/* SPDX-License-Identifier: ISC */
/*
 * afterhours: out-of-hours routing, decided by the sender's agent when a
 * message is sent.  Children's social care works office hours; outside
 * them its emergency duty team (EDT) covers.  So an immediate or urgent
 * message to a social-care agency whose calendar is closed at that moment
 * is ALSO sealed to the area's emergency duty team - the same payload, the
 * same case id, as a separate message sent in the same transaction - and
 * the sender is told so.  The original still goes to the social-care
 * agency, which finds it when it opens.
 */
#ifndef DUTYNET_AFTERHOURS_H
#define DUTYNET_AFTERHOURS_H

#include <stdbool.h>
#include <stdint.h>

#include "config/agencycal.h"
#include "config/directory.h"

/* What people call the kind that covers out of hours. */
#define AFTERHOURS_TEAM_NAME "Emergency Duty Team"

/* true if cal is closed at t (no working time passes in the millisecond
 * from t). */
bool afterhours_closed(const struct calendar *cal, uint64_t t);

/* true if a message of urgency to agency `to` at now_ms needs an
 * out-of-hours copy: immediate or urgent, to a social-care agency, whose
 * calendar (in c) is closed at now_ms. */
bool afterhours_due(const struct agencycal *c, const struct directory_agency *to, int urgency,
    uint64_t now_ms);

/* The agency the copy goes to: the first of kind emergency-duty-team in d
 * (directory order), borrowed; NULL if the area has none. */
const struct directory_agency *afterhours_team(const struct directory *d);

#endif
