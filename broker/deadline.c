/* SPDX-License-Identifier: ISC */
/*
 * deadline (broker): the deadlines and deadline_timers tables and every
 * statement on them (see deadline.h for the model).  Due times come from
 * config/deadline.h with the recipient's calendar (config/agencycal.h);
 * the escalation chain from the recipient's entry in directory.conf.
 *
 * Only an answer from the recipient of the tracked message to its sender
 * counts: the policy may let others send acks and decisions, but they do
 * not discharge someone else's duty.  The first answer settles a deadline;
 * later ones change nothing.  A decision also settles a pending ack
 * deadline (deciding is more than acknowledging) and starts the feedback
 * deadline, counted from the decision's acceptance with the rule that
 * matches the message under the policy loaded now.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "broker/deadline.h"
#include "common/auditlog.h"
#include "config/rfc3339.h"

#define DETAIL_MAX 256
#define MS_PER_MINUTE 60000
#define MINUTES_PER_HOUR 60
/* Stored kind and role names, by enum value. */
static const char *const row_state_names[] = {[DEADLINE_PENDING] = "pending",
    [DEADLINE_MET] = "met", [DEADLINE_LATE] = "late"};
static const char *const kind_names[] = {[DEADLINE_TIMER_REMINDER] = "reminder",
    [DEADLINE_TIMER_ESCALATION] = "escalation"};
static const char *const timer_state_names[] = {[DEADLINE_TIMER_PENDING] = "pending",
    [DEADLINE_TIMER_FIRED] = "fired", [DEADLINE_TIMER_CANCELLED] = "cancelled",
    [DEADLINE_TIMER_REFUSED] = "refused"};
static const char *const role_names[] = {[DIRECTORY_TELL_SENDER] = "sender",
    [DIRECTORY_TELL_RECIPIENT] = "recipient", [DIRECTORY_TELL_AGENCY] = "agency"};
#define NAMES(a) (sizeof(a) / sizeof((a)[0]))

#define DEADLINE_COLUMNS \
	"d.message_id, d.step, d.type, d.sender, d.recipient, d.case_id, d.urgency, d.rule," \
	" d.within, d.from_ms, d.due_ms, d.state, d.answer_id, d.answered_ms," \
	" d.late_working_ms, d.late_clock_ms"
enum {
	C_ID, C_STEP, C_TYPE, C_SENDER, C_RECIPIENT, C_CASE, C_URGENCY, C_RULE, C_WITHIN,
	C_FROM, C_DUE, C_STATE, C_ANSWER, C_ANSWERED, C_LATE_W, C_LATE_C, C_COUNT
};
#define TIMER_COLUMNS DEADLINE_COLUMNS \
	", t.ord, t.kind, t.role, t.tell, t.percent, t.fire_ms, t.state"
#define TIMER_FROM \
	" FROM deadline_timers t JOIN deadlines d" \
	" ON d.message_id = t.message_id AND d.step = t.step"

static const char insert_row_sql[] =
    "INSERT INTO deadlines (message_id, step, type, sender, recipient, case_id, urgency, rule,"
    " within, from_ms, due_ms, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
    " 'pending')";
static const char insert_timer_sql[] =
    "INSERT INTO deadline_timers (message_id, step, ord, kind, role, tell, percent, fire_ms,"
    " state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending')";
static const char find_row_sql[] =
    "SELECT " DEADLINE_COLUMNS " FROM deadlines d WHERE d.message_id = ?1 AND d.step = ?2";
static const char settle_sql[] =
    "UPDATE deadlines SET state = ?3, answer_id = ?4, answered_ms = ?5, late_working_ms = ?6,"
    " late_clock_ms = ?7 WHERE message_id = ?1 AND step = ?2 AND state = 'pending'";
static const char cancel_sql[] =
    "UPDATE deadline_timers SET state = 'cancelled', done_ms = ?3"
    " WHERE message_id = ?1 AND step = ?2 AND state = 'pending'";
