#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Independent check of tests/vectors/deadlines.txt, written from the rules in
config/calendar.h with none of the C code's methods.

The C code walks day by day through Europe/London wall time with its own
rendering of the UK summer-time rule and reads the bank holidays from a data
file.  This model walks minute by minute through UTC, asks Python's zoneinfo
(the system tzdata) for the London wall time of each minute, and derives the
bank holidays of England and Wales from their rules (Easter by the
Gregorian computus, first and last Mondays, substitute days); the calendars
in calendar-*.conf are read with regular expressions.  Two implementations
that share no code agreeing on every row is what makes the table worth
trusting.

Usage: check_deadlines.py [VECTOR-DIR]   (default: this file's directory)
Needs python3 (3.9 or later, for zoneinfo) and Debian's tzdata.
"""
import datetime as dt
import os
import re
import sys
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
UTC = dt.timezone.utc
MINUTE = dt.timedelta(minutes=1)
DATA_YEARS = range(2024, 2031)  # config/holidays-england-wales.conf
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def easter(y):
    a, b, c = y % 19, y // 100, y % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    return dt.date(y, (h + l - 7 * m + 114) // 31, (h + l - 7 * m + 114) % 31 + 1)


def mondays(y, month):
    d = dt.date(y, month, 1)
    out = []
    while d.month == month:
        if d.weekday() == 0:
            out.append(d)
        d += dt.timedelta(days=1)
    return out


def bank_holidays(y):
    """The days off in England and Wales in year y, by rule."""
    out = set()
    ny = dt.date(y, 1, 1)
    out.add(ny if ny.weekday() < 5 else ny + dt.timedelta(days=7 - ny.weekday()))
    e = easter(y)
    out |= {e - dt.timedelta(days=2), e + dt.timedelta(days=1)}
    out |= {mondays(y, 5)[0], mondays(y, 5)[-1], mondays(y, 8)[-1]}
    # Christmas and Boxing Day: each on a weekend moves to the next weekday
    # not already taken.
    for day in (25, 26):
        d = dt.date(y, 12, day)
        while d.weekday() >= 5 or d in out:
            d += dt.timedelta(days=1)
        out.add(d)
    return out


HOLIDAYS = set().union(*(bank_holidays(y) for y in DATA_YEARS))


class Calendar:
    def __init__(self, path=None):
        self.hours = {d: [(9 * 60, 17 * 60)] if i < 5 else [] for i, d in enumerate(DAYS)}
        self.closures = []
        self.bank = True
        if path is None:
            return
        text = re.sub(r"#.*", "", open(path).read())
        m = re.search(r"hours\s*=\s*\{(.*?)\};", text, re.S)
        if m:
            self.hours = {d: [] for d in DAYS}
            for day, ivs in re.findall(r"(\w+)\s*=\s*\[(.*?)\]", m.group(1), re.S):
                self.hours[day] = [
                    (int(a) * 60 + int(b), int(c) * 60 + int(d))
                    for a, b, c, d in re.findall(r'"(\d\d):(\d\d)-(\d\d):(\d\d)"', ivs)
                ]
        for grp in re.findall(r"\{([^{}]*from[^{}]*)\}", text):
            f = re.search(r'from\s*=\s*"([\d-]+)"', grp).group(1)
            t = re.search(r'to\s*=\s*"([\d-]+)"', grp)
            self.closures.append((dt.date.fromisoformat(f),
                                  dt.date.fromisoformat(t.group(1) if t else f)))
        self.bank = not re.search(r"bank_holidays\s*=\s*false", text)
        self.day_minutes = None

    def day_length(self):
        return max(sum(e - s for s, e in ivs) for ivs in self.hours.values())

    def working_day(self, d):
        if not self.hours[DAYS[d.weekday()]]:
            return False
        if self.bank and d in HOLIDAYS:
            return False
        return not any(a <= d <= b for a, b in self.closures)

    def working_minute(self, t):
        """Is the minute starting at UTC instant t working time?"""
        local = t.astimezone(LONDON)
        if not self.working_day(local.date()):
            return False
        m = local.hour * 60 + local.minute
        return any(s <= m < e for s, e in self.hours[DAYS[local.weekday()]])


def due(cal, start, within):
    """(due instant, first local date, last local date) for one row."""
    m = re.fullmatch(r"(\d+) (working )?(minute|hour|day)s?", within)
    if m and not m.group(2):
        n = int(m.group(1)) * (60 if m.group(3) == "hour" else 1)
        return start + n * MINUTE, None, None
    t = start
    if m:
        unit = {"minute": 1, "hour": 60, "day": cal.day_length()}[m.group(3)]
        left = int(m.group(1)) * unit
        while True:
            if cal.working_minute(t):
                left -= 1
                if left == 0:
                    return t + MINUTE, start, t
            t += MINUTE
    m = re.fullmatch(r"(?:by )?(?:the )?end of (?:the )?(\d+)(?:st|nd|rd|th) working day", within)
    assert m, within
    n = int(m.group(1))
    while not cal.working_minute(t):
        t += MINUTE
    day = t.astimezone(LONDON).date()
    count = 1
    while count < n:
        day += dt.timedelta(days=1)
        count += cal.working_day(day)
    # The closing time: the end of the day's last working minute.
    t = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), LONDON).astimezone(UTC)
    while not cal.working_minute(t - MINUTE):
        t -= MINUTE
    return t, start, t - MINUTE


def parse_time(s):
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00")).astimezone(UTC)


def main():
    vdir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    cals = {"default": Calendar()}
    bad = rows = 0
    for line in open(os.path.join(vdir, "deadlines.txt")):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        start, within, name, expect, warn = [f.strip() for f in line.split(" | ")]
        if name not in cals:
            cals[name] = Calendar(os.path.join(vdir, f"calendar-{name}.conf"))
        got, a, b = due(cals[name], parse_time(start), within)
        years = set()
        if a is not None and cals[name].bank:
            d = a.astimezone(LONDON).date()
            while d <= b.astimezone(LONDON).date():
                if d.year not in DATA_YEARS:
                    years.add(str(d.year))
                d += dt.timedelta(days=1)
        got_warn = "-" if not years else ",".join(sorted(years))
        rows += 1
        if got != parse_time(expect) or got_warn != warn:
            bad += 1
            print(f"MISMATCH {start} | {within} | {name}: table says {expect} {warn}, "
                  f"model says {got.strftime('%Y-%m-%dT%H:%M:%SZ')} {got_warn}")
    print(f"check_deadlines: {rows} rows, {bad} mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
