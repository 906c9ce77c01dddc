#!/usr/bin/env python3
"""Compute expected.csv for the metric fixtures, without SQL.

Plain-Python reading of the rules for metric queries (docs/language.md:
"Metrics and expressions", "Function vocabulary", "Segments", "Events and
conditions"), as listed in README.md. The sources, events, segments and metrics below must match
agreement.pactum in this folder; they are written out by hand here rather
than read from the agreement, so that this program does not share code with
the compiler.

Usage:
    python3 compute_expected.py              # print expected.csv to stdout
    python3 compute_expected.py --write      # write expected.csv next to this file
    python3 compute_expected.py --self-test  # check the hand computations of README.md

Arithmetic is exact (Fractions), percentiles and NPS included. Whole values are
written as integers, other values rounded to 15 significant digits, without
exponent.
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

# source name -> (file, customer column, time column, {column: type})
SOURCES = {
    "orders": ("orders.csv", "customer_id", "ordered_at",
               {"order_id": "text", "amount": "money", "order_type": "text", "plan": "text"}),
    "usage": ("usage.csv", "customer_id", "used_at",
              {"usage_id": "text", "feature": "text", "seats": "number"}),
    "accounts": ("accounts.csv", "account_id", "updated_at",
                 {"region": "text", "tier": "text"}),
    "surveys": ("surveys.csv", "customer_id", "answered_at",
                {"response_id": "text", "score": "number", "survey": "text"}),
}

# event name -> (source, filter condition on its own source, stage)
EVENTS = {
    "purchase": ("orders", ("cmp", "orders", "order_type", "=", "new"), "conversion"),
    "renewal": ("orders", ("cmp", "orders", "order_type", "=", "renewal"), "expansion"),
    "feature_used": ("usage", ("cmp", "usage", "feature", "!=", "login"), "consideration"),
}

# segment name -> ("column", source, column) or ("stage",)
SEGMENTS = {
    "plan": ("column", "orders", "plan"),
    "region": ("column", "accounts", "region"),
    "journey": ("stage",),
}

# ---------------------------------------------------------------------------
# Metrics (as declared in agreement.pactum)
#
# Expressions: ("call", FUNCTION, X, COLUMN, RANK) where X is a source, an
# event, or ("days_between", A, B) for days_between(first A, first B); COLUMN
# is a column name, "customer" for the customer key, or None for count(X) and
# for days_between; RANK is the percentile (a Fraction) of `percentile`, None
# otherwise; ("num", value); ("+" | "-" | "*" | "/", LEFT, RIGHT).
# Conditions: ("cmp", SOURCE, COLUMN, OP, LITERAL), ("and", A, B),
# ("or", A, B), ("not", A).


def call(fn, x, col=None, rank=None):
    return ("call", fn, x, col, rank)


def days_between(a, b):
    return ("days_between", a, b)


TIME_TO_VALUE = days_between("feature_used", "purchase")


US = ("cmp", "accounts", "region", "=", "US")
PRO = ("cmp", "orders", "plan", "=", "pro")
RENEWAL_TYPE = ("cmp", "orders", "order_type", "=", "renewal")

METRICS = [
    dict(name="new_customers", value=call("count_distinct", "purchase", "customer")),
    dict(name="orders_count", value=call("count", "orders")),
    dict(name="revenue", value=call("sum", "orders", "amount")),
    dict(name="arpu",
         value=("/", call("sum", "orders", "amount"), call("count_distinct", "orders", "customer")),
         by=["plan", "region"]),
    dict(name="avg_order", value=call("avg", "purchase", "amount"), by=["plan"]),
    dict(name="biggest_order", value=call("max", "orders", "amount")),
    dict(name="smallest_order", value=call("min", "orders", "amount")),
    dict(name="active_seats", value=call("sum", "usage", "seats"),
         where=("cmp", "usage", "feature", "=", "dashboard")),
    dict(name="eu_revenue", value=call("sum", "orders", "amount"),
         where=("cmp", "accounts", "region", "=", "EU")),
    dict(name="feature_events", value=call("count", "feature_used"), by=["journey"]),
    dict(name="net_ratio",
         value=("/", ("-", call("sum", "orders", "amount"), call("sum", "purchase", "amount")),
                call("count", "orders"))),
    dict(name="zero_division",
         value=("/", call("count", "renewal"), call("count", "feature_used")),
         by=["plan"]),
    dict(name="stage_orders",
         value=("+", call("count", "purchase"), call("count", "renewal")),
         by=["journey"]),
    dict(name="plans_sold", value=call("count_distinct", "orders", "plan")),
    dict(name="mixed_filter",
         value=("+", call("count", "orders"), call("count", "usage")),
         where=("and", ("or", US, PRO), ("not", RENEWAL_TYPE))),
    dict(name="nps_score", value=call("nps", "surveys", "score"),
         where=("cmp", "surveys", "survey", "=", "nps"), by=["region"]),
    dict(name="median_order", value=call("median", "orders", "amount"), by=["plan"]),
    dict(name="p90_order", value=call("percentile", "orders", "amount", Fraction(90))),
    dict(name="median_seats", value=call("median", "usage", "seats")),
    dict(name="time_to_value", value=call("median", TIME_TO_VALUE), by=["region"]),
    dict(name="time_to_value_p75", value=call("percentile", TIME_TO_VALUE, rank=Fraction(75))),
    dict(name="avg_time_to_value", value=call("avg", TIME_TO_VALUE)),
    dict(name="survey_to_renewal",
         value=call("median", days_between("surveys", "renewal")),
         by=["plan", "region", "journey"]),
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
                    elif ty in ("money", "number"):
                        row[col] = Fraction(text)  # exact decimal
                    else:
                        row[col] = text
                rows.append(row)
        data[name] = rows
    return data


# ---------------------------------------------------------------------------
# Conditions: SQL three-valued logic (True, False, None for unknown)


def compare(value, op, literal):
    if value is None:
        return None  # a NULL matches no comparison, not even !=
    return {
        "=": value == literal,
        "!=": value != literal,
        "<": value < literal,
        "<=": value <= literal,
        ">": value > literal,
        ">=": value >= literal,
    }[op]


def evaluate(cond, row, own_source, data):
    """Truth of `cond` for `row`, a row of `own_source`.

    A comparison on a column of the row's own source applies to the row. A
    comparison on another source holds when the row's customer has at least
    one row of that source satisfying it (never unknown).
    """
    kind = cond[0]
    if kind == "cmp":
        _, source, col, op, literal = cond
        if source == own_source:
            return compare(row[col], op, literal)
        return any(
            compare(other[col], op, literal) is True
            for other in data[source]
            if other["customer"] == row["customer"]
        )
    if kind == "not":
        a = evaluate(cond[1], row, own_source, data)
        return None if a is None else not a
    a = evaluate(cond[1], row, own_source, data)
    b = evaluate(cond[2], row, own_source, data)
    if kind == "and":
        if a is False or b is False:
            return False
        if a is None or b is None:
            return None
        return True
    if kind == "or":
        if a is True or b is True:
            return True
        if a is None or b is None:
            return None
        return False
    raise ValueError(cond)


def rows_of(x, data):
    """(source, stage, rows) of a source or an event; for days_between, the
    per-customer rows (see per_customer_rows)."""
    if isinstance(x, tuple):
        return per_customer_rows(x, data)
    if x in SOURCES:
        return x, None, data[x]
    source, cond, stage = EVENTS[x]
    return source, stage, [r for r in data[source] if evaluate(cond, r, source, data) is True]


def first_times(x, data):
    """customer -> time of the customer's earliest row of event or source x."""
    _, _, rows = rows_of(x, data)
    first = {}
    for r in rows:
        if r["customer"] not in first or r["time"] < first[r["customer"]]:
            first[r["customer"]] = r["time"]
    return first


