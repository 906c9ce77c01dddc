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
    /// The design's name; `did`: the control group also has a baseline.
    fn word(self, did: bool) -> &'static str {
        match (self, did) {
            (Design::BeforeAfter, _) => "before/after",
            (Design::ControlPartners, false) => "control partners",
            (Design::ControlCustomers, false) => "control customers",
            (Design::ControlPartners, true) => "control partners, before/after",
            (Design::ControlCustomers, true) => "control customers, before/after",
        }
    }
}

/// The smallest group a verdict without an interval rests on, unless the
/// pilot says otherwise (`minimum group N customers`).
pub const DEFAULT_MINIMUM_GROUP: u64 = 30;

/// What the groups are counted per: a count or sum is compared per unit of
/// the population each group stands for.
enum Population {
    /// Before/after: days of each window.
    Days { pilot: i64, baseline: i64 },
    /// Control partners: one pilot partner against the control partners.
    Partners(usize),
    /// Control customers: the customers of a source (the one the control
    /// condition reads) outside and inside the control group.
    Customers(String),
    /// A control condition over several sources: no population to count.
    Unknown,
}

impl Population {
    /// The unit's name and the (baseline or control, pilot) populations.
    fn columns(&self) -> (String, Expr, Expr) {
        match self {
            Population::Days { pilot, baseline } => {
                ("day".to_string(), Expr::Int(*baseline), Expr::Int(*pilot))
            }
            Population::Partners(n) => ("partner".to_string(), Expr::Int(*n as i64), Expr::Int(1)),
            Population::Customers(source) => (
                format!("customer of {source}"),
                field("pop", "control"),
                field("pop", "treatment"),
            ),
            Population::Unknown => (
                "group".to_string(),
                Expr::TypedNull(NullType::Integer),
                Expr::TypedNull(NullType::Integer),
            ),
        }
    }
}

