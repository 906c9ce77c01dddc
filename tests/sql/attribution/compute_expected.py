#!/usr/bin/env python3
"""Compute expected.csv for the attribution fixtures, without SQL.

Plain-Python reading of the definitions in docs/language.md ("Attribution":
"Which touches count" and "Models"). The model parameters below must match
agreement.pactum in this folder.

Usage:
    python3 compute_expected.py              # print expected.csv to stdout
    python3 compute_expected.py --write      # write expected.csv next to this file
    python3 compute_expected.py --self-test  # check the documented worked example

Arithmetic is exact: shares of the rational models are Fractions, time-decay
weights are Decimals with 60 significant digits. Output numbers are rounded to
15 significant digits (exact decimals are written in full when shorter).
"""

import csv
import os
import sys
from datetime import datetime
from decimal import Decimal, getcontext, localcontext
from fractions import Fraction

getcontext().prec = 60  # all Decimal arithmetic below, unless said otherwise

HERE = os.path.dirname(os.path.abspath(__file__))

DAY = 86400  # seconds; days are exact durations

# Party names by value of the credit column (`identified by partner_id ...`).
# Codes that match no party are credited under their raw value.
PARTY_OF_CODE = {"A": "alpha", "A2": "alpha", "B": "beta", "C": "gamma"}

UNATTRIBUTED = "unattributed"

# The attribution blocks of agreement.pactum. Percentages as Fractions.
P = Fraction(1, 100)
ATTRIBUTIONS = [
    dict(name="first", model=("first_touch",)),
    dict(name="last", model=("last_touch",)),
    dict(name="last_non_direct", model=("last_touch",), ignore={"direct"}),
    dict(name="linear", model=("linear",)),
    dict(name="position", model=("position_based", 40 * P, 40 * P)),
    dict(name="position_30_50", model=("position_based", 30 * P, 50 * P)),
    dict(name="decay", model=("time_decay", 7 * DAY)),
    dict(name="custom", model=("custom", 30 * P, 40 * P, 30 * P)),
    dict(name="linear_collapse", model=("linear",), collapse=True),
    dict(name="linear_max2", model=("linear",), max_touches=2),
    dict(name="linear_collapse_max2", model=("linear",), collapse=True, max_touches=2),
    dict(name="linear_10d", model=("linear",), lookback=10 * DAY),
    dict(name="decay_collapse", model=("time_decay", 7 * DAY), collapse=True),
]
DEFAULT_LOOKBACK = 30 * DAY


def parse_time(text):
    # Timestamps carry no zone; the agreement's zone is UTC, so plain
    # differences of naive datetimes are exact durations.
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")


def seconds_between(later, earlier):
    delta = later - earlier
    return delta.days * DAY + delta.seconds  # no microseconds in the data


def null_if_empty(text):
    return None if text == "" else text


def read_touches(path):
    with open(path, newline="") as f:
        return [
            dict(
                id=null_if_empty(row["touch_id"]),
                customer=row["customer_id"],
                time=parse_time(row["occurred_at"]),
                partner=row["partner_id"],
                channel=row["channel"],
            )
            for row in csv.DictReader(f)
        ]


def read_conversions(path):
    # event purchase from orders where order_type = "new"
    with open(path, newline="") as f:
        return [
            dict(
                id=row["order_id"],
                customer=row["customer_id"],
                time=parse_time(row["ordered_at"]),
                value=Fraction(row["amount"]),  # exact decimal
            )
            for row in csv.DictReader(f)
            if row["order_type"] == "new"
        ]


def order_key(touch):
    # time, then touch id as text with missing ids last, then partner, then
    # channel. The partner is the raw value of the credit column.
    return (
        touch["time"],
        touch["id"] is None,
        touch["id"] or "",
        touch["partner"],
        touch["channel"],
    )


def eligible_touches(conversion, touches, rule):
    """The ordered list of touches that share the conversion's credit."""
    lookback = rule.get("lookback", DEFAULT_LOOKBACK)
    ignore = rule.get("ignore", set())
    last_touch = rule["model"][0] == "last_touch"

    # 1. Eligibility: same customer, at or before the conversion, no more
    #    than the lookback before it (inclusive, exact seconds). Outside
    #    last_touch, ignored channels are dropped here too.
    chosen = []
    for t in touches:
        if t["customer"] != conversion["customer"]:
            continue
        if t["time"] > conversion["time"]:
            continue
        if seconds_between(conversion["time"], t["time"]) > lookback:
            continue
        if not last_touch and t["channel"] in ignore:
            continue
        chosen.append(t)
    chosen.sort(key=order_key)

    # 2. Repeats: a run of consecutive touches with the same partner and the
    #    same channel is replaced by its first touch.
    if rule.get("collapse"):
        collapsed = []
        for t in chosen:
            if (
                collapsed
                and collapsed[-1]["partner"] == t["partner"]
                and collapsed[-1]["channel"] == t["channel"]
            ):
                continue
            collapsed.append(t)
        chosen = collapsed

    # 3. Limit: keep the last N.
    n_max = rule.get("max_touches")
    if n_max is not None:
        chosen = chosen[-n_max:]
    return chosen


