/* SPDX-License-Identifier: ISC */
/*
 * req: the control-socket request handlers, one per verb of the command
 * line, reached through the table in control.c.  A handler reads its
 * arguments from the request, does its work in the transaction control.c
 * opened for it (its own savepoint), and renders what the command prints
 * into r->out (human text, or JSON if r->out->json).  It returns 0, or -1
 * with st: a code (proto/status.h) and a text that names the bad value and
 * says what to do; 451 (the database failed) abandons the whole group.
 *
 *	req_send.c	send
 *	req_answer.c	ack, decide, feedback (a person answers a message)
 *	req_list.c	inbox, outbox
 *	req_show.c	show (one message, decrypted)
 *	req_status.c	status (one message's state, timeline and deadlines)
 *	req_deadlines.c	deadlines (what is due and overdue, soonest first)
 *	req_user.c	user-add, user-passwd, user-disable, user-list (web accounts)
 *	req.c		the argument readers they share
 */
#ifndef DUTYNET_REQ_H
#define DUTYNET_REQ_H

#include <sys/types.h>

#include "agents/agent.h"
#include "agents/ctlmsg.h"
#include "agents/output.h"
#include "proto/payload.h"
#include "proto/status.h"

/* A person's name and role in the answers: "name, role". */
#define REQ_BY_SEPARATOR ','
#define REQ_ROLE_DEFAULT "not stated"

struct req {
	struct agent *a;
	const struct ctlmsg_request *rq;
	uid_t uid;			/* the caller, from SO_PEERCRED */
	struct output *out;
};

int req_send(struct req *r, struct status *st);
int req_ack(struct req *r, struct status *st);
int req_decide(struct req *r, struct status *st);
int req_feedback(struct req *r, struct status *st);
int req_inbox(struct req *r, struct status *st);
int req_outbox(struct req *r, struct status *st);
int req_show(struct req *r, struct status *st);
int req_status(struct req *r, struct status *st);
int req_deadlines(struct req *r, struct status *st);
int req_user_add(struct req *r, struct status *st);
int req_user_passwd(struct req *r, struct status *st);
int req_user_disable(struct req *r, struct status *st);
int req_user_list(struct req *r, struct status *st);

/* Room for a name or a role (a payload "short", and its NUL). */
#define REQ_SHORT_MAX (PAYLOAD_SHORT_MAX + 1)

/* A person answering: who, in what role. */
struct req_person {
	char name[REQ_SHORT_MAX];
	char role[REQ_SHORT_MAX];
};

/* -1 and st 504 if the request has an argument not in known (a
 * NULL-terminated list; "json" is always allowed), naming it. */
int req_known(const struct req *r, const char *const *known, struct status *st);

/* Reads the message id in argument "id": 0, or -1 and st 504. */
int req_id(const struct req *r, uint8_t id[IDS_MSGID_BYTES], struct status *st);

/* The value of a required argument, or NULL with st 504 naming the flag. */
const char *req_need(const struct req *r, const char *key, struct status *st);

/* The person in argument "by" ("name, role"; a name alone gets the role
 * REQ_ROLE_DEFAULT), or the caller's login name if there is none.  -1 and
 * st 504 if a part is empty or too long. */
int req_by(const struct req *r, struct req_person *p, struct status *st);

#endif
