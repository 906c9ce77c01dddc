#!/usr/bin/env python3
"""Compute expected.csv for the pilot evaluation fixtures, without SQL.

Plain-Python reading of docs/scorecard.md, section "`pilot_<name>`" (and the
shared conventions at its top), as listed in README.md: per expectation of
every pilot (and per pilot partner for a metric attributed to partners,
except against control customers), the metric over the baseline (or control
partners, or control customers) and over the pilot window, the scale,
the lift with its 95% interval (Newcombe's hybrid score for rates, a Poisson
rate ratio for extensive metrics, a point estimate otherwise, a threshold for
absolute goalposts) and the verdict, as of the date in the file `as_of`.

The sources, events, attribution, metrics and pilots below must match
agreement.pactum in this folder; they are written out by hand here rather
than read from the agreement, so that this program shares no code with the
compiler. The attribution step (eligible touches and first-touch shares)
is imported from ../attribution/compute_expected.py, as ../partners does.

Usage:
    python3 compute_expected.py              # print expected.csv to stdout
    python3 compute_expected.py --write      # write expected.csv next to this file
    python3 compute_expected.py --self-test  # check the hand computations of README.md

Metric values, scales and lifts are exact Fractions; interval bounds are
floats from plain `math` (sqrt, exp, log). Whole values are written as
integers, other Fractions with 15 significant digits, floats with repr().
"""

import csv
import importlib.util
import math
import os
import sys
from datetime import date, datetime, timedelta
from decimal import Decimal, localcontext
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))

Z = 1.959963984540054  # the 97.5% normal quantile, as in docs/scorecard.md