static const char due_sql[] =
    "SELECT " TIMER_COLUMNS TIMER_FROM
    " WHERE t.state = 'pending' AND t.fire_ms <= ?1"
    " ORDER BY t.fire_ms, t.message_id, t.step, t.ord LIMIT ?2";
static const char next_sql[] =
    "SELECT " TIMER_COLUMNS TIMER_FROM
    " WHERE t.message_id = ?1 AND t.step = ?2 AND t.state = 'pending'"
    " AND t.kind = 'escalation' AND t.ord <> ?3 AND (t.fire_ms > ?4 OR (t.fire_ms = ?4"
    " AND t.ord > ?3)) ORDER BY t.fire_ms, t.ord LIMIT 1";
static const char end_sql[] =
    "UPDATE deadline_timers SET state = ?4, done_ms = ?5, notice_id = ?6"
    " WHERE message_id = ?1 AND step = ?2 AND ord = ?3 AND state = 'pending'";
static const char count_deadlines_sql[] =
    "SELECT (SELECT count(*) FROM deadlines WHERE state = 'pending'),"
    " (SELECT count(*) FROM deadlines WHERE state = 'pending' AND due_ms <= ?1),"
    " (SELECT count(*) FROM deadlines WHERE state = 'met'),"
    " (SELECT count(*) FROM deadlines WHERE state = 'late'),"
    " (SELECT count(*) FROM deadline_timers WHERE state = 'pending'),"
    " (SELECT count(*) FROM deadline_timers WHERE state = 'fired' AND kind = 'reminder'),"
    " (SELECT count(*) FROM deadline_timers WHERE state = 'fired' AND kind = 'escalation')";

static const char *
name_of(const char *const *names, size_t n, int v)
{
	return v > 0 && (size_t)v < n ? names[v] : NULL;
}

const char *
deadline_state_name(int state)
{
	return name_of(row_state_names, NAMES(row_state_names), state);
}

const char *
deadline_timer_kind_name(int kind)
{
	return name_of(kind_names, NAMES(kind_names), kind);
}

const char *
deadline_timer_state_name(int state)
{
	return name_of(timer_state_names, NAMES(timer_state_names), state);
}

static int
parse_name(const char *const *names, size_t n, const unsigned char *text)
{
	size_t i;

	for (i = 1; text != NULL && i < n; i++)
		if (names[i] != NULL && strcmp(names[i], (const char *)text) == 0)
			return (int)i;
	return -1;
}

static int
parse_step(const unsigned char *text)
{
	int s;

	for (s = DEADLINE_STEP_MIN; text != NULL && s <= DEADLINE_STEP_MAX; s++)
		if (strcmp(deadline_step_name(s), (const char *)text) == 0)
			return s;
	return -1;
}

static void
text_col(sqlite3_stmt *q, int col, char *out, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(q, col);

	snprintf(out, cap, "%s", t != NULL ? (const char *)t : "");
}

static int
bad_row(struct store *s, struct status *st)
{
	return status_set(st, STATUS_STORE_FAILED, "%s: a deadlines row has a bad id, step or "
	    "state; restore the database from a backup", db_path(store_db(s)));
}

