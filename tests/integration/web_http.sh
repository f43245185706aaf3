#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The web inbox (issue 9) over real HTTP, with curl, against real agents:
# every answer carries the Content-Security-Policy and the other security
# headers; sign-in with an account made by `dutynet user add`, wrong
# passwords refused and audited; the session cookie HttpOnly and
# SameSite=Strict; a POST without the session's CSRF token is 403 "Form
# expired" and changes nothing; a viewer cannot act (403, nothing done); a
# referral whose summary holds <script> is shown escaped, and opening it
# writes a "read" audit event naming the member of staff; acknowledging
# through the page goes through the same handler as `dutynet ack`; the
# compose form reports each missing field beside it and sends a good one;
# signing out ends the session; `dutynet user disable` ends the account's
# sessions on their next request, and a changed role counts at once; times
# are shown as London wall time in <time datetime="UTC">; over TLS with a self-signed certificate the
# cookie is Secure, and a key file other users can read stops the agent.
. "$(dirname "$0")/agent_common.bash"

command -v curl >/dev/null || { echo "FAIL: curl is missing: run scripts/deps" >&2; exit 1; }
command -v openssl >/dev/null || { echo "FAIL: openssl is missing: run scripts/deps" >&2; exit 1; }
# Test only: minimum Argon2id limits, so hashing is quick (agents/users.h).
export DUTYNET_PWHASH_FAST=1
PW='correct horse battery'
CSP="default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

a_init
start_broker
start_agent school-stmarys
start_agent mash

# The address the harness gave AGENCY's web inbox.
web_addr() {
	sed -nE 's/^web_listen *= *"([^"]+)";.*/\1/p' "$H_CONF/agents/$1.conf"
}
adduser() {
	printf '%s\n' "$PW" | cli "$1" user add "$2" --role "$3" >/dev/null ||
		h_fail "dutynet user add $2 at $1 failed"
}
adduser mash alice.khan worker
adduser mash vic.viewer viewer
adduser school-stmarys sam.patel lead

# web CLIENT METHOD PATH [CURL-ARGS...]: one request to $BASE as CLIENT (its
# own cookie jar): $CODE, $HDR (headers), $BODY.
CURL_TLS=()
web() {
	local jar=$H_DIR/$1.jar method=$2 path=$3
	shift 3
	CODE=$(curl -sS --max-time 20 "${CURL_TLS[@]}" -o "$H_DIR/body" -D "$H_DIR/hdr" \
		-w '%{http_code}' -b "$jar" -c "$jar" -X "$method" "$@" "$BASE$path") ||
		h_fail "curl $method $path failed"
	HDR=$(tr -d '\r' <"$H_DIR/hdr")
	BODY=$(cat "$H_DIR/body")
}
want() {
	[ "$CODE" = "$1" ] || h_fail "$2: HTTP $CODE, not $1: $(sed -n \
		'/<main/,$p' <<<"$BODY" | sed 's/<[^>]*>/ /g' | tr -s ' \n' ' ' | head -c 1500)"
}
csrf() {
	sed -nE 's/.*name="csrf" value="([0-9a-f]{64})".*/\1/p' <<<"$BODY" | head -1
}
# login CLIENT USER: signs in, leaving the session in CLIENT's jar.
login() {
	web "$1" GET /login
	want 200 "GET /login"
	web "$1" POST /login --data-urlencode "csrf=$(csrf)" --data-urlencode "username=$2" \
		--data-urlencode "password=$PW"
	want 303 "signing in as $2"
}

BASE=http://$(web_addr mash)
SCHOOL=http://$(web_addr school-stmarys)

# Not signed in: to the sign-in page; every answer has the headers.
web anon GET /
want 303 "GET /"
h_expect '^Location: /login$' "$HDR" "GET / headers"
for path in /login /static/dutynet.css /static/dutynet.js /no-such-page; do
	web anon GET "$path"
	h_expect "^Content-Security-Policy: $CSP\$" "$HDR" "$path headers"
	h_expect '^X-Content-Type-Options: nosniff$' "$HDR" "$path headers"
	h_expect '^Referrer-Policy: no-referrer$' "$HDR" "$path headers"