def _attribution_module():
    sys.dont_write_bytecode = True  # leave ../attribution as it is
    path = os.path.join(HERE, "..", "attribution", "compute_expected.py")
    spec = importlib.util.spec_from_file_location("attribution_expected", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ATTRIBUTION = _attribution_module()


def read_as_of():
    with open(os.path.join(HERE, "as_of")) as f:
        return date.fromisoformat(f.read().strip())


AS_OF = read_as_of()

# ---------------------------------------------------------------------------
# Data: sources, events, attribution (as declared in agreement.pactum)

# source name -> (file, customer column, time column, {column: type})
SOURCES = {
    "orders": ("orders.csv", "customer_id", "ordered_at",
               {"order_id": "text", "amount": "money", "order_type": "text"}),
    "trials": ("trials.csv", "customer_id", "started_at", {"trial_id": "text"}),
    "touches": ("touches.csv", "customer_id", "occurred_at",
                {"touch_id": "text", "partner_id": "text", "channel": "text"}),
    "accounts": ("accounts.csv", "customer_id", "opened_at",
                 {"account_id": "text", "region": "text"}),
}

# event name -> (source, row filter)
EVENTS = {
    "touch": ("touches", lambda r: True),
    "trial": ("trials", lambda r: True),
    "purchase": ("orders", lambda r: r["order_type"] == "new"),
    "refund": ("orders", lambda r: r["order_type"] == "refund"),
}

# `identified by partner_id ...`; other codes are credited under the raw code.
PARTY_OF_CODE = {"A": "alpha", "A2": "alpha", "B": "beta", "C": "gamma", "D": "delta"}
UNATTRIBUTED = ATTRIBUTION.UNATTRIBUTED

# attribution credit: touches touches, credit partner_id, channel channel,
# conversions purchase, model first_touch, lookback 30 days.
CREDIT = dict(name="credit", model=("first_touch",), lookback=30 * ATTRIBUTION.DAY)

# ---------------------------------------------------------------------------
# Metrics (as declared in agreement.pactum)
#
# kind: "count_distinct" (of the event's customer key), "count", "avg" (of a
# column of the event), "conversion" (conversion_rate(A, B, within D days)).
# Extensive: built only from count, count_distinct and sum.

METRICS = {
    "new_customers": dict(kind="count_distinct", event="purchase", extensive=True),
    "trial_to_paid": dict(kind="conversion", a="trial", b="purchase", within=30,
                          extensive=False),
    "avg_order": dict(kind="avg", event="purchase", column="amount", extensive=False),
    "refunds": dict(kind="count", event="refund", extensive=True),
    "referred_customers": dict(kind="count_distinct", event="purchase", extensive=True,
                               attributed=True),
}

# ---------------------------------------------------------------------------
# Pilots (as declared in agreement.pactum). Expectations, in file order:
# (metric, goalpost, amount, deadline) with goalpost "increase", "decrease"
# or "at least"; amount the fraction A of `increase A%` / `decrease A%`
# (0 for a bare increase) or T of `at least T`; deadline None, ("by", date)
# or ("within", n, "days" | "months").
#
# `control customers where S.C = V` is written (S, C, V): a customer matches
# when at least one of their rows of source S (up to today) has C = V (a NULL
# C equals nothing); a customer without any row of S does not match.

D = date.fromisoformat
PCT = Fraction(1, 100)

PILOTS = [
    dict(name="winter_trials", partners=["alpha"],
         during=(D("2026-02-01"), D("2026-03-31")),
         baseline=(D("2026-01-01"), D("2026-01-31")),
         expect=[
             ("trial_to_paid", "increase", 25 * PCT, None),
             ("trial_to_paid", "increase", 350 * PCT, None),
             ("new_customers", "increase", 20 * PCT, ("within", 45, "days")),
             ("avg_order", "decrease", 10 * PCT, None),
             ("new_customers", "at least", Fraction(10), ("by", D("2026-02-28"))),
         ],
         minimum=4),
    dict(name="referral_race", partners=["alpha", "beta"],
         during=(D("2026-04-01"), D("2026-05-31")),
         control_partners=["gamma", "delta"],
         expect=[
             ("referred_customers", "increase", 50 * PCT, None),
             ("referred_customers", "increase", Fraction(0), None),
         ]),
    dict(name="refund_desk", partners=["beta"],
         during=(D("2026-03-01"), D("2026-04-30")),
         baseline=(D("2026-01-01"), D("2026-02-28")),
         expect=[
             ("refunds", "decrease", 20 * PCT, ("within", 1, "months")),
         ]),
    dict(name="summer_launch", partners=["gamma"],
         during=(D("2026-06-01"), D("2026-07-31")),
         baseline=(D("2026-05-01"), D("2026-05-31")),
         expect=[
             ("avg_order", "increase", 5 * PCT, None),
             ("new_customers", "at least", Fraction(4), ("by", D("2026-06-30"))),
         ]),
    dict(name="eu_holdout", partners=["alpha"],
         during=(D("2026-02-01"), D("2026-03-31")),
         control_customers=("accounts", "region", "EU"),
         expect=[
             ("trial_to_paid", "increase", 100 * PCT, None),
             ("referred_customers", "increase", 50 * PCT, None),
         ]),
    dict(name="spring_referrals", partners=["alpha", "beta"],
         during=(D("2026-04-01"), D("2026-05-31")),
         baseline=(D("2026-02-01"), D("2026-03-31")),
         expect=[
             ("referred_customers", "increase", 50 * PCT, None),
             ("referred_customers", "at least", Fraction(10), None),
         ],
         minimum=2),
    dict(name="quiet_start", partners=["delta"],
         during=(D("2026-02-01"), D("2026-02-28")),
         baseline=(D("2026-01-01"), D("2026-01-15")),
         expect=[
             ("refunds", "decrease", 10 * PCT, None),
         ]),
]

# ---------------------------------------------------------------------------
# Loading


def parse_time(text):
    # Timestamps carry no zone; the agreement's zone is UTC.
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")


def load(as_of=AS_OF):
    """source name -> rows {"customer", "time", column: value}, without the
    rows after the end of the as-of day (they are ignored everywhere)."""
    data = {}
    for name, (file, cust, time, columns) in SOURCES.items():
        rows = []
        with open(os.path.join(HERE, file), newline="") as f:
            for raw in csv.DictReader(f):
                row = {"customer": raw[cust], "time": parse_time(raw[time])}
                if row["time"].date() > as_of:
                    continue
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


def rows_of(event, data):
    source, keep = EVENTS[event]
    return [r for r in data[source] if keep(r)]


# ---------------------------------------------------------------------------
# Attribution: the shares of each customer's first conversion


def customer_credits(data):
    """customer -> {party: share > 0} of the customer's first conversion
    (earliest purchase; ties by order id). Customers without a conversion
    are absent: they count as `unattributed`, share 1."""
    touches = [dict(id=r["touch_id"], customer=r["customer"], time=r["time"],
                    partner=r["partner_id"], channel=r["channel"])
               for r in data["touches"]]
    first = {}
    for r in rows_of("purchase", data):
        key = (r["time"], r["order_id"])
        if r["customer"] not in first or key < first[r["customer"]][0]:
            first[r["customer"]] = (key, r)
    out = {}
    for customer, ((_, order_id), r) in sorted(first.items()):
        conversion = dict(id=order_id, customer=customer, time=r["time"])
        path = ATTRIBUTION.eligible_touches(conversion, touches, CREDIT)
        if not path:
            out[customer] = {UNATTRIBUTED: Fraction(1)}
            continue
        credits = {}
        for touch, share in zip(path, ATTRIBUTION.shares(conversion, path, CREDIT)):
            party = PARTY_OF_CODE.get(touch["partner"], touch["partner"])
            credits[party] = credits.get(party, Fraction(0)) + share
        out[customer] = {p: s for p, s in credits.items() if s > 0}
        assert sum(out[customer].values()) == 1
    return out


def weight(customer, party, credits):
    """The share with which a row of `customer` counts for `party` (None:
    the `all` group, weight 1)."""
    if party is None:
        return Fraction(1)
    return credits.get(customer, {UNATTRIBUTED: Fraction(1)}).get(party, Fraction(0))


# ---------------------------------------------------------------------------
# A metric over a window


def in_window(t, window):
    start, end = window
    return start <= t.date() <= end  # start of day A to end of day B


def days_between(later, earlier):
    """Calendar days from the date of `earlier` to the date of `later`."""
    return (later.date() - earlier.date()).days


def conversion_cohort(metric, window, data):
    """[(customer, converted)] for conversion_rate(A, B, within D): customers
    whose first A row (ever, up to today) falls in the window and who are
    mature (today - day 0 >= D), converted when a B row is at or after the
    first A with date(B) - day 0 <= D."""
    a_rows = rows_of(metric["a"], data)
    b_rows = rows_of(metric["b"], data)
    within = metric["within"]
    first = {}
    for r in a_rows:
        if r["customer"] not in first or r["time"] < first[r["customer"]]:
            first[r["customer"]] = r["time"]
    # Readings agree: the as-of date and the latest B date up to it give the
    # same mature customers in every window of this fixture (checked here).
    latest_b = max(r["time"] for r in b_rows).date()
    out = []
    for customer, t0 in sorted(first.items()):
        if not in_window(t0, window):
            continue
        mature = (AS_OF - t0.date()).days >= within
        assert mature == ((latest_b - t0.date()).days >= within), customer
        if not mature:
            continue
        converted = any(b["customer"] == customer and b["time"] >= t0
                        and days_between(b["time"], t0) <= within for b in b_rows)
        out.append((customer, converted))
    return out


def matching_customers(condition, data):
    """The customers with at least one row of the condition's source (up to
    today) whose column equals the value; NULL equals nothing."""
    source, column, value = condition
    return {r["customer"] for r in data[source] if r[column] is not None and r[column] == value}


def metric_over(name, window, party, data, credits, customers_in=None):
    """(value, customers) of metric `name` over `window` for the group `all`
    (party None) or a partner, read only from the rows of the customers for
    which `customers_in` holds (every customer when None). Counts of a group
    without rows are 0; an average or a rate without rows is None."""
    metric = METRICS[name]
    kind = metric["kind"]
    if party is not None:
        assert metric.get("attributed")
    if customers_in is None:
        customers_in = lambda customer: True  # noqa: E731
    if kind == "conversion":
        # The filter keeps or drops all of a customer's rows of both events,
        # so it keeps or drops the customer's whole cohort entry.
        cohort = [(c, ok, weight(c, party, credits))
                  for c, ok in conversion_cohort(metric, window, data) if customers_in(c)]
        cohort = [(c, ok, w) for c, ok, w in cohort if w > 0]
        total = sum((w for _, _, w in cohort), Fraction(0))
        if not cohort:
            return None, 0
        return sum((w for _, ok, w in cohort if ok), Fraction(0)) / total, len(cohort)
    rows = [(r, weight(r["customer"], party, credits))
            for r in rows_of(metric["event"], data)
            if in_window(r["time"], window) and customers_in(r["customer"])]
    rows = [(r, w) for r, w in rows if w > 0]
    customers = len({r["customer"] for r, _ in rows})
    if kind == "count":
        return sum((w for _, w in rows), Fraction(0)), customers
    if kind == "count_distinct":
        largest = {}
        for r, w in rows:
            largest[r["customer"]] = max(largest.get(r["customer"], Fraction(0)), w)
        return sum(largest.values(), Fraction(0)), customers
    if kind == "avg":
        pairs = [(r[metric["column"]], w) for r, w in rows if r[metric["column"]] is not None]
        if not pairs:
            return None, customers
        return (sum((w * x for x, w in pairs), Fraction(0))
                / sum((w for _, w in pairs), Fraction(0))), customers
    raise ValueError(kind)


def control_over(name, window, parties, data, credits):
    """The control partners' figure: counts added up (the only kind of
    metric this fixture compares against control partners); customers added
    up too, which with first-touch credits equals the distinct customers."""
    assert METRICS[name]["extensive"]
    figures = [metric_over(name, window, p, data, credits) for p in parties]
    return sum((v for v, _ in figures), Fraction(0)), sum(c for _, c in figures)


# ---------------------------------------------------------------------------
# Windows


def add_months(d, n):
    """Calendar months: 2026-01-05 plus 6 months is 2026-07-05."""
    month = d.month - 1 + n
    year = d.year + month // 12
    month = month % 12 + 1
    last = [31, 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28,
            31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return date(year, month, min(d.day, last))


def pilot_window(pilot, deadline):
    """`during`'s start to the deadline (`by D`; `within N` counted from the
    start, the start being day 1), else `during`'s end."""
    start, end = pilot["during"]
    if deadline is None:
        return start, end
    if deadline[0] == "by":
        return start, deadline[1]
    _, n, unit = deadline
    if unit == "days":
        return start, start + timedelta(days=n - 1)
    return start, add_months(start, n) - timedelta(days=1)


def length(window):
    return (window[1] - window[0]).days + 1


# ---------------------------------------------------------------------------
# Intervals (docs/scorecard.md, as written there)


def wilson(p, n):
    """(low, high): (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)."""
    z2 = Z * Z
    centre = p + z2 / (2 * n)
    half = Z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return (centre - half) / (1 + z2 / n), (centre + half) / (1 + z2 / n)


def newcombe(p1, n1, p0, n0):
    """(d_low, d_high) of d = p1 - p0, Newcombe's hybrid score."""
    l1, u1 = wilson(p1, n1)
    l0, u0 = wilson(p0, n0)
    d = p1 - p0
    return (d - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2),
            d + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2))


