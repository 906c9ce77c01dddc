#!/usr/bin/env python3
"""Compute expected.csv for the churn and lifetime value fixtures, without SQL.

Plain-Python reading of the rules for `churn(S, per month)` and
`clv(P, activity S, per month)` (docs/language.md: "Function vocabulary"),
as listed in README.md. The sources, segments and metrics below must match
agreement.pactum in this folder; they are written out by hand here rather
than read from the agreement, so that this program does not share code with
the compiler.

Usage:
    python3 compute_expected.py              # print expected.csv to stdout
    python3 compute_expected.py --write      # write expected.csv next to this file
    python3 compute_expected.py --self-test  # check the hand computations of README.md

Values are exact fractions (churn rates from 0 to 1, lifetime values in
money); whole values are written as integers, others rounded to 15
significant digits, without exponent. An empty value is NULL.
"""

import csv
import os
import sys
from datetime import date, datetime, timedelta
from decimal import Decimal, localcontext
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------------------
# Data: sources and segments (as declared in agreement.pactum)

# source name -> (file, customer column, time column, {other column: type})
SOURCES = {
    "subscriptions": ("subscriptions.csv", "account_id", "month_start",
                      {"mrr": "money", "status": "text"}),
    "orders": ("orders.csv", "customer_id", "ordered_at",
               {"order_id": "text", "amount": "money", "plan": "text"}),
    "accounts": ("accounts.csv", "account_id", "updated_at", {"region": "text"}),
}

# segment name -> (source, column)
SEGMENTS = {
    "region": ("accounts", "region"),
}

# ---------------------------------------------------------------------------
# Metrics (as declared in agreement.pactum). Periods are calendar months.
#
#   ("churn", S)          churn(S, per month)
#   ("clv", P, C, S)      clv(P.C, activity S, per month)
#
# `where` is the metric's condition as (source, row test): only conditions on
# the rows' own source are used here, and they filter that source's rows
# wherever the metric reads them.

