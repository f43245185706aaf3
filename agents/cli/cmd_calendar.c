/* SPDX-License-Identifier: ISC */
/*
 * cmd_calendar: `dutynet calendar due` and `dutynet calendar holidays`, so a
 * duty worker or a DSL can check a deadline ("received Friday at 16:55,
 * within 1 working day: when?") with exactly the arithmetic the broker and
 * agents use (config/calendar.h), and see which holidays it counts.
 *
 * The calendar is the default one (Monday-Friday 09:00-17:00 Europe/London
 * and the bank holidays of England and Wales), or an agency's from the
 * `calendar` group of its directory.conf entry.  The holiday data file is
 * agencycal_holidays_path()'s: $DUTYNET_HOLIDAYS, else the installed copy (the
 * source tree's for a program run from the build tree).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/cli/cmd.h"
#include "common/clock.h"
#include "config/agencycal.h"
#include "config/calendar.h"
#include "config/civil.h"
#include "config/conf.h"
#include "config/duration.h"
#include "config/london.h"
#include "config/rfc3339.h"
#include "proto/ids.h"

/* For the usage text; CMake passes DATADIR/dutynet/... of its prefix. */
#ifndef DUTYNET_HOLIDAYS_FILE
#define DUTYNET_HOLIDAYS_FILE "/usr/share/dutynet/" CALENDAR_HOLIDAYS_FILE
#endif

#define YEAR_DIGITS 4
/* parse() after printing --help: not an exit code. */
#define HELP_SHOWN (-1)

static const char due_usage[] =
    "usage: dutynet calendar due --within DURATION [--from TIME] [--agency ID]\n"
    "                            [--config DIR] [--json]\n"
    "\n"
    "Prints when something received at TIME (RFC 3339, e.g. 2024-11-29T16:55:00Z\n"
    "or 2024-06-03T09:00:00+01:00; default now) is due, in UTC.\n"
    "\n"
    "DURATION is one of:\n"
    "  'N minutes', 'N hours'            clock time, 24/7\n"
    "  'N working minutes', 'N working hours'\n"
    "                                    counted only inside working hours\n"
    "  'N working days'                  N x the length of a working day\n"
    "  'by the end of the Nth working day'\n"
    "                                    day 1 is the day of receipt if it arrives\n"
    "                                    before closing time, else the next working day\n"
    "Working time skips weekends, bank holidays of England and Wales and the\n"
    "agency's closures; something received outside working hours starts\n"
    "counting at the next opening.  Received Friday 16:55, within 1 working day:\n"
    "due Monday 16:55.  Europe/London local time, clock changes included.\n"
    "\n"
    "  --agency ID   use the agency's calendar (directory.conf, `calendar` group)\n"
    "  --config DIR  configuration directory (default $DUTYNET_CONFIG or " CONF_DIR_DEFAULT ")\n"
    "  --json        print {\"from\", \"within\", \"agency\", \"due\", \"due_local\", \"warning\"}\n"
    "\n"
    "Bank holidays come from $DUTYNET_HOLIDAYS, default " DUTYNET_HOLIDAYS_FILE "\n"
    "(the source tree's copy when run from the build tree).\n"
    "A deadline past the last year of that data is still printed, with a warning\n"
    "on stderr naming the year.  Exit codes: 0 done, 1 no deadline (calendar has\n"
    "no working time), 2 bad option, 3 configuration unreadable or invalid.\n";

static const char holidays_usage[] =
    "usage: dutynet calendar holidays --year YYYY [--agency ID] [--config DIR] [--json]\n"
    "\n"
    "Lists the bank holidays (and, with --agency, the agency's closures) that\n"
    "working-day deadlines skip in that year.  Fails (exit 1) for a year the\n"
    "holiday data does not cover; exit codes as for `dutynet calendar due`.\n";

static const char calendar_usage[] =
    "usage: dutynet calendar due --within DURATION [--from TIME] [--agency ID] [--json]\n"
    "       dutynet calendar holidays --year YYYY [--agency ID] [--json]\n"
    "\n"
    "Working-time deadlines: when is something due, and which days do not count.\n"
    "Run 'dutynet calendar due --help' for the rules.\n";

struct opts {
	const char *from;
	const char *within;
	const char *year;
	const char *agency;
	const char *config;
	int json;
};