def poisson_bounds(x1, t1, x0, t0):
    """(r_low, r_high) of r = (x1/t1)/(x0/t0): exp(ln r ± z·sqrt(1/x1 + 1/x0))."""
    r = (x1 / t1) / (x0 / t0)
    half = Z * math.sqrt(1 / x1 + 1 / x0)
    return math.exp(math.log(r) - half), math.exp(math.log(r) + half)


# ---------------------------------------------------------------------------
# Evaluation

MARGIN = 1e-6  # no verdict of the fixture may hang on a rounding error


def away(a, b):
    assert abs(float(a) - float(b)) > MARGIN, (a, b)


DEFAULT_MINIMUM = 30  # `minimum group` when a pilot does not say

REASONS = {
    "small": "a group has fewer than %d customers and the method gives no interval",
    "no lift": "no lift: a figure is empty or the one compared with is zero",
    "no interval": "no interval: a count is zero",
    "straddles": "the interval holds both no change and the target",
    "no data": "a source the metric reads has no rows in a window",
}


def reason_of(goalpost, due, lift, low, high, target, method, groups, minimum, missing):
    """Why the verdict is `inconclusive` or `no data` (None otherwise)."""
    if AS_OF < due:
        return None
    if missing is not None:
        return REASONS["no data"]
    if method in ("threshold", "point estimate") and min(groups) < minimum:
        return REASONS["small"] % minimum
    if goalpost == "at least":
        return None
    if goalpost == "decrease":
        lift = None if lift is None else -lift
        low, high = (None if high is None else -high), (None if low is None else -low)
        target = -target
    if lift is None:
        return REASONS["no lift"]
    if low is None and method != "point estimate":
        if lift >= target:
            return None
        return REASONS["no interval"]
    if low is None or (lift >= target and low > 0):
        return None
    if low <= 0 <= high and low <= target <= high:
        return REASONS["straddles"]
    return None


