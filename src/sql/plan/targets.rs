//! `targets`: every target of the agreement at its deadline, or today when
//! the deadline is ahead: its value, whether it is met, the run rate still
//! needed, and for relative targets the lift with its interval and the
//! verdict (docs/scorecard.md, "targets").
//!
//! Target `k` embeds its metric over its window as `t<k>...` (and over the
//! baseline window as `tb<k>...`); `target_<k>` reads the `all` group of
//! both into one row; `row_<k>` judges it; `judged` glues the rows.

use super::QueryId;
use super::figures::{
    self, date_expr, day, div, float, lit, mul, no_text, sub, text, when, window_end,
};
use super::scorecard::baseline_window;
use super::{ColumnKind, Options, Planned, Window, out, today};
use crate::model::Agreement;
use crate::sql::tree::{
    self, Body, Cte, Expr, Join, JoinKind, NullType, Op, Order, Query, Select, bin, field, item,
    name,
};
use crate::syntax::ast::*;

pub fn plan(agreement: &Agreement<'_>, options: &Options) -> Result<Option<Planned>, String> {
    if agreement.targets.is_empty() {
        return Ok(None);
    }
    // A target reads its metric's `all` group alone.
    let overall = Options {
        overall_only: true,
        ..options.clone()
    };
    let today = || today(options);
    let mut ctes = vec![Cte {
        name: "one_row".to_string(),
        body: Body::Select(Box::new(Select {
            columns: vec![item(Expr::Int(1), "one")],
            ..Select::default()
        })),
    }];
    let mut rows = Vec::new();
    let mut inputs = Vec::new();
    for (index, target) in agreement.targets.iter().enumerate() {
        let k = index + 1;
        let metric_name = &target.metric.name;
        let metric = agreement
            .metric(metric_name)
            .ok_or_else(|| format!("target {k}: its metric `{metric_name}` is not defined"))?;
        let shape = figures::shape(metric);
        let TargetWindow {
            start: window_start,
            end: evaluated_on,
            deadline,
            share_of_period,
        } = target_window(agreement, target, options);
        let deadline_expr = deadline.map(date_expr);
        let ahead = deadline_expr
            .as_ref()
            .map(|d| bin(Op::Gt, d.clone(), today()));
        let window_days = figures::window_days(window_start.clone(), evaluated_on.clone());
        let planned = super::metrics::plan(agreement, metric, options)
            .map_err(|why| format!("target {k}: metric `{metric_name}`: {why}"))?;
        inputs.extend(planned.inputs);
        ctes.extend(figures::metric_ctes(
            agreement,
            metric,
            &overall,
            Some(Window {
                start: window_start.clone(),
                end: evaluated_on.clone(),
            }),
            None,
            &format!("t{k}"),
        )?);
        let sources = super::metrics::value_sources(agreement, metric)
            .map_err(|why| format!("target {k}: metric `{metric_name}`: {why}"))?;
        ctes.extend(figures::empty_source(
            &sources,
            &Window {
                start: window_start.clone(),
                end: evaluated_on.clone(),
            },
            options,
            &format!("te{k}"),
        ));
        let mut joins = vec![
            Join {
                kind: JoinKind::Left,
                from: tree::cte(&format!("t{k}"), "v"),
                on: bin(Op::Eq, field("v", "segment"), text("all")),
            },
            Join {
                kind: JoinKind::Left,
                from: tree::cte(&format!("te{k}"), "e"),
                on: bin(Op::Eq, Expr::Int(1), Expr::Int(1)),
            },
        ];
        // A relative target that restates a pilot's expectation reads the
        // pilot's comparison: the two cannot disagree.
        let claim = same_claim(agreement, target, deadline);
        if let Some((pilot, expectation)) = claim {
            // The pilot with the restated expectation alone: its row is
            // the pilot's, without the others' CTEs.
            let restated = crate::model::Pilot {
                expectations: vec![pilot.expectations[expectation]],
                ..pilot.clone()
            };
            let planned = super::pilots::plan(agreement, &restated, options)
                .map_err(|why| format!("target {k}: pilot `{}`: {why}", pilot.named.name))?
                .ok_or_else(|| {
                    format!(
                        "target {k}: pilot `{}` has nothing to judge",
                        pilot.named.name
                    )
                })?;
            ctes.extend(planned.query.into_ctes(&format!("tp{k}")));
            joins.push(Join {
                kind: JoinKind::Left,
                from: tree::cte(&format!("tp{k}"), "p"),
                on: bin(
                    Op::And,
                    bin(Op::Eq, field("p", "expectation"), Expr::Int(1)),
                    figures::is_null(field("p", "partner")),
                ),
            });
        }
        // A count or sum's threshold `per P`, in a period the agreement
        // cuts, is pro-rated to the period's days under the agreement.
        let prorate = |e: Expr| match (&share_of_period, shape.extensive()) {
            (Some(share), true) => mul(e, share.clone()),
            _ => e,
        };
        let value = || field("v", "value");
        // Goalpost: threshold, high bound, baseline, and the kind's name.
        let (goalpost, threshold, threshold_high, baseline, change) = match &target.goalpost {
            Goalpost::AtLeast { value } => (
                "at least",
                prorate(lit(figures::value(value))),
                null_float(),
                None,
                None,
            ),
            Goalpost::AtMost { value } => (
                "at most",
                prorate(lit(figures::value(value))),
                null_float(),
                None,
                None,
            ),
            Goalpost::Between { low, high } => (
                "between",
                prorate(lit(figures::value(low))),
                prorate(lit(figures::value(high))),
                None,
                None,
            ),
            Goalpost::Change {
                direction,
                amount,
                baseline,
            } => {
                let word = match direction.value {
                    Direction::Increase => "increase",
                    Direction::Decrease => "decrease",
                };
                let change = figures::change(direction.value, amount.as_ref());
                if claim.is_some() {
                    // The figure the pilot's lift compares with: the
                    // pilot value over 1 + lift (the scaled baseline or
                    // control; for a difference in differences, what the
                    // pilot group would have done without the pilot).
                    let scaled = div(
                        float(field("p", "pilot_value")),
                        figures::add(lit(1.0), float(field("p", "lift"))),
                    );
                    (
                        word,
                        mul(scaled.clone(), lit(1.0 + change)),
                        Expr::Null,
                        Some((scaled, 0.0)),
                        Some((change, amount.is_some())),
                    )
                } else {
                    match baseline_window(agreement, target, baseline.as_ref()) {
                        None => (
                            word,
                            null_float(),
                            null_float(),
                            None,
                            Some((change, amount.is_some())),
                        ),
                        Some((start, end)) => {
                            ctes.extend(figures::metric_ctes(
                                agreement,
                                metric,
                                &overall,
                                Some(Window {
                                    start: date_expr(start),
                                    end: date_expr(end),
                                }),
                                None,
                                &format!("tb{k}"),
                            )?);
                            joins.push(Join {
                                kind: JoinKind::Left,
                                from: tree::cte(&format!("tb{k}"), "b"),
                                on: bin(Op::Eq, field("b", "segment"), text("all")),
                            });
                            let baseline_days = (end - start + 1) as f64;
                            let scaled = if shape.extensive() {
                                div(
                                    mul(float(field("b", "value")), float(window_days.clone())),
                                    lit(baseline_days),
                                )
                            } else {
                                float(field("b", "value"))
                            };
                            (
                                word,
                                mul(scaled.clone(), lit(1.0 + change)),
                                Expr::Null,
                                Some((scaled, baseline_days)),
                                Some((change, amount.is_some())),
                            )
                        }
                    }
                }
            }
        };
        let days_left = match (&deadline_expr, &ahead) {
            (Some(d), Some(ahead)) => when(
                ahead.clone(),
                Expr::DaysBetween {
                    start: Box::new(today()),
                    end: Box::new(d.clone()),
                },
                Expr::Int(0),
            ),
            _ => Expr::TypedNull(NullType::Integer),
        };
        ctes.push(Cte {
            name: format!("target_{k}"),
            body: Body::Select(Box::new(Select {
                columns: vec![
                    item(Expr::Int(k as i64), "target_number"),
                    item(text(metric_name), "metric"),
                    item(text(goalpost), "goalpost"),
                    item(float(threshold), "threshold"),
                    item(float(threshold_high), "threshold_high"),
                    item(
                        baseline.as_ref().map_or(null_float(), |(b, _)| b.clone()),
                        "baseline",
                    ),
                    item(
                        match (&claim, &baseline) {
                            (Some(_), _) => field("p", "baseline_value"),
                            (None, Some(_)) => field("b", "value"),
                            (None, None) => null_float(),
                        },
                        "baseline_value",
                    ),
                    item(
                        match (&claim, &baseline) {
                            (Some(_), _) => field("p", "baseline_customers"),
                            (None, Some(_)) => field("b", "customers"),
                            (None, None) => Expr::TypedNull(NullType::Integer),
                        },
                        "baseline_customers",
                    ),
                    item(window_start.clone(), "window_start"),
                    item(
                        deadline_expr
                            .clone()
                            .unwrap_or(Expr::TypedNull(NullType::Date)),
                        "deadline",
                    ),
                    item(evaluated_on.clone(), "evaluated_on"),
                    item(days_left, "days_left"),
                    // No matching rows in the window: a count or a sum is
                    // 0 (an empty source is no data: `missing_source`).
                    item(
                        match (&claim, shape.extensive()) {
                            (Some(_), _) => field("p", "pilot_value"),
                            (None, true) => tree::func("COALESCE", vec![value(), Expr::Int(0)]),
                            (None, false) => value(),
                        },
                        "value",
                    ),
                    item(
                        match &claim {
                            Some(_) => field("p", "pilot_customers"),
                            None => field("v", "customers"),
                        },
                        "customers",
                    ),
                    item(window_days.clone(), "window_days"),
                    item(
                        Expr::Str(compared_with(agreement, target, claim)),
                        "compared_with",
                    ),
                    item(field("e", "source"), "missing_source"),
                ]
                .into_iter()
                .chain(
                    claim
                        .iter()
                        .flat_map(|_| ["lift", "lift_low", "lift_high", "method", "verdict"])
                        .map(|c| item(field("p", c), &format!("pilot_{c}"))),
                )
                .collect(),
                from: Some(tree::cte("one_row", "o")),
                joins,
                ..Select::default()
            })),
        });

        // Judging the row.
        let x = |c: &str| field("x", c);
        let met = match (&target.goalpost, change) {
            (Goalpost::AtLeast { .. }, _) => bin(Op::Ge, x("value"), x("threshold")),
            (Goalpost::AtMost { .. }, _) => bin(Op::Le, x("value"), x("threshold")),
            (Goalpost::Between { .. }, _) => bin(
                Op::And,
                bin(Op::Ge, x("value"), x("threshold")),
                bin(Op::Le, x("value"), x("threshold_high")),
            ),
            // A bare `increase` asks for any rise; a percentage for at least it.
            (_, Some((c, true))) if c < 0.0 => bin(Op::Le, x("value"), x("threshold")),
            (_, Some((_, true))) => bin(Op::Ge, x("value"), x("threshold")),
            (Goalpost::Change { direction, .. }, _) => match direction.value {
                Direction::Increase => bin(Op::Gt, x("value"), x("baseline")),
                Direction::Decrease => bin(Op::Lt, x("value"), x("baseline")),
            },
        };
        let floor = matches!(target.goalpost, Goalpost::AtLeast { .. })
            || matches!(change, Some((c, true)) if c > 0.0);
        let required = if shape.extensive() && floor && deadline.is_some() {
            when(
                bin(Op::Gt, x("days_left"), Expr::Int(0)),
                when(
                    met.clone(),
                    lit(0.0),
                    div(
                        sub(
                            x("threshold"),
                            tree::func("COALESCE", vec![float(x("value")), lit(0.0)]),
                        ),
                        float(x("days_left")),
                    ),
                ),
                null_float(),
            )
        } else {
            null_float()
        };
        // No data: the value is empty, or a source it reads has no rows in
        // the window. Neither met nor not met.
        let no_data = bin(
            Op::Or,
            figures::is_null(x("value")),
            Expr::IsNull {
                expr: Box::new(x("missing_source")),
                negated: true,
            },
        );
        // Empty when it cannot be told (no data, or no threshold).
        let met_word = tree::case(
            vec![
                (no_data.clone(), no_text()),
                (met.clone(), text("yes")),
                (Expr::Not(Box::new(met.clone())), text("no")),
            ],
            no_text(),
        );
        let (lift, low, high, method, verdict) = match (change, &baseline) {
            (Some(_), Some(_)) if claim.is_some() => {
                // The pilot's figures at its due date (the target's deadline).
                let p = |c: &str| field("x", &format!("pilot_{c}"));
                (
                    p("lift"),
                    p("lift_low"),
                    p("lift_high"),
                    p("method"),
                    p("verdict"),
                )
            }
            (Some((c, _)), Some((_, baseline_days))) => {
                let comparison = figures::compare(
                    shape,
                    x("value"),
                    x("customers"),
                    x("baseline_value"),
                    x("baseline_customers"),
                    div(float(x("window_days")), lit(*baseline_days)),
                );
                let verdict =
                    figures::verdict(comparison.lift.clone(), comparison.bounds.clone(), c);
                let (low, high) = comparison
                    .bounds
                    .clone()
                    .unwrap_or((null_float(), null_float()));
                (comparison.lift, low, high, text(comparison.method), verdict)
            }
            _ => (
                null_float(),
                null_float(),
                null_float(),
                no_text(),
                when(met, text("met"), text("not met")),
            ),
        };
        // Not yet due while the deadline is ahead or the agreement has not
        // started; then no data; then the judgement.
        let mut pending = Vec::new();
        if deadline_expr.is_some() {
            pending.push(bin(Op::Gt, x("deadline"), today()));
        }
        if let Some((first, _)) = agreement.effective_days() {
            pending.push(bin(Op::Lt, today(), date_expr(first)));
        }
        let mut verdicts = Vec::new();
        if let Some(pending) = pending.into_iter().reduce(|a, b| bin(Op::Or, a, b)) {
            verdicts.push((pending, text("not yet due")));
        }
        verdicts.push((no_data, text("no data")));
        let verdict = tree::case(verdicts, verdict);
        let mut columns: Vec<tree::Item> = [
            "target_number",
            "metric",
            "goalpost",
            "threshold",
            "threshold_high",
            "baseline",
            "window_start",
            "deadline",
            "evaluated_on",
            "days_left",
            "value",
        ]
        .iter()
        .map(|c| item(x(c), c))
        .collect();
        columns.extend([
            item(met_word, "met"),
            item(required, "required_per_day"),
            item(lift, "lift"),
            item(low, "lift_low"),
            item(high, "lift_high"),
            item(method, "method"),
            item(verdict, "verdict"),
            item(x("window_days"), "window_days"),
            item(x("compared_with"), "compared_with"),
            item(x("missing_source"), "missing_source"),
            item(x("customers"), "customers"),
        ]);
        rows.push(Select {
            columns,
            from: Some(tree::cte(&format!("target_{k}"), "x")),
            ..Select::default()
        });
    }
    ctes.push(Cte {
        name: "judged".to_string(),
        body: tree::union(rows),
    });
    let columns = columns();
    let select = Select {
        columns: columns
            .iter()
            .map(|c| item(field("j", &c.name), &c.name))
            .collect(),
        from: Some(tree::cte("judged", "j")),
        order_by: vec![Order::asc(name("target_number"))],
        ..Select::default()
    };
    inputs.sort();
    inputs.dedup();
    Ok(Some(Planned {
        id: QueryId::Targets,
        reads: Vec::new(),
        purpose: "Every target at its deadline, or today while the deadline is ahead: value, whether it is met, the daily run rate still needed, and for relative targets the lift with its 95% interval and the verdict.".to_string(),
        inputs,
        columns,
        query: Query {
            ctes,
            body: Body::Select(Box::new(select)),
        },
    }))
}

