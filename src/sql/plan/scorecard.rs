//! `scorecard_<name>`: each metric of a scorecard per period and group,
//! against its target, with progress, status, trend, and small groups
//! suppressed when the scorecard is shared (docs/scorecard.md,
//! "scorecard").
//!
//! Metric `j` is embedded as the CTEs `m<j>...` (and, for a relative
//! target, its value over the baseline window as `b<j>...`); `s<j>` puts
//! target, progress and status beside each of its rows; `scored` glues
//! them, and the final select joins each row to the period before it.

use super::QueryId;
use super::figures::{
    self, date_expr, day, div, float, is_null, lit, mul, no_text, sub, text, when,
};
use super::{ColumnKind, Options, Planned, Window, out};
use crate::model::{Agreement, Metric, Scorecard};
use crate::sql::tree::{
    self, Body, Cte, Expr, Join, JoinKind, Op, Order, Query, Select, bin, field, item, name,
};
use crate::syntax::ast::*;

/// The columns of each metric's scored rows (`status` last).
const SCORED: [&str; 11] = [
    "metric",
    "indicator",
    "unit",
    "period_start",
    "segment",
    "segment_value",
    "value",
    "customers",
    "target",
    "progress",
    "status",
];

pub fn plan(
    agreement: &Agreement<'_>,
    scorecard: &Scorecard<'_>,
    options: &Options,
) -> Result<Planned, String> {
    let metrics = &scorecard.metrics;
    let by = &scorecard.by;
    let shared = !scorecard.shared_with.is_empty();
    let minimum = scorecard.minimum_group.map(|n| n as i64);
    let on_track = scorecard.on_track_from.map_or(1.0, |n| n / 100.0);
    let at_risk = scorecard.at_risk_from.map_or(on_track, |n| n / 100.0);
    let period = options.period;
    let mut ctes = Vec::new();
    let mut scored = Vec::new();
    let mut inputs = Vec::new();
    for (j, metric_name) in metrics.iter().enumerate() {
        let metric = agreement
            .metric(metric_name)
            .ok_or_else(|| format!("its metric `{metric_name}` is not defined"))?;
        let planned = super::metrics::plan(agreement, metric, options)
            .map_err(|why| format!("metric `{metric_name}`: {why}"))?;
        inputs.extend(planned.inputs.clone());
        let m = format!("m{j}");
        ctes.extend(figures::embed(planned, &m, options));
        let target = agreement
            .targets
            .iter()
            .find(|t| t.metric.name == *metric_name);
        let actual = || field("r", "value");
        let Goal {
            target: target_value,
            progress,
            lower_better,
            joins,
        } = goal(agreement, metric, target.copied(), j, options, &mut ctes)?;
        let status = status_rules(on_track, at_risk, lower_better);
        // Two steps: target and progress first, then the status reads them.
        let s = format!("s{j}");
        let mut segments = vec![text("all"), text("partner")];
        segments.extend(by.iter().filter(|s| metric.by.contains(s)).map(|s| text(s)));
        let indicator = metric.indicator.map(|i| match i {
            Indicator::Leading => "leading",
            Indicator::Lagging => "lagging",
        });
        let unit = metric.unit.map(|u| u.word());
        ctes.push(Cte {
            name: format!("{s}_targets"),
            body: Body::Select(Box::new(Select {
                columns: vec![
                    item(text(metric_name), "metric"),
                    item(indicator.map_or_else(no_text, text), "indicator"),
                    item(unit.map_or_else(no_text, text), "unit"),
                    item(field("r", "period_start"), "period_start"),
                    item(field("r", "segment"), "segment"),
                    item(field("r", "segment_value"), "segment_value"),
                    item(actual(), "value"),
                    item(field("r", "customers"), "customers"),
                    item(float(target_value), "target"),
                    item(float(progress), "progress"),
                ],
                from: Some(tree::cte(&m, "r")),
                joins,
                filter: Some(Expr::In {
                    expr: Box::new(field("r", "segment")),
                    list: segments,
                    negated: false,
                }),
                ..Select::default()
            })),
        });
        ctes.push(Cte {
            name: s.clone(),
            body: Body::Select(Box::new(Select {
                columns: SCORED[..SCORED.len() - 1]
                    .iter()
                    .map(|c| item(field("r", c), c))
                    .chain([item(tree::case(status, text("off track")), "status")])
                    .collect(),
                from: Some(tree::cte(&format!("{s}_targets"), "r")),
                ..Select::default()
            })),
        });
        scored.push(Select {
            columns: SCORED.iter().map(|c| item(field("x", c), c)).collect(),
            from: Some(tree::cte(&s, "x")),
            ..Select::default()
        });
    }
    if scored.is_empty() {
        return Err("it lists no metric".to_string());
    }
    ctes.push(Cte {
        name: "scored".to_string(),
        body: tree::union(scored),
    });
    let mut select = shared_view(shared, minimum, period);
    // Only periods under the agreement are scored (the period before the
    // first still gives it its `previous`).
    if let Some((first, last)) = agreement.effective_days() {
        let start = field("r", "period_start");
        select.filter = Some(bin(
            Op::And,
            bin(Op::Le, start.clone(), date_expr(last)),
            bin(
                Op::Gt,
                Expr::AddPeriods {
                    period,
                    count: 1,
                    date: Box::new(start),
                },
                date_expr(first),
            ),
        ));
    }
    inputs.sort();
    inputs.dedup();
    Ok(Planned {
        id: QueryId::Scorecard(scorecard.named.name.to_string()),
        reads: Vec::new(),
        purpose: format!(
            "Scorecard `{}` per {}: each metric's actual against its target, progress, status and trend{}.",
            scorecard.named.name,
            period.word(),
            match minimum {
                Some(n) if shared => format!(", figures from fewer than {n} customers suppressed"),
                _ => String::new(),
            }
        ),
        inputs,
        columns: vec![
            out("metric", ColumnKind::Text, "the metric"),
            out("indicator", ColumnKind::Text, "`leading` or `lagging`"),
            out("unit", ColumnKind::Text, "the metric's unit"),
            out("period_start", ColumnKind::Date, "first day of the period"),
            out(
                "segment",
                ColumnKind::Text,
                "`all`, `partner`, or the segment the row splits by",
            ),
            out(
                "segment_value",
                ColumnKind::Text,
                "the partner or segment value (empty for `all`)",
            ),
            out(
                "actual",
                ColumnKind::Number,
                "the metric's value (empty when suppressed)",
            ),
            out(
                "customers",
                ColumnKind::Integer,
                "customers behind the figure (empty when suppressed)",
            ),
            out(
                "target",
                ColumnKind::Number,
                "the target for this period and group",
            ),
            out(
                "percent_of_target",
                ColumnKind::Number,
                "progress toward the target, 1 = met",
            ),
            out(
                "status",
                ColumnKind::Text,
                "`on track`, `at risk`, `off track`, `no target`, `no data` or `suppressed`",
            ),
            out(
                "previous",
                ColumnKind::Number,
                "the value in the period before",
            ),
            out(
                "trend",
                ColumnKind::Text,
                "`up`, `down` or `flat` against the period before",
            ),
        ],
        query: Query {
            ctes,
            body: Body::Select(Box::new(select)),
        },
    })
}

