//! The metric functions of the language, one entry each. An entry says
//! everything the stages downstream of the parser need to know about a
//! function, so that none of them keeps a list of its own:
//! - its arguments ([`Param`]): the checker types each call from them
//!   (`check::units::Typer::call`), `demo` finds the activity rows with them;
//! - what a call computes ([`Yields`]): the checker's unit rule;
//! - how it is computed ([`Lowering`]): the SQL planner (`sql::plan::metrics`)
//!   and the comparison rules of `sql::plan::figures` read it;
//! - how `doc` says it in words ([`Function::words`]).
//!
//! Adding a function of an existing kind is one entry here, its line in
//! `docs/language.md` and its tests; a new way of computing adds a
//! [`Lowering`] variant and its arm in the planner.

use crate::vocabulary::ColumnType;

/// One metric function.
#[derive(Debug, Clone, Copy)]
pub struct Function {
    pub name: &'static str,
    /// Its arguments: the unlabelled ones in order, then the labelled ones.
    pub params: &'static [Param],
    /// What a call computes.
    pub yields: Yields,
    /// How the SQL planner computes it as a metric's aggregate; `None` for
    /// a function that only appears inside another's argument.
    pub lowering: Option<Lowering>,
    /// Whether a call gives one value per customer, so it may only stand
    /// inside an aggregate of such values (`median`, `percentile`, `avg`).
    pub per_customer: bool,
    /// Full calls, for help lines.
    pub examples: &'static [&'static str],
    /// How `doc` says a call, tried in order; the first template whose
    /// placeholders all resolve is used, and a call none fits is shown as
    /// written. Placeholders: `{rows}` and `{rows2}` (the rows named by the
    /// first and second unlabelled argument), `{column}` (the first
    /// argument's column, in words), `{customers}` (the first argument's
    /// rows, only when its column is `customer`) and `{LABEL}` (a labelled
    /// argument as written, such as `{within}`).
    pub words: &'static [&'static str],
}

/// One argument of a function.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// `None` for an unlabelled argument; else the word before the value
    /// (`activity product_usage`).
    pub label: Option<&'static str>,
    pub kind: Kind,
    /// What the argument is, for messages: "the event or source to count".
    pub what: &'static str,
    pub presence: Presence,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    Required,
    /// Exactly one of the function's alternatives must be given.
    Alternative,
}

/// What an argument must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An event or source name.
    Rows,
    /// The rows in which customers are active (retention, churn, lifetime
    /// value): an event or source name, and what `demo` fills with activity.
    Activity,
    /// `SOURCE.COLUMN` or `EVENT.COLUMN` of one of these types (any when
    /// empty).
    Column(&'static [ColumnType]),
    /// A number or money column, or a per-customer function such as
    /// `days_between(...)`.
    Value,
    /// A percentage strictly between 0% and 100%.
    Percent,
    /// A duration longer than zero.
    Duration,
    /// `from A to B`, a range of days.
    DayRange,
    /// A period: day, week, month, quarter or year.
    Period,
    /// A positive exchange rate.
    ExchangeRate,
    /// An amount of money in another currency.
    ForeignMoney,
}

/// What a call computes, the checker's unit rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Yields {
    Count,
    Money,
    Percent,
    Score,
    Days,
    /// What its measured argument (the first `Column` or `Value`) is: money
    /// for a money column, a plain number for a number column, days for
    /// `days_between`.
    Measured,
}

/// How the planner computes a call, per period and group, from the rows
/// the call reads (each with a weight: 1, or a partner's credit).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Lowering {
    /// The sum of the rows' weights.
    Count,
    /// Each distinct value once, with the largest weight of its rows.
    CountDistinct,
    /// The weighted sum of the measure.
    Sum,
    /// The weighted sum over the weight of the rows with a measure.
    Avg,
    Min,
    Max,
    /// A percentile of the measure: a fixed rank (0.5 for the median), or
    /// the rank given by the call's `Percent` argument.
    Percentile(Option<f64>),
    /// Promoters (9, 10) minus detractors (0 to 6), in % of answers.
    Nps,
    /// A share of customers, one row each at their first event.
    Rate(Rate),
    /// One row per customer active in a period, at the start of the next.
    Churn,
    /// Revenue per paying customer over the churn rate.
    Clv,
}