fn columns() -> Vec<super::OutputColumn> {
    vec![
        out(
            "target_number",
            ColumnKind::Integer,
            "the target's position in the agreement, from 1",
        ),
        out("metric", ColumnKind::Text, "the metric"),
        out(
            "goalpost",
            ColumnKind::Text,
            "`at least`, `at most`, `between`, `increase` or `decrease`",
        ),
        out(
            "threshold",
            ColumnKind::Number,
            "the value to reach (`between`: the low bound; relative targets: the baseline times the change)",
        ),
        out(
            "threshold_high",
            ColumnKind::Number,
            "the high bound of `between`",
        ),
        out(
            "baseline",
            ColumnKind::Number,
            "relative targets: the metric over the baseline, scaled to the window for counts and sums",
        ),
        out(
            "window_start",
            ColumnKind::Date,
            "first day of the window the value is measured over",
        ),
        out(
            "deadline",
            ColumnKind::Date,
            "the deadline (empty without one)",
        ),
        out(
            "evaluated_on",
            ColumnKind::Date,
            "last day of the window: the deadline once passed, else today",
        ),
        out(
            "days_left",
            ColumnKind::Integer,
            "days from today to the deadline (0 once passed)",
        ),
        out("value", ColumnKind::Number, "the metric over the window"),
        out(
            "met",
            ColumnKind::Text,
            "`yes` when the value satisfies the goalpost, else `no`",
        ),
        out(
            "required_per_day",
            ColumnKind::Number,
            "counts and sums with a floor and a deadline ahead: what is still needed per remaining day",
        ),
        out(
            "lift",
            ColumnKind::Number,
            "relative targets: the change over the baseline",
        ),
        out(
            "lift_low",
            ColumnKind::Number,
            "lower bound of the lift's 95% interval",
        ),
        out(
            "lift_high",
            ColumnKind::Number,
            "upper bound of the lift's 95% interval",
        ),
        out(
            "method",
            ColumnKind::Text,
            "how the interval is computed: `newcombe`, `poisson rate ratio` or `point estimate`",
        ),
        out(
            "verdict",
            ColumnKind::Text,
            "`met`, `not met`, `inconclusive`, `no data` or `not yet due`",
        ),
        out(
            "window_days",
            ColumnKind::Integer,
            "days from window_start to evaluated_on, both included",
        ),
        out(
            "compared_with",
            ColumnKind::Text,
            "what the value is judged against: `threshold`, `baseline A to B`, `pilot P, expectation E`, or `no baseline`",
        ),
        out(
            "missing_source",
            ColumnKind::Text,
            "a source the metric reads that has no rows in the window (verdict `no data`)",
        ),
        out(
            "customers",
            ColumnKind::Integer,
            "distinct customers behind the value",
        ),
    ]
}