def per_customer_rows(x, data):
    """days_between(first A, first B): one row per customer with both an A
    and a B row whose first B is not before their first A (timestamps
    compared, so a first B earlier the same day is left out). The row is at
    the time of the first B, with the source and stage of B; "days" holds the
    calendar days from the date of the first A to the date of the first B.
    "per_customer" marks it for segment_value."""
    _, a, b = x
    first_a = first_times(a, data)
    first_b = first_times(b, data)
    b_source, b_stage, _ = rows_of(b, data)
    rows = []
    for customer in sorted(first_a.keys() & first_b.keys()):
        ta, tb = first_a[customer], first_b[customer]
        if tb < ta:
            continue
        rows.append({
            "customer": customer,
            "time": tb,
            "days": Fraction((tb.date() - ta.date()).days),
            "per_customer": True,
        })
    return b_source, b_stage, rows


# ---------------------------------------------------------------------------
# Segments


def segment_value(seg, row, source, stage, data):
    spec = SEGMENTS[seg]
    if spec[0] == "stage":
        if stage is None:
            raise ValueError("segment %s on a source that is not an event" % seg)
        return stage
    _, seg_source, col = spec
    if seg_source == source and not row.get("per_customer"):
        return row[col]  # the row's own value
    # The customer's latest row of the segment's source at or before the
    # row's time; ties on time: the greatest value as text. For a
    # days_between row (at the time of the first B) this holds for B's own
    # source as well: the latest row of that source, B or not.
    candidates = [
        r for r in data[seg_source]
        if r["customer"] == row["customer"] and r["time"] <= row["time"]
    ]
    if not candidates:
        return None
    latest = max(r["time"] for r in candidates)
    values = [r[col] for r in candidates if r["time"] == latest]
    if len(values) > 1 and None in values:
        raise ValueError("tie with a NULL value: not covered by the rules")
    return max(values, key=lambda v: str(v))


