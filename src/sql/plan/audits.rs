//! `audits`: one row per failed data-quality check of the agreement's
//! `audit` blocks (definitions: docs/scorecard.md, "audits"). Each check is
//! one select that returns only failing rows, so a clean source returns
//! nothing; the selects are glued in `findings` and sorted.

use super::QueryId;
use super::{
    ColumnKind, Options, Planned, Window, condition, out, source_column, table_name, table_path,
    today,
};
use crate::check::dates::approx_days;
use crate::model::{Agreement, Source};
use crate::sql::tree::{
    self, Body, Cte, Expr, From, Join, JoinKind, Op, Order, Period, Query, Select, bin, field,
    func, item, name, window,
};
use crate::syntax::ast::*;

const COLUMNS: [&str; 6] = [
    "source",
    "check_name",
    "period_start",
    "offending",
    "expected_low",
    "expected_high",
];

pub fn plan(agreement: &Agreement<'_>, options: &Options) -> Option<Planned> {
    if agreement.audits.is_empty() && agreement.targets.is_empty() {
        return None;
    }
    let mut ctes = Vec::new();
    let mut findings = Vec::new();
    let mut inputs = Vec::new();
    target_windows(agreement, options, &mut ctes, &mut findings, &mut inputs);
    for (i, audit) in agreement.audits.iter().enumerate() {
        let Some(source) = agreement.source(audit.source) else {
            continue;
        };
        inputs.push(table_name(source));
        let audit_check = Audited {
            agreement,
            source,
            index: i,
            options,
        };
        for &check in &audit.checks {
            match check {
                "null_keys" => findings.push(audit_check.null_keys()),
                "duplicate_ids" if source.id.is_some() => {
                    findings.push(audit_check.duplicate_ids(&mut ctes))
                }
                "unknown_events" => findings.extend(audit_check.unknown_events()),
                "future_timestamps" => findings.push(audit_check.future_timestamps()),
                "gaps" => findings.push(audit_check.gaps(&mut ctes)),
                _ => {}
            }
        }
        if let Some(limit) = audit.freshness.or(source.freshness) {
            findings.push(audit_check.freshness(limit, &mut ctes));
        }
        if let Some((sigma, window)) = audit.drift {
            findings.push(audit_check.drift(sigma, window, &mut ctes));
        }
    }
    if findings.is_empty() {
        return None;
    }
    inputs.sort();
    inputs.dedup();
    ctes.push(Cte {
        name: "findings".to_string(),
        body: Body::UnionAll(findings),
    });
    let select = Select {
        columns: COLUMNS.iter().map(|c| item(field("f", c), c)).collect(),
        from: Some(tree::cte("findings", "f")),
        order_by: vec![
            Order::asc(name("source")),
            Order::asc(name("check_name")),
            Order::nulls_first(name("period_start")),
        ],
        ..Select::default()
    };
    Some(Planned {
        id: QueryId::Audits,
        reads: Vec::new(),
        purpose: "Data-quality audits: one row per failed check (null keys, duplicate ids, unknown events, future timestamps, gaps, freshness, volume drift).".to_string(),
        inputs,
        columns: vec![
            out("source", ColumnKind::Text, "the audited source"),
            out("check_name", ColumnKind::Text, "`null_keys`, `duplicate_ids`, `unknown_events`, `future_timestamps`, `gaps`, `freshness`, `drift` or `no_rows_in_target_window`"),
            out("period_start", ColumnKind::Date, "the period of the offending rows; for gaps, freshness and drift, the day; for a target's window, its first day"),
            out("offending", ColumnKind::Number, "offending rows; missing days (gaps); hours since the latest row (freshness); the day's rows (drift); the window's rows (no_rows_in_target_window)"),
            out("expected_low", ColumnKind::Number, "lowest accepted value"),
            out("expected_high", ColumnKind::Number, "highest accepted value"),
        ],
        query: Query {
            ctes,
            body: Body::Select(Box::new(select)),
        },
    })
}