done
want 404 "an unknown page"
web fresh GET /login
h_expect '^Cache-Control: no-store$' "$HDR" "GET /login headers"
h_expect '^Set-Cookie: dn_pre=[0-9a-f]{64}; HttpOnly; SameSite=Strict; Path=/$' "$HDR" "dn_pre"
h_expect '<input[^>]*id="username"' "$BODY" "the sign-in form"
h_expect '<button id="login-button"' "$BODY" "the sign-in form"
h_expect_not '<script>' "$BODY" "the sign-in page (no inline script)"
web anon GET /inbox
want 303 "the inbox signed out"

# Wrong password: the same page with the error, audited with the account.
web anon GET /login
web anon POST /login --data-urlencode "csrf=$(csrf)" --data-urlencode "username=alice.khan" \
	--data-urlencode "password=not the password"
want 200 "a wrong password"
h_expect 'govuk-error-summary.*Wrong username or password' "$BODY" "a wrong password"
[ "$(a_sql mash "SELECT count(*) FROM audit WHERE event = 'login-failed' AND
	detail LIKE '%alice.khan%127.0.0.1%'")" = 1 ] || h_fail "no login-failed audit event"
h_expect_not 'not the password' "$(a_sql mash "SELECT detail FROM audit")" "the audit log"
# Without the form's token: refused, nothing checked.
web anon POST /login --data-urlencode "username=alice.khan" --data-urlencode "password=$PW"
want 403 "sign-in without csrf"
h_expect '<h1[^>]*>Form expired</h1>' "$BODY" "sign-in without csrf"


login alice alice.khan
h_expect '^Location: /inbox$' "$HDR" "after signing in"
h_expect '^Set-Cookie: dn_session=[0-9a-f]{64}; HttpOnly; SameSite=Strict; Path=/$' "$HDR" \
	"the session cookie"
[ "$(a_sql mash "SELECT count(*) FROM audit WHERE event = 'login' AND
	detail LIKE 'alice.khan, worker from 127.0.0.1'")" = 1 ] || h_fail "no login audit event"
web alice GET /inbox
want 200 "the inbox"
# Empty: the sentence only, no empty table.
h_expect '<p class="govuk-body" id="inbox-empty">Nothing has been received yet.</p>' "$BODY" \
	"the empty inbox"
h_expect_not 'id="inbox-table"' "$BODY" "the empty inbox"
h_expect 'id="whoami"[^>]*>Signed in as <strong>alice.khan</strong> \(worker\)' "$BODY" "whoami"
h_expect 'id="nav-compose"' "$BODY" "a worker's navigation"

# A referral from the school whose summary is markup.
out=$(cli school-stmarys send referral --to mash --case WEB-1 --urgency urgent \
	--child-name "Ann <b>Example</b>" --dob 2015-03-02 --category neglect \
	--summary "<script>alert(1)</script> & hungry" --referrer-name "Sam Patel" \
	--referrer-role "DSL" --referrer-contact "01632 960101" \
	--lawful-basis "Children Act 1989 s17" --consent yes --json) || h_fail "send failed: $out"
id=$(json_id "$out")
wait_for 20 "the referral at the MASH" sql_eq mash \
	"SELECT count(*) FROM inbox WHERE lower(hex(message_id)) = '${id//-/}'" 1
web alice GET /inbox
h_expect "<tr class=\"govuk-table__row dn-message\" data-message-id=\"$id\" data-urgency=\"urgent\">" \
	"$BODY" "the inbox row"
h_expect "href=\"/message/$id\"" "$BODY" "the inbox row's link"
h_expect '<table class="govuk-table" id="inbox-table">' "$BODY" "the inbox"
h_expect_not 'id="inbox-empty"' "$BODY" "the inbox with a row"
# The sender by its name in the directory, not its id; the step in words.
h_expect "data-urgency=\"urgent\">.*<td class=\"govuk-table__cell\">St Mary&#39;s C of E Primary School</td>" \
	"$BODY" "the sender's name in the inbox row"
h_expect '<td class="govuk-table__cell">Acknowledge <time' "$BODY" "the step due, in words"
web alice GET "/message/$id"
want 200 "opening the referral"
h_expect '<dd class="govuk-summary-list__value dn-prewrap" id="summary">&lt;script&gt;alert\(1\)&lt;/script&gt; &amp; hungry</dd>' \
	"$BODY" "the escaped summary"