/* Fills r from the DEADLINE_COLUMNS of the current row. */
static int
read_row(struct store *s, sqlite3_stmt *q, struct deadline_row *r, struct status *st)
{
	int step = parse_step(sqlite3_column_text(q, C_STEP));
	int state = parse_name(row_state_names, NAMES(row_state_names), sqlite3_column_text(q, C_STATE));

	memset(r, 0, sizeof(*r));
	if (step == -1 || state == -1 || sqlite3_column_bytes(q, C_ID) != IDS_MSGID_BYTES)
		return bad_row(s, st);
	memcpy(r->message_id, sqlite3_column_blob(q, C_ID), IDS_MSGID_BYTES);
	r->step = (enum deadline_step)step;
	r->state = (enum deadline_state)state;
	r->type = (uint8_t)sqlite3_column_int(q, C_TYPE);
	text_col(q, C_SENDER, r->sender, sizeof(r->sender));
	text_col(q, C_RECIPIENT, r->recipient, sizeof(r->recipient));
	text_col(q, C_CASE, r->case_id, sizeof(r->case_id));
	r->urgency = (uint8_t)sqlite3_column_int(q, C_URGENCY);
	text_col(q, C_RULE, r->rule, sizeof(r->rule));
	text_col(q, C_WITHIN, r->within, sizeof(r->within));
	r->from_ms = (uint64_t)sqlite3_column_int64(q, C_FROM);
	r->due_ms = (uint64_t)sqlite3_column_int64(q, C_DUE);
	r->answered = sqlite3_column_bytes(q, C_ANSWER) == IDS_MSGID_BYTES;
	if (r->answered)
		memcpy(r->answer_id, sqlite3_column_blob(q, C_ANSWER), IDS_MSGID_BYTES);
	r->answered_ms = (uint64_t)sqlite3_column_int64(q, C_ANSWERED);
	r->late_working_ms = sqlite3_column_int64(q, C_LATE_W);
	r->late_clock_ms = sqlite3_column_int64(q, C_LATE_C);
	return 0;
}

static int
read_timer(struct store *s, sqlite3_stmt *q, struct deadline_timer *t, struct status *st)
{
	int kind, role, state;

	memset(t, 0, sizeof(*t));
	if (read_row(s, q, &t->d, st) == -1)
		return -1;
	kind = parse_name(kind_names, NAMES(kind_names), sqlite3_column_text(q, C_COUNT + 1));
	role = parse_name(role_names, NAMES(role_names), sqlite3_column_text(q, C_COUNT + 2));
	state = parse_name(timer_state_names, NAMES(timer_state_names),
	    sqlite3_column_text(q, C_COUNT + 6));
	if (kind == -1 || role == -1 || state == -1)
		return bad_row(s, st);
	t->ord = (unsigned)sqlite3_column_int(q, C_COUNT);
	t->kind = (enum deadline_timer_kind)kind;
	t->role = (enum directory_tell)role;
	text_col(q, C_COUNT + 3, t->tell, sizeof(t->tell));
	t->percent = (unsigned)sqlite3_column_int(q, C_COUNT + 4);
	t->fire_ms = (uint64_t)sqlite3_column_int64(q, C_COUNT + 5);
	t->state = (enum deadline_timer_state)state;
	return 0;
}

int
deadline_find(struct store *s, const uint8_t id[IDS_MSGID_BYTES], enum deadline_step step,
    struct deadline_row *row, struct status *st)
{
	struct db *db = store_db(s);
	sqlite3_stmt *q;
	int rc;

	if ((q = db_prepare(db, find_row_sql, st)) == NULL)
		return -1;
	sqlite3_bind_blob(q, 1, id, IDS_MSGID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, deadline_step_name(step), -1, SQLITE_STATIC);
	if ((rc = db_step(db, q, st)) != DB_ROW)
		return rc;
	rc = read_row(s, q, row, st) == 0 ? 1 : -1;
	sqlite3_reset(q);
	return rc;
}

/* Audit and log texts give instants in UTC, as every other broker entry. */
static void
utc_text(uint64_t ms, char out[RFC3339_LEN])
{
	rfc3339_format(ms, out);
}

