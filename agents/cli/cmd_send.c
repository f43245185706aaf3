/* SPDX-License-Identifier: ISC */
/*
 * cmd_send: `dutynet send referral|concern --to AGENCY ...`.  The fields
 * come from options, or from a JSON form (--file FORM.json: one flat
 * object of strings, and a boolean for consent) with options overriding
 * it.  The agent checks every field, seals and queues the message.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "agents/cli/client.h"
#include "agents/cli/cmd.h"
#include "proto/payload.h"

#define USAGE_MAX 4096
#define CATEGORIES_PER_LINE 4

static const char *const positionals[] = {"type", NULL};
static const char *const flags[] = {"to", "case", "urgency", "child-name", "dob", "upn", "nhs",
	"category", "summary", "referrer-name", "referrer-role", "referrer-contact",
	"lawful-basis", "consent", "consent-why-not", NULL};

static const char usage_head[] =
    "usage: dutynet send referral|concern --to AGENCY [--case ID] [--urgency U]\n"
    "                    (--file FORM.json | --child-name ... --dob ... ...)\n"
    "\n"
    "Seals a referral (a child needs a service) or a safeguarding concern (a\n"
    "child may be at risk) to AGENCY and queues it.  It is on disk in the\n"
    "agent's outbox before anything is sent, and is sent again (same message\n"
    "id) until AGENCY's signed receipt comes back or it fails for good;\n"
    "'dutynet status ID' shows where it is, 'dutynet outbox' what is pending.\n"
    "\n"
    "Out of hours: an immediate or urgent message to children's social care\n"
    "(an agency of kind social-care) while it is closed (its calendar in\n"
    "directory.conf) is also sealed to the area's emergency duty team (the\n"
    "first agency of kind emergency-duty-team), as a separate message with the\n"
    "same case id, and the output says \"Out of hours: also sent to ID (Emergency\n"
    "Duty Team) as MESSAGE-ID, because AGENCY is closed now.\" (--json:\n"
    "\"out_of_hours\": {\"to\", \"id\", \"error\"}, or null when no copy was due).\n"
    "\n"
    "  --to AGENCY              the recipient, an agency id in directory.conf\n"
    "  --case ID                your case reference (never anything that names the\n"
    "                           child); default: the message's own id\n"
    "  --urgency U              immediate, urgent, standard (default) or routine\n"
    "  --file FORM.json         the fields as one JSON object, keys as below with _\n"
    "                           for - (\"child_name\"), and \"consent\": true/false\n"
    "  --child-name NAME        the child's name\n"
    "  --dob YYYY-MM-DD         the child's date of birth\n"
    "  --upn UPN                Unique Pupil Number (optional)\n"
    "  --nhs NUMBER             NHS number (optional)\n"
    "  --category C             %s\n"
    "  --summary TEXT           what happened and what is needed\n"
    "  --referrer-name NAME     who refers, their role, how to reach them:\n"
    "  --referrer-role ROLE\n"
    "  --referrer-contact HOW\n"
    "  --lawful-basis TEXT      e.g. \"Children Act 1989 s47\"\n"
    "  --consent yes|no         whether consent to share was sought\n"
    "  --consent-why-not TEXT   why not (required with --consent no)\n";

static int
known_field(const char *key)
{
	size_t i;

	if (strcmp(key, "type") == 0)
		return 1;
	for (i = 0; flags[i] != NULL; i++)
		if (strcmp(flags[i], key) == 0)
			return 1;
	return 0;
}

/* Reads a flat JSON object into args (keys with '_' become '-'). */
static int
read_form(const char *path, struct client_args *args, char *err, size_t errlen)
{
	struct json_object *root = json_object_from_file(path), *v;
	struct json_object_iterator it, end;
	char key[CTLMSG_KEY_MAX + 1];
	const char *name;
	size_t i;
	int ret = -1;

	if (root == NULL) {
		snprintf(err, errlen, "%s: %s", path, json_util_get_last_err());
		return -1;
	}
	if (!json_object_is_type(root, json_type_object)) {
		snprintf(err, errlen, "%s: the form must be one JSON object {...}", path);
		goto out;
	}
	it = json_object_iter_begin(root);
	end = json_object_iter_end(root);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		name = json_object_iter_peek_name(&it);
		v = json_object_iter_peek_value(&it);
		snprintf(key, sizeof(key), "%s", name);
		for (i = 0; key[i] != '\0'; i++)
			if (key[i] == '_')
				key[i] = '-';
		if (strlen(name) > CTLMSG_KEY_MAX || !known_field(key)) {
			snprintf(err, errlen, "%s: unknown field \"%.40s\"; 'dutynet send --help' "
			    "lists the fields", path, name);
			goto out;
		}
		if (v == NULL)
			continue;	/* null: as if absent */
		if (strcmp(key, "consent") == 0 && json_object_is_type(v, json_type_boolean)) {
			if (client_args_set(args, key, json_object_get_boolean(v) ? "yes" : "no") != 0)
				goto oom;
			continue;
		}
		if (!json_object_is_type(v, json_type_string)) {
			snprintf(err, errlen, "%s: field \"%s\" must be a string%s", path, name,
			    strcmp(key, "consent") == 0 ? " or true/false" : "");
			goto out;
		}
		if (client_args_set(args, key, json_object_get_string(v)) != 0)
			goto oom;
	}
	ret = 0;
	goto out;
oom:
	snprintf(err, errlen, "%s: too many fields, or out of memory", path);
out:
	json_object_put(root);
	return ret;
}

int
cmd_send(int argc, char **argv)
{
	static char usage[USAGE_MAX];
	char cats[USAGE_MAX / 2] = "one of:";
	size_t i, n;
	struct client_cmd c = {
		"send", "send", usage, positionals, 0, flags, NULL, read_form,
	};

	for (i = 0; payload_categories[i] != NULL; i++) {
		n = strlen(cats);
		snprintf(cats + n, sizeof(cats) - n, "%s%s%s", i ? "," : "",
		    i % CATEGORIES_PER_LINE == CATEGORIES_PER_LINE - 1 ?
		    "\n                           " : " ", payload_categories[i]);
	}
	snprintf(usage, sizeof(usage), usage_head, cats);
	return client_main(&c, argc, argv);
}
