#!/usr/bin/env python3
"""Compute the expected files of the scorecard fixtures, without SQL.

Plain-Python reading of docs/scorecard.md (sections "`scorecard_<name>`",
"`targets`" and "`incentive_<name>`", and the conventions at the top) and of
docs/sql.md (metrics, attribution, per-partner split), with the readings
listed in README.md ("Readings").

The sources, events, segments, attribution, metrics, targets, pilot,
scorecard and incentives below must match agreement.pactum in this folder.
They are written out by hand rather than read from the agreement, so that
this program shares no code with the compiler. Standard library only.

Usage:
    python3 compute_expected.py              # print the three expected files
    python3 compute_expected.py --write      # write expected_scorecard.csv,
                                             # expected_targets.csv and
                                             # expected_incentives.csv
    python3 compute_expected.py --self-test  # check the hand computations of README.md

Arithmetic is exact (Fractions). Whole values are written as integers, other
values rounded to 15 significant digits, without exponent.
"""

import csv
import os
import sys
from datetime import date, datetime, timedelta
from decimal import Decimal, localcontext
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
F = Fraction
PCT = F(1, 100)
DAY = 86400  # seconds

# ---------------------------------------------------------------------------
# The agreement (as declared in agreement.pactum)

with open(os.path.join(HERE, "as_of")) as _f:
    AS_OF = date.fromisoformat(_f.read().strip())  # "today"

EFFECTIVE = (date(2026, 1, 1), date(2026, 12, 31))

# source name -> (file, customer column, time column, {column: type})
SOURCES = {
    "touches": ("touches.csv", "customer_id", "occurred_at",
                {"touch_id": "text", "partner_id": "text", "channel": "text"}),
    "orders": ("orders.csv", "customer_id", "ordered_at",
               {"order_id": "text", "amount": "money", "order_type": "text",
                "plan": "text", "region": "text"}),
    "tickets": ("tickets.csv", "customer_id", "opened_at", {"ticket_id": "text"}),
    "demos": ("demos.csv", "customer_id", "requested_at", {"demo_id": "text"}),
}

# event name -> (source, row filter)
EVENTS = {
    "touch": ("touches", lambda r: True),
    "purchase": ("orders", lambda r: r["order_type"] == "new"),
    "renewal": ("orders", lambda r: r["order_type"] == "renewal"),
}

# segment name -> (source, column); every segment used here is read on the
# rows' own source.
SEGMENTS = {"plan": ("orders", "plan"), "region": ("orders", "region")}

# Parties by code of the credit column (`identified by partner_id ...`).
PARTY_OF_CODE = {"A": "alpha", "B": "beta"}
UNATTRIBUTED = "unattributed"

# attribution credit: touches touches, credit partner_id, channel channel,
# conversions purchase, value orders.amount, model last_touch, lookback 30 days.
ATTRIBUTION = dict(name="credit", conversions=["purchase"], id_column="order_id",
                   value_column="amount", lookback=30 * DAY)


# Metric values: ("call", FUNCTION, X, COLUMN) with X a source or an event,
# COLUMN a column, "customer" for the customer key, None for count(X);
# ("/", LEFT, RIGHT).
def call(fn, x, col=None):
    return ("call", fn, x, col)


METRICS = {
    "new_customers": dict(value=call("count_distinct", "purchase", "customer"),
                          attributed="credit", by=["plan"], indicator="lagging",
                          unit="count", extensive=True),
    "revenue": dict(value=call("sum", "orders", "amount"), attributed=None,
                    by=["plan", "region"], indicator="lagging", unit="money",
                    extensive=True),
    "avg_order": dict(value=call("avg", "orders", "amount"), attributed="credit",
                      by=["plan"], indicator="lagging", unit="money", extensive=False),
    "ticket_rate": dict(value=("/", call("count", "tickets"),
                               call("count_distinct", "orders", "customer")),
                        attributed=None, by=[], indicator="leading", unit="ratio",
                        extensive=False),
    "demo_requests": dict(value=call("count", "demos"), attributed=None, by=[],
                          indicator="leading", unit="count", extensive=True),
}

