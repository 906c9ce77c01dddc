//! `incentive_<name>`: the incentive statement, per period: what each
//! `pay` line earned, whether each `when` condition held, what the cap
//! removed, and what is paid (docs/scorecard.md, "incentive").
//!
//! Each basis (`basis_<i>`: the party's attributed value, or the metric's
//! figure for the party) and each condition metric is embedded; `periods`
//! holds the periods in which some basis has a row; `earned` puts every
//! figure of a period on one row; `cumulated` adds up what is payable
//! within each cap period; `settled` applies the cap; the final select
//! unfolds each period into its statement lines.

use super::QueryId;
use super::figures::{self, date_expr, div, float, lit, mul, no_text, sub, text, when};
use super::{ColumnKind, Options, Planned, out};
use crate::model::{Agreement, Incentive, Metric};
use crate::sql::tree::{
    self, Body, Cte, Expr, Join, JoinKind, NullType, Op, Order, Query, Select, bin, field, func,
    item, name, window,
};
use crate::syntax::ast::*;
use crate::syntax::format;

pub fn plan(
    agreement: &Agreement<'_>,
    incentive: &Incentive<'_>,
    options: &Options,
) -> Result<Planned, String> {
    let pays: Vec<(&str, &Payment)> = incentive
        .pays
        .iter()
        .map(|pay| (pay.party, pay.payment))
        .collect();
    let conditions = &incentive.conditions;
    let Some(&(first_party, _)) = pays.first() else {
        return Err("it has no `pay` line".to_string());
    };
    let mut ctes = Vec::new();
    let mut inputs = Vec::new();
    bases(agreement, &pays, options, &mut ctes, &mut inputs)?;
    condition_ctes(
        agreement,
        conditions,
        first_party,
        options,
        &mut ctes,
        &mut inputs,
    )?;
    settlement(agreement, &pays, conditions, incentive, options, &mut ctes);

    let lines = statement_lines(&pays, conditions, first_party, incentive);
    ctes.push(Cte {
        name: "lines".to_string(),
        body: Body::UnionAll(lines),
    });
    let columns = [
        "period_start",
        "party",
        "line_number",
        "line",
        "description",
        "figure",
        "holds",
        "amount",
        "share_of_period",
    ];
    let select = Select {
        columns: columns.iter().map(|c| item(field("l", c), c)).collect(),
        from: Some(tree::cte("lines", "l")),
        order_by: vec![
            Order::asc(name("period_start")),
            Order::asc(name("line_number")),
        ],
        ..Select::default()
    };
    inputs.sort();
    inputs.dedup();
    Ok(Planned {
        id: QueryId::Incentive(incentive.named.name.to_string()),
        reads: Vec::new(),
        purpose: format!(
            "Statement of incentive `{}` per {}: what each pay line earned, whether each condition held, what the cap removed, and the payout.",
            incentive.named.name,
            options.period.word()
        ),
        inputs,
        columns: vec![
            out("period_start", ColumnKind::Date, "first day of the period"),
            out("party", ColumnKind::Text, "the party paid"),
            out(
                "line_number",
                ColumnKind::Integer,
                "the line's position in the period's statement",
            ),
            out(
                "line",
                ColumnKind::Text,
                "`earned`, `condition`, `cap` or `payout`",
            ),
            out(
                "description",
                ColumnKind::Text,
                "the pay line, condition or cap as written",
            ),
            out(
                "figure",
                ColumnKind::Number,
                "the basis (earned), the condition metric's value (condition), what remained of the cap (cap)",
            ),
            out(
                "holds",
                ColumnKind::Text,
                "conditions: `yes`, `no`, or `no data` (no figure: payment waits)",
            ),
            out(
                "amount",
                ColumnKind::Number,
                "earned amount, what the cap removed (negative), or the payout",
            ),
            out(
                "share_of_period",
                ColumnKind::Number,
                "share of the period's days inside the agreement's `effective` range (1 for a whole period); earned amounts are pro-rated by it",
            ),
        ],
        query: Query {
            ctes,
            body: Body::Select(Box::new(select)),
        },
    })
}

