#!/usr/bin/env python3
"""Compute expected.csv for the per-partner metric fixtures, without SQL.

Plain-Python reading of the rules listed in README.md: the usual metric
groups (`all` and each `by` segment, as in ../metrics and ../cohorts) and,
for a metric `attributed credit`, one group per partner, in which every row
counts with the partner's share of its customer's first conversion.

The credit shares per conversion come from ../attribution/compute_expected.py
(imported, not copied: its `eligible_touches` and `shares` are the reading
of the attribution definitions this folder relies on). The sources, events,
segments, the attribution and the metrics below must match agreement.pactum
in this folder; they are written out by hand here rather than read from the
agreement, so that this program does not share code with the compiler.

Usage:
    python3 compute_expected.py              # print expected.csv to stdout
    python3 compute_expected.py --write      # write expected.csv next to this file
    python3 compute_expected.py --self-test  # check the hand computations of README.md

Arithmetic is exact (Fractions): shares, weighted sums, averages, rates and
percentiles. Whole values are written as integers, other values rounded to 15
significant digits, without exponent.
"""

import csv
import importlib.util
import os
import sys
from datetime import datetime
from decimal import Decimal, localcontext
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))


def _attribution_module():
    sys.dont_write_bytecode = True  # leave ../attribution as it is
    path = os.path.join(HERE, "..", "attribution", "compute_expected.py")
    spec = importlib.util.spec_from_file_location("attribution_expected", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ATTRIBUTION = _attribution_module()

# ---------------------------------------------------------------------------
# Data: sources, events, segments, attribution (as declared in agreement.pactum)

# source name -> (file, customer column, time column, {column: type})
SOURCES = {
    "touches": ("touches.csv", "customer_id", "occurred_at",
                {"touch_id": "text", "partner_id": "text", "channel": "text",
                 "event_name": "text"}),
    "orders": ("orders.csv", "customer_id", "ordered_at",
               {"order_id": "text", "amount": "money", "order_type": "text", "plan": "text"}),
}

# event name -> (source, row filter, stage). A NULL order_type (None) is
# neither "new" nor "renewal" (there is none in the data).
EVENTS = {
    "touch": ("touches", lambda r: True, "awareness"),
    "purchase": ("orders", lambda r: r["order_type"] == "new", "conversion"),
    "renewal": ("orders", lambda r: r["order_type"] == "renewal", "expansion"),
}

# segment name -> (source, column)
SEGMENTS = {
    "plan": ("orders", "plan"),
}

# attribution credit: touches touches, credit partner_id, channel channel,
# conversions purchase, model position_based (40/40), lookback 30 days.
P = Fraction(1, 100)
ATTRIBUTIONS = {
    "credit": dict(
        name="credit",
        conversions=["purchase"],
        id_column="order_id",
        model=("position_based", 40 * P, 40 * P),
        lookback=30 * ATTRIBUTION.DAY,
    ),
}

# Partner codes -> party names (`identified by partner_id ...`), the same
# parties as ../attribution; other codes are credited under the raw code.
PARTY_OF_CODE = ATTRIBUTION.PARTY_OF_CODE
UNATTRIBUTED = ATTRIBUTION.UNATTRIBUTED

# ---------------------------------------------------------------------------
# Metrics (as declared in agreement.pactum)
#
# Expressions: ("call", FUNCTION, X, COLUMN, RANK) where X is a source or an
# event, COLUMN a column, "customer" for the customer key, or None for
# count(X); RANK the percentile of `percentile` (a Fraction), else None.
# ("rate", "conversion", A, B, DAYS) for conversion_rate(A, B, within DAYS).
# ("num", value); ("+" | "-" | "*" | "/", LEFT, RIGHT).


def call(fn, x, col=None, rank=None):
    return ("call", fn, x, col, rank)


METRICS = [
    dict(name="new_customers", value=call("count_distinct", "purchase", "customer")),
    dict(name="orders_count", value=call("count", "orders")),
    dict(name="revenue", value=call("sum", "orders", "amount")),
    dict(name="avg_order", value=call("avg", "orders", "amount")),
    dict(name="biggest", value=call("max", "orders", "amount")),
    dict(name="median_order", value=call("median", "orders", "amount")),
    dict(name="arpu",
         value=("/", call("sum", "orders", "amount"), call("count_distinct", "orders", "customer"))),
    dict(name="repeat_rate", value=("rate", "conversion", "purchase", "renewal", 60)),
    dict(name="plans_sold", value=call("count_distinct", "orders", "plan")),
    dict(name="plan_revenue", value=call("sum", "orders", "amount"), by=["plan"]),
]
for _m in METRICS:
    _m["attributed"] = "credit"  # every metric of the agreement is attributed by `credit`

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


def rows_of(x, data):
    """(source, rows) of a source or an event (after its filter)."""
    if x in SOURCES:
        return x, data[x]
    source, keep, _ = EVENTS[x]
    return source, [r for r in data[source] if keep(r)]


# ---------------------------------------------------------------------------
# Attribution: credit shares of each customer's first conversion


def touches_for_attribution(data):
    """The touches in the shape ../attribution/compute_expected.py reads."""
    return [
        dict(id=r["touch_id"], customer=r["customer"], time=r["time"],
             partner=r["partner_id"], channel=r["channel"])
        for r in data["touches"]
    ]


def conversion_credits(conversion, touches, rule):
    """{party: share} of one conversion, shares > 0, summing to 1."""
    path = ATTRIBUTION.eligible_touches(conversion, touches, rule)
    if not path:
        return {UNATTRIBUTED: Fraction(1)}
    out = {}
    for touch, share in zip(path, ATTRIBUTION.shares(conversion, path, rule)):
        party = PARTY_OF_CODE.get(touch["partner"], touch["partner"])
        out[party] = out.get(party, Fraction(0)) + share
    out = {p: s for p, s in out.items() if s > 0}
    assert sum(out.values()) == 1, (conversion, out)
    return out


def first_conversion_credits(attribution, data):
    """customer -> {party: share} of the customer's first conversion by the
    attribution: earliest time, then smallest conversion event name, then
    smallest conversion id as text. Customers without a conversion are not
    in the result (they count as `unattributed`, share 1)."""
    rule = ATTRIBUTIONS[attribution]
    touches = touches_for_attribution(data)
    first = {}
    for event in rule["conversions"]:
        _, rows = rows_of(event, data)
        for r in rows:
            key = (r["time"], event, r[rule["id_column"]])
            if r["customer"] not in first or key < first[r["customer"]][0]:
                first[r["customer"]] = (key, r)
    out = {}
    for customer, ((_, _, conv_id), r) in sorted(first.items()):
        conversion = dict(id=conv_id, customer=customer, time=r["time"])
        out[customer] = conversion_credits(conversion, touches, rule)
    return out


def partner_weights(customer, credits):
    """[(party, weight)] a row of `customer` is credited to."""
    return sorted(credits.get(customer, {UNATTRIBUTED: Fraction(1)}).items())


# ---------------------------------------------------------------------------
# Segments


def segment_value(seg, row, source, data):
    seg_source, col = SEGMENTS[seg]
    if seg_source == source:
        return row[col]  # the row's own value
    # (Not needed here: every segment is on the orders rows' own source.)
    raise ValueError("cross-source segment: not covered by this fixture")


def period_of(t):
    return "%04d-%02d-01" % (t.year, t.month)


# ---------------------------------------------------------------------------
# Rate rows: one per mature customer of the cohort


def days(later, earlier):
    """Calendar days from the date of `earlier` to the date of `later`."""
    return (later.date() - earlier.date()).days


def rate_rows(spec, data):
    """conversion_rate(A, B, within D): one row per customer at their first
    A row, only for mature customers (the data's last day, the latest date of
    a B row, is at least D days after day 0); "measure" is 1 when the
    customer has a B row at or after the first A with date(B) - day 0 <= D,
    else 0."""
    kind, a, b, d = spec[1], spec[2], spec[3], spec[4]
    assert kind == "conversion"
    source, a_rows = rows_of(a, data)
    _, b_rows = rows_of(b, data)
    last_day = max(r["time"] for r in b_rows).date()
    first = {}
    for r in a_rows:
        if r["customer"] not in first or r["time"] < first[r["customer"]]["time"]:
            first[r["customer"]] = r
    rows = []
    for customer, r in sorted(first.items()):
        t0 = r["time"]
        if (last_day - t0.date()).days < d:
            continue  # immature
        success = any(
            x["customer"] == customer and x["time"] >= t0 and days(x["time"], t0) <= d
            for x in b_rows
        )
        row = dict(r)
        row["measure"] = Fraction(1 if success else 0)
        rows.append(row)
    return source, rows


# ---------------------------------------------------------------------------
# Weighted aggregates. Every row of a group comes with a weight w: 1 in `all`
# and segment groups, the partner's share in a partner group.


def percentile(values, rank):
    """SQL's percentile_cont over the values (unweighted)."""
    xs = sorted(values)
    h = 1 + (len(xs) - 1) * rank / 100
    lo = h.numerator // h.denominator  # floor
    hi = lo if h == lo else lo + 1  # ceiling
    return xs[lo - 1] + (h - lo) * (xs[hi - 1] - xs[lo - 1])


def aggregate(fn, col, rank, weighted):
    """`weighted`: [(row, w)] of one call in one group."""
    if fn == "count":
        return sum((w for _, w in weighted), Fraction(0))
    if fn == "rate":
        total = sum((w for _, w in weighted), Fraction(0))
        return sum((w * r["measure"] for r, w in weighted), Fraction(0)) / total
    pairs = [(r[col], w) for r, w in weighted if r[col] is not None]
    if fn == "count_distinct":
        largest = {}
        for v, w in pairs:
            largest[v] = max(largest.get(v, Fraction(0)), w)
        return sum(largest.values(), Fraction(0))
    if fn == "sum":
        return sum((w * v for v, w in pairs), Fraction(0))  # no rows / only NULLs: 0
    if not pairs:
        return None  # avg, min, max, median, percentile, nps of no non-null value
    values = [v for v, _ in pairs]
    if fn == "avg":
        return sum((w * v for v, w in pairs), Fraction(0)) / sum((w for _, w in pairs), Fraction(0))
    if fn == "min":
        return min(values)
    if fn == "max":
        return max(values)
    if fn == "median":
        return percentile(values, Fraction(50))
    if fn == "percentile":
        return percentile(values, rank)
    if fn == "nps":
        promoters = sum((w for v, w in pairs if v >= 9), Fraction(0))
        detractors = sum((w for v, w in pairs if v <= 6), Fraction(0))
        return 100 * (promoters - detractors) / sum((w for _, w in pairs), Fraction(0))
    raise ValueError(fn)


def calls_of(expr):
    if expr[0] in ("call", "rate"):
        return [expr]
    if expr[0] == "num":
        return []
    return calls_of(expr[1]) + calls_of(expr[2])


def arithmetic(expr, results):
    kind = expr[0]
    if kind in ("call", "rate"):
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
    """{(period, segment, segment value): (value, customers)}."""
    expr = metric["value"]
    by = metric.get("by", [])
    credits = (first_conversion_credits(metric["attributed"], data)
               if metric.get("attributed") else None)
    calls = []
    for c in calls_of(expr):
        if c not in calls:
            calls.append(c)

    # group key -> call -> [(row, weight)]
    groups = {}
    for c in calls:
        if c[0] == "rate":
            source, rows = rate_rows(c, data)
        else:
            source, rows = rows_of(c[2], data)
        for row in rows:
            period = period_of(row["time"])
            keyed = [((period, "all", None), Fraction(1))]
            keyed += [((period, seg, segment_value(seg, row, source, data)), Fraction(1))
                      for seg in by]
            if credits is not None:
                keyed += [((period, "partner", party), w)
                          for party, w in partner_weights(row["customer"], credits)]
            for key, w in keyed:
                assert w > 0
                groups.setdefault(key, {}).setdefault(c, []).append((row, w))

    out = {}
    for key, per_call in groups.items():
        results = {}
        for c in calls:
            weighted = per_call.get(c, [])
            if c[0] == "rate":
                results[c] = aggregate("rate", None, None, weighted) if weighted else None
            else:
                results[c] = aggregate(c[1], c[3], c[4], weighted)
        customers = {r["customer"] for rows in per_call.values() for r, _ in rows}
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

F = Fraction
HAND_CREDITS = {
    "c01": {"alpha": F(4, 5), "beta": F(1, 5)},
    "c02": {UNATTRIBUTED: F(1)},
    "c04": {"gamma": F(1)},
    "c05": {"Z": F(2, 5), "gamma": F(1, 5), "alpha": F(2, 5)},
    "c06": {"beta": F(4, 5), "alpha": F(1, 10), "gamma": F(1, 10)},
    "c07": {UNATTRIBUTED: F(1)},
    "c08": {"alpha": F(1, 2), "gamma": F(1, 2)},
    "c09": {"gamma": F(1, 2), "beta": F(1, 2)},
}

HAND = [
    # (metric, period, segment, segment value, value, customers); customers
    # None: the group must not appear.
    ("new_customers", "2026-03-01", "all", None, F(4), 4),
    ("new_customers", "2026-03-01", "partner", "alpha", F(6, 5), 2),
    ("new_customers", "2026-04-01", "partner", "beta", F(13, 10), 2),
    ("new_customers", "2026-04-01", "partner", "gamma", F(21, 10), 4),
    ("new_customers", "2026-05-01", "all", None, None, None),
    ("orders_count", "2026-03-01", "partner", "beta", F(7, 10), 2),
    ("orders_count", "2026-03-01", "partner", UNATTRIBUTED, F(2), 2),
    ("orders_count", "2026-04-01", "partner", "alpha", F(7, 5), 3),
    ("revenue", "2026-03-01", "partner", "gamma", F(649, 2), 3),
    ("revenue", "2026-04-01", "partner", "beta", F(197), 3),
    ("revenue", "2026-05-01", "partner", "Z", F(0), 1),
    ("avg_order", "2026-04-01", "partner", "beta", F(197) / F(13, 10), 3),
    ("avg_order", "2026-04-01", "partner", "alpha", F(59) / F(3, 5), 3),
    ("avg_order", "2026-05-01", "partner", "Z", None, 1),
    ("biggest", "2026-04-01", "partner", "alpha", F(100), 3),
    ("biggest", "2026-05-01", "partner", "Z", None, 1),
    ("median_order", "2026-03-01", "partner", "gamma", F(60), 3),
    ("median_order", "2026-04-01", "partner", "beta", F(170), 3),
    ("median_order", "2026-04-01", "all", None, F(95), 7),
    ("arpu", "2026-03-01", "partner", "alpha", F(136) / F(6, 5), 2),
    ("arpu", "2026-04-01", "partner", "beta", F(197) / F(3, 2), 3),
    ("arpu", "2026-05-01", "partner", "Z", F(0), 1),
    ("repeat_rate", "2026-03-01", "all", None, F(1, 2), 4),
    ("repeat_rate", "2026-03-01", "partner", "alpha", F(2, 3), 2),
    ("repeat_rate", "2026-03-01", "partner", "gamma", F(5, 6), 2),
    ("repeat_rate", "2026-03-01", "partner", "Z", F(0), 1),
    ("repeat_rate", "2026-04-01", "partner", "beta", F(8, 13), 2),
    ("repeat_rate", "2026-04-01", "partner", "gamma", F(1, 6), 2),
    ("repeat_rate", "2026-05-01", "all", None, None, None),
    ("plans_sold", "2026-03-01", "partner", "alpha", F(4, 5), 2),
    ("plans_sold", "2026-04-01", "partner", "gamma", F(8, 5), 4),
    ("plan_revenue", "2026-03-01", "plan", None, F(40), 1),
    ("plan_revenue", "2026-03-01", "partner", "gamma", F(649, 2), 3),
    ("plan_revenue", "2026-05-01", "plan", "pro", F(440), 3),
    # the rest of the hand computations of README.md
    ("new_customers", "2026-04-01", "partner", "alpha", F(3, 5), 2),
    ("new_customers", "2026-04-01", "partner", UNATTRIBUTED, F(1), 1),
    ("new_customers", "2026-04-01", "all", None, F(5), 5),
    ("orders_count", "2026-04-01", "partner", "beta", F(3, 2), 3),
    ("biggest", "2026-04-01", "partner", "beta", F(250), 3),
    ("plans_sold", "2026-04-01", "partner", "beta", F(13, 10), 3),
    ("revenue", "2026-04-01", "partner", "alpha", F(59), 3),
    ("median_order", "2026-04-01", "partner", "alpha", F(95), 3),
    ("orders_count", "2026-03-01", "partner", "gamma", F(17, 10), 3),
    ("plans_sold", "2026-03-01", "partner", "gamma", F(3, 2), 3),
    ("orders_count", "2026-05-01", "partner", "Z", F(2, 5), 1),
    ("median_order", "2026-05-01", "partner", "Z", None, 1),
    ("plans_sold", "2026-05-01", "partner", "Z", F(2, 5), 1),
    ("repeat_rate", "2026-03-01", "partner", "beta", F(1), 1),
    ("repeat_rate", "2026-03-01", "partner", UNATTRIBUTED, F(0), 1),
    ("repeat_rate", "2026-04-01", "all", None, F(1, 3), 3),
    ("repeat_rate", "2026-04-01", "partner", "alpha", F(1), 1),
    ("repeat_rate", "2026-04-01", "partner", UNATTRIBUTED, F(0), 1),
    ("repeat_rate", "2026-06-01", "all", None, None, None),
    ("plan_revenue", "2026-03-01", "all", None, F(775), 6),
    ("plan_revenue", "2026-03-01", "plan", "basic", F(210), 1),
    ("plan_revenue", "2026-03-01", "plan", "pro", F(500), 3),
    ("plan_revenue", "2026-03-01", "plan", "team", F(25), 1),
    ("plan_revenue", "2026-03-01", "partner", "alpha", F(136), 2),
    ("plan_revenue", "2026-03-01", "partner", "beta", F(81, 2), 2),
    ("plan_revenue", "2026-03-01", "partner", "Z", F(24), 1),
    ("plan_revenue", "2026-03-01", "partner", UNATTRIBUTED, F(250), 2),
]


def self_test(data):
    ok = True
    credits = first_conversion_credits("credit", data)
    good = credits == HAND_CREDITS
    ok &= good
    print("%-4s first-conversion credits" % ("ok" if good else "FAIL"))
    if not good:
        print("  got", credits)
    got = {(r[0], r[1], r[2], r[3]): (r[4], r[5]) for r in all_rows(data)}
    for name, period, seg, segval, value, customers in HAND:
        have = got.get((name, period, seg, segval))
        want = None if customers is None else (value, customers)
        good = have == want
        ok &= good
        print("%-4s %s %s %s=%s: want %s, got %s" % (
            "ok" if good else "FAIL", name, period, seg, segval,
            want and "%s/%s" % (fmt(want[0]) or "NULL", want[1]) or "no row",
            have and "%s/%s" % (fmt(have[0]) or "NULL", have[1]) or "no row"))
    # Counts and sums of the partner groups add up to the `all` group (not
    # plans_sold: with the largest share per value, partners add up to more).
    for metric in ("new_customers", "orders_count", "revenue", "plan_revenue"):
        totals = {}
        for (m, period, seg, _), (value, _) in got.items():
            if m == metric and seg == "partner":
                totals[period] = totals.get(period, Fraction(0)) + value
        for period, total in totals.items():
            good = total == got[(metric, period, "all", None)][0]
            ok &= good
            print("%-4s %s %s: partners add up to all" % ("ok" if good else "FAIL", metric, period))
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