# Targets in file order: (metric, goalpost, values, per, deadline, baseline)
#   goalpost: "at least" | "at most" | "between" | "increase" | "decrease"
#   values: (T,) | (L, H) | (A,) (a fraction for relative goalposts)
#   per: None | "quarter" | "month" ...
#   deadline: None | ("by", date) | ("within", days, pilot name or None)
#   baseline: None | (start, end) (`over baseline`)
TARGETS = [
    ("new_customers", "at least", (F(18),), "quarter", None, None),
    ("revenue", "increase", (30 * PCT,), None, ("by", date(2026, 6, 30)),
     (date(2026, 1, 1), date(2026, 1, 31))),
    ("avg_order", "at least", (F(100),), None, ("by", date(2026, 3, 31)), None),
    ("avg_order", "between", (F(90), F(300)), None, ("within", 60, None), None),
    ("ticket_rate", "at most", (F(1, 4),), None, None, None),
    ("new_customers", "at least", (F(5),), None, ("within", 30, "spring_push"), None),
]

PILOTS = {
    "spring_push": dict(during=(date(2026, 3, 1), date(2026, 4, 30)),
                        baseline=(date(2026, 1, 1), date(2026, 2, 28))),
}

SCORECARDS = {
    "partner_view": dict(metrics=["new_customers", "revenue", "avg_order",
                                  "ticket_rate", "demo_requests"],
                         by=["plan"], shared=True, minimum=2,
                         on_track=90 * PCT, at_risk=70 * PCT),
}

# Incentives: pay line, conditions (metric, "at least" | "at most", value,
# text as written), cap (amount, period or None, text as written).
INCENTIVES = {
    "alpha_share": dict(
        party="alpha",
        pay=("share_of_attributed", 10 * PCT, "credit"),
        pay_text="10% of attributed value by credit",
        when=[("avg_order", "at least", F(100), "avg_order at least 100 USD")],
        cap=(F(60), "quarter", "cap 60 USD per quarter"),
    ),
    "beta_bounty": dict(
        party="beta",
        pay=("amount_per_metric", F(50), "new_customers"),
        pay_text="50 USD per new_customers",
        when=[("ticket_rate", "at most", F(1, 2), "ticket_rate at most 0.5")],
        cap=(F(1000), None, "cap 1000 USD"),
    ),
}

# ---------------------------------------------------------------------------
# Loading: empty field = NULL; rows after the end of today are ignored.


def parse_time(text):
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")  # naive, UTC


def load():
    data = {}
    for name, (file, cust, time, columns) in SOURCES.items():
        rows = []
        with open(os.path.join(HERE, file), newline="") as f:
            for raw in csv.DictReader(f):
                row = {"customer": raw[cust], "time": parse_time(raw[time])}
                if row["time"].date() > AS_OF:
                    continue  # after the end of today: ignored
                for col, ty in columns.items():
                    text = raw[col]
                    if text == "":
                        row[col] = None
                    elif ty in ("money", "number"):
                        row[col] = Fraction(text)
                    else:
                        row[col] = text
                rows.append(row)
        data[name] = rows
    return data


def rows_of(x, data):
    """(source, rows) of a source or an event (after its filter)."""
    if x in SOURCES:
        return x, data[x]
    source, keep = EVENTS[x]
    return source, [r for r in data[source] if keep(r)]


# ---------------------------------------------------------------------------
# Calendar


def month_start(d):
    return date(d.year, d.month, 1)


def next_month(d):
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)


def period_end(start, unit):
    """Last day of the calendar period `unit` starting at `start`."""
    months = {"month": 1, "quarter": 3, "year": 12}[unit]
    d = start
    for _ in range(months):
        d = next_month(d)
    return d - timedelta(days=1)


def period_holding(d, unit):
    """First day of the calendar period `unit` holding day d."""
    if unit == "month":
        return date(d.year, d.month, 1)
    if unit == "quarter":
        return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
    if unit == "year":
        return date(d.year, 1, 1)
    raise ValueError(unit)


def length(start, end):
    """Days of the window start..end, both included."""
    return (end - start).days + 1


def month_length(start):
    return length(start, period_end(start, "month"))


# ---------------------------------------------------------------------------
# Attribution (last touch) and the credits of each customer


def touch_order_key(t):
    # time, touch id as text (missing ids last), partner, channel
    return (t["time"], t["touch_id"] is None, t["touch_id"] or "",
            t["partner"], t["channel"] or "")


