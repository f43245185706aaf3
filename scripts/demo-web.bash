# SPDX-License-Identifier: ISC
# demo-web.bash: the web inbox in scripts/demo (issue 9): where each agent's
# web inbox listens, the staff accounts the demo makes (`dutynet user add`),
# a real sign-in over HTTP to show that they work, the URLs and logins
# printed at the end, and --serve (everything kept running until Ctrl-C).
# Sourced by scripts/demo after demo-lib.bash; not a program.
#
# Each web inbox gets its own loopback address (127.0.0.1, 127.0.0.2, ...),
# as each agency's would be on its own server: browsers keep cookies per
# host, not per port, so two inboxes on one address would overwrite each
# other's sign-in cookie in a browser signed in to both.

# The accounts the demo makes: "AGENCY NAME ROLE".
WEB_ACCOUNTS=("school-stmarys anita.shah lead" "mash tom.reed worker")
# Seconds curl may take for one request.
WEB_CURL_TIMEOUT=10
declare -A WEB_URL=() WEB_USER=() WEB_PW=()

# web_port HOST PORT: PORT if it can be bound on HOST now, else one the
# kernel picks there; fails if HOST cannot be bound at all.
web_port() {
	"$PY" -c '
import socket, sys
for port in (int(sys.argv[2]), 0):
    s = socket.socket()
    try:
        s.bind((sys.argv[1], port))
        print(s.getsockname()[1])
        sys.exit(0)
    except OSError:
        pass
    finally:
        s.close()
sys.exit(1)' "$1" "$2"
}

# web_setup: after the configuration is copied, gives each agent that has a
# web inbox (web_listen) its own loopback address, keeping the example's
# port when it is free.
web_setup() {
	local f id n=1 host port
	for f in "$CONF"/agents/*.conf; do
		grep -qE '^web_listen *=' "$f" || continue
		id=$(basename "$f" .conf)
		port=$(sed -nE 's/^web_listen *= *"[^"]*:([0-9]+)";.*/\1/p' "$f")
		host=127.0.0.$n
		if ! port=$(web_port "$host" "${port:-0}"); then
			host=127.0.0.1
			port=$(web_port "$host" 0) || fail "no free TCP port on 127.0.0.1 for $id's web inbox"
		fi
		sed -i -E "s|^web_listen *=.*|web_listen = \"$host:$port\";|" "$f"
		WEB_URL[$id]=http://$host:$port
		n=$((n + 1))
	done
}

# web_move ID: ID's web inbox to another free port on its address (its
# agent could not bind the one it had).
web_move() {
	local f=$CONF/agents/$1.conf host port
	host=$(sed -nE 's/^web_listen *= *"([^"]*):[0-9]+";.*/\1/p' "$f")
	port=$(web_port "${host:-127.0.0.1}" 0) || fail "no free TCP port on $host for $1's web inbox"
	sed -i -E "s|^web_listen *=.*|web_listen = \"$host:$port\";|" "$f"
	WEB_URL[$1]=http://$host:$port
}

# web_password: a new random password (16 characters of [A-Za-z0-9_-]).
web_password() {
	"$PY" -c 'import secrets; print(secrets.token_urlsafe(12))'
}

# web_sign_in AGENCY NAME PASSWORD: signs in to AGENCY's web inbox as a
# browser would (the sign-in form's token, its cookie, POST /login) and
# leaves the inbox page in $OUT; 1 if that did not work.
web_sign_in() {
	local url=${WEB_URL[$1]} jar=$AREA/log/web-$1.cookies page csrf code
	rm -f "$jar"
	page=$(curl -sS -m "$WEB_CURL_TIMEOUT" -c "$jar" -b "$jar" "$url/login") || return 1
	csrf=$(sed -nE 's/.*<input type="hidden" name="csrf" value="([^"]*)".*/\1/p' <<<"$page")
	[ -n "$csrf" ] || return 1
	# The password on stdin, not on curl's command line.
	code=$(printf 'username=%s&password=%s&csrf=%s' "$2" "$3" "$csrf" |
		curl -sS -m "$WEB_CURL_TIMEOUT" -c "$jar" -b "$jar" -o /dev/null \
			-w '%{http_code} %{redirect_url}' --data-binary @- "$url/login") || return 1
	[ "$code" = "303 $url/inbox" ] || return 1
	OUT=$(curl -sS -m "$WEB_CURL_TIMEOUT" -c "$jar" -b "$jar" "$url/inbox") || return 1
	rm -f "$jar"
}