h_expect 'Ann &lt;b&gt;Example&lt;/b&gt;' "$BODY" "the escaped name"
h_expect '<span class="govuk-caption-l">From St Mary&#39;s C of E Primary School</span>' "$BODY" \
	"the sender's name on the message"
h_expect '<dt class="govuk-summary-list__key">Category</dt><dd class="govuk-summary-list__value">Neglect</dd>' \
	"$BODY" "the category in words"
h_expect_not '<script>alert' "$BODY" "the message page"
h_expect '<span id="state">received</span>' "$BODY" "the state"
h_expect '<form id="ack-form"' "$BODY" "a worker's actions"
[ "$(a_sql mash "SELECT count(*) FROM audit WHERE event = 'read' AND agency = 'school-stmarys'
	AND lower(hex(message_id)) = '${id//-/}' AND detail = 'alice.khan, worker'")" = 1 ] ||
	h_fail "opening the referral wrote no read audit event naming alice.khan"
token=$(csrf)

# No token, or another's: 403, and nothing done.
web alice POST "/message/$id/ack" --data-urlencode "text=seen"
want 403 "ack without csrf"
h_expect '<h1[^>]*>Form expired</h1>' "$BODY" "ack without csrf"
web alice POST "/message/$id/ack" --data-urlencode "csrf=$(printf '0%.0s' $(seq 64))"
want 403 "ack with a wrong csrf"
sql_eq mash "SELECT state FROM inbox WHERE lower(hex(message_id)) = '${id//-/}'" received ||
	h_fail "a refused POST changed the message"

# A viewer reads but cannot act.
login vic vic.viewer
web vic GET "/message/$id"
want 200 "a viewer opening the referral"
h_expect_not 'id="ack-form"|id="decide-form"|id="feedback-form"' "$BODY" "a viewer's page"
vtoken=$(csrf)
web vic POST "/message/$id/decide" --data-urlencode "csrf=$vtoken" \
	--data-urlencode "decision=accept"
want 403 "a viewer deciding"
web vic GET /compose
want 403 "a viewer composing"
sql_eq mash "SELECT state FROM inbox WHERE lower(hex(message_id)) = '${id//-/}'" received ||
	h_fail "a viewer changed the message"

# The worker acknowledges, through `dutynet ack`'s handler.
web alice POST "/message/$id/ack" --data-urlencode "csrf=$token" --data-urlencode "text=seen"
want 303 "ack"
h_expect "^Location: /message/$id\\?done=ack\$" "$HDR" "after ack"
sql_eq mash "SELECT ack_by FROM inbox WHERE lower(hex(message_id)) = '${id//-/}'" \
	"alice.khan, worker" || h_fail "the ack is not recorded as alice.khan's"
web alice GET "/message/$id?done=ack"
h_expect 'govuk-notification-banner' "$BODY" "the banner after ack"
h_expect '<span id="state">acknowledged</span>' "$BODY" "the state after ack"
# A decline needs a reason: told in the page's words, beside the field,
# never in the command line's.
web alice POST "/message/$id/decide" --data-urlencode "csrf=$token" \
	--data-urlencode "decision=decline" --data-urlencode "reason="
want 400 "a decline without a reason"
h_expect '<li><a href="#reason">Enter the reason for declining</a></li>' "$BODY" \
	"the error summary of a decline without a reason"
h_expect '<div class="govuk-form-group govuk-form-group--error"><p class="govuk-error-message" id="reason-error"><span class="govuk-visually-hidden">Error:</span> Enter the reason for declining</p><label class="govuk-label" for="reason">' \
	"$BODY" "the error beside the reason"
h_expect_not '--reason' "$BODY" "a decline without a reason"
sql_eq mash "SELECT state FROM inbox WHERE lower(hex(message_id)) = '${id//-/}'" acknowledged ||
	h_fail "a decline without a reason changed the message"

# Compose at the school: each missing field beside it, then a good one.
BASE=$SCHOOL
login sam sam.patel
web sam GET /compose
want 200 "the compose form"
h_expect '<form id="compose-form"' "$BODY" "the compose form"
h_expect '<option value="mash">Children&#39;s Services MASH \(front door\)' "$BODY" \
	"the recipients offered, by name"
h_expect 'id="urgency-standard" name="urgency" type="radio" value="standard" checked>' "$BODY" \
	"urgency pre-selected as standard"