def attribute(data):
    """[(conversion row, {party: share})] for every conversion."""
    touches = [dict(r, partner=PARTY_OF_CODE.get(r["partner_id"], r["partner_id"]))
               for r in data["touches"]]
    out = []
    for event in ATTRIBUTION["conversions"]:
        _, convs = rows_of(event, data)
        for c in convs:
            eligible = [
                t for t in touches
                if t["customer"] == c["customer"] and t["time"] <= c["time"]
                and (c["time"] - t["time"]).total_seconds() <= ATTRIBUTION["lookback"]
            ]
            if not eligible:
                out.append((event, c, {UNATTRIBUTED: F(1)}))
                continue
            last = sorted(eligible, key=touch_order_key)[-1]
            out.append((event, c, {last["partner"]: F(1)}))
    return out


def by_partner(data):
    """attribution_credit_by_partner: {(period, partner): attributed value}."""
    out = {}
    for _, conv, credits in attribute(data):
        period = month_start(conv["time"].date())
        value = conv[ATTRIBUTION["value_column"]] or F(0)
        for party, share in credits.items():
            out[(period, party)] = out.get((period, party), F(0)) + share * value
    return out


def customer_credits(data):
    """customer -> credits of the customer's first conversion (earliest time,
    then event name, then id as text)."""
    first = {}
    for event, conv, credits in attribute(data):
        key = (conv["time"], event, conv[ATTRIBUTION["id_column"]])
        if conv["customer"] not in first or key < first[conv["customer"]][0]:
            first[conv["customer"]] = (key, credits)
    return {c: credits for c, (_, credits) in first.items()}


# ---------------------------------------------------------------------------
# Metrics: per (bucket, segment, segment value): (value, customers). A bucket
# is a period start (a month), or the string "window" for a metric over a
# window.


def calls_of(expr):
    if expr[0] == "call":
        return [expr]
    return calls_of(expr[1]) + calls_of(expr[2])


def aggregate(fn, col, weighted):
    if fn == "count":
        return sum((w for _, w in weighted), F(0))
    pairs = [(r[col], w) for r, w in weighted if r[col] is not None]
    if fn == "count_distinct":
        largest = {}
        for v, w in pairs:
            largest[v] = max(largest.get(v, F(0)), w)
        return sum(largest.values(), F(0))
    if fn == "sum":
        return sum((w * v for v, w in pairs), F(0))
    if fn == "avg":
        if not pairs:
            return None
        return sum((w * v for v, w in pairs), F(0)) / sum((w for _, w in pairs), F(0))
    raise ValueError(fn)


def arithmetic(expr, results):
    if expr[0] == "call":
        return results[expr]
    a, b = arithmetic(expr[1], results), arithmetic(expr[2], results)
    if a is None or b is None:
        return None
    assert expr[0] == "/"
    return None if b == 0 else a / b


def compute_metric(name, data, window=None):
    """{(bucket, segment, segment value): (value, customers)}; with a window
    (start, end), only the rows whose day falls in it, bucket "window"."""
    metric = METRICS[name]
    credits = customer_credits(data) if metric["attributed"] else None
    expr = metric["value"]
    calls = []
    for c in calls_of(expr):
        if c not in calls:
            calls.append(c)
    groups = {}
    for c in calls:
        source, rows = rows_of(c[2], data)
        for row in rows:
            day = row["time"].date()
            if window is None:
                bucket = month_start(day)
            elif window[0] <= day <= window[1]:
                bucket = "window"
            else:
                continue
            keyed = [((bucket, "all", None), F(1))]
            for seg in metric["by"]:
                seg_source, col = SEGMENTS[seg]
                assert seg_source == source
                keyed.append(((bucket, seg, row[col]), F(1)))
            if credits is not None:
                for party, w in credits.get(row["customer"], {UNATTRIBUTED: F(1)}).items():
                    keyed.append(((bucket, "partner", party), w))
            for key, w in keyed:
                groups.setdefault(key, {}).setdefault(c, []).append((row, w))
    out = {}
    for key, per_call in groups.items():
        results = {}
        for c in calls:
            col = "customer" if c[3] == "customer" else c[3]
            results[c] = aggregate(c[1], col, per_call.get(c, []))
        customers = {r["customer"] for rows in per_call.values() for r, _ in rows}
        out[key] = (arithmetic(expr, results), len(customers))
    return out


