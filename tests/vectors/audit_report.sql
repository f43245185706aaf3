-- SPDX-License-Identifier: ISC
-- A broker database for the report's known-answer tests
-- (tests/unit/test_audit_report.c and tests/integration/audit_report.sh):
-- the broker's real schema (broker/store.c, version 2 with broker/deadline.h's
-- tables), an empty audit log, and eight referrals and concerns from
-- school-stmarys to mash and camhs in the week of Monday 5 January 2026 (GMT,
-- so UTC is London time; no bank holiday that week).  Both agencies have the
-- default calendar, Monday to Friday 09:00-17:00.  The figures they must give
-- for --from 2026-01-05 --to 2026-01-11 --as-of 2026-02-02 were computed by
-- hand and are in audit_report.csv; the working out is in
-- tests/unit/test_audit_report.c.
--
--  n  to     type     accepted         ack              decision         due (ack; decision)     timers fired
--  1  mash   referral Mon 05 09:00     Mon 10:00        Mon 13:00        Mon 17:00; Mon 17:00
--  2  mash   referral Mon 05 16:00     Tue 06 10:00     Tue 12:00        Tue 16:00; Tue 16:00
--  3  mash   referral Fri 09 15:00     Mon 12 11:00     Tue 13 10:00     Mon 12 15:00 (both)     2 reminders, 1 escalation
--  4  mash   referral Wed 07 09:00     -                -                Wed 17:00 (both)        2 reminders, 3 escalations
--  5  mash   concern  Tue 06 09:30     (decision only)  Tue 10:00        Tue 17:30 (both)
--  6  camhs  referral Mon 05 12:00     Mon 14:00        -                Thu 08 12:00; Mon 19 17:00   1 reminder
--  7  camhs  referral Thu 08 09:00     Thu 09:45        Fri 09 09:00     Tue 13 09:00; Thu 22 17:00
--  8  camhs  referral Tue 06 10:00     failed (expired, 540), never delivered
--  9  mash   referral Sun 04 23:59:59.999 (before the period)
-- 10  mash   referral Mon 12 00:00:00.000 (after the period: --to is exclusive at its midnight)
-- Answers are ids 101.. (ack) and 201.. (decision) replying to n.

PRAGMA user_version = 2;
CREATE TABLE audit (seq INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, event TEXT NOT NULL,
  agency TEXT, message_id BLOB, detail TEXT NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL);
CREATE INDEX audit_message ON audit(message_id);
CREATE TABLE messages (id BLOB NOT NULL UNIQUE CHECK (length(id) = 16), sender TEXT NOT NULL,
  recipient TEXT NOT NULL, type INTEGER NOT NULL CHECK (type BETWEEN 1 AND 8),
  urgency INTEGER NOT NULL CHECK (urgency BETWEEN 1 AND 4), case_id TEXT NOT NULL,
  in_reply_to BLOB CHECK (in_reply_to IS NULL OR length(in_reply_to) = 16),
  created_ms INTEGER NOT NULL, accepted_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL,
  size INTEGER NOT NULL, envelope_hash BLOB NOT NULL CHECK (length(envelope_hash) = 32),
  envelope BLOB, state TEXT NOT NULL CHECK (state IN ('queued', 'delivered', 'failed')),
  code INTEGER NOT NULL, text TEXT NOT NULL, final_ms INTEGER NOT NULL DEFAULT 0,
  receipt_id BLOB REFERENCES messages(id));
CREATE TABLE deadlines (message_id BLOB NOT NULL REFERENCES messages(id),
  step TEXT NOT NULL CHECK (step IN ('ack', 'decision', 'feedback')), type INTEGER NOT NULL,
  sender TEXT NOT NULL, recipient TEXT NOT NULL, case_id TEXT NOT NULL, urgency INTEGER NOT NULL,
  rule TEXT NOT NULL, within TEXT NOT NULL, from_ms INTEGER NOT NULL, due_ms INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'met', 'late')), answer_id BLOB,
  answered_ms INTEGER, late_working_ms INTEGER, late_clock_ms INTEGER,
  PRIMARY KEY (message_id, step)) WITHOUT ROWID;
CREATE TABLE deadline_timers (message_id BLOB NOT NULL, step TEXT NOT NULL, ord INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('reminder', 'escalation')),
  role TEXT NOT NULL CHECK (role IN ('sender', 'recipient', 'agency')), tell TEXT NOT NULL,
  percent INTEGER, fire_ms INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'fired', 'cancelled', 'refused')),
  done_ms INTEGER, notice_id BLOB, PRIMARY KEY (message_id, step, ord)) WITHOUT ROWID;

-- The rows, with times as UTC text; the INSERTs at the end turn each into
-- Unix milliseconds, exactly (julianday, rounded).
CREATE TEMP TABLE m (n INTEGER, sender TEXT, recipient TEXT, type INTEGER, reply INTEGER,
  at TEXT, state TEXT, code INTEGER);