/// The party's row of a per-partner query, else the `all` row.
fn party_group(alias: &str, party: &str, split: bool) -> Expr {
    if split {
        bin(
            Op::And,
            bin(Op::Eq, field(alias, "segment"), text("partner")),
            bin(Op::Eq, field(alias, "segment_value"), text(party)),
        )
    } else {
        bin(Op::Eq, field(alias, "segment"), text("all"))
    }
}

/// `basis_<i>` per pay line: period_start, the figure paid on, amount.
fn bases(
    agreement: &Agreement<'_>,
    pays: &[(&str, &Payment)],
    options: &Options,
    ctes: &mut Vec<Cte>,
    inputs: &mut Vec<String>,
) -> Result<(), String> {
    // basis_<i>: period_start, figure, amount
    for (i, (party, payment)) in pays.iter().enumerate() {
        let prefix = format!("pay{i}");
        let (figure_filter, rate, value) = match payment {
            Payment::ShareOfAttributed { rate, attribution } => {
                let Some(attribution) = agreement.attribution(&attribution.name) else {
                    return Err(format!(
                        "its attribution `{}` is not defined",
                        attribution.name
                    ));
                };
                let [_, by_partner] = super::attribution::plan(agreement, attribution, options)
                    .ok_or("its attribution is data-driven, which has no SQL planner yet")?;
                inputs.extend(by_partner.inputs.clone());
                ctes.extend(figures::embed(by_partner, &prefix, options));
                (
                    bin(Op::Eq, field("b", "partner"), text(party)),
                    rate.value / 100.0,
                    "attributed_value",
                )
            }
            Payment::ShareOfMetric { metric, .. } | Payment::AmountPerMetric { metric, .. } => {
                let m = embed_metric(agreement, &metric.name, options, &prefix, ctes, inputs)?;
                let factor = match payment {
                    Payment::ShareOfMetric { rate, .. } => rate.value / 100.0,
                    Payment::AmountPerMetric { amount, .. } => amount.amount,
                    Payment::ShareOfAttributed { .. } => unreachable!("matched above"),
                };
                (
                    party_group("b", party, figures::attributed(m)),
                    factor,
                    "value",
                )
            }
        };
        ctes.push(Cte {
            name: format!("basis_{i}"),
            body: Body::Select(Box::new(Select {
                columns: vec![
                    item(field("b", "period_start"), "period_start"),
                    item(float(field("b", value)), "figure"),
                    item(mul(float(field("b", value)), lit(rate)), "amount"),
                ],
                from: Some(tree::cte(&prefix, "b")),
                filter: Some(figure_filter),
                ..Select::default()
            })),
        });
    }
    Ok(())
}

/// `condition_<j>` per `when` condition: period_start and the figure the
/// condition reads, for the first party paid.
fn condition_ctes(
    agreement: &Agreement<'_>,
    conditions: &[&MetricCondition],
    first_party: &str,
    options: &Options,
    ctes: &mut Vec<Cte>,
    inputs: &mut Vec<String>,
) -> Result<(), String> {
    for (j, condition) in conditions.iter().enumerate() {
        let prefix = format!("when{j}");
        let m = embed_metric(
            agreement,
            &condition.metric.name,
            options,
            &prefix,
            ctes,
            inputs,
        )?;
        ctes.push(Cte {
            name: format!("condition_{j}"),
            body: Body::Select(Box::new(Select {
                columns: vec![
                    item(field("c", "period_start"), "period_start"),
                    item(float(field("c", "value")), "figure"),
                ],
                from: Some(tree::cte(&prefix, "c")),
                filter: Some(party_group("c", first_party, figures::attributed(m))),
                ..Select::default()
            })),
        });
    }
    Ok(())
}