# ---------------------------------------------------------------------------
# scorecard_<name>


def scorecard_target(name, period, segment, segval, data, cache):
    """The metric's first target for one row, scaled to the row's period,
    and for a relative target the scaled baseline it is measured from."""
    first = [t for t in TARGETS if t[0] == name]
    if not first:
        return None, None
    _, goalpost, values, per, deadline, baseline = first[0]
    metric = METRICS[name]
    plen = month_length(period)
    if goalpost in ("at least", "at most", "between"):
        if goalpost == "between":
            raise NotImplementedError("no between target is a first target here")
        t = values[0]
        if per is not None:
            p_start = period_holding(period, per)
            t = t * plen / length(p_start, period_end(p_start, per))
        return t, None
    # relative: the metric over the baseline window, same group
    if baseline is None:
        baseline = PILOTS[deadline[2]]["baseline"]
    if baseline not in cache:
        cache[baseline] = compute_metric(name, data, baseline)
    row = cache[baseline].get(("window", segment, segval))
    if row is None or row[0] is None:
        return None, None
    b = row[0]
    if metric["extensive"]:
        b = b * plen / length(*baseline)
    a = values[0]
    return (b * (1 + a) if goalpost == "increase" else b * (1 - a)), b


def percent_of(goalpost, actual, target, base):
    """Progress: actual / target (at least), target / actual (at most), and
    for relative targets the achieved change over the targeted change."""
    if actual is None or target is None:
        return None
    if goalpost in ("increase", "decrease"):
        return None if target == base else (actual - base) / (target - base)
    if goalpost == "at least":
        return None if target == 0 else actual / target
    if goalpost == "at most":
        return None if actual == 0 else target / actual
    raise ValueError(goalpost)


def scorecard_rows(card_name, data):
    card = SCORECARDS[card_name]
    out = []
    for name in card["metrics"]:
        metric = METRICS[name]
        values = compute_metric(name, data)
        segments = ["all"] + [s for s in card["by"] if s in metric["by"]]
        if metric["attributed"]:
            segments.append("partner")
        first = [t for t in TARGETS if t[0] == name]
        goalpost = first[0][1] if first else None
        cache = {}
        rows = {}
        for (period, seg, segval), (actual, customers) in values.items():
            if seg not in segments:
                continue
            target, base = scorecard_target(name, period, seg, segval, data, cache)
            pct = percent_of(goalpost, actual, target, base) if first else None
            suppressed = card["shared"] and customers < card["minimum"]
            if suppressed:
                status = "suppressed"
            elif actual is None:
                status = "no data"
            elif target is None:
                status = "no target"
            elif (pct is not None and pct >= card["on_track"]) or \
                    (actual == 0 and goalpost in ("at most", "decrease")):
                status = "on track"
            elif pct is not None and pct >= card["at_risk"]:
                status = "at risk"
            else:
                status = "off track"
            rows[(period, seg, segval)] = dict(
                actual=actual, customers=customers, target=target, pct=pct,
                status=status, suppressed=suppressed)
        for (period, seg, segval), r in rows.items():
            before = rows.get((month_start(period - timedelta(days=1)), seg, segval))
            previous = None
            if before is not None and not before["suppressed"]:
                previous = before["actual"]
            trend = None
            if not r["suppressed"] and previous is not None and r["actual"] is not None:
                trend = "up" if r["actual"] > previous else "down" if r["actual"] < previous else "flat"
            if r["suppressed"]:
                # A relative target would reveal the small group's baseline.
                r.update(actual=None, customers=None, target=None, pct=None)
                previous = None
            out.append(dict(scorecard=card_name, metric=name, indicator=metric["indicator"],
                            unit=metric["unit"], period_start=period, segment=seg,
                            segment_value=segval, previous=previous, trend=trend, **r))
    out.sort(key=lambda r: (r["scorecard"], r["metric"], r["period_start"], r["segment"],
                            r["segment_value"] is not None,
                            (r["segment_value"] or "").encode()))
    return out


# ---------------------------------------------------------------------------
# targets