/// `no_rows_in_target_window`: a source a target's metric reads has no rows
/// in the target's window (once it has begun), so the target can only be
/// `no data`. One finding per source and window, dated by the window's
/// first day.
fn target_windows(
    agreement: &Agreement<'_>,
    options: &Options,
    ctes: &mut Vec<Cte>,
    findings: &mut Vec<Select>,
    inputs: &mut Vec<String>,
) {
    let mut seen: Vec<(String, Window)> = Vec::new();
    for target in &agreement.targets {
        let Some(metric) = agreement.metric(&target.metric.name) else {
            continue;
        };
        let Ok(sources) = super::metrics::value_sources(agreement, metric) else {
            continue;
        };
        let window = super::targets::target_window(agreement, target, options);
        let window = Window {
            start: window.start,
            end: window.end,
        };
        for source in sources {
            if seen
                .iter()
                .any(|(name, w)| name == source.name() && *w == window)
            {
                continue;
            }
            seen.push((source.name().to_string(), window.clone()));
            inputs.push(table_name(source));
            let counted = format!("target_rows_{}", seen.len());
            ctes.push(Cte {
                name: counted.clone(),
                body: Body::Select(Box::new(Select {
                    columns: vec![item(Expr::CountStar, "n")],
                    from: Some(From::Table {
                        path: table_path(source, options),
                        alias: "r".to_string(),
                    }),
                    filter: Some(super::metrics::within(
                        source_column("r", source, "time"),
                        &window,
                    )),
                    ..Select::default()
                })),
            });
            findings.push(Select {
                columns: finding(
                    source.name(),
                    "no_rows_in_target_window",
                    window.start.clone(),
                    field("c", "n"),
                    Expr::Int(1),
                    Expr::TypedNull(tree::NullType::Float),
                ),
                from: Some(tree::cte(&counted, "c")),
                filter: Some(bin(
                    Op::And,
                    bin(Op::Eq, field("c", "n"), Expr::Int(0)),
                    bin(Op::Le, window.start.clone(), window.end.clone()),
                )),
                ..Select::default()
            });
        }
    }
}

/// The checks of one audited source.
struct Audited<'s, 'a> {
    agreement: &'s Agreement<'a>,
    source: &'s Source<'a>,
    index: usize,
    options: &'s Options,
}

impl Audited<'_, '_> {
    fn table(&self) -> From {
        From::Table {
            path: table_path(self.source, self.options),
            alias: "r".to_string(),
        }
    }

    fn column(&self, role: &str) -> Expr {
        source_column("r", self.source, role)
    }

    /// The first moment after today: rows at or after it are in the future.
    fn end_of_today(&self) -> Expr {
        Expr::StartOfDay(Box::new(day_after(today(self.options))))
    }

    /// Rows up to the end of today (rows without a time are kept).
    fn not_future(&self) -> Expr {
        bin(
            Op::Or,
            is_null(self.column("time")),
            bin(Op::Lt, self.column("time"), self.end_of_today()),
        )
    }

    /// A finding per period of the rows `filter` selects.
    fn rows_per_period(&self, check: &str, filter: Expr) -> Select {
        let period = Expr::PeriodStart(self.options.period, Box::new(self.column("time")));
        Select {
            columns: finding(
                self.source.name(),
                check,
                period.clone(),
                Expr::CountStar,
                Expr::Int(0),
                Expr::Int(0),
            ),
            from: Some(self.table()),
            filter: Some(filter),
            group_by: vec![period],
            ..Select::default()
        }
    }

    fn null_keys(&self) -> Select {
        self.rows_per_period(
            "null_keys",
            bin(
                Op::And,
                bin(
                    Op::Or,
                    is_null(self.column("customer")),
                    is_null(self.column("time")),
                ),
                self.not_future(),
            ),
        )
    }

