"""Expected assisted conversions per attribution, month and partner.

A partner assisted a conversion when at least one of its touches is eligible
for it (same customer, at or before the conversion, within the lookback;
outside last touch, ignored channels are not eligible), whatever the model's
credit, before repeats are collapsed or touches limited. Uses the
eligibility rules of compute_expected.py (its step 1 only).

    python3 compute_assisted.py --write   # writes assisted.csv
"""

import csv
import os
import sys

import compute_expected as ce


def assisted():
    touches = ce.read_touches(os.path.join(ce.HERE, "touches.csv"))
    conversions = ce.read_conversions(os.path.join(ce.HERE, "orders.csv"))
    counts = {}
    for rule in ce.ATTRIBUTIONS:
        # Step 1 only: no collapsing, no limit.
        step_one = {k: v for k, v in rule.items() if k not in ("collapse", "max_touches")}
        for conversion in conversions:
            partners = {
                ce.PARTY_OF_CODE.get(t["partner"], t["partner"])
                for t in ce.eligible_touches(conversion, touches, step_one)
            }
            month = conversion["time"].strftime("%Y-%m-01")
            for partner in partners:
                key = (rule["name"], month, partner)
                counts[key] = counts.get(key, 0) + 1
    return counts


def main(argv):
    rows = sorted(assisted().items())
    out = sys.stdout
    if "--write" in argv:
        out = open(os.path.join(ce.HERE, "assisted.csv"), "w", newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["attribution", "period_start", "partner", "assisted_conversions"])
    for (name, month, partner), count in rows:
        writer.writerow([name, month, partner, count])


if __name__ == "__main__":
    main(sys.argv[1:])
