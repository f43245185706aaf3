/* SPDX-License-Identifier: ISC */
/*
 * cmd_view: the commands that look without changing anything -
 * `dutynet inbox`, `dutynet show ID`, `dutynet outbox`, `dutynet status ID`,
 * `dutynet deadlines`.
 * The agent renders what they print.
 */
#include "agents/cli/client.h"
#include "agents/cli/cmd.h"
#include "agents/notice.h"

/* A number macro as text, for the help. */
#define TEXT_(x) #x
#define TEXT(x) TEXT_(x)

static const char *const id_only[] = {"id", NULL};
static const char *const outbox_switches[] = {"all", NULL};

static const char inbox_usage[] =
    "usage: dutynet inbox\n"
    "\n"
    "Lists the messages delivered to this agency, oldest first: id, when it\n"
    "was stored, sender, type, urgency, state (received, acknowledged,\n"
    "decided, or rejected on arrival) and case.  'dutynet show ID' opens one.\n"
    "The broker's reminders and escalations about deadlines are here too, as\n"
    "type escalation from the broker.\n";

static const char show_usage[] =
    "usage: dutynet show ID\n"
    "\n"
    "Prints message ID decrypted: a message received (from the inbox) or one\n"
    "this agency sent (its own sealed copy, opened again).  It holds personal\n"
    "data about a child: print it only where it may be read.\n";

static const char outbox_usage[] =
    "usage: dutynet outbox [--all]\n"
    "\n"
    "Shows the broker connection and every message sent that has no final\n"
    "outcome yet - and why: not sent (the broker is unreachable, or refused\n"
    "this agency's key: \"rejected by broker\"), sent but not yet accepted\n"
    "(the broker's last answer and the next try), or accepted and waiting\n"
    "for the recipient's signed receipt.  --all also lists the delivered and\n"
    "failed ones.\n";

static const char status_usage[] =
    "usage: dutynet status ID\n"
    "\n"
    "Shows where message ID is and its timeline from the audit log: created,\n"
    "sent, accepted by the broker, delivered (signed receipt), acknowledged,\n"
    "decided, feedback - or rejected and failed, with the reason - and the\n"
    "broker's reminders and escalations about it, an out-of-hours copy to the\n"
    "emergency duty team, and an on_message run waiting for a contact window.\n"
    "For a referral or concern it then lists its deadlines (acknowledge,\n"
    "decide, feedback to the referrer; policy.conf `deadlines`, counted with\n"
    "the recipient's calendar): each one's due time and whether it was met,\n"
    "is late (by how much, in working and in clock time), is pending or is\n"
    "overdue.  --json adds \"deadlines\": [{step, within, state, due, done,\n"
    "late_working_ms, late_clock_ms}].\n";

static const char deadlines_usage[] =
    "usage: dutynet deadlines\n"
    "\n"
    "Lists what is due and overdue for this agency, soonest first - the same\n"
    "deadlines the broker tracks (policy.conf `deadlines`, each counted with\n"
    "the recipient's working calendar; immediate urgency in clock time):\n"
    "  recipient  a referral or concern received that this agency has not yet\n"
    "             acknowledged, decided on, or given the referrer feedback on\n"
    "  sender     one this agency sent whose recipient has not yet done so\n"
    "  told       the broker told this agency of another agency's missed\n"
    "             deadline (an escalation) in the last " TEXT(NOTICE_TOLD_DAYS) " days\n"
    "Each line: due time (London), step (ack, decision, feedback), role,\n"
    "message id, the other agency, and \"due in ...\" or \"overdue by ...\" in\n"
    "working and in clock time, with how many reminders and escalations the\n"
    "broker sent about it.  A step is done when its answer is made (a decision\n"
    "also counts as the acknowledgement).  'dutynet status ID' shows a\n"
    "message's deadlines, met and late ones too.  --json prints {\"agency\",\n"
    "\"now\", \"deadlines\": [{due, state, step, role, id, type, with, case,\n"
    "urgency, late_working_ms, late_clock_ms, reminders, escalations, notice}]}.\n";

int
cmd_inbox(int argc, char **argv)
{
	struct client_cmd c = {"inbox", "inbox", inbox_usage, NULL, 0, NULL, NULL, NULL};

	return client_main(&c, argc, argv);
}

int
cmd_show(int argc, char **argv)
{
	struct client_cmd c = {"show", "show", show_usage, id_only, 1, NULL, NULL, NULL};

	return client_main(&c, argc, argv);
}

int
cmd_outbox(int argc, char **argv)
{
	struct client_cmd c = {"outbox", "outbox", outbox_usage, NULL, 0, NULL, outbox_switches,
		NULL};

	return client_main(&c, argc, argv);
}

int
cmd_status(int argc, char **argv)
{
	struct client_cmd c = {"status", "status", status_usage, id_only, 1, NULL, NULL, NULL};

	return client_main(&c, argc, argv);
}

int
cmd_deadlines(int argc, char **argv)
{
	struct client_cmd c = {"deadlines", "deadlines", deadlines_usage, NULL, 0, NULL, NULL, NULL};

	return client_main(&c, argc, argv);
}
