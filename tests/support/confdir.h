/* SPDX-License-Identifier: ISC */
/*
 * confdir: throw-away configuration directories for tests.  A test makes a
 * directory with confdir_new, writes files into it from strings (so the
 * test shows the exact text and line numbers its assertions are about),
 * generates keys with confdir_keys, and removes it all with
 * confdir_destroy.  Failures here are test bugs: they abort.
 */
#ifndef DUTYNET_TESTS_CONFDIR_H
#define DUTYNET_TESTS_CONFDIR_H

#include <stdbool.h>

/* A new empty directory under $TMPDIR (or /tmp); the caller frees it with
 * confdir_destroy. */
char *confdir_new(void);

/* Removes dir and everything in it, frees it and sets *dirp = NULL. */
void confdir_destroy(char **dirp);

/* dir/name, the caller's to free. */
char *confdir_path(const char *dir, const char *name);

/* Writes text to dir/name (creating the directories in name), mode 0644. */
void confdir_write(const char *dir, const char *name, const char *text);

/* Generates keys for id like `dutynet keygen`: dir/keys/<id>.key (0600) and
 * dir/keys/<id>.pub; broker keys have a box pair too (broker is kept for
 * the callers that say whose keys they make). */
void confdir_keys(const char *dir, const char *id, bool broker);

/* Writes a small valid area: broker "broker", agencies school-a (school),
 * mash (social-care, accepts everything) and camhs (camhs, accepts
 * referral, ack, decision, feedback, escalation), their keys, policy.conf
 * (CONFDIR_POLICY), broker.conf and agents/mash.conf. */
void confdir_area(const char *dir);

/* The texts confdir_area writes, for tests that change one line. */
extern const char CONFDIR_DIRECTORY[];
extern const char CONFDIR_POLICY[];
extern const char CONFDIR_BROKER[];
extern const char CONFDIR_AGENT_MASH[];

#endif
