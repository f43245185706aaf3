/* SPDX-License-Identifier: ISC */
/*
 * confdir: throw-away configuration directories for tests (see confdir.h).
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/keyfile.h"
#include "config/directory.h"
#include "tests/support/confdir.h"

#define NFTW_FDS 16
#define DIR_MODE 0755
#define FILE_MODE 0644

const char CONFDIR_DIRECTORY[] =
    "version = 3;\n"
    "broker = {\n"
    "\t@include \"keys/broker.pub\"\n"
    "};\n"
    "agencies = (\n"
    "\t{\n"
    "\t\tid = \"school-a\";\n"
    "\t\tname = \"School A\";\n"
    "\t\tkind = \"school\";\n"
    "\t\t@include \"keys/school-a.pub\"\n"
    "\t},\n"
    "\t{\n"
    "\t\tid = \"mash\";\n"
    "\t\tname = \"MASH\";\n"
    "\t\tkind = \"social-care\";\n"
    "\t\t@include \"keys/mash.pub\"\n"
    "\t\tcontact = { email = \"mash@example.org\"; phone = \"01632 960000\"; };\n"
    "\t\tescalation = { manager = \"Team manager\"; chain = ( { tell = \"sender\"; }, "
    "{ tell = \"camhs\"; after = \"2 working hours\"; } ); };\n"
    "\t},\n"
    "\t{\n"
    "\t\tid = \"camhs\";\n"
    "\t\tname = \"CAMHS\";\n"
    "\t\tkind = \"camhs\";\n"
    "\t\t@include \"keys/camhs.pub\"\n"
    "\t\taccepts = [ \"referral\", \"ack\", \"decision\", \"feedback\", \"escalation\" ];\n"
    "\t}\n"
    ");\n";

const char CONFDIR_POLICY[] =
    "sharing = (\n"
    "\t{ name = \"schools refer\"; from = [ \"school\" ]; to = [ \"social-care\", \"camhs\" ]; "
    "types = [ \"referral\", \"concern\" ]; },\n"
    "\t{ from = [ \"social-care\", \"camhs\" ]; to = [ \"school\" ]; "
    "types = [ \"ack\", \"decision\", \"feedback\" ]; },\n"
    "\t{ from = [ \"broker\" ]; to = [ \"*\" ]; types = [ \"escalation\" ]; },\n"
    "\t{ from = [ \"mash\" ]; to = [ \"camhs\" ]; types = [ \"referral\" ]; }\n"
    ");\n";

const char CONFDIR_BROKER[] =
    "endpoint = \"tcp://127.0.0.1:7450\";\n"
    "data_dir = \"run/broker\";\n"
    "key_file = \"keys/broker.key\";\n"
    "expiry = \"2 working days\";\n"
    "heartbeat_ms = 2000;\n";

const char CONFDIR_AGENT_MASH[] =
    "agency = \"mash\";\n"
    "broker_endpoint = \"tcp://127.0.0.1:7450\";\n"
    "data_dir = \"run/mash\";\n"
    "key_file = \"keys/mash.key\";\n"
    "on_message = [ \"/bin/echo\", \"new message\" ];\n";

char *
confdir_new(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir;

	if (asprintf(&dir, "%s/dutynet-conf-XXXXXX", tmp && tmp[0] ? tmp : "/tmp") == -1)
		abort();
	if (mkdtemp(dir) == NULL)
		abort();
	return dir;
}

static int
remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void
confdir_destroy(char **dirp)
{
	if (dirp == NULL || *dirp == NULL)
		return;
	nftw(*dirp, remove_one, NFTW_FDS, FTW_DEPTH | FTW_PHYS);
	free(*dirp);
	*dirp = NULL;
}

char *
confdir_path(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) == -1)
		abort();
	return p;
}

/* Creates every directory on the way to path. */
static void
make_parents(char *path)
{
	char *s;

	for (s = strchr(path + 1, '/'); s != NULL; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(path, DIR_MODE) == -1 && errno != EEXIST)
			abort();
		*s = '/';
	}
}

void
confdir_write(const char *dir, const char *name, const char *text)
{
	char *path = confdir_path(dir, name);
	FILE *f;

	make_parents(path);
	unlink(path);
	if ((f = fopen(path, "w")) == NULL)
		abort();
	if (fputs(text, f) == EOF || fclose(f) == EOF)
		abort();
	chmod(path, FILE_MODE);
	free(path);
}

void
confdir_keys(const char *dir, const char *id, bool broker)
{
	char name[128], pub[DIRECTORY_KEYS_TEXT_MAX];
	struct keyfile *k = NULL;
	struct status st;
	char *path;

	snprintf(name, sizeof(name), "keys/%s.key", id);
	path = confdir_path(dir, name);
	make_parents(path);
	(void)broker;	/* the broker has a box pair too: it seals its notices */
	if (keyfile_generate(id, true, &k, &st) != 0 || keyfile_write(k, path, &st) != 0)
		abort();
	if (directory_format_keys(k->sign_pk, k->has_box ? k->box_pk : NULL, k->curve_pk, pub,
	    sizeof(pub)) < 0)
		abort();
	snprintf(name, sizeof(name), "keys/%s.pub", id);
	confdir_write(dir, name, pub);
	keyfile_destroy(&k);
	free(path);
}

void
confdir_area(const char *dir)
{
	confdir_keys(dir, "broker", true);
	confdir_keys(dir, "school-a", false);
	confdir_keys(dir, "mash", false);
	confdir_keys(dir, "camhs", false);
	confdir_write(dir, "directory.conf", CONFDIR_DIRECTORY);
	confdir_write(dir, "policy.conf", CONFDIR_POLICY);
	confdir_write(dir, "broker.conf", CONFDIR_BROKER);
	confdir_write(dir, "agents/mash.conf", CONFDIR_AGENT_MASH);
}
