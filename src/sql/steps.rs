//! What a step (a CTE) of a generated query does, in a sentence, for the
//! comment written above it in dbt models.
//!
//! A step's name is a stem saying what it does (`keyed`, `eligible`),
//! after prefixes saying whose step it is (`t3_` for the third target's
//! figure, `m0_` for a scorecard line's metric) and before an index (`_0`
//! for the first call of a formula). Only the stem is described: a name
//! whose stem is not known here gets no comment rather than a guess.

/// The sentence for a step's name, if its stem is known.
pub fn describe(name: &str) -> Option<&'static str> {
    // A step renamed because a table has its name (`touches_q`).
    let name = name.strip_suffix("_q").unwrap_or(name);
    if let Some(sentence) = whole(name) {
        return Some(sentence);
    }
    let mut parts: Vec<&str> = name.split('_').collect();
    // The index (`rows_0`, `segment_1_2`).
    while parts.len() > 1 && parts.last().is_some_and(|p| is_number(p)) {
        parts.pop();
    }
    // The longest known stem after prefixes: `first_conversions` before
    // `conversions`, `all_rows` before `rows`; `target_rows` is not `rows`.
    for start in 0..parts.len() {
        if let Some(sentence) = stem(&parts[start..].join("_")) {
            return Some(sentence);
        }
        if !is_prefix(parts[start]) {
            return None;
        }
    }
    None
}

/// Steps named by their owner alone: a target's (`t3`, `te3`, `tb3`,
/// `target_3`) and a scorecard line's (`m0`, `s0`).
fn whole(name: &str) -> Option<&'static str> {
    let numbered = |prefix: &str, suffix: &str| {
        name.strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(suffix))
            .is_some_and(is_number)
    };
    Some(if numbered("t", "") {
        "The target's metric over the target's window, for the `all` group."
    } else if numbered("te", "_counts") {
        "Rows of each source the target reads, inside the target's window."
    } else if numbered("te", "") {
        "Whether a source the target reads has no rows in the window: then there is no data, not a zero."
    } else if numbered("tb", "") {
        "The figure the target compares with: its baseline."
    } else if numbered("target_", "") {
        "The target's row: its goalpost, value, progress and verdict."
    } else if numbered("m", "") {
        "A scorecard line's metric, per period and group."
    } else if numbered("s", "") {
        "A scorecard line: its metric with the target and the progress towards it."
    } else {
        return None;
    })
}

/// A prefix saying whose step it is: letters and a number (`t3`, `m0`,
/// `tp3`, `when2`), or a pilot's group (`p` pilot, `b` baseline, `cb`
/// control...).
fn is_prefix(part: &str) -> bool {
    let letters = part.bytes().take_while(|b| b.is_ascii_lowercase()).count();
    let numbered = (1..=4).contains(&letters)
        && letters < part.len()
        && part[letters..].bytes().all(|b| b.is_ascii_digit());
    numbered || ["p", "b", "ep", "eb", "tb", "cb"].contains(&part)
}

fn is_number(part: &str) -> bool {
    !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit())
}

fn stem(stem: &str) -> Option<&'static str> {
    Some(match stem {
        // Attribution (docs/sql.md, "Attribution").
        "touches" => {
            "Every touch up to the `as of` day: customer, time, id, partner (its codes mapped to the party) and channel."
        }
        "conversions" => "Every conversion event up to the `as of` day, with its value.",
        "eligible" => {
            "Each conversion with the customer's touches inside the lookback window before it, in a fixed order (time, then id)."
        }
        "with_previous" => "Each eligible touch with the partner and channel of the one before it.",
        "collapsed" => {
            "Repeated touches collapsed: the first touch of each run of the same partner and channel."
        }
        "counted_from_last" => "Each eligible touch numbered from the conversion backwards.",
        "limited" => "Only the last touches the attribution's `max touches` allows.",
        "numbered" => {
            "Each touch's position among its conversion's touches (first, last, the last outside ignored channels)."
        }
        "shares" => "Each touch's share of its conversion under the attribution model.",
        "credits" => {
            "Credit per conversion and partner: the shares of the partner's touches added up."
        }
        "attributed" => {
            "One row per conversion and partner credited, `unattributed` for a conversion without eligible touches."
        }
        "assists" => "Conversions each partner touched, whatever its credit.",
        "period_rows" => "Credits and conversion values in the period of their conversion.",
        "first_conversions" => {
            "Each customer's first conversion by the attribution (earliest; ties by event, then id)."
        }
        "customer_credits" => "Each customer's credit shares: those of their first conversion.",
        // Metrics (docs/language.md, "Metrics and expressions").
        "base" => {
            "The rows one call of the formula reads: its event or source, filtered, with the value it measures."
        }
        "segment" => {
            "A segment from another source: the customer's latest value at or before the row's time."
        }
        "rows" => "Each row with its period and the segment values it is grouped by.",
        "keyed" => {
            "Each row once per group it counts in (overall, and each segment value and partner where the figure is split), weighted by the partner's share of credit in partner groups."
        }
        "distinct" => "Each distinct value once per group, with the largest weight of its rows.",
        "part" => "The call's aggregate per group.",
        "all_rows" => "Every group any call of the formula has rows in.",
        "groups" => {
            "The figure per group: the formula over its calls' aggregates, and the group's customers."
        }
        "ranked" => "The group's values in order, for a percentile.",
        "positions" => "The two ranks a percentile interpolates between.",
        "first_from" => "Each customer's first `from` event of a `days_between`.",
        "first_to" => "Each customer's first `to` event of a `days_between`.",
        "first" => "Each customer's first event, which starts their window.",
        "targets" => "The rows that count as reaching the rate's target.",
        "horizon" => {
            "The data's last day (or the `as of` day): only customers whose window has passed by then are counted."
        }
        "hits" => "Whether each customer reached the target inside their window.",
        "activity" => "The rows that count as activity, per customer and time.",
        "one_row" => "One row, to hold figures computed from no table.",
        // Cohorts (docs/scorecard.md, "cohorts").
        "firsts" => "Each customer's first event: their cohort.",
        "cohorts" => "Customers per cohort.",
        "digits" => "The numbers 0 to 9, to count periods with.",
        "offsets" => "The periods after a cohort's start, 0 to the longest horizon.",
        "active" => "Customers active in each period after their cohort's start.",
        "cells" => "Each cell of the result with its figures.",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_are_found_after_prefixes_and_before_indexes() {
        assert_eq!(describe("keyed_0"), describe("t3_keyed_2"));
        assert!(
            describe("m0_keyed_0")
                .unwrap()
                .starts_with("Each row once per group")
        );
        assert!(describe("segment_1_2").unwrap().starts_with("A segment"));
        // The longest stem wins.
        assert!(
            describe("e1_p_all_rows")
                .unwrap()
                .starts_with("Every group")
        );
        assert!(
            describe("first_conversions")
                .unwrap()
                .contains("first conversion")
        );
        assert!(describe("t2_first_0").unwrap().contains("first event"));
        // Unknown stems get nothing.
        assert!(describe("te1").unwrap().contains("no data"));
        assert!(describe("target_12").unwrap().contains("verdict"));
        assert_eq!(describe("te1_rows"), describe("rows_0"));
        assert_eq!(describe("judged"), None);
        assert_eq!(describe("target_rows_0"), None);
    }
}
