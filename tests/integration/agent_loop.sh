#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The loop: 1,000 referrals sent from the school while the broker and the
# MASH's agent are SIGKILLed and restarted several times.  At the end the
# MASH's inbox holds exactly 1,000 distinct messages (each stored once,
# whatever was delivered twice) and the school holds 1,000 signed receipts
# (every message delivered), nothing failed, and both audit chains verify -
# all within a bounded time (every wait polls with a deadline).
# ZEROMQ.md "Never lose a message silently"; malamute#53, #89, #330 (lost on
# disconnect and restart), #80/#81/#87 (stalls under load).
. "$(dirname "$0")/agent_common.bash"

N=${AGENT_LOOP_N:-1000}
SENDERS=4
ROUNDS=6
# Each sender paces itself so that the sending spans the kill rounds.
PACE=0.03
DEADLINE=${AGENT_LOOP_DEADLINE:-180}	# seconds for everything to be delivered

a_init
start_broker
start_agent school-stmarys
start_agent mash
t0=$SECONDS

# The senders: SENDERS processes, each sending its share with dutynet send.
cat >"$H_DIR/sender.sh" <<SH
#!/usr/bin/env bash
for i in \$(seq "\$1" "\$2"); do
	DUTYNET_CONFIG="$H_CONF" DUTYNET_AGENCY=school-stmarys timeout 30 "$H_CLI" send referral \
		--to mash --case "LOOP-\$i" --child-name "Child \$i" --dob 2014-05-06 \
		--category neglect --summary "loop test message \$i" --referrer-name "Sam Patel" \
		--referrer-role DSL --referrer-contact "01632 960101" \
		--lawful-basis "Children Act 1989 s17" --consent yes >/dev/null 2>>"$H_LOG/send.err" ||
		echo "\$i" >>"$H_DIR/send.failed"
	sleep $PACE
done
SH
chmod +x "$H_DIR/sender.sh"
pids=()
per=$(((N + SENDERS - 1) / SENDERS))
for s in $(seq 0 $((SENDERS - 1))); do
	from=$((s * per + 1))
	to=$(((s + 1) * per))
	[ "$to" -gt "$N" ] && to=$N
	"$H_DIR/sender.sh" "$from" "$to" &
	pids+=($!)
done

# Meanwhile: kill -9 and restart the broker and the recipient, ROUNDS times.
for r in $(seq "$ROUNDS"); do
	sleep 0.7
	kill9_broker
	sleep 0.2
	start_broker
	sleep 0.5
	kill9_agent mash
	sleep 0.2
	start_agent mash
	h_log "round $r at ${SECONDS}s: broker and mash killed and restarted;" \
		"$(a_sql school-stmarys "SELECT count(*) FROM outbox") committed," \
		"$(a_sql school-stmarys "SELECT count(*) FROM outbox WHERE state = 'delivered'")" \
		"delivered so far"
done
for p in "${pids[@]}"; do
	wait "$p"
done
[ ! -s "$H_DIR/send.failed" ] ||
	h_fail "$(wc -l <"$H_DIR/send.failed") sends failed: $(head -3 "$H_LOG/send.err")"
h_log "all $N sent (committed) after $((SECONDS - t0))s"

all_delivered() {
	sql_eq school-stmarys "SELECT count(*) FROM outbox WHERE state = 'delivered'" "$N"
}
wait_for "$DEADLINE" "all $N delivered ($(a_sql school-stmarys \
	"SELECT state, count(*) FROM outbox GROUP BY state" | tr '\n' ' '))" all_delivered
h_log "all $N delivered after $((SECONDS - t0))s"

sql_eq school-stmarys "SELECT count(*), count(receipt), count(DISTINCT case_id) FROM outbox" \
	"$N|$N|$N" || h_fail "the school does not hold $N distinct messages with receipts"
sql_eq mash "SELECT count(*), count(DISTINCT message_id), count(DISTINCT case_id) FROM inbox" \
	"$N|$N|$N" || h_fail "the MASH does not hold exactly $N distinct messages: $(a_sql mash \
	"SELECT count(*), count(DISTINCT case_id) FROM inbox")"
sql_eq mash "SELECT count(*) FROM inbox WHERE state <> 'received'" 0 ||
	h_fail "some messages were rejected at the MASH"
# Every receipt the school holds is the one the MASH made (same bytes).
sqlite3 "$(a_db mash)" "ATTACH '$(a_db school-stmarys)' AS s;
	SELECT count(*) FROM inbox i JOIN s.outbox o USING (message_id)
	WHERE i.receipt = o.receipt" | grep -qx "$N" || h_fail "receipts differ between the two sides"
h_log "duplicates delivered and stored once: $(a_sql mash "SELECT sum(deliveries) - count(*) FROM inbox")"
stop_agent school-stmarys
stop_agent mash
stop_broker
audit_ok "$(a_db school-stmarys)"
audit_ok "$(a_db mash)"
h_pass
