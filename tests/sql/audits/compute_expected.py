#!/usr/bin/env python3
"""Compute expected.csv for the data-quality audit fixtures, without SQL.

Plain-Python reading of the `audits` query of docs/scorecard.md (section
"`audits`"), as listed in README.md ("Rules implemented", "Readings"). The
sources, events and audits below must match agreement.pactum in this folder;
they are written out by hand here rather than read from the agreement, so
that this program does not share code with the compiler.

Usage:
    python3 compute_expected.py              # print expected.csv to stdout
    python3 compute_expected.py --write      # write expected.csv next to this file
    python3 compute_expected.py --self-test  # check the hand computations of README.md

Numbers: whole values are written as integers, others rounded to 15
significant digits, without exponent.
"""

import csv
import os
import sys
from datetime import date, datetime, timedelta
from decimal import Decimal, localcontext
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------------------
# The agreement (as declared in agreement.pactum)

EFFECTIVE = (date(2026, 3, 20), date(2026, 12, 31))

# source name -> (file, customer column, time column, id column, other
# columns, the source's own `freshness` in hours or None)
SOURCES = {
    "web_events": ("web_events.csv", "visitor_id", "seen_at", "event_id", ["event_name"], 48),
    "app_events": ("app_events.csv", "user_id", "opened_at", "app_event_id", ["event_name"], None),
    "ledger": ("ledger.csv", "account_id", "booked_at", "entry_id", ["kind"], 2 * 24),
}

# source name -> filters of the events defined on it (None: no `where`).
# A NULL column is None here and equals no string, as in SQL.
EVENTS = {
    "web_events": [
        lambda r: r["event_name"] == "page_view",  # page_view
        lambda r: r["event_name"] == "form_submit",  # form_submit
    ],
    "app_events": [
        lambda r: r["event_name"] == "open",  # app_open
        lambda r: r["event_name"] == "tap",  # app_tap
    ],
    "ledger": [None],  # booking, every row
}

# source name -> the audit: its row checks, `freshness` in hours (None: not
# declared) and `drift K sigma over W days` as (K, W) (None: not declared).
AUDITS = {
    "web_events": dict(
        checks=["null_keys", "duplicate_ids", "unknown_events", "future_timestamps", "gaps"],
        freshness=12,
        drift=(2, 7),
    ),
    "app_events": dict(
        checks=["null_keys", "duplicate_ids", "unknown_events", "future_timestamps", "gaps"],
        freshness=24,
        drift=(3, 28),
    ),
    "ledger": dict(checks=["null_keys", "gaps"], freshness=None, drift=None),
}

# ---------------------------------------------------------------------------
# Loading


def parse_time(text):
    # Timestamps carry no zone; the agreement's zone is UTC.
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")


def load():
    """source name -> rows {"line", "customer", "time", "id", column: value},
    with None for an empty field (NULL)."""
    data = {}
    for name, (file, cust, time, ident, columns, _) in SOURCES.items():
        rows = []
        with open(os.path.join(HERE, file), newline="") as f:
            for line, raw in enumerate(csv.DictReader(f), start=2):
                row = {
                    "line": line,
                    "customer": raw[cust] or None,
                    "time": parse_time(raw[time]) if raw[time] else None,
                    "id": raw[ident] or None,
                }
                for col in columns:
                    row[col] = raw[col] if raw[col] != "" else None
                rows.append(row)
        data[name] = rows
    return data


def load_as_of():
    with open(os.path.join(HERE, "as_of")) as f:
        return datetime.strptime(f.read().strip(), "%Y-%m-%d").date()


# ---------------------------------------------------------------------------
# Helpers


def period_of(day):
    """First day of the calendar month holding `day` (reporting period month)."""
    return day.replace(day=1)


def up_to_today(rows, today):
    """Rows with a time on or before `today` (rows without time are left out)."""
    return [r for r in rows if r["time"] is not None and r["time"].date() <= today]


def end_of(today):
    """The instant the day `today` ends: midnight starting the next day."""
    return datetime.combine(today + timedelta(days=1), datetime.min.time())


def daily_counts(rows, today):
    counts = {}
    for r in up_to_today(rows, today):
        counts[r["time"].date()] = counts.get(r["time"].date(), 0) + 1
    return counts


def sqrt(x):
    """Square root of a Fraction, as a Decimal with 40 digits."""
    with localcontext() as ctx:
        ctx.prec = 40
        return (Decimal(x.numerator) / Decimal(x.denominator)).sqrt()


def exact(x):
    """A Decimal that is a whole number or an exact fraction back to Fraction."""
    return Fraction(x) if isinstance(x, Decimal) else x