INSERT INTO m VALUES
  (1, 'school-stmarys', 'mash', 1, NULL, '2026-01-05 09:00:00.000', 'delivered', 250),
  (2, 'school-stmarys', 'mash', 1, NULL, '2026-01-05 16:00:00.000', 'delivered', 250),
  (3, 'school-stmarys', 'mash', 1, NULL, '2026-01-09 15:00:00.000', 'delivered', 250),
  (4, 'school-stmarys', 'mash', 1, NULL, '2026-01-07 09:00:00.000', 'delivered', 250),
  (5, 'school-stmarys', 'mash', 2, NULL, '2026-01-06 09:30:00.000', 'delivered', 250),
  (6, 'school-stmarys', 'camhs', 1, NULL, '2026-01-05 12:00:00.000', 'delivered', 250),
  (7, 'school-stmarys', 'camhs', 1, NULL, '2026-01-08 09:00:00.000', 'delivered', 250),
  (8, 'school-stmarys', 'camhs', 1, NULL, '2026-01-06 10:00:00.000', 'failed', 540),
  (9, 'school-stmarys', 'mash', 1, NULL, '2026-01-04 23:59:59.999', 'delivered', 250),
  (10, 'school-stmarys', 'mash', 1, NULL, '2026-01-12 00:00:00.000', 'delivered', 250),
  -- acknowledgements (type 4) from the recipient back to the school
  (101, 'mash', 'school-stmarys', 4, 1, '2026-01-05 10:00:00.000', 'delivered', 250),
  (102, 'mash', 'school-stmarys', 4, 2, '2026-01-06 10:00:00.000', 'delivered', 250),
  (103, 'mash', 'school-stmarys', 4, 3, '2026-01-12 11:00:00.000', 'delivered', 250),
  (106, 'camhs', 'school-stmarys', 4, 6, '2026-01-05 14:00:00.000', 'delivered', 250),
  (107, 'camhs', 'school-stmarys', 4, 7, '2026-01-08 09:45:00.000', 'delivered', 250),
  -- an ack from someone else does not answer (only the recipient's does)
  (108, 'camhs', 'school-stmarys', 4, 4, '2026-01-07 10:00:00.000', 'delivered', 250),
  -- decisions (type 5)
  (201, 'mash', 'school-stmarys', 5, 1, '2026-01-05 13:00:00.000', 'delivered', 250),
  (202, 'mash', 'school-stmarys', 5, 2, '2026-01-06 12:00:00.000', 'delivered', 250),
  (203, 'mash', 'school-stmarys', 5, 3, '2026-01-13 10:00:00.000', 'delivered', 250),
  (205, 'mash', 'school-stmarys', 5, 5, '2026-01-06 10:00:00.000', 'delivered', 250),
  (207, 'camhs', 'school-stmarys', 5, 7, '2026-01-09 09:00:00.000', 'delivered', 250);

CREATE TEMP TABLE d (n INTEGER, step TEXT, due TEXT);
INSERT INTO d VALUES
  (1, 'ack', '2026-01-05 17:00:00.000'), (1, 'decision', '2026-01-05 17:00:00.000'),
  (2, 'ack', '2026-01-06 16:00:00.000'), (2, 'decision', '2026-01-06 16:00:00.000'),
  (3, 'ack', '2026-01-12 15:00:00.000'), (3, 'decision', '2026-01-12 15:00:00.000'),
  (4, 'ack', '2026-01-07 17:00:00.000'), (4, 'decision', '2026-01-07 17:00:00.000'),
  (5, 'ack', '2026-01-06 17:30:00.000'), (5, 'decision', '2026-01-06 17:30:00.000'),
  (6, 'ack', '2026-01-08 12:00:00.000'), (6, 'decision', '2026-01-19 17:00:00.000'),
  (7, 'ack', '2026-01-13 09:00:00.000'), (7, 'decision', '2026-01-22 17:00:00.000'),
  (8, 'ack', '2026-01-09 10:00:00.000'), (8, 'decision', '2026-01-20 17:00:00.000');

CREATE TEMP TABLE t (n INTEGER, step TEXT, ord INTEGER, kind TEXT, state TEXT);
INSERT INTO t VALUES
  (3, 'ack', 0, 'reminder', 'fired'), (3, 'decision', 0, 'reminder', 'fired'),
  (3, 'decision', 1, 'escalation', 'fired'), (3, 'decision', 2, 'escalation', 'cancelled'),
  (4, 'ack', 0, 'reminder', 'fired'), (4, 'ack', 1, 'escalation', 'fired'),
  (4, 'decision', 0, 'reminder', 'fired'), (4, 'decision', 1, 'escalation', 'fired'),
  (4, 'decision', 2, 'escalation', 'fired'), (4, 'decision', 3, 'escalation', 'pending'),
  (6, 'decision', 0, 'reminder', 'fired');

-- ids are the 16 ASCII digits of n, e.g. '0000000000000001'
INSERT INTO messages (id, sender, recipient, type, urgency, case_id, in_reply_to, created_ms,
    accepted_ms, expires_ms, size, envelope_hash, envelope, state, code, text, final_ms)
  SELECT CAST(printf('%016d', n) AS BLOB), sender, recipient, type, 3, 'FX-' || n,
    CASE WHEN reply IS NULL THEN NULL ELSE CAST(printf('%016d', reply) AS BLOB) END,
    CAST(round((julianday(at) - 2440587.5) * 86400000) AS INTEGER),
    CAST(round((julianday(at) - 2440587.5) * 86400000) AS INTEGER), 0, 400, zeroblob(32),
    NULL, state, code, state, CAST(round((julianday(at) - 2440587.5) * 86400000) AS INTEGER)
  FROM m;
INSERT INTO deadlines (message_id, step, type, sender, recipient, case_id, urgency, rule,
    within, from_ms, due_ms, state)
  SELECT m.id, d.step, m.type, m.sender, m.recipient, m.case_id, m.urgency, 'fixture',
    '1 working day', m.accepted_ms, CAST(round((julianday(d.due) - 2440587.5) * 86400000)
    AS INTEGER), 'pending'
  FROM d JOIN messages m ON m.id = CAST(printf('%016d', d.n) AS BLOB);
INSERT INTO deadline_timers (message_id, step, ord, kind, role, tell, fire_ms, state)
  SELECT CAST(printf('%016d', n) AS BLOB), step, ord, kind, 'recipient', 'mash', 0, state
  FROM t;