    /// Rows whose id an earlier row (by time) already has.
    fn duplicate_ids(&self, ctes: &mut Vec<Cte>) -> Select {
        let cte_name = format!("repeats_{}", self.index);
        ctes.push(Cte {
            name: cte_name.clone(),
            body: Body::Select(Box::new(Select {
                columns: vec![
                    item(self.column("time"), "row_time"),
                    item(
                        window(
                            func("ROW_NUMBER", vec![]),
                            vec![Expr::ToText(Box::new(self.column("id")))],
                            vec![
                                Order::asc(self.column("time")),
                                Order::asc(Expr::ToText(Box::new(self.column("customer")))),
                            ],
                        ),
                        "seen",
                    ),
                ],
                from: Some(self.table()),
                filter: Some(bin(
                    Op::And,
                    Expr::IsNull {
                        expr: Box::new(self.column("id")),
                        negated: true,
                    },
                    self.not_future(),
                )),
                ..Select::default()
            })),
        });
        let period = Expr::PeriodStart(self.options.period, Box::new(field("d", "row_time")));
        Select {
            columns: finding(
                self.source.name(),
                "duplicate_ids",
                period.clone(),
                Expr::CountStar,
                Expr::Int(0),
                Expr::Int(0),
            ),
            from: Some(tree::cte(&cte_name, "d")),
            filter: Some(bin(Op::Gt, field("d", "seen"), Expr::Int(1))),
            group_by: vec![period],
            ..Select::default()
        }
    }

    /// Rows no event of the source describes. `None` when the source has no
    /// events, or one that takes every row.
    fn unknown_events(&self) -> Option<Select> {
        let mut filters = Vec::new();
        for event in &self.agreement.events {
            if event.source != self.source.name() {
                continue;
            }
            filters.push(condition(event.filter?, "r", self.source));
        }
        let any = filters.into_iter().reduce(|a, b| bin(Op::Or, a, b))?;
        // A row whose conditions are unknown (NULL) matches no event.
        let known = tree::case(vec![(any, Expr::Int(1))], Expr::Int(0));
        Some(self.rows_per_period(
            "unknown_events",
            bin(Op::And, bin(Op::Eq, known, Expr::Int(0)), self.not_future()),
        ))
    }

    fn future_timestamps(&self) -> Select {
        let after = match self.options.as_of {
            Some(_) => bin(Op::Ge, self.column("time"), self.end_of_today()),
            None => bin(Op::Gt, self.column("time"), Expr::Now),
        };
        self.rows_per_period("future_timestamps", after)
    }