static int __attribute__((format(printf, 6, 7)))
audit(struct store *s, const char *event, const char *agency, const uint8_t *id,
    struct status *st, const char *fmt, ...)
{
	char detail[DETAIL_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return auditlog_append(store_db(s), event, agency, id, detail, st);
}

static int
insert_timer(struct store *s, const struct deadline_row *r, unsigned ord,
    enum deadline_timer_kind kind, enum directory_tell role, const char *tell, unsigned percent,
    uint64_t fire_ms, struct status *st)
{
	struct db *db = store_db(s);
	sqlite3_stmt *q;

	if ((q = db_prepare(db, insert_timer_sql, st)) == NULL)
		return -1;
	sqlite3_bind_blob(q, 1, r->message_id, IDS_MSGID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, deadline_step_name(r->step), -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 3, (int)ord);
	sqlite3_bind_text(q, 4, kind_names[kind], -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, role_names[role], -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, tell, -1, SQLITE_STATIC);
	if (kind == DEADLINE_TIMER_REMINDER)
		sqlite3_bind_int(q, 7, (int)percent);
	sqlite3_bind_int64(q, 8, (sqlite3_int64)fire_ms);
	return db_step(db, q, st) == DB_DONE ? 0 : -1;
}

/* A due time; a calendar with no working time (a configuration mistake
 * `dutynet config check` reports) falls back to clock time rather than
 * leaving the message untracked. */
static uint64_t
due_at(const struct conf_duration *d, int urgency, const struct calendar *cal, uint64_t from)
{
	struct status why;
	uint64_t due;

	if (deadline_due(d, urgency, cal, from, &due, &why) == -1 &&
	    deadline_due(d, urgency, NULL, from, &due, &why) == -1)
		assert(!"clock deadlines cannot fail");
	return due;
}

/* The reminders (to the recipient) and the recipient's escalation chain of
 * deadline r, counted with cal. */
static int
schedule(const struct deadline_env *e, const struct deadline_row *r,
    const struct conf_duration *within, const struct calendar *cal, struct status *st)
{
	const struct directory_agency *to = directory_find(e->dir, r->recipient);
	const struct directory_escalation_step *es;
	const unsigned *pct;
	struct status why;
	uint64_t at;
	size_t i, n = deadline_reminders(e->policy, &pct);
	unsigned ord = 0;
	const char *tell;

	for (i = 0; i < n; i++) {
		if (deadline_reminder_at(within, r->urgency, cal, r->from_ms, r->due_ms, pct[i],
			&at, &why) == -1 || at >= r->due_ms)
			continue;	/* no time to remind in */
		if (insert_timer(e->store, r, ord++, DEADLINE_TIMER_REMINDER,
			DIRECTORY_TELL_RECIPIENT, r->recipient, pct[i], at, st) == -1)
			return -1;
	}
	for (i = 0; to != NULL && i < to->escalation.n_chain; i++) {
		es = &to->escalation.chain[i];
		tell = es->tell == DIRECTORY_TELL_SENDER ? r->sender :
		    es->tell == DIRECTORY_TELL_RECIPIENT ? r->recipient : es->agency;
		if (insert_timer(e->store, r, ord++, DEADLINE_TIMER_ESCALATION, es->tell, tell, 0,
			due_at(&es->after, r->urgency, cal, r->due_ms), st) == -1)
			return -1;
	}
	return 0;
}

/* Inserts deadline `step` of the message described by r (its other fields
 * set), due `within` after from_ms, with its timers. */
static int
start(const struct deadline_env *e, struct deadline_row *r, enum deadline_step step,
    const struct deadline_rule *rule, uint64_t from_ms, struct status *st)
{
	const struct conf_duration *within = deadline_within(rule, step);
	const struct calendar *cal = agencycal_get(e->cals, r->recipient);
	struct db *db = store_db(e->store);
	sqlite3_stmt *q;

	assert(within != NULL);
	r->step = step;
	r->from_ms = from_ms;
	r->due_ms = due_at(within, r->urgency, cal, from_ms);
	r->state = DEADLINE_PENDING;
	if (rule->name != NULL)
		snprintf(r->rule, sizeof(r->rule), "%s", rule->name);
	else
		snprintf(r->rule, sizeof(r->rule), "policy.conf:%u", rule->line);
	snprintf(r->within, sizeof(r->within), "%s", within->text);
	if ((q = db_prepare(db, insert_row_sql, st)) == NULL)
		return -1;
	sqlite3_bind_blob(q, 1, r->message_id, IDS_MSGID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, deadline_step_name(step), -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 3, r->type);
	sqlite3_bind_text(q, 4, r->sender, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, r->recipient, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, r->case_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 7, r->urgency);
	sqlite3_bind_text(q, 8, r->rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 9, r->within, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 10, (sqlite3_int64)from_ms);
	sqlite3_bind_int64(q, 11, (sqlite3_int64)r->due_ms);
	if (db_step(db, q, st) != DB_DONE)
		return -1;
	return schedule(e, r, within, cal, st);
}

/* A new referral or concern: its ack and decision deadlines. */
static int
track(const struct deadline_env *e, const struct envelope_header *h, uint64_t now_ms,
    char *note, size_t cap, struct status *st)
{
	const struct directory_agency *to = directory_find(e->dir, h->to);
	const struct deadline_rule *rule;
	struct deadline_row r;
	char ack[RFC3339_LEN], dec[RFC3339_LEN];
	uint64_t ack_due;

	if (to == NULL || (rule = deadline_match(e->policy, h->type, h->urgency, to)) == NULL)
		return 0;
	memset(&r, 0, sizeof(r));
	memcpy(r.message_id, h->id, IDS_MSGID_BYTES);
	r.type = h->type;
	snprintf(r.sender, sizeof(r.sender), "%s", h->from);
	snprintf(r.recipient, sizeof(r.recipient), "%s", h->to);
	snprintf(r.case_id, sizeof(r.case_id), "%s", h->case_id);
	r.urgency = h->urgency;
	if (start(e, &r, DEADLINE_ACK, rule, now_ms, st) == -1)
		return -1;
	ack_due = r.due_ms;
	if (start(e, &r, DEADLINE_DECISION, rule, now_ms, st) == -1)
		return -1;
	utc_text(ack_due, ack);
	utc_text(r.due_ms, dec);
	snprintf(note, cap, "ack due %s, decision due %s (%s)", ack, dec, r.rule);
	return audit(e->store, "deadlines", h->to, h->id, st, "ack due %s (%s), decision due %s "
	    "(%s), rule %s", ack, rule->ack.text, dec, rule->decision.text, r.rule);
}

/* "2 h 05 min" */
static void
span_text(int64_t ms, char *out, size_t cap)
{
	int64_t min = ms / MS_PER_MINUTE;

	snprintf(out, cap, "%" PRId64 " h %02" PRId64 " min", min / MINUTES_PER_HOUR,
	    min % MINUTES_PER_HOUR);
}

/* Settles pending deadline r with answer id at now_ms: met or late, its
 * pending timers cancelled, audited. */
static int
settle(const struct deadline_env *e, struct deadline_row *r, const uint8_t id[IDS_MSGID_BYTES],
    uint64_t now_ms, char *note, size_t cap, struct status *st)
{
	const struct calendar *cal = agencycal_get(e->cals, r->recipient);
	struct db *db = store_db(e->store);
	char w[DETAIL_MAX / 4], c[DETAIL_MAX / 4], due[RFC3339_LEN], about[IDS_MSGID_TEXT + 1];
	sqlite3_stmt *q;

	deadline_lateness(cal, r->urgency, r->due_ms, now_ms, &r->late_working_ms,
	    &r->late_clock_ms);
	r->state = now_ms <= r->due_ms ? DEADLINE_MET : DEADLINE_LATE;
	if ((q = db_prepare(db, settle_sql, st)) == NULL)
		return -1;
	sqlite3_bind_blob(q, 1, r->message_id, IDS_MSGID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, deadline_step_name(r->step), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, row_state_names[r->state], -1, SQLITE_STATIC);
	sqlite3_bind_blob(q, 4, id, IDS_MSGID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, (sqlite3_int64)now_ms);
	sqlite3_bind_int64(q, 6, r->late_working_ms);
	sqlite3_bind_int64(q, 7, r->late_clock_ms);
	if (db_step(db, q, st) != DB_DONE || (q = db_prepare(db, cancel_sql, st)) == NULL)
		return -1;
	sqlite3_bind_blob(q, 1, r->message_id, IDS_MSGID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, deadline_step_name(r->step), -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)now_ms);
	if (db_step(db, q, st) != DB_DONE)
		return -1;
	utc_text(r->due_ms, due);
	ids_msgid_format(r->message_id, about);
	if (r->state == DEADLINE_MET) {
		snprintf(note, cap, "%s deadline of %s met (due %s)", deadline_step_name(r->step),
		    about, due);
		return audit(e->store, "deadline-met", r->recipient, r->message_id, st,
		    "%s by %s, due %s", deadline_step_name(r->step), r->recipient, due);
	}
	span_text(r->late_working_ms, w, sizeof(w));
	span_text(r->late_clock_ms, c, sizeof(c));
	snprintf(note, cap, "%s deadline of %s late: due %s, late by %s working time, %s clock "
	    "time", deadline_step_name(r->step), about, due, w, c);
	return audit(e->store, "deadline-late", r->recipient, r->message_id, st,
	    "%s by %s, due %s, late by %s working time (%" PRId64 " ms), %s clock time (%" PRId64
	    " ms)", deadline_step_name(r->step), r->recipient, due, w, r->late_working_ms, c,
	    r->late_clock_ms);
}