/// The rates: one row per customer at their first event, measuring 1 when
/// the customer did what the rate counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rate {
    /// A target row at or after the first event, within the window.
    Conversion,
    /// A target row strictly after the first event, within the window.
    Upsell,
    /// Activity after a number of days, or in a range of days.
    Retention,
}

impl Lowering {
    /// Whether a group with no rows has the value 0 (counts and sums)
    /// rather than no value (averages, extremes, rates).
    pub fn zero_when_empty(self) -> bool {
        matches!(
            self,
            Lowering::Count | Lowering::CountDistinct | Lowering::Sum
        )
    }
}

impl Function {
    /// Where the argument naming activity rows stands, for functions that
    /// read activity (retention, churn, lifetime value).
    pub fn activity(&self) -> Option<Argument> {
        let mut unlabelled = 0;
        for p in self.params {
            match p.label {
                None if p.kind == Kind::Activity => return Some(Argument::Positional(unlabelled)),
                None => unlabelled += 1,
                Some(label) if p.kind == Kind::Activity => return Some(Argument::Labelled(label)),
                Some(_) => {}
            }
        }
        None
    }

    /// The labels of the arguments that say how long after a customer's
    /// first event a rate is final (`within`, `after`, `from`).
    pub fn maturity_labels(&self) -> Vec<&'static str> {
        if !matches!(self.lowering, Some(Lowering::Rate(_))) {
            return Vec::new();
        }
        self.params
            .iter()
            .filter(|p| matches!(p.kind, Kind::Duration | Kind::DayRange))
            .filter_map(|p| p.label)
            .collect()
    }
}

/// Where an argument stands in a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Argument {
    /// The nth argument without a label, from 0.
    Positional(usize),
    /// The argument after this label (`activity product_usage`).
    Labelled(&'static str),
}

const fn arg(kind: Kind, what: &'static str) -> Param {
    Param {
        label: None,
        kind,
        what,
        presence: Presence::Required,
    }
}

const fn labelled(label: &'static str, kind: Kind, what: &'static str) -> Param {
    Param {
        label: Some(label),
        kind,
        what,
        presence: Presence::Required,
    }
}

const fn either(label: &'static str, kind: Kind, what: &'static str) -> Param {
    Param {
        label: Some(label),
        kind,
        what,
        presence: Presence::Alternative,
    }
}

const NUMBERS: &[ColumnType] = &[ColumnType::Number, ColumnType::Money];