/// `<name>`: the control partners' rows of `<from>` together: counts and
/// sums added up, other figures averaged weighted by customers.
fn control_partners_rows(from: &str, name: &str, shape: figures::Shape, controls: &[&str]) -> Cte {
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
    Cte {
        name: name.to_string(),
        body: Body::Select(Box::new(Select {
            columns: vec![
                item(text("partner"), "segment"),
                item(float(value), "value"),
                item(func("SUM", vec![field("c", "customers")]), "customers"),
            ],
            from: Some(tree::cte(from, "c")),
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
    }
}

/// The source whose customers a control condition divides: the one its
/// qualified columns all name, or, for bare columns, the metric's own
/// (first) source. `None` when it reads several sources.
fn population_source<'a>(
    agreement: &'a Agreement<'a>,
    control: &Condition,
    sources: &[&'a crate::model::Source<'a>],
) -> Option<&'a crate::model::Source<'a>> {
    let read = control.paths();
    let mut named: Vec<&str> = read
        .iter()
        .filter(|p| p.segments.len() > 1)
        .map(|p| p.segments[0].name.as_str())
        .collect();
    named.sort_unstable();
    named.dedup();
    match named.as_slice() {
        [] => sources.first().copied(),
        [one] => agreement.source(one),
        _ => None,
    }
}

/// `<name>`: one row with the customers of `source` with a row up to
/// today: `control` those with a row that meets the control condition,
/// `treatment` the others.
fn population_cte(
    source: &crate::model::Source<'_>,
    control: &Condition,
    options: &Options,
    name: &str,
) -> Cte {
    let customer = super::source_column("r", source, "customer");
    let in_control = tree::case(
        vec![(super::condition(control, "r", source), customer.clone())],
        Expr::Null,
    );
    let mut filters = vec![Expr::IsNull {
        expr: Box::new(customer.clone()),
        negated: true,
    }];
    if source.time.is_some() {
        // Rows up to the end of today: the control condition itself reads
        // every row up to today.
        filters.push(bin(
            Op::Lt,
            super::source_column("r", source, "time"),
            Expr::StartOfDay(Box::new(Expr::AddPeriods {
                period: tree::Period::Day,
                count: 1,
                date: Box::new(today(options)),
            })),
        ));
    }
    Cte {
        name: name.to_string(),
        body: Body::Select(Box::new(Select {
            columns: vec![
                item(
                    bin(
                        Op::Sub,
                        Expr::CountDistinct(Box::new(customer)),
                        Expr::CountDistinct(Box::new(in_control.clone())),
                    ),
                    "treatment",
                ),
                item(Expr::CountDistinct(Box::new(in_control)), "control"),
            ],
            from: Some(tree::From::Table {
                path: super::table_path(source, options),
                alias: "r".to_string(),
            }),
            filter: tree::and(filters),
            ..Select::default()
        })),
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
    let (start, _) = during.ok_or("it has no `during` period")?;
    let mut ctes = vec![Cte {
        name: "one_row".to_string(),
        body: Body::Select(Box::new(Select {
            columns: vec![item(Expr::Int(1), "one")],
            ..Select::default()
        })),
    }];
    let mut rows = Vec::new();
    let mut inputs = Vec::new();
    let minimum = pilot.minimum_group.unwrap_or(DEFAULT_MINIMUM_GROUP) as i64;
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
        // A control group with a baseline: difference in differences.
        let did = design != Design::BeforeAfter && baseline.is_some();
        let due = due(pilot, expectation).expect("the pilot has a `during` period");
        let pilot_window = Window {
            start: date_expr(start),
            end: date_expr(due),
        };
        let baseline_window = baseline.map(|(b0, b1)| Window {
            start: date_expr(b0),
            end: date_expr(b1),
        });
        let treatment_prefix = format!("e{e}_p");
        let base_prefix = format!("e{e}_b");
        let negated = |c: &Condition| Condition::Not {
            operand: Box::new(c.clone()),
            span: c.span(),
        };
        let treatment_filter = match (design, control_customers) {
            (Design::ControlCustomers, Some(c)) => Some(negated(c)),
            _ => None,
        };
        let planned = super::metrics::plan(agreement, metric, options)
            .map_err(|why| format!("expectation {e}: metric `{metric_name}`: {why}"))?;
        inputs.extend(planned.inputs);
        ctes.extend(figures::metric_ctes(
            agreement,
            metric,
            options,
            Some(pilot_window.clone()),
            treatment_filter.clone(),
            &treatment_prefix,
        )?);
        match design {
            Design::BeforeAfter => {
                ctes.extend(figures::metric_ctes(
                    agreement,
                    metric,
                    options,
                    baseline_window.clone(),
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
                ctes.push(control_partners_rows(
                    &treatment_prefix,
                    &base_prefix,
                    shape,
                    controls,
                ));
            }
        }
        // Difference in differences: both groups before the pilot too.
        let (before_prefix, control_before_prefix) = (format!("e{e}_tb"), format!("e{e}_cb"));
        if did {
            let window = baseline_window.clone().expect("a baseline");
            ctes.extend(figures::metric_ctes(
                agreement,
                metric,
                options,
                Some(window.clone()),
                treatment_filter.clone(),
                &before_prefix,
            )?);
            match design {
                Design::ControlCustomers => ctes.extend(figures::metric_ctes(
                    agreement,
                    metric,
                    options,
                    Some(window),
                    control_customers.cloned(),
                    &control_before_prefix,
                )?),
                _ => ctes.push(control_partners_rows(
                    &before_prefix,
                    &control_before_prefix,
                    shape,
                    controls,
                )),
            }
        }
        // No data: a source the metric reads has no rows in a window.
        let sources = super::metrics::value_sources(agreement, metric)
            .map_err(|why| format!("expectation {e}: metric `{metric_name}`: {why}"))?;
        let empty_pilot = format!("e{e}_ep");
        let empty_baseline = format!("e{e}_eb");
        ctes.extend(figures::empty_source(
            &sources,
            &pilot_window,
            options,
            &empty_pilot,
        ));
        let reads_baseline = design == Design::BeforeAfter || did;
        if reads_baseline {
            let window = baseline_window.clone().expect("a baseline");
            ctes.extend(figures::empty_source(
                &sources,
                &window,
                options,
                &empty_baseline,
            ));
        }
        // The populations the groups are compared per unit of.
        let population_prefix = format!("e{e}_pop");
        let population = match design {
            Design::ControlCustomers => {
                let control = control_customers.expect("a control condition");
                match population_source(agreement, control, &sources) {
                    Some(source) => {
                        inputs.push(super::table_name(source));
                        ctes.push(population_cte(source, control, options, &population_prefix));
                        Population::Customers(source.name().to_string())
                    }
                    None => Population::Unknown,
                }
            }
            Design::ControlPartners => Population::Partners(controls.len()),
            Design::BeforeAfter => {
                let (b0, b1) = baseline.expect("before/after has a baseline");
                Population::Days {
                    pilot: due - start + 1,
                    baseline: b1 - b0 + 1,
                }
            }
        };
        let groups: Vec<Option<&str>> = if split && design != Design::ControlCustomers {
            partners.iter().map(|p| Some(*p)).collect()
        } else {
            vec![None]
        };
        for partner in &groups {
            let group_on = |alias: &str| match partner {
                Some(p) => bin(
                    Op::And,
                    bin(Op::Eq, field(alias, "segment"), text("partner")),
                    bin(Op::Eq, field(alias, "segment_value"), text(p)),
                ),
                None => bin(Op::Eq, field(alias, "segment"), text("all")),
            };
            let control_on = |alias: &str| match design {
                Design::ControlPartners => bin(Op::Eq, Expr::Int(1), Expr::Int(1)),
                _ => group_on(alias),
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
            let (baseline_start, baseline_end) = match baseline {
                Some((b0, b1)) if reads_baseline => (date_expr(b0), date_expr(b1)),
                _ => (
                    Expr::TypedNull(NullType::Date),
                    Expr::TypedNull(NullType::Date),
                ),
            };
            let (unit, baseline_population, pilot_population) = population.columns();
            let known = !matches!(population, Population::Unknown);
            // Per unit: a count or sum is compared after scaling the other
            // group's figure by the ratio of the populations (days, partners
            // or customers). A difference in differences compares changes.
            let scale = if shape.extensive() && !did && known {
                div(
                    float(pilot_population.clone()),
                    float(baseline_population.clone()),
                )
            } else {
                lit(1.0)
            };
            // The figures: t (treatment, pilot), b (baseline or control),
            // and for a difference in differences tb (treatment before) and
            // cb (control before).
            let (comparison_alias, control_now, control_before) = if did {
                ("tb", Some("b"), Some("cb"))
            } else {
                ("b", None, None)
            };
            let null_float = || Expr::TypedNull(NullType::Float);
            let null_int = || Expr::TypedNull(NullType::Integer);
            let mut columns = vec![
                item(Expr::Int(e as i64), "expectation"),
                item(text(metric_name), "metric"),
                item(partner.map_or_else(no_text, text), "partner"),
                item(text(design.word(did)), "design"),
                item(baseline_start, "baseline_start"),
                item(baseline_end, "baseline_end"),
                item(date_expr(start), "pilot_start"),
                item(date_expr(due), "pilot_end"),
                item(date_expr(due), "due"),
                item(figure(comparison_alias), "baseline_value"),
                item(customers(comparison_alias), "baseline_customers"),
                item(figure("t"), "pilot_value"),
                item(customers("t"), "pilot_customers"),
                item(scale.clone(), "scale"),
            ];
            let not_due = bin(Op::Gt, date_expr(due), today(options));
            let (comparison, target_lift) = match &expectation.goalpost {
                Goalpost::Change {
                    direction, amount, ..
                } => {
                    let change = figures::change(direction.value, amount.as_ref());
                    let comparison = if did {
                        figures::did(
                            shape,
                            figures::Groups {
                                t1: (figure("t"), customers("t")),
                                t0: (figure("tb"), customers("tb")),
                                c1: (figure("b"), customers("b")),
                                c0: (figure("cb"), customers("cb")),
                            },
                        )
                    } else {
                        figures::compare(
                            shape,
                            figure("t"),
                            customers("t"),
                            figure("b"),
                            customers("b"),
                            scale.clone(),
                        )
                    };
                    (Some((comparison, change)), lit(change))
                }
                _ => (None, null_float()),
            };
            let (lift, low, high, method, judged, why, interval) = match comparison {
                Some((comparison, change)) => {
                    let (verdict, reason) = figures::judgement(
                        comparison.lift.clone(),
                        comparison.bounds.clone(),
                        change,
                    );
                    let interval = comparison.bounds.is_some();
                    let (low, high) = comparison.bounds.unwrap_or((null_float(), null_float()));
                    (
                        comparison.lift,
                        low,
                        high,
                        text(comparison.method),
                        verdict,
                        reason,
                        interval,
                    )
                }
                None => {
                    let value = figure("t");
                    let met = match &expectation.goalpost {
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
                        null_float(),
                        null_float(),
                        null_float(),
                        text("threshold"),
                        when(met, text("met"), text("not met")),
                        no_text(),
                        false,
                    )
                }
            };
            // The groups a verdict rests on; without an interval to say how
            // sure it is, each needs the minimum number of customers.
            let mut group_sizes = vec![customers("t")];
            if matches!(expectation.goalpost, Goalpost::Change { .. }) {
                group_sizes.push(customers("b"));
                if did {
                    group_sizes.push(customers("tb"));
                    group_sizes.push(customers("cb"));
                }
            }
            let too_small = group_sizes
                .into_iter()
                .map(|n| bin(Op::Lt, n, Expr::Int(minimum)))
                .reduce(|a, b| bin(Op::Or, a, b))
                .expect("a group");
            let missing = if reads_baseline {
                func(
                    "COALESCE",
                    vec![field("ep", "source"), field("eb", "source")],
                )
            } else {
                field("ep", "source")
            };
            let has_missing = Expr::IsNull {
                expr: Box::new(missing.clone()),
                negated: true,
            };
            let mut verdicts = vec![
                (not_due.clone(), text("not yet due"), no_text()),
                (
                    has_missing,
                    text("no data"),
                    text("a source the metric reads has no rows in a window"),
                ),
            ];
            if !interval {
                verdicts.push((
                    too_small,
                    text("inconclusive"),
                    Expr::Str(format!(
                        "a group has fewer than {minimum} customers and the method gives no interval"
                    )),
                ));
            }
            let verdict = tree::case(
                verdicts
                    .iter()
                    .map(|(c, v, _)| (c.clone(), v.clone()))
                    .collect(),
                judged,
            );
            let reason = tree::case(verdicts.into_iter().map(|(c, _, r)| (c, r)).collect(), why);
            columns.extend([
                item(lift, "lift"),
                item(low, "lift_low"),
                item(high, "lift_high"),
                item(target_lift, "target_lift"),
                item(method, "method"),
                item(verdict, "verdict"),
                item(text(&unit), "unit"),
                item(baseline_population, "baseline_population"),
                item(pilot_population, "pilot_population"),
                item(control_now.map_or_else(null_float, figure), "control_value"),
                item(
                    control_now.map_or_else(null_int, customers),
                    "control_customers",
                ),
                item(
                    control_before.map_or_else(null_float, figure),
                    "control_before_value",
                ),
                item(
                    control_before.map_or_else(null_int, customers),
                    "control_before_customers",
                ),
                item(missing, "missing_source"),
                item(reason, "reason"),
            ]);
            let mut joins = vec![
                Join {
                    kind: JoinKind::Left,
                    from: tree::cte(&treatment_prefix, "t"),
                    on: group_on("t"),
                },
                Join {
                    kind: JoinKind::Left,
                    from: tree::cte(&base_prefix, "b"),
                    on: if design == Design::BeforeAfter {
                        group_on("b")
                    } else {
                        control_on("b")
                    },
                },
            ];
            if did {
                joins.push(Join {
                    kind: JoinKind::Left,
                    from: tree::cte(&before_prefix, "tb"),
                    on: group_on("tb"),
                });
                joins.push(Join {
                    kind: JoinKind::Left,
                    from: tree::cte(&control_before_prefix, "cb"),
                    on: control_on("cb"),
                });
            }
            joins.push(Join {
                kind: JoinKind::Left,
                from: tree::cte(&empty_pilot, "ep"),
                on: bin(Op::Eq, Expr::Int(1), Expr::Int(1)),
            });
            if reads_baseline {
                joins.push(Join {
                    kind: JoinKind::Left,
                    from: tree::cte(&empty_baseline, "eb"),
                    on: bin(Op::Eq, Expr::Int(1), Expr::Int(1)),
                });
            }
            if let Population::Customers(_) = population {
                joins.push(Join {
                    kind: JoinKind::Left,
                    from: tree::cte(&population_prefix, "pop"),
                    on: bin(Op::Eq, Expr::Int(1), Expr::Int(1)),
                });
            }
            rows.push(Select {
                columns,
                from: Some(tree::cte("one_row", "o")),
                joins,
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

/// The last day an expectation is measured on: its deadline (`by D`,
/// `within N` from the pilot's start, the window including its first day),
/// else the end of `during`. `None` without `during`.
pub fn due(pilot: &Pilot<'_>, expectation: &Expectation) -> Option<i64> {
    let during = pilot.during?;
    let start = day(&during.start);
    Some(match expectation.deadline.as_ref().map(|d| &d.value) {
        Some(Deadline::By { date }) => day(date),
        Some(Deadline::Within { duration, .. }) => window_end(start, duration),
        None => day(&during.end),
    })
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
            "`met`, `not met`, `inconclusive`, `no data` or `not yet due`",
        ),
        out(
            "unit",
            ColumnKind::Text,
            "what counts and sums are compared per: `day` (before/after), `partner` (control partners), `customer of S` (control customers)",
        ),
        out(
            "baseline_population",
            ColumnKind::Integer,
            "units behind the baseline or control group: its days, control partners or customers",
        ),
        out(
            "pilot_population",
            ColumnKind::Integer,
            "units behind the pilot group: its days, 1 partner, or its customers",
        ),
        out(
            "control_value",
            ColumnKind::Number,
            "difference in differences: the control group during the pilot",
        ),
        out(
            "control_customers",
            ColumnKind::Integer,
            "customers behind it",
        ),
        out(
            "control_before_value",
            ColumnKind::Number,
            "difference in differences: the control group over the baseline",
        ),
        out(
            "control_before_customers",
            ColumnKind::Integer,
            "customers behind it",
        ),
        out(
            "missing_source",
            ColumnKind::Text,
            "a source the metric reads that has no rows in a window (verdict `no data`)",
        ),
        out(
            "reason",
            ColumnKind::Text,
            "why the verdict is `inconclusive` or `no data`",
        ),
    ]
}