/// `periods` (every period some basis has a row in), `earned` (every
/// figure of a period on one row, and whether each condition holds),
/// `cumulated` (what is payable so far within the cap's period) and
/// `settled` (what the cap lets through, paid in period order).
fn settlement(
    agreement: &Agreement<'_>,
    pays: &[(&str, &Payment)],
    conditions: &[&MetricCondition],
    incentive: &Incentive<'_>,
    options: &Options,
    ctes: &mut Vec<Cte>,
) {
    // Only periods under the agreement are paid; one its start or end cuts
    // is paid pro rata of its days inside the agreement.
    let period_start = field("u", "period_start");
    let next_start = Expr::AddPeriods {
        period: options.period,
        count: 1,
        date: Box::new(period_start.clone()),
    };
    let (inside, share) = match agreement.effective_days() {
        Some((first, last)) => {
            let (first, after_last) = (date_expr(first), date_expr(last + 1));
            let from = when(
                bin(Op::Lt, period_start.clone(), first.clone()),
                first.clone(),
                period_start.clone(),
            );
            let to = when(
                bin(Op::Lt, after_last.clone(), next_start.clone()),
                after_last.clone(),
                next_start.clone(),
            );
            (
                Some(bin(
                    Op::And,
                    bin(Op::Lt, period_start.clone(), after_last),
                    bin(Op::Gt, next_start.clone(), first),
                )),
                div(
                    float(Expr::DaysBetween {
                        start: Box::new(from),
                        end: Box::new(to),
                    }),
                    float(figures::period_days(options.period, period_start.clone())),
                ),
            )
        }
        None => (None, lit(1.0)),
    };
    ctes.push(Cte {
        name: "periods".to_string(),
        body: Body::Select(Box::new(Select {
            distinct: true,
            columns: vec![
                item(period_start, "period_start"),
                item(share, "share_of_period"),
            ],
            from: Some(tree::cte("period_rows", "u")),
            filter: inside,
            ..Select::default()
        })),
    });
    // `periods` reads the union of the bases' periods.
    let period_rows = Cte {
        name: "period_rows".to_string(),
        body: Body::UnionAll(
            (0..pays.len())
                .map(|i| Select {
                    columns: vec![item(field("b", "period_start"), "period_start")],
                    from: Some(tree::cte(&format!("basis_{i}"), "b")),
                    ..Select::default()
                })
                .collect(),
        ),
    };
    let at = ctes.len() - 1;
    ctes.insert(at, period_rows);

    // earned: one row per period with every figure.
    let mut columns = vec![
        item(field("p", "period_start"), "period_start"),
        item(field("p", "share_of_period"), "share_of_period"),
    ];
    let mut joins = Vec::new();
    for i in 0..pays.len() {
        let alias = format!("b{i}");
        joins.push(Join {
            kind: JoinKind::Left,
            from: tree::cte(&format!("basis_{i}"), &alias),
            on: bin(
                Op::Eq,
                field(&alias, "period_start"),
                field("p", "period_start"),
            ),
        });
        columns.push(item(field(&alias, "figure"), &format!("figure_{i}")));
        columns.push(item(
            mul(
                func("COALESCE", vec![field(&alias, "amount"), lit(0.0)]),
                field("p", "share_of_period"),
            ),
            &format!("earned_{i}"),
        ));
    }
    let mut holds = Vec::new();
    for (j, condition) in conditions.iter().enumerate() {
        let alias = format!("c{j}");
        joins.push(Join {
            kind: JoinKind::Left,
            from: tree::cte(&format!("condition_{j}"), &alias),
            on: bin(
                Op::Eq,
                field(&alias, "period_start"),
                field("p", "period_start"),
            ),
        });
        let value = field(&alias, "figure");
        let held = match &condition.goalpost {
            Goalpost::AtLeast { value: v } => bin(Op::Ge, value.clone(), lit(figures::value(v))),
            Goalpost::AtMost { value: v } => bin(Op::Le, value.clone(), lit(figures::value(v))),
            Goalpost::Between { low, high } => bin(
                Op::And,
                bin(Op::Ge, value.clone(), lit(figures::value(low))),
                bin(Op::Le, value.clone(), lit(figures::value(high))),
            ),
            // The checker allows only `at least` and `at most` here.
            Goalpost::Change { .. } => Expr::Bool(false),
        };
        columns.push(item(value, &format!("condition_{j}")));
        // An unmeasurable condition (no figure) does not hold: payment
        // waits for the data (`holds` says `no data`).
        columns.push(item(
            when(held, Expr::Int(1), Expr::Int(0)),
            &format!("holds_{j}"),
        ));
        holds.push(bin(Op::Eq, field("e", &format!("holds_{j}")), Expr::Int(1)));
    }
    ctes.push(Cte {
        name: "earned".to_string(),
        body: Body::Select(Box::new(Select {
            columns,
            from: Some(tree::cte("periods", "p")),
            joins,
            ..Select::default()
        })),
    });
    let total_earned = (0..pays.len())
        .map(|i| field("e", &format!("earned_{i}")))
        .reduce(figures::add)
        .expect("at least one pay line");
    let payable = match tree::and(holds) {
        Some(all) => when(all, total_earned.clone(), lit(0.0)),
        None => total_earned.clone(),
    };
    let (cap_amount, cap_period) = match &incentive.cap {
        Some(cap) => (Some(cap.amount.amount), cap.per),
        None => (None, None),
    };
    let mut cumulated: Vec<tree::Item> = vec![
        item(field("e", "period_start"), "period_start"),
        item(field("e", "share_of_period"), "share_of_period"),
    ];
    cumulated.extend(
        (0..pays.len())
            .flat_map(|i| [format!("figure_{i}"), format!("earned_{i}")])
            .chain(
                (0..conditions.len())
                    .flat_map(|j| [format!("condition_{j}"), format!("holds_{j}")]),
            )
            .map(|c| item(field("e", &c), &c)),
    );
    cumulated.push(item(total_earned, "total_earned"));
    cumulated.push(item(payable.clone(), "payable"));
    let partition = match cap_period {
        Some(per) => vec![Expr::PeriodStart(per, Box::new(field("e", "period_start")))],
        None => Vec::new(),
    };
    cumulated.push(item(
        window(
            func("SUM", vec![payable]),
            partition,
            vec![Order::asc(field("e", "period_start"))],
        ),
        "payable_so_far",
    ));
    ctes.push(Cte {
        name: "cumulated".to_string(),
        body: Body::Select(Box::new(Select {
            columns: cumulated,
            from: Some(tree::cte("earned", "e")),
            ..Select::default()
        })),
    });
    // settled: what the cap lets through, paid in period order.
    let least = |a: Expr, b: f64| when(bin(Op::Gt, a.clone(), lit(b)), lit(b), a);
    let before = sub(field("s", "payable_so_far"), field("s", "payable"));
    let (paid_before, payout) = match cap_amount {
        Some(limit) => (
            least(before, limit),
            sub(
                least(field("s", "payable_so_far"), limit),
                least(
                    sub(field("s", "payable_so_far"), field("s", "payable")),
                    limit,
                ),
            ),
        ),
        None => (before, field("s", "payable")),
    };
    ctes.push(Cte {
        name: "settled".to_string(),
        body: Body::Select(Box::new(Select {
            columns: ["period_start".to_string(), "share_of_period".to_string()]
                .into_iter()
                .chain((0..pays.len()).flat_map(|i| [format!("figure_{i}"), format!("earned_{i}")]))
                .chain(
                    (0..conditions.len())
                        .flat_map(|j| [format!("condition_{j}"), format!("holds_{j}")]),
                )
                .chain(["total_earned".to_string(), "payable".to_string()])
                .map(|c| item(field("s", &c), &c))
                .chain([item(paid_before, "paid_before"), item(payout, "payout")])
                .collect(),
            from: Some(tree::cte("cumulated", "s")),
            ..Select::default()
        })),
    });
}