/// Every metric function, in the order the language reference lists them.
pub const FUNCTIONS: &[Function] = &[
    Function {
        name: "count",
        params: &[arg(Kind::Rows, "the event or source to count")],
        yields: Yields::Count,
        lowering: Some(Lowering::Count),
        per_customer: false,
        examples: &["count(purchase)"],
        words: &["the number of {rows} rows"],
    },
    Function {
        name: "count_distinct",
        params: &[arg(
            Kind::Column(&[]),
            "the column to count, such as `purchase.customer`",
        )],
        yields: Yields::Count,
        lowering: Some(Lowering::CountDistinct),
        per_customer: false,
        examples: &["count_distinct(purchase.customer)"],
        words: &[
            "distinct customers with a {customers}",
            "distinct {column} of {rows}",
        ],
    },
    Function {
        name: "sum",
        params: &[arg(Kind::Column(NUMBERS), "a number or money column")],
        yields: Yields::Measured,
        lowering: Some(Lowering::Sum),
        per_customer: false,
        examples: &["sum(orders.amount)"],
        words: &["the total {column} of {rows}"],
    },
    Function {
        name: "avg",
        params: &[arg(Kind::Value, "a number or money column")],
        yields: Yields::Measured,
        lowering: Some(Lowering::Avg),
        per_customer: false,
        examples: &["avg(orders.amount)"],
        words: &["the average {column} of {rows}"],
    },
    Function {
        name: "min",
        params: &[arg(Kind::Column(NUMBERS), "a number or money column")],
        yields: Yields::Measured,
        lowering: Some(Lowering::Min),
        per_customer: false,
        examples: &["min(orders.amount)"],
        words: &[],
    },
    Function {
        name: "max",
        params: &[arg(Kind::Column(NUMBERS), "a number or money column")],
        yields: Yields::Measured,
        lowering: Some(Lowering::Max),
        per_customer: false,
        examples: &["max(orders.amount)"],
        words: &[],
    },
    Function {
        name: "median",
        params: &[arg(Kind::Value, "a column or `days_between(...)`")],
        yields: Yields::Measured,
        lowering: Some(Lowering::Percentile(Some(0.5))),
        per_customer: false,
        examples: &["median(days_between(first referral_click, first dashboard_shared))"],
        words: &[],
    },
    Function {
        name: "percentile",
        params: &[
            arg(Kind::Value, "a column or `days_between(...)`"),
            arg(Kind::Percent, "the percentile, such as `90%`"),
        ],
        yields: Yields::Measured,
        lowering: Some(Lowering::Percentile(None)),
        per_customer: false,
        examples: &["percentile(orders.amount, 90%)"],
        words: &[],
    },
    Function {
        name: "nps",
        params: &[arg(
            Kind::Column(&[ColumnType::Number]),
            "a number column of 0-10 answers",
        )],
        yields: Yields::Score,
        lowering: Some(Lowering::Nps),
        per_customer: false,
        examples: &["nps(survey.score)"],
        words: &[
            "the net promoter score of {column} (promoters 9-10 minus detractors 0-6, in percent)",
        ],
    },
    Function {
        name: "retention",
        params: &[
            arg(Kind::Rows, "the event that starts the cohort"),
            either("after", Kind::Duration, "after N days"),
            either("from", Kind::DayRange, "from A days to B days"),
            labelled("activity", Kind::Activity, "the source of activity rows"),
        ],
        yields: Yields::Percent,
        lowering: Some(Lowering::Rate(Rate::Retention)),
        per_customer: false,
        examples: &[
            "retention(purchase, after 180 days, activity product_usage)",
            "retention(purchase, from 30 days to 60 days, activity product_usage)",
        ],
        words: &[
            "the share of customers with a {rows} still active ({activity}) {after} or more after it, counting only customers for whom that much time has passed",
            "the share of customers with a {rows} active ({activity}) from {from} after it, counting only customers for whom that much time has passed",
        ],
    },
    Function {
        name: "churn",
        params: &[
            arg(Kind::Activity, "the source of activity rows"),
            labelled("per", Kind::Period, "the period, such as `per month`"),
        ],
        yields: Yields::Percent,
        lowering: Some(Lowering::Churn),
        per_customer: false,
        examples: &["churn(product_usage, per month)"],
        words: &[
            "the share of customers active in {rows} at the start of a {per} who are not active during it",
        ],
    },
    Function {
        name: "clv",
        params: &[
            arg(Kind::Column(&[ColumnType::Money]), "the revenue column"),
            labelled("activity", Kind::Activity, "the source of activity rows"),
            labelled("per", Kind::Period, "the period, such as `per month`"),
        ],
        yields: Yields::Money,
        lowering: Some(Lowering::Clv),
        per_customer: false,
        examples: &["clv(orders.amount, activity product_usage, per month)"],
        words: &[],
    },
    Function {
        name: "upsell_rate",
        params: &[
            arg(Kind::Rows, "the first event"),
            arg(Kind::Rows, "the event that must follow"),
            labelled(
                "within",
                Kind::Duration,
                "the window, such as `within 30 days`",
            ),
        ],
        yields: Yields::Percent,
        lowering: Some(Lowering::Rate(Rate::Upsell)),
        per_customer: false,
        examples: &["upsell_rate(purchase, plan_upgrade, within 90 days)"],
        words: &["the share of customers with a {rows} who expand ({rows2}) within {within}"],
    },
    Function {
        name: "conversion_rate",
        params: &[
            arg(Kind::Rows, "the first event"),
            arg(Kind::Rows, "the event that must follow"),
            labelled(
                "within",
                Kind::Duration,
                "the window, such as `within 30 days`",
            ),
        ],
        yields: Yields::Percent,
        lowering: Some(Lowering::Rate(Rate::Conversion)),
        per_customer: false,
        examples: &["conversion_rate(trial_start, purchase, within 30 days)"],
        words: &["the share of customers with a {rows} who then have a {rows2} within {within}"],
    },
    Function {
        name: "days_between",
        params: &[
            labelled("first", Kind::Rows, "`first EVENT`, twice"),
            labelled("first", Kind::Rows, "the second event"),
        ],
        yields: Yields::Days,
        // Computed per customer inside the aggregate that holds it.
        lowering: None,
        per_customer: true,
        examples: &["days_between(first referral_click, first dashboard_shared)"],
        words: &[],
    },
    Function {
        name: "convert",
        params: &[
            arg(Kind::ForeignMoney, "the amount to convert"),
            labelled(
                "rate",
                Kind::ExchangeRate,
                "the exchange rate, such as `rate 1.08`",
            ),
        ],
        yields: Yields::Money,
        lowering: None,
        per_customer: false,
        examples: &["convert(sum(orders.amount_eur), rate 1.08)"],
        words: &[],
    },
];

