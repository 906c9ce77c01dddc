#!/usr/bin/env python3
"""Compute expected.csv for the cohort metric fixtures, without SQL.

Plain-Python reading of the rules for cohort metrics (docs/language.md:
"Function vocabulary", "Cohorts and maturity"), as listed in README.md. The
sources, events, segments and metrics below must match agreement.pactum in
this folder; they are written out by hand here rather than read from the
agreement, so that this program does not share code with the compiler.

Usage:
    python3 compute_expected.py              # print expected.csv to stdout
    python3 compute_expected.py --write      # write expected.csv next to this file
    python3 compute_expected.py --self-test  # check the hand computations of README.md

Values are exact fractions (0 to 1); whole values are written as integers,
others rounded to 15 significant digits, without exponent.
"""

import csv
import os
import sys
from datetime import datetime
from decimal import Decimal, localcontext
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------------------
# Data: sources, events, segments (as declared in agreement.pactum)

# source name -> (file, customer column, time column, [other columns])
SOURCES = {
    "trials": ("trials.csv", "customer_id", "started_at", ["trial_id", "source"]),
    "orders": ("orders.csv", "customer_id", "ordered_at",
               ["order_id", "amount", "order_type", "plan"]),
    "usage": ("usage.csv", "customer_id", "used_at", ["usage_id", "feature"]),
    "accounts": ("accounts.csv", "account_id", "updated_at", ["region"]),
}

# event name -> (source, row filter or None, stage)
EVENTS = {
    "trial": ("trials", None, "consideration"),
    "purchase": ("orders", lambda r: r["order_type"] == "new", "conversion"),
    # A NULL order_type is None here, which is in neither list.
    "expansion": ("orders", lambda r: r["order_type"] in ("upsell", "cross_sell"), "expansion"),
}

# segment name -> (source, column)
SEGMENTS = {
    "region": ("accounts", "region"),
    "plan": ("orders", "plan"),
}

# ---------------------------------------------------------------------------
# Metrics (as declared in agreement.pactum). Durations in days.
#
#   ("conversion", A, B, D)       conversion_rate(A, B, within D days)
#   ("upsell", E, X, D)           upsell_rate(E, X, within D days)
#   ("after", E, N, S)            retention(E, after N days, activity S)
#   ("bracket", E, A, B, S)       retention(E, from A days to B days, activity S)

METRICS = [
    dict(name="trial_to_paid", value=("conversion", "trial", "purchase", 30), by=["region"]),
    dict(name="upsell", value=("upsell", "purchase", "expansion", 60), by=["plan"]),
    dict(name="retention_30d", value=("after", "purchase", 30, "usage"), by=["region"]),
    dict(name="early_retention", value=("bracket", "purchase", 7, 14, "usage"), by=[]),
]

# ---------------------------------------------------------------------------
# Loading


def parse_time(text):
    # Timestamps carry no zone; the agreement's zone is UTC.
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")


def load():
    """source name -> list of rows {"customer", "time", column: value}."""
    data = {}
    for name, (file, cust, time, columns) in SOURCES.items():
        rows = []
        with open(os.path.join(HERE, file), newline="") as f:
            for raw in csv.DictReader(f):
                row = {"customer": raw[cust], "time": parse_time(raw[time])}
                for col in columns:
                    row[col] = raw[col] if raw[col] != "" else None  # empty = NULL
                rows.append(row)
        data[name] = rows
    return data


def rows_of(name, data):
    """Rows of an event (after its filter) or of a source."""
    if name in SOURCES:
        return list(data[name])
    source, keep, _ = EVENTS[name]
    return [r for r in data[source] if keep is None or keep(r)]


def days(later, earlier):
    """Calendar days from the date of `earlier` to the date of `later`."""
    return (later.date() - earlier.date()).days


# ---------------------------------------------------------------------------
# Cohort rows


def first_rows(event, data):
    """customer -> the customer's earliest row of `event`."""
    first = {}
    for r in rows_of(event, data):
        c = r["customer"]
        if c not in first or r["time"] < first[c]["time"]:
            first[c] = r
    return first


def segment_value(seg, customer, at, data):
    """The customer's latest value of the segment's column at or before `at`
    (ties on time: the greatest value as text; no row: NULL)."""
    source, col = SEGMENTS[seg]
    rows = [r for r in data[source] if r["customer"] == customer and r["time"] <= at]
    if not rows:
        return None
    latest = max(r["time"] for r in rows)
    values = [r[col] for r in rows if r["time"] == latest]
    if len(values) > 1 and None in values:
        raise ValueError("tie with a NULL value: not covered by the rules")
    return max(values)