def target_rows(data):
    out = []
    for number, (name, goalpost, values, per, deadline, baseline) in enumerate(TARGETS, 1):
        metric = METRICS[name]
        pilot = None
        if deadline is None:
            due = None
        elif deadline[0] == "by":
            due = deadline[1]
        else:
            days, pilot = deadline[1], deadline[2]
            start = PILOTS[pilot]["during"][0] if pilot else EFFECTIVE[0]
            due = start + timedelta(days=days - 1)  # the window includes its first day
        passed = due is not None and due < AS_OF
        evaluated = due if passed else AS_OF
        days_left = None if due is None else max((due - AS_OF).days, 0)
        if per is not None:
            window_start = period_holding(evaluated, per)
        elif pilot is not None:
            window_start = PILOTS[pilot]["during"][0]
        else:
            window_start = EFFECTIVE[0]
        window = (window_start, evaluated)
        got = compute_metric(name, data, window).get(("window", "all", None))
        value = got[0] if got else (F(0) if metric["extensive"] else None)
        customers = got[1] if got else None
        threshold = threshold_high = base = None
        if goalpost in ("at least", "at most"):
            threshold = values[0]
        elif goalpost == "between":
            threshold, threshold_high = values
        else:
            if baseline is None:
                baseline = PILOTS[pilot]["baseline"]
            b = compute_metric(name, data, baseline)[("window", "all", None)][0]
            if metric["extensive"]:
                b = b * length(*window) / length(*baseline)
            base = b
            threshold = b * (1 + values[0]) if goalpost == "increase" else b * (1 - values[0])
        if value is None:
            met = None  # no data: neither met nor not met
        elif goalpost in ("at least", "increase"):
            met = "yes" if value >= threshold else "no"
        elif goalpost in ("at most", "decrease"):
            met = "yes" if value <= threshold else "no"
        else:
            met = "yes" if threshold <= value <= threshold_high else "no"
        required = None
        if metric["extensive"] and due is not None and not passed \
                and goalpost in ("at least", "increase"):
            required = max(threshold - value, F(0)) / days_left
        # Verdict: not yet due while the deadline is ahead; relative targets
        # by their lift (revenue is a sum: a point estimate, no interval),
        # the others by `met`.
        lift = method = None
        if goalpost in ("increase", "decrease"):
            if metric["value"][:2] != ("call", "sum"):
                raise NotImplementedError("only sums are relative targets here")
            lift, method = value / base - 1, "point estimate"
            wanted = values[0] if goalpost == "increase" else -values[0]
            reached = lift >= wanted if goalpost == "increase" else -lift >= -wanted
            verdict = "met" if reached else "not met"
        else:
            verdict = "met" if met == "yes" else "not met"
        if value is None:
            verdict = "no data"
        if due is not None and due > AS_OF:
            verdict = "not yet due"
        if goalpost in ("increase", "decrease"):
            compared_with = "baseline %s to %s" % (baseline[0].isoformat(),
                                                   baseline[1].isoformat())
        else:
            compared_with = "threshold"
        out.append(dict(window_days=length(*window), compared_with=compared_with,
                        missing_source=None, customers=customers,target_number=number, metric=name, goalpost=goalpost,
                        threshold=threshold, threshold_high=threshold_high, baseline=base,
                        window_start=window_start, deadline=due, evaluated_on=evaluated,
                        days_left=days_left, value=value, met=met,
                        required_per_day=required, lift=lift, lift_low=None,
                        lift_high=None, method=method, verdict=verdict))
    return out


# ---------------------------------------------------------------------------
# incentive_<name>


def condition_figure(metric_name, period, party, data, cache):
    if metric_name not in cache:
        cache[metric_name] = compute_metric(metric_name, data)
    values = cache[metric_name]
    if METRICS[metric_name]["attributed"]:
        got = values.get((period, "partner", party))
    else:
        got = values.get((period, "all", None))
    return got[0] if got else None


def cap_period_of(period, cap_per):
    return period_holding(period, cap_per) if cap_per else "agreement"


