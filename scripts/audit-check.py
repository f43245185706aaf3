#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Checks the hash chain of dutynet audit logs, independently of common/auditlog.c.

Written from SCHEMA.md ("Audit log") alone, with Python's standard library and
python3-msgpack, so that a bug in the C code cannot hide itself: the broker's
database and every agent's database hold a table `audit` whose rows chain

    hash = BLAKE2b-256("dutynet-audit-v1" NUL || prev_hash ||
                       msgpack [seq, time_ms, event, agency or nil,
                                message_id (bin 16) or nil, detail])

from a prev_hash of 32 zero bytes.  Each database is opened read-only.  Used by
scripts/demo and by tests/support/harness.sh (h_audit_ok).

usage: audit-check.py [--allow-empty] [--quiet] DATABASE...

Prints one line per database: its entry count and head, or the first seq where
the log was altered and how.  Exit codes: 0 every chain verifies; 1 one does
not (or is empty, unless --allow-empty); 2 bad command line or a database that
cannot be read.
"""

import hashlib
import re
import sqlite3
import sys

try:
    import msgpack
except ImportError:
    sys.exit("audit-check.py: python3-msgpack is missing; run scripts/deps")

TAG = b"dutynet-audit-v1\0"
HASH_BYTES = 32
MSGID_BYTES = 16
DETAIL_MAX = 2048
AGENCY_MAX = 32
EVENT_RE = re.compile(r"[a-z0-9-]{1,32}\Z")
USAGE = "usage: audit-check.py [--allow-empty] [--quiet] DATABASE..."
QUERY = ("SELECT seq, time_ms, event, agency, message_id, detail, prev_hash, hash"
         " FROM audit ORDER BY seq")


class Altered(Exception):
    """The log does not verify: the text names the first bad seq."""


def well_formed(t, ev, ag, mid, det, ph, h):
    """Every column has the type and size SCHEMA.md gives it."""
    return (isinstance(t, int) and isinstance(ev, str) and EVENT_RE.match(ev)
            and (ag is None or (isinstance(ag, str) and 0 < len(ag.encode()) <= AGENCY_MAX))
            and (mid is None or (isinstance(mid, bytes) and len(mid) == MSGID_BYTES))
            and isinstance(det, str) and len(det.encode()) <= DETAIL_MAX
            and isinstance(ph, bytes) and len(ph) == HASH_BYTES
            and isinstance(h, bytes) and len(h) == HASH_BYTES)


def verify(path):
    """Returns (entries, head hash) or raises Altered / sqlite3.Error."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        prev, expect = bytes(HASH_BYTES), 1
        for seq, t, ev, ag, mid, det, ph, h in db.execute(QUERY):
            if seq != expect:
                raise Altered(f"audit seq {expect} is missing (the next row is seq {seq}):"
                              " rows were deleted or renumbered")
            if not well_formed(t, ev, ag, mid, det, ph, h):
                raise Altered(f"audit seq {seq} has a column of the wrong type or size:"
                              " the row was edited by hand")
            if ph != prev:
                raise Altered(f"audit seq {seq} does not chain to seq {seq - 1}:"
                              " a row before it was inserted, deleted or moved")
            rec = msgpack.packb([seq, t, ev, ag, mid, det], use_bin_type=True)
            want = hashlib.blake2b(TAG + prev + rec, digest_size=HASH_BYTES).digest()
            if h != want:
                raise Altered(f"audit seq {seq} does not match its hash: the row was altered")
            prev, expect = h, expect + 1
        return expect - 1, prev
    finally:
        db.close()


def main(argv):
    allow_empty = quiet = False
    paths = []
    for arg in argv:
        if arg == "--allow-empty":
            allow_empty = True
        elif arg == "--quiet":
            quiet = True
        elif arg in ("-h", "--help"):
            print(__doc__[__doc__.index("usage:"):], end="")
            return 0
        elif arg.startswith("-"):
            print(f"audit-check.py: unknown option '{arg}'", file=sys.stderr)
            return 2
        else:
            paths.append(arg)
    if not paths:
        print(f"{USAGE}\nRun 'audit-check.py --help' for more.", file=sys.stderr)
        return 2
    worst = 0
    for path in paths:
        try:
            entries, head = verify(path)
        except Altered as e:
            print(f"{path}: ALTERED: {e}", file=sys.stderr)
            worst = max(worst, 1)
            continue
        except sqlite3.Error as e:
            print(f"{path}: cannot read its audit table: {e}", file=sys.stderr)
            worst = 2
            continue
        if entries == 0:
            if not allow_empty:
                print(f"{path}: audit log is empty", file=sys.stderr)
                worst = max(worst, 1)
            elif not quiet:
                print(f"{path}: no entries yet; nothing to check")
            continue
        if not quiet:
            print(f"{path}: {entries} entries, chain intact; head seq {entries}, "
                  f"hash {head.hex()[:16]}...")
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
