/* SPDX-License-Identifier: ISC */
/*
 * cmd_answer: a person answers a referral or concern received -
 * `dutynet ack ID`, `dutynet decide ID accept|decline|redirect`,
 * `dutynet feedback ID`.  The agent records the answer and queues the
 * signed reply to the sender.
 */
#include "agents/cli/client.h"
#include "agents/cli/cmd.h"

static const char *const id_only[] = {"id", NULL};
static const char *const id_decision[] = {"id", "decision", NULL};
static const char *const ack_flags[] = {"by", "text", NULL};
static const char *const decide_flags[] = {"reason", "to", "by", "text", NULL};
static const char *const feedback_flags[] = {"text", "by", NULL};

static const char ack_usage[] =
    "usage: dutynet ack ID --by \"NAME, ROLE\" [--text TEXT]\n"
    "\n"
    "Acknowledges the referral or concern ID: records who acknowledged it and\n"
    "when, and sends the referrer a signed acknowledgement (Working Together:\n"
    "within one working day).  Acknowledging twice sends nothing new.\n"
    "\n"
    "  --by \"NAME, ROLE\"   who acknowledges (default: your login name)\n"
    "  --text TEXT         a note for the referrer\n";

static const char decide_usage[] =
    "usage: dutynet decide ID accept|decline|redirect [--reason TEXT] [--to AGENCY]\n"
    "                      [--by \"NAME, ROLE\"] [--text TEXT]\n"
    "\n"
    "Records the decision on the referral or concern ID and tells the referrer.\n"
    "A decline or redirect needs --reason.  A redirect needs --to AGENCY: the\n"
    "referral is also forwarded, unchanged, to AGENCY as a new message that\n"
    "names the original.  A message is decided once.\n"
    "\n"
    "  --reason TEXT       why (required for decline and redirect)\n"
    "  --to AGENCY         where a redirect sends it\n"
    "  --by \"NAME, ROLE\"   who decides (default: your login name)\n"
    "  --text TEXT         anything else the referrer should know\n";

static const char feedback_usage[] =
    "usage: dutynet feedback ID --text TEXT [--by \"NAME, ROLE\"]\n"
    "\n"
    "Sends the referrer of ID feedback or an update on what happened.\n"
    "\n"
    "  --text TEXT         the feedback\n"
    "  --by \"NAME, ROLE\"   who gives it (default: your login name)\n";

int
cmd_ack(int argc, char **argv)
{
	struct client_cmd c = {"ack", "ack", ack_usage, id_only, 1, ack_flags, NULL, NULL};

	return client_main(&c, argc, argv);
}

int
cmd_decide(int argc, char **argv)
{
	struct client_cmd c = {"decide", "decide", decide_usage, id_decision, 2, decide_flags, NULL,
		NULL};

	return client_main(&c, argc, argv);
}

int
cmd_feedback(int argc, char **argv)
{
	struct client_cmd c = {"feedback", "feedback", feedback_usage, id_only, 1, feedback_flags,
		NULL, NULL};

	return client_main(&c, argc, argv);
}
