//! The quarterly (or monthly, or yearly) review: the agenda of an
//! agreement's `review` block filled in for one period. What the templates
//! need beyond the scorecard's context: the period and the one before it,
//! each action's status on the period's last day, and the amendments and
//! evidence dated inside the period.

use serde_json::{Value, json};

use crate::check::dates;
use crate::model::{Agreement, Review};
use crate::syntax::format;
use crate::vocabulary::Day;

/// A review period: `2026-Q3`, `2026-07` or `2026`.
#[derive(Debug, Clone, PartialEq)]
pub struct Period {
    pub label: String,
    pub start: Day,
    pub end: Day,
}

impl Period {
    /// The period a label names; on error, what a label looks like.
    pub fn parse(label: &str) -> Result<Period, String> {
        let bad = || {
            format!(
                "`{label}` is not a review period: write a quarter (`2026-Q3`), a month (`2026-07`) or a year (`2026`)"
            )
        };
        let (year, rest) = label.split_at_checked(4).ok_or_else(bad)?;
        let year: i64 = year
            .parse()
            .ok()
            .filter(|y| (1900..=9999).contains(y))
            .ok_or_else(bad)?;
        let (first, months) = match rest {
            "" => (1, 12),
            _ => {
                let rest = rest.strip_prefix('-').ok_or_else(bad)?;
                if let Some(q) = rest.strip_prefix('Q') {
                    let q: i64 = q
                        .parse()
                        .ok()
                        .filter(|q| (1..=4).contains(q))
                        .ok_or_else(bad)?;
                    ((q - 1) * 3 + 1, 3)
                } else {
                    let m: i64 = (rest.len() == 2)
                        .then(|| rest.parse().ok())
                        .flatten()
                        .filter(|m| (1..=12).contains(m))
                        .ok_or_else(bad)?;
                    (m, 1)
                }
            }
        };
        Ok(Period {
            label: label.to_string(),
            start: Day::first_of_month(year, first),
            end: Day::first_of_month(year, first + months).before(),
        })
    }

    /// The period of the same length just before.
    pub fn previous(&self) -> Period {
        let (y, m, _) = dates::civil_from_days(self.start.number());
        let (ey, em, _) = dates::civil_from_days(self.end.number());
        let months = (ey - y) * 12 + (em - m) + 1;
        let index = y * 12 + (m - 1) - months;
        let start = Day::first_of_month(y, m - months);
        let end = self.start.before();
        let label = match months {
            12 => format!("{}", index.div_euclid(12)),
            3 => format!("{}-Q{}", index.div_euclid(12), index.rem_euclid(12) / 3 + 1),
            _ => format!("{}-{:02}", index.div_euclid(12), index.rem_euclid(12) + 1),
        };
        Period { label, start, end }
    }

    fn json(&self) -> Value {
        json!({"label": self.label, "start": self.start.to_string(), "end": self.end.to_string()})
    }
}

/// The review a command names, or the agreement's only one. On error, what
/// to write.
pub fn pick<'m, 'a>(
    agreement: &'m Agreement<'a>,
    name: Option<&str>,
) -> Result<&'m Review<'a>, String> {
    let names: Vec<&str> = agreement.reviews.iter().map(|r| r.named.name).collect();
    match name {
        Some(name) => agreement
            .reviews
            .iter()
            .find(|r| r.named.name == name)
            .ok_or_else(|| {
                format!(
                    "the agreement has no review `{name}`; its reviews: {}",
                    names.join(", ")
                )
            }),
        None => match agreement.reviews.as_slice() {
            [only] => Ok(only),
            [] => Err("the agreement has no `review` block to fill in".to_string()),
            _ => Err(format!(
                "the agreement has several reviews: name one with `--review` ({})",
                names.join(", ")
            )),
        },
    }
}

/// The review's context for the templates.
pub fn context(agreement: &Agreement<'_>, review: &Review<'_>, period: &Period) -> Value {
    let within = |date: &crate::syntax::ast::Date| {
        let day = dates::day_number(date);
        day >= period.start.number() && day <= period.end.number()
    };
    let end = period.end.number();
    let actions: Vec<Value> = review
        .actions
        .iter()
        .map(|a| {
            let done = a.done.filter(|d| dates::day_number(d) <= end);
            let status = if done.is_some() {
                "done"
            } else if dates::day_number(a.due) <= end {
                "overdue"
            } else {
                "open"
            };
            json!({
                "what": a.what, "owner": a.owner, "due": format::date(a.due),
                "done": done.map(format::date), "status": status,
            })
        })
        .collect();
    let amendments: Vec<Value> = agreement
        .amendments
        .iter()
        .filter(|a| within(a.date))
        .map(|a| {
            json!({
                "date": format::date(a.date), "summary": a.summary, "version": a.version,
                "changes": a.changes, "removes": a.removes,
            })
        })
        .collect();
    let evidence: Vec<Value> = agreement
        .evidence
        .iter()
        .map(|e| {
            json!({
                "name": e.named.name, "title": e.named.title, "kind": e.kind, "goal": e.goal,
                "link": e.link, "recorded": e.recorded.map(format::date),
                "in_period": e.recorded.is_some_and(within),
            })
        })
        .collect();
    json!({
        "name": review.named.name,
        "title": review.named.title,
        "cadence": review.cadence,
        "attendees": review.attendees,
        "agenda": review.agenda,
        "scorecard": review.scorecard.map(|s| crate::sql::plan::QueryId::Scorecard(s.to_string()).name()),
        "period": period.json(),
        "previous": period.previous().json(),
        "actions": actions,
        "amendments": amendments,
        "evidence": evidence,
        "escalation": agreement.disputes.iter().flat_map(|d| d.steps.iter().map(|s| s.value.to.value.clone())).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_read_from_their_labels() {
        let q3 = Period::parse("2026-Q3").unwrap();
        assert_eq!(
            (q3.start.to_string(), q3.end.to_string()),
            ("2026-07-01".into(), "2026-09-30".into())
        );
        let q1 = Period::parse("2026-Q1").unwrap().previous();
        assert_eq!(
            (q1.label.as_str(), q1.start.to_string(), q1.end.to_string()),
            ("2025-Q4", "2025-10-01".into(), "2025-12-31".into())
        );
        let feb = Period::parse("2024-02").unwrap();
        assert_eq!(feb.end.to_string(), "2024-02-29");
        assert_eq!(feb.previous().label, "2024-01");
        let year = Period::parse("2026").unwrap();
        assert_eq!(year.end.to_string(), "2026-12-31");
        assert_eq!(year.previous().label, "2025");
        for bad in ["2026-Q5", "2026-13", "26-Q1", "2026Q3", "2026-7", ""] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
    }
}