    /// Runs of days without rows inside the reporting window: the days with
    /// rows plus one sentinel day on each side of the window, each followed
    /// by the next; a step of more than one day is a gap.
    fn gaps(&self, ctes: &mut Vec<Cte>) -> Select {
        let effective = self.agreement.effective;
        let today = today(self.options);
        let last_day = match effective {
            Some(range) => {
                let end = Expr::Date(date_text(&range.end));
                tree::case(vec![(bin(Op::Lt, today.clone(), end.clone()), today)], end)
            }
            None => today,
        };
        let day = Expr::PeriodStart(Period::Day, Box::new(self.column("time")));
        let mut filters = vec![bin(
            Op::Lt,
            self.column("time"),
            Expr::StartOfDay(Box::new(day_after(last_day.clone()))),
        )];
        let mut days = Vec::new();
        if let Some(range) = effective {
            let start = Expr::Date(date_text(&range.start));
            filters.push(bin(
                Op::Ge,
                self.column("time"),
                Expr::StartOfDay(Box::new(start.clone())),
            ));
            days.push(Select {
                columns: vec![item(
                    Expr::AddPeriods {
                        period: Period::Day,
                        count: -1,
                        date: Box::new(start),
                    },
                    "day",
                )],
                ..Select::default()
            });
        }
        days.push(Select {
            distinct: true,
            columns: vec![item(day, "day")],
            from: Some(self.table()),
            filter: tree::and(filters),
            ..Select::default()
        });
        days.push(Select {
            columns: vec![item(day_after(last_day.clone()), "day")],
            ..Select::default()
        });
        let days_name = format!("days_{}", self.index);
        let steps_name = format!("steps_{}", self.index);
        ctes.push(Cte {
            name: days_name.clone(),
            body: Body::UnionAll(days),
        });
        ctes.push(Cte {
            name: steps_name.clone(),
            body: Body::Select(Box::new(Select {
                columns: vec![
                    item(field("d", "day"), "day"),
                    item(
                        window(
                            func("LEAD", vec![field("d", "day")]),
                            vec![],
                            vec![Order::asc(field("d", "day"))],
                        ),
                        "next_day",
                    ),
                ],
                from: Some(tree::cte(&days_name, "d")),
                ..Select::default()
            })),
        });
        let step = Expr::DaysBetween {
            start: Box::new(field("s", "day")),
            end: Box::new(field("s", "next_day")),
        };
        let first_missing = day_after(field("s", "day"));
        Select {
            columns: finding(
                self.source.name(),
                "gaps",
                first_missing.clone(),
                bin(Op::Sub, step.clone(), Expr::Int(1)),
                Expr::Int(0),
                Expr::Int(0),
            ),
            from: Some(tree::cte(&steps_name, "s")),
            filter: Some(bin(
                Op::And,
                bin(Op::Gt, step, Expr::Int(1)),
                bin(Op::Le, first_missing, last_day),
            )),
            ..Select::default()
        }
    }

    /// The latest row against the limit, at the end of today (without
    /// `as of`: now). An empty source is stale too.
    fn freshness(&self, limit: &Duration, ctes: &mut Vec<Cte>) -> Select {
        let limit_hours = approx_days(limit) * 24.0;
        let (reference, upto) = match self.options.as_of {
            Some(_) => (
                self.end_of_today(),
                bin(Op::Lt, self.column("time"), self.end_of_today()),
            ),
            None => (Expr::Now, bin(Op::Le, self.column("time"), Expr::Now)),
        };
        let cte_name = format!("latest_{}", self.index);
        ctes.push(Cte {
            name: cte_name.clone(),
            body: Body::Select(Box::new(Select {
                columns: vec![item(func("MAX", vec![self.column("time")]), "latest")],
                from: Some(self.table()),
                filter: Some(upto),
                ..Select::default()
            })),
        });
        let age_seconds = bin(
            Op::Sub,
            Expr::EpochSeconds(Box::new(reference)),
            Expr::EpochSeconds(Box::new(field("l", "latest"))),
        );
        Select {
            columns: finding(
                self.source.name(),
                "freshness",
                Expr::PeriodStart(Period::Day, Box::new(field("l", "latest"))),
                bin(
                    Op::Div,
                    Expr::ToFloat(Box::new(age_seconds.clone())),
                    Expr::Float(3600.0),
                ),
                Expr::Int(0),
                super::number(limit_hours),
            ),
            from: Some(tree::cte(&cte_name, "l")),
            filter: Some(bin(
                Op::Or,
                is_null(field("l", "latest")),
                bin(
                    Op::Gt,
                    age_seconds,
                    super::number((limit_hours * 3600.0).round()),
                ),
            )),
            ..Select::default()
        }
    }

