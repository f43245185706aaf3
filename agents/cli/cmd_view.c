/* SPDX-License-Identifier: ISC */
/*
 * cmd_view: the commands that look without changing anything -
 * `dutynet inbox`, `dutynet show ID`, `dutynet outbox`, `dutynet status ID`.
 * The agent renders what they print.
 */
#include "agents/cli/client.h"
#include "agents/cli/cmd.h"

static const char *const id_only[] = {"id", NULL};
static const char *const outbox_switches[] = {"all", NULL};

static const char inbox_usage[] =
    "usage: dutynet inbox\n"
    "\n"
    "Lists the messages delivered to this agency, oldest first: id, when it\n"
    "was stored, sender, type, urgency, state (received, acknowledged,\n"
    "decided, or rejected on arrival) and case.  'dutynet show ID' opens one.\n";

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
    "decided, feedback - or rejected and failed, with the reason.\n";

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