/// Rows of the same group: same segment and segment value (NULL for `all`).
pub fn same_group(a: &str, b: &str) -> Expr {
    bin(
        Op::And,
        bin(Op::Eq, field(a, "segment"), field(b, "segment")),
        Expr::Not(Box::new(Expr::Distinct(
            Box::new(field(a, "segment_value")),
            Box::new(field(b, "segment_value")),
        ))),
    )
}

/// The status of a row from its progress: no data, no target, then the
/// thresholds (an `at most` target met at 0 is on track).
fn status_rules(on_track: f64, at_risk: f64, lower_better: bool) -> Vec<(Expr, Expr)> {
    let actual = || field("r", "value");
    let mut status = vec![
        (is_null(actual()), text("no data")),
        (is_null(field("r", "target")), text("no target")),
    ];
    if lower_better {
        status.push((bin(Op::Eq, actual(), lit(0.0)), text("on track")));
    }
    status.push((
        bin(Op::Ge, field("r", "progress"), lit(on_track)),
        text("on track"),
    ));
    status.push((
        bin(Op::Ge, field("r", "progress"), lit(at_risk)),
        text("at risk"),
    ));
    status
}

/// The rows as shared: each scored row beside the previous period's, with
/// the trend; when the scorecard is shared with a minimum group, a figure
/// from fewer customers is suppressed, and so is a trend that would reveal
/// it.
fn shared_view(shared: bool, minimum: Option<i64>, period: Period) -> Select {
    let small = |alias: &str| match (shared, minimum) {
        (true, Some(n)) => Some(bin(Op::Lt, field(alias, "customers"), Expr::Int(n))),
        _ => None,
    };
    let hide = |e: Expr| match small("r") {
        Some(cond) => when(cond, Expr::Null, e),
        None => e,
    };
    let previous_hidden = match (small("r"), small("p")) {
        (Some(a), Some(b)) => Some(bin(Op::Or, a, b)),
        _ => None,
    };
    let previous = match &previous_hidden {
        Some(cond) => when(cond.clone(), Expr::Null, field("p", "value")),
        None => field("p", "value"),
    };
    let mut trend = vec![(
        bin(
            Op::Or,
            is_null(field("p", "value")),
            is_null(field("r", "value")),
        ),
        no_text(),
    )];
    if let Some(cond) = previous_hidden {
        trend.insert(0, (cond, no_text()));
    }
    trend.push((
        bin(Op::Gt, field("r", "value"), field("p", "value")),
        text("up"),
    ));
    trend.push((
        bin(Op::Lt, field("r", "value"), field("p", "value")),
        text("down"),
    ));
    let status = match small("r") {
        Some(cond) => when(cond, text("suppressed"), field("r", "status")),
        None => field("r", "status"),
    };
    Select {
        columns: vec![
            item(field("r", "metric"), "metric"),
            item(field("r", "indicator"), "indicator"),
            item(field("r", "unit"), "unit"),
            item(field("r", "period_start"), "period_start"),
            item(field("r", "segment"), "segment"),
            item(field("r", "segment_value"), "segment_value"),
            item(hide(field("r", "value")), "actual"),
            item(hide(field("r", "customers")), "customers"),
            item(hide(field("r", "target")), "target"),
            item(hide(field("r", "progress")), "percent_of_target"),
            item(status, "status"),
            item(previous, "previous"),
            item(tree::case(trend, text("flat")), "trend"),
        ],
        from: Some(tree::cte("scored", "r")),
        joins: vec![Join {
            kind: JoinKind::Left,
            from: tree::cte("scored", "p"),
            on: bin(
                Op::And,
                bin(
                    Op::And,
                    bin(Op::Eq, field("p", "metric"), field("r", "metric")),
                    same_group("p", "r"),
                ),
                bin(
                    Op::Eq,
                    field("p", "period_start"),
                    Expr::AddPeriods {
                        period,
                        count: -1,
                        date: Box::new(field("r", "period_start")),
                    },
                ),
            ),
        }],
        order_by: vec![
            Order::asc(name("metric")),
            Order::asc(name("period_start")),
            Order::asc(name("segment")),
            Order::nulls_first(name("segment_value")),
        ],
        ..Select::default()
    }
}