def incentive_rows(data):
    out = []
    for inc_name, inc in INCENTIVES.items():
        party = inc["party"]
        kind, rate, what = inc["pay"]
        if kind == "share_of_attributed":
            assert what == ATTRIBUTION["name"]
            basis = {p: v for (p, who), v in by_partner(data).items() if who == party}
        else:
            values = compute_metric(what, data)
            basis = {p: v for (p, seg, sv), (v, _) in values.items()
                     if seg == "partner" and sv == party}
        cache = {}
        paid = {}  # cap period -> paid so far
        for period in sorted(basis):
            lines = []
            earned = rate * basis[period]
            lines.append(("earned", inc["pay_text"], basis[period], None, earned))
            every = True
            for metric_name, op, threshold, text in inc["when"]:
                figure = condition_figure(metric_name, period, party, data, cache)
                if figure is None:
                    holds = False
                elif op == "at least":
                    holds = figure >= threshold
                else:
                    holds = figure <= threshold
                every &= holds
                lines.append(("condition", text, figure,
                              "no data" if figure is None else "yes" if holds else "no", None))
            payable = earned if every else F(0)
            if inc["cap"] is not None:
                cap, cap_per, cap_text = inc["cap"]
                key = cap_period_of(period, cap_per)
                remaining = cap - paid.get(key, F(0))
                payout = min(payable, remaining)
                paid[key] = paid.get(key, F(0)) + payout
                lines.append(("cap", cap_text, remaining, None, -(payable - payout)))
            else:
                payout = payable
            lines.append(("payout", "payout", None, None, payout))
            for number, (line, text, figure, holds, amount) in enumerate(lines, 1):
                out.append(dict(incentive=inc_name, period_start=period, party=party,
                                line_number=number, line=line, description=text,
                                figure=figure, holds=holds, amount=amount,
                                share_of_period=F(1)))
    out.sort(key=lambda r: (r["incentive"], r["period_start"], r["party"], r["line_number"]))
    return out


# ---------------------------------------------------------------------------
# Output


def fmt(x):
    """Whole numbers as integers; others to 15 significant digits."""
    if x is None:
        return ""
    if isinstance(x, (str, int)):
        return str(x)
    if isinstance(x, date):
        return x.isoformat()
    if x.denominator == 1:
        return str(x.numerator)
    with localcontext() as ctx:
        ctx.prec = 15
        d = Decimal(x.numerator) / Decimal(x.denominator)
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


SCORECARD_COLUMNS = ["scorecard", "metric", "indicator", "unit", "period_start", "segment",
                     "segment_value", "actual", "customers", "target", "percent_of_target",
                     "status", "previous", "trend"]
TARGET_COLUMNS = ["target_number", "metric", "goalpost", "threshold", "threshold_high",
                  "baseline", "window_start", "deadline", "evaluated_on", "days_left",
                  "value", "met", "required_per_day", "lift", "lift_low", "lift_high",
                  "method", "verdict", "window_days", "compared_with", "missing_source",
                  "customers"]
INCENTIVE_COLUMNS = ["incentive", "period_start", "party", "line_number", "line",
                     "description", "figure", "holds", "amount", "share_of_period"]


def render(columns, rows, rename=None):
    rename = rename or {}
    lines = [",".join(columns)]
    for r in rows:
        lines.append(",".join(fmt(r[rename.get(c, c)]) for c in columns))
    return "\n".join(lines) + "\n"


def outputs(data):
    return {
        "expected_scorecard.csv": render(
            SCORECARD_COLUMNS, scorecard_rows("partner_view", data),
            {"actual": "actual", "target": "target", "percent_of_target": "pct"}),
        "expected_targets.csv": render(TARGET_COLUMNS, target_rows(data)),
        "expected_incentives.csv": render(INCENTIVE_COLUMNS, incentive_rows(data)),
    }


# ---------------------------------------------------------------------------
# Self-test: the hand computations of README.md

D = date


