#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Which deadline an agency has to acknowledge or decide a message, for scripts/demo.

The demo says "The MASH acknowledged at 10:42, within 1 working day": this
names the "1 working day".  It follows config/deadline.h: the FIRST rule of
policy.conf's `deadlines` that matches the message's type, urgency and
recipient (agency id, its kind from directory.conf, or "*"); without a
`deadlines` setting, the built-in rules (immediate: 1 hour / 4 hours; social
care and the emergency duty team: 1 working day; others: 3 / 10 working
days).  An older directory.conf with `escalation.ack_within` and
`decision_within` per agency is read too.  It reads the files with a small
parser of the libconfig subset dutynet uses; the agent's own answer
(`dutynet deadlines`) replaces it once the demo can ask for it.

usage: demo-deadline.py CONFDIR AGENCY TYPE URGENCY ack|decision|feedback

Prints the duration (e.g. "1 working day"), or nothing when no rule applies.
Exit codes: 0 done; 2 bad command line or a file it cannot read.
"""

import re
import sys

TOKEN = re.compile(r'\s+|#[^\n]*|//[^\n]*|/\*.*?\*/|@include[^\n]*|"(?:[^"\\]|\\.)*"'
                   r'|[A-Za-z_][A-Za-z0-9_-]*|[-+]?(?:0x[0-9A-Fa-f]+|\d+)L?|[=:;,(){}\[\]]', re.S)
SKIP = ("#", "//", "/*", "@include")
DEFAULTS = (  # config/deadline.h, DEADLINE_DEFAULT_*
    ({"immediate"}, None, {"ack": "1 hour", "decision": "4 hours", "feedback": "24 hours"}),
    (None, {"social-care", "emergency-duty-team"},
     {"ack": "1 working day", "decision": "1 working day", "feedback": "5 working days"}),
    (None, None, {"ack": "3 working days", "decision": "10 working days",
                  "feedback": "10 working days"}),
)


def tokens(text):
    pos, out = 0, []
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            raise ValueError(f"cannot read {text[pos:pos + 20]!r}")
        tok, pos = m.group(), m.end()
        if not tok.isspace() and not tok.startswith(SKIP):
            out.append(tok)
    return out


def parse(text):
    """A libconfig file as nested dicts and lists (strings, ints, bools)."""
    toks, i = tokens(text), 0

    def value():
        nonlocal i
        t = toks[i]
        i += 1
        if t == "{":
            return settings("}")
        if t in ("(", "["):
            close, items = ")" if t == "(" else "]", []
            while toks[i] != close:
                items.append(value())
                if toks[i] == ",":
                    i += 1
            i += 1
            return items
        if t.startswith('"'):
            return re.sub(r'\\(.)', r'\1', t[1:-1])
        if t in ("true", "false"):
            return t == "true"
        return int(t.rstrip("L"), 0)

    def settings(close):
        nonlocal i
        group = {}
        while i < len(toks) and toks[i] != close:
            name = toks[i]
            i += 2  # the name and '=' or ':'
            group[name] = value()
            if i < len(toks) and toks[i] in (";", ","):
                i += 1
        i += 1
        return group

    return settings(None)


def names(v):
    return {v} if isinstance(v, str) else set(v)


def main(argv):
    if len(argv) != 5 or argv[4] not in ("ack", "decision", "feedback"):
        print("usage: demo-deadline.py CONFDIR AGENCY TYPE URGENCY ack|decision|feedback",
              file=sys.stderr)
        return 2
    conf, agency, mtype, urgency, step = argv
    try:
        directory = parse(open(f"{conf}/directory.conf", encoding="utf-8").read())
        policy = parse(open(f"{conf}/policy.conf", encoding="utf-8").read())
    except (OSError, ValueError, IndexError) as e:
        print(f"demo-deadline.py: cannot read the configuration in {conf}: {e}", file=sys.stderr)
        return 2
    entry = next((a for a in directory.get("agencies", []) if a.get("id") == agency), {})
    kind = entry.get("kind")
    old = entry.get("escalation", {}).get(f"{step}_within")
    if "deadlines" not in policy and old:
        print(old)
        return 0
    if "deadlines" in policy:
        for rule in policy["deadlines"]:
            if (names(rule.get("types", "*")) & {mtype, "*"}
                    and names(rule.get("urgency", "*")) & {urgency, "*"}
                    and names(rule.get("to", "*")) & {agency, kind, "*"}):
                if step in rule:
                    print(rule[step])
                return 0
        return 0
    for urgencies, kinds, steps in DEFAULTS:
        if (urgencies is None or urgency in urgencies) and (kinds is None or kind in kinds):
            print(steps[step])
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