/// A metric's target in a row's period and the progress towards it.
struct Goal {
    target: Expr,
    progress: Expr,
    /// `at most` targets: an actual of 0 is on track.
    lower_better: bool,
    /// What the row needs beside it (the baseline of a relative target).
    joins: Vec<Join>,
}

/// The target of metric number `j` (embedded as `m<j>`) per row of its
/// figures, scaled to the row's period for counts and sums, and progress
/// as docs/scorecard.md defines it. A relative target's baseline becomes
/// the CTE `b<j>`.
fn goal(
    agreement: &Agreement<'_>,
    metric: &Metric<'_>,
    target: Option<&Target>,
    j: usize,
    options: &Options,
    ctes: &mut Vec<Cte>,
) -> Result<Goal, String> {
    let period = options.period;
    let metric_name = metric.named.name;
    let m = format!("m{j}");
    let extensive = figures::shape(metric).extensive();
    let actual = || field("r", "value");
    // Days of the row's period, for scaling extensive targets.
    let row_days = || float(figures::period_days(period, field("r", "period_start")));
    let per_scale = |t: &Target| match (&t.per, extensive) {
        (Some(per), true) => {
            let p = per.value;
            let start = Expr::PeriodStart(p, Box::new(field("r", "period_start")));
            Some(div(row_days(), float(figures::period_days(p, start))))
        }
        _ => None,
    };
    let scaled = |v: f64, t: &Target| match per_scale(t) {
        Some(factor) => mul(lit(v), factor),
        None => lit(v),
    };
    let mut joins = Vec::new();
    let (target, progress, lower_better) = match target.map(|t| (t, &t.goalpost)) {
        None => (Expr::Null, Expr::Null, false),
        Some((t, Goalpost::AtLeast { value })) => {
            let target = scaled(figures::value(value), t);
            (target.clone(), div(actual(), target), false)
        }
        Some((t, Goalpost::AtMost { value })) => {
            let target = scaled(figures::value(value), t);
            (target.clone(), div(target, actual()), true)
        }
        Some((t, Goalpost::Between { low, high })) => {
            let (low, high) = (figures::value(low), figures::value(high));
            let (l, h) = (scaled(low, t), scaled(high, t));
            let middle = scaled((low + high) / 2.0, t);
            (
                when(bin(Op::Lt, actual(), middle), l.clone(), h.clone()),
                tree::case(
                    vec![
                        (bin(Op::Lt, actual(), l.clone()), div(actual(), l)),
                        (bin(Op::Gt, actual(), h.clone()), div(h, actual())),
                    ],
                    lit(1.0),
                ),
                false,
            )
        }
        Some((
            t,
            Goalpost::Change {
                direction,
                amount,
                baseline,
            },
        )) => match baseline_window(agreement, t, baseline.as_ref()) {
            None => (Expr::Null, Expr::Null, false),
            Some((start, end)) => {
                let b = format!("b{j}");
                if extensive {
                    // Counts and sums: the baseline window's total,
                    // scaled to the row's period.
                    ctes.extend(
                        figures::metric_ctes(
                            agreement,
                            metric,
                            options,
                            Some(Window {
                                start: date_expr(start),
                                end: date_expr(end),
                            }),
                            None,
                            &b,
                        )
                        .map_err(|why| format!("metric `{metric_name}`: {why}"))?,
                    );
                } else {
                    // Rates, averages, ratios: the mean of the periods
                    // of the baseline (a six-month ARPU is no monthly
                    // ARPU).
                    let inside = tree::and(vec![
                        bin(Op::Ge, field("p", "period_start"), date_expr(start)),
                        bin(
                            Op::Le,
                            Expr::AddPeriods {
                                period,
                                count: 1,
                                date: Box::new(field("p", "period_start")),
                            },
                            date_expr(end + 1),
                        ),
                    ]);
                    ctes.push(Cte {
                        name: b.clone(),
                        body: Body::Select(Box::new(Select {
                            columns: vec![
                                item(field("p", "segment"), "segment"),
                                item(field("p", "segment_value"), "segment_value"),
                                item(tree::func("AVG", vec![float(field("p", "value"))]), "value"),
                            ],
                            from: Some(tree::cte(&m, "p")),
                            filter: inside,
                            group_by: vec![field("p", "segment"), field("p", "segment_value")],
                            ..Select::default()
                        })),
                    });
                }
                joins.push(Join {
                    kind: JoinKind::Left,
                    from: tree::cte(&b, "b"),
                    on: same_group("b", "r"),
                });
                let base = if extensive {
                    div(
                        mul(field("b", "value"), row_days()),
                        lit((end - start + 1) as f64),
                    )
                } else {
                    field("b", "value")
                };
                let change = figures::change(direction.value, amount.as_ref());
                let target = mul(base.clone(), lit(1.0 + change));
                let rose = match direction.value {
                    Direction::Increase => bin(Op::Gt, actual(), base.clone()),
                    Direction::Decrease => bin(Op::Lt, actual(), base.clone()),
                };
                let progress = if amount.is_some() {
                    div(sub(actual(), base.clone()), sub(target.clone(), base))
                } else {
                    when(rose, lit(1.0), lit(0.0))
                };
                (target, progress, false)
            }
        },
    };
    Ok(Goal {
        target,
        progress,
        lower_better,
        joins,
    })
}

/// The baseline window of a relative target, as day numbers: its own
/// `over baseline`, else the baseline of the pilot its deadline names.
pub fn baseline_window(
    agreement: &Agreement<'_>,
    target: &Target,
    own: Option<&DateRange>,
) -> Option<(i64, i64)> {
    if let Some(range) = own {
        return Some((day(&range.start), day(&range.end)));
    }
    let Some(Deadline::Within {
        of: Some(pilot), ..
    }) = target.deadline.as_ref().map(|d| &d.value)
    else {
        return None;
    };
    let range = agreement.pilot(&pilot.name)?.baseline?;
    Some((day(&range.start), day(&range.end)))
}
