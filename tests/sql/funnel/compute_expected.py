#!/usr/bin/env python3
"""Compute expected_funnel.csv and expected_cohorts.csv, without SQL.

Plain-Python reading of the `funnel` and `cohorts_<metric>` queries of
docs/scorecard.md (sections "`funnel`" and "`cohorts_<metric>`"), as listed
in README.md ("Rules implemented", "Readings"). The sources, events, parties,
attribution and metric below must match agreement.pactum in this folder;
they are written out by hand here rather than read from the agreement, so
that this program does not share code with the compiler.

Usage:
    python3 compute_expected.py              # print both files to stdout
    python3 compute_expected.py --write      # write both files next to this file
    python3 compute_expected.py --self-test  # check the hand computations of README.md

Rates are exact fractions (0 to 1); whole values are written as integers,
others rounded to 15 significant digits, without exponent.
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

JOURNEY = ["awareness", "consideration", "conversion", "expansion"]

# source name -> (file, customer column, time column, id column, [other columns])
SOURCES = {
    "touches": ("touches.csv", "customer_id", "touched_at", "touch_id",
                ["partner_id", "channel", "event_name"]),
    "orders": ("orders.csv", "customer_id", "ordered_at", "order_id", ["amount", "order_type"]),
    "usage": ("usage.csv", "customer_id", "used_at", "usage_id", ["feature"]),
}

# event name -> (source, row filter or None, stage). A NULL column is None
# here and equals no string, as in SQL.
EVENTS = {
    "content_view": ("touches", lambda r: r["event_name"] == "content_view", "awareness"),
    "webinar": ("touches", lambda r: r["event_name"] == "webinar", "consideration"),
    "purchase": ("orders", lambda r: r["order_type"] == "new", "conversion"),
    "upsell": ("orders", lambda r: r["order_type"] == "upsell", "expansion"),
}

# `identified by partner_id ...` of each party: code -> party
PARTY_OF_CODE = {"alp": "alpha", "xalp": "alpha", "bet": "beta"}

# The first (only) attribution: its touch sources and credit / channel columns.
ATTRIBUTION = dict(touches=["touches"], credit="partner_id", channel="channel")

# Metrics whose value is a retention(E, ..., activity S) call: name -> (E, S).
RETENTION_METRICS = {"retention_30d": ("purchase", "usage")}

# ---------------------------------------------------------------------------
# Loading


def parse_time(text):
    # Timestamps carry no zone; the agreement's zone is UTC.
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")


def load():
    """source name -> rows {"customer", "time", "id", column: value}, with
    None for an empty field (NULL)."""
    data = {}
    for name, (file, cust, time, ident, columns) in SOURCES.items():
        rows = []
        with open(os.path.join(HERE, file), newline="") as f:
            for raw in csv.DictReader(f):
                row = {"customer": raw[cust], "time": parse_time(raw[time]), "id": raw[ident] or None}
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
    return date(day.year, day.month, 1)


def next_period(start):
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def up_to(rows, today):
    """Rows up to the end of `today` (later rows are ignored)."""
    return [r for r in rows if r["time"].date() <= today]


def event_rows(event, data, today):
    source, keep, _ = EVENTS[event]
    return [r for r in up_to(data[source], today) if keep is None or keep(r)]


# ---------------------------------------------------------------------------
# Funnel


def partner_of(code):
    """A code's party, or the code itself when no party is identified by it."""
    if code is None:
        raise ValueError("touch without partner code: not covered by the rules")
    return PARTY_OF_CODE.get(code, code)


def first_partners(data, today):
    """customer -> partner of their first touch (up to today)."""
    touches = {}
    for source in ATTRIBUTION["touches"]:
        for r in up_to(data[source], today):
            touches.setdefault(r["customer"], []).append(r)

    def order(r):
        partner = partner_of(r[ATTRIBUTION["credit"]])
        channel = r[ATTRIBUTION["channel"]]
        # time; id as text, missing ids last; partner; channel (missing last)
        return (r["time"], r["id"] is None, (r["id"] or "").encode(), partner.encode(),
                channel is None, (channel or "").encode())

    return {c: partner_of(min(rows, key=order)[ATTRIBUTION["credit"]])
            for c, rows in touches.items()}


def funnel_customers(data, today):
    """customer -> (entry time, set of stages reached), up to today."""
    out = {}
    for event, (_, _, stage) in EVENTS.items():
        if stage is None:
            continue
        for r in event_rows(event, data, today):
            entry, stages = out.get(r["customer"], (r["time"], set()))
            out[r["customer"]] = (min(entry, r["time"]), stages | {stage})
    return out