/// The pilot expectation a relative target restates: the same metric and
/// change, judged on the same day, over the pilot's window (`within N
/// days of P`), for the pilot's single group. The target then reads the
/// pilot's comparison, so the two can never disagree.
fn same_claim<'a>(
    agreement: &'a Agreement<'a>,
    target: &Target,
    deadline: Option<i64>,
) -> Option<(&'a crate::model::Pilot<'a>, usize)> {
    let Goalpost::Change {
        direction,
        amount,
        baseline: None,
    } = &target.goalpost
    else {
        return None;
    };
    let Some(Deadline::Within {
        of: Some(pilot), ..
    }) = target.deadline.as_ref().map(|d| &d.value)
    else {
        return None;
    };
    let pilot = agreement.pilot(&pilot.name)?;
    let metric = agreement.metric(&target.metric.name)?;
    if figures::attributed(metric)
        && !pilot.partners.is_empty()
        && pilot.control_customers.is_none()
    {
        // One row per pilot partner: no single figure to restate.
        return None;
    }
    let wanted = figures::change(direction.value, amount.as_ref());
    pilot
        .expectations
        .iter()
        .position(|e| {
            e.metric.name == target.metric.name
                && matches!(&e.goalpost, Goalpost::Change { direction: d, amount: a, .. }
                if (figures::change(d.value, a.as_ref()) - wanted).abs() < 1e-12)
                && super::pilots::due(pilot, e) == deadline
        })
        .map(|e| (pilot, e))
}