def verdict(goalpost, amount, due, pilot_value, lift, low, high, target, method, groups,
            minimum, missing):
    if AS_OF < due:
        return "not yet due"
    if missing is not None:
        return "no data"
    if method in ("threshold", "point estimate") and min(groups) < minimum:
        return "inconclusive"
    if goalpost == "at least":
        # (exact Fractions: summer_launch #2 is met with exactly T)
        return "met" if pilot_value is not None and pilot_value >= amount else "not met"
    if goalpost == "decrease":  # negate lift, bounds and target; swap the bounds
        lift = None if lift is None else -lift
        low, high = (None if high is None else -high), (None if low is None else -low)
        target = -target
    if lift is None:
        return "inconclusive"
    if low is None and method == "point estimate":  # no interval
        away(lift, target)
        return "met" if lift >= target else "not met"
    if low is None:  # an interval method without bounds (a zero count)
        return "met" if lift >= target else "inconclusive"
    for x in (lift, low, high):
        for y in (target, 0):
            away(x, y)
    if lift >= target and low > 0:
        return "met"
    if low <= 0 <= high and low <= target <= high:
        return "inconclusive"
    return "not met"


def evaluate(pilot, number, expectation, party, data, credits):
    name, goalpost, amount, deadline = expectation
    metric = METRICS[name]
    window = pilot_window(pilot, deadline)
    due = window[1]
    treated = None  # every customer
    if "control_partners" in pilot:
        design = "control partners"
        base_window = window
        base_value, base_customers = control_over(name, window, pilot["control_partners"],
                                                  data, credits)
    elif "control_customers" in pilot:
        # Treatment: the customers who do not match the condition (also
        # those without any row in its source); control: those who do. Both
        # over the pilot window, the group `all`.
        design = "control customers"
        assert party is None
        base_window = window
        matching = matching_customers(pilot["control_customers"], data)
        treated = lambda customer: customer not in matching  # noqa: E731
        base_value, base_customers = metric_over(name, window, None, data, credits,
                                                 lambda customer: customer in matching)
    else:
        # Before/after: the same group (`all`, or the partner) over the
        # baseline window.
        design = "before/after"
        base_window = pilot["baseline"]
        base_value, base_customers = metric_over(name, base_window, party, data, credits)
    control = design != "before/after"
    value, customers = metric_over(name, window, party, data, credits, treated)
    t1, t0 = length(window), length(base_window)
    # Populations: what counts and sums are compared per.
    if design == "before/after":
        unit, pop0, pop1 = "day", t0, t1
    elif design == "control partners":
        unit, pop0, pop1 = "partner", len(pilot["control_partners"]), 1
    else:
        # The customers of the condition's source with a row up to today:
        # those with a matching row are the control's population.
        source = pilot["control_customers"][0]
        known = {r["customer"] for r in data[source] if r["customer"] is not None}
        pop0 = len(known & matching)
        pop1 = len(known) - pop0
        unit = "customer of " + source
    scale = Fraction(pop1, pop0) if metric["extensive"] else Fraction(1)

    lift = low = high = target = None
    if goalpost == "at least":
        method = "threshold"
    else:
        target = amount if goalpost == "increase" else -amount
        if metric["kind"] == "conversion":
            method = "newcombe"
            if value is not None and base_value:  # p0 > 0
                lift = (value - base_value) / base_value
                d_low, d_high = newcombe(float(value), customers,
                                         float(base_value), base_customers)
                low, high = d_low / float(base_value), d_high / float(base_value)
        elif metric["extensive"]:
            method = "poisson rate ratio"
            if base_value:  # x0 > 0
                r = value / (base_value * scale)
                lift = r - 1
            if value and base_value:  # x1 > 0 and x0 > 0
                r_low, r_high = poisson_bounds(float(value), pop1, float(base_value), pop0)
                low, high = r_low - 1, r_high - 1
        else:
            method = "point estimate"
            if value is not None and base_value:
                lift = value / (base_value * scale) - 1
    groups = [customers] if goalpost == "at least" else [customers, base_customers]
    minimum = pilot.get("minimum", DEFAULT_MINIMUM)
    # No data: the metric's source has no rows in the pilot window or the
    # baseline (this fixture's metrics each read one source).
    source = EVENTS[metric.get("event") or metric["a"]][0]
    windows = [window] + ([] if control else [base_window])
    missing = None
    for w in windows:
        if not any(in_window(r["time"], w) for r in data[source]):
            missing = source
    return dict(
        pilot=pilot["name"], expectation=number, metric=name, partner=party,
        design=design,
        baseline_start=None if control else base_window[0],
        baseline_end=None if control else base_window[1],
        pilot_start=window[0], pilot_end=window[1], due=due,
        baseline_value=base_value, baseline_customers=base_customers,
        pilot_value=value, pilot_customers=customers, scale=scale,
        lift=lift, lift_low=low, lift_high=high, target_lift=target,
        method=method,
        verdict=verdict(goalpost, amount, due, value, lift, low, high, target, method,
                        groups, minimum, missing),
        unit=unit, baseline_population=pop0, pilot_population=pop1,
        control_value=None, control_customers=None, control_before_value=None,
        control_before_customers=None, missing_source=missing,
        reason=reason_of(goalpost, due, lift, low, high, target, method, groups, minimum,
                         missing),
    )