/* The feedback deadline, from the decision accepted at now_ms. */
static int
start_feedback(const struct deadline_env *e, struct deadline_row *r, uint64_t now_ms,
    struct status *st)
{
	const struct directory_agency *to = directory_find(e->dir, r->recipient);
	const struct deadline_rule *rule;
	char due[RFC3339_LEN];

	if (to == NULL || (rule = deadline_match(e->policy, r->type, r->urgency, to)) == NULL ||
	    !rule->has_feedback)
		return 0;
	if (start(e, r, DEADLINE_FEEDBACK, rule, now_ms, st) == -1)
		return -1;
	utc_text(r->due_ms, due);
	return audit(e->store, "deadlines", r->recipient, r->message_id, st,
	    "feedback due %s (%s), rule %s", due, rule->feedback.text, r->rule);
}

/* An ack, decision or feedback h answering a tracked message. */
static int
answer(const struct deadline_env *e, const struct envelope_header *h, uint64_t now_ms,
    char *note, size_t cap, struct status *st)
{
	enum deadline_step step = h->type == ENVELOPE_ACK ? DEADLINE_ACK :
	    h->type == ENVELOPE_DECISION ? DEADLINE_DECISION : DEADLINE_FEEDBACK;
	struct deadline_row r, ack;
	size_t o;
	int rc;

	if ((rc = deadline_find(e->store, h->reply_to, step, &r, st)) != 1)
		return rc;
	if (strcmp(r.recipient, h->from) != 0 || strcmp(r.sender, h->to) != 0 ||
	    r.state != DEADLINE_PENDING)
		return 0;
	if (settle(e, &r, h->id, now_ms, note, cap, st) == -1)
		return -1;
	if (step != DEADLINE_DECISION)
		return 0;
	if ((rc = deadline_find(e->store, h->reply_to, DEADLINE_ACK, &ack, st)) == -1)
		return -1;
	o = strlen(note);
	if (rc == 1 && ack.state == DEADLINE_PENDING && o + 2 < cap) {
		memcpy(note + o, "; ", 3);
		if (settle(e, &ack, h->id, now_ms, note + o + 2, cap - o - 2, st) == -1)
			return -1;
	}
	return start_feedback(e, &r, now_ms, st);
}