METRICS = [
    dict(name="churn_rate", value=("churn", "subscriptions"), by=["region"], where=None),
    dict(name="active_churn", value=("churn", "subscriptions"), by=[],
         # A NULL status is None: it is not "active".
         where=("subscriptions", lambda r: r["status"] == "active")),
    dict(name="clv_simple", value=("clv", "orders", "amount", "subscriptions"), by=[],
         where=None),
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
                for col, ty in columns.items():
                    text = raw[col]
                    if text == "":
                        row[col] = None  # empty field = NULL
                    elif ty == "money":
                        row[col] = Fraction(Decimal(text))  # exact
                    else:
                        row[col] = text
                rows.append(row)
        data[name] = rows
    return data


def rows_of(source, metric, data):
    """The rows of `source` the metric reads, after its `where`."""
    rows = list(data[source])
    where = metric["where"]
    if where is not None:
        on, keep = where
        if on != source:
            raise ValueError("conditions on another source are not covered here")
        rows = [r for r in rows if keep(r)]
    return rows


# ---------------------------------------------------------------------------
# Calendar months


def month_of(t):
    return (t.year, t.month)


def next_month(m):
    y, mo = m
    return (y + 1, 1) if mo == 12 else (y, mo + 1)


def first_day(m):
    return date(m[0], m[1], 1)


def last_day(m):
    return first_day(next_month(m)) - timedelta(days=1)


def period_text(m):
    return "%04d-%02d-01" % m


# ---------------------------------------------------------------------------
# Segments


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


def row_segment(seg, source, row, data):
    """Segment value of a row of `source`: its own column when the segment is
    on that source, else the customer's latest value at or before the row."""
    seg_source, col = SEGMENTS[seg]
    if seg_source == source:
        return row[col]
    return segment_value(seg, row["customer"], row["time"], data)


# ---------------------------------------------------------------------------
# Churn rows


def churn_rows(activity, metric, data):
    """[(customer, month, churned)]: one row per customer active in month
    m - 1 whose month m is complete; churned when not active in month m."""
    rows = rows_of(activity, metric, data)
    if not rows:
        return []
    # The data's last day: the latest date among the activity rows (after the
    # metric's filter).
    as_of = max(r["time"] for r in rows).date()
    active = {}
    for r in rows:
        active.setdefault(r["customer"], set()).add(month_of(r["time"]))
    out = []
    for customer in sorted(active):
        for previous in sorted(active[customer]):
            m = next_month(previous)
            if last_day(m) <= as_of:
                out.append((customer, m, m not in active[customer]))
    return out


def churn_keys(metric, customer, m, data):
    """The groups of a churn row: `all`, and each segment's value as of the
    first second of month m."""
    period = period_text(m)
    at = datetime(m[0], m[1], 1, 0, 0, 0)
    return [(period, "all", None)] + [
        (period, seg, segment_value(seg, customer, at, data)) for seg in metric["by"]
    ]


# ---------------------------------------------------------------------------
# Metrics


def compute_churn(metric, data):
    """{(period, segment, segment value): (value, customers)}."""
    _, activity = metric["value"]
    groups = {}
    for customer, m, churned in churn_rows(activity, metric, data):
        for key in churn_keys(metric, customer, m, data):
            groups.setdefault(key, []).append((customer, churned))
    out = {}
    for key, rows in groups.items():
        churned = sum(1 for _, c in rows if c)
        out[key] = (Fraction(churned, len(rows)), len({c for c, _ in rows}))
    return out


def compute_clv(metric, data):
    """{(period, segment, segment value): (value or None, customers)}."""
    _, source, column, activity = metric["value"]
    # group -> {"amounts": [...], "payers": set, "churn": [(customer, churned)]}
    groups = {}

    def group(key):
        return groups.setdefault(key, {"amounts": [], "payers": set(), "churn": []})

    for r in rows_of(source, metric, data):
        period = period_text(month_of(r["time"]))
        keys = [(period, "all", None)] + [
            (period, seg, row_segment(seg, source, r, data)) for seg in metric["by"]
        ]
        for key in keys:
            g = group(key)
            g["amounts"].append(r[column])
            g["payers"].add(r["customer"])
    for customer, m, churned in churn_rows(activity, metric, data):
        for key in churn_keys(metric, customer, m, data):
            group(key)["churn"].append((customer, churned))

    out = {}
    for key, g in groups.items():
        amounts = [a for a in g["amounts"] if a is not None]
        if g["amounts"] and not amounts:
            raise ValueError("a group whose amounts are all NULL: not covered by the rules")
        churned = sum(1 for _, c in g["churn"] if c)
        if not g["payers"] or not g["churn"] or churned == 0:
            value = None  # division by zero
        else:
            arpu = Fraction(sum(amounts)) / len(g["payers"])
            rate = Fraction(churned, len(g["churn"]))
            value = arpu / rate
        customers = g["payers"] | {c for c, _ in g["churn"]}
        out[key] = (value, len(customers))
    return out


def compute_metric(metric, data):
    kind = metric["value"][0]
    return compute_churn(metric, data) if kind == "churn" else compute_clv(metric, data)


# ---------------------------------------------------------------------------
# Output


def fmt(x):
    """NULL as empty; whole numbers as integers; others to 15 significant digits."""
    if x is None:
        return ""
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

NO_ROW = "no row"
NULL = "NULL"

HAND = [
    # (metric, period, segment, segment value, value, customers); NULL as the
    # value: an empty value; NO_ROW: the group must not appear.
    ("churn_rate", "2026-01-01", "all", None, NO_ROW, 0),
    ("churn_rate", "2026-02-01", "all", None, Fraction(4, 16), 16),
    ("churn_rate", "2026-02-01", "region", None, Fraction(0), 2),
    ("churn_rate", "2026-02-01", "region", "APAC", Fraction(1, 4), 4),
    ("churn_rate", "2026-02-01", "region", "EU", Fraction(2, 4), 4),
    ("churn_rate", "2026-02-01", "region", "US", Fraction(1, 6), 6),
    ("churn_rate", "2026-03-01", "all", None, Fraction(0), 14),
    ("churn_rate", "2026-03-01", "region", None, Fraction(0), 1),
    ("churn_rate", "2026-03-01", "region", "APAC", Fraction(0), 4),
    ("churn_rate", "2026-03-01", "region", "EU", Fraction(0), 5),
    ("churn_rate", "2026-03-01", "region", "US", Fraction(0), 4),
    ("churn_rate", "2026-04-01", "all", None, Fraction(5, 16), 16),
    ("churn_rate", "2026-04-01", "region", None, Fraction(1), 1),
    ("churn_rate", "2026-04-01", "region", "APAC", Fraction(1, 5), 5),
    ("churn_rate", "2026-04-01", "region", "EU", Fraction(2, 6), 6),
    ("churn_rate", "2026-04-01", "region", "US", Fraction(1, 4), 4),
    ("churn_rate", "2026-05-01", "all", None, NO_ROW, 0),
    ("active_churn", "2026-01-01", "all", None, NO_ROW, 0),
    ("active_churn", "2026-02-01", "all", None, Fraction(5, 15), 15),
    ("active_churn", "2026-03-01", "all", None, Fraction(1, 13), 13),
    ("active_churn", "2026-04-01", "all", None, Fraction(6, 15), 15),
    ("active_churn", "2026-05-01", "all", None, NO_ROW, 0),
    ("clv_simple", "2026-01-01", "all", None, NULL, 3),
    ("clv_simple", "2026-02-01", "all", None, Fraction(255, 5) / Fraction(4, 16), 18),
    ("clv_simple", "2026-03-01", "all", None, NULL, 15),
    ("clv_simple", "2026-04-01", "all", None, NULL, 16),
    ("clv_simple", "2026-05-01", "all", None, NULL, 3),
]


def self_test(data):
    rows = all_rows(data)
    got = {(r[0], r[1], r[2], r[3]): (r[4], r[5]) for r in rows}
    ok = True
    for name, period, seg, segval, value, customers in HAND:
        have = got.get((name, period, seg, segval))
        if value is NO_ROW:
            want = None
        elif value is NULL:
            want = (None, customers)
        else:
            want = (value, customers)
        good = have == want
        ok &= good

        def show(x):
            return "no row" if x is None else "%s/%s" % (fmt(x[0]) or "NULL", x[1])

        print("%-4s %s %s %s=%s: want %s, got %s" % (
            "ok" if good else "FAIL", name, period, seg, segval, show(want), show(have)))
    # Every row of the clv and active_churn metrics is in the list above.
    listed = {(h[0], h[1], h[2], h[3]) for h in HAND if h[4] is not NO_ROW}
    for r in rows:
        if (r[0], r[1], r[2], r[3]) not in listed:
            print("FAIL %s %s %s=%s: not computed by hand" % r[:4])
            ok = False
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
