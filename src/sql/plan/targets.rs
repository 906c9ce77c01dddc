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
    let effective_start = agreement.effective_days().map(|(start, _)| start);
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
                    None => effective_start,
                };
                start.map(|s| window_end(s, duration))
            }
        };
        let deadline_expr = deadline.map(date_expr);
        let ahead = deadline_expr
            .as_ref()
            .map(|d| bin(Op::Gt, d.clone(), today()));
        let evaluated_on = match &deadline_expr {
            Some(d) => when(bin(Op::Lt, d.clone(), today()), d.clone(), today()),
            None => today(),
        };
        let within_pilot = match target.deadline.as_ref().map(|d| &d.value) {
            Some(Deadline::Within {
                of: Some(pilot), ..
            }) => pilot_start(pilot),
            _ => None,
        };
        let window_start = match (&target.per, within_pilot, effective_start) {
            (Some(per), _, _) => Expr::PeriodStart(per.value, Box::new(evaluated_on.clone())),
            (None, Some(start), _) | (None, None, Some(start)) => date_expr(start),
            // No effective period: every day up to the evaluation.
            (None, None, None) => Expr::Date("1970-01-01".to_string()),
        };
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
        let mut joins = vec![Join {
            kind: JoinKind::Left,
            from: tree::cte(&format!("t{k}"), "v"),
            on: bin(Op::Eq, field("v", "segment"), text("all")),
        }];
        let value = || field("v", "value");
        // Goalpost: threshold, high bound, baseline, and the kind's name.
        let (goalpost, threshold, threshold_high, baseline, change) = match &target.goalpost {
            Goalpost::AtLeast { value } => (
                "at least",
                lit(figures::value(value)),
                null_float(),
                None,
                None,
            ),
            Goalpost::AtMost { value } => (
                "at most",
                lit(figures::value(value)),
                null_float(),
                None,
                None,
            ),
            Goalpost::Between { low, high } => (
                "between",
                lit(figures::value(low)),
                lit(figures::value(high)),
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
                        if baseline.is_some() {
                            field("b", "value")
                        } else {
                            null_float()
                        },
                        "baseline_value",
                    ),
                    item(
                        if baseline.is_some() {
                            field("b", "customers")
                        } else {
                            Expr::TypedNull(NullType::Integer)
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
                    // No rows in the window: a count or a sum is 0.
                    item(
                        if shape.extensive() {
                            tree::func("COALESCE", vec![value(), Expr::Int(0)])
                        } else {
                            value()
                        },
                        "value",
                    ),
                    item(field("v", "customers"), "customers"),
                    item(window_days.clone(), "window_days"),
                ],
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
        let met_word = when(met.clone(), text("yes"), text("no"));
        let (lift, low, high, method, verdict) = match (change, &baseline) {
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
        let verdict = match &deadline_expr {
            Some(_) => when(
                bin(Op::Gt, x("deadline"), today()),
                text("not yet due"),
                verdict,
            ),
            None => verdict,
        };
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
            "`met`, `not met`, `inconclusive` or `not yet due`",
        ),
    ]
}

fn null_float() -> Expr {
    Expr::TypedNull(NullType::Float)
}
