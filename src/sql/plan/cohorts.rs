//! `cohorts_<metric>`: the retention matrix of a retention metric, cohort
//! period by period offset, with immature cells marked and left empty
//! (docs/scorecard.md, "cohorts").
//!
//! `firsts` holds each customer's first cohort row, `activity` the activity
//! rows, `horizon` today (the `as of` date, else the latest activity day),
//! `cohorts` the cohort sizes, `offsets` the numbers 0 to 9999, `active`
//! the active customers per cohort and period; `cells` pairs each cohort
//! with each period from its own to today's, whether or not anything
//! happened in it.

use super::QueryId;
use super::metrics::{first_times, retention, row_filters};
use super::{ColumnKind, Options, Planned, out, source_column, table_name, table_path};
use crate::model::{Agreement, Metric};
use crate::sql::tree::{
    self, Body, Cte, Expr, From, Join, JoinKind, Op, Order, Period, Query, Select, bin, field,
    func, item, name,
};

pub fn plan(agreement: &Agreement<'_>, metric: &Metric<'_>, options: &Options) -> Option<Planned> {
    let parts = retention(agreement, metric)?;
    let period = options.period;
    let (cohort_source, cohort_event) = parts.cohort;
    let (activity_source, activity_event) = parts.activity;
    let mut ctes = vec![first_times(
        "firsts",
        agreement,
        cohort_source,
        cohort_event,
        parts.filter,
        options,
        None,
    )];
    ctes.push(Cte {
        name: "activity".to_string(),
        body: Body::Select(Box::new(Select {
            columns: vec![
                item(
                    source_column("r", activity_source, "customer"),
                    "customer_id",
                ),
                item(source_column("r", activity_source, "time"), "active_time"),
            ],
            from: Some(From::Table {
                path: table_path(activity_source, options),
                alias: "r".to_string(),
            }),
            filter: tree::and(row_filters(
                agreement,
                activity_source,
                activity_event,
                parts.filter,
                options,
            )),
            ..Select::default()
        })),
    });
    let horizon = match &options.as_of {
        Some(as_of) => Select {
            columns: vec![item(Expr::Date(as_of.to_string()), "today")],
            ..Select::default()
        },
        None => Select {
            columns: vec![item(
                Expr::PeriodStart(
                    Period::Day,
                    Box::new(func("MAX", vec![field("a", "active_time")])),
                ),
                "today",
            )],
            from: Some(tree::cte("activity", "a")),
            ..Select::default()
        },
    };
    ctes.push(Cte {
        name: "horizon".to_string(),
        body: Body::Select(Box::new(horizon)),
    });
    let cohort_of = || Expr::PeriodStart(period, Box::new(field("f", "first_time")));
    let shortest = match period {
        Period::Day => 1,
        Period::Week => 7,
        Period::Month => 28,
        Period::Quarter => 89,
        Period::Year => 365,
    };
    ctes.push(Cte {
        name: "cohorts".to_string(),
        body: Body::Select(Box::new(Select {
            columns: vec![
                item(cohort_of(), "cohort_start"),
                item(Expr::CountStar, "cohort_customers"),
            ],
            from: Some(tree::cte("firsts", "f")),
            group_by: vec![cohort_of()],
            ..Select::default()
        })),
    });
    // Offsets 0 to 9999: four digits crossed, so that a period without any
    // row still gets its cells.
    ctes.push(Cte {
        name: "digits".to_string(),
        body: Body::UnionAll(
            (0..10)
                .map(|d| Select {
                    columns: vec![item(Expr::Int(d), "d")],
                    ..Select::default()
                })
                .collect(),
        ),
    });
    let cross = |alias: &str| Join {
        kind: JoinKind::Inner,
        from: tree::cte("digits", alias),
        on: bin(Op::Eq, Expr::Int(1), Expr::Int(1)),
    };
    let digit = |alias: &str, weight: i64| bin(Op::Mul, field(alias, "d"), Expr::Int(weight));
    ctes.push(Cte {
        name: "offsets".to_string(),
        body: Body::Select(Box::new(Select {
            columns: vec![item(
                bin(
                    Op::Add,
                    bin(Op::Add, field("d0", "d"), digit("d1", 10)),
                    bin(Op::Add, digit("d2", 100), digit("d3", 1000)),
                ),
                "k",
            )],
            from: Some(tree::cte("digits", "d0")),
            joins: vec![cross("d1"), cross("d2"), cross("d3")],
            ..Select::default()
        })),
    });
    let active_period = || Expr::PeriodStart(period, Box::new(field("a", "active_time")));
    ctes.push(Cte {
        name: "active".to_string(),
        body: Body::Select(Box::new(Select {
            columns: vec![
                item(cohort_of(), "cohort_start"),
                item(active_period(), "period_start"),
                item(
                    Expr::CountDistinct(Box::new(field("f", "customer_id"))),
                    "active_customers",
                ),
            ],
            from: Some(tree::cte("firsts", "f")),
            joins: vec![Join {
                kind: JoinKind::Inner,
                from: tree::cte("activity", "a"),
                on: bin(
                    Op::And,
                    bin(Op::Eq, field("a", "customer_id"), field("f", "customer_id")),
                    bin(Op::Ge, field("a", "active_time"), field("f", "first_time")),
                ),
            }],
            group_by: vec![cohort_of(), active_period()],
            ..Select::default()
        })),
    });
    // A cell is mature when its period ends by today: the day after its
    // last day is no later than the day after today.
    let cell_start = || Expr::AddPeriodsBy {
        period,
        count: Box::new(field("o", "k")),
        date: Box::new(field("c", "cohort_start")),
    };
    let mature = bin(
        Op::Le,
        Expr::AddPeriodsBy {
            period,
            count: Box::new(bin(Op::Add, field("o", "k"), Expr::Int(1))),
            date: Box::new(field("c", "cohort_start")),
        },
        Expr::AddPeriods {
            period: Period::Day,
            count: 1,
            date: Box::new(field("h", "today")),
        },
    );
    ctes.push(Cte {
        name: "cells".to_string(),
        body: Body::Select(Box::new(Select {
            columns: vec![
                item(field("c", "cohort_start"), "cohort_start"),
                item(field("o", "k"), "period_offset"),
                item(cell_start(), "period_start"),
                item(field("c", "cohort_customers"), "cohort_customers"),
                item(
                    func(
                        "COALESCE",
                        vec![field("a", "active_customers"), Expr::Int(0)],
                    ),
                    "active_customers",
                ),
                item(
                    tree::case(vec![(mature, Expr::Int(1))], Expr::Int(0)),
                    "mature",
                ),
            ],
            from: Some(tree::cte("cohorts", "c")),
            joins: vec![
                Join {
                    kind: JoinKind::Inner,
                    from: tree::cte("horizon", "h"),
                    on: bin(Op::Eq, Expr::Int(1), Expr::Int(1)),
                },
                // No period is shorter than `shortest` days: offsets beyond
                // the days to today over it cannot reach today.
                Join {
                    kind: JoinKind::Inner,
                    from: tree::cte("offsets", "o"),
                    on: bin(
                        Op::Le,
                        bin(Op::Mul, field("o", "k"), Expr::Int(shortest)),
                        Expr::DaysBetween {
                            start: Box::new(field("c", "cohort_start")),
                            end: Box::new(field("h", "today")),
                        },
                    ),
                },
                Join {
                    kind: JoinKind::Left,
                    from: tree::cte("active", "a"),
                    on: bin(
                        Op::And,
                        bin(
                            Op::Eq,
                            field("a", "cohort_start"),
                            field("c", "cohort_start"),
                        ),
                        bin(Op::Eq, field("a", "period_start"), cell_start()),
                    ),
                },
            ],
            filter: Some(bin(Op::Le, cell_start(), field("h", "today"))),
            ..Select::default()
        })),
    });
    let is_mature = || bin(Op::Eq, field("x", "mature"), Expr::Int(1));
    let select = Select {
        columns: vec![
            item(field("x", "cohort_start"), "cohort_start"),
            item(field("x", "period_offset"), "period_offset"),
            item(field("x", "period_start"), "period_start"),
            item(field("x", "cohort_customers"), "cohort_customers"),
            item(
                tree::case(
                    vec![(is_mature(), field("x", "active_customers"))],
                    Expr::Null,
                ),
                "active_customers",
            ),
            item(
                tree::case(
                    vec![(
                        is_mature(),
                        Expr::SafeDiv(
                            Box::new(field("x", "active_customers")),
                            Box::new(field("x", "cohort_customers")),
                        ),
                    )],
                    Expr::Null,
                ),
                "retention",
            ),
            item(
                tree::case(
                    vec![(is_mature(), Expr::Str("mature".to_string()))],
                    Expr::Str("immature".to_string()),
                ),
                "status",
            ),
        ],
        from: Some(tree::cte("cells", "x")),
        order_by: vec![
            Order::asc(name("cohort_start")),
            Order::asc(name("period_start")),
        ],
        ..Select::default()
    };
    let mut inputs = vec![table_name(cohort_source), table_name(activity_source)];
    inputs.sort();
    inputs.dedup();
    Some(Planned {
        id: QueryId::Cohorts(metric.named.name.to_string()),
        reads: Vec::new(),
        purpose: format!(
            "Retention matrix of `{}`: per {} cohort (the period of the first row) and period offset, the share of the cohort active in that period; cells whose period has not ended are immature and left empty.",
            metric.named.name,
            period.word()
        ),
        inputs,
        columns: vec![
            out(
                "cohort_start",
                ColumnKind::Date,
                "first day of the cohort's period",
            ),
            out(
                "period_offset",
                ColumnKind::Integer,
                "periods since the cohort's (0: its own)",
            ),
            out(
                "period_start",
                ColumnKind::Date,
                "first day of the cell's period",
            ),
            out(
                "cohort_customers",
                ColumnKind::Integer,
                "customers in the cohort",
            ),
            out(
                "active_customers",
                ColumnKind::Integer,
                "of them, customers active in the period (empty when immature)",
            ),
            out(
                "retention",
                ColumnKind::Number,
                "active_customers / cohort_customers (empty when immature)",
            ),
            out(
                "status",
                ColumnKind::Text,
                "`mature`, or `immature` while the period has not ended",
            ),
        ],
        query: Query {
            ctes,
            body: Body::Select(Box::new(select)),
        },
    })
}