int
deadline_on_accept(const struct deadline_env *e, const struct envelope_header *h,
    uint64_t now_ms, char *note, size_t cap, struct status *st)
{
	assert(e != NULL && h != NULL && note != NULL && cap > 0);
	assert(db_in_transaction(store_db(e->store)));
	note[0] = '\0';
	switch (h->type) {
	case ENVELOPE_REFERRAL:
	case ENVELOPE_CONCERN:
		return track(e, h, now_ms, note, cap, st);
	case ENVELOPE_ACK:
	case ENVELOPE_DECISION:
	case ENVELOPE_FEEDBACK:
		return h->has_reply_to ? answer(e, h, now_ms, note, cap, st) : 0;
	default:
		return 0;
	}
}

int
deadline_timers_due(struct store *s, uint64_t now_ms, struct deadline_timer *out,
    unsigned limit, unsigned *n, struct status *st)
{
	struct db *db = store_db(s);
	sqlite3_stmt *q;
	int rc;

	*n = 0;
	if ((q = db_prepare(db, due_sql, st)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)now_ms);
	sqlite3_bind_int(q, 2, (int)limit);
	while ((rc = db_step(db, q, st)) == DB_ROW) {
		if (read_timer(s, q, &out[*n], st) == -1) {
			sqlite3_reset(q);
			return -1;
		}
		(*n)++;
	}
	return rc;
}

