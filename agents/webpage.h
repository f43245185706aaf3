/* SPDX-License-Identifier: ISC */
/*
 * webpage: the web inbox's pages, one file per page (webpage_<page>.c),
 * each a handler that web.c's routing table calls with the request once
 * the session, the CSRF token and the person's role have been checked as
 * the route requires.  A handler fills r's answer (webreq.h).  The ids,
 * classes and routes are those of notes/WEB.md, which the browser tests
 * rely on.
 */
#ifndef DUTYNET_WEBPAGE_H
#define DUTYNET_WEBPAGE_H

#include "agents/webreq.h"

/* GET / (to the inbox, or to sign in), GET and POST /login, POST /logout. */
void webpage_login_root(struct webreq *r);
void webpage_login_form(struct webreq *r);
void webpage_login_post(struct webreq *r);
void webpage_login_logout(struct webreq *r);

/* GET /inbox: what was received, soonest deadline first. */
void webpage_inbox(struct webreq *r);

/* GET /message/ID (opening it is audited), POST /message/ID/ack|decide|feedback. */
void webpage_message(struct webreq *r);
void webpage_message_post(struct webreq *r);

/* GET and POST /compose: a new referral or concern. */
void webpage_compose_form(struct webreq *r);
void webpage_compose_post(struct webreq *r);

/* GET /sent, GET /sent/ID: what was sent, its state and timeline. */
void webpage_sent(struct webreq *r);
void webpage_sent_one(struct webreq *r);

/* GET /deadlines: what is due and overdue, as sender and recipient. */
void webpage_deadlines(struct webreq *r);

#endif
