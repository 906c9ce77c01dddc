//! `pilot_<name>`: each expectation of a pilot judged against its baseline
//! or control group: the two figures, the lift with its 95% interval (the
//! method named), and the verdict (docs/scorecard.md, "pilot").
//!
//! Expectation `e` embeds its metric over the pilot window as `e<e>_p...`
//! and, for a baseline or a control group of customers, over the other
//! window or group as `e<e>_b...`; control partners are read from the pilot
//! window's partner rows (`e<e>_control`). `row_<e>_<k>` compares one
//! treatment group with it; `judged` glues the rows.

use super::QueryId;
use super::figures::{self, date_expr, day, div, float, lit, mul, no_text, text, when, window_end};
use super::{ColumnKind, Options, Planned, Window, out, today};
use crate::model::{Agreement, Pilot};
use crate::sql::tree::{
    self, Body, Cte, Expr, Join, JoinKind, NullType, Op, Order, Query, Select, bin, field, func,
    item, name,
};
use crate::syntax::ast::*;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Design {
    BeforeAfter,
    ControlPartners,
    ControlCustomers,
}

impl Design {
    fn word(self) -> &'static str {
        match self {
            Design::BeforeAfter => "before/after",
            Design::ControlPartners => "control partners",
            Design::ControlCustomers => "control customers",
        }
    }
}