h_expect '<option value="physical-abuse">Physical abuse</option>' "$BODY" "categories in words"
stoken=$(csrf)
web sam POST /compose --data-urlencode "csrf=$stoken" --data-urlencode "type=referral" \
	--data-urlencode "to=mash" --data-urlencode "summary=<i>kept</i>" --data-urlencode "dob=2015-02-30"
want 400 "an incomplete form"
for f in child-name dob category referrer-name consent; do
	h_expect "<li><a href=\"#$f\">" "$BODY" "the error summary ($f)"
	h_expect "<p id=\"$f-error\" class=\"govuk-error-message\">" "$BODY" "the error by $f"
done
h_expect '&lt;i&gt;kept&lt;/i&gt;</textarea>' "$BODY" "the summary kept"
# In the page's words, beside the field, and never the command line's.
h_expect '<p id="dob-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> Enter the child&#39;s date of birth as YYYY-MM-DD, for example 2016-05-14</p><input class="govuk-input govuk-input--error" id="dob"' \
	"$BODY" "the date of birth's error"
h_expect '<li><a href="#child-name">Enter the child&#39;s full name</a></li>' "$BODY" \
	"the child's name in the error summary"
h_expect_not "dutynet send|--[a-z]+ is" "$BODY" "the compose errors"
# The summary lists the errors in the page's order.
order=$(grep -oE '<li><a href="#[a-z-]+">' <<<"$BODY" | sed -E 's/.*#([a-z-]+).*/\1/' | tr '\n' ' ')
[ "$order" = "child-name dob category referrer-name referrer-role referrer-contact lawful-basis consent " ] ||
	h_fail "the error summary's order is '$order'"
web sam POST /compose --data-urlencode "csrf=$stoken" --data-urlencode "type=concern" \
	--data-urlencode "to=mash" --data-urlencode "urgency=standard" \
	--data-urlencode "child-name=Ben Example" --data-urlencode "dob=2014-05-06" \
	--data-urlencode "category=neglect" --data-urlencode "summary=No coat in winter" \
	--data-urlencode "referrer-name=Sam Patel" --data-urlencode "referrer-role=DSL" \
	--data-urlencode "referrer-contact=01632 960101" \
	--data-urlencode "lawful-basis=Children Act 1989 s17" --data-urlencode "consent=yes" \
	--data-urlencode "upn=" --data-urlencode "nhs=" --data-urlencode "case=" \
	--data-urlencode "consent-why-not="
want 303 "sending a concern"
sent=$(sed -nE 's|^Location: /sent/([0-9a-f-]{36})$|\1|p' <<<"$HDR")
[ -n "$sent" ] || h_fail "no /sent/ID after sending: $HDR"
sql_eq school-stmarys "SELECT count(*) FROM outbox WHERE lower(hex(message_id)) = '${sent//-/}'" 1 ||
	h_fail "the concern is not in the outbox"
web sam GET /sent
h_expect "data-message-id=\"$sent\"" "$BODY" "the sent list"
web sam GET "/sent/$sent"
want 200 "the sent message"
h_expect '<ol class="[^"]*" id="timeline">' "$BODY" "the timeline"
h_expect '<li><span class="dn-event">queued</span>' "$BODY" "the timeline"
web sam GET /deadlines
want 200 "the deadlines"
h_expect 'id="deadlines-table"' "$BODY" "the deadlines"

# A new urgent referral reaches an open page as a Server-Sent Event.
BASE=http://$(web_addr mash)
curl -sN --max-time 60 -b "$H_DIR/alice.jar" "$BASE/events" >"$H_DIR/events" 2>/dev/null &
sse=$!
wait_for 10 "the event stream to open" grep -q '^retry: ' "$H_DIR/events"
out=$(cli school-stmarys send concern --to mash --case WEB-2 --urgency immediate \
	"${A_REFERRAL[@]}" --json) || h_fail "send failed: $out"
id2=$(json_id "$out")
wait_for 20 "the urgent event" grep -q "^data: {\"id\": \"$id2\", \"from\": \"school-stmarys\", \"case\": \"WEB-2\", \"urgency\": \"immediate\"" "$H_DIR/events"
h_expect "\"from_name\": \"St Mary's C of E Primary School\"" "$(cat "$H_DIR/events")" \
	"the urgent event's sender by name"
grep -q '^event: urgent$' "$H_DIR/events" || h_fail "no 'event: urgent' line"
kill "$sse" 2>/dev/null
wait "$sse" 2>/dev/null

