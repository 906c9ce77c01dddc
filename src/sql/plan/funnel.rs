//! `funnel`: per period of entry and per group (`all`, each partner), the
//! customers who reached each journey stage and how many of them also
//! reached the next one (docs/scorecard.md, "funnel").
//!
//! `staged` holds every row of an event mapped to a stage; `entries` each
//! customer's first staged row (its period is the customer's); `reached`
//! the (customer, stage) pairs; `sourced` the partner of each customer's
//! first touch; `members` each customer once per group; `stages` the
//! journey as rows, so that every stage is listed for every group, with 0
//! where nobody reached it.

use super::{ColumnKind, Options, Planned, condition, out, source_column, table_name, table_path};
use crate::check::scope::{Decl, Kind, Scope};
use crate::sql::tree::{
    self, Body, Cte, Expr, From, Join, JoinKind, Op, Order, Period, Query, Select, bin, field,
    func, item, name, window,
};

pub fn plan(scope: &Scope<'_>, options: &Options) -> Option<Planned> {
    let stages = scope.stages();
    let mut staged = Vec::new();
    let mut inputs = Vec::new();
    let end = Expr::StartOfDay(Box::new(Expr::AddPeriods {
        period: Period::Day,
        count: 1,
        date: Box::new(super::today(options)),
    }));
    for decl in scope.of_kind(Kind::Event) {
        let Decl::Event(event) = decl else { continue };
        let Some(stage) = &event.stage else { continue };
        let Some(source) = scope.source_of(event) else {
            continue;
        };
        if !stages.contains(&stage.name.as_str()) {
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
        if let Some(filter) = &event.filter {
            filters.push(condition(filter, "r", source));
        }
        staged.push(Select {
            columns: vec![
                item(source_column("r", source, "customer"), "customer_id"),
                item(source_column("r", source, "time"), "row_time"),
                item(Expr::Str(stage.name.clone()), "stage"),
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
                ],
                from: Some(tree::cte("staged", "s")),
                group_by: vec![field("s", "customer_id")],
                ..Select::default()
            })),
        },
        Cte {
            name: "reached".to_string(),
            body: Body::Select(Box::new(Select {
                distinct: true,
                columns: vec![
                    item(field("s", "customer_id"), "customer_id"),
                    item(field("s", "stage"), "stage"),
                ],
                from: Some(tree::cte("staged", "s")),
                ..Select::default()
            })),
        },
    ];
    let no_text = || Expr::ToText(Box::new(Expr::Null));
    let mut members = vec![Select {
        columns: vec![
            item(field("e", "period_start"), "period_start"),
            item(Expr::Str("all".to_string()), "segment"),
            item(no_text(), "segment_value"),
            item(field("e", "customer_id"), "customer_id"),
        ],
        from: Some(tree::cte("entries", "e")),
        ..Select::default()
    }];
    // Partners: the first touch of the agreement's first attribution.
    let attribution = scope.of_kind(Kind::Attribution).find_map(|d| match d {
        Decl::Attribution(a) => Some(a),
        _ => None,
    });
    if let Some(attribution) = attribution
        && let Some(touches) = super::attribution::all_touches(scope, attribution, options)
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
                item(field("e", "customer_id"), "customer_id"),
            ],
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
        for source in super::attribution::touch_sources(scope, attribution) {
            inputs.push(table_name(source));
        }
    }
    ctes.push(Cte {
        name: "members".to_string(),
        body: Body::UnionAll(members),
    });
    ctes.push(Cte {
        name: "stages".to_string(),
        body: Body::UnionAll(
            stages
                .iter()
                .enumerate()
                .map(|(k, stage)| Select {
                    columns: vec![
                        item(Expr::Str(stage.to_string()), "stage"),
                        item(Expr::Int(k as i64 + 1), "stage_number"),
                        item(
                            stages
                                .get(k + 1)
                                .map_or_else(no_text, |next| Expr::Str(next.to_string())),
                            "next_stage",
                        ),
                    ],
                    ..Select::default()
                })
                .collect(),
        ),
    });
    let keys = [
        field("m", "period_start"),
        field("m", "segment"),
        field("m", "segment_value"),
        field("st", "stage"),
        field("st", "stage_number"),
        field("st", "next_stage"),
    ];
    ctes.push(Cte {
        name: "cells".to_string(),
        body: Body::Select(Box::new(Select {
            columns: keys
                .iter()
                .map(|k| match k {
                    Expr::Field { name, .. } => item(k.clone(), name),
                    _ => unreachable!("keys are fields"),
                })
                .chain([
                    item(func("COUNT", vec![field("r", "customer_id")]), "customers"),
                    item(
                        func("COUNT", vec![field("n", "customer_id")]),
                        "reached_next",
                    ),
                ])
                .collect(),
            from: Some(tree::cte("members", "m")),
            joins: vec![
                Join {
                    kind: JoinKind::Inner,
                    from: tree::cte("stages", "st"),
                    on: bin(Op::Eq, Expr::Int(1), Expr::Int(1)),
                },
                Join {
                    kind: JoinKind::Left,
                    from: tree::cte("reached", "r"),
                    on: bin(
                        Op::And,
                        bin(Op::Eq, field("r", "customer_id"), field("m", "customer_id")),
                        bin(Op::Eq, field("r", "stage"), field("st", "stage")),
                    ),
                },
                Join {
                    kind: JoinKind::Left,
                    from: tree::cte("reached", "n"),
                    on: bin(
                        Op::And,
                        bin(Op::Eq, field("n", "customer_id"), field("r", "customer_id")),
                        bin(Op::Eq, field("n", "stage"), field("st", "next_stage")),
                    ),
                },
            ],
            group_by: keys.to_vec(),
            ..Select::default()
        })),
    });
    let last = Expr::IsNull {
        expr: Box::new(field("c", "next_stage")),
        negated: false,
    };
    let select = Select {
        columns: vec![
            item(field("c", "period_start"), "period_start"),
            item(field("c", "segment"), "segment"),
            item(field("c", "segment_value"), "segment_value"),
            item(field("c", "stage"), "stage"),
            item(field("c", "stage_number"), "stage_number"),
            item(field("c", "customers"), "customers"),
            item(field("c", "next_stage"), "next_stage"),
            item(
                tree::case(vec![(last.clone(), Expr::Null)], field("c", "reached_next")),
                "reached_next",
            ),
            item(
                tree::case(
                    vec![(last, Expr::Null)],
                    Expr::SafeDiv(
                        Box::new(field("c", "reached_next")),
                        Box::new(field("c", "customers")),
                    ),
                ),
                "progression",
            ),
        ],
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
        name: "funnel".to_string(),
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