/* Writes s as a JSON string (or null). */
static void
json_string(FILE *f, const char *s)
{
	if (s == NULL) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < ' ')
			fprintf(f, "\\u%04x", (unsigned)(unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* Parses the options of a subcommand: CMD_OK, HELP_SHOWN, or an exit code
 * after printing what is wrong. */
static int
parse(int argc, char **argv, const char *usage, struct opts *o)
{
	static const struct option longopts[] = {
	    {"from", required_argument, NULL, 'f'},
	    {"within", required_argument, NULL, 'w'},
	    {"year", required_argument, NULL, 'y'},
	    {"agency", required_argument, NULL, 'a'},
	    {"config", required_argument, NULL, 'c'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->from = optarg;
			break;
		case 'w':
			o->within = optarg;
			break;
		case 'y':
			o->year = optarg;
			break;
		case 'a':
			o->agency = optarg;
			break;
		case 'c':
			o->config = optarg;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return HELP_SHOWN;
		default:
			fprintf(stderr, "dutynet calendar %s: unknown option or missing value '%s'; "
			    "run 'dutynet calendar %s --help'\n", argv[0], argv[optind - 1], argv[0]);
			return CMD_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "dutynet calendar %s: unexpected argument '%s'\n", argv[0],
		    argv[optind]);
		return CMD_USAGE;
	}
	return CMD_OK;
}

/* The calendar the options ask for, or NULL after printing why (and *rc
 * set to the exit code). */
static struct calendar *
open_calendar(const char *cmd, const struct opts *o, int *rc)
{
	const char *holidays = agencycal_holidays_path();
	const char *dir = o->config;
	struct calendar *cal = calendar_new_default();
	struct status st;

	if (cal == NULL) {
		fprintf(stderr, "dutynet calendar %s: out of memory\n", cmd);
		*rc = CMD_FAIL;
		return NULL;
	}
	if (calendar_load_holidays(cal, holidays, &st) == -1) {
		fprintf(stderr, "dutynet calendar %s: bank holidays: %s\n"
		    "(set DUTYNET_HOLIDAYS to the path of %s)\n", cmd, st.text,
		    CALENDAR_HOLIDAYS_FILE);
		*rc = CMD_CONFIG;
		goto fail;
	}
	if (o->agency == NULL)
		return cal;
	if (ids_agency_valid(o->agency, strlen(o->agency), &st) == -1) {
		fprintf(stderr, "dutynet calendar %s: --agency: %s\n", cmd, st.text);
		*rc = CMD_USAGE;
		goto fail;
	}
	if (dir == NULL)
		dir = getenv("DUTYNET_CONFIG");
	if (dir == NULL || dir[0] == '\0')
		dir = CONF_DIR_DEFAULT;
	if (calendar_load_directory(cal, dir, o->agency, &st) == -1) {
		fprintf(stderr, "dutynet calendar %s: %s\n", cmd, st.text);
		*rc = CMD_CONFIG;
		goto fail;
	}
	return cal;
fail:
	calendar_destroy(&cal);
	return NULL;
}

static int
cmd_due(int argc, char **argv)
{
	char within[DURATION_TEXT_LEN], from_text[RFC3339_LEN], due_text[RFC3339_LEN];
	char local_text[RFC3339_LEN];
	struct calendar *cal = NULL;
	struct duration d;
	struct status st;
	struct opts o;
	uint64_t from, due;
	int rc = parse(argc, argv, due_usage, &o);

	if (rc != CMD_OK)
		return rc == HELP_SHOWN ? CMD_OK : rc;
	if (o.within == NULL || o.year != NULL) {
		fprintf(stderr, "dutynet calendar due: %s; run 'dutynet calendar due --help'\n",
		    o.within == NULL ? "--within DURATION is required" :
				       "--year belongs to 'dutynet calendar holidays'");
		return CMD_USAGE;
	}
	if (duration_parse(o.within, &d, &st) == -1) {
		fprintf(stderr, "dutynet calendar due: --within: %s\n", st.text);
		return CMD_USAGE;
	}
	if (o.from != NULL && rfc3339_parse(o.from, &from, &st) == -1) {
		fprintf(stderr, "dutynet calendar due: --from: %s\n", st.text);
		return CMD_USAGE;
	}
	if (o.from == NULL) {
		if (clock_from_env() == -1) {
			fprintf(stderr, "dutynet calendar due: DUTYNET_CLOCK_OFFSET_MS is not a "
			    "whole number of milliseconds\n");
			return CMD_CONFIG;
		}
		from = clock_now_ms();
	}
	cal = open_calendar("due", &o, &rc);
	if (cal == NULL)
		return rc;
	if (calendar_due(cal, from, &d, &due, &st) == -1) {
		fprintf(stderr, "dutynet calendar due: %s\n", st.text);
		rc = CMD_FAIL;
		goto out;
	}
	if (st.text[0] != '\0')
		fprintf(stderr, "dutynet calendar due: warning: %s\n", st.text);
	rfc3339_format(due, due_text);
	if (!o.json) {
		printf("%s\n", due_text);
		rc = CMD_OK;
		goto out;
	}
	duration_format(&d, within);
	rfc3339_format(from, from_text);
	rfc3339_format_offset(due, london_offset((int64_t)due), local_text);
	printf("{\"from\": \"%s\", \"within\": ", from_text);
	json_string(stdout, within);
	printf(", \"agency\": ");
	json_string(stdout, o.agency);
	printf(", \"due\": \"%s\", \"due_local\": \"%s\", \"warning\": ", due_text, local_text);
	json_string(stdout, st.text[0] != '\0' ? st.text : NULL);
	printf("}\n");
	rc = CMD_OK;
out:
	calendar_destroy(&cal);
	return rc;
}

/* Prints the year's holidays and closures; returns how many. */
static size_t
list_year(const struct calendar *cal, int year, int json)
{
	int64_t first = civil_days_from_date(year, 1, 1), end = civil_days_from_date(year + 1, 1, 1);
	const struct calendar_holiday *h;
	const struct calendar_closure *c;
	char a[CIVIL_DATE_LEN], b[CIVIL_DATE_LEN];
	size_t i, n = 0;

	if (json)
		printf("{\"year\": %d, \"bank_holidays\": %s, \"holidays\": [", year,
		    calendar_bank_holidays(cal) ? "true" : "false");
	else if (!calendar_bank_holidays(cal))
		printf("bank holidays do not apply: this agency works through them\n");
	for (i = 0; calendar_bank_holidays(cal) && i < calendar_holiday_count(cal); i++) {
		h = calendar_holiday_at(cal, i);
		if (h->day < first || h->day >= end)
			continue;
		civil_format_date(h->day, a);
		if (json) {
			printf("%s{\"date\": \"%s\", \"weekday\": \"%s\", \"name\": ", n ? ", " : "",
			    a, civil_weekday_name(civil_weekday(h->day)));
			json_string(stdout, h->name);
			printf(", \"one_off\": %s}", h->one_off ? "true" : "false");
		} else {
			printf("%s %s  %s%s\n", a, civil_weekday_name(civil_weekday(h->day)),
			    h->name, h->one_off ? " (one-off)" : "");
		}
		n++;
	}
	if (json)
		printf("], \"closures\": [");
	for (i = 0; i < calendar_closure_count(cal); i++) {
		c = calendar_closure_at(cal, i);
		if (c->to < first || c->from >= end)
			continue;
		civil_format_date(c->from, a);
		civil_format_date(c->to, b);
		if (json) {
			printf("%s{\"from\": \"%s\", \"to\": \"%s\", \"name\": ", n ? ", " : "", a,
			    b);
			json_string(stdout, c->name);
			printf("}");
		} else {
			printf("%s %s to %s %s  closed: %s\n", a,
			    civil_weekday_name(civil_weekday(c->from)), b,
			    civil_weekday_name(civil_weekday(c->to)), c->name);
		}
		n++;
	}
	if (json)
		printf("]}\n");
	return n;
}

static int
cmd_holidays(int argc, char **argv)
{
	struct calendar *cal = NULL;
	struct opts o;
	char *end;
	long year;
	int first, last, rc = parse(argc, argv, holidays_usage, &o);

	if (rc != CMD_OK)
		return rc == HELP_SHOWN ? CMD_OK : rc;
	if (o.year == NULL || o.within != NULL || o.from != NULL) {
		fprintf(stderr, "dutynet calendar holidays: %s; run 'dutynet calendar holidays "
		    "--help'\n", o.year == NULL ? "--year YYYY is required" :
		    "--within and --from belong to 'dutynet calendar due'");
		return CMD_USAGE;
	}
	year = strtol(o.year, &end, 10);
	if (strlen(o.year) != YEAR_DIGITS || *end != '\0' || year < CIVIL_YEAR_MIN) {
		fprintf(stderr, "dutynet calendar holidays: --year '%s' is not a year (YYYY, "
		    "from %d)\n", o.year, CIVIL_YEAR_MIN);
		return CMD_USAGE;
	}
	cal = open_calendar("holidays", &o, &rc);
	if (cal == NULL)
		return rc;
	/* The listing of a year with no data would be empty and look right. */
	if (calendar_bank_holidays(cal) && calendar_holiday_years(cal, &first, &last) == 0 &&
	    (year < first || year > last)) {
		fprintf(stderr, "dutynet calendar holidays: no bank holiday data for %ld: the data "
		    "covers %d to %d; add that year's holidays to the data file\n", year, first,
		    last);
		rc = CMD_FAIL;
		goto out;
	}
	list_year(cal, (int)year, o.json);
	rc = CMD_OK;
out:
	calendar_destroy(&cal);
	return rc;
}

int
cmd_calendar(int argc, char **argv)
{
	if (argc < 2) {
		fputs(calendar_usage, stderr);
		return CMD_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(calendar_usage, stdout);
		return CMD_OK;
	}
	if (strcmp(argv[1], "due") == 0)
		return cmd_due(argc - 1, argv + 1);
	if (strcmp(argv[1], "holidays") == 0)
		return cmd_holidays(argc - 1, argv + 1);
	fprintf(stderr, "dutynet calendar: unknown subcommand '%s'; use 'due' or 'holidays'\n",
	    argv[1]);
	return CMD_USAGE;
}