# ---------------------------------------------------------------------------
# Checks. Each returns [(period_start or None, offending, low, high)].


def null_keys(rows, today):
    groups = {}
    for r in rows:
        if r["time"] is not None and r["time"].date() > today:
            continue  # after today: ignored
        if r["customer"] is None or r["time"] is None:
            key = period_of(r["time"].date()) if r["time"] is not None else None
            groups[key] = groups.get(key, 0) + 1
    return [(k, n, 0, 0) for k, n in groups.items()]


def duplicate_ids(rows, today):
    # Rows in time order (ties: file order; a tie on time gives the same
    # period whichever row is called the repeat). Rows without id are never
    # duplicates.
    seen = set()
    groups = {}
    for r in sorted(up_to_today(rows, today), key=lambda r: (r["time"], r["line"])):
        if r["id"] is None:
            continue
        if r["id"] in seen:
            key = period_of(r["time"].date())
            groups[key] = groups.get(key, 0) + 1
        seen.add(r["id"])
    return [(k, n, 0, 0) for k, n in groups.items()]


def unknown_events(rows, today, filters):
    groups = {}
    for r in up_to_today(rows, today):
        if not any(keep is None or keep(r) for keep in filters):
            key = period_of(r["time"].date())
            groups[key] = groups.get(key, 0) + 1
    return [(k, n, 0, 0) for k, n in groups.items()]


def future_timestamps(rows, today):
    groups = {}
    for r in rows:
        if r["time"] is not None and r["time"].date() > today:
            key = period_of(r["time"].date())
            groups[key] = groups.get(key, 0) + 1
    return [(k, n, 0, 0) for k, n in groups.items()]


def gaps(rows, today):
    start = EFFECTIVE[0]
    end = min(EFFECTIVE[1], today)
    days = set(daily_counts(rows, today))
    out = []
    run_start, run_len = None, 0
    day = start
    while day <= end:
        if day in days:
            if run_len:
                out.append((run_start, run_len, 0, 0))
            run_start, run_len = None, 0
        else:
            if not run_len:
                run_start = day
            run_len += 1
        day += timedelta(days=1)
    if run_len:
        out.append((run_start, run_len, 0, 0))
    return out


def freshness(rows, today, limit_hours):
    times = [r["time"] for r in up_to_today(rows, today)]
    if not times:
        return []
    latest = max(times)
    age = Fraction(int((end_of(today) - latest).total_seconds()), 3600)
    if age > limit_hours:
        return [(latest.date(), age, 0, limit_hours)]
    return []


def drift_stats(rows, today, k, window):
    """[(day, count, n, mean, sigma, low, high)] for every judged day."""
    counts = daily_counts(rows, today)
    out = []
    for day in sorted(counts):
        before = [counts[day - timedelta(days=j)] for j in range(1, window + 1)
                  if day - timedelta(days=j) in counts]
        if len(before) < 2:
            continue
        n = len(before)
        mean = Fraction(sum(before), n)
        var = sum((Fraction(c) - mean) ** 2 for c in before) / (n - 1)
        sigma = sqrt(var)
        mean_d = Decimal(mean.numerator) / Decimal(mean.denominator)
        with localcontext() as ctx:
            ctx.prec = 40
            low = mean_d - k * sigma
            high = mean_d + k * sigma
        out.append((day, counts[day], n, mean, sigma, low, high))
    return out


def drift(rows, today, k, window):
    return [(day, count, low, high)
            for day, count, _, _, _, low, high in drift_stats(rows, today, k, window)
            if count < low or count > high]


def audit(source, data, today):
    rows = data[source]
    spec = AUDITS[source]
    out = []
    for check in spec["checks"]:
        if check == "null_keys":
            found = null_keys(rows, today)
        elif check == "duplicate_ids":
            found = duplicate_ids(rows, today)
        elif check == "unknown_events":
            found = unknown_events(rows, today, EVENTS[source])
        elif check == "future_timestamps":
            found = future_timestamps(rows, today)
        elif check == "gaps":
            found = gaps(rows, today)
        else:
            raise ValueError(check)
        out += [(source, check) + f for f in found]
    limit = spec["freshness"] if spec["freshness"] is not None else SOURCES[source][5]
    if limit is not None:
        out += [(source, "freshness") + f for f in freshness(rows, today, limit)]
    if spec["drift"] is not None:
        k, window = spec["drift"]
        out += [(source, "drift") + f for f in drift(rows, today, k, window)]
    return out


def all_rows(data, today):
    result = []
    for source in AUDITS:
        result += audit(source, data, today)
    # source, check, then period_start with the empty one first
    result.sort(key=lambda r: (r[0], r[1], r[2] is not None, r[2] or date.min))
    return result