# web_inbox_rows: the rows of the inbox page in $OUT, one a line:
# "urgency  case  state  due".
web_inbox_rows() {
	"$PY" -c '
import html.parser, sys

class Rows(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.cells, self.cell, self.urgency = [], None, None, None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and "dn-message" in (a.get("class") or "").split():
            self.cells, self.urgency = [], a.get("data-urgency", "")
        elif tag == "td" and self.cells is not None:
            self.cell = ""
        elif tag == "br" and self.cell is not None:
            self.cell += " "
    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.cells.append(" ".join(self.cell.split()))
            self.cell = None
        elif tag == "tr" and self.cells is not None:
            c = self.cells + [""] * 6
            self.rows.append("%-9s  %-24s  %-12s  %s" % (self.urgency, c[2], c[5], c[4]))
            self.cells = None
    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data

p = Rows()
p.feed(sys.stdin.read())
print("\n".join(p.rows))' <<<"$OUT"
}

step_web() {
	local entry id name role pw
	heading "The web inbox: staff sign in with a browser"
	say "Each agency's agent also serves a web inbox (web_listen in its configuration):" \
		"pages on this computer for staff to read, answer and send, signed in with an" \
		"account of their agency.  Every sign-in and every opening of a referral is in" \
		"the agency's audit log.  The demo makes an account for Mrs Shah at the school" \
		"and for Tom Reed at the MASH (the password is asked twice on a terminal; here it" \
		"comes on stdin):"
	for entry in "${WEB_ACCOUNTS[@]}"; do
		read -r id name role <<<"$entry"
		[ -n "${WEB_URL[$id]:-}" ] ||
			fail "$id's agent has no web inbox (web_listen) in $CONF/agents/$id.conf"
		pw=$(web_password) || fail "cannot make a password"
		show_cmd "$id" dutynet user add "$name" --role "$role"
		dn "$id" user add "$name" --role "$role" <<<"$pw" ||
			{ printf '%s\n' "$OUT" >&2; fail "'dutynet user add $name' at $id exited $RC" "agent-$id.log"; }
		show_out
		WEB_USER[$id]=$name
		WEB_PW[$id]=$pw
	done
	[ "$KEEP" != 1 ] || web_keep
	web_sign_in mash "${WEB_USER[mash]}" "${WEB_PW[mash]}" ||
		fail "signing in to the MASH's web inbox at ${WEB_URL[mash]} did not work" agent-mash.log
	say "" "Tom Reed signs in at ${WEB_URL[mash]}/ (here with curl, as a browser" \
		"would).  His inbox lists the referrals and concerns the MASH received, soonest" \
		"deadline first:"
	show_out web_inbox_rows
	web_sign_in school-stmarys "${WEB_USER[school-stmarys]}" "${WEB_PW[school-stmarys]}" ||
		fail "signing in to the school's web inbox at ${WEB_URL[school-stmarys]} did not work" \
			agent-school-stmarys.log
	say "" "The MASH's audit log has the sign-in:"
	OUT=$(sqlite3 -readonly "$CONF/run/mash/agent.db" \
		"SELECT event, detail FROM audit WHERE event = 'login' ORDER BY seq DESC LIMIT 1" 2>&1) ||
		fail "cannot read the MASH's audit log: $OUT"
	show_out
}

# web_logins: the URLs and accounts, for the end of the demo.
web_logins() {
	local entry id name role
	for entry in "${WEB_ACCOUNTS[@]}"; do
		read -r id name role <<<"$entry"
		[ -n "${WEB_PW[$id]:-}" ] || continue
		printf '  %s: %s\n      %-26s user %-11s password %s  (%s)\n' \
			"$id" "$(agency_setting "$id" name)" "${WEB_URL[$id]}/" "$name" "${WEB_PW[$id]}" "$role"
	done
}

# web_keep: with --dir, the logins in DIR/web-logins.txt (mode 0600).
web_keep() {
	(umask 077 && web_logins >"$AREA/web-logins.txt") || fail "cannot write $AREA/web-logins.txt"
}

# web_serve: --serve: prints the URLs and logins and keeps every daemon
# running until Ctrl-C (or SIGTERM); a daemon that stops fails the demo.
web_serve() {
	local pid
	DEMO_SERVE_STOP=0
	trap 'DEMO_SERVE_STOP=1' INT TERM HUP
	printf '\n== Serving\n\n'
	say "The broker and every agent keep running.  Open a web inbox in a browser on" \
		"this computer and sign in:"
	web_logins
	say "" "Press Ctrl-C to stop everything."
	while [ "$DEMO_SERVE_STOP" = 0 ]; do
		all_alive
		sleep 1 &
		pid=$!
		wait "$pid" 2>/dev/null
		kill "$pid" 2>/dev/null
	done
	trap demo_interrupted INT TERM HUP
	echo
}