def funnel(data, today):
    customers = funnel_customers(data, today)
    partners = first_partners(data, today)
    groups = {}  # (period, segment, value) -> [customer]
    for c, (entry, _) in customers.items():
        period = period_of(entry.date())
        groups.setdefault((period, "all", None), []).append(c)
        groups.setdefault((period, "partner", partners.get(c, "unattributed")), []).append(c)
    rows = []
    for (period, segment, value), members in groups.items():
        for i, stage in enumerate(JOURNEY):
            reached = [c for c in members if stage in customers[c][1]]
            if i + 1 < len(JOURNEY):
                nxt = JOURNEY[i + 1]
                both = [c for c in reached if nxt in customers[c][1]]
                progression = Fraction(len(both), len(reached)) if reached else None
                rows.append((period, segment, value, stage, i + 1, len(reached), nxt, len(both), progression))
            else:
                rows.append((period, segment, value, stage, i + 1, len(reached), None, None, None))
    rows.sort(key=lambda r: (r[0], r[1], r[2] is not None, (r[2] or "").encode(), r[4]))
    return rows


# ---------------------------------------------------------------------------
# Retention matrix


def cohorts(metric, data, today):
    event, activity = RETENTION_METRICS[metric]
    first = {}
    for r in event_rows(event, data, today):
        if r["customer"] not in first or r["time"] < first[r["customer"]]:
            first[r["customer"]] = r["time"]
    activity_rows = up_to(data[activity], today)
    today_period = period_of(today)

    # The data keeps the readings of "for every period in which some customer
    # entered a cohort or some activity happened" equal (README, "Readings"):
    # every period from the first cohort to today's has an entrant and some
    # activity, and no activity comes before the first cohort's period.
    entry_periods = {period_of(t.date()) for t in first.values()}
    activity_periods = {period_of(r["time"].date()) for r in activity_rows}
    p = min(entry_periods)
    while p <= today_period:
        assert p in entry_periods and p in activity_periods, p
        p = next_period(p)
    assert min(activity_periods) >= min(entry_periods)

    members = {}
    for c, t in first.items():
        members.setdefault(period_of(t.date()), []).append(c)
    rows = []
    for start in sorted(members):
        cohort = members[start]
        period, offset = start, 0
        while period <= today_period:
            end = next_period(period)  # first day after the period
            mature = end <= today + timedelta(days=1)
            if mature:
                active = [c for c in cohort if any(
                    r["customer"] == c and period <= r["time"].date() < end and r["time"] >= first[c]
                    for r in activity_rows)]
                rows.append((start, offset, period, len(cohort), len(active),
                             Fraction(len(active), len(cohort)), "mature"))
            else:
                rows.append((start, offset, period, len(cohort), None, None, "immature"))
            period, offset = end, offset + 1
    return rows


# ---------------------------------------------------------------------------
# Output


def fmt(x):
    """Empty for None; whole numbers as integers; others to 15 significant digits."""
    if x is None:
        return ""
    if isinstance(x, date):
        return x.isoformat()
    if isinstance(x, str):
        return x
    if isinstance(x, int):
        return str(x)
    if x.denominator == 1:
        return str(x.numerator)
    with localcontext() as ctx:
        ctx.prec = 15
        d = Decimal(x.numerator) / Decimal(x.denominator)
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def render(header, rows):
    return "\n".join([header] + [",".join(fmt(x) for x in row) for row in rows]) + "\n"


FUNNEL_HEADER = "period_start,segment,segment_value,stage,stage_number,customers,next_stage,reached_next,progression"
COHORTS_HEADER = "cohort_start,period_offset,period_start,cohort_customers,active_customers,retention,status"


def outputs(data, today):
    return {
        "expected_funnel.csv": render(FUNNEL_HEADER, funnel(data, today)),
        "expected_cohorts.csv": render(COHORTS_HEADER, cohorts("retention_30d", data, today)),
    }


# ---------------------------------------------------------------------------
# Self-test: the hand computations of README.md

J, F, M, A = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)

HAND_CUSTOMERS = {
    # customer: (entry period, partner, stages reached as a string of
    # a = awareness, c = consideration, v = conversion, e = expansion)
    "c01": (J, "alpha", "acve"),
    "c02": (J, "beta", "av"),
    "c03": (J, "unattributed", "v"),
    "c04": (J, "beta", "ac"),
    "c16": (J, "alpha", "a"),
    "c17": (J, "unattributed", "v"),
    "c05": (F, "q7", "ac"),
    "c06": (F, "alpha", "ve"),
    "c07": (F, "beta", "av"),
    "c08": (F, "alpha", "av"),
    "c18": (F, "q7", "cv"),
    "c09": (M, "beta", "acv"),
    "c10": (M, "alpha", "ave"),
    "c11": (M, "beta", "ce"),
    "c12": (M, "unattributed", "v"),
    "c14": (A, "beta", "acv"),
    "c15": (A, "unattributed", "v"),
    "c20": (A, "unattributed", "v"),
}