# ---------------------------------------------------------------------------
# Output


def fmt(x):
    """Whole numbers as integers; others to 15 significant digits."""
    if isinstance(x, int):
        return str(x)
    if isinstance(x, Fraction):
        if x.denominator == 1:
            return str(x.numerator)
        with localcontext() as ctx:
            ctx.prec = 15
            x = Decimal(x.numerator) / Decimal(x.denominator)
    if x == x.to_integral_value():
        return str(int(x))
    with localcontext() as ctx:
        ctx.prec = 15
        text = format(+x, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def render(rows):
    lines = ["source,check_name,period_start,offending,expected_low,expected_high"]
    for source, check, start, offending, low, high in rows:
        lines.append(",".join([source, check, start.isoformat() if start else "",
                               fmt(offending), fmt(low), fmt(high)]))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# Self-test: the hand computations of README.md

HAND = [
    # (source, check, period_start or None, offending, low, high)
    ("ledger", "freshness", date(2026, 4, 3), 108, 0, 48),
    ("ledger", "gaps", date(2026, 3, 26), 2, 0, 0),
    ("ledger", "gaps", date(2026, 3, 30), 3, 0, 0),
    ("ledger", "gaps", date(2026, 4, 4), 4, 0, 0),
    ("ledger", "null_keys", None, 2, 0, 0),
    ("ledger", "null_keys", date(2026, 3, 1), 1, 0, 0),
    ("ledger", "null_keys", date(2026, 4, 1), 1, 0, 0),
    ("web_events", "drift", date(2026, 4, 2), 5, 0, 4),
    ("web_events", "duplicate_ids", date(2026, 4, 1), 1, 0, 0),
    ("web_events", "freshness", date(2026, 4, 7), Fraction(29, 2), 0, 12),
    ("web_events", "future_timestamps", date(2026, 4, 1), 2, 0, 0),
    ("web_events", "gaps", date(2026, 3, 20), 2, 0, 0),
    ("web_events", "null_keys", None, 1, 0, 0),
    ("web_events", "unknown_events", date(2026, 3, 1), 2, 0, 0),
]

# Drift windows worked out in README.md: (source, day) -> (count, days in
# the window, mean, variance).
HAND_DRIFT = {
    ("web_events", date(2026, 3, 24)): (2, 2, Fraction(2), Fraction(2)),
    ("web_events", date(2026, 3, 25)): (2, 3, Fraction(2), Fraction(1)),
    ("web_events", date(2026, 3, 30)): (1, 7, Fraction(16, 7), Fraction(4, 7)),
    ("web_events", date(2026, 4, 2)): (5, 7, Fraction(2), Fraction(1)),
    ("web_events", date(2026, 4, 3)): (2, 7, Fraction(16, 7), Fraction(47, 21)),
    ("app_events", date(2026, 4, 7)): (1, 18, Fraction(3, 2), Fraction(9, 34)),
}


def self_test(data, today):
    ok = True
    got = all_rows(data, today)
    want = HAND
    for row in want:
        good = any(g[:3] == row[:3] and all(Fraction(exact(a)) == Fraction(b) for a, b in zip(g[3:], row[3:]))
                   for g in got)
        ok &= good
        print("%-4s %s %s %s: want %s" % ("ok" if good else "FAIL", row[0], row[1], row[2] or "(none)",
                                          "/".join(fmt(x) for x in row[3:])))
    extra = [g for g in got if not any(g[:3] == row[:3] for row in want)]
    good = not extra
    ok &= good
    print("%-4s no other finding (app_events: none)%s" % ("ok" if good else "FAIL",
                                                         "" if good else ": %s" % extra))
    for (source, day), (count, n, mean, var) in sorted(HAND_DRIFT.items()):
        k, window = AUDITS[source]["drift"]
        stats = {s[0]: s for s in drift_stats(data[source], today, k, window)}
        s = stats.get(day)
        good = s is not None and s[1] == count and s[2] == n and s[3] == mean and \
            abs(s[4] - sqrt(var)) < Decimal("1e-30")
        ok &= good
        print("%-4s drift %s %s: count %s, %s days, mean %s, variance %s" % (
            "ok" if good else "FAIL", source, day, count, n, mean, var))
    return ok


def main(argv):
    data = load()
    today = load_as_of()
    if "--self-test" in argv:
        return 0 if self_test(data, today) else 1
    text = render(all_rows(data, today))
    if "--write" in argv:
        with open(os.path.join(HERE, "expected.csv"), "w", newline="") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