def all_rows(data):
    credits = customer_credits(data)
    rows = []
    for pilot in PILOTS:
        for number, expectation in enumerate(pilot["expect"], start=1):
            if (METRICS[expectation[0]].get("attributed")
                    and "control_customers" not in pilot):
                parties = pilot["partners"]  # one row per pilot partner
            else:
                parties = [None]
            for party in parties:
                rows.append(evaluate(pilot, number, expectation, party, data, credits))
    # pilot, expectation, partner (empty first, then byte order)
    rows.sort(key=lambda r: (r["pilot"].encode(), r["expectation"],
                             r["partner"] is not None, (r["partner"] or "").encode()))
    return rows


# ---------------------------------------------------------------------------
# Output

COLUMNS = ["pilot", "expectation", "metric", "partner", "design", "baseline_start",
           "baseline_end", "pilot_start", "pilot_end", "due", "baseline_value",
           "baseline_customers", "pilot_value", "pilot_customers", "scale", "lift",
           "lift_low", "lift_high", "target_lift", "method", "verdict", "unit",
           "baseline_population", "pilot_population", "control_value", "control_customers",
           "control_before_value", "control_before_customers", "missing_source", "reason"]


def fmt(x):
    """Whole numbers as integers; other Fractions to 15 significant digits;
    floats with repr()."""
    if x is None:
        return ""
    if isinstance(x, (str, int)):
        return str(x)
    if isinstance(x, date):
        return x.isoformat()
    if isinstance(x, float):
        return str(int(x)) if x.is_integer() else repr(x)
    if x.denominator == 1:
        return str(x.numerator)
    with localcontext() as ctx:
        ctx.prec = 15
        d = Decimal(x.numerator) / Decimal(x.denominator)
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def render(rows):
    lines = [",".join(COLUMNS)]
    for row in rows:
        lines.append(",".join(fmt(row[c]) for c in COLUMNS))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# Self-test: second computations and the hand computations of README.md


def wilson_roots(x, n, z):
    """Wilson's score interval as the two roots in π of
    (x/n - π)² = z²·π(1 - π)/n, i.e. (n + z²)π² - (2x + z²)π + x²/n = 0,
    solved with the quadratic formula (a transcription independent of
    `wilson`, which uses the closed form of docs/scorecard.md)."""
    a = n + z * z
    b = -(2 * x + z * z)
    c = x * x / n
    disc = math.sqrt(b * b - 4 * a * c)
    return (-b - disc) / (2 * a), (-b + disc) / (2 * a)


def newcombe_method_10(x1, n1, x2, n2, z=Z):
    """Newcombe (1998), method 10, for θ = π1 - π2: with (l_i, u_i) the
    Wilson limits, δ = sqrt((p1 - l1)² + (u2 - p2)²) and
    ε = sqrt((u1 - p1)² + (p2 - l2)²), the interval is (θ̂ - δ, θ̂ + ε)."""
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_roots(x1, n1, z)
    l2, u2 = wilson_roots(x2, n2, z)
    delta = math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    epsilon = math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return p1 - p2 - delta, p1 - p2 + epsilon


F = Fraction

# Credits of the customers with a purchase in the referral_race window.
HAND_CREDITS = {
    "c11": UNATTRIBUTED, "c41": "alpha", "c42": "alpha", "c43": "alpha",
    "c44": "alpha", "c45": "alpha", "c46": "alpha", "c47": "alpha",
    "c48": "alpha", "c49": "alpha", "c50": "alpha", "c51": "alpha",
    "c52": "alpha", "c53": "beta", "c54": "beta", "c55": "gamma",
    "c56": "gamma", "c57": "delta", "c58": UNATTRIBUTED, "c59": "Z",
    "c60": "delta",
}

# Credits of the customers with a purchase in the spring_referrals baseline
# (2026-02-01..03-31), from the touches t26..t36 added for it: every
# customer's first conversion is in that window.
HAND_CREDITS_BASELINE = {
    "c11": UNATTRIBUTED, "c12": "alpha", "c13": "alpha", "c14": "alpha",
    "c02": "beta", "c04": "beta", "c34": "beta", "c05": "beta", "c16": "beta",
    "c17": "beta", "c15": "beta", "c18": "beta", "c35": UNATTRIBUTED,
    "c36": UNATTRIBUTED,
}

# eu_holdout: the customers with a row of `accounts` whose region is "EU"
# (the control group), and customers of its windows who do not match.
HAND_EU = {"c12", "c19", "c20", "c02", "c34", "c36"}
HAND_NOT_EU = {
    "c11",  # US only
    "c13", "c17", "c18", "c04", "c35",  # no row in accounts
    "c14",  # "eu": text is compared exactly
    "c15",  # NULL region: matches nothing
    "c16",  # UK and US
    "c05",  # US
}