HAND_FUNNEL = [
    # (period, segment, value, stage number, customers, reached_next, progression)
    (J, "all", None, 1, 4, 2, Fraction(1, 2)),
    (J, "all", None, 2, 2, 1, Fraction(1, 2)),
    (J, "all", None, 3, 4, 1, Fraction(1, 4)),
    (J, "all", None, 4, 1, None, None),
    (J, "partner", "beta", 1, 2, 1, Fraction(1, 2)),
    (J, "partner", "beta", 4, 0, None, None),
    (J, "partner", "unattributed", 1, 0, 0, None),
    (J, "partner", "unattributed", 3, 2, 0, Fraction(0)),
    (F, "all", None, 1, 3, 1, Fraction(1, 3)),
    (F, "all", None, 3, 4, 1, Fraction(1, 4)),
    (F, "partner", "alpha", 2, 0, 0, None),
    (F, "partner", "q7", 2, 2, 1, Fraction(1, 2)),
    (M, "all", None, 2, 2, 1, Fraction(1, 2)),
    (M, "all", None, 3, 3, 1, Fraction(1, 3)),
    (M, "all", None, 4, 2, None, None),
    (A, "all", None, 2, 1, 1, Fraction(1)),
    (A, "partner", "unattributed", 3, 2, 0, Fraction(0)),
]

HAND_COHORTS = [
    # (cohort, offset, customers, active or None, status)
    (J, 0, 4, 1, "mature"),
    (J, 1, 4, 3, "mature"),
    (J, 2, 4, 2, "mature"),
    (J, 3, 4, None, "immature"),
    (F, 0, 3, 2, "mature"),
    (F, 1, 3, 1, "mature"),
    (F, 2, 3, None, "immature"),
    (M, 0, 4, 3, "mature"),
    (M, 1, 4, None, "immature"),
    (A, 0, 3, None, "immature"),
]


def self_test(data, today):
    ok = True

    def say(good, text):
        nonlocal ok
        ok &= good
        print("%-4s %s" % ("ok" if good else "FAIL", text))

    customers = funnel_customers(data, today)
    partners = first_partners(data, today)
    letters = dict(awareness="a", consideration="c", conversion="v", expansion="e")
    say(set(customers) == set(HAND_CUSTOMERS),
        "funnel customers: %s (c13 and c19 left out)" % " ".join(sorted(HAND_CUSTOMERS)))
    for c, (period, partner, stages) in sorted(HAND_CUSTOMERS.items()):
        if c not in customers:
            continue
        entry, reached = customers[c]
        have = (period_of(entry.date()), partners.get(c, "unattributed"),
                "".join(letters[s] for s in JOURNEY if s in reached))
        say(have == (period, partner, stages), "%s: entry %s, partner %s, stages %s (got %s, %s, %s)" % (
            c, period, partner, stages, have[0], have[1], have[2]))

    rows = {(r[0], r[1], r[2], r[4]): r for r in funnel(data, today)}
    for period, segment, value, number, n, nxt, prog in HAND_FUNNEL:
        r = rows.get((period, segment, value, number))
        good = r is not None and (r[5], r[7], r[8]) == (n, nxt, prog)
        say(good, "funnel %s %s %s stage %d: %s, %s, %s" % (
            period, segment, value or "", number, n, fmt(nxt), fmt(prog)))
    say(len(rows) == 60, "funnel has 60 rows (15 groups x 4 stages), got %d" % len(rows))

    got = {(r[0], r[1]): r for r in cohorts("retention_30d", data, today)}
    for cohort, offset, n, active, status in HAND_COHORTS:
        r = got.get((cohort, offset))
        want_ret = None if active is None else Fraction(active, n)
        good = r is not None and (r[3], r[4], r[5], r[6]) == (n, active, want_ret, status)
        say(good, "cohort %s +%d: %s of %s, %s" % (cohort, offset, fmt(active), n, status))
    say(len(got) == len(HAND_COHORTS), "cohort matrix has %d rows, got %d" % (len(HAND_COHORTS), len(got)))
    return ok


def main(argv):
    data = load()
    today = load_as_of()
    if "--self-test" in argv:
        return 0 if self_test(data, today) else 1
    files = outputs(data, today)
    if "--write" in argv:
        for name, text in files.items():
            with open(os.path.join(HERE, name), "w", newline="") as f:
                f.write(text)
    else:
        for name, text in files.items():
            sys.stdout.write("== %s\n%s" % (name, text))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
