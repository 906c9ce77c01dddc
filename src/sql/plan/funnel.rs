//! `funnel`: per period of entry and per group (`all`, each partner), the
//! customers who reached each journey stage and how many of them also
//! reached the next one (docs/scorecard.md, "funnel").
//!
//! `staged` holds every row of an event mapped to a stage; `entries` one
//! row per customer: the period of their first staged row and a 1/0 flag
//! per stage reached; `sourced` the partner of each customer's first touch;
//! `members` each customer once per group; `totals` sums the flags (and
//! the products of consecutive flags) per group, and `cells` unfolds them
//! into one row per stage, so that every stage is listed, with 0 where
//! nobody reached it.

use super::QueryId;
use super::{ColumnKind, Options, Planned, out, source_column, table_name, table_path};
use crate::model::Agreement;
use crate::sql::tree::{
    self, Body, Cte, Expr, From, Join, JoinKind, NullType, Op, Order, Period, Query, Select, bin,
    field, func, item, name, window,
};

pub fn plan(agreement: &Agreement<'_>, options: &Options) -> Option<Planned> {
    let stages = &agreement.journey;
    let mut staged = Vec::new();
    let mut inputs = Vec::new();
    let end = Expr::StartOfDay(Box::new(Expr::AddPeriods {
        period: Period::Day,
        count: 1,
        date: Box::new(super::today(options)),
    }));
    for event in &agreement.events {
        let Some(stage) = event.stage else { continue };
        let Some(source) = agreement.source_of(event) else {
            continue;
        };
        if !stages.contains(&stage) {
            continue;
        }
        inputs.push(table_name(source));
        let mut filters = vec![
            Expr::IsNull {
                expr: Box::new(source_column("r", source, "customer")),
                negated: true,
            },
            bin(Op::Lt, source_column("r", source, "time"), end.clone()),
        ];
        filters.extend(super::event_rows(agreement, event, "r", source, options));
        staged.push(Select {
            columns: vec![
                item(source_column("r", source, "customer"), "customer_id"),
                item(source_column("r", source, "time"), "row_time"),
                item(Expr::Str(stage.to_string()), "stage"),
            ],
            from: Some(From::Table {
                path: table_path(source, options),
                alias: "r".to_string(),
            }),
            filter: tree::and(filters),
            ..Select::default()
        });
    }
    if staged.is_empty() {
        return None;
    }
    let mut ctes = vec![
        Cte {
            name: "staged".to_string(),
            body: tree::union(staged),
        },
        Cte {
            name: "entries".to_string(),
            body: Body::Select(Box::new(Select {
                columns: vec![
                    item(field("s", "customer_id"), "customer_id"),
                    item(
                        Expr::PeriodStart(
                            options.period,
                            Box::new(func("MIN", vec![field("s", "row_time")])),
                        ),
                        "period_start",
                    ),
                ]
                .into_iter()
                .chain(stages.iter().enumerate().map(|(k, stage)| {
                    item(
                        func(
                            "MAX",
                            vec![tree::case(
                                vec![(
                                    bin(Op::Eq, field("s", "stage"), Expr::Str(stage.to_string())),
                                    Expr::Int(1),
                                )],
                                Expr::Int(0),
                            )],
                        ),
                        &reached(k),
                    )
                }))
                .collect(),
                from: Some(tree::cte("staged", "s")),
                group_by: vec![field("s", "customer_id")],
                ..Select::default()
            })),
        },
    ];
    let no_text = || Expr::ToText(Box::new(Expr::Null));
    let flags = |alias: &str| -> Vec<tree::Item> {
        (0..stages.len())
            .map(|k| item(field(alias, &reached(k)), &reached(k)))
            .collect()
    };
    let mut members = vec![Select {
        columns: vec![
            item(field("e", "period_start"), "period_start"),
            item(Expr::Str("all".to_string()), "segment"),
            item(no_text(), "segment_value"),
        ]
        .into_iter()
        .chain(flags("e"))
        .collect(),
        from: Some(tree::cte("entries", "e")),
        ..Select::default()
    }];
    // Partners: the first touch of the agreement's first attribution.
    let attribution = agreement.attributions.first();
    if let Some(attribution) = attribution
        && let Some(touches) = super::attribution::all_touches(agreement, attribution, options)
    {
        ctes.push(Cte {
            name: "touches".to_string(),
            body: touches,
        });
        ctes.push(Cte {
            name: "sourced".to_string(),
            body: Body::Select(Box::new(Select {
                columns: vec![
                    item(field("t", "customer_id"), "customer_id"),
                    item(field("t", "partner"), "partner"),
                    item(
                        window(
                            func("ROW_NUMBER", vec![]),
                            vec![field("t", "customer_id")],
                            vec![
                                Order::asc(field("t", "touched_at")),
                                Order::asc(field("t", "touch_id")),
                                Order::asc(field("t", "partner")),
                                Order::asc(field("t", "channel")),
                            ],
                        ),
                        "pick",
                    ),
                ],
                from: Some(tree::cte("touches", "t")),
                ..Select::default()
            })),
        });
        members.push(Select {
            columns: vec![
                item(field("e", "period_start"), "period_start"),
                item(Expr::Str("partner".to_string()), "segment"),
                item(
                    func(
                        "COALESCE",
                        vec![field("f", "partner"), Expr::Str("unattributed".to_string())],
                    ),
                    "segment_value",
                ),
            ]
            .into_iter()
            .chain(flags("e"))
            .collect(),
            from: Some(tree::cte("entries", "e")),
            joins: vec![Join {
                kind: JoinKind::Left,
                from: tree::cte("sourced", "f"),
                on: bin(
                    Op::And,
                    bin(Op::Eq, field("f", "customer_id"), field("e", "customer_id")),
                    bin(Op::Eq, field("f", "pick"), Expr::Int(1)),
                ),
            }],
            ..Select::default()
        });
        for source in super::attribution::touch_sources(agreement, attribution) {
            inputs.push(table_name(source));
        }
    }
    ctes.push(Cte {
        name: "members".to_string(),
        body: Body::UnionAll(members),
    });
    // Per group: customers who reached each stage, and of them those who
    // reached the next one too.
    let keys = [
        field("m", "period_start"),
        field("m", "segment"),
        field("m", "segment_value"),
    ];
    let mut totals: Vec<tree::Item> = ["period_start", "segment", "segment_value"]
        .iter()
        .map(|c| item(field("m", c), c))
        .collect();
    for k in 0..stages.len() {
        totals.push(item(
            func("SUM", vec![field("m", &reached(k))]),
            &format!("customers_{}", k + 1),
        ));
        if k + 1 < stages.len() {
            totals.push(item(
                func(
                    "SUM",
                    vec![bin(
                        Op::Mul,
                        field("m", &reached(k)),
                        field("m", &reached(k + 1)),
                    )],
                ),
                &format!("next_{}", k + 1),
            ));
        }
    }
    ctes.push(Cte {
        name: "totals".to_string(),
        body: Body::Select(Box::new(Select {
            columns: totals,
            from: Some(tree::cte("members", "m")),
            group_by: keys.to_vec(),
            ..Select::default()
        })),
    });
    // One row per stage: the totals unfolded.
    let cells = stages
        .iter()
        .enumerate()
        .map(|(k, stage)| {
            let customers = field("t", &format!("customers_{}", k + 1));
            let (next_stage, reached_next, progression) = match stages.get(k + 1) {
                Some(next) => (
                    Expr::Str(next.to_string()),
                    field("t", &format!("next_{}", k + 1)),
                    Expr::SafeDiv(
                        Box::new(field("t", &format!("next_{}", k + 1))),
                        Box::new(customers.clone()),
                    ),
                ),
                None => (
                    no_text(),
                    Expr::TypedNull(NullType::Integer),
                    Expr::TypedNull(NullType::Float),
                ),
            };
            Select {
                columns: vec![
                    item(field("t", "period_start"), "period_start"),
                    item(field("t", "segment"), "segment"),
                    item(field("t", "segment_value"), "segment_value"),
                    item(Expr::Str(stage.to_string()), "stage"),
                    item(Expr::Int(k as i64 + 1), "stage_number"),
                    item(customers, "customers"),
                    item(next_stage, "next_stage"),
                    item(reached_next, "reached_next"),
                    item(progression, "progression"),
                ],
                from: Some(tree::cte("totals", "t")),
                ..Select::default()
            }
        })
        .collect();
    ctes.push(Cte {
        name: "cells".to_string(),
        body: tree::union(cells),
    });
    let select = Select {
        columns: [
            "period_start",
            "segment",
            "segment_value",
            "stage",
            "stage_number",
            "customers",
            "next_stage",
            "reached_next",
            "progression",
        ]
        .iter()
        .map(|c| item(field("c", c), c))
        .collect(),
        from: Some(tree::cte("cells", "c")),
        order_by: vec![
            Order::asc(name("period_start")),
            Order::asc(name("segment")),
            Order::nulls_first(name("segment_value")),
            Order::asc(name("stage_number")),
        ],
        ..Select::default()
    };
    inputs.sort();
    inputs.dedup();
    Some(Planned {
        id: QueryId::Funnel,
        reads: Vec::new(),
        purpose: format!(
            "Funnel per {} of entry, overall and per sourcing partner: customers who reached each journey stage, and the share of them who also reached the next.",
            options.period.word()
        ),
        inputs,
        columns: vec![
            out(
                "period_start",
                ColumnKind::Date,
                "first day of the period in which the customers entered the funnel",
            ),
            out("segment", ColumnKind::Text, "`all`, or `partner`"),
            out(
                "segment_value",
                ColumnKind::Text,
                "the partner of the customers' first touch (`unattributed` without one); empty for `all`",
            ),
            out("stage", ColumnKind::Text, "the journey stage"),
            out(
                "stage_number",
                ColumnKind::Integer,
                "its position in the journey, from 1",
            ),
            out(
                "customers",
                ColumnKind::Integer,
                "customers of the group who reached the stage",
            ),
            out(
                "next_stage",
                ColumnKind::Text,
                "the next stage (empty for the last)",
            ),
            out(
                "reached_next",
                ColumnKind::Integer,
                "of them, customers who also reached the next stage",
            ),
            out(
                "progression",
                ColumnKind::Number,
                "reached_next / customers",
            ),
        ],
        query: Query {
            ctes,
            body: Body::Select(Box::new(select)),
        },
    })
}

/// The column saying whether a customer reached stage `k` (from 0): 1 or 0.
fn reached(k: usize) -> String {
    format!("reached_{}", k + 1)
}