# (pilot, expectation, partner): (baseline_start, baseline_end, pilot_end,
#  baseline_value, baseline_customers, pilot_value, pilot_customers, scale,
#  lift, lift_low, lift_high, target_lift, method, verdict); bounds to 4
#  decimals as computed by hand in README.md.
HAND = {
    ("winter_trials", 1, None): (
        "2026-01-01", "2026-01-31", "2026-03-31", F(1, 5), 10, F(4, 5), 10, F(1),
        F(3), 0.8091, 4.0134, F(1, 4), "newcombe", "met"),
    ("winter_trials", 2, None): (
        "2026-01-01", "2026-01-31", "2026-03-31", F(1, 5), 10, F(4, 5), 10, F(1),
        F(3), 0.8091, 4.0134, F(7, 2), "newcombe", "not met"),
    ("winter_trials", 3, None): (
        "2026-01-01", "2026-01-31", "2026-03-17", F(4), 4, F(12), 12, F(45, 31),
        F(16, 15), -0.3335, 5.4078, F(1, 5), "poisson rate ratio", "inconclusive"),
    ("winter_trials", 4, None): (
        "2026-01-01", "2026-01-31", "2026-03-31", F(100), 4, F(96), 14, F(1),
        F(-1, 25), None, None, F(-1, 10), "point estimate", "not met"),
    ("winter_trials", 5, None): (
        "2026-01-01", "2026-01-31", "2026-02-28", F(4), 4, F(8), 8, F(28, 31),
        None, None, None, None, "threshold", "not met"),
    ("referral_race", 1, "alpha"): (
        None, None, "2026-05-31", F(3), 3, F(12), 12, F(1, 2),
        F(7), 1.2576, 27.349, F(1, 2), "poisson rate ratio", "met"),
    ("referral_race", 1, "beta"): (
        None, None, "2026-05-31", F(3), 3, F(2), 2, F(1, 2),
        F(1, 3), -0.7772, 6.9795, F(1, 2), "poisson rate ratio", "inconclusive"),
    ("referral_race", 2, "alpha"): (
        None, None, "2026-05-31", F(3), 3, F(12), 12, F(1, 2),
        F(7), 1.2576, 27.349, F(0), "poisson rate ratio", "met"),
    ("referral_race", 2, "beta"): (
        None, None, "2026-05-31", F(3), 3, F(2), 2, F(1, 2),
        F(1, 3), -0.7772, 6.9795, F(0), "poisson rate ratio", "inconclusive"),
    ("refund_desk", 1, None): (
        "2026-01-01", "2026-02-28", "2026-03-31", F(6), 5, F(2), 2, F(31, 59),
        F(-34, 93), -0.8720, 2.1432, F(-1, 5), "poisson rate ratio", "inconclusive"),
    ("summer_launch", 1, None): (
        "2026-05-01", "2026-05-31", "2026-07-31", F(100), 9, F(108), 4, F(1),
        F(2, 25), None, None, F(1, 20), "point estimate", "not yet due"),
    ("summer_launch", 2, None): (
        "2026-05-01", "2026-05-31", "2026-06-30", F(9), 9, F(4), 4, F(30, 31),
        None, None, None, None, "threshold", "inconclusive"),
    ("eu_holdout", 1, None): (
        None, None, "2026-03-31", F(1, 3), 3, F(1), 7, F(1),
        F(2), 0.2604, 2.8155, F(1), "newcombe", "met"),
    ("eu_holdout", 2, None): (
        None, None, "2026-03-31", F(4), 4, F(10), 10, F(5, 6),
        F(2), -0.0591, 8.5653, F(1, 2), "poisson rate ratio", "inconclusive"),
    ("spring_referrals", 1, "alpha"): (
        "2026-02-01", "2026-03-31", "2026-05-31", F(3), 3, F(12), 12, F(61, 59),
        F(175, 61), 0.0918, 12.7098, F(1, 2), "poisson rate ratio", "met"),
    ("spring_referrals", 1, "beta"): (
        "2026-02-01", "2026-03-31", "2026-05-31", F(8), 8, F(2), 2, F(61, 59),
        F(-185, 244), -0.9487, 0.1387, F(1, 2), "poisson rate ratio", "not met"),
    ("spring_referrals", 2, "alpha"): (
        "2026-02-01", "2026-03-31", "2026-05-31", F(3), 3, F(12), 12, F(61, 59),
        None, None, None, None, "threshold", "met"),
    ("spring_referrals", 2, "beta"): (
        "2026-02-01", "2026-03-31", "2026-05-31", F(8), 8, F(2), 2, F(61, 59),
        None, None, None, None, "threshold", "not met"),
    ("quiet_start", 1, None): (
        "2026-01-01", "2026-01-15", "2026-02-28", F(0), 0, F(4), 4, F(28, 15),
        None, None, None, F(-1, 10), "poisson rate ratio", "inconclusive"),
}

# Newcombe (1998), Statistics in Medicine 17:873-890, method 10 (score,
# no continuity correction), 95%: published limits to 4 decimals.
PUBLISHED_NEWCOMBE = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
]