/// The statement: for each period, a line per pay line (earned), per
/// condition, for the cap when one is set, and per party paid (payout).
fn statement_lines(
    pays: &[(&str, &Payment)],
    conditions: &[&MetricCondition],
    first_party: &str,
    incentive: &Incentive<'_>,
) -> Vec<Select> {
    // The statement lines.
    let mut lines = Vec::new();
    let mut number = 0;
    let mut line =
        |party: &str, kind: &str, description: String, figure: Expr, held: Expr, amount: Expr| {
            number += 1;
            Select {
                columns: vec![
                    item(field("t", "period_start"), "period_start"),
                    item(text(party), "party"),
                    item(Expr::Int(number), "line_number"),
                    item(text(kind), "line"),
                    item(Expr::Str(description), "description"),
                    item(figure, "figure"),
                    item(held, "holds"),
                    item(amount, "amount"),
                    item(field("t", "share_of_period"), "share_of_period"),
                ],
                from: Some(tree::cte("settled", "t")),
                ..Select::default()
            }
        };
    for (i, (party, payment)) in pays.iter().enumerate() {
        lines.push(line(
            party,
            "earned",
            format::payment(payment),
            field("t", &format!("figure_{i}")),
            no_text(),
            field("t", &format!("earned_{i}")),
        ));
    }
    for (j, condition) in conditions.iter().enumerate() {
        lines.push(line(
            first_party,
            "condition",
            format!(
                "{} {}",
                condition.metric.name,
                format::goalpost(&condition.goalpost)
            ),
            field("t", &format!("condition_{j}")),
            tree::case(
                vec![
                    (
                        figures::is_null(field("t", &format!("condition_{j}"))),
                        text("no data"),
                    ),
                    (
                        bin(Op::Eq, field("t", &format!("holds_{j}")), Expr::Int(1)),
                        text("yes"),
                    ),
                ],
                text("no"),
            ),
            Expr::TypedNull(NullType::Float),
        ));
    }
    if let Some(cap) = &incentive.cap {
        let limit = cap.amount.amount;
        lines.push(line(
            first_party,
            "cap",
            format::cap(cap.amount, cap.per),
            sub(lit(limit), field("t", "paid_before")),
            no_text(),
            sub(field("t", "payout"), field("t", "payable")),
        ));
    }
    for (i, (party, _)) in pays.iter().enumerate() {
        // Several pay lines share the payout in proportion to what each earned.
        let share = if pays.len() == 1 {
            field("t", "payout")
        } else {
            func(
                "COALESCE",
                vec![
                    mul(
                        field("t", "payout"),
                        div(
                            field("t", &format!("earned_{i}")),
                            field("t", "total_earned"),
                        ),
                    ),
                    lit(0.0),
                ],
            )
        };
        lines.push(line(
            party,
            "payout",
            "payout".to_string(),
            Expr::TypedNull(NullType::Float),
            no_text(),
            share,
        ));
    }
    lines
}

/// Embeds a metric's per-period query as `<prefix>` and returns the metric.
fn embed_metric<'a>(
    agreement: &'a Agreement<'a>,
    metric_name: &str,
    options: &Options,
    prefix: &str,
    ctes: &mut Vec<Cte>,
    inputs: &mut Vec<String>,
) -> Result<&'a Metric<'a>, String> {
    let metric = agreement
        .metric(metric_name)
        .ok_or_else(|| format!("its metric `{metric_name}` is not defined"))?;
    let planned = super::metrics::plan(agreement, metric, options)
        .map_err(|why| format!("metric `{metric_name}`: {why}"))?;
    inputs.extend(planned.inputs.iter().cloned());
    ctes.extend(figures::embed(planned, prefix, options));
    Ok(metric)
}