/// What a target's value is judged against, in words.
fn compared_with(
    agreement: &Agreement<'_>,
    target: &Target,
    claim: Option<(&crate::model::Pilot<'_>, usize)>,
) -> String {
    if let Some((pilot, e)) = claim {
        return format!("pilot {}, expectation {}", pilot.named.name, e + 1);
    }
    let base = match &target.goalpost {
        Goalpost::Change { baseline, .. } => {
            match baseline_window(agreement, target, baseline.as_ref()) {
                Some((start, end)) => format!(
                    "baseline {} to {}",
                    crate::check::dates::show(start),
                    crate::check::dates::show(end)
                ),
                None => "no baseline".to_string(),
            }
        }
        _ => "threshold".to_string(),
    };
    // Timed by a pilot that judges the same metric another way: say that
    // the pilot's verdict answers another question.
    let pilot = match target.deadline.as_ref().map(|d| &d.value) {
        Some(Deadline::Within {
            of: Some(pilot), ..
        }) => agreement.pilot(&pilot.name),
        _ => None,
    };
    match pilot {
        Some(pilot)
            if pilot
                .expectations
                .iter()
                .any(|e| e.metric.name == target.metric.name) =>
        {
            format!(
                "{base}, all customers (pilot {} compares its own groups)",
                pilot.named.name
            )
        }
        _ => base,
    }
}

fn null_float() -> Expr {
    Expr::TypedNull(NullType::Float)
}

/// The days a target is measured over, inside the agreement's `effective`
/// range: a target is judged only on what happened under the agreement.
pub struct TargetWindow {
    /// The first day: the start of the `per P` period holding `end` (not
    /// before the agreement starts), the pilot's start for `within ... of
    /// P`, else the agreement's start.
    pub start: Expr,
    /// The last day (`evaluated_on`): the deadline once passed, else
    /// today, and never after the agreement ends.
    pub end: Expr,
    pub deadline: Option<i64>,
    /// For `per P`: the share of the P period's days inside the agreement
    /// (1 for a whole period), which pro-rates a count or sum's threshold
    /// in a period cut by the agreement's start or end.
    pub share_of_period: Option<Expr>,
}

pub fn target_window(
    agreement: &Agreement<'_>,
    target: &Target,
    options: &Options,
) -> TargetWindow {
    let effective = agreement.effective_days();
    let today = || today(options);
    let pilot_start = |pilot: &Ident| {
        let during = agreement.pilot(&pilot.name)?.during?;
        Some(day(&during.start))
    };
    let deadline = match target.deadline.as_ref().map(|d| &d.value) {
        None => None,
        Some(Deadline::By { date }) => Some(day(date)),
        Some(Deadline::Within { duration, of }) => {
            let start = match of {
                Some(pilot) => pilot_start(pilot),
                None => effective.map(|(start, _)| start),
            };
            start.map(|s| window_end(s, duration))
        }
    };
    let latest = match deadline {
        Some(d) => when(bin(Op::Lt, date_expr(d), today()), date_expr(d), today()),
        None => today(),
    };
    let end = match effective {
        Some((_, last)) => when(
            bin(Op::Gt, latest.clone(), date_expr(last)),
            date_expr(last),
            latest,
        ),
        None => latest,
    };
    let within_pilot = match target.deadline.as_ref().map(|d| &d.value) {
        Some(Deadline::Within {
            of: Some(pilot), ..
        }) => pilot_start(pilot),
        _ => None,
    };
    let not_before_start = |e: Expr| match effective {
        Some((first, _)) => when(
            bin(Op::Lt, e.clone(), date_expr(first)),
            date_expr(first),
            e,
        ),
        None => e,
    };
    let (start, share_of_period) = match (&target.per, within_pilot, effective) {
        (Some(per), _, _) => {
            let period_start = Expr::PeriodStart(per.value, Box::new(end.clone()));
            let next_start = Expr::AddPeriods {
                period: per.value,
                count: 1,
                date: Box::new(period_start.clone()),
            };
            let share = effective.map(|(_, last)| {
                let after_last = date_expr(last + 1);
                let stop = when(
                    bin(Op::Lt, after_last.clone(), next_start.clone()),
                    after_last,
                    next_start.clone(),
                );
                div(
                    float(Expr::DaysBetween {
                        start: Box::new(not_before_start(period_start.clone())),
                        end: Box::new(stop),
                    }),
                    float(figures::period_days(per.value, period_start.clone())),
                )
            });
            (not_before_start(period_start), share)
        }
        (None, Some(start), _) | (None, None, Some((start, _))) => (date_expr(start), None),
        // No effective period: every day up to the evaluation.
        (None, None, None) => (Expr::Date("1970-01-01".to_string()), None),
    };
    TargetWindow {
        start,
        end,
        deadline,
        share_of_period,
    }
}
