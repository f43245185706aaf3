/* SPDX-License-Identifier: ISC */
/*
 * cmd_version: `dutynet version` / `dutynet --version`.  Prints the program
 * version and the wire versions it speaks, so two sites can compare.
 */
#include <stdio.h>
#include <string.h>

#include "agents/cli/cmd.h"
#include "proto/envelope.h"
#include "proto/frame.h"

int
cmd_version(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		printf("usage: dutynet version\n\nPrints the dutynet version, the envelope\n"
		       "version and the broker protocol version.\n");
		return CMD_OK;
	}
	if (argc > 1) {
		fprintf(stderr, "dutynet version: takes no arguments (got '%s')\n", argv[1]);
		return CMD_USAGE;
	}
	printf("dutynet %s (envelope v%d, protocol v%d)\n", DUTYNET_VERSION, ENVELOPE_VERSION,
	    FRAME_VERSION);
	return CMD_OK;
}