    /// Days whose row count is outside mean ± k sample standard deviations
    /// of the days with rows among the `window` days before them.
    fn drift(&self, sigma: f64, window_length: &Duration, ctes: &mut Vec<Cte>) -> Select {
        let days = approx_days(window_length).round() as i64;
        let daily = format!("daily_{}", self.index);
        let history = format!("history_{}", self.index);
        let day = Expr::PeriodStart(Period::Day, Box::new(self.column("time")));
        ctes.push(Cte {
            name: daily.clone(),
            body: Body::Select(Box::new(Select {
                columns: vec![item(day.clone(), "day"), item(Expr::CountStar, "row_count")],
                from: Some(self.table()),
                filter: Some(bin(Op::Lt, self.column("time"), self.end_of_today())),
                group_by: vec![day],
                ..Select::default()
            })),
        });
        let lag = Expr::DaysBetween {
            start: Box::new(field("p", "day")),
            end: Box::new(field("d", "day")),
        };
        let float = |e: Expr| Expr::ToFloat(Box::new(e));
        let n = || float(func("COUNT", vec![field("p", "day")]));
        let total = || func("SUM", vec![float(field("p", "row_count"))]);
        let squares = func(
            "SUM",
            vec![bin(
                Op::Mul,
                float(field("p", "row_count")),
                float(field("p", "row_count")),
            )],
        );
        // Sample variance from the sums; never negative from rounding.
        let variance = bin(
            Op::Div,
            bin(
                Op::Sub,
                squares,
                bin(Op::Div, bin(Op::Mul, total(), total()), n()),
            ),
            bin(Op::Sub, n(), Expr::Float(1.0)),
        );
        ctes.push(Cte {
            name: history.clone(),
            body: Body::Select(Box::new(Select {
                columns: vec![
                    item(field("d", "day"), "day"),
                    item(field("d", "row_count"), "row_count"),
                    item(bin(Op::Div, total(), n()), "mean"),
                    item(
                        tree::case(
                            vec![(
                                bin(Op::Lt, variance.clone(), Expr::Float(0.0)),
                                Expr::Float(0.0),
                            )],
                            variance,
                        ),
                        "variance",
                    ),
                ],
                from: Some(tree::cte(&daily, "d")),
                joins: vec![Join {
                    kind: JoinKind::Inner,
                    from: tree::cte(&daily, "p"),
                    on: bin(
                        Op::And,
                        bin(Op::Ge, lag.clone(), Expr::Int(1)),
                        bin(Op::Le, lag, Expr::Int(days)),
                    ),
                }],
                group_by: vec![field("d", "day"), field("d", "row_count")],
                having: Some(bin(
                    Op::Ge,
                    func("COUNT", vec![field("p", "day")]),
                    Expr::Int(2),
                )),
                ..Select::default()
            })),
        });
        let spread = || {
            bin(
                Op::Mul,
                super::number(sigma),
                func("SQRT", vec![field("h", "variance")]),
            )
        };
        let low = bin(Op::Sub, field("h", "mean"), spread());
        let high = bin(Op::Add, field("h", "mean"), spread());
        Select {
            columns: finding(
                self.source.name(),
                "drift",
                field("h", "day"),
                field("h", "row_count"),
                low.clone(),
                high.clone(),
            ),
            from: Some(tree::cte(&history, "h")),
            filter: Some(bin(
                Op::Or,
                bin(Op::Lt, field("h", "row_count"), low),
                bin(Op::Gt, field("h", "row_count"), high),
            )),
            ..Select::default()
        }
    }
}

fn finding(
    source: &str,
    check: &str,
    period_start: Expr,
    offending: Expr,
    low: Expr,
    high: Expr,
) -> Vec<tree::Item> {
    vec![
        item(Expr::Str(source.to_string()), "source"),
        item(Expr::Str(check.to_string()), "check_name"),
        item(period_start, "period_start"),
        item(offending, "offending"),
        item(low, "expected_low"),
        item(high, "expected_high"),
    ]
}

fn is_null(expr: Expr) -> Expr {
    Expr::IsNull {
        expr: Box::new(expr),
        negated: false,
    }
}

fn day_after(date: Expr) -> Expr {
    Expr::AddPeriods {
        period: Period::Day,
        count: 1,
        date: Box::new(date),
    }
}

fn date_text(date: &Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year, date.month, date.day)
}