def shares(conversion, path, rule):
    """Share of each touch of `path` (same order), summing to 1."""
    model = rule["model"]
    kind = model[0]
    n = len(path)
    if kind == "first_touch":
        return [Fraction(1) if i == 0 else Fraction(0) for i in range(n)]
    if kind == "last_touch":
        ignore = rule.get("ignore", set())
        winner = n - 1
        for i in range(n - 1, -1, -1):
            if path[i]["channel"] not in ignore:
                winner = i
                break
        # if every touch is in an ignored channel, the last touch wins
        return [Fraction(1) if i == winner else Fraction(0) for i in range(n)]
    if kind == "linear":
        return [Fraction(1, n)] * n
    if kind in ("position_based", "custom"):
        if kind == "position_based":
            first, last = model[1], model[2]
            middle = 1 - first - last
        else:
            first, middle, last = model[1], model[2], model[3]
        if n == 1:
            return [Fraction(1)]
        if n == 2:
            return [first / (first + last), last / (first + last)]
        return [first] + [middle / (n - 2)] * (n - 2) + [last]
    if kind == "time_decay":
        half_life = model[1]
        with localcontext() as ctx:
            ctx.prec = 60
            weights = [
                Decimal(2)
                ** (-Decimal(seconds_between(conversion["time"], t["time"])) / half_life)
                for t in path
            ]
            total = sum(weights)
            return [w / total for w in weights]
    raise ValueError("unknown model %r" % (kind,))


def to_decimal(x):
    if isinstance(x, Fraction):
        with localcontext() as ctx:
            ctx.prec = 60
            return Decimal(x.numerator) / Decimal(x.denominator)
    return x


def credits(conversions, touches, rule):
    """{(conversion id, partner): (credit, credited value)} with credit > 0."""
    out = {}
    for c in conversions:
        path = eligible_touches(c, touches, rule)
        per_partner = {}
        if not path:
            per_partner[UNATTRIBUTED] = Fraction(1)
        else:
            for t, s in zip(path, shares(c, path, rule)):
                party = PARTY_OF_CODE.get(t["partner"], t["partner"])
                per_partner[party] = per_partner.get(party, 0) + s
        with localcontext() as ctx:
            ctx.prec = 60
            total = sum(to_decimal(v) for v in per_partner.values())
            assert abs(total - 1) < Decimal("1e-40"), (rule["name"], c["id"], total)
            for party, share in per_partner.items():
                if share > 0:
                    credit = to_decimal(share)
                    value = to_decimal(Fraction(c["value"]))
                    out[(c["id"], party)] = (credit, credit * value)
    return out


def fmt(x):
    """At most 15 significant digits, no exponent, no trailing zeros."""
    with localcontext() as ctx:
        ctx.prec = 15
        d = +x
    if d == 0:
        return "0"
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def rows(conversions, touches):
    result = []
    for rule in ATTRIBUTIONS:
        for (conv, party), (credit, value) in credits(conversions, touches, rule).items():
            result.append((rule["name"], conv, party, fmt(credit), fmt(value)))
    result.sort(key=lambda r: (r[0], r[1], r[2]))
    return result


def self_test():
    """The worked example of the docs: A day 0, B day 10, A day 20, V = 140."""
    t0 = parse_time("2026-01-01 00:00:00")
    touches = [
        dict(id=None, customer="x", time=t0, partner="A", channel="c"),
        dict(id=None, customer="x", time=parse_time("2026-01-11 00:00:00"), partner="B", channel="c"),
        dict(id=None, customer="x", time=parse_time("2026-01-21 00:00:00"), partner="A", channel="c"),
    ]
    conv = [dict(id="x1", customer="x", time=parse_time("2026-01-21 00:00:00"), value=Fraction(140))]
    # partner A is the party alpha, B is beta
    want = {
        "first": {"alpha": "140.00"},
        "last": {"alpha": "140.00"},
        "linear": {"alpha": "93.33", "beta": "46.67"},
        "position": {"alpha": "112.00", "beta": "28.00"},
        "decay": {"alpha": "105.55", "beta": "34.45"},
    }
    ok = True
    for rule in ATTRIBUTIONS:
        if rule["name"] not in want:
            continue
        got = {p: format(v[1].quantize(Decimal("0.01")), "f") for (c, p), v in credits(conv, touches, rule).items()}
        status = "ok" if got == want[rule["name"]] else "MISMATCH"
        ok &= got == want[rule["name"]]
        print("%-10s %s  want %s  got %s" % (rule["name"], status, want[rule["name"]], got))
    rule = next(r for r in ATTRIBUTIONS if r["name"] == "decay")
    path = eligible_touches(conv[0], touches, rule)
    print("decay shares:", [format(s.quantize(Decimal("0.0001")), "f") for s in shares(conv[0], path, rule)])
    return ok


def main(argv):
    if "--self-test" in argv:
        return 0 if self_test() else 1
    touches = read_touches(os.path.join(HERE, "touches.csv"))
    conversions = read_conversions(os.path.join(HERE, "orders.csv"))
    lines = ["attribution,conversion_id,partner,credit,credited_value"]
    lines += [",".join(r) for r in rows(conversions, touches)]
    text = "\n".join(lines) + "\n"
    if "--write" in argv:
        with open(os.path.join(HERE, "expected.csv"), "w", newline="") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