def period_of(t):
    return "%04d-%02d-01" % (t.year, t.month)


# ---------------------------------------------------------------------------
# Metric evaluation


def calls_of(expr):
    if expr[0] == "call":
        return [expr]
    if expr[0] == "num":
        return []
    return calls_of(expr[1]) + calls_of(expr[2])


def percentile(values, rank):
    """SQL's percentile_cont: x_floor(h) + (h - floor(h)) * (x_ceil(h) -
    x_floor(h)), h = 1 + (n - 1) * rank / 100, over the values sorted
    ascending (1-based)."""
    xs = sorted(values)
    h = 1 + (len(xs) - 1) * rank / 100
    lo = h.numerator // h.denominator  # floor
    hi = lo if h == lo else lo + 1  # ceiling
    return xs[lo - 1] + (h - lo) * (xs[hi - 1] - xs[lo - 1])


def aggregate(fn, col, rank, rows):
    if fn == "count":
        return Fraction(len(rows))
    values = [r[col] for r in rows]
    values = [v for v in values if v is not None]
    if fn == "count_distinct":
        return Fraction(len(set(values)))
    if fn == "sum":
        return sum(values, Fraction(0))  # no rows, or only NULLs: 0
    if not values:
        return None  # avg, min, max, median, percentile, nps of no non-null value
    if fn == "median":
        return percentile(values, Fraction(50))
    if fn == "percentile":
        return percentile(values, rank)
    if fn == "nps":
        promoters = sum(1 for v in values if v >= 9)
        detractors = sum(1 for v in values if v <= 6)
        return Fraction(100 * (promoters - detractors), len(values))
    if fn == "avg":
        return sum(values, Fraction(0)) / len(values)
    if fn == "min":
        return min(values)
    if fn == "max":
        return max(values)
    raise ValueError(fn)


def arithmetic(expr, results):
    kind = expr[0]
    if kind == "call":
        return results[expr]
    if kind == "num":
        return Fraction(expr[1])
    a = arithmetic(expr[1], results)
    b = arithmetic(expr[2], results)
    if a is None or b is None:
        return None
    if kind == "+":
        return a + b
    if kind == "-":
        return a - b
    if kind == "*":
        return a * b
    if kind == "/":
        return None if b == 0 else a / b  # safe division
    raise ValueError(kind)