def cohort(metric, data):
    """[(customer, first time, mature, success)] for one metric."""
    spec = metric["value"]
    kind, event = spec[0], spec[1]
    other = spec[-1] if kind in ("after", "bracket") else spec[2]
    other_rows = rows_of(other, data)
    # The data's last day: the latest date among the other event's (or the
    # activity source's) rows.
    as_of = max(r["time"] for r in other_rows).date()
    out = []
    for customer, first in sorted(first_rows(event, data).items()):
        t0 = first["time"]
        age = (as_of - t0.date()).days
        mine = [r for r in other_rows if r["customer"] == customer]
        if kind == "conversion":
            d = spec[3]
            mature = age >= d
            success = any(r["time"] >= t0 and days(r["time"], t0) <= d for r in mine)
        elif kind == "upsell":
            d = spec[3]
            mature = age >= d
            success = any(r["time"] > t0 and days(r["time"], t0) <= d for r in mine)
        elif kind == "after":
            n = spec[2]
            mature = age >= n
            success = any(days(r["time"], t0) >= n for r in mine)
        else:
            a, b = spec[2], spec[3]
            mature = age >= b - 1
            success = any(a <= days(r["time"], t0) < b for r in mine)
        out.append((customer, t0, mature, success))
    return out


def compute_metric(metric, data):
    """{(period, segment, segment value): (value, customers)}."""
    groups = {}
    for customer, t0, mature, success in cohort(metric, data):
        if not mature:
            continue
        period = "%04d-%02d-01" % (t0.year, t0.month)
        keys = [(period, "all", None)]
        keys += [(period, seg, segment_value(seg, customer, t0, data)) for seg in metric["by"]]
        for key in keys:
            groups.setdefault(key, []).append(success)
    return {
        key: (Fraction(sum(1 for s in flags if s), len(flags)), len(flags))
        for key, flags in groups.items()
    }


# ---------------------------------------------------------------------------
# Output


def fmt(x):
    """Whole numbers as integers; others to 15 significant digits."""
    if x.denominator == 1:
        return str(x.numerator)
    with localcontext() as ctx:
        ctx.prec = 15
        d = Decimal(x.numerator) / Decimal(x.denominator)
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def all_rows(data):
    result = []
    for metric in METRICS:
        for (period, seg, segval), (value, customers) in compute_metric(metric, data).items():
            result.append((metric["name"], period, seg, segval, value, customers))
    # NULL segment values first, then byte order.
    result.sort(key=lambda r: (r[0], r[1], r[2], r[3] is not None, (r[3] or "").encode()))
    return result


def render(rows):
    lines = ["metric,period_start,segment,segment_value,value,customers"]
    for name, period, seg, segval, value, customers in rows:
        lines.append(",".join([name, period, seg, segval or "", fmt(value), str(customers)]))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# Self-test: the hand computations of README.md

HAND = [
    # (metric, period, segment, segment value, value, customers); None as the
    # value: the group must not appear.
    ("trial_to_paid", "2026-01-01", "all", None, Fraction(4, 7), 7),
    ("trial_to_paid", "2026-01-01", "region", None, Fraction(1), 1),
    ("trial_to_paid", "2026-01-01", "region", "APAC", Fraction(1, 2), 2),
    ("trial_to_paid", "2026-01-01", "region", "EU", Fraction(0), 1),
    ("trial_to_paid", "2026-01-01", "region", "US", Fraction(2, 3), 3),
    ("trial_to_paid", "2026-03-01", "all", None, Fraction(1, 3), 3),
    ("trial_to_paid", "2026-04-01", "all", None, None, 0),
    ("upsell", "2026-02-01", "all", None, Fraction(1, 2), 6),
    ("upsell", "2026-02-01", "plan", None, Fraction(0), 1),
    ("upsell", "2026-02-01", "plan", "basic", Fraction(2, 3), 3),
    ("upsell", "2026-02-01", "plan", "pro", Fraction(1, 2), 2),
    ("upsell", "2026-03-01", "all", None, None, 0),
    ("upsell", "2026-04-01", "all", None, None, 0),
    ("early_retention", "2026-04-01", "all", None, Fraction(3, 4), 4),
    ("retention_30d", "2026-04-01", "all", None, None, 0),
]


def self_test(data):
    got = {(r[0], r[1], r[2], r[3]): (r[4], r[5]) for r in all_rows(data)}
    ok = True
    for name, period, seg, segval, value, customers in HAND:
        have = got.get((name, period, seg, segval))
        want = None if value is None else (value, customers)
        good = have == want
        ok &= good
        print("%-4s %s %s %s=%s: want %s, got %s" % (
            "ok" if good else "FAIL", name, period, seg, segval,
            want and "%s/%s" % (fmt(want[0]), want[1]) or "no row",
            have and "%s/%s" % (fmt(have[0]), have[1]) or "no row"))
    return ok


def main(argv):
    data = load()
    if "--self-test" in argv:
        return 0 if self_test(data) else 1
    text = render(all_rows(data))
    if "--write" in argv:
        with open(os.path.join(HERE, "expected.csv"), "w", newline="") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