def self_test(data):
    ok = True

    def report(good, text):
        nonlocal ok
        ok &= bool(good)
        print("%-4s %s" % ("ok" if good else "FAIL", text))

    # 1. Newcombe: the closed form of docs/scorecard.md against the quadratic
    #    roots transcription of Newcombe's method 10, and both against the
    #    published limits.
    for (x1, n1, x2, n2), (low, high) in PUBLISHED_NEWCOMBE:
        a = newcombe(x1 / n1, n1, x2 / n2, n2)
        b = newcombe_method_10(x1, n1, x2, n2)
        report(abs(a[0] - b[0]) < 1e-12 and abs(a[1] - b[1]) < 1e-12,
               "Newcombe %d/%d - %d/%d: closed form %r == method 10 %r" % (x1, n1, x2, n2, a, b))
        report(round(a[0], 4) == low and round(a[1], 4) == high,
               "Newcombe %d/%d - %d/%d: published %.4f to %.4f" % (x1, n1, x2, n2, low, high))
    # The fixture's own rate: 8/10 against 2/10.
    a = newcombe(0.8, 10, 0.2, 10)
    b = newcombe_method_10(8, 10, 2, 10)
    report(abs(a[0] - b[0]) < 1e-12 and abs(a[1] - b[1]) < 1e-12,
           "Newcombe 8/10 - 2/10: closed form == method 10")
    # By hand (README.md): z² = 3.841459; for n = 10 both intervals share
    # z·sqrt(p(1-p)/n + z²/4n²) = 1.959964 × sqrt(0.016 + 0.009604) = 0.313617
    # and 1 + z²/n = 1.384146. Wilson 8/10: (0.992073 ∓ 0.313617) / 1.384146
    # = 0.490162 to 0.943318; 2/10: (0.392073 ∓ 0.313617) / 1.384146 =
    # 0.056682 to 0.509838. d = 0.6; d - sqrt(0.309838² + 0.309838²) =
    # 0.6 - 0.438176 = 0.161824; d + sqrt(0.143318² + 0.143318²) = 0.6 +
    # 0.202682 = 0.802682; divided by p0 = 0.2: 0.809118 to 4.013410.
    l1, u1 = wilson(0.8, 10)
    l0, u0 = wilson(0.2, 10)
    report(max(abs(l1 - 0.490162), abs(u1 - 0.943318), abs(l0 - 0.056682),
               abs(u0 - 0.509838)) < 1e-6, "Wilson 8/10 and 2/10 by hand")
    report(abs(a[0] - 0.161824) < 1e-6 and abs(a[1] - 0.802682) < 1e-6,
           "Newcombe 8/10 - 2/10 by hand: 0.161824 to 0.802682")
    # eu_holdout #1: 7/7 against 1/3. By hand (README.md): Wilson 7/7, p = 1:
    # p(1-p)/n = 0, z²/4n² = 3.841459 / 196 = 0.019599, half-width z ×
    # 0.139997 = 0.274390 = z²/2n, 1 + z²/n = 1.548780: 1 / 1.548780 =
    # 0.645670 to 1.548780 / 1.548780 = 1. Wilson 1/3: z²/2n = 0.640243,
    # p(1-p)/n = 2/27 = 0.074074, z²/4n² = 0.106707, sqrt(0.180781) =
    # 0.425184, half-width 0.833345, 1 + z²/n = 2.280486: (0.973576 ∓
    # 0.833345) / 2.280486 = 0.061492 to 0.792340. d = 2/3; d -
    # sqrt(0.354330² + 0.459007²) = 0.666667 - 0.579860 = 0.086807; d +
    # sqrt(0² + 0.271841²) = 0.938508; over p0 = 1/3: 0.260420 to 2.815524.
    a = newcombe(1.0, 7, 1 / 3, 3)
    b = newcombe_method_10(7, 7, 1, 3)
    report(abs(a[0] - b[0]) < 1e-12 and abs(a[1] - b[1]) < 1e-12,
           "Newcombe 7/7 - 1/3: closed form == method 10")
    l1, u1 = wilson(1.0, 7)
    l0, u0 = wilson(1 / 3, 3)
    report(max(abs(l1 - 0.645670), abs(u1 - 1), abs(l0 - 0.061492),
               abs(u0 - 0.792340)) < 1e-6, "Wilson 7/7 and 1/3 by hand")
    report(abs(a[0] - 0.086807) < 1e-6 and abs(a[1] - 0.938508) < 1e-6
           and abs(a[0] * 3 - 0.260420) < 1e-6 and abs(a[1] * 3 - 2.815524) < 1e-6,
           "Newcombe 7/7 - 1/3 by hand: 0.086807 to 0.938508, lift 0.260420 to 2.815524")

    # 2. Poisson rate ratio by hand (README.md): r·exp(∓z·sqrt(1/x1 + 1/x0)).
    #    referral_race alpha: x1 = 12, x0 = 3, equal windows: r = 4,
    #    se = sqrt(1/12 + 1/3) = sqrt(5/12) = 0.645497, z·se = 1.265151,
    #    exp(-1.265151) = 0.282197, exp(1.265151) = 3.543629: 4 × 0.282197
    #    = 1.128786 to 4 × 3.543629 = 14.174516 (lift 0.128786 to 13.174516).
    se = math.sqrt(1 / 12 + 1 / 3)
    report(abs(se - 0.645497) < 1e-6 and abs(Z * se - 1.265151) < 1e-6, "alpha: se, z·se")
    lo, hi = poisson_bounds(12.0, 61, 3.0, 61)
    report(abs(lo - 1.128786) < 1e-6 and abs(hi - 14.174516) < 1e-6,
           "alpha: rate ratio 1.128786 to 14.174516, got %r to %r" % (lo, hi))
    #    refund_desk: x1 = 2 in 31 days, x0 = 6 in 59 days: r = (2/31)/(6/59)
    #    = 59/93 = 0.634409, se = sqrt(1/2 + 1/6) = 0.816497, z·se = 1.600304,
    #    0.634409 × exp(∓1.600304) = 0.634409 × 0.201835 = 0.128046 to
    #    0.634409 × 4.954538 = 3.143201.
    lo, hi = poisson_bounds(2.0, 31, 6.0, 59)
    report(abs(lo - 0.128046) < 1e-6 and abs(hi - 3.143201) < 1e-6,
           "refund_desk: rate ratio 0.128046 to 3.143201, got %r to %r" % (lo, hi))
    #    eu_holdout #2: x1 = 10 (not EU), x0 = 4 (EU), the same 59 days: r =
    #    2.5, se = sqrt(1/10 + 1/4) = sqrt(0.35) = 0.591608, z·se = 1.159530,
    #    2.5 × exp(∓1.159530) = 2.5 × 0.313633 = 0.784084 to 2.5 × 3.188435
    #    = 7.971089.
    lo, hi = poisson_bounds(10.0, 59, 4.0, 59)
    report(abs(lo - 0.784084) < 1e-6 and abs(hi - 7.971089) < 1e-6,
           "eu_holdout: rate ratio 0.784084 to 7.971089, got %r to %r" % (lo, hi))
    #    spring_referrals alpha: 12 in 61 days against 3 in 59: r = 708/183 =
    #    236/61 = 3.868852, se = sqrt(5/12) as for referral_race's alpha,
    #    3.868852 × 0.282197 = 1.091777 to 3.868852 × 3.543629 = 13.709777.
    lo, hi = poisson_bounds(12.0, 61, 3.0, 59)
    report(abs(lo - 1.091777) < 1e-6 and abs(hi - 13.709777) < 1e-6,
           "spring_referrals alpha: rate ratio 1.091777 to 13.709777, got %r to %r" % (lo, hi))
    #    beta: 2 in 61 days against 8 in 59: r = 118/488 = 59/244 = 0.241803,
    #    se = sqrt(1/2 + 1/8) = sqrt(0.625) = 0.790569, z·se = 1.549488,
    #    0.241803 × exp(∓1.549488) = 0.241803 × 0.212357 = 0.051349 to
    #    0.241803 × 4.709057 = 1.138665.
    se = math.sqrt(1 / 2 + 1 / 8)
    report(abs(se - 0.790569) < 1e-6 and abs(Z * se - 1.549488) < 1e-6, "beta: se, z·se")
    lo, hi = poisson_bounds(2.0, 61, 8.0, 59)
    report(abs(lo - 0.051349) < 1e-6 and abs(hi - 1.138665) < 1e-6,
           "spring_referrals beta: rate ratio 0.051349 to 1.138665, got %r to %r" % (lo, hi))

    # 3. Credits of the referral_race customers (first touch, 30 days).
    credits = customer_credits(data)
    for customer, party in sorted(HAND_CREDITS.items()):
        report(credits.get(customer, {UNATTRIBUTED: 1}) == {party: 1},
               "credit of %s: %s" % (customer, party))
    for customer, party in sorted(HAND_CREDITS_BASELINE.items()):
        report(credits.get(customer, {UNATTRIBUTED: 1}) == {party: 1},
               "credit of %s (spring_referrals baseline): %s" % (customer, party))

    # 3b. The control group of eu_holdout.
    eu = matching_customers(("accounts", "region", "EU"), data)
    report(eu == HAND_EU, "EU customers: %s" % ", ".join(sorted(HAND_EU)))
    report(not (eu & HAND_NOT_EU), "not EU: %s" % ", ".join(sorted(HAND_NOT_EU)))

    # 4. Every row against the hand computations.
    rows = all_rows(data)
    report(len(rows) == len(HAND), "%d rows" % len(HAND))
    for row in rows:
        key = (row["pilot"], row["expectation"], row["partner"])
        want = HAND.get(key)
        if want is None:
            report(False, "unexpected row %r" % (key,))
            continue
        have = (fmt(row["baseline_start"]) or None, fmt(row["baseline_end"]) or None,
                fmt(row["pilot_end"]), row["baseline_value"], row["baseline_customers"],
                row["pilot_value"], row["pilot_customers"], row["scale"], row["lift"],
                None if row["lift_low"] is None else round(row["lift_low"], 4),
                None if row["lift_high"] is None else round(row["lift_high"], 4),
                row["target_lift"], row["method"], row["verdict"])
        good = have == want and row["due"] == row["pilot_end"]
        report(good, "%s #%d %s: %s" % (key[0], key[1], key[2] or "-", row["verdict"]))
        if not good:
            print("     want", want)
            print("     have", have)

    # 5. All four verdicts and all four methods occur.
    report({r["verdict"] for r in rows} == {"met", "not met", "inconclusive", "not yet due"},
           "all four verdicts")
    report({r["method"] for r in rows}
           == {"newcombe", "poisson rate ratio", "point estimate", "threshold"},
           "all four methods")

    # 6. Rows after the as-of day are ignored: with the as-of date a day
    #    later, o54 (07-01 00:00:00, 5000) enters summer_launch's average.
    later = {(r["pilot"], r["expectation"], r["partner"]): r
             for r in all_rows(load(AS_OF + timedelta(days=1)))}
    report(later[("summer_launch", 1, None)]["pilot_value"] == F(432 + 5000, 5),
           "o54 counts only after the as-of day")
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