/// The function of a name.
pub fn lookup(name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|f| f.name == name)
}

/// How a call's aggregate is computed, for a function that is one.
pub fn lowering(name: &str) -> Option<Lowering> {
    lookup(name).and_then(|f| f.lowering)
}

/// Every function's name, for "did you mean" and help lines.
pub fn names() -> Vec<&'static str> {
    FUNCTIONS.iter().map(|f| f.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_function_is_listed_once() {
        let mut names = names();
        let count = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), count);
        assert_eq!(count, 16);
    }

    #[test]
    fn the_language_reference_shows_every_function() {
        let reference = include_str!("../docs/language.md");
        for f in FUNCTIONS {
            assert!(
                reference.contains(&format!("`{}(", f.name)),
                "docs/language.md does not show `{}`",
                f.name
            );
        }
    }

    #[test]
    fn only_the_activity_functions_name_activity_rows() {
        let reading: Vec<(&str, Argument)> = FUNCTIONS
            .iter()
            .filter_map(|f| Some((f.name, f.activity()?)))
            .collect();
        assert_eq!(
            reading,
            [
                ("retention", Argument::Labelled("activity")),
                ("churn", Argument::Positional(0)),
                ("clv", Argument::Labelled("activity")),
            ]
        );
    }

    #[test]
    fn rates_are_final_after_their_window() {
        let labels: Vec<(&str, Vec<&str>)> = FUNCTIONS
            .iter()
            .map(|f| (f.name, f.maturity_labels()))
            .filter(|(_, l)| !l.is_empty())
            .collect();
        assert_eq!(
            labels,
            [
                ("retention", vec!["after", "from"]),
                ("upsell_rate", vec!["within"]),
                ("conversion_rate", vec!["within"]),
            ]
        );
    }

    #[test]
    fn every_example_calls_its_own_function_with_each_required_label() {
        for f in FUNCTIONS {
            assert!(!f.examples.is_empty(), "`{}` has no example", f.name);
            for example in f.examples {
                assert!(example.starts_with(&format!("{}(", f.name)), "{example}");
                for p in f.params.iter().filter(|p| p.presence == Presence::Required) {
                    if let Some(label) = p.label {
                        assert!(example.contains(&format!("{label} ")), "{example}");
                    }
                }
            }
        }
    }

    #[test]
    fn templates_name_only_parts_a_call_has() {
        for f in FUNCTIONS {
            for template in f.words {
                let mut rest = *template;
                while let Some(open) = rest.find('{') {
                    let close = rest[open..].find('}').expect("closed") + open;
                    let name = &rest[open + 1..close];
                    let known = ["rows", "rows2", "column", "customers"].contains(&name)
                        || f.params.iter().any(|p| p.label == Some(name));
                    assert!(known, "`{}`: unknown placeholder {{{name}}}", f.name);
                    rest = &rest[close + 1..];
                }
            }
        }
    }

    #[test]
    fn alternatives_come_in_groups() {
        for f in FUNCTIONS {
            let alternatives = f
                .params
                .iter()
                .filter(|p| p.presence == Presence::Alternative)
                .count();
            assert!(alternatives != 1, "`{}` has a lone alternative", f.name);
        }
    }
}