def compute_metric(metric, data):
    """{(period, segment, segment_value): (value, customers)}."""
    expr = metric["value"]
    by = metric.get("by", [])
    where = metric.get("where")
    calls = []
    for c in calls_of(expr):
        if c not in calls:
            calls.append(c)

    # group key -> call -> rows read by that call in that group
    groups = {}
    for c in calls:
        _, fn, x, col, rank = c
        if isinstance(x, tuple) and where is not None:
            raise ValueError("where with days_between: not covered by the rules")
        source, stage, rows = rows_of(x, data)
        for row in rows:
            if where is not None and evaluate(where, row, source, data) is not True:
                continue
            period = period_of(row["time"])
            keys = [(period, "all", None)]
            keys += [(period, seg, segment_value(seg, row, source, stage, data)) for seg in by]
            for key in keys:
                groups.setdefault(key, {}).setdefault(c, []).append(row)

    out = {}
    for key, per_call in groups.items():
        results = {
            c: aggregate(c[1], "days" if isinstance(c[2], tuple) else c[3], c[4],
                         per_call.get(c, []))
            for c in calls
        }
        customers = {r["customer"] for rows in per_call.values() for r in rows}
        out[key] = (arithmetic(expr, results), len(customers))
    return out


# ---------------------------------------------------------------------------
# Output


def fmt(x):
    """Whole numbers as integers; others to 15 significant digits."""
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

HAND = [
    # (metric, period, segment, segment value, value, customers)
    ("arpu", "2026-02-01", "region", None, Fraction(210), 1),
    ("arpu", "2026-02-01", "region", "APAC", Fraction("95.25"), 1),
    ("arpu", "2026-02-01", "region", "EU", Fraction(955, 4), 4),
    ("arpu", "2026-02-01", "region", "US", Fraction(420, 3), 3),
    ("arpu", "2026-01-01", "plan", "team", Fraction(0), 1),
    ("avg_order", "2026-01-01", "plan", "team", None, 1),
    ("eu_revenue", "2026-01-01", "all", None, Fraction(390), 2),
    ("zero_division", "2026-02-01", "plan", "pro", None, 1),
    ("zero_division", "2026-03-01", "plan", "team", Fraction(1, 3), 2),
    ("mixed_filter", "2025-12-01", "all", None, Fraction(1), 1),
    ("mixed_filter", "2026-03-01", "all", None, Fraction(7), 3),
    ("net_ratio", "2026-01-01", "all", None, Fraction(40, 6), 5),
    ("nps_score", "2026-01-01", "all", None, Fraction(100, 3), 4),
    ("nps_score", "2026-02-01", "region", None, None, 1),
    ("nps_score", "2026-02-01", "region", "US", Fraction(-50), 2),
    ("nps_score", "2026-02-01", "region", "EU", Fraction(200, 3), 3),
    ("nps_score", "2026-03-01", "region", "US", Fraction(-100, 3), 2),
    ("median_order", "2026-01-01", "plan", "team", None, 1),
    ("median_order", "2026-02-01", "all", None, Fraction(170), 8),
    ("median_order", "2026-03-01", "plan", "pro", Fraction("152.5"), 4),
    ("p90_order", "2026-02-01", "all", None, Fraction(360), 8),
    ("p90_order", "2026-03-01", "all", None, Fraction(255), 10),
    ("median_seats", "2026-02-01", "all", None, Fraction("3.5"), 7),
    ("time_to_value", "2026-01-01", "all", None, Fraction(1), 2),
    ("time_to_value", "2026-02-01", "region", None, Fraction(3), 1),
    ("time_to_value_p75", "2026-01-01", "all", None, Fraction("1.5"), 2),
    ("survey_to_renewal", "2026-02-01", "all", None, Fraction(1, 2), 2),
    ("survey_to_renewal", "2026-02-01", "plan", None, Fraction(0), 1),
    ("survey_to_renewal", "2026-03-01", "all", None, Fraction(77, 2), 2),
]


def self_test(data):
    got = {(r[0], r[1], r[2], r[3]): (r[4], r[5]) for r in all_rows(data)}
    ok = True
    for name, period, seg, segval, value, customers in HAND:
        have = got.get((name, period, seg, segval))
        good = have == (value, customers)
        ok &= good
        print("%-4s %s %s %s=%s: want %s/%s, got %s" % (
            "ok" if good else "FAIL", name, period, seg, segval,
            fmt(value) or "NULL", customers, have and (fmt(have[0]) or "NULL", have[1])))
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
