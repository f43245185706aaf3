/* SPDX-License-Identifier: ISC */
/*
 * client: the command line's side of the agent's control socket.  A
 * command that talks to the agent is a table entry (struct client_cmd):
 * its positional words and options become the request's [key, value]
 * pairs, client_main finds the agent's socket, sends the request, prints
 * the answer the agent rendered (human text, or JSON with --json) and
 * turns the answer's status code into the exit code.  The agent checks
 * every value; the command line only shapes the request.
 */
#ifndef DUTYNET_CLIENT_H
#define DUTYNET_CLIENT_H

#include <stddef.h>

#include "agents/ctlmsg.h"

#define CLIENT_ARGS_MAX CTLMSG_ARGS_MAX
#define CLIENT_ERR_MAX 512
#define CLIENT_TIMEOUT_S 60		/* the agent answers well inside this */
/* Where the command looks for the agent when not told. */
#define CLIENT_ENV_CONFIG "DUTYNET_CONFIG"
#define CLIENT_ENV_AGENCY "DUTYNET_AGENCY"
#define CLIENT_ENV_SOCKET "DUTYNET_SOCKET"

/* A request's arguments, owned (client_args_clear). */
struct client_args {
	size_t n;
	struct ctlmsg_arg a[CLIENT_ARGS_MAX];
};

/* Sets key to value (a copy), replacing an earlier value: 0, or -1 if the
 * request is full or memory ran out. */
int client_args_set(struct client_args *args, const char *key, const char *value);
void client_args_clear(struct client_args *args);

struct client_cmd {
	const char *name;		/* the command word, e.g. "decide" */
	const char *verb;		/* the control verb */
	const char *usage;		/* --help text (the common options are added) */
	const char *const *positionals;	/* keys of the words after the command */
	size_t required;		/* how many of them must be given */
	const char *const *flags;	/* --KEY VALUE options (key = option name) */
	const char *const *switches;	/* --KEY options without a value ("1") */
	/* Reads a --file FORM into args before the options (which override
	 * it); -1 with err set.  NULL: the command has no --file. */
	int (*form)(const char *path, struct client_args *args, char *err, size_t errlen);
};

/* Runs c with argv[0] = the command word: the process exit code. */
int client_main(const struct client_cmd *c, int argc, char **argv);

/* The exit code (enum cmd_exit) for an answer's status code. */
int client_exit_code(int code);

#endif