def self_test(data):
    ok = True

    def check(label, got, want):
        nonlocal ok
        good = got == want
        ok &= good
        print("%-4s %s: want %s, got %s" % ("ok" if good else "FAIL", label,
                                            fmt(want) if not isinstance(want, (dict, tuple, list)) else want,
                                            fmt(got) if not isinstance(got, (dict, tuple, list)) else got))

    # Credits of the customers (last touch, 30 days).
    credits = customer_credits(data)
    hand = {"c01": "alpha", "c02": "alpha", "c03": "beta", "c04": "beta",
            "c05": UNATTRIBUTED, "c06": UNATTRIBUTED, "c07": "alpha", "c08": "alpha",
            "c09": "beta", "c10": "beta", "c11": UNATTRIBUTED, "c12": UNATTRIBUTED,
            "c13": "alpha", "c14": "alpha", "c15": "beta", "c16": "beta",
            "c17": UNATTRIBUTED, "c18": UNATTRIBUTED, "c19": "alpha", "c20": "alpha",
            "c21": "beta", "c22": "beta", "c23": "beta", "c24": UNATTRIBUTED,
            "c25": UNATTRIBUTED}
    check("credits", {c: list(v)[0] for c, v in credits.items()}, hand)

    card = {(r["metric"], r["period_start"], r["segment"], r["segment_value"]): r
            for r in scorecard_rows("partner_view", data)}

    def row(metric, period, seg="all", val=None):
        return card.get((metric, period, seg, val))

    # The suppressed cell: new_customers, March, plan pro (c13 only).
    r = row("new_customers", D(2026, 3, 1), "plan", "pro")
    check("suppressed cell", (r["actual"], r["customers"], r["target"], r["pct"],
                              r["status"], r["previous"], r["trend"]),
          (None, None, None, None, "suppressed", None, None))
    check("only one suppressed cell",
          [k for k, v in card.items() if v["status"] == "suppressed"],
          [("new_customers", D(2026, 3, 1), "plan", "pro")])
    r = row("new_customers", D(2026, 4, 1), "plan", "pro")
    check("after the suppressed cell", (r["actual"], r["customers"], r["previous"], r["trend"]),
          (F(4), 4, None, None))
    # Per-quarter target scaled to months: 18 x 31/90, 18 x 28/90, 18 x 30/91.
    check("per quarter, January", row("new_customers", D(2026, 1, 1))["target"], F(31, 5))
    check("per quarter, February", row("new_customers", D(2026, 2, 1))["target"], F(28, 5))
    check("per quarter, April", row("new_customers", D(2026, 4, 1))["target"], F(540, 91))
    r = row("new_customers", D(2026, 1, 1))
    check("new_customers January all", (r["actual"], r["pct"], r["status"]),
          (F(6), F(30, 31), "on track"))
    r = row("new_customers", D(2026, 4, 1), "partner", "beta")
    check("new_customers April beta", (r["actual"], r["pct"], r["status"], r["previous"], r["trend"]),
          (F(3), F(3) / F(540, 91), "off track", F(2), "up"))
    # Relative target: January revenue per group x 1.3 x (month length / 31);
    # progress is the achieved change over the targeted change.
    r = row("revenue", D(2026, 1, 1))
    check("revenue January", (r["actual"], r["target"], r["pct"], r["status"]),
          (F(1100), F(1430), F(0), "off track"))
    r = row("revenue", D(2026, 2, 1))
    base = F(1100 * 28, 31)
    check("revenue February", (r["actual"], r["target"], r["pct"], r["status"], r["trend"]),
          (F(970), F(1430 * 28, 31), (F(970) - base) / (F(1430 * 28, 31) - base),
           "off track", "down"))
    r = row("revenue", D(2026, 2, 1), "plan", "basic")
    check("revenue February basic", (r["actual"], r["target"], r["status"]),
          (F(460), F(290) * F(13, 10) * F(28, 31), "on track"))
    check("no region group in the scorecard",
          [k for k in card if k[2] == "region"], [])
    # avg_order: every status but suppressed.
    r = row("avg_order", D(2026, 2, 1), "partner", "alpha")
    check("avg_order February alpha", (r["actual"], r["customers"], r["pct"], r["status"]),
          (F(60), 3, F(3, 5), "off track"))
    r = row("avg_order", D(2026, 2, 1), "plan", "basic")
    check("avg_order February basic", (r["actual"], r["pct"], r["status"]),
          (F(460, 6), F(460, 600), "at risk"))
    r = row("avg_order", D(2026, 1, 1), "plan", "basic")
    check("avg_order January basic", (r["actual"], r["pct"], r["status"]),
          (F(290, 3), F(290, 300), "on track"))
    # at most: 0 is on track, with no percent.
    r = row("ticket_rate", D(2026, 1, 1))
    check("ticket_rate January", (r["actual"], r["customers"], r["target"], r["pct"], r["status"]),
          (F(0), 6, F(1, 4), None, "on track"))
    r = row("ticket_rate", D(2026, 3, 1))
    check("ticket_rate March", (r["actual"], r["customers"], r["pct"], r["status"], r["trend"]),
          (F(1, 3), 11, F(3, 4), "at risk", "up"))
    # No target; trends up, flat, down.
    check("demo_requests trends",
          [(row("demo_requests", D(2026, m, 1))["actual"], row("demo_requests", D(2026, m, 1))["trend"],
            row("demo_requests", D(2026, m, 1))["status"]) for m in (1, 2, 3, 4)],
          [(F(4), None, "no target"), (F(6), "up", "no target"),
           (F(6), "flat", "no target"), (F(3), "down", "no target")])
    check("statuses present", sorted({v["status"] for v in card.values()}),
          ["at risk", "no target", "off track", "on track", "suppressed"])

    # Targets.
    t = {r["target_number"]: r for r in target_rows(data)}
    check("target 1 (per quarter, no deadline)",
          (t[1]["window_start"], t[1]["evaluated_on"], t[1]["deadline"], t[1]["days_left"],
           t[1]["value"], t[1]["met"], t[1]["required_per_day"]),
          (D(2026, 4, 1), D(2026, 4, 30), None, None, F(7), "no", None))
    check("target 2 (relative, deadline ahead)",
          (t[2]["baseline"], t[2]["threshold"], t[2]["value"], t[2]["days_left"], t[2]["met"],
           t[2]["required_per_day"]),
          (F(1100 * 120, 31), F(1100 * 120, 31) * F(13, 10), F(5355), 61, "no",
           (F(171600, 31) - 5355) / 61))
    check("target 3 (deadline passed)",
          (t[3]["evaluated_on"], t[3]["days_left"], t[3]["value"], t[3]["met"], t[3]["required_per_day"]),
          (D(2026, 3, 31), 0, F(3695, 23), "yes", None))
    check("target 4 (between, within 60 days)",
          (t[4]["deadline"], t[4]["threshold"], t[4]["threshold_high"], t[4]["value"], t[4]["met"]),
          (D(2026, 3, 1), F(90), F(300), F(2070, 14), "yes"))
    check("target 5 (at most, no deadline)",
          (t[5]["window_start"], t[5]["value"], t[5]["met"]), (D(2026, 1, 1), F(6, 25), "yes"))
    check("target 6 (within 30 days of the pilot)",
          (t[6]["window_start"], t[6]["deadline"], t[6]["evaluated_on"], t[6]["value"], t[6]["met"]),
          (D(2026, 3, 1), D(2026, 3, 30), D(2026, 3, 30), F(5), "yes"))

    # Incentives.
    inc = {(r["incentive"], r["period_start"], r["line"]): r for r in incentive_rows(data)}

    def lines(name, period):
        return [(inc[(name, period, l)]["figure"], inc[(name, period, l)]["holds"],
                 inc[(name, period, l)]["amount"])
                for l in ("earned", "condition", "cap", "payout")]

    check("alpha_share January", lines("alpha_share", D(2026, 1, 1)),
          [(F(420), None, F(42)), (F(210), "yes", None), (F(60), None, F(0)), (None, None, F(42))])
    check("alpha_share February (condition fails)", lines("alpha_share", D(2026, 2, 1)),
          [(F(130), None, F(13)), (F(60), "no", None), (F(18), None, F(0)), (None, None, F(0))])
    check("alpha_share March (cap binds)", lines("alpha_share", D(2026, 3, 1)),
          [(F(450), None, F(45)), (F(250), "yes", None), (F(18), None, F(-27)), (None, None, F(18))])
    check("alpha_share April (new quarter)", lines("alpha_share", D(2026, 4, 1)),
          [(F(420), None, F(42)), (F(160), "yes", None), (F(60), None, F(0)), (None, None, F(42))])
    check("beta_bounty April", lines("beta_bounty", D(2026, 4, 1)),
          [(F(3), None, F(150)), (F(1, 9), "yes", None), (F(700), None, F(0)), (None, None, F(150))])
    check("no May statement (o33 is after today)",
          [k for k in inc if k[1] > D(2026, 4, 30)], [])
    return ok


def main(argv):
    data = load()
    if "--self-test" in argv:
        return 0 if self_test(data) else 1
    files = outputs(data)
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