int
deadline_timer_next(struct store *s, const struct deadline_timer *t,
    struct deadline_timer *next, struct status *st)
{
	struct db *db = store_db(s);
	sqlite3_stmt *q;
	int rc;

	if ((q = db_prepare(db, next_sql, st)) == NULL)
		return -1;
	sqlite3_bind_blob(q, 1, t->d.message_id, IDS_MSGID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, deadline_step_name(t->d.step), -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 3, (int)t->ord);
	sqlite3_bind_int64(q, 4, (sqlite3_int64)t->fire_ms);
	if ((rc = db_step(db, q, st)) != DB_ROW)
		return rc;
	rc = read_timer(s, q, next, st) == 0 ? 1 : -1;
	sqlite3_reset(q);
	return rc;
}

int
deadline_timer_end(struct store *s, const struct deadline_timer *t,
    enum deadline_timer_state state, const uint8_t *notice_id, uint64_t now_ms,
    struct status *st)
{
	struct db *db = store_db(s);
	sqlite3_stmt *q;

	assert(db_in_transaction(db) && state != DEADLINE_TIMER_PENDING);
	if ((q = db_prepare(db, end_sql, st)) == NULL)
		return -1;
	sqlite3_bind_blob(q, 1, t->d.message_id, IDS_MSGID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, deadline_step_name(t->d.step), -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 3, (int)t->ord);
	sqlite3_bind_text(q, 4, timer_state_names[state], -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, (sqlite3_int64)now_ms);
	if (notice_id != NULL)
		sqlite3_bind_blob(q, 6, notice_id, IDS_MSGID_BYTES, SQLITE_STATIC);
	if (db_step(db, q, st) != DB_DONE)
		return -1;
	return sqlite3_changes(db_handle(db)) == 1 ? 1 : 0;
}

int
deadline_count(struct store *s, uint64_t now_ms, struct deadline_counts *c, struct status *st)
{
	struct db *db = store_db(s);
	sqlite3_stmt *q;

	memset(c, 0, sizeof(*c));
	if ((q = db_prepare(db, count_deadlines_sql, st)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)now_ms);
	if (db_step(db, q, st) != DB_ROW)
		return -1;
	c->pending = (uint64_t)sqlite3_column_int64(q, 0);
	c->overdue = (uint64_t)sqlite3_column_int64(q, 1);
	c->met = (uint64_t)sqlite3_column_int64(q, 2);
	c->late = (uint64_t)sqlite3_column_int64(q, 3);
	c->timers_pending = (uint64_t)sqlite3_column_int64(q, 4);
	c->reminders_sent = (uint64_t)sqlite3_column_int64(q, 5);
	c->escalations_sent = (uint64_t)sqlite3_column_int64(q, 6);
	sqlite3_reset(q);
	return 0;
}
