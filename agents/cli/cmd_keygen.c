/* SPDX-License-Identifier: ISC */
/*
 * cmd_keygen: `dutynet keygen AGENCY`, which makes an agency's (or, with
 * --broker, the broker's) key pairs, saves the secret half as a 0600 key file
 * and the public half as a directory.conf snippet, and prints the snippet.
 *
 * Nothing is ever overwritten: a key file replaced by mistake makes every
 * message sealed to the old keys unreadable.  Both files are checked before
 * anything is written, and if the public file cannot be written after the
 * key file was, the key file is removed again, so a run either leaves both
 * files or neither.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agents/cli/cmd.h"
#include "common/keyfile.h"
#include "config/conf.h"
#include "config/directory.h"
#include "proto/ids.h"

#define KEYS_SUBDIR "keys"
#define KEY_SUFFIX ".key"
#define PUB_SUFFIX ".pub"
#define PUB_MODE 0644
/* parse() after printing --help: not an exit code. */
#define HELP_SHOWN (-1)

static const char usage[] =
    "usage: dutynet keygen AGENCY [--dir KEYDIR] [--broker]\n"
    "\n"
    "Generates AGENCY's key pairs: Ed25519 for signing, X25519 for payload\n"
    "encryption and X25519 for the ZeroMQ CURVE transport (with --broker, the\n"
    "broker's too: it seals reminders and escalations).  Writes the secret keys to\n"
    "KEYDIR/AGENCY.key (mode 0600) and the public keys to KEYDIR/AGENCY.pub,\n"
    "and prints the public keys, for the agency's entry in directory.conf:\n"
    "\n"
    "    @include \"keys/AGENCY.pub\"      (on a line of its own)\n"
    "\n"
    "Existing files are never overwritten.  KEYDIR defaults to the keys/\n"
    "directory of $" CONF_DIR_ENV " or " CONF_DIR_DEFAULT ".\n"
    "Exit codes: 0 done, 1 could not write, 2 bad command line.\n";

struct opts {
	const char *agency;
	const char *dir;
	bool broker;
};

static int
parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"broker", no_argument, NULL, 'b'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->dir = optarg;
			break;
		case 'b':
			o->broker = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return HELP_SHOWN;
		default:
			fprintf(stderr, "dutynet keygen: unknown or incomplete option '%s'\n%s",
			    argv[optind - 1], usage);
			return CMD_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "dutynet keygen: give exactly one agency id\n%s", usage);
		return CMD_USAGE;
	}
	o->agency = argv[optind];
	return CMD_OK;
}

/* Writes text to a new file at path (mode PUB_MODE) and fsyncs it: 0, or
 * -1 with errno set and no file left behind. */
static int
write_new(const char *path, const char *text)
{
	size_t len = strlen(text), done = 0;
	ssize_t n;
	int fd, saved = 0, rc = -1;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, PUB_MODE)) == -1)
		return -1;
	while (done < len) {
		if ((n = write(fd, text + done, len - done)) == -1) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		done += (size_t)n;
	}
	if (fsync(fd) == -1)
		goto out;
	rc = 0;
out:
	saved = errno;
	if (close(fd) == -1 && rc == 0) {
		saved = errno;
		rc = -1;
	}
	if (rc != 0)
		unlink(path);
	errno = saved;
	return rc;
}

/* dir/name + suffix into a new string, or NULL. */
static char *
join(const char *dir, const char *name, const char *suffix)
{
	char *out;

	if (asprintf(&out, "%s/%s%s", dir, name, suffix) == -1)
		return NULL;
	return out;
}

int
cmd_keygen(int argc, char **argv)
{
	char pub[DIRECTORY_KEYS_TEXT_MAX];
	char *keydir = NULL, *key_path = NULL, *pub_path = NULL;
	struct opts o = {0};
	struct keyfile *k = NULL;
	struct status st;
	struct stat sb;
	int rc, n;

	if ((rc = parse(argc, argv, &o)) != CMD_OK)
		return rc == HELP_SHOWN ? CMD_OK : rc;
	if (ids_agency_valid(o.agency, strlen(o.agency), &st) != 0) {
		fprintf(stderr, "dutynet keygen: %s\n", st.text);
		return CMD_USAGE;
	}
	rc = CMD_FAIL;
	keydir = o.dir ? strdup(o.dir) : conf_resolve(conf_default_dir(), KEYS_SUBDIR);
	if (keydir == NULL || (key_path = join(keydir, o.agency, KEY_SUFFIX)) == NULL ||
	    (pub_path = join(keydir, o.agency, PUB_SUFFIX)) == NULL) {
		fprintf(stderr, "dutynet keygen: out of memory\n");
		goto out;
	}
	if (stat(keydir, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		fprintf(stderr, "dutynet keygen: %s is not a directory; create it (mkdir -m 700 %s) "
		    "or give --dir\n", keydir, keydir);
		goto out;
	}
	if (lstat(pub_path, &sb) == 0 || lstat(key_path, &sb) == 0) {
		fprintf(stderr, "dutynet keygen: %s already exists; refusing to overwrite keys "
		    "(old messages may need them): move it away first if you mean to replace "
		    "them\n", lstat(key_path, &sb) == 0 ? key_path : pub_path);
		goto out;
	}
	/* The broker has all three pairs too: it seals its notices (issue 6). */
	if (keyfile_generate(o.agency, true, &k, &st) != 0 ||
	    keyfile_write(k, key_path, &st) != 0) {
		fprintf(stderr, "dutynet keygen: %s\n", st.text);
		goto out;
	}
	n = directory_format_keys(k->sign_pk, k->has_box ? k->box_pk : NULL, k->curve_pk, pub,
	    sizeof(pub));
	assert(n > 0);
	(void)n;
	if (write_new(pub_path, pub) == -1) {
		fprintf(stderr, "dutynet keygen: cannot write %s: %s; removed %s again, nothing "
		    "was kept\n", pub_path, strerror(errno), key_path);
		unlink(key_path);
		goto out;
	}
	fputs(pub, stdout);
	fprintf(stderr, "dutynet keygen: wrote %s (secret, mode 0600) and %s (public); put\n"
	    "  @include \"keys/%s%s\"\n"
	    "on a line of its own in %s's entry in directory.conf\n", key_path, pub_path,
	    o.agency, PUB_SUFFIX, o.broker ? "the broker" : o.agency);
	rc = CMD_OK;
out:
	keyfile_destroy(&k);
	free(pub_path);
	free(key_path);
	free(keydir);
	return rc;
}