# Signing out ends the session.
web alice POST /logout --data-urlencode "csrf=$token"
want 303 "signing out"
web alice GET /inbox
want 303 "the inbox after signing out"

# Times for people: London wall time, the exact instant for machines.
web vic GET /inbox
h_expect '<time datetime="[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z" title="[^"]+">(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [0-9]{1,2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}</time>' \
	"$BODY" "a received time in the inbox"
h_expect_not '>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9]{2}:[0-9]{2})<' "$BODY" \
	"the inbox (a raw RFC 3339 stamp shown to people)"

# A role changed behind a session's back counts on its next request, and a
# disabled account's session ends at once, not at its idle timeout.
login vic2 vic.viewer
a_sql mash "UPDATE users SET role = 'worker' WHERE name = 'vic.viewer'" ||
	h_fail "could not change vic.viewer's role"
web vic2 GET /inbox
want 200 "the inbox after a role change"
h_expect 'id="whoami"[^>]*>Signed in as <strong>vic.viewer</strong> \(worker\)' "$BODY" \
	"whoami after a role change"
a_sql mash "UPDATE users SET role = 'viewer' WHERE name = 'vic.viewer'" ||
	h_fail "could not change vic.viewer's role back"
web vic2 GET /compose
want 403 "composing after being made a viewer"
cli mash user disable vic.viewer >/dev/null || h_fail "dutynet user disable vic.viewer failed"
web vic2 GET /inbox
want 303 "the inbox after the account was disabled"
h_expect '^Location: /login\?account=disabled$' "$HDR" "after the account was disabled"
h_expect '^Set-Cookie: dn_session=;' "$HDR" "the session cookie after disabling"
web vic GET "/message/$id"
want 303 "another session of the disabled account"
web vic2 GET "/login?account=disabled"
want 200 "the sign-in page after disabling"
h_expect 'Your account has been disabled' "$BODY" "the sign-in page after disabling"
web vic2 POST /login --data-urlencode "csrf=$(csrf)" --data-urlencode "username=vic.viewer" \
	--data-urlencode "password=$PW"
want 200 "signing in to a disabled account"
h_expect 'Wrong username or password' "$BODY" "signing in to a disabled account"

# TLS: a key others can read stops the agent; a good one serves HTTPS only.
stop_agent mash
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$H_DIR/web.key" -out "$H_DIR/web.crt" \
	-days 2 -subj /CN=127.0.0.1 >/dev/null 2>&1 || h_fail "openssl could not make a certificate"
chmod 644 "$H_DIR/web.key"
h_conf_set "$H_CONF/agents/mash.conf" web_tls_cert "\"$H_DIR/web.crt\""
h_conf_set "$H_CONF/agents/mash.conf" web_tls_key "\"$H_DIR/web.key\""
rc=0
timeout 20 "$H_AGENT" --config "$H_CONF" --agency mash 2>"$H_DIR/tls.err" || rc=$?
[ "$rc" = 3 ] || h_fail "a readable TLS key: exit $rc, not 3: $(cat "$H_DIR/tls.err")"
h_expect "web_tls_key: key file $H_DIR/web.key has mode 0644; run chmod 600" \
	"$(cat "$H_DIR/tls.err")" "the TLS key error"
chmod 600 "$H_DIR/web.key"
start_agent mash
BASE=https://$(web_addr mash)
CURL_TLS=(--cacert "$H_DIR/web.crt")
web tls GET /login
want 200 "GET /login over TLS"
h_expect '^Set-Cookie: dn_pre=[0-9a-f]{64}; HttpOnly; SameSite=Strict; Path=/; Secure$' "$HDR" \
	"the cookie over TLS"
login tls alice.khan
h_expect '^Set-Cookie: dn_session=[0-9a-f]{64}; HttpOnly; SameSite=Strict; Path=/; Secure$' \
	"$HDR" "the session cookie over TLS"
if curl -s --max-time 5 -o /dev/null "http://$(web_addr mash)/login"; then
	h_fail "plain HTTP answered on the TLS port"
fi

stop_agent mash
stop_agent school-stmarys
stop_broker
for f in "$H_LOG"/agent-*.log; do
	h_sanitizer_clean "$f"
done
h_audit_ok "$(a_db mash)"
h_pass