/// `None` for a pilot without expectations: there is nothing to judge.
pub fn plan(
    agreement: &Agreement<'_>,
    pilot: &Pilot<'_>,
    options: &Options,
) -> Result<Option<Planned>, String> {
    let partners = &pilot.partners;
    let controls = &pilot.control_partners;
    let control_customers = pilot.control_customers;
    let during = pilot.during.map(|r| (day(&r.start), day(&r.end)));
    let baseline = pilot.baseline.map(|r| (day(&r.start), day(&r.end)));
    let expectations = &pilot.expectations;
    if expectations.is_empty() {
        return Ok(None);
    }
    let (start, end) = during.ok_or("it has no `during` period")?;
    let mut ctes = vec![Cte {
        name: "one_row".to_string(),
        body: Body::Select(Box::new(Select {
            columns: vec![item(Expr::Int(1), "one")],
            ..Select::default()
        })),
    }];
    let mut rows = Vec::new();
    let mut inputs = Vec::new();
    for (index, expectation) in expectations.iter().enumerate() {
        let e = index + 1;
        let metric_name = &expectation.metric.name;
        let metric = agreement
            .metric(metric_name)
            .ok_or_else(|| format!("expectation {e}: its metric `{metric_name}` is not defined"))?;
        let shape = figures::shape(metric);
        let split = figures::attributed(metric) && !partners.is_empty();
        let design = if !controls.is_empty() && split {
            Design::ControlPartners
        } else if control_customers.is_some() {
            Design::ControlCustomers
        } else if baseline.is_some() {
            Design::BeforeAfter
        } else {
            // Control partners on a metric without partner rows (the
            // checker's P0326) and nothing else to compare with.
            continue;
        };
        let due = match expectation.deadline.as_ref().map(|d| &d.value) {
            Some(Deadline::By { date }) => day(date),
            Some(Deadline::Within { duration, .. }) => window_end(start, duration),
            None => end,
        };
        let pilot_window = Window {
            start: date_expr(start),
            end: date_expr(due),
        };
        let treatment_prefix = format!("e{e}_p");
        let base_prefix = format!("e{e}_b");
        let negated = |c: &Condition| Condition::Not {
            operand: Box::new(c.clone()),
            span: c.span(),
        };
        let planned = super::metrics::plan(agreement, metric, options)
            .map_err(|why| format!("expectation {e}: metric `{metric_name}`: {why}"))?;
        inputs.extend(planned.inputs);
        ctes.extend(figures::metric_ctes(
            agreement,
            metric,
            options,
            Some(pilot_window.clone()),
            match (design, control_customers) {
                (Design::ControlCustomers, Some(c)) => Some(negated(c)),
                _ => None,
            },
            &treatment_prefix,
        )?);
        match design {
            Design::BeforeAfter => {
                let (b0, b1) = baseline.expect("before/after has a baseline");
                ctes.extend(figures::metric_ctes(
                    agreement,
                    metric,
                    options,
                    Some(Window {
                        start: date_expr(b0),
                        end: date_expr(b1),
                    }),
                    None,
                    &base_prefix,
                )?);
            }
            Design::ControlCustomers => {
                ctes.extend(figures::metric_ctes(
                    agreement,
                    metric,
                    options,
                    Some(pilot_window.clone()),
                    control_customers.cloned(),
                    &base_prefix,
                )?);
            }
            Design::ControlPartners => {
                // The control partners' rows together: counts and sums
                // added up, other figures averaged weighted by customers.
                let value = if shape.extensive() {
                    func("SUM", vec![field("c", "value")])
                } else {
                    div(
                        func(
                            "SUM",
                            vec![mul(
                                float(field("c", "value")),
                                float(field("c", "customers")),
                            )],
                        ),
                        func("SUM", vec![field("c", "customers")]),
                    )
                };
                ctes.push(Cte {
                    name: base_prefix.clone(),
                    body: Body::Select(Box::new(Select {
                        columns: vec![
                            item(text("partner"), "segment"),
                            item(float(value), "value"),
                            item(func("SUM", vec![field("c", "customers")]), "customers"),
                        ],
                        from: Some(tree::cte(&treatment_prefix, "c")),
                        filter: Some(bin(
                            Op::And,
                            bin(Op::Eq, field("c", "segment"), text("partner")),
                            Expr::In {
                                expr: Box::new(field("c", "segment_value")),
                                list: controls.iter().map(|c| text(c)).collect(),
                                negated: false,
                            },
                        )),
                        ..Select::default()
                    })),
                });
            }
        }
        let groups: Vec<Option<&str>> = if split && design != Design::ControlCustomers {
            partners.iter().map(|p| Some(*p)).collect()
        } else {
            vec![None]
        };
        for partner in &groups {
            let treatment_on = match partner {
                Some(p) => bin(
                    Op::And,
                    bin(Op::Eq, field("t", "segment"), text("partner")),
                    bin(Op::Eq, field("t", "segment_value"), text(p)),
                ),
                None => bin(Op::Eq, field("t", "segment"), text("all")),
            };
            let base_on = match design {
                Design::ControlPartners => bin(Op::Eq, Expr::Int(1), Expr::Int(1)),
                _ => match partner {
                    Some(p) => bin(
                        Op::And,
                        bin(Op::Eq, field("b", "segment"), text("partner")),
                        bin(Op::Eq, field("b", "segment_value"), text(p)),
                    ),
                    None => bin(Op::Eq, field("b", "segment"), text("all")),
                },
            };
            // No rows in a window: a count or a sum is 0.
            let figure = |alias: &str| {
                if shape.extensive() {
                    float(func("COALESCE", vec![field(alias, "value"), Expr::Int(0)]))
                } else {
                    float(field(alias, "value"))
                }
            };
            let customers =
                |alias: &str| func("COALESCE", vec![field(alias, "customers"), Expr::Int(0)]);
            let pilot_days = (due - start + 1) as f64;
            let (baseline_start, baseline_end, scale) = match (design, baseline) {
                (Design::BeforeAfter, Some((b0, b1))) => (
                    date_expr(b0),
                    date_expr(b1),
                    if shape.extensive() {
                        pilot_days / (b1 - b0 + 1) as f64
                    } else {
                        1.0
                    },
                ),
                _ => (
                    Expr::TypedNull(NullType::Date),
                    Expr::TypedNull(NullType::Date),
                    1.0,
                ),
            };
            let mut columns = vec![
                item(Expr::Int(e as i64), "expectation"),
                item(text(metric_name), "metric"),
                item(partner.map_or_else(no_text, text), "partner"),
                item(text(design.word()), "design"),
                item(baseline_start, "baseline_start"),
                item(baseline_end, "baseline_end"),
                item(date_expr(start), "pilot_start"),
                item(date_expr(due), "pilot_end"),
                item(date_expr(due), "due"),
                item(figure("b"), "baseline_value"),
                item(customers("b"), "baseline_customers"),
                item(figure("t"), "pilot_value"),
                item(customers("t"), "pilot_customers"),
                item(lit(scale), "scale"),
            ];
            let not_due = bin(Op::Gt, date_expr(due), today(options));
            let null = || Expr::TypedNull(NullType::Float);
            let (lift, low, high, target_lift, method, verdict) = match &expectation.goalpost {
                Goalpost::Change {
                    direction, amount, ..
                } => {
                    let change = figures::change(direction.value, amount.as_ref());
                    let comparison = figures::compare(
                        shape,
                        figure("t"),
                        customers("t"),
                        figure("b"),
                        customers("b"),
                        lit(scale),
                    );
                    let verdict = figures::verdict(
                        comparison.lift.clone(),
                        comparison.bounds.clone(),
                        change,
                    );
                    let (low, high) = comparison.bounds.unwrap_or((null(), null()));
                    (
                        comparison.lift,
                        low,
                        high,
                        lit(change),
                        text(comparison.method),
                        verdict,
                    )
                }
                absolute => {
                    let value = figure("t");
                    let met = match absolute {
                        Goalpost::AtLeast { value: v } => {
                            bin(Op::Ge, value, lit(figures::value(v)))
                        }
                        Goalpost::AtMost { value: v } => bin(Op::Le, value, lit(figures::value(v))),
                        Goalpost::Between { low, high } => bin(
                            Op::And,
                            bin(Op::Ge, value.clone(), lit(figures::value(low))),
                            bin(Op::Le, value, lit(figures::value(high))),
                        ),
                        Goalpost::Change { .. } => unreachable!("matched above"),
                    };
                    (
                        null(),
                        null(),
                        null(),
                        null(),
                        text("threshold"),
                        when(met, text("met"), text("not met")),
                    )
                }
            };
            columns.extend([
                item(lift, "lift"),
                item(low, "lift_low"),
                item(high, "lift_high"),
                item(target_lift, "target_lift"),
                item(method, "method"),
                item(when(not_due, text("not yet due"), verdict), "verdict"),
            ]);
            rows.push(Select {
                columns,
                from: Some(tree::cte("one_row", "o")),
                joins: vec![
                    Join {
                        kind: JoinKind::Left,
                        from: tree::cte(&treatment_prefix, "t"),
                        on: treatment_on,
                    },
                    Join {
                        kind: JoinKind::Left,
                        from: tree::cte(&base_prefix, "b"),
                        on: base_on,
                    },
                ],
                ..Select::default()
            });
        }
    }
    if rows.is_empty() {
        return Err("it has no expectation that can be compared".to_string());
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
        order_by: vec![
            Order::asc(name("expectation")),
            Order::nulls_first(name("partner")),
        ],
        ..Select::default()
    };
    inputs.sort();
    inputs.dedup();
    Ok(Some(Planned {
        id: QueryId::Pilot(pilot.named.name.to_string()),
        reads: Vec::new(),
        purpose: format!(
            "Evaluation of pilot `{}`: each expectation against the baseline or control group, with the lift, its 95% interval and the verdict.",
            pilot.named.name
        ),
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
            "expectation",
            ColumnKind::Integer,
            "the expectation's position in the pilot, from 1",
        ),
        out("metric", ColumnKind::Text, "the metric"),
        out(
            "partner",
            ColumnKind::Text,
            "the pilot partner, for a metric split by partner",
        ),
        out(
            "design",
            ColumnKind::Text,
            "`before/after`, `control partners` or `control customers`",
        ),
        out(
            "baseline_start",
            ColumnKind::Date,
            "first day of the baseline (before/after)",
        ),
        out(
            "baseline_end",
            ColumnKind::Date,
            "last day of the baseline (before/after)",
        ),
        out(
            "pilot_start",
            ColumnKind::Date,
            "first day of the pilot window",
        ),
        out(
            "pilot_end",
            ColumnKind::Date,
            "last day of the pilot window",
        ),
        out("due", ColumnKind::Date, "when the expectation is judged"),
        out(
            "baseline_value",
            ColumnKind::Number,
            "the metric over the baseline or the control group (unscaled)",
        ),
        out(
            "baseline_customers",
            ColumnKind::Integer,
            "customers behind it",
        ),
        out(
            "pilot_value",
            ColumnKind::Number,
            "the metric over the pilot window",
        ),
        out(
            "pilot_customers",
            ColumnKind::Integer,
            "customers behind it",
        ),
        out(
            "scale",
            ColumnKind::Number,
            "pilot length over baseline length, for counts and sums",
        ),
        out(
            "lift",
            ColumnKind::Number,
            "(pilot - scaled baseline) / scaled baseline",
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
            "target_lift",
            ColumnKind::Number,
            "the lift the expectation asks for (negative for a decrease)",
        ),
        out(
            "method",
            ColumnKind::Text,
            "`newcombe`, `poisson rate ratio`, `point estimate` or `threshold`",
        ),
        out(
            "verdict",
            ColumnKind::Text,
            "`met`, `not met`, `inconclusive` or `not yet due`",
        ),
    ]
}
